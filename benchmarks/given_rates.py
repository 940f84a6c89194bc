"""Derive the interview's ``given`` rates from the answers of the dev part of the evaluation set.

``interview.given`` in rules/core.yaml says, for each question that defines a role, how
often it is answered yes among all contacts (``base``) and among the contacts who gave some
other answer (``when``). This script counts them over ``tests/data/eval/dev`` (the part tuned
on, built-in cases included; never the held-out part) and prints the YAML to paste there:

* a rate is smoothed as ``(yes + 0.5) / (n + 1)`` and rounded to three decimals;
* it is kept when at least ``--min-contacts`` contacts gave that answer and it moves the odds
  of a yes by at least ``--min-shift`` in log-odds (smaller moves are noise at this size).

Run: ``python benchmarks/given_rates.py [--eval DIR] [--min-contacts 20] [--min-shift 0.3]``
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from rolefinder.account import load_account
from rolefinder.evaluation import part_files
from rolefinder.knowledge import load_knowledge
from rolefinder.pricing import definitions

ROOT = Path(__file__).resolve().parent.parent


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT / "tests" / "data" / "eval")
    parser.add_argument("--min-contacts", type=int, default=20)
    parser.add_argument("--min-shift", type=float, default=0.3)
    args = parser.parse_args()
    knowledge = load_knowledge(all_industries=True)
    defs = definitions(knowledge)
    questions = [q for q in knowledge.questions if any(defs.defines.get(q, ()))]
    defining = questions
    rows = [dict(c.answers) for path in part_files(args.eval, "dev")
            for c in load_account(path).contacts]
    print(f"  given:  # from {len(rows)} contacts of the dev part: benchmarks/given_rates.py")
    for target in defining:
        base = (sum(r.get(target) == "yes" for r in rows) + 0.5) / (len(rows) + 1)
        lines = []
        for other in questions:
            if other == target:
                continue
            rates = {}
            for answer in ("yes", "no"):
                group = [r for r in rows if r.get(other) == answer]
                rate = (sum(r.get(target) == "yes" for r in group) + 0.5) / (len(group) + 1)
                if len(group) >= args.min_contacts and abs(logit(rate) - logit(base)) >= args.min_shift:
                    rates[answer] = round(rate, 3)
            if rates:
                lines.append(f"        {other}: {{" + ", ".join(f"{a}: {v}" for a, v in rates.items()) + "}")
        print(f"    {target}:\n      base: {base:.3f}\n      when:")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
