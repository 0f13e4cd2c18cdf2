"""The child process of a batch: one submission, one process.

A crash, a hang or a runaway allocation in a reader takes down this process
only. The parent (:mod:`drawcheck.batch.isolation`) starts it in the
submission's parent folder, with the path relative to it, so error messages
name the submission the same way on every machine and executor: forked from
the warm server (:func:`run_forked`) or as ``python -m drawcheck.batch.worker
JOB_JSON`` (:func:`main`).

The job holds ``path``, ``packs``, ``units``, ``limits``, ``strict_layers``, ``reader`` and ``memory_mb``.
The answer (:func:`answer_bytes`) is one JSON header line
(``{"status": "report"}``, or ``"unreadable"`` / ``"failed"`` with
``"error"``), then, for a report, the report JSON exactly as
:meth:`drawcheck.pipeline.Report.to_json` writes it (UTF-8): on the original
standard output of a spawned child, through a pipe from a forked one.
Anything a library prints goes to standard error instead.
"""

from __future__ import annotations

import json
import os
import sys


def limit_memory(memory_mb: int | None) -> None:
    """Cap this process's address space at ``memory_mb`` MiB (POSIX; a no-op elsewhere)."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits
        return
    limit = int(memory_mb) * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # not allowed here: run without the cap rather than not at all
        pass


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


#: Test hook: ``abort:PATH`` makes the child checking ``PATH`` (the job's path) die by SIGABRT,
#: as a crash in a native library would; the isolation tests use it.
FAULT_ENV = "DRAWCHECK_TEST_WORKER_FAULT"


def run_job(job: dict) -> tuple[dict, bytes]:
    """Check the submission of ``job``; return (header, report bytes or b"")."""
    import warnings

    if os.environ.get(FAULT_ENV) == f"abort:{job.get('path')}":
        os.abort()

    memory_mb = job.get("memory_mb")
    oom = f"out of memory: the check needed more than the memory budget of {memory_mb} MB (--memory-mb)"
    try:
        from drawcheck.pipeline import InputError, check
    except Exception as exc:  # noqa: BLE001 - a library that cannot load under the memory budget
        if memory_mb and (isinstance(exc, MemoryError) or _looks_like_memory(exc)):
            return {"status": "failed", "error": oom}, b""
        return {"status": "failed", "error": _one_line(f"internal error: {type(exc).__name__}: {exc}")}, b""
    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        report = check(job["path"], packs=job.get("packs") or None, units=job.get("units"),
                       limits=job.get("limits") or None, strict_layers=bool(job.get("strict_layers")),
                       reader=job.get("reader") or "auto")
        return {"status": "report"}, report.to_json().encode("utf-8")
    except InputError as exc:
        return {"status": "unreadable", "error": _one_line(exc)}, b""
    except MemoryError:
        return {"status": "failed", "error": oom}, b""
    except RecursionError:
        return {"status": "failed", "error": "internal error: RecursionError (the drawing nests too deeply)"}, b""
    except Exception as exc:  # noqa: BLE001 - the batch goes on; say what broke
        what = _one_line(f"{type(exc).__name__}: {exc}")
        if memory_mb and _looks_like_memory(exc):
            return {"status": "failed", "error": f"{oom} ({what})"}, b""
        return {"status": "failed", "error": f"internal error: {what}"}, b""


#: What a library (or the dynamic loader, "cannot allocate memory for thread-local data") says when the
#: address-space cap (RLIMIT_AS) stops an allocation or a mapping.
_MEMORY_HINTS = ("cannot allocate memory", "failed to map", "bad_alloc", "out of memory", "could not find/load shared object",
                 "errno 12", "enomem", "memoryerror")


def says_out_of_memory(text: str) -> bool:
    """True when an error message reads as the memory cap stopping an allocation."""
    lowered = text.lower()
    return any(h in lowered for h in _MEMORY_HINTS)


def _looks_like_memory(exc: BaseException) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, MemoryError) or says_out_of_memory(str(exc)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def answer_bytes(header: dict, body: bytes) -> bytes:
    """The answer a child gives its parent: the header as one JSON line, then the report bytes."""
    return json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + body


def run_forked(job: dict, base: str, threads: int, conn, err_path: str) -> None:
    """Entry point of a child forked from the warm server: check ``job`` from ``base``, answer on ``conn``.

    The child leads a new session (a timeout kills everything it started),
    writes anything printed to ``err_path``, and sizes numba's pool to ``threads``.
    """
    if os.name == "posix":
        os.setsid()
    fd = os.open(err_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.chdir(base)
    try:
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    except Exception:  # noqa: BLE001 - numba's pool size is an optimisation, not a condition
        pass
    limit_memory(job.get("memory_mb"))
    header, body = run_job(job)
    conn.send_bytes(answer_bytes(header, body))
    conn.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python -m drawcheck.batch.worker JOB_JSON\n")
        return 2
    job = json.loads(argv[0])
    # The answer channel is the original stdout; stray prints of any library go to stderr.
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    limit_memory(job.get("memory_mb"))
    answer.write(answer_bytes(*run_job(job)))
    answer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
