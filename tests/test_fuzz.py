"""Property-based fuzzing: no input, however broken, gets anything but a clean error.

Random YAML documents, mutations of a valid account file and of a valid rule pack, and
random option values on the command line. The only outcomes allowed are a result or a
:class:`~rolefinder.errors.RolefinderError` (the CLI: exit 0, 1, 2 or 3 and no traceback).

Profiles (``ROLEFINDER_FUZZ``): ``ci`` (default, about 30 s on a busy 2-core machine) and
``release`` (50 times the examples, no time limit: run it before a release with
``ROLEFINDER_FUZZ=release pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rolefinder.account import parse_account_text
from rolefinder.cli import cli
from rolefinder.errors import RolefinderError
from rolefinder.identification import identify
from rolefinder.report import render_identification
from rolefinder.yamlsource import parse_yaml

settings.register_profile("ci", max_examples=60, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("release", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("ROLEFINDER_FUZZ", "ci"))
SCALE = {"ci": 1, "release": 50}.get(os.environ.get("ROLEFINDER_FUZZ", "ci"), 1)

ACCOUNT = """\
# comment
account:
  name: 测试机械有限公司
  industry: manufacturing
  offering: MES 生产执行系统
  revenue: 1200000
  potential: high
case:
  id: t
  title: {zh: 案例, en: Case}
  key: {gm: [decision_maker], pm: [buyer]}
contacts:
  - id: gm
    name: 张伟
    title: 总经理
    department: 总经理办公室
    influence: high
    attitude: neutral
    answers: {final_say: yes, approves_budget: unsure}
    notes: 每周一上午开经营会
  - id: pm
    name: 李娜
    title: 采购经理
    department: 采购部
    reports_to: gm
    answers:
      runs_procurement: yes
      controls_access: no
"""
PACK = """\
pack: fuzzed
title: {zh: 模糊, en: Fuzzed}
industries: [manufacturing]
questions:
  attends_steering:
    text: {zh: 参加指导委员会吗?, en: Do they sit on the steering committee?}
facts:
  function: [maintenance]
rules:
  - id: fz.steering.yes
    reason: {zh: 指导委员会, en: Steering committee}
    when:
      answers: {attends_steering: yes}
      title: {keywords: [经理, manager], unless: [助理]}
    then: {role: decision_maker, cf: 0.4}
  - id: fz.maintenance
    reason: {zh: 维修, en: Maintenance}
    when:
      department: {regex: '维修|maint'}
      manager: {role: decision_maker, status: probable}
    then:
      - {fact: {function: maintenance}, cf: 0.9}
      - {role: user, cf: 0.6}
tests:
  - id: fz.t1
    contact: {title: 维修经理, answers: {attends_steering: yes}}
    includes: [decision_maker]
"""
# pieces that reach odd corners of YAML and of the validators
TOKENS = ["!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!set ", "!!binary ", "!!seq ", "!!map ",
          "&a ", "*a", "<<: ", "<<: *a", "[", "]", "{", "}", ": ", "- ", "\n", "\n  ", "\t", "#", "'", '"',
          "yes", "no", "~", "null", "1e400", "0x1F", "-1", "2024-01-01", "\x00", "\x1b[2J", "\u202e",
          "\ufeff", "%YAML 1.1\n", "---\n", "...\n", "|\n", ">-\n", "?", ",", "@", "`", "\\", "9" * 30]


def mutations(text: str):
    """A valid text with random edits: cut, insert, repeat or swap pieces."""
    edit = st.one_of(
        st.tuples(st.just("cut"), st.integers(0, len(text)), st.integers(0, 40)),
        st.tuples(st.just("insert"), st.integers(0, len(text)), st.sampled_from(TOKENS) | st.text(max_size=8)),
        st.tuples(st.just("repeat"), st.integers(0, len(text)), st.integers(1, 60)),
        st.tuples(st.just("swap"), st.integers(0, 60), st.integers(0, 60)),
    )
    return st.lists(edit, min_size=1, max_size=6).map(lambda edits: _apply(text, edits))


def _apply(text: str, edits: list[tuple]) -> str:
    for kind, a, b in edits:
        if kind == "cut":
            text = text[:a] + text[a + b:]
        elif kind == "insert":
            text = text[:a] + b + text[a:]
        elif kind == "repeat":
            text = text[:a] + text[a:a + b] * 2 + text[a + b:]
        else:
            lines = text.split("\n")
            if lines:
                i, j = a % len(lines), b % len(lines)
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150 * SCALE)
@given(st.text(max_size=300) | st.lists(st.sampled_from(TOKENS) | st.text(max_size=5), max_size=40).map("".join))
def test_random_text_is_yaml_or_a_clean_error(text: str) -> None:
    with contextlib.suppress(RolefinderError):
        parse_account_text(text, "fuzz.yaml")


@settings(max_examples=100 * SCALE)
@given(st.dictionaries(st.sampled_from(["account", "contacts", "case", "other"]), yaml_values, max_size=4))
def test_random_documents_are_validated_cleanly(document: dict) -> None:
    import yaml

    text = yaml.safe_dump(document, allow_unicode=True)
    with contextlib.suppress(RolefinderError):
        parse_account_text(text, "fuzz.yaml")


@settings(max_examples=100 * SCALE)
@given(mutations(ACCOUNT))
def test_mutated_accounts_load_identify_and_print_or_fail_cleanly(text: str) -> None:
    try:
        account = parse_account_text(text, "fuzz.yaml")
    except RolefinderError:
        return
    result = identify(account)
    render_identification(result, "en")
    result.to_dict()


@pytest.fixture(scope="module")
def shipped_packs():
    from rolefinder.knowledge import builtin_pack_paths
    from rolefinder.yamlsource import load_yaml

    return [(path, load_yaml(path)) for path in builtin_pack_paths() if path.name == "core.yaml"]


@settings(max_examples=40 * SCALE)
@given(mutations(PACK))
def test_mutated_packs_are_validated_cleanly(shipped_packs, text: str) -> None:
    from rolefinder.knowledge import build_knowledge

    try:
        data = parse_yaml(text, "fuzzed.yaml")
        build_knowledge([*shipped_packs, (Path("fuzzed.yaml"), data)])
    except RolefinderError:
        pass


OPTIONS = st.one_of(
    st.tuples(st.just("plan"), st.just("--start"), st.text(max_size=12) | st.dates().map(str)),
    st.tuples(st.just("interview"), st.just("--answer"), st.text(max_size=20)),
    st.tuples(st.just("interview"), st.just("--contact"), st.text(max_size=10)),
    st.tuples(st.just("identify"), st.just("--indent"), st.text(max_size=4)),
    st.tuples(st.just("visit"), st.just("contact"), st.text(max_size=10)),
    st.tuples(st.just("explain"), st.just("contact"), st.text(max_size=10)),
)


@settings(max_examples=40 * SCALE)
@given(OPTIONS)
def test_random_option_values_get_clean_exits(tmp_path_factory, option: tuple[str, str, str]) -> None:
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "a.yaml"
    path.write_text(ACCOUNT, encoding="utf-8")
    command, name, value = option
    if command == "plan":
        args = ["plan", str(path), "-o", str(folder / "p.txt"), name, value]
    elif command == "interview":
        args = ["interview", str(path), "--contact", "gm", "--no-input", name, value]
    elif name == "contact":
        args = [command, str(path), value]
    else:
        args = [command, str(path), name, value]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1, 2, 3), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
