"""Area-calculation drawings (面积计算图) -> per-building area schedules.

An institute's area plugin draws, per building (one sheet in a frame, titled
e.g. ``A地块1#楼``): one cluster of closed polylines per floor plan, on layers
``面积-<class>-<use>-<coefficient>``; a floor-group text by each cluster
(``2-16,18-33``); the plugin's area texts (m², often on a frozen layer such as
``计算面积``) in or beside each polygon; a legend of short lines. This module
reads that into :class:`~drawcheck.schedules.AreaSchedule` rows and checks
it: area texts against their polygons, polygons no floor label covers,
overlapping polygons of one class within one floor. Whatever it cannot read
becomes a ``qa`` note naming the entities. Vocabulary: ``area_vocab.toml``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..geometry.arcs import SAGITTA_TOLERANCE
from ..model import Project, Source
from ..schedules import CLASS_NAMES, AreaSchedule, ScheduleRow
from .dxf_entities import DxfWalker, TextItem, clean_text
from .dxf_load import load_dxf
from .files import ReadError, check_readable, sniff
from .floor_groups import FloorGroup, FloorGroupError, looks_like_floor_group, parse_floor_group

VOCAB_FILE = Path(__file__).with_name("area_vocab.toml")
#: Polygons of one floor plan lie within this distance of each other (m); plans are drawn further apart.
CLUSTER_GAP = 2.0
#: A floor label outside every cluster's box still labels the nearest cluster within this distance (m).
LABEL_REACH = 5.0
#: An area text outside every polygon labels the nearest one within this many text heights.
TEXT_REACH_HEIGHTS = 3.0
#: An area text agrees with its polygon when they differ by at most this much after rounding (m²).
AREA_TEXT_TOLERANCE = 0.01
#: Two polygons of one class in one floor plan overlap when they share more than this (m²).
OVERLAP_TOLERANCE = 0.01
#: Units tried when the declared one makes the area texts disagree with the polygons: metres per unit.
_UNIT_CANDIDATES = {"m": 1.0, "mm": 0.001, "cm": 0.01}

_SEP = r"\s*[-_—–]\s*"
_AREA_PREFIX = re.compile(rf"^\s*面积{_SEP}")
_COEFFICIENT = re.compile(rf"{_SEP}\(?\s*(-?\d+(?:\.\d+)?)\s*\)?\s*$")
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.(\d+))?)\s*(?:m2|m²|㎡|平方米|平米)?\s*$", re.IGNORECASE)
_BUILDING_NAME = re.compile(r"([A-Za-z]?\d+[A-Za-z]?)\s*(?:#楼|号楼|#|栋|幢|座)")


@dataclass(frozen=True)
class Vocabulary:
    classes: dict[str, str]
    below_ground: frozenset[str]
    area_text_layers: frozenset[str]
    floor_label_layers: frozenset[str]
    frame_contains: tuple[str, ...]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped vocabulary (``area_vocab.toml``)."""
    from ..tomldata import loads

    data = loads(VOCAB_FILE.read_text(encoding="utf-8"))
    layers = data["layers"]
    return Vocabulary(
        classes={_normal(k): v for k, v in data["classes"].items()},
        below_ground=frozenset(_normal(u) for u in data["uses"]["below_ground"]),
        area_text_layers=frozenset(_normal(n) for n in layers["area_text"]),
        floor_label_layers=frozenset(_normal(n) for n in layers["floor_label"]),
        frame_contains=tuple(_normal(n) for n in layers["frame_contains"]),
    )


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip().casefold()


# -- layer names -----------------------------------------------------------------
@dataclass(frozen=True)
class AreaLayer:
    """A ``面积-<class>-<use>-<coefficient>`` layer, read."""

    name: str
    area_class: str  # key of schedules.CLASS_NAMES
    use: str
    coefficient: float
    coefficient_given: bool


def is_area_layer(name: str) -> bool:
    """True for a layer named ``面积-...`` (also ``面积_``, full-width dashes, spaces)."""
    return bool(_AREA_PREFIX.match(_normal(name)))


def parse_area_layer(name: str) -> AreaLayer:
    """Class, use and coefficient of an area layer; ``ValueError`` (one line) when the name does not say them."""
    rest = _AREA_PREFIX.sub("", _normal(name), count=1)
    coefficient, given = 1.0, False
    m = _COEFFICIENT.search(rest)
    if m:
        coefficient, given = float(m.group(1)), True
        rest = rest[:m.start()]
    parts = re.split(_SEP, rest, maxsplit=1)
    head, use = parts[0], (parts[1] if len(parts) > 1 else "")
    area_class = vocabulary().classes.get(head.strip())
    if area_class is None:
        known = "/".join(CLASS_NAMES.values())
        raise ValueError(f"layer {name}: class '{head.strip()}' is not one of {known}")
    if not math.isfinite(coefficient):
        raise ValueError(f"layer {name}: coefficient is not a number")
    original_use = _original_use(name, use.strip())
    return AreaLayer(name, area_class, original_use, coefficient, given)


def _original_use(name: str, use: str) -> str:
    """The use word as the layer writes it (NFKC, not case-folded), found in the name by its folded form."""
    plain = unicodedata.normalize("NFKC", name)
    at = plain.casefold().find(use)
    return plain[at:at + len(use)] if use and at >= 0 else use


#: "面积" followed by a separator, as UTF-8 and as GBK (DXF before R2007 is written in its code page).
#: "面积" + a separator in UTF-8 and in GBK (code-page drawings). GBK written as bytes: encoding it here would
#: load the CJK codec module in every check (a shared object, which a batch child's memory cap can refuse).
_MARKER_SEPARATORS = ("-", "_", "－", " ")
_GBK_AREA = b"\xc3\xe6\xbb\xfd"  # "面积".encode("gbk")
_MARKERS = tuple(("面积" + sep).encode("utf-8") for sep in _MARKER_SEPARATORS) + \
    (_GBK_AREA + b"-", _GBK_AREA + b"_", _GBK_AREA + b"\xa3\xad", _GBK_AREA + b" ")  # － is A3 AD in GBK


def may_be_area_drawing(path: Path) -> bool:
    """A quick look at the bytes: could ``path`` be an area drawing (a ``面积-`` name in it)? Then read and ask
    :func:`is_area_drawing`."""
    if sniff(path) == "dwg":  # DWG strings are bit-packed: ask ezdwg for the layer table (milliseconds)
        return any(is_area_layer(name) for name in _dwg_layer_names(path))
    overlap = max(len(m) for m in _MARKERS) - 1
    tail = b""
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                data = tail + chunk
                if any(m in data for m in _MARKERS):
                    return True
                tail = data[-overlap:]
    except OSError:
        return False
    return False


def _dwg_layer_names(path: Path) -> list[str]:
    """Layer names of a DWG through ezdwg, or [] when it cannot say."""
    try:
        import ezdwg

        return [str(getattr(layer, "name", layer)) for layer in ezdwg.read(str(path)).layers]
    except Exception:  # unreadable here: the site-plan reader reports it
        return []


def is_area_drawing_file(path: Path, max_bytes: int = 200_000_000) -> bool:
    """True when the drawing at ``path`` is an area drawing (``面积-...`` layers holding entities)."""
    return preload(path, max_bytes)[0]


def preload(path: Path, max_bytes: int = 200_000_000):
    """(is ``path`` an area drawing, the loaded drawing when telling needed it, else None).

    Only a file whose bytes (a DWG: whose layer table) hold such a name is loaded for the
    answer; the caller hands that load to the reader instead of loading twice. Any read
    problem answers (False, None): the site-plan reader then reports it.
    """
    try:
        if path.stat().st_size > max_bytes or not may_be_area_drawing(path):
            return False, None
        loaded = load_dxf(path)
    except (OSError, ReadError):
        return False, None
    return is_area_drawing(loaded.doc), loaded


def is_area_drawing(doc) -> bool:
    """True when entities lie on ``面积-<class>-...`` layers of a known class and none on a site-boundary
    layer (a site plan that happens to have such a layer stays a site plan)."""
    from .layers import LayerRoles

    roles = LayerRoles()
    found = False
    try:
        for layer in {e.dxf.get("layer", "0") for e in doc.modelspace()}:
            if roles.role_of(layer) == "site":
                return False
            if not found and is_area_layer(layer):
                try:
                    parse_area_layer(layer)
                    found = True
                except ValueError:
                    pass
    except Exception:
        return False
    return found


# -- the walk --------------------------------------------------------------------
class _Roles:
    """Walker roles for an area drawing: area layers as outlines, frames as labelled areas, texts everywhere."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def role_of(self, layer: str) -> str:
        key = _normal(layer)
        if _AREA_PREFIX.match(key):
            return "building"
        if any(word in key for word in self.vocab.frame_contains):
            return "basement"  # a part role: closed outlines and texts are both kept
        return "indicators"  # texts only


class _Walker(DxfWalker):
    """Reads frozen and off layers too: area plugins freeze their area-text layer."""

    def _find_hidden_layers(self) -> set[str]:
        return set()


@dataclass
class _Polygon:
    layer: AreaLayer
    rings: list  # drawing units until scaled
    handle: str
    area: float = 0.0  # drawing units² until scaled
    shape: object = None


@dataclass
class _Walk:
    polygons: list[_Polygon]
    frames: list[tuple[list, str]]
    texts: list[TextItem]
    bad_layers: dict[str, tuple[str, list[str]]]  # layer -> (why, handles)
    loose: list[str]  # open outlines on area layers, other than legend lines


def _walk(doc, note, factor: float, max_entities: int = 2_000_000, max_vertices: int = 20_000_000) -> _Walk:
    """The drawing's area polygons, frames and texts (drawing units); ``factor``: metres per unit, for the
    1 mm snap that joins outlines drawn as loose pieces."""
    from ..geometry.arrays import PolygonArrays
    from .loose_outlines import join_loose

    from .dxf import _dedupe, _repair_invalid, _split_hatches
    from .dxf_entities import AreaItem

    def walker_note(code: str, message: str, *args, **kw) -> None:
        if code != "open-outline":  # said below as area-open-outline, legend strokes left out
            note(code, message, *args, **kw)

    vocab = vocabulary()
    walked = _Walker(doc, _Roles(vocab), walker_note, SAGITTA_TOLERANCE / factor, max_entities, max_vertices).walk()
    area_pieces = [p for p in walked.pieces if p.role == "building"]
    joined, leftover, _ = join_loose(area_pieces, factor, note)  # outlines drawn as LINE/ARC/open pieces
    walked.areas.extend(joined)
    # a HATCH over its outline, or a copy, counts once; multi-path hatches nest; self-intersections are repaired
    # -- per layer (the same outline on two area layers, 基底 and a ground floor, is two polygons)
    areas = [AreaItem(f"{a.role}\x00{a.layer}", a.rings, a.handle, a.layer, a.dxftype, a.group) for a in walked.areas]
    areas = _dedupe(areas, note)
    _split_hatches(areas)
    _repair_invalid(areas, note)
    polygons, frames, bad = [], [], {}
    for item in areas:
        item.role = item.role.partition("\x00")[0]
        if item.role == "basement":
            frames.append((item.rings, item.handle))
            continue
        try:
            layer = parse_area_layer(item.layer)
        except ValueError as exc:
            bad.setdefault(item.layer, (str(exc), []))[1].append(item.handle)
            continue
        polygons.append(_Polygon(layer, item.rings, item.handle))
    if polygons:
        areas = PolygonArrays.from_polygons([p.rings for p in polygons]).areas()
        for p, a in zip(polygons, areas):
            p.area = float(a)
    texts = list(walked.texts)
    strokes = _legend_strokes(leftover, factor)
    loose = [h for role, h, code in walked.skipped if role == "building" and code == "open-outline"]
    loose += [p.handle for p in leftover if id(p) not in strokes]
    return _Walk(polygons, frames, texts, bad, loose)


def _legend_strokes(pieces, factor: float) -> set[int]:
    """ids of the pieces that are a legend's sample lines: straight two-point strokes touching no other piece."""
    from .loose_outlines import SNAP_M

    ends = [(id(p), p.points[k, :2]) for p in pieces for k in (0, -1)]
    snap = SNAP_M / factor
    strokes = set()
    for p in pieces:
        if len(p.points) != 2 or p.points[0, 2] != 0.0:
            continue
        touching = any(other != id(p) and min(np.hypot(*(xy - p.points[0, :2])), np.hypot(*(xy - p.points[1, :2]))) <= snap
                       for other, xy in ends)
        if not touching:
            strokes.add(id(p))
    return strokes


# -- area texts --------------------------------------------------------------------
@dataclass
class _AreaText:
    text: TextItem
    value: float
    decimals: int
    candidates: list[int]  # polygon indices: containing (smallest first), else the nearest within reach


def _area_texts(walk: _Walk) -> list[_AreaText]:
    """Number texts on area-text layers (and on area layers) with the polygons they may label."""
    import shapely

    vocab = vocabulary()
    shapes = _shapes(walk.polygons)
    tree = shapely.STRtree(shapes) if shapes else None
    out = []
    for t in walk.texts:
        layer = _normal(t.layer)
        if layer not in vocab.area_text_layers and not _AREA_PREFIX.match(layer):
            continue
        m = _NUMBER.match(unicodedata.normalize("NFKC", t.text))
        if m is None:
            continue
        candidates: list[int] = []
        if tree is not None:
            point = shapely.Point(t.x, t.y)
            candidates = sorted(tree.query(point, predicate="covered_by").tolist(),
                                key=lambda i: (walk.polygons[i].area, i))
            if not candidates:
                near = tree.query_nearest(point, max_distance=TEXT_REACH_HEIGHTS * max(t.height, 1e-9))
                candidates = sorted(near.tolist())[:1]
        out.append(_AreaText(t, float(m.group(1)), len(m.group(2) or ""), candidates))
    return out


def _shapes(polygons: list[_Polygon]) -> list:
    from ..geometry.ops import to_shapely

    if not polygons:
        return []
    if polygons[0].shape is None:
        for p, s in zip(polygons, to_shapely([p.rings for p in polygons])):
            p.shape = s
    return [p.shape for p in polygons]


def _agrees(area_m2: float, value: float, decimals: int) -> bool:
    return abs(round(area_m2, decimals) - value) <= AREA_TEXT_TOLERANCE + 1e-9


def _labelled(text: _AreaText, polygons: list[_Polygon], factor: float) -> tuple[int | None, bool]:
    """The polygon the text labels at ``factor`` m/unit, and whether they agree."""
    for i in text.candidates:
        if _agrees(polygons[i].area * factor * factor, text.value, text.decimals):
            return i, True
    return (text.candidates[0], False) if text.candidates else (None, False)


def area_text_pairs(doc) -> list[tuple[float, float]]:
    """``(polygon area in drawing units², area text value in m²)`` for every plugin area text of ``doc``.

    For a units check: the polygon is the one the text labels (the one whose
    area agrees with the text in m, mm or cm when one does, else the smallest
    containing or nearest). Empty when ``doc`` is no area drawing.
    """
    from .layers import LayerRoles
    from .units import choose_units

    quiet = lambda *a, **k: None  # noqa: E731
    walk = _walk(doc, quiet, choose_units(doc, LayerRoles(), None, quiet).factor)
    out = []
    for t in _area_texts(walk):
        if not t.candidates:
            continue
        pick = next((i for f in _UNIT_CANDIDATES.values() for i in [_labelled(t, walk.polygons, f)] if i[1]), None)
        index = pick[0] if pick else t.candidates[0]
        out.append((walk.polygons[index].area, t.value))
    return out


def _choose_units(declared: float, source: str, texts: list[_AreaText], polygons: list[_Polygon],
                  override: bool, note) -> tuple[float, str]:
    """The declared unit, unless the plugin's area texts agree with the polygons only in another one."""
    paired = [t for t in texts if t.candidates]
    if override or not paired:
        return declared, source

    def agreeing(factor: float) -> int:
        return sum(1 for t in paired if _labelled(t, polygons, factor)[1])

    n, declared_ok = len(paired), agreeing(declared)
    if 2 * declared_ok >= n:
        return declared, source
    name, factor = max(_UNIT_CANDIDATES.items(), key=lambda kv: (agreeing(kv[1]), kv[1]))
    found = agreeing(factor)
    if 2 * found <= n or found <= declared_ok:
        return declared, source
    note("area-units", f"the drawing declares {source} but {found} of {n} plugin area texts agree with their "
         f"polygons only in {name} ({declared_ok} in the declared unit): read in {name}; pass --units to override",
         severity="warning")
    return factor, f"{name} from the area texts ({source} declared)"


# -- reading -----------------------------------------------------------------------
def read_area_drawing(path: Path, input_name: str, project: Project, *, building: str | None = None,
                      units: str | None = None, max_bytes: int = 200_000_000, max_entities: int = 2_000_000,
                      max_vertices: int = 20_000_000, roles=None, loaded=None) -> float:
    """Read the area drawing at ``path`` into ``project.area_schedules`` (one schedule per sheet).

    ``building``: the building the manifest names it for (else the frame title
    names it); ``roles`` (the site plan's layer roles) is not used: area
    drawings have their own vocabulary. Returns the metres per drawing unit; raises ``ReadError`` when
    the file cannot be read at all.
    """
    from .layers import LayerRoles
    from .units import choose_units

    from .dxf import note_loaded

    check_readable(path, max_bytes)
    loaded = loaded or load_dxf(path)  # ``loaded``: the drawing :func:`preload` already read
    doc = loaded.doc

    # No location: an area drawing's coordinates are not the site plan's (renderers place locations there);
    # the sources name the entities instead.
    def note(code: str, message: str, handles=(), severity=None, subjects=()) -> None:
        project.note(code, clean_text(f"{input_name}: {message}"),
                     sources=[Source(input_name, clean_text(h)) for h in handles][:20],
                     severity=severity, subjects=tuple(subjects))

    note_loaded(loaded, input_name, project, note)
    choice = choose_units(doc, LayerRoles(), units, note)  # the site plan's units rules (units that lie)
    declared, source = choice.factor, choice.source
    if choice.assumed:
        project.assume("units", f"{input_name}: {source}")
    try:
        walk = _walk(doc, note, declared, max_entities, max_vertices)
    except ReadError as exc:
        raise ReadError(f"{input_name}: {exc}") from None
    for layer, (why, handles) in sorted(walk.bad_layers.items()):
        note("area-layer", f"{why}: its {len(handles)} polygon(s) are not counted (e.g. {', '.join(handles[:3])})",
             handles=handles, severity="warning")
    if walk.loose:
        note("area-open-outline", f"{len(walk.loose)} open outline(s) on area layers are not counted "
             f"(e.g. {', '.join(walk.loose[:3])})", handles=walk.loose, severity="warning")

    texts = _area_texts(walk)
    factor, source = _choose_units(declared, source, texts, walk.polygons, bool(units), note)
    project.units_source = f"{project.units_source}; {input_name}: {source}" if project.units_source \
        else f"{input_name}: {source}"

    _scale(walk, texts, factor)
    _check_area_texts(texts, walk.polygons, note)
    sheets = _sheets(walk, texts, note)
    for sheet in sheets:
        schedule = _schedule(sheet, input_name, building, len(sheets) == 1, note)
        if schedule is not None:
            project.area_schedules.append(schedule)
    return factor


def _scale(walk: _Walk, texts: list[_AreaText], factor: float) -> None:
    scale = np.array([factor, factor, 1.0])
    for p in walk.polygons:
        p.rings = [r * scale for r in p.rings]
        p.area *= factor * factor
        p.shape = None
    walk.frames = [([r * scale for r in rings], h) for rings, h in walk.frames]
    for t in walk.texts:
        t.x, t.y, t.height = t.x * factor, t.y * factor, t.height * factor
    _shapes(walk.polygons)


def _check_area_texts(texts: list[_AreaText], polygons: list[_Polygon], note) -> None:
    unpaired = []
    for t in texts:
        index, ok = _labelled(t, polygons, 1.0)
        if index is None:
            unpaired.append(t.text.handle)
            continue
        if not ok:
            p = polygons[index]
            shown = round(p.area, t.decimals)
            note("area-text-mismatch", f"area text '{t.text.text.strip()}' ({t.text.handle}) labels polygon {p.handle} "
                 f"on layer {p.layer.name}, whose area is {p.area:.{max(t.decimals, 2)}f} m2 ({shown:.{t.decimals}f} "
                 f"rounded as the text): they differ by {abs(shown - t.value):.2f} m2",
                 handles=(t.text.handle, p.handle), severity="warning")
    if unpaired:
        note("area-text-unpaired", f"{len(unpaired)} area text(s) lie in or beside no area polygon and were not "
             f"checked (e.g. {', '.join(unpaired[:3])})", handles=unpaired, severity="info")


# -- sheets, floor plans, schedules ------------------------------------------------------
@dataclass
class _Sheet:
    title: TextItem | None
    polygons: list[_Polygon]
    labels: list[tuple[TextItem, FloorGroup]]
    frame: str | None  # handle of the frame outline, None: the drawing without a frame


def _sheets(walk: _Walk, area_texts: list[_AreaText], note) -> list[_Sheet]:
    """Split the drawing by its outermost frames (a sheet per building); no frame: one sheet."""
    import shapely

    from ..geometry.ops import to_shapely

    frames = to_shapely([rings for rings, _ in walk.frames]) if walk.frames else []
    outer = [k for k, f in enumerate(frames)
             if not any(j != k and g.covers(f) and not f.covers(g) for j, g in enumerate(frames))]
    area_handles = {t.text.handle for t in area_texts}
    labels, titles = [], []
    vocab = vocabulary()
    for t in walk.texts:
        if t.handle in area_handles:
            continue
        on_label_layer = _normal(t.layer) in vocab.floor_label_layers
        if on_label_layer or looks_like_floor_group(t.text):
            try:
                labels.append((t, parse_floor_group(t.text)))
            except FloorGroupError as exc:
                if on_label_layer or looks_like_floor_group(t.text):
                    note("area-floor-label", f"floor label '{' '.join(t.text.split())}' ({t.handle}) on layer {t.layer} "
                         f"is not understood: {exc}; its floor plan is not counted", handles=(t.handle,), severity="warning")
            continue
        if _BUILDING_NAME.search(unicodedata.normalize("NFKC", t.text)) and not is_area_layer(t.layer):
            titles.append(t)

    def where(x: float, y: float) -> int | None:
        point = shapely.Point(x, y)
        return next((k for k in outer if frames[k].covers(point)), None)

    groups: dict[int | None, _Sheet] = {}
    for p in walk.polygons:
        c = p.shape.representative_point()
        k = where(c.x, c.y)
        groups.setdefault(k, _Sheet(None, [], [], walk.frames[k][1] if k is not None else None)).polygons.append(p)
    for t, g in labels:
        k = where(t.x, t.y)
        if k in groups:
            groups[k].labels.append((t, g))
    for k, sheet in groups.items():
        inside = [t for t in titles if where(t.x, t.y) == k]
        frame_layer = [t for t in inside if any(w in _normal(t.layer) for w in vocab.frame_contains)]
        pool = frame_layer or inside
        sheet.title = max(pool, key=lambda t: (t.height, t.handle)) if pool else None
    return [groups[k] for k in sorted(groups, key=lambda k: (k is None, -1 if k is None else k))]


def _clusters(polygons: list[_Polygon]) -> list[list[int]]:
    """Floor plans: polygons linked by gaps of at most :data:`CLUSTER_GAP`, in drawing order of their first member."""
    import shapely

    shapes = [p.shape for p in polygons]
    tree = shapely.STRtree(shapes)
    parent = list(range(len(shapes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    left, right = tree.query(shapes, predicate="dwithin", distance=CLUSTER_GAP)
    for i, j in zip(left.tolist(), right.tolist()):
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    out: dict[int, list[int]] = defaultdict(list)
    for i in range(len(shapes)):
        out[find(i)].append(i)
    return [out[k] for k in sorted(out)]


def _building_id(sheet: _Sheet, manifest_id: str | None, input_name: str, single: bool, note) -> str:
    title = " ".join(sheet.title.text.split()) if sheet.title else None
    named = _BUILDING_NAME.findall(unicodedata.normalize("NFKC", title)) if title else []
    from_title = f"{named[-1]}#" if named else None
    if manifest_id and single:
        if from_title and building_key(from_title) != building_key(manifest_id):
            note("area-drawing-building", f"the manifest names this area drawing for {manifest_id} but its title "
                 f"says '{title}'; read as {manifest_id}", handles=(sheet.title.handle,), severity="warning",
                 subjects=(manifest_id,))
        return manifest_id
    if from_title:
        return from_title
    fallback = Path(input_name).stem if single else f"{Path(input_name).stem}:{sheet.frame}"
    note("area-drawing-building", f"no title naming a building (e.g. 'A地块1#楼') found for the sheet "
         f"{'in frame ' + sheet.frame if sheet.frame else 'of the drawing'}; reported as '{fallback}' (name it in the "
         "manifest's [area_drawings])", handles=(sheet.frame,) if sheet.frame else (), severity="warning")
    return fallback


def building_key(name: str) -> str:
    """What identifies a building across drawings: ``1#``, ``1#楼``, ``1号楼`` and ``A地块1#楼`` are all ``1``."""
    found = _BUILDING_NAME.findall(unicodedata.normalize("NFKC", name))
    return found[-1].casefold() if found else " ".join(name.split()).casefold()


def _schedule(sheet: _Sheet, input_name: str, manifest_id: str | None, single: bool, note) -> AreaSchedule | None:
    """The schedule of one sheet (``single``: the drawing's only one), with its checks; None when nothing counts."""
    import shapely

    building = _building_id(sheet, manifest_id, input_name, single, note)
    clusters = _clusters(sheet.polygons)
    boxes = [shapely.box(*shapely.union_all([sheet.polygons[i].shape for i in c]).bounds) for c in clusters]
    unions = [shapely.union_all([sheet.polygons[i].shape for i in c]) for c in clusters]
    by_cluster: dict[int, list[tuple[TextItem, FloorGroup]]] = defaultdict(list)
    for t, g in sheet.labels:
        point = shapely.Point(t.x, t.y)
        k = next((k for k, b in enumerate(boxes) if b.covers(point)), None)
        if k is None:
            d, k = min((u.distance(point), k) for k, u in enumerate(unions))
            if d > LABEL_REACH:
                note("area-floor-label", f"floor label '{g.text}' ({t.handle}) lies by no floor plan (nearest "
                     f"{d:.1f} m away); not used", handles=(t.handle,), severity="info", subjects=(building,))
                continue
        by_cluster[k].append((t, g))

    rows: dict[tuple, list[_Polygon]] = defaultdict(list)
    group_of: dict[tuple, FloorGroup] = {}
    seen_floors: dict[int, str] = {}
    uncovered: list[str] = []
    for k, members in enumerate(clusters):
        found = by_cluster.get(k, [])
        distinct = list(dict.fromkeys(g.floors for _, g in found))
        if not found:
            uncovered.extend(sheet.polygons[i].handle for i in members)
            continue
        if len(distinct) > 1:
            note("area-floor-label", f"one floor plan carries {len(distinct)} different floor labels "
                 f"({', '.join(repr(g.text) for _, g in found)}); each polygon takes the nearest",
                 handles=tuple(t.handle for t, _ in found), severity="warning", subjects=(building,))
        for _, g in {g.floors: (t, g) for t, g in found}.values():
            for f in g.floors:
                if f in seen_floors and seen_floors[f] != g.text:
                    note("area-floor-label", f"floor {f} is in floor groups '{seen_floors[f]}' and '{g.text}'",
                         severity="warning", subjects=(building,))
                seen_floors.setdefault(f, g.text)
        for i in members:
            p = sheet.polygons[i]
            if len(distinct) == 1:
                g = found[0][1]
            else:
                g = min(found, key=lambda tg: (p.shape.distance(shapely.Point(tg[0].x, tg[0].y)), tg[0].handle))[1]
            key = (g.floors, p.layer.area_class, p.layer.use, p.layer.coefficient)
            rows[key].append(p)
            group_of[key] = g
        _check_overlaps([sheet.polygons[i] for i in members], building, note)
    if uncovered:
        note("area-floor-uncovered", f"{len(uncovered)} area polygon(s) lie in a floor plan without a floor label "
             f"(e.g. '2-16'); they are not counted (e.g. {', '.join(uncovered[:3])})", handles=uncovered,
             severity="warning", subjects=(building,))
    if not rows:
        return None
    below_words = vocabulary().below_ground
    schedule = AreaSchedule(building, input_name, " ".join(sheet.title.text.split()) if sheet.title else None,
                            source=Source(input_name, sheet.title.handle if sheet.title else (sheet.frame or "")))
    for key in sorted(rows, key=lambda k: (k[0][0], k[0], list(CLASS_NAMES).index(k[1]), k[2], -k[3])):
        g = group_of[key]
        polys = rows[key]
        schedule.rows.append(ScheduleRow(
            floors=g.text, floors_above=g.above, floors_below=g.below, area_class=key[1], use=key[2],
            coefficient=key[3], below_ground=_normal(key[2]) in below_words,
            area=float(sum(p.area for p in polys)), handles=tuple(p.handle for p in polys)))
    schedule.groups = list(dict.fromkeys(r.floors for r in schedule.rows))
    schedule.floors = tuple(sorted(seen_floors))
    for p in sheet.polygons:
        if not p.layer.coefficient_given:
            note("area-layer", f"layer {p.layer.name} gives no coefficient; taken as 1", handles=(p.handle,),
                 severity="info", subjects=(building,))
            break
    return schedule


def _check_overlaps(polygons: list[_Polygon], building: str, note) -> None:
    """Polygons of one class and non-negative coefficient that overlap within one floor plan."""
    for a in range(len(polygons)):
        for b in range(a + 1, len(polygons)):
            p, q = polygons[a], polygons[b]
            if p.layer.area_class != q.layer.area_class or p.layer.coefficient < 0 or q.layer.coefficient < 0:
                continue
            if not p.shape.intersects(q.shape):
                continue
            shared = p.shape.intersection(q.shape).area
            if shared > OVERLAP_TOLERANCE:
                note("area-overlap", f"polygons {p.handle} ({p.layer.name}) and {q.handle} ({q.layer.name}) of one floor "
                     f"plan overlap by {shared:.2f} m2: that area is counted twice",
                     handles=(p.handle, q.handle), severity="warning", subjects=(building,))
