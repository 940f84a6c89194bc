"""Safe YAML loading that remembers where every value came from.

PyYAML's composed nodes carry their position; a small SafeLoader subclass copies the line of
each mapping key and list item onto the loaded containers. Validators then report
``file:line: field: problem`` instead of a bare ``KeyError``. Only the safe loader is used:
nothing in a file can create Python objects or run code.
"""

from __future__ import annotations

import datetime
import errno
import gc
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from rolefinder.errors import InputError, Problem

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_FILE_BYTES = 256 * 2**20  # an input file larger than this is refused before it is read
MAX_VALUES = 200_000  # values aliases may add to a document (a billion-laughs guard)
_DEEP_FLOW = re.compile(r"(?:[\[{]\s*){64}")  # 64 brackets opened in a row: no account looks like that


class YamlMap(dict):
    """A dict that knows the line of each key (1-based) and of itself."""

    line: int | None = None
    key_lines: dict

    def line_of(self, key: object) -> int | None:
        return self.key_lines.get(key, self.line)


class YamlList(list):
    """A list that knows the line of each item (1-based) and of itself."""

    line: int | None = None
    item_lines: list

    def line_of(self, index: int) -> int | None:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class LineLoader(_Base):
    """SafeLoader whose mappings and sequences are :class:`YamlMap` and :class:`YamlList`."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self._may_alias:
            _check_aliases(node)
        return self.construct_document(node)

    _may_alias = True



def _construct_map(loader: LineLoader, node: yaml.MappingNode) -> YamlMap:
    _refuse_duplicate_keys(node)
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    """A key written twice in one mapping is an error: the second would silently win."""
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        line = key_node.start_mark.line + 1
        if key_node.value in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key_node.value!r} is written twice (first on line {seen[key_node.value]})",
                key_node.start_mark)
        seen[key_node.value] = line


def _construct_list(loader: LineLoader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _guarded(tag: str, construct: Any, kind: type) -> Any:
    """A constructor that turns any failure on an odd value (``!!int ""``) into a located error."""
    short = tag.rsplit(":", 1)[-1]

    def guarded(loader: LineLoader, node: yaml.Node) -> Any:
        if not isinstance(node, kind):
            raise yaml.constructor.ConstructorError(
                None, None, f"a !!{short} tag on {_node_kind(node)}", node.start_mark)
        try:
            return construct(loader, node)
        except yaml.YAMLError:
            raise
        except Exception:
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            word = _TAG_WORDS.get(short, f"!!{short}")
            raise yaml.constructor.ConstructorError(
                None, None, f"{clip(value)!r} cannot be read as {word}", node.start_mark) from None

    return guarded


_TAG_WORDS = {"int": "a whole number (!!int)", "float": "a number (!!float)", "bool": "yes/no (!!bool)",
              "timestamp": "a date (!!timestamp)", "binary": "binary data (!!binary)", "null": "null"}


def _node_kind(node: yaml.Node) -> str:
    return {yaml.ScalarNode: "a single value", yaml.SequenceNode: "a list",
            yaml.MappingNode: "a mapping"}.get(type(node), "a value")


def clip(text: str, size: int = 80) -> str:
    """At most ``size`` characters of a bad value, for messages (a 100 KB value is not echoed)."""
    return text if len(text) <= size else text[: size - 1] + "…"


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)
for _tag, _construct in list(LineLoader.yaml_constructors.items()):
    if _tag is None or not _tag.startswith("tag:yaml.org,2002:"):
        continue
    _kind = {"map": yaml.MappingNode, "omap": yaml.SequenceNode, "pairs": yaml.SequenceNode,
             "set": yaml.MappingNode, "seq": yaml.SequenceNode}.get(_tag.rsplit(":", 1)[-1], yaml.ScalarNode)
    LineLoader.add_constructor(_tag, _guarded(_tag, _construct, _kind))



def parse_yaml(text: str, path: str | None = None) -> Any:
    """Parse YAML text; a syntax error becomes an :class:`InputError` with its line."""
    deep = _DEEP_FLOW.search(text)
    if deep:
        line = text.count("\n", 0, deep.start()) + 1
        raise InputError([Problem(path, line, "", "not_yaml", {"error": "nested too deeply"})])
    from rolefinder.yamlstream import Fallback, TooDeep, TooManyAdded, compose

    collecting = gc.isenabled()
    gc.disable()  # building a tree makes no garbage; the collector would only re-walk it
    try:
        data = compose(text)
    except Fallback:  # a rare explicit tag: PyYAML's own node-based loader, with the old guard
        data = _load_with_nodes(text, path)
    except TooManyAdded:
        raise InputError([Problem(path, None, "", "not_yaml", {"error": _TOO_MANY})]) from None
    except TooDeep as exc:
        raise InputError([Problem(path, exc.line, "", "not_yaml", {"error": "nested too deeply"})]) from None
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path) from None
    except ValueError as exc:  # a 5,000-digit number
        raise InputError([Problem(path, None, "", "not_yaml", {"error": str(exc).split(";")[0]})]) from None
    finally:
        if collecting:
            gc.enable()
    return data


_TOO_MANY = f"more than {MAX_VALUES:,} values once aliases are expanded"


def _syntax_error(exc: yaml.YAMLError, path: str | None) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    detail = " ".join(str(getattr(exc, "problem", None) or exc).split())
    return InputError([Problem(path, line, "", "not_yaml", {"error": detail})])


def _load_with_nodes(text: str, path: str | None) -> Any:
    """PyYAML's node-based loader, for documents with explicit tags such as ``!!set``."""
    try:
        data = yaml.load(text, Loader=LineLoader)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path) from None
    except RecursionError:  # absurd nesting
        raise InputError([Problem(path, None, "", "not_yaml", {"error": "nested too deeply"})]) from None
    if _expanded_size(data, _distinct_size(data) + MAX_VALUES) > _distinct_size(data) + MAX_VALUES:
        raise InputError([Problem(path, None, "", "not_yaml", {"error": _TOO_MANY})])
    return data


def _distinct_size(data: Any) -> int:
    """How many values ``data`` holds when each shared container is counted once."""
    count, stack, seen = 0, [data], set()
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return count


def _expanded_size(data: Any, limit: int) -> int:
    """How many values ``data`` holds when shared (aliased) parts are counted every time.

    Stops counting past ``limit``, so a billion-laughs file costs next to nothing.
    """
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases (and merge keys) would add more than MAX_VALUES values.

    Runs on the composed node graph, *before* anything is constructed: ``<<: [*a, *a]``
    chains double at every level when merged, so counting afterwards is too late. Each
    distinct node is visited once and sizes are summed bottom-up, so the check is linear in
    the file; plain values do not count, only what sharing adds. A node that contains itself
    (a recursive alias) is refused too.
    """
    color: dict[int, bool] = {}  # False: on the current path, True: done
    sizes: dict[int, int] = {}
    stack = [(root, iter(_children(root)))]
    color[id(root)] = False
    while stack:
        node, pending = stack[-1]
        child = next(pending, None)
        if child is None:
            stack.pop()
            color[id(node)] = True
            size = sizes[id(node)] = 1 + sum(sizes[id(c)] for c in _children(node))
            if size - len(sizes) > MAX_VALUES:  # report where it blows up, stop at once
                raise yaml.constructor.ConstructorError(
                    None, None, f"more than {MAX_VALUES:,} values once aliases are expanded", node.start_mark)
            continue
        state = color.get(id(child))
        if state is False:
            raise yaml.constructor.ConstructorError(None, None, "a recursive alias (a value containing itself)",
                                                    child.start_mark)
        if state is None:
            color[id(child)] = False
            stack.append((child, iter(_children(child))))
    if sizes[id(root)] - len(sizes) > MAX_VALUES:
        raise yaml.constructor.ConstructorError(
            None, None, f"more than {MAX_VALUES:,} values once aliases are expanded", root.start_mark)


def _children(node: yaml.Node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def read_text(path: str | Path) -> str:
    """Read a UTF-8 file, turning every way it can fail into an :class:`InputError`.

    Only regular files of at most :data:`MAX_FILE_BYTES` are read: a FIFO, a device such as
    ``/dev/zero`` or a directory is refused at once, before anything is read.
    """
    name = str(path)
    data, _ = read_regular(name)
    return decode_text(data, name)


def decode_text(data: bytes, name: str | None) -> str:
    """UTF-8 text (a BOM allowed); UTF-16/32 and binary data are named as what they are."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in data[:4096] and _utf16_like(data)):
        raise InputError([Problem(name, None, "", "not_utf8_but", {"found": "UTF-16"})])
    if b"\x00" in data:
        raise InputError([Problem(name, None, "", "not_utf8_but", {"found": "binary data"})])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, "", "not_utf8", {"offset": exc.start})]) from None


def _utf16_like(data: bytes) -> bool:
    """Text in UTF-16 has a zero byte in every other position for ASCII characters."""
    head = data[:4096]
    evens, odds = head[0::2].count(0), head[1::2].count(0)
    return max(evens, odds) > len(head) // 4 and min(evens, odds) < len(head) // 50 + 1


def read_regular(path: str, display: str | None = None, *, nofollow: bool = False,
                 limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, refusing FIFOs, devices and directories before reading.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer;
    ``nofollow`` refuses a symbolic link in the last component (``ELOOP``).
    """
    display = display or path
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if nofollow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError([Problem(display, None, "", "not_found")]) from None
    except OSError as exc:
        if nofollow and exc.errno == errno.ELOOP:
            raise InputError([Problem(display, None, "", "not_regular", {"kind": "a symbolic link"})]) from None
        if exc.errno == errno.EISDIR:
            raise InputError([Problem(display, None, "", "not_regular", {"kind": "a directory"})]) from None
        raise InputError([Problem(display, None, "", "not_readable", {"error": exc.strerror})]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(display, None, "", "not_regular", {"kind": file_kind(info.st_mode)})])
        limit = MAX_FILE_BYTES if limit is None else limit
        if info.st_size > limit:
            raise InputError([Problem(display, None, "", "too_big",
                                      {"size": info.st_size / 2**20, "limit": limit / 2**20})])
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while we read
                raise InputError([Problem(display, None, "", "too_big",
                                          {"size": total / 2**20, "limit": limit / 2**20})])
        return b"".join(chunks), info
    except OSError as exc:
        raise InputError([Problem(display, None, "", "not_readable", {"error": exc.strerror})]) from None
    finally:
        os.close(fd)


def file_kind(mode: int) -> str:
    """A user-facing word for what a path is when it is not a regular file."""
    for test, word in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return word
    return "not a regular file"


def load_yaml(path: str | Path) -> Any:
    """Read and parse one YAML file with line information."""
    return parse_yaml(read_text(path), str(path))


def type_name(value: object) -> str:
    """A user-facing name for the type of a YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, datetime.datetime):
        return "date and time"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, (set, frozenset)):
        return "set"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if isinstance(value, str):
        return "text"
    return type(value).__name__
