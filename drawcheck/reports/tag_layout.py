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
When the ``STRICT_RINGS`` rings beyond the first ring where the box alone is
clear (or the rings up to the one beyond every obstacle) have no such
candidate, the first candidate whose box alone is clear wins (its leader may
then cross another tag); beyond the extent of the obstacles and of the tags
placed so far a box is always clear, so every tag gets a place.

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
#: Rings searched for a place whose leader crosses no tag beyond the first ring where the box alone fits.
STRICT_RINGS = 10


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
    bounds = shapely.total_bounds(static) if static else np.full(4, np.nan)
    boxes = np.empty((0, 4))  # placed tag boxes: x0, y0, x1, y1
    lines = np.empty((0, 4))  # placed leaders: start x, y, end x, y
    out: list[Placement] = []
    for (ax, ay), (w, h) in zip(anchors, sizes):
        r_max = _reach(ax, ay, bounds) + h / 2 + 2 * gap + ring_step
        relaxed = None
        radius = first_radius
        while True:
            x0, y0, sx, sy = _ring(ax, ay, radius, w, h, ring_step)
            grown = np.stack([x0 - gap, y0 - gap, x0 + w + gap, y0 + h + gap], 1)
            blocked = np.zeros(len(x0), dtype=bool)
            blocked[static_tree.query(shapely.box(*grown.T), predicate="intersects")[0]] = True
            blocked |= _boxes_meet_boxes(grown, boxes).any(1) | _boxes_meet_segments(grown, lines).any(1)
            if relaxed is None and not blocked.all():
                relaxed = (radius, int(np.argmin(blocked)))
            leaders = np.stack([sx, sy, np.full_like(sx, ax), np.full_like(sy, ay)], 1)
            crossing = blocked | _boxes_meet_segments(boxes, leaders).any(0)
            if not crossing.all():
                i = int(np.argmin(crossing))
                out.append(_placement(x0[i], y0[i], w, h, sx[i], sy[i], ax, ay, False))
                break
            if radius > r_max or (relaxed is not None and radius >= relaxed[0] + STRICT_RINGS * ring_step):
                if relaxed is None:  # cannot happen beyond every obstacle; keep the farthest ring's first place
                    relaxed = (radius, 0)
                radius, i = relaxed
                x0, y0, sx, sy = _ring(ax, ay, radius, w, h, ring_step)
                out.append(_placement(x0[i], y0[i], w, h, sx[i], sy[i], ax, ay, True))
                break
            radius += ring_step
        placed = out[-1]
        boxes = np.vstack([boxes, placed.box])
        lines = np.vstack([lines, (*placed.start, *placed.end)])
        bounds = _union_bounds(bounds, placed.box)
    return out


def _union_bounds(a: np.ndarray, box) -> np.ndarray:
    """The bounds covering ``a`` (NaN: nothing yet) and ``box``."""
    if np.isnan(a).any():
        return np.asarray(box, dtype=float)
    return np.array([min(a[0], box[0]), min(a[1], box[1]), max(a[2], box[2]), max(a[3], box[3])])


def _boxes_meet_boxes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)): whether closed boxes (x0, y0, x1, y1) share a point."""
    return ((a[:, None, 0] <= b[None, :, 2]) & (b[None, :, 0] <= a[:, None, 2])
            & (a[:, None, 1] <= b[None, :, 3]) & (b[None, :, 1] <= a[:, None, 3]))


def _boxes_meet_segments(b: np.ndarray, s: np.ndarray) -> np.ndarray:
    """(len(b), len(s)): whether closed boxes (x0, y0, x1, y1) and segments (x, y, x, y) share a point.

    Separating axes: the two coordinate axes, and the segment's normal (every box corner strictly on
    one side of the segment's line)."""
    if not len(b) or not len(s):
        return np.zeros((len(b), len(s)), dtype=bool)
    lo, hi = np.minimum(s[:, :2], s[:, 2:]), np.maximum(s[:, :2], s[:, 2:])
    hit = ((lo[None, :, 0] <= b[:, None, 2]) & (b[:, None, 0] <= hi[None, :, 0])
           & (lo[None, :, 1] <= b[:, None, 3]) & (b[:, None, 1] <= hi[None, :, 1]))
    i, j = np.nonzero(hit)  # only pairs whose bounding boxes meet need the third axis
    if len(i):
        sx0, sy0, sx1, sy1 = s[j].T
        bx0, by0, bx1, by1 = b[i].T
        dx, dy = sx1 - sx0, sy1 - sy0
        sides = np.stack([dx * (cy - sy0) - dy * (cx - sx0) for cx in (bx0, bx1) for cy in (by0, by1)])
        hit[i, j] = ~((sides > 0).all(0) | (sides < 0).all(0))
    return hit


def _reach(ax: float, ay: float, bounds: np.ndarray) -> float:
    """The distance from the anchor to the farthest corner of ``bounds`` (0 when NaN: nothing in the way)."""
    if not np.all(np.isfinite(bounds)):
        return 0.0
    return max(math.hypot(x - ax, y - ay) for x in (bounds[0], bounds[2]) for y in (bounds[1], bounds[3]))


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
