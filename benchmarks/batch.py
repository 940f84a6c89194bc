"""Many accounts with --jobs: 200 generated files × 100 contacts, one process against two.

Run: python benchmarks/batch.py [--files 200] [--size 100] [--runs 3]
Each run is the real command line (`rolefinder identify DIR --format jsonl --jobs N`), start-up
included, output to /dev/null. One broken file is added to the directory: every run must report
it on stderr, identify the 200 others, and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BROKEN = "account: {name: Broken}\ncontacts:\n  - {id: a, name: A, reports_to: nobody}\n"


def write_accounts(directory: Path, files: int, size: int) -> None:
    from generate import make_account

    from rolefinder.account import dump_account

    for index in range(files):
        account = make_account(size, seed=index)
        account.name = f"Generated account {index:03d}"
        (directory / f"account-{index:03d}.yaml").write_text(dump_account(account), encoding="utf-8")
    (directory / "zz-broken.yaml").write_text(BROKEN, encoding="utf-8")


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the pool's workers once reaped
    return usage.ru_utime + usage.ru_stime


def timed(directory: Path, jobs: int) -> tuple[float, int, float]:
    """Wall seconds, output lines and CPU seconds (all processes) of one command."""
    exe = shutil.which("rolefinder")
    command = [exe] if exe else [sys.executable, "-m", "rolefinder"]
    cpu = _child_cpu()
    start = time.perf_counter()
    done = subprocess.run([*command, "identify", str(directory), "--format", "jsonl", "--jobs", str(jobs)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert done.returncode == 2, done.stderr
    assert "zz-broken.yaml:3: contacts[0].reports_to" in done.stderr, done.stderr
    return seconds, done.stdout.count("\n"), _child_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"# batch benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, load {load:.1f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_accounts(directory, args.files, args.size)
        contacts = args.files * args.size
        times: dict[int, list[float]] = {1: [], 2: []}
        cpu: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.runs):
            for jobs in (1, 2):  # interleaved, so a burst of load from elsewhere hits both
                seconds, lines, used = timed(directory, jobs)
                assert lines == contacts + args.files, lines
                times[jobs].append(seconds)
                cpu[jobs].append(used)
    print(f"{args.files} files × {args.size} contacts = {contacts:,} contacts, + 1 broken file (reported, exit 2)")
    print("| --jobs | wall s per run | median wall s | contacts/s | CPU s (all processes), median |")
    print("|---:|---|---:|---:|---:|")
    for jobs, values in times.items():
        median = statistics.median(values)
        print(f"| {jobs} | {', '.join(f'{v:.1f}' for v in values)} | {median:.1f} | {contacts / median:,.0f} | "
              f"{statistics.median(cpu[jobs]):.1f} |")
    speedup = statistics.median(times[1]) / statistics.median(times[2])
    best = min(times[1]) / min(times[2])
    overhead = statistics.median(cpu[2]) / statistics.median(cpu[1])
    print(f"\nspeed-up --jobs 2 over --jobs 1: {speedup:.2f}× (median), {best:.2f}× (best runs); "
          f"load average at the end {os.getloadavg()[0]:.1f}")
    print(f"CPU work with 2 jobs / with 1 job: {overhead:.2f} (so on two idle cores the speed-up is at most "
          f"{2 / overhead:.2f}×)")


if __name__ == "__main__":
    main()
