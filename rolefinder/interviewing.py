"""Changing what is known about a contact, and the step-by-step interview built on it.

The interview is plain library code (:class:`Interview`): the expert system chooses each
question (``ContactResult.next_question`` and the other worth-asking candidates), every change
is written to disk at once (:class:`AccountFile`), and ``back`` undoes the last step. The
terminal command in :mod:`rolefinder.commands.interview` only reads lines and prints, so the
whole logic is testable without a terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rolefinder.account import ATTITUDES, INFLUENCE, Account, Contact, dump_account
from rolefinder.answers import normalise_answer
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog
from rolefinder.identification import ContactResult, Identification, NextQuestion, identify, reidentify
from rolefinder.storage import (
    AccountFile,
    AddContact,
    ConflictError,
    Op,
    RemoveContact,
    Resolver,
    Saved,
    SetAccountField,
    SetAnswer,
    SetField,
    Touch,
    deferred_signals,
    target_of,
)

if TYPE_CHECKING:
    from rolefinder.memo import EngineMemo

__all__ = ["AccountFile", "Interview", "Progress", "Step", "new_account_text", "record_answer",
           "set_contact_field"]

MESSAGES = Catalog(
    {
        "bad_choice": {
            "en": "{value!r} is not allowed; expected one of: {allowed}",
            "zh": "不允许的值 {value!r};应为以下之一:{allowed}",
        },
        "required": {"en": "required field is missing", "zh": "缺少必填字段"},
        "cycle": {"en": "that manager reports to {id}, directly or not: it would make a loop",
                  "zh": "该上级直接或间接向 {id} 汇报:会形成循环"},
        "bad_number": {"en": "{value!r} is not a number of zero or more", "zh": "{value!r} 不是大于等于零的数"},
    }
)
CONTACT_FIELDS = {"influence": INFLUENCE, "attitude": ATTITUDES}


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


EDITABLE = ("name", "title", "department", "reports_to")
ACCOUNT_FIELDS = ("industry", "offering", "revenue", "potential", "strategic_fit")
LEVEL_FIELDS = ("potential", "strategic_fit")


def account_field_value(account: Account, name: str, value: object) -> object:
    """An account field's value as a file would hold it; a one-line error otherwise."""
    if name not in ACCOUNT_FIELDS:
        raise ValueError(f"not an account field: {name}")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if name == "revenue":
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            number = -1.0
        if number < 0 or number != number or number == float("inf"):
            raise InputError([Problem(account.path, None, "revenue", "bad_number", {"value": text}, MESSAGES)])
        return int(number) if number.is_integer() else number
    if name in LEVEL_FIELDS:
        word = {"高": "high", "中": "medium", "低": "low"}.get(text, text.lower())
        if word not in ("high", "medium", "low"):
            raise InputError([Problem(account.path, None, name, "bad_choice",
                                      {"value": text, "allowed": "high, medium, low"}, MESSAGES)])
        return word
    return text.lower() if name == "industry" else text


def known_industries() -> tuple[list[str], list[str]]:
    """The industries shipped packs are written for: each pack's first name for them (to show),
    and every name they answer to (aliases, other languages: to match and to suggest from)."""
    from rolefinder.knowledge import load_knowledge

    knowledge = load_knowledge(all_industries=True)
    shown = sorted({p.industries[0] for p in knowledge.packs if p.industries})
    return shown, sorted({i for p in knowledge.packs for i in p.industries})


def _reload(knowledge, industry: str | None):
    """The packs for a new industry, keeping the user's own packs (those outside rules/)."""
    from pathlib import Path

    from rolefinder.knowledge import load_knowledge
    from rolefinder.resources import data_dir

    shipped = Path(data_dir("rules")).resolve()
    extra = [p.path for p in (knowledge.packs if knowledge else [])
             if p.path and shipped not in Path(p.path).resolve().parents]
    return load_knowledge(industry, extra)


# --------------------------------------------------------------------------- saving
# AccountFile and the change log live in rolefinder.storage; imported above for the API.


def new_account_text(name: str, industry: str | None = None, offering: str | None = None) -> str:
    """The text of a new account file with just its header."""
    account = Account(name=name, contacts=[], industry=industry or None,
                      offering=offering or None)
    from rolefinder.schema import SCHEMA_LINE

    return SCHEMA_LINE + "# rolefinder account file, written by `rolefinder interview`\n" + (
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
    pending: list[Op] = field(default_factory=list)  # the change log not yet on disk
    resolve: Resolver | None = None  # asked when a change meets another one on disk
    finished: set[str] = field(default_factory=set)  # contacts the rep called done this session
    # the engine's findings kept between runs (rolefinder.memo): only what changed is judged again
    memo: EngineMemo | None = None

    def __post_init__(self) -> None:
        self.result = identify(self.account, memo=self.memo)
        if self.store is not None:
            self.store.verify([c.id for c in self.account.contacts])

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
            if cid not in self.finished and self.worth_asking(cid):
                return cid
        return None

    def finish(self) -> None:
        """The rep is done with the current contact: the menu's default moves on from them."""
        self.finished.add(self._cid())

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
        self.pending.append(SetAnswer(contact.id, qid, before, after))
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
        self.pending.append(SetField(contact.id, name, before, value))
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
        self.pending.append(AddContact(contact.to_dict()))
        self.dirty = True
        self.result = identify(self.account, memo=self.memo)  # the manager's reports changed too
        if self.autosave:
            self.flush()
        return contact

    def edit_contact(self, contact_id: str, **changes: str | None) -> Contact:
        """Change a contact's name, title, department or manager (``reports_to``), and save.

        A manager must exist and must not be the contact or someone below them (no loops).
        """
        contact = self.account.contact(contact_id)
        for name, value in changes.items():
            if name not in EDITABLE:
                raise ValueError(f"not an editable field: {name}")
            value = value.strip() if isinstance(value, str) else value
            if name == "name" and not value:
                raise InputError([Problem(self.account.path, None, "name", "required", catalog=MESSAGES)])
            if name == "reports_to" and value:
                self.account.contact(value)
                if value == contact_id or contact_id in self._chain_above(value):
                    raise InputError([Problem(self.account.path, None, "reports_to", "cycle",
                                              {"id": contact_id}, MESSAGES)])
            before = getattr(contact, name)
            value = value or ("" if name in ("title", "department") else None)
            if before == value:
                continue
            setattr(contact, name, value)
            self.pending.append(SetField(contact_id, name, before or None, value or None))
        self._changed_chart()
        return contact

    def remove_contact(self, contact_id: str) -> Contact:
        """Remove a contact and save; the people who reported to them move up to their manager."""
        contact = self.account.contact(contact_id)
        for other in self.account.contacts:
            if other.reports_to == contact_id:
                other.reports_to = contact.reports_to
                self.pending.append(SetField(other.id, "reports_to", contact_id, contact.reports_to))
        self.account.contacts.remove(contact)
        self.pending.append(RemoveContact(contact_id))
        self.history = [step for step in self.history if step.contact != contact_id]
        if self.contact_id == contact_id:
            self.contact_id = None
        self._changed_chart()
        return contact

    def set_account_field(self, name: str, value: object) -> None:
        """Set or clear an account field (industry, offering, revenue, potential, strategic_fit)
        with the same checks as loading a file, and save. A new industry loads its packs."""
        value = account_field_value(self.account, name, value)
        before = getattr(self.account, name) if name in ("industry", "offering") else self.account.fields.get(name)
        if before == value:
            return
        if name in ("industry", "offering"):
            setattr(self.account, name, value)
        elif value is None:
            self.account.fields.pop(name, None)
        else:
            self.account.fields[name] = value
        self.pending.append(SetAccountField(name, before, value))
        if name == "industry":
            self.account.knowledge = _reload(self.account.knowledge, value)
        self._changed_chart()

    # ---------------------------------------------------------------- internals

    def _chain_above(self, contact_id: str) -> list[str]:
        chain, seen = [], set()
        current = self.account.contact(contact_id).reports_to
        while current and current not in seen:
            seen.add(current)
            chain.append(current)
            found = next((c for c in self.account.contacts if c.id == current), None)
            current = found.reports_to if found else None
        return chain

    def _changed_chart(self) -> None:
        self.dirty = True
        self.result = identify(self.account, memo=self.memo)  # managers, reports and packs may all have changed
        if self.autosave:
            self.flush()

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
            self.pending.append(SetAnswer(step.contact, step.key, step.after, step.before))
        else:
            set_contact_field(self.account, step.contact, step.key, step.before)
            self.pending.append(SetField(step.contact, step.key, step.after, step.before))
        self._refresh(step.contact)

    def _refresh(self, contact_id: str) -> None:
        self.dirty = True  # before re-identifying: an interrupt there must still save the change
        self.result = reidentify(self.result, contact_id)
        if self.autosave:
            self.flush()

    def flush(self) -> None:
        """Write the pending changes to disk (with ``autosave=False`` the caller decides when).

        Only this session's change log is replayed on top of the file as it is now, so other
        interviews and editor edits survive. After a conflict (raised when no ``resolve`` is
        set) the changes are dropped: they were reported, never silently applied. After any
        other failure they stay pending for the next flush.
        """
        if self.store is not None and self.pending:
            ops, self.pending = self.pending, []
            while ops:
                with deferred_signals():  # a signal during the save acts once memory matches the file
                    try:
                        saved = self.store.save(self.account, ops)
                    except ConflictError as exc:
                        if self.resolve is None:
                            raise
                        conflicts = exc.conflicts
                    except BaseException:
                        self.pending = ops + self.pending
                        raise
                    else:
                        self._adopt(saved)
                        break
                ops = self._settle(ops, conflicts)  # asked outside the lock and the deferral
        self.dirty = False

    def _settle(self, ops: list[Op], conflicts: list) -> list[Op]:
        """Ask ``resolve`` about each conflict: "mine" rebases the change on the file's value."""
        assert self.resolve is not None
        for conflict in conflicts:
            ops = [op for op in ops if target_of(op) != target_of(conflict.op)]
            rebased = conflict.rebased()
            if self.resolve(conflict) == "mine" and rebased is not None:
                ops.append(rebased)
            elif hasattr(conflict.op, "contact"):
                ops.append(Touch(conflict.op.contact))  # take the file's value into memory
        return ops

    def _adopt(self, saved: Saved) -> None:
        """Take what the file now says about the contacts this save touched (theirs and ours)."""
        for old, new in saved.renamed.items():
            self._rename(old, new)
        for cid, data in saved.contacts.items():
            try:
                contact = self.account.contact(cid)
            except InputError:
                continue
            before = (dict(contact.answers), contact.influence, contact.attitude)
            answers = data.get("answers") if isinstance(data.get("answers"), dict) else {}
            contact.answers = {q: a for q, v in answers.items() if (a := normalise_answer(v)) is not None}
            for name in ("influence", "attitude"):
                value = data.get(name)
                setattr(contact, name, value if value in CONTACT_FIELDS[name] else None)
            if (dict(contact.answers), contact.influence, contact.attitude) != before:
                self.result = reidentify(self.result, cid)

    def _rename(self, old: str, new: str) -> None:
        """Another writer took an added contact's id; ours was saved under ``new``."""
        for contact in self.account.contacts:
            if contact.id == old:  # in memory only ours has that id: theirs was never read
                contact.id = new
            elif contact.reports_to == old:
                contact.reports_to = new
        self.history = [Step(new if s.contact == old else s.contact, s.kind, s.key, s.before, s.after)
                        for s in self.history]
        if old in self.skipped:
            self.skipped[new] = self.skipped.pop(old)
        if self.contact_id == old:
            self.contact_id = new
        self.result = identify(self.account, memo=self.memo)

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
