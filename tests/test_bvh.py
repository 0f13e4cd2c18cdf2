"""The shadow-ray caster (drawcheck.sunlight.bvh) against brute force.

Three independent references:

- ``brute_float32``: every ray against every triangle in numpy, with the
  triangle test the caster documents (Moller-Trumbore in float32 relative to
  the scene's bounding-box centre, barycentric tolerance EDGE_TOLERANCE).
  Same arithmetic, so the hit/miss results must be *identical*: any
  difference is the hierarchy culling a triangle it should have tested.
- ``exact_float64``: the plain geometric question in float64 with no
  tolerance, used on rays that pass clearly (a margin from every edge,
  plane and end of the interval): there the float32 caster must agree.
- Embree (embreex), when the optional extra is installed.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from drawcheck.sunlight import bvh as caster
from drawcheck.sunlight import embree as embree_backend
from drawcheck.sunlight.bvh import DEGENERATE_RATIO, EDGE_TOLERANCE, build_bvh, occluded, occluded_grid

F32 = np.float32
# A ray is "clear" of a triangle when its float64 barycentric coordinates are
# this far from every edge (or it misses the plane by this much relative
# t): float32 rounding at these scene sizes (<= 1 km) moves them ~1e-6.
CLEAR_MARGIN = 1e-4
# ... and when its hit distance is this far (m) from t_min and t_max.
CLEAR_T = 1e-3
OFFSET = 0.05  # m, test points off their facade (the caller's convention)
T_MIN = 1e-4

needs_embree = pytest.mark.skipif(
    not embree_backend.available(),
    reason="embreex is not installed (optional extra: pip install drawcheck[embree])",
)


# ---------------------------------------------------------------------------
# references


def scene_origin(triangles: np.ndarray) -> np.ndarray:
    v = np.asarray(triangles, dtype=np.float64).reshape(-1, 3)
    return 0.5 * (v.min(axis=0) + v.max(axis=0))


def brute_float32(triangles, origins, directions, t_min=T_MIN, t_max=np.inf) -> np.ndarray:
    """Every ray x every triangle, the documented float32 test, in numpy."""
    tri = np.asarray(triangles, dtype=np.float64)
    m = len(origins)
    out = np.zeros(m, dtype=bool)
    if tri.shape[0] == 0 or m == 0:
        return out
    c = scene_origin(tri)
    v = (tri - c).astype(F32)
    e1 = v[:, 1] - v[:, 0]
    e2 = v[:, 2] - v[:, 0]
    # degenerate: zero area in float32, or width <= DEGENERATE_RATIO x longest edge
    a, b, ce = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0], tri[:, 2] - tri[:, 1]
    longest2 = np.max([(a * a).sum(1), (b * b).sum(1), (ce * ce).sum(1)], axis=0)
    keep = (np.cross(e1.astype(np.float64), e2.astype(np.float64)) != 0.0).any(axis=1) & (
        np.linalg.norm(np.cross(a, b), axis=1) > DEGENERATE_RATIO * longest2
    )
    v0, e1, e2 = v[keep, 0], e1[keep], e2[keep]
    o = (np.asarray(origins, dtype=np.float64) - c).astype(F32)
    d = np.asarray(directions, dtype=np.float64).astype(F32)
    tmin = np.broadcast_to(np.asarray(t_min, dtype=np.float64).astype(F32), (m,))
    tmax = np.broadcast_to(np.asarray(t_max, dtype=np.float64).astype(F32), (m,))
    tol, one_tol, one = F32(EDGE_TOLERANCE), F32(1.0 + EDGE_TOLERANCE), F32(1.0)
    step = max(1, 400_000 // max(1, v0.shape[0]))
    for s in range(0, m, step):
        sl = slice(s, min(m, s + step))
        dx, dy, dz = (d[sl, j][:, None] for j in range(3))
        ox, oy, oz = (o[sl, j][:, None] for j in range(3))
        px = dy * e2[:, 2] - dz * e2[:, 1]
        py = dz * e2[:, 0] - dx * e2[:, 2]
        pz = dx * e2[:, 1] - dy * e2[:, 0]
        det = e1[:, 0] * px + e1[:, 1] * py + e1[:, 2] * pz
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            inv = one / det
            sx, sy, sz = ox - v0[:, 0], oy - v0[:, 1], oz - v0[:, 2]
            u = (sx * px + sy * py + sz * pz) * inv
            qx = sy * e1[:, 2] - sz * e1[:, 1]
            qy = sz * e1[:, 0] - sx * e1[:, 2]
            qz = sx * e1[:, 1] - sy * e1[:, 0]
            w = (dx * qx + dy * qy + dz * qz) * inv
            t = (e2[:, 0] * qx + e2[:, 1] * qy + e2[:, 2] * qz) * inv
            hit = (
                (det != 0)
                & (u >= -tol) & (u <= one_tol)
                & (w >= -tol) & (u + w <= one_tol)
                & (t > tmin[sl, None]) & (t < tmax[sl, None])
            )
        out[sl] = hit.any(axis=1)
    return out


def exact_float64(triangles, origins, directions, t_min=T_MIN, t_max=np.inf):
    """Hit/miss in float64 without tolerance, and whether every ray is clear
    of every edge, plane and interval end (see CLEAR_MARGIN)."""
    tri = np.asarray(triangles, dtype=np.float64)
    m = len(origins)
    hit = np.zeros(m, dtype=bool)
    clear = np.ones(m, dtype=bool)
    if tri.shape[0] == 0 or m == 0:
        return hit, clear
    v0 = tri[:, 0]
    e1 = tri[:, 1] - v0
    e2 = tri[:, 2] - v0
    area2 = np.linalg.norm(np.cross(e1, e2), axis=1)
    live = area2 > 0
    v0, e1, e2 = v0[live], e1[live], e2[live]
    o = np.asarray(origins, dtype=np.float64)
    d = np.asarray(directions, dtype=np.float64)
    tmax = np.broadcast_to(np.asarray(t_max, dtype=np.float64), (m,))
    for i in range(m):
        p = np.cross(d[i], e2)
        det = (e1 * p).sum(1)
        s = o[i] - v0
        q = np.cross(s, e1)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (s * p).sum(1) / det
            w = (q * d[i]).sum(1) / det
            t = (q * e2).sum(1) / det
        # |det| / (|e1||e2||d|) is the sine of the ray's angle to the plane
        sine = np.abs(det) / (np.linalg.norm(e1, axis=1) * np.linalg.norm(e2, axis=1) * np.linalg.norm(d[i]))
        inside = (u > 0) & (w > 0) & (u + w < 1)
        in_t = (t > t_min) & (t < tmax[i])
        h = (sine > 1e-9) & inside & in_t
        hit[i] = h.any()
        margin = np.minimum(np.minimum(np.abs(u), np.abs(w)), np.abs(1 - u - w))
        near_edge = (margin < CLEAR_MARGIN) & (u > -CLEAR_MARGIN) & (w > -CLEAR_MARGIN) & (u + w < 1 + CLEAR_MARGIN)
        tlen = np.abs(t) * np.linalg.norm(d[i])
        near_t = (np.abs(t - t_min) * np.linalg.norm(d[i]) < CLEAR_T) | (np.abs(t - tmax[i]) * np.linalg.norm(d[i]) < CLEAR_T)
        grazing = (sine < 1e-4) & (tlen < 1e6)
        ambiguous = (near_edge & in_t) | (inside & near_t) | (grazing & (u > -0.5) & (w > -0.5) & (u + w < 1.5))
        clear[i] = not ambiguous.any()
    return hit, clear


# ---------------------------------------------------------------------------
# scenes


def random_soup(rng, n: int, extent: float = 10.0) -> np.ndarray:
    c = rng.uniform(-extent / 2, extent / 2, size=(n, 1, 3))
    return c + rng.normal(scale=extent / 15, size=(n, 3, 3))


def quad_grid(a, b, z0, z1, nu, nz):
    """Triangles of a vertical wall from plan point a to b, z0..z1, split
    into nu x nz quads (as real facade meshes are)."""
    out = []
    us = np.linspace(0.0, 1.0, nu + 1)
    zs = np.linspace(z0, z1, nz + 1)
    for i in range(nu):
        for j in range(nz):
            p = [np.r_[a + us[k] * (b - a), zs[l]] for k, l in ((i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1))]
            out += [[p[0], p[1], p[2]], [p[0], p[2], p[3]]]
    return out


def box(x0, y0, x1, y1, z0, z1, nu=1, nz=1, angle=0.0) -> np.ndarray:
    """A closed, tessellated, optionally rotated box: four walls, roof and floor."""
    ring = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    if angle:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        c, s = math.cos(angle), math.sin(angle)
        ring = np.column_stack([cx + c * (ring[:, 0] - cx) - s * (ring[:, 1] - cy),
                                cy + s * (ring[:, 0] - cx) + c * (ring[:, 1] - cy)])
    tris = []
    for i in range(4):
        tris += quad_grid(ring[i], ring[(i + 1) % 4], z0, z1, nu, nz)
    for z in (z0, z1):
        r = np.column_stack([ring, np.full(4, z)])
        tris += [[r[0], r[1], r[2]], [r[0], r[2], r[3]]]
    return np.asarray(tris)


def district(rng, n: int = 12, rotated: bool = True) -> np.ndarray:
    parts = []
    for k in range(n):
        x, y = (k % 4) * 30.0 + rng.uniform(0, 5), (k // 4) * 30.0 + rng.uniform(0, 5)
        w, d, h = rng.uniform(8, 20), rng.uniform(8, 14), rng.uniform(6, 40)
        angle = rng.uniform(-0.6, 0.6) if rotated and k % 3 == 0 else 0.0
        parts.append(box(x, y, x + w, y + d, 0.0, h, nu=max(1, int(w // 3)), nz=max(1, int(h // 3)), angle=angle))
    return np.concatenate(parts)


def facade_points(tris: np.ndarray, rng, n: int, offset: float = OFFSET):
    """Random points on random non-horizontal triangles, ``offset`` along the
    outward normal (the boxes wind walls so that e1 x e2 points outward)."""
    walls = np.flatnonzero(np.abs(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])[:, 2]) < 1e-9)
    pick = rng.choice(walls, size=n)
    a, b = rng.random(n), rng.random(n)
    flip = a + b > 1
    a[flip], b[flip] = 1 - a[flip], 1 - b[flip]
    t = tris[pick]
    p = t[:, 0] + a[:, None] * (t[:, 1] - t[:, 0]) + b[:, None] * (t[:, 2] - t[:, 0])
    nrm = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    return p + offset * nrm, nrm


def upper_directions(rng, n: int) -> np.ndarray:
    d = rng.normal(size=(n, 3))
    d[:, 2] = np.abs(d[:, 2]) + 0.05
    return d / np.linalg.norm(d, axis=1, keepdims=True)


def random_rays(rng, tris: np.ndarray, n: int):
    lo, hi = tris.reshape(-1, 3).min(0), tris.reshape(-1, 3).max(0)
    pad = 0.2 * (hi - lo)
    o = rng.uniform(lo - pad, hi + pad, size=(n, 3))
    d = rng.normal(size=(n, 3))
    return o, d


def grazing_rays(rng, tris: np.ndarray, n: int):
    """Rays aimed exactly at vertices and at points on edges (shared edges of
    the tessellation included), from random origins."""
    t = tris[rng.integers(0, len(tris), n)]
    k = rng.integers(0, 3, n)
    a = t[np.arange(n), k]
    b = t[np.arange(n), (k + 1) % 3]
    lam = rng.choice([0.0, 0.5, 1.0, 0.25], size=n)
    target = a + lam[:, None] * (b - a)
    lo, hi = tris.reshape(-1, 3).min(0), tris.reshape(-1, 3).max(0)
    o = rng.uniform(lo - 5, hi + 5, size=(n, 3))
    return o, target - o


def axis_rays(rng, tris: np.ndarray, n: int):
    """Axis-parallel rays (two zero direction components) whose origins share
    coordinates with vertices: they run along storey lines, wall planes and
    roof edges."""
    v = tris.reshape(-1, 3)
    lo, hi = v.min(0), v.max(0)
    o = rng.uniform(lo - 3, hi + 3, size=(n, 3))
    axis = rng.integers(0, 3, n)
    for j in range(3):
        snap = rng.random(n) < 0.7
        o[snap, j] = v[rng.integers(0, len(v), snap.sum()), j]
    d = np.zeros((n, 3))
    d[np.arange(n), axis] = rng.choice([-1.0, 1.0], size=n)
    # a few with -0.0 components, and one axis with a tiny non-zero part
    d[::7] *= -1.0
    d[::11, (axis[::11] + 1) % 3] = 1e-30
    return o, d


def assert_same(a: np.ndarray, b: np.ndarray, what: str) -> None:
    diff = np.flatnonzero(a != b)
    assert diff.size == 0, f"{what}: {diff.size} of {a.size} differ, first {diff[:10]}"


# ---------------------------------------------------------------------------
# identical to brute force


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(20240521)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_soup_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    tris = random_soup(rng, 1500)
    bvh = build_bvh(tris)
    for name, (o, d) in {
        "random": random_rays(rng, tris, 3000),
        "grazing": grazing_rays(rng, tris, 3000),
        "axis": axis_rays(rng, tris, 2000),
    }.items():
        got = occluded(bvh, o, d)
        assert_same(got, brute_float32(tris, o, d), f"soup {seed} {name}")
        # the rays test something (aimed at edges: nearly all hit)
        assert (0.9 if name == "grazing" else 0.02) < got.mean() < (1.0 if name == "grazing" else 0.98), name


@pytest.mark.parametrize("rotated", [False, True])
def test_buildings_match_brute_force(rotated):
    rng = np.random.default_rng(7 + rotated)
    tris = district(rng, rotated=rotated)
    bvh = build_bvh(tris)
    pts, _ = facade_points(tris, rng, 400)
    suns = upper_directions(rng, 12)
    cases = {
        "random": random_rays(rng, tris, 3000),
        "grazing": grazing_rays(rng, tris, 4000),
        "axis": axis_rays(rng, tris, 3000),
        "facade": (np.repeat(pts, len(suns), 0), np.tile(suns, (len(pts), 1))),
    }
    for name, (o, d) in cases.items():
        assert_same(occluded(bvh, o, d), brute_float32(tris, o, d), f"buildings {name}")
    grid = occluded_grid(bvh, pts, suns)
    assert_same(grid.ravel(), occluded(bvh, *cases["facade"]), "grid vs occluded")
    assert 0.05 < grid.mean() < 0.95


def test_points_on_faces(rng):
    """Points exactly on a face (no offset): t_min keeps them from hitting
    it, outward or inward; with the 5 cm offset likewise."""
    tris = district(rng, n=6)
    bvh = build_bvh(tris)
    for offset in (0.0, OFFSET):
        pts, nrm = facade_points(tris, rng, 500, offset=offset)
        out_dir = nrm + 0.3 * rng.normal(size=nrm.shape)
        out_dir[(out_dir * nrm).sum(1) <= 0] = nrm[(out_dir * nrm).sum(1) <= 0]
        assert_same(occluded(bvh, pts, out_dir), brute_float32(tris, pts, out_dir), f"outward {offset}")
        # inward rays go through the building and hit the opposite wall
        assert occluded(bvh, pts, -nrm).all()
    # a lone wall: nothing behind it, so neither direction hits
    wall = box(0, 0, 10, 0.0001, 0, 10, nu=3, nz=3)[:18]  # the y = 0 wall alone
    wbvh = build_bvh(wall)
    p = np.column_stack([rng.uniform(0.5, 9.5, 200), np.zeros(200), rng.uniform(0.5, 9.5, 200)])
    for d in ([0, -1, 0], [0, 1, 0], [0.3, -1, 0.2]):
        assert not occluded(wbvh, p, np.array([d], float)).any()


def test_large_coordinates(rng):
    """A site at projected coordinates (x ~ 5e5, y ~ 3.5e6 m): float32
    relative to the scene centre keeps the same answers."""
    tris = district(rng, n=8)
    shift = np.array([512_345.67, 3_456_789.01, 4.5])
    pts, _ = facade_points(tris, rng, 300)
    suns = upper_directions(rng, 10)
    near = occluded_grid(build_bvh(tris), pts, suns)
    far_bvh = build_bvh(tris + shift)
    far = occluded_grid(far_bvh, pts + shift, suns)
    o, d = np.repeat(pts + shift, len(suns), 0), np.tile(suns, (len(pts), 1))
    assert_same(far.ravel(), brute_float32(tris + shift, o, d), "shifted vs brute force")
    assert (far == near).mean() > 0.999
    np.testing.assert_allclose(far_bvh.origin, scene_origin(tris + shift))


def test_clear_rays_match_exact_geometry(rng):
    """Independent of the float32 test: on rays clear of every edge the
    caster answers the exact float64 question."""
    tris = district(rng, n=6)
    bvh = build_bvh(tris)
    o, d = random_rays(rng, tris, 1500)
    pts, _ = facade_points(tris, rng, 100)
    suns = upper_directions(rng, 5)
    o = np.concatenate([o, np.repeat(pts, 5, 0)])
    d = np.concatenate([d, np.tile(suns, (100, 1))])
    exact, clear = exact_float64(tris, o, d)
    got = occluded(bvh, o, d)
    assert clear.mean() > 0.9
    assert_same(got[clear], exact[clear], "clear rays vs float64")


def test_watertight_seams(rng):
    """Rays aimed exactly at the shared edges and vertices of a tessellated
    closed box, from outside, always hit: no light through the seams."""
    tris = box(0, 0, 12, 9, 0, 30, nu=4, nz=10, angle=0.3)
    bvh = build_bvh(tris)
    v = tris.reshape(-1, 3)
    centre = v.mean(0)
    targets = np.concatenate([v, 0.5 * (tris[:, 0] + tris[:, 1]), 0.5 * (tris[:, 0] + tris[:, 2])])
    away = targets - centre
    away[:, 2] = 0.0
    o = targets + 50.0 * away / np.linalg.norm(away, axis=1, keepdims=True) + rng.normal(scale=5, size=targets.shape)
    assert occluded(bvh, o, targets - o, t_max=1.0 + 1e-6).all()


def test_t_interval_and_direction_schemes():
    tri = np.array([[[-1.0, -1.0, 5.0], [2.0, -1.0, 5.0], [-1.0, 2.0, 5.0]]])
    bvh = build_bvh(tri)
    o = np.zeros((4, 3))
    up = np.array([[0.0, 0.0, 1.0]])
    # t is in multiples of the direction: the plane is at t = 5 (unit) or 2.5 (length 2)
    assert occluded(bvh, o, up, t_max=np.array([4.9, 5.1, 6.0, np.inf])).tolist() == [False, True, True, True]
    assert occluded(bvh, o, 2 * up, t_max=np.array([2.4, 2.6, 10, 1])).tolist() == [False, True, True, False]
    assert not occluded(bvh, o, up, t_min=5.1).any()
    # shared directions by index; (1, 3) broadcast
    dirs = np.array([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])
    idx = np.array([0, 1, 2, 0])
    assert occluded(bvh, o, dirs, direction_index=idx).tolist() == [True, False, False, True]
    assert occluded(bvh, o, dirs[idx]).tolist() == [True, False, False, True]
    grid = occluded_grid(bvh, np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 6.0], [5.0, 5.0, 0.0]]), dirs)
    assert grid.tolist() == [[True, False, False], [False, True, False], [False, False, False]]


def test_thread_count_does_not_change_results(rng):
    tris = district(rng, n=8)
    bvh = build_bvh(tris)
    pts, _ = facade_points(tris, rng, 700)
    suns = upper_directions(rng, 20)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = occluded_grid(bvh, pts, suns)
        numba.set_num_threads(old)
        many = occluded_grid(bvh, pts, suns)
    finally:
        numba.set_num_threads(old)
    assert_same(one.ravel(), many.ravel(), "1 thread vs all")


# ---------------------------------------------------------------------------
# the hierarchy itself


def test_tree_invariants(rng):
    tris = district(rng, n=10)
    bvh = build_bvh(tris)
    nodes, ints = bvh.nodes, bvh.node_ints
    assert nodes.dtype == np.float32 and bvh.tris.dtype == np.float32
    assert nodes.ctypes.data % 64 == 0  # sibling pairs share a cache line
    assert sorted(bvh.tri_index.tolist()) == list(range(len(tris)))
    seen = np.zeros(bvh.n_triangles, dtype=int)
    stack, depth = [(0, 1)], 0
    while stack:
        k, level = stack.pop()
        depth = max(depth, level)
        lo, hi = nodes[k, :3], nodes[k, 3:6]
        if ints[k, 7] > 0:
            first, count = ints[k, 6], ints[k, 7]
            assert count <= 8
            seen[first:first + count] += 1
            v0 = bvh.tris[first:first + count, 0:3].astype(np.float64)
            verts = np.concatenate([v0, v0 + bvh.tris[first:first + count, 3:6], v0 + bvh.tris[first:first + count, 6:9]])
            assert (verts >= lo).all() and (verts <= hi).all()
        else:
            left = ints[k, 6]
            assert left % 2 == 0 and left >= 2 and 1 <= -ints[k, 7] <= 3
            for c in (left, left + 1):
                assert (nodes[c, :3] >= lo).all() and (nodes[c, 3:6] <= hi).all()
                stack.append((c, level + 1))
    assert (seen == 1).all()
    assert depth == bvh.depth
    # the float32 data is the input, relative to the origin
    v0 = bvh.tris[:, 0:3].astype(np.float64) + bvh.origin
    np.testing.assert_allclose(v0, tris[bvh.tri_index, 0], atol=1e-4)


def test_build_stack_grows():
    """The build's work stack starts small and grows: a 2-row start gives
    the same tree as the default."""
    tris = random_soup(np.random.default_rng(5), 3000)
    lo, hi = tris.min(axis=1), tris.max(axis=1)
    cent = 0.5 * (lo + hi)
    args = (lo, hi, cent, 4, 8, 16, 1.0, 1.0)
    small = caster._sah_build(*args, 2)
    default = caster._sah_build(*args)
    for a, b in zip(small, default):
        np.testing.assert_array_equal(a, b)


def test_coincident_triangles_build_and_hit():
    """A thousand copies of one triangle: SAH cannot separate them; the build
    splits by count and the tree stays shallow."""
    tri = np.repeat(np.array([[[0.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]]), 1000, axis=0)
    bvh = build_bvh(tri)
    assert bvh.depth <= 12
    o = np.array([[0.2, 0.2, 0.0], [0.9, 0.9, 0.0]])
    assert occluded(bvh, o, np.array([[0.0, 0.0, 1.0]])).tolist() == [True, False]


# ---------------------------------------------------------------------------
# degenerate input


def test_no_triangles():
    bvh = build_bvh(np.empty((0, 3, 3)))
    assert bvh.n_triangles == 0
    assert occluded(bvh, np.zeros((3, 3)), np.ones((3, 3))).tolist() == [False] * 3
    assert occluded_grid(bvh, np.zeros((2, 3)), np.ones((4, 3))).shape == (2, 4)
    assert not occluded_grid(bvh, np.zeros((2, 3)), np.ones((4, 3))).any()


def test_zero_area_triangles(rng):
    good = random_soup(rng, 200)
    v = rng.normal(size=(60, 3))
    bad = np.stack([
        np.stack([v[:20], v[:20], v[20:40]], 1),                      # repeated vertex
        np.stack([v[:20], v[:20] + v[20:40], v[:20] + 2 * v[20:40]], 1),  # collinear
        np.stack([v[40:], v[40:], v[40:]], 1),                         # a point
    ]).reshape(-1, 3, 3)
    only = build_bvh(bad)
    assert only.n_triangles == 0 and only.n_input == 60
    o, d = grazing_rays(rng, bad, 500)
    assert not occluded(only, o, d).any()
    mixed = np.concatenate([good, bad])
    bvh = build_bvh(mixed)
    assert bvh.n_triangles == 200
    o, d = random_rays(rng, mixed, 2000)
    assert_same(occluded(bvh, o, d), brute_float32(mixed, o, d), "mixed")
    assert_same(occluded(bvh, o, d), occluded(build_bvh(good), o, d), "mixed vs good only")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_refused(bad):
    tri = np.zeros((2, 3, 3))
    tri[1, 2, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        build_bvh(tri)
    bvh = build_bvh(np.array([[[0.0, 0, 1], [1, 0, 1], [0, 1, 1]]]))
    pts = np.zeros((2, 3))
    bad_pts = pts.copy()
    bad_pts[1, 0] = bad
    with pytest.raises(ValueError, match="origins"):
        occluded(bvh, bad_pts, np.ones((2, 3)))
    with pytest.raises(ValueError, match="directions"):
        occluded(bvh, pts, bad_pts)
    with pytest.raises(ValueError, match="points"):
        occluded_grid(bvh, bad_pts, np.ones((1, 3)))
    with pytest.raises(ValueError, match="suns"):
        occluded_grid(bvh, pts, bad_pts)


def test_bad_arguments_refused():
    bvh = build_bvh(np.array([[[0.0, 0, 1], [1, 0, 1], [0, 1, 1]]]))
    with pytest.raises(ValueError, match="from their centre"):
        build_bvh(np.array([[[0.0, 0, 0], [1, 0, 0], [0, 1, 0]], [[3e7, 0, 0], [3e7, 1, 0], [3e7, 0, 1]]]))
    with pytest.raises(ValueError, match="scene centre"):
        occluded(bvh, np.array([[0.0, 0.0, 2e7]]), np.ones((1, 3)))
    with pytest.raises(ValueError, match="scene centre"):
        occluded_grid(bvh, np.array([[-2e7, 0.0, 0.0]]), np.ones((1, 3)))
    with pytest.raises(ValueError, match="shape"):
        build_bvh(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="zero-length"):
        occluded(bvh, np.zeros((2, 3)), np.array([[0.0, 0, 1], [0, 0, 0]]))
    with pytest.raises(ValueError, match="zero-length"):
        occluded_grid(bvh, np.zeros((2, 3)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="direction_index"):
        occluded(bvh, np.zeros((2, 3)), np.ones((3, 3)), direction_index=np.array([0, 3]))
    with pytest.raises(ValueError, match="directions must have shape"):
        occluded(bvh, np.zeros((2, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="t_min"):
        occluded(bvh, np.zeros((2, 3)), np.ones((2, 3)), t_min=-1.0)
    with pytest.raises(ValueError, match="t_min"):
        occluded_grid(bvh, np.zeros((2, 3)), np.ones((2, 3)), t_min=float("nan"))
    with pytest.raises(ValueError, match="t_max"):
        occluded(bvh, np.zeros((2, 3)), np.ones((2, 3)), t_max=np.array([1.0, np.nan]))
    assert occluded(bvh, np.zeros((0, 3)), np.ones((0, 3))).shape == (0,)


# ---------------------------------------------------------------------------
# Embree


@needs_embree
def test_embree_agrees(rng):
    tris = district(rng, n=12)
    pts, _ = facade_points(tris, rng, 500)
    suns = upper_directions(rng, 20)
    o, d = random_rays(rng, tris, 4000)
    mine = build_bvh(tris)
    theirs = embree_backend.build_bvh(tris)
    grid_e = embree_backend.occluded_grid(theirs, pts, suns)
    grid_m = occluded_grid(mine, pts, suns)
    assert (grid_e == grid_m).mean() >= 0.999
    rays_e = embree_backend.occluded(theirs, o, d)
    rays_m = occluded(mine, o, d)
    assert (rays_e == rays_m).mean() >= 0.999
    # where the answer is unambiguous, both give the exact one
    exact, clear = exact_float64(tris, o[:1500], d[:1500])
    assert_same(rays_e[:1500][clear], exact[clear], "embree vs float64")
    assert_same(rays_m[:1500][clear], exact[clear], "bvh vs float64")


@needs_embree
def test_embree_backend_interface():
    tri = np.array([[[-1.0, -1.0, 5.0], [2.0, -1.0, 5.0], [-1.0, 2.0, 5.0]]])
    e = embree_backend.build_bvh(tri)
    o = np.zeros((4, 3))
    up = np.array([[0.0, 0.0, 1.0]])
    assert embree_backend.occluded(e, o, up, t_max=np.array([4.9, 5.1, 6.0, np.inf])).tolist() == [False, True, True, True]
    assert not embree_backend.occluded(e, o, up, t_min=5.1).any()
    empty = embree_backend.build_bvh(np.empty((0, 3, 3)))
    assert not embree_backend.occluded_grid(empty, o, up).any()
    with pytest.raises(ValueError, match="NaN or infinite"):
        embree_backend.build_bvh(np.full((1, 3, 3), np.nan))


def test_embree_available_is_a_bool():
    assert embree_backend.available() in (True, False)
