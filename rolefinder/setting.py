"""What a rule may know beyond one contact: the parts of a title and the account's setting.

* **Title parts.** A compound title (「放射科主任、主任医师」, 「副总经理兼总工程师」, "President & CEO",
  "Director / Head of X") is split into parts once per contact; each part is either a *post*
  (a position: 科主任, 副总经理, CEO) or a *grade* (a professional rank that says nothing about
  managing anyone: 主任医师, 高级工程师, Senior, Principal). A rule's ``title`` condition may match
  the whole title (``part: any``, the default), one of the posts (``part: post``) or one of the
  grades (``part: grade``). How titles split is pack data (core's ``titles:`` section).
* **The setting** of an account: what is sold (``offering_type``, given in the file or inferred
  from the ``offering`` text by the packs' ``offerings:`` patterns), how it is bought
  (``buying_process``) and which functions the offering serves (``scope``, inferred the same
  way; ``unknown`` when no pattern matches). Rules test them with an ``account:`` condition.

Both are computed once per contact or account, never once per rule.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from rolefinder.account import Account
    from rolefinder.knowledge import TextMatch

UNKNOWN = "unknown"
PARTS = ("any", "post", "grade")


class TitleRules(NamedTuple):
    """How titles split into parts, and which parts are grades (core's ``titles:`` section)."""

    separators: re.Pattern | None = None  # always split here
    conjunction: re.Pattern | None = None  # split here only when both sides name a post
    heads: TextMatch | None = None  # words that make a piece of text a post on its own
    grades: TextMatch | None = None  # a part that is a professional grade
    grade_prefix: re.Pattern | None = None  # a leading grade word of a longer part ("senior ...")

    def split(self, title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(posts, grades) of a lower-cased title."""
        pieces = [title]
        if self.separators is not None:
            pieces = [p for piece in pieces for p in self.separators.split(piece)]
        if self.conjunction is not None:
            pieces = [p for piece in pieces for p in self._split_conjunction(piece)]
        posts: list[str] = []
        grades: list[str] = []
        for piece in (p.strip() for p in pieces):
            if not piece:
                continue
            if self.grades is not None and self.grades(piece):
                grades.append(piece)
                continue
            prefix = self.grade_prefix.match(piece) if self.grade_prefix is not None else None
            if prefix and piece[prefix.end():].strip():
                grades.append(prefix.group(0).strip())
                piece = piece[prefix.end():].strip()
            posts.append(piece)
        return tuple(posts), tuple(grades)

    def _split_conjunction(self, piece: str) -> list[str]:
        sides = self.conjunction.split(piece)
        if len(sides) > 1 and self.heads is not None and all(self.heads(s) for s in sides):
            return sides
        return [piece]


class OfferingPattern(NamedTuple):
    """Offering text -> a type (first pattern that matches wins) or a scope (every match counts)."""

    match: TextMatch
    type: str | None = None
    scope: str | None = None


class Setting(NamedTuple):
    """The account-level facts every contact's rules may test."""

    offering_type: str = UNKNOWN
    buying_process: str = UNKNOWN
    scope: frozenset[str] = frozenset()
    inferred: bool = False  # whether offering_type came from the offering text

    def to_dict(self) -> dict[str, object]:
        return {"offering_type": self.offering_type, "buying_process": self.buying_process,
                "scope": sorted(self.scope), "offering_type_inferred": self.inferred}


NO_SETTING = Setting()


def account_setting(account: Account, patterns: tuple[OfferingPattern, ...]) -> Setting:
    """The setting of ``account``: explicit fields win, the offering text fills the gaps."""
    text = (account.offering or "").lower()
    given = account.fields.get("offering_type")
    inferred = None
    scope = set()
    for pattern in patterns:
        if not text or not pattern.match(text):
            continue
        if pattern.type and inferred is None:
            inferred = pattern.type
        if pattern.scope:
            scope.add(pattern.scope)
    return Setting(
        offering_type=given or inferred or UNKNOWN,
        buying_process=account.fields.get("buying_process") or UNKNOWN,
        scope=frozenset(scope or {UNKNOWN}),
        inferred=given is None and inferred is not None,
    )
