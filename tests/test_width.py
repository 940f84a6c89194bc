"""Terminal width: with COLUMNS=80 no line of identify, explain, quiz or cases show is wider
than 80 display columns (a Chinese character counts two), in either language."""

from __future__ import annotations

from pathlib import Path

import pytest

from rolefinder.casebook import case_names, load_case
from rolefinder.cli import cli
from rolefinder.textwidth import display_width, table, wrap

LONG = """
account: {name: Lange Gesellschaft für Anlagenbau und Instandhaltung mbH, industry: manufacturing,
          offering: "Manufacturing execution system with an unusually long description of its modules"}
contacts:
  - {id: chief_executive_officer_of_the_group, name: Maximilian Alexander von Hohenberg-Falkenstein,
     title: Chief Executive Officer and Chairman of the Management Board, department: 集团总经理办公室与战略发展委员会,
     answers: {final_say: yes, approves_budget: unsure}}
  - {id: p, name: 欧阳慕容司马上官诸葛东方, title: 采购与供应链管理中心总监兼招标办公室主任,
     department: 采购与供应链管理中心, reports_to: chief_executive_officer_of_the_group,
     answers: {runs_procurement: yes}}
"""


def widest(text: str) -> int:
    return max((display_width(line) for line in text.splitlines()), default=0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_case_and_command_fits_80_columns(runner, tmp_path: Path, lang: str) -> None:
    long = tmp_path / "long.yaml"
    long.write_text(LONG, encoding="utf-8")
    env = {"COLUMNS": "80"}
    runs = [["identify", str(long)], ["identify", str(long), "--trace"],
            ["explain", str(long), "chief_executive_officer_of_the_group"], ["explain", str(long), "p"]]
    runs += [["cases", "show", name, "--key"] for name in case_names()]
    for name in ("mes-manufacturing", "bank-software"):
        account = load_case(name)
        exported = tmp_path / f"{name}.yaml"
        assert runner.invoke(cli, ["cases", "export", name, "-o", str(exported)]).exit_code == 0
        runs.append(["identify", str(exported)])
        runs.append(["explain", str(exported), account.contacts[1].id])
    for args in runs:
        result = runner.invoke(cli, [*args, "--lang", lang], env=env)
        assert result.exit_code == 0, result.output
        assert widest(result.output) <= 80, (args, max(result.output.splitlines(), key=display_width))


def test_large_halves_the_width(runner) -> None:
    result = runner.invoke(cli, ["cases", "show", "mes-manufacturing", "--large", "--lang", "zh"],
                           env={"COLUMNS": "120"})
    assert widest(result.output) <= 60


def test_wrapping_breaks_between_words_and_aligns_chinese() -> None:
    lines = wrap("the quick brown fox jumps over the lazy dog", 12)
    assert lines == ["the quick", "brown fox", "jumps over", "the lazy dog"]
    chinese = "采购部经理控制着供应商的拜访日程，想见高层基本都要经过他。"
    assert all(display_width(line) <= 12 for line in wrap(chinese, 12))
    assert not any(line.startswith("，") for line in wrap("一二三四五六，七八九十", 12))
    rows = table(["名字", "x"], [["张三", "a"], ["Bob", "b"]])
    assert display_width(rows[2][:rows[2].rindex("a")]) == display_width(rows[3][:rows[3].rindex("b")])
