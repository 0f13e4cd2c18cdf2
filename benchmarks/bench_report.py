"""The report stage on a large plan: JSON text and the plan section, against the obvious ways.

On the generated site plan (``gen_large_site.py``, 2,000 buildings by default):

* JSON: ``drawcheck.reports.report.to_json`` (the C encoder's compact text laid out by a numba pass) against
  ``json.dumps(report, ensure_ascii=False, sort_keys=True, indent=2)`` (the standard library's indenting
  encoder, a Python loop); the two texts are compared first;
* plan section: ``plan_section`` (every outline densified and rounded in one pass) against densifying and
  rounding each outline on its own with ``as_reported`` per coordinate; compared first;
* the indicators and the rules, for scale.

    python benchmarks/bench_report.py [--buildings N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import machine  # benchmarks/common.py

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"


def plan(buildings: int) -> Path:
    path = DATA / f"large-site-{buildings}.dxf"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_large_site.py"), str(path),
                        "--buildings", str(buildings)], check=True, capture_output=True)
    return path


def median(fn, runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times)


def per_outline_plan(project, ind) -> dict:
    """The plan section the obvious way: each outline densified alone, each coordinate rounded alone."""
    from drawcheck.geometry.arrays import PolygonArrays
    from drawcheck.rounding import as_reported

    def rings(r):
        dense = PolygonArrays.from_polygons([r]).densified()
        return [[[as_reported(x, "m"), as_reported(y, "m")] for x, y in dense.xy[s:e]]
                for s, e in zip(dense.ring_offsets[:-1], dense.ring_offsets[1:])]

    return {
        "site": [rings(a.rings) for a in project.sites],
        "buildings": [{"id": b.id, "kind": b.kind, "parts": [rings(p.part.area.rings) for p in b.parts]}
                      for b in list(ind.buildings) + list(ind.existing)],
        "roads": [[[as_reported(p[0], "m"), as_reported(p[1], "m")] for p in line.points]
                  for line in project.road_redlines],
        "green": [rings(a.rings) for a in project.green + project.green_central],
        "basements": [rings(b.area.rings) for b in project.basements],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--buildings", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)
    from drawcheck.indicators.compute import compute_indicators
    from drawcheck.pipeline import prepare
    from drawcheck.reports.report import build_report, plan_section, to_json
    from drawcheck.rules.assumptions import collect_assumptions
    from drawcheck.rules.engine import RuleContext, run_rules

    print(machine())
    p = prepare(plan(args.buildings))
    m, ind = p.manifest, p.indicators
    ctx = RuleContext(p.project, ind, m.conditions, m.claims, north_angle=m.north_angle, latitude=m.latitude,
                      longitude=m.longitude, assumptions=collect_assumptions(p.project, ind))
    results = run_rules(p.packs, ctx)
    report = build_report(p.project, ind, results, p.packs)
    if to_json(report) != json.dumps(report, ensure_ascii=False, sort_keys=True, indent=2) + "\n":
        raise SystemExit("to_json differs from json.dumps(indent=2)")
    if plan_section(p.project, ind) != per_outline_plan(p.project, ind):
        raise SystemExit("the plan sections differ")
    rows = [
        ("indicators", lambda: compute_indicators(p.project, m.conditions, {x.id: x.params for x in p.packs},
                                                  m.consistency)),
        ("rules", lambda: run_rules(p.packs, ctx)),
        ("plan section, ours", lambda: plan_section(p.project, ind)),
        ("plan section, per outline", lambda: per_outline_plan(p.project, ind)),
        ("JSON text, ours", lambda: to_json(report)),
        ("JSON text, json.dumps(indent=2)", lambda: json.dumps(report, ensure_ascii=False, sort_keys=True, indent=2)),
    ]
    size = len(to_json(report).encode("utf-8")) / 1e6
    print(f"{args.buildings} buildings, report {size:.1f} MB, medians of {args.runs}")
    for name, fn in rows:
        t, lo, hi = median(fn, args.runs)
        print(f"| {name} | {t:.3f} ({lo:.3f}-{hi:.3f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
