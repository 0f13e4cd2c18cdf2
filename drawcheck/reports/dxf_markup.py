"""The annotated drawing: the submission's DXF with a review layer of clouds and tags, back to the designer.

A copy of the submission's (first) DXF keeps every original entity as it was
(same handles, same layers) and gains a layer ``DRAWCHECK-REVIEW`` (red)
holding, per finding with a location, a revision cloud around it and a tag:
the finding's id and a short text (its rule's title) in a frame, placed clear
of every building outline, of the findings' locations and clouds, and of the
other tags and their leaders
(:mod:`drawcheck.reports.tag_layout`), with a leader line and a solid
arrowhead from the frame to the finding's location. Beside the drawing's
extents (right of every tag) a list gives every finding in full, "F0003 rule:
message", those without a location included. Each markup entity carries XDATA
``DRAWCHECK`` = (finding id, rule, fingerprint, role) with role one of
``cloud``, ``frame``, ``tag``, ``leader``, ``arrow``, ``list``, so tools can
map it back.

A tag's box is estimated from its text: ``TEXT_HEIGHT_M`` times the text's
width in character heights, counting ``WIDE_FACTOR`` for a CJK (full-width)
character and ``NARROW_FACTOR`` for any other (a Hei font such as SimHei has
full-width glyphs about 1.4 cap heights wide and Latin ones about 0.7), plus
``TAG_PAD`` character heights of margin on every side.

Report locations are in metres; the drawing's unit is the input's ``unit_m``
(metres per drawing unit), so drawing coordinates = metres / ``unit_m``. For a
submission without DXF (IFC only) a new drawing in metres is made from the
report's ``plan`` section, and a note in it says so. Output is deterministic:
header dates and GUIDs come from the original drawing (and the report), not
from the clock, and tags are placed in report order by a fixed search.
"""

from __future__ import annotations

import hashlib
import io
import math
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import ezdxf
import shapely
from ezdxf import bbox, revcloud
from ezdxf.document import CREATED_BY_EZDXF, Drawing
from ezdxf.enums import TextEntityAlignment
from ezdxf.tools.codepage import tocodepage

from .tag_layout import Placement, place_tags

LAYER = "DRAWCHECK-REVIEW"
LAYER_COLOR = 1  # red (ACI)
APPID = "DRAWCHECK"
STYLE = "DRAWCHECK"
#: SimHei ships with every Chinese Windows and holds the CJK glyphs the messages need.
STYLE_FONT = "simhei.ttf"
PAD_M = 2.0  # cloud margin around a finding's location
NEST_M = 1.0  # extra margin per further finding at the same place, so coinciding clouds stay apart
SEGMENT_M = 2.0  # revision cloud arc length
MAX_ARCS = 400  # per cloud: long locations get longer arcs instead of thousands of them
TEXT_HEIGHT_M = 1.5  # 3 mm on paper at 1:500, the usual site-plan scale
LIST_WIDTH_M = 60.0  # MTEXT column width of the list beside the drawing; lines wrap beyond it
GAP_M = 1.0  # between stacked entries of the list
WIDE_FACTOR = 1.45  # width of a full-width (CJK) character, in character heights
NARROW_FACTOR = 0.8  # width of any other character, in character heights (an average: W is wider, i narrower)
TAG_PAD = 0.4  # margin inside a tag's frame, in character heights
TAG_TEXT_MAX = 16.0  # a tag's short text is cut to this width, in character heights (about 11 CJK characters)
TAG_GAP_M = 0.5  # clearance between a tag and a building, a finding's location, another tag or leader
RING_FIRST_M = PAD_M + 1.0  # the first ring of tag positions around a finding: just outside its cloud
RING_STEP_M = 2.0  # between rings of tag positions, and between positions along a ring
ARROW_M = 1.0  # arrowhead length; its base is a third of that wide
MARGIN_M = 10.0  # between the drawing's extents and the list of findings without location
LINE_PITCH = 5.0 / 3.0  # MTEXT line pitch / char height at line spacing 1.0 (AutoCAD)
#: Header stamps kept as the original file had them (ezdxf sets $TDCREATE to now and a random
#: $FINGERPRINTGUID on load when the file's is the null GUID).
STAMPS = ("$TDCREATE", "$TDUCREATE", "$FINGERPRINTGUID")
#: Layers of a drawing made from the report's plan (IFC-only submission): the convention's layer names.
PLAN_LAYERS = {"site": ("用地红线", 6), "new": ("建筑轮廓", 7), "existing": ("周边建筑", 8),
               "roads": ("道路红线", 4), "green": ("绿地", 3), "basements": ("地下室", 8), "labels": ("标注", 7)}


def to_dxf(report: dict, root: Path) -> bytes:
    """The annotated drawing as DXF bytes (in the drawing's own encoding).

    Parameters
    ----------
    report : the drawcheck report dictionary (schema ``drawcheck/report@1``).
    root : the submission folder; DXF inputs are read from ``root / input["path"]``.

    Raises
    ------
    ValueError
        When the DXF to annotate is missing, is not the file that was checked
        (sha256 differs), or the report gives no ``unit_m`` for it.
    """
    inputs = report.get("project", {}).get("inputs", [])
    dxf_inputs = [i for i in inputs if i.get("format") in ("dxf", "dwg")]  # a DWG is marked up as the DXF it was read as
    if not dxf_inputs:
        return _plan_markup(report, "drawcheck: this submission has no DXF; drawn from the report's plan section, in metres"
                            + (f" (inputs: {', '.join(i['path'] for i in inputs)})" if inputs else ""))
    base = dxf_inputs[0]
    doc, stamps = _open_checked(Path(root) / base["path"], base)
    unit_m = base.get("unit_m")
    if not unit_m or unit_m <= 0:
        raise ValueError(f"{base['path']}: the report gives no unit_m (metres per drawing unit) for it")
    notes = []
    others = [i["path"] for i in inputs if i is not base]
    if others:
        notes.append(f"drawcheck review of {base['path']}; the submission also holds {', '.join(others)}"
                     " (their findings are marked here at their project coordinates)")
    try:
        _Markup(doc, unit_m, report).draw(notes)
        return _dxf_bytes(doc, report, stamps)
    except Exception as exc:  # a damaged drawing ezdxf read (recover) but cannot write back
        reason = " ".join(str(exc).split())[:200]
        return _plan_markup(report, f"drawcheck: {base['path']} is too damaged to be written back "
                                    f"({type(exc).__name__}: {reason}); drawn from the report's plan section, in metres")


def _plan_markup(report: dict, note: str) -> bytes:
    """The markup on a new drawing of the report's plan (metres), with ``note`` beside it."""
    doc = plan_drawing(report)
    _Markup(doc, 1.0, report).draw([note])
    return _dxf_bytes(doc, report, {k: None for k in STAMPS})


# -- reading and writing --------------------------------------------------------------------------------
def _open_checked(path: Path, row: dict) -> tuple[Drawing, dict]:
    """The drawing that was checked, and the header stamps it was saved with (ezdxf resets some on load)."""
    if not path.is_file():
        raise ValueError(f"{row['path']}: not found under {path.parent}; give the submission folder that was checked")
    data = path.read_bytes()
    if row.get("sha256") and hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise ValueError(f"{row['path']} changed since it was checked (sha256 differs): check it again")
    from ..readers.dxf_load import ReadError, load_dxf

    try:  # the reader's own load path (plain read, else recover), so what was checked can be marked up
        doc = load_dxf(path).doc
    except ReadError as exc:
        raise ValueError(str(exc)) from None
    return doc, _header_stamps(data)


def _header_stamps(data: bytes) -> dict:
    """$TDCREATE, $TDUCREATE, $FINGERPRINTGUID as the file holds them (None when absent)."""
    from ezdxf.lldxf.tagger import ascii_tags_loader, binary_tags_loader

    found = dict.fromkeys(STAMPS)
    try:
        if data.startswith(b"AutoCAD Binary DXF"):
            tags = binary_tags_loader(data)
        else:  # header values are ASCII; latin-1 decodes any byte, so the text codepage does not matter here
            tags = ascii_tags_loader(io.StringIO(data.decode("latin-1")))
        name = None
        for tag in tags:
            if tag == (0, "ENDSEC"):
                break
            if tag.code == 9:
                name = tag.value
            elif name in found:
                found[name] = float(tag.value) if name.startswith("$TD") else str(tag.value)
                name = None
            else:
                name = None
    except Exception:  # a damaged header (recover read it): leave the stamps as loaded
        return {}
    return found


def _dxf_bytes(doc: Drawing, report: dict, stamps: dict) -> bytes:
    """Write without the clock: ezdxf stamps $TDUPDATE and a random $VERSIONGUID on save.

    $TDUPDATE stays the original's unless the report has a timestamp; $VERSIONGUID is derived
    from the report (the same report and drawing give the same file)."""
    keep = {k: doc.header.get(k) for k in ("$TDUPDATE", "$TDUUPDATE")} | stamps
    if report.get("timestamp"):
        from datetime import datetime

        from ezdxf.tools import juliandate

        try:
            when = datetime.fromisoformat(report["timestamp"])
        except ValueError:
            when = None
        if when is not None:
            keep["$TDUPDATE"] = keep["$TDUUPDATE"] = juliandate(when.replace(tzinfo=None))
    seed = "\n".join([report.get("schema", ""), *(f.get("fingerprint", "") for f in report.get("findings", [])),
                      *(i.get("sha256", "") for i in report.get("project", {}).get("inputs", []))])
    guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "drawcheck-review:" + seed)).upper() + "}"

    def fixed_metadata() -> None:
        for key, value in keep.items():
            if value is not None:
                doc.header[key] = value
            elif key in doc.header:
                del doc.header[key]
        if doc.dxfversion > "AC1009":
            doc.header["$VERSIONGUID"] = guid
            if keep.get("$FINGERPRINTGUID") is None:
                doc.header["$FINGERPRINTGUID"] = guid
        doc.header["$HANDSEED"] = str(doc.entitydb.handles)
        doc.header["$DWGCODEPAGE"] = tocodepage(doc.encoding)

    doc._update_metadata = fixed_metadata  # type: ignore[method-assign]  # instance-level, this copy only
    if doc.dxfversion > "AC1009":  # ezdxf adds CLASSES in set order (hash seed): register them sorted first
        for dxftype in sorted(doc.entitydb.dxf_types_in_use()):
            doc.classes.add_class(dxftype)
    stream = io.StringIO()
    doc.write(stream)
    return doc.encode(stream.getvalue())


# -- a drawing from the report's plan (IFC-only submissions) ------------------------------------------
def _open_ring(ring: list) -> list:
    pts = [(float(x), float(y)) for x, y in ring]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return pts


def plan_drawing(report: dict) -> Drawing:
    """A new drawing in metres holding the report's plan section (site, buildings, roads, green, basements)."""
    doc = ezdxf.new("R2018", units=6)  # $INSUNITS 6 = metres
    tool = report.get("tool", {})
    # ezdxf stamps a new drawing with its version and the time; the tool and version say enough
    doc.ezdxf_metadata()[CREATED_BY_EZDXF] = (f"{ezdxf.__version__} for {tool.get('name', 'drawcheck')} "
                                                f"{tool.get('version', '')}".strip())
    for name, color in PLAN_LAYERS.values():
        if name not in doc.layers:
            doc.layers.add(name, color=color)
    msp = doc.modelspace()
    plan = report.get("plan") or {}

    def areas(layer: str, areas_list) -> None:
        for area in areas_list or []:
            for ring in area:
                pts = _open_ring(ring)
                if len(pts) >= 2:
                    msp.add_lwpolyline(pts, close=True, dxfattribs={"layer": layer})

    areas(PLAN_LAYERS["site"][0], plan.get("site"))
    areas(PLAN_LAYERS["green"][0], plan.get("green"))
    areas(PLAN_LAYERS["basements"][0], plan.get("basements"))
    for line in plan.get("roads") or []:
        if len(line) >= 2:
            msp.add_lwpolyline([(float(x), float(y)) for x, y in line], dxfattribs={"layer": PLAN_LAYERS["roads"][0]})
    label_layer = PLAN_LAYERS["labels"][0]
    for b in plan.get("buildings") or []:
        layer = PLAN_LAYERS["existing" if b.get("kind") == "existing" else "new"][0]
        areas(layer, b.get("parts"))
        outer = [_open_ring(part[0]) for part in b.get("parts") or [] if part]
        outer = [r for r in outer if len(r) >= 3]
        if outer:
            x, y = _label_point(max(outer, key=lambda r: abs(_ring_area(r))))
            label = msp.add_text(str(b.get("id", "")), height=TEXT_HEIGHT_M * 2, dxfattribs={"layer": label_layer})
            label.set_placement((x, y), align=TextEntityAlignment.MIDDLE_CENTER)
    return doc


def _ring_area(ring: list) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def _label_point(ring: list) -> tuple[float, float]:
    """Where to write a building's id: its outline's area centroid (vertex mean when degenerate)."""
    a = _ring_area(ring)
    if abs(a) < 1e-9:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))
    return cx / (6 * a), cy / (6 * a)


# -- the markup -------------------------------------------------------------------------------------------
@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "_Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


def _points(coords) -> list[tuple[float, float]]:
    """The finite (x, y) pairs of GeoJSON-like coordinates, however deeply nested (Point .. MultiPolygon)."""
    if not isinstance(coords, (list, tuple)) or not coords:
        return []
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in coords[:2]) and len(coords) >= 2:
        x, y = float(coords[0]), float(coords[1])
        return [(x, y)] if math.isfinite(x) and math.isfinite(y) else []
    return [p for c in coords for p in _points(c)]


def _bounds(points: list[tuple[float, float]], k: float) -> _Box | None:
    """Bounding box in drawing units (``k`` units per metre); None for no point."""
    if not points:
        return None
    xs, ys = [x * k for x, _ in points], [y * k for _, y in points]
    return _Box(min(xs), min(ys), max(xs), max(ys))


def _mtext_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("\r\n", "\n").replace("\n", "\\P")


def _display_width(text: str) -> float:
    """Width of a line in character heights (``WIDE_FACTOR`` per CJK character, ``NARROW_FACTOR`` per other)."""
    return sum(WIDE_FACTOR if unicodedata.east_asian_width(c) in "WF" else NARROW_FACTOR for c in text)


def _shorten(text: str, limit: float = TAG_TEXT_MAX) -> str:
    """``text`` on one line, cut with an ellipsis to at most ``limit`` character heights wide."""
    text = " ".join(str(text).split())
    if _display_width(text) <= limit:
        return text
    room = limit - _display_width("…")
    cut = ""
    for c in text:
        if _display_width(cut + c) > room:
            break
        cut += c
    return cut.rstrip() + "…"


def _anchor(location: dict, k: float) -> tuple[float, float] | None:
    """Where a finding's leader points (drawing units): a Point itself, a line's point halfway along it."""
    pts = [(x * k, y * k) for x, y in _points((location or {}).get("coordinates"))]
    if not pts:
        return None
    if len(pts) == 1:
        return pts[0]
    line = shapely.LineString(pts)
    if line.length == 0:
        return pts[0]
    p = line.interpolate(0.5, normalized=True)
    return p.x, p.y


def _location_geometry(location: dict, k: float):
    """A finding's location as a shapely geometry in drawing units (None without points)."""
    pts = [(x * k, y * k) for x, y in _points((location or {}).get("coordinates"))]
    if not pts:
        return None
    return shapely.Point(pts[0]) if len(pts) == 1 else shapely.LineString(pts)


def _building_outlines(report: dict, k: float) -> list:
    """Every building's parts (new and existing) as filled outer rings in drawing units, made valid."""
    out = []
    for b in (report.get("plan") or {}).get("buildings") or []:
        for part in b.get("parts") or []:
            pts = [(x * k, y * k) for x, y in _points(part[0] if part else None)]
            if len(pts) < 3:
                continue
            poly = shapely.Polygon(pts)
            out.append(poly if poly.is_valid else shapely.make_valid(poly))
    return out


class _Markup:
    def __init__(self, doc: Drawing, unit_m: float, report: dict):
        self.doc, self.msp, self.report = doc, doc.modelspace(), report
        self.k = 1.0 / unit_m  # drawing units per metre
        self.r12 = doc.dxfversion <= "AC1009"
        self.h = TEXT_HEIGHT_M * self.k
        self.placed: list[_Box] = []
        self.extents = self._extents()  # before any markup is added
        if LAYER not in doc.layers:
            doc.layers.add(LAYER, color=LAYER_COLOR)
        if APPID not in doc.appids:
            doc.appids.add(APPID)
        if STYLE not in doc.styles:
            doc.styles.add(STYLE, font=STYLE_FONT)

    def _extents(self) -> _Box | None:
        try:
            ext = bbox.extents(self.msp, fast=True)
        except Exception:  # an entity ezdxf cannot bound must not cost the review its markup
            return None
        if ext.has_data and all(map(math.isfinite, (*ext.extmin, *ext.extmax))):
            return _Box(ext.extmin.x, ext.extmin.y, ext.extmax.x, ext.extmax.y)
        return None

    def _attribs(self) -> dict:
        return {"layer": LAYER}

    def _tag_xdata(self, entity, f: dict, role: str) -> None:
        entity.set_xdata(APPID, [(1000, str(f.get("id", ""))[:255]), (1000, str(f.get("rule", ""))[:255]),
                                 (1000, str(f.get("fingerprint", ""))[:255]), (1000, role)])

    def draw(self, notes: list[str]) -> None:
        findings = self.report.get("findings", [])
        boxes = [(f, _bounds(_points((f.get("location") or {}).get("coordinates")), self.k)) for f in findings]
        unlocated = [f for f, box in boxes if box is None]
        same_place: dict[tuple, int] = {}
        located = [(f, box) for f, box in boxes if box is not None]
        right = self.extents.x1 if self.extents else -math.inf
        clouds = []
        for f, box in located:
            key = tuple(round(v, 3) for v in (box.x0, box.y0, box.x1, box.y1))
            nth = same_place.get(key, 0)
            same_place[key] = nth + 1
            pad = (PAD_M + NEST_M * nth) * self.k
            cloud = _Box(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
            self._cloud(cloud, f)
            clouds.append(shapely.box(cloud.x0, cloud.y0, cloud.x1, cloud.y1))
            right = max(right, cloud.x1)
        texts = [self._short_text(f) for f, _ in located]
        sizes = [((_display_width(t) + 2 * TAG_PAD) * self.h, (1 + 2 * TAG_PAD) * self.h) for t in texts]
        anchors = [_anchor(f["location"], self.k) for f, _ in located]
        keep_clear = [_location_geometry(f["location"], self.k) for f, _ in located] + clouds
        placements = place_tags(anchors, sizes, _building_outlines(self.report, self.k) + keep_clear,
                                first_radius=RING_FIRST_M * self.k, ring_step=RING_STEP_M * self.k,
                                gap=TAG_GAP_M * self.k)
        for (f, _), text, placement in zip(located, texts, placements):
            self._leader_tag(f, text, placement)
            right = max(right, placement.box[2])
        self._list(findings, unlocated, notes, len(located), right)

    def _cloud(self, box: _Box, f: dict) -> None:
        corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
        perimeter = 2 * ((box.x1 - box.x0) + (box.y1 - box.y0))
        segment = max(SEGMENT_M * self.k, perimeter / MAX_ARCS)
        if self.r12:  # R12 has no LWPOLYLINE: the same arcs as a 2D POLYLINE
            pts = revcloud.points(corners, segment, bulge=revcloud.REQUIRED_BULGE, end_width=segment * 0.1)
            entity = self.msp.add_polyline2d([(x, y, s, e, b) for x, y, s, e, b in pts], format="xyseb",
                                             close=True, dxfattribs=self._attribs())
            entity.set_xdata(revcloud.REVCLOUD_PROPS, [(1070, 0), (1040, segment)])
            if revcloud.REVCLOUD_PROPS not in self.doc.appids:
                self.doc.appids.add(revcloud.REVCLOUD_PROPS)
        else:
            entity = revcloud.add_entity(self.msp, corners, segment, dxfattribs=self._attribs())
        self._tag_xdata(entity, f, "cloud")

    def _short_text(self, f: dict) -> str:
        """A tag's text: the finding's id and its rule's title (else its message), cut short."""
        return f"{f.get('id', '')} {_shorten(f.get('title') or f.get('message') or f.get('rule') or '')}".strip()

    def _leader_tag(self, f: dict, text: str, p: Placement) -> None:
        """The framed tag, and a leader with an arrowhead from the frame to the finding's location."""
        x0, y0, x1, y1 = p.box
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        if self.r12:
            frame = self.msp.add_polyline2d(corners, close=True, dxfattribs=self._attribs())
        else:
            frame = self.msp.add_lwpolyline(corners, close=True, dxfattribs=self._attribs())
        self._tag_xdata(frame, f, "frame")
        at = (x0 + TAG_PAD * self.h, (y0 + y1) / 2)
        attribs = {**self._attribs(), "style": STYLE}
        if self.r12:
            label = self.msp.add_text(text, height=self.h, dxfattribs=attribs)
            label.set_placement(at, align=TextEntityAlignment.MIDDLE_LEFT)
        else:
            label = self.msp.add_mtext(_mtext_escape(text), dxfattribs={**attribs, "char_height": self.h,
                                                                         "attachment_point": 4, "insert": at})
        self._tag_xdata(label, f, "tag")
        leader = self.msp.add_line(p.start, p.end, dxfattribs=self._attribs())
        self._tag_xdata(leader, f, "leader")
        (sx, sy), (ex, ey) = p.start, p.end
        length = math.hypot(ex - sx, ey - sy)
        if length > 0:
            ux, uy = (ex - sx) / length, (ey - sy) / length
            size = min(ARROW_M * self.k, length)
            bx, by = ex - ux * size, ey - uy * size
            half = size / 6
            arrow = self.msp.add_solid([(ex, ey), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)],
                                       dxfattribs=self._attribs())
            self._tag_xdata(arrow, f, "arrow")

    def _height_of(self, lines: list[str], width: float) -> float:
        rows = sum(max(1, math.ceil(_display_width(line) * self.h / width)) for line in lines)
        return rows * LINE_PITCH * self.h

    def _free_top(self, x: float, top: float, width: float, height: float) -> float:
        """The highest top <= ``top`` where a box of this size overlaps no list entry placed before."""
        for _ in range(len(self.placed) + 1):
            box = _Box(x, top - height, x + width, top)
            hits = [p for p in self.placed if p.overlaps(box)]
            if not hits:
                break
            top = min(p.y0 for p in hits) - GAP_M * self.k
        return top

    def _entry(self, lines: list[str], x: float, top: float, finding: dict | None = None) -> float:
        """A list entry: MTEXT (R12: TEXT lines) with its top-left at (x, top) or below the entries there; returns its bottom."""
        width = LIST_WIDTH_M * self.k
        height = self._height_of(lines, width)
        top = self._free_top(x, top, width, height)
        self.placed.append(_Box(x, top - height, x + width, top))
        attribs = {**self._attribs(), "style": STYLE}
        if self.r12:
            for n, line in enumerate(lines):
                text = self.msp.add_text(line, height=self.h, dxfattribs=attribs)
                text.set_placement((x, top - self.h - n * LINE_PITCH * self.h))
                if finding is not None:
                    self._tag_xdata(text, finding, "list")
        else:
            mtext = self.msp.add_mtext("\\P".join(_mtext_escape(line) for line in lines),
                                       dxfattribs={**attribs, "char_height": self.h, "width": width,
                                                   "attachment_point": 1, "insert": (x, top)})
            if finding is not None:
                self._tag_xdata(mtext, finding, "list")
        return top - height

    def _full_text(self, f: dict) -> list[str]:
        lines = [f"{f.get('id', '')} {f.get('rule', '')}: {f.get('message', '')}"]
        if f.get("message_en") and f["message_en"] != f.get("message"):
            lines.append(str(f["message_en"]))
        return lines

    def _list(self, findings: list[dict], unlocated: list[dict], notes: list[str], n_located: int,
              right: float) -> None:
        """Every finding in full, in report order, right of the drawing and of every tag."""
        ext = self.extents or self._fallback_extents()
        x = max(ext.x1, right) + MARGIN_M * self.k
        top = ext.y1
        header = [*notes, f"drawcheck review: {len(findings)} finding(s), {n_located} tagged in the drawing, "
                          f"{len(unlocated)} without location; all listed below"]
        top = self._entry(header, x, top) - GAP_M * self.k
        without = {id(f) for f in unlocated}
        for f in findings:
            lines = self._full_text(f)
            if id(f) in without:
                lines.append("(no location in the drawing)")
            top = self._entry(lines, x, top, f) - GAP_M * self.k

    def _fallback_extents(self) -> _Box:
        """No entity in the drawing: the plan and the findings' locations decide where the list goes."""
        pts = _points((self.report.get("plan") or {}).get("site"))
        for f in self.report.get("findings", []):
            pts.extend(_points((f.get("location") or {}).get("coordinates")))
        return _bounds(pts, self.k) or _Box(0.0, 0.0, 0.0, 0.0)
