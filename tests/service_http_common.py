"""Shared pieces of the HTTP tests of ``drawcheck serve``: backends, CLI reference reports, round folders.

Every server here is a real ``drawcheck serve`` subprocess (:mod:`service_server`);
the PostgreSQL server is one per test module (:mod:`service_pg`), each
service gets a fresh database on it. Reference reports come from the CLI
(``drawcheck check DIR --format json --out OUT``) run as subprocesses.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

import service_pg
from service_server import ROOT, make_server

RESIDENTIAL = ROOT / "samples" / "residential"
COMPLIANT = ROOT / "samples" / "compliant"
_names = itertools.count(1)


def today() -> str:
    """Today in UTC, as the service dates decisions and judges waivers."""
    return datetime.now(timezone.utc).date().isoformat()


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m drawcheck ARGS`` with this worktree's package first on the path."""
    return subprocess.run([sys.executable, "-m", "drawcheck", *args], capture_output=True, cwd=cwd or ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)


def far_corrected(folder: Path) -> Path:
    """Round 2 of the residential sample: the declared FAR text corrected from 2.40 to 2.61 (nothing else)."""
    import ezdxf

    shutil.copytree(RESIDENTIAL, folder)
    doc = ezdxf.readfile(folder / "site.dxf")
    [far] = [e for e in doc.modelspace().query("TEXT") if e.dxf.text.startswith("容积率：")]
    far.dxf.text = "容积率：2.61"
    doc.saveas(folder / "site.dxf")
    return folder


def cli_reports(tmp: Path, folders: dict[str, Path]) -> dict[str, Path]:
    """``drawcheck check FOLDER --format json --out tmp/NAME`` for every folder (in parallel); name -> report.json."""
    procs = {}
    for name, folder in folders.items():
        out = tmp / f"cli-{name}"
        procs[name] = (out, subprocess.Popen([sys.executable, "-m", "drawcheck", "check", str(folder), "--format",
                                              "json", "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)}))
    reports = {}
    for name, (out, proc) in procs.items():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode in (0, 1), err.decode(errors="replace")
        reports[name] = out / "report.json"
    return reports


def zip_of(folder: Path, prefix: str) -> bytes:
    """A .zip of ``folder``'s files under ``prefix/`` (as a person zips a submission folder)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            if p.is_file():
                zf.write(p, f"{prefix}/{p.name}")
    return buf.getvalue()


def submission_files(folder: Path) -> list[Path]:
    """The files of a submission folder as an applicant uploads them: the drawing and drawcheck.toml."""
    return [folder / "site.dxf", folder / "drawcheck.toml"]


class PG:
    """The module's PostgreSQL server, started on first use (skips when impossible)."""

    def __init__(self):
        self.url, self._stop, self.skip = None, None, None

    def database(self) -> str:
        """A fresh database on the server; skips (once per module, same reason) where no server can start."""
        if self.skip:  # the first attempt's reason: PostgreSQL missing or refusing to start here
            pytest.skip(self.skip)
        if self.url is None:
            try:
                self.url, self._stop = service_pg.start()
            except pytest.skip.Exception as exc:
                self.skip = str(exc)
                raise
        return service_pg.new_database(self.url, f"dc_http_{os.getpid()}_{next(_names)}")

    def stop(self):
        if self._stop:
            self._stop()


@pytest.fixture(scope="module")
def pg():
    """The test module's PostgreSQL server (see :class:`PG`), stopped after the module."""
    server = PG()
    yield server
    server.stop()


def start(backend: str, pg: PG, tmp: Path, args: list[str] | None = None):
    """A started server on ``backend`` (``sqlite`` or ``postgresql``, a fresh database)."""
    db = pg.database() if backend == "postgresql" else None
    return make_server(tmp, db=db, args=args)


def db_engine(server):
    """A SQLAlchemy engine on the server's database (to look at rows the API does not show)."""
    from drawcheck.service.db import database_url, make_engine

    return make_engine(database_url(server.data, server.db))


def one_line_error(response) -> str:
    """The ``{"error": ...}`` of an error answer, after checking it is one line without traceback text."""
    body = response.json()
    assert set(body) == {"error"}, body
    text = body["error"]
    assert isinstance(text, str) and text and "\n" not in text, body
    assert "Traceback" not in response.text and 'File "' not in response.text, response.text
    return text


def report_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
