"""The quiz: scoring with partial credit, reading choices, scripted sessions, the class CSV."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from rolefinder.casebook import answer_key, load_case, org_chart
from rolefinder.cli import cli
from rolefinder.quiz import ChoiceError, append_result, jaccard, parse_choice, score_quiz

ROLES = ["decision_maker", "influencer", "user", "buyer", "recommender", "auditor",
         "gatekeeper", "initiator"]
LABELS = {"buyer": ["采购者", "Buyer"], "gatekeeper": ["守门人", "Gatekeeper"]}
CASE = "mes-manufacturing"


def perfect_input(name: str = CASE) -> str:
    """One line per contact, in the order the quiz asks (the org chart), from the key."""
    account = load_case(name)
    key = answer_key(account)
    return "".join(",".join(sorted(key[c.id])) + "\n" for _, c in org_chart(account.contacts))


def test_jaccard_partial_credit() -> None:
    assert jaccard([], []) == 1.0
    assert jaccard(["buyer"], ["buyer"]) == 1.0
    assert jaccard(["buyer"], ["buyer", "gatekeeper"]) == 0.5
    assert jaccard(["buyer", "user"], ["buyer", "gatekeeper"]) == pytest.approx(1 / 3)
    assert jaccard(["user"], []) == 0.0


def test_score_overall_is_the_mean_over_contacts() -> None:
    key = {"a": {"buyer", "gatekeeper"}, "b": set(), "c": {"user"}}
    score = score_quiz("x", {"a": ["buyer"], "b": [], "c": ["auditor"]}, key, ["a", "b", "c"])
    assert [c.score for c in score.contacts] == [0.5, 1.0, 0.0]
    assert score.overall == pytest.approx(0.5)
    assert score.percent == 50.0
    assert score.contacts[0].missed == ["gatekeeper"]
    assert score.contacts[2].wrong == ["auditor"]
    assert score.to_dict()["correct"] == 1


def test_parse_choice_accepts_numbers_ids_and_labels() -> None:
    assert parse_choice("4, gatekeeper", ROLES, LABELS) == ["buyer", "gatekeeper"]
    assert parse_choice("采购者、守门人", ROLES, LABELS) == ["buyer", "gatekeeper"]
    assert parse_choice("  ", ROLES, LABELS) == []
    assert parse_choice("none", ROLES, LABELS) == []
    assert parse_choice("4 4 buyer", ROLES, LABELS) == ["buyer"]
    with pytest.raises(ChoiceError) as info:
        parse_choice("4, boss", ROLES, LABELS)
    assert info.value.token == "boss"
    with pytest.raises(ChoiceError):
        parse_choice("9", ROLES, LABELS)


@pytest.mark.parametrize("lang, word", [("en", "Overall: 100.0%"), ("zh", "总分:100.0%")])
def test_scripted_perfect_quiz(runner, lang: str, word: str) -> None:
    result = runner.invoke(cli, ["quiz", CASE, "--lang", lang], input=perfect_input())
    assert result.exit_code == 0, result.output
    assert word in result.output
    scenario = load_case(CASE).case["scenario"][lang].splitlines()[0]
    assert "".join(scenario.split()) in "".join(result.output.split())  # wrapped to the width


@pytest.mark.parametrize("lang, why, missed", [("en", "Why (the rules' reasons)", "missed"),
                                               ("zh", "为什么", "漏选了")])
def test_misses_show_the_rules_reasons(runner, lang: str, why: str, missed: str) -> None:
    lines = perfect_input().splitlines()
    lines[1] = ""  # the COO: the trainee misses the decision maker
    result = runner.invoke(cli, ["quiz", CASE, "--lang", lang], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert why in result.output and missed in result.output
    assert "core.answer.final_say.yes" in result.output


def test_invalid_input_gets_a_hint_and_is_asked_again(runner) -> None:
    lines = perfect_input().splitlines()
    lines.insert(0, "boss, 42")
    result = runner.invoke(cli, ["quiz", CASE, "--lang", "en"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "'boss' is not a role" in result.output
    assert "Overall: 100.0%" in result.output


def test_input_ending_early_is_a_clean_error(runner) -> None:
    result = runner.invoke(cli, ["quiz", CASE], input="\n")
    assert result.exit_code == 2
    assert "input ended" in result.output
    assert "Traceback" not in result.output


def test_json_score_on_stdout_only(runner) -> None:
    lines = perfect_input().splitlines()
    lines[2] = "buyer"  # the purchasing manager: buyer only, half right
    result = runner.invoke(cli, ["quiz", CASE, "--format", "json", "--name", "Li Lei"],
                           input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "Li Lei" and data["case"] == CASE
    assert data["total"] == 9 and data["correct"] == 8
    assert data["score"] == pytest.approx((8 + 0.5) / 9, abs=1e-3)
    pm = next(c for c in data["contacts"] if c["contact"] == "pm")
    assert pm["missed"] == ["gatekeeper"] and pm["score"] == 0.5


def test_csv_written_and_appended_with_one_header(runner, tmp_path: Path) -> None:
    out = tmp_path / "class.csv"
    for who in ("Ann", "张三"):
        result = runner.invoke(cli, ["quiz", CASE, "--out", str(out), "--name", who],
                               input=perfect_input())
        assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["name", "case", "score", "time", "level", "answers"]
    assert [r[0] for r in rows[1:]] == ["Ann", "张三"]
    assert all(r[1] == CASE and r[2] == "100.0" and r[3] and r[4] == "answers" for r in rows[1:])
    key = answer_key(load_case(CASE))
    assert {cid: set(roles) for cid, roles in json.loads(rows[1][5]).items()} == key
    assert sorted(p.name for p in tmp_path.iterdir()) == [".class.csv.lock", "class.csv"]  # no temp files


def test_csv_append_adds_to_the_end_of_the_same_file(tmp_path: Path) -> None:
    out = tmp_path / "class.csv"
    out.write_text("name,case,score,time\nBob,x,50.0,t", encoding="utf-8")  # no final newline
    inode = out.stat().st_ino
    score = score_quiz("x", {"a": ["user"]}, {"a": {"user"}}, ["a"])
    append_result(out, "Ann", "x", score, "2026-01-01T00:00:00+00:00")
    assert out.stat().st_ino == inode  # appended, not rewritten
    assert out.read_text(encoding="utf-8").splitlines() == [
        "name,case,score,time", "Bob,x,50.0,t", "Ann,x,100.0,2026-01-01T00:00:00+00:00"]


def test_a_failed_write_keeps_the_old_results(tmp_path: Path, monkeypatch) -> None:
    import errno
    import os

    out = tmp_path / "class.csv"
    out.write_text("name,case,score,time\nBob,x,50.0,t\n", encoding="utf-8")
    real = os.write

    def half_then_full(fd, data):
        real(fd, bytes(data[:3]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    score = score_quiz("x", {}, {"a": {"user"}}, ["a"])
    with pytest.raises(OSError):
        append_result(out, "Ann", "x", score, "now")
    assert out.read_text(encoding="utf-8") == "name,case,score,time\nBob,x,50.0,t\n"


@pytest.mark.parametrize(("data", "named"), [
    ("name,case,score,time\nJosé,x,50.0,t\n".encode("cp1252"), "Windows-1252"),
    ("name,case,score,time\n张三,x,50.0,t\n".encode("utf-16"), "UTF-16"),
])
def test_a_results_file_in_another_encoding_is_refused_before_the_quiz(runner, tmp_path: Path, data, named) -> None:
    out = tmp_path / "class.csv"
    out.write_bytes(data)
    result = runner.invoke(cli, ["quiz", CASE, "--out", str(out), "--lang", "en"], input=perfect_input())
    assert result.exit_code == 2
    assert named in result.stderr and "Roles>" not in result.output  # refused before the first question
    assert out.read_bytes() == data


def _trainee(out: str, name: str, gate: int) -> None:
    os.read(gate, 1)
    score = score_quiz("x", {"a": ["user"]}, {"a": {"user"}}, ["a"])
    append_result(out, name, CASE, score, "2026-01-01T00:00:00+00:00")


def test_twelve_trainees_finishing_at_once_lose_no_row(tmp_path: Path) -> None:
    """Real processes, started together: every row arrives, one header, no half lines."""
    out = tmp_path / "class.csv"
    for round_ in range(4):
        gate_read, gate_write = os.pipe()
        pids = []
        for index in range(12):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                code = 1
                try:
                    _trainee(str(out), f"t{round_}-{index}", gate_read)
                    code = 0
                finally:
                    os._exit(code)
            pids.append(pid)
        os.write(gate_write, b"x" * 12)
        assert [os.waitpid(pid, 0)[1] for pid in pids] == [0] * 12
        os.close(gate_read)
        os.close(gate_write)
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["name", "case", "score", "time", "level", "answers"]
    assert sorted(r[0] for r in rows[1:]) == sorted(f"t{r}-{i}" for r in range(4) for i in range(12))
    assert all(len(r) == 6 for r in rows)


def test_a_name_that_looks_like_a_formula_stays_text(runner, tmp_path: Path) -> None:
    out = tmp_path / "class.csv"
    result = runner.invoke(cli, ["quiz", CASE, "--out", str(out), "--name", "=HYPERLINK(\"x\")"],
                           input=perfect_input())
    assert result.exit_code == 0
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[1][0] == "'=HYPERLINK(\"x\")"


# --------------------------------------------------------------------------- levels


def test_answers_are_shown_as_the_questions_words(runner) -> None:
    result = runner.invoke(cli, ["quiz", CASE, "--lang", "zh"], input=perfect_input())
    assert result.exit_code == 0
    assert "否  他/她对是否购买、向谁购买有最终决定权吗?" in result.output
    assert "final_say" not in result.output and "said no" not in result.output
    assert "影响力: 高" in result.output and "influence:" not in result.output


def test_the_org_chart_level_hides_answers_and_notes(runner, tmp_path: Path) -> None:
    out = tmp_path / "class.csv"
    result = runner.invoke(cli, ["quiz", CASE, "--level", "chart", "--lang", "en", "--out", str(out)],
                           input=perfect_input())
    assert result.exit_code == 0, result.output
    account = load_case(CASE)
    asked = result.output.split("Your score")[0]
    for question in account.knowledge.questions.values():
        assert question.text["en"] not in asked
    assert all(c.notes is None or c.notes not in asked for c in account.contacts)
    assert "首席运营官" in asked and "Overall: 100.0%" in result.output
    assert list(csv.reader(out.read_text(encoding="utf-8").splitlines()))[1][4] == "chart"


def test_quiz_lines_fit_80_columns(runner) -> None:
    from rolefinder.textwidth import display_width

    for lang in ("en", "zh"):
        result = runner.invoke(cli, ["quiz", CASE, "--lang", lang], input="1\n" * 9, env={"COLUMNS": "80"})
        assert result.exit_code == 0
        assert max(display_width(line) for line in result.output.splitlines()) <= 80


# --------------------------------------------------------------------------- a class's report


def _class_file(runner, tmp_path: Path) -> Path:
    out = tmp_path / "class.csv"
    key = answer_key(load_case(CASE))
    order = [c.id for _, c in org_chart(load_case(CASE).contacts)]
    # Ann is perfect; Bob calls every influencer a user
    bob = "".join(",".join(sorted("user" if r == "influencer" else r for r in key[c])) + "\n" for c in order)
    for who, text in (("Ann", perfect_input()), ("Bob", bob), ("Bob", perfect_input())):
        assert runner.invoke(cli, ["quiz", CASE, "--out", str(out), "--name", who], input=text).exit_code == 0
    return out


def test_report_per_trainee_role_and_confusions(runner, tmp_path: Path) -> None:
    out = _class_file(runner, tmp_path)
    data = json.loads(runner.invoke(cli, ["quiz", "report", str(out), "--format", "json"]).stdout)
    assert data["quizzes"] == 3
    bob = next(t for t in data["trainees"] if t["name"] == "Bob")
    assert bob["quizzes"] == 2 and bob["last"] == 100.0 and bob["best"] == 100.0 and bob["mean"] < 100
    key = answer_key(load_case(CASE))
    influencers = sum("influencer" in roles for roles in key.values())
    role = next(r for r in data["roles"] if r["role"] == "influencer")
    assert role["held"] == 3 * influencers and role["found"] == 2 * influencers
    pure = sum(roles == {"influencer"} for roles in key.values())  # given user instead, not also
    top = data["confused"][0]
    assert (top["holds"], top["given"]) == ("influencer", "user") and top["count"] >= pure


def test_report_as_table_and_csv(runner, tmp_path: Path) -> None:
    out = _class_file(runner, tmp_path)
    text = runner.invoke(cli, ["quiz", "report", str(out), "--lang", "zh"])
    assert text.exit_code == 0, text.output
    assert "按学员" in text.output and "把影响者当成使用者" in text.output
    table = runner.invoke(cli, ["quiz", "report", str(out), "--format", "csv"]).stdout
    rows = list(csv.reader(table.splitlines()))
    assert rows[0][0] == "section" and rows[1][:2] == ["trainee", "Ann"]
    assert any(r[0] == "confused" and r[1] == "influencer>user" for r in rows)


def test_report_reads_old_files_and_refuses_others(runner, tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("name,case,score,time\nBob,mes-manufacturing,50.0,t\n", encoding="utf-8")
    result = runner.invoke(cli, ["quiz", "report", str(old), "--lang", "en"])
    assert result.exit_code == 0 and "older results file" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(cli, ["quiz", "report", str(bad), "--lang", "en"])
    assert result.exit_code == 2 and "bad.csv:1:" in result.stderr and "Traceback" not in result.output
