"""Regular expressions from rule packs, compiled so that no pattern can stall identification.

Python's ``re`` backtracks: ``^(a|a)*$``, ``^((a+))+$`` or ``^(a|aa)+$`` take time exponential
in the length of the text. A linear-time engine (RE2) has no wheels for every Python we
support and reads ``\\b``, ``\\w`` and ``\\s`` as ASCII only, which would change how the
shipped packs read Chinese titles. So patterns keep ``re`` semantics and pass a structural
guard instead, on the parsed pattern:

- inside a repetition that can repeat more than once (``*``, ``+``, ``{2,}`` …) only single
  characters, classes, anchors and plain groups of them are allowed: no nested quantifier
  (not even ``?``) and no alternation. Then each repetition step consumes a fixed number of
  characters, so there is one way to match it and nothing to backtrack exponentially;
- at most :data:`MAX_REPEATS` repetitions in a pattern and no back-reference, so the
  remaining polynomial backtracking (``\\s*x\\s*``) stays small;
- the text a pattern is applied to is cut at :data:`MAX_TEXT` characters.

With these bounds a pattern's work per text is at most about ``MAX_TEXT ** (MAX_REPEATS + 1)``
steps; every shipped pattern passes.
"""

from __future__ import annotations

import re
from typing import Any

try:  # the parser moved in 3.11; sre_parse warns when imported
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

MAX_REPEATS = 2
MAX_TEXT = 256
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, *([_c.POSSESSIVE_REPEAT] if hasattr(_c, "POSSESSIVE_REPEAT") else [])}
_SINGLE = {_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.ANY, _c.AT, _c.CATEGORY}


class UnsafePattern(ValueError):
    """The pattern could take exponential (or large polynomial) time."""


def check(pattern: str) -> None:
    """Raise :class:`UnsafePattern` (or ``re.error``) for a pattern the guard refuses."""
    parsed = _p.parse(pattern, re.IGNORECASE)
    count = _walk(list(parsed), inside_repeat=False)
    if count > MAX_REPEATS:
        raise UnsafePattern(f"more than {MAX_REPEATS} repetitions (*, +, {{n,}}) in one pattern")


def _walk(items: list, inside_repeat: bool) -> int:
    """Check a parsed sequence; returns how many unbounded-ish repetitions it holds."""
    count = 0
    for op, arg in items:
        if op in _REPEATS:
            _low, high, body = arg
            if inside_repeat:
                raise UnsafePattern("a quantifier inside a repeated group, like (a+)+ or (ab?)*, "
                                    "can take exponential time")
            if high == _c.MAXREPEAT or high > 1:
                count += 1
                _walk(list(body), inside_repeat=True)
            else:
                count += _walk(list(body), inside_repeat)
        elif op == _c.BRANCH:
            if inside_repeat:
                raise UnsafePattern("an alternation inside a repeated group, like (a|aa)+, "
                                    "can take exponential time")
            count += sum(_walk(list(branch), inside_repeat) for branch in arg[1])
        elif op == _c.SUBPATTERN:
            count += _walk(list(arg[-1]), inside_repeat)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            count += _walk(list(arg[1]), inside_repeat)
        elif op in (_c.GROUPREF, _c.GROUPREF_EXISTS):
            raise UnsafePattern("back-references are not allowed")
        elif op not in _SINGLE:
            raise UnsafePattern(f"{str(op).lower()} is not allowed")
    return count


class Pattern:
    """A checked pattern that only ever looks at the first MAX_TEXT characters.

    Compiled on first use: packs read back from the cache folder (:mod:`rolefinder.cache`)
    then compile only the patterns a run applies, and an ``identify`` whose findings all come
    from the memo applies none. Equal (and hashed) by its text, as the compiled pattern is.
    """

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str, compiled: re.Pattern | None = None) -> None:
        self.pattern = pattern
        self._compiled = compiled

    @property
    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, re.IGNORECASE)
        return self._compiled

    def search(self, text: str) -> Any:
        return self.compiled.search(text[:MAX_TEXT])

    def match(self, text: str) -> Any:
        return self.compiled.match(text[:MAX_TEXT])

    def split(self, text: str) -> list[str]:
        return self.compiled.split(text[:MAX_TEXT])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"

    def __reduce__(self) -> tuple:
        return Pattern, (self.pattern,)  # the text only: compiled again when first used


def compile_safe(pattern: str) -> Pattern:
    """Check, then compile case-insensitively; raises ``re.error`` or :class:`UnsafePattern`."""
    check(pattern)
    return Pattern(pattern, re.compile(pattern, re.IGNORECASE))
