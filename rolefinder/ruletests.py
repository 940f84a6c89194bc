"""Cases as tests: check that the rule packs still reach the answers trainers expect.

Two kinds of test run here, both by ``rolefinder rules test``:

* every built-in case (and any ``--cases`` file): each contact's held roles must equal the
  answer key, exactly;
* test cases a pack declares in its ``tests:`` section: one contact, optionally their manager,
  given facts and answers, and the roles expected.

A pack test, as written in YAML (all fields but ``id`` and ``contact`` optional)::

    tests:
      - id: finance-director-audits          # unique within the packs
        description: {zh: 财务总监审查合规, en: A finance director reviews compliance}
        industry: manufacturing              # shipped industry packs to load (default: the
                                             # declaring pack's first industry, else none)
        manager:                             # the contact's manager, judged first
          title: 总经理
          answers: {final_say: yes}
        contact:                             # title, department, influence, attitude, answers
          title: 财务总监
          department: 财务部
          answers: {reviews_compliance: yes, final_say: no}
        expect: [auditor]                    # exactly these roles are held (probable or better)
        includes: [auditor]                  # ... or: at least these
        excludes: [decision_maker]           # ... and: none of these

At least one of ``expect``, ``includes`` and ``excludes`` is required (``expect: []`` means
"holds no role"). The loader calls :func:`validate_section` while it validates the packs, so a
typo in a test is reported with its file and line like any other pack problem.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rolefinder.account import ATTITUDES, INFLUENCE, Account, Contact, load_account
from rolefinder.answers import normalise_answer
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import LANGS
from rolefinder.sectioncheck import SectionChecker, section_messages
from rolefinder.yamlsource import YamlList, YamlMap, type_name

if TYPE_CHECKING:  # the pack loader imports this module: keep the engine out of its way
    from rolefinder.identification import ContactResult, Evidence
    from rolefinder.knowledge import Knowledge

TEST_KEYS = ("id", "description", "industry", "manager", "contact",
             "expect", "includes", "excludes")
PERSON_KEYS = ("name", "title", "department", "influence", "attitude", "answers")
ROLE_LISTS = ("expect", "includes", "excludes")

MESSAGES = section_messages(
    {
        "required": {"en": "required field is missing", "zh": "缺少必填字段"},
        "unknown_role": {"en": "unknown role {value!r}", "zh": "未知角色 {value!r}"},
        "unknown_question": {"en": "unknown question id {value!r}",
                             "zh": "未知的问题编号 {value!r}"},
        "bad_answer": {"en": "{value!r} is not an answer; expected yes, no or unsure",
                       "zh": "{value!r} 不是有效回答;应为 yes、no、unsure"},
        "one_of": {"en": "{value!r} is not allowed; expected one of: {allowed}",
                   "zh": "不允许的值 {value!r};应为以下之一:{allowed}"},
        "no_expectation": {"en": "give at least one of expect, includes, excludes",
                           "zh": "至少需要 expect、includes、excludes 之一"},
        "duplicate_test": {"en": "test id {value!r} is already used in {other}",
                           "zh": "测试编号 {value!r} 已在 {other} 中使用"},
        "no_key": {"en": "this file has no answer key (case.key)",
                   "zh": "此文件没有答案(case.key)"},
    }
)


# --------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class PackTest:
    """One ``tests:`` entry, validated."""

    id: str
    pack: str
    path: str
    line: int | None
    contact: dict[str, Any]
    manager: dict[str, Any] | None = None
    industry: str | None = None
    description: dict[str, str] | None = None
    expect: frozenset[str] | None = None
    includes: frozenset[str] = frozenset()
    excludes: frozenset[str] = frozenset()


class _Checker(SectionChecker):
    """Collects the problems of the ``tests:`` sections, with file and line."""

    messages = MESSAGES

    def __init__(self, roles: Mapping[str, Any], questions: Mapping[str, Any]) -> None:
        super().__init__("")
        self.roles, self.questions = roles, questions

    def entry(self, pack: str, item: Any, line: int | None, where: str) -> PackTest | None:
        if not isinstance(item, YamlMap):
            self.add(line, where, "expected_type", expected="mapping", got=type_name(item))
            return None
        before = len(self.problems)
        self.keys(item, TEST_KEYS, where)
        test_id = item.get("id")
        if not isinstance(test_id, str) or not test_id.strip():
            self.add(item.line_of("id"), f"{where}.id", "required")
        contact = self.person(item, "contact", f"{where}.contact", required=True)
        manager = self.person(item, "manager", f"{where}.manager")
        lists = {k: self.role_list(item, k, f"{where}.{k}") for k in ROLE_LISTS}
        if not any(k in item for k in ROLE_LISTS):
            self.add(item.line, where, "no_expectation")
        industry = item.get("industry")
        if industry is not None and not isinstance(industry, str):
            self.add(item.line_of("industry"), f"{where}.industry", "expected_type",
                     expected="text", got=type_name(industry))
        if len(self.problems) > before or contact is None:
            return None
        return PackTest(
            id=test_id.strip(), pack=pack, path=self.path, line=item.line, contact=contact,
            manager=manager, industry=industry.lower() if industry else None,
            description=_bilingual(item.get("description")),
            expect=lists["expect"] if "expect" in item else None,
            includes=lists["includes"] or frozenset(), excludes=lists["excludes"] or frozenset(),
        )

    def role_list(self, item: YamlMap, key: str, where: str) -> frozenset[str] | None:
        value = item.get(key)
        if value is None:
            return frozenset() if key in item else None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add(item.line_of(key), where, "expected_type", expected="list of roles",
                     got=type_name(value))
            return None
        for role in value:
            if not isinstance(role, str):
                self.add(item.line_of(key), where, "expected_type", expected="role id", got=type_name(role))
            elif role not in self.roles:
                self.add(item.line_of(key), where, "unknown_role", value=role)
        return frozenset(r for r in value if isinstance(r, str))

    def person(self, item: YamlMap, key: str, where: str,
               required: bool = False) -> dict[str, Any] | None:
        body = item.get(key)
        if body is None:
            if required:
                self.add(item.line, where, "required")
            return None
        if not isinstance(body, YamlMap):
            self.add(item.line_of(key), where, "expected_type", expected="mapping",
                     got=type_name(body))
            return None
        self.keys(body, PERSON_KEYS, where)
        out: dict[str, Any] = {}
        for name, value in body.items():
            line = body.line_of(name)
            if name not in PERSON_KEYS:
                continue
            if name == "answers":
                out["answers"] = self.answers(body, f"{where}.answers")
            elif name in ("influence", "attitude"):
                allowed = INFLUENCE if name == "influence" else ATTITUDES
                if value not in allowed:
                    self.add(line, f"{where}.{name}", "one_of", value=value,
                             allowed=", ".join(allowed))
                out[name] = value
            elif not isinstance(value, str):
                self.add(line, f"{where}.{name}", "expected_type", expected="text",
                         got=type_name(value))
            else:
                out[name] = value
        return out

    def answers(self, body: YamlMap, where: str) -> dict[str, str]:
        raw = body["answers"]
        if not isinstance(raw, YamlMap):
            self.add(body.line_of("answers"), where, "expected_type", expected="mapping",
                     got=type_name(raw))
            return {}
        out = {}
        for qid, value in raw.items():
            answer = normalise_answer(value)
            if qid not in self.questions:
                self.add(raw.line_of(qid), f"{where}.{qid}", "unknown_question", value=qid)
            elif answer is None:
                self.add(raw.line_of(qid), f"{where}.{qid}", "bad_answer", value=value)
            else:
                out[qid] = answer
        return out


def _bilingual(value: Any) -> dict[str, str] | None:
    if isinstance(value, Mapping):
        return {lang: str(value.get(lang) or next(iter(value.values()), "")) for lang in LANGS}
    return {lang: value for lang in LANGS} if isinstance(value, str) else None


def parse_tests(entries: Iterable[tuple[str, str, Any]], roles: Mapping[str, Any],
                questions: Mapping[str, Any]) -> tuple[list[PackTest], list[Problem]]:
    """Every test of every pack's ``tests:`` section, and every problem found in them."""
    check = _Checker(roles, questions)
    tests: list[PackTest] = []
    seen: dict[str, str] = {}
    for pack, path, data in entries:
        check.path = path
        if not isinstance(data, YamlList):
            check.add(getattr(data, "line", None), "tests", "expected_type", expected="list",
                      got=type_name(data))
            continue
        for index, item in enumerate(data):
            test = check.entry(pack, item, data.line_of(index), f"tests[{index}]")
            if test is None:
                continue
            if test.id in seen:
                check.add(test.line, f"tests[{index}].id", "duplicate_test", value=test.id,
                          other=seen[test.id])
                continue
            seen[test.id] = f"{path}:{test.line}"
            tests.append(test)
    return tests, check.problems


def validate_section(entries: list[tuple[str, str, Any]], roles: Mapping[str, Any],
                     questions: Mapping[str, Any]) -> list[Problem]:
    """Called by the pack loader (see ``SECTION_VALIDATORS`` in :mod:`rolefinder.knowledge`)."""
    return parse_tests(entries, roles, questions)[1]


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Mismatch:
    """One contact whose held roles differ from what the test expects, with the evidence."""

    contact: str
    name: str
    expected: tuple[str, ...]
    held: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    evidence: dict[str, tuple[Evidence, ...]]
    cf: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "contact": self.contact, "name": self.name, "expected": list(self.expected),
            "held": list(self.held), "missing": list(self.missing),
            "unexpected": list(self.unexpected),
            "roles": {role: {"certainty": round(self.cf.get(role, 0.0), 3),
                             "evidence": [e.to_dict() for e in items]}
                      for role, items in self.evidence.items()},
        }


@dataclass
class Outcome:
    """The result of one case or one pack test."""

    kind: str  # "case" or "pack"
    id: str
    source: str
    title: dict[str, str] | None = None
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "source": self.source, "title": self.title,
                "passed": self.passed, "checked": self.checked,
                "failures": [m.to_dict() for m in self.mismatches]}


def _mismatch(result: ContactResult, expected: Iterable[str], missing: list[str],
              unexpected: list[str]) -> Mismatch:
    roles = [*missing, *unexpected]
    evidence = {r: (result.belief(r).evidence if result.belief(r) else ()) for r in roles}
    cf = {r: (result.belief(r).cf if result.belief(r) else 0.0) for r in roles}
    return Mismatch(result.contact.id, result.contact.name, tuple(sorted(expected)),
                    tuple(result.held), tuple(missing), tuple(unexpected), evidence, cf)


def check_case(account: Account, name: str, knowledge: Knowledge | None = None) -> Outcome:
    """Every contact's held roles against the case's answer key, exactly."""
    from rolefinder.casebook import answer_key
    from rolefinder.identification import identify

    key = answer_key(account)
    case = account.case or {}
    outcome = Outcome("case", str(case.get("id") or name), account.path or name,
                      dict(case.get("title") or {}) or None)
    for result in identify(account, knowledge).contacts:
        wanted = key.get(result.contact.id, set())
        held = set(result.held)
        outcome.checked += 1
        if held != wanted:
            outcome.mismatches.append(_mismatch(result, wanted, sorted(wanted - held),
                                                sorted(held - wanted)))
    return outcome


def pack_test_account(test: PackTest, knowledge: Knowledge) -> Account:
    """The one- or two-person account a pack test describes (ids ``manager`` and ``contact``)."""
    contacts = []
    if test.manager is not None:
        contacts.append(_person("manager", test.manager, None))
    contacts.append(_person("contact", test.contact, "manager" if test.manager else None))
    return Account(name=test.id, contacts=contacts, industry=test.industry, knowledge=knowledge)


def _person(cid: str, data: Mapping[str, Any], reports_to: str | None) -> Contact:
    return Contact(id=cid, name=data.get("name") or cid, title=data.get("title", ""),
                   department=data.get("department", ""), reports_to=reports_to,
                   influence=data.get("influence"), attitude=data.get("attitude"),
                   answers=dict(data.get("answers") or {}))


def check_pack_test(test: PackTest, knowledge: Knowledge) -> Outcome:
    from rolefinder.identification import identify

    outcome = Outcome("pack", test.id, f"{test.path}:{test.line}", test.description, checked=1)
    result = identify(pack_test_account(test, knowledge), knowledge).contact("contact")
    held = set(result.held)
    missing = set(test.includes) - held
    unexpected = set(test.excludes) & held
    if test.expect is not None:
        missing |= set(test.expect) - held
        unexpected |= held - set(test.expect)
    if missing or unexpected:
        expected = test.expect if test.expect is not None else test.includes
        outcome.mismatches.append(_mismatch(result, expected, sorted(missing),
                                            sorted(unexpected)))
    return outcome


def _case_files(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, bool]]:
    """Each case file with whether it was named on its own (True) or found in a folder."""
    out: list[tuple[Path, bool]] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += [(found, False) for found in sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))]
        else:
            out.append((path, True))
    return out


def run_tests(rules: Iterable[str | os.PathLike[str]] = (),
              cases: Iterable[str | os.PathLike[str]] = (),
              builtin: bool = True) -> list[Outcome]:
    """Run the built-in cases, the ``cases`` files and every pack test against the packs.

    Loading every shipped pack plus ``rules`` first validates them all (a broken pack raises
    :class:`~rolefinder.errors.PackError`) and collects the pack tests; each test then runs
    with the packs its industry selects, as a real account of that industry would.
    """
    from rolefinder.casebook import case_names, load_case
    from rolefinder.knowledge import load_knowledge

    rules = tuple(str(r) for r in rules)
    everything = load_knowledge(rules=rules, all_industries=True)
    outcomes = [check_case(load_case(n, rules), n) for n in case_names()] if builtin else []
    for path, named in _case_files(cases):
        account = load_account(path, rules=rules)
        if not (account.case or {}).get("key"):
            if named:  # a file given by name must be a test; a folder may hold plain accounts too
                raise InputError([Problem(str(path), None, "case.key", "no_key", {}, MESSAGES)])
            continue
        outcomes.append(check_case(account, path.stem))
    tests, _ = parse_tests(everything.sections.get("tests", []), everything.roles,
                           everything.questions)
    industries = {p.name: p.industries for p in everything.packs}
    for test in tests:
        industry = test.industry or next(iter(industries.get(test.pack, ())), None)
        outcomes.append(check_pack_test(test, load_knowledge(industry, rules=rules)))
    return outcomes
