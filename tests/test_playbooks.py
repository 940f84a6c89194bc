"""The ``playbooks:`` and ``classification:`` pack sections: shipped packs valid, mistakes located."""

from __future__ import annotations

from pathlib import Path

import pytest

from rolefinder.classify import classify
from rolefinder.errors import PackError
from rolefinder.knowledge import load_knowledge
from rolefinder.playbooks import playbooks_of


def test_shipped_playbooks_cover_every_core_role() -> None:
    knowledge = load_knowledge(all_industries=True)
    books = playbooks_of(knowledge)
    for role in knowledge.roles:
        play = books.role(role)
        assert play.objective["zh"] and play.objective["en"], role
        assert play.messages and play.materials and play.visitors and play.formats, role
        assert all(v in books.visitors for v in play.visitors)


def test_healthcare_pack_overrides_only_what_it_names() -> None:
    generic = playbooks_of(load_knowledge("manufacturing")).role("influencer")
    knowledge = load_knowledge("hospital")
    clinician = playbooks_of(knowledge, "equipment", ["clinical"]).role("influencer")
    engineer = playbooks_of(knowledge, "equipment", ["engineering"]).role("influencer")
    assert "academic_meeting" in clinician.formats and "academic_meeting" not in generic.formats
    assert engineer.formats == generic.formats  # the clinical section is for clinicians only
    assert clinician.cadence_days == generic.cadence_days  # not overridden: inherited


@pytest.mark.parametrize(("fields", "expected"), [
    ({"revenue": 6_000_000}, "key"),
    ({"potential": "high", "strategic_fit": "high"}, "key"),
    ({"potential": "high"}, "potential"),
    ({"revenue": 2_000_000, "potential": "low"}, "potential"),
    ({"potential": "low", "strategic_fit": "low"}, "ordinary"),
    ({"revenue": 10}, "ordinary"),
    ({}, "unclassified"),
])
def test_classification_rules(fields: dict, expected: str) -> None:
    result = classify(fields, load_knowledge())
    assert result is not None and result.cls == expected
    assert result.reasons and all(text["zh"] and text["en"] for _rule, text in result.reasons)


def _problems(tmp_path: Path, text: str) -> str:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_knowledge(rules=[tmp_path])
    return caught.value.render("en")


def test_playbook_mistakes_name_file_line_and_field(tmp_path: Path) -> None:
    message = _problems(tmp_path, """\
pack: mine
title: {zh: 我的, en: Mine}
playbooks:
  roles:
    decision_makr:
      weight: 1
    buyer:
      visitors: [ceo]
      cadence_days: -3
      colour: red
      objective: only english
""")
    assert "bad.yaml:5: playbooks.roles.decision_makr: unknown role 'decision_makr'" in message
    assert "bad.yaml:8: playbooks.roles.buyer.visitors: visitor 'ceo' is not defined" in message
    assert "bad.yaml:9: playbooks.roles.buyer.cadence_days" in message
    assert "bad.yaml:10: playbooks.roles.buyer.colour: unknown field" in message
    assert "bad.yaml:11: playbooks.roles.buyer.objective: expected a text in both languages" in message


def test_classification_mistakes_name_file_line_and_field(tmp_path: Path) -> None:
    message = _problems(tmp_path, """\
pack: mine
title: {zh: 我的, en: Mine}
classification:
  rules:
    - id: x
      class: vip
      when: {potential: huge}
      reason: {zh: 某, en: some}
    - id: y
      class: key
      when: {revenue: 5}
      reason: {zh: 某, en: some}
""")
    assert "bad.yaml:6: classification.rules[0].class: unknown account class 'vip'" in message
    assert "bad.yaml:7: classification.rules[0].when.potential: 'huge' is not allowed" in message
    assert "bad.yaml:11: classification.rules[1].when.revenue: expected mapping" in message
