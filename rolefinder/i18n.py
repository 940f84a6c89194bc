"""Two languages, one rule: every text a user sees exists in Chinese and English.

Texts travel as ``{"zh": ..., "en": ...}`` mappings (rule packs, cases) or live in a
:class:`Catalog` next to the code that prints them. The language is chosen once, at the edge
(``--lang`` or the locale), and passed down explicitly: nothing reads a global.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS = ("zh", "en")
DEFAULT_LANG = "en"


def detect_lang(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: ``zh`` for any Chinese locale, else English.

    Follows POSIX precedence (LC_ALL, then LC_MESSAGES, then LANG), so ``LANG=zh_CN.UTF-8``
    gives Chinese unless LC_ALL says otherwise.
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return DEFAULT_LANG


def pick(text: Mapping[str, str] | str | None, lang: str) -> str:
    """The text in ``lang``, falling back to the other language rather than to nothing."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang) or next((v for v in text.values() if v), "")


class Catalog:
    """A module's own bilingual messages, formatted with ``str.format`` parameters."""

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        missing = [k for k, v in messages.items() if set(v) != set(LANGS)]
        if missing:
            raise ValueError(f"messages without both languages: {missing}")
        self._messages = dict(messages)

    def __call__(self, key: str, lang: str, /, **params: object) -> str:
        return pick(self._messages[key], lang).format(**params)

    def __contains__(self, key: str) -> bool:
        return key in self._messages

    def both(self, key: str, /, **params: object) -> dict[str, str]:
        """The message in both languages, for JSON output and stored reasons."""
        return {lang: self(key, lang, **params) for lang in LANGS}


# Labels for the values every part of rolefinder prints: one table, so the interview, the
# report, the trace and the plans never disagree on a word (they once said 确认 and 确定).
VALUE_TEXTS: dict[str, dict[str, str]] = {
    "confirmed": {"en": "confirmed", "zh": "确认"},
    "probable": {"en": "probable", "zh": "很可能"},
    "possible": {"en": "possible", "zh": "可能"},
    "ruled_out": {"en": "ruled out", "zh": "排除"},
    "undecided": {"en": "undecided", "zh": "未定"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "unsure": {"en": "unsure", "zh": "不确定"},
    "high": {"en": "high", "zh": "高"},
    "medium": {"en": "medium", "zh": "中"},
    "low": {"en": "low", "zh": "低"},
    "unknown": {"en": "unknown", "zh": "未知"},
    "champion": {"en": "champion", "zh": "教练(内线)"},
    "supporter": {"en": "supporter", "zh": "支持"},
    "neutral": {"en": "neutral", "zh": "中立"},
    "opponent": {"en": "opponent", "zh": "反对"},
}


def value_label(value: str | None, lang: str) -> str:
    """A status, answer, influence or attitude in ``lang`` (``None`` reads as undecided)."""
    return pick(VALUE_TEXTS.get(value or "undecided"), lang) or str(value)


INDUSTRIES = {
    "manufacturing": {"zh": "制造业", "en": "manufacturing"},
    "healthcare": {"zh": "医疗", "en": "healthcare"},
    "hospital": {"zh": "医院", "en": "hospital"},
    "pharma": {"zh": "医药", "en": "pharmaceuticals"},
    "finance": {"zh": "金融", "en": "finance"},
    "banking": {"zh": "银行", "en": "banking"},
    "software": {"zh": "软件", "en": "software"},
    "government": {"zh": "政府", "en": "government"},
    "education": {"zh": "教育", "en": "education"},
    "retail": {"zh": "零售", "en": "retail"},
}


def industry_label(industry: str | None, lang: str) -> str:
    """An account's industry as a reader of ``lang`` would name it (ids no one knows stay as written)."""
    if not industry:
        return ""
    return pick(INDUSTRIES.get(industry.lower()), lang) or industry


# Derived facts (``seniority: executive``) as a reader would say them. Fact names and values
# are ids in the packs; a value a pack adds without a label here prints as its id.
FACT_TEXTS: dict[str, dict[str, str]] = {
    "seniority": {"en": "seniority", "zh": "职级"},
    "function": {"en": "function", "zh": "职能"},
    "executive": {"en": "executive", "zh": "高层管理者"},
    "owner": {"en": "chair and chief executive", "zh": "董事长兼一把手"},
    "chief": {"en": "executive-team member", "zh": "高管团队成员"},
    "deputy": {"en": "deputy", "zh": "副职"},
    "manager": {"en": "manager", "zh": "经理"},
    "supervisor": {"en": "supervisor", "zh": "班组长"},
    "staff": {"en": "staff", "zh": "员工"},
    "assistant": {"en": "assistant", "zh": "助理"},
    "procurement": {"en": "procurement", "zh": "采购"},
    "finance": {"en": "finance", "zh": "财务"},
    "audit": {"en": "audit", "zh": "审计"},
    "legal": {"en": "legal", "zh": "法务"},
    "it": {"en": "IT", "zh": "信息技术"},
    "engineering": {"en": "engineering", "zh": "工程技术"},
    "operations": {"en": "operations", "zh": "生产运营"},
    "administration": {"en": "administration", "zh": "行政"},
    "sales": {"en": "sales", "zh": "销售"},
    "hr": {"en": "human resources", "zh": "人力资源"},
    "quality": {"en": "quality", "zh": "质量"},
    "clinical": {"en": "clinical", "zh": "临床"},
    "medical_equipment": {"en": "medical equipment", "zh": "医学装备"},
    "pharmacy": {"en": "pharmacy", "zh": "药剂"},
    "medical_affairs": {"en": "medical affairs", "zh": "医务"},
    "maintenance": {"en": "maintenance", "zh": "设备维修"},
    "ehs": {"en": "safety and environment", "zh": "安全环保"},
    "risk": {"en": "risk management", "zh": "风险管理"},
    "security": {"en": "information security", "zh": "信息安全"},
    "nursing_admin": {"en": "nursing administration", "zh": "护理管理"},
    "public_service": {"en": "line division", "zh": "业务处室"},
    "academic": {"en": "teaching and research", "zh": "教学科研"},
    "assets": {"en": "assets and laboratories", "zh": "资产与实验室"},
    # the account's setting: what is sold, how it is bought, what it serves
    "equipment": {"en": "equipment", "zh": "设备"},
    "drug": {"en": "drug", "zh": "药品"},
    "consumable": {"en": "consumables", "zh": "耗材"},
    "software": {"en": "software", "zh": "软件"},
    "service": {"en": "service", "zh": "服务"},
    "direct": {"en": "direct purchase", "zh": "直接采购"},
    "tender": {"en": "tender", "zh": "招标"},
    "enterprise": {"en": "the whole enterprise", "zh": "全企业"},
    "teaching": {"en": "teaching", "zh": "教学"},
    "laboratory": {"en": "laboratory", "zh": "实验室"},
    "nursing": {"en": "nursing", "zh": "护理"},
    "imaging": {"en": "imaging", "zh": "影像"},
    "safety": {"en": "safety", "zh": "安全"},
    "unknown": {"en": "unknown", "zh": "未知"},
}


def fact_label(word: str, lang: str) -> str:
    """A derived fact's name or value in ``lang`` (its id when no label is known)."""
    return pick(FACT_TEXTS.get(word), lang) or word
