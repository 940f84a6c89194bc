"""Building the Rete network without experta's rule rewriting gives experta's network.

:func:`rolefinder._experta.prepare_ruleset` skips the DNF rewriting for rules that are plain
conjunctions of facts, and :func:`rolefinder._experta.build_beta_part` wires them directly.
Here both are compared with experta's own preparation and wiring, on every shipped rule.
"""

from __future__ import annotations

from rolefinder import _experta  # before experta itself (see rolefinder/_experta.py)
from rolefinder.account import load_account
from rolefinder.identification import identify
from rolefinder.knowledge import load_knowledge


def _shipped_engine():
    knowledge = load_knowledge(all_industries=True)
    return knowledge.engine()._engine


def _by_name(rules) -> dict[str, list]:
    out: dict[str, list] = {}
    for rule in rules:
        out.setdefault(rule.__name__, []).append(rule)
    return out


def test_every_shipped_rule_takes_the_short_way() -> None:
    engine = _shipped_engine()
    rules = engine.get_rules()
    assert len(rules) > 50
    assert all(_experta.is_plain_conjunction(rule) for rule in rules)


def test_prepared_rules_equal_experta_s() -> None:
    engine = _shipped_engine()
    ours = _by_name(_experta.prepare_ruleset(engine))
    theirs = _by_name(ReteMatcher.prepare_ruleset(engine))
    assert ours.keys() == theirs.keys()
    for name, mine in ours.items():
        left = list(theirs[name])  # a rule and its look-ahead twins share a name
        for rule in mine:
            (their,) = [other for other in left if other == rule]  # same facts, action, salience
            left.remove(their)
            assert rule is not their
            assert vars(rule).keys() == vars(their).keys()
            assert rule._wrapped_args == their._wrapped_args
            assert rule.__name__ == their.__name__ == rule._wrapped.__name__
            assert rule._wrapped_self is None
        assert not left


ReteMatcher = _experta.ReteMatcher


def _mixed():
    """An engine with rules of every shape: only ``plain`` is a plain conjunction."""
    from experta import AND, NOT, Fact, KnowledgeEngine, Rule

    class Mixed(KnowledgeEngine):
        @Rule(Fact(a=1) | Fact(b=2))
        def either(self):
            pass

        @Rule(NOT(Fact(c=3)))
        def never(self):
            pass

        @Rule(AND(Fact(d=4), Fact(e=5)))
        def nested(self):
            pass

        @Rule(Fact(f=1), Fact(g=2))
        def plain(self):
            pass

        @Rule()
        def empty(self):
            pass

    return Mixed()


def test_other_rules_are_left_to_experta() -> None:
    from experta import OR

    engine = _mixed()
    kinds = {rule.__name__: _experta.is_plain_conjunction(rule) for rule in engine.get_rules()}
    assert kinds == {"either": False, "never": False, "nested": False, "plain": True, "empty": False}
    ours = {rule.__name__: rule for rule in _experta.prepare_ruleset(engine)}
    theirs = {rule.__name__: rule for rule in ReteMatcher.prepare_ruleset(engine)}
    assert ours == theirs
    assert isinstance(ours["either"][0], OR)


def _shape(root) -> list[tuple]:
    """The network as a list of (depth, node type, callback, rule) in a depth-first walk."""
    out, stack = [], [(0, root, "root")]
    while stack:
        depth, node, via = stack.pop()
        rule = getattr(node, "rule", None)
        out.append((depth, type(node).__name__, via, rule.__name__ if rule is not None else None))
        for child in reversed(node.children):
            stack.append((depth + 1, child.node, child.callback.__name__))
    return out


def _network(beta, ruleset) -> list[tuple]:
    from experta.matchers.rete.nodes import BusNode

    root = BusNode()
    alpha = ReteMatcher.build_alpha_part(ruleset, root)
    beta(ruleset, alpha)
    return _shape(root)


def test_wiring_equals_experta_s() -> None:
    for engine in (_shipped_engine(), _mixed()):
        ruleset = ReteMatcher.prepare_ruleset(engine)
        assert _network(_experta.build_beta_part, ruleset) == _network(ReteMatcher.build_beta_part, ruleset)


def test_conclusions_equal_those_of_experta_s_build(monkeypatch) -> None:
    from test_accuracy import FILES

    account = load_account(FILES[0])
    expected = identify(account).to_dict()
    with monkeypatch.context() as patch:
        patch.setattr(_experta.DirtyTrackingMatcher, "prepare_ruleset", staticmethod(ReteMatcher.prepare_ruleset))
        patch.setattr(_experta.DirtyTrackingMatcher, "build_beta_part", staticmethod(ReteMatcher.build_beta_part))
        import dataclasses

        knowledge = dataclasses.replace(account.knowledge, _engine=None)
        assert identify(account, knowledge).to_dict() == expected


def test_a_rule_with_its_action_equals_experta_s_decoration() -> None:
    from experta import Fact, Rule

    def by_bindings(engine, **bindings):
        pass

    def by_names(engine, c):
        pass

    for action in (by_bindings, by_names):
        conditions = (Fact(a=1), Fact(b=2))
        ours = _experta.rule_with_action(conditions, action, salience=10)
        theirs = Rule(*conditions, salience=10)(action)
        assert ours == theirs
        assert vars(ours) == vars(theirs)
