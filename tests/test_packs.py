"""Rule packs are validated on load: every problem with its file and line, all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rolefinder.account import parse_account_text
from rolefinder.cli import cli
from rolefinder.errors import PackError
from rolefinder.identification import identify
from rolefinder.knowledge import build_knowledge, load_knowledge
from rolefinder.yamlsource import parse_yaml

CORE = """\
pack: core
title: {zh: 核心, en: Core}
thresholds: {confirmed: 0.8, probable: 0.5, possible: 0.2, ruled_out: -0.3}
roles:
  decision_maker:
    label: {zh: 决策者, en: Decision maker}
    definition: {zh: 拍板的人, en: Has the final say}
questions:
  final_say:
    text: {zh: 有最终决定权吗?, en: Final say?}
facts:
  seniority: [executive]
rules:
  - id: t.final_say
    reason: {zh: 有决定权, en: Has the final say}
    when: {answers: {final_say: yes}}
    then: {role: decision_maker, cf: 0.9}
"""
CORE_RULES_LINE = 13  # the line of "rules:" in CORE


def pack(text: str, name: str = "pack.yaml") -> tuple[Path, object]:
    path = Path("/packs") / name
    return path, parse_yaml(textwrap.dedent(text), str(path))


def errors(*packs: tuple[Path, object]) -> list[str]:
    with pytest.raises(PackError) as info:
        build_knowledge(list(packs))
    return info.value.render("en").splitlines()


def with_rules(rules: str) -> tuple[Path, object]:
    """CORE plus ``rules`` (indented list items) appended after its one rule."""
    return pack(CORE + textwrap.indent(textwrap.dedent(rules), "  "), "core.yaml")


def single(rules: str) -> str:
    found = errors(with_rules(rules))
    assert len(found) == 1, found
    return found[0]


def test_minimal_core_is_valid():
    kb = build_knowledge([pack(CORE, "core.yaml")])
    assert list(kb.roles) == ["decision_maker"]
    assert list(kb.questions) == ["final_say"]
    assert [r.id for r in kb.rules] == ["t.final_say"]
    assert kb.rules[0].line == CORE_RULES_LINE + 1
    assert kb.thresholds.probable == 0.5


def test_shipped_packs_are_valid():
    kb = load_knowledge(all_industries=True)
    assert {"decision_maker", "influencer", "user", "buyer", "recommender", "auditor",
            "gatekeeper", "initiator"} <= set(kb.roles)
    for role in kb.roles.values():
        assert role.label["zh"] and role.label["en"]
    assert {"final_say", "approves_budget", "runs_procurement", "signs_contract", "uses_daily",
            "evaluates_technically", "opinion_sought", "advises_peers", "reviews_compliance",
            "controls_access", "initiated_need"} <= set(kb.questions)


def test_unknown_top_level_key():
    found = errors(pack(CORE + "colour: red\n", "core.yaml"))
    assert found == [
        f"/packs/core.yaml:{CORE.count(chr(10)) + 1}: colour: unknown field; expected one of: "
        "pack, title, industries, always, roles, questions, thresholds, interview, facts, titles, "
        "offerings, rules, account_rules, playbooks, classification, tests, crm"
    ]


def test_unknown_rule_and_condition_keys_with_hint():
    found = errors(with_rules("""\
      - id: t.keys
        reason: {zh: 甲, en: A}
        wen: {answers: {final_say: yes}}
        when: {answer: {final_say: yes}}
        then: {role: decision_maker, cf: 0.5}
    """))
    assert f"/packs/core.yaml:{CORE_RULES_LINE + 7}: rules[t.keys].wen: unknown field" in found[0]
    assert "did you mean 'when'" in found[0]
    assert found[1].startswith(
        f"/packs/core.yaml:{CORE_RULES_LINE + 8}: rules[t.keys].when.answer: unknown field")
    assert "did you mean 'answers'" in found[1]


def test_unknown_role():
    line = single("""\
      - id: t.role
        reason: {zh: 甲, en: A}
        when: {answers: {final_say: yes}}
        then: {role: decison_maker, cf: 0.5}
    """)
    assert line.startswith(f"/packs/core.yaml:{CORE_RULES_LINE + 8}: rules[t.role].then.role: "
                           "unknown role 'decison_maker'")
    assert "did you mean 'decision_maker'" in line


def test_unknown_role_in_manager_condition():
    line = single("""\
      - id: t.manager
        reason: {zh: 甲, en: A}
        when: {manager: {role: boss, status: probable}}
        then: {role: decision_maker, cf: 0.5}
    """)
    assert line.startswith(f"/packs/core.yaml:{CORE_RULES_LINE + 7}: "
                           "rules[t.manager].when.manager.role: unknown role 'boss'")


def test_unknown_question():
    line = single("""\
      - id: t.question
        reason: {zh: 甲, en: A}
        when:
          answers: {final_sya: yes}
        then: {role: decision_maker, cf: 0.5}
    """)
    assert line.startswith(f"/packs/core.yaml:{CORE_RULES_LINE + 8}: "
                           "rules[t.question].when.answers.final_sya: unknown question id")
    assert "did you mean 'final_say'" in line


def test_bad_answer_value_in_rule():
    line = single("""\
      - id: t.answer
        reason: {zh: 甲, en: A}
        when: {answers: {final_say: maybe}}
        then: {role: decision_maker, cf: 0.5}
    """)
    assert "rules[t.answer].when.answers.final_say: 'maybe' is not allowed" in line


def test_bad_regex():
    line = single("""\
      - id: t.regex
        reason: {zh: 甲, en: A}
        when:
          title:
            regex: '(unclosed'
        then: {role: decision_maker, cf: 0.5}
    """)
    assert line.startswith(f"/packs/core.yaml:{CORE_RULES_LINE + 9}: "
                           "rules[t.regex].when.title.regex: bad regular expression: ")
    assert "missing )" in line


def test_regex_that_can_backtrack_forever_is_refused():
    line = single("""\
      - id: t.regex
        reason: {zh: 甲, en: A}
        when:
          department:
            regex: '(a+)+$'
        then: {role: decision_maker, cf: 0.5}
    """)
    assert "rules[t.regex].when.department.regex: bad regular expression: " in line
    assert "exponential time" in line


def test_duplicate_rule_id_in_one_pack():
    line = single("""\
      - id: t.final_say
        reason: {zh: 甲, en: A}
        when: {answers: {final_say: no}}
        then: {role: decision_maker, cf: -0.5}
    """)
    assert line == (f"/packs/core.yaml:{CORE_RULES_LINE + 5}: rules[t.final_say].id: rule id "
                    f"'t.final_say' is already used in /packs/core.yaml:{CORE_RULES_LINE + 1}")


def test_duplicate_rule_id_across_two_packs():
    extra = pack("""\
        pack: extra
        title: {zh: 附加, en: Extra}
        rules:
          - id: t.final_say
            reason: {zh: 甲, en: A}
            when: {answers: {final_say: no}}
            then: {role: decision_maker, cf: -0.5}
        """, "extra.yaml")
    assert errors(pack(CORE, "core.yaml"), extra) == [
        "/packs/extra.yaml:4: rules[t.final_say].id: rule id 't.final_say' is already used in "
        f"/packs/core.yaml:{CORE_RULES_LINE + 1}"
    ]


def test_rule_on_a_fact_nobody_derives_can_never_fire():
    line = single("""\
      - id: t.fact
        reason: {zh: 甲, en: A}
        when: {facts: {function: procurement}}
        then: {role: decision_maker, cf: 0.5}
    """)
    assert line.startswith(f"/packs/core.yaml:{CORE_RULES_LINE + 7}: rules[t.fact].when.facts.function: "
                           "fact 'function' is never derived")
    assert "can never fire" in line


def test_fact_value_never_declared():
    line = single("""\
      - id: t.fact
        reason: {zh: 甲, en: A}
        when: {facts: {seniority: boss}}
        then: {role: decision_maker, cf: 0.5}
    """)
    assert "'boss' is not a declared value of fact 'seniority'; declared: executive" in line


def test_fact_derived_by_a_rule_counts_as_declared():
    kb = build_knowledge([with_rules("""\
      - id: t.derive
        reason: {zh: 甲, en: A}
        when: {title: [buyer]}
        then: {fact: {function: procurement}}
      - id: t.use
        reason: {zh: 乙, en: B}
        when: {facts: {function: procurement}}
        then: {role: decision_maker, cf: 0.1}
    """)])
    assert kb.facts["function"] == frozenset({"procurement"})


@pytest.mark.parametrize("cf", ["1.5", "-1.01", "'high'", "true"])
def test_role_cf_out_of_range(cf):
    line = single(f"""\
      - id: t.cf
        reason: {{zh: 甲, en: A}}
        when: {{answers: {{final_say: yes}}}}
        then: {{role: decision_maker, cf: {cf}}}
    """)
    assert line == (f"/packs/core.yaml:{CORE_RULES_LINE + 8}: rules[t.cf].then.cf: "
                    "certainty factor must be a number from -1.0 to 1.0")


def test_fact_cf_cannot_be_negative():
    line = single("""\
      - id: t.cf
        reason: {zh: 甲, en: A}
        when: {title: [ceo]}
        then: {fact: {seniority: executive}, cf: -0.5}
    """)
    assert "rules[t.cf].then.cf: certainty factor must be a number from 0.0 to 1.0" in line


def test_role_conclusion_needs_a_cf():
    line = single("""\
      - id: t.cf
        reason: {zh: 甲, en: A}
        when: {answers: {final_say: yes}}
        then: {role: decision_maker}
    """)
    assert "rules[t.cf].then.cf: required field is missing" in line


@pytest.mark.parametrize(
    "reason",
    ["{en: only English}", "{zh: 只有中文}", "{zh: '', en: empty}", "just text", "{zh: a, en: b, fr: c}"],
)
def test_reason_must_be_bilingual(reason):
    line = single(f"""\
      - id: t.reason
        reason: {reason}
        when: {{answers: {{final_say: yes}}}}
        then: {{role: decision_maker, cf: 0.5}}
    """)
    assert line == (f"/packs/core.yaml:{CORE_RULES_LINE + 6}: rules[t.reason].reason: "
                    "expected a text in both languages, e.g. {zh: ..., en: ...}")


def test_role_label_and_question_text_must_be_bilingual():
    text = CORE.replace("label: {zh: 决策者, en: Decision maker}", "label: {en: Decision maker}")
    text = text.replace("text: {zh: 有最终决定权吗?, en: Final say?}", "text: Final say?")
    found = errors(pack(text, "core.yaml"))
    assert found == [
        "/packs/core.yaml:6: roles.decision_maker.label: expected a text in both languages, "
        "e.g. {zh: ..., en: ...}",
        "/packs/core.yaml:10: questions.final_say.text: expected a text in both languages, "
        "e.g. {zh: ..., en: ...}",
    ]


@pytest.mark.parametrize(
    "thresholds",
    [
        "{confirmed: 0.4, probable: 0.5, possible: 0.2, ruled_out: -0.3}",
        "{confirmed: 0.8, probable: 0.5, possible: 0.6, ruled_out: -0.3}",
        "{confirmed: 0.8, probable: 0.5, possible: 0.2, ruled_out: 0.1}",
        "{confirmed: 0.8, probable: 0.5, possible: 0.0, ruled_out: -0.3}",
    ],
)
def test_thresholds_out_of_order(thresholds):
    text = CORE.replace("{confirmed: 0.8, probable: 0.5, possible: 0.2, ruled_out: -0.3}", thresholds)
    assert errors(pack(text, "core.yaml")) == [
        "/packs/core.yaml:3: thresholds: thresholds must satisfy "
        "confirmed > probable > possible > 0 > ruled_out"
    ]


def test_threshold_out_of_range_and_unknown_status():
    text = CORE.replace("ruled_out: -0.3}", "ruled_out: -1.5, maybe: 0.1}")
    found = errors(pack(text, "core.yaml"))
    assert any("thresholds.maybe: unknown field" in p for p in found)
    assert any("thresholds.ruled_out: certainty factor must be a number from -1.0 to 1.0" in p
               for p in found)


def test_rule_needs_a_condition_and_a_conclusion():
    found = errors(with_rules("""\
      - id: t.empty
        reason: {zh: 甲, en: A}
        when: {}
    """))
    assert any("rules[t.empty].when: a rule needs at least one condition" in p for p in found)
    assert any("rules[t.empty].then: required field is missing" in p for p in found)


def test_bad_rule_id():
    line = single("""\
      - id: Bad Id
        reason: {zh: 甲, en: A}
        when: {answers: {final_say: yes}}
        then: {role: decision_maker, cf: 0.5}
    """)
    assert "'Bad Id' is not a valid id" in line


def test_several_problems_collected_at_once_across_packs():
    broken_core = with_rules("""\
      - id: t.many
        reason: {en: only English}
        when:
          answers: {final_sya: yes}
          title: {regex: '[a-'}
        then: {role: decison_maker, cf: 2}
    """)
    extra = pack("""\
        pack: extra
        title: {zh: 附加, en: Extra}
        roles:
          decision_maker:
            label: {zh: 决策者, en: Decision maker}
            definition: {zh: 拍板, en: Decides}
        """, "extra.yaml")
    found = errors(broken_core, extra)
    joined = "\n".join(found)
    assert len(found) == 6, found
    for fragment in ("rules[t.many].reason: expected a text in both languages",
                     "rules[t.many].when.title.regex: bad regular expression",
                     "rules[t.many].then.cf: certainty factor",
                     "rules[t.many].then.role: unknown role 'decison_maker'",
                     "rules[t.many].when.answers.final_sya: unknown question id",
                     "/packs/extra.yaml:4: roles.decision_maker: role 'decision_maker' is "
                     "already defined in core"):
        assert fragment in joined
    assert all(line.startswith(("/packs/core.yaml:", "/packs/extra.yaml:")) for line in found)


def test_a_pack_named_core_is_required():
    found = errors(pack(CORE.replace("pack: core", "pack: base"), "base.yaml"))
    assert found == ["/packs/base.yaml: the core pack is missing"]


def test_pack_must_be_a_mapping():
    found = errors(pack(CORE, "core.yaml"), pack("- just\n- a list\n", "list.yaml"))
    assert found == ["/packs/list.yaml:1: expected mapping, got list"]


# --------------------------------------------------------------------------- safe loading


def test_python_tags_fail_cleanly_and_run_nothing(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "rules"
    evil.mkdir()
    (evil / "evil.yaml").write_text(
        "pack: evil\n"
        "title: !!python/object/apply:os.system ['touch " + str(marker) + "']\n",
        encoding="utf-8",
    )
    with pytest.raises(Exception) as info:
        load_knowledge(rules=[evil])
    assert info.type.__name__ in ("InputError", "PackError")
    message = info.value.render()
    assert message.startswith(f"{evil / 'evil.yaml'}:2: not valid YAML")
    assert "python/object/apply" in message
    assert not marker.exists()


def test_python_object_tag_in_pack_text():
    with pytest.raises(Exception) as info:
        parse_yaml("rules: !!python/object:os.system {}\n", "x.yaml")
    assert "could not determine a constructor" in info.value.render()


# --------------------------------------------------------------------------- --rules DIR


USER_PACK = """\
pack: acme
title: {zh: 我们自己的规则, en: Our own rules}
rules:
  - id: acme.cto_decides
    reason: {zh: 在这家公司首席技术官说了算, en: At this company the CTO decides}
    when:
      title: [cto, 首席技术官]
    then: {role: decision_maker, cf: 0.9}
"""
ACCOUNT = """\
account: {name: Acme}
contacts:
  - {id: cto, name: Wang, title: CTO}
"""


def test_user_pack_loads_on_top_of_core_and_changes_a_result(tmp_path):
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "acme.yaml").write_text(USER_PACK, encoding="utf-8")
    plain = identify(parse_account_text(ACCOUNT))
    custom_kb = load_knowledge(rules=[rules_dir])
    assert custom_kb.packs[0].name == "core"
    assert custom_kb.packs[-1].name == "acme"
    assert custom_kb.packs[-1].counts == {"roles": 0, "questions": 0, "rules": 1}
    custom = identify(parse_account_text(ACCOUNT, rules=[rules_dir]))
    assert plain.contact("cto").primary_role != "decision_maker"
    assert custom.contact("cto").primary_role == "decision_maker"
    assert "acme.cto_decides" in [e.rule for e in custom.contact("cto").belief("decision_maker").evidence]


def test_user_pack_through_the_cli(runner, tmp_path):
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "acme.yaml").write_text(USER_PACK, encoding="utf-8")
    account = tmp_path / "acme.yaml"
    account.write_text(ACCOUNT, encoding="utf-8")
    import json

    result = runner.invoke(cli, ["identify", str(account), "--rules", str(rules_dir),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "acme" in data["packs"]
    assert data["contacts"][0]["primary_role"] == "decision_maker"


def test_broken_user_pack_is_reported_with_file_and_line(tmp_path):
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "bad.yaml").write_text(USER_PACK.replace("decision_maker", "decider"),
                                        encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_knowledge(rules=[rules_dir])
    (line,) = info.value.render().splitlines()
    assert line.startswith(f"{rules_dir / 'bad.yaml'}:8: rules[acme.cto_decides].then.role: "
                           "unknown role 'decider'")


def test_rules_dir_without_packs(tmp_path):
    with pytest.raises(PackError, match="no rule pack"):
        load_knowledge(rules=[tmp_path])
    with pytest.raises(PackError, match="file not found"):
        load_knowledge(rules=[tmp_path / "missing"])
