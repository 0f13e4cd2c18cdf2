"""Batch throughput of ``drawcheck batch`` and the cost of per-submission process isolation.

(a) Throughput (submissions per second) of :func:`drawcheck.batch.run_batch`
with 1, 2 and ``os.cpu_count()`` jobs (local pool, a child process per
submission; every submission re-checked, nothing skipped as unchanged), each
child forked from the warm server (the default; the server is stopped before
every such run, so each batch pays its start and warm-up) or spawned as a
fresh interpreter (``--spawn``), and on a Dask ``LocalCluster`` (2 worker
processes x 1 thread, daemonic workers spawning their children or
non-daemonic ones forking them; cluster start not counted), on the four
shipped samples and on a generated set of 200 submissions (copies of two
small plans: the compliant plan as a single DXF, the residential plan as a
folder with its manifest; kept in ``benchmarks/data/batch-200/``, not
committed).
(b) Isolation overhead: the same submissions checked one after another in
this process with ``drawcheck.check`` (warm: imports done, kernels compiled)
vs one at a time each in its own child (``--jobs 1``, forked and spawned),
the bare cost of starting a child that only imports the pipeline, and the
fork server's one-off warm-up (import and a small check, in a fresh process).

Every configuration must give byte-identical reports; the script checks it.

    python benchmarks/bench_batch.py [--quick] [--repeats N] [--generated N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from common import machine  # benchmarks/common.py

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
SAMPLES = [ROOT / "samples" / n for n in ("residential", "compliant", "mixed", "residential-ifc")]


def generate(count: int) -> Path:
    """``count`` submissions in ``benchmarks/data/batch-COUNT/`` (made once)."""
    folder = DATA / f"batch-{count}"
    if folder.is_dir() and len(list(folder.iterdir())) == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(count):
        if i % 2 == 0:
            shutil.copy(ROOT / "samples" / "compliant" / "site.dxf", folder / f"plan-{i:03d}.dxf")
        else:
            sub = folder / f"site-{i:03d}"
            sub.mkdir()
            for name in ("drawcheck.toml", "site.dxf"):
                shutil.copy(ROOT / "samples" / "residential" / name, sub / name)
    return folder


def list_file(paths: list[Path], where: Path) -> Path:
    target = where / "list.txt"
    target.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    return target


def reports(out: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(out.glob("*/report.json"))}


def timed_batch(source: Path, scratch: Path, tag: str, **kwargs) -> tuple[float, dict[str, bytes]]:
    from drawcheck.batch import run_batch

    out = scratch / tag
    shutil.rmtree(out, ignore_errors=True)
    result = run_batch([source], out, force=True, **kwargs)
    bad = [r for r in result.rows if r["status"] not in ("passed", "findings")]
    assert not bad, bad
    return result.seconds, reports(out)


def in_process(paths: list[Path]) -> tuple[float, dict[str, bytes]]:
    from drawcheck.batch.runner import discover
    from drawcheck.pipeline import check

    subs, _ = discover(paths)
    start = time.perf_counter()
    texts = {s.name: check(s.path).to_json().encode("utf-8") for s in subs}
    return time.perf_counter() - start, texts


def stop_fork_server() -> None:
    """Stop multiprocessing's fork server (private, used by CPython's own tests), so the next batch starts it."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def warm_up_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import drawcheck.batch.warm"], check=True)
    return time.perf_counter() - start


def bare_child() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import drawcheck.pipeline, drawcheck.rules.registry, ezdxf, shapely, numba"],
                   check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each configuration (median reported)")
    parser.add_argument("--generated", type=int, default=200, help="size of the generated set")
    parser.add_argument("--quick", action="store_true", help="40 generated submissions, 1 run each")
    parser.add_argument("--no-dask", action="store_true", help="skip the LocalCluster rows")
    args = parser.parse_args()
    if args.quick:
        args.generated, args.repeats = 40, 1
    warnings.simplefilter("ignore", RuntimeWarning)
    cores = os.cpu_count() or 1
    job_counts = sorted({1, 2, cores})
    generated = generate(args.generated)
    DATA.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-batch-", dir=DATA))
    clusters = {}  # label -> (cluster, client)
    if not args.no_dask:
        try:
            import dask
            from distributed import Client, LocalCluster

            for label, daemon in (("dask LocalCluster 2x1 (daemonic workers: spawned)", True),
                                  ("dask LocalCluster 2x1, worker.daemon=False (forked)", False)):
                with dask.config.set({"distributed.worker.daemon": daemon}):
                    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                           silence_logs=40)
                clusters[label] = (cluster, Client(cluster))
        except ImportError:
            clusters = {}
    try:
        sets = [("samples (4)", list_file(SAMPLES, scratch), SAMPLES),
                (f"generated ({args.generated})", generated, [generated])]
        rows = []
        from drawcheck import check

        check(SAMPLES[0])  # warm this process (numba cache) for the in-process rows
        from drawcheck.batch.runner import Options

        spawned = Options(spawn=True)
        for label, source, paths in sets:
            configs = [(f"local forked, --jobs {j}", {"jobs": j}) for j in job_counts]
            configs += [(f"local spawned (--spawn), --jobs {j}", {"jobs": j, "options": spawned}) for j in job_counts]
            configs += [(label, {"dask": client}) for label, (_, client) in clusters.items()]
            reference = None
            times: dict[str, list[float]] = {c: [] for c, _ in configs}
            times["in-process, sequential"] = []
            for _ in range(args.repeats):  # interleaved, so every configuration sees the same machine load
                for name, kwargs in configs:
                    if name.startswith("local forked"):
                        stop_fork_server()
                    seconds, got = timed_batch(source, scratch, name.replace(" ", "_").replace(",", ""), **kwargs)
                    reference = reference or got
                    assert got == reference, f"{name}: reports differ"
                    times[name].append(seconds)
                seconds, got = in_process(paths)
                assert got == reference, "in-process reports differ from the isolated ones"
                times["in-process, sequential"].append(seconds)
            n = len(reference)
            for name, values in times.items():
                med = statistics.median(values)
                rows.append((label, name, n, med, min(values), max(values), n / med))
            print(f"{label}: {n} submissions done", file=sys.stderr)
        bare = statistics.median(bare_child() for _ in range(max(3, args.repeats)))
        warm = statistics.median(warm_up_seconds() for _ in range(max(3, args.repeats)))
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"Machine: {machine()}")
    print(f"repeats: {args.repeats} (median, min-max)\n")
    print("| set | executor | submissions | median s (min-max) | submissions/s | s/submission |")
    print("|---|---|---:|---:|---:|---:|")
    for label, name, n, med, lo, hi, rate in rows:
        print(f"| {label} | {name} | {n} | {med:.2f} ({lo:.2f}-{hi:.2f}) | {rate:.2f} | {med / n:.3f} |")
    print()
    for label in dict.fromkeys(r[0] for r in rows):
        by = {r[1]: r for r in rows if r[0] == label}
        inproc = by["in-process, sequential"]
        for name in ("local forked, --jobs 1", "local spawned (--spawn), --jobs 1"):
            iso = by[name]
            print(f"{label}: {name}: isolation overhead {(iso[3] - inproc[3]) / iso[2]:.3f} s per submission "
                  f"(child {iso[3] / iso[2]:.3f} s vs in-process {inproc[3] / inproc[2]:.3f} s, "
                  f"{iso[3] / inproc[3]:.1f}x)")
    print(f"bare child start (python -c 'import drawcheck.pipeline, ezdxf, shapely, numba ...'): {bare:.3f} s")
    print(f"fork server warm-up, once per batch (python -c 'import drawcheck.batch.warm'): {warm:.3f} s")


if __name__ == "__main__":
    main()
