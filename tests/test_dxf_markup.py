"""The annotated DXF: one cloud and one tag per located finding, the original drawing untouched.

Expected positions are worked by hand from the report's locations (metres) and
the drawing unit; the originals are compared entity by entity (handle, type,
layer, every DXF attribute). The tag layout is checked on the written DXF read
back with ezdxf, against the report's building outlines redrawn with shapely;
a tag's text is measured by ezdxf's own text-size estimate.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from pathlib import Path

import ezdxf
import pytest
import shapely
from ezdxf import revcloud
from ezdxf.tools.text_size import mtext_size

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


def _role(entity) -> str | None:
    """The markup role in the entity's XDATA (cloud, frame, tag, leader, arrow, list); None without XDATA."""
    return entity.get_xdata(APPID)[3].value if entity.has_xdata(APPID) else None


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
    for role in ("frame", "tag", "leader", "arrow"):  # one tag with its leader per located finding
        assert sorted(_finding_id(e) for e in review if _role(e) == role) == sorted(f["id"] for f in located), role
    listed = [e for e in review if _role(e) == "list"]
    assert [_finding_id(e) for e in listed] == [f["id"] for f in report["findings"]]  # every one, in report order
    by_id = {f["id"]: f for f in report["findings"]}
    for e in listed:
        f = by_id[_finding_id(e)]
        assert e.dxftype() == "MTEXT" and e.plain_text().startswith(f"{f['id']} {f['rule']}: {f['message']}")
    for e in review:
        if _role(e) == "tag":
            f = by_id[_finding_id(e)]
            assert e.dxftype() == "MTEXT" and "\n" not in e.plain_text()  # one line
            assert e.plain_text() == f"{f['id']} {f['title']}"  # the samples' titles are short enough


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
    listed = [e for e in _review(doc) if _role(e) == "list" and _finding_id(e) in unlocated]
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


# -- the tags: clear of buildings and of each other, a leader to each finding --------------------------------
#: Points compared after a round trip through DXF text (16 significant digits), at coordinates up to 1e7.
ON_M = 1e-6


def _location_geometry(f: dict, k: float):
    coords = f["location"]["coordinates"]
    if f["location"]["type"] == "Point":
        return shapely.Point(coords[0] * k, coords[1] * k)
    return shapely.LineString([(x * k, y * k) for x, y in coords])


def _assert_tags_clear(doc, report: dict, unit_m: float) -> dict:
    """Every located finding has a framed tag clear of every building and of every other tag, with a
    leader from its frame to its location; the full list sits right of every tag. Returns the frames."""
    k = 1.0 / unit_m
    eps = ON_M * k
    review = _review(doc)
    located = _located(report)
    frames = {_finding_id(e): shapely.Polygon(_vertices(e)) for e in review if _role(e) == "frame"}
    assert sorted(frames) == sorted(f["id"] for f in located)
    buildings = [shapely.Polygon([(x * k, y * k) for x, y in part[0]])
                 for b in report["plan"]["buildings"] for part in b["parts"]]
    assert buildings
    tree = shapely.STRtree(buildings)
    for fid, frame in frames.items():
        assert frame.is_valid and frame.area > 0
        assert len(tree.query(frame, predicate="intersects")) == 0, f"{fid}'s tag touches a building"
    ids = sorted(frames)
    for n, a in enumerate(ids):
        for b in ids[n + 1:]:
            assert not frames[a].intersects(frames[b]), (a, b)
    leaders = {_finding_id(e): e for e in review if _role(e) == "leader"}
    arrows = {_finding_id(e): e for e in review if _role(e) == "arrow"}
    tags = {_finding_id(e): e for e in review if _role(e) == "tag"}
    for f in located:
        leader = leaders[f["id"]]
        start = shapely.Point(leader.dxf.start.x, leader.dxf.start.y)
        end = shapely.Point(leader.dxf.end.x, leader.dxf.end.y)
        assert frames[f["id"]].exterior.distance(start) <= eps  # it leaves from its own frame
        assert _location_geometry(f, k).distance(end) <= eps  # and ends on the finding's location
        tip = arrows[f["id"]].vertices()[0]
        assert end.distance(shapely.Point(tip[0], tip[1])) <= eps  # the arrowhead points there
        tag = tags[f["id"]]
        if tag.dxftype() == "MTEXT":  # middle-left attachment: the text as ezdxf measures it lies in the frame
            size = mtext_size(tag)
            x, y = tag.dxf.insert.x, tag.dxf.insert.y
            text_box = shapely.box(x, y - size.total_height / 2, x + size.total_width, y + size.total_height / 2)
            assert frames[f["id"]].contains(text_box), f["id"]
    right = max(frame.bounds[2] for frame in frames.values())
    for e in review:
        if _role(e) == "list":
            assert e.dxf.insert.x > right
    return frames


@pytest.mark.parametrize("name", ["residential", "mixed", "residential-ifc"])
def test_sample_tags_clear_of_buildings_and_each_other(reports, name, tmp_path):
    report = reports[name]
    doc = _reopen(to_dxf(report, SAMPLES / name), tmp_path)
    dxf = [i for i in report["project"]["inputs"] if i["format"] == "dxf"]
    _assert_tags_clear(doc, report, dxf[0]["unit_m"] if dxf else 1.0)


#: Four buildings (metres); A and B stand 2 m apart, too narrow for a tag between them.
CLUSTER_BUILDINGS = {"A": (20, 20, 60, 50), "B": (62, 20, 90, 50), "C": (20, 52, 60, 70), "D": (92, 20, 110, 70)}
#: Ten findings within a few metres of (58, 35), inside A and across the A-B gap; two pairs share a place.
CLUSTER = [
    {"type": "Point", "coordinates": [57.0, 34.0]},
    {"type": "Point", "coordinates": [58.0, 35.0]},
    {"type": "Point", "coordinates": [58.0, 35.0]},
    {"type": "Point", "coordinates": [59.0, 36.0]},
    {"type": "Point", "coordinates": [57.5, 36.5]},
    {"type": "Point", "coordinates": [59.5, 34.2]},
    {"type": "LineString", "coordinates": [[60.0, 35.0], [62.0, 35.0]]},
    {"type": "LineString", "coordinates": [[60.0, 35.0], [62.0, 35.0]]},
    {"type": "LineString", "coordinates": [[60.0, 30.0], [62.0, 30.0]]},
    {"type": "LineString", "coordinates": [[56.0, 38.0], [59.0, 38.0]]},
]


def _cluster_submission(tmp_path: Path) -> tuple[dict, Path]:
    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 4  # millimetres: the layout works in drawing units
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (130_000, 0), (130_000, 90_000), (0, 90_000)], close=True,
                       dxfattribs={"layer": "用地红线"})
    for x0, y0, x1, y1 in CLUSTER_BUILDINGS.values():
        msp.add_lwpolyline([(x0 * 1000, y0 * 1000), (x1 * 1000, y0 * 1000), (x1 * 1000, y1 * 1000),
                            (x0 * 1000, y1 * 1000)], close=True, dxfattribs={"layer": "建筑轮廓"})
    report, folder = _submission(tmp_path, doc, None, unit_m=0.001)
    titles = ["防火间距", "高层居住建筑间距", "A very long English title that does not fit in a tag at all",
              "日照", "消防车道", "绿地", "间距", "间距", "退让道路红线", "一个非常非常非常非常非常长的中文规则标题"]
    report["findings"] = [
        {"id": f"F{n:04d}", "rule": f"r:{n}", "department": "planning", "severity": "error", "title": title,
         "message": f"message {n}", "subjects": [], "location": location, "sources": [],
         "fingerprint": f"{n:064x}"}
        for n, (title, location) in enumerate(zip(titles, CLUSTER), 1)]
    report["findings"].append({"id": "F0011", "rule": "r:11", "department": "planning", "severity": "error",
                               "title": "容积率", "message": "no place", "subjects": [], "location": None,
                               "sources": [], "fingerprint": "b" * 64})
    report["plan"] = {"site": [[[[0.0, 0.0], [130.0, 0.0], [130.0, 90.0], [0.0, 90.0]]]],
                      "buildings": [{"id": name, "kind": "new",
                                     "parts": [[[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]]}
                                    for name, (x0, y0, x1, y1) in CLUSTER_BUILDINGS.items()],
                      "roads": [], "green": [], "basements": []}
    return report, folder


def test_clustered_findings_get_tags_clear_of_buildings_and_of_each_other(tmp_path):
    report, folder = _cluster_submission(tmp_path)
    data = to_dxf(report, folder)
    assert data == to_dxf(report, folder)  # the same report, the same bytes
    doc = _reopen(data, tmp_path)
    frames = _assert_tags_clear(doc, report, 0.001)
    assert len(frames) == 10
    review = _review(doc)
    leaders = [e for e in review if _role(e) == "leader"]
    for leader in leaders:  # no leader runs through another finding's tag
        line = shapely.LineString([(leader.dxf.start.x, leader.dxf.start.y), (leader.dxf.end.x, leader.dxf.end.y)])
        for fid, frame in frames.items():
            if fid != _finding_id(leader):
                assert not line.intersects(frame), (_finding_id(leader), fid)
    texts = {_finding_id(e): e.plain_text() for e in review if _role(e) == "tag"}
    assert texts["F0001"] == "F0001 防火间距"
    assert texts["F0003"].startswith("F0003 A very long") and texts["F0003"].endswith("…")
    assert texts["F0010"].startswith("F0010 一个非常") and texts["F0010"].endswith("…")
    assert len(texts["F0010"]) < len("F0010 " + report["findings"][9]["title"])
    # the 2 m gap between A and B holds no tag: every frame lies outside the buildings' hull... of each building
    hull = shapely.box(20_000, 20_000, 90_000, 50_000)
    assert all(not hull.contains(frame) for frame in frames.values())


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
    (cloud,) = [e for e in review if _role(e) == "cloud"]
    assert cloud.dxftype() == "POLYLINE"
    assert cloud.is_closed and cloud.has_xdata(APPID) and cloud.has_xdata(revcloud.REVCLOUD_PROPS)
    xs, _ = zip(*_vertices(cloud))
    assert min(xs) == pytest.approx(10 - PAD_M) and max(xs) == pytest.approx(20 + PAD_M)
    assert any(e.dxftype() == "TEXT" and e.dxf.text.startswith("F0001 r:1: spacing short") for e in review)
    (tag,) = [e for e in review if _role(e) == "tag"]
    assert tag.dxftype() == "TEXT" and tag.dxf.text == "F0001 spacing short"  # no title: the message, short
    (frame,) = [e for e in review if _role(e) == "frame"]
    assert frame.dxftype() == "POLYLINE" and frame.is_closed
    (leader,) = [e for e in review if _role(e) == "leader"]
    assert (leader.dxf.end.x, leader.dxf.end.y) == pytest.approx((15.0, 10.0))  # halfway along the location


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
    (listed,) = [e for e in _review(out) if _role(e) == "list"]
    assert listed.plain_text() == r"F0001 r:1: a {b} \P c"
    (tag,) = [e for e in _review(out) if _role(e) == "tag"]
    assert tag.plain_text() == r"F0001 a {b} \P c"


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
