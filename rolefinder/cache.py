"""rolefinder's cache folder: what one run worked out and a later run may reuse.

Two things are kept, each only to save time, never as a source of truth:

* the rule packs as loaded and validated (:mod:`rolefinder.knowledge`), so that a short
  command does not parse and check the YAML of every pack again;
* the engine's findings per contact of an account (:mod:`rolefinder.memo`), so that an
  interview answer on a large account re-runs the engine for the contact it changed, not for
  the whole file.

Each file holds a *stamp*, a digest of everything its content was computed from: the packs'
bytes and paths, rolefinder's own code (size and modification time of its modules) and
Python's version (experta is pinned to one release). A file is used only when its stamp
equals the one computed now from the packs on disk, so a changed pack, a new ``--rules``
folder or an upgrade simply misses, and the next run writes the file again. A file that is
truncated, corrupt, from another version, not owned by the user or writable by others is
ignored the same way; its content is also checked against a digest before it is read, and it
is read without running any code (a pickle limited to plain data and rolefinder's own record
classes).

Files are written atomically (a temporary file renamed over the old one); a folder that cannot
be written (read-only, full disk) only means nothing is kept. Deleting the folder is always safe.
The folder does not grow without bound: every file a run reads or writes is marked as used, and
after a write the least recently used files are removed once there are more than ``MAX_FILES``
of them or more than ``MAX_TOTAL`` bytes (every account file identified keeps one file here);
temporary files left by a killed writer go after an hour.

Where: ``$ROLEFINDER_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/rolefinder``, else
``~/.cache/rolefinder`` (``%LOCALAPPDATA%\\rolefinder\\cache`` on Windows). ``ROLEFINDER_NO_CACHE=1``
turns the cache off: nothing is read or written.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import pickle
import stat
import sys
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path

try:  # the C module hashlib itself uses, without importing OpenSSL's bindings at start-up
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

__all__ = ["code_stamp", "directory", "load", "slot", "stamp", "store"]

MAGIC = b"rolefinder-cache 1\n"
DIGEST = 32  # bytes of a blake2b digest: the stamp and the payload's checksum
MAX_BYTES = 1 << 30  # a cache file larger than this is not read
MAX_FILES = 200  # the folder keeps at most this many files ...
MAX_TOTAL = 512 << 20  # ... and this many bytes: the least recently used go first
STALE_TEMP = 3600  # seconds after which a temporary file is a dead writer's leftover
OFF_VALUES = ("1", "true", "yes", "on")


def directory() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    if os.environ.get("ROLEFINDER_NO_CACHE", "").strip().lower() in OFF_VALUES:
        return None
    given = os.environ.get("ROLEFINDER_CACHE_DIR")
    if given:
        return Path(given)
    if sys.platform == "win32":  # pragma: no cover - not run in CI
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "rolefinder" / "cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rolefinder"


def stamp(*parts: str | bytes) -> bytes:
    """A digest of ``parts``, each one delimited so that no two different lists collide."""
    digest = blake2b(digest_size=DIGEST)
    for part in parts:
        data = _encoded(part) if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def _encoded(text: str) -> bytes:
    try:
        return text.encode("utf-8")  # the fast path; an error handler would slow every call
    except UnicodeEncodeError:  # a lone surrogate (text from a file read with surrogateescape)
        return text.encode("utf-8", "surrogatepass")


@cache
def code_stamp() -> str:
    """What cached content depends on besides its inputs: rolefinder's modules and Python.

    Size and modification time of each module file (a stat, no reading), so editing or
    upgrading rolefinder makes every cached entry miss.
    """
    parts = [sys.version, sys.implementation.cache_tag or ""]
    try:
        entries = sorted(os.scandir(Path(__file__).parent), key=lambda entry: entry.name)
    except OSError:  # pragma: no cover - the package folder is readable where it runs
        entries = []
    for entry in entries:
        if entry.name.endswith(".py"):
            info = entry.stat()
            parts.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return stamp(*parts).hex()


def slot(*parts: str) -> str:
    """A file name part for ``parts`` and this installation of rolefinder: two installations
    (or checkouts) sharing a cache folder keep separate files instead of replacing each other's."""
    return stamp(str(Path(__file__).parent), *parts).hex()[:32]


def _path(kind: str, slot: str) -> Path | None:
    folder = directory()
    return None if folder is None else folder / f"{kind}-{slot}.bin"


def load(kind: str, slot: str, expected: bytes) -> bytes | None:
    """The payload stored under ``kind``/``slot`` if its stamp is ``expected``, else None.

    Never raises: any problem with the file (missing, unreadable, not ours, truncated,
    corrupt, stale) is a miss.
    """
    path = _path(kind, slot)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not _trusted(info):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    head = len(MAGIC) + 2 * DIGEST
    if len(data) < head or len(data) > MAX_BYTES or not data.startswith(MAGIC):
        return None
    if data[len(MAGIC):len(MAGIC) + DIGEST] != expected:
        return None
    payload = memoryview(data)[head:]
    if blake2b(payload, digest_size=DIGEST).digest() != data[len(MAGIC) + DIGEST:head]:
        return None
    _mark_used(path)
    return bytes(payload)


def _trusted(info: os.stat_result) -> bool:
    """A regular file of ours that nobody else may write (POSIX; elsewhere: a regular file)."""
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "getuid"):
        return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return True  # pragma: no cover


def _mark_used(path: Path) -> None:
    """Mark a file read as recently used (its modification time), for :func:`_trim`."""
    with contextlib.suppress(OSError):
        os.utime(path)


def store(kind: str, slot: str, stamp_: bytes, payload: bytes) -> bool:
    """Write ``payload`` under ``kind``/``slot`` with its stamp, atomically; False if it could not be."""
    path = _path(kind, slot)
    if path is None:
        return False
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = _new_temp(path.parent, kind)
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC + stamp_ + blake2b(payload, digest_size=DIGEST).digest())
            handle.write(payload)
        os.replace(temp, path)
    except OSError:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        return False
    _trim(path.parent)
    return True


def _trim(folder: Path) -> None:
    """Remove the least recently used files beyond ``MAX_FILES`` or ``MAX_TOTAL`` bytes, and
    temporary files older than ``STALE_TEMP`` (a writer killed between create and rename).

    Another process may be reading or writing at the same moment: a file removed under a
    reader is already open (POSIX) or simply missed next time, and a writer's fresh temporary
    file is never touched.
    """
    now = time.time()
    kept: list[tuple[float, int, str]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if entry.name.endswith(".tmp"):
                        if now - info.st_mtime > STALE_TEMP:
                            os.unlink(entry.path)
                    elif entry.name.endswith(".bin") and stat.S_ISREG(info.st_mode):
                        kept.append((info.st_mtime, info.st_size, entry.path))
    except OSError:
        return
    total = sum(size for _, size, _ in kept)
    kept.sort()  # oldest first
    for _, size, name in kept:
        if len(kept) <= MAX_FILES and total <= MAX_TOTAL:
            break
        with contextlib.suppress(OSError):
            os.unlink(name)
        kept = kept[1:]
        total -= size


def _new_temp(folder: Path, kind: str) -> tuple[int, Path]:
    """A new private file beside the slot, as ``tempfile.mkstemp`` makes one (a random name,
    created exclusively, mode 0600), without importing tempfile and the archive modules
    it brings (shutil, bz2, lzma): a run that writes its findings is a short one too."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = folder / f".{kind}-{os.urandom(6).hex()}.tmp"
        try:
            return os.open(temp, flags, 0o600), temp
        except FileExistsError:  # pragma: no cover - 48 random bits seldom collide
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))  # pragma: no cover


class _Unpickler(pickle.Unpickler):
    """An unpickler that builds only plain data and the classes it is given: no code runs."""

    def __init__(self, payload: bytes, allowed: dict[tuple[str, str], object]) -> None:
        super().__init__(io.BytesIO(payload))
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> object:
        found = self.allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return found


def dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(payload: bytes, allowed: Iterable[object] = ()) -> object:
    """Unpickle ``payload``, allowing only plain data and the classes (or functions) ``allowed``."""
    return _Unpickler(payload, {(item.__module__, item.__qualname__): item for item in allowed}).load()
