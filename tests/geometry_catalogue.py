"""A catalogue of awkward polygons with hand-worked areas and bounds.

Every geometry kernel test parametrises over ``CATALOGUE`` (in the manner of
shapely's ``tests/common.py``).  A case's polygon is a list of rings, each an
(n, 3) array of x, y, bulge (DXF LWPOLYLINE convention: the bulge of vertex
i is tan(theta/4) of the arc to vertex i+1, positive counter-clockwise).
``area`` and ``bounds`` are worked by hand from the construction, never
computed by the code under test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PI = math.pi


@dataclass(frozen=True)
class Case:
    name: str
    rings: tuple  # of (n, 3) float arrays
    area: float | None  # analytic area, m2
    bounds: tuple | None  # analytic (minx, miny, maxx, maxy), m
    note: str = ""

    @property
    def polygon(self) -> list[np.ndarray]:
        return [np.array(r, dtype=float) for r in self.rings]


def _ring(points, bulges=None):
    a = np.zeros((len(points), 3))
    a[:, :2] = points
    if bulges is not None:
        a[:, 2] = bulges
    return a


def _shift(ring, dx, dy):
    out = np.array(ring, dtype=float)
    out[:, 0] += dx
    out[:, 1] += dy
    return out


# bulge of a 90 degree arc, and of a 270 degree arc
B90 = math.tan(math.radians(90.0) / 4.0)
B270 = math.tan(math.radians(270.0) / 4.0)
TINY_BULGE = 1e-6


def tiny_segment_area(chord: float, bulge: float) -> float:
    """Circular-segment area for a small bulge from its series in b:
    c^2 b / 3 (1 + b^2 / 5) + O(c^2 b^5) (worked from
    r^2/2 (theta - sin theta), r = c (1 + b^2) / (4b), theta = 4 atan b)."""
    return chord * chord * bulge / 3.0 * (1.0 + bulge * bulge / 5.0)


_square = [(0, 0), (1, 0), (1, 1), (0, 1)]
_stadium = _ring([(0, 0), (8, 0), (8, 2), (0, 2)], [0, 1, 0, 1])

CATALOGUE: list[Case] = [
    Case("unit_square_ccw", (_ring(_square),), 1.0, (0, 0, 1, 1)),
    Case("unit_square_cw", (_ring(_square[::-1]),), 1.0, (0, 0, 1, 1)),
    Case(
        "rectangle_with_hole",
        (_ring([(0, 0), (10, 0), (10, 6), (0, 6)]), _ring([(2, 2), (4, 2), (4, 5), (2, 5)])),
        60.0 - 6.0,
        (0, 0, 10, 6),
        "hole in the same orientation as the exterior",
    ),
    Case(
        "two_holes",
        (
            _ring([(0, 0), (20, 0), (20, 10), (0, 10)][::-1]),
            _ring([(2, 2), (4, 2), (4, 4), (2, 4)]),
            _ring([(10, 5), (10, 6), (13, 6), (13, 5)]),
        ),
        200.0 - 4.0 - 3.0,
        (0, 0, 20, 10),
        "CW exterior, one CCW and one CW hole",
    ),
    Case("circle", (_ring([(0.5, -1), (5.5, -1)], [1, 1]),), PI * 2.5**2, (0.5, -3.5, 5.5, 1.5)),
    Case("circle_cw", (_ring([(0.5, -1), (5.5, -1)], [-1, -1]),), PI * 2.5**2, (0.5, -3.5, 5.5, 1.5)),
    Case(
        "rectangle_with_circular_hole",
        (_ring([(0, 0), (10, 0), (10, 10), (0, 10)]), _ring([(3, 5), (7, 5)], [1, 1])),
        100.0 - 4.0 * PI,
        (0, 0, 10, 10),
    ),
    Case(
        "convex_and_concave_arcs",
        # CCW 10 x 4: right side a half circle outwards (+2 pi), top side a
        # 90 degree arc inwards (chord 10, r^2 = 50: 25 (pi/2 - 1) removed)
        (_ring([(0, 0), (10, 0), (10, 4), (0, 4)], [0, 1, -B90, 0]),),
        40.0 + 2.0 * PI - 25.0 * (PI / 2.0 - 1.0),
        (0, 0, 12, 4),
    ),
    Case("stadium", (_stadium,), 16.0 + PI, (-1, 0, 9, 2), "half circles on both ends"),
    Case(
        "collinear_repeated_points",
        (_ring([(0, 0), (1, 0), (2, 0), (4, 0), (4, 2), (4, 4), (0, 4), (0, 2)]),),
        16.0,
        (0, 0, 4, 4),
    ),
    Case(
        "duplicate_consecutive_vertices",
        # includes a zero-length segment carrying a bulge
        (_ring([(0, 0), (0, 0), (3, 0), (3, 0), (3, 2), (0, 2), (0, 2)], [0, 0, 0.5, 0, 0, 0, 0]),),
        6.0,
        (0, 0, 3, 2),
    ),
    Case(
        "tiny_bulge",
        (_ring([(0, 0), (10, 0), (10, 5), (0, 5)], [TINY_BULGE, 0, 0, 0]),),
        50.0 + tiny_segment_area(10.0, TINY_BULGE),
        (0, -10.0 * TINY_BULGE / 2.0, 10, 5),
        "sagitta c b / 2 = 5 um below the bottom edge",
    ),
    Case(
        "tiny_bulge_lens",
        # two arcs of bulge b on the same chord, bulging to opposite sides:
        # shoelace is 0, the area is two circular segments
        (_ring([(0, 0), (10, 0)], [TINY_BULGE, TINY_BULGE]),),
        2.0 * tiny_segment_area(10.0, TINY_BULGE),
        (0, -5.0 * TINY_BULGE, 10, 5.0 * TINY_BULGE),
    ),
    Case(
        "huge_coordinates",
        (_shift(_stadium, 3.5e6, 4.0e5), _shift(_ring([(1, 0.5), (2, 0.5), (2, 1.5), (1, 1.5)]), 3.5e6, 4.0e5)),
        16.0 + PI - 1.0,
        (3.5e6 - 1, 4.0e5, 3.5e6 + 9, 4.0e5 + 2),
        "stadium with a hole at x = 3.5e6, y = 4.0e5",
    ),
    Case(
        "thin_sliver",
        (_ring([(0, 0), (1000, 0.001), (0, 0.002)]),),
        0.5 * 1000.0 * 0.002,
        (0, 0, 1000, 0.002),
    ),
    Case("l_shape", (_ring([(0, 0), (6, 0), (6, 2), (2, 2), (2, 5), (0, 5)]),), 18.0, (0, 0, 6, 5)),
    Case(
        "arc_beyond_vertices",
        # chord (0,0)-(2,0) closed by a 270 degree CCW arc, centre (1,1),
        # r = sqrt 2: circle minus its 90 degree segment = 3 pi / 2 + 1
        (_ring([(0, 0), (2, 0)], [0, B270]),),
        1.5 * PI + 1.0,
        (1 - math.sqrt(2), 0, 1 + math.sqrt(2), 1 + math.sqrt(2)),
        "bbox reaches far beyond both vertices",
    ),
]

BY_NAME = {c.name: c for c in CATALOGUE}


def arc_length(rings) -> float:
    """Total length of the arcs of a polygon (m): r |theta| per bulged
    segment, r = c (1 + b^2) / (4 |b|), theta = 4 atan b."""
    total = 0.0
    for ring in rings:
        ring = np.asarray(ring, dtype=float)
        nxt = np.roll(ring, -1, axis=0)
        for (x0, y0, b), (x1, y1, _) in zip(ring, nxt):
            if b != 0.0:
                c = math.hypot(x1 - x0, y1 - y0)
                total += c * (1 + b * b) / (4 * abs(b)) * abs(4 * math.atan(b))
    return total
