"""``rolefinder import``: a CRM contact export (CSV) to one account file per account."""

from __future__ import annotations

import click

from rolefinder.cli import emit, format_option, lang_option, resolve_lang
from rolefinder.i18n import Catalog

T = Catalog(
    {
        "read": {"en": "Read {rows} contacts from {file} ({layout} layout, {encoding}).",
                 "zh": "已从 {file} 读取 {rows} 位联系人({layout} 格式,{encoding} 编码)。"},
        "written": {"en": "  {path}: {account}, {count} contacts",
                    "zh": "  {path}:{account},{count} 位联系人"},
        "next": {"en": "Next: rolefinder identify {path} · rolefinder interview {path}",
                 "zh": "下一步:rolefinder identify {path} · rolefinder interview {path}"},
        "schema": {"en": "  {path}: the JSON Schema editors use to check these files",
                   "zh": "  {path}:编辑器用来检查这些文件的 JSON Schema"},
    }
)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Directory for the account files (one per account). 账户文件的输出目录。")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="Say which column holds which field, e.g. --map 'Owner Title=title' or "
                   "--map Role=ignore. Repeatable. 指定列与字段的对应关系,可重复。")
@click.option("--account", "account", default=None, metavar="NAME",
              help="Put every row into this account (for files without an account column). "
                   "所有行都归入该客户(适用于没有客户列的文件)。")
@click.option("--encoding", default=None,
              help="The file's text encoding when detection fails (e.g. cp1252). 检测失败时指定文件编码。")
@click.option("--force", is_flag=True, help="Overwrite account files that exist. 覆盖已存在的文件。")
@format_option("text", "json")
@lang_option
def import_(file: str, output: str, mapping: tuple[str, ...], account: str | None, encoding: str | None,
            force: bool, fmt: str, lang: str | None) -> None:
    """Turn a CRM contact export (Salesforce, HubSpot or plain CSV) into account files.

    把 CRM 导出的联系人表(Salesforce、HubSpot 或普通 CSV)转换为每个客户一个账户文件。
    Names, titles, departments and the reports-to tree are kept; roles the CRM already holds
    go into the notes as hints, never into the answers. 已有的角色只作为备注提示,不会当作回答。
    """
    from pathlib import Path

    from rolefinder.account import atomic_write
    from rolefinder.crm import import_file, parse_map, plan_writes
    from rolefinder.schema import write_schema_beside

    lang = resolve_lang(lang)
    result = import_file(file, overrides=parse_map(mapping, file), account=account, encoding=encoding)
    Path(output).mkdir(parents=True, exist_ok=True)
    writes = plan_writes(result, output, force)
    for problem in result.warnings:
        click.echo(problem.render(lang), err=True)
    for path, text in writes:
        atomic_write(path, text)
    schema = write_schema_beside(output)
    if fmt == "json":
        emit({"file": file, "layout": result.layout, "encoding": result.encoding, "columns": result.columns,
              "accounts": [{"path": str(p), "name": a.name, "contacts": len(a.contacts)}
                           for (p, _), (_, a) in zip(writes, result.accounts, strict=True)],
              "schema": str(schema) if schema else None,
              "warnings": [w.render(lang) for w in result.warnings]}, "json")
        return
    rows = sum(len(a.contacts) for _, a in result.accounts)
    click.echo(T("read", lang, rows=rows, file=file, layout=result.layout, encoding=result.encoding))
    for (path, _), (_, acc) in zip(writes, result.accounts, strict=True):
        click.echo(T("written", lang, path=path, account=acc.name, count=len(acc.contacts)))
    if schema:
        click.echo(T("schema", lang, path=schema))
    click.echo(T("next", lang, path=writes[0][0]))
