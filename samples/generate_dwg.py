"""Write the DWG sample: the residential site plan saved as DWG with ezdwg's own writer.

Usage::

    python samples/generate_dwg.py [--out DIR]

writes ``DIR/residential-dwg/`` (default ``DIR`` = this folder): ``site.dwg``
(AutoCAD 2000, AC1015, the only version ezdwg writes), ``drawcheck.toml`` and
``expected.json``. The drawing is a copy of ``residential/site.dxf`` entity for
entity, with the DXF's handles, layers (colour, frozen/off), text styles,
blocks, ATTRIBs and ``$INSUNITS``; ``expected.json`` is the residential one,
whose values the residential generator worked out by hand. The copy is made
by :func:`dwg_from_dxf`, which the tests also use for DWG twins of the other
samples.

What AC1015 through ezdwg's writer cannot hold is changed, never dropped:

* a MINSERT (an INSERT with rows and columns) becomes one INSERT per cell;
  the first cell keeps the MINSERT's handle;
* ATTRIB handles are new (an ATTRIB has no handle parameter in the writer);
* unused blocks (ezdxf's arrow blocks ``_ARCHTICK``, ...) are left out.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = "residential-dwg"

#: DXF entity types :func:`dwg_from_dxf` copies; anything else raises (a fixture must not lose content).
COPIED = ("LINE", "ARC", "CIRCLE", "ELLIPSE", "POINT", "LWPOLYLINE", "TEXT", "MTEXT", "INSERT", "HATCH",
          "SOLID", "ATTDEF")


def _h(entity) -> int:
    return int(entity.dxf.handle, 16)


def _xyz(v) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]) if len(v) > 2 else 0.0)


def _common(e) -> dict:
    out = {"layer": e.dxf.layer}
    if e.dxf.hasattr("color"):
        out["color_index"] = int(e.dxf.color)
    return out


def _text_attrs(e) -> dict:
    d = {"text": e.dxf.text, "insert": _xyz(e.dxf.insert), "height": float(e.dxf.height),
         "rotation": float(e.dxf.get("rotation", 0.0)), "width": float(e.dxf.get("width", 1.0)),
         "oblique": float(e.dxf.get("oblique", 0.0)), "halign": int(e.dxf.get("halign", 0)),
         "valign": int(e.dxf.get("valign", 0)), "style": e.dxf.get("style", "Standard")}
    if e.dxf.hasattr("align_point"):
        d["align_point"] = _xyz(e.dxf.align_point)
    return d


def _hatch_paths(hatch) -> list[dict]:
    from ezdxf.entities.boundary_paths import EdgePath, PolylinePath

    paths = []
    for path in hatch.paths:
        if isinstance(path, PolylinePath):
            points = [(float(x), float(y)) for x, y, _ in path.vertices]
            bulges = [float(b) for _, _, b in path.vertices]
            row = {"points": points, "closed": bool(path.is_closed), "flags": int(path.path_type_flags) | 2}
            if any(bulges):
                row["bulges"] = bulges
            paths.append(row)
        elif isinstance(path, EdgePath):
            edges = []
            for edge in path.edges:
                kind = edge.type.name.lower()
                if kind == "line":
                    edges.append({"type": "line", "start": tuple(edge.start), "end": tuple(edge.end)})
                elif kind == "arc":
                    edges.append({"type": "arc", "center": tuple(edge.center), "radius": float(edge.radius),
                                  "start_angle": float(edge.start_angle), "end_angle": float(edge.end_angle),
                                  "ccw": bool(edge.ccw)})
                else:
                    raise ValueError(f"HATCH {hatch.dxf.handle}: {kind} edges are not copied")
            paths.append({"edges": edges, "flags": int(path.path_type_flags)})
        else:
            raise ValueError(f"HATCH {hatch.dxf.handle}: unknown boundary path {type(path).__name__}")
    return paths


def _hatch(e) -> dict:
    d = {"paths": _hatch_paths(e), "solid_fill": bool(e.dxf.solid_fill), "pattern_name": e.dxf.pattern_name,
         "hatch_style": int(e.dxf.get("hatch_style", 0))}
    if not e.dxf.solid_fill and e.pattern is not None:
        d.update(pattern_angle=float(e.dxf.get("pattern_angle", 0.0)),
                 pattern_scale=float(e.dxf.get("pattern_scale", 1.0)),
                 pattern_double=bool(e.dxf.get("pattern_double", 0)), pattern_type=1,
                 pattern_lines=[{"angle": float(line.angle), "base": tuple(line.base_point)[:2],
                                 "offset": tuple(line.offset)[:2], "dashes": [float(x) for x in line.dash_length_items]}
                                for line in e.pattern.lines])
    return d


def _geometry(e) -> tuple[str, dict]:
    """(ezdwg type, attributes) of one DXF entity, without its handle."""
    t = e.dxftype()
    if t == "LINE":
        return t, {"start": _xyz(e.dxf.start), "end": _xyz(e.dxf.end)}
    if t == "ARC":
        return t, {"center": _xyz(e.dxf.center), "radius": float(e.dxf.radius),
                   "start_angle": float(e.dxf.start_angle), "end_angle": float(e.dxf.end_angle)}
    if t == "CIRCLE":
        return t, {"center": _xyz(e.dxf.center), "radius": float(e.dxf.radius)}
    if t == "ELLIPSE":
        return t, {"center": _xyz(e.dxf.center), "major_axis": _xyz(e.dxf.major_axis), "axis_ratio": float(e.dxf.ratio),
                   "start_angle": float(e.dxf.start_param), "end_angle": float(e.dxf.end_param)}
    if t == "POINT":
        return t, {"location": _xyz(e.dxf.location)}
    if t == "SOLID":
        return t, {"points": [_xyz(e.dxf.get(f"vtx{i}")) for i in range(4)]}
    if t == "LWPOLYLINE":
        pts = list(e.get_points("xyb"))
        d = {"points": [(float(x), float(y)) for x, y, _ in pts], "closed": bool(e.closed),
             "elevation": float(e.dxf.get("elevation", 0.0))}
        if any(b for *_, b in pts):
            d["bulges"] = [float(b) for *_, b in pts]
        return t, d
    if t == "TEXT":
        return t, _text_attrs(e)
    if t == "ATTDEF":
        return t, {**_text_attrs(e), "tag": e.dxf.tag, "prompt": e.dxf.get("prompt", "")}
    if t == "MTEXT":
        return t, {"text": e.text, "insert": _xyz(e.dxf.insert), "char_height": float(e.dxf.char_height),
                   "rect_width": float(e.dxf.get("width", 0.0)), "attachment_point": int(e.dxf.attachment_point),
                   "text_direction": _xyz(e.dxf.get("text_direction", (1, 0, 0))), "style": e.dxf.get("style", "Standard")}
    if t == "HATCH":
        return t, _hatch(e)
    if t == "INSERT":
        return t, {"name": e.dxf.name, "insert": _xyz(e.dxf.insert), "xscale": float(e.dxf.get("xscale", 1.0)),
                   "yscale": float(e.dxf.get("yscale", 1.0)), "zscale": float(e.dxf.get("zscale", 1.0)),
                   "rotation": float(e.dxf.get("rotation", 0.0))}
    raise ValueError(f"{t} {e.dxf.handle}: not copied to DWG (supported: {', '.join(COPIED)})")


def _used_blocks(doc) -> list[str]:
    """Blocks the model space inserts, directly or through other blocks, in definition order."""
    used, pending = set(), [e.dxf.name for e in doc.modelspace().query("INSERT")]
    while pending:
        name = pending.pop()
        if name in used:
            continue
        used.add(name)
        pending.extend(e.dxf.name for e in doc.blocks.get(name).query("INSERT"))
    return [b.name for b in doc.blocks if b.name in used]


def dwg_from_dxf(doc):
    """An ezdwg ``Drawing`` (AC1015) holding the model space of the ezdxf document ``doc``, handles kept."""
    import ezdwg

    out = ezdwg.new()
    out.header["insunits"] = int(doc.header.get("$INSUNITS", 0))
    for layer in doc.layers:
        name = layer.dxf.name
        out.layers[name] = {"color_index": abs(int(layer.dxf.color)) or 7, "frozen": layer.is_frozen(),
                            "off": layer.is_off()}
    for style in doc.styles:
        if style.dxf.name:
            out.text_styles[style.dxf.name] = {"font": style.dxf.get("font", "txt") or "txt"}
    later = []  # (layout, entity): written after every handle the DXF fixes is taken
    for name in _used_blocks(doc):
        block = doc.blocks.get(name)
        target = out.blocks.new(name, base_point=_xyz(block.block.dxf.base_point))
        for e in block:
            kind, attrs = _geometry(e)
            target.add_entity(kind, {**_common(e), **attrs}, handle=_h(e))
    msp = out.modelspace()
    for e in doc.modelspace():
        kind, attrs = _geometry(e)
        ref = msp.add_entity(kind, {**_common(e), **attrs}, handle=_h(e))
        if kind == "INSERT":
            later.append((ref, e))
    for ref, e in later:
        for a in e.attribs:
            msp.add_attrib(ref, a.dxf.tag, a.dxf.text, _xyz(a.dxf.insert), float(a.dxf.height),
                           **{k: v for k, v in _text_attrs(a).items() if k not in ("text", "insert", "height")},
                           **_common(a))
        for cell in _extra_cells(e):
            msp.add_entity("INSERT", {**_common(e), **_geometry(e)[1], "insert": cell})
    return out


def _extra_cells(e) -> list[tuple[float, float, float]]:
    """Insertion points of a MINSERT's cells after the first (rows and columns turn with the rotation)."""
    rows, cols = int(e.dxf.get("row_count", 1)), int(e.dxf.get("column_count", 1))
    if rows * cols <= 1:
        return []
    dx, dy = float(e.dxf.get("column_spacing", 0.0)), float(e.dxf.get("row_spacing", 0.0))
    a = math.radians(float(e.dxf.get("rotation", 0.0)))
    x0, y0, z0 = _xyz(e.dxf.insert)
    cells = []
    for r in range(rows):
        for c in range(cols):
            if r == c == 0:
                continue
            u, v = c * dx, r * dy
            cells.append((x0 + u * math.cos(a) - v * math.sin(a), y0 + u * math.sin(a) + v * math.cos(a), z0))
    return cells


def dwg_bytes(doc) -> bytes:
    """The DWG file ezdwg writes for ``doc`` (an ezdxf document)."""
    drawing = dwg_from_dxf(doc)
    with tempfile.TemporaryDirectory(prefix="drawcheck-dwg-") as tmp:
        target = Path(tmp) / "site.dwg"
        drawing.save(target)
        return target.read_bytes()


def build_sample(root: Path = HERE) -> dict[str, bytes]:
    """The files of ``samples/residential-dwg``, made from ``samples/residential`` under ``root``."""
    import ezdxf

    source = root / "residential"
    toml = (source / "drawcheck.toml").read_text(encoding="utf-8")
    toml = toml.replace("(generated by samples/generate.py; do not edit).",
                        "(generated by samples/generate_dwg.py from residential/; do not edit).")
    toml = toml.replace('inputs = ["site.dxf"]', 'inputs = ["site.dwg"]')
    return {"drawcheck.toml": toml.encode("utf-8"),
            "site.dwg": dwg_bytes(ezdxf.readfile(source / "site.dxf")),
            "expected.json": (source / "expected.json").read_bytes()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder holding residential/ and receiving residential-dwg/")
    args = ap.parse_args(argv)
    folder = args.out / SAMPLE
    folder.mkdir(parents=True, exist_ok=True)
    files = build_sample(args.out)
    for fname, data in files.items():
        target = folder / fname
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
    print(f"{folder}: " + ", ".join(f"{k} ({len(v)} B)" for k, v in files.items()))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
