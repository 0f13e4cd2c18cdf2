"""``drawcheck users add|token`` through the real command line (subprocess)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="sqlalchemy not installed (service extra)")

from drawcheck.service import auth, db  # noqa: E402
from drawcheck.service.users import user_of_token  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _dc(*args, stdin=""):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "drawcheck", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_users_add_and_token(tmp_path):
    data = tmp_path / "data"
    r = _dc("users", "add", "fei", "--role", "reviewer", "--department", "fire", "--data", str(data), stdin="pw 1\n")
    assert r.returncode == 0, r.stderr
    r = _dc("users", "token", "fei", "--data", str(data))
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert r.stdout == token + "\n" and len(token) >= 40  # the token alone
    engine = db.make_engine(db.database_url(data, None))
    assert user_of_token(engine, token) == auth.Principal("fei", "reviewer", "fire")
    assert user_of_token(engine, token + "x") is None
    with engine.connect() as conn:  # neither the token nor the password is stored in clear
        dump = "\n".join(str(row) for t in ("users", "tokens") for row in conn.exec_driver_sql(f"SELECT * FROM {t}"))
    assert token not in dump and "pw 1" not in dump


@pytest.mark.parametrize("args,stdin,message", [
    (["users", "add", "x", "--role", "king"], "pw\n", "unknown role"),
    (["users", "add", "x", "--role", "reviewer"], "pw\n", "needs --department"),
    (["users", "add", "x", "--role", "applicant"], "", "empty password"),
    (["users", "token", "nobody-here"], "", "no user"),
])
def test_users_bad_input_one_line_exit_2(tmp_path, args, stdin, message):
    r = _dc(*args, "--data", str(tmp_path / "data"), stdin=stdin)
    assert r.returncode == 2
    assert r.stderr.startswith("drawcheck: ") and message in r.stderr and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr


def test_users_add_twice_refused(tmp_path):
    args = ["users", "add", "anna", "--role", "applicant", "--data", str(tmp_path)]
    assert _dc(*args, stdin="pw\n").returncode == 0
    r = _dc(*args, stdin="pw\n")
    assert r.returncode == 2 and "exists already" in r.stderr
