"""MYCIN certainty factors, statuses from the pack's thresholds, and incremental re-identification."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import random
import textwrap
from pathlib import Path

import pytest

from rolefinder.account import parse_account_text
from rolefinder.certainty import CHART_CEILING, CHART_FLOOR, as_probability, bound_chart, combine, combine_all
from rolefinder.identification import _belief, identify, reidentify
from rolefinder.knowledge import Thresholds, build_knowledge, load_knowledge
from rolefinder.yamlsource import parse_yaml

# --------------------------------------------------------------------------- combination


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (0.6, 0.5, 0.8),  # a + b(1 - a)
        (0.9, 0.9, 0.99),
        (0.0, 0.7, 0.7),
        (1.0, 0.4, 1.0),
        (-0.6, -0.5, -0.8),  # a + b(1 + a)
        (-0.9, -0.2, -0.92),
        (0.8, -0.4, (0.8 - 0.4) / (1 - 0.4)),  # (a + b) / (1 - min(|a|, |b|))
        (-0.8, 0.4, (-0.8 + 0.4) / (1 - 0.4)),
        (0.5, -0.5, 0.0),
        (0.9, -0.3, 0.6 / 0.7),
        (1.0, -0.5, 1.0),
        (-1.0, 0.5, -1.0),
    ],
)
def test_combine(a, b, expected):
    assert combine(a, b) == pytest.approx(expected)
    assert combine(b, a) == pytest.approx(expected)


@pytest.mark.parametrize(("a", "b"), [(1.0, -1.0), (-1.0, 1.0)])
def test_total_contradiction_gives_zero(a, b):
    assert combine(a, b) == 0.0


def test_combine_all():
    assert combine_all([]) == 0.0
    assert combine_all([0.4]) == pytest.approx(0.4)
    assert combine_all([0.6, 0.5, -0.5]) == pytest.approx(combine(combine(0.6, 0.5), -0.5))
    assert combine_all([0.9, -0.9]) == pytest.approx(0.0)


def test_positive_evidence_only_grows_and_stays_below_one():
    total = 0.0
    for value in [0.3] * 20:
        new = combine(total, value)
        assert total < new < 1.0
        total = new


def test_negative_evidence_pulls_down():
    assert combine(0.8, -0.3) < 0.8
    assert combine(-0.2, -0.3) < -0.2


def _random_cfs(rng: random.Random, n: int) -> list[float]:
    # avoid ±1 exactly: the contradiction convention is not associative by design
    return [round(rng.uniform(-0.99, 0.99), 3) for _ in range(n)]


def test_commutative_and_associative_over_random_triples():
    rng = random.Random(20240601)
    for _ in range(2000):
        a, b, c = _random_cfs(rng, 3)
        assert combine(a, b) == pytest.approx(combine(b, a), abs=1e-9)
        assert combine(combine(a, b), c) == pytest.approx(combine(a, combine(b, c)), abs=1e-9)
        assert -1.0 <= combine(a, b) <= 1.0


def test_order_of_evidence_never_changes_the_result():
    rng = random.Random(7)
    for _ in range(200):
        values = _random_cfs(rng, 5)
        results = {round(combine_all(p), 9) for p in itertools.permutations(values)}
        assert len(results) == 1, values


def test_as_probability_moves_the_base_rate():
    assert as_probability(0.0, 0.2) == pytest.approx(0.2)
    assert as_probability(1.0, 0.2) == pytest.approx(1.0)
    assert as_probability(-1.0, 0.2) == pytest.approx(0.0)
    assert as_probability(0.5, 0.2) == pytest.approx(0.6)


# --------------------------------------------------------------------------- the chart's bound


def test_the_bound_changes_no_chart_alone_status():
    t = Thresholds(0.8, 0.5, 0.2, -0.3)
    assert bound_chart(0.97) == CHART_CEILING and bound_chart(-0.9) == CHART_FLOOR
    assert bound_chart(0.31) == 0.31 and bound_chart(-0.31) == -0.31
    for value in (i / 200 for i in range(-200, 201)):
        assert t.status(bound_chart(value)) == t.status(value), value


def test_a_defining_answer_overturns_the_most_certain_chart():
    t = Thresholds(0.8, 0.5, 0.2, -0.3)
    assert t.status(combine(CHART_CEILING, -0.9)) == "ruled_out"
    assert t.holds(combine(CHART_FLOOR, 0.85)) and t.holds(combine(CHART_FLOOR, 0.9))
    assert t.holds(combine(CHART_FLOOR, combine(0.9, -0.2)))  # final_say yes, approves_budget no
    assert not t.holds(combine(CHART_CEILING, combine_all([-0.9, 0.4, 0.2])))  # no; budget, signs yes


def test_a_belief_bounds_its_chart_evidence_before_the_answers():
    knowledge = load_knowledge(None)
    chart = [("core.chart.staff_no_reports", -0.6), ("core.judgement.low_influence", -0.4),
             ("core.chart.assistant", -0.5)]
    alone = _belief("decision_maker", chart, knowledge)
    assert alone.cf == pytest.approx(CHART_FLOOR) and alone.status == "ruled_out"
    assert alone.chart_bounded == (pytest.approx(combine_all(v for _, v in chart)), CHART_FLOOR)
    answered = _belief("decision_maker", [("core.answer.final_say.yes", 0.9), *chart], knowledge)
    assert answered.cf == pytest.approx(combine(CHART_FLOOR, 0.9)) and answered.status == "probable"
    steps = answered.steps()
    assert [e.kind for e, _, _ in steps] == ["chart", "chart", "chart", "answer"]
    assert steps[-1][1] == pytest.approx(CHART_FLOOR)  # the answer starts from the bounded chart
    assert steps[-1][2] == pytest.approx(answered.cf)
    inside = _belief("decision_maker", [("core.chart.executive", 0.3)], knowledge)
    assert inside.chart_bounded is None and inside.cf == pytest.approx(0.3)


# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("value", "status"),
    [(0.95, "confirmed"), (0.8, "confirmed"), (0.79, "probable"), (0.5, "probable"),
     (0.49, "possible"), (0.2, "possible"), (0.19, None), (0.0, None), (-0.29, None),
     (-0.3, "ruled_out"), (-1.0, "ruled_out")],
)
def test_status_from_thresholds(value, status):
    assert Thresholds(0.8, 0.5, 0.2, -0.3).status(value) == status


def test_holds_means_probable_or_better():
    t = Thresholds(0.8, 0.5, 0.2, -0.3)
    assert t.holds(0.5) and t.holds(0.9)
    assert not t.holds(0.49)
    assert [t.level(v) for v in (0.9, 0.6, 0.3, 0.0, -0.5)] == [3, 2, 1, 0, -1]


PACK = """\
pack: core
title: {{zh: 测试, en: Test}}
thresholds: {{confirmed: {confirmed}, probable: {probable}, possible: 0.2, ruled_out: -0.3}}
roles:
  decision_maker:
    label: {{zh: 决策者, en: Decision maker}}
    definition: {{zh: 拍板, en: Decides}}
  influencer:
    label: {{zh: 影响者, en: Influencer}}
    definition: {{zh: 影响, en: Influences}}
questions:
  final_say:
    text: {{zh: 拍板吗?, en: Final say?}}
rules:
  - id: t.yes
    reason: {{zh: 是, en: Answered yes}}
    when: {{answers: {{final_say: yes}}}}
    then: {{role: decision_maker, cf: 0.6}}
  - id: t.unsure
    reason: {{zh: 不确定, en: Unsure}}
    when: {{answers: {{final_say: unsure}}}}
    then: {{role: decision_maker, cf: 0.3}}
  - id: t.no
    reason: {{zh: 否, en: Answered no}}
    when: {{answers: {{final_say: no}}}}
    then: {{role: decision_maker, cf: -0.9}}
  - id: t.under_decider
    reason: {{zh: 上级拍板, en: Manager decides}}
    when: {{manager: {{role: decision_maker, status: probable}}}}
    then: {{role: influencer, cf: 0.6}}
"""


def mini(confirmed: float = 0.8, probable: float = 0.5):
    text = PACK.format(confirmed=confirmed, probable=probable)
    return build_knowledge([(Path("/t/core.yaml"), parse_yaml(text, "/t/core.yaml"))])


def test_thresholds_come_from_the_pack():
    account_text = "account: {name: T}\ncontacts:\n  - {id: a, name: A, answers: {final_say: yes}}\n"
    default = identify(parse_account_text(account_text, knowledge=mini()))
    strict = identify(parse_account_text(account_text, knowledge=mini(confirmed=0.9, probable=0.7)))
    assert default.contact("a").belief("decision_maker").status == "probable"
    assert default.contact("a").primary_role == "decision_maker"
    assert strict.contact("a").belief("decision_maker").status == "possible"
    assert strict.contact("a").primary_role is None


def test_no_answer_pulls_a_role_down_in_the_shipped_core():
    base = "account: {name: T}\ncontacts:\n  - {id: gm, name: G, title: General Manager%s}\n"
    unknown = identify(parse_account_text(base % ""))
    told_no = identify(parse_account_text(base % ", answers: {final_say: no}"))
    before = unknown.contact("gm").belief("decision_maker")
    after = told_no.contact("gm").belief("decision_maker")
    assert before.cf > 0
    assert after.cf < before.cf
    assert after.cf < 0
    assert after.status == "ruled_out"
    assert "decision_maker" not in told_no.contact("gm").held
    assert any(e.rule == "core.answer.final_say.no" and e.certainty < 0 for e in after.evidence)


def test_role_certainty_is_reported_in_zero_one_but_cf_keeps_sign():
    text = "account: {name: T}\ncontacts:\n  - {id: a, name: A, answers: {final_say: no}}\n"
    belief = identify(parse_account_text(text, knowledge=mini())).contact("a").belief("decision_maker")
    assert belief.cf == pytest.approx(-0.9)
    assert belief.certainty == 0.0
    assert belief.to_dict()["certainty"] == 0.0
    assert belief.to_dict()["cf"] == pytest.approx(-0.9)


def test_steps_show_how_certainty_built_up():
    text = "account: {name: T}\ncontacts:\n  - {id: gm, name: G, title: CEO, influence: high, " \
           "answers: {final_say: yes, approves_budget: yes}}\n"
    belief = identify(parse_account_text(text)).contact("gm").belief("decision_maker")
    steps = belief.steps()
    assert len(steps) == len(belief.evidence) >= 2
    assert steps[-1][2] == pytest.approx(belief.cf)
    assert all(after == pytest.approx(combine(before, e.certainty)) for e, before, after in steps)
    # inside the chart's bound the running total is plain MYCIN combination of everything
    assert belief.chart_bounded is None
    assert belief.cf == pytest.approx(combine_all(e.certainty for e in belief.evidence))


# --------------------------------------------------------------------------- reidentify


def _snapshot(result):
    return result.to_dict()


def test_reidentify_after_an_answer_equals_a_full_identify():
    text = """\
account: {name: T}
contacts:
  - {id: gm, name: G, title: General Manager}
  - {id: pm, name: P, title: Purchasing Manager, department: Purchasing, reports_to: gm}
  - {id: eng, name: E, title: Engineer, reports_to: pm}
"""
    account = parse_account_text(text)
    first = identify(account)
    account.contact("pm").answers["runs_procurement"] = "no"
    account.contact("pm").answers["final_say"] = "yes"
    again = reidentify(first, "pm")
    assert _snapshot(again) == _snapshot(identify(account))
    assert again.contact("pm").belief("buyer").cf < first.contact("pm").belief("buyer").cf


def test_manager_change_cascades_to_reports():
    account = parse_account_text(
        "account: {name: T}\ncontacts:\n  - {id: boss, name: B, answers: {final_say: unsure}}\n"
        "  - {id: r, name: R, reports_to: boss}\n  - {id: rr, name: RR, reports_to: r}\n",
        knowledge=mini(),
    )
    first = identify(account)
    assert first.contact("r").belief("influencer") is None
    account.contact("boss").answers["final_say"] = "yes"
    again = reidentify(first, "boss")
    assert again.contact("boss").belief("decision_maker").status == "probable"
    assert [e.rule for e in again.contact("r").belief("influencer").evidence] == ["t.under_decider"]
    assert _snapshot(again) == _snapshot(identify(account))
    # and back: the report loses the evidence again
    account.contact("boss").answers["final_say"] = "no"
    back = reidentify(again, "boss")
    assert back.contact("r").belief("influencer") is None
    assert _snapshot(back) == _snapshot(identify(account))


def test_reidentify_matches_identify_on_random_changes():
    kb = load_knowledge("manufacturing")
    text = """\
account: {name: T, industry: manufacturing}
contacts:
  - {id: gm, name: G, title: 总经理}
  - {id: coo, name: C, title: 运营总监, reports_to: gm}
  - {id: asst, name: A, title: 总经理助理, reports_to: gm}
  - {id: pm, name: P, title: 采购经理, department: 采购部, reports_to: coo}
  - {id: fin, name: F, title: 财务经理, department: 财务部, reports_to: gm}
  - {id: eng, name: E, title: 工艺工程师, department: 技术部, reports_to: coo}
  - {id: op, name: O, title: 操作工, department: 生产车间, reports_to: coo}
"""
    account = parse_account_text(text, knowledge=kb)
    questions = list(kb.questions)
    rng = random.Random(42)
    result = identify(account)
    for _ in range(25):
        contact = rng.choice(account.contacts)
        question = rng.choice(questions)
        answer = rng.choice(["yes", "no", "unsure", None])
        if answer is None:
            contact.answers.pop(question, None)
        else:
            contact.answers[question] = answer
        if rng.random() < 0.2:
            contact.influence = rng.choice(["high", "medium", "low", None])
        result = reidentify(result, contact.id)
        fresh = identify(dataclasses.replace(account, contacts=copy.deepcopy(account.contacts)), kb)
        assert _snapshot(result) == _snapshot(fresh), (contact.id, question, answer)


def test_pack_formula_doc_matches_code():
    # the formula the explanation prints is the one the code uses
    from rolefinder.certainty import __doc__ as doc

    assert "a + b(1 − a)" in doc and "a + b(1 + a)" in doc
    assert combine(0.3, 0.4) == pytest.approx(0.3 + 0.4 * (1 - 0.3))


def test_mini_pack_text_is_valid_yaml():
    assert parse_yaml(textwrap.dedent(PACK.format(confirmed=0.8, probable=0.5)))["pack"] == "core"
