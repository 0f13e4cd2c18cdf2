"""Units that lie (issue 12, point 3): $INSUNITS checked against what the drawing shows.

A 100 x 80 m site with a 20 x 20 m, 6-floor building, drawn in metres or
millimetres and declared in the other unit. Expected values are the
rectangles' areas worked by hand (100 x 80 = 8 000 m², 20 x 20 x 6 = 2 400 m²).
"""

from __future__ import annotations

import pytest

import drawcheck
from dxf_builders import add_part, add_site, add_text, new_doc, notes, read, save

SITE_M2, GFA_M2 = 100 * 80, 20 * 20 * 6
REL = 1e-9


def _plan(tmp_path, insunits: int, scale: float, area_texts: dict | None = None):
    """The plan drawn at ``scale`` units per metre, declaring ``insunits``; ``area_texts``: outline -> text."""
    doc = new_doc(insunits)
    msp = doc.modelspace()
    add_site(msp, 100 * scale, 80 * scale)
    add_part(msp, [(10 * scale, 10 * scale), (30 * scale, 10 * scale), (30 * scale, 30 * scale), (10 * scale, 30 * scale)],
             "1# 6F H=18m")
    for text, at in (area_texts or {}).items():
        add_text(msp, text, (at[0] * scale, at[1] * scale), layer="计算面积")
    return save(doc, tmp_path)


def _values(path, **kw):
    report = drawcheck.check(path, **kw).data
    return report, report["indicators"]["site_area"]["value"], report["indicators"]["gfa_above"]["value"]


def _qa(report, code):
    return [f for f in report["findings"] if f["rule"] == f"qa:{code}"]


def test_mm_declared_but_drawn_in_metres_is_read_in_metres(tmp_path):
    report, site, gfa = _values(_plan(tmp_path, insunits=4, scale=1.0))
    assert (site, gfa) == pytest.approx((SITE_M2, GFA_M2), rel=REL)
    corrected = _qa(report, "units-corrected")
    assert len(corrected) == 1 and corrected[0]["severity"] == "warning"
    assert "INSUNITS=4" in corrected[0]["message"] and "read as m" in corrected[0]["message"]
    assert report["units"]["source"].startswith("m, corrected from INSUNITS=4")


def test_metres_declared_but_drawn_in_mm_is_read_in_mm(tmp_path):
    """cm would make it plausible too (a 1 km site, 200 m buildings): mm is preferred, as an assumption."""
    path = _plan(tmp_path, insunits=6, scale=1000.0)
    report, site, gfa = _values(path)
    assert (site, gfa) == pytest.approx((SITE_M2, GFA_M2), rel=REL)
    message = _qa(report, "units-corrected")[0]["message"]
    assert "read as mm" in message and "cm would be plausible too" in message
    assert [a.kind for a in read(path).assumptions if a.kind == "units"] == ["units"]


def test_area_texts_that_agree_make_the_correction_a_verdict(tmp_path):
    """With the plugin's area texts agreeing (site 8000.00, building 400.00), the corrected unit is no assumption."""
    path = _plan(tmp_path, insunits=4, scale=1.0, area_texts={"8000.00": (60, 60), "400.00": (20, 15)})
    project = read(path)
    assert not [a for a in project.assumptions if a.kind == "units"]
    report, site, _ = _values(path)
    assert site == pytest.approx(SITE_M2, rel=REL)
    assert "2 area text(s) agree" in _qa(report, "units-corrected")[0]["message"]


def test_area_texts_beside_their_outline_count(tmp_path):
    """A number 2 units right of the building (text height 2.5 units, so within two heights) labels it."""
    path = _plan(tmp_path, insunits=4, scale=1.0, area_texts={"400.00": (32, 20), "8000.00": (60, 60)})
    project = read(path)
    assert not [a for a in project.assumptions if a.kind == "units"]
    assert "2 area text(s) agree" in notes(project, "units-corrected")[0].message


def test_without_area_texts_the_correction_is_an_assumption(tmp_path):
    project = read(_plan(tmp_path, insunits=4, scale=1.0))
    assert [a.kind for a in project.assumptions if a.kind == "units"] == ["units"]


def test_area_texts_that_disagree_keep_the_declared_unit_and_warn(tmp_path):
    """Texts that match no candidate (here 1 000 times too large for metres) block the correction."""
    path = _plan(tmp_path, insunits=4, scale=1.0, area_texts={"8000000": (60, 60), "400000": (20, 15)})
    project = read(path)
    implausible = notes(project, "units-implausible")
    assert len(implausible) == 1 and "area texts agree with none" in implausible[0].message
    assert not notes(project, "units-corrected")
    site = project.sites[0].rings[0]
    assert float(site[:, 0].max() - site[:, 0].min()) == pytest.approx(0.1)  # 100 units read as mm


def test_plausible_declared_units_are_kept_without_a_word(tmp_path):
    project = read(_plan(tmp_path, insunits=4, scale=1000.0))
    assert not notes(project, "units-corrected") and not notes(project, "units-implausible")
    assert not [a for a in project.assumptions if a.kind == "units"]


def test_units_option_overrides_the_correction(tmp_path):
    """--units mm on a drawing drawn in metres: the user's word stands (a 0.1 m site), said as overridden."""
    path = _plan(tmp_path, insunits=6, scale=1.0)
    project = read(path, units="mm")
    site = project.sites[0].rings[0]
    assert float(site[:, 0].max() - site[:, 0].min()) == pytest.approx(0.1)  # 100 units as mm
    assert not notes(project, "units-corrected")
    assert len(notes(project, "units-overridden")) == 1
