"""The shipped samples end to end: indicators against the generator's hand-worked values, and golden findings.

``samples/*/expected.json`` is written by ``samples/generate.py`` from its own
primitive dimensions (w·h, πr², ...), never by drawcheck. The golden files
``tests/golden/*.findings.json`` pin the findings (one row each); regenerate
them on purpose with ``UPDATE_GOLDEN=1 pytest tests/test_samples_golden.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import drawcheck

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
SAMPLES = ("residential", "compliant")
#: expected.json keeps 6 decimals; the report rounds areas to 2, lengths to 3 and ratios to 4 decimals.
ROUNDING = {"m2": 0.005, "m": 0.0005, "ratio": 0.00005, "count": 0}


@pytest.fixture(scope="module", params=SAMPLES)
def sample(request):
    name = request.param
    expected = json.loads((ROOT / "samples" / name / "expected.json").read_text(encoding="utf-8"))
    return name, expected, drawcheck.check(ROOT / "samples" / name).data


def test_indicators_match_hand_worked_values(sample):
    _, expected, report = sample
    for key, row in report["indicators"].items():
        assert row["value"] == pytest.approx(expected[key], abs=ROUNDING[row["unit"]] + 1e-9), key


def test_buildings_match(sample):
    _, expected, report = sample
    rows = {b["id"]: b for b in report["buildings"]}
    assert set(rows) == set(expected["buildings"])
    for bid, exp in expected["buildings"].items():
        got = rows[bid]
        assert got["floors_above"] == exp["floors_above"], bid
        assert got["height"] == pytest.approx(exp["height"], abs=ROUNDING["m"]), bid
        assert got["footprint_area"] == pytest.approx(exp["footprint_area"], abs=ROUNDING["m2"]), bid
        assert got["gfa"] == pytest.approx(exp["gfa"], abs=ROUNDING["m2"]), bid


def test_setbacks_and_spacing_match(sample):
    _, expected, report = sample
    setbacks = {(s["building"], s["to"]): s["distance"] for s in report["setbacks"]}
    for bid, rows in expected["setbacks"].items():
        for to, distance in rows.items():
            assert setbacks[(bid, to)] == pytest.approx(distance, abs=ROUNDING["m"]), (bid, to)
    spacing = {(s["a"], s["b"]): s["distance"] for s in report["spacing"]}
    want = {(s["a"], s["b"]): s["distance"] for s in expected["spacing"]}
    assert set(spacing) == set(want)
    for pair, distance in want.items():
        assert spacing[pair] == pytest.approx(distance, abs=ROUNDING["m"]), pair


def test_condition_outcomes_match(sample):
    _, expected, report = sample
    outcomes = {r["rule"]: r["outcome"] for r in report["rules"]}
    for key, row in expected["conditions"].items():
        assert outcomes[f"conditions:{key}"] == row["outcome"], key


def test_declared_mismatch_is_the_deliberate_one(sample):
    _, expected, report = sample
    mismatched = {k for k, row in report["indicators"].items() if row.get("status") == "mismatch"}
    assert mismatched == ({expected["mismatch"]} if expected.get("mismatch") else set())


def _finding_rows(report: dict) -> list[dict]:
    keep = ("id", "rule", "department", "severity", "subjects", "measured", "required", "unit", "location")
    return [{k: f[k] for k in keep if k in f} for f in report["findings"]]


def test_golden_findings(sample):
    name, _, report = sample
    path = GOLDEN / f"{name}.findings.json"
    rows = _finding_rows(report)
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert rows == json.loads(path.read_text(encoding="utf-8"))


def test_residential_has_the_fire_violation_with_its_nearest_points():
    report = drawcheck.check(ROOT / "samples" / "residential").data
    expected = json.loads((ROOT / "samples" / "residential" / "expected.json").read_text(encoding="utf-8"))
    fire = [f for f in report["findings"] if f["rule"] == "gb50016-2014:5.2.2"]
    assert [f["subjects"] for f in fire] == [["1#", "2#"]]
    pair = expected["spacing_min_pairs"][0]
    assert fire[0]["measured"] == pytest.approx(pair["distance"]) and fire[0]["required"] == 13.0
    assert fire[0]["location"]["coordinates"] == [pair["from_point"], pair["to_point"]]


def test_compliant_sample_has_no_error():
    report = drawcheck.check(ROOT / "samples" / "compliant").data
    assert report["summary"]["errors"] == 0, [f["message"] for f in report["findings"]]
    assert all(r["outcome"] != "failed" or r["department"] == "qa" for r in report["rules"])


def test_same_input_gives_byte_identical_json(tmp_path):
    """Two separate processes (different hash seeds) write the same bytes."""
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(ROOT / "samples" / "residential"),
                              "--format", "json"], capture_output=True, env=env, cwd=tmp_path)
        assert run.returncode == 1, run.stderr
        outs.append(run.stdout)
    assert outs[0] == outs[1]
    assert json.loads(outs[0]) == json.loads(drawcheck.check(ROOT / "samples" / "residential").to_json())
