"""``rolefinder quiz``: a trainee names each contact's roles in a case and gets a score."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from rolefinder.cli import emit, format_option, lang_option, resolve_lang, rules_option
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog, pick
from rolefinder.inert import style

T = Catalog(
    {
        "roles_menu": {"en": "Roles (answer with numbers or ids, comma-separated; "
                             "empty = no role):",
                       "zh": "角色(用编号或英文名作答,逗号分隔;直接回车表示无角色):"},
        "contact_head": {"en": "[{index}/{total}] {name} [{id}]", "zh": "[{index}/{total}] {name} [{id}]"},
        "reports_to": {"en": "reports to", "zh": "上级"},
        "influence": {"en": "influence", "zh": "影响力"},
        "attitude": {"en": "attitude", "zh": "态度"},
        "said_yes": {"en": "said yes", "zh": "回答“是”"},
        "said_unsure": {"en": "unsure", "zh": "回答“不确定”"},
        "said_no": {"en": "said no to", "zh": "回答“否”"},
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
    }
)


@click.command()
@click.argument("name")
@click.option("--name", "trainee", default=None,
              help="The trainee's name for the results file (default: the login name). 学员姓名。")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Append (name, case, score, time) to this CSV file. 把成绩追加到 CSV 文件。")
@format_option("text", "json")
@lang_option
@rules_option
def quiz(name: str, trainee: str | None, out: str | None, fmt: str, lang: str | None,
         rules: tuple[str, ...]) -> None:
    """Quiz on case NAME: name each contact's roles, then get a score and the reasons.

    案例测验:先阅读场景,再为每位联系人选择角色(可多选);最后给出每人得分和总分(部分正确得部分分)、
    参考答案,以及每个错误对应的规则理由。Input is read line by line, so answers can be piped in.
    """
    from rolefinder.casebook import answer_key, load_case, org_chart
    from rolefinder.identification import identify
    from rolefinder.quiz import score_quiz

    lang = resolve_lang(lang)
    say = _printer(err=fmt == "json")
    account = load_case(name, rules)
    if out:
        from rolefinder.account import check_writable

        check_writable(out)  # before the quiz, not after: a trainee's result must not be lost
    roles = list(account.knowledge.roles)
    _intro(account, roles, lang, say)
    order = [c for _, c in org_chart(account.contacts)]
    answers = {}
    for index, contact in enumerate(order, start=1):
        _describe(account, contact, index, len(order), lang, say)
        answers[contact.id] = _ask(roles, account.knowledge, lang, say)
    key = answer_key(account)
    score = score_quiz(name, answers, key, [c.id for c in order])
    when = _now()
    who = trainee or _login()
    if fmt == "json":
        emit({"name": who, "time": when, **score.to_dict()}, fmt)
    else:
        _report(score, identify(account), lang, say)
    if out:
        from rolefinder.quiz import append_result

        append_result(out, who, name, score, when)
        say(T("saved", lang, path=out))


def _printer(err: bool) -> Callable[..., None]:
    """Everything but the JSON goes to stderr in JSON mode, so scripts can parse stdout."""
    def say(text: str = "", nl: bool = True) -> None:
        click.echo(text, nl=nl, err=err)
    return say


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "trainee"


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
              say: Callable[..., None]) -> None:
    """What a rep would know about the contact: org chart position, judgements, answers."""
    say()
    say(style(T("contact_head", lang, index=index, total=total, name=contact.name,
                      id=contact.id), bold=True))
    details = [x for x in (contact.title, contact.department) if x]
    if contact.reports_to:
        boss = next((c for c in account.contacts if c.id == contact.reports_to), None)
        details.append(f"{T('reports_to', lang)} {boss.name if boss else contact.reports_to}")
    if contact.influence:
        details.append(f"{T('influence', lang)}: {contact.influence}")
    if contact.attitude:
        details.append(f"{T('attitude', lang)}: {contact.attitude}")
    say("  " + " · ".join(details))
    questions = account.knowledge.questions
    for answer, label in (("yes", "said_yes"), ("unsure", "said_unsure")):
        for qid, given in contact.answers.items():
            if given == answer and qid in questions:
                say(f"  {T(label, lang)}: {pick(questions[qid].text, lang)}")
    noes = [qid for qid, given in contact.answers.items() if given == "no"]
    if noes:
        say(f"  {T('said_no', lang)}: {', '.join(noes)}")
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
    for item in score.contacts:
        mark = "✔" if item.correct else ("◐" if item.score > 0 else "✘")
        say(f"  {mark} {names[item.contact]:<8} {round(100 * item.score):>3}%  "
            f"{T('yours', lang)}: {show(item.answer)}")
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
