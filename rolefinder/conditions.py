"""A rule's conditions in words, in the reader's language, for ``explain`` and ``--trace``.

``RuleSpec.describe_conditions`` is a compact notation for rule authors; a trainer's audience
and a Chinese reader need the same conditions said plainly ("职务“采购经理”含“采购”"), and,
when a contact is known, with the value the contact actually has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rolefinder.account import Contact
from rolefinder.i18n import Catalog, fact_label, pick, value_label
from rolefinder.knowledge import AccountRule, Knowledge, RuleSpec, TextMatch

T = Catalog(
    {
        "answer": {"en": "{question} = {answer}", "zh": "{question} = {answer}"},
        "title": {"en": "title “{text}” contains “{hit}”", "zh": "职务“{text}”含“{hit}”"},
        "title_rule": {"en": "title contains {hit}", "zh": "职务含{hit}"},
        "department": {"en": "department “{text}” contains “{hit}”", "zh": "部门“{text}”含“{hit}”"},
        "department_rule": {"en": "department contains {hit}", "zh": "部门含{hit}"},
        "unless": {"en": " (but not {words})", "zh": "(不含{words})"},
        "influence": {"en": "influence = {value}", "zh": "影响力 = {value}"},
        "attitude": {"en": "attitude = {value}", "zh": "态度 = {value}"},
        "fact": {"en": "{name} = {value}", "zh": "{name} = {value}"},
        "manager": {"en": "manager {who} is {role} ({status} or better)",
                    "zh": "上级 {who} 是{role}(至少{status})"},
        "manager_rule": {"en": "the manager is {role} ({status} or better)",
                         "zh": "上级是{role}(至少{status})"},
        "no_manager": {"en": "reports to nobody", "zh": "没有上级"},
        "has_reports": {"en": "has people reporting to them", "zh": "有下属"},
        "no_reports": {"en": "nobody reports to them", "zh": "没有下属"},
        "or": {"en": " or ", "zh": "或"},
        "unanswered": {"en": "not asked", "zh": "未问"},
        "answered": {"en": "answered", "zh": "已回答"},
        "none": {"en": "not recorded", "zh": "未记录"},
        "offering_type": {"en": "what is sold = {value}", "zh": "销售内容类型 = {value}"},
        "buying_process": {"en": "buying process = {value}", "zh": "采购方式 = {value}"},
        "scope": {"en": "the offering serves {value}", "zh": "销售内容服务于 {value}"},
        "holders": {"en": "{count} contact(s) hold {role} ({status} or better)",
                    "zh": "{count} 人被认定为{role}(至少{status})"},
        "at_least": {"en": "at least {n}", "zh": "至少 {n}"},
        "at_most": {"en": "at most {n}", "zh": "至多 {n}"},
        "strongest": {"en": "the strongest candidates for {role}", "zh": "最可能是{role}的候选人"},
    }
)


def _values(values: Iterable[str], lang: str, label=value_label) -> str:
    words = []
    for value in sorted(values):
        if value == "absent":
            words.append(T("unanswered", lang))
        elif value == "answered":
            words.append(T("answered", lang))
        elif value == "none":
            words.append(T("none", lang))
        else:
            words.append(label(value, lang))
    return "/".join(words)


def _hit(match: TextMatch, text: str) -> str:
    """The keyword (or pattern) that made a text condition match: short enough for a slide."""
    low = text.lower()
    for word in match.keywords:
        if word in low:
            return word
    if match.regex is not None and match.regex.search(low):
        return f"/{match.regex.pattern}/"
    return match.describe()


def _text_rule(match: TextMatch, key: str, lang: str) -> str:
    words = [*match.keywords, *([f"/{match.regex.pattern}/"] if match.regex else [])]
    text = T(key, lang, hit=T("or", lang).join(f"“{w}”" for w in words))
    if match.unless:
        text += T("unless", lang, words=T("or", lang).join(f"“{w}”" for w in match.unless))
    return text


def describe(spec: RuleSpec, knowledge: Knowledge, lang: str, contact: Contact | None = None,
             facts: Mapping[str, tuple[str, float]] | None = None,
             manager_name: str | None = None) -> list[str]:
    """Each condition of ``spec`` as a phrase; with ``contact``, showing what they actually have.

    ``facts`` maps a derived fact's name to the (value, certainty) the contact holds.
    """
    if isinstance(spec, AccountRule):
        return _account_rule(spec, knowledge, lang)
    out = []
    for question, values in spec.answers:
        shown = values
        if contact is not None:
            given = contact.answers.get(question)
            shown = frozenset([given]) if given else frozenset(["absent"])
        out.append(T("answer", lang, question=question, answer=_values(shown, lang)))
    for field, match in (("title", spec.title), ("department", spec.department)):
        if match is None:
            continue
        if contact is not None:
            text = getattr(contact, field)
            out.append(T(field, lang, text=text, hit=_hit(match, text)))
        else:
            out.append(_text_rule(match, f"{field}_rule", lang))
    for name, values in spec.contact:
        shown = values
        if contact is not None:
            shown = frozenset([getattr(contact, name, None) or "none"])
        out.append(T(name, lang, value=_values(shown, lang)) if name in T else f"{name} = {_values(shown, lang)}")
    for name, values in spec.facts:
        held = (facts or {}).get(name)
        if held is not None and held[0] in values:
            value = f"{fact_label(held[0], lang)} ({held[1]:.2f})"
        else:
            value = _values(values, lang, fact_label)
        out.append(T("fact", lang, name=fact_label(name, lang), value=value))
    out += _org(spec, knowledge, lang, contact, manager_name)
    for name, values in spec.account:
        out.append(T(name, lang, value="/".join(fact_label(v, lang) for v in sorted(values))))
    return out


def _account_rule(rule: AccountRule, knowledge: Knowledge, lang: str) -> list[str]:
    label = pick(knowledge.roles[rule.role].label, lang) if rule.role in knowledge.roles else rule.role
    counts = [T(k, lang, n=getattr(rule, k)) for k in ("at_least", "at_most") if getattr(rule, k) is not None]
    out = [T("holders", lang, count=", ".join(counts), role=label, status=value_label(rule.status, lang))]
    for name, values in rule.facts:
        out.append(T("fact", lang, name=fact_label(name, lang), value=_values(values, lang, fact_label)))
    if rule.manager == "none":
        out.append(T("no_manager", lang))
    if rule.strongest:
        out.append(T("strongest", lang, role=label))
    return out


def _org(spec: RuleSpec, knowledge: Knowledge, lang: str, contact: Contact | None,
         manager_name: str | None) -> list[str]:
    out = []
    if spec.manager == "none":
        out.append(T("no_manager", lang))
    elif isinstance(spec.manager, tuple):
        role, status = spec.manager
        label = pick(knowledge.roles[role].label, lang) if role in knowledge.roles else role
        if contact is not None and contact.reports_to:
            who = f"{manager_name or contact.reports_to} [{contact.reports_to}]"
            out.append(T("manager", lang, who=who, role=label, status=value_label(status, lang)))
        else:
            out.append(T("manager_rule", lang, role=label, status=value_label(status, lang)))
    if spec.has_reports is not None:
        out.append(T("has_reports" if spec.has_reports else "no_reports", lang))
    return out
