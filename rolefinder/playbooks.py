"""Playbooks: what to say, bring and do when visiting each buying role (the ``playbooks:`` section).

Playbooks are knowledge, so they live in rule packs next to the rules that identify the roles,
and trainers change them without touching code. Packs stack: a later pack (an industry pack,
the user's ``--rules``) replaces single fields of a role, so a hospital pack can swap the
format of clinician visits without restating the messages. The knowledge loader calls
:func:`validate_section` with every pack's section; :func:`playbooks_of` merges them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rolefinder.errors import Problem
from rolefinder.sectioncheck import SectionChecker, section_messages
from rolefinder.yamlsource import YamlList, YamlMap, type_name

SECTION_KEYS = ("when", "visitors", "formats", "priority", "calendar", "roles", "attitudes", "accounts",
                "evaluation")
WHEN_KEYS = ("offering_type", "function")  # what a section's `when:` may test
ROLE_KEYS = ("weight", "objective", "messages", "materials", "visitors", "formats", "cadence_days")
PRIORITY_KEYS = ("influence", "attitude", "per_unknown", "max_unknowns")
CALENDAR_KEYS = ("visits_per_day", "horizon_days", "min_days", "max_per_month", "influence", "attitude")
ACCOUNT_KEYS = ("cadence_factor", "visitors", "note")
INFLUENCE_LEVELS = ("high", "medium", "low", "unknown")
ATTITUDE_LEVELS = ("champion", "supporter", "neutral", "opponent", "unknown")
ATTITUDES = ATTITUDE_LEVELS[:-1]
NO_ROLE = "unknown"  # the playbook for a contact with no role yet

MESSAGES = section_messages(
    {
        "unknown_role": {
            "en": "unknown role {value!r}; known: {allowed}",
            "zh": "未知角色 {value!r};已知角色:{allowed}",
        },
        "undefined_ref": {
            "en": "{kind} {value!r} is not defined in any pack's playbooks.{kind}s",
            "zh": "{kind} {value!r} 未在任何规则包的 playbooks.{kind}s 中定义",
        },
        "range": {
            "en": "expected a number from {low} to {high}",
            "zh": "应为 {low} 到 {high} 之间的数",
        },
    }
)


@dataclass
class RolePlay:
    """How to approach one role; fields left ``None`` fall back to the no-role playbook."""

    weight: float | None = None
    objective: dict[str, str] | None = None
    messages: list[dict[str, str]] | None = None
    materials: list[dict[str, str]] | None = None
    visitors: list[str] | None = None
    formats: list[str] | None = None
    cadence_days: int | None = None


@dataclass
class Playbooks:
    """Every pack's playbooks merged, later packs winning field by field."""

    visitors: dict[str, dict[str, str]] = field(default_factory=dict)
    formats: dict[str, dict[str, str]] = field(default_factory=dict)
    influence: dict[str, float] = field(default_factory=lambda: dict.fromkeys(INFLUENCE_LEVELS, 1.0))
    attitude: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ATTITUDE_LEVELS, 1.0))
    per_unknown: float = 0.0
    max_unknowns: int = 0
    visits_per_day: int = 2
    horizon_days: int = 90
    # follow-up rhythm: the role's cadence × these factors × the account class's, never more
    # often than every min_days (15: at most two visits a month to one person)
    min_days: int = 15
    max_per_month: int = 2
    cadence_influence: dict[str, float] = field(default_factory=lambda: dict.fromkeys(INFLUENCE_LEVELS, 1.0))
    cadence_attitude: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ATTITUDE_LEVELS, 1.0))
    roles: dict[str, RolePlay] = field(default_factory=dict)
    attitudes: dict[str, dict[str, str]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    evaluation: list[dict[str, str]] = field(default_factory=list)

    def role(self, role_id: str | None) -> RolePlay:
        """The complete playbook of a role: its own fields, the no-role playbook's for the rest."""
        base = self.roles.get(NO_ROLE, RolePlay())
        own = self.roles.get(role_id or NO_ROLE, RolePlay())
        merged = {k: getattr(own, k) if getattr(own, k) is not None else getattr(base, k)
                  for k in vars(base)}
        defaults = {"weight": 0.3, "objective": {"zh": "", "en": ""}, "messages": [],
                    "materials": [], "visitors": [], "formats": [], "cadence_days": 30}
        return RolePlay(**{k: v if v is not None else defaults[k] for k, v in merged.items()})


# --------------------------------------------------------------------------- validation


class _Checker(SectionChecker):
    """Collects problems for one pack's section, located by line, and the ids it refers to."""

    messages = MESSAGES

    def __init__(self, path: str, roles: Iterable[str]) -> None:
        super().__init__(path)
        self.roles = set(roles)
        self.refs: list[tuple[str, int | None, str, str, str]] = []  # path, line, where, kind, id

    def texts(self, value: Any, line: int | None, where: str) -> list[dict[str, str]] | None:
        if not isinstance(value, YamlList):
            self.add(line, where, "expected_type", expected="list", got=type_name(value))
            return None
        out = [self.bilingual(v, value.line_of(i), f"{where}[{i}]") for i, v in enumerate(value)]
        return out if None not in out else None

    def number(self, value: Any, line: int | None, where: str, low: float, high: float,
               integer: bool = False) -> float | None:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            self.add(line, where, "range", low=low, high=high)
            return None
        return value

    def ids(self, value: Any, line: int | None, where: str, kind: str) -> list[str] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(line, where, "expected_type", expected="list of ids", got=type_name(value))
            return None
        self.refs += [(self.path, line, where, kind, v) for v in value]
        return list(value)

    def levels(self, value: Any, line: int | None, where: str, allowed: tuple[str, ...]) -> dict:
        body = self.mapping(value, line, where)
        if body is None:
            return {}
        self.keys(body, allowed, where)
        return {k: v for k in body if k in allowed
                if (v := self.number(body[k], body.line_of(k), f"{where}.{k}", 0.0, 10.0)) is not None}


def section_when(data: Any) -> dict[str, frozenset[str]]:
    """A section's ``when:`` (already validated): which offering types and contact functions
    it is written for. Empty: every account and contact."""
    when = data.get("when") if isinstance(data, dict) else None
    if not isinstance(when, dict):
        return {}
    return {k: frozenset(str(v) for v in when[k]) for k in WHEN_KEYS if isinstance(when.get(k), list)}


def applies(data: Any, offering_type: str | None, functions: Iterable[str]) -> bool:
    """Whether a section applies to an account selling ``offering_type``, for a contact whose
    derived functions are ``functions``. ``None`` (account level) matches sections without a
    function condition only."""
    when = section_when(data)
    if "offering_type" in when and offering_type not in when["offering_type"]:
        return False
    return "function" not in when or bool(when["function"] & set(functions))


def _check_when(check: _Checker, body: YamlMap) -> None:
    when = check.mapping(body["when"], body.line_of("when"), "playbooks.when")
    if when is None:
        return
    check.keys(when, WHEN_KEYS, "playbooks.when")
    for key in WHEN_KEYS:
        if key in when:
            value = when[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                check.add(when.line_of(key), f"playbooks.when.{key}", "expected_type",
                          expected="list of ids", got=type_name(value))


def _check_entry(check: _Checker, data: Any, into: Playbooks) -> None:
    """Validate one pack's ``playbooks:`` mapping and merge it into ``into``."""
    body = check.mapping(data, getattr(data, "line", None), "playbooks")
    if body is None:
        return
    check.keys(body, SECTION_KEYS, "playbooks")
    if "when" in body:
        _check_when(check, body)
    for kind in ("visitors", "formats"):
        labels = check.mapping(body[kind], body.line_of(kind), f"playbooks.{kind}") if kind in body else None
        for key, text in (labels or {}).items():
            label = check.bilingual(text, labels.line_of(key), f"playbooks.{kind}.{key}")
            if label:
                getattr(into, kind)[key] = label
    _check_priority(check, body, into)
    _check_roles(check, body, into)
    _check_attitudes(check, body, into)
    _check_accounts(check, body, into)
    if "evaluation" in body:
        into.evaluation += check.texts(body["evaluation"], body.line_of("evaluation"),
                                       "playbooks.evaluation") or []


def _check_priority(check: _Checker, body: YamlMap, into: Playbooks) -> None:
    if "priority" in body:
        prio = check.mapping(body["priority"], body.line_of("priority"), "playbooks.priority")
        if prio is not None:
            check.keys(prio, PRIORITY_KEYS, "playbooks.priority")
            if "influence" in prio:
                into.influence.update(check.levels(prio["influence"], prio.line_of("influence"),
                                                   "playbooks.priority.influence", INFLUENCE_LEVELS))
            if "attitude" in prio:
                into.attitude.update(check.levels(prio["attitude"], prio.line_of("attitude"),
                                                  "playbooks.priority.attitude", ATTITUDE_LEVELS))
            if "per_unknown" in prio:
                value = check.number(prio["per_unknown"], prio.line_of("per_unknown"),
                                     "playbooks.priority.per_unknown", 0.0, 10.0)
                into.per_unknown = value if value is not None else into.per_unknown
            if "max_unknowns" in prio:
                value = check.number(prio["max_unknowns"], prio.line_of("max_unknowns"),
                                     "playbooks.priority.max_unknowns", 0, 100, integer=True)
                into.max_unknowns = value if value is not None else into.max_unknowns
    if "calendar" in body:
        cal = check.mapping(body["calendar"], body.line_of("calendar"), "playbooks.calendar")
        if cal is not None:
            check.keys(cal, CALENDAR_KEYS, "playbooks.calendar")
            for key, high in (("visits_per_day", 50), ("horizon_days", 3650), ("min_days", 365),
                              ("max_per_month", 31)):
                if key in cal:
                    value = check.number(cal[key], cal.line_of(key), f"playbooks.calendar.{key}",
                                         1, high, integer=True)
                    if value is not None:
                        setattr(into, key, value)
            if "influence" in cal:
                into.cadence_influence.update(check.levels(cal["influence"], cal.line_of("influence"),
                                                           "playbooks.calendar.influence", INFLUENCE_LEVELS))
            if "attitude" in cal:
                into.cadence_attitude.update(check.levels(cal["attitude"], cal.line_of("attitude"),
                                                          "playbooks.calendar.attitude", ATTITUDE_LEVELS))


def _check_roles(check: _Checker, body: YamlMap, into: Playbooks) -> None:
    roles = check.mapping(body["roles"], body.line_of("roles"), "playbooks.roles") if "roles" in body else None
    for rid, spec in (roles or {}).items():
        where, line = f"playbooks.roles.{rid}", roles.line_of(rid)
        if rid != NO_ROLE and rid not in check.roles:
            check.add(line, where, "unknown_role", value=rid,
                      allowed=", ".join([*sorted(check.roles), NO_ROLE]))
            continue
        spec = check.mapping(spec, line, where)
        if spec is None:
            continue
        check.keys(spec, ROLE_KEYS, where)
        play = into.roles.setdefault(rid, RolePlay())
        _check_role(check, spec, where, play)


def _check_role(check: _Checker, spec: YamlMap, where: str, play: RolePlay) -> None:
    parsers = {
        "weight": lambda v, ln, w: check.number(v, ln, w, 0.0, 10.0),
        "objective": check.bilingual,
        "messages": check.texts,
        "materials": check.texts,
        "visitors": lambda v, ln, w: check.ids(v, ln, w, "visitor"),
        "formats": lambda v, ln, w: check.ids(v, ln, w, "format"),
        "cadence_days": lambda v, ln, w: check.number(v, ln, w, 1, 3650, integer=True),
    }
    for key, parse in parsers.items():
        if key in spec:
            value = parse(spec[key], spec.line_of(key), f"{where}.{key}")
            if value is not None:
                setattr(play, key, value)


def _check_attitudes(check: _Checker, body: YamlMap, into: Playbooks) -> None:
    if "attitudes" not in body:
        return
    notes = check.mapping(body["attitudes"], body.line_of("attitudes"), "playbooks.attitudes")
    if notes is None:
        return
    check.keys(notes, ATTITUDES, "playbooks.attitudes")
    for key in notes:
        if key in ATTITUDES:
            text = check.bilingual(notes[key], notes.line_of(key), f"playbooks.attitudes.{key}")
            if text:
                into.attitudes[key] = text


def _check_accounts(check: _Checker, body: YamlMap, into: Playbooks) -> None:
    if "accounts" not in body:
        return
    classes = check.mapping(body["accounts"], body.line_of("accounts"), "playbooks.accounts")
    for cls, spec in (classes or {}).items():
        where = f"playbooks.accounts.{cls}"
        spec = check.mapping(spec, classes.line_of(cls), where)
        if spec is None:
            continue
        check.keys(spec, ACCOUNT_KEYS, where)
        entry = into.accounts.setdefault(str(cls), {"cadence_factor": 1.0, "visitors": [], "note": None})
        if "cadence_factor" in spec:
            value = check.number(spec["cadence_factor"], spec.line_of("cadence_factor"),
                                 f"{where}.cadence_factor", 0.05, 20.0)
            entry["cadence_factor"] = value if value is not None else entry["cadence_factor"]
        if "visitors" in spec:
            entry["visitors"] = check.ids(spec["visitors"], spec.line_of("visitors"),
                                          f"{where}.visitors", "visitor") or []
        if "note" in spec:
            entry["note"] = check.bilingual(spec["note"], spec.line_of("note"), f"{where}.note")


def merge_sections(entries: list[tuple[str, str, Any]], roles: Iterable[str]
                   ) -> tuple[Playbooks, list[Problem]]:
    """Merge the given packs' playbooks in load order; return them with every problem found."""
    roles = list(roles)
    into, problems, refs = Playbooks(), [], []
    for _pack, path, data in entries:
        check = _Checker(path, roles)
        _check_entry(check, data, into)
        problems += check.problems
        refs += check.refs
    for path, line, where, kind, value in refs:
        if value not in getattr(into, f"{kind}s"):
            problems.append(Problem(path, line, where, "undefined_ref",
                                    {"kind": kind, "value": value}, MESSAGES))
    return into, problems


def validate_section(entries: list[tuple[str, str, Any]], roles: dict, questions: dict) -> list[Problem]:
    """Called by the knowledge loader: every problem in every pack's ``playbooks:``."""
    return merge_sections(entries, roles)[1]


def playbooks_of(knowledge: Any, offering_type: str | None = None,
                 functions: Iterable[str] | None = None) -> Playbooks:
    """The merged playbooks of loaded (hence already valid) knowledge.

    Sections with a ``when:`` join only for the account's offering type and, with
    ``functions`` (a contact's derived functions), for contacts in those functions: a hospital
    pack speaks of clinical evidence to clinicians, of health economics only when a drug is sold.
    """
    key = (offering_type, frozenset(functions) if functions is not None else None)
    cache = getattr(knowledge, "_playbooks", None)
    if not isinstance(cache, dict):
        cache = {}
        with contextlib.suppress(AttributeError):  # a frozen stand-in: just not cached
            object.__setattr__(knowledge, "_playbooks", cache)
    if key not in cache:
        entries = [e for e in knowledge.sections.get("playbooks", [])
                   if applies(e[2], offering_type, functions or ())]
        cache[key] = merge_sections(entries, knowledge.roles)[0]
    return cache[key]
