"""Union areas clipped to a site (AreaIndex) and the arc slivers that keep them exact.

Expected values are hand-worked: sector and circle areas, and the circular
segment between a chord and its arc, r^2 / 2 (phi - sin phi).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from drawcheck.geometry.arcs import SAGITTA_TOLERANCE
from drawcheck.geometry.arrays import PolygonArrays
from drawcheck.geometry.ops import AreaIndex, exact_union_area
from tests.geometry_catalogue import CATALOGUE

# Clipping keeps the densified area inside the clip plus the slivers inside; a
# sliver crossing the clip's edge counts whole or not at all: one sliver of an
# r = 60 m arc at 0.5 mm sagitta is r^2/2 (phi - sin phi) ~ 1.6e-4 m2 per crossing,
# far below the report's 0.01 m2.
ABS_CLIP = 1e-3


def ring(points, bulges=None) -> np.ndarray:
    a = np.zeros((len(points), 3))
    a[:, :2] = points
    if bulges is not None:
        a[:, 2] = bulges
    return a


def circle(cx: float, cy: float, r: float) -> np.ndarray:
    """Two half circles (bulge 1), counter-clockwise."""
    return ring([(cx + r, cy), (cx - r, cy)], [1.0, 1.0])


SITE = ring([(0, 0), (100, 0), (100, 100), (0, 100)])


# -- slivers ---------------------------------------------------------------------------------------
def test_slivers_of_a_circle_are_its_circular_segments():
    r = 1000.0
    pts, areas, owner = PolygonArrays.from_polygons([[circle(0, 0, r)]]).arc_slivers()
    n = len(areas)
    phi = 2 * math.pi / n  # equal chords all round
    assert n > 100 and n % 2 == 0
    assert areas == pytest.approx(np.full(n, r * r / 2 * (phi - math.sin(phi))), rel=1e-9)
    assert np.hypot(pts[:, 0], pts[:, 1]) == pytest.approx(np.full(n, r), rel=1e-12)  # midpoints on the arc
    assert set(owner.tolist()) == {0}
    # the sagitta of each chord stays within the tolerance the densification promises
    assert r * (1 - math.cos(phi / 2)) <= SAGITTA_TOLERANCE


def test_slivers_close_the_gap_between_exact_and_densified_areas():
    """For every catalogue polygon (holes, both orientations, tiny bulges, far coordinates)."""
    arrays = PolygonArrays.from_polygons([c.polygon for c in CATALOGUE])
    _, areas, owner = arrays.arc_slivers()
    gap = arrays.areas() - shapely.area(arrays.to_shapely())
    summed = np.bincount(owner, weights=areas, minlength=len(arrays))
    assert summed == pytest.approx(gap, rel=1e-6, abs=1e-9)


def test_a_hole_counts_its_slivers_against_the_polygon():
    outer = ring([(0, 0), (10, 0), (10, 10), (0, 10)])
    hole = circle(5, 5, 2)
    _, areas, _ = PolygonArrays.from_polygons([[outer, hole]]).arc_slivers()
    assert (areas < 0).all()  # the exact hole is bigger than its chords: less area left


# -- clipped unions --------------------------------------------------------------------------------
@pytest.mark.parametrize("green, expected", [
    (circle(50, 50, 1000), 100 * 100),  # a 1 km circle round a 100 m site: the site itself
    (circle(0, 0, 60), math.pi * 60 ** 2 / 4),  # centred on a corner: a quarter disc
    (circle(50, 0, 10), math.pi * 10 ** 2 / 2),  # centred on an edge: a half disc
    (circle(50, 50, 30), math.pi * 30 ** 2),  # wholly inside: untouched
    (circle(500, 500, 30), 0.0),  # wholly outside
])
def test_clipped_area_is_exact(green, expected):
    clip = shapely.Polygon(SITE[:, :2])
    assert AreaIndex([[green]]).union_area(clip=clip) == pytest.approx(expected, abs=ABS_CLIP)


def test_clip_sharing_an_arc_keeps_the_arc():
    """A green area filling a rounded site corner: the shared arc's slivers lie inside the exact site."""
    b90 = math.tan(math.radians(90) / 4)
    rounded = ring([(0, 0), (80, 0), (100, 20), (100, 100), (0, 100)], [0, b90, 0, 0, 0])
    corner = ring([(60, 0), (80, 0), (100, 20), (100, 40), (60, 40)], [0, b90, 0, 0, 0])
    expected = 40 * 40 - (20 * 20 - math.pi * 20 ** 2 / 4)  # 40 m square less the corner the arc cuts off
    got = exact_union_area([[corner]], clip=[rounded])
    assert got == pytest.approx(expected, abs=ABS_CLIP)


def test_overlapping_pieces_leaving_the_clip():
    """Two circles overlapping across the site edge: the union's part inside the site."""
    a, b = circle(100, 50, 20), circle(100, 60, 20)
    clip = shapely.Polygon(SITE[:, :2])
    # inside: half of each disc (x <= 100) minus their overlap's half; the lens of two
    # r = 20 circles 10 m apart: 2 r^2 acos(d / 2r) - d / 2 sqrt(4 r^2 - d^2)
    r, d = 20.0, 10.0
    lens = 2 * r * r * math.acos(d / (2 * r)) - d / 2 * math.sqrt(4 * r * r - d * d)
    expected = (2 * math.pi * r * r - lens) / 2
    # the lens's arcs are inside the other disc: measured on chords (within a sagitta x perimeter)
    assert AreaIndex([[a], [b]]).union_area(clip=clip) == pytest.approx(expected, abs=0.05)
