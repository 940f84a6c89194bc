"""Scoring role identification against answer keys: one set of definitions for tests and benchmarks.

An evaluation account is an account file with ``case.key`` (contact id -> the roles the author
says the contact holds) and the contacts' full answers. Two readings are scored:

* **full answers**: the account as written; role sets should equal the key exactly;
* **chart alone**: every answer removed, the rep's influence and attitude kept; this measures
  what the packs conclude from titles, departments and the org chart before anyone is asked.

The figures (see :class:`Figures`):

* *involved* contacts have a non-empty key;
* **primary accuracy**: involved contacts whose primary role is in their key / involved contacts;
* **held precision**: (contact, role) pairs held at probable or better that are in the key / all
  held pairs; **held recall**: key pairs that are held / all key pairs;
* **DM found**: accounts where someone whose answer to ``final_say`` is yes holds
  decision_maker at probable or better; **wrong DM**: accounts where someone without that yes
  holds it.

Evaluation data lives in parts: ``dev`` (tuned on; the built-in training cases count here too)
and ``test`` (held out: only aggregate figures are ever looked at).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rolefinder.account import Account, load_account
from rolefinder.casebook import CASES_DIR, answer_key
from rolefinder.identification import Identification, identify

PARTS = ("dev", "test")
DM = "decision_maker"


def part_files(root: str | Path, part: str) -> list[Path]:
    """The account files of one part under ``root`` (``tests/data/eval``), sorted.

    ``dev`` also holds the built-in training cases: they were written with the packs in view.
    """
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; expected one of {', '.join(PARTS)}")
    files = sorted(Path(root, part).glob("*.yaml"))
    if part == "dev":
        files += sorted(CASES_DIR.glob("*.yaml"))
    return files


def definition_roles(answers: dict[str, str]) -> set[str]:
    """The roles a full set of answers implies, straight from the role definitions."""

    def yes(question: str) -> bool:
        return answers.get(question) == "yes"

    roles = {
        "decision_maker": yes("final_say"),
        "buyer": yes("runs_procurement"),
        "user": yes("uses_daily"),
        "influencer": yes("opinion_sought") or yes("evaluates_technically"),
        "recommender": yes("advises_peers"),
        "auditor": yes("reviews_compliance"),
        "gatekeeper": yes("controls_access"),
        "initiator": yes("initiated_need"),
    }
    return {role for role, held in roles.items() if held}


SETTING_FIELDS = ("offering_type", "buying_process")


def plain(account: Account) -> Account:
    """The account as a file in the basic format writes it: ``name``, ``industry`` and
    ``offering`` only, without the optional ``offering_type`` and ``buying_process``, so that
    what is sold and how it is bought must be read from the offering text."""
    fields = {k: v for k, v in account.fields.items() if k not in SETTING_FIELDS}
    return dataclasses.replace(account, fields=fields)


def without_answers(account: Account) -> Account:
    """The org chart alone: every answer removed, influence and attitude kept."""
    contacts = [dataclasses.replace(c, answers={}) for c in account.contacts]
    return dataclasses.replace(account, contacts=contacts)


@dataclass
class Figures:
    """Counts over any number of accounts; the ratios are properties. Add them with ``+``."""

    accounts: int = 0
    contacts: int = 0
    exact: int = 0  # contacts whose held role set equals the key
    involved: int = 0
    primary_right: int = 0
    held: int = 0  # (contact, role) pairs held at probable or better
    held_right: int = 0
    key_pairs: int = 0
    dm_found: int = 0
    wrong_dm: int = 0
    with_dm: int = 0  # accounts where someone has the final say
    dm_first: int = 0  # ... and the one candidate with the most certainty (possible or better) has it
    dm_candidate: int = 0  # ... and someone with it is at least a possible decision maker
    misses: list[str] = field(default_factory=list)  # for tuning on dev only

    def __add__(self, other: Figures) -> Figures:
        out = Figures()
        for f in dataclasses.fields(self):
            setattr(out, f.name, getattr(self, f.name) + getattr(other, f.name))
        return out

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    @property
    def exact_rate(self) -> float:
        return self._ratio(self.exact, self.contacts)

    @property
    def primary_accuracy(self) -> float:
        return self._ratio(self.primary_right, self.involved)

    @property
    def held_precision(self) -> float:
        return self._ratio(self.held_right, self.held)

    @property
    def held_recall(self) -> float:
        return self._ratio(self.held_right, self.key_pairs)

    @property
    def pair_f1(self) -> float:
        total = self.held + self.key_pairs
        return self._ratio(2 * self.held_right, total) if total else 1.0

    @property
    def dm_found_rate(self) -> float:
        return self._ratio(self.dm_found, self.accounts)

    def summary(self) -> dict[str, float | int]:
        """Aggregate figures only (what may be shown for a held-out part)."""
        return {
            "accounts": self.accounts,
            "contacts": self.contacts,
            "exact": round(self.exact_rate, 4),
            "pair_f1": round(self.pair_f1, 4),
            "involved": self.involved,
            "primary_accuracy": round(self.primary_accuracy, 4),
            "held_precision": round(self.held_precision, 4),
            "held_recall": round(self.held_recall, 4),
            "dm_found": self.dm_found,
            "dm_found_rate": round(self.dm_found_rate, 4),
            "wrong_dm": self.wrong_dm,
            "with_dm": self.with_dm,
            "dm_first": self.dm_first,
            "dm_candidate": self.dm_candidate,
        }


def score(account: Account, result: Identification, name: str = "") -> Figures:
    """Score one identification of ``account`` against its key.

    Whether someone has the final say is read from ``account``'s own answers, so that a
    chart-alone result can be scored against the account it was stripped from.
    """
    key = answer_key(account)
    final_say = {c.id for c in account.contacts if c.answers.get("final_say") == "yes"}
    out = Figures(accounts=1)
    found = wrong = False
    for item in result.contacts:
        cid = item.contact.id
        truth, held = key[cid], set(item.held)
        out.contacts += 1
        out.exact += held == truth
        out.held += len(held)
        out.held_right += len(held & truth)
        out.key_pairs += len(truth)
        if truth:
            out.involved += 1
            out.primary_right += item.primary_role in truth
        if DM in held:
            found |= cid in final_say
            wrong |= cid not in final_say
        if held != truth:
            out.misses.append(f"{name}/{cid} ({item.contact.title}): held {sorted(held)}, "
                              f"primary {item.primary_role}, key {sorted(truth)}")
    out.dm_found, out.wrong_dm = int(found), int(wrong)
    if final_say:
        out.with_dm = 1
        out.dm_first, out.dm_candidate = _dm_ranking(result, final_say)
    return out


def _dm_ranking(result: Identification, final_say: set[str]) -> tuple[int, int]:
    """Whether the chart's first decision-maker candidate (alone, possible or better) has the
    final say, and whether anyone with it is a candidate at all: how well the chart ranks who
    decides even where it holds nobody, since the interview asks the candidates in that order."""
    candidates = {}
    for item in result.contacts:
        belief = item.belief(DM)
        if belief is not None and belief.status in ("possible", "probable", "confirmed"):
            candidates[item.contact.id] = belief.cf
    if not candidates:
        return 0, 0
    best = max(candidates.values())
    first = [cid for cid, cf in candidates.items() if cf == best]
    return int(len(first) == 1 and first[0] in final_say), int(bool(final_say & candidates.keys()))


def evaluate(paths: Iterable[str | Path], *, chart_only: bool = False, plain_files: bool = False) -> Figures:
    """Identify every account in ``paths`` (with its answers, or from the chart alone) and score it;
    ``plain_files``: as :func:`plain` accounts."""
    total = Figures()
    for path, account in _accounts(paths, plain_files):
        subject = without_answers(account) if chart_only else account
        total = total + score(account, identify(subject), Path(path).stem)
    return total


def _accounts(paths: Iterable[str | Path], plain_files: bool = False) -> Iterator[tuple[Path, Account]]:
    for path in paths:
        account = load_account(path)
        yield Path(path), plain(account) if plain_files else account


# --------------------------------------------------------------------------- the guided interview


def interview(account: Account) -> tuple[Identification, list[int]]:
    """A simulated rep interviews ``account`` from the org chart alone.

    Every answer is removed (influence and attitude kept). Each contact is interviewed in file
    order through :class:`~rolefinder.interviewing.Interview`, then the rep follows the
    interview back to any contact it still has questions for (a role nobody holds yet), while
    an oracle answers from the account's own answers (``unsure`` stays ``unsure``; a question
    the file does not answer is answered ``unsure``). Returns the final identification and the
    number of questions asked per contact, in file order.
    """
    from rolefinder.interviewing import Interview

    truth = {c.id: dict(c.answers) for c in account.contacts}
    session = Interview(without_answers(account))
    asked = dict.fromkeys(truth, 0)

    def ask(cid: str) -> None:
        session.select(cid)
        while (question := session.question()) is not None:
            session.answer(truth[cid].get(question.id, "unsure"))
            asked[cid] += 1

    for cid in truth:
        ask(cid)
    while (cid := session.next_contact()) is not None:
        ask(cid)
    return session.result, list(asked.values())


@dataclass
class InterviewFigures:
    """The guided interview's figures next to the full questionnaire's, over some accounts."""

    guided: Figures = field(default_factory=Figures)
    full: Figures = field(default_factory=Figures)
    asked: list[int] = field(default_factory=list)  # questions per contact

    @property
    def avg_questions(self) -> float:
        return sum(self.asked) / len(self.asked) if self.asked else 0.0

    @property
    def max_questions(self) -> int:
        return max(self.asked, default=0)

    def summary(self) -> dict[str, float | int]:
        """Aggregate figures only (what may be shown for a held-out part)."""
        return {
            "accounts": self.guided.accounts,
            "contacts": self.guided.contacts,
            "avg_questions": round(self.avg_questions, 3),
            "max_questions": self.max_questions,
            "exact": round(self.guided.exact_rate, 4),
            "pair_f1": round(self.guided.pair_f1, 4),
            "full_exact": round(self.full.exact_rate, 4),
            "full_pair_f1": round(self.full.pair_f1, 4),
        }


def evaluate_interview(paths: Iterable[str | Path], *, plain_files: bool = False) -> InterviewFigures:
    """Interview every account in ``paths`` from its chart (see :func:`interview`) and score it."""
    out = InterviewFigures()
    for path, account in _accounts(paths, plain_files):
        result, asked = interview(account)
        out.guided = out.guided + score(account, result, path.stem)
        out.full = out.full + score(account, identify(account), path.stem)
        out.asked += asked
    return out


def fold_of(index: int, folds: int) -> int:
    """The fold of the ``index``-th account (sorted paths): interleaved, so every fold mixes
    accounts written early and late."""
    return index % folds


def evaluate_interview_folds(paths: Iterable[str | Path], folds: int, *,
                             strength: float | None = None, plain_files: bool = False) -> InterviewFigures:
    """The guided interview out of sample: the ``given`` rates are counted on the other folds'
    accounts (:func:`rolefinder.givenrates.count_given`), then each fold is interviewed with
    them, as :func:`evaluate_interview` does. Only the rates are out of sample: the packs'
    rules were written with every dev account in view.
    """
    from rolefinder.givenrates import STRENGTH, count_given
    from rolefinder.pricing import definitions

    if folds < 2:
        raise ValueError("folds must be 2 or more")
    accounts = list(_accounts(paths, plain_files))
    out = InterviewFigures()
    for fold in range(folds):
        train = [i for i in range(len(accounts)) if fold_of(i, folds) != fold]
        rows = [dict(c.answers) for i in train for c in accounts[i][1].contacts]
        swapped: dict[int, object] = {}
        for i, (path, account) in enumerate(accounts):
            if fold_of(i, folds) != fold:
                continue
            knowledge = account.knowledge
            if id(knowledge) not in swapped:
                defining = [q for q, roles in definitions(knowledge).defines.items() if roles]
                given = count_given(rows, defining, strength=STRENGTH if strength is None else strength)
                swapped[id(knowledge)] = dataclasses.replace(knowledge, given=given, _definitions=None)
            subject = dataclasses.replace(account, knowledge=swapped[id(knowledge)])
            result, asked = interview(subject)
            out.guided = out.guided + score(account, result, path.stem)
            out.full = out.full + score(account, identify(account), path.stem)
            out.asked += asked
    return out
