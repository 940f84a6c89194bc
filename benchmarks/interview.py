"""Simulated reps: how many questions the interview asks, and how right it ends up.

For every account of each part of the evaluation set (``tests/data/eval/dev`` — the part the
knowledge is tuned on — and ``tests/data/eval/test`` — never tuned on, only reported) all
answers are removed: the rep starts from the org chart alone (influence and attitude kept).
Every contact is interviewed in file order through :class:`rolefinder.interviewing.Interview`,
then the rep follows the interview back to any contact it still has questions for (the
account-level view: a role nobody holds yet), while an oracle answers from the file's answers
(``unsure`` stays ``unsure``). The held roles at the end are scored against ``case.key``:
questions per contact, exact role sets per contact and the F1 of (contact, role) pairs, next
to the same scores with the full 11-question questionnaire. Then the per-step latency
(answer → next question ready) on a synthetic 50-contact account.

Run: ``python benchmarks/interview.py [--part dev|test|all] [--eval DIR] [--size 50] [-v]``
(``-v`` lists the wrong contacts, for the dev part only).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rolefinder.account import Account, atomic_write, dump_account, load_account
from rolefinder.identification import Identification, identify
from rolefinder.interviewing import AccountFile, Interview

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Score:
    """Exact role sets and (contact, role) pair counts."""

    contacts: int = 0
    exact: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, result: Identification, key: dict[str, list[str]], name: str) -> None:
        for item in result.contacts:
            truth = set(key.get(item.contact.id, []))
            held = set(item.held)
            self.contacts += 1
            self.exact += truth == held
            self.tp += len(truth & held)
            self.fp += len(held - truth)
            self.fn += len(truth - held)
            if truth != held:
                self.misses.append(f"{name}:{item.contact.id} got {sorted(held)} "
                                   f"want {sorted(truth)}")

    @property
    def accuracy(self) -> float:
        return self.exact / self.contacts if self.contacts else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def interview_account(account: Account) -> tuple[Identification, list[int]]:
    """Interview every contact of a stripped copy of ``account``; the oracle reads the original."""
    truth = {c.id: dict(c.answers) for c in account.contacts}
    blank = copy.copy(account)
    blank.contacts = [dataclasses.replace(c, answers={}) for c in account.contacts]
    session = Interview(blank)
    asked = dict.fromkeys(truth, 0)

    def interview(cid: str) -> None:
        session.select(cid)
        while (question := session.question()) is not None:
            session.answer(truth[cid].get(question.id, "unsure"))
            asked[cid] += 1

    for contact in blank.contacts:
        interview(contact.id)
    while (cid := session.next_contact()) is not None:  # the account view sends the rep back
        interview(cid)
    return session.result, list(asked.values())


def evaluate(eval_dir: Path, verbose: bool = False) -> dict[str, float]:
    """The interview's and the full questionnaire's scores on every account in ``eval_dir``."""
    guided, full, asked = Score(), Score(), []
    paths = sorted(eval_dir.glob("*.yaml"))
    for path in paths:
        account = load_account(path)
        key = (account.case or {}).get("key") or {}
        result, counts = interview_account(account)
        guided.add(result, key, path.stem)
        full.add(identify(account), key, path.stem)
        asked += counts
    if verbose:
        print("\n".join("  miss " + m for m in guided.misses))
    return {
        "accounts": len(paths),
        "contacts": guided.contacts,
        "avg_questions": statistics.mean(asked) if asked else 0.0,
        "max_questions": max(asked, default=0),
        "exact": guided.accuracy,
        "f1": guided.f1,
        "full_exact": full.accuracy,
        "full_f1": full.f1,
    }


def parts(eval_dir: Path, which: str) -> list[tuple[str, Path]]:
    """The parts to score: ``dev`` and/or ``test`` under ``eval_dir`` (or ``eval_dir`` itself)."""
    names = ("dev", "test") if which == "all" else (which,)
    found = [(name, eval_dir / name) for name in names if (eval_dir / name).is_dir()]
    return found or [(eval_dir.name, eval_dir)]


def report(name: str, quality: dict[str, float]) -> str:
    return "\n".join([
        f"{name}: {quality['accounts']} accounts, {quality['contacts']} contacts",
        f"  guided interview: {quality['avg_questions']:.2f} questions per contact on average "
        f"(max {quality['max_questions']}) vs 11 in the full questionnaire",
        f"    exact role set {quality['exact']:.1%}, (contact, role) F1 {quality['f1']:.3f}",
        f"  full questionnaire: exact {quality['full_exact']:.1%}, F1 {quality['full_f1']:.3f}",
    ])


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
    args = parser.parse_args()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {when}")
    for name, directory in parts(args.eval, args.part):
        quality = evaluate(directory, args.verbose and name != "test")
        print(report(name, quality))
    speed = latency(args.size)
    print(f"step on {args.size} contacts (answer → next question ready, {speed['steps']} steps): "
          f"median {speed['step_median_ms']:.1f} ms, max {speed['step_max_ms']:.1f} ms")
    print(f"  atomic save after the question is shown: median {speed['save_median_ms']:.1f} ms, "
          f"max {speed['save_max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
