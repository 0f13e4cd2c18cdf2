"""What the review service does, written once for both front doors (the JSON API and the pages).

Every operation takes the authenticated :class:`~drawcheck.service.auth.Principal`
(or None), asks :func:`~drawcheck.service.auth.check` once, and returns plain
JSON-ready data or raises :class:`ServiceError` with the HTTP status and a
one-line message. Reports, notices, diffs and review entries come from
:mod:`drawcheck.review`: the service stores and serves, it does not judge.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections import OrderedDict
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..review import ReviewError
from ..review import decisions as review_decisions
from ..review import diff as review_diff
from ..review import notice as review_notice
from . import auth, metrics, storage
from .db import AuditEntry, Comment, Decision, Job, Project, Submission, User, decision_entries
from .users import now

#: Upload folder of submission ``sid`` under ``--data`` (relative, as stored in the database).
SUBMISSIONS_DIR = "submissions"
REPORT_NAME = "report.json"


class ServiceError(Exception):
    """A request cannot be served: ``status`` is the HTTP status, ``str()`` one line for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def today() -> date:
    """Today's date in UTC (decision dates, waiver expiry)."""
    return datetime.now(timezone.utc).date()


_MESSAGES = {401: "no valid API token (Authorization: Bearer TOKEN)", 404: "no such project"}


def allow(user: auth.Principal | None, action: str, *, owner: str | None = None,
          department: str | None = None, what: str = "") -> None:
    """Raise :class:`ServiceError` unless ``user`` may do ``action`` (see :func:`auth.check`)."""
    status = auth.check(user, action, project_owner=owner, finding_department=department)
    if status == 200:
        return
    if status == 403:
        who = f"{user.role}" + (f" of {user.department}" if user.department else "")
        raise ServiceError(403, f"{'an' if who[0] in 'aeiou' else 'a'} {who} may not {what or action}")
    raise ServiceError(status, _MESSAGES.get(status, "not allowed"))


class Reports:
    """Finished reports by submission id, read once from ``--data`` (reports never change once written)."""

    def __init__(self, data: Path, size: int = 64):
        self.data, self.size = data, size
        self._cache: OrderedDict[int, dict] = OrderedDict()
        self._lock = threading.Lock()

    def text(self, sub: Submission) -> str:
        return (self.data / sub.report_path).read_text(encoding="utf-8")

    def get(self, sub: Submission) -> dict:
        with self._lock:
            if sub.id in self._cache:
                self._cache.move_to_end(sub.id)
                return self._cache[sub.id]
        report = json.loads(self.text(sub))
        with self._lock:
            self._cache[sub.id] = report
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return report


def submission_json(sub: Submission) -> dict:
    """A submission as the contract shows it (``error``/``exit_code``/``summary`` only when set)."""
    out = {"id": sub.id, "project": sub.project_id, "round": sub.round, "status": sub.status}
    for key in ("error", "exit_code", "summary"):
        if getattr(sub, key) is not None:
            out[key] = getattr(sub, key)
    return out


def review_of(s: Session, sub: Submission, report: dict) -> dict:
    """The review file (``docs/review.md``) of a submission, built from its decision rows."""
    review = review_decisions.new_review(report, REPORT_NAME, round=sub.round)
    review["decisions"].update(decision_entries(s, sub.id))
    return review


def audit(s: Session, user: auth.Principal, what: dict, before: dict | None = None) -> None:
    """Append one entry to the audit log (never updated, never deleted)."""
    s.add(AuditEntry(who=user.name, role=user.role, when=now(), what=what, before=before))


class Service:
    """The service's state: database engine, ``--data`` folder, report cache, queue wake-up."""

    def __init__(self, engine: Engine, data: Path, *, max_upload_bytes: int = storage.MAX_UPLOAD_BYTES):
        self.engine, self.data = engine, Path(data)
        self.max_upload_bytes = max_upload_bytes
        self.reports = Reports(self.data)
        self.queued = threading.Event()  #: set on every upload: wakes the queue's workers

    # -- lookups ------------------------------------------------------------------------------------------------

    def _user_row(self, s: Session, user: auth.Principal) -> User:
        return s.scalar(select(User).where(User.name == user.name))

    def _project(self, s: Session, user: auth.Principal | None, pid: int, action: str = "project.read",
                 what: str = "") -> Project:
        if user is None:
            raise ServiceError(401, _MESSAGES[401])
        project = s.get(Project, pid)
        if project is None:
            raise ServiceError(404, f"no project {pid}")
        allow(user, action, owner=s.get(User, project.owner_id).name, what=what)
        return project

    def _submission(self, s: Session, user: auth.Principal | None, sid: int) -> tuple[Submission, str]:
        """The submission ``sid`` and its project's owner, once ``user`` may read it."""
        if user is None:
            raise ServiceError(401, _MESSAGES[401])
        sub = s.get(Submission, sid)
        if sub is None:
            raise ServiceError(404, f"no submission {sid}")
        owner = s.get(User, s.get(Project, sub.project_id).owner_id).name
        status = auth.check(user, "project.read", project_owner=owner)
        if status != 200:
            raise ServiceError(404 if status == 404 else status, f"no submission {sid}")
        return sub, owner

    def _done_report(self, sub: Submission) -> dict:
        if sub.status != "done":
            raise ServiceError(409, f"submission {sub.id} has no report: its check is {sub.status}")
        return self.reports.get(sub)

    # -- projects and uploads -----------------------------------------------------------------------------------

    def create_project(self, user: auth.Principal | None, name: object) -> dict:
        allow(user, "project.create", what="create projects")
        if not isinstance(name, str) or not name.strip():
            raise ServiceError(422, "a project needs a non-empty \"name\"")
        if len(name) > 400:
            raise ServiceError(422, "a project name has at most 400 characters")
        with Session(self.engine) as s:
            project = Project(name=name.strip(), owner_id=self._user_row(s, user).id, created=now())
            s.add(project)
            s.commit()
            return {"id": project.id, "name": project.name, "owner": user.name}

    def projects(self, user: auth.Principal | None) -> list[dict]:
        """The projects ``user`` may see, oldest first, each with its rounds."""
        if user is None:
            raise ServiceError(401, _MESSAGES[401])
        with Session(self.engine) as s:
            q = select(Project, User.name).join(User, User.id == Project.owner_id).order_by(Project.id)
            if user.role == "applicant":
                q = q.where(User.name == user.name)
            rows = s.execute(q).all()
            subs: dict[int, list[dict]] = {}
            ids = [p.id for p, _ in rows]
            if ids:
                for sub in s.scalars(select(Submission).where(Submission.project_id.in_(ids))
                                     .order_by(Submission.project_id, Submission.round)):
                    subs.setdefault(sub.project_id, []).append(submission_json(sub))
            return [{"id": p.id, "name": p.name, "owner": owner, "created": p.created, "rounds": subs.get(p.id, [])}
                    for p, owner in rows]

    def project(self, user: auth.Principal | None, pid: int) -> dict:
        """One project with its rounds (the pages' project view)."""
        with Session(self.engine) as s:
            project = self._project(s, user, pid)
            owner = s.get(User, project.owner_id).name
            rounds = [submission_json(sub) for sub in s.scalars(
                select(Submission).where(Submission.project_id == pid).order_by(Submission.round))]
            return {"id": project.id, "name": project.name, "owner": owner, "created": project.created, "rounds": rounds}

    def may_upload(self, user: auth.Principal | None, pid: int) -> None:
        """Raise unless ``user`` may upload a round of project ``pid`` (asked before the body is received)."""
        with Session(self.engine) as s:
            self._project(s, user, pid, "submission.upload", what="upload submissions")

    def staging(self) -> Path:
        """A new empty folder under ``--data/tmp`` for one upload's incoming files."""
        root = self.data / "tmp"
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="upload-", dir=root))

    def upload(self, user: auth.Principal | None, pid: int, files: list[tuple[str, Path]], staging: Path) -> dict:
        """A new round of project ``pid`` from uploaded ``files`` ((client name, received file in ``staging``)).

        The files move to ``--data/submissions/SID/files`` under server-chosen
        names (a single ``.zip`` is extracted there) and the check is queued.
        ``staging`` is removed whatever happens.
        """
        try:
            self.may_upload(user, pid)
            if not files:
                raise ServiceError(400, "no files: send one or more multipart \"files\" fields")
            try:
                storage.store_files(files, staging / "files",
                                    max_unzipped=storage.unzipped_limit(self.max_upload_bytes))
            except storage.UploadError as exc:
                raise ServiceError(exc.status, str(exc)) from None
            with Session(self.engine) as s:
                for _attempt in range(20):
                    try:
                        sub = self._new_round(s, user, pid)
                        break
                    except IntegrityError:  # another upload took the round number: take the next
                        s.rollback()
                else:  # pragma: no cover - twenty uploads to one project at the same instant
                    raise ServiceError(409, "too many concurrent uploads to this project; try again")
                folder = self.data / sub.upload_dir
                shutil.rmtree(folder, ignore_errors=True)  # left by an upload whose commit failed
                folder.mkdir(parents=True)
                (staging / "files").rename(folder / "files")
                s.add(Job(submission_id=sub.id, status="queued", attempts=0))
                metrics.mark_previous_round(s, sub, self.reports, today())
                s.commit()
                answer = submission_json(sub)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.queued.set()
        return answer

    def _new_round(self, s: Session, user: auth.Principal, pid: int) -> Submission:
        last = s.scalar(select(func.max(Submission.round)).where(Submission.project_id == pid)) or 0
        sub = Submission(project_id=pid, round=last + 1, status="queued", upload_dir="",
                         uploaded_by=self._user_row(s, user).id, uploaded=now())
        s.add(sub)
        s.flush()
        sub.upload_dir = f"{SUBMISSIONS_DIR}/{sub.id}"
        s.flush()
        return sub

    def submission(self, user: auth.Principal | None, sid: int) -> dict:
        with Session(self.engine) as s:
            sub, _ = self._submission(s, user, sid)
            return submission_json(sub)

    def submission_page(self, user: auth.Principal | None, sid: int) -> dict:
        """Everything the submission page shows: the submission, its project, report, decisions and review state (when done)."""
        with Session(self.engine) as s:
            sub, owner = self._submission(s, user, sid)
            project = s.get(Project, sub.project_id)
            out = {"submission": submission_json(sub), "project": {"id": project.id, "name": project.name, "owner": owner},
                   "uploaded": sub.uploaded, "seconds": sub.seconds, "report": None, "status": None,
                   "has_previous": sub.round > 1, "decisions": {}}
            if sub.status == "done":
                report = self.reports.get(sub)
                review = review_of(s, sub, report)
                out.update(report=report, decisions=review["decisions"],
                           status=review_decisions.status(report, review, today()))
            return out

    def report_text(self, user: auth.Principal | None, sid: int) -> str:
        """The report JSON as ``drawcheck check`` wrote it (byte for byte)."""
        with Session(self.engine) as s:
            sub, _ = self._submission(s, user, sid)
            self._done_report(sub)
            return self.reports.text(sub)

    # -- decisions and comments ---------------------------------------------------------------------------------

    def decide(self, user: auth.Principal | None, sid: int, body: dict) -> dict:
        """Record ``accept``/``reject``/``waive`` (proposed) or ``approve_waiver`` on one finding; returns its entry."""
        if user is None:  # 401 before judging the body
            raise ServiceError(401, _MESSAGES[401])
        fingerprint, decision = body.get("finding"), body.get("decision")
        if not isinstance(fingerprint, str) or not fingerprint:
            raise ServiceError(422, "\"finding\" must be a finding's fingerprint")
        if decision not in ("accept", "reject", "waive", "approve_waiver"):
            raise ServiceError(422, "\"decision\" must be accept, reject, waive or approve_waiver")
        comment, expires = body.get("comment"), body.get("expires")
        if comment is not None and not isinstance(comment, str) or expires is not None and not isinstance(expires, str):
            raise ServiceError(422, "\"comment\" and \"expires\" are strings")
        with Session(self.engine) as s:
            sub, owner = self._submission(s, user, sid)
            report = self._done_report(sub)
            try:
                finding = review_decisions.find_finding(report, fingerprint=fingerprint)
            except ReviewError as exc:
                raise ServiceError(404, str(exc)) from None
            action = {"accept": "decision.decide", "reject": "decision.decide", "waive": "decision.waive",
                      "approve_waiver": "decision.approve_waiver"}[decision]
            allow(user, action, owner=owner, department=finding["department"],
                  what=f"{decision.replace('_', ' ')} {finding['department']} findings")
            review = review_of(s, sub, report)
            fp = finding["fingerprint"]
            before = review["decisions"].get(fp)
            try:
                if decision == "approve_waiver":
                    entry = review_decisions.approve_waiver(review, fp, approver=user.name, decided=today())
                else:
                    entry = review_decisions.record(
                        review, report, department=review_decisions.deciding_department(finding["department"]),
                        decision=decision, reviewer=user.name, fingerprint=fp, comment=comment,
                        expires=expires, decided=today(), proposed=decision == "waive")
            except ReviewError as exc:
                raise ServiceError(422, str(exc)) from None
            row = s.scalar(select(Decision).where(Decision.submission_id == sub.id, Decision.fingerprint == fp))
            if row is None:
                s.add(Decision(submission_id=sub.id, fingerprint=fp, entry=entry))
            else:
                row.entry = entry
            audit(s, user, {"action": "decision", "submission": sub.id, "round": sub.round, "finding": fp,
                            "decision": decision, "entry": entry}, before)
            s.commit()
            return {"fingerprint": fp, **entry}

    def decisions(self, user: auth.Principal | None, sid: int) -> dict:
        """The decisions by fingerprint (entries of the review file)."""
        with Session(self.engine) as s:
            sub, _ = self._submission(s, user, sid)
            return decision_entries(s, sub.id)

    def review(self, user: auth.Principal | None, sid: int) -> dict:
        """The whole review file of a done submission (``drawcheck review`` reads and writes the same)."""
        with Session(self.engine) as s:
            sub, _ = self._submission(s, user, sid)
            return review_of(s, sub, self._done_report(sub))

    def comment(self, user: auth.Principal | None, sid: int, body: dict) -> dict:
        if user is None:  # 401 before judging the body
            raise ServiceError(401, _MESSAGES[401])
        fingerprint, text = body.get("finding"), body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ServiceError(422, "a comment needs a non-empty \"text\"")
        if len(text) > 20_000:
            raise ServiceError(413, "a comment has at most 20000 characters")
        if fingerprint is not None and not isinstance(fingerprint, str):
            raise ServiceError(422, "\"finding\" must be a fingerprint or null")
        with Session(self.engine) as s:
            sub, owner = self._submission(s, user, sid)
            allow(user, "comment.write", owner=owner, what="comment")
            if fingerprint is not None:
                try:
                    fingerprint = review_decisions.find_finding(self._done_report(sub), fingerprint=fingerprint)["fingerprint"]
                except ReviewError as exc:
                    raise ServiceError(404, str(exc)) from None
            row = Comment(submission_id=sub.id, fingerprint=fingerprint, author_id=self._user_row(s, user).id,
                          text=text.strip(), created=now())
            s.add(row)
            s.flush()
            answer = {"id": row.id, "finding": fingerprint, "author": user.name, "role": user.role,
                      "text": row.text, "created": row.created}
            audit(s, user, {"action": "comment", "submission": sub.id, "round": sub.round, **answer})
            s.commit()
            return answer

    def comments(self, user: auth.Principal | None, sid: int) -> list[dict]:
        """The comment thread of a submission, oldest first."""
        with Session(self.engine) as s:
            sub, _ = self._submission(s, user, sid)
            rows = s.execute(select(Comment, User).join(User, User.id == Comment.author_id)
                             .where(Comment.submission_id == sub.id).order_by(Comment.id)).all()
            return [{"id": c.id, "finding": c.fingerprint, "author": u.name, "role": u.role, "text": c.text,
                     "created": c.created} for c, u in rows]

    # -- notice, diff, metrics ----------------------------------------------------------------------------------

    def notice(self, user: auth.Principal | None, sid: int) -> dict:
        """The one-time notice under the decisions in force today (``drawcheck notice --format json``)."""
        with Session(self.engine) as s:
            sub, _ = self._submission(s, user, sid)
            report = self._done_report(sub)
            return review_notice.build_notice(report, review_of(s, sub, report), round=sub.round, today=today())

    def diff(self, user: auth.Principal | None, sid: int) -> dict:
        """The diff with the previous round (``drawcheck diff --format json``); 404 on round 1."""
        with Session(self.engine) as s:
            sub, _ = self._submission(s, user, sid)
            if sub.round == 1:
                raise ServiceError(404, f"submission {sid} is round 1: there is no previous round to compare with")
            previous = s.scalar(select(Submission).where(Submission.project_id == sub.project_id,
                                                         Submission.round == sub.round - 1))
            old, new = self._done_report(previous), self._done_report(sub)
            return review_diff.diff_reports(old, new, review_of(s, previous, old), today=today())

    def metrics(self, user: auth.Principal | None) -> dict:
        allow(user, "metrics.read", what="read metrics")
        with Session(self.engine) as s:
            return metrics.summary(s)

    def metrics_details(self, user: auth.Principal | None) -> dict:
        """The metrics page: the contract's numbers plus rates per rule, rounds per project and check times."""
        allow(user, "metrics.read", what="read metrics")
        with Session(self.engine) as s:
            return metrics.details(s)
