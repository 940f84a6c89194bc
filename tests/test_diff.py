"""rolefinder diff: contacts added and removed, roles gained and lost, shifts, new red flags."""

from __future__ import annotations

import json

from rolefinder.cli import cli

OLD = """\
account: {name: Acme Robotics, industry: manufacturing}
contacts:
  - {id: ceo, name: Ann Lee, title: CEO, influence: high, attitude: neutral, answers: {final_say: yes}}
  - {id: cpo, name: Bob Ray, title: Head of Procurement, reports_to: ceo, answers: {runs_procurement: yes}}
  - {id: old, name: Olga Ma, title: Clerk, reports_to: cpo}
"""
NEW = """\
account: {name: Acme Robotics, industry: manufacturing}
contacts:
  - {id: ceo, name: Ann Lee, title: CEO, influence: high, attitude: opponent, answers: {final_say: yes}}
  - {id: cpo, name: Bob Ray, title: Head of Procurement, reports_to: ceo, influence: medium,
     answers: {runs_procurement: no}}
  - {id: eng, name: Eve Wu, title: Engineer, reports_to: ceo, answers: {uses_daily: yes}}
"""


def test_diff_of_two_account_files(runner, write_account):
    old, new = write_account(OLD, "old.yaml"), write_account(NEW, "new.yaml")
    result = runner.invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(a["id"], a["roles"][0]) for a in data["added"]] == [("eng", "user")]
    assert [a["id"] for a in data["removed"]] == ["old"]
    changed = {c["id"]: c for c in data["changed"]}
    assert changed["ceo"]["attitude"] == {"from": "neutral", "to": "opponent"}
    assert "buyer" in changed["cpo"]["roles_lost"]
    assert changed["cpo"]["influence"] == {"from": None, "to": "medium"}
    assert [f["code"] for f in data["red_flags"]["new"]] == ["opponent_high_influence"]
    text = runner.invoke(cli, ["diff", str(old), str(new), "--lang", "zh"]).output
    assert "+ 新增 Eve Wu (eng):使用者" in text
    assert "- 移除 Olga Ma (old)" in text
    assert "~ Ann Lee (ceo):态度 中立 → 反对" in text
    assert "新的风险信号" in text
    en = runner.invoke(cli, ["diff", str(old), str(new), "--lang", "en"]).output
    assert "~ Bob Ray (cpo): lost Buyer" in en and "influence not set → medium" in en


def test_same_account_reformatted_shows_no_change(runner, write_account):
    old = write_account(OLD, "old.yaml")
    reordered = "\n".join(reversed(OLD.strip().split("\n")[2:]))
    again = write_account("account: {name: Acme Robotics, industry: manufacturing}\ncontacts:\n" + reordered + "\n",
                          "again.yaml")
    result = runner.invoke(cli, ["diff", str(old), str(again)])
    assert result.exit_code == 0 and "No changes." in result.output


def test_diff_of_two_exports(runner, write_account, tmp_path):
    old, new = write_account(OLD, "old.yaml"), write_account(NEW, "new.yaml")
    for path in (old, new):
        out = str(path.with_suffix(".csv"))
        assert runner.invoke(cli, ["export", str(path), "--to", "csv", "-o", out]).exit_code == 0
    csvs = [str(old.with_suffix(".csv")), str(new.with_suffix(".csv"))]
    result = runner.invoke(cli, ["diff", *csvs, "--format", "json"])
    data = json.loads(result.output)
    files = json.loads(runner.invoke(cli, ["diff", str(old), str(new), "--format", "json"]).output)
    for part in ("added", "removed", "changed"):
        assert data[part] == files[part]
    assert data["red_flags"] is None
    text = runner.invoke(cli, ["diff", *csvs]).output
    assert "red flags are compared between account files only" in text


def test_diff_of_something_else_is_a_clear_error(runner, write_account, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(cli, ["diff", str(other), str(other)])
    assert result.exit_code == 2 and "export --to csv" in result.output
    result = runner.invoke(cli, ["diff", str(tmp_path / "none.yaml"), str(other)])
    assert result.exit_code == 2 and "file not found" in result.output
