"""``rolefinder quiz``: a trainee names each contact's roles in a case and gets a score."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from rolefinder.cli import current_lang, emit, format_option, lang_option, large_option, rules_option
from rolefinder.commands import login_name
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog, pick, value_label
from rolefinder.inert import style
from rolefinder.textwidth import display_width, pad

T = Catalog(
    {
        "roles_menu": {"en": "Roles (answer with numbers or ids, comma-separated; "
                             "empty = no role):",
                       "zh": "角色(用编号或英文名作答,逗号分隔;直接回车表示无角色):"},
        "contact_head": {"en": "[{index}/{total}] {name} [{id}]", "zh": "[{index}/{total}] {name} [{id}]"},
        "reports_to": {"en": "reports to", "zh": "上级"},
        "influence": {"en": "influence", "zh": "影响力"},
        "attitude": {"en": "attitude", "zh": "态度"},
        "answered": {"en": "What they answered:", "zh": "访谈中的回答:"},
        "hidden": {"en": "(answers hidden: judge from the org chart)",
                   "zh": "(回答已隐藏:请根据组织架构判断)"},
        "level_note": {"en": "Level: the org chart alone. Titles, departments, managers and the rep's "
                             "judgement only; the interview answers stay hidden.",
                       "zh": "难度:仅凭组织架构。只显示职务、部门、上级和销售代表的判断,访谈回答不显示。"},
        "notes": {"en": "notes", "zh": "备注"},
        "prompt": {"en": "Roles> ", "zh": "角色> "},
        "bad": {"en": "  {token!r} is not a role: type numbers 1-{count} or ids like buyer, "
                      "separated by commas (empty line = no role).",
                "zh": "  {token!r} 不是角色:请输入 1-{count} 的编号或 buyer 这样的英文名,"
                      "用逗号分隔(直接回车 = 无角色)。"},
        "eof": {"en": "the input ended before every contact was answered",
                "zh": "输入在所有联系人作答之前就结束了"},
        "result": {"en": "Your score", "zh": "你的得分"},
        "overall": {"en": "Overall: {percent}% ({correct}/{total} contacts fully right)",
                    "zh": "总分:{percent}%(完全正确 {correct}/{total} 人)"},
        "yours": {"en": "you", "zh": "你的答案"},
        "key": {"en": "key", "zh": "答案"},
        "answer_key": {"en": "Answer key", "zh": "参考答案"},
        "why": {"en": "Why (the rules' reasons)", "zh": "为什么(规则给出的理由)"},
        "missed": {"en": "{name}: missed {role}", "zh": "{name}:漏选了{role}"},
        "wrong": {"en": "{name}: not {role}", "zh": "{name}:不是{role}"},
        "no_rule": {"en": "no rule gives evidence about this role for them",
                    "zh": "没有规则对其该角色给出证据"},
        "none": {"en": "no role", "zh": "无角色"},
        "saved": {"en": "Result appended to {path}", "zh": "成绩已追加到 {path}"},
        "r_trainees": {"en": "Per trainee", "zh": "按学员"},
        "r_name": {"en": "Trainee", "zh": "学员"},
        "r_quizzes": {"en": "Quizzes", "zh": "测验次数"},
        "r_mean": {"en": "Mean %", "zh": "平均分"},
        "r_best": {"en": "Best %", "zh": "最高分"},
        "r_last": {"en": "Last %", "zh": "最近一次"},
        "r_cases": {"en": "Cases", "zh": "案例"},
        "r_roles": {"en": "Per role", "zh": "按角色"},
        "r_role": {"en": "Role", "zh": "角色"},
        "r_held": {"en": "Held", "zh": "应选"},
        "r_found": {"en": "Found", "zh": "选中"},
        "r_recall": {"en": "Found %", "zh": "选中率"},
        "r_precision": {"en": "Right when named %", "zh": "选择正确率"},
        "r_confused": {"en": "Most confused", "zh": "最常混淆"},
        "r_pair": {"en": "{count}× a {holds} taken for a {given}", "zh": "{count} 次把{holds}当成{given}"},
        "r_none": {"en": "No confusions recorded.", "zh": "没有记录到混淆。"},
        "r_old": {"en": "{count} row(s) come from an older results file without answers: they count "
                        "per trainee only.",
                  "zh": "{count} 行来自不含作答明细的旧成绩文件:只计入按学员统计。"},
        "r_bad": {"en": "not a results file written by rolefinder quiz --out ({what})",
                  "zh": "不是 rolefinder quiz --out 写出的成绩文件({what})"},
        "r_header": {"en": "the first line must be name,case,score,time,...",
                     "zh": "第一行应为 name,case,score,time,..."},
        "r_row": {"en": "the score or the answers cannot be read", "zh": "分数或作答明细无法读取"},
    }
)


class _DefaultGroup(click.Group):
    """``quiz NAME`` takes a quiz; ``quiz report FILE`` summarises a class's results."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in ("-h", "--help") and not any(a in self.commands for a in args):
            args = ["take", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultGroup)
@lang_option
def quiz(lang: str | None) -> None:
    """Quizzes: name each contact's roles in a case (quiz NAME), or summarise a class (quiz report FILE).

    测验:为案例中每位联系人选择角色(quiz 案例名),或汇总全班成绩(quiz report 成绩文件)。
    """


@quiz.command()
@click.argument("name")
@click.option("--name", "trainee", default=None,
              help="The trainee's name for the results file (default: the login name). 学员姓名。")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Append (name, case, score, time, level, answers) to this CSV file. 把成绩追加到 CSV 文件。")
@click.option("--level", type=click.Choice(["answers", "chart"]), default="answers", show_default=True,
              help="answers: the interview answers are shown; chart: the org chart alone, answers "
                   "hidden (harder). 难度:answers 显示访谈回答;chart 仅凭组织架构(更难)。")
@format_option("text", "json")
@large_option
@lang_option
@rules_option
def take(name: str, trainee: str | None, out: str | None, level: str, fmt: str, large: bool,
         lang: str | None, rules: tuple[str, ...]) -> None:
    """Quiz on case NAME: name each contact's roles, then get a score and the reasons.

    案例测验:先阅读场景,再为每位联系人选择角色(可多选);最后给出每人得分和总分(部分正确得部分分)、
    参考答案,以及每个错误对应的规则理由。Input is read line by line, so answers can be piped in.
    """
    from rolefinder.casebook import answer_key, load_case, org_chart
    from rolefinder.identification import identify
    from rolefinder.quiz import score_quiz
    from rolefinder.textwidth import terminal_width

    lang = lang or current_lang()
    say = _printer(err=fmt == "json", columns=terminal_width(large))
    account = load_case(name, rules)
    if out:
        from rolefinder.quiz import check_results_file

        check_results_file(out)  # before the quiz, not after: a trainee's result must not be lost
    roles = list(account.knowledge.roles)
    _intro(account, roles, lang, say)
    if level == "chart":
        say(T("level_note", lang))
    order = [c for _, c in org_chart(account.contacts)]
    answers = {}
    for index, contact in enumerate(order, start=1):
        _describe(account, contact, index, len(order), lang, say, level)
        answers[contact.id] = _ask(roles, account.knowledge, lang, say)
    key = answer_key(account)
    score = score_quiz(name, answers, key, [c.id for c in order])
    when = _now()
    who = trainee or login_name("trainee")
    if fmt == "json":
        emit({"name": who, "time": when, "level": level, **score.to_dict()}, fmt)
    else:
        _report(score, identify(account), lang, say)
    if out:
        from rolefinder.quiz import append_result

        append_result(out, who, name, score, when, level)
        say(T("saved", lang, path=out))


def _printer(err: bool, columns: int = 80) -> Callable[..., None]:
    """Everything but the JSON goes to stderr in JSON mode, so scripts can parse stdout.

    Lines wrap at word boundaries to the terminal's width; continuation lines sit deeper."""
    from rolefinder.textwidth import wrap

    def say(text: str = "", nl: bool = True) -> None:
        if not nl:
            click.echo(text, nl=False, err=err)
            return
        lead = len(text) - len(text.lstrip(" "))
        indent = " " * (lead + 4) if lead else ""
        for line in wrap(text, columns, indent):
            click.echo(line, err=err)
    return say


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def _label(knowledge, role: str, lang: str) -> str:
    return pick(knowledge.roles[role].label, lang) if role in knowledge.roles else role


def _intro(account, roles: list[str], lang: str, say: Callable[..., None]) -> None:
    case = account.case or {}
    say(style(pick(case.get("title"), lang), bold=True))
    say(pick(case.get("scenario"), lang).strip())
    say()
    say(T("roles_menu", lang))
    for number, role in enumerate(roles, start=1):
        say(f"  {number}. {role:<15} {_label(account.knowledge, role, lang)}")


def _describe(account, contact, index: int, total: int, lang: str,
              say: Callable[..., None], level: str = "answers") -> None:
    """What a rep would know about the contact: org chart position, judgements and, at the
    ``answers`` level, the interview answers in the question's own words."""
    say()
    say(style(T("contact_head", lang, index=index, total=total, name=contact.name,
                      id=contact.id), bold=True))
    details = [x for x in (contact.title, contact.department) if x]
    if contact.reports_to:
        boss = next((c for c in account.contacts if c.id == contact.reports_to), None)
        details.append(f"{T('reports_to', lang)} {boss.name if boss else contact.reports_to}")
    if contact.influence:
        details.append(f"{T('influence', lang)}: {value_label(contact.influence, lang)}")
    if contact.attitude:
        details.append(f"{T('attitude', lang)}: {value_label(contact.attitude, lang)}")
    say("  " + " · ".join(details))
    if level == "chart":
        return  # notes record what was said in the interview: hidden with the answers
    questions = account.knowledge.questions
    given = [(qid, a) for answer in ("yes", "unsure", "no")
             for qid, a in contact.answers.items() if a == answer and qid in questions]
    if given:
        say(f"  {T('answered', lang)}")
    width = max((display_width(value_label(a, lang)) for _, a in given), default=0)
    for qid, answer in given:
        say(f"    {pad(value_label(answer, lang), width)}  {pick(questions[qid].text, lang)}")
    if contact.notes:
        say(f"  {T('notes', lang)}: {contact.notes}")


def _ask(roles: list[str], knowledge, lang: str, say: Callable[..., None]) -> list[str]:
    """Ask until the line parses; a piped stdin is read one line per contact."""
    from rolefinder.quiz import ChoiceError, parse_choice

    labels = {r: list(knowledge.roles[r].label.values()) for r in roles}
    while True:
        say(T("prompt", lang), nl=False)
        line = sys.stdin.readline()
        if not line:
            say()
            raise InputError([Problem(None, None, "", "eof", {}, T)])
        if not sys.stdin.isatty():
            say(line.rstrip("\n"))
        try:
            return parse_choice(line, roles, labels)
        except ChoiceError as exc:
            say(T("bad", lang, token=exc.token, count=len(roles)))


def _report(score, result, lang: str, say: Callable[..., None]) -> None:
    """Per-contact score, overall score, the answer key, then the reasons for each miss."""
    knowledge = result.knowledge
    names = {r.contact.id: r.contact.name for r in result.contacts}

    def show(roles) -> str:
        return ", ".join(_label(knowledge, r, lang) for r in roles) or T("none", lang)

    say()
    say(style(T("result", lang), bold=True))
    width = max((display_width(n) for n in names.values()), default=0)
    for item in score.contacts:
        mark = "✔" if item.correct else ("◐" if item.score > 0 else "✘")
        name = pad(names[item.contact], width)
        say(f"  {mark} {name} {round(100 * item.score):>3}%  {T('yours', lang)}: {show(item.answer)}")
    data = score.to_dict()
    say(T("overall", lang, percent=score.percent, correct=data["correct"], total=data["total"]))
    say()
    say(style(T("answer_key", lang), bold=True))
    for item in score.contacts:
        say(f"  {names[item.contact]} [{item.contact}]: {show(item.key)}")
    misses = [(i, r, kind) for i in score.contacts
              for kind, roles in (("missed", i.missed), ("wrong", i.wrong)) for r in roles]
    if not misses:
        return
    say()
    say(style(T("why", lang), bold=True))
    for item, role, kind in misses:
        say(T(kind, lang, name=names[item.contact], role=_label(knowledge, role, lang)))
        _reasons(result.contact(item.contact).belief(role), lang, say)


def _reasons(belief, lang: str, say: Callable[..., None]) -> None:
    if belief is None or not belief.evidence:
        say(f"    · {T('no_rule', lang)}")
        return
    for evidence in belief.evidence[:3]:
        say(f"    · {evidence.rule} ({evidence.certainty:+.2f}): {pick(evidence.reason, lang)}")


# --------------------------------------------------------------------------- quiz report


@quiz.command()
@click.argument("results", type=click.Path(dir_okay=False))
@format_option("text", "csv", "json")
@large_option
@lang_option
@rules_option
def report(results: str, fmt: str, large: bool, lang: str | None, rules: tuple[str, ...]) -> None:
    """Summarise a class's RESULTS file (from quiz --out): per trainee, per role, most confused pairs.

    汇总全班成绩文件:按学员、按角色的统计,以及最常混淆的角色对。--format csv 或 json 供表格和脚本使用。
    """
    from pathlib import Path

    from rolefinder.casebook import answer_key, case_names, load_case
    from rolefinder.quiz import ResultsError, class_report, read_results

    lang = lang or current_lang()
    text = Path(results).read_text(encoding="utf-8")
    try:
        rows = read_results(text)
    except ResultsError as exc:
        what = T("r_header" if exc.what == "header" else "r_row", lang)
        raise InputError([Problem(results, exc.line, "", "r_bad", {"what": what}, T)]) from None
    known = set(case_names())
    cases = {row.case: load_case(row.case, rules) for row in rows if row.case in known}
    keys = {name: answer_key(account) for name, account in cases.items()}
    knowledge = next(iter(cases.values())).knowledge if cases else None
    roles = list(knowledge.roles) if knowledge else []
    data = class_report(rows, keys, roles)
    if fmt == "json":
        emit(data, "json")
    elif fmt == "csv":
        click.echo(_report_csv(data), nl=False)
    else:
        from rolefinder.textwidth import terminal_width

        labels = {r: _label(knowledge, r, lang) for r in roles} if knowledge else {}
        _report_text(data, rows, labels, lang, terminal_width(large))


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}"


def _report_csv(data: dict) -> str:
    """One table a spreadsheet opens: a section column says which summary a row belongs to."""
    import csv
    import io

    from rolefinder.quiz import _cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "name", "quizzes", "mean", "best", "last", "held", "found", "named",
                     "right", "count"])
    for t in data["trainees"]:
        writer.writerow(["trainee", _cell(t["name"]), t["quizzes"], t["mean"], t["best"], t["last"],
                         "", "", "", "", ""])
    for r in data["roles"]:
        writer.writerow(["role", r["role"], "", "", "", "", r["held"], r["found"], r["named"], r["right"], ""])
    for c in data["confused"]:
        writer.writerow(["confused", f"{c['holds']}>{c['given']}", "", "", "", "", "", "", "", "",
                         c["count"]])
    return buffer.getvalue()


def _report_text(data: dict, rows, labels: dict[str, str], lang: str, columns: int) -> None:
    from rolefinder.textwidth import table, wrap

    def say(text: str = "") -> None:
        for line in wrap(text, columns, "    "):
            click.echo(line)

    say(style(T("r_trainees", lang), bold=True))
    heads = [T(k, lang) for k in ("r_name", "r_quizzes", "r_mean", "r_best", "r_last", "r_cases")]
    body = [[t["name"], str(t["quizzes"]), f"{t['mean']:.1f}", f"{t['best']:.1f}", f"{t['last']:.1f}",
             ", ".join(t["cases"])] for t in data["trainees"]]
    for line in table(heads, body, columns, shrink=[5, 0]):
        click.echo(line)
    say()
    say(style(T("r_roles", lang), bold=True))
    heads = [T(k, lang) for k in ("r_role", "r_held", "r_found", "r_recall", "r_precision")]
    body = [[labels.get(r["role"], r["role"]), str(r["held"]), str(r["found"]), _percent(r["recall"]),
             _percent(r["precision"])] for r in data["roles"] if r["held"] or r["named"]]
    for line in table(heads, body, columns, shrink=[4, 0]):
        click.echo(line)
    say()
    say(style(T("r_confused", lang), bold=True))
    for c in data["confused"]:
        say("  " + T("r_pair", lang, count=c["count"], holds=labels.get(c["holds"], c["holds"]),
                     given=labels.get(c["given"], c["given"])))
    if not data["confused"]:
        say("  " + T("r_none", lang))
    old = sum(1 for r in rows if r.answers is None)
    if old:
        say()
        say(T("r_old", lang, count=old))
