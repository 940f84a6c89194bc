"""Scoring a trainee's answers against a case's answer key, and reading their role choices.

A contact's score is the Jaccard similarity of the two role sets (|A ∩ K| / |A ∪ K|), so a
partly right set earns partial credit, naming extra roles costs as much as missing one, and
"holds no role" answered correctly is a full point. The overall score is the mean over
contacts: every person in the buying center counts the same, as they do in a real account.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rolefinder.account import atomic_write

CSV_HEADER = ("name", "case", "score", "time", "level", "answers")
OLD_HEADER = CSV_HEADER[:4]  # results files from before levels: still appended to and read
LEVELS = ("answers", "chart")  # what the trainee sees: every answer, or the org chart alone
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
                  when: str, level: str = "answers") -> None:
    """Append one row to the class's CSV, writing the header only when the file is new.

    The row carries the level and every contact's answer (JSON), so ``quiz report`` can say
    which roles a class confuses. A file started before levels existed keeps its four columns.
    The whole file is rewritten atomically (old rows + the new one): an interrupted quiz
    never leaves a half-written line that would break the trainer's spreadsheet.
    """
    target = Path(path)
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = CSV_HEADER
    if not old.strip():
        old = ""
        writer.writerow(CSV_HEADER)
    else:
        if tuple(next(csv.reader([old.splitlines()[0]]), [])) == OLD_HEADER:
            header = OLD_HEADER
        if not old.endswith("\n"):
            old += "\n"
    answers = json.dumps({c.contact: list(c.answer) for c in score.contacts}, ensure_ascii=False)
    row = (_cell(name), _cell(case), f"{score.percent:.1f}", when, level, answers)
    writer.writerow(row[:len(header)])
    atomic_write(target, old + buffer.getvalue())


# --------------------------------------------------------------------------- a class's results


@dataclass(frozen=True)
class ResultRow:
    """One quiz taken, as read back from a results file."""

    line: int
    name: str
    case: str
    percent: float
    time: str
    level: str
    answers: dict[str, list[str]] | None  # None in files from before levels


class ResultsError(ValueError):
    """A results file that cannot be read: ``line`` and ``what`` say where and why."""

    def __init__(self, line: int | None, what: str) -> None:
        super().__init__(what)
        self.line, self.what = line, what


def _text(cell: str) -> str:
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell


def read_results(text: str) -> list[ResultRow]:
    """The rows of a results file written by ``quiz --out`` (either header)."""
    reader = csv.reader(io.StringIO(text))
    header = tuple(next(reader, ()))
    if header[:4] != OLD_HEADER:
        raise ResultsError(1, "header")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not cells:
            continue
        record = dict(zip(header, cells, strict=False))
        try:
            percent = float(record.get("score", ""))
            answers = json.loads(record["answers"]) if record.get("answers") else None
        except (ValueError, TypeError):
            raise ResultsError(number, "row") from None
        if answers is not None and not isinstance(answers, dict):
            raise ResultsError(number, "row")
        rows.append(ResultRow(number, _text(record.get("name", "")), _text(record.get("case", "")),
                              percent, record.get("time", ""), record.get("level") or "answers", answers))
    return rows


def class_report(rows: list[ResultRow], keys: Mapping[str, Mapping[str, Iterable[str]]],
                 roles: list[str]) -> dict[str, Any]:
    """Per trainee, per role and the most confused pairs, from rows and each case's key.

    Per role: how often a contact who holds it was given it (recall) and how often naming it
    was right (precision). A confused pair (A, B) counts each contact who holds A, was not given
    A, and was given B, which they do not hold: the trainee took an A for a B.
    """
    trainees: dict[str, list[ResultRow]] = {}
    for row in rows:
        trainees.setdefault(row.name, []).append(row)
    per_role = {r: {"held": 0, "found": 0, "named": 0, "right": 0} for r in roles}
    pairs: dict[tuple[str, str], int] = {}
    for row in rows:
        key = keys.get(row.case)
        if row.answers is None or key is None:
            continue
        for cid, wanted in key.items():
            wanted, given = set(wanted), set(row.answers.get(cid, ()))
            for role in wanted | given:
                stats = per_role.setdefault(role, {"held": 0, "found": 0, "named": 0, "right": 0})
                stats["held"] += role in wanted
                stats["found"] += role in wanted and role in given
                stats["named"] += role in given
                stats["right"] += role in given and role in wanted
            for missed in wanted - given:
                for wrong in given - wanted:
                    pairs[(missed, wrong)] = pairs.get((missed, wrong), 0) + 1
    return {
        "quizzes": len(rows),
        "trainees": [
            {"name": name, "quizzes": len(done),
             "mean": round(sum(r.percent for r in done) / len(done), 1),
             "best": max(r.percent for r in done), "last": done[-1].percent,
             "cases": sorted({r.case for r in done})}
            for name, done in sorted(trainees.items())
        ],
        "roles": [
            {"role": role, **stats,
             "recall": round(stats["found"] / stats["held"], 3) if stats["held"] else None,
             "precision": round(stats["right"] / stats["named"], 3) if stats["named"] else None}
            for role, stats in per_role.items()
        ],
        "confused": [{"holds": a, "given": b, "count": n}
                     for (a, b), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:10]],
    }
