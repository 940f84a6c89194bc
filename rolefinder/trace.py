"""``identify --trace``: the reasoning, contact by contact, for trainers on a projector.

The engine's agenda order depends on hash values and on which of two equal derived facts
happened to arrive first, so a trace printed *while* it ran differed from run to run. A trainer
needs to rehearse, so the trace is built from what the run concluded instead: every contact in
org-chart order, each contact's derived facts and then its evidence in the order the rules are
listed in the packs, one step per (rule, conclusion) with its strongest firing, exactly what
``identify`` counts. The running MYCIN total printed for a role therefore ends on the certainty
``identify`` reports, and the same file gives the same bytes on every run and Python version.

:class:`TracePrinter` is both a listener for :func:`rolefinder.identification.identify` (it only
keeps look-ahead firings, shown on request) and the player: :meth:`TracePrinter.play` prints
everything, or steps through it with next/back/next contact/quit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import click

from rolefinder.account import Account, Contact
from rolefinder.casebook import org_chart
from rolefinder.conditions import describe
from rolefinder.engine import Firing
from rolefinder.i18n import Catalog, fact_label, pick, value_label
from rolefinder.textwidth import wrap

TEXT = Catalog(
    {
        "matched": {"en": "matched", "zh": "匹配"},
        "reason": {"en": "reason", "zh": "理由"},
        "outcome": {"en": "⇒ {roles}", "zh": "⇒ {roles}"},
        "no_role": {"en": "no role", "zh": "无角色"},
        "nothing": {"en": "no rule fired for this contact", "zh": "没有规则对此人触发"},
        "if": {"en": "if {question} = {answer}", "zh": "如果 {question} = {answer}"},
        "step": {"en": "  ({at}/{total}) [Enter] next · b back · j next contact · c to the end · q quit",
                 "zh": "  ({at}/{total}) [回车] 下一步 · b 上一步 · j 下一位联系人 · c 一直到结束 · q 退出"},
        "empty": {"en": "(nothing to trace)", "zh": "(没有可演示的推理)"},
    }
)


def supports_color(stream: IO[str] | None = None) -> bool:
    """Colours only on a real terminal, and never when NO_COLOR is set or TERM is dumb."""
    from rolefinder.inert import colour_allowed

    return colour_allowed(stream or sys.stdout)


def _read_line() -> str:
    return sys.stdin.readline()


@dataclass
class Step:
    """One conclusion of one rule for one contact: a summary line and what lies behind it."""

    contact: str
    summary: str
    detail: list[str]


@dataclass
class ContactTrace:
    """A contact's banner, steps and final roles."""

    contact: Contact
    banner: str
    steps: list[Step] = field(default_factory=list)
    outcome: str = ""


class TracePrinter:
    """Builds the trace of an identification and prints or steps through it.

    ``echo`` and ``wait`` are injectable so tests (and other front ends) can capture the
    output and script the pauses; ``wait`` returns the line typed.
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
        width: int | None = None,
    ) -> None:
        self.account = account
        self.lang = lang
        self.color = color
        self.step = step
        self.echo = echo or click.echo
        self.wait = wait or _read_line
        self.lookahead = lookahead
        self.width = width
        self.count = 0
        self.rule_cf: dict[tuple[str, str], dict[str, float]] = {}  # (contact, role) -> rule -> total after it
        self._lookahead: dict[str, dict[tuple[str, str, str, str], float]] = {}

    # ------------------------------------------------------------------ the listener
    def __call__(self, firing: Firing) -> None:
        """Keep look-ahead firings (strongest per rule, role and answer); real ones come from the result."""
        if firing.kind != "lookahead" or not self.lookahead:
            return
        question, answer = firing.answer or ("?", "?")
        slot = self._lookahead.setdefault(firing.contact, {})
        key = (firing.rule.id, firing.target, question, answer)
        if key not in slot or abs(firing.cf) > abs(slot[key]):
            slot[key] = firing.cf

    # ------------------------------------------------------------------ helpers
    def style(self, text: str, **kwargs: Any) -> str:
        from rolefinder.inert import style

        return style(text, **kwargs) if self.color else text

    def t(self, key: str, **params: object) -> str:
        return TEXT(key, self.lang, **params)

    # ------------------------------------------------------------------ building
    def build(self, result: Any, only: str | None = None) -> list[ContactTrace]:
        """Every contact's trace in org-chart order (or only ``only``'s), numbered throughout."""
        knowledge = result.knowledge
        self.order = {spec.id: index for index, spec in enumerate(knowledge.rules)}
        self.knowledge = knowledge
        by_id = {r.contact.id: r for r in result.contacts}
        self.names = {cid: r.contact.name for cid, r in by_id.items()}
        traces, self.count = [], 0
        for _depth, contact in org_chart([r.contact for r in result.contacts]):
            trace = self._contact(by_id[contact.id])
            if only is None or contact.id == only:
                traces.append(trace)
        return traces

    def who(self, contact: Contact) -> str:
        return f"{contact.name} [{contact.id}]"

    def role_label(self, role: str) -> str:
        spec = self.knowledge.roles.get(role)
        return pick(spec.label, self.lang) if spec else role

    def _contact(self, r: Any) -> ContactTrace:
        c = r.contact
        banner = " · ".join(p for p in (self.who(c), c.title, c.department) if p)
        trace = ContactTrace(c, banner)
        facts: dict[str, dict[str, float]] = {}
        for d in sorted(r.derived, key=lambda d: (self.order.get(d.rule, 0), d.name, d.value)):
            spec = self.knowledge.rule(d.rule)
            effect = f"{fact_label(d.name, self.lang)} = {fact_label(d.value, self.lang)} ({d.cf:.2f})"
            trace.steps.append(self._step(c, spec, effect, facts))
            facts.setdefault(d.name, {})[d.value] = d.cf
        # Role by role (in the order their first rule fired), each in the order its evidence
        # combines: the org chart's first (bounded where it ends), then answers, then account rules.
        beliefs = sorted(r.beliefs.values(), key=lambda b: min(
            (self.order.get(e.rule, 0), e.rule) for e in b.evidence) if b.evidence else (0, ""))
        for e, before, after in (step for b in beliefs for step in b.steps()):
            self.rule_cf.setdefault((c.id, e.role), {})[e.rule] = after
            colour = "green" if e.certainty >= 0 else "red"
            status = value_label(r.thresholds.status(after), self.lang)
            effect = (f"{self.role_label(e.role)} {self.style(f'{e.certainty:+.2f}', fg=colour, bold=True)}"
                      f": {before:.2f} → {self.style(f'{after:.2f}', bold=True)} {status}")
            trace.steps.append(self._step(c, self.knowledge.rule(e.rule), effect, facts))
        for (rule, role, question, answer), cf in sorted(self._lookahead.get(c.id, {}).items(),
                                                         key=lambda kv: (self.order.get(kv[0][0], 0), kv[0])):
            effect = (f"⋯ {self.t('if', question=question, answer=value_label(answer, self.lang))}: "
                      f"{self.role_label(role)} {cf:+.2f}")
            trace.steps.append(self._step(c, self.knowledge.rule(rule), effect, facts))
        held = [f"{self.role_label(b.role)} {b.certainty:.2f} {value_label(b.status, self.lang)}"
                for b in r.roles if r.thresholds.holds(b.cf)]
        trace.outcome = self.t("outcome", roles=", ".join(held) or self.t("no_role"))
        return trace

    def _step(self, contact: Contact, spec: Any, effect: str, facts: dict[str, dict[str, float]]) -> Step:
        self.count += 1
        best = {name: max(values.items(), key=lambda kv: kv[1]) for name, values in facts.items()}
        head = f"#{self.count} {self.style(spec.id, fg='cyan', bold=True)} → {effect}"
        manager = self.names.get(contact.reports_to or "")
        matched = describe(spec, self.knowledge, self.lang, contact, best, manager)
        detail = []
        if matched:
            detail.append(f"   {self.t('matched')}: " + "; ".join(matched))
        detail.append(f"   {self.t('reason')}: {pick(spec.reason, self.lang)}")
        return Step(contact.id, head, detail)

    # ------------------------------------------------------------------ printing
    def say(self, text: str, indent: str = "") -> None:
        if self.width is None:
            self.echo(text)
            return
        for line in wrap(text, self.width, indent):
            self.echo(line)

    def play(self, result: Any, only: str | None = None) -> None:
        """Print the whole trace, or step through it when ``step`` is on."""
        traces = self.build(result, only)
        steps = [(ti, si) for ti, t in enumerate(traces) for si in range(len(t.steps))]
        if not self.step:
            for trace in traces:
                self._banner(trace)
                for step in trace.steps:
                    self._show(step)
                self._outcome(trace)
            if not traces:
                self.say(self.t("empty"))
            return
        self._walk(traces, steps)

    def _banner(self, trace: ContactTrace) -> None:
        self.say(self.style(f"── {trace.banner} ──", fg="yellow", bold=True))
        if not trace.steps:
            self.say(f"   {self.t('nothing')}", "   ")

    def _outcome(self, trace: ContactTrace) -> None:
        self.say(f"   {trace.outcome}", "     ")

    def _show(self, step: Step) -> None:
        self.say(step.summary, "      ")
        for line in step.detail:
            self.say(line, "      ")

    def _walk(self, traces: list[ContactTrace], steps: list[tuple[int, int]]) -> None:
        """Step by step: Enter/n next, b back, j next contact, c run to the end, q quit."""
        position, shown_banner = 0, None
        while position < len(steps):
            ti, si = steps[position]
            trace = traces[ti]
            if shown_banner != ti:
                self._banner(trace)
                shown_banner = ti
            self._show(trace.steps[si])
            if si == len(trace.steps) - 1:
                self._outcome(trace)
            self.say(self.style(self.t("step", at=position + 1, total=len(steps)), dim=True))
            line = self.wait()
            command = line.strip().lower()
            if not line or command == "c":  # c, or the end of input: the rest without pauses
                self.step = False
                for ti2, si2 in steps[position + 1:]:
                    if shown_banner != ti2:
                        self._banner(traces[ti2])
                        shown_banner = ti2
                    self._show(traces[ti2].steps[si2])
                    if si2 == len(traces[ti2].steps) - 1:
                        self._outcome(traces[ti2])
                return
            if command in ("q", "quit", "退出"):
                return
            if command in ("b", "back", "返回"):
                position = max(0, position - 1)
                shown_banner = None
            elif command in ("j", "next contact"):
                position = next((i for i, (t, _) in enumerate(steps) if t > ti), len(steps))
            else:
                position += 1
