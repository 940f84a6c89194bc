"""Each condition and conclusion a rule pack can use, through small packs of our own."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rolefinder.account import parse_account_text
from rolefinder.identification import Identification, identify
from rolefinder.knowledge import Knowledge, build_knowledge
from rolefinder.yamlsource import parse_yaml

MINI_CORE = """\
pack: core
title: {zh: 测试核心, en: Test core}
thresholds: {confirmed: 0.8, probable: 0.5, possible: 0.2, ruled_out: -0.3}
roles:
  decision_maker:
    label: {zh: 决策者, en: Decision maker}
    definition: {zh: 拍板, en: Decides}
  influencer:
    label: {zh: 影响者, en: Influencer}
    definition: {zh: 影响, en: Influences}
  user:
    label: {zh: 使用者, en: User}
    definition: {zh: 使用, en: Uses}
  gatekeeper:
    label: {zh: 守门人, en: Gatekeeper}
    definition: {zh: 把关, en: Controls access}
questions:
  final_say:
    text: {zh: 有最终决定权吗?, en: Final say?}
  uses_daily:
    text: {zh: 日常使用吗?, en: Uses it daily?}
facts:
  seniority: [executive, manager, staff]
  function: [procurement, finance]
"""


def knowledge(rules: str) -> Knowledge:
    """MINI_CORE plus ``rules`` (a YAML list, written flush left)."""
    text = MINI_CORE + "rules:\n" + textwrap.indent(textwrap.dedent(rules), "  ")
    path = Path("/test/core.yaml")
    return build_knowledge([(path, parse_yaml(text, str(path)))])


def run(kb: Knowledge, contacts: str) -> Identification:
    """Identify an account whose ``contacts`` list is given as YAML (flush left)."""
    text = "account: {name: Test}\ncontacts:\n" + textwrap.indent(textwrap.dedent(contacts), "  ")
    return identify(parse_account_text(text, "test.yaml", knowledge=kb))


def cf(result: Identification, contact: str, role: str) -> float:
    belief = result.contact(contact).belief(role)
    return 0.0 if belief is None else belief.cf


def rules_fired(result: Identification, contact: str, role: str) -> list[str]:
    belief = result.contact(contact).belief(role)
    return [] if belief is None else [e.rule for e in belief.evidence]


def one_rule(when: str, then: str = "{role: decision_maker, cf: 0.6}") -> Knowledge:
    return knowledge(f"""\
- id: t.rule
  reason: {{zh: 测试, en: Test}}
  when: {when}
  then: {then}
""")


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("test", "answer", "fires"),
    [
        ("yes", "yes", True), ("yes", "no", False), ("yes", "unsure", False), ("yes", None, False),
        ("no", "no", True), ("no", "yes", False),
        ("unsure", "unsure", True), ("unsure", "yes", False),
        ("absent", None, True), ("absent", "yes", False), ("absent", "unsure", False),
        ("answered", "yes", True), ("answered", "no", True), ("answered", "unsure", True),
        ("answered", None, False),
        ("[yes, unsure]", "yes", True), ("[yes, unsure]", "unsure", True),
        ("[yes, unsure]", "no", False), ("[no, absent]", None, True), ("[no, absent]", "yes", False),
    ],
)
def test_answer_tests(test, answer, fires):
    kb = one_rule(f"{{answers: {{final_say: {test}}}}}")
    answers = f"answers: {{final_say: {answer}}}" if answer else "title: x"
    result = run(kb, f"- id: a\n  name: A\n  {answers}\n")
    assert rules_fired(result, "a", "decision_maker") == (["t.rule"] if fires else [])
    assert cf(result, "a", "decision_maker") == pytest.approx(0.6 if fires else 0.0)


def test_several_answers_must_all_hold():
    kb = one_rule("{answers: {final_say: yes, uses_daily: no}}")
    result = run(kb, """\
- {id: both, name: B, answers: {final_say: yes, uses_daily: no}}
- {id: one, name: O, answers: {final_say: yes, uses_daily: yes}}
- {id: half, name: H, answers: {final_say: yes}}
""")
    assert cf(result, "both", "decision_maker") == pytest.approx(0.6)
    assert cf(result, "one", "decision_maker") == 0.0
    assert cf(result, "half", "decision_maker") == 0.0


# --------------------------------------------------------------------------- title and department


@pytest.mark.parametrize(
    ("title", "fires"),
    [
        ("General Manager", True),
        ("GENERAL MANAGER, Asia", True),
        ("general manager", True),
        ("总经理", True),
        ("集团总经理兼董事", True),
        ("Manager", False),
        ("经理", False),
        ("", False),
    ],
)
def test_title_keywords_case_insensitive_in_both_languages(title, fires):
    kb = one_rule("{title: {keywords: [General Manager, 总经理]}}")
    result = run(kb, f"- {{id: a, name: A, title: '{title}'}}\n")
    assert bool(rules_fired(result, "a", "decision_maker")) is fires


def test_title_keyword_shorthand_list():
    kb = one_rule("{title: [ceo, 董事长]}")
    result = run(kb, "- {id: a, name: A, title: CEO}\n- {id: b, name: B, title: 副董事长}\n"
                     "- {id: c, name: C, title: Engineer}\n")
    assert cf(result, "a", "decision_maker") == pytest.approx(0.6)
    assert cf(result, "b", "decision_maker") == pytest.approx(0.6)
    assert cf(result, "c", "decision_maker") == 0.0


@pytest.mark.parametrize(
    ("department", "fires"),
    [("Purchasing", True), ("Global PURCHASING Office", True), ("采购部", True),
     ("设备采购与招标中心", True), ("Finance", False), ("", False)],
)
def test_department_keywords(department, fires):
    kb = one_rule("{department: [purchasing, 采购]}", "{role: gatekeeper, cf: 0.5}")
    result = run(kb, f"- {{id: a, name: A, department: '{department}'}}\n")
    assert bool(rules_fired(result, "a", "gatekeeper")) is fires


@pytest.mark.parametrize(
    ("title", "fires"),
    [("VP Sales", True), ("vp of engineering", True), ("Senior VP", True), ("MVP Lead", False),
     ("Vice President", False)],
)
def test_title_regex_case_insensitive(title, fires):
    kb = one_rule(r"""{title: {regex: '\bvp\b'}}""")
    result = run(kb, f"- {{id: a, name: A, title: '{title}'}}\n")
    assert bool(rules_fired(result, "a", "decision_maker")) is fires


def test_keywords_or_regex():
    kb = one_rule(r"""{title: {keywords: [董事长], regex: '^c[a-z]o$'}}""")
    result = run(kb, "- {id: a, name: A, title: 董事长}\n- {id: b, name: B, title: CFO}\n"
                     "- {id: c, name: C, title: CFO Office}\n")
    assert [bool(rules_fired(result, c, "decision_maker")) for c in "abc"] == [True, True, False]


@pytest.mark.parametrize(
    ("title", "fires"),
    [("总经理", True), ("副总经理", False), ("General Manager", True),
     ("Deputy General Manager", False), ("Assistant to the General Manager", False)],
)
def test_unless_excludes(title, fires):
    kb = one_rule("{title: {keywords: [总经理, general manager], unless: [副, Deputy, assistant]}}")
    result = run(kb, f"- {{id: a, name: A, title: '{title}'}}\n")
    assert bool(rules_fired(result, "a", "decision_maker")) is fires


def test_unless_also_beats_a_regex_match():
    kb = one_rule(r"""{title: {regex: 'director', unless: [assistant]}}""")
    result = run(kb, "- {id: a, name: A, title: Director}\n"
                     "- {id: b, name: B, title: Assistant Director}\n")
    assert bool(rules_fired(result, "a", "decision_maker"))
    assert not rules_fired(result, "b", "decision_maker")


# --------------------------------------------------------------------------- contact fields


def test_contact_influence_and_attitude():
    kb = knowledge("""\
- id: t.high
  reason: {zh: 高, en: High}
  when: {contact: {influence: high}}
  then: {role: influencer, cf: 0.4}
- id: t.friendly
  reason: {zh: 友好, en: Friendly}
  when: {contact: {attitude: [champion, supporter]}}
  then: {role: gatekeeper, cf: 0.3}
- id: t.unknown_influence
  reason: {zh: 未知, en: Unknown}
  when: {contact: {influence: none}}
  then: {role: user, cf: 0.2}
""")
    result = run(kb, """\
- {id: a, name: A, influence: high, attitude: champion}
- {id: b, name: B, influence: low, attitude: supporter}
- {id: c, name: C, attitude: opponent}
""")
    assert rules_fired(result, "a", "influencer") == ["t.high"]
    assert rules_fired(result, "b", "influencer") == []
    assert rules_fired(result, "a", "gatekeeper") == ["t.friendly"]
    assert rules_fired(result, "b", "gatekeeper") == ["t.friendly"]
    assert rules_fired(result, "c", "gatekeeper") == []
    assert rules_fired(result, "c", "user") == ["t.unknown_influence"]
    assert rules_fired(result, "a", "user") == rules_fired(result, "b", "user") == []


def test_attitude_none_matches_only_unset_attitude():
    kb = one_rule("{contact: {attitude: none}}")
    result = run(kb, "- {id: a, name: A}\n- {id: b, name: B, attitude: neutral}\n")
    assert cf(result, "a", "decision_maker") == pytest.approx(0.6)
    assert cf(result, "b", "decision_maker") == 0.0


# --------------------------------------------------------------------------- derived facts

FACTS = """\
- id: t.title.exec
  reason: {zh: 一把手, en: Head}
  when: {title: [ceo]}
  then: {fact: {seniority: executive}, cf: 0.8}
- id: t.dept.finance
  reason: {zh: 财务, en: Finance}
  when: {department: [finance]}
  then: {fact: {function: finance}, cf: 0.6}
- id: t.exec
  reason: {zh: 一把手拍板, en: The head decides}
  when: {facts: {seniority: executive}}
  then: {role: decision_maker, cf: 0.5}
- id: t.exec_finance
  reason: {zh: 管财务的一把手, en: A head in finance}
  when: {facts: {seniority: executive, function: finance}}
  then: {role: influencer, cf: 0.5}
"""


def test_derived_fact_carries_certainty_into_conclusion():
    result = run(knowledge(FACTS), "- {id: a, name: A, title: CEO}\n")
    contact = result.contact("a")
    assert [(d.name, d.value, d.cf, d.rule) for d in contact.derived] == [
        ("seniority", "executive", pytest.approx(0.8), "t.title.exec")
    ]
    assert cf(result, "a", "decision_maker") == pytest.approx(0.8 * 0.5)  # premise × cf


def test_premise_of_several_facts_is_their_minimum():
    result = run(knowledge(FACTS), "- {id: a, name: A, title: CEO, department: Finance}\n")
    assert cf(result, "a", "influencer") == pytest.approx(min(0.8, 0.6) * 0.5)
    assert cf(result, "a", "decision_maker") == pytest.approx(0.8 * 0.5)


def test_no_fact_no_conclusion():
    result = run(knowledge(FACTS), "- {id: a, name: A, title: Clerk, department: Finance}\n")
    assert {d.name for d in result.contact("a").derived} == {"function"}
    assert cf(result, "a", "decision_maker") == 0.0
    assert cf(result, "a", "influencer") == 0.0


def test_chained_facts():
    kb = knowledge(FACTS + """\
- id: t.exec_is_manager
  reason: {zh: 一把手也是管理者, en: A head is a manager too}
  when: {facts: {seniority: executive}}
  then: {fact: {seniority: manager}, cf: 0.5}
- id: t.manager
  reason: {zh: 管理者, en: Manager}
  when: {facts: {seniority: manager}}
  then: {role: gatekeeper, cf: 0.5}
""")
    result = run(kb, "- {id: a, name: A, title: CEO}\n")
    derived = {(d.name, d.value): d.cf for d in result.contact("a").derived}
    assert derived[("seniority", "manager")] == pytest.approx(0.8 * 0.5)
    assert cf(result, "a", "gatekeeper") == pytest.approx(0.8 * 0.5 * 0.5)


def test_rule_matching_twice_counts_once():
    kb = knowledge("""\
- id: t.fin
  reason: {zh: 财务, en: Finance}
  when: {department: [finance]}
  then: {fact: {function: finance}, cf: 0.8}
- id: t.proc
  reason: {zh: 采购, en: Purchasing}
  when: {department: [purchasing]}
  then: {fact: {function: procurement}, cf: 0.6}
- id: t.either
  reason: {zh: 财务或采购, en: Finance or purchasing}
  when: {facts: {function: [finance, procurement]}}
  then: {role: gatekeeper, cf: 0.5}
""")
    result = run(kb, "- {id: a, name: A, department: Finance and Purchasing}\n")
    assert {d.value for d in result.contact("a").derived} == {"finance", "procurement"}
    belief = result.contact("a").belief("gatekeeper")
    assert [e.rule for e in belief.evidence] == ["t.either"]
    assert belief.cf == pytest.approx(0.8 * 0.5)  # strongest match, not 0.4 ⊕ 0.3


def test_two_rules_for_the_same_role_combine():
    kb = knowledge("""\
- id: t.a
  reason: {zh: 甲, en: A}
  when: {answers: {final_say: yes}}
  then: {role: decision_maker, cf: 0.6}
- id: t.b
  reason: {zh: 乙, en: B}
  when: {title: [ceo]}
  then: {role: decision_maker, cf: 0.5}
""")
    result = run(kb, "- {id: a, name: A, title: CEO, answers: {final_say: yes}}\n")
    assert cf(result, "a", "decision_maker") == pytest.approx(0.6 + 0.5 * (1 - 0.6))
    assert sorted(rules_fired(result, "a", "decision_maker")) == ["t.a", "t.b"]


def test_multi_conclusion_then():
    kb = one_rule("{title: [assistant]}",
                  "[{role: gatekeeper, cf: 0.7}, {role: decision_maker, cf: -0.5}]")
    result = run(kb, "- {id: a, name: A, title: Assistant}\n")
    assert cf(result, "a", "gatekeeper") == pytest.approx(0.7)
    assert cf(result, "a", "decision_maker") == pytest.approx(-0.5)
    assert result.contact("a").belief("decision_maker").status == "ruled_out"
    assert result.contact("a").held == ["gatekeeper"]


# --------------------------------------------------------------------------- the org chart

MANAGER = """\
- id: t.final_say
  reason: {zh: 拍板, en: Final say}
  when: {answers: {final_say: yes}}
  then: {role: decision_maker, cf: 0.9}
- id: t.final_say_unsure
  reason: {zh: 也许拍板, en: Maybe the final say}
  when: {answers: {final_say: unsure}}
  then: {role: decision_maker, cf: 0.3}
- id: t.final_say_no
  reason: {zh: 不拍板, en: No final say}
  when: {answers: {final_say: no}}
  then: {role: decision_maker, cf: -0.9}
- id: t.under_decider
  reason: {zh: 向决策者汇报, en: Reports to the decision maker}
  when: {manager: {role: decision_maker, status: probable}}
  then: {role: influencer, cf: 0.4}
- id: t.under_possible
  reason: {zh: 上级可能是决策者, en: Manager possibly decides}
  when: {manager: {role: decision_maker, status: possible}}
  then: {role: user, cf: 0.3}
- id: t.under_non_decider
  reason: {zh: 上级不是决策者, en: Manager ruled out as decider}
  when: {manager: {role: decision_maker, status: ruled_out}}
  then: {role: gatekeeper, cf: 0.3}
- id: t.top
  reason: {zh: 没有上级, en: Nobody above}
  when: {manager: none}
  then: {role: decision_maker, cf: 0.2}
- id: t.has_reports
  reason: {zh: 有下属, en: Has reports}
  when: {has_reports: true}
  then: {role: influencer, cf: 0.1}
- id: t.no_reports
  reason: {zh: 没有下属, en: Nobody reports to them}
  when: {has_reports: false}
  then: {role: user, cf: 0.1}
"""


def test_manager_relation_joins_on_the_managers_status():
    result = run(knowledge(MANAGER), """\
- {id: boss, name: Boss, answers: {final_say: yes}}
- {id: maybe, name: Maybe, answers: {final_say: unsure}}
- {id: notboss, name: Not, answers: {final_say: no}}
- {id: under_boss, name: U1, reports_to: boss}
- {id: under_maybe, name: U2, reports_to: maybe}
- {id: under_not, name: U3, reports_to: notboss}
""")
    assert "t.under_decider" in rules_fired(result, "under_boss", "influencer")
    assert "t.under_possible" in rules_fired(result, "under_boss", "user")  # confirmed ≥ possible
    assert "t.under_decider" not in rules_fired(result, "under_maybe", "influencer")
    assert "t.under_possible" in rules_fired(result, "under_maybe", "user")
    assert rules_fired(result, "under_not", "gatekeeper") == ["t.under_non_decider"]
    assert rules_fired(result, "under_boss", "gatekeeper") == []
    assert "t.under_decider" not in rules_fired(result, "under_not", "influencer")


def test_manager_listed_after_report_still_settles_first():
    result = run(knowledge(MANAGER), """\
- {id: deep, name: D, reports_to: mid}
- {id: mid, name: M, reports_to: boss, answers: {final_say: yes}}
- {id: boss, name: B, answers: {final_say: yes}}
""")
    assert "t.under_decider" in rules_fired(result, "mid", "influencer")
    assert "t.under_decider" in rules_fired(result, "deep", "influencer")


def test_manager_none_and_has_reports():
    result = run(knowledge(MANAGER), """\
- {id: top, name: T}
- {id: mid, name: M, reports_to: top}
- {id: leaf, name: L, reports_to: mid}
""")
    assert "t.top" in rules_fired(result, "top", "decision_maker")
    assert "t.top" not in rules_fired(result, "mid", "decision_maker")
    assert "t.has_reports" in rules_fired(result, "top", "influencer")
    assert "t.has_reports" in rules_fired(result, "mid", "influencer")
    assert "t.has_reports" not in rules_fired(result, "leaf", "influencer")
    assert rules_fired(result, "leaf", "user") == ["t.no_reports"]
    assert "t.no_reports" not in rules_fired(result, "mid", "user")


def test_manager_status_without_the_role_does_not_match():
    result = run(knowledge(MANAGER), "- {id: boss, name: B}\n- {id: r, name: R, reports_to: boss}\n")
    # boss: only t.top (0.2, possible): a report of a 'possible' decider, not a 'probable' one
    assert result.contact("boss").belief("decision_maker").status == "possible"
    assert "t.under_possible" in rules_fired(result, "r", "user")
    assert rules_fired(result, "r", "influencer") == []


def test_evidence_records_rule_reason_in_both_languages():
    result = run(knowledge(MANAGER), "- {id: boss, name: B, answers: {final_say: yes}}\n")
    evidence = result.contact("boss").belief("decision_maker").evidence
    first = next(e for e in evidence if e.rule == "t.final_say")
    assert first.reason == {"zh": "拍板", "en": "Final say"}
    assert first.to_dict() == {"rule": "t.final_say", "certainty": 0.9,
                               "reason": {"zh": "拍板", "en": "Final say"}}
