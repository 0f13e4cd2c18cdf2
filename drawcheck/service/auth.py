"""Passwords, API tokens and the permission table of the review-service contract.

Every route asks :func:`check` once; the table :data:`PERMISSIONS` is the
contract's "Who may do what" as data. Answers are HTTP status codes:
200 (allowed), 401 (no user), 403 (not allowed), 404 (an applicant asking
about another applicant's project, which must look absent).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

ROLES = ("applicant", "reviewer", "approver", "admin")
DEPARTMENTS = ("planning", "fire", "greening", "traffic", "civil_defense")
#: Finding departments decided by another department (drawing-quality findings).
DECIDED_BY = {"qa": "planning"}


@dataclass(frozen=True)
class Principal:
    """An authenticated user: name, role and (reviewers only) department."""

    name: str
    role: str
    department: str | None = None


#: action -> roles allowed. ``own`` = applicants only on their own projects.
PERMISSIONS: dict[str, dict[str, str]] = {
    # action:            applicant  reviewer  approver  admin
    "project.create":   {"applicant": "yes", "reviewer": "no", "approver": "no", "admin": "yes"},
    "project.read":     {"applicant": "own", "reviewer": "yes", "approver": "yes", "admin": "yes"},
    "submission.upload": {"applicant": "own", "reviewer": "no", "approver": "no", "admin": "yes"},
    "decision.decide":  {"applicant": "no", "reviewer": "department", "approver": "no", "admin": "yes"},
    "decision.waive":   {"applicant": "no", "reviewer": "yes", "approver": "no", "admin": "yes"},
    "decision.approve_waiver": {"applicant": "no", "reviewer": "no", "approver": "yes", "admin": "yes"},
    "comment.write":    {"applicant": "own", "reviewer": "yes", "approver": "yes", "admin": "yes"},
    "metrics.read":     {"applicant": "no", "reviewer": "no", "approver": "no", "admin": "yes"},
    "users.manage":     {"applicant": "no", "reviewer": "no", "approver": "no", "admin": "yes"},
}


def decided_by(finding_department: str) -> str:
    """The department whose reviewers decide a finding of ``finding_department``."""
    return DECIDED_BY.get(finding_department, finding_department)


def check(user: Principal | None, action: str, *, project_owner: str | None = None,
          finding_department: str | None = None) -> int:
    """The HTTP status for ``user`` doing ``action``: 200, 401, 403 or 404.

    ``project_owner`` is the owner of the project concerned (None when the
    action concerns no project); ``finding_department`` the department of the
    finding decided. Reading a project is checked before the action itself, so
    an applicant never learns that another applicant's project exists (404).
    """
    if user is None:
        return 401
    rule = PERMISSIONS[action].get(user.role, "no")
    if project_owner is not None and user.role == "applicant" and project_owner != user.name:
        return 404
    if rule == "yes" or (rule == "own" and (project_owner is None or project_owner == user.name)):
        return 200
    if rule == "department" and finding_department is not None and user.department is not None:
        return 200 if decided_by(finding_department) == user.department else 403
    return 403


def new_token() -> str:
    """A new random API token (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The stored form of a token: hex sha256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches the argon2 hash ``stored``."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
