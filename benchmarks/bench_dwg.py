"""DWG read time against the same drawing as DXF.

Two drawings, each as DXF and as the DWG ezdwg's writer makes of it
(``samples/generate_dwg.py``, handles kept): the residential sample and a
generated site plan (``benchmarks/gen_large_site.py``). For each, medians of
interleaved runs of

* load: the drawing as an ezdxf document (``load_dxf``: ezdxf's read for the
  DXF; ezdwg's read and snapshot plus the copy into ezdxf for the DWG),
* check: the whole ``drawcheck.check`` of the drawing alone (default packs),

and the DWG/DXF ratios. Both reports are compared first: the benchmark stops
if they differ apart from the input's name and hash.

    python benchmarks/bench_dwg.py [--runs N] [--buildings N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import machine  # benchmarks/common.py

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
sys.path.insert(0, str(ROOT / "samples"))


def large_pair(buildings: int) -> tuple[Path, Path]:
    """The generated site plan as DXF and DWG under benchmarks/data (made once, not committed)."""
    dxf = DATA / f"large-site-{buildings}.dxf"
    dwg = dxf.with_suffix(".dwg")
    if not dxf.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_large_site.py"), str(dxf),
                        "--buildings", str(buildings)], check=True)
    if not dwg.exists():
        dwg.write_bytes(_dwg_of(dxf))
    return dxf, dwg


def sample_pair() -> tuple[Path, Path]:
    dwg = DATA / "residential" / "site.dwg"  # the same stem: a lone drawing's project is named after it
    dxf = ROOT / "samples" / "residential" / "site.dxf"
    if not dwg.exists():
        dwg.parent.mkdir(parents=True, exist_ok=True)
        dwg.write_bytes(_dwg_of(dxf))
    return dxf, dwg


def _dwg_of(dxf: Path) -> bytes:
    import ezdxf
    from generate_dwg import dwg_bytes

    return dwg_bytes(ezdxf.readfile(dxf))


def _same_report(dxf: Path, dwg: Path) -> int:
    import drawcheck

    def norm(path: Path) -> str:
        data = drawcheck.check(path).data
        data["project"]["inputs"] = []
        return json.dumps(data, sort_keys=True, ensure_ascii=False).replace(path.name, "<input>")

    a, b = norm(dxf), norm(dwg)
    if a != b:
        raise SystemExit(f"bench_dwg: {dwg.name} does not report what {dxf.name} does; not timing")
    return len(json.loads(a)["buildings"])


def bench(dxf: Path, dwg: Path, runs: int) -> dict:
    import drawcheck
    from drawcheck.readers.dxf_load import load_dxf

    buildings = _same_report(dxf, dwg)  # also the warm-up (imports, numba cache)
    rows: dict[str, list[float]] = {k: [] for k in ("load dxf", "load dwg", "check dxf", "check dwg")}
    for _ in range(runs):  # interleaved, so both see the same machine load
        for kind, path in (("dxf", dxf), ("dwg", dwg)):
            t = time.perf_counter()
            load_dxf(path)
            rows[f"load {kind}"].append(time.perf_counter() - t)
        for kind, path in (("dxf", dxf), ("dwg", dwg)):
            t = time.perf_counter()
            drawcheck.check(path)
            rows[f"check {kind}"].append(time.perf_counter() - t)
    stats = {k: (statistics.median(v), min(v), max(v)) for k, v in rows.items()}
    import ezdxf

    entities = len(ezdxf.readfile(dxf).modelspace())
    return {"stats": stats, "buildings": buildings, "entities": entities,
            "sizes": (dxf.stat().st_size, dwg.stat().st_size)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--buildings", type=int, default=2000, help="buildings in the generated plan")
    ap.add_argument("--quick", action="store_true", help="3 runs, a 200-building plan")
    args = ap.parse_args(argv)
    runs, buildings = (3, 200) if args.quick else (args.runs, args.buildings)
    from importlib.metadata import version

    print(f"machine: {machine()}, ezdxf {version('ezdxf')}, ezdwg {version('ezdwg')}")
    print(f"medians of {runs} interleaved runs, seconds (min-max)\n")
    print("| drawing | entities | DXF / DWG size | step | DXF s | DWG s | DWG / DXF |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for label, (dxf, dwg) in (("residential sample", sample_pair()),
                              (f"generated plan, {buildings} buildings", large_pair(buildings))):
        out = bench(dxf, dwg, runs)
        s = out["stats"]
        size = f"{out['sizes'][0] / 1e6:.2f} / {out['sizes'][1] / 1e6:.2f} MB"
        for step in ("load", "check"):
            a, b = s[f"{step} dxf"], s[f"{step} dwg"]
            print(f"| {label} | {out['entities']} | {size} | {step} | {a[0]:.3f} ({a[1]:.3f}-{a[2]:.3f}) "
                  f"| {b[0]:.3f} ({b[1]:.3f}-{b[2]:.3f}) | {b[0] / a[0]:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
