"""Accuracy of role identification on the evaluation set, part by part.

For each part of ``tests/data/eval`` (``dev``: tuned on, with the built-in cases; ``test``: held
out) it prints two readings of every account:

* full answers: exact role sets and the F1 of (contact, role) pairs;
* chart alone (answers removed, influence and attitude kept): primary accuracy over involved
  contacts, precision and recall of the roles held at probable or better, accounts whose
  decision maker is found, accounts given a wrong one.

Definitions: :mod:`rolefinder.evaluation`. Only aggregate figures are printed for the test part;
``--misses`` lists the wrong contacts of the dev part, for tuning.

Run: ``python benchmarks/accuracy.py [--part dev|test] [--misses] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from rolefinder.evaluation import PARTS, Figures, evaluate, part_files

EVAL_ROOT = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"


def measure(part: str, root: Path = EVAL_ROOT, plain: bool = False) -> tuple[Figures, Figures]:
    """(full answers, chart alone) for one part."""
    files = part_files(root, part)
    return evaluate(files, plain_files=plain), evaluate(files, chart_only=True, plain_files=plain)


def report(part: str, full: Figures, chart: Figures) -> str:
    return "\n".join([
        f"{part}: {full.accounts} accounts, {full.contacts} contacts ({chart.involved} involved)",
        f"  full answers: exact role sets {full.exact}/{full.contacts} = {full.exact_rate:.1%}, "
        f"pair F1 {full.pair_f1:.3f}",
        f"  chart alone: primary accuracy {chart.primary_right}/{chart.involved} = "
        f"{chart.primary_accuracy:.1%}, held precision {chart.held_right}/{chart.held} = "
        f"{chart.held_precision:.1%}, held recall {chart.held_right}/{chart.key_pairs} = "
        f"{chart.held_recall:.1%}",
        f"               DM found {chart.dm_found}/{chart.accounts} = {chart.dm_found_rate:.1%}, "
        f"wrong DM in {chart.wrong_dm} accounts, exact role sets {chart.exact_rate:.1%}",
        f"               of {chart.with_dm} accounts with a decision maker: first DM candidate right in "
        f"{chart.dm_first}, DM among the candidates in {chart.dm_candidate}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, action="append",
                        help="which part (repeatable; default: all)")
    parser.add_argument("--root", type=Path, default=EVAL_ROOT, help="the evaluation directory")
    parser.add_argument("--misses", action="store_true", help="list wrong contacts (dev only)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--plain", action="store_true",
                        help="drop offering_type and buying_process: read them from the offering text")
    args = parser.parse_args()
    parts = args.part or list(PARTS)
    results = {}
    for part in parts:
        if not part_files(args.root, part):
            continue
        results[part] = measure(part, args.root, args.plain)
    if args.json:
        print(json.dumps({part: {"full": full.summary(), "chart": chart.summary()}
                          for part, (full, chart) in results.items()}, indent=2))
        return
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {when}")
    for part, (full, chart) in results.items():
        print(report(part, full, chart))
        if args.misses and part == "dev":
            for line in full.misses:
                print("  full miss  " + line)
            for line in chart.misses:
                print("  chart miss " + line)


if __name__ == "__main__":
    main()
