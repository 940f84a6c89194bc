"""From a CRM's contact export to account files: ``rolefinder import``.

A CSV row is one contact. Its columns are recognised by name, in English and Chinese, for
Salesforce contact reports and exports, HubSpot contact exports and rolefinder's own plain
layout (:data:`FIELDS`; ``--map COLUMN=FIELD`` overrides). Rows are grouped by account; the
reports-to tree is resolved from CRM ids or, failing that, from the manager's name within the
same account. A buying role the CRM already holds is kept in the contact's notes, as a hint for
the rep: it never becomes an answer, because answers are what the rep learned, not a label.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rolefinder.account import ATTITUDES, INFLUENCE, Account, Contact, dump_account, parse_account_text
from rolefinder.csvtext import Table, read_table
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog

# field -> column names that mean it (compared without case, spaces, '_', '-', ':', '.', '()')
FIELDS: dict[str, tuple[str, ...]] = {
    "account": ("account", "Account Name", "Company Name", "Associated Company", "Company", "Account",
                "AccountId", "Account ID", "客户名称", "客户", "公司名称", "公司", "单位名称", "单位"),
    "industry": ("industry", "Industry", "行业"),
    "offering": ("offering", "Offering", "销售内容", "产品"),
    "id": ("id", "Contact ID", "Record ID", "Contact Id", "Id", "联系人ID", "联系人编号", "记录ID", "编号"),
    "name": ("name", "Full Name", "Contact Name", "Name", "姓名", "联系人姓名", "联系人"),
    "first_name": ("first_name", "First Name", "FirstName", "名字", "名"),
    "last_name": ("last_name", "Last Name", "LastName", "姓氏", "姓"),
    "title": ("title", "Title", "Job Title", "职务", "职位", "头衔"),
    "department": ("department", "Department", "部门", "科室"),
    "reports_to": ("reports_to", "Reports To ID", "ReportsToId", "Reports To: Contact ID",
                   "Reports To Record ID", "Reports To", "Reports To: Full Name", "Manager", "Manager Name",
                   "上级ID", "上级编号", "汇报对象", "直属上级", "上级"),
    "influence": ("influence", "Influence", "影响力"),
    "attitude": ("attitude", "Attitude", "态度"),
    "notes": ("notes", "Notes", "Description", "备注", "说明"),
    "crm_role": ("crm_role", "Role", "Contact Role", "Buying Role", "Buying Roles", "购买角色", "采购角色", "角色"),
}
IGNORE = "ignore"
REQUIRED = ("account", "name")  # name may also come as first_name + last_name
_VALUE_WORDS = {
    "high": "high", "高": "high", "medium": "medium", "中": "medium", "low": "low", "低": "low",
    "champion": "champion", "教练": "champion", "内线": "champion", "supporter": "supporter",
    "支持": "supporter", "neutral": "neutral", "中立": "neutral", "opponent": "opponent", "反对": "opponent",
}

MESSAGES = Catalog(
    {
        "missing_columns": {
            "en": "unrecognised layout: no column for {fields}; columns found: {found}. Rename them, or "
                  "say which is which with --map COLUMN=FIELD (fields: {allowed})",
            "zh": "无法识别的表格格式:缺少 {fields} 列;找到的列:{found}。请重命名,或用 --map 列名=字段 "
                  "指定对应关系(字段:{allowed})",
        },
        "bad_map": {
            "en": "--map {value!r}: expected COLUMN=FIELD with FIELD one of: {allowed}",
            "zh": "--map {value!r}:格式应为 列名=字段,字段为以下之一:{allowed}",
        },
        "unknown_column": {
            "en": "--map {value!r}: the file has no column {column!r}; columns: {found}",
            "zh": "--map {value!r}:文件中没有 {column!r} 列;现有列:{found}",
        },
        "no_name": {"en": "the row has no contact name", "zh": "该行没有联系人姓名"},
        "no_account": {"en": "the row has no account name", "zh": "该行没有客户名称"},
        "duplicate_id": {
            "en": "contact id {value!r} is also used on line {first}",
            "zh": "联系人编号 {value!r} 与第 {first} 行重复",
        },
        "manager_unknown": {
            "en": "manager {value!r} is not a contact of {account}; left without a manager",
            "zh": "上级 {value!r} 不是 {account} 的联系人;未设置上级",
        },
        "manager_ambiguous": {
            "en": "manager {value!r} matches {count} contacts of {account}; left without a manager",
            "zh": "上级 {value!r} 对应 {account} 的 {count} 位联系人;未设置上级",
        },
        "manager_cycle": {
            "en": "reporting cycle {chain}; {name} left without a manager",
            "zh": "汇报关系出现循环 {chain};{name} 未设置上级",
        },
        "bad_value": {
            "en": "{value!r} is not a known {field} ({allowed}); left out",
            "zh": "{value!r} 不是有效的{field}({allowed});已忽略",
        },
        "no_rows": {"en": "the file has no contacts", "zh": "文件中没有联系人"},
    }
)


@dataclass
class ImportResult:
    """What an import produced: accounts with their file names, and warnings worth reading."""

    accounts: list[tuple[str, Account]]
    warnings: list[Problem] = field(default_factory=list)
    layout: str = "plain"
    encoding: str = "utf-8"
    columns: dict[str, str] = field(default_factory=dict)  # field -> column used


def _key(name: str) -> str:
    return re.sub(r"[\s_\-:.()()::]+", "", unicodedata.normalize("NFKC", name)).casefold()


_ALIASES = {field_name: [_key(a) for a in aliases] for field_name, aliases in FIELDS.items()}


def match_columns(header: list[str], overrides: Mapping[str, str] = {}, path: str | None = None) -> dict[str, int]:
    """Which column index holds each field: ``overrides`` (column -> field) first, then the names."""
    problems = []
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    keys = [_key(h) for h in header]
    for column, target in overrides.items():
        if _key(column) not in keys:
            problems.append(Problem(path, None, "", "unknown_column",
                                    {"value": f"{column}={target}", "column": column,
                                     "found": ", ".join(header)}, MESSAGES))
            continue
        index = keys.index(_key(column))
        taken.add(index)
        if target != IGNORE:
            chosen[target] = index
    if problems:
        raise InputError(problems)
    for name, aliases in _ALIASES.items():
        if name in chosen:
            continue
        for alias in aliases:  # the order of FIELDS is the order of preference
            index = next((i for i, k in enumerate(keys) if k == alias and i not in taken), None)
            if index is not None:
                chosen[name] = index
                taken.add(index)
                break
    return chosen


def parse_map(items: Iterable[str], path: str | None = None) -> dict[str, str]:
    """``["Owner Title=title", "Role=ignore"]`` -> ``{"Owner Title": "title", "Role": "ignore"}``."""
    out, problems = {}, []
    allowed = [*FIELDS, IGNORE]
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip() or target.strip() not in allowed:
            problems.append(Problem(path, None, "", "bad_map", {"value": item, "allowed": ", ".join(allowed)},
                                    MESSAGES))
            continue
        out[column.strip()] = target.strip()
    if problems:
        raise InputError(problems)
    return out


def detect_layout(header: list[str]) -> str:
    """``salesforce``, ``hubspot`` or ``plain``: only for telling the user what was recognised."""
    keys = {_key(h) for h in header}
    if keys & {"recordid", "buyingrole", "associatedcompany", "hsbuyingrole"}:
        return "hubspot"
    if keys & {"contactid", "reportstoid", "reportstocontactid", "accountname"}:
        return "salesforce"
    return "plain"


def import_table(table: Table, path: str | None = None, *, overrides: Mapping[str, str] = {},
                 account: str | None = None) -> ImportResult:
    """Turn a CRM table into validated accounts; raise :class:`InputError` for what blocks it."""
    columns = match_columns(table.header, overrides, path)
    missing = [f for f in REQUIRED if f not in columns]
    if account is not None and "account" in missing:
        missing.remove("account")
    if "name" in missing and ("first_name" in columns or "last_name" in columns):
        missing.remove("name")
    if missing:
        raise InputError([Problem(path, 1, "", "missing_columns",
                                  {"fields": " + ".join(missing), "found": ", ".join(table.header),
                                   "allowed": ", ".join(FIELDS)}, MESSAGES)])
    if not table.rows:
        raise InputError([Problem(path, None, "", "no_rows", {}, MESSAGES)])
    builder = _Builder(path, columns, table.header)
    for line, row in table.rows:
        builder.add(line, row, account)
    accounts = builder.finish()
    return ImportResult(accounts, builder.warnings, detect_layout(table.header), table.encoding,
                        {f: table.header[i] for f, i in columns.items()})


def import_file(path: str | Path, *, overrides: Mapping[str, str] = {}, account: str | None = None,
                encoding: str | None = None) -> ImportResult:
    """Read a CSV export (any supported encoding) and turn it into accounts."""
    table = read_table(path, encoding)
    return import_table(table, str(path), overrides=overrides, account=account)


@dataclass
class _Row:
    line: int
    account: str
    contact: Contact
    manager: str | None


class _Builder:
    """Rows to accounts: ids, names, values, then each account's reports-to tree."""

    def __init__(self, path: str | None, columns: dict[str, int], header: list[str]) -> None:
        self.path, self.columns, self.header = path, columns, header
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.rows: list[_Row] = []
        self.headers: dict[str, dict[str, str]] = {}

    def cell(self, row: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(row):
            return ""
        return " ".join(row[index].split())

    def add(self, line: int, row: list[str], fixed_account: str | None) -> None:
        account = fixed_account or self.cell(row, "account")
        name = self.cell(row, "name") or join_name(self.cell(row, "first_name"), self.cell(row, "last_name"))
        if not account:
            self.errors.append(Problem(self.path, line, self.header_of("account"), "no_account", {}, MESSAGES))
        if not name:
            self.errors.append(Problem(self.path, line, self.header_of("name"), "no_name", {}, MESSAGES))
        if not account or not name:
            return
        head = self.headers.setdefault(account, {})
        for key in ("industry", "offering"):
            if self.cell(row, key) and key not in head:
                head[key] = self.cell(row, key)
        contact = Contact(id=self.cell(row, "id"), name=name, title=self.cell(row, "title"),
                          department=self.cell(row, "department"),
                          influence=self.value(row, "influence", INFLUENCE, line),
                          attitude=self.value(row, "attitude", ATTITUDES, line),
                          notes=self.notes(row), line=line)
        self.rows.append(_Row(line, account, contact, self.cell(row, "reports_to") or None))

    def header_of(self, name: str) -> str:
        index = self.columns.get(name)
        return self.header[index] if index is not None else name

    def value(self, row: list[str], name: str, allowed: tuple[str, ...], line: int) -> str | None:
        raw = self.cell(row, name)
        if not raw:
            return None
        value = _VALUE_WORDS.get(raw.casefold())
        if value in allowed:
            return value
        self.warnings.append(Problem(self.path, line, self.header_of(name), "bad_value",
                                     {"value": raw, "field": name, "allowed": ", ".join(allowed)}, MESSAGES))
        return None

    def notes(self, row: list[str]) -> str | None:
        notes = self.cell(row, "notes")
        role = self.cell(row, "crm_role")
        hint = f"{self.header_of('crm_role')}: {role}" if role else ""
        if hint and hint not in notes:
            notes = f"{notes}\n{hint}" if notes else hint
        return notes or None

    def finish(self) -> list[tuple[str, Account]]:
        by_account: dict[str, list[_Row]] = {}
        for row in self.rows:
            by_account.setdefault(row.account, []).append(row)
        self._assign_ids(by_account)
        if self.errors:
            raise InputError(sorted(self.errors, key=lambda p: p.line or 0))
        out, used = [], set()
        for name, rows in by_account.items():
            self._resolve_managers(name, rows)
            head = self.headers.get(name, {})
            industry = head.get("industry")
            account = Account(name=name, contacts=[r.contact for r in rows],
                              industry=industry.lower() if industry else None, offering=head.get("offering"))
            out.append((_file_name(name, used), account))
        return out

    def _assign_ids(self, by_account: dict[str, list[_Row]]) -> None:
        for rows in by_account.values():
            first: dict[str, int] = {}
            for row in rows:
                cid = row.contact.id
                if cid and cid in first:
                    self.errors.append(Problem(self.path, row.line, self.header_of("id"), "duplicate_id",
                                               {"value": cid, "first": first[cid]}, MESSAGES))
                elif cid:
                    first[cid] = row.line
            number = 0
            for row in rows:
                while not row.contact.id:
                    number += 1
                    if f"c{number}" not in first:
                        row.contact.id = f"c{number}"
                        first[row.contact.id] = row.line

    def _resolve_managers(self, account: str, rows: list[_Row]) -> None:
        ids = {r.contact.id for r in rows}
        by_name: dict[str, list[str]] = {}
        for r in rows:
            by_name.setdefault(r.contact.name.casefold(), []).append(r.contact.id)
        where = self.header_of("reports_to")
        for r in rows:
            if r.manager is None:
                continue
            if r.manager in ids and r.manager != r.contact.id:
                r.contact.reports_to = r.manager
                continue
            found = [m for m in by_name.get(r.manager.casefold(), []) if m != r.contact.id]
            if len(found) == 1:
                r.contact.reports_to = found[0]
            elif found:
                self.warnings.append(Problem(self.path, r.line, where, "manager_ambiguous",
                                             {"value": r.manager, "count": len(found), "account": account},
                                             MESSAGES))
            else:
                self.warnings.append(Problem(self.path, r.line, where, "manager_unknown",
                                             {"value": r.manager, "account": account}, MESSAGES))
        self._break_cycles(rows, where)

    def _break_cycles(self, rows: list[_Row], where: str) -> None:
        by_id = {r.contact.id: r for r in rows}
        for r in rows:
            chain, current = [], r
            while current is not None and current.contact.id not in chain:
                chain.append(current.contact.id)
                boss = current.contact.reports_to
                current = by_id.get(boss) if boss else None
            if current is None:
                continue
            loop = [*chain[chain.index(current.contact.id):], current.contact.id]
            last = by_id[loop[-2]]
            last.contact.reports_to = None
            self.warnings.append(Problem(self.path, last.line, where, "manager_cycle",
                                         {"chain": " → ".join(loop), "name": last.contact.name}, MESSAGES))


def _file_name(account: str, used: set[str]) -> str:
    """A file name from the account name: letters of any script kept, the rest becomes '-'."""
    stem = re.sub(r"[^\w]+", "-", unicodedata.normalize("NFKC", account)).strip("-_").lower()[:80] or "account"
    name, number = f"{stem}.yaml", 1
    while name in used:
        number += 1
        name = f"{stem}-{number}.yaml"
    used.add(name)
    return name


# ------------------------------------------------------------------ names

_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                      "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里")


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def join_name(first: str, last: str) -> str:
    """A full name from CRM parts: 张 + 伟 -> 张伟 (family name first), Ada + Lovelace -> Ada Lovelace."""
    if not first or not last:
        return first or last
    if _is_cjk(first + last):
        return last + first
    return f"{first} {last}"


def split_name(name: str) -> tuple[str, str]:
    """(first, last) for a CRM that wants them apart; :func:`join_name` gives the name back."""
    name = " ".join(name.split())
    if " " in name:
        first, _, last = name.rpartition(" ")
        return first, last
    if _is_cjk(name) and len(name) > 1:
        size = 2 if name.startswith(_COMPOUND_SURNAMES) and len(name) > 2 else 1
        return name[size:], name[:size]
    return "", name


# ------------------------------------------------------------------ writing


def account_text(account: Account) -> str:
    """The YAML of a new account file, headed by the line that lets editors check it."""
    from rolefinder.schema import SCHEMA_LINE

    text = SCHEMA_LINE + dump_account(account)
    parse_account_text(text, account.path)  # what we write, `identify` must accept
    return text


def plan_writes(result: ImportResult, directory: str | Path, force: bool) -> list[tuple[Path, str]]:
    """The files to write, checked up front: nothing is written when any would be overwritten."""
    base = Path(directory)
    writes, problems = [], []
    for name, account in result.accounts:
        target = base / name
        account.path = str(target)
        if target.exists() and not force:
            problems.append(Problem(str(target), None, "", "exists", {}))
        writes.append((target, account_text(account)))
    if problems:
        raise InputError(problems)
    return writes
