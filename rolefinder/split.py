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
firing listener (``--trace``). With an engine memo (the interview), the child starts from a
copy of it and sends the findings it added back with its results, so the parent's memo ends up
as one process would leave it. ``ROLEFINDER_WORKERS=1`` keeps everything in one process. If
the child fails in any way, its half is judged here instead: the result never depends on the
split.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rolefinder.identification import ContactResult

SPLIT_FROM = 4000  # contacts: below this a fork and the pickle cost more than they save
TOP_SHARE = 0.02  # the top levels judged before splitting: until this share of the contacts
MIN_SUBTREES = 8  # ... and a level with at least this many subtrees to share out

Judge = Callable[[dict[int, list[str]]], "dict[str, ContactResult]"]  # ids by level -> results
Carry = Callable[[], Any]  # run in the child after judging: what else to send back


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


def judge_in_halves(mine: dict[int, list[str]], theirs: dict[int, list[str]], judge: Judge,
                    judge_there: Judge | None = None,
                    carry: Carry | None = None) -> tuple[dict[str, ContactResult], Any]:
    """``judge(mine)`` here and ``judge_there(theirs)`` (default ``judge``) in a forked child:
    both results together, and what ``carry`` (if given) returned in the child after judging
    (None when the child failed and ``judge(theirs)`` ran here instead).

    ``judge_there`` and ``carry`` are how state the judging builds up besides the results (the
    engine memo's new findings) comes back from the child (:class:`rolefinder.memo.EngineMemo`).
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: judge, send, and leave without running any cleanup
        status = 1
        try:
            _quiet_signals()
            os.close(read)
            found = _portable((judge_there or judge)(theirs))
            payload = pickle.dumps((found, carry() if carry else None), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    try:
        results = judge(mine)
    except BaseException:  # interrupted here: the child's half is no longer wanted
        os.close(read)
        _end(pid)
        raise
    try:
        with os.fdopen(read, "rb") as incoming:
            received, extra = pickle.loads(incoming.read())
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise ChildProcessError("the forked half failed")
    except (OSError, EOFError, ValueError, pickle.UnpicklingError, ChildProcessError):
        _reap(pid)
        received, extra = judge(theirs), None  # judged here instead: the same result, one core
    results.update(received)
    return results, extra


def _quiet_signals() -> None:
    """In the child: the default action for the signals a command may handle (the interview
    saves on them). Only the parent saves anything; the child simply ends."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and callable(signal.getsignal(number)):
            signal.signal(number, signal.SIG_DFL)


def _end(pid: int) -> None:
    with suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


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
