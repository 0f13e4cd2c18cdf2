"""numba for every kernel module: ``njit`` and ``prange``, its threading layer and a lean start.

Kernel modules import ``njit`` and ``prange`` from here rather than from numba,
so that both settings below are in force before their first kernel runs.

Threading layer: on a shared 2-core machine the default OpenMP layer spin-waits
and took ~3 ms a parallel loop (slower than one thread) while another process
held a core; workqueue held up (benchmarks/README.md). An explicit
``NUMBA_THREADING_LAYER`` wins.

Lean start: numba starts its CPU target on the first kernel call, even one
loaded from the on-disk cache, and that start imports ``scipy.linalg`` (only to
learn whether ``np.dot`` may call BLAS) and ``cffi`` with its C parser (only to
type cffi functions). Neither is used by a kernel here (no BLAS call, no cffi:
``tests/test_startup.py`` checks the kernels' source), and together they were
~0.3 s of a ~1.6 s ``drawcheck check`` (benchmarks/README.md, "Start-up").
So the first time numba takes its compiler lock (to load or compile any
function) after this module is imported, it starts the target with both
imports refused, then lets them import normally again; a command that imports
kernels but runs none pays nothing. In this process numba then compiles
``np.dot`` of two vectors without BLAS (its own loop, as where scipy is
absent); other BLAS and LAPACK functions import scipy when first compiled, as
before. During the start (~0.2 s, under numba's compiler lock) another thread
importing either module for the first time would get ImportError; the batch
runner and the service run checks in child processes.
"""

from __future__ import annotations

import os
import sys

import numba
from numba import njit, prange
from numba.core import event
from numba.core.compiler_lock import global_compiler_lock
from numba.core.registry import cpu_target

__all__ = ["njit", "prange", "start", "SKIPPED_AT_START"]

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

#: Modules numba's CPU target imports as it starts that no kernel here uses (see the module docstring).
SKIPPED_AT_START = ("scipy.linalg", "cffi")


def start() -> None:
    """Start numba's CPU target now, without :data:`SKIPPED_AT_START`: what the first kernel call
    would do first. Idempotent.

    ``sys.modules[name] = None`` makes ``import name`` raise ImportError, which numba takes as "not
    installed"; modules already imported are left alone. A numba that cannot start without them
    starts with them.
    """
    if _state["started"]:
        return
    _state["starting"] = True  # taking numba's lock below notifies _LeanStart, which must not start again
    try:
        with global_compiler_lock:
            if _state["started"]:
                return
            refused = [name for name in SKIPPED_AT_START if name not in sys.modules]
            for name in refused:
                sys.modules[name] = None
            try:
                cpu_target.target_context.refresh()
            except ImportError:
                _allow(refused)
                cpu_target.target_context.refresh()
            finally:
                _allow(refused)
            _state["started"] = True
    finally:
        _state["starting"] = False


_state = {"started": False, "starting": False}


def _allow(names: list[str]) -> None:
    for name in names:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]


class _LeanStart(event.Listener):
    """Calls :func:`start` the first time numba takes its compiler lock (to load or compile a function)."""

    def on_start(self, ev) -> None:
        if not (_state["started"] or _state["starting"]):
            start()

    def on_end(self, ev) -> None:
        pass


# Build the target context first: its construction takes the compiler lock too (the first @njit
# would do it), and starts nothing. The listener stays registered (a flag check per lock) rather
# than unregistering while numba iterates its listeners.
cpu_target.target_context  # noqa: B018
event.register("numba:compiler_lock", _LeanStart())
