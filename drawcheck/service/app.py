"""The ASGI application of ``drawcheck serve``: database, queue, API routes, pages and error handling.

:func:`create_app` migrates the database, starts the check queue on start-up
and stops it on shutdown. Request bodies above the upload limit are refused
with 413 before they are read (``Content-Length``) or as soon as they pass
the limit (chunked). Every error is JSON ``{"error": "one line"}`` for the API
(an HTML page for the pages), never a stack trace.
"""

from __future__ import annotations

import logging
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..batch import runner
from . import storage
from .db import database_url, make_engine, migrate
from .ops import Service, ServiceError
from .queue import Queue

log = logging.getLogger("drawcheck.service")


class BodyTooLarge(Exception):
    """A request body passed the upload limit while being received."""


class LimitBody:
    """ASGI middleware: 413 for bodies over ``limit`` bytes, declared or counted."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            response = JSONResponse({"error": f"the upload is larger than the limit of {self.limit} bytes"}, 413,
                                    headers={"connection": "close"})
            return await response(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge()
            return message

        return await self.app(scope, counted, send)


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status)


def create_app(data: Path | str, db: str | None = None, *, jobs: int = 0, dask: str | None = None,
               max_upload_bytes: int = storage.MAX_UPLOAD_BYTES, options: runner.Options | None = None,
               queue: bool = True) -> FastAPI:
    """The service over ``--data`` and database ``db`` (default: SQLite in ``data``), ``jobs`` check workers."""
    data = Path(data).resolve()
    (data / "tmp").mkdir(parents=True, exist_ok=True)
    # every temporary file of the service (multipart spooling, child stderr) stays under --data
    tempfile.tempdir = str(data / "tmp")
    engine = make_engine(database_url(data, db))
    migrate(engine)
    svc = Service(engine, data, max_upload_bytes=max_upload_bytes)
    workers = Queue(engine, data, svc, jobs=jobs or runner.numba_threads(1), options=options, dask=dask)

    @asynccontextmanager
    async def lifespan(_app):
        if queue:
            workers.start()
        try:
            yield
        finally:
            if queue:
                workers.stop()
            engine.dispose()

    app = FastAPI(title="drawcheck review service", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service, app.state.queue = svc, workers

    from . import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    pages.mount(app)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError):
        return pages.error_page(request, exc.status, str(exc)) if pages.is_page(request) else error(exc.status, str(exc))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        text = {404: "no such resource", 405: "method not allowed"}.get(exc.status_code, str(exc.detail))
        return pages.error_page(request, exc.status_code, text) if pages.is_page(request) else error(exc.status_code, text)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError):
        first = (exc.errors() or [{}])[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "path")
        return error(422, f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_request: Request, _exc: BodyTooLarge):
        return error(413, f"the upload is larger than the limit of {max_upload_bytes} bytes")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error(500, f"internal error ({type(exc).__name__}); it is logged on the server")

    app.add_middleware(LimitBody, limit=max_upload_bytes)
    return app
