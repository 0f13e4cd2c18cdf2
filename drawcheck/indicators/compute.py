"""Project model -> indicators (report-json.md), each a value or None with its reason.

GFA follows GB/T 50353-2013 3.0.1 (storeys below the full storey height count
half): with the numbers of the ``gbt50353-2013`` pack when it is selected
(its overrides included), else with that pack's shipped defaults, because
the area standard defines 建筑面积 whether or not its rule is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from ..geometry.arrays import PolygonArrays
from ..geometry.ops import AreaIndex, exact_union_area
from ..manifest import Consistency
from ..model import Project
from ..rounding import as_reported
from . import distances
from .area_schedules import apply_feeds, area_feeds, basis
from .buildings import AREA_PACK, StoreyRule, building_figures
from .consistency import compare, match_models
from .declared import declared_status
from .distances import natural_key
from .values import INDICATOR_UNITS, Indicator, Indicators


def compute_indicators(project: Project, conditions: Mapping[str, object] | None = None,
                       pack_params: Mapping[str, Mapping[str, object]] | None = None,
                       consistency: Consistency | None = None) -> Indicators:
    """Recompute every indicator of ``project``.

    ``conditions``: the manifest's (for basement_in_far); ``pack_params``: the
    selected packs' params by pack id (for the GB/T 50353 storey-height rule);
    ``consistency``: the manifest's drawing-model tolerances. A building both on
    the site plan and in an IFC model counts once, as the site plan gives it;
    the model's is compared with it (:mod:`.consistency`).
    """
    conditions = conditions or {}
    consistency = consistency or Consistency()
    rule = StoreyRule.from_params((pack_params or {}).get(AREA_PACK) or _shipped_area_params())
    site, site_reason = _the_site(project)
    matches = match_models(project, consistency.match_iou)
    modelled = {id(m.model) for m in matches}  # compared, not counted a second time
    buildings = [b for b in project.buildings if id(b) not in modelled] + project.existing
    parts = [p for b in buildings for p in b.parts] + project.unlabelled_parts
    index = AreaIndex([p.area.rings for p in parts])  # every part measured once
    start = np.cumsum([0] + [len(b.parts) for b in buildings])
    figures = [building_figures(b, project.basements if b.kind != "existing" else [], index,
                                range(start[k], start[k + 1]), rule) for k, b in enumerate(buildings)]
    onsite = sorted((f for f in figures if f.kind != "existing"), key=lambda f: natural_key(f.id))
    existing = sorted((f for f in figures if f.kind == "existing"), key=lambda f: natural_key(f.id))
    values: dict[str, Indicator] = {}

    def put(key: str, value, reason: str | None = None) -> None:
        values[key] = Indicator(value if reason is None else None, INDICATOR_UNITS[key], reason)

    site_area = float(PolygonArrays.from_polygons([site.rings]).areas()[0]) if site else None
    put("site_area", site_area, site_reason)

    onsite_parts = [i for k, b in enumerate(buildings) if b.kind != "existing" for i in range(start[k], start[k + 1])]
    footprint = index.union_area(onsite_parts + list(range(start[-1], len(parts))))
    put("footprint_area", footprint)
    put("coverage", footprint / site_area if site_area else None, None if site_area else site_reason)

    unlabelled = [p.source.handle for p in project.unlabelled_parts]
    gfa_reason = (f"{len(unlabelled)} building part(s) without a floor count ({', '.join(unlabelled[:5])})"
                  if unlabelled else None)
    feeds = area_feeds(project.area_schedules, onsite)  # area-calculation drawings (issue 12)
    apply_feeds(feeds, onsite)
    unmatched = [a for a in feeds if a.site_gfa is None]  # drawings of buildings the site plan does not show
    gfa_above = sum(f.gfa for f in onsite) + sum(a.above for a in unmatched)
    put("gfa_above", gfa_above, gfa_reason)
    missing_below = [b.area.source.handle for b in project.basements if b.floors_below is None]
    below_reason = (f"{len(missing_below)} basement outline(s) without floors below ground ({', '.join(missing_below[:5])})"
                    if missing_below else None)
    gfa_below = sum(f.gfa_below or 0.0 for f in onsite if f.storeys)  # BIM basement storeys
    if project.basements and not missing_below:
        basement_areas = PolygonArrays.from_polygons([b.area.rings for b in project.basements]).areas()
        gfa_below += float(sum(a * b.floors_below for a, b in zip(basement_areas, project.basements)))
    site_below = gfa_below
    gfa_below += sum(a.below for a in feeds)
    put("gfa_below", gfa_below, below_reason)
    total_reason = gfa_reason or below_reason
    put("gfa_total", gfa_above + gfa_below, total_reason)
    in_far = bool(conditions.get("basement_in_far", False))
    far_reason = gfa_reason or (below_reason if in_far else None)
    fed = {a.building for a in feeds}
    gfa_far = (sum(f.gfa for f in onsite if f.id not in fed) + (site_below if in_far else 0.0)
               + sum(a.counted for a in feeds))  # a building with an area drawing adds its 计容 area
    put("gfa_far", gfa_far, far_reason)
    put("far", gfa_far / site_area if site_area else None, far_reason or (None if site_area else site_reason))

    green_rings = [a.rings for a in project.green + project.green_central]
    if site:
        green = exact_union_area(green_rings, clip=site.rings)
        put("green_area", green)
        put("green_ratio", green / site_area if site_area else None)
    else:
        put("green_area", None, site_reason)
        put("green_ratio", None, site_reason)

    if onsite:
        put("max_height", max(f.height for f in onsite))
    else:
        put("max_height", None, "no labelled building on the site")
    put("parking_spaces", len(project.parking))
    if feeds:
        for key, what in (("gfa_above", "floor area above ground"), ("gfa_below", "floor area below ground"),
                          ("gfa_total", "floor area"), ("gfa_far", "计容 area"), ("far", "计容 area")):
            values[key].basis = basis(feeds, what)
    _compare_declared(values, project)

    result = Indicators(values, onsite, existing, site)
    result.area_feeds = feeds
    result.models = compare(matches, onsite, rule, consistency)
    result.setbacks = distances.setbacks(onsite, site, project.road_redlines)
    result.part_pairs = distances.part_pairs(onsite, existing)
    result.spacing = distances.spacing(result.part_pairs)
    return result


@lru_cache(maxsize=1)
def _shipped_area_params() -> Mapping[str, object]:
    """The shipped ``gbt50353-2013`` pack's default params (used when the pack is not selected)."""
    from ..standards.packs import load_pack_file, pack_path

    return load_pack_file(pack_path(AREA_PACK)).params


def _the_site(project: Project):
    """The one site boundary, or None with the reason (none, several)."""
    if len(project.sites) == 1:
        return project.sites[0], None
    if not project.sites:
        return None, "no closed site boundary (a 用地红线 layer outline, or an IfcSite FootPrint curve)"
    handles = ", ".join(a.source.handle for a in project.sites)
    return None, f"{len(project.sites)} site boundaries ({handles}); exactly one is expected"


def _compare_declared(values: dict[str, Indicator], project: Project) -> None:
    for key, declared in project.declared.items():
        indicator = values.get(key)
        if indicator is None:
            continue
        computed = as_reported(indicator.value, indicator.unit)  # compare what the report shows
        indicator.declared = declared.value
        indicator.status, indicator.tolerance = declared_status(computed, declared.value, indicator.unit)

