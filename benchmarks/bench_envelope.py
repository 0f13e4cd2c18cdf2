"""Envelope time on a 2,000-building plan, and the spacing sweep against the obvious shapely construction.

The generated site plan (``gen_large_site.py``) with every building taken as
*retained* (the manifest maps its building layer to that role), so each of
them casts a fire-separation zone, a Shanghai spacing zone and a footprint:
the worst case of ``drawcheck envelope`` (a site already full). Timed:

* prepare: reading the drawing and its indicators (the same for ``check``);
* envelope: :func:`drawcheck.envelope.zones.compute_envelope` at 54 m (all zones, the union, the arcs);
* spacing sweep alone, ours (convex footprints: one hull of the swept vertices; others: the sector copies at the
  vertices plus one quadrilateral per edge, from the sector's support points) against the obvious shapely way
  (one convex hull per edge of the edge's two ends swept by the sector, then their union), on the same
  buildings in the same run; the two zones' areas are compared first;
* the envelope of the residential sample at 54 m and its sunlight caps on a 2 m grid (``shanghai-sunlight``).

    python benchmarks/bench_envelope.py [--runs N] [--buildings N] [--quick]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import shapely

from common import machine  # benchmarks/common.py

from drawcheck.geometry.ops import to_shapely

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"

MANIFEST = """[project]
name = "{n} retained buildings"
inputs = ["site.dxf"]
packs = ["gb50016-2014", "shanghai-planning"]

[conditions]
setback_min = 5.0
height_max = 54.0

[layers]
replace = true
site = ["用地红线"]
retained = ["建筑轮廓"]
green = ["绿地"]
parking = ["停车位"]
"""


def plan(buildings: int) -> Path:
    """The generated plan as a submission of retained buildings under benchmarks/data (made once)."""
    folder = DATA / f"envelope-{buildings}"
    if not (folder / "site.dxf").exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_large_site.py"), str(folder / "site.dxf"),
                        "--buildings", str(buildings)], check=True, capture_output=True)
    (folder / "drawcheck.toml").write_text(MANIFEST.format(n=buildings), encoding="utf-8")
    return folder


def median(fn, runs: int) -> tuple[float, float, float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times), result


def shapely_sweep(builder, buildings, d: float) -> shapely.Geometry:
    """The obvious construction: per edge, the convex hull of its two ends swept by the south sector; union."""
    north = math.pi / 2
    sector = builder._sector(d, north + math.pi, math.radians(45.0))
    hulls = []
    for b in buildings:
        footprint = shapely.union_all(to_shapely([pf.part.area.rings for pf in b.parts]))
        for poly in shapely.get_parts(footprint):
            xy = np.asarray(poly.exterior.coords)[:, :2]
            for p, q in zip(xy[:-1], xy[1:]):
                hulls.append(shapely.convex_hull(shapely.multipoints(np.vstack([sector + p, sector + q]))))
            hulls.append(poly)
    return shapely.union_all(hulls)


def ours_sweep(builder, buildings, d: float) -> shapely.Geometry:
    north = math.pi / 2
    half = math.radians(45.0)
    sector = (builder._sector(d, north + math.pi, half), north + math.pi, half)
    return shapely.union_all([builder._sector_zone(b, [sector]) for b in buildings])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--buildings", type=int, default=2000)
    ap.add_argument("--sweep-buildings", type=int, default=200, help="buildings in the sweep comparison")
    ap.add_argument("--quick", action="store_true", help="2 runs, 200 buildings, 50 in the sweep comparison")
    args = ap.parse_args(argv)
    if args.quick:
        args.runs, args.buildings, args.sweep_buildings = 2, 200, 50
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)
    from drawcheck.envelope.zones import _Builder, add_sunlight_caps, compute_envelope
    from drawcheck.pipeline import prepare

    print(machine())
    folder = plan(args.buildings)
    t, lo, hi, prepared = median(lambda: prepare(folder), args.runs)
    print(f"| prepare (read + indicators), {args.buildings} buildings | {t:.3f} ({lo:.3f}-{hi:.3f}) |")
    t, lo, hi, env = median(lambda: compute_envelope(prepared, 54.0), args.runs)
    print(f"| envelope at 54 m: {len(env.constraints)} zones, buildable {env.area:,.2f} m2 | {t:.3f} ({lo:.3f}-{hi:.3f}) |")

    builder = _Builder(prepared, 54.0, "residential", "planned")
    subset = builder.neighbours[: args.sweep_buildings]
    d = 28.8
    a = ours_sweep(builder, subset, d)
    b = shapely_sweep(builder, subset, d)
    if abs(a.area - b.area) > 1e-6 * b.area + 0.01 * len(subset):
        raise SystemExit(f"the two sweeps differ: {a.area:.3f} vs {b.area:.3f} m2")
    t1, lo1, hi1, _ = median(lambda: ours_sweep(builder, subset, d), args.runs)
    t2, lo2, hi2, _ = median(lambda: shapely_sweep(builder, subset, d), args.runs)
    print(f"| spacing sweep, {len(subset)} buildings, ours | {t1:.3f} ({lo1:.3f}-{hi1:.3f}) |")
    print(f"| spacing sweep, {len(subset)} buildings, hull per edge (shapely) | {t2:.3f} ({lo2:.3f}-{hi2:.3f}) |"
          f" {t2 / t1:.1f}x |")
    sample = prepare(ROOT / "samples" / "residential",
                     packs=["gb50016-2014", "shanghai-planning", "shanghai-sunlight"])
    t, lo, hi, env = median(lambda: compute_envelope(sample, 54.0), args.runs)
    print(f"| envelope at 54 m, residential sample: {len(env.constraints)} zones | {t:.3f} ({lo:.3f}-{hi:.3f}) |")
    t, lo, hi, _ = median(lambda: add_sunlight_caps(sample, env, 2.0), args.runs)
    print(f"| sunlight caps over it, 2 m grid, {len(env.caps['cells'])} cells | {t:.3f} ({lo:.3f}-{hi:.3f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
