"""Which packs an account's ``industry`` selects, however the file words it.

An account file's industry is free text: "hospital", but also "K-12 education", "三甲医院",
"commercial bank" or "automotive parts manufacturing". A pack lists the names it answers to
(``industries:``). An exact name selects it; failing that, a pack is selected when one of its
names appears in the text as a word (a Chinese name: anywhere in it), so that a qualified
industry still gets its industry's knowledge. Names too general to tell an industry on their own
("industry", "public", "state", "city", "it", "局" …) count only as the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

TOO_GENERAL = frozenset({
    "industry", "industrial", "public", "state", "federal", "city", "county", "agency", "health",
    "it", "tech", "technology", "internet", "局", "机关", "卫生", "工业", "科技",
})


def selects(industry: str | None, names: Iterable[str]) -> bool:
    """Whether an account's ``industry`` text selects a pack answering to ``names``."""
    if not industry:
        return False
    text = industry.strip().lower()
    names = [str(n).lower() for n in names]
    return text in names or any(_within(name, text) for name in names if name not in TOO_GENERAL)


def _within(name: str, text: str) -> bool:
    if not name.isascii():
        return len(name) >= 2 and name in text
    return _word(name).search(text) is not None


@lru_cache(maxsize=512)
def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])")
