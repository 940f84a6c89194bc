"""Static conditions tested once per contact (rolefinder.statics) fire exactly the rules the
plain patterns fire, with the same certainty, on the evaluation files and on hostile titles."""

from __future__ import annotations

import dataclasses

import pytest
from test_accuracy import FILES
from test_engine_lean import plain_run

from rolefinder import statics
from rolefinder.account import Account, Contact, load_account
from rolefinder.identification import identify
from rolefinder.knowledge import load_knowledge
from rolefinder.statics import Static, StaticGroups

SAMPLE = FILES[::6]  # a spread of the evaluation files (all of them are compared in test_output)


def _strongest(firings) -> dict:
    """Each (rule, contact, kind, conclusion, answer) fired, with its strongest certainty.

    Which happens first depends on the agenda, the strongest never does: a derived fact may be
    declared twice (a weaker one first, then a stronger one), so rules on it may fire twice;
    and of two rules deriving the same fact equally strongly only the first to fire is told
    (the result credits the one listed first either way), so facts count per conclusion."""
    out: dict = {}
    for f in firings:
        rule = None if f.kind == "fact" else f.rule.id
        key = (rule, f.contact, f.kind, f.target, f.answer)
        out[key] = max(out.get(key, f.cf), f.cf, key=abs)
    return out


def _fresh(knowledge):
    return dataclasses.replace(knowledge, _engine=None)


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_the_same_rules_fire_as_with_plain_patterns(path, monkeypatch) -> None:
    account = load_account(path)
    mine: list = []
    identify(account, _fresh(account.knowledge), listener=mine.append)
    theirs: list = []
    with monkeypatch.context() as patch:
        patch.setattr("rolefinder.engine.PRECOMPUTE", False)
        identify(account, _fresh(account.knowledge), listener=theirs.append)
    assert mine, "the file fires rules"
    assert _strongest(mine) == _strongest(theirs)


HOSTILE = [
    "", " ", "总经理" * 400, "(.*)+[a-z]{2,}\\", "CEO__cid", "a_final_say", "s_0", "总经理\x00采购",
    "Chief\tExecutive\nOfficer", "ＣＥＯ", "经理/主任;总监、副总裁 & VP", "🙂 head of IT 🙂", "None", "True",
    "procurement manager" + " x" * 2000,
]


def _hostile_account() -> Account:
    contacts = [Contact(id="top", name="Top", title=HOSTILE[2], department="总经理办公室")]
    for index, text in enumerate(HOSTILE):
        contacts.append(Contact(id=f"t{index}", name=f"T{index}", title=text, department=text[::-1],
                                reports_to="top" if index % 2 else None,
                                answers={"final_say": "yes"} if index % 3 == 0 else {}))
    account = Account(name="Hostile", industry="manufacturing", offering="ERP software",
                      fields={"offering_type": "software"}, contacts=contacts)
    account.knowledge = load_knowledge("manufacturing")
    return account


def test_hostile_titles_conclude_as_with_plain_patterns(monkeypatch) -> None:
    account = _hostile_account()
    mine = identify(account, _fresh(account.knowledge)).to_dict()
    theirs = plain_run(account, monkeypatch).to_dict()
    assert mine == theirs


def test_a_full_memo_starts_afresh_with_the_same_results(monkeypatch) -> None:
    account = _hostile_account()
    expected = identify(account, _fresh(account.knowledge)).to_dict()
    monkeypatch.setattr(statics, "MEMO_SIZE", 2)
    assert identify(account, _fresh(account.knowledge)).to_dict() == expected


def test_rules_with_the_same_static_conditions_share_one_group() -> None:
    knowledge = load_knowledge("manufacturing")
    groups = StaticGroups(knowledge.rules)
    with_static = [spec for spec in knowledge.rules if Static.of(spec) is not None]
    assert 0 < len(groups) <= len(with_static)
    answer_only = next(spec for spec in knowledge.rules if spec.answers and Static.of(spec) is None)
    assert not answer_only.title and not answer_only.department
    # a static condition and its group agree on a contact fact built by the engine
    engine = knowledge.engine()
    title_rule = next(spec for spec in knowledge.rules if spec.title is not None and spec.title.part == "any"
                      and spec.title.keywords and not spec.title.unless)
    word = title_rule.title.keywords[0]
    fact = engine.facts_for(Contact(id="x", name="X", title=word.upper()), has_reports=False)
    assert fact.get(engine.statics.field[Static.of(title_rule)]) is True
    other = engine.facts_for(Contact(id="y", name="Y", title="—"), has_reports=False)
    assert engine.statics.field[Static.of(title_rule)] not in other
