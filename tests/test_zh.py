"""Chinese all the way: with ``--lang zh`` no English word reaches the reader.

Every command runs in Chinese on a built-in case; what it prints may hold ASCII words only when
they are ids (contacts, roles, questions, rules, packs, cases, industries), what the user wrote
(names, titles, notes, the offering) or a short allow-list (the program's name, formula letters).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rolefinder.casebook import case_names, case_path, load_case
from rolefinder.cli import cli

CASE = "mes-manufacturing"
ALLOWED = {"rolefinder", "MYCIN", "B2B", "MES", "CT", "IT", "min", "cf", "csv", "json", "yaml", "txt", "md",
           "html", "pdf", "svg", "quiz", "cases", "show", "identify", "explain", "interview", "plan", "visit", "map",
           "rules", "test", "check", "demo", "export", "report", "out", "format", "no", "input", "lang",
           "zh", "en", "contact", "answer", "force", "key",
           "crm"}  # command lines quoted as hints; crm: the mapping pack and the acronym
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+)*")


def _allowed_words(tmp_path: Path) -> set[str]:
    words = set(ALLOWED)
    for name in case_names():
        account = load_case(name)
        knowledge = account.knowledge
        words |= set(case_names())
        words |= set(knowledge.roles) | set(knowledge.questions) | {r.id for r in knowledge.rules}
        words |= {p.name for p in knowledge.packs} | {i for p in knowledge.packs for i in p.industries}
        words |= {t["id"] for s in knowledge.sections.get("tests", []) for t in s[2]}
        user_text = [account.name, account.offering or "", account.industry or ""]
        for c in account.contacts:
            user_text += [c.id, c.name, c.title, c.department, c.notes or ""]
        words |= {w for text in user_text for w in WORD.findall(text)}
    from rolefinder.knowledge import load_knowledge
    from rolefinder.resources import data_dir

    every = load_knowledge(all_industries=True)  # `rules check` lists every pack's industries
    words |= {i for p in every.packs for i in p.industries for i in WORD.findall(i)}
    words |= {r.id for r in every.account_rules} | {p.name for p in every.packs}
    words |= {t["id"] for s in every.sections.get("tests", []) for t in s[2]}

    words |= {w for w in WORD.findall(f"{tmp_path} {data_dir('rules')}")} | {"nobody"}
    return words


def _leaks(text: str, allowed: set[str]) -> set[str]:
    found = set()
    for word in WORD.findall(text):
        parts = {word, *re.split(r"[._-]", word)}
        if word in allowed or len(word) == 1 or word.lower() in allowed:
            continue
        if re.search(r"\.(yaml|yml|html|csv|txt|md|svg|pdf)$", word):  # a file name the user gave
            continue
        compound = any(sep in word for sep in "._-")
        if re.fullmatch(r"[A-Za-z]\d*", word) or (
                compound and all(p in allowed or len(p) <= 1 for p in parts - {word})):
            continue
        found.add(word)
    return found


@pytest.fixture
def exported(runner, tmp_path: Path) -> Path:
    path = tmp_path / "mes.yaml"
    assert runner.invoke(cli, ["cases", "export", CASE, "-o", str(path), "--lang", "zh"]).exit_code == 0
    return path


def _commands(path: Path, tmp_path: Path) -> list[tuple[list[str], str]]:
    key = load_case(CASE).case["key"]
    from rolefinder.casebook import org_chart

    order = [c.id for _, c in org_chart(load_case(CASE).contacts)]
    perfect = "".join(",".join(key.get(cid) or []) + "\n" for cid in order)
    results = tmp_path / "class.csv"
    out = [
        (["identify", str(path)], ""),
        (["identify", str(path), "--trace"], ""),
        (["explain", str(path), "coo"], ""),
        (["explain", str(path), "pm"], ""),
        (["visit", str(path), "coo"], ""),
        (["plan", str(path), "-o", str(tmp_path / "plan.txt"), "--start", "2026-12-01", "--author", "张三"], ""),
        (["plan", str(path), "-o", str(tmp_path / "plan.md"), "--start", "2026-12-01", "--author", "张三"], ""),
        (["map", str(path), "-o", "-"], ""),
        (["cases"], ""),
        (["cases", "show", CASE, "--key"], ""),
        (["quiz", CASE, "--out", str(results), "--name", "张三"], "1\n" * 9),
        (["quiz", CASE, "--level", "chart"], perfect),
        (["quiz", "report", str(results)], ""),
        (["rules", "check"], ""),
        (["rules", "test"], ""),
        (["interview", str(path), "--no-input"], ""),
        (["interview", str(path), "--contact", "coo", "--no-input"], ""),
        (["demo", "--out", str(tmp_path / "demo")], ""),
        (["identify", str(tmp_path / "missing.yaml")], ""),
        (["explain", str(path), "nobody"], ""),  # "nobody" is what the user typed
    ]
    return out


def test_every_command_speaks_chinese(runner, exported: Path, tmp_path: Path) -> None:
    allowed = _allowed_words(tmp_path)
    problems = {}
    for args, given in _commands(exported, tmp_path):
        result = runner.invoke(cli, [*args, "--lang", "zh"], input=given, env={"COLUMNS": "100"})
        text = result.output + (result.stderr if result.stderr_bytes is not None else "")
        if args[0] == "map":  # the words on the picture, not the SVG markup
            import xml.etree.ElementTree as ET

            text = " ".join(el.text or "" for el in ET.fromstring(result.output).iter()
                            if el.tag.endswith("}text"))
        if args[0] == "plan":  # the plan itself, with Markdown's escapes and markup taken out
            written = Path(args[3]).read_text(encoding="utf-8")
            text += re.sub(r"<br>|^`{3,}text$", " ", written.replace("\\", ""), flags=re.M)
        leaks = _leaks(text, allowed)
        if leaks:
            problems[" ".join(args[:2])] = sorted(leaks)
    assert problems == {}


def test_the_check_finds_english(tmp_path: Path) -> None:
    allowed = _allowed_words(tmp_path)
    assert _leaks("影响力: high · 态度: neutral", allowed) == {"high", "neutral"}
    assert _leaks("core.answer.final_say.yes → 决策者 coo", allowed) == set()
    assert case_path(CASE).exists()
