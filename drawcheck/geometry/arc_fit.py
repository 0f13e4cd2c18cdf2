"""Arcs back from chords: a shapely result of offsets (buffers) and booleans as rings with bulges.

Shapely offsets and clips densified geometry. The round parts of such a
result are pieces of circles drawcheck knows in advance: the buffer of an
outline by ``d`` is rounded at each of its vertices with radius ``d`` (and
offsets each arc of radius ``R`` to ``R + d`` or ``R - d``). Given those
circles, :func:`bulged_polygons` turns every run of chords lying on one of
them back into a single bulged segment (``x, y, bulge`` rings as the model
keeps them, :mod:`drawcheck.geometry.arrays`), so a zone can be written to
DXF as arcs and its area measured exactly.

A chord counts as a piece of circle ``c`` when both its ends lie within
``tolerance`` of ``c`` and it subtends at most the angle the densification
uses for that radius (plus slack): a longer chord between two points of the
circle is a straight edge. A short chord wrongly taken as an arc differs
from it by less than the sagitta tolerance, so the choice cannot move the
outline by more than that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely

from .arcs import SAGITTA_TOLERANCE

#: How far (m) a vertex may lie off a circle and still be on it: chords cut by a boolean end on the chord,
#: at most one sagitta inside the circle.
ON_CIRCLE = 4 * SAGITTA_TOLERANCE
#: Largest sweep merged into one bulged segment (rad); a longer run is split (bulges stay below tan(pi/4)).
MAX_SWEEP = math.pi


def quad_segs_for(radius: float, tolerance: float = SAGITTA_TOLERANCE) -> int:
    """Segments per quarter circle that keep a buffer's chords within ``tolerance`` (m) of its arcs."""
    if radius <= tolerance:
        return 1
    step = 2.0 * math.acos(1.0 - tolerance / radius)
    return max(1, math.ceil((math.pi / 2) / step))


def _max_step(radius: float) -> float:
    """The angle (rad) a chord of a buffer of this radius subtends, with slack for cut chords."""
    return 1.5 * (math.pi / 2) / quad_segs_for(radius)


def _ring_bulges(xy: np.ndarray, circles: np.ndarray, tree: shapely.STRtree | None) -> np.ndarray:
    """One closed ring (m, without the repeated first point) as an ``(n, 3)`` array with bulges."""
    n = len(xy)
    out = np.zeros((n, 3))
    out[:, :2] = xy
    if tree is None or n < 3:
        return out
    vi, ci = tree.query(shapely.points(xy))
    off = np.abs(np.hypot(xy[vi, 0] - circles[ci, 0], xy[vi, 1] - circles[ci, 1]) - circles[ci, 2])
    on = {(int(v), int(c)) for v, c, o in zip(vi, ci, off) if o <= ON_CIRCLE}
    by_vertex: dict[int, list[int]] = {}
    for v, c in on:
        by_vertex.setdefault(v, []).append(c)
    arc_of = np.full(n, -1, dtype=np.int64)  # edge i (vertex i -> i+1): index of its circle, -1 = straight
    sweep = np.zeros(n)
    for i in range(n):
        j = (i + 1) % n
        common = set(by_vertex.get(i, ())) & set(by_vertex.get(j, ()))
        best = None
        for c in common:
            cx, cy, r = circles[c]
            a0 = math.atan2(xy[i, 1] - cy, xy[i, 0] - cx)
            a1 = math.atan2(xy[j, 1] - cy, xy[j, 0] - cx)
            s = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
            if 0 < abs(s) <= _max_step(r) and (best is None or abs(s) < abs(best[1])):
                best = (c, s)
        if best is not None:
            arc_of[i], sweep[i] = best
    if not (arc_of >= 0).any():
        return out
    # merge runs of edges on one circle turning the same way: keep the run's first vertex, drop the inner ones
    keep = np.ones(n, dtype=bool)
    start = int(np.flatnonzero(arc_of < 0)[0]) + 1 if (arc_of < 0).any() else 0
    i, done = start % n, 0
    while done < n:
        c = arc_of[i]
        if c < 0:
            i, done = (i + 1) % n, done + 1
            continue
        total, k = sweep[i], 1
        while done + k < n:
            nxt = (i + k) % n
            if (arc_of[nxt] != c or np.sign(sweep[nxt]) != np.sign(total)
                    or abs(total + sweep[nxt]) > MAX_SWEEP):
                break
            total += sweep[nxt]
            k += 1
        out[i, 2] = math.tan(total / 4.0)
        for m in range(1, k):
            keep[(i + m) % n] = False
        i, done = (i + k) % n, done + k
    return out[keep]


def bulged_polygons(geometry, circles: Sequence[Sequence[float]]) -> list[list[np.ndarray]]:
    """The polygons of ``geometry`` as ring lists ``[exterior, *holes]`` of ``(n, 3)`` x, y, bulge arrays (m).

    ``circles``: ``(cx, cy, r)`` rows (m) the round parts of ``geometry`` may lie on.
    """
    circles = np.asarray(circles, dtype=float).reshape(-1, 3)
    tree = None
    if len(circles):
        boxes = shapely.box(circles[:, 0] - circles[:, 2] - ON_CIRCLE, circles[:, 1] - circles[:, 2] - ON_CIRCLE,
                            circles[:, 0] + circles[:, 2] + ON_CIRCLE, circles[:, 1] + circles[:, 2] + ON_CIRCLE)
        tree = shapely.STRtree(boxes)
    out = []
    for poly in shapely.get_parts(geometry):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        rings = [poly.exterior, *poly.interiors]
        out.append([_ring_bulges(np.asarray(r.coords)[:-1, :2], circles, tree) for r in rings])
    return out
