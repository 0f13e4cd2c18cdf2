"""Write the area-calculation sample (samples/area-calc/) and its hand-worked expected values.

Usage::

    python samples/generate_area.py [--out DIR]

writes ``DIR/area-calc/`` (default ``DIR`` = this folder): ``site.dxf`` (the
site plan, metres), ``area-1.dxf`` and ``area-2.dxf`` (the area-calculation
drawings 面积计算图 of 1# and 2#, as institutes' plugins draw them: one
cluster of closed polylines per floor plan on ``面积-<class>-<use>-<coef>``
layers, a floor label per plan on 标注层, the plugin's area texts on the
frozen layer 计算面积, a legend, a frame 打印图框 titled ``A地块1#楼``;
area-1.dxf declares mm but is drawn in metres, as real ones often are),
``drawcheck.toml`` naming them in ``[area_drawings]``, and ``expected.json``.
``samples/generate.py`` calls :func:`build_samples` too.

Every rectangle is listed below in metres; ``expected.json`` is worked from
those sides (w x h x floors x coefficient) by hand formulas, never by
reading the DXF or calling drawcheck. Output is byte-identical on every run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import dxf_bytes, json_text, new_document, reproducible_ezdxf, rnd, write_if_changed  # noqa: E402

FOLDER = "area-calc"
SITE = (0.0, 0.0, 100.0, 80.0)  # 用地红线, m
#: building -> (outline on the site plan, label, floors, height m)
BUILDINGS = {
    "1#": ((10.0, 10.0, 40.0, 22.0), "1#住宅 18F 54.0m", 18, 54.0),
    "2#": ((55.0, 10.0, 75.0, 22.0), "2#商业 3F 15.0m", 3, 15.0),
}
#: building -> (file, $INSUNITS declared, title, [(layer, floors, floor count, x0, y0, x1, y1)]); drawn in metres
AREA_DRAWINGS = {
    "1#": ("area-1.dxf", 4, "A地块1#楼", [
        ("面积-计容-商业-1", "1-1", 1, 0, 0, 30, 12),
        ("面积-基底-住宅-1", "1-1", 1, 0, 0, 30, 12),
        ("面积-计容-住宅-1", "2-9,11-18", 16, 40, 0, 70, 10),
        ("面积-计容-阳台-0.5", "2-9,11-18", 16, 40, 10, 70, 12),
        ("面积-免计容-避难层-1", "10", 1, 80, 0, 110, 12),
        ("面积-不计容-地下室-1", "B1", 1, 0, 20, 30, 32),
    ]),
    "2#": ("area-2.dxf", 6, "A地块2#楼", [
        ("面积-计容-商业-1", "1-3", 3, 0, 0, 20, 12),
        ("面积-基底-商业-1", "1-3", 3, 0, 0, 20, 12),
        ("面积-计容-中庭--1", "1-3", 3, 8, 4, 12, 8),
    ]),
}
BELOW_GROUND_USES = {"地下室"}
CONDITIONS = {"far_max": 1.0, "coverage_max": 0.3, "height_max": 60.0}


def _layer_parts(layer: str) -> tuple[str, str, float]:
    """class word, use, coefficient of a 面积-<class>-<use>-<coef> name (the sample's own, simple names)."""
    _, cls, use, *rest = layer.split("-")
    coef = -float(rest[1]) if rest[0] == "" else float(rest[0])
    return cls, use, coef


def expected() -> dict:
    """The indicators and schedules, from the rectangles above."""
    sx0, sy0, sx1, sy1 = SITE
    site_area = (sx1 - sx0) * (sy1 - sy0)
    footprint = sum((x1 - x0) * (y1 - y0) for (x0, y0, x1, y1), *_ in BUILDINGS.values())
    schedules = {}
    for bid, (_, _, _, polys) in AREA_DRAWINGS.items():
        totals = {"计容": 0.0, "不计容": 0.0, "免计容": 0.0, "基底": 0.0}
        above = below = 0.0
        for layer, group, count, x0, y0, x1, y1 in polys:
            cls, use, coef = _layer_parts(layer)
            area = (x1 - x0) * (y1 - y0)
            if cls == "基底":
                totals[cls] += area * coef
                continue
            gfa = area * count * coef
            totals[cls] += gfa
            if use in BELOW_GROUND_USES or group.startswith("B"):
                below += gfa
            else:
                above += gfa
        schedules[bid] = {"gfa_counted": rnd(totals["计容"]), "gfa_not_counted": rnd(totals["不计容"]),
                          "gfa_exempt": rnd(totals["免计容"]), "footprint_area": rnd(totals["基底"]),
                          "gfa_above": rnd(above), "gfa_below": rnd(below)}
    site_gfa = {bid: (r[2] - r[0]) * (r[3] - r[1]) * floors for bid, (r, _, floors, _) in BUILDINGS.items()}
    for bid, row in schedules.items():
        row["site_plan_gfa"] = rnd(site_gfa[bid])
    gfa_above = sum(s["gfa_above"] for s in schedules.values())
    gfa_below = sum(s["gfa_below"] for s in schedules.values())
    gfa_far = sum(s["gfa_counted"] for s in schedules.values())
    return {
        "indicators": {
            "site_area": rnd(site_area), "footprint_area": rnd(footprint), "coverage": rnd(footprint / site_area),
            "gfa_above": rnd(gfa_above), "gfa_below": rnd(gfa_below), "gfa_total": rnd(gfa_above + gfa_below),
            "gfa_far": rnd(gfa_far), "far": rnd(gfa_far / site_area),
            "max_height": rnd(max(h for *_, h in BUILDINGS.values())),
        },
        "area_drawings": schedules,
    }


def site_dxf():
    doc = new_document(6)
    for name in ("用地红线", "建筑轮廓"):
        doc.layers.add(name)
    msp = doc.modelspace()
    x0, y0, x1, y1 = SITE
    msp.add_lwpolyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], close=True, dxfattribs={"layer": "用地红线"})
    for (bx0, by0, bx1, by1), label, _, _ in BUILDINGS.values():
        msp.add_lwpolyline([(bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1)], close=True, dxfattribs={"layer": "建筑轮廓"})
        msp.add_text(label, height=1.5, dxfattribs={"layer": "建筑轮廓", "insert": (bx0 + 1.0, (by0 + by1) / 2)})
    return doc


def area_dxf(insunits: int, title: str, polys: list) -> object:
    doc = new_document(insunits)
    layers = list(dict.fromkeys(p[0] for p in polys))
    for name in layers + ["标注层", "计算面积", "打印图框", "图例"]:
        doc.layers.add(name)
    doc.layers.get("计算面积").freeze()  # area plugins freeze their area texts
    msp = doc.modelspace()
    right = max(p[5] for p in polys)
    top = max(p[6] for p in polys)
    frame = (-10.0, -15.0, right + 40.0, top + 15.0)
    fx0, fy0, fx1, fy1 = frame
    msp.add_lwpolyline([(fx0, fy0), (fx1, fy0), (fx1, fy1), (fx0, fy1)], close=True, dxfattribs={"layer": "打印图框"})
    msp.add_text(title, height=2.5, dxfattribs={"layer": "打印图框", "insert": (fx1 - 25.0, fy0 + 3.0)})
    labels: dict[str, tuple[float, float]] = {}
    for layer, group, _, x0, y0, x1, y1 in polys:
        msp.add_lwpolyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], close=True, dxfattribs={"layer": layer})
        # the plugin's area text: at the centre, or by the corner when a smaller polygon (an atrium) holds the centre
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        inner = [p for p in polys if p[3] > x0 and p[5] < x1 and p[4] > y0 and p[6] < y1]
        tx, ty = (x0 + 2.0, y0 + 1.0) if inner else (cx, cy)
        msp.add_text(f"{(x1 - x0) * (y1 - y0):.2f}", height=0.5, dxfattribs={"layer": "计算面积", "insert": (tx, ty)})
        previous = labels.get(group)
        labels[group] = (min(previous[0], x0) if previous else x0, min(previous[1], y0) if previous else y0)
    for group, (x, y) in labels.items():
        msp.add_text(group, height=1.0, dxfattribs={"layer": "标注层", "insert": (x + 2.0, y - 3.0)})
    for k, layer in enumerate(layers):  # legend: a short line on each area layer, its name beside it
        y = top + 10.0 - 2.0 * k
        msp.add_line((right + 10.0, y), (right + 14.0, y), dxfattribs={"layer": layer})
        msp.add_text(layer, height=0.8, dxfattribs={"layer": "图例", "insert": (right + 15.0, y)})
    return doc


def manifest() -> str:
    lines = ["# Area-calculation sample (generated by samples/generate_area.py; do not edit).",
             "# The site plan shows 1# and 2#; their floor areas come from their area drawings (面积计算图).",
             "", "[project]", 'name = "面积计算示例地块"', 'inputs = ["site.dxf"]', 'packs = ["gb50016-2014"]', "",
             "[conditions]"]
    lines += [f"{k} = {v!r}" for k, v in CONDITIONS.items()]
    lines += ["", "[area_drawings]"]
    lines += [f'"{bid}" = "{file}"' for bid, (file, *_) in AREA_DRAWINGS.items()]
    return "\n".join(lines) + "\n"


def build_samples() -> dict[str, dict[str, bytes]]:
    """The sample's files, keyed by folder and file name."""
    with reproducible_ezdxf():
        files = {"drawcheck.toml": manifest().encode("utf-8"), "site.dxf": dxf_bytes(site_dxf())}
        for file, insunits, title, polys in AREA_DRAWINGS.values():
            files[file] = dxf_bytes(area_dxf(insunits, title, polys))
        files["expected.json"] = json_text(expected()).encode("utf-8")
    return {FOLDER: files}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write the sample into")
    args = ap.parse_args(argv)
    for folder, files in build_samples().items():
        for name, data in files.items():
            write_if_changed(args.out / folder / name, data)
        print(f"{args.out / folder}: " + ", ".join(f"{k} ({len(v)} B)" for k, v in files.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
