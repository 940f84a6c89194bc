"""The Rete side of :class:`rolefinder.engine.RoleEngine`: the packs' rules as Experta rules.

Kept apart from :mod:`rolefinder.engine` so that importing Experta and building the network
(a good part of a short command's start-up) happen only when a contact is actually matched:
``identify`` on a file whose every contact's findings are in the memo (:mod:`rolefinder.memo`)
needs neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from rolefinder._experta import MATCH, DirtyTrackingMatcher, Fact, LeanEngine, P, Rule, freeze, rule_with_action
from rolefinder.answers import ABSENT, ANSWERS
from rolefinder.engine import _answer_only, answer_field
from rolefinder.knowledge import LEVELS
from rolefinder.statics import Static

if TYPE_CHECKING:
    from rolefinder.engine import RoleEngine
    from rolefinder.knowledge import RuleSpec


class ContactFact(Fact):
    """A contact, with everything rules may test about them directly."""


class DerivedFact(Fact):
    """A fact a rule derived about a contact, with its certainty."""


class StatusFact(Fact):
    """A manager's role status, settled before the people below them are judged."""


def network(owner: RoleEngine) -> LeanEngine:
    """An Experta engine holding every rule of ``owner``'s packs and their look-ahead twins."""
    attrs = {}
    for index, spec in enumerate(owner.knowledge.rules):
        name = re.sub(r"\W", "_", spec.id)
        attrs[f"{name}__{index}"] = _rule(owner, spec)
        if _answer_only(spec):
            continue  # priced straight from the pack: see RoleEngine.static_lookahead
        for q_index, (question, values) in enumerate(spec.answers):
            if ABSENT in values or spec.derives_facts:
                continue
            attrs[f"{name}__{index}__if_{q_index}"] = _rule(owner, spec, (question, values))
    attrs["__matcher__"] = DirtyTrackingMatcher
    engine = type("RoleRules", (LeanEngine,), attrs)()
    engine.rolefinder = owner
    return engine


def _rule(owner: RoleEngine, spec: RuleSpec, lookahead: tuple[str, frozenset[str]] | None = None) -> Rule:
    contact: dict = {"cid": MATCH.c}
    for question, values in spec.answers:
        if lookahead is not None and question == lookahead[0]:
            contact[answer_field(question)] = ABSENT
        else:
            contact[answer_field(question)] = _answer_test(values)
    static = Static.of(spec) if owner.statics is not None else None
    if static is not None:
        contact[owner.statics.field[static]] = True  # tested in facts_for: see rolefinder.statics
    else:
        _static_patterns(spec, contact)
    patterns = []
    if isinstance(spec.manager, tuple):
        role, status = spec.manager
        contact["reports_to"] = MATCH.m
        wanted = LEVELS[status]
        level = P(lambda lv: lv == wanted) if wanted < 0 else P(lambda lv: lv >= wanted)
        patterns.append(StatusFact(contact=MATCH.m, role=role, level=level))
    if len(contact) > 1 or not spec.facts:
        # A rule testing only derived facts skips the contact fact: one join fewer.
        patterns.insert(0, "k" << ContactFact(**contact))
    for index, (name, values) in enumerate(spec.facts):
        # Bound as a whole (its cf read in the action), so rules testing the same derived
        # fact in the same place share every alpha node down to the capture.
        fact = DerivedFact(contact=MATCH.c, name=name, value=_values_test(values))
        patterns.append(f"f{index}" << fact)
    salience = 10 if spec.derives_facts else 0
    return rule_with_action(tuple(patterns), _make_action(spec, len(spec.facts), lookahead), salience)


def _values_test(values: frozenset[str]):
    """An Experta field constraint for 'one of these values'."""
    if len(values) == 1:
        return next(iter(values))
    return P(values.__contains__)


def _answer_test(values: frozenset[str]):
    if "answered" in values:
        values = (values - {"answered"}) | frozenset(ANSWERS)
    return _values_test(values)


_MEMO_SIZE = 4096  # distinct titles (or departments) one pattern remembers


def _memo(test: Callable[[object], bool]) -> Callable[[object], bool]:
    """``test`` that answers each distinct value once: titles and departments repeat across
    contacts (an account has many 工程师 and one 总经理), so a pattern runs once per distinct
    text instead of once per contact."""
    seen: dict[object, bool] = {}

    def memo(value: object) -> bool:
        hit = seen.get(value)
        if hit is None:
            if len(seen) >= _MEMO_SIZE:
                seen.clear()
            hit = seen[value] = bool(test(value))
        return hit

    return memo


def _text_test(match) -> P:
    return P(_memo(match))


def _any_part(match) -> Callable[[tuple[str, ...]], bool]:
    """A test on a title's posts or grades: does any one of them match?"""

    def test(parts: tuple[str, ...]) -> bool:
        return any(match(part) for part in parts)

    return _memo(test)


def _static_patterns(spec: RuleSpec, contact: dict) -> None:
    """The static conditions of ``spec`` as field tests on the contact fact (the plain way)."""
    if spec.title is not None:
        if spec.title.part == "any":
            contact["title"] = _text_test(spec.title)
        else:
            contact[f"title_{spec.title.part}s"] = P(_any_part(spec.title))
    for name, values in spec.account:
        contact[name] = P(values.__and__) if name == "scope" else _values_test(values)
    if spec.department is not None:
        contact["department"] = _text_test(spec.department)
    for name, values in spec.contact:
        contact[name] = _values_test(values)
    if spec.has_reports is not None:
        contact["has_reports"] = spec.has_reports
    if spec.manager == "none":
        contact["reports_to"] = ""


def new_fact(kind: type[Fact], fields: dict) -> Fact:
    """``kind(**fields)`` for fields that are already immutable (text, booleans, tuples, sets
    of text), without experta's per-field ``freeze`` dispatch: the same fact, built faster."""
    fact = kind()
    dict.update(fact, {key: value if isinstance(value, _PLAIN) else freeze(value)
                       for key, value in fields.items()})
    return fact


_PLAIN = (str, bool, int, float, type(None), tuple, frozenset)  # what freeze() returns unchanged


def _make_action(spec: RuleSpec, fact_count: int,
                 lookahead: tuple[str, frozenset[str]] | None) -> Callable:
    """The right-hand side of one rule. A factory, so each action binds its own ``spec``."""
    fact_names = [f"f{i}" for i in range(fact_count)]

    def action(engine, **bindings) -> None:
        premise = min((bindings[name]["cf"] for name in fact_names), default=1.0)
        engine.rolefinder.record(spec, bindings["c"], premise, lookahead)

    action.__name__ = spec.id
    return action
