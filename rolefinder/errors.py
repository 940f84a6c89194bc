"""Errors that the command line prints as one clean line each, never as a traceback.

A :class:`Problem` says where (file, line, field) and what was expected; loaders collect every
problem they find before raising, so a trainer fixing a rule pack sees all mistakes at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rolefinder.i18n import Catalog, pick

MESSAGES = Catalog(
    {
        "not_found": {"en": "file not found", "zh": "找不到文件"},
        "exists": {"en": "the file already exists; use --force to overwrite it",
                   "zh": "文件已存在;如需覆盖请加 --force"},
        "not_readable": {"en": "cannot read the file: {error}", "zh": "无法读取文件:{error}"},
        "not_utf8": {
            "en": "the file is not UTF-8 text (bad byte at offset {offset})",
            "zh": "文件不是 UTF-8 文本(第 {offset} 字节无法解码)",
        },
        "not_yaml": {"en": "not valid YAML: {error}", "zh": "不是有效的 YAML:{error}"},
        "expected_type": {"en": "expected {expected}, got {got}", "zh": "应为{expected},实际是{got}"},
        "required": {"en": "required field is missing", "zh": "缺少必填字段"},
        "unknown_key": {
            "en": "unknown field{hint}; expected one of: {allowed}",
            "zh": "未知字段{hint};可用字段:{allowed}",
        },
        "one_of": {
            "en": "{value!r} is not allowed; expected one of: {allowed}",
            "zh": "不允许的值 {value!r};应为以下之一:{allowed}",
        },
        "unknown_question": {
            "en": "unknown question id {value!r}{hint}",
            "zh": "未知的问题编号 {value!r}{hint}",
        },
        "bad_answer": {
            "en": "{value!r} is not an answer; expected yes, no or unsure (是/否/不确定)",
            "zh": "{value!r} 不是有效回答;应为 yes、no、unsure(是/否/不确定)",
        },
        "duplicate_id": {
            "en": "duplicate id {value!r} (first used on line {first})",
            "zh": "编号 {value!r} 重复(第 {first} 行已使用)",
        },
        "dangling_manager": {
            "en": "{value!r} is not the id of a contact in this file",
            "zh": "{value!r} 不是本文件中任何联系人的编号",
        },
        "self_manager": {"en": "a contact cannot report to itself", "zh": "联系人不能向自己汇报"},
        "cycle": {"en": "reporting cycle: {chain}", "zh": "汇报关系出现循环:{chain}"},
        "no_contact": {"en": "no contact with id {value!r}", "zh": "没有编号为 {value!r} 的联系人"},
        "unknown_contact": {
            "en": "{value!r} is not the id of a contact in this file{hint}",
            "zh": "{value!r} 不是本文件中任何联系人的编号{hint}",
        },
        "unknown_role": {
            "en": "unknown role {value!r}{hint}; expected one of: {allowed}",
            "zh": "未知角色 {value!r}{hint};可用角色:{allowed}",
        },
        "no_such_case": {
            "en": "no built-in case {value!r}; available: {allowed}",
            "zh": "没有内置案例 {value!r};可用案例:{allowed}",
        },
        "empty_file": {"en": "the file is empty", "zh": "文件为空"},
        "not_utf8_but": {
            "en": "the file is {found}, not UTF-8 text: save it as UTF-8",
            "zh": "文件是{found},不是 UTF-8 文本:请另存为 UTF-8",
        },
        "not_regular": {"en": "not a regular file: it is {kind}", "zh": "不是普通文件:它是{kind}"},
        "too_big": {
            "en": "the file is {size:.1f} MB, more than the limit of {limit:.0f} MB",
            "zh": "文件大小 {size:.1f} MB,超过了 {limit:.0f} MB 的上限",
        },
        "not_writable": {"en": "cannot write the file: {error}", "zh": "无法写入文件:{error}"},
    }
)


TYPE_WORDS = {
    "en": {"boolean": "boolean (put words like yes, no, on, off in quotes)"},
    "zh": {
        "text": "文本", "number": "数字", "boolean": "布尔值(yes、no、on、off 之类的词要加引号)",
        "list": "列表", "mapping": "映射", "null": "空值", "list of roles": "角色列表",
        "list of text": "文本列表", "list of ids": "编号列表", "number ≥ 0": "不小于 0 的数字",
        "date": "日期", "date and time": "日期时间", "set": "集合", "binary data": "二进制数据",
        "role id": "角色编号", "class id": "级别编号", "question id": "问题编号",
    },
}


CLIPPED = ("value", "token", "got")  # parameters that hold what the user wrote
CLIP = 80  # characters of a bad value quoted in a message at most


class _Clipped:
    """A value shown by at most :data:`CLIP` characters, as ``repr`` or ``str``."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return _short(repr(self.value))

    def __str__(self) -> str:
        return _short(str(self.value))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _short(text: str) -> str:
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def _clip(value: object) -> object:
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, str):
        return value if len(value) <= CLIP else value[: CLIP - 1] + "…"
    return _Clipped(value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows."""

    path: str | None
    line: int | None
    field: str
    code: str
    params: dict = field(default_factory=dict, compare=False, hash=False)
    catalog: Catalog = field(default=MESSAGES, compare=False, hash=False, repr=False)

    def message(self, lang: str) -> str:
        params = {k: _clip(v) if k in CLIPPED else pick(v, lang) if isinstance(v, dict) else v
                  for k, v in self.params.items()}
        words = TYPE_WORDS.get(lang, {})  # type names in the reader's language: 应为文本,实际是列表
        params.update({k: words.get(v, v) for k, v in params.items()
                       if k in ("expected", "got") and isinstance(v, str)})
        return self.catalog(self.code, lang, **params)

    def render(self, lang: str = "en") -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        head = f"{where}: {self.field}: " if self.field else f"{where}: "
        return head + self.message(lang)


class RolefinderError(Exception):
    """Base error of the library: bad input the user can fix. The CLI exits with 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        return "\n".join(p.render(lang) for p in self.problems)


class InputError(RolefinderError):
    """An account file (or other user input) is not as the README describes."""


class PackError(RolefinderError):
    """A rule pack does not follow the schema."""


def did_you_mean(value: object, allowed) -> dict[str, str] | str:
    """A bilingual "did you mean" hint for a misspelt key or id (empty when nothing is close)."""
    import difflib

    close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
    if not close:
        return ""
    return {"en": f" (did you mean {close[0]!r}?)", "zh": f"(是否想写 {close[0]!r}?)"}


def fail(path: str | None, line: int | None, field: str, code: str, **params: object):
    """Raise an :class:`InputError` holding a single problem."""
    raise InputError([Problem(path, line, field, code, params)])
