"""The cache folder (rolefinder.cache): validated packs and the engine's findings per contact.

What is cached must never change a result: a changed pack is loaded and validated again, a
broken or foreign cache file is ignored, a folder that cannot be written only means nothing is
kept, and identification with reused findings equals identification from scratch.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path

import pytest
from test_accuracy import FILES

from rolefinder import cache
from rolefinder.account import load_account
from rolefinder.cli import cli
from rolefinder.errors import PackError
from rolefinder.identification import identify, reidentify
from rolefinder.interviewing import record_answer
from rolefinder.knowledge import _load_cached, load_knowledge
from rolefinder.memo import EngineMemo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import make_account

PACK = """\
pack: mine
title: {zh: 我的, en: Mine}
rules:
  - id: mine.fleet
    reason: {zh: 车队经理决定车辆采购, en: Fleet managers decide on vehicles}
    when: {title: {keywords: [fleet manager]}}
    then: {role: decision_maker, cf: 0.4}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("ROLEFINDER_CACHE_DIR", str(where))
    monkeypatch.delenv("ROLEFINDER_NO_CACHE", raising=False)
    return where


def _fresh_load(industry=None, rules=(), all_industries=False):
    """load_knowledge without the in-process memo: what a new process would get."""
    extra = tuple(str(Path(p).resolve()) for p in rules)
    return _load_cached.__wrapped__(industry, extra, all_industries)


def _summary(knowledge) -> dict:
    return {"packs": [(p.name, p.path, p.counts) for p in knowledge.packs], "rules": knowledge.rules,
            "account_rules": knowledge.account_rules, "roles": knowledge.roles, "questions": knowledge.questions,
            "thresholds": knowledge.thresholds, "titles": knowledge.titles, "offerings": knowledge.offerings,
            "implied": knowledge.implied, "sections": {k: len(v) for k, v in knowledge.sections.items()}}


def _files(where: Path, kind: str) -> list[Path]:
    return sorted(where.glob(f"{kind}-*.bin")) if where.is_dir() else []



# --------------------------------------------------------------------------- the folder's size


def _age(path: Path, seconds_ago: float) -> None:
    when = path.stat().st_mtime - seconds_ago
    os.utime(path, (when, when))


def test_the_least_recently_used_files_go_when_the_folder_is_full(folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(cache, "MAX_FILES", 3)
    for index in range(3):
        assert cache.store("contacts", f"s{index}", b"x" * cache.DIGEST, b"payload")
    for index, path in enumerate(sorted(_files(folder, "contacts"))):
        _age(path, 100 - index)  # s0 oldest
    stamp = b"x" * cache.DIGEST
    assert cache.load("contacts", "s0", stamp) == b"payload"  # read now: recently used again
    assert cache.store("contacts", "s3", stamp, b"payload")
    left = {path.stem.split("-", 1)[1] for path in _files(folder, "contacts")}
    assert left == {"s0", "s2", "s3"}  # s1 was the least recently used


def test_the_folder_keeps_under_its_byte_limit(folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(cache, "MAX_TOTAL", 2500)
    stamp = b"x" * cache.DIGEST
    for index in range(5):
        assert cache.store("contacts", f"s{index}", stamp, bytes(1000))
        _age(folder / f"contacts-s{index}.bin", 10 - index)
    assert sum(path.stat().st_size for path in _files(folder, "contacts")) <= 2500
    assert cache.load("contacts", "s4", stamp) == bytes(1000)  # the newest is kept


def test_a_dead_writers_temporary_file_goes_and_a_live_one_stays(folder: Path) -> None:
    stamp = b"x" * cache.DIGEST
    assert cache.store("packs", "a", stamp, b"1")
    dead, live = folder / ".packs-dead.tmp", folder / ".packs-live.tmp"
    dead.write_bytes(b"half")
    live.write_bytes(b"half")
    _age(dead, cache.STALE_TEMP + 60)
    assert cache.store("packs", "b", stamp, b"2")
    assert not dead.exists() and live.exists()

# --------------------------------------------------------------------------- packs


def test_packs_are_kept_and_read_back_equal(folder: Path, monkeypatch) -> None:
    first = _fresh_load("healthcare")
    (written,) = _files(folder, "packs")
    assert written.stat().st_mode & 0o077 == 0
    from rolefinder import knowledge as kn

    monkeypatch.setattr(kn, "_load", lambda *a: pytest.fail("parsed again despite the cache"))
    second = _fresh_load("healthcare")
    assert second is not first
    assert _summary(second) == _summary(first)
    assert second.stamp == first.stamp
    account = load_account(FILES[0])
    assert identify(account, second).to_dict() == identify(account, first).to_dict()


def test_a_changed_pack_is_loaded_and_validated_again(folder: Path, tmp_path: Path) -> None:
    mine = tmp_path / "packs"
    mine.mkdir()
    (mine / "mine.yaml").write_text(PACK, encoding="utf-8")
    before = _fresh_load(rules=[mine])
    assert "mine.fleet" in [r.id for r in before.rules]
    (mine / "mine.yaml").write_text(PACK.replace("mine.fleet", "mine.fleet_two"), encoding="utf-8")
    after = _fresh_load(rules=[mine])
    assert "mine.fleet_two" in [r.id for r in after.rules] and "mine.fleet" not in [r.id for r in after.rules]
    (mine / "mine.yaml").write_text(PACK.replace("cf: 0.4", "cf: 7"), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        _fresh_load(rules=[mine])
    assert "mine.yaml:7" in caught.value.render("en")


def test_rules_check_still_reports_file_and_line(folder: Path, tmp_path: Path, runner) -> None:
    mine = tmp_path / "packs"
    mine.mkdir()
    (mine / "mine.yaml").write_text(PACK, encoding="utf-8")
    assert runner.invoke(cli, ["rules", "check", str(mine)]).exit_code == 0
    (mine / "mine.yaml").write_text(PACK.replace("keywords:", "keyword:"), encoding="utf-8")
    _load_cached.cache_clear()  # as in a new process: only the cache folder remembers the old pack
    done = runner.invoke(cli, ["rules", "check", str(mine)])
    assert done.exit_code == 2
    assert "mine.yaml:6" in done.output


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "stamp"])
def test_a_broken_cache_file_is_ignored_and_replaced(folder: Path, damage: str) -> None:
    expected = _summary(_fresh_load("finance"))
    (path,) = _files(folder, "packs")
    data = path.read_bytes()
    broken = {"truncate": data[: len(data) // 2], "flip": data[:-10] + bytes(b ^ 0xFF for b in data[-10:]),
              "garbage": os.urandom(len(data)), "empty": b"",
              "stamp": data[: len(cache.MAGIC)] + bytes(32) + data[len(cache.MAGIC) + 32:]}[damage]
    path.write_bytes(broken)
    assert _summary(_fresh_load("finance")) == expected
    assert path.read_bytes() == data  # written again in full


def test_a_cache_file_that_would_run_code_is_refused(folder: Path, tmp_path: Path) -> None:
    _fresh_load("software")
    (path,) = _files(folder, "packs")
    data = path.read_bytes()
    head = data[: len(cache.MAGIC) + 32]
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    payload = pickle.dumps(Evil())
    path.write_bytes(head + cache.blake2b(payload, digest_size=32).digest() + payload)
    knowledge = _fresh_load("software")
    assert not marker.exists()
    assert knowledge.rules
    with pytest.raises(pickle.UnpicklingError):
        cache.loads(payload)


def test_a_file_others_may_write_is_ignored(folder: Path, monkeypatch) -> None:
    _fresh_load("retail")
    (path,) = _files(folder, "packs")
    path.chmod(0o666)
    from rolefinder import knowledge as kn

    calls = []
    real = kn._load
    monkeypatch.setattr(kn, "_load", lambda *a: calls.append(1) or real(*a))
    _fresh_load("retail")
    assert calls == [1]


def test_a_read_only_cache_folder_only_means_nothing_is_kept(folder: Path, monkeypatch) -> None:
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root writes whatever the mode: refuse the write instead
            def refuse(*args, **kwargs):
                raise PermissionError(13, "Read-only file system")

            monkeypatch.setattr(cache, "_new_temp", refuse)
        knowledge = _fresh_load("energy")
        assert knowledge.rules and _files(folder, "packs") == []
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_cache_folder_that_is_a_file_only_means_nothing_is_kept(folder: Path) -> None:
    folder.write_text("not a folder")
    assert _fresh_load("telecom").rules
    assert cache.store("packs", "x", bytes(32), b"data") is False


def test_the_cache_can_be_turned_off(folder: Path, monkeypatch) -> None:
    monkeypatch.setenv("ROLEFINDER_NO_CACHE", "1")
    assert cache.directory() is None
    assert _fresh_load("logistics").rules
    assert not folder.exists()


def test_where_the_cache_lives(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ROLEFINDER_CACHE_DIR", raising=False)
    monkeypatch.delenv("ROLEFINDER_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "rolefinder"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.directory() == Path(os.environ["HOME"]) / ".cache" / "rolefinder"


# --------------------------------------------------------------------------- engine findings


def _generated(size: int, seed: int):
    account = make_account(size, seed=seed, answered=0.4)
    account.knowledge = load_knowledge(account.industry)
    return account


def _dict(result) -> dict:
    return json.loads(json.dumps(result.to_dict(), ensure_ascii=False))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_reused_findings_give_the_same_identification(path: Path) -> None:
    account = load_account(path)
    memo = EngineMemo(account.knowledge)
    first = identify(account, memo=memo)  # every contact run (nothing to reuse yet)
    assert memo.ran == len(account.contacts) and memo.reused == 0
    again = identify(account, memo=memo)  # every contact reused, the engine not run
    assert memo.ran == len(account.contacts) and memo.reused == len(account.contacts)
    assert _dict(again) == _dict(first)


def test_with_a_memo_equals_without_on_a_generated_account() -> None:
    account = _generated(120, seed=3)
    plain = _dict(identify(account))
    memo = EngineMemo(account.knowledge)
    assert _dict(identify(account, memo=memo)) == plain
    assert memo.ran == 120
    assert _dict(identify(account, memo=memo)) == plain
    assert memo.ran == 120 and memo.reused == 120


def test_an_answer_runs_the_engine_for_what_it_changed() -> None:
    """A manager's answer that moves a status re-runs them and those below them; the result is
    that of identifying the changed account from scratch."""
    account = _generated(150, seed=5)
    memo = EngineMemo(account.knowledge)
    result = identify(account, memo=memo)
    head = next(c for c in account.contacts if c.reports_to is None)
    leaf = next(c for c in reversed(account.contacts) if not any(o.reports_to == c.id for o in account.contacts))
    for contact, question, answer in ((leaf, "runs_procurement", "yes"), (head, "final_say", "no"),
                                      (head, "final_say", "yes"), (leaf, "uses_daily", "unsure")):
        ran = memo.ran
        record_answer(account, contact.id, question, answer)
        result = reidentify(result, contact.id)
        assert _dict(result) == _dict(identify(account))
        assert memo.ran - ran <= len(account.contacts) // 2
        if contact is leaf:
            assert memo.ran - ran <= 1
    fresh = EngineMemo(account.knowledge)
    identify(account, memo=fresh)
    assert fresh.ran == len(account.contacts)


def test_findings_are_kept_per_file_and_stale_ones_dropped(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(FILES[0].read_text(encoding="utf-8"), encoding="utf-8")
    account = load_account(path)
    memo = EngineMemo.for_file(path, account.knowledge)
    expected = _dict(identify(account, memo=memo))
    assert memo.save() and len(_files(folder, "contacts")) == 1
    again = EngineMemo.for_file(path, account.knowledge)
    assert len(again.entries) == len(memo.entries)
    assert _dict(identify(account, memo=again)) == expected and again.ran == 0
    other = load_knowledge("finance" if account.industry != "finance" else "retail")
    assert other.stamp and other.stamp != account.knowledge.stamp
    assert EngineMemo.for_file(path, other).entries == {}  # other packs: nothing reused
    (written,) = _files(folder, "contacts")
    written.write_bytes(written.read_bytes()[:-7])
    assert EngineMemo.for_file(path, account.knowledge).entries == {}


def _interview(runner, path: Path, contact: str, answer: str) -> dict:
    done = runner.invoke(cli, ["interview", str(path), "--contact", contact, "--answer", answer, "--format", "json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_interview_answers_print_the_same_with_and_without_the_cache(folder: Path, tmp_path: Path, runner,
                                                                     monkeypatch) -> None:
    source = FILES[3].read_text(encoding="utf-8")
    cached, plain = tmp_path / "cached.yaml", tmp_path / "plain.yaml"
    cached.write_text(source, encoding="utf-8")
    plain.write_text(source, encoding="utf-8")
    contacts = load_account(cached).contacts
    steps = [(contacts[0].id, "final_say=unsure"), (contacts[-1].id, "uses_daily=no"),
             (contacts[1].id, "approves_budget=yes"), (contacts[0].id, "final_say=yes")]
    for contact, answer in steps:
        monkeypatch.delenv("ROLEFINDER_NO_CACHE", raising=False)
        mine = _interview(runner, cached, contact, answer)
        monkeypatch.setenv("ROLEFINDER_NO_CACHE", "1")
        assert _interview(runner, plain, contact, answer) == mine
    assert cached.read_text(encoding="utf-8") == plain.read_text(encoding="utf-8")
    assert len(_files(folder, "contacts")) == 1
