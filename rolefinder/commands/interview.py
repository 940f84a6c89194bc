"""``rolefinder interview``: the guided questionnaire in the terminal.

This module only reads lines and prints; :class:`rolefinder.interviewing.Interview` decides
what to ask and saves every change. Input is read line by line, so the same code serves a
rep at a terminal, a script piping answers in, and the tests.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import unicodedata
from pathlib import Path

import click

from rolefinder.account import ATTITUDES, INFLUENCE, atomic_write, load_account
from rolefinder.answers import normalise_answer
from rolefinder.cli import emit, format_option, lang_option, resolve_lang, rules_option
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog, pick, value_label
from rolefinder.identification import ContactResult, NextQuestion
from rolefinder.inert import inert
from rolefinder.interviewing import AccountFile, Interview, new_account_text
from rolefinder.memo import EngineMemo
from rolefinder.report import pad, width

T = Catalog(
    {
        "new_account": {"en": "New account file {path}.", "zh": "新建客户文件 {path}。"},
        "ask_account_name": {"en": "Account name", "zh": "客户名称"},
        "ask_industry": {"en": "Industry (optional, e.g. manufacturing, healthcare)",
                         "zh": "行业(可选,例如 manufacturing、healthcare)"},
        "ask_offering": {"en": "What we are selling (optional)", "zh": "我们销售的产品或服务(可选)"},
        "required": {"en": "This is required.", "zh": "此项必填。"},
        "no_file": {"en": "the file does not exist, and --no-input cannot ask for a new account",
                    "zh": "文件不存在,使用 --no-input 时无法询问新客户信息"},
        "answer_needs_contact": {"en": "--answer needs --contact ID: whose answer is it?",
                                 "zh": "--answer 需要同时指定 --contact ID:这是谁的回答?"},
        "answer_form": {"en": "{value!r}: expected QUESTION=ANSWER, e.g. final_say=yes",
                        "zh": "{value!r}:格式应为 问题=回答,例如 final_say=yes"},
        "contacts_head": {"en": "Contacts of {account}:", "zh": "{account} 的联系人:"},
        "no_contacts": {"en": "No contacts yet.", "zh": "还没有联系人。"},
        "to_ask": {"en": "{n} to ask", "zh": "待问 {n} 题"},
        "nothing_to_ask": {"en": "done", "zh": "已完成"},
        "menu": {"en": "Number or id of a contact · a = add · e N = edit · r N = remove · f = account "
                       "fields · q = finish",
                 "zh": "输入联系人序号或编号 · a = 添加 · e 序号 = 修改 · r 序号 = 删除 · f = 客户信息 · q = 结束"},
        "unknown_industry": {"en": "No rule pack is written for the industry {value!r}{hint}; packs exist for: "
                                   "{known}. Enter = keep it (only the general rules apply), or type another:",
                             "zh": "没有为行业 {value!r} 编写的规则包{hint};已有的行业:{known}。"
                                   "回车 = 保留(只使用通用规则),或重新输入:"},
        "edit_head": {"en": "Editing {name} ({id}): Enter keeps each value.", "zh": "修改 {name}({id}):回车保留原值。"},
        "ask_edit": {"en": "{field} [{now}]", "zh": "{field} [{now}]"},
        "edited": {"en": "Saved {name} ({id}).", "zh": "已保存 {name}({id})。"},
        "ask_manager_edit": {"en": "Manager: number from the list, Enter = keep, - = none",
                             "zh": "上级:输入列表中的序号,回车 = 保留,- = 无"},
        "confirm_remove": {"en": "Remove {name} ({id})? Their reports move up to their manager. y/N",
                           "zh": "删除 {name}({id})?其下属改为向其上级汇报。y/N"},
        "removed": {"en": "Removed {name} ({id}).", "zh": "已删除 {name}({id})。"},
        "kept": {"en": "Nothing removed.", "zh": "未删除。"},
        "fields_head": {"en": "Account fields (Enter keeps each value, - clears it):",
                        "zh": "客户信息(回车保留原值,- 清空):"},
        "f_industry": {"en": "Industry", "zh": "行业"},
        "f_offering": {"en": "What we sell", "zh": "我方产品"},
        "f_revenue": {"en": "Current revenue", "zh": "当前收入"},
        "f_potential": {"en": "Potential (high/medium/low)", "zh": "潜力(高/中/低)"},
        "f_strategic_fit": {"en": "Strategic fit (high/medium/low)", "zh": "战略匹配度(高/中/低)"},
        "f_name": {"en": "Name", "zh": "姓名"},
        "f_title": {"en": "Title", "zh": "职务"},
        "f_department": {"en": "Department", "zh": "部门"},
        "menu_default": {"en": "Enter = {name}", "zh": "回车 = {name}"},
        "menu_finish": {"en": "Enter = finish", "zh": "回车 = 结束"},
        "bad_contact": {"en": "No such contact; type a number from the list, a or q.",
                        "zh": "没有这个联系人;请输入列表中的序号、a 或 q。"},
        "ask_name": {"en": "Name", "zh": "姓名"},
        "ask_title": {"en": "Title (optional)", "zh": "职务(可选)"},
        "ask_department": {"en": "Department (optional)", "zh": "部门(可选)"},
        "ask_manager": {"en": "Manager: number from the list, Enter = none",
                        "zh": "上级:输入列表中的序号,回车 = 无"},
        "added": {"en": "Added {name} ({id}).", "zh": "已添加 {name}({id})。"},
        "contact_head": {"en": "── {name} ({id}){title}", "zh": "── {name}({id}){title}"},
        "progress": {
            "en": "[contact {i} of {n} · {answered}/{total} answered · open: {open}]",
            "zh": "[联系人 {i}/{n} · 已答 {answered}/{total} · 未定角色:{open}]",
        },
        "none": {"en": "none", "zh": "无"},
        "choices": {
            "en": "1 yes · 2 no · 3 unsure   (why · back · skip · done · quit · help)",
            "zh": "1 是 · 2 否 · 3 不确定   (为什么 · 返回 · 跳过 · 完成 · 退出 · 帮助)",
        },
        "help": {
            "en": ("Answer with 1/2/3, y/n/? or yes/no/unsure.\n"
                   "  why        why this question is asked\n"
                   "  back       undo the last answer\n"
                   "  skip       move on without answering\n"
                   "  done       finish this contact\n"
                   "  influence  record influence (high/medium/low)\n"
                   "  attitude   record attitude (champion/supporter/neutral/opponent)\n"
                   "  quit       save and leave (every answer is already saved)"),
            "zh": ("回答:1/2/3,或 是/否/不确定(也可用 y/n/?)。\n"
                   "  为什么 (why)      为什么问这个问题\n"
                   "  返回 (back)       撤销上一个回答\n"
                   "  跳过 (skip)       不回答,继续下一题\n"
                   "  完成 (done)       结束这位联系人\n"
                   "  影响力 (influence) 记录影响力(高/中/低)\n"
                   "  态度 (attitude)    记录态度(教练/支持/中立/反对)\n"
                   "  退出 (quit)       保存并离开(每个回答都已保存)"),
        },
        "bad_answer": {"en": "Please answer 1/2/3 (y/n/?), or type help.",
                       "zh": "请回答 1/2/3(是/否/不确定),或输入“帮助”。"},
        "why_head": {"en": "This question can decide:", "zh": "这个问题可能决定:"},
        "why_effect": {"en": "  if {answer}: {role} {before} → {after} ({cf:.2f})",
                       "zh": "  若回答{answer}:{role} {before} → {after}({cf:.2f})"},
        "why_rules": {"en": "Rules involved:", "zh": "相关规则:"},
        "why_worth": {"en": "Expected value {worth:.2f}, P(yes) {p:.2f}.",
                      "zh": "期望价值 {worth:.2f},P(是) {p:.2f}。"},
        "undone": {"en": "Undone: {what}.", "zh": "已撤销:{what}。"},
        "add_cancelled": {"en": "No contact added.", "zh": "未添加联系人。"},
        "same_name": {"en": "Note: {name} is already in the list; adding a second person of that name.",
                      "zh": "提示:列表中已有 {name};将再添加一位同名联系人。"},
        "nothing_undo": {"en": "Nothing to undo for this contact.", "zh": "这位联系人没有可撤销的操作。"},
        "skipped": {"en": "Skipped.", "zh": "已跳过。"},
        "contact_done": {"en": "Nothing more worth asking about {name}.",
                         "zh": "关于 {name} 已没有值得再问的问题。"},
        "ask_influence": {"en": "Influence: 1 high · 2 medium · 3 low · Enter = {enter}",
                          "zh": "影响力:1 高 · 2 中 · 3 低 · 回车 = {enter}"},
        "enter_keep": {"en": "keep ({now})", "zh": "保持({now})"},
        "enter_skip": {"en": "leave it open", "zh": "暂不填写"},
        "ask_attitude": {
            "en": "Attitude: 1 champion · 2 supporter · 3 neutral · 4 opponent · Enter = {enter}",
            "zh": "态度:1 教练(内线)· 2 支持 · 3 中立 · 4 反对 · 回车 = {enter}",
        },
        "bad_choice": {"en": "Type a number from the list, or Enter.",
                       "zh": "请输入列表中的序号,或直接回车。"},
        "saved_field": {"en": "{field}: {value}", "zh": "{field}:{value}"},
        "beliefs": {"en": "→ {line}", "zh": "→ {line}"},
        "no_roles": {"en": "no role yet", "zh": "暂无角色"},
        "summary_head": {"en": "Roles at {account}:", "zh": "{account} 的角色:"},
        "gaps_head": {"en": "Gaps and red flags:", "zh": "缺口与风险:"},
        "no_gaps": {"en": "No gaps found.", "zh": "未发现缺口。"},
        "next_plan": {"en": "Next step: rolefinder plan {path}", "zh": "下一步:rolefinder plan {path}"},
        "next_resume": {"en": "Questions remain; run again to resume: rolefinder interview {path}",
                        "zh": "还有问题未问;再次运行即可继续:rolefinder interview {path}"},
        "interrupted": {"en": "Interrupted. Every answer given is saved in {path}.",
                        "zh": "已中断。已给出的回答都已保存在 {path}。"},
        "no_input_question": {"en": "Next question for {name} ({id}): {text}",
                              "zh": "{name}({id})的下一个问题:{text}"},
        "no_input_hint": {"en": "Run without --no-input to answer it.",
                          "zh": "去掉 --no-input 运行即可回答。"},
        "conflict_choice": {"en": "1 = keep this session's value · 2 = keep the file's >",
                            "zh": "1 = 保留本次会话的值 · 2 = 保留文件中的值 >"},
        "answered": {"en": "your answer “{a}” to “{q}”", "zh": "对“{q}”的回答“{a}”"},
        "field_influence": {"en": "influence", "zh": "影响力"},
        "field_attitude": {"en": "attitude", "zh": "态度"},
        "skip_of": {"en": "skipping “{q}”", "zh": "跳过“{q}”"},
    }
)
ALIASES = {"champion": ("教练", "内线", "coach"), "supporter": ("支持者", "赞同"), "opponent": ("反对者",)}
COMMANDS = {
    "why": ("why", "w", "为什么"),
    "back": ("back", "b", "undo", "返回", "上一步", "撤销"),
    "skip": ("skip", "s", "跳过"),
    "done": ("done", "d", "完成"),
    "quit": ("quit", "q", "exit", "退出"),
    "help": ("help", "h", "帮助"),
    "influence": ("influence", "i", "影响力"),
    "attitude": ("attitude", "a", "态度"),
}
WORDS = {word: command for command, words in COMMANDS.items() for word in words}
NUMBERED = {"1": "yes", "2": "no", "3": "unsure"}


class _Quit(Exception):
    """The rep typed quit, or the input ended: leave with everything saved."""


class Terminal:
    """Prompts and prints in one language; flushes pending saves before reading."""

    def __init__(self, lang: str, session: Interview | None = None) -> None:
        self.lang = lang
        self.session = session
        self.tty = sys.stdin.isatty()

    def say(self, key: str, **params: object) -> None:
        click.echo(T(key, self.lang, **params))

    def ask(self, prompt: str) -> str:
        """One line from the rep; the end of input counts as ``quit``."""
        if self.session is not None:
            self.session.flush()
        if self.tty:
            try:
                return _normal(input(inert(prompt) + " "))  # readline writes the prompt itself
            except EOFError:
                raise _Quit from None
        click.echo(prompt + " ", nl=False)
        line = sys.stdin.readline()
        if not line:
            click.echo()
            raise _Quit
        click.echo(line.rstrip("\n"))  # a transcript that reads like the session
        return _normal(line)

    def resolve_conflict(self, conflict) -> str:
        """Show a change that meets another one in the file and ask which to keep."""
        click.echo(conflict.describe(self.lang))
        while True:
            text = self.ask(T("conflict_choice", self.lang))
            if text in ("1", "2"):
                return "mine" if text == "1" else "theirs"
            self.say("bad_choice")

    def ask_required(self, key: str) -> str:
        while not (value := self.ask(T(key, self.lang) + ":")):
            self.say("required")
        return value


def _normal(line: str) -> str:
    """Full-width letters, digits and punctuation (ｙ, １, ？) read as their ASCII forms."""
    return unicodedata.normalize("NFKC", line).strip()


def _hang_up(signum: int, frame: object) -> None:
    """A closed terminal or a kill ends the interview the way Ctrl-C does: saved first."""
    raise KeyboardInterrupt


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--contact", "contact_id", default=None,
              help="Interview this contact (by id). 直接访谈这位联系人(按编号)。")
@click.option("--no-input", is_flag=True,
              help="Never prompt: print the state and the next question, then exit. 不提示输入。")
@click.option("--answer", "answers", multiple=True, metavar="QUESTION=ANSWER",
              help="With --contact: record this answer first (yes/no/unsure), saved at once. Repeatable. "
                   "为 --contact 指定的联系人先记录回答。")
@format_option("text", "json")
@lang_option
@rules_option
def interview(file: str, contact_id: str | None, no_input: bool, answers: tuple[str, ...], fmt: str,
              lang: str | None, rules: tuple[str, ...]) -> None:
    """Interview the rep about an account, one worth-asking question at a time.

    每次只问最值得问的问题,逐步辨识客户角色;每个回答立即保存。
    For scripts: --answer records answers for --contact, and --format json (which implies
    --no-input) prints the next question and the current beliefs as JSON.
    """
    lang = resolve_lang(lang)
    ui = Terminal(lang)
    no_input = no_input or fmt == "json"
    if not Path(file).exists():
        if no_input:
            raise InputError([Problem(file, None, "", "no_file", catalog=T)])
        _create(file, ui)
    account = load_account(file, rules=rules)
    store = AccountFile(file)
    memo = EngineMemo.for_file(file, account.knowledge)  # the last run's engine findings: see rolefinder.memo
    session = Interview(account, store, autosave=False, memo=memo)
    try:
        _interview(session, ui, file, contact_id, no_input, answers, fmt)
    finally:
        memo.save()


def _interview(session: Interview, ui: Terminal, file: str, contact_id: str | None, no_input: bool,
               answers: tuple[str, ...], fmt: str) -> None:
    """The interview on an open session: answers given as options, then JSON, a state or the prompts."""
    store = session.store
    if not no_input or answers:
        store.check_writable()
    ui.session = session
    if ui.tty:
        session.resolve = ui.resolve_conflict
    if contact_id is not None:
        session.select(contact_id)
    if answers:
        _record_given(session, answers, file)
    if fmt == "json":
        emit(_state(session), "json")
        return
    if no_input:
        _show_state(session, ui, file)
        return
    if ui.tty:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - arrow keys and history at the prompt
    for name in ("SIGHUP", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _hang_up)
    session.autosave = True  # each answer is on disk before its belief line is printed
    try:
        _run(session, ui, fixed=contact_id is not None)
    except _Quit:
        pass
    except KeyboardInterrupt:
        session.flush()
        with contextlib.suppress(OSError):  # the terminal may be gone
            click.echo()
            ui.say("interrupted", path=file)
        raise click.exceptions.Exit(130) from None
    finally:
        session.flush()
    _summary(session, ui, file)


def _create(file: str, ui: Terminal) -> None:
    """Ask for the account header and write the new file."""
    ui.say("new_account", path=file)
    try:
        name = ui.ask_required("ask_account_name")
        industry = _industry(ui, ui.ask(T("ask_industry", ui.lang) + ":"))
        offering = ui.ask(T("ask_offering", ui.lang) + ":")
    except _Quit:
        raise click.exceptions.Exit(1) from None
    try:
        atomic_write(file, new_account_text(name, industry.lower() or None, offering or None))
    except OSError as exc:
        raise InputError([Problem(file, None, "", "not_writable", {"error": exc.strerror or str(exc)})]) from None


def _industry(ui: Terminal, typed: str) -> str:
    """An industry no pack is written for is named, with the ones that exist and a near miss;
    Enter keeps it (the general rules still apply), anything else is checked again."""
    from rolefinder.errors import did_you_mean
    from rolefinder.industries import selects
    from rolefinder.interviewing import known_industries

    known, names = known_industries()
    lowered = {k.lower() for k in names}
    while typed and not selects(typed, lowered):
        hint = did_you_mean(typed.lower(), sorted(lowered))
        again = ui.ask(T("unknown_industry", ui.lang, value=typed, known=", ".join(known),
                         hint=hint[ui.lang] if hint else ""))
        if not again:
            return typed
        typed = again
    return typed


def _ask_value(ui: Terminal, key: str, now: object) -> str | None:
    """A new value for one field: None keeps the old one, '' clears it (typed '-')."""
    text = ui.ask(T("ask_edit", ui.lang, field=T(key, ui.lang), now=now if now not in (None, "") else "—") + ":")
    if not text:
        return None
    return "" if text == "-" else text


def _account_fields(session: Interview, ui: Terminal) -> None:
    """Set or edit industry, offering, revenue, potential and strategic fit."""
    from rolefinder.interviewing import ACCOUNT_FIELDS

    ui.say("fields_head")
    account = session.account
    for name in ACCOUNT_FIELDS:
        now = getattr(account, name) if name in ("industry", "offering") else account.fields.get(name)
        shown = value_label(now, ui.lang) if name in ("potential", "strategic_fit") and now else now
        while True:
            value = _ask_value(ui, f"f_{name}", shown)
            if value is None:
                break
            if name == "industry" and value:
                value = _industry(ui, value)
            try:
                session.set_account_field(name, value or None)
                break
            except InputError as exc:
                click.echo(exc.render(ui.lang), err=True)


def _edit_contact(session: Interview, ui: Terminal, contact_id: str) -> None:
    """Change a contact's name, title, department or manager."""
    contact = session.account.contact(contact_id)
    ui.say("edit_head", name=contact.name, id=contact.id)
    changes: dict[str, str | None] = {}
    for name in ("name", "title", "department"):
        value = _ask_value(ui, f"f_{name}", getattr(contact, name))
        if value is not None and (value or name != "name"):
            changes[name] = value
    others = [c for c in session.account.contacts if c.id != contact_id]
    for number, other in enumerate(session.account.contacts, start=1):
        if other.id != contact_id:
            click.echo(f"  {number}. {other.name} ({other.id}) {other.title}")
    while others:
        text = ui.ask(T("ask_manager_edit", ui.lang) + ":")
        if not text:
            break
        if text == "-":
            changes["reports_to"] = None
            break
        manager = _pick_contact(session, text)
        if manager and manager != contact_id:
            changes["reports_to"] = manager
            break
        ui.say("bad_choice")
    try:
        session.edit_contact(contact_id, **changes)
    except InputError as exc:
        click.echo(exc.render(ui.lang), err=True)
        return
    ui.say("edited", name=contact.name, id=contact.id)


def _remove_contact(session: Interview, ui: Terminal, contact_id: str) -> None:
    contact = session.account.contact(contact_id)
    answer = ui.ask(T("confirm_remove", ui.lang, name=contact.name, id=contact.id))
    if answer.lower() not in ("y", "yes", "是", "确定"):
        ui.say("kept")
        return
    session.remove_contact(contact_id)
    ui.say("removed", name=contact.name, id=contact.id)


def _run(session: Interview, ui: Terminal, fixed: bool) -> None:
    """The contact menu, then one contact at a time; ``--contact`` interviews just that one."""
    if fixed:
        _contact(session, ui)
        return
    while True:
        chosen = _choose_contact(session, ui)
        if chosen is None:
            return
        session.select(chosen)
        _contact(session, ui)


# --------------------------------------------------------------------------- contacts


def _choose_contact(session: Interview, ui: Terminal) -> str | None:
    """Show the contacts and read a choice; None means finish."""
    account, lang = session.account, ui.lang
    ui.say("contacts_head", account=account.name)
    if not account.contacts:
        ui.say("no_contacts")
    for number, result in enumerate(session.result.contacts, start=1):
        left = len(session.worth_asking(result.contact.id))
        state = T("to_ask", lang, n=left) if left else T("nothing_to_ask", lang)
        click.echo(f"  {number}. {_who(result)} · {_roles_short(session, result, lang)} · {state}")
    default = session.next_contact()
    hint = (T("menu_default", lang, name=session.account.contact(default).name) if default
            else T("menu_finish", lang))
    while True:
        text = ui.ask(f"{T('menu', lang)} · {hint}\n>")
        if not text:
            return default
        if text.lower() in ("q", "quit", "退出", "结束"):
            return None
        if text.lower() in ("a", "add", "添加"):
            added = _add_contact(session, ui)
            if added is not None:
                return added.id
            continue
        word, _, rest = text.partition(" ")
        if word.lower() in ("f", "fields", "客户信息") and not rest:
            _account_fields(session, ui)
            return _choose_contact(session, ui)
        if word.lower() in ("e", "edit", "修改", "r", "remove", "删除") and rest.strip():
            target = _pick_contact(session, rest.strip())
            if target is None:
                ui.say("bad_contact")
                continue
            if word.lower() in ("e", "edit", "修改"):
                _edit_contact(session, ui, target)
            else:
                _remove_contact(session, ui, target)
            return _choose_contact(session, ui)
        found = _pick_contact(session, text)
        if found:
            return found
        ui.say("bad_contact")


def _pick_contact(session: Interview, text: str) -> str | None:
    contacts = session.account.contacts
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(contacts):
        return contacts[int(text) - 1].id
    return next((c.id for c in contacts if c.id == text), None)


def _add_contact(session: Interview, ui: Terminal):
    """Ask for a new contact's name, title, department and manager, then save it.

    ``back``/``quit`` (or their Chinese words) at the name prompt cancel the addition.
    """
    name = ui.ask_required("ask_name")
    if WORDS.get(name.lower()) in ("back", "quit"):
        ui.say("add_cancelled")
        return None
    if any(c.name == name for c in session.account.contacts):
        ui.say("same_name", name=name)
    title = ui.ask(T("ask_title", ui.lang) + ":")
    department = ui.ask(T("ask_department", ui.lang) + ":")
    manager = None
    if session.account.contacts:
        for number, contact in enumerate(session.account.contacts, start=1):
            click.echo(f"  {number}. {contact.name} ({contact.id}) {contact.title}")
        while True:
            text = ui.ask(T("ask_manager", ui.lang) + ":")
            manager = _pick_contact(session, text) if text else None
            if not text or manager:
                break
            ui.say("bad_choice")
    contact = session.add_contact(name, title, department, manager)
    ui.say("added", name=contact.name, id=contact.id)
    return contact


def _contact(session: Interview, ui: Terminal) -> None:
    """Ask the worth-asking questions about the selected contact until done."""
    result = session.current
    title = f" · {result.contact.title}" if result.contact.title else ""
    ui.say("contact_head", name=result.contact.name, id=result.contact.id, title=title)
    while True:
        question = session.question()
        if question is None:
            ui.say("contact_done", name=session.current.contact.name)
            if _judgements(session, ui):
                continue  # the rep went back
            session.finish()
            return
        _progress(session, ui)
        click.echo(pick(question.text, ui.lang))
        click.echo("  " + T("choices", ui.lang))
        if _handle(session, ui, question, ui.ask(">")):
            return


def _handle(session: Interview, ui: Terminal, question: NextQuestion, text: str) -> bool:
    """Act on one line typed at a question; True ends this contact."""
    answer = NUMBERED.get(text) or normalise_answer(text)
    if answer is not None:
        session.answer(answer)
        _beliefs(session, ui)
        return False
    word, _, rest = text.partition(" ")
    command = WORDS.get(word.lower())
    if command == "quit":
        raise _Quit
    if command == "done":  # still offer influence and attitude; the menu then moves on
        if _judgements(session, ui):
            return False
        session.finish()
        return True
    if command == "why":
        _why(session, ui, question)
    elif command == "back":
        _back(session, ui)
    elif command == "skip":
        session.skip()
        ui.say("skipped")
    elif command == "help":
        ui.say("help")
    elif command in ("influence", "attitude"):
        _judgement(session, ui, command, rest.strip())
    else:
        ui.say("bad_answer")
    return False


def _back(session: Interview, ui: Terminal) -> None:
    step = session.back()
    if step is None:
        ui.say("nothing_undo")
        return
    questions = session.result.knowledge.questions
    asked = pick(questions[step.key].text, ui.lang) if step.key in questions else step.key
    if step.kind == "answer":
        what = T("answered", ui.lang, q=asked, a=value_label(step.after, ui.lang))
    elif step.kind == "skip":
        what = T("skip_of", ui.lang, q=asked)
    else:
        what = T(f"field_{step.key}", ui.lang)
    ui.say("undone", what=what)
    _beliefs(session, ui)


def _judgements(session: Interview, ui: Terminal) -> bool:
    """Offer influence and attitude when they are not recorded yet; True if the rep went back."""
    contact = session.current.contact
    for name in ("influence", "attitude"):
        if getattr(contact, name) is None and _judgement(session, ui, name, "") == "back":
            return True
    return False


def _judgement(session: Interview, ui: Terminal, name: str, given: str) -> str | None:
    """Read and record influence or attitude; returns ``back`` when the rep typed it."""
    values = INFLUENCE if name == "influence" else ATTITUDES
    current = getattr(session.current.contact, name)
    now = value_label(current, ui.lang) if current else ""
    enter = T("enter_keep", ui.lang, now=now) if current else T("enter_skip", ui.lang)
    while True:
        text = given or ui.ask(T(f"ask_{name}", ui.lang, enter=enter) + ":")
        given = ""
        if not text:
            return None
        if WORDS.get(text.lower()) == "back":
            _back(session, ui)
            return "back"
        if WORDS.get(text.lower()) == "quit":
            raise _Quit
        value = _choice(text, values)
        if value is not None:
            session.set_field(name, value)
            ui.say("saved_field", field=T(f"field_{name}", ui.lang),
                   value=value_label(value, ui.lang))
            return value
        ui.say("bad_choice")


def _choice(text: str, values: tuple[str, ...]) -> str | None:
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(values):
        return values[int(text) - 1]
    lowered = text.lower()
    for value in values:
        if lowered in (value, value_label(value, "zh"), *ALIASES.get(value, ())):
            return value
    return None


# --------------------------------------------------------------------------- printing


def _who(result: ContactResult) -> str:
    c = result.contact
    return f"{c.name} ({c.id})" + (f" {c.title}" if c.title else "")


def _roles_short(session: Interview, result: ContactResult, lang: str) -> str:
    labels = session.result.knowledge.roles
    held = [pick(labels[r].label, lang) for r in result.held]
    return ", ".join(held) if held else T("no_roles", lang)


def _belief_line(session: Interview, result: ContactResult, lang: str) -> str:
    """Roles that are at least possible, with certainty and status, strongest first."""
    labels = session.result.knowledge.roles
    parts = [
        f"{pick(labels[b.role].label, lang)} {b.certainty:.2f} {value_label(b.status, lang)}"
        for b in result.roles if b.status != "ruled_out"
    ]
    return " · ".join(parts) if parts else T("no_roles", lang)


def _beliefs(session: Interview, ui: Terminal) -> None:
    ui.say("beliefs", line=_belief_line(session, session.current, ui.lang))


def _progress(session: Interview, ui: Terminal) -> None:
    p = session.progress()
    labels = session.result.knowledge.roles
    open_roles = ", ".join(pick(labels[r].label, ui.lang) for r in p.open_roles)
    ui.say("progress", i=p.index, n=p.total, answered=p.answered, total=p.questions,
           open=open_roles or T("none", ui.lang))


def _why(session: Interview, ui: Terminal, question: NextQuestion) -> None:
    """What each answer would change and the rules behind it, with their reasons."""
    knowledge, lang = session.result.knowledge, ui.lang
    if question.why:
        click.echo(pick(question.why, lang))
    ui.say("why_head")
    for answer, effects in question.effects.items():
        for e in effects:
            ui.say("why_effect", answer=value_label(answer, lang),
                   role=pick(knowledge.roles[e.role].label, lang),
                   before=value_label(e.before, lang), after=value_label(e.after, lang),
                   cf=max(0.0, e.cf_after))
    ui.say("why_rules")
    for rule_id in question.rules:
        try:
            reason = pick(knowledge.rule(rule_id).reason, lang)
        except KeyError:
            reason = ""
        click.echo(f"  {rule_id}: {reason}")
    ui.say("why_worth", worth=question.worth, p=question.p_yes)


def _summary(session: Interview, ui: Terminal, file: str) -> None:
    """The role table for the account, its gaps, and what to do next."""
    lang, result = ui.lang, session.result
    click.echo()
    ui.say("summary_head", account=session.account.name)
    size = max((width(_who(r)) for r in result.contacts), default=0)
    for item in result.contacts:
        click.echo(f"  {pad(_who(item), size)}  {_belief_line(session, item, lang)}")
    ui.say("gaps_head")
    for gap in result.gaps:
        mark = "!" if gap.severity == "red_flag" else "-"
        click.echo(f"  {mark} {gap.text(lang)}")
    if not result.gaps:
        click.echo("  " + T("no_gaps", lang))
    if session.next_contact() is not None:
        ui.say("next_resume", path=file)
    ui.say("next_plan", path=file)


def _record_given(session: Interview, answers: tuple[str, ...], file: str) -> None:
    """``--answer Q=A`` for the contact of ``--contact``: checked like a file's answers, then saved."""
    if session.contact_id is None:
        raise InputError([Problem(file, None, "--answer", "answer_needs_contact", catalog=T)])
    for given in answers:
        question, sep, value = given.partition("=")
        if not sep or not question.strip() or not value.strip():
            raise InputError([Problem(file, None, "--answer", "answer_form", {"value": given}, T)])
        session.answer(value.strip(), question=question.strip())
    session.flush()


def _state(session: Interview) -> dict:
    """The interview's state for scripts: the contact, its beliefs, the next question, progress."""
    cid = session.contact_id or session.next_contact()
    if cid is None:
        return {"contact": None, "next_question": None, "done": True,
                "account": session.result.to_dict()}
    session.select(cid)
    result, question, progress = session.current, session.question(), session.progress()
    return {
        "contact": cid,
        "roles": [b.to_dict() for b in result.roles],
        "next_question": question.to_dict() if question else None,
        "progress": {"contact": progress.index, "of": progress.total, "answered": progress.answered,
                     "questions": progress.questions, "open_roles": list(progress.open_roles)},
        "done": question is None and session.next_contact() is None,
    }


def _show_state(session: Interview, ui: Terminal, file: str) -> None:
    """``--no-input``: the progress and the next question (or the summary), no prompt."""
    cid = session.contact_id or session.next_contact()
    if cid is not None:
        session.select(cid)
        question = session.question()
        if question is not None:
            _progress(session, ui)
            c = session.current.contact
            ui.say("no_input_question", name=c.name, id=c.id, text=pick(question.text, ui.lang))
            _beliefs(session, ui)
            ui.say("no_input_hint")
            return
    _summary(session, ui, file)


