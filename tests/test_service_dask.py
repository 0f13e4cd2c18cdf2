"""``drawcheck serve --dask``: the queue's checks run on a Dask cluster, with the CLI's reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from service_server import ROOT, make_server, upload

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
import dask  # noqa: E402


def test_checks_on_a_dask_cluster_give_the_cli_report(tmp_path: Path):
    expected = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "drawcheck", "check", str(ROOT / "samples" / "residential"),
                    "--format", "json", "--out", str(expected)], cwd=ROOT, capture_output=True, check=False)
    # non-daemonic workers fork each check from their warm server (README "On a Dask cluster")
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=40)
    with cluster:
        server = make_server(tmp_path, args=["--dask", cluster.scheduler_address, "--jobs", "2"])
        try:
            with server.client("alice") as c:
                pid = c.post("/api/projects", json={"name": "dask"}).json()["id"]
            sample = ROOT / "samples" / "residential"
            sids = [upload(server, "alice", pid, [sample / "site.dxf", sample / "drawcheck.toml"]).json()["id"]
                    for _ in range(2)]
            for sid in sids:
                assert server.wait_done(sid)["status"] == "done"
                with server.client("alice") as c:
                    assert c.get(f"/api/submissions/{sid}/report").content == (expected / "report.json").read_bytes()
            # the cluster, not the service's own children, ran them: the scheduler moved their tasks
            with distributed.Client(cluster.scheduler_address) as client:
                moved = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)
            assert moved >= 2 * 3  # at least released -> waiting -> processing -> memory per task
        finally:
            server.stop()
