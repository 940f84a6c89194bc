"""``identify`` reuses the engine's findings the cache folder keeps per file (rolefinder.memo).

Whatever the cache holds — nothing, every contact, some of them, findings made with other packs,
a damaged file, or another process's findings written at the same moment — the output is byte
for byte what identifying from scratch with the cache turned off prints.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_accuracy import DEV  # the held-out part is not needed here

from rolefinder import cache
from rolefinder.account import load_account, save_account
from rolefinder.cli import cli
from rolefinder.identification import identify, identify_cached
from rolefinder.interviewing import record_answer
from rolefinder.knowledge import load_knowledge

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import make_account

EXTRA_PACK = """\
pack: mine
title: {zh: 我的, en: Mine}
rules:
  - id: mine.managers
    reason: {zh: 带团队的人会被征求意见, en: People with a team are asked for their view}
    when: {has_reports: true}
    then: {role: influencer, cf: %s}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("ROLEFINDER_CACHE_DIR", str(where))
    monkeypatch.delenv("ROLEFINDER_NO_CACHE", raising=False)
    return where


def _copy(source: Path, target: Path) -> Path:
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def _memo_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("contacts-*.bin")) if folder.is_dir() else []


def _run(runner, monkeypatch, path: Path, *extra: str, cached: bool = True, fmt: str = "json") -> bytes:
    if cached:
        monkeypatch.delenv("ROLEFINDER_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("ROLEFINDER_NO_CACHE", "1")
    done = runner.invoke(cli, ["identify", str(path), "--format", fmt, *extra])
    assert done.exit_code == 0, done.output
    return done.stdout_bytes


@pytest.mark.parametrize("source", DEV[:2] + DEV[-1:], ids=lambda p: p.stem)
def test_output_is_the_same_on_a_miss_a_hit_and_with_the_cache_off(source: Path, folder: Path, tmp_path: Path,
                                                                    runner, monkeypatch) -> None:
    path = _copy(source, tmp_path / "account.yaml")
    plain = _run(runner, monkeypatch, path, cached=False)
    assert _memo_files(folder) == []
    assert _run(runner, monkeypatch, path) == plain  # nothing kept yet: every contact judged
    assert len(_memo_files(folder)) == 1
    assert _run(runner, monkeypatch, path) == plain  # every contact's findings reused
    assert _run(runner, monkeypatch, path, fmt="jsonl") == _run(runner, monkeypatch, path, cached=False, fmt="jsonl")


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_explain_prints_the_same_with_and_without_kept_findings(fmt: str, folder: Path, tmp_path: Path, runner,
                                                                 monkeypatch) -> None:
    path = _copy(DEV[3], tmp_path / "account.yaml")
    contact = load_account(path).contacts[-1].id
    outputs = []
    for cached in (False, True, True):  # off, then a miss, then a hit
        if cached:
            monkeypatch.delenv("ROLEFINDER_NO_CACHE", raising=False)
        else:
            monkeypatch.setenv("ROLEFINDER_NO_CACHE", "1")
        done = runner.invoke(cli, ["explain", str(path), contact, "--format", fmt, "--lang", "en"])
        assert done.exit_code == 0, done.output
        outputs.append(done.stdout_bytes)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(_memo_files(folder)) == 1


def test_a_second_run_on_an_unchanged_file_builds_no_engine(folder: Path, tmp_path: Path) -> None:
    path = _copy(DEV[2], tmp_path / "account.yaml")
    account = load_account(path)
    first = identify_cached(account, str(path))
    assert first.memo.ran == len(account.contacts)
    account.knowledge = dataclasses.replace(account.knowledge, _engine=None)  # as in a new process
    again = identify_cached(account, str(path))
    assert again.memo.ran == 0 and again.memo.reused == len(account.contacts)
    assert account.knowledge.engine()._network is None  # the Rete network was never needed
    assert again.to_dict() == first.to_dict()


def test_after_edits_only_what_changed_is_judged_again(folder: Path, tmp_path: Path, runner, monkeypatch) -> None:
    """An answer of a leaf re-runs that contact; one that moves a manager's status re-runs
    those below too; a new title counts as a change."""
    path = tmp_path / "account.yaml"
    account = make_account(30, seed=11, answered=0.4)
    account.knowledge = load_knowledge(account.industry)
    save_account(account, path)
    identify_cached(load_account(path), str(path))
    head = next(c for c in account.contacts if c.reports_to is None)
    leaf = next(c for c in reversed(account.contacts) if not any(o.reports_to == c.id for o in account.contacts))
    edits = [(leaf.id, "runs_procurement", "yes"), (head.id, "final_say", "no"), (head.id, "final_say", "yes")]
    for contact, question, answer in edits:
        record_answer(account, contact, question, answer)
        save_account(account, path)
        result = identify_cached(load_account(path), str(path))
        assert result.memo.ran >= 1  # the head's status may move everyone's below: all run again
        if contact == leaf.id:
            assert (result.memo.ran, result.memo.reused) == (1, len(account.contacts) - 1)
        assert _run(runner, monkeypatch, path) == _run(runner, monkeypatch, path, cached=False)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"title: {leaf.title}", "title: Chief Executive Officer", 1), encoding="utf-8")
    result = identify_cached(load_account(path), str(path))
    assert result.memo.ran >= 1
    assert _run(runner, monkeypatch, path) == _run(runner, monkeypatch, path, cached=False)


def test_findings_made_with_other_packs_are_not_reused(folder: Path, tmp_path: Path, runner, monkeypatch) -> None:
    path = _copy(DEV[1], tmp_path / "account.yaml")
    packs = []
    for name, cf in (("a", "0.3"), ("b", "0.6")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "mine.yaml").write_text(EXTRA_PACK % cf, encoding="utf-8")
        packs.append(["--rules", str(tmp_path / name)])
    expected = [_run(runner, monkeypatch, path, *rules, cached=False) for rules in packs]
    assert expected[0] != expected[1]
    for _ in range(2):  # each run finds the other packs' findings in the file's slot
        for rules, output in zip(packs, expected, strict=True):
            assert _run(runner, monkeypatch, path, *rules) == output
    assert len(_memo_files(folder)) == 1  # one slot per file, last writer wins


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "flip"])
def test_a_damaged_findings_file_is_a_miss_and_is_replaced(damage: str, folder: Path, tmp_path: Path,
                                                         runner, monkeypatch) -> None:
    path = _copy(DEV[4], tmp_path / "account.yaml")
    plain = _run(runner, monkeypatch, path, cached=False)
    _run(runner, monkeypatch, path)
    (written,) = _memo_files(folder)
    data = written.read_bytes()
    broken = {"truncate": data[: len(data) // 2], "garbage": os.urandom(len(data)), "empty": b"",
              "flip": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]}[damage]
    written.write_bytes(broken)
    assert _run(runner, monkeypatch, path) == plain
    assert written.read_bytes() != broken  # written again, whole
    assert identify_cached(load_account(path), str(path)).memo.ran == 0


def test_a_reader_sees_a_whole_file_or_none_while_another_writes(folder: Path) -> None:
    """Writes are atomic (a temporary file renamed over the slot): a reader gets one of the
    payloads that were written, whole, or a miss; never a mix."""
    payloads = {stamp: stamp * 4096 for stamp in (b"a" * cache.DIGEST, b"b" * cache.DIGEST)}
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            for stamp, payload in payloads.items():
                assert cache.store("contacts", "race", stamp, payload)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        seen = set()
        for _ in range(200):
            for stamp, payload in payloads.items():
                got = cache.load("contacts", "race", stamp)
                assert got in (None, payload)
                seen.add(got is not None)
    finally:
        stop.set()
        writer.join()
    assert True in seen


def _identify_repeatedly(path: str, rules: list[str], rounds: int, queue) -> None:
    """In a child process: identify ``path`` again and again, reporting each JSON document."""
    try:
        for _ in range(rounds):
            result = identify_cached(load_account(path, rules=rules), path)
            queue.put((tuple(rules), result.to_dict()))
    except BaseException as exc:  # reported, so that the parent fails with the reason
        queue.put((tuple(rules), repr(exc)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks two processes")
def test_two_processes_writing_the_same_slot_never_change_a_result(folder: Path, tmp_path: Path) -> None:
    """Two processes with different packs identify the same file at the same time: each
    overwrites the other's findings in the file's one slot, and neither result changes."""
    path = str(_copy(DEV[5], tmp_path / "account.yaml"))
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "mine.yaml").write_text(EXTRA_PACK % "0.5", encoding="utf-8")
    variants = [[], [str(tmp_path / "extra")]]
    os.environ["ROLEFINDER_NO_CACHE"] = "1"
    try:
        expected = {tuple(rules): identify(load_account(path, rules=rules)).to_dict() for rules in variants}
    finally:
        del os.environ["ROLEFINDER_NO_CACHE"]
    assert len({repr(v) for v in expected.values()}) == 2
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    rounds = 12
    workers = [context.Process(target=_identify_repeatedly, args=(path, rules, rounds, queue)) for rules in variants]
    for worker in workers:
        worker.start()
    reports = [queue.get(timeout=120) for _ in range(rounds * len(variants))]
    for worker in workers:
        worker.join(timeout=60)
    for rules, got in reports:
        assert got == expected[rules]
    assert len(_memo_files(folder)) == 1


PROBE = """
import sys
from rolefinder.cli import cli
try:
    cli(["identify", sys.argv[1], "--format", "json"], prog_name="rolefinder")
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.split(".")[0] == "experta" or m == "rolefinder.rete"), file=sys.stderr)
"""


def test_an_unchanged_file_is_identified_without_importing_experta(folder: Path, tmp_path: Path) -> None:
    path = _copy(DEV[0], tmp_path / "account.yaml")
    env = {**os.environ, "ROLEFINDER_CACHE_DIR": str(folder)}
    runs = [subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, env=env,
                           check=True) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert "experta" in runs[0].stderr.splitlines()[-1]  # the first run matched every contact
    assert runs[1].stderr.splitlines()[-1] == "[]"
