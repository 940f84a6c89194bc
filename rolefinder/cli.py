"""The ``rolefinder`` command line: parse options, call the library, print.

Commands live in :mod:`rolefinder.commands`, one module per family, and are imported only
when invoked: ``rolefinder identify`` does not pay for Jinja2, and ``rolefinder --help`` imports
no command module at all (its command list is read from :data:`SUMMARIES`).
Library errors (:class:`~rolefinder.errors.RolefinderError`) print as one line per problem in
the chosen language and exit with status 2; nothing prints a traceback for bad input.

Adding a command
----------------
1. Write it in ``rolefinder/commands/<family>.py`` as a ``@click.command()`` (or group) whose
   docstring and option help are in both languages; import heavy modules inside the function.
2. Add ``"name": "rolefinder.commands.<family>:<function>"`` to :data:`COMMANDS` (the order is
   the order ``--help`` lists them).
3. Add its one-line summary, English then Chinese, to :data:`SUMMARIES`. ``rolefinder --help``
   prints it without importing the module (a test checks every command has one and that
   ``--help`` imports no command module).
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from rolefinder.errors import RolefinderError, did_you_mean
from rolefinder.i18n import LANGS, detect_lang

# name -> "module:attribute", in the order ``--help`` lists them
COMMANDS = {
    "identify": "rolefinder.commands.identify:identify",
    "explain": "rolefinder.commands.identify:explain",
    "interview": "rolefinder.commands.interview:interview",
    "plan": "rolefinder.commands.plan:plan",
    "visit": "rolefinder.commands.plan:visit",
    "map": "rolefinder.commands.map:map_command",
    "cases": "rolefinder.commands.cases:cases",
    "quiz": "rolefinder.commands.quiz:quiz",
    "rules": "rolefinder.commands.rules:rules",
    "demo": "rolefinder.commands.demo:demo",
    "import": "rolefinder.commands.import_:import_",
    "export": "rolefinder.commands.export:export",
    "schema": "rolefinder.commands.schema:schema",
    "diff": "rolefinder.commands.diff:diff",
}

# name -> the line ``rolefinder --help`` shows, English then Chinese; read without importing
SUMMARIES = {
    "identify": "Roles and next question for every contact. 识别每位联系人的采购角色。",
    "explain": "How the roles of one contact were concluded. 解释某位联系人的角色如何得出。",
    "interview": "Answer the questions that matter, one by one. 引导式访谈。",
    "plan": "Write the printable account plan. 生成客户计划。",
    "visit": "The brief for the next visit to one contact. 下次拜访某人的简报。",
    "map": "The buying center as a picture (SVG, HTML). 采购决策链图。",
    "cases": "The built-in training cases. 内置培训案例。",
    "quiz": "Name each contact's roles, get a score. 角色辨识测验。",
    "rules": "Check and test rule packs. 检查和测试规则包。",
    "demo": "A built-in case end to end. 演示内置案例。",
    "import": "CRM contact export (CSV) to account files. 从 CRM 导出表生成客户文件。",
    "export": "Roles per contact for a CRM or a spreadsheet. 导出角色到 CRM 或表格。",
    "schema": "JSON Schema of account files or rule packs. 客户文件或规则包的 JSON Schema。",
    "diff": "What changed between two versions of an account. 比较客户的两个版本。",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`SUMMARIES`, so ``--help`` imports no command module."""
        rows = []
        for name in self.list_commands(ctx):
            summary = SUMMARIES.get(name)
            if summary is None:  # a command without a summary still shows, at import cost
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                summary = command.get_short_help_str(formatter.width)
            rows.append((name, summary))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        """A mistyped command gets the nearest real one as a hint."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            hint = did_you_mean(args[0], COMMANDS) if args else ""
            if hint and "No such command" in exc.message:
                exc.message += hint[current_lang()]
            raise

    def invoke(self, ctx: click.Context) -> Any:
        from rolefinder.inert import guarded_output

        with guarded_output():  # no text a user wrote acts on the terminal (rolefinder.inert)
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            with collect_rarely():
                return super().invoke(ctx)
        except RolefinderError as exc:
            click.echo(exc.render(current_lang()), err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `... | head`: the reader left and has what it wanted; stop quietly
            _silence_stdout()
            ctx.exit(0)
        except OSError as exc:  # a file we could not read or write: one line, never a traceback
            click.echo(os_error_line(exc, current_lang()), err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("", err=True)
            ctx.exit(130)


@contextmanager
def collect_rarely(gen0: int = 100_000) -> Iterator[None]:
    """The cyclic garbage collector's setting for a whole command: load, engine and output.

    A command builds large structures that all stay alive (the YAML tree, the contacts, the
    results) and creates almost no reference cycles (about 4,000 collectable objects for
    10,000 contacts). With the default thresholds the collector re-walked the growing heap
    over and over: 11 full collections and a sixth of the run on 10,000 contacts. Here the
    objects of start-up are frozen out of every collection, and a young collection runs
    every ``gen0`` allocations, so the collector's work stays linear and the few cycles are
    still freed. Peak memory is unchanged (measured: benchmarks/cli.py). Both come back after.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(gen0, 1_000, 1_000)
    try:
        yield
    finally:
        # Everything the command made is aged with start-up's objects first: restoring the
        # threshold would otherwise walk it all at once in a young collection (about 5 ms
        # after a 30-contact identify) just before the process ends. Cycles among it are
        # still freed by the next full collection.
        gc.freeze()
        gc.set_threshold(*old)
        gc.unfreeze()


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test runner's buffer): nothing to silence
        pass


def os_error_line(exc: OSError, lang: str) -> str:
    """``path: cannot read or write: reason`` in the user's language."""
    where = exc.filename or ""
    reason = exc.strerror or str(exc)
    text = {"en": f"{where}: cannot read or write the file: {reason}",
            "zh": f"{where}:无法读写该文件:{reason}"}
    return text.get(lang, text["en"])


def current_lang() -> str:
    """The language of the running command (``--lang``), else the locale's."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("rolefinder.lang"):
        return ctx.meta["rolefinder.lang"]
    return detect_lang()


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # ctx.meta is shared by the whole context chain, so the group's error handler sees it too.
    if value:
        ctx.meta["rolefinder.lang"] = value
    return value


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    try:
        number = version("rolefinder")
    except PackageNotFoundError:
        number = "unknown"
    where = Path(__file__).resolve().parent
    click.echo(f"rolefinder {number} from {where} (Python {sys.version.split()[0]})")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version, where it is installed and the Python it runs on. "
                   "显示版本、安装位置和 Python 版本。")
def cli() -> None:
    """rolefinder: map the buying center of a B2B account (客户角色辨识).

    Rules in YAML infer each contact's roles with certainty factors from interview answers
    and org-chart facts, and explain every conclusion.
    用 YAML 规则从访谈回答和组织架构推断每位联系人的采购角色,并解释每一个结论。
    """


# ------------------------------------------------------------------ shared options

def lang_option(func: Callable) -> Callable:
    return click.option(
        "--lang", type=click.Choice(LANGS), default=None, callback=_remember_lang, is_eager=True,
        help="Language of the output: zh or en (default: from the locale, LANG=zh_CN.UTF-8 gives zh). "
             "输出语言(默认跟随系统区域设置)。",
    )(func)


def format_option(*choices: str, default: str = "text") -> Callable:
    kinds = [c for c in choices if c in ("json", "jsonl", "yaml")]
    machine = " or ".join(kinds) if len(kinds) < 3 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
    help_text = f"Output format: text for people, {machine} for scripts. 输出格式:text 供人阅读,{machine} 供脚本使用。"

    def decorate(func: Callable) -> Callable:
        return click.option(
            "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
            help=help_text,
        )(func)
    return decorate


def rules_option(func: Callable) -> Callable:
    return click.option(
        "--rules", "rules", multiple=True, type=click.Path(file_okay=True, dir_okay=True),
        help="A directory (or file) of your own rule packs, loaded on top of the shipped ones. Repeatable. "
             "加载自己的规则包(目录或文件),可重复。",
    )(func)


def large_option(func: Callable) -> Callable:
    return click.option(
        "--large", is_flag=True,
        help="Lay text out for a projector: half the terminal's columns, for a doubled font. "
             "投影模式:按终端一半的宽度排版,便于放大字号。",
    )(func)


def resolve_lang(lang: str | None) -> str:
    return lang or detect_lang()


def emit(data: Any, fmt: str) -> None:
    """Print data for scripts: JSON (UTF-8, not escaped) or YAML."""
    if fmt == "json":
        import json

        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        import yaml

        from rolefinder.inert import is_inert

        # YAML has no escapes in plain scalars: a document holding a control or bidi character
        # is written all-ASCII, where PyYAML escapes it (and everything else) in quotes.
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        if not is_inert(text):
            text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=100)
        click.echo(text, nl=False)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="rolefinder")
    except BrokenPipeError:  # raised outside a command (help text, --version) into a closed pipe
        _silence_stdout()
        sys.exit(0)
    finally:
        # The process ends here and every file is closed: the interpreter's last collection
        # would walk the whole heap only for the memory to be returned anyway.
        gc.freeze()
