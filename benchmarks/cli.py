"""The command line as a user runs it: wall time and peak memory from the OS, start-up included.

Run: python benchmarks/cli.py [--sizes 100,1000,10000,30000,100000] [--runs 3]

Each measurement is one ``rolefinder identify FILE --format json`` process (output to
/dev/null); its wall time is taken around the process and its peak RSS is the kernel's
``ru_maxrss`` for that child (``os.wait4``), so interpreter start-up, imports, pack loading,
YAML parsing, the engine and the JSON output all count. Account files are generated once
(``generate.make_account``, half the questions answered) into a temporary directory. The
figure is the median of ``--runs`` runs (one run for 100,000 contacts). Python bytecode is
allowed and warmed first, as after ``pip install``; so is the cache folder of validated packs
(a temporary one, ``ROLEFINDER_CACHE_DIR``: the user's own is never read), as after any first
run. Also measured: ``rolefinder --help`` (median of 7) and a 30-contact identify (median of 7),
*warm* (the file identified before: the engine's findings for its contacts are in the cache
folder, rolefinder.memo) and *cold* (a file never seen: each run gets a fresh cache folder
holding only the validated packs). The table by size is taken cold: every contact judged.
From 4,000 contacts identify uses a second process (``rolefinder.split``): its CPU time counts in
the CPU column, and the peak RSS is the larger of the two processes (the kernel's figure for a
process and its children); ``--one-core`` measures one process.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def command() -> list[str]:
    exe = shutil.which("rolefinder")
    return [exe] if exe else [sys.executable, "-m", "rolefinder"]


def child_env(cache: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's installed copy has its bytecode
    env.setdefault("LANG", "en_US.UTF-8")
    env["ROLEFINDER_CACHE_DIR"] = cache or CACHE.name
    env.pop("ROLEFINDER_NO_CACHE", None)
    return env


CACHE = tempfile.TemporaryDirectory(prefix="rolefinder-bench-cache-")


def run_once(args: list[str], cache: str | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MB and CPU seconds (user + system) of one process."""
    env = child_env(cache)
    start = time.perf_counter()
    child = subprocess.Popen([*command(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}): {err.strip()[:300]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def write_account(size: int, folder: Path) -> Path:
    import yaml
    from generate import make_account

    path = folder / f"account-{size}.yaml"
    if not path.exists():
        data = make_account(size, answered=0.5).to_dict()
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
    return path


def cold_run(args: list[str]) -> tuple[float, float, float]:
    """One run as on a file never seen: a fresh cache folder holding only the validated packs."""
    with tempfile.TemporaryDirectory(prefix="rolefinder-bench-cold-") as fresh:
        for packs in Path(CACHE.name).glob("packs-*.bin"):
            shutil.copy2(packs, fresh)
        return run_once(args, fresh)


def median_of(runs: int, args: list[str], cold: bool = False) -> tuple[float, float, list[float], float]:
    """Median wall, highest peak RSS, every wall, median CPU."""
    results = [cold_run(args) if cold else run_once(args) for _ in range(runs)]
    walls = [w for w, _, _ in results]
    cpu = statistics.median(c for _, _, c in results)
    return statistics.median(walls), max(m for _, m, _ in results), walls, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000,30000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="generate the files into this folder and keep them")
    parser.add_argument("--one-core", action="store_true",
                        help="ROLEFINDER_WORKERS=1: no second process for very large accounts")
    args = parser.parse_args()
    if args.one_core:
        os.environ["ROLEFINDER_WORKERS"] = "1"  # child_env() passes it on
    cores = "one core" if args.one_core else "second core from 4,000 contacts (rolefinder.split)"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# CLI benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python "
          f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores ({cores}), "
          f"load average at start {load:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        thirty = write_account(30, folder)
        run_once(["identify", str(thirty), "--format", "json"])  # warm: bytecode, page cache
        help_wall, help_rss, help_all, help_cpu = median_of(7, ["--help"])
        small = ["identify", str(thirty), "--format", "json"]
        small_wall, small_rss, small_all, small_cpu = median_of(7, small)
        cold_wall, cold_rss, cold_all, cold_cpu = median_of(7, small, cold=True)
        print(f"\n`rolefinder --help`: {help_wall:.3f} s wall (median of 7; min {min(help_all):.3f}), "
              f"{help_cpu:.3f} s CPU, {help_rss:.0f} MB")
        print(f"`rolefinder identify` 30 contacts, warm: {small_wall:.3f} s wall (median of 7; "
              f"min {min(small_all):.3f}), {small_cpu:.3f} s CPU, {small_rss:.0f} MB")
        print(f"`rolefinder identify` 30 contacts, cold: {cold_wall:.3f} s wall (median of 7; "
              f"min {min(cold_all):.3f}), {cold_cpu:.3f} s CPU, {cold_rss:.0f} MB")
        print("\n| contacts | runs | wall s (median) | all runs s | CPU s (median) | peak RSS MB | µs/contact | "
              "KB/contact |")
        print("|---:|---:|---:|---|---:|---:|---:|---:|")
        for size in (int(s) for s in args.sizes.split(",")):
            path = write_account(size, folder)
            runs = 1 if size >= 100_000 else args.runs
            # each run on a file never seen (cold), as before the findings were kept
            wall, rss, walls, cpu = median_of(runs, ["identify", str(path), "--format", "json"], cold=True)
            every = ", ".join(f"{w:.2f}" for w in walls)
            print(f"| {size:,} | {runs} | {wall:.2f} | {every} | {cpu:.2f} | {rss:.0f} | "
                  f"{wall / size * 1e6:,.0f} | {rss * 1024 / size:,.1f} |", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average at the end {load:.1f}")


if __name__ == "__main__":
    main()
