"""Loose outlines (issue 12, point 5): LINE / ARC / open polyline pieces joined into closed areas.

Expected values are independent of the reader: the shipped samples'
``expected.json`` (written by samples/generate.py from primitive
dimensions), hand-worked rectangles and πr² for arcs.
"""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

import ezdxf
import numpy as np
import pytest

import drawcheck
from drawcheck.geometry.chains import gaps, join_pieces, reversed_piece, ring_area
from drawcheck.readers.layers import AREA_ROLES, LayerRoles

ROOT = Path(__file__).resolve().parents[1]
#: as tests/test_samples_golden.py: expected.json keeps 6 decimals, the report rounds
ROUNDING = {"m2": 0.005, "m": 0.0005, "ratio": 0.00005, "count": 0}


def _findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


# -- twins of the shipped samples -------------------------------------------------------

def _explode_outlines(path: Path, seed: int) -> int:
    """Replace every closed model-space polyline on an area-role layer by its LINE/ARC pieces.

    Pieces are shuffled; some are reversed (a LINE swapped end for end, an ARC
    rewritten as a two-vertex open LWPOLYLINE walked backwards with its bulge
    negated); where two LINEs meet, their ends are pulled 0.8 mm apart,
    symmetrically about the true corner. Returns the number of outlines exploded.
    """
    rng = random.Random(seed)
    doc = ezdxf.readfile(path)
    msp = doc.modelspace()
    per_mm = 1.0 / (ezdxf.units.conversion_factor(doc.header.get("$INSUNITS", 6), ezdxf.units.M) * 1000.0)
    roles = LayerRoles({})
    exploded = 0
    pieces = []
    for e in list(msp):
        if e.dxftype() != "LWPOLYLINE" or not e.closed or roles.role_of(e.dxf.layer) not in AREA_ROLES:
            continue
        parts = list(e.virtual_entities())
        ends = [[np.array(p.dxf.start.vec2), np.array(p.dxf.end.vec2)] if p.dxftype() == "LINE" else None for p in parts]
        for k in range(len(parts)):  # the corner between part k and part k + 1
            a, b = ends[k], ends[(k + 1) % len(parts)]
            if a is None or b is None:
                continue
            angle = rng.uniform(0, 2 * math.pi)
            v = 0.4 * per_mm * np.array([math.cos(angle), math.sin(angle)])
            a[1] = a[1] + v
            b[0] = b[0] - v
        for part, end in zip(parts, ends):
            pieces.append((e.dxf.layer, part, end))
        msp.delete_entity(e)
        exploded += 1
    rng.shuffle(pieces)
    for layer, part, end in pieces:
        if end is not None:
            s, t = (end[1], end[0]) if rng.random() < 0.5 else (end[0], end[1])
            msp.add_line(tuple(s), tuple(t), dxfattribs={"layer": layer})
        elif rng.random() < 0.5:
            msp.add_arc(part.dxf.center, part.dxf.radius, part.dxf.start_angle, part.dxf.end_angle,
                        dxfattribs={"layer": layer})
        else:
            sweep = (part.dxf.end_angle - part.dxf.start_angle) % 360.0 or 360.0
            bulge = math.tan(math.radians(sweep) / 4.0)
            s, t = part.start_point, part.end_point
            msp.add_lwpolyline([(t.x, t.y, -bulge), (s.x, s.y, 0.0)], format="xyb", dxfattribs={"layer": layer})
    doc.saveas(path)
    return exploded


@pytest.mark.parametrize("name", ["residential", "compliant"])
def test_loose_twin_of_sample_gives_the_same_indicators(tmp_path, name):
    import json

    twin = tmp_path / name
    shutil.copytree(ROOT / "samples" / name, twin)
    exploded = _explode_outlines(twin / "site.dxf", seed=12)
    assert exploded >= 5
    expected = json.loads((twin / "expected.json").read_text(encoding="utf-8"))
    report = drawcheck.check(twin).data
    for key, row in report["indicators"].items():
        assert row["value"] == pytest.approx(expected[key], abs=ROUNDING[row["unit"]] + 1e-9), key
    rows = {b["id"]: b for b in report["buildings"]}
    assert set(rows) == set(expected["buildings"])
    for bid, exp in expected["buildings"].items():
        assert rows[bid]["footprint_area"] == pytest.approx(exp["footprint_area"], abs=ROUNDING["m2"]), bid
        assert rows[bid]["gfa"] == pytest.approx(exp["gfa"], abs=ROUNDING["m2"]), bid
    assert len(_findings(report, "qa:outline-joined")) == exploded
    for rule in ("qa:loose-edges", "qa:outline-gap", "qa:open-outline", "qa:outline-branching", "qa:site-boundary"):
        assert not _findings(report, rule), rule
    original = drawcheck.check(ROOT / "samples" / name).data
    outcomes = lambda r: {row["rule"]: row["outcome"] for row in r["rules"] if not row["rule"].startswith("qa:")}  # noqa: E731
    assert outcomes(report) == outcomes(original)


# -- small drawings ---------------------------------------------------------------------

def _doc():
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = 6  # metres
    for name in ("SITE", "BLDG", "GREEN", "ANNO"):
        doc.layers.add(name)
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (200, 0), (200, 100), (0, 100)], close=True, dxfattribs={"layer": "SITE"})
    return doc, msp


def _lines(msp, points, layer, closed=True):
    handles = []
    pairs = list(zip(points, points[1:] + (points[:1] if closed else [])))
    for a, b in pairs:
        handles.append(msp.add_line(a, b, dxfattribs={"layer": layer}).dxf.handle)
    return handles


def _run(doc, tmp_path):
    doc.saveas(tmp_path / "site.dxf")
    return drawcheck.check(tmp_path / "site.dxf").data


def test_gap_of_5_mm_is_a_finding_with_its_place_and_size(tmp_path):
    doc, msp = _doc()
    handles = _lines(msp, [(10, 10), (40, 10), (40, 30), (10, 30)], "BLDG", closed=False)
    handles.append(msp.add_line((10, 30), (10, 10.005), dxfattribs={"layer": "BLDG"}).dxf.handle)
    msp.add_text("1# 3F H=9.0", dxfattribs={"layer": "BLDG", "insert": (20, 20), "height": 1.0})
    report = _run(doc, tmp_path)
    (gap,) = _findings(report, "qa:outline-gap")
    ends = sorted(tuple(p) for p in gap["location"]["coordinates"])
    assert ends == [(10.0, 10.0), (10.0, 10.005)]
    assert "0.005 m (5.0 mm)" in gap["message"] and "(10.000, 10.000)" in gap["message"]
    assert {s["handle"] for s in gap["sources"]} == {handles[0], handles[3]}
    (loose,) = _findings(report, "qa:loose-edges")
    assert loose["severity"] == "error"
    assert report["buildings"] == [] and not _findings(report, "qa:outline-joined")


def test_gap_under_1_mm_closes_and_names_every_piece(tmp_path):
    doc, msp = _doc()
    handles = _lines(msp, [(10, 10), (40, 10), (40, 30), (10, 30.0009)], "BLDG", closed=False)
    handles.append(msp.add_line((10, 30), (10, 10), dxfattribs={"layer": "BLDG"}).dxf.handle)
    msp.add_text("1# 3F H=9.0", dxfattribs={"layer": "BLDG", "insert": (20, 20), "height": 1.0})
    report = _run(doc, tmp_path)
    (joined,) = _findings(report, "qa:outline-joined")
    assert [s["handle"] for s in joined["sources"]] == handles  # walked from the first piece drawn
    assert f"read as LINE {handles[0]}" in joined["message"]
    (b,) = report["buildings"]
    # the node is the mean of the two ends: (10, 30.00045); area 30 × 20 plus the sliver 30 × 0.00045 / 2
    assert b["footprint_area"] == pytest.approx(round(600.0 + 30 * 0.00045 / 2, 2), abs=1e-9)
    assert b["gfa"] == pytest.approx(round(3 * (600.0 + 30 * 0.00045 / 2), 2), abs=1e-9)


def test_outline_of_a_line_and_an_arc_has_the_exact_area(tmp_path):
    # a half disc of radius 10 centred (100, 50): a diameter LINE and an ARC from 0° to 180°, drawn in mm
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = 4
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (200_000, 0), (200_000, 100_000), (0, 100_000)], close=True, dxfattribs={"layer": "SITE"})
    msp.add_line((90_000, 50_000), (110_000, 50_000), dxfattribs={"layer": "GREEN"})
    msp.add_arc((100_000, 50_000), 10_000, 0, 180, dxfattribs={"layer": "GREEN"})
    # and a full circle of radius 5 m as two ARCs, centred (50, 50)
    msp.add_arc((50_000, 50_000), 5_000, 90, 270, dxfattribs={"layer": "GREEN"})
    msp.add_arc((50_000, 50_000), 5_000, 270, 90, dxfattribs={"layer": "GREEN"})
    report = _run(doc, tmp_path)
    assert len(_findings(report, "qa:outline-joined")) == 2
    want = math.pi * 10.0 ** 2 / 2 + math.pi * 5.0 ** 2
    assert report["indicators"]["green_area"]["value"] == pytest.approx(round(want, 2), abs=1e-9)


def test_branching_pieces_give_the_areas_they_enclose(tmp_path):
    # a 40 × 20 rectangle split by one LINE at x = 25: two faces, 15 × 20 and 25 × 20; the outer rectangle is not read
    doc, msp = _doc()
    _lines(msp, [(0.0, 0.0), (25.0, 0.0)], "GREEN", closed=False)
    _lines(msp, [(25.0, 0.0), (40.0, 0.0), (40.0, 20.0), (25.0, 20.0)], "GREEN", closed=False)
    _lines(msp, [(25.0, 20.0), (0.0, 20.0), (0.0, 0.0)], "GREEN", closed=False)
    msp.add_line((25, 20), (25, 0), dxfattribs={"layer": "GREEN"})
    report = _run(doc, tmp_path)
    (branching,) = _findings(report, "qa:outline-branching")
    assert "2 point(s)" in branching["message"]
    assert len(_findings(report, "qa:outline-joined")) == 2
    assert report["indicators"]["green_area"]["value"] == pytest.approx(800.0, abs=1e-9)


def test_leftover_spur_is_reported_but_the_ring_is_read(tmp_path):
    doc, msp = _doc()
    _lines(msp, [(10, 10), (30, 10), (30, 20), (10, 20)], "GREEN")
    spur = msp.add_line((30, 20), (35, 25), dxfattribs={"layer": "GREEN"}).dxf.handle
    report = _run(doc, tmp_path)
    assert report["indicators"]["green_area"]["value"] == pytest.approx(200.0, abs=1e-9)
    (loose,) = _findings(report, "qa:loose-edges")
    assert [s["handle"] for s in loose["sources"]] == [spur] and loose["severity"] == "warning"
    (end,) = _findings(report, "qa:outline-gap")
    assert end["location"] == {"type": "Point", "coordinates": [35.0, 25.0]}


# -- labels tied by leaders -------------------------------------------------------------

def _building_with_outside_label(msp):
    _lines(msp, [(10, 10), (40, 10), (40, 30), (10, 30)], "BLDG")  # 600 m2
    return msp.add_text("1# 6F H=18.0", dxfattribs={"layer": "BLDG", "insert": (60, 60), "height": 2.0}).dxf.handle


@pytest.mark.parametrize("how", ["leader", "line", "multileader"])
def test_label_outside_its_outline_joins_it_through_a_leader(tmp_path, how):
    doc, msp = _doc()
    if how == "multileader":
        _lines(msp, [(10, 10), (40, 10), (40, 30), (10, 30)], "BLDG")
        builder = msp.add_multileader_mtext("Standard", dxfattribs={"layer": "BLDG"})
        builder.set_content("1# 6F H=18.0", char_height=2.0)
        builder.add_leader_line(ezdxf.render.mleader.ConnectionSide.left, [ezdxf.math.Vec2(20, 20)])
        builder.build(insert=ezdxf.math.Vec2(70, 70))
        via = builder.multileader.dxf.handle
    else:
        _building_with_outside_label(msp)
        if how == "leader":  # on an annotation layer: leaders count on any layer
            via = msp.add_leader([(20, 20), (50, 50), (61, 61)], dxfattribs={"layer": "ANNO"}).dxf.handle
        else:
            via = msp.add_line((62, 59), (25, 25), dxfattribs={"layer": "BLDG"}).dxf.handle
    report = _run(doc, tmp_path)
    (b,) = report["buildings"]
    assert (b["id"], b["floors_above"]) == ("1#", 6)
    assert b["gfa"] == pytest.approx(3600.0, abs=1e-9)
    (note,) = _findings(report, "qa:label-by-leader")
    assert via in {s["handle"] for s in note["sources"]}
    for rule in ("qa:stray-label", "qa:loose-edges", "qa:unlabelled-part"):
        assert not _findings(report, rule), rule


def test_line_on_another_layer_does_not_tie_a_label(tmp_path):
    doc, msp = _doc()
    _building_with_outside_label(msp)
    msp.add_line((62, 59), (25, 25), dxfattribs={"layer": "ANNO"})
    report = _run(doc, tmp_path)
    assert report["buildings"] == []
    assert _findings(report, "qa:stray-label") and not _findings(report, "qa:label-by-leader")


def test_leader_far_from_the_text_does_not_tie_it(tmp_path):
    doc, msp = _doc()
    _building_with_outside_label(msp)
    msp.add_leader([(20, 20), (80, 20)], dxfattribs={"layer": "ANNO"})  # 40 m from the text (height 2 m: reach 10 m)
    report = _run(doc, tmp_path)
    assert report["buildings"] == [] and _findings(report, "qa:stray-label")


# -- the chain rule itself ------------------------------------------------------------------

def test_reversing_a_piece_negates_and_moves_its_bulges():
    piece = np.array([[0.0, 0.0, 0.5], [1.0, 0.0, 0.0], [1.0, 1.0, -0.25], [2.0, 1.0, 0.0]])
    back = reversed_piece(piece)
    assert back.tolist() == [[2.0, 1.0, 0.25], [1.0, 1.0, 0.0], [1.0, 0.0, -0.5], [0.0, 0.0, 0.0]]
    assert reversed_piece(back).tolist() == piece.tolist()


def test_quarter_disc_from_three_pieces_any_direction():
    # quarter disc radius 2: (0,0)->(2,0) line, arc (2,0)->(0,2) ccw (bulge tan(22.5°)), (0,2)->(0,0) line
    b = math.tan(math.radians(90) / 4)
    arc = np.array([[2.0, 0.0, b], [0.0, 2.0, 0.0]])
    pieces = [np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]]), reversed_piece(arc), np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])]
    joined = join_pieces(pieces, 1e-6)
    (ring,) = joined.rings
    assert ring.pieces[0] == 0 and sorted(ring.pieces) == [0, 1, 2] and joined.leftover == []
    assert ring_area(ring.rows) == pytest.approx(math.pi, rel=1e-12)


def test_gaps_pair_the_nearest_free_ends():
    # a square broken at two corners: gaps 0.3 at (0, 0) and 0.1 at (1, 1)
    pieces = [np.array([[0.3, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.9, 0.0]]),
              np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])]
    assert join_pieces(pieces, 1e-3).rings == []
    found = gaps(pieces, 1e-3)
    assert [round(g.size, 9) for g in found] == [0.1, 0.3]
    assert {found[0].a, found[0].b} == {(1.0, 0.9), (1.0, 1.0)}


def test_pieces_in_a_mirrored_scaled_block_keep_their_arc_exact(tmp_path):
    # a half disc of radius 2 (diameter LINE + ARC 0°..180°) in a block, inserted mirrored (x × -1) and
    # scaled × 2.5, and once more rotated 30°: each is a half disc of radius 5, π·25/2
    doc, msp = _doc()
    block = doc.blocks.new("HALF")
    block.add_line((-2, 0), (2, 0))
    block.add_arc((0, 0), 2, 0, 180)
    msp.add_blockref("HALF", (50, 50), dxfattribs={"layer": "GREEN", "xscale": -2.5, "yscale": 2.5})
    msp.add_blockref("HALF", (100, 50), dxfattribs={"layer": "GREEN", "xscale": 2.5, "yscale": 2.5, "rotation": 30})
    report = _run(doc, tmp_path)
    assert len(_findings(report, "qa:outline-joined")) == 2
    assert report["indicators"]["green_area"]["value"] == pytest.approx(round(2 * math.pi * 25 / 2, 2), abs=1e-9)


def test_outline_of_lines_in_a_labelled_block_keeps_the_block_label(tmp_path):
    # block: a 10 × 5 rectangle of four LINEs; two INSERTs (× 2 scale: 20 × 10 = 200 m2) with ATTRIB labels
    doc, msp = _doc()
    block = doc.blocks.new("PART")
    _lines(block, [(0, 0), (10, 0), (10, 5), (0, 5)], "0")
    for k, (name, floors) in enumerate((("1#", "5"), ("2#", "7"))):
        ref = msp.add_blockref("PART", (20 + 60 * k, 20), dxfattribs={"layer": "BLDG", "xscale": 2, "yscale": 2})
        ref.add_attrib("NAME", name)
        ref.add_attrib("FLOORS", floors)
    report = _run(doc, tmp_path)
    rows = {b["id"]: (b["floors_above"], b["footprint_area"], b["gfa"]) for b in report["buildings"]}
    assert rows == {"1#": (5, 200.0, 1000.0), "2#": (7, 200.0, 1400.0)}
    assert len(_findings(report, "qa:outline-joined")) == 2
