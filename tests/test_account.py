"""The account file (as the README documents it): what loads, and every way a file can be wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rolefinder.account import (
    atomic_write,
    dump_account,
    load_account,
    parse_account_text,
    save_account,
)
from rolefinder.cli import cli
from rolefinder.errors import InputError, RolefinderError

GOOD = """\
account:
  name: 北方重型机械股份有限公司
  industry: Manufacturing
  offering: MES 生产执行系统
contacts:
  - id: gm
    name: 张伟
    title: 总经理
    department: 总经理办公室
    influence: high
    attitude: neutral
    answers:
      final_say: yes
      approves_budget: 是
      signs_contract: true
      runs_procurement: no
      uses_daily: 否
      opinion_sought: unsure
      controls_access: 不确定
      initiated_need: null
    notes: 每周一上午开经营会
  - id: buyer
    name: Li Na
    title: Purchasing Manager
    reports_to: gm
    answers:
      runs_procurement: "yes"
      final_say: False
"""


def problems(text: str, name: str = "acct.yaml") -> list[str]:
    """The rendered problems of ``text``, one string per problem."""
    with pytest.raises(InputError) as info:
        parse_account_text(text, name)
    return info.value.render("en").splitlines()


def single(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- happy path


def test_loads_header_and_contacts(write_account):
    account = load_account(write_account(GOOD))
    assert account.name == "北方重型机械股份有限公司"
    assert account.industry == "manufacturing"  # lower-cased: it selects packs
    assert account.offering == "MES 生产执行系统"
    assert [c.id for c in account.contacts] == ["gm", "buyer"]
    gm = account.contact("gm")
    assert (gm.name, gm.title, gm.department) == ("张伟", "总经理", "总经理办公室")
    assert (gm.influence, gm.attitude, gm.reports_to) == ("high", "neutral", None)
    assert gm.notes == "每周一上午开经营会"
    assert account.contact("buyer").reports_to == "gm"


def test_answers_normalised_from_every_spelling(write_account):
    account = load_account(write_account(GOOD))
    assert account.contact("gm").answers == {
        "final_say": "yes",  # unquoted YAML boolean
        "approves_budget": "yes",  # 是
        "signs_contract": "yes",  # true
        "runs_procurement": "no",  # YAML boolean
        "uses_daily": "no",  # 否
        "opinion_sought": "unsure",
        "controls_access": "unsure",  # 不确定
    }
    assert account.contact("buyer").answers == {"runs_procurement": "yes", "final_say": "no"}


def test_null_answer_means_not_asked(write_account):
    account = load_account(write_account(GOOD))
    assert "initiated_need" not in account.contact("gm").answers


def test_answer_key_order_is_kept(write_account):
    account = load_account(write_account(GOOD))
    assert list(account.contact("gm").answers) == [
        "final_say", "approves_budget", "signs_contract", "runs_procurement",
        "uses_daily", "opinion_sought", "controls_access",
    ]


def test_minimal_account_without_contacts():
    account = parse_account_text("account: {name: Solo}\n")
    assert account.name == "Solo"
    assert account.contacts == []


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffaccount: {name: 带BOM}\n".encode())
    assert load_account(path).name == "带BOM"


def test_unknown_contact_lookup_names_the_ids(write_account):
    account = load_account(write_account(GOOD))
    with pytest.raises(InputError, match=r"no contact with id 'nobody'.*gm, buyer"):
        account.contact("nobody")


# --------------------------------------------------------------------------- files that are not accounts


def test_not_yaml_names_file_and_line():
    line = single("account:\n  name: [unclosed\ncontacts: []\n")
    assert line.startswith("acct.yaml:3: not valid YAML")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("account: {name: Café}\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_account(path)
    (message,) = info.value.render().splitlines()
    assert message.startswith(f"{path}: ")
    assert "not UTF-8" in message
    assert "offset 19" in message


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_account(tmp_path / "nope.yaml")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text):
    assert single(text) == "acct.yaml: the file is empty"


@pytest.mark.parametrize(
    ("text", "got"),
    [("- a\n- b\n", "list"), ("just words\n", "text"), ("42\n", "number")],
)
def test_top_level_must_be_a_mapping(text, got):
    assert single(text) == f"acct.yaml:1: expected mapping, got {got}"


def test_unknown_top_level_key():
    line = single("account: {name: A}\ncontact: []\n")
    assert line.startswith("acct.yaml:2: ")
    assert "unknown field" in line
    assert "did you mean 'contacts'" in line


def test_unknown_top_level_key_field_has_no_leading_dot():
    assert single("account: {name: A}\ncontact: []\n").startswith("acct.yaml:2: contact: ")


# --------------------------------------------------------------------------- required fields and types


def test_missing_account_section():
    assert single("contacts: []\n") == "acct.yaml:1: account: required field is missing"


@pytest.mark.parametrize("header", ["{industry: x}", "{name: '  '}", "{name: null}"])
def test_missing_account_name(header):
    assert single(f"account: {header}\n") == "acct.yaml:1: account.name: required field is missing"


def test_account_must_be_a_mapping():
    assert single("account: Acme\n") == "acct.yaml:1: account: expected mapping, got text"


def test_missing_contact_id_and_name():
    found = problems("account: {name: A}\ncontacts:\n  - title: CEO\n")
    assert found == [
        "acct.yaml:3: contacts[0].id: required field is missing",
        "acct.yaml:3: contacts[0].name: required field is missing",
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected", "got"),
    [
        ("name", "[1, 2]", "text", "list"),
        ("title", "{a: 1}", "text", "mapping"),
        ("department", "true", "text", "boolean (put words like yes, no, on, off in quotes)"),
        ("reports_to", "[gm]", "text", "list"),
        ("answers", "[final_say]", "mapping", "list"),
    ],
)
def test_wrong_contact_field_types(field, value, expected, got):
    base = {"id": "a", "name": "A"}
    base[field] = value
    body = "\n".join(f"    {k}: {v}" for k, v in base.items())
    text = f"account: {{name: A}}\ncontacts:\n  - {body.lstrip()}\n"
    line_no = 3 + list(base).index(field)
    assert single(text) == f"acct.yaml:{line_no}: contacts[0].{field}: expected {expected}, got {got}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("account: {name: A}\ncontacts: 3\n", "acct.yaml:2: contacts: expected list, got number"),
        ("account: {name: A}\ncontacts: {a: 1}\n",
         "acct.yaml:2: contacts: expected list, got mapping"),
        ("account: {name: A}\ncontacts:\n  - hello\n  - {id: a, name: A}\n",
         "acct.yaml:3: contacts[0]: expected mapping, got text"),
    ],
    ids=["number", "mapping", "scalar-item"],
)
def test_contacts_not_a_list_of_mappings_is_an_input_error(text, expected):
    assert single(text) == expected


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [("influence", "huge", "high, medium, low"),
     ("attitude", "friendly", "champion, supporter, neutral, opponent")],
)
def test_contact_choice_fields(field, value, allowed):
    text = f"account: {{name: A}}\ncontacts:\n  - id: a\n    name: A\n    {field}: {value}\n"
    assert single(text) == (f"acct.yaml:5: contacts[0].{field}: {value!r} is not allowed; "
                            f"expected one of: {allowed}")


def test_account_header_types():
    found = problems("account:\n  name: A\n  revenue: lots\n  potential: huge\n")
    assert found[0] == "acct.yaml:3: account.revenue: expected number, got text"
    assert found[1].startswith("acct.yaml:4: account.potential: 'huge' is not allowed")


def test_unknown_contact_field_suggests_the_right_one():
    line = single("account: {name: A}\ncontacts:\n  - id: a\n    name: A\n    titel: CEO\n")
    assert line.startswith("acct.yaml:5: contacts[0].titel: unknown field")
    assert "(did you mean 'title'?" in line


def test_unknown_contact_field_without_close_match_lists_allowed():
    line = single("account: {name: A}\ncontacts:\n  - id: a\n    name: A\n    zzz: 1\n")
    assert "did you mean" not in line
    assert "expected one of: id, name, title" in line


# --------------------------------------------------------------------------- answers


def test_unknown_question_id_with_hint():
    text = "account: {name: A}\ncontacts:\n  - id: a\n    name: A\n    answers:\n      final_sya: yes\n"
    assert single(text).startswith(
        "acct.yaml:6: contacts[0].answers.final_sya: unknown question id 'final_sya' "
        "(did you mean 'final_say'?"
    )


@pytest.mark.parametrize("value", ["maybe", "3", "[yes]", "'是吗'"])
def test_bad_answer_value(value):
    text = ("account: {name: A}\ncontacts:\n  - id: a\n    name: A\n    answers:\n"
            f"      uses_daily: {value}\n")
    line = single(text)
    assert line.startswith("acct.yaml:6: contacts[0].answers.uses_daily: ")
    assert "is not an answer; expected yes, no or unsure" in line


# --------------------------------------------------------------------------- the org chart


def test_duplicate_contact_ids_name_the_first_line():
    text = "account: {name: A}\ncontacts:\n  - id: a\n    name: A\n  - id: a\n    name: B\n"
    assert single(text) == "acct.yaml:5: contacts[1].id: duplicate id 'a' (first used on line 3)"


def test_reports_to_dangling():
    text = "account: {name: A}\ncontacts:\n  - id: a\n    name: A\n    reports_to: boss\n"
    assert single(text) == \
        "acct.yaml:5: contacts[0].reports_to: 'boss' is not the id of a contact in this file"


def test_reports_to_self():
    text = "account: {name: A}\ncontacts:\n  - id: a\n    name: A\n    reports_to: a\n"
    assert single(text) == "acct.yaml:5: contacts[0].reports_to: a contact cannot report to itself"


def test_reporting_cycle_reported_once_with_its_chain():
    text = """\
account: {name: A}
contacts:
  - {id: a, name: A, reports_to: b}
  - {id: b, name: B, reports_to: c}
  - {id: c, name: C, reports_to: a}
  - {id: d, name: D, reports_to: a}
"""
    line = single(text)
    assert line.startswith("acct.yaml:3: contacts[0].reports_to: reporting cycle: ")
    assert line.endswith("a → b → c → a")


def test_two_person_cycle():
    text = "account: {name: A}\ncontacts:\n  - {id: a, name: A, reports_to: b}\n" \
           "  - {id: b, name: B, reports_to: a}\n"
    assert "reporting cycle: a → b → a" in single(text)


def test_a_chain_without_cycle_loads():
    text = "account: {name: A}\ncontacts:\n  - {id: a, name: A}\n" \
           "  - {id: b, name: B, reports_to: a}\n  - {id: c, name: C, reports_to: b}\n"
    account = parse_account_text(text)
    assert [c.reports_to for c in account.contacts] == [None, "a", "b"]


def test_several_problems_reported_together_in_line_order():
    text = """\
account:
  industry: retail
contacts:
  - id: a
    name: A
    influence: huge
    answers: {final_say: maybe, frobnicate: yes}
  - id: a
    name: B
    reports_to: nobody
"""
    found = problems(text)
    assert len(found) == 6, found
    assert [int(p.split(":")[1]) for p in found] == sorted(int(p.split(":")[1]) for p in found)
    joined = "\n".join(found)
    for fragment in ("account.name: required", "contacts[0].influence", "answers.final_say",
                     "unknown question id 'frobnicate'", "duplicate id 'a'",
                     "contacts[1].reports_to: 'nobody'"):
        assert fragment in joined


def test_problems_render_in_chinese():
    with pytest.raises(InputError) as info:
        parse_account_text("account: {name: A}\ncontacts:\n  - {id: a, name: A, reports_to: a}\n",
                           "acct.yaml")
    assert info.value.render("zh") == "acct.yaml:3: contacts[0].reports_to: 联系人不能向自己汇报"


def test_input_error_is_a_rolefinder_error_with_exit_code_2():
    with pytest.raises(RolefinderError) as info:
        parse_account_text("")
    assert info.value.exit_code == 2


# --------------------------------------------------------------------------- the CLI and the disk


BROKEN = {
    "not_yaml": ("account: [\n", "not valid YAML"),
    "empty": ("", "the file is empty"),
    "dangling": ("account: {name: A}\ncontacts:\n  - {id: a, name: A, reports_to: zz}\n",
                 "'zz' is not the id"),
    "bad_answer": ("account: {name: A}\ncontacts:\n  - {id: a, name: A, answers: {final_say: 7}}\n",
                   "7 is not an answer"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_cli_exit_2_one_line_per_problem_nothing_written(runner, tmp_path, case):
    text, fragment = BROKEN[case]
    path = tmp_path / "acct.yaml"
    path.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    mtime = path.stat().st_mtime_ns
    result = runner.invoke(cli, ["identify", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(str(path))
    assert fragment in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert path.read_text(encoding="utf-8") == text
    assert path.stat().st_mtime_ns == mtime


def test_cli_not_utf8_exit_2(runner, tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("account: {name: 北方重工}\n".encode("gbk"))
    result = runner.invoke(cli, ["identify", str(path)])
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- saving


def test_save_round_trip(write_account, tmp_path):
    account = load_account(write_account(GOOD))
    target = tmp_path / "out" / "saved.yaml"
    target.parent.mkdir()
    save_account(account, target)
    again = load_account(target)
    assert again.name == account.name
    assert again.industry == account.industry
    assert again.offering == account.offering
    assert [c.to_dict() for c in again.contacts] == [c.to_dict() for c in account.contacts]
    assert list(again.contact("gm").answers) == list(account.contact("gm").answers)
    text = target.read_text(encoding="utf-8")
    assert "北方重型机械" in text  # written as UTF-8, not \u escapes
    assert text.index("account:") < text.index("contacts:")
    assert sorted(p.name for p in target.parent.iterdir()) == ["saved.yaml"]  # no temp file left


def test_save_defaults_to_the_loaded_path_and_keeps_mode(write_account):
    path = write_account(GOOD)
    os.chmod(path, 0o640)
    account = load_account(path)
    account.contact("buyer").answers["uses_daily"] = "yes"
    save_account(account)
    assert load_account(path).contact("buyer").answers["uses_daily"] == "yes"
    assert path.stat().st_mode & 0o777 == 0o640


def test_save_without_path_refuses():
    account = parse_account_text("account: {name: A}\n")
    with pytest.raises(ValueError):
        save_account(account)


def test_atomic_write_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "acct.yaml"
    target.write_text("old\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["acct.yaml"]


def test_save_to_unwritable_place_is_an_input_error(tmp_path):
    account = parse_account_text("account: {name: A}\n")
    with pytest.raises(InputError, match="cannot write the file"):
        save_account(account, tmp_path / "missing-dir" / "a.yaml")


def test_dump_keeps_domain_key_order():
    account = parse_account_text(
        "contacts:\n  - {notes: n, name: N, id: x, title: T}\naccount: {offering: O, name: A}\n")
    text = dump_account(account)
    assert text.index("account:") < text.index("contacts:")
    assert text.index("name: A") < text.index("offering: O")
    assert text.index("id: x") < text.index("name: N") < text.index("title: T") < text.index("notes: n")


def test_loaded_path_is_recorded(write_account):
    path = write_account(GOOD)
    assert load_account(path).path == str(path)
    assert isinstance(Path(load_account(path).path), Path)


# --------------------------------------------------------------------------- hostile files


def _laughs() -> str:
    lines = ["account: {name: A}", 'contacts: []', 'x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"x{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_laughs(), "acct.yaml: not valid YAML: more than 200,000 values once aliases are expanded"),
        ("account:\n  name: A\n  offering: " + "[" * 500 + "]" * 500 + "\n",
         "acct.yaml:3: not valid YAML: nested too deeply"),
        ("account:\n  name: A\n  revenue: " + "1" * 5000 + "\n", "acct.yaml:3: not valid YAML: '1111"),
        ("account:\n  name: A\n  name: B\n",
         "acct.yaml:3: not valid YAML: the key 'name' is written twice (first on line 2)"),
        ("account: {name: A, revenue: .inf}\n", "acct.yaml:1: account.revenue: expected number ≥ 0, got inf"),
        ("account: {name: A, revenue: -5}\n", "acct.yaml:1: account.revenue: expected number ≥ 0, got -5"),
        ("account: {name: A}\ncontacts:\n  - {id: a, name: A, notes: [1, 2]}\n",
         "acct.yaml:3: contacts[0].notes: expected text, got list"),
    ],
    ids=["billion-laughs", "deep-nesting", "huge-integer", "duplicate-key", "infinite", "negative", "notes-list"],
)
def test_hostile_or_odd_files_are_one_line_errors(text: str, expected: str) -> None:
    assert single(text).startswith(expected)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("case: 5", "acct.yaml:4: case: expected mapping, got number"),
        ("case: {key: [a]}", "acct.yaml:4: case.key: expected mapping, got list"),
        ("case: {key: {a: buyer}}", "acct.yaml:4: case.key.a: expected list of roles, got text"),
        ("case: {key: {a: [boss]}}", "acct.yaml:4: case.key.a: unknown role 'boss'"),
        ("case: {key: {b: [buyer]}}", "acct.yaml:4: case.key.b: 'b' is not the id of a contact in this file"),
    ],
)
def test_a_case_key_names_real_contacts_and_roles(case: str, expected: str) -> None:
    text = f"account: {{name: A}}\ncontacts:\n  - {{id: a, name: A}}\n{case}\n"
    assert single(text).startswith(expected)


def test_offering_type_and_buying_process_are_choices() -> None:
    account = parse_account_text(
        "account: {name: A, offering: CT, offering_type: equipment, buying_process: tender}\n", "a.yaml")
    assert account.fields == {"offering_type": "equipment", "buying_process": "tender"}
    found = single("account: {name: A, offering_type: gadget}\n")
    assert "a.yaml:1: account.offering_type" in found or "account.offering_type" in found
    assert "equipment, drug, consumable, software, service" in found
