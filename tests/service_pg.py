"""A throwaway PostgreSQL server for the service tests (initdb + pg_ctl in a temp dir, free port).

PostgreSQL refuses to run as root, so as root the server runs as ``nobody``
(via ``runuser``). :func:`start` returns (url, stop) or raises
``pytest.skip`` with a one-line reason when no server can be started.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binaries() -> tuple[str, str] | None:
    """initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/VERSION/bin (newest first)."""
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return shutil.which("initdb"), shutil.which("pg_ctl")
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)],
                         reverse=True):
        initdb, pg_ctl = os.path.join(folder, "initdb"), os.path.join(folder, "pg_ctl")
        if os.path.exists(initdb) and os.path.exists(pg_ctl):
            return initdb, pg_ctl
    return None


def start():
    found = _binaries()
    if found is None:
        pytest.skip("PostgreSQL is not installed (initdb/pg_ctl; Debian: apt-get install postgresql)")
    initdb, pg_ctl = found
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


def new_database(url: str, name: str) -> str:
    """Create the empty database ``name`` on the server of ``url``; returns its URL."""
    import psycopg

    with psycopg.connect(url.replace("postgresql://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name
