"""Plain-text views of a result for the terminal: the role table and the explanations.

Tables are aligned by display width (a Chinese character takes two columns) and, like every
wrapped line, fit the terminal's width (see :mod:`rolefinder.textwidth`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rolefinder.certainty import CHART_CEILING, CHART_FLOOR
from rolefinder.conditions import describe
from rolefinder.i18n import Catalog, fact_label, industry_label, pick, value_label
from rolefinder.identification import ContactResult, Identification, NextQuestion
from rolefinder.textwidth import DEFAULT_WIDTH, display_width, natural_width, wrap
from rolefinder.textwidth import pad as _pad
from rolefinder.textwidth import table as _table

T = Catalog(
    {
        "account": {"en": "Account", "zh": "客户"},
        "industry": {"en": "industry", "zh": "行业"},
        "offering": {"en": "offering", "zh": "销售产品"},
        "packs": {"en": "rule packs", "zh": "规则包"},
        "contact": {"en": "Contact", "zh": "联系人"},
        "title": {"en": "Title", "zh": "职务"},
        "primary": {"en": "Primary role", "zh": "主要角色"},
        "roles": {"en": "Roles (certainty, status)", "zh": "角色(确定度,状态)"},
        "next": {"en": "Next question", "zh": "下一个问题"},
        "none": {"en": "—", "zh": "—"},
        "nothing_to_ask": {"en": "(nothing worth asking)", "zh": "(无需再问)"},
        "gaps": {"en": "Gaps and red flags", "zh": "缺口与风险信号"},
        "no_gaps": {"en": "No gaps found.", "zh": "未发现缺口。"},
        "red_flag": {"en": "RED FLAG", "zh": "风险"},
        "gap": {"en": "gap", "zh": "缺口"},
        "explain_head": {"en": "How rolefinder judged {name} ({id})", "zh": "rolefinder 如何判断 {name}({id})"},
        "facts": {"en": "Facts", "zh": "事实"},
        "answers": {"en": "Answers", "zh": "回答"},
        "f_title": {"en": "title", "zh": "职务"},
        "f_department": {"en": "department", "zh": "部门"},
        "f_reports_to": {"en": "reports to", "zh": "上级"},
        "f_influence": {"en": "influence", "zh": "影响力"},
        "f_attitude": {"en": "attitude", "zh": "态度"},
        "no_answers": {"en": "no answers yet", "zh": "尚无回答"},
        "derived": {"en": "Derived facts", "zh": "推导出的事实"},
        "role_head": {"en": "{label}: certainty {cf} → {status}", "zh": "{label}:确定度 {cf} → {status}"},
        "by_rule": {"en": "by rule", "zh": "来自规则"},
        "no_evidence": {"en": "No rule gave evidence about any role.", "zh": "没有任何规则给出角色证据。"},
        "combine_note": {
            "en": "Certainties combine as MYCIN certainty factors: a+b(1-a) for two positives, "
                  "a+b(1+a) for two negatives, (a+b)/(1-min(|a|,|b|)) for mixed signs.",
            "zh": "确定度按 MYCIN 确定性因子合成:同为正 a+b(1-a),同为负 a+b(1+a),"
                  "异号 (a+b)/(1-min(|a|,|b|))。",
        },
        "combine_order": {
            "en": "Order: the org chart's evidence first (its total held within [{low}, {high}], so "
                  "an answer always overturns it), then the answers', then the account rules'.",
            "zh": "合成顺序:先合成组织架构的证据(其合计限制在 [{low}, {high}] 之内,回答总能推翻它),"
                  "再合成回答的证据,最后是客户层面规则的证据。",
        },
        "chart_bounded": {
            "en": "  (the org chart alone gave {raw}; held to {bounded} so that an answer can overturn it)",
            "zh": "  (仅凭组织架构合计为 {raw};限制为 {bounded},使回答能够推翻它)",
        },
        "why_head": {"en": "Why ask “{text}” next", "zh": "为什么下一个问“{text}”"},
        "why_worth": {
            "en": "Expected value {worth}: P(yes) ≈ {p} × verdicts a yes corrects + P(no) × "
                  "verdicts a no corrects.",
            "zh": "期望价值 {worth}:P(是) ≈ {p} × 回答“是”纠正的结论数 + P(否) × 回答“否”纠正的结论数。",
        },
        "if_answer": {"en": "If the answer is {answer}:", "zh": "如果回答“{answer}”:"},
        "no_change": {"en": "no conclusion changes", "zh": "结论不变"},
        "change": {"en": "{label}: {before} → {after} ({cf})", "zh": "{label}:{before} → {after}({cf})"},
        "rules_decide": {"en": "Rules this answer feeds:", "zh": "该回答会触发的规则:"},
        "no_next": {
            "en": "No question is worth asking: no answer would likely change a conclusion "
                  "(threshold {min}).",
            "zh": "没有值得再问的问题:任何回答都不太可能改变结论(阈值 {min})。",
        },
        "other_questions": {"en": "Other open questions by value:", "zh": "其他待问问题(按价值):"},
    }
)


# Kept under their old names for commands that align their own lines (the interview).
width = display_width
pad = _pad


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], gap: str = "  ",
          fit: int | None = None, shrink: Sequence[int] | None = None,
          notes: Sequence[str] | None = None) -> list[str]:
    """Rows aligned in columns; cells may hold several lines; within ``fit`` columns if given."""
    return _table(headers, rows, fit, gap, shrink, notes)


def status_label(status: str | None, lang: str) -> str:
    return value_label(status, lang)


Style = Callable[..., str]


def _plain(text: str, **_: object) -> str:
    return text


def render_identification(result: Identification, lang: str, style: Style = _plain,
                          columns: int = DEFAULT_WIDTH) -> str:
    knowledge, account = result.knowledge, result.account
    head = f"{T('account', lang)}: {account.name}"
    extras = [f"{T('industry', lang)} {industry_label(account.industry, lang)}" if account.industry else "",
              f"{T('offering', lang)} {account.offering}" if account.offering else "",
              f"{T('packs', lang)} {', '.join(p.name for p in knowledge.packs)}"]
    lines = [style(head, bold=True), *wrap("  " + " · ".join(e for e in extras if e), columns, "  "), ""]
    rows = []
    for r in result.contacts:
        roles = "\n".join(
            f"{pick(knowledge.roles[b.role].label, lang)} {b.certainty:.2f} {status_label(b.status, lang)}"
            for b in r.roles if b.status != "ruled_out"
        ) or T("none", lang)
        primary = pick(knowledge.roles[r.primary_role].label, lang) if r.primary_role else T("none", lang)
        question = pick(r.next_question.text, lang) if r.next_question else T("nothing_to_ask", lang)
        rows.append([f"{r.contact.name} ({r.contact.id})", r.contact.title or "", primary, roles,
                     question])
    headers = [T(k, lang) for k in ("contact", "title", "primary", "roles", "next")]
    if natural_width(headers, rows) <= columns:
        lines += table(headers, rows)
    else:  # narrow: the primary role is the first role listed; the question goes under the row
        notes = [f"{T('next', lang)}: {row[4]}" if r.next_question else ""
                 for row, r in zip(rows, result.contacts, strict=True)]
        lines += table([headers[0], headers[1], headers[3]], [[r[0], r[1], r[3]] for r in rows],
                       fit=columns, shrink=[1, 0, 2], notes=notes)
    lines += ["", style(T("gaps", lang), bold=True)]
    if not result.gaps:
        lines.append("  " + T("no_gaps", lang))
    for gap in result.gaps:
        mark = style(T(gap.severity, lang), fg="red" if gap.severity == "red_flag" else "yellow")
        lines += wrap(f"  [{mark}] {gap.text(lang)}", columns, "    ")
    return "\n".join(lines)


def render_explanation(result: Identification, contact_id: str, lang: str, style: Style = _plain,
                       columns: int = DEFAULT_WIDTH) -> str:
    lines = _explanation(result, contact_id, lang, style)
    return "\n".join(out for line in lines for out in wrap(line, columns, _hanging(line)))


def _hanging(line: str) -> str:
    """Continuation lines sit a little deeper than the line they continue."""
    return " " * (len(line) - len(line.lstrip(" ")) + 4)


def _fact_lines(r: ContactResult, result: Identification, lang: str) -> list[str]:
    c = r.contact
    lines = []
    names = {x.contact.id: x.contact.name for x in result.contacts}
    for key in ("title", "department", "reports_to", "influence", "attitude"):
        value = getattr(c, key)
        if value:
            shown = value_label(value, lang) if key in ("influence", "attitude") else value
            if key == "reports_to" and value in names:
                shown = f"{names[value]} [{value}]"
            lines.append(f"  {T('f_' + key, lang)}: {shown}")
    answers = ", ".join(f"{q} = {value_label(a, lang)}" for q, a in c.answers.items()) or T("no_answers", lang)
    lines.append(f"  {T('answers', lang)}: {answers}")
    return lines


def _explanation(result: Identification, contact_id: str, lang: str, style: Style) -> list[str]:
    r = result.contact(contact_id)
    c, knowledge = r.contact, result.knowledge
    lines = [style(T("explain_head", lang, name=c.name, id=c.id), bold=True), ""]
    lines.append(style(T("facts", lang), bold=True))
    lines += _fact_lines(r, result, lang)
    if r.derived:
        lines += ["", style(T("derived", lang), bold=True)]
        for d in r.derived:
            reason = pick(knowledge.rule(d.rule).reason, lang)
            lines.append(f"  {fact_label(d.name, lang)} = {fact_label(d.value, lang)} ({d.cf:.2f})  "
                         f"{T('by_rule', lang)} {d.rule}: {reason}")
    lines.append("")
    if not r.beliefs:
        lines.append(T("no_evidence", lang))
    for belief in sorted(r.beliefs.values(), key=lambda b: -b.cf):
        label = pick(knowledge.roles[belief.role].label, lang)
        head = T("role_head", lang, label=label, cf=f"{belief.cf:+.2f}",
                 status=status_label(belief.status, lang))
        lines.append(style(head, bold=True))
        bounded = belief.chart_bounded
        for evidence, before, total in belief.steps():
            lines.append(f"  {evidence.certainty:+.2f}  {before:+.2f} → {total:+.2f}  "
                         f"{evidence.rule}: {pick(evidence.reason, lang)}")
            spec = knowledge.rule(evidence.rule)
            lines.append(f"        ⟸ {'; '.join(describe(spec, knowledge, lang))}")
        if bounded:
            lines.append(T("chart_bounded", lang, raw=f"{bounded[0]:+.2f}", bounded=f"{bounded[1]:+.2f}"))
    lines += ["", T("combine_note", lang),
              T("combine_order", lang, low=f"{CHART_FLOOR:+.2f}", high=f"{CHART_CEILING:+.2f}"), ""]
    lines += explain_question(r, result, lang, style)
    return lines


def explain_question(r: ContactResult, result: Identification, lang: str,
                     style: Style = _plain, question: NextQuestion | None = None) -> list[str]:
    """Why a question is worth asking: which roles each answer would move, through which rules."""
    knowledge = result.knowledge
    q = question or r.next_question
    if q is None:
        return [T("no_next", lang, min=knowledge.min_worth)]
    lines = [style(T("why_head", lang, text=pick(q.text, lang)), bold=True)]
    if q.why:
        lines.append("  " + pick(q.why, lang))
    lines.append("  " + T("why_worth", lang, worth=f"{q.worth:.2f}", p=f"{q.p_yes:.2f}"))
    for answer, effects in q.effects.items():
        lines.append("  " + T("if_answer", lang, answer=value_label(answer, lang)))
        if not effects:
            lines.append("    " + T("no_change", lang))
        for e in effects:
            lines.append("    " + T("change", lang, label=pick(knowledge.roles[e.role].label, lang),
                                    before=status_label(e.before, lang),
                                    after=status_label(e.after, lang), cf=f"{e.cf_after:+.2f}"))
    lines.append("  " + T("rules_decide", lang))
    for rule_id in q.rules:
        lines.append(f"    {rule_id}: {pick(knowledge.rule(rule_id).reason, lang)}")
    others = [c for c in r.candidates if c.id != q.id and c.asked]
    if others and question is None:
        lines.append("  " + T("other_questions", lang))
        lines += [f"    {c.worth:.2f}  {pick(c.text, lang)}" for c in others[:5]]
    return lines
