"""``identify --trace``: the inference printed as it happens, for trainers on a projector.

:class:`TracePrinter` is a listener for :func:`rolefinder.identification.identify`. For each rule
firing it prints the rule id, the contact, the facts the rule matched (with the contact's actual
values, so the audience sees *why* it matched), the evidence it added and how the role's
certainty moved. It keeps its own running MYCIN total per (contact, role), counting each rule
once with its strongest conclusion, exactly as the engine does, so the last "after" it prints
for a role is the certainty ``identify`` reports.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, Any

import click

from rolefinder.account import Account, Contact
from rolefinder.certainty import combine_all
from rolefinder.engine import Firing
from rolefinder.i18n import Catalog, pick, value_label
from rolefinder.knowledge import RuleSpec, TextMatch, Thresholds

TEXT = Catalog(
    {
        "matched": {"en": "matched", "zh": "匹配"},
        "evidence": {"en": "evidence", "zh": "证据"},
        "fact": {"en": "derived fact", "zh": "推导事实"},
        "weaker": {
            "en": "weaker than this rule's earlier conclusion: no change",
            "zh": "弱于此规则先前的结论:不变",
        },
        "manager": {"en": "manager {who} is {role}", "zh": "上级 {who} 是{role}"},
        "no_manager": {"en": "reports to nobody", "zh": "没有上级"},
        "has_reports": {"en": "has people reporting to them", "zh": "有下属"},
        "no_reports": {"en": "nobody reports to them", "zh": "没有下属"},
        "step": {"en": "  [Enter] next firing · c + Enter: run to the end",
                 "zh": "  [回车] 下一次触发 · 输入 c 回车:一直运行到结束"},
        "title": {"en": "title", "zh": "职务"},
        "department": {"en": "department", "zh": "部门"},
    }
)


def supports_color(stream: IO[str] | None = None) -> bool:
    """Colours only on a real terminal, and never when NO_COLOR is set or TERM is dumb."""
    from rolefinder.inert import colour_allowed

    return colour_allowed(stream or sys.stdout)


def _hit(match: TextMatch, text: str) -> str:
    """The keyword (or pattern) that made a text condition match: short enough for a slide."""
    low = text.lower()
    for word in match.keywords:
        if word in low:
            return word
    if match.regex is not None and match.regex.search(low):
        return f"/{match.regex.pattern}/"
    return match.describe()


def _read_line() -> str:
    return sys.stdin.readline()


class TracePrinter:
    """Prints each firing; with ``step`` it waits for Enter after each one.

    ``echo`` and ``wait`` are injectable so tests (and other front ends) can capture the
    output and script the pauses; ``wait`` returns the line typed (``c`` stops stepping).
    """

    def __init__(
        self,
        account: Account | None = None,
        *,
        lang: str = "en",
        color: bool = False,
        step: bool = False,
        echo: Callable[[str], Any] | None = None,
        wait: Callable[[], str] | None = None,
        lookahead: bool = False,
    ) -> None:
        self.lang = lang
        self.color = color
        self.step = step
        self.echo = echo or click.echo
        self.wait = wait or _read_line
        self.lookahead = lookahead
        self.count = 0
        self.current: str | None = None
        self.contacts: dict[str, Contact] = {c.id: c for c in account.contacts} if account else {}
        managers = {c.reports_to for c in self.contacts.values()}
        self.has_reports = {cid: cid in managers for cid in self.contacts}
        knowledge = account.knowledge if account else None
        self.labels = {rid: r.label for rid, r in knowledge.roles.items()} if knowledge else {}
        self.thresholds = knowledge.thresholds if knowledge else Thresholds()
        self.rule_cf: dict[tuple[str, str], dict[str, float]] = {}  # (contact, role) -> rule -> cf
        self.facts: dict[tuple[str, str], float] = {}  # (contact, fact name) -> cf

    # ------------------------------------------------------------------ output helpers
    def style(self, text: str, **kwargs: Any) -> str:
        from rolefinder.inert import style

        return style(text, **kwargs) if self.color else text

    def t(self, key: str, **params: object) -> str:
        return TEXT(key, self.lang, **params)

    def who(self, cid: str) -> str:
        contact = self.contacts.get(cid)
        return f"{contact.name} [{cid}]" if contact else f"[{cid}]"

    def describe(self, cid: str) -> str:
        """The contact's banner: who they are and where they sit, before their firings."""
        contact = self.contacts.get(cid)
        if contact is None:
            return self.who(cid)
        parts = [self.who(cid), contact.title, contact.department]
        return " · ".join(p for p in parts if p)

    def role_name(self, role: str) -> str:
        label = self.labels.get(role)
        return f"{role} ({pick(label, self.lang)})" if label else role

    # ------------------------------------------------------------------ the listener
    def __call__(self, firing: Firing) -> None:
        if firing.kind == "lookahead" and not self.lookahead:
            return
        if firing.contact != self.current:
            self.current = firing.contact
            self.echo(self.style(f"── {self.describe(firing.contact)} ──", fg="yellow", bold=True))
        self.count += 1
        head = f"#{self.count} {self.style(firing.rule.id, fg='cyan', bold=True)} · "
        self.echo(head + self.style(self.who(firing.contact), bold=True))
        matched = self.matched(firing.rule, firing.contact)
        if matched:
            self.echo(f"   {self.t('matched')}: " + "; ".join(matched))
        self.echo("   " + self.effect(firing))
        if self.step:
            self.pause()

    def pause(self) -> None:
        self.echo(self.style(self.t("step"), dim=True))
        line = self.wait()
        if not line or line.strip().lower() == "c":  # c, or the end of input: run to the end
            self.step = False

    def effect(self, firing: Firing) -> str:
        """The evidence line: what the firing concluded and how the certainty moved."""
        if firing.kind == "fact":
            name = firing.target.split("=", 1)[0]
            self.facts[(firing.contact, name)] = firing.cf
            return f"→ {self.t('fact')} {firing.target} (cf {firing.cf:.2f})"
        if firing.kind == "lookahead":
            question, answer = firing.answer or ("?", "?")
            return f"⋯ if {question} = {answer}: {self.role_name(firing.target)} {firing.cf:+.2f}"
        return self.role_effect(firing)

    def role_effect(self, firing: Firing) -> str:
        slot = self.rule_cf.setdefault((firing.contact, firing.target), {})
        before = combine_all(slot.values())
        old = slot.get(firing.rule.id)
        colour = "green" if firing.cf >= 0 else "red"
        added = self.style(f"{firing.cf:+.2f}", fg=colour, bold=True)
        text = f"→ {self.t('evidence')}: {self.role_name(firing.target)} {added}"
        if old is not None and abs(old) >= abs(firing.cf):
            return f"{text} ({self.t('weaker')})"
        slot[firing.rule.id] = firing.cf
        after = combine_all(slot.values())
        status = self.thresholds.status(after)
        label = value_label(status, self.lang)
        return f"{text}; cf {before:.2f} → {self.style(f'{after:.2f}', bold=True)} ({label})"

    # ------------------------------------------------------------------ what matched
    def matched(self, spec: RuleSpec, cid: str) -> list[str]:
        """The rule's conditions, each shown with the value the contact actually has."""
        contact = self.contacts.get(cid)
        if contact is None:
            return spec.describe_conditions()
        out = [f"{q} = {contact.answers.get(q, '—')}" for q, _ in spec.answers]
        if spec.title:
            out.append(f"{self.t('title')} “{contact.title}” ~ {_hit(spec.title, contact.title)}")
        if spec.department:
            hit = _hit(spec.department, contact.department)
            out.append(f"{self.t('department')} “{contact.department}” ~ {hit}")
        out += [f"{k} = {getattr(contact, k, None) or 'none'}" for k, _ in spec.contact]
        for name, values in spec.facts:
            cf = self.facts.get((cid, name))
            shown = "/".join(sorted(values))
            out.append(f"{name} = {shown}" + (f" (cf {cf:.2f})" if cf is not None else ""))
        out += self.org_conditions(spec, contact)
        return out

    def org_conditions(self, spec: RuleSpec, contact: Contact) -> list[str]:
        out = []
        if spec.manager == "none":
            out.append(self.t("no_manager"))
        elif isinstance(spec.manager, tuple) and contact.reports_to:
            role = self.role_name(spec.manager[0])
            out.append(self.t("manager", who=self.who(contact.reports_to), role=role))
        if spec.has_reports is not None:
            out.append(self.t("has_reports" if self.has_reports.get(contact.id) else "no_reports"))
        return out
