"""``drawcheck envelope``: the buildable zone against hand-worked geometry and shapely, and against the check.

Expected areas are worked out by hand (rectangles, rounded rectangles,
half discs) or with shapely on independently densified outlines; the
property test places buildings just inside and just outside the computed
zone and asks ``drawcheck check`` itself.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys

import ezdxf
import pytest
import shapely
from ezdxf.math import bulge_to_arc

from dxf_builders import CLI, ROOT
from fixture_plans import Plan

from drawcheck.envelope.zones import compute_envelope
from drawcheck.pipeline import check, prepare

FIRE = "gb50016-2014:5.2.2"


def _envelope(plan: Plan, tmp_path, height: float, use: str = "residential", name: str = "case"):
    folder = tmp_path / name
    plan.save(folder)
    return compute_envelope(prepare(folder), height, use)


def _by_rule(env, rule: str) -> list:
    return [c for c in env.constraints if c.rule == rule]


# -- setbacks --------------------------------------------------------------------------------------------------
def test_rectangle_inset_by_the_setback(tmp_path):
    plan = Plan().site(0, 0, 200, 100)
    plan.conditions["setback_min"] = 10.0
    env = _envelope(plan, tmp_path, 30.0)
    assert env.area == pytest.approx(180 * 80, abs=1e-6)
    assert env.buildable.symmetric_difference(shapely.box(10, 10, 190, 90)).area < 1e-6
    (setback,) = _by_rule(env, "conditions:setback_min")
    assert setback.distance == 10.0 and setback.area_removed == pytest.approx(200 * 100 - 180 * 80, abs=1e-6)


def test_bulged_boundary_keeps_its_arc(tmp_path):
    """Site: 100 x 60 rectangle closed on the east by a half circle of radius 30 (a bulge of 1).
    Inset by 5 m: 95 x 50 plus a half disc of radius 25 (to the 0.5 mm the outlines are densified to: the arc's
    ends come from offsetting chords)."""
    plan = Plan()
    plan.msp.add_lwpolyline([(0, 0, 0), (100, 0, 1.0), (100, 60, 0), (0, 60, 0)], format="xyb", close=True,
                            dxfattribs={"layer": "SITE"})
    plan.conditions["setback_min"] = 5.0
    env = _envelope(plan, tmp_path, 30.0)
    assert env.area == pytest.approx(95 * 50 + math.pi * 25 ** 2 / 2, abs=0.01)
    (poly,) = env.polygons
    arcs = [(tuple(poly[0][k, :2]), tuple(poly[0][(k + 1) % len(poly[0]), :2]), poly[0][k, 2])
            for k in range(len(poly[0])) if poly[0][k, 2]]
    assert arcs  # one half circle, or two pieces (a bulged segment spans at most 180°)
    sweep = 0.0
    for start, end, bulge in arcs:
        centre, _, _, radius = bulge_to_arc(start, end, bulge)
        assert radius == pytest.approx(25.0, abs=1e-3) and centre.isclose((100, 30), abs_tol=0.01)
        sweep += 4 * math.atan(abs(bulge))
    # the arc meets the straight edges tangentially, so its ends may lie a few cm along them (on both)
    assert sweep == pytest.approx(math.pi, abs=2e-3)


def test_roads_on_two_sides(tmp_path):
    """Red lines 4 m south and 6 m east of a 120 x 80 site; road setback 15 m, site setback 5 m."""
    plan = Plan().site(0, 0, 120, 80)
    plan.msp.add_lwpolyline([(-50, -4), (200, -4)], dxfattribs={"layer": "ROAD-REDLINE"})
    plan.msp.add_lwpolyline([(126, -50), (126, 150)], dxfattribs={"layer": "ROAD-REDLINE"})
    plan.conditions.update(setback_min=5.0, road_setback_min=15.0)
    env = _envelope(plan, tmp_path, 30.0)
    # south: y >= -4 + 15 = 11; east: x <= 126 - 15 = 111; west and north: the 5 m setback
    assert env.area == pytest.approx((111 - 5) * (75 - 11), abs=1e-6)
    (road,) = _by_rule(env, "conditions:road_setback_min")
    assert road.distance == 15.0


# -- fire separation (GB 50016 Table 5.2.2) ----------------------------------------------------------------------
@pytest.mark.parametrize("height, neighbour, expected", [
    (54.0, "A栋 5F H=15.0 住宅 二级", 9.0),   # high-rise vs other 一二级
    (54.0, "A栋 20F H=60.0 住宅 二级", 13.0),  # high-rise vs high-rise
    (54.0, "A栋 2F H=6.0 四级", 14.0),         # high-rise vs 四级
    (24.0, "A栋 5F H=15.0 住宅 二级", 6.0),    # multi vs multi
    (24.0, "A栋 3F H=10.0 三级", 7.0),         # multi vs 三级
    (24.0, "A栋 2F H=6.0 四级", 9.0),          # multi vs 四级
])
def test_fire_zone_of_each_class(tmp_path, height, neighbour, expected):
    """A neighbour slab 2 m east of the site, longer than the site: its zone cuts a strip of (d - 2) m off the
    east side of the 100 x 60 site (no setback), across its whole depth."""
    plan = Plan().site(0, 0, 100, 60).building(neighbour, 102, -30, 122, 90, layer="EXISTING")
    env = _envelope(plan, tmp_path, height)
    (zone,) = _by_rule(env, FIRE)
    assert zone.distance == expected and zone.subject == "A栋"
    assert env.area == pytest.approx((100 - (expected - 2)) * 60, abs=1e-6)
    assert zone.area_removed == pytest.approx((expected - 2) * 60, abs=1e-3)


def test_retained_building_inside_the_site(tmp_path):
    """A retained 20 x 10 m multi-storey block inside the site; planned multi-storey: 6 m all round, rounded
    corners: removed 20*10 + 2*(20+10)*6 + pi*6^2."""
    plan = Plan().site(0, 0, 200, 100).building("R# 5F H=15.0", 80, 40, 100, 50, layer="BLDG-RETAINED")
    env = _envelope(plan, tmp_path, 24.0)
    removed = 20 * 10 + 2 * (20 + 10) * 6 + math.pi * 36
    assert env.area == pytest.approx(200 * 100 - removed, abs=1e-6)
    (zone,) = _by_rule(env, FIRE)
    assert zone.subject == "R#" and zone.distance == 6.0
    hole = env.polygons[0][1]  # the zone is a hole of the buildable area, its four corners quarter circles
    assert (hole[:, 2] != 0).sum() == 4
    assert all(abs(b) == pytest.approx(math.tan(math.pi / 8)) for b in hole[hole[:, 2] != 0, 2])


@pytest.mark.parametrize("note, expected", [(1, 4.5), (2, 0.0)])
def test_claim_reduces_the_separation(tmp_path, note, expected):
    """Note 1 between two multi-storey buildings: 6 x 0.75 = 4.5 m; note 2 (fire wall): no minimum."""
    plan = Plan().site(0, 0, 100, 60).building("A栋 5F H=15.0", 102, -30, 122, 90, layer="EXISTING")
    plan.claims.append({"rule": FIRE, "between": ["A栋", "planned"], "note": note, "reason": "东侧山墙为防火墙"})
    env = _envelope(plan, tmp_path, 24.0)
    zones = _by_rule(env, FIRE)
    if expected == 0.0:
        assert env.area == pytest.approx(100 * 60, abs=1e-6)  # the zone is the footprint, outside the site
    else:
        assert zones[0].distance == expected and "note 1" in zones[0].basis_en
        assert env.area == pytest.approx((100 - (expected - 2)) * 60, abs=1e-6)


@pytest.mark.parametrize("use, low, high", [("residential", 27.0, 27.01), ("office", 24.0, 24.01)])
def test_high_rise_boundary_changes_the_zone_exactly_there(tmp_path, use, high, low):
    """GB 50016 2.1.1: residential above 27 m, other civil above 24 m is high-rise: vs a multi-storey neighbour
    6 m at the boundary, 9 m just above it."""
    plan = Plan().site(0, 0, 100, 60).building("A栋 5F H=15.0", 102, -30, 122, 90, layer="EXISTING")
    plan.save(tmp_path / "b")
    prepared = prepare(tmp_path / "b")
    assert _by_rule(compute_envelope(prepared, low, use), FIRE)[0].distance == 6.0
    assert _by_rule(compute_envelope(prepared, high, use), FIRE)[0].distance == 9.0


def test_only_selected_packs_draw_zones(tmp_path):
    plan = Plan().site(0, 0, 100, 60).building("A栋 5F H=15.0", 102, -30, 122, 90, layer="EXISTING")
    plan.packs = ["gb50180-2018"]  # no fire pack: no separation zone, only the footprint (outside the site)
    env = _envelope(plan, tmp_path, 24.0)
    assert not _by_rule(env, FIRE) and env.area == pytest.approx(6000, abs=1e-6)


def test_shanghai_spacing_south_of_a_neighbour(tmp_path):
    """An existing 60 x 12 m slab (18 m, multi-storey housing) north of the site, 3 m beyond its north edge.
    A planned 24 m housing block south of it obstructs it (第二十三条 parallel, south-facing, outside the inner
    ring): 1.2 x 24 = 28.8 m, so y <= 100 + 3 - 28.8 below the slab."""
    plan = Plan().site(0, 0, 200, 100).building("N栋 6F H=18.0", 70, 103, 130, 115, layer="EXISTING")
    plan.packs = ["shanghai-planning"]
    env = _envelope(plan, tmp_path, 24.0)
    (zone,) = _by_rule(env, "shanghai-planning:23")
    # straight below the slab (x in 70..130) nothing above y = 103 - 28.8 = 74.2 is buildable
    assert not env.buildable.intersects(shapely.box(70.01, 74.21, 129.99, 100))
    assert env.buildable.covers(shapely.box(70.01, 0, 129.99, 74.19))
    assert zone.distance == pytest.approx(28.8)


@pytest.mark.parametrize("outline", [
    [(0, 0), (60, 0), (60, 12), (0, 12)],                                   # a slab (convex)
    [(0, 0), (40, 0), (40, 10), (12, 10), (12, 30), (0, 30)],               # an L (not convex)
])
def test_spacing_sector_sweep_equals_the_hull_per_edge(tmp_path, outline):
    """The footprint swept by a 90° sector of 20 m about south, against an independent construction: per edge,
    the convex hull of its two ends swept by the same sector polygon, united with the footprint."""
    plan = Plan().site(-100, -100, 200, 200)
    plan.msp.add_lwpolyline(outline, close=True, dxfattribs={"layer": "EXISTING"})
    plan.msp.add_mtext("E栋\\P6F\\PH=18.0\\P住宅\\P二级", dxfattribs={"layer": "EXISTING", "insert": (5, 5),
                                                                    "char_height": 0.5})
    plan.save(tmp_path / "s")
    from drawcheck.envelope.zones import _Builder

    builder = _Builder(prepare(tmp_path / "s"), 24.0, "residential", "planned")
    (b,) = builder.neighbours
    centre, half = -math.pi / 2, math.pi / 4
    sector = builder._sector(20.0, centre, half)
    ours = builder._sector_zone(b, [(sector, centre, half)])
    poly = shapely.Polygon(outline)
    xy = list(poly.exterior.coords)
    hulls = [shapely.MultiPoint([(x + sx, y + sy) for x, y in (p, q) for sx, sy in sector]).convex_hull
             for p, q in zip(xy[:-1], xy[1:])]
    theirs = shapely.union_all([poly, *hulls])
    assert ours.symmetric_difference(theirs).area < 1e-3
    if len(outline) == 4:  # convex: A(P) + A(K) + sum over P's edges of length x K's support in its normal
        r = 20.0           # (south edge: r; east and west edges: r cos 45°; north edge: 0, the apex)
        assert ours.area == pytest.approx(60 * 12 + math.pi * r * r / 4 + 60 * r + 2 * 12 * r / math.sqrt(2),
                                          abs=0.05)  # the sector's arc as chords within 0.5 mm


# -- the check agrees --------------------------------------------------------------------------------------------
def _relevant_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] in (FIRE, "conditions:setback_min", "conditions:road_setback_min")]


def _random_site(rng: random.Random) -> tuple[Plan, float]:
    """A random rectangular site with a road, a setback and three neighbours of random classes; a height."""
    w, h = rng.uniform(80, 160), rng.uniform(60, 120)
    plan = Plan().site(0, 0, w, h)
    plan.conditions.update(setback_min=round(rng.uniform(3, 8), 2), road_setback_min=round(rng.uniform(8, 15), 2))
    plan.msp.add_lwpolyline([(-50, -rng.uniform(1, 6)), (w + 50, -rng.uniform(1, 6))],
                            dxfattribs={"layer": "ROAD-REDLINE"})
    labels = ["{n} 5F H=15.0", "{n} 20F H=60.0", "{n} 3F H=10.0 三级", "{n} 2F H=6.0 四级", "{n} 9F H=27.0"]
    for k, (x, y) in enumerate([(w + rng.uniform(0, 6), rng.uniform(0, h - 20)),
                                (rng.uniform(0, w - 30), h + rng.uniform(0, 6)),
                                (-rng.uniform(20, 26), rng.uniform(0, h - 20))]):
        plan.building(rng.choice(labels).format(n=f"E{k}栋"), x, y, x + 20, y + 15, layer="EXISTING")
    return plan, rng.choice([15.0, 24.0, 30.0, 54.0])


def _with_building(plan: Plan, outline, height: float) -> Plan:
    xy = list(shapely.get_coordinates(outline.exterior))[:-1]
    plan.msp.add_lwpolyline([tuple(p) for p in xy], close=True, dxfattribs={"layer": "BLDG"})
    at = shapely.point_on_surface(outline)
    plan.msp.add_mtext(f"P#\\P{int(height // 3)}F\\PH={height}\\P住宅\\P二级",
                       dxfattribs={"layer": "BLDG", "insert": (at.x, at.y), "char_height": 0.05})
    return plan


def _largest(geom):
    return max(shapely.get_parts(geom), key=lambda g: g.area)


@pytest.mark.parametrize("seed", range(12))
def test_inside_passes_and_one_centimetre_outside_fails(tmp_path, seed):
    rng = random.Random(seed)
    plan, height = _random_site(rng)
    plan.save(tmp_path / "site")
    env = compute_envelope(prepare(tmp_path / "site"), height)
    inner = env.buildable.buffer(-0.001)  # 1 mm inside: the report's precision
    ring = _largest(inner).exterior
    p = ring.interpolate(rng.uniform(0, ring.length))
    window = shapely.box(p.x - 4, p.y - 4, p.x + 4, p.y + 4)
    inside = _largest(shapely.intersection(window, inner))
    outside = _largest(shapely.intersection(window, env.buildable.buffer(0.01, quad_segs=64).union(inside)))
    for name, outline, fails in (("in", inside, False), ("out", outside, True)):
        again, _ = _random_site(random.Random(seed))
        _with_building(again, outline, height).save(tmp_path / name)
        report = check(tmp_path / name).data
        found = _relevant_findings(report)
        assert bool(found) == fails, (name, height, [f["message_en"] for f in found])
        if fails:
            assert any(f["required"] - f["measured"] == pytest.approx(0.01, abs=0.0015) for f in found)


# -- command line ------------------------------------------------------------------------------------------------
def test_cli_writes_json_dxf_html_for_a_sweep(tmp_path):
    out = tmp_path / "env"
    proc = subprocess.run([str(CLI), "envelope", str(ROOT / "samples" / "residential"), "--height", "24,54,100",
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "envelope.json").read_text(encoding="utf-8"))
    assert [s["height"] for s in data["sweep"]] == [24.0, 54.0, 100.0]
    areas = [s["area"] for s in data["sweep"]]
    assert areas == sorted(areas, reverse=True)  # higher buildings never gain ground
    for e in data["envelopes"]:
        geo = shapely.geometry.shape(e["buildable"]["geometry"])
        assert geo.area == pytest.approx(e["buildable"]["area"], rel=1e-5)
    doc = ezdxf.readfile(out / "envelope.dxf")
    original = ezdxf.readfile(ROOT / "samples" / "residential" / "site.dxf")
    assert len(doc.modelspace()) > len(original.modelspace())
    ours = doc.modelspace().query('LWPOLYLINE[layer=="DRAWCHECK-ENVELOPE-54M"]')
    assert ours and all(p.closed for p in ours)
    assert any(b for p in ours for *_, b in p.get_points("xyseb"))  # the 5 m inset keeps the site's round corner
    html = (out / "envelope.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "shanghai-planning:27" in html


def test_cli_json_to_stdout_and_one_height(tmp_path):
    proc = subprocess.run([str(CLI), "envelope", str(ROOT / "samples" / "compliant"), "--height", "30",
                           "--use", "住宅"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    (e,) = data["envelopes"]
    assert e["height"] == 30.0 and e["use"] == "residential"
    assert {"rule", "subject", "distance", "zone", "area_removed"} <= set(e["constraints"][0])


SUNLIGHT_PACKS = "gb50016-2014,shanghai-planning,shanghai-sunlight"


def _envelope_cli(path, out, *args) -> dict:
    proc = subprocess.run([str(CLI), "envelope", str(path), "--height", "54", "--packs", SUNLIGHT_PACKS,
                           "--out", str(out), *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "envelope.json").read_text(encoding="utf-8"))


def test_sunlight_caps_in_json_dxf_and_html(tmp_path):
    data = _envelope_cli(ROOT / "samples" / "residential", tmp_path / "caps")
    (e,) = data["envelopes"]
    caps = e["sunlight_caps"]
    assert caps["outcome"] == "computed" and caps["rule"] == "shanghai-sunlight:2021/housing"
    zone = shapely.geometry.shape(e["buildable"]["geometry"])
    cells = caps["cells"]
    assert cells and all(zone.buffer(1e-6).contains(shapely.Point(x, y)) for x, y, _ in cells)
    assert all(h is not None and 0 < h <= 54.0 for _, _, h in cells)
    low = [h for _, _, h in cells if h < 54.0]
    assert low  # the existing A栋's windows limit some cells
    # the DXF contours: at each level, exactly the cells capped below it lie inside the outlines at that elevation
    doc = ezdxf.readfile(tmp_path / "caps" / "envelope.dxf")
    k = 0.001  # the sample is drawn in millimetres
    contours = doc.modelspace().query('LWPOLYLINE[layer=="DRAWCHECK-SUNLIGHT-CAPS"]')
    levels = sorted({round(p.dxf.elevation * k, 6) for p in contours})
    assert levels
    for level in levels:
        rings = [shapely.Polygon([(x * k, y * k) for x, y in p.get_points("xy")])
                 for p in contours if round(p.dxf.elevation * k, 6) == level]
        region = shapely.union_all(rings)  # holes come back as rings too: count by parity
        inside = [sum(r.contains(shapely.Point(x, y)) for r in rings) % 2 == 1 for x, y, _ in cells]
        assert region.area > 0
        assert [h < level for _, _, h in cells] == inside
    html = (tmp_path / "caps" / "envelope.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "日照限高 cap &lt;" in html


def test_new_buildings_drawn_change_nothing(tmp_path):
    """The envelope (zones and caps) is the site before the design: the residential sample with its new
    buildings deleted from the drawing gives the same zone and the same caps."""
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "drawcheck.toml").write_bytes((ROOT / "samples" / "residential" / "drawcheck.toml").read_bytes())
    doc = ezdxf.readfile(ROOT / "samples" / "residential" / "site.dxf")
    for entity in doc.modelspace().query('*[layer=="建筑轮廓"]'):
        doc.modelspace().delete_entity(entity)
    doc.saveas(bare / "site.dxf")
    full = _envelope_cli(ROOT / "samples" / "residential", tmp_path / "full")["envelopes"][0]
    empty = _envelope_cli(bare, tmp_path / "empty")["envelopes"][0]
    assert full["ignored_new_buildings"] and not empty["ignored_new_buildings"]
    assert full["buildable"] == empty["buildable"]
    assert full["sunlight_caps"]["cells"] == empty["sunlight_caps"]["cells"]


def test_dwg_and_ifc_submissions(tmp_path):
    """The DWG twin of the residential sample gives the DXF's zone; an IFC-only submission gets a new drawing in
    metres holding the plan and the envelope layer."""
    areas = {}
    for name in ("residential", "residential-dwg", "residential-ifc"):
        out = tmp_path / name
        proc = subprocess.run([str(CLI), "envelope", str(ROOT / "samples" / name), "--height", "54", "--out", str(out)],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        areas[name] = json.loads((out / "envelope.json").read_text(encoding="utf-8"))["sweep"][0]["area"]
        doc = ezdxf.readfile(out / "envelope.dxf")
        assert doc.modelspace().query('LWPOLYLINE[layer=="DRAWCHECK-ENVELOPE"]')
    assert areas["residential-dwg"] == areas["residential"]
    assert ezdxf.readfile(tmp_path / "residential-ifc" / "envelope.dxf").header["$INSUNITS"] == 6  # metres


@pytest.mark.parametrize("args, words", [
    (["samples/residential", "--height", "abc"], "--height"),
    (["samples/residential", "--height", "-3"], "above 0"),
    (["samples/residential", "--use", "castle"], "not a use"),
    (["samples/residential", "--format", "pdf", "--out", "x"], "unknown --format"),
    (["samples/residential", "--format", "dxf"], "need --out"),
    (["samples/residential", "--grid", "-1"], "--grid"),
    (["samples/nothing-here"], "no such file"),
])
def test_cli_bad_input_is_one_line_and_exit_2(args, words):
    proc = subprocess.run([str(CLI), "envelope", *args], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2 and words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_cli_no_site_boundary_is_exit_2(tmp_path):
    plan = Plan().building("1# 5F H=15.0", 0, 0, 20, 10)
    plan.save(tmp_path / "nosite")
    proc = subprocess.run([str(CLI), "envelope", str(tmp_path / "nosite"), "--height", "20"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no site boundary" in proc.stderr, proc.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
