"""Numba kernels over flat polygon arrays.

The arrays follow :class:`drawcheck.geometry.arrays.PolygonArrays`: ``xy``
(V, 2) float64 metres, ``bulge`` (V,) float64, ``ring_offsets`` (R+1,) and
``poly_offsets`` (P+1,) int64; the first ring of a polygon is its exterior,
the others are holes, in either orientation.  The kernels trust their input
(no bounds checks); validation happens when a ``PolygonArrays`` is built.

Precision: every kernel subtracts a local reference point (a ring's first
vertex, the query point, the pair's first vertex) before forming products, so
coordinates like x = 3.5e6 m keep sub-micrometre precision.  No fastmath: it
made the area loop slower and would let the compiler reorder the
compensating subtractions.

Parallel kernels use ``prange`` over independent items (rings, polygons,
points, pairs) and give the same result for any thread count.
"""

from __future__ import annotations

import math

import numpy as np

from .arcs import nb_arc_centre, nb_arc_point, nb_densified_count, nb_segment_area
from .jit import njit, prange

__all__ = [
    "TIE_TOLERANCE",
    "ring_signed_areas",
    "polygon_areas",
    "densify_rings",
    "arc_slivers",
    "polygon_bounds",
    "smallest_containing_polygon",
    "pair_distances",
    "candidate_pairs",
]

#: Nearest-point ties (m): candidate point pairs whose distance is within this
#: of the minimum count as equally near, and the lexicographically smallest
#: (ax, ay, bx, by) wins.  Exact ties (parallel edges) differ only by rounding,
#: ~1e-13 m at site scale; real differences in drawings are far above 1e-9 m.
#: For pairs spanning more than ~70 km the tolerance grows to
#: 64 * eps * extent so rounding never breaks a tie.
TIE_TOLERANCE = 1e-9

_EPS = np.finfo(np.float64).eps
_HALF_PI = 0.5 * math.pi
_TWO_PI = 2.0 * math.pi
# A polygon whose bbox covers more grid cells than this goes to the list that
# every point checks, so a few huge polygons (a site, a district) cannot blow
# up the grid index.
_GRID_MAX_CELLS_PER_POLYGON = 64


# --------------------------------------------------------------------------
# areas


@njit(cache=True)
def _ring_area(xy, bulge, s, e):
    """Exact signed area of ring ``[s, e)``: shoelace around vertex ``s`` plus
    the signed circular segment of every bulged segment."""
    x0 = xy[s, 0]
    y0 = xy[s, 1]
    acc0 = 0.0
    acc1 = 0.0
    if e - s >= 3:
        # terms touching the reference vertex vanish; two accumulators break
        # the dependency chain of the sum
        xp = xy[s + 1, 0] - x0
        yp = xy[s + 1, 1] - y0
        i = s + 2
        while i + 1 < e:
            xa = xy[i, 0] - x0
            ya = xy[i, 1] - y0
            xb = xy[i + 1, 0] - x0
            yb = xy[i + 1, 1] - y0
            acc0 += xp * ya - xa * yp
            acc1 += xa * yb - xb * ya
            xp = xb
            yp = yb
            i += 2
        if i < e:
            xa = xy[i, 0] - x0
            ya = xy[i, 1] - y0
            acc0 += xp * ya - xa * yp
    area = 0.5 * (acc0 + acc1)
    for i in range(s, e):
        b = bulge[i]
        if b != 0.0:
            j = i + 1
            if j == e:
                j = s
            dx = xy[j, 0] - xy[i, 0]
            dy = xy[j, 1] - xy[i, 1]
            area += nb_segment_area(dx * dx + dy * dy, b)
    return area


@njit(cache=True, parallel=True)
def ring_signed_areas(xy, bulge, ring_offsets):
    """Exact signed area of every ring (m2), arcs included; CCW positive.

    Returns (R,) float64.
    """
    n = ring_offsets.shape[0] - 1
    out = np.empty(n, dtype=np.float64)
    for r in prange(n):
        out[r] = _ring_area(xy, bulge, ring_offsets[r], ring_offsets[r + 1])
    return out


@njit(cache=True, parallel=True)
def polygon_areas(xy, bulge, ring_offsets, poly_offsets):
    """Exact area of every polygon (m2): |exterior| - sum |holes|.

    Returns (P,) float64; orientation of the rings does not matter.
    """
    n = poly_offsets.shape[0] - 1
    out = np.empty(n, dtype=np.float64)
    for p in prange(n):
        r0 = poly_offsets[p]
        total = 0.0
        for r in range(r0, poly_offsets[p + 1]):
            a = abs(_ring_area(xy, bulge, ring_offsets[r], ring_offsets[r + 1]))
            total = a if r == r0 else total - a
        out[p] = total
    return out


# --------------------------------------------------------------------------
# densification and bounds


@njit(cache=True)
def _ring_chord_plan(xy, bulge, s, e, tolerance):
    """Output vertex count of ring ``[s, e)`` and the chords added to its first
    bulged segment so that a ring with an arc keeps at least 3 vertices."""
    count = 0
    first = -1
    for i in range(s, e):
        b = bulge[i]
        if b == 0.0:
            count += 1
        else:
            j = i + 1
            if j == e:
                j = s
            count += nb_densified_count(xy[i, 0], xy[i, 1], xy[j, 0], xy[j, 1], b, tolerance)
            if first < 0:
                first = i
    extra = 0
    if first >= 0 and count < 3:
        extra = 3 - count
    return count + extra, first, extra


@njit(cache=True)
def densify_rings(xy, bulge, ring_offsets, tolerance):
    """Replace every arc by chords whose sagitta is <= ``tolerance`` (m).

    Each bulged segment gets ``segments_for_arc`` chords (at most
    ``MAX_CHORD_ANGLE`` each); the new vertices lie exactly on the arc,
    equally spaced in angle, so chords cut inside a convex arc and outside a
    concave one.  Original vertices are kept in order.  A ring with an arc
    keeps at least 3 vertices.

    Returns ``(xy_out (V', 2), ring_offsets_out (R+1,))``; the bulges of the
    result are all 0 and the rings are not closed (same representation).
    """
    n_rings = ring_offsets.shape[0] - 1
    out_offsets = np.empty(n_rings + 1, dtype=np.int64)
    out_offsets[0] = 0
    for r in range(n_rings):
        cnt, _, _ = _ring_chord_plan(xy, bulge, ring_offsets[r], ring_offsets[r + 1], tolerance)
        out_offsets[r + 1] = out_offsets[r] + cnt
    out = np.empty((out_offsets[n_rings], 2), dtype=np.float64)
    for r in range(n_rings):
        s = ring_offsets[r]
        e = ring_offsets[r + 1]
        _, first, extra = _ring_chord_plan(xy, bulge, s, e, tolerance)
        pos = out_offsets[r]
        for i in range(s, e):
            x0 = xy[i, 0]
            y0 = xy[i, 1]
            out[pos, 0] = x0
            out[pos, 1] = y0
            pos += 1
            b = bulge[i]
            if b != 0.0:
                j = i + 1
                if j == e:
                    j = s
                x1 = xy[j, 0]
                y1 = xy[j, 1]
                n = nb_densified_count(x0, y0, x1, y1, b, tolerance)
                if i == first:
                    n += extra
                for k in range(1, n):
                    px, py = nb_arc_point(x0, y0, x1, y1, b, k, n)
                    out[pos, 0] = px
                    out[pos, 1] = py
                    pos += 1
    return out, out_offsets


@njit(cache=True)
def _ring_sliver_count(xy, bulge, s, e, tolerance):
    """Chords ``densify_rings`` gives the arcs of ring ``[s, e)`` (one sliver each)."""
    cnt, _, _ = _ring_chord_plan(xy, bulge, s, e, tolerance)
    straight = 0
    for i in range(s, e):
        if bulge[i] == 0.0:
            straight += 1
    return cnt - straight


@njit(cache=True)
def arc_slivers(xy, bulge, ring_offsets, poly_offsets, tolerance):
    """What densification cuts off: one sliver per chord of every arc.

    ``densify_rings`` replaces an arc by ``n`` chords equally spaced in angle;
    between each chord and its piece of arc lies a circular segment.  For each
    such sliver this returns the arc point at its middle (where it lies) and
    its area signed as it counts in its polygon's exact area (m2): exact area
    = densified area + the sum over the polygon's slivers.

    Returns ``(points (S, 2), areas (S,), polygon (S,) int64)``.
    """
    n_poly = poly_offsets.shape[0] - 1
    total = 0
    for r in range(ring_offsets.shape[0] - 1):
        total += _ring_sliver_count(xy, bulge, ring_offsets[r], ring_offsets[r + 1], tolerance)
    points = np.empty((total, 2), dtype=np.float64)
    areas = np.empty(total, dtype=np.float64)
    owner = np.empty(total, dtype=np.int64)
    pos = 0
    for p in range(n_poly):
        r0 = poly_offsets[p]
        for r in range(r0, poly_offsets[p + 1]):
            s = ring_offsets[r]
            e = ring_offsets[r + 1]
            # a sliver adds to the ring's signed area; the ring adds to the polygon
            # with its sign (exterior) or against it (hole)
            ring_sign = 1.0 if _ring_area(xy, bulge, s, e) >= 0.0 else -1.0
            if r != r0:
                ring_sign = -ring_sign
            _, first, extra = _ring_chord_plan(xy, bulge, s, e, tolerance)
            for i in range(s, e):
                b = bulge[i]
                if b == 0.0:
                    continue
                j = i + 1
                if j == e:
                    j = s
                x0 = xy[i, 0]
                y0 = xy[i, 1]
                x1 = xy[j, 0]
                y1 = xy[j, 1]
                n = nb_densified_count(x0, y0, x1, y1, b, tolerance)
                if i == first:
                    n += extra
                # one chord: bulge tan(theta / 4n), length c sin(theta / 2n) / sin(theta / 2)
                t = math.atan(b)
                b_sub = math.tan(t / n)
                scale = math.sin(2.0 * t / n) * (1.0 + b * b) / (2.0 * b)
                chord_sq = ((x1 - x0) ** 2 + (y1 - y0) ** 2) * scale * scale
                a = ring_sign * nb_segment_area(chord_sq, b_sub)
                for k in range(n):
                    px, py = nb_arc_point(x0, y0, x1, y1, b, 2 * k + 1, 2 * n)
                    points[pos, 0] = px
                    points[pos, 1] = py
                    areas[pos] = a
                    owner[pos] = p
                    pos += 1
    return points, areas, owner


@njit(cache=True)
def polygon_bounds(xy, bulge, ring_offsets, poly_offsets):
    """Bounds (P, 4) minx, miny, maxx, maxy of the true geometry: vertices
    plus the axis-extreme points of every arc that passes one.  All rings
    count (for a valid polygon the exterior decides)."""
    n = poly_offsets.shape[0] - 1
    out = np.empty((n, 4), dtype=np.float64)
    for p in range(n):
        minx = np.inf
        miny = np.inf
        maxx = -np.inf
        maxy = -np.inf
        for r in range(poly_offsets[p], poly_offsets[p + 1]):
            s = ring_offsets[r]
            e = ring_offsets[r + 1]
            for i in range(s, e):
                x0 = xy[i, 0]
                y0 = xy[i, 1]
                minx = min(minx, x0)
                maxx = max(maxx, x0)
                miny = min(miny, y0)
                maxy = max(maxy, y0)
                b = bulge[i]
                if b == 0.0:
                    continue
                j = i + 1
                if j == e:
                    j = s
                cx, cy, rad, theta = nb_arc_centre(x0, y0, xy[j, 0], xy[j, 1], b)
                a0 = math.atan2(-cy, -cx)
                sweep = abs(theta)
                for q in range(4):
                    phi = q * _HALF_PI
                    d = (phi - a0) if theta > 0.0 else (a0 - phi)
                    d -= _TWO_PI * math.floor(d / _TWO_PI)
                    if d <= sweep:
                        if q == 0:
                            maxx = max(maxx, x0 + (cx + rad))
                        elif q == 1:
                            maxy = max(maxy, y0 + (cy + rad))
                        elif q == 2:
                            minx = min(minx, x0 + (cx - rad))
                        else:
                            miny = min(miny, y0 + (cy - rad))
        out[p, 0] = minx
        out[p, 1] = miny
        out[p, 2] = maxx
        out[p, 3] = maxy
    return out


# --------------------------------------------------------------------------
# point in polygon


@njit(cache=True)
def _point_in_ring(px, py, xy, s, e):
    """Crossing-number test in coordinates relative to the point.  Points
    exactly on the ring may go either way."""
    inside = False
    j = e - 1
    for i in range(s, e):
        xi = xy[i, 0] - px
        yi = xy[i, 1] - py
        xj = xy[j, 0] - px
        yj = xy[j, 1] - py
        if (yi > 0.0) != (yj > 0.0):
            # the edge crosses y = 0 at x = (xi*yj - xj*yi) / (yj - yi) > 0 ?
            num = xi * yj - xj * yi
            if (num > 0.0) == (yj > yi):
                inside = not inside
        j = i
    return inside


@njit(cache=True)
def _point_in_polygon(px, py, xy, ring_offsets, poly_offsets, p):
    r0 = poly_offsets[p]
    if not _point_in_ring(px, py, xy, ring_offsets[r0], ring_offsets[r0 + 1]):
        return False
    for r in range(r0 + 1, poly_offsets[p + 1]):
        if _point_in_ring(px, py, xy, ring_offsets[r], ring_offsets[r + 1]):
            return False
    return True


@njit(cache=True)
def _grid_cell_range(lo, hi, gmin, cell, g):
    a = int((lo - gmin) / cell)
    b = int((hi - gmin) / cell)
    return min(max(a, 0), g - 1), min(max(b, 0), g - 1)


@njit(cache=True)
def _first_containing(px, py, cand, c0, c1, xy, ring_offsets, poly_offsets, bounds):
    """Index into ``cand`` of the first polygon of ``cand[c0:c1]`` containing
    the point, -1 if none."""
    for c in range(c0, c1):
        p = cand[c]
        if px < bounds[p, 0] or px > bounds[p, 2] or py < bounds[p, 1] or py > bounds[p, 3]:
            continue
        if _point_in_polygon(px, py, xy, ring_offsets, poly_offsets, p):
            return c
    return -1


@njit(cache=True, parallel=True)
def smallest_containing_polygon(points, xy, ring_offsets, poly_offsets, areas, bounds):
    """For each point the polygon that contains it with the smallest ``areas``.

    Parameters
    ----------
    points : (M, 2) float64, metres.
    xy, ring_offsets, poly_offsets : densified polygons (bulges ignored).
    areas : (P,) float64, the ranking key (ties: lowest polygon index).
    bounds : (P, 4) float64 minx, miny, maxx, maxy of each polygon.

    Returns
    -------
    (M,) int64 polygon index, -1 when no polygon contains the point or the
    point is not finite.  "Contains" means inside the exterior and outside all
    holes; points exactly on a boundary may go either way.

    A uniform grid over the polygons' bounds (about one cell per polygon)
    lists each polygon in the cells its bbox touches, in ascending area, so
    the first hit in a cell is the answer; polygons spanning many cells are
    kept in one list every point checks.
    """
    m = points.shape[0]
    n = bounds.shape[0]
    out = np.full(m, -1, dtype=np.int64)
    if m == 0 or n == 0:
        return out
    order = np.argsort(areas, kind="mergesort")
    gminx = bounds[:, 0].min()
    gminy = bounds[:, 1].min()
    gmaxx = bounds[:, 2].max()
    gmaxy = bounds[:, 3].max()
    g = max(1, min(1024, int(math.sqrt(n))))
    cw = (gmaxx - gminx) / g
    ch = (gmaxy - gminy) / g
    if not (cw > 0.0):
        cw = 1.0
    if not (ch > 0.0):
        ch = 1.0

    cell_count = np.zeros(g * g + 1, dtype=np.int64)
    big = np.zeros(n, dtype=np.bool_)
    n_big = 0
    for p in range(n):
        ix0, ix1 = _grid_cell_range(bounds[p, 0], bounds[p, 2], gminx, cw, g)
        iy0, iy1 = _grid_cell_range(bounds[p, 1], bounds[p, 3], gminy, ch, g)
        if (ix1 - ix0 + 1) * (iy1 - iy0 + 1) > _GRID_MAX_CELLS_PER_POLYGON:
            big[p] = True
            n_big += 1
            continue
        for iy in range(iy0, iy1 + 1):
            for ix in range(ix0, ix1 + 1):
                cell_count[iy * g + ix + 1] += 1
    cell_start = np.cumsum(cell_count)
    fill = cell_start[:-1].copy()
    cells = np.empty(cell_start[-1], dtype=np.int64)
    big_list = np.empty(n_big, dtype=np.int64)
    nb = 0
    for q in range(n):
        p = order[q]
        if big[p]:
            big_list[nb] = p
            nb += 1
            continue
        ix0, ix1 = _grid_cell_range(bounds[p, 0], bounds[p, 2], gminx, cw, g)
        iy0, iy1 = _grid_cell_range(bounds[p, 1], bounds[p, 3], gminy, ch, g)
        for iy in range(iy0, iy1 + 1):
            for ix in range(ix0, ix1 + 1):
                c = iy * g + ix
                cells[fill[c]] = p
                fill[c] += 1
    rank = np.empty(n, dtype=np.int64)
    for q in range(n):
        rank[order[q]] = q

    for k in prange(m):
        px = points[k, 0]
        py = points[k, 1]
        if not (px >= gminx and px <= gmaxx and py >= gminy and py <= gmaxy):
            continue
        ix, _ = _grid_cell_range(px, px, gminx, cw, g)
        iy, _ = _grid_cell_range(py, py, gminy, ch, g)
        c = iy * g + ix
        hit = _first_containing(
            px, py, cells, cell_start[c], cell_start[c + 1], xy, ring_offsets, poly_offsets, bounds
        )
        best = -1 if hit < 0 else cells[hit]
        hit = _first_containing(px, py, big_list, 0, n_big, xy, ring_offsets, poly_offsets, bounds)
        if hit >= 0:
            p = big_list[hit]
            if best < 0 or rank[p] < rank[best]:
                best = p
        out[k] = best
    return out


# --------------------------------------------------------------------------
# distances


@njit(cache=True)
def _take(st, d, ax, ay, bx, by, tol):
    """Offer candidate pair (a, b) at distance d to the running state
    ``st = [min distance, distance of kept pair, ax, ay, bx, by]``."""
    if d > st[0] + tol:
        return
    low = min(st[0], d)
    take = st[1] > low + tol
    if not take:
        if ax != st[2]:
            take = ax < st[2]
        elif ay != st[3]:
            take = ay < st[3]
        elif bx != st[4]:
            take = bx < st[4]
        else:
            take = by < st[5]
    st[0] = low
    if take:
        st[1] = d
        st[2] = ax
        st[3] = ay
        st[4] = bx
        st[5] = by


@njit(cache=True)
def _project(px, py, qx0, qy0, qx1, qy1):
    ux = qx1 - qx0
    uy = qy1 - qy0
    ll = ux * ux + uy * uy
    if ll <= 0.0:
        return qx0, qy0
    t = ((px - qx0) * ux + (py - qy0) * uy) / ll
    if t <= 0.0:
        return qx0, qy0
    if t >= 1.0:
        return qx1, qy1
    return qx0 + t * ux, qy0 + t * uy


@njit(cache=True)
def _segment_pair(st, ax0, ay0, ax1, ay1, bx0, by0, bx1, by1, tol):
    """Nearest pairs between segments a and b: their crossing point if they
    cross properly, else the four endpoint-to-segment projections (which span
    every nearest pair, so they contain the lexicographically smallest)."""
    o1 = (ax1 - ax0) * (by0 - ay0) - (ay1 - ay0) * (bx0 - ax0)
    o2 = (ax1 - ax0) * (by1 - ay0) - (ay1 - ay0) * (bx1 - ax0)
    o3 = (bx1 - bx0) * (ay0 - by0) - (by1 - by0) * (ax0 - bx0)
    o4 = (bx1 - bx0) * (ay1 - by0) - (by1 - by0) * (ax1 - bx0)
    if ((o1 > 0.0 and o2 < 0.0) or (o1 < 0.0 and o2 > 0.0)) and (
        (o3 > 0.0 and o4 < 0.0) or (o3 < 0.0 and o4 > 0.0)
    ):
        t = o3 / (o3 - o4)
        x = ax0 + t * (ax1 - ax0)
        y = ay0 + t * (ay1 - ay0)
        _take(st, 0.0, x, y, x, y, tol)
        return
    qx, qy = _project(ax0, ay0, bx0, by0, bx1, by1)
    _take(st, math.hypot(ax0 - qx, ay0 - qy), ax0, ay0, qx, qy, tol)
    qx, qy = _project(ax1, ay1, bx0, by0, bx1, by1)
    _take(st, math.hypot(ax1 - qx, ay1 - qy), ax1, ay1, qx, qy, tol)
    qx, qy = _project(bx0, by0, ax0, ay0, ax1, ay1)
    _take(st, math.hypot(bx0 - qx, by0 - qy), qx, qy, bx0, by0, tol)
    qx, qy = _project(bx1, by1, ax0, ay0, ax1, ay1)
    _take(st, math.hypot(bx1 - qx, by1 - qy), qx, qy, bx1, by1, tol)


@njit(cache=True)
def _vertex_bounds(xy, v0, v1, ox, oy):
    minx = np.inf
    miny = np.inf
    maxx = -np.inf
    maxy = -np.inf
    for v in range(v0, v1):
        x = xy[v, 0] - ox
        y = xy[v, 1] - oy
        minx = min(minx, x)
        maxx = max(maxx, x)
        miny = min(miny, y)
        maxy = max(maxy, y)
    return minx, miny, maxx, maxy


@njit(cache=True)
def _box_gap_sq(aminx, aminy, amaxx, amaxy, bminx, bminy, bmaxx, bmaxy):
    gx = max(0.0, bminx - amaxx, aminx - bmaxx)
    gy = max(0.0, bminy - amaxy, aminy - bmaxy)
    return gx * gx + gy * gy


@njit(cache=True)
def _pair_distance(st, xy, ring_offsets, poly_offsets, i, j, boundary_only):
    """Fill ``st`` (see _take) for polygons i, j, in coordinates relative to
    the first vertex of i; returns that reference point."""
    vi0 = ring_offsets[poly_offsets[i]]
    vi1 = ring_offsets[poly_offsets[i + 1]]
    vj0 = ring_offsets[poly_offsets[j]]
    vj1 = ring_offsets[poly_offsets[j + 1]]
    ox = xy[vi0, 0]
    oy = xy[vi0, 1]
    iminx, iminy, imaxx, imaxy = _vertex_bounds(xy, vi0, vi1, ox, oy)
    jminx, jminy, jmaxx, jmaxy = _vertex_bounds(xy, vj0, vj1, ox, oy)
    extent = max(
        max(abs(iminx), abs(imaxx), abs(iminy), abs(imaxy)),
        max(abs(jminx), abs(jmaxx), abs(jminy), abs(jmaxy)),
    )
    tol = max(TIE_TOLERANCE, 64.0 * _EPS * extent)

    # cheap upper bound: vertex of i nearest j's bbox centre, then the vertex
    # of j nearest to it; it lets the loops below skip far segments at once
    cx = 0.5 * (jminx + jmaxx)
    cy = 0.5 * (jminy + jmaxy)
    best_sq = np.inf
    va = vi0
    for v in range(vi0, vi1):
        dx = xy[v, 0] - ox - cx
        dy = xy[v, 1] - oy - cy
        dd = dx * dx + dy * dy
        if dd < best_sq:
            best_sq = dd
            va = v
    ax = xy[va, 0] - ox
    ay = xy[va, 1] - oy
    best_sq = np.inf
    for v in range(vj0, vj1):
        dx = xy[v, 0] - ox - ax
        dy = xy[v, 1] - oy - ay
        best_sq = min(best_sq, dx * dx + dy * dy)
    upper = math.sqrt(best_sq)

    st[0] = np.inf
    st[1] = np.inf
    for ri in range(poly_offsets[i], poly_offsets[i + 1]):
        s = ring_offsets[ri]
        e = ring_offsets[ri + 1]
        for a in range(s, e):
            a2 = a + 1 if a + 1 < e else s
            ax0 = xy[a, 0] - ox
            ay0 = xy[a, 1] - oy
            ax1 = xy[a2, 0] - ox
            ay1 = xy[a2, 1] - oy
            sminx = min(ax0, ax1)
            smaxx = max(ax0, ax1)
            sminy = min(ay0, ay1)
            smaxy = max(ay0, ay1)
            lim = min(st[0], upper) + tol
            if _box_gap_sq(sminx, sminy, smaxx, smaxy, jminx, jminy, jmaxx, jmaxy) > lim * lim:
                continue
            for rj in range(poly_offsets[j], poly_offsets[j + 1]):
                t0 = ring_offsets[rj]
                t1 = ring_offsets[rj + 1]
                for b in range(t0, t1):
                    b2 = b + 1 if b + 1 < t1 else t0
                    bx0 = xy[b, 0] - ox
                    by0 = xy[b, 1] - oy
                    bx1 = xy[b2, 0] - ox
                    by1 = xy[b2, 1] - oy
                    lim = min(st[0], upper) + tol
                    gap = _box_gap_sq(
                        sminx, sminy, smaxx, smaxy,
                        min(bx0, bx1), min(by0, by1), max(bx0, bx1), max(by0, by1),
                    )
                    if gap > lim * lim:
                        continue
                    _segment_pair(st, ax0, ay0, ax1, ay1, bx0, by0, bx1, by1, tol)

    if st[0] > 0.0:
        # boundaries apart: distance 0 still if one area holds the other
        # (area mode) or holds a ring of j (boundary mode)
        if boundary_only:
            for rj in range(poly_offsets[j], poly_offsets[j + 1]):
                v = ring_offsets[rj]
                x = xy[v, 0]
                y = xy[v, 1]
                if _point_in_polygon(x, y, xy, ring_offsets, poly_offsets, i):
                    st[0] = 0.0
                    st[1] = 0.0
                    st[2] = x - ox
                    st[3] = y - oy
                    st[4] = x - ox
                    st[5] = y - oy
                    break
        else:
            x = xy[vi0, 0]
            y = xy[vi0, 1]
            inner = -1
            if _point_in_polygon(x, y, xy, ring_offsets, poly_offsets, j):
                inner = vi0
            else:
                x = xy[vj0, 0]
                y = xy[vj0, 1]
                if _point_in_polygon(x, y, xy, ring_offsets, poly_offsets, i):
                    inner = vj0
            if inner >= 0:
                st[0] = 0.0
                st[1] = 0.0
                st[2] = x - ox
                st[3] = y - oy
                st[4] = x - ox
                st[5] = y - oy
    return ox, oy


@njit(cache=True, parallel=True)
def pair_distances(xy, ring_offsets, poly_offsets, pairs, boundary_only):
    """Minimum distance and nearest points for pairs of densified polygons.

    Parameters
    ----------
    xy, ring_offsets, poly_offsets : densified polygons (straight edges).
    pairs : (K, 2) int64 polygon indices (i, j).
    boundary_only : (K,) bool.  False: distance between the two polygons as
        areas (0 when they touch, overlap or one contains the other).  True:
        distance from polygon i (area) to the rings of polygon j (lines), e.g.
        the setback of a building i inside the site j; 0 if they cross or a
        ring of j lies inside i.

    Returns
    -------
    dist : (K,) float64 metres.
    points : (K, 4) float64 (ax, ay, bx, by), a on polygon i, b on polygon j,
        ``|a - b| == dist``.  Of several nearest pairs (parallel edges) the
        lexicographically smallest (ax, ay, bx, by) within ``TIE_TOLERANCE``
        of the minimum.  At distance 0: the smallest such contact point among
        edge crossings and touching vertices; when the boundaries do not meet
        but one area contains the other, the first vertex of the contained
        polygon (boundary mode: of the contained ring of j) as both a and b.
    """
    k_n = pairs.shape[0]
    dist = np.empty(k_n, dtype=np.float64)
    points = np.empty((k_n, 4), dtype=np.float64)
    work = np.empty((k_n, 6), dtype=np.float64)
    for k in prange(k_n):
        st = work[k]
        ox, oy = _pair_distance(
            st, xy, ring_offsets, poly_offsets, pairs[k, 0], pairs[k, 1], boundary_only[k]
        )
        dist[k] = st[0]
        points[k, 0] = st[2] + ox
        points[k, 1] = st[3] + oy
        points[k, 2] = st[4] + ox
        points[k, 3] = st[5] + oy
    return dist, points


@njit(cache=True)
def _scan_band(s, t0, t1, d2, lim, sminx, sminy, smaxx, smaxy, order, out, pos):
    """Boxes t in [t0, t1) (sorted by minx) paired with box s, up to minx
    ``lim``.  Counts when ``out`` is empty, else writes from ``pos``."""
    t = t0
    while t < t1 and sminx[t] <= lim:
        gx = max(0.0, sminx[t] - smaxx[s], sminx[s] - smaxx[t])
        gy = max(0.0, sminy[t] - smaxy[s], sminy[s] - smaxy[t])
        if gx * gx + gy * gy <= d2:
            if out.shape[0] > 0:
                a = order[s]
                b = order[t]
                out[pos, 0] = min(a, b)
                out[pos, 1] = max(a, b)
            pos += 1
        t += 1
    return pos


@njit(cache=True)
def _lower_bound(a, lo, hi, value):
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _pairs_of(s, d, ymin, hb, band_start, band_wmax, sband, sminx, sminy, smaxx, smaxy, order, out, pos):
    """All pairs that box s (sorted position) owns: the rest of its band and
    every higher band it reaches.  Counts when ``out`` is empty."""
    d2 = d * d
    lim = smaxx[s] + d
    b = sband[s]
    pos = _scan_band(s, s + 1, band_start[b + 1], d2, lim, sminx, sminy, smaxx, smaxy, order, out, pos)
    top = min(int((smaxy[s] + d - ymin) / hb), band_wmax.shape[0] - 1)
    for bb in range(b + 1, top + 1):
        t0 = band_start[bb]
        t1 = band_start[bb + 1]
        if t0 == t1:
            continue
        # a box of this band reaches minx_s - d only if its minx is at least
        # that minus the band's widest box (with slack for rounding)
        lo = sminx[s] - d - band_wmax[bb]
        lo -= 1e-12 * (abs(lo) + d + band_wmax[bb])
        t0 = _lower_bound(sminx, t0, t1, lo)
        pos = _scan_band(s, t0, t1, d2, lim, sminx, sminy, smaxx, smaxy, order, out, pos)
    return pos


def candidate_pairs(bounds: np.ndarray, max_distance: float) -> np.ndarray:
    """Pairs (i, j), i < j, whose bounding boxes are within ``max_distance``.

    Parameters
    ----------
    bounds : (P, 4) float64 minx, miny, maxx, maxy (metres), finite.
    max_distance : metres, finite and >= 0 (ValueError otherwise).

    Returns
    -------
    (K, 2) int64 in a fixed order for given input (grouped by the first box
    of each pair in (band, minx) order, see below); (0, 2) for no pairs.

    The gap between two boxes is the Euclidean distance between them (0 when
    they overlap, boundary inclusive); it never exceeds the distance of the
    polygons inside, so no pair of polygons within ``max_distance`` is missed.

    Sort-and-sweep on minx inside horizontal bands (band height = median box
    height + max_distance, so a box meets only a few bands): a box scans the
    rest of its own band forward while minx <= its maxx + max_distance, and
    each higher band it can reach from a binary-searched start.  Every pair
    is found once, from the box lower in (band, minx) order.  The minx sort is
    numpy's (numba's argsort is ~7x slower); the rest is one numba kernel.
    """
    b = np.ascontiguousarray(bounds, dtype=np.float64).reshape(-1, 4)
    d = float(max_distance)
    if not (d >= 0.0 and math.isfinite(d)):
        raise ValueError("max_distance must be a finite number >= 0")
    if b.shape[0] == 0:
        return np.empty((0, 2), dtype=np.int64)
    return _candidate_pairs_sorted(b, d, np.argsort(b[:, 0]))


@njit(cache=True, parallel=True)
def _candidate_pairs_sorted(bounds, d, order_x):
    n = bounds.shape[0]
    ymin = bounds[:, 1].min()
    yspan = bounds[:, 3].max() - ymin
    hb = np.median(bounds[:, 3] - bounds[:, 1]) + d
    if not (hb > yspan / n):  # at most ~n bands
        hb = yspan / n
    if not (hb > 0.0):
        hb = 1.0
    n_bands = int((yspan + d) / hb) + 2
    band = np.empty(n, dtype=np.int64)
    band_start = np.zeros(n_bands + 1, dtype=np.int64)
    band_wmax = np.zeros(n_bands, dtype=np.float64)
    for p in range(n):
        bb = int((bounds[p, 1] - ymin) / hb)
        band[p] = bb
        band_start[bb + 1] += 1
        band_wmax[bb] = max(band_wmax[bb], bounds[p, 2] - bounds[p, 0])
    for bb in range(n_bands):
        band_start[bb + 1] += band_start[bb]
    # counting sort by band, stable over the minx order
    fill = band_start[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for q in range(n):
        p = order_x[q]
        order[fill[band[p]]] = p
        fill[band[p]] += 1
    sminx = np.empty(n, dtype=np.float64)
    sminy = np.empty(n, dtype=np.float64)
    smaxx = np.empty(n, dtype=np.float64)
    smaxy = np.empty(n, dtype=np.float64)
    sband = np.empty(n, dtype=np.int64)
    for q in range(n):
        p = order[q]
        sminx[q] = bounds[p, 0]
        sminy[q] = bounds[p, 1]
        smaxx[q] = bounds[p, 2]
        smaxy[q] = bounds[p, 3]
        sband[q] = band[p]

    counts = np.zeros(n + 1, dtype=np.int64)
    none = np.empty((0, 2), dtype=np.int64)
    for s in prange(n):
        counts[s + 1] = _pairs_of(
            s, d, ymin, hb, band_start, band_wmax, sband, sminx, sminy, smaxx, smaxy, order, none, 0
        )
    starts = np.cumsum(counts)
    out = np.empty((starts[n], 2), dtype=np.int64)
    for s in prange(n):
        _pairs_of(
            s, d, ymin, hb, band_start, band_wmax, sband, sminx, sminy, smaxx, smaxy, order, out, starts[s]
        )
    return out
