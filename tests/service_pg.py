"""A throwaway PostgreSQL server for the service tests (initdb + pg_ctl in a temp dir, free port).

PostgreSQL refuses to run as root, so as root the server runs as ``nobody``
(via ``runuser``). :func:`start` returns (url, stop) or raises
``pytest.skip`` with a one-line reason when no server can be started.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start():
    initdb, pg_ctl = shutil.which("initdb") or "/usr/local/bin/initdb", shutil.which("pg_ctl") or "/usr/local/bin/pg_ctl"
    if not (os.path.exists(initdb) and os.path.exists(pg_ctl)):
        pytest.skip("PostgreSQL (initdb, pg_ctl) not installed")
    as_user: list[str] = []
    root = tempfile.mkdtemp(prefix="dc-pg-")
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root and runuser is missing: PostgreSQL refuses root")
        shutil.chown(root, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    port = _free_port()
    data = os.path.join(root, "db")
    run = lambda *a: subprocess.run(as_user + list(a), capture_output=True, text=True, timeout=120)  # noqa: E731
    r = run(initdb, "-D", data, "-A", "trust", "-U", "drawcheck")
    if r.returncode:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"initdb failed: {(r.stderr or r.stdout).strip().splitlines()[-1:]}")
    r = run(pg_ctl, "-D", data, "-o", f"-p {port} -k {root} -h 127.0.0.1", "-l", os.path.join(root, "log"), "-w", "start")
    if r.returncode:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {(r.stderr or r.stdout).strip().splitlines()[-1:]}")

    def stop():
        run(pg_ctl, "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)

    return f"postgresql://drawcheck@127.0.0.1:{port}/postgres", stop
