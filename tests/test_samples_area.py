"""The area-calculation sample (samples/area-calc, written by samples/generate_area.py).

Checked: the generator is reproducible byte for byte (two hash seeds) and the
committed files equal a fresh generation; the drawn area polygons are the
generator's rectangles (read back with ezdxf and shapely, not drawcheck);
and drawcheck's report gives expected.json's hand-worked indicators and
schedules, with the one deliberate finding (area-1.dxf declares mm, is drawn in m).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import ezdxf
import pytest
import shapely

import drawcheck

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "samples" / "generate_area.py"
FOLDER = ROOT / "samples" / "area-calc"
FILES = ("drawcheck.toml", "site.dxf", "area-1.dxf", "area-2.dxf", "expected.json")
#: expected.json keeps 6 decimals; the report rounds areas to 2 and ratios to 4 decimals.
ROUNDING = {"m2": 0.005, "m": 0.0005, "ratio": 0.00005, "count": 0}


def _generate(out: Path, seed: str) -> None:
    proc = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONHASHSEED=seed), timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_generation_is_reproducible_and_committed(tmp_path):
    _generate(tmp_path / "a", "1")
    _generate(tmp_path / "b", "2")
    for name in FILES:
        fresh = (tmp_path / "a" / "area-calc" / name).read_bytes()
        assert fresh == (tmp_path / "b" / "area-calc" / name).read_bytes(), name
        assert fresh == (FOLDER / name).read_bytes(), f"{name} is stale: python samples/generate.py"


def _drawn_areas(path: Path) -> Counter:
    """(layer, area m2) of every closed polyline on a 面积- layer, read with ezdxf + shapely (drawn in metres)."""
    doc = ezdxf.readfile(path)
    out = Counter()
    for e in doc.modelspace().query("LWPOLYLINE"):
        if e.dxf.layer.startswith("面积-") and e.closed:
            out[(e.dxf.layer, round(shapely.Polygon([p[:2] for p in e.get_points("xy")]).area, 6))] += 1
    return out


def test_the_drawn_polygons_are_the_generators_rectangles():
    sys.path.insert(0, str(ROOT / "samples"))
    try:
        import generate_area
    finally:
        sys.path.pop(0)
    for file, _, _, polys in generate_area.AREA_DRAWINGS.values():
        want = Counter((layer, round((x1 - x0) * (y1 - y0), 6)) for layer, _, _, x0, y0, x1, y1 in polys)
        assert _drawn_areas(FOLDER / file) == want, file
    doc = ezdxf.readfile(FOLDER / "area-1.dxf")
    assert doc.layers.get("计算面积").is_frozen() and doc.header["$INSUNITS"] == 4


@pytest.fixture(scope="module")
def report():
    return drawcheck.check(FOLDER).data


def test_indicators_are_the_hand_worked_ones(report):
    expected = json.loads((FOLDER / "expected.json").read_text(encoding="utf-8"))
    for key, value in expected["indicators"].items():
        row = report["indicators"][key]
        assert row["value"] == pytest.approx(value, abs=ROUNDING[row["unit"]] + 1e-9), key
    rows = {a["building"]: a for a in report["area_drawings"]}
    assert set(rows) == set(expected["area_drawings"])
    for bid, want in expected["area_drawings"].items():
        for key, value in want.items():
            assert rows[bid][key] == pytest.approx(value, abs=ROUNDING["m2"]), (bid, key)


def test_only_the_deliberate_finding(report):
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("qa:units-corrected", "warning")]
    assert "area-1.dxf" in report["findings"][0]["message"]
    outcomes = {r["rule"]: r["outcome"] for r in report["rules"]}
    assert outcomes["qa:area-drawing-gfa"] == "passed" and outcomes["qa:area-drawing-unmatched"] == "passed"
