"""Terminal text that fits: display width, word-boundary wrapping, tables within a width.

A Chinese character takes two terminal columns, a combining mark none, and colour codes none,
so ``len()`` is the wrong measure. Widths come from the standard library's East Asian Width
data (the same table ``wcwidth`` uses for these characters), which keeps ``pip install .``
free of another dependency. Text wraps between words, or between two Chinese characters (which
need no space), never inside a word unless the word alone is wider than the line.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Sequence

# colour codes, raw or as the marks of rolefinder.inert.style (turned into codes on output)
ANSI = re.compile(r"\x1b\[[0-9;]*m|\x00[0-9a-f]{12}\[[0-9;]*m\x00")
DEFAULT_WIDTH = 80
MIN_WIDTH = 20
# closing punctuation never starts a line; opening never ends one
_NO_START = set("，。、；：？！）》」』】〉,.;:?!)]}%…")
_NO_END = set("（《「『【〈([{“‘")
_TOKEN = re.compile(r"\x1b\[[0-9;]*m|\x00[0-9a-f]{12}\[[0-9;]*m\x00|\s+|[^\s\x1b\x00]|\x00")


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (colour codes take none)."""
    return sum(char_width(ch) for ch in ANSI.sub("", text))


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - display_width(text))


def terminal_width(large: bool = False) -> int:
    """``COLUMNS`` when set, else the terminal's width, else 80 (a pipe, a file, a test).

    With ``large`` (a projector) the text is laid out for half as many columns, so a trainer
    can zoom the terminal font to double size and still see whole lines.
    """
    width = 0
    value = os.environ.get("COLUMNS", "")
    if value.isdigit():
        width = int(value)
    elif sys.stdout.isatty():
        import shutil  # here: importing it (and its archive modules) costs a piped command for nothing

        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    width = width or DEFAULT_WIDTH
    if large:
        width //= 2
    return max(MIN_WIDTH, width)


def _words(text: str) -> list[str]:
    """Breakable units: a run of Latin letters/digits, one wide character, spaces, colour codes.

    Punctuation that may not start a line is glued to the unit before it.
    """
    units: list[str] = []
    for token in _TOKEN.findall(text):
        wide = len(token) == 1 and char_width(token) == 2
        glue_prev = (len(token) == 1 and token in _NO_START) or token.startswith(("\x1b", "\x00"))
        if units and _joins(units[-1], token, wide, glue_prev):
            units[-1] += token
        else:
            units.append(token)
    return units


def _joins(previous: str, token: str, wide: bool, glue: bool) -> bool:
    """Whether ``token`` continues the unit before it (no line break allowed between them)."""
    if previous.isspace() or token.isspace():
        return False
    if glue or previous[-1] in _NO_END:
        return True
    return not wide and not token.startswith(("\x1b", "\x00")) and _latin(previous) and _latin(token)


def _latin(unit: str) -> bool:
    plain = ANSI.sub("", unit)
    return bool(plain) and char_width(plain[-1]) == 1 and not plain[-1].isspace()


def _split_long(unit: str, room: int) -> tuple[str, str]:
    """A unit wider than a whole line: cut it at ``room`` columns."""
    used, out = 0, ""
    for i, ch in enumerate(unit):
        w = char_width(ch)
        if used + w > room and out:
            return out, unit[i:]
        out += ch
        used += w
    return out, ""


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` columns; continuation lines start with ``indent``.

    Existing line breaks are kept; each line keeps its own leading spaces.
    """
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += _wrap_line(paragraph, width, indent)
    return out


def _wrap_line(line: str, width: int, indent: str) -> list[str]:
    if display_width(line) <= width:
        return [line]
    lead = line[: len(line) - len(line.lstrip(" "))]
    indent = indent if display_width(indent) < width // 2 else ""
    lines: list[str] = []
    current, used = lead, display_width(lead)
    for unit in _words(line[len(lead):]):
        size = display_width(unit)
        if unit.isspace():
            if used + size <= width:
                current, used = current + unit, used + size
            continue
        while used + size > width:
            if current.strip():
                lines.append(current.rstrip())
                current, used = indent, display_width(indent)
                if used + size <= width:
                    break
            head, unit = _split_long(unit, width - used)
            lines.append(current + head)
            current, used = indent, display_width(indent)
            size = display_width(unit)
        current, used = current + unit, used + size
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def natural_width(headers: Sequence[str], rows: Sequence[Sequence[str]], gap: str = "  ") -> int:
    """How wide the table would be if no cell wrapped."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], *(display_width(line) for line in cell.split("\n")))
    return sum(widths) + len(gap) * (len(widths) - 1)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None,
          gap: str = "  ", shrink: Sequence[int] | None = None,
          notes: Sequence[str] | None = None) -> list[str]:
    """Rows aligned in columns, cells may hold several lines; within ``width`` columns.

    When the natural table is too wide, the columns in ``shrink`` (in that order) give up
    width and their cells wrap at word boundaries. ``notes`` (one per row, may be empty) are
    printed under their row across the whole width, indented.
    """
    split = [[cell.split("\n") for cell in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in split:
        for index, lines in enumerate(row):
            widths[index] = max(widths[index], *(display_width(line) for line in lines))
    if width is not None:
        widths = _fit(widths, headers, width, display_width(gap), shrink)
        split = [[[w for line in lines for w in wrap(line, widths[i], "  ")] for i, lines in enumerate(row)]
                 for row in split]
        heads = [wrap(h, widths[i]) for i, h in enumerate(headers)]
    else:
        heads = [[h] for h in headers]
    out = []
    for line_no in range(max(len(h) for h in heads) if heads else 0):
        cells = [h[line_no] if line_no < len(h) else "" for h in heads]
        out.append(gap.join(pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
    out.append(gap.join("─" * w for w in widths))
    for index, row in enumerate(split):
        for line_no in range(max(len(lines) for lines in row)):
            cells = [lines[line_no] if line_no < len(lines) else "" for lines in row]
            out.append(gap.join(pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
        note = notes[index] if notes else ""
        if note:
            out += wrap("    " + note, width or display_width(note) + 4, "      ")
    return out


def _fit(widths: list[int], headers: Sequence[str], width: int, gap: int,
         shrink: Sequence[int] | None) -> list[int]:
    """Narrow columns until the table fits: those in ``shrink`` first, in that order, down to a
    readable 16 columns; then the widest of all, down to 6."""
    widths = list(widths)

    def excess() -> int:
        return sum(widths) + gap * (len(widths) - 1) - width

    for index in shrink if shrink is not None else ():
        if excess() <= 0:
            break
        widths[index] -= min(excess(), max(0, widths[index] - 16))
    while excess() > 0:
        candidates = [i for i in range(len(widths)) if widths[i] > 6]
        if not candidates:
            break
        widths[max(candidates, key=lambda i: widths[i])] -= 1
    return widths
