"""Changing what is known about a contact, and the step-by-step interview built on it.

The interview is plain library code (:class:`Interview`): the expert system chooses each
question (``ContactResult.next_question`` and the other worth-asking candidates), every change
is written to disk at once (:class:`AccountFile`), and ``back`` undoes the last step. The
terminal command in :mod:`rolefinder.commands.interview` only reads lines and prints, so the
whole logic is testable without a terminal.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rolefinder.account import (
    ATTITUDES,
    INFLUENCE,
    Account,
    Contact,
    atomic_write,
    check_writable,
    dump_account,
    parse_account_text,
)
from rolefinder.answers import normalise_answer
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog
from rolefinder.identification import ContactResult, Identification, NextQuestion, identify, reidentify

MESSAGES = Catalog(
    {
        "bad_choice": {
            "en": "{value!r} is not allowed; expected one of: {allowed}",
            "zh": "不允许的值 {value!r};应为以下之一:{allowed}",
        },
        "required": {"en": "required field is missing", "zh": "缺少必填字段"},
    }
)
CONTACT_FIELDS = {"influence": INFLUENCE, "attitude": ATTITUDES}
_RESOLVER = yaml.resolver.Resolver()  # PyYAML's: how the loader will read a plain scalar back
_STR_TAG = "tag:yaml.org,2002:str"


def record_answer(account: Account, contact_id: str, question: str, answer: object) -> str | None:
    """Record (or, with ``answer=None``, forget) one answer; returns the normalised answer.

    Raises :class:`InputError` for an unknown contact, question or answer.
    """
    contact = account.contact(contact_id)
    questions = account.knowledge.questions if account.knowledge else {}
    if questions and question not in questions:
        raise InputError([Problem(account.path, None, f"answers.{question}", "unknown_question",
                                  {"value": question, "hint": ""})])
    if answer is None:
        contact.answers.pop(question, None)
        return None
    value = normalise_answer(answer)
    if value is None:
        raise InputError([Problem(account.path, None, f"answers.{question}", "bad_answer",
                                  {"value": answer})])
    contact.answers[question] = value
    return value


def set_contact_field(account: Account, contact_id: str, name: str, value: str | None) -> None:
    """Set (or clear) ``influence`` or ``attitude``, with the same checks as loading a file."""
    contact = account.contact(contact_id)
    allowed = CONTACT_FIELDS[name]
    if value is not None and value not in allowed:
        raise InputError([Problem(account.path, None, name, "bad_choice",
                                  {"value": value, "allowed": ", ".join(allowed)}, MESSAGES)])
    setattr(contact, name, value)


# --------------------------------------------------------------------------- saving


class AccountFile:
    """The account file on disk, kept as a round-trip YAML document.

    Saving edits that document (answers, influence, attitude, new contacts) and writes it
    atomically, so comments, key order, quoting and every field the interview does not touch
    stay as the rep wrote them. The new text is validated before it replaces the file: a save
    can never leave an account that does not load. Without ``ruamel.yaml`` it falls back to
    :func:`~rolefinder.account.dump_account` (fields and notes kept, comments lost).
    """

    def __init__(self, path: str | os.PathLike[str], text: str | None = None) -> None:
        self.path = str(path)
        self._yaml: Any = None
        self._doc: Any = None
        if text is None:
            text = self._on_disk()
        self._text = text or ""
        self._load(self._text)

    def _on_disk(self) -> str | None:
        try:
            return Path(self.path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None

    def check_writable(self) -> None:
        """Refuse to start when saving is bound to fail: better than losing the first answer."""
        check_writable(self.path)

    def _load(self, text: str) -> None:
        try:
            from ruamel.yaml import YAML
            from ruamel.yaml.comments import CommentedMap
        except ImportError:  # pragma: no cover - ruamel.yaml is a dependency
            return
        yaml = YAML()
        yaml.width = 100
        yaml.preserve_quotes = True
        offset = _sequence_offset(text)
        yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
        try:
            doc = yaml.load(text) if text.strip() else CommentedMap()
        except Exception:  # the file loaded with PyYAML; keep going with the plain dump
            return
        if isinstance(doc, CommentedMap):
            self._yaml, self._doc = yaml, doc

    def render(self, account: Account) -> str:
        """The file's new text for ``account``."""
        if self._doc is None:
            return dump_account(account)
        _sync_document(self._doc, account)
        stream = io.StringIO()
        self._yaml.dump(self._doc, stream)
        return stream.getvalue()

    def save(self, account: Account) -> None:
        """Write the account atomically, after checking that the new text loads.

        When someone edited the file since it was read (a note added in an editor), the
        interview's changes are applied to that newer text, so neither side's edits are lost.
        """
        current = self._on_disk()
        if current is not None and current != self._text:
            self._load(current)
        text = self.render(account)
        parse_account_text(text, self.path, knowledge=account.knowledge)
        try:
            atomic_write(self.path, text)
        except OSError as exc:
            raise InputError([Problem(self.path, None, "", "not_writable",
                                      {"error": exc.strerror or str(exc)})]) from None
        self._text = text


def _sequence_offset(text: str) -> int:
    """How far the file indents the ``- `` of its contact list (PyYAML writes 0, people 2)."""
    match = re.search(r"^contacts:[ \t]*(?:#.*)?\r?\n(?:[ \t]*(?:#.*)?\r?\n)*([ \t]*)-", text, re.M)
    return len(match.group(1)) if match else 2


def _sync_document(doc: Any, account: Account) -> None:
    """Bring the round-trip document in line with ``account``, touching only what differs."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    header = doc.get("account")
    if not isinstance(header, dict):
        header = doc["account"] = CommentedMap()
    for key, value in (("name", account.name), ("industry", account.industry),
                       ("offering", account.offering)):
        _set(header, key, value)
    items = doc.get("contacts")
    if not isinstance(items, list):
        items = doc["contacts"] = CommentedSeq()
    by_id = {str(item.get("id")): item for item in items if isinstance(item, dict)}
    for contact in account.contacts:
        item = by_id.get(contact.id)
        if item is None:
            data = contact.to_dict()
            items.append(CommentedMap({k: v if k == "answers" else _text(v) for k, v in data.items()}))
        else:
            _sync_contact(item, contact)


def _text(value: Any) -> Any:
    """A string that YAML 1.1 would read as something else (``Yes``, ``off``, ``1e3``) is quoted.

    ruamel.yaml writes YAML 1.2, where ``Yes`` is plain text, but account files are read with
    PyYAML (YAML 1.1), which would turn a contact called "Yes" into ``True``.
    """
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, str) and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG:
        return DoubleQuotedScalarString(value)
    return value


def _set(item: Any, key: str, value: Any, before: str | None = None) -> None:
    """Set, replace or drop one key, leaving it alone when it already means ``value``."""
    if (item.get(key) or None) == (value or None):
        return
    value = _text(value)
    if not value:
        item.pop(key, None)
    elif key in item or before not in item:
        item[key] = value
    else:
        item.insert(list(item).index(before), key, value)


def _sync_contact(item: Any, contact: Contact) -> None:
    from ruamel.yaml.comments import CommentedMap

    for key in ("name", "title", "department", "reports_to", "influence", "attitude"):
        _set(item, key, getattr(contact, key), before="answers")
    answers = item.get("answers")
    if not isinstance(answers, dict):
        if not contact.answers:
            return
        answers = CommentedMap()
        if "notes" in item:
            item.insert(list(item).index("notes"), "answers", answers)
        else:
            item["answers"] = answers
    for qid in list(answers):
        if answers[qid] is not None and qid not in contact.answers:
            del answers[qid]
    for qid, value in contact.answers.items():
        if normalise_answer(answers.get(qid)) != value:
            answers[qid] = value


def new_account_text(name: str, industry: str | None = None, offering: str | None = None) -> str:
    """The text of a new account file with just its header."""
    account = Account(name=name, contacts=[], industry=industry or None,
                      offering=offering or None)
    return "# rolefinder account (DOMAIN.md §3); written by `rolefinder interview`\n" + (
        dump_account(account).replace("contacts: []\n", "contacts:\n"))


# --------------------------------------------------------------------------- the interview


@dataclass(frozen=True)
class Step:
    """One undoable change: an answer, a skipped question or a contact field."""

    contact: str
    kind: str  # "answer", "skip" or "field"
    key: str  # question id or field name
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class Progress:
    """Where the rep is: contact i of n, questions answered, roles still open."""

    index: int
    total: int
    answered: int
    questions: int
    open_roles: tuple[str, ...]


@dataclass
class Interview:
    """An interview over one account: the expert system asks, the rep answers.

    Every change goes through :func:`reidentify` (only the changed contact and, if needed, the
    people below them are judged again) and is saved at once when a ``store`` is given.
    """

    account: Account
    store: AccountFile | None = None
    result: Identification = field(init=False)
    contact_id: str | None = None
    history: list[Step] = field(default_factory=list)
    skipped: dict[str, set[str]] = field(default_factory=dict)
    autosave: bool = True
    dirty: bool = False

    def __post_init__(self) -> None:
        self.result = identify(self.account)

    # ---------------------------------------------------------------- reading

    @property
    def current(self) -> ContactResult:
        """The conclusions about the contact being interviewed."""
        if self.contact_id is None:
            raise ValueError("no contact selected")
        return self.result.contact(self.contact_id)

    def worth_asking(self, contact_id: str | None = None) -> list[NextQuestion]:
        """The questions still worth asking about a contact, best first, skipped ones left out."""
        cid = contact_id or self.contact_id
        if cid is None:
            return []
        result = self.result.contact(cid)
        skipped = self.skipped.get(cid, set())
        return [q for q in result.asking if q.id not in skipped]

    def question(self) -> NextQuestion | None:
        """The next question for the current contact, or None when nothing is worth asking."""
        asking = self.worth_asking()
        return asking[0] if asking else None

    def progress(self) -> Progress:
        cid = self.contact_id
        ids = [c.id for c in self.account.contacts]
        index = ids.index(cid) + 1 if cid in ids else 0
        answered = len(self.account.contact(cid).answers) if cid else 0
        asking = self.worth_asking()
        open_roles = sorted({e.role for q in asking for effects in q.effects.values()
                             for e in effects})
        total_q = len(self.result.knowledge.questions)
        return Progress(index, len(ids), answered, total_q, tuple(open_roles))

    def next_contact(self) -> str | None:
        """The first contact, after the current one and wrapping round, with questions left."""
        ids = [c.id for c in self.account.contacts]
        start = ids.index(self.contact_id) + 1 if self.contact_id in ids else 0
        for cid in ids[start:] + ids[:start]:
            if self.worth_asking(cid):
                return cid
        return None

    # ---------------------------------------------------------------- changing

    def select(self, contact_id: str) -> ContactResult:
        """Work on this contact next (raises :class:`InputError` for an unknown id)."""
        self.account.contact(contact_id)
        self.contact_id = contact_id
        return self.current

    def answer(self, value: object, question: str | None = None) -> str:
        """Answer the current question (or ``question``) and save; returns yes/no/unsure."""
        qid = question or self._asked().id
        contact = self.account.contact(self._cid())
        before = contact.answers.get(qid)
        after = record_answer(self.account, contact.id, qid, value)
        self._apply(Step(contact.id, "answer", qid, before, after))
        return after or ""

    def skip(self) -> str:
        """Leave the current question unanswered for the rest of this session."""
        qid = self._asked().id
        self.skipped.setdefault(self._cid(), set()).add(qid)
        self.history.append(Step(self._cid(), "skip", qid))
        return qid

    def set_field(self, name: str, value: str | None) -> None:
        """Record the rep's judgement of ``influence`` or ``attitude`` and save."""
        contact = self.account.contact(self._cid())
        before = getattr(contact, name)
        set_contact_field(self.account, contact.id, name, value)
        self._apply(Step(contact.id, "field", name, before, value))

    def back(self) -> Step | None:
        """Undo the last answer, skip or field change of the current contact."""
        cid = self._cid()
        for index in range(len(self.history) - 1, -1, -1):
            step = self.history[index]
            if step.contact == cid:
                del self.history[index]
                self._undo(step)
                return step
        return None

    def add_contact(self, name: str, title: str = "", department: str = "",
                    reports_to: str | None = None) -> Contact:
        """Add a contact to the account, identify again and save; returns the new contact."""
        if not name.strip():
            raise InputError([Problem(self.account.path, None, "name", "required",
                                      catalog=MESSAGES)])
        if reports_to is not None:
            self.account.contact(reports_to)
        contact = Contact(id=self._new_id(name), name=name.strip(), title=title.strip(),
                          department=department.strip(), reports_to=reports_to or None)
        self.account.contacts.append(contact)
        self.dirty = True
        self.result = identify(self.account)  # the manager's reports changed too
        if self.autosave:
            self.flush()
        return contact

    # ---------------------------------------------------------------- internals

    def _cid(self) -> str:
        if self.contact_id is None:
            raise ValueError("no contact selected")
        return self.contact_id

    def _asked(self) -> NextQuestion:
        question = self.question()
        if question is None:
            raise ValueError("nothing is worth asking about this contact")
        return question

    def _apply(self, step: Step) -> None:
        self.history.append(step)
        self._refresh(step.contact)

    def _undo(self, step: Step) -> None:
        if step.kind == "skip":
            self.skipped.get(step.contact, set()).discard(step.key)
            return
        if step.kind == "answer":
            record_answer(self.account, step.contact, step.key, step.before)
        else:
            set_contact_field(self.account, step.contact, step.key, step.before)
        self._refresh(step.contact)

    def _refresh(self, contact_id: str) -> None:
        self.dirty = True  # before re-identifying: an interrupt there must still save the change
        self.result = reidentify(self.result, contact_id)
        if self.autosave:
            self.flush()

    def flush(self) -> None:
        """Write pending changes to disk (with ``autosave=False`` the caller decides when).

        The terminal shows the next question first and flushes before it reads the next
        line, so the rep never waits for the YAML writer and no answer given is unsaved.
        """
        if self.dirty and self.store is not None:
            self.store.save(self.account)
        self.dirty = False

    def _new_id(self, name: str) -> str:
        """A readable, unique id: the name in ASCII snake_case, else ``c<n>``."""
        taken = {c.id for c in self.account.contacts}
        base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        if not base or not base[0].isalpha():
            base = "c"
            number = len(self.account.contacts) + 1
            while f"c{number}" in taken:
                number += 1
            return f"c{number}"
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}_{number}", number + 1
        return candidate
