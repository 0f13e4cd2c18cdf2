"""Shapely glue: unions, clipping and nesting on densified geometry, exact where it can be.

Shapely sees arcs only as chords (:data:`~drawcheck.geometry.arcs.SAGITTA_TOLERANCE`).
Areas of unions are therefore computed as the exact sum of the pieces minus
what the union removes (overlaps, parts outside a clip), the latter measured
on densified geometry: when nothing overlaps, the result is exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from .arcs import SAGITTA_TOLERANCE
from .arrays import PolygonArrays

#: Relative area difference under which two outlines are the same area.
SAME_OUTLINE_RELATIVE = 1e-9


def to_shapely(polygons: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Shapely polygons (densified) of ring lists; empty input gives an empty array."""
    if not polygons:
        return np.empty(0, dtype=object)
    return PolygonArrays.from_polygons(polygons).to_shapely()


class AreaIndex:
    """Many polygons measured once: exact areas (kernel) and shapely geometry (densified), by index."""

    def __init__(self, polygons: Sequence[Sequence[np.ndarray]]) -> None:
        self.arrays = PolygonArrays.from_polygons(polygons) if polygons else None
        self._unions: dict[tuple[int, ...], tuple] = {}  # see _union
        if polygons:
            arrays = self.arrays
            self.exact = arrays.areas()
            self.geoms = arrays.to_shapely()
            self.dense = shapely.area(self.geoms)
            self.curved = arrays.curved()
        else:
            self.exact = self.dense = np.zeros(0)
            self.geoms = np.empty(0, dtype=object)
            self.curved = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return len(self.exact)

    def union_area(self, indices: Sequence[int] | None = None, clip=None) -> float:
        """Area of the union of the chosen polygons (all by default), optionally clipped to ``clip``, m².

        Exact, arcs included: the union is measured on densified outlines
        (shapely) and each arc's slivers (:meth:`PolygonArrays.arc_slivers`,
        the circular segments between its chords and the arc) are added back
        where they belong to the result: not where they lie inside another
        piece of the union (counted there) or outside ``clip``.  So a tower
        with curved walls on its podium, or a circle far larger than the
        site, measure exactly.  Only groups of intersecting pieces are
        unioned, so N scattered buildings cost an STRtree query, not one
        union of everything.
        """
        idx = np.arange(len(self)) if indices is None else np.asarray(indices, dtype=np.int64)
        if len(idx) == 0:
            return 0.0
        if len(idx) == 1 and clip is None:  # one piece: its exact area (what the steps below come to)
            return float(self.exact[idx[0]])
        geoms = self.geoms[idx]
        total = float(self.exact[idx].sum())
        pieces = []  # (geometry, its densified area as summed from the members, member indices)
        for members in _intersecting_groups(geoms):
            if len(members) == 1:
                pieces.append((geoms[members[0]], float(self.dense[idx[members[0]]]), idx[members]))
                continue
            dense_sum = float(self.dense[idx[members]].sum())
            union, union_area = self._union(idx[members])
            removed = dense_sum - union_area
            if removed > SAME_OUTLINE_RELATIVE * max(dense_sum, 1.0):
                total -= removed
            pieces.append((union, dense_sum - max(removed, 0.0), idx[members]))
        inside = shapely.covered_by([g for g, _, _ in pieces], clip) if clip is not None else None
        for k, (geom, dense, members) in enumerate(pieces):
            leaves = inside is not None and not inside[k]
            if leaves:
                total -= dense - float(shapely.intersection(geom, clip).area)
            if leaves or len(members) > 1:
                total -= self._dropped_slivers(members, clip if leaves else None)
        return total

    def _union(self, members: np.ndarray) -> tuple:
        """The union of the polygons ``members`` (in that order) and its area (m², densified), computed once
        per index: a building's storey plates and the project footprint union the same pieces."""
        key = tuple(members.tolist())
        found = self._unions.get(key)
        if found is None:
            union = shapely.union_all(self.geoms[members])
            found = self._unions[key] = (union, float(shapely.area(union)))
        return found

    def _dropped_slivers(self, members: np.ndarray, clip) -> float:
        """Signed area (m²) of the members' arc slivers that are not part of their union inside ``clip``.

        A sliver is dropped when its middle lies inside another member (that
        member's densified area holds it) or outside ``clip``.  "Inside"
        means farther than twice the chord tolerance from the boundary: an
        arc shared with the clip, or with a neighbouring member, lies that
        close to the other's chords and its sliver stays.
        """
        if not self.curved[members].any():  # no arc, no sliver
            return 0.0
        arrays = self.arrays.subset(members)
        points, areas, owner = arrays.arc_slivers()
        pts = shapely.points(points)
        near = 2.0 * SAGITTA_TOLERANCE
        dropped = np.zeros(len(areas), dtype=bool)
        if clip is not None:
            dropped |= ~shapely.dwithin(clip, pts, near)
        if len(members) > 1:
            for k, member in enumerate(members):
                geom = self.geoms[member]
                others = np.flatnonzero(owner != k)
                held = shapely.contains(geom, pts[others]) & ~shapely.dwithin(geom.boundary, pts[others], near)
                dropped[others[held]] = True
        return float(areas[dropped].sum())


def _intersecting_groups(geoms: np.ndarray) -> list[np.ndarray]:
    """Index groups of ``geoms`` connected by intersection (singletons included)."""
    if len(geoms) == 2:  # a podium and its tower: one predicate, no tree
        both = bool(shapely.intersects(geoms[0], geoms[1]))
        return [np.arange(2)] if both else [np.arange(1), np.arange(1, 2)]
    parent = np.arange(len(geoms))
    if len(geoms) > 1:
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in zip(left.tolist(), right.tolist()):
            if i < j:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
        for i in range(len(parent)):
            parent[i] = find(i)
    order = np.argsort(parent, kind="stable")
    bounds = np.flatnonzero(np.diff(parent[order])) + 1
    return np.split(order, bounds)


def exact_union_area(polygons: Sequence[Sequence[np.ndarray]], clip: Sequence[np.ndarray] | None = None) -> float:
    """Area of the union of ``polygons`` (optionally clipped to the polygon ``clip``), m²; see :class:`AreaIndex`."""
    return AreaIndex(polygons).union_area(clip=to_shapely([clip])[0] if clip is not None else None)


def same_outline(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> bool:
    """True when two ring lists bound the same area (within a relative 1e-9 of it)."""
    ga, gb = to_shapely([a, b])
    scale = max(float(ga.area), float(gb.area), 1e-12)
    if abs(float(ga.area) - float(gb.area)) > 1e-6 * scale:
        return False
    return float(shapely.symmetric_difference(ga, gb).area) <= 1e-6 * scale


def nest_rings(rings: Sequence[np.ndarray]) -> list[list[np.ndarray]]:
    """Group the boundary rings of a HATCH into polygons: even nesting depth = exterior, odd = hole."""
    shells = to_shapely([[r] for r in rings])
    areas = shapely.area(shells)
    order = np.argsort(-areas, kind="stable")
    depth = {}
    parent = {}
    for pos, i in enumerate(order):
        probe = shapely.point_on_surface(shells[i])
        containers = [j for j in order[:pos] if shells[j].contains(probe)]
        depth[i] = len(containers)
        parent[i] = containers[-1] if containers else None  # the smallest container
    polygons: dict[int, list[np.ndarray]] = {}
    for i in order:
        if depth[i] % 2 == 0:
            polygons[i] = [rings[i]]
    for i in order:
        if depth[i] % 2 == 1 and parent[i] in polygons:
            polygons[parent[i]].append(rings[i])
    return [polygons[i] for i in order if i in polygons]


def invalid_reason(rings: Sequence[np.ndarray]) -> str | None:
    """Why the (densified) polygon is invalid (self-intersection, ...), or None when valid."""
    geom = to_shapely([rings])[0]
    if shapely.is_valid(geom):
        return None
    return shapely.is_valid_reason(geom)


def repaired_area(rings: Sequence[np.ndarray]) -> float:
    """Area after ``make_valid(method="structure")`` of the densified polygon, m²."""
    geom = to_shapely([rings])[0]
    return float(shapely.make_valid(geom, method="structure").area)


def polygon_rings(polygon) -> list[np.ndarray]:
    """A shapely Polygon as ring arrays (exterior first, then holes): (n, 3) x, y, bulge 0."""
    return [_ring_array(polygon.exterior)] + [_ring_array(h) for h in polygon.interiors]


def _ring_array(ring) -> np.ndarray:
    xy = np.asarray(ring.coords)[:-1, :2]
    return np.column_stack([xy, np.zeros(len(xy))])
