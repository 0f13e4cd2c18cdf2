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
    # the lens's arcs lie inside the other disc: their slivers are that disc's area, counted once
    assert AreaIndex([[a], [b]]).union_area(clip=clip) == pytest.approx(expected, abs=ABS_CLIP)


def test_overlapping_circles_unite_exactly():
    r, d = 20.0, 10.0
    lens = 2 * r * r * math.acos(d / (2 * r)) - d / 2 * math.sqrt(4 * r * r - d * d)
    got = AreaIndex([[circle(0, 0, r)], [circle(d, 0, r)]]).union_area()
    assert got == pytest.approx(2 * math.pi * r * r - lens, abs=ABS_CLIP)


def test_curved_tower_on_its_podium_is_the_podium():
    """A tower whose south wall is an arc, standing on a 40 x 30 podium: the footprint is the podium."""
    podium = ring([(0, 0), (40, 0), (40, 30), (0, 30)])
    tower = ring([(10, 5), (30, 5), (30, 25), (10, 25)], [0.2, 0, 0, 0])  # first edge bulges outward (south), y >= ~3
    assert AreaIndex([[podium], [tower]]).union_area() == pytest.approx(1200.0, abs=ABS_CLIP)
    # the tower alone keeps its arc: 20 x 20 plus the segment of bulge 0.2 on a 20 m chord
    b, c = 0.2, 20.0
    radius = c * (1 + b * b) / (4 * b)
    theta = 4 * math.atan(b)
    assert AreaIndex([[tower]]).union_area() == pytest.approx(400 + radius ** 2 / 2 * (theta - math.sin(theta)),
                                                               abs=1e-9)


@pytest.mark.parametrize("west_bulge", [-0.3, 0.3], ids=["one-arc-shared", "arcs-into-each-other"])
def test_parts_meeting_along_arcs_make_the_rectangle(west_bulge):
    """Two 10 x 20 parts meeting at x = 10: the left one's east edge bulges east (bulge 0.3). The right
    one's west edge, run southwards, either follows the same arc (bulge -0.3: concave, no overlap) or
    bulges west into the left part (+0.3: each segment inside the other part). Either way: 20 x 20."""
    left = ring([(0, 0), (10, 0), (10, 20), (0, 20)], [0, 0.3, 0, 0])
    right = ring([(10, 0), (20, 0), (20, 20), (10, 20)], [0, 0, 0, west_bulge])
    assert AreaIndex([[left], [right]]).union_area() == pytest.approx(400.0, abs=ABS_CLIP)
