"""Safe YAML loading that remembers where every value came from.

PyYAML's composed nodes carry their position; a small SafeLoader subclass copies the line of
each mapping key and list item onto the loaded containers. Validators then report
``file:line: field: problem`` instead of a bare ``KeyError``. Only the safe loader is used:
nothing in a file can create Python objects or run code.
"""

from __future__ import annotations

import gc
import re
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


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


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


def read_text(path: str | Path) -> str:
    """Read a UTF-8 file, turning every way it can fail into an :class:`InputError`."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(name, None, "", "not_found")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, "", "not_readable", {"error": exc.strerror})]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, "", "not_utf8", {"offset": exc.start})]) from None


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
    return "text"
