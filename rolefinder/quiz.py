"""Scoring a trainee's answers against a case's answer key, and reading their role choices.

A contact's score is the Jaccard similarity of the two role sets (|A ∩ K| / |A ∪ K|), so a
partly right set earns partial credit, naming extra roles costs as much as missing one, and
"holds no role" answered correctly is a full point. The overall score is the mean over
contacts: every person in the buying center counts the same, as they do in a real account.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rolefinder.account import atomic_write

CSV_HEADER = ("name", "case", "score", "time")
_SPLIT = re.compile(r"[,，、;；\s]+")


def jaccard(answer: Iterable[str], key: Iterable[str]) -> float:
    """Partial credit for one contact; both empty means the trainee rightly said "none"."""
    given, wanted = set(answer), set(key)
    union = given | wanted
    return 1.0 if not union else len(given & wanted) / len(union)


@dataclass(frozen=True)
class ContactScore:
    """How one contact was answered: what was missed and what was added wrongly."""

    contact: str
    answer: tuple[str, ...]
    key: tuple[str, ...]
    score: float

    @property
    def missed(self) -> list[str]:
        return [r for r in self.key if r not in self.answer]

    @property
    def wrong(self) -> list[str]:
        return [r for r in self.answer if r not in self.key]

    @property
    def correct(self) -> bool:
        return self.score == 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"contact": self.contact, "answer": list(self.answer), "key": list(self.key),
                "score": round(self.score, 3), "missed": self.missed, "wrong": self.wrong}


@dataclass(frozen=True)
class QuizScore:
    """The score of one quiz run: per contact and overall (0..1)."""

    case: str
    contacts: tuple[ContactScore, ...]

    @property
    def overall(self) -> float:
        if not self.contacts:
            return 0.0
        return sum(c.score for c in self.contacts) / len(self.contacts)

    @property
    def percent(self) -> float:
        return round(100 * self.overall, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "score": round(self.overall, 3),
            "percent": self.percent,
            "correct": sum(c.correct for c in self.contacts),
            "total": len(self.contacts),
            "contacts": [c.to_dict() for c in self.contacts],
        }


def score_quiz(case: str, answers: Mapping[str, Iterable[str]],
               key: Mapping[str, Iterable[str]], order: Iterable[str]) -> QuizScore:
    """Score every contact of ``order``; an unanswered contact counts as "no roles"."""
    items = []
    for cid in order:
        wanted = tuple(sorted(key.get(cid, ())))
        given = tuple(sorted(answers.get(cid, ())))
        items.append(ContactScore(cid, given, wanted, jaccard(given, wanted)))
    return QuizScore(case, tuple(items))


class ChoiceError(ValueError):
    """The trainee typed something that is not a role: ``token`` says what."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def parse_choice(text: str, roles: list[str], labels: Mapping[str, Iterable[str]]) -> list[str]:
    """Roles from a line like ``1, buyer, 守门人``: numbers (1-based), ids or labels.

    Separators are commas (also the Chinese ones), semicolons or spaces; an empty line means
    no role; ``-`` or ``none``/``无`` say so explicitly. Raises :class:`ChoiceError` on the first
    token that is none of these, so the caller can show a hint and ask again.
    """
    lookup = {rid.lower(): rid for rid in roles}
    for rid, names in labels.items():
        for name in names:
            lookup.setdefault(name.strip().lower(), rid)
    chosen: list[str] = []
    for token in (t for t in _SPLIT.split(text.strip()) if t):
        low = token.lower()
        if low in ("-", "none", "无", "没有"):
            continue
        if low.isdigit() and 1 <= int(low) <= len(roles):
            rid = roles[int(low) - 1]
        elif low in lookup:
            rid = lookup[low]
        else:
            raise ChoiceError(token)
        if rid not in chosen:
            chosen.append(rid)
    return chosen


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def append_result(path: str | os.PathLike[str], name: str, case: str, score: QuizScore,
                  when: str) -> None:
    """Append one row to the class's CSV, writing the header only when the file is new.

    The whole file is rewritten atomically (old rows + the new one): an interrupted quiz
    never leaves a half-written line that would break the trainer's spreadsheet.
    """
    target = Path(path)
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not old.strip():
        old = ""
        writer.writerow(CSV_HEADER)
    elif not old.endswith("\n"):
        old += "\n"
    writer.writerow((_cell(name), _cell(case), f"{score.percent:.1f}", when))
    atomic_write(target, old + buffer.getvalue())
