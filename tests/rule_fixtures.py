"""Generator of the per-rule fixtures: ``OUTCOME-description`` submissions for every rule.

Each case is a tiny submission folder (``drawcheck.toml`` + ``site.dxf`` or
``model.ifc``, in metres) named ``<rule-slug>/<outcome>-<what>``, where the
outcome prefix is ``pass`` (rule passed, no finding), ``fail`` (at least one
finding of that rule), ``na`` (not_applicable) or ``notrun`` (not_run, with a
reason). The expected numbers are written next to each case, worked out by
hand. Cases live here and in ``rule_fixtures_<department>.py``; builders in
``fixture_plans.py``.

    python tests/rule_fixtures.py OUT_DIR     # write every case for inspection
"""

from __future__ import annotations

import sys
from pathlib import Path

from fixture_plans import OUTCOMES, Case, IfcPlan, Plan  # noqa: F401  (OUTCOMES: used by the tests)

# ---------------------------------------------------------------------------
# GB 50016-2014 5.2.2: two slabs 40 x 12 m side by side, gap d along x.
def _pair(d: float, a="1# 18F H=54.0", b="2# 18F H=54.0") -> Plan:
    return Plan().site().building(a, 10, 10, 50, 22).building(b, 50 + d, 10, 90 + d, 22)


def _podium_and(d_podium: float, tower_inset: float) -> Plan:
    """1#: 4F podium 60 x 40 (20 m) with a 25F tower (75 m) inset ``tower_inset`` from its east edge;
    2#: 3F 12 m block ``d_podium`` east of the podium."""
    p = Plan().site(0, 0, 200, 120)
    p.building("1# 4F H=20.0 商业", 10, 10, 70, 50, at=(12, 12))  # label clear of the tower
    p.building("1# 25F H=75.0", 70 - tower_inset - 30, 20, 70 - tower_inset, 40)
    p.building("2# 3F H=12.0", 70 + d_podium, 10, 110 + d_podium, 30)
    return p


def _with_claim(plan: Plan, note: int) -> Plan:
    plan.claims.append({"rule": "gb50016-2014:5.2.2", "between": ["1#", "2#"], "note": note,
                        "reason": "东侧山墙为防火墙"})
    return plan


FIRE = "gb50016-2014:5.2.2"
CASES: list[Case] = [
    # high-rise 一二级 both: Table 5.2.2 gives 13 m; the threshold itself passes
    Case(FIRE, "pass-13.00m-between-high-rises", lambda: _pair(13.0)),
    Case(FIRE, "fail-12.99m-between-high-rises", lambda: _pair(12.99), measured=12.99, required=13.0),
    # podium 裙房 vs other low building: 6 m; the tower, 9 m needed, sits 9 + 1 m from 2#
    Case(FIRE, "pass-podium-6m-tower-10m", lambda: _podium_and(6.0, 4.0)),
    # podium at 7 m passes (>= 6) but the tower edge is 7 + 0 = 7 m from 2#: high vs other needs 9 m
    Case(FIRE, "fail-tower-7m-from-low-building", lambda: _podium_and(7.0, 0.0), measured=7.0, required=9.0),
    # 三级 vs 三级: 8 m
    Case(FIRE, "fail-rating-3-at-7.5m", lambda: _pair(7.5, "1# 3F H=10.0 三级", "2# 3F H=10.0 三级"),
         measured=7.5, required=8.0),
    Case(FIRE, "pass-rating-3-at-8m", lambda: _pair(8.0, "1# 3F H=10.0 三级", "2# 3F H=10.0 三级")),
    # note 2 (taller wall a 防火墙): no minimum
    Case(FIRE, "pass-claim-note2-at-5m", lambda: _with_claim(_pair(5.0), 2)),
    # note 1 only between low/multi buildings: the claim is refused, 10 m < 13 m fails
    Case(FIRE, "fail-claim-note1-refused-for-high-rises", lambda: _with_claim(_pair(10.0), 1),
         measured=10.0, required=13.0),
    # note 1 between two multi-storey: 6 x 0.75 = 4.5 m
    Case(FIRE, "pass-claim-note1-4.5m", lambda: _with_claim(_pair(4.5, "1# 5F H=15.0", "2# 5F H=15.0"), 1)),
    Case(FIRE, "fail-claim-note1-4.49m", lambda: _with_claim(_pair(4.49, "1# 5F H=15.0", "2# 5F H=15.0"), 1),
         measured=4.49, required=4.5),
    # existing 四级 neighbour vs new multi-storey 一二级: 9 m
    Case(FIRE, "fail-existing-rating-4-at-8.9m",
         lambda: Plan().site(0, 0, 35, 40).building("1# 5F H=15.0", 10, 10, 30, 22)
         .building("A栋 2F H=6.0 四级", 30 + 8.9, 10, 50 + 8.9, 22, layer="EXISTING"),
         measured=8.9, required=9.0),
    Case(FIRE, "na-single-building", lambda: Plan().site().building("1# 18F H=54.0", 10, 10, 50, 22)),
]


# ---------------------------------------------------------------------------
# plot conditions: site 200 x 100 = 20 000 m2; 1# 40 x 12 = 480 m2, 10 floors, 30 m
# => GFA 4 800, FAR 0.24, coverage 0.024; green 100 x 40 = 4 000 m2 => 0.2; 3 parking spaces
def _plot(**conditions) -> Plan:
    p = Plan().site().building("1# 10F H=30.0", 20, 20, 60, 32)
    p.rect(100, 50, 200, 90, "GREEN")
    for k in range(3):
        p.rect(100 + 3 * k, 10, 102.5 + 3 * k, 15.3, "PARKING")
    p.conditions.update(conditions)
    return p


for key, ok, bad, measured in (
    ("far_max", 0.24, 0.2399, 0.24),
    ("coverage_max", 0.024, 0.0239, 0.024),
    ("height_max", 30.0, 29.99, 30.0),
    ("green_ratio_min", 0.2, 0.2001, 0.2),
    ("parking_min", 3, 4, 3),
):
    rule = f"conditions:{key}"
    CASES += [
        Case(rule, "pass-at-the-limit", lambda k=key, v=ok: _plot(**{k: v})),
        Case(rule, "fail-just-beyond", lambda k=key, v=bad: _plot(**{k: v}), measured=measured, required=bad),
        Case(rule, "notrun-condition-absent", lambda: _plot()),
    ]

# setbacks: 1# sits 20 m from the west and south site edges; road red line 7 m south of the site
def _road(**conditions) -> Plan:
    p = _plot(**conditions)
    p.msp.add_lwpolyline([(-50, -7), (250, -7)], dxfattribs={"layer": "ROAD-REDLINE"})
    return p


CASES += [
    Case("conditions:setback_min", "pass-20m-at-20m", lambda: _plot(setback_min=20.0)),
    Case("conditions:setback_min", "fail-20m-under-20.01m", lambda: _plot(setback_min=20.01), measured=20.0,
         required=20.01),
    Case("conditions:setback_min", "notrun-condition-absent", lambda: _plot()),
    Case("conditions:setback_min", "notrun-no-site", lambda: _no_site_setback()),
    # road at y = -7, building south edge at y = 20: 27 m
    Case("conditions:road_setback_min", "pass-27m", lambda: _road(road_setback_min=27.0)),
    Case("conditions:road_setback_min", "fail-27m-under-30m", lambda: _road(road_setback_min=30.0), measured=27.0,
         required=30.0),
    Case("conditions:road_setback_min", "na-no-road", lambda: _plot(road_setback_min=10.0)),
    Case("conditions:road_setback_min", "notrun-condition-absent", lambda: _road()),
]


def _no_site_setback() -> Plan:
    p = Plan().building("1# 3F H=9.0", 0, 0, 10, 10)
    p.conditions["setback_min"] = 5.0
    return p


# ---------------------------------------------------------------------------
# declared indicators of the _plot: site 20 000 m2, GFA 4 800 m2 (all counted), FAR 0.24,
# coverage 0.024, green ratio 0.2, height 30 m, 3 spaces. Tolerances: 0.5 % of the declared
# value for areas/heights/counts, 0.01 for ratios; exactly the tolerance passes.
def _declared(line: str) -> Plan:
    return _plot().text(line, 150, 95, "INDICATORS")


DECLARED = {
    # key: (passing text at the tolerance edge, failing text, measured, declared in the failing text)
    "site_area": ("总用地面积：20100.5㎡", "总用地面积：20100.6㎡", 20000.0, 20100.6),  # 0.5 % of 20100.5 = 100.5025
    "gfa_total": ("总建筑面积：4824㎡", "总建筑面积：4825㎡", 4800.0, 4825.0),  # 24.12 >= 24; 24.125 < 25
    "gfa_far": ("计容建筑面积：4777㎡", "计容建筑面积：4775㎡", 4800.0, 4775.0),  # 23.885 >= 23; 23.875 < 25
    "far": ("容积率：0.25", "容积率：0.2501", 0.24, 0.2501),
    "coverage": ("建筑密度：3.4%", "建筑密度：3.41%", 0.024, 0.0341),
    "green_ratio": ("绿地率：19%", "绿地率：18.99%", 0.2, 0.1899),
    "max_height": ("建筑高度：30.15m", "建筑高度：30.16m", 30.0, 30.16),  # 0.15075 >= 0.15; 0.1508 < 0.16
    "parking_spaces": ("机动车停车位：3辆", "机动车停车位：4辆", 3, 4),
}
for key, (good, bad, measured, declared) in DECLARED.items():
    rule = f"declared:{key}"
    CASES += [
        Case(rule, "pass-within-tolerance", lambda t=good: _declared(t)),
        Case(rule, "fail-beyond-tolerance", lambda t=bad: _declared(t), measured=measured, required=declared),
        Case(rule, "na-not-declared", lambda: _plot()),
    ]


# ---------------------------------------------------------------------------
# drawing QA computed from the geometry
CASES += [
    Case("qa:site-boundary", "pass-one-site", lambda: _plot()),
    Case("qa:site-boundary", "fail-no-site", lambda: Plan().building("1# 3F H=9.0", 0, 0, 10, 10)),
    Case("qa:site-boundary", "fail-two-sites", lambda: _plot().site(300, 0, 400, 50)),
    Case("qa:overlapping-buildings", "pass-touching-walls", lambda: Plan().site()
         .building("1# 3F H=9.0", 10, 10, 30, 20).building("2# 3F H=9.0", 30, 10, 50, 20)),
    Case("qa:overlapping-buildings", "fail-overlap-2x10", lambda: Plan().site()
         .building("1# 3F H=9.0", 10, 10, 30, 20).building("2# 3F H=9.0", 28, 10, 48, 20), measured=20.0),
    Case("qa:part-outside-site", "pass-inside", lambda: _plot()),
    Case("qa:part-outside-site", "fail-crossing", lambda: Plan().site(0, 0, 50, 50)
         .building("1# 3F H=9.0", 40, 10, 60, 20)),
    Case("qa:part-outside-site", "na-no-site", lambda: Plan().building("1# 3F H=9.0", 0, 0, 10, 10)),
    Case("qa:unlabelled-part", "pass-labelled", lambda: _plot()),
    Case("qa:unlabelled-part", "fail-no-label", lambda: _unlabelled()),
    Case("qa:conflicting-labels", "fail-two-floor-counts", lambda: _plot().text("1# 12F", 21, 21, "BLDG")),
    Case("qa:conflicting-labels", "pass-consistent", lambda: _plot().text("1# 10F", 21, 21, "BLDG")),
    Case("qa:open-outline", "fail-open-building", lambda: _open_outline()),
    Case("qa:open-outline", "pass-closed", lambda: _plot()),
    Case("qa:self-intersection", "fail-bow-tie-green", lambda: _bow_tie()),
    Case("qa:self-intersection", "pass-simple", lambda: _plot()),
]


def _unlabelled() -> Plan:
    p = _plot()
    p.rect(120, 20, 140, 30, "BLDG")
    return p


def _open_outline() -> Plan:
    p = _plot()
    p.msp.add_lwpolyline([(120, 20), (140, 20), (140, 30), (125, 30)], dxfattribs={"layer": "BLDG"})
    return p


def _bow_tie() -> Plan:
    p = _plot()
    p.msp.add_lwpolyline([(20, 60), (40, 80), (40, 60), (20, 80)], close=True, dxfattribs={"layer": "GREEN"})
    return p


# ---------------------------------------------------------------------------
# a BIM building's own declared values (convention §5): one IfcBuilding 1#, 40 x 12 m,
# 10 storeys of 3.0 m (storey k at (k-1) x 3 m with a FLOOR slab) and a Roof storey at 30 m
# => 10 floors above ground, GFA 10 x 480 = 4 800 m2, height 30 m, footprint 480 m2.
_COMMON, _QTO, _STOREY_QTO = "Pset_BuildingCommon", "Qto_BuildingBaseQuantities", "Qto_BuildingStoreyBaseQuantities.GrossFloorArea"
CASES += [
    Case("declared:building_storeys", "pass-10-floors", lambda: IfcPlan()),
    Case("declared:building_storeys", "fail-11-declared", lambda: IfcPlan({(_COMMON, "NumberOfStoreys"): 11}),
         measured=10, required=11),
    Case("declared:building_storeys", "na-not-declared", lambda: IfcPlan({(_COMMON, "NumberOfStoreys"): None})),
    # 0.5 % of 4 824 = 24.12 >= 24 passes; 0.5 % of 4 825 = 24.125 < 25 fails
    Case("declared:building_gfa", "pass-4824-within-tolerance", lambda: IfcPlan({(_COMMON, "GrossPlannedArea"): 4824.0})),
    Case("declared:building_gfa", "fail-4825", lambda: IfcPlan({(_COMMON, "GrossPlannedArea"): 4825.0}),
         measured=4800.0, required=4825.0),
    # without GrossPlannedArea the storeys' Qto GrossFloorArea (10 x 480) is the declared value
    Case("declared:building_gfa", "pass-storey-quantities", lambda: IfcPlan({(_COMMON, "GrossPlannedArea"): None})),
    Case("declared:building_gfa", "na-not-declared", lambda: IfcPlan({(_COMMON, "GrossPlannedArea"): None,
                                                                        (_STOREY_QTO, ""): None})),
    Case("declared:building_height", "pass-30m", lambda: IfcPlan()),
    Case("declared:building_height", "fail-33m", lambda: IfcPlan({(_QTO, "Height"): 33.0}), measured=30.0,
         required=33.0),
    Case("declared:building_height", "na-not-declared", lambda: IfcPlan({(_QTO, "Height"): None})),
    Case("declared:building_footprint", "pass-480", lambda: IfcPlan()),
    Case("declared:building_footprint", "fail-528", lambda: IfcPlan({(_QTO, "FootprintArea"): 528.0}),
         measured=480.0, required=528.0),
    Case("declared:building_footprint", "na-not-declared", lambda: IfcPlan({(_QTO, "FootprintArea"): None})),
]


# the other departments' cases
from rule_fixtures_fire import CASES as _FIRE  # noqa: E402
from rule_fixtures_greening import CASES as _GREENING  # noqa: E402
from rule_fixtures_planning import CASES as _PLANNING  # noqa: E402
from rule_fixtures_sunlight import CASES as _SUNLIGHT  # noqa: E402

CASES += _FIRE + _PLANNING + _GREENING + _SUNLIGHT


def write_all(out: Path) -> list[tuple[Case, Path]]:
    """Write every case under ``out``; returns (case, folder) pairs."""
    written = []
    for case in CASES:
        folder = out / case.folder
        case.build().save(folder)
        written.append((case, folder))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "out/rule-fixtures")
    for case, folder in write_all(target):
        print(f"{case.outcome:15s} {folder}")
