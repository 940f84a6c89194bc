"""Counting the interview's ``given`` rates from contacts whose answers are all known.

``interview.given`` (see :func:`rolefinder.pricing.given_rates`) says, for each question that
defines a role, how often it is answered yes among all contacts (``base``) and among the
contacts who gave some other answer (``when``). Counted on a few hundred contacts, a rate from
a group of six is mostly noise, so every rate is *shrunk* toward the base rate by its group's
size: ``(yes + strength · base) / (n + strength)`` — a group of ``n`` contacts weighs like
``n`` observations against ``strength`` pseudo-observations at the base rate. A large group
keeps its own rate; a small one stays near the base. Rates that move the odds of a yes by less
than ``min_shift`` in log-odds are dropped (they would change no question and lengthen the pack).

``benchmarks/given_rates.py`` prints the core pack's section from the dev part of the
evaluation set; :func:`rolefinder.evaluation.evaluate_interview_folds` counts them on some
accounts and interviews others with them, to measure the policy out of sample.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rolefinder.knowledge import GivenRates

STRENGTH = 8.0  # pseudo-contacts at the base rate behind every conditional rate
MIN_SHIFT = 0.3  # log-odds a rate must move the base rate by to be kept
ANSWERS = ("yes", "no")


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def count_given(rows: Sequence[Mapping[str, str]], questions: Sequence[str], *,
                strength: float = STRENGTH, min_shift: float = MIN_SHIFT) -> dict[str, GivenRates]:
    """The ``given`` rates of ``questions`` over ``rows`` (each a contact's answers).

    ``base`` is ``(yes + 0.5) / (n + 1)`` over all rows (never 0 or 1); every conditional rate
    is shrunk toward it by its group's size (see the module's docstring).
    """
    out = {}
    for target in questions:
        base = (sum(r.get(target) == "yes" for r in rows) + 0.5) / (len(rows) + 1)
        rates: dict[tuple[str, str], float] = {}
        for other in questions:
            if other == target:
                continue
            for answer in ANSWERS:
                group = [r for r in rows if r.get(other) == answer]
                yes = sum(r.get(target) == "yes" for r in group)
                rate = (yes + strength * base) / (len(group) + strength)
                if group and abs(_logit(rate) - _logit(base)) >= min_shift:
                    rates[(other, answer)] = round(rate, 3)
        out[target] = GivenRates(round(base, 3), rates)
    return out


def to_yaml(given: Mapping[str, GivenRates], indent: int = 2) -> list[str]:
    """The rates as the lines of an ``interview.given`` section (without its ``given:`` key)."""
    pad = " " * indent
    lines = []
    for target, table in given.items():
        lines += [f"{pad * 2}{target}:", f"{pad * 3}base: {table.base:.3f}"]
        others: dict[str, dict[str, float]] = {}
        for (other, answer), rate in table.rates.items():
            others.setdefault(other, {})[answer] = rate
        if not others:
            lines.append(f"{pad * 3}when: {{}}")
            continue
        lines.append(f"{pad * 3}when:")
        lines += [f"{pad * 4}{other}: {{" + ", ".join(f"{a}: {v}" for a, v in rates.items()) + "}"
                  for other, rates in others.items()]
    return lines
