"""Text a user wrote never acts on the reader's terminal: every output of every command that
prints account text is free of control and bidi characters, and JSON keeps the exact value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from rolefinder.cli import cli
from rolefinder.inert import UNSAFE, inert, is_inert, style, terminal_text

HOSTILE = {
    "clear": "\x1b[2J",
    "osc52": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "osc0": "\x1b]0;pwned\x07",
    "c1_csi": "\x9b31m",
    "bel": "\x07",
    "cr": "ok\roverwritten",
    "bidi": "\u202egnp.exe\u202c",
    "isolate": "\u2066x\u2069",
    "del": "a\x7fb",
}
NAME = "王" + "".join(HOSTILE.values())


def account_text() -> str:
    data = {
        "account": {"name": "Evil" + HOSTILE["osc0"], "industry": "manufacturing",
                    "offering": "MES" + HOSTILE["bidi"]},
        "contacts": [
            {"id": "gm", "name": NAME, "title": "总经理" + HOSTILE["clear"],
             "department": "办公室" + HOSTILE["c1_csi"], "notes": "note" + HOSTILE["osc52"],
             "answers": {"final_say": "unsure"}},
            {"id": "pm", "name": "李" + HOSTILE["cr"], "title": "采购经理" + HOSTILE["bel"],
             "reports_to": "gm"},
        ],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    target = tmp_path / "evil.yaml"
    target.write_text(account_text(), encoding="utf-8")
    return target


def assert_inert(text: str, where: str) -> None:
    bad = sorted({f"U+{ord(ch):04X}" for ch in text if ord(ch) in UNSAFE})
    assert not bad, f"{where}: {bad}"


def test_inert_shows_every_control_visibly() -> None:
    for value in HOSTILE.values():
        shown = inert(value)
        assert is_inert(shown) and shown != value
    assert inert("行一\n\t行二") == "行一\n\t行二"  # newlines and tabs are text


def test_a_name_cannot_forge_our_colours() -> None:
    forged = "\x1b[1mloud" + style("real", bold=True)
    out = terminal_text(forged, colour=True)
    assert out.count("\x1b[") == 2 and out.startswith("\\u001b[1mloud")
    assert "\x1b" not in terminal_text(forged, colour=False)


COMMANDS = [
    ["identify", "{f}"],
    ["identify", "{f}", "--trace"],
    ["identify", "{f}", "--format", "yaml"],
    ["explain", "{f}", "gm"],
    ["visit", "{f}", "gm"],
    ["visit", "{f}", "gm", "--format", "md"],
    ["interview", "{f}", "--no-input"],
    ["interview", "{f}", "--contact", "gm", "--no-input"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a[:1] + a[2:]))
def test_no_control_character_reaches_the_terminal(path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, [a.format(f=path) for a in args] + ["--lang", "en"])
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, "stdout")
    assert_inert(result.stderr, "stderr")


def test_the_interview_dialogue_is_inert(path: Path) -> None:
    result = CliRunner().invoke(cli, ["interview", str(path), "--lang", "en"], input="1\nwhy\ny\nquit\n")
    assert result.exit_code == 0, result.output
    assert NAME not in result.output
    assert_inert(result.output, "interview")


def test_yaml_output_stays_exact(path: Path) -> None:
    result = CliRunner().invoke(cli, ["identify", str(path), "--format", "yaml"])
    assert yaml.safe_load(result.stdout)["contacts"][0]["name"] == NAME


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_output_is_inert_and_exact(path: Path, fmt: str) -> None:
    result = CliRunner().invoke(cli, ["identify", str(path), "--format", fmt])
    assert result.exit_code == 0
    assert_inert(result.stdout, fmt)
    first = json.loads(result.stdout.splitlines()[0]) if fmt == "jsonl" else json.loads(result.stdout)
    contact = first if fmt == "jsonl" else first["contacts"][0]
    assert contact["name"] == NAME


@pytest.mark.parametrize("suffix", ["txt", "md", "html"])
def test_plans_written_to_files_are_inert(path: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"plan.{suffix}"
    result = CliRunner().invoke(cli, ["plan", str(path), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert_inert(out.read_text(encoding="utf-8"), suffix)


def test_error_messages_are_inert(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"account: {{name: x}}\ncontacts:\n  - {{id: a, name: b, influence: {json.dumps(NAME)}}}\n",
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["identify", str(bad)])
    assert result.exit_code == 2
    assert_inert(result.stderr, "stderr")


def test_no_color_is_honoured(monkeypatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    from rolefinder.inert import colour_allowed

    assert colour_allowed(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_allowed(Tty())
