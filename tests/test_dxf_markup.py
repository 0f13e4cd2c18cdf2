"""The annotated DXF: one cloud and one tag per located finding, the original drawing untouched.

Expected positions are worked by hand from the report's locations (metres) and
the drawing unit; the originals are compared entity by entity (handle, type,
layer, every DXF attribute).
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from pathlib import Path

import ezdxf
import pytest
from ezdxf import revcloud

import drawcheck
from drawcheck.reports.dxf_markup import APPID, LAYER, NEST_M, PAD_M, to_dxf

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {name: drawcheck.check(SAMPLES / name).data for name in ("residential", "residential-ifc", "mixed")}


def _reopen(data: bytes, tmp_path: Path, name: str = "annotated.dxf") -> ezdxf.document.Drawing:
    path = tmp_path / name
    path.write_bytes(data)
    return ezdxf.readfile(path)


def _review(doc) -> list:
    return [e for e in doc.modelspace() if e.dxf.layer == LAYER]


def _finding_id(entity) -> str:
    return entity.get_xdata(APPID)[0].value


def _located(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["location"]]


def _vertices(entity) -> list[tuple[float, float]]:
    if entity.dxftype() == "LWPOLYLINE":
        return [(x, y) for x, y in entity.get_points("xy")]
    return [(v.dxf.location.x, v.dxf.location.y) for v in entity.vertices]


@pytest.mark.parametrize("name", ["residential", "mixed"])
def test_one_cloud_and_one_tag_per_located_finding(reports, name, tmp_path):
    report = reports[name]
    doc = _reopen(to_dxf(report, SAMPLES / name), tmp_path)
    assert doc.layers.get(LAYER).color == 1  # red
    review = _review(doc)
    clouds = [e for e in review if revcloud.is_revcloud(e)]
    located = _located(report)
    assert located, "the samples have located findings"
    assert sorted(_finding_id(c) for c in clouds) == sorted(f["id"] for f in located)
    tags = Counter(_finding_id(e) for e in review if e.dxftype() == "MTEXT" and e.has_xdata(APPID))
    assert tags == Counter(f["id"] for f in report["findings"])  # located ones beside the cloud, others listed
    for e in review:
        if e.dxftype() == "MTEXT" and e.has_xdata(APPID):
            f = next(f for f in report["findings"] if f["id"] == _finding_id(e))
            assert e.plain_text().startswith(f"{f['id']} {f['rule']}: {f['message']}")


def test_clouds_surround_their_locations_in_drawing_units(reports, tmp_path):
    report = reports["residential"]
    assert report["project"]["inputs"][0]["unit_m"] == 0.001  # the sample is drawn in millimetres
    doc = _reopen(to_dxf(report, SAMPLES / "residential"), tmp_path)
    clouds = {_finding_id(c): c for c in _review(doc) if revcloud.is_revcloud(c)}
    f1 = next(f for f in report["findings"] if f["rule"] == "gb50016-2014:5.2.2")
    assert f1["location"]["coordinates"] == [[-3450.0, 1210.0], [-3440.0, 1210.0]]
    seen: Counter = Counter()
    for f in _located(report):
        xs, ys = zip(*(p for p in f["location"]["coordinates"]))
        key = (min(xs), min(ys), max(xs), max(ys))
        pad = PAD_M + NEST_M * seen[key]  # a further finding at the same place gets a wider cloud
        seen[key] += 1
        cx, cy = zip(*_vertices(clouds[f["id"]]))  # the cloud's vertices lie on the padded rectangle
        expected = ((key[0] - pad) * 1000, (key[1] - pad) * 1000, (key[2] + pad) * 1000, (key[3] + pad) * 1000)
        assert (min(cx), min(cy), max(cx), max(cy)) == pytest.approx(expected, abs=1e-6)
    # F0001 (fire) and F0003 (planning) both flag 1#-2# at the same nearest points: two clouds, nested
    assert seen[(-3450.0, 1210.0, -3440.0, 1210.0)] == 2


@pytest.mark.parametrize("name", ["residential", "mixed"])
def test_original_entities_untouched(reports, name, tmp_path):
    original = ezdxf.readfile(SAMPLES / name / "site.dxf")
    doc = _reopen(to_dxf(reports[name], SAMPLES / name), tmp_path)
    for layout_name in original.layout_names():
        before = {e.dxf.handle: (e.dxftype(), e.dxfattribs()) for e in original.layouts.get(layout_name)}
        after = {e.dxf.handle: (e.dxftype(), e.dxfattribs()) for e in doc.layouts.get(layout_name)
                 if e.dxf.layer != LAYER}
        assert after == before, layout_name
    count = Counter(e.dxf.layer for e in original.modelspace())
    assert Counter(e.dxf.layer for e in doc.modelspace() if e.dxf.layer != LAYER) == count
    for block in original.blocks:
        if block.block_record.is_any_layout:  # compared above, as layouts
            continue
        assert [e.dxf.handle for e in doc.blocks.get(block.name)] == [e.dxf.handle for e in block]
    assert doc.units == original.units


def test_header_stamps_kept_from_the_original(reports):
    """ezdxf sets $TDCREATE to now on load and save; the annotated copy keeps the drawing's own."""
    raw = (SAMPLES / "residential" / "site.dxf").read_text(encoding="utf-8").splitlines()
    out = to_dxf(reports["residential"], SAMPLES / "residential").decode("utf-8").splitlines()
    for key in ("$TDCREATE", "$TDUPDATE", "$FINGERPRINTGUID"):
        at = raw.index(key)
        assert out[out.index(key) + 2] == raw[at + 2], key


def test_unlocated_findings_listed_beside_the_extents(reports, tmp_path):
    report = reports["residential"]
    original = ezdxf.readfile(SAMPLES / "residential" / "site.dxf")
    extmax_x = ezdxf.bbox.extents(original.modelspace(), fast=True).extmax.x
    doc = _reopen(to_dxf(report, SAMPLES / "residential"), tmp_path)
    unlocated = {f["id"] for f in report["findings"] if not f["location"]}
    assert unlocated
    listed = [e for e in _review(doc) if e.dxftype() == "MTEXT" and e.has_xdata(APPID) and _finding_id(e) in unlocated]
    assert len(listed) == len(unlocated)
    for e in listed:
        assert e.dxf.insert.x > extmax_x
    tops = [e.dxf.insert.y for e in listed]
    assert tops == sorted(tops, reverse=True)  # a list, top down, in report order


def test_deterministic(reports):
    for name in ("residential", "residential-ifc"):
        assert to_dxf(reports[name], SAMPLES / name) == to_dxf(reports[name], SAMPLES / name)


def test_ifc_only_submission_gets_a_plan_drawing_in_metres(reports, tmp_path):
    report = reports["residential-ifc"]
    assert {i["format"] for i in report["project"]["inputs"]} == {"ifc"}
    doc = _reopen(to_dxf(report, SAMPLES / "residential-ifc"), tmp_path)
    assert doc.units == 6  # metres
    texts = " ".join(e.plain_text() for e in _review(doc) if e.dxftype() in ("TEXT", "MTEXT"))
    assert "no DXF" in texts and "plan" in texts
    plan = report["plan"]
    msp = doc.modelspace()
    assert len(msp.query('LWPOLYLINE[layer=="用地红线"]')) == sum(len(a) for a in plan["site"])
    assert len(msp.query('LWPOLYLINE[layer=="建筑轮廓"]')) == sum(len(p) for b in plan["buildings"] for p in b["parts"])
    site = msp.query('LWPOLYLINE[layer=="用地红线"]').first
    assert list(site.get_points("xy"))[0] == tuple(plan["site"][0][0][0])  # metres, unscaled
    clouds = [e for e in _review(doc) if revcloud.is_revcloud(e)]
    assert sorted(_finding_id(c) for c in clouds) == sorted(f["id"] for f in _located(report))
    (f1,) = [f for f in _located(report) if f["rule"] == "gb50016-2014:5.2.2"]
    xs, ys = zip(*_vertices(next(c for c in clouds if _finding_id(c) == f1["id"])))
    assert min(xs) <= -3450.0 - PAD_M + 1e-9 and max(xs) >= -3440.0 + PAD_M - 1e-9


# -- small drawings made here: units, versions, encodings, errors --------------------------------------------
def _submission(tmp_path: Path, doc, location, *, unit_m: float, message: str = "间距不足 spacing") -> tuple[dict, Path]:
    folder = tmp_path / "sub"
    folder.mkdir(exist_ok=True)
    path = folder / "plan.dxf"
    doc.saveas(path)
    report = {
        "schema": "drawcheck/report@1", "tool": {"name": "drawcheck", "version": "0.1.0"},
        "project": {"name": "t", "inputs": [{"path": "plan.dxf", "format": "dxf", "unit_m": unit_m,
                                             "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]},
        "findings": [{"id": "F0001", "rule": "r:1", "department": "fire", "severity": "error", "message": message,
                      "subjects": ["1#"], "location": location, "sources": [], "fingerprint": "f" * 64}],
        "rules": [{"rule": "r:1", "department": "fire", "outcome": "failed", "findings": 1}],
    }
    return report, folder


def test_point_location_in_a_centimetre_drawing(tmp_path):
    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 5
    doc.modelspace().add_lwpolyline([(0, 0), (5000, 0), (5000, 5000)], close=True, dxfattribs={"layer": "A"})
    report, folder = _submission(tmp_path, doc, {"type": "Point", "coordinates": [10.0, 20.0]}, unit_m=0.01)
    out = _reopen(to_dxf(report, folder), tmp_path)
    (cloud,) = [e for e in _review(out) if revcloud.is_revcloud(e)]
    xs, ys = zip(*_vertices(cloud))
    # (10, 20) m = (1000, 2000) cm, padded by PAD_M = 200 cm
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((800.0, 1200.0, 1800.0, 2200.0))


def test_drawing_ezdxf_cannot_write_back_gets_a_plan_drawing(tmp_path):
    """Found by fuzzing: a header point variable holding a number reads, but ezdxf cannot write it back.

    The markup then falls back to a drawing of the report's plan, in metres, saying why."""
    import re

    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 6
    doc.modelspace().add_lwpolyline([(0, 0), (50, 0), (50, 50)], close=True, dxfattribs={"layer": "A"})
    report, folder = _submission(tmp_path, doc, {"type": "Point", "coordinates": [10.0, 20.0]}, unit_m=1.0)
    path = folder / "plan.dxf"
    text = path.read_text(encoding="utf-8")
    broken = re.sub(r"\$INSBASE\n 10\n[^\n]*\n 20\n[^\n]*\n 30\n[^\n]*\n", "$INSBASE\n 70\n5\n", text)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(TypeError):  # the premise: ezdxf itself cannot write this drawing back
        ezdxf.readfile(path).write(io.StringIO())
    report["project"]["inputs"][0]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    report["plan"] = {"site": [[[[0.0, 0.0], [50.0, 0.0], [50.0, 50.0]]]], "buildings": [], "existing_buildings": [],
                      "roads": [], "green": [], "basements": []}
    out = _reopen(to_dxf(report, folder), tmp_path)
    assert out.units == 6
    texts = " ".join(e.plain_text() for e in _review(out) if e.dxftype() in ("TEXT", "MTEXT"))
    assert "plan.dxf is too damaged to be written back (TypeError" in " ".join(texts.split())
    (cloud,) = [e for e in _review(out) if revcloud.is_revcloud(e)]
    xs, ys = zip(*_vertices(cloud))
    assert min(xs) < 10.0 < max(xs) and min(ys) < 20.0 < max(ys)


def test_r12_drawing_gets_polyline_clouds_and_text(tmp_path):
    doc = ezdxf.new("R12")
    doc.modelspace().add_line((0, 0), (100, 100), dxfattribs={"layer": "A"})
    report, folder = _submission(tmp_path, doc, {"type": "LineString", "coordinates": [[10, 10], [20, 10]]},
                                 unit_m=1.0, message="spacing short")
    out = _reopen(to_dxf(report, folder), tmp_path)
    assert out.dxfversion == "AC1009"
    review = _review(out)
    (cloud,) = [e for e in review if e.dxftype() == "POLYLINE"]
    assert cloud.is_closed and cloud.has_xdata(APPID) and cloud.has_xdata(revcloud.REVCLOUD_PROPS)
    xs, _ = zip(*_vertices(cloud))
    assert min(xs) == pytest.approx(10 - PAD_M) and max(xs) == pytest.approx(20 + PAD_M)
    assert any(e.dxftype() == "TEXT" and e.dxf.text.startswith("F0001 r:1: spacing short") for e in review)


def test_gbk_drawing_keeps_its_encoding(tmp_path):
    doc = ezdxf.new("R2000")
    doc.encoding = "gbk"  # ezdxf writes $DWGCODEPAGE ANSI_936 from it
    doc.modelspace().add_text("用地红线", dxfattribs={"layer": "标注"})
    report, folder = _submission(tmp_path, doc, {"type": "Point", "coordinates": [1.0, 1.0]}, unit_m=1.0)
    data = to_dxf(report, folder)
    assert b"ANSI_936" in data and "间距不足".encode("gbk") in data  # the drawing's code page, not UTF-8
    assert b"\\U+" not in data
    out = _reopen(data, tmp_path)
    assert out.encoding == "gbk"
    assert any(e.dxftype() == "MTEXT" and "间距不足" in e.plain_text() for e in _review(out))
    assert [e.dxf.text for e in out.modelspace().query("TEXT")] == ["用地红线"]


def test_mtext_special_characters_are_escaped(tmp_path):
    doc = ezdxf.new("R2013")
    report, folder = _submission(tmp_path, doc, {"type": "Point", "coordinates": [0, 0]}, unit_m=1.0,
                                 message=r"a {b} \P c")
    out = _reopen(to_dxf(report, folder), tmp_path)
    (tag,) = [e for e in _review(out) if e.dxftype() == "MTEXT" and e.has_xdata(APPID)]
    assert tag.plain_text() == r"F0001 r:1: a {b} \P c"


def test_changed_or_missing_drawing_is_refused(tmp_path):
    doc = ezdxf.new("R2013")
    report, folder = _submission(tmp_path, doc, None, unit_m=1.0)
    (folder / "plan.dxf").write_bytes((folder / "plan.dxf").read_bytes() + b"\n")
    with pytest.raises(ValueError, match="changed since it was checked"):
        to_dxf(report, folder)
    with pytest.raises(ValueError, match="not found"):
        to_dxf(report, tmp_path / "elsewhere")
    report["project"]["inputs"][0]["sha256"] = hashlib.sha256((folder / "plan.dxf").read_bytes()).hexdigest()
    del report["project"]["inputs"][0]["unit_m"]
    with pytest.raises(ValueError, match="unit_m"):
        to_dxf(report, folder)


def test_cli_renders_a_copied_submission(tmp_path):
    import json
    import shutil
    import subprocess
    import sys

    sub = tmp_path / "residential"
    shutil.copytree(SAMPLES / "residential", sub)
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(sub), "--format", "dxf,json", "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 1, proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    data = (tmp_path / "out" / "report.dxf").read_bytes()
    doc = ezdxf.read(io.StringIO(data.decode("utf-8")))
    assert len([e for e in _review(doc) if revcloud.is_revcloud(e)]) == len(_located(report))
