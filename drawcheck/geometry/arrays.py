"""Flat polygon arrays: many polygons with arcs in four numpy arrays.

A ring is an (n, 3) array of x, y, bulge (metres; the bulge of vertex i
describes the segment to vertex i+1, the last one the closing segment; the
first vertex is not repeated).  A polygon is a list of rings, exterior first,
then holes, in any orientation.  :class:`PolygonArrays` stores many polygons
as flat arrays so the numba kernels in :mod:`drawcheck.geometry.kernels` run
over them without Python objects; shapely polygons are built only on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import shapely

from . import kernels
from .arcs import SAGITTA_TOLERANCE

__all__ = [
    "PolygonArrays",
    "polygon_distances",
    "polygon_distance",
    "smallest_containing",
    "pairs_within",
]


def _as_index(a, dtype=np.int64) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=dtype)


@dataclass(frozen=True, eq=False)
class PolygonArrays:
    """Polygons with circular arcs as flat arrays.

    Attributes
    ----------
    xy : (V, 2) float64 vertex coordinates, metres.
    bulge : (V,) float64 bulge of the segment starting at each vertex.
    ring_offsets : (R+1,) int64, vertex index where ring r starts;
        ``ring_offsets[-1] == V``.
    poly_offsets : (P+1,) int64, ring index where polygon p starts;
        ``poly_offsets[-1] == R``; the first ring of a polygon is its exterior.

    Construction validates the structure and that every coordinate and bulge
    is finite (ValueError naming the polygon).  Rings need 3 vertices, or 2
    when one of their segments is an arc (a circle is two half-circle
    vertices).
    """

    xy: np.ndarray
    bulge: np.ndarray
    ring_offsets: np.ndarray
    poly_offsets: np.ndarray

    def __post_init__(self) -> None:
        xy = np.ascontiguousarray(self.xy, dtype=np.float64)
        bulge = np.ascontiguousarray(self.bulge, dtype=np.float64)
        ro = _as_index(self.ring_offsets)
        po = _as_index(self.poly_offsets)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"xy must have shape (V, 2), got {xy.shape}")
        v = xy.shape[0]
        if bulge.shape != (v,):
            raise ValueError(f"bulge must have shape ({v},), got {bulge.shape}")
        if ro.ndim != 1 or ro.size < 1 or ro[0] != 0 or ro[-1] != v or np.any(np.diff(ro) < 0):
            raise ValueError("ring_offsets must rise from 0 to the number of vertices")
        r = ro.size - 1
        if po.ndim != 1 or po.size < 1 or po[0] != 0 or po[-1] != r or np.any(np.diff(po) < 0):
            raise ValueError("poly_offsets must rise from 0 to the number of rings")
        for name, arr in (("xy", xy), ("bulge", bulge), ("ring_offsets", ro), ("poly_offsets", po)):
            object.__setattr__(self, name, arr)
        self._validate()

    def _validate(self) -> None:
        ro, po = self.ring_offsets, self.poly_offsets
        ring_of_vertex, poly_of_ring = _owners(ro), _owners(po)
        empty = np.flatnonzero(np.diff(po) == 0)
        if empty.size:
            raise ValueError(f"polygon {empty[0]}: no rings")
        bad = ~(np.isfinite(self.xy).all(axis=1) & np.isfinite(self.bulge))
        if bad.any():
            vtx = int(np.flatnonzero(bad)[0])
            ring = int(ring_of_vertex[vtx])
            poly = int(poly_of_ring[ring])
            raise ValueError(
                f"polygon {poly}: non-finite coordinate or bulge at ring "
                f"{ring - po[poly]}, vertex {vtx - ro[ring]}"
            )
        sizes = np.diff(ro)
        n_arcs = np.bincount(ring_of_vertex, weights=(self.bulge != 0.0), minlength=sizes.size)
        short = (sizes < 2) | ((sizes < 3) & (n_arcs == 0))
        if short.any():
            ring = int(np.flatnonzero(short)[0])
            poly = int(poly_of_ring[ring])
            raise ValueError(
                f"polygon {poly}: ring {ring - po[poly]} has {sizes[ring]} vertices "
                "(needs 3, or 2 with an arc)"
            )

    # ------------------------------------------------------------------
    # construction

    @classmethod
    def from_polygons(cls, polygons: Sequence[Sequence[np.ndarray]]) -> "PolygonArrays":
        """Build from polygons given as lists of rings.

        Each ring is an (n, 3) array-like of x, y, bulge, or (n, 2) for
        straight edges only.  Raises ValueError (naming the polygon index)
        for a malformed ring, a polygon without rings, non-finite values or
        rings with too few vertices.
        """
        rings: list[np.ndarray] = []
        ring_counts = np.empty(len(polygons), dtype=np.int64)
        for p, poly in enumerate(polygons):
            ring_counts[p] = len(poly)
            for ring in poly:
                a = np.asarray(ring, dtype=np.float64)
                if a.ndim != 2 or a.shape[1] not in (2, 3):
                    raise ValueError(
                        f"polygon {p}: a ring must have shape (n, 3) or (n, 2), got {a.shape}"
                    )
                if a.shape[1] == 2:
                    a = np.column_stack([a, np.zeros(a.shape[0])])
                rings.append(a)
        sizes = np.fromiter((r.shape[0] for r in rings), dtype=np.int64, count=len(rings))
        data = np.concatenate(rings) if rings else np.empty((0, 3))
        return cls(
            xy=data[:, :2],
            bulge=data[:, 2],
            ring_offsets=np.concatenate([[0], np.cumsum(sizes)]),
            poly_offsets=np.concatenate([[0], np.cumsum(ring_counts)]),
        )

    @classmethod
    def concatenate(cls, parts: Sequence["PolygonArrays"]) -> "PolygonArrays":
        """All polygons of ``parts`` in order, as one array set (e.g. the
        buildings followed by the site, for setbacks)."""
        if not parts:
            return cls.from_polygons([])
        v_shift = np.cumsum([0] + [p.xy.shape[0] for p in parts[:-1]])
        r_shift = np.cumsum([0] + [p.ring_offsets.size - 1 for p in parts[:-1]])
        return cls._trusted(
            np.concatenate([p.xy for p in parts]),
            np.concatenate([p.bulge for p in parts]),
            np.concatenate([[0]] + [p.ring_offsets[1:] + s for p, s in zip(parts, v_shift)]),
            np.concatenate([[0]] + [p.poly_offsets[1:] + s for p, s in zip(parts, r_shift)]),
        )

    @classmethod
    def _trusted(cls, xy, bulge, ring_offsets, poly_offsets) -> "PolygonArrays":
        # derived from validated arrays: skip the checks
        obj = object.__new__(cls)
        object.__setattr__(obj, "xy", np.ascontiguousarray(xy, dtype=np.float64))
        object.__setattr__(obj, "bulge", np.ascontiguousarray(bulge, dtype=np.float64))
        object.__setattr__(obj, "ring_offsets", _as_index(ring_offsets))
        object.__setattr__(obj, "poly_offsets", _as_index(poly_offsets))
        return obj

    # ------------------------------------------------------------------
    # queries

    def __len__(self) -> int:
        return self.poly_offsets.size - 1

    @property
    def has_arcs(self) -> bool:
        return bool(np.any(self.bulge != 0.0))

    def curved(self) -> np.ndarray:
        """(P,) bool: whether each polygon has an arc (a vertex with a bulge)."""
        out = np.zeros(len(self), dtype=bool)
        out[_owners(self.poly_offsets)[_owners(self.ring_offsets)[self.bulge != 0.0]]] = True
        return out

    def areas(self) -> np.ndarray:
        """Exact areas (m2), arcs included, holes subtracted: (P,) float64."""
        return kernels.polygon_areas(self.xy, self.bulge, self.ring_offsets, self.poly_offsets)

    def densified(self, tolerance: float = SAGITTA_TOLERANCE) -> "PolygonArrays":
        """Arcs replaced by chords within ``tolerance`` (m) of the arc; all
        bulges 0.  Returns ``self`` when there is no arc."""
        if not (np.isfinite(tolerance) and tolerance > 0):
            raise ValueError("tolerance must be a positive number of metres")
        if not self.has_arcs:
            return self
        xy, ro = kernels.densify_rings(self.xy, self.bulge, self.ring_offsets, float(tolerance))
        return PolygonArrays._trusted(xy, np.zeros(xy.shape[0]), ro, self.poly_offsets)

    def arc_slivers(self, tolerance: float = SAGITTA_TOLERANCE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The circular slivers between every arc and its chords at ``tolerance`` (m).

        Returns ``(points (S, 2) m, areas (S,) m2, polygon (S,))``: the arc
        point at each sliver's middle and its signed share of the polygon's
        exact area, so ``areas()`` = densified areas + the slivers' sums.
        """
        return kernels.arc_slivers(self.xy, self.bulge, self.ring_offsets, self.poly_offsets, float(tolerance))

    def bounds(self) -> np.ndarray:
        """(P, 4) minx, miny, maxx, maxy of the true geometry (arcs included:
        an arc's extreme points count, not only its vertices)."""
        return kernels.polygon_bounds(self.xy, self.bulge, self.ring_offsets, self.poly_offsets)

    def to_shapely(self, tolerance: float = SAGITTA_TOLERANCE) -> np.ndarray:
        """(P,) object array of shapely Polygons, arcs densified to
        ``tolerance`` (m).  Built in one vectorised call."""
        d = self.densified(tolerance)
        ro = d.ring_offsets
        n_rings = ro.size - 1
        closed_offsets = ro + np.arange(n_rings + 1)
        coords = np.empty((d.xy.shape[0] + n_rings, 2))
        coords[np.arange(d.xy.shape[0]) + _owners(ro)] = d.xy
        coords[closed_offsets[1:] - 1] = d.xy[ro[:-1]]
        return shapely.from_ragged_array(
            shapely.GeometryType.POLYGON, coords, (closed_offsets, d.poly_offsets)
        )

    def subset(self, indices) -> "PolygonArrays":
        """The polygons selected by ``indices`` (integer array, negative
        allowed, boolean mask or slice), in that order."""
        sel = np.arange(len(self))[indices]
        sel = np.atleast_1d(sel).astype(np.int64)
        po, ro = self.poly_offsets, self.ring_offsets
        ring_counts = po[sel + 1] - po[sel]
        rings = _ranges(po[sel], ring_counts)
        vert_counts = ro[rings + 1] - ro[rings]
        verts = _ranges(ro[rings], vert_counts)
        return PolygonArrays._trusted(
            self.xy[verts],
            self.bulge[verts],
            np.concatenate([[0], np.cumsum(vert_counts)]),
            np.concatenate([[0], np.cumsum(ring_counts)]),
        )


def _owners(offsets: np.ndarray) -> np.ndarray:
    """For offsets of groups (rings into vertices, polygons into rings), the group of each item."""
    return np.repeat(np.arange(offsets.size - 1), np.diff(offsets))


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` for every (s, c), vectorised."""
    total = int(counts.sum())
    first_out = np.cumsum(counts) - counts
    return np.arange(total, dtype=np.int64) + np.repeat(starts - first_out, counts)


# ----------------------------------------------------------------------
# thin wrappers over the kernels


def polygon_distances(
    polygons: PolygonArrays,
    pairs,
    boundary_only=False,
    tolerance: float = SAGITTA_TOLERANCE,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimum distance (m) and nearest points for pairs of polygons.

    ``pairs`` (K, 2) polygon indices; ``boundary_only`` a bool or (K,) bools
    (see :func:`drawcheck.geometry.kernels.pair_distances`).  Arcs are
    densified to ``tolerance`` first, so distances are within it of the arcs.
    Returns ``(dist (K,), points (K, 4) ax, ay, bx, by)``.
    """
    pairs = np.ascontiguousarray(np.asarray(pairs, dtype=np.int64).reshape(-1, 2))
    if pairs.size and (pairs.min() < 0 or pairs.max() >= len(polygons)):
        raise IndexError("pair index out of range")
    bo = np.ascontiguousarray(np.broadcast_to(np.asarray(boundary_only, dtype=bool), pairs.shape[:1]))
    d = polygons.densified(tolerance)
    return kernels.pair_distances(d.xy, d.ring_offsets, d.poly_offsets, pairs, bo)


def polygon_distance(
    polygons: PolygonArrays, i: int, j: int, boundary_only: bool = False
) -> tuple[float, tuple[float, float, float, float]]:
    """Distance (m) between polygons ``i`` and ``j`` and the nearest points
    (ax, ay, bx, by); see :func:`polygon_distances`."""
    dist, pts = polygon_distances(polygons, [[i, j]], boundary_only)
    return float(dist[0]), tuple(float(v) for v in pts[0])


def pairs_within(
    polygons: PolygonArrays, max_distance: float, tolerance: float = SAGITTA_TOLERANCE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair (i < j) of polygons (as areas) at most ``max_distance`` (m)
    apart, e.g. building spacing.  Returns ``(pairs (K, 2), dist (K,),
    points (K, 4))``, rows sorted by (i, j)."""
    d = polygons.densified(tolerance)
    cand = kernels.candidate_pairs(polygons.bounds(), float(max_distance))
    bo = np.zeros(cand.shape[0], dtype=bool)
    dist, pts = kernels.pair_distances(d.xy, d.ring_offsets, d.poly_offsets, cand, bo)
    keep = dist <= max_distance
    cand, dist, pts = cand[keep], dist[keep], pts[keep]
    order = np.lexsort((cand[:, 1], cand[:, 0]))
    return cand[order], dist[order], pts[order]


def smallest_containing(
    polygons: PolygonArrays, points, tolerance: float = SAGITTA_TOLERANCE
) -> np.ndarray:
    """For each point (M, 2) the index of the smallest polygon (exact area)
    that contains it, -1 if none (e.g. the building a text label sits in)."""
    pts = np.ascontiguousarray(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    d = polygons.densified(tolerance)
    return kernels.smallest_containing_polygon(
        pts, d.xy, d.ring_offsets, d.poly_offsets, polygons.areas(), polygons.bounds()
    )
