"""Scoring a trainee's answers against a case's answer key, and reading their role choices.

A contact's score is the Jaccard similarity of the two role sets (|A ∩ K| / |A ∪ K|), so a
partly right set earns partial credit, naming extra roles costs as much as missing one, and
"holds no role" answered correctly is a full point. The overall score is the mean over
contacts: every person in the buying center counts the same, as they do in a real account.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rolefinder.i18n import Catalog

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
    A whole class may finish at the same moment: the row is appended under an exclusive
    lock (:mod:`filelock`, on the hidden sibling ``.NAME.lock``) with one ``write`` on a file
    opened in append mode, so no trainee's row can overwrite another's. A failed write (a
    full disk) is cut back to the old length, so no half line is left for the spreadsheet.
    """
    from filelock import FileLock

    target = os.fspath(path)
    answers = json.dumps({c.contact: list(c.answer) for c in score.contacts}, ensure_ascii=False)
    row = (_cell(name), _cell(case), f"{score.percent:.1f}", when, level, answers)
    folder, base = os.path.split(os.path.realpath(target))
    with FileLock(os.path.join(folder, f".{base}.lock"), timeout=30):
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(os.path.realpath(target), flags | getattr(os, "O_NONBLOCK", 0), 0o666)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", target)
            if info.st_size == 0:
                data = _csv_line(CSV_HEADER) + _csv_line(row)
            else:
                first = os.pread(fd, 4096, 0).decode("utf-8", "replace").splitlines()[:1]
                header = OLD_HEADER if first and tuple(next(csv.reader(first), [])) == OLD_HEADER else CSV_HEADER
                data = _after_last_line(fd, info.st_size) + _csv_line(row[:len(header)])
            try:
                _write_all(fd, data.encode("utf-8"))
                os.fsync(fd)
            except BaseException:
                os.ftruncate(fd, info.st_size)
                raise
        finally:
            os.close(fd)


def _csv_line(cells: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _after_last_line(fd: int, size: int) -> str:
    """A newline first when the file does not end with one (edited in a spreadsheet)."""
    return "" if os.pread(fd, 1, size - 1) in (b"\n", b"") else "\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def check_results_file(path: str | os.PathLike[str]) -> None:
    """Refuse, before the quiz starts, a results file rolefinder cannot append to correctly.

    It must be a regular file in UTF-8 (a class list saved by Excel as cp1252 or UTF-16 would
    otherwise end up with mixed encodings, or crash the quiz after the last answer).
    """
    from rolefinder.account import check_writable
    from rolefinder.errors import InputError, Problem
    from rolefinder.storage import read_regular

    check_writable(path)
    if not os.path.exists(path):
        return
    data, _ = read_regular(os.fspath(path))
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(os.fspath(path), None, "", "csv_encoding",
                                  {"found": guess_encoding(data), "offset": exc.start}, MESSAGES)]) from None


def guess_encoding(data: bytes) -> dict[str, str]:
    """A name for the encoding of text that is not UTF-8, for the message (both languages)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and data.count(b"\x00") > len(data) // 4):
        return {"en": "UTF-16", "zh": "UTF-16"}
    return {"en": "a legacy encoding such as Windows-1252 or GBK", "zh": "Windows-1252 或 GBK 之类的旧编码"}


MESSAGES = Catalog(
    {
        "csv_encoding": {
            "en": "the results file is not UTF-8 (it looks like {found}; bad byte at offset {offset}): "
                  "save it as UTF-8 or choose another --out",
            "zh": "成绩文件不是 UTF-8 编码(看起来是 {found};第 {offset} 字节无法解码):"
                  "请另存为 UTF-8 或换一个 --out 文件",
        },
    }
)


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
