"""Where the shipped rule packs, templates and cases live.

A non-editable install carries ``rules/`` and ``templates/`` inside the package (see
``pyproject.toml``); a bare checkout or an editable install has them one folder up, next to
the package. Looking in the package first and the checkout second serves both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The directory ``rules``, ``templates`` or ``cases`` of this installation."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rolefinder is missing its {name!r} directory (looked in {_PACKAGE})")
