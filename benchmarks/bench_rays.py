"""Benchmark shadow rays: drawcheck's numba BVH against Embree.

    python benchmarks/bench_rays.py [--quick] [--repeat N] [--no-trimesh]

One synthetic district: 50 buildings (slabs, L-shapes, point towers, towers
on podiums; some rotated), facades tessellated into storey x bay quads
(~100k triangles), 10k test points on the facades (5 cm off the wall) x 100
sun positions of the Great Cold day (大寒) 08:00-16:00 at 31.2 N = 1M rays.

Casters, each timed on the same 1M rays:

- drawcheck ``occluded_grid`` (points x suns, no ray arrays) and
  ``occluded`` (the 1M materialised rays), 1 and 2 threads;
- raw embreex ``EmbreeScene.run(..., query='OCCLUDED')``, 1 thread and 2
  Python threads on halves of the rays (it releases the GIL), and the
  ``drawcheck.sunlight.embree`` backend's ``occluded_grid``;
- trimesh + embreex ``mesh.ray.intersects_any``;
- the same rays in random order (a fifth of them), to show what ray
  coherence is worth to each caster.

ladybug-radiance's direct-sun study is not run: it pip-installs, but it
drives Radiance's ``rcontrib``/``oconv`` binaries, which neither PyPI nor
this machine's Debian mirror provides (see benchmarks/README.md).

Every figure is the median of interleaved runs after a warm-up (which also
compiles the numba kernels); build times likewise.  Hit/miss results are
compared with raw Embree's.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import machine, with_threads  # noqa: E402  (benchmarks/common.py)
from drawcheck.sunlight import bvh as dbvh  # noqa: E402
from drawcheck.sunlight import embree as dembree  # noqa: E402

OFFSET = 0.05  # m, test points off their facade
LATITUDE = 31.2  # deg, Shanghai
DECLINATION = -20.2  # deg, Great Cold day (大寒, ~20 January)


# --------------------------------------------------------------------------
# the district


def _rect(cx: float, cy: float, w: float, d: float) -> np.ndarray:
    return np.array([[cx - w / 2, cy - d / 2], [cx + w / 2, cy - d / 2], [cx + w / 2, cy + d / 2], [cx - w / 2, cy + d / 2]])


def _l_shape(cx: float, cy: float, w: float, d: float, wing: float) -> np.ndarray:
    x0, y0 = cx - w / 2, cy - d / 2
    return np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + wing], [x0 + wing, y0 + wing], [x0 + wing, y0 + d], [x0, y0 + d]])


def _rotate(ring: np.ndarray, cx: float, cy: float, angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    x, y = ring[:, 0] - cx, ring[:, 1] - cy
    return np.column_stack([cx + c * x - s * y, cy + s * x + c * y])


def _prism(ring: np.ndarray, z0: float, z1: float, bay: float, storey: float, roof_tris: np.ndarray):
    """Triangles of an extruded counter-clockwise ring: facades as a grid of
    ~bay x storey quads (two triangles each), the roof from ``roof_tris``
    (index triples into the ring).  Also the facade quads (for test points)
    as (origin, along-edge, up, outward normal) rows."""
    tris = []
    quads = []
    n_st = max(1, round((z1 - z0) / storey))
    zs = np.linspace(z0, z1, n_st + 1)
    for i in range(len(ring)):
        a, b = ring[i], ring[(i + 1) % len(ring)]
        length = float(np.hypot(*(b - a)))
        n_bay = max(1, round(length / bay))
        ts = np.linspace(0.0, 1.0, n_bay + 1)
        xy = a[None, :] + ts[:, None] * (b - a)[None, :]
        normal = np.array([(b - a)[1], -(b - a)[0], 0.0]) / length
        for k in range(n_bay):
            for j in range(n_st):
                p00 = [xy[k, 0], xy[k, 1], zs[j]]
                p10 = [xy[k + 1, 0], xy[k + 1, 1], zs[j]]
                p11 = [xy[k + 1, 0], xy[k + 1, 1], zs[j + 1]]
                p01 = [xy[k, 0], xy[k, 1], zs[j + 1]]
                tris.append([p00, p10, p11])
                tris.append([p00, p11, p01])
        quads.append((a, b, z0, z1, normal))
    for t in roof_tris:
        tris.append([[ring[i, 0], ring[i, 1], z1] for i in t])
    return tris, quads


def district(seed: int = 7, bay: float = 2.0, storey: float = 3.0):
    """Triangles (n, 3, 3), facade test-point sampler data and the buildings' count."""
    rng = np.random.default_rng(seed)
    tris: list = []
    quads: list = []
    rect_roof = np.array([[0, 1, 2], [0, 2, 3]])
    l_roof = np.array([[0, 1, 2], [0, 2, 3], [0, 3, 4], [0, 4, 5]])
    n_buildings = 0
    for gx in range(10):
        for gy in range(5):
            cx = gx * 75.0 + rng.uniform(-5, 5)
            cy = gy * 90.0 + rng.uniform(-5, 5)
            kind = rng.choice(["slab", "L", "point", "podium"], p=[0.4, 0.2, 0.2, 0.2])
            angle = 0.0 if rng.random() < 0.6 else rng.uniform(-0.6, 0.6)
            if kind == "slab":
                ring = _rect(cx, cy, rng.uniform(40, 60), rng.uniform(12, 16))
                parts = [(ring, 0.0, rng.uniform(18, 60), rect_roof)]
            elif kind == "L":
                ring = _l_shape(cx, cy, rng.uniform(40, 55), rng.uniform(35, 50), rng.uniform(12, 15))
                parts = [(ring, 0.0, rng.uniform(18, 45), l_roof)]
            elif kind == "point":
                s = rng.uniform(20, 28)
                parts = [(_rect(cx, cy, s, s), 0.0, rng.uniform(60, 100), rect_roof)]
            else:
                hp = rng.uniform(9, 15)
                parts = [
                    (_rect(cx, cy, rng.uniform(50, 60), rng.uniform(40, 50)), 0.0, hp, rect_roof),
                    (_rect(cx + 5, cy + 5, 24, 24), hp, hp + rng.uniform(50, 90), rect_roof),
                ]
            for ring, z0, z1, roof in parts:
                ring = _rotate(ring, cx, cy, angle)
                t, q = _prism(ring, z0, z1, bay, storey, roof)
                tris += t
                quads += q
            n_buildings += 1
    return np.asarray(tris, dtype=np.float64), quads, n_buildings


def facade_points(quads: list, n: int, seed: int = 11) -> np.ndarray:
    """``n`` points uniform by area on the facade walls, OFFSET m outward."""
    rng = np.random.default_rng(seed)
    area = np.array([np.hypot(*(b - a)) * (z1 - z0) for a, b, z0, z1, _ in quads])
    pick = rng.choice(len(quads), size=n, p=area / area.sum())
    u = rng.random(n)
    w = rng.random(n)
    pts = np.empty((n, 3))
    for i, q in enumerate(pick):
        a, b, z0, z1, normal = quads[q]
        xy = a + u[i] * (b - a)
        pts[i] = [xy[0], xy[1], z0 + w[i] * (z1 - z0)]
        pts[i] += OFFSET * normal
    return pts


def sun_directions(n: int) -> np.ndarray:
    """Unit vectors (x east, y north, z up) toward the sun, 08:00-16:00 true
    solar time, evenly spaced (hour angle -60..60 deg)."""
    phi = math.radians(LATITUDE)
    dec = math.radians(DECLINATION)
    h = np.radians(np.linspace(-60.0, 60.0, n))
    d = np.column_stack([
        -math.cos(dec) * np.sin(h),
        math.cos(phi) * math.sin(dec) - math.sin(phi) * math.cos(dec) * np.cos(h),
        math.sin(phi) * math.sin(dec) + math.cos(phi) * math.cos(dec) * np.cos(h),
    ])
    return d / np.linalg.norm(d, axis=1, keepdims=True)


# --------------------------------------------------------------------------
# timing


def interleave(fns: dict, repeat: int) -> dict[str, list[float]]:
    """Seconds per run of each function, runs interleaved round by round so
    a noisy neighbour hits all of them alike; one warm-up run first."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def embree_raw(scene, org32: np.ndarray, dir32: np.ndarray, threads: int) -> np.ndarray:
    """``EmbreeScene.run(query='OCCLUDED')`` on prepared float32 rays, split
    into ``threads`` contiguous parts on Python threads (embreex releases the
    GIL while it traces)."""
    m = org32.shape[0]
    if threads == 1:
        return scene.run(org32, dir32, query="OCCLUDED") != -1
    out = np.empty(m, dtype=bool)
    cuts = np.linspace(0, m, threads + 1).astype(int)

    def part(i):
        s, e = cuts[i], cuts[i + 1]
        out[s:e] = scene.run(org32[s:e], dir32[s:e], query="OCCLUDED") != -1

    ts = [threading.Thread(target=part, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1k points, 3 repeats (~30 s)")
    ap.add_argument("--repeat", type=int, default=None, help="timed repeats per case (default 7)")
    ap.add_argument("--no-trimesh", action="store_true", help="skip the trimesh row")
    args = ap.parse_args()
    n_points = 1_000 if args.quick else 10_000
    repeat = args.repeat or (3 if args.quick else 7)
    n_suns = 100
    _load()

    tris, quads, n_buildings = district()
    pts = facade_points(quads, n_points)
    suns = sun_directions(n_suns)
    n_rays = n_points * n_suns
    org = np.repeat(pts, n_suns, axis=0)  # point-major, suns in time order
    dirs = np.tile(suns, (n_points, 1))
    rng = np.random.default_rng(5)
    shuffle = rng.permutation(n_rays)
    print(f"scene: {n_buildings} buildings, {len(tris):,} triangles; {n_points:,} points x {n_suns} suns = {n_rays:,} rays")

    # ---- builds (median of interleaved repeats)
    import trimesh

    have_embree = dembree.available()
    builds = {"drawcheck build_bvh (binned SAH, numba)": lambda: dbvh.build_bvh(tris)}
    if have_embree:
        builds["Embree scene + commit (embreex)"] = lambda: dembree.build_bvh(tris)

    def trimesh_build():
        m = trimesh.Trimesh(vertices=tris.reshape(-1, 3), faces=np.arange(3 * len(tris)).reshape(-1, 3), process=False)
        m.ray.intersects_any(org[:1], dirs[:1])  # builds the Embree scene lazily
        return m

    if have_embree and not args.no_trimesh:
        builds["trimesh Trimesh + ray.intersects_any scene"] = trimesh_build
    build_t = interleave(builds, max(3, repeat // 2))
    bvh = dbvh.build_bvh(tris)
    print(f"drawcheck BVH: {bvh.nodes.shape[0]:,} nodes ({bvh.nodes.nbytes / 1e6:.1f} MB), "
          f"{bvh.n_triangles:,} triangles ({bvh.tris.nbytes / 1e6:.1f} MB), depth {bvh.depth}")

    # ---- queries
    cases: dict = {}
    results: dict = {}
    cases["drawcheck occluded_grid, 1 thread"] = with_threads(1, lambda: dbvh.occluded_grid(bvh, pts, suns))
    cases["drawcheck occluded_grid, 2 threads"] = with_threads(2, lambda: dbvh.occluded_grid(bvh, pts, suns))
    cases["drawcheck occluded (rays given as arrays), 1 thread"] = with_threads(1, lambda: dbvh.occluded(bvh, org, dirs))
    cases["drawcheck occluded (rays given as arrays), 2 threads"] = with_threads(2, lambda: dbvh.occluded(bvh, org, dirs))
    rays = {k: n_rays for k in cases}
    if have_embree:
        ebvh = dembree.build_bvh(tris)
        o32 = np.ascontiguousarray((org - ebvh.origin).astype(np.float32))
        d32 = np.ascontiguousarray(dirs.astype(np.float32))
        cases["raw embreex OCCLUDED, 1 thread"] = lambda: embree_raw(ebvh.scene, o32, d32, 1)
        cases["raw embreex OCCLUDED, 2 threads"] = lambda: embree_raw(ebvh.scene, o32, d32, 2)
        cases["drawcheck.sunlight.embree occluded_grid, 2 threads"] = lambda: dembree.occluded_grid(ebvh, pts, suns, threads=2)
        rays.update({k: n_rays for k in list(cases)[-3:]})
        if not args.no_trimesh:
            mesh = trimesh_build()
            cases["trimesh + embreex intersects_any, 1 thread"] = lambda: mesh.ray.intersects_any(org, dirs)
            rays["trimesh + embreex intersects_any, 1 thread"] = n_rays
    # incoherent: the same rays in random order
    n_inc = n_rays // 5
    inc_o, inc_d = org[shuffle[:n_inc]], dirs[shuffle[:n_inc]]
    cases["drawcheck occluded, same rays shuffled (1/5), 2 threads"] = with_threads(2, lambda: dbvh.occluded(bvh, inc_o, inc_d))
    rays["drawcheck occluded, same rays shuffled (1/5), 2 threads"] = n_inc
    if have_embree:
        inc_o32, inc_d32 = o32[shuffle[:n_inc]], d32[shuffle[:n_inc]]
        cases["raw embreex, same rays shuffled (1/5), 2 threads"] = lambda: embree_raw(ebvh.scene, inc_o32, inc_d32, 2)
        rays["raw embreex, same rays shuffled (1/5), 2 threads"] = n_inc

    for name, fn in cases.items():
        results[name] = np.asarray(fn()).reshape(-1)
    times = interleave(cases, repeat)

    ref = None
    if have_embree:
        ref = embree_raw(ebvh.scene, o32, d32, 2)
        ref_inc = ref[shuffle[:n_inc]]

    print()
    print(machine())
    print(f"embreex {_version('embreex')}, trimesh {trimesh.__version__}; load average before/after: "
          f"{_load()}; medians of {repeat} interleaved runs after a warm-up")
    print()
    print("| structure | build s (median) |")
    print("|---|---:|")
    for name, ts in build_t.items():
        print(f"| {name} | {statistics.median(ts):.3f} |")
    print()
    print("| caster | rays | median s (min-max) | Mrays/s | hit/miss = Embree |")
    print("|---|---:|---:|---:|---:|")
    for name, ts in times.items():
        med = statistics.median(ts)
        agree = ""
        if ref is not None:
            r = results[name]
            want = ref_inc if r.shape[0] == n_inc else ref
            agree = f"{100.0 * (r == want).mean():.4f} %"
        print(f"| {name} | {rays[name]:,} | {med:.3f} ({min(ts):.3f}-{max(ts):.3f}) | "
              f"{rays[name] / med / 1e6:.1f} | {agree} |")
    shaded = results["drawcheck occluded_grid, 2 threads"].mean()
    print(f"\nshaded (hit) fraction: {100 * shaded:.1f} %")


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


_LOADS: list[str] = []


def _load() -> str:
    _LOADS.append(f"{os.getloadavg()[0]:.2f}")
    return " / ".join(_LOADS)


if __name__ == "__main__":
    main()
