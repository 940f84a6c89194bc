"""``rolefinder cases``: list, show and export the built-in training cases."""

from __future__ import annotations

import click

from rolefinder.cli import current_lang, emit, format_option, lang_option, large_option, resolve_lang, rules_option
from rolefinder.i18n import Catalog, industry_label, pick
from rolefinder.inert import style

T = Catalog(
    {
        "id": {"en": "Case", "zh": "案例"},
        "title": {"en": "Title", "zh": "标题"},
        "industry": {"en": "Industry", "zh": "行业"},
        "contacts": {"en": "Contacts", "zh": "联系人"},
        "offering": {"en": "Offering", "zh": "销售的产品"},
        "scenario": {"en": "Scenario", "zh": "场景"},
        "chart": {"en": "Org chart", "zh": "组织架构"},
        "key": {"en": "Answer key", "zh": "参考答案"},
        "none": {"en": "no role", "zh": "无角色"},
        "hint": {"en": "Show one: rolefinder cases show NAME · practise: rolefinder quiz NAME",
                 "zh": "查看:rolefinder cases show 案例名 · 练习:rolefinder quiz 案例名"},
        "written": {"en": "Case {case} written to {path}: edit it, then run "
                          "rolefinder identify {path}",
                    "zh": "案例 {case} 已写入 {path}:可编辑后运行 rolefinder identify {path}"},
    }
)


@click.group(invoke_without_command=True)
@format_option("text", "json", "yaml")
@lang_option
@rules_option
@click.pass_context
def cases(ctx: click.Context, fmt: str, lang: str | None, rules: tuple[str, ...]) -> None:
    """List the built-in training cases (show and export them with the subcommands).

    列出内置培训案例:编号、标题、行业、联系人数。用 show 查看场景与组织架构,用 export 导出为
    可编辑的客户文件。
    """
    if ctx.invoked_subcommand is not None:
        return
    from rolefinder.casebook import case_summaries

    lang = resolve_lang(lang)
    summaries = case_summaries(rules)
    if fmt != "text":
        emit([s.to_dict(lang) for s in summaries], fmt)
        return
    from rolefinder.textwidth import table, terminal_width, wrap

    columns = terminal_width()
    headers = [T(k, lang) for k in ("id", "industry", "contacts", "title")]
    rows = [[s.id, industry_label(s.industry, lang) or "—", str(s.contacts), pick(s.title, lang)]
            for s in summaries]
    for line in table(headers, rows, columns, shrink=[3, 1]):
        click.echo(line)
    click.echo()
    for line in wrap(T("hint", lang), columns, "  "):
        click.echo(line)


@cases.command()
@click.argument("name")
@click.option("--key", "show_key", is_flag=True,
              help="Also show the answer key (for the trainer, not the trainees). "
                   "同时显示参考答案。")
@format_option("text", "json", "yaml")
@large_option
@lang_option
@rules_option
def show(name: str, show_key: bool, fmt: str, large: bool, lang: str | None, rules: tuple[str, ...]) -> None:
    """Print the scenario and org chart of case NAME.

    显示案例的场景说明和组织架构(加 --key 显示参考答案)。
    """
    from rolefinder.casebook import answer_key, load_case

    lang = lang or current_lang()  # ``cases --lang zh show NAME`` works too
    account = load_case(name, rules)
    key = answer_key(account)
    if fmt != "text":
        emit(_case_data(account, key if show_key else None, lang), fmt)
        return
    from rolefinder.textwidth import terminal_width

    _print_case(account, key if show_key else None, lang, terminal_width(large))


def _case_data(account, key: dict[str, set[str]] | None, lang: str) -> dict:
    case = account.case or {}
    data = {
        "id": case.get("id"),
        "title": pick(case.get("title"), lang),
        "scenario": pick(case.get("scenario"), lang).strip(),
        "account": {"name": account.name, "industry": account.industry,
                    "offering": account.offering},
        "contacts": [
            {"id": c.id, "name": c.name, "title": c.title or None,
             "department": c.department or None, "reports_to": c.reports_to}
            for c in account.contacts
        ],
    }
    if key is not None:
        data["key"] = {cid: sorted(roles) for cid, roles in key.items()}
    return data


def _print_case(account, key: dict[str, set[str]] | None, lang: str, columns: int = 80) -> None:
    """Scenario, then the org chart as a tree; roles from the key appended when asked for."""
    from rolefinder.casebook import tree_prefixes
    from rolefinder.textwidth import wrap

    def say(text: str = "", indent: str = "") -> None:
        for line in wrap(text, columns, indent):
            click.echo(line)

    case = account.case or {}
    say(style(pick(case.get("title"), lang), bold=True))
    say(f"{account.name}" + (f" · {industry_label(account.industry, lang)}" if account.industry else ""))
    if account.offering:
        say(f"{T('offering', lang)}: {account.offering}", "  ")
    say()
    say(style(T("scenario", lang), bold=True))
    say(pick(case.get("scenario"), lang).strip())
    say()
    say(style(T("chart", lang), bold=True))
    labels = account.knowledge.roles if account.knowledge else {}
    for prefix, rest, contact in tree_prefixes(account.contacts):
        details = " · ".join(x for x in (contact.title, contact.department) if x)
        line = f"{prefix}{contact.name} [{contact.id}]" + (f"  {details}" if details else "")
        if key is not None:
            roles = sorted(key.get(contact.id, ()))
            names = ", ".join(pick(labels[r].label, lang) if r in labels else r for r in roles)
            line += f"  → {names or T('none', lang)}"
        say("  " + line, "  " + rest + "   ")


@cases.command()
@click.argument("name")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The account file to write. 输出文件。")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists. 覆盖已有文件。")
@click.option("--no-key", is_flag=True,
              help="Leave the answer key out (a copy to hand to trainees). 不含参考答案。")
@lang_option
def export(name: str, output: str, force: bool, no_key: bool, lang: str | None) -> None:
    """Write case NAME as an account file a trainer can edit.

    把案例导出为可编辑的客户文件(原子写入;文件已存在时需 --force)。
    """
    from rolefinder.casebook import case_path

    lang = lang or current_lang()
    path = case_path(name)
    text = _without_key(name) if no_key else path.read_text(encoding="utf-8")
    _write_new(output, text, force)
    click.echo(T("written", lang, case=name, path=output))


def _without_key(name: str) -> str:
    from rolefinder.account import dump_account
    from rolefinder.casebook import load_case

    account = load_case(name)
    account.case = {k: v for k, v in (account.case or {}).items() if k != "key"}
    return dump_account(account)


def _write_new(output: str, text: str, force: bool) -> None:
    """Write atomically; refuse to replace a file unless told to, so no edits are lost."""
    from pathlib import Path

    from rolefinder.account import atomic_write
    from rolefinder.errors import InputError, Problem

    if Path(output).exists() and not force:
        raise InputError([Problem(output, None, "", "exists", {})])
    try:
        atomic_write(output, text)
    except OSError as exc:
        raise InputError([Problem(output, None, "", "not_writable",
                                  {"error": exc.strerror or str(exc)})]) from None
