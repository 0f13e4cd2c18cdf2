"""Write the drawcheck sample submissions and their hand-worked expected values.

Usage::

    python samples/generate.py [--out DIR]

writes ``DIR/residential/`` and ``DIR/compliant/`` (default ``DIR`` = this
folder), each holding ``drawcheck.toml``, ``site.dxf`` and ``expected.json``.
The output is byte-identical on every run: ezdxf's reproducible-metadata option
fixes the creation/update dates, GUIDs and the ezdxf marker, handles are
assigned in creation order, and nothing font- or clock-dependent is drawn
(no rendered DIMENSION blocks, no extents computed from text sizes).

Every drawn primitive is described below in *local metres* (site south-west
corner at 0, 0); the frame of each sample shifts and scales it into drawing
units. ``expected.json`` is worked out from the same primitive dimensions with
hand formulas (w*h, pi*r**2, rectangle overlaps), never by reading the DXF and
never by calling drawcheck. ``samples/README.md`` explains each number.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ezdxf
from ezdxf.enums import TextEntityAlignment
from ezdxf.lldxf import const

HERE = Path(__file__).resolve().parent

# Table 5.2.2 of GB 50016-2014 for fire-resistance rating 一/二级 (the default
# of every building drawn here), keyed by the two parts' columns.
FIRE_SEPARATION = {
    frozenset(["high"]): 13.0,
    frozenset(["high", "other"]): 9.0,
    frozenset(["other"]): 6.0,
}
JSON_DECIMALS = 6


# --------------------------------------------------------------------------
# reproducible DXF output
# --------------------------------------------------------------------------
@contextlib.contextmanager
def reproducible_ezdxf() -> Iterator[None]:
    """Make ezdxf write fixed dates, GUIDs and version markers while active.

    ezdxf stamps $TDCREATE/$TDUPDATE, $VERSIONGUID/$FINGERPRINTGUID and a
    "CREATED_BY_EZDXF"/"WRITTEN_BY_EZDXF" marker with the clock; its
    ``write_fixed_meta_data_for_testing`` option replaces them with constants
    (2000-01-01, the null GUID). The option must be on both when the document
    is created and when it is written; it is restored afterwards.
    """
    previous = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        yield
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = previous


def dxf_bytes(doc: ezdxf.document.Drawing) -> bytes:
    """The document as DXF text (UTF-8 for R2007+, LF line ends).

    ezdxf registers a CLASS for each entity type in use by iterating a set,
    whose order follows the string hash seed; registering them sorted first
    makes the CLASSES section independent of PYTHONHASHSEED.
    """
    for dxftype in sorted(doc.entitydb.dxf_types_in_use()):
        doc.classes.add_class(dxftype)
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode(doc.output_encoding)


def write_if_changed(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


# --------------------------------------------------------------------------
# primitives in local metres
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Rect:
    """Axis-aligned rectangle [x0, x1] x [y0, y1] in local metres."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        for name in ("x0", "y0", "x1", "y1"):
            object.__setattr__(self, name, float(getattr(self, name)))

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    def corners(self) -> list[tuple[float, float]]:
        return [(self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)]

    def contains(self, other: Rect) -> bool:
        return (self.x0 <= other.x0 and self.y0 <= other.y0
                and other.x1 <= self.x1 and other.y1 <= self.y1)

    def overlap(self, other: Rect) -> float:
        """Area of the intersection of two axis-aligned rectangles."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return max(w, 0.0) * max(h, 0.0)

    def gap(self, other: Rect) -> float:
        """Shortest distance between two disjoint axis-aligned rectangles."""
        dx = max(other.x0 - self.x1, self.x0 - other.x1, 0.0)
        dy = max(other.y0 - self.y1, self.y0 - other.y1, 0.0)
        return math.hypot(dx, dy)

    def gap_to_segment(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Distance to an axis-aligned segment a-b lying outside the rectangle."""
        return self.gap(Rect(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))


def rounded_corner_loss(r: float) -> float:
    """Area a 90-degree fillet of radius r cuts off a right-angled corner."""
    return r * r * (1.0 - math.pi / 4.0)


def fillet_bulge() -> float:
    """Bulge of a counter-clockwise 90-degree arc: tan(90 deg / 4)."""
    return math.tan(math.radians(90.0) / 4.0)


@dataclass(frozen=True)
class Frame:
    """Local metres -> drawing coordinates: (origin + p) * units_per_metre."""

    origin: tuple[float, float]  # local (0, 0) in drawing metres
    units_per_metre: float

    def xy(self, x: float, y: float) -> tuple[float, float]:
        s = self.units_per_metre
        return (round((self.origin[0] + x) * s, 6), round((self.origin[1] + y) * s, 6))

    def length(self, d: float) -> float:
        return round(d * self.units_per_metre, 6)

    def world_m(self, x: float, y: float) -> list[float]:
        """A local point in drawing coordinates, expressed in metres."""
        return [round(self.origin[0] + x, JSON_DECIMALS), round(self.origin[1] + y, JSON_DECIMALS)]


@dataclass
class Part:
    rect: Rect
    floors: int
    height: float
    use: str  # report vocabulary: residential, commercial, ancillary


@dataclass
class Building:
    name: str
    parts: list[Part]

    @property
    def outer(self) -> Rect:
        """The part every other part nests in (all samples nest parts)."""
        largest = max(self.parts, key=lambda p: p.rect.area).rect
        assert all(largest.contains(p.rect) for p in self.parts), self.name
        return largest

    @property
    def floors(self) -> int:
        return max(p.floors for p in self.parts)

    @property
    def height(self) -> float:
        return max(p.height for p in self.parts)

    def plate(self, k: int) -> float:
        """Storey-k plate: parts nest, so the union is the largest part with >= k floors."""
        return max((p.rect.area for p in self.parts if p.floors >= k), default=0.0)

    @property
    def gfa(self) -> float:
        return sum(self.plate(k) for k in range(1, self.floors + 1))

    def is_high_rise_part(self, p: Part) -> bool:
        """GB 50016 2.1.1: residential > 27 m, other civil buildings > 24 m."""
        return p.height > (27.0 if p.use == "residential" else 24.0)

    def column(self, p: Part) -> str:
        """Table 5.2.2 column of a part: 'high' (高层) or 'other' (裙房/其他, 一二级)."""
        return "high" if self.is_high_rise_part(p) else "other"

    def fire_class(self) -> str:
        """GB 50016 5.1.1 class of the building, from its tallest part."""
        top = max(self.parts, key=lambda p: p.height)
        if not self.is_high_rise_part(top):
            return "low-multi"
        if top.use == "residential":
            return "high-rise-1" if top.height > 54.0 else "high-rise-2"
        return "high-rise-1" if top.height > 50.0 else "high-rise-2"


def fire_spacing(a: Building, b: Building) -> tuple[float, float]:
    """(distance, required separation) between the nearest parts of two buildings.

    Returns the pair of parts that fails by the widest margin, else the
    nearest pair (every part pair is judged, so a tower that stands closer
    than its podium would be caught too).
    """
    worst = None
    for pa in a.parts:
        for pb in b.parts:
            d = pa.rect.gap(pb.rect)
            req = FIRE_SEPARATION[frozenset([a.column(pa), b.column(pb)])]
            key = (d - req, d)
            if worst is None or key < worst[0]:
                worst = (key, d, req)
    assert worst is not None
    return worst[1], worst[2]


def rnd(v: float) -> float:
    return round(v, JSON_DECIMALS)


# --------------------------------------------------------------------------
# drawing helpers
# --------------------------------------------------------------------------
def new_document(units: int) -> ezdxf.document.Drawing:
    doc = ezdxf.new("R2018", setup=True)
    doc.units = units
    doc.header["$MEASUREMENT"] = 1  # metric
    doc.header["$LUNITS"] = 2
    doc.header["$LUPREC"] = 3
    return doc


def add_layers(doc, layers: list[tuple[str, int]]) -> None:
    for name, color in layers:
        if name not in doc.layers:
            doc.layers.add(name, color=color)


def add_rect(msp, frame: Frame, r: Rect, layer: str):
    return msp.add_lwpolyline([frame.xy(*p) for p in r.corners()], close=True,
                              dxfattribs={"layer": layer})


def add_rect_path(hatch, frame: Frame, r: Rect, flags: int) -> None:
    hatch.paths.add_polyline_path([frame.xy(*p) for p in r.corners()], is_closed=True, flags=flags)


def add_label_text(msp, frame: Frame, text: str, x: float, y: float, layer: str, height: float,
                   align: TextEntityAlignment = TextEntityAlignment.LEFT):
    t = msp.add_text(text, height=frame.length(height), dxfattribs={"layer": layer, "style": "HZ"})
    t.set_placement(frame.xy(x, y), align=align)
    return t


def add_label_mtext(msp, frame: Frame, text: str, x: float, y: float, layer: str, height: float):
    return msp.add_mtext(text, dxfattribs={
        "layer": layer, "style": "HZ", "insert": frame.xy(x, y),
        "char_height": frame.length(height),
        "attachment_point": const.MTEXT_TOP_LEFT,
    })


def set_view(doc, frame: Frame, lo: tuple[float, float], hi: tuple[float, float]) -> None:
    """Initial view and extents from the known geometry (no font-dependent bbox)."""
    x0, y0 = frame.xy(*lo)
    x1, y1 = frame.xy(*hi)
    doc.set_modelspace_vport(height=(y1 - y0) * 1.1, center=((x0 + x1) / 2, (y0 + y1) / 2))
    doc.header["$EXTMIN"] = (x0, y0, 0.0)
    doc.header["$EXTMAX"] = (x1, y1, 0.0)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(v)


def toml_text(header_comment: str, sections: dict[str, dict]) -> str:
    lines = [f"# {line}" if line else "#" for line in header_comment.splitlines()]
    for name, body in sections.items():
        lines.append("")
        lines.append(f"[{name}]")
        for key, value in body.items():
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def json_text(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def building_rows(buildings: list[Building]) -> dict:
    rows = {}
    for b in buildings:
        rows[b.name] = {
            "floors_above": b.floors,
            "height": rnd(b.height),
            "footprint_area": rnd(b.plate(1)),
            "gfa": rnd(b.gfa),
            "fire_class": b.fire_class(),
            "parts": [{"floors": p.floors, "height": rnd(p.height), "area": rnd(p.rect.area),
                       "use": p.use, "podium": b.column(p) == "other"
                       and any(b.is_high_rise_part(q) for q in b.parts)}
                      for p in sorted(b.parts, key=lambda p: -p.rect.area)],
        }
    return rows


def spacing_rows(buildings: list[Building], existing: list[Building]) -> list[dict]:
    """Every pair (on-site x on-site, on-site x existing) within 50 m, hand distances."""
    rows = []
    pairs = [(a, b) for i, a in enumerate(buildings) for b in buildings[i + 1:]]
    pairs += [(a, e) for a in buildings for e in existing]
    for a, b in pairs:
        distance = a.outer.gap(b.outer)
        if distance <= 50.0:
            d, req = fire_spacing(a, b)
            rows.append({"a": a.name, "b": b.name, "distance": rnd(distance),
                         "fire_required": req, "fire_ok": d >= req})
    return sorted(rows, key=lambda r: (r["a"], r["b"]))


def conditions_rows(conditions: dict, values: dict) -> dict:
    """Expected outcome of each [conditions] limit against the hand values."""
    checks = {
        "far_max": ("far", "max"), "coverage_max": ("coverage", "max"),
        "height_max": ("max_height", "max"), "setback_min": ("setback_site_min", "min"),
        "road_setback_min": ("setback_road_min", "min"),
        "green_ratio_min": ("green_ratio", "min"), "parking_min": ("parking_spaces", "min"),
    }
    rows = {}
    for key, (value_key, kind) in checks.items():
        if key not in conditions:
            continue
        limit, value = conditions[key], values[value_key]
        ok = value <= limit if kind == "max" else value >= limit
        rows[key] = {"limit": limit, "value": rnd(value), "outcome": "passed" if ok else "failed"}
    return rows


def declared_rows(values: dict, names: dict[str, str], area_unit: str, count_unit: str) -> dict:
    """A declared-indicator table stating the computed values, as a designer rounds them.

    Areas with 2 decimals, FAR with 2, ratios as a percentage with 2, height
    with 1, counts whole. ``value`` is what the text means (a % divided by 100).
    """
    rows = {}
    for key, name in names.items():
        v = values[key]
        if key in ("site_area", "gfa_total", "gfa_far"):
            text, value = f"{v:.2f}{area_unit}", round(v, 2)
        elif key == "far":
            text, value = f"{v:.2f}", round(v, 2)
        elif key in ("coverage", "green_ratio"):
            pct = round(v * 100, 2)
            text, value = f"{pct:.2f}%", round(pct / 100, 6)
        elif key == "max_height":
            text, value = f"{v:.1f}m", round(v, 1)
        else:
            text, value = f"{v}{count_unit}", v
        rows[key] = {"name": name, "text": text, "value": value}
    return rows


# --------------------------------------------------------------------------
# samples/residential
# --------------------------------------------------------------------------
RES_FRAME = Frame(origin=(-3500.0, 1200.0), units_per_metre=1000.0)  # 上海城建坐标-like, mm
RES_SITE_W, RES_SITE_H, RES_FILLET = 180.0, 120.0, 20.0  # NE corner: 90-degree arc, r = 20 m
RES_ROAD_Y = -5.0           # road red line (north edge of the road), 5 m south of the site
RES_ROAD_FAR_Y = -35.0      # south edge of the 30 m road
RES_CONDITIONS = {
    "land_use": "residential",
    "far_max": 2.5,
    "coverage_max": 0.30,
    "height_max": 80.0,
    "setback_min": 5.0,
    "road_setback_min": 10.0,
    "green_ratio_min": 0.35,
    "parking_min": 40,
    "basement_in_far": False,
}
RES_BLOCK_6 = {"name": "住宅A型", "w": 32.0, "h": 12.0, "insert": (145.0, 62.0),
               "rotation": 90.0, "scale": 1.25}
RES_STALL = (2.5, 5.3)  # block 车位, metres


def residential_model() -> dict:
    """All primitives of the residential sample, in local metres."""
    b6 = RES_BLOCK_6
    s = b6["scale"]
    ix, iy = b6["insert"]
    # rotation 90 deg maps block (u, v) to (-v, u): the 32 x 12 outline becomes
    # 12*s wide (x) and 32*s long (y), lying west of and north of the insert point.
    rect6 = Rect(ix - b6["h"] * s, iy, ix, iy + b6["w"] * s)
    buildings = [
        Building("1#", [Part(Rect(10, 10, 50, 24), 18, 54.0, "residential")]),
        Building("2#", [Part(Rect(60, 10, 100, 24), 18, 54.0, "residential")]),
        Building("3#", [Part(Rect(10, 60, 50, 74), 11, 33.0, "residential")]),
        Building("4#", [Part(Rect(10, 90, 34, 105), 3, 12.0, "ancillary")]),
        Building("5#", [Part(Rect(114, 8, 174, 48), 4, 18.0, "commercial"),
                        Part(Rect(129, 18, 159, 38), 25, 75.0, "residential")]),
        Building("6#", [Part(rect6, 11, 33.0, "residential")]),
    ]
    existing = [Building("A栋", [Part(Rect(-25, 20, -10, 60), 6, 18.0, "residential")])]
    green = {
        # name: (rect, layer); holes and arcs described separately
        "G1": Rect(8, 28, 110, 56),          # HATCH on 绿地 with a paved plaza hole
        "G1_hole": Rect(48, 36, 68, 48),
        "G2": Rect(150, 55, 175, 95),        # HATCH edge path, NE corner an arc r = 10
        "G3": Rect(-2, 30, 6, 110),          # LWPOLYLINE crossing the west boundary by 2 m
        "G4": Rect(105, 95, 125, 114),       # LWPOLYLINE overlapping the central green
        "G5": Rect(5, 2, 110, 7),            # HATCH strip along the south boundary
        "GC": Rect(56, 60, 118, 110),        # 集中绿地: LWPOLYLINE + SOLID HATCH, same outline
    }
    parking = {
        "minsert_a": {"at": (12.0, 77.0), "rows": 2, "cols": 10, "rotation": 0.0},
        "minsert_b": {"at": (150.0, 49.0), "rows": 1, "cols": 8, "rotation": 0.0},
        "inserts": [((38.0 + 2.5 * i, 95.0), 0.0) for i in range(6)]
        + [((108.0, 12.0), 90.0), ((108.0, 14.5), 90.0)],
    }
    return {"buildings": buildings, "existing": existing, "green": green,
            "green_fillet": 10.0, "parking": parking, "basement": (Rect(10, 28, 110, 56), 2)}


def residential_expected(m: dict) -> dict:
    W, H, r = RES_SITE_W, RES_SITE_H, RES_FILLET
    site_area = W * H - rounded_corner_loss(r)            # = 21200 + 100*pi
    buildings: list[Building] = m["buildings"]
    footprint = sum(b.plate(1) for b in buildings)        # buildings do not overlap
    gfa_above = sum(b.gfa for b in buildings)
    base_rect, base_floors = m["basement"]
    gfa_below = base_rect.area * base_floors
    g = m["green"]
    green_area = (
        (g["G1"].area - g["G1_hole"].area)
        + (g["G2"].area - rounded_corner_loss(m["green_fillet"]))
        + g["G3"].overlap(Rect(0, 0, W, H))               # clipped by the straight west edge
        + g["G5"].area
        + g["GC"].area + g["G4"].area - g["GC"].overlap(g["G4"])
    )
    p = m["parking"]
    parking = (len(p["inserts"]) + p["minsert_a"]["rows"] * p["minsert_a"]["cols"]
               + p["minsert_b"]["rows"] * p["minsert_b"]["cols"])
    max_height = max(b.height for b in buildings)

    # setbacks: every building lies outside the NE corner square, so the arc's
    # nearest points are its end points, which lie on the straight edges too.
    edges = [((0, 0), (W, 0)), ((W, 0), (W, H - r)), ((W - r, H), (0, H)), ((0, H), (0, 0))]
    for b in buildings:
        assert b.outer.x1 <= W - r or b.outer.y1 <= H - r, b.name
    setbacks = {b.name: {
        "site_boundary": rnd(min(b.outer.gap_to_segment(*e) for e in edges)),
        "road_redline": rnd(b.outer.y0 - RES_ROAD_Y),
    } for b in buildings}

    spacing = spacing_rows(buildings, m["existing"])
    violations = [row for row in spacing if not row["fire_ok"]]
    assert [(v["a"], v["b"]) for v in violations] == [("1#", "2#")], violations
    b1, b2 = buildings[0].outer, buildings[1].outer
    # gables face each other over y in [10, 24]: the smallest tied pair is at y = 10
    min_pairs = [{
        "a": "1#", "b": "2#", "rule": "gb50016-2014:5.2.2",
        "distance": rnd(b2.x0 - b1.x1), "required": 13.0,
        "from_point": RES_FRAME.world_m(b1.x1, b1.y0), "to_point": RES_FRAME.world_m(b2.x0, b2.y0),
        "why": "1# and 2# are both residential > 27 m (high-rise): Table 5.2.2 asks 13 m",
    }]

    values = {
        "site_area": site_area, "footprint_area": footprint, "coverage": footprint / site_area,
        "gfa_above": gfa_above, "gfa_below": gfa_below, "gfa_total": gfa_above + gfa_below,
        "gfa_far": gfa_above, "far": gfa_above / site_area,
        "green_area": green_area, "green_ratio": green_area / site_area,
        "central_green_area": g["GC"].area, "max_height": max_height, "parking_spaces": parking,
        "setback_site_min": min(v["site_boundary"] for v in setbacks.values()),
        "setback_road_min": min(v["road_redline"] for v in setbacks.values()),
    }
    declared = residential_declared(values)
    return {
        "sample": "residential",
        "units": {"drawing": "mm", "insunits": 4, "values": "m, m2, ratio 0-1, count"},
        "frame": {"origin_m": list(RES_FRAME.origin),
                  "note": "drawing point = (origin_m + local) * 1000; points below are drawing metres"},
        **{k: rnd(v) for k, v in values.items() if not k.startswith("setback_")},
        "buildings": building_rows(buildings),
        "existing": building_rows(m["existing"]),
        "basements": [{"area": rnd(base_rect.area), "floors_below": base_floors, "gfa": rnd(gfa_below)}],
        "setbacks": setbacks,
        "spacing": spacing,
        "spacing_min_pairs": min_pairs,
        "declared": {k: v["value"] for k, v in declared.items()},
        "declared_text": {k: v["text"] for k, v in declared.items()},
        "mismatch": "far",
        "conditions": conditions_rows(RES_CONDITIONS, values),
    }


RES_DECLARED_NAMES = {
    "site_area": "总用地面积", "gfa_total": "总建筑面积", "gfa_far": "计容建筑面积",
    "far": "容积率", "coverage": "建筑密度", "green_ratio": "绿地率",
    "max_height": "建筑高度", "parking_spaces": "机动车停车位",
}


def residential_declared(values: dict) -> dict:
    """The 经济技术指标 table: correct to 2 decimals except 容积率 (the deliberate mismatch)."""
    rows = declared_rows(values, RES_DECLARED_NAMES, area_unit="㎡", count_unit="辆")
    # the geometry gives 2.61; the declared 2.40 would sit under far_max = 2.5
    rows["far"] = {"name": "容积率", "text": "2.40", "value": 2.40}
    return rows


def residential_dxf(m: dict, expected_values: dict) -> ezdxf.document.Drawing:
    f = RES_FRAME
    doc = new_document(units=4)  # mm
    doc.styles.add("HZ", font="simsun.ttf")
    add_layers(doc, [
        ("用地红线", 1), ("道路红线", 1), ("建筑轮廓", 4), ("周边建筑", 8),
        ("地下室", 6),
        ("绿地", 3), ("集中绿地", 3), ("停车位", 5), ("经济技术指标", 7),
        ("道路", 8), ("标注", 2), ("铺装", 9),
    ])
    doc.layers.get("用地红线").dxf.linetype = "DASHDOT"
    doc.layers.get("道路红线").dxf.linetype = "DASHED"
    msp = doc.modelspace()
    W, H, r = RES_SITE_W, RES_SITE_H, RES_FILLET

    # site boundary: counter-clockwise, NE corner a 90-degree arc (bulge tan 22.5 deg)
    site = [(0, 0, 0), (W, 0, 0), (W, H - r, fillet_bulge()), (W - r, H, 0), (0, H, 0)]
    msp.add_lwpolyline([(*f.xy(x, y), 0, 0, b) for x, y, b in site], format="xyseb", close=True,
                       dxfattribs={"layer": "用地红线"})

    # roads: red lines (role) and centre/kerb lines (no role)
    for y in (RES_ROAD_Y, RES_ROAD_FAR_Y):
        msp.add_lwpolyline([f.xy(-40, y), f.xy(220, y)], dxfattribs={"layer": "道路红线"})
    for y in (-7.0, -20.0, -33.0):
        msp.add_line(f.xy(-40, y), f.xy(220, y), dxfattribs={"layer": "道路"})
    add_label_text(msp, f, "规划路（道路红线宽30m）", 60, -18.5, "道路", 2.5)

    # buildings drawn as polylines (6# is a block below)
    bmap = {b.name: b for b in m["buildings"]}
    for name in ("1#", "2#", "3#", "4#", "5#"):
        for part in bmap[name].parts:
            add_rect(msp, f, part.rect, "建筑轮廓")
    add_label_mtext(msp, f, "1#\\P18F\\PH=54.0m\\P住宅", 12, 23.5, "建筑轮廓", 2.0)
    add_label_text(msp, f, "2# 18F H=54.0m 住宅", 80, 17, "建筑轮廓", 2.0,
                   TextEntityAlignment.MIDDLE_CENTER)
    add_label_text(msp, f, "3#", 12, 70, "建筑轮廓", 2.0)
    add_label_text(msp, f, "11F/H=33.0m、住宅", 12, 64, "建筑轮廓", 2.0)
    add_label_mtext(msp, f, "{\\fSimSun|b1|i0|c134;4#}\\P3F\\PH=12.0m\\P配套", 12, 103,
                    "建筑轮廓", 2.0)
    # podium label off the tower (the smallest containing part takes a label)
    add_label_mtext(msp, f, "5#\\P4F\\PH=18.0m\\P商业", 116, 46, "建筑轮廓", 2.0)
    add_label_mtext(msp, f, "5#\\P25F\\PH=75.0m\\P住宅", 131, 36, "建筑轮廓", 2.0)

    # 6#: INSERT of a block whose outline is on layer 0, labelled by ATTRIBs
    b6 = RES_BLOCK_6
    blk = doc.blocks.new(b6["name"], base_point=(0, 0))
    blk.add_lwpolyline([(0, 0), (f.length(b6["w"]), 0), (f.length(b6["w"]), f.length(b6["h"])),
                        (0, f.length(b6["h"]))], close=True, dxfattribs={"layer": "0"})
    # stair core on a non-role layer: not a building part
    blk.add_lwpolyline([(f.length(14), f.length(3)), (f.length(18), f.length(3)),
                        (f.length(18), f.length(9)), (f.length(14), f.length(9))],
                       close=True, dxfattribs={"layer": "标注"})
    for i, tag in enumerate(("NAME", "FLOORS", "HEIGHT", "USE")):
        blk.add_attdef(tag, insert=(f.length(2 + 7 * i), f.length(5)),
                       dxfattribs={"height": f.length(1.6), "layer": "建筑轮廓", "style": "HZ"})
    ref = msp.add_blockref(b6["name"], f.xy(*b6["insert"]), dxfattribs={
        "layer": "建筑轮廓", "rotation": b6["rotation"],
        "xscale": b6["scale"], "yscale": b6["scale"]})
    ref.add_auto_attribs({"NAME": "6#", "FLOORS": "11", "HEIGHT": "33.0", "USE": "住宅"})

    # existing neighbour, off-site to the west
    add_rect(msp, f, m["existing"][0].parts[0].rect, "周边建筑")
    add_label_mtext(msp, f, "A栋\\P6F\\PH=18.0m\\P住宅", -23, 56, "周边建筑", 2.0)

    # basement, two levels
    base_rect, _ = m["basement"]
    add_rect(msp, f, base_rect, "地下室")
    add_label_text(msp, f, "地下2层", 15, 52, "地下室", 2.0)

    # green
    g = m["green"]
    h1 = msp.add_hatch(color=3, dxfattribs={"layer": "绿地"})
    h1.set_pattern_fill("GRASS", scale=200.0)
    add_rect_path(h1, f, g["G1"], const.BOUNDARY_PATH_EXTERNAL)
    add_rect_path(h1, f, g["G1_hole"], const.BOUNDARY_PATH_OUTERMOST)
    add_rect(msp, f, g["G1_hole"], "铺装")
    add_label_text(msp, f, "中心广场", 52, 41, "铺装", 2.0)

    r2 = g["G2"]
    rg = m["green_fillet"]
    h2 = msp.add_hatch(color=3, dxfattribs={"layer": "绿地"})
    h2.set_pattern_fill("GRASS", scale=200.0)
    ep = h2.paths.add_edge_path(flags=const.BOUNDARY_PATH_EXTERNAL)
    ep.add_line(f.xy(r2.x0, r2.y0), f.xy(r2.x1, r2.y0))
    ep.add_line(f.xy(r2.x1, r2.y0), f.xy(r2.x1, r2.y1 - rg))
    ep.add_arc(f.xy(r2.x1 - rg, r2.y1 - rg), radius=f.length(rg), start_angle=0.0, end_angle=90.0)
    ep.add_line(f.xy(r2.x1 - rg, r2.y1), f.xy(r2.x0, r2.y1))
    ep.add_line(f.xy(r2.x0, r2.y1), f.xy(r2.x0, r2.y0))

    add_rect(msp, f, g["G3"], "绿地")
    add_rect(msp, f, g["G4"], "绿地")
    h5 = msp.add_hatch(color=3, dxfattribs={"layer": "绿地"})
    h5.set_pattern_fill("GRASS", scale=200.0)
    add_rect_path(h5, f, g["G5"], const.BOUNDARY_PATH_EXTERNAL)
    add_rect(msp, f, g["GC"], "集中绿地")
    hc = msp.add_hatch(color=83, dxfattribs={"layer": "集中绿地"})
    hc.set_solid_fill(color=83)
    add_rect_path(hc, f, g["GC"], const.BOUNDARY_PATH_EXTERNAL)
    add_label_text(msp, f, "集中绿地", 80, 85, "标注", 3.0)

    # parking: block 车位 (2.5 x 5.3 m on layer 0)
    sw, sl = RES_STALL
    stall = doc.blocks.new("车位", base_point=(0, 0))
    stall.add_lwpolyline([(0, 0), (f.length(sw), 0), (f.length(sw), f.length(sl)), (0, f.length(sl))],
                         close=True, dxfattribs={"layer": "0"})
    p = m["parking"]
    for key in ("minsert_a", "minsert_b"):
        spec = p[key]
        ins = msp.add_blockref("车位", f.xy(*spec["at"]), dxfattribs={"layer": "停车位"})
        ins.grid(size=(spec["rows"], spec["cols"]), spacing=(f.length(sl), f.length(sw)))
    for at, rotation in p["inserts"]:
        msp.add_blockref("车位", f.xy(*at), dxfattribs={"layer": "停车位", "rotation": rotation})

    # dimension-like markup on 标注 (no DIMENSION entity: its block depends on fonts)
    msp.add_line(f.xy(50, 30), f.xy(60, 30), dxfattribs={"layer": "标注"})
    msp.add_line(f.xy(50, 24), f.xy(50, 31), dxfattribs={"layer": "标注"})
    msp.add_line(f.xy(60, 24), f.xy(60, 31), dxfattribs={"layer": "标注"})
    add_label_text(msp, f, "10.00", 55, 30.5, "标注", 1.5, TextEntityAlignment.BOTTOM_CENTER)
    add_label_text(msp, f, "某住宅地块 总平面图 1:1000", 40, -50, "标注", 5.0)
    msp.add_line(f.xy(-35, 100), f.xy(-35, 115), dxfattribs={"layer": "标注"})
    add_label_text(msp, f, "N", -35, 116, "标注", 3.0, TextEntityAlignment.BOTTOM_CENTER)

    # 经济技术指标 table, east of the site: one row each, 8 m high
    layer = "经济技术指标"
    declared = residential_declared(expected_values)

    def colon(key: str) -> str:
        return f"{declared[key]['name']}：{declared[key]['text']}"

    rows: list[tuple[str, str | None]] = [  # (text at the left, value TEXT in the right column)
        ("主要经济技术指标", None),
        (colon("site_area"), None),
        (colon("gfa_total") + "\\P" + colon("gfa_far"), None),   # one MTEXT, two lines
        (f"地下建筑面积：{expected_values['gfa_below']:.2f}㎡", None),  # not an indicator name
        (declared["coverage"]["name"], declared["coverage"]["text"]),       # hand-drawn rows:
        (declared["green_ratio"]["name"], declared["green_ratio"]["text"]),  # name | value
        (colon("far"), None),
        (colon("max_height"), None),
        (colon("parking_spaces"), None),
        (f"集中绿地面积：{expected_values['central_green_area']:.2f}㎡", None),  # not an indicator name
    ]
    x0, x1, xv, top, row = 200.0, 275.0, 240.0, 115.0, 8.0
    for i in range(len(rows) + 1):
        msp.add_line(f.xy(x0, top - i * row), f.xy(x1, top - i * row), dxfattribs={"layer": layer})
    for x in (x0, x1):
        msp.add_line(f.xy(x, top), f.xy(x, top - len(rows) * row), dxfattribs={"layer": layer})
    msp.add_line(f.xy(xv - 2, top - 4 * row), f.xy(xv - 2, top - 6 * row), dxfattribs={"layer": layer})
    for i, (text, value) in enumerate(rows):
        baseline = top - (i + 1) * row + 2.5
        if "\\P" in text:
            add_label_mtext(msp, f, text, x0 + 2, top - i * row - 1.0, layer, 2.5)
        else:
            add_label_text(msp, f, text, x0 + 2, baseline, layer, 3.0 if i == 0 else 2.5)
        if value is not None:
            add_label_text(msp, f, value, xv, baseline, layer, 2.5)

    set_view(doc, f, (-45.0, -55.0), (280.0, 125.0))
    return doc


def residential_toml() -> str:
    return toml_text(
        "某住宅地块 — drawcheck demo submission\n"
        "(generated by samples/generate.py; do not edit).\n"
        "Conditions chosen so that FAR and parking fail and everything else passes.",
        {
            "project": {"name": "某住宅地块", "inputs": ["site.dxf"], "packs": ["gb50016-2014", "gb55037-2022", "gb50352-2019", "gb50180-2018", "gbt50353-2013", "shanghai-planning", "shanghai-greening"]},
            "site": {"latitude": 31.2333, "longitude": 121.4667, "north_angle": 0.0},
            "conditions": RES_CONDITIONS,
        },
    )


# --------------------------------------------------------------------------
# samples/compliant
# --------------------------------------------------------------------------
CMP_FRAME = Frame(origin=(1200.0, 860.0), units_per_metre=1.0)  # metres
CMP_SITE = Rect(0, 0, 100, 80)
CMP_ROAD_Y = -3.0
CMP_CONDITIONS = {
    "land_use": "residential",
    "far_max": 2.0,
    "coverage_max": 0.25,
    "height_max": 60.0,
    "setback_min": 5.0,
    "road_setback_min": 10.0,
    "green_ratio_min": 0.35,
    "parking_min": 12,
    "basement_in_far": False,
}


def compliant_model() -> dict:
    return {
        "buildings": [
            Building("1#", [Part(Rect(10, 10, 40, 22), 18, 54.0, "residential")]),
            Building("2#", [Part(Rect(10, 52, 40, 64), 18, 54.0, "residential")]),
            Building("3#", [Part(Rect(60, 10, 90, 28), 3, 12.0, "ancillary")]),
        ],
        "green": {
            "G1": Rect(50, 38, 95, 76),   # HATCH
            "G2": Rect(10, 28, 45, 46),   # LWPOLYLINE
            "G3": Rect(2, 2, 7, 78),      # LWPOLYLINE
            "G4": Rect(10, 2, 95, 7),     # HATCH
        },
        "parking": {"minsert": {"at": (62.0, 30.5), "rows": 1, "cols": 10},
                    "inserts": [(45.0 + 2.5 * i, 12.0) for i in range(4)]},
    }


def compliant_expected(m: dict) -> dict:
    site_area = CMP_SITE.area
    buildings: list[Building] = m["buildings"]
    footprint = sum(b.plate(1) for b in buildings)
    gfa_above = sum(b.gfa for b in buildings)
    green_area = sum(r.area for r in m["green"].values())  # disjoint, all inside the site
    p = m["parking"]
    parking = len(p["inserts"]) + p["minsert"]["rows"] * p["minsert"]["cols"]
    edges = [((0, 0), (100, 0)), ((100, 0), (100, 80)), ((100, 80), (0, 80)), ((0, 80), (0, 0))]
    setbacks = {b.name: {
        "site_boundary": rnd(min(b.outer.gap_to_segment(*e) for e in edges)),
        "road_redline": rnd(b.outer.y0 - CMP_ROAD_Y),
    } for b in buildings}
    spacing = spacing_rows(buildings, [])
    assert all(row["fire_ok"] for row in spacing)
    values = {
        "site_area": site_area, "footprint_area": footprint, "coverage": footprint / site_area,
        "gfa_above": gfa_above, "gfa_below": 0.0, "gfa_total": gfa_above, "gfa_far": gfa_above,
        "far": gfa_above / site_area, "green_area": green_area, "green_ratio": green_area / site_area,
        "max_height": max(b.height for b in buildings), "parking_spaces": parking,
        "setback_site_min": min(v["site_boundary"] for v in setbacks.values()),
        "setback_road_min": min(v["road_redline"] for v in setbacks.values()),
    }
    declared = compliant_declared(values)
    conditions = conditions_rows(CMP_CONDITIONS, values)
    assert all(c["outcome"] == "passed" for c in conditions.values()), conditions
    return {
        "sample": "compliant",
        "units": {"drawing": "m", "insunits": 6, "values": "m, m2, ratio 0-1, count"},
        "frame": {"origin_m": list(CMP_FRAME.origin),
                  "note": "drawing point = origin_m + local; points below are drawing metres"},
        **{k: rnd(v) for k, v in values.items() if not k.startswith("setback_")},
        "buildings": building_rows(buildings),
        "existing": {},
        "basements": [],
        "setbacks": setbacks,
        "spacing": spacing,
        "spacing_min_pairs": [],
        "declared": {k: v["value"] for k, v in declared.items()},
        "declared_text": {k: v["text"] for k, v in declared.items()},
        "mismatch": None,
        "conditions": conditions,
    }


CMP_DECLARED_NAMES = {
    "site_area": "site area", "gfa_total": "gross floor area", "gfa_far": "计容建筑面积",
    "far": "FAR", "coverage": "coverage", "green_ratio": "green ratio",
    "max_height": "building height", "parking_spaces": "parking",
}


def compliant_declared(values: dict) -> dict:
    return declared_rows(values, CMP_DECLARED_NAMES, area_unit="m2", count_unit="")


def compliant_dxf(m: dict, expected_values: dict) -> ezdxf.document.Drawing:
    f = CMP_FRAME
    doc = new_document(units=6)  # m
    doc.styles.add("HZ", font="simsun.ttf")
    add_layers(doc, [("SITE", 1), ("ROAD-REDLINE", 1), ("BLDG", 4), ("GREEN", 3),
                     ("PARKING", 5), ("INDICATORS", 7), ("ROAD", 8), ("ANNO", 2)])
    msp = doc.modelspace()
    add_rect(msp, f, CMP_SITE, "SITE")
    msp.add_lwpolyline([f.xy(-20, CMP_ROAD_Y), f.xy(120, CMP_ROAD_Y)],
                       dxfattribs={"layer": "ROAD-REDLINE"})
    msp.add_line(f.xy(-20, -12), f.xy(120, -12), dxfattribs={"layer": "ROAD"})

    for b in m["buildings"]:
        add_rect(msp, f, b.parts[0].rect, "BLDG")
    for label, y in (("1# 18F H=54.0m 住宅", 16), ("2# 18F H=54.0m 住宅", 58)):
        add_label_text(msp, f, label, 25, y, "BLDG", 1.5, TextEntityAlignment.MIDDLE_CENTER)
    add_label_mtext(msp, f, "3#\\P3F\\PH=12.0m\\P配套", 62, 26, "BLDG", 1.5)

    g = m["green"]
    for key in ("G1", "G4"):
        h = msp.add_hatch(color=3, dxfattribs={"layer": "GREEN"})
        h.set_pattern_fill("GRASS", scale=0.2)
        add_rect_path(h, f, g[key], const.BOUNDARY_PATH_EXTERNAL)
    for key in ("G2", "G3"):
        add_rect(msp, f, g[key], "GREEN")

    stall = doc.blocks.new("CAR", base_point=(0, 0))
    sw, sl = RES_STALL
    stall.add_lwpolyline([(0, 0), (sw, 0), (sw, sl), (0, sl)], close=True, dxfattribs={"layer": "0"})
    p = m["parking"]
    ins = msp.add_blockref("CAR", f.xy(*p["minsert"]["at"]), dxfattribs={"layer": "PARKING"})
    ins.grid(size=(p["minsert"]["rows"], p["minsert"]["cols"]), spacing=(sl, sw))
    for at in p["inserts"]:
        msp.add_blockref("CAR", f.xy(*at), dxfattribs={"layer": "PARKING"})

    declared = compliant_declared(expected_values)
    keys = ["site_area", "gfa_total", "gfa_far", "far", "coverage", "green_ratio", "max_height",
            "parking_spaces"]
    add_label_text(msp, f, "TECHNICAL INDICATORS", 110, 78, "INDICATORS", 2.0)
    for i, key in enumerate(keys):
        d = declared[key]
        add_label_text(msp, f, f"{d['name']}: {d['text']}", 110, 74 - 4 * i, "INDICATORS", 1.5)
    add_label_text(msp, f, "compliant sample site plan 1:500", 20, -20, "ANNO", 3.0)

    set_view(doc, f, (-25.0, -25.0), (150.0, 85.0))
    return doc


def compliant_toml() -> str:
    return toml_text(
        "Compliant sample (generated by samples/generate.py; do not edit).\n"
        "Every condition is met and every fire separation is kept: drawcheck should report no error.",
        {
            "project": {"name": "Compliant sample plot", "inputs": ["site.dxf"],
                        "packs": ["gb50016-2014"]},
            "site": {"latitude": 31.2333, "longitude": 121.4667, "north_angle": 0.0},
            "conditions": CMP_CONDITIONS,
        },
    )


# --------------------------------------------------------------------------
def build_samples() -> dict[str, dict[str, bytes]]:
    """Every sample file's bytes, keyed by folder and file name."""
    out = {}
    with reproducible_ezdxf():
        for name, model_fn, expected_fn, dxf_fn, toml_fn in (
            ("residential", residential_model, residential_expected, residential_dxf, residential_toml),
            ("compliant", compliant_model, compliant_expected, compliant_dxf, compliant_toml),
        ):
            model = model_fn()
            expected = expected_fn(model)
            doc = dxf_fn(model, expected)
            out[name] = {
                "drawcheck.toml": toml_fn().encode("utf-8"),
                "site.dxf": dxf_bytes(doc),
                "expected.json": json_text(expected).encode("utf-8"),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write the samples into")
    args = ap.parse_args(argv)
    from generate_area import build_samples as area_samples  # the area-calculation sample (issue 12)

    for folder, files in {**build_samples(), **area_samples()}.items():
        for fname, data in files.items():
            write_if_changed(args.out / folder / fname, data)
        print(f"{args.out / folder}: " + ", ".join(f"{k} ({len(v)} B)" for k, v in files.items()))
    import generate_dwg  # residential-dwg: the residential site plan saved as DWG (samples/generate_dwg.py)

    generate_dwg.main(["--out", str(args.out)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
