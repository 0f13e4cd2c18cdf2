"""Browser logins of the pages: a random cookie secret (only its sha256 is stored) with a CSRF token and an expiry."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import auth
from .db import User, WebSession
from .users import now

COOKIE = "drawcheck_session"
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Login:
    """The user of a browser session and the session's CSRF token."""

    user: auth.Principal
    csrf: str


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def log_in(engine: Engine, name: str, password: str) -> str | None:
    """A new session's cookie secret when ``password`` is ``name``'s, else None (same answer for unknown users)."""
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.name == name.strip()))
        if user is None:
            auth.verify_password(auth.hash_password("not a user"), password)  # the same time as a real check
            return None
        if not auth.verify_password(user.password_hash, password):
            return None
        secret = secrets.token_urlsafe(32)
        s.execute(delete(WebSession).where(WebSession.expires < now()))
        s.add(WebSession(digest=auth.token_digest(secret), user_id=user.id, csrf=secrets.token_urlsafe(32),
                         created=now(), expires=_stamp(datetime.now(timezone.utc) + LIFETIME)))
        s.commit()
        return secret


def session_of(engine: Engine, secret: str | None) -> Login | None:
    """The login of a cookie secret, or None (unknown or expired)."""
    if not secret:
        return None
    with Session(engine) as s:
        row = s.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                        .where(WebSession.digest == auth.token_digest(secret), WebSession.expires >= now())).first()
        if row is None:
            return None
        session, user = row
        return Login(auth.Principal(user.name, user.role, user.department), session.csrf)


def log_out(engine: Engine, secret: str | None) -> None:
    """End the session of a cookie secret (nothing when there is none)."""
    if secret:
        with Session(engine) as s:
            s.execute(delete(WebSession).where(WebSession.digest == auth.token_digest(secret)))
            s.commit()


def csrf_ok(expected: str, given: object) -> bool:
    """True when a form's CSRF token is the session's (constant-time comparison)."""
    return isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())
