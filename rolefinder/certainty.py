"""MYCIN certainty factors: how pieces of evidence for and against a role add up.

A certainty factor (CF) lies in [-1, 1]: 1 is certainly so, -1 certainly not, 0 no idea.

* A rule's premise holds with the *smallest* CF of its conditions (AND = min); a crisp
  condition (an answer, a title match) holds with 1.
* Its conclusion gets ``premise × rule CF``.
* Two CFs ``a`` and ``b`` for the same conclusion combine as
  ``a + b(1 − a)`` when both are positive, ``a + b(1 + a)`` when both are negative, and
  ``(a + b) / (1 − min(|a|, |b|))`` when their signs differ.

The combination is commutative and associative, so the order in which rules fire never
changes a result. Two opposite certainties of 1 cannot be combined; by convention the result
is 0 (contradiction, nothing known). What does matter is *where* the bound below applies: a
role's evidence is combined in groups (see ``rolefinder.identification``), the org chart's
first, bounded by :func:`bound_chart`, then the answers', then the account rules'.

**The org chart never outvotes an answer.** Everything a role gets from titles, departments,
the reporting line and the rep's judgements is combined first and bounded to
[``CHART_FLOOR``, ``CHART_CEILING``]. The ceiling is the threshold of *confirmed*, the floor
lies below *ruled out*, so the bound never changes what the chart alone concludes; it only
keeps the chart from being so sure that an answer could not overturn it: after a defining
``no`` (−0.9) a role is ruled out (0.8 ⊕ −0.9 = −0.5), after a defining ``yes`` (0.85 or 0.9)
it is held (−0.65 ⊕ 0.85 ≈ 0.57), even with a weaker answer against it beside the yes
(final_say yes, approves_budget no: −0.65 ⊕ 0.875 ≈ 0.64).
"""

from __future__ import annotations

from collections.abc import Iterable


def combine(a: float, b: float) -> float:
    """Combine two certainty factors for the same conclusion."""
    if a >= 0 and b >= 0:
        return a + b * (1 - a)
    if a <= 0 and b <= 0:
        return a + b * (1 + a)
    denominator = 1 - min(abs(a), abs(b))
    return 0.0 if denominator == 0 else (a + b) / denominator


CHART_CEILING = 0.8
CHART_FLOOR = -0.65


def bound_chart(cf: float) -> float:
    """The org chart's combined certainty for a role, kept where an answer can overturn it."""
    return min(max(cf, CHART_FLOOR), CHART_CEILING)


def combine_all(values: Iterable[float]) -> float:
    """Fold :func:`combine` over any number of certainty factors (0 for none)."""
    total = 0.0
    for value in values:
        total = combine(total, value)
    return total


def as_probability(cf: float, prior: float) -> float:
    """Read a CF as a rough probability that the conclusion holds, given a base rate.

    Used only to weigh which question to ask next: positive evidence moves the base rate
    towards 1, negative evidence towards 0, in proportion to the certainty.
    """
    if cf >= 0:
        return prior + (1 - prior) * cf
    return prior * (1 + cf)
