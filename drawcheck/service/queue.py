"""The check queue, kept in the database: workers claim jobs, check in isolated children, store reports.

Each of ``--jobs`` worker threads claims the oldest queued job (PostgreSQL:
``FOR UPDATE SKIP LOCKED``, so several service instances share one queue;
SQLite: one ``UPDATE ... RETURNING``, atomic under SQLite's single writer),
checks the submission through the batch runner's isolation
(:func:`drawcheck.batch.runner.run_isolated`: a child forked from a warm
server, with the batch's wall-time and memory budgets) or on a Dask cluster,
and writes the report JSON under ``--data``. A job records who claimed it
(``host:pid``); on start, jobs left ``running`` by a process of this host
that no longer exists, or claimed longer ago than twice the check timeout by
any host, are queued again. A job interrupted :data:`MAX_ATTEMPTS` times
fails instead of taking the service down again.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..batch import runner
from ..review import diff as review_diff
from . import metrics
from .db import Decision, Job, Submission
from .ops import REPORT_NAME, review_of, today
from .users import now

log = logging.getLogger("drawcheck.service")

MAX_ATTEMPTS = 3
POLL_SECONDS = 0.5  #: how often an idle worker looks for jobs queued by another instance


def me() -> str:
    """This process as a claimant: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_target(folder: Path) -> runner.Submission:
    """What to check in an upload folder: the folder holding ``drawcheck.toml``, else a lone drawing, else the folder."""
    manifests = sorted(folder.rglob(runner.MANIFEST_NAME), key=lambda p: (len(p.parts), str(p)))
    if manifests:
        return runner.Submission("submission", str(folder), "dir", manifests[0].parent)
    drawings = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix.lower() in runner.DRAWING_SUFFIXES]
    if len(drawings) == 1:
        return runner.Submission("submission", str(folder), "file", drawings[0])
    return runner.Submission("submission", str(folder), "dir", folder)


class Queue:
    """``jobs`` worker threads over the database's job table (see the module docstring)."""

    def __init__(self, engine: Engine, data: Path, service, *, jobs: int, options: runner.Options | None = None,
                 dask: str | None = None):
        self.engine, self.data, self.service = engine, Path(data), service
        self.jobs = max(1, jobs)
        self.options = options or runner.Options()
        self.dask = dask
        self.threads = runner.numba_threads(self.jobs)
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._client = None
        self.postgres = engine.dialect.name == "postgresql"

    # -- life cycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Queue again what a dead process left running, then start the workers."""
        self.resume()
        if self.dask:
            from distributed import Client

            self._client = Client(self.dask, timeout="60s")
        for n in range(self.jobs):
            t = threading.Thread(target=self._work, name=f"drawcheck-queue-{n}", daemon=True)
            t.start()
            self._workers.append(t)

    def stop(self) -> None:
        """Stop the workers; checks in progress are stopped and their jobs queued again."""
        self._stop.set()
        self.service.queued.set()
        runner.kill_all()
        for t in self._workers:
            t.join(timeout=30)
        with Session(self.engine) as s:
            s.execute(update(Job).where(Job.status == "running", Job.claimed_by == me())
                      .values(status="queued", claimed_by=None, claimed=None))
            s.commit()
        if self._client is not None:
            self._client.close()

    def resume(self) -> int:
        """Queue again the jobs whose claimant is gone; returns how many."""
        host = socket.gethostname()
        stale_before = (datetime.now(timezone.utc) - timedelta(seconds=2 * self.options.timeout + 60)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        again = 0
        with Session(self.engine) as s:
            for job in s.scalars(select(Job).where(Job.status == "running")):
                claimant_host, _, pid = (job.claimed_by or ":").rpartition(":")
                gone = (claimant_host == host and (not pid.isdigit() or int(pid) == os.getpid() or not _alive(int(pid))))
                if not gone and (job.claimed or "") >= stale_before:
                    continue
                sub = s.get(Submission, job.submission_id)
                if job.attempts >= MAX_ATTEMPTS:
                    job.status = sub.status = "failed"
                    sub.error = f"the check was interrupted {job.attempts} times (the service stopped during it); not retried"
                    sub.exit_code, sub.finished = 2, now()
                else:
                    job.status, job.claimed_by, job.claimed = "queued", None, None
                    sub.status, sub.started = "queued", None
                    again += 1
            s.commit()
        if again:
            log.info("resumed %d interrupted check(s)", again)
        return again

    # -- workers ------------------------------------------------------------------------------------------------

    def claim(self) -> tuple[int, int] | None:
        """Claim the oldest queued job: (job id, submission id), or None when the queue is empty."""
        lock = " FOR UPDATE SKIP LOCKED" if self.postgres else ""
        stmt = text("UPDATE jobs SET status = 'running', claimed_by = :me, claimed = :now, attempts = attempts + 1 "
                    "WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1" + lock + ") "
                    "RETURNING id, submission_id")
        with Session(self.engine) as s:
            # a read first: an idle poll takes no write lock (SQLite has one writer for everyone)
            if s.execute(text("SELECT 1 FROM jobs WHERE status = 'queued' LIMIT 1")).first() is None:
                return None
            s.rollback()
            row = s.execute(stmt, {"me": me(), "now": now()}).first()
            if row is None:
                s.rollback()
                return None
            s.execute(update(Submission).where(Submission.id == row[1]).values(status="running", started=now()))
            s.commit()
            return row[0], row[1]

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                claimed = self.claim()
            except Exception:  # the database is away for a moment: wait and retry
                log.exception("claiming a job failed")
                self._stop.wait(2.0)
                continue
            if claimed is None:
                if self.service.queued.wait(POLL_SECONDS):
                    self.service.queued.clear()
                continue
            try:
                self.run(*claimed)
            except Exception:
                log.exception("job %s failed", claimed[0])
                self._finish(claimed[0], claimed[1], {"status": "failed", "report": None, "seconds": None,
                                                      "error": "the service failed while storing the result"})

    def _check(self, target: runner.Submission) -> dict:
        if self._client is None:
            return runner.run_isolated(target.base, target.arg, self.options, self.threads)
        from ..batch.dask_executor import _payload, check_remote

        payload, _ = _payload(target, shared_path=False)
        future = self._client.submit(check_remote, payload, self.options, pure=False)
        try:
            return future.result()
        except Exception as exc:
            return {"status": "failed", "report": None, "seconds": None,
                    "error": f"the cluster lost the task: {type(exc).__name__}: {' '.join(str(exc).split())}"}

    def run(self, job_id: int, sid: int) -> None:
        """Check submission ``sid`` and store its result (unless the service is stopping)."""
        with Session(self.engine) as s:
            upload_dir = s.get(Submission, sid).upload_dir
        result = self._check(check_target(self.data / upload_dir / "files"))
        if self._stop.is_set():
            return  # killed by stop(): the job is queued again
        self._finish(job_id, sid, result)

    def _finish(self, job_id: int, sid: int, result: dict) -> None:
        with Session(self.engine) as s:
            sub, job = s.get(Submission, sid), s.get(Job, job_id)
            report = None
            if result["status"] == "report":
                rel = f"{sub.upload_dir}/{REPORT_NAME}"
                path = self.data / rel
                tmp = path.with_name(path.name + ".tmp")
                tmp.write_text(result["report"], encoding="utf-8")
                tmp.replace(path)
                report = json.loads(result["report"])
                sub.report_path, sub.status, sub.error = rel, "done", None
                sub.summary = report["summary"]
                sub.exit_code = runner.exit_code_of(report["summary"], self.options.fail_on)
            else:
                sub.status, sub.error, sub.exit_code = "failed", result.get("error") or result["status"], 2
            sub.seconds = result.get("seconds")
            sub.finished = now()
            job.status = sub.status
            if report is not None:
                self._carry_over(s, sub, report)
            metrics.mark_if_superseded(s, sub, report, today())
            s.commit()

    def _carry_over(self, s: Session, sub: Submission, report: dict) -> None:
        """Carry the previous round's decisions to this round's matching findings (as ``drawcheck diff --carry-over``)."""
        if sub.round == 1:
            return
        previous = s.scalar(select(Submission).where(Submission.project_id == sub.project_id,
                                                     Submission.round == sub.round - 1))
        if previous is None or previous.status != "done":
            return
        old = self.service.reports.get(previous)
        diff = review_diff.diff_reports(old, report, review_of(s, previous, old), today=today())
        current = review_of(s, sub, report)
        known = set(current["decisions"])
        review, _ = review_diff.carry_over(diff, report, Path(sub.report_path), current)
        for fp, entry in review["decisions"].items():
            if fp not in known:
                s.add(Decision(submission_id=sub.id, fingerprint=fp, entry=entry))
