"""From an account to conclusions: roles with certainty and status, next questions, gaps.

:func:`identify` runs the rule engine over the org chart (managers first), combines each
role's evidence with MYCIN certainty factors (:mod:`rolefinder.certainty`), and prices every
unasked question with the engine's look-ahead evidence to choose the next one. The result is
plain data (:class:`Identification`) that the CLI, the interview, the plans and the trainer
mode all read; ``to_dict()`` gives the JSON the README documents.
"""

from __future__ import annotations

import dataclasses
import gc
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from rolefinder import split
from rolefinder.account import Account, Contact
from rolefinder.certainty import bound_chart, combine
from rolefinder.engine import Collected, Firing
from rolefinder.gaps import Gap, find_gaps
from rolefinder.knowledge import LEVELS, AccountRule, Knowledge, Thresholds
from rolefinder.pricing import Effect, NextQuestion, account_view, price_questions
from rolefinder.setting import Setting

__all__ = ["ContactResult", "Effect", "Evidence", "Identification", "NextQuestion", "RoleBelief",
           "identify", "identify_cached", "identify_file", "reidentify"]

LOWERED_MARGIN = 0.01  # `lower_to: possible` leaves a belief this far below probable
BATCH = 16  # contacts per engine run: amortises reset() without growing Experta's joins (measured)


class Evidence(NamedTuple):
    """One rule's contribution to one role of one contact."""

    rule: str
    role: str
    certainty: float
    reason: dict[str, str]
    # "chart" (a rule that tests no answer), "answer" (it tests one) or "account" (an account
    # rule): the order they combine in, the chart's bounded first (see rolefinder.certainty).
    kind: str = "chart"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "certainty": round(self.certainty, 3), "reason": self.reason}


class RoleBelief(NamedTuple):
    """What is concluded about one role of one contact, and from what."""

    role: str
    cf: float
    status: str | None
    evidence: tuple[Evidence, ...]

    @property
    def certainty(self) -> float:
        """The certainty that the contact holds the role, in [0, 1]."""
        return max(0.0, self.cf)

    def steps(self) -> list[tuple[Evidence, float, float]]:
        """How the certainty built up: (evidence, total before it, total after it), in the
        order the evidence combines. Where the org chart's evidence ends, its total is bounded
        (:func:`~rolefinder.certainty.bound_chart`), so the next step may start from the
        bounded value rather than where the last chart step ended."""
        return _running(self.evidence)

    @property
    def chart_bounded(self) -> tuple[float, float] | None:
        """(the org chart's own total, the bound it was held to) when the bound took effect."""
        raw = _chart_total(self.evidence)
        bounded = bound_chart(raw)
        return (raw, bounded) if bounded != raw else None

    def to_dict(self, labels: dict[str, str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "role": self.role,
            "certainty": round(self.certainty, 3),
            "cf": round(self.cf, 3),
            "status": self.status,
            "evidence": [e.to_dict() for e in self.evidence],
        }
        if labels is not None:
            out["label"] = labels
        return out


class DerivedFactValue(NamedTuple):
    name: str
    value: str
    cf: float
    rule: str


@dataclass
class ContactResult:
    """Everything concluded about one contact."""

    contact: Contact
    beliefs: dict[str, RoleBelief]  # every role with any evidence, decided or not
    derived: list[DerivedFactValue]
    next_question: NextQuestion | None
    candidates: list[NextQuestion] = field(default_factory=list)  # priced, those asked first
    firings: list[Firing] = field(default_factory=list)
    thresholds: Thresholds = field(default_factory=Thresholds)
    collected: Collected | None = field(default=None, repr=False)  # what the engine found
    own: list[NextQuestion] | None = field(default=None, repr=False)  # priced before the account view

    @property
    def asking(self) -> list[NextQuestion]:
        """The questions the interview would ask about this contact, in order."""
        return [q for q in self.candidates if q.asked]

    @cached_property
    def roles(self) -> list[RoleBelief]:
        """Roles with a status, strongest first. Worked out once: a result's beliefs are never
        changed (a new conclusion is a new result), and the account-wide steps read them often."""
        decided = [b for b in self.beliefs.values() if b.status is not None]
        return sorted(decided, key=lambda b: -b.cf)

    @cached_property
    def held(self) -> list[str]:
        """Role ids the contact is taken to hold (probable or confirmed), strongest first."""
        return [b.role for b in self.roles if self.thresholds.holds(b.cf)]

    @property
    def primary_role(self) -> str | None:
        held = self.held
        return held[0] if held else None

    def belief(self, role: str) -> RoleBelief | None:
        return self.beliefs.get(role)

    def to_dict(self, knowledge: Knowledge, shared: dict[int, dict] | None = None) -> dict[str, Any]:
        """The contact's JSON. ``shared`` (id of a belief -> its dict) lets a caller that writes
        many contacts encode a belief shared by contacts alike once; the caller keeps the
        beliefs alive meanwhile (the result does) and never changes the dicts."""
        c = self.contact
        if shared is None:
            roles = [b.to_dict(knowledge.roles[b.role].label) for b in self.roles]
        else:
            roles = []
            for b in self.roles:
                found = shared.get(id(b))
                if found is None:
                    found = shared[id(b)] = b.to_dict(knowledge.roles[b.role].label)
                roles.append(found)
        return {
            "id": c.id,
            "name": c.name,
            "title": c.title or None,
            "department": c.department or None,
            "reports_to": c.reports_to,
            "influence": c.influence,
            "attitude": c.attitude,
            "primary_role": self.primary_role,
            "roles": roles,
            "facts": [
                {"name": d.name, "value": d.value, "certainty": round(d.cf, 3), "rule": d.rule}
                for d in self.derived
            ],
            "answers": dict(c.answers),
            "next_question": self.next_question.to_dict() if self.next_question else None,
        }


@dataclass
class Identification:
    """The conclusions for a whole account."""

    account: Account
    knowledge: Knowledge
    contacts: list[ContactResult]
    gaps: list[Gap]
    # Per contact, the conclusions before the account rules ran (what reidentify starts from).
    raw: dict[str, ContactResult] = field(default_factory=dict, repr=False)
    setting: Setting = field(default_factory=Setting)
    # The engine's findings per contact, reused by reidentify (see rolefinder.memo); None: none kept.
    memo: Any = field(default=None, repr=False)

    def contact(self, contact_id: str) -> ContactResult:
        for result in self.contacts:
            if result.contact.id == contact_id:
                return result
        self.account.contact(contact_id)  # raises the friendly error
        raise KeyError(contact_id)

    def holders(self, role: str) -> list[ContactResult]:
        return [r for r in self.contacts if role in r.held]

    def head_dict(self) -> dict[str, Any]:
        """The keys of :meth:`to_dict` before ``contacts`` (streamed output writes them first)."""
        a = self.account
        header = {"name": a.name, "industry": a.industry, "offering": a.offering, **a.fields}
        return {
            "account": header,
            "packs": [p.name for p in self.knowledge.packs],
            "thresholds": self.knowledge.thresholds._asdict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole result as one dict; :mod:`rolefinder.output` streams the same JSON."""
        return {
            **self.head_dict(),
            "contacts": [r.to_dict(self.knowledge) for r in self.contacts],
            "gaps": [g.to_dict() for g in self.gaps],
        }


# --------------------------------------------------------------------------- running


def identify(
    account: Account,
    knowledge: Knowledge | None = None,
    *,
    listener: Callable[[Firing], None] | None = None,
    memo: Any = None,
) -> Identification:
    """Identify the roles of every contact of ``account``.

    ``knowledge`` defaults to the packs the account was loaded with. ``listener`` receives
    every rule firing as it happens (``identify --trace`` uses it). ``memo``
    (:class:`rolefinder.memo.EngineMemo`) reuses the engine's findings for contacts it has seen
    with the same inputs; the result is the same.
    """
    knowledge = knowledge or account.knowledge
    if knowledge is None:
        from rolefinder.knowledge import load_knowledge

        knowledge = load_knowledge(account.industry)
    engine = knowledge.engine()
    engine.listener = listener
    try:
        with _fewer_collections():
            setting = knowledge.setting(account)
            workers = 1 if listener is not None else split.workers(len(account.contacts))
            results = _run_by_depth(account.contacts, knowledge, engine, setting, memo, workers)
            return _finish(account, knowledge, results, setting, memo)
    finally:
        engine.listener = None


@contextmanager
def _fewer_collections(gen0: int = 50_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often while the engine runs.

    Rete tokens are short-lived and many; with the default threshold the collector keeps
    re-walking every result already built, which cost 13% on 10,000 contacts (measured in
    benchmarks/identify.py). Peak memory is unchanged; the old threshold comes back after.
    A caller that already collects even less often (the CLI does, for the whole command) keeps
    its setting.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(gen0, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def reidentify(previous: Identification, contact_id: str) -> Identification:
    """Identify again after one contact changed (an answer, influence, attitude).

    Only that contact is re-run, plus the people below them when one of their statuses
    changed, which keeps an interview step fast on large accounts.
    """
    knowledge, account = previous.knowledge, previous.account
    engine = knowledge.engine()
    setting = knowledge.setting(account)
    by_id = dict(previous.raw) or {r.contact.id: r for r in previous.contacts}
    children = _children(account.contacts)
    has_reports = {cid: bool(kids) for cid, kids in children.items()}
    contacts = {c.id: c for c in account.contacts}
    todo = [contact_id]
    while todo:
        batch, todo = todo[:BATCH], todo[BATCH:]
        fresh = _judge(batch, contacts, has_reports, by_id, knowledge, engine, setting, previous.memo)
        for cid, result in fresh.items():
            old = by_id.get(cid)
            by_id[cid] = result
            if old is None or _levels(old) != _levels(result):
                todo.extend(children.get(cid, []))
    return _finish(account, knowledge, by_id, setting, previous.memo)


def _finish(account: Account, knowledge: Knowledge, raw: dict[str, ContactResult],
            setting: Setting, memo: Any = None) -> Identification:
    """Apply the account rules, then the account view of the questions, and find the gaps."""
    ordered = [raw[c.id] for c in account.contacts]
    final, findings = _account_rules(ordered, knowledge)
    final = account_view(final, knowledge)
    gaps = find_gaps(account, final, knowledge) + findings
    return Identification(account, knowledge, final, gaps, raw, setting, memo)


def _account_rules(results: list[ContactResult], knowledge: Knowledge) -> tuple[list[ContactResult], list[Gap]]:
    """Reason about the account as a whole, in pack order (see AccountRule).

    A rule that raises a role adds, for each candidate, just the evidence that lifts the
    candidate's certainty to the rule's status (MYCIN combination), so the contact's
    explanation shows it and the next question is priced from it.
    """
    t = knowledge.thresholds
    current = list(results)
    ids = {r.contact.id for r in current}
    findings: list[Gap] = []
    for rule in knowledge.account_rules:
        level = LEVELS[rule.status]
        holders = [r for r in current if t.level(_cf(r, rule.role)) >= level]
        if not rule.holds(len(holders)):
            continue
        if rule.finding:
            findings.append(Gap(rule.id, rule.finding, rule.reason,
                                tuple(r.contact.id for r in holders), rule.role))
            continue
        if rule.lower_to:
            # Just below the next status up: the holders stay the strongest candidates, tied.
            target = t.probable - LOWERED_MARGIN
            pool = [i for i, r in enumerate(current) if _is_candidate(r, rule, ids)
                    and t.level(_cf(r, rule.role)) > LEVELS[rule.lower_to]
                    and not _answered(r, rule.role, knowledge)]
        else:
            target = getattr(t, rule.raise_to) + 1e-9
            said_no = _said_no(rule.role, knowledge)
            pool = [i for i, r in enumerate(current) if _is_candidate(r, rule, ids)
                    and 0 <= _cf(r, rule.role) < target and not said_no(r.contact)]
        if rule.strongest and pool:
            best = max(_cf(current[i], rule.role) for i in pool)
            pool = [i for i in pool if _cf(current[i], rule.role) >= best - 1e-9]
        for i in pool:
            r = current[i]
            before = _cf(r, rule.role)
            # The MYCIN evidence that moves `before` to `target`: for it (a raise) or against it.
            step = (target - before) / (1 - before) if target > before else (target - before) / (1 - target)
            found = r.collected or Collected()
            found = dataclasses.replace(found, evidence={**found.evidence, (rule.id, rule.role): step})
            current[i] = _conclude(r.contact, found, knowledge)
    return current, findings


def _answered(result: ContactResult, role: str, knowledge: Knowledge) -> bool:
    """Whether any evidence about ``role`` comes from an answer (account rules never override one)."""
    belief = result.beliefs.get(role)
    return bool(belief) and any(getattr(knowledge.rule(e.rule), "answers", ()) for e in belief.evidence)


def _said_no(role: str, knowledge: Knowledge) -> Callable[[Contact], bool]:
    """Whether a contact answered no to a question that defines ``role``: an account rule never
    raises the role of someone whose own answer rules it out."""
    from rolefinder.pricing import definitions

    questions = definitions(knowledge).defined_by.get(role, ())
    return lambda contact: any(contact.answers.get(q) == "no" for q in questions)


def _cf(result: ContactResult, role: str) -> float:
    belief = result.beliefs.get(role)
    return belief.cf if belief else 0.0


def _is_candidate(result: ContactResult, rule: AccountRule, ids: set[str]) -> bool:
    """Whether ``result`` meets the rule's candidate conditions (``ids``: every contact's id)."""
    derived = {(d.name, d.value) for d in result.derived}
    if any(not any((name, v) in derived for v in values) for name, values in rule.facts):
        return False
    if rule.manager == "none":
        return result.contact.reports_to is None or result.contact.reports_to not in ids
    return True


def _children(contacts: list[Contact]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c.id: [] for c in contacts}
    for c in contacts:
        if c.reports_to in out:
            out[c.reports_to].append(c.id)
    return out


def _depths(contacts: list[Contact]) -> dict[str, int]:
    by_id = {c.id: c for c in contacts}
    depth: dict[str, int] = {}

    def walk(cid: str) -> int:
        chain = []
        while cid not in depth:
            chain.append(cid)
            parent = by_id[cid].reports_to
            if parent is None or parent not in by_id or parent in chain:
                depth[cid] = 0
                chain.pop()
                break
            cid = parent
        base = depth[cid]
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
        return depth[chain[0]] if chain else base

    for c in contacts:
        walk(c.id)
    return depth


def _levels(result: ContactResult) -> dict[str, int]:
    t = result.thresholds
    return {role: t.level(b.cf) for role, b in result.beliefs.items()}


def _run_by_depth(contacts: list[Contact], knowledge: Knowledge, engine,
                  setting: Setting, memo: Any = None, workers: int = 1) -> dict[str, ContactResult]:
    """Every contact's conclusions, managers first; with ``workers`` 2, the subtrees below the
    top of the chart are shared with a forked process (:mod:`rolefinder.split`)."""
    depth = _depths(contacts)
    children = _children(contacts)
    has_reports = {cid: bool(kids) for cid, kids in children.items()}
    by_id = {c.id: c for c in contacts}
    by_level: dict[int, list[str]] = {}
    for c in contacts:
        by_level.setdefault(depth[c.id], []).append(c.id)

    def judge(part: dict[int, list[str]], known: Mapping[str, ContactResult]) -> dict[str, ContactResult]:
        found: dict[str, ContactResult] = {}
        view = ChainMap(found, known)  # what is judged so far, to read managers' statuses from
        for level in sorted(part):
            ids = part[level]
            for start in range(0, len(ids), BATCH):
                found.update(_judge(ids[start:start + BATCH], by_id, has_reports, view,
                                    knowledge, engine, setting, memo))
        return found

    level = split.split_level(depth) if workers > 1 else None
    if level is None:
        return judge(by_level, {})
    results = judge({lv: ids for lv, ids in by_level.items() if lv < level}, {})
    parent = {c.id: c.reports_to for c in contacts}
    mine, theirs = split.halves([c.id for c in contacts], depth, parent, level)

    def judge_there(part: dict[int, list[str]]) -> dict[str, ContactResult]:
        if memo is not None:
            memo.detach()  # in the child: what it adds goes back with its results
        return judge(part, results)

    both, extra = split.judge_in_halves(mine, theirs, lambda part: judge(part, results), judge_there,
                                        memo.delta if memo is not None else None)
    if extra is not None:
        memo.absorb(extra)
    results.update(both)
    split.restore(results, by_id)
    return results


def _judge(ids: list[str], by_id: dict[str, Contact], has_reports: dict[str, bool],
           known: Mapping[str, ContactResult], knowledge: Knowledge, engine,
           setting: Setting, memo: Any = None) -> dict[str, ContactResult]:
    managers = {by_id[cid].reports_to for cid in ids} - {None}
    levels = [
        (m, role, level)
        for m in managers if m in known
        for role, level in _levels(known[m]).items() if level
    ]
    batch = [(by_id[cid], has_reports[cid]) for cid in ids]
    collected = engine.run(batch, levels, setting) if memo is None else memo.run(engine, batch, levels, setting)
    return {cid: _conclude(by_id[cid], collected[cid], knowledge) for cid in ids}


def _conclude(contact: Contact, found: Collected, knowledge: Knowledge) -> ContactResult:
    thresholds = knowledge.thresholds
    per_role: dict[str, list[tuple[str, float]]] = {}
    for (rule_id, role), cf in found.evidence.items():
        per_role.setdefault(role, []).append((rule_id, cf))
    known = knowledge.engine().beliefs  # contacts alike share their (immutable) beliefs
    beliefs = {}
    for role in knowledge.roles:
        if role in per_role:
            key = (role, tuple(per_role[role]), thresholds)
            belief = known.get(key)
            if belief is None:
                if len(known) >= 8192:
                    known.clear()
                belief = known[key] = _belief(role, per_role[role], knowledge)
            beliefs[role] = belief
    # Sorted, so the order does not depend on which rule happened to fire first.
    derived = [DerivedFactValue(n, v, cf, rule) for (n, v), (cf, rule) in sorted(found.derived.items())]
    slots = _slots(contact, found, knowledge)
    candidates = price_questions(contact, beliefs, slots, knowledge)
    best = candidates[0] if candidates and candidates[0].asked else None
    return ContactResult(contact, beliefs, derived, best, candidates, found.firings, thresholds,
                         found, candidates)


_KIND_ORDER = {"chart": 0, "answer": 1, "account": 2}


def _kind(spec: Any) -> str:
    if isinstance(spec, AccountRule):
        return "account"
    return "answer" if spec.answers else "chart"


def _belief(role: str, items: list[tuple[str, float]], knowledge: Knowledge) -> RoleBelief:
    """One role's belief from its evidence.

    The org chart's evidence combines first, its total bounded so that an answer always
    overturns it (:func:`~rolefinder.certainty.bound_chart`); then the answers'; then the
    account rules', in the order they were applied (each was worked out to bring the total to
    its status). Within a group the strongest comes first (ties by rule id): the combination
    does not depend on it, but the explanation reads best that way and never depends on which
    rule happened to fire first.
    """
    made = []
    for position, (rule_id, cf) in enumerate(items):
        spec = knowledge.rule(rule_id)
        kind = _kind(spec)
        order = (position,) if kind == "account" else (-abs(cf), rule_id)
        made.append(((_KIND_ORDER[kind], *order), Evidence(rule_id, role, cf, spec.reason, kind)))
    evidence = tuple(e for _, e in sorted(made, key=lambda pair: pair[0]))
    steps = _running(evidence)
    cf = steps[-1][2] if steps else 0.0
    return RoleBelief(role, cf, knowledge.thresholds.status(cf), evidence)


def _chart_total(evidence: Iterable[Evidence]) -> float:
    total = 0.0
    for item in evidence:
        if item.kind == "chart":
            total = combine(total, item.certainty)
    return total


def _running(evidence: tuple[Evidence, ...]) -> list[tuple[Evidence, float, float]]:
    """(evidence, before, after) in order; the chart's total is bounded where the chart ends."""
    total, out = 0.0, []
    chart_done = False
    for item in evidence:
        if item.kind != "chart" and not chart_done:
            total, chart_done = bound_chart(total), True
        before = total
        total = combine(total, item.certainty)
        out.append((item, before, total))
    if out and not chart_done:  # the chart alone: its bounded total is the belief
        item, before, total = out[-1]
        out[-1] = (item, before, bound_chart(total))
    return out


def _slots(contact: Contact, found: Collected, knowledge: Knowledge) -> dict:
    """(question, answer) -> {(rule, role): cf} for the contact's unasked questions: the pack's
    answer-only rules, then what the look-ahead twins found, in pack order (not in the order
    they happened to fire, which depends on the other contacts of the batch). Most slots
    have no look-ahead part; they share the pack's dict instead of copying it."""
    engine = knowledge.engine()
    static, order = engine.static_lookahead, engine.order
    lookahead = found.lookahead
    slots = {}
    for qid in knowledge.questions:
        if qid in contact.answers:
            continue
        for answer in ("yes", "no"):
            key = (qid, answer)
            extra = lookahead.get(key)
            if extra:
                ranked = sorted(extra, key=lambda item: (order[item[0]], item[1]))
                slots[key] = {**static.get(key, {}), **{item: extra[item] for item in ranked}}
            else:
                slots[key] = static.get(key, _EMPTY)
    return slots


_EMPTY: dict = {}


def identify_file(path: str, rules: Iterable[str] = ()) -> Identification:
    """Load an account file and identify it: the one-call API."""
    from rolefinder.account import load_account

    return identify(load_account(path, rules=rules))


def identify_cached(account: Account, path: str) -> Identification:
    """:func:`identify`, reusing the engine's findings the cache folder keeps for the file at
    ``path`` (:mod:`rolefinder.memo`, shared with ``rolefinder interview``) and keeping this
    run's for the next: a file identified again after an edit runs the engine only for the
    contacts whose inputs changed, and when none did, the engine is not even built.

    The result is the one :func:`identify` gives. An account large enough to be split over
    two processes (:mod:`rolefinder.split`) is identified as :func:`identify` does it.
    """
    knowledge = account.knowledge
    if knowledge is None or split.workers(len(account.contacts)) > 1:
        return identify(account)
    from rolefinder.memo import EngineMemo

    memo = EngineMemo.for_file(path, knowledge)
    result = identify(account, knowledge, memo=memo)
    memo.save()
    return result
