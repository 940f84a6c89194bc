"""The one place that imports experta, and the two things rolefinder adjusts about it.

1. Installing on Python 3.10+. experta 1.9.4 (its last release) pins ``frozendict==1.2``,
   whose ``frozendict`` derives from ``collections.Mapping``: an alias Python 3.10 removed.
   Restoring the alias before experta (and so frozendict) is first imported is enough;
   everything else runs unchanged on 3.11-3.13. Keeping the pins means ``pip install .`` stays
   the single install step and ``pip check`` stays clean.

2. Speed. After every rule firing, experta's ``ReteMatcher.changes`` asks *every* rule's
   conflict-set node for new activations: O(rules) per firing, which dominated the run time
   (about 2 million calls for 1,000 contacts). :class:`DirtyTrackingMatcher` notes which
   conflict-set nodes a change actually reached and asks only those. The result is the same
   activations; engines select it through experta's own ``__matcher__`` hook.

3. Speed again. experta's ``Token`` re-validates its contents with ``assert``s every time a
   token is built or copied, which happens at every node a fact passes: a fifth of the whole
   run. Tokens here are only ever built by experta's own nodes from real facts, so
   :func:`_lean_token` builds the same named tuple without re-checking it. For the same
   reason node activation skips experta's per-node debug logging (its watchers stay off
   here): the call alone, made at every node, cost several percent.

Every module of rolefinder imports experta from here, never directly.
"""

import collections
import collections.abc

if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

from experta import MATCH, Fact, KnowledgeEngine, P, Rule
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete.abstract import OneInputNode, TwoInputNode
from experta.matchers.rete.token import Token

__all__ = ["MATCH", "DirtyTrackingMatcher", "Fact", "KnowledgeEngine", "P", "Rule"]


def _lean_token(cls, tag, data, context=None):
    """``Token.__new__`` without the assertions; same fields, same types."""
    data = {data} if isinstance(data, Fact) else set(data)
    return tuple.__new__(cls, (tag, data, {} if context is None else context))


def _lean_copy(self):
    """``Token.copy``: a new token with its own data set and context dict."""
    return tuple.__new__(type(self), (self.tag, set(self.data), dict(self.context)))


def _activate(self, token):
    return self._activate(token.copy())


def _activate_left(self, token):
    return self._activate_left(token.copy())


def _activate_right(self, token):
    return self._activate_right(token.copy())


Token.__new__ = _lean_token
Token.copy = _lean_copy
OneInputNode.activate = _activate
TwoInputNode.activate_left = _activate_left
TwoInputNode.activate_right = _activate_right


class DirtyTrackingMatcher(ReteMatcher):
    """A Rete matcher that polls only the conflict-set nodes a change reached."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._dirty: dict[int, object] = {}  # insertion-ordered: firing order stays stable
        for node in self._get_conflict_set_nodes():
            node._activate = self._tracked(node, node._activate)

    def _tracked(self, node, activate):
        dirty = self._dirty
        key = id(node)

        def tracked(token):
            dirty[key] = node
            return activate(token)

        return tracked

    def changes(self, adding=None, deleting=None):
        if deleting is not None:
            for fact in deleting:
                self.root_node.remove(fact)
        if adding is not None:
            for fact in adding:
                self.root_node.add(fact)
        added, removed = [], []
        nodes = list(self._dirty.values())
        self._dirty.clear()
        for node in nodes:
            node_added, node_removed = node.get_activations()
            added.extend(node_added)
            removed.extend(node_removed)
        return added, removed

    def reset(self) -> None:
        super().reset()
        self._dirty.clear()
