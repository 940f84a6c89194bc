"""``rolefinder demo``: a built-in case end to end, for a first look and for trainers."""

from __future__ import annotations

from pathlib import Path

import click

from rolefinder.cli import lang_option, resolve_lang
from rolefinder.i18n import Catalog, pick
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
              help="Directory for the account plan (default: the current directory). "
                   "客户计划的输出目录(默认:当前目录)。")
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
    click.echo(render_identification(result, lang))
    key = case.get("key", {})
    right = sum(1 for r in result.contacts if set(r.held) == set(key.get(r.contact.id, [])))
    click.echo()
    click.echo(T("key", lang, right=right, total=len(result.contacts)))
    decider = next((r for r in result.contacts if r.primary_role == "decision_maker"), None)
    if decider is not None:
        click.echo()
        click.echo(render_explanation(result, decider.contact.id, lang))
    from rolefinder.plans import write_plan

    folder = Path(out_dir or ".")
    folder.mkdir(parents=True, exist_ok=True)  # --out names a folder to write into; make it
    target = folder / f"{name}-plan.{lang}.html"
    path = write_plan(result, target, fmt="html", lang=lang)
    click.echo()
    click.echo(T("plan", lang, path=path.resolve()))
    click.echo(T("next", lang, case=name))
