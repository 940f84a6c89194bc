"""``rolefinder schema``: the JSON Schema of account files or rule packs, for editors."""

from __future__ import annotations

import click

from rolefinder.cli import lang_option, resolve_lang, rules_option
from rolefinder.i18n import Catalog

T = Catalog({"written": {"en": "Schema written to {path}", "zh": "Schema 已写入 {path}"}})


@click.command()
@click.argument("kind", type=click.Choice(["account", "pack"]))
@click.option("-o", "--output", "output", default=None, type=click.Path(dir_okay=False),
              help="Write the schema to this file instead of printing it. 写入文件而不是打印。")
@lang_option
@rules_option
def schema(kind: str, output: str | None, lang: str | None, rules: tuple[str, ...]) -> None:
    """Print the JSON Schema of an account file or a rule pack.

    输出账户文件或规则包的 JSON Schema,供编辑器补全和检查字段。The account schema knows the
    questions of every shipped pack and of --rules packs. Files rolefinder writes start with
    `# yaml-language-server: $schema=account.schema.json`: save the schema under that name
    beside them (rolefinder schema account -o account.schema.json).
    """
    from rolefinder.schema import schema_text

    lang = resolve_lang(lang)
    kwargs = {}
    if kind == "account" and rules:
        from rolefinder.knowledge import load_knowledge

        kwargs["knowledge"] = load_knowledge(rules=rules, all_industries=True)
    text = schema_text(kind, **kwargs)
    if output is None:
        click.echo(text, nl=False)
        return
    from rolefinder.account import atomic_write, check_writable

    check_writable(output)
    atomic_write(output, text)
    click.echo(T("written", lang, path=output), err=True)
