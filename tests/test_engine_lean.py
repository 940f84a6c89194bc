"""The engine's shortcuts (indexed Rete dispatch, static conditions tested once per contact,
patterns tested once per distinct text, facts built without re-freezing) change nothing.
:func:`plain_run` identifies with none of them; ``test_output.py`` compares it with the normal
run for every evaluation and case file, contact by contact (there, so that each file is
identified once for both checks)."""

from __future__ import annotations

import dataclasses

from test_accuracy import FILES

from rolefinder import _experta, engine, rete
from rolefinder.account import load_account
from rolefinder.identification import identify

_PLAIN: dict = {}


def plain_run(account, monkeypatch):
    """Identify ``account`` with a separate engine that uses none of the shortcuts."""
    with monkeypatch.context() as patch:
        patch.setattr(_experta, "index_children", lambda root: 0)
        patch.setattr(_experta.FeatureCheck, "__call__", _experta._feature_check_call)
        patch.setattr(rete, "_memo", lambda test: test)
        patch.setattr(rete, "new_fact", lambda kind, fields: kind(**fields))
        patch.setattr(engine, "PRECOMPUTE", False)
        key = id(account.knowledge)
        if key not in _PLAIN:
            _PLAIN[key] = dataclasses.replace(account.knowledge, _engine=None)
        return identify(account, _PLAIN[key])


def test_the_index_is_in_place() -> None:
    account = load_account(FILES[0])
    assert _experta.index_children(account.knowledge.engine()._engine.matcher.root_node) > 0
