"""Derive the interview's ``given`` rates from the answers of the dev part of the evaluation set.

``interview.given`` in rules/core.yaml says, for each question that defines a role, how
often it is answered yes among all contacts (``base``) and among the contacts who gave some
other answer (``when``). This script counts them over ``tests/data/eval/dev`` (the part tuned
on, built-in cases included; never the held-out part) with
:func:`rolefinder.givenrates.count_given` and prints the YAML to paste there:

* ``base`` is ``(yes + 0.5) / (n + 1)``; every conditional rate is shrunk toward it by its
  group's size, ``(yes + strength · base) / (n + strength)``: a rate from 6 contacts stays
  near the base, one from 300 keeps its own;
* a rate is kept when it moves the odds of a yes by at least ``--min-shift`` in log-odds.

``python benchmarks/interview.py --part dev --folds 5`` counts the same way on four fifths of
the accounts and interviews the fifth, to see how the rates do on accounts they were not
counted on.

Run: ``python benchmarks/given_rates.py [--eval DIR] [--strength 8] [--min-shift 0.3]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rolefinder.account import load_account
from rolefinder.evaluation import part_files
from rolefinder.givenrates import MIN_SHIFT, STRENGTH, count_given, to_yaml
from rolefinder.knowledge import load_knowledge
from rolefinder.pricing import definitions

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT / "tests" / "data" / "eval")
    parser.add_argument("--strength", type=float, default=STRENGTH)
    parser.add_argument("--min-shift", type=float, default=MIN_SHIFT)
    args = parser.parse_args()
    knowledge = load_knowledge(all_industries=True)
    questions = [q for q, roles in definitions(knowledge).defines.items() if roles]
    rows = [dict(c.answers) for path in part_files(args.eval, "dev")
            for c in load_account(path).contacts]
    given = count_given(rows, questions, strength=args.strength, min_shift=args.min_shift)
    print(f"  given:  # from {len(rows)} contacts of the dev part: benchmarks/given_rates.py")
    print("\n".join(to_yaml(given)))


if __name__ == "__main__":
    main()
