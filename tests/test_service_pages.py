"""The review service's pages over real HTTP: login, cookies, CSRF, escaping, visibility, department buttons.

One server for the module (SQLite); a browser is simulated by an httpx client
keeping cookies. The browser itself is driven in ``test_service_browser.py``.
"""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from http.cookies import SimpleCookie

import pytest

from service_server import make_server, seed

httpx = pytest.importorskip("httpx")
HOSTILE = '<script>alert("x")</script>&住宅'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = make_server(tmp_path_factory.mktemp("pages"))
    try:
        yield server, *seed(server, HOSTILE)
    finally:
        server.stop()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@contextmanager
def browser(server, user: str | None = None):
    """A cookie-keeping client, logged in through the form as ``user`` (password ``pw-USER``)."""
    with httpx.Client(base_url=server.url, follow_redirects=True, timeout=60) as b:
        if user:
            form = b.get("/login")
            answer = b.post("/login", data={"csrf": csrf_of(form.text), "name": user, "password": f"pw-{user}",
                                            "next": "/"})
            assert answer.status_code == 200 and "drawcheck_session" in b.cookies, answer.text[:300]
        yield b


def test_pages_without_a_session_go_to_the_login_page(site):
    server, pid, sid, _ = site
    with browser(server) as b:
        for path in ("/", f"/projects/{pid}", f"/submissions/{sid}", f"/submissions/{sid}/notice", "/metrics"):
            answer = b.get(path)
            assert answer.url.path == "/login" and 'name="password"' in answer.text, path


def test_wrong_password_stays_on_the_login_page_without_a_session(site):
    server, *_ = site
    with browser(server) as b:
        form = b.get("/login")
        answer = b.post("/login", data={"csrf": csrf_of(form.text), "name": "fire1", "password": "wrong"})
        assert answer.url.path == "/login" and 'id="login-failed"' in answer.text
        assert "drawcheck_session" not in b.cookies
        # an unknown user gets the same answer
        answer = b.post("/login", data={"csrf": csrf_of(b.get("/login").text), "name": "nobody", "password": "x"})
        assert 'id="login-failed"' in answer.text


def test_session_cookie_is_httponly_and_samesite_and_the_login_form_needs_its_token(site):
    server, *_ = site
    with httpx.Client(base_url=server.url, timeout=60) as b:
        form = b.get("/login")
        refused = b.post("/login", data={"csrf": "forged", "name": "fire1", "password": "pw-fire1"})
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
        answer = b.post("/login", data={"csrf": csrf_of(form.text), "name": "fire1", "password": "pw-fire1"})
        assert answer.status_code == 303
        header = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("drawcheck_session="))
        cookie = SimpleCookie(header)["drawcheck_session"]
        assert cookie["httponly"] and cookie["samesite"].lower() == "lax" and cookie["path"] == "/"
        assert len(cookie.value) >= 40


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(site):
    server, pid, sid, report = site
    fire = next(f for f in report["findings"] if f["department"] == "fire")
    with browser(server, "fire1") as b, server.client("root") as api:
        before = api.get(f"/api/submissions/{sid}/decisions").json(), api.get(f"/api/submissions/{sid}/comments").json()
        for token in (None, "wrong", csrf_of(b.get("/").text)[:-1]):
            data = {"finding": fire["fingerprint"], "decision": "reject", "text": "x"}
            if token is not None:
                data["csrf"] = token
            assert b.post(f"/submissions/{sid}/decide", data=data).status_code == 403
            assert b.post(f"/submissions/{sid}/comment", data=data).status_code == 403
        with browser(server, "alice") as a:
            assert a.post("/projects", data={"name": "forged"}).status_code == 403
        after = api.get(f"/api/submissions/{sid}/decisions").json(), api.get(f"/api/submissions/{sid}/comments").json()
        assert before == after
        assert [p["name"] for p in api.get("/api/projects").json()].count("forged") == 0


def test_drawing_and_user_texts_are_escaped(site):
    server, pid, sid, report = site
    with browser(server, "alice") as b:
        page = b.get(f"/submissions/{sid}").text
        b.post(f"/submissions/{sid}/comment", data={"csrf": csrf_of(page), "text": HOSTILE})
        for path in ("/", f"/projects/{pid}", f"/submissions/{sid}"):
            text = b.get(path).text
            assert "<script>" not in text, path
            assert HOSTILE in html.unescape(text), path  # shown, as text
        assert "script-src" not in b.get("/").headers["content-security-policy"]  # no scripts allowed at all


def test_another_applicant_gets_404_on_every_page(site):
    server, pid, sid, _ = site
    with browser(server, "bob") as b:
        for path in (f"/projects/{pid}", f"/submissions/{sid}", f"/submissions/{sid}/notice",
                     f"/submissions/{sid}/report.json"):
            answer = b.get(path)
            assert answer.status_code == 404 and HOSTILE not in answer.text, path
        assert "住宅" not in b.get("/").text  # alice's project is not listed
        page = b.get("/").text
        answer = b.post(f"/projects/{pid}/upload", data={"csrf": csrf_of(page)},
                        files=[("files", ("site.dxf", b"0\nEOF\n"))])
        assert answer.status_code == 404


def _buttons(page: str) -> dict[str, set[str]]:
    """Finding id -> names of the decide buttons in its block."""
    out = {}
    for block in re.split(r'(?=<div class="finding")', page)[1:]:
        fid = re.search(r'data-finding="(F\d+)"', block).group(1)
        out[fid] = set(re.findall(r'<button type="submit" name="(\w+)"', block))
    return out


def test_a_reviewer_sees_decide_buttons_only_on_its_department(site):
    server, pid, sid, report = site
    decided_by = {f["id"]: ("planning" if f["department"] == "qa" else f["department"]) for f in report["findings"]}
    to_decide = {f["id"] for f in report["findings"] if f["severity"] in ("error", "warning")}
    with browser(server, "fire1") as fire, browser(server, "plan1") as plan, browser(server, "alice") as alice:
        for b, dept in ((fire, "fire"), (plan, "planning")):
            buttons = _buttons(b.get(f"/submissions/{sid}").text)
            assert set(buttons) == {f["id"] for f in report["findings"]}
            for fid, names in buttons.items():
                mine = decided_by[fid] == dept and fid in to_decide
                assert ({"accept", "reject"} <= names) == mine, (dept, fid, names)
                assert ("waive" in names) == (fid in to_decide)  # any reviewer may propose a waiver
        assert all(not names for names in _buttons(alice.get(f"/submissions/{sid}").text).values())


def test_metrics_page_is_for_admins_and_shows_the_api_numbers(site):
    server, *_ = site
    with browser(server, "root") as b, server.client("root") as api:
        page = b.get("/metrics").text
        m = api.get("/api/metrics").json()
        cells = dict(re.findall(r"<tr><th>[^<]*</th><td(?: id=\"\w+\")?>([^<]*)", page) and
                     re.findall(r"<tr><th>([^<]*)</th><td[^>]*>\s*([^<\s]*)", page))
        assert cells["项目 Projects"] == str(m["projects"])
        assert cells["退回一次的项目 Returned once"] == str(m["returned_once"])
    with browser(server, "fire1") as b:
        assert b.get("/metrics").status_code == 403


def test_login_redirect_stays_on_this_site(site):
    server, *_ = site
    with httpx.Client(base_url=server.url, timeout=60) as b:
        form = b.get("/login?next=//evil.example/x")
        assert 'value="/"' in form.text and "evil.example" not in form.text
        answer = b.post("/login", data={"csrf": csrf_of(form.text), "name": "fire1", "password": "pw-fire1",
                                        "next": "https://evil.example/"})
        assert answer.headers["location"] == "/"
