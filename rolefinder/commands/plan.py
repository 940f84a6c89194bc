"""``rolefinder plan`` (the printable account plan) and ``rolefinder visit`` (one visit brief)."""

from __future__ import annotations

import click

from rolefinder.cli import emit, lang_option, resolve_lang, rules_option
from rolefinder.commands import login_name
from rolefinder.commands.many import finish, jobs_option, outcomes
from rolefinder.i18n import Catalog

T = Catalog({"written": {"en": "Plan written to {path}", "zh": "计划已写入 {path}"},
             "is_dir": {"en": "it is a directory; give a file name (a directory is for several files)",
                        "zh": "这是一个目录;请给出文件名(多个文件时才用目录)"},
             "need_dir": {"en": "with several files, -o names a directory (one plan per file)",
                          "zh": "处理多个文件时,-o 应为目录(每个文件生成一份计划)"}})

_START_HELP = ("First day of the action calendar, YYYY-MM-DD (default: today). "
               "行动日历的起始日期。")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "output", required=True, type=click.Path(),
              help="Where to write the plan; its suffix (.md .html .txt .pdf) sets the format. "
                   "With several files or a directory: a directory, one plan per file (html unless "
                   "--format says otherwise). 计划的输出文件;多个文件时为输出目录。")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "txt", "pdf"]), default=None,
              help="md, html, txt or pdf (pdf needs: pip install 'rolefinder[pdf]'); "
                   "default: from the output's suffix. 输出格式,默认按文件后缀判断。")
@click.option("--start", default=None, metavar="DATE", help=_START_HELP)
@click.option("--author", default=None, metavar="NAME",
              help="Who prepared the plan, printed under the title (default: the login name). "
                   "编制人,印在标题下方(默认:登录名)。")
@click.option("--evidence", is_flag=True,
              help="Add an appendix with every piece of evidence: rule ids and certainty factors. "
                   "附加证据附录:规则编号与确定性因子。")
@jobs_option
@lang_option
@rules_option
def plan(files: tuple[str, ...], output: str, fmt: str | None, start: str | None, author: str | None,
         evidence: bool, jobs: int, lang: str | None, rules: tuple[str, ...]) -> None:
    """Write the account plan for FILE: classification, buying-center map, visits, calendar.

    生成客户计划:客户分级及依据、采购决策链地图、角色与证据、缺口与风险、按优先级排序的
    拜访计划、行动日历和效果评估。The HTML prints on A4 without network or JavaScript.
    """
    from pathlib import Path

    from rolefinder.account import check_writable, load_account
    from rolefinder.identification import identify
    from rolefinder.plans import format_for, parse_start, write_plan

    lang = resolve_lang(lang)
    author = author if author is not None else login_name("")
    if len(files) > 1 or Path(files[0]).is_dir():
        _many(files, output, fmt or "html", parse_start(start), author, evidence, jobs, lang, rules)
        return
    file = files[0]
    if output == "-":  # standard output: text unless --format says otherwise
        _to_stdout(file, fmt or "txt", parse_start(start), author, evidence, lang, rules)
        return
    if Path(output).is_dir():
        from rolefinder.errors import InputError, Problem

        raise InputError([Problem(output, None, "-o", "is_dir", {}, T)])
    fmt = format_for(output, fmt)
    when = parse_start(start)
    check_writable(output)
    result = identify(load_account(file, rules=rules))
    path = write_plan(result, output, fmt, lang, when, author, evidence)
    click.echo(T("written", lang, path=path))


def _to_stdout(file: str, fmt: str, when, author: str, evidence: bool, lang: str,
               rules: tuple[str, ...]) -> None:
    import sys

    from rolefinder.account import load_account
    from rolefinder.identification import identify
    from rolefinder.plans import render_plan

    rendered = render_plan(identify(load_account(file, rules=rules)), fmt, lang, when, author, evidence)
    if isinstance(rendered, bytes):
        sys.stdout.buffer.write(rendered)
        sys.stdout.flush()
    else:
        click.echo(rendered, nl=False)


def _many(files: tuple[str, ...], output: str, fmt: str, when, author: str, evidence: bool, jobs: int,
          lang: str, rules: tuple[str, ...]) -> None:
    """One plan per account file, written into the directory ``output`` (created if missing)."""
    from functools import partial
    from pathlib import Path

    from rolefinder.batch import collect, plan_task
    from rolefinder.errors import InputError, Problem

    target = Path(output)
    if target.exists() and not target.is_dir():
        raise InputError([Problem(output, None, "-o", "need_dir", {}, T)])
    paths = collect(files)
    target.mkdir(parents=True, exist_ok=True)
    task = partial(plan_task, rules=rules, directory=str(target), fmt=fmt, lang=lang, start=when,
                   author=author, evidence=evidence)
    for path in outcomes(task, paths, jobs, rules, lang):
        click.echo(T("written", lang, path=path))
    finish(lang)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("contact")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text",
              show_default=True, help="text for people, md for notes, json for scripts. 输出格式。")
@click.option("--start", default=None, metavar="DATE", help=_START_HELP)
@lang_option
@rules_option
def visit(file: str, contact: str, fmt: str, start: str | None, lang: str | None,
          rules: tuple[str, ...]) -> None:
    """Print the one-page brief for the next visit to CONTACT (an id) in FILE.

    打印下次拜访某位联系人的一页简报:角色、关注点、目标、关键信息、材料、拜访人、形式
    和待弄清的问题。
    """
    from rolefinder.account import load_account
    from rolefinder.identification import identify
    from rolefinder.plans import brief_data, parse_start, render_brief

    lang = resolve_lang(lang)
    when = parse_start(start)
    result = identify(load_account(file, rules=rules))
    if fmt == "json":
        emit(brief_data(result, contact, lang, when), "json")
        return
    click.echo(render_brief(result, contact, "md" if fmt == "md" else "txt", lang, when), nl=False)
