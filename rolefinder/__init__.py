"""rolefinder: a rule-based expert system for buying-role identification (客户角色辨识).

The library API, in the order a program uses it::

    import rolefinder as rf

    account = rf.load_account("acme.yaml")        # validates; loads core + industry packs
    result = rf.identify(account)                 # roles, certainties, next questions, gaps
    first = result.contacts[0]
    first.primary_role, first.roles, first.next_question
    rf.record_answer(account, "coo", "final_say", "yes")
    result = rf.reidentify(result, "coo")         # fast: re-runs only what changed
    rf.save_account(account)                      # atomic; comments and key order kept

Names are imported lazily so that ``import rolefinder`` stays cheap for the CLI.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Account": "rolefinder.account",
    "Contact": "rolefinder.account",
    "load_account": "rolefinder.account",
    "parse_account_text": "rolefinder.account",
    "save_account": "rolefinder.account",
    "dump_account": "rolefinder.account",
    "atomic_write": "rolefinder.account",
    "record_answer": "rolefinder.interviewing",
    "Knowledge": "rolefinder.knowledge",
    "load_knowledge": "rolefinder.knowledge",
    "identify": "rolefinder.identification",
    "reidentify": "rolefinder.identification",
    "Identification": "rolefinder.identification",
    "ContactResult": "rolefinder.identification",
    "RolefinderError": "rolefinder.errors",
    "InputError": "rolefinder.errors",
    "PackError": "rolefinder.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rolefinder' has no attribute {name!r}")
