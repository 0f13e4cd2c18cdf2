"""Sunlight height caps (日照限高) against hand-worked geometry, shapely, and the sunlight check itself.

The check scenes stand a 40 x 12 m, 6 x 3 m residential slab (1#, (30, 20)-(70, 32)) on a site with
``[site] north_angle = 45``: true south is the drawing's (1, -1) direction, so the slab's -Y and +X
facades face 45° east and west of south, and both get a 270-minute band on 冬至日 (Shanghai: east side
09:00-13:30, west side 10:30-15:00); its other two facades face north and get no test points.
Unobstructed, every window is lit through its whole band. With the requirement raised to those 270
minutes (``continuous_minutes = 270``) every minute is needed, so the conservative caps are also the
exact ones: a box on a cell at its cap passes the check, and 1 m higher it cuts the ray that set the
cap and fails. With the pack's own 60 minutes the caps are only sufficient (tested: the box at the cap
passes).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import shapely

import drawcheck
from drawcheck.pipeline import prepare
from drawcheck.sunlight.analysis import sun_samples
from drawcheck.sunlight.bvh import EDGE_TOLERANCE
from drawcheck.sunlight.caps import (Grid, Rays, _best_runs, _slices_kept,
                                     column_caps, graze_margin, height_caps, stencil)
from drawcheck.sunlight.solar import design_day
from fixture_plans import Plan

SH = "shanghai-sunlight:2021/housing"
GB = "gb50180-2018:4.0.9"
SHANGHAI = (31.2333, 121.4667)  # the manifest's default site, degrees
#: The documented contract: a cap of about h m is at least 1 mm + twice the caster's edge tolerance x h below
#: the lowest kept ray over its cell, floored to 1 cm.
BELOW, STEP = 0.001, 0.01


def _below(h: float) -> float:
    return BELOW + 2 * EDGE_TOLERANCE * h
#: Zone of the check scenes: south and east of the slab (true south-east and south-west), 8 m clear of it.
ZONE = shapely.union(shapely.box(20, -90, 190, 12), shapely.box(78, 12, 190, 55))


class SunPlan(Plan):
    """A Plan with ``[site] north_angle`` and overrides of one pack."""

    def __init__(self, pack: str = "shanghai-sunlight", north_angle: float | None = None, **overrides) -> None:
        super().__init__()
        self.packs = [pack]
        self.north_angle = north_angle
        self.overrides = overrides

    def save(self, folder: Path) -> None:
        super().save(folder)
        extra = []
        if self.north_angle is not None:
            extra += ["", "[site]", f"north_angle = {float(self.north_angle)!r}"]
        if self.overrides:
            extra += ["", f'[overrides."{self.packs[0]}"]']
            extra += [f"{k} = {_toml(v)}" for k, v in self.overrides.items()]
        with open(folder / "drawcheck.toml", "a", encoding="utf-8") as fh:
            fh.write("\n".join(extra) + "\n")


def _toml(v) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return repr(v)


def _slab(pack="shanghai-sunlight", north_angle=45.0, conditions=None, **overrides) -> SunPlan:
    p = SunPlan(pack, north_angle, **overrides).site(0, -100, 200, 60)
    p.building("1# 6F H=18.0 住宅", 30, 20, 70, 32)
    p.conditions.update(conditions or {})
    return p


def _tight_plan() -> SunPlan:
    """The north-angle-45 slab with every one of its 270 sunlit minutes required."""
    return _slab(continuous_minutes=270)


def _outcome(folder: Path, rule: str = SH) -> str:
    report = drawcheck.check(folder).data
    return next(r["outcome"] for r in report["rules"] if r["rule"] == rule)


def _with_box(build, tmp: Path, name: str, x0, y0, x1, y1, height: float) -> Path:
    """The scene of ``build()`` plus a 1-storey office box (no windows of its own) ``height`` m tall."""
    plan = build()
    plan.building(f"9# 1F H={height:.2f} 办公", x0, y0, x1, y1)
    folder = tmp / name
    plan.save(folder)
    return folder


def _finite(caps: dict) -> list:
    """The cells with a cap, lowest first (then by position, so the choice is deterministic)."""
    return sorted((c for c in caps["cells"] if c[2] is not None), key=lambda c: (c[2], c[1], c[0]))


# -- the ray walk against hand-worked geometry ------------------------------------------------------

def _due_south(altitudes_deg):
    """Unit vectors toward a sun due south (drawing -Y, north_angle 0) at these altitudes."""
    a = np.radians(altitudes_deg)
    return np.column_stack([np.zeros_like(a), -np.cos(a), np.sin(a)])


def test_hand_worked_south_window_one_band():
    """One window point 0.5 m north of the grid, 3.9 m up (floor 2's sill), suns due south at 20-32°.

    The rays run down x = 1, the middle of the middle column; a column whose north edge is at
    horizontal distance d from the point blocks the lowest ray first, at 3.9 + d tan 20°. Row i spans
    y in [-40 + 2i, -38 + 2i], so d = 0.5 + 38 - 2i. The outer columns' edges are 1 m from every ray.
    """
    point = np.array([[1.0, 0.5, 3.9]])
    suns = _due_south([32.0, 26.0, 20.0])
    grid = Grid(x0=-2.0, y0=-40.0, size=2.0, nx=3, ny=20)
    rays = Rays(points=point, member=np.array([[0]]), suns=suns, pair_w=np.zeros(3, np.int64),
                pair_s=np.arange(3))
    caps, which = column_caps(rays, grid)
    d = 0.5 + 38.0 - 2.0 * np.arange(20)
    assert caps[:, 1] == pytest.approx(3.9 + d * math.tan(math.radians(20.0)), abs=1e-9)
    assert (which[:, 1] == 2).all()  # the 20° ray (pair 2) sets every cap
    assert np.isinf(caps[:, [0, 2]]).all() and (which[:, [0, 2]] == -1).all()
    # a ceiling: rows where even the lowest ray is at or above 10 m are unconstrained
    capped, _ = column_caps(rays, grid, limit=10.0)
    expected = np.where(3.9 + d * math.tan(math.radians(20.0)) < 10.0, caps[:, 1], np.inf)
    assert capped[:, 1] == pytest.approx(expected)


def test_a_ray_along_a_cell_edge_caps_both_columns():
    """A ray down x = 0, the edge between columns [-2, 0] and [0, 2], would graze a box on either (the
    caster's edge test calls that a hit): both get the cap. Twice the grazing margin off the edge, only
    one does; the margin is a fraction of a millimetre for a 2 m column."""
    graze = graze_margin(2.0)
    assert 1e-4 < graze < 5e-4
    grid = Grid(x0=-2.0, y0=-20.0, size=2.0, nx=2, ny=10)
    suns = _due_south([25.0])
    on_edge, _ = column_caps(Rays.single(np.array([[0.0, 0.0, 0.9]]), suns), grid)
    assert np.isfinite(on_edge).all()
    assert on_edge[:, 0] == pytest.approx(on_edge[:, 1])
    off_edge, _ = column_caps(Rays.single(np.array([[2 * graze, 0.0, 0.9]]), suns), grid)
    assert np.isinf(off_edge[:, 0]).all() and np.isfinite(off_edge[:, 1]).all()


def test_stencil_is_the_cells_a_footprint_overlaps():
    # a 6 m square centred on a cell centre covers that cell and its 8 neighbours exactly, touching no more
    assert sorted(map(tuple, stencil(shapely.box(-3, -3, 3, 3), 2.0))) == [(i, j) for i in (-1, 0, 1)
                                                                            for j in (-1, 0, 1)]
    assert len(stencil(shapely.box(-3.1, -3, 3.1, 3), 2.0)) == 15  # 10 cm more each way: 5 columns x 3 rows
    # a right triangle (0,0)-(4,0)-(0,4): cells (0,0), (0,1), (0,2), (1,0), (1,1), (2,0) and (1,2)? no:
    # x + y <= 4 meets the square of (row 1, col 2) = [3, 5] x [1, 3] only at its corner (3, 1)
    tri = shapely.Polygon([(0, 0), (4, 0), (0, 4)])
    assert sorted(map(tuple, stencil(tri, 2.0))) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0)]


def test_best_run_and_slices():
    inf = np.inf
    score = np.array([[-inf, 5.0, 9.0, 9.0, 7.0, -inf, 8.0, 8.0, 8.0],   # runs 1-4 and 6-8
                      [-inf, 4.0, 4.0, -inf, 4.0, 4.0, -inf, -inf, -inf]])  # no run of 3
    altitude = np.array([10.0, 20.0, 30.0, 35.0, 30.0, 25.0, 20.0, 15.0, 10.0])
    out = np.empty(2, dtype=np.int64)
    _best_runs(score, altitude, 3, out)
    # starts 1 (min 5), 2 (min 7) and 6 (min 8): 6 keeps the highest lowest ray
    assert out.tolist() == [6, -1]
    tie = np.array([[7.0, 7.0, 7.0, 7.0, 7.0]])
    _best_runs(tie, np.array([10.0, 20.0, 30.0, 20.0, 10.0]), 3, out[:1])
    assert out[0] == 1  # equal rays everywhere: the run whose lowest sun is highest (20° vs 10°)
    # cumulative, no run of 3: whole slices, highest first, until 3 samples (both slices, 4 samples)
    assert _slices_kept(score[1], score[1] > -inf, altitude, 3).tolist() == [1, 2, 4, 5]
    assert _slices_kept(score[1], score[1] > -inf, altitude, 5) is None


# -- the caps of a whole submission against shapely --------------------------------------------------

def test_one_drawn_window_against_shapely(tmp_path):
    """North angle 0: the slab's south facade (y = 20) has one drawn window, x 45-46.5 (1.5 m: its two
    ends are the points, 5 cm off the wall, 0.9 m above each floor). With 360 minutes required, the whole
    band 09:00-15:00 is kept; the gables (90 minutes) fail and keep nothing. So a cell's cap is the lowest
    height, over both points of the floor-1 window and every sun of the band, at which the ray enters the
    cell's square: here with shapely, the ray as a 600 m segment cut by the square."""
    plan = _slab(north_angle=None, continuous_minutes=360)
    plan.msp.add_line((45.0, 20.0), (46.5, 20.0), dxfattribs={"layer": "WINDOW"})
    plan.save(tmp_path / "one")
    zone = shapely.box(20, -40, 80, 12)
    caps = height_caps(prepare(tmp_path / "one"), zone, grid=2.0, max_height=None)
    assert caps["rule"] == SH and caps["outcome"] == "computed"
    entry = caps["rules"][0]
    assert entry["constraining"] == 6 and entry["failing"] == entry["windows"] - 6 > 0
    sun = sun_samples(*SHANGHAI, design_day("dongzhi", 2001), 9.0, 15.0, 1.0)
    assert len(sun.minutes) == 360 and (sun.elevation > 0).all()
    horizontal = np.hypot(sun.vectors[:, 0], sun.vectors[:, 1])
    plan_dir = sun.vectors[:, :2] / horizontal[:, None]
    tan_alt = sun.vectors[:, 2] / horizontal
    starts = np.array([[45.0, 19.95], [46.5, 19.95]])
    rays = [(p, d, t) for p in starts for d, t in zip(plan_dir, tan_alt)]
    segments = shapely.linestrings([[p, p + 600.0 * d] for p, d, _ in rays])
    lowest = np.array([r[2] for r in rays])

    def expected(x, y, grow):
        """The lowest ray height over the square of the cell centred at (x, y), grown by ``grow`` m."""
        cut = shapely.intersection(segments, shapely.box(x - 1 - grow, y - 1 - grow, x + 1 + grow, y + 1 + grow))
        hit = np.flatnonzero(~shapely.is_empty(cut))
        if not len(hit):
            return np.inf
        near = [shapely.line_locate_point(segments[h], shapely.points(shapely.get_coordinates(cut[h]))).min()
                for h in hit]  # the distance along the ray to its first point in the square
        return float(np.min(0.9 + np.array(near) * lowest[hit]))

    cells = caps["cells"]
    free = [c for c in cells if c[2] is None]
    assert free and len(free) < len(cells)  # rays cover part of the zone only
    for x, y, cap in cells[::7]:
        plain, grown = expected(x, y, 0.0), expected(x, y, graze_margin(2.0))
        if math.isinf(grown):
            assert cap is None, (x, y, cap)
            continue
        assert cap is not None and cap <= plain - _below(plain) + 1e-9, (x, y, cap, plain)
        assert cap >= grown - _below(grown) - STEP - 1e-9, (x, y, cap, grown)
    governing = {caps["governing_windows"][g]["floor"] for g in caps["governing"] if g is not None}
    assert governing == {1}  # the lowest window is always the lowest ray
    assert caps["governing_windows"][0]["kept"] == [["09:00", "15:00"]]


# -- the caps against the sunlight check --------------------------------------------------------------

@pytest.fixture(scope="module")
def tight(tmp_path_factory):
    """The north-angle-45 slab with 270 minutes required, and its caps on 2 m cells over ZONE."""
    folder = tmp_path_factory.mktemp("caps") / "tight"
    _tight_plan().save(folder)
    return folder, height_caps(prepare(folder), ZONE, grid=2.0, max_height=None)


def _picks(caps: dict) -> list:
    """Four cells: the lowest cap, the lower quartile, the median and the highest finite cap."""
    cells = _finite(caps)
    return [cells[0], cells[len(cells) // 4], cells[len(cells) // 2], cells[-1]]


def test_tight_scene_passes_unobstructed_and_every_window_constrains(tight):
    folder, caps = tight
    assert _outcome(folder) == "passed"
    entry = caps["rules"][0]
    assert entry["outcome"] == "computed" and entry["required_minutes"] == 270
    assert entry["constraining"] == entry["windows"] > 0 and entry["failing"] == 0
    assert all(w["kept"] in ([["09:00", "13:30"]], [["10:30", "15:00"]]) for w in caps["governing_windows"])


@pytest.mark.parametrize("pick", range(4), ids=["lowest", "quartile", "median", "highest"])
def test_box_at_the_cap_passes_and_one_metre_higher_fails(tight, tmp_path, pick):
    folder, caps = tight
    x, y, cap = _picks(caps)[pick]
    build = _tight_plan
    assert _outcome(_with_box(build, tmp_path, "at", x - 1, y - 1, x + 1, y + 1, cap)) == "passed"
    assert _outcome(_with_box(build, tmp_path, "above", x - 1, y - 1, x + 1, y + 1, cap + 1.0)) == "failed"


def test_footprint_caps_are_the_minimum_over_its_cells_and_hold_at_the_check(tight, tmp_path):
    """A 6 x 6 m footprint on a cell centre stands on that cell and its 8 neighbours exactly."""
    folder, caps = tight
    wide = height_caps(prepare(folder), ZONE, grid=2.0, max_height=None, footprint=shapely.box(-3, -3, 3, 3))
    assert wide["shape"] == caps["shape"] and len(wide["cells"]) == len(caps["cells"])
    by_xy = {(x, y): h for x, y, h in caps["cells"]}
    checked = same = 0
    for x, y, h in wide["cells"]:
        around = [by_xy.get((x + dx, y + dy), "out") for dx in (-2.0, 0.0, 2.0) for dy in (-2.0, 0.0, 2.0)]
        if "out" in around:
            continue  # a neighbour outside the zone: its cap is not in the cell list
        finite = [a for a in around if a is not None]
        if not finite:
            assert h is None, (x, y)
            same += 1
        else:  # the footprint's walls are wider, so its grazing margin a fraction of a mm wider: one cm at most
            assert min(finite) - STEP - 1e-9 <= h <= min(finite), (x, y, h, min(finite))
            same += h == min(finite)
        checked += 1
    assert checked > 1000 and same > 0.95 * checked
    build = _tight_plan
    inner = [c for c in _finite(wide) if ZONE.contains(shapely.box(c[0] - 3, c[1] - 3, c[0] + 3, c[1] + 3))]
    for x, y, cap in (inner[0], inner[len(inner) // 2]):
        assert _outcome(_with_box(build, tmp_path, f"fp{x}_{y}", x - 3, y - 3, x + 3, y + 3, cap)) == "passed"
        assert _outcome(_with_box(build, tmp_path, f"fp{x}_{y}+1", x - 3, y - 3, x + 3, y + 3, cap + 1.0)) == "failed"


def test_cumulative_standard_box_at_the_cap_passes_and_higher_fails(tmp_path):
    """GB 50180 4.0.9, climate zone V: 60 cumulative minutes on 冬至日; the band narrowed to 09:00-10:00
    makes all 60 needed (both facades see the sun through that hour)."""
    def build():
        return _slab("gb50180-2018", conditions={"climate_zone": "V"}, dongzhi_band=["09:00", "10:00"])

    build().save(tmp_path / "gb")
    assert _outcome(tmp_path / "gb", GB) == "passed"
    caps = height_caps(prepare(tmp_path / "gb"), ZONE, grid=2.0, max_height=None)
    assert caps["rule"] == GB and caps["rules"][0]["measure"] == "cumulative"
    for x, y, cap in _picks(caps)[:2]:
        assert _outcome(_with_box(build, tmp_path, f"gb{x}_{y}", x - 1, y - 1, x + 1, y + 1, cap), GB) == "passed"
        assert _outcome(_with_box(build, tmp_path, f"gb{x}_{y}+1", x - 1, y - 1, x + 1, y + 1, cap + 1.0), GB) \
            == "failed"


def test_pack_requirement_caps_are_sufficient(tmp_path):
    """The pack's own 60 minutes: each window keeps one hour of its 270, so a box at the cap passes."""
    build = _slab
    build().save(tmp_path / "sixty")
    caps = height_caps(prepare(tmp_path / "sixty"), ZONE, grid=2.0, max_height=None)
    assert caps["rules"][0]["required_minutes"] == 60
    assert all(len(w["kept"]) == 1 for w in caps["governing_windows"])
    for x, y, cap in _picks(caps):
        assert _outcome(_with_box(build, tmp_path, f"s{x}_{y}", x - 1, y - 1, x + 1, y + 1, cap)) == "passed"


def test_rays_an_existing_building_blocks_constrain_nothing(tmp_path):
    """North angle 0, the pack's 60 minutes, one drawn window on the south facade (x 45-46.5, y 20).

    Open, the window keeps the hour round noon (its highest rays), so the cells due south of it are
    capped. An existing 100 m office tower 10 m wide, (40.75, -60)-(50.75, -50), 70 m due south, blocks
    the window's rays within about atan(5 / 70) = 4° of due south, about a quarter of an hour round
    noon: the window keeps an hour beside them instead, which passes 4 m or more east or west of the
    cell (44-46, -42..-40) 61 m away, and the rays over that cell (blocked farther on) constrain nothing.
    """
    def build(tower: bool):
        p = _slab(north_angle=None)
        p.msp.add_line((45.0, 20.0), (46.5, 20.0), dxfattribs={"layer": "WINDOW"})
        if tower:
            p.building("A栋 25F H=100.0 办公", 40.75, -60, 50.75, -50, layer="EXISTING")
        return p

    build(True).save(tmp_path / "tower")
    build(False).save(tmp_path / "open")
    assert _outcome(tmp_path / "tower") == "passed"
    zone = shapely.box(30, -48, 62, 12)
    blocked = height_caps(prepare(tmp_path / "tower"), zone, grid=2.0, max_height=None)
    opened = height_caps(prepare(tmp_path / "open"), zone, grid=2.0, max_height=None)
    cell = lambda caps: next(c[2] for c in caps["cells"] if (c[0], c[1]) == (45.0, -41.0))  # noqa: E731
    assert cell(opened) is not None and cell(blocked) is None
    drawn = [w for w in blocked["governing_windows"] if not w["sampled"]]
    assert drawn and all(w["kept"][0][1] <= "11:48" or w["kept"][0][0] >= "12:12" for w in drawn)
    assert any(w["kept"][0][0] < "12:00" < w["kept"][0][1] for w in opened["governing_windows"] if not w["sampled"])
    lit = drawcheck_windows(tmp_path / "tower")
    for w in blocked["governing_windows"]:
        (start, end), = w["kept"]
        assert any(a <= start and end <= b for a, b in lit[(w["building"], w["floor"], w["facade"], w["window"])])
    for x, y, cap in _finite(blocked)[:2]:
        assert _outcome(_with_box(lambda: build(True), tmp_path, f"t{x}_{y}", x - 1, y - 1, x + 1, y + 1, cap)) \
            == "passed"


def drawcheck_windows(folder: Path) -> dict:
    """Each window's sunlit intervals (HH:MM) as the sunlight command reports them, every building standing."""
    from drawcheck.rules.sunlight_standards import command_data, context, sunlight_rules

    prepared = prepare(folder)
    data, _ = command_data(context(prepared), sunlight_rules(prepared.packs))
    return {(w["building"], w["floor"], w["facade"], w["window"]): w["intervals"]
            for w in data["standards"][0]["windows"]}


# -- the plot's height, rules that cannot run, bad input -----------------------------------------------

def test_plot_height_max_fills_free_cells_and_bounds_every_cap(tmp_path):
    _slab(conditions={"height_max": 30.0}).save(tmp_path / "h30")
    prepared = prepare(tmp_path / "h30")
    caps = height_caps(prepared, ZONE)
    assert caps["max_height"] == 30.0
    heights = [c[2] for c in caps["cells"]]
    assert None not in heights and max(heights) == 30.0 and min(heights) < 30.0
    free = height_caps(prepared, ZONE, max_height=None)
    for (_, _, bounded), (_, _, unbounded) in zip(caps["cells"], free["cells"]):
        assert bounded == (unbounded if unbounded is not None and unbounded < 30.0 else 30.0)


def test_rule_that_cannot_run_gives_no_caps(tmp_path):
    _slab("gb50180-2018").save(tmp_path / "nozone")  # no climate_zone: GB 50180 4.0.9 is not_run
    caps = height_caps(prepare(tmp_path / "nozone"), ZONE)
    assert caps["outcome"] == "not_run" and caps["rule"] is None
    assert "climate_zone" in caps["rules"][0]["reason"]
    assert all(c[2] is None for c in caps["cells"])


def test_no_housing_constrains_nothing(tmp_path):
    p = SunPlan(north_angle=45.0).site(0, -100, 200, 60)
    p.building("1# 6F H=18.0 办公", 30, 20, 70, 32)
    p.save(tmp_path / "office")
    caps = height_caps(prepare(tmp_path / "office"), ZONE, max_height=50.0)
    assert caps["outcome"] == "computed" and caps["rules"][0]["outcome"] == "not_applicable"
    assert {c[2] for c in caps["cells"]} == {50.0} and caps["governing_windows"] == []


def test_bad_input_is_refused(tight):
    folder, _ = tight
    prepared = prepare(folder)
    for grid in (0, -2.0, float("nan"), "2"):
        with pytest.raises(ValueError, match="grid"):
            height_caps(prepared, ZONE, grid=grid)
    for zone in (shapely.Polygon(), shapely.LineString([(0, 0), (10, 0)])):
        with pytest.raises(ValueError, match="zone"):
            height_caps(prepared, zone)
    for height in (0.0, -5.0, float("inf"), "80", True):
        with pytest.raises(ValueError, match="max_height"):
            height_caps(prepared, ZONE, max_height=height)
    with pytest.raises(ValueError, match="footprint"):
        height_caps(prepared, ZONE, footprint=shapely.Point(0, 0))
    with pytest.raises(ValueError, match="gb50180-2018:4.0.9"):
        height_caps(prepared, ZONE, rule="gb50180-2018:4.0.9")  # not among this submission's packs


def test_grid_and_cells_are_laid_out_as_documented(tight):
    _, caps = tight
    ny, nx = caps["shape"]
    x0, y0 = caps["origin"]
    assert (x0, y0) == (20.0, -90.0) and (nx, ny) == (85, 73)  # ZONE's bounds, edges on multiples of 2 m
    centres = {(x, y) for x, y, _ in caps["cells"]}
    xs, ys = np.meshgrid(x0 + 1 + 2 * np.arange(nx), y0 + 1 + 2 * np.arange(ny))
    inside = shapely.intersects_xy(ZONE, xs, ys)
    assert centres == {(float(x), float(y)) for x, y in zip(xs[inside], ys[inside])}
    assert len(caps["governing"]) == len(caps["cells"])
    assert all((g is None) == (c[2] is None) for g, c in zip(caps["governing"], caps["cells"]))
