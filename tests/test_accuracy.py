"""Accuracy on the evaluation set: accounts with an answer key, in several industries and both languages.

Each file in ``tests/data/eval/`` (and each built-in case) holds an org chart, a full set of
interview answers and ``case.key``: contact id -> the roles the author says the contact holds.

1. The key itself must agree with the answers, read through the role definitions of DOMAIN.md.
2. With full answers, every contact's held roles must equal the key exactly.
3. With the org chart alone (answers removed; the rep's influence and attitude kept), the primary
   guess must be right for most contacts: the primary role is one of the key's roles, or there is
   no primary role and the key is empty. The figure is printed (``pytest -s``) for the README.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest

from rolefinder.account import Account, load_account
from rolefinder.casebook import CASES_DIR, answer_key
from rolefinder.identification import identify

EVAL_DIR = Path(__file__).resolve().parent / "data" / "eval"
FILES = sorted(EVAL_DIR.glob("*.yaml")) + sorted(CASES_DIR.glob("*.yaml"))
IDS = [path.stem for path in FILES]

# Measured when the bar was set: 125/152 = 0.82 (README, "Accuracy").
# The bar sits just under it so that a regression in the packs is caught.
ORG_CHART_ONLY_MIN = 0.8


def _definition_roles(answers: dict[str, str]) -> set[str]:
    """The roles a full set of answers implies, straight from the definitions (DOMAIN.md §1-2)."""

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


def _without_answers(account: Account) -> Account:
    contacts = [dataclasses.replace(c, answers={}) for c in account.contacts]
    return dataclasses.replace(account, contacts=contacts)


@pytest.fixture(scope="module")
def accounts() -> dict[str, Account]:
    return {path.stem: load_account(path) for path in FILES}


def test_the_evaluation_set_is_broad() -> None:
    assert len(FILES) >= 10
    industries = {load_account(path).industry for path in FILES}
    assert {"manufacturing", "healthcare", "finance", "education", "retail", "software"} <= industries


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_key_agrees_with_the_answers(path: Path) -> None:
    account = load_account(path)
    key = answer_key(account)
    assert set((account.case or {}).get("key") or {}) <= {c.id for c in account.contacts}
    wrong = []
    for contact in account.contacts:
        implied = _definition_roles(contact.answers)
        if implied != key[contact.id]:
            wrong.append(f"{contact.id}: key {sorted(key[contact.id])} vs answers {sorted(implied)}")
    assert not wrong, f"{path.name}: the key disagrees with the answers:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_full_answers_give_exactly_the_key(path: Path, accounts: dict[str, Account]) -> None:
    account = accounts[path.stem]
    key = answer_key(account)
    result = identify(account)
    wrong = []
    for contact in result.contacts:
        held = set(contact.held)
        if held != key[contact.contact.id]:
            wrong.append(f"{contact.contact.id} ({contact.contact.title}): held {sorted(held)}, "
                         f"key {sorted(key[contact.contact.id])}")
    assert not wrong, f"{path.name}: held roles differ from the key:\n  " + "\n  ".join(wrong)


def _primary_is_right(primary: str | None, roles: set[str]) -> bool:
    return primary in roles if primary is not None else not roles


def test_org_chart_alone_gives_good_first_guesses(accounts: dict[str, Account]) -> None:
    right = total = 0
    per_industry: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for name, account in accounts.items():
        key = answer_key(account)
        result = identify(_without_answers(account))
        for contact in result.contacts:
            ok = _primary_is_right(contact.primary_role, key[contact.contact.id])
            right += ok
            total += 1
            tally = per_industry[account.industry or "-"]
            tally[0] += ok
            tally[1] += 1
            if not ok:
                misses.append(f"{name}/{contact.contact.id} ({contact.contact.title}): "
                              f"guessed {contact.primary_role}, key {sorted(key[contact.contact.id])}")
    accuracy = right / total
    lines = [f"org chart only, primary role right: {right}/{total} = {accuracy:.3f}"]
    lines += [f"  {industry}: {a}/{b} = {a / b:.2f}" for industry, (a, b) in sorted(per_industry.items())]
    print("\n" + "\n".join(lines))
    assert accuracy >= ORG_CHART_ONLY_MIN, "\n".join([*lines, "misses:", *misses])


def test_org_chart_evidence_can_never_outvote_an_answer(accounts: dict[str, Account]) -> None:
    """Org-chart certainty stays inside the band a definitional answer (cf ±0.9) always overturns.

    combine(x, -0.9) < 0.5 needs x < 0.95; combine(0.9 - 0.2, -y) >= 0.5 (a yes with a weaker
    'no' beside it, e.g. final_say yes, approves_budget no) needs y < 0.75.
    """
    too_sure = []
    for name, account in accounts.items():
        for contact in identify(_without_answers(account)).contacts:
            for belief in contact.beliefs.values():
                if not -0.75 < belief.cf < 0.95:
                    too_sure.append(f"{name}/{contact.contact.id}: {belief.role} {belief.cf:.2f}")
    assert not too_sure, "\n".join(too_sure)


def test_guided_interview_meets_its_targets() -> None:
    """Issue 3's bar, on the eval set: an oracle answers only what the interview asks."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from interview import evaluate

    quality = evaluate(EVAL_DIR, verbose=False)
    assert quality["avg_questions"] <= 4
    assert quality["exact"] >= 0.9
    assert quality["f1"] >= 0.97
    assert quality["full_exact"] == 1.0
