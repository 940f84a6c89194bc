"""A scripted interview killed at a random moment never loses an acknowledged answer.

Each trial runs ``rolefinder interview FILE --contact ID`` in a child process (forked, so a
trial costs the interview and not an interpreter start) with its answers piped in, sends it
SIGKILL, SIGINT, SIGHUP or SIGTERM after a random delay, then checks: the file loads, every
answer whose belief line ("→ …") was printed is in it, no traceback, no false "file is empty",
no temporary file left (after a SIGKILL the next save removes it).

ROLEFINDER_KILL_TRIALS sets the number of trials (24 by default; 200 before a release).
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path

from rolefinder.account import load_account
from rolefinder.interviewing import Interview
from rolefinder.storage import AccountFile

TRIALS = int(os.environ.get("ROLEFINDER_KILL_TRIALS", "24"))
SIGNALS = [signal.SIGKILL, signal.SIGINT, signal.SIGHUP, signal.SIGTERM]
ACCOUNT = """\
# a comment that must survive
account:
  name: 测试机械有限公司
  industry: manufacturing
contacts:
  - id: gm
    name: 张伟
    title: 总经理
    notes: 每周一上午开经营会
  - id: it
    name: 王强
    title: 信息中心主任
    reports_to: gm
"""


def _child(path: str, stdin_fd: int, stdout_fd: int, stderr_fd: int, mask) -> None:  # pragma: no cover
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal sent meanwhile arrives now
    os.dup2(stdin_fd, 0)
    os.dup2(stdout_fd, 1)
    os.dup2(stderr_fd, 2)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    from rolefinder.cli import cli

    code = 0
    try:
        cli.main(["interview", path, "--contact", "it", "--lang", "en"], prog_name="rolefinder")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def _run_trial(path: Path, delay: float | None, number: int) -> tuple[str, str]:
    """Run one scripted interview; kill it after ``delay`` seconds (None: let it finish)."""
    pipes = [os.pipe() for _ in range(3)]
    held = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS[1:])  # until the child can take them
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            _child(str(path), pipes[0][0], pipes[1][1], pipes[2][1], held)
        finally:
            os._exit(1)  # never back into the test runner
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(pipes[0][0])
    os.close(pipes[1][1])
    os.close(pipes[2][1])
    os.write(pipes[0][1], b"y\n" * 11 + b"quit\n")
    os.close(pipes[0][1])
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, number)  # the child is a zombie at worst until waitpid: never ESRCH
    os.waitpid(pid, 0)
    outputs = []
    for read_end in (pipes[1][0], pipes[2][0]):
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        os.close(read_end)
        outputs.append(b"".join(chunks).decode("utf-8", "replace"))
    return outputs[0], outputs[1]


def test_random_kills_never_lose_an_acknowledged_answer(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("ROLEFINDER_KILL_SEED", "9")))
    warm = tmp_path / "warm.yaml"  # imports paid once in the parent, not in every child
    warm.write_text(ACCOUNT, encoding="utf-8")
    session = Interview(load_account(warm), AccountFile(warm))
    session.select("it")
    session.answer("yes")
    span = _whole_run(tmp_path)
    failures = []
    for trial in range(TRIALS):
        path = tmp_path / f"k{trial}.yaml"
        path.write_text(ACCOUNT, encoding="utf-8")
        number = rng.choice(SIGNALS)
        out, err = _run_trial(path, rng.uniform(0, span), number)
        acknowledged = out.count("\n→ ")
        try:
            answers = load_account(path).contact("it").answers
        except Exception as exc:
            failures.append(f"trial {trial} ({signal.Signals(number).name}): file does not load: {exc}")
            continue
        if len(answers) < acknowledged:
            failures.append(f"trial {trial} ({signal.Signals(number).name}): {acknowledged} acknowledged, "
                            f"{len(answers)} on disk")
        if "Traceback" in err or "empty" in err:
            failures.append(f"trial {trial}: {err.strip()[-300:]}")
        if "# a comment that must survive" not in path.read_text(encoding="utf-8"):
            failures.append(f"trial {trial}: comment lost")
        if number != signal.SIGKILL and list(tmp_path.glob(f".k{trial}.yaml.*.tmp")):
            failures.append(f"trial {trial}: temporary file left")
    assert not failures, "\n".join(failures)
    for path in tmp_path.glob("k*.yaml"):  # after kill -9 the next save cleans up
        session = Interview(load_account(path), AccountFile(path))
        session.select("gm")
        session.set_field("influence", "high")
    assert not list(tmp_path.glob("*.tmp"))


def _whole_run(tmp_path: Path) -> float:
    """Seconds a whole scripted interview takes on this machine: the window kills land in."""
    path = tmp_path / "timing.yaml"
    path.write_text(ACCOUNT, encoding="utf-8")
    started = time.perf_counter()
    out, _ = _run_trial(path, None, signal.SIGTERM)
    assert out.count("\n→ ") >= 2  # the script really answers
    return max(0.05, min(time.perf_counter() - started, 3.0))
