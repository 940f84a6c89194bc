"""Reading the CSV files CRMs and spreadsheets write, whatever their encoding and separator.

Excel saves "CSV" in the machine's code page (GBK/GB18030 on Chinese Windows), "CSV UTF-8"
with a byte-order mark, and "Unicode text" as UTF-16 with tabs. The encoding is *detected*:
a byte-order mark decides; UTF-16 without one shows as NUL bytes in every other position;
otherwise strict UTF-8 is tried, then GB18030, which is accepted only when the non-ASCII text
it yields is mostly Chinese (Latin-1 bytes decode as GB18030 too, into nonsense). Anything
else is refused with a message that names ``--encoding``.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rolefinder.errors import InputError, Problem
from rolefinder.i18n import Catalog

MESSAGES = Catalog(
    {
        "unknown_encoding": {
            "en": "cannot tell the text encoding (tried UTF-8, UTF-16 and GB18030); "
                  "give it with --encoding, e.g. --encoding cp1252",
            "zh": "无法判断文件编码(已尝试 UTF-8、UTF-16、GB18030);请用 --encoding 指定,例如 --encoding cp1252",
        },
        "bad_encoding": {
            "en": "the file is not valid {encoding} text (byte {offset})",
            "zh": "文件不是有效的 {encoding} 文本(第 {offset} 字节)",
        },
        "no_such_encoding": {"en": "unknown encoding {value!r}", "zh": "未知编码 {value!r}"},
        "no_header": {"en": "the file has no header row", "zh": "文件没有表头行"},
        "bad_csv": {"en": "not a readable CSV file: {error}", "zh": "无法读取的 CSV 文件:{error}"},
    }
)
SEPARATORS = (",", "\t", ";")


@dataclass(frozen=True)
class Table:
    """A CSV file as read: its header, its rows (with the line each starts on) and how it was read."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    separator: str


def detect_encoding(data: bytes) -> str | None:
    """The encoding of ``data``, or ``None`` when no supported encoding fits."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4000]
    if len(sample) >= 4:
        odd_nul = sample[1::2].count(0) / (len(sample) // 2)
        even_nul = sample[0::2].count(0) / ((len(sample) + 1) // 2)
        if odd_nul > 0.3 and even_nul < 0.05:
            return "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for candidate in ("utf-16-le", "utf-16-be"):  # mostly Chinese, so few NUL bytes to see
        if _plausible_utf16(sample, candidate):
            return candidate
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "gb18030" if _mostly_chinese(text) else None


def _plausible_utf16(sample: bytes, encoding: str) -> bool:
    """Decoded as UTF-16, is this a table: separators present and almost every character common?

    GBK bytes read as UTF-16 never give a real newline, tab or comma (those would need a NUL
    byte next to them), and give scattered Hangul, Yi and private-use characters.
    """
    try:
        text = sample[: len(sample) // 2 * 2].decode(encoding)
    except UnicodeDecodeError:
        return False
    if not any(sep in text for sep in ("\n", "\t", ",")):
        return False
    common = sum(1 for ch in text if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
                 or "\uff00" <= ch <= "\uffef")
    return common / max(1, len(text)) >= 0.95


def _mostly_chinese(text: str) -> bool:
    """Whether the non-ASCII characters are mostly CJK (ideographs and CJK punctuation)."""
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return True
    cjk = sum(1 for ch in wide if unicodedata.east_asian_width(ch) in "WF")
    return cjk / len(wide) >= 0.8


def read_table(path: str | Path, encoding: str | None = None) -> Table:
    """Read a CSV/TSV file into a :class:`Table`; every failure becomes an :class:`InputError`."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(name, None, "", "not_found")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, "", "not_readable", {"error": exc.strerror})]) from None
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError([Problem(name, None, "", "no_such_encoding", {"value": encoding}, MESSAGES)]) from None
    chosen = encoding or detect_encoding(data)
    if chosen is None:
        raise InputError([Problem(name, None, "", "unknown_encoding", {}, MESSAGES)])
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, "", "bad_encoding",
                                  {"encoding": chosen, "offset": exc.start}, MESSAGES)]) from None
    text = text.removeprefix("\ufeff")
    return parse_table(text, name, chosen)


def parse_table(text: str, name: str | None = None, encoding: str = "utf-8") -> Table:
    """Split text into header and rows; the separator is the one the header line uses most."""
    first = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    try:
        header: list[str] | None = None
        line = 1
        for record in reader:
            if header is None:
                header = [cell.strip() for cell in record]
            elif any(cell.strip() for cell in record):
                rows.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError([Problem(name, reader.line_num, "", "bad_csv", {"error": str(exc)}, MESSAGES)]) from None
    if not header or not any(header):
        raise InputError([Problem(name, None, "", "no_header", {}, MESSAGES)])
    return Table(header, rows, encoding, separator)
