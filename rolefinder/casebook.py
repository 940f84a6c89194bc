"""The built-in training cases (``rolefinder/cases/*.yaml``): account files with a ``case:``
section holding the scenario in both languages and the answer key."""

from __future__ import annotations

from pathlib import Path

from rolefinder.account import Account, load_account
from rolefinder.errors import InputError, Problem

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


def load_case(name: str, rules=()) -> Account:
    """The case as an account; ``account.case`` holds ``id``, ``title``, ``scenario``, ``key``."""
    return load_account(case_path(name), rules=rules)
