"""Triangle meshes in plan: the projection of a closed mesh onto the XY plane.

For a closed surface, the upward-facing triangles cover its plan projection
exactly once per layer, so the projection is the union of those triangles
in plan; vertical and downward faces are dropped before shapely sees them.
"""

from __future__ import annotations

import numpy as np
import shapely

from .jit import njit

#: Triangles whose upward normal component (twice their plan area) is below this, m², are vertical.
VERTICAL_EPS = 1e-12
#: Grid of the overlay that unions the triangles (m): snaps away float noise between neighbours.
UNION_GRID = 1e-6


@njit(cache=True)
def upward_triangles(verts: np.ndarray, faces: np.ndarray, eps: float) -> np.ndarray:
    """Plan coordinates (k, 3, 2) of the triangles whose normal points up (counter-clockwise in plan)."""
    m = faces.shape[0]
    keep = np.empty(m, dtype=np.bool_)
    count = 0
    for t in range(m):
        a, b, c = faces[t, 0], faces[t, 1], faces[t, 2]
        ox, oy = verts[a, 0], verts[a, 1]
        cross = (verts[b, 0] - ox) * (verts[c, 1] - oy) - (verts[b, 1] - oy) * (verts[c, 0] - ox)
        keep[t] = cross > eps
        if keep[t]:
            count += 1
    out = np.empty((count, 3, 2), dtype=np.float64)
    k = 0
    for t in range(m):
        if keep[t]:
            for j in range(3):
                out[k, j, 0] = verts[faces[t, j], 0]
                out[k, j, 1] = verts[faces[t, j], 1]
            k += 1
    return out


def plan_projection(verts: np.ndarray, faces: np.ndarray):
    """Shapely (multi)polygon of a mesh's plan projection (m); empty when it has no area in plan."""
    tris = upward_triangles(np.ascontiguousarray(verts, dtype=np.float64),
                            np.ascontiguousarray(faces, dtype=np.int64), VERTICAL_EPS)
    if len(tris) == 0:
        return shapely.Polygon()
    rings = np.concatenate([tris, tris[:, :1, :]], axis=1)  # close each triangle
    polygons = shapely.polygons(rings)
    return shapely.union_all(polygons, grid_size=UNION_GRID)
