"""``identify --trace``: the trace printer names real rules and ends on identify's certainties."""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner

from rolefinder.casebook import load_case
from rolefinder.certainty import combine_all
from rolefinder.cli import cli
from rolefinder.identification import identify
from rolefinder.inert import terminal_text
from rolefinder.trace import TracePrinter, supports_color


def traced(name: str = "mes-manufacturing", **kwargs):
    account = load_case(name)
    lines: list[str] = []
    printer = TracePrinter(account, echo=lines.append, **kwargs)
    return identify(account, listener=printer), printer, lines


def test_trace_names_real_rule_ids() -> None:
    result, _, lines = traced(lang="en")
    rule_ids = {spec.id for spec in result.knowledge.rules}
    heads = [line for line in lines if line.startswith("#")]
    assert heads
    named = {line.split()[1] for line in heads}
    assert named <= rule_ids
    assert "core.answer.final_say.yes" in named


def test_trace_shows_matched_facts_and_the_certainty_moving() -> None:
    _, _, lines = traced(lang="en")
    text = "\n".join(lines)
    assert "#1 " in text
    assert "matched: final_say = yes" in text
    assert "王建国 [coo]" in text
    assert "→ evidence: decision_maker (Decision maker) +0.90; cf " in text
    assert "→ derived fact seniority=" in text


def test_trace_in_chinese() -> None:
    _, _, lines = traced(lang="zh")
    text = "\n".join(lines)
    assert "匹配" in text and "证据" in text and "决策者" in text


def test_running_certainty_ends_where_identify_ends() -> None:
    result, printer, _ = traced()
    for contact in result.contacts:
        for belief in contact.beliefs.values():
            mine = combine_all(printer.rule_cf[(contact.contact.id, belief.role)].values())
            assert mine == pytest.approx(belief.cf)


def test_step_waits_between_firings_and_c_runs_to_the_end() -> None:
    answers = iter(["\n", "\n", "c\n"])
    waits: list[str] = []

    def wait() -> str:
        waits.append("wait")
        return next(answers)

    _, printer, lines = traced(step=True, wait=wait)
    assert len(waits) == 3
    assert printer.count > 3
    assert sum("[Enter]" in line for line in lines) == 3


def test_no_colour_codes_unless_asked() -> None:
    _, _, plain = traced()
    _, _, coloured = traced(color=True)
    assert not any("\x1b[" in line for line in plain)
    assert not any("\x1b[" in line for line in coloured)  # marks, not codes, until printed
    assert any("\x1b[" in terminal_text(line, colour=True) for line in coloured)


def test_colour_only_on_a_terminal(monkeypatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert supports_color(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not supports_color(Tty())
    monkeypatch.delenv("NO_COLOR")
    assert not supports_color(open)  # no isatty at all


def test_lookahead_firings_hidden_by_default() -> None:
    _, _, lines = traced("pharma-new-drug")
    assert not any(line.strip().startswith("⋯") for line in lines)


def test_a_banner_whenever_the_engine_turns_to_another_contact() -> None:
    _, _, lines = traced(lang="en")
    banners = [line for line in lines if line.startswith("── ")]
    assert "── 王建国 [coo] · 首席运营官 · 运营中心 ──" in banners
    assert len(set(banners)) == 9  # contacts of one batch interleave: a banner at each switch
    assert all(a != b for a, b in itertools.pairwise(banners))


def test_lookahead_shown_on_request(write_account) -> None:
    from rolefinder.account import load_account

    path = write_account("""\
        account: {name: Acme}
        contacts:
          - {id: gm, name: Zhang, title: General Manager, answers: {opinion_sought: no}}
        """)
    account = load_account(path)
    lines: list[str] = []
    identify(account, listener=TracePrinter(account, echo=lines.append, lookahead=True))
    assert any(line.strip().startswith("⋯ if ") for line in lines)


def test_printer_without_an_account_still_reads() -> None:
    account = load_case("bank-software")
    lines: list[str] = []
    identify(account, listener=TracePrinter(echo=lines.append))
    assert any("answers." in line for line in lines)


# --------------------------------------------------------------------------- the command


def _exported(tmp_path) -> str:
    path = tmp_path / "mes.yaml"
    assert CliRunner().invoke(cli, ["cases", "export", "mes-manufacturing", "-o", str(path)]).exit_code == 0
    return str(path)


def test_identify_trace_prints_firings_then_the_table(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--trace", "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("#1 core.") < out.index("王建国 (coo)")  # the trace comes before the table
    assert "core.answer.final_say.yes · 王建国 [coo]" in out


def test_identify_step_waits_for_enter(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--step", "--lang", "zh"], input="\n\nc\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("[回车] 下一次触发") == 3  # two Enters, then c ran to the end


def test_identify_trace_keeps_json_clean(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--trace", "--format", "json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["contacts"]) == 9
    assert "core.answer.final_say.yes" in result.stderr


def test_step_without_input_runs_to_the_end(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--step", "--lang", "en"], input="")
    assert result.exit_code == 0
    assert result.output.count("[Enter] next firing") == 1  # the end of input counts as 'c'
