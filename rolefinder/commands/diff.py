"""``rolefinder diff``: what changed between two versions of an account (or two exports)."""

from __future__ import annotations

import click

from rolefinder.cli import emit, format_option, lang_option, resolve_lang, rules_option


@click.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@format_option("text", "json")
@lang_option
@rules_option
def diff(old: str, new: str, fmt: str, lang: str | None, rules: tuple[str, ...]) -> None:
    """Show what changed from OLD to NEW: contacts, roles, attitude, influence, red flags.

    比较同一客户的两个版本(客户文件或 `export --to csv` 导出表):新增和移除的联系人、
    获得和失去的角色、态度和影响力的变化、新出现的风险信号。Both sides are identified with
    the same packs, so the roles compared are today's conclusions from each version's facts.
    """
    from rolefinder.diffing import compare, render, snapshot

    lang = resolve_lang(lang)
    before, after = snapshot(old, rules), snapshot(new, rules)
    result = compare(before, after)
    if fmt == "json":
        emit(result, "json")
        return
    click.echo(render(result, {**before.labels, **after.labels}, lang))
