"""Start-up: ``rolefinder --help`` lists every command without importing any command module."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys

from rolefinder.cli import COMMANDS, SUMMARIES, cli

PROBE = """
import json, sys
from rolefinder.cli import cli
try:
    cli(["--help"], prog_name="rolefinder")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_help_imports_no_command_module_and_no_engine() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    heavy = [m for m in modules
             if m.startswith("rolefinder.commands.") or m.split(".")[0] in ("experta", "yaml", "jinja2")]
    assert heavy == []
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s", done.stdout, re.MULTILINE), name


def test_every_command_has_a_summary_in_both_languages() -> None:
    assert list(SUMMARIES) == list(COMMANDS)
    for name, summary in SUMMARIES.items():
        assert re.search(r"[A-Za-z]", summary) and re.search(r"[\u4e00-\u9fff]", summary), name


def test_summary_shown_even_when_a_command_lacks_one(runner, monkeypatch) -> None:
    monkeypatch.delitem(SUMMARIES, "demo")
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert re.search(r"^  demo\s+Run a built-in case", result.output, re.MULTILINE)


def probe() -> None:
    """A stand-in command that reports the collector's setting while a command runs."""
    import gc

    print(json.dumps({"threshold": gc.get_threshold()[0], "frozen": gc.get_freeze_count()}))


def test_a_command_runs_with_rare_collections_and_restores_them(runner, monkeypatch) -> None:
    import click

    monkeypatch.setitem(COMMANDS, "probe", f"{__name__}:probe_command")
    monkeypatch.setitem(SUMMARIES, "probe", "Probe. 探针。")
    monkeypatch.setitem(globals(), "probe_command", click.command()(probe))
    before = gc.get_threshold()
    seen = json.loads(runner.invoke(cli, ["probe"]).stdout)
    assert seen["threshold"] >= 100_000 and seen["frozen"] > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
