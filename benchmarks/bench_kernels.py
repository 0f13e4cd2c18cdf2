"""Benchmark the geometry kernels against shapely.

    python benchmarks/bench_kernels.py [--quick] [--repeat N]
    NUMBA_THREADING_LAYER=workqueue python benchmarks/bench_kernels.py

(a) polygon areas: ``PolygonArrays.areas`` (numba, 1 thread and all threads)
    vs ``shapely.area`` on prebuilt polygons, plus the cost of building the
    shapely polygons from the same arrays (``PolygonArrays.to_shapely``).
(b) minimum distance of every footprint pair whose bounding boxes are within
    50 m: bounds + ``candidate_pairs`` + ``pair_distances`` vs shapely
    ``STRtree`` box query (same Euclidean box-gap filter) + ``shapely.distance``;
    the distances of both are compared in the same run.

Every figure is the median of interleaved repeats after a warm-up run (which
also compiles the numba kernels).  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numba  # noqa: E402
import shapely  # noqa: E402

from drawcheck.geometry import kernels  # noqa: E402
from drawcheck.geometry.arrays import PolygonArrays  # noqa: E402
from common import machine, with_threads  # noqa: E402  (benchmarks/common.py)

SPACING = 50.0  # m, "spacing for every pair within 50 m"
DENSITY = 10_000 / 5_000.0**2  # footprints per m2: 10k in a 5 km square


def random_polygons(n: int, n_min: int, n_max: int, side: float, r_min: float, r_max: float, seed: int):
    """``n`` star-shaped simple polygons (n_min..n_max vertices, radius
    r_min..r_max m) with centres uniform in a ``side`` m square."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(n_min, n_max + 1, size=n)
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    k = np.arange(total) - np.repeat(starts, counts)
    nv = np.repeat(counts, counts)
    ang = (k + rng.uniform(0.0, 0.8, total)) / nv * 2.0 * np.pi
    radius = np.repeat(rng.uniform(r_min, r_max, n), counts) * rng.uniform(0.6, 1.0, total)
    cx = np.repeat(rng.uniform(0.0, side, n), counts)
    cy = np.repeat(rng.uniform(0.0, side, n), counts)
    xy = np.column_stack([cx + radius * np.cos(ang), cy + radius * np.sin(ang)])
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return PolygonArrays(xy, np.zeros(total), offsets, np.arange(n + 1))


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def interleave(fns: dict, repeat: int) -> dict[str, tuple[float, float, float]]:
    """(median, min, max) seconds of each function, runs interleaved round
    by round so a noisy neighbour hits all of them alike."""
    for fn in fns.values():
        fn()  # warm-up / compile
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            times[name] += timed(fn, 1)
    return {k: (statistics.median(v), min(v), max(v)) for k, v in times.items()}


def bench_areas(n: int, repeat: int) -> list[tuple]:
    pa = random_polygons(n, 20, 28, 5_000.0, 5.0, 20.0, seed=1)
    polys = pa.to_shapely()
    v = pa.xy.shape[0]
    ours = pa.areas()
    diff = float(np.max(np.abs(ours - shapely.area(polys)) / ours))
    threads = numba.get_num_threads()
    med = interleave(
        {
            "numba 1 thread": with_threads(1, pa.areas),
            f"numba {threads} threads": pa.areas,
            "shapely.area": lambda: shapely.area(polys),
            "build shapely (to_shapely)": pa.to_shapely,
        },
        repeat,
    )
    base = med["shapely.area"][0]
    rows = []
    for name, (sec, lo, hi) in med.items():
        rows.append(
            (f"area, {n // 1000}k polygons ({v / n:.0f} v avg)", name, sec * 1e3, (lo * 1e3, hi * 1e3),
             sec * 1e9 / v, base / sec, f"max rel diff vs shapely {diff:.1e}")
        )
    return rows


def shapely_pairs_within(polys, bounds, max_distance):
    tree = shapely.STRtree(polys)
    boxes = shapely.box(
        bounds[:, 0] - max_distance, bounds[:, 1] - max_distance,
        bounds[:, 2] + max_distance, bounds[:, 3] + max_distance,
    )
    qi, qj = tree.query(boxes)
    keep = qi < qj
    qi, qj = qi[keep], qj[keep]
    # same Euclidean box-gap filter as candidate_pairs
    gx = np.maximum(0.0, np.maximum(bounds[qj, 0] - bounds[qi, 2], bounds[qi, 0] - bounds[qj, 2]))
    gy = np.maximum(0.0, np.maximum(bounds[qj, 1] - bounds[qi, 3], bounds[qi, 1] - bounds[qj, 3]))
    keep = gx * gx + gy * gy <= max_distance * max_distance
    qi, qj = qi[keep], qj[keep]
    return qi, qj, shapely.distance(polys[qi], polys[qj])


def ours_pairs_within(pa, max_distance):
    cand = kernels.candidate_pairs(pa.bounds(), max_distance)
    bo = np.zeros(cand.shape[0], dtype=bool)
    dist, _ = kernels.pair_distances(pa.xy, pa.ring_offsets, pa.poly_offsets, cand, bo)
    return cand, dist


def bench_distances(n: int, repeat: int) -> list[tuple]:
    side = float(np.sqrt(n / DENSITY))
    pa = random_polygons(n, 8, 40, side, 4.0, 20.0, seed=2)
    polys = pa.to_shapely()
    bounds = shapely.bounds(polys)

    cand, dist = ours_pairs_within(pa, SPACING)
    qi, qj, sdist = shapely_pairs_within(polys, bounds, SPACING)
    key_ours = cand[:, 0] * n + cand[:, 1]
    key_sh = qi.astype(np.int64) * n + qj
    o1, o2 = np.argsort(key_ours), np.argsort(key_sh)
    same = key_ours.size == key_sh.size and np.array_equal(key_ours[o1], key_sh[o2])
    maxdiff = float(np.max(np.abs(dist[o1] - sdist[o2]))) if same else float("nan")
    check = f"{cand.shape[0]} pairs, same set: {same}, max abs diff {maxdiff:.1e} m"

    threads = numba.get_num_threads()
    med = interleave(
        {
            "numba 1 thread": with_threads(1, lambda: ours_pairs_within(pa, SPACING)),
            f"numba {threads} threads": lambda: ours_pairs_within(pa, SPACING),
            "shapely STRtree + distance": lambda: shapely_pairs_within(polys, bounds, SPACING),
        },
        repeat,
    )
    # the sweep alone, to show where the time goes
    sweep = timed(lambda: kernels.candidate_pairs(pa.bounds(), SPACING), repeat)
    base = med["shapely STRtree + distance"][0]
    label = f"min distance, pairs <= 50 m, {n // 1000}k footprints in {side / 1000:.1f} km square"
    rows = [
        (label, name, sec * 1e3, (lo * 1e3, hi * 1e3), None, base / sec, check)
        for name, (sec, lo, hi) in med.items()
    ]
    rows.append(
        (label, f"(of which bounds + candidate_pairs, {threads} threads)", statistics.median(sweep) * 1e3,
         (min(sweep) * 1e3, max(sweep) * 1e3), None, None, "")
    )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10k sizes only, fewer repeats (< 1 min)")
    ap.add_argument("--repeat", type=int, default=None, help="timed repeats per case")
    args = ap.parse_args()
    repeat = args.repeat or (5 if args.quick else 9)
    sizes = [10_000] if args.quick else [10_000, 100_000]

    rows = []
    for n in sizes:
        rows += bench_areas(n, repeat)
    for n in sizes:
        rows += bench_distances(n, repeat)

    print(f"machine: {machine()}")
    print(f"command: {'NUMBA_THREADING_LAYER=' + os.environ['NUMBA_THREADING_LAYER'] + ' ' if 'NUMBA_THREADING_LAYER' in os.environ else ''}"
          f"python benchmarks/bench_kernels.py{' --quick' if args.quick else ''}; median of {repeat}")
    print()
    print("| case | method | median ms | min-max ms | ns/vertex | shapely ms / this ms | check |")
    print("|---|---|---:|---:|---:|---:|---|")
    for case, name, ms, (lo, hi), nsv, ratio, check in rows:
        nsv_s = f"{nsv:.2f}" if nsv is not None else ""
        ratio_s = f"{ratio:.2f}x" if ratio is not None else ""
        print(f"| {case} | {name} | {ms:.2f} | {lo:.2f}-{hi:.2f} | {nsv_s} | {ratio_s} | {check} |")


if __name__ == "__main__":
    main()
