"""Server-rendered pages for people (jinja2): placeholder until the pages land."""

from __future__ import annotations

import html

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

router = APIRouter()


def mount(app: FastAPI) -> None:
    """Static files of the pages (none yet)."""


def is_page(request: Request) -> bool:
    """True for requests answered with HTML (everything outside ``/api`` and ``/healthz``)."""
    path = request.url.path
    return not (path.startswith("/api/") or path == "/api" or path == "/healthz")


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><title>{status}</title><p>{html.escape(message)}</p>", status_code=status)
