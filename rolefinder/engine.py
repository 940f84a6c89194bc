"""YAML rules become Experta rules; the Rete network matches them against contact facts.

Facts, per run:

* ``ContactFact``: one per contact, its answers as fields ``a_<question>`` (one fact with fields
  is several times cheaper in Experta than one fact per answer), lower-cased title and
  department, the title's posts and grades (split once per contact, :mod:`rolefinder.setting`),
  ``reports_to`` ('' at the top), influence, attitude, ``has_reports`` and the account's
  setting (offering type, buying process, scope: the same for every contact of a run);
* ``DerivedFact(contact, name, value, cf)``: what fact rules conclude (``seniority: executive``);
* ``StatusFact(contact, role, level)``: a manager's settled role status, so that a rule can
  join a contact to the role of the person they report to.

Contacts are identified managers first, in batches of one org-chart depth, so the manager's
status is final before anyone below is judged; one engine is reset per batch. Rule actions only
record evidence: certainty factors are combined afterwards in :mod:`rolefinder.identification`, and
because MYCIN combination is order-independent, firing order never matters.

Every rule that tests an answer also gets a *look-ahead twin* that matches while the question
is still unasked and records what each answer would add. The same Rete pass that finds the
evidence thus also prices every open question, which is how the next question is chosen
without re-running the engine once per possible answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rolefinder._experta import MATCH, DirtyTrackingMatcher, Fact, LeanEngine, P, Rule, freeze, rule_with_action
from rolefinder.account import Contact
from rolefinder.answers import ABSENT, ANSWERS
from rolefinder.knowledge import LEVELS, Knowledge, RuleSpec
from rolefinder.setting import NO_SETTING, Setting
from rolefinder.statics import Static, StaticGroups

PRECOMPUTE = True  # test rules' static conditions once per contact (rolefinder.statics); False: as P(...) tests


class ContactFact(Fact):
    """A contact, with everything rules may test about them directly."""


class DerivedFact(Fact):
    """A fact a rule derived about a contact, with its certainty."""


class StatusFact(Fact):
    """A manager's role status, settled before the people below them are judged."""


@dataclass
class Firing:
    """One rule firing for one contact: what it concluded, with which certainty."""

    rule: RuleSpec
    contact: str
    premise: float
    kind: str  # "role", "fact" or "lookahead"
    target: str  # role id, or "name=value" for a fact
    cf: float
    answer: tuple[str, str] | None = None  # for look-ahead: (question, answer)


@dataclass
class Collected:
    """What one run found for one contact."""

    evidence: dict[tuple[str, str], float] = field(default_factory=dict)  # (rule, role) -> cf
    derived: dict[tuple[str, str], tuple[float, str]] = field(default_factory=dict)
    lookahead: dict[tuple[str, str], dict[tuple[str, str], float]] = field(default_factory=dict)
    firings: list[Firing] = field(default_factory=list)


def answer_field(question: str) -> str:
    return f"a_{question}"


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


class RoleEngine:
    """The compiled rule set of one :class:`Knowledge`; reused for every account it judges.

    Not thread-safe (Experta engines are not): use one per thread or process.
    """

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.questions = list(knowledge.questions)
        self.manager_roles = {
            spec.manager[0] for spec in knowledge.rules if isinstance(spec.manager, tuple)
        }
        self.static_lookahead = _static_lookahead(knowledge.rules)
        self.order = {spec.id: index for index, spec in enumerate(knowledge.rules)}
        self.listener: Callable[[Firing], None] | None = None
        self._collected: dict[str, Collected] = {}
        self.statics = StaticGroups(knowledge.rules) if PRECOMPUTE else None
        self.beliefs: dict = {}  # (role, its evidence) -> RoleBelief: see identification._conclude
        attrs = {}
        for index, spec in enumerate(knowledge.rules):
            name = re.sub(r"\W", "_", spec.id)
            attrs[f"{name}__{index}"] = self._rule(spec)
            if _answer_only(spec):
                continue  # priced straight from the pack: see static_lookahead
            for q_index, (question, values) in enumerate(spec.answers):
                if ABSENT in values or spec.derives_facts:
                    continue
                attrs[f"{name}__{index}__if_{q_index}"] = self._rule(spec, (question, values))
        attrs["__matcher__"] = DirtyTrackingMatcher
        engine_class = type("RoleRules", (LeanEngine,), attrs)
        self._engine = engine_class()
        self._engine.rolefinder = self

    # ------------------------------------------------------------------ building rules
    def _rule(self, spec: RuleSpec, lookahead: tuple[str, frozenset[str]] | None = None) -> Rule:
        contact: dict = {"cid": MATCH.c}
        for question, values in spec.answers:
            if lookahead is not None and question == lookahead[0]:
                contact[answer_field(question)] = ABSENT
            else:
                contact[answer_field(question)] = _answer_test(values)
        static = Static.of(spec) if self.statics is not None else None
        if static is not None:
            contact[self.statics.field[static]] = True  # tested in facts_for: see rolefinder.statics
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

    # ------------------------------------------------------------------ running
    def facts_for(self, contact: Contact, has_reports: bool, setting: Setting = NO_SETTING) -> ContactFact:
        title = contact.title.lower()
        posts, grades = self.knowledge.titles.split(title)
        fields = {
            "cid": contact.id,
            "title": title,
            "title_posts": posts,
            "title_grades": grades,
            "offering_type": setting.offering_type,
            "buying_process": setting.buying_process,
            "scope": setting.scope,
            "department": contact.department.lower(),
            "reports_to": contact.reports_to or "",
            "influence": contact.influence or "none",
            "attitude": contact.attitude or "none",
            "has_reports": has_reports,
        }
        answers = contact.answers
        if self.knowledge.implied:  # answers that follow from others count as given
            answers = {**self.knowledge.implied_answers(answers), **answers}
        if self.statics is not None:  # the static fields become one flag per group that holds
            flags = self.statics.holding(fields)
            fields = {"cid": contact.id, "reports_to": fields["reports_to"]}
            fields.update(dict.fromkeys(flags, True))
        for question in self.questions:
            fields[answer_field(question)] = answers.get(question, ABSENT)
        return _fact(ContactFact, fields)

    def run(
        self,
        contacts: Iterable[tuple[Contact, bool]],
        manager_levels: Iterable[tuple[str, str, int]] = (),
        setting: Setting = NO_SETTING,
    ) -> dict[str, Collected]:
        """Judge a batch of contacts whose managers' statuses are already known.

        ``contacts`` pairs each contact with whether anyone reports to them;
        ``manager_levels`` holds ``(manager id, role, level)`` for the roles rules join on;
        ``setting`` is the account's (what is sold and how it is bought).
        """
        engine = self._engine
        engine.reset()
        facts = []
        self._collected = {}
        for contact, has_reports in contacts:
            self._collected[contact.id] = Collected()
            facts.append(self.facts_for(contact, has_reports, setting))
        facts.extend(
            StatusFact(contact=manager, role=role, level=level)
            for manager, role, level in manager_levels
            if role in self.manager_roles
        )
        engine.declare(*facts)
        engine.run()
        collected, self._collected = self._collected, {}
        return collected

    # ------------------------------------------------------------------ recording
    def record(self, spec: RuleSpec, contact: str, premise: float,
               lookahead: tuple[str, frozenset[str]] | None) -> None:
        found = self._collected[contact]
        for conclusion in spec.then:
            cf = premise * conclusion.cf
            if lookahead is not None:
                if conclusion.role is None:
                    continue
                for answer in sorted(lookahead[1] & frozenset(ANSWERS)):
                    slot = found.lookahead.setdefault((lookahead[0], answer), {})
                    _keep_strongest(slot, (spec.id, conclusion.role), cf)
                    self._tell(found, Firing(spec, contact, premise, "lookahead", conclusion.role,
                                             cf, (lookahead[0], answer)))
                continue
            if conclusion.role is not None:
                _keep_strongest(found.evidence, (spec.id, conclusion.role), cf)
                self._tell(found, Firing(spec, contact, premise, "role", conclusion.role, cf))
                continue
            key = conclusion.fact
            best = found.derived.get(key)
            if best is not None and cf == best[0] and self.order[spec.id] < self.order[best[1]]:
                found.derived[key] = (cf, spec.id)  # equal strength: credit the rule listed first
            if best is None or cf > best[0]:
                found.derived[key] = (cf, spec.id)
                fact = _fact(DerivedFact, {"contact": contact, "name": key[0], "value": key[1], "cf": cf})
                self._engine.declare_known(fact)
                self._tell(found, Firing(spec, contact, premise, "fact", f"{key[0]}={key[1]}", cf))

    def _tell(self, found: Collected, firing: Firing) -> None:
        if self.listener is not None:
            found.firings.append(firing)
            self.listener(firing)


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


def _fact(kind: type[Fact], fields: dict) -> Fact:
    """``kind(**fields)`` for fields that are already immutable (text, booleans, tuples, sets
    of text), without experta's per-field ``freeze`` dispatch: the same fact, built faster."""
    fact = kind()
    dict.update(fact, {key: value if isinstance(value, _PLAIN) else freeze(value)
                       for key, value in fields.items()})
    return fact


_PLAIN = (str, bool, int, float, type(None), tuple, frozenset)  # what freeze() returns unchanged


def _answer_only(spec: RuleSpec) -> bool:
    """A rule whose whole premise is one answer: what it would add is known without matching."""
    return (
        len(spec.answers) == 1
        and not (spec.title or spec.department or spec.contact or spec.facts or spec.account)
        and spec.manager is None
        and spec.has_reports is None
        and not spec.derives_facts
        and ABSENT not in spec.answers[0][1]
    )


def _static_lookahead(rules: list[RuleSpec]) -> dict[tuple[str, str], dict[tuple[str, str], float]]:
    """(question, answer) -> {(rule, role): cf} for the answer-only rules.

    Such a rule fires for every contact who gives that answer, with premise 1, so its
    look-ahead needs no Rete twin: this halves the firings of a typical run.
    """
    out: dict[tuple[str, str], dict[tuple[str, str], float]] = {}
    for spec in rules:
        if not _answer_only(spec):
            continue
        question, values = spec.answers[0]
        for answer in sorted(values & frozenset(ANSWERS)):
            slot = out.setdefault((question, answer), {})
            for conclusion in spec.then:
                slot[(spec.id, conclusion.role)] = conclusion.cf
    return out


def _keep_strongest(slot: dict, key: tuple[str, str], cf: float) -> None:
    """One rule counts once per role: a rule matching twice (say, through two derived facts)
    keeps its strongest conclusion instead of reinforcing itself."""
    old = slot.get(key)
    if old is None or abs(cf) > abs(old):
        slot[key] = cf


def _make_action(spec: RuleSpec, fact_count: int,
                 lookahead: tuple[str, frozenset[str]] | None) -> Callable:
    """The right-hand side of one rule. A factory, so each action binds its own ``spec``."""
    fact_names = [f"f{i}" for i in range(fact_count)]

    def action(engine, **bindings) -> None:
        premise = min((bindings[name]["cf"] for name in fact_names), default=1.0)
        engine.rolefinder.record(spec, bindings["c"], premise, lookahead)

    action.__name__ = spec.id
    return action
