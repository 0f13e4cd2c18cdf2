"""What a fuzz input may do: give a report (that every format can render) or the documented error.

Any other exception propagates to the caller (the test or the harness), which
counts it as a failure. Shared by ``tests/test_fuzz.py`` and the harnesses here.
"""

from __future__ import annotations

import json
import signal
from contextlib import contextmanager
from pathlib import Path

#: Rendered for every report (the CLI's ``--format``); ``bcf`` needs IFC findings, ``text`` is rich's.
FORMATS = ("json", "html", "sarif", "junit", "dxf")


class Hang(BaseException):
    """An input ran longer than its time budget (a BaseException, so that no ``except Exception`` swallows it)."""


class RenderFailure(Exception):
    """The check gave a report but a format could not render it (the CLI would exit 2 after the check)."""


@contextmanager
def time_budget(seconds: float):
    """Raise :class:`Hang` in the main thread when the block runs longer than ``seconds`` (POSIX)."""
    if seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def _alarm(signum, frame):
        raise Hang(f"no result within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def one_line(message: str) -> None:
    assert message.strip(), "the error message is empty"
    assert "\n" not in message.strip(), f"the error message is not one line: {message!r}"


def render_all(report, root: Path, formats=FORMATS) -> None:
    """Render the report as the CLI would; every text must be writable as UTF-8 (no lone surrogates)."""
    import importlib

    from drawcheck.cli import FORMATS as CLI_FORMATS

    for fmt in formats:
        module, _, name = CLI_FORMATS[fmt][1].partition(":")
        fn = getattr(importlib.import_module(module), name)
        try:
            content = fn(report.data) if fmt in ("json", "text") else fn(report.data, root)
            if isinstance(content, str):
                content.encode("utf-8")
            if fmt in ("json", "sarif"):
                json.loads(content)
        except Hang:
            raise
        except Exception as exc:
            raise RenderFailure(f"--format {fmt}: {type(exc).__name__}: {exc}") from exc


class ReaderMismatch(AssertionError):
    """The fast reader (``--reader auto``) and ezdxf gave different reports or errors for the same input."""


def check_dxf(data: bytes, folder: Path, *, formats=("json",), budget: float = 0, readers: bool = False) -> str:
    """Check ``data`` as ``folder/site.dxf``: ``"report"`` or ``"input-error"``; anything else raises.

    ``readers``: check it with ``--reader ezdxf`` too; the two must agree (:func:`same_as_ezdxf`), and
    the outcome says which reader ``auto`` used: ``"report-fast"``, ``"report-ezdxf"``, ``"input-error"``.
    """
    from drawcheck.pipeline import InputError, check

    path = folder / "site.dxf"
    path.write_bytes(data)
    with time_budget(budget):
        try:
            report = check(path)
        except InputError as exc:
            one_line(str(exc))
            if readers:
                same_as_ezdxf(path, None, str(exc))
            return "input-error"
        render_all(report, folder, formats)
        if readers:
            same_as_ezdxf(path, report, None)
            return f"report-{report.data['project']['inputs'][0].get('reader')}"
    return "report"


def without_reader(data: dict) -> str:
    """The report as JSON without the inputs' ``reader`` and ``reader_fallback`` (all that may differ)."""
    data = json.loads(json.dumps(data))
    for row in data["project"]["inputs"]:
        row.pop("reader", None)
        row.pop("reader_fallback", None)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1)


def same_as_ezdxf(path: Path, report, error: str | None) -> None:
    """Raise :class:`ReaderMismatch` unless ``--reader ezdxf`` gives ``report`` (or ``error``) for ``path``."""
    from drawcheck.pipeline import InputError, check

    try:
        other, other_error = check(path, reader="ezdxf"), None
    except InputError as exc:
        other, other_error = None, str(exc)
    if error is not None or other_error is not None:
        if error != other_error:
            raise ReaderMismatch(f"auto: {error or 'a report'}; ezdxf: {other_error or 'a report'}")
        return
    a, b = without_reader(report.data), without_reader(other.data)
    if a != b:
        import difflib

        diff = [line for line in difflib.unified_diff(b.splitlines(), a.splitlines(), "ezdxf", "auto", n=0, lineterm="")]
        raise ReaderMismatch("reports differ: " + " | ".join(diff[2:8]))


def check_manifest(text: bytes, folder: Path, *, budget: float = 0) -> str:
    """Load ``text`` as ``folder/drawcheck.toml``: ``"manifest"`` or ``"manifest-error"``; anything else raises."""
    from drawcheck.manifest import Manifest, ManifestError, load_manifest

    (folder / "drawcheck.toml").write_bytes(text)
    with time_budget(budget):
        try:
            manifest = load_manifest(folder)
        except ManifestError as exc:
            one_line(str(exc))
            return "manifest-error"
    assert isinstance(manifest, Manifest)
    for spec in manifest.inputs:  # whatever was accepted stays inside the folder
        assert (folder / spec.path).resolve().is_relative_to(folder.resolve()), spec.path
    return "manifest"
