"""User accounts of the review service: add a user, issue an API token (``drawcheck users``)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import auth
from .db import Token, User


class UserError(ValueError):
    """A user command cannot be done; the message is one line for the user."""


def now() -> str:
    """The current UTC time as ISO-8601 with seconds (``2026-01-01T00:00:00Z``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_user(engine: Engine, name: str, role: str, department: str | None, password: str) -> None:
    """Create user ``name``; reviewers need a department, other roles may not have one."""
    name = name.strip()
    if not name:
        raise UserError("a user name must not be empty")
    if role not in auth.ROLES:
        raise UserError(f"unknown role {role!r} (one of {', '.join(auth.ROLES)})")
    if role == "reviewer" and department not in auth.DEPARTMENTS:
        raise UserError(f"a reviewer needs --department, one of {', '.join(auth.DEPARTMENTS)}")
    if role != "reviewer" and department is not None:
        raise UserError("only reviewers have a department")
    if not password:
        raise UserError("empty password (give it on stdin, one line)")
    with Session(engine) as s:
        if s.scalar(select(User).where(User.name == name)) is not None:
            raise UserError(f"user {name!r} exists already")
        s.add(User(name=name, role=role, department=department,
                   password_hash=auth.hash_password(password), created=now()))
        s.commit()


def issue_token(engine: Engine, name: str) -> str:
    """A new API token for user ``name``; only its sha256 is stored."""
    token = auth.new_token()
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise UserError(f"no user {name!r}")
        s.add(Token(user_id=user.id, digest=auth.token_digest(token), created=now()))
        s.commit()
    return token


def user_of_token(engine: Engine, token: str | None) -> auth.Principal | None:
    """The user a bearer token belongs to, or None (unknown or revoked token)."""
    if not token:
        return None
    with Session(engine) as s:
        row = s.execute(select(User).join(Token, Token.user_id == User.id)
                        .where(Token.digest == auth.token_digest(token), Token.revoked.is_(None))).scalar()
        return None if row is None else auth.Principal(row.name, row.role, row.department)
