"""Many accounts at once: on this machine's cores, or on a distributed engine.

:func:`run` applies one task to many account files, in worker processes when ``jobs > 1``
(:class:`concurrent.futures.ProcessPoolExecutor`). Each worker loads the packs and builds the
Rete network once and reuses them for every file it gets (``load_knowledge`` caches per
industry), so the cost that dominates a small file is paid once per process, not per file.
A file that fails comes back as an :class:`Outcome` with its problems (file:line: field: what)
and the others go on.

:func:`identify_records` is the same identification as a pure function over plain records —
one dict per contact, all of one account — returning one plain row per contact. It has no
state and no I/O, so any engine that can group records by account and apply a function to each
group can run it: Dask (:func:`identify_bag`), Spark's ``groupBy(...).applyInPandas``, Ray.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from rolefinder.errors import InputError, Problem, RolefinderError
from rolefinder.i18n import Catalog

SUFFIXES = (".yaml", ".yml")
MESSAGES = Catalog(
    {
        "no_accounts": {"en": "no account files (*.yaml, *.yml) here", "zh": "此处没有账户文件(*.yaml、*.yml)"},
        "crashed": {"en": "could not be processed: {error}", "zh": "无法处理:{error}"},
        "no_account_key": {"en": "a record has no {key!r}", "zh": "有一条记录缺少 {key!r}"},
    }
)


@dataclass
class Outcome:
    """What one file gave: ``value`` when it worked, ``problems`` when it did not."""

    path: str
    value: Any = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def collect(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Account files named directly, plus every ``*.yaml``/``*.yml`` under each directory (sorted).

    A path that does not exist, or a directory without account files, is an error up front:
    a nightly job pointed at the wrong folder should fail, not succeed with nothing done.
    """
    out: list[str] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(str(path), None, "", "no_accounts", {}, MESSAGES))
            out += [str(p) for p in found]
        elif path.exists():
            out.append(str(path))
        else:
            problems.append(Problem(str(path), None, "", "not_found"))
    if problems:
        raise InputError(problems)
    return out


def _safe(task: Callable[[str], Any], path: str) -> Outcome:
    """Run ``task`` on one file; any failure becomes problems of that file (never a traceback)."""
    try:
        return Outcome(path, task(path))
    except RolefinderError as exc:
        return Outcome(path, problems=exc.problems)
    except Exception as exc:  # a nightly run over thousands of files must not stop at one
        error = f"{type(exc).__name__}: {exc}"
        return Outcome(path, problems=[Problem(path, None, "", "crashed", {"error": error}, MESSAGES)])


def _warm(rules: tuple[str, ...]) -> None:
    """Worker start-up: load the core packs and build their engine once, before the first file.
    The workers already use the cores: a large file is not split again (rolefinder.split)."""
    from rolefinder.knowledge import load_knowledge

    os.environ["ROLEFINDER_WORKERS"] = "1"

    load_knowledge(rules=rules).engine()


def run(task: Callable[[str], Any], paths: list[str], *, jobs: int = 1, rules: tuple[str, ...] = (),
        progress: Callable[[int], None] | None = None) -> Iterator[Outcome]:
    """Apply ``task`` (a picklable function of a path) to every path; outcomes in input order.

    ``jobs`` > 1 runs the files in that many processes. ``progress`` is called with 1 per file
    done, in the order the outcomes are yielded.
    """
    work = partial(_safe, task)
    if jobs <= 1 or len(paths) <= 1:
        results: Iterable[Outcome] = map(work, paths)
        for outcome in results:
            if progress:
                progress(1)
            yield outcome
        return
    chunk = max(1, min(8, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm, initargs=(rules,)) as pool:
        for outcome in pool.map(work, paths, chunksize=chunk):
            if progress:
                progress(1)
            yield outcome


# ------------------------------------------------------------------ tasks (module level: picklable)


def load(path: str, rules: tuple[str, ...] = ()):
    from rolefinder.account import load_account
    from rolefinder.identification import identify

    return identify(load_account(path, rules=rules))


def identify_task(path: str, *, rules: tuple[str, ...] = (), fmt: str = "json", lang: str = "en",
                  indent: int | None = None) -> str:
    """``identify``'s output for one file, as the text the single-file command prints.

    JSON and JSON Lines come from the streaming writers of :mod:`rolefinder.output`, into a
    string: the worker returns text, not the result (which holds the engine and cannot travel).
    """
    import io

    result = load(path, rules)
    if fmt == "text":
        from rolefinder.report import render_identification

        return render_identification(result, lang) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(result.to_dict(), allow_unicode=True, sort_keys=False, width=100)
    from rolefinder.output import write_json, write_jsonl

    out = io.StringIO()
    if fmt == "jsonl":
        write_jsonl(result, out)
    else:
        write_json(result, out, indent)
    return out.getvalue()


def plan_task(path: str, *, rules: tuple[str, ...] = (), directory: str = ".", fmt: str = "html",
              lang: str = "en", start: Any = None, author: str = "", evidence: bool = False) -> str:
    """Write the account plan of one file into ``directory`` as ``<file name>.<fmt>``."""
    from rolefinder.plans import write_plan

    target = Path(directory) / f"{Path(path).stem}.{fmt}"
    return str(write_plan(load(path, rules), target, fmt, lang, start, author, evidence))


def export_task(path: str, *, rules: tuple[str, ...] = (), target: str = "csv", lang: str = "en") -> list[dict]:
    from rolefinder.crmexport import rows_for

    return rows_for(load(path, rules), target, lang, rules)


# ------------------------------------------------------------------ past one machine

CONTACT_KEYS = ("id", "name", "title", "department", "reports_to", "influence", "attitude", "notes")


def identify_records(records: Iterable[Mapping[str, Any]], *, lang: str = "en",
                     account_key: str = "account") -> list[dict[str, Any]]:
    """Identify one account given as flat records; one plain row per contact.

    Each record is one contact: ``account`` (its name), optional ``industry`` and ``offering``,
    ``id``, ``name``, ``title``, ``department``, ``reports_to`` (an id), ``influence``,
    ``attitude``, ``notes``, and answers either as a mapping under ``answers`` or as columns
    named by question id (``final_say: yes``), which suits a table. Empty cells (``None``,
    ``""``, NaN) count as absent. The records are validated exactly like an account file, so
    a bad record raises :class:`InputError` naming the contact. The rows have the columns of
    :data:`rolefinder.crmexport.ROW_FIELDS`, the same as ``rolefinder export --to csv``.
    """
    from rolefinder.account import parse_account
    from rolefinder.crmexport import rows_for
    from rolefinder.identification import identify
    from rolefinder.knowledge import load_knowledge
    from rolefinder.yamlsource import parse_yaml

    records = [{k: v for k, v in r.items() if not _blank(v)} for r in records]
    if not records:
        return []
    first = records[0]
    if account_key not in first:
        raise InputError([Problem(None, None, "", "no_account_key", {"key": account_key}, MESSAGES)])
    name = str(first[account_key])
    knowledge = load_knowledge(first.get("industry"))
    header = {"name": name, **{k: first[k] for k in ("industry", "offering") if k in first}}
    contacts = [_contact(r, knowledge.questions) for r in records]
    # Through the YAML loader, so records get the very checks (and messages) account files get.
    import yaml

    text = yaml.safe_dump({"account": header, "contacts": contacts}, allow_unicode=True, sort_keys=False)
    try:
        account = parse_account(parse_yaml(text, name), name, knowledge=knowledge)
    except InputError as exc:  # lines of the YAML made here mean nothing to the caller: drop them
        raise InputError([replace(p, line=None) for p in exc.problems]) from None
    return rows_for(identify(account), "csv", lang)


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def _contact(record: Mapping[str, Any], questions: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: str(record[k]) for k in CONTACT_KEYS if k in record}
    answers = dict(record.get("answers") or {})
    answers.update({q: record[q] for q in questions if q in record})
    if answers:
        out["answers"] = {q: a for q, a in answers.items() if not _blank(a)}
    return out


def account_records(account: Any) -> list[dict[str, Any]]:
    """An account (as loaded from a file) as the flat records :func:`identify_records` takes."""
    out = []
    for c in account.contacts:
        record = {"account": account.name, "industry": account.industry, "offering": account.offering,
                  **{k: getattr(c, k) for k in CONTACT_KEYS}}
        record.update(c.answers)
        out.append(record)
    return out


def identify_bag(bag: Any, *, lang: str = "en", account_key: str = "account") -> Any:
    """On Dask: a bag of contact records -> a bag of rows, one account per task.

    ``bag.groupby`` brings each account's records together (a shuffle), then every group is
    identified where it lies. Needs the optional extra ``rolefinder[dask]``.
    """
    return (bag.groupby(lambda r: r[account_key])
               .map(lambda group: identify_records(group[1], lang=lang, account_key=account_key))
               .flatten())
