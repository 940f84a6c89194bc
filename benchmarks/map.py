"""``rolefinder map`` on generated accounts: layout + SVG time, and Chromium's render time.

Run: python benchmarks/map.py [--sizes 50,500]
Times are the best of three; identify (the engine) is timed separately, since the issue is
whether drawing stays fast, not the rule engine (see benchmarks/identify.py for that).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def best(func, runs: int = 3) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - start)
    return min(times), value


def chromium_seconds(svg: str) -> float | None:
    """Wall time for headless Chromium to load the SVG and write a screenshot (None: no browser)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.svg"
        path.write_text(svg, encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--no-first-run", f"--user-data-dir={tmp}/profile", f"--screenshot={tmp}/map.png",
                        "--window-size=1600,1200", path.as_uri()], capture_output=True, check=True, timeout=120)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500")
    args = parser.parse_args()
    from generate import make_account

    from rolefinder.identification import identify
    from rolefinder.knowledge import load_knowledge
    from rolefinder.mapview import render_html, render_svg

    knowledge = load_knowledge("manufacturing")
    print(f"# map benchmark · {platform.node()} · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs · {time.strftime('%Y-%m-%d')}")
    print("| contacts | identify s | SVG s | HTML s | SVG KB | Chromium load+screenshot s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        account = make_account(size)
        account.knowledge = knowledge
        ident_s, result = best(lambda account=account: identify(account), runs=1)
        svg_s, svg = best(lambda result=result: render_svg(result, "zh"))
        html_s, _ = best(lambda result=result: render_html(result, "zh", large=True))
        browser = chromium_seconds(svg)
        shown = f"{browser:.2f}" if browser is not None else "no browser"
        print(f"| {size} | {ident_s:.2f} | {svg_s:.3f} | {html_s:.3f} | {len(svg.encode()) / 1024:.0f} | {shown} |")


if __name__ == "__main__":
    main()
