"""IFC geometry in a child process, so a kernel crash or hang cannot take the check down.

The parent (:func:`run_geometry`) starts ``python -m drawcheck.readers.ifc_geometry JOB``
with :mod:`subprocess` (not multiprocessing: it cannot start children inside
a Dask worker). The child triangulates the requested elements in world
coordinates (metres) and streams each mesh to ``meshes.bin`` (two ``np.save``
records) before announcing it in ``meshes.jsonl``, so whatever it finished
survives its death. The fast path is ``ifcopenshell.geom.iterator``; when
the child dies or overruns its budget, the unfinished elements are retried
one by one, each announced in ``progress.log`` first, so the element that
crashes or stalls the kernel is named and skipped and the rest is still read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Seconds the fast (iterator) pass may take before the slow pass takes over.
DEFAULT_BUDGET = 300.0
#: Seconds one element may take in the one-by-one pass before it is given up.
ELEMENT_BUDGET = 30.0
#: Test hook: "crash:ID" or "hang:ID" makes the child die or stall on that element (tests of the isolation).
FAULT_ENV = "DRAWCHECK_TEST_IFC_FAULT"
_POLL = 0.01


@dataclass
class Mesh:
    id: int  # STEP id of the element
    verts: np.ndarray  # (n, 3) m, world coordinates
    faces: np.ndarray  # (m, 3)


@dataclass
class GeometryResult:
    meshes: dict[int, Mesh] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)  # id -> why


class GeometryJob:
    """Geometry of the elements in ``groups`` (ids, keep openings), started at once, awaited with :meth:`result`.

    The fast child starts in the constructor, so the caller can do other work
    (schema validation, property sets) on the other core meanwhile.
    """

    def __init__(self, path: Path, groups: list[tuple[list[int], bool]], *, budget: float = DEFAULT_BUDGET,
                 element_budget: float = ELEMENT_BUDGET, threads: int = 1) -> None:
        self.path = path
        self.groups = [(list(ids), keep) for ids, keep in groups if ids]
        self.budget = budget
        self.element_budget = element_budget
        self.wanted = {i: keep for ids, keep in self.groups for i in ids}
        self._tmp = tempfile.TemporaryDirectory(prefix="drawcheck-ifc-")
        self.work = Path(self._tmp.name)
        self._fast = _start(path, self.work / "fast", self.groups, "iterator", threads) if self.wanted else None

    def result(self) -> GeometryResult:
        result = GeometryResult()
        try:
            if self._fast is not None:
                _watch(self._fast, self.work / "fast", "iterator", self.budget, self.element_budget, result)
                self._retry_one_by_one(result)
        finally:
            self._tmp.cleanup()
        return result

    def _retry_one_by_one(self, result: GeometryResult) -> None:
        """The element a crash or stall stops at is named and skipped; the others are read."""
        todo = [i for i in self.wanted if i not in result.meshes and i not in result.failed]
        attempt = 0
        while todo:
            attempt += 1
            out = self.work / f"slow{attempt}"
            retry = [([i for i in todo if self.wanted[i] == keep], keep) for keep in (True, False)]
            proc = _start(self.path, out, [g for g in retry if g[0]], "single", 1)
            stopped_at = _watch(proc, out, "single", None, self.element_budget, result)
            if stopped_at is not None:
                result.failed.setdefault(stopped_at[0], stopped_at[1])
            remaining = [i for i in todo if i not in result.meshes and i not in result.failed]
            if stopped_at is None and remaining:  # the child ended cleanly without a word on these
                for i in remaining:
                    result.failed[i] = "the geometry kernel produced no shape"
                remaining = []
            todo = remaining


def run_geometry(path: Path, groups: list[tuple[list[int], bool]], *, budget: float = DEFAULT_BUDGET,
                 element_budget: float = ELEMENT_BUDGET, threads: int = 1) -> GeometryResult:
    """Meshes of the elements in ``groups`` (ids, keep openings) of the IFC at ``path``."""
    return GeometryJob(path, groups, budget=budget, element_budget=element_budget, threads=threads).result()


def _start(path: Path, out: Path, groups, mode: str, threads: int) -> subprocess.Popen:
    out.mkdir(parents=True)
    job = out / "job.json"
    job.write_text(json.dumps({"path": str(path), "groups": groups, "mode": mode, "threads": threads}))
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    with open(out / "stderr.log", "wb") as err:  # a file, not a pipe: a chatty kernel must not block
        return subprocess.Popen([sys.executable, "-m", "drawcheck.readers.ifc_geometry", str(job)],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)


def _watch(proc: subprocess.Popen, out: Path, mode: str, budget: float | None, element_budget: float,
           result: GeometryResult):
    """Wait for a child, killing it when it stalls or overruns; collect its meshes into ``result``.

    Returns (id, why) of the element a one-by-one child stopped at, else None.
    """
    start = last_progress = time.monotonic()
    seen = 0
    stopped = None
    progress = out / ("progress.log" if mode == "single" else "meshes.jsonl")
    while proc.poll() is None:
        time.sleep(_POLL)
        now = time.monotonic()
        lines = _read_lines(progress)
        if len(lines) != seen:
            seen, last_progress = len(lines), now
        elif now - last_progress > element_budget:  # stalled on one element
            proc.kill()
            if mode == "single" and lines:
                stopped = (int(lines[-1]), f"the geometry kernel took more than {element_budget:.0f} s")
        if budget is not None and now - start > budget:
            proc.kill()
    proc.wait()
    stderr = (out / "stderr.log").read_text(errors="replace")
    _collect(out, result)
    if mode == "single" and stopped is None and proc.returncode != 0:
        lines = _read_lines(out / "progress.log")
        last = int(lines[-1]) if lines else None
        if last is not None and last not in result.meshes and last not in result.failed:
            stopped = (last, f"the geometry kernel crashed (exit {proc.returncode}): {_last_line(stderr)}")
        elif last is None:
            raise RuntimeError(f"IFC geometry process failed before any element: {_last_line(stderr)}")
    return stopped


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "no message"


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return [ln for ln in text.split("\n")[:-1] if ln]  # only complete lines


def _collect(out: Path, result: GeometryResult) -> None:
    lines = _read_lines(out / "meshes.jsonl")
    if not lines:
        return
    with open(out / "meshes.bin", "rb") as fp:
        for line in lines:
            row = json.loads(line)
            if "error" in row:
                result.failed[row["id"]] = row["error"]
                continue
            verts, faces = np.load(fp), np.load(fp)
            result.meshes[row["id"]] = Mesh(row["id"], verts, faces)


# -- the child ------------------------------------------------------------------
def _settings(openings: bool):
    import ifcopenshell.geom

    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    settings.set("disable-opening-subtractions", not openings)
    return settings


def _fault(element_id: int) -> None:
    kind, _, target = os.environ.get(FAULT_ENV, "").partition(":")
    if target and int(target) == element_id:
        if kind == "crash":
            os.abort()
        if kind == "hang":
            time.sleep(3600)


def _emit(bin_fp, jsonl_fp, element_id: int, verts, faces) -> None:
    _fault(element_id)
    np.save(bin_fp, np.asarray(verts, dtype=np.float64).reshape(-1, 3))
    np.save(bin_fp, np.asarray(faces, dtype=np.int64).reshape(-1, 3))
    bin_fp.flush()
    jsonl_fp.write(json.dumps({"id": element_id}) + "\n")
    jsonl_fp.flush()


def child_main(job_path: str) -> int:
    import ifcopenshell
    import ifcopenshell.geom

    job = json.loads(Path(job_path).read_text())
    out = Path(job_path).parent
    model = ifcopenshell.open(job["path"])
    with open(out / "meshes.bin", "wb") as bin_fp, open(out / "meshes.jsonl", "w") as jsonl_fp, \
            open(out / "progress.log", "w") as progress:
        for ids, openings in job["groups"]:
            settings = _settings(openings)
            elements = [model.by_id(i) for i in ids]
            if job["mode"] == "iterator":
                iterator = ifcopenshell.geom.iterator(settings, model, max(1, job["threads"]), include=elements)
                if iterator.initialize():
                    while True:
                        shape = iterator.get()
                        _emit(bin_fp, jsonl_fp, shape.id, shape.geometry.verts, shape.geometry.faces)
                        if not iterator.next():
                            break
                continue
            for element in elements:
                progress.write(f"{element.id()}\n")
                progress.flush()
                try:
                    _fault(element.id())
                    shape = ifcopenshell.geom.create_shape(settings, element)
                except Exception as exc:  # the kernel's own refusal: name it, go on
                    jsonl_fp.write(json.dumps({"id": element.id(), "error": f"{type(exc).__name__}: {exc}"[:300]}) + "\n")
                    jsonl_fp.flush()
                    continue
                _emit(bin_fp, jsonl_fp, element.id(), shape.geometry.verts, shape.geometry.faces)
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1]))
