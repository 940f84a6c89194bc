"""Saving an account file while other people (and programs) may be writing it too.

An interview does not write its picture of the account over the file. It keeps a *change
log* — answers set or cleared, a contact's fields set, contacts added or removed, account
fields set — and every save replays only that log on top of what is on disk *now*:

1. take an exclusive lock (:mod:`filelock`, on a hidden sibling file ``.NAME.lock`` that
   stays next to the account: removing it while nobody saves is harmless);
2. read the file again, through the path resolved when it was opened, refusing a file that
   has been swapped for a symbolic link or anything that is not a regular file;
3. apply each change where the file still holds the value the change started from; a
   change whose target was changed on disk to something else is a *conflict*, handed to a
   ``resolve`` callback (the terminal asks) or raised as :class:`ConflictError` (exit 3);
4. validate what changed, write a temporary file in the same folder, ``fsync``, ``os.replace``,
   ``fsync`` the folder; SIGINT, SIGTERM and SIGHUP arriving meanwhile wait until the replace
   is done, and the temporary file is removed on every way out (stale ones left by a
   ``kill -9`` are removed by the next save, under the lock, when nobody can be writing one).

The cost is proportional to the change: the contacts list is indexed by a line scan, and a
changed contact's block is edited alone with ruamel.yaml (comments and layout kept) and spliced
back into the text. Files whose layout the scan does not recognise (flow style, anchors,
Windows line ends, an empty contacts list) take the slow path: the whole document
round-tripped with ruamel.yaml and validated in full.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from rolefinder.answers import normalise_answer
from rolefinder.errors import InputError, Problem, RolefinderError
from rolefinder.i18n import Catalog
from rolefinder.yamlsource import file_kind, read_regular

if TYPE_CHECKING:
    from rolefinder.account import Account

LOCK_TIMEOUT = 30.0  # seconds another rolefinder may hold the lock before we give up
MESSAGES = Catalog(
    {
        "swapped_link": {
            "en": "the file was replaced by a symbolic link since it was opened; nothing written",
            "zh": "文件在打开后被替换成了符号链接;未写入任何内容",
        },
        "swapped_other": {
            "en": "the file was replaced by something that is not a regular file ({kind}); nothing written",
            "zh": "文件在打开后被替换成了非普通文件({kind});未写入任何内容",
        },
        "moved": {
            "en": "the path now leads to {now}, not to {then} that was opened; nothing written",
            "zh": "该路径现在指向 {now},而不是打开时的 {then};未写入任何内容",
        },
        "gone": {
            "en": "the file was removed or renamed since it was opened; nothing written",
            "zh": "文件在打开后被删除或改名;未写入任何内容",
        },
        "locked": {
            "en": "another program has held the lock {lock} for {seconds:.0f} s; nothing written",
            "zh": "另一个程序占用锁文件 {lock} 已 {seconds:.0f} 秒;未写入任何内容",
        },
        "disk_invalid": {
            "en": "the file was changed by someone else and no longer loads, so this change is not "
                  "saved yet: {problem}",
            "zh": "文件已被他人修改且无法加载,本次修改尚未保存:{problem}",
        },
        "conflict": {
            "en": "{what} of {contact} was changed in the file to {theirs} while this session changed "
                  "it from {before} to {mine}; not saved",
            "zh": "{contact} 的 {what} 在文件中被改成了 {theirs},而本次会话把它从 {before} 改成了 {mine};未保存",
        },
        "removed_contact": {
            "en": "contact {contact} was removed from the file; its change {what} → {mine} is not saved",
            "zh": "联系人 {contact} 已从文件中删除;对其 {what} → {mine} 的修改未保存",
        },
        "bad_change": {"en": "internal error: the change does not load: {problem}",
                       "zh": "内部错误:修改后的内容无法加载:{problem}"},
        "nothing": {"en": "nothing", "zh": "无"},
    }
)


# --------------------------------------------------------------------------- the change log


@dataclass(frozen=True)
class SetAnswer:
    """An answer set (``after``) or cleared (``after=None``); ``before`` is what it replaced."""

    contact: str
    question: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class SetField:
    """A contact's scalar field (influence, attitude, name, title, department, notes, reports_to)."""

    contact: str
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class AddContact:
    """A new contact, as :meth:`Contact.to_dict` writes it."""

    data: dict = field(hash=False)

    @property
    def contact(self) -> str:
        return str(self.data["id"])


@dataclass(frozen=True)
class RemoveContact:
    """A contact removed (only when nobody on disk reports to them any more)."""

    contact: str


@dataclass(frozen=True)
class Touch:
    """No change: read the contact back from the file (after a conflict was settled "theirs")."""

    contact: str


@dataclass(frozen=True)
class SetAccountField:
    """A field of the ``account:`` header (name, industry, offering, revenue, ...)."""

    field: str
    before: Any
    after: Any


Op = SetAnswer | SetField | AddContact | RemoveContact | SetAccountField | Touch
FAST_FIELDS = {"influence", "attitude", "name", "title", "department", "notes"}


def compact(ops: list[Op]) -> list[Op]:
    """One change per target: the first ``before`` and the last ``after`` (an undo cancels out)."""
    out: dict[tuple, Op] = {}
    for op in ops:
        key = target_of(op)
        first = out.get(key)
        if isinstance(op, (SetAnswer, SetField, SetAccountField)) and first is not None:
            op = type(op)(**{**op.__dict__, "before": first.before})  # type: ignore[arg-type]
        elif isinstance(op, RemoveContact) and isinstance(first, AddContact):
            out.pop(key)
            out = {k: v for k, v in out.items() if getattr(v, "contact", None) != op.contact}
            continue
        out.pop(key, None)
        out[key] = op
    return [op for op in out.values() if not (hasattr(op, "before") and op.before == op.after)]


def target_of(op: Op) -> tuple:
    if isinstance(op, SetAnswer):
        return ("answer", op.contact, op.question)
    if isinstance(op, SetField):
        return ("field", op.contact, op.field)
    if isinstance(op, SetAccountField):
        return ("account", op.field)
    if isinstance(op, Touch):
        return ("touch", op.contact)
    return ("contact", op.contact)


def diff(old: Account, new: Account) -> list[Op]:
    """The changes that turn ``old`` into ``new`` (for :func:`save_account` without a log)."""
    ops: list[Op] = []
    for key in ("name", "industry", "offering"):
        if getattr(old, key) != getattr(new, key):
            ops.append(SetAccountField(key, getattr(old, key), getattr(new, key)))
    for key in sorted(set(old.fields) | set(new.fields)):
        if old.fields.get(key) != new.fields.get(key):
            ops.append(SetAccountField(key, old.fields.get(key), new.fields.get(key)))
    before = {c.id: c for c in old.contacts}
    after = {c.id for c in new.contacts}
    for contact in new.contacts:
        was = before.get(contact.id)
        if was is None:
            ops.append(AddContact(contact.to_dict()))
            continue
        for key in ("name", "title", "department", "reports_to", "influence", "attitude", "notes"):
            if (getattr(was, key) or None) != (getattr(contact, key) or None):
                ops.append(SetField(contact.id, key, getattr(was, key) or None, getattr(contact, key) or None))
        for qid in sorted(set(was.answers) | set(contact.answers)):
            if was.answers.get(qid) != contact.answers.get(qid):
                ops.append(SetAnswer(contact.id, qid, was.answers.get(qid), contact.answers.get(qid)))
    ops.extend(RemoveContact(cid) for cid in before if cid not in after)
    return ops


@dataclass(frozen=True)
class Conflict:
    """The file holds ``theirs`` where this session changed ``op.before`` to ``op.after``."""

    op: Op
    theirs: Any

    def rebased(self) -> Op | None:
        """The same change, now starting from the file's value: applying it keeps "mine"."""
        if self.theirs is _REMOVED or not isinstance(self.op, (SetAnswer, SetField, SetAccountField)):
            return None
        return type(self.op)(**{**self.op.__dict__, "before": self.theirs})  # type: ignore[arg-type]

    def describe(self, lang: str = "en") -> str:
        what = self.op.question if isinstance(self.op, SetAnswer) else getattr(self.op, "field", "")
        none = MESSAGES("nothing", lang)
        if self.theirs is _REMOVED:
            return MESSAGES("removed_contact", lang, contact=getattr(self.op, "contact", ""), what=what,
                            mine=_shown(getattr(self.op, "after", None), none))
        return MESSAGES("conflict", lang, what=what, contact=getattr(self.op, "contact", "account"),
                        theirs=_shown(self.theirs, none), before=_shown(self.op.before, none),  # type: ignore[union-attr]
                        mine=_shown(self.op.after, none))  # type: ignore[union-attr]


def _shown(value: Any, none: str) -> str:
    return none if value is None else repr(str(value)[:80])


_REMOVED = object()


class ConflictError(RolefinderError):
    """A change met a different change of the same value on disk; nothing was written."""

    exit_code = 3

    def __init__(self, problems: list[Problem], conflicts: list[Conflict] | None = None) -> None:
        super().__init__(problems)
        self.conflicts = list(conflicts or [])


@dataclass
class Saved:
    """What a save did besides writing: contacts whose data now differs from memory, new ids."""

    contacts: dict[str, dict] = field(default_factory=dict)  # id -> the contact as now on disk
    renamed: dict[str, str] = field(default_factory=dict)  # an added contact's id was taken on disk


Resolver = Callable[[Conflict], str]  # returns "mine" or "theirs"


# --------------------------------------------------------------------------- reading safely
# read_regular (regular files only, size-limited, FIFOs refused at once) lives in yamlsource.


# --------------------------------------------------------------------------- signals and writing


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block is done, then deliver the first one.

    Signal handlers run between bytecodes of the main thread, so without this a Ctrl-C could
    land inside a write and end it half way; with it the save finishes, then the signal acts.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    caught: list[int] = []
    previous: dict[int, Any] = {}
    try:
        for name in names:
            number = getattr(signal, name)
            previous[number] = signal.signal(number, lambda signum, _frame: caught.append(signum))
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            _deliver(caught[0], previous[caught[0]])


def _deliver(number: int, handler: Any) -> None:
    if callable(handler):
        handler(number, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(number)


def write_replace(target: str, data: bytes, mode: int | None) -> None:
    """Write ``data`` to a temporary file beside ``target``, flush it to disk, rename it over.

    ``os.replace`` swaps the directory entry, so a symbolic link at ``target`` would itself be
    replaced, never written through. The folder is synced too, so the rename survives a crash.
    """
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale_temps(target: str) -> None:
    """Temporary files of earlier saves that were killed (``kill -9``): only ever called under the lock."""
    folder, name = os.path.split(target)
    pattern = re.compile(re.escape(f".{name}.") + r"[A-Za-z0-9_]{6,}\.tmp")
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder or "."):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


# --------------------------------------------------------------------------- the text index


@dataclass
class Layout:
    """Where each contact's block sits in the text (character offsets), found by a line scan."""

    blocks: dict[str, tuple[int, int]]
    order: list[str]
    indent: str
    end: int  # where a new contact goes: after the last item's last content line


_CONTACTS = re.compile(r"^contacts:[ \t]*(?:#.*)?$", re.M)
_PLAIN_ID = re.compile(r"([A-Za-z0-9_.\-]+)[ \t]*(?:#.*)?$")


def scan(text: str) -> Layout | None:
    """Index the block-style ``contacts:`` list; None when the layout is not the plain one.

    Regular expressions find the item starts and the end of the list, so a 10,000-contact
    file is indexed in C rather than line by line in Python.
    """
    if "\r" in text or "\t" in text or text.startswith(("---", "%")) or "\n---" in text:
        return None
    found = list(_CONTACTS.finditer(text))
    if len(found) != 1:
        return None
    body = found[0].end() + 1
    first = _FIRST_CONTENT.search(text, body)
    if first is None or first.group(1) is None:
        return None  # no item, or something else (a flow list) follows ``contacts:``
    indent = first.group(1)
    stop = _list_end(len(indent)).search(text, first.start())
    end = stop.start() if stop else len(text)
    starts = [m.start() for m in _item_start(len(indent)).finditer(text, first.start(), end)]
    if not starts or starts[0] != first.start():
        return None
    return _index(text, starts, end, indent)


_FIRST_CONTENT = re.compile(r"^(?:( *)-(?: |$)|[ ]*[^ \n#])", re.M)


@lru_cache(maxsize=8)
def _item_start(depth: int) -> re.Pattern:
    return re.compile(f"^ {{{depth}}}-(?: |$)", re.M)


@lru_cache(maxsize=8)
def _list_end(depth: int) -> re.Pattern:
    """The first content line that is less indented than the items, or as indented but no item."""
    shallower = f" {{0,{depth - 1}}}[^ \\n#]|" if depth else ""
    return re.compile(f"^(?:{shallower} {{{depth}}}(?!-(?: |$))[^ \\n#])", re.M)


def _index(text: str, starts: list[int], end: int, indent: str) -> Layout | None:
    blocks: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    bounds = [*starts, end]
    for start, stop in zip(starts, bounds[1:], strict=False):
        block_end = _content_end(text, start, stop)
        cid = _block_id(text, start, block_end, len(indent))
        if cid is None or cid in blocks:
            return None
        blocks[cid] = (start, block_end)
        order.append(cid)
    return Layout(blocks, order, indent, blocks[order[-1]][1])


def _content_end(text: str, start: int, stop: int) -> int:
    """Leave trailing blank and comment lines outside the block (they belong to no contact)."""
    end = stop
    while end > start:
        line_start = text.rfind("\n", start, end - 1) + 1
        line = text[line_start:end].strip()
        if line and not line.startswith("#"):
            break
        end = line_start
    return end


def _block_id(text: str, start: int, end: int, depth: int) -> str | None:
    """The ``id`` of the item at ``text[start:end]`` (a plain or quoted scalar on one line).

    Keys of the item's mapping start in the column of the first key after ``- ``; only a
    line starting there with ``id:`` counts (a nested ``id:`` is deeper).
    """
    head = _FIRST_KEY.match(text, start + depth + 1)
    if head is None:
        return None
    key_col = head.end() - start  # the item starts at the beginning of its line
    if text.startswith("id:", head.end()):
        found = _VALUE.match(text, head.end() + 3)
    else:
        found = _id_line(key_col).search(text, head.end(), end)
    if found is None:
        return None
    value = found.group(1).strip()
    match = _PLAIN_ID.match(value)
    if match:
        return match.group(1)
    try:
        loaded = yaml.safe_load(value)
    except yaml.YAMLError:
        return None
    return str(loaded) if isinstance(loaded, (str, int)) and not isinstance(loaded, bool) else None


_FIRST_KEY = re.compile(r" *(?=[^ \n])")
_VALUE = re.compile(r"([^\n]*)")


@lru_cache(maxsize=8)
def _id_line(key_col: int) -> re.Pattern:
    return re.compile(f"^ {{{key_col}}}id:([^\\n]*)", re.M)


# --------------------------------------------------------------------------- the file


class AccountFile:
    """The account file on disk, saved by replaying a change log on top of what is there now.

    ``path`` is resolved once, here: later saves go to the same file (through a symbolic link
    the user gave, not through one that appeared since) or are refused.
    """

    def __init__(self, path: str | os.PathLike[str], text: str | None = None) -> None:
        self.path = str(path)
        self.real = os.path.realpath(self.path)
        self.lock_path = os.path.join(os.path.dirname(self.real), f".{os.path.basename(self.real)}.lock")
        self._dev: int | None = None
        if text is None:
            with contextlib.suppress(InputError, UnicodeDecodeError):
                data, info = read_regular(self.real, self.path)
                self._dev = info.st_dev
                text = data.decode("utf-8-sig")
        self._text = text or ""
        self._layout: Layout | None = None
        self._layout_checked = False

    def check_writable(self) -> None:
        """Refuse to start when saving is bound to fail: better than losing the first answer."""
        from rolefinder.account import check_writable

        check_writable(self.path)

    def verify(self, ids: list[str]) -> None:
        """Trust the line scan of the text read at open only if it finds the loader's contacts."""
        layout = scan(self._text)
        self._layout = layout if layout is not None and layout.order == ids else None
        self._layout_checked = True

    # ---------------------------------------------------------------- saving

    def save(self, account: Account, ops: list[Op] | None = None,
             resolve: Resolver | None = None) -> Saved:
        """Apply ``ops`` (default: every difference between the file and ``account``) and write.

        Raises :class:`ConflictError` when a change meets a different change on disk and
        ``resolve`` is not given, :class:`InputError` when the file cannot be written safely.
        """
        from filelock import FileLock, Timeout

        with deferred_signals():
            try:
                lock = FileLock(self.lock_path, timeout=LOCK_TIMEOUT)
                with lock:
                    return self._save_locked(account, ops, resolve)
            except Timeout:
                raise InputError([Problem(self.path, None, "", "locked",
                                          {"lock": self.lock_path, "seconds": LOCK_TIMEOUT}, MESSAGES)]) from None
            except OSError as exc:
                raise InputError([Problem(self.path, None, "", "not_writable",
                                          {"error": exc.strerror or str(exc)})]) from None

    def _save_locked(self, account: Account, ops: list[Op] | None, resolve: Resolver | None) -> Saved:
        _remove_stale_temps(self.real)
        text, mode = self._read_current()
        changed_elsewhere = text != self._text
        if ops is None:
            from rolefinder.account import parse_account_text

            ops = diff(parse_account_text(text, self.path, knowledge=account.knowledge), account)
            changed_elsewhere = False  # the diff is against the text just read
        ops = compact(ops)
        if not ops:
            return Saved()
        knowledge = account.knowledge
        layout = self._layout_for(text, changed_elsewhere, knowledge)
        saved = Saved()
        if layout is not None and all(_fast(op) for op in ops):
            splicer = _Splicer(text, layout, self.path, knowledge, resolve, saved)
            new_text = splicer.apply(ops)
        else:
            new_text = _whole_document(text, ops, self.path, knowledge, resolve, saved)
        if new_text != text:
            data = new_text.encode("utf-8")
            if self._bom:
                data = b"\xef\xbb\xbf" + data
            write_replace(self.real, data, mode)
        self._text = new_text
        if layout is not None and all(_fast(op) for op in ops):
            self._layout = splicer.layout_after() or scan(new_text)
        else:
            self._layout = scan(new_text) if layout is not None else None
        self._layout_checked = layout is not None
        return saved

    _bom = False

    def _read_current(self) -> tuple[str, int | None]:
        """The file's text now, read through the path resolved at open (never a new link)."""
        try:
            info = os.lstat(self.real)
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISLNK(info.st_mode):
            raise InputError([Problem(self.path, None, "", "swapped_link", catalog=MESSAGES)])
        now = os.path.realpath(self.path)
        if now != self.real:
            raise InputError([Problem(self.path, None, "", "moved", {"now": now, "then": self.real}, MESSAGES)])
        if info is None:
            if self._text:
                raise InputError([Problem(self.path, None, "", "gone", catalog=MESSAGES)])
            return "", None
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(self.path, None, "", "swapped_other",
                                      {"kind": file_kind(info.st_mode)}, MESSAGES)])
        if not os.access(self.real, os.W_OK) or not info.st_mode & 0o222:
            raise InputError([Problem(self.path, None, "", "not_writable", {"error": "the file is read-only"})])
        data, info = read_regular(self.real, self.path, nofollow=True)
        self._bom = data.startswith(b"\xef\xbb\xbf")
        try:
            return data.decode("utf-8-sig"), stat.S_IMODE(info.st_mode)
        except UnicodeDecodeError as exc:
            raise InputError([Problem(self.path, None, "", "not_utf8", {"offset": exc.start})]) from None

    def _layout_for(self, text: str, changed_elsewhere: bool, knowledge: Any) -> Layout | None:
        """The index of ``text``, checked against a full load when someone else wrote the file."""
        if not changed_elsewhere:
            if not self._layout_checked:
                layout = scan(text)
                if layout is None:
                    return None
                from rolefinder.account import parse_account_text

                ids = [c.id for c in parse_account_text(text, self.path, knowledge=knowledge).contacts]
                return layout if layout.order == ids else None
            return self._layout
        from rolefinder.account import parse_account_text

        try:
            on_disk = parse_account_text(text, self.path, knowledge=knowledge)
        except InputError as exc:
            raise InputError([Problem(self.path, None, "", "disk_invalid",
                                      {"problem": exc.problems[0].render("en")}, MESSAGES)]) from None
        layout = scan(text)
        return layout if layout is not None and layout.order == [c.id for c in on_disk.contacts] else None


def _fast(op: Op) -> bool:
    return isinstance(op, (SetAnswer, AddContact, Touch)) or (isinstance(op, SetField) and op.field in FAST_FIELDS)


# --------------------------------------------------------------------------- applying changes


def _ruamel(offset: int) -> Any:
    from ruamel.yaml import YAML

    handler = YAML()
    handler.width = 100
    handler.preserve_quotes = True
    handler.indent(mapping=2, sequence=offset + 2, offset=offset)
    return handler


def _dump(handler: Any, data: Any) -> str:
    stream = io.StringIO()
    handler.dump(data, stream)
    return stream.getvalue()


class _Splicer:
    """Edits the blocks of the changed contacts alone and splices them back into the text."""

    def __init__(self, text: str, layout: Layout, path: str, knowledge: Any,
                 resolve: Resolver | None, saved: Saved) -> None:
        self.text, self.layout, self.path = text, layout, path
        self.knowledge, self.resolve, self.saved = knowledge, resolve, saved
        self.handler = _ruamel(len(layout.indent))
        self.items: dict[str, Any] = {}
        self.added: list[Any] = []
        self.conflicts: list[Conflict] = []
        self.lengths: dict[str, int] = {}  # new length of each rewritten block

    def layout_after(self) -> Layout | None:
        """The index of the new text, by shifting offsets (None when contacts were added)."""
        if self.added:
            return None
        blocks: dict[str, tuple[int, int]] = {}
        shift = 0
        for cid in self.layout.order:
            start, end = self.layout.blocks[cid]
            if cid in self.lengths:
                blocks[cid] = (start + shift, start + shift + self.lengths[cid])
                shift += self.lengths[cid] - (end - start)
            else:
                blocks[cid] = (start + shift, end + shift)
        last = blocks[self.layout.order[-1]][1]
        return Layout(blocks, list(self.layout.order), self.layout.indent, last)

    def apply(self, ops: list[Op]) -> str:
        ids = set(self.layout.blocks)
        for op in ops:
            if isinstance(op, AddContact):
                self.added.append(_new_item(op, ids, self.saved))
                continue
            item = self._item(op.contact)
            if item is None:
                if not isinstance(op, Touch):
                    self.conflicts.append(Conflict(op, _REMOVED))
                continue
            _apply_to_item(item, op, self.conflicts, self.resolve)
        _settle(self.conflicts, self.resolve, self.path)
        return self._splice()

    def _item(self, cid: str) -> Any:
        if cid not in self.items:
            span = self.layout.blocks.get(cid)
            if span is None:
                return None
            loaded = self.handler.load(self.text[span[0]:span[1]])
            self.items[cid] = loaded[0]
        return self.items[cid]

    def _splice(self) -> str:
        pieces, cursor = [], 0
        for cid in self.layout.order:
            if cid not in self.items:
                continue
            start, end = self.layout.blocks[cid]
            block = self._render([self.items[cid]], cid)
            self.lengths[cid] = len(block)
            pieces += [self.text[cursor:start], block]
            cursor = end
        tail = self.layout.end
        pieces.append(self.text[cursor:tail])
        if self.added:
            if not pieces[-1].endswith("\n") and (pieces[-1] or cursor):
                pieces.append("\n")
            pieces.append(self._render(self.added, None))
        pieces.append(self.text[tail:])
        return "".join(pieces)

    def _render(self, items: list, cid: str | None) -> str:
        from ruamel.yaml.comments import CommentedSeq

        block = _dump(self.handler, CommentedSeq(items)).rstrip("\n") + "\n"
        if not block.startswith(self.layout.indent + "-"):
            block = "".join(self.layout.indent + line if line else line for line in block.splitlines(True))
        self._validate(block, items)
        for item in items:
            self.saved.contacts[str(item.get("id"))] = _plain(item)
        if cid is not None and self.text[self.layout.blocks[cid][1] - 1:self.layout.blocks[cid][1]] != "\n":
            block = block.rstrip("\n")
        return block

    def _validate(self, block: str, items: list) -> None:
        """The new block must load on its own as the same contacts, valid by the file's rules."""
        from rolefinder.account import parse_account_text

        managers = {str(i.get("reports_to")) for i in items if i.get("reports_to")} - {
            str(i.get("id")) for i in items}
        stubs = "".join(f"{self.layout.indent}- {{id: {json.dumps(m)}, name: x}}\n"
                        for m in sorted(managers) if m in self.layout.blocks)
        text = "account: {name: x}\ncontacts:\n" + stubs + block
        try:
            parsed = parse_account_text(text, self.path, knowledge=self.knowledge)
        except InputError as exc:
            raise InputError([Problem(self.path, None, "", "bad_change",
                                      {"problem": exc.problems[0].render("en")}, MESSAGES)]) from None
        if [c.id for c in parsed.contacts][-len(items):] != [str(i.get("id")) for i in items]:
            raise InputError([Problem(self.path, None, "", "bad_change", {"problem": "ids differ"}, MESSAGES)])


def _new_item(op: AddContact, ids: set[str], saved: Saved) -> Any:
    """A new contact's mapping; an id another writer took meanwhile gets a free one."""
    from ruamel.yaml.comments import CommentedMap

    data = dict(op.data)
    cid = str(data["id"])
    if cid in ids:
        number = 2
        while f"{cid}_{number}" in ids:
            number += 1
        saved.renamed[cid] = data["id"] = f"{cid}_{number}"
    ids.add(str(data["id"]))
    return CommentedMap({k: v if k == "answers" else _text(v) for k, v in data.items()})


def _apply_to_item(item: Any, op: Op, conflicts: list[Conflict], resolve: Resolver | None) -> None:
    """Apply one change to a contact's mapping, or record a conflict."""
    if isinstance(op, SetAnswer):
        answers = item.get("answers")
        current = normalise_answer(answers.get(op.question)) if isinstance(answers, dict) else None
        if current == op.after:
            return
        if current != op.before and not _mine(op, current, conflicts, resolve):
            return
        _set_answer(item, op.question, op.after)
    elif isinstance(op, SetField):
        current = item.get(op.field)
        current = None if current in (None, "") else str(current)
        if current == (op.after or None):
            return
        if current != (op.before or None) and not _mine(op, current, conflicts, resolve):
            return
        _set(item, op.field, op.after, before="answers")


def _mine(op: Op, theirs: Any, conflicts: list[Conflict], resolve: Resolver | None) -> bool:
    """Ask which side wins; without a resolver the conflict is collected and raised."""
    conflict = Conflict(op, theirs)
    if resolve is None:
        conflicts.append(conflict)
        return False
    return resolve(conflict) == "mine"


def _settle(conflicts: list[Conflict], resolve: Resolver | None, path: str) -> None:
    if conflicts:
        raise ConflictError([Problem(path, None, "", "conflict_line",
                                     {"text": {lang: c.describe(lang) for lang in ("en", "zh")}}, _CONFLICT)
                             for c in conflicts], conflicts)


_CONFLICT = Catalog({"conflict_line": {"en": "{text}", "zh": "{text}"}})


def _set_answer(item: Any, question: str, value: str | None) -> None:
    from ruamel.yaml.comments import CommentedMap

    answers = item.get("answers")
    if value is None:
        if isinstance(answers, dict):
            answers.pop(question, None)
            if not answers:
                item.pop("answers")
        return
    if not isinstance(answers, dict):
        answers = CommentedMap()
        if "notes" in item:
            item.insert(list(item).index("notes"), "answers", answers)
        else:
            item["answers"] = answers
    answers[question] = value


_RESOLVER = yaml.resolver.Resolver()  # PyYAML's: how the loader will read a plain scalar back
_STR_TAG = "tag:yaml.org,2002:str"


def _text(value: Any) -> Any:
    """A string that YAML 1.1 would read as something else (``Yes``, ``off``, ``1e3``) is quoted.

    ruamel.yaml writes YAML 1.2, where ``Yes`` is plain text, but account files are read with
    PyYAML (YAML 1.1), which would turn a contact called "Yes" into ``True``.
    """
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, str) and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG:
        return DoubleQuotedScalarString(value)
    return value


def _set(item: Any, key: str, value: Any, before: str | None = None) -> None:
    """Set, replace or drop one key, leaving it alone when it already means ``value``."""
    if (item.get(key) or None) == (value or None):
        return
    value = _text(value)
    if not value and value != 0:
        item.pop(key, None)
    elif key in item or before not in item:
        item[key] = value
    else:
        item.insert(list(item).index(before), key, value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _sequence_offset(text: str) -> int:
    """How far the file indents the ``- `` of its contact list (PyYAML writes 0, people 2)."""
    match = re.search(r"^contacts:[ \t]*(?:#.*)?\r?\n(?:[ \t]*(?:#.*)?\r?\n)*([ \t]*)-", text, re.M)
    return len(match.group(1)) if match else 2


def _whole_document(text: str, ops: list[Op], path: str, knowledge: Any,
                    resolve: Resolver | None, saved: Saved) -> str:
    """The slow path: round-trip the whole document, apply the changes, validate all of it."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from rolefinder.account import parse_account_text

    handler = _ruamel(_sequence_offset(text))
    try:
        doc = handler.load(text) if text.strip() else CommentedMap()
    except Exception as exc:  # ruamel raises many types; the file loaded with PyYAML before
        raise InputError([Problem(path, None, "", "not_yaml", {"error": str(exc).split("\n")[0][:200]})]) from None
    if not isinstance(doc, CommentedMap):
        raise InputError([Problem(path, None, "", "expected_type", {"expected": "mapping", "got": "other"})])
    header = doc.get("account")
    if not isinstance(header, dict):
        header = doc["account"] = CommentedMap()
    items = doc.get("contacts")
    if not isinstance(items, list):
        items = doc["contacts"] = CommentedSeq()
    by_id = {str(item.get("id")): item for item in items if isinstance(item, dict)}
    ids = set(by_id)
    conflicts: list[Conflict] = []
    touched: list[str] = []
    for op in ops:
        if isinstance(op, SetAccountField):
            current = header.get(op.field)
            if current != op.after and (current == op.before or _mine(op, current, conflicts, resolve)):
                _set(header, op.field, op.after)
        elif isinstance(op, AddContact):
            item = _new_item(op, ids, saved)
            items.append(item)
            by_id[str(item["id"])] = item
            touched.append(str(item["id"]))
        elif isinstance(op, RemoveContact):
            item = by_id.pop(op.contact, None)
            if item is not None:
                items.remove(item)
        elif op.contact not in by_id:
            if not isinstance(op, Touch):
                conflicts.append(Conflict(op, _REMOVED))
        else:
            _apply_to_item(by_id[op.contact], op, conflicts, resolve)
            touched.append(op.contact)
    _settle(conflicts, resolve, path)
    new_text = _dump(handler, doc)
    parse_account_text(new_text, path, knowledge=knowledge)
    for cid in touched:
        if cid in by_id:
            saved.contacts[cid] = _plain(by_id[cid])
    return new_text
