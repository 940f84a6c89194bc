"""Every reproducer of a traceback, a stall or a vague message is a one-line error with exit 2,
naming file:line (or the option), quoting at most ~80 characters and the real type.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rolefinder.cli import cli
from rolefinder.patterns import MAX_TEXT, UnsafePattern, check

HEAD = "account: {name: x}\ncontacts:\n"


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, [*args, "--lang", "en"], input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("value", "expected"), [
    ('!!int ""', "a.yaml:3: not valid YAML: '' cannot be read as a whole number"),
    ('!!float ""', "a.yaml:3: not valid YAML: '' cannot be read as a number"),
    ("!!bool maybe", "a.yaml:3: not valid YAML: 'maybe' cannot be read as yes/no"),
    ("!!timestamp x", "a.yaml:3: not valid YAML: 'x' cannot be read as a date"),
    ("!!seq x", "a.yaml:3: not valid YAML: a !!seq tag on a single value"),
    ("!!map x", "a.yaml:3: not valid YAML: a !!map tag on a single value"),
    ("2024-01-01", "a.yaml:3: contacts[0].name: expected text, got date"),
    ("2024-01-01 10:00:00", "a.yaml:3: contacts[0].name: expected text, got date and time"),
    ("!!set {a: 1}", "a.yaml:3: contacts[0].name: expected text, got set"),
    ("!!binary aGVsbG8=", "a.yaml:3: contacts[0].name: expected text, got binary data"),
])
def test_explicit_tags_and_real_type_names(tmp_path: Path, value: str, expected: str) -> None:
    result = run("identify", str(write(tmp_path, HEAD + f"  - {{id: a, name: {value}}}\n")))
    assert result.exit_code == 2
    assert result.stderr.strip().replace(str(tmp_path) + "/", "").startswith(expected)


def test_a_huge_bad_value_is_quoted_short(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "  - {id: a, name: b, influence: " + "x" * 100_000 + "}\n")
    result = run("identify", str(path))
    assert result.exit_code == 2
    assert len(result.stderr) < 400 and "…" in result.stderr


@pytest.mark.parametrize(("key", "expected"), [
    ("{a: 1}", "case.key.a: expected list of roles, got mapping"),
    ("[{a: 1}]", "case.key.a: expected role id, got mapping"),
    ("[[user]]", "case.key.a: expected role id, got list"),
])
def test_case_keys_of_the_wrong_shape(tmp_path: Path, key: str, expected: str) -> None:
    path = write(tmp_path, f"case:\n  id: c\n  key:\n    a: {key}\n" + HEAD + "  - {id: a, name: b}\n")
    for args in (["identify", str(path)], ["rules", "test", "--cases", str(path)]):
        result = run(*args)
        assert result.exit_code == 2 and expected in result.stderr


@pytest.mark.parametrize(("field", "value"), [("id", "[1, 2]"), ("title", "5"), ("scenario", "[a]")])
def test_case_fields_of_the_wrong_type(tmp_path: Path, field: str, value: str) -> None:
    path = write(tmp_path, f"case:\n  {field}: {value}\n" + HEAD + "  - {id: a, name: b}\n")
    for args in (["identify", str(path)], ["rules", "test", "--cases", str(path)]):
        result = run(*args)
        assert result.exit_code == 2 and f"a.yaml:2: case.{field}: expected text" in result.stderr


PACK = "pack: mine\ntitle: {zh: 我的, en: Mine}\n"
RULE = "rules:\n  - id: my.a\n    reason: {zh: 因, en: why}\n"
SHAPES = {
    "then-role-list": (RULE + "    when: {answers: {final_say: yes}}\n    then: {role: [buyer], cf: 0.4}\n",
                       "then.role: expected role id, got list"),
    "then-role-map": (RULE + "    when: {answers: {final_say: yes}}\n    then: {role: {a: 1}, cf: 0.4}\n",
                      "then.role: expected role id, got mapping"),
    "manager-role-list": (RULE + "    when: {manager: {role: [buyer]}}\n    then: {role: buyer, cf: 0.4}\n",
                          "when.manager.role: expected role id, got list"),
    "expect-maps": ("tests:\n  - id: t1\n    contact: {title: x}\n    expect: [{a: 1}]\n",
                    "tests[0].expect: expected role id, got mapping"),
    "includes-nested": ("tests:\n  - id: t1\n    contact: {title: x}\n    includes: [[buyer]]\n",
                        "tests[0].includes: expected role id, got list"),
    "class-list": ("classification:\n  rules:\n    - id: c1\n      class: [key]\n"
                   "      reason: {zh: 因, en: why}\n      when: {revenue: {min: 1}}\n",
                   "class: expected class id, got list"),
    "then-empty": (RULE + "    when: {answers: {final_say: yes}}\n    then: []\n",
                   "then: a rule needs at least one conclusion"),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_pack_shapes_are_one_line_errors(tmp_path: Path, shape: str) -> None:
    body, expected = SHAPES[shape]
    write(tmp_path, PACK + body, "p.yaml")
    for args in (["rules", "check", str(tmp_path)], ["rules", "test", str(tmp_path)]):
        result = run(*args)
        assert result.exit_code == 2
        assert re.search(r"p\.yaml:\d+: ", result.stderr) and expected in result.stderr, result.stderr


PATHOLOGICAL = [r"^(a|a)*$", r"^((a+))+$", r"^(a|aa)+$", r"(a?a?)*$", r"(\w+)+x", r"(x+x+)+y",
                r"^(?:a|b|ab)*c$", r"(.*a){12}", r"(\w+)\1"]


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_pathological_patterns_are_refused_in_time(tmp_path: Path, pattern: str) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    write(packs, PACK + RULE + f"    when: {{title: {{regex: '{pattern}'}}}}\n    then: {{role: user, cf: 0.4}}\n",
          "p.yaml")
    account = write(tmp_path, HEAD + f"  - {{id: a, name: b, title: {'a' * 28}!}}\n")
    started = time.perf_counter()
    for args in (["rules", "check", str(packs)], ["rules", "test", str(packs)],
                 ["identify", str(account), "--rules", str(packs)]):
        result = run(*args)
        assert result.exit_code == 2 and "p.yaml:" in result.stderr
    assert time.perf_counter() - started < 6  # three commands, each well under 2 s


def test_the_shipped_patterns_pass_the_guard() -> None:
    from rolefinder.knowledge import load_knowledge

    load_knowledge(all_industries=True)  # raises if any shipped pattern were refused


def test_the_guard_bounds_what_it_lets_through() -> None:
    with pytest.raises(UnsafePattern):
        check("a*b*c*")  # three repetitions
    check(r"\s*(?:and|&)\s+")  # alternation outside a repetition is fine
    check(r"(?:ab)+c")  # a fixed-length repeated group is fine
    slow = re.compile(r"\s*\s*x")
    started = time.perf_counter()
    slow.search(" " * MAX_TEXT)  # the worst allowed shape on the longest text looked at
    assert time.perf_counter() - started < 1


def _merge_bomb(levels: int = 40) -> str:
    lines = ["account: {name: x}", "contacts: []", "m1: &p1 {x: 1}"]
    lines += [f"m{i}: &p{i} {{<<: [*p{i - 1}, *p{i - 1}]}}" for i in range(2, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text", [_merge_bomb(), "z: !!set {a: 1}\n" + _merge_bomb(), "a: &a [*a]\n"],
                         ids=["merge-bomb", "merge-bomb-with-tag", "recursive"])
def test_bombs_end_fast_with_exit_2(tmp_path: Path, text: str) -> None:
    started = time.perf_counter()
    result = run("identify", str(write(tmp_path, text)))
    assert result.exit_code == 2 and "not valid YAML" in result.stderr
    assert time.perf_counter() - started < 2


def test_fifo_and_devices_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    outcome = {}

    def go() -> None:
        outcome["fifo"] = run("identify", str(fifo))
        outcome["zero"] = run("identify", "/dev/zero")

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading a FIFO or /dev/zero blocked"
    assert outcome["fifo"].exit_code == 2 and "named pipe (FIFO)" in outcome["fifo"].stderr
    assert outcome["zero"].exit_code == 2 and "not a regular file: it is a device" in outcome["zero"].stderr


def test_too_big_a_file_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    import rolefinder.yamlsource as source

    monkeypatch.setattr(source, "MAX_FILE_BYTES", 100)
    result = run("identify", str(write(tmp_path, HEAD + "  - {id: a, name: " + "b" * 200 + "}\n")))
    assert result.exit_code == 2 and "more than the limit" in result.stderr


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le", "utf-16"])
def test_utf16_is_named_as_such(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes((HEAD + "  - {id: a, name: 张三}\n").encode(encoding))
    result = run("identify", str(path))
    assert result.exit_code == 2 and "UTF-16, not UTF-8" in result.stderr


def test_a_far_start_date_is_an_option_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "  - {id: a, name: b}\n")
    result = run("plan", str(path), "-o", str(tmp_path / "p.txt"), "--start", "9999-10-15")
    assert result.exit_code == 2 and "--start" in result.stderr
    assert not (tmp_path / "p.txt").exists()


def test_a_full_disk_names_the_file(tmp_path: Path, monkeypatch) -> None:
    import errno

    from rolefinder.account import atomic_write

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        atomic_write(tmp_path / "out.txt", "x")
    assert caught.value.filename == str(tmp_path / "out.txt")
