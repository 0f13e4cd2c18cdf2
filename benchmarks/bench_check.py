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
run (numba cache cleared), warm runs (optionally interleaved with another
checkout's, ``--against``), and the import profile of the warm check.

    python benchmarks/bench_check.py [--quick] [--runs N] [--demo-only] [--readers-only]
                                     [--no-first] [--against DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
        python_seconds(commands["drawcheck check"], env=ENV)  # warm: numba's cache for a kernel new since the last run
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
    stats["stages"] = in_process_stages(path)
    return stats


def in_process_stages(path: Path) -> dict[str, float]:
    """``drawcheck.check``'s own stage timings (s) on ``path``, in this process after a warm-up call, with the
    cyclic GC's thresholds the CLI check runs with."""
    import gc

    import drawcheck
    from drawcheck.cli import _CHECK_GC_THRESHOLDS

    drawcheck.check(path)
    default = gc.get_threshold()
    gc.set_threshold(*_CHECK_GC_THRESHOLDS)
    try:
        return dict(drawcheck.check(path).timings)
    finally:
        gc.set_threshold(*default)


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
        stages = s["stages"]
        share = (stages["indicators"] + stages["rules"]) / s["drawcheck check"]
        print("\nin-process stages of `drawcheck.check` (s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items())
              + f"; indicators + rules = {share:.1%} of the whole-process check\n")


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


def cli_seconds(args: list[str], env=None, root: Path = ROOT) -> float:
    return python_seconds(["-m", "drawcheck", *args], env=env, root=root)


def python_seconds(args: list[str], env=None, root: Path = ROOT) -> float:
    """Wall time (s) of a fresh ``python ARGS`` process run in ``root`` (whose drawcheck it imports)."""
    return python_times(args, env, root)[0]


def python_times(args: list[str], env=None, root: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU (user + system) time (s) of a fresh ``python ARGS`` process run in ``root``; CPU time
    suffers less than wall time from other processes on a shared machine."""
    env = dict(os.environ if env is None else env, PYTHONPATH=str(root))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], capture_output=True, env=env, cwd=root)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


#: What ``check`` imports before it reads a byte (ezdxf, shapely, numba); numba's CPU target starts
#: at the first kernel call, not here.
CHECK_IMPORTS = "import drawcheck.pipeline, drawcheck.indicators.compute, drawcheck.rules.engine, drawcheck.sunlight.study"

#: The start-up goal of issue 15 for the warm demo check, s.
DEMO_GOAL = 1.0

#: The warm demo commands, timed in fresh processes (``drawcheck check samples/residential`` is the goal's).
DEMO_COMMANDS = {
    "check samples/residential": ["check", "samples/residential"],
    "check samples/residential --format json": ["check", "samples/residential", "--format", "json"],
    "--version": ["--version"],
}


def compile_bytecode(root: Path) -> None:
    """Write drawcheck's Python bytecode under ``root`` (as installing a package does), so that no timed
    process compiles modules, whatever ``PYTHONDONTWRITEBYTECODE`` says (set, every process would compile
    the modules changed since their last bytecode: ~0.15 s when all are)."""
    import compileall

    compileall.compile_dir(root / "drawcheck", quiet=1)


def clear_numba_cache(root: Path) -> int:
    """Delete numba's cache files (.nbi/.nbc) under ``root/drawcheck``, keep Python bytecode; their number."""
    files = [f for cache in (root / "drawcheck").rglob("__pycache__") for f in cache.glob("*.nb[ic]")]
    for f in files:
        f.unlink()
    return len(files)


def bench_demo(runs: int, against: Path | None = None, first: bool = True) -> dict:
    """The demo in fresh processes: the compiling first run, then warm medians of each of
    :data:`DEMO_COMMANDS` (and of the same commands in the ``against`` checkout, interleaved)."""
    out: dict = {"first": None, "cache_files": 0}
    against = against.resolve() if against is not None else None
    if first:
        out["cache_files"] = clear_numba_cache(ROOT)
        out["first"] = cli_seconds(DEMO_COMMANDS["check samples/residential"])
    roots = [ROOT] if against is None else [ROOT, against]
    for root in roots:  # warm each numba cache (and bytecode) before timing
        cli_seconds(DEMO_COMMANDS["check samples/residential"], root=root)
    times: dict[tuple[str, Path], list[tuple[float, float]]] = {(n, r): [] for n in DEMO_COMMANDS for r in roots}
    for i in range(runs):  # interleaved: every command and checkout sees the same machine load
        for name, args in DEMO_COMMANDS.items():
            for root in roots if i % 2 == 0 else roots[::-1]:
                times[name, root].append(python_times(["-m", "drawcheck", *args], root=root))
    out["warm"] = {key: statistics.median(w for w, _ in v) for key, v in times.items()}
    out["warm_cpu"] = {key: statistics.median(c for _, c in v) for key, v in times.items()}
    out["check_imports"] = statistics.median(python_seconds(["-c", CHECK_IMPORTS]) for _ in range(runs))
    return out


def import_profile(root: Path = ROOT, top: int = 12) -> dict:
    """``python -X importtime -m drawcheck check samples/residential`` in ``root``: the top-level imports
    with the largest cumulative time, self time summed per package, and the total (ms)."""
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "drawcheck", "check", "samples/residential"],
                          capture_output=True, text=True, env=env, cwd=root)
    rows = []  # (depth, self us, cumulative us, module)
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:"):].split("|")
        rows.append(((len(name) - len(name.lstrip()) - 1) // 2, int(own), int(cumulative), name.strip()))
    tops = sorted((r for r in rows if r[0] == 0), key=lambda r: -r[2])
    packages: dict[str, int] = {}
    for _, own, _, name in rows:
        package = ".".join(name.split(".")[:2]) if name.startswith("drawcheck.") else name.split(".")[0]
        packages[package] = packages.get(package, 0) + own
    return {"top": [(name, cum / 1000) for _, _, cum, name in tops[:top]],
            "packages": sorted(((k, v / 1000) for k, v in packages.items()), key=lambda kv: -kv[1])[:top],
            "total": sum(r[2] for r in tops) / 1000, "modules": len(rows)}


#: A warm demo check in one process, its start-up paid part by part in the order a run pays it
#: (each import pulls only what the earlier ones did not); prints JSON {part: s}.
BREAKDOWN = r"""
import contextlib, io, json, sys, time
T = [("start", time.perf_counter())]
def mark(name): T.append((name, time.perf_counter()))
import drawcheck.cli; mark("CLI module (typer, rich markup)")
import typer._adapters; mark("pydantic (typer's parameter coercion)")
import numpy; mark("numpy")
import numba; mark("numba import")
import drawcheck.geometry.kernels
from numba.core.compiler_lock import global_compiler_lock
from numba.core.registry import cpu_target
with global_compiler_lock:  # what the first kernel call does first: take numba's lock, start its CPU target
    cpu_target.target_context.refresh()
mark("kernel modules, numba CPU target start")
import ezdxf, ezdxf.recover; mark("ezdxf import")
import shapely, rich.console, rich.table; mark("shapely, rich console")
import drawcheck.pipeline, drawcheck.indicators.compute, drawcheck.readers.dxf, drawcheck.readers.area_drawing
import drawcheck.reports.report, drawcheck.reports.text, drawcheck.rules.engine
from drawcheck.rules.registry import load_checks
load_checks(); mark("drawcheck modules")
import numba.core.dispatcher as dispatcher
loads = [0.0]
first_call = dispatcher.Dispatcher._compile_for_args
def timed(self, *args, **kws):
    t = time.perf_counter()
    try:
        return first_call(self, *args, **kws)
    finally:
        loads[0] += time.perf_counter() - t
dispatcher.Dispatcher._compile_for_args = timed
sys.argv = ["drawcheck", "check", "samples/residential"]
with contextlib.redirect_stdout(io.StringIO()):
    try:
        drawcheck.cli.main()
    except SystemExit:
        pass
mark("the check (parse, read, indicators, rules, report, text)")
out = {name: T[i][1] - T[i - 1][1] for i, (name, _) in enumerate(T) if i}
out["of which numba kernels loaded from the cache"] = loads[0]
out["end"] = time.time()
print(json.dumps(out))
"""


def startup_breakdown(runs: int, root: Path = ROOT) -> dict[str, float]:
    """Medians (s) of :data:`BREAKDOWN`'s parts over ``runs`` fresh processes, plus the interpreter's own
    start (``python -c pass``) and its exit after the check (process end minus the script's last mark)."""
    env = dict(os.environ, PYTHONPATH=str(root))
    rows = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", BREAKDOWN], capture_output=True, text=True, env=env, cwd=root)
        ended = time.time()
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["interpreter exit"] = ended - row.pop("end")
        rows.append(row)
    out = {"interpreter start (`python -c pass`)": statistics.median(python_seconds(["-c", "pass"], root=root)
                                                                     for _ in range(runs))}
    out.update({key: statistics.median(r[key] for r in rows) for key in rows[0]})
    return out


def print_demo(d: dict, runs: int, against: Path | None) -> None:
    print("(c) the demo in a fresh process each run\n")
    if d["first"] is not None:
        print(f"first `check samples/residential`, numba cache cleared ({d['cache_files']} cache files): "
              f"{d['first']:.2f} s\n")
    head = "| command | this checkout: wall, CPU s |" + (f" {against}: wall, CPU s | ratio (wall, CPU) |" if against else "")
    print(head)
    print("|---|---:|" + ("---:|---:|" if against else ""))
    for name in DEMO_COMMANDS:
        mine, mine_cpu = d["warm"][name, ROOT], d["warm_cpu"][name, ROOT]
        row = f"| `drawcheck {name}` | {mine:.3f}, {mine_cpu:.3f} |"
        if against:
            other, other_cpu = d["warm"][name, against], d["warm_cpu"][name, against]
            row += f" {other:.3f}, {other_cpu:.3f} | {mine / other:.2f}x, {mine_cpu / other_cpu:.2f}x |"
        print(row)
    goal = d["warm"]["check samples/residential", ROOT]
    print(f"\nwarm `drawcheck check samples/residential`, median of {runs}: {goal:.3f} s "
          f"(goal < {DEMO_GOAL:.1f} s: {'met' if goal < DEMO_GOAL else 'not met'})")
    print(f"imports `check` needs (`python -c \"{CHECK_IMPORTS}\"`), median of {runs}: {d['check_imports']:.3f} s\n")
    for root in [ROOT] + ([against] if against else []):
        prof = import_profile(root)
        print(f"import profile of `python -X importtime -m drawcheck check samples/residential` in {root} "
              f"({prof['modules']} modules, {prof['total']:.0f} ms of imports as -X importtime counts them)\n")
        print("| top-level import | cumulative ms | | package | self ms |")
        print("|---|---:|---|---|---:|")
        for (name, cum), (package, own) in zip(prof["top"], prof["packages"]):
            print(f"| {name} | {cum:.0f} | | {package} | {own:.0f} |")
        print()
    roots = [ROOT] + ([against] if against else [])
    parts = [startup_breakdown(runs, root) for root in roots]
    print(f"where a warm `drawcheck check samples/residential` goes, medians of {runs}\n")
    print("| part | " + " | ".join(f"{root}, s" for root in roots) + " |")
    print("|---|" + "---:|" * len(roots))
    for name in parts[0]:
        print(f"| {name} | " + " | ".join(f"{p[name]:.3f}" for p in parts) + " |")
    print("| sum (without the 'of which' row) | " + " | ".join(
        f"{sum(v for k, v in p.items() if not k.startswith('of which')):.3f}" for p in parts) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 buildings, 3 runs")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--buildings", type=int, default=2000)
    parser.add_argument("--demo-only", action="store_true", help="only (c), the demo in fresh processes")
    parser.add_argument("--readers-only", action="store_true", help="only (a), the readers in fresh processes")
    parser.add_argument("--no-first", action="store_true", help="(c): skip the compiling first run")
    parser.add_argument("--against", type=Path, help="(c): also time another drawcheck checkout (its root), "
                        "interleaved, e.g. the commit before a change")
    opts = parser.parse_args()
    buildings, runs = (300, 3) if opts.quick else (opts.buildings, opts.runs)
    print(f"machine: {machine()}")
    for root in [ROOT] + ([opts.against] if opts.against else []):
        compile_bytecode(root)
    if not opts.demo_only:
        bench_readers_table(buildings, runs)
    if opts.readers_only:
        return
    if not opts.demo_only:
        bench_large_table(buildings, runs)
    against = opts.against.resolve() if opts.against else None
    d = bench_demo(runs, against, first=not opts.no_first)
    print_demo(d, runs, against)


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
