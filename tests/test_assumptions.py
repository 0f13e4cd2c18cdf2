"""No pass on an assumption (issue 11): each assumption turns a would-be pass into not_run and keeps a fail a fail.

Every plan is worked by hand: GB 50016 Table 5.2.2 gives 6 m between two
一、二级 low/multi-storey buildings, 9 m from a high-rise to a low/multi one,
7 m when one of two low/multi buildings is 三级; a residential building is
high-rise above 27 m, another civil building above 24 m (2.1.1).
"""

from __future__ import annotations

import json

import ezdxf
import pytest

import drawcheck
from fixture_plans import Plan

FIRE = "gb50016-2014:5.2.2"
HEIGHT_MAX = "conditions:height_max"
SETBACK = "conditions:setback_min"


def _check(plan: Plan, tmp_path, **kw) -> dict:
    plan.save(tmp_path / "sub")
    return drawcheck.check(tmp_path / "sub", **kw).data


def _row(report: dict, rule: str) -> dict:
    return next(r for r in report["rules"] if r["rule"] == rule)


def _findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def _pair(a: str, b: str, gap: float) -> Plan:
    """Two 20 x 10 m buildings side by side, ``gap`` m apart, labels written as given."""
    return (Plan().site(0, 0, 120, 60).building(a, 20, 20, 40, 30, stated=False)
            .building(b, 40 + gap, 20, 60 + gap, 30, stated=False))


# -- height ----------------------------------------------------------------------

@pytest.mark.parametrize("label", ["1# 18F 建筑高度99.0m 住宅 二级", "1# 18F H=99.0米 住宅 二级",
                                   "1# 18F 99.0米 住宅 二级", "1# 18F H=99.0M 住宅 二级", "1# 18F 高度:99.0m 住宅 二级"])
def test_a_99m_building_written_as_institutes_do_fails_the_80m_limit(tmp_path, label):
    plan = Plan().site().building(label, 10, 10, 50, 22, stated=False)
    plan.conditions["height_max"] = 80.0
    report = _check(plan, tmp_path)
    assert _row(report, HEIGHT_MAX)["outcome"] == "failed"
    assert [f["measured"] for f in _findings(report, HEIGHT_MAX)] == [99.0]
    assert "assumptions" not in _row(report, HEIGHT_MAX)


def test_assumed_height_that_would_pass_is_not_run(tmp_path):
    plan = Plan().site().building("1# 18F 住宅 二级", 10, 10, 50, 22, stated=False)  # 18 x 3.0 = 54 m <= 80
    plan.conditions["height_max"] = 80.0
    row = _row(_check(plan, tmp_path), HEIGHT_MAX)
    assert row["outcome"] == "not_run"
    assert "1#: height 54 m assumed from 18 floors" in row["reason"]
    assert [a["kind"] for a in row["assumptions"]] == ["height"]


def test_stated_height_passes(tmp_path):
    plan = Plan().site().building("1# 18F H=54.0 住宅 二级", 10, 10, 50, 22, stated=False)
    plan.conditions["height_max"] = 80.0
    assert _row(_check(plan, tmp_path), HEIGHT_MAX)["outcome"] == "passed"


def test_assumed_height_that_fails_still_fails_flagged(tmp_path):
    plan = Plan().site().building("1# 30F 住宅 二级", 10, 10, 50, 22, stated=False)  # 30 x 3.0 = 90 m > 80
    plan.conditions["height_max"] = 80.0
    report = _check(plan, tmp_path)
    row = _row(report, HEIGHT_MAX)
    assert row["outcome"] == "failed" and [a["kind"] for a in row["assumptions"]] == ["height"]
    (finding,) = _findings(report, HEIGHT_MAX)
    assert finding["measured"] == 90.0 and finding["assumed"] == ["height"]
    assert report["summary"]["rules_on_assumptions"]["failed"] >= 1


# -- use (fire class) --------------------------------------------------------------
# 1# is 25 m: residential it is multi-storey (<= 27 m), public it is high-rise (> 24 m).

def test_use_that_decides_the_class_blocks_a_pass(tmp_path):
    report = _check(_pair("1# 8F H=25.0 二级", "2# 3F H=9.0 住宅 二级", 7.0), tmp_path)
    row = _row(report, FIRE)  # residential: 6 m needed, 7 m passes; public: 9 m needed
    assert row["outcome"] == "not_run" and [a["kind"] for a in row["assumptions"]] == ["use_class"]
    assert "1#: use assumed residential" in row["reason"]


def test_stated_use_passes(tmp_path):
    report = _check(_pair("1# 8F H=25.0 住宅 二级", "2# 3F H=9.0 住宅 二级", 7.0), tmp_path)
    assert _row(report, FIRE)["outcome"] == "passed"


def test_use_that_cannot_change_the_class_does_not_block(tmp_path):
    # 54 m is high-rise as residential and as public: Table 5.2.2's row is the same
    report = _check(_pair("1# 18F H=54.0 二级", "2# 18F H=54.0 二级", 13.0), tmp_path)
    assert _row(report, FIRE)["outcome"] == "passed"


def test_assumed_use_failing_anyway_stays_failed(tmp_path):
    report = _check(_pair("1# 8F H=25.0 二级", "2# 3F H=9.0 住宅 二级", 5.0), tmp_path)
    assert _row(report, FIRE)["outcome"] == "failed"
    (finding,) = _findings(report, FIRE)
    assert finding["measured"] == 5.0 and finding["assumed"] == ["use_class"]


# -- fire-resistance rating ---------------------------------------------------------

def test_assumed_rating_of_low_buildings_blocks_a_pass(tmp_path):
    report = _check(_pair("1# 3F H=9.0 住宅", "2# 3F H=9.0 住宅", 6.5), tmp_path)  # 二级: 6 m; 三级 would need 7 m
    row = _row(report, FIRE)
    assert row["outcome"] == "not_run"
    assert sorted({a["kind"] for a in row["assumptions"]}) == ["fire_rating"]
    assert sorted(s for a in row["assumptions"] for s in a["subjects"]) == ["1#", "2#"]


def test_stated_rating_passes(tmp_path):
    report = _check(_pair("1# 3F H=9.0 住宅 二级", "2# 3F H=9.0 住宅 耐火等级:一级", 6.5), tmp_path)
    assert _row(report, FIRE)["outcome"] == "passed"


def test_assumed_rating_failing_anyway_stays_failed(tmp_path):
    report = _check(_pair("1# 3F H=9.0 住宅", "2# 3F H=9.0 住宅", 5.0), tmp_path)
    assert _row(report, FIRE)["outcome"] == "failed"
    assert _findings(report, FIRE)[0]["assumed"] == ["fire_rating"]


def test_high_rise_rating_is_no_assumption(tmp_path):
    # GB 50016 5.1.3: a high-rise is 一级 or 二级, Table 5.2.2 treats both alike
    report = _check(_pair("1# 18F H=54.0 住宅", "2# 18F H=54.0 住宅", 13.0), tmp_path)
    assert _row(report, FIRE)["outcome"] == "passed"


# -- units ------------------------------------------------------------------------

def _unitless(gap_to_site: float) -> Plan:
    plan = Plan().site(0, 0, 100, 60).building("1# 3F H=9.0", gap_to_site, 20, gap_to_site + 20, 30)
    plan.doc.header["$INSUNITS"] = 0  # drawn in metres, unit not said: drawcheck guesses m (site < 20 000 units)
    plan.conditions["setback_min"] = 5.0
    return plan


def test_guessed_units_block_a_pass(tmp_path):
    row = _row(_check(_unitless(8.0), tmp_path), SETBACK)
    assert row["outcome"] == "not_run" and [a["kind"] for a in row["assumptions"]] == ["units"]


def test_given_units_pass(tmp_path):
    assert _row(_check(_unitless(8.0), tmp_path, units="m"), SETBACK)["outcome"] == "passed"


def test_guessed_units_failing_anyway_stay_failed(tmp_path):
    report = _check(_unitless(3.0), tmp_path)
    assert _row(report, SETBACK)["outcome"] == "failed"
    assert _findings(report, SETBACK)[0]["assumed"] == ["units"]


def test_ratios_do_not_rest_on_units(tmp_path):
    plan = _unitless(8.0)
    plan.conditions["coverage_max"] = 0.5  # 200 / 6000 m2 whatever the unit
    assert _row(_check(plan, tmp_path), "conditions:coverage_max")["outcome"] == "passed"


# -- skipped outlines -------------------------------------------------------------------

def _with_line_building(gap: float, opening: float = 0.05) -> Plan:
    """1# drawn as a closed polyline; 2# as four LINEs ``gap`` m east of it, labelled.

    The last LINE stops ``opening`` m short of the first: over 1 mm the outline does not close.
    """
    plan = Plan().site(0, 0, 120, 60).building("1# 3F H=9.0", 20, 20, 40, 30)
    x0, x1 = 40 + gap, 60 + gap
    for a, b in (((x0, 20), (x1, 20)), ((x1, 20), (x1, 30)), ((x1, 30), (x0, 30)), ((x0, 30), (x0, 20 + opening))):
        plan.msp.add_line(a, b, dxfattribs={"layer": "BLDG"})
    plan.msp.add_mtext("2#\\P3F\\PH=9.0\\P住宅\\P二级", dxfattribs={"layer": "BLDG", "insert": ((x0 + x1) / 2, 25),
                                                                 "char_height": 0.5})
    return plan


def test_a_building_of_lines_never_lets_fire_separation_pass(tmp_path):
    report = _check(_with_line_building(3.0), tmp_path)  # 3 m < 6 m, but 2# is not read
    row = _row(report, FIRE)
    assert row["outcome"] == "not_run"
    assert {a["kind"] for a in row["assumptions"]} == {"building_outline"}
    loose = _findings(report, "qa:loose-edges")
    assert loose and loose[0]["severity"] == "error"
    (gap,) = _findings(report, "qa:outline-gap")
    assert gap["location"]["coordinates"] == [[43.0, 20.0], [43.0, 20.05]] or \
        gap["location"]["coordinates"] == [[43.0, 20.05], [43.0, 20.0]]
    assert drawcheck.check(tmp_path / "sub").exit_code() == 1


def test_a_building_of_lines_that_close_is_read(tmp_path):
    # the same four LINEs with a 0.5 mm opening: joined, so 2# stands 3 m from 1# (< 6 m) and the rule fails
    report = _check(_with_line_building(3.0, opening=0.0005), tmp_path)
    assert _row(report, FIRE)["outcome"] == "failed"
    (joined,) = _findings(report, "qa:outline-joined")
    assert len(joined["sources"]) == 4 and not _findings(report, "qa:loose-edges")


def test_an_unlabelled_part_never_lets_fire_separation_pass(tmp_path):
    plan = Plan().site(0, 0, 120, 60).building("1# 3F H=9.0", 20, 20, 40, 30)
    plan.rect(43, 20, 63, 30, "BLDG")  # no label: not a building until it has floors
    row = _row(_check(plan, tmp_path), FIRE)
    assert row["outcome"] == "not_run" and {a["kind"] for a in row["assumptions"]} == {"building_outline"}


def test_skipped_green_does_not_block_fire_rules(tmp_path):
    plan = _pair("1# 3F H=9.0 住宅 二级", "2# 3F H=9.0 住宅 二级", 7.0)
    plan.msp.add_line((0, 0), (10, 10), dxfattribs={"layer": "GREEN"})
    report = _check(plan, tmp_path)
    assert _row(report, FIRE)["outcome"] == "passed"
    plan.conditions["green_ratio_min"] = 0.0
    report = _check(plan, tmp_path / "again")
    assert _row(report, "conditions:green_ratio_min")["outcome"] == "not_run"


# -- the report ---------------------------------------------------------------------

def test_summary_counts_rules_on_assumptions(tmp_path):
    plan = Plan().site().building("1# 18F 住宅 二级", 10, 10, 50, 22, stated=False)
    plan.conditions["height_max"] = 80.0
    report = _check(plan, tmp_path)
    rows = report["rules"]
    expected = {o: sum(1 for r in rows if r["outcome"] == o) for o in ("passed", "failed", "not_applicable", "not_run")}
    assert report["summary"]["rules"] == expected
    assert report["summary"]["rules_on_assumptions"]["not_run"] == sum(
        1 for r in rows if r["outcome"] == "not_run" and r.get("assumptions"))
    assert report["summary"]["rules_on_assumptions"]["not_run"] >= 1
    json.dumps(report)


def test_packs_say_what_every_rule_rests_on():
    """Every built-in rule outside qa names its assumption kinds explicitly (a rule that forgets rests on all)."""
    from pathlib import Path

    from drawcheck.tomldata import loads

    folder = Path(drawcheck.__file__).parent / "standards"
    for path in sorted(folder.glob("*.toml")):
        data = loads(path.read_text(encoding="utf-8"))
        if "rests_on" in data["pack"]:
            continue
        missing = [r["code"] for r in data.get("rules", []) if "rests_on" not in r]
        assert not missing, f"{path.name}: rules without rests_on: {missing}"


def test_unknown_rests_on_kind_is_a_pack_error(tmp_path):
    from drawcheck.standards.packs import PackError, load_pack_file

    pack = tmp_path / "mine.toml"
    pack.write_text('[pack]\nid = "mine"\ntitle = "t"\nversion = "1"\n\n[[rules]]\ncode = "x"\ncheck = "qa_notes"\n'
                    'department = "qa"\nclause = "c"\nseverity = "error"\nconfidence = "verified"\ntitle = "t"\n'
                    'message = "m"\nrests_on = ["heigth"]\n', encoding="utf-8")
    with pytest.raises(PackError, match="rests_on 'heigth' is not one of"):
        load_pack_file(pack)


def test_ezdxf_lines_are_lines():  # guard: the LINE fixture really holds LINE entities on BLDG
    plan = _with_line_building(3.0)
    assert sum(1 for e in plan.msp if e.dxftype() == "LINE" and e.dxf.layer == "BLDG") == 4
    assert isinstance(plan.doc, ezdxf.document.Drawing)


def test_declared_height_matching_an_assumed_height_is_unverified(tmp_path):
    plan = Plan().site().building("1# 18F 住宅 二级", 10, 10, 50, 22, stated=False)  # 54 m assumed
    plan.text("建筑高度：54.0m", 150, 80, "INDICATORS")
    report = _check(plan, tmp_path)
    assert _row(report, "declared:max_height")["outcome"] == "not_run"
    indicator = report["indicators"]["max_height"]
    assert (indicator["declared"], indicator["status"], indicator["assumed"]) == (54.0, "unverified", ["height"])


def test_a_building_of_lines_keeps_a_failure_of_two_read_buildings_failed(tmp_path):
    plan = _with_line_building(10.0)  # 2# of LINEs, 10 m east of 1#
    plan.building("3# 3F H=9.0", 20, 33, 40, 43)  # 3 m north of 1#: 6 m needed
    report = _check(plan, tmp_path)
    assert _row(report, FIRE)["outcome"] == "failed"
    (finding,) = _findings(report, FIRE)
    assert finding["subjects"] == ["1#", "3#"] and finding["measured"] == 3.0
    assert finding["assumed"] == ["building_outline"]  # a skipped outline could be nearer still


def test_html_shows_rules_on_assumptions_apart(tmp_path):
    from drawcheck.reports.html import to_html

    plan = Plan().site().building("1# 18F 住宅 二级", 10, 10, 50, 22, stated=False)  # 54 m assumed
    plan.conditions["height_max"] = 80.0
    page = to_html(_check(plan, tmp_path))
    section = page[page.index('<section id="assumed"'):page.index('<section id="rules"')]
    assert 'data-rule="conditions:height_max" data-assumed="not_run"' in section
    assert "1#: height 54 m assumed from 18 floors" in section


def test_html_has_no_assumption_section_without_assumptions(tmp_path):
    from drawcheck.reports.html import to_html

    plan = Plan().site().building("1# 18F H=54.0", 10, 10, 50, 22)
    assert '<section id="assumed"' not in to_html(_check(plan, tmp_path))
