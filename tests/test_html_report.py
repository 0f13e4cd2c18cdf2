"""The HTML report (drawcheck.reports.html): a self-contained rendering of the JSON report.

Rendered from real reports (the DXF samples, the IFC sample, and a tiny sunlight
plan whose findings are Points) and parsed back with ``html.parser`` and
``xml.etree``: every located finding has its marker on the plan, every
department with findings its section, every rule its outcome; nothing loads
from the network and nothing runs; text from the report is escaped; the same
report gives the same bytes. A headless-chromium screenshot runs when chromium
is installed.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import drawcheck
from drawcheck.reports.html import MAX_PER_RULE, to_html
from drawcheck.reports.plan_svg import format_quantity, plan_svg
from drawcheck.reports.report import to_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("residential", "compliant", "residential-ifc")
SVG_NS = "{http://www.w3.org/2000/svg}"
#: The only URLs allowed in the page: XML namespace names, which are never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg"}
CHROMIUM = Path("/usr/bin/chromium")
INJECTED = "<script>alert(1)</script>"


def _sunlight_plan(folder: Path) -> Path:
    """A 6-floor slab with a 60 m tower 10 m south of it: Point findings and a `sunlight` section."""
    from fixture_plans import Plan

    p = Plan().site(0, -60, 100, 60)
    p.packs = ["shanghai-sunlight"]
    p.building("1# 6F H=18.0 住宅", 30, 20, 70, 32)
    p.building("2# 20F H=60.0 办公", 20, -20, 80, 10)
    p.save(folder)
    return folder


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    out = {name: drawcheck.check(ROOT / "samples" / name).data for name in SAMPLES}
    out["sunlight"] = drawcheck.check(_sunlight_plan(tmp_path_factory.mktemp("sun") / "sun")).data
    return out


class Page(HTMLParser):
    """What the tests look for: ids, sections, rule rows and their outcomes, markers, scripts, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.sections: dict[str, set[str]] = {}  # department -> finding ids in its section
        self.rule_rows: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self.text: list[str] = []
        self._dept: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        for key in ("href", "src", "xlink:href", "data", "action", "poster", "srcset"):
            if a.get(key):
                self.urls.append(a[key])
        for key, value in attrs:
            self.urls.extend(re.findall(r"url\(([^)]*)\)", value or ""))
        if tag == "section":
            if self._dept is not None:
                self._depth += 1
            elif "dept" in (a.get("class") or "").split():
                self._dept, self._depth = a["data-department"], 0
                self.sections[self._dept] = set()
        if self._dept is not None and tag == "tr" and "data-finding" in a:
            self.sections[self._dept].add(a["data-finding"])
        if tag == "tr" and "data-outcome" in a:
            self.rule_rows.append((a["data-rule"], a["data-outcome"]))

    def handle_endtag(self, tag):
        if tag == "section" and self._dept is not None:
            if self._depth:
                self._depth -= 1
            else:
                self._dept = None

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    return p


def svg_of(page: str) -> ET.Element:
    """The inline site plan, parsed as XML (it must be well-formed on its own)."""
    m = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="plan".*?</svg>', page, re.S)
    assert m, "no site plan SVG in the page"
    return ET.fromstring(m.group(0))


def markers(svg: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id")[len("marker-"):]: g for g in svg.iter(f"{SVG_NS}g")
            if (g.get("id") or "").startswith("marker-")}


@pytest.mark.parametrize("name", SAMPLES + ("sunlight",))
def test_every_located_finding_is_marked_on_the_plan(reports, name):
    report = reports[name]
    svg = svg_of(to_html(report, ROOT))
    located = {f["id"] for f in report["findings"] if f.get("location")}
    assert set(markers(svg)) == located
    for fid, g in markers(svg).items():
        assert "".join(g.itertext()).count(fid) >= 1  # the id is written in the marker
    if name == "residential":
        assert located  # the sample has spacing failures drawn as dimension lines
    if name == "sunlight":
        assert located and all(f["location"]["type"] == "Point" for f in report["findings"] if f.get("location"))


def test_linestring_findings_get_a_dimension_line_with_the_measured_distance(reports):
    report = reports["residential"]
    svg = svg_of(to_html(report, ROOT))
    labels = {"".join(t.itertext()) for t in svg.iter(f"{SVG_NS}text") if t.get("class") == "dim-label"}
    lines = [f for f in report["findings"] if (f.get("location") or {}).get("type") == "LineString"]
    assert lines
    for f in lines:
        label = format_quantity(f["measured"], f["unit"])
        assert any(label in text for text in labels), (f["id"], label, labels)
    assert sum(1 for g in svg.iter(f"{SVG_NS}g") if g.get("class") == "dimension") == len(
        {json.dumps(f["location"]) for f in lines})


def test_plan_draws_the_report_outlines(reports):
    report = reports["residential"]
    svg = svg_of(to_html(report, ROOT))
    drawn = {g.get("data-building"): g.get("class") for g in svg.iter(f"{SVG_NS}g") if g.get("data-building")}
    assert drawn == {b["id"]: "building " + ("existing" if b["kind"] == "existing" else "new")
                     for b in report["plan"]["buildings"]}
    for b in report["plan"]["buildings"]:
        g = next(g for g in svg.iter(f"{SVG_NS}g") if g.get("data-building") == b["id"])
        assert len(g.findall(f"{SVG_NS}path")) == len(b["parts"])
    classes = {g.get("class"): g for g in svg.iter(f"{SVG_NS}g")}
    for layer in ("site", "green", "roads", "basements"):
        assert len(list(classes[layer])) == len(report["plan"][layer]), layer
    assert "scale-bar" in classes and "north-arrow" in classes


def test_y_axis_points_north(reports):
    """A building further north in the drawing sits higher on the page (smaller SVG y)."""
    report = reports["residential"]
    svg = svg_of(to_html(report, ROOT))
    labels = {t.text: float(t.get("y")) for g in svg.iter(f"{SVG_NS}g") if g.get("class") == "labels"
              for t in g}
    north_y = {b["id"]: max(p[1] for part in b["parts"] for p in part[0]) for b in report["plan"]["buildings"]}
    a, b = sorted(north_y, key=north_y.get)[0], sorted(north_y, key=north_y.get)[-1]
    assert labels[a] > labels[b]


@pytest.mark.parametrize("name", SAMPLES + ("sunlight",))
def test_sections_rules_and_self_containment(reports, name):
    report = reports[name]
    page = to_html(report, ROOT)
    p = parse(page)
    by_dept: dict[str, set[str]] = {}
    for f in report["findings"]:
        by_dept.setdefault(f["department"], set()).add(f["id"])
    assert set(p.sections) == set(by_dept)
    for dept, ids in by_dept.items():
        assert f"dept-{dept}" in p.ids
        assert p.sections[dept] == ids  # each finding in its department's section (none cut here)
    assert sorted(p.rule_rows) == sorted((r["rule"], r["outcome"]) for r in report["rules"])
    assert len(p.rule_rows) == len(report["rules"])
    assert len(p.ids) == len(set(p.ids)), "duplicate element ids"
    # nothing runs and nothing is fetched
    assert "<script" not in page.lower()
    assert not {"script", "iframe", "object", "embed", "link", "img", "video", "audio"} & set(p.tags)
    assert not [u for u in p.urls if not u.startswith("#")], p.urls
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= NAMESPACES
    assert "@import" not in page and "@font-face" not in page


def test_rule_that_did_not_run_shows_its_reason_and_never_reads_as_passed(reports):
    report = reports["residential"]
    p = parse(to_html(report, ROOT))
    not_run = [r for r in report["rules"] if r["outcome"] == "not_run"]
    assert not_run
    text = "".join(p.text)
    for r in not_run:
        assert r["reason"] in text
        assert (r["rule"], "passed") not in p.rule_rows


def test_header_summary_and_indicators(reports):
    report = reports["residential"]
    page = to_html(report, ROOT)
    text = "".join(parse(page).text)
    assert report["project"]["name"] in text and report["tool"]["version"] in text
    for i in report["project"]["inputs"]:
        assert i["path"] in text and i["sha256"] in text
    for pack in report["packs"]:
        assert pack["id"] in text and pack["sha256"][:16] in text and f'title="{pack["sha256"]}"' in page
    assert report["units"]["source"] in text
    assert re.search(r"<b>%d</b>错误 errors" % report["summary"]["errors"], page)
    for dept in report["summary"]["by_department"]:
        assert f'<tr data-department="{dept}">' in page
    # the declared FAR differs from the drawing: its row is highlighted
    assert report["indicators"]["far"]["status"] == "mismatch"
    assert re.search(r'<tr data-indicator="far" class="mismatch">', page)
    assert "容积率 FAR" in text and "2.6122" in text


def test_overrides_null_indicators_and_confidence_are_shown(reports):
    report = copy.deepcopy(reports["residential"])
    report["packs"][0]["overrides"] = {"zeta": {"default": 1.0, "value": 2.0}, "alpha": {"default": 6, "value": 9}}
    report["indicators"]["green_area"] = {"value": None, "unit": "m2", "reason": "no green layer 无绿地图层"}
    page = to_html(report, ROOT)
    text = "".join(parse(page).text)
    assert "alpha" in text and "(默认 default 6)" in text and text.index("alpha") < text.index("zeta")
    assert "no green layer 无绿地图层" in text
    secondary = next(f for f in report["findings"] if f["confidence"] == "secondary")
    row = re.search(r'<tr id="%s".*?</tr>' % secondary["id"], page, re.S).group(0)
    assert "conf-secondary" in row


def test_failures_come_first_and_long_rules_are_truncated(reports):
    report = copy.deepcopy(reports["residential"])
    template = next(f for f in report["findings"] if f["rule"] == "shanghai-planning:27")
    extra = []
    for i in range(MAX_PER_RULE + 20):
        f = dict(template, id=f"F{9000 + i:04d}", severity="info" if i == 0 else "warning", location=None)
        extra.append(f)
    report["findings"] = report["findings"] + extra
    page = to_html(report, ROOT)
    p = parse(page)
    of_rule = {f["id"] for f in report["findings"] if f["rule"] == "shanghai-planning:27"}
    assert len(p.sections["planning"] & of_rule) == MAX_PER_RULE
    assert f"另有 {len(of_rule) - MAX_PER_RULE} 项" in page
    group = re.search(r'<div class="rule-group" data-rule="shanghai-planning:27">.*?</table>', page, re.S)
    rows = re.findall(r'<tr id="(F\d+)" class="finding sev-row-(\w+)"', group.group(0))
    severities = [s for _, s in rows]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)  # errors first
    assert "F9000" not in p.sections["planning"]  # the one info sorts after the errors and warnings, cut


def test_report_text_is_escaped(reports):
    report = copy.deepcopy(reports["residential"])
    report["project"]["name"] = INJECTED
    report["plan"]["buildings"][0]["id"] = INJECTED
    report["buildings"][0]["id"] = INJECTED
    located = next(f for f in report["findings"] if f.get("location"))
    located["message"] = INJECTED + ' " onload="x'
    located["subjects"] = [INJECTED]
    report["rules"][0]["reason"] = INJECTED
    report["indicators"]["far"]["reason"] = INJECTED
    page = to_html(report, ROOT)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onload="x' not in page
    text = "".join(parse(page).text)
    assert INJECTED in text  # rendered as text, not markup
    svg = svg_of(page)  # still well-formed
    assert any(t.text == INJECTED for t in svg.iter(f"{SVG_NS}text"))
    assert INJECTED in plan_svg(report).replace("&lt;", "<").replace("&gt;", ">")
    assert "<script" not in plan_svg(report)


@pytest.mark.parametrize("name", SAMPLES)
def test_deterministic_and_independent_of_key_order(reports, name):
    report = reports[name]
    page = to_html(report, ROOT)
    assert to_html(copy.deepcopy(report), ROOT) == page
    # the same report read back from its JSON file (keys sorted) renders to the same bytes
    assert to_html(json.loads(to_json(report)), ROOT) == page


def test_print_stylesheet_and_cjk_fonts(reports):
    page = to_html(reports["compliant"], ROOT)
    assert "@media print" in page and re.search(r"@page\s*\{\s*size:\s*A4", page)
    assert re.search(r"break-before:\s*page", page)
    assert '"Noto Sans CJK SC"' in page and '"Microsoft YaHei"' in page
    assert '<meta charset="utf-8">' in page


def test_empty_plan_still_renders():
    page = to_html({"findings": [], "rules": [], "indicators": {}, "packs": [], "project": {"name": "x", "inputs": []},
                    "summary": {"errors": 0, "warnings": 0, "infos": 0, "by_department": {}}}, ROOT)
    svg = svg_of(page)
    assert "no plan outlines" in "".join(svg.itertext())


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed: apt-get install chromium")
def test_browser_renders_a_screenshot(reports):
    out = ROOT / "out" / "test_html_report"
    out.mkdir(parents=True, exist_ok=True)
    page = out / "report.html"
    page.write_text(to_html(reports["residential"], ROOT), encoding="utf-8")
    shot = out / "report.png"
    shot.unlink(missing_ok=True)
    profile = tempfile.mkdtemp(prefix="drawcheck-chromium-")
    try:
        subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1280,2000",
                        page.as_uri()], capture_output=True, timeout=180, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert shot.exists(), "chromium wrote no screenshot"
    assert _png_size(shot) == (1280, 2000)
    # a blank page compresses to a few kB; tables, Chinese text and the plan do not
    assert shot.stat().st_size > 50_000


def test_rule_ids_break_after_colon_and_slash_and_stay_escaped(reports):
    from drawcheck.reports.html import breakable

    assert str(breakable("shanghai-sunlight:2021/housing")) == "shanghai-sunlight:<wbr>2021/<wbr>housing"
    assert str(breakable('<b x="1">:a/</b>')) == "&lt;b x=&#34;1&#34;&gt;:<wbr>a/<wbr>&lt;/<wbr>b&gt;"
    report = copy.deepcopy(reports["residential"])
    report["rules"][0]["rule"] = INJECTED + ":1/2"
    page = to_html(report, ROOT)
    assert "&lt;script&gt;alert(1)&lt;/<wbr>script&gt;:<wbr>1/<wbr>2" in page and "<script" not in page
    text = "".join(parse(page).text)
    assert INJECTED + ":1/2" in text  # <wbr> adds no text


def test_declared_values_and_indicator_notes_have_their_own_columns(reports):
    report = copy.deepcopy(reports["residential"])
    report["indicators"]["green_area"] = {"value": None, "unit": "m2", "reason": "no green layer 无绿地图层"}
    page = to_html(report, ROOT)
    far = next(f for f in report["findings"] if f["rule"] == "declared:far")
    group = re.search(r'<div class="rule-group" data-rule="declared:far">.*?</table>', page, re.S).group(0)
    assert '<th class="num">申报 declared</th>' in group and "要求 required" not in group
    row = re.search(r'<tr id="%s".*?</tr>' % far["id"], group, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    # measured, then the declared value (2.4 read from the drawing's text 容积率：2.40) in the next column
    assert cells[3] == "2.6122" and cells[4].startswith("2.4000") and far["declared_text"] in cells[4]
    assert far["declared_text"] not in cells[2]  # no longer folded into the message
    green = re.search(r'<tr data-indicator="green_area">.*?</tr>', page, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", green, re.S)
    assert cells[1] == "—" and cells[-1] == "no green layer 无绿地图层"
    # a rule group without declared values keeps the required column
    spacing = re.search(r'<div class="rule-group" data-rule="shanghai-planning:27">.*?</table>', page, re.S).group(0)
    assert "要求 required" in spacing and "申报 declared" not in spacing
