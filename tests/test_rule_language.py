"""The rule language for titles, the account's setting and the account as a whole.

Title parts (``part: post|grade``), ``account:`` conditions (offering type, buying process,
scope), ``offerings:`` patterns and ``account_rules:``: what they match, and how a mistake in
them is reported (file, line, field).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rolefinder.account import parse_account_text
from rolefinder.errors import PackError
from rolefinder.identification import identify
from rolefinder.knowledge import build_knowledge, load_knowledge
from rolefinder.yamlsource import parse_yaml

HEADER = """\
pack: extra
title: {zh: 测试, en: Test}
"""


def _pack_dir(tmp_path: Path, body: str) -> Path:
    (tmp_path / "extra.yaml").write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def _errors(body: str) -> list[str]:
    core = load_knowledge().packs[0].path
    raw = [(Path(core), parse_yaml(Path(core).read_text(encoding="utf-8"), core)),
           (Path("/packs/extra.yaml"), parse_yaml(HEADER + textwrap.dedent(body), "/packs/extra.yaml"))]
    with pytest.raises(PackError) as info:
        build_knowledge(raw)
    return info.value.render("en").splitlines()


def _run(tmp_path: Path, pack: str, account: str):
    rules = _pack_dir(tmp_path, pack)
    text = textwrap.dedent(account)
    knowledge = load_knowledge(rules=[rules])
    return identify(parse_account_text(text, "a.yaml", knowledge=knowledge))


@pytest.mark.parametrize(("title", "posts", "grades"), [
    ("放射科主任、主任医师", ("放射科主任",), ("主任医师",)),
    ("副总经理兼总工程师", ("副总经理", "总工程师"), ()),
    ("President & CEO", ("president", "ceo"), ()),
    ("Director of Marketing & Communications", ("director of marketing & communications",), ()),
    ("Senior Fraud Analyst", ("fraud analyst",), ("senior",)),
    ("Principal, Cedar Valley High School", ("principal", "cedar valley high school"), ()),
    ("肿瘤内科副主任医师", (), ("肿瘤内科副主任医师",)),
    ("院长（药事管理与药物治疗学委员会主任委员）", ("院长", "药事管理与药物治疗学委员会主任委员"), ()),
])
def test_titles_split_into_posts_and_grades(title: str, posts: tuple, grades: tuple) -> None:
    assert load_knowledge().titles.split(title.lower()) == (posts, grades)


TITLE_PACK = """
facts:
  level: [head, graded]
rules:
  - id: extra.head
    reason: {zh: 科主任是部门负责人, en: A department chair heads a department}
    when: {title: {part: post, keywords: [主任], unless: [副]}}
    then: {fact: {level: head}}
  - id: extra.graded
    reason: {zh: 有职称, en: Holds a professional grade}
    when: {title: {part: grade, keywords: [主任医师]}}
    then: {fact: {level: graded}}
"""


def test_a_rule_matches_a_post_or_a_grade(tmp_path: Path) -> None:
    result = identify_titles(tmp_path, ["放射科主任、主任医师", "主任医师", "放射科副主任、主任医师"])
    assert result == [{"head", "graded"}, {"graded"}, {"graded"}]


def identify_titles(tmp_path: Path, titles: list[str]) -> list[set[str]]:
    contacts = "".join(f"  - {{id: c{i}, name: N{i}, title: {t}}}\n" for i, t in enumerate(titles))
    result = _run(tmp_path, TITLE_PACK, "account: {name: A}\ncontacts:\n" + contacts)
    return [{d.value for d in c.derived if d.name == "level"} for c in result.contacts]


SETTING_PACK = """
offerings:
  - {type: consumable, keywords: [一次性, disposable]}
  - {type: equipment, scope: imaging, keywords: [ct, 磁共振]}
  - {type: software, keywords: [平台, platform]}
rules:
  - id: extra.tender
    reason: {zh: 招标采购大型设备由院长办公会决定, en: A tender for capital equipment goes to the leadership}
    when:
      title: [院长]
      account: {offering_type: equipment, buying_process: tender}
    then: {role: decision_maker, cf: 0.6}
  - id: extra.imaging
    reason: {zh: 影像设备由放射科评估, en: Radiology evaluates imaging equipment}
    when:
      title: [放射科]
      account: {scope: imaging}
    then: {role: recommender, cf: 0.6}
"""


@pytest.mark.parametrize(("header", "held"), [
    ("{name: A, offering: 64排CT, buying_process: tender}", True),  # type inferred from the text
    ("{name: A, offering: 64排CT}", False),  # not bought by tender
    ("{name: A, offering: 一次性内镜, buying_process: tender}", False),  # consumable comes first
    ("{name: A, offering: 数据平台, offering_type: equipment, buying_process: tender}", True),  # explicit wins
])
def test_rules_select_on_what_is_sold_and_how(tmp_path: Path, header: str, held: bool) -> None:
    account = (f"account: {header}\ncontacts:\n  - {{id: p, name: P, title: 院长}}\n"
               "  - {id: r, name: R, title: 放射科主任}\n")
    result = _run(tmp_path, SETTING_PACK, account)
    assert ("decision_maker" in result.contact("p").held) is held
    assert ("recommender" in result.contact("r").held) is ("CT" in header)


def test_the_setting_is_inferred_once_per_account(tmp_path: Path) -> None:
    result = _run(tmp_path, SETTING_PACK, "account: {name: A, offering: 磁共振}\ncontacts: []\n")
    assert result.setting.offering_type == "equipment" and result.setting.inferred
    assert result.setting.scope == {"imaging"} and result.setting.buying_process == "unknown"


ACCOUNT_PACK = """
account_rules:
  - id: extra.ask_the_top
    reason: {zh: 没有人被认定为决策者:问问最高层是否拍板, en: Nobody holds the decision; ask the top}
    when: {role: decision_maker, at_most: 0}
    candidates: {facts: {seniority: [executive, chief, deputy]}, strongest: true}
    then: {raise_to: probable}
  - id: extra.two_deciders
    reason: {zh: 两人都确认拥有最终决定权:弄清楚谁拍板, en: Two confirmed decision makers; find out how they decide}
    when: {role: decision_maker, status: confirmed, at_least: 2}
    then: {finding: red_flag}
"""


def test_nobody_decides_so_the_strongest_candidate_is_raised(tmp_path: Path) -> None:
    result = _run(tmp_path, ACCOUNT_PACK, """
        account: {name: A}
        contacts:
          - {id: gm, name: G, title: 总经理}
          - {id: vp, name: V, title: 副总经理, reports_to: gm}
          - {id: clerk, name: C, title: 职员, reports_to: gm}
    """)
    beliefs = {c.contact.id: c.belief("decision_maker") for c in result.contacts}
    raised = [cid for cid, b in beliefs.items() if b and any(e.rule == "extra.ask_the_top" for e in b.evidence)]
    assert raised == ["gm"]
    assert beliefs["gm"].status == "probable" and beliefs["gm"].cf == pytest.approx(0.5, abs=1e-6)
    assert "decision_maker" not in result.contact("clerk").held


def test_two_confirmed_decision_makers_are_a_finding(tmp_path: Path) -> None:
    result = _run(tmp_path, ACCOUNT_PACK, """
        account: {name: A}
        contacts:
          - {id: a, name: A, title: 董事长, answers: {final_say: yes}}
          - {id: b, name: B, title: 总经理, answers: {final_say: yes}}
    """)
    found = [g for g in result.gaps if g.code == "extra.two_deciders"]
    assert found and set(found[0].contacts) == {"a", "b"} and found[0].severity == "red_flag"
    assert not any(e.rule == "extra.ask_the_top" for c in result.contacts
                   for b in c.beliefs.values() for e in b.evidence)


LOWER_PACK = """
rules:
  - id: extra.both_buy
    reason: {zh: 两人都像采购者, en: Both look like buyers}
    when: {title: [采购甲, 采购乙]}
    then: {role: buyer, cf: 0.7}
account_rules:
  - id: extra.competing
    reason: {zh: 不止一人像采购者:都降为可能, en: More than one looks like the buyer; lower them}
    when: {role: buyer, at_least: 2}
    then: {lower_to: possible}
"""


def test_competing_chart_guesses_are_lowered_to_possible(tmp_path: Path) -> None:
    result = _run(tmp_path, LOWER_PACK, """
        account: {name: A}
        contacts:
          - {id: a, name: A, title: 采购甲}
          - {id: b, name: B, title: 采购乙, reports_to: a}
    """)
    for cid in ("a", "b"):
        belief = result.contact(cid).belief("buyer")
        assert belief.status == "possible" and belief.cf == pytest.approx(0.49, abs=1e-6)
        assert [e.rule for e in belief.evidence if e.certainty < 0] == ["extra.competing"]
    alone = _run(tmp_path, LOWER_PACK, "account: {name: A}\ncontacts:\n  - {id: a, name: A, title: 采购甲}\n")
    assert "buyer" in alone.contact("a").held
    assert not any(e.rule == "extra.competing" for e in alone.contact("a").belief("buyer").evidence)


def test_lowering_never_overrides_an_answer(tmp_path: Path) -> None:
    result = _run(tmp_path, LOWER_PACK, """
        account: {name: A}
        contacts:
          - {id: a, name: A, title: 采购甲, answers: {runs_procurement: yes}}
          - {id: b, name: B, title: 采购乙, reports_to: a}
    """)
    assert result.contact("a").belief("buyer").status == "confirmed"
    assert result.contact("b").belief("buyer").status == "possible"


@pytest.mark.parametrize(("body", "expected"), [
    ("rules:\n  - id: extra.x\n    reason: {zh: 甲, en: A}\n    when: {title: {part: head, keywords: [x]}}\n"
     "    then: {role: user, cf: 0.5}\n", "extra.yaml:6: rules[extra.x].when.title.part: 'head' is not allowed"),
    ("rules:\n  - id: extra.x\n    reason: {zh: 甲, en: A}\n    when: {account: {offering_type: gadget}}\n"
     "    then: {role: user, cf: 0.5}\n", "extra.yaml:6: rules[extra.x].when.account.offering_type: 'gadget'"),
    ("rules:\n  - id: extra.x\n    reason: {zh: 甲, en: A}\n    when: {account: {scope: nowhere}}\n"
     "    then: {role: user, cf: 0.5}\n", "rules[extra.x].when.account.scope: 'nowhere' is not a declared"),
    ("offerings:\n  - {type: gadget, keywords: [x]}\n", "extra.yaml:4: offerings[0].type: 'gadget'"),
    ("offerings:\n  - {type: drug, regex: '(a+)+'}\n", "extra.yaml:4: offerings[0].regex: bad regular"),
    ("titles:\n  separators: '['\n", "extra.yaml:4: titles.separators: bad regular expression"),
    ("account_rules:\n  - id: extra.a\n    reason: {zh: 甲, en: A}\n    when: {role: boss}\n"
     "    then: {finding: red_flag}\n", "extra.yaml:6: account_rules[extra.a].when.role: unknown role 'boss'"),
    ("account_rules:\n  - id: extra.a\n    reason: {zh: 甲, en: A}\n    when: {role: user, at_least: -1}\n"
     "    then: {finding: maybe}\n", "account_rules[extra.a].then.finding: 'maybe' is not allowed"),
    ("rules: {id: extra.x}\n", "extra.yaml:3: rules: expected list"),
    ("account_rules:\n  - id: extra.a\n    reason: {zh: 甲, en: A}\n    when: {role: user, at_least: 2}\n"
     "    then: {lower_to: probable}\n", "account_rules[extra.a].then.lower_to: 'probable' is not allowed"),
    ("account_rules:\n  - id: extra.a\n    reason: {zh: 甲, en: A}\n    when: {role: user, at_least: 2}\n"
     "    then: {raise_to: possible, lower_to: possible}\n",
     "extra.yaml:7: account_rules[extra.a].then.lower_to: give only one of: raise_to, lower_to"),
    ("account_rules:\n  - just text\n", "extra.yaml:4: account_rules[0]: expected mapping"),
    ("offerings: [[drug]]\n", "extra.yaml:3: offerings[0]: expected mapping"),
])
def test_mistakes_name_file_line_and_field(body: str, expected: str) -> None:
    found = "\n".join(_errors(body))
    assert expected in found, found


def test_account_rule_evidence_is_explained(tmp_path: Path) -> None:
    from rolefinder.report import render_explanation

    result = _run(tmp_path, ACCOUNT_PACK, """
        account: {name: A}
        contacts:
          - {id: gm, name: G, title: 总经理}
    """)
    text = render_explanation(result, "gm", "en")
    assert "extra.ask_the_top:" in text
    assert "at most 0 contact(s) hold Decision maker" in " ".join(text.split())


@pytest.mark.parametrize(("industry", "offering", "kind"), [
    ("hospital", "64排螺旋CT", "equipment"),
    ("hospital", "New IV antibiotic for multidrug-resistant Gram-negative infections", "drug"),
    ("energy", "输电线路无人机自主巡检服务", "service"),
    ("telecom", "基站机房节能改造（合同能源管理）", "service"),
    ("manufacturing", "Manufacturing execution system (MES) for three machining plants", "software"),
    ("energy", "NB-IoT 物联网燃气表及远传抄表平台（三十万户）", "equipment"),
    ("telecom", "光纤活动连接器及光分路器", "consumable"),
])
def test_what_is_sold_is_read_from_the_offering_text(industry: str, offering: str, kind: str) -> None:
    """The head of a Chinese offering names what is bought; 'ct' counts only as a word of its own
    ('infections', 'contract'); a named kind of system is software whatever plants it runs."""
    account = parse_account_text(f"account: {{name: A, industry: {industry}, offering: '{offering}'}}\n"
                                 "contacts: []\n", "a.yaml")
    setting = load_knowledge(industry).setting(account)
    assert (setting.offering_type, setting.inferred) == (kind, True)
    assert "imaging" not in setting.scope or "CT" in offering


def test_a_plain_account_keeps_only_the_basic_fields() -> None:
    from rolefinder.evaluation import plain

    account = parse_account_text("account: {name: A, industry: hospital, offering: CT, offering_type: drug, "
                                 "buying_process: tender}\ncontacts: []\n", "a.yaml")
    assert plain(account).fields == {} and account.fields["offering_type"] == "drug"
    assert (plain(account).industry, plain(account).offering) == ("hospital", "CT")
