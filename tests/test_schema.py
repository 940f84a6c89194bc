"""JSON Schemas: generated from the validators' tables, and they agree with the validators.

Every valid example (built-in cases, the evaluation sets, shipped and test packs, the files
``import`` and ``interview`` create) validates; every invalid fixture fails both the schema and
rolefinder's own validator.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from rolefinder import account as acc
from rolefinder import knowledge as kn
from rolefinder.account import parse_account_text
from rolefinder.cli import cli
from rolefinder.errors import RolefinderError
from rolefinder.interviewing import new_account_text
from rolefinder.knowledge import build_knowledge, builtin_pack_paths
from rolefinder.resources import data_dir
from rolefinder.schema import SchemaDrift, account_schema, pack_schema

jsonschema = pytest.importorskip("jsonschema")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = sorted([*data_dir("cases").glob("*.yaml"), *(ROOT / "tests" / "data" / "eval").rglob("*.yaml")])
PACKS = sorted([*builtin_pack_paths(), *(ROOT / "tests" / "data" / "packs" / "good").glob("*.yaml")])


@pytest.fixture(scope="module")
def account_validator():
    return jsonschema.Draft202012Validator(account_schema())


@pytest.fixture(scope="module")
def pack_validator():
    return jsonschema.Draft202012Validator(pack_schema())


def test_the_schemas_are_valid_json_schemas():
    jsonschema.Draft202012Validator.check_schema(account_schema())
    jsonschema.Draft202012Validator.check_schema(pack_schema())


def test_every_account_example_validates(account_validator):
    assert len(ACCOUNTS) >= 15
    for path in ACCOUNTS:
        errors = list(account_validator.iter_errors(read(path)))
        assert errors == [], f"{path}: {errors[0].message if errors else ''}"


def test_files_rolefinder_creates_start_with_the_schema_line_and_validate(account_validator, runner, tmp_path):
    text = new_account_text("新客户", "healthcare", "超声设备")
    assert text.startswith("# yaml-language-server: $schema=account.schema.json\n")
    account_validator.validate(yaml.safe_load(text))
    source = Path(__file__).parent / "data" / "crm" / "hubspot_contacts.csv"
    assert runner.invoke(cli, ["import", str(source), "-o", str(tmp_path)]).exit_code == 0
    beside = json.loads((tmp_path / "account.schema.json").read_text(encoding="utf-8"))
    assert beside == account_schema()
    for path in tmp_path.glob("*.yaml"):
        account_validator.validate(read(path))


def test_every_pack_validates(pack_validator):
    assert len(PACKS) >= 6
    for path in PACKS:
        errors = list(pack_validator.iter_errors(read(path)))
        assert errors == [], f"{path}: {errors[0].message if errors else ''}"


BAD_ACCOUNTS = {
    "no account": "contacts: []\n",
    "unknown top-level key": "account: {name: A}\ncolour: red\n",
    "empty account name": "account: {name: ' '}\n",
    "unknown account field": "account: {name: A, size: big}\n",
    "bad level": "account: {name: A, potential: huge}\n",
    "bad offering type": "account: {name: A, offering_type: gadget}\n",
    "negative revenue": "account: {name: A, revenue: -5}\n",
    "revenue as text": "account: {name: A, revenue: lots}\n",
    "contacts not a list": "account: {name: A}\ncontacts: {id: a}\n",
    "contact without id": "account: {name: A}\ncontacts: [{name: Ann}]\n",
    "contact without name": "account: {name: A}\ncontacts: [{id: a}]\n",
    "unknown contact field": "account: {name: A}\ncontacts: [{id: a, name: Ann, email: a@b.c}]\n",
    "bad influence": "account: {name: A}\ncontacts: [{id: a, name: Ann, influence: huge}]\n",
    "bad attitude": "account: {name: A}\ncontacts: [{id: a, name: Ann, attitude: fan}]\n",
    "unknown question": "account: {name: A}\ncontacts: [{id: a, name: Ann, answers: {is_boss: yes}}]\n",
    "bad answer": "account: {name: A}\ncontacts: [{id: a, name: Ann, answers: {final_say: maybe}}]\n",
    "answers as a list": "account: {name: A}\ncontacts: [{id: a, name: Ann, answers: [yes]}]\n",
    "title as a list": "account: {name: A}\ncontacts: [{id: a, name: Ann, title: [CEO]}]\n",
    "notes as a mapping": "account: {name: A}\ncontacts: [{id: a, name: Ann, notes: {x: 1}}]\n",
    "unknown role in key": "account: {name: A}\ncontacts: [{id: a, name: Ann}]\ncase: {key: {a: [boss]}}\n",
}


@pytest.mark.parametrize("text", BAD_ACCOUNTS.values(), ids=BAD_ACCOUNTS.keys())
def test_every_invalid_account_fails_the_schema_and_the_validator(account_validator, text):
    assert list(account_validator.iter_errors(yaml.safe_load(text)))
    with pytest.raises(RolefinderError):
        parse_account_text(text, "bad.yaml")


CORE_HEAD = """\
pack: mine
title: {zh: 我的, en: Mine}
"""
BAD_PACKS = {
    "no title": "pack: mine\n",
    "bad pack id": "pack: My Pack\ntitle: {zh: 我的, en: Mine}\n",
    "unknown key": CORE_HEAD + "colour: red\n",
    "title in one language": "pack: mine\ntitle: {en: Mine}\n",
    "role without definition": CORE_HEAD + "roles: {boss: {label: {zh: 老板, en: Boss}}}\n",
    "prior out of range": CORE_HEAD + "roles: {boss: {label: {zh: 老板, en: Boss}, definition: {zh: 甲, en: A},"
                                      " prior: 2}}\n",
    "question without text": CORE_HEAD + "questions: {is_boss: {help: {zh: 甲, en: A}}}\n",
    "rule without when": CORE_HEAD + "rules: [{id: r1, reason: {zh: 甲, en: A}, then: {role: user, cf: 0.5}}]\n",
    "cf out of range": CORE_HEAD + "rules: [{id: r1, reason: {zh: 甲, en: A}, when: {has_reports: true},"
                                   " then: {role: user, cf: 1.5}}]\n",
    "unknown condition": CORE_HEAD + "rules: [{id: r1, reason: {zh: 甲, en: A}, when: {salary: high},"
                                     " then: {role: user, cf: 0.5}}]\n",
    "bad answer test": CORE_HEAD + "rules: [{id: r1, reason: {zh: 甲, en: A}, when: {answers: {final_say: "
                                   "maybe}}, then: {role: user, cf: 0.5}}]\n",
    "bad manager status": CORE_HEAD + "rules: [{id: r1, reason: {zh: 甲, en: A}, when: {manager: {role: user,"
                                      " status: sure}}, then: {role: user, cf: 0.5}}]\n",
    "role and fact together": CORE_HEAD + "rules: [{id: r1, reason: {zh: 甲, en: A}, when: {has_reports: true},"
                                          " then: {role: user, fact: {seniority: x}, cf: 0.5}}]\n",
    "thresholds incomplete": CORE_HEAD + "thresholds: {confirmed: 0.8}\n",
    "bad rule id": CORE_HEAD + "rules: [{id: 'R 1', reason: {zh: 甲, en: A}, when: {has_reports: true},"
                               " then: {role: user, cf: 0.5}}]\n",
}


def _pack_fails_validator(text: str, tmp_path: Path) -> bool:
    from rolefinder.yamlsource import parse_yaml

    raw = [(path, parse_yaml(path.read_text(encoding="utf-8"), str(path))) for path in builtin_pack_paths()
           if path.stem == "core"]
    raw.append((tmp_path / "mine.yaml", parse_yaml(text, "mine.yaml")))
    try:
        build_knowledge(raw)
    except RolefinderError:
        return True
    return False


@pytest.mark.parametrize("text", BAD_PACKS.values(), ids=BAD_PACKS.keys())
def test_every_invalid_pack_fails_the_schema_and_the_validator(pack_validator, text, tmp_path):
    assert list(pack_validator.iter_errors(yaml.safe_load(text)))
    assert _pack_fails_validator(text, tmp_path)


def test_a_minimal_valid_pack_passes_both(pack_validator, tmp_path):
    text = CORE_HEAD + ("rules: [{id: r1, reason: {zh: 甲, en: A}, when: {answers: {final_say: [yes, unsure]}},"
                        " then: [{role: user, cf: 0.5}, {fact: {seniority: executive}}]}]\n")
    assert list(pack_validator.iter_errors(yaml.safe_load(text))) == []
    assert not _pack_fails_validator(text, tmp_path)


def test_a_field_the_schema_cannot_describe_stops_generation(monkeypatch):
    monkeypatch.setattr(acc, "ACCOUNT_FIELDS", {**acc.ACCOUNT_FIELDS, "region": "geo"})
    with pytest.raises(SchemaDrift):
        account_schema()
    monkeypatch.undo()
    monkeypatch.setattr(acc, "CONTACT_FIELDS", (*acc.CONTACT_FIELDS, "email"))
    with pytest.raises(SchemaDrift):
        account_schema()
    monkeypatch.undo()
    monkeypatch.setattr(kn, "WHEN_KEYS", (*kn.WHEN_KEYS, "salary"))
    with pytest.raises(SchemaDrift):
        pack_schema()


def test_schema_command(runner, tmp_path, write_yaml):
    result = runner.invoke(cli, ["schema", "pack"])
    assert result.exit_code == 0 and json.loads(result.output)["title"] == "rolefinder rule pack"
    out = tmp_path / "account.schema.json"
    result = runner.invoke(cli, ["schema", "account", "-o", str(out), "--lang", "zh"])
    assert result.exit_code == 0 and "已写入" in result.output
    assert "final_say" in json.loads(out.read_text(encoding="utf-8"))["properties"]["contacts"]["items"][
        "properties"]["answers"]["properties"]
    write_yaml("""\
        pack: extra
        title: {zh: 额外, en: Extra}
        questions:
          attends_steering: {text: {zh: 参加指导委员会吗?, en: Do they sit on the steering committee?}}
        """, "mine/extra.yaml")
    result = runner.invoke(cli, ["schema", "account", "--rules", str(tmp_path / "mine")])
    answers = json.loads(result.output)["properties"]["contacts"]["items"]["properties"]["answers"]
    assert "attends_steering" in answers["properties"]
    assert runner.invoke(cli, ["schema", "nonsense"]).exit_code == 2
