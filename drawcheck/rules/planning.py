"""Planning checks beyond the plot conditions: red lines, roads, frontage, storey-class height caps.

A building is *along a road* when some stretch of it, projected square onto
the nearest road red line, is not screened by another building (on site or
existing) lying wholly nearer that red line: the first row of buildings.
The road direction at a building is the direction of its nearest red line at
the nearest point (the chord of the 1 m of red line around it). The road
rules (第四十九/五十条) apply to new buildings along a road; retained and
existing buildings only screen.

Lengths are compared as reported (3 decimals), a value equal to a limit
passes.

References
----------
GB 50352-2019 民用建筑设计统一标准 4.3.1 (secondary source): nothing may
cross the road red line or the site boundary, above or below ground.
上海市城市规划管理技术规定 第四十九条 (verified): along roads H <= 1.5 (W + S),
W the red-line width of the road, S the setback from its red line;
第五十条 (verified): continuous frontage <= 80 m (H <= 24 m), <= 70 m
(24-60 m), <= 60 m (> 60 m).
GB 50180-2018 城市居住区规划设计标准 4.0.2 (secondary source): storey classes
低层 1-3, 多层Ⅰ类 4-6, 多层Ⅱ类 7-9, 高层Ⅰ类 10-18, 高层Ⅱ类 19-26 floors,
height caps 18/27/36/54/80 m; above 26 floors the table says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry.arrays import PolygonArrays
from ..geometry.ops import to_shapely
from ..indicators.distances import natural_key
from ..indicators.values import BuildingFigures
from ..model import Line
from ..rounding import as_reported
from .findings import finding, line_location, show
from .registry import NotApplicable, NotRun, check

#: Half-length of the stretch of red line whose chord gives the road direction at a point, m.
TANGENT_HALF = 0.5
#: Gaps narrower than this between the spans of screening buildings are closed, m.
SPAN_GAP = 1e-6
#: GB 50180-2018 4.0.2 storey classes, in the order of the pack's ``class_floors``.
STOREY_CLASSES = (("低层", "low-rise"), ("多层Ⅰ类", "multi-storey I"), ("多层Ⅱ类", "multi-storey II"),
                  ("高层Ⅰ类", "high-rise I"), ("高层Ⅱ类", "high-rise II"))


def line_geometry(line: Line) -> shapely.LineString | None:
    """A red line as a shapely LineString (arcs densified like every outline); None with fewer than 2 points."""
    pts = np.array(line.points, dtype=float)
    if len(pts) < 2:
        return None
    if not line.closed:
        pts[-1, 2] = 0.0  # an open line has no closing segment: keep it straight so it adds no vertex
    xy = PolygonArrays.from_polygons([[pts]]).densified().xy if pts[:, 2].any() else pts[:, :2]
    if line.closed:
        xy = np.vstack([xy, xy[:1]])
    return shapely.LineString(xy)


def _roads(ctx) -> list[shapely.LineString]:
    return [g for g in map(line_geometry, ctx.project.road_redlines) if g is not None]


def _outline(parts) -> shapely.Geometry:
    """Union in plan of building parts (or any objects with ``.area``)."""
    return shapely.union_all(to_shapely([p.area.rings for p in parts]))


# --- GB 50352-2019 4.3.1 ----------------------------------------------------------


@check("redline_crossing")
def redline_crossing(ctx, rule):
    """Buildings and basements crossing or beyond the site boundary (area beyond, m²), or through which a road red line runs (length inside, m)."""
    site = ctx.indicators.site
    roads = _roads(ctx)
    if site is None and not roads:
        raise NotApplicable("neither a single site boundary nor a road red line in the drawing")
    subjects = [(b.id, [pf.part for pf in b.parts]) for b in ctx.indicators.buildings]
    subjects += [(f"basement:{b.name or b.area.source.handle}", [b]) for b in ctx.project.basements]
    if not subjects:
        raise NotApplicable("no labelled building or basement on the site")
    outside = {r.a for r in ctx.indicators.setbacks if r.b == "site_boundary" and not r.inside}
    site_geom = to_shapely([site.rings])[0] if site is not None else None
    out = []
    for subject, parts in subjects:
        geom = _outline(parts)
        if site_geom is not None and (subject in outside or (subject.startswith("basement:")
                                                             and not shapely.covered_by(geom, site_geom))):
            out.append(_beyond_site(rule, subject, parts, geom, site_geom))
        inside = [_inside(road, geom) for road in roads]
        length = as_reported(sum(length for length, _ in inside), "m")
        if length > 0:
            longest = max((piece for _, piece in inside if piece is not None), key=lambda p: p.length)
            xy = shapely.get_coordinates(longest)
            out.append(finding(rule, subject=subject, line="道路红线", line_en="road red line",
                               amount=f"红线在其轮廓内长 {show(length, 'm')} m",
                               amount_en=f"the red line runs {show(length, 'm')} m inside its outline",
                               measured=length, required=0.0, unit="m", subjects=(subject,),
                               location=line_location(xy[0], xy[-1]), sources=[p.area.source for p in parts]))
    return out


def _beyond_site(rule, subject, parts, geom, site_geom):
    beyond = shapely.difference(geom, site_geom)
    area = as_reported(beyond.area, "m2")
    pieces = sorted(shapely.get_parts(beyond), key=lambda g: -g.area)
    location = None
    if pieces and isinstance(pieces[0], shapely.Polygon):
        location = {"type": "LineString", "coordinates": [list(c) for c in pieces[0].exterior.coords]}
    crossing = [p for p in parts if not shapely.covered_by(_outline([p]), site_geom)]
    return finding(rule, subject=subject, line="用地红线", line_en="site boundary",
                   amount=f"红线外面积 {show(area, 'm2')} m²", amount_en=f"{show(area, 'm2')} m2 beyond it",
                   measured=area, required=0.0, unit="m2", subjects=(subject,), location=location,
                   sources=[p.area.source for p in crossing or parts])


def _inside(road: shapely.LineString, geom) -> tuple[float, shapely.Geometry | None]:
    """Length (m) of the red line inside the outline's interior (running along a wall is not inside)."""
    through = shapely.intersection(road, geom)
    length = through.length - shapely.intersection(road, shapely.boundary(geom)).length
    pieces = [p for p in shapely.get_parts(through) if p.length > 0]
    return length, (max(pieces, key=lambda p: p.length) if pieces else None)


# --- 上海 技术规定 第四十九/五十条: buildings along roads ------------------------------


@dataclass(eq=False)
class RoadFront:
    """A building along a road, with the road's frame at its nearest point."""

    building: BuildingFigures
    geom: shapely.Geometry
    road: shapely.LineString
    origin: np.ndarray  # nearest point of the red line, m
    along: np.ndarray  # unit vector along the road
    across: np.ndarray  # unit vector square to the road, towards the building

    def span(self, geom) -> tuple[float, float, float, float]:
        """``(along min, along max, across min, across max)`` of ``geom`` in this frame, m."""
        xy = shapely.get_coordinates(geom) - self.origin
        s, t = xy @ self.along, xy @ self.across
        return float(s.min()), float(s.max()), float(t.min()), float(t.max())


def _direction(road: shapely.LineString, point: np.ndarray) -> np.ndarray:
    """Unit direction of the red line at ``point`` (the chord of TANGENT_HALF either side)."""
    d = road.project(shapely.Point(point))
    a = np.array(road.interpolate(max(d - TANGENT_HALF, 0.0)).coords[0])
    b = np.array(road.interpolate(min(d + TANGENT_HALF, road.length)).coords[0])
    norm = float(np.hypot(*(b - a)))
    return (b - a) / norm if norm > 0 else np.array([1.0, 0.0])  # a red line of zero length: any direction


def _covered(spans: list[tuple[float, float]], lo: float, hi: float) -> bool:
    reach = lo
    for a, b in sorted(spans):
        if a > reach + SPAN_GAP:
            break
        reach = max(reach, b)
    return reach >= hi - SPAN_GAP


def road_fronts(ctx) -> list[RoadFront]:
    """New buildings along a road (not screened from their nearest red line), with the road's frame."""
    roads = _roads(ctx)
    everyone = list(ctx.indicators.buildings) + list(ctx.indicators.existing)
    geoms = {id(b): _outline([pf.part for pf in b.parts]) for b in everyone}
    fronts = []
    for b in ctx.indicators.buildings:
        if b.kind != "new":
            continue
        geom = geoms[id(b)]
        road = min(roads, key=geom.distance)
        origin = np.array(shapely.shortest_line(geom, road).coords[1])
        along = _direction(road, origin)
        across = np.array([-along[1], along[0]])
        if np.dot(np.array(geom.centroid.coords[0]) - origin, across) < 0:
            across = -across
        front = RoadFront(b, geom, road, origin, along, across)
        s0, s1, t0, _ = front.span(geom)
        screens = []
        for other in everyone:
            if other is b:
                continue
            a0, a1, u0, u1 = front.span(geoms[id(other)])
            if 0.0 < u1 <= t0:  # wholly between the red line and the building
                screens.append((a0, a1))
        if not _covered(screens, s0, s1):
            fronts.append(front)
    return fronts


def _need_road(ctx) -> None:
    if not _roads(ctx):
        raise NotApplicable("no road red line (道路红线) in the drawing")


@check("road_height")
def road_height(ctx, rule):
    """Each part of a new building along a road: height H (m) <= factor x (W + S); W the manifest's road_width, S the part's setback to the red line."""
    _need_road(ctx)
    width = ctx.conditions.get("road_width")
    if width is None:
        raise NotRun("condition road_width absent from the manifest's [conditions]: the drawing shows one red line, "
                     "not the road's red-line width W")
    fronts = road_fronts(ctx)
    if not fronts:
        raise NotApplicable("no new building along the road")
    factor = float(ctx.params(rule)["height_factor"])
    out = []
    for f in fronts:
        worst = None
        for pf in f.building.parts:
            geom = _outline([pf.part])
            setback = as_reported(geom.distance(f.road), "m")
            required = as_reported(factor * (width + setback), "m")
            measured = as_reported(pf.part.height, "m")
            if measured > required and (worst is None or measured - required > worst[0]):
                worst = (measured - required, pf.part, geom, setback, required, measured)
        if worst is None:
            continue
        _, part, geom, setback, required, measured = worst
        near = shapely.get_coordinates(shapely.shortest_line(geom, f.road))
        out.append(finding(rule, building=f.building.id, width=show(float(width), "m"), setback=show(setback, "m"),
                           factor=f"{factor:g}", measured=measured, required=required, unit="m",
                           subjects=(f.building.id,), location=line_location(near[0], near[1]),
                           sources=(part.source,), extra={"road_width": float(width), "setback": setback}))
    return out


@check("road_frontage")
def road_frontage(ctx, rule):
    """Continuous frontage of new buildings along a road (footprint projected on the road direction, m; touching buildings join) against the cap for its height."""
    _need_road(ctx)
    fronts = road_fronts(ctx)
    if not fronts:
        raise NotApplicable("no new building along the road")
    params = ctx.params(rule)
    heights, caps = [float(h) for h in params["frontage_heights"]], [float(c) for c in params["frontage_max"]]
    out = []
    for group in _touching_groups(ctx, fronts):
        frame = min(group, key=lambda f: f.geom.distance(f.road))
        spans = [frame.span(f.geom) for f in group]
        lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
        measured = as_reported(hi - lo, "m")
        height = as_reported(max(f.building.height for f in group), "m")
        required = next((c for h, c in zip(heights, caps) if height <= h), caps[-1])
        if measured <= required:
            continue
        ids = tuple(sorted((f.building.id for f in group), key=natural_key))
        ends = [frame.origin + lo * frame.along, frame.origin + hi * frame.along]
        out.append(finding(rule, buildings="、".join(ids), buildings_en=", ".join(ids), height=show(height, "m"),
                           measured=measured, required=required, unit="m", subjects=ids,
                           location=line_location(*ends),
                           sources=[pf.part.source for f in group for pf in f.building.parts]))
    return out


def _touching_groups(ctx, fronts: list[RoadFront]) -> list[list[RoadFront]]:
    """Buildings along a road joined into one frontage where their footprints touch (spacing 0.000 m)."""
    by_id = {f.building.id: f for f in fronts}
    parent = {k: k for k in by_id}

    def root(k):
        while parent[k] != k:
            k = parent[k]
        return k

    for row in ctx.indicators.spacing:
        if row.a in by_id and row.b in by_id and as_reported(row.distance, "m") == 0.0:
            parent[root(row.b)] = root(row.a)
    groups: dict[str, list[RoadFront]] = {}
    for k, f in by_id.items():
        groups.setdefault(root(k), []).append(f)
    return list(groups.values())


# --- GB 50180-2018 4.0.2: height caps of the storey classes -------------------------


@check("storey_class_height")
def storey_class_height(ctx, rule):
    """A new residential building's height (m) against the cap of its storey class (floors above ground)."""
    params = ctx.params(rule)
    floors_max, caps = [int(f) for f in params["class_floors"]], [float(c) for c in params["class_height_max"]]
    residential = [b for b in ctx.indicators.buildings if b.kind == "new" and b.use == "residential"]
    if not residential:
        raise NotApplicable("no new residential building")
    beyond = [b.id for b in residential if b.floors_above > floors_max[-1]]
    judged = [b for b in residential if b.floors_above <= floors_max[-1]]
    if not judged:
        raise NotApplicable(f"residential buildings above {floors_max[-1]} floors ({', '.join(beyond)}): "
                            "Table 4.0.2 sets no height cap for them")
    out = []
    for b in judged:
        k = next(i for i, f in enumerate(floors_max) if b.floors_above <= f)
        measured = as_reported(b.height, "m")
        if measured <= caps[k]:
            continue
        name, name_en = STOREY_CLASSES[k]
        out.append(finding(rule, building=b.id, floors=b.floors_above, storey_class=name, storey_class_en=name_en,
                           measured=measured, required=caps[k], unit="m", subjects=(b.id,),
                           sources=[pf.part.source for pf in b.parts]))
    return (out, {"beyond_table": beyond}) if beyond else out
