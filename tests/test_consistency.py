"""Drawing-model consistency (图模一致) on the mixed sample with deliberate differences.

``samples/mixed`` is the residential site plan without 5# and 6# plus those
two buildings as IFC models. Here the site plan is the full residential one
(``samples/residential/site.dxf``, the same generator, 5# and 6# drawn where
the models are placed), so each model has a twin on the site plan; variants
then move a model by its manifest ``insert``, redraw an outline or relabel a
building with ezdxf. Expected values are worked out by hand from the
rectangles of ``samples/generate.py`` (5#'s podium 60 x 40 m at (-3386,
1208), 6# 15 x 40 m at (-3370, 1262), in metres), or with shapely on the
outlines themselves; never read back from the code under test.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import ezdxf
import numpy as np
import pytest
import shapely

import drawcheck
from drawcheck.geometry.ops import to_shapely
from drawcheck.indicators.consistency import HAUSDORFF_STEP, hausdorff
from drawcheck.manifest import Consistency, ManifestError, load_manifest
from drawcheck.pipeline import prepare

ROOT = Path(__file__).resolve().parents[1]
MIXED = ROOT / "samples" / "mixed"
RESIDENTIAL = ROOT / "samples" / "residential"
RES_EXPECTED = json.loads((RESIDENTIAL / "expected.json").read_text(encoding="utf-8"))

#: 5#'s podium (its storey-1 plate) and 6#, as generate.py draws and models them: x0, y0, x1, y1 in m.
PODIUM_5 = (-3386.0, 1208.0, -3326.0, 1248.0)
BLOCK_6 = (-3370.0, 1262.0, -3355.0, 1302.0)
INSERT_1 = "insert = [-3386.0, 1208.0]"  # building-1.ifc (5#) in samples/mixed/drawcheck.toml
INSERT_2 = "insert = [-3355.0, 1262.0]"  # building-2.ifc (6#)
MODEL_RULES = ("qa:model-footprint-area", "qa:model-footprint-outline", "qa:model-floors", "qa:model-height")


def _variant(root: Path, name: str, *, edit=None, manifest=()) -> Path:
    """samples/mixed with the full residential site plan; ``edit(doc)`` changes the drawing (ezdxf),
    ``manifest`` is (old, new) text replacements in drawcheck.toml (a new table is appended with old = "")."""
    folder = root / name
    shutil.copytree(MIXED, folder)
    shutil.copy(RESIDENTIAL / "site.dxf", folder / "site.dxf")
    if edit is not None:
        doc = ezdxf.readfile(folder / "site.dxf")
        edit(doc)
        doc.saveas(folder / "site.dxf")
    toml = folder / "drawcheck.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in manifest:
        if old:
            assert old in text
            text = text.replace(old, new)
        else:
            text += "\n" + new
    toml.write_text(text, encoding="utf-8")
    return folder


def _widen_podium(doc) -> None:
    """5#'s podium (handle A2) 60 / 0.97 m wide instead of 60 m: its east edge moves east."""
    podium = doc.entitydb["A2"]
    points = [tuple(p) for p in podium.get_points("xyb")]
    assert [p[:2] for p in points] == [(-3386000.0, 1208000.0), (-3326000.0, 1208000.0),
                                       (-3326000.0, 1248000.0), (-3386000.0, 1248000.0)]
    east = PODIUM_5[0] * 1000.0 + 60000.0 / 0.97
    points[1] = (east, 1208000.0, 0.0)
    points[2] = (east, 1248000.0, 0.0)
    podium.set_points(points, format="xyb")


def _relabel(doc) -> None:
    """5#'s tower label says 24F (the model has 25 floors); 6#'s block says H 33.5 m (the model 33.0 m)."""
    tower = doc.entitydb["AA"]
    assert tower.plain_text() == "5#\n25F\nH=75.0m\n住宅"
    tower.text = tower.text.replace("25F", "24F")
    _set_attrib(doc, "HEIGHT", "33.0", "33.5")


def _rename_6(doc) -> None:
    _set_attrib(doc, "NAME", "6#", "7#")


def _set_attrib(doc, tag: str, old: str, new: str) -> None:
    insert = doc.entitydb["B4"]
    attrib = insert.get_attrib(tag)
    assert attrib.dxf.text == old
    attrib.dxf.text = new


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("consistency")
    return {
        "same": _variant(root, "same"),
        "area": _variant(root, "area", edit=_widen_podium),
        "shift": _variant(root, "shift", manifest=[(INSERT_1, "insert = [-3385.0, 1208.0]")]),
        "shift-tolerated": _variant(root, "shift-tolerated", manifest=[
            (INSERT_1, "insert = [-3385.0, 1208.0]"), ("", "[consistency]\nhausdorff_tolerance = 1.0\n")]),
        "labels": _variant(root, "labels", edit=_relabel),
        "renamed": _variant(root, "renamed", edit=_rename_6),
        "renamed-shifted": _variant(root, "renamed-shifted", edit=_rename_6,
                                    manifest=[(INSERT_2, "insert = [-3355.0, 1267.0]")]),
        "renamed-shifted-strict": _variant(root, "renamed-shifted-strict", edit=_rename_6, manifest=[
            (INSERT_2, "insert = [-3355.0, 1267.0]"), ("", "[consistency]\nmatch_iou = 0.78\n")]),
    }


@pytest.fixture(scope="module")
def reports(folders):
    return {name: drawcheck.check(folder).data for name, folder in folders.items()}


def _rows(report: dict) -> dict:
    return {b["id"]: b for b in report["buildings"]}


def _model_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] in MODEL_RULES]


def _outcomes(report: dict) -> dict:
    return {r["rule"]: r["outcome"] for r in report["rules"] if r["rule"] in MODEL_RULES}


# -- the same buildings in both ---------------------------------------------------------------

def test_identical_pairs_give_no_finding_and_count_once(reports):
    report = reports["same"]
    assert _model_findings(report) == []
    assert _outcomes(report) == dict.fromkeys(MODEL_RULES, "passed")
    rows = _rows(report)
    assert sorted(rows) == ["1#", "2#", "3#", "4#", "5#", "6#"]  # one row each, no second 5# or 6#
    for bid, (x0, y0, x1, y1), floors, height in (("5#", PODIUM_5, 25, 75.0), ("6#", BLOCK_6, 11, 33.0)):
        model = rows[bid]["model"]
        assert model["id"] == bid and model["matched_by"] == "name" and model["overlap"] == 1.0
        assert model["source"]["input"] == {"5#": "building-1.ifc", "6#": "building-2.ifc"}[bid]
        assert model["footprint_area"] == pytest.approx((x1 - x0) * (y1 - y0), abs=0.005)
        assert rows[bid]["footprint_area"] == pytest.approx((x1 - x0) * (y1 - y0), abs=0.005)
        assert (model["floors_above"], model["height"]) == (floors, height)
        assert (rows[bid]["floors_above"], rows[bid]["height"]) == (floors, height)
        assert model["differences"] == {"footprint_area": 0.0, "footprint_area_ratio": 0.0, "hausdorff": 0.0,
                                        "floors_above": 0, "height": 0.0}
        assert model["beyond_tolerance"] == []
    assert all("model" not in rows[b] for b in ("1#", "2#", "3#", "4#"))
    # counted once: the indicators are the residential sample's hand-worked ones, and nothing overlaps
    for key in ("footprint_area", "gfa_above", "gfa_total", "gfa_far", "far", "coverage", "max_height"):
        assert report["indicators"][key]["value"] == pytest.approx(RES_EXPECTED[key], abs=0.005), key
    assert not [f for f in report["findings"] if f["rule"] == "qa:overlapping-buildings"]


def test_shipped_mixed_sample_has_no_pair(reports):
    """samples/mixed itself: 5# and 6# only in the models, nothing to compare (the rules do not apply)."""
    report = drawcheck.check(MIXED).data
    assert _outcomes(report) == dict.fromkeys(MODEL_RULES, "not_applicable")
    assert all("model" not in b for b in report["buildings"])


# -- deliberate differences -------------------------------------------------------------------

def test_three_percent_larger_footprint_is_found_with_both_values(reports):
    report = reports["area"]
    width = 60.0 / 0.97  # the redrawn podium, m
    drawn, modelled = width * 40.0, 60.0 * 40.0
    ratio = (drawn - modelled) / drawn
    assert ratio == pytest.approx(0.03, abs=1e-12)
    (area,) = [f for f in _model_findings(report) if f["rule"] == "qa:model-footprint-area"]
    assert area["subjects"] == ["5#"] and area["severity"] == "error" and area["unit"] == "ratio"
    assert area["measured"] == pytest.approx(0.03, abs=5e-5) and area["required"] == 0.01
    assert area["site_plan_value"] == pytest.approx(drawn, abs=0.005) and area["model_value"] == 2400.0
    assert f"{drawn:.2f}" in area["message"] and "2400.00" in area["message"] and "building-1.ifc" in area["message"]
    assert f"{drawn:.2f}" in area["message_en"] and "2400.00" in area["message_en"]
    sources = {(s["input"], s["handle"]) for s in area["sources"]}
    assert ("site.dxf", "A2") in sources and any(i == "building-1.ifc" for i, _ in sources)
    model = _rows(report)["5#"]["model"]
    assert model["differences"]["footprint_area"] == pytest.approx(modelled - drawn, abs=0.005)
    assert model["differences"]["footprint_area_ratio"] == pytest.approx(0.03, abs=5e-5)
    # the east edge moved by width - 60 m: that is the outlines' Hausdorff distance
    (outline,) = [f for f in _model_findings(report) if f["rule"] == "qa:model-footprint-outline"]
    assert outline["measured"] == pytest.approx(width - 60.0, abs=0.0005)
    assert model["beyond_tolerance"] == ["footprint_area", "hausdorff"]
    assert {f["subjects"][0] for f in _model_findings(report)} == {"5#"}  # 6# is unchanged


def test_a_model_shifted_by_one_metre_is_one_metre_off(folders, reports):
    report = reports["shift"]
    (outline,) = _model_findings(report)
    assert outline["rule"] == "qa:model-footprint-outline" and outline["subjects"] == ["5#"]
    assert outline["measured"] == 1.0 and outline["required"] == 0.5 and outline["unit"] == "m"
    line = shapely.LineString(outline["location"]["coordinates"])
    assert line.length == pytest.approx(1.0, abs=1e-3)
    model = _rows(report)["5#"]["model"]
    assert model["overlap"] == pytest.approx(59.0 / 61.0, abs=5e-5)  # [0, 60] against [1, 61], same y
    assert model["differences"]["footprint_area"] == 0.0 and model["beyond_tolerance"] == ["hausdorff"]
    raw = {c.drawing.id: c for c in prepare(folders["shift"]).indicators.models}
    assert raw["5#"].hausdorff == pytest.approx(1.0, abs=1e-6)
    assert raw["6#"].hausdorff == pytest.approx(0.0, abs=1e-6)


def test_the_manifest_tolerance_is_used_and_equal_passes(reports):
    report = reports["shift-tolerated"]
    assert _model_findings(report) == []
    assert _rows(report)["5#"]["model"]["differences"]["hausdorff"] == 1.0


def test_floors_and_height_mismatches_are_found(reports):
    report = reports["labels"]
    found = {(f["rule"], f["subjects"][0]): f for f in _model_findings(report)}
    assert set(found) == {("qa:model-floors", "5#"), ("qa:model-height", "6#")}
    floors = found[("qa:model-floors", "5#")]
    assert (floors["site_plan_value"], floors["model_value"]) == (24, 25)
    assert floors["measured"] == 1 and floors["required"] == 0
    assert "24" in floors["message"] and "25" in floors["message"]
    assert ("site.dxf", "A3") in {(s["input"], s["handle"]) for s in floors["sources"]}  # the tower outline
    height = found[("qa:model-height", "6#")]
    assert (height["site_plan_value"], height["model_value"]) == (33.5, 33.0)
    assert height["measured"] == 0.5 and height["required"] == 0.3
    assert {s["input"] for s in height["sources"]} == {"site.dxf", "building-2.ifc"}
    rows = _rows(report)
    assert rows["5#"]["model"]["differences"]["floors_above"] == 1
    assert rows["6#"]["model"]["differences"]["height"] == -0.5


def test_different_names_are_matched_by_overlap(reports):
    report = reports["renamed"]
    rows = _rows(report)
    assert "6#" not in rows and rows["7#"]["model"]["id"] == "6#"
    assert rows["7#"]["model"]["matched_by"] == "overlap" and rows["7#"]["model"]["overlap"] == 1.0
    assert _model_findings(report) == []
    assert report["indicators"]["gfa_above"]["value"] == pytest.approx(RES_EXPECTED["gfa_above"], abs=0.005)


def test_partial_overlap_matches_above_the_threshold_only(reports):
    """6# modelled 5 m north of where the plan draws it as 7#: IoU 15x35 / 15x45 = 7/9."""
    iou = (15.0 * 35.0) / (15.0 * 45.0)
    loose = reports["renamed-shifted"]
    row = _rows(loose)["7#"]
    assert row["model"]["matched_by"] == "overlap" and row["model"]["overlap"] == pytest.approx(iou, abs=5e-5)
    (outline,) = _model_findings(loose)
    assert outline["rule"] == "qa:model-footprint-outline" and outline["measured"] == 5.0
    assert "matched by plan overlap" in outline["message_en"]
    strict = reports["renamed-shifted-strict"]  # match_iou 0.78 > 7/9: no pair, both counted as before
    rows = _rows(strict)
    assert {"6#", "7#"} <= set(rows) and "model" not in rows["7#"] and "model" not in rows["6#"]
    assert rows["5#"]["model"]["matched_by"] == "name" and _model_findings(strict) == []
    assert [f["subjects"] for f in strict["findings"] if f["rule"] == "qa:overlapping-buildings"] == [["6#", "7#"]]


# -- the Hausdorff distance on hand geometry --------------------------------------------------

def _rect(x0, y0, x1, y1):
    return [np.array([[x0, y0, 0.0], [x1, y0, 0.0], [x1, y1, 0.0], [x0, y1, 0.0]])]


def test_hausdorff_of_a_translated_rectangle():
    a, b = to_shapely([_rect(0, 0, 60, 40), _rect(1, 0, 61, 40)])
    distance, (p, q) = hausdorff(a, b)
    assert distance == pytest.approx(1.0, abs=1e-9)
    assert math.dist(p, q) == pytest.approx(1.0, abs=1e-9)


def test_hausdorff_is_reached_between_vertices():
    """A 10 x 1 bar against its two 1 x 1 end squares: every vertex of either lies on the other's outline
    (shapely's vertex-only value is 0), yet the bar's mid-edge (5, 0) is 4 m from the squares' outline."""
    bar = to_shapely([_rect(0, 0, 10, 1)])[0]
    ends = shapely.union_all(to_shapely([_rect(0, 0, 1, 1), _rect(9, 0, 10, 1)]))
    assert shapely.hausdorff_distance(bar.boundary, ends.boundary) == 0.0
    distance, _ = hausdorff(bar, ends)
    assert distance == pytest.approx(4.0, abs=1e-9)


def test_hausdorff_of_an_arc_outline_is_exact():
    """A circle of radius 10 (two bulge-1 arcs) in its 20 x 20 square: the corners are 10·√2 - 10 away."""
    circle = [np.array([[-10.0, 0.0, 1.0], [10.0, 0.0, 1.0]])]
    a, b = to_shapely([circle, _rect(-10, -10, 10, 10)])
    distance, _ = hausdorff(a, b)
    assert distance == pytest.approx(10.0 * math.sqrt(2.0) - 10.0, abs=1e-3)


def test_hausdorff_against_densified_shapely():
    """An L-shaped footprint against a turned rectangle: within half a sampling step of shapely's
    Hausdorff distance on outlines densified to 1/1000 of each segment."""
    ell = [np.array([[0, 0, 0], [30, 0, 0], [30, 10, 0], [12, 10, 0], [12, 25, 0], [0, 25, 0]], dtype=float)]
    turned = shapely.affinity.rotate(shapely.box(2, 1, 29, 22), 7.0, origin=(15, 12))
    a = to_shapely([ell])[0]
    reference = shapely.hausdorff_distance(a.boundary, turned.boundary, densify=0.001)
    distance, _ = hausdorff(a, turned)
    assert distance == pytest.approx(reference, abs=HAUSDORFF_STEP / 2)


# -- the manifest's [consistency] -------------------------------------------------------------

def _manifest(tmp_path: Path, table: str) -> Path:
    (tmp_path / "site.dxf").write_bytes((RESIDENTIAL / "site.dxf").read_bytes())
    (tmp_path / "drawcheck.toml").write_text(f'[project]\ninputs = ["site.dxf"]\n\n{table}', encoding="utf-8")
    return tmp_path


def test_manifest_defaults_and_values(tmp_path):
    assert load_manifest(_manifest(tmp_path, "")).consistency == Consistency(0.01, 0.5, 0.3, 0.5)
    got = load_manifest(_manifest(tmp_path, "[consistency]\narea_tolerance = 0.02\nheight_tolerance = 1\n"))
    assert got.consistency == Consistency(0.02, 0.5, 1.0, 0.5)


@pytest.mark.parametrize("table, fragment", [
    ("area_tolerance = 1.5", "'consistency.area_tolerance' must be between 0 and 1"),
    ("hausdorff_tolerance = -0.1", "'consistency.hausdorff_tolerance' must be >= 0"),
    ("height_tolerance = \"0.3\"", "'consistency.height_tolerance' must be a number"),
    ("match_iou = 0", "'consistency.match_iou' must be above 0"),
    ("floors_tolerance = 1", "unknown key 'consistency.floors_tolerance'"),
])
def test_manifest_refuses_bad_values(tmp_path, table, fragment):
    folder = _manifest(tmp_path, f"[consistency]\n{table}\n")
    with pytest.raises(ManifestError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        load_manifest(folder)
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(folder)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drawcheck: ") and fragment in lines[0]


# -- renderings -------------------------------------------------------------------------------

def test_text_and_html_show_both_values(reports):
    from drawcheck.reports.html import to_html
    from drawcheck.reports.text import to_text

    text = to_text(reports["shift"])
    table = text[text.index("图模一致"):text.index("Findings")]
    assert "building-1.ifc" in table and "2,400.00" in table and "1.000" in table and "超差 beyond" in table
    html = to_html(reports["shift"])
    models = html[html.index('<table class="models">'):]
    models = models[:models.index("</table>")]
    assert "5# building-1.ifc (name)" in models and "hausdorff" in models and "6# building-2.ifc (name)" in models
    plain = drawcheck.check(MIXED).data  # no pair: no table
    assert "图模一致" not in to_text(plain) and 'class="models"' not in to_html(plain)
