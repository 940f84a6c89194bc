"""What counts as an answer, however a file or a rep spells it.

YAML 1.1 turns an unquoted ``yes`` into ``True``: a rule testing for ``"yes"`` would then never
match. Every answer is normalised here, once, before it becomes a fact.
"""

from __future__ import annotations

YES, NO, UNSURE = "yes", "no", "unsure"
ABSENT = "absent"
ANSWERS = (YES, NO, UNSURE)

_SPELLINGS = {
    YES: {"yes", "y", "true", "是", "是的", "对"},
    NO: {"no", "n", "false", "否", "不是", "不"},
    UNSURE: {"unsure", "?", "unknown", "dont_know", "不确定", "不知道"},
}
_LOOKUP = {spelling: answer for answer, spellings in _SPELLINGS.items() for spelling in spellings}


def normalise_answer(value: object) -> str | None:
    """``yes``/``no``/``unsure`` for any accepted spelling, ``None`` when it is not an answer."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, str):
        return _LOOKUP.get(value.strip().lower())
    return None
