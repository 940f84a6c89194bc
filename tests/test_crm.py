"""CRM import and export: real column layouts, encodings, the tree, round trips, the mapping table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from rolefinder.cli import cli

DATA = Path(__file__).parent / "data" / "crm"
SALESFORCE = DATA / "salesforce_contacts.csv"
HUBSPOT = DATA / "hubspot_contacts.csv"

PLAIN_ZH = (
    "客户名称,姓名,职务,部门,上级,购买角色\n"
    "华东精密仪器有限公司,张伟,总经理,总经理办公室,,决策者\n"
    "华东精密仪器有限公司,李娜,采购经理,采购部,张伟,\n"
    "华东精密仪器有限公司,欧阳晓明,工程师,研发部,李娜,\n"
)


def run_import(runner, source: Path, out: Path, *args: str):
    return runner.invoke(cli, ["import", str(source), "-o", str(out), *args])


def org(directory: Path) -> dict[str, set[tuple]]:
    """account -> {(name, title, department, manager's name)}: what a round trip must keep."""
    out = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = {c["id"]: c["name"] for c in data["contacts"]}
        out[data["account"]["name"]] = {
            (c["name"], c.get("title"), c.get("department"), names.get(c.get("reports_to")))
            for c in data["contacts"]
        }
    return out


@pytest.mark.parametrize("source", [SALESFORCE, HUBSPOT], ids=["salesforce", "hubspot"])
def test_crm_export_imports_to_three_accounts_that_identify_accepts(runner, tmp_path, source):
    result = run_import(runner, source, tmp_path)
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.yaml"))
    assert len(files) == 3
    contacts = 0
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=account.schema.json")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        contacts += len(data["contacts"])
        assert all("answers" not in c for c in data["contacts"])  # CRM roles are hints, never answers
        check = runner.invoke(cli, ["identify", str(path), "--format", "json"])
        assert check.exit_code == 0, check.output
    assert contacts == 60
    assert (tmp_path / "account.schema.json").is_file()


def test_salesforce_tree_from_ids_and_hubspot_tree_from_names_agree(runner, tmp_path):
    run_import(runner, SALESFORCE, tmp_path / "sf")
    run_import(runner, HUBSPOT, tmp_path / "hs")
    sf, hs = org(tmp_path / "sf"), org(tmp_path / "hs")
    assert sf == hs
    mfg = sf["北方重型机械股份有限公司"]
    assert ("王强", "副总经理", "总经理办公室", "张伟") in mfg
    assert ("欧阳晓明", "IT 架构师", "信息中心", "黄洋") in mfg
    priya = ("Priya Shah", "Interventional Cardiologist", "Cardiology", "James O'Brien")
    assert priya in sf["St. Mary's Medical Center"]


def test_crm_roles_are_kept_as_notes(runner, tmp_path):
    run_import(runner, SALESFORCE, tmp_path)
    data = yaml.safe_load((tmp_path / "st-mary-s-medical-center.yaml").read_text(encoding="utf-8"))
    first = data["contacts"][0]
    assert first["id"] == "0035g0000035dCjAAA"
    assert first["notes"].startswith("Role: ")


@pytest.mark.parametrize("source,target", [(SALESFORCE, "salesforce"), (HUBSPOT, "hubspot"), (SALESFORCE, "csv")])
def test_export_then_import_keeps_names_titles_departments_and_tree(runner, tmp_path, source, target):
    run_import(runner, source, tmp_path / "first")
    exported = tmp_path / f"export-{target}.csv"
    result = runner.invoke(cli, ["export", str(tmp_path / "first"), "--to", target, "-o", str(exported)])
    assert result.exit_code == 0, result.output
    again = run_import(runner, exported, tmp_path / "second")
    assert again.exit_code == 0, again.output
    assert org(tmp_path / "second") == org(tmp_path / "first")
    result = runner.invoke(cli, ["export", str(tmp_path / "second"), "--to", target])
    assert result.exit_code == 0
    again_text = exported.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    assert result.output.replace("\r\n", "\n") == again_text  # export -> import -> export is stable


@pytest.mark.parametrize("encoding,separator", [("utf-8", ","), ("utf-8-sig", ","), ("gbk", ","),
                                                ("gb18030", ","), ("utf-16", "\t"), ("utf-16-le", "\t")])
def test_encodings_are_detected(runner, tmp_path, encoding, separator):
    source = tmp_path / "contacts.csv"
    source.write_bytes(PLAIN_ZH.replace(",", separator).encode(encoding))
    result = runner.invoke(cli, ["import", str(source), "-o", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 0, result.output
    accounts = org(tmp_path / "out")
    assert accounts == {"华东精密仪器有限公司": {("张伟", "总经理", "总经理办公室", None),
                                         ("李娜", "采购经理", "采购部", "张伟"),
                                         ("欧阳晓明", "工程师", "研发部", "李娜")}}


def test_undetectable_encoding_asks_for_encoding_option(runner, tmp_path):
    source = tmp_path / "latin.csv"
    source.write_bytes("account,name,title\nCafé Société,Zoë Brontë,Directeur général\n".encode("cp1252"))
    result = run_import(runner, source, tmp_path / "out")
    assert result.exit_code == 2
    assert "--encoding" in result.output and "Traceback" not in result.output
    result = run_import(runner, source, tmp_path / "out", "--encoding", "cp1252")
    assert result.exit_code == 0, result.output
    assert org(tmp_path / "out") == {"Café Société": {("Zoë Brontë", "Directeur général", None, None)}}


def test_unrecognised_layout_names_the_columns_needed_and_map_fixes_it(runner, tmp_path):
    source = tmp_path / "odd.csv"
    source.write_text("Firm,Person,Position\nAcme,Ada Lovelace,CTO\n", encoding="utf-8")
    result = run_import(runner, source, tmp_path / "out")
    assert result.exit_code == 2
    assert "account + name" in result.output and "Firm, Person, Position" in result.output
    assert "--map" in result.output
    zh = runner.invoke(cli, ["import", str(source), "--lang", "zh"])
    assert "无法识别" in zh.output and "--map" in zh.output
    result = run_import(runner, source, tmp_path / "out", "--map", "Firm=account", "--map", "Person=name",
                        "--map", "Position=title")
    assert result.exit_code == 0, result.output
    assert org(tmp_path / "out") == {"Acme": {("Ada Lovelace", "CTO", None, None)}}


def test_bad_map_and_unknown_column_are_one_line_errors(runner, tmp_path):
    result = run_import(runner, HUBSPOT, tmp_path, "--map", "Job Title=job")
    assert result.exit_code == 2 and "COLUMN=FIELD" in result.output
    result = run_import(runner, HUBSPOT, tmp_path, "--map", "Nope=title")
    assert result.exit_code == 2 and "no column 'Nope'" in result.output


def test_existing_files_are_never_overwritten_without_force(runner, tmp_path):
    run_import(runner, SALESFORCE, tmp_path)
    target = tmp_path / "st-mary-s-medical-center.yaml"
    target.write_text("# my edits\n", encoding="utf-8")
    result = run_import(runner, SALESFORCE, tmp_path)
    assert result.exit_code == 2 and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "# my edits\n"
    result = run_import(runner, SALESFORCE, tmp_path, "--force")
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_manager_problems_are_warnings_with_lines(runner, tmp_path):
    source = tmp_path / "c.csv"
    source.write_text(
        "account,id,name,title,reports_to\n"
        "Acme,a,Ann Lee,CEO,b\n"
        "Acme,b,Bob Ray,CFO,a\n"
        "Acme,c,Cy Tam,Clerk,Nobody Here\n"
        "Acme,d,Dee Fox,Buyer,Sam Kim\n"
        "Acme,e,Sam Kim,Analyst,\n"
        "Acme,f,Sam Kim,Engineer,\n", encoding="utf-8")
    result = run_import(runner, source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "c.csv:3: reports_to: reporting cycle a → b → a" in result.output
    assert "c.csv:4: reports_to: manager 'Nobody Here' is not a contact of Acme" in result.output
    assert "c.csv:5: reports_to: manager 'Sam Kim' matches 2 contacts" in result.output
    assert runner.invoke(cli, ["identify", str(tmp_path / "out" / "acme.yaml")]).exit_code == 0


def test_rows_without_name_or_duplicate_ids_stop_the_import(runner, tmp_path):
    source = tmp_path / "c.csv"
    source.write_text("account,id,name\nAcme,a,Ann\nAcme,a,Bob\nAcme,b,\n", encoding="utf-8")
    result = run_import(runner, source, tmp_path / "out")
    assert result.exit_code == 2
    assert "c.csv:3: id: contact id 'a' is also used on line 2" in result.output
    assert "c.csv:4: name: the row has no contact name" in result.output
    assert not (tmp_path / "out" / "acme.yaml").exists()


MAPPED = """\
account: {name: Acme Robotics, industry: manufacturing}
contacts:
  - {id: ceo, name: Ann Lee, title: CEO, attitude: champion,
     answers: {final_say: yes, approves_budget: yes}}
  - {id: cpo, name: Bob Ray, title: Head of Procurement, reports_to: ceo, attitude: opponent,
     answers: {runs_procurement: yes, final_say: no}}
"""


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_maps_roles_and_attitudes_to_each_crm(runner, write_account):
    path = write_account(MAPPED)
    sf = _rows(runner.invoke(cli, ["export", str(path), "--to", "salesforce"]).output)
    assert (sf[0]["Role"], sf[0]["First Name"], sf[0]["Last Name"]) == ("Decision Maker", "Ann", "Lee")
    assert sf[1]["Role"] == "Economic Buyer" and sf[1]["Reports To ID"] == "ceo"
    assert sf[0]["Industry"] == "manufacturing"
    hs = _rows(runner.invoke(cli, ["export", str(path), "--to", "hubspot", "--lang", "zh"]).output)
    assert hs[0]["Buying Role"] == "DECISION_MAKER;CHAMPION"
    assert hs[1]["Buying Role"].startswith("BUDGET_HOLDER;") and hs[1]["Buying Role"].endswith(";BLOCKER")
    assert hs[0]["Rolefinder Roles"] == "决策者" and hs[0]["Role Status"] == "确认"
    plain = _rows(runner.invoke(cli, ["export", str(path), "--to", "csv"]).output)
    assert plain[0]["primary_role"] == "decision_maker" and float(plain[0]["certainty"]) >= 0.8


def test_trainer_mapping_overrides_single_entries_and_is_validated(runner, write_account, write_yaml):
    path = write_account(MAPPED)
    write_yaml("""\
        pack: our_crm
        title: {zh: 我们的 CRM, en: Our CRM}
        crm:
          salesforce:
            roles: {decision_maker: Economic Decision Maker}
        """, "mine/crm.yaml")
    sf = _rows(runner.invoke(cli, ["export", str(path), "--to", "salesforce", "--rules",
                                   str(path.parent / "mine")]).output)
    assert sf[0]["Role"] == "Economic Decision Maker" and sf[1]["Role"] == "Economic Buyer"
    write_yaml("""\
        pack: bad_crm
        title: {zh: 坏, en: Bad}
        crm:
          pipedrive: {}
          hubspot:
            roles: {boss: BOSS, user: 3}
            attitudes: {fan: CHAMPION}
        """, "bad/crm.yaml")
    result = runner.invoke(cli, ["rules", "check", str(path.parent / "bad")])
    assert result.exit_code == 2
    for expected in ("crm.yaml:4: crm.pipedrive: unknown CRM", "crm.yaml:6: crm.hubspot.roles.boss: unknown role",
                     "crm.yaml:6: crm.hubspot.roles.user: expected the CRM's value as text",
                     "crm.yaml:7: crm.hubspot.attitudes.fan: unknown attitude"):
        assert expected in result.output


def test_export_refuses_to_overwrite_and_xlsx_needs_a_file(runner, write_account, tmp_path):
    path = write_account(MAPPED)
    out = tmp_path / "out.csv"
    out.write_text("keep", encoding="utf-8")
    result = runner.invoke(cli, ["export", str(path), "--to", "csv", "-o", str(out)])
    assert result.exit_code == 2 and out.read_text(encoding="utf-8") == "keep"
    result = runner.invoke(cli, ["export", str(path), "--to", "xlsx"])
    assert result.exit_code == 2 and "-o" in result.output


def test_xlsx_export(runner, write_account, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = write_account(MAPPED)
    out = tmp_path / "roles.xlsx"
    result = runner.invoke(cli, ["export", str(path), "--to", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("account", "industry", "id")
    assert rows[1][2:4] == ("ceo", "Ann Lee") and rows[1][9] == "decision_maker"


def test_xlsx_without_openpyxl_says_how_to_install(runner, write_account, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    path = write_account(MAPPED)
    result = runner.invoke(cli, ["export", str(path), "--to", "xlsx", "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2
    assert "pip install 'rolefinder[xlsx]'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_a_file_without_account_column_goes_into_the_account_given(runner, tmp_path):
    source = tmp_path / "team.csv"
    source.write_text("姓名,职务,上级\n王芳,院长,\n赵磊,设备科科长,王芳\n", encoding="utf-8")
    result = run_import(runner, source, tmp_path / "out")
    assert result.exit_code == 2 and "account" in result.output
    result = run_import(runner, source, tmp_path / "out", "--account", "滨海第一医院")
    assert result.exit_code == 0, result.output
    people = {("王芳", "院长", None, None), ("赵磊", "设备科科长", None, "王芳")}
    assert org(tmp_path / "out") == {"滨海第一医院": people}
