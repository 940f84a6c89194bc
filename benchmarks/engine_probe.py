"""Inside the engine: Rete node activations, rule firings and CPU time per contact.

Run: python benchmarks/engine_probe.py [--size 1000] [--answered 0.5]

Identifies one generated account (``generate.make_account``) in this process, once plainly for
the CPU time and once with counters on experta's node entry points and on the rule actions:
node activations per contact (by node kind), firings per contact (by kind: role, fact,
look-ahead) and derived facts declared. The counters cost time, so the CPU figure comes from
the uncounted run.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def counted(size: int, answered: float) -> tuple[collections.Counter, collections.Counter]:
    """Node activations by node class and firings by kind, for one identify of ``size`` contacts."""
    from generate import make_account

    from rolefinder import engine as engine_module
    from rolefinder.identification import identify
    from rolefinder.knowledge import load_knowledge

    nodes: collections.Counter = collections.Counter()
    firings: collections.Counter = collections.Counter()
    account = make_account(size, answered=answered)
    account.knowledge = load_knowledge(account.industry)
    role_engine = account.knowledge.engine()
    _count_nodes(role_engine._engine.matcher.root_node, nodes)
    record = engine_module.RoleEngine.record

    def counting_record(self, spec, contact, premise, lookahead):
        kind = "lookahead" if lookahead is not None else ("fact" if spec.derives_facts else "role")
        firings[kind] += 1
        return record(self, spec, contact, premise, lookahead)

    engine_module.RoleEngine.record = counting_record
    try:
        identify(account)
    finally:
        engine_module.RoleEngine.record = record
        _count_nodes(role_engine._engine.matcher.root_node, None)
    return nodes, firings


def _label(node) -> str:
    """A node's kind, and for an alpha test the field it tests and how."""
    check = getattr(node, "matcher", None)
    name = type(check).__name__ if check is not None else type(node).__name__
    what = getattr(check, "what", None)
    if isinstance(what, str):
        how = type(getattr(check, "how", None)).__name__
        field = re.sub(r"^(a|s)_.*", r"\1_*", what)  # answers, static groups: one line each
        return f"{name}({field},{how})"
    return name


def _count_nodes(root, counter) -> None:
    """Wrap (counter given) or unwrap (None) every child callback under ``root``."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for position, child in enumerate(node.children):
            callback = getattr(child.callback, "__wrapped__", child.callback)
            if counter is not None:
                callback = _counting(callback, _label(child.node), counter)
            node.children[position] = child._replace(callback=callback)
            stack.append(child.node)


def _counting(callback, label, counter):
    def counting(token):
        counter[label] += 1
        return callback(token)
    counting.__wrapped__ = callback
    return counting


def timed(size: int, answered: float, repeat: int) -> float:
    """The least CPU time of ``repeat`` identifies (the machine's noise only ever adds)."""
    from generate import make_account

    from rolefinder.identification import identify
    from rolefinder.knowledge import load_knowledge

    account = make_account(size, answered=answered)
    account.knowledge = load_knowledge(account.industry)
    account.knowledge.engine()
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        identify(account)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--answered", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the least counts)")
    args = parser.parse_args()
    cpu = timed(args.size, args.answered, args.repeat)
    nodes, firings = counted(args.size, args.answered)
    n = args.size
    print(f"{n} contacts, {args.answered:.0%} answered: identify {cpu:.2f} s CPU (least of {args.repeat}) "
          f"({cpu / n * 1e6:,.0f} µs/contact)")
    print(f"node activations per contact: {sum(nodes.values()) / n:.1f}")
    for label, count in nodes.most_common():
        print(f"  {count / n:7.2f}  {label}")
    print(f"firings per contact: {sum(firings.values()) / n:.2f}  "
          + ", ".join(f"{k} {v / n:.2f}" for k, v in firings.most_common()))


if __name__ == "__main__":
    main()
