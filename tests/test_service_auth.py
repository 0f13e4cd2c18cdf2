"""The review service's permission table and credentials (drawcheck/service/auth.py).

Expected statuses are written out by hand from the contract's "Who may do
what" table (shared spec review-service.md), not derived from the code.
"""

import pytest

pytest.importorskip("argon2", reason="argon2-cffi not installed (service extra)")

from drawcheck.service import auth  # noqa: E402
from drawcheck.service.auth import Principal  # noqa: E402

ANNA = Principal("anna", "applicant")
BORIS = Principal("boris", "applicant")
FIRE = Principal("fei", "reviewer", "fire")
PLAN = Principal("ping", "reviewer", "planning")
APPROVER = Principal("ada", "approver")
ADMIN = Principal("root", "admin")

# (user, action, project owner, finding department) -> status, from the contract.
CASES = [
    (None, "project.read", "anna", None, 401),
    (None, "project.create", None, None, 401),
    (ANNA, "project.create", None, None, 200),
    (FIRE, "project.create", None, None, 403),
    (ANNA, "project.read", "anna", None, 200),
    (ANNA, "project.read", "boris", None, 404),  # another applicant's project looks absent
    (BORIS, "submission.upload", "anna", None, 404),
    (ANNA, "submission.upload", "anna", None, 200),
    (FIRE, "submission.upload", "anna", None, 403),
    (FIRE, "project.read", "anna", None, 200),  # reviewers read every project
    (APPROVER, "project.read", "boris", None, 200),
    (FIRE, "decision.decide", "anna", "fire", 200),
    (FIRE, "decision.decide", "anna", "planning", 403),  # not its department
    (FIRE, "decision.decide", "anna", "qa", 403),  # qa belongs to planning
    (PLAN, "decision.decide", "anna", "qa", 200),
    (ANNA, "decision.decide", "anna", "fire", 403),
    (APPROVER, "decision.decide", "anna", "fire", 403),
    (FIRE, "decision.waive", "anna", "fire", 200),
    (FIRE, "decision.approve_waiver", "anna", "fire", 403),
    (APPROVER, "decision.approve_waiver", "anna", "fire", 200),
    (ANNA, "comment.write", "anna", None, 200),
    (ANNA, "comment.write", "boris", None, 404),
    (FIRE, "comment.write", "anna", None, 200),
    (ANNA, "metrics.read", None, None, 403),
    (FIRE, "metrics.read", None, None, 403),
    (ADMIN, "metrics.read", None, None, 200),
    (ADMIN, "decision.decide", "anna", "traffic", 200),
    (ADMIN, "project.read", "boris", None, 200),
]


@pytest.mark.parametrize("user,action,owner,dept,status", CASES)
def test_permission_table(user, action, owner, dept, status):
    assert auth.check(user, action, project_owner=owner, finding_department=dept) == status


def test_every_action_covers_every_role():
    for action, rule in auth.PERMISSIONS.items():
        assert set(rule) == set(auth.ROLES), action


def test_password_hash_is_argon2_and_verifies():
    stored = auth.hash_password("s3cret 密码")
    assert stored.startswith("$argon2id$")
    assert "s3cret" not in stored
    assert auth.verify_password(stored, "s3cret 密码")
    assert not auth.verify_password(stored, "s3cret")
    assert not auth.verify_password("not a hash", "s3cret")


def test_tokens_are_random_and_stored_as_sha256():
    import hashlib

    a, b = auth.new_token(), auth.new_token()
    assert a != b and len(a) >= 40
    assert auth.token_digest(a) == hashlib.sha256(a.encode()).hexdigest()
