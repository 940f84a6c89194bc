"""Streamed JSON and JSON Lines of an identification, written contact by contact.

A 10,000-contact account makes a JSON document of tens of megabytes. Building it as one dict
and one string (``json.dumps(result.to_dict())``) held three copies of it in memory at the
peak; here each contact is turned into a dict, encoded and written before the next one, so
the output costs the memory of one contact. Compact output uses the standard library's C
encoder; indented output (for people) goes through the pure-Python one and is byte for byte
what ``json.dumps(result.to_dict(), indent=N, ensure_ascii=False)`` gives.

JSON Lines (``--format jsonl``): one contact object per line, exactly as in the JSON's
``contacts[]``, then one last line holding everything else (``account``, ``packs``,
``thresholds``, ``gaps``): the JSON document without its ``contacts``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rolefinder.identification import Identification

FLUSH_EVERY = 256  # contacts per write: few system calls, small buffers

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _encoder(indent: int | None) -> json.JSONEncoder:
    if not indent:
        return _COMPACT
    return json.JSONEncoder(ensure_ascii=False, indent=indent, check_circular=False)


def _contacts(result: Identification) -> Iterator[dict[str, Any]]:
    knowledge = result.knowledge
    shared: dict[int, dict] = {}  # contacts alike share belief objects: each is turned into a dict once
    for r in result.contacts:
        yield r.to_dict(knowledge, shared)


def write_json(result: Identification, stream: TextIO, indent: int | None = None) -> None:
    """Write the JSON of ``result`` (as :meth:`Identification.to_dict`) to ``stream``.

    ``indent`` None or 0 gives one compact line; a number indents like ``json.dumps``.
    The document ends with a newline.
    """
    encode = _encoder(indent).encode
    pad = "\n" + " " * indent if indent else ""
    colon = ": " if indent else ":"
    head = result.head_dict()
    stream.write("{")
    for key, value in head.items():
        stream.write(f"{pad}{encode(key)}{colon}{_nested(encode(value), pad)},")
    stream.write(f"{pad}{encode('contacts')}{colon}")
    _write_list(stream, _contacts(result), encode, pad)
    stream.write(f",{pad}{encode('gaps')}{colon}")
    _write_list(stream, (g.to_dict() for g in result.gaps), encode, pad)
    stream.write("\n}\n" if indent else "}\n")


def write_jsonl(result: Identification, stream: TextIO) -> None:
    """One compact JSON object per line: every contact, then the account record."""
    encode = _COMPACT.encode
    _write_chunked(stream, (encode(item) + "\n" for item in _contacts(result)))
    record = result.head_dict()
    record["gaps"] = [g.to_dict() for g in result.gaps]
    stream.write(encode(record) + "\n")


def _nested(text: str, pad: str) -> str:
    """A value encoded on its own, moved one level in (JSON strings hold no raw newline)."""
    return text.replace("\n", pad) if pad else text


def _write_list(stream: TextIO, items: Iterable[Any], encode, pad: str) -> None:
    inner = pad + pad[1:] if pad else ""

    def parts() -> Iterator[str]:
        first = True
        for item in items:
            yield ("[" if first else ",") + inner + _nested(encode(item), inner)
            first = False
        yield (pad + "]") if not first else "[]"

    _write_chunked(stream, parts())


def _write_chunked(stream: TextIO, parts: Iterable[str]) -> None:
    chunk: list[str] = []
    for part in parts:
        chunk.append(part)
        if len(chunk) >= FLUSH_EVERY:
            stream.write("".join(chunk))
            chunk.clear()
    if chunk:
        stream.write("".join(chunk))
