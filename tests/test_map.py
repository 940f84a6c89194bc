"""``rolefinder map``: every contact and role on the picture, valid SVG, real Chromium renders it."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rolefinder.account import parse_account_text
from rolefinder.casebook import case_names, case_path, load_case
from rolefinder.cli import cli
from rolefinder.i18n import pick
from rolefinder.identification import identify
from rolefinder.mapview import render_html, render_svg

SVG = "{http://www.w3.org/2000/svg}"
# PDF text extraction may give CJK radicals (U+2Exx) for common simplified ideographs; NFKC
# does not map these, so the few that occur are mapped here
RADICALS = str.maketrans("⻔⻆⻓⻅⻩⻜⻋⻚⻛⻢⻝⻘⻨⻤", "门角长见黄飞车页风马食青麦鬼")


def texts(svg: str) -> list[str]:
    return [el.text or "" for el in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("name", case_names())
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_contact_and_role_is_on_the_map(name: str, lang: str) -> None:
    ident = identify(load_case(name))
    shown = texts(render_svg(ident, lang))
    boxes = " ".join(shown)
    for r in ident.contacts:
        assert r.contact.name in shown
        for role in r.held:
            label = pick(ident.knowledge.roles[role].label, lang)
            assert f"{label} {r.beliefs[role].certainty:.0%}" in boxes
    for value in ("opponent", "neutral", "supporter", "champion"):  # the legend and the grid
        from rolefinder.i18n import value_label

        assert shown.count(value_label(value, lang)) >= 2


def test_red_flags_attitude_colours_and_influence_weight() -> None:
    ident = identify(load_case("mes-manufacturing"))
    svg = render_svg(ident, "en")
    root = ET.fromstring(svg)
    boxes = {g.get("data-id"): g for g in root.iter(f"{SVG}g") if g.get("class") == "contact"}
    assert set(boxes) == {r.contact.id for r in ident.contacts}
    rd = boxes["rd_mgr"]  # high influence, opponent: a red flag
    rect = rd.find(f"{SVG}rect")
    assert rect.get("stroke") == "#c62828" and float(rect.get("stroke-width")) > 3
    assert rd.find(f"{SVG}circle") is not None  # the red-flag mark
    worker = boxes["line_worker"].find(f"{SVG}rect")
    assert float(worker.get("stroke-width")) < float(rect.get("stroke-width"))
    assert "郑海波 has high influence and opposes us: plan how to address their concerns." in " ".join(texts(svg))


def test_uncovered_roles_are_named() -> None:
    text = """
account: {name: Thin, industry: manufacturing}
contacts:
  - {id: a, name: Ann, title: CEO, answers: {final_say: yes}}
  - {id: b, name: Bob, title: Engineer, reports_to: a}
"""
    ident = identify(parse_account_text(text, "t.yaml"))
    shown = " ".join(texts(render_svg(ident, "en")))
    assert "Roles nobody covers yet" in shown and "Buyer" in shown


def test_account_text_is_escaped_and_the_svg_stays_valid() -> None:
    text = """
account: {name: "<script>alert(1)</script> & co"}
contacts:
  - {id: a, name: "<b>Ann</b> \\u001b[2J", title: "\\"quoted\\" & <i>"}
"""
    ident = identify(parse_account_text(text, "t.yaml"))
    for page in (render_svg(ident, "en"), render_html(ident, "en")):
        assert "<script>" not in page and "\x1b" not in page
    assert "<b>Ann</b> \\u001b[2J" in texts(render_svg(ident, "en"))


def test_wide_and_deep_charts_lay_out_without_overlap() -> None:
    lines = ["account: {name: Wide}", "contacts:", "  - {id: c0, name: Boss}"]
    lines += [f"  - {{id: c{i}, name: P{i}, reports_to: c{(i - 1) // 8}}}" for i in range(1, 60)]
    ident = identify(parse_account_text("\n".join(lines), "t.yaml"))
    root = ET.fromstring(render_svg(ident, "en"))
    rects = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
             for g in root.iter(f"{SVG}g") if g.get("class") == "contact" for r in g.findall(f"{SVG}rect")]
    assert len(rects) == 60
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            apart = a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
            assert apart
    chain = ["account: {name: Chain}", "contacts:", "  - {id: c0, name: N0}"]
    chain += [f"  - {{id: c{i}, name: N{i}, reports_to: c{i - 1}}}" for i in range(1, 150)]
    assert len(texts(render_svg(identify(parse_account_text("\n".join(chain), "t.yaml")), "en"))) > 150


def test_cli_writes_svg_html_and_stdout(runner, tmp_path: Path) -> None:
    case = str(case_path("mes-manufacturing"))
    for suffix in ("svg", "html"):
        out = tmp_path / f"map.{suffix}"
        result = runner.invoke(cli, ["map", case, "-o", str(out), "--lang", "zh"])
        assert result.exit_code == 0, result.output
        assert "王建国" in out.read_text(encoding="utf-8")
    piped = runner.invoke(cli, ["map", case, "-o", "-", "--lang", "en"])
    assert piped.exit_code == 0 and piped.stdout.startswith("<svg ")
    large = runner.invoke(cli, ["map", case, "-o", "-", "--large", "--format", "html"])
    assert large.stdout.startswith("<!DOCTYPE html>")
    bad = runner.invoke(cli, ["map", case, "-o", str(tmp_path / "map.png")])
    assert bad.exit_code == 2 and "--format svg or html" in bad.stderr
    assert not (tmp_path / "map.png").exists()


# --------------------------------------------------------------------------- real Chromium

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_chromium_renders_the_svg_and_the_html(tmp_path: Path) -> None:
    """One browser run prints a page that frames both files: each must show every contact
    (box and grid, so each name at least twice per file) and every role."""
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk); "
                    "the render test needs a real browser")
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the rendered PDF")
    ident = identify(load_case("mes-manufacturing"))
    (tmp_path / "map.svg").write_text(render_svg(ident, "zh"), encoding="utf-8")
    (tmp_path / "map.html").write_text(render_html(ident, "zh", large=True), encoding="utf-8")
    frame = '<iframe src="{}" style="width:1000px;height:1300px;border:0"></iframe>'
    page = tmp_path / "both.html"
    page.write_text("<!DOCTYPE html><html><body>" + frame.format("map.svg") + frame.format("map.html")
                    + "</body></html>", encoding="utf-8")
    pdf = tmp_path / "both.pdf"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
        check=True, capture_output=True, timeout=120)
    reader = pypdf.PdfReader(pdf)
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages))
    text = re.sub(r"\s+", "", text).translate(RADICALS)
    for r in ident.contacts:
        assert text.count(r.contact.name) >= 4, f"{r.contact.name} missing from a rendered file"
        for role in r.held:
            assert text.count(pick(ident.knowledge.roles[role].label, "zh")) >= 2
