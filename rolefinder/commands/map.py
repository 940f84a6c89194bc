"""``rolefinder map``: the buying center as a picture (SVG or a projector-ready HTML page)."""

from __future__ import annotations

import click

from rolefinder.cli import current_lang, lang_option, large_option, rules_option
from rolefinder.i18n import Catalog

T = Catalog(
    {
        "written": {"en": "Map written to {path}", "zh": "决策链图已写入 {path}"},
        "bad_format": {"en": "cannot tell the format from {value!r}; use --format svg or html",
                       "zh": "无法从 {value!r} 判断格式;请使用 --format svg 或 html"},
    }
)
SUFFIXES = {".svg": "svg", ".html": "html", ".htm": "html"}


@click.command("map")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Where to write the picture (.svg or .html); - writes to standard output. "
                   "输出文件(.svg 或 .html);- 表示标准输出。")
@click.option("--format", "fmt", type=click.Choice(["svg", "html"]), default=None,
              help="svg (standalone, printable) or html (a page for a projector); default: from the "
                   "output's suffix. 输出格式,默认按文件后缀判断。")
@large_option
@lang_option
@rules_option
def map_command(file: str, output: str, fmt: str | None, large: bool, lang: str | None,
                rules: tuple[str, ...]) -> None:
    """Draw the buying center of FILE: org chart with roles, influence and attitude, plus the grid.

    画出采购决策链:组织架构树上标出每人的角色、影响力(边框粗细与大小)和态度(颜色),
    尚无人承担的角色与风险信号,以及影响力 × 态度矩阵。--large 用于投影。
    """
    from pathlib import Path

    from rolefinder.account import atomic_write, check_writable, load_account
    from rolefinder.errors import InputError, Problem
    from rolefinder.identification import identify
    from rolefinder.mapview import render_html, render_svg

    lang = lang or current_lang()
    if fmt is None:
        fmt = "svg" if output == "-" else SUFFIXES.get(Path(output).suffix.lower())
        if fmt is None:
            raise InputError([Problem(output, None, "--format", "bad_format",
                                      {"value": Path(output).suffix}, T)])
    if output != "-":
        check_writable(output)
    result = identify(load_account(file, rules=rules))
    text = (render_svg if fmt == "svg" else render_html)(result, lang, large)
    if output == "-":
        click.echo(text, nl=False)
        return
    atomic_write(output, text)
    click.echo(T("written", lang, path=output))
