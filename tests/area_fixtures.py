"""An area-calculation drawing (面积计算图) built with ezdxf, modelled on what institutes' plugins draw.

Drawn in metres with $INSUNITS = 4 (mm) declared, as real ones are. One
frame (打印图框) titled A地块1#楼; five floor plans, each a cluster of closed
rectangles on ``面积-<class>-<use>-<coefficient>`` layers with a floor label
on 标注层; the plugin's area texts on the frozen layer 计算面积; a legend of
short strokes with the layer names, a HATCH over one outline. Expected values are worked by hand in
:data:`EXPECTED` from the rectangles' sides (w x h), not read back.
"""

from __future__ import annotations

from pathlib import Path

import ezdxf

#: (layer, floor group, x0, y0, x1, y1) of every area polygon, metres.
POLYGONS = [
    # plan 1-1: ground floor, a shop and a stilted floor, and the footprint over both
    ("面积-计容-商业-1", "1-1", 0, 0, 20, 10),  # 200
    ("面积-不计容-架空层-1", "1-1", 20, 0, 30, 10),  # 100
    ("面积-基底-住宅-1", "1-1", 0, 0, 30, 10),  # 300, the footprint
    # plan 2-16,18-33,35-45: 42 typical floors: flats, half-area balcony, an atrium deducted
    ("面积-计容-住宅-1", "2-16,18-33,35-45", 40, 0, 60, 12),  # 240
    ("面积-计容-阳台-0.5", "2-16,18-33,35-45", 40, 12, 60, 14),  # 40
    ("面积-计容-中庭--1", "2-16,18-33,35-45", 48, 4, 52, 8),  # 16, deducted
    # plan 17,34: refuge floors, exempt, with balconies
    ("面积-免计容-避难层-1", "17,34", 70, 0, 90, 12),  # 240
    ("面积-计容-阳台-0.5", "17,34", 70, 12, 90, 14),  # 40
    # plan 46-46: top floor, and a property-management room not counted
    ("面积-计容-住宅-1", "46-46", 100, 0, 120, 12),  # 240
    ("面积-不计容-物业附属用房-1", "46-46", 100, 12, 105, 16),  # 20
    # plan B1: basement, not counted
    ("面积-不计容-地下室-1", "B1", 0, 25, 30, 45),  # 600
]

#: Hand-worked schedule (m²): area x floors x coefficient, floors counted from the labels:
#: 1-1 -> 1; 2-16,18-33,35-45 -> 15 + 16 + 11 = 42; 17,34 -> 2; 46-46 -> 1; B1 -> 1 (below ground).
COUNTED = (200 * 1 * 1          # 商业, 1-1
           + 240 * 42 * 1       # 住宅, typical floors = 10080
           + 40 * 42 * 0.5      # 阳台 half area = 840
           + 16 * 42 * -1       # 中庭 deducted = -672
           + 40 * 2 * 0.5       # 阳台 on the refuge floors = 40
           + 240 * 1 * 1)       # 住宅, 46 = 240  -> 10728
NOT_COUNTED_ABOVE = 100 * 1 + 20 * 1  # 架空层 + 物业附属用房 = 120
NOT_COUNTED_BELOW = 600 * 1  # 地下室
EXEMPT = 240 * 2  # 避难层 = 480
EXPECTED = {
    "building": "1#",
    "counted": COUNTED,
    "not_counted": NOT_COUNTED_ABOVE + NOT_COUNTED_BELOW,
    "exempt": EXEMPT,
    "footprint": 300.0,
    "gfa_above": COUNTED + NOT_COUNTED_ABOVE + EXEMPT,  # 11328
    "gfa_below": NOT_COUNTED_BELOW,
    "floors_above": 46,
    "floors_below": 1,
}
assert COUNTED == 10728 and EXPECTED["gfa_above"] == 11328

FLOOR_LABELS = {"1-1": (15, -3), "2-16,18-33,35-45": (50, -3), "17,34": (80, -3), "46-46": (110, -3), "B1": (15, 22)}
FRAME = (-10, -15, 160, 60)
LEGEND_X = 135


def area_text_point(x0, y0, x1, y1, layer):
    """Where the plugin writes a polygon's area: its centre, or a corner for the flats whose centre is the atrium."""
    if layer == "面积-计容-住宅-1" and x0 == 40:
        return x0 + 3, y0 + 2
    return (x0 + x1) / 2, (y0 + y1) / 2


def build(path: Path, *, polygons=POLYGONS, labels=FLOOR_LABELS, area_texts: dict | None = None,
          insunits: int = 4, title: str = "A地块1#楼", frozen: bool = True, offset=(0.0, 0.0),
          dxfversion: str = "R2013") -> Path:
    """Write the drawing to ``path``; ``area_texts`` maps a polygon's index to the text written for it
    (default: its true area with 2 decimals)."""
    doc = ezdxf.new(dxfversion)
    if dxfversion < "R2007":  # written in a code page: the Chinese one
        doc.encoding = "gbk"
    doc.header["$INSUNITS"] = insunits
    ox, oy = offset
    for layer in dict.fromkeys(p[0] for p in polygons):
        doc.layers.add(layer)
    doc.layers.add("标注层")
    area_layer = doc.layers.add("计算面积")
    if frozen:
        area_layer.freeze()
    doc.layers.add("打印图框")
    doc.layers.add("图例")
    msp = doc.modelspace()
    fx0, fy0, fx1, fy1 = FRAME
    msp.add_lwpolyline([(fx0 + ox, fy0 + oy), (fx1 + ox, fy0 + oy), (fx1 + ox, fy1 + oy), (fx0 + ox, fy1 + oy)],
                       close=True, dxfattribs={"layer": "打印图框"})
    msp.add_text(title, height=2.5, dxfattribs={"layer": "打印图框", "insert": (140 + ox, -12 + oy)})
    for k, (layer, _group, x0, y0, x1, y1) in enumerate(polygons):
        msp.add_lwpolyline([(x0 + ox, y0 + oy), (x1 + ox, y0 + oy), (x1 + ox, y1 + oy), (x0 + ox, y1 + oy)],
                           close=True, dxfattribs={"layer": layer})
        text = (area_texts or {}).get(k, f"{(x1 - x0) * (y1 - y0):.2f}")
        tx, ty = area_text_point(x0, y0, x1, y1, layer)
        msp.add_text(text, height=0.5, dxfattribs={"layer": "计算面积", "insert": (tx + ox, ty + oy)})
    for text, (x, y) in labels.items():
        msp.add_text(text, height=1.0, dxfattribs={"layer": "标注层", "insert": (x + ox, y + oy)})
    # plugins hatch what they measured: a HATCH over the first polygon's outline (the same area, counted once)
    layer, _group, x0, y0, x1, y1 = polygons[0]
    hatch = msp.add_hatch(dxfattribs={"layer": layer})
    hatch.paths.add_polyline_path([(x0 + ox, y0 + oy), (x1 + ox, y0 + oy), (x1 + ox, y1 + oy), (x0 + ox, y1 + oy)],
                                  is_closed=True)
    # the legend: a short stroke on each area layer (a LINE, or a 2-vertex polyline) with its name beside it;
    # neither is an area
    for k, layer in enumerate(dict.fromkeys(p[0] for p in polygons)):
        y = 50 - 3 * k
        start, end = (LEGEND_X + ox, y + oy), (LEGEND_X + 4 + ox, y + oy)
        if k % 2:
            msp.add_lwpolyline([start, end], dxfattribs={"layer": layer})
        else:
            msp.add_line(start, end, dxfattribs={"layer": layer})
        msp.add_text(layer, height=0.8, dxfattribs={"layer": "图例", "insert": (LEGEND_X + 5 + ox, y + oy)})
    doc.saveas(path)
    return path
