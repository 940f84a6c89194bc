"""YAML straight from libyaml's events to line-aware dicts and lists, in one linear pass.

PyYAML's loaders first compose a tree of nodes, each with two position marks, and only then
construct Python values from it: for a 10,000-contact account the node tree alone took 100 MB
and lived until the last value was built. Here the C parser's events are consumed one at a
time and each value is built as soon as it is complete; a position is read from an event only
to remember the line of a mapping key or a list item (what validators report) and is dropped
with the event. Plain scalars are resolved once per distinct text, so the thousands of
``yes``/``no``/``high`` in a file share one string each.

Anchors and aliases: an alias stands for the object its anchor built (as in PyYAML, the object
is shared, not copied). What aliases and merge keys *add* is counted as the file is read: every
alias adds the values its anchor holds, counted with the aliases inside it, and every merge
adds the mapping it copies. Past :data:`MAX_ADDED` the file is refused at once, so a
billion-laughs or merge-key bomb costs almost nothing, while a file without aliases can be as
large as it likes. An alias inside the collection it refers to is refused too.

The safe constructors of PyYAML decide what a scalar is (ints, floats, booleans, null,
timestamps); a document that uses an explicit tag this module does not build (``!!set``,
``!!omap``, ``!!binary``, ...) is handed to PyYAML's node-based loader instead, which keeps
the old behaviour for every rare case.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from rolefinder.yamlsource import LineLoader, YamlList, YamlMap

_Parser: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_ADDED = 200_000  # values aliases and merge keys may add to a document
MAX_DEPTH = 200  # collections inside collections; an account file uses five
_CACHE_LIMIT = 50_000  # distinct scalar texts remembered at once

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
_SCALAR_TAGS = frozenset({_STR, "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                          "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})
_COLLECTION_TAGS = frozenset({None, "!", yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                              yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG})
_NO_KEY = object()  # a mapping waiting for its next key
_MERGE_KEY = object()  # the pending key is ``<<``


class Fallback(Exception):
    """The document uses a tag this builder leaves to PyYAML's node-based loader."""


class TooManyAdded(Exception):
    """Aliases or merge keys would add more than :data:`MAX_ADDED` values."""


class TooDeep(Exception):
    """Collections nested more than :data:`MAX_DEPTH` deep; ``line`` is where it happened."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Frame:
    """A mapping or list being filled, with what it holds counted as aliases expand."""

    __slots__ = ("anchor", "key", "key_line", "key_text", "mark", "merges", "obj", "size")

    def __init__(self, obj: YamlMap | YamlList, mark: Any, anchor: str | None) -> None:
        self.obj = obj
        self.mark = mark
        self.anchor = anchor
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.key_text = ""
        self.merges: list[YamlMap] | None = None


def compose(text: str) -> Any:
    """The single YAML document in ``text`` as YamlMap/YamlList/scalars (None when empty).

    Raises what PyYAML raises for bad YAML (``yaml.YAMLError``), :class:`TooManyAdded`,
    :class:`TooDeep`, or :class:`Fallback` for a tag left to the node-based loader.
    """
    parser = _Parser(text)
    try:
        return _Builder(parser).document()
    finally:
        parser.dispose()


class _Builder:
    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.anchors: dict[str, tuple[Any, int | None]] = {}  # name -> (object, size; None while open)
        self.added = 0
        self.plain: dict[str, Any] = {}
        self.quoted: dict[str, str] = {}

    def document(self) -> Any:
        get = self.parser.get_event
        get()  # StreamStart
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        root = self._body()
        event = get()  # DocumentEnd
        after = get()
        if not isinstance(after, yaml.StreamEndEvent):
            raise ComposerError("expected a single document in the stream", event.start_mark,
                                "but found another document", after.start_mark)
        return root

    def _body(self) -> Any:
        """Everything between DocumentStart and DocumentEnd, without recursion."""
        get = self.parser.get_event
        stack: list[_Frame] = []
        root: list[Any] = []
        while True:
            event = get()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                value = self._scalar(event, stack)
                size = 1
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.tag not in _COLLECTION_TAGS:
                    raise Fallback
                if len(stack) >= MAX_DEPTH:
                    raise TooDeep(event.start_mark.line + 1)
                obj: YamlMap | YamlList
                if kind is yaml.MappingStartEvent:
                    obj = YamlMap()
                    obj.key_lines = {}
                else:
                    obj = YamlList()
                    obj.item_lines = []
                obj.line = event.start_mark.line + 1
                if event.anchor is not None:
                    self.anchors[event.anchor] = (obj, None)
                stack.append(_Frame(obj, event.start_mark, event.anchor))
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if frame.merges is not None:
                    _apply_merges(frame)
                value, size = frame.obj, frame.size
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = (value, size)
                event = frame  # its mark is where the collection started
            elif kind is yaml.AliasEvent:
                value, size = self._alias(event)
            else:  # DocumentEnd cannot come before the root is complete
                raise ComposerError(None, None, f"unexpected {kind.__name__}", event.start_mark)
            if not stack:
                root.append(value)
                return root[0]
            self._place(stack[-1], value, size, event)

    def _scalar(self, event: yaml.ScalarEvent, stack: list[_Frame]) -> Any:
        value = event.value
        tag = event.tag
        if (tag is None or tag == "!") and event.implicit[0]:  # resolved from the text, as PyYAML does
            cached = self.plain.get(value, _NO_KEY)
            if cached is not _NO_KEY:
                return cached
            tag = self.parser.resolve(yaml.ScalarNode, value, event.implicit)
            if tag in (_MERGE, _VALUE):
                in_key = bool(stack) and isinstance(stack[-1].obj, dict) and stack[-1].key is _NO_KEY
                if not in_key:
                    raise Fallback
                return _MERGE_KEY if tag == _MERGE else value
            built = self._construct(tag, event)
            if len(self.plain) >= _CACHE_LIMIT:
                self.plain.clear()
            self.plain[value] = built
            return built
        if tag is None or tag == "!" or tag == _STR:
            if len(self.quoted) >= _CACHE_LIMIT:
                self.quoted.clear()
            return self.quoted.setdefault(value, value)
        return self._construct(tag, event)

    def _construct(self, tag: str, event: yaml.ScalarEvent) -> Any:
        if tag == _STR:
            return event.value
        if tag not in _SCALAR_TAGS:
            raise Fallback
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        # LineLoader's constructors turn a value the tag cannot read (!!int "") into a located error
        return LineLoader.yaml_constructors[tag](self.parser, node)

    def _alias(self, event: yaml.AliasEvent) -> tuple[Any, int]:
        found = self.anchors.get(event.anchor)
        if found is None:
            raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
        value, size = found
        if size is None:
            raise ConstructorError(None, None, f"the alias *{event.anchor} is inside the collection it names",
                                   event.start_mark)
        self._add(size)
        return value, size

    def _add(self, size: int) -> None:
        self.added += size
        if self.added > MAX_ADDED:
            raise TooManyAdded

    def _place(self, frame: _Frame, value: Any, size: int, event: Any) -> None:
        obj = frame.obj
        line = event.start_mark.line + 1 if not isinstance(event, _Frame) else event.mark.line + 1
        if isinstance(obj, list):
            obj.append(value)
            obj.item_lines.append(line)
            frame.size += size
            return
        if frame.key is _NO_KEY:  # this value is a key
            if value is not _MERGE_KEY:
                try:
                    hash(value)
                except TypeError:
                    raise ConstructorError("while constructing a mapping", frame.mark,
                                           "found an unhashable key", _mark(event)) from None
                if value in obj:
                    text = event.value if isinstance(event, yaml.ScalarEvent) else value
                    raise ConstructorError(None, None, f"the key {text!r} is written twice "
                                                       f"(first on line {obj.key_lines[value]})", _mark(event))
            frame.key, frame.key_line = value, line
            return
        key, frame.key = frame.key, _NO_KEY
        if key is _MERGE_KEY:
            self._merge(frame, value, size, event)
            return
        obj[key] = value
        obj.key_lines[key] = frame.key_line
        frame.size += size

    def _merge(self, frame: _Frame, value: Any, size: int, event: Any) -> None:
        """``<<: *base`` or ``<<: [*a, *b]``: the mappings are copied in when ``frame`` ends.

        An alias already counted what it adds; a mapping written in place adds nothing new.
        """
        if isinstance(value, YamlMap):
            sources = [value]
        elif isinstance(value, YamlList) and all(isinstance(item, YamlMap) for item in value):
            sources = list(reversed(value))  # the first mapping listed wins, as in PyYAML
        else:
            raise ConstructorError("while constructing a mapping", frame.mark,
                                   "expected a mapping or list of mappings for merging", _mark(event))
        frame.size += size
        if frame.merges is None:
            frame.merges = []
        frame.merges.extend(sources)


def _mark(event: Any) -> Any:
    return event.mark if isinstance(event, _Frame) else event.start_mark


def _apply_merges(frame: _Frame) -> None:
    """Merged keys first, in the order PyYAML gives them; the mapping's own keys win."""
    obj = frame.obj
    own, own_lines = dict(obj), obj.key_lines
    obj.clear()
    obj.key_lines = {}
    for source in frame.merges or ():
        for key, value in source.items():
            obj[key] = value
            obj.key_lines[key] = source.key_lines.get(key, source.line)
    for key, value in own.items():
        obj[key] = value
        obj.key_lines[key] = own_lines[key]
