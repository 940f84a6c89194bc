"""Identification speed and memory: generated accounts through the API, and the CLI's wall time.

Run: python benchmarks/identify.py [--sizes 10,100,1000,10000]
Each size runs in a fresh process so that its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
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


def measure(size: int) -> dict:
    """Identify one generated account of ``size`` contacts; runs in a child process."""
    from generate import make_account

    from rolefinder.knowledge import load_knowledge

    knowledge = load_knowledge("manufacturing")
    start = time.perf_counter()
    knowledge.engine()
    build = time.perf_counter() - start
    account = make_account(size)
    account.knowledge = knowledge
    from rolefinder.identification import identify

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = identify(account)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    asked = sum(1 for r in result.contacts if r.next_question)
    return {"size": size, "seconds": seconds, "per_second": size / seconds, "engine_build": build,
            "peak_rss_mb": peak / 1024, "growth_mb": (peak - base_rss) / 1024,
            "with_next_question": asked}


def cli_wall_time(runs: int = 7) -> float:
    """Median wall time of ``rolefinder identify`` on a 30-contact file, start-up included."""
    sys.path.insert(0, str(HERE))
    from generate import make_account

    from rolefinder.account import dump_account

    account = make_account(30)
    exe = shutil.which("rolefinder")
    command = [exe] if exe else [sys.executable, "-m", "rolefinder"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "thirty.yaml"
        path.write_text(dump_account(account), encoding="utf-8")
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([*command, "identify", str(path), "--format", "json"], check=True,
                           stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    print(f"# identify benchmark — {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} cores, one core used")
    print("| contacts | seconds | contacts/s | peak RSS MB | growth MB | engine build s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--child", str(size)], check=True,
                             capture_output=True, text=True).stdout
        r = json.loads(out)
        print(f"| {size:,} | {r['seconds']:.2f} | {r['per_second']:,.0f} | {r['peak_rss_mb']:.0f} | "
              f"{r['growth_mb']:.0f} | {r['engine_build']:.3f} |")
    print()
    print(f"`rolefinder identify` on a 30-contact file, wall time incl. start-up (median of 7): "
          f"{cli_wall_time():.3f} s")


if __name__ == "__main__":
    main()
