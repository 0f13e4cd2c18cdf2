"""Area-calculation drawings (面积计算图, issue 12 point 2): parser, reader, checks, GFA feed, manifest, CLI.

The fixture (tests/area_fixtures.py) is drawn in metres with $INSUNITS = mm
declared, its area texts on a frozen layer; every expected figure is worked
by hand from the rectangles' sides there or below.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import ezdxf
import pytest

import area_fixtures as af
from drawcheck.manifest import ManifestError, load_manifest
from drawcheck.model import Project
from drawcheck.readers.area_drawing import (area_text_pairs, building_key, is_area_drawing_file, is_area_layer,
                                            may_be_area_drawing, parse_area_layer, read_area_drawing)
from drawcheck.readers.floor_groups import FloorGroupError, looks_like_floor_group, parse_floor_group

ROOT = Path(__file__).resolve().parents[1]


def read(path: Path, **kw) -> Project:
    project = Project("t")
    read_area_drawing(path, path.name, project, **kw)
    return project


def notes(project: Project, code: str) -> list:
    return [n for n in project.qa if n.code == code]


# -- floor groups --------------------------------------------------------------
@pytest.mark.parametrize("text, floors", [
    ("1-1", [1]),
    ("46-46", [46]),
    ("17,34", [17, 34]),
    ("2-16,18-33,35-45", list(range(2, 17)) + list(range(18, 34)) + list(range(35, 46))),
    ("3~5、8", [3, 4, 5, 8]),
    ("第3层", [3]),
    ("１－３，５", [1, 2, 3, 5]),  # full-width digits, dash and comma
    ("B2-B1", [-2, -1]),
    ("-2--1", [-2, -1]),
])
def test_floor_groups_list_their_floors(text, floors):
    group = parse_floor_group(text)
    assert list(group.floors) == floors
    assert group.count == len(floors)


def test_the_typical_floor_group_counts_42_floors():
    # 2..16 is 15 floors, 18..33 is 16, 35..45 is 11
    assert parse_floor_group("2-16,18-33,35-45").count == 15 + 16 + 11 == 42


@pytest.mark.parametrize("text, why", [
    ("16-2", "runs downwards"),
    ("0-3", "no floor 0"),
    ("2-5,4-6", "floor 4 is listed twice"),
    ("3,,5", "neither a floor"),
    ("2-", "neither a floor"),
    ("", "no floors"),
    ("一层", "neither a floor"),
])
def test_bad_floor_groups_are_refused_with_a_reason(text, why):
    with pytest.raises(FloorGroupError, match=why):
        parse_floor_group(text)


@pytest.mark.parametrize("text, looks", [("2-16", True), ("17,34", True), ("3层", True), ("16-2", True),
                                         ("812.50", False), ("300", False), ("A地块1#楼", False),
                                         ("面积-计容-住宅-1", False)])
def test_what_is_written_like_a_floor_group(text, looks):
    assert looks_like_floor_group(text) is looks


# -- layer names -----------------------------------------------------------------
@pytest.mark.parametrize("name, area_class, use, coefficient", [
    ("面积-计容-住宅-1", "counted", "住宅", 1.0),
    ("面积_不计容_架空层_1", "not_counted", "架空层", 1.0),
    ("面积－计容－阳台－0.5", "counted", "阳台", 0.5),  # full-width dashes
    ("面积 - 计容 - 中庭 - -1", "counted", "中庭", -1.0),
    ("面积-计容-中庭-(-1)", "counted", "中庭", -1.0),
    ("面积-免计容-避难层-1", "exempt", "避难层", 1.0),
    ("面积-基底-住宅-1", "footprint", "住宅", 1.0),
])
def test_area_layer_names_give_class_use_and_coefficient(name, area_class, use, coefficient):
    assert is_area_layer(name)
    layer = parse_area_layer(name)
    assert (layer.area_class, layer.use, layer.coefficient) == (area_class, use, coefficient)


def test_area_layer_without_coefficient_and_unknown_class():
    layer = parse_area_layer("面积-计容-住宅")
    assert (layer.coefficient, layer.coefficient_given) == (1.0, False)
    with pytest.raises(ValueError, match="class '其他'"):
        parse_area_layer("面积-其他-住宅-1")
    assert not is_area_layer("建筑面积") and not is_area_layer("计算面积")


def test_building_key_matches_names_across_drawings():
    assert building_key("A地块1#楼") == building_key("1#") == building_key("1号楼") == "1"
    assert building_key("A地块12#楼") != building_key("1#")


# -- the fixture, worked by hand ------------------------------------------------------
def test_fixture_schedule_is_the_hand_worked_one(tmp_path):
    project = read(af.build(tmp_path / "area.dxf"))
    assert [s.building for s in project.area_schedules] == ["1#"]
    s = project.area_schedules[0]
    assert s.title == "A地块1#楼"
    assert s.counted == pytest.approx(af.EXPECTED["counted"])  # 10728
    assert s.total("not_counted") == pytest.approx(af.EXPECTED["not_counted"])  # 720
    assert s.total("exempt") == pytest.approx(af.EXPECTED["exempt"])  # 480
    assert s.footprint == pytest.approx(af.EXPECTED["footprint"])  # 300
    assert s.building_area(below=False) == pytest.approx(af.EXPECTED["gfa_above"])  # 11328
    assert s.building_area(below=True) == pytest.approx(af.EXPECTED["gfa_below"])  # 600
    assert (s.floors_above, s.floors_below) == (46, 1)
    half = [r for r in s.rows if r.coefficient == 0.5 and r.floors == "2-16,18-33,35-45"]
    assert [r.gfa for r in half] == [pytest.approx(40 * 42 * 0.5)]
    deduction = [r for r in s.rows if r.coefficient < 0]
    assert [r.gfa for r in deduction] == [pytest.approx(-16 * 42)]


def test_mm_declared_but_drawn_in_metres_is_read_in_metres(tmp_path):
    path = af.build(tmp_path / "area.dxf", insunits=4)
    project = Project("t")
    assert read_area_drawing(path, path.name, project) == 1.0
    # in mm the plans would be 2-3 cm across: the site plan's units rule corrects it, the area texts agreeing
    (warning,) = notes(project, "units-corrected")
    assert "read as m" in warning.message
    assert notes(project, "area-units") == []  # nothing left for the area texts' own check to correct
    # every plugin text, read from the frozen layer, agrees with its polygon in metres
    assert notes(project, "area-text-mismatch") == [] and notes(project, "area-text-unpaired") == []
    assert project.area_schedules[0].counted == pytest.approx(10728)


def test_a_plausible_declared_unit_the_area_texts_contradict(tmp_path):
    # declared dm (0.1 m): the 20 m plans would be 2 m across, plausible for a building, so the site-plan
    # rule keeps dm; the area texts (200.00 for a 20 x 10 polygon) agree only in m
    path = af.build(tmp_path / "area.dxf", insunits=14)
    project = Project("t")
    assert read_area_drawing(path, path.name, project) == 1.0
    (warning,) = notes(project, "area-units")
    assert "11 of 11" in warning.message and "in m" in warning.message
    assert "m from the area texts" in project.units_source
    assert project.area_schedules[0].counted == pytest.approx(10728)


def test_declared_metres_need_no_correction(tmp_path):
    project = read(af.build(tmp_path / "area.dxf", insunits=6))
    assert notes(project, "area-units") == []
    assert project.area_schedules[0].counted == pytest.approx(10728)


def test_area_text_pairs_for_the_units_check(tmp_path):
    doc = ezdxf.readfile(af.build(tmp_path / "area.dxf"))
    pairs = sorted(area_text_pairs(doc))
    want = sorted(((x1 - x0) * (y1 - y0), float((x1 - x0) * (y1 - y0))) for _, _, x0, y0, x1, y1 in af.POLYGONS)
    assert pairs == [pytest.approx(p) for p in want]


def test_legend_strokes_and_names_are_not_areas_and_a_hatch_counts_once(tmp_path):
    project = read(af.build(tmp_path / "area.dxf"))
    s = project.area_schedules[0]
    assert sum(len(r.handles) for r in s.rows) == len(af.POLYGONS)  # the legend's strokes added nothing
    assert notes(project, "area-open-outline") == [] and notes(project, "open-outline") == []
    assert notes(project, "area-floor-label") == [] and notes(project, "area-overlap") == []
    (twice,) = notes(project, "duplicate-area")  # the HATCH over the shop's outline
    assert twice.severity == "info"


def test_open_outline_on_an_area_layer_is_a_finding(tmp_path):
    path = af.build(tmp_path / "area.dxf")
    doc = ezdxf.readfile(path)
    stray = doc.modelspace().add_lwpolyline([(0, 50), (10, 50), (10, 55)], dxfattribs={"layer": "面积-计容-住宅-1"})
    doc.saveas(path)
    project = read(path)
    (n,) = notes(project, "area-open-outline")
    assert stray.dxf.handle in n.message and "1 open outline(s)" in n.message
    assert project.area_schedules[0].counted == pytest.approx(10728)


def test_area_drawing_in_the_chinese_code_page_is_detected_and_read(tmp_path):
    path = af.build(tmp_path / "area.dxf", dxfversion="R2000")
    assert "面积-".encode("gbk") in path.read_bytes() and "面积-".encode("utf-8") not in path.read_bytes()
    assert is_area_drawing_file(path)
    assert read(path).area_schedules[0].counted == pytest.approx(10728)


def test_a_site_plan_with_an_area_layer_stays_a_site_plan(tmp_path):
    path = tmp_path / "site.dxf"
    _site_plan(path)
    doc = ezdxf.readfile(path)
    doc.modelspace().add_lwpolyline([(0, 0), (5, 0), (5, 5)], close=True, dxfattribs={"layer": "面积-计容-住宅-1"})
    doc.saveas(path)
    assert may_be_area_drawing(path) and not is_area_drawing_file(path)
    assert is_area_drawing_file(af.build(tmp_path / "area.dxf"))


def test_marker_scan_finds_a_name_across_its_read_chunks(tmp_path):
    path = tmp_path / "x.dxf"
    path.write_bytes(b"0" * ((1 << 20) - 3) + "面积-".encode("utf-8") + b"\n")
    assert may_be_area_drawing(path)
    path.write_bytes(b"0" * (1 << 21))
    assert not may_be_area_drawing(path)


# -- checks ------------------------------------------------------------------------
def test_area_text_that_differs_from_its_polygon(tmp_path):
    # polygon 3 is the flats, 20 x 12 = 240 m2; its text says 241.00
    project = read(af.build(tmp_path / "area.dxf", area_texts={3: "241.00"}))
    (n,) = notes(project, "area-text-mismatch")
    assert "'241.00'" in n.message and "240.00" in n.message and "differ by 1.00 m2" in n.message
    assert len(n.sources) == 2


def test_area_texts_compare_after_rounding_to_their_decimals(tmp_path):
    # a 20.001 x 10 shop is 200.01 m2: '200.0' (1 decimal) and '200.01' agree, '200.03' differs by 0.02
    polygons = [("面积-计容-商业-1", "1-1", 0, 0, 20.001, 10), ("面积-计容-商业-1", "1-1", 0, 20, 20.001, 30),
                ("面积-计容-商业-1", "1-1", 0, 40, 20.001, 50)]
    labels = {"1-1": (10, -3)}
    path = af.build(tmp_path / "area.dxf", polygons=polygons, labels=labels, insunits=6,
                    area_texts={0: "200.0", 1: "200.01", 2: "200.03"})
    project = read(path)
    (n,) = notes(project, "area-text-mismatch")
    assert "'200.03'" in n.message and "differ by 0.02 m2" in n.message


def test_polygons_no_floor_label_covers_are_a_finding_and_not_counted(tmp_path):
    labels = {k: v for k, v in af.FLOOR_LABELS.items() if k != "17,34"}
    project = read(af.build(tmp_path / "area.dxf", labels=labels))
    (n,) = notes(project, "area-floor-uncovered")
    assert "2 area polygon(s)" in n.message
    s = project.area_schedules[0]
    assert s.counted == pytest.approx(10728 - 40 * 2 * 0.5)  # the refuge floors' balconies are gone
    assert s.total("exempt") == 0.0


def test_bad_floor_label_is_a_finding(tmp_path):
    labels = dict(af.FLOOR_LABELS)
    labels["46-2"] = labels.pop("46-46")
    project = read(af.build(tmp_path / "area.dxf", labels=labels))
    (bad,) = notes(project, "area-floor-label")
    assert "'46-2'" in bad.message and "runs downwards" in bad.message
    (uncovered,) = notes(project, "area-floor-uncovered")
    assert "2 area polygon(s)" in uncovered.message  # the top floor's two polygons


def test_overlapping_polygons_of_one_class_within_one_floor(tmp_path):
    # a second shop 15..25 x 0..10 overlaps the first (0..20) by 5 x 10 = 50 m2; it also overlaps the
    # stilted floor (不计容, another class) and the footprint (基底): those are not findings
    polygons = af.POLYGONS + [("面积-计容-商业-1", "1-1", 15, 0, 25, 10)]
    project = read(af.build(tmp_path / "area.dxf", polygons=polygons))
    (n,) = notes(project, "area-overlap")
    assert "by 50.00 m2" in n.message and len(n.sources) == 2
    assert n.location is None  # area-drawing coordinates are not the site plan's


def test_unknown_class_layer_is_named_and_not_counted(tmp_path):
    polygons = af.POLYGONS + [("面积-其他-设备-1", "46-46", 100, 20, 110, 24)]
    project = read(af.build(tmp_path / "area.dxf", polygons=polygons))
    (n,) = notes(project, "area-layer")
    assert "面积-其他-设备-1" in n.message and "1 polygon(s)" in n.message
    assert project.area_schedules[0].counted == pytest.approx(10728)


def test_two_buildings_in_one_file_each_in_its_frame(tmp_path):
    path = tmp_path / "two.dxf"
    af.build(path)
    doc = ezdxf.readfile(path)
    second = tmp_path / "second.dxf"
    af.build(second, title="A地块2#楼", offset=(300.0, 0.0))
    target = doc.modelspace()
    for e in ezdxf.readfile(second).modelspace():
        target.add_entity(e.copy())
    doc.saveas(path)
    project = read(path)
    assert [s.building for s in project.area_schedules] == ["1#", "2#"]
    assert [s.counted for s in project.area_schedules] == [pytest.approx(10728)] * 2


# -- manifest ----------------------------------------------------------------------------
def _folder(tmp_path: Path, area_drawings: str, inputs: str = '["site.dxf"]') -> Path:
    for name in ("site.dxf", "area-1.dxf", "area-2.dxf"):
        (tmp_path / name).write_bytes(b"0\nEOF\n")
    (tmp_path / "drawcheck.toml").write_text(f"{area_drawings}\n\n[project]\ninputs = {inputs}\n", encoding="utf-8")
    return tmp_path


def test_manifest_area_drawings_accepts_a_path_or_paths(tmp_path):
    m = load_manifest(_folder(tmp_path, '[area_drawings]\n"1#" = "area-1.dxf"\n"2#" = ["area-2.dxf"]'))
    assert m.area_drawings == (("1#", "area-1.dxf"), ("2#", "area-2.dxf"))


@pytest.mark.parametrize("table, inputs, message", [
    ('area_drawings = "area-1.dxf"', '["site.dxf"]', "'area_drawings' must be a table"),
    ('[area_drawings]\n"1#" = []', '["site.dxf"]', "'area_drawings.\"1#\"' must be a path string or a non-empty array"),
    ('[area_drawings]\n"1#" = 3', '["site.dxf"]', "must be a path string or a non-empty array"),
    ('[area_drawings]\n"1#" = "nope.dxf"', '["site.dxf"]', "file not found"),
    ('[area_drawings]\n"1#" = "../x.dxf"', '["site.dxf"]', "leaves the submission folder"),
    ('[area_drawings]\n"1#" = "area-1.dxf"', '["site.dxf", "area-1.dxf"]', "also in 'project.inputs'"),
    ('[area_drawings]\n"1#" = "area-1.dxf"\n"2#" = "area-1.dxf"', '["site.dxf"]', "already the area drawing of '1#'"),
    ('[area_drawings]\n" " = "area-1.dxf"', '["site.dxf"]', "building id must not be empty"),
    ('[area_drawings]\n"1#" = ["area-1.dxf", 2]', '["site.dxf"]', "'area_drawings.\"1#\"[1]' must be a string"),
])
def test_manifest_area_drawings_is_validated(tmp_path, table, inputs, message):
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(_folder(tmp_path, table, inputs))


# -- end to end -------------------------------------------------------------------------------
def _site_plan(path: Path, floors: int = 46, width: float = 30.0) -> None:
    """A 100 x 100 m site with 1# drawn as its ``width`` x 10 m footprint, labelled with its floors (metres)."""
    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 6
    for layer in ("用地红线", "建筑轮廓"):
        doc.layers.add(layer)
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 100), (0, 100)], close=True, dxfattribs={"layer": "用地红线"})
    msp.add_lwpolyline([(20, 20), (20 + width, 20), (20 + width, 30), (20, 30)], close=True, dxfattribs={"layer": "建筑轮廓"})
    msp.add_text(f"1# {floors}F", height=1.0, dxfattribs={"layer": "建筑轮廓", "insert": (30, 25)})
    doc.saveas(path)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drawcheck", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_area_drawing_feeds_gfa_and_far(tmp_path):
    _site_plan(tmp_path / "site.dxf")
    af.build(tmp_path / "area-1.dxf")
    (tmp_path / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n\n[area_drawings]\n"1#" = "area-1.dxf"\n',
                                             encoding="utf-8")
    proc = _run("check", str(tmp_path), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    ind = report["indicators"]
    assert ind["gfa_far"]["value"] == pytest.approx(10728)  # the 计容 area, not the labels' 300 x 46
    assert ind["far"]["value"] == pytest.approx(10728 / 10000, abs=5e-5)
    assert ind["gfa_above"]["value"] == pytest.approx(11328)
    assert ind["gfa_below"]["value"] == pytest.approx(600)
    assert ind["gfa_total"]["value"] == pytest.approx(11928)
    assert "area drawings" in ind["gfa_far"]["basis"]
    assert "basis" not in ind["site_area"]
    (row,) = report["area_drawings"]
    assert (row["building"], row["on_site_plan"], row["site_plan_gfa"]) == ("1#", True, 300 * 46)
    assert (row["gfa_counted"], row["gfa_exempt"], row["footprint_area"]) == (10728, 480, 300)
    (building,) = report["buildings"]
    assert building["gfa"] == pytest.approx(11328)
    # the site plan's 300 x 46 = 13800 m2 is more than 5 % from the drawing's 11328 m2
    (gfa,) = [f for f in report["findings"] if f["rule"] == "qa:area-drawing-gfa"]
    assert (gfa["measured"], gfa["required"], gfa["subjects"]) == (11328, 300 * 46, ["1#"])
    rules = {f["rule"] for f in report["findings"]}
    assert "qa:units-corrected" in rules and "qa:area-units" not in rules
    assert "qa:area-drawing-unmatched" not in rules
    inputs = [i["path"] for i in report["project"]["inputs"]]
    assert inputs == ["site.dxf", "area-1.dxf"]
    text = _run("check", str(tmp_path), "--format", "text")
    assert "Area drawing 面积计算 1#" in text.stdout and "10,728.00" in text.stdout
    html = _run("check", str(tmp_path), "--format", "html")
    assert 'class="area-drawing"' in html.stdout and "A地块1#楼" in html.stdout


def test_cli_agreeing_site_plan_gives_no_area_finding_and_same_bytes_twice(tmp_path):
    # 46 floors as the drawing's labels say, on a 24.6 x 10 = 246 m2 footprint: 246 x 46 = 11316 m2,
    # within 5 % of the drawing's 11328 m2
    _site_plan(tmp_path / "site.dxf", floors=46, width=24.6)
    af.build(tmp_path / "area-1.dxf", insunits=6)
    (tmp_path / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n\n[area_drawings]\n"1#" = "area-1.dxf"\n',
                                             encoding="utf-8")
    first = _run("check", str(tmp_path), "--format", "json")
    second = _run("check", str(tmp_path), "--format", "json")
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)
    outcomes = {r["rule"]: r["outcome"] for r in report["rules"]}
    assert outcomes["qa:area-drawing-unmatched"] == "passed"
    assert outcomes["qa:area-drawing-gfa"] == "passed"
    assert outcomes["qa:area-units"] == "passed"  # drawn in metres, declared in metres
    assert report["buildings"][0]["gfa"] == pytest.approx(11328)


def test_cli_lone_area_drawing_is_detected_by_its_layers(tmp_path):
    path = af.build(tmp_path / "1#楼面积.dxf")
    report = json.loads(_run("check", str(path), "--format", "json").stdout)
    assert report["area_drawings"][0]["gfa_counted"] == 10728
    assert report["indicators"]["gfa_far"]["value"] == 10728
    outcomes = {r["rule"]: r["outcome"] for r in report["rules"]}
    assert outcomes["qa:area-drawing-gfa"] == "not_applicable"


def test_cli_unreadable_area_drawing_exits_2(tmp_path):
    _site_plan(tmp_path / "site.dxf")
    (tmp_path / "area-1.dxf").write_text("not a drawing", encoding="utf-8")
    (tmp_path / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n\n[area_drawings]\n"1#" = "area-1.dxf"\n',
                                             encoding="utf-8")
    proc = _run("check", str(tmp_path))
    assert proc.returncode == 2 and proc.stderr.startswith("drawcheck: ") and "Traceback" not in proc.stderr


def test_drawing_strings_are_escaped_in_html(tmp_path):
    path = af.build(tmp_path / "area.dxf", title="A地块1#楼<b>&", polygons=af.POLYGONS[:3] + [
        ("面积-计容-商业&办公-1", "1-1", 0, 10, 10, 14)], labels={"1-1": (15, -3)})  # (no < > in layer names)
    html = _run("check", str(path), "--format", "html").stdout
    assert "A地块1#楼&lt;b&gt;&amp;" in html and "商业&amp;办公" in html
    assert "楼<b>" not in html and "商业&办公" not in html


def test_cli_floors_that_disagree_with_the_site_plan(tmp_path):
    # the site plan says 40F on the 300 m2 footprint: 12000 m2, within 10 % of the drawing's 11328 m2,
    # but the drawing's floor labels cover floors 1..46
    _site_plan(tmp_path / "site.dxf", floors=40)
    af.build(tmp_path / "area-1.dxf", insunits=6)
    (tmp_path / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n\n[area_drawings]\n"1#" = "area-1.dxf"\n',
                                             encoding="utf-8")
    report = json.loads(_run("check", str(tmp_path), "--format", "json").stdout)
    (f,) = [f for f in report["findings"] if f["rule"] == "qa:area-drawing-gfa"]
    assert (f["measured"], f["required"], f["unit"]) == (46, 40, "count")
    assert "46 floors above ground" in f["message"] and "says 40" in f["message"]


def _explode_top_floor_flat(path: Path, gap: float = 0.0) -> list[str]:
    """Redraw the 46-46 flat (100,0)-(120,12) as four LINEs, the last one ``gap`` m short; their handles."""
    doc = ezdxf.readfile(path)
    msp = doc.modelspace()
    (flat,) = [e for e in msp.query("LWPOLYLINE") if e.dxf.layer == "面积-计容-住宅-1"
               and [tuple(p) for p in e.get_points("xy")][0] == (100, 0)]
    msp.delete_entity(flat)
    corners = [(100, 0), (120, 0), (120, 12), (100, 12)]
    handles = []
    for k, (a, b) in enumerate(zip(corners, corners[1:] + corners[:1])):
        end = (b[0], b[1] - gap) if k == 3 else b
        handles.append(msp.add_line(a, end, dxfattribs={"layer": "面积-计容-住宅-1"}).dxf.handle)
    doc.saveas(path)
    return handles


def test_outline_drawn_as_lines_is_joined_and_counted(tmp_path):
    """Four LINEs closing within 1 mm give the 20 x 12 flat back: the schedule is the hand-worked one."""
    path = af.build(tmp_path / "area.dxf")
    handles = _explode_top_floor_flat(path)
    project = read(path)
    assert project.area_schedules[0].counted == pytest.approx(af.COUNTED)
    (joined,) = notes(project, "outline-joined")
    assert all(h in joined.message for h in handles)
    assert not notes(project, "area-open-outline")


def test_outline_of_lines_with_a_gap_is_an_open_outline_and_not_counted(tmp_path):
    """A 5 cm gap: the flat (240 m² x 1 floor) is not counted, and its LINEs are named."""
    path = af.build(tmp_path / "area.dxf")
    handles = _explode_top_floor_flat(path, gap=0.05)
    project = read(path)
    assert project.area_schedules[0].counted == pytest.approx(af.COUNTED - 240)
    (n,) = notes(project, "area-open-outline")
    assert all(h in n.message or h in {s.handle for s in n.sources} for h in handles)


def test_the_byte_markers_are_the_names_in_utf8_and_gbk():
    """The GBK markers are written as bytes (no codec load per check): they must be what GBK encodes."""
    from drawcheck.readers.area_drawing import _MARKERS, _MARKER_SEPARATORS

    expected = {("面积" + sep).encode(enc) for enc in ("utf-8", "gbk") for sep in _MARKER_SEPARATORS}
    assert set(_MARKERS) == expected
