"""Server-rendered pages for people (jinja2, no JavaScript): thin routes over :mod:`.ops`, like the API.

Logins are cookie sessions (:mod:`.sessions`: HttpOnly, SameSite=Lax, Secure
over https); every POST form carries the session's CSRF token and is refused
(403) without it. Templates autoescape everything; the only markup inserted
as-is is what drawcheck's own renderers produce, which escape every drawing
string themselves (the plan SVG, the notice and the diff).
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from ..reports.plan_svg import plan_svg
from ..review import diff as review_diff
from ..review import notice as review_notice
from . import auth, sessions
from .api import receive_files
from .ops import ServiceError

router = APIRouter()
TEMPLATES = Path(__file__).with_name("templates")
_LOGIN_COOKIE = "drawcheck_login"  # double-submit token of the login form (there is no session yet)
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)
_env.globals["department_names"] = review_notice.department_names


def mount(app: FastAPI) -> None:
    """Nothing to mount: the style sheet is inline in every page (no external resources)."""


def is_page(request: Request) -> bool:
    """True for requests answered with HTML (everything outside ``/api`` and ``/healthz``)."""
    path = request.url.path
    return not (path.startswith("/api/") or path == "/api" or path == "/healthz")


#: No scripts at all, styles inline, forms only to this site, never framed.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"


def secure(response: Response) -> Response:
    """The security headers every page carries."""
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def render(name: str, http_status: int = 200, **context) -> HTMLResponse:
    """Template ``name`` rendered with ``context`` as a secured HTML response."""
    return secure(HTMLResponse(_env.get_template(name).render(**context), status_code=http_status))


def error_page(request: Request, status: int, message: str) -> Response:
    """An error as a page; 401 sends the browser to the login page instead."""
    if status == 401:
        return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
    return render("error.html.j2", status, status=status, message=message, login=getattr(request.state, "login", None))


def _service(request: Request):
    return request.app.state.service


def login_of(request: Request) -> sessions.Login | None:
    login = sessions.session_of(_service(request).engine, request.cookies.get(sessions.COOKIE))
    request.state.login = login
    return login


def _user(request: Request) -> auth.Principal | None:
    login = login_of(request)
    return login.user if login else None


async def _form(request: Request) -> dict:
    """The POSTed form after its CSRF token is checked against the session's (403 otherwise)."""
    login = await run_in_threadpool(login_of, request)
    if login is None:
        raise ServiceError(401, "log in first")
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not sessions.csrf_ok(login.csrf, fields.get("csrf")):
        raise ServiceError(403, "the form's CSRF token is missing or wrong; reload the page and try again")
    return fields


def _page(request: Request, name: str, **context) -> HTMLResponse:
    return render(name, login=request.state.login, **context)


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# -- login -----------------------------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/", failed: int = 0) -> Response:
    token = secrets.token_urlsafe(24)
    response = render("login.html.j2", login=None, token=token, next=_safe_next(next), failed=bool(failed))
    response.set_cookie(_LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/login")
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    expected = request.cookies.get(_LOGIN_COOKIE) or ""
    if not expected or not sessions.csrf_ok(expected, fields.get("csrf")):
        raise ServiceError(403, "the login form's token is missing or wrong; reload the login page")
    target = _safe_next(fields.get("next"))
    secret = await run_in_threadpool(sessions.log_in, _service(request).engine, fields.get("name", ""),
                                     fields.get("password", ""))
    if secret is None:
        return _back(f"/login?failed=1&next={quote(target)}")
    response = _back(target)
    response.set_cookie(sessions.COOKIE, secret, max_age=int(sessions.LIFETIME.total_seconds()), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(_LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await _form(request)
    await run_in_threadpool(sessions.log_out, _service(request).engine, request.cookies.get(sessions.COOKIE))
    response = _back("/login")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


# -- projects and uploads -------------------------------------------------------------------------------------


@router.get("/")
def projects(request: Request) -> Response:
    user = _user(request)
    listing = _service(request).projects(user)
    return _page(request, "projects.html.j2", projects=listing,
                 may_create=auth.check(user, "project.create") == 200)


@router.post("/projects")
async def create_project(request: Request) -> Response:
    fields = await _form(request)
    project = await run_in_threadpool(_service(request).create_project, request.state.login.user, fields.get("name"))
    return _back(f"/projects/{project['id']}")


@router.get("/projects/{pid}")
def project(pid: int, request: Request) -> Response:
    user = _user(request)
    svc = _service(request)
    data = svc.project(user, pid)
    return _page(request, "project.html.j2", project=data,
                 may_upload=auth.check(user, "submission.upload", project_owner=data["owner"]) == 200)


@router.post("/projects/{pid}/upload")
async def upload(pid: int, request: Request) -> Response:
    svc = _service(request)
    login = await run_in_threadpool(login_of, request)
    if login is None:
        raise ServiceError(401, "log in first")
    await run_in_threadpool(svc.may_upload, login.user, pid)
    files, staging, fields = await receive_files(request, svc, fields=("csrf",))
    if not sessions.csrf_ok(login.csrf, fields.get("csrf")):
        shutil.rmtree(staging, ignore_errors=True)
        raise ServiceError(403, "the form's CSRF token is missing or wrong; reload the page and try again")
    files = [(name, path) for name, path in files if name]  # an empty file input sends a nameless part
    sub = await run_in_threadpool(svc.upload, login.user, pid, files, staging)
    return _back(f"/submissions/{sub['id']}")


# -- a submission ---------------------------------------------------------------------------------------------


def _finding_rows(page: dict, comments: list[dict], user: auth.Principal) -> list[dict]:
    """The findings grouped by deciding department, each with its state, entry, comments and allowed actions."""
    report, status = page["report"], page["status"]
    by_fp = {f["fingerprint"]: f for f in report["findings"]}
    owner = page["project"]["owner"]
    groups: dict[str, list[dict]] = {}
    for row in status["findings"]:
        f = by_fp[row["fingerprint"]]
        entry = page["decisions"].get(row["fingerprint"])
        decidable = f["severity"] in ("error", "warning")
        dept = row["decided_by"]
        groups.setdefault(dept, []).append({
            **row, "message": f.get("message") or f.get("title") or "", "clause": f.get("clause") or "",
            "entry": entry, "proposed": bool(entry and entry.get("proposed")),
            "comments": [c for c in comments if c["finding"] == row["fingerprint"]],
            "may_decide": decidable and auth.check(user, "decision.decide", project_owner=owner,
                                                   finding_department=f["department"]) == 200,
            "may_waive": decidable and auth.check(user, "decision.waive", project_owner=owner) == 200,
            "may_approve": bool(entry and entry.get("proposed"))
            and auth.check(user, "decision.approve_waiver", project_owner=owner) == 200,
        })
    names = review_notice.department_names()
    order = {d: i for i, d in enumerate(names)}
    return [{"department": d, "name": names.get(d, d), "findings": groups[d],
             "counts": status["departments"].get(d, {})} for d in sorted(groups, key=lambda d: order.get(d, 99))]


@router.get("/submissions/{sid}")
def submission(sid: int, request: Request) -> Response:
    user = _user(request)
    svc = _service(request)
    page = svc.submission_page(user, sid)
    comments = svc.comments(user, sid)
    context = {"page": page, "sub": page["submission"], "comments": [c for c in comments if c["finding"] is None],
               "may_comment": auth.check(user, "comment.write", project_owner=page["project"]["owner"]) == 200}
    if page["report"] is not None:
        context["plan"] = Markup(plan_svg(page["report"]))  # noqa: S704  (drawcheck's renderer escapes every string)
        context["groups"] = _finding_rows(page, comments, user)
    return _page(request, "submission.html.j2", **context)


@router.get("/submissions/{sid}/report.json")
def report_json(sid: int, request: Request) -> Response:
    return Response(_service(request).report_text(_user(request), sid), media_type="application/json")


@router.post("/submissions/{sid}/decide")
async def decide(sid: int, request: Request) -> Response:
    fields = await _form(request)
    body = {"finding": fields.get("finding"), "decision": fields.get("decision")}
    for key in ("comment", "expires"):
        if fields.get(key):
            body[key] = fields[key]
    await run_in_threadpool(_service(request).decide, request.state.login.user, sid, body)
    return _back(f"/submissions/{sid}#f-{quote(str(fields.get('finding', ''))[:16])}")


@router.post("/submissions/{sid}/comment")
async def comment(sid: int, request: Request) -> Response:
    fields = await _form(request)
    body = {"finding": fields.get("finding") or None, "text": fields.get("text")}
    await run_in_threadpool(_service(request).comment, request.state.login.user, sid, body)
    return _back(f"/submissions/{sid}#comments")


def _embedded(document: str, request: Request, sid: int, title: str) -> HTMLResponse:
    """A self-contained page of drawcheck's renderers, with the service's navigation bar on top."""
    bar = _env.get_template("bar.html.j2").render(login=request.state.login, back=f"/submissions/{sid}", title=title)
    head, sep, rest = document.partition("<body>")
    return secure(HTMLResponse(head + sep + bar + rest if sep else bar + document))


@router.get("/submissions/{sid}/notice")
def notice(sid: int, request: Request) -> Response:
    return _embedded(review_notice.to_html(_service(request).notice(_user(request), sid)), request, sid, "一次性告知书")


@router.get("/submissions/{sid}/diff")
def diff(sid: int, request: Request) -> Response:
    return _embedded(review_diff.to_html(_service(request).diff(_user(request), sid)), request, sid, "与上一轮比较")


@router.get("/metrics")
def metrics(request: Request) -> Response:
    return _page(request, "metrics.html.j2", m=_service(request).metrics_details(_user(request)))

