"""PolygonArrays: construction, validation at the boundary, bounds, shapely
interop, subsets and the thin wrappers over the kernels."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from drawcheck.geometry.arcs import SAGITTA_TOLERANCE
from drawcheck.geometry.arrays import (
    PolygonArrays,
    pairs_within,
    polygon_distance,
    polygon_distances,
    smallest_containing,
)
from tests.geometry_catalogue import BY_NAME, CATALOGUE, arc_length

REL_EXACT = 1e-12  # exact formulas in float64
# Bounds from arc extreme points vs the hand-worked box: rounding at the
# magnitude of the coordinates (the huge-coordinates case sits at 3.5e6 m).
BOUNDS_ATOL = 1e-9
# shapely bounds of densified geometry sit inside the true bounds, at most
# one sagitta away (a chord can cut an arc's extreme point off).
FLOAT_SLACK = 1e-9

SQUARE = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)


def _all():
    return PolygonArrays.from_polygons([c.polygon for c in CATALOGUE])


def test_from_polygons_layout():
    hole = np.array([[0.2, 0.2, 0], [0.4, 0.2, 0], [0.4, 0.4, 0]])
    circle = np.array([[0, 0, 1], [2, 0, 1]])
    pa = PolygonArrays.from_polygons([[SQUARE, hole], [circle]])
    assert len(pa) == 2
    assert pa.xy.shape == (9, 2) and pa.xy.dtype == np.float64
    assert pa.bulge.tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert pa.ring_offsets.tolist() == [0, 4, 7, 9] and pa.ring_offsets.dtype == np.int64
    assert pa.poly_offsets.tolist() == [0, 2, 3] and pa.poly_offsets.dtype == np.int64
    assert pa.areas() == pytest.approx([1 - 0.02, math.pi], rel=REL_EXACT)
    empty = PolygonArrays.from_polygons([])
    assert len(empty) == 0 and empty.areas().shape == (0,) and empty.bounds().shape == (0, 4)


@pytest.mark.parametrize(
    "bad, index",
    [
        ([[SQUARE], [SQUARE + [np.nan, 0]]], 1),
        ([[SQUARE], [SQUARE], [SQUARE, SQUARE * 0.5 + [np.inf, 0]]], 2),
        ([[np.column_stack([SQUARE, [0, 0, np.inf, 0]])]], 0),  # bulge
        ([[SQUARE], [SQUARE[:2]]], 1),  # two straight vertices
        ([[np.array([[0.0, 0.0, 1.0]])]], 0),  # one vertex, even with a bulge
        ([[SQUARE], []], 1),  # no rings
        ([[SQUARE], [np.zeros((4, 4))]], 1),  # bad shape
    ],
)
def test_invalid_input_raises_value_error_naming_the_polygon(bad, index):
    with pytest.raises(ValueError, match=f"polygon {index}"):
        PolygonArrays.from_polygons(bad)


def test_two_vertices_allowed_with_an_arc():
    pa = PolygonArrays.from_polygons([[np.array([[0, 0, 0], [2, 0, 0.3]])]])
    assert pa.areas()[0] > 0


def test_direct_construction_is_validated_too():
    with pytest.raises(ValueError, match="polygon 0"):
        PolygonArrays(np.array([[0, 0], [1, 0], [np.nan, 1]]), np.zeros(3), [0, 3], [0, 1])
    with pytest.raises(ValueError, match="ring_offsets"):
        PolygonArrays(SQUARE, np.zeros(4), [0, 3], [0, 1])
    with pytest.raises(ValueError, match="poly_offsets"):
        PolygonArrays(SQUARE, np.zeros(4), [0, 4], [0, 2])


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_bounds_include_arc_extremes(case):
    pa = PolygonArrays.from_polygons([case.polygon])
    got = pa.bounds()[0]
    assert got == pytest.approx(case.bounds, abs=BOUNDS_ATOL)
    dens = shapely.bounds(pa.to_shapely())[0]
    slack = SAGITTA_TOLERANCE + FLOAT_SLACK
    assert np.all(dens[:2] >= got[:2] - FLOAT_SLACK) and np.all(dens[2:] <= got[2:] + FLOAT_SLACK)
    assert np.all(np.abs(dens - got) <= slack)


def test_bounds_of_arc_polygon_exceed_vertex_bounds():
    pa = PolygonArrays.from_polygons([BY_NAME["arc_beyond_vertices"].polygon])
    vertex_box = [pa.xy[:, 0].min(), pa.xy[:, 1].min(), pa.xy[:, 0].max(), pa.xy[:, 1].max()]
    assert vertex_box == [0, 0, 2, 0]
    assert pa.bounds()[0] == pytest.approx([1 - math.sqrt(2), 0, 1 + math.sqrt(2), 1 + math.sqrt(2)])


def test_to_shapely_builds_valid_polygons_with_holes():
    pa = _all()
    polys = pa.to_shapely()
    assert polys.dtype == object and polys.shape == (len(CATALOGUE),)
    assert all(isinstance(g, shapely.Polygon) for g in polys)
    n_holes = [len(c.rings) - 1 for c in CATALOGUE]
    assert shapely.get_num_interior_rings(polys).tolist() == n_holes
    for case, g, exact in zip(CATALOGUE, polys, pa.areas()):
        bound = arc_length(case.rings) * SAGITTA_TOLERANCE + FLOAT_SLACK * max(1.0, exact)
        assert abs(g.area - exact) <= bound, case.name
    assert shapely.is_valid(polys).all()


def test_densified_has_no_bulges_and_keeps_polygon_structure():
    pa = _all()
    d = pa.densified()
    assert not d.bulge.any()
    assert np.array_equal(d.poly_offsets, pa.poly_offsets)
    assert d.xy.shape[0] > pa.xy.shape[0]
    straight = PolygonArrays.from_polygons([[SQUARE]])
    assert straight.densified() is straight
    with pytest.raises(ValueError):
        pa.densified(0.0)


def test_subset_and_concatenate():
    pa = _all()
    areas = pa.areas()
    idx = np.array([3, 0, -1, 3])
    assert pa.subset(idx).areas() == pytest.approx(areas[idx], rel=0, abs=0)
    mask = np.arange(len(pa)) % 3 == 0
    sub = pa.subset(mask)
    assert len(sub) == mask.sum()
    assert np.array_equal(sub.areas(), areas[mask])
    assert np.array_equal(pa.subset(slice(2, 5)).bounds(), pa.bounds()[2:5])
    assert len(pa.subset([])) == 0
    back = PolygonArrays.concatenate([pa.subset(slice(0, 4)), pa.subset(slice(4, None))])
    for name in ("xy", "bulge", "ring_offsets", "poly_offsets"):
        assert np.array_equal(getattr(back, name), getattr(pa, name))


def test_wrappers_distance_containment_and_spacing():
    site = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], dtype=float)
    b1 = np.array([[10, 20], [30, 20], [30, 50], [10, 50]], dtype=float)
    b2 = np.array([[40, 20], [60, 20], [60, 50], [40, 50]], dtype=float)
    # a round tower of radius 5 centred at (80, 80)
    tower = np.array([[75, 80, 1], [85, 80, 1]], dtype=float)
    pa = PolygonArrays.from_polygons([[b1], [b2], [tower], [site]])

    d, pts = polygon_distance(pa, 0, 1)
    assert d == 10.0 and pts == (30, 20, 40, 20)
    d, _ = polygon_distance(pa, 2, 3, boundary_only=True)
    assert d == pytest.approx(15.0, abs=SAGITTA_TOLERANCE)  # tower to the site line
    dist, _ = polygon_distances(pa, [[0, 3], [2, 3]], boundary_only=[True, True])
    assert dist == pytest.approx([10.0, 15.0], abs=SAGITTA_TOLERANCE)
    with pytest.raises(IndexError):
        polygon_distances(pa, [[0, 4]])

    pairs, dist, _ = pairs_within(pa.subset([0, 1, 2]), 40.0)
    # b1-b2 10 m; b2-tower: from (60, 50) to the circle: hypot(20, 30) - 5
    assert pairs.tolist() == [[0, 1], [1, 2]]
    assert dist == pytest.approx([10.0, math.hypot(20, 30) - 5], abs=SAGITTA_TOLERANCE)

    got = smallest_containing(pa, [[20, 30], [80, 80], [84.9, 80], [90, 10], [150, 0]])
    assert got.tolist() == [0, 2, 2, 3, -1]
