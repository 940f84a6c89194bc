"""The evaluation figures mean what rolefinder.evaluation says, on a small hand-checked account."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rolefinder.account import parse_account_text
from rolefinder.evaluation import Figures, part_files, score, without_answers
from rolefinder.identification import identify

ACCOUNT = """
case:
  id: t
  title: {zh: 测试, en: Test}
  scenario: {zh: 测试, en: Test}
  key:
    boss: [decision_maker]
    assistant: [gatekeeper]
    clerk: []
account: {name: Test Co, industry: retail}
contacts:
  - id: boss
    name: A
    title: 总经理
    answers: {final_say: yes}
  - id: assistant
    name: B
    title: 总经理助理
    reports_to: boss
    answers: {controls_access: yes}
  - id: clerk
    name: C
    title: 职员
    reports_to: boss
    answers: {uses_daily: no}
"""


def _account():
    return parse_account_text(textwrap.dedent(ACCOUNT), "t.yaml")


def test_full_answers_score_exactly() -> None:
    account = _account()
    figures = score(account, identify(account))
    assert (figures.contacts, figures.exact, figures.involved) == (3, 3, 2)
    assert figures.held_precision == figures.held_recall == figures.pair_f1 == 1.0
    assert (figures.dm_found, figures.wrong_dm) == (1, 0)


def test_final_say_is_read_from_the_original_answers() -> None:
    """A chart-alone result is scored against the account it was stripped from."""
    account = _account()
    stripped = identify(without_answers(account))
    assert all(not c.contact.answers for c in stripped.contacts)
    figures = score(account, stripped)
    holds_dm = "decision_maker" in stripped.contact("boss").held
    assert figures.dm_found == int(holds_dm)
    assert figures.wrong_dm == 0


def test_a_decision_maker_without_final_say_is_a_wrong_one() -> None:
    account = _account()
    result = identify(account)  # the boss holds decision_maker
    truth = _account()
    truth.contacts[0].answers["final_say"] = "no"  # ... but by the truth has no final say
    figures = score(truth, result)
    assert (figures.dm_found, figures.wrong_dm) == (0, 1)


def test_figures_add_up() -> None:
    a = Figures(accounts=1, contacts=2, involved=2, primary_right=1, held=2, held_right=1, key_pairs=2)
    b = Figures(accounts=1, contacts=1, involved=1, primary_right=1, held=0, held_right=0, key_pairs=1,
                wrong_dm=1)
    total = a + b
    assert total.primary_accuracy == pytest.approx(2 / 3)
    assert total.held_precision == 0.5 and total.held_recall == pytest.approx(1 / 3)
    assert total.wrong_dm == 1 and total.accounts == 2
    assert "misses" not in total.summary()


def test_parts(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "a.yaml").write_text("x", encoding="utf-8")
    dev = part_files(tmp_path, "dev")
    assert dev[0].name == "a.yaml" and len(dev) > 1  # the built-in cases count as dev
    assert part_files(tmp_path, "test") == []
    with pytest.raises(ValueError):
        part_files(tmp_path, "train")


def test_the_chart_ranks_decision_maker_candidates() -> None:
    """The 总经理 is the chart's only candidate: first and a candidate when they have the final
    say; neither when someone else has it; an account without a final say is not counted."""
    account = _account()
    stripped = identify(without_answers(account))
    boss = stripped.contact("boss").belief("decision_maker")
    assert boss is not None and boss.status in ("possible", "probable", "confirmed")
    candidates = {c.contact.id for c in stripped.contacts if c.belief("decision_maker") is not None
                  and c.belief("decision_maker").status in ("possible", "probable", "confirmed")}
    assert candidates == {"boss"}
    right = score(account, stripped)
    assert (right.with_dm, right.dm_first, right.dm_candidate) == (1, 1, 1)
    elsewhere = _account()
    elsewhere.contacts[0].answers["final_say"] = "no"
    elsewhere.contacts[2].answers["final_say"] = "yes"
    assert (lambda f: (f.with_dm, f.dm_first, f.dm_candidate))(score(elsewhere, stripped)) == (1, 0, 0)
    nobody = _account()
    nobody.contacts[0].answers["final_say"] = "no"
    assert (lambda f: (f.with_dm, f.dm_first, f.dm_candidate))(score(nobody, stripped)) == (0, 0, 0)
