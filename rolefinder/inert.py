"""Making text that users wrote harmless on output.

Names, titles and notes come from account files and packs that anyone may have written. A
control character in them would act on the reader's terminal when printed: ``ESC[2J`` clears
the screen, OSC 52 writes the clipboard, ``\\r`` overwrites a line, a bidi override reverses
what follows. :func:`inert` shows every such character as a visible escape (``\\x1b``,
``\\u202e``) instead, keeping newlines and tabs. It is applied at the few places text leaves
rolefinder for a person — the command line's echo, the txt/md plan templates — so no call
site can forget it. JSON output keeps the exact text (its encoder escapes C0 itself).
"""

from __future__ import annotations

BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_UNSAFE = [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), *BIDI]
_TABLE = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _UNSAFE}


def inert(text: str) -> str:
    """``text`` with C0 (but ``\\n`` and ``\\t``), DEL, C1 and bidi controls shown escaped."""
    return text.translate(_TABLE)


def is_inert(text: str) -> bool:
    """True when printing ``text`` cannot act on a terminal (used by the tests)."""
    return not any(ord(ch) in _TABLE for ch in text)
