"""Accuracy on the evaluation set: accounts with an answer key, in several industries and both languages.

Each file in ``tests/data/eval/dev/`` and ``tests/data/eval/test/`` (and each built-in case, which
counts as dev) holds an org chart, a full set of interview answers and ``case.key``: contact id ->
the roles the author says the contact holds. Figures are defined in :mod:`rolefinder.evaluation`.

1. The key itself must agree with the answers, read through the role definitions.
2. With full answers, every contact's held roles must equal the key exactly.
3. With the org chart alone (answers removed; the rep's influence and attitude kept), the figures
   must stay at the bars below: tight on dev (tuned on), loose on test (held out, never tuned on).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rolefinder.account import Account, load_account
from rolefinder.casebook import answer_key
from rolefinder.evaluation import (
    Figures,
    InterviewFigures,
    definition_roles,
    evaluate_interview,
    part_files,
    score,
    without_answers,
)
from rolefinder.identification import _belief, identify

EVAL_ROOT = Path(__file__).resolve().parent / "data" / "eval"
DEV = part_files(EVAL_ROOT, "dev")
TEST = part_files(EVAL_ROOT, "test")
FILES = DEV + TEST
IDS = [f"{path.parent.name}/{path.stem}" for path in FILES]

# Chart-alone bars. Dev: just under the figures measured when the bar was set (README,
# "Accuracy"), so that a pack edit that makes guesses worse is caught. Test: loose, so that a
# regression shows without the held-out part being tuned on.
# Issue 8, 22:00 UTC: the owner of the area an offering serves (COO, CRO, CISO, the deputy in
# charge) is a *possible* decision maker, no longer probable: on held-out accounts decision makers
# held from the chart were wrong about one time in three. DM found fell from 43/60 to 18/60 on dev
# by design (better "possible, ask" than wrong); the interview asks them (benchmarks/interview.py).
DEV_BARS = {"primary_accuracy": 0.81, "held_precision": 0.88, "dm_found_rate": 0.30, "wrong_dm": 0}
# dm_found_rate lowered from 0.35 to 0.34 when the part grew from 22 to 32 accounts (measured 34.4 %).
# Issue 8's knowledge rework (measured 74.3 % / 78.0 % / 34.4 % / 5): bars just under it.
# Reset when 12 held-out accounts were added (test-33…44, 44 accounts, 635 contacts, written from
# the role definitions only; measured 73.2 % / 78.6 % / 34.1 % / 8): bars at the measured values.
# Reset after issue 8's "area owners are possible deciders" change (22:05 UTC, justified on dev
# and by buying-center practice, not tuned here): measured 72.3 % / 79.9 % / 18.2 % / 3.
TEST_BARS = {"primary_accuracy": 0.72, "held_precision": 0.78, "dm_found_rate": 0.18, "wrong_dm": 3}



@pytest.fixture(scope="module")
def accounts() -> dict[str, Account]:
    return {f"{path.parent.name}/{path.stem}": load_account(path) for path in FILES}


def test_the_evaluation_set_is_broad() -> None:
    assert len(DEV) >= 10
    industries = {load_account(path).industry for path in DEV}
    assert {"manufacturing", "healthcare", "finance", "education", "retail", "software"} <= industries


def test_the_parts_do_not_share_cases(accounts: dict[str, Account]) -> None:
    ids = [(account.case or {}).get("id") for account in accounts.values()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_key_agrees_with_the_answers(path: Path) -> None:
    account = load_account(path)
    key = answer_key(account)
    assert set((account.case or {}).get("key") or {}) <= {c.id for c in account.contacts}
    wrong = [f"{c.id}: key {sorted(key[c.id])} vs answers {sorted(definition_roles(c.answers))}"
             for c in account.contacts if definition_roles(c.answers) != key[c.id]]
    assert not wrong, f"{path.name}: the key disagrees with the answers:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("path", DEV, ids=IDS[:len(DEV)])
def test_full_answers_give_exactly_the_key(path: Path, accounts: dict[str, Account]) -> None:
    account = accounts[f"{path.parent.name}/{path.stem}"]
    key = answer_key(account)
    wrong = [f"{c.contact.id}: held {sorted(c.held)}, key {sorted(key[c.contact.id])}"
             for c in identify(account).contacts if set(c.held) != key[c.contact.id]]
    assert not wrong, f"{path.name}: held roles differ from the key:\n  " + "\n  ".join(wrong)


@pytest.mark.skipif(not TEST, reason="no held-out accounts yet")
def test_full_answers_on_test_give_the_key(accounts: dict[str, Account]) -> None:
    """Held out: only the aggregate is checked and shown, never a single contact."""
    figures = _figures(accounts, TEST, chart_only=False)
    assert figures.exact_rate >= 0.99, figures.summary()


def _check_bars(figures: Figures, bars: dict[str, float], show_misses: bool) -> None:
    summary = figures.summary()
    print(f"\nchart alone: {summary}")
    low = [f"{name}: {summary[name]} (bar {bar})" for name, bar in bars.items()
           if (summary[name] > bar if name == "wrong_dm" else summary[name] < bar)]
    detail = figures.misses if show_misses else []
    assert not low, "\n".join([*low, *detail])


def _figures(accounts: dict[str, Account], paths: list[Path], chart_only: bool) -> Figures:
    """evaluate() over the accounts this module already loaded (same figures, no second parse)."""
    total = Figures()
    for path in paths:
        account = accounts[f"{path.parent.name}/{path.stem}"]
        subject = without_answers(account) if chart_only else account
        total = total + score(account, identify(subject), path.stem)
    return total


def test_org_chart_alone_on_dev_holds_its_figures(accounts: dict[str, Account]) -> None:
    _check_bars(_figures(accounts, DEV, chart_only=True), DEV_BARS, show_misses=True)


@pytest.mark.skipif(not TEST, reason="no held-out accounts yet")
def test_org_chart_alone_on_test_holds_loosely(accounts: dict[str, Account]) -> None:
    """Held out: only the aggregate figures are checked and shown, never a single contact."""
    _check_bars(_figures(accounts, TEST, chart_only=True), TEST_BARS, show_misses=False)


def test_org_chart_evidence_can_never_outvote_an_answer(accounts: dict[str, Account]) -> None:
    """A defining answer overturns whatever the org chart alone concludes, on every account.

    For every contact (answers removed) and every role, the chart's belief plus a defining
    answer's evidence (a rule on one answer alone, as strong as *confirmed*) must hold the role
    after a yes and not after a no; a yes also with the weaker answer against it beside it
    (final_say yes with approves_budget no). The bound on the chart's evidence
    (rolefinder.certainty.bound_chart) guarantees it; this checks it on the data. Held out: only
    the count is shown, never a contact.
    """
    beside = {"decision_maker": [("core.answer.approves_budget.no", -0.2)]}
    overruled = []
    for name, account in accounts.items():
        knowledge = account.knowledge
        defining = [(spec.id, then.role, then.cf) for spec in knowledge.rules
                    if len(spec.answers) == 1 and len(spec.answers[0][1]) == 1
                    for then in spec.then
                    if then.role and abs(then.cf) >= knowledge.thresholds.confirmed]
        for contact in identify(without_answers(account)).contacts:
            for role, belief in contact.beliefs.items():
                items = [(e.rule, e.certainty) for e in belief.evidence]
                for rule, _, cf in (d for d in defining if d[1] == role):
                    extra = beside.get(role, []) if cf > 0 else []
                    after = _belief(role, [*items, (rule, cf), *extra], knowledge).cf
                    if knowledge.thresholds.holds(after) != (cf > 0):
                        overruled.append(f"{name}/{contact.contact.id}: {rule} -> {role} {after:.2f}")
    held_out = [entry for entry in overruled if entry.startswith("test/")]
    tuned = [entry for entry in overruled if not entry.startswith("test/")]
    assert not tuned, "\n".join(tuned)
    assert not held_out, f"{len(held_out)} held-out contacts where the chart outvotes an answer"


@pytest.fixture(scope="module")
def interviews() -> dict[str, InterviewFigures]:
    """Both parts interviewed once from the chart alone (benchmarks/interview.py prints them)."""
    return {part: evaluate_interview(part_files(EVAL_ROOT, part)) for part in ("dev", "test")}


@pytest.mark.parametrize(
    ("part", "most_questions", "exact", "f1"),
    [
        # dev, measured 2026-11-23 22:48 UTC (60 accounts): 3.51 questions per contact, 98.1 % exact,
        # F1 0.992 (in sample; 5-fold out of fold 3.55, 97.7 %, 0.990: benchmarks/interview.py --folds 5)
        ("dev", 3.6, 0.975, 0.988),
        # test, held out: aggregate figures only (32 accounts, 2026-11-23 19:58 UTC: 3.84, 94.9 %, 0.978;
        # 44 accounts with test-33…44, 21:31 UTC: 3.849, 93.2 %, 0.9699)
        ("test", 3.9, 0.93, 0.969),
    ],
)
def test_guided_interview_from_the_chart_alone(part: str, most_questions: float, exact: float,
                                               f1: float, interviews: dict[str, InterviewFigures]) -> None:
    """A rep with the org chart alone; an oracle answers only what the interview asks."""
    figures = interviews[part]
    assert figures.avg_questions <= most_questions
    assert figures.guided.exact_rate >= exact
    assert figures.guided.pair_f1 >= f1
    assert figures.full.exact_rate == 1.0
