"""Built-in cases: listing, showing, exporting, and that every case identifies correctly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rolefinder.account import load_account
from rolefinder.casebook import answer_key, case_names, load_case, org_chart
from rolefinder.cli import cli
from rolefinder.identification import identify
from rolefinder.knowledge import load_knowledge


@pytest.mark.parametrize("name", case_names())
def test_every_builtin_case_identifies_correctly(name: str) -> None:
    account = load_case(name)
    key = answer_key(account)
    got = {r.contact.id: set(r.held) for r in identify(account).contacts}
    assert got == key


@pytest.mark.parametrize("name", case_names())
def test_cases_are_complete_and_bilingual(name: str) -> None:
    account = load_case(name)
    case = account.case
    assert case["id"] == name
    for part in ("title", "scenario"):
        assert case[part]["zh"].strip() and case[part]["en"].strip()
    roles = set(load_knowledge(account.industry).roles)
    for cid, held in case["key"].items():
        account.contact(cid)
        assert set(held) <= roles
    assert any(c.answers for c in account.contacts)


def test_at_least_five_cases_including_the_three_of_the_domain() -> None:
    names = case_names()
    assert len(names) >= 5
    assert {"medical-device-hospital", "pharma-new-drug", "mes-manufacturing"} <= set(names)


def test_org_chart_lists_managers_before_their_reports() -> None:
    account = load_case("mes-manufacturing")
    order = [c.id for _, c in org_chart(account.contacts)]
    assert sorted(order) == sorted(c.id for c in account.contacts)
    for contact in account.contacts:
        if contact.reports_to:
            assert order.index(contact.reports_to) < order.index(contact.id)


@pytest.mark.parametrize("lang, heading", [("en", "Industry"), ("zh", "行业")])
def test_cases_lists_every_case(runner, lang: str, heading: str) -> None:
    result = runner.invoke(cli, ["cases", "--lang", lang])
    assert result.exit_code == 0, result.output
    assert heading in result.output
    for name in case_names():
        assert name in result.output
    title = load_case("mes-manufacturing").case["title"][lang]
    assert _squeezed(title) in _squeezed(result.output)  # wrapped to the terminal's width


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_cases_json(runner) -> None:
    result = runner.invoke(cli, ["cases", "--format", "json", "--lang", "zh"])
    data = json.loads(result.output)
    by_id = {item["id"]: item for item in data}
    assert set(by_id) == set(case_names())
    assert by_id["mes-manufacturing"]["contacts"] == 9
    assert by_id["mes-manufacturing"]["industry"] == "manufacturing"
    assert by_id["mes-manufacturing"]["title"] == "某重型机械集团的生产执行系统项目"


@pytest.mark.parametrize("lang, words", [("en", ("Scenario", "Org chart")),
                                         ("zh", ("场景", "组织架构"))])
def test_cases_show_prints_scenario_and_tree(runner, lang: str, words: tuple[str, ...]) -> None:
    result = runner.invoke(cli, ["cases", "show", "mes-manufacturing", "--lang", lang])
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output
    account = load_case("mes-manufacturing")
    assert _squeezed(account.case["scenario"][lang].splitlines()[0]) in _squeezed(result.output)
    assert "├─ 王建国 [coo]" in result.output  # more people below the president follow
    assert "└─ 郑海波 [rd_mgr]" in result.output and "│  ├─ 孙立峰 [pm]" in result.output
    assert "decision" not in result.output.lower()  # the key stays hidden by default


def test_cases_show_key_for_the_trainer(runner) -> None:
    result = runner.invoke(cli, ["cases", "show", "mes-manufacturing", "--key", "--lang", "en"])
    assert "→ Decision maker" in result.output
    data = json.loads(runner.invoke(cli, ["cases", "show", "mes-manufacturing", "--key",
                                          "--format", "json"]).output)
    assert data["key"]["pm"] == ["buyer", "gatekeeper"]


def test_cases_show_unknown_case_is_one_line_error(runner) -> None:
    result = runner.invoke(cli, ["cases", "show", "no-such-case"])
    assert result.exit_code == 2
    assert "no-such-case" in result.output and "Traceback" not in result.output


def test_export_writes_an_editable_account(runner, tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    result = runner.invoke(cli, ["cases", "export", "bank-software", "-o", str(target)])
    assert result.exit_code == 0, result.output
    account = load_account(target)
    assert account.case["id"] == "bank-software"
    assert [c.id for c in account.contacts] == [c.id for c in load_case("bank-software").contacts]


def test_export_refuses_to_overwrite_without_force(runner, tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text("keep me", encoding="utf-8")
    result = runner.invoke(cli, ["cases", "export", "bank-software", "-o", str(target),
                                 "--lang", "zh"])
    assert result.exit_code == 2
    assert "--force" in result.output and "已存在" in result.output
    assert target.read_text(encoding="utf-8") == "keep me"
    result = runner.invoke(cli, ["cases", "export", "bank-software", "-o", str(target), "--force"])
    assert result.exit_code == 0
    assert load_account(target).name


def test_export_without_key_for_trainees(runner, tmp_path: Path) -> None:
    target = tmp_path / "handout.yaml"
    runner.invoke(cli, ["cases", "export", "pharma-new-drug", "-o", str(target), "--no-key"])
    account = load_account(target)
    assert "key" not in account.case
    assert account.case["scenario"]["zh"]


def test_export_leaves_no_temporary_files(runner, tmp_path: Path) -> None:
    runner.invoke(cli, ["cases", "export", "bank-software", "-o", str(tmp_path / "a.yaml")])
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_group_language_reaches_the_subcommand(runner) -> None:
    result = runner.invoke(cli, ["cases", "--lang", "zh", "show", "bank-software"])
    assert "组织架构" in result.output


@pytest.mark.parametrize("command", [["cases"], ["cases", "show"], ["cases", "export"], ["quiz"],
                                     ["rules", "test"]])
def test_trainer_commands_have_help_in_both_languages(runner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)  # Chinese help text too
    assert "--lang" in result.output
