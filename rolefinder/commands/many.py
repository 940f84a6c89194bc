"""What the commands that take many account files share: ``--jobs``, progress, failures.

A failing file is reported (file:line: field: problem) as soon as its turn comes and the
others go on; the command exits with status 2 at the end when any failed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from rolefinder.i18n import Catalog

T = Catalog(
    {
        "progress": {"en": "Accounts", "zh": "客户"},
        "failed": {"en": "{failed} of {total} files failed; the others were processed.",
                   "zh": "{total} 个文件中有 {failed} 个失败;其余已处理。"},
    }
)


def jobs_option(func: Callable) -> Callable:
    return click.option(
        "--jobs", "-j", "jobs", type=click.IntRange(0), default=1, show_default=True,
        help="Worker processes for many files (0 = one per core). 处理多个文件时的进程数(0 = 每核一个)。",
    )(func)


def resolve_jobs(jobs: int) -> int:
    return jobs or os.cpu_count() or 1


def outcomes(task: Callable[[str], Any], files: list[str], jobs: int, rules: tuple[str, ...],
             lang: str) -> Iterator[Any]:
    """Yield the value of every file that worked, in order; report the others on stderr.

    A progress bar shows on stderr only when it is a terminal and there is more than one file.
    Sets the exit status to 2 when any file failed (checked by :func:`finish`).
    """
    from rolefinder.batch import run

    ctx = click.get_current_context()
    failed = 0
    bar = None
    if len(files) > 1 and sys.stderr.isatty():
        bar = click.progressbar(length=len(files), label=T("progress", lang), file=sys.stderr)
        bar.__enter__()
    try:
        for outcome in run(task, files, jobs=resolve_jobs(jobs), rules=rules,
                           progress=bar.update if bar else None):
            if outcome.ok:
                yield outcome.value
                continue
            failed += 1
            for problem in outcome.problems:
                click.echo(problem.render(lang), err=True)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    ctx.meta["rolefinder.failed"] = (failed, len(files))


def finish(lang: str) -> None:
    """Exit 2 with a summary line when any file failed."""
    ctx = click.get_current_context()
    failed, total = ctx.meta.get("rolefinder.failed", (0, 0))
    if failed:
        click.echo(T("failed", lang, failed=failed, total=total), err=True)
        ctx.exit(2)
