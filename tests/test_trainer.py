"""``identify --trace``: the trace printer names real rules and ends on identify's certainties."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rolefinder.casebook import load_case
from rolefinder.cli import cli
from rolefinder.identification import identify
from rolefinder.inert import terminal_text
from rolefinder.trace import TracePrinter, supports_color


def traced(name: str = "mes-manufacturing", only: str | None = None, **kwargs):
    account = load_case(name)
    lines: list[str] = []
    printer = TracePrinter(account, echo=lines.append, **kwargs)
    result = identify(account, listener=printer)
    printer.play(result, only)
    return result, printer, lines


def test_trace_names_real_rule_ids() -> None:
    result, _, lines = traced(lang="en")
    rule_ids = {spec.id for spec in result.knowledge.rules}
    heads = [line for line in lines if line.startswith("#")]
    assert heads
    named = {line.split()[1] for line in heads}
    assert named <= rule_ids
    assert "core.answer.final_say.yes" in named


def test_trace_shows_matched_facts_reasons_and_the_certainty_moving() -> None:
    _, _, lines = traced(lang="en")
    text = "\n".join(lines)
    assert "#1 " in text
    assert "matched: final_say = yes" in text
    assert "── 王建国 [coo] · 首席运营官 · 运营中心 ──" in text
    # the chart's evidence first, then the answers (rolefinder.certainty: the chart's bound)
    assert "core.scope.operations_chief → Decision maker +0.38: 0.00 → 0.38 possible" in text
    assert "core.answer.final_say.yes → Decision maker +0.90: 0.43 → 0.94 confirmed" in text
    assert "reason: Having the final say is what makes a decision maker" in text
    assert "→ seniority = executive-team member (0.85)" in text
    assert "⇒ Decision maker 0.97 confirmed" in text


def test_trace_in_chinese() -> None:
    _, _, lines = traced(lang="zh")
    text = "\n".join(lines)
    assert "匹配" in text and "理由" in text and "决策者" in text
    assert "职级 = 高管团队成员" in text and "seniority" not in text


def test_running_certainty_ends_where_identify_ends() -> None:
    result, printer, lines = traced()
    for contact in result.contacts:
        for belief in contact.beliefs.values():
            totals = list(printer.rule_cf[(contact.contact.id, belief.role)].values())
            assert totals[-1] == pytest.approx(belief.cf)
    # the last running total printed for a role is the certainty identify reports
    start = lines.index("── 王建国 [coo] · 首席运营官 · 运营中心 ──")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("── "))
    coo = [line for line in lines[start:end] if "→ Decision maker" in line]
    assert coo[-1].endswith("→ 0.97 confirmed")


def test_grouped_by_contact_in_org_chart_order() -> None:
    result, _, lines = traced(lang="en")
    banners = [line for line in lines if line.startswith("── ")]
    ids = [line.split("[")[1].split("]")[0] for line in banners]
    from rolefinder.casebook import org_chart

    assert ids == [c.id for _, c in org_chart(result.account.contacts)]  # each contact once


def test_one_contact_only() -> None:
    _, _, lines = traced(lang="en", only="pm")
    banners = [line for line in lines if line.startswith("── ")]
    assert len(banners) == 1 and "[pm]" in banners[0]


def test_step_next_back_and_quit() -> None:
    answers = iter(["\n", "b\n", "\n", "q\n"])
    _, _, lines = traced(step=True, wait=lambda: next(answers))
    heads = [line for line in lines if line.startswith("#")]
    assert [h.split()[0] for h in heads] == ["#1", "#2", "#1", "#2"]  # back shows #1 again
    prompts = [line for line in lines if "[Enter]" in line]
    assert prompts[0].strip().startswith("(1/") and len(prompts) == 4


def test_step_jumps_to_the_next_contact_and_c_runs_to_the_end() -> None:
    answers = iter(["j\n", "c\n"])
    result, _, lines = traced(step=True, wait=lambda: next(answers))
    banners = [line for line in lines if line.startswith("── ")]
    assert len(banners) == len(result.contacts)  # j moved on, c showed the rest
    assert sum("[Enter]" in line for line in lines) == 2


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
    assert not any(line.strip().startswith("#") and "⋯" in line for line in lines)


def test_lookahead_shown_on_request(write_account) -> None:
    from rolefinder.account import load_account

    path = write_account("""\
        account: {name: Acme}
        contacts:
          - {id: gm, name: Zhang, title: General Manager, answers: {opinion_sought: no}}
        """)
    account = load_account(path)
    lines: list[str] = []
    printer = TracePrinter(account, echo=lines.append, lookahead=True)
    printer.play(identify(account, listener=printer))
    assert any("→ ⋯ if " in line for line in lines)


def test_printer_without_an_account_still_reads() -> None:
    account = load_case("bank-software")
    lines: list[str] = []
    TracePrinter(echo=lines.append).play(identify(account))
    assert any("core.answer." in line for line in lines)


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
    assert "core.answer.final_say.yes → Decision maker +0.90" in out


def test_identify_step_waits_for_enter(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--step", "--lang", "zh"], input="\n\nc\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("[回车] 下一步") == 3  # two Enters, then c ran to the end


def test_identify_trace_keeps_json_clean(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--trace", "--format", "json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["contacts"]) == 9
    assert "core.answer.final_say.yes" in result.stderr


def test_step_without_input_runs_to_the_end(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--step", "--lang", "en"], input="")
    assert result.exit_code == 0
    assert result.output.count("[Enter] next") == 1  # the end of input counts as 'c'


def test_unknown_contact_is_one_line(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["identify", _exported(tmp_path), "--contact", "nobody", "--lang", "en"])
    assert result.exit_code == 2 and "nobody" in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- fresh processes


def _rolefinder(*args: str, seed: int = 0, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "LANG": "en_US.UTF-8", "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "rolefinder", *args], env=env, capture_output=True,
                          timeout=60, check=False, **kwargs)


def test_trace_is_byte_identical_in_fresh_processes(tmp_path) -> None:
    """Different hash seeds change set and agenda order inside the engine, never the trace."""
    path = _exported(tmp_path)
    runs = [_rolefinder("identify", path, "--trace", "--lang", "en", seed=seed) for seed in (1, 2, 3, 4, 5)]
    assert all(run.returncode == 0 for run in runs)
    assert len({run.stdout for run in runs}) == 1
    assert runs[0].stdout.count(b"\n#") > 100


def test_a_closed_pipe_ends_quietly(tmp_path) -> None:
    """`rolefinder identify FILE --trace | head -1`: the pipeline exits 0, no error line.

    rolefinder itself exits 0: the reader has what it asked for (see the README)."""
    lines = ["account: {name: Big}", "contacts:"]
    lines += [f"  - {{id: c{i}, name: P{i}, title: Engineer, answers: {{uses_daily: yes}}}}" for i in range(300)]
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "LANG": "en_US.UTF-8"}
    proc = subprocess.Popen([sys.executable, "-m", "rolefinder", "identify", str(path), "--trace"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert first.startswith(b"\xe2\x94\x80\xe2\x94\x80 ")  # "── " banner
    assert err == b""
    shell = subprocess.run(["bash", "-c", f'"{sys.executable}" -m rolefinder identify "{path}" --trace | head -1'],
                           capture_output=True, env=env, timeout=60, check=False)
    assert shell.returncode == 0 and shell.stderr == b"" and shell.stdout.count(b"\n") == 1
