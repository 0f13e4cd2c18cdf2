"""The envelope's outputs: JSON (the contract), the submitted drawing with the zones as layers, an HTML plan.

JSON (``drawcheck/envelope@1``) holds one entry per height of the sweep::

    {"height": 54.0, "use": "residential", "buildable": {"area": m2, "geometry": GeoJSON, "polygons": [...]},
     "constraints": [{"rule", "subject", "distance", "basis", "basis_en", "area_removed", "zone"}], ...}

``geometry`` and ``zone`` are GeoJSON in metres (arcs as chords within
0.5 mm); ``polygons`` is the buildable zone with exact arcs, rings of
``[x, y, bulge]`` as the DXF writes them.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import shapely
from ezdxf.enums import TextEntityAlignment

from .. import __version__
from ..geometry.arc_fit import bulged_polygons
from ..rounding import as_reported
from .zones import Envelope

SCHEMA = "drawcheck/envelope@1"
#: Layers of the written drawing (one pair per height when several are swept).
ENVELOPE_LAYER = "DRAWCHECK-ENVELOPE"
CONSTRAINTS_LAYER = "DRAWCHECK-CONSTRAINTS"
#: Colour of each kind of rule in the HTML plan and the DXF (ACI), by rule id prefix.
RULE_COLOURS = (("conditions:setback_min", "#8e24aa", 6), ("conditions:road_setback_min", "#ad1457", 1),
                ("shanghai-planning:49", "#c2185b", 1), ("gb50016-2014", "#e53935", 1),
                ("gb55037-2022", "#b71c1c", 1), ("shanghai-planning:23", "#fb8c00", 30),
                ("shanghai-planning:25", "#8d6e63", 32), ("shanghai-planning:27", "#fdd835", 50),
                ("shanghai-planning:28", "#00897b", 130), ("shanghai-planning:31", "#1e88e5", 150),
                ("drawcheck:footprint", "#616161", 8))
BUILDABLE_COLOUR = ("#43a047", 3)
TEXT_HEIGHT_M = 1.5
DIGITS = 4  # decimals of GeoJSON coordinates (0.1 mm)


def colour_of(rule: str) -> tuple[str, int]:
    """HTML colour and DXF colour index of a rule's zones."""
    for prefix, html, aci in RULE_COLOURS:
        if rule.startswith(prefix):
            return html, aci
    return "#757575", 8


def geojson(geometry) -> dict:
    """A shapely (Multi)Polygon as a GeoJSON MultiPolygon, coordinates rounded to 0.1 mm."""
    polys = []
    for poly in shapely.get_parts(geometry):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        polys.append([[[round(float(x), DIGITS) + 0.0, round(float(y), DIGITS) + 0.0] for x, y in np.asarray(r.coords)[:, :2]]
                      for r in (poly.exterior, *poly.interiors)])
    return {"type": "MultiPolygon", "coordinates": polys}


def envelope_dict(env: Envelope) -> dict:
    """One height's envelope as the JSON contract has it."""
    return {
        "height": env.height,
        "use": env.use,
        "name": env.name,
        "buildable": {
            "area": as_reported(env.area, "m2"),
            "geometry": geojson(env.buildable),
            "polygons": [[[[round(float(v), 6) + 0.0 for v in p] for p in ring] for ring in poly] for poly in env.polygons],
        },
        "constraints": [{"rule": c.rule, "subject": c.subject, "distance": as_reported(c.distance, "m"),
                         "basis": c.basis, "basis_en": c.basis_en, "area_removed": as_reported(c.area_removed, "m2"),
                         "zone": geojson(shapely.intersection(c.zone, env.site))} for c in env.constraints],
        "not_applied": env.not_applied,
        "ignored_new_buildings": env.ignored,
        "sunlight_caps": env.caps,
    }


def to_json(project: str, envelopes: list[Envelope]) -> dict:
    """The envelope document: every height of the sweep, and the trade-off curve (height -> area)."""
    return {"schema": SCHEMA, "tool": {"name": "drawcheck", "version": __version__}, "project": project,
            "sweep": [{"height": e.height, "area": as_reported(e.area, "m2")} for e in envelopes],
            "envelopes": [envelope_dict(e) for e in envelopes]}


# -- sunlight caps -------------------------------------------------------------------------------------------
#: Colours of the cap bands, lowest caps first (a sequential ramp: dark = a low cap, the most constrained).
CAP_COLOURS = ("#4a148c", "#7b1fa2", "#c2185b", "#f57c00", "#fbc02d")
CAPS_LAYER = "DRAWCHECK-SUNLIGHT-CAPS"


def cap_levels(height: float) -> list[float]:
    """Contour levels of the caps (m): every 3 storeys' worth of a round step, below ``height``."""
    step = next(s for s in (3.0, 6.0, 9.0, 15.0, 30.0, 60.0) if height / s <= len(CAP_COLOURS))
    return [step * k for k in range(1, math.ceil(height / step)) if step * k < height]


def cap_regions(env: Envelope) -> list[tuple[float, shapely.Geometry]]:
    """For each level L of :func:`cap_levels`, the part of the grid whose cap is below L (m), as cell squares."""
    caps = env.caps
    if not caps or caps.get("outcome") != "computed" or not caps["cells"]:
        return []
    cells = np.array([[x, y, np.nan if h is None else h] for x, y, h in caps["cells"]], dtype=float)
    half = caps["grid"] / 2
    out = []
    for level in cap_levels(env.height):
        low = cells[np.nan_to_num(cells[:, 2], nan=np.inf) < level]
        if len(low):
            squares = shapely.box(low[:, 0] - half, low[:, 1] - half, low[:, 0] + half, low[:, 1] + half)
            out.append((level, shapely.union_all(squares)))
    return out


def cap_overlays(env: Envelope) -> list[dict]:
    """The caps as plan overlays over the buildable zone: one band per level (nested), the lowest drawn last."""
    out = [{"label": f"可建范围 buildable (H {env.height:g} m)", "fill": "#c8e6c9", "stroke": "#1b5e20",
            "polygons": geojson(env.buildable)["coordinates"]}]
    regions = cap_regions(env)
    for k in reversed(range(len(regions))):
        level, region = regions[k]
        out.append({"label": f"日照限高 cap < {level:g} m", "fill": CAP_COLOURS[k], "stroke": CAP_COLOURS[k],
                    "polygons": geojson(region)["coordinates"]})
    return out


# -- DXF ------------------------------------------------------------------------------------------------------
def _layer_names(env: Envelope, sweep: bool) -> tuple[str, str]:
    if not sweep:
        return ENVELOPE_LAYER, CONSTRAINTS_LAYER
    tag = f"-{env.height:g}M"
    return ENVELOPE_LAYER + tag, CONSTRAINTS_LAYER + tag


def _add_polygons(msp, polygons, layer: str, k: float) -> None:
    """Closed polylines with bulges, coordinates divided by ``k`` (metres per drawing unit)."""
    for poly in polygons:
        for ring in poly:
            msp.add_lwpolyline([(x / k, y / k, 0.0, 0.0, b) for x, y, b in ring], format="xyseb", close=True,
                               dxfattribs={"layer": layer})


def draw(doc, envelopes: list[Envelope], k: float) -> None:
    """Add the envelope layers to ``doc`` (drawing units: ``k`` metres each)."""
    msp = doc.modelspace()
    sweep = len(envelopes) > 1
    for env in envelopes:
        zone_layer, constraint_layer = _layer_names(env, sweep)
        if zone_layer not in doc.layers:
            doc.layers.add(zone_layer, color=BUILDABLE_COLOUR[1])
        if constraint_layer not in doc.layers:
            doc.layers.add(constraint_layer, color=7)
        _add_polygons(msp, env.polygons, zone_layer, k)
        for c in env.constraints:
            clipped = shapely.intersection(c.zone, env.site)
            if clipped.is_empty:
                continue
            polys = bulged_polygons(clipped, env.circles)
            before = len(msp)
            _add_polygons(msp, polys, constraint_layer, k)
            for e in list(msp)[before:]:
                e.dxf.color = colour_of(c.rule)[1]
            at = shapely.point_on_surface(clipped)
            text = msp.add_text(f"{c.rule} {c.subject} {c.distance:g}m", height=TEXT_HEIGHT_M / k,
                                dxfattribs={"layer": constraint_layer, "color": colour_of(c.rule)[1]})
            text.set_placement((at.x / k, at.y / k), align=TextEntityAlignment.MIDDLE_CENTER)
        regions = cap_regions(env)
        if regions:
            caps_layer = CAPS_LAYER + (f"-{env.height:g}M" if sweep else "")
            if caps_layer not in doc.layers:
                doc.layers.add(caps_layer, color=6)
            for level, region in regions:  # the contour of "cap below L", at elevation L
                for poly in shapely.get_parts(shapely.simplify(region, 0.0)):
                    for ring in (poly.exterior, *poly.interiors):
                        xy = np.asarray(ring.coords)[:-1, :2] / k
                        msp.add_lwpolyline(xy.tolist(), close=True, dxfattribs={
                            "layer": caps_layer, "elevation": level / k})
                at = shapely.point_on_surface(region)
                label = msp.add_text(f"{level:g}m", height=TEXT_HEIGHT_M / k, dxfattribs={"layer": caps_layer})
                label.set_placement((at.x / k, at.y / k), align=TextEntityAlignment.MIDDLE_CENTER)


def to_dxf(prepared, plan: dict, envelopes: list[Envelope]) -> bytes:
    """The first drawing of the submission (DXF, or the DWG as read) with the envelope layers added; a new
    drawing of the plan in metres when the submission has no drawing (IFC only)."""
    from ..readers.dxf_load import load_dxf
    from ..reports.dxf_markup import plan_drawing

    drawings = [i for i in prepared.project.inputs if i.format in ("dxf", "dwg")]
    if drawings:
        doc = load_dxf(prepared.manifest.root / drawings[0].path).doc
        k = drawings[0].unit_m or 1.0
    else:
        doc, k = plan_drawing({"plan": plan}), 1.0
    draw(doc, envelopes, k)
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode(doc.output_encoding, errors="dxfreplace")


# -- HTML -----------------------------------------------------------------------------------------------------
def overlays(env: Envelope) -> list[dict]:
    """The zones and the buildable area as plan overlays, one per rule (clipped to the site)."""
    by_rule: dict[str, list] = {}
    for c in env.constraints:
        by_rule.setdefault(c.rule, []).append(shapely.intersection(c.zone, env.site))
    out = [{"label": f"可建范围 buildable {as_reported(env.area, 'm2'):,.2f} m²", "fill": BUILDABLE_COLOUR[0],
            "stroke": "#1b5e20", "polygons": geojson(env.buildable)["coordinates"]}]
    for rule, zones in by_rule.items():
        html, _ = colour_of(rule)
        out.append({"label": rule, "fill": html, "stroke": html,
                    "polygons": geojson(shapely.union_all(zones))["coordinates"]})
    return out


def to_html(project: str, plan: dict, envelopes: list[Envelope]) -> str:
    """A standalone page: the sweep table and, per height, the plan with the zones coloured by rule."""
    import jinja2
    from markupsafe import Markup

    from ..reports.plan_svg import plan_svg

    env = jinja2.Environment(loader=jinja2.PackageLoader("drawcheck.envelope", "templates"), autoescape=True)
    views = [{"envelope": envelope_dict(e), "svg": Markup(plan_svg({"plan": plan}, overlays=overlays(e))),  # noqa: S704
              "caps_svg": Markup(plan_svg({"plan": plan}, overlays=cap_overlays(e))) if cap_regions(e) else None}
             for e in envelopes]
    return env.get_template("envelope.html.j2").render(project=project, views=views, version=__version__)


def write(out: Path, formats: list[str], project: str, prepared, plan: dict, envelopes: list[Envelope]) -> list[Path]:
    """Write ``envelope.<format>`` files into ``out``; returns their paths."""
    import json

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = out / f"envelope.{fmt}"
        if fmt == "json":
            target.write_text(json.dumps(to_json(project, envelopes), ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")
        elif fmt == "dxf":
            target.write_bytes(to_dxf(prepared, plan, envelopes))
        elif fmt == "html":
            target.write_text(to_html(project, plan, envelopes), encoding="utf-8")
        written.append(target)
    return written
