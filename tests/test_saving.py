"""Saving an account while others write it too: change logs merged under a lock, conflicts
asked or refused, never a write through a swapped link, signals held during the replace.

Concurrency is tested with real processes (``fork``, so each trial costs milliseconds rather
than an interpreter start): two writers at once, many times over.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from rolefinder.account import load_account
from rolefinder.cli import cli
from rolefinder.errors import InputError
from rolefinder.interviewing import Interview
from rolefinder.storage import AccountFile, ConflictError, SetAnswer, compact, deferred_signals, scan

ACCOUNT = """\
# kept: a comment at the top
account:
  name: 测试机械有限公司   # the customer
  industry: manufacturing
contacts:
  - id: gm
    name: 张伟
    title: 总经理
    notes: 每周一上午开经营会
  # the purchasing side
  - id: buyer
    name: 李娜
    title: 采购经理
    reports_to: gm
    answers:
      runs_procurement: yes   # said so at the first visit
  - id: it
    name: 王强
    title: 信息中心主任
    reports_to: gm
"""
TRIALS = int(os.environ.get("ROLEFINDER_WRITER_TRIALS", "20"))  # 50 before a release


@pytest.fixture
def path(tmp_path: Path) -> Path:
    target = tmp_path / "acct.yaml"
    target.write_text(ACCOUNT, encoding="utf-8")
    return target


def session_for(path: Path, contact: str) -> Interview:
    session = Interview(load_account(path), AccountFile(path))
    session.select(contact)
    return session


def test_the_scan_finds_every_contact_block(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    layout = scan(text)
    assert layout is not None and layout.order == ["gm", "buyer", "it"]
    start, end = layout.blocks["buyer"]
    assert text[start:end].startswith("  - id: buyer\n") and text[start:end].endswith("# said so at the first visit\n")


def test_an_undone_answer_leaves_no_change() -> None:
    ops = [SetAnswer("gm", "final_say", None, "yes"), SetAnswer("gm", "final_say", "yes", None)]
    assert compact(ops) == []


def test_two_sessions_keep_each_others_answers(path: Path) -> None:
    first, second = session_for(path, "gm"), session_for(path, "it")
    first.answer("yes", question="final_say")
    second.answer("yes", question="uses_daily")
    first.answer("no", question="uses_daily")
    answers = {c.id: c.answers for c in load_account(path).contacts}
    assert answers["gm"] == {"final_say": "yes", "uses_daily": "no"}
    assert answers["it"] == {"uses_daily": "yes"}
    assert "# kept: a comment at the top" in path.read_text(encoding="utf-8")


def test_editor_edits_of_the_same_contact_survive(path: Path) -> None:
    session = session_for(path, "buyer")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: 采购经理", "title: 采购总监").replace(
        "runs_procurement: yes", "runs_procurement: yes\n      signs_contract: yes"), encoding="utf-8")
    session.answer("no", question="final_say")
    buyer = load_account(path).contact("buyer")
    assert buyer.title == "采购总监"
    assert buyer.answers == {"runs_procurement": "yes", "signs_contract": "yes", "final_say": "no"}
    assert session.account.contact("buyer").answers == buyer.answers  # the session took the file's view


def test_a_true_conflict_is_refused_and_nothing_written(path: Path) -> None:
    session = session_for(path, "buyer")
    text = path.read_text(encoding="utf-8").replace("runs_procurement: yes", "runs_procurement: unsure")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConflictError) as caught:
        session.answer("no", question="runs_procurement")
    assert caught.value.exit_code == 3
    message = caught.value.render("en")
    assert "runs_procurement" in message and "'unsure'" in message and "'no'" in message
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(("choice", "expected"), [("mine", "no"), ("theirs", "unsure")])
def test_a_true_conflict_is_asked(path: Path, choice: str, expected: str) -> None:
    session = session_for(path, "buyer")
    asked = []
    session.resolve = lambda conflict: asked.append(conflict) or choice
    text = path.read_text(encoding="utf-8").replace("runs_procurement: yes", "runs_procurement: unsure")
    path.write_text(text, encoding="utf-8")
    session.answer("no", question="runs_procurement")
    assert len(asked) == 1 and asked[0].theirs == "unsure"
    assert load_account(path).contact("buyer").answers["runs_procurement"] == expected
    assert session.account.contact("buyer").answers["runs_procurement"] == expected


def test_the_same_change_on_both_sides_is_no_conflict(path: Path) -> None:
    session = session_for(path, "gm")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    notes: 每周一", "    answers: {final_say: yes}\n    notes: 每周一"), encoding="utf-8")
    session.answer("yes", question="final_say")
    assert load_account(path).contact("gm").answers == {"final_say": "yes"}


def test_contacts_added_by_two_sessions_both_stay(path: Path) -> None:
    first, second = session_for(path, "gm"), session_for(path, "it")
    one = first.add_contact("Chen Jing", title="Buyer", reports_to="gm")
    two = second.add_contact("Chen Jing", title="Engineer", reports_to="it")
    contacts = {c.id: c for c in load_account(path).contacts}
    assert contacts[one.id].title == "Buyer"
    assert two.id != one.id and contacts[two.id].title == "Engineer"
    assert second.account.contact(two.id).reports_to == "it"


def test_a_file_swapped_for_a_link_is_never_written_through(path: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    session = session_for(path, "gm")
    path.unlink()
    path.symlink_to(victim)
    with pytest.raises(InputError) as caught:
        session.answer("yes", question="final_say")
    assert "symbolic link" in caught.value.render("en")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert path.is_symlink()


def test_a_file_swapped_for_a_fifo_is_refused_at_once(path: Path) -> None:
    session = session_for(path, "gm")
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(InputError) as caught:
        session.answer("yes", question="final_say")
    assert "FIFO" in caught.value.render("en")


def test_a_link_retargeted_elsewhere_is_refused(path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(ACCOUNT, encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(path)
    session = session_for(link, "gm")
    link.unlink()
    link.symlink_to(other)
    with pytest.raises(InputError):
        session.answer("yes", question="final_say")
    assert other.read_text(encoding="utf-8") == ACCOUNT


def test_a_signal_during_the_save_waits_for_the_replace(path: Path, monkeypatch) -> None:
    import rolefinder.storage as storage

    real = storage.write_replace

    def interrupted(*args):
        os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of the save
        real(*args)

    monkeypatch.setattr(storage, "write_replace", interrupted)
    session = session_for(path, "gm")
    with pytest.raises(KeyboardInterrupt):
        session.answer("yes", question="final_say")
    assert load_account(path).contact("gm").answers == {"final_say": "yes"}
    assert not session.pending
    assert not list(path.parent.glob("*.tmp"))


def test_deferred_signals_restore_the_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with deferred_signals():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_stale_temporary_files_are_removed_by_the_next_save(path: Path) -> None:
    stale = path.parent / ".acct.yaml.abc123xy.tmp"
    stale.write_text("half", encoding="utf-8")
    session_for(path, "gm").answer("yes", question="final_say")
    assert not stale.exists()


def test_cli_conflict_exits_3_and_answer_without_question_is_refused(path: Path) -> None:
    result = CliRunner().invoke(cli, ["interview", str(path), "--contact", "gm", "--answer", "=yes"])
    assert result.exit_code == 2 and "QUESTION=ANSWER" in result.stderr
    assert load_account(path).contact("gm").answers == {}


# --------------------------------------------------------------------------- real processes


def _fork(action) -> int:
    """Run ``action`` in a child process; its exit status says whether it raised."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            action()
            code = 0
        finally:
            os._exit(code)
    return pid


def test_two_writer_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    """TRIALS times: two processes answer for different contacts at the same moment."""
    warm = tmp_path / "warm.yaml"  # imports and first-use costs paid once, not in every child
    warm.write_text(ACCOUNT, encoding="utf-8")
    session_for(warm, "gm").answer("yes", question="final_say")
    for trial in range(TRIALS):
        target = tmp_path / f"t{trial}.yaml"
        target.write_text(ACCOUNT, encoding="utf-8")
        sessions = [(session_for(target, cid), q) for cid, q in (("gm", "final_say"), ("it", "uses_daily"))]
        start_read, start_write = os.pipe()

        def write(session, question, gate=start_read):
            os.read(gate, 1)  # both wait here, then go at once
            session.answer("yes", question=question)

        pids = [_fork(lambda s=s, q=q: write(s, q)) for s, q in sessions]
        os.write(start_write, b"go")
        statuses = [os.waitpid(pid, 0)[1] for pid in pids]
        os.close(start_read)
        os.close(start_write)
        assert statuses == [0, 0], trial
        contacts = {c.id: c.answers for c in load_account(target).contacts}
        assert contacts["gm"] == {"final_say": "yes"}, trial
        assert contacts["it"] == {"uses_daily": "yes"}, trial
        assert not list(tmp_path.glob("*.tmp"))
