"""Start-up of the CLI: what a command imports, and numba's lean start (drawcheck/geometry/jit.py).

No timings here (benchmarks/bench_check.py measures them): these tests pin down which modules
a fresh process has imported after a command, which is what the start-up time follows from.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESIDENTIAL = ROOT / "samples" / "residential"

#: Heavy modules no step of ``check`` on a DXF submission uses: numba's start would import the first
#: two (drawcheck.geometry.jit refuses them), the others only the IFC route, meshes and HTML reports use.
NOT_ON_CHECK_PATH = ("scipy.linalg", "cffi", "pycparser", "trimesh", "ifcopenshell", "jinja2")

#: Modules holding numba kernels; every one must take njit/prange from drawcheck.geometry.jit.
KERNEL_MODULES = ("drawcheck.geometry.arcs", "drawcheck.geometry.kernels", "drawcheck.geometry.meshes",
                  "drawcheck.readers.dxf_tags", "drawcheck.reports.json_text", "drawcheck.sunlight.bvh", "drawcheck.sunlight.caps",
                  "drawcheck.sunlight.solar")

#: numpy names whose numba implementation calls BLAS/LAPACK (or, without scipy, a slower loop).
BLAS_NAMES = {"dot", "vdot", "inner", "outer", "matmul", "linalg", "kron", "tensordot", "einsum", "trace"}


def _modules_after(*cli_args: str, probe: str = "") -> dict:
    """Run the CLI in a fresh process as ``python -m drawcheck`` would; return its exit code, stdout
    and which of ``probe``'s module names it had imported by the end."""
    script = textwrap.dedent(f"""
        import contextlib, io, json, sys
        sys.argv = ["drawcheck", *{list(cli_args)!r}]
        from drawcheck.cli import main
        out = io.StringIO()
        code = None
        with contextlib.redirect_stdout(out):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
        names = {probe!r}.split(",") if {probe!r} else []
        print(json.dumps({{"code": code, "stdout": out.getvalue(),
                           "present": [n for n in names if sys.modules.get(n) is not None]}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_leaves_heavy_modules_out(fmt):
    probe = ",".join((*NOT_ON_CHECK_PATH, "numba.np.arraymath", "ezdxf", "shapely"))
    result = _modules_after("check", str(RESIDENTIAL), "--format", fmt, probe=probe)
    assert result["code"] == 1  # the demo fails FAR and parking on purpose
    if fmt == "json":
        assert json.loads(result["stdout"])["summary"]
    else:
        assert "FAR" in result["stdout"]
    # the check did run kernels (numba's target started) and read the drawing ...
    assert {"numba.np.arraymath", "ezdxf", "shapely"} <= set(result["present"])
    # ... without any of these
    assert not set(result["present"]) & set(NOT_ON_CHECK_PATH), result["present"]


@pytest.mark.parametrize("args", [["--version"], ["rules", "list", "--format", "json"]])
def test_commands_without_geometry_do_not_start_numba(args):
    """``rules list`` imports the rule modules (and through them the kernels) but runs no kernel."""
    result = _modules_after(*args, probe="numba.np.arraymath,scipy.linalg,ezdxf")
    assert result["code"] in (None, 0)
    assert result["present"] == []


def _run_python(code: str, returncode: int = 0) -> str:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert proc.returncode == returncode, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_refused_modules_import_normally_after_the_start():
    out = _run_python("""
        import sys
        import numpy as np
        from drawcheck.geometry.kernels import polygon_areas
        from drawcheck.geometry.jit import SKIPPED_AT_START
        xy = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 3.0], [0.0, 3.0]])
        area = polygon_areas(xy, np.zeros(4), np.array([0, 4]), np.array([0, 1]))[0]
        before = [n for n in SKIPPED_AT_START if n in sys.modules]
        import scipy.linalg
        import numba.np.arraymath as am
        print(area, before, scipy.linalg.norm(np.array([3.0, 4.0])), am._HAVE_BLAS)
    """)
    area, rest = out.split(" ", 1)
    assert float(area) == 6.0
    # nothing left behind: no None entry that would keep refusing them, and scipy.linalg imports
    assert rest.startswith("[] 5.0")
    # what the start changed: numba compiles np.dot of two vectors without BLAS in this process
    assert rest.endswith("False")


def test_modules_imported_before_are_left_alone():
    out = _run_python("""
        import scipy.linalg
        import numpy as np
        from drawcheck.geometry.kernels import polygon_areas
        xy = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 3.0], [0.0, 3.0]])
        polygon_areas(xy, np.zeros(4), np.array([0, 4]), np.array([0, 1]))
        import numba.np.arraymath as am
        print(am._HAVE_BLAS)
    """)
    assert out == "True"


def _numba_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            names.add("@")
        elif isinstance(node, ast.Attribute) and node.attr in BLAS_NAMES | {"cffi"}:
            names.add(node.attr)
        elif isinstance(node, ast.Name) and node.id in {"cffi", "ffi"}:
            names.add(node.id)
    return names


def test_no_kernel_calls_blas_or_cffi():
    """What the lean start relies on: no kernel needs what numba's start no longer imports."""
    from numba.core.dispatcher import Dispatcher

    kernels = 0
    for name in KERNEL_MODULES:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == name:
                kernels += 1
                tree = ast.parse(textwrap.dedent(inspect.getsource(obj.py_func)))
                assert not _numba_names(tree), f"{name}.{obj.py_func.__name__}: {_numba_names(tree)}"
    assert kernels > 40  # the scan did see the kernels


def test_blas_scan_finds_what_it_looks_for():
    tree = ast.parse("def f(a, b):\n    c = a @ b\n    return np.dot(a, b) + np.linalg.norm(c)\n")
    assert _numba_names(tree) == {"@", "dot", "linalg"}


def test_every_kernel_module_takes_njit_from_jit():
    """A module with its own ``from numba import njit`` could start numba's target before jit.py's
    listener is there (scipy.linalg and cffi imported again), and would miss the threading layer."""
    users = set()
    for path in sorted((ROOT / "drawcheck").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "numba" and name != "drawcheck.geometry.jit":
                assert not {a.name for a in node.names} & {"njit", "jit", "prange", "vectorize"}, name
            if isinstance(node, ast.Name) and node.id == "njit":
                users.add(name)
    assert users - {"drawcheck.geometry.jit"} == set(KERNEL_MODULES)


def test_cli_exit_leaves_live_objects_to_the_process():
    """``main()`` freezes the objects alive at exit, so Python's shutdown does not collect over them;
    atexit handlers still run (this test reads the freeze count from one)."""
    out = _run_python(f"""
        import atexit, gc, sys
        atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 10000))
        sys.argv = ["drawcheck", "check", {str(RESIDENTIAL)!r}, "--format", "json"]
        from drawcheck.cli import main
        assert gc.get_freeze_count() == 0
        main()
    """, returncode=1)  # the demo fails FAR and parking on purpose
    assert out == "frozen at exit: True"


def test_check_starts_numba_frozen_before_reading():
    """The CLI check starts numba before anything of the submission exists and freezes what is alive
    (numba's registries and the imported modules), with the GC on again afterwards, collecting the
    young generation every 100,000 allocations instead of Python's 700."""
    out = _run_python("""
        import gc, sys
        from drawcheck import cli
        before = gc.get_freeze_count()
        default = gc.get_threshold()
        cli._start_numba_frozen()
        print(before, gc.get_freeze_count() > 50000, gc.isenabled(), "numba.np.arraymath" in sys.modules,
              "scipy.linalg" in sys.modules, default, gc.get_threshold())
    """)
    assert out == "0 True True True False (700, 10, 10) (100000, 20, 100)"


def test_check_of_a_missing_path_does_not_start_numba():
    result = _modules_after("check", str(ROOT / "no-such-submission"), probe="numba.np.arraymath,ezdxf")
    assert result["code"] == 2
    assert result["present"] == []


def test_check_through_app_in_process_freezes_nothing():
    """Called in-process (typer's test runner, an application), the check must not freeze the host's
    objects nor change its GC thresholds: only ``main()``, the entry point of a one-command process, does."""
    out = _run_python(f"""
        import gc
        from typer.testing import CliRunner
        from drawcheck.cli import app
        result = CliRunner().invoke(app, ["check", {str(RESIDENTIAL)!r}, "--format", "json"])
        print(result.exit_code, gc.get_freeze_count(), gc.isenabled(), gc.get_threshold())
    """)
    assert out == "1 0 True (700, 10, 10)"
