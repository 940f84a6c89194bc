"""The command line as users and scripts meet it: help, languages, formats, errors, the demo."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from rolefinder.cli import COMMANDS, cli

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("ROLEFINDER_REGEN_GOLDEN") == "1"

ACCOUNT = """\
account: {name: Acme Tools, industry: manufacturing}
contacts:
  - {id: gm, name: Grace Miller, title: General Manager}
  - id: pm
    name: Paul Ma
    title: Purchasing Manager
    department: Purchasing
    reports_to: gm
    answers: {runs_procurement: yes, final_say: no}
  - {id: op, name: Olga Park, title: Machine Operator, department: Production, reports_to: pm}
"""


@pytest.fixture
def account(write_account) -> str:
    return str(write_account(ACCOUNT))


def every_command() -> list[list[str]]:
    out = [[name] for name in COMMANDS]
    return [*out, ["rules", "check"], ["rules", "test"], ["cases", "show"], ["cases", "export"]]


# --------------------------------------------------------------------------- help and version


@pytest.mark.parametrize("command", every_command(), ids=" ".join)
def test_every_command_has_help_in_both_languages(runner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert re.search(r"[\u4e00-\u9fff]", result.output), "help text has no Chinese"


def _options(command: click.Command, path: str):
    ctx = click.Context(command)
    for param in command.params:
        if getattr(param, "help", None):
            yield f"{path} {param.opts[0]}", param.help
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            yield from _options(command.get_command(ctx, name), f"{path} {name}")


def test_every_option_is_explained_in_both_languages() -> None:
    english_only = [where for where, text in _options(cli, "rolefinder")
                    if not re.search(r"[\u4e00-\u9fff]", text)]
    assert english_only == []


def test_version(runner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("rolefinder ")


def test_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "rolefinder", "--help"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0
    assert "identify" in done.stdout


def test_unknown_command_suggests(runner) -> None:
    result = runner.invoke(cli, ["identfy"])
    assert result.exit_code == 2
    assert "identify" in result.output


# --------------------------------------------------------------------------- identify


def test_identify_table_in_english(runner, account) -> None:
    result = runner.invoke(cli, ["identify", account, "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    row = next(line for line in lines if line.startswith("Paul Ma (pm)"))
    assert "Buyer" in row and "confirmed" in row
    assert any(line.startswith("Grace Miller (gm)") and "Decision maker" in line for line in lines)


def test_identify_language_follows_the_locale(runner, account, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = runner.invoke(cli, ["identify", account])
    assert result.exit_code == 0
    assert "采购者" in result.output and "Buyer" not in result.output
    assert "Buyer" in runner.invoke(cli, ["identify", account, "--lang", "en"]).output


def test_identify_json_has_the_domain_keys(runner, account) -> None:
    result = runner.invoke(cli, ["identify", account, "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"account", "contacts", "gaps"} <= set(data)
    pm = next(c for c in data["contacts"] if c["id"] == "pm")
    assert {"id", "name", "primary_role", "roles", "next_question"} <= set(pm)
    assert pm["primary_role"] == "buyer"
    buyer = next(r for r in pm["roles"] if r["role"] == "buyer")
    assert 0 <= buyer["certainty"] <= 1 and buyer["status"] == "confirmed"
    rules = {e["rule"] for e in buyer["evidence"]}
    assert "core.answer.runs_procurement.yes" in rules
    assert all({"rule", "certainty", "reason"} <= set(e) for e in buyer["evidence"])
    assert set(buyer["evidence"][0]["reason"]) == {"en", "zh"}


def test_identify_yaml_equals_json(runner, account) -> None:
    as_yaml = yaml.safe_load(runner.invoke(cli, ["identify", account, "--format", "yaml"]).stdout)
    as_json = json.loads(runner.invoke(cli, ["identify", account, "--format", "json"]).stdout)
    assert as_yaml == as_json


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("account: {name: A}\ncontacts:\n  - {id: a, name: A, reports_to: ghost}\n",
         r"account\.yaml:3: contacts\[0\]\.reports_to: "),
        ("account: {name: A}\ncontacts:\n  - {id: a, name: A, answers: {final_say: perhaps}}\n",
         r"account\.yaml:3: contacts\[0\]\.answers\.final_say: "),
        ("account: [\n", r"account\.yaml:\d+: "),
    ],
    ids=["unknown-manager", "bad-answer", "syntax"],
)
def test_identify_bad_file_is_one_line_exit_2(runner, write_account, text: str, expected: str) -> None:
    path = write_account(text)
    result = runner.invoke(cli, ["identify", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert re.search(expected, result.stderr), result.stderr
    assert result.stdout == ""


def test_identify_missing_file(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["identify", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr and "Traceback" not in result.output


def test_errors_in_chinese(runner, write_account) -> None:
    path = write_account("account: {name: A}\ncontacts:\n  - {id: a, name: A, influence: huge}\n")
    result = runner.invoke(cli, ["identify", str(path), "--lang", "zh"])
    assert result.exit_code == 2
    assert re.search(r"[\u4e00-\u9fff]", result.stderr)


# --------------------------------------------------------------------------- explain


def test_explain_names_rules_facts_and_the_formula(runner, account) -> None:
    result = runner.invoke(cli, ["explain", account, "pm", "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "core.answer.runs_procurement.yes" in out
    assert "function = procurement" in out
    assert "a+b(1-a)" in out


def test_explain_the_next_question(runner, account) -> None:
    data = json.loads(runner.invoke(cli, ["explain", account, "gm", "--format", "json"]).stdout)
    assert data["next_question"] is not None
    assert data["candidates"][0]["id"] == data["next_question"]["id"]
    text = runner.invoke(cli, ["explain", account, "gm", "--lang", "en"]).output
    assert data["next_question"]["id"] in text


def test_explain_unknown_contact(runner, account) -> None:
    result = runner.invoke(cli, ["explain", account, "pn"])
    assert result.exit_code == 2
    assert "pm" in result.stderr and "Traceback" not in result.output


# --------------------------------------------------------------------------- rules check


def test_rules_check_summarises_the_shipped_packs(runner) -> None:
    result = runner.invoke(cli, ["rules", "check", "--lang", "en"])
    assert result.exit_code == 0, result.output
    for pack in ("core", "healthcare", "manufacturing"):
        assert pack in result.output


def test_rules_check_reports_a_broken_pack_with_file_and_line(runner, write_yaml) -> None:
    path = write_yaml(
        """\
        pack: mine
        title: {en: Mine, zh: 我的}
        rules:
          - id: mine.bad
            reason: {en: x, zh: x}
            when: {title: {regex: '(unclosed'}}
            then: {role: buyer, cf: 0.5}
        """,
        name="packs/mine.yaml",
    )
    result = runner.invoke(cli, ["rules", "check", str(path.parent)])
    assert result.exit_code == 2
    assert re.search(r"mine\.yaml:6: rules\[mine\.bad\]\.when\.title\.regex: ", result.stderr), result.stderr


# --------------------------------------------------------------------------- demo


def _normalised(text: str, where: Path) -> str:
    return text.replace(str(where.resolve()), "<out>")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_golden(runner, tmp_path, lang: str) -> None:
    result = runner.invoke(cli, ["demo", "--lang", lang, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"mes-manufacturing-plan.{lang}.html").is_file()
    got = _normalised(result.output, tmp_path)
    golden = GOLDEN / f"demo.{lang}.txt"
    if REGEN:
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- files we write


def test_unwritable_outputs_are_one_line_errors(runner, account, tmp_path) -> None:
    result = runner.invoke(cli, ["plan", account, "-o", str(tmp_path / "no" / "such" / "plan.html")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr
    folder = runner.invoke(cli, ["plan", account, "-o", str(tmp_path)])
    assert folder.exit_code == 2 and "directory" in folder.stderr


def test_quiz_checks_its_csv_before_asking(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["quiz", "mes-manufacturing", "--out", str(tmp_path / "no" / "x.csv")],
                           input="1\n" * 20)
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert result.stdout == ""  # nothing was shown or asked


def test_demo_makes_its_folder_and_plans_are_not_private(runner, tmp_path) -> None:
    out = tmp_path / "new" / "folder"
    old = os.umask(0o022)
    try:
        result = runner.invoke(cli, ["demo", "--lang", "en", "--out", str(out)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    plan = out / "mes-manufacturing-plan.en.html"
    assert plan.stat().st_mode & 0o777 == 0o644


def test_demo_leaves_the_current_directory_alone_and_shows_a_first_question(runner, tmp_path,
                                                                             monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["demo", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert os.listdir(tmp_path) == []
    written = Path(result.output.split("Account plan written to ")[1].split("\n")[0])
    assert written.is_file() and written.parent.name.startswith("rolefinder-demo-")
    assert "rolefinder would first ask" in " ".join(result.output.split())
    shutil.rmtree(written.parent)
