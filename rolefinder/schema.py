"""JSON Schemas for account files and rule packs, built from the validators' own tables.

The validators in :mod:`rolefinder.account` and :mod:`rolefinder.knowledge` are code, but the
facts they check come from tables: the account fields and their kinds (``ACCOUNT_FIELDS``), the
contact fields, the influence and attitude values, the pack, role, rule, condition and
conclusion keys, the statuses, and the question and role ids of the loaded packs. The schemas
are generated from those same tables, so a field added to a validator appears here; a field
whose kind this module does not know stops the generation (and the tests) instead of drifting.
What JSON Schema cannot say — that ``reports_to`` names a contact of the file, that the chart
has no cycle, that a rule id is unique across packs — stays with the validators alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rolefinder import account as acc
from rolefinder import knowledge as kn
from rolefinder.answers import _SPELLINGS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "account.schema.json"
# The first lines of every account file rolefinder creates: editors with the YAML language
# server (VS Code's YAML extension, Neovim, Emacs, JetBrains) then complete and check fields.
SCHEMA_LINE = (f"# yaml-language-server: $schema={SCHEMA_FILE}\n"
               f"# (the schema: rolefinder schema account -o {SCHEMA_FILE})\n")

TEXT: dict[str, Any] = {"type": ["string", "number", "null"]}  # the validators read numbers as text
REQUIRED_TEXT: dict[str, Any] = {"type": ["string", "number"], "pattern": r"\S"}
BILINGUAL: dict[str, Any] = {
    "type": "object",
    "properties": {lang: {"type": "string", "pattern": r"\S"} for lang in ("zh", "en")},
    "required": ["zh", "en"],
    "additionalProperties": False,
}

# How each contact field of account.CONTACT_FIELDS is checked by account._parse_contacts.
CONTACT_KINDS = {
    "id": "required_text", "name": "required_text", "title": "text", "department": "text",
    "reports_to": "text", "influence": ("choice", acc.INFLUENCE), "attitude": ("choice", acc.ATTITUDES),
    "answers": "answers", "notes": "notes",
}


class SchemaDrift(RuntimeError):
    """A validator table holds a kind of field this module cannot describe yet."""


def _enum(values: Iterable[str], nullable: bool = True) -> dict[str, Any]:
    values = list(values)
    return {"enum": [*values, None] if nullable else values}


def _answer_values() -> list[Any]:
    spellings = sorted({s for group in _SPELLINGS.values() for s in group})
    return [*spellings, True, False, None]


def _account_field(kind: str) -> dict[str, Any]:
    if kind == "text":
        return dict(TEXT)
    if kind in acc.CHOICES:
        return _enum(acc.CHOICES[kind])
    if kind == "number":
        return {"type": ["number", "null"], "minimum": 0}
    raise SchemaDrift(f"account field kind {kind!r} has no schema")


def _contact_field(name: str, questions: Iterable[str]) -> dict[str, Any]:
    kind = CONTACT_KINDS.get(name)
    if kind is None:
        raise SchemaDrift(f"contact field {name!r} has no schema")
    if kind == "required_text":
        return dict(REQUIRED_TEXT)
    if kind == "text":
        return dict(TEXT)
    if kind == "notes":
        return {"type": ["string", "number", "null"]}
    if kind == "answers":
        values = _answer_values()
        return {"type": ["object", "null"], "additionalProperties": False,
                "properties": {q: {"enum": values} for q in questions}}
    return _enum(kind[1])


def account_schema(knowledge: kn.Knowledge | None = None) -> dict[str, Any]:
    """The schema of an account file; question and role ids come from ``knowledge``.

    By default every shipped pack is loaded, so any industry's questions are known.
    """
    knowledge = knowledge or kn.load_knowledge(all_industries=True)
    header_props: dict[str, Any] = {}
    for name, kind in acc.ACCOUNT_FIELDS.items():
        header_props[name] = dict(REQUIRED_TEXT) if name == "name" else _account_field(kind)
    contact = {
        "type": "object",
        "properties": {f: _contact_field(f, knowledge.questions) for f in acc.CONTACT_FIELDS},
        "required": ["id", "name"],
        "additionalProperties": False,
    }
    roles = {"type": ["array", "null"], "items": {"enum": list(knowledge.roles)}}
    top = {
        "account": {"type": "object", "properties": header_props, "required": ["name"],
                    "additionalProperties": False},
        "contacts": {"type": ["array", "null"], "items": contact},
        "case": {"type": "object", "properties": {
            "key": {"type": ["object", "null"], "additionalProperties": roles}}},
    }
    missing = set(acc.TOP_LEVEL) - set(top)
    if missing:
        raise SchemaDrift(f"top-level sections without a schema: {sorted(missing)}")
    return {
        "$schema": DRAFT,
        "$id": "https://rolefinder.invalid/schema/account.json",
        "title": "rolefinder account file",
        "description": "An account and its contacts, as rolefinder identify/interview read them. "
                       "Checked further by rolefinder: reports_to must name a contact of the file, "
                       "without cycles; ids are unique.",
        "type": "object",
        "properties": {k: top[k] for k in acc.TOP_LEVEL},
        "required": ["account"],
        "additionalProperties": False,
    }


def _choices(values: Iterable[str]) -> dict[str, Any]:
    """One value or a list of values, as the pack validator's ``_values`` accepts."""
    values = list(values)
    return {"anyOf": [{"enum": values}, {"type": "array", "items": {"enum": values}}]}


def _cf(low: float, high: float) -> dict[str, Any]:
    return {"type": "number", "minimum": low, "maximum": high}


def pack_schema() -> dict[str, Any]:
    """The schema of a rule pack (its sections owned by other modules stay open objects)."""
    ident = {"type": "string", "pattern": kn._ID.pattern}
    match, title_match = _match(part=False), _match(part=True)
    answers = [*kn.ANSWER_TESTS]
    when_props = {
        "answers": {"type": "object", "additionalProperties": {"anyOf": [
            _choices(answers), {"type": "boolean"},
            {"type": "array", "items": {"anyOf": [{"enum": answers}, {"type": "boolean"}]}}]}},
        "title": title_match,
        "department": match,
        "account": {"type": "object", "additionalProperties": False,
                    "properties": {k: _choices(v) if v else {"anyOf": [{"type": "string"}, {
                        "type": "array", "items": {"type": "string"}}]} for k, v in kn._account_tests().items()}},
        "contact": {"type": "object", "additionalProperties": False,
                    "properties": {k: _choices(v) for k, v in kn.CONTACT_TESTS.items()}},
        "facts": {"type": "object", "additionalProperties": {"anyOf": [
            {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
        "manager": {"anyOf": [{"const": "none"}, {"type": "null"}, {
            "type": "object", "required": ["role"], "additionalProperties": False,
            "properties": {"role": {"type": "string"}, "status": {"enum": list(kn.STATUSES)}}}]},
        "has_reports": {"type": "boolean"},
    }
    _check_keys("when", kn.WHEN_KEYS, when_props)
    conclusion = {
        "type": "object", "additionalProperties": False,
        "properties": {"role": {"type": "string"}, "fact": {
            "type": "object", "minProperties": 1, "maxProperties": 1,
            "additionalProperties": {"type": "string"}}, "cf": _cf(-1, 1)},
        "oneOf": [{"required": ["role", "cf"], "not": {"required": ["fact"]}},
                  {"required": ["fact"], "not": {"required": ["role"]},
                   "properties": {"cf": _cf(0, 1)}}],
    }
    _check_keys("then", kn.THEN_KEYS, conclusion["properties"])
    rule_props = {
        "id": {"type": "string", "pattern": kn._RULE_ID.pattern},
        "reason": BILINGUAL,
        "when": {"type": "object", "minProperties": 1, "additionalProperties": False, "properties": when_props},
        "then": {"anyOf": [conclusion, {"type": "array", "minItems": 1, "items": conclusion}]},
    }
    _check_keys("rule", kn.RULE_KEYS, rule_props)
    role_props = {"label": BILINGUAL, "definition": BILINGUAL, "cares_about": BILINGUAL,
                  "prior": _cf(0, 1), "expected": {"type": "boolean"}}
    _check_keys("role", kn.ROLE_KEYS, role_props)
    question_props = {"text": BILINGUAL, "help": BILINGUAL}
    _check_keys("question", kn.QUESTION_KEYS, question_props)
    sections = {key: {"description": f"checked by rolefinder ({kn.SECTION_VALIDATORS.get(key, key)})"}
                for key in kn.SECTION_KEYS}
    props: dict[str, Any] = {
        "pack": ident,
        "title": BILINGUAL,
        "industries": {"type": ["array", "null"], "items": {"type": "string"}},
        "always": {"type": "boolean"},
        "roles": {"type": "object", "propertyNames": ident, "additionalProperties": {
            "type": "object", "required": ["label", "definition"], "additionalProperties": False,
            "properties": role_props}},
        "questions": {"type": "object", "propertyNames": ident, "additionalProperties": {
            "type": "object", "required": ["text"], "additionalProperties": False,
            "properties": question_props}},
        "thresholds": {"type": "object", "required": list(kn.STATUSES), "additionalProperties": False,
                       "properties": {s: _cf(-1, 1) for s in kn.STATUSES}},
        "interview": _interview(ident),
        "facts": {"type": "object", "propertyNames": ident,
                  "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "rules": {"type": "array", "items": {"type": "object", "required": ["id", "reason", "when", "then"],
                                             "additionalProperties": False, "properties": rule_props}},
        "titles": _titles(match),
        "offerings": _offerings(ident),
        "account_rules": _account_rules(),
        **sections,
    }
    for key in ("roles", "questions", "thresholds", "interview", "facts", "rules", "titles", "offerings",
                "account_rules"):
        props[key] = {"anyOf": [props[key], {"type": "null"}]}  # an empty section is allowed
    _check_keys("pack", kn.PACK_KEYS, props)
    return {
        "$schema": DRAFT,
        "$id": "https://rolefinder.invalid/schema/pack.json",
        "title": "rolefinder rule pack",
        "description": "A YAML rule pack. Checked further by rolefinder: ids unique across packs, "
                       "roles, questions and facts that rules name must exist.",
        "type": "object",
        "properties": {k: props[k] for k in kn.PACK_KEYS},
        "required": ["pack", "title"],
        "additionalProperties": False,
    }


def _words() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "pattern": r"\S"}}


def _match(part: bool) -> dict[str, Any]:
    """A text condition: a keyword list, or keywords/regex/unless (and ``part`` for titles)."""
    from rolefinder.setting import PARTS

    props = {"keywords": _words(), "regex": {"type": "string"}, "unless": _words(), "part": {"enum": list(PARTS)}}
    _check_keys("match", kn.MATCH_KEYS, props)
    if not part:
        del props["part"]
    return {"anyOf": [_words(), {"type": "object", "additionalProperties": False, "properties": props}]}


def _titles(match: dict[str, Any]) -> dict[str, Any]:
    props = {"separators": {"type": "string"}, "conjunction": {"type": "string"}, "heads": match,
             "grades": match, "grade_prefix": {"type": "string"}}
    _check_keys("titles", kn.TITLES_KEYS, props)
    return {"type": "object", "additionalProperties": False, "properties": props}


def _offerings(ident: dict[str, Any]) -> dict[str, Any]:
    props = {"type": {"enum": list(acc.OFFERING_TYPES)}, "scope": ident, "keywords": _words(),
             "regex": {"type": "string"}, "unless": _words()}
    _check_keys("offering", kn.OFFERING_KEYS, props)
    return {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": props,
                                       "anyOf": [{"required": ["type"]}, {"required": ["scope"]}]}}


def _account_rules() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    props = {
        "id": {"type": "string", "pattern": kn._RULE_ID.pattern},
        "reason": BILINGUAL,
        "when": {"type": "object", "required": ["role"], "additionalProperties": False, "properties": {
            "role": {"type": "string"}, "status": {"enum": list(kn.STATUSES)}, "at_least": count,
            "at_most": count}},
        "candidates": {"type": "object", "additionalProperties": False, "properties": {
            "facts": {"type": "object", "additionalProperties": {"anyOf": [
                {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
            "manager": {"const": "none"}, "strongest": {"type": "boolean"}}},
        "then": {"type": "object", "additionalProperties": False, "properties": {
            "role": {"type": "string"}, "raise_to": {"enum": ["possible", "probable"]},
            "lower_to": {"enum": ["possible"]}, "finding": {"enum": list(kn.SEVERITIES)}},
            "anyOf": [{"required": ["finding"]}, {"required": ["raise_to"]}, {"required": ["lower_to"]}]},
    }
    _check_keys("account rule", kn.ACCOUNT_RULE_KEYS, props)
    return {"type": "array", "items": {"type": "object", "required": ["id", "reason", "when", "then"],
                                       "additionalProperties": False, "properties": props}}


def _interview(ident: dict[str, Any]) -> dict[str, Any]:
    """The ``interview`` section: how the interview prices and stops (see rolefinder.pricing)."""
    answer = {"anyOf": [{"enum": list(kn.ANSWERS)}, {"type": "boolean"}]}
    props = {
        "min_worth": _cf(0, 10),
        "account_roles": {"type": "object", "propertyNames": ident, "additionalProperties": _cf(0, 1)},
        "implied": {"type": "object", "propertyNames": ident, "additionalProperties": {
            "type": "object", "required": ["answer", "when"], "additionalProperties": False,
            "properties": {"answer": answer, "when": {
                "type": "object", "minProperties": 1, "propertyNames": ident,
                "additionalProperties": {"anyOf": [answer, {"type": "array", "items": answer}]}}}}},
        "given": {"type": "object", "propertyNames": ident, "additionalProperties": {
            "type": "object", "required": ["base", "when"], "additionalProperties": False,
            "properties": {"base": _cf(0.001, 0.999), "when": {
                "type": "object", "propertyNames": ident, "additionalProperties": {
                    "type": "object", "additionalProperties": _cf(0.001, 0.999)}}}}},
        "budget": {"type": "object", "required": ["questions", "growth"], "additionalProperties": False,
                   "properties": {"questions": _cf(0, 100), "growth": _cf(1, 10)}},
    }
    _check_keys("interview", kn.INTERVIEW_KEYS, props)
    return {"type": "object", "additionalProperties": False, "properties": props}


def _check_keys(what: str, keys: Iterable[str], props: dict[str, Any]) -> None:
    if set(keys) != set(props):
        raise SchemaDrift(f"{what} keys differ from the validator's: {sorted(set(keys) ^ set(props))}")


SCHEMAS = {"account": account_schema, "pack": pack_schema}


def schema_text(kind: str, **kwargs: Any) -> str:
    return json.dumps(SCHEMAS[kind](**kwargs), ensure_ascii=False, indent=2) + "\n"


def write_schema_beside(directory: str | Path) -> Path | None:
    """Put ``account.schema.json`` next to account files rolefinder wrote, once.

    The files start with ``# yaml-language-server: $schema=account.schema.json``; with the
    schema beside them, editors complete and check fields at once. An existing file is left
    alone (it may be a newer one the user generated with their own packs).
    """
    target = Path(directory) / SCHEMA_FILE
    if target.exists():
        return None
    acc.atomic_write(target, schema_text("account"))
    return target
