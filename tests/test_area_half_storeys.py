"""GB/T 50353-2013 3.0.1 in the indicators: storeys under 2.20 m count half of their area.

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import numpy as np
import pytest

import drawcheck
from drawcheck.indicators.buildings import StoreyRule, bim_storey_heights, low_storeys
from drawcheck.indicators.compute import compute_indicators
from drawcheck.model import Area, Building, Part, Project, Source, Storey
from fixture_plans import Plan


def _gfa(report: dict, building: str = "1#") -> float:
    return next(b for b in report["buildings"] if b["id"] == building)["gfa"]


def _check(tmp_path, plan: Plan, overrides: str = "") -> dict:
    plan.save(tmp_path)
    if overrides:
        with open(tmp_path / "drawcheck.toml", "a", encoding="utf-8") as fh:
            fh.write(overrides)
    return drawcheck.check(tmp_path).data


def _annex_plan(packs=("gb50016-2014",)) -> Plan:
    # 10F tower 40 x 12 = 480 m2 at 3.0 m, and a 1F annex 10 x 12 = 120 m2 at 2.1 m beside it
    p = Plan().site()
    p.packs = list(packs)
    p.building("1# 10F H=30.0 层高3.0", 20, 20, 60, 32)
    p.building("1# 1F H=2.1", 60, 20, 70, 32)
    return p


def test_a_low_annex_counts_half_even_without_the_pack(tmp_path):
    report = _check(tmp_path, _annex_plan())
    # 10 x 480 + 0.5 x 120 = 4 860 m2; the footprint (storey-1 plate) is not halved: 480 + 120 = 600 m2
    assert _gfa(report) == 4860.0
    assert report["indicators"]["gfa_far"]["value"] == 4860.0
    assert report["buildings"][0]["footprint_area"] == 600.0


def test_the_selected_packs_override_changes_the_threshold(tmp_path):
    # full height lowered to 2.0 m: the 2.1 m annex counts in full, 10 x 480 + 120 = 4 920 m2
    report = _check(tmp_path, _annex_plan(["gbt50353-2013"]),
                    '\n[overrides."gbt50353-2013"]\nfull_storey_height = 2.0\n')
    assert _gfa(report) == 4920.0
    row = next(r for r in report["rules"] if r["rule"] == "gbt50353-2013:3.0.1")
    assert row["outcome"] == "passed"


def test_where_a_full_height_part_covers_a_low_one_the_plate_counts_in_full(tmp_path):
    # 1#: a 10F tower 40 x 12 (3.0 m) inside a 2F base 60 x 12 of 2.1 m storeys (H=4.2)
    # levels 1-2: plate 720 m2, the tower's 480 m2 in full, the other 240 m2 at half: 600 m2 each
    # levels 3-10: 480 m2 each. GFA = 2 x 600 + 8 x 480 = 5 040 m2
    p = Plan().site()
    p.building("1# 2F H=4.2", 10, 20, 70, 32, at=(12, 21))
    p.building("1# 10F H=30.0", 20, 20, 60, 32)
    assert _gfa(_check(tmp_path, p)) == 5040.0


def test_a_storey_height_of_exactly_2_20_m_counts_in_full(tmp_path):
    # 3F in 6.6 m: 6.6 / 3 is 2.1999999999999997 in floating point, 2.200 as reported: 3 x 480 = 1 440 m2
    p = Plan().site().building("1# 3F H=6.6", 20, 20, 60, 32)
    assert _gfa(_check(tmp_path, p)) == 1440.0


def _square(side: float) -> Area:
    ring = np.array([[0.0, 0.0, 0.0], [side, 0.0, 0.0], [side, side, 0.0], [0.0, side, 0.0]])
    return Area([ring], Source("model.ifc", "X"))


def _bim_building() -> Building:
    """Storeys (elevation m, plate 10 x 10 = 100 m2 unless said):
    B1 -2.0 (to 0.0: 2.0 m, half), 1F 0.0 (3.0 m), M 3.0 (2.1 m, half), 2F 5.1 (3.0 m), Roof 8.1 (no floor)."""
    storeys = [Storey("B1", -2.0, False, True, [_square(10)]), Storey("1F", 0.0, True, True, [_square(10)]),
               Storey("M", 3.0, True, True, [_square(10)]), Storey("2F", 5.1, True, True, [_square(10)]),
               Storey("Roof", 8.1, True, False)]
    part = Part(area=_square(10), name="1#", floors=3, height=9.0, storey_height=3.0)
    return Building("1#", "new", parts=[part], storeys=storeys)


def test_bim_storey_heights_are_elevation_differences():
    heights = bim_storey_heights(_bim_building().storeys)
    assert heights[:4] == pytest.approx([2.0, 3.0, 2.1, 3.0]) and heights[4] is None


def test_bim_low_storeys_count_half():
    figures = compute_indicators(Project("t", buildings=[_bim_building()])).buildings[0]
    # above ground: 100 + 0.5 x 100 + 100 = 250 m2; below: 0.5 x 100 = 50 m2
    assert figures.gfa == pytest.approx(250.0)
    assert figures.gfa_below == pytest.approx(50.0)
    assert figures.footprint_area == pytest.approx(100.0)
    low = low_storeys(figures, StoreyRule(2.2, 0.5))
    assert [(s.name, round(s.storey_height, 3)) for s in low] == [("B1", 2.0), ("M", 2.1)]


def test_the_top_bim_storey_counts_in_full():
    # without the Roof level, 2F has no storey above it: its height is unknown and it counts in full
    b = _bim_building()
    b.storeys = b.storeys[:-1]
    assert compute_indicators(Project("t", buildings=[b])).buildings[0].gfa == pytest.approx(250.0)
