"""Fire-service access: fire lanes (GB 50016 7.1.8) and rescue sites (7.2.2).

Lanes and rescue sites are area layers (convention §2). Areas of one role
that touch or overlap are one lane (one site), measured as a whole: a lane
drawn in strips is as wide as the strips together.

**Clear width** (7.1.8/width). The lane layer holds the clear lane, so every
part of it must be at least ``w`` wide. A polygon is ``w`` wide when its
erosion by a disc of radius ``w/2``

1. is not empty and keeps the polygon's topology (one piece, as many holes):
   a pinch between two posts splits it, a narrow side of a ring lane opens a
   hole to the outside; and
2. dilated again (the opening), covers the polygon except at convex corners,
   which no disc reaches whatever the width. A piece left uncovered is such
   a corner when it touches one and lies within that corner's reach (the
   distance ``r / sin(θ/2)`` from its apex to the disc tangent to both
   sides). A corner is a convex vertex, or a run of convex vertices turning
   tighter than radius ``r`` (a small fillet or chamfer), whose apex is
   where the lines before and after the run meet.

A spur, niche or bump on the lane layer narrower than ``w``, or an island
(a hole: a post, a tree pit) with less than ``w`` beside it, therefore
counts: draw it on another layer. Uncovered pieces under
:data:`RESIDUE_AREA` are drawing noise. The narrowest width is found by
bisection on ``w``; the location is a chord across the narrow place. Erosion
subtracts one capsule per boundary segment (GEOS's negative buffer drops
whole regions of densely vertexed arcs), dilation is a buffer; both keep
discs within the sagitta tolerance, so a width between two vertices may
read up to 1 mm wide.

**Size** (7.2.2/size). The largest rectangle with the required proportions
(length : width) that fits inside the site, at the orientations of its
longest edges (each as the length or the width direction); measured is that
rectangle's length. Fitting is exact for each orientation: the set of
corners from which a segment fits is the site met with its translate, less
the parallelograms every edge sweeps, applied along both sides.

**Distances** (7.1.8/distance, 7.2.2/distance) are between outlines with
the geometry kernels (nearest points as the location): every on-site
building closer than 5 m to a lane is too close (a lane farther away does not
run along that wall, and nothing is asked of it); a rescue site serves the
nearest on-site high-rise building (the nearest building when there is
none).

References
----------
GB 50016-2014 (2018年版) 7.1.8 (secondary source): fire lane clear width and
height >= 4.0 m; lane edge >= 5 m from the outer wall (宜). 7.2.2 (secondary
source): rescue site edge 5-10 m from the outer wall (>= 5 m 宜, <= 10 m
不应 exceed); size >= 15 x 10 m, >= 20 x 10 m for buildings above 50 m.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import affinity

from ..geometry.arcs import SAGITTA_TOLERANCE
from ..geometry.arrays import PolygonArrays, polygon_distances
from ..indicators.distances import natural_key
from ..indicators.values import BuildingFigures
from ..model import Area, Source
from ..rounding import DIGITS, as_reported
from .findings import finding, line_location
from .registry import NotApplicable, check

#: Pieces left uncovered smaller than this are drawing noise (a jog of a few cm), not a narrow place, m².
RESIDUE_AREA = 0.01
#: Pieces of an erosion smaller than this are numerical specks, not a part of the lane, m².
SPECK = 1e-8
#: Widths and lengths are bisected to this, m (well inside the report's mm).
BISECTION = 1e-5
#: Erosion by a slightly smaller disc than the dilation, so exact edges meet without slivers, m.
OVERLAP = 1e-6
#: Rescue-site orientations tried: the directions of this many longest edges.
ORIENTATIONS = 8
#: Half-width of the band where a chord is sought around the narrowest width, m.
LOCATE = 0.05


# -- pieces: touching areas of one role --------------------------------------
@dataclass(eq=False)
class Piece:
    """Areas of one role that touch or overlap, as one polygon (m)."""

    name: str  # the areas' handles, "2F+30"
    geom: shapely.Polygon
    areas: list[Area]

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(a.source for a in self.areas)


def pieces(areas: Sequence[Area]) -> list[Piece]:
    """Connected unions of ``areas`` (densified within the sagitta tolerance), in drawing order."""
    if not areas:
        return []
    geoms = shapely.make_valid(PolygonArrays.from_polygons([a.rings for a in areas]).to_shapely(), method="structure")
    out = []
    for geom in shapely.get_parts(shapely.union_all(geoms)):
        if not isinstance(geom, shapely.Polygon) or geom.area <= 0:
            continue
        members = [a for a, g in zip(areas, geoms) if shapely.intersects(g, geom)]
        out.append(Piece("+".join(a.source.handle for a in members), geom, members))
    return sorted(out, key=lambda p: [areas.index(a) for a in p.areas])


# -- clear width ---------------------------------------------------------------
def _quad_segs(r: float) -> int:
    """Segments per quarter circle so that a disc of radius ``r`` is within the sagitta tolerance."""
    if r <= SAGITTA_TOLERANCE:
        return 1
    return max(1, math.ceil(math.pi / (4 * math.acos(1 - SAGITTA_TOLERANCE / r))))


def _rings(geom) -> list[np.ndarray]:
    """Rings of a (multi)polygon, interior on the left, as (n, 2) arrays without the closing vertex."""
    out = []
    for poly in shapely.get_parts(geom):
        poly = shapely.orient_polygons(poly)
        out.append(np.asarray(poly.exterior.coords)[:-1, :2])
        out.extend(np.asarray(h.coords)[:-1, :2] for h in poly.interiors)
    return out


def _cross(a, b):
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _erode(geom, r: float):
    """Points of ``geom`` at least ``r`` from its boundary: less one capsule per boundary segment."""
    if r <= 0:
        return geom
    segments = [np.stack([c, np.roll(c, -1, axis=0)], axis=1) for c in _rings(geom)]
    capsules = shapely.buffer(shapely.linestrings(np.concatenate(segments)), r, quad_segs=_quad_segs(r))
    return shapely.difference(geom, shapely.union_all(capsules))


def _corners(geom, r: float) -> list[tuple[np.ndarray, float, np.ndarray]]:
    """Convex corners as (apex, reach, vertices): runs of convex vertices turning tighter than radius ``r``.

    ``reach`` is the distance from the apex to the centre of the disc of
    radius ``r`` tangent to both sides, ``r / sin(θ/2)``; a run turning half
    a circle or more (a rounded end) is no corner.
    """
    out = []
    for ring in _rings(geom):
        n = len(ring)
        step = np.roll(ring, -1, axis=0) - ring  # edge i: vertex i -> i + 1
        length = np.hypot(step[:, 0], step[:, 1])
        out_dir = step / length[:, None]
        in_dir = np.roll(out_dir, 1, axis=0)
        turn = np.arctan2(_cross(in_dir, out_dir), np.einsum("ij,ij->i", in_dir, out_dir))
        convex = turn > 1e-9
        after = np.roll(np.arange(n), -1)
        joined = convex & convex[after] & (2 * length < r * (turn + turn[after]))  # local radius < r
        if joined.all():
            continue  # the whole ring curves tighter than r
        for first in np.flatnonzero(convex & ~np.roll(joined, 1)):
            last, total, members = first, turn[first], [first]
            while joined[last]:
                last = after[last]
                total += turn[last]
                members.append(last)
            if total >= math.pi - 1e-9:
                continue
            apex = ring[first]
            if last != first:  # where the lines before and after the run meet
                apex = apex + in_dir[first] * _cross(ring[last] - ring[first], out_dir[last]) / _cross(
                    in_dir[first], out_dir[last])
            out.append((apex, r / math.sin((math.pi - total) / 2), ring[members]))
    return out


def _uncovered(geom, r: float, holes: int) -> tuple[str | None, object]:
    """Why ``geom`` (one polygon) is narrower than ``2 r`` somewhere, and where.

    ``everywhere``: the erosion is empty; ``pinch``: it splits or opens a hole
    (a neck, two posts, one narrow side of a ring); ``part``: a part of it
    the opening leaves uncovered is no corner (a spur, niche or end). None:
    it is ``2 r`` wide everywhere.
    """
    eroded = _erode(geom, r - OVERLAP)
    kept = [p for p in shapely.get_parts(eroded) if p.area > SPECK]
    if not kept:
        return "everywhere", geom
    if len(kept) != 1 or len(kept[0].interiors) != holes:
        return "pinch", eroded
    opened = shapely.buffer(kept[0], r, quad_segs=_quad_segs(r))
    left = [g for g in shapely.get_parts(shapely.difference(geom, opened)) if g.area > RESIDUE_AREA]
    if not left:
        return None, None
    corners = _corners(geom, r)
    points = shapely.points(np.concatenate([v for _, _, v in corners])) if corners else np.empty(0, dtype=object)
    owner = np.concatenate([[k] * len(v) for k, (_, _, v) in enumerate(corners)]) if corners else np.empty(0, int)
    for g in sorted(left, key=lambda g: -g.area):
        coords = shapely.get_coordinates(g)
        touching = set(owner[shapely.dwithin(g, points, 1e-6)].tolist()) if len(points) else set()
        if not any(np.hypot(*(coords - corners[k][0]).T).max() <= corners[k][1] + SAGITTA_TOLERANCE
                   for k in touching):
            return "part", g
    return None, None


@dataclass(frozen=True)
class Width:
    """Narrowest clear width of a polygon (m) and a chord across the narrow place."""

    width: float
    chord: tuple[tuple[float, float], tuple[float, float]] | None
    why: str | None  # everywhere | pinch | part (see _uncovered); None when at least the width asked


def clear_width(geom, at_least: float) -> Width:
    """``Width(at_least)`` when ``geom`` is at least ``at_least`` wide everywhere, else its narrowest width.

    The width found is the largest one that passed the test, within
    :data:`BISECTION` below the true narrowest width.
    """
    x0, y0, _, _ = geom.bounds
    local = affinity.translate(geom, -x0, -y0)  # GEOS keeps more digits near the origin
    holes = len(local.interiors)
    why, _ = _uncovered(local, at_least / 2, holes)
    if why is None:
        return Width(at_least, None, None)
    lo, hi = 0.0, at_least
    while hi - lo > BISECTION:
        mid = (lo + hi) / 2
        if _uncovered(local, mid / 2, holes)[0] is None:
            lo = mid
        else:
            hi = mid
    why, chord = _narrow_place(local, lo / 2, hi / 2, holes)
    if chord is not None:
        chord = tuple((float(x + x0), float(y + y0)) for x, y in chord)
    return Width(lo, chord, why)


def _narrow_place(geom, r_pass: float, r_fail: float, holes: int):
    """Why ``geom`` fails at ``r_fail`` and a chord across the narrow place: from the boundary point nearest a
    point of that place, through it, to the boundary beyond."""
    why, culprit = _uncovered(geom, r_fail, holes)
    if why == "pinch":  # what the erosion just lost: the bridge at the narrow place
        eta = min(LOCATE, r_pass / 2)
        before = _erode(geom, max(r_pass - eta, 0.0))
        after = shapely.buffer(_erode(geom, r_fail + eta), 2 * eta + r_fail - r_pass)
        culprit = shapely.buffer(shapely.difference(before, after), -eta / 4)  # the bridge, not slivers
    parts = [g for g in shapely.get_parts(culprit) if not g.is_empty] if culprit is not None else []
    if not parts:
        return why, None
    centre = shapely.point_on_surface(max(parts, key=lambda g: g.area))
    near = shapely.get_coordinates(shapely.shortest_line(centre, geom.boundary))[1]
    c = np.array([centre.x, centre.y])
    ahead = c - near
    span = float(np.hypot(*ahead))
    if span == 0.0:
        return why, None
    x0, y0, x1, y1 = geom.bounds
    ray = shapely.LineString([near, near + ahead / span * 2 * math.hypot(x1 - x0, y1 - y0)])
    hits = shapely.get_coordinates(shapely.intersection(ray, geom.boundary))
    hits = hits[np.hypot(*(hits - near).T) > span]  # the boundary beyond the centre, across the narrow place
    far = hits[np.argmin(np.hypot(*(hits - near).T))] if len(hits) else 2 * c - near
    return why, (tuple(near), tuple(far))


# -- rescue-site size ----------------------------------------------------------
def _erode_along(geom, dx: float, dy: float):
    """Points ``x`` of ``geom`` whose segment to ``x + (dx, dy)`` lies in it."""
    both = shapely.intersection(geom, affinity.translate(geom, -dx, -dy))
    if both.is_empty:
        return both
    shift = np.array([dx, dy])
    quads = []
    for ring in _rings(geom):
        p0, p1 = ring, np.roll(ring, -1, axis=0)
        edge = p1 - p0
        across = np.abs(_cross(edge, shift)) > 1e-12 * np.hypot(edge[:, 0], edge[:, 1]) * math.hypot(dx, dy)
        p0, p1 = p0[across], p1[across]
        quads.append(np.stack([p0, p1, p1 - shift, p0 - shift, p0], axis=1))
    sweeps = shapely.polygons(np.concatenate(quads))
    return shapely.difference(both, shapely.union_all(sweeps))


def _fit(geom, length: float, width: float):
    """Lower-left corners from which an axis-parallel ``length`` x ``width`` rectangle fits in ``geom`` (None: none)."""
    corners = _erode_along(geom, length, 0.0)
    if corners.is_empty or corners.area <= 0:
        return None
    corners = _erode_along(corners, 0.0, width)
    return None if corners.is_empty or corners.area <= 0 else corners


@dataclass(frozen=True)
class Fit:
    """The largest rectangle of given proportions that fits: its length and width (m) and long centreline."""

    length: float
    width: float
    centreline: tuple[tuple[float, float], tuple[float, float]] | None


def largest_rectangle(geom, length: float, width: float) -> Fit:
    """Largest ``s * length`` x ``s * width`` rectangle inside ``geom``, at the orientations of its longest edges."""
    x0, y0, x1, y1 = geom.bounds
    local = affinity.translate(geom, -x0, -y0)
    ring = np.asarray(shapely.orient_polygons(local).exterior.coords)[:, :2]
    step = np.diff(ring, axis=0)
    angles = []
    for k in np.argsort(-np.hypot(step[:, 0], step[:, 1]), kind="stable"):
        a = math.atan2(step[k, 1], step[k, 0]) % (math.pi / 2)
        if all(min(abs(a - b), math.pi / 2 - abs(a - b)) > 1e-9 for b in angles):
            angles.append(a)
        if len(angles) == ORIENTATIONS:
            break
    top = math.hypot(x1 - x0, y1 - y0) / width
    best, where = 0.0, None
    for theta in [t for a in angles for t in (a, a + math.pi / 2)]:
        turned = affinity.rotate(local, -theta, origin=(0, 0), use_radians=True)
        probe = best + BISECTION / length
        if _fit(turned, probe * length, probe * width) is None:
            continue
        lo, hi = probe, top
        while (hi - lo) * length > BISECTION:
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _fit(turned, mid * length, mid * width) is not None else (lo, mid)
        best, where = lo, theta
    if where is None:
        return Fit(0.0, 0.0, None)
    corner = shapely.point_on_surface(_fit(affinity.rotate(local, -where, origin=(0, 0), use_radians=True),
                                           best * length, best * width))
    line = shapely.LineString([(corner.x, corner.y + best * width / 2),
                               (corner.x + best * length, corner.y + best * width / 2)])
    line = affinity.translate(affinity.rotate(line, where, origin=(0, 0), use_radians=True), x0, y0)
    a, b = shapely.get_coordinates(line)
    return Fit(best * length, best * width, (tuple(a), tuple(b)))


# -- distances to buildings ----------------------------------------------------
@dataclass(frozen=True)
class Gap:
    """Nearest points between a building (all its parts) and a piece (m)."""

    building: BuildingFigures
    distance: float
    from_point: tuple[float, float]  # on the building
    to_point: tuple[float, float]  # on the piece
    sources: tuple[Source, ...]


def gaps(buildings, piece: Piece) -> list[Gap]:
    """Each building's nearest approach to ``piece``, in the order of ``buildings``."""
    parts = [(b, pf) for b in buildings for pf in b.parts]
    if not parts:
        return []
    arrays = PolygonArrays.from_polygons([pf.part.area.rings for _, pf in parts] + [a.rings for a in piece.areas])
    pairs = [(i, len(parts) + j) for i in range(len(parts)) for j in range(len(piece.areas))]
    dist, pts = polygon_distances(arrays, pairs)
    best: dict[int, Gap] = {}
    for (i, j), d, p in zip(pairs, dist, pts):
        b, pf = parts[i]
        cand = Gap(b, float(d), (float(p[0]), float(p[1])), (float(p[2]), float(p[3])),
                   (pf.part.source, piece.areas[j - len(parts)].source))
        cur = best.get(id(b))
        if cur is None or (cand.distance, cand.from_point) < (cur.distance, cur.from_point):
            best[id(b)] = cand
    return [best[id(b)] for b in buildings if id(b) in best]


# -- checks --------------------------------------------------------------------
def _lanes(ctx) -> list[Piece]:
    found = pieces(ctx.project.fire_lanes)
    if not found:
        raise NotApplicable("no fire lane (消防车道) in the drawing")
    return found


def _rescue_sites(ctx) -> list[Piece]:
    found = pieces(ctx.project.fire_rescue)
    if not found:
        raise NotApplicable("no fire rescue site (消防登高场地) in the drawing")
    return found


@check("fire_lane_width")
def fire_lane_width(ctx, rule):
    """Each fire lane at least the clear width everywhere (m; narrowest width by bisection; corners excepted,
    spurs, niches and islands included)."""
    required = float(ctx.params(rule)["lane_width_min"])
    at_least = required - 0.5 * 10.0 ** -DIGITS["m"]  # the smallest width the report shows as the minimum
    out, rows = [], []
    for lane in _lanes(ctx):
        w = clear_width(lane.geom, at_least)
        measured = as_reported(w.width, "m")
        rows.append({"lane": lane.name, "clear": w.why is None, "narrowest_width": None if w.why is None else measured})
        if w.why is None:
            continue
        out.append(finding(rule, lane=lane.name, measured=measured, required=required, unit="m",
                           subjects=(f"fire_lane:{lane.name}",), sources=lane.sources,
                           location=line_location(*w.chord) if w.chord else None, extra={"narrowing": w.why}))
    return out, {"lanes": rows}


@check("fire_lane_distance")
def fire_lane_distance(ctx, rule):
    """Every on-site building at least the distance from each fire lane's edge (m; a lane farther away does
    not serve that wall)."""
    required = float(ctx.params(rule)["lane_wall_distance_min"])
    lanes = _lanes(ctx)
    if not ctx.indicators.buildings:
        raise NotApplicable("no building on the site")
    out = []
    for lane in lanes:
        for gap in gaps(ctx.indicators.buildings, lane):
            measured = as_reported(gap.distance, "m")
            if measured >= required:
                continue
            out.append(finding(rule, lane=lane.name, building=gap.building.id, measured=measured, required=required,
                               unit="m", subjects=(gap.building.id, f"fire_lane:{lane.name}"),
                               location=line_location(gap.from_point, gap.to_point), sources=gap.sources))
    return out


def _served(ctx, site: Piece) -> Gap:
    """The building a rescue site serves: the nearest on-site high-rise building, else the nearest building."""
    buildings = ctx.indicators.buildings
    if not buildings:
        raise NotApplicable("no building on the site for the rescue site to serve")
    high = [b for b in buildings if b.fire_class != "low-multi"] or list(buildings)
    return min(gaps(high, site), key=lambda g: (g.distance, natural_key(g.building.id)))


@check("rescue_site_size")
def rescue_site_size(ctx, rule):
    """Each rescue site holds a rectangle of the required size (m; larger for a building above the height),
    along any of its longest edges; it serves the nearest on-site high-rise building."""
    params = ctx.params(rule)
    out, rows = [], []
    for site in _rescue_sites(ctx):
        gap = _served(ctx, site)
        height = as_reported(gap.building.height, "m")
        tall = height > float(params["rescue_tall_height"])
        length, width = (float(v) for v in params["rescue_size_tall" if tall else "rescue_size"])
        fit = largest_rectangle(site.geom, length, width)
        measured = as_reported(fit.length, "m")
        rows.append({"site": site.name, "serves": gap.building.id, "required": [length, width],
                     "fits": [measured, as_reported(fit.width, "m")]})
        if measured >= length:
            continue
        out.append(finding(rule, site=site.name, building=gap.building.id, height=f"{height:.2f}",
                           size=f"{length:g} × {width:g}", size_en=f"{length:g} x {width:g}",
                           fit_width=f"{as_reported(fit.width, 'm'):.2f}", measured=measured, required=length,
                           unit="m", subjects=(gap.building.id, f"fire_rescue:{site.name}"), sources=site.sources,
                           location=line_location(*fit.centreline) if fit.centreline else None,
                           extra={"fit_width": as_reported(fit.width, "m"), "required_width": width}))
    return out, {"sites": rows}


@check("rescue_site_distance")
def rescue_site_distance(ctx, rule):
    """Each rescue site's edge between the minimum (should: warning) and the maximum (shall: error) from the
    outer wall of the building it serves (m)."""
    params = ctx.params(rule)
    low, high = float(params["rescue_distance_min"]), float(params["rescue_distance_max"])
    out, rows = [], []
    for site in _rescue_sites(ctx):
        gap = _served(ctx, site)
        measured = as_reported(gap.distance, "m")
        rows.append({"site": site.name, "serves": gap.building.id, "distance": measured})
        if low <= measured <= high:
            continue
        near = measured < low
        out.append(finding(rule, site=site.name, building=gap.building.id, measured=measured,
                           required=low if near else high, unit="m", severity="warning" if near else None,
                           relation="小于" if near else "大于", relation_en="less" if near else "more",
                           subjects=(gap.building.id, f"fire_rescue:{site.name}"),
                           location=line_location(gap.from_point, gap.to_point), sources=gap.sources))
    return out, {"sites": rows}
