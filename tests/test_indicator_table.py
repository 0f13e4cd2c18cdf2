"""drawcheck table: the 经济技术指标表 written into the drawing and as pre-fill JSON (issue 14, point 3).

Round trip on every shipped DXF sample: write, check the written submission again, every declared
value ``ok`` and equal to what drawcheck computes; the drawing differs from the original only on
the indicators layer (entity by entity, every DXF tag). Expected numbers come from the samples'
``expected.json`` (computed by the sample generators from their own geometry, not by drawcheck).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import ezdxf
import pytest
from ezdxf.lldxf.tagwriter import TagCollector

from cli_checks import refused
from drawcheck.pipeline import check

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DXF_SAMPLES = ["residential", "compliant", "mixed", "area-calc"]
#: The convention's indicators layer names (§2) the samples use, case-folded.
INDICATOR_LAYERS = {"经济技术指标", "指标", "indicators"}
#: Row name -> report key, as convention §7 names them (and 地上/地下建筑面积, 户数, which §7 does not declare).
NAME_KEY = {"总用地面积": "site_area", "总建筑面积": "gfa_total", "地上建筑面积": "gfa_above", "地下建筑面积": "gfa_below",
            "计容建筑面积": "gfa_far", "容积率": "far", "建筑密度": "coverage", "绿地率": "green_ratio",
            "建筑高度": "max_height", "机动车停车位": "parking_spaces", "户数": "households"}
DECLARED_KEYS = ["site_area", "gfa_total", "gfa_far", "far", "coverage", "green_ratio", "max_height", "parking_spaces"]
ROW = re.compile(r"(?P<name>[^:]+):(?P<num>\d+(?:\.\d+)?)(?P<unit>㎡|m|%|个|户)?")
#: Half the last reported digit (report-json.md: areas 2 decimals, lengths 3, ratios 4): the
#: rounding drawcheck applies, so a written value lies this close to the unrounded expected one.
HALF_DIGIT = {"m2": 0.005, "m": 0.0005, "ratio": 0.00005, "count": 0}
UNIT_OF = {"site_area": "m2", "gfa_total": "m2", "gfa_above": "m2", "gfa_below": "m2", "gfa_far": "m2", "far": "ratio",
           "coverage": "ratio", "green_ratio": "ratio", "max_height": "m", "parking_spaces": "count"}
#: Float slack of a per-cent value parsed back (23.43 / 100 is not exactly 0.2343 in binary).
PARSE_SLACK = 1e-12


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "drawcheck", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def on_indicator_layer(e) -> bool:
    return e.dxf.get("layer", "0").casefold() in INDICATOR_LAYERS


def table_rows(path: Path) -> dict[str, float]:
    """Report key -> value in report units (ratios 0-1), from the drawing's indicator-layer TEXTs read here."""
    rows = {}
    for e in ezdxf.readfile(path).modelspace().query("TEXT"):
        m = ROW.fullmatch(e.dxf.text) if on_indicator_layer(e) else None
        if m:
            value = float(m["num"])
            rows[NAME_KEY[m["name"]]] = value / 100 if m["unit"] == "%" else value
    return rows


def entity_tags(doc) -> dict[str, tuple[str, str, list]]:
    """Handle -> (type, layer, every DXF tag ezdxf writes) of each entity in model space, paper space and blocks."""
    out = {}
    for layout in [*doc.layouts, *doc.blocks]:
        for e in layout:
            collector = TagCollector(dxfversion=doc.dxfversion)
            e.export_dxf(collector)
            out[e.dxf.handle] = (e.dxftype(), e.dxf.get("layer", "0"), collector.tags)
    return out


def expected_values(sample: str) -> dict:
    data = json.loads((SAMPLES / sample / "expected.json").read_text(encoding="utf-8"))
    return data.get("indicators", data)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each DXF sample's table written once (dxf and json), with the process and the re-check of the output."""
    out = {}
    for sample in DXF_SAMPLES:
        target = tmp_path_factory.mktemp(sample)
        proc = run("table", SAMPLES / sample, "--out", target, "--format", "dxf,json")
        out[sample] = (target, proc, check(target).data)
    return out


@pytest.fixture(scope="module")
def originals():
    return {sample: check(SAMPLES / sample).data for sample in DXF_SAMPLES}


@pytest.mark.parametrize("sample", DXF_SAMPLES)
def test_round_trip_every_declared_value_ok(sample, written):
    target, proc, report = written[sample]
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    for key in DECLARED_KEYS:
        row = report["indicators"][key]
        assert row["status"] == "ok", (key, row)
        assert row["declared"] == pytest.approx(row["value"], abs=PARSE_SLACK), (key, row)
    assert not [f for f in report["findings"] if f["rule"].startswith("declared:")]
    declared_rules = [r for r in report["rules"] if r["rule"].split(":")[0] == "declared" and r["rule"].split(":")[1] in DECLARED_KEYS]
    assert len(declared_rules) == len(DECLARED_KEYS) and all(r["outcome"] == "passed" for r in declared_rules)


@pytest.mark.parametrize("sample", DXF_SAMPLES)
def test_written_values_are_the_computed_ones(sample, written, originals):
    target, _, report = written[sample]
    rows = table_rows(target / "site.dxf")
    assert set(rows) == set(UNIT_OF)  # every row, no households (no sample labels them)
    expected = expected_values(sample)
    for key, value in rows.items():
        assert value == pytest.approx(originals[sample]["indicators"][key]["value"], abs=PARSE_SLACK), key
        assert value == pytest.approx(report["indicators"][key]["value"], abs=PARSE_SLACK), key
        if key in expected:  # the generator's own number, unrounded
            assert abs(value - expected[key]) <= HALF_DIGIT[UNIT_OF[key]] + PARSE_SLACK, (key, value, expected[key])


@pytest.mark.parametrize("sample", DXF_SAMPLES)
def test_drawing_differs_only_on_the_indicators_layer(sample, written):
    target, _, _ = written[sample]
    before = entity_tags(ezdxf.readfile(SAMPLES / sample / "site.dxf"))
    after = entity_tags(ezdxf.readfile(target / "site.dxf"))
    kept = {h: v for h, v in before.items() if v[1].casefold() not in INDICATOR_LAYERS}
    assert kept and {h: after.get(h) for h in kept} == kept
    changed = {h for h in set(before) ^ set(after)} | {h for h in before if h in after and before[h] != after[h]}
    assert all((before.get(h) or after[h])[1].casefold() in INDICATOR_LAYERS for h in changed)
    gone = {h for h, (kind, layer, _) in before.items() if layer.casefold() in INDICATOR_LAYERS and kind in ("TEXT", "MTEXT")}
    assert not gone & set(after)  # the old table's text is gone
    lines = {h for h, (kind, layer, _) in before.items() if layer.casefold() in INDICATOR_LAYERS and kind == "LINE"}
    assert lines <= set(after)  # its grid lines stay
    new = set(after) - set(before)
    assert len(new) == 1 + len(UNIT_OF) and all(after[h][0] == "TEXT" for h in new)  # title + one TEXT per row


def test_folder_copy_is_a_submission(written):
    """The manifest and every other input go beside the drawing, unchanged."""
    target, _, _ = written["mixed"]
    assert sorted(p.name for p in target.iterdir()) == ["building-1.ifc", "building-2.ifc", "drawcheck.toml", "site.dxf",
                                                          "table.json"]
    for name in ("building-1.ifc", "building-2.ifc", "drawcheck.toml"):
        assert (target / name).read_bytes() == (SAMPLES / "mixed" / name).read_bytes()
    target, _, _ = written["area-calc"]
    assert (target / "area-1.dxf").read_bytes() == (SAMPLES / "area-calc" / "area-1.dxf").read_bytes()


def test_wrong_declared_far_is_corrected(written, originals):
    """The residential table declares 容积率 2.40; the drawing gives 56200 / 21514.16 (expected.json)."""
    before = originals["residential"]
    assert before["indicators"]["far"]["status"] == "mismatch" and before["indicators"]["far"]["declared"] == 2.40
    assert [f for f in before["findings"] if f["rule"] == "declared:far"]
    expected = expected_values("residential")
    far = round(expected["gfa_far"] / expected["site_area"], 4)
    assert far == 2.6122
    target, _, after = written["residential"]
    assert after["indicators"]["far"]["declared"] == far and after["indicators"]["far"]["status"] == "ok"
    assert table_rows(target / "site.dxf")["far"] == far


def test_table_takes_the_old_tables_place_height_and_style(written):
    """Residential (mm): the old texts' top-left corner, their median height (2500 mm), their style HZ."""
    old = [e for e in ezdxf.readfile(SAMPLES / "residential" / "site.dxf").modelspace()
           if on_indicator_layer(e) and e.dxftype() in ("TEXT", "MTEXT")]
    left = min(e.dxf.insert.x for e in old)
    top = max(e.dxf.insert.y + e.dxf.height for e in old if e.dxftype() == "TEXT")  # the title, 3000 mm high
    target, _, _ = written["residential"]
    new = [e for e in ezdxf.readfile(target / "site.dxf").modelspace().query("TEXT") if on_indicator_layer(e)]
    assert {e.dxf.insert.x for e in new} == {left}
    title, rows = new[0], new[1:]
    assert title.dxf.text == "主要经济技术指标"
    assert title.dxf.insert.y + title.dxf.height == pytest.approx(top)
    assert {e.dxf.height for e in rows} == {2500.0}
    assert {e.dxf.style for e in new} == {"HZ"} and {e.dxf.layer for e in new} == {"经济技术指标"}
    ys = [e.dxf.insert.y for e in new]
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == len(ys)  # one row under the other


def site_corners(path: Path, layer: str) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of the site boundary polyline, in drawing units."""
    site = next(e for e in ezdxf.readfile(path).modelspace().query("LWPOLYLINE") if e.dxf.layer == layer)
    xs, ys = zip(*((x, y) for x, y, *_ in site.get_points()))
    return min(xs), min(ys), max(xs), max(ys)


def test_without_an_old_table_the_table_goes_beside_the_site(written):
    """area-calc has no table: the rows go right of the site, top aligned, on the convention's layer."""
    target, _, _ = written["area-calc"]
    x0, y0, x1, y1 = site_corners(SAMPLES / "area-calc" / "site.dxf", "用地红线")
    new = [e for e in ezdxf.readfile(target / "site.dxf").modelspace().query("TEXT") if on_indicator_layer(e)]
    assert len(new) == 1 + len(UNIT_OF)
    assert all(e.dxf.insert.x > x1 for e in new)
    assert new[0].dxf.insert.y + new[0].dxf.height == pytest.approx(y1)
    assert {e.dxf.layer for e in new} == {"经济技术指标"}


def test_beside_the_site_in_millimetres(tmp_path):
    """Residential in mm with its table deleted: the new rows lie right of the site in mm, text 1/60 of it."""
    sub = tmp_path / "sub"
    shutil.copytree(SAMPLES / "residential", sub)
    doc = ezdxf.readfile(sub / "site.dxf")
    for e in [e for e in doc.modelspace() if on_indicator_layer(e)]:
        doc.modelspace().delete_entity(e)
    doc.saveas(sub / "site.dxf")
    out = tmp_path / "out"
    proc = run("table", sub, "--out", out)
    assert proc.returncode == 0, proc.stderr
    x0, y0, x1, y1 = site_corners(sub / "site.dxf", "用地红线")
    new = [e for e in ezdxf.readfile(out / "site.dxf").modelspace().query("TEXT") if on_indicator_layer(e)]
    assert all(x1 < e.dxf.insert.x < x1 + (x1 - x0) for e in new)  # mm: a metre-sized offset would sit inside the site
    size = max(x1 - x0, y1 - y0)
    assert 0.5 * size / 60 <= new[1].dxf.height <= 1.5 * size / 60  # ~2.8 m of a 170 m site, in mm
    report = check(out).data
    assert all(report["indicators"][k]["status"] == "ok" for k in DECLARED_KEYS)


def test_json_is_the_same_numbers_as_the_drawing(written, tmp_path):
    target, _, _ = written["residential"]
    proc = run("table", SAMPLES / "residential", "--format", "json")
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data == json.loads((target / "table.json").read_text(encoding="utf-8"))
    assert data["project"] == {"name": "某住宅地块", "land_use": "residential", "latitude": 31.2333, "longitude": 121.4667}
    texts = [e.dxf.text for e in ezdxf.readfile(target / "site.dxf").modelspace().query("TEXT") if on_indicator_layer(e)]
    assert [row["text"] for row in data["indicators"]] == texts[1:]
    rows = table_rows(target / "site.dxf")
    for row in data["indicators"]:
        shown = row["value"] / 100 if row["unit"] == "%" else row["value"]
        assert shown == pytest.approx(rows[row["key"]], abs=PARSE_SLACK)
        assert row["name"] in NAME_KEY and NAME_KEY[row["name"]] == row["key"]
    units = {row["key"]: row["unit"] for row in data["indicators"]}
    assert units["far"] is None and units["coverage"] == "%" and units["site_area"] == "㎡" and units["max_height"] == "m"


def test_json_of_a_lone_drawing_has_no_location():
    """A lone DXF has no manifest: the project is its file name, and no site location is made up."""
    data = json.loads(run("table", SAMPLES / "compliant" / "site.dxf", "--format", "json").stdout)
    assert data["project"] == {"name": "site"}


def test_lone_drawing_writes_the_drawing_only(tmp_path):
    proc = run("table", SAMPLES / "compliant" / "site.dxf", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["site.dxf"]
    report = check(tmp_path / "site.dxf").data
    assert all(report["indicators"][k]["status"] == "ok" for k in DECLARED_KEYS)


def relabel(path: Path, labels: dict[str, str]) -> None:
    """Replace building label texts (whole text -> new text) in the drawing at ``path``."""
    doc = ezdxf.readfile(path)
    for e in doc.modelspace().query("TEXT"):
        if e.dxf.text in labels:
            e.dxf.text = labels[e.dxf.text]
    doc.saveas(path)


def test_households_when_labelled(tmp_path):
    """Compliant's residential 1# and 2# labelled 120户 and 96户: 户数 216 (3# is 配套, needs none)."""
    sub = tmp_path / "sub"
    shutil.copytree(SAMPLES / "compliant", sub)
    relabel(sub / "site.dxf", {"1# 18F H=54.0m 住宅": "1# 18F H=54.0m 住宅 120户", "2# 18F H=54.0m 住宅": "2# 18F H=54.0m 住宅 96户"})
    proc = run("table", sub, "--format", "json")
    assert proc.returncode == 0 and proc.stderr == ""
    rows = {row["key"]: row for row in json.loads(proc.stdout)["indicators"]}
    assert rows["households"] == {"key": "households", "name": "户数", "value": 216, "unit": "户", "text": "户数:216户"}


def test_households_partly_labelled_are_left_out_and_said(tmp_path):
    sub = tmp_path / "sub"
    shutil.copytree(SAMPLES / "compliant", sub)
    relabel(sub / "site.dxf", {"1# 18F H=54.0m 住宅": "1# 18F H=54.0m 住宅 120户"})
    proc = run("table", sub, "--format", "json")
    assert proc.returncode == 0
    assert "households" not in {row["key"] for row in json.loads(proc.stdout)["indicators"]}
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drawcheck: households left out") and "2#" in lines[0]


def test_indicators_that_cannot_be_computed_are_left_out(tmp_path):
    """Without a site boundary, site area, coverage, FAR and green ratio have no value: no row, one stderr line each."""
    sub = tmp_path / "sub"
    shutil.copytree(SAMPLES / "compliant", sub)
    doc = ezdxf.readfile(sub / "site.dxf")
    for e in doc.modelspace():
        if e.dxf.layer == "SITE":
            e.dxf.layer = "ANNO"
    doc.saveas(sub / "site.dxf")
    out = tmp_path / "out"
    proc = run("table", sub, "--out", out)
    assert proc.returncode == 0, proc.stderr
    missing = ["site_area", "coverage", "far", "green_ratio"]
    lines = [ln for ln in proc.stderr.strip().splitlines() if not ln.startswith("wrote ")]
    assert sorted(ln.split()[1] for ln in lines) == sorted(missing)
    assert all(ln.startswith("drawcheck: ") and "left out: no closed site boundary" in ln for ln in lines)
    rows = table_rows(out / "site.dxf")
    assert set(rows) == set(UNIT_OF) - set(missing)  # never written as 0
    report = check(out).data
    assert all(report["indicators"][k]["status"] == "ok" for k in rows if k in DECLARED_KEYS)
    assert all("declared" not in report["indicators"][k] for k in missing)


@pytest.mark.parametrize("args, fragment", [
    (("samples/residential-dwg", "--out", "{tmp}/o"), "site.dwg is not a DXF"),
    (("samples/residential-ifc", "--out", "{tmp}/o"), "model.ifc is not a DXF"),
    (("samples/no-such-folder", "--out", "{tmp}/o"), "no such file or folder"),
    (("samples/residential",), "needs --out"),
    (("samples/residential", "--format", "pdf"), "unknown --format 'pdf'"),
    (("{tmp}/sub", "--out", "{tmp}/sub"), "the submission's own folder"),
    (("{tmp}/empty", "--out", "{tmp}/o"), "drawcheck.toml"),
    (("samples/residential", "--out", "{tmp}/sub/drawcheck.toml"), "not a folder"),
])
def test_bad_input_is_one_line_and_exit_2(args, fragment, tmp_path):
    shutil.copytree(SAMPLES / "residential", tmp_path / "sub")
    (tmp_path / "empty").mkdir()
    proc = run("table", *(a.format(tmp=tmp_path) for a in args))
    refused(proc, fragment)
    assert not (tmp_path / "o").exists()  # nothing written
    assert (tmp_path / "sub" / "site.dxf").read_bytes() == (SAMPLES / "residential" / "site.dxf").read_bytes()


def test_json_of_a_dwg_or_ifc_submission():
    """Only writing needs a DXF: the pre-fill data of an IFC submission is its model's numbers."""
    proc = run("table", SAMPLES / "residential-ifc", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {row["key"]: row["value"] for row in json.loads(proc.stdout)["indicators"]}
    expected = expected_values("residential-ifc")
    assert rows["site_area"] == pytest.approx(expected["site_area"], abs=HALF_DIGIT["m2"])
    assert rows["gfa_total"] == pytest.approx(expected["gfa_total"], abs=HALF_DIGIT["m2"])


def test_old_table_inside_a_block_is_replaced(tmp_path):
    """An old table drawn as a block inserted on the indicators layer: the INSERT goes, its grid block stays defined."""
    sub = tmp_path / "sub"
    shutil.copytree(SAMPLES / "compliant", sub)
    doc = ezdxf.readfile(sub / "site.dxf")
    msp = doc.modelspace()
    block = doc.blocks.new("OLD-TABLE")
    for e in [e for e in msp if on_indicator_layer(e)]:
        block.add_text(e.dxf.text, height=e.dxf.height, dxfattribs={"insert": e.dxf.insert, "layer": "0"})
        msp.delete_entity(e)
    insert = msp.add_blockref("OLD-TABLE", (0, 0), dxfattribs={"layer": "INDICATORS"})
    doc.saveas(sub / "site.dxf")
    assert check(sub).data["indicators"]["far"]["declared"] == 1.82  # the block's text is read as the table
    out = tmp_path / "out"
    proc = run("table", sub, "--out", out)
    assert proc.returncode == 0, proc.stderr
    after = ezdxf.readfile(out / "site.dxf")
    assert after.entitydb.get(insert.dxf.handle) is None and "OLD-TABLE" in after.blocks
    report = check(out).data
    assert all(report["indicators"][k]["status"] == "ok" for k in DECLARED_KEYS)
    assert report["indicators"]["far"]["declared"] == 1.8225


def test_inferred_indicators_layer(tmp_path):
    """An institute's layer name (ZT-技术经济指标, a synonym behind a discipline prefix): the table is rewritten there."""
    sub = tmp_path / "sub"
    shutil.copytree(SAMPLES / "compliant", sub)
    doc = ezdxf.readfile(sub / "site.dxf")
    doc.layers.add("ZT-技术经济指标")
    for e in doc.modelspace():
        if on_indicator_layer(e):
            e.dxf.layer = "ZT-技术经济指标"
    doc.layers.remove("INDICATORS")
    doc.saveas(sub / "site.dxf")
    assert check(sub).data["indicators"]["far"]["declared"] == 1.82
    out = tmp_path / "out"
    proc = run("table", sub, "--out", out)
    assert proc.returncode == 0, proc.stderr
    texts = [e for e in ezdxf.readfile(out / "site.dxf").modelspace().query("TEXT") if e.dxf.layer == "ZT-技术经济指标"]
    assert texts and texts[0].dxf.text == "主要经济技术指标"
    report = check(out).data
    assert all(report["indicators"][k]["status"] == "ok" for k in DECLARED_KEYS)


def test_declared_text_in_a_block_on_another_layer_is_named(tmp_path):
    """Table text kept on the indicators layer inside a block inserted elsewhere cannot go without editing the
    block: the command names the INSERT on stderr instead of leaving a silent second table."""
    sub = tmp_path / "sub"
    shutil.copytree(SAMPLES / "compliant", sub)
    doc = ezdxf.readfile(sub / "site.dxf")
    msp = doc.modelspace()
    block = doc.blocks.new("NOTES")
    block.add_text("FAR: 1.50", height=1.5, dxfattribs={"insert": (110, 30), "layer": "INDICATORS"})
    insert = msp.add_blockref("NOTES", (0, 0), dxfattribs={"layer": "ANNO"})
    doc.saveas(sub / "site.dxf")
    proc = run("table", sub, "--out", tmp_path / "out")
    assert proc.returncode == 0
    warned = [ln for ln in proc.stderr.splitlines() if "was kept" in ln]
    assert len(warned) == 1 and f"site.dxf: INSERT {insert.dxf.handle} of block 'NOTES' on layer ANNO" in warned[0]
