"""The review service under stress over real HTTP: hostile and oversized uploads, a killed service resuming its
queue, 20 concurrent clients (issue 13). Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_http_common import (COMPLIANT, RESIDENTIAL, cli_reports, db_engine, one_line_error,  # noqa: F401
                                 pg, start, submission_files)  # pg: the module's PostgreSQL fixture
from service_server import backends, upload


@pytest.fixture(scope="module")
def refs(tmp_path_factory):
    return cli_reports(tmp_path_factory.mktemp("cli"), {"residential": RESIDENTIAL, "compliant": COMPLIANT})


def files_on_disk(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


@pytest.fixture(params=backends())
def small_server(request, pg, tmp_path):
    server = start(request.param, pg, tmp_path, ["--max-upload-mb", "1"])
    yield server
    server.stop()


def test_oversized_and_hostile_uploads(small_server, tmp_path):
    server = small_server
    with server.client("alice") as c:
        pid = c.post("/api/projects", json={"name": "hostile"}).json()["id"]
        url = f"/api/projects/{pid}/submissions"
        big = b"0" * (2 * 1024 * 1024)
        # 2 MB with Content-Length, then chunked (a generator body has no length)
        r = c.post(url, files=[("files", ("big.dxf", big))])
        assert r.status_code == 413, r.text
        one_line_error(r)
        boundary = b"xBOUNDARYx"

        def chunks():
            yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="big.dxf"\r\n\r\n'
            for _ in range(32):
                yield b"0" * 65536
            yield b"\r\n--" + boundary + b"--\r\n"

        r = c.post(url, content=chunks(), headers={"content-type": "multipart/form-data; boundary=xBOUNDARYx"})
        assert r.status_code == 413, r.text
        assert "content-length" not in {k.lower() for k in r.request.headers}  # it really went chunked
        one_line_error(r)
        assert not (server.data / "submissions").exists() or files_on_disk(server.data / "submissions") == set()

        # zip-slip: a member going up, an absolute one -> 400, nothing written outside --data
        outside = tmp_path / "evil.dxf"
        for member in ("../evil.dxf", "../../evil.dxf", str(outside), "/tmp/evil-abs.dxf"):
            r = c.post(url, files=[("files", ("x.zip", zipped({"site.dxf": b"0", member: b"evil"})))])
            assert r.status_code == 400, (member, r.text)
            one_line_error(r)
        assert not outside.exists() and not (server.data.parent / "evil.dxf").exists()
        assert not Path("/tmp/evil-abs.dxf").exists()
        assert not (server.data / "submissions").exists() or files_on_disk(server.data / "submissions") == set()

        # hostile multipart file names: stored under the server's folder, by base name only
        dxf = (COMPLIANT / "site.dxf").read_bytes()
        for n, name in enumerate(("../../x1.dxf", "/etc/passwd", "..\\..\\x3.dxf")):
            r = c.post(url, files=[("files", (name, dxf))])
            assert r.status_code == 202, (name, r.text)
            sid = r.json()["id"]
            stored = files_on_disk(server.data / "submissions" / str(sid) / "files")
            assert stored == {{0: "x1.dxf", 1: "passwd", 2: "x3.dxf"}[n]}
        assert Path("/etc/passwd").stat().st_size > 0 and not (server.data.parent.parent / "x1.dxf").exists()

        # a zip bomb: under the 1 MB upload limit, contents over the service's 1 GiB unzipped limit -> 413
        # (bzip2: deflate stops near 1:1030, so 1.1 GB of zeros would not fit in 1 MB)
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_BZIP2, compresslevel=9) as zf:
            with zf.open("site.dxf", "w", force_zip64=True) as member:
                for _ in range(1100):
                    member.write(b"\0" * (1 << 20))
        assert len(bomb.getvalue()) < 1024 * 1024
        r = c.post(url, files=[("files", ("bomb.zip", bomb.getvalue()))])
        assert r.status_code == 413, r.text
        one_line_error(r)

        # not multipart -> 400; bad JSON -> 400; all one-line JSON errors
        for r in (c.post(url, content=b"hello", headers={"content-type": "text/plain"}),
                  c.post(url, json={"files": "x"}),
                  c.post("/api/projects", content=b"{not json", headers={"content-type": "application/json"})):
            assert r.status_code == 400, r.text
            one_line_error(r)


@pytest.mark.parametrize("backend", [b.values[0] for b in backends()])
def test_killed_service_resumes_its_queue(backend, pg, refs, tmp_path):
    from drawcheck.service.db import Job, Submission

    server = start(backend, pg, tmp_path, ["--jobs", "1"])
    try:
        with server.client("alice") as c:
            pid = c.post("/api/projects", json={"name": "kill"}).json()["id"]
        sids = []
        for folder in (RESIDENTIAL, COMPLIANT, RESIDENTIAL, COMPLIANT):
            r = upload(server, "alice", pid, submission_files(folder))
            assert r.status_code == 202
            sids.append(r.json()["id"])
        with server.client("alice") as c:
            statuses = [c.get(f"/api/submissions/{s}").json()["status"] for s in sids]
        assert "queued" in statuses  # one worker: the later rounds are still waiting
        server.kill()
        server.start()
        for sid in sids:
            assert server.wait_done(sid)["status"] == "done"
        with server.client("alice") as c:
            for sid, folder in zip(sids, ("residential", "compliant", "residential", "compliant")):
                assert c.get(f"/api/submissions/{sid}/report").content == refs[folder].read_bytes()
            rounds = [p["rounds"] for p in c.get("/api/projects").json()]
        assert [[r["round"] for r in rs] for rs in rounds] == [[1, 2, 3, 4]]
        engine = db_engine(server)
        with Session(engine) as s:
            jobs = [(j.submission_id, j.status) for j in s.scalars(select(Job).order_by(Job.id))]
            subs = sorted(s.scalars(select(Submission.id)))
        engine.dispose()
        assert jobs == [(sid, "done") for sid in sids] and subs == sids
    finally:
        server.stop()


@pytest.mark.parametrize("backend", [b.values[0] for b in backends()])
def test_twenty_concurrent_clients_lose_nothing(backend, pg, tmp_path):
    server = start(backend, pg, tmp_path)
    try:
        files = submission_files(COMPLIANT)

        def client(n: int):
            user = "alice" if n % 2 else "bob"
            with server.client(user) as c:
                r = c.post("/api/projects", json={"name": f"c{n}"})
                assert r.status_code == 201, r.text
                pid = r.json()["id"]
                answers = [r.status_code]
                for _ in range(1 + n % 2):
                    r = c.post(f"/api/projects/{pid}/submissions",
                               files=[("files", (p.name, p.read_bytes())) for p in files])
                    answers.append(r.status_code)
                    answers.append(c.get("/api/projects").status_code)
                return pid, answers, [x["id"] for x in [r.json()]]

        with ThreadPoolExecutor(20) as pool:
            results = list(pool.map(client, range(20)))
        assert all(code in (200, 201, 202) for _, answers, _ in results for code in answers)
        with server.client("root") as c:
            listed = c.get("/api/projects").json()
        assert len(listed) == 20 and sorted(p["id"] for p in listed) == sorted(pid for pid, _, _ in results)
        for project in listed:
            n = int(project["name"][1:])
            assert [r["round"] for r in project["rounds"]] == list(range(1, 2 + n % 2))
            for r in project["rounds"]:
                assert server.wait_done(r["id"])["status"] == "done"
    finally:
        server.stop()
