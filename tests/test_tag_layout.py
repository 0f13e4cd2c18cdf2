"""Tag placement for the DXF markup: clear of obstacles and of each other, a leader to each anchor.

Expected positions are worked by hand; clearances are measured with shapely on
the returned boxes and leaders.
"""

from __future__ import annotations

import math

import pytest
import shapely

from drawcheck.reports.tag_layout import place_tags

#: Clearances are compared in floating point after sums of a few lengths of order 100.
EPS = 1e-9


def _box(p):
    return shapely.box(*p.box)


def _leader(p):
    return shapely.LineString([p.start, p.end])


def test_a_lone_tag_sits_north_east_on_the_first_ring():
    (p,) = place_tags([(10.0, 20.0)], [(4.0, 2.0)], [], first_radius=3.0, ring_step=2.0, gap=0.5)
    r = 3.0 / math.sqrt(2)  # 45 degrees on a 3 m ring
    assert p.start == pytest.approx((10.0 + r, 20.0 + r))
    assert p.box == pytest.approx((10.0 + r, 20.0 + r - 1.0, 14.0 + r, 20.0 + r + 1.0))  # hangs from its left middle
    assert p.end == (10.0, 20.0) and not p.crossing


def test_a_tag_for_a_point_inside_a_building_goes_outside_it():
    building = shapely.box(0, 0, 100, 60)
    (p,) = place_tags([(50.0, 30.0)], [(12.0, 3.0)], [building], first_radius=3.0, ring_step=2.0, gap=0.5)
    assert _box(p).distance(building) >= 0.5 - EPS
    assert p.end == (50.0, 30.0)
    assert shapely.Point(p.start).distance(_box(p).exterior) < EPS  # the leader leaves from the frame
    # the nearest ring leaving the building: the north side is 30 m away, a 3 m tall box needs 31.5 + 0.5 m
    # at 90 degrees, and rings lie at 3 + 2n m: the first ring at or beyond 32 m is 33 m
    assert math.hypot(p.start[0] - 50.0, p.start[1] - 30.0) == pytest.approx(33.0)


def test_many_tags_at_one_point_overlap_nothing():
    n = 40
    placements = place_tags([(0.0, 0.0)] * n, [(8.0 + (i % 5), 2.5) for i in range(n)],
                            [shapely.Point(0, 0).buffer(1.0)], first_radius=3.0, ring_step=2.0, gap=0.5)
    assert len(placements) == n
    boxes = [_box(p) for p in placements]
    for i in range(n):
        assert boxes[i].distance(shapely.Point(0, 0).buffer(1.0)) >= 0.5 - EPS
        assert shapely.Point(placements[i].start).distance(boxes[i].exterior) < EPS
        for j in range(i + 1, n):
            assert boxes[i].distance(boxes[j]) >= 0.5 - EPS, (i, j)
        if not placements[i].crossing:  # the promise: its leader runs through no other tag
            assert not any(_leader(placements[i]).intersects(boxes[j]) for j in range(n) if j != i), i


def test_same_input_same_placements():
    args = ([(1.0, 2.0), (1.5, 2.0), (1.0, 2.5)], [(6.0, 2.0), (3.0, 2.0), (9.0, 2.0)],
            [shapely.box(-5, -5, 5, 5)])
    assert place_tags(*args, first_radius=3.0, ring_step=2.0, gap=0.5) == \
        place_tags(*args, first_radius=3.0, ring_step=2.0, gap=0.5)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="one size per anchor"):
        place_tags([(0.0, 0.0)], [], [], first_radius=3.0, ring_step=2.0, gap=0.5)
    with pytest.raises(ValueError, match="must be > 0"):
        place_tags([(0.0, 0.0)], [(1.0, 1.0)], [], first_radius=3.0, ring_step=0.0, gap=0.5)
