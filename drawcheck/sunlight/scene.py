"""The sunlight scene: every building part extruded from ±0.00 to its height, as triangles (m).

Podium and tower are separate prisms, so a tower stands on its podium; the
site's buildings and the existing neighbours are all obstacles. Walls are one
quad (two triangles) per outline edge, arcs densified within
:data:`~drawcheck.geometry.arcs.SAGITTA_TOLERANCE`; roofs and bases are
constrained Delaunay triangulations of the outline (holes kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry.arrays import PolygonArrays


@dataclass(frozen=True)
class Scene:
    triangles: np.ndarray  # (n, 3, 3) float64, m
    part_of: np.ndarray  # (n,) int: which prism (index into the parts given) each triangle belongs to


def prism_triangles(rings: Sequence[np.ndarray], height: float) -> np.ndarray:
    """Triangles (k, 3, 3) of one outline (exterior + holes, x/y/bulge rings) extruded from z 0 to ``height``."""
    dense = PolygonArrays.from_polygons([rings]).densified()
    walls = []
    for r in range(len(dense.ring_offsets) - 1):
        xy = dense.xy[dense.ring_offsets[r]:dense.ring_offsets[r + 1]]
        nxt = np.roll(xy, -1, axis=0)
        lo0 = np.column_stack([xy, np.zeros(len(xy))])
        lo1 = np.column_stack([nxt, np.zeros(len(xy))])
        hi0 = np.column_stack([xy, np.full(len(xy), height)])
        hi1 = np.column_stack([nxt, np.full(len(xy), height)])
        walls.append(np.stack([lo0, lo1, hi1], axis=1))
        walls.append(np.stack([lo0, hi1, hi0], axis=1))
    polygon = dense.to_shapely()[0]
    caps = shapely.get_parts(shapely.constrained_delaunay_triangles(polygon))
    tri2d = np.array([np.asarray(t.exterior.coords)[:3] for t in caps]).reshape(-1, 3, 2)
    top = np.concatenate([tri2d, np.full((len(tri2d), 3, 1), height)], axis=2)
    bottom = np.concatenate([tri2d[:, ::-1], np.zeros((len(tri2d), 3, 1))], axis=2)
    return np.concatenate(walls + [top, bottom])


def build_scene(parts: Sequence[tuple[Sequence[np.ndarray], float]]) -> Scene:
    """The scene of ``parts`` given as (rings, height in m); parts without height are left out."""
    tris, owner = [], []
    for k, (rings, height) in enumerate(parts):
        if not height or height <= 0:
            continue
        t = prism_triangles(rings, float(height))
        tris.append(t)
        owner.append(np.full(len(t), k))
    if not tris:
        return Scene(np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64))
    return Scene(np.concatenate(tris), np.concatenate(owner))
