"""How often each org-chart rule is right, on the dev part only: a tool for judging rules, not contacts.

For every rule that gives evidence about a role from the chart alone (answers removed), it counts
on the dev accounts: how many contacts it fires for, in how many distinct accounts, how often the
role it argues for is in the key (precision of a positive rule; for a negative rule, how often the
role is indeed absent), and the same among contacts where the role ended *held* (probable or
better). A rule that lifts a role to probable should be right across many accounts, not a handful.

The dev part is split in parts to validate a change on data it was not motivated by: ``A`` = the
first accounts and the built-in cases (eval-*, dev-11…38), ``B`` = the next written (dev-39…52),
``C`` = accounts written from the role definitions alone (dev-53 and later). Only the dev part is
ever read: the held-out part is not for tuning.

Run: ``python benchmarks/rule_precision.py [--half A|B|C] [--rule PREFIX] [--min 1] [--wrong] [--dm]``.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rolefinder.account import load_account
from rolefinder.casebook import answer_key
from rolefinder.evaluation import part_files, without_answers
from rolefinder.identification import identify

EVAL_ROOT = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"


def half(path: Path) -> str:
    """A: eval-*, dev-11…38 and the built-in cases; B: dev-39…52; C: dev-53 and later."""
    match = re.match(r"dev-(\d+)", path.stem)
    number = int(match.group(1)) if match else 0
    return "C" if number >= 53 else "B" if number >= 39 else "A"


@dataclass
class Tally:
    fired: int = 0
    right: int = 0
    held: int = 0
    held_right: int = 0
    accounts: set[str] = field(default_factory=set)
    industries: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    wrong: list[str] = field(default_factory=list)


def tally(halves: set[str]) -> tuple[dict[tuple[str, str, int], Tally], list[str]]:
    """(rule, role, sign) -> Tally over the dev accounts of the given halves; and DM lines."""
    out: dict[tuple[str, str, int], Tally] = defaultdict(Tally)
    dm_lines: list[str] = []
    for path in part_files(EVAL_ROOT, "dev"):
        if half(path) not in halves:
            continue
        account = load_account(path)
        key = answer_key(account)
        final_say = {c.id for c in account.contacts if c.answers.get("final_say") == "yes"}
        result = identify(without_answers(account))
        for item in result.contacts:
            cid = item.contact.id
            truth = key[cid]
            held = set(item.held)
            for role, belief in item.beliefs.items():
                for ev in belief.evidence:
                    sign = 1 if ev.certainty > 0 else -1
                    t = out[(ev.rule, role, sign)]
                    ok = (role in truth) if sign > 0 else (role not in truth)
                    t.fired += 1
                    t.right += ok
                    t.accounts.add(path.stem)
                    ind = t.industries[account.industry or "?"]
                    ind[0] += 1
                    ind[1] += ok
                    if role in held:
                        t.held += 1
                        t.held_right += ok
                    if not ok:
                        t.wrong.append(f"{path.stem}/{cid} ({item.contact.title})")
            if "decision_maker" in held or cid in final_say:
                b = item.beliefs.get("decision_maker")
                tag = "OK " if ("decision_maker" in held) == (cid in final_say) else (
                    "WRONG" if "decision_maker" in held else "MISS")
                ev = ", ".join(f"{e.rule}{e.certainty:+.2f}" for e in (b.evidence if b else ()))
                dm_lines.append(f"{tag} {path.stem}/{cid} ({item.contact.title}) "
                                f"cf={b.cf if b else 0:.2f}: {ev}")
    return out, dm_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["A", "B", "C"], action="append")
    parser.add_argument("--rule", default="", help="only rules whose id starts with this")
    parser.add_argument("--min", type=int, default=1, help="only rules firing at least this often")
    parser.add_argument("--wrong", action="store_true", help="list the contacts a rule is wrong for")
    parser.add_argument("--dm", action="store_true", help="list decision makers held or missed")
    args = parser.parse_args()
    halves = set(args.half or ["A", "B", "C"])
    table, dm_lines = tally(halves)
    print(f"{'rule':48} {'role':15} sgn  fired acc  prec   held  prec  industries")
    for (rule, role, sign), t in sorted(table.items()):
        if not rule.startswith(args.rule) or t.fired < args.min or ".answer." in rule:
            continue
        prec = t.right / t.fired
        hprec = f"{t.held_right / t.held:5.0%}" if t.held else "    -"
        inds = " ".join(f"{k}:{v[1]}/{v[0]}" for k, v in sorted(t.industries.items()))
        print(f"{rule:48} {role:15} {'+' if sign > 0 else '-'}  {t.fired:5} {len(t.accounts):3} "
              f"{prec:5.0%} {t.held:5} {hprec}  {inds}")
        if args.wrong:
            for line in t.wrong:
                print("      wrong: " + line)
    if args.dm:
        print()
        for line in dm_lines:
            print(line)


if __name__ == "__main__":
    main()
