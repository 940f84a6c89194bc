"""Account classification (大客户 / 潜力客户 / 普通客户) as rules in the ``classification:`` section.

How much to invest in an account is a sales-management judgement that differs per company, so
the thresholds are pack data, not code. Every matching rule's reason is kept: a plan that says
"key account" must also say why. The class with the highest rank among matching rules wins;
nothing matching gives the pack's default class with its default reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rolefinder.errors import Problem
from rolefinder.sectioncheck import SectionChecker, section_messages
from rolefinder.yamlsource import YamlList, YamlMap, type_name

SECTION_KEYS = ("classes", "default", "default_reason", "rules")
CLASS_KEYS = ("rank", "label")
RULE_KEYS = ("id", "class", "when", "reason")
LEVEL_FIELDS = {"potential": ("high", "medium", "low"), "strategic_fit": ("high", "medium", "low")}
NUMBER_FIELDS = ("revenue",)
RANGE_KEYS = ("min", "max")

UNCLASSIFIED = "unclassified"

MESSAGES = section_messages(
    {
        "unknown_class": {
            "en": "unknown account class {value!r}; declared: {allowed}",
            "zh": "未知的客户级别 {value!r};已声明:{allowed}",
        },
        "one_of": {
            "en": "{value!r} is not allowed; expected one of: {allowed}",
            "zh": "不允许的值 {value!r};应为以下之一:{allowed}",
        },
        "required": {"en": "required field is missing", "zh": "缺少必填字段"},
        "no_data": {
            "en": "No revenue, potential or strategic fit recorded for this account: add them to classify it.",
            "zh": "该客户未记录收入、潜力或战略匹配度;补充后即可分级。",
        },
        "unclassified": {"en": "Not classified yet", "zh": "尚未分级"},
    }
)


@dataclass(frozen=True)
class ClassRule:
    id: str
    cls: str
    when: tuple[tuple[str, Any], ...]  # (field, (min, max)) or (field, frozenset of levels)
    reason: dict[str, str]

    def matches(self, fields: dict[str, Any]) -> bool:
        return all(_test(fields.get(name), test) for name, test in self.when)


def _test(value: Any, test: Any) -> bool:
    if value is None:
        return False
    if isinstance(test, frozenset):
        return value in test
    low, high = test
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return number is not None and (low is None or number >= low) and (high is None or number <= high)


@dataclass
class Scheme:
    classes: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    default: str | None = None
    default_reason: dict[str, str] | None = None
    rules: list[ClassRule] = field(default_factory=list)


@dataclass(frozen=True)
class Classification:
    """The class of an account, its label and the reasons (rule id, text) that put it there."""

    cls: str
    label: dict[str, str]
    reasons: tuple[tuple[str, dict[str, str]], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"class": self.cls, "label": self.label,
                "reasons": [{"rule": r, "reason": t} for r, t in self.reasons]}


# --------------------------------------------------------------------------- validation


class _Checker(SectionChecker):
    messages = MESSAGES


def _classes(check: _Checker, body: YamlMap, into: Scheme) -> None:
    classes = check.mapping(body["classes"], body.line_of("classes"), "classification.classes")
    for cid, spec in (classes or {}).items():
        where = f"classification.classes.{cid}"
        spec = check.mapping(spec, classes.line_of(cid), where)
        if spec is None:
            continue
        check.keys(spec, CLASS_KEYS, where)
        rank = spec.get("rank")
        if isinstance(rank, bool) or not isinstance(rank, int):
            check.add(spec.line_of("rank"), f"{where}.rank", "expected_type",
                      expected="whole number", got=type_name(rank))
            continue
        label = check.bilingual(spec.get("label"), spec.line_of("label"), f"{where}.label")
        if label:
            into.classes[str(cid)] = (rank, label)


def _when(check: _Checker, value: Any, line: int | None, where: str) -> tuple | None:
    when = check.mapping(value, line, where)
    if when is None:
        return None
    check.keys(when, (*LEVEL_FIELDS, *NUMBER_FIELDS), where)
    out: list[tuple[str, Any]] = []
    for name, levels in LEVEL_FIELDS.items():
        if name in when:
            items = when[name] if isinstance(when[name], list) else [when[name]]
            bad = [v for v in items if v not in levels]
            if bad:
                check.add(when.line_of(name), f"{where}.{name}", "one_of",
                          value=bad[0], allowed=", ".join(levels))
                return None
            out.append((name, frozenset(items)))
    for name in NUMBER_FIELDS:
        if name in when:
            bounds = check.mapping(when[name], when.line_of(name), f"{where}.{name}")
            if bounds is None:
                return None
            check.keys(bounds, RANGE_KEYS, f"{where}.{name}")
            limits = [bounds.get(k) for k in RANGE_KEYS]
            if any(v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)))
                   for v in limits):
                check.add(bounds.line, f"{where}.{name}", "expected_type",
                          expected="{min: number, max: number}", got=type_name(limits))
                return None
            out.append((name, tuple(limits)))
    return tuple(out)


def _rules(check: _Checker, body: YamlMap, into: Scheme, refs: list) -> None:
    rules = body["rules"]
    if not isinstance(rules, YamlList):
        check.add(body.line_of("rules"), "classification.rules", "expected_type",
                  expected="list", got=type_name(rules))
        return
    for index, spec in enumerate(rules):
        where = f"classification.rules[{index}]"
        spec = check.mapping(spec, rules.line_of(index), where)
        if spec is None:
            continue
        check.keys(spec, RULE_KEYS, where)
        missing = [k for k in RULE_KEYS if k not in spec]
        for key in missing:
            check.add(spec.line, f"{where}.{key}", "required")
        if missing:
            continue
        when = _when(check, spec["when"], spec.line_of("when"), f"{where}.when")
        reason = check.bilingual(spec["reason"], spec.line_of("reason"), f"{where}.reason")
        refs.append((check.path, spec.line_of("class"), f"{where}.class", spec["class"]))
        if when is not None and reason is not None:
            into.rules.append(ClassRule(str(spec["id"]), str(spec["class"]), when, reason))


def merge_sections(entries: list[tuple[str, str, Any]]) -> tuple[Scheme, list[Problem]]:
    """Merge every pack's classification (classes and defaults replace, rules add up)."""
    into, problems, refs = Scheme(), [], []
    for _pack, path, data in entries:
        check = _Checker(path)
        body = check.mapping(data, getattr(data, "line", None), "classification")
        if body is not None:
            check.keys(body, SECTION_KEYS, "classification")
            if "classes" in body:
                _classes(check, body, into)
            if "default" in body:
                into.default = str(body["default"])
                refs.append((path, body.line_of("default"), "classification.default", into.default))
            if "default_reason" in body:
                into.default_reason = check.bilingual(body["default_reason"],
                                                      body.line_of("default_reason"),
                                                      "classification.default_reason")
            if "rules" in body:
                _rules(check, body, into, refs)
        problems += check.problems
    for path, line, where, value in refs:
        if not isinstance(value, str):
            problems.append(Problem(path, line, where, "expected_type",
                                    {"expected": "class id", "got": type_name(value)}, MESSAGES))
        elif value not in into.classes:
            problems.append(Problem(path, line, where, "unknown_class",
                                    {"value": value, "allowed": ", ".join(into.classes)}, MESSAGES))
    return into, problems


def validate_section(entries: list[tuple[str, str, Any]], roles: dict, questions: dict) -> list[Problem]:
    """Called by the knowledge loader: every problem in every pack's ``classification:``."""
    return merge_sections(entries)[1]


def classify(fields: dict[str, Any], knowledge: Any) -> Classification | None:
    """Classify an account from its optional fields; None when no pack classifies accounts."""
    scheme = merge_sections(knowledge.sections.get("classification", []))[0]
    if not scheme.classes or scheme.default not in scheme.classes:
        return None
    matched = [rule for rule in scheme.rules if rule.matches(fields)]
    known = any(fields.get(k) is not None for k in (*LEVEL_FIELDS, *NUMBER_FIELDS))
    if not known:  # nothing to judge by: say so, and plan no differently from the default
        return Classification(UNCLASSIFIED, MESSAGES.both("unclassified"), (("no_data", MESSAGES.both("no_data")),))
    if not matched:
        return Classification(scheme.default, scheme.classes[scheme.default][1],
                              (("default", scheme.default_reason or MESSAGES.both("no_data")),))
    best = max(matched, key=lambda r: scheme.classes[r.cls][0]).cls
    reasons = tuple((r.id, r.reason) for r in matched if r.cls == best)
    return Classification(best, scheme.classes[best][1], reasons)
