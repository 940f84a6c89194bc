"""``rules test``: cases and pack tests as regression tests for the rule packs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rolefinder.casebook import case_names
from rolefinder.cli import cli
from rolefinder.errors import PackError
from rolefinder.knowledge import load_knowledge
from rolefinder.ruletests import run_tests

GOOD_PACK = Path(__file__).parent / "data" / "packs" / "good"

BROKEN_RULE = """\
pack: broken
title: {zh: 故意破坏, en: Broken on purpose}
rules:
  - id: broken.no_auditors
    reason: {zh: 审核者都不是审计者, en: Reviewers are never auditors}
    when: {answers: {reviews_compliance: yes}}
    then: {role: auditor, cf: -1.0}
"""


def test_all_shipped_cases_and_pack_tests_pass() -> None:
    outcomes = run_tests([GOOD_PACK])
    assert all(o.passed for o in outcomes), [o.to_dict() for o in outcomes if not o.passed]
    assert {o.id for o in outcomes if o.kind == "case"} == set(case_names())
    assert {"finance-director-audits", "coo-decides", "line-worker-uses"} <= {
        o.id for o in outcomes if o.kind == "pack"}


@pytest.mark.parametrize("lang, word", [("en", "PASS"), ("zh", "通过")])
def test_command_passes(runner, lang: str, word: str) -> None:
    result = runner.invoke(cli, ["rules", "test", str(GOOD_PACK), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert word in result.output
    assert "finance-director-audits" in result.output


def test_wired_into_the_rules_group(runner) -> None:
    result = runner.invoke(cli, ["rules", "test", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["failed"] == 0


@pytest.mark.parametrize("lang, words", [("en", ("FAIL", "missing auditor", "Reviewers")),
                                         ("zh", ("失败", "缺少auditor", "审核者都不是审计者"))])
def test_a_pack_broken_on_purpose_fails_with_evidence(runner, tmp_path: Path, lang: str,
                                                       words: tuple[str, ...]) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN_RULE, encoding="utf-8")
    result = runner.invoke(cli, ["rules", "test", str(tmp_path), "--lang", lang])
    assert result.exit_code == 1
    for word in words:
        assert word in result.output
    assert "broken.no_auditors (-1.00)" in result.output


def test_broken_pack_json_names_the_failures(runner, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN_RULE, encoding="utf-8")
    result = runner.invoke(cli, ["rules", "test", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["failed"] >= 1
    failure = next(r for r in data["results"] if r["id"] == "mes-manufacturing")["failures"][0]
    assert failure["contact"] == "audit_mgr" and failure["missing"] == ["auditor"]
    rules = [e["rule"] for e in failure["roles"]["auditor"]["evidence"]]
    assert "broken.no_auditors" in rules


def test_an_invalid_pack_is_an_error_not_a_pass(runner, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("pack: bad\nrules:\n  - id: x\n    then: {role: boss, cf: 2}\n",
                                       encoding="utf-8")
    result = runner.invoke(cli, ["rules", "test", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "Traceback" not in result.output


def test_a_failing_pack_test(runner, tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("""\
pack: wrong_tests
title: {zh: 错误的测试, en: Wrong tests}
tests:
  - id: worker-decides
    description: {zh: 操作工拍板, en: A line worker decides}
    contact:
      title: 装配线操作工
      answers: {uses_daily: yes}
    includes: [decision_maker]
    excludes: [user]
""", encoding="utf-8")
    result = runner.invoke(cli, ["rules", "test", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert "FAIL pack test worker-decides" in result.output
    assert "missing decision_maker" in result.output and "unexpected user" in result.output
    assert "core.answer.uses_daily.yes" in result.output


@pytest.mark.parametrize("body, field", [
    ("  - id: a\n    contact: {answers: {final_sy: yes}}\n    expect: []\n", "final_sy"),
    ("  - id: a\n    contact: {title: x}\n    expect: [boss]\n", "boss"),
    ("  - id: a\n    contact: {title: x}\n", "expect"),
    ("  - id: a\n    contact: {title: x, colour: red}\n    expect: []\n", "colour"),
    ("  - id: a\n    contact: {influence: huge}\n    expect: []\n", "huge"),
    ("  - contact: {title: x}\n    expect: []\n", "id"),
])
def test_pack_tests_are_validated_with_file_and_line(tmp_path: Path, body: str, field: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("pack: t\ntests:\n" + body, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_knowledge(rules=[tmp_path])
    text = info.value.render("en")
    assert f"{path}:" in text and field in text


def test_duplicate_pack_test_ids(tmp_path: Path) -> None:
    body = "  - id: a\n    contact: {title: x}\n    expect: []\n"
    (tmp_path / "t.yaml").write_text("pack: t\ntests:\n" + body * 2, encoding="utf-8")
    with pytest.raises(PackError, match="already used"):
        load_knowledge(rules=[tmp_path])


def test_extra_case_files(runner, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    runner.invoke(cli, ["cases", "export", "mes-manufacturing", "-o", str(mine)])
    text = mine.read_text(encoding="utf-8").replace("coo: [decision_maker]", "coo: [user]")
    mine.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["rules", "test", "--cases", str(mine), "--lang", "en"])
    assert result.exit_code == 1
    assert "FAIL case mes-manufacturing" in result.output
    assert str(mine) in result.output


def test_case_file_without_key_is_an_error(runner, tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    runner.invoke(cli, ["cases", "export", "bank-software", "-o", str(plain), "--no-key"])
    result = runner.invoke(cli, ["rules", "test", "--cases", str(plain)])
    assert result.exit_code == 2
    assert "answer key" in result.output


def test_the_shipped_packs_declare_tests_and_they_pass() -> None:
    outcomes = run_tests(builtin=False)
    packs = {o.id.split(".")[0] for o in outcomes}
    assert {"core", "healthcare", "manufacturing"} <= packs
    assert all(o.passed for o in outcomes), [o.to_dict() for o in outcomes if not o.passed]


def test_keyless_accounts_in_a_folder_are_skipped(runner, tmp_path: Path) -> None:
    runner.invoke(cli, ["cases", "export", "bank-software", "-o", str(tmp_path / "plain.yaml"), "--no-key"])
    runner.invoke(cli, ["cases", "export", "mes-manufacturing", "-o", str(tmp_path / "keyed.yaml")])
    result = runner.invoke(cli, ["rules", "test", "--cases", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    sources = [Path(o["source"]).name for o in json.loads(result.stdout)["results"]]
    assert "keyed.yaml" in sources and "plain.yaml" not in sources


