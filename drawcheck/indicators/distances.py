"""Setbacks to the site boundary and road red line, and spacing between buildings.

All distances are between exact outlines densified within
:data:`~drawcheck.geometry.arcs.SAGITTA_TOLERANCE` (chords lie inside convex
arcs, so a distance to an arc may read up to that much long), computed by
the numba kernels with a bounding-box sweep so that N buildings do not cost
N² distance evaluations.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np
import shapely

from ..geometry.arrays import PolygonArrays
from ..geometry.kernels import candidate_pairs, pair_distances
from ..model import Area, Line
from .values import BuildingFigures, PartPair, Setback, Spacing

#: Pairs of buildings farther apart than this are not reported (report-json.md), m.
SPACING_RADIUS = 50.0
#: Distances closer than this to the minimum are ties, broken lexicographically, m.
TIE = 1e-9
#: Plan overlap below this is touching, not overlapping, m².
OVERLAP_MIN = 1e-6


@functools.lru_cache(maxsize=65536)
def natural_key(text: str) -> tuple:
    """Sort key that orders '2#' before '10#' (cached: pairs of thousands of buildings sort by it)."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text) if t)


def _point(xy) -> tuple[float, float]:
    return float(xy[0]), float(xy[1])


def line_as_ring(line: Line) -> np.ndarray:
    """An open line as a closed ring that runs out and back, so ring distances measure the line."""
    pts = line.points
    if line.closed or len(pts) < 2:
        return pts
    # out: p0..pn with their bulges; back: pn-1..p1, segment p_k -> p_k-1 is segment k-1 reversed,
    # so it carries -b_(k-1) (an arc traversed backwards bends the other way)
    forward = pts.copy()
    forward[-1, 2] = -pts[-2, 2]
    back = pts[-2:0:-1].copy()
    back[:, 2] = -pts[-3::-1, 2]
    ring = np.vstack([forward, back])
    if len(ring) == 2 and not ring[:, 2].any():  # a single straight segment: add its midpoint as a vertex
        ring = np.array([ring[0], ring[1], [(ring[0, 0] + ring[1, 0]) / 2, (ring[0, 1] + ring[1, 1]) / 2, 0.0]])
    return ring


def setbacks(buildings: Sequence[BuildingFigures], site: Area | None, roads: Sequence[Line]) -> list[Setback]:
    """One row per building to the site boundary, and one to the road red line when there is one."""
    parts = [(b, pf) for b in buildings for pf in b.parts]
    if not parts or (site is None and not roads):
        return []
    polygons = [pf.part.area.rings for _, pf in parts]
    targets = []
    if site is not None:
        targets.append(("site_boundary", len(polygons)))
        polygons.append(site.rings)
    if roads:
        first = len(polygons)
        polygons.extend([[line_as_ring(r)] for r in roads])
        targets.append(("road_redline", first))
    arrays = PolygonArrays.from_polygons(polygons).densified()
    pairs, labels = [], []
    for kind, index in targets:
        count = 1 if kind == "site_boundary" else len(roads)
        for k in range(len(parts)):
            for j in range(index, index + count):
                pairs.append((k, j))
                labels.append(kind)
    pair_arr = np.array(pairs, dtype=np.int64)
    dist, pts = pair_distances(arrays.xy, arrays.ring_offsets, arrays.poly_offsets, pair_arr,
                               np.ones(len(pairs), dtype=np.bool_))
    inside = np.ones(len(parts), dtype=bool)
    if site is not None:
        geoms = arrays.to_shapely()
        site_geom = geoms[len(parts)]
        shapely.prepare(site_geom)  # one site, thousands of parts: "part covered by site" as "site covers part"
        inside = shapely.covers(site_geom, geoms[: len(parts)])
    best: dict[tuple[str, str], tuple] = {}
    inside_list = np.asarray(inside, dtype=bool).tolist()
    for (k, _), kind, d, p in zip(pairs, labels, dist.tolist(), pts.tolist()):
        building, pf = parts[k]
        key = (building.id, kind)
        ok = inside_list[k] if kind == "site_boundary" else True
        d = d if ok else 0.0
        cand = (d, tuple(p), ok, pf)
        if key not in best or _better(cand, best[key]):
            best[key] = cand
    outside = {parts[k][0].id for k in np.flatnonzero(~np.asarray(inside, dtype=bool))}
    rows = []
    for b in buildings:
        for kind in ("site_boundary", "road_redline"):
            if (b.id, kind) not in best:
                continue
            d, p, _, pf = best[(b.id, kind)]
            all_inside = kind != "site_boundary" or b.id not in outside
            rows.append(Setback(b.id, kind, d, _point(p[:2]), _point(p[2:]), inside=all_inside, part=pf.part))
    return rows


def _better(cand, best) -> bool:
    """Smaller distance wins; ties (within TIE) go to the lexicographically smaller point pair."""
    if cand[0] < best[0] - TIE:
        return True
    return abs(cand[0] - best[0]) <= TIE and cand[1] < best[1]


def part_pairs(onsite: Sequence[BuildingFigures], existing: Sequence[BuildingFigures],
               radius: float = SPACING_RADIUS) -> list[PartPair]:
    """Distances of all part pairs of different buildings within ``radius`` (not existing-existing)."""
    owners = [(b, pf, b.kind == "existing") for b in list(onsite) + list(existing) for pf in b.parts]
    if len(owners) < 2:
        return []
    arrays = PolygonArrays.from_polygons([pf.part.area.rings for _, pf, _ in owners])
    candidates = candidate_pairs(arrays.bounds(), radius)
    keep = [(i, j) for i, j in candidates
            if owners[i][0] is not owners[j][0] and not (owners[i][2] and owners[j][2])]
    if not keep:
        return []
    dense = arrays.densified()
    pair_arr = np.array(keep, dtype=np.int64)
    dist, pts = pair_distances(dense.xy, dense.ring_offsets, dense.poly_offsets, pair_arr,
                               np.zeros(len(keep), dtype=np.bool_))
    out = []
    for (i, j), d, p in zip(keep, dist.tolist(), pts.tolist()):  # Python floats: the same values, faster to walk
        if d > radius:
            continue
        (bi, pi, _), (bj, pj, _) = owners[i], owners[j]
        if _order(bj) < _order(bi):
            bi, pi, bj, pj = bj, pj, bi, pi
            p = (p[2], p[3], p[0], p[1])
        out.append(PartPair(bi, pi, bj, pj, float(d), _point(p[:2]), _point(p[2:])))
    return out


def _order(b: BuildingFigures):
    return (b.kind == "existing", natural_key(b.id))


def spacing(pairs: Sequence[PartPair]) -> list[Spacing]:
    """One row per building pair: the minimum over its part pairs, with plan overlap measured."""
    best: dict[tuple[int, int], PartPair] = {}
    for pp in pairs:
        key = (id(pp.a), id(pp.b))
        cur = best.get(key)
        cand = (pp.distance, pp.from_point + pp.to_point)
        if cur is None or _better(cand, (cur.distance, cur.from_point + cur.to_point)):
            best[key] = pp
    rows = []
    for pp in sorted(best.values(), key=lambda x: (_order(x.a), _order(x.b))):
        overlap = 0.0
        if pp.distance == 0.0:
            overlap = _overlap(pp.a, pp.b)
        rows.append(Spacing(pp.a.id, pp.b.id, pp.distance, pp.from_point, pp.to_point, overlap_area=overlap))
    return rows


def _overlap(a: BuildingFigures, b: BuildingFigures) -> float:
    ga = shapely.union_all(PolygonArrays.from_polygons([p.part.area.rings for p in a.parts]).to_shapely())
    gb = shapely.union_all(PolygonArrays.from_polygons([p.part.area.rings for p in b.parts]).to_shapely())
    area = float(shapely.intersection(ga, gb).area)
    return area if area > OVERLAP_MIN else 0.0
