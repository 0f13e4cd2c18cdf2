"""End-to-end benchmark of ``drawcheck check``.

(a) The fast DXF reader (issue 15): whole processes on two generated plans --
the stall-heavy plan (60,000 stalls as closed polylines on the parking layer)
and a realistic plan (80 % of the entities on layers without a role:
dimensions, hatches, notes, furniture blocks) -- ``drawcheck check`` (the
fast reader) against ``ezdxf.readfile`` alone and ``drawcheck check --reader
ezdxf``, medians of interleaved runs, with the reports compared.
(b) A generated site plan of ~2,000 buildings and ~100k entities: drawcheck's
stages (parse = ezdxf read + our walk and model, indicators, rules) beside
``ezdxf.readfile`` alone on the same file, medians of interleaved runs.
(c) The demo sample through the CLI in a fresh process: the first, compiling
run (numba cache cleared) and warm runs.

    python benchmarks/bench_check.py [--quick] [--runs N] [--demo-only] [--readers-only]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine  # benchmarks/common.py

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"


#: Subprocesses import drawcheck from this checkout (not an installed copy elsewhere).
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def large_site(buildings: int, plan: str = "default") -> Path:
    path = DATA / (f"large-site-{buildings}.dxf" if plan == "default" else f"large-site-{plan}-{buildings}.dxf")
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_large_site.py"), str(path),
                        "--buildings", str(buildings), "--plan", plan], check=True)
    return path


def bench_readers(path: Path, runs: int) -> dict:
    """Whole-process seconds (medians of interleaved runs) of the three ways to read ``path``, and the reports."""
    with tempfile.TemporaryDirectory(prefix="drawcheck-bench-") as tmp:
        commands = {
            "drawcheck check": ["-m", "drawcheck", "check", str(path), "--format", "json", "--out", f"{tmp}/auto"],
            "ezdxf.readfile alone": ["-c", "import sys, ezdxf; ezdxf.readfile(sys.argv[1])", str(path)],
            "drawcheck check --reader ezdxf": ["-m", "drawcheck", "check", str(path), "--format", "json",
                                               "--reader", "ezdxf", "--out", f"{tmp}/ezdxf"],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(runs):
            for key, args in commands.items():
                times[key].append(python_seconds(args, env=ENV))
        reports = [json.loads((Path(tmp) / name / "report.json").read_text(encoding="utf-8")) for name in ("auto", "ezdxf")]
    readers = [i.get("reader") for r in reports for i in r["project"]["inputs"]]
    for r in reports:
        for i in r["project"]["inputs"]:
            i.pop("reader", None)
            i.pop("reader_fallback", None)
    stats = {k: statistics.median(v) for k, v in times.items()}
    stats["same"] = reports[0] == reports[1]
    stats["readers"] = readers
    return stats


def bench_readers_table(buildings: int, runs: int) -> None:
    import ezdxf

    from drawcheck.readers.layers import LayerRoles

    for plan, what in (("stalls", "stall-heavy plan: 30 stall polylines a cell on the parking layer"),
                       ("realistic", "realistic plan: ~80 % of the entities on layers without a role")):
        path = large_site(buildings, plan)
        msp = list(ezdxf.readfile(path).modelspace())
        roles = LayerRoles()
        no_role = sum(roles.role_of(e.dxf.layer) is None for e in msp) / len(msp)
        entities = len(msp)
        del msp
        s = bench_readers(path, runs)
        print(f"(a) {what}: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {entities} model-space entities, "
              f"{no_role:.0%} on layers without a role; reports identical apart from the reader: {s['same']} "
              f"(readers {s['readers']}); medians of {runs} interleaved runs\n")
        print("| whole process | median s | vs `ezdxf.readfile` alone |")
        print("|---|---:|---:|")
        for key in ("drawcheck check", "ezdxf.readfile alone", "drawcheck check --reader ezdxf"):
            print(f"| {key} | {s[key]:.2f} | {s[key] / s['ezdxf.readfile alone']:.2f}x |")
        print()


def bench_large(path: Path, runs: int) -> dict[str, float]:
    import ezdxf

    import drawcheck

    drawcheck.check(path)  # warm: numba cache, imports
    rows: dict[str, list[float]] = {"ezdxf.readfile": [], "parse": [], "indicators": [], "rules": [], "total": []}
    for _ in range(runs):  # interleaved, so both see the same machine load
        t = time.perf_counter()
        ezdxf.readfile(path)
        rows["ezdxf.readfile"].append(time.perf_counter() - t)
        t = time.perf_counter()
        report = drawcheck.check(path)
        rows["total"].append(time.perf_counter() - t)
        for key in ("parse", "indicators", "rules"):
            rows[key].append(report.timings[key])
    stats = {k: statistics.median(v) for k, v in rows.items()}
    stats["buildings"] = len(report.data["buildings"])
    stats["spacing_rows"] = len(report.data["spacing"])
    stats["findings"] = len(report.data["findings"])
    return stats


def cli_seconds(args: list[str], env=None) -> float:
    return python_seconds(["-m", "drawcheck", *args], env=env)


def python_seconds(args: list[str], env=None) -> float:
    """Wall time (s) of a fresh ``python ARGS`` process."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], capture_output=True, env=env)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    return elapsed


#: What ``check`` imports before it reads a byte (ezdxf, shapely, numba and its cached kernels, scipy via numba).
CHECK_IMPORTS = "import drawcheck.pipeline, drawcheck.indicators.compute, drawcheck.rules.engine, drawcheck.sunlight.study"


def bench_demo(runs: int) -> dict[str, float]:
    args = ["check", str(ROOT / "samples" / "residential"), "--format", "json"]
    caches = list((ROOT / "drawcheck").rglob("__pycache__"))
    saved = []
    for cache in caches:  # clear numba's cache files only (.nbi/.nbc), keep Python bytecode
        for f in list(cache.glob("*.nb[ic]")):
            saved.append(f)
            f.unlink()
    first = cli_seconds(args)
    warm = [cli_seconds(args) for _ in range(runs)]
    imports = [cli_seconds(["--version"]) for _ in range(runs)]
    check_imports = [python_seconds(["-c", CHECK_IMPORTS]) for _ in range(runs)]
    return {"first": first, "warm": statistics.median(warm), "version_only": statistics.median(imports),
            "check_imports": statistics.median(check_imports), "cache_files": len(saved)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 buildings, 3 runs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--buildings", type=int, default=2000)
    parser.add_argument("--demo-only", action="store_true", help="only (c), the demo in fresh processes")
    parser.add_argument("--readers-only", action="store_true", help="only (a), the readers in fresh processes")
    opts = parser.parse_args()
    buildings, runs = (300, 3) if opts.quick else (opts.buildings, opts.runs)
    print(f"machine: {machine()}")
    if not opts.demo_only:
        bench_readers_table(buildings, runs)
    if opts.readers_only:
        return
    if not opts.demo_only:
        bench_large_table(buildings, runs)
    d = bench_demo(runs)
    print("(c) `drawcheck check samples/residential --format json`, fresh process each run\n")
    print("| run | seconds |")
    print("|---|---:|")
    print(f"| first run, numba cache cleared ({d['cache_files']} cache files) | {d['first']:.2f} |")
    print(f"| warm cache, median of {runs} | {d['warm']:.2f} |")
    print(f"| of which the imports `check` needs (`python -c \"{CHECK_IMPORTS}\"`), median of {runs} "
          f"| {d['check_imports']:.2f} |")
    print(f"| `drawcheck --version` (start-up only), median of {runs} | {d['version_only']:.2f} |")


def bench_large_table(buildings: int, runs: int) -> None:
    path = large_site(buildings)
    import ezdxf

    entities = len(ezdxf.readfile(path).modelspace())
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {entities} model-space entities\n")
    s = bench_large(path, runs)
    share = (s["indicators"] + s["rules"]) / s["parse"]
    print(f"(b) end to end, median of {runs} interleaved runs, {s['buildings']} buildings, "
          f"{s['spacing_rows']} spacing rows, {s['findings']} findings\n")
    print("| stage | median s | vs ezdxf.readfile |")
    print("|---|---:|---:|")
    for key in ("ezdxf.readfile", "parse", "indicators", "rules", "total"):
        print(f"| {key} | {s[key]:.3f} | {s[key] / s['ezdxf.readfile']:.2f}x |")
    print(f"\nindicators + rules = {share:.1%} of parse (target < 20 %)\n")


if __name__ == "__main__":
    main()
