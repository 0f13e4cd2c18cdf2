"""Where the markup's tags go: clear of the buildings and of each other, each with a leader to its finding.

Tags are placed one at a time, in the order given. A tag's candidate
positions lie on rings around its finding's anchor point: radii
``first_radius, first_radius + ring_step, ...``, and on each ring a multiple
of eight directions (about one per ``ring_step`` of circumference) starting
north-east and turning anticlockwise, so the eight compass points come first
at every radius. A tag right of its anchor hangs from the middle of its left
side, one left of it from the middle of its right side; the leader runs from
that point to the anchor. The first candidate whose box, grown by ``gap``,
touches no obstacle (buildings, the findings' own locations), no tag or
leader placed before, and whose leader crosses no tag placed before, wins.
When no ring up to the one beyond every obstacle has such a candidate, the
first candidate on the same rings whose box alone is clear wins (its leader
may then cross another tag); beyond the obstacles' extent a box is always
clear, so every tag gets a place.

All lengths are in one unit (the drawing's); the same input gives the same
placements (a fixed candidate order, no randomness).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: The first direction tried on every ring: north-east, where tags conventionally sit.
FIRST_ANGLE = math.pi / 4


@dataclass(frozen=True)
class Placement:
    """One tag: its box (x0, y0, x1, y1), the leader from ``start`` (on the box) to ``end`` (the anchor)."""

    box: tuple[float, float, float, float]
    start: tuple[float, float]
    end: tuple[float, float]
    crossing: bool  # True when no place was found whose leader crosses no other tag


def place_tags(anchors: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]],
               obstacles: Sequence[BaseGeometry], *, first_radius: float, ring_step: float,
               gap: float) -> list[Placement]:
    """Place one tag per anchor, in order.

    Parameters
    ----------
    anchors : the point each tag's leader points at (drawing units).
    sizes : each tag's (width, height) (drawing units, > 0).
    obstacles : geometries no tag box may come within ``gap`` of (building outlines, finding locations).
    first_radius, ring_step : the first ring's radius and the distance between rings (> 0).
    gap : the clearance kept between a tag and any obstacle, tag or leader (>= 0).

    Returns
    -------
    One :class:`Placement` per anchor, in the same order.
    """
    if len(anchors) != len(sizes):
        raise ValueError("one size per anchor")
    if ring_step <= 0 or first_radius <= 0 or gap < 0:
        raise ValueError("first_radius and ring_step must be > 0, gap >= 0")
    static = [g for g in obstacles if g is not None and not g.is_empty]
    static_tree = shapely.STRtree(static)
    static_bounds = shapely.total_bounds(static) if static else None
    boxes: list[BaseGeometry] = []  # placed tag boxes
    lines: list[BaseGeometry] = []  # placed leaders
    out: list[Placement] = []
    for (ax, ay), (w, h) in zip(anchors, sizes):
        box_tree = shapely.STRtree(boxes)
        placed_tree = shapely.STRtree(boxes + lines)
        reach = _reach(ax, ay, static_bounds, boxes + lines)
        r_max = reach + h / 2 + 2 * gap + ring_step
        relaxed = None
        radius = first_radius
        while True:
            x0, y0, sx, sy = _ring(ax, ay, radius, w, h, ring_step)
            grown = shapely.box(x0 - gap, y0 - gap, x0 + w + gap, y0 + h + gap)
            blocked = np.zeros(len(x0), dtype=bool)
            blocked[static_tree.query(grown, predicate="intersects")[0]] = True
            blocked[placed_tree.query(grown, predicate="intersects")[0]] = True
            if relaxed is None and not blocked.all():
                relaxed = (radius, int(np.argmin(blocked)))
            crossing = blocked.copy()
            free = np.flatnonzero(~crossing)
            if len(free) and boxes:
                leaders = shapely.linestrings(np.stack([np.stack([sx[free], sy[free]], 1),
                                                        np.tile([ax, ay], (len(free), 1))], 1))
                crossing[free[box_tree.query(leaders, predicate="intersects")[0]]] = True
            if not crossing.all():
                i = int(np.argmin(crossing))
                out.append(_placement(x0[i], y0[i], w, h, sx[i], sy[i], ax, ay, False))
                break
            if radius > r_max:
                if relaxed is None:  # cannot happen beyond every obstacle; keep the farthest ring's first place
                    relaxed = (radius, 0)
                radius, i = relaxed
                x0, y0, sx, sy = _ring(ax, ay, radius, w, h, ring_step)
                out.append(_placement(x0[i], y0[i], w, h, sx[i], sy[i], ax, ay, True))
                break
            radius += ring_step
        placed = out[-1]
        boxes.append(shapely.box(*placed.box))
        lines.append(shapely.LineString([placed.start, placed.end]))
    return out


def _reach(ax: float, ay: float, static_bounds, placed: list[BaseGeometry]) -> float:
    """The distance from the anchor to the farthest corner of everything placed or in the way."""
    bounds = [b for b in (static_bounds, shapely.total_bounds(placed) if placed else None)
              if b is not None and np.all(np.isfinite(b))]
    if not bounds:
        return 0.0
    xmin = min(b[0] for b in bounds)
    ymin = min(b[1] for b in bounds)
    xmax = max(b[2] for b in bounds)
    ymax = max(b[3] for b in bounds)
    return max(math.hypot(x - ax, y - ay) for x in (xmin, xmax) for y in (ymin, ymax))


def _ring(ax: float, ay: float, radius: float, w: float, h: float, ring_step: float):
    """The candidate boxes' lower-left corners and leader starts on one ring, in trial order."""
    n = 8 * max(1, math.ceil(2 * math.pi * radius / ring_step / 8))
    theta = FIRST_ANGLE + 2 * math.pi * np.arange(n) / n
    sx = ax + radius * np.cos(theta)
    sy = ay + radius * np.sin(theta)
    right = np.cos(theta) >= -1e-12  # the box hangs right of the start point
    x0 = np.where(right, sx, sx - w)
    y0 = sy - h / 2
    return x0, y0, sx, sy


def _placement(x0, y0, w, h, sx, sy, ax, ay, crossing: bool) -> Placement:
    return Placement((float(x0), float(y0), float(x0 + w), float(y0 + h)), (float(sx), float(sy)),
                     (float(ax), float(ay)), crossing)
