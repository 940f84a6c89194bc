"""Account plans and visit briefs: whom to see, with what, in which order, and when.

The plan is built once as a plain view model in one language (:func:`build_plan`): every
number is computed and every text chosen here, so the Jinja2 templates in ``templates/`` only
lay things out and the Markdown, HTML and text plans cannot disagree. Priorities, playbooks,
cadences and account classes come from the rule packs (see :mod:`rolefinder.playbooks` and
:mod:`rolefinder.classify`), never from code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rolefinder.account import atomic_write
from rolefinder.classify import classify
from rolefinder.errors import Problem, RolefinderError
from rolefinder.i18n import Catalog, industry_label, pick
from rolefinder.playbooks import Playbooks, playbooks_of

if TYPE_CHECKING:
    from rolefinder.identification import ContactResult, Identification

FORMATS = ("md", "html", "txt", "pdf")
MAX_NEST = 7  # org-chart levels the HTML map indents; deeper ones stay at this level
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".txt": "txt",
            ".pdf": "pdf"}

_LABEL_TEXTS = {
        "plan_title": {"zh": "客户计划", "en": "Account plan"},
        "brief_title": {"zh": "拜访简报", "en": "Visit brief"},
        "account": {"zh": "客户", "en": "Account"},
        "industry": {"zh": "行业", "en": "Industry"},
        "offering": {"zh": "我方产品", "en": "Offering"},
        "revenue": {"zh": "当前收入", "en": "Current revenue"},
        "potential": {"zh": "潜力", "en": "Potential"},
        "strategic_fit": {"zh": "战略匹配度", "en": "Strategic fit"},
        "notes": {"zh": "备注", "en": "Notes"},
        "classification": {"zh": "客户分级", "en": "Account class"},
        "reasons": {"zh": "依据", "en": "Reasons"},
        "map": {"zh": "采购决策链地图", "en": "Buying-center map"},
        "role_table": {"zh": "角色与证据", "en": "Roles and evidence"},
        "contact": {"zh": "联系人", "en": "Contact"},
        "role": {"zh": "角色", "en": "Role"},
        "certainty": {"zh": "确定度", "en": "Certainty"},
        "status": {"zh": "状态", "en": "Status"},
        "evidence": {"zh": "证据", "en": "Evidence"},
        "gaps": {"zh": "覆盖缺口与风险信号", "en": "Coverage gaps and red flags"},
        "red_flag": {"zh": "风险信号", "en": "Red flag"},
        "gap": {"zh": "缺口", "en": "Gap"},
        "no_gaps": {"zh": "没有发现缺口。", "en": "No gaps found."},
        "visits": {"zh": "拜访计划(按优先级)", "en": "Visit plan, by priority"},
        "priority": {"zh": "优先级", "en": "Priority"},
        "objective": {"zh": "目标", "en": "Objective"},
        "cares_about": {"zh": "关注点", "en": "Cares about"},
        "messages": {"zh": "关键信息", "en": "Key messages"},
        "materials": {"zh": "携带材料", "en": "Materials"},
        "visitors": {"zh": "我方拜访人", "en": "Who visits"},
        "format": {"zh": "形式", "en": "Format"},
        "cadence": {"zh": "频率", "en": "Cadence"},
        "every_days": {"zh": "每 {days} 天", "en": "every {days} days"},
        "open_questions": {"zh": "待弄清的问题", "en": "Open questions"},
        "none": {"zh": "无", "en": "none"},
        "calendar": {"zh": "行动日历", "en": "Action calendar"},
        "date": {"zh": "日期", "en": "Date"},
        "action": {"zh": "行动", "en": "Action"},
        "first_visit": {"zh": "首次拜访", "en": "First visit"},
        "follow_up": {"zh": "跟进拜访", "en": "Follow-up"},
        "next_visit": {"zh": "下次拜访", "en": "Next visit"},
        "evaluation": {"zh": "效果评估(拜访后衡量)", "en": "Evaluation: what to measure after the visits"},
        "baseline": {"zh": "当前基线", "en": "Baseline now"},
        "start": {"zh": "计划开始", "en": "Plan starts"},
        "no_role": {"zh": "角色未明", "en": "role not known yet"},
        "no_part": {"zh": "本次采购中无角色", "en": "no part in this purchase"},
        "influence": {"zh": "影响力", "en": "Influence"},
        "attitude": {"zh": "态度", "en": "Attitude"},
        "unknown": {"zh": "未知", "en": "unknown"},
        "high": {"zh": "高", "en": "high"},
        "medium": {"zh": "中", "en": "medium"},
        "low": {"zh": "低", "en": "low"},
        "champion": {"zh": "教练(内线)", "en": "champion"},
        "supporter": {"zh": "支持", "en": "supporter"},
        "neutral": {"zh": "中立", "en": "neutral"},
        "opponent": {"zh": "反对", "en": "opponent"},
        "confirmed": {"zh": "确认", "en": "confirmed"},
        "probable": {"zh": "很可能", "en": "probable"},
        "possible": {"zh": "可能", "en": "possible"},
        "ruled_out": {"zh": "排除", "en": "ruled out"},
        "unsure_q": {"zh": "(上次回答“不确定”)", "en": "(last answer: unsure)"},
        "next_q": {"zh": "(最值得问的下一个问题)", "en": "(the next question worth asking)"},
        "m_roles": {"zh": "已确认或很可能的角色:{held} / {total} 位联系人",
                    "en": "Contacts with a confirmed or probable role: {held} of {total}"},
        "m_unsure": {"zh": "待弄清的问题:{count} 个", "en": "Open questions to clear: {count}"},
        "m_attitude": {"zh": "态度已知的联系人:{known} / {total}",
                       "en": "Contacts whose attitude is known: {known} of {total}"},
        "m_champion": {"zh": "教练(内线):{count} 位", "en": "Champions: {count}"},
        "m_flags": {"zh": "风险信号:{count} 个", "en": "Red flags: {count}"},
        "generated": {"zh": "由 rolefinder 生成", "en": "Generated by rolefinder"},
        "account_note": {"zh": "客户级别安排", "en": "For this class of account"},
        "reports_to": {"zh": "上级", "en": "Reports to"},
        "title": {"zh": "职务", "en": "Title"},
        "department": {"zh": "部门", "en": "Department"},
        "related_gaps": {"zh": "相关缺口", "en": "Related gaps"},
        "page": {"zh": "页", "en": "page"},
}
LABELS = Catalog(_LABEL_TEXTS)
ERRORS = Catalog(
    {
        "bad_format": {
            "en": "cannot tell the format from {value!r}; use --format md, html, txt or pdf",
            "zh": "无法从 {value!r} 判断格式;请使用 --format md、html、txt 或 pdf",
        },
        "no_pdf": {
            "en": "PDF output needs the optional extra: pip install 'rolefinder[pdf]' "
                  "(WeasyPrint; on Debian also apt-get install libpango-1.0-0 fonts-noto-cjk) ({error})",
            "zh": "输出 PDF 需要可选组件:pip install 'rolefinder[pdf]'"
                  "(WeasyPrint;Debian 还需 apt-get install libpango-1.0-0 fonts-noto-cjk)({error})",
        },
        "bad_date": {
            "en": "{value!r} is not a date; expected YYYY-MM-DD",
            "zh": "{value!r} 不是日期;应为 YYYY-MM-DD",
        },
    }
)


class PlanError(RolefinderError):
    """A plan cannot be written as asked (format, missing PDF extra)."""


# --------------------------------------------------------------------------- the view model


@dataclass
class _Ctx:
    """What every builder needs: the language, the playbooks and the label lookup."""

    ident: Identification
    lang: str
    books: Playbooks

    def t(self, key: str, **params: object) -> str:
        return LABELS(key, self.lang, **params)

    def p(self, text: Any) -> str:
        return pick(text, self.lang)

    def role_label(self, role_id: str | None) -> str:
        if role_id is None:
            return self.t("no_role")
        return self.p(self.ident.knowledge.roles[role_id].label)

    def level(self, value: str | None) -> str:
        return self.t(value) if value else self.t("unknown")


def build_plan(ident: Identification, lang: str = "en", start: date | None = None) -> dict[str, Any]:
    """The whole account plan as plain data in ``lang``, ready for any template."""
    ctx = _Ctx(ident, lang, playbooks_of(ident.knowledge))
    start = start or date.today()
    klass = classify(ident.account.fields, ident.knowledge)
    visits = _visits(ctx, klass.cls if klass else None)
    calendar = _calendar(ctx, visits, start)
    return {
        "lang": lang,
        "L": {key: ctx.t(key) for key in _PLAIN_LABELS},
        "start": start.isoformat(),
        "account": _header(ctx),
        "classification": _classification(ctx, klass),
        "tree": (tree := _tree(ctx)),
        "fence": _fence(tree),
        "role_rows": _role_rows(ctx),
        "gaps": [{"severity": g.severity, "kind": ctx.t(g.severity), "text": g.text(lang)}
                 for g in sorted(ident.gaps, key=lambda g: g.severity != "red_flag")],
        "visits": visits,
        "calendar": calendar,
        "evaluation": _evaluation(ctx, visits),
    }


_PLAIN_LABELS = [k for k, v in _LABEL_TEXTS.items() if "{" not in v["en"]]


def _header(ctx: _Ctx) -> list[tuple[str, str]]:
    a = ctx.ident.account
    rows = [("account", a.name), ("industry", industry_label(a.industry, ctx.lang)), ("offering", a.offering)]
    for key in ("revenue", "potential", "strategic_fit", "notes"):
        value = a.fields.get(key)
        if key in ("potential", "strategic_fit") and value:
            value = ctx.t(value)
        rows.append((key, None if value is None else str(value)))
    return [(ctx.t(k), v) for k, v in rows if v]


def _classification(ctx: _Ctx, klass: Any) -> dict[str, Any] | None:
    if klass is None:
        return None
    note = ctx.books.accounts.get(klass.cls, {}).get("note")
    return {"id": klass.cls, "label": ctx.p(klass.label),
            "reasons": [ctx.p(text) for _rule, text in klass.reasons],
            "note": ctx.p(note) if note else None}


def _roles_of(ctx: _Ctx, result: ContactResult) -> list[dict[str, Any]]:
    return [{"id": r, "label": ctx.role_label(r),
             "certainty": f"{result.beliefs[r].certainty:.0%}"} for r in result.held]


def _tree(ctx: _Ctx) -> list[dict[str, Any]]:
    """The org chart depth first, flat, each node with its text-tree prefix and HTML nesting.

    Flat and iterative on purpose: a 1,000-person chain must not hit a recursion limit in
    Python or in Jinja2.
    """
    results = {r.contact.id: r for r in ctx.ident.contacts}
    children: dict[str | None, list[str]] = {}
    for r in ctx.ident.contacts:
        boss = r.contact.reports_to if r.contact.reports_to in results else None
        children.setdefault(boss, []).append(r.contact.id)
    out: list[dict[str, Any]] = []
    stack: list[tuple[str, str, bool, int]] = [
        (cid, "", i == len(children.get(None, [])) - 1, 0)
        for i, cid in reversed(list(enumerate(children.get(None, []))))
    ]
    while stack:
        cid, indent, last, depth = stack.pop()
        kids = children.get(cid, [])
        out.append(_node(ctx, results[cid], indent, last, depth, bool(kids)))
        below = indent + ("   " if last else "│  ") if depth else ""
        stack += [(k, below, i == len(kids) - 1, depth + 1) for i, k in reversed(list(enumerate(kids)))]
    # HTML nests at most MAX_NEST levels so a deep chain still fits the page width; deeper
    # people sit at the last level and name their manager instead.
    for node in out:
        node["nest"] = node["has_children"] and node["depth"] < MAX_NEST
        boss = results[node["id"]].contact.reports_to
        node["under"] = results[boss].contact.name if node["depth"] > MAX_NEST and boss in results else ""
    for i, node in enumerate(out):  # how many nested lists close after this node (HTML)
        nxt = min(out[i + 1]["depth"], MAX_NEST) if i + 1 < len(out) else 0
        node["close"] = 0 if node["nest"] else min(node["depth"], MAX_NEST) - nxt
    return out


def _fence(tree: list[dict[str, Any]]) -> str:
    """A Markdown code fence longer than any run of backticks in the tree, so no name closes it."""
    longest = max((len(run) for n in tree for run in re.findall(r"`+", n["name"] + n["title"])),
                  default=0)
    return "`" * max(3, longest + 1)


def _node(ctx: _Ctx, result: ContactResult, indent: str, last: bool, depth: int,
          has_children: bool) -> dict[str, Any]:
    c = result.contact
    branch = ("└─ " if last else "├─ ") if depth else ""
    roles = _roles_of(ctx, result)
    return {
        "id": c.id, "name": c.name, "title": c.title, "department": c.department,
        "roles": roles, "influence": ctx.level(c.influence), "attitude": ctx.level(c.attitude),
        "attitude_id": c.attitude or "unknown", "prefix": indent + branch, "depth": depth,
        "has_children": has_children,
        "roles_text": ", ".join(f"{r['label']} {r['certainty']}" for r in roles) or ctx.t(_no_role_key(result)),
        "no_role_text": ctx.t(_no_role_key(result)),
    }


def _role_rows(ctx: _Ctx) -> list[dict[str, Any]]:
    """Every role still in play (ruled-out ones are left out: they need no visit), with evidence."""
    rows = []
    for result in ctx.ident.contacts:
        live = [b for b in result.roles if b.status != "ruled_out"]
        for belief in live:
            rows.append({
                "contact": result.contact.name, "role": ctx.role_label(belief.role),
                "certainty": f"{belief.certainty:.0%}", "status": ctx.t(belief.status),
                "evidence": [f"{ctx.p(e.reason)} [{e.rule} {e.certainty:+.2f}]"
                             for e in belief.evidence],
            })
        if not live:
            rows.append({"contact": result.contact.name, "role": ctx.t(_no_role_key(result)),
                         "certainty": "–", "status": "–", "evidence": []})
    return rows


# --------------------------------------------------------------------------- visits


def _open_questions(ctx: _Ctx, result: ContactResult) -> list[str]:
    """Every ``unsure`` answer, then the next question worth asking, each once."""
    questions = ctx.ident.knowledge.questions
    out, seen = [], set()
    for qid, answer in result.contact.answers.items():
        if answer == "unsure" and qid in questions:
            out.append(f"{ctx.p(questions[qid].text)} {ctx.t('unsure_q')}")
            seen.add(qid)
    nq = result.next_question
    if nq is not None and nq.id not in seen:
        out.append(f"{ctx.p(nq.text)} {ctx.t('next_q')}")
    return out


def has_no_part(result: ContactResult) -> bool:
    """Answered, holds no role, and no question left that could give them one."""
    return not result.held and bool(result.contact.answers) and result.next_question is None


def _no_role_key(result: ContactResult) -> str:
    return "no_part" if has_no_part(result) else "no_role"


NO_PART_WEIGHT = 0.25  # someone shown to have no part in the purchase is still worth a courtesy visit


def priority(books: Playbooks, result: ContactResult, unknowns: int) -> float:
    """Role weight × influence × attitude × (1 + per_unknown × unknowns), from the packs.

    The role weight is the strongest held role's weight times its certainty, so a confirmed
    decision maker outranks a merely probable one.
    """
    weights = [books.role(r).weight * result.beliefs[r].certainty for r in result.held]
    weight = max(weights) if weights else books.role(None).weight
    if has_no_part(result):
        weight *= NO_PART_WEIGHT
    c = result.contact
    factor = books.influence.get(c.influence or "unknown", 1.0) * books.attitude.get(
        c.attitude or "unknown", 1.0)
    return weight * factor * (1 + books.per_unknown * min(unknowns, books.max_unknowns))


def _visits(ctx: _Ctx, klass: str | None) -> list[dict[str, Any]]:
    extra = ctx.books.accounts.get(klass or "", {})
    visits = [_visit(ctx, result, extra) for result in ctx.ident.contacts]
    visits.sort(key=lambda v: -v["score"])
    for rank, visit in enumerate(visits, 1):
        visit["rank"] = rank
    return visits


def main_role(books: Playbooks, result: ContactResult) -> str | None:
    """The role that sets a visit's objective, visitors, format and cadence.

    The one that matters most for the sale (playbook weight × certainty), not merely the most
    certain: a CFO who audits *and* decides is visited as the decision maker.
    """
    held = result.held
    if not held:
        return None
    return max(held, key=lambda r: books.role(r).weight * result.beliefs[r].certainty)


def _visit(ctx: _Ctx, result: ContactResult, extra: dict[str, Any]) -> dict[str, Any]:
    c, books = result.contact, ctx.books
    first = main_role(books, result)
    held = [first, *(r for r in result.held if r != first)] if first else []
    main = books.role(first)
    plays = [books.role(r) for r in held] or [main]
    questions = _open_questions(ctx, result)
    unknowns = len(questions) + (c.attitude is None) + (c.influence is None)
    score = priority(books, result, unknowns)
    cadence = max(1, round(main.cadence_days * extra.get("cadence_factor", 1.0)))
    cares = [ctx.p(ctx.ident.knowledge.roles[r].cares_about) for r in held
             if ctx.ident.knowledge.roles[r].cares_about]
    objective = ctx.p(main.objective)
    return {
        "id": c.id, "name": c.name, "title": c.title, "department": c.department,
        "influence": ctx.level(c.influence), "attitude": ctx.level(c.attitude),
        "roles": _roles_of(ctx, result), "score": score, "priority": f"{score:.2f}",
        "objective": objective,
        "attitude_note": ctx.p(books.attitudes.get(c.attitude)) if c.attitude in books.attitudes else "",
        "cares_about": cares,
        "messages": _unique(ctx.p(m) for p in plays for m in p.messages),
        "materials": _unique(ctx.p(m) for p in plays for m in p.materials),
        "visitors": _unique(ctx.p(books.visitors[v]) for v in [*extra.get("visitors", []), *main.visitors]),
        "formats": _unique(ctx.p(books.formats[f]) for f in main.formats),
        "format_ids": list(main.formats),
        "cadence_days": cadence, "cadence": ctx.t("every_days", days=cadence),
        "open_questions": questions, "notes": c.notes or "", "no_role_text": ctx.t(_no_role_key(result)),
        "gaps": [g.text(ctx.lang) for g in ctx.ident.gaps if c.id in g.contacts],
    }


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


# --------------------------------------------------------------------------- calendar


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _calendar(ctx: _Ctx, visits: list[dict[str, Any]], start: date) -> list[dict[str, Any]]:
    """First visits fill working days from ``start`` in priority order; then follow-ups repeat
    at each contact's cadence until the horizon. No day holds more than ``visits_per_day``:
    a visit that does not fit moves to the next working day with room."""
    per_day, horizon = ctx.books.visits_per_day, start + timedelta(days=ctx.books.horizon_days)
    booked: dict[date, int] = {}
    later: dict[date, date] = {}  # full day -> a later day to try: keeps booking linear

    def book(day: date) -> date:
        day, passed = _workday(day), []
        while booked.get(day, 0) >= per_day:
            passed.append(day)
            day = later.get(day) or _workday(day + timedelta(days=1))
        for full in passed:
            later[full] = day
        booked[day] = booked.get(day, 0) + 1
        return day

    events, day = [], start
    for visit in visits:  # each first visit on the first day with room, from the last one on
        day = book(day)
        visit["first_date"] = day.isoformat()
        events.append((day, visit["rank"], ctx.t("first_visit"), visit))
    wanted = []
    for day, _rank, _kind, visit in list(events):
        follow = day + timedelta(days=visit["cadence_days"])
        while follow <= horizon:
            wanted.append((follow, visit["rank"], visit))
            follow += timedelta(days=visit["cadence_days"])
    for day, rank, visit in sorted(wanted, key=lambda w: (w[0], w[1])):
        placed = book(day)
        if placed <= horizon:
            events.append((placed, rank, ctx.t("follow_up"), visit))
    events.sort(key=lambda e: (e[0], e[1]))
    sep = "、" if ctx.lang == "zh" else ", "
    return [{"date": d.isoformat(), "kind": kind, "id": v["id"], "name": v["name"],
             "format": v["formats"][0] if v["formats"] else "", "visitors": sep.join(v["visitors"])}
            for d, _rank, kind, v in events]


def _evaluation(ctx: _Ctx, visits: list[dict[str, Any]]) -> dict[str, Any]:
    contacts = ctx.ident.contacts
    total = len(contacts)
    baseline = [
        ctx.t("m_roles", held=sum(1 for r in contacts if r.held), total=total),
        ctx.t("m_unsure", count=sum(len(v["open_questions"]) for v in visits)),
        ctx.t("m_attitude", known=sum(1 for r in contacts if r.contact.attitude), total=total),
        ctx.t("m_champion", count=sum(1 for r in contacts if r.contact.attitude == "champion")),
        ctx.t("m_flags", count=sum(1 for g in ctx.ident.gaps if g.severity == "red_flag")),
    ]
    return {"measures": [ctx.p(m) for m in ctx.books.evaluation], "baseline": baseline}


# --------------------------------------------------------------------------- rendering


@cache
def _environment() -> Any:
    """One Jinja2 environment: strict (a typo fails loudly), HTML autoescaped, imported lazily."""
    import jinja2

    from rolefinder.resources import data_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["cell"] = lambda text: md_escape(text).replace("\n", " ")
    return env


_MD_SPECIAL = {c: f"\\{c}" for c in "\\`*_[]#|~"}
_MD_SPECIAL.update({"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def md_escape(text: Any) -> str:
    """Account text as literal Markdown: no emphasis, links, tables or raw HTML from a name."""
    return "".join(_MD_SPECIAL.get(ch, ch) for ch in str(text))


def render_plan(ident: Identification, fmt: str, lang: str = "en",
                start: date | None = None) -> str | bytes:
    """The account plan as Markdown, HTML or text (``str``), or PDF (``bytes``)."""
    if fmt not in FORMATS:
        raise PlanError([Problem(None, None, "--format", "bad_format", {"value": fmt}, ERRORS)])
    if fmt == "pdf":
        return html_to_pdf(render_plan(ident, "html", lang, start))
    plan = build_plan(ident, lang, start)
    return _environment().get_template(f"plan.{fmt}.j2").render(plan=plan, L=plan["L"])


def html_to_pdf(html: str) -> bytes:
    """PDF through the optional WeasyPrint extra; a clear bilingual error when it is missing."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint installed but Pango missing
        raise PlanError([Problem(None, None, "--format", "no_pdf",
                                 {"error": str(exc).splitlines()[0]}, ERRORS)]) from None
    return HTML(string=html).write_pdf()


def format_for(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``fmt`` if given, else the format the file name's suffix asks for."""
    if fmt:
        return fmt
    found = SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise PlanError([Problem(str(path), None, "--format", "bad_format",
                                 {"value": Path(path).suffix}, ERRORS)])
    return found


def write_plan(ident: Identification, path: str | os.PathLike[str], fmt: str | None = None,
               lang: str = "en", start: date | None = None) -> Path:
    """Render the plan and write it atomically (the old file or the new one, never half)."""
    target = Path(path)
    atomic_write(target, render_plan(ident, format_for(target, fmt), lang, start))
    return target


def parse_start(value: str | None) -> date | None:
    """``--start`` as a date, or None for today."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PlanError([Problem(None, None, "--start", "bad_date", {"value": value}, ERRORS)]) from None


# --------------------------------------------------------------------------- visit brief


def build_brief(ident: Identification, contact_id: str, lang: str = "en",
                start: date | None = None) -> dict[str, Any]:
    """The one-page brief for the next visit to one contact, from the same plan data."""
    ident.contact(contact_id)  # a friendly error for an unknown id
    plan = build_plan(ident, lang, start)
    visit = next(v for v in plan["visits"] if v["id"] == contact_id)
    result = ident.contact(contact_id)
    boss = result.contact.reports_to
    return {
        "L": plan["L"], "account": ident.account.name, "classification": plan["classification"],
        "visit": visit, "total": len(plan["visits"]),
        "reports_to": ident.contact(boss).contact.name if boss else None,
        "next_date": next((e["date"] for e in plan["calendar"] if e["id"] == contact_id
                           and e["date"] >= plan["start"]), visit["first_date"]),
    }


def render_brief(ident: Identification, contact_id: str, fmt: str = "txt", lang: str = "en",
                 start: date | None = None) -> str:
    """The visit brief as text or Markdown (JSON goes through :func:`brief_data`)."""
    brief = build_brief(ident, contact_id, lang, start)
    return _environment().get_template(f"visit.{fmt}.j2").render(b=brief, L=brief["L"])


def brief_data(ident: Identification, contact_id: str, lang: str = "en",
               start: date | None = None) -> dict[str, Any]:
    """The visit brief for scripts: the same fields, without the labels."""
    brief = build_brief(ident, contact_id, lang, start)
    visit = {k: v for k, v in brief["visit"].items() if k not in ("score", "format_ids", "no_role_text")}
    result = ident.contact(contact_id)
    # numbers and ids for programs, next to the labels for people
    visit["priority"] = round(brief["visit"]["score"], 3)
    visit["influence_id"], visit["attitude_id"] = result.contact.influence, result.contact.attitude
    visit["format_ids"] = brief["visit"]["format_ids"]
    visit["roles"] = [{**r, "certainty": round(result.beliefs[r["id"]].certainty, 3)}
                      for r in brief["visit"]["roles"]]
    return {"account": brief["account"], "lang": lang,
            "classification": brief["classification"], "reports_to": brief["reports_to"],
            "next_date": brief["next_date"], "visit": visit}
