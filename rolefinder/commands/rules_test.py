"""``rolefinder rules test``: run the cases and the packs' own tests against the rule packs.

The lead's ``rules`` group adds :func:`test` as its ``test`` subcommand.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from rolefinder.cli import emit, format_option, lang_option, resolve_lang
from rolefinder.i18n import Catalog, pick
from rolefinder.inert import style

T = Catalog(
    {
        "pass": {"en": "PASS", "zh": "通过"},
        "fail": {"en": "FAIL", "zh": "失败"},
        "case": {"en": "case", "zh": "案例"},
        "pack": {"en": "pack test", "zh": "规则包测试"},
        "checked": {"en": "{count} contact(s)", "zh": "{count} 位联系人"},
        "expected": {"en": "expected: {roles}; identified: {held}",
                     "zh": "期望:{roles};识别结果:{held}"},
        "missing": {"en": "missing {role} (certainty {cf:+.2f})",
                    "zh": "缺少{role}(确定度 {cf:+.2f})"},
        "unexpected": {"en": "unexpected {role} (certainty {cf:+.2f})",
                       "zh": "多出{role}(确定度 {cf:+.2f})"},
        "no_evidence": {"en": "no rule gave evidence about this role",
                        "zh": "没有规则对该角色给出证据"},
        "none": {"en": "none", "zh": "无"},
        "summary": {"en": "{passed} passed, {failed} failed",
                    "zh": "{passed} 项通过,{failed} 项失败"},
    }
)


@click.command()
@click.argument("directory", required=False, type=click.Path(exists=True))
@click.option("--cases", "cases", multiple=True, type=click.Path(exists=True),
              help="Also check these account files with an answer key (case.key), or every "
                   "*.yaml in a directory. Repeatable. 另外检查这些带参考答案的客户文件。")
@format_option("text", "json", "yaml")
@lang_option
@click.pass_context
def test(ctx: click.Context, directory: str | None, cases: tuple[str, ...], fmt: str,
         lang: str | None) -> None:
    """Run every built-in case and every pack test against the packs (shipped + DIRECTORY).

    用规则包(内置的以及 DIRECTORY 中的)运行所有内置案例和规则包中声明的测试用例,报告通过与失败
    及其证据。Exit code 1 when any test fails, 2 when a pack or file is invalid.
    """
    from rolefinder.knowledge import load_knowledge
    from rolefinder.ruletests import run_tests

    lang = resolve_lang(lang)
    rules = [directory] if directory else []
    outcomes = run_tests(rules, cases)
    failed = sum(not o.passed for o in outcomes)
    if fmt != "text":
        emit({"passed": len(outcomes) - failed, "failed": failed,
              "results": [o.to_dict() for o in outcomes]}, fmt)
    else:
        labels = {rid: r.label for rid, r in load_knowledge(rules=rules,
                                                            all_industries=True).roles.items()}
        for outcome in outcomes:
            _print_outcome(outcome, labels, lang)
        summary = T("summary", lang, passed=len(outcomes) - failed, failed=failed)
        click.echo(style(summary, fg="red" if failed else "green", bold=True))
    if failed:
        ctx.exit(1)


def _print_outcome(outcome, labels: dict[str, dict[str, str]], lang: str) -> None:
    def name(role: str) -> str:
        return f"{role} ({pick(labels[role], lang)})" if role in labels else role

    mark = style(T("pass", lang), fg="green") if outcome.passed else \
        style(T("fail", lang), fg="red", bold=True)
    title = f"  {pick(outcome.title, lang)}" if outcome.title else ""
    click.echo(f"{mark} {T(outcome.kind, lang)} {outcome.id}{title} · "
               f"{T('checked', lang, count=outcome.checked)}")
    if outcome.passed:
        return
    click.echo(f"     {outcome.source}")
    for miss in outcome.mismatches:
        _print_mismatch(miss, name, lang)


def _print_mismatch(miss, name: Callable[[str], str], lang: str) -> None:
    """The contact, what was expected and found, then the evidence for each differing role."""
    roles = ", ".join(map(name, miss.expected)) or T("none", lang)
    held = ", ".join(map(name, miss.held)) or T("none", lang)
    click.echo(f"   {miss.name} [{miss.contact}]: {T('expected', lang, roles=roles, held=held)}")
    for kind, items in (("missing", miss.missing), ("unexpected", miss.unexpected)):
        for role in items:
            click.echo(f"     {T(kind, lang, role=name(role), cf=miss.cf.get(role, 0.0))}")
            evidence = miss.evidence.get(role) or ()
            if not evidence:
                click.echo(f"       · {T('no_evidence', lang)}")
            for item in evidence:
                click.echo(f"       · {item.rule} ({item.certainty:+.2f}): "
                           f"{pick(item.reason, lang)}")
