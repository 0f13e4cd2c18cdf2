"""Small builders of DXF test drawings (ezdxf), and helpers to read them back.

Every drawing is written to a file under the test's ``tmp_path`` and read
from disk, so the tests exercise the same bytes a submission would carry.
Expected values never come from here: the tests work them out by hand or
with shapely on their own densified copies (see :func:`arc_points`).
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import ezdxf
import numpy as np
import shapely
from ezdxf.enums import TextEntityAlignment

from drawcheck.geometry.arrays import PolygonArrays
from drawcheck.model import Project
from drawcheck.readers.dxf import read_dxf
from drawcheck.readers.layers import LayerRoles

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "drawcheck"

SITE = "用地红线"
BLDG = "建筑轮廓"
GREEN = "绿地"
PARKING = "停车位"
INDICATORS = "经济技术指标"


# -- building drawings ---------------------------------------------------------
def new_doc(insunits: int | None = 6, dxfversion: str = "R2013") -> ezdxf.document.Drawing:
    """An empty drawing; ``insunits=None`` leaves $INSUNITS out (unitless)."""
    doc = ezdxf.new(dxfversion)
    if insunits is None:
        doc.header["$INSUNITS"] = 0
    else:
        doc.header["$INSUNITS"] = insunits
    return doc


def rect(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    """Corners of an axis-parallel rectangle, counter-clockwise."""
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def add_poly(space, points, layer: str, closed: bool = True, **attribs):
    """A LWPOLYLINE through ``points`` ((x, y) or (x, y, bulge)) on ``layer``."""
    fmt = "xyb" if len(points[0]) == 3 else "xy"
    return space.add_lwpolyline(points, format=fmt, close=closed, dxfattribs={"layer": layer, **attribs})


def add_site(space, w: float, h: float, layer: str = SITE, origin=(0.0, 0.0)):
    """A closed rectangular site boundary ``w`` x ``h`` drawing units."""
    x, y = origin
    return add_poly(space, rect(x, y, x + w, y + h), layer)


def add_text(space, text: str, at, layer: str = BLDG, height: float = 2.5, align=None):
    """A TEXT at ``at``; with ``align`` (a TextEntityAlignment) ``at`` is its align point."""
    t = space.add_text(text, height=height, dxfattribs={"layer": layer})
    t.set_placement(at, align=align or TextEntityAlignment.LEFT)
    return t


def add_mtext(space, text: str, at, layer: str = BLDG, height: float = 2.5):
    return space.add_mtext(text, dxfattribs={"layer": layer, "insert": at, "char_height": height})


def add_part(space, corners, label: str | None, layer: str = BLDG):
    """A closed building outline with a left-aligned TEXT label at its vertex centroid."""
    outline = add_poly(space, corners, layer)
    if label is not None:
        cx = sum(p[0] for p in corners) / len(corners)
        cy = sum(p[1] for p in corners) / len(corners)
        add_text(space, label, (cx, cy), layer=layer)
    return outline


def save(doc, tmp_path: Path, name: str = "site.dxf") -> Path:
    path = tmp_path / name
    doc.saveas(path)
    return path


# -- reading back --------------------------------------------------------------
def read(path: Path, roles: LayerRoles | None = None, units: str | None = None) -> Project:
    """The project model of one drawing, read by the code under test.

    Read twice: by the fast reader where it can (``--reader auto``, the default) and by ezdxf; the
    two models (and errors) must be the same (issue 15), so every test reading a drawing here tests both.
    """
    from drawcheck.readers.files import ReadError

    models = []
    for reader in ("auto", "ezdxf"):
        project = Project(name="test")
        try:
            read_dxf(path, path.name, project, roles=roles or LayerRoles(), units=units, reader=reader)
        except ReadError as exc:
            models.append(exc)
            continue
        models.append(project)
    if isinstance(models[0], ReadError) or isinstance(models[1], ReadError):
        assert str(models[0]) == str(models[1]), f"auto: {models[0]}; ezdxf: {models[1]}"
        raise models[0]
    assert model_digest(models[0]) == model_digest(models[1]), "the fast reader and ezdxf read different models"
    return models[0]


def model_digest(project: Project) -> str:
    """The model as JSON (floats exact), the readers that read it left out."""
    import dataclasses

    data = dataclasses.asdict(project)
    data.pop("readers")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=lambda v: np.asarray(v).tolist())


def area_of(area) -> float:
    """Exact area (m²) of a model :class:`~drawcheck.model.Area`."""
    return float(PolygonArrays.from_polygons([area.rings]).areas()[0])


def parts(project: Project) -> list:
    return [p for b in project.buildings for p in b.parts]


def notes(project: Project, code: str) -> list:
    return [n for n in project.qa if n.code == code]


def codes(project: Project) -> set[str]:
    return {n.code for n in project.qa}


def handles_of(note) -> set[str]:
    return {s.handle for s in note.sources}


def findings(report_data: dict, rule: str) -> list[dict]:
    return [f for f in report_data["findings"] if f["rule"] == rule]


def run_cli(path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``drawcheck check PATH --format json`` in a subprocess."""
    return subprocess.run([str(CLI), "check", str(path), "--format", "json", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def cli_report(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout)


# -- independent geometry --------------------------------------------------------
def arc_points(p0, p1, bulge: float, step_deg: float = 0.01) -> list[tuple[float, float]]:
    """Points of the bulged segment p0 -> p1 every ``step_deg`` degrees, p0 included, p1 not.

    Written here from the DXF definition (bulge = tan(θ/4), counter-clockwise
    positive) so that it shares no code with the reader.
    """
    if bulge == 0.0:
        return [tuple(p0)]
    theta = 4.0 * math.atan(bulge)
    (x0, y0), (x1, y1) = p0, p1
    dx, dy = x1 - x0, y1 - y0
    k = (1.0 - bulge * bulge) / (4.0 * bulge)  # centre = chord midpoint + k * (chord turned left)
    cx, cy = x0 + dx / 2.0 - k * dy, y0 + dy / 2.0 + k * dx
    r = math.hypot(x0 - cx, y0 - cy)
    a0 = math.atan2(y0 - cy, x0 - cx)
    n = max(int(abs(math.degrees(theta)) / step_deg), 1)
    return [(cx + r * math.cos(a0 + theta * k / n), cy + r * math.sin(a0 + theta * k / n)) for k in range(n)]


def shapely_polygon(points) -> shapely.Polygon:
    """A shapely polygon of (x, y[, bulge]) vertices, bulges densified by :func:`arc_points`."""
    coords = []
    for i, p in enumerate(points):
        q = points[(i + 1) % len(points)]
        coords.extend(arc_points(p[:2], q[:2], p[2] if len(p) > 2 else 0.0))
    return shapely.Polygon(coords)


def ring_bounds(area) -> tuple[float, float, float, float]:
    """Bounds of a model area's rings densified by the test's own :func:`arc_points`."""
    ring = np.asarray(area.rings[0])
    return shapely_polygon([tuple(r) for r in ring]).bounds
