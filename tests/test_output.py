"""Streamed ``identify`` output: the same JSON content as the library's result, file by file."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_accuracy import FILES  # every evaluation file and built-in case the accuracy tests use
from test_engine_lean import plain_run

from rolefinder.account import load_account
from rolefinder.cli import cli
from rolefinder.identification import identify
from rolefinder.output import write_json, write_jsonl


def _expected(result) -> dict:
    return json.loads(json.dumps(result.to_dict(), ensure_ascii=False))


def _from_lines(text: str) -> dict:
    *contacts, record = (json.loads(line) for line in text.splitlines())
    assert list(record) == ["account", "packs", "thresholds", "gaps"]
    assert all("account" not in c for c in contacts)
    return {**record, "contacts": contacts}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_streamed_json_equals_the_library_result(runner, path: Path, monkeypatch) -> None:
    account = load_account(path)
    result = identify(account)
    expected = _expected(result)
    # the engine's shortcuts change nothing, contact by contact (see test_engine_lean.py)
    plain = _expected(plain_run(account, monkeypatch))
    for mine, theirs in zip(expected["contacts"], plain["contacts"], strict=True):
        assert mine == theirs
    assert plain == expected
    done = runner.invoke(cli, ["identify", str(path), "--format", "json"])
    assert done.exit_code == 0, repr(done.exception)
    assert done.stdout.count("\n") == 1, "not a terminal: one compact line"
    assert json.loads(done.stdout) == expected
    lines = io.StringIO()
    write_jsonl(result, lines)
    assert _from_lines(lines.getvalue()) == expected


def test_json_lines_from_the_command_line(runner) -> None:
    done = runner.invoke(cli, ["identify", str(FILES[-1]), "--format", "jsonl"])
    assert done.exit_code == 0, repr(done.exception)
    assert _from_lines(done.stdout) == _expected(identify(load_account(FILES[-1])))


def test_indented_json_is_byte_for_byte_json_dumps(runner) -> None:
    result = identify(load_account(FILES[0]))
    for indent in (2, 4):
        stream = io.StringIO()
        write_json(result, stream, indent=indent)
        assert stream.getvalue() == json.dumps(result.to_dict(), ensure_ascii=False, indent=indent) + "\n"
    done = runner.invoke(cli, ["identify", str(FILES[0]), "--format", "json", "--indent", "2"])
    assert done.stdout == json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def test_an_account_without_contacts(write_account) -> None:
    result = identify(load_account(write_account("account: {name: Empty}\n")))
    for indent in (None, 2):
        stream = io.StringIO()
        write_json(result, stream, indent=indent)
        assert json.loads(stream.getvalue()) == _expected(result)
    stream = io.StringIO()
    write_jsonl(result, stream)
    assert [json.loads(line)["account"]["name"] for line in stream.getvalue().splitlines()] == ["Empty"]


def test_a_reader_that_leaves_early_gets_no_traceback() -> None:
    """``rolefinder identify FILE --format jsonl | head -1``: exit 0, nothing on stderr."""
    child = subprocess.Popen([sys.executable, "-m", "rolefinder", "identify", str(FILES[0]),
                              "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # before the first line is written
    err = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=60) == 0
    assert err == ""
