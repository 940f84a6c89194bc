"""Account plans and visit briefs: golden files, escaping, odd accounts, the CLI, real Chromium.

Golden files pin the exact output for the built-in demo case in both languages and all three
text formats. Regenerate them on purpose only: ``ROLEFINDER_REGEN_GOLDEN=1 pytest tests/test_plan.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from rolefinder.account import parse_account_text
from rolefinder.casebook import case_path, load_case
from rolefinder.cli import cli
from rolefinder.i18n import pick
from rolefinder.identification import identify
from rolefinder.knowledge import load_knowledge
from rolefinder.plans import build_plan, md_escape, render_brief, render_plan, write_plan
from rolefinder.playbooks import playbooks_of

GOLDEN = Path(__file__).parent / "golden"
START = date(2026, 12, 1)  # a Tuesday: calendars in golden files must not depend on today
REGEN = os.environ.get("ROLEFINDER_REGEN_GOLDEN") == "1"


@pytest.fixture(scope="module")
def demo():
    return identify(load_case("mes-manufacturing"))


def account(text: str):
    return identify(parse_account_text(text, "test.yaml"))


# --------------------------------------------------------------------------- golden files

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_golden_plan(demo, fmt: str, lang: str) -> None:
    got = render_plan(demo, fmt, lang, START)
    path = GOLDEN / f"plan-mes-manufacturing.{lang}.{fmt}"
    if REGEN:
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with ROLEFINDER_REGEN_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), f"{path} differs; regenerate on purpose"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_golden_visit(demo, lang: str) -> None:
    got = render_brief(demo, "rd_mgr", "txt", lang, START)
    path = GOLDEN / f"plan-visit-rd_mgr.{lang}.txt"
    if REGEN:
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- content

def test_plan_holds_every_section(demo) -> None:
    plan = build_plan(demo, "en", START)
    assert plan["classification"]["reasons"]
    assert len(plan["tree"]) == len(demo.contacts)
    assert [v["rank"] for v in plan["visits"]] == list(range(1, len(demo.contacts) + 1))
    scores = [v["score"] for v in plan["visits"]]
    assert scores == sorted(scores, reverse=True)
    assert plan["calendar"][0]["date"] == "2026-12-01"
    assert plan["evaluation"]["measures"] and plan["evaluation"]["baseline"]
    top = plan["visits"][0]
    assert top["id"] == "coo"  # the confirmed, high-influence decision maker comes first
    assert {"objective", "messages", "materials", "visitors", "formats", "open_questions"} <= set(top)


def test_calendar_skips_weekends_and_respects_cadence(demo) -> None:
    plan = build_plan(demo, "en", date(2026, 12, 5))  # a Saturday
    days = {date.fromisoformat(e["date"]).weekday() for e in plan["calendar"]}
    assert days <= {0, 1, 2, 3, 4}
    assert plan["calendar"][0]["date"] == "2026-12-07"


def test_calendar_never_books_more_than_a_day_holds() -> None:
    lines = ["account: {name: Busy}", "contacts:"]
    lines += [f"  - {{id: c{i}, name: P{i}, title: Engineer}}" for i in range(40)]
    plan = build_plan(account("\n".join(lines)), "en", date(2026, 12, 5))
    per_day: dict[str, int] = {}
    for event in plan["calendar"]:
        per_day[event["date"]] = per_day.get(event["date"], 0) + 1
    books = playbooks_of(load_knowledge())
    assert max(per_day.values()) <= books.visits_per_day
    horizon = date(2026, 12, 5) + timedelta(days=books.horizon_days)
    follow_ups = [e for e in plan["calendar"] if e["kind"] == "Follow-up"]
    assert follow_ups and all(date.fromisoformat(e["date"]) <= horizon for e in follow_ups)


def test_the_most_important_role_sets_the_visit() -> None:
    text = """
account: {name: Fin}
contacts:
  - id: cfo
    name: C
    title: CFO
    department: Finance
    answers: {final_say: yes, reviews_compliance: yes, approves_budget: yes}
"""
    ident = account(text)
    result = ident.contact("cfo")
    assert set(result.held) >= {"auditor", "decision_maker"}
    visit = build_plan(ident, "en", START)["visits"][0]
    assert visit["objective"] == pick(playbooks_of(ident.knowledge).role("decision_maker").objective, "en")


def test_classification_from_fields_with_reasons() -> None:
    text = """
account: {name: Big Co, revenue: 8000000, potential: high, strategic_fit: high}
contacts: [{id: a, name: A}]
"""
    plan = build_plan(account(text), "zh", START)
    assert plan["classification"]["id"] == "key"
    assert len(plan["classification"]["reasons"]) == 2
    assert "专职大客户经理" in plan["visits"][0]["visitors"]  # KAM for key accounts


def test_potential_account() -> None:
    plan = build_plan(account("account: {name: P, potential: high}\ncontacts: [{id: a, name: A}]"),
                      "en", START)
    assert plan["classification"]["label"] == "Potential account"
    assert plan["classification"]["reasons"] == ["High future potential."]


def test_hospital_clinicians_get_academic_meetings() -> None:
    text = """
account: {name: 第一医院, industry: hospital}
contacts:
  - {id: dr, name: 王医生, title: 心内科主任, department: 心内科,
     answers: {opinion_sought: yes, evaluates_technically: yes}}
"""
    visit = build_plan(account(text), "zh", START)["visits"][0]
    assert "学术交流会" in visit["formats"]  # a clinician (by department): the clinical playbook


def test_no_answers_account() -> None:
    text = """
account: {name: Fresh}
contacts:
  - {id: a, name: Ann, title: CEO}
  - {id: b, name: Bob, title: Buyer, reports_to: a}
"""
    ident = account(text)
    for fmt in ("md", "html", "txt"):
        out = render_plan(ident, fmt, "en", START)
        assert "Ann" in out and "Bob" in out
    visits = build_plan(ident, "en", START)["visits"]
    assert all(v["open_questions"] for v in visits)  # every contact has a question to ask


def test_gaps_account_shows_red_flags_and_unsure_questions() -> None:
    text = """
account: {name: Risky}
contacts:
  - {id: a, name: Ann, influence: high, attitude: opponent, answers: {final_say: yes, approves_budget: unsure}}
  - {id: b, name: Bob, answers: {final_say: yes, uses_daily: unsure}}
"""
    ident = account(text)
    out = render_plan(ident, "txt", "en", START)
    assert "Red flag" in out and "Ann has high influence and opposes us" in out
    bob = next(v for v in build_plan(ident, "en", START)["visits"] if v["id"] == "b")
    assert any("(last answer: unsure)" in q for q in bob["open_questions"])


def test_empty_account() -> None:
    ident = account("account: {name: Empty}\ncontacts: []")
    for fmt in ("md", "html", "txt"):
        assert "Empty" in render_plan(ident, fmt, "zh", START)


def test_200_contacts_all_in_every_format() -> None:
    lines = ["account: {name: Large}", "contacts:"]
    for i in range(200):
        boss = f", reports_to: c{(i - 1) // 5}" if i else ""
        answer = ", answers: {uses_daily: unsure}" if i % 7 == 0 else ""
        lines.append(f"  - {{id: c{i}, name: 人员{i:03d}, title: 工程师{boss}{answer}}}")
    ident = account("\n".join(lines))
    for fmt in ("md", "html", "txt"):
        out = render_plan(ident, fmt, "zh", START)
        assert all(f"人员{i:03d}" in out for i in range(200))
    html = render_plan(ident, "html", "zh", START)
    assert html.count("<ul") == html.count("</ul>")  # the nested org chart closes properly


def test_deep_chain_does_not_recurse() -> None:
    lines = ["account: {name: Chain}", "contacts:", "  - {id: c0, name: N0}"]
    lines += [f"  - {{id: c{i}, name: N{i}, reports_to: c{i - 1}}}" for i in range(1, 300)]
    html = render_plan(account("\n".join(lines)), "html", "en", START)
    assert html.count("<ul") == html.count("</ul>")


# --------------------------------------------------------------------------- escaping

EVIL = """
account: {name: "<script>alert(1)</script> {{ x }}", offering: "**bold** [x](http://e)"}
contacts:
  - id: a
    name: "<script>alert('n')</script>"
    title: "{{ 7*7 }} {% if true %}"
    notes: "| pipe | & <b>"
  - {id: b, name: "``` tick", reports_to: a}
"""


def test_html_escapes_account_values() -> None:
    html = render_plan(account(EVIL), "html", "en", START)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ x }}" in html
    assert "{{ 7*7 }} {% if true %}" in html and "49" not in html


def test_markdown_escapes_account_values() -> None:
    md = render_plan(account(EVIL), "md", "en", START)
    fenced = re.compile(r"^(`{3,})text\n.*?^\1$", re.S | re.M)
    assert len(fenced.findall(md)) == 1  # the org chart is literal text inside its fence
    assert "<script>" not in fenced.sub("", md) and "&lt;script&gt;" in md
    assert "{{ x }}" in md
    assert "\\*\\*bold\\*\\* \\[x\\](http://e)" in md
    assert md_escape("a|b") == "a\\|b"


def test_visit_brief_escapes_in_markdown() -> None:
    md = render_brief(account(EVIL), "a", "md", "en", START)
    assert "<script>" not in md and "{{ 7\\*7 }}" in md  # renders as {{ 7*7 }}


# --------------------------------------------------------------------------- CLI

def test_cli_plan_writes_each_format(tmp_path: Path) -> None:
    runner = CliRunner()
    for suffix in ("md", "html", "txt"):
        out = tmp_path / f"plan.{suffix}"
        result = runner.invoke(cli, ["plan", str(case_path("mes-manufacturing")), "-o", str(out),
                                     "--lang", "en", "--start", "2026-12-01"])
        assert result.exit_code == 0, result.output
        assert "王建国" in out.read_text(encoding="utf-8")


def test_cli_plan_bad_suffix_and_date(tmp_path: Path) -> None:
    runner = CliRunner()
    case = str(case_path("mes-manufacturing"))
    result = runner.invoke(cli, ["plan", case, "-o", str(tmp_path / "p.docx"), "--lang", "en"])
    assert result.exit_code == 2 and "cannot tell the format" in result.output
    result = runner.invoke(cli, ["plan", case, "-o", str(tmp_path / "p.md"), "--start", "soon"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "p.md").exists()


def test_cli_visit_formats() -> None:
    runner = CliRunner()
    case = str(case_path("mes-manufacturing"))
    text = runner.invoke(cli, ["visit", case, "coo", "--lang", "zh"])
    assert text.exit_code == 0 and "王建国" in text.output and "目标" in text.output
    data = json.loads(runner.invoke(cli, ["visit", case, "coo", "--format", "json"]).output)
    assert data["visit"]["id"] == "coo" and data["visit"]["objective"]
    assert isinstance(data["visit"]["priority"], float)
    assert data["visit"]["roles"][0]["id"] == "decision_maker"
    assert 0 < data["visit"]["roles"][0]["certainty"] <= 1
    assert data["visit"]["influence_id"] == "high" and data["visit"]["format_ids"]
    missing = runner.invoke(cli, ["visit", case, "nobody", "--lang", "en"])
    assert missing.exit_code == 2 and "no contact with id 'nobody'" in missing.output


def test_write_plan_pdf_or_clear_message(demo, tmp_path: Path) -> None:
    """PDF via the optional extra; without it, the error says how to install it."""
    from rolefinder.plans import PlanError

    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        with pytest.raises(PlanError, match=r"rolefinder\[pdf\]"):
            write_plan(demo, tmp_path / "p.pdf", lang="zh", start=START)
        return
    path = write_plan(demo, tmp_path / "p.pdf", lang="zh", start=START)
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) checks the PDF text")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert "王建国" in text and "采购决策链地图" in text


# --------------------------------------------------------------------------- real Chromium

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_prints_in_headless_chromium(demo, tmp_path: Path, lang: str) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk); "
                    "the print test needs a real browser")
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the printed PDF")
    html = write_plan(demo, tmp_path / "plan.html", lang=lang, start=START, author="Li Lei")
    pdf = tmp_path / "plan.pdf"
    profile = tempfile.mkdtemp(dir=tmp_path)
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
         html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    reader = pypdf.PdfReader(pdf)
    assert 4 <= len(reader.pages) <= 20, f"unexpected page count {len(reader.pages)}"
    # NFKC: PDF text extraction may give Kangxi radicals (U+2F00...) for common ideographs
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages]
    text = re.sub(r"\s+", "", "".join(pages))
    for result in demo.contacts:
        assert result.contact.name in text, f"{result.contact.name} missing from the printed PDF"
    plan = build_plan(demo, lang, START)
    radicals = str.maketrans("⻔⻆⻓⻅⻩⻜⻋⻚⻛⻢⻝⻘⻨⻤", "门角长见黄飞车页风马食青麦鬼")

    def squeeze(text: str) -> str:  # CJK radicals (U+2Exx) that NFKC leaves alone, mapped back
        return re.sub(r"\s+", "", text).translate(radicals)

    first = squeeze(pages[0])
    for label in ("summary", "next_actions", "legend", "deciders"):  # page 1: the summary
        assert squeeze(plan["L"][label]) in first
    assert "王建国" in first and "Li Lei" in pages[0]
    assert not re.search(r"\b(core|manufacturing|playbooks)\.[a-z_]+\.", "".join(pages))  # no rule ids
    assert any(plan["L"]["certainty"] in p for p in pages)  # the header in one piece
    assert not re.search(r"\d{4}-\s*\n\s*\d", "".join(pages))  # no date broken after its year
    assert len(pages[-1].strip()) > 100, "the last page is (nearly) blank"



# --------------------------------------------------------------------------- a plan a manager keeps

def test_summary_first_with_author_date_and_next_actions(demo) -> None:
    plan = build_plan(demo, "en", START, author="Li Lei")
    summary = plan["summary"]
    assert summary["deciders"] == ["王建国 (Decision maker 97%)"] and summary["champions"] == ["李振华"]
    assert len(summary["actions"]) == 3 and summary["actions"][0].startswith("2026-12-01: visit 王建国")
    assert summary["red_flags"] and "郑海波" in summary["red_flags"][0]
    txt = render_plan(demo, "txt", "en", START, author="Li Lei")
    assert txt.index("Summary on one page") < txt.index("Buying-center map")
    assert "Prepared by: Li Lei" in txt and "Date: 2026-12-01" in txt


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_rule_ids_only_in_the_evidence_appendix(demo, fmt: str) -> None:
    rule = re.compile(r"\bcore\.(answer|chart|title|org|judgement)\.")
    plain = render_plan(demo, fmt, "en", START)
    assert not rule.search(plain.replace("\\", ""))
    full = render_plan(demo, fmt, "en", START, evidence=True)
    assert "Appendix: evidence and rules" in full
    assert rule.search(full.replace("\\", "")) and "core.answer.final_say.yes" in full.replace("\\", "")


def test_reasons_listed_under_a_role_speak_for_it(demo) -> None:
    rows = build_plan(demo, "en", START)["role_rows"]
    buyer = next(r for r in rows if r["contact"] == "孙立峰" and r["role"] == "Buyer")
    decider = next(r for r in rows if r["contact"] == "王建国")
    assert "Having the final say is what makes a decision maker" in decider["evidence"]
    assert all("final say" not in reason for reason in buyer["evidence"])
    against = [e for r in demo.contacts for b in r.roles for e in b.evidence if e.certainty < 0]
    listed = {reason for r in rows for reason in r["evidence"]}
    assert against and not any(e.reason["en"] in listed and e.certainty < 0 and
                               not any(f.reason == e.reason and f.certainty > 0
                                       for r in demo.contacts for b in r.roles for f in b.evidence)
                               for e in against)


def test_calendar_a_rep_could_follow(demo) -> None:
    plan = build_plan(demo, "en", START)
    per_month: dict[tuple[str, str], int] = {}
    for event in plan["calendar"]:
        key = (event["id"], event["date"][:7])
        per_month[key] = per_month.get(key, 0) + 1
    assert max(per_month.values()) <= 2
    president = [e for e in plan["calendar"] if e["id"] == "president"]  # no part in this purchase
    assert len(president) == 1 and president[0]["kind"] == "First visit"
    cadence = {v["id"]: v["cadence_days"] for v in plan["visits"]}
    assert min(cadence.values()) >= 15
    assert cadence["line_worker"] > cadence["coo"]  # a low-influence user less often than the decider
    assert len(plan["calendar"]) < 60


def test_plan_to_standard_output(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    case = str(case_path("mes-manufacturing"))
    result = runner.invoke(cli, ["plan", case, "-o", "-", "--lang", "en", "--author", "Li Lei"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Account plan: ") and "Prepared by: Li Lei" in result.stdout
    md = runner.invoke(cli, ["plan", case, "-o", "-", "--format", "md", "--evidence"])
    assert md.stdout.startswith("# ") and "core.answer" in md.stdout.replace("\\", "")
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_playbooks_follow_industry_offering_and_function() -> None:
    """No clinical text in a factory; a hospital's engineer gets the technical playbook; health
    economics for equipment, pharmaco-economics only when a drug is sold."""
    factory = build_plan(identify(load_case("mes-manufacturing")), "en", START)
    words = json.dumps(factory["visits"], ensure_ascii=False).lower()
    assert "clinical" not in words and "academic" not in words and "pharmaco" not in words
    text = """
account: {name: City Hospital, industry: hospital, offering: CT scanner, offering_type: %s}
contacts:
  - {id: dr, name: Dr Wu, title: 心内科主任, department: 心内科,
     answers: {opinion_sought: yes, evaluates_technically: yes}}
  - {id: eng, name: Li Gong, title: 工程师, department: 医学装备部,
     answers: {evaluates_technically: yes, opinion_sought: yes}}
  - {id: aud, name: Qian, title: 审计科科长, department: 审计科, answers: {reviews_compliance: yes}}
"""
    equipment = {v["id"]: v for v in build_plan(account(text % "equipment"), "en", START)["visits"]}
    assert "Academic exchange meeting" in equipment["dr"]["formats"]
    assert "Academic exchange meeting" not in equipment["eng"]["formats"]
    assert not any("clinical" in m.lower() for m in equipment["eng"]["messages"])
    assert any("Health-economic" in m for m in equipment["aud"]["materials"])
    assert not any("Pharmaco" in m for m in equipment["aud"]["materials"])
    drug = {v["id"]: v for v in build_plan(account(text % "drug"), "en", START)["visits"]}
    assert any("Pharmaco-economic" in m for m in drug["aud"]["materials"])


def test_a_playbook_condition_is_validated(tmp_path) -> None:
    from rolefinder.errors import RolefinderError

    (tmp_path / "mine.yaml").write_text(
        "pack: mine\ntitle: {en: Mine, zh: 我的}\nplaybooks:\n  when: {offering: [drug], function: clinical}\n",
        encoding="utf-8")
    with pytest.raises(RolefinderError) as info:
        load_knowledge(None, [tmp_path])
    text = str(info.value.render("en")) if hasattr(info.value, "render") else str(info.value)
    assert "mine.yaml:4" in text and "playbooks.when" in text
