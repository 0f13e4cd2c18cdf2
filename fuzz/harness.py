"""The loop shared by ``fuzz_dxf.py`` and ``fuzz_manifest.py``: run, count, save failing inputs."""

from __future__ import annotations

import hashlib
import logging
import os
import random
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

CRASHES = Path(__file__).resolve().parent / "crashes"


class Harness:
    def __init__(self, name: str, suffix: str, check, slow: float = 10.0) -> None:
        self.name = name
        self.suffix = suffix
        self.check = check  # (bytes, folder) -> outcome; raises on failure
        self.outcomes: Counter = Counter()
        self.failures: Counter = Counter()  # "Type: first line" -> count
        self.saved: list[Path] = []
        self.ran = 0
        self.slowest = 0.0  # s, one input
        self.slow = slow  # s: inputs slower than this are saved too (not failures)
        logging.getLogger("ezdxf").setLevel(logging.CRITICAL)
        warnings.simplefilter("ignore")

    # -- one input -------------------------------------------------------------------------
    def one(self, data: bytes, folder: Path) -> bool:
        self.ran += 1
        t0 = time.monotonic()
        try:
            self.outcomes[self.check(data, folder)] += 1
            return True
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - everything else is a finding of the fuzzer
            key = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ''}"
            self.failures[key] += 1
            self.outcomes["failed"] += 1
            self._save(data, traceback.format_exc())
            return False
        finally:
            took = time.monotonic() - t0
            self.slowest = max(self.slowest, took)
            if took > self.slow:
                self._save(data, f"took {took:.1f} s", kind="slow-")

    def _save(self, data: bytes, trace: str, kind: str = "") -> None:
        CRASHES.mkdir(exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()[:16]
        path = CRASHES / f"{self.name}-{kind}{digest}{self.suffix}"
        if not path.exists():
            path.write_bytes(data)
            path.with_suffix(path.suffix + ".txt").write_text(trace, encoding="utf-8", errors="backslashreplace")
            self.saved.append(path)

    # -- engines -----------------------------------------------------------------------------
    def run(self, minutes: float, seed: int, make) -> int:
        """Seeded loop: input k is ``make(Random(f"{seed}:{k}"))``, so any one can be regenerated."""
        print(f"fuzz {self.name}: seed {seed}, {minutes:g} min", flush=True)
        end = time.monotonic() + minutes * 60
        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"drawcheck-fuzz-{self.name}-") as tmp:
            folder = Path(tmp)
            k = 0
            while time.monotonic() < end:
                self.one(make(random.Random(f"{seed}:{k}")), folder)
                k += 1
                if k % 500 == 0:
                    print(f"  {k} inputs, {self.outcomes['failed']} failed", flush=True)
        return self.summary(time.monotonic() - start)

    def atheris(self, minutes: float, seeds, modules: tuple[str, ...]) -> int:
        """Coverage-guided with atheris (libFuzzer) over ``modules`` (instrumented); stops itself after ``minutes``."""
        try:
            import atheris
        except ImportError:
            print("atheris is not installed: pip install atheris, or use --engine random", file=sys.stderr)
            return 2
        import importlib

        # numba's njit cannot compile instrumented bytecode: import its users first, uninstrumented
        for module in ("drawcheck.geometry.kernels", "drawcheck.geometry.arcs", "drawcheck.geometry.arrays",
                       "drawcheck.geometry.meshes", "drawcheck.indicators.distances", "drawcheck.sunlight.solar",
                       "drawcheck.sunlight.bvh", "drawcheck.rules.sunlight"):
            try:
                importlib.import_module(module)
            except ImportError:
                pass
        with atheris.instrument_imports():
            for module in modules:
                importlib.import_module(module)
        corpus = Path(tempfile.mkdtemp(prefix=f"drawcheck-fuzz-{self.name}-corpus-"))
        for i, s in enumerate(seeds() if callable(seeds) else seeds):  # a callable: built after instrumenting
            (corpus / f"seed{i}").write_bytes(s)
        folder = Path(tempfile.mkdtemp(prefix=f"drawcheck-fuzz-{self.name}-"))
        clock: list[float] = []  # the budget starts with the first input, after instrumenting

        def test_one(data: bytes) -> None:
            if not clock:
                clock.append(time.monotonic())
            self.one(data, folder)
            if time.monotonic() > clock[0] + minutes * 60:
                code = self.summary(time.monotonic() - clock[0])
                sys.stdout.flush()
                os._exit(code)

        atheris.Setup([sys.argv[0], str(corpus), "-max_len=200000", "-rss_limit_mb=4096"], test_one)
        atheris.Fuzz()
        return 0

    def replay(self, paths: list[Path]) -> int:
        """Run saved inputs again, printing each one's traceback."""
        with tempfile.TemporaryDirectory() as tmp:
            for path in paths:
                try:
                    print(f"{path}: {self.check(path.read_bytes(), Path(tmp))}")
                except BaseException:  # noqa: BLE001
                    print(f"{path}: FAILED")
                    traceback.print_exc()
                    self.outcomes["failed"] += 1
        return 1 if self.outcomes["failed"] else 0

    def summary(self, seconds: float) -> int:
        failed = self.outcomes["failed"]
        rate = f", {self.ran / seconds:.1f}/s" if seconds else ""
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        print(f"fuzz {self.name}: ran {self.ran} inputs in {seconds:.0f} s{rate}, slowest {self.slowest:.1f} s; "
              f"failed {failed} ({outcomes})")
        for key, n in self.failures.most_common():
            print(f"  {n} x {key}")
        for path in self.saved:
            print(f"  saved {path}")
        return 1 if failed else 0
