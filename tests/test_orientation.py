"""Footprint orientation (long axis, gable width, facing against true north) and the Shanghai pair arrangement.

Expected values are worked out by hand in the comments: a slab whose long axis
turns a degrees counter-clockwise from the drawing's +X has its facade normal
at a + 90°; with ``north_angle`` n true north lies at 90° + n in the drawing, so
the facing is |a - n| (folded into 0-90°) away from due south.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from drawcheck.indicators.orientation import (Orientation, axes_angle, bearing, footprint_orientation, north_unit,
                                              off_north_south)
from drawcheck.rules.spacing import arrange

PARAMS = {"gable_width_max": 16.0, "parallel_angle_max": 45.0, "south_facing_max": 45.0}


def rect(cx, cy, length, width, angle=0.0) -> list[np.ndarray]:
    """A rectangle centred at (cx, cy), its ``length`` side along ``angle`` degrees (ring list, x y bulge)."""
    a = math.radians(angle)
    u = np.array([math.cos(a), math.sin(a)]) * length / 2
    n = np.array([-math.sin(a), math.cos(a)]) * width / 2
    corners = [np.array([cx, cy]) + s * u + t * n for s, t in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    return [np.column_stack([np.array(corners), np.zeros(4)])]


def test_axis_aligned_slab_faces_due_south():
    # 40 x 12 slab along +X: long axis 0°, gable 12 m, facades face north and due south
    o = footprint_orientation([rect(30.0, 16.0, 40.0, 12.0)])
    assert o.axis == pytest.approx(0.0, abs=1e-9) or o.axis == pytest.approx(180.0, abs=1e-9)
    assert (o.length, o.width) == (pytest.approx(40.0), pytest.approx(12.0))
    assert o.centre == (pytest.approx(30.0), pytest.approx(16.0))
    assert o.off_south == pytest.approx(0.0, abs=1e-9)
    assert o.south_facing(45.0)


@pytest.mark.parametrize("angle, axis, off_south", [
    (30.0, 30.0, 30.0),    # normal at 120°, north at 90°: 30° off
    (60.0, 60.0, 60.0),    # 60° off: east/west-facing
    (90.0, 90.0, 90.0),    # a north-south slab faces due east and west
    (120.0, 120.0, 60.0),  # normal at 210°: the line 210°/30° is 60° from the 90° north line
    (150.0, 150.0, 30.0),
    (-30.0, 150.0, 30.0),  # the same axis as 150°
])
def test_rotated_slab(angle, axis, off_south):
    o = footprint_orientation([rect(0.0, 0.0, 40.0, 12.0, angle)])
    assert axes_angle(o.axis, axis) == pytest.approx(0.0, abs=1e-9)
    assert (o.length, o.width) == (pytest.approx(40.0), pytest.approx(12.0))
    assert o.off_south == pytest.approx(off_south, abs=1e-9)


@pytest.mark.parametrize("angle, south", [(44.99, True), (45.0, True), (45.01, False), (-45.0, True), (134.99, False)])
def test_45_degree_boundary_is_south_facing(angle, south):
    # 南北向 is due south to 45° east or west inclusive; 134.99° is -45.01°
    o = footprint_orientation([rect(100.0, 50.0, 40.0, 12.0, angle)])
    assert o.south_facing(45.0) is south


@pytest.mark.parametrize("slab, north_angle, off_south", [
    (0.0, 30.0, 30.0),    # north turned 30° CCW: the facade normal (90°) is 30° from it
    (0.0, 90.0, 90.0),    # north along the drawing's -X: an E-W slab in the drawing faces east/west
    (0.0, -45.0, 45.0),
    (30.0, 30.0, 0.0),    # slab and north arrow turned together: due south
    (30.0, -30.0, 60.0),  # normal at 120°, north at 60°
])
def test_north_angle_turns_the_facing(slab, north_angle, off_south):
    o = footprint_orientation([rect(0.0, 0.0, 40.0, 12.0, slab)], north_angle)
    assert o.off_south == pytest.approx(off_south, abs=1e-9)


def test_bearings_and_lines_against_true_north():
    assert bearing(1.0, 0.0) == pytest.approx(90.0)     # +X is east
    assert bearing(0.0, -1.0) == pytest.approx(180.0)
    assert bearing(-1.0, 0.0) == pytest.approx(270.0)
    assert bearing(0.0, 1.0, 90.0) == pytest.approx(90.0)  # north along -X: +Y points east
    assert north_unit(90.0) == (pytest.approx(-1.0), pytest.approx(0.0, abs=1e-12))
    assert off_north_south(1.0, 1.0) == pytest.approx(45.0)
    assert off_north_south(-3.0, 0.0) == pytest.approx(90.0)
    assert off_north_south(1.0, 1.0, 45.0) == pytest.approx(90.0)  # north at 135°: the 45° line is east-west
    assert off_north_south(0.0, -2.0, 45.0) == pytest.approx(45.0)


def test_axes_angle_folds_to_0_90():
    assert axes_angle(10.0, 170.0) == pytest.approx(20.0)
    assert axes_angle(0.0, 90.0) == pytest.approx(90.0)
    assert axes_angle(30.0, 75.0) == pytest.approx(45.0)
    assert axes_angle(0.0, 180.0) == pytest.approx(0.0)


@pytest.mark.parametrize("angle, axis", [(10.0, 10.0), (80.0, 170.0)])
def test_square_takes_the_axis_nearer_east_west(angle, axis):
    # a 20 x 20 square turned 10° or 80° has edges at 10° and 100° (80° and 170°): the one 10° off
    # east-west is its long axis, so it faces 10° off south
    o = footprint_orientation([rect(0.0, 0.0, 20.0, 20.0, angle)])
    assert axes_angle(o.axis, axis) == pytest.approx(0.0, abs=1e-9)
    assert o.length == pytest.approx(o.width)
    assert o.off_south == pytest.approx(10.0, abs=1e-9)


def test_union_of_parts():
    # L of (0,0)-(40,12) and (0,12)-(12,30): the axis-aligned 40 x 30 rectangle (1 200 m2) is smaller
    # than the one along the hull's diagonal edge (about 49.9 x 31.7)
    o = footprint_orientation([rect(20.0, 6.0, 40.0, 12.0), rect(6.0, 21.0, 12.0, 18.0)])
    assert axes_angle(o.axis, 0.0) == pytest.approx(0.0, abs=1e-9)
    assert (o.length, o.width) == (pytest.approx(40.0), pytest.approx(30.0))


# --- the pair arrangement (drawcheck.rules.spacing.arrange) ------------------------------------------

def _o(axis, width=12.0, centre=(0.0, 0.0), length=40.0) -> Orientation:
    return Orientation(axis=axis, length=length, width=width, centre=centre, off_south=0.0)


def _pair(p, q, ha=18.0, hb=15.0):
    a, b = SimpleNamespace(id="1#", height=ha), SimpleNamespace(id="2#", height=hb)
    return SimpleNamespace(a=a, b=b, from_point=p, to_point=q, distance=math.dist(p, q))


def test_stacked_slabs_are_parallel_south_facing():
    r = arrange(_pair((20.0, 32.0), (20.0, 52.0)), _o(0.0), _o(0.0), PARAMS)
    assert (r.case, r.facing, r.faces, r.role) == ("parallel", "south", ("facade", "facade"), "south")
    assert r.obstructing.id == "1#" and r.other.id == "2#" and r.distance == 20.0


def test_north_angle_decides_south_and_facing():
    # north along the drawing's -Y (180°): 1# at the lower y is the north building
    r = arrange(_pair((20.0, 32.0), (20.0, 52.0)), _o(0.0), _o(0.0), PARAMS, north_angle=180.0)
    assert (r.case, r.facing, r.obstructing.id) == ("parallel", "south", "2#")
    # north along -X: the same slabs stand east/west of each other; the taller (1#, 18 m) obstructs
    r = arrange(_pair((20.0, 32.0), (20.0, 52.0)), _o(0.0), _o(0.0), PARAMS, north_angle=90.0)
    assert (r.case, r.facing, r.obstructing.id, r.role) == ("parallel", "east-west", "1#", "taller")


@pytest.mark.parametrize("axis_b, case", [(45.0, "parallel"), (45.01, "perpendicular")])
def test_axes_45_degrees_apart_are_still_parallel(axis_b, case):
    # spacing line along +Y from 1#'s facade; 2# turned 45°: the line is 45° from its normal (a facade,
    # inclusive); at 45.01° it meets 2#'s 12 m gable, and the axes are more than 45° apart
    r = arrange(_pair((0.0, 6.0), (0.0, 30.0)), _o(0.0), _o(axis_b), PARAMS)
    assert r.case == case


@pytest.mark.parametrize("width, case", [(16.0, "perpendicular"), (16.0004, "perpendicular"), (16.01, "parallel")])
def test_gable_wider_than_16m_counts_as_parallel(width, case):
    # tee: 2# (north-south) turns its south gable to 1#'s north facade; compared as reported (16.0004 -> 16.000)
    r = arrange(_pair((34.0, 32.0), (34.0, 46.4)), _o(0.0), _o(90.0, width), PARAMS)
    assert r.faces == ("facade", "gable")
    assert (r.case, r.facing, r.obstructing.id) == (case, "south", "1#")


def test_gable_to_gable_and_wide_ends():
    # end to end along x: both narrow gables
    r = arrange(_pair((60.0, 20.0), (69.0, 20.0)), _o(0.0), _o(0.0), PARAMS)
    assert (r.case, r.facing, r.faces, r.obstructing.id) == ("gable", "east-west", ("gable", "gable"), "1#")
    # 16.01 m wide ends are facades: parallel (axes 0° apart), east/west
    r = arrange(_pair((60.0, 20.0), (69.0, 20.0)), _o(0.0, 16.01), _o(0.0, 16.01), PARAMS)
    assert (r.case, r.facing) == ("parallel", "east-west")


def test_gable_facing_a_facade_east_west_obstructs():
    # ell: 1#'s east gable faces 2#'s west facade; 2# is the taller, yet 1# (the gable) obstructs
    r = arrange(_pair((60.0, 20.0), (72.0, 20.0), ha=9.0, hb=24.0), _o(0.0), _o(90.0), PARAMS)
    assert (r.case, r.facing, r.faces) == ("perpendicular", "east-west", ("gable", "facade"))
    assert (r.obstructing.id, r.role, r.other.id) == ("1#", "gable", "2#")


def test_touching_buildings_fall_back_to_centres():
    r = arrange(_pair((20.0, 32.0), (20.0, 32.0)), _o(0.0, centre=(40.0, 26.0)), _o(0.0, centre=(40.0, 38.0)),
                PARAMS)
    assert (r.case, r.facing, r.obstructing.id, r.distance) == ("parallel", "south", "1#", 0.0)
