"""One child process per submission: started fresh, or forked from a warm server.

Two ways to start the child that checks one submission, with the same
answer protocol (:mod:`drawcheck.batch.worker`: one JSON header line, then
the report bytes) and the same budgets:

* ``forkserver`` (POSIX, the default where available): Python's
  :mod:`multiprocessing` fork server is started once per batch with
  :mod:`drawcheck.batch.warm` preloaded (ezdxf, shapely, numba, ifcopenshell
  imported and the numba kernels loaded from their cache), and forks one
  child per submission. The child pays none of the ~1.2 s start-up of a
  fresh interpreter, and is still its own process: a crash, a hang or a
  runaway allocation costs that child only.
* ``spawn``: ``python -m drawcheck.batch.worker`` through :mod:`subprocess`
  (Windows, and daemonic processes such as Dask's workers, which may not
  start multiprocessing children).

Either way the child leads its own process group, so a timeout kills
whatever it started too (the IFC geometry process).
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ChildOutcome", "kill_all", "method", "run_child"]

_live: set[int] = set()  # pids of running children (each leads its process group)
_live_lock = threading.Lock()
_context_lock = threading.Lock()
_context = None
# multiprocessing.Process is not thread-safe across threads: start() reaps the
# other children (it reads their exit status from their sentinels), so a
# join() running at the same time in another thread could read an empty pipe
# and report exit code 255. Every start and every status read holds this lock;
# waiting is done on the sentinels without it.
_process_lock = threading.Lock()


@dataclass(frozen=True)
class ChildOutcome:
    """What came back from one child: its answer (None if it gave none), stderr, exit code, timeout."""

    answer: bytes | None
    stderr: bytes
    returncode: int | None
    timed_out: bool


def method(spawn: bool = False) -> str:
    """``forkserver`` where this process may use it and ``spawn`` is not asked for, else ``spawn``."""
    if spawn:
        return "spawn"
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    if multiprocessing.current_process().daemon:
        return "spawn"
    return "forkserver"


def kill_pid(pid: int) -> None:
    """Kill a child and its process group (everything it started)."""
    try:
        if os.name == "posix":
            os.killpg(pid, signal.SIGKILL)
            return
    except (ProcessLookupError, PermissionError, OSError):
        pass  # not (yet) a group leader: kill the child alone
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def kill_all() -> None:
    """Kill every child still running (an interrupted batch)."""
    with _live_lock:
        pids = list(_live)
    for pid in pids:
        kill_pid(pid)


def _track(pid: int, running: bool) -> None:
    with _live_lock:
        (_live.add if running else _live.discard)(pid)


def child_env(threads: int) -> dict[str, str]:
    """The environment of a child: numba and BLAS pools sized so that jobs x threads <= cores."""
    env = dict(os.environ)
    env["NUMBA_NUM_THREADS"] = str(max(1, threads))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # BLAS pools count too
        env.setdefault(name, str(max(1, threads)))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_child(base: Path | str, job: dict, threads: int, timeout: float, *, spawn: bool = False) -> ChildOutcome:
    """Check ``job`` (its path relative to ``base``) in a child process; kill it after ``timeout`` s.

    ``spawn``: a fresh interpreter even where the warm fork server could be used.
    """
    if method(spawn) == "forkserver":
        return _run_forked(base, job, threads, timeout)
    return _run_spawned(base, job, threads, timeout)


# -- spawn: a fresh interpreter ----------------------------------------------------------------------------------


def _run_spawned(base: Path | str, job: dict, threads: int, timeout: float) -> ChildOutcome:
    cmd = [sys.executable, "-m", "drawcheck.batch.worker", json.dumps(job, ensure_ascii=False)]
    proc = subprocess.Popen(cmd, cwd=str(base), env=child_env(threads), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=os.name == "posix")
    _track(proc.pid, True)
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_pid(proc.pid)
            _, err = proc.communicate()
            return ChildOutcome(None, err, proc.returncode, True)
        finally:
            kill_pid(proc.pid)  # whatever it started and left behind
    finally:
        _track(proc.pid, False)
    return ChildOutcome(out or None, err, proc.returncode, False)


# -- forkserver: a fork of the warm server -------------------------------------------------------------------------


def _fork_context(threads: int):
    """The fork-server context, its server running with :mod:`drawcheck.batch.warm` preloaded.

    The server takes this process's environment when it starts, so it is
    started here with the BLAS pools sized for the children (this process's
    own environment is restored); numba's pool is sized per child
    (``numba.set_num_threads``).
    """
    from multiprocessing import forkserver

    global _context
    with _context_lock:
        if _context is None:
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(["drawcheck.batch.warm"])
        sized = {k: v for k, v in child_env(threads).items() if k != "NUMBA_NUM_THREADS" and k not in os.environ}
        os.environ.update(sized)
        try:
            forkserver.ensure_running()  # a no-op while the server runs
        finally:
            for name in sized:
                del os.environ[name]
        return _context


def _run_forked(base: Path | str, job: dict, threads: int, timeout: float) -> ChildOutcome:
    from .worker import run_forked

    ctx = _fork_context(threads)
    receive, send = ctx.Pipe(duplex=False)
    fd, err_path = tempfile.mkstemp(prefix="drawcheck-child-", suffix=".stderr")  # the child's stdout and stderr
    os.close(fd)
    try:
        child = ctx.Process(target=run_forked, args=(job, str(base), threads, send, err_path), name="drawcheck-check")
        with _process_lock:
            child.start()
        send.close()  # the child holds the only writer: end of file when it dies
        _track(child.pid, True)
        answer, timed_out, lingered = None, False, False
        try:
            if receive.poll(timeout):
                try:
                    answer = receive.recv_bytes()
                except (EOFError, OSError):  # it died before answering
                    answer = None
            else:
                timed_out = True
                kill_pid(child.pid)
            exited = multiprocessing.connection.wait([child.sentinel], timeout=None if timed_out else 30)
            lingered = answer is not None and not exited  # answered, then stuck on its way out
        finally:
            kill_pid(child.pid)  # whatever it started and left behind
            multiprocessing.connection.wait([child.sentinel])
            with _process_lock:
                child.join()
            _track(child.pid, False)
            receive.close()
        stderr = Path(err_path).read_bytes()
    finally:
        os.unlink(err_path)
    return ChildOutcome(answer, stderr, 0 if lingered else child.exitcode, timed_out)
