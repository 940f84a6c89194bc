"""Gaps and red flags of a whole account: what the rep should worry about next.

Each finding names the contacts it is about and carries its message in both languages, so
the table, the JSON and the plans all say the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from rolefinder.i18n import Catalog, pick

if TYPE_CHECKING:
    from rolefinder.account import Account
    from rolefinder.identification import ContactResult
    from rolefinder.knowledge import Knowledge

MESSAGES = Catalog(
    {
        "no_decision_maker": {
            "en": "No decision maker identified: find out who has the final say.",
            "zh": "尚未识别出决策者:弄清楚谁拥有最终决定权。",
        },
        "several_final_say": {
            "en": "{count} people are said to have the final say ({names}): find out how they decide together.",
            "zh": "有 {count} 人被认为拥有最终决定权({names}):弄清楚他们如何共同决策。",
        },
        "opponent_high_influence": {
            "en": "{name} has high influence and opposes us: plan how to address their concerns.",
            "zh": "{name} 影响力高且反对我们:制定化解其顾虑的计划。",
        },
        "no_champion": {
            "en": "No champion (coach) inside the account: nobody sells for us when we are not there.",
            "zh": "客户内部没有支持我们的教练(内线):我们不在场时没人替我们说话。",
        },
        "role_uncovered": {
            "en": "Nobody identified as {role} yet.",
            "zh": "尚未识别出{role}。",
        },
        "single_threaded": {
            "en": "Only one person engaged so far: a deal that rests on one contact is fragile.",
            "zh": "目前只接触了一个人:只依赖一个联系人的项目很脆弱。",
        },
        "nobody_engaged": {
            "en": "Nobody engaged yet: no answers and no supporters recorded.",
            "zh": "还没有真正接触任何人:没有记录任何回答,也没有支持者。",
        },
        "no_contacts": {
            "en": "The account has no contacts yet.",
            "zh": "该客户还没有任何联系人。",
        },
        "unsure_answers": {
            "en": "{name}: {count} question(s) answered 'unsure' ({questions}): find out at the next visit.",
            "zh": "{name}:{count} 个问题回答为“不确定”({questions}):下次拜访时弄清楚。",
        },
        "decision_maker_unknown_attitude": {
            "en": "The attitude of decision maker {name} towards us is unknown.",
            "zh": "决策者 {name} 对我们的态度尚不清楚。",
        },
    }
)
SEVERITY = {
    "no_contacts": "red_flag",
    "no_decision_maker": "red_flag",
    "several_final_say": "red_flag",
    "opponent_high_influence": "red_flag",
    "no_champion": "red_flag",
    "single_threaded": "red_flag",
    "nobody_engaged": "red_flag",
    "role_uncovered": "gap",
    "decision_maker_unknown_attitude": "gap",
    "unsure_answers": "gap",
}


class Gap(NamedTuple):
    code: str
    severity: str  # "red_flag" or "gap"
    message: dict[str, str]
    contacts: tuple[str, ...] = ()
    role: str | None = None

    def text(self, lang: str) -> str:
        return pick(self.message, lang)

    def to_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "severity": self.severity, "message": self.message,
               "contacts": list(self.contacts)}
        if self.role:
            out["role"] = self.role
        return out


def _gap(code: str, contacts: tuple[str, ...] = (), role: str | None = None, **params) -> Gap:
    return Gap(code, SEVERITY[code], MESSAGES.both(code, **params), contacts, role)


def find_gaps(account: Account, results: list[ContactResult], knowledge: Knowledge) -> list[Gap]:
    if not results:
        return [_gap("no_contacts")]
    gaps: list[Gap] = []
    deciders = [r for r in results if "decision_maker" in r.held]
    claims = [r for r in results if r.contact.answers.get("final_say") == "yes"]
    if not deciders:
        gaps.append(_gap("no_decision_maker"))
    if len(claims) > 1:
        gaps.append(_gap("several_final_say", tuple(r.contact.id for r in claims), count=len(claims),
                         names=", ".join(r.contact.name for r in claims)))
    gaps += [
        _gap("opponent_high_influence", (r.contact.id,), name=r.contact.name)
        for r in results
        if r.contact.attitude == "opponent" and r.contact.influence == "high"
    ]
    if not any(r.contact.attitude == "champion" for r in results):
        gaps.append(_gap("no_champion"))
    engaged = [r for r in results if r.contact.answers or r.contact.attitude in ("champion", "supporter")]
    if len(engaged) == 1 and len(results) > 1:
        gaps.append(_gap("single_threaded", (engaged[0].contact.id,)))
    elif not engaged:
        gaps.append(_gap("nobody_engaged"))
    gaps += [
        _gap("decision_maker_unknown_attitude", (r.contact.id,), name=r.contact.name)
        for r in deciders
        if r.contact.attitude is None
    ]
    for role in knowledge.roles.values():
        if role.expected and role.id != "decision_maker" and not any(role.id in r.held for r in results):
            gaps.append(Gap("role_uncovered", SEVERITY["role_uncovered"],
                            {lang: MESSAGES("role_uncovered", lang, role=role.label[lang])
                             for lang in role.label}, (), role.id))
    for r in results:
        unsure = [q for q, a in r.contact.answers.items() if a == "unsure"]
        if unsure:
            gaps.append(_gap("unsure_answers", (r.contact.id,), name=r.contact.name,
                             count=len(unsure), questions=", ".join(unsure)))
    return gaps
