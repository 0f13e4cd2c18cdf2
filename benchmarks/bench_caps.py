"""Benchmark sunlight height caps (日照限高) on samples/residential against bisection with the ray caster.

    python benchmarks/bench_caps.py [--runs N] [--cells N] [--check-cells N]

The zone is the sample's site inset by 5 m, 2 m cells (about 4,800), the Shanghai standard (冬至日, one
continuous hour of full-window sunlight; the sample's GB 50180 rule is not_run without a climate zone),
the plot's height_max (80 m) as ceiling.

- **caps**: ``drawcheck.sunlight.caps.height_caps``, the whole grid, study included (the sunlight study
  the rule runs, then the ray walk through the grid).
- **bisection, caster**: the obvious alternative for the same answer: per cell, bisect the height of a
  box of the cell's square, to 1 cm, rebuilding the scene with the box and casting every kept ray
  (each passing window's kept minutes, the same rays as the caps) with the BVH caster; the cap is the
  highest box that blocks none. Timed on ``--cells`` cells spread over the zone and scaled to the grid.
- **bisection, check** (``--check-cells``, once each): the designer's way, bisecting the box drawn into
  the sample's DXF and judged by the sunlight rule itself (read, indicators, study, verdicts); it finds
  the exact one-box cap, which the conservative caps never exceed.

Medians of ``--runs`` interleaved runs after a warm-up (numba compile). Prints a Markdown table and how
far the answers agree.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import machine  # noqa: E402  (benchmarks/common.py)
from drawcheck.geometry.arrays import PolygonArrays  # noqa: E402
from drawcheck.pipeline import check, prepare  # noqa: E402
from drawcheck.rules.sunlight_standards import (context, judge, run, standard_of, sunlight_packs,  # noqa: E402
                                                sunlight_rules)
from drawcheck.sunlight.bvh import build_bvh, occluded  # noqa: E402
from drawcheck.sunlight.caps import (Grid, Rays, column_caps, graze_margin, height_caps, kept_rays,  # noqa: E402
                                     kept_samples)
from drawcheck.sunlight.scene import build_scene  # noqa: E402
from drawcheck.sunlight.study import part_inputs  # noqa: E402

SAMPLE = ROOT / "samples" / "residential"
RULE = "shanghai-sunlight:2021/housing"
GRID = 2.0
INSET = 5.0  # m
TOLERANCE = 0.01  # m, bisection stops when the bracket is this narrow


def _prepared():
    base = prepare(SAMPLE)
    packs = list(base.manifest.packs) + [p for p in sunlight_packs() if p not in base.manifest.packs]
    return prepare(SAMPLE, packs=packs)


def _zone(prepared):
    site = PolygonArrays.from_polygons([prepared.project.sites[0].rings]).densified().to_shapely()[0]
    return site.buffer(-INSET, join_style="mitre")


class CasterBisection:
    """The kept rays of every passing window (as the caps choose them) and the scene without the box."""

    def __init__(self, prepared, zone, limit: float):
        ctx = context(prepared)
        rule = next(r for r in sunlight_rules(prepared.packs) if r.id == RULE)
        std = standard_of(ctx, rule)
        study = run(ctx, std)
        grid = Grid.over(zone.bounds, GRID)
        x, y = grid.centres()
        kept, _ = kept_samples(study, judge(study, std), std, grid, shapely.intersects_xy(zone, x, y), limit)
        rays = kept_rays(study, kept)
        pairs = np.repeat(np.arange(len(rays.pair_w)), (rays.member[rays.pair_w] >= 0).sum(axis=1))
        slot = np.concatenate([np.flatnonzero(row >= 0) for row in rays.member[rays.pair_w]])
        self.origins = rays.points[rays.member[rays.pair_w[pairs], slot]]
        self.sun_index = rays.pair_s[pairs]
        self.suns = rays.suns
        ind = prepared.indicators
        self.parts = [(p.rings, p.height) for p in part_inputs(ind.buildings + ind.existing)]
        self.limit = limit

    def blocked(self, x: float, y: float, height: float) -> bool:
        """Whether a box on the cell centred at (x, y), ``height`` m tall, blocks a kept ray (a full re-cast)."""
        h = GRID / 2
        box = np.array([[x - h, y - h, 0.0], [x + h, y - h, 0.0], [x + h, y + h, 0.0], [x - h, y + h, 0.0]])
        scene = build_scene(self.parts + [([box], height)])
        return bool(occluded(build_bvh(scene.triangles), self.origins, self.suns,
                             direction_index=self.sun_index).any())

    def cap(self, x: float, y: float) -> float:
        return bisect(lambda h: self.blocked(x, y, h), self.limit)


def numpy_caps(origins: np.ndarray, suns: np.ndarray, grid: Grid, limit: float, chunk: int = 1000) -> np.ndarray:
    """The numpy alternative to the ray walk: a slab test of every (ray, cell) pair, in chunks of rays;
    per cell the lowest height at which a ray enters its square (no grazing margin)."""
    x0 = grid.x0 + grid.size * np.arange(grid.nx)
    y0 = grid.y0 + grid.size * np.arange(grid.ny)
    cx0, cy0 = (a.ravel() for a in np.meshgrid(x0, y0))
    cx1, cy1 = cx0 + grid.size, cy0 + grid.size
    horizontal = np.hypot(suns[:, 0], suns[:, 1])
    d = suns[:, :2] / horizontal[:, None]
    tan_alt = suns[:, 2] / horizontal
    caps = np.full(grid.nx * grid.ny, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for a in range(0, len(origins), chunk):
            o, dd, ta = origins[a:a + chunk, :, None], d[a:a + chunk, :, None], tan_alt[a:a + chunk, None]
            tx0, tx1 = (cx0 - o[:, 0]) / dd[:, 0], (cx1 - o[:, 0]) / dd[:, 0]
            ty0, ty1 = (cy0 - o[:, 1]) / dd[:, 1], (cy1 - o[:, 1]) / dd[:, 1]
            enter = np.maximum(np.maximum(np.minimum(tx0, tx1), np.minimum(ty0, ty1)), 0.0)
            leave = np.minimum(np.maximum(tx0, tx1), np.maximum(ty0, ty1))
            z = np.where(enter <= leave, o[:, 2] + enter * ta, np.inf)
            caps = np.minimum(caps, z.min(axis=0))
    return np.where(caps < limit, caps, np.inf).reshape(grid.ny, grid.nx)


def bisect(blocked, limit: float) -> float:
    """The highest height in [0, limit] (to TOLERANCE) at which ``blocked(h)`` is false."""
    if not blocked(limit):
        return limit
    lo, hi = 0.0, limit
    while hi - lo > TOLERANCE:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if blocked(mid) else (mid, hi)
    return lo


def _passing(folder: Path) -> dict[str, int]:
    """Passing windows per building under the rule (the sample fails it already: some windows are below)."""
    row = next(r for r in check(folder, packs=["shanghai-sunlight"]).data["rules"] if r["rule"] == RULE)
    return {b: v["passing"] for b, v in row["details"]["buildings"].items()}


def check_breaks(prepared, x: float, y: float, height: float, folder: Path, before: dict[str, int]) -> bool:
    """Whether a box (office, 1 storey) on the cell at (x, y), ``height`` m, drawn into the sample, makes a
    window that passed the rule fail (the rule's own verdicts, per building)."""
    import ezdxf

    unit = prepared.project.inputs[0].unit_m
    doc = ezdxf.readfile(SAMPLE / "site.dxf")
    msp = doc.modelspace()
    h = GRID / 2
    corners = [(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)]
    msp.add_lwpolyline([(cx / unit, cy / unit) for cx, cy in corners], close=True, dxfattribs={"layer": "建筑轮廓"})
    msp.add_mtext(f"9#\\P1F\\PH={height:.2f}m\\P办公", dxfattribs={
        "layer": "建筑轮廓", "insert": (x / unit, y / unit), "char_height": 0.3 / unit})
    doc.saveas(folder / "site.dxf")
    (folder / "drawcheck.toml").write_text((SAMPLE / "drawcheck.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return _passing(folder) != before


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cells", type=int, default=8, help="cells bisected with the caster per run")
    ap.add_argument("--numpy-rays", type=int, default=50_000, help="kept rays the numpy alternative walks")
    ap.add_argument("--check-cells", type=int, default=0, help="cells bisected with the check (once each)")
    args = ap.parse_args()

    prepared = _prepared()
    zone = _zone(prepared)
    limit = float(prepared.manifest.conditions["height_max"])
    caps = height_caps(prepared, zone, grid=GRID)  # warm-up: numba compile or cache load
    cells = caps["cells"]
    by_xy = {(x, y): h for x, y, h in cells}
    # cells spread over the zone: every n-th, lowest caps first so that constrained cells are among them
    order = sorted(cells, key=lambda c: (c[2], c[1], c[0]))
    picks = [order[round(k * (len(order) - 1) / max(args.cells - 1, 1))] for k in range(args.cells)]
    bisection = CasterBisection(prepared, zone, limit)
    bisection.blocked(*picks[0][:2], limit)  # warm-up: the caster's kernels
    t_caps, t_bisect, t_setup, answers = [], [], [], {}
    for _ in range(args.runs):
        t = time.perf_counter()
        caps = height_caps(prepared, zone, grid=GRID)
        t_caps.append(time.perf_counter() - t)
        t = time.perf_counter()
        bisection = CasterBisection(prepared, zone, limit)
        t_setup.append(time.perf_counter() - t)
        t = time.perf_counter()
        for x, y, _ in picks:
            answers[(x, y)] = bisection.cap(x, y)
        t_bisect.append((time.perf_counter() - t) / len(picks))
    # the same walk in numpy, on a slice of the kept rays (scaled), against the numba kernel on that slice
    grid = Grid.over(zone.bounds, GRID)
    part = np.sort(np.random.default_rng(14).choice(len(bisection.origins), min(args.numpy_rays,
                                                                              len(bisection.origins)), replace=False))
    origins, suns = bisection.origins[part], bisection.suns[bisection.sun_index[part]]
    t_numpy, t_numba = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        slow = numpy_caps(origins, suns, grid, limit)
        t_numpy.append(time.perf_counter() - t)
        t = time.perf_counter()
        fast, _ = column_caps(Rays.single(origins, suns), grid, limit)
        t_numba.append(time.perf_counter() - t)
    both = np.isfinite(slow) & np.isfinite(fast)
    walk_numpy, walk_numba = statistics.median(t_numpy), statistics.median(t_numba)
    scale = len(bisection.origins) / len(origins)
    caps_s = statistics.median(t_caps)
    per_cell = statistics.median(t_bisect)
    setup = statistics.median(t_setup)
    whole = setup + per_cell * len(cells)
    diffs = [abs(by_xy[xy] - answers[xy]) for xy in answers]
    print(machine())
    print(f"zone {zone.area:,.0f} m2, {len(cells):,} cells of {GRID:g} m; {caps['windows']:,} windows kept clear, "
          f"{len(bisection.origins):,} kept rays; {args.runs} runs")
    print()
    print("| method | median s | ratio |")
    print("|---|---:|---:|")
    print(f"| `height_caps`, whole grid ({len(cells):,} cells, study included) | {caps_s:.2f} | 1.00x |")
    print(f"| bisection with the BVH caster, per cell (mean of {len(picks)}: 1 cast of {len(bisection.origins):,} rays "
          f"where the plot's {limit:g} m blocks none, else {1 + math.ceil(math.log2(limit / TOLERANCE))}; scene "
          f"rebuilt each time) | {per_cell:.2f} | |")
    print(f"| bisection with the BVH caster, whole grid (study + {len(cells):,} x per cell, scaled from "
          f"{len(picks)} cells) | {whole:,.0f} | {whole / caps_s:,.0f}x |")
    print(f"| ray walk alone, numba kernel ({len(origins):,} of the kept rays, drawn at random) | "
          f"{walk_numba:.3f} | 1.00x |")
    print(f"| the same in numpy (slab test of every ray-cell pair, chunks of 1,000 rays) | {walk_numpy:.2f} | "
          f"{walk_numpy / walk_numba:,.0f}x |")
    print()
    print(f"numba walk vs numpy slabs on {len(origins):,} rays: {int(both.sum()):,} cells capped by both, "
          f"{int((np.isfinite(slow) != np.isfinite(fast)).sum())} by one only (a ray within the "
          f"{1e3 * graze_margin(GRID):.2f} mm grazing margin), largest difference "
          f"{np.abs(slow[both] - fast[both]).max():.2e} m; all kept rays in numpy would take ~{walk_numpy * scale:.0f} s")
    print(f"caps vs caster bisection on {len(picks)} cells: largest difference {max(diffs):.3f} m "
          f"(bisection to {TOLERANCE} m; caps floored to 0.01 m, 1 mm + 2e-5 x height under the ray)")
    if args.check_cells:
        constrained = [c for c in order if c[2] < limit]
        chosen = [constrained[round(k * (len(constrained) - 1) / max(args.check_cells - 1, 1))]
                  for k in range(args.check_cells)]
        before = _passing(SAMPLE)
        with tempfile.TemporaryDirectory() as tmp:
            for x, y, cap in chosen:
                t = time.perf_counter()
                exact = bisect(lambda h: check_breaks(prepared, x, y, h, Path(tmp), before), limit)
                seconds = time.perf_counter() - t
                at_cap = not check_breaks(prepared, x, y, cap, Path(tmp), before)
                print(f"cell ({x:g}, {y:g}): cap {cap:.2f} m; bisection with the check {exact:.2f} m in "
                      f"{seconds:.0f} s; box at the cap passes the check: {at_cap}")


if __name__ == "__main__":
    main()
