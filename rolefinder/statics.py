"""A rule's *static* conditions, tested once per contact in Python instead of once per rule in
the Rete network.

Most of a rule's premise does not depend on anything the engine derives: the title (whole, or
one of its posts or grades), the department, the contact's influence and attitude, whether
anyone reports to them, whether they report to no one, and the account's setting. In the Rete
network each such condition is an opaque predicate (``P(...)``) that experta tests on every
contact fact, once per rule that states it: some fifty tests a contact, none of which the
alpha-memory index can look up.

:class:`StaticGroups` collects the distinct static parts of all rules (rules stating the same
conditions share one group) and, per contact, tells which groups hold. The contact fact then
carries ``s_<n>: True`` for each group that holds (and nothing for the others), and a rule
tests its group as one literal field, which the index finds by value: a rule whose static
conditions fail is never activated. The answers to the result are the same as testing the
conditions in the network: each group is the conjunction of exactly the tests the plain rule
would make, on the same values (:mod:`rolefinder.engine` builds both, and the test suite
compares them on every evaluation and case file).

Titles and departments repeat (an account has many 工程师 and one 总经理), so the groups that
hold are remembered per distinct combination of the tested values, and text patterns per
distinct text: a 10,000-contact account evaluates each pattern a few dozen times, not 500,000.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from rolefinder.knowledge import RuleSpec, TextMatch

MEMO_SIZE = 4096  # distinct contact signatures (and texts) remembered before starting afresh
_MISSING = object()


class Static(NamedTuple):
    """The conditions of one rule that only read the contact's own record and the setting."""

    title: TextMatch | None = None
    department: TextMatch | None = None
    account: tuple[tuple[str, frozenset[str]], ...] = ()
    contact: tuple[tuple[str, frozenset[str]], ...] = ()
    has_reports: bool | None = None
    top: bool = False  # manager: none (the contact reports to no one)

    @classmethod
    def of(cls, spec: RuleSpec) -> Static | None:
        """The static part of ``spec``, or None when it has none."""
        static = cls(spec.title, spec.department, spec.account, spec.contact, spec.has_reports,
                     spec.manager == "none")
        return None if static == _NONE else static

    def holds(self, fields: dict[str, Any], titles: set[TextMatch], departments: set[TextMatch]) -> bool:
        """Whether every condition holds for a contact fact's ``fields``; ``titles`` and
        ``departments`` are the title and department patterns that match it."""
        if self.title is not None and self.title not in titles:
            return False
        if self.department is not None and self.department not in departments:
            return False
        for name, values in self.account:
            value = fields.get(name, _MISSING)
            if name == "scope":
                if not (isinstance(value, frozenset) and values & value):
                    return False
            elif not _among(value, values):
                return False
        for name, values in self.contact:
            if not _among(fields.get(name, _MISSING), values):
                return False
        if self.has_reports is not None and fields.get("has_reports", _MISSING) != self.has_reports:
            return False
        return not self.top or fields.get("reports_to", _MISSING) == ""


_NONE = Static()


def _among(value: object, values: frozenset[str]) -> bool:
    try:
        return value in values
    except TypeError:  # an unhashable value is none of the listed ones
        return False


def title_test(match: TextMatch) -> Callable[[dict[str, Any]], bool]:
    """How a title pattern reads a contact fact: the whole title, or any post or grade."""
    if match.part == "any":
        return lambda fields: bool(match(fields["title"]))
    key = f"title_{match.part}s"
    return lambda fields: any(match(part) for part in fields[key])


class StaticGroups:
    """The distinct static parts of a rule set, numbered; which of them hold for a contact."""

    def __init__(self, specs: list[RuleSpec]) -> None:
        self.field: dict[Static, str] = {}  # group -> the contact-fact field that flags it
        for spec in specs:
            static = Static.of(spec)
            if static is not None and static not in self.field:
                self.field[static] = f"s_{len(self.field)}"
        titles = list(dict.fromkeys(s.title for s in self.field if s.title is not None))
        departments = list(dict.fromkeys(s.department for s in self.field if s.department is not None))
        self._title_tests = [(m, title_test(m)) for m in titles]
        self._department_tests = [(m, _department(m)) for m in departments]
        names: set[str] = {"has_reports", "reports_to"}
        for static in self.field:
            names.update(name for name, _ in static.account + static.contact)
        self._names = tuple(sorted(names - {"reports_to"}))
        self._groups: dict[tuple, tuple[str, ...]] = {}
        self._titles: dict[str, set[TextMatch]] = {}
        self._departments: dict[str, set[TextMatch]] = {}

    def __len__(self) -> int:
        return len(self.field)

    def holding(self, fields: dict[str, Any]) -> tuple[str, ...]:
        """The flag fields of the groups that hold for a contact fact's ``fields``."""
        title, department = fields.get("title", ""), fields.get("department", "")
        key = (title, department, fields.get("reports_to") == "",
               *(fields.get(name) for name in self._names))  # facts_for's values: all hashable
        found = self._groups.get(key)
        if found is None:
            titles = self._texts(self._titles, title, fields, self._title_tests)
            departments = self._texts(self._departments, department, fields, self._department_tests)
            found = tuple(name for static, name in self.field.items()
                          if static.holds(fields, titles, departments))
            _remember(self._groups, key, found)
        return found

    @staticmethod
    def _texts(memo: dict[str, set[TextMatch]], text: str, fields: dict[str, Any],
               tests: list[tuple[TextMatch, Callable[[dict[str, Any]], bool]]]) -> set[TextMatch]:
        """The patterns among ``tests`` that match (remembered per distinct text)."""
        found = memo.get(text)
        if found is None:
            found = {match for match, test in tests if test(fields)}
            _remember(memo, text, found)
        return found


def _department(match: TextMatch) -> Callable[[dict[str, Any]], bool]:
    return lambda fields: bool(match(fields["department"]))


def _remember(memo: dict, key: object, value: object) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
