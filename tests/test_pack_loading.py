"""Only the packs an account needs are parsed; the visit playbooks wait until a plan reads them."""

from __future__ import annotations

from pathlib import Path

from rolefinder import knowledge as kb


def test_identification_parses_core_and_the_industry_pack_only(monkeypatch) -> None:
    parsed: list[str] = []
    real_parse, real_load = kb.parse_yaml, kb.load_yaml
    monkeypatch.setattr(kb, "parse_yaml", lambda text, path=None: (parsed.append(Path(path or "-").stem),
                                                                    real_parse(text, path))[1])
    monkeypatch.setattr(kb, "load_yaml", lambda path: (parsed.append(Path(path).stem), real_load(path))[1])
    fresh = kb._load_cached.__wrapped__("manufacturing", (), False)  # not the cached one
    assert [p for p in parsed if p != "-"] == ["core", "manufacturing"]
    assert [p.name for p in fresh.packs] == [p.name for p in kb.load_knowledge("manufacturing").packs]
    assert "playbooks" in [p.name for p in fresh.packs]

    playbooks = fresh.sections.get("playbooks", [])  # a plan reads them: parsed now, once
    assert parsed[-1] == "playbooks" and [entry[0] for entry in playbooks] == ["playbooks"]
    everything = kb.load_knowledge("manufacturing").sections
    assert {key: [(e[0], e[1]) for e in entries] for key, entries in fresh.sections.items()} == \
        {key: [(e[0], e[1]) for e in entries] for key, entries in everything.items()}


def test_a_header_that_is_not_plain_is_read_by_parsing_the_pack() -> None:
    assert kb._pack_header("pack: p\nindustries:\n  - a\nrules: []\n") is None
    assert kb._pack_header('"pack": p\n') is None
    assert kb._pack_header("---\npack: p\n") is None
    header = kb._pack_header("# notes\npack: p  # comment\nalways: true\nplaybooks:\n  x: 1\n")
    assert dict(header) == {"pack": "p", "always": True} and list(header.key_lines) == ["pack", "always",
                                                                                          "playbooks"]
