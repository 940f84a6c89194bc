"""Simulated reps: how many questions the interview asks, and how right it ends up.

For every account of each part of the evaluation set (``tests/data/eval/dev`` — the part the
knowledge is tuned on — and ``tests/data/eval/test`` — never tuned on, only reported) a rep
starts from the org chart alone and is interviewed as :func:`rolefinder.evaluation.interview`
describes (file order, then back to contacts the account view still has questions for; an
oracle answers from the file, ``unsure`` stays ``unsure``). The held roles at the end are
scored against ``case.key``: questions per contact, exact role sets per contact and the F1 of
(contact, role) pairs, next to the same scores with the full 11-question questionnaire. Then the per-step latency
(answer → next question ready) on a synthetic 50-contact account.

Figures as defined in :mod:`rolefinder.evaluation` (the dev part includes the built-in cases).
Run: ``python benchmarks/interview.py [--part dev|test|all] [--eval DIR] [--size 50] [-v]
[--folds K]`` (``-v`` lists the wrong contacts, for the dev part only).

The dev figure is in sample: the pack's ``interview.given`` rates were counted on those very
accounts. ``--folds K`` (dev only) also measures it out of fold: the dev accounts are dealt into
K folds (interleaved by file name), the rates are counted on the other K − 1 folds
(:func:`rolefinder.givenrates.count_given`, as ``benchmarks/given_rates.py`` counts them for the
pack) and each fold is interviewed with them; the two are printed side by side. Only the rates
are out of fold — the rules were written with every dev account in view — so this is the
better guess of how the question policy does on accounts nobody tuned on.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rolefinder.account import atomic_write, dump_account, load_account
from rolefinder.evaluation import (
    PARTS,
    InterviewFigures,
    evaluate_interview,
    evaluate_interview_folds,
    part_files,
)
from rolefinder.interviewing import AccountFile, Interview

ROOT = Path(__file__).resolve().parent.parent


def report(name: str, figures: InterviewFigures) -> str:
    """Aggregate figures only: what may be shown for the held-out part."""
    guided, full = figures.guided, figures.full
    return "\n".join([
        f"{name}: {guided.accounts} accounts, {guided.contacts} contacts",
        f"  guided interview: {figures.avg_questions:.2f} questions per contact on average "
        f"(max {figures.max_questions}) vs 11 in the full questionnaire",
        f"    exact role set {guided.exact_rate:.1%}, (contact, role) F1 {guided.pair_f1:.3f}",
        f"  full questionnaire: exact {full.exact_rate:.1%}, F1 {full.pair_f1:.3f}",
    ])


def side_by_side(inside: InterviewFigures, outside: InterviewFigures, folds: int) -> str:
    """The dev figures in sample and out of fold, one row per figure."""
    rows = [
        ("questions per contact", f"{inside.avg_questions:.2f}", f"{outside.avg_questions:.2f}"),
        ("max questions", str(inside.max_questions), str(outside.max_questions)),
        ("exact role sets", f"{inside.guided.exact_rate:.1%}", f"{outside.guided.exact_rate:.1%}"),
        ("(contact, role) F1", f"{inside.guided.pair_f1:.3f}", f"{outside.guided.pair_f1:.3f}"),
    ]
    head = f"  dev, guided interview      in sample   {folds}-fold out of fold"
    return "\n".join([head, *(f"    {name:<24}{a:>9}   {b:>9}" for name, a, b in rows)])


def latency(size: int) -> dict[str, float]:
    """Per-step times on a synthetic account of ``size`` contacts, saved to a temporary file."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import make_account

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        atomic_write(path, dump_account(make_account(size)))
        account = load_account(path)
        session = Interview(account, AccountFile(path), autosave=False)
        steps, saves = [], []
        for contact in account.contacts:
            session.select(contact.id)
            if session.question() is None:
                continue
            start = time.perf_counter()
            session.answer("no")
            session.question()
            session.progress()
            steps.append(time.perf_counter() - start)
            start = time.perf_counter()
            session.flush()
            saves.append(time.perf_counter() - start)
        load_account(path)  # what was saved loads
    return {
        "steps": len(steps),
        "step_median_ms": 1000 * statistics.median(steps),
        "step_max_ms": 1000 * max(steps),
        "save_median_ms": 1000 * statistics.median(saves),
        "save_max_ms": 1000 * max(saves),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT / "tests" / "data" / "eval")
    parser.add_argument("--part", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("-v", "--verbose", action="store_true", help="list wrong contacts (dev only)")
    parser.add_argument("--folds", type=int, default=0,
                        help="also measure dev out of fold: rates counted on the other K-1 folds")
    parser.add_argument("--no-latency", action="store_true", help="skip the per-step timing")
    parser.add_argument("--plain", action="store_true",
                        help="drop offering_type and buying_process: read them from the offering text")
    args = parser.parse_args()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {when}")
    for part in PARTS if args.part == "all" else (args.part,):
        figures = evaluate_interview(part_files(args.eval, part), plain_files=args.plain)
        print(report(part, figures))
        if args.verbose and part == "dev":
            print("\n".join("  miss " + m for m in figures.guided.misses))
        if args.folds and part == "dev":
            outside = evaluate_interview_folds(part_files(args.eval, part), args.folds, plain_files=args.plain)
            print(side_by_side(figures, outside, args.folds))
            if args.verbose:
                print("\n".join("  out-of-fold miss " + m for m in outside.guided.misses))
    if args.no_latency:
        return
    speed = latency(args.size)
    print(f"step on {args.size} contacts (answer → next question ready, {speed['steps']} steps): "
          f"median {speed['step_median_ms']:.1f} ms, max {speed['step_max_ms']:.1f} ms")
    print(f"  atomic save after the question is shown: median {speed['save_median_ms']:.1f} ms, "
          f"max {speed['save_max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
