"""Rule packs: YAML files that hold all of rolefinder's knowledge, validated on load.

A pack declares roles, questions, thresholds, derived facts and rules (see the README's
"Rule packs" section for the format). Packs stack: ``core`` first, then the packs of the
account's industry, then the user's own ``--rules`` directories. Every problem in every pack is
collected with its file and line before anything is raised. Nothing in a pack is evaluated as
code; regular expressions are compiled here, once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from rolefinder.answers import ABSENT, ANSWERS
from rolefinder.errors import InputError, PackError, Problem, did_you_mean
from rolefinder.i18n import LANGS, Catalog
from rolefinder.industries import selects
from rolefinder.patterns import Pattern, UnsafePattern, compile_safe
from rolefinder.resources import data_dir
from rolefinder.setting import PARTS, UNKNOWN, OfferingPattern, TitleRules
from rolefinder.yamlsource import YamlList, YamlMap, load_yaml, parse_yaml, read_text, type_name

STATUSES = ("confirmed", "probable", "possible", "ruled_out")
LEVELS = {"confirmed": 3, "probable": 2, "possible": 1, "ruled_out": -1}
CONTACT_TESTS = {"influence": ("high", "medium", "low", "none"),
                 "attitude": ("champion", "supporter", "neutral", "opponent", "none")}
ANSWER_TESTS = (*ANSWERS, ABSENT, "answered")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")

MESSAGES = Catalog(
    {
        "bilingual": {
            "en": "expected a text in both languages, e.g. {{zh: ..., en: ...}}",
            "zh": "需要中英双语文本,例如 {{zh: ..., en: ...}}",
        },
        "unknown_role": {"en": "unknown role {value!r}{hint}", "zh": "未知角色 {value!r}{hint}"},
        "unknown_fact": {
            "en": "fact {value!r} is never derived by any rule nor declared under 'facts', "
                  "so this rule can never fire{hint}",
            "zh": "事实 {value!r} 既未在 facts 中声明,也没有规则推导它,此规则永远不会触发{hint}",
        },
        "unknown_fact_value": {
            "en": "{value!r} is not a declared value of fact {fact!r}; declared: {allowed}",
            "zh": "{value!r} 不是事实 {fact!r} 声明过的取值;已声明:{allowed}",
        },
        "bad_regex": {"en": "bad regular expression: {error}", "zh": "正则表达式有误:{error}"},
        "bad_id": {
            "en": "{value!r} is not a valid id (lowercase letters, digits, '_'{extra})",
            "zh": "{value!r} 不是有效编号(小写字母、数字、下划线{extra})",
        },
        "duplicate_rule": {
            "en": "rule id {value!r} is already used in {other}",
            "zh": "规则编号 {value!r} 已在 {other} 中使用",
        },
        "duplicate_def": {
            "en": "{kind} {value!r} is already defined in {other}",
            "zh": "{kind} {value!r} 已在 {other} 中定义",
        },
        "cf_range": {
            "en": "certainty factor must be a number from {low} to {high}",
            "zh": "确定性因子必须是 {low} 到 {high} 之间的数",
        },
        "thresholds_order": {
            "en": "thresholds must satisfy confirmed > probable > possible > 0 > ruled_out",
            "zh": "阈值必须满足 confirmed > probable > possible > 0 > ruled_out",
        },
        "empty_then": {
            "en": "a rule needs at least one conclusion, e.g. {{role: buyer, cf: 0.4}}",
            "zh": "规则至少需要一个结论,例如 {{role: buyer, cf: 0.4}}",
        },
        "empty_match": {
            "en": "give 'keywords' and/or 'regex' to match",
            "zh": "请给出 keywords 或 regex 用于匹配",
        },
        "empty_when": {"en": "a rule needs at least one condition", "zh": "规则至少需要一个条件"},
        "no_pack": {"en": "no rule pack (*.yaml) found here", "zh": "此处没有规则包(*.yaml)"},
        "no_core": {"en": "the core pack is missing", "zh": "缺少 core 规则包"},
        "no_thresholds": {"en": "no pack sets the thresholds", "zh": "没有规则包设置阈值"},
        "duplicate_pack": {
            "en": "pack name {value!r} is already used by {other}",
            "zh": "规则包名称 {value!r} 已被 {other} 使用",
        },
    }
)

_ERRORS = Catalog(
    {
        "expected_type": {"en": "expected {expected}, got {got}", "zh": "应为{expected},实际是{got}"},
        "required": {"en": "required field is missing", "zh": "缺少必填字段"},
        "unknown_key": {
            "en": "unknown field{hint}; expected one of: {allowed}",
            "zh": "未知字段{hint};可用字段:{allowed}",
        },
        "one_of": {
            "en": "{value!r} is not allowed; expected one of: {allowed}",
            "zh": "不允许的值 {value!r};应为以下之一:{allowed}",
        },
        "unknown_question": {
            "en": "unknown question id {value!r}{hint}",
            "zh": "未知的问题编号 {value!r}{hint}",
        },
        "only_one": {
            "en": "give only one of: {allowed}",
            "zh": "以下字段只能给出一个:{allowed}",
        },
    }
)


class Thresholds(NamedTuple):
    """Where certainty turns into a status; they live in the packs, not in code."""

    confirmed: float = 0.8
    probable: float = 0.5
    possible: float = 0.2
    ruled_out: float = -0.3

    def status(self, cf: float) -> str | None:
        """``confirmed``/``probable``/``possible``/``ruled_out``, or None when undecided."""
        if cf >= self.confirmed:
            return "confirmed"
        if cf >= self.probable:
            return "probable"
        if cf >= self.possible:
            return "possible"
        if cf <= self.ruled_out:
            return "ruled_out"
        return None

    def level(self, cf: float) -> int:
        """The status as a number (3 confirmed … -1 ruled out, 0 undecided)."""
        return LEVELS.get(self.status(cf) or "", 0)

    def holds(self, cf: float) -> bool:
        """Whether the contact is taken to hold the role (probable or better)."""
        return cf >= self.probable


class Role(NamedTuple):
    id: str
    label: dict[str, str]
    definition: dict[str, str]
    cares_about: dict[str, str] | None
    prior: float
    expected: bool
    pack: str


class Question(NamedTuple):
    id: str
    text: dict[str, str]
    help: dict[str, str] | None
    order: int
    pack: str


class TextMatch(NamedTuple):
    """Keywords (case-insensitive substrings) and/or one regex, with exclusions."""

    keywords: tuple[str, ...] = ()
    regex: re.Pattern | None = None
    unless: tuple[str, ...] = ()
    part: str = "any"  # titles: the whole title, one of its posts or one of its grades

    def __call__(self, text: str) -> bool:
        """``text`` must already be lower-cased (facts carry lower-cased titles)."""
        if any(word in text for word in self.unless):
            return False
        if any(word in text for word in self.keywords):
            return True
        return bool(self.regex and self.regex.search(text))

    def describe(self) -> str:
        parts = []
        if self.keywords:
            parts.append(" | ".join(self.keywords))
        if self.regex:
            parts.append(f"/{self.regex.pattern}/")
        text = " | ".join(parts)
        if self.unless:
            text += " ¬(" + " | ".join(self.unless) + ")"
        if self.part != "any":
            text = f"[{self.part}] {text}"
        return text


class Conclusion(NamedTuple):
    """Evidence for (cf > 0) or against (cf < 0) a role, or a derived fact."""

    cf: float
    role: str | None = None
    fact: tuple[str, str] | None = None


class RuleSpec(NamedTuple):
    """One rule as written in a pack, validated and compiled (but not yet an Experta rule)."""

    id: str
    reason: dict[str, str]
    then: tuple[Conclusion, ...]
    answers: tuple[tuple[str, frozenset[str]], ...] = ()
    title: TextMatch | None = None
    department: TextMatch | None = None
    contact: tuple[tuple[str, frozenset[str]], ...] = ()
    facts: tuple[tuple[str, frozenset[str]], ...] = ()
    manager: tuple[str, str] | str | None = None
    has_reports: bool | None = None
    account: tuple[tuple[str, frozenset[str]], ...] = ()
    pack: str = ""
    path: str = ""
    line: int | None = None

    @property
    def derives_facts(self) -> bool:
        return any(c.fact for c in self.then)

    def questions(self) -> list[str]:
        return [q for q, _ in self.answers]

    def describe_conditions(self) -> list[str]:
        """The conditions in a compact, language-neutral notation for explanations."""
        out = [f"answers.{q} ∈ {{{', '.join(sorted(v))}}}" for q, v in self.answers]
        if self.title:
            out.append(f"title ~ {self.title.describe()}")
        if self.department:
            out.append(f"department ~ {self.department.describe()}")
        out += [f"{k} ∈ {{{', '.join(sorted(v))}}}" for k, v in self.contact]
        out += [f"fact {k} ∈ {{{', '.join(sorted(v))}}}" for k, v in self.facts]
        if self.manager == "none":
            out.append("reports_to: none")
        elif self.manager:
            out.append(f"manager is {self.manager[0]} ≥ {self.manager[1]}")
        if self.has_reports is not None:
            out.append(f"has_reports = {str(self.has_reports).lower()}")
        out += [f"account.{k} ∈ {{{', '.join(sorted(v))}}}" for k, v in self.account]
        return out


class AccountRule(NamedTuple):
    """A rule about the whole account, applied after every contact is judged.

    ``when``: how many contacts hold ``role`` at ``status`` or better (``at_least``/``at_most``).
    Then either evidence for ``candidates`` (contacts with the given derived facts; with
    ``strongest`` only those with the strongest belief in the role) that raises the role to
    ``raise_to`` and no further; or evidence against it that lowers candidates holding it above
    ``lower_to`` down to that status (only beliefs resting on the org chart alone: an answer is
    never overridden); or a ``finding`` for the account (its message is the reason).
    """

    id: str
    reason: dict[str, str]
    role: str
    status: str = "probable"
    at_least: int | None = None
    at_most: int | None = None
    facts: tuple[tuple[str, frozenset[str]], ...] = ()
    manager: str | None = None  # "none": only contacts nobody is above
    strongest: bool = False
    raise_to: str | None = None  # a status: the conclusion for the candidates
    lower_to: str | None = None  # a status: chart-only holders above it are lowered to it
    finding: str | None = None  # a severity: the conclusion for the account
    pack: str = ""
    path: str = ""
    line: int | None = None

    def holds(self, count: int) -> bool:
        return ((self.at_least is None or count >= self.at_least)
                and (self.at_most is None or count <= self.at_most))

    def describe_conditions(self) -> list[str]:
        out = [f"holders of {self.role} ≥ {self.status}: "
               + ", ".join(f"{k} {v}" for k, v in (("≥", self.at_least), ("≤", self.at_most))
                           if v is not None)]
        out += [f"fact {k} ∈ {{{', '.join(sorted(v))}}}" for k, v in self.facts]
        if self.manager == "none":
            out.append("reports_to: none")
        if self.strongest:
            out.append(f"strongest belief in {self.role}")
        return out


class PackInfo(NamedTuple):
    name: str
    path: str
    title: dict[str, str]
    industries: tuple[str, ...]
    counts: dict[str, int]


class GivenRates(NamedTuple):
    """How often a question is answered yes: among all contacts (``base``), and among contacts
    who gave another answer (``rates``: (question, answer) -> rate); see ``interview.given``."""

    base: float
    rates: dict[tuple[str, str], float]


@dataclass
class Knowledge:
    """Everything the packs say, merged, plus the compiled engine built from it."""

    packs: list[PackInfo]
    roles: dict[str, Role]
    questions: dict[str, Question]
    thresholds: Thresholds
    min_worth: float
    facts: dict[str, frozenset[str]]
    rules: list[RuleSpec]
    # interview.account_roles: role -> how likely an account has someone in it (see gaps/pricing)
    account_roles: dict[str, float] = field(default_factory=dict)
    # interview.implied: question -> (the answer that follows, from these answers of others)
    implied: dict[str, tuple[str, tuple[tuple[str, frozenset[str]], ...]]] = field(
        default_factory=dict)
    # interview.given: question -> how often it is answered yes overall, and given other answers
    given: dict[str, GivenRates] = field(default_factory=dict)
    # interview.budget: questions per contact at min_worth; each further one must be worth growth× more
    budget: tuple[int, float] = (99, 1.0)

    def implied_answers(self, answers: dict[str, str]) -> dict[str, str]:
        """The answers that follow from ``answers`` for questions not asked (never asked then)."""
        return {qid: value for qid, (value, given) in self.implied.items()
                if qid not in answers and all(answers.get(q) in v for q, v in given)}
    sections: dict[str, list[tuple[str, str, Any]]] = field(default_factory=dict)  # (pack, path, data)
    titles: TitleRules = field(default_factory=TitleRules)
    offerings: tuple[OfferingPattern, ...] = ()
    account_rules: list[AccountRule] = field(default_factory=list)
    # a digest of the packs' bytes and rolefinder's code (rolefinder.cache), "" when built directly
    stamp: str = field(default="", repr=False, compare=False)
    _engine: Any = field(default=None, repr=False)
    _by_id: dict[str, RuleSpec | AccountRule] = field(default_factory=dict, repr=False)
    _definitions: Any = field(default=None, repr=False)  # rolefinder.pricing.definitions

    def rule(self, rule_id: str) -> RuleSpec | AccountRule:
        """A contact rule or an account rule, by id."""
        if not self._by_id:
            self._by_id.update((spec.id, spec) for spec in [*self.rules, *self.account_rules])
        return self._by_id[rule_id]

    def setting(self, account):
        """What is sold, how it is bought and what it serves, for ``account`` (see rolefinder.setting)."""
        from rolefinder.setting import account_setting

        return account_setting(account, self.offerings)

    def engine(self):
        """The Experta engine for these rules, built once (building the Rete network is costly)."""
        if self._engine is None:
            from rolefinder.engine import RoleEngine

            self._engine = RoleEngine(self)
        return self._engine


# --------------------------------------------------------------------------- loading


def builtin_pack_paths() -> list[Path]:
    return sorted(data_dir("rules").glob("*.yaml"))


def _pack_paths(directory: str | os.PathLike[str]) -> list[Path]:
    path = Path(directory)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise PackError([Problem(str(path), None, "", "not_found")])
    found = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
    if not found:
        raise PackError([Problem(str(path), None, "", "no_pack", catalog=MESSAGES)])
    return found


def load_knowledge(
    industry: str | None = None,
    rules: Iterable[str | os.PathLike[str]] = (),
    *,
    all_industries: bool = False,
) -> Knowledge:
    """Load core, the packs for ``industry`` and the packs in the ``rules`` directories.

    Results are cached per argument set: the same packs give the same (shared) engine. The
    validated packs are also kept in the cache folder (:mod:`rolefinder.cache`) for the next
    run, keyed by the packs' bytes: a changed pack is loaded and validated again.
    ``all_industries`` loads every shipped pack, as ``rules check`` does.
    """
    extra = tuple(str(Path(p).resolve()) for p in rules)
    return _load_cached(industry.lower() if industry else None, extra, all_industries)


@lru_cache(maxsize=16)
def _load_cached(industry: str | None, extra: tuple[str, ...], all_industries: bool) -> Knowledge:
    from rolefinder import cache

    builtin = [(path, read_text(path)) for path in builtin_pack_paths()]
    user = [(path, read_text(path)) for directory in extra for path in _pack_paths(directory)]
    slot = cache.slot(repr((industry, extra, all_industries)))
    stamp = cache.stamp(cache.code_stamp(), repr((industry, all_industries)),
                        *(part for path, text in [*builtin, *user] for part in (str(path), text)))
    knowledge = _from_cache(slot, stamp)
    if knowledge is None:
        knowledge, deferred = _load(industry, all_industries, builtin, user)
        _to_cache(slot, stamp, knowledge, deferred)
    knowledge.stamp = stamp.hex()
    return knowledge


def _load(industry: str | None, all_industries: bool, builtin: list[tuple[Path, str]],
          user: list[tuple[Path, str]]) -> tuple[Knowledge, list[Path]]:
    """Parse and validate the packs (texts already read); also the paths of the deferred packs."""
    raw: list[tuple[Path, YamlMap]] = []
    deferred: list[tuple[int, Path, dict[str, Any]]] = []  # (position among the packs, path, header)
    problems: list[Problem] = []
    for path, text in builtin:
        header = None if all_industries else _pack_header(text)
        data = parse_yaml(text, str(path)) if header is None else header
        if not isinstance(data, YamlMap):
            problems.append(Problem(str(path), 1, "", "expected_type",
                                    {"expected": "mapping", "got": type_name(data)}, _ERRORS))
            continue
        industries = data.get("industries") or []
        wanted = (
            data.get("pack") == "core"
            or data.get("always") is True
            or all_industries
            or (isinstance(industries, list) and selects(industry, industries))
        )
        if not wanted:
            continue
        if header is not None and set(header.key_lines) <= _DEFERRABLE:
            deferred.append((len(raw) + len(deferred), path, header))
        else:
            raw.append((path, data if header is None else parse_yaml(text, str(path))))
    for path, text in user:
        raw.append((path, parse_yaml(text, str(path))))
    if problems:
        raise PackError(problems)
    knowledge = build_knowledge(raw)
    if deferred:
        _defer(knowledge, deferred)
    return knowledge, [path for _, path, _ in deferred]


# What a cached Knowledge may be built from (rolefinder.cache reads nothing else).
def _cached_classes() -> tuple:
    return (Knowledge, PackInfo, Role, Question, Thresholds, TextMatch, Conclusion, RuleSpec, AccountRule,
            GivenRates,
            TitleRules, OfferingPattern, Pattern, YamlMap, YamlList)


def _from_cache(slot: str, stamp: bytes) -> Knowledge | None:
    """The packs as an earlier run loaded them from the same bytes with the same code, or None."""
    from rolefinder import cache

    payload = cache.load("packs", slot, stamp)
    if payload is None:
        return None
    try:
        knowledge, deferred = cache.loads(payload, _cached_classes())
    except Exception:  # a file that passed its checksum but does not read: a miss like any other
        return None
    if not isinstance(knowledge, Knowledge):
        return None
    if deferred:
        paths = [Path(p) for p in deferred]
        knowledge.sections = _LazySections(knowledge.sections, lambda: _load_deferred(knowledge, paths))
    return knowledge


def _to_cache(slot: str, stamp: bytes, knowledge: Knowledge, deferred: list[Path]) -> None:
    """Keep the validated packs for the next run (without what is built from them later)."""
    import dataclasses

    from rolefinder import cache

    sections = knowledge.sections
    if getattr(sections, "_load", None) is None:
        deferred = []  # already read: the sections hold the deferred packs' entries too
    # dict.items of the dict itself: copying a _LazySections any other way would read the deferred packs
    plain = dataclasses.replace(knowledge, sections=dict(dict.items(sections)), _engine=None, _by_id={},
                                _definitions=None)
    cache.store("packs", slot, stamp, cache.dumps((plain, [str(p) for p in deferred])))


# A shipped pack with nothing but these top-level keys (the visit playbooks, the account
# classes) adds nothing to identification: it is parsed the first time its sections are read.
_HEADER_KEYS = ("pack", "title", "industries", "always")
_DEFERRABLE = frozenset((*_HEADER_KEYS, "playbooks", "classification"))
_TOP_LINE = re.compile(r"^(?![\s#]).*$", re.MULTILINE)  # a line that starts in column 0
_TOP_KEY = re.compile(r"([a-z_]+):(?:[ \t](.*))?$")


def _pack_header(text: str) -> YamlMap | None:
    """A pack's header (pack, title, industries, always) and top-level keys, without parsing it all.

    Read from the lines that start in column 0, which in a block mapping are exactly the
    top-level keys. Anything less plain (a document marker, a quoted key, a header value on
    the lines below) gives None, and the caller parses the whole pack as before.
    """
    keys, header_lines = {}, []
    for match in _TOP_LINE.finditer(text):
        if not match.group(0):
            continue  # the end of the text
        key = _TOP_KEY.fullmatch(match.group(0).rstrip())
        if key is None or key.group(1) in keys:
            return None
        keys[key.group(1)] = text.count("\n", 0, match.start()) + 1
        if key.group(1) in _HEADER_KEYS:
            value = (key.group(2) or "").strip()
            if not value or value[0] in "|>":
                return None
            header_lines.append(match.group(0))
    try:
        header = parse_yaml("\n".join(header_lines) + "\n") if header_lines else YamlMap()
    except InputError:  # the whole pack's parse reports it with its line
        return None
    if not isinstance(header, YamlMap):
        return None
    header.key_lines = keys  # every top-level key, with its line
    return header


def _defer(knowledge: Knowledge, deferred: list[tuple[int, Path, YamlMap]]) -> None:
    """List the deferred packs now; parse and validate their sections on first use."""
    for position, path, header in deferred:
        name = header.get("pack") or path.stem
        title = header.get("title") if isinstance(header.get("title"), dict) else {"zh": name, "en": name}
        industries = tuple(header.get("industries") or ())
        info = PackInfo(name, str(path), dict(title), industries, {"roles": 0, "questions": 0, "rules": 0})
        knowledge.packs.insert(position, info)
    paths = [path for _, path, _ in deferred]
    knowledge.sections = _LazySections(knowledge.sections, lambda: _load_deferred(knowledge, paths))


def _load_deferred(knowledge: Knowledge, paths: list[Path]) -> dict[str, list[tuple[str, str, Any]]]:
    builder = _Builder()
    builder.roles, builder.questions = knowledge.roles, knowledge.questions
    builder.packs = [p for p in knowledge.packs if Path(p.path) not in paths]
    for path in paths:
        builder.add_pack(path, load_yaml(path))
    order = {p.name: index for index, p in enumerate(knowledge.packs)}
    merged = {key: list(entries) for key, entries in dict.items(knowledge.sections)}
    for key, entries in builder.sections.items():
        if entries:
            merged[key] = sorted([*merged.get(key, []), *entries], key=lambda e: order.get(e[0], 0))
            validate = _section_validator(key)
            if validate is not None:
                builder.problems += validate(merged[key], knowledge.roles, knowledge.questions)
    if builder.problems:
        raise PackError(builder.problems)
    return {key: merged[key] for key in SECTION_KEYS if merged.get(key)}


class _LazySections(dict):
    """``Knowledge.sections`` whose deferred packs are parsed when a section is first read."""

    def __init__(self, loaded: dict, load: Any) -> None:
        super().__init__(loaded)
        self._load = load

    def _ready(self) -> None:
        if self._load is not None:
            load, self._load = self._load, None
            sections = load()
            dict.clear(self)
            dict.update(self, sections)

    def get(self, key: Any, default: Any = None) -> Any:
        self._ready()
        return dict.get(self, key, default)

    def __getitem__(self, key: Any) -> Any:
        self._ready()
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._ready()
        return dict.__contains__(self, key)

    def __iter__(self):
        self._ready()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._ready()
        return dict.__len__(self)

    def keys(self):
        self._ready()
        return dict.keys(self)

    def values(self):
        self._ready()
        return dict.values(self)

    def items(self):
        self._ready()
        return dict.items(self)


def build_knowledge(raw: list[tuple[Path, Any]]) -> Knowledge:
    """Validate and merge parsed packs, in order; raise :class:`PackError` listing all problems."""
    builder = _Builder()
    for path, data in raw:
        builder.add_pack(path, data)
    return builder.finish()


# --------------------------------------------------------------------------- validation

PACK_KEYS = ("pack", "title", "industries", "always", "roles", "questions", "thresholds", "interview",
             "facts", "titles", "offerings", "rules", "account_rules", "playbooks", "classification", "tests",
             "crm")
SECTION_KEYS = ("playbooks", "classification", "tests", "crm")
ROLE_KEYS = ("label", "definition", "cares_about", "prior", "expected")
QUESTION_KEYS = ("text", "help")
RULE_KEYS = ("id", "reason", "when", "then")
WHEN_KEYS = ("answers", "title", "department", "contact", "facts", "manager", "has_reports", "account")
THEN_KEYS = ("role", "fact", "cf")
MATCH_KEYS = ("keywords", "regex", "unless", "part")
INTERVIEW_KEYS = ("min_worth", "account_roles", "implied", "given", "budget")
TITLES_KEYS = ("separators", "conjunction", "heads", "grades", "grade_prefix")
OFFERING_KEYS = ("type", "scope", "keywords", "regex", "unless")
ACCOUNT_RULE_KEYS = ("id", "reason", "when", "candidates", "then")
SEVERITIES = ("red_flag", "gap")


def _account_tests() -> dict[str, tuple[str, ...] | None]:
    """What an ``account:`` condition may test; scope values are declared by ``offerings:``."""
    from rolefinder.account import BUYING_PROCESSES, OFFERING_TYPES

    return {"offering_type": (*OFFERING_TYPES, UNKNOWN), "buying_process": (*BUYING_PROCESSES, UNKNOWN),
            "scope": None}




class _Builder:
    """Accumulates packs and problems; cross-pack checks run in :meth:`finish`."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.packs: list[PackInfo] = []
        self.roles: dict[str, Role] = {}
        self.questions: dict[str, Question] = {}
        self.facts: dict[str, set[str]] = {}
        self.thresholds: Thresholds | None = None
        self.min_worth = 0.25
        self.account_roles: dict[str, float] = {}
        self.implied: dict[str, tuple[str, tuple[tuple[str, frozenset[str]], ...]]] = {}
        self.given: dict[str, GivenRates] = {}
        self.budget: tuple[int, float] = (99, 1.0)
        self.rules: list[RuleSpec] = []
        self.rule_where: dict[str, str] = {}
        self.titles: TitleRules | None = None
        self.offerings: list[OfferingPattern] = []
        self.scopes: set[str] = set()
        self.scope_refs: list[tuple[str, int | None, str, frozenset[str]]] = []
        self.account_rules: list[AccountRule] = []
        self.sections: dict[str, list[tuple[str, str, Any]]] = {k: [] for k in SECTION_KEYS}
        # Checks that need every pack: (path, line, field, kind, value)
        self.role_refs: list[tuple[str, int | None, str, str]] = []
        self.question_refs: list[tuple[str, int | None, str, str]] = []
        self.fact_refs: list[tuple[str, int | None, str, str, frozenset[str]]] = []
        self.path = ""

    # -- helpers
    def add(self, line: int | None, fld: str, code: str, catalog: Catalog = MESSAGES, **p) -> None:
        self.problems.append(Problem(self.path, line, fld, code, p, catalog))

    def keys(self, data: YamlMap, allowed: Iterable[str], where: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                self.add(data.line_of(key), f"{where}.{key}" if where else str(key), "unknown_key",
                         _ERRORS, hint=did_you_mean(str(key), allowed), allowed=", ".join(allowed))

    def mapping(self, parent: YamlMap, key: str, where: str, required: bool = False):
        value = parent.get(key)
        if value is None:
            if required:
                self.add(parent.line_of(key), where, "required", _ERRORS)
            return None
        if not isinstance(value, YamlMap):
            self.add(parent.line_of(key), where, "expected_type", _ERRORS,
                     expected="mapping", got=type_name(value))
            return None
        return value

    def mappings(self, parent: YamlMap, key: str, where: str) -> Iterator[tuple[int, YamlMap]]:
        """The mappings listed under ``key`` with their index; anything else is a problem, skipped."""
        items = parent.get(key)
        if items is None:
            return
        if not isinstance(items, YamlList):
            self.add(parent.line_of(key), where, "expected_type", _ERRORS,
                     expected="list", got=type_name(items))
            return
        for index, body in enumerate(items):
            if not isinstance(body, YamlMap):
                self.add(items.line_of(index), f"{where}[{index}]", "expected_type", _ERRORS,
                         expected="mapping", got=type_name(body))
                continue
            yield index, body

    def bilingual(self, parent: YamlMap, key: str, where: str, required: bool = True):
        value = parent.get(key)
        if value is None and not required:
            return None
        ok = (
            isinstance(value, YamlMap)
            and set(value) == set(LANGS)
            and all(isinstance(v, str) and v.strip() for v in value.values())
        )
        if not ok:
            self.add(parent.line_of(key), where, "bilingual")
            return None
        return {lang: value[lang].strip() for lang in LANGS}

    def number(self, parent: YamlMap, key: str, where: str, low: float, high: float,
               default: float | None = None) -> float | None:
        value = parent.get(key, default)
        if value is None:
            self.add(parent.line_of(key), where, "required", _ERRORS)
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.add(parent.line_of(key), where, "cf_range", low=low, high=high)
            return None
        return float(value)

    def ident(self, value: Any, line: int | None, where: str, pattern: re.Pattern = _ID) -> bool:
        if not isinstance(value, str) or not pattern.match(value):
            extra = ", '.', '-'" if pattern is _RULE_ID else ""
            self.add(line, where, "bad_id", value=value, extra=extra)
            return False
        return True

    # -- a whole pack
    def add_pack(self, path: Path, data: Any) -> None:
        self.path = str(path)
        if not isinstance(data, YamlMap):
            self.add(getattr(data, "line", 1), "", "expected_type", _ERRORS,
                     expected="mapping", got=type_name(data))
            return
        self.keys(data, PACK_KEYS, "")
        name = data.get("pack")
        if name is None:
            self.add(data.line, "pack", "required", _ERRORS)
            name = path.stem
        elif self.ident(name, data.line_of("pack"), "pack"):
            for info in self.packs:
                if info.name == name:
                    self.add(data.line_of("pack"), "pack", "duplicate_pack", value=name, other=info.path)
        title = self.bilingual(data, "title", "title") or {"zh": name, "en": name}
        industries = data.get("industries") or []
        if "always" in data and not isinstance(data["always"], bool):
            self.add(data.line_of("always"), "always", "expected_type", _ERRORS,
                     expected="true or false", got=type_name(data["always"]))
        if not isinstance(industries, list) or not all(isinstance(i, str) for i in industries):
            self.add(data.line_of("industries"), "industries", "expected_type", _ERRORS,
                     expected="list of text", got=type_name(industries))
            industries = []
        before = (len(self.roles), len(self.questions), len(self.rules))
        self._roles(data, name)
        self._questions(data, name)
        self._thresholds(data)
        self._facts(data)
        self._titles(data)
        self._offerings(data)
        self._rules(data, name)
        self._account_rules(data, name)
        for key in SECTION_KEYS:
            if key in data:
                self.sections[key].append((name, self.path, data[key]))
        counts = {
            "roles": len(self.roles) - before[0],
            "questions": len(self.questions) - before[1],
            "rules": len(self.rules) - before[2],
        }
        self.packs.append(PackInfo(name, self.path, title, tuple(industries), counts))

    def _roles(self, data: YamlMap, pack: str) -> None:
        roles = self.mapping(data, "roles", "roles")
        for rid, body in (roles or {}).items():
            where = f"roles.{rid}"
            line = roles.line_of(rid)
            if not self.ident(rid, line, where):
                continue
            if rid in self.roles:
                self.add(line, where, "duplicate_def", kind="role", value=rid,
                         other=self.roles[rid].pack)
                continue
            if not isinstance(body, YamlMap):
                self.add(line, where, "expected_type", _ERRORS, expected="mapping",
                         got=type_name(body))
                continue
            self.keys(body, ROLE_KEYS, where)
            prior = self.number(body, "prior", f"{where}.prior", 0.0, 1.0, default=0.2)
            self.roles[rid] = Role(
                id=rid,
                label=self.bilingual(body, "label", f"{where}.label") or {"zh": rid, "en": rid},
                definition=self.bilingual(body, "definition", f"{where}.definition") or {},
                cares_about=self.bilingual(body, "cares_about", f"{where}.cares_about", False),
                prior=prior if prior is not None else 0.2,
                expected=bool(body.get("expected", False)),
                pack=pack,
            )

    def _questions(self, data: YamlMap, pack: str) -> None:
        questions = self.mapping(data, "questions", "questions")
        for qid, body in (questions or {}).items():
            where = f"questions.{qid}"
            line = questions.line_of(qid)
            if not self.ident(qid, line, where):
                continue
            if qid in self.questions:
                self.add(line, where, "duplicate_def", kind="question", value=qid,
                         other=self.questions[qid].pack)
                continue
            if not isinstance(body, YamlMap):
                self.add(line, where, "expected_type", _ERRORS, expected="mapping",
                         got=type_name(body))
                continue
            self.keys(body, QUESTION_KEYS, where)
            self.questions[qid] = Question(
                id=qid,
                text=self.bilingual(body, "text", f"{where}.text") or {"zh": qid, "en": qid},
                help=self.bilingual(body, "help", f"{where}.help", False),
                order=len(self.questions),
                pack=pack,
            )

    def _thresholds(self, data: YamlMap) -> None:
        body = self.mapping(data, "thresholds", "thresholds")
        if body is not None:
            self.keys(body, STATUSES, "thresholds")
            values = {k: self.number(body, k, f"thresholds.{k}", -1.0, 1.0) for k in STATUSES}
            if None not in values.values():
                t = Thresholds(**values)
                if not t.confirmed > t.probable > t.possible > 0 > t.ruled_out:
                    self.add(body.line, "thresholds", "thresholds_order")
                else:
                    self.thresholds = t
        interview = self.mapping(data, "interview", "interview")
        if interview is not None:
            self._interview(interview)

    def _interview(self, body: YamlMap) -> None:
        """How the interview prices and stops: ``min_worth``, ``account_roles``, ``implied``."""
        self.keys(body, INTERVIEW_KEYS, "interview")
        worth = self.number(body, "min_worth", "interview.min_worth", 0.0, 10.0)
        if worth is not None:
            self.min_worth = worth
        roles = self.mapping(body, "account_roles", "interview.account_roles")
        for role in roles or {}:
            where = f"interview.account_roles.{role}"
            self.role_refs.append((self.path, roles.line_of(role), where, role))
            share = self.number(roles, role, where, 0.0, 1.0)
            if share is not None:
                self.account_roles[role] = share
        implied = self.mapping(body, "implied", "interview.implied")
        for qid in implied or {}:
            self._implied(implied, qid, f"interview.implied.{qid}")
        given = self.mapping(body, "given", "interview.given")
        for qid in given or {}:
            self._given(given, qid, f"interview.given.{qid}")
        budget = self.mapping(body, "budget", "interview.budget")
        if budget is not None:
            self.keys(budget, ("questions", "growth"), "interview.budget")
            questions = self.number(budget, "questions", "interview.budget.questions", 0, 100)
            growth = self.number(budget, "growth", "interview.budget.growth", 1.0, 10.0)
            if questions is not None and growth is not None:
                self.budget = (int(questions), growth)

    def _given(self, parent: YamlMap, qid: str, where: str) -> None:
        """``question: {base: 0.15, when: {other: {yes: 0.01, no: 0.2}}}``: how often the question
        is answered yes among all contacts, and among those who gave another answer."""
        self.question_refs.append((self.path, parent.line_of(qid), where, qid))
        body = self.mapping(parent, qid, where, required=True)
        if body is None:
            return
        self.keys(body, ("base", "when"), where)
        base = self.number(body, "base", f"{where}.base", 0.001, 0.999)
        given = self.mapping(body, "when", f"{where}.when", required=True)
        rates: dict[tuple[str, str], float] = {}
        for other in given or {}:
            at = f"{where}.when.{other}"
            self.question_refs.append((self.path, given.line_of(other), at, other))
            by_answer = self.mapping(given, other, at, required=True)
            for answer in by_answer or {}:
                name = ("yes" if answer else "no") if isinstance(answer, bool) else str(answer)
                if name not in ANSWERS:
                    self.add(by_answer.line_of(answer), f"{at}.{name}", "one_of", _ERRORS,
                             value=name, allowed=", ".join(ANSWERS))
                    continue
                rate = self.number(by_answer, answer, f"{at}.{name}", 0.001, 0.999)
                if rate is not None:
                    rates[(str(other), name)] = rate
        if base is not None:
            self.given[qid] = GivenRates(base, rates)

    def _implied(self, parent: YamlMap, qid: str, where: str) -> None:
        """``question: {answer: no, when: {other_question: yes}}``: an answer that follows."""
        self.question_refs.append((self.path, parent.line_of(qid), where, qid))
        body = self.mapping(parent, qid, where, required=True)
        if body is None:
            return
        self.keys(body, ("answer", "when"), where)
        answer = self._values(body, "answer", f"{where}.answer", ANSWERS) if "answer" in body else None
        given = self.mapping(body, "when", f"{where}.when", required=True)
        if not answer or len(answer) != 1:
            self.add(body.line_of("answer"), f"{where}.answer", "one_of", _ERRORS,
                     value=body.get("answer"), allowed=", ".join(ANSWERS))
            return
        if not given:
            return
        for other in given:
            self.question_refs.append((self.path, given.line_of(other), f"{where}.when.{other}", other))
        conditions = tuple((other, self._values(given, other, f"{where}.when.{other}", ANSWERS))
                           for other in given)
        self.implied[qid] = (next(iter(answer)), conditions)

    def _facts(self, data: YamlMap) -> None:
        facts = self.mapping(data, "facts", "facts")
        for name, values in (facts or {}).items():
            where = f"facts.{name}"
            if not self.ident(name, facts.line_of(name), where):
                continue
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                self.add(facts.line_of(name), where, "expected_type", _ERRORS,
                         expected="list of values", got=type_name(values))
                continue
            self.facts.setdefault(name, set()).update(values)

    def _rules(self, data: YamlMap, pack: str) -> None:
        for index, body in self.mappings(data, "rules", "rules"):
            spec = self._rule(body, index, pack)
            if spec is not None:
                self.rules.append(spec)

    def _rule(self, body: YamlMap, index: int, pack: str) -> RuleSpec | None:
        rid = body.get("id")
        where = f"rules[{index}]" if not isinstance(rid, str) else f"rules[{rid}]"
        count = len(self.problems)
        self.keys(body, RULE_KEYS, where)
        if rid is None:
            self.add(body.line, f"{where}.id", "required", _ERRORS)
        elif self.ident(rid, body.line_of("id"), f"{where}.id", _RULE_ID):
            if rid in self.rule_where:
                self.add(body.line_of("id"), f"{where}.id", "duplicate_rule",
                         value=rid, other=self.rule_where[rid])
            else:
                self.rule_where[rid] = f"{self.path}:{body.line_of('id')}"
        reason = self.bilingual(body, "reason", f"{where}.reason")
        when = self._when(body, where)
        then = self._then(body, where)
        if len(self.problems) > count or when is None or then is None or reason is None:
            return None
        return RuleSpec(id=rid, reason=reason, then=then, pack=pack, path=self.path,
                        line=body.line, **when)

    def _when(self, body: YamlMap, where: str) -> dict | None:
        when = self.mapping(body, "when", f"{where}.when", required=True)
        if when is None:
            return None
        where = f"{where}.when"
        self.keys(when, WHEN_KEYS, where)
        if not when:
            self.add(when.line, where, "empty_when")
        out: dict[str, Any] = {}
        answers = self.mapping(when, "answers", f"{where}.answers")
        if answers is not None:
            out["answers"] = tuple(
                (qid, self._values(answers, qid, f"{where}.answers.{qid}", ANSWER_TESTS))
                for qid in answers
            )
            for qid in answers:
                self.question_refs.append((self.path, answers.line_of(qid),
                                           f"{where}.answers.{qid}", qid))
        for key in ("title", "department"):
            if key in when:
                out[key] = self._match(when, key, f"{where}.{key}", parts=key == "title")
        account = self.mapping(when, "account", f"{where}.account")
        if account is not None:
            tests = _account_tests()
            self.keys(account, tests, f"{where}.account")
            out["account"] = tuple(
                (k, self._values(account, k, f"{where}.account.{k}", tests[k])) for k in account if k in tests
            )
            for k, values in out["account"]:
                if k == "scope":
                    self.scope_refs.append((self.path, account.line_of(k), f"{where}.account.scope", values))
        contact = self.mapping(when, "contact", f"{where}.contact")
        if contact is not None:
            self.keys(contact, CONTACT_TESTS, f"{where}.contact")
            out["contact"] = tuple(
                (k, self._values(contact, k, f"{where}.contact.{k}", CONTACT_TESTS[k]))
                for k in contact if k in CONTACT_TESTS
            )
        facts = self.mapping(when, "facts", f"{where}.facts")
        if facts is not None:
            out["facts"] = tuple((k, self._values(facts, k, f"{where}.facts.{k}")) for k in facts)
            for k, values in out["facts"]:
                self.fact_refs.append((self.path, facts.line_of(k), f"{where}.facts.{k}", k, values))
        if "manager" in when:
            out["manager"] = self._manager(when, f"{where}.manager")
        if "has_reports" in when:
            value = when["has_reports"]
            if not isinstance(value, bool):
                self.add(when.line_of("has_reports"), f"{where}.has_reports", "expected_type",
                         _ERRORS, expected="true or false", got=type_name(value))
            out["has_reports"] = bool(value)
        return out

    def _values(self, parent: YamlMap, key: str, where: str,
                allowed: Iterable[str] | None = None) -> frozenset[str]:
        """A single value or a list of values (``one of``), checked against ``allowed``."""
        raw = parent[key]
        items = raw if isinstance(raw, list) else [raw]
        values = []
        for item in items:
            if isinstance(item, bool):  # unquoted yes/no in YAML 1.1
                item = "yes" if item else "no"
            if not isinstance(item, str):
                self.add(parent.line_of(key), where, "expected_type", _ERRORS,
                         expected="text", got=type_name(item))
                continue
            if allowed is not None and item not in allowed:
                self.add(parent.line_of(key), where, "one_of", _ERRORS,
                         value=item, allowed=", ".join(allowed))
                continue
            values.append(item)
        return frozenset(values)

    def _match(self, parent: YamlMap, key: str, where: str, parts: bool = False,
               keys: Iterable[str] = MATCH_KEYS) -> TextMatch | None:
        body = parent[key]
        line = parent.line_of(key)
        if isinstance(body, list):  # shorthand: a plain keyword list
            body = YamlMap(keywords=body)
            body.line, body.key_lines = line, {"keywords": line}
        if not isinstance(body, YamlMap):
            self.add(line, where, "expected_type", _ERRORS, expected="mapping", got=type_name(body))
            return None
        self.keys(body, [k for k in keys if parts or k != "part"], where)
        part = body.get("part", "any")
        if parts and part not in PARTS:
            self.add(body.line_of("part"), f"{where}.part", "one_of", _ERRORS, value=part,
                     allowed=", ".join(PARTS))
            part = "any"
        words = {}
        for k in ("keywords", "unless"):
            value = body.get(k, [])
            if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
                self.add(body.line_of(k), f"{where}.{k}", "expected_type", _ERRORS,
                         expected="list of text", got=type_name(value))
                value = []
            words[k] = tuple(w.strip().lower() for w in value)
        regex = self._compile(body["regex"], body.line_of("regex"), f"{where}.regex") \
            if body.get("regex") is not None else None
        if not words["keywords"] and regex is None and "regex" not in body:
            self.add(body.line, where, "empty_match")
        return TextMatch(words["keywords"], regex, words["unless"], part if parts else "any")

    def _regex(self, body: YamlMap, key: str, where: str) -> re.Pattern | None:
        """One regular expression of a section, compiled and checked like a rule's."""
        if body.get(key) is None:
            return None
        return self._compile(body[key], body.line_of(key), where)

    def _compile(self, pattern: Any, line: int | None, where: str) -> re.Pattern | None:
        """Compile once, at load; refuse what is not text or could backtrack for ever."""
        try:
            if not isinstance(pattern, str):
                raise re.error(f"expected text, got {type_name(pattern)}")
            return compile_safe(pattern)  # see rolefinder.patterns: no pattern can stall
        except (re.error, UnsafePattern, RecursionError, OverflowError) as exc:
            self.add(line, where, "bad_regex", error=str(exc))
            return None

    # -- titles, offerings and account rules (see rolefinder.setting)
    def _titles(self, data: YamlMap) -> None:
        body = self.mapping(data, "titles", "titles")
        if body is None:
            return
        self.keys(body, TITLES_KEYS, "titles")
        matches = {k: self._match(body, k, f"titles.{k}") if k in body else None for k in ("heads", "grades")}
        self.titles = TitleRules(
            separators=self._regex(body, "separators", "titles.separators"),
            conjunction=self._regex(body, "conjunction", "titles.conjunction"),
            heads=matches["heads"],
            grades=matches["grades"],
            grade_prefix=self._regex(body, "grade_prefix", "titles.grade_prefix"),
        )

    def _offerings(self, data: YamlMap) -> None:
        """Later packs' patterns are tried first: an industry pack knows its offerings better."""
        from rolefinder.account import OFFERING_TYPES

        found = []
        for index, body in self.mappings(data, "offerings", "offerings"):
            where = f"offerings[{index}]"
            self.keys(body, OFFERING_KEYS, where)
            kind, scope = body.get("type"), body.get("scope")
            if kind is not None and kind not in OFFERING_TYPES:
                self.add(body.line_of("type"), f"{where}.type", "one_of", _ERRORS, value=kind,
                         allowed=", ".join(OFFERING_TYPES))
                continue
            if scope is not None and not self.ident(scope, body.line_of("scope"), f"{where}.scope"):
                continue
            if kind is None and scope is None:
                self.add(body.line, f"{where}.type", "required", _ERRORS)
                continue
            holder = YamlMap({k: v for k, v in body.items() if k in MATCH_KEYS})
            holder.line, holder.key_lines = body.line, dict(body.key_lines)
            wrapper = YamlMap(match=holder)
            wrapper.line, wrapper.key_lines = body.line, {"match": body.line}
            match = self._match(wrapper, "match", where)
            if match is not None:
                found.append(OfferingPattern(match, kind, scope))
                if scope:
                    self.scopes.add(scope)
        self.offerings[:0] = found

    def _account_rules(self, data: YamlMap, pack: str) -> None:
        for index, body in self.mappings(data, "account_rules", "account_rules"):
            rule = self._account_rule(body, index, pack)
            if rule is not None:
                self.account_rules.append(rule)

    def _account_rule(self, body: YamlMap, index: int, pack: str) -> AccountRule | None:
        rid = body.get("id")
        where = f"account_rules[{rid if isinstance(rid, str) else index}]"
        count = len(self.problems)
        self.keys(body, ACCOUNT_RULE_KEYS, where)
        if rid is None:
            self.add(body.line, f"{where}.id", "required", _ERRORS)
        elif self.ident(rid, body.line_of("id"), f"{where}.id", _RULE_ID):
            if rid in self.rule_where:
                self.add(body.line_of("id"), f"{where}.id", "duplicate_rule", value=rid,
                         other=self.rule_where[rid])
            else:
                self.rule_where[rid] = f"{self.path}:{body.line_of('id')}"
        reason = self.bilingual(body, "reason", f"{where}.reason")
        out: dict[str, Any] = {}
        when = self.mapping(body, "when", f"{where}.when", required=True)
        if when is not None:
            self.keys(when, ("role", "status", "at_least", "at_most"), f"{where}.when")
            out["role"] = when.get("role")
            if out["role"] is None:
                self.add(when.line, f"{where}.when.role", "required", _ERRORS)
            else:
                self.role_refs.append((self.path, when.line_of("role"), f"{where}.when.role", out["role"]))
            out["status"] = self._choice(when, "status", f"{where}.when.status", STATUSES, "probable")
            for k in ("at_least", "at_most"):
                value = when.get(k)
                if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                    self.add(when.line_of(k), f"{where}.when.{k}", "expected_type", _ERRORS,
                             expected="a whole number ≥ 0", got=type_name(value))
                out[k] = value
        candidates = self.mapping(body, "candidates", f"{where}.candidates")
        if candidates is not None:
            self.keys(candidates, ("facts", "manager", "strongest"), f"{where}.candidates")
            facts = self.mapping(candidates, "facts", f"{where}.candidates.facts")
            if facts is not None:
                out["facts"] = tuple((k, self._values(facts, k, f"{where}.candidates.facts.{k}")) for k in facts)
                for k, values in out["facts"]:
                    self.fact_refs.append((self.path, facts.line_of(k), f"{where}.candidates.facts.{k}", k, values))
            if "manager" in candidates:
                out["manager"] = self._choice(candidates, "manager", f"{where}.candidates.manager", ("none",))
            out["strongest"] = candidates.get("strongest") is True
        then = self.mapping(body, "then", f"{where}.then", required=True)
        if then is not None:
            self.keys(then, ("role", "raise_to", "lower_to", "finding"), f"{where}.then")
            actions = [key for key in ("finding", "raise_to", "lower_to") if key in then]
            if len(actions) > 1:  # one conclusion per rule: a second would be silently ignored
                self.add(then.line_of(actions[1]), f"{where}.then.{actions[1]}", "only_one", _ERRORS,
                         allowed=", ".join(actions))
            if "finding" in then:
                out["finding"] = self._choice(then, "finding", f"{where}.then.finding", SEVERITIES)
            elif "raise_to" in then or "lower_to" in then:
                action = "raise_to" if "raise_to" in then else "lower_to"
                allowed = ("possible", "probable") if action == "raise_to" else ("possible",)
                out[action] = self._choice(then, action, f"{where}.then.{action}", allowed)
                if then.get("role", out.get("role")) != out.get("role"):
                    self.add(then.line_of("role"), f"{where}.then.role", "one_of", _ERRORS,
                             value=then.get("role"), allowed=str(out.get("role")))
            else:
                self.add(then.line, f"{where}.then.finding", "required", _ERRORS)
        if len(self.problems) > count or reason is None or when is None or then is None:
            return None
        return AccountRule(id=rid, reason=reason, pack=pack, path=self.path, line=body.line, **out)

    def _choice(self, body: YamlMap, key: str, where: str, allowed: Iterable[str],
                default: str | None = None) -> str | None:
        value = body.get(key, default)
        if value is not None and value not in allowed:
            self.add(body.line_of(key), where, "one_of", _ERRORS, value=value, allowed=", ".join(allowed))
            return None
        return value

    def _manager(self, when: YamlMap, where: str) -> tuple[str, str] | str | None:
        body = when["manager"]
        line = when.line_of("manager")
        if body == "none" or body is None:
            return "none"
        if not isinstance(body, YamlMap):
            self.add(line, where, "expected_type", _ERRORS,
                     expected="'none' or {role: ..., status: ...}", got=type_name(body))
            return None
        self.keys(body, ("role", "status"), where)
        role = body.get("role")
        status = body.get("status", "probable")
        if role is None:
            self.add(body.line, f"{where}.role", "required", _ERRORS)
            return None
        self.role_refs.append((self.path, body.line_of("role"), f"{where}.role", role))
        if status not in STATUSES:
            self.add(body.line_of("status"), f"{where}.status", "one_of", _ERRORS,
                     value=status, allowed=", ".join(STATUSES))
            return None
        return (role, status)

    def _then(self, body: YamlMap, where: str) -> tuple[Conclusion, ...] | None:
        raw = body.get("then")
        if raw is None:
            self.add(body.line, f"{where}.then", "required", _ERRORS)
            return None
        items = raw if isinstance(raw, list) else [raw]
        if not items:  # an empty list would silently drop the rule
            self.add(body.line_of("then"), f"{where}.then", "empty_then")
            return None
        out = []
        for index, item in enumerate(items):
            here = f"{where}.then" + (f"[{index}]" if isinstance(raw, list) else "")
            line = raw.line_of(index) if isinstance(raw, YamlList) else body.line_of("then")
            if not isinstance(item, YamlMap):
                self.add(line, here, "expected_type", _ERRORS, expected="mapping",
                         got=type_name(item))
                continue
            self.keys(item, THEN_KEYS, here)
            if ("role" in item) == ("fact" in item):
                self.add(item.line, here, "required", _ERRORS)
                continue
            if "role" in item:
                cf = self.number(item, "cf", f"{here}.cf", -1.0, 1.0)
                self.role_refs.append((self.path, item.line_of("role"), f"{here}.role", item["role"]))
                if cf is not None:
                    out.append(Conclusion(cf=cf, role=item["role"]))
                continue
            cf = self.number(item, "cf", f"{here}.cf", 0.0, 1.0, default=1.0)
            fact = item["fact"]
            if not (isinstance(fact, YamlMap) and len(fact) == 1
                    and all(isinstance(v, str) for v in fact.values())):
                self.add(item.line_of("fact"), f"{here}.fact", "expected_type", _ERRORS,
                         expected="{name: value}", got=type_name(fact))
                continue
            (name, value), = fact.items()
            if self.ident(name, item.line_of("fact"), f"{here}.fact") and cf is not None:
                self.facts.setdefault(name, set()).add(value)
                out.append(Conclusion(cf=cf, fact=(name, value)))
        return tuple(out) if out and len(out) == len(items) else None

    # -- cross-pack checks
    def finish(self) -> Knowledge:
        for path, line, where, role in self.role_refs:
            if not isinstance(role, str):  # a list or mapping where one role id belongs
                self.problems.append(Problem(path, line, where, "expected_type",
                                             {"expected": "role id", "got": type_name(role)}, _ERRORS))
            elif role not in self.roles:
                self.problems.append(Problem(path, line, where, "unknown_role",
                                             {"value": role, "hint": did_you_mean(role, self.roles)},
                                             MESSAGES))
        for path, line, where, qid in self.question_refs:
            if not isinstance(qid, str):
                self.problems.append(Problem(path, line, where, "expected_type",
                                             {"expected": "question id", "got": type_name(qid)}, _ERRORS))
            elif qid not in self.questions:
                self.problems.append(Problem(path, line, where, "unknown_question",
                                             {"value": qid, "hint": did_you_mean(qid, self.questions)},
                                             _ERRORS))
        for path, line, where, name, values in self.fact_refs:
            if name not in self.facts:
                self.problems.append(Problem(path, line, where, "unknown_fact",
                                             {"value": name, "hint": did_you_mean(name, self.facts)},
                                             MESSAGES))
            else:
                for value in sorted(values - self.facts[name]):
                    self.problems.append(Problem(
                        path, line, where, "unknown_fact_value",
                        {"value": value, "fact": name,
                         "allowed": ", ".join(sorted(self.facts[name]))}, MESSAGES))
        for path, line, where, values in self.scope_refs:
            for value in sorted(values - self.scopes - {UNKNOWN}):
                self.problems.append(Problem(path, line, where, "unknown_fact_value",
                                             {"value": value, "fact": "scope",
                                              "allowed": ", ".join(sorted(self.scopes))}, MESSAGES))
        sections = {k: v for k, v in self.sections.items() if v}
        for key, entries in sections.items():
            validate = _section_validator(key)
            if validate is not None:
                self.problems += validate(entries, self.roles, self.questions)
        if not any(p.name == "core" for p in self.packs) and not self.problems:
            self.problems.append(Problem(self.path, None, "", "no_core", {}, MESSAGES))
        if self.problems:
            raise PackError(self.problems)
        return Knowledge(
            packs=self.packs,
            roles=self.roles,
            questions=self.questions,
            thresholds=self.thresholds or Thresholds(),
            min_worth=self.min_worth,
            account_roles=self.account_roles,
            implied=self.implied,
            given=self.given,
            budget=self.budget,
            facts={k: frozenset(v) for k, v in self.facts.items()},
            rules=self.rules,
            sections=sections,
            titles=self.titles or TitleRules(),
            offerings=tuple(self.offerings),
            account_rules=self.account_rules,
        )


# Sections that belong to other parts of rolefinder validate themselves: "module:function",
# called with [(pack, path, data)], the roles and the questions; it returns a list of Problems.
SECTION_VALIDATORS = {
    "playbooks": "rolefinder.playbooks:validate_section",
    "classification": "rolefinder.classify:validate_section",
    "tests": "rolefinder.ruletests:validate_section",
    "crm": "rolefinder.crmexport:validate_section",
}


def _section_validator(key: str):
    import importlib
    import importlib.util

    module, function = SECTION_VALIDATORS[key].split(":")
    if importlib.util.find_spec(module) is None:
        return None
    return getattr(importlib.import_module(module), function, None)
