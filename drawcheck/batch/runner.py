"""Batch runs: sources -> submissions -> isolated checks -> ``DIR/<submission>/report.json`` + summary.

Every submission is checked in its own child process (forked from a warm
server, or spawned: :mod:`drawcheck.batch.isolation`; the child's side is
:mod:`drawcheck.batch.worker`) with a wall-time and a memory budget, so a broken or hostile submission
costs its own process and nothing else. The local executor is a thread pool
whose threads each wait on one child; the Dask executor
(:mod:`drawcheck.batch.dask_executor`) runs the same :func:`run_isolated`
on the cluster's workers.

Statuses: ``passed`` (report, nothing at or above ``--fail-on``),
``findings`` (report with findings at or above it), ``unchanged`` (skipped:
same input files, packs, options and drawcheck version as the kept report),
``unreadable`` (the submission cannot be read: one-line error),
``failed`` (the check crashed or ran out of memory), ``timeout``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from .isolation import kill_all, method, run_child  # noqa: F401  (kill_all: the CLI stops a batch with it)
from .worker import says_out_of_memory

#: File suffixes taken as drawings when a source folder is scanned (other files are ignored and listed).
DRAWING_SUFFIXES = (".dxf", ".dwg", ".ifc", ".ifczip")
MANIFEST_NAME = "drawcheck.toml"
REPORT_NAME = "report.json"
KEY_NAME = "inputs.sha256"
ERROR_NAME = "error.txt"
#: Statuses whose submission has no report: any of them makes the batch exit 2.
BROKEN = ("unreadable", "failed", "timeout")
STATUSES = ("passed", "findings", "unchanged", "unreadable", "failed", "timeout")
DEFAULT_TIMEOUT = 300.0
DEFAULT_MEMORY_MB = 4096
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class BatchError(Exception):
    """The batch cannot start (a missing source, an unreadable list file); ``str()`` is one line."""


# -- submissions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """One submission: ``name`` (unique, safe folder name under ``--out``), the folder its files live in
    (``root``), the folder the check runs from (``base``) and the path given to the check, relative to it."""

    name: str
    source: str  # as the user gave or listed it
    kind: str  # "dir", "file" or "toml"
    path: Path  # absolute: the folder, drawing or manifest

    @property
    def base(self) -> Path:
        return self.path.parent.parent if self.kind == "toml" else self.path.parent

    @property
    def arg(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}" if self.kind == "toml" else self.path.name

    @property
    def root(self) -> Path:
        """The folder whose files make the submission (a single drawing: the drawing alone)."""
        return self.path.parent if self.kind == "toml" else self.path


def safe_name(text: str) -> str:
    """A folder name that cannot leave ``--out``: letters (any script), digits, ``._-``; no leading dot."""
    name = re.sub(r"[^\w.\-]+", "_", text, flags=re.UNICODE).strip("._ ")
    name = re.sub(r"_+", "_", name)[:80].rstrip("._ ")
    if not name:
        name = "submission"
    if name.split(".")[0].lower() in _RESERVED:
        name = "_" + name
    return name


def _kind(path: Path) -> str:
    if path.is_dir():
        return "dir"
    return "toml" if path.suffix.lower() == ".toml" else "file"


def _stem(path: Path, kind: str) -> str:
    if kind == "dir":
        return path.name
    if kind == "toml":
        return path.parent.name if path.name == MANIFEST_NAME else f"{path.parent.name}-{path.stem}"
    return path.stem


def _is_list_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() not in DRAWING_SUFFIXES + (".toml",)


def _read_list(path: Path) -> list[tuple[str, Path]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BatchError(f"{path}: {exc.strerror or exc}") from None
    if len(raw) > 50_000_000:
        raise BatchError(f"{path}: a list file of {len(raw)} bytes is too large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchError(f"{path}: not a list file (not UTF-8 text); give a folder of submissions, "
                         f"a drawing ({', '.join(DRAWING_SUFFIXES)}) or a text file with one path a line") from None
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append((line, path.parent / line))
    return entries


def discover(sources: Sequence[Path | str], exclude: Path | None = None) -> tuple[list[Submission], list[str]]:
    """The submissions of ``sources`` and the files ignored while scanning folders.

    A source is a submission folder (holding ``drawcheck.toml``), a drawing,
    a folder of submissions (each sub-folder and each drawing in it; hidden
    entries skipped) or a list file (one submission path a line, relative
    to the list file; ``#`` comments). ``exclude`` (the output folder) is
    never taken as a submission. Names are unique and sorted by path.
    """
    found: list[tuple[str, Path]] = []
    ignored: list[str] = []
    skip = exclude.resolve() if exclude is not None else None
    for source in sources:
        source_path = Path(source)
        if not source_path.exists():
            raise BatchError(f"{source}: no such file or folder")
        if source_path.is_dir() and not (source_path / MANIFEST_NAME).is_file():
            for child in sorted(source_path.iterdir(), key=lambda p: p.name):
                if child.name.startswith(".") or (skip is not None and child.resolve() == skip):
                    continue
                if child.is_dir():
                    found.append((str(child), child))
                elif child.suffix.lower() in DRAWING_SUFFIXES:
                    found.append((str(child), child))
                else:
                    ignored.append(str(child))
        elif _is_list_file(source_path):
            found.extend(_read_list(source_path))
        else:
            found.append((str(source), source_path))
    subs: list[Submission] = []
    seen_paths: set[Path] = set()
    for given, path in found:
        absolute = Path(os.path.abspath(path))
        if absolute in seen_paths:
            continue
        seen_paths.add(absolute)
        kind = _kind(absolute) if absolute.exists() else "file"
        subs.append(Submission("", given, kind, absolute))
    subs.sort(key=lambda s: (str(s.path), s.source))
    used: set[str] = {"summary.json", "summary.csv", "summary.html"}  # the batch's own files
    named = []
    for sub in subs:
        base = safe_name(_stem(sub.path, sub.kind))
        name, n = base, 1
        while name.casefold() in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name.casefold())
        named.append(Submission(name, sub.source, sub.kind, sub.path))
    return named, ignored


def submission_files(sub: Submission) -> list[tuple[str, Path]]:
    """The regular files of a submission as (path relative to its root with ``/``, path), sorted.

    Symbolic links are followed only to regular files inside the submission;
    devices, pipes and links that leave the folder are not part of it.
    """
    if sub.kind == "file":
        return [(sub.path.name, sub.path)] if _regular(sub.path, sub.path.parent) else []
    root = sub.root
    try:
        resolved_root = root.resolve()
    except OSError:
        return []
    files = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if _regular(path, resolved_root):
                files.append((path.relative_to(root).as_posix(), path))
    files.sort()
    return files


def _regular(path: Path, inside: Path) -> bool:
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(inside.resolve()):
                return False
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, RuntimeError, ValueError):
        return False


from ..readers.files import sha256_of as sha256_file  # noqa: E402  (one hashing helper for the project)


# -- options ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What every check of a batch gets; ``packs``/``units``/``limits`` as for ``drawcheck check``."""

    packs: tuple[str, ...] | None = None
    units: str | None = None
    limits: dict = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int | None = DEFAULT_MEMORY_MB
    fail_on: str = "error"
    #: Start every child as a fresh interpreter instead of forking the warm server (see isolation.method).
    spawn: bool = False
    #: Layer roles by exact names only (--strict-layers).
    strict_layers: bool = False
    #: Reader of ASCII DXF drawings (--reader: auto, fast, ezdxf).
    reader: str = "auto"

    def job(self, path: str) -> dict:
        return {"path": path, "packs": list(self.packs) if self.packs else None, "units": self.units,
                "limits": dict(sorted(self.limits.items())), "memory_mb": self.memory_mb,
                "strict_layers": self.strict_layers, "reader": self.reader}

    def report_key(self) -> str:
        """sha256 of the options that change a report (not the budgets nor --fail-on)."""
        options = {"packs": list(self.packs) if self.packs else None, "units": self.units,
                   "limits": dict(sorted(self.limits.items()))}
        if self.strict_layers:  # only when set, so that the keys of earlier runs stay valid
            options["strict_layers"] = True
        if self.reader != "auto":  # the report names the reader that ran
            options["reader"] = self.reader
        text = json.dumps(options, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def numba_threads(jobs: int, cores: int | None = None) -> int:
    """Threads per child so that jobs x threads <= cores (at least 1)."""
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, jobs))


# -- one isolated check ------------------------------------------------------------------------------------


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def run_isolated(base: Path | str, arg: str, options: Options, threads: int = 1) -> dict:
    """Check ``arg`` (relative to ``base``) in a child process within ``options``' budgets.

    The child is forked from a warm server or spawned (:mod:`drawcheck.batch.isolation`).
    Returns ``{"status", "error", "report", "seconds"}``: status ``report``
    (``report`` is the report JSON text), ``unreadable``, ``failed`` or ``timeout``.
    """
    start = time.perf_counter()
    try:
        child = run_child(base, options.job(arg), threads, options.timeout, spawn=options.spawn)
    except OSError as exc:  # no process could be started (out of processes, file descriptors, memory)
        return {"status": "failed", "report": None, "seconds": time.perf_counter() - start,
                "error": f"the check process could not be started: {exc.strerror or exc}"}
    seconds = time.perf_counter() - start
    if child.timed_out:
        return {"status": "timeout", "report": None, "seconds": seconds,
                "error": f"no result within {options.timeout:g} s (--timeout); the check was stopped"}
    head, _, body = (child.answer or b"").partition(b"\n")
    try:
        header = json.loads(head.decode("utf-8")) if head else None
    except (UnicodeDecodeError, ValueError):
        header = None
    if header is None or child.returncode != 0:
        code = child.returncode
        if code is not None and code < 0:
            try:
                how = f"the check process was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"the check process was killed by signal {-code}"
            if -code == getattr(signal, "SIGKILL", 9):
                how += " (out of memory?)"
        else:
            how = f"the check process exited with code {code} without a result"
        last = _last_line(child.stderr)
        if says_out_of_memory(last):
            how = f"out of memory: the check needed more than the memory budget of {options.memory_mb} MB (--memory-mb)"
        elif last:
            how += f": {last}"
        return {"status": "failed", "report": None, "error": how, "seconds": seconds}
    status = header.get("status")
    if status == "report":
        return {"status": "report", "report": body.decode("utf-8"), "error": None, "seconds": seconds}
    return {"status": status if status in BROKEN else "failed", "report": None,
            "error": header.get("error") or "no reason given", "seconds": seconds}


# -- skip when unchanged ------------------------------------------------------------------------------------


def _shipped_pack_hashes() -> set[str]:
    from ..standards.packs import PACK_DIR

    return {sha256_file(p) for p in PACK_DIR.glob("*.toml")}


_PACK_HASHES: set[str] | None = None
_PACK_LOCK = threading.Lock()


def shipped_pack_hashes() -> set[str]:
    global _PACK_HASHES
    with _PACK_LOCK:
        if _PACK_HASHES is None:
            _PACK_HASHES = _shipped_pack_hashes()
        return _PACK_HASHES


def key_text(files: Sequence[tuple[str, str]], packs: Iterable[dict], options: Options) -> str:
    """The ``inputs.sha256`` of a report: drawcheck version, options, input files and packs."""
    lines = ["# drawcheck batch: the inputs of report.json; a re-run skips the submission while they are unchanged",
             f"drawcheck {__version__}", f"options {options.report_key()}"]
    lines += [f"file {digest}  {rel}" for rel, digest in files]
    lines += [f"pack {p['sha256']}  {p['id']} {p['version']}" for p in packs]
    return "\n".join(lines) + "\n"


def unchanged(folder: Path, files: Sequence[tuple[str, str]], options: Options) -> bool:
    """Whether ``folder`` holds a report made from exactly these files, options and packs."""
    key, report = folder / KEY_NAME, folder / REPORT_NAME
    if not (key.is_file() and report.is_file()):
        return False
    try:
        lines = key.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    head = [line for line in lines if line.startswith(("drawcheck ", "options "))]
    if head != [f"drawcheck {__version__}", f"options {options.report_key()}"]:
        return False
    if [line for line in lines if line.startswith("file ")] != [f"file {d}  {rel}" for rel, d in files]:
        return False
    known = shipped_pack_hashes() | {digest for _, digest in files}  # a local pack is one of the files
    packs = [line.split()[1] for line in lines if line.startswith("pack ")]
    return bool(packs) and all(p in known for p in packs)


# -- results ----------------------------------------------------------------------------------------------


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def exit_code_of(summary: dict, fail_on: str) -> int:
    """The exit code `drawcheck check --fail-on FAIL_ON` gives for a report with this summary (0 or 1)."""
    if fail_on == "never":
        return 0
    if summary.get("errors"):
        return 1
    return 1 if fail_on == "warning" and summary.get("warnings") else 0


def row_of(sub: Submission, status: str, report: dict | None, error: str | None, seconds: float | None,
           fail_on: str) -> dict:
    """One summary row: status, result, error, finding counts (total and per department), key indicators.

    ``result`` is what the report says under ``fail_on`` (``passed`` or ``findings``), also for a
    submission skipped as ``unchanged``, whose row is filled from its kept report; without a report
    it is the status (``unreadable``, ``failed``, ``timeout``).
    """
    row = {"name": sub.name, "source": sub.source, "status": status, "result": status, "error": error,
           "exit_code": None,
           "report": f"{sub.name}/{REPORT_NAME}" if report is not None else None,
           "seconds": round(seconds, 3) if seconds is not None else None,
           "project": None, "errors": None, "warnings": None, "infos": None, "by_department": {},
           "indicators": {}}
    if report is not None:
        summary = report.get("summary", {})
        row["exit_code"] = exit_code_of(summary, fail_on)
        row["project"] = report.get("project", {}).get("name")
        for key in ("errors", "warnings", "infos"):
            row[key] = summary.get(key, 0)
        row["by_department"] = {dept: dict(counts) for dept, counts in sorted(summary.get("by_department", {}).items())}
        row["indicators"] = {k: v.get("value") for k, v in sorted(report.get("indicators", {}).items())
                             if isinstance(v, dict)}
        row["result"] = "findings" if row["exit_code"] else "passed"
        if status != "unchanged":
            row["status"] = row["result"]
    else:
        row["exit_code"] = 2
    return row


def batch_exit_code(rows: Sequence[dict]) -> int:
    """2 when any submission has no report (unreadable, failed, timeout), else 1 when any has findings
    at or above --fail-on, else 0."""
    if any(r["status"] in BROKEN for r in rows):
        return 2
    return 1 if any(r["exit_code"] == 1 for r in rows) else 0


class Recorder:
    """Writes each finished submission under ``out`` as it comes in and keeps its summary row."""

    def __init__(self, out: Path, options: Options, on_row: Callable[[dict], None] | None = None) -> None:
        self.out = out
        self.options = options
        self.rows: list[dict] = []
        self.on_row = on_row

    def folder(self, sub: Submission) -> Path:
        folder = self.out / sub.name
        if folder.resolve().parent != self.out.resolve():  # names are sanitised; never write elsewhere
            raise BatchError(f"{sub.name}: not a safe output name")
        return folder

    def record(self, sub: Submission, result: dict, files: Sequence[tuple[str, str]] | None) -> dict:
        folder = self.folder(sub)
        status = result["status"]
        report = None
        if status == "unchanged":
            try:
                report = json.loads((folder / REPORT_NAME).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                status, result = "failed", {**result, "error": "the kept report could not be read"}
        elif status == "report":
            text = result["report"]
            report = json.loads(text)
            folder.mkdir(parents=True, exist_ok=True)
            _unlink(folder / ERROR_NAME)
            _unlink(folder / KEY_NAME)
            _write_atomic(folder / REPORT_NAME, text.encode("utf-8"))
            if files is not None:
                _write_atomic(folder / KEY_NAME, key_text(files, report.get("packs", []), self.options).encode())
        else:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in (REPORT_NAME, KEY_NAME):
                _unlink(folder / stale)
            _write_atomic(folder / ERROR_NAME, f"{status}: {result.get('error')}\n".encode("utf-8"))
        row = row_of(sub, status, report, result.get("error"), result.get("seconds"), self.options.fail_on)
        self.rows.append(row)
        if self.on_row is not None:
            self.on_row(row)
        return row


# -- the local executor ---------------------------------------------------------------------------------------


def local_task(sub: Submission, folder: Path, options: Options, threads: int, force: bool) -> tuple[dict, list]:
    """Hash, skip when unchanged, else check in a child process (runs in a pool thread)."""
    start = time.perf_counter()
    files = [(rel, sha256_file(path)) for rel, path in submission_files(sub)]
    if not force and unchanged(folder, files, options):
        return {"status": "unchanged", "report": None, "error": None,
                "seconds": time.perf_counter() - start}, files
    if not sub.path.exists():
        return {"status": "unreadable", "report": None, "error": f"{sub.source}: no such file or folder",
                "seconds": 0.0}, files
    return run_isolated(sub.base, sub.arg, options, threads), files


def run_local(subs: Sequence[Submission], recorder: Recorder, options: Options, jobs: int,
              force: bool = False) -> None:
    """Check ``subs`` with ``jobs`` children at a time on this machine."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    threads = numba_threads(jobs)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="drawcheck-batch")
    try:
        futures = {pool.submit(local_task, sub, recorder.folder(sub), options, threads, force): sub for sub in subs}
        for future in as_completed(futures):
            result, files = future.result()
            recorder.record(futures[future], result, files)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        kill_all()
        raise
    pool.shutdown(wait=True)


# -- the whole batch -----------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    rows: list[dict]
    ignored: list[str]
    exit_code: int
    seconds: float


def run_batch(sources: Sequence[Path | str], out: Path | str, *, options: Options | None = None, jobs: int | None = None,
              dask: str | object | None = None, shared_path: bool = False, force: bool = False,
              on_start: Callable[[int], None] | None = None, on_row: Callable[[dict], None] | None = None) -> BatchResult:
    """Check every submission of ``sources`` into ``out`` and write the summary; return the rows and exit code.

    ``dask``: a scheduler address or a ``dask.distributed.Client`` to run on
    instead of the local pool; ``shared_path``: the workers read the
    submissions from the same paths (else the files are sent as bytes).
    """
    from .summary import write_summary

    options = options or Options()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BatchError(f"--out {out}: exists and is not a folder")
    subs, ignored = discover(sources, exclude=out)
    out.mkdir(parents=True, exist_ok=True)
    recorder = Recorder(out, options, on_row)
    if on_start is not None:
        on_start(len(subs))
    start = time.perf_counter()
    if dask is not None:
        from .dask_executor import run_dask

        run_dask(subs, recorder, options, dask, shared_path=shared_path, force=force)
    else:
        run_local(subs, recorder, options, jobs or os.cpu_count() or 1, force=force)
    seconds = time.perf_counter() - start
    rows = sorted(recorder.rows, key=lambda r: r["name"])
    code = batch_exit_code(rows)
    write_summary(out, rows, {"fail_on": options.fail_on, "exit_code": code, "ignored": ignored,
                              "executor": "dask" if dask is not None else
                              f"local ({jobs or os.cpu_count()} jobs, {method(options.spawn)} children)",
                              "seconds": round(seconds, 3)})
    return BatchResult(rows, ignored, code, seconds)
