"""The JSON API of the contract (``../shared/spec/review-service.md``): thin routes over :mod:`.ops`.

Every route resolves the bearer token to a user, calls one operation of
:class:`~drawcheck.service.ops.Service` and returns its answer; errors are
``{"error": "one line"}`` (see :mod:`drawcheck.service.app`).
"""

from __future__ import annotations

import json
import shutil

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..review import diff as review_diff
from ..review import notice as review_notice
from . import auth
from .ops import Service, ServiceError
from .users import user_of_token

router = APIRouter()
_CHUNK = 1 << 20


def service(request: Request) -> Service:
    return request.app.state.service


def bearer(request: Request) -> auth.Principal | None:
    """The user of the request's ``Authorization: Bearer TOKEN`` header (None without a valid one)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_of_token(service(request).engine, token.strip())


async def json_body(request: Request) -> dict:
    """The request's JSON object, or 400."""
    try:
        body = json.loads(await request.body() or b"null")
    except (UnicodeDecodeError, ValueError):
        raise ServiceError(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ServiceError(400, "the body must be a JSON object")
    return body


async def receive_files(request: Request, svc: Service, fields: tuple[str, ...] = ()) -> tuple[list, object, dict]:
    """The multipart ``files`` fields, each written to a file in a new staging folder under ``--data``.

    Returns (files, staging folder, the text fields named in ``fields``); any other field is a 400.
    """
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ServiceError(400, "send the files as multipart/form-data \"files\" fields")
    staging = await run_in_threadpool(svc.staging)
    files, texts = [], {}
    try:
        async with request.form(max_files=10_000, max_fields=100) as form:
            for n, (key, value) in enumerate(form.multi_items()):
                if key in fields and isinstance(value, str):
                    texts[key] = value
                    continue
                if key != "files" or not isinstance(value, UploadFile):
                    raise ServiceError(400, f"unexpected form field {key!r} (only \"files\" file fields)")
                dest = staging / f"incoming-{n}"
                with open(dest, "wb") as out:
                    while chunk := await value.read(_CHUNK):
                        out.write(chunk)
                files.append((value.filename or "", dest))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files, staging, texts


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.post("/api/projects", status_code=201)
async def create_project(request: Request) -> dict:
    user = await run_in_threadpool(bearer, request)
    body = await json_body(request) if user is not None else {}
    return await run_in_threadpool(service(request).create_project, user, body.get("name"))


@router.get("/api/projects")
def list_projects(request: Request) -> list:
    return service(request).projects(bearer(request))


@router.post("/api/projects/{pid}/submissions", status_code=202)
async def upload(pid: int, request: Request) -> dict:
    svc = service(request)
    user = await run_in_threadpool(bearer, request)
    await run_in_threadpool(svc.may_upload, user, pid)  # refuse before receiving the body
    files, staging, _ = await receive_files(request, svc)
    return await run_in_threadpool(svc.upload, user, pid, files, staging)


@router.get("/api/submissions/{sid}")
def submission(sid: int, request: Request) -> dict:
    return service(request).submission(bearer(request), sid)


@router.get("/api/submissions/{sid}/report")
def report(sid: int, request: Request) -> Response:
    text = service(request).report_text(bearer(request), sid)
    return Response(text, media_type="application/json")


@router.post("/api/submissions/{sid}/decisions", status_code=201)
async def decide(sid: int, request: Request) -> dict:
    user = await run_in_threadpool(bearer, request)
    body = await json_body(request) if user is not None else {}
    return await run_in_threadpool(service(request).decide, user, sid, body)


@router.get("/api/submissions/{sid}/decisions")
def decisions(sid: int, request: Request) -> dict:
    return service(request).decisions(bearer(request), sid)


@router.post("/api/submissions/{sid}/comments", status_code=201)
async def comment(sid: int, request: Request) -> dict:
    user = await run_in_threadpool(bearer, request)
    body = await json_body(request) if user is not None else {}
    return await run_in_threadpool(service(request).comment, user, sid, body)


@router.get("/api/submissions/{sid}/comments")
def comments(sid: int, request: Request) -> list:
    return service(request).comments(bearer(request), sid)


@router.get("/api/submissions/{sid}/notice")
def notice(sid: int, request: Request) -> Response:
    """The notice, written by the CLI's own writer (``drawcheck notice --format json``)."""
    return Response(review_notice.to_json(service(request).notice(bearer(request), sid)), media_type="application/json")


@router.get("/api/submissions/{sid}/diff")
def diff(sid: int, request: Request) -> Response:
    """The diff, written by the CLI's own writer (``drawcheck diff --format json``)."""
    return Response(review_diff.to_json(service(request).diff(bearer(request), sid)), media_type="application/json")


@router.get("/api/metrics")
def metrics(request: Request) -> dict:
    return service(request).metrics(bearer(request))
