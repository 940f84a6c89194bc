"""From conclusions to rows a CRM can import again: ``rolefinder export``.

One row per contact. The plain layout (``csv``/``xlsx``) carries rolefinder's own ids; the
Salesforce and HubSpot layouts use the columns :mod:`rolefinder.crm` reads back (so an export
imports again without losing names, titles, departments or the tree) and write the roles in
that CRM's values, from the ``crm:`` section of the packs (``rules/crm.yaml``, editable by a
trainer and validated when loaded, like every pack section).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rolefinder.account import ATTITUDES
from rolefinder.crm import split_name
from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog, pick, value_label
from rolefinder.sectioncheck import SectionChecker, section_messages
from rolefinder.yamlsource import YamlMap, type_name

if TYPE_CHECKING:
    from rolefinder.identification import ContactResult, Identification

TARGETS = ("salesforce", "hubspot")
TARGET_KEYS = ("multiple", "roles", "attitudes")

# The plain layout: what `identify_records` returns and `export --to csv` writes.
ROW_FIELDS = ("account", "industry", "id", "name", "title", "department", "reports_to", "influence",
              "attitude", "primary_role", "roles", "certainty", "status", "next_question",
              "next_question_text", "notes")
COLUMNS = {
    "salesforce": ("Contact ID", "Account Name", "Industry", "First Name", "Last Name", "Title", "Department",
                   "Reports To ID", "Role", "Buying Roles", "Role Certainty", "Role Status", "Next Question"),
    "hubspot": ("Record ID", "Company Name", "Industry", "First Name", "Last Name", "Job Title", "Department",
                "Reports To Record ID", "Buying Role", "Rolefinder Roles", "Role Certainty", "Role Status",
                "Next Question"),
}

MESSAGES = section_messages(
    {
        "unknown_target": {"en": "unknown CRM {value!r}; expected one of: {allowed}",
                           "zh": "未知的 CRM {value!r};应为以下之一:{allowed}"},
        "unknown_role": {"en": "unknown role {value!r}", "zh": "未知角色 {value!r}"},
        "unknown_attitude": {"en": "unknown attitude {value!r}; expected one of: {allowed}",
                             "zh": "未知态度 {value!r};应为以下之一:{allowed}"},
        "not_text": {"en": "expected the CRM's value as text, got {got}", "zh": "CRM 取值应为文本,实际是{got}"},
        "not_flag": {"en": "expected true or false, got {got}", "zh": "应为 true 或 false,实际是{got}"},
    }
)
T = Catalog({"no_xlsx": {
    "en": "writing .xlsx needs openpyxl: pip install 'rolefinder[xlsx]' (or export --to csv)",
    "zh": "写 .xlsx 需要 openpyxl:pip install 'rolefinder[xlsx]'(或使用 export --to csv)"}})


@dataclass(frozen=True)
class Mapping:
    """One CRM's values for rolefinder's roles and attitudes."""

    multiple: bool
    roles: dict[str, str]
    attitudes: dict[str, str]


class _Checker(SectionChecker):
    messages = MESSAGES


def merge_sections(entries: list[tuple[str, str, Any]], roles: dict) -> tuple[dict[str, Mapping], list[Problem]]:
    """Merge every pack's ``crm:`` section in load order; later packs replace single entries."""
    merged: dict[str, dict[str, Any]] = {t: {"multiple": False, "roles": {}, "attitudes": {}} for t in TARGETS}
    problems: list[Problem] = []
    for _pack, path, data in entries:
        check = _Checker(path)
        section = check.mapping(data, getattr(data, "line", None), "crm")
        for target, body in (section or {}).items():
            where = f"crm.{target}"
            if target not in TARGETS:
                check.add(section.line_of(target), where, "unknown_target", value=target, allowed=", ".join(TARGETS))
                continue
            body = check.mapping(body, section.line_of(target), where)
            if body is None:
                continue
            check.keys(body, TARGET_KEYS, where)
            if "multiple" in body:
                if isinstance(body["multiple"], bool):
                    merged[target]["multiple"] = body["multiple"]
                else:
                    check.add(body.line_of("multiple"), f"{where}.multiple", "not_flag",
                              got=type_name(body["multiple"]))
            _values(check, body, "roles", where, roles, "unknown_role", merged[target]["roles"])
            _values(check, body, "attitudes", where, ATTITUDES, "unknown_attitude", merged[target]["attitudes"])
        problems += check.problems
    return {t: Mapping(**v) for t, v in merged.items()}, problems


def _values(check: _Checker, body: YamlMap, key: str, where: str, allowed, code: str, into: dict) -> None:
    if body.get(key) is None:
        return
    table = check.mapping(body[key], body.line_of(key), f"{where}.{key}")
    for name, value in (table or {}).items():
        line, here = table.line_of(name), f"{where}.{key}.{name}"
        if name not in allowed:
            check.add(line, here, code, value=name, allowed=", ".join(allowed))
        elif not isinstance(value, str) or not value.strip():
            check.add(line, here, "not_text", got=type_name(value))
        else:
            into[name] = value.strip()


def validate_section(entries: list[tuple[str, str, Any]], roles: dict, questions: dict) -> list[Problem]:
    """Called by the knowledge loader: every problem in every pack's ``crm:`` section."""
    return merge_sections(entries, roles)[1]


@lru_cache(maxsize=16)
def load_mappings(rules: tuple[str, ...] = ()) -> dict[str, Mapping]:
    """Every CRM's mapping: the shipped ``rules/crm.yaml`` with the ``--rules`` packs on top.

    The shipped pack is not loaded to judge accounts, so it is read here with every pack
    (which also validates it, and the user's packs, the same way ``rules check`` does).
    Cached like ``load_knowledge``: ``export`` asks once per account file, and merging and
    checking every pack's section again for each file is work done twice. Read-only result.
    """
    from rolefinder.knowledge import load_knowledge

    knowledge = load_knowledge(rules=rules, all_industries=True)
    return merge_sections(knowledge.sections.get("crm", []), knowledge.roles)[0]


# ------------------------------------------------------------------ rows


def plain_row(result: Identification, r: ContactResult, lang: str) -> dict[str, Any]:
    """One contact in the plain layout (ids, not labels: for programs and for re-import)."""
    c, primary = r.contact, r.belief(r.primary_role) if r.primary_role else None
    q = r.next_question
    return {
        "account": result.account.name, "industry": result.account.industry or "", "id": c.id,
        "name": c.name, "title": c.title, "department": c.department, "reports_to": c.reports_to or "",
        "influence": c.influence or "", "attitude": c.attitude or "", "primary_role": r.primary_role or "",
        "roles": ";".join(r.held), "certainty": round(primary.certainty, 3) if primary else 0.0,
        "status": primary.status if primary else "undecided", "next_question": q.id if q else "",
        "next_question_text": pick(q.text, lang) if q else "", "notes": c.notes or "",
    }


def crm_row(result: Identification, r: ContactResult, target: str, lang: str, mapping: Mapping) -> dict[str, Any]:
    """One contact in a CRM's layout, roles in that CRM's values."""
    plain = plain_row(result, r, lang)
    values = [mapping.roles[x] for x in r.held if x in mapping.roles]
    if r.contact.attitude in mapping.attitudes:
        values.append(mapping.attitudes[r.contact.attitude])
    values = list(dict.fromkeys(values))  # several roles may map to one CRM value
    first, last = split_name(r.contact.name)
    labels = ";".join(pick(result.knowledge.roles[x].label, lang) for x in r.held)
    status = value_label(plain["status"], lang)
    if target == "salesforce":
        primary = mapping.roles.get(r.primary_role or "", "")
        cells = [r.contact.id, plain["account"], plain["industry"], first, last, plain["title"],
                 plain["department"], plain["reports_to"], primary, ";".join(values), plain["certainty"], status,
                 plain["next_question_text"]]
    else:
        cells = [r.contact.id, plain["account"], plain["industry"], first, last, plain["title"],
                 plain["department"], plain["reports_to"], ";".join(values if mapping.multiple else values[:1]), labels,
                 plain["certainty"], status, plain["next_question_text"]]
    return dict(zip(COLUMNS[target], cells, strict=True))


def rows_for(result: Identification, target: str, lang: str, rules: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every contact of an identified account, in ``target``'s layout (``csv``/``xlsx`` = plain)."""
    if target in TARGETS:
        mapping = load_mappings(rules)[target]
        return [crm_row(result, r, target, lang, mapping) for r in result.contacts]
    return [plain_row(result, r, lang) for r in result.contacts]


def columns_for(target: str) -> tuple[str, ...]:
    return COLUMNS.get(target, ROW_FIELDS)


def csv_bytes(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> bytes:
    """UTF-8 with a byte-order mark: Excel then shows Chinese right, and both CRMs accept it."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, columns, lineterminator="\n")  # LF: every CRM and Excel read it
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[dict[str, Any]], columns: tuple[str, ...], path: str | None = None) -> bytes:
    """The rows as one worksheet (needs the optional extra ``rolefinder[xlsx]``)."""
    try:
        from openpyxl import Workbook
    except ImportError:
        raise InputError([Problem(path, None, "", "no_xlsx", {}, T)]) from None
    book = Workbook(write_only=True)
    sheet = book.create_sheet("contacts")
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row[c] for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
