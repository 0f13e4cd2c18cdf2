"""Per-rule fixtures of the greening, traffic, civil defense and area rules: shanghai-greening, gbt50353-2013, conditions ratios.

Expected numbers are worked out by hand next to each case; builders come from
``fixture_plans.py``. ``rule_fixtures.py`` collects these ``CASES``.
"""

from __future__ import annotations

from fixture_plans import Case, Plan  # noqa: F401

CASES: list[Case] = []


# ---------------------------------------------------------------------------
# shanghai-greening: site 200 x 100 = 20 000 m2 (the Plan default).
def _green(land_use: str | None, green_depth: float, **conditions) -> Plan:
    """A GREEN area 100 m wide and ``green_depth`` m deep: green ratio = 100 x depth / 20 000."""
    p = Plan().site()
    p.packs = ["shanghai-greening"]
    p.rect(100, 0, 200, green_depth, "GREEN")
    if land_use is not None:
        p.conditions["land_use"] = land_use
    p.conditions.update(conditions)
    return p


RATIO = "shanghai-greening:15"
CASES += [
    # residential 35 %: 100 x 70 = 7 000 m2 = 0.35 passes; 100 x 69.98 = 6 998 m2 = 0.3499 fails
    Case(RATIO, "pass-residential-35pct", lambda: _green("residential", 70.0)),
    Case(RATIO, "fail-residential-34.99pct", lambda: _green("residential", 69.98), measured=0.3499, required=0.35),
    # piecemeal redevelopment 25 %: 100 x 50 = 5 000 m2 = 0.25 passes; 100 x 49.98 = 0.2499 fails
    Case(RATIO, "pass-piecemeal-25pct", lambda: _green("residential", 50.0, piecemeal_redevelopment=True)),
    Case(RATIO, "fail-piecemeal-24.99pct", lambda: _green("residential", 49.98, piecemeal_redevelopment=True),
         measured=0.2499, required=0.25),
    # public (schools, hospitals, cultural) 35 %
    Case(RATIO, "pass-public-35pct", lambda: _green("public", 70.0)),
    # industrial 20 %: 100 x 40 = 4 000 m2 = 0.2 passes; 100 x 39.98 = 3 998 m2 = 0.1999 fails
    Case(RATIO, "pass-industrial-20pct", lambda: _green("industrial", 40.0)),
    Case(RATIO, "fail-industrial-19.99pct", lambda: _green("industrial", 39.98), measured=0.1999, required=0.2),
    Case(RATIO, "na-commercial-has-no-minimum", lambda: _green("commercial", 10.0)),
    Case(RATIO, "notrun-no-land-use", lambda: _green(None, 70.0)),
]


def _central(land_use: str | None, *rects, **conditions) -> Plan:
    """GREEN-CENTRAL rectangles (x0, y0, x1, y1) on the 200 x 100 site."""
    p = Plan().site()
    p.packs = ["shanghai-greening"]
    for r in rects:
        p.rect(*r, "GREEN-CENTRAL")
    if land_use is not None:
        p.conditions["land_use"] = land_use
    p.conditions.update(conditions)
    return p


SHARE = "shanghai-greening:54/share"
CASES += [
    # residential 10 %: 50 x 40 = 2 000 m2 = 0.1 passes; 49.95 x 40 = 1 998 m2 = 0.0999 fails
    Case(SHARE, "pass-residential-10pct", lambda: _central("residential", (0, 50, 50, 90))),
    Case(SHARE, "fail-residential-9.99pct", lambda: _central("residential", (0, 50, 49.95, 90)),
         measured=0.0999, required=0.1),
    # other land uses 5 %: 25 x 40 = 1 000 m2 = 0.05 passes; 24.95 x 40 = 998 m2 = 0.0499 fails
    Case(SHARE, "pass-office-5pct", lambda: _central("office", (0, 50, 25, 90))),
    Case(SHARE, "fail-office-4.99pct", lambda: _central("office", (0, 50, 24.95, 90)), measured=0.0499,
         required=0.05),
    # clipped to the site: a 50 x 40 outline with half of it beyond the site (x -25..25) counts
    # 25 x 40 = 1 000 m2 = 0.05 (unclipped it would be 0.1); shifted 0.05 m west: 24.95 x 40 = 0.0499
    Case(SHARE, "pass-clipped-to-site-5pct", lambda: _central("office", (-25, 50, 25, 90))),
    Case(SHARE, "fail-clipped-to-site-4.99pct", lambda: _central("office", (-25.05, 50, 24.95, 90)),
         measured=0.0499, required=0.05),
    Case(SHARE, "notrun-no-land-use", lambda: _central(None, (0, 50, 50, 90))),
    Case(SHARE, "notrun-no-site", lambda: _no_site_central()),
]


def _no_site_central() -> Plan:
    p = Plan()
    p.packs = ["shanghai-greening"]
    p.rect(0, 50, 50, 90, "GREEN-CENTRAL")
    p.conditions["land_use"] = "residential"
    p.conditions["green_central_min"] = 0.1
    return p


PATCH = "shanghai-greening:54/patch"
CASES += [
    # 20 x 20 = 400 m2 passes; 19.99 x 20 = 399.8 m2 fails
    Case(PATCH, "pass-400m2", lambda: _central("residential", (0, 50, 20, 70))),
    Case(PATCH, "fail-399.8m2", lambda: _central("residential", (0, 50, 19.99, 70)), measured=399.8, required=400.0),
    # two 10 x 20 outlines sharing an edge are one patch of 400 m2
    Case(PATCH, "pass-two-halves-one-patch", lambda: _central("residential", (0, 50, 10, 70), (10, 50, 20, 70))),
    # two 10 x 20 outlines 1 m apart are two patches of 200 m2
    Case(PATCH, "fail-two-halves-apart", lambda: _central("residential", (0, 50, 10, 70), (11, 50, 21, 70)),
         measured=200.0, required=400.0),
    Case(PATCH, "na-no-central-green", lambda: _green("residential", 70.0)),
]


# ---------------------------------------------------------------------------
# gbt50353-2013 3.0.1: storeys with a structural storey height under 2.20 m count half.
def _storeys(*buildings) -> Plan:
    p = Plan().site()
    p.packs = ["gbt50353-2013"]
    for label, rect in buildings:
        p.building(label, *rect)
    return p


# 1#: 10F tower 40 x 12 = 480 m2 at 3.0 m + a 1F annex 10 x 12 = 120 m2 at 2.1 m beside it (mezzanine-height)
# GFA = 10 x 480 + 0.5 x 120 = 4 860 m2 (not halved: 4 920); FAR = 4 860 / 20 000 = 0.243
def _mezzanine(**conditions) -> Plan:
    p = _storeys(("1# 10F H=30.0 层高3.0", (20, 20, 60, 32)), ("1# 1F H=2.1", (60, 20, 70, 32)))
    p.conditions.update(conditions)
    return p


HALF = "gbt50353-2013:3.0.1"
CASES += [
    # 10 floors in 22.0 m: 2.20 m storeys count in full; 21.9 m: 2.19 m storeys count half
    Case(HALF, "pass-storey-height-2.20m", lambda: _storeys(("1# 10F H=22.0", (20, 20, 60, 32)))),
    Case(HALF, "fail-storey-height-2.19m", lambda: _storeys(("1# 10F H=21.9", (20, 20, 60, 32))),
         measured=2.19, required=2.2),
    Case(HALF, "fail-mezzanine-part-2.1m", lambda: _mezzanine(), measured=2.1, required=2.2),
    Case(HALF, "na-no-building", lambda: _storeys()),
    # the indicator follows the standard: FAR 0.243 with the annex at half area
    Case("conditions:far_max", "pass-half-counted-annex-0.243", lambda: _mezzanine(far_max=0.243)),
    Case("conditions:far_max", "fail-half-counted-annex-over-0.2429", lambda: _mezzanine(far_max=0.2429),
         measured=0.243, required=0.2429),
]


# ---------------------------------------------------------------------------
# conditions: traffic, civil defense, 集中绿地 share (manifest values only)
def _households(label: str, spaces: int, **conditions) -> Plan:
    """1# (40 x 12, labelled ``label``) on the 200 x 100 site with ``spaces`` parking spaces."""
    p = Plan().site().building(label, 20, 20, 60, 32)
    for k in range(spaces):
        p.rect(100 + 3 * k, 10, 102.5 + 3 * k, 15.3, "PARKING")
    p.conditions.update(conditions)
    return p


PER_HOUSEHOLD = "conditions:parking_per_household"
PER_AREA = "conditions:parking_per_100m2"
CASES += [
    # 10 households x 0.3 = 3 spaces (3.0000000000000004 in floating point: still 3); 3 drawn passes
    Case(PER_HOUSEHOLD, "pass-3-for-3", lambda: _households("1# 10F H=30.0 10户", 3, parking_per_household=0.3)),
    # 10 x 0.31 = 3.1, rounded up to 4
    Case(PER_HOUSEHOLD, "fail-3-for-4", lambda: _households("1# 10F H=30.0 10户", 3, parking_per_household=0.31),
         measured=3, required=4),
    Case(PER_HOUSEHOLD, "notrun-ratio-absent", lambda: _households("1# 10F H=30.0 10户", 3)),
    Case(PER_HOUSEHOLD, "notrun-no-households",
         lambda: _households("1# 10F H=30.0", 3, parking_per_household=0.3)),
    # 1# 3F 10 x 10: GFA above ground 300 m2; 1.0 per 100 m2 = 3 spaces; 1.01 -> 3.03, rounded up to 4
    Case(PER_AREA, "pass-3-for-300m2", lambda: _small_building(parking_per_100m2=1.0)),
    Case(PER_AREA, "fail-3-for-3.03", lambda: _small_building(parking_per_100m2=1.01), measured=3, required=4),
    Case(PER_AREA, "notrun-ratio-absent", lambda: _small_building()),
]


def _small_building(**conditions) -> Plan:
    p = Plan().site().building("1# 3F H=9.0", 20, 20, 30, 30)
    for k in range(3):
        p.rect(100 + 3 * k, 10, 102.5 + 3 * k, 15.3, "PARKING")
    p.conditions.update(conditions)
    return p


# 1# 10F 40 x 12: GFA above ground 4 800 m2
def _civil_defense(*rects, **conditions) -> Plan:
    p = Plan().site().building("1# 10F H=30.0", 20, 20, 60, 32)
    for r in rects:
        p.rect(*r, "CIVIL-DEFENSE")
    p.conditions.update(conditions)
    return p


CIVIL = "conditions:civil_defense_ratio"
CASES += [
    # 0.05 x 4 800 = 240 m2; 人防 20 x 12 = 240 m2 passes; 0.0501 x 4 800 = 240.48 m2 fails
    Case(CIVIL, "pass-240m2", lambda: _civil_defense((20, 20, 40, 32), civil_defense_ratio=0.05)),
    Case(CIVIL, "fail-240m2-for-240.48m2", lambda: _civil_defense((20, 20, 40, 32), civil_defense_ratio=0.0501),
         measured=240.0, required=240.48),
    # two 20 x 12 outlines overlapping by 10 x 12 cover 30 x 12 = 360 m2 (480 if counted twice);
    # 0.0751 x 4 800 = 360.48 m2
    Case(CIVIL, "fail-overlap-counted-once",
         lambda: _civil_defense((20, 20, 40, 32), (30, 20, 50, 32), civil_defense_ratio=0.0751),
         measured=360.0, required=360.48),
    Case(CIVIL, "pass-overlap-360m2",
         lambda: _civil_defense((20, 20, 40, 32), (30, 20, 50, 32), civil_defense_ratio=0.075)),
    Case(CIVIL, "notrun-ratio-absent", lambda: _civil_defense((20, 20, 40, 32))),
]

CENTRAL_MIN = "conditions:green_central_min"
CASES += [
    # 50 x 40 = 2 000 m2 of 20 000 = 0.1
    Case(CENTRAL_MIN, "pass-at-the-limit", lambda: _central(None, (0, 50, 50, 90), green_central_min=0.1)),
    Case(CENTRAL_MIN, "fail-just-beyond", lambda: _central(None, (0, 50, 50, 90), green_central_min=0.1001),
         measured=0.1, required=0.1001),
    Case(CENTRAL_MIN, "notrun-condition-absent", lambda: _central(None, (0, 50, 50, 90))),
    Case(CENTRAL_MIN, "notrun-no-site", lambda: _no_site_central()),
]
