"""Shadow-ray caster: a binned-SAH bounding volume hierarchy over triangles
and an any-hit traversal in numba.

Sunlight analysis asks, for every window test point and every sun position,
whether anything lies between the point and the sun.  :func:`build_bvh`
turns the triangles of a site (extruded buildings, in metres) into a
:class:`BVH`; :func:`occluded` answers "is anything hit?" for arbitrary rays
and :func:`occluded_grid` for every (point, sun) pair without building the
P x S ray arrays.

Arithmetic is float32, relative to the centre of the scene's bounding box
(:attr:`BVH.origin`), so site coordinates such as x = 3.5e6 m keep ~0.1 mm
resolution within a few kilometres of the centre.  The triangle test is
Moller-Trumbore with barycentric coordinates accepted within
``EDGE_TOLERANCE`` of the triangle, so a ray through the shared edge or
vertex of two facade triangles hits at least one of them (no light leaks
through the seams of a mesh).  Node boxes are padded to contain every point
the tolerant test can accept, and the slab test widens its interval by the
float32 rounding bound (Pharr, Jakob & Humphreys, *Physically Based
Rendering*, 3rd ed., sec. 3.9.2), so the hierarchy never culls a triangle the
test would hit: :func:`occluded` equals the same triangle test applied to
every triangle (tests/test_bvh.py checks this bit for bit).

``t_min`` keeps a ray from hitting the surface it starts on only up to
float32 rounding: a point put exactly on a face is off its plane by up to
~3e-8 x its distance from the scene centre, which a grazing ray divides by
the cosine of its angle to the face.  Keep test points a few centimetres off
their facade (the sunlight code uses 5 cm).

Speed (benchmarks/README.md, "Shadow rays"): sibling boxes share a 64-byte
cache line; traversal visits the child on the ray's side of the split
first; the kernels are inlined into one loop (no per-ray call or reference
counting); :func:`occluded_grid` takes points in Morton order and tries the
leaf that shaded the previous sun first.  Rays given to :func:`occluded` in
a coherent order (e.g. point by point) run ~4x faster than shuffled ones.

References
----------
Wald, "On fast construction of SAH-based bounding volume hierarchies",
IEEE Symposium on Interactive Ray Tracing, 2007 (binned SAH).
Moller & Trumbore, "Fast, minimum storage ray-triangle intersection",
Journal of Graphics Tools 2(1), 1997.
Kay & Kajiya, "Ray tracing complex scenes", SIGGRAPH 1986 (slab test).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..geometry.jit import njit, prange

__all__ = [
    "BVH",
    "DEGENERATE_RATIO",
    "EDGE_TOLERANCE",
    "MAX_EXTENT",
    "build_bvh",
    "occluded",
    "occluded_grid",
    "morton_order",
]

#: Barycentric tolerance of the triangle test: a hit may lie this fraction of
#: an edge's length outside the triangle (30 um on a 3 m facade quad, far
#: below the 5 cm test-point offset).  It closes the seams between adjacent
#: triangles, where float32 rounding would otherwise let a ray through.
EDGE_TOLERANCE = 1e-5

#: A triangle whose width is below this fraction of its longest edge
#: (|e1 x e2| <= ratio * longest**2, float64) is degenerate: collinear
#: vertices up to rounding.  It is left out, like an exactly zero-area one.
DEGENERATE_RATIO = 1e-10

#: Coordinates (m) may lie at most this far from the scene centre on each
#: axis: float32 resolution there is ~1 m, useless for shadows.
MAX_EXTENT = 1e7

_F32 = np.float32
_TOL = _F32(EDGE_TOLERANCE)
_ONE_TOL = _F32(1.0 + EDGE_TOLERANCE)
_ONE = _F32(1.0)
_ZERO = _F32(0.0)
# float32 rounding bound of the slab test: the exit distance grows by
# 2 * gamma(3) of itself, gamma(n) = n u / (1 - n u), u = 2**-24 (PBRT 3.9.2);
# with t_min >= 0 a box is hit when t_near <= t_far * _SLAB_WIDEN
_U32 = 2.0**-24
_SLAB_WIDEN = _F32(1.0 + 2.0 * 3.0 * _U32 / (1.0 - 3.0 * _U32))
# a zero direction component is replaced by this (with its sign) before 1/d:
# the slab test stays finite and NaN-free, and the ray is still axis-parallel
# to far below float32 resolution at any scene size
_TINY_DIR = 1e-30
# pad of node boxes, relative to the scene's largest |coordinate| from the
# origin: covers float32 rounding of vertices, ray origins and the test
_PAD_REL = 16.0 * float(np.finfo(np.float32).eps)

_LEAF = 4  # target triangles per leaf
_MAX_LEAF = 8  # a node with more is always split
_BINS = 16
_C_TRAV = 1.0  # SAH cost of visiting a node (two box tests), in triangle tests
_C_ISECT = 1.0

# The (P, S) grid kernel handles points in blocks of this many, interleaved
# across threads: numba's workqueue layer splits a parallel loop into equal
# contiguous parts, so interleaving keeps each thread's share of near and
# far, shaded and sunlit points alike.
_BLOCK = 32
_INTERLEAVE = 8


class BVH(NamedTuple):
    """A bounding volume hierarchy over triangles, as flat arrays.

    Attributes
    ----------
    nodes : (N, 8) float32.  Row k: box min x, y, z, max x, y, z (padded,
        relative to ``origin``), then two int32 slots (see ``node_ints``).
        Node 0 is the root; siblings are adjacent (left at an even index,
        right after it) so both boxes of a pair share a 64-byte cache line;
        row 1 is unused padding.
    node_ints : (N, 8) int32, the same memory as ``nodes``.  Column 6: left
        child (interior) or first triangle (leaf); column 7: -(split axis + 1)
        for an interior node, the triangle count (>= 1) for a leaf.
    tris : (T, 9) float32, triangles in leaf order: vertex 0, edge 1 - 0,
        edge 2 - 0 (metres, relative to ``origin``).
    tri_index : (T,) int64, input index of each row of ``tris``.  Triangles
        of zero area are left out (see ``DEGENERATE_RATIO``).
    origin : (3,) float64, metres, subtracted from every coordinate.
    depth : int, number of levels (sizes the traversal stack).
    n_input : int, number of triangles given to :func:`build_bvh`.
    """

    nodes: np.ndarray
    node_ints: np.ndarray
    tris: np.ndarray
    tri_index: np.ndarray
    origin: np.ndarray
    depth: int
    n_input: int

    @property
    def n_triangles(self) -> int:
        """Triangles in the hierarchy (zero-area ones are left out)."""
        return int(self.tris.shape[0])


# --------------------------------------------------------------------------
# build


@njit(cache=True, inline="always")
def _centroid_span(axis, clo0, clo1, clo2, chi0, chi1, chi2):
    """(lowest centroid, centroid extent) of a node along ``axis`` (0, 1, 2 = x, y, z), m."""
    if axis == 0:
        return clo0, chi0 - clo0
    if axis == 1:
        return clo1, chi1 - clo1
    return clo2, chi2 - clo2


@njit(cache=True)
def _sah_build(lo, hi, cent, leaf, max_leaf, n_bins, c_trav, c_isect, stack_rows=64):
    """Binned-SAH build over triangle boxes ``lo``/``hi`` (n, 3) float64 and
    centroids ``cent``.  Iterative (explicit stack); children are allocated
    as adjacent pairs starting at index 2.  Returns the triangle order, node
    boxes, the two int slots per node, the node count and the depth."""
    n = lo.shape[0]
    order = np.arange(n)
    cap = 2 * n + 2
    nlo = np.zeros((cap, 3))
    nhi = np.zeros((cap, 3))
    na = np.zeros(cap, dtype=np.int64)
    nb = np.zeros(cap, dtype=np.int64)
    # work stack: node, start, end, level (grows when a deep tree needs it)
    stack = np.empty((stack_rows, 4), dtype=np.int64)
    sp = 0
    stack[0, 0] = 0
    stack[0, 1] = 0
    stack[0, 2] = n
    stack[0, 3] = 1
    sp = 1
    n_nodes = 2
    depth = 0
    bin_cnt = np.empty(n_bins, dtype=np.int64)
    bin_lo = np.empty((n_bins, 3))
    bin_hi = np.empty((n_bins, 3))
    right_area = np.empty(n_bins)
    right_cnt = np.empty(n_bins, dtype=np.int64)
    while sp > 0:
        sp -= 1
        node = stack[sp, 0]
        s = stack[sp, 1]
        e = stack[sp, 2]
        level = stack[sp, 3]
        depth = max(depth, level)
        blo0 = np.inf
        blo1 = np.inf
        blo2 = np.inf
        bhi0 = -np.inf
        bhi1 = -np.inf
        bhi2 = -np.inf
        clo0 = np.inf
        clo1 = np.inf
        clo2 = np.inf
        chi0 = -np.inf
        chi1 = -np.inf
        chi2 = -np.inf
        for i in range(s, e):
            t = order[i]
            blo0 = min(blo0, lo[t, 0])
            blo1 = min(blo1, lo[t, 1])
            blo2 = min(blo2, lo[t, 2])
            bhi0 = max(bhi0, hi[t, 0])
            bhi1 = max(bhi1, hi[t, 1])
            bhi2 = max(bhi2, hi[t, 2])
            clo0 = min(clo0, cent[t, 0])
            clo1 = min(clo1, cent[t, 1])
            clo2 = min(clo2, cent[t, 2])
            chi0 = max(chi0, cent[t, 0])
            chi1 = max(chi1, cent[t, 1])
            chi2 = max(chi2, cent[t, 2])
        nlo[node, 0] = blo0
        nlo[node, 1] = blo1
        nlo[node, 2] = blo2
        nhi[node, 0] = bhi0
        nhi[node, 1] = bhi1
        nhi[node, 2] = bhi2
        cnt = e - s
        if cnt <= leaf:
            na[node] = s
            nb[node] = cnt
            continue
        ex0 = bhi0 - blo0
        ex1 = bhi1 - blo1
        ex2 = bhi2 - blo2
        area = ex0 * ex1 + ex1 * ex2 + ex2 * ex0

        best_cost = np.inf
        best_axis = -1
        best_bin = 0
        for axis in range(3):
            cmin, cext = _centroid_span(axis, clo0, clo1, clo2, chi0, chi1, chi2)
            if not (cext > 0.0):
                continue
            scale = n_bins / cext
            for b in range(n_bins):
                bin_cnt[b] = 0
                for j in range(3):
                    bin_lo[b, j] = np.inf
                    bin_hi[b, j] = -np.inf
            for i in range(s, e):
                t = order[i]
                b = int((cent[t, axis] - cmin) * scale)
                if b >= n_bins:
                    b = n_bins - 1
                bin_cnt[b] += 1
                for j in range(3):
                    bin_lo[b, j] = min(bin_lo[b, j], lo[t, j])
                    bin_hi[b, j] = max(bin_hi[b, j], hi[t, j])
            # sweep from the right: area and count of bins b..n_bins-1
            r0 = np.inf
            r1 = np.inf
            r2 = np.inf
            q0 = -np.inf
            q1 = -np.inf
            q2 = -np.inf
            rc = 0
            for b in range(n_bins - 1, 0, -1):
                r0 = min(r0, bin_lo[b, 0])
                r1 = min(r1, bin_lo[b, 1])
                r2 = min(r2, bin_lo[b, 2])
                q0 = max(q0, bin_hi[b, 0])
                q1 = max(q1, bin_hi[b, 1])
                q2 = max(q2, bin_hi[b, 2])
                rc += bin_cnt[b]
                right_cnt[b] = rc
                if rc > 0:
                    a0 = q0 - r0
                    a1 = q1 - r1
                    a2 = q2 - r2
                    right_area[b] = a0 * a1 + a1 * a2 + a2 * a0
                else:
                    right_area[b] = 0.0
            l0 = np.inf
            l1 = np.inf
            l2 = np.inf
            p0 = -np.inf
            p1 = -np.inf
            p2 = -np.inf
            lc = 0
            for b in range(n_bins - 1):
                l0 = min(l0, bin_lo[b, 0])
                l1 = min(l1, bin_lo[b, 1])
                l2 = min(l2, bin_lo[b, 2])
                p0 = max(p0, bin_hi[b, 0])
                p1 = max(p1, bin_hi[b, 1])
                p2 = max(p2, bin_hi[b, 2])
                lc += bin_cnt[b]
                if lc == 0 or right_cnt[b + 1] == 0:
                    continue
                a0 = p0 - l0
                a1 = p1 - l1
                a2 = p2 - l2
                cost = lc * (a0 * a1 + a1 * a2 + a2 * a0) + right_cnt[b + 1] * right_area[b + 1]
                if cost < best_cost:
                    best_cost = cost
                    best_axis = axis
                    best_bin = b
        # costs relative to visiting this node: leaf = cnt tests; split = a
        # traversal step plus the children's tests weighted by area ratio
        split_cost = np.inf
        if best_axis >= 0 and area > 0.0:
            split_cost = c_trav + c_isect * best_cost / area
        elif best_axis >= 0:
            split_cost = c_trav
        if cnt <= max_leaf and c_isect * cnt <= split_cost:
            na[node] = s
            nb[node] = cnt
            continue
        mid = s
        if best_axis >= 0:
            cmin, cext = _centroid_span(best_axis, clo0, clo1, clo2, chi0, chi1, chi2)
            scale = n_bins / cext
            i = s
            j = e - 1
            while i <= j:
                b = int((cent[order[i], best_axis] - cmin) * scale)
                if b >= n_bins:
                    b = n_bins - 1
                if b <= best_bin:
                    i += 1
                else:
                    tmp = order[i]
                    order[i] = order[j]
                    order[j] = tmp
                    j -= 1
            mid = i
        if mid <= s or mid >= e:
            # all centroids coincide (or binning could not separate them)
            mid = (s + e) // 2
        left = n_nodes
        n_nodes += 2
        na[node] = left
        nb[node] = -(max(best_axis, 0) + 1)
        if sp + 2 > stack.shape[0]:
            bigger = np.empty((2 * stack.shape[0], 4), dtype=np.int64)
            bigger[:sp] = stack[:sp]
            stack = bigger
        stack[sp, 0] = left + 1
        stack[sp, 1] = mid
        stack[sp, 2] = e
        stack[sp, 3] = level + 1
        sp += 1
        stack[sp, 0] = left
        stack[sp, 1] = s
        stack[sp, 2] = mid
        stack[sp, 3] = level + 1
        sp += 1
    return order, nlo[:n_nodes], nhi[:n_nodes], na[:n_nodes], nb[:n_nodes], depth


def _aligned_empty(shape: tuple[int, int], dtype, align: int = 64) -> np.ndarray:
    """An empty C-contiguous array whose data starts on an ``align``-byte boundary."""
    dtype = np.dtype(dtype)
    nbytes = shape[0] * shape[1] * dtype.itemsize
    raw = np.empty(nbytes + align, dtype=np.uint8)
    start = (-raw.ctypes.data) % align
    return raw[start : start + nbytes].view(dtype).reshape(shape)


def _check_finite(name: str, a: np.ndarray) -> None:
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite coordinates")


def _degenerate(tri: np.ndarray, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """Triangles of zero area: in the float32 edges the test uses, or up to
    rounding in the float64 input (``DEGENERATE_RATIO``)."""
    cross32 = np.cross(e1.astype(np.float64), e2.astype(np.float64))
    a = tri[:, 1] - tri[:, 0]
    b = tri[:, 2] - tri[:, 0]
    c = tri[:, 2] - tri[:, 1]
    longest2 = np.maximum(np.maximum((a * a).sum(1), (b * b).sum(1)), (c * c).sum(1))
    area2 = np.linalg.norm(np.cross(a, b), axis=1)
    return ~(cross32 != 0.0).any(axis=1) | (area2 <= DEGENERATE_RATIO * longest2)


def build_bvh(triangles: np.ndarray) -> BVH:
    """Build a bounding volume hierarchy over triangles.

    Parameters
    ----------
    triangles : (n, 3, 3) float array, metres: triangle, vertex, xyz.  Any
        float dtype; n may be 0.

    Returns
    -------
    BVH.  Triangles of zero area (repeated or collinear vertices, also up to
    rounding: ``DEGENERATE_RATIO``) are left out: they shade nothing.  With no triangle left every ray misses.

    Raises
    ------
    ValueError
        On a wrong shape, a NaN / infinite coordinate, or a scene extending
        more than ``MAX_EXTENT`` from its centre.

    Binned SAH (16 bins per axis, leaves of up to 4 triangles, 8 where that
    is cheaper than splitting); ~0.1 s for 100k triangles on one core.
    """
    tri = np.asarray(triangles, dtype=np.float64)
    if tri.ndim != 3 or tri.shape[1:] != (3, 3):
        raise ValueError(f"triangles must have shape (n, 3, 3), got {tri.shape}")
    _check_finite("triangles", tri)
    n_input = tri.shape[0]
    if n_input:
        origin = 0.5 * (tri.reshape(-1, 3).min(axis=0) + tri.reshape(-1, 3).max(axis=0))
    else:
        origin = np.zeros(3)
    if n_input and float(np.abs(tri - origin).max()) > MAX_EXTENT:
        raise ValueError(f"triangles extend more than {MAX_EXTENT:g} m from their centre")
    v = (tri - origin).astype(np.float32)
    e1 = v[:, 1] - v[:, 0]
    e2 = v[:, 2] - v[:, 0]
    keep = np.flatnonzero(~_degenerate(tri, e1, e2))
    v = v[keep]
    e1 = e1[keep]
    e2 = e2[keep]
    n = keep.shape[0]

    if n == 0:
        nodes = _aligned_empty((0, 8), np.float32)
        return BVH(
            nodes, nodes.view(np.int32), np.empty((0, 9), np.float32), keep.astype(np.int64),
            origin, 0, n_input,
        )

    v64 = v.astype(np.float64)
    lo = v64.min(axis=1)
    hi = v64.max(axis=1)
    # padding: the tolerant test accepts points up to EDGE_TOLERANCE x the
    # longest edge outside the triangle; add float32 rounding at scene scale
    edge = np.sqrt(
        np.maximum(
            np.maximum((e1.astype(np.float64) ** 2).sum(1), (e2.astype(np.float64) ** 2).sum(1)),
            ((v64[:, 2] - v64[:, 1]) ** 2).sum(1),
        )
    )
    scale = max(float(np.abs(v64).max()), 1.0)
    pad = (4.0 * EDGE_TOLERANCE * edge + _PAD_REL * scale)[:, None]
    lo -= pad
    hi += pad
    cent = 0.5 * (lo + hi)
    order, nlo, nhi, na, nb, depth = _sah_build(
        lo, hi, cent, _LEAF, _MAX_LEAF, _BINS, _C_TRAV, _C_ISECT
    )

    nodes = _aligned_empty((nlo.shape[0], 8), np.float32)
    ints = nodes.view(np.int32)
    # round outwards so the float32 box contains the float64 one
    nodes[:, 0:3] = np.nextafter(nlo.astype(np.float32), np.float32(-np.inf))
    nodes[:, 3:6] = np.nextafter(nhi.astype(np.float32), np.float32(np.inf))
    ints[:, 6] = na
    ints[:, 7] = nb
    if nodes.shape[0] > 1:
        nodes[1, :6] = np.nan  # unused pad row
        ints[1, 6:] = 0

    tris = np.empty((n, 9), dtype=np.float32)
    tris[:, 0:3] = v[order, 0]
    tris[:, 3:6] = e1[order]
    tris[:, 6:9] = e2[order]
    return BVH(nodes, ints, tris, keep[order].astype(np.int64), origin, int(depth), n_input)


# --------------------------------------------------------------------------
# traversal


@njit(cache=True, error_model="numpy", inline="always")
def _leaf_hit(tris, first, count, ox, oy, oz, dx, dy, dz, tmin, tmax):
    """Moller-Trumbore against triangles [first, first + count) of the flat
    (T * 9,) ``tris``, float32."""
    for k in range(first, first + count):
        i = k * 9
        v0x = tris[i]
        v0y = tris[i + 1]
        v0z = tris[i + 2]
        e1x = tris[i + 3]
        e1y = tris[i + 4]
        e1z = tris[i + 5]
        e2x = tris[i + 6]
        e2y = tris[i + 7]
        e2z = tris[i + 8]
        px = dy * e2z - dz * e2y
        py = dz * e2x - dx * e2z
        pz = dx * e2y - dy * e2x
        det = e1x * px + e1y * py + e1z * pz
        if det == _ZERO:
            continue
        inv = _ONE / det
        sx = ox - v0x
        sy = oy - v0y
        sz = oz - v0z
        u = (sx * px + sy * py + sz * pz) * inv
        if not (u >= -_TOL and u <= _ONE_TOL):
            continue
        qx = sy * e1z - sz * e1y
        qy = sz * e1x - sx * e1z
        qz = sx * e1y - sy * e1x
        v = (dx * qx + dy * qy + dz * qz) * inv
        if not (v >= -_TOL and u + v <= _ONE_TOL):
            continue
        t = (e2x * qx + e2y * qy + e2z * qz) * inv
        if t > tmin and t < tmax:
            return True
    return False


@njit(cache=True, error_model="numpy", inline="always")
def _slab(nodes, k, ox, oy, oz, ix, iy, iz, tmin, tmax):
    """Whether the ray meets box k of the flat (N * 8,) ``nodes`` within
    [tmin, tmax] (tmin >= 0), conservatively under float32 rounding."""
    i = k * 8
    t0 = (nodes[i] - ox) * ix
    t1 = (nodes[i + 3] - ox) * ix
    tn = min(t0, t1)
    tf = max(t0, t1)
    t0 = (nodes[i + 1] - oy) * iy
    t1 = (nodes[i + 4] - oy) * iy
    tn = max(tn, min(t0, t1))
    tf = min(tf, max(t0, t1))
    t0 = (nodes[i + 2] - oz) * iz
    t1 = (nodes[i + 5] - oz) * iz
    tn = max(tn, min(t0, t1))
    tf = min(tf, max(t0, t1))
    tn = max(tn, tmin)
    tf = min(tf, tmax)
    return tn <= tf * _SLAB_WIDEN


@njit(cache=True, error_model="numpy", inline="always")
def _any_hit(nodes, ints, tris, stack, ox, oy, oz, dx, dy, dz, ix, iy, iz, tmin, tmax, hint):
    """Any-hit traversal of one ray over the flat arrays.  ``hint`` is a leaf to test first (the
    occluder of a previous, similar ray) or -1.  Returns the leaf that holds
    a hit, or -1 for no hit."""
    if hint >= 0:
        if _leaf_hit(tris, ints[hint * 8 + 6], ints[hint * 8 + 7], ox, oy, oz, dx, dy, dz, tmin, tmax):
            return hint
    if not _slab(nodes, 0, ox, oy, oz, ix, iy, iz, tmin, tmax):
        return -1
    sp = 0
    node = 0
    while True:
        b = ints[node * 8 + 7]
        if b > 0:
            if node != hint and _leaf_hit(
                tris, ints[node * 8 + 6], b, ox, oy, oz, dx, dy, dz, tmin, tmax
            ):
                return node
            if sp == 0:
                return -1
            sp -= 1
            node = stack[sp]
            continue
        left = ints[node * 8 + 6]
        tl = _slab(nodes, left, ox, oy, oz, ix, iy, iz, tmin, tmax)
        tr = _slab(nodes, left + 1, ox, oy, oz, ix, iy, iz, tmin, tmax)
        if tl:
            if tr:
                # both: nearer side first, by the ray's sign on the split axis
                axis = -b - 1
                if axis == 0:
                    neg = dx < _ZERO
                elif axis == 1:
                    neg = dy < _ZERO
                else:
                    neg = dz < _ZERO
                if neg:
                    stack[sp] = left
                    node = left + 1
                else:
                    stack[sp] = left + 1
                    node = left
                sp += 1
            else:
                node = left
        elif tr:
            node = left + 1
        else:
            if sp == 0:
                return -1
            sp -= 1
            node = stack[sp]


@njit(cache=True, error_model="numpy", inline="always")
def _inv(c):
    """1/c for a float32 direction component; a zero (either sign) becomes a
    tiny number of the same sign, so the slab test stays finite."""
    if c == _ZERO:
        if math.copysign(1.0, c) < 0.0:
            return _ONE / np.float32(-_TINY_DIR)
        return _ONE / np.float32(_TINY_DIR)
    return _ONE / c


@njit(cache=True, error_model="numpy", inline="always")
def _to32(a, i, origin):
    """Row i of a float (m, 3) array, minus ``origin`` in float64, as float32."""
    return (
        np.float32(np.float64(a[i, 0]) - origin[0]),
        np.float32(np.float64(a[i, 1]) - origin[1]),
        np.float32(np.float64(a[i, 2]) - origin[2]),
    )


@njit(cache=True, parallel=True, error_model="numpy")
def _occluded_kernel(nodes, ints, tris, depth, origin, org, dirs, dir_index, tmin, tmax, out):
    """Rays r: origin ``org[r]``, direction ``dirs[dir_index[r]]`` (or
    ``dirs[r]`` when ``dir_index`` is empty), t in (tmin[r], tmax[r])."""
    m = org.shape[0]
    n_blocks = (m + _BLOCK - 1) // _BLOCK
    shared = dir_index.shape[0] > 0
    per_min = tmin.shape[0] > 1
    per_max = tmax.shape[0] > 1
    for blk in prange(n_blocks):
        stack = np.empty(depth + 1, dtype=np.int32)
        hint = -1
        for r in range(blk * _BLOCK, min(m, (blk + 1) * _BLOCK)):
            k = dir_index[r] if shared else r
            t0 = tmin[r] if per_min else tmin[0]
            t1 = tmax[r] if per_max else tmax[0]
            ox, oy, oz = _to32(org, r, origin)
            dx = np.float32(dirs[k, 0])
            dy = np.float32(dirs[k, 1])
            dz = np.float32(dirs[k, 2])
            leaf = _any_hit(
                nodes, ints, tris, stack, ox, oy, oz, dx, dy, dz,
                _inv(dx), _inv(dy), _inv(dz), t0, t1, hint,
            )
            out[r] = leaf >= 0
            if leaf >= 0:
                hint = leaf


@njit(cache=True, parallel=True, error_model="numpy")
def _grid_kernel(nodes, ints, tris, depth, origin, pts, point_order, block_order, suns, tmin, out):
    """Every (point, sun) pair; points taken in ``point_order`` (spatially
    sorted) by blocks of _BLOCK, the blocks in ``block_order``."""
    p_n = pts.shape[0]
    s_n = suns.shape[0]
    tmax = np.float32(np.inf)
    sun32 = np.empty((s_n, 6), dtype=np.float32)
    for s in range(s_n):
        for j in range(3):
            c = np.float32(suns[s, j])
            sun32[s, j] = c
            sun32[s, 3 + j] = _inv(c)
    n_blocks = block_order.shape[0]
    for q in prange(n_blocks):
        blk = block_order[q]
        stack = np.empty(depth + 1, dtype=np.int32)
        for i in range(blk * _BLOCK, min(p_n, (blk + 1) * _BLOCK)):
            p = point_order[i]
            ox, oy, oz = _to32(pts, p, origin)
            hint = -1
            for s in range(s_n):
                leaf = _any_hit(
                    nodes, ints, tris, stack, ox, oy, oz,
                    sun32[s, 0], sun32[s, 1], sun32[s, 2],
                    sun32[s, 3], sun32[s, 4], sun32[s, 5],
                    tmin, tmax, hint,
                )
                out[p, s] = leaf >= 0
                if leaf >= 0:
                    hint = leaf


# --------------------------------------------------------------------------
# public queries


def _as_rows(name: str, a: np.ndarray) -> np.ndarray:
    """(m, 3) float64 C-contiguous, no copy when it already is.  One dtype
    keeps the kernels to one compiled (and cached) version."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 3:
        raise ValueError(f"{name} must have shape (m, 3), got {a.shape}")
    return a


@njit(cache=True)
def _point_problem(a, origin, limit):
    """0 if every row of (m, 3) ``a`` is finite and within ``limit`` of
    ``origin`` on each axis, 1 if one is not finite, 2 if one is too far."""
    for i in range(a.shape[0]):
        for j in range(3):
            x = a[i, j]
            if not abs(x - origin[j]) <= limit:
                return 1 if not np.isfinite(x) else 2
    return 0


@njit(cache=True)
def _direction_problem(a):
    """0 if every row of (m, 3) ``a`` is a usable direction, 1 if one is not
    finite, 2 if one has length zero in float32, 3 if one has a component
    beyond float32 range."""
    tiny = np.finfo(np.float32).tiny
    big = np.finfo(np.float32).max
    for i in range(a.shape[0]):
        if not (np.isfinite(a[i, 0]) and np.isfinite(a[i, 1]) and np.isfinite(a[i, 2])):
            return 1
        m = max(abs(a[i, 0]), abs(a[i, 1]), abs(a[i, 2]))
        if m < tiny:
            return 2
        if m > big:
            return 3
    return 0


def _as_points(name: str, a: np.ndarray, origin: np.ndarray) -> np.ndarray:
    a = _as_rows(name, a)
    problem = _point_problem(a, np.asarray(origin, dtype=np.float64), MAX_EXTENT)
    if problem == 1:
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    if problem == 2:
        raise ValueError(f"{name} lies more than {MAX_EXTENT:g} m from the scene centre")
    return a


def _as_directions(name: str, a: np.ndarray) -> np.ndarray:
    a = _as_rows(name, a)
    problem = _direction_problem(a)
    if problem == 1:
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    if problem == 2:
        raise ValueError(f"{name} contains a zero-length direction")
    if problem == 3:
        raise ValueError(f"{name} contains a component beyond float32 range")
    return a


def _per_ray(name: str, value, m: int) -> np.ndarray:
    """float32 (1,) for a number, (m,) for an array."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        a = a.reshape(1)
    elif a.shape != (m,):
        raise ValueError(f"{name} must be a number or have shape ({m},), got {a.shape}")
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN")
    return a.astype(np.float32)


def _rays(origins, directions, direction_index, scene_origin) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated rays as the kernels take them: origins (m, 3) relative to ``scene_origin``,
    directions (k, 3), and each ray's direction index (m,), or an empty index when k == m
    (one direction per ray). Raises ValueError as :func:`occluded` documents."""
    org = _as_points("origins", origins, scene_origin)
    dirs = _as_directions("directions", directions)
    m = org.shape[0]
    if direction_index is not None:
        idx = np.asarray(direction_index)
        if idx.shape != (m,) or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"direction_index must be an int array of shape ({m},)")
        if m and (idx.min() < 0 or idx.max() >= dirs.shape[0]):
            raise ValueError("direction_index out of range")
        return org, dirs, np.ascontiguousarray(idx, dtype=np.int64)
    if dirs.shape[0] == m:
        return org, dirs, np.empty(0, dtype=np.int64)
    if dirs.shape[0] == 1:
        return org, dirs, np.zeros(m, dtype=np.int64)
    raise ValueError(f"directions must have shape ({m}, 3) or (1, 3), or come with direction_index; got {dirs.shape}")


def occluded(
    bvh: BVH,
    origins: np.ndarray,
    directions: np.ndarray,
    t_min: float | np.ndarray = 1e-4,
    t_max: float | np.ndarray = np.inf,
    direction_index: np.ndarray | None = None,
) -> np.ndarray:
    """Whether each ray hits any triangle at a distance in (t_min, t_max).

    Parameters
    ----------
    bvh : from :func:`build_bvh`.
    origins : (m, 3) float, metres (world coordinates, as given to build_bvh).
    directions : (m, 3) float, one per ray; or (k, 3) shared directions picked
        by ``direction_index``; or (1, 3), one direction for every ray.
        Any non-zero length; t is measured in multiples of it (unit vectors:
        metres).
    t_min, t_max : number or (m,) array, t_min >= 0.  A ray ignores hits at t <= t_min,
        so a ray starting on a surface does not hit that surface (1e-4 m for
        unit directions; keep test points a few cm off their facade anyway).
        t_max = inf for rays toward the sun.
    direction_index : (m,) int, optional: ray r uses ``directions[direction_index[r]]``.

    Returns
    -------
    (m,) bool.

    Raises
    ------
    ValueError
        On wrong shapes, NaN or infinite coordinates, origins more than
        ``MAX_EXTENT`` from the scene centre, a zero direction, an
        out-of-range direction index, NaN in t_min / t_max or t_min < 0.
    """
    org, dirs, idx = _rays(origins, directions, direction_index, bvh.origin)
    m = org.shape[0]
    tmin = _per_ray("t_min", t_min, m)
    if (tmin < 0).any():
        raise ValueError("t_min must be >= 0")
    tmax = _per_ray("t_max", t_max, m)
    out = np.zeros(m, dtype=np.bool_)
    if m == 0 or bvh.tris.shape[0] == 0:
        return out
    _occluded_kernel(
        bvh.nodes.reshape(-1), bvh.node_ints.reshape(-1), bvh.tris.reshape(-1), bvh.depth, bvh.origin, org, dirs, idx, tmin, tmax, out
    )
    return out


def _block_order(n_blocks: int) -> np.ndarray:
    """Blocks 0, 8, 16, ..., 1, 9, ...: numba's workqueue layer gives each
    thread an equal contiguous share of the loop, and this way each share
    spreads over the whole scene."""
    b = np.arange(n_blocks, dtype=np.int64)
    return np.ascontiguousarray(b[np.argsort(b % _INTERLEAVE, kind="stable")])


def _spread_bits(x: np.ndarray) -> np.ndarray:
    """Insert two zero bits after each of the low 21 bits of uint64 ``x``."""
    x = x & np.uint64(0x1FFFFF)
    x = (x | (x << np.uint64(32))) & np.uint64(0x1F00000000FFFF)
    x = (x | (x << np.uint64(16))) & np.uint64(0x1F0000FF0000FF)
    x = (x | (x << np.uint64(8))) & np.uint64(0x100F00F00F00F00F)
    x = (x | (x << np.uint64(4))) & np.uint64(0x10C30C30C30C30C3)
    x = (x | (x << np.uint64(2))) & np.uint64(0x1249249249249249)
    return x


def morton_order(points: np.ndarray) -> np.ndarray:
    """Permutation sorting (m, 3) points along a Z-order (Morton) curve of
    their bounding cube, 2**21 cells a side: nearby points end up near in
    the order, so consecutive rays visit the same nodes (cache-friendly)."""
    p = np.asarray(points, dtype=np.float64)
    if p.shape[0] == 0:
        return np.empty(0, dtype=np.int64)
    lo = p.min(axis=0)
    span = float((p.max(axis=0) - lo).max())
    scale = (2**21 - 1) / span if span > 0 else 0.0
    q = ((p - lo) * scale).astype(np.uint64)
    code = _spread_bits(q[:, 0]) | (_spread_bits(q[:, 1]) << np.uint64(1)) | (_spread_bits(q[:, 2]) << np.uint64(2))
    return np.argsort(code, kind="stable")


def occluded_grid(
    bvh: BVH, points: np.ndarray, suns: np.ndarray, t_min: float = 1e-4
) -> np.ndarray:
    """Whether each point is shaded from each sun direction.

    Parameters
    ----------
    bvh : from :func:`build_bvh`.
    points : (P, 3) float, metres: test points, offset a few cm off their
        facade along its outward normal.
    suns : (S, 3) float, directions toward the sun (any non-zero length;
        need not be above the horizon: that is the caller's filter).
    t_min : >= 0; hits at t <= t_min are ignored (multiples of the sun vector).

    Returns
    -------
    (P, S) bool: True where a triangle lies between point p and sun s
    (t in (t_min, inf)).  The P x S rays are never materialised: the kernel
    takes the points in Morton order (parallel over blocks of points), loops
    over the suns for each, and tries the leaf that shaded the point from
    the previous sun first (consecutive suns are usually shaded by the same
    wall): give the suns in time order.

    Raises
    ------
    ValueError
        On wrong shapes, NaN or infinite coordinates, points more than
        ``MAX_EXTENT`` from the scene centre, a zero sun vector or
        t_min < 0.
    """
    pts = _as_points("points", points, bvh.origin)
    s32 = _as_directions("suns", suns)
    tmin = float(t_min)
    if not tmin >= 0.0:
        raise ValueError("t_min must be a number >= 0")
    p_n = pts.shape[0]
    out = np.zeros((p_n, s32.shape[0]), dtype=np.bool_)
    if p_n == 0 or s32.shape[0] == 0 or bvh.tris.shape[0] == 0:
        return out
    n_blocks = (p_n + _BLOCK - 1) // _BLOCK
    _grid_kernel(
        bvh.nodes.reshape(-1), bvh.node_ints.reshape(-1), bvh.tris.reshape(-1), bvh.depth,
        bvh.origin, pts, morton_order(pts), _block_order(n_blocks), s32, np.float32(tmin), out,
    )
    return out
