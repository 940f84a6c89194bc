"""The account file (see the README): loading, validating and writing it back safely.

Validation collects every problem with its line before raising, so one run of ``identify``
tells the rep all that is wrong with a file. Writing goes through :func:`atomic_write`, so an
interrupted save never leaves a half-written account behind.
"""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rolefinder.answers import normalise_answer
from rolefinder.errors import MESSAGES as ERRORS
from rolefinder.errors import InputError, Problem, did_you_mean
from rolefinder.i18n import Catalog
from rolefinder.sectioncheck import SectionChecker
from rolefinder.yamlsource import YamlList, YamlMap, load_yaml, parse_yaml, type_name

if TYPE_CHECKING:
    from rolefinder.knowledge import Knowledge

INFLUENCE = ("high", "medium", "low")
ATTITUDES = ("champion", "supporter", "neutral", "opponent")
LEVELS = ("high", "medium", "low")
# What is sold and how it is bought: conditions the rule packs may test (see README, "Rule packs").
OFFERING_TYPES = ("equipment", "drug", "consumable", "software", "service")
BUYING_PROCESSES = ("direct", "tender")
CHOICES = {"level": LEVELS, "offering_type": OFFERING_TYPES, "buying_process": BUYING_PROCESSES}

ACCOUNT_FIELDS = {
    "name": "text",
    "industry": "text",
    "offering": "text",
    "offering_type": "offering_type",
    "buying_process": "buying_process",
    "revenue": "number",
    "potential": "level",
    "strategic_fit": "level",
    "notes": "text",
}
CONTACT_FIELDS = (
    "id", "name", "title", "department", "reports_to",
    "influence", "attitude", "answers", "notes",
)
TOP_LEVEL = ("account", "contacts", "case")

_MESSAGES = Catalog(
    {
        "no_such_contact_id": {
            "en": "no contact with id {value!r}; the file has: {allowed}",
            "zh": "没有编号为 {value!r} 的联系人;文件中有:{allowed}",
        },
    }
)


@dataclass
class Contact:
    """One person at the account, as the rep knows them."""

    id: str
    name: str
    title: str = ""
    department: str = ""
    reports_to: str | None = None
    influence: str | None = None
    attitude: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    notes: str | None = None
    line: int | None = None
    manager_line: int | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The contact as it is written to an account file (empty fields left out)."""
        out: dict[str, Any] = {"id": self.id, "name": self.name}
        for key in ("title", "department", "reports_to", "influence", "attitude"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.answers:
            out["answers"] = dict(self.answers)
        if self.notes is not None:
            out["notes"] = self.notes
        return out


@dataclass
class Account:
    """An account: its header, its contacts, and the knowledge it is judged with."""

    name: str
    contacts: list[Contact]
    industry: str | None = None
    offering: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] | None = None
    path: str | None = None
    knowledge: Knowledge | None = field(default=None, repr=False, compare=False)

    def contact(self, contact_id: str) -> Contact:
        for contact in self.contacts:
            if contact.id == contact_id:
                return contact
        allowed = ", ".join(c.id for c in self.contacts)
        raise InputError([Problem(self.path, None, "contact", "no_such_contact_id",
                                  {"value": contact_id, "allowed": allowed}, _MESSAGES)])

    def to_dict(self) -> dict[str, Any]:
        header: dict[str, Any] = {"name": self.name}
        if self.industry:
            header["industry"] = self.industry
        if self.offering:
            header["offering"] = self.offering
        header.update(self.fields)
        out: dict[str, Any] = {}
        if self.case is not None:
            out["case"] = self.case
        out["account"] = header
        out["contacts"] = [c.to_dict() for c in self.contacts]
        return out






class _Checker(SectionChecker):
    """Collects the problems of one account file with their lines."""

    messages = ERRORS  # the shared input-error messages of rolefinder.errors

    def text(self, data: YamlMap, key: str, where: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(data.line, f"{where}.{key}", "required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add(data.line_of(key), f"{where}.{key}", "expected_type",
                     expected="text", got=type_name(value))
            return None
        text = str(value).strip()
        if required and not text:
            self.add(data.line_of(key), f"{where}.{key}", "required")
            return None
        return text

    def choice(self, data: YamlMap, key: str, where: str, allowed: tuple[str, ...]) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if value not in allowed:
            self.add(data.line_of(key), f"{where}.{key}", "one_of",
                     value=value, allowed=", ".join(allowed))
            return None
        return value


def load_account(
    path: str | os.PathLike[str],
    *,
    rules: Iterable[str | os.PathLike[str]] = (),
    knowledge: Knowledge | None = None,
) -> Account:
    """Load and validate an account file; raise :class:`InputError` listing every problem.

    The rule packs (core, the account's industry pack, then ``rules`` directories) define the
    question ids, so they are loaded here too and kept on the account for :func:`identify`.
    """
    name = str(path)
    return parse_account(load_yaml(path), name, rules=rules, knowledge=knowledge)


def parse_account_text(text: str, path: str | None = None, **kwargs: Any) -> Account:
    """Like :func:`load_account`, from text already in memory."""
    return parse_account(parse_yaml(text, path), path, **kwargs)


def parse_account(
    data: Any,
    path: str | None,
    *,
    rules: Iterable[str | os.PathLike[str]] = (),
    knowledge: Knowledge | None = None,
) -> Account:
    check = _Checker(path)
    if data is None:
        raise InputError([Problem(path, None, "", "empty_file")])
    if not isinstance(data, YamlMap):
        raise InputError([Problem(path, getattr(data, "line", 1), "", "expected_type",
                                  {"expected": "mapping", "got": type_name(data)})])
    check.keys(data, TOP_LEVEL, "")
    header = _parse_header(data, check)
    contacts = _parse_contacts(data, check)
    _check_org_chart(contacts, check)
    if knowledge is None:
        from rolefinder.knowledge import load_knowledge

        knowledge = load_knowledge(industry=header.get("industry"), rules=rules)
    _check_answers(data, contacts, knowledge.questions, check)
    _check_case(data, contacts, knowledge.roles, check)
    if check.problems:
        raise InputError(sorted(check.problems, key=lambda p: p.line or 0))
    case = data.get("case")
    return Account(
        name=header.pop("name"),
        industry=header.pop("industry", None),
        offering=header.pop("offering", None),
        fields=header,
        contacts=contacts,
        case=_plain(case) if isinstance(case, dict) else None,
        path=path,
        knowledge=knowledge,
    )


def _plain(value: Any) -> Any:
    """Containers with line information back to plain dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _parse_header(data: YamlMap, check: _Checker) -> dict[str, Any]:
    header = data.get("account")
    if not isinstance(header, YamlMap):
        if header is None:
            check.add(data.line, "account", "required")
        else:
            check.add(data.line_of("account"), "account", "expected_type",
                      expected="mapping", got=type_name(header))
        return {"name": ""}
    check.keys(header, ACCOUNT_FIELDS, "account")
    out: dict[str, Any] = {"name": check.text(header, "name", "account", required=True) or ""}
    for key, kind in ACCOUNT_FIELDS.items():
        if key == "name" or header.get(key) is None:
            continue
        if kind == "text":
            out[key] = check.text(header, key, "account")
        elif kind in CHOICES:
            out[key] = check.choice(header, key, "account", CHOICES[kind])
        elif isinstance(header[key], bool) or not isinstance(header[key], (int, float)):
            check.add(header.line_of(key), f"account.{key}", "expected_type",
                      expected="number", got=type_name(header[key]))
        elif not math.isfinite(header[key]) or header[key] < 0:
            check.add(header.line_of(key), f"account.{key}", "expected_type",
                      expected="number ≥ 0", got=str(header[key]))
        else:
            out[key] = header[key]
    if out.get("industry"):
        out["industry"] = out["industry"].lower()
    return out


def _parse_contacts(data: YamlMap, check: _Checker) -> list[Contact]:
    items = data.get("contacts")
    if items is None:
        return []
    if not isinstance(items, YamlList):
        check.add(data.line_of("contacts"), "contacts", "expected_type",
                  expected="list", got=type_name(items))
        return []
    contacts: list[Contact] = []
    first_line: dict[str, int | None] = {}
    for index, item in enumerate(items):
        where = f"contacts[{index}]"
        if not isinstance(item, YamlMap):
            check.add(items.line_of(index), where, "expected_type",
                      expected="mapping", got=type_name(item))
            continue
        check.keys(item, CONTACT_FIELDS, where)
        cid = check.text(item, "id", where, required=True)
        name = check.text(item, "name", where, required=True)
        if cid is not None and cid in first_line:
            check.add(item.line_of("id"), f"{where}.id", "duplicate_id",
                      value=cid, first=first_line[cid])
        elif cid is not None:
            first_line[cid] = item.line_of("id")
        notes = item.get("notes")
        if isinstance(notes, (bool, dict, list)):  # a date or a number is fine: it reads as text
            check.add(item.line_of("notes"), f"{where}.notes", "expected_type",
                      expected="text", got=type_name(notes))
            notes = None
        contacts.append(
            Contact(
                id=cid or "",
                name=name or "",
                title=check.text(item, "title", where) or "",
                department=check.text(item, "department", where) or "",
                reports_to=check.text(item, "reports_to", where) or None,
                influence=check.choice(item, "influence", where, INFLUENCE),
                attitude=check.choice(item, "attitude", where, ATTITUDES),
                notes=None if notes is None else str(notes),
                line=item.line,
                manager_line=item.line_of("reports_to"),
            )
        )
    return contacts


def _check_org_chart(contacts: list[Contact], check: _Checker) -> None:
    """``reports_to`` must name a contact of the file and must never loop."""
    ids = {c.id: c for c in contacts}
    broken = False
    for index, contact in enumerate(contacts):
        where = f"contacts[{index}].reports_to"
        if contact.reports_to is None:
            continue
        if contact.reports_to == contact.id:
            check.add(contact.manager_line, where, "self_manager")
            broken = True
        elif contact.reports_to not in ids:
            check.add(contact.manager_line, where, "dangling_manager", value=contact.reports_to)
            broken = True
    if broken or len(ids) != len(contacts):
        return  # a cycle search over a broken chart would only repeat these problems
    index_of = {c.id: i for i, c in enumerate(contacts)}
    reported: set[str] = set()
    for contact in contacts:
        chain, seen, current = [], set(), contact
        while current is not None and current.id not in seen:
            seen.add(current.id)
            chain.append(current.id)
            current = ids.get(current.reports_to) if current.reports_to else None
        if current is not None:
            loop = [*chain[chain.index(current.id):], current.id]
            key = frozenset(loop)
            if key not in reported:
                reported.add(key)
                check.add(current.manager_line, f"contacts[{index_of[current.id]}].reports_to",
                          "cycle", chain=" → ".join(loop))


def _check_answers(data: YamlMap, contacts: list[Contact], questions: dict, check: _Checker) -> None:
    items = data.get("contacts")
    if not isinstance(items, YamlList):
        return  # already reported by _parse_contacts
    # _parse_contacts made one Contact per mapping item, in order; other items were reported.
    mappings = [(index, item) for index, item in enumerate(items) if isinstance(item, YamlMap)]
    for (index, item), contact in zip(mappings, contacts, strict=True):
        answers = item.get("answers")
        where = f"contacts[{index}].answers"
        if answers is None:
            continue
        if not isinstance(answers, YamlMap):
            check.add(item.line_of("answers"), where, "expected_type",
                      expected="mapping", got=type_name(answers))
            continue
        for qid, raw in answers.items():
            line = answers.line_of(qid)
            if qid not in questions:
                check.add(line, f"{where}.{qid}", "unknown_question",
                          value=qid, hint=did_you_mean(str(qid), questions))
                continue
            if raw is None:
                continue  # written down but not asked yet
            answer = normalise_answer(raw)
            if answer is None:
                check.add(line, f"{where}.{qid}", "bad_answer", value=raw)
            else:
                contact.answers[qid] = answer


def _check_case(data: YamlMap, contacts: list[Contact], roles: dict, check: _Checker) -> None:
    """A training case's ``case`` section: its answer key must name real contacts and roles."""
    case = data.get("case")
    if case is None:
        return
    if not isinstance(case, YamlMap):
        check.add(data.line_of("case"), "case", "expected_type", expected="mapping", got=type_name(case))
        return
    _check_case_texts(case, check)
    key = case.get("key")
    if key is None:
        return
    if not isinstance(key, YamlMap):
        check.add(case.line_of("key"), "case.key", "expected_type", expected="mapping", got=type_name(key))
        return
    ids = [c.id for c in contacts]
    for cid, held in key.items():
        where, line = f"case.key.{cid}", key.line_of(cid)
        if cid not in ids:
            check.add(line, where, "unknown_contact", value=cid, hint=did_you_mean(str(cid), ids))
        if held is None:
            continue
        if not isinstance(held, YamlList):
            check.add(line, where, "expected_type", expected="list of roles", got=type_name(held))
            continue
        for role in held:
            if not isinstance(role, str):
                check.add(line, where, "expected_type", expected="role id", got=type_name(role))
            elif role not in roles:
                check.add(line, where, "unknown_role", value=role, allowed=", ".join(roles),
                          hint=did_you_mean(str(role), roles))


def _check_case_texts(case: YamlMap, check: _Checker) -> None:
    """``id`` is text; ``title`` and ``scenario`` are text or ``{zh: ..., en: ...}``."""
    check.text(case, "id", "case")
    for name in ("title", "scenario"):
        value = case.get(name)
        if value is None or (isinstance(value, str)):
            continue
        if isinstance(value, YamlMap):
            for lang, text in value.items():
                if not isinstance(text, str):
                    check.add(value.line_of(lang), f"case.{name}.{lang}", "expected_type",
                              expected="text", got=type_name(text))
            continue
        check.add(case.line_of(name), f"case.{name}", "expected_type",
                  expected="text", got=type_name(value))


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path``: readers see the old file or the new one.

    The temporary file sits in the same directory (a rename is only atomic within one file
    system) and is flushed to disk before it replaces the target. A symbolic link is followed,
    so the file it points to is updated and the link stays; a read-only file is refused
    (a rename would replace it regardless of its mode).
    """
    target = Path(os.path.realpath(path))
    if target.exists() and not _may_write(target):
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))
    from rolefinder.storage import deferred_signals, write_replace

    # mkstemp makes the file private (0600); give it the old file's mode, or (None) what a new
    # file gets under the user's umask, so a plan can be shared like any other file.
    mode = target.stat().st_mode & 0o777 if target.exists() else None
    with deferred_signals():  # Ctrl-C waits until the replace is done: no temporary file left
        try:
            write_replace(str(target), data.encode("utf-8") if isinstance(data, str) else data, mode)
        except OSError as exc:
            if not exc.filename:  # "No space left" names the file
                raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
            raise


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise :class:`InputError` now if ``path`` cannot be written later.

    Commands call it before the work that ends in a write (an interview, a quiz), so that a
    bad ``-o``/``--out`` costs the user nothing.
    """
    target = Path(os.path.realpath(path))
    problem = None
    if target.is_dir():
        problem = "it is a directory"
    elif target.exists() and not _may_write(target):
        problem = "the file is read-only"
    elif not target.parent.is_dir():
        problem = f"the folder {target.parent} does not exist"
    elif not os.access(target.parent, os.W_OK):
        problem = f"the folder {target.parent} is not writable"
    if problem:
        raise InputError([Problem(str(path), None, "", "not_writable", {"error": problem})])


def _may_write(path: Path) -> bool:
    """Writable for this user, and not marked read-only (root may write anything, but asked not to)."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def dump_account(account: Account) -> str:
    """The account as YAML text, in the key order the README documents."""
    import yaml

    return yaml.safe_dump(account.to_dict(), allow_unicode=True, sort_keys=False, width=100)


def save_account(account: Account, path: str | os.PathLike[str] | None = None) -> None:
    """Write the account atomically to ``path`` (default: where it was loaded from).

    Over an existing account file the rep's comments, key order and notes are kept (the
    round-trip writer of the interview); a new file gets the plain layout the README documents.
    """
    target = path or account.path
    if target is None:
        raise ValueError("save_account needs a path for an account that was not loaded from one")
    if Path(target).is_file():
        from rolefinder.storage import AccountFile

        AccountFile(target).save(account)
        return
    try:
        atomic_write(target, dump_account(account))
    except OSError as exc:
        raise InputError([Problem(str(target), None, "", "not_writable",
                                  {"error": exc.strerror or str(exc)})]) from None
