"""``rolefinder demo``: a built-in case end to end, for a first look and for trainers."""

from __future__ import annotations

from pathlib import Path

import click

from rolefinder.cli import lang_option, resolve_lang
from rolefinder.i18n import Catalog, pick, value_label
from rolefinder.inert import style

T = Catalog(
    {
        "case": {"en": "Built-in case: {title}", "zh": "内置案例:{title}"},
        "scenario": {"en": "Scenario", "zh": "场景"},
        "result": {"en": "What rolefinder concludes", "zh": "rolefinder 的结论"},
        "key": {"en": "Answer key: {right} of {total} contacts identified exactly.",
                "zh": "参考答案:{total} 位联系人中 {right} 位完全识别正确。"},
        "explain": {"en": "Why {name} is a {role}:", "zh": "为什么 {name} 是{role}:"},
        "plan": {"en": "Account plan written to {path}", "zh": "客户计划已写入 {path}"},
        "ask_head": {"en": "Where an interview starts: with the org chart alone (no answers yet), "
                           "rolefinder would first ask {name} ({title}):",
                     "zh": "访谈从哪里开始:只有组织架构、还没有任何回答时,rolefinder 会先问{name}({title}):"},
        "ask_why": {"en": "What each answer would change: {changes}", "zh": "每种回答会改变的结论:{changes}"},
        "next": {
            "en": "Try: rolefinder cases export {case} -o my-account.yaml; rolefinder identify my-account.yaml",
            "zh": "试试:rolefinder cases export {case} -o my-account.yaml;rolefinder identify my-account.yaml",
        },
    }
)


@click.command()
@click.option("--case", "case_name", default=None,
              help="Which built-in case (default: the MES case). 选择内置案例(默认:MES 案例)。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Directory for the account plan (default: a new temporary directory, so a "
                   "checkout stays clean). 客户计划的输出目录(默认:新建的临时目录)。")
@lang_option
def demo(case_name: str | None, out_dir: str | None, lang: str | None) -> None:
    """Run a built-in case end to end and show the result.

    运行一个内置案例:展示场景、识别结果、对照参考答案,并解释一个结论。
    """
    from rolefinder.casebook import DEMO_CASE, load_case
    from rolefinder.identification import identify
    from rolefinder.report import render_explanation, render_identification

    lang = resolve_lang(lang)
    name = case_name or DEMO_CASE
    account = load_case(name)
    case = account.case or {}
    click.echo(style(T("case", lang, title=pick(case.get("title"), lang)), bold=True))
    click.echo(pick(case.get("scenario"), lang).strip())
    click.echo()
    result = identify(account)
    from rolefinder.textwidth import terminal_width

    columns = terminal_width()
    click.echo(render_identification(result, lang, columns=columns))
    key = case.get("key", {})
    right = sum(1 for r in result.contacts if set(r.held) == set(key.get(r.contact.id, [])))
    click.echo()
    click.echo(T("key", lang, right=right, total=len(result.contacts)))
    decider = next((r for r in result.contacts if r.primary_role == "decision_maker"), None)
    if decider is not None:
        click.echo()
        click.echo(render_explanation(result, decider.contact.id, lang, columns=columns))
    _first_question(account, lang, columns)
    from rolefinder.plans import write_plan

    if out_dir is None:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="rolefinder-demo-"))
    else:
        folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)  # --out names a folder to write into; make it
    target = folder / f"{name}-plan.{lang}.html"
    path = write_plan(result, target, fmt="html", lang=lang)
    click.echo()
    click.echo(T("plan", lang, path=path.resolve()))
    click.echo(T("next", lang, case=name))


def _first_question(account, lang: str, columns: int) -> None:
    """The interview's first question for the same org chart without answers: what
    rolefinder is for, when a rep has only names and titles."""
    import dataclasses

    from rolefinder.identification import identify
    from rolefinder.textwidth import wrap

    bare = dataclasses.replace(account, contacts=[dataclasses.replace(c, answers={})
                                                  for c in account.contacts])
    result = identify(bare)
    asked = [r for r in result.contacts if r.next_question is not None]
    if not asked:
        return
    best = max(asked, key=lambda r: r.next_question.worth)
    question = best.next_question
    labels = result.knowledge.roles
    changes = "; ".join(
        f"{value_label(answer, lang)} → " + ", ".join(
            f"{pick(labels[e.role].label, lang)} {value_label(e.after, lang)}" for e in effects)
        for answer, effects in question.effects.items() if effects)
    click.echo()
    for line in [T("ask_head", lang, name=best.contact.name, title=best.contact.title or best.contact.id),
                 "  " + pick(question.text, lang),
                 "  " + T("ask_why", lang, changes=changes)]:
        for out in wrap(line, columns, "    "):
            click.echo(out)
