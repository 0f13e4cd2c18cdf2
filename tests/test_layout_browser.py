"""What reviewers see, measured in headless chromium: at 1400 px on screen and printed on A4.

For the HTML report (the residential sample under every shipped pack, and a
copy with very long rule ids and drawing strings), the one-time notice, the
batch dashboard (with an error row) and the sunlight map, the browser's own
layout is asked (``tests/browser.py``): no two header cells, summary boxes
or badges overlap or run together, no table cell's or badge's text overflows
its box, and the page needs no horizontal scrolling. The sunlight map's
labels, legend, north arrow and scale bar do not overlap one another and
stay inside the drawing. Screenshots go to ``out/layout/`` (git-ignored) so
a person can look at them.

A control page with one overflowing cell and two overlapping headers shows
that the measurement catches both.
"""

from __future__ import annotations

import copy
import math
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import drawcheck
from browser import Browser, unavailable
from drawcheck.batch.runner import Submission, row_of
from drawcheck.batch.summary import to_html as summary_html
from drawcheck.pipeline import InputError
from drawcheck.reports.html import to_html as report_html
from drawcheck.review.notice import build_notice
from drawcheck.review.notice import to_html as notice_html
from drawcheck.standards.packs import PACK_DIR

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out" / "layout"
MEDIA = ("screen", "print")
#: Least horizontal gap between two badges or summary boxes on one line, px: closer reads as one word.
BADGE_GAP = 3.0
#: Least gap between the texts of two neighbouring header cells, px (about half a character).
HEADER_TEXT_GAP = 6.0

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))

#: (selector, least gap[, compare texts]) groups that must not overlap or run together; what must not overflow.
HEADERS = [("th", 0.0), ("th", HEADER_TEXT_GAP, True)]
REPORT_GROUPS = [*HEADERS, (".card", BADGE_GAP), (".badge", BADGE_GAP), ("header.top .inner > *", 0.0),
                 ("nav.toc a", BADGE_GAP)]
REPORT_OVERFLOW = "td, th, .badge, .card, header.top h1, header.top .sub"
NOTICE_GROUPS = [*HEADERS, ("table.head th, table.head td", 0.0), ("table.counts td", 0.0), (".sev", BADGE_GAP)]
NOTICE_OVERFLOW = "td, th, .sev, h1, h2, li"
SUMMARY_GROUPS = [*HEADERS, (".chips span", BADGE_GAP), (".s", BADGE_GAP)]
SUMMARY_OVERFLOW = "td, th, .s, .chips span"
SVG_PARTS = "text.label, g.legend, g.north-arrow, g.scale-bar, text.title"


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def residential() -> dict:
    packs = sorted(p.stem for p in PACK_DIR.glob("*.toml"))
    return drawcheck.check(ROOT / "samples" / "residential", packs=packs).data


def check_layout(browser: Browser, page: Path, name: str, groups, overflow: str, landscape: bool = False) -> dict:
    """Measure ``page`` on screen and in print, screenshot both, and assert the layout holds."""
    found = {}
    for media in MEDIA:
        browser.open(page, media=media, landscape=landscape)
        m = browser.measure(groups, overflow)
        browser.screenshot(OUT / f"{name}-{media}.png")
        found[media] = m
        assert m["cells"] > 0, f"{name} ({media}): nothing measured"
        assert not m["overlaps"], f"{name} ({media}) overlaps:\n" + "\n".join(m["overlaps"])
        assert not m["overflows"], f"{name} ({media}) overflows:\n" + "\n".join(m["overflows"])
        assert m["page_width"] <= m["viewport"] + 1, f"{name} ({media}): wider than the page ({m['page_width']} px)"
    return found


# -- the measurement itself ---------------------------------------------------------------------------------


def test_the_measurement_sees_overflow_and_overlap(browser, tmp_path):
    page = tmp_path / "control.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        "table{table-layout:fixed;width:300px;border-collapse:collapse} td{width:100px;white-space:nowrap}"
        "th{position:relative} th.b{left:-40px} .badge{display:inline-block;padding:0 4px;border:1px solid}"
        "</style></head><body><table><thead><tr><th class='a'>first header</th><th class='b'>second header</th>"
        "<th>third</th></tr></thead><tbody><tr><td>gb50016-2014:5.2.2/table-5.2.2/note-1-and-then-more</td>"
        "<td>short</td><td>ok</td></tr></tbody></table>"
        "<p><span class='badge'>error</span><span class='badge'>warning</span></p>"
        "<table style='table-layout:auto;width:auto'><tr><td class='t' style='padding:0;text-align:right'>errors</td>"
        "<td class='t' style='padding:0'>warnings</td></tr></table></body></html>",
        encoding="utf-8")
    browser.open(page)
    m = browser.measure([("th", 0.0), (".badge", BADGE_GAP), ("td.t", HEADER_TEXT_GAP, True)], "td, th")
    assert any("first header" in o and "second header" in o for o in m["overlaps"]), m
    assert any('"error"' in o and '"warning"' in o for o in m["overlaps"]), m  # badges that run together
    assert any('"errors"' in o and '"warnings"' in o for o in m["overlaps"]), m  # cell texts that touch
    assert any("gb50016-2014:5.2.2" in o for o in m["overflows"]), m
    assert not any('"short"' in o for o in m["overflows"])


# -- the HTML report ----------------------------------------------------------------------------------------


def test_report_layout_residential_all_packs(browser, residential, tmp_path):
    assert len(residential["packs"]) == len(list(PACK_DIR.glob("*.toml")))
    page = tmp_path / "report.html"
    page.write_text(report_html(residential), encoding="utf-8")
    m = check_layout(browser, page, "report-residential", REPORT_GROUPS, REPORT_OVERFLOW)
    assert all(n > 0 for n in m["screen"]["counts"][:4])  # header cells, summary cards, badges were measured


LONG_RULE = "shanghai-planning-technical-regulations-2021:art.27/table-3/note-2(a)"
#: A rule id without hyphens whose pieces each fit the column: it wraps at its <wbr> after ":" and "/" only.
PLAIN_RULE = "localplanning2026:article27/table3annexa/note2paragraphb/clause4item7"
LONG_TEXT = "C:/项目/某设计研究院有限公司/2026/某住宅地块二期/总平面/site_plan_final_final_v23_revised_for_review_" * 2
LONG_WORD = "1#住宅楼" + "A" * 90


def long_report(report: dict) -> dict:
    """The report with rule ids, names, paths, messages and subjects far longer than any column."""
    r = copy.deepcopy(report)
    r["project"]["name"] = "某某市某某区某某街道某某地块（" + "A" * 60 + "）住宅及配套公建项目 " + LONG_WORD
    r["project"]["inputs"][0]["path"] = LONG_TEXT + ".dxf"
    for i, rule in enumerate(r["rules"][:7]):
        old = rule["rule"]
        rule["rule"] = f"{LONG_RULE}/{i}" if i < 6 else PLAIN_RULE
        for f in r["findings"]:
            if f["rule"] == old:
                f["rule"] = rule["rule"]
    for f in r["findings"]:
        f["message"] = f["message"] + " " + LONG_TEXT
        f["subjects"] = [LONG_WORD, *f.get("subjects", [])]
        f["declared_text"] = LONG_WORD
    r["buildings"][0]["id"] = LONG_WORD
    r["plan"]["buildings"][0]["id"] = LONG_WORD
    r["indicators"]["green_area"] = {"value": None, "unit": "m2", "reason": LONG_TEXT}
    r["packs"][0]["id"] = "a-very-long-local-pack-identifier-for-this-city-district-2026"
    r["packs"][0]["overrides"] = {"minimum_spacing_between_high_rise_and_multi_storey": {"default": 9, "value": 13}}
    r["rules"][0]["reason"] = LONG_TEXT
    return r


def test_report_layout_long_ids_and_drawing_strings(browser, residential, tmp_path):
    report = long_report(residential)
    page = tmp_path / "report-long.html"
    html = report_html(report)
    page.write_text(html, encoding="utf-8")
    # the long rule ids may break after ':' and '/' and read the same as text
    assert "shanghai-planning-technical-regulations-2021:<wbr>art.27/<wbr>table-3/<wbr>note-2(a)/<wbr>0" in html
    check_layout(browser, page, "report-long", REPORT_GROUPS, REPORT_OVERFLOW)
    browser.open(page)
    texts = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('tr[data-rule] td.mono')).map(td => td.textContent)")
    assert f"{LONG_RULE}/0" in texts
    # the wrapped id takes several lines in its cell, each but the last ending at ':' or '/' (its <wbr>)
    lines = browser.driver.execute_script(r"""
        const td = Array.from(document.querySelectorAll('tr[data-rule] td.mono'))
                        .find(td => td.textContent === arguments[0]);
        const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
        const out = []; let last = null, line = '';
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          for (let i = 0; i < n.length; i++) {
            const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
            const top = Math.round(r.getBoundingClientRect().top);
            if (last !== null && top > last + 2) { out.push(line); line = ''; }
            last = top; line += n.data[i];
          }
        }
        out.push(line); return out;""", PLAIN_RULE)
    assert len(lines) > 1 and "".join(lines) == PLAIN_RULE, lines
    assert all(line[-1] in ":/" for line in lines[:-1]), lines


# -- the notice ---------------------------------------------------------------------------------------------


def test_notice_layout(browser, residential, tmp_path):
    notice = build_notice(residential, None, round=2, today=date(2026, 3, 2))
    page = tmp_path / "notice.html"
    page.write_text(notice_html(notice), encoding="utf-8")
    check_layout(browser, page, "notice", NOTICE_GROUPS, NOTICE_OVERFLOW)
    long = build_notice(long_report(residential), None, round=2, today=date(2026, 3, 2))
    page = tmp_path / "notice-long.html"
    page.write_text(notice_html(long), encoding="utf-8")
    check_layout(browser, page, "notice-long", NOTICE_GROUPS, NOTICE_OVERFLOW)


# -- the batch dashboard ------------------------------------------------------------------------------------


def _error_of(path: Path) -> str:
    try:
        drawcheck.check(path)
    except InputError as exc:
        return str(exc)
    raise AssertionError(f"{path} was expected to be unreadable")


def test_batch_summary_layout(browser, residential, tmp_path):
    compliant = drawcheck.check(ROOT / "samples" / "compliant").data
    broken = tmp_path / ("某设计院_" + "very-long-submission-name-" * 4 + ".dxf")
    broken.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "drawcheck.toml").write_text(
        '[project]\nname = "x"\ninputs = ["../../../../etc/' + "deeply/nested/" * 8 + 'passwd"]\n', encoding="utf-8")
    rows = [
        row_of(Submission("compliant", str(ROOT / "samples/compliant"), "dir", ROOT / "samples/compliant"),
               "report", compliant, None, 1.234, "error"),
        row_of(Submission("residential", str(ROOT / "samples/residential"), "dir", ROOT / "samples/residential"),
               "unchanged", residential, None, 0.01, "error"),
        row_of(Submission("broken", str(broken), "file", broken), "unreadable", None, _error_of(broken), 0.2, "error"),
        row_of(Submission("hostile", str(hostile), "dir", hostile), "unreadable", None, _error_of(hostile), 0.1,
               "error"),
        row_of(Submission("slow", "slow", "dir", tmp_path / "slow"), "timeout", None,
               "no result within 300 s (--timeout); the check was stopped", 300.0, "error"),
    ]
    rows.sort(key=lambda r: r["name"])
    page = tmp_path / "summary.html"
    html = summary_html(rows, {"fail_on": "error", "exit_code": 2, "ignored": [str(tmp_path / "notes.txt")],
                               "executor": "local (2 jobs, forked children)"})
    page.write_text(html, encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4 landscape", html)  # so print is measured at A4 landscape's width
    check_layout(browser, page, "batch-summary", SUMMARY_GROUPS, SUMMARY_OVERFLOW, landscape=True)
    # the whole one-line error is on the page, wrapped inside its cell
    browser.open(page)
    cells = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('td.err')).map(td => "
        "[td.textContent, td.getBoundingClientRect().height])")
    errors = {r["error"] for r in rows if r["error"]}
    assert {text for text, _ in cells} == errors
    line = browser.driver.execute_script("return parseFloat(getComputedStyle(document.querySelector('td.err'))"
                                         ".lineHeight) || 18")
    assert any(height > 1.5 * line for _, height in cells)  # the longest error wraps onto more lines


# -- the sunlight map ---------------------------------------------------------------------------------------


def _sunlight_map(folder: Path, out: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "sunlight", str(folder), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out / "sunlight.svg"


def _overlapping(boxes: list[dict]) -> list[str]:
    bad = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            across = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            down = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if across > 0.5 and down > 0.5:
                bad.append(f"{a['name']} / {b['name']}")
    return bad


def test_sunlight_map_layout(browser, residential, tmp_path):
    svg = _sunlight_map(ROOT / "samples" / "residential", tmp_path / "sun")
    ids = sorted(b["id"] for b in residential["buildings"] + residential["existing_buildings"])
    text = svg.read_text(encoding="utf-8")
    labels = sorted(re.findall(r'<text class="label"[^>]*>([^<]*)</text>', text))
    assert labels == ids  # each building named once, however many parts it has
    for media in MEDIA:
        browser.open(svg, media=media)
        boxes = browser.boxes(SVG_PARTS)
        browser.screenshot(OUT / f"sunlight-{media}.png")
        kinds = {b["name"].split()[0] for b in boxes}
        assert {"label", "legend", "north-arrow", "scale-bar", "title"} <= kinds, kinds
        assert not _overlapping(boxes), _overlapping(boxes)
        frame = browser.boxes("svg")[0]
        for b in boxes:  # everything inside the drawing
            assert frame["x0"] - 0.5 <= b["x0"] and b["x1"] <= frame["x1"] + 0.5, (b, frame)
            assert frame["y0"] - 0.5 <= b["y0"] and b["y1"] <= frame["y1"] + 0.5, (b, frame)
        width = browser.driver.execute_script("return document.documentElement.clientWidth")
        assert frame["x1"] - frame["x0"] <= width + 1


def _rotated_sample(tmp_path: Path, angle: float) -> Path:
    folder = tmp_path / "rotated"
    shutil.copytree(ROOT / "samples" / "residential", folder)
    toml = folder / "drawcheck.toml"
    toml.write_text(re.sub(r"north_angle = [-0-9.]+", f"north_angle = {angle}", toml.read_text(encoding="utf-8")),
                    encoding="utf-8")
    return folder


def test_sunlight_map_north_arrow_follows_the_manifest(browser, tmp_path):
    """north_angle 30 (true north 30° counter-clockwise of the drawing's +Y): the arrow points up and left."""
    angle = 30.0
    svg = _sunlight_map(_rotated_sample(tmp_path, angle), tmp_path / "sun")
    browser.open(svg)
    [tip] = browser.boxes("g.north-arrow .tip")
    [base] = browser.boxes("g.north-arrow .base")
    dx = (tip["x0"] + tip["x1"]) / 2 - (base["x0"] + base["x1"]) / 2
    dy = (tip["y0"] + tip["y1"]) / 2 - (base["y0"] + base["y1"]) / 2
    # by hand: north is (-sin a, cos a) in the drawing; the page's y grows downwards
    expected = math.degrees(math.atan2(math.cos(math.radians(angle)), -math.sin(math.radians(angle))))
    assert math.degrees(math.atan2(-dy, dx)) == pytest.approx(expected, abs=1.0)
    assert expected == pytest.approx(120.0)


def test_sunlight_map_scale_bar_is_a_round_length_at_the_map_scale(browser, residential, tmp_path):
    svg = _sunlight_map(ROOT / "samples" / "residential", tmp_path / "sun")
    text = svg.read_text(encoding="utf-8")
    m = re.search(r'<g class="scale-bar" data-metres="([0-9.]+)"', text)
    assert m
    metres = float(m.group(1))
    assert metres in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
    browser.open(svg)
    [bar] = browser.boxes("g.scale-bar rect.bar")
    # the site boundary as drawn against the report's site: the same px per metre as the bar
    [site] = browser.boxes("polygon.site")
    ring = residential["plan"]["site"][0][0]
    width_m = max(p[0] for p in ring) - min(p[0] for p in ring)
    px_per_m = (site["x1"] - site["x0"]) / width_m
    assert (bar["x1"] - bar["x0"]) / metres == pytest.approx(px_per_m, rel=0.02)

