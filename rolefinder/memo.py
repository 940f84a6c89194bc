"""The engine's findings per contact, kept between runs: an interview answer costs what it changes.

What the Rete engine finds for a contact (:class:`rolefinder.engine.Collected`: evidence,
derived facts, look-ahead) depends on nothing but the contact fact it declares (answers,
title, department, influence, attitude, manager, whether anyone reports to them, the
account's setting), the statuses of that contact's manager that rules join on, and the packs.
:class:`EngineMemo` keys each finding by a digest of exactly those, so a contact whose inputs
did not change is not run again, and one whose inputs changed (an answer, or a manager whose
status moved) is.

Everything after the engine — combining evidence, pricing questions, the account rules and
the account's view of the questions, the gaps — still runs over the whole account as
:func:`rolefinder.identification.identify` always does: those steps read every contact (who
holds a role anywhere, how likely each candidate is), so reusing the engine's findings is
what keeps the result identical while the engine runs only for what changed.

``rolefinder interview`` keeps one memo per account file in the cache folder
(:mod:`rolefinder.cache`), stamped with the packs' digest: the first interview of a file runs
the engine for every contact, as ``identify`` does; the next one, after an answer, runs it for
that contact and, when one of its statuses moved, those below them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rolefinder import cache
from rolefinder.engine import Collected

if TYPE_CHECKING:
    from rolefinder.account import Contact
    from rolefinder.engine import RoleEngine
    from rolefinder.knowledge import Knowledge
    from rolefinder.setting import Setting

KIND = "contacts"

Entry = tuple[dict, dict, dict]  # a Collected's evidence, derived facts and look-ahead


class EngineMemo:
    """Engine findings by contact digest, for one :class:`Knowledge` (and, when saved, one file)."""

    def __init__(self, knowledge: Knowledge, slot: str | None = None,
                 entries: dict[bytes, Entry] | None = None) -> None:
        self.knowledge = knowledge
        self.slot = slot
        self.entries: dict[bytes, Entry] = entries or {}
        self.used: dict[bytes, Entry] = {}  # what this run read or added: what the next run needs
        self.ran = 0  # contacts the engine judged through this memo
        self.reused = 0  # contacts whose findings were reused

    # ---------------------------------------------------------------- persistence

    @classmethod
    def for_file(cls, path: str | Path, knowledge: Knowledge) -> EngineMemo:
        """The memo kept for the account file at ``path`` (empty if none fits these packs)."""
        slot = cache.slot(str(Path(path).resolve()))
        memo = cls(knowledge, slot)
        stamp = memo._stamp()
        if stamp is None:
            return memo
        payload = cache.load(KIND, slot, stamp)
        if payload is not None:
            try:
                entries = cache.loads(payload)
            except Exception:  # passed its checksum but does not read: a miss like any other
                entries = None
            if isinstance(entries, dict):
                memo.entries = entries
        return memo

    def save(self) -> bool:
        """Keep what this run used (and nothing stale) for the next run; False if not written."""
        stamp = self._stamp()
        if stamp is None or self.slot is None:
            return False
        if not self.ran and self.used.keys() == self.entries.keys():
            return True  # nothing new and nothing to drop: the file on disk is this memo
        return cache.store(KIND, self.slot, stamp, cache.dumps(self.used))

    def _stamp(self) -> bytes | None:
        if not self.knowledge.stamp:  # packs built in memory: nothing identifies them on disk
            return None
        return cache.stamp(KIND, self.knowledge.stamp)

    # ---------------------------------------------------------------- two processes

    def detach(self) -> None:
        """In a forked child (:mod:`rolefinder.split`): count and keep from here on only what
        this process adds, which :meth:`delta` sends back to the parent."""
        self.used, self.ran, self.reused = {}, 0, 0

    def delta(self) -> tuple[dict[bytes, Entry], int, int]:
        """What this process used or added since :meth:`detach`, and its counts."""
        return self.used, self.ran, self.reused

    def absorb(self, delta: tuple[dict[bytes, Entry], int, int]) -> None:
        """Take a child's :meth:`delta`: the memo is then what one process would have left."""
        used, ran, reused = delta
        self.entries.update(used)
        self.used.update(used)
        self.ran += ran
        self.reused += reused

    # ---------------------------------------------------------------- running

    def run(self, engine: RoleEngine, contacts: list[tuple[Contact, bool]],
            manager_levels: list[tuple[str, str, int]], setting: Setting) -> dict[str, Collected]:
        """``engine.run`` for these contacts, reusing the findings of any seen before."""
        if engine.knowledge is not self.knowledge or engine.listener is not None:
            return engine.run(contacts, manager_levels, setting)  # other packs, or a trace to show
        found: dict[str, Collected] = {}
        missing, keys = [], {}
        for contact, has_reports in contacts:
            key = self.key(engine, contact, has_reports, manager_levels, setting)
            entry = self.entries.get(key)
            if entry is None:
                missing.append((contact, has_reports))
                keys[contact.id] = key
                continue
            self.used[key] = entry
            self.reused += 1
            found[contact.id] = Collected(evidence=entry[0], derived=entry[1], lookahead=entry[2])
        if missing:
            fresh = engine.run(missing, manager_levels, setting)
            self.ran += len(missing)
            for contact, _ in missing:
                result = fresh[contact.id]
                entry = (result.evidence, result.derived, result.lookahead)
                self.entries[keys[contact.id]] = self.used[keys[contact.id]] = entry
                found[contact.id] = result
        return {contact.id: found[contact.id] for contact, _ in contacts}

    @staticmethod
    def key(engine: RoleEngine, contact: Contact, has_reports: bool,
            manager_levels: list[tuple[str, str, int]], setting: Setting) -> bytes:
        """A digest of everything the engine reads about ``contact``: what its fact is made of
        (but its id, which no rule tests) and the statuses of its manager that rules join on.
        The packs are in the memo's stamp, so what follows from them (title parts, static
        flags) need not be worked out here."""
        inputs = engine.inputs_for(contact, has_reports, setting)
        fields = sorted((name, _plain(value)) for name, value in inputs.items() if name != "cid")
        manager = contact.reports_to
        above = sorted((role, level) for who, role, level in manager_levels
                       if who == manager and role in engine.manager_roles)
        return cache.stamp(repr((fields, above)))[:16]


def _plain(value: object) -> object:
    """``value`` with a stable ``repr`` in every process (sets and mappings sorted)."""
    if isinstance(value, (frozenset, set)):
        return ("<set>", *sorted(map(repr, value)))
    if isinstance(value, dict):
        return ("<dict>", *sorted(value.items()))
    return value
