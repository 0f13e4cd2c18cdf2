"""Write a large synthetic site plan that follows the submission convention.

Usage::

    python benchmarks/gen_large_site.py OUT.dxf [--buildings 2000] [--seed 0]

One site boundary (a rectangle with four filleted corners) holds a grid of
cells, one building per cell with a little jitter, so buildings never overlap.
A building is a slab (some with rounded ends drawn as bulges), a podium with a
tower, or a podium with two towers (parts of one building share its name), each
part labelled by TEXT or MTEXT inside it. Each cell also holds green HATCHes
(some with a hole, some with an arc edge), parking INSERTs and a MINSERT, and
filler on non-role layers (paving lines, dimension-like text, tree circles,
pattern hatches), about 50 entities a cell: 2 000 buildings give ~100 000
entities. Millimetre drawing units ($INSUNITS = 4). The same seed gives the
same bytes.

``--plan stalls``: each cell holds its building and 30 parking stalls drawn as
closed LWPOLYLINEs on the parking layer, nothing else (2 000 buildings: 60 000
stalls, ~66 000 entities, mostly closed LWPOLYLINE and TEXT).
``--plan realistic``: the default cell with less filler of its kinds and what
real drawings carry on layers no rule reads (linear DIMENSIONs with their
blocks, furniture and shrub INSERTs, notes, hatches): about 80 % of the
model-space entities sit on layers without a role.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

import ezdxf
from ezdxf.lldxf import const

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from samples.generate import dxf_bytes, fillet_bulge, reproducible_ezdxf  # noqa: E402

MM = 1000.0
CELL_W, CELL_H = 80.0, 64.0     # one building per cell, metres
MARGIN = 20.0                   # cells to site boundary
FILLET = 30.0                   # site corner radius
STALL_W, STALL_L = 2.5, 5.3
LAYERS = [("用地红线", 1), ("建筑轮廓", 4), ("绿地", 3), ("停车位", 5), ("道路", 8),
          ("铺装", 9), ("标注", 2), ("景观树", 94), ("尺寸标注", 2), ("家具", 8), ("图框", 7)]
PLANS = ("default", "stalls", "realistic")
#: Stalls per cell in the stall-heavy plan (2 000 cells: 60 000 stalls).
STALLS_PER_CELL = 30


def mm(x: float, y: float) -> tuple[float, float]:
    return (round(x * MM, 3), round(y * MM, 3))


def rect_pts(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [mm(x0, y0), mm(x1, y0), mm(x1, y1), mm(x0, y1)]


def site_boundary(msp, width: float, height: float) -> None:
    r, b = FILLET, fillet_bulge()
    pts = [(r, 0, 0), (width - r, 0, b), (width, r, 0), (width, height - r, b),
           (width - r, height, 0), (r, height, b), (0, height - r, 0), (0, r, b)]
    msp.add_lwpolyline([(*mm(x, y), 0, 0, bb) for x, y, bb in pts], format="xyseb", close=True,
                       dxfattribs={"layer": "用地红线"})


def add_label(msp, rng: random.Random, text_lines: list[str], x: float, y: float) -> None:
    """One label inside a part, TEXT (tokens on one line) or MTEXT (one token a line)."""
    if rng.random() < 0.5:
        msp.add_text(" ".join(text_lines), height=2.0 * MM,
                     dxfattribs={"layer": "建筑轮廓", "insert": mm(x, y)})
    else:
        msp.add_mtext("\\P".join(text_lines), dxfattribs={
            "layer": "建筑轮廓", "insert": mm(x, y + 8.0), "char_height": 2.0 * MM,
            "attachment_point": const.MTEXT_TOP_LEFT})


def add_building(msp, rng: random.Random, name: str, x0: float, y0: float) -> int:
    """Draw one building with its lower-left corner at (x0, y0); returns its part count."""
    kind = rng.random()
    if kind < 0.5:  # slab
        w, d = rng.uniform(30, 50), rng.uniform(12, 16)
        floors = rng.randint(6, 33)
        if rng.random() < 0.3:  # rounded east end: two 90-degree fillets, r = 3 m
            r, b = 3.0, fillet_bulge()
            pts = [(x0, y0, 0), (x0 + w - r, y0, b), (x0 + w, y0 + r, 0),
                   (x0 + w, y0 + d - r, b), (x0 + w - r, y0 + d, 0), (x0, y0 + d, 0)]
            msp.add_lwpolyline([(*mm(x, y), 0, 0, bb) for x, y, bb in pts], format="xyseb",
                               close=True, dxfattribs={"layer": "建筑轮廓"})
        else:
            msp.add_lwpolyline(rect_pts(x0, y0, x0 + w, y0 + d), close=True,
                               dxfattribs={"layer": "建筑轮廓"})
        add_label(msp, rng, [name, f"{floors}F", f"H={floors * 3.0:.1f}m", "住宅"], x0 + 1, y0 + 1)
        return 1

    pw, pd = rng.uniform(44, 52), rng.uniform(28, 36)
    pf = rng.randint(2, 4)
    msp.add_lwpolyline(rect_pts(x0, y0, x0 + pw, y0 + pd), close=True,
                       dxfattribs={"layer": "建筑轮廓"})
    add_label(msp, rng, [name, f"{pf}F", f"H={pf * 4.5:.1f}m", "商业"], x0 + 1, y0 + 1)
    towers = 1 if kind < 0.85 else 2
    # towers keep 10 m from the podium's south edge so its label stays off them
    slot_w = (pw - 6.0) / towers
    for t in range(towers):
        tw, td = rng.uniform(14, slot_w - 2), rng.uniform(12, pd - 14)
        tx = x0 + 3.0 + t * slot_w
        ty = y0 + 10.0
        tf = rng.randint(10, 30)
        msp.add_lwpolyline(rect_pts(tx, ty, tx + tw, ty + td), close=True,
                           dxfattribs={"layer": "建筑轮廓"})
        add_label(msp, rng, [name, f"{tf}F", f"H={tf * 3.0:.1f}m", "住宅"], tx + 1, ty + 1)
    return 1 + towers


def add_cell_extras(msp, rng: random.Random, cx: float, cy: float, joints: int = 16, dim_texts: int = 8,
                    trees: int = 12) -> None:
    """Parking, green and filler of one cell (everything outside the building zone)."""
    ins = msp.add_blockref("车位", mm(cx + 6, cy + 2.5), dxfattribs={"layer": "停车位"})
    ins.grid(size=(1, 8), spacing=(STALL_L * MM, STALL_W * MM))
    for k in range(3):
        msp.add_blockref("车位", mm(cx + 30 + STALL_W * k, cy + 2.5),
                         dxfattribs={"layer": "停车位"})

    strip = msp.add_hatch(color=3, dxfattribs={"layer": "绿地"})
    strip.set_solid_fill(color=3)
    strip.paths.add_polyline_path(rect_pts(cx + 4, cy + 8.5, cx + 76, cy + 11.5),
                                  flags=const.BOUNDARY_PATH_EXTERNAL)
    if rng.random() < 0.2:
        strip.paths.add_polyline_path(rect_pts(cx + 30, cy + 9.0, cx + 34, cy + 11.0),
                                      flags=const.BOUNDARY_PATH_OUTERMOST)

    lawn = msp.add_hatch(color=3, dxfattribs={"layer": "绿地"})
    lawn.set_pattern_fill("GRASS", scale=200.0)
    if rng.random() < 0.5:  # NE corner as an arc edge, r = 4 m
        r = 4.0
        ep = lawn.paths.add_edge_path(flags=const.BOUNDARY_PATH_EXTERNAL)
        ep.add_line(mm(cx + 4, cy + 54), mm(cx + 40, cy + 54))
        ep.add_line(mm(cx + 40, cy + 54), mm(cx + 40, cy + 62 - r))
        ep.add_arc(mm(cx + 40 - r, cy + 62 - r), radius=r * MM, start_angle=0.0, end_angle=90.0)
        ep.add_line(mm(cx + 40 - r, cy + 62), mm(cx + 4, cy + 62))
        ep.add_line(mm(cx + 4, cy + 62), mm(cx + 4, cy + 54))
    else:
        lawn.paths.add_polyline_path(rect_pts(cx + 4, cy + 54, cx + 40, cy + 62),
                                     flags=const.BOUNDARY_PATH_EXTERNAL)

    paving = msp.add_hatch(color=9, dxfattribs={"layer": "铺装"})
    paving.set_pattern_fill("ANSI37", scale=500.0)
    paving.paths.add_polyline_path(rect_pts(cx + 44, cy + 54, cx + 76, cy + 62),
                                   flags=const.BOUNDARY_PATH_EXTERNAL)

    for k in range(4):  # road edges around the cell
        msp.add_line(mm(cx, cy + k * 0.2), mm(cx + CELL_W, cy + k * 0.2), dxfattribs={"layer": "道路"})
    for k in range(joints):  # paving joints
        x = cx + 44 + 2.0 * k
        msp.add_line(mm(x, cy + 54), mm(x, cy + 62), dxfattribs={"layer": "铺装"})
    for k in range(dim_texts):  # dimension-like text
        msp.add_text(f"{rng.uniform(3, 60):.2f}", height=1.0 * MM,
                     dxfattribs={"layer": "标注", "insert": mm(cx + 2 + 9.5 * k, cy + 52.5)})
    for k in range(trees):  # trees: closed circles on a non-role layer
        msp.add_circle(mm(cx + 3 + 6.5 * k, cy + 63.0), radius=0.8 * MM,
                       dxfattribs={"layer": "景观树"})


def add_stalls(msp, cx: float, cy: float) -> None:
    """Parking stalls of one cell as closed LWPOLYLINEs: two rows along the south and north edges."""
    per_row = STALLS_PER_CELL // 2
    for row, y in enumerate((cy + 2.5, cy + 56.0)):
        for k in range(per_row):
            x = cx + 2.0 + STALL_W * k
            msp.add_lwpolyline(rect_pts(x, y, x + STALL_W, y + STALL_L - 0.3 * row), close=True,
                               dxfattribs={"layer": "停车位"})


def add_non_role(msp, rng: random.Random, cx: float, cy: float) -> None:
    """What a real cell carries on layers no rule reads: dimensions, furniture and tree blocks, notes, hatches."""
    for k in range(4):  # dimension chains along the road and the paving
        y = cy + 0.8 + 0.1 * k
        dim = msp.add_linear_dim(base=mm(cx + 4 + 18 * k, y + 1.0), p1=mm(cx + 4 + 18 * k, y),
                                 p2=mm(cx + 18 + 18 * k, y), dxfattribs={"layer": "尺寸标注"})
        dim.render()
    for k in range(6):  # benches
        msp.add_blockref("座椅", mm(cx + 44 + 5.0 * k, cy + 53.0), dxfattribs={"layer": "家具"})
    for k in range(6):  # shrubs as blocks
        msp.add_blockref("灌木", mm(cx + 4 + 12 * k, cy + 65.0), dxfattribs={"layer": "景观树",
                                                                            "rotation": rng.uniform(0, 360)})
    for k in range(4):  # annotation
        msp.add_text(f"+{rng.uniform(3, 6):.2f}", height=0.8 * MM,
                     dxfattribs={"layer": "标注", "insert": mm(cx + 2 + 18 * k, cy + 12.5)})
    msp.add_mtext(f"铺装 {rng.randint(1, 9)}\\P透水砖 200x100", dxfattribs={
        "layer": "标注", "insert": mm(cx + 45, cy + 60.0), "char_height": 0.8 * MM})
    for k in range(1):  # decorative hatch
        h = msp.add_hatch(color=9, dxfattribs={"layer": "铺装"})
        h.set_pattern_fill("ANSI31", scale=300.0)
        h.paths.add_polyline_path(rect_pts(cx + 44 + 8 * k, cy + 46, cx + 50 + 8 * k, cy + 50),
                                  flags=const.BOUNDARY_PATH_EXTERNAL)


def furniture_blocks(doc) -> None:
    """The blocks the realistic plan inserts on non-role layers."""
    bench = doc.blocks.new("座椅")
    bench.add_lwpolyline(rect_pts(0, 0, 1.2, 0.45), close=True, dxfattribs={"layer": "0"})
    bench.add_line(mm(0, 0.225), mm(1.2, 0.225), dxfattribs={"layer": "0"})
    shrub = doc.blocks.new("灌木")
    shrub.add_circle((0, 0), radius=0.6 * MM, dxfattribs={"layer": "0"})
    for k in range(6):
        a = math.radians(60 * k)
        shrub.add_line((0, 0), (0.6 * MM * math.cos(a), 0.6 * MM * math.sin(a)), dxfattribs={"layer": "0"})


def build(n_buildings: int, seed: int, plan: str = "default") -> tuple[ezdxf.document.Drawing, int]:
    """The document and the number of building parts drawn (``plan``: one of :data:`PLANS`)."""
    rng = random.Random(seed)
    cols = max(1, math.ceil(math.sqrt(n_buildings * CELL_H / CELL_W)))
    rows = math.ceil(n_buildings / cols)
    doc = ezdxf.new("R2018", setup=True)
    doc.units = 4
    doc.header["$MEASUREMENT"] = 1
    for name, color in LAYERS:
        doc.layers.add(name, color=color)
    stall = doc.blocks.new("车位")
    stall.add_lwpolyline(rect_pts(0, 0, STALL_W, STALL_L), close=True, dxfattribs={"layer": "0"})
    if plan == "realistic":
        furniture_blocks(doc)
    msp = doc.modelspace()
    width, height = cols * CELL_W + 2 * MARGIN, rows * CELL_H + 2 * MARGIN
    site_boundary(msp, width, height)
    parts = 0
    for i in range(n_buildings):
        r, c = divmod(i, cols)
        cx, cy = MARGIN + c * CELL_W, MARGIN + r * CELL_H
        # building zone: x in [cx+8, cx+64], y in [cy+12, cy+52]
        parts += add_building(msp, rng, f"{i + 1}#", cx + 10 + rng.uniform(-2, 2),
                              cy + 14 + rng.uniform(-2, 2))
        if plan == "stalls":
            add_stalls(msp, cx, cy)
            continue
        if plan == "realistic":  # less filler of the default kinds, more dimensions, blocks and notes
            add_cell_extras(msp, rng, cx, cy, joints=6, dim_texts=4, trees=0)
            add_non_role(msp, rng, cx, cy)
        else:
            add_cell_extras(msp, rng, cx, cy)
    doc.set_modelspace_vport(height=height * MM * 1.05, center=mm(width / 2, height / 2))
    return doc, parts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="DXF file to write")
    ap.add_argument("--buildings", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plan", choices=PLANS, default="default",
                    help="stalls: 30 stall polylines a cell and nothing else; realistic: ~80 %% of entities "
                    "on non-role layers")
    args = ap.parse_args(argv)
    if args.buildings < 1:
        ap.error("--buildings must be >= 1")
    with reproducible_ezdxf():
        doc, parts = build(args.buildings, args.seed, args.plan)
        data = dxf_bytes(doc)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{args.out}: {len(doc.modelspace())} entities in model space "
          f"({args.buildings} buildings, {parts} building parts), "
          f"{len(data) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
