"""Per-rule fixtures of the planning packs: shanghai-planning, gb50352-2019, gb50180-2018.

Expected numbers are worked out by hand next to each case; builders come from
``fixture_plans.py``. ``rule_fixtures.py`` collects these ``CASES``.
"""

from __future__ import annotations

from fixture_plans import Case, Plan  # noqa: F401

CASES: list[Case] = []


# ===========================================================================
# shanghai-planning: building spacing, 上海市城市规划管理技术规定 第二十三/二十五/二十七/二十八/三十一条
# (drawcheck/rules/spacing.py). Slabs are 40 x 12 m unless said; H in the labels; spacing d is
# wall to wall. Zone "outer" unless said (the manifest default). Arrangements by hand:
#   _stacked:      two E-W slabs, 2# north of 1#: facades face each other, parallel, south-facing,
#                  1# is the south (obstructing) building.
#   _side_by_side: two N-S slabs, 2# east of 1#: parallel, east/west-facing, H of the taller.
#   _tee:          1# E-W slab, 2# N-S slab north of it, 2#'s south gable (width g) facing 1#'s
#                  north facade: perpendicular (g <= 16 m) and south-facing, 1# south.
#   _ell:          1# E-W slab, 2# N-S slab east of it, 1#'s east gable facing 2#'s west facade:
#                  perpendicular, east/west-facing; 1# (the gable) obstructs, 2# is "the other".
#   _row:          two E-W slabs end to end along x: gable to gable, east/west.
#   _column:       two N-S slabs end to end along y: gable to gable, south.
# ===========================================================================
SH = "shanghai-planning"
SH23, SH25, SH27, SH28, SH31 = (f"{SH}:{code}" for code in ("23", "25", "27", "28", "31"))


class ShanghaiPlan(Plan):
    """A Plan that selects only shanghai-planning, with an optional zone, ``[site] north_angle`` and pack overrides."""

    def __init__(self, zone: str | None = None, north_angle: float | None = None, site=(0, 0, 300, 300),
                 **overrides) -> None:
        super().__init__()
        self.packs = [SH]
        self.north_angle = north_angle
        self.overrides = overrides
        if zone is not None:
            self.conditions["shanghai_zone"] = zone
        self.site(*site)

    def save(self, folder) -> None:
        super().save(folder)
        extra = []
        if self.north_angle is not None:
            extra += ["", "[site]", f"north_angle = {float(self.north_angle)!r}"]
        if self.overrides:
            extra += ["", f'[overrides."{SH}"]'] + [f"{k} = {v!r}" for k, v in self.overrides.items()]
        if extra:
            with open(folder / "drawcheck.toml", "a", encoding="utf-8") as fh:
                fh.write("\n".join(extra) + "\n")


def _stacked(d, south="1# 6F H=18.0", north="2# 6F H=18.0", **kw) -> ShanghaiPlan:
    """1# (20,20)-(60,32); 2# (20,32+d)-(60,44+d)."""
    return ShanghaiPlan(**kw).building(south, 20, 20, 60, 32).building(north, 20, 32 + d, 60, 44 + d)


def _side_by_side(d, west="1# 6F H=18.0", east="2# 5F H=15.0", **kw) -> ShanghaiPlan:
    """1# (20,20)-(32,60); 2# (32+d,20)-(44+d,60)."""
    return ShanghaiPlan(**kw).building(west, 20, 20, 32, 60).building(east, 32 + d, 20, 44 + d, 60)


def _tee(d, south="1# 6F H=18.0", north="2# 5F H=15.0", g=12.0, **kw) -> ShanghaiPlan:
    """1# (20,20)-(60,32); 2# g x 40 centred on x = 40, from y = 32+d."""
    return (ShanghaiPlan(**kw).building(south, 20, 20, 60, 32)
            .building(north, 40 - g / 2, 32 + d, 40 + g / 2, 72 + d))


def _ell(d, west="1# 6F H=18.0", east="2# 5F H=15.0", **kw) -> ShanghaiPlan:
    """1# (20,20)-(60,32); 2# (60+d,6)-(72+d,46), its west facade across 1#'s east gable."""
    return ShanghaiPlan(**kw).building(west, 20, 20, 60, 32).building(east, 60 + d, 6, 72 + d, 46)


def _row(d, west="1# 6F H=18.0", east="2# 5F H=15.0", w=12.0, **kw) -> ShanghaiPlan:
    """1# (20,20)-(60,20+w); 2# (60+d,20)-(100+d,20+w)."""
    return ShanghaiPlan(**kw).building(west, 20, 20, 60, 20 + w).building(east, 60 + d, 20, 100 + d, 20 + w)


def _column(d, south="1# 6F H=18.0", north="2# 5F H=15.0", **kw) -> ShanghaiPlan:
    """1# (20,20)-(32,60); 2# (20,60+d)-(32,100+d)."""
    return ShanghaiPlan(**kw).building(south, 20, 20, 32, 60).building(north, 20, 60 + d, 32, 100 + d)


def _with_existing(d, new="1# 6F H=18.0", old="A栋 6F H=18.0") -> ShanghaiPlan:
    """Site (0,0)-(80,40) holding 1# (20,10)-(60,22); an existing neighbour north of it, off site, d away."""
    return (ShanghaiPlan(site=(0, 0, 80, 40)).building(new, 20, 10, 60, 22)
            .building(old, 20, 22 + d, 60, 34 + d, layer="EXISTING"))


CASES += [
    # --- 第二十三条 low/multi-storey housing -----------------------------------------------
    # parallel south-facing, H = 18 (1#, south): outer 1.2 x 18 = 21.6, inner 1.0 x 18 = 18; no minimum here
    Case(SH23, "pass-parallel-south-outer-21.6m", lambda: _stacked(21.6)),
    Case(SH23, "fail-parallel-south-outer-21.59m", lambda: _stacked(21.59), measured=21.59, required=21.6),
    Case(SH23, "pass-parallel-south-inner-18m", lambda: _stacked(18.0, zone="inner")),
    Case(SH23, "fail-parallel-south-inner-17.99m", lambda: _stacked(17.99, zone="inner"), measured=17.99,
         required=18.0),
    # parallel east/west-facing, taller H = 18: outer 1.0 x 18 = 18, inner 0.9 x 18 = 16.2 (>= 6 m)
    Case(SH23, "pass-parallel-east-west-outer-18m", lambda: _side_by_side(18.0)),
    Case(SH23, "fail-parallel-east-west-outer-17.99m", lambda: _side_by_side(17.99), measured=17.99, required=18.0),
    Case(SH23, "pass-parallel-east-west-inner-16.2m", lambda: _side_by_side(16.2, zone="inner")),
    Case(SH23, "fail-parallel-east-west-inner-16.19m", lambda: _side_by_side(16.19, zone="inner"), measured=16.19,
         required=16.2),
    # two low 5 m slabs east/west: 1.0 x 5 = 5 < the 6 m minimum
    Case(SH23, "fail-parallel-east-west-minimum-5.99m",
         lambda: _side_by_side(5.99, "1# 2F H=5.0", "2# 2F H=5.0"), measured=5.99, required=6.0),
    # perpendicular south-facing, H = 18 (1#, south): outer 0.8 x 18 = 14.4, inner 0.7 x 18 = 12.6
    Case(SH23, "pass-perpendicular-south-outer-14.4m", lambda: _tee(14.4)),
    Case(SH23, "fail-perpendicular-south-outer-14.39m", lambda: _tee(14.39), measured=14.39, required=14.4),
    Case(SH23, "pass-perpendicular-south-inner-12.6m", lambda: _tee(12.6, zone="inner")),
    Case(SH23, "fail-perpendicular-south-inner-12.59m", lambda: _tee(12.59, zone="inner"), measured=12.59,
         required=12.6),
    # gable width: 2#'s 16 m gable is a gable (perpendicular, 14.4 m passes); 16.01 m counts as a
    # facade, so the pair is parallel south-facing: 1.2 x 18 = 21.6 m
    Case(SH23, "pass-gable-16m-is-perpendicular", lambda: _tee(14.4, g=16.0)),
    Case(SH23, "fail-gable-16.01m-counts-as-parallel", lambda: _tee(14.4, g=16.01), measured=14.4, required=21.6),
    # perpendicular east/west: 1# (9 m, its gable faces 2#) 0.8 x 9 = 7.2; 0.5 x 2#'s 24 m = 12; 6 m -> 12
    Case(SH23, "pass-perpendicular-east-west-outer-12m", lambda: _ell(12.0, "1# 3F H=9.0", "2# 8F H=24.0")),
    Case(SH23, "fail-perpendicular-east-west-outer-11.99m", lambda: _ell(11.99, "1# 3F H=9.0", "2# 8F H=24.0"),
         measured=11.99, required=12.0),
    # inner: 0.7 x 18 = 12.6 > 0.5 x 15 = 7.5 > 6
    Case(SH23, "fail-perpendicular-east-west-inner-12.59m", lambda: _ell(12.59, zone="inner"), measured=12.59,
         required=12.6),
    # north_angle: true north 90° CCW from +Y is the drawing's -X, so the stacked pair stands
    # east/west: 1.0 x 18 = 18 m passes (south-facing would ask 21.6)
    Case(SH23, "pass-north-angle-90-east-west-18m", lambda: _stacked(18.0, north_angle=90.0)),
    # the spacing line 45° off north-south is still 南北向 (inclusive): 1.2 x 18 = 21.6 > 20
    Case(SH23, "fail-north-angle-45-still-south-20m", lambda: _stacked(20.0, north_angle=45.0), measured=20.0,
         required=21.6),
    # 46°: east/west-facing, 1.0 x 18 = 18 <= 20
    Case(SH23, "pass-north-angle-46-east-west-20m", lambda: _stacked(20.0, north_angle=46.0)),
    # a 9 m low slab south of a 54 m high-rise: its own 1.2 x 9 = 10.8 m
    Case(SH23, "fail-low-south-of-high-rise-10m", lambda: _stacked(10.0, "1# 3F H=9.0", "2# 18F H=54.0"),
         measured=10.0, required=10.8),
    # an existing neighbour 20 m north of new 1# (18 m): 1.2 x 18 = 21.6
    Case(SH23, "fail-existing-neighbour-north-20m", lambda: _with_existing(20.0), measured=20.0, required=21.6),
    Case(SH23, "na-single-building", lambda: ShanghaiPlan().building("1# 6F H=18.0", 20, 20, 60, 32)),
    Case(SH23, "na-high-rise-pair", lambda: _stacked(40.0, "1# 18F H=54.0", "2# 18F H=54.0")),

    # --- 第二十五条 low/multi gable to gable: max(0.5 x taller H, 4 m) -------------------------
    # taller 18 m: 0.5 x 18 = 9
    Case(SH25, "pass-gables-east-west-9m", lambda: _row(9.0)),
    Case(SH25, "fail-gables-east-west-8.99m", lambda: _row(8.99), measured=8.99, required=9.0),
    Case(SH25, "pass-gables-south-north-inner-9m", lambda: _column(9.0, zone="inner")),
    Case(SH25, "fail-gables-south-north-inner-8.99m", lambda: _column(8.99, zone="inner"), measured=8.99,
         required=9.0),
    # two 6 m slabs: 0.5 x 6 = 3 < 4 m minimum
    Case(SH25, "pass-gables-low-4m-minimum", lambda: _row(4.0, "1# 2F H=6.0", "2# 2F H=6.0")),
    Case(SH25, "fail-gables-low-3.99m-minimum", lambda: _row(3.99, "1# 2F H=6.0", "2# 2F H=6.0"), measured=3.99,
         required=4.0),
    # 16 m wide ends are still gables; 16.01 m wide ends count as facades: parallel, not article 25
    Case(SH25, "pass-gables-16m-wide-9m", lambda: _row(9.0, w=16.0)),
    Case(SH25, "na-ends-16.01m-wide-are-parallel", lambda: _row(9.0, w=16.01)),
    Case(SH25, "na-facades-only", lambda: _stacked(30.0)),

    # --- 第二十七条 high-rise housing -------------------------------------------------------
    # parallel south-facing, 1# 54 m south: max(0.5 x 54 = 27, 30 outer / 24 inner)
    Case(SH27, "pass-parallel-south-outer-30m", lambda: _stacked(30.0, "1# 18F H=54.0", "2# 18F H=54.0")),
    Case(SH27, "fail-parallel-south-outer-29.99m", lambda: _stacked(29.99, "1# 18F H=54.0", "2# 18F H=54.0"),
         measured=29.99, required=30.0),
    Case(SH27, "pass-parallel-south-inner-27m",
         lambda: _stacked(27.0, "1# 18F H=54.0", "2# 18F H=54.0", zone="inner")),
    Case(SH27, "fail-parallel-south-inner-26.99m",
         lambda: _stacked(26.99, "1# 18F H=54.0", "2# 18F H=54.0", zone="inner"), measured=26.99, required=27.0),
    # high-rise south of a multi-storey slab: the same max(27, 30)
    Case(SH27, "fail-high-rise-south-of-multi-29.99m", lambda: _stacked(29.99, "1# 18F H=54.0", "2# 6F H=18.0"),
         measured=29.99, required=30.0),
    # 120 m tower: H capped at 100 m, 0.5 x 100 = 50
    Case(SH27, "pass-tower-120m-capped-50m", lambda: _stacked(50.0, "1# 40F H=120.0", "2# 18F H=54.0")),
    Case(SH27, "fail-tower-120m-capped-49.99m", lambda: _stacked(49.99, "1# 40F H=120.0", "2# 18F H=54.0"),
         measured=49.99, required=50.0),
    # override 0.6 H: 0.6 x 100 = 60 m, a pair beyond the report's 50 m spacing rows is still measured
    Case(SH27, "fail-override-0.6h-beyond-50m",
         lambda: _stacked(59.99, "1# 40F H=120.0", "2# 18F H=54.0", high_parallel_south_factor=0.6),
         measured=59.99, required=60.0),
    # parallel east/west, both high: max(0.4 x 70 = 28, 24)
    Case(SH27, "pass-parallel-east-west-28m", lambda: _side_by_side(28.0, "1# 24F H=70.0", "2# 18F H=54.0")),
    Case(SH27, "fail-parallel-east-west-27.99m", lambda: _side_by_side(27.99, "1# 24F H=70.0", "2# 18F H=54.0"),
         measured=27.99, required=28.0),
    # high-rise beside a multi-storey slab east/west: 24 m
    Case(SH27, "fail-high-rise-beside-multi-23.99m", lambda: _side_by_side(23.99, "1# 18F H=54.0", "2# 6F H=18.0"),
         measured=23.99, required=24.0),
    # perpendicular, both high, 1# 80 m south: max(0.3 x 80 = 24, 20)
    Case(SH27, "pass-perpendicular-high-high-24m", lambda: _tee(24.0, "1# 27F H=80.0", "2# 18F H=54.0")),
    Case(SH27, "fail-perpendicular-high-high-23.99m", lambda: _tee(23.99, "1# 27F H=80.0", "2# 18F H=54.0"),
         measured=23.99, required=24.0),
    # perpendicular high-rise and low: 20 m
    Case(SH27, "fail-perpendicular-high-low-19.99m", lambda: _tee(19.99, "1# 18F H=54.0", "2# 3F H=9.0"),
         measured=19.99, required=20.0),
    # a high-rise gable to any gable: 13 m
    Case(SH27, "pass-gables-13m", lambda: _row(13.0, "1# 18F H=54.0", "2# 6F H=18.0")),
    Case(SH27, "fail-gables-12.99m", lambda: _row(12.99, "1# 18F H=54.0", "2# 6F H=18.0"), measured=12.99,
         required=13.0),
    # new high-rise 29.99 m south of existing housing: max(27, 30)
    Case(SH27, "fail-new-tower-south-of-existing-housing",
         lambda: _with_existing(29.99, new="1# 18F H=54.0"), measured=29.99, required=30.0),
    Case(SH27, "na-low-multi-only", lambda: _stacked(30.0)),
    # a multi-storey slab south of a high-rise falls under 23 and 28, not 27
    Case(SH27, "na-multi-south-of-high-rise", lambda: _stacked(30.0, "1# 6F H=18.0", "2# 18F H=54.0")),

    # --- 第二十八条 minimum south-north ------------------------------------------------------
    Case(SH28, "pass-low-low-6m", lambda: _stacked(6.0, "1# 3F H=9.0", "2# 3F H=9.0")),
    Case(SH28, "fail-low-low-5.99m", lambda: _stacked(5.99, "1# 3F H=9.0", "2# 3F H=9.0"), measured=5.99,
         required=6.0),
    Case(SH28, "pass-low-to-multi-8m", lambda: _stacked(8.0, "1# 2F H=6.0", "2# 6F H=18.0")),
    Case(SH28, "fail-low-to-multi-7.99m", lambda: _stacked(7.99, "1# 2F H=6.0", "2# 6F H=18.0"), measured=7.99,
         required=8.0),
    Case(SH28, "pass-multi-to-high-rise-13m", lambda: _stacked(13.0, "1# 6F H=18.0", "2# 18F H=54.0")),
    Case(SH28, "fail-multi-to-high-rise-12.99m", lambda: _stacked(12.99, "1# 6F H=18.0", "2# 18F H=54.0"),
         measured=12.99, required=13.0),
    # perpendicular, low 1# south of low 2#: 6 m
    Case(SH28, "fail-perpendicular-low-low-inner-5.99m", lambda: _tee(5.99, "1# 3F H=9.0", "2# 3F H=9.0", zone="inner"),
         measured=5.99, required=6.0),
    Case(SH28, "na-east-west-pair", lambda: _side_by_side(20.0, "1# 3F H=9.0", "2# 3F H=9.0")),
    Case(SH28, "na-multi-south-of-multi", lambda: _stacked(30.0)),

    # --- 第三十一条 non-residential ----------------------------------------------------------
    # two 80 m offices parallel south-facing: max(0.4 x 80 = 32, 24)
    Case(SH31, "pass-high-high-south-32m", lambda: _stacked(32.0, "1# 20F H=80.0 办公", "2# 20F H=80.0 办公")),
    Case(SH31, "fail-high-high-south-31.99m", lambda: _stacked(31.99, "1# 20F H=80.0 办公", "2# 20F H=80.0 办公"),
         measured=31.99, required=32.0),
    # 50 m: 0.4 x 50 = 20 < 24
    Case(SH31, "fail-high-high-south-minimum-23.99m",
         lambda: _stacked(23.99, "1# 12F H=50.0 办公", "2# 12F H=50.0 办公", zone="inner"), measured=23.99,
         required=24.0),
    # east/west, taller 80 m: max(0.3 x 80 = 24, 18)
    Case(SH31, "pass-high-high-east-west-24m", lambda: _side_by_side(24.0, "1# 20F H=80.0 办公", "2# 15F H=60.0 商业")),
    Case(SH31, "fail-high-high-east-west-23.99m",
         lambda: _side_by_side(23.99, "1# 20F H=80.0 办公", "2# 15F H=60.0 商业"), measured=23.99, required=24.0),
    Case(SH31, "pass-high-multi-13m", lambda: _stacked(13.0, "1# 12F H=50.0 办公", "2# 5F H=20.0 商业")),
    Case(SH31, "fail-high-multi-12.99m", lambda: _stacked(12.99, "1# 12F H=50.0 办公", "2# 5F H=20.0 商业"),
         measured=12.99, required=13.0),
    Case(SH31, "pass-multi-multi-10m", lambda: _side_by_side(10.0, "1# 5F H=20.0 办公", "2# 4F H=16.0 商业")),
    Case(SH31, "fail-multi-multi-9.99m", lambda: _side_by_side(9.99, "1# 5F H=20.0 办公", "2# 4F H=16.0 商业"),
         measured=9.99, required=10.0),
    Case(SH31, "pass-low-6m", lambda: _stacked(6.0, "1# 2F H=8.0 商业", "2# 5F H=20.0 办公")),
    Case(SH31, "fail-low-5.99m", lambda: _stacked(5.99, "1# 2F H=8.0 商业", "2# 5F H=20.0 办公"), measured=5.99,
         required=6.0),
    Case(SH31, "na-housing-only", lambda: _stacked(30.0)),
    Case(SH31, "na-industrial", lambda: _stacked(5.0, "1# 2F H=8.0 工业", "2# 2F H=8.0 工业")),
]


# ===========================================================================
# Red lines, roads and storey-class height caps (drawcheck/rules/planning.py):
# gb50352-2019 4.3.1, shanghai-planning 第四十九/五十条, gb50180-2018 4.0.2/height.
# Site 200 x 100 unless said; ROAD-REDLINE is an open polyline.
# ===========================================================================
def _redline_plan(packs, site=(0, 0, 200, 100), road=None, **conditions) -> Plan:
    """A Plan selecting ``packs``, with a site (None: no site) and a road red line through ``road`` points."""
    p = Plan()
    p.packs = list(packs)
    if site is not None:
        p.site(*site)
    if road is not None:
        p.msp.add_lwpolyline(road, dxfattribs={"layer": "ROAD-REDLINE"})
    p.conditions.update(conditions)
    return p


CROSS = "gb50352-2019:4.3.1"


def _cross(*buildings, site=(0, 0, 200, 100), road=None, basement=None) -> Plan:
    p = _redline_plan(["gb50352-2019"], site=site, road=road)
    for label, rect in buildings:
        p.building(label, *rect)
    if basement is not None:
        p.building(basement[0], *basement[1], layer="BASEMENT")
    return p


CASES += [
    # west wall on the site boundary: covered by the site, nothing beyond
    Case(CROSS, "pass-wall-on-the-site-boundary", lambda: _cross(("1# 3F H=9.0", (0, 10, 40, 22)))),
    # site fronting the road: red line y = 10 along the site's south edge and 1#'s south wall
    Case(CROSS, "pass-wall-on-the-road-redline", lambda: _cross(("1# 3F H=9.0", (10, 10, 50, 22)),
                                                                site=(0, 10, 200, 110),
                                                                road=[(-50, 10), (250, 10)])),
    # site 50 x 50, 1# x 40..60: 10 x 10 = 100 m2 beyond the boundary
    Case(CROSS, "fail-100m2-beyond-the-site", lambda: _cross(("1# 3F H=9.0", (40, 10, 60, 20)), site=(0, 0, 50, 50)),
         measured=100.0, required=0.0),
    # red line y = 15 runs through 1# (x 10..50): 40 m inside its outline
    Case(CROSS, "fail-road-redline-through-the-building",
         lambda: _cross(("1# 3F H=9.0", (10, 10, 50, 22)), road=[(-50, 15), (250, 15)]), measured=40.0, required=0.0),
    # a basement x 30..60 under a 50 x 50 site: 10 x 10 = 100 m2 beyond (below ground counts too)
    Case(CROSS, "fail-basement-beyond-the-site",
         lambda: _cross(("1# 3F H=9.0", (10, 10, 30, 20)), site=(0, 0, 50, 50), basement=("1# -2F", (30, 10, 60, 20))),
         measured=100.0, required=0.0),
    Case(CROSS, "na-no-site-no-road", lambda: _cross(("1# 3F H=9.0", (0, 0, 10, 10)), site=None)),
]


# shanghai-planning 第四十九/五十条: red line y = -10 along the site's south side (site 0..200 x 0..100), W = road_width.
ROAD49, ROAD50 = "shanghai-planning:49", "shanghai-planning:50"
_SOUTH_ROAD = [(-50, -10), (250, -10)]


def _road_plan(*buildings, road=_SOUTH_ROAD, **conditions) -> Plan:
    p = _redline_plan(["shanghai-planning"], road=road, **conditions)
    for label, rect, *at in buildings:
        p.building(label, *rect, at=at[0] if at else None)
    return p


CASES += [
    # 1# y 10..22: S = 10 - (-10) = 20 m; W = 10 m: H <= 1.5 x (10 + 20) = 45 m
    Case(ROAD49, "pass-45m-at-1.5x-10-plus-20", lambda: _road_plan(("1# 15F H=45.0", (10, 10, 50, 22)), road_width=10.0)),
    Case(ROAD49, "fail-45.01m", lambda: _road_plan(("1# 15F H=45.01", (10, 10, 50, 22)), road_width=10.0),
         measured=45.01, required=45.0),
    # 2# (99 m) stands behind 1# (x 10..50 both): S = 50 m would allow 1.5 x 60 = 90 m, but 1# screens it
    Case(ROAD49, "pass-tall-building-behind-the-front-row",
         lambda: _road_plan(("1# 10F H=30.0", (10, 10, 50, 22)), ("2# 33F H=99.0", (10, 40, 50, 52)),
                            road_width=10.0)),
    # the same 2# beside 1# (x 60..100) faces the road: 99 > 90
    Case(ROAD49, "fail-tall-building-beside-the-front-row",
         lambda: _road_plan(("1# 10F H=30.0", (10, 10, 50, 22)), ("2# 33F H=99.0", (60, 40, 100, 52)),
                            road_width=10.0), measured=99.0, required=90.0),
    # each part at its own setback: podium y 10..50 (S 20 m, 20 m <= 45 m), tower y 30..45 (S 40 m):
    # 90 m > 1.5 x (10 + 40) = 75 m
    Case(ROAD49, "fail-tower-set-back-on-a-podium",
         lambda: _road_plan(("1# 4F H=20.0 商业", (10, 10, 70, 50), (12, 12)), ("1# 30F H=90.0", (20, 30, 50, 45)),
                            road_width=10.0), measured=90.0, required=75.0),
    Case(ROAD49, "notrun-no-road-width", lambda: _road_plan(("1# 15F H=45.0", (10, 10, 50, 22)))),
    Case(ROAD49, "na-no-road", lambda: _road_plan(("1# 15F H=45.0", (10, 10, 50, 22)), road=None, road_width=10.0)),
]

CASES += [
    # H <= 24 m: frontage <= 80 m; 1# x 10..90 = 80 m passes, x 10..90.01 = 80.01 m fails
    Case(ROAD50, "pass-80m-at-24m", lambda: _road_plan(("1# 8F H=24.0", (10, 10, 90, 22)))),
    Case(ROAD50, "fail-80.01m-at-24m", lambda: _road_plan(("1# 8F H=24.0", (10, 10, 90.01, 22))),
         measured=80.01, required=80.0),
    # 24 < H <= 60 m: 70 m
    Case(ROAD50, "pass-70m-at-24.01m", lambda: _road_plan(("1# 8F H=24.01", (10, 10, 80, 22)))),
    Case(ROAD50, "fail-70.01m-at-24.01m", lambda: _road_plan(("1# 8F H=24.01", (10, 10, 80.01, 22))),
         measured=70.01, required=70.0),
    # H > 60 m: 60 m
    Case(ROAD50, "fail-60.01m-at-60.01m", lambda: _road_plan(("1# 20F H=60.01", (10, 10, 70.01, 22))),
         measured=60.01, required=60.0),
    # two buildings touching end to end make one continuous frontage: 40 + 40.01 = 80.01 m
    Case(ROAD50, "pass-two-touching-buildings-80m",
         lambda: _road_plan(("1# 8F H=24.0", (10, 10, 50, 22)), ("2# 8F H=24.0", (50, 10, 90, 22)))),
    Case(ROAD50, "fail-two-touching-buildings-80.01m",
         lambda: _road_plan(("1# 8F H=24.0", (10, 10, 50, 22)), ("2# 8F H=24.0", (50, 10, 90.01, 22))),
         measured=80.01, required=80.0),
    # a north-south road x = -10: the frontage is the extent along y, 10..90.01 = 80.01 m (12 m across)
    Case(ROAD50, "fail-80.01m-along-a-north-south-road",
         lambda: _road_plan(("1# 8F H=24.0", (10, 10, 22, 90.01)), road=[(-10, -50), (-10, 150)]),
         measured=80.01, required=80.0),
    Case(ROAD50, "na-no-road", lambda: _road_plan(("1# 8F H=24.0", (10, 10, 90.01, 22)), road=None)),
]


# gb50180-2018 4.0.2/height: cap by storey class (floors above ground) of residential buildings
HEIGHT = "gb50180-2018:4.0.2/height"


def _height(label: str) -> Plan:
    return _redline_plan(["gb50180-2018"]).building(label, 20, 20, 60, 32)


CASES += [
    Case(HEIGHT, "pass-18f-at-54m", lambda: _height("1# 18F H=54.0")),  # 高层Ⅰ类 10-18: 54 m
    Case(HEIGHT, "fail-18f-at-54.01m", lambda: _height("1# 18F H=54.01"), measured=54.01, required=54.0),
    Case(HEIGHT, "fail-3f-at-18.01m", lambda: _height("1# 3F H=18.01"), measured=18.01, required=18.0),  # 低层
    Case(HEIGHT, "pass-19f-at-80m", lambda: _height("1# 19F H=80.0")),  # 高层Ⅱ类 19-26: 80 m
    Case(HEIGHT, "na-27-floors-beyond-the-table", lambda: _height("1# 27F H=81.0")),
    Case(HEIGHT, "na-office-building", lambda: _height("1# 10F H=60.0 办公")),
]
