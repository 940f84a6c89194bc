"""How the interview prices questions, chooses the next one and stops (rolefinder.pricing).

The accounts use made-up titles that no shipped rule matches, plus a small pack of their own,
so that what the org chart says is fixed here and the tests hold when the shipped packs change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rolefinder.account import load_account
from rolefinder.cli import cli
from rolefinder.errors import PackError
from rolefinder.identification import identify
from rolefinder.interviewing import Interview
from rolefinder.knowledge import load_knowledge

PACK = """\
pack: pricing_test
title: {zh: 定价测试, en: Pricing test}
rules:
  - id: t.guess.buyer
    reason: {zh: 测试:职务像采购, en: "Test: the title looks like purchasing"}
    when: {title: [zyxbuy]}
    then: {role: buyer, cf: 0.7}
  - id: t.guess.influencer
    reason: {zh: 测试:职务像专家, en: "Test: the title looks like an expert"}
    when: {title: [zyxexpert]}
    then: {role: influencer, cf: 0.7}
  - id: t.guess.boss
    reason: {zh: 测试:职务像领导, en: "Test: the title looks like a senior leader"}
    when: {title: [zyxboss]}
    then: [{role: influencer, cf: 0.55}, {role: decision_maker, cf: 0.2}]
"""


def write(tmp_path: Path, titles: list[str]) -> Path:
    (tmp_path / "packs").mkdir(exist_ok=True)
    (tmp_path / "packs" / "pricing_test.yaml").write_text(PACK, encoding="utf-8")
    lines = ["account:", "  name: Qwv Ltd", "contacts:"]
    for index, title in enumerate(titles, start=1):
        lines += [f"  - id: c{index}", f"    name: Person {index}", f"    title: {title}"]
    path = tmp_path / "acct.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def session_for(tmp_path: Path, titles: list[str]) -> Interview:
    return Interview(load_account(write(tmp_path, titles), rules=[tmp_path / "packs"]))


def test_a_guess_from_the_chart_gets_its_defining_question(tmp_path: Path) -> None:
    session = session_for(tmp_path, ["zyxbuy"])
    session.select("c1")
    assert session.current.held == ["buyer"]
    question = next(q for q in session.worth_asking() if q.because == "unconfirmed")
    assert (question.id, question.about) == ("runs_procurement", ("buyer",))
    assert "t.guess.buyer" in question.why["en"] and "t.guess.buyer" in question.why["zh"]
    session.answer("no", question.id)
    assert "buyer" not in session.current.held


def test_a_role_nobody_holds_is_searched_for_until_found(tmp_path: Path) -> None:
    session = session_for(tmp_path, ["qwva", "qwvb", "qwvc", "qwvd", "qwve", "qwvf"])
    holder = "c4"
    asked: list[tuple[str, str]] = []  # (contact, because) of each initiated_need question

    def interview(cid: str) -> None:
        session.select(cid)
        while (question := session.question()) is not None:
            if question.id == "initiated_need":
                asked.append((cid, question.because))
            if question.id == "initiated_need":
                session.answer("yes" if cid == holder else "no")
            else:  # answers that say nothing about who raised the need (see interview.given)
                session.answer("unsure")

    for contact in session.account.contacts:
        interview(contact.id)
    while (cid := session.next_contact()) is not None:
        interview(cid)
    assert (holder, "account") in asked  # no hint from the chart, asked all the same
    assert asked[-1][0] == holder  # found: nobody else is asked after that
    assert [r.contact.id for r in session.result.holders("initiator")] == [holder]
    assert all(because == "account" for _, because in asked)


def test_a_search_question_says_why_in_both_languages(tmp_path: Path) -> None:
    result = identify(load_account(write(tmp_path, ["qwva", "qwvb"]), rules=[tmp_path / "packs"]))
    searched = [q for r in result.contacts for q in r.candidates if q.because == "account"]
    assert searched
    question = searched[0]
    assert question.about and question.asked
    assert "Nobody holds" in question.why["en"] and "目前还没有人" in question.why["zh"]


def test_one_no_to_influence_leaves_the_other_question_open(tmp_path: Path) -> None:
    session = session_for(tmp_path, ["zyxexpert"])
    session.select("c1")
    influence = {"opinion_sought", "evaluates_technically"}
    first = next(q.id for q in session.worth_asking() if q.id in influence)
    session.answer("no", first)
    assert [q.id for q in session.worth_asking() if q.id in influence] == list(influence - {first})
    session.answer("no", next(iter(influence - {first})))
    assert session.current.belief("influencer").status == "ruled_out"


def test_a_daily_user_not_consulted_is_still_asked_whether_they_evaluate(tmp_path: Path) -> None:
    session = session_for(tmp_path, ["qwva"])
    session.select("c1")
    session.answer("yes", "uses_daily")
    session.answer("no", "opinion_sought")
    assert "evaluates_technically" in [q.id for q in session.worth_asking()]
    rules = {e.rule for e in session.current.belief("influencer").evidence}
    assert "core.answer.user_may_evaluate" in rules
    session.answer("yes", "evaluates_technically")
    assert "influencer" in session.current.held
    assert "core.answer.user_may_evaluate" not in {  # answered: the pending hint is gone
        e.rule for e in session.current.belief("influencer").evidence}


def test_the_decision_maker_is_not_asked_whether_they_are_consulted(tmp_path: Path) -> None:
    session = session_for(tmp_path, ["zyxexpert"])
    session.select("c1")
    session.answer("yes", "final_say")
    current = session.current
    assert "opinion_sought" not in {q.id for q in current.candidates}
    assert "opinion_sought" not in current.contact.answers  # implied, never written
    rules = {e.rule for e in current.belief("influencer").evidence}
    assert "core.answer.opinion_sought.no" in rules
    session.answer("no", "evaluates_technically")
    assert current.contact.answers == {"final_say": "yes", "evaluates_technically": "no"}
    assert session.current.held == ["decision_maker"]


def test_the_final_say_is_asked_before_whether_the_decision_maker_asks_them(tmp_path: Path) -> None:
    session = session_for(tmp_path, ["zyxboss"])
    session.select("c1")
    asked = [q.id for q in session.worth_asking()]
    assert asked.index("final_say") < asked.index("opinion_sought")


def test_json_and_explain_say_why_the_next_question(tmp_path: Path) -> None:
    path = write(tmp_path, ["zyxbuy"])
    args = ["--rules", str(tmp_path / "packs"), "--format", "json"]
    out = CliRunner().invoke(cli, ["identify", str(path), *args])
    assert out.exit_code == 0, out.output
    question = json.loads(out.stdout)["contacts"][0]["next_question"]
    assert {"id", "text", "worth", "p_yes", "rules", "effects"} <= set(question)
    assert question["because"] in ("value", "unconfirmed", "account")
    assert set(question["why"]) == {"zh", "en"}
    text = CliRunner().invoke(cli, ["explain", str(path), "c1", "--rules", str(tmp_path / "packs"),
                                    "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert " ".join(question["why"]["en"].split()) in " ".join(text.output.split())  # wrapped


def test_answers_so_far_raise_the_chance_of_another_role_and_say_so(tmp_path: Path) -> None:
    """Someone the decision maker consults more often raised the need (interview.given)."""
    session = session_for(tmp_path, ["qwva"])
    session.select("c1")
    before = next(q for q in session.current.candidates if q.id == "initiated_need")
    assert before.worth < session.result.knowledge.min_worth  # the base rate alone: not worth it
    session.answer("yes", "opinion_sought")
    question = next(q for q in session.worth_asking() if q.id == "initiated_need")
    assert question.because == "value" and question.p_yes > session.result.knowledge.min_worth
    asked = session.result.knowledge.questions["opinion_sought"].text
    assert asked["en"].rstrip("?") in question.why["en"] and asked["zh"].rstrip("?？") in question.why["zh"]
    assert "” yes" in question.why["en"] and "」是" in question.why["zh"]
    assert "opinion_sought" not in question.why["en"] + question.why["zh"]  # never a question id
    assert "Their answers so far" in question.why["en"] and "其已有回答" in question.why["zh"]


def test_answers_that_point_elsewhere_lower_the_chance(tmp_path: Path) -> None:
    """A yes to running the purchase makes a compliance review by the same person unlikely."""
    session = session_for(tmp_path, ["zyxbuy"])
    session.select("c1")
    before = session.current.candidates
    worth = {q.id: q.worth for q in before}
    session.answer("yes", "runs_procurement")
    after = {q.id: q.worth for q in session.current.candidates}
    assert after.get("reviews_compliance", 0.0) < worth["reviews_compliance"]
    assert after.get("final_say", 0.0) < worth["final_say"]


def test_each_question_past_the_budget_must_be_worth_more(tmp_path: Path) -> None:
    from rolefinder.pricing import worth_floor

    knowledge = load_knowledge()
    questions, growth = knowledge.budget
    account = load_account(write(tmp_path, ["qwva"]), rules=[tmp_path / "packs"])
    contact = account.contact("c1")
    floors = []
    for qid in list(knowledge.questions)[:questions + 1]:
        floors.append(worth_floor(contact, knowledge))
        contact.answers[qid] = "unsure"
    assert floors[:questions] == [knowledge.min_worth] * questions
    assert floors[questions] == pytest.approx(knowledge.min_worth * growth)


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("account_roles: {nobody: 0.5}", "interview.account_roles.nobody"),
        ("account_roles: {initiator: 2}", "interview.account_roles.initiator"),
        ("implied: {opinion_sought: {answer: maybe, when: {final_say: yes}}}",
         "interview.implied.opinion_sought.answer"),
        ("implied: {opinion_sougth: {answer: no, when: {final_say: yes}}}",
         "interview.implied.opinion_sougth"),
        ("implied: {opinion_sought: {answer: no}}", "interview.implied.opinion_sought.when"),
        ("given: {initiated_need: {base: 0.1, when: {opinion_sougth: {yes: 0.2}}}}",
         "interview.given.initiated_need.when.opinion_sougth"),
        ("given: {initiated_need: {base: 0.1, when: {opinion_sought: {maybe: 0.2}}}}",
         "interview.given.initiated_need.when.opinion_sought.maybe"),
        ("given: {initiated_need: {base: 1.5, when: {opinion_sought: {yes: 0.2}}}}",
         "interview.given.initiated_need.base"),
        ("given: {initiated_need: {base: 0.1, when: {opinion_sought: {yes: 0}}}}",
         "interview.given.initiated_need.when.opinion_sought.yes"),
        ("budget: {questions: 4, growth: 0.5}", "interview.budget.growth"),
        ("budget: {questions: 4, grow: 2}", "interview.budget.grow"),
    ],
)
def test_bad_interview_settings_are_reported_with_file_and_line(tmp_path: Path, section: str,
                                                                field: str) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(f"pack: bad\ntitle: {{zh: 坏, en: Bad}}\ninterview:\n  {section}\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_knowledge(rules=[pack])
    assert any(p.field == field and p.line == 4 for p in caught.value.problems), caught.value


def test_an_advisers_title_makes_advising_peers_worth_asking_and_says_which_rule(tmp_path: Path) -> None:
    """An outside consultant is who peers turn to: a hint (below `possible`) from the title
    makes the question worth its price; the same answers under a plain title do not."""
    session = session_for(tmp_path, ["Principal Consultant qwva", "qwva"])
    worth = {}
    for cid in ("c1", "c2"):
        session.select(cid)
        session.answer("yes", "opinion_sought")
        session.answer("no", "uses_daily")
        worth[cid] = next(q for q in session.current.own if q.id == "advises_peers")
    adviser, plain = worth["c1"], worth["c2"]
    assert session.result.knowledge.thresholds.status(
        session.result.contacts[0].beliefs["recommender"].cf) is None  # a hint, not a conclusion
    assert adviser.because == "value" and plain.worth < session.result.knowledge.min_worth < adviser.worth
    assert "core.hint.adviser" in adviser.why["en"] and "core.hint.adviser" in adviser.why["zh"]
    assert "组织架构" in adviser.why["zh"]
