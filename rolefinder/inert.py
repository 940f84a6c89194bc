"""Making text that users wrote harmless on output.

Names, titles and notes come from account files and packs that anyone may have written. A
control character in them would act on the reader's terminal when printed: ``ESC[2J`` clears
the screen, OSC 52 writes the clipboard, ``\\r`` overwrites a line, a bidi override reverses
what follows. :func:`inert` shows each such character as the visible text ``\\u001b``
(``\\u202e`` …), keeping newlines and tabs. The same form is a valid JSON escape of the same
character, so applying it to JSON output keeps the data exact.

It is applied at the few places text leaves rolefinder: :func:`guarded_output` wraps stdout
and stderr for the whole command (every ``click.echo``), and the plan templates finalize every
value with it. rolefinder's own colours cannot be forged by a name: :func:`style` marks them
with a per-process token that only the guarded stream turns into escape codes — on a
terminal, and never when ``NO_COLOR`` is set or ``TERM`` is ``dumb``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
UNSAFE = frozenset([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), *BIDI])
_TABLE = {code: f"\\u{code:04x}" for code in UNSAFE}
_FIND = re.compile("[" + "".join(f"\\u{code:04x}" for code in sorted(UNSAFE)) + "]")
_TOKEN = os.urandom(6).hex()  # what secrets.token_hex does, without importing hmac and hashlib
_MARK = re.compile("\x00" + _TOKEN + r"\[([0-9;]*)m\x00")
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def inert(text: str) -> str:
    """``text`` with C0 (but ``\\n`` and ``\\t``), DEL, C1 and bidi controls shown as ``\\uXXXX``.

    A regular-expression scan finds them (a JSON document of megabytes costs a fraction of
    a second); only a text that holds one is rebuilt.
    """
    if _FIND.search(text) is None:
        return text
    return _FIND.sub(lambda m: _TABLE[ord(m.group())], text)


def is_inert(text: str) -> bool:
    """True when printing ``text`` cannot act on a terminal."""
    return _FIND.search(text) is None


def style(text: str, **kwargs: Any) -> str:
    """Like ``click.style``, but the codes survive only a guarded stream to a colour terminal."""
    import click

    styled = click.style("\x01", **kwargs)
    head, _, tail = styled.partition("\x01")
    return _marks(head) + text + _marks(tail)


def _marks(codes: str) -> str:
    return _SGR.sub(lambda m: f"\x00{_TOKEN}[{m.group(1)}m\x00", codes)


def colour_allowed(stream: Any) -> bool:
    """Colours only on a real terminal, and never when NO_COLOR is set or TERM is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def terminal_text(text: str, colour: bool) -> str:
    """``text`` made inert, with :func:`style` marks turned into colour codes (or dropped)."""
    if "\x00" not in text:
        return inert(text)
    parts = _MARK.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            if colour:
                out.append(f"\x1b[{part}m")
        else:
            out.append(inert(part))
    return "".join(out)


class GuardedStream(io.TextIOBase):
    """A text stream that writes everything through :func:`inert`, our own colours excepted."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.colour = colour_allowed(inner)

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            return self.inner.write(text)
        self.inner.write(terminal_text(text, self.colour))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return bool(self.inner.isatty())

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    @property
    def buffer(self) -> Any:
        return self.inner.buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def guarded_output() -> Iterator[None]:
    """Route stdout and stderr through :class:`GuardedStream` for the duration of a command."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, GuardedStream):
        sys.stdout = GuardedStream(sys.stdout)
    if not isinstance(sys.stderr, GuardedStream):
        sys.stderr = GuardedStream(sys.stderr)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        sys.stdout, sys.stderr = saved
