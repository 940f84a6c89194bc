"""A very large account on two cores: half of its org chart judged in a forked process.

What the engine concludes about a contact depends on that contact and on the settled statuses
of their manager, nothing else (:mod:`rolefinder.identification` runs managers first for that
reason). Once the top of the chart is judged, the subtrees below it are independent: each can
be judged anywhere, in any order, with the same result. :func:`judge_in_halves` judges the top
levels here, splits the subtrees below into two halves of about the same size, forks one
process for one half (the fork inherits the packs, the engine and the top's results, so it
starts at once), judges the other half here, and takes the child's results back as a pickle
through a pipe. Everything after the engine (account rules, the account's view of the
questions, gaps) runs here over the whole account, as always.

Used only where it pays and is safe: accounts of at least :data:`SPLIT_FROM` contacts, a
system with ``os.fork`` and at least two usable CPUs, a process running no other thread, no
firing listener (``--trace``) and no engine memo. ``ROLEFINDER_WORKERS=1`` keeps everything in
one process. If the child fails in any way, its half is judged here instead: the result never
depends on the split.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rolefinder.identification import ContactResult

SPLIT_FROM = 4000  # contacts: below this a fork and the pickle cost more than they save
TOP_SHARE = 0.02  # the top levels judged before splitting: until this share of the contacts
MIN_SUBTREES = 8  # ... and a level with at least this many subtrees to share out

Judge = Callable[[dict[int, list[str]]], "dict[str, ContactResult]"]  # ids by level -> results


def workers(size: int) -> int:
    """How many processes to judge an account of ``size`` contacts with (1 or 2)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1  # forking a process that runs threads may leave the child a lock held forever
    wanted = os.environ.get("ROLEFINDER_WORKERS", "").strip()
    if wanted:
        return 2 if wanted.isdigit() and int(wanted) >= 2 else 1
    if size < SPLIT_FROM:
        return 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 if usable >= 2 else 1


def split_level(depth: dict[str, int]) -> int | None:
    """The depth whose contacts head the subtrees to share out, or None when none fits."""
    per_level: dict[int, int] = {}
    for level in depth.values():
        per_level[level] = per_level.get(level, 0) + 1
    above = 0
    for level in sorted(per_level):
        if above >= TOP_SHARE * len(depth) and per_level[level] >= MIN_SUBTREES:
            return level
        above += per_level[level]
    return None


def halves(order: list[str], depth: dict[str, int], parent: dict[str, str | None],
           level: int) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The contacts at ``level`` and below, in two halves of whole subtrees, by level.

    ``order`` is the account's order (kept within each level); ``parent`` maps a contact to
    the manager it hangs under in ``depth``'s chart."""
    head: dict[str, str] = {}
    for cid in sorted((c for c in order if depth[c] >= level), key=depth.__getitem__):
        head[cid] = cid if depth[cid] == level else head[parent[cid]]
    sizes: dict[str, int] = {}
    for cid in head.values():
        sizes[cid] = sizes.get(cid, 0) + 1
    side: dict[str, int] = {}
    load = [0, 0]
    for cid in sorted(sizes, key=lambda c: -sizes[c]):  # largest first, to the lighter half
        lighter = 0 if load[0] <= load[1] else 1
        side[cid] = lighter
        load[lighter] += sizes[cid]
    out: tuple[dict[int, list[str]], dict[int, list[str]]] = ({}, {})
    for cid in order:
        if cid in head:
            out[side[head[cid]]].setdefault(depth[cid], []).append(cid)
    return out


def judge_in_halves(mine: dict[int, list[str]], theirs: dict[int, list[str]],
                    judge: Judge) -> dict[str, ContactResult]:
    """``judge(mine)`` here and ``judge(theirs)`` in a forked child, both results together."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: judge, send, and leave without running any cleanup
        status = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                pickle.dump(_portable(judge(theirs)), out, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    results = judge(mine)
    try:
        with os.fdopen(read, "rb") as incoming:
            received = pickle.load(incoming)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise ChildProcessError("the forked half failed")
    except (OSError, EOFError, pickle.UnpicklingError, ChildProcessError):
        _reap(pid)
        received = judge(theirs)  # judged here instead: the same result, one core
    results.update(received)
    return results


def _portable(results: dict[str, ContactResult]) -> dict[str, ContactResult]:
    """The results without their contacts (the parent has those: see :func:`restore`)."""
    for result in results.values():
        result.contact = None  # type: ignore[assignment]
    return results


def restore(results: dict[str, ContactResult], by_id: dict) -> None:
    """Give results that came back without their contacts the parent's own contacts."""
    for cid, result in results.items():
        if result.contact is None:
            result.contact = by_id[cid]


def _reap(pid: int) -> None:
    with suppress(ChildProcessError):
        os.waitpid(pid, 0)
