"""Damaged OBJECTS records that both ezdxf readers refuse (issue 12, point 6).

LibreDWG's ``dwg2dxf`` writes SORTENTSTABLE records whose entity handles
(group code 331) and sort handles (5) are not interleaved; ``ezdxf.readfile``
and ``ezdxf.recover`` both stop on ``Invalid sort handle code 331``. The
fixtures are written with ezdxf, then the one record is rewritten the way
LibreDWG lays it out. Each test first shows that ezdxf alone refuses the
file (so the test cannot pass on a file that was never damaged), then that
drawcheck reads it, names the dropped record, and computes what the undamaged
drawing gives: hand-worked areas of rectangles.
"""

from __future__ import annotations

import ezdxf
import pytest
from ezdxf import recover

import drawcheck
from cli_checks import refused
from dxf_builders import BLDG, add_part, add_site, new_doc, rect, run_cli

SITE_W, SITE_H = 100.0, 80.0
PART = rect(10, 10, 30, 30)  # 20 x 20 m
FLOORS = 6


def _drawing_with_draw_order(tmp_path):
    """A 100 x 80 m site and one 20 x 20 m, 6-floor building, with a SORTENTSTABLE (draw order) for both."""
    doc = new_doc()
    msp = doc.modelspace()
    site = add_site(msp, SITE_W, SITE_H)
    part = add_part(msp, PART, f"1# {FLOORS}F H=18m")
    msp.set_redraw_order({site.dxf.handle: "FF", part.dxf.handle: "FE"})
    path = tmp_path / "site.dxf"
    doc.saveas(path)
    return path


def _records(text: str, dxftype: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of every ``dxftype`` record in a DXF written by ezdxf."""
    out, start = [], 0
    marker = f"  0\n{dxftype}\n"
    while (i := text.find(marker, start)) >= 0:
        j = text.index("  0\n", i + len(marker))
        out.append((i, j))
        start = j
    return out


def _pairs(record: str) -> list[tuple[str, str]]:
    lines = record.split("\n")
    return list(zip(lines[0::2], lines[1::2]))


def _join(pairs) -> str:
    return "".join(f"{code}\n{value}\n" for code, value in pairs)


def _libredwg_sortents(path):
    """Rewrite the SORTENTSTABLE as LibreDWG does: every 331 entity handle, then every 5 sort handle."""
    text = path.read_text()
    (i, j), = _records(text, "SORTENTSTABLE")
    pairs = _pairs(text[i:j])
    own_handle = pairs[1]
    assert own_handle[0].strip() == "5"
    rest = pairs[2:]
    entities = [p for p in rest if p[0].strip() == "331"]
    sorts = [p for p in rest if p[0].strip() == "5"]
    other = [p for p in rest if p[0].strip() not in ("331", "5")]
    assert len(entities) == len(sorts) == 2
    path.write_text(text[:i] + _join([pairs[0], own_handle, *other, *entities, *sorts]) + text[j:])
    return own_handle[1].strip()


def _refused_by_ezdxf(path) -> None:
    for read in (ezdxf.readfile, recover.readfile):
        with pytest.raises(ezdxf.DXFStructureError):
            read(path)


def _site_and_gfa(report: dict) -> tuple[float, float]:
    values = report["indicators"]
    return values["site_area"]["value"], values["gfa_above"]["value"]


def _repairs(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "qa:dxf-repaired"]


def test_libredwg_sortentstable_is_dropped_and_the_drawing_read(tmp_path):
    path = _drawing_with_draw_order(tmp_path)
    handle = _libredwg_sortents(path)
    _refused_by_ezdxf(path)

    report = drawcheck.check(path).data

    assert _site_and_gfa(report) == pytest.approx((SITE_W * SITE_H, 20 * 20 * FLOORS))
    repairs = _repairs(report)
    dropped = [f for f in repairs if f"SORTENTSTABLE {handle}" in f["message"]]
    assert len(dropped) == 1 and "331" in dropped[0]["message"]
    assert handle in {s["handle"] for s in dropped[0]["sources"]}
    assert any("Invalid sort handle code" in f["message"] for f in repairs)  # says why it repaired at all


def test_the_cli_reads_it_with_exit_0_or_1(tmp_path):
    path = _drawing_with_draw_order(tmp_path)
    _libredwg_sortents(path)
    proc = run_cli(path, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_undamaged_sortentstable_is_left_alone(tmp_path):
    path = _drawing_with_draw_order(tmp_path)
    ezdxf.readfile(path)  # readable as written
    report = drawcheck.check(path).data
    assert _repairs(report) == []


def test_a_damaged_record_without_a_structural_check_is_dropped_with_the_unneeded_ones(tmp_path):
    """A GEODATA whose source and target point counts differ: no check knows it, the second pass drops it."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, SITE_W, SITE_H)
    add_part(msp, PART, f"1# {FLOORS}F H=18m")
    geo = msp.new_geodata()
    geo.source_vertices.extend([(0, 0), (10, 0)])
    geo.target_vertices.extend([(121.4, 31.2), (121.5, 31.2)])
    path = tmp_path / "site.dxf"
    doc.saveas(path)
    text = path.read_text()
    (i, j), = _records(text, "GEODATA")
    pairs = _pairs(text[i:j])
    geo_handle = pairs[1][1].strip()
    last_target = max(k for k, (code, _) in enumerate(pairs) if code.strip() == "14")
    del pairs[last_target:last_target + 2]  # drop the last target point (codes 14, 24)
    path.write_text(text[:i] + _join(pairs) + text[j:])
    _refused_by_ezdxf(path)

    report = drawcheck.check(path).data

    assert _site_and_gfa(report) == pytest.approx((SITE_W * SITE_H, 20 * 20 * FLOORS))
    messages = [f["message"] for f in _repairs(report)]
    assert any(f"GEODATA {geo_handle}" in m for m in messages), messages


def test_a_drawing_whose_entities_cannot_be_read_is_exit_2(tmp_path):
    """Damaged OBJECTS and a tag in ENTITIES whose group code is not a number: nothing to read, exit 2."""
    path = _drawing_with_draw_order(tmp_path)
    _libredwg_sortents(path)
    text = path.read_text()
    start = text.index("ENTITIES\n") + len("ENTITIES\n")
    path.write_text(text[:start] + "xyz\nLWPOLYLINE\n" + text[start:])
    _refused_by_ezdxf(path)
    refused(run_cli(path), "site.dxf", "could not be recovered")


def test_an_area_drawing_with_a_damaged_record_is_read_and_the_repair_said(tmp_path):
    """The area-drawing reader reports load repairs like the site-plan reader (nothing dropped silently)."""
    import area_fixtures

    path = area_fixtures.build(tmp_path / "area.dxf")
    doc = ezdxf.readfile(path)
    first, second = list(doc.modelspace().query("LWPOLYLINE"))[:2]
    doc.modelspace().set_redraw_order({first.dxf.handle: "FF", second.dxf.handle: "FE"})
    doc.saveas(path)
    handle = _libredwg_sortents(path)
    _refused_by_ezdxf(path)
    report = drawcheck.check(path).data
    assert any(f"SORTENTSTABLE {handle}" in f["message"] for f in _repairs(report))
    assert report["area_drawings"][0]["gfa_counted"] == pytest.approx(area_fixtures.COUNTED)
