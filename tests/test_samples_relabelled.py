"""Twins of the shipped samples with every building label rewritten in the forms institutes use (issue 11).

Each twin must give the same report as its sample (indicators, buildings,
findings, rule outcomes), apart from the input's hash: the relabelling
below is written by hand, one label at a time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import ezdxf
import pytest

import drawcheck

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

RELABEL = {
    "residential": {
        "1#\\P18F\\PH=54.0m\\P住宅": "1#住宅楼\\P地上十八层\\P建筑高度54.0米",
        "2# 18F H=54.0m 住宅": "2#住宅楼 十八层 H=54.0M",
        "11F/H=33.0m、住宅": "地上11层/高度：33.0m、住宅楼",
        "{\\fSimSun|b1|i0|c134;4#}\\P3F\\PH=12.0m\\P配套": "{\\fSimSun|b1|i0|c134;4#}\\P三层\\PH = 12.0 M\\P配套用房",
        "5#\\P4F\\PH=18.0m\\P商业": "5#商业楼\\P4层\\P18.0米",
        "5#\\P25F\\PH=75.0m\\P住宅": "5#\\P二十五层\\P建筑高度:75.0\\P住宅楼",
        "A栋\\P6F\\PH=18.0m\\P住宅": "A栋\\P地上6F\\Ph=18.0M\\P住宅",
        "地下2层": "地下二层",
    },
    "compliant": {
        "1# 18F H=54.0m 住宅": "1#住宅楼 十八层 建筑高度54.0米",
        "2# 18F H=54.0m 住宅": "2#住宅楼 地上18层 H=54.0M",
        "3#\\P3F\\PH=12.0m\\P配套": "3#\\P三层\\P高度：12.0米\\P配套",
    },
}


def _relabelled(sample: str, folder: Path) -> Path:
    shutil.copytree(SAMPLES / sample, folder)
    doc = ezdxf.readfile(folder / "site.dxf")
    done = set()
    for e in doc.modelspace().query("TEXT MTEXT"):
        text = e.text if e.dxftype() == "MTEXT" else e.dxf.text
        new = RELABEL[sample].get(text)
        if new is None:
            continue
        if e.dxftype() == "MTEXT":
            e.text = new
        else:
            e.dxf.text = new
        done.add(text)
    assert done == set(RELABEL[sample]), "a label of the sample changed: update RELABEL"
    doc.saveas(folder / "site.dxf")
    return folder


def _comparable(report: dict) -> dict:
    out = dict(report)
    out["project"] = {**report["project"], "inputs": [{**i, "sha256": "-"} for i in report["project"]["inputs"]]}
    return out


@pytest.mark.parametrize("sample", sorted(RELABEL))
def test_relabelled_twin_gives_the_same_report(sample, tmp_path):
    original = drawcheck.check(SAMPLES / sample).data
    twin = drawcheck.check(_relabelled(sample, tmp_path / sample)).data
    assert not [f for f in twin["findings"] if f["rule"] == "qa:label-unreadable"]
    assert _comparable(twin)["indicators"] == _comparable(original)["indicators"]
    assert twin["buildings"] == original["buildings"]
    assert [(f["rule"], f["subjects"], f["message"]) for f in twin["findings"]] == \
           [(f["rule"], f["subjects"], f["message"]) for f in original["findings"]]
    assert _comparable(twin) == _comparable(original)
