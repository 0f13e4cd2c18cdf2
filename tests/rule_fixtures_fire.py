"""Per-rule fixtures of the fire department packs: gb50016-2014 (beyond 5.2.2), gb55037-2022.

Expected numbers are worked out by hand next to each case; builders come from
``fixture_plans.py``. ``rule_fixtures.py`` collects these ``CASES``.
"""

from __future__ import annotations

import math

from ezdxf.lldxf import const

from fixture_plans import Case, Plan

BOTH = ["gb50016-2014", "gb55037-2022"]
QUARTER = math.tan(math.radians(90.0) / 4)  # bulge of a 90° arc, counter-clockwise


def _outline(plan: Plan, points, layer: str) -> Plan:
    """A closed polyline of (x, y) or (x, y, bulge) vertices."""
    plan.msp.add_lwpolyline([(p[0], p[1], 0, 0, p[2] if len(p) > 2 else 0.0) for p in points], format="xyseb",
                            close=True, dxfattribs={"layer": layer})
    return plan


# ---------------------------------------------------------------------------
# GB 50016 5.1.1: the class rests on an assumed use or height only above 24 m (the lowest
# class boundary, public high-rise); 1# is a 40 x 12 slab; 9F without H => 9 x 3.0 = 27 m.
def _one(label: str) -> Plan:
    return Plan().site().building(label, 10, 10, 50, 22, stated=False)


CLASS = "gb50016-2014:5.1.1"
CASES: list[Case] = [
    Case(CLASS, "pass-use-and-height-labelled", lambda: _one("1# 18F H=54.0 住宅")),
    Case(CLASS, "pass-use-assumed-at-24m", lambda: _one("1# 8F H=24.0")),
    Case(CLASS, "fail-use-assumed-at-24.01m", lambda: _one("1# 8F H=24.01"), measured=24.01, required=24.0),
    Case(CLASS, "pass-height-assumed-8f-24m", lambda: _one("1# 8F 住宅")),
    Case(CLASS, "fail-height-assumed-9f-27m", lambda: _one("1# 9F 住宅"), measured=27.0, required=24.0),
    Case(CLASS, "na-no-building", lambda: Plan().site()),
]


# ---------------------------------------------------------------------------
# GB 55037 3.3.1: 1# (40F, 120 m) is 40 x 30; the other building starts d east of it.
def _super(d: float, other: str = "2# 18F H=54.0 住宅", layer: str = "BLDG", tall: str = "1# 40F H=120.0 住宅",
           site=(0, 0, 200, 100)) -> Plan:
    p = Plan().site(*site).building(tall, 10, 10, 50, 40)
    p.building(other, 50 + d, 10, 90 + d, 40, layer=layer)
    p.packs = list(BOTH)
    return p


def _super_podium(tower_gap: float) -> Plan:
    """1#: 4F podium 60 x 40 (20 m) with a 40F tower (120 m) whose east edge is ``tower_gap`` from 2#;
    2#: 3F 12 m block 6 m east of the podium (podium east edge x = 70, 2# from x = 76)."""
    p = Plan().site(0, 0, 200, 100)
    p.building("1# 4F H=20.0 商业", 10, 10, 70, 50, at=(12, 12))  # label clear of the tower
    p.building("1# 40F H=120.0 住宅", 76 - tower_gap - 30, 20, 76 - tower_gap, 40)
    p.building("2# 3F H=12.0 住宅", 76, 10, 116, 30)
    p.packs = list(BOTH)
    return p


def _claimed(plan: Plan) -> Plan:
    plan.claims.append({"rule": "gb50016-2014:5.2.2", "between": ["1#", "2#"], "note": 2,
                        "reason": "东侧山墙为防火墙"})
    return plan


SUPER = "gb55037-2022:3.3.1"
CASES += [
    # to a high-rise: 13 m
    Case(SUPER, "pass-13m-to-high-rise", lambda: _super(13.0)),
    Case(SUPER, "fail-12.99m-to-high-rise", lambda: _super(12.99), measured=12.99, required=13.0),
    # to a 三级 low building: 11 m
    Case(SUPER, "pass-11m-to-rating-3", lambda: _super(11.0, "2# 3F H=10.0 住宅 三级")),
    Case(SUPER, "fail-10.99m-to-rating-3", lambda: _super(10.99, "2# 3F H=10.0 住宅 三级"), measured=10.99,
         required=11.0),
    # to an existing 四级 neighbour (outside the 60 x 60 site): 14 m
    Case(SUPER, "fail-13.99m-to-existing-rating-4",
         lambda: _super(13.99, "A栋 2F H=6.0 四级", "EXISTING", site=(0, 0, 60, 60)), measured=13.99, required=14.0),
    # a 5.2.2 note-2 claim (no minimum there) does not reduce 3.3.1: 5 m < 13 m
    Case(SUPER, "fail-5m-whatever-the-5.2.2-claim", lambda: _claimed(_super(5.0)), measured=5.0, required=13.0),
    # the podium (20 m) of the 120 m building is 6 m from 2#: 3.3.1 asks nothing of it; the tower is
    # 9 m from 2# (一二级 low building: 9 m) and passes at 9.00, fails at 8.99
    Case(SUPER, "pass-podium-6m-tower-9m", lambda: _super_podium(9.0)),
    Case(SUPER, "fail-tower-8.99m-from-low-building", lambda: _super_podium(8.99), measured=8.99, required=9.0),
    Case(SUPER, "na-100m-is-not-above-100m", lambda: _super(5.0, tall="1# 34F H=100.0 住宅")),
]


# ---------------------------------------------------------------------------
# GB 50016 7.1.8 width: lanes drawn on FIRE-LANE, away from any building.
def _lane(*outlines) -> Plan:
    p = Plan().site()
    for points in outlines:
        _outline(p, points, "FIRE-LANE")
    return p


def _box(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _rotated_strip(width: float):
    """A 100 m strip ``width`` wide from (20, 20) along 30°: the width is exact by construction."""
    u = (math.cos(math.radians(30)), math.sin(math.radians(30)))
    v = (-u[1], u[0])
    p0 = (20.0, 20.0)
    p1 = (p0[0] + 100 * u[0], p0[1] + 100 * u[1])
    return [p0, p1, (p1[0] + width * v[0], p1[1] + width * v[1]), (p0[0] + width * v[0], p0[1] + width * v[1])]


def _ring_lane(south: float) -> Plan:
    """A ring lane as a HATCH: outer 10..60 x 10..50, hole 16..54 x (10 + south)..44:
    6 m wide, ``south`` m on the south side."""
    p = Plan().site()
    hatch = p.msp.add_hatch(dxfattribs={"layer": "FIRE-LANE"})
    hatch.paths.add_polyline_path(_box(10, 10, 60, 50), is_closed=True, flags=const.BOUNDARY_PATH_EXTERNAL)
    hatch.paths.add_polyline_path(_box(16, 10 + south, 54, 44), is_closed=True,
                                  flags=const.BOUNDARY_PATH_OUTERMOST)
    return p


WIDTH = "gb50016-2014:7.1.8/width"
CASES += [
    # a 100 m strip 4.00 m wide passes; 3.99 m fails with 3.99
    Case(WIDTH, "pass-4.00m-strip", lambda: _lane(_box(10, 60, 110, 64))),
    Case(WIDTH, "fail-3.99m-strip", lambda: _lane(_box(10, 60, 110, 63.99)), measured=3.99, required=4.0),
    # the same along 30°
    Case(WIDTH, "pass-4.00m-strip-at-30-degrees", lambda: _lane(_rotated_strip(4.0))),
    Case(WIDTH, "fail-3.99m-strip-at-30-degrees", lambda: _lane(_rotated_strip(3.99)), measured=3.99, required=4.0),
    # an L of two 4 m arms: its corners are not narrow places
    Case(WIDTH, "pass-l-shaped-4m", lambda: _lane([(10, 10), (60, 10), (60, 14), (14, 14), (14, 60), (10, 60)])),
    # one lane drawn as two touching strips, each 50 x 4
    Case(WIDTH, "pass-two-touching-strips-4m", lambda: _lane(_box(10, 60, 60, 64), _box(60, 60, 110, 64))),
    # a quarter ring between radii 30 and 34 around (60, 10), drawn with bulges: 4 m across
    Case(WIDTH, "pass-curved-4m", lambda: _lane([(94, 10, QUARTER), (60, 44), (60, 40, -QUARTER), (90, 10)])),
    # 6 m lane, 20 m long neck between y = 61.25 and 64.75: 3.5 m
    Case(WIDTH, "fail-neck-3.5m", lambda: _lane([(10, 60), (50, 60), (50, 61.25), (70, 61.25), (70, 60), (110, 60),
                                                 (110, 66), (70, 66), (70, 64.75), (50, 64.75), (50, 66), (10, 66)]),
         measured=3.5, required=4.0),
    # 6 m lane pinched by two 0.2 m posts reaching 1.05 m in from each side: 6 - 2 x 1.05 = 3.9 m
    Case(WIDTH, "fail-pinch-3.9m-between-posts",
         lambda: _lane([(10, 60), (60, 60), (60, 61.05), (60.2, 61.05), (60.2, 60), (110, 60), (110, 66),
                        (60.2, 66), (60.2, 64.95), (60, 64.95), (60, 66), (10, 66)]), measured=3.9, required=4.0),
    # ring lane 6 m wide except its south side, 3.5 m (10 .. 13.5)
    Case(WIDTH, "pass-ring-lane-6m", lambda: _ring_lane(6.0)),
    Case(WIDTH, "fail-ring-lane-south-side-3.5m", lambda: _ring_lane(3.5), measured=3.5, required=4.0),
    # a 3 m wide, 14 m long spur off a 6 m lane
    Case(WIDTH, "fail-spur-3m", lambda: _lane(_box(10, 60, 110, 66), _box(50, 66, 53, 80)), measured=3.0,
         required=4.0),
    Case(WIDTH, "na-no-lane", lambda: Plan().site().building("1# 18F H=54.0 住宅", 50, 30, 90, 42)),
]


# ---------------------------------------------------------------------------
# GB 50016 7.1.8 distance: 1# 40 x 12 at (50, 30)-(90, 42); a lane 6 m wide runs north of it.
def _lane_north(gap: float) -> Plan:
    p = Plan().site().building("1# 18F H=54.0 住宅", 50, 30, 90, 42)
    p.rect(10, 42 + gap, 190, 48 + gap, "FIRE-LANE")
    return p


LANE_GAP = "gb50016-2014:7.1.8/distance"
CASES += [
    Case(LANE_GAP, "pass-5.00m", lambda: _lane_north(5.0)),
    Case(LANE_GAP, "fail-4.99m", lambda: _lane_north(4.99), measured=4.99, required=5.0),
    Case(LANE_GAP, "fail-lane-over-the-building", lambda: _lane_north(-3.0), measured=0.0, required=5.0),
    Case(LANE_GAP, "na-no-lane", lambda: Plan().site().building("1# 18F H=54.0 住宅", 50, 30, 90, 42)),
    Case(LANE_GAP, "na-no-building", lambda: _lane(_box(10, 60, 110, 66))),
]


# ---------------------------------------------------------------------------
# GB 50016 7.2.2 size: the rescue site lies 5 m north of 1# (north wall y = 42), from x = 50.
def _rescue(length: float, width: float, label: str = "1# 18F H=54.0 住宅", gap: float = 5.0) -> Plan:
    p = Plan().site().building(label, 50, 30, 90, 42)
    p.rect(50, 42 + gap, 50 + length, 42 + gap + width, "FIRE-RESCUE")
    return p


def _rescue_rotated(length: float, width: float) -> Plan:
    """A ``length`` x ``width`` site turned 30° about its corner (60, 60), north of an 11F 33 m 1#."""
    p = Plan().site().building("1# 11F H=33.0 住宅", 50, 30, 90, 42)
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    _outline(p, [(60, 60), (60 + length * c, 60 + length * s),
                 (60 + length * c - width * s, 60 + length * s + width * c), (60 - width * s, 60 + width * c)],
             "FIRE-RESCUE")
    return p


SIZE = "gb50016-2014:7.2.2/size"
CASES += [
    # 1# is 54 m (> 50 m): 20 x 10 m
    Case(SIZE, "pass-20x10-for-54m", lambda: _rescue(20.0, 10.0)),
    Case(SIZE, "fail-19.99x10-for-54m", lambda: _rescue(19.99, 10.0), measured=19.99, required=20.0),
    # 20 x 9.99: the largest 2 : 1 rectangle is 19.98 x 9.99
    Case(SIZE, "fail-20x9.99-for-54m", lambda: _rescue(20.0, 9.99), measured=19.98, required=20.0),
    # 33 m and 50 m (not above 50 m): 15 x 10 m
    Case(SIZE, "pass-15x10-for-33m", lambda: _rescue(15.0, 10.0, "1# 11F H=33.0 住宅")),
    Case(SIZE, "fail-14.99x10-for-33m", lambda: _rescue(14.99, 10.0, "1# 11F H=33.0 住宅"), measured=14.99,
         required=15.0),
    Case(SIZE, "pass-15x10-for-50m", lambda: _rescue(15.0, 10.0, "1# 16F H=50.0 住宅")),
    # a 15 x 10 site turned 30°: the rectangle fits along its edges
    Case(SIZE, "pass-15x10-turned-30-degrees", lambda: _rescue_rotated(15.0, 10.0)),
    Case(SIZE, "fail-14.99x10-turned-30-degrees", lambda: _rescue_rotated(14.99, 10.0), measured=14.99,
         required=15.0),
    Case(SIZE, "na-no-rescue-site", lambda: Plan().site().building("1# 18F H=54.0 住宅", 50, 30, 90, 42)),
]


# ---------------------------------------------------------------------------
# GB 50016 7.2.2 distance: a 20 x 10 site ``gap`` north of 1#: 5 m (宜, warning below) to 10 m (不应 exceed).
def _serving_two(low_gap: float) -> Plan:
    """Site 8 m north of high-rise 1#; low 2# (3F, 9 m) ``low_gap`` north of the site: the site serves 1#."""
    p = _rescue(20.0, 10.0, gap=8.0)
    p.building("2# 3F H=9.0 配套", 50, 60 + low_gap, 70, 70 + low_gap)
    return p


RESCUE_GAP = "gb50016-2014:7.2.2/distance"
CASES += [
    Case(RESCUE_GAP, "pass-5.00m", lambda: _rescue(20.0, 10.0, gap=5.0)),
    Case(RESCUE_GAP, "pass-10.00m", lambda: _rescue(20.0, 10.0, gap=10.0)),
    Case(RESCUE_GAP, "fail-4.99m-too-close", lambda: _rescue(20.0, 10.0, gap=4.99), measured=4.99, required=5.0),
    Case(RESCUE_GAP, "fail-10.01m-too-far", lambda: _rescue(20.0, 10.0, gap=10.01), measured=10.01, required=10.0),
    # 2# is 3 m from the site but low: the site serves high-rise 1#, 8 m away
    Case(RESCUE_GAP, "pass-serves-the-high-rise-8m", lambda: _serving_two(3.0)),
    Case(RESCUE_GAP, "na-no-rescue-site", lambda: Plan().site().building("1# 18F H=54.0 住宅", 50, 30, 90, 42)),
]
