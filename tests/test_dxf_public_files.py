"""The DXF reader on real third-party files (ezdxf's examples and damaged test files).

The files live outside the repository, in ``shared/data/public`` beside it
(see its README); they are never copied in, and these tests skip when the
folder is absent. Expected values come from ezdxf itself (its audit, its
own hatch-path flattening) and shapely, never from drawcheck.
"""

from __future__ import annotations

import functools
import logging
import math
from collections import Counter
from pathlib import Path

import ezdxf
import pytest
import shapely
from ezdxf import path as ezpath
from ezdxf import recover
from ezdxf import units as ezunits

from drawcheck.geometry.arcs import SAGITTA_TOLERANCE
from drawcheck.readers.layers import LayerRoles

from dxf_builders import area_of, cli_report, notes, read, run_cli

PUBLIC = Path(__file__).resolve().parents[2] / "shared/data/public"
DXF = PUBLIC / "dxf"
BROKEN = PUBLIC / "dxf_broken"

pytestmark = pytest.mark.skipif(not DXF.is_dir() or not BROKEN.is_dir(),
                                reason=f"public sample files not found at {PUBLIC} (they are not part of the repository)")

#: Seconds one ``drawcheck check`` of these small files may take (they take ~1 s).
CHECK_TIMEOUT = 60
#: Distance (drawing units) at which the reference flattens ezdxf's Bézier paths;
#: its chord loss is at most this × the perimeter.
REF_FLATTENING = 1e-6
#: ezdxf turns arcs into cubic Béziers of at most 90° each.
BEZIER_MAX_SWEEP = math.pi / 2
#: Sagitta (drawing units) of the tight reference's inscribed arc polygons.
TIGHT_SAGITTA = 1e-7


def bezier_area_error(radius: float, sweep: float) -> float:
    """Upper bound of the area between an arc (or an ellipse arc, ``radius`` = major axis) and ezdxf's Béziers.

    A cubic Bézier arc of sweep φ strays from its circle by at most
    r · 2 sin⁶(φ/4) / (27 cos²(φ/4)) (2.7e-4 r at φ = 90°); times the arc length.
    """
    n = max(math.ceil(sweep / BEZIER_MAX_SWEEP - 1e-12), 1)
    phi = sweep / n
    radial = radius * 2 * math.sin(phi / 4) ** 6 / (27 * math.cos(phi / 4) ** 2)
    return radial * radius * sweep


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _audit_expectation(path: Path) -> list[str]:
    """The repairs drawcheck must report: the audit of a plain read, else recover's (+ one line saying so)."""
    logging.getLogger("ezdxf").setLevel(logging.CRITICAL)
    try:
        doc = ezdxf.readfile(path)
    except Exception:
        doc, auditor = recover.readfile(path)
        extra = ["plain read failed"]
    else:
        auditor = doc.audit()
        extra = []
    return [e.message for e in auditor.fixes + auditor.errors] + extra


def _check(path: Path) -> tuple[int, dict]:
    proc = run_cli(path, timeout=CHECK_TIMEOUT)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.returncode, cli_report(proc)


# -----------------------------------------------------------------------------------
# damaged and odd files
# -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", _names(BROKEN))
def test_damaged_file_reads_and_every_repair_is_reported(name):
    path = BROKEN / name
    expected = _audit_expectation(path)
    _, report = _check(path)
    got = [f["message"] for f in report["findings"] if f["rule"] == "qa:dxf-repaired"]
    assert len(got) == len(expected), (got, expected)
    prefix = f"{name}: ezdxf repaired: "
    assert all(m.startswith(prefix) for m in got)
    reported = Counter(m[len(prefix):] for m in got)
    for message in expected:
        if message == "plain read failed":
            assert sum(n for m, n in reported.items() if m.startswith("plain read failed")) == 1
        else:
            assert reported[message] >= 1, message


def test_binary_dxf_reads():
    # its model space holds three LINEs on layer 0: as loose edges of a role layer they are named
    path = BROKEN / "bin_dxf_r14.dxf"
    assert path.read_bytes().startswith(b"AutoCAD Binary DXF")
    logging.getLogger("ezdxf").setLevel(logging.CRITICAL)
    lines = {e.dxf.handle for e in ezdxf.readfile(path).modelspace() if e.dxftype() == "LINE"}
    assert len(lines) == 3
    project = read(path, LayerRoles({"green": ["0"]}))
    (loose,) = notes(project, "loose-edges")
    assert {s.handle for s in loose.sources} == lines


def test_file_with_leading_comments_is_sniffed_as_dxf():
    # regression: three 999 comment pairs pushed "0 / SECTION" past the sniffer's first 8 lines
    path = BROKEN / "empty_handles.dxf"
    assert path.read_bytes().startswith(b"999")
    _, report = _check(path)
    assert any(f["rule"] == "qa:dxf-repaired" for f in report["findings"])


@pytest.mark.parametrize("name", _names(DXF))
def test_public_example_reads(name):
    _check(DXF / name)


# -----------------------------------------------------------------------------------
# hatch areas against ezdxf's own boundary paths
# -----------------------------------------------------------------------------------
def _reference(hatch) -> tuple[float, float]:
    """(area, tolerance) of a HATCH from ezdxf's paths, flattened finely, combined even-odd by shapely.

    The tolerance adds the reference's chord loss, the Bézier error of its arcs
    and ellipse arcs (radial error × arc length), and the reader's own chord
    loss on ellipse and spline edges (SAGITTA_TOLERANCE in drawing units × length).
    """
    polys = [shapely.Polygon([(v.x, v.y) for v in
                              ezpath.from_hatch_boundary_path(bp, hatch.ocs(), hatch.dxf.elevation.z).flattening(REF_FLATTENING)])
             for bp in hatch.paths]
    assert all(p.is_valid for p in polys)
    area = functools.reduce(shapely.symmetric_difference, polys).area
    factor = ezunits.conversion_factor(hatch.doc.units or ezunits.M, ezunits.M)
    perimeter = sum(p.length for p in polys)
    tol = (REF_FLATTENING + SAGITTA_TOLERANCE / factor) * perimeter
    for bp in hatch.paths:
        for e in getattr(bp, "edges", ()):
            kind = type(e).__name__
            if kind == "ArcEdge":
                tol += bezier_area_error(e.radius, math.radians(e.construction_tool().angle_span))
            elif kind == "EllipseEdge":
                tool = e.construction_tool()
                tol += bezier_area_error(tool.major_axis.magnitude, tool.param_span)
    return area, tol


@pytest.mark.parametrize("name", ["clockwise_arcs_hatch.dxf", "hatches_2.dxf"])
def test_hatch_areas_match_ezdxf_paths(name):
    path = DXF / name
    doc = ezdxf.readfile(path)
    hatches = list(doc.modelspace().query("HATCH"))
    assert hatches
    layers = sorted({h.dxf.layer for h in hatches})
    project = read(path, LayerRoles({"green": layers}))
    factor = ezunits.conversion_factor(doc.units or ezunits.M, ezunits.M)  # m per drawing unit
    duplicates = notes(project, "duplicate-area")
    for hatch in hatches:
        handle = hatch.dxf.handle
        mine = [a for a in project.green if a.source.handle == handle]
        if not mine:  # drawn over an outline of the same shape: the outline is kept, and said so
            (dup,) = [n for n in duplicates if handle in {s.handle for s in n.sources}]
            twin = ({s.handle for s in dup.sources} - {handle}).pop()
            mine = [a for a in project.green if a.source.handle == twin]
        got = sum(area_of(a) for a in mine) / factor ** 2  # back to drawing units
        expected, tol = _reference(hatch)
        assert abs(got - expected) <= tol, (handle, got, expected, tol)
        assert tol < 0.005 * expected  # the bound stays meaningful


def _inscribed_loop(bp) -> list[tuple[float, float]]:
    """A line/arc edge path as points: arcs inscribed (ezdxf ConstructionArc, ccw angles), reversed when clockwise.

    The loop must be continuous: an arc walked the wrong way would start
    where the previous edge does not end, so this also checks the orientation.
    """
    points: list[tuple[float, float]] = []
    last_end = None
    for e in bp.edges:
        if type(e).__name__ == "LineEdge":
            seg = [tuple(e.start), tuple(e.end)]
        else:
            seg = [(v.x, v.y) for v in e.construction_tool().flattening(TIGHT_SAGITTA)]
            if not e.ccw:
                seg.reverse()
        if last_end is not None:
            assert math.dist(last_end, seg[0]) < 1e-6, "edge path is not continuous"
        points.extend(seg[:-1])
        last_end = seg[-1]
    assert math.dist(last_end, points[0]) < 1e-6, "edge path is not closed"
    return points


def test_clockwise_arcs_hatch_is_tight():
    # Against arcs inscribed on the true circles, the reader's exact area agrees to the
    # reference's own chord loss (TIGHT_SAGITTA × perimeter), far below any arc's segment.
    path = DXF / "clockwise_arcs_hatch.dxf"
    doc = ezdxf.readfile(path)
    (hatch,) = doc.modelspace().query("HATCH")
    arcs = [e for bp in hatch.paths for e in bp.edges if type(e).__name__ == "ArcEdge"]
    assert any(not e.ccw for e in arcs) and any(e.ccw for e in arcs)
    assert {type(e).__name__ for bp in hatch.paths for e in bp.edges} == {"LineEdge", "ArcEdge"}
    polys = [shapely.Polygon(_inscribed_loop(bp)) for bp in hatch.paths]
    assert all(p.is_valid for p in polys)
    expected = functools.reduce(shapely.symmetric_difference, polys).area
    project = read(path, LayerRoles({"green": [hatch.dxf.layer]}))
    got = sum(area_of(a) for a in project.green)  # INSUNITS 6: m2 already
    tol = TIGHT_SAGITTA * sum(p.length for p in polys)
    assert abs(got - expected) <= tol
    smallest_segment = min(e.radius ** 2 / 2 * (t - math.sin(t)) for e in arcs
                           for t in [math.radians(e.construction_tool().angle_span)])
    assert tol < 0.01 * smallest_segment


# -----------------------------------------------------------------------------------
# other public examples on role layers
# -----------------------------------------------------------------------------------
def test_minsert_with_attribs_counts_every_cell():
    path = DXF / "multi_insert_with_attribs.dxf"
    doc = ezdxf.readfile(path)
    (minsert,) = doc.modelspace().query("INSERT")
    assert minsert.mcount > 1
    project = read(path, LayerRoles({"parking": [minsert.dxf.layer]}))
    assert len(project.parking) == minsert.mcount


def test_minsert_cells_land_where_ezdxf_puts_them():
    # green role: each cell's CIRCLE is an area; compare with ezdxf's own virtual entities
    path = DXF / "multi_insert_with_attribs.dxf"
    doc = ezdxf.readfile(path)
    (minsert,) = doc.modelspace().query("INSERT")
    circles = [c for cell in minsert.multi_insert() for c in cell.virtual_entities() if c.dxftype() == "CIRCLE"]
    assert len(circles) == minsert.mcount
    project = read(path, LayerRoles({"green": [minsert.dxf.layer]}))  # INSUNITS 6: metres
    # a circle is read as two vertices bulged by 1 on a diameter: its centre is their midpoint
    got = sorted((*a.rings[0][:, :2].mean(axis=0).round(6), area_of(a))
                 for a in project.green if len(a.rings[0]) == 2 and (a.rings[0][:, 2] == 1).all())
    want = sorted((round(c.dxf.center.x, 6), round(c.dxf.center.y, 6), math.pi * c.dxf.radius ** 2) for c in circles)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[:2] == w[:2]
        assert g[2] == pytest.approx(w[2], rel=1e-9)
