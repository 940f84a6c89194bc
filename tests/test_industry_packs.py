"""The industry packs (healthcare, manufacturing) and core's org-chart knowledge, one feature at a time.

Each test builds a small org chart in memory, with no answers unless it says so, and checks the
first guess the packs give; answers must still win over the org chart.
"""

from __future__ import annotations

import textwrap

import pytest

from rolefinder.account import parse_account_text
from rolefinder.identification import ContactResult, identify
from rolefinder.knowledge import load_knowledge


def _identify(industry: str, contacts: str) -> dict[str, ContactResult]:
    text = f"account:\n  name: Test\n  industry: {industry}\ncontacts:\n" + textwrap.indent(
        textwrap.dedent(contacts).strip("\n"), "  ")
    account = parse_account_text(text + "\n", "test.yaml")
    return {r.contact.id: r for r in identify(account).contacts}


def _facts(result: ContactResult) -> set[tuple[str, str]]:
    return {(d.name, d.value) for d in result.derived}


@pytest.mark.parametrize("industry", ["healthcare", "hospital", "医疗", "医院"])
def test_the_healthcare_pack_is_chosen_by_industry(industry: str) -> None:
    names = [p.name for p in load_knowledge(industry).packs]
    assert names[0] == "core" and "healthcare" in names and "manufacturing" not in names


@pytest.mark.parametrize("industry", ["manufacturing", "制造", "industrial"])
def test_the_manufacturing_pack_is_chosen_by_industry(industry: str) -> None:
    names = [p.name for p in load_knowledge(industry).packs]
    assert "manufacturing" in names and "healthcare" not in names


def test_other_industries_get_neither_industry_pack() -> None:
    names = [p.name for p in load_knowledge("finance").packs]
    assert names[0] == "core" and not {"healthcare", "manufacturing"} & set(names)


def test_every_shipped_pack_validates_and_prefixes_its_rule_ids() -> None:
    knowledge = load_knowledge(all_industries=True)
    for spec in knowledge.rules:
        assert spec.id.startswith(spec.pack + "."), spec.id
        assert spec.reason["zh"] and spec.reason["en"]


HOSPITAL = """
- {id: president, name: 院长甲, title: 院长, department: 院领导}
- {id: vp, name: 副院长乙, title: 分管副院长, department: 院领导, reports_to: president}
- {id: equip_chief, name: 科长丙, title: 设备科科长, department: 设备科, reports_to: vp}
- {id: equip_eng, name: 工程师丁, title: 设备科工程师, department: 设备科, reports_to: equip_chief}
- {id: icu_dir, name: 主任戊, title: 重症医学科主任, department: 重症医学科, reports_to: vp}
- {id: icu_doc, name: 医师己, title: 副主任医师, department: 重症医学科, reports_to: icu_dir}
- {id: head_nurse, name: 护士长庚, title: 重症医学科护士长, department: 重症医学科, reports_to: icu_dir}
- {id: pharmacist, name: 药师辛, title: 临床药师, department: 药剂科, reports_to: vp}
- {id: insurance, name: 主任壬, title: 医保办主任, department: 医保办, reports_to: vp}
- {id: discipline, name: 主任癸, title: 纪检监察室主任, department: 纪检监察室, reports_to: president}
- {id: office, name: 主任子, title: 院办主任, department: 院长办公室, reports_to: president}
- {id: pt_chair, name: 主任丑, title: 副院长, department: 药事管理与药物治疗学委员会主任委员, reports_to: president}
- {id: pt_secretary, name: 主任寅, title: 药剂科主任, department: 药剂科(药事会副主任委员兼秘书), reports_to: vp}
"""


@pytest.fixture(scope="module")
def hospital() -> dict[str, ContactResult]:
    return _identify("healthcare", HOSPITAL)


def test_equipment_section_head_evaluates_and_may_buy(hospital: dict[str, ContactResult]) -> None:
    """Without knowing what is sold, the equipment head is a likely evaluator and a possible buyer."""
    chief = hospital["equip_chief"]
    assert ("function", "medical_equipment") in _facts(chief)
    assert "influencer" in chief.held
    assert chief.belief("buyer").status == "possible"  # to be asked, not assumed
    assert "decision_maker" not in chief.held


@pytest.mark.parametrize(("offering", "process", "decides", "held"), [
    # equipment below the tender limit: the department often awards it, but a larger sum goes to
    # the leadership, which the chart does not show: the strongest candidate, asked, not assumed
    ("便携式彩色超声诊断仪", "", "equip_chief", False),
    ("64排螺旋CT", "buying_process: tender", "president", True),  # a public tender goes to the leadership
    ("新型口服降糖药", "", "pt_chair", True),                     # a drug listing is the committee's vote
])
def test_who_decides_depends_on_what_is_sold_and_how(offering: str, process: str, decides: str,
                                                     held: bool) -> None:
    header = f"account:\n  name: Test\n  industry: healthcare\n  offering: {offering}\n"
    if process:
        header += f"  {process}\n"
    text = header + "contacts:\n" + textwrap.indent(textwrap.dedent(HOSPITAL).strip("\n"), "  ") + "\n"
    result = identify(parse_account_text(text, "test.yaml"))
    deciders = [c.contact.id for c in result.contacts if "decision_maker" in c.held]
    assert deciders == ([decides] if held else [])
    chosen = next(c for c in result.contacts if c.contact.id == decides)
    assert chosen.belief("decision_maker").status in ("possible", "probable")  # asked at least


def test_biomedical_engineers_evaluate_rather_than_buy(hospital: dict[str, ContactResult]) -> None:
    engineer = hospital["equip_eng"]
    assert engineer.primary_role == "influencer"
    assert "buyer" not in engineer.held


@pytest.mark.parametrize("contact", ["head_nurse", "icu_doc"])
def test_nurses_and_physicians_are_users(hospital: dict[str, ContactResult], contact: str) -> None:
    assert hospital[contact].primary_role == "user"


def test_a_chief_physician_rank_is_not_a_deputy_post(hospital: dict[str, ContactResult]) -> None:
    """副主任医师 is a professional rank (associate chief physician), not a deputy director."""
    assert ("seniority", "deputy") not in _facts(hospital["icu_doc"])
    assert "influencer" not in hospital["icu_doc"].held


def test_clinical_department_chair_influences_and_uses(hospital: dict[str, ContactResult]) -> None:
    chair = hospital["icu_dir"]
    assert chair.primary_role == "influencer"
    assert chair.belief("user").cf > 0


@pytest.mark.parametrize(("contact", "role"), [
    ("pharmacist", "influencer"),
    ("insurance", "auditor"),
    ("discipline", "auditor"),
    ("office", "gatekeeper"),
    ("pt_chair", "decision_maker"),
])
def test_hospital_functions(hospital: dict[str, ContactResult], contact: str, role: str) -> None:
    assert hospital[contact].primary_role == role


def test_the_committee_secretary_controls_the_agenda(hospital: dict[str, ContactResult]) -> None:
    assert "gatekeeper" in hospital["pt_secretary"].held
    assert "decision_maker" not in hospital["pt_secretary"].held


def test_the_hospital_president_is_only_a_possible_decision_maker(
        hospital: dict[str, ContactResult]) -> None:
    assert hospital["president"].belief("decision_maker").status == "possible"


def test_english_hospital_titles() -> None:
    found = _identify("hospital", """
        - {id: cno, name: A, title: Chief Nursing Officer, department: Nursing}
        - {id: rn, name: B, title: "Staff Nurse, ICU", department: Critical Care, reports_to: cno}
        - {id: biomed, name: C, title: Biomedical Engineer, department: Clinical Engineering, reports_to: cno}
        - {id: pharm, name: D, title: Clinical Pharmacist, department: Pharmacy, reports_to: cno}
        - {id: ic, name: E, title: Infection Preventionist, department: Infection Control, reports_to: cno}
    """)
    assert found["rn"].primary_role == "user"
    assert found["biomed"].primary_role == "influencer"
    assert "buyer" not in found["biomed"].held  # US biomed teams evaluate; materials management buys
    assert found["pharm"].primary_role == "influencer"
    assert found["ic"].primary_role == "influencer"


def test_answers_override_the_hospital_org_chart() -> None:
    found = _identify("healthcare", """
        - id: equip_chief
          name: 科长
          title: 设备科科长
          department: 设备科
          answers: {runs_procurement: no, final_say: no}
        - id: nurse
          name: 护士长
          title: 护士长
          department: 心内科
          reports_to: equip_chief
          answers: {uses_daily: no}
    """)
    assert "buyer" not in found["equip_chief"].held
    assert "decision_maker" not in found["equip_chief"].held
    assert found["nurse"].belief("user").status == "ruled_out"


PLANT = """
- {id: gm, name: 总经理甲, title: 总经理, department: 总经理办公室, answers: {final_say: yes}}
- {id: dgm, name: 副总乙, title: 副总经理, department: 生产系统, reports_to: gm}
- {id: shop, name: 主任丙, title: 冲压车间主任, department: 冲压车间, reports_to: dgm}
- {id: lead, name: 组长丁, title: 冲压一班班组长, department: 冲压车间, reports_to: shop}
- {id: worker, name: 工人戊, title: 操作工, department: 冲压车间, reports_to: lead}
- {id: maint, name: 工程师己, title: 设备维修工程师, department: 设备部, reports_to: dgm}
- {id: process, name: 工程师庚, title: 工艺工程师, department: 工艺部, reports_to: dgm}
- {id: ehs, name: 经理辛, title: 安全环保部经理, department: 安全环保部, reports_to: gm}
- {id: buyer, name: 经理壬, title: 采购部经理, department: 采购部, reports_to: gm}
"""


@pytest.fixture(scope="module")
def plant() -> dict[str, ContactResult]:
    return _identify("manufacturing", PLANT)


@pytest.mark.parametrize("contact", ["shop", "lead", "worker"])
def test_the_shop_floor_uses_the_system(plant: dict[str, ContactResult], contact: str) -> None:
    assert plant[contact].primary_role == "user"
    assert "decision_maker" not in plant[contact].held


def test_a_deputy_under_a_confirmed_decision_maker_does_not_decide(
        plant: dict[str, ContactResult]) -> None:
    assert plant["gm"].belief("decision_maker").status == "confirmed"
    dgm = plant["dgm"]
    assert "decision_maker" not in dgm.held
    assert "core.chart.chief_under_decider" in {e.rule for e in dgm.belief("decision_maker").evidence}
    assert dgm.belief("influencer").cf > max(dgm.belief("decision_maker").cf, 0.2)


@pytest.mark.parametrize(("contact", "role"), [
    ("maint", "influencer"), ("process", "influencer"), ("ehs", "auditor"), ("buyer", "buyer"),
])
def test_plant_functions(plant: dict[str, ContactResult], contact: str, role: str) -> None:
    assert plant[contact].primary_role == role


def test_maintenance_engineers_also_use_maintenance_systems(plant: dict[str, ContactResult]) -> None:
    assert "user" in plant["maint"].held


def test_a_plant_manager_at_the_top_decides_but_not_under_a_head_office() -> None:
    found = _identify("industrial", """
        - {id: top, name: A, title: Plant Manager, department: Plant}
        - {id: hq, name: B, title: Chief Executive Officer, department: Executive Office}
        - {id: sub, name: C, title: Plant Manager, department: Columbus Plant, reports_to: hq}
        - {id: sup, name: D, title: Line Supervisor, department: Line 3, reports_to: sub}
        - {id: op, name: E, title: Machine Operator, department: Line 3, reports_to: sup}
    """)
    assert "decision_maker" in found["top"].held
    assert "decision_maker" not in found["sub"].held
    assert found["sup"].primary_role == "user"
    assert found["op"].primary_role == "user"


@pytest.mark.parametrize(("title", "not_fact"), [
    ("Director of Supply Chain", ("seniority", "chief")),     # "direc-to-r" is not a CTO
    ("Director of Supply Chain", ("function", "engineering")),
    ("Project Coordinator", ("function", "operations")),       # "coo-rdinator" is not a COO
])
def test_acronyms_match_whole_words_only(title: str, not_fact: tuple[str, str]) -> None:
    found = _identify("retail", f"- {{id: x, name: X, title: {title}, department: Supply Chain}}")
    assert not_fact not in _facts(found["x"])


def test_internal_audit_is_not_it() -> None:
    found = _identify("finance", "- {id: x, name: X, title: Internal Audit Manager, department: Internal Audit}")
    assert ("function", "it") not in _facts(found["x"])
    assert found["x"].primary_role == "auditor"


def _first_guess(offering_type: str, title: str, department: str) -> ContactResult:
    text = (f"account: {{name: Test, industry: other, offering: X, offering_type: {offering_type}}}\n"
            f"contacts:\n  - {{id: t, name: T, title: '{title}', department: '{department}'}}\n")
    return identify(parse_account_text(text, "test.yaml")).contacts[0]


@pytest.mark.parametrize(("title", "department"), [
    ("Medical Equipment Technician (Band 5)", "Estates & Facilities"),
    ("技术员", "教育技术装备中心"),
    ("设备工程师", "动力部"),
])
def test_who_will_maintain_a_machine_is_asked_whether_they_evaluate_it(title: str, department: str) -> None:
    """At least a possible influencer, so the interview asks; and only for equipment."""
    influencer = _first_guess("equipment", title, department).belief("influencer")
    assert influencer is not None and influencer.status in ("possible", "probable", "confirmed")
    assert any(e.rule.startswith("core.title.equipment") for e in influencer.evidence)
    software = _first_guess("software", title, department).belief("influencer")
    assert software is None or not any(e.rule.startswith("core.title.equipment") for e in software.evidence)


@pytest.mark.parametrize("title", ["总裁办主任", "董办副主任", "Director, Office of the President"])
def test_the_director_of_an_executive_office_screens_and_does_not_decide(title: str) -> None:
    result = _first_guess("software", title, "")
    assert "gatekeeper" in result.held
    decides = result.belief("decision_maker")
    assert decides is None or decides.cf <= 0


@pytest.mark.parametrize(("industry", "pack"), [
    ("K-12 education", "education"), ("三甲医院", "healthcare"), ("Private Hospital Group", "healthcare"),
    ("commercial bank", "finance"), ("automotive parts manufacturing", "manufacturing"),
    ("city government", "government"),
])
def test_an_industry_in_free_text_selects_its_pack(industry: str, pack: str) -> None:
    assert pack in [p.name for p in load_knowledge(industry).packs]


@pytest.mark.parametrize("industry", ["hospitality industry", "state-owned enterprise", "public utility",
                                      "IT services"])
def test_a_general_word_alone_selects_no_industry_pack(industry: str) -> None:
    """'industry', 'state', 'public', 'it' name no industry on their own: core alone applies."""
    names = {p.name for p in load_knowledge(industry).packs}
    assert not names & {"education", "healthcare", "finance", "manufacturing", "government", "software"}
