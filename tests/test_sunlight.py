"""Sunlight study pieces against hand-worked geometry: scene, test points, shaded intervals, runs, windows."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from drawcheck.model import Line, Source
from drawcheck.sunlight.analysis import SunSamples, lit_matrix, runs, sun_samples, sunlit_hours, window_lit
from drawcheck.sunlight.points import OFFSET, SILL, PartInput, facade_points
from drawcheck.sunlight.scene import build_scene, prism_triangles

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = (31.2333, 121.4667)


def rect(x0, y0, x1, y1):
    return [np.array([[x0, y0, 0], [x1, y0, 0], [x1, y1, 0], [x0, y1, 0]], dtype=float)]


# -- scene ------------------------------------------------------------------------
def test_prism_is_closed_and_measures_its_outline():
    tris = prism_triangles(rect(0, 0, 40, 12), 18.0)
    assert len(tris) == 4 * 2 + 2 * 2  # 4 walls of 2 triangles, roof and base of 2 each
    edges = np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]])
    keys = {tuple(sorted(map(tuple, np.round(e, 9)))) for e in edges}
    counts = {k: 0 for k in keys}
    for e in edges:
        counts[tuple(sorted(map(tuple, np.round(e, 9))))] += 1
    assert set(counts.values()) == {2}  # every edge shared by exactly two triangles: a closed surface
    roof = tris[np.all(np.isclose(tris[:, :, 2], 18.0), axis=1)]
    assert sum(shapely.Polygon(t[:, :2]).area for t in roof) == pytest.approx(40 * 12)


def test_scene_keeps_holes_and_skips_parts_without_height():
    ring = rect(0, 0, 30, 30)[0]
    hole = rect(10, 10, 20, 20)[0]
    scene = build_scene([([ring, hole], 9.0), (rect(50, 0, 60, 10), 0.0)])
    roof = scene.triangles[np.all(np.isclose(scene.triangles[:, :, 2], 9.0), axis=1)]
    assert sum(shapely.Polygon(t[:, :2]).area for t in roof) == pytest.approx(900 - 100)
    assert set(scene.part_of) == {0}


# -- test points --------------------------------------------------------------------
def test_points_on_the_facades_facing_south_of_east_west():
    pts = facade_points([PartInput("1#", rect(0, 0, 40, 12), 3, 3.0, 9.0, "residential")])
    # south facade 40 m -> ceil(40/0.6) = 67 points, east and west 12 m -> 20 each; north facade none; 3 floors
    assert len(pts) == (67 + 20 + 20) * 3
    assert sorted(set(np.round(pts.facing, 6))) == [-90.0, 0.0, 90.0]
    south = pts.xyz[pts.facing == 0.0]
    assert np.allclose(south[:, 1], -OFFSET)  # 5 cm off the wall, outward
    assert sorted(set(np.round(south[:, 2], 9))) == [SILL, 3.0 + SILL, 6.0 + SILL]
    assert south[:, 0].min() == pytest.approx(40 / 67 / 2)  # centred in their 40/67 m cells


def test_north_angle_turns_the_facades():
    # north_angle 90: true north along the drawing's -X axis, east along +Y; so the +X face looks
    # south, the +Y face east, the -Y face west and the -X face north (no points)
    pts = facade_points([PartInput("1#", rect(0, 0, 40, 12), 1, 3.0, 3.0, "residential")], north_angle=90.0)
    assert set(np.round(pts.facing[pts.xyz[:, 0] > 40], 6)) == {0.0}
    assert set(np.round(pts.facing[pts.xyz[:, 1] > 12], 6)) == {-90.0}
    assert set(np.round(pts.facing[pts.xyz[:, 1] < 0], 6)) == {90.0}
    assert not (pts.xyz[:, 0] < 0).any()


def test_window_layer_gives_the_standards_points():
    narrow = Line(np.array([[10.0, 0, 0], [11.5, 0, 0]]), False, Source("s", "W1"))  # 1.5 m: both ends
    wide = Line(np.array([[20.0, 0, 0], [23.0, 0, 0]]), False, Source("s", "W2"))  # 3 m: centre ± 0.9
    pts = facade_points([PartInput("1#", rect(0, 0, 40, 12), 1, 3.0, 3.0, "residential")], windows=[narrow, wide])
    south = pts.xyz[pts.facing == 0.0]
    assert sorted(np.round(south[:, 0], 6)) == [10.0, 11.5, 20.6, 22.4]
    assert len(set(pts.window[pts.facing == 0.0])) == 2  # two windows of two points each


def test_tower_points_inside_the_podium_are_dropped():
    podium = PartInput("5#", rect(0, 0, 60, 40), 4, 4.5, 18.0, "commercial")
    tower = PartInput("5#", rect(15, 10, 45, 30), 25, 3.0, 75.0, "residential")
    pts = facade_points([podium, tower])
    assert set(pts.part) == {1}  # the podium is commercial: no points
    assert pts.xyz[:, 2].min() > 18.0  # tower floors below the podium roof are inside the podium


# -- shading ------------------------------------------------------------------------
def test_a_wall_south_of_a_point_shades_it_exactly_when_geometry_says():
    """A 100 m wide, 14 m high block whose north face is 20 m south of a point 0.9 m up.

    The ray toward the sun leaves the point, crosses the plane y = -20 at
    horizontal distance 20 / (-v_y) and there stands 0.9 + 20 v_z / (-v_y) high;
    it is blocked when that is below 14 m within |x| <= 50 m.
    """
    scene = build_scene([(rect(-50, -30, 50, -20), 14.0)])
    sun = sun_samples(*SHANGHAI, "dongzhi", 9.0, 15.0)
    lit = lit_matrix(scene, np.array([[0.0, 0.0, 0.9]]), sun)[0]
    v = sun.vectors
    s = 20.0 / -v[:, 1]
    blocked = (v[:, 1] < 0) & (np.abs(s * v[:, 0]) <= 50.0) & (0.9 + s * v[:, 2] < 14.0)
    expected = ~blocked & (sun.elevation > 0)
    assert 0 < expected.sum() < len(expected)  # partly sunlit: the case is not trivial
    assert np.array_equal(lit, expected)
    hours = sunlit_hours(lit, sun, (9.0, 15.0))
    first = int(np.argmax(expected))
    assert hours.intervals[0][0] == pytest.approx(sun.minutes[first])


def test_runs_slices_and_bands():
    sun = SunSamples(np.arange(540.0, 900.0), np.zeros((360, 3)), np.full(360, 30.0), 1.0)
    lit = np.zeros(360, dtype=bool)
    lit[10:14] = True  # 4 min: dropped by a 5-minute minimum slice
    lit[100:200] = True
    assert runs(lit) == [(10, 14), (100, 200)]
    h = sunlit_hours(lit, sun, (9.0, 15.0), min_slice=5.0)
    assert h.intervals == [(640.0, 740.0)] and h.cumulative == 100.0 and h.longest == 100.0
    assert sunlit_hours(lit, sun, (9.0, 15.0)).cumulative == 104.0
    assert sunlit_hours(lit, sun, (11.0, 15.0)).intervals == [(660.0, 740.0)]  # the band cuts the run


def test_full_window_needs_every_point_lit_at_once():
    lit = np.array([[True, True, False, True], [False, True, True, True]])
    assert window_lit(lit, [0, 1]).tolist() == [False, True, False, True]


# -- the CLI ------------------------------------------------------------------------
def test_point_queries_json(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "sunlight", str(ROOT / "samples" / "residential"),
                           "--at=-3450,1150,0.9", "--day", "dongzhi", "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    (row,) = data["points"]
    assert data["band"] == ["09:00", "15:00"] and row["point"] == [-3450.0, 1150.0, 0.9]
    # 50 m south of the site in the open road: nothing stands between it and the sun
    assert row["sunlit_minutes"] == 360 and row["intervals"] == [["09:00", "15:00"]]


def test_whole_site_writes_the_map(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "sunlight", str(ROOT / "samples" / "residential"),
                           "--out", str(tmp_path), "--format", "json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    by_rule = {s["rule"]: s for s in data["standards"]}
    # the manifest's gb50180-2018 has no climate_zone to choose its row; the shipped Shanghai pack runs
    assert by_rule["gb50180-2018:4.0.9"]["outcome"] == "not_run"
    assert set(by_rule["shanghai-sunlight:2021/housing"]["buildings"]) >= {"1#", "2#", "3#", "A栋"}
    svg = (tmp_path / "sunlight.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<circle") > 100


def test_map_names_each_building_once_draws_the_site_and_escapes(tmp_path):
    """A podium with a tower in it is one building: one label; the site ring is drawn; drawing text is escaped."""
    import xml.etree.ElementTree as ET

    from drawcheck.sunlight.svg import scale_length, sunlight_svg

    class NoPoints:
        xyz = np.zeros((0, 3))

        def __len__(self):
            return 0

    class NoStudy:
        points, windows = NoPoints(), []

    podium = np.array([[0.0, 0.0], [60.0, 0.0], [60.0, 40.0], [0.0, 40.0]])
    tower = np.array([[10.0, 10.0], [30.0, 10.0], [30.0, 30.0], [10.0, 30.0]])
    other = np.array([[80.0, 0.0], [100.0, 0.0], [100.0, 20.0], [80.0, 20.0]])
    site = np.array([[-10.0, -10.0], [120.0, -10.0], [120.0, 60.0], [-10.0, 60.0]])
    text = sunlight_svg(NoStudy(), [("5#", podium), ("5#", tower), ("<b>&x", other)], 60.0, "<script>t</script>",
                        site=[site], north_angle=15.0, existing={"<b>&x"})
    root = ET.fromstring(text)  # well-formed: the drawing's names are escaped
    ns = "{http://www.w3.org/2000/svg}"
    labels = [t.text for t in root.iter(f"{ns}text") if t.get("class") == "label"]
    assert sorted(labels) == ["5#", "<b>&x"]
    assert "<script>" not in text and "&lt;script&gt;" in text
    [drawn] = [p for p in root.iter(f"{ns}polygon") if p.get("class") == "site"]
    assert len(drawn.get("points").split()) == 4
    # 5#'s label sits on the centroid of its larger part, the podium (30, 20): the middle of its outline on the page
    px = [[float(v) for v in pair.split(",")] for pair in next(
        p for p in root.iter(f"{ns}polygon") if p.get("data-building") == "5#").get("points").split()]
    [label] = [t for t in root.iter(f"{ns}text") if t.text == "5#"]
    assert float(label.get("x")) == pytest.approx((min(x for x, _ in px) + max(x for x, _ in px)) / 2, abs=0.1)
    arrow = next(g for g in root.iter(f"{ns}g") if g.get("class") == "north-arrow")
    assert arrow.get("data-north-angle") == "15"
    # round lengths about a fifth of the width, by hand: 430 m -> 86 -> 50 m; 1000 -> 200; 12 -> 2.4 -> 2
    assert (scale_length(430), scale_length(1000), scale_length(12), scale_length(99)) == (50, 200, 2, 10)

def test_bad_point_is_exit_2():
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "sunlight", str(ROOT / "samples" / "residential"),
                           "--at", "1,2"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("drawcheck: --at")


def test_sun_is_geometric_at_solar_noon():
    sun = sun_samples(*SHANGHAI, "dongzhi", 12.0, 12.1)
    # declination on 冬至日 about -23.44°: noon elevation = 90 - 31.2333 - 23.44 = 35.33°
    assert sun.elevation[0] == pytest.approx(90 - 31.2333 - 23.44, abs=0.02)
    assert math.isclose(sun.vectors[0][0], 0.0, abs_tol=1e-3) and sun.vectors[0][1] < 0  # due south: -Y
