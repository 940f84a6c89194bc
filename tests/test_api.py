"""The documented library API: the README's example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

import rolefinder as rf
from rolefinder.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using it as a library"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "acme.yaml"
    assert CliRunner().invoke(cli, ["cases", "export", "mes-manufacturing", "-o", str(path)]).exit_code == 0
    path.write_text("# my notes\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), "README.md", "exec"), {})
    assert "王建国" in capsys.readouterr().out
    saved = path.read_text(encoding="utf-8")
    assert saved.startswith("# my notes\n")  # save_account kept the comment
    assert rf.load_account(path).contact("coo").answers["approves_budget"] == "yes"


def test_api_names_stay_functions_after_use(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    CliRunner().invoke(cli, ["cases", "export", "mes-manufacturing", "-o", str(path)])
    account = rf.load_account(path)
    first = rf.identify(account)
    again = rf.identify(account)  # the name is still the function, not the module
    assert first.to_dict() == again.to_dict()
    assert callable(rf.reidentify) and callable(rf.record_answer)
