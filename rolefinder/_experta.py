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

4. Fewer node activations (alpha-memory indexing, as production Rete engines do). In experta
   a fact goes to *every* child of a node, and each child tests one field: every fact met the
   four type tests, and every contact met some sixty first tests, most of them "is this
   answer yes" on a question the contact had not answered. :func:`index_children` gives a
   node with many children an index: children that test a field for equality with a literal,
   for membership of a fixed set, or a fact's exact type, are looked up by the fact's own value, and only the ones that
   would pass are activated, in their original order. The other children are activated as
   before. Same tokens, same activations, same firing order; half the node activations.
   :func:`_lean_feature_check` is experta's field test without its per-call string parsing
   and debug logging.

5. Building the network. experta prepares every rule before wiring it: a rewrite into
   disjunctive normal form, repeated until nothing changes, then a copy of the rule, each copy
   re-reading its action's signature with ``inspect`` (a millisecond a rule, most of building
   the engine, and so of a short command's start-up). rolefinder's rules are plain
   conjunctions of facts whose fields hold no ``&``, ``|`` or ``~`` of constraints; for such a
   rule the preparation gives back an equal rule. :func:`prepare_ruleset` builds that equal
   rule directly, and :func:`build_beta_part` wires such a rule's chain of joins the way
   experta's ``wire_rule`` does, without building a dispatcher per rule; every other rule is
   left to experta (tests compare the two).

6. Less work per node, per firing and per reset (the same tokens, activations and firings):
   a feature test copies its token only when it binds a variable (:func:`_feature_tester_activate`;
   no node changes a token it receives in place); joins and fact captures skip experta's
   per-call debug logging; :class:`DepthStrategy` keys the agenda exactly as experta's does,
   without hashing each activation for an ``lru_cache``; :class:`LeanEngine` runs experta's
   loop without formatting a log line per firing (with a watcher on, experta's own loop
   runs), and resets by wiping only the nodes that have a memory, with its ``@DefFacts``
   looked up once.

Every module of rolefinder imports experta from here, never directly.
"""

import collections
import collections.abc
from contextlib import suppress
from itertools import chain

if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

from collections.abc import Mapping
from functools import update_wrapper

from experta import MATCH, Fact, KnowledgeEngine, P, Rule, strategies, watchers
from experta.activation import Activation
from experta.agenda import Agenda
from experta.factlist import FactList
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L
from experta.matchers.rete import ReteMatcher
from experta.matchers.rete.abstract import OneInputNode, TwoInputNode
from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck
from experta.matchers.rete.mixins import NoMemory
from experta.matchers.rete.nodes import BusNode, ConflictSetNode, FeatureTesterNode, OrdinaryMatchNode
from experta.matchers.rete.token import Token
from experta.matchers.rete.utils import prepare_rule
from experta.utils import freeze

__all__ = ["MATCH", "DirtyTrackingMatcher", "Fact", "KnowledgeEngine", "LeanEngine", "P", "Rule", "freeze",
           "rule_with_action"]


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


_feature_check_call = FeatureCheck.__call__


def _lean_feature_check(self, data, is_fact=True):
    """``FeatureCheck.__call__`` for a plain field name, without the debug logging."""
    what = self.what
    if not is_fact or not isinstance(what, str) or "__" in what or what.isnumeric():
        return _feature_check_call(self, data, is_fact)
    try:
        record = data[what]
    except (IndexError, KeyError, TypeError):
        return False
    return self.check(record, self.expected)


FeatureCheck.__call__ = _lean_feature_check

_MISSING = object()
INDEX_FROM = 4  # children a node needs before an index pays


class _Index:
    """Which children of one node can pass, looked up from the fact instead of tested one by one."""

    __slots__ = ("by_field", "by_type", "others")

    def __init__(self, children: list) -> None:
        self.by_field: dict[str, dict[object, list[int]]] = {}
        self.by_type: dict[type, list[int]] = {}
        self.others: list[int] = []
        for position, child in enumerate(children):
            check = getattr(child.node, "matcher", None)
            keys = _literal_keys(check)
            if isinstance(check, TypeCheck):
                self.by_type.setdefault(check.fact_type, []).append(position)
            elif keys is not None:
                by_value = self.by_field.setdefault(keys[0], {})
                for value in keys[1]:
                    by_value.setdefault(value, []).append(position)
            else:
                self.others.append(position)

    def positions(self, fact) -> list[int]:
        """Positions of the children that may pass for ``fact``, in their original order."""
        out = list(self.others)
        found = self.by_type.get(type(fact))
        if found:
            out.extend(found)
        by_field = self.by_field
        if len(fact) < len(by_field):  # a field the fact lacks passes no literal test
            pairs = ((by_field.get(field), value) for field, value in fact.items())
        else:
            pairs = ((by_value, fact.get(field, _MISSING)) for field, by_value in by_field.items())
        for by_value, value in pairs:
            if by_value is None:
                continue
            try:
                found = by_value.get(value)
            except TypeError:  # an unhashable value equals no literal
                found = None
            if found:
                out.extend(found)
        out.sort()
        return out


def _literal_keys(check) -> tuple[str, tuple] | None:
    """``(field, values)`` for a test 'field == literal' or 'field is one of a frozen set'
    (``P(frozenset.__contains__)``) that binds nothing, else None."""
    if not isinstance(check, FeatureCheck) or check.how.__bind__ is not None:
        return None
    what = check.what
    if not isinstance(what, str) or "__" in what or what.isnumeric():
        return None
    if isinstance(check.how, L):
        values: tuple = (check.how.value,)
    elif isinstance(check.how, P) and _is_membership(check.how.match):
        values = tuple(check.how.match.__self__)
    else:
        return None
    try:
        for value in values:
            hash(value)
    except TypeError:
        return None
    return what, values


def _is_membership(match) -> bool:
    return getattr(match, "__name__", "") == "__contains__" and isinstance(getattr(match, "__self__", None),
                                                                           frozenset)


def _dispatch(node, token) -> None:
    """Send ``token`` to the children of ``node`` that may pass (all of them without an index)."""
    index = node.__dict__.get("_rolefinder_index")
    children = node.children
    if index is None:
        for child in children:
            child.callback(token)
        return
    (fact,) = token.data
    for position in index.positions(fact):
        children[position].callback(token)


def _feature_tester_activate(self, token):
    """``FeatureTesterNode._activate``: the same test, then the indexed dispatch.

    The token is copied only when the test binds a variable (the one case that changes it):
    no node changes a token it receives in place, so a test that merely passes can hand the
    same token on.
    """
    if len(token.data) != 1:
        raise ValueError("a feature test needs a token with one fact")
    (fact,) = token.data
    match = self.matcher(fact)
    if match is True:
        _dispatch(self, token)
        return None
    if not match:
        return None
    if isinstance(match, Mapping):
        for key, value in match.items():
            if isinstance(key, tuple):  # negated condition
                if key[1] in token.context and token.context[key[1]] == value:
                    return False
            else:
                if token.context.get(key, value) != value:
                    return False
                if (False, key) in token.context and token.context[(False, key)] == value:
                    return False
        token = token.copy()
        token.context.update(match)
    _dispatch(self, token)
    return None


def _feature_tester_enter(self, token):
    """``FeatureTesterNode.activate``: no copy on entry (see :func:`_feature_tester_activate`)."""
    return self._activate(token)


def _fact_capture(self, fact):
    """``FactCapture.__call__`` without the debug logging."""
    return {self.bind: fact}


def _bus_add(self, fact):
    _dispatch(self, Token.valid(fact))


def _bus_remove(self, fact):
    _dispatch(self, Token.invalid(fact))


def _same_context(left: dict, right: dict) -> bool:
    """``SameContextCheck.__call__`` without its loop-``else``: do the bindings agree?"""
    for key, value in left.items():
        if key[0] is False:
            raise RuntimeError(f'Negated value "{key[1]}" present before capture.')
        if key in right and value != right[key]:
            return False
        if (False, key) in right and value == right[(False, key)]:
            return False
    return True


def _join(self, token, branch_memory, matching_memory, is_left):
    """``OrdinaryMatchNode.__activation`` without the debug logging made at every comparison."""
    if token.is_valid():
        branch_memory.append(token.to_info())
    else:
        with suppress(ValueError):
            branch_memory.remove(token.to_info())
    matcher = _same_context if type(self.matcher) is SameContextCheck else self.matcher
    context = token.context
    for other_data, other_frozen in matching_memory:
        other_context = dict(other_frozen)
        match = matcher(context, other_context) if is_left else matcher(other_context, context)
        if not match:
            continue
        newcontext = {k: v for k, v in context.items() if isinstance(k, str)}
        for k, v in other_context.items():
            if not isinstance(k, tuple):
                newcontext[k] = v
        newtoken = Token(token.tag, token.data | other_data, newcontext)
        for child in self.children:
            child.callback(newtoken)


def _join_left(self, token):
    _join(self, token, self.left_memory, self.right_memory, True)


def _join_right(self, token):
    _join(self, token, self.right_memory, self.left_memory, False)


OrdinaryMatchNode._activate_left = _join_left
OrdinaryMatchNode._activate_right = _join_right
FeatureTesterNode._activate = _feature_tester_activate
FeatureTesterNode.activate = _feature_tester_enter
FactCapture.__call__ = _fact_capture
BusNode.add = _bus_add
BusNode.remove = _bus_remove


def index_children(root) -> int:
    """Give every node under ``root`` with enough children an :class:`_Index`; how many got one."""
    count, stack, seen = 0, [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children = getattr(node, "children", [])
        if isinstance(node, (BusNode, FeatureTesterNode)) and len(children) >= INDEX_FROM:
            node._rolefinder_index = _Index(children)
            count += 1
        stack.extend(child.node for child in children)
    return count


class DepthStrategy(strategies.DepthStrategy):
    """experta's depth strategy, with the same agenda order, without its ``lru_cache``.

    The cache keyed each new activation by its hash (a frozenset of its facts and another of
    its bindings) to look up a key that is computed once per activation anyway.
    """

    def get_key(self, activation):
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts)


def _conflict_set_activate(self, token):
    """``ConflictSetNode._activate``, skipping the look-up in an empty ``removed`` set (which
    hashed every new activation once more); the rest is experta's."""
    if self.removed or not token.is_valid():
        return _conflict_set_activate_plain(self, token)
    info = token.to_info()
    if info in self.memory:
        return None
    self.memory.add(info)
    self.added.add(Activation(self.rule, info.data, {k: v for k, v in info.context if isinstance(k, str)}))
    return None


def _fact_id(fact):
    """``FactList._get_fact_id``: the fact's class and its non-special fields, as a frozenset
    (what makes two facts duplicates), without a method call per field."""
    return frozenset([fact.__class__, *((k, v) for k, v in fact.items()
                                         if not (isinstance(k, str) and k[:2] == "__" and k[-2:] == "__"))])


FactList._get_fact_id = staticmethod(_fact_id)
_conflict_set_activate_plain = ConflictSetNode._activate
ConflictSetNode._activate = _conflict_set_activate


class LeanEngine(KnowledgeEngine):
    """A knowledge engine whose run loop is experta's without the per-firing logging calls.

    experta's loop formats a log line for every firing (the names of its facts joined into
    one string) before the logger drops it. With a watcher switched on, experta's own loop
    runs instead, so its logs are unchanged.
    """

    __strategy__ = DepthStrategy

    def reset(self, **kwargs):
        """``KnowledgeEngine.reset``, with the engine's ``@DefFacts`` looked up once instead of
        at every reset (experta scans every attribute of the engine, rules included, for them)."""
        deffacts = self.__dict__.get("_lean_deffacts")
        if kwargs:
            return super().reset(**kwargs)
        if deffacts is None:
            deffacts = self._lean_deffacts = self.get_deffacts()
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self._KnowledgeEngine__declare(*chain.from_iterable(deffact() for deffact in deffacts))
        self.running = False
        return None

    def declare_known(self, fact):
        """``declare`` for a fact rolefinder built itself from plain values under field names
        it chose: experta's checks for field constraints and nested accessors (a walk over
        every field) cannot fail on it."""
        last = self.facts.declare(fact)
        if not self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
        return last

    def run(self, steps=float("inf")):
        if watchers.worth("RULES", "INFO") or watchers.worth("AGENDA", "DEBUG") \
                or watchers.worth("ACTIVATIONS", "INFO"):
            return super().run(steps)
        self.running = True
        while steps > 0 and self.running:
            added, removed = self.get_activations()
            if added or removed:
                self.strategy.update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            activation.rule(self, **{k: v for k, v in activation.context.items() if not k.startswith("__")})
        self.running = False
        return None


_COMPOSITE = (ANDFC, ORFC, NOTFC)


def is_plain_conjunction(rule: Rule) -> bool:
    """Whether ``rule`` is facts only, none with a composite field constraint: the rules that
    experta's preparation (DNF, then an ``InitialFact`` where a rule has no fact) leaves equal."""
    if not rule or rule._wrapped is None:
        return False
    for element in rule:
        if not isinstance(element, Fact):
            return False
        if any(isinstance(value, _COMPOSITE) for value in element.values()):
            return False
    return True


def prepared(rule: Rule) -> Rule:
    """What experta's ``prepare_rule`` returns for a plain conjunction, without the rewriting:
    a new rule with the same facts, salience and action, not bound to an engine instance."""
    new = type(rule)(*rule, salience=rule.salience)
    new._wrapped = rule._wrapped
    new._wrapped_args = rule._wrapped_args  # what Rule.__call__ reads from the same action
    return update_wrapper(new, rule._wrapped)


def rule_with_action(conditions: tuple, action, salience: int = 0) -> Rule:
    """``Rule(*conditions, salience=salience)(action)`` for an action taking ``**bindings``,
    without reading its signature with ``inspect`` (which, for such an action, only finds
    that every binding is passed: ``_wrapped_args`` stays empty)."""
    import inspect

    rule = Rule(*conditions, salience=salience)
    code = action.__code__
    if not code.co_flags & inspect.CO_VARKEYWORDS:
        return rule(action)  # experta reads which names the action takes
    rule._wrapped = action
    return update_wrapper(rule, action)


def prepare_ruleset(engine) -> set:
    """``ReteMatcher.prepare_ruleset``: the same set of prepared rules, plain ones built directly."""
    return {prepared(rule) if is_plain_conjunction(rule) else prepare_rule(rule) for rule in engine.get_rules()}


def build_beta_part(ruleset, alpha_terminals) -> None:
    """``ReteMatcher.build_beta_part``: plain conjunctions wired here, any other rule by experta.

    For facts ``f1 … fn`` experta's ``wire_rule`` joins the alpha terminals left to right
    (``f1`` and ``f2`` into a match node, that node and ``f3`` into the next …) and hangs the
    rule's conflict-set node on the last one; this is the same wiring in the same order.
    """
    for rule in ruleset:
        if not is_plain_conjunction(rule):
            ReteMatcher.build_beta_part([rule], alpha_terminals)
            continue
        last = alpha_terminals[rule[0]]
        for fact in rule[1:]:
            join = OrdinaryMatchNode(SameContextCheck())
            last.add_child(join, join.activate_left)
            right = alpha_terminals[fact]
            right.add_child(join, join.activate_right)
            last = join
        conflict_set = ConflictSetNode(rule)
        last.add_child(conflict_set, conflict_set.activate)


class DirtyTrackingMatcher(ReteMatcher):
    """A Rete matcher that polls only the conflict-set nodes a change reached."""

    prepare_ruleset = staticmethod(prepare_ruleset)
    build_beta_part = staticmethod(build_beta_part)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._dirty: dict[int, object] = {}  # insertion-ordered: firing order stays stable
        for node in self._get_conflict_set_nodes():
            node._activate = self._tracked(node, node._activate)
        index_children(self.root_node)

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
        """``ReteMatcher.reset``: wipe every node's memory. experta walks the whole network for
        it (nodes with two parents twice); only nodes that have a memory need the call."""
        nodes = self.__dict__.get("_with_memory")
        if nodes is None:
            nodes = self._with_memory = _nodes_with_memory(self.root_node)
        for node in nodes:
            node._reset()
        self._dirty.clear()


def _nodes_with_memory(root) -> list:
    """Every node under ``root`` once, leaving out those whose ``_reset`` does nothing."""
    out, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node)._reset is not NoMemory._reset:
            out.append(node)
        stack.extend(child.node for child in node.children)
    return out
