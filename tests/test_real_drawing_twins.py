"""Issue 12's points together: a drawing as institutes send it, not as the convention asks.

The compliant sample (drawn in metres) with every layer behind a discipline
prefix (`ZP-SITE`, ...), its site and building outlines exploded into LINEs
and ARCs, `$INSUNITS` saying mm, and saved as DWG. Layer inference, joining,
the units check and the DWG reader must together give the sample's
hand-worked values (`samples/compliant/expected.json`, written by the
generator from its rectangles and circles, never by drawcheck).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import ezdxf
import pytest

import drawcheck

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "compliant"
sys.path.insert(0, str(ROOT / "samples"))
from generate_dwg import dwg_bytes  # noqa: E402

#: expected.json keeps 6 decimals; the report rounds areas to 2 and ratios to 4 decimals.
TOLERANCE = {"m2": 0.005, "m": 0.0005, "ratio": 0.00005, "count": 0}


def _as_institutes_draw_it(tmp_path: Path, as_dwg: bool) -> tuple[Path, dict[str, str]]:
    target = tmp_path / "plot"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("expected.json"))
    doc = ezdxf.readfile(SAMPLE / "site.dxf")
    assert doc.header["$INSUNITS"] == 6
    doc.header["$INSUNITS"] = 4  # says mm; drawn in m
    renamed = {layer.dxf.name: f"ZP-{layer.dxf.name}" for layer in doc.layers if layer.dxf.name not in ("0", "Defpoints")}
    msp = doc.modelspace()
    for e in msp:
        if e.dxf.layer in renamed:
            e.dxf.layer = renamed[e.dxf.layer]
    for old, new in renamed.items():
        doc.layers.get(old).rename(new)
    exploded = 0
    for e in list(msp.query("LWPOLYLINE")):
        if e.dxf.layer in ("ZP-SITE", "ZP-BLDG"):
            e.explode()
            exploded += 1
    assert exploded >= 3 and not [e for e in msp.query("LWPOLYLINE") if e.dxf.layer in ("ZP-SITE", "ZP-BLDG")]
    if as_dwg:
        (target / "site.dxf").unlink()
        (target / "site.dwg").write_bytes(dwg_bytes(doc))
        toml = (target / "drawcheck.toml").read_text(encoding="utf-8").replace('"site.dxf"', '"site.dwg"')
        (target / "drawcheck.toml").write_text(toml, encoding="utf-8")
    else:
        doc.saveas(target / "site.dxf")
    return target, renamed


@pytest.mark.parametrize("as_dwg", [False, True], ids=["dxf", "dwg"])
def test_prefixed_exploded_mislabelled_drawing_gives_the_hand_worked_indicators(as_dwg, tmp_path):
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
    plot, renamed = _as_institutes_draw_it(tmp_path, as_dwg)
    report = drawcheck.check(plot).data
    for key, row in report["indicators"].items():
        assert row["value"] == pytest.approx(expected[key], abs=TOLERANCE[row["unit"]] + 1e-9), key
    rules = {f["rule"] for f in report["findings"]}
    assert {"qa:layer-inferred", "qa:outline-joined", "qa:units-corrected"} <= rules
    assert not rules & {"qa:loose-edges", "qa:outline-gap", "qa:site-boundary", "qa:units-implausible"}
    inferred = " ".join(f["message"] for f in report["findings"] if f["rule"] == "qa:layer-inferred")
    assert "ZP-SITE" in inferred and "ZP-BLDG" in inferred
