"""The review service under load: submissions per second through the API, and API latency under readers.

(a) Throughput: the generated set of ``bench_batch.py`` (copies of the
compliant plan as a single DXF and of the residential plan as a folder with
its manifest) uploaded through ``POST /api/projects/{id}/submissions`` by 4
client threads (one project per submission, multipart files) to a
``drawcheck serve`` started as a subprocess with ``--jobs 1`` and ``--jobs 2``,
timed from the first upload to the last submission ``done`` (the service is
warm: one submission is checked before the clock starts, as a long-running
service is). The same set through the ``drawcheck batch`` command with the
same jobs, timed as a whole process (interpreter start and the fork server's
warm-up included: that is what a permit system running the command pays).
Every API report must equal the batch's report for the same submission (checked).

(b) Latency: 20 concurrent reader threads, each ``--requests`` times in turn
``GET /api/projects``, ``/api/submissions/{id}``, ``/report``, ``/notice``
and ``/decisions`` on finished submissions, while nothing else runs;
p50/p95 per endpoint and overall, requests per second.

Both on SQLite (the default) and, with ``--postgres``, on a throwaway
PostgreSQL server started from Debian's binaries (``tests/service_pg.py``).

    python benchmarks/bench_service.py [--quick] [--count N] [--requests N] [--postgres]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench_batch import generate, reports
from common import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from service_server import make_server  # noqa: E402  (tests/service_server.py: a real server subprocess)


def submission_files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]


def upload_all(server, paths: list[Path], uploaders: int = 4) -> list[tuple[str, int]]:
    """Create one project per path and upload it; returns (submission name, submission id) pairs."""
    def one(path: Path) -> tuple[str, int]:
        with server.client("alice") as c:
            pid = c.post("/api/projects", json={"name": path.stem}).json()["id"]
            files = [("files", (p.name, p.read_bytes())) for p in submission_files(path)]
            answer = c.post(f"/api/projects/{pid}/submissions", files=files)
            assert answer.status_code == 202, answer.text
            return path.name, answer.json()["id"]

    with ThreadPoolExecutor(uploaders) as pool:
        return list(pool.map(one, paths))


def wait_all(server, sids: list[int]) -> None:
    with server.client("root") as c:
        pending = set(sids)
        while pending:
            for sid in list(pending):
                status = c.get(f"/api/submissions/{sid}").json()["status"]
                assert status != "failed", c.get(f"/api/submissions/{sid}").json()
                if status == "done":
                    pending.discard(sid)
            time.sleep(0.05)


def api_throughput(paths: list[Path], jobs: int, db: str | None, scratch: Path) -> tuple[float, dict[str, bytes]]:
    server = make_server(scratch, db, ["--jobs", str(jobs)])
    try:
        warm = upload_all(server, paths[:1], 1)
        wait_all(server, [sid for _, sid in warm])
        start = time.perf_counter()
        uploaded = upload_all(server, paths)
        wait_all(server, [sid for _, sid in uploaded])
        seconds = time.perf_counter() - start
        texts = {}
        with server.client("root") as c:
            for name, sid in uploaded:
                texts[name] = c.get(f"/api/submissions/{sid}/report").content
        return seconds, texts
    finally:
        server.stop()


def batch_throughput(source: Path, jobs: int, scratch: Path) -> tuple[float, dict[str, bytes]]:
    """``drawcheck batch SOURCE --jobs N`` as a whole process (start-up and warm-up included, as a user runs it)."""
    out = scratch / f"batch-{jobs}"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "drawcheck", "batch", str(source), "--out", str(out),
                           "--jobs", str(jobs), "--force"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert done.returncode in (0, 1), done.stderr
    by_folder = reports(out)
    return seconds, {path.name: by_folder[path.stem] for path in sorted(source.iterdir())}


def latency(db: str | None, scratch: Path, readers: int, requests: int) -> dict[str, list[float]]:
    server = make_server(scratch, db, ["--jobs", "2"])
    try:
        sids = [sid for _, sid in upload_all(server, [ROOT / "samples" / "residential", ROOT / "samples" / "compliant"])]
        wait_all(server, sids)
        paths = [("projects", "/api/projects")] + [(tail.strip("/") or "submission", f"/api/submissions/{sid}{tail}")
                                                   for sid in sids for tail in ("", "/report", "/notice", "/decisions")]
        times: dict[str, list[float]] = {}
        lock = threading.Lock()
        barrier = threading.Barrier(readers)

        def reader(n: int) -> None:
            mine: dict[str, list[float]] = {}
            user = ("alice", "fire1", "root")[n % 3]
            with server.client(user) as c:
                barrier.wait()
                for i in range(requests):
                    name, path = paths[(n + i) % len(paths)]
                    t0 = time.perf_counter()
                    answer = c.get(path)
                    mine.setdefault(name, []).append(time.perf_counter() - t0)
                    assert answer.status_code == 200, answer.text
            with lock:
                for name, ts in mine.items():
                    times.setdefault(name, []).extend(ts)
        start = time.perf_counter()
        threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        times["_wall"] = [wall]
        return times
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="submissions in the throughput set")
    parser.add_argument("--requests", type=int, default=50, help="requests per reader in the latency run")
    parser.add_argument("--readers", type=int, default=20, help="concurrent readers")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each throughput configuration (median)")
    parser.add_argument("--quick", action="store_true", help="12 submissions, 1 run, 20 requests per reader")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL server")
    args = parser.parse_args()
    if args.quick:
        args.count, args.repeats, args.requests = 12, 1, 20
    print(machine())
    source = generate(args.count)
    paths = sorted(source.iterdir())
    backends: list[tuple[str, str | None, object]] = [("SQLite", None, None)]
    if args.postgres:
        from service_pg import new_database, start

        url, stop = start()
        backends.append(("PostgreSQL", url, stop))
    try:
        with tempfile.TemporaryDirectory(prefix="dc-bench-service-") as tmp:
            scratch = Path(tmp)
            rows = []
            reference = None
            for jobs in (1, 2):
                runs = []
                for r in range(args.repeats):
                    seconds, texts = batch_throughput(source, jobs, scratch / f"b{jobs}-{r}")
                    reference = reference or texts
                    assert texts == reference, "batch reports differ between runs"
                    runs.append(seconds)
                rows.append((f"drawcheck batch, --jobs {jobs}", statistics.median(runs)))
                for label, url, _ in backends:
                    runs = []
                    for r in range(args.repeats):
                        db = new_database(url, f"bench_{jobs}_{r}") if url else None
                        seconds, texts = api_throughput(paths, jobs, db, scratch / f"a{label}{jobs}-{r}")
                        assert texts == reference, "an API report differs from the batch's"
                        runs.append(seconds)
                    rows.append((f"API ({label}), serve --jobs {jobs}", statistics.median(runs)))
            batch1 = rows[0][1]
            print(f"\n(a) {args.count} submissions, median of {args.repeats}; reports identical to the batch's")
            print(f"{'configuration':40s} {'s':>7s} {'subs/s':>7s} {'vs batch -j1':>12s}")
            for label, seconds in rows:
                print(f"{label:40s} {seconds:7.2f} {args.count / seconds:7.2f} {batch1 / seconds:11.2f}x")
            for label, url, _ in backends:
                db = new_database(url, "bench_latency") if url else None
                times = latency(db, scratch / f"lat-{label}", args.readers, args.requests)
                wall = times.pop("_wall")[0]
                every = [t for ts in times.values() for t in ts]
                print(f"\n(b) {label}: {args.readers} concurrent readers x {args.requests} requests, "
                      f"{len(every) / wall:.0f} requests/s")
                print(f"{'endpoint':14s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s}")
                for name, ts in sorted(times.items()) + [("all", every)]:
                    ts = sorted(ts)
                    p95 = ts[min(len(ts) - 1, int(round(0.95 * (len(ts) - 1))))]
                    print(f"{name:14s} {len(ts):5d} {1000 * statistics.median(ts):8.1f} {1000 * p95:8.1f}")
    finally:
        for _, _, stop in backends:
            if stop is not None:
                stop()


if __name__ == "__main__":
    main()
