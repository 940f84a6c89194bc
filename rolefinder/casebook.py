"""The built-in training cases (``rolefinder/cases/*.yaml``): account files with a ``case:``
section holding the scenario in both languages and the answer key.

Cases are ordinary account files on purpose: a trainer can export one, edit it and feed it to
``identify``, ``quiz`` or ``rules test --cases`` without learning a second format.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rolefinder.account import Account, Contact, load_account
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import pick

CASES_DIR = Path(__file__).resolve().parent / "cases"
DEMO_CASE = "mes-manufacturing"


def case_names() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("*.yaml"))


def case_path(name: str) -> Path:
    path = CASES_DIR / f"{name}.yaml"
    if name not in case_names():
        raise InputError([Problem(None, None, "case", "no_such_case",
                                  {"value": name, "allowed": ", ".join(case_names())})])
    return path


def load_case(name: str, rules: Iterable[str | os.PathLike[str]] = ()) -> Account:
    """The case as an account; ``account.case`` holds ``id``, ``title``, ``scenario``, ``key``."""
    return load_account(case_path(name), rules=rules)


@dataclass(frozen=True)
class CaseSummary:
    """One line of ``rolefinder cases``: enough to choose a case without opening it."""

    id: str
    title: dict[str, str]
    industry: str | None
    contacts: int

    def to_dict(self, lang: str) -> dict[str, object]:
        return {"id": self.id, "title": pick(self.title, lang), "industry": self.industry,
                "contacts": self.contacts}


def summarise(account: Account, name: str) -> CaseSummary:
    case = account.case or {}
    return CaseSummary(str(case.get("id") or name), dict(case.get("title") or {}),
                       account.industry, len(account.contacts))


def case_summaries(rules: Iterable[str | os.PathLike[str]] = ()) -> list[CaseSummary]:
    """Every built-in case, loaded (and so validated) against the current packs."""
    return [summarise(load_case(name, rules), name) for name in case_names()]


def answer_key(account: Account) -> dict[str, set[str]]:
    """Contact id -> the roles the case author says the contact holds.

    Contacts the key does not mention hold no role: a trainer writes ``[]`` or leaves them out.
    """
    key = (account.case or {}).get("key") or {}
    return {c.id: set(key.get(c.id) or ()) for c in account.contacts}


def org_chart(contacts: list[Contact]) -> list[tuple[int, Contact]]:
    """The contacts in tree order with their depth: managers first, then their reports.

    Contacts whose manager is missing or part of a loop are shown at the top rather than lost.
    """
    ids = {c.id for c in contacts}
    children: dict[str | None, list[Contact]] = {}
    for contact in contacts:
        parent = contact.reports_to if contact.reports_to in ids else None
        children.setdefault(parent, []).append(contact)
    out: list[tuple[int, Contact]] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for child in children.get(parent, []):
            if child.id in seen:
                continue
            seen.add(child.id)
            out.append((depth, child))
            walk(child.id, depth + 1)

    walk(None, 0)
    for contact in contacts:  # cycles: never reached from a root
        if contact.id not in seen:
            seen.add(contact.id)
            out.append((0, contact))
            walk(contact.id, 1)
    return out


def tree_prefixes(contacts: list[Contact]) -> list[tuple[str, str, Contact]]:
    """The org chart in tree order, each contact with the box-drawing prefix of its own line
    and the prefix that continues below it: ``├─`` for a sibling that has more after it,
    ``└─`` for the last one, ``│`` carrying a branch down past deeper levels."""
    chart = org_chart(contacts)
    # a contact is the last of its siblings when no later one sits at its depth before the
    # chart climbs above it; scanning backwards finds that in one pass
    last = [True] * len(chart)
    seen_at: dict[int, bool] = {}
    for index in range(len(chart) - 1, -1, -1):
        depth = chart[index][0]
        last[index] = not seen_at.get(depth, False)
        seen_at = {d: v for d, v in seen_at.items() if d < depth}
        seen_at[depth] = True
    out: list[tuple[str, str, Contact]] = []
    rest_at: dict[int, str] = {}
    for index, (depth, contact) in enumerate(chart):
        if depth == 0:
            out.append(("", "", contact))
            rest_at[0] = ""
            continue
        parent = rest_at.get(depth - 1, "")
        rest_at[depth] = parent + ("   " if last[index] else "│  ")
        out.append((parent + ("└─ " if last[index] else "├─ "), rest_at[depth], contact))
    return out
