"""What one interview answer costs on a large account: the save, and ``interview --answer``.

For each size a synthetic account (``benchmarks/generate.py``, half the answers filled) is
written as YAML, then:

- **save** (API): an :class:`Interview` answers a question with ``autosave=False``; the
  ``flush()`` that follows is timed alone — lock, re-read, splice of the one contact's block,
  validation of that block, fsync, replace. Median of 7 answers on different contacts.
- **re-identification** (API): the same answers' ``reidentify`` (that contact and those below).
- **CLI** (wall, as a user runs it): ``rolefinder interview FILE --contact ID --answer Q=yes
  --format json``, start-up included, with the peak RSS the OS reports. First the file's
  *first* interview (an empty cache folder: the engine judges every contact, as ``identify``
  does), then 3 answers on other contacts (median), each reusing the engine's findings the
  previous run kept (:mod:`rolefinder.memo`) and judging only the contact it changed and,
  when a status moves, those below it. The cache folder is a temporary one
  (``ROLEFINDER_CACHE_DIR``), so the user's own is never read.

Run: ``python benchmarks/interview_scale.py [--sizes 1000 10000]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import QUESTIONS, make_account

from rolefinder.account import dump_account, load_account
from rolefinder.interviewing import Interview
from rolefinder.storage import AccountFile


def write_account(size: int, folder: Path) -> Path:
    path = folder / f"account-{size}.yaml"
    path.write_text("# benchmark account, comments must survive\n" + dump_account(make_account(size, answered=0.5)),
                    encoding="utf-8")
    return path


def _unanswered(session: Interview, count: int) -> list[tuple[str, str]]:
    """(contact, question) pairs still open, spread over the file."""
    contacts = session.account.contacts
    step = max(1, len(contacts) // count)
    picks = []
    for contact in contacts[::step]:
        open_q = [q for q in QUESTIONS if q not in contact.answers]
        if open_q:
            picks.append((contact.id, open_q[0]))
        if len(picks) == count:
            break
    return picks


def api_costs(path: Path, answers: int = 7) -> dict[str, float]:
    session = Interview(load_account(path), AccountFile(path), autosave=False)
    saves, cpu, refresh = [], [], []
    for cid, question in _unanswered(session, answers):
        session.select(cid)
        started = time.perf_counter()
        session.answer("yes", question=question)
        refresh.append(time.perf_counter() - started)
        started, used = time.perf_counter(), time.process_time()
        session.flush()
        saves.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return {"save": statistics.median(saves), "save_max": max(saves), "save_cpu": statistics.median(cpu),
            "reidentify": statistics.median(refresh)}


def _interview(path: Path, cid: str, question: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``interview --answer`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rolefinder", "interview", str(path), "--contact", cid,
                           "--answer", f"{question}=yes", "--format", "json"],
                          capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    assert load_account(path).contact(cid).answers[question] == "yes"
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def cli_costs(path: Path, runs: int = 3) -> dict[str, float]:
    account = load_account(path)
    targets = [(c.id, next(q for q in QUESTIONS if q not in c.answers))
               for c in account.contacts[len(account.contacts) // 2:] if len(c.answers) < len(QUESTIONS)][:runs + 1]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "ROLEFINDER_CACHE_DIR": folder}
        env.pop("ROLEFINDER_NO_CACHE", None)
        first_wall, first_cpu = _interview(path, *targets[0], env)
        walls, cpus = zip(*(_interview(path, cid, question, env) for cid, question in targets[1:]), strict=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"first": first_wall, "first_cpu": first_cpu, "cli": statistics.median(walls),
            "cli_cpu": statistics.median(cpus), "cli_peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load:.1f}")
    print("save: wall median, wall max, CPU median · reident: reidentify wall median · "
          "first: the file's first interview --answer (wall, CPU) · CLI: the next 3 answers, wall and CPU medians")
    print(f"{'contacts':>8} {'save':>8} {'max':>7} {'CPU':>7} {'reident':>8} {'first':>7} {'CPU':>7} "
          f"{'CLI wall':>9} {'CLI CPU':>8} {'peak':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = write_account(size, Path(folder))
            api = api_costs(path)
            cli = cli_costs(path)
            assert path.read_text(encoding="utf-8").startswith("# benchmark account")
            print(f"{size:>8} {api['save']:>7.3f}s {api['save_max']:>6.3f}s {api['save_cpu']:>6.3f}s "
                  f"{api['reidentify']:>7.3f}s {cli['first']:>6.2f}s {cli['first_cpu']:>6.2f}s "
                  f"{cli['cli']:>8.2f}s {cli['cli_cpu']:>7.2f}s "
                  f"{cli['cli_peak_mb']:>5.0f}MB", flush=True)


if __name__ == "__main__":
    main()
