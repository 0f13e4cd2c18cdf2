"""A real ``drawcheck serve`` for the service tests: a subprocess on 127.0.0.1, a free port, a temp ``--data``.

Users are created in the database before the server starts (the same
:func:`drawcheck.service.users.add_user` that ``drawcheck users add`` calls;
the commands themselves are tested in ``test_service_users.py``). Tests talk
to the server over real HTTP with httpx.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed (pip install -e '.[service]')")
httpx = pytest.importorskip("httpx", reason="httpx (test extra) is not installed")

ROOT = Path(__file__).resolve().parents[1]
#: name -> (role, department) of the standard cast of the service tests.
CAST = {"alice": ("applicant", None), "bob": ("applicant", None), "fire1": ("reviewer", "fire"),
        "plan1": ("reviewer", "planning"), "green1": ("reviewer", "greening"), "boss": ("approver", None),
        "root": ("admin", None)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running service: its URL, data folder, database URL and one API token per user of :data:`CAST`."""

    data: Path
    db: str | None
    args: list[str]
    tokens: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    url: str = ""

    def client(self, user: str | None = None, **kw) -> httpx.Client:
        """An httpx client on the server, authenticated as ``user`` (None: no token)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kw)

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "drawcheck", "serve", "--data", str(self.data), "--port", str(port), *self.args]
        if self.db:
            cmd += ["--db", self.db]
        log = open(self.data.parent / f"serve-{port}.log", "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"drawcheck serve exited {self.proc.returncode}: "
                                   + (self.data.parent / f"serve-{port}.log").read_text(errors="replace")[-2000:])
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("drawcheck serve did not answer /healthz within 60 s")

    def stop(self) -> None:
        """Stop gracefully (SIGTERM, as a service manager does)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def kill(self) -> None:
        """Kill the service and every process it started (SIGKILL to its process group), as a crash would."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(30)
        self.proc = None

    def wait_done(self, sid: int, user: str = "root", timeout: float = 180) -> dict:
        """Poll a submission until its check is ``done`` or ``failed``; returns its JSON."""
        deadline = time.monotonic() + timeout
        with self.client(user) as c:
            while time.monotonic() < deadline:
                answer = c.get(f"/api/submissions/{sid}").json()
                if answer["status"] in ("done", "failed"):
                    return answer
                time.sleep(0.2)
        raise AssertionError(f"submission {sid} not checked within {timeout} s")


def make_server(tmp: Path, db: str | None = None, args: list[str] | None = None) -> Server:
    """Create the database with the :data:`CAST` users and their tokens, then start the server."""
    from drawcheck.service.db import database_url, make_engine, migrate
    from drawcheck.service.users import add_user, issue_token

    data = tmp / "data"
    data.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url(data, db))
    migrate(engine)
    server = Server(data, db, list(args or []))
    for name, (role, dept) in CAST.items():
        add_user(engine, name, role, dept, f"pw-{name}")
        server.tokens[name] = issue_token(engine, name)
    engine.dispose()
    server.start()
    return server


def upload(server: Server, user: str, pid: int, paths: list[Path]) -> httpx.Response:
    """Upload ``paths`` as one round of project ``pid``."""
    with server.client(user) as c:
        files = [("files", (p.name, p.read_bytes())) for p in paths]
        return c.post(f"/api/projects/{pid}/submissions", files=files)


def seed(server: Server, name: str, user: str = "alice") -> tuple[int, int, dict]:
    """A project ``name`` of ``user`` with samples/residential uploaded and checked: (project id, submission id, report)."""
    sample = ROOT / "samples" / "residential"
    with server.client(user) as c:
        pid = c.post("/api/projects", json={"name": name}).json()["id"]
    sid = upload(server, user, pid, [sample / "site.dxf", sample / "drawcheck.toml"]).json()["id"]
    assert server.wait_done(sid)["status"] == "done"
    with server.client(user) as c:
        return pid, sid, c.get(f"/api/submissions/{sid}/report").json()


def backends():
    """The database backends every HTTP test runs on: SQLite, and PostgreSQL when a server can be started."""
    return [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")]
