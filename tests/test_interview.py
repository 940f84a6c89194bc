"""The guided interview: the library API (:class:`Interview`, :class:`AccountFile`) and the
``rolefinder interview`` command driven through CliRunner with scripted input.

Expected questions are computed through the API rather than written down, so the tests hold
when the rule packs change which question comes first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rolefinder.account import load_account
from rolefinder.cli import cli
from rolefinder.errors import InputError
from rolefinder.interviewing import AccountFile, Interview

ACCOUNT = """\
# Test account: every comment here must survive the interview
account:
  name: 测试机械有限公司   # the customer
  industry: manufacturing
  offering: MES 生产执行系统
contacts:
  - id: gm
    name: 张伟
    title: 总经理
    department: 总经理办公室
    notes: 每周一上午开经营会
  # the purchasing side
  - id: buyer
    name: 李娜
    title: 采购经理
    department: 采购部
    reports_to: gm
    answers:
      runs_procurement: yes   # said so at the first visit
    notes: |
      多行备注
      第二行
"""


@pytest.fixture
def account_file(tmp_path: Path) -> Path:
    path = tmp_path / "acct.yaml"
    path.write_text(ACCOUNT, encoding="utf-8")
    return path


def run(path: Path, text: str, *args: str):
    result = CliRunner().invoke(cli, ["interview", str(path), *args], input=text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def questions_for(path: Path, contact: str, answers: list[str]) -> list[str]:
    """The questions the interview asks about ``contact`` when given ``answers`` in turn."""
    session = Interview(load_account(path))
    session.select(contact)
    asked = []
    for answer in answers:
        question = session.question()
        if question is None:
            break
        asked.append(question.id)
        session.answer(answer)
    return asked


# --------------------------------------------------------------------------- the library


def test_answer_back_skip_and_fields(account_file: Path) -> None:
    session = Interview(load_account(account_file), AccountFile(account_file))
    session.select("gm")
    first = session.question()
    assert first is not None
    session.answer("是")
    assert load_account(account_file).contact("gm").answers == {first.id: "yes"}
    assert session.back().key == first.id
    assert load_account(account_file).contact("gm").answers == {}
    assert session.question().id == first.id
    session.skip()
    assert session.question() is None or session.question().id != first.id
    session.back()  # undoes the skip
    assert session.question().id == first.id
    session.set_field("attitude", "champion")
    assert load_account(account_file).contact("gm").attitude == "champion"
    with pytest.raises(InputError):
        session.set_field("influence", "huge")


def test_progress_and_stop(account_file: Path) -> None:
    session = Interview(load_account(account_file))
    session.select("buyer")
    progress = session.progress()
    assert (progress.index, progress.total, progress.answered) == (2, 2, 1)
    while session.question() is not None:
        session.answer("no")
    assert session.progress().open_roles == ()
    assert len(session.current.contact.answers) <= 11


def test_save_keeps_comments_order_and_notes(account_file: Path) -> None:
    session = Interview(load_account(account_file), AccountFile(account_file))
    session.select("buyer")
    session.answer("no")
    text = account_file.read_text(encoding="utf-8")
    for kept in ("# Test account", "# the customer", "# the purchasing side",
                 "# said so at the first visit", "多行备注\n      第二行", "每周一上午开经营会"):
        assert kept in text
    assert text.index("name: 李娜") < text.index("answers:") < text.index("notes: |")


def test_add_contact_gets_unique_ids(account_file: Path) -> None:
    session = Interview(load_account(account_file), AccountFile(account_file))
    added = session.add_contact("王强", "IT 经理", "信息中心", "gm")
    again = session.add_contact("Wang Qiang", "", "", None)
    twice = session.add_contact("Wang Qiang")
    assert (again.id, twice.id) == ("wang_qiang", "wang_qiang_2")
    loaded = load_account(account_file)
    assert loaded.contact(added.id).reports_to == "gm"
    with pytest.raises(InputError):
        session.add_contact("x", reports_to="nobody")


# --------------------------------------------------------------------------- the command


def test_interview_en_with_why_back_skip_invalid(account_file: Path) -> None:
    asked = questions_for(account_file, "gm", ["no", "yes"])
    result = run(account_file, "maybe\nwhy\nn\nback\nn\nskip\ny\nquit\n",
                 "--contact", "gm", "--lang", "en")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Please answer 1/2/3" in out
    assert "This question can decide" in out and "Rules involved" in out
    assert "Undone: your answer “no” to “" in out
    assert "Skipped." in out
    assert "[contact 1 of 2" in out
    assert "Roles at 测试机械有限公司" in out and "rolefinder plan" in out
    answers = load_account(account_file).contact("gm").answers
    assert answers.get(asked[0]) == "no"
    assert len(answers) == 2 and "yes" in answers.values()


def test_interview_zh_and_influence(account_file: Path) -> None:
    asked = questions_for(account_file, "gm", ["yes", "unsure"])
    result = run(account_file, "是\n为什么\n不确定\n影响力\n1\n退出\n",
                 "--contact", "gm", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "这个问题可能决定" in result.output and "联系人 1/2" in result.output
    assert "下一步:rolefinder plan" in result.output
    gm = load_account(account_file).contact("gm")
    assert gm.answers == {asked[0]: "yes", asked[1]: "unsure"}
    assert gm.influence == "high"


def test_finish_contact_then_attitude(account_file: Path) -> None:
    script = "n\n" * 11 + "2\n1\n"  # all no, then influence medium, attitude champion
    result = run(account_file, script, "--contact", "buyer", "--lang", "en")
    assert "Nothing more worth asking about 李娜" in result.output
    buyer = load_account(account_file).contact("buyer")
    assert (buyer.influence, buyer.attitude) == ("medium", "champion")


def test_add_contact_from_menu(account_file: Path) -> None:
    script = "a\n王强\nIT 经理\n信息中心\n1\ny\nq\nq\n"
    result = run(account_file, script, "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "已添加 王强" in result.output
    account = load_account(account_file)
    added = account.contacts[-1]
    assert (added.name, added.reports_to, len(added.answers)) == ("王强", "gm", 1)
    assert "# the purchasing side" in account_file.read_text(encoding="utf-8")


def test_new_account(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    result = run(path, "\nAcme Steel\nmanufacturing\nMES\na\nJane Doe\nCOO\nOps\ny\n", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "This is required." in result.output
    account = load_account(path)
    assert (account.name, account.industry, account.offering) == ("Acme Steel", "manufacturing", "MES")
    assert account.contact("jane_doe").answers


def test_resume_after_interruption(account_file: Path) -> None:
    asked = questions_for(account_file, "gm", ["no", "no", "no"])
    first = run(account_file, "n\n", "--contact", "gm", "--lang", "en")  # input ends: like a crash
    assert first.exit_code == 0
    assert load_account(account_file).contact("gm").answers == {asked[0]: "no"}
    second = run(account_file, "n\nn\nquit\n", "--contact", "gm", "--lang", "en")
    assert second.exit_code == 0
    answers = load_account(account_file).contact("gm").answers
    assert answers == {asked[0]: "no", asked[1]: "no", asked[2]: "no"}


def test_no_input(account_file: Path, tmp_path: Path) -> None:
    before = account_file.read_text(encoding="utf-8")
    result = run(account_file, "", "--no-input", "--lang", "en")
    assert result.exit_code == 0
    assert "Next question for" in result.output and "--no-input" in result.output
    assert account_file.read_text(encoding="utf-8") == before
    missing = run(tmp_path / "none.yaml", "", "--no-input", "--lang", "zh")
    assert missing.exit_code == 2 and "文件不存在" in missing.output
    assert not (tmp_path / "none.yaml").exists()


def test_bad_file_and_bad_contact(account_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("account:\n  name: x\ncontacts:\n  - id: a\n    name: A\n    answers:\n"
                   "      final_say: maybe\n", encoding="utf-8")
    result = run(bad, "y\n", "--lang", "en")
    assert result.exit_code == 2 and "bad.yaml:7" in result.output
    assert "Traceback" not in result.output
    result = run(account_file, "y\n", "--contact", "nobody", "--lang", "en")
    assert result.exit_code == 2 and "no contact with id 'nobody'" in result.output


# --------------------------------------------------------------------------- for scripts


def test_json_state_and_scripted_answers(account_file: Path) -> None:
    first = questions_for(account_file, "gm", ["yes"])[0]
    second = questions_for(account_file, "gm", ["yes", "no"])[1]
    result = run(account_file, "", "--contact", "gm", "--answer", f"{first}=yes", "--format", "json")
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)
    assert state["contact"] == "gm"
    assert state["next_question"]["id"] == second
    assert state["progress"]["answered"] == 1
    assert load_account(account_file).contact("gm").answers == {first: "yes"}
    assert "# the purchasing side" in account_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--answer", "final_say=yes"], "--answer needs --contact"),
        (["--contact", "gm", "--answer", "final_say"], "expected QUESTION=ANSWER"),
        (["--contact", "gm", "--answer", "final_sy=yes"], "unknown question id 'final_sy'"),
        (["--contact", "gm", "--answer", "final_say=perhaps"], "final_say"),
    ],
)
def test_scripted_answer_errors_change_nothing(account_file: Path, args: list[str], message: str) -> None:
    before = account_file.read_text(encoding="utf-8")
    result = run(account_file, "", *args, "--lang", "en")
    assert result.exit_code == 2
    assert message in result.stderr
    assert account_file.read_text(encoding="utf-8") == before


# --------------------------------------------------------------------------- saving safely


def test_contact_called_yes_survives_the_round_trip(account_file: Path) -> None:
    session = Interview(load_account(account_file), AccountFile(account_file))
    added = session.add_contact("Yes", title="On", reports_to="gm")
    loaded = load_account(account_file)
    assert loaded.contact(added.id).name == "Yes"
    assert loaded.contact(added.id).title == "On"


def test_read_only_file_is_refused_before_the_first_question(account_file: Path) -> None:
    account_file.chmod(0o444)
    try:
        result = run(account_file, "y\n", "--contact", "gm", "--lang", "en")
    finally:
        account_file.chmod(0o644)
    assert result.exit_code == 2
    assert "read-only" in result.stderr
    assert "Traceback" not in result.output
    assert account_file.read_text(encoding="utf-8") == ACCOUNT


def test_a_symlinked_account_is_updated_through_the_link(account_file: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(account_file)
    session = Interview(load_account(link), AccountFile(link))
    session.select("gm")
    question = session.question().id
    session.answer("yes")
    assert link.is_symlink()
    assert load_account(account_file).contact("gm").answers == {question: "yes"}


def test_edits_made_in_an_editor_meanwhile_are_kept(account_file: Path) -> None:
    session = Interview(load_account(account_file), AccountFile(account_file))
    session.select("gm")
    text = account_file.read_text(encoding="utf-8")
    account_file.write_text(text.replace("notes: 每周一上午开经营会", "notes: 改成周二开会"), encoding="utf-8")
    question = session.question().id
    session.answer("no")
    saved = account_file.read_text(encoding="utf-8")
    assert "notes: 改成周二开会" in saved
    assert load_account(account_file).contact("gm").answers == {question: "no"}


def test_comment_after_contacts_keeps_the_layout(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    text = ACCOUNT.replace("contacts:\n", "contacts:   # who is who\n")
    path.write_text(text, encoding="utf-8")
    session = Interview(load_account(path), AccountFile(path))
    session.select("gm")
    session.answer("yes")
    saved = path.read_text(encoding="utf-8")
    assert "  - id: gm\n" in saved and "name: 测试机械有限公司   # the customer" in saved


@pytest.mark.parametrize("typed", ["ｙ", "Ｙ", "１"])
def test_full_width_answers_are_understood(account_file: Path, typed: str) -> None:
    first = questions_for(account_file, "gm", ["yes"])[0]
    result = run(account_file, f"{typed}\nquit\n", "--contact", "gm", "--lang", "en")
    assert result.exit_code == 0
    assert load_account(account_file).contact("gm").answers == {first: "yes"}


def test_odd_digits_at_the_menu_get_a_hint_not_a_traceback(account_file: Path) -> None:
    result = run(account_file, "²\nq\n", "--lang", "en")
    assert result.exit_code == 0
    assert "Traceback" not in result.output


def test_adding_a_contact_can_be_cancelled(account_file: Path) -> None:
    result = run(account_file, "a\nback\nq\n", "--lang", "en")
    assert result.exit_code == 0
    assert "No contact added." in result.output
    assert [c.id for c in load_account(account_file).contacts] == ["gm", "buyer"]


# --------------------------------------------------------------------------- editing the account

def test_edit_and_remove_contacts_and_set_account_fields(account_file: Path) -> None:
    script = "e 2\n\n采购总监\n\n\nf\n\n\n2,000,000\n高\nlow\nr 1\ny\nq\n"
    result = run(account_file, script, "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "已保存 李娜(buyer)" in result.output and "已删除 张伟(gm)" in result.output
    account = load_account(account_file)
    assert [c.id for c in account.contacts] == ["buyer"]
    buyer = account.contact("buyer")
    assert (buyer.title, buyer.reports_to, buyer.notes) == ("采购总监", None, "多行备注\n第二行\n")
    assert account.fields["revenue"] == 2_000_000 and account.fields["potential"] == "high"
    assert account.fields["strategic_fit"] == "low"
    assert "# Test account: every comment here must survive the interview" in account_file.read_text("utf-8")


def test_an_edit_that_would_make_a_loop_is_refused(account_file: Path) -> None:
    session = Interview(load_account(account_file))
    with pytest.raises(InputError, match="loop"):
        session.edit_contact("gm", reports_to="buyer")
    with pytest.raises(InputError, match="number"):
        session.set_account_field("revenue", "a lot")
    assert load_account(account_file).contact("gm").reports_to is None


def test_done_still_offers_judgements_and_enter_moves_on(account_file: Path) -> None:
    script = "1\ndone\n1\n3\n\nq\n"  # gm: done at once, influence high, attitude neutral; Enter: next
    result = run(account_file, script, "--lang", "en")
    assert result.exit_code == 0, result.output
    gm = load_account(account_file).contact("gm")
    assert (gm.influence, gm.attitude) == ("high", "neutral")
    assert result.output.count("── 李娜 (buyer)") == 1  # the menu's Enter went to the other contact
    assert result.output.count("Enter = 李娜") >= 1


def test_a_new_account_names_an_unknown_industry(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    result = run(path, "Acme\nmanufactoring\nmanufacturing\nMES\nq\n", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "No rule pack is written for the industry 'manufactoring' (did you mean 'manufacturing'?)" \
        in result.output
    assert "healthcare" in result.output and "manufacturing" in result.output
    assert load_account(path).industry == "manufacturing"
    assert "DOMAIN" not in path.read_text(encoding="utf-8")
