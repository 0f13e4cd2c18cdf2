"""The review service's database layer (drawcheck/service/db.py) on SQLite."""

import pytest

pytest.importorskip("sqlalchemy", reason="sqlalchemy not installed (service extra)")

from sqlalchemy import inspect, text  # noqa: E402
from sqlalchemy.exc import IntegrityError  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from drawcheck.service import db  # noqa: E402

TABLES = {"users", "tokens", "projects", "submissions", "decisions", "comments", "audit_log", "jobs"}


def test_database_url_defaults_to_sqlite_under_data(tmp_path):
    assert db.database_url(tmp_path, None) == f"sqlite:///{tmp_path.resolve()}/drawcheck.db"
    assert db.database_url(tmp_path, "postgresql://u:p@h/d") == "postgresql+psycopg://u:p@h/d"


def test_sqlite_schema_wal_and_foreign_keys(tmp_path):
    engine = db.make_engine(db.database_url(tmp_path, None))
    db.create_schema(engine)
    assert (tmp_path / "drawcheck.db").is_file()
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with Session(engine) as s:
        s.add(db.Token(user_id=999, digest="0" * 64, created="2026-01-01T00:00:00Z"))
        with pytest.raises(IntegrityError):  # no user 999: the foreign key holds
            s.commit()


def test_one_round_number_per_project(tmp_path):
    engine = db.make_engine(db.database_url(tmp_path, None))
    db.create_schema(engine)
    now = "2026-01-01T00:00:00Z"
    with Session(engine) as s:
        u = db.User(name="anna", role="applicant", password_hash="x", created=now)
        s.add(u)
        s.flush()
        p = db.Project(name="某住宅地块", owner_id=u.id, created=now)
        s.add(p)
        s.flush()
        s.add(db.Submission(project_id=p.id, round=1, upload_dir="u/1", uploaded_by=u.id, uploaded=now))
        s.commit()
        s.add(db.Submission(project_id=p.id, round=1, upload_dir="u/2", uploaded_by=u.id, uploaded=now))
        with pytest.raises(IntegrityError):
            s.commit()


def test_postgresql_schema_and_constraints():
    from service_pg import start

    url, stop = start()
    try:
        engine = db.make_engine(db.database_url(None, url))
        db.create_schema(engine)
        assert TABLES <= set(inspect(engine).get_table_names())
        with Session(engine) as s:
            s.add(db.Token(user_id=999, digest="0" * 64, created="2026-01-01T00:00:00Z"))
            with pytest.raises(IntegrityError):
                s.commit()
        engine.dispose()
    finally:
        stop()


def _migrated_matches_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    db.migrate(engine)
    db.migrate(engine)  # a second start changes nothing
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        diffs = compare_metadata(MigrationContext.configure(conn), db.Base.metadata)
    assert diffs == []


def test_alembic_migration_equals_models_sqlite(tmp_path):
    _migrated_matches_models(db.make_engine(db.database_url(tmp_path, None)))


def test_alembic_migration_equals_models_postgresql():
    from service_pg import start

    url, stop = start()
    try:
        engine = db.make_engine(db.database_url(None, url))
        _migrated_matches_models(engine)
        engine.dispose()
    finally:
        stop()


def _audit_is_append_only(engine) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (who, role, \"when\", what) VALUES ('a', 'admin', 't', '{}')"))
    for statement in ("UPDATE audit_log SET who = 'b'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT who FROM audit_log")).scalars().all() == ["a"]


def test_audit_log_refuses_update_and_delete_on_sqlite(tmp_path):
    from drawcheck.service.db import database_url, make_engine, migrate

    engine = make_engine(database_url(tmp_path, None))
    migrate(engine)
    _audit_is_append_only(engine)


def test_audit_log_refuses_update_and_delete_on_postgresql():
    from service_pg import start

    from drawcheck.service.db import make_engine, migrate, database_url

    url, stop = start()
    try:
        engine = make_engine(database_url(None, url))
        migrate(engine)
        _audit_is_append_only(engine)
        engine.dispose()
    finally:
        stop()
