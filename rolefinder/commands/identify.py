"""``rolefinder identify`` and ``rolefinder explain``."""

from __future__ import annotations

import sys

import click

from rolefinder.cli import emit, format_option, lang_option, large_option, resolve_lang, rules_option
from rolefinder.commands.many import finish, jobs_option, outcomes
from rolefinder.i18n import Catalog

T = Catalog({"no_trace": {"en": "--trace, --step and --contact work on one file at a time",
                          "zh": "--trace、--step 和 --contact 一次只能用于一个文件"}})


def _style(enabled: bool):
    if enabled:
        from rolefinder.inert import style

        return style
    return lambda text, **_: text


def _color(fmt: str) -> bool:
    from rolefinder.inert import colour_allowed

    return fmt == "text" and colour_allowed(sys.stdout)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@format_option("text", "json", "jsonl", "yaml")
@click.option("--indent", type=click.IntRange(0, 8), default=None,
              help="Indent JSON by this many spaces (0: one compact line). Default: 2 on a terminal, "
                   "compact otherwise. JSON 缩进空格数(0 为紧凑单行);默认终端上缩进 2,否则紧凑。")
@click.option("--trace", is_flag=True,
              help="Print each rule firing as it happens: facts matched, evidence added, certainty moving. "
                   "逐条打印规则触发过程。")
@click.option("--step", is_flag=True,
              help="With the trace, pause after each step: Enter next, b back, j next contact, "
                   "c to the end, q quit. 逐步演示:回车下一步,b 上一步,j 下一位,c 到结束,q 退出。")
@click.option("--contact", "only", default=None, metavar="ID",
              help="Trace only this contact (implies --trace). 只演示这位联系人的推理。")
@large_option
@jobs_option
@lang_option
@rules_option
def identify(files: tuple[str, ...], fmt: str, indent: int | None, trace: bool, step: bool, only: str | None,
             large: bool, jobs: int, lang: str | None, rules: tuple[str, ...]) -> None:
    """Identify the buying role of every contact in an account FILE.

    识别客户文件中每位联系人的采购角色。Prints a table of roles with certainty and status,
    the next question worth asking for each contact, and the account's gaps and red flags.
    JSON is written contact by contact; jsonl writes one line per contact, then one line with
    the account, packs, thresholds and gaps. JSON 逐个联系人输出;jsonl 每位联系人一行,最后一行是客户与缺口。
    With --trace the reasoning is shown contact by contact in org-chart order, the same on every
    run (on stderr when the format is not text).
    Several FILES or directories are identified one after the other, or with --jobs N in N
    processes; a file that fails is reported and the others go on (exit status 2 at the end).
    可同时给出多个文件或目录,--jobs N 用 N 个进程并行处理;失败的文件会被报告,其余照常处理。
    """
    from pathlib import Path

    if len(files) > 1 or Path(files[0]).is_dir():  # one file stays the single-file output
        _many(files, fmt, indent, bool(trace or step or only), jobs, resolve_lang(lang), rules)
        return
    file = files[0]
    from rolefinder.account import load_account
    from rolefinder.identification import identify as run
    from rolefinder.identification import identify_cached

    lang = resolve_lang(lang)
    account = load_account(file, rules=rules)
    if only is not None:
        account.contact(only)  # an unknown id: a one-line error before any work
    traced = bool(trace or step or only)
    # The trace shows the engine firing, so it runs the engine; otherwise the findings the
    # cache folder keeps for this file (unchanged contacts) are reused: the same result.
    result = run(account) if traced else identify_cached(account, file)
    if traced:
        from rolefinder.textwidth import terminal_width
        from rolefinder.trace import TracePrinter, supports_color

        to_err = fmt != "text"
        stream = sys.stderr if to_err else sys.stdout
        printer = TracePrinter(account, lang=lang, color=supports_color(stream), step=step,
                               echo=lambda line: click.echo(line, err=to_err),
                               width=terminal_width(large))
        printer.play(result, only)
        if fmt == "text":
            click.echo()
    if fmt in ("json", "jsonl"):
        _stream(result, fmt, indent)
        return
    if fmt != "text":
        emit(result.to_dict(), fmt)
        return
    from rolefinder.report import render_identification
    from rolefinder.textwidth import terminal_width

    click.echo(render_identification(result, lang, _style(_color(fmt)), terminal_width(large)))


def _stream(result, fmt: str, indent: int | None) -> None:
    """JSON or JSON Lines straight to stdout, contact by contact (see :mod:`rolefinder.output`)."""
    from rolefinder.output import write_json, write_jsonl

    stdout = sys.stdout
    if fmt == "jsonl":
        write_jsonl(result, stdout)
    else:
        write_json(result, stdout, 2 if indent is None and stdout.isatty() else indent)
    stdout.flush()


def _many(files: tuple[str, ...], fmt: str, indent: int | None, trace: bool, jobs: int, lang: str,
          rules: tuple[str, ...]) -> None:
    """Many accounts: each file's output as the single-file command prints it, in order.

    ``json`` becomes one array of the accounts' documents, ``yaml`` a stream of documents,
    ``jsonl`` simply continues line after line (each account's contacts, then its record).
    """
    from functools import partial

    from rolefinder.batch import collect, identify_task
    from rolefinder.errors import InputError, Problem

    if trace:
        raise InputError([Problem(None, None, "--trace", "no_trace", {}, T)])
    paths = collect(files)
    task = partial(identify_task, rules=rules, fmt=fmt, lang=lang, indent=indent)
    out = sys.stdout
    first = True
    for text in outcomes(task, paths, jobs, rules, lang):
        if fmt == "json":
            out.write(("[" if first else ",") + text.rstrip("\n"))
        elif fmt == "yaml":
            out.write("---\n" + text)
        else:
            out.write(text if first or fmt == "jsonl" else "\n" + text)
        out.flush()
        first = False
    if fmt == "json":
        out.write("[]\n" if first else "]\n")
    out.flush()
    finish(lang)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("contact")
@format_option("text", "json", "yaml")
@large_option
@lang_option
@rules_option
def explain(file: str, contact: str, fmt: str, large: bool, lang: str | None, rules: tuple[str, ...]) -> None:
    """Explain how the roles of CONTACT in FILE were concluded.

    解释某位联系人的角色是如何推断出来的:触发了哪些规则、依据哪些事实、确定度如何合成,
    以及下一个问题为什么值得问。
    """
    from rolefinder.account import load_account
    from rolefinder.identification import identify_cached

    lang = resolve_lang(lang)
    result = identify_cached(load_account(file, rules=rules), file)  # the file's kept findings: see identify
    r = result.contact(contact)
    if fmt != "text":
        data = r.to_dict(result.knowledge)
        data["undecided"] = [b.to_dict() for b in r.beliefs.values() if b.status is None]
        data["candidates"] = [q.to_dict() for q in r.candidates]
        emit(data, fmt)
        return
    from rolefinder.report import render_explanation
    from rolefinder.textwidth import terminal_width

    click.echo(render_explanation(result, contact, lang, _style(_color(fmt)), terminal_width(large)))
