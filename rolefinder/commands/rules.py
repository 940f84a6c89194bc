"""``rolefinder rules``: check rule packs (and, from trainer mode, test them)."""

from __future__ import annotations

import importlib.util

import click

from rolefinder.cli import emit, format_option, lang_option, resolve_lang
from rolefinder.i18n import Catalog, fact_label, pick

T = Catalog(
    {
        "ok": {"en": "All packs are valid.", "zh": "所有规则包均有效。"},
        "account": {"en": "Account rules {account_rules}; offering patterns {offerings} "
                          "(types: {types}; scopes: {scopes})",
                    "zh": "{account_rules} 条客户层面规则;{offerings} 条销售内容模式(类型:{types};范围:{scopes})"},
        "head": {"en": "Pack", "zh": "规则包"},
        "industries": {"en": "industries", "zh": "适用行业"},
        "always": {"en": "always", "zh": "始终加载"},
        "counts": {"en": "roles: {roles}, questions: {questions}, rules: {rules}",
                   "zh": "{roles} 个角色,{questions} 个问题,{rules} 条规则"},
        "total": {"en": "Total: packs {packs}, roles {roles}, questions {questions}, rules {rules}, "
                        "derived facts {facts}",
                  "zh": "合计:{packs} 个规则包,{roles} 个角色,{questions} 个问题,{rules} 条规则"
                        "({facts} 种推导事实)"},
    }
)


@click.group()
def rules() -> None:
    """Check and test rule packs. 检查和测试规则包。"""


@rules.command()
@click.argument("directory", required=False, type=click.Path(exists=True))
@format_option("text", "json", "yaml")
@lang_option
def check(directory: str | None, fmt: str, lang: str | None) -> None:
    """Validate the shipped packs, plus the packs in DIRECTORY, and summarise them.

    校验内置规则包(以及 DIRECTORY 中的规则包)并给出概要。Every problem is reported with its
    file, line and field; the exit code is 2 when any pack is invalid.
    """
    from rolefinder.knowledge import load_knowledge

    lang = resolve_lang(lang)
    knowledge = load_knowledge(rules=[directory] if directory else (), all_industries=True)
    summary = {
        "packs": [
            {"name": p.name, "path": p.path, "title": p.title, "industries": list(p.industries),
             **p.counts}
            for p in knowledge.packs
        ],
        "roles": len(knowledge.roles),
        "questions": len(knowledge.questions),
        "rules": len(knowledge.rules),
        "facts": {name: sorted(values) for name, values in knowledge.facts.items()},
        "thresholds": knowledge.thresholds._asdict(),
        "account_rules": [rule.id for rule in knowledge.account_rules],
        "offerings": len(knowledge.offerings),
        "offering_types": sorted({o.type for o in knowledge.offerings if o.type}),
        "scopes": sorted({o.scope for o in knowledge.offerings if o.scope}),
    }
    if fmt != "text":
        emit(summary, fmt)
        return
    for pack in knowledge.packs:
        where = ", ".join(pack.industries) or "—"
        click.echo(f"{pack.name:<24} {pick(pack.title, lang)}")
        click.echo(f"    {T('industries', lang)}: {where}; {T('counts', lang, **pack.counts)}")
        click.echo(f"    {pack.path}")
    click.echo(T("total", lang, packs=len(knowledge.packs), roles=summary["roles"],
                 questions=summary["questions"], rules=summary["rules"],
                 facts=len(summary["facts"])))
    click.echo(T("account", lang, account_rules=len(summary["account_rules"]), offerings=summary["offerings"],
                 types=", ".join(fact_label(t, lang) for t in summary["offering_types"]) or "—",
                 scopes=", ".join(fact_label(t, lang) for t in summary["scopes"]) or "—"))
    click.echo(T("ok", lang))


if importlib.util.find_spec("rolefinder.commands.rules_test") is not None:
    from rolefinder.commands.rules_test import test as _test

    rules.add_command(_test, "test")
