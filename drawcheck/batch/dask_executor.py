"""The cluster executor: the same isolated checks on a Dask distributed cluster.

``drawcheck batch SOURCE --out DIR --dask tcp://HOST:8786`` connects a
:class:`dask.distributed.Client` to a running scheduler and submits one task
per submission: :func:`check_remote` on some worker, which runs the same
:func:`drawcheck.batch.runner.run_isolated` child process as the local pool
(same wall-time and memory budget, numba threads = worker cores // worker
threads) and returns the report JSON text. Dask does the scheduling,
transport and retries; there is no scheduler, queue or RPC of drawcheck's own.

The files of a submission travel as bytes (``{relative path: bytes}``,
written by the worker into a scratch folder named like the submission, so
the report is byte-identical to a local run), or, with ``shared_path=True``,
the workers read them from the same path on a shared file system.
Submissions are handed out a few at a time (twice the cluster's threads in
flight), so a batch of thousands never holds all files in memory.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .runner import Options, Recorder, Submission, numba_threads, run_isolated, sha256_file, submission_files, unchanged

#: Payloads larger than this are scattered to the cluster before the task is submitted.
SCATTER_BYTES = 1_000_000


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        worker = get_worker()
        nthreads = getattr(getattr(worker, "state", None), "nthreads", None) or getattr(worker, "nthreads", 1)
        return numba_threads(int(nthreads))
    except Exception:  # not on a worker (tests calling it directly)
        return numba_threads(1)


def _scratch_parent() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except Exception:
        return None


def _safe_rel(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts) or "\\" in rel:
        raise ValueError(f"refusing the file name {rel!r}")
    return path


def check_remote(payload: dict, options: Options) -> dict:
    """Run on a Dask worker: materialise the submission if it came as bytes, check it in a child process.

    ``payload``: ``{"mode": "path", "base": ..., "arg": ...}`` (shared file
    system) or ``{"mode": "bytes", "kind", "folder", "arg", "files": {rel: bytes}}``.
    Returns the same dict as :func:`run_isolated`.
    """
    threads = _worker_threads()
    if payload["mode"] == "path":
        if not (Path(payload["base"]) / payload["arg"]).exists():
            return {"status": "unreadable", "report": None, "seconds": 0.0,
                    "error": f"{payload['arg']}: no such file or folder on worker (is the shared path mounted?)"}
        return run_isolated(payload["base"], payload["arg"], options, threads)
    with tempfile.TemporaryDirectory(prefix="drawcheck-batch-", dir=_scratch_parent()) as tmp:
        base = Path(tmp)
        # the submission gets its own name back, so messages and reports match a local run
        root = base / payload["folder"] if payload["kind"] != "file" else base
        root.mkdir(parents=True, exist_ok=True)
        for rel, data in payload["files"].items():
            target = root / _safe_rel(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return run_isolated(base, payload["arg"], options, threads)


def _payload(sub: Submission, shared_path: bool) -> tuple[dict, list[tuple[str, str]]]:
    """What a worker needs for ``sub``, and the (relative path, sha256) of its files."""
    import hashlib

    listed = submission_files(sub)
    if shared_path:
        return {"mode": "path", "base": str(sub.base), "arg": sub.arg}, [(rel, sha256_file(p)) for rel, p in listed]
    files, hashes = {}, []
    for rel, path in listed:
        data = path.read_bytes()
        files[rel] = data
        hashes.append((rel, hashlib.sha256(data).hexdigest()))
    folder = sub.path.name if sub.kind == "dir" else sub.path.parent.name
    return {"mode": "bytes", "kind": sub.kind, "folder": folder, "arg": sub.arg, "files": files}, hashes


def _connect(target):
    from distributed import Client

    if isinstance(target, Client):
        return target, False
    return Client(target, timeout="60s"), True


def run_dask(subs: Sequence[Submission], recorder: Recorder, options: Options, target, *, shared_path: bool = False,
             force: bool = False) -> None:
    """Check ``subs`` on the cluster at ``target`` (an address or a Client), recording each result as it comes."""
    from distributed import as_completed

    client, owned = _connect(target)
    try:
        threads = sum(client.nthreads().values()) or 1
        window = max(2, 2 * threads)
        pending = list(subs)
        in_flight = as_completed()
        meta: dict = {}

        def submit_next() -> bool:
            while pending:
                sub = pending.pop(0)
                start = time.perf_counter()
                folder = recorder.folder(sub)
                if not sub.path.exists():
                    recorder.record(sub, {"status": "unreadable", "report": None, "seconds": 0.0,
                                          "error": f"{sub.source}: no such file or folder"}, [])
                    continue
                payload, files = _payload(sub, shared_path)
                if not force and unchanged(folder, files, options):
                    recorder.record(sub, {"status": "unchanged", "report": None, "error": None,
                                          "seconds": time.perf_counter() - start}, files)
                    continue
                size = sum(len(b) for b in payload.get("files", {}).values())
                arg = client.scatter([payload])[0] if size > SCATTER_BYTES else payload  # one future, not one per key
                future = client.submit(check_remote, arg, options, pure=False, key=f"drawcheck-{sub.name}-{os.urandom(4).hex()}")
                meta[future.key] = (sub, files)
                in_flight.add(future)
                return True
            return False

        for _ in range(window):
            if not submit_next():
                break
        for future in in_flight:
            sub, files = meta.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # the worker itself died or the task was lost: name it, go on
                result = {"status": "failed", "report": None, "seconds": None,
                          "error": f"the cluster lost the task: {type(exc).__name__}: {' '.join(str(exc).split())}"}
            recorder.record(sub, result, files)
            future.release()
            submit_next()
    finally:
        if owned:
            client.close()
