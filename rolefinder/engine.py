"""YAML rules become Experta rules; the Rete network matches them against contact facts.

This module holds what the engine concludes and how a contact becomes a fact; the Experta
network itself is built by :mod:`rolefinder.rete` the first time a contact is matched.

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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rolefinder.answers import ABSENT, ANSWERS
from rolefinder.setting import NO_SETTING, Setting
from rolefinder.statics import StaticGroups

if TYPE_CHECKING:
    from rolefinder.account import Contact
    from rolefinder.knowledge import Knowledge, RuleSpec

PRECOMPUTE = True  # test rules' static conditions once per contact (rolefinder.statics); False: as P(...) tests


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
        self._network: Any = None

    @property
    def _engine(self) -> Any:
        """The Experta engine with every rule wired into its Rete network (:mod:`rolefinder.rete`),
        built on first use: a run whose findings all come from the memo (:mod:`rolefinder.memo`)
        neither imports Experta nor builds the network."""
        if self._network is None:
            from rolefinder import rete

            self._network = rete.network(self)
        return self._network

    # ------------------------------------------------------------------ running
    def facts_for(self, contact: Contact, has_reports: bool, setting: Setting = NO_SETTING) -> Any:
        """The contact fact the engine matches (an Experta ``ContactFact``)."""
        from rolefinder import rete

        return rete.new_fact(rete.ContactFact, self.fields_for(contact, has_reports, setting))

    def inputs_for(self, contact: Contact, has_reports: bool, setting: Setting = NO_SETTING) -> dict[str, Any]:
        """What the contact fact is made of, as given. The fact's fields follow from these and
        the packs alone (title parts, implied answers, static flags), so a digest of them and
        of the packs identifies what the engine will find (:mod:`rolefinder.memo`)."""
        return {
            "cid": contact.id,
            "title": contact.title.lower(),
            "offering_type": setting.offering_type,
            "buying_process": setting.buying_process,
            "scope": setting.scope,
            "department": contact.department.lower(),
            "reports_to": contact.reports_to or "",
            "influence": contact.influence or "none",
            "attitude": contact.attitude or "none",
            "has_reports": has_reports,
            "answers": contact.answers,
        }

    def fields_for(self, contact: Contact, has_reports: bool, setting: Setting = NO_SETTING) -> dict[str, Any]:
        """The fields of the contact fact: everything a rule may test about the contact."""
        fields = self.inputs_for(contact, has_reports, setting)
        answers = fields.pop("answers")
        fields["title_posts"], fields["title_grades"] = self.knowledge.titles.split(fields["title"])
        if self.knowledge.implied:  # answers that follow from others count as given
            answers = {**self.knowledge.implied_answers(answers), **answers}
        if self.statics is not None:  # the static fields become one flag per group that holds
            flags = self.statics.holding(fields)
            fields = {"cid": contact.id, "reports_to": fields["reports_to"]}
            fields.update(dict.fromkeys(flags, True))
        for question in self.questions:
            fields[answer_field(question)] = answers.get(question, ABSENT)
        return fields

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
        from rolefinder.rete import StatusFact

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
                self._engine.declare_known(_derived_fact(contact, key, cf))
                self._tell(found, Firing(spec, contact, premise, "fact", f"{key[0]}={key[1]}", cf))

    def _tell(self, found: Collected, firing: Firing) -> None:
        if self.listener is not None:
            found.firings.append(firing)
            self.listener(firing)


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


def _derived_fact(contact: str, key: tuple[str, str], cf: float) -> Any:
    from rolefinder import rete

    return rete.new_fact(rete.DerivedFact, {"contact": contact, "name": key[0], "value": key[1], "cf": cf})
