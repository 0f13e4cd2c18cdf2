"""The review service's database: SQLAlchemy 2 models and engine creation.

SQLite (the default, one file under ``--data``) runs in WAL mode with
foreign keys on; PostgreSQL is given by URL. Times are UTC ISO-8601 strings
written by the service (so SQLite and PostgreSQL answer identically).
The service creates and upgrades its schema with Alembic (:func:`migrate`,
``migrations/``); :func:`create_schema` is for tests only.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Base of every table."""


class User(Base):
    """A person or system with a role; reviewers have a department."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(String(40), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[str] = mapped_column(String(32))


class Token(Base):
    """An API token, stored as the hex sha256 of the secret only."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[str] = mapped_column(String(32))
    revoked: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Project(Base):
    """A project (one site) owned by an applicant; its submissions are its rounds."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(400))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created: Mapped[str] = mapped_column(String(32))


class Submission(Base):
    """One round of a project: uploaded files, check status and report (paths relative to --data)."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("project_id", "round"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    round: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued/running/done/failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    upload_dir: Mapped[str] = mapped_column(String(400))
    report_path: Mapped[str | None] = mapped_column(String(400), nullable=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded: Mapped[str] = mapped_column(String(32))
    started: Mapped[str | None] = mapped_column(String(32), nullable=True)
    finished: Mapped[str | None] = mapped_column(String(32), nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  #: check time, s
    #: Set once a later round is uploaded (or, if this round was not checked by then, when its check ends):
    #: whether this round was returned, and the rules of the error findings that caused it (one per finding).
    returned: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    return_rules: Mapped[list | None] = mapped_column(JSON, nullable=True)


class Decision(Base):
    """The decision in force on one finding (by fingerprint) of a submission; history is in audit_log."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("submission_id", "fingerprint"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    fingerprint: Mapped[str] = mapped_column(String(128))
    entry: Mapped[dict] = mapped_column(JSON)  # the review-file entry of docs/review.md


class Comment(Base):
    """A comment on a submission, optionally on one finding."""

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    fingerprint: Mapped[str | None] = mapped_column(String(128), nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created: Mapped[str] = mapped_column(String(32))


class AuditEntry(Base):
    """Append-only: who (name, role), when, what was done and what stood before."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    who: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    when: Mapped[str] = mapped_column(String(32))
    what: Mapped[dict] = mapped_column(JSON)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Job(Base):
    """The check queue: one job per submission, claimed by a worker (pid) of a service instance."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued/running/done/failed
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)  # host:pid
    claimed: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class WebSession(Base):
    """A browser login: the sha256 of the cookie's secret, its user, its CSRF token and expiry (UTC ISO)."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    created: Mapped[str] = mapped_column(String(32))
    expires: Mapped[str] = mapped_column(String(32))


def decision_entries(session, submission_id: int) -> dict[str, dict]:
    """The decisions of a submission: fingerprint -> review-file entry, in the order they were first made."""
    from sqlalchemy import select

    rows = session.scalars(select(Decision).where(Decision.submission_id == submission_id).order_by(Decision.id))
    return {row.fingerprint: row.entry for row in rows}


def database_url(data: Path, url: str | None) -> str:
    """The database URL: ``url`` if given, else the SQLite file ``DATA/drawcheck.db``.

    ``postgresql://`` URLs are routed to the psycopg 3 driver.
    """
    if not url:
        return f"sqlite:///{Path(data).resolve() / 'drawcheck.db'}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet, without Alembic (tests only; the service uses :func:`migrate`)."""
    Base.metadata.create_all(engine)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on first start)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
