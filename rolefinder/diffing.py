"""What changed between two versions of an account: ``rolefinder diff``.

Both sides are reduced to a :class:`Snapshot` — per contact the roles held, attitude and
influence; per account the red flags — either by identifying an account file or by reading a
plain export (``export --to csv``, which carries the same columns). Comparing snapshots, not
files, means a reordered or reformatted file shows no change, and a new answer shows the roles
it moved. A plain export has no red flags, so they are compared only between account files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog, pick, value_label

T = Catalog(
    {
        "head": {"en": "Changes from {old} to {new}", "zh": "从 {old} 到 {new} 的变化"},
        "account": {"en": "Account {name}", "zh": "客户 {name}"},
        "added": {"en": "+ added {who}: {roles}", "zh": "+ 新增 {who}:{roles}"},
        "removed": {"en": "- removed {who} (was: {roles})", "zh": "- 移除 {who}(原为:{roles})"},
        "changed": {"en": "~ {who}: {changes}", "zh": "~ {who}:{changes}"},
        "gained": {"en": "gained {roles}", "zh": "新增角色 {roles}"},
        "lost": {"en": "lost {roles}", "zh": "失去角色 {roles}"},
        "attitude": {"en": "attitude {old} → {new}", "zh": "态度 {old} → {new}"},
        "influence": {"en": "influence {old} → {new}", "zh": "影响力 {old} → {new}"},
        "no_role": {"en": "no role", "zh": "无角色"},
        "unknown": {"en": "not set", "zh": "未设置"},
        "new_flags": {"en": "New red flags:", "zh": "新的风险信号:"},
        "resolved_flags": {"en": "Red flags resolved:", "zh": "已消除的风险信号:"},
        "no_flags": {"en": "(red flags are compared between account files only)",
                     "zh": "(风险信号只在两个客户文件之间比较)"},
        "nothing": {"en": "No changes.", "zh": "没有变化。"},
        "not_export": {
            "en": "not a plain export: expected the columns of `rolefinder export --to csv` "
                  "(account, id, name, roles, influence, attitude)",
            "zh": "不是普通导出表:应包含 `rolefinder export --to csv` 的列"
                  "(account、id、name、roles、influence、attitude)",
        },
    }
)
_EXPORT_COLUMNS = ("account", "id", "name", "roles", "influence", "attitude")


@dataclass(frozen=True)
class ContactState:
    name: str
    roles: tuple[str, ...]
    attitude: str | None
    influence: str | None


@dataclass
class Snapshot:
    """One side of a diff: contacts keyed by (account, id), and red flags when known."""

    path: str
    contacts: dict[tuple[str, str], ContactState]
    flags: dict[tuple[str, str, tuple[str, ...]], dict[str, str]] | None = None  # (account, code, ids) -> message
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> {zh, en}


def snapshot(path: str, rules: tuple[str, ...] = ()) -> Snapshot:
    """Identify an account file, or read a plain CSV export (by its suffix)."""
    if Path(path).suffix.lower() in (".csv", ".tsv", ".txt"):
        return _from_export(path)
    from rolefinder.batch import load

    result = load(path, rules)
    name = result.account.name
    contacts = {(name, r.contact.id): ContactState(r.contact.name, tuple(r.held), r.contact.attitude,
                                                   r.contact.influence) for r in result.contacts}
    flags = {(name, g.code, g.contacts): g.message for g in result.gaps if g.severity == "red_flag"}
    labels = {rid: role.label for rid, role in result.knowledge.roles.items()}
    return Snapshot(path, contacts, flags, labels)


def _from_export(path: str) -> Snapshot:
    from rolefinder.csvtext import read_table
    from rolefinder.knowledge import load_knowledge

    table = read_table(path)
    index = {name: i for i, name in enumerate(table.header)}
    if any(c not in index for c in _EXPORT_COLUMNS):
        raise InputError([Problem(path, 1, "", "not_export", {}, T)])

    def cell(row: list[str], name: str) -> str:
        i = index[name]
        return row[i].strip() if i < len(row) else ""

    contacts = {}
    for _, row in table.rows:
        roles = tuple(r for r in cell(row, "roles").split(";") if r)
        contacts[(cell(row, "account"), cell(row, "id"))] = ContactState(
            cell(row, "name"), roles, cell(row, "attitude") or None, cell(row, "influence") or None)
    labels = {rid: role.label for rid, role in load_knowledge().roles.items()}
    return Snapshot(path, contacts, None, labels)


def compare(old: Snapshot, new: Snapshot) -> dict[str, Any]:
    """The differences as plain data (the JSON of ``diff``)."""
    added = [_entry(key, new.contacts[key]) for key in new.contacts if key not in old.contacts]
    removed = [_entry(key, old.contacts[key]) for key in old.contacts if key not in new.contacts]
    changed = []
    for key, before in old.contacts.items():
        after = new.contacts.get(key)
        if after is None:
            continue
        change: dict[str, Any] = {}
        gained = [r for r in after.roles if r not in before.roles]
        lost = [r for r in before.roles if r not in after.roles]
        if gained:
            change["roles_gained"] = gained
        if lost:
            change["roles_lost"] = lost
        for name in ("attitude", "influence"):
            if getattr(before, name) != getattr(after, name):
                change[name] = {"from": getattr(before, name), "to": getattr(after, name)}
        if change:
            changed.append({**_entry(key, after), **change})
    out: dict[str, Any] = {"old": old.path, "new": new.path, "added": added, "removed": removed,
                           "changed": changed, "red_flags": None}
    if old.flags is not None and new.flags is not None:
        out["red_flags"] = {
            "new": [_flag(k, m) for k, m in new.flags.items() if k not in old.flags],
            "resolved": [_flag(k, m) for k, m in old.flags.items() if k not in new.flags],
        }
    return out


def _entry(key: tuple[str, str], state: ContactState) -> dict[str, Any]:
    return {"account": key[0], "id": key[1], "name": state.name, "roles": list(state.roles)}


def _flag(key: tuple[str, str, tuple[str, ...]], message: dict[str, str]) -> dict[str, Any]:
    return {"account": key[0], "code": key[1], "contacts": list(key[2]), "message": message}


def render(diff: dict[str, Any], labels: dict[str, dict[str, str]], lang: str) -> str:
    """The differences for people, in ``lang``."""
    def roles(ids: list[str]) -> str:
        return ", ".join(pick(labels.get(r, r), lang) for r in ids) or T("no_role", lang)

    def who(item: dict[str, Any]) -> str:
        return f"{item['name']} ({item['id']})"

    def value(v: str | None) -> str:
        return value_label(v, lang) if v else T("unknown", lang)

    lines = [T("head", lang, old=diff["old"], new=diff["new"])]
    accounts = list(dict.fromkeys(i["account"] for part in ("added", "removed", "changed") for i in diff[part]))
    for account in accounts:
        lines += ["", T("account", lang, name=account)]
        lines += [T("added", lang, who=who(i), roles=roles(i["roles"]))
                  for i in diff["added"] if i["account"] == account]
        lines += [T("removed", lang, who=who(i), roles=roles(i["roles"]))
                  for i in diff["removed"] if i["account"] == account]
        for item in (i for i in diff["changed"] if i["account"] == account):
            parts = []
            if item.get("roles_gained"):
                parts.append(T("gained", lang, roles=roles(item["roles_gained"])))
            if item.get("roles_lost"):
                parts.append(T("lost", lang, roles=roles(item["roles_lost"])))
            for name in ("attitude", "influence"):
                if name in item:
                    parts.append(T(name, lang, old=value(item[name]["from"]), new=value(item[name]["to"])))
            lines.append(T("changed", lang, who=who(item), changes="; ".join(parts)))
    flags = diff["red_flags"]
    if flags is None:
        lines += ["", T("no_flags", lang)]
    else:
        for part, key in (("new", "new_flags"), ("resolved", "resolved_flags")):
            if flags[part]:
                lines += ["", T(key, lang)] + [f"  {pick(f['message'], lang)}" for f in flags[part]]
    if not accounts and not (flags and (flags["new"] or flags["resolved"])):
        lines += ["", T("nothing", lang)]
    return "\n".join(lines)
