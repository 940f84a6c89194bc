"""What the validators of account files, pack sections and pack tests share.

Each keeps its own messages and checks; this base holds the checks they all make, so that a
problem reads the same wherever it is found: file, line, field, what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rolefinder.errors import Problem, did_you_mean
from rolefinder.i18n import LANGS, Catalog
from rolefinder.yamlsource import YamlMap, type_name

COMMON_MESSAGES: dict[str, dict[str, str]] = {
    "expected_type": {"en": "expected {expected}, got {got}", "zh": "应为{expected},实际是{got}"},
    "unknown_key": {
        "en": "unknown field{hint}; expected one of: {allowed}",
        "zh": "未知字段{hint};可用字段:{allowed}",
    },
    "bilingual": {
        "en": "expected a text in both languages, e.g. {{zh: ..., en: ...}}",
        "zh": "需要中英双语文本,例如 {{zh: ..., en: ...}}",
    },
}


def section_messages(own: Mapping[str, Mapping[str, str]]) -> Catalog:
    """A section's catalog: the common messages plus its own."""
    return Catalog({**COMMON_MESSAGES, **own})


class SectionChecker:
    """Collects every problem of one file instead of stopping at the first."""

    messages: Catalog = section_messages({})

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int | None, where: str, code: str, **params: object) -> None:
        self.problems.append(Problem(self.path, line, where, code, params, self.messages))

    def keys(self, data: YamlMap, allowed: Iterable[str], where: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                field = f"{where}.{key}" if where else str(key)
                self.add(data.line_of(key), field, "unknown_key",
                         hint=did_you_mean(str(key), allowed), allowed=", ".join(allowed))

    def mapping(self, value: Any, line: int | None, where: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.add(line, where, "expected_type", expected="mapping", got=type_name(value))
        return None

    def bilingual(self, value: Any, line: int | None, where: str) -> dict[str, str] | None:
        if (isinstance(value, dict) and set(value) == set(LANGS)
                and all(isinstance(v, str) and v.strip() for v in value.values())):
            return {lang: value[lang].strip() for lang in LANGS}
        self.add(line, where, "bilingual")
        return None
