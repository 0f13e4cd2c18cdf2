"""The DXF reader against the submission convention (§1 units, §2 layers, §3 geometry, §4 labels, §7 declared).

One focused drawing per feature, built with ezdxf into ``tmp_path``. Expected
values are worked out by hand (the arithmetic is in the comments) or with
shapely on a copy densified by ``dxf_builders.arc_points``, never taken from
the reader.
"""

from __future__ import annotations

import math

import ezdxf
import numpy as np
import pytest
import shapely
from ezdxf.enums import TextEntityAlignment

import drawcheck
from drawcheck.geometry.arcs import SAGITTA_TOLERANCE
from drawcheck.readers.layers import LayerRoles

from dxf_builders import (
    BLDG,
    GREEN,
    INDICATORS,
    PARKING,
    SITE,
    add_mtext,
    add_part,
    add_poly,
    add_site,
    add_text,
    area_of,
    codes,
    findings,
    handles_of,
    new_doc,
    notes,
    parts,
    read,
    rect,
    ring_bounds,
    save,
    run_cli,
    shapely_polygon,
)

#: Relative error allowed on areas that are exact by construction (bulges, circles,
#: arc edges): a few hundred ulps of float64 arithmetic.
EXACT_REL = 1e-9


def chord_loss_bound(curve_length: float) -> float:
    """Most area a chord polygon inscribed in a curve of this length can lose (m²).

    The reader replaces curves it cannot keep as arcs (ellipses, splines, arcs
    under non-uniform scale) by chords within SAGITTA_TOLERANCE of the curve;
    each chord's cut-off sliver is under chord × sagitta.
    """
    return SAGITTA_TOLERANCE * curve_length


def site_area_of(project) -> float:
    assert len(project.sites) == 1
    return area_of(project.sites[0])


# =====================================================================================
# §1 units
# =====================================================================================
@pytest.mark.parametrize("insunits, w, h", [(4, 100_000, 50_000), (5, 10_000, 5_000), (6, 100, 50)])
def test_insunits_scale_the_site(tmp_path, insunits, w, h):
    # 100 000 mm x 50 000 mm = 10 000 cm x 5 000 cm = 100 m x 50 m = 5 000 m2
    doc = new_doc(insunits)
    add_site(doc.modelspace(), w, h)
    project = read(save(doc, tmp_path))
    assert site_area_of(project) == pytest.approx(5000.0, rel=EXACT_REL)
    assert "units-guessed" not in codes(project)


@pytest.mark.parametrize("w, h, unit, area", [
    (100_000, 50_000, "mm", 5_000.0),     # wider than 20 000 units: mm, 100 m x 50 m
    (20_001, 10_000, "mm", 200.01),       # just above: mm, 20.001 m x 10 m
    (20_000, 10_000, "m", 200_000_000.0),  # not above: metres, 20 000 m x 10 000 m
    (100, 50, "m", 5_000.0),             # metres
])
def test_unitless_drawing_guesses_from_the_site_extent(tmp_path, w, h, unit, area):
    doc = new_doc(insunits=None)
    add_site(doc.modelspace(), w, h)
    project = read(save(doc, tmp_path))
    assert site_area_of(project) == pytest.approx(area, rel=EXACT_REL)
    guessed = notes(project, "units-guessed")
    assert len(guessed) == 1 and guessed[0].severity == "warning"
    assert f"guessed {unit} " in guessed[0].message


def test_absent_insunits_counts_as_unitless(tmp_path):
    doc = new_doc(insunits=None)
    del doc.header["$INSUNITS"]
    add_site(doc.modelspace(), 100_000, 50_000)
    path = save(doc, tmp_path)
    assert b"$INSUNITS" not in path.read_bytes()
    project = read(path)
    assert site_area_of(project) == pytest.approx(5000.0, rel=EXACT_REL)
    assert "units-guessed" in codes(project)


def test_units_override_is_used_when_insunits_is_0(tmp_path):
    # 10 000 cm x 5 000 cm = 100 m x 50 m = 5 000 m2 (a guess would say m: 50 000 000 m2)
    doc = new_doc(insunits=None)
    add_site(doc.modelspace(), 10_000, 5_000)
    project = read(save(doc, tmp_path), units="cm")
    assert site_area_of(project) == pytest.approx(5000.0, rel=EXACT_REL)
    assert "units-guessed" not in codes(project)


def test_units_override_beats_insunits(tmp_path):
    # issue 12: $INSUNITS can lie and --units is the user's word, so it wins over the declared mm
    # 100 000 cm x 50 000 cm = 1 000 m x 500 m = 500 000 m2 (as declared mm it would be 5 000 m2)
    doc = new_doc(4)
    add_site(doc.modelspace(), 100_000, 50_000)
    project = read(save(doc, tmp_path), units="cm")
    assert site_area_of(project) == pytest.approx(500_000.0, rel=EXACT_REL)
    said = notes(project, "units-overridden")
    assert len(said) == 1 and "INSUNITS=4" in said[0].message


# =====================================================================================
# §2 layers
# =====================================================================================
@pytest.mark.parametrize("layer, role", [
    ("用地红线", "sites"), ("用地边界", "sites"), ("规划用地红线", "sites"), ("SITE", "sites"),
    (" site-boundary ", "sites"), ("Redline", "sites"),
    ("绿地", "green"), ("绿化", "green"), ("green", "green"), ("Landscape-Green", "green"),
    ("集中绿地", "green_central"), ("GREEN-CENTRAL", "green_central"),
    ("人防", "civil_defense"), ("消防车道", "fire_lanes"), ("fire-rescue", "fire_rescue"),
])
def test_default_layer_names_case_and_space_insensitive(tmp_path, layer, role):
    doc = new_doc()
    add_poly(doc.modelspace(), rect(0, 0, 10, 10), layer)
    project = read(save(doc, tmp_path))
    found = getattr(project, role)
    assert len(found) == 1 and area_of(found[0]) == pytest.approx(100.0, rel=EXACT_REL)


@pytest.mark.parametrize("layer", ["建筑轮廓", "建筑基底", "建筑外轮廓", "bldg", " BLDG-Footprint ", "Building"])
def test_default_building_layers(tmp_path, layer):
    doc = new_doc()
    add_part(doc.modelspace(), rect(0, 0, 20, 10), "1# 6F", layer=layer)
    (part,) = parts(read(save(doc, tmp_path)))
    assert (part.name, part.floors) == ("1#", 6)


def test_manifest_names_and_globs_extend_the_defaults(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_part(msp, rect(0, 0, 20, 10), "1# 6F", layer="A-建筑轮廓")
    add_part(msp, rect(100, 0, 120, 10), "2# 6F", layer="建筑轮廓")
    add_part(msp, rect(200, 0, 220, 10), "3# 6F", layer="MY-BLDG")
    path = save(doc, tmp_path)
    roles = LayerRoles({"building": ["*-建筑轮廓", "my-bldg"]})
    assert sorted(p.name for p in parts(read(path, roles))) == ["1#", "2#", "3#"]
    # the defaults alone know none of the two extra layers
    assert [p.name for p in parts(read(path))] == ["2#"]


def test_replace_drops_the_defaults(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_part(msp, rect(0, 0, 20, 10), "1# 6F", layer="A-建筑轮廓")
    add_part(msp, rect(100, 0, 120, 10), "2# 6F", layer="建筑轮廓")
    add_site(msp, 500, 500)
    project = read(save(doc, tmp_path), LayerRoles({"building": ["*-建筑轮廓"]}, replace=True))
    assert [p.name for p in parts(project)] == ["1#"]
    assert project.sites == []  # 用地红线 is no longer a role layer


@pytest.mark.parametrize("state", ["off", "frozen"])
def test_hidden_layers_are_not_read_and_are_named(tmp_path, state):
    doc = new_doc()
    msp = doc.modelspace()
    layer = doc.layers.add("绿化")
    if state == "off":
        layer.off()
    else:
        layer.freeze()
    add_poly(msp, rect(0, 0, 10, 10), "绿化")
    add_poly(msp, rect(20, 0, 30, 10), GREEN)
    project = read(save(doc, tmp_path))
    assert [area_of(g) for g in project.green] == [pytest.approx(100.0)]
    assert project.green[0].source.layer == GREEN
    (hidden,) = notes(project, "hidden-layers")
    assert hidden.severity == "info" and "绿化" in hidden.message


# =====================================================================================
# §3 geometry
# =====================================================================================
# A 20 x 10 rectangle, counter-clockwise; the bottom edge bulges out by a half
# disc (bulge 1, r = 10) and the top edge bulges in (bulge -0.5 on a 20 m chord).
BULGED = [(0, 0, 1.0), (20, 0, 0.0), (20, 10, -0.5), (0, 10, 0.0)]
# Top segment: θ = 4 atan(0.5); with t = 0.5, sin 2a = 2t/(1+t²) = 0.8, cos 2a = 0.6,
# so sin θ = 2·0.8·0.6 = 0.96; r = c(1+b²)/(4|b|) = 20·1.25/2 = 12.5;
# segment area = r²/2 (θ − sin θ) = 78.125 (4 atan 0.5 − 0.96).
BULGED_AREA = 200.0 + 50.0 * math.pi - 78.125 * (4.0 * math.atan(0.5) - 0.96)


def test_lwpolyline_bulges_of_both_signs_are_exact(tmp_path):
    doc = new_doc()
    add_poly(doc.modelspace(), BULGED, GREEN)
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(BULGED_AREA, rel=EXACT_REL)
    # cross-check of the hand value: shapely on 0.01° chords (chord loss ~ 1e-8 m2)
    assert shapely_polygon(BULGED).area == pytest.approx(BULGED_AREA, abs=1e-5)
    # the outward half disc reaches y = -10; the inward arc stays inside
    assert ring_bounds(green) == pytest.approx((0, -10, 20, 10), abs=1e-6)


@pytest.mark.parametrize("version, units", [("R2000", None), ("R12", "m")])
def test_old_style_2d_polyline_with_bulges(tmp_path, version, units):
    doc = new_doc(6 if version != "R12" else None, dxfversion=version)
    pl = doc.modelspace().add_polyline2d(BULGED, format="xyb", close=True, dxfattribs={"layer": GREEN})
    assert pl.dxftype() == "POLYLINE"
    (green,) = read(save(doc, tmp_path), units=units).green
    assert area_of(green) == pytest.approx(BULGED_AREA, rel=EXACT_REL)


def test_circle_area_is_pi_r_squared(tmp_path):
    doc = new_doc()
    doc.modelspace().add_circle((50, 40), 7.0, dxfattribs={"layer": GREEN})
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(49.0 * math.pi, rel=EXACT_REL)
    assert ring_bounds(green) == pytest.approx((43, 33, 57, 47), abs=1e-6)


def test_closed_ellipse_area_within_flattening_tolerance(tmp_path):
    # a = 30, b = 15: πab = 450π; perimeter < 2πa = 60π bounds the chord loss
    doc = new_doc()
    doc.modelspace().add_ellipse((10, 20), major_axis=(30, 0), ratio=0.5, dxfattribs={"layer": GREEN})
    (green,) = read(save(doc, tmp_path)).green
    exact = 450.0 * math.pi
    got = area_of(green)
    assert 0.0 <= exact - got <= chord_loss_bound(60.0 * math.pi)
    assert ring_bounds(green) == pytest.approx((-20, 5, 40, 35), abs=1e-3)


def test_rotated_ellipse_area(tmp_path):
    # major axis along (1, 1)·10√2: a = 20, b = 0.25·20 = 5, area 100π
    doc = new_doc()
    doc.modelspace().add_ellipse((0, 0), major_axis=(10 * math.sqrt(2), 10 * math.sqrt(2)), ratio=0.25,
                                 dxfattribs={"layer": GREEN})
    (green,) = read(save(doc, tmp_path)).green
    assert 0.0 <= 100.0 * math.pi - area_of(green) <= chord_loss_bound(40.0 * math.pi)


@pytest.mark.parametrize("kind", ["wrapped", "clamped"])
def test_closed_spline_matches_a_fine_independent_evaluation(tmp_path, kind):
    # "wrapped": periodic control points on a uniform unclamped knot vector (ezdxf set_closed,
    # LibreCAD); "clamped": clamped knots with the last control point on the first (AutoCAD).
    # A B-spline is drawn over [knots[p], knots[n]] only (regression: ezdxf's flattening runs
    # over every knot and drew a self-intersecting curve of 17 550 m2 for the wrapped one).
    doc = new_doc()
    control = [(0, 0, 0), (40, -10, 0), (60, 20, 0), (30, 50, 0), (-10, 30, 0)]
    if kind == "wrapped":
        spline = doc.modelspace().add_spline(dxfattribs={"layer": GREEN})
        spline.set_closed(control)
    else:
        spline = doc.modelspace().add_open_spline(control + control[:1], dxfattribs={"layer": GREEN})
        spline.closed = True
    path = save(doc, tmp_path)
    (green,) = read(path).green
    # independent reference: 200 000 points evenly spaced in the curve's parameter domain
    # (ezdxf BSpline.params spans [knots[p], knots[n]]), as shapely sees them
    tool = ezdxf.readfile(path).entitydb[spline.dxf.handle].construction_tool()
    fine = shapely.Polygon([(p.x, p.y) for p in tool.points(tool.params(200_000))])
    assert fine.is_valid and 1000 < fine.area < 4000
    assert abs(fine.area - area_of(green)) <= chord_loss_bound(fine.length)


def test_hatch_polyline_paths_outer_minus_hole(tmp_path):
    # outer 40 x 30 = 1200; hole: two half circles (bulge 1) on a 10 m chord = circle r = 5, 25π
    doc = new_doc()
    hatch = doc.modelspace().add_hatch(dxfattribs={"layer": GREEN})
    hatch.paths.add_polyline_path(rect(0, 0, 40, 30), is_closed=True, flags=ezdxf.const.BOUNDARY_PATH_EXTERNAL)
    hatch.paths.add_polyline_path([(10, 15, 1.0), (20, 15, 1.0)], is_closed=True)
    (green,) = read(save(doc, tmp_path)).green
    assert len(green.rings) == 2
    assert area_of(green) == pytest.approx(1200.0 - 25.0 * math.pi, rel=EXACT_REL)


@pytest.mark.parametrize("ccw, expected", [
    # 20 x 20 square whose top edge is an arc of r = 10 centred at (10, 20):
    # counter-clockwise from 0° to 180° it bulges out (+ half disc 50π),
    # clockwise from 0° through 270° to 180° it bites in (− 50π)
    (True, 400.0 + 50.0 * math.pi),
    (False, 400.0 - 50.0 * math.pi),
])
def test_hatch_edge_path_arc_orientation(tmp_path, ccw, expected):
    doc = new_doc()
    hatch = doc.modelspace().add_hatch(dxfattribs={"layer": GREEN})
    edges = hatch.paths.add_edge_path()
    edges.add_line((0, 20), (0, 0))
    edges.add_line((0, 0), (20, 0))
    edges.add_line((20, 0), (20, 20))
    # ezdxf keeps arc angles counter-clockwise: a clockwise arc from 0° to 180°
    # is given as the ccw arc 180°..360° with ccw=False
    if ccw:
        edges.add_arc((10, 20), 10, 0, 180, ccw=True)
    else:
        edges.add_arc((10, 20), 10, 180, 360, ccw=False)
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(expected, rel=EXACT_REL)
    ymin, ymax = ring_bounds(green)[1::2]
    assert (ymin, ymax) == pytest.approx((0, 30) if ccw else (0, 20), abs=1e-6)


def test_hatch_edge_path_clockwise_loop_with_both_arc_kinds(tmp_path):
    # Left edge is a clockwise half circle from (0,0) to (0,20) bulging left (centre (0,10), r 10:
    # + 50π); right edge a ccw half circle from (20,20) to (20,0) around (20,10) bulging left,
    # i.e. into the square (− 50π): 20·20 + 50π − 50π = 400.
    doc = new_doc()
    hatch = doc.modelspace().add_hatch(dxfattribs={"layer": GREEN})
    edges = hatch.paths.add_edge_path()
    edges.add_arc((0, 10), 10, 90, 270, ccw=False)   # cw from 270° (0,0) via 180° (-10,10) to 90° (0,20)
    edges.add_line((0, 20), (20, 20))
    edges.add_arc((20, 10), 10, 90, 270, ccw=True)   # ccw from 90° (20,20) via 180° (10,10) to 270° (20,0)
    edges.add_line((20, 0), (0, 0))
    project = read(save(doc, tmp_path))
    (green,) = project.green
    assert area_of(green) == pytest.approx(400.0, rel=EXACT_REL)
    assert ring_bounds(green) == pytest.approx((-10, 0, 20, 20), abs=1e-6)
    assert "hatch-gap" not in codes(project)


def test_hatch_over_identical_polyline_counted_once(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    outline = add_poly(msp, BULGED, GREEN)
    hatch = msp.add_hatch(dxfattribs={"layer": GREEN})
    hatch.paths.add_polyline_path(BULGED, is_closed=True)
    project = read(save(doc, tmp_path))
    assert len(project.green) == 1
    assert area_of(project.green[0]) == pytest.approx(BULGED_AREA, rel=EXACT_REL)
    (dup,) = notes(project, "duplicate-area")
    assert dup.severity == "info"
    assert handles_of(dup) == {outline.dxf.handle, hatch.dxf.handle}


def test_extrusion_minus_z_mirrors_x(tmp_path):
    # OCS with Az = (0,0,-1): arbitrary-axis rule gives Ax = Wy × Az = (-1,0,0), Ay = Az × Ax = (0,1,0),
    # so OCS (x, y) lands at WCS (-x, y). The OCS outline 10..20 x 0..10 with a ccw half circle
    # (bulge 1) on its right edge (reaching OCS x = 25) lands at WCS -20..-10 with the
    # half circle on the left (x = -25). Area 100 + 12.5π either way.
    doc = new_doc()
    pts = [(10, 0, 0.0), (20, 0, 1.0), (20, 10, 0.0), (10, 10, 0.0)]
    add_poly(doc.modelspace(), pts, GREEN, extrusion=(0, 0, -1))
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(100.0 + 12.5 * math.pi, rel=EXACT_REL)
    assert ring_bounds(green) == pytest.approx((-25, 0, -10, 10), abs=1e-6)


def test_circle_with_extrusion_minus_z(tmp_path):
    # centre (30, 5) in the OCS of Az = (0,0,-1) is WCS (-30, 5)
    doc = new_doc()
    doc.modelspace().add_circle((30, 5), 2.0, dxfattribs={"layer": GREEN, "extrusion": (0, 0, -1)})
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(4.0 * math.pi, rel=EXACT_REL)
    assert ring_bounds(green) == pytest.approx((-32, 3, -28, 7), abs=1e-6)


def test_hatch_with_extrusion_minus_z(tmp_path):
    # the clockwise-arc square of test_hatch_edge_path_arc_orientation (400 − 50π, OCS x 0..20)
    # in the OCS of Az = (0,0,-1): WCS x = −OCS x, so it spans −20..0
    doc = new_doc()
    hatch = doc.modelspace().add_hatch(dxfattribs={"layer": GREEN, "extrusion": (0, 0, -1)})
    edges = hatch.paths.add_edge_path()
    edges.add_line((0, 20), (0, 0))
    edges.add_line((0, 0), (20, 0))
    edges.add_line((20, 0), (20, 20))
    edges.add_arc((10, 20), 10, 180, 360, ccw=False)
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(400.0 - 50.0 * math.pi, rel=EXACT_REL)
    assert ring_bounds(green) == pytest.approx((-20, 0, 0, 20), abs=1e-6)
    # the arc bites in from the top: the point OCS (10, 15) is outside, (10, 5) inside
    poly = shapely_polygon([tuple(r) for r in green.rings[0]])
    assert poly.contains(shapely.Point(-10, 5)) and not poly.contains(shapely.Point(-10, 15))


# =====================================================================================
# §3 blocks
# =====================================================================================
def _block(doc, name, corners, layer="0"):
    blk = doc.blocks.new(name)
    add_poly(blk, corners, layer)
    return blk


def test_insert_rotation_scale_translation(tmp_path):
    # block rect (0,0)-(10,5); insert at (100, 200), rotated 90°, scale 2:
    # (x, y) -> 2·(-y, x) + (100, 200): corners (100,200) (100,220) (90,220) (90,200);
    # area 50 · 2² = 200
    doc = new_doc()
    _block(doc, "B", rect(0, 0, 10, 5))
    ref = doc.modelspace().add_blockref("B", (100, 200), dxfattribs={
        "layer": BLDG, "rotation": 90, "xscale": 2, "yscale": 2, "zscale": 2})
    ref.add_attrib("NAME", "1#")
    ref.add_attrib("FLOORS", "5")
    (part,) = parts(read(save(doc, tmp_path)))
    assert area_of(part.area) == pytest.approx(200.0, rel=EXACT_REL)
    assert ring_bounds(part.area) == pytest.approx((90, 200, 100, 220), abs=1e-9)
    assert part.source.handle == ref.dxf.handle


def test_nested_insert_two_levels(tmp_path):
    # Inner: rect (0,0)-(4,3); Outer places Inner at (10, 0); model space places Outer at
    # (1000, 0) with scale 2: x -> 2(x + 10) + 1000 = 1020..1028, y -> 2y = 0..6; area 12·4 = 48
    doc = new_doc()
    _block(doc, "INNER", rect(0, 0, 4, 3))
    outer = doc.blocks.new("OUTER")
    outer.add_blockref("INNER", (10, 0))
    doc.modelspace().add_blockref("OUTER", (1000, 0), dxfattribs={"layer": GREEN, "xscale": 2, "yscale": 2})
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(48.0, rel=EXACT_REL)
    assert ring_bounds(green) == pytest.approx((1020, 0, 1028, 6), abs=1e-9)


def test_minsert_on_parking_counts_rows_times_columns(tmp_path):
    doc = new_doc()
    _block(doc, "CAR", rect(0, 0, 2.5, 5.3))
    ref = doc.modelspace().add_blockref("CAR", (0, 0), dxfattribs={"layer": PARKING})
    ref.grid(size=(3, 4), spacing=(6.0, 2.5))  # 3 rows x 4 columns
    project = read(save(doc, tmp_path))
    assert len(project.parking) == 12
    assert {s.handle for s in project.parking} == {ref.dxf.handle}


def test_parking_insert_counts_one_not_its_content(tmp_path):
    # the block holds one space outline on layer 0 and a second outline on the parking
    # layer itself: an INSERT is still one space (convention §3)
    doc = new_doc()
    blk = _block(doc, "CAR", rect(0, 0, 2.5, 5.3))
    add_poly(blk, rect(0.1, 0.1, 2.4, 5.2), PARKING)
    msp = doc.modelspace()
    msp.add_blockref("CAR", (0, 0), dxfattribs={"layer": PARKING})
    msp.add_blockref("CAR", (3, 0), dxfattribs={"layer": PARKING})
    add_poly(msp, rect(10, 0, 12.5, 5.3), PARKING)  # and one plain outline
    assert len(read(save(doc, tmp_path)).parking) == 3


def test_mirrored_insert_keeps_exact_positive_area(tmp_path):
    # BULGED (area BULGED_AREA, bounds x 0..20, y -10..10) mirrored by xscale = -1 at (100, 0):
    # x -> 100 − x, bounds 80..100
    doc = new_doc()
    blk = doc.blocks.new("M")
    add_poly(blk, BULGED, "0")
    doc.modelspace().add_blockref("M", (100, 0), dxfattribs={"layer": GREEN, "xscale": -1})
    (green,) = read(save(doc, tmp_path)).green
    assert area_of(green) == pytest.approx(BULGED_AREA, rel=EXACT_REL)
    assert ring_bounds(green) == pytest.approx((80, -10, 100, 10), abs=1e-6)


def test_non_uniform_scale_of_a_bulged_block(tmp_path):
    # block: 10 x 10 square with a half circle (r 5) on the top edge: 100 + 12.5π.
    # xscale 2, yscale 1 turns it into a 20 x 10 rectangle + a half ellipse a = 10, b = 5:
    # 200 + πab/2 = 200 + 25π (= det 2 × the block area). The half ellipse is chords now:
    # it loses at most sagitta × its length (< πa = 10π).
    doc = new_doc()
    blk = doc.blocks.new("NU")
    add_poly(blk, [(0, 0, 0.0), (10, 0, 0.0), (10, 10, 1.0), (0, 10, 0.0)], "0")
    doc.modelspace().add_blockref("NU", (0, 0), dxfattribs={"layer": GREEN, "xscale": 2, "yscale": 1})
    (green,) = read(save(doc, tmp_path)).green
    exact = 200.0 + 25.0 * math.pi
    assert 0.0 <= exact - area_of(green) <= chord_loss_bound(10.0 * math.pi)
    assert ring_bounds(green) == pytest.approx((0, 0, 20, 15), abs=1e-3)


def test_attribs_label_the_parts_of_their_own_insert(tmp_path):
    doc = new_doc()
    _block(doc, "TOWER", rect(0, 0, 20, 10))
    msp = doc.modelspace()
    for k, (name, floors, height, use) in enumerate([("1#", "18", "54.0", "住宅"), ("2#", "6", "21", "商业")]):
        ref = msp.add_blockref("TOWER", (k * 100, 0), dxfattribs={"layer": BLDG})
        for tag, value in (("NAME", name), ("FLOORS", floors), ("HEIGHT", height), ("USE", use)):
            ref.add_attrib(tag, value, insert=(k * 100 + 500, 500))  # attrib text far from the part
    got = {p.name: (p.floors, p.height, p.use) for p in parts(read(save(doc, tmp_path)))}
    assert got == {"1#": (18, 54.0, "residential"), "2#": (6, 21.0, "commercial")}


def test_block_that_inserts_itself(tmp_path):
    doc = new_doc()
    blk = _block(doc, "LOOP", rect(0, 0, 10, 10))
    blk.add_blockref("LOOP", (20, 0))
    ref = doc.modelspace().add_blockref("LOOP", (0, 0), dxfattribs={"layer": GREEN})
    project = read(save(doc, tmp_path))
    assert "block-cycle" in codes(project)
    # the block's own outline is still read once
    assert [area_of(g) for g in project.green] == [pytest.approx(100.0)]
    assert ref.dxf.handle in handles_of(notes(project, "block-cycle")[0])


def test_insert_of_a_missing_block(tmp_path):
    doc = new_doc()
    ref = doc.modelspace().add_blockref("NOWHERE", (0, 0), dxfattribs={"layer": GREEN})
    project = read(save(doc, tmp_path))
    # ezdxf's audit deletes the INSERT (a repair) before the walk: both are reported, naming it
    (missing,) = notes(project, "missing-block")
    assert handles_of(missing) == {ref.dxf.handle}
    assert any(handles_of(n) == {ref.dxf.handle} for n in notes(project, "dxf-repaired"))
    assert project.green == []


# =====================================================================================
# §4 labels
# =====================================================================================
def test_text_and_mtext_with_formatting_codes(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_part(msp, rect(0, 0, 30, 20), "1#  18F", layer=BLDG)
    add_poly(msp, rect(100, 0, 130, 20), BLDG)
    add_mtext(msp, r"{\fSimSun|b0|i0;2#楼}\P{\H1.5x;26层}\PH=78.0m\P\C1;商业", (105, 15))
    got = {p.name: (p.floors, p.height, p.use) for p in parts(read(save(doc, tmp_path)))}
    assert got == {"1#": (18, 54.0, "residential"), "2#楼": (26, 78.0, "commercial")}


def test_nested_parts_smallest_takes_the_label(tmp_path):
    # a 60 x 40 podium with a 30 x 20 tower inside it (convention §4's example)
    doc = new_doc()
    msp = doc.modelspace()
    podium = add_poly(msp, rect(0, 0, 60, 40), BLDG)
    tower = add_poly(msp, rect(15, 10, 45, 30), BLDG)
    add_text(msp, "1# 25F H=75", (30, 20))  # inside both: the tower is smaller
    add_text(msp, "1# 4F H=18", (5, 5))     # inside the podium only
    project = read(save(doc, tmp_path))
    by_handle = {p.source.handle: p for p in parts(project)}
    assert (by_handle[tower.dxf.handle].floors, by_handle[tower.dxf.handle].height) == (25, 75.0)
    assert (by_handle[podium.dxf.handle].floors, by_handle[podium.dxf.handle].height) == (4, 18.0)
    assert [b.id for b in project.buildings] == ["1#"]


def test_nested_parts_gfa_through_check(tmp_path):
    # convention §4: 4 × 2400 + 21 × 600 = 22 200 m2; site 200 x 100 = 20 000 m2, FAR 1.11
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 200, 100, origin=(-50, -30))
    add_poly(msp, rect(0, 0, 60, 40), BLDG)
    add_poly(msp, rect(15, 10, 45, 30), BLDG)
    add_text(msp, "1# 25F H=75", (30, 20))
    add_text(msp, "1# 4F H=18", (5, 5))
    data = drawcheck.check(save(doc, tmp_path)).data
    assert data["indicators"]["gfa_above"]["value"] == pytest.approx(22_200.0)
    assert data["indicators"]["far"]["value"] == pytest.approx(1.11)
    assert data["indicators"]["footprint_area"]["value"] == pytest.approx(2400.0)


def test_conflicting_floors(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    part = add_poly(msp, rect(0, 0, 30, 20), BLDG)
    add_text(msp, "1# 18F", (5, 5))
    add_text(msp, "20F", (5, 12))
    project = read(save(doc, tmp_path))
    (conflict,) = notes(project, "conflicting-labels")
    assert handles_of(conflict) == {part.dxf.handle}
    assert "18" in conflict.message and "20" in conflict.message


def test_unlabelled_part(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_part(msp, rect(0, 0, 30, 20), "1# 18F")
    bare = add_poly(msp, rect(100, 0, 130, 20), BLDG)
    project = read(save(doc, tmp_path))
    (unlabelled,) = notes(project, "unlabelled-part")
    assert handles_of(unlabelled) == {bare.dxf.handle}
    assert [p.source.handle for p in project.unlabelled_parts] == [bare.dxf.handle]
    assert [p.name for p in parts(project)] == ["1#"]


def test_floors_without_height_assume_3m_storeys(tmp_path):
    doc = new_doc()
    part = add_part(doc.modelspace(), rect(0, 0, 30, 20), "2# 6F")
    project = read(save(doc, tmp_path))
    (p,) = parts(project)
    assert (p.floors, p.height, p.height_assumed) == (6, 18.0, True)  # 6 × 3.0 m
    (assumed,) = notes(project, "height-assumed")
    assert handles_of(assumed) == {part.dxf.handle} and assumed.severity == "info"


def test_label_outside_every_part_is_stray(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_part(msp, rect(0, 0, 30, 20), "1# 18F")
    stray = add_text(msp, "3# 5F", (200, 200))
    add_text(msp, "some note", (300, 300))  # no label token: ignored quietly
    project = read(save(doc, tmp_path))
    (note,) = notes(project, "stray-label")
    assert handles_of(note) == {stray.dxf.handle}


@pytest.mark.parametrize("align", [TextEntityAlignment.MIDDLE_CENTER, TextEntityAlignment.RIGHT,
                                   TextEntityAlignment.TOP_CENTER])
def test_aligned_text_uses_its_align_point(tmp_path, align):
    # align point (15, 10) is inside the part; the (stale) insert point is far outside
    doc = new_doc()
    msp = doc.modelspace()
    add_poly(msp, rect(0, 0, 30, 20), BLDG)
    t = add_text(msp, "1# 9F", (15, 10), align=align)
    t.dxf.insert = (-500, -500)
    project = read(save(doc, tmp_path))
    (p,) = parts(project)
    assert (p.name, p.floors) == ("1#", 9)
    assert "stray-label" not in codes(project)


def test_left_aligned_text_uses_its_insert(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_poly(msp, rect(0, 0, 30, 20), BLDG)
    t = add_text(msp, "1# 9F", (5, 5))
    t.dxf.align_point = (-500, -500)  # ignored for left-aligned text
    (p,) = parts(read(save(doc, tmp_path)))
    assert p.floors == 9


# =====================================================================================
# §7 declared indicators
# =====================================================================================
def _declared_drawing(tmp_path, far_text="0.50"):
    # site 100 x 50 = 5000 m2; one building 20 x 10 of 10 floors: GFA 2000, FAR 0.4,
    # coverage 200 / 5000 = 0.04
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 50)
    add_part(msp, rect(10, 10, 30, 20), "1# 10F H=30")
    mtext = add_mtext(msp, "总用地面积：5000㎡\\P容积率：" + far_text, (200, 100), layer=INDICATORS)
    name = add_text(msp, "建筑密度", (200, 50), layer=INDICATORS)
    value = add_text(msp, "4%", (230, 50), layer=INDICATORS)
    return save(doc, tmp_path), mtext, name, value


def test_declared_mtext_lines_and_text_cells(tmp_path):
    path, mtext, name, value = _declared_drawing(tmp_path)
    declared = read(path).declared
    assert {k: v.value for k, v in declared.items()} == {
        "site_area": pytest.approx(5000.0), "far": pytest.approx(0.5), "coverage": pytest.approx(0.04)}
    assert {s.handle for s in declared["coverage"].sources} == {name.dxf.handle, value.dxf.handle}
    assert {s.handle for s in declared["far"].sources} == {mtext.dxf.handle}


def test_declared_mismatch_is_a_finding(tmp_path):
    path, mtext, *_ = _declared_drawing(tmp_path)
    data = drawcheck.check(path).data
    ind = data["indicators"]
    assert (ind["site_area"]["value"], ind["site_area"]["status"]) == (pytest.approx(5000.0), "ok")
    assert (ind["coverage"]["value"], ind["coverage"]["status"]) == (pytest.approx(0.04), "ok")
    assert (ind["far"]["value"], ind["far"]["declared"], ind["far"]["status"]) == (
        pytest.approx(0.4), pytest.approx(0.5), "mismatch")
    (finding,) = findings(data, "declared:far")
    assert finding["severity"] == "error" and finding["department"] == "qa"
    assert finding["declared"] == pytest.approx(0.5) and finding["computed"] == pytest.approx(0.4)
    assert [s["handle"] for s in finding["sources"]] == [mtext.dxf.handle]
    assert findings(data, "declared:site_area") == [] and findings(data, "declared:coverage") == []


def test_declared_far_within_tolerance_passes(tmp_path):
    # 0.41 − 0.40 = 0.01: exactly the ratio tolerance, which passes (§7)
    path, *_ = _declared_drawing(tmp_path, far_text="0.41")
    data = drawcheck.check(path).data
    assert data["indicators"]["far"]["status"] == "ok"
    assert findings(data, "declared:far") == []


# =====================================================================================
# §3 encoding
# =====================================================================================
def test_gbk_r2000_drawing(tmp_path):
    doc = new_doc(dxfversion="R2000")
    # ezdxf writes DXF < R2007 in doc.encoding and overwrites $DWGCODEPAGE from it on save
    # (setting only the header variable is not enough: it would be reset to ANSI_1252)
    doc.encoding = "gbk"
    msp = doc.modelspace()
    add_site(msp, 100, 50)
    add_part(msp, rect(10, 10, 30, 20), "3号楼 12层 高度36.0米 商业")
    path = save(doc, tmp_path)
    raw = path.read_bytes()
    assert b"ANSI_936" in raw
    assert BLDG.encode("gbk") in raw and "3号楼".encode("gbk") in raw
    assert BLDG.encode("utf-8") not in raw and b"\\U+" not in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    project = read(path)
    assert site_area_of(project) == pytest.approx(5000.0)
    (p,) = parts(project)
    assert (p.name, p.floors, p.height, p.use) == ("3号楼", 12, 36.0, "commercial")
    assert "undecodable-text" not in codes(project)


def test_undecodable_text_is_named(tmp_path):
    # a GBK drawing whose label carries two bytes GBK cannot decode (0xFF is no lead byte)
    doc = new_doc(dxfversion="R2000")
    doc.encoding = "gbk"
    msp = doc.modelspace()
    add_poly(msp, rect(0, 0, 30, 20), BLDG)
    label = add_text(msp, "1# 6F XX", (5, 5))
    path = save(doc, tmp_path)
    raw = path.read_bytes()
    assert raw.count(b"1# 6F XX") == 1
    path.write_bytes(raw.replace(b"1# 6F XX", b"1# 6F \xff\xff"))
    project = read(path)
    (note,) = notes(project, "undecodable-text")
    assert handles_of(note) == {label.dxf.handle}
    (p,) = parts(project)
    assert (p.name, p.floors) == ("1#", 6)  # the readable tokens still count


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_dxf_unicode_escapes_in_an_r2000_drawing(tmp_path, newline):
    # regression: DXF R2004 and older store characters outside the code page (here the
    # default ANSI_1252) as \U+xxxx; ezdxf.readfile keeps them verbatim, so no Chinese
    # layer matched a role
    doc = new_doc(dxfversion="R2000")
    msp = doc.modelspace()
    add_site(msp, 100, 50)
    add_part(msp, rect(10, 10, 30, 20), "3号楼 12层")
    path = save(doc, tmp_path)
    raw = path.read_bytes()
    assert b"ANSI_1252" in raw and b"\\U+5EFA" in raw.upper()  # 建 = U+5EFA
    path.write_bytes(raw.replace(b"\n", newline))
    project = read(path)
    assert site_area_of(project) == pytest.approx(5000.0)
    (p,) = parts(project)
    assert (p.name, p.floors) == ("3号楼", 12)


# =====================================================================================
# QA notes
# =====================================================================================
def test_open_outline_names_its_handle(tmp_path):
    doc = new_doc()
    open_pl = add_poly(doc.modelspace(), [(0, 0), (30, 0), (30, 20), (0, 20)], BLDG, closed=False)
    project = read(save(doc, tmp_path))
    (note,) = notes(project, "open-outline")
    assert handles_of(note) == {open_pl.dxf.handle} and open_pl.dxf.handle in note.message
    assert parts(project) == [] and project.unlabelled_parts == []


def test_closed_by_coincidence(tmp_path):
    doc = new_doc()
    pl = add_poly(doc.modelspace(), [(0, 0), (30, 0), (30, 20), (0, 20), (0, 0)], GREEN, closed=False)
    project = read(save(doc, tmp_path))
    (green,) = project.green
    assert area_of(green) == pytest.approx(600.0, rel=EXACT_REL)
    assert len(green.rings[0]) == 4  # the repeated vertex is dropped
    (note,) = notes(project, "closed-by-coincidence")
    assert handles_of(note) == {pl.dxf.handle}


def test_self_intersecting_bow_tie(tmp_path):
    # (0,0) (20,10) (20,0) (0,10): two triangles meeting at (10,5), each 10 · 10 / 2 = 50
    doc = new_doc()
    pl = add_poly(doc.modelspace(), [(0, 0), (20, 10), (20, 0), (0, 10)], GREEN)
    project = read(save(doc, tmp_path))
    (note,) = notes(project, "self-intersection")
    assert handles_of(note) == {pl.dxf.handle}
    assert sum(area_of(g) for g in project.green) == pytest.approx(100.0, rel=1e-9)


@pytest.mark.parametrize("n_sites", [0, 2, "open"])
def test_site_boundary_count_error(tmp_path, n_sites):
    doc = new_doc()
    msp = doc.modelspace()
    if n_sites == "open":
        open_site = add_poly(msp, [(0, 0), (100, 0), (100, 50), (0, 50)], SITE, closed=False)
        sites = []
    else:
        sites = [add_site(msp, 100, 50, origin=(k * 500, 0)) for k in range(n_sites)]
    add_part(msp, rect(10, 10, 30, 20), "1# 10F H=30")
    add_poly(msp, rect(40, 10, 50, 20), GREEN)
    data = drawcheck.check(save(doc, tmp_path)).data
    (finding,) = findings(data, "qa:site-boundary")
    assert finding["severity"] == "error"
    assert {s["handle"] for s in finding["sources"]} == {s.dxf.handle for s in sites}
    for key in ("site_area", "far", "coverage", "green_area", "green_ratio"):
        ind = data["indicators"][key]
        assert ind["value"] is None, key
        assert ind.get("reason"), key
    assert data["indicators"]["gfa_above"]["value"] == pytest.approx(2000.0)  # 200 m2 × 10
    if n_sites == "open":
        (opened,) = findings(data, "qa:open-outline")
        assert [s["handle"] for s in opened["sources"]] == [open_site.dxf.handle]


def _nan_polyline_dxf(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 50)
    bad = add_poly(msp, [(10, 10), (20, 10), (20, 20), (10, 20)], GREEN)
    good = add_poly(msp, rect(40, 10, 50, 20), GREEN)
    path = save(doc, tmp_path)
    # patch the second vertex's x (group 10 "20.0" after the first vertex) to nan, by hand
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i in range(len(lines)) if lines[i].strip() == "5" and lines[i + 1].strip() == bad.dxf.handle)
    xs = [i for i in range(start, len(lines) - 1) if lines[i].strip() == "10"]
    assert float(lines[xs[1] + 1]) == 20.0
    lines[xs[1] + 1] = "nan"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, bad, good


def test_nan_coordinates(tmp_path):
    path, bad, good = _nan_polyline_dxf(tmp_path)
    project = read(path)
    (note,) = notes(project, "invalid-coordinates")
    assert handles_of(note) == {bad.dxf.handle}
    assert [g.source.handle for g in project.green] == [good.dxf.handle]
    data = drawcheck.check(path).data  # the whole pipeline survives too
    assert data["indicators"]["green_area"]["value"] == pytest.approx(100.0)
    assert findings(data, "qa:invalid-coordinates")


def test_absurd_coordinates_are_refused_not_computed(tmp_path):
    """1e300 is finite but no site plan: the outline is skipped with a finding, the label becomes stray."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    huge = add_poly(msp, [(1e300, 0), (1e300 + 1, 0), (1e300, 1e300)], BLDG)
    add_text(msp, "1# 3F", (1e300, 1))
    project = read(save(doc, tmp_path))
    (note,) = notes(project, "invalid-coordinates")
    assert handles_of(note) == {huge.dxf.handle}
    assert notes(project, "stray-label") and not project.buildings


def test_zero_area_outline_is_reported_and_not_counted(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    flat = add_poly(msp, [(10, 10), (20, 10), (30, 10)], BLDG)  # collinear: no area at all
    add_text(msp, "1# 3F", (20, 10))
    project = read(save(doc, tmp_path))
    (note,) = notes(project, "self-intersection")
    assert handles_of(note) == {flat.dxf.handle} and "no area remains" in note.message
    assert not parts(project)


# =====================================================================================
# bad files through the CLI
# =====================================================================================
@pytest.mark.parametrize("kind", ["missing", "empty", "random", "dwg", "pdf"])
def test_unreadable_files_exit_2_with_one_line(tmp_path, kind):
    path = tmp_path / f"{kind}.dxf"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "random":
        path.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    elif kind == "dwg":
        path = tmp_path / "site.dwg"
        path.write_bytes(b"AC1032" + bytes(range(256)) * 8)
    elif kind == "pdf":
        path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    proc = run_cli(path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drawcheck:"), proc.stderr
    assert "Traceback" not in proc.stderr
    if kind == "dwg":
        assert "ODA File Converter" in lines[0] and "dwg2dxf" in lines[0]
