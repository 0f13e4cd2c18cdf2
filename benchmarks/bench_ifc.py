"""IFC stage benchmark: drawcheck's reader against the bare ifcopenshell iterator on the same elements.

(a) Per model: ``ifcopenshell.geom.iterator`` alone, in-process, over exactly
the elements and settings drawcheck asks for (floor slabs with openings, the
rest without), beside drawcheck's whole IFC stage (`read_ifc`: trailer check,
open, geometry in a child process, projections, storeys, property sets) with
and without schema validation (which runs on the other core meanwhile).
(b) Plan projection of slab meshes: drawcheck's numba kernel + one shapely
union per mesh vs ``trimesh.path.polygons.projected``, areas compared.

    python benchmarks/bench_ifc.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ifcopenshell  # noqa: E402
import ifcopenshell.geom  # noqa: E402
import numpy as np  # noqa: E402

from common import machine  # noqa: E402  (benchmarks/common.py)
from drawcheck.geometry.meshes import plan_projection  # noqa: E402
from drawcheck.model import Project  # noqa: E402
from drawcheck.readers import ifc as ifc_reader  # noqa: E402

PUBLIC = ROOT.parent / "shared" / "data" / "public" / "ifc"
MODELS = [ROOT / "samples" / "residential-ifc" / "model.ifc"] + sorted(PUBLIC.glob("*.ifc"))


def drawcheck_groups(path: Path) -> list[tuple[list[int], bool]]:
    """The element groups drawcheck's reader asks the geometry kernel for."""
    captured = {}

    class Capture(Exception):
        pass

    def fake_start(self, plans, extras, budget):
        job = original(self, plans, extras, budget)
        captured["groups"] = job.groups
        job._fast.kill()
        job._tmp.cleanup()
        raise Capture

    original = ifc_reader._IfcReader._start_geometry
    ifc_reader._IfcReader._start_geometry = fake_start
    try:
        ifc_reader.read_ifc(path, path.name, Project("x"))
    except Capture:
        pass
    finally:
        ifc_reader._IfcReader._start_geometry = original
    return captured["groups"]


def bare_iterator(path: Path, groups) -> tuple[float, list]:
    """Seconds for open + iterate the same groups with the same settings, and the slab meshes."""
    t = time.perf_counter()
    model = ifcopenshell.open(str(path))
    meshes = []
    for ids, openings in groups:
        settings = ifcopenshell.geom.settings()
        settings.set("use-world-coords", True)
        settings.set("disable-opening-subtractions", not openings)
        iterator = ifcopenshell.geom.iterator(settings, model, 1, include=[model.by_id(i) for i in ids])
        if iterator.initialize():
            while True:
                shape = iterator.get()
                if openings:
                    meshes.append((np.asarray(shape.geometry.verts).reshape(-1, 3),
                                   np.asarray(shape.geometry.faces).reshape(-1, 3)))
                if not iterator.next():
                    break
    return time.perf_counter() - t, meshes


def drawcheck_stage(path: Path, validate: bool) -> float:
    original = ifc_reader._IfcReader._validate
    if not validate:
        ifc_reader._IfcReader._validate = lambda self: None
    try:
        t = time.perf_counter()
        ifc_reader.read_ifc(path, path.name, Project("x"))
        return time.perf_counter() - t
    finally:
        ifc_reader._IfcReader._validate = original


def projection_bench(meshes, runs: int) -> dict:
    import trimesh
    import trimesh.path.polygons

    plan_projection(*meshes[0])  # compile / load the kernel
    ours, theirs, diff = [], [], 0.0
    for _ in range(runs):
        t = time.perf_counter()
        a = [plan_projection(v, f).area for v, f in meshes]
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = [trimesh.path.polygons.projected(trimesh.Trimesh(v, f, process=False), normal=[0, 0, 1]).area
             for v, f in meshes]
        theirs.append(time.perf_counter() - t)
        diff = max(abs(x - y) / max(y, 1e-9) for x, y in zip(a, b))
    return {"ours": statistics.median(ours), "trimesh": statistics.median(theirs), "max_rel_diff": diff,
            "meshes": len(meshes), "triangles": int(sum(len(f) for _, f in meshes))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"machine: {machine()}\n")
    print(f"(a) IFC stage per model, median of {runs} interleaved runs\n")
    print("| model | elements | bare iterator s | drawcheck s | overhead | drawcheck + validation s | overhead |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    all_slabs = []
    for path in MODELS:
        if not path.exists():
            continue
        groups = drawcheck_groups(path)
        bare, ours, full = [], [], []
        for _ in range(runs):
            seconds, slabs = bare_iterator(path, groups)
            bare.append(seconds)
            ours.append(drawcheck_stage(path, validate=False))
            full.append(drawcheck_stage(path, validate=True))
        all_slabs += slabs
        b, o, f = statistics.median(bare), statistics.median(ours), statistics.median(full)
        n = sum(len(ids) for ids, _ in groups)
        print(f"| {path.name} | {n} | {b:.2f} | {o:.2f} | {o / b - 1:+.0%} | {f:.2f} | {f / b - 1:+.0%} |")
    p = projection_bench(all_slabs, runs)
    print(f"\n(b) plan projection of {p['meshes']} slab meshes ({p['triangles']} triangles), median of {runs}\n")
    print("| method | seconds | ratio |")
    print("|---|---:|---:|")
    print(f"| drawcheck `plan_projection` (numba upward-triangle filter + shapely union) | {p['ours']:.3f} | 1.00x |")
    print(f"| `trimesh.path.polygons.projected` | {p['trimesh']:.3f} | {p['trimesh'] / p['ours']:.1f}x |")
    print(f"\nlargest relative area difference between the two: {p['max_rel_diff']:.1e}")


if __name__ == "__main__":
    main()
