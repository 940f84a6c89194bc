"""Many accounts at once: directories, --jobs, failures that do not stop the others, the record API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from rolefinder.batch import account_records, collect, identify_records
from rolefinder.cli import cli

DATA = Path(__file__).parent / "data" / "crm"
BAD = "account: {name: Broken}\ncontacts:\n  - {id: a, name: A, reports_to: zz}\n"


@pytest.fixture(scope="module")
def accounts(tmp_path_factory) -> Path:
    """Three imported accounts (60 contacts) and one broken file, in one directory."""
    from click.testing import CliRunner

    directory = tmp_path_factory.mktemp("accounts")
    result = CliRunner().invoke(cli, ["import", str(DATA / "salesforce_contacts.csv"), "-o", str(directory)])
    assert result.exit_code == 0, result.output
    (directory / "zz-broken.yaml").write_text(BAD, encoding="utf-8")
    return directory


def good(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if "broken" not in p.name)


def test_a_bad_file_is_reported_and_the_rest_identified(runner, accounts):
    result = runner.invoke(cli, ["identify", str(accounts), "--format", "jsonl"])
    assert result.exit_code == 2
    assert "zz-broken.yaml:3: contacts[0].reports_to: 'zz' is not the id of a contact" in result.output
    assert "1 of 4 files failed" in result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 60 + 3  # every contact, then one record per account
    assert [r["account"]["name"] for r in records if "account" in r] == [
        "St. Mary's Medical Center", "北方重型机械股份有限公司", "华鑫银行股份有限公司"]


def test_jobs_give_the_same_output_as_one_process(runner, accounts):
    one = runner.invoke(cli, ["identify", *map(str, good(accounts)), "--format", "jsonl", "--jobs", "1"])
    two = runner.invoke(cli, ["identify", *map(str, good(accounts)), "--format", "jsonl", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout


def test_many_files_as_json_is_an_array_of_the_single_file_documents(runner, accounts):
    files = good(accounts)
    many = json.loads(runner.invoke(cli, ["identify", *map(str, files), "--format", "json"]).stdout)
    single = [json.loads(runner.invoke(cli, ["identify", str(f), "--format", "json"]).stdout) for f in files]
    assert many == single
    text = runner.invoke(cli, ["identify", *map(str, files[:2]), "--lang", "zh"])
    assert text.exit_code == 0 and text.stdout.count("客户:") == 2
    assert "Accounts" not in text.output  # no progress bar when stderr is not a terminal


def test_trace_wants_one_file_and_missing_paths_fail_up_front(runner, accounts, tmp_path):
    result = runner.invoke(cli, ["identify", str(accounts), "--trace"])
    assert result.exit_code == 2 and "one file at a time" in result.output
    result = runner.invoke(cli, ["identify", str(accounts), str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "nowhere: file not found" in result.output
    result = runner.invoke(cli, ["identify", str(tmp_path)])
    assert result.exit_code == 2 and "no account files" in result.output


def test_plan_and_export_take_directories(runner, accounts, tmp_path):
    result = runner.invoke(cli, ["plan", str(accounts), "-o", str(tmp_path / "plans"), "--format", "md",
                                 "--jobs", "2"])
    assert result.exit_code == 2 and "zz-broken.yaml:3" in result.output
    assert sorted(p.stem for p in (tmp_path / "plans").iterdir()) == sorted(p.stem for p in good(accounts))
    result = runner.invoke(cli, ["export", str(accounts), "--to", "csv"])
    assert result.exit_code == 2
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 60


def test_plans_over_many_files_keep_author_and_evidence(runner, accounts, tmp_path):
    """--author and --evidence mean the same for a directory as for one file."""
    out = tmp_path / "plans"
    runner.invoke(cli, ["plan", str(accounts), "-o", str(out), "--format", "md", "--lang", "en",
                        "--author", "Li Lei", "--evidence"])
    written = sorted(out.iterdir())
    assert written and all("**Prepared by**: Li Lei" in p.read_text(encoding="utf-8") for p in written)
    assert all("Appendix: evidence and rules" in p.read_text(encoding="utf-8") for p in written)


def test_collect_finds_yaml_files_below_directories(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.yaml", "a/b/two.yml", "a/notes.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert collect([tmp_path / "a"]) == [str(tmp_path / "a" / "b" / "two.yml"), str(tmp_path / "a" / "one.yaml")]


def test_identify_records_gives_the_rows_of_export_csv(runner, accounts):
    from rolefinder.account import load_account

    path = good(accounts)[0]
    exported = list(csv.DictReader(io.StringIO(runner.invoke(cli, ["export", str(path), "--to", "csv"]).stdout)))
    rows = identify_records(account_records(load_account(path)))
    assert [{k: str(v) for k, v in row.items()} for row in rows] == exported


def test_identify_records_reads_answers_from_columns_and_skips_blanks():
    records = [
        {"account": "Acme", "industry": "manufacturing", "id": "ceo", "name": "Ann", "title": "CEO",
         "final_say": "yes", "approves_budget": True, "reports_to": None, "attitude": float("nan")},
        {"account": "Acme", "id": "buyer", "name": "Bob", "title": "Buyer", "reports_to": "ceo",
         "answers": {"runs_procurement": "是"}, "influence": ""},
    ]
    rows = identify_records(records)
    assert [(r["id"], r["primary_role"]) for r in rows] == [("ceo", "decision_maker"), ("buyer", "buyer")]
    assert identify_records([]) == []


def test_identify_records_validates_like_an_account_file():
    from rolefinder.errors import InputError

    with pytest.raises(InputError) as caught:
        identify_records([{"account": "Acme", "id": "a", "name": "Ann", "final_say": "perhaps"}])
    assert caught.value.render("en").startswith("Acme: contacts[0].answers.final_say: 'perhaps' is not an answer")
    with pytest.raises(InputError, match="'account'"):
        identify_records([{"id": "a", "name": "Ann"}])


def test_progress_bar_on_a_terminal(tmp_path):
    import sys

    pexpect = pytest.importorskip("pexpect")
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(f"account: {{name: {name}}}\ncontacts: [{{id: x, name: X}}]\n",
                                               encoding="utf-8")
    child = pexpect.spawn(sys.executable, ["-m", "rolefinder", "identify", str(tmp_path),
                                           "--format", "jsonl", "--lang", "en"],
                          encoding="utf-8", timeout=60, dimensions=(24, 100))
    child.expect("Accounts")  # the bar's label, on the terminal's stderr
    child.expect("100%")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def _boom(path: str) -> str:
    if path == "bad":
        raise KeyError("surprise")
    return path.upper()


def test_an_unexpected_error_is_that_file_s_problem_only():
    from rolefinder.batch import run

    outcomes = list(run(_boom, ["bad", "good"]))
    assert [o.ok for o in outcomes] == [False, True] and outcomes[1].value == "GOOD"
    assert outcomes[0].problems[0].render("en") == "bad: could not be processed: KeyError: 'surprise'"
    assert "无法处理" in outcomes[0].problems[0].render("zh")
