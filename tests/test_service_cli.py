"""``drawcheck serve`` refuses what it cannot use with one line and exit code 2, before it starts."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from service_server import ROOT, free_port

pytest.importorskip("fastapi", reason="the service extra is not installed")


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drawcheck", "serve", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def assert_one_line(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drawcheck: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_data_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert_one_line(serve("--data", str(blocker / "data"), "--port", str(free_port())), "--data", "data")


def test_a_port_in_use(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert_one_line(serve("--data", str(tmp_path), "--port", str(port)), f"127.0.0.1:{port}")


def test_a_database_that_cannot_be_reached(tmp_path):
    assert_one_line(serve("--data", str(tmp_path), "--db", f"postgresql://nobody@127.0.0.1:{free_port()}/none",
                          "--port", str(free_port())), "database", "postgresql")
