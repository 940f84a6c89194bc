"""A large account judged in two processes (rolefinder.split) concludes exactly what one
process concludes, and falls back to one process when the forked half fails."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rolefinder import split
from rolefinder.identification import _depths, identify
from rolefinder.knowledge import load_knowledge

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import make_account

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(scope="module")
def account():
    account = make_account(400, seed=11, answered=0.5)
    account.knowledge = load_knowledge(account.industry)
    return account


def test_halves_are_whole_subtrees_of_about_the_same_size(account) -> None:
    depth = _depths(account.contacts)
    level = split.split_level(depth)
    assert level is not None and level > 0
    parent = {c.id: c.reports_to for c in account.contacts}
    mine, theirs = split.halves([c.id for c in account.contacts], depth, parent, level)
    sides = [{cid for ids in half.values() for cid in ids} for half in (mine, theirs)]
    below = {cid for cid, d in depth.items() if d >= level}
    assert sides[0] | sides[1] == below and not sides[0] & sides[1]
    for cid in below:  # everyone is on their manager's side
        if depth[cid] > level:
            assert (cid in sides[0]) == (parent[cid] in sides[0])
    heads = [cid for cid in below if depth[cid] == level]
    largest = max(sum(1 for c in below if _head(c, depth, parent, level) == h) for h in heads)
    assert abs(len(sides[0]) - len(sides[1])) <= largest


def _head(cid: str, depth: dict, parent: dict, level: int) -> str:
    while depth[cid] > level:
        cid = parent[cid]
    return cid


_IN_A_FRESH_PROCESS = """
import os, sys
sys.path.insert(0, {bench!r})
from generate import make_account
from rolefinder import split
from rolefinder.identification import identify
from rolefinder.knowledge import load_knowledge

account = make_account(400, seed=11, answered=0.5)
account.knowledge = load_knowledge(account.industry)
os.environ["ROLEFINDER_WORKERS"] = "1"
expected = identify(account).to_dict()
os.environ["ROLEFINDER_WORKERS"] = "2"
forks = []
real_fork = os.fork
split.os.fork = lambda: forks.append(1) or real_fork()
assert identify(account).to_dict() == expected, "two processes differ from one"
assert forks == [1], forks
from rolefinder.memo import EngineMemo
os.environ["ROLEFINDER_WORKERS"] = "1"
alone = EngineMemo(account.knowledge)
assert identify(account, memo=alone).to_dict() == expected
os.environ["ROLEFINDER_WORKERS"] = "2"
if not {broken!r}:
    shared = EngineMemo(account.knowledge)
    assert identify(account, memo=shared).to_dict() == expected, "two processes with a memo differ"
    assert forks == [1, 1], forks
    assert shared.entries == alone.entries and shared.used == alone.used, "the child's findings were lost"
    assert (shared.ran, shared.reused) == (alone.ran, alone.reused) == (len(account.contacts), 0)
    assert identify(account, memo=shared).to_dict() == expected  # every finding reused
    assert shared.ran == len(account.contacts) and shared.reused == len(account.contacts)
    forks.clear()
if {broken!r}:
    def broken(*args, **kwargs):
        raise OSError("no room to send the results")
    split.pickle.dumps = broken  # fails in the forked child only
    assert identify(account).to_dict() == expected, "the fallback differs"
    fallback = EngineMemo(account.knowledge)
    assert identify(account, memo=fallback).to_dict() == expected, "the fallback with a memo differs"
    assert fallback.entries == alone.entries and fallback.ran == len(account.contacts)
    assert forks == [1, 1, 1], forks
print("ok")
"""


@pytest.mark.parametrize("broken", [False, True], ids=["two-processes", "failed-half"])
def test_two_processes_conclude_what_one_does(broken: bool) -> None:
    """In a fresh process: a test process may run threads, and then nothing forks."""
    bench = str(Path(__file__).resolve().parent.parent / "benchmarks")
    script = _IN_A_FRESH_PROCESS.format(bench=bench, broken=broken)
    env = {k: v for k, v in os.environ.items() if k != "ROLEFINDER_WORKERS"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_small_accounts_and_traces_stay_in_one_process(account, monkeypatch) -> None:
    monkeypatch.delenv("ROLEFINDER_WORKERS", raising=False)
    assert split.workers(split.SPLIT_FROM - 1) == 1
    monkeypatch.setenv("ROLEFINDER_WORKERS", "1")
    assert split.workers(10 * split.SPLIT_FROM) == 1
    monkeypatch.setenv("ROLEFINDER_WORKERS", "2")
    assert split.workers(10) == (2 if threading.active_count() == 1 else 1)

    def no_fork():
        raise AssertionError("a traced run forked")

    monkeypatch.setattr(split.os, "fork", no_fork)
    identify(account, listener=lambda firing: None)  # a trace: one process


def test_no_fork_while_another_thread_runs(monkeypatch) -> None:
    monkeypatch.setenv("ROLEFINDER_WORKERS", "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert split.workers(10 * split.SPLIT_FROM) == 1
    finally:
        stop.set()
        thread.join()


def test_batch_workers_never_split_a_file_again(monkeypatch) -> None:
    from rolefinder import batch

    monkeypatch.setenv("ROLEFINDER_WORKERS", "")  # restored after the test
    batch._warm(())  # what each --jobs worker runs first
    assert split.workers(10 * split.SPLIT_FROM) == 1


_SIGNALS_IN_THE_CHILD = """
import signal
from rolefinder import split

signal.signal(signal.SIGTERM, lambda *_: print("the parent's handler ran"))
signal.signal(signal.SIGHUP, signal.SIG_IGN)
split._quiet_signals()
assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, "a handler of the parent stays"
assert signal.getsignal(signal.SIGINT) == signal.SIG_DFL, "Ctrl-C would run the parent's handler"
assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN, "an ignored signal is ignored still"
print("ok")
"""


@pytest.mark.skipif(not hasattr(os, "kill") or os.name != "posix", reason="POSIX signals")
def test_the_forked_half_never_runs_the_commands_signal_handlers() -> None:
    """The interview saves on SIGINT/SIGTERM/SIGHUP; in the forked child those signals just end
    it (only the parent saves), and what the parent ignores stays ignored."""
    done = subprocess.run([sys.executable, "-c", _SIGNALS_IN_THE_CHILD], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
