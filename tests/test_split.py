"""A large account judged in two processes (rolefinder.split) concludes exactly what one
process concludes, and falls back to one process when the forked half fails."""

from __future__ import annotations

import os
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


@pytest.fixture
def forking():
    """Tests that need a fork: none happens while another thread runs (see split.workers)."""
    if threading.active_count() > 1:
        pytest.skip("another thread is running in this test process")


@pytest.fixture(scope="module")
def account():
    account = make_account(400, seed=11, answered=0.5)
    account.knowledge = load_knowledge(account.industry)
    return account


@pytest.fixture(scope="module")
def one_process(account):
    os.environ["ROLEFINDER_WORKERS"] = "1"
    try:
        return identify(account).to_dict()
    finally:
        del os.environ["ROLEFINDER_WORKERS"]


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


def test_two_processes_conclude_what_one_does(account, one_process, monkeypatch, forking) -> None:
    monkeypatch.setenv("ROLEFINDER_WORKERS", "2")
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(split.os, "fork", lambda: forks.append(1) or real_fork())
    assert identify(account).to_dict() == one_process
    assert forks == [1]


def test_a_failed_half_is_judged_here(account, one_process, monkeypatch, forking) -> None:
    monkeypatch.setenv("ROLEFINDER_WORKERS", "2")

    def broken(*args, **kwargs):
        raise OSError("no room to send the results")

    monkeypatch.setattr(split.pickle, "dump", broken)  # fails in the forked child only
    assert identify(account).to_dict() == one_process


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
