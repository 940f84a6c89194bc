"""Plan rendering time for 30 and 1,000 contacts (targets: under 0.2 s and under 3 s).

Identification is timed separately and excluded from the rendering figure: the plan is what
this benchmark measures. Run: ``python benchmarks/plans.py`` (``--repeat N`` for the best of N).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_account

from rolefinder.identification import identify
from rolefinder.plans import render_plan

TARGETS = {30: 0.2, 1000: 3.0}
START = date(2026, 12, 1)


def best_of(repeat: int, action) -> tuple[float, object]:
    """The fastest of ``repeat`` runs: the least disturbed by the rest of the machine."""
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    render_plan(identify(make_account(5)), "html", "en", START)  # warm up Jinja2 and the packs
    failed = False
    print(f"{'contacts':>8} {'identify s':>11} {'format':>6} {'render s':>9} {'target s':>9}  ok")
    for size, target in TARGETS.items():
        account = make_account(size)
        seconds, ident = best_of(1, lambda account=account: identify(account))
        for fmt in ("html", "md", "txt"):
            took, _ = best_of(args.repeat, lambda ident=ident, fmt=fmt: render_plan(ident, fmt, "zh", START))
            ok = took < target
            failed |= not ok
            print(f"{size:>8} {seconds:>11.3f} {fmt:>6} {took:>9.3f} {target:>9.1f}  {'yes' if ok else 'NO'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
