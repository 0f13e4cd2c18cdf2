"""Optional shadow-ray backend through Intel Embree (the ``embreex`` package,
``pip install drawcheck[embree]``).

Same interface as :mod:`drawcheck.sunlight.bvh`: :func:`build_bvh`,
:func:`occluded`, :func:`occluded_grid`; :func:`available` says whether
embreex is installed.  Used to cross-check the numba caster and as a faster
path where the extra is installed (raw Embree: ~11 Mrays/s per core here,
see benchmarks/README.md).

Embree works in float32 too; coordinates are taken relative to the centre of
the scene's bounding box, like the numba caster.  embreex starts every ray
at t = 0, so ``t_min`` is applied by moving the origin ``t_min`` along the
ray.  Hits exactly on a triangle's edge follow Embree's own rules (its
default, non-robust scene), which may differ from the numba caster's
tolerant test on rays that graze an edge.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from .bvh import MAX_EXTENT, _as_directions, _as_points, _check_finite, _per_ray, _rays

__all__ = ["EmbreeBVH", "available", "build_bvh", "occluded", "occluded_grid"]

# embreex's "no limit" distance (it fills tfar with 1e37 by default)
_FAR = np.float32(1e37)
# rays per embreex call in occluded_grid (P x S rays are made per batch only)
_BATCH_RAYS = 1 << 17


def available() -> bool:
    """True if embreex is installed and imports."""
    try:
        import embreex.mesh_construction  # noqa: F401
        import embreex.rtcore_scene  # noqa: F401
    except ImportError:
        return False
    return True


class EmbreeBVH(NamedTuple):
    """An Embree scene over triangles (built and committed)."""

    scene: object
    origin: np.ndarray  # (3,) float64, subtracted from every coordinate
    n_input: int
    n_triangles: int


def _threads(threads: int | None) -> int:
    if threads is None:
        import numba

        return numba.get_num_threads()
    return max(1, int(threads))


def build_bvh(triangles: np.ndarray) -> EmbreeBVH:
    """Build and commit an Embree scene.

    Parameters
    ----------
    triangles : (n, 3, 3) float array, metres; n may be 0.

    Raises
    ------
    ImportError
        When embreex is not installed (see :func:`available`).
    ValueError
        On a wrong shape or a NaN / infinite coordinate.
    """
    from embreex import rtcore_scene
    from embreex.mesh_construction import TriangleMesh

    tri = np.asarray(triangles, dtype=np.float64)
    if tri.ndim != 3 or tri.shape[1:] != (3, 3):
        raise ValueError(f"triangles must have shape (n, 3, 3), got {tri.shape}")
    _check_finite("triangles", tri)
    n = tri.shape[0]
    if n == 0:
        return EmbreeBVH(None, np.zeros(3), 0, 0)
    flat = tri.reshape(-1, 3)
    origin = 0.5 * (flat.min(axis=0) + flat.max(axis=0))
    if float(np.abs(tri - origin).max()) > MAX_EXTENT:
        raise ValueError(f"triangles extend more than {MAX_EXTENT:g} m from their centre")
    scene = rtcore_scene.EmbreeScene()
    TriangleMesh(scene, np.ascontiguousarray((tri - origin).astype(np.float32)))
    # embreex commits (builds) lazily on the first query: do it now
    scene.run(np.zeros((1, 3), np.float32), np.ones((1, 3), np.float32), query="OCCLUDED")
    return EmbreeBVH(scene, origin, n, n)


def _run(scene, org: np.ndarray, dirs: np.ndarray, dist: np.ndarray, threads: int) -> np.ndarray:
    """Occlusion of float32 rays, split over ``threads`` Python threads
    (embreex releases the GIL while it traces)."""
    m = org.shape[0]
    if m == 0:
        return np.zeros(0, dtype=np.bool_)
    if threads <= 1 or m < 4096:
        return scene.run(org, dirs, dists=dist, query="OCCLUDED") != -1
    out = np.empty(m, dtype=np.bool_)
    bounds = np.linspace(0, m, threads + 1).astype(int)

    def part(i: int) -> None:
        s, e = bounds[i], bounds[i + 1]
        out[s:e] = scene.run(org[s:e], dirs[s:e], dists=dist[s:e], query="OCCLUDED") != -1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(part, range(threads)))
    return out


def _prepare(bvh: EmbreeBVH, org: np.ndarray, dirs: np.ndarray, tmin: np.ndarray, tmax: np.ndarray):
    o = org - bvh.origin + tmin[:, None].astype(np.float64) * dirs
    dist = np.minimum(tmax.astype(np.float64) - tmin, float(_FAR))
    return (
        np.ascontiguousarray(o.astype(np.float32)),
        np.ascontiguousarray(dirs.astype(np.float32)),
        np.ascontiguousarray(np.maximum(dist, 0.0).astype(np.float32)),
    )


def occluded(
    bvh: EmbreeBVH,
    origins: np.ndarray,
    directions: np.ndarray,
    t_min: float | np.ndarray = 1e-4,
    t_max: float | np.ndarray = np.inf,
    direction_index: np.ndarray | None = None,
    threads: int | None = None,
) -> np.ndarray:
    """Whether each ray hits any triangle at t in (t_min, t_max); arguments
    as :func:`drawcheck.sunlight.bvh.occluded`.  ``threads``: Python threads
    (default: numba's thread count)."""
    org, dirs, idx = _rays(origins, directions, direction_index, bvh.origin)
    m = org.shape[0]
    if idx.size:  # one direction row per ray
        dirs = dirs[idx]
    tmin = np.broadcast_to(_per_ray("t_min", t_min, m), (m,))
    if (tmin < 0).any():
        raise ValueError("t_min must be >= 0")
    tmax = np.broadcast_to(_per_ray("t_max", t_max, m), (m,))
    if m == 0 or bvh.scene is None:
        return np.zeros(m, dtype=np.bool_)
    o, d, dist = _prepare(bvh, org, dirs.astype(np.float64), tmin, tmax)
    return _run(bvh.scene, o, d, dist, _threads(threads))


def occluded_grid(
    bvh: EmbreeBVH,
    points: np.ndarray,
    suns: np.ndarray,
    t_min: float = 1e-4,
    threads: int | None = None,
) -> np.ndarray:
    """(P, S) bool: point p shaded from sun s; arguments as
    :func:`drawcheck.sunlight.bvh.occluded_grid`.  The rays are made in
    batches of ~131k, not all at once."""
    pts = _as_points("points", points, bvh.origin)
    s32 = _as_directions("suns", suns)
    if not float(t_min) >= 0.0:
        raise ValueError("t_min must be a number >= 0")
    p_n, s_n = pts.shape[0], s32.shape[0]
    out = np.zeros((p_n, s_n), dtype=np.bool_)
    if p_n == 0 or s_n == 0 or bvh.scene is None:
        return out
    step = max(1, _BATCH_RAYS // s_n)
    n_thr = _threads(threads)
    sd = s32.astype(np.float64)
    for s in range(0, p_n, step):
        e = min(p_n, s + step)
        org = np.repeat(pts[s:e], s_n, axis=0)
        dirs = np.tile(sd, (e - s, 1))
        k = org.shape[0]
        o, d, dist = _prepare(
            bvh, org, dirs, np.full(k, t_min, np.float32), np.full(k, np.inf, np.float32)
        )
        out[s:e] = _run(bvh.scene, o, d, dist, n_thr).reshape(e - s, s_n)
    return out
