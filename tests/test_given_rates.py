"""Counting the interview's ``given`` rates, and measuring the question policy out of fold.

The rates are counted from answers (rolefinder.givenrates); small groups must not count like
large ones. The out-of-fold measure (rolefinder.evaluation.evaluate_interview_folds) must
interview every account once, with rates counted on the other folds only.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from rolefinder import evaluation
from rolefinder.account import load_account
from rolefinder.casebook import CASES_DIR
from rolefinder.givenrates import count_given, to_yaml
from rolefinder.identification import identify
from rolefinder.knowledge import load_knowledge
from rolefinder.pricing import question_chances, question_rates


def rows(yes_yes: int, yes_no: int, no_yes: int, no_no: int) -> list[dict[str, str]]:
    """Contacts answering questions a and b: (a, b) = (yes, yes) ``yes_yes`` times, and so on."""
    return ([{"a": "yes", "b": "yes"}] * yes_yes + [{"a": "yes", "b": "no"}] * yes_no
            + [{"a": "no", "b": "yes"}] * no_yes + [{"a": "no", "b": "no"}] * no_no)


def test_a_small_group_stays_near_the_base_rate_a_large_one_keeps_its_own() -> None:
    # b is yes for all 6 contacts who said yes to a (small group) ...
    small = count_given(rows(6, 0, 54, 240), ["a", "b"], strength=8, min_shift=0.0)["b"]
    # ... and for all 60 in a larger group with the same base rate of b.
    large = count_given(rows(60, 0, 0, 240), ["a", "b"], strength=8, min_shift=0.0)["b"]
    assert small.base == pytest.approx(large.base, abs=0.005)
    assert small.rates[("a", "yes")] < 0.6 < 0.9 < large.rates[("a", "yes")]  # 6/6 is not 100 %
    assert 0 < small.rates[("a", "no")] < small.base


def test_rates_that_hardly_move_the_odds_are_left_out() -> None:
    given = count_given(rows(10, 90, 10, 90), ["a", "b"], strength=8, min_shift=0.3)
    assert given["b"].rates == {} and given["a"].rates == {}


def test_counted_rates_load_as_a_pack_section(tmp_path: Path) -> None:
    data = [{"final_say": r["a"], "uses_daily": r["b"]} for r in rows(30, 10, 10, 250)]
    given = count_given(data, ["final_say", "uses_daily"], strength=8)
    pack = tmp_path / "rates.yaml"
    pack.write_text("pack: rates\ntitle: {zh: 比率, en: Rates}\ninterview:\n  min_worth: 0.15\n  given:\n"
                    + "\n".join(to_yaml(given)) + "\n", encoding="utf-8")
    knowledge = load_knowledge(rules=[pack])
    assert knowledge.given["uses_daily"] == given["uses_daily"]


def test_a_questions_chance_comes_from_its_own_rates_not_from_the_roles_it_supports() -> None:
    """A yes to uses_daily supports influence too; its chance is still that of a daily user."""
    account = load_account(CASES_DIR / "mes-manufacturing.yaml")
    result = identify(evaluation.without_answers(account))
    for item in result.contacts:
        chances = question_chances(item.contact, item.beliefs, result.knowledge)
        for question in item.candidates:
            if question.id in chances and question.because != "account":
                assert question.p_yes == pytest.approx(chances[question.id])


def test_answers_move_a_questions_rate_in_the_counted_direction() -> None:
    knowledge = load_knowledge()
    blank = load_account(CASES_DIR / "mes-manufacturing.yaml").contacts[0]
    nobody = dataclasses.replace(blank, answers={})
    uses = dataclasses.replace(blank, answers={"uses_daily": "yes"})
    buys = dataclasses.replace(blank, answers={"runs_procurement": "yes"})
    base = question_rates(nobody, knowledge)["evaluates_technically"][0]
    assert question_rates(uses, knowledge)["evaluates_technically"][0] > base  # users evaluate
    assert question_rates(buys, knowledge)["evaluates_technically"][0] < base
    assert question_rates(uses, knowledge)["evaluates_technically"][1] == (("uses_daily", "yes"),)


def test_out_of_fold_interviews_every_account_once_with_rates_from_the_other_folds(monkeypatch) -> None:
    paths = sorted(CASES_DIR.glob("*.yaml"))
    counted: list[int] = []
    real = count_given

    def spy(found, questions, **kwargs):
        counted.append(len(found))
        return real(found, questions, **kwargs)

    monkeypatch.setattr("rolefinder.givenrates.count_given", spy)
    figures = evaluation.evaluate_interview_folds(paths, 5)
    sizes = [len(load_account(p).contacts) for p in paths]
    assert figures.guided.accounts == len(paths) and len(figures.asked) == sum(sizes)
    # each fold's rates come from the four other accounts' contacts, never its own
    assert sorted(set(counted)) == sorted({sum(sizes) - n for n in sizes})
    assert figures.full.exact_rate == 1.0
    with pytest.raises(ValueError):
        evaluation.evaluate_interview_folds(paths, 1)


def test_two_answers_pointing_the_same_way_count_for_more_than_one_not_twice() -> None:
    """One person's answers are not independent: k shifts in log-odds are divided by √k."""
    knowledge = load_knowledge()
    table = knowledge.given["evaluates_technically"]
    one, two = ("uses_daily", "yes"), ("opinion_sought", "yes")
    assert one in table.rates and two in table.rates
    contact = dataclasses.replace(load_account(CASES_DIR / "mes-manufacturing.yaml").contacts[0],
                                  answers=dict([one, two]))

    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    shifts = [logit(table.rates[pair]) - logit(table.base) for pair in (one, two)]
    got = logit(question_rates(contact, knowledge)["evaluates_technically"][0]) - logit(table.base)
    assert got == pytest.approx(sum(shifts) / math.sqrt(2))
    assert max(shifts) < got < sum(shifts)
