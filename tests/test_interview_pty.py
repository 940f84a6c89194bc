"""The interview in a real pseudo-terminal: Ctrl-C mid-interview loses no answer.

Runs the installed ``rolefinder`` entry point (or ``python -m rolefinder``) under pexpect,
answers two questions, interrupts at the third, and checks the file on disk.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from rolefinder.account import load_account
from rolefinder.interviewing import Interview

pexpect = pytest.importorskip("pexpect")

ACCOUNT = """\
# kept through the interview
account:
  name: Pty Test Ltd
  industry: manufacturing
contacts:
  - id: gm
    name: Zhang Wei
    title: General manager
    notes: keep me
  - id: buyer
    name: Li Na
    title: Purchasing manager
    reports_to: gm
"""
PROMPT = r"help\)\r?\n> "


def command() -> list[str]:
    found = shutil.which("rolefinder")
    return [found] if found else [sys.executable, "-m", "rolefinder"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_ctrl_c_mid_interview_keeps_every_answer(tmp_path: Path) -> None:
    path = tmp_path / "pty.yaml"
    path.write_text(ACCOUNT, encoding="utf-8")
    session = Interview(load_account(path))
    session.select("gm")
    expected = {}
    for answer in ("no", "no"):
        expected[session.question().id] = answer
        session.answer(answer)
    assert session.question() is not None, "the test needs a third question to interrupt"

    program, *args = command()
    child = pexpect.spawn(program, [*args, "interview", str(path), "--contact", "gm", "--lang", "en"],
                          encoding="utf-8", timeout=30, dimensions=(40, 160))
    try:
        for key in ("n", "n"):
            child.expect(PROMPT)
            child.sendline(key)
        child.expect(PROMPT)  # the third question is on screen, waiting
        child.sendintr()
        child.expect("Every answer given is saved")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    account = load_account(path)  # valid YAML, valid account
    assert account.contact("gm").answers == expected
    text = path.read_text(encoding="utf-8")
    assert "# kept through the interview" in text and "notes: keep me" in text
    assert not list(tmp_path.glob(".pty.yaml.*.tmp"))  # no temporary file left behind (the .lock stays)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_closed_terminal_keeps_the_answer_just_given(tmp_path: Path) -> None:
    """SIGHUP (the terminal window closed) right after an answer: the answer is on disk."""
    import signal

    path = tmp_path / "pty.yaml"
    path.write_text(ACCOUNT, encoding="utf-8")
    session = Interview(load_account(path))
    session.select("gm")
    first = session.question().id

    program, *args = command()
    child = pexpect.spawn(program, [*args, "interview", str(path), "--contact", "gm", "--lang", "en"],
                          encoding="utf-8", timeout=30, dimensions=(40, 160))
    try:
        child.expect(PROMPT)
        child.sendline("n")
        child.expect(PROMPT)
        child.kill(signal.SIGHUP)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert load_account(path).contact("gm").answers.get(first) == "no"
    assert "notes: keep me" in path.read_text(encoding="utf-8")
