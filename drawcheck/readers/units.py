"""Drawing units of a DXF: ``--units``, else ``$INSUNITS`` checked for plausibility, else a guess.

Real drawings often declare ``$INSUNITS`` = 4 (mm) while drawn in metres, or
the reverse. The declared unit is kept unless it makes the site or the
buildings absurd (:data:`SITE_EXTENT_M`, :data:`BUILDING_EXTENT_M`) and
another of mm, cm, m makes them plausible; the drawing's own area texts (a
number inside a closed outline, as area plugins write them) then decide
between candidates and must not contradict the choice. Outlines are measured
on the model space as drawn (block content is not expanded), which is what
site and area drawings put there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .dxf_light import each_entity, runs_in
from .layers import PART_ROLES, LayerRoles

#: Site extents above this many drawing units are taken as millimetres when $INSUNITS is 0 (convention §1).
GUESS_MM_ABOVE = 20_000.0
UNIT_NAMES = {1: "in", 2: "ft", 3: "mi", 4: "mm", 5: "cm", 6: "m", 7: "km", 8: "µin", 9: "mil", 10: "yd",
              11: "Å", 12: "nm", 13: "µm", 14: "dm", 15: "dam", 16: "hm", 17: "Gm", 18: "AU", 19: "ly", 20: "pc"}
#: The units ``--units`` accepts, with their $INSUNITS codes and metres per unit.
UNIT_FLAG = {"mm": 4, "cm": 5, "m": 6}
#: Candidate units in order of preference when several are plausible (drawings are made in m or mm).
METRES_PER = {"m": 1.0, "mm": 0.001, "cm": 0.01}
#: Plausible largest extent of a site boundary, m: a plot between 10 m and 100 km across.
SITE_EXTENT_M = (10.0, 100_000.0)
#: Plausible typical (median) extent of a building outline, m: between 1 m and 2 km across.
BUILDING_EXTENT_M = (1.0, 2_000.0)
#: An area text agrees with its outline when they differ by at most this share.
AREA_TEXT_AGREEMENT = 0.01
#: Layers of area-calculation drawings (面积-计容-住宅-1 ...): their outlines are building floor plans.
_AREA_DRAWING_LAYER = re.compile(r"^\s*面积\s*[-_－—]")
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:m2|m²|㎡|平方米)?\s*$", re.IGNORECASE)


@dataclass
class Outlines:
    """Closed outlines of the model space as drawn, in drawing units."""

    site_extents: list[float]
    building_extents: list[float]
    area_pairs: list[tuple[float, float]]  # (outline area in drawing units², area text value in m²)


@dataclass
class UnitsChoice:
    """Metres per drawing unit, where that came from, and whether it is an assumption."""

    factor: float
    source: str
    assumed: bool = False


def choose_units(doc, roles: LayerRoles, override: str | None, note) -> UnitsChoice:
    """The units of ``doc``; every choice that is not the drawing's own word is said in a ``qa`` note."""
    from ezdxf import units as ezunits

    raw = doc.header.get("$INSUNITS", 0) or 0
    try:
        insunits = int(raw)
    except (TypeError, ValueError, OverflowError):  # a damaged header: read as unitless, and say so
        note("dxf-load", f"$INSUNITS is '{raw}', not a unit code; read as 0 (unitless)")
        insunits = 0
    declared = None
    if insunits:
        try:
            declared = ezunits.conversion_factor(insunits, ezunits.M)
        except Exception:
            declared = None
    name = UNIT_NAMES.get(insunits, str(insunits))
    if override:
        if declared and UNIT_FLAG[override] != insunits:
            note("units-overridden", f"--units {override} used; the drawing says $INSUNITS={insunits} ({name})")
        return UnitsChoice(METRES_PER[override], f"--units {override} (INSUNITS={insunits})")
    outlines = survey_outlines(doc, roles)
    if declared:
        return _checked(declared, f"INSUNITS={insunits} ({name})", outlines, note)
    width = _site_extent(doc, roles)
    guess = "mm" if width > GUESS_MM_ABOVE else "m"
    note("units-guessed",
         f"$INSUNITS is {insunits} (unitless): guessed {guess} from the site boundary's extent of {width:.0f} drawing units; "
         "set $INSUNITS or pass --units", severity="warning")
    return UnitsChoice(METRES_PER[guess], f"guessed {guess} from the site extent (INSUNITS={insunits})", assumed=True)


def _checked(declared: float, source: str, outlines: Outlines, note) -> UnitsChoice:
    """The declared unit, unless it is absurd and mm, cm or m is plausible (and the area texts agree).

    Several plausible units with no area text to decide: the first of m, mm, cm (the units
    drawings are made in, most common first) is used as an assumption.
    """
    problem = implausibility(declared, outlines)
    if problem is None:
        return UnitsChoice(declared, source)
    plausible = [u for u, f in METRES_PER.items() if f != declared and implausibility(f, outlines) is None]
    if outlines.area_pairs:
        agreeing = [u for u in plausible if texts_agree(METRES_PER[u], outlines.area_pairs)]
        evidence = f"{len(outlines.area_pairs)} area text(s) agree"
    else:
        agreeing, evidence = plausible, "the drawing has no area texts to confirm it"
    if not agreeing:
        why = ("no other unit makes it plausible" if not plausible else
               f"{' and '.join(plausible)} would be plausible but the area texts agree with none of them")
        note("units-implausible", f"{source} makes {problem}; {why}; read as declared: check the drawing's units "
             "or pass --units", severity="warning")
        return UnitsChoice(declared, source, assumed=True)
    unit = agreeing[0]
    if len(agreeing) > 1:
        evidence += f"; {' and '.join(agreeing[1:])} would be plausible too"
    note("units-corrected", f"{source} makes {problem}; read as {unit}, which makes the site and buildings plausible "
         f"({evidence}); pass --units to override", severity="warning")
    return UnitsChoice(METRES_PER[unit], f"{unit}, corrected from {source}",
                       assumed=not outlines.area_pairs or len(agreeing) > 1)


def implausibility(factor: float, outlines: Outlines) -> str | None:
    """Why ``factor`` metres per unit makes the outlines absurd, or None when it does not."""
    if outlines.site_extents:
        site = max(outlines.site_extents) * factor
        if not SITE_EXTENT_M[0] <= site <= SITE_EXTENT_M[1]:
            return f"the site {_metres(site)} across"
    if outlines.building_extents:
        building = float(np.median(outlines.building_extents)) * factor
        if not BUILDING_EXTENT_M[0] <= building <= BUILDING_EXTENT_M[1]:
            return f"the buildings {_metres(building)} across (median)"
    return None


def texts_agree(factor: float, pairs: list[tuple[float, float]]) -> bool:
    """True when most area texts match their outline's area at ``factor`` m per unit (within 1 %)."""
    hits = sum(abs(area * factor * factor - value) <= AREA_TEXT_AGREEMENT * value for area, value in pairs)
    return hits * 2 > len(pairs)


def _metres(value: float) -> str:
    return f"{value:.3g} m"


# -- survey -------------------------------------------------------------------------------------------
def survey_outlines(doc, roles: LayerRoles) -> Outlines:
    """Extents of closed site and building outlines, and (outline area, area text) pairs, in drawing units."""
    site, building = [], []
    polygons: list[np.ndarray] = []
    texts: list[tuple[float, float, float]] = []
    site_pieces = []  # LINE/ARC/open polylines on site layers: a boundary drawn as loose pieces
    entities = list(doc.modelspace())
    mute = {k: run for k, run in runs_in(entities).items() if not _votes(roles.role_of(run.layer), run.layer)}
    for _, e, run in each_entity(entities, mute):
        if run is not None:  # polylines that cannot vote
            continue
        try:
            layer = e.dxf.get("layer", "0")
            dxftype = e.dxftype()
            if dxftype in ("TEXT", "MTEXT"):
                found = _NUMBER.match(e.plain_text() if dxftype == "MTEXT" else e.dxf.get("text", ""))
                if found and float(found.group(1)) > 0:
                    p = e.dxf.insert
                    height = float(e.dxf.get("char_height" if dxftype == "MTEXT" else "height", 0.0) or 0.0)
                    texts.append((float(p[0]), float(p[1]), height, float(found.group(1))))
                continue
            if dxftype != "LWPOLYLINE" or not e.closed:
                if dxftype in _PIECE_TYPES and roles.role_of(layer) == "site":
                    site_pieces.append(e)
                continue
            role = roles.role_of(layer)
            if not _votes(role, layer):
                continue
            xy = np.array(e.get_points("xy"), dtype=float).reshape(-1, 2)
        except Exception:  # a damaged entity: the walk reports it; it does not vote on units
            continue
        if len(xy) < 3 or not np.isfinite(xy).all():
            continue
        extent = float(np.ptp(xy, axis=0).max())
        (site if role == "site" else building).append(extent)
        polygons.append(xy)
    if not site and site_pieces:
        site.append(_extent(site_pieces))
    return Outlines(site, building, _area_pairs(polygons, texts))


def _votes(role: str | None, layer: str) -> bool:
    """Whether a closed LWPOLYLINE on ``layer`` (``role``) votes (an open one only when the site's)."""
    return role == "site" or role in PART_ROLES or bool(_AREA_DRAWING_LAYER.match(layer))


#: Entity types a site boundary drawn as loose pieces is made of.
_PIECE_TYPES = frozenset({"LINE", "ARC", "LWPOLYLINE", "POLYLINE"})


def _extent(entities) -> float:
    """Largest extent of ``entities`` together, drawing units (0 when they have none)."""
    from ezdxf import bbox

    try:
        box = bbox.extents(entities, fast=True)
    except Exception:
        return 0.0
    return float(max(box.size.x, box.size.y)) if box.has_data else 0.0


def _area_pairs(polygons: list[np.ndarray], texts: list[tuple[float, float, float, float]]) -> list[tuple[float, float]]:
    """Each number text with the outline it labels (shoelace area, drawing units²).

    The smallest outline containing the text or within two text heights of it (plugins write
    the number inside the outline or just beside it, and a site contains its buildings' texts).
    """
    if not polygons or not texts:
        return []
    import shapely

    shapes = [shapely.Polygon(p) for p in polygons]
    tree = shapely.STRtree(shapes)
    pairs = []
    for x, y, height, value in texts:
        point = shapely.Point(x, y)
        hits = tree.query(point, predicate="dwithin", distance=2 * height) if height > 0 else \
            tree.query(point, predicate="intersects")
        if len(hits):
            pairs.append((float(min(shapes[int(i)].area for i in hits)), value))
    return pairs


def _site_extent(doc, roles: LayerRoles) -> float:
    """Largest extent of the site-layer entities (of the whole model space when none), drawing units."""
    from .dxf_entities import layer_of

    site = [e for e in doc.modelspace() if roles.role_of(layer_of(e)) == "site"]
    return _extent(site or list(doc.modelspace()))
