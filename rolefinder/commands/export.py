"""``rolefinder export``: one row per contact, ready for a CRM's import wizard or a spreadsheet."""

from __future__ import annotations

import click

from rolefinder.cli import lang_option, resolve_lang, rules_option
from rolefinder.commands.many import finish, jobs_option, outcomes
from rolefinder.i18n import Catalog

T = Catalog(
    {
        "written": {"en": "{rows} contacts of {accounts} accounts written to {path} ({target})",
                    "zh": "{accounts} 个客户的 {rows} 位联系人已写入 {path}({target})"},
        "need_output": {"en": "--to xlsx needs -o FILE.xlsx", "zh": "--to xlsx 需要 -o 文件.xlsx"},
    }
)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--to", "target", required=True, type=click.Choice(["salesforce", "hubspot", "csv", "xlsx"]),
              help="The layout: a CRM's import columns and values, or rolefinder's plain table. "
                   "输出格式:CRM 的导入列与取值,或 rolefinder 的普通表格。")
@click.option("-o", "--output", "output", default=None, type=click.Path(dir_okay=False),
              help="Where to write (default: standard output; xlsx needs a file). 输出文件(默认标准输出)。")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists. 覆盖已存在的文件。")
@jobs_option
@lang_option
@rules_option
def export(files: tuple[str, ...], target: str, output: str | None, force: bool, jobs: int,
           lang: str | None, rules: tuple[str, ...]) -> None:
    """Export the identified roles of account FILES (or directories) for a CRM or a spreadsheet.

    导出账户文件(或目录)中每位联系人的角色:映射为 CRM 的取值(rules/crm.yaml)、确定度、状态
    和下一个问题,可直接用 CRM 的导入向导导入。One row per contact; every account in one file.
    """
    from functools import partial
    from pathlib import Path

    from rolefinder.account import atomic_write, check_writable
    from rolefinder.batch import collect, export_task
    from rolefinder.crmexport import columns_for, csv_bytes, xlsx_bytes
    from rolefinder.errors import InputError, Problem

    lang = resolve_lang(lang)
    if target == "xlsx" and output is None:
        raise InputError([Problem(None, None, "--output", "need_output", {}, T)])
    if output is not None:
        if Path(output).exists() and not force:
            raise InputError([Problem(output, None, "", "exists", {})])
        check_writable(output)
    paths = collect(files)
    task = partial(export_task, rules=rules, target=target, lang=lang)
    accounts = list(outcomes(task, paths, jobs, rules, lang))
    rows = [row for account in accounts for row in account]
    columns = columns_for(target)
    data = xlsx_bytes(rows, columns, output) if target == "xlsx" else csv_bytes(rows, columns)
    if output is None:
        click.echo(data.decode("utf-8-sig"), nl=False)
    else:
        atomic_write(output, data)
        click.echo(T("written", lang, rows=len(rows), accounts=len(accounts), path=output, target=target),
                   err=True)
    finish(lang)
