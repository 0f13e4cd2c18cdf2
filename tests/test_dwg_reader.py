"""DWG input through ezdwg (issue 12, point 1).

Fixtures are DWG files written here with ezdwg's own writer (``ezdwg.new``,
``Drawing.save``, AC1015): DWG twins of the shipped samples (made by
``samples/generate_dwg.py``, the DXF copied entity for entity with its
handles) and small drawings built directly with ezdwg's API. Expected values
are the samples' hand-worked ``expected.json``, the DXF's own report, hand
arithmetic, or what ``ezdwg.read`` reports independently of drawcheck.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import ezdwg
import ezdxf
import pytest
import shapely

import drawcheck
from drawcheck.readers.dwg import EZDWG_HATCH_STEP, rebuild_arcs
from drawcheck.readers.dxf_load import load_dxf
from drawcheck.readers.files import ReadError

from cli_checks import refused

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PUBLIC_DWG = ROOT.parent / "shared/data/public/dwg"
sys.path.insert(0, str(SAMPLES))
from generate_dwg import build_sample, dwg_bytes  # noqa: E402

#: expected.json keeps 6 decimals; the report rounds areas to 2, lengths to 3 and ratios to 4 decimals.
ROUNDING = {"m2": 0.005, "m": 0.0005, "ratio": 0.00005, "count": 0}


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def run_check(path: Path, *args: str) -> subprocess.CompletedProcess:
    """``drawcheck check PATH`` in a subprocess, this checkout's package first."""
    return subprocess.run([sys.executable, "-m", "drawcheck", "check", str(path), *args],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=_env())


def dwg_twin(sample: str, tmp_path: Path) -> Path:
    """A copy of ``samples/<sample>`` whose site plan is the DWG ezdwg writes from its site.dxf."""
    target = tmp_path / sample
    shutil.copytree(SAMPLES / sample, target, ignore=shutil.ignore_patterns("site.dxf", "expected.json"))
    (target / "site.dwg").write_bytes(dwg_bytes(ezdxf.readfile(SAMPLES / sample / "site.dxf")))
    toml = (target / "drawcheck.toml").read_text(encoding="utf-8")
    assert '"site.dxf"' in toml
    (target / "drawcheck.toml").write_text(toml.replace('"site.dxf"', '"site.dwg"'), encoding="utf-8")
    return target


def without_input(report: dict, name: str) -> str:
    """The report as sorted JSON with the input list dropped and the input's name replaced."""
    data = json.loads(json.dumps(report))
    data["project"]["inputs"] = [i for i in data["project"]["inputs"] if i["path"] != name]
    return json.dumps(data, sort_keys=True, ensure_ascii=False).replace(name, "<site>")


# --------------------------------------------------------------------------
# DWG twins of the shipped samples
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sample", ["residential", "compliant", "mixed"])
def test_dwg_twin_gives_the_dxf_report_apart_from_name_and_hash(sample, tmp_path):
    dxf_report = drawcheck.check(SAMPLES / sample).data
    dwg_report = drawcheck.check(dwg_twin(sample, tmp_path)).data
    assert without_input(dwg_report, "site.dwg") == without_input(dxf_report, "site.dxf")
    (row,) = [i for i in dwg_report["project"]["inputs"] if i["path"] == "site.dwg"]
    assert row["format"] == "dwg" and row["converter"] == f"ezdwg {ezdwg_version()}"
    assert not [f for f in dwg_report["findings"] if f["rule"].startswith("qa:dwg")]


@pytest.mark.parametrize("sample", ["residential", "compliant"])
def test_dwg_twin_indicators_match_the_hand_worked_values(sample, tmp_path):
    expected = json.loads((SAMPLES / sample / "expected.json").read_text(encoding="utf-8"))
    report = drawcheck.check(dwg_twin(sample, tmp_path)).data
    for key, row in report["indicators"].items():
        assert row["value"] == pytest.approx(expected[key], abs=ROUNDING[row["unit"]] + 1e-9), key
    got = {b["id"]: b for b in report["buildings"]}
    assert set(got) == set(expected["buildings"])
    for bid, exp in expected["buildings"].items():
        assert got[bid]["floors_above"] == exp["floors_above"], bid
        assert got[bid]["gfa"] == pytest.approx(exp["gfa"], abs=ROUNDING["m2"]), bid


def ezdwg_version() -> str:
    from importlib.metadata import version

    return version("ezdwg")


def test_dwg_twin_keeps_handles_layers_units_and_attribs(tmp_path):
    source = ezdxf.readfile(SAMPLES / "residential" / "site.dxf")
    path = tmp_path / "site.dwg"
    path.write_bytes(dwg_bytes(source))
    doc = load_dxf(path).doc
    assert doc.header["$INSUNITS"] == source.header["$INSUNITS"] == 4
    got = {e.dxf.handle: e for e in doc.modelspace()}
    for e in source.modelspace():
        twin = got[e.dxf.handle]
        assert (twin.dxftype(), twin.dxf.layer) == (e.dxftype(), e.dxf.layer), e.dxf.handle
        if e.dxftype() == "INSERT":
            assert [(a.dxf.tag, a.dxf.text) for a in twin.attribs] == [(a.dxf.tag, a.dxf.text) for a in e.attribs]
    assert {layer.dxf.name for layer in source.layers} <= {layer.dxf.name for layer in doc.layers}


# --------------------------------------------------------------------------
# a drawing written with ezdwg's API
# --------------------------------------------------------------------------
def fixture_drawing(path: Path) -> None:
    """Site 100 x 80 m; 1# (30 x 20 m, 18 floors, label MTEXT); 2# a block 20 x 10 m at scale 1.5, turned
    90°, labelled by ATTRIBs (11 floors); green 20 x 20 m on 集中绿地; a 30 x 20 m green on 绿地, frozen;
    a neighbour with its label on 周边建筑, switched off."""
    d = ezdwg.new()
    d.header["insunits"] = 6
    for name, color in (("用地红线", 1), ("建筑轮廓", 4), ("集中绿地", 3)):
        d.layers[name] = {"color_index": color}
    d.layers["绿地"] = {"color_index": 3, "frozen": True}
    d.layers["周边建筑"] = {"color_index": 8, "off": True}
    d.text_styles["HZ"] = {"font": "simsun.ttf"}
    msp = d.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 80), (0, 80)], closed=True, layer="用地红线")
    msp.add_lwpolyline([(10, 10), (40, 10), (40, 30), (10, 30)], closed=True, layer="建筑轮廓")
    msp.add_mtext("1#\\P18F\\PH=54.0m\\P住宅", (15, 25), char_height=1.5, layer="建筑轮廓", style="HZ")
    block = d.blocks.new("楼A")
    block.add_lwpolyline([(0, 0), (20, 0), (20, 10), (0, 10)], closed=True, layer="0")
    ref = msp.add_blockref("楼A", insert=(80, 40), scale=(1.5, 1.5, 1.0), rotation=90.0, layer="建筑轮廓")
    for i, (tag, value) in enumerate((("NAME", "2#"), ("FLOORS", "11"), ("HEIGHT", "33.0"), ("USE", "住宅"))):
        msp.add_attrib(ref, tag, value, insert=(70, 45 + 2 * i), height=1.0, layer="建筑轮廓", style="HZ")
    msp.add_lwpolyline([(5, 50), (25, 50), (25, 70), (5, 70)], closed=True, layer="集中绿地")
    msp.add_lwpolyline([(60, 5), (90, 5), (90, 25), (60, 25)], closed=True, layer="绿地")
    msp.add_lwpolyline([(110, 0), (130, 0), (130, 20), (110, 20)], closed=True, layer="周边建筑")
    msp.add_text("A栋 6F", (112, 10), height=1.5, layer="周边建筑")
    d.save(path)


def test_fixture_dwg_reads_to_hand_worked_indicators(tmp_path):
    path = tmp_path / "site.dwg"
    fixture_drawing(path)
    report = drawcheck.check(path).data
    ind = {k: v["value"] for k, v in report["indicators"].items()}
    assert ind["site_area"] == pytest.approx(100 * 80)
    footprint = 30 * 20 + (20 * 1.5) * (10 * 1.5)  # 600 + 450
    assert ind["footprint_area"] == pytest.approx(footprint)
    assert ind["coverage"] == pytest.approx(round(footprint / 8000, 4))
    assert ind["gfa_total"] == pytest.approx(600 * 18 + 450 * 11)
    assert ind["green_area"] == pytest.approx(20 * 20)  # the frozen 绿地 is not read
    buildings = {b["id"]: b for b in report["buildings"]}
    assert {k: (b["floors_above"], b["footprint_area"]) for k, b in buildings.items()} == {
        "1#": (18, 600.0), "2#": (11, 450.0)}
    # the block outline turned 90° about (80, 40): x from 80 - 15 to 80, y from 40 to 40 + 30
    (part,) = [p for p in report["plan"]["buildings"] if p["id"] == "2#"][0]["parts"]
    xs, ys = zip(*part[0])
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((65.0, 80.0, 40.0, 70.0))
    hidden = [f["message"] for f in report["findings"] if f["rule"] == "qa:hidden-layers"]
    assert any("绿地" in m and "1 entities" in m for m in hidden), hidden
    assert any("周边建筑" in m and "2 entities" in m for m in hidden), hidden
    assert report["existing_buildings"] == []  # the neighbour's layer is off
    assert report["project"]["inputs"][0]["format"] == "dwg"


def test_fixture_layer_states_and_handles_survive(tmp_path):
    path = tmp_path / "site.dwg"
    fixture_drawing(path)
    independent = ezdwg.read(str(path))
    want = {f"{e.handle:X}": e.dxftype for e in independent.modelspace().query() if e.dxftype != "ATTRIB"}
    doc = load_dxf(path).doc
    assert {e.dxf.handle: e.dxftype() for e in doc.modelspace()} == want
    assert doc.layers.get("绿地").is_frozen() and not doc.layers.get("集中绿地").is_frozen()
    assert doc.layers.get("周边建筑").is_off() and not doc.layers.get("集中绿地").is_off()
    (insert,) = doc.modelspace().query("INSERT")
    assert [(a.dxf.tag, a.dxf.text) for a in insert.attribs] == [
        ("NAME", "2#"), ("FLOORS", "11"), ("HEIGHT", "33.0"), ("USE", "住宅")]
    assert doc.blocks.get("楼A") is not None


def test_same_dwg_same_report_and_markup_bytes(tmp_path):
    path = tmp_path / "site.dwg"
    fixture_drawing(path)
    outs = []
    for run in ("a", "b"):
        proc = run_check(path, "--format", "json,dxf", "--out", str(tmp_path / run))
        assert proc.returncode in (0, 1), proc.stderr
        outs.append({name: (tmp_path / run / name).read_bytes() for name in ("report.json", "report.dxf")})
    assert outs[0] == outs[1]
    marked = ezdxf.read(__import__("io").StringIO(outs[0]["report.dxf"].decode("utf-8")))
    assert "用地红线" in marked.layers  # the DWG's own drawing, annotated


# --------------------------------------------------------------------------
# HATCH boundaries: ezdwg gives chords, drawcheck gives the arcs back
# --------------------------------------------------------------------------
def _hatch_dwg(path: Path, paths: list) -> list:
    d = ezdwg.new()
    d.header["insunits"] = 6
    d.layers["绿地"] = {"color_index": 3}
    for p in paths:
        d.modelspace().add_hatch([p], layer="绿地")
    d.save(path)
    return [e.dxf["paths"][0]["points"] for e in ezdwg.read(str(path)).modelspace().query("HATCH")]


def test_flattened_hatch_arcs_come_back_exact(tmp_path):
    r = 10.0
    fillet = {"edges": [{"type": "line", "start": (0, 0), "end": (25, 0)},
                        {"type": "line", "start": (25, 0), "end": (25, 30)},
                        {"type": "arc", "center": (15, 30), "radius": r, "start_angle": 0, "end_angle": 90},
                        {"type": "line", "start": (15, 40), "end": (0, 40)},
                        {"type": "line", "start": (0, 40), "end": (0, 0)}]}
    circle = {"edges": [{"type": "arc", "center": (100, 0), "radius": 3.0, "start_angle": 0, "end_angle": 360}]}
    sector = {"edges": [{"type": "line", "start": (200, 0), "end": (205, 0)},
                        {"type": "arc", "center": (200, 0), "radius": 5.0, "start_angle": 0, "end_angle": 30},
                        {"type": "line", "start": (200 + 5 * math.cos(math.pi / 6), 5 * math.sin(math.pi / 6)),
                         "end": (200, 0)}]}
    flat = _hatch_dwg(tmp_path / "h.dwg", [fillet, circle, sector])
    assert len(flat[0]) > 6  # ezdwg did flatten the quarter arc (else this test proves nothing)
    # by hand: rectangle 25 x 30 + strip 15 x 10 + quarter disc; a disc; a 30° sector
    want = [25 * 30 + 15 * 10 + math.pi * r * r / 4, math.pi * 9.0, math.pi * 25.0 / 12.0]
    for points, area in zip(flat, want):
        rows, arcs = rebuild_arcs([tuple(p[:2]) for p in points])
        assert arcs == 1
        assert _bulged_area(rows) == pytest.approx(area, rel=1e-9)
    chords = shapely.Polygon([tuple(p[:2]) for p in flat[0]]).area
    assert abs(chords - want[0]) > 0.1  # what would have been read without the rebuild


def test_hatch_arc_area_end_to_end(tmp_path):
    path = tmp_path / "site.dwg"
    d = ezdwg.new()
    d.header["insunits"] = 6
    for name in ("用地红线", "绿地"):
        d.layers[name] = {"color_index": 3}
    d.modelspace().add_lwpolyline([(-50, -50), (150, -50), (150, 150), (-50, 150)], closed=True, layer="用地红线")
    d.modelspace().add_hatch([{"edges": [{"type": "arc", "center": (50, 50), "radius": 20.0,
                                          "start_angle": 0, "end_angle": 360}]}], layer="绿地")
    d.save(path)
    report = drawcheck.check(path).data
    assert report["indicators"]["green_area"]["value"] == pytest.approx(round(math.pi * 400, 2), abs=0.005)


def test_polygons_that_are_not_ezdwg_flattening_stay(tmp_path):
    octagon = [(math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)) for k in range(8)]
    rows, arcs = rebuild_arcs(octagon)
    assert arcs == 0 and [r[:2] for r in rows] == octagon and not any(r[2] for r in rows)
    # equal chords turning by 2° (< 360/64 * 2/3): three of them are not how ezdwg flattens an arc
    step = math.radians(2.0)
    fan = [(0.0, 0.0)] + [(10 * math.cos(k * step), 10 * math.sin(k * step)) for k in range(4)]
    rows, arcs = rebuild_arcs(fan)
    assert arcs == 0 and len(rows) == len(fan)
    assert 2 * step / 3 < EZDWG_HATCH_STEP


def _bulged_area(rows) -> float:
    """Area of a closed ring of (x, y, bulge) by the shoelace sum plus each arc's segment (hand formulas)."""
    area = 0.0
    for (x0, y0, b), (x1, y1, _) in zip(rows, rows[1:] + rows[:1]):
        area += (x0 * y1 - x1 * y0) / 2.0
        if b:
            theta = 4.0 * math.atan(b)
            chord = math.hypot(x1 - x0, y1 - y0)
            radius = chord / (2.0 * math.sin(abs(theta) / 2.0))
            area += math.copysign(radius * radius / 2.0 * (abs(theta) - math.sin(abs(theta))), theta)
    return abs(area)


# --------------------------------------------------------------------------
# public DWG files (R14 to 2018), outside the repository
# --------------------------------------------------------------------------
PUBLIC_FILES = sorted(PUBLIC_DWG.glob("*.dwg")) if PUBLIC_DWG.is_dir() else []
needs_public = pytest.mark.skipif(not PUBLIC_FILES, reason=f"public DWG files not found at {PUBLIC_DWG}")


@needs_public
@pytest.mark.parametrize("path", PUBLIC_FILES, ids=lambda p: p.name)
def test_public_dwg_reads_and_counts_match_ezdwg(path):
    loaded = load_dxf(path)
    independent = ezdwg.read(str(path))
    want = Counter(e.dxftype for e in independent.modelspace().query() if e.dxftype != "ATTRIB")
    got = Counter(e.dxftype() for e in loaded.doc.modelspace())
    dropped = Counter()
    for code, message, handles, _ in loaded.notes:
        assert code == "dwg-dropped", message
        dxftype = message.split(" ")[1]
        dropped[dxftype] += int(message.split(" ")[0])
    assert got + dropped == want, (got, dropped, want)
    want_attribs = Counter(e.dxf.get("owner_handle") for e in independent.modelspace().query("ATTRIB"))
    got_attribs = Counter(int(e.dxf.handle, 16) for e in loaded.doc.modelspace().query("INSERT")
                          for _ in e.attribs)
    assert got_attribs == +want_attribs
    assert loaded.converter == f"ezdwg {ezdwg_version()}"


@needs_public
def test_public_insert_keeps_its_attrib_and_dropped_entities_are_named(tmp_path):
    path = PUBLIC_DWG / "2000_entities-2d.dwg"
    independent = {e.handle: e for e in ezdwg.read(str(path)).modelspace().query("ATTRIB")}
    assert len(independent) == 1
    (attrib,) = independent.values()
    doc = load_dxf(path).doc
    owner = doc.entitydb[f"{attrib.dxf['owner_handle']:X}"]
    assert [(a.dxf.tag, a.dxf.text) for a in owner.attribs] == [(attrib.dxf["tag"], attrib.dxf["text"])]
    shapes = [e.handle for e in ezdwg.read(str(path)).modelspace().query("SHAPE")]
    report = drawcheck.check(path).data
    named = {s["handle"] for f in report["findings"] if f["rule"] == "qa:dwg-dropped" for s in f["sources"]}
    assert {f"{h:X}" for h in shapes} <= named and shapes


@needs_public
@pytest.mark.parametrize("path", PUBLIC_FILES, ids=lambda p: p.name)
def test_public_dwg_through_the_cli(path):
    proc = run_check(path, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    row = json.loads(proc.stdout)["project"]["inputs"][0]
    assert row["format"] == "dwg" and row["path"] == path.name


# --------------------------------------------------------------------------
# damaged DWG bytes: one line and exit 2, or a report; never a traceback or a hang
# --------------------------------------------------------------------------
def _fixture_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "good.dwg"
    fixture_drawing(path)
    return path.read_bytes()


@pytest.mark.parametrize("cut", [6, 100, 0.25, 0.5, 0.75, 0.95])
def test_truncated_dwg_is_refused_or_read(tmp_path, cut):
    data = _fixture_bytes(tmp_path)
    size = cut if isinstance(cut, int) else int(len(data) * cut)
    path = tmp_path / "cut.dwg"
    path.write_bytes(data[:size])
    try:
        loaded = load_dxf(path)
    except ReadError as exc:
        line = str(exc)
        assert "\n" not in line and line.startswith("cut.dwg: a DWG that ezdwg") and "cannot read" in line
    else:
        assert loaded.converter.startswith("ezdwg")


@pytest.mark.parametrize("seed", range(8))
def test_garbled_dwg_is_refused_or_read(tmp_path, seed):
    import random

    data = bytearray(_fixture_bytes(tmp_path))
    rng = random.Random(seed)
    for _ in range(60):
        data[rng.randrange(6, len(data))] = rng.randrange(256)
    path = tmp_path / "garbled.dwg"
    path.write_bytes(bytes(data))
    try:
        loaded = load_dxf(path)
    except ReadError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("garbled.dwg: ")
    else:  # whatever was read, every dropped entity is named
        for code, message, handles, _ in loaded.notes:
            assert code in ("dwg-dropped", "dwg-converted") and message


def test_unreadable_dwg_through_the_cli_is_one_line(tmp_path):
    path = tmp_path / "broken.dwg"
    path.write_bytes(b"AC1015" + bytes(4000))
    refused(run_check(path, "--format", "json"), "broken.dwg", "ezdwg", "cannot read")


# --------------------------------------------------------------------------
# the shipped DWG sample
# --------------------------------------------------------------------------
def test_dwg_sample_is_current_and_regenerates_identically(tmp_path):
    shutil.copytree(SAMPLES / "residential", tmp_path / "residential")
    first = build_sample(tmp_path)
    second = build_sample(tmp_path)
    assert first == second  # ezdwg's writer is deterministic
    for name, data in first.items():
        assert (SAMPLES / "residential-dwg" / name).read_bytes() == data, (
            f"samples/residential-dwg/{name} is stale: run `python samples/generate.py`")
    assert first["expected.json"] == (SAMPLES / "residential" / "expected.json").read_bytes()


def test_dwg_sample_reports_the_residential_findings():
    dwg = drawcheck.check(SAMPLES / "residential-dwg").data
    dxf = drawcheck.check(SAMPLES / "residential").data
    assert without_input(dwg, "site.dwg") == without_input(dxf, "site.dxf")


# --------------------------------------------------------------------------
# Area-calculation drawings as DWG (issue 12 points 1 and 2 together)
# --------------------------------------------------------------------------
def _area_calc_as_dwg(tmp_path: Path, named: bool) -> Path:
    """samples/area-calc with its area drawings saved as DWG: named in [area_drawings], or only listed as inputs."""
    target = tmp_path / "area-calc"
    shutil.copytree(SAMPLES / "area-calc", target, ignore=shutil.ignore_patterns("area-*.dxf", "expected.json"))
    for k in (1, 2):
        (target / f"area-{k}.dwg").write_bytes(dwg_bytes(ezdxf.readfile(SAMPLES / "area-calc" / f"area-{k}.dxf")))
    toml = (target / "drawcheck.toml").read_text(encoding="utf-8")
    if named:
        toml = toml.replace("area-1.dxf", "area-1.dwg").replace("area-2.dxf", "area-2.dwg")
    else:  # found by their 面积- layers, which ezdwg's layer table gives without reading the drawing
        toml = toml[:toml.index("[area_drawings]")].replace('inputs = ["site.dxf"]',
                                                            'inputs = ["site.dxf", "area-1.dwg", "area-2.dwg"]')
    (target / "drawcheck.toml").write_text(toml, encoding="utf-8")
    return target


@pytest.mark.parametrize("named", [True, False], ids=["named", "detected"])
def test_area_drawings_as_dwg_give_the_dxf_schedules(named, tmp_path):
    expected = json.loads((SAMPLES / "area-calc" / "expected.json").read_text(encoding="utf-8"))
    report = drawcheck.check(_area_calc_as_dwg(tmp_path, named)).data
    for key in ("gfa_far", "gfa_above", "gfa_below", "far"):
        value = expected["indicators"][key]
        assert report["indicators"][key]["value"] == pytest.approx(value, abs=ROUNDING["m2"]), key
    for building, exp in expected["area_drawings"].items():
        (row,) = [r for r in report["area_drawings"] if r["building"] == building]
        for field in ("gfa_counted", "gfa_not_counted", "gfa_exempt", "footprint_area"):
            assert row[field] == pytest.approx(exp[field], abs=ROUNDING["m2"]), (building, field)
    dxf_rows = {r["building"]: r for r in drawcheck.check(SAMPLES / "area-calc").data["area_drawings"]}
    dwg_rows = {r["building"]: r for r in report["area_drawings"]}
    assert set(dwg_rows) == set(dxf_rows) == {"1#", "2#"}
    for building, row in dxf_rows.items():
        for field in ("gfa_counted", "gfa_not_counted", "gfa_exempt", "footprint_area", "floors"):
            assert dwg_rows[building].get(field) == row.get(field), (building, field)
    formats = {i["path"]: i["format"] for i in report["project"]["inputs"]}
    assert formats["area-1.dwg"] == formats["area-2.dwg"] == "dwg"
