"""YAML built from parser events: the same values and lines as PyYAML's node loader, linear,
and hostile files (alias and merge-key bombs, runaway nesting) refused at once."""

from __future__ import annotations

import datetime
import time

import pytest
import yaml

from rolefinder import yamlstream
from rolefinder.errors import InputError
from rolefinder.yamlsource import LineLoader, YamlList, YamlMap, parse_yaml
from rolefinder.yamlstream import compose

DOCUMENTS = {
    "account": """\
        # a comment
        account: {name: Acme, industry: manufacturing, revenue: 1_200_000}
        contacts:
          - id: gm
            name: "Grace"
            title: 'General Manager'
            answers: {final_say: yes, approves_budget: no, uses_daily: ~}
          - {id: pm, name: P, reports_to: gm}
          - id: op
            notes: |
              two lines
              of notes
        """,
    "scalars": "a: [1, 0x1f, 0o17, 1.5, .inf, -.inf, null, ~, true, False, yes, off, 2026-11-23, "
               "2026-11-23 10:00:00, '007', \"x\\ty\", ! 12, !!str 5, !!int '7', !!float 3]\n",
    "anchors": "base: &b {x: 1, y: [1, 2]}\nuse: *b\nscalar: &s hi\nagain: *s\n",
    "merge-map": "base: &b {x: 1, y: 2}\nchild:\n  y: 20\n  <<: *b\n  z: 3\n",
    "merge-list": "a: &a {x: 1, k: a}\nb: &b {y: 2, k: b}\nc:\n  <<: [*a, *b]\n  z: 3\n",
    "merge-inline": "c: {<<: {x: 1}, <<: {x: 2, y: 3}, z: 1}\n",
    "nested-merge": "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n",
    "value-key": "a: {=: 1, b: 2}\n",
    "complex-key": "? a\n: 1\n'b': 2\n",
    "top-list": "- 1\n- [a, b]\n- {c: d}\n",
    "top-scalar": "just text\n",
    "explicit-doc": "--- \na: 1\n...\n",
}


def _same(fast, slow) -> None:
    assert type(fast) is type(slow)
    if isinstance(fast, dict):
        assert list(fast.items()) == list(slow.items())
        assert (fast.line, fast.key_lines) == (slow.line, slow.key_lines)
        for key in fast:
            _same(fast[key], slow[key])
    elif isinstance(fast, list):
        assert (fast.line, fast.item_lines) == (slow.line, slow.item_lines)
        for a, b in zip(fast, slow, strict=True):
            _same(a, b)
    else:
        assert fast == slow or (fast != fast and slow != slow)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_same_values_and_lines_as_the_node_loader(name: str) -> None:
    import textwrap

    text = textwrap.dedent(DOCUMENTS[name])
    _same(compose(text), yaml.load(text, Loader=LineLoader))


def test_aliases_share_the_anchored_object_and_merges_keep_pyyaml_order() -> None:
    data = compose("base: &b {x: 1}\nuse: *b\nlist:\n  - *b\n  - *b\n")
    assert data["use"] is data["base"] and data["list"][0] is data["base"]
    assert data["list"].item_lines == [4, 5]  # where the alias is written, not the anchor
    child = compose(DOCUMENTS["merge-map"])["child"]
    assert list(child.items()) == [("x", 1), ("y", 20), ("z", 3)]
    assert compose(DOCUMENTS["merge-list"])["c"]["k"] == "a"  # the first mapping listed wins


def test_repeated_scalars_are_one_object() -> None:
    data = compose("a: [yes_please, yes_please, 'q', 'q']\n")["a"]
    assert data[0] is data[1] and data[2] is data[3]


def test_empty_documents_and_types() -> None:
    assert compose("") is None and compose("# only a comment\n") is None
    assert isinstance(compose("a: 1\n"), YamlMap) and isinstance(compose("- 1\n"), YamlList)
    assert compose("d: 2026-11-23\n")["d"] == datetime.date(2026, 11, 23)


def test_tags_it_does_not_build_go_to_the_node_loader() -> None:
    assert parse_yaml("s: !!set {a, b}\n")["s"] == {"a", "b"}
    assert parse_yaml("o: !!binary aGk=\n")["o"] == b"hi"
    with pytest.raises(InputError, match="could not determine a constructor"):
        parse_yaml("x: !!python/object:os.system {}\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "t.yaml:2: not valid YAML: the key 'a' is written twice (first on line 1)"),
        ("? [a]\n: 1\n", "t.yaml:1: not valid YAML: found an unhashable key"),
        ("a: *nowhere\n", "t.yaml:1: not valid YAML: found undefined alias 'nowhere'"),
        ("a: &x [1, *x]\n", "t.yaml:1: not valid YAML: the alias *x is inside the collection it names"),
        ("a: {<<: 5}\n", "t.yaml:1: not valid YAML: expected a mapping or list of mappings for merging"),
        ("a: 1\n---\nb: 2\n", "t.yaml:2: not valid YAML: but found another document"),
        ("a: [1, 2\n", "t.yaml:2: not valid YAML:"),
    ],
    ids=["duplicate", "unhashable", "undefined-alias", "recursive-alias", "bad-merge", "two-documents",
         "syntax"],
)
def test_bad_yaml_is_one_line_with_its_line(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "t.yaml")
    assert caught.value.render("en").startswith(expected)


def _block_nesting(depth: int) -> str:
    return "".join("  " * level + f"k{level}:\n" for level in range(depth)) + "  " * depth + "x: 1\n"


def test_runaway_block_nesting_is_refused_with_its_line() -> None:
    parse_yaml(_block_nesting(yamlstream.MAX_DEPTH - 1))
    with pytest.raises(InputError) as caught:
        parse_yaml(_block_nesting(yamlstream.MAX_DEPTH + 5), "t.yaml")
    assert caught.value.render("en") == f"t.yaml:{yamlstream.MAX_DEPTH + 1}: not valid YAML: nested too deeply"


def test_the_guard_counts_what_aliases_add_not_what_the_file_holds(monkeypatch) -> None:
    monkeypatch.setattr(yamlstream, "MAX_ADDED", 50)
    plain = "contacts:\n" + "".join(f"  - {{id: c{i}, name: N, answers: {{a: yes, b: no}}}}\n" for i in range(500))
    assert len(parse_yaml(plain)["contacts"]) == 500  # 2,500 values, no alias: loads
    aliases = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [" + ", ".join(["*a"] * 6) + "]\n"  # adds 60
    with pytest.raises(InputError, match="values once aliases are expanded"):
        parse_yaml(aliases)


@pytest.mark.parametrize("kind", ["aliases", "merge-keys"])
def test_bombs_are_refused_fast(kind: str) -> None:
    if kind == "aliases":
        lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 30)]
    else:  # every level merges the one before twice over, through aliases
        lines = ["m0: &m0 {" + ", ".join(f"k{i}: {i}" for i in range(200)) + "}"]
        lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], own{i}: *m{i - 1}}}" for i in range(1, 40)]
    start = time.perf_counter()
    with pytest.raises(InputError, match="values once aliases are expanded"):
        parse_yaml("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2  # far from it: the count stops at the limit
