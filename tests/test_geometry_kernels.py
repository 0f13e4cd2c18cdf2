"""Arc maths and numba kernels against independent computations: hand-worked
geometry (tests/geometry_catalogue.py), 60-digit decimal arithmetic, ezdxf
and shapely."""

from __future__ import annotations

import io
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import ezdxf
import ezdxf.math
import numba
import numpy as np
import pytest
import shapely

from drawcheck.geometry import arcs, kernels
from drawcheck.geometry.arcs import (
    MAX_CHORD_ANGLE,
    SAGITTA_TOLERANCE,
    arc_to_bulge,
    bulge_to_arc,
    segment_area,
    segments_for_arc,
)
from drawcheck.geometry.arrays import PolygonArrays
from tests.geometry_catalogue import BY_NAME, CATALOGUE, arc_length

# Exact formulas in float64: a handful of roundings on values of similar size.
REL_EXACT = 1e-12
# Circular segment area vs 60-digit arithmetic: the formula is evaluated in a
# dozen float operations, each within 1/2 ulp.
REL_SEGMENT = 1e-14
# Densifying an arc removes (or adds, for a concave arc) a circular segment
# per chord; each fits in a strip of the chord's length and the sagitta's
# width, and a chord is shorter than its arc: |exact - densified| <=
# arc length * sagitta tolerance.  FLOAT_SLACK covers the shoelace rounding.
FLOAT_SLACK = 1e-9
# A densified point lies on its circle up to the rounding of |p - centre| at
# the magnitude of the centre (a tiny bulge puts it kilometres away).
ON_ARC_ATOL = 1e-9
# Distances and nearest points vs shapely on the same densified polygons:
# both are exact up to rounding at site scale (<= 1 km coordinates).
DIST_ATOL = 1e-9


def _arrays(cases):
    return PolygonArrays.from_polygons([c.polygon for c in cases])


def _case_id(case):
    return case.name


# ---------------------------------------------------------------------------
# 60-digit references


def _dec_atan(x: Decimal) -> Decimal:
    halvings = 0
    while abs(x) > Decimal("0.01"):
        x = x / (1 + (1 + x * x).sqrt())  # atan x = 2 atan(x / (1 + sqrt(1 + x^2)))
        halvings += 1
    total, term, k, x2 = Decimal(0), x, 0, x * x
    while abs(term) > Decimal("1e-70"):
        total += term / (2 * k + 1) * (-1 if k % 2 else 1)
        term *= x2
        k += 1
    return total * (2**halvings)


def _dec_sin(x: Decimal) -> Decimal:
    total, term, k = Decimal(0), x, 1
    while abs(term) > Decimal("1e-70"):
        total += term
        term *= -x * x / ((2 * k) * (2 * k + 1))
        k += 1
    return total


def _dec_segment_area(chord: float, bulge: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 60
        c, b = Decimal(chord), Decimal(bulge)
        theta = 4 * _dec_atan(b)
        r = c * (1 + b * b) / (4 * abs(b))
        return float(r * r / 2 * (theta - _dec_sin(theta)))


# ---------------------------------------------------------------------------
# arcs.py


def test_bulge_to_arc_matches_ezdxf():
    rng = np.random.default_rng(7)
    for _ in range(300):
        p0 = rng.uniform(-50, 50, 2)
        p1 = p0 + rng.uniform(-20, 20, 2)
        b = float(rng.choice([-1, 1]) * 10 ** rng.uniform(-4, 1.5))
        cx, cy, r, start, sweep = bulge_to_arc(p0, p1, b)
        centre, sa, ea, er = ezdxf.math.bulge_to_arc(p0, p1, b)
        assert cx == pytest.approx(centre.x, abs=1e-9 * max(1.0, r))
        assert cy == pytest.approx(centre.y, abs=1e-9 * max(1.0, r))
        assert r == pytest.approx(er, rel=1e-12)
        # ezdxf always describes the arc counter-clockwise: for a clockwise
        # arc its end angle is our start angle
        ez_start = sa if b > 0 else ea
        assert math.remainder(start - ez_start, 2 * math.pi) == pytest.approx(0.0, abs=1e-9)
        assert math.remainder(abs(sweep) - (ea - sa), 2 * math.pi) == pytest.approx(0.0, abs=1e-9)
        assert np.sign(sweep) == np.sign(b)


def test_bulge_to_arc_ends_on_both_vertices():
    cx, cy, r, start, sweep = bulge_to_arc((2.0, 0.0), (0.0, 0.0), BY_NAME["arc_beyond_vertices"].rings[0][1, 2])
    assert (cx, cy, r) == pytest.approx((1.0, 1.0, math.sqrt(2)), abs=1e-14)
    assert sweep == pytest.approx(1.5 * math.pi, rel=1e-15)
    end = start + sweep
    assert (cx + r * math.cos(end), cy + r * math.sin(end)) == pytest.approx((0.0, 0.0), abs=1e-14)
    with pytest.raises(ValueError):
        bulge_to_arc((0, 0), (1, 0), 0.0)
    with pytest.raises(ValueError):
        bulge_to_arc((0, 0), (1, float("nan")), 0.5)


@pytest.mark.parametrize("ccw", [True, False])
def test_arc_to_bulge_round_trip(ccw):
    rng = np.random.default_rng(11)
    for _ in range(200):
        c = rng.uniform(-100, 100, 2)
        r = rng.uniform(0.1, 50)
        a0 = rng.uniform(-10, 10)
        sweep = rng.uniform(0.01, 2 * math.pi - 0.01) * (1 if ccw else -1)
        a1 = a0 + sweep + 2 * math.pi * rng.integers(-2, 3)  # any number of turns
        b = arc_to_bulge(a0, a1, ccw)
        assert b == pytest.approx(math.tan(sweep / 4), rel=1e-9)
        p0 = c + r * np.array([math.cos(a0), math.sin(a0)])
        p1 = c + r * np.array([math.cos(a1), math.sin(a1)])
        cx, cy, rr, _, sw = bulge_to_arc(p0, p1, b)
        assert (cx, cy, rr) == pytest.approx((c[0], c[1], r), abs=1e-8)
        assert sw == pytest.approx(sweep, abs=1e-9)


def test_arc_to_bulge_special_angles():
    assert arc_to_bulge(0.0, math.pi, True) == pytest.approx(1.0)
    assert arc_to_bulge(0.0, math.pi, False) == pytest.approx(-1.0)
    assert arc_to_bulge(0.0, -math.pi / 2, False) == pytest.approx(-math.tan(math.pi / 8))
    assert arc_to_bulge(0.0, -math.pi / 2, True) == pytest.approx(math.tan(3 * math.pi / 8))
    assert arc_to_bulge(1.0, 1.0, True) == 0.0
    with pytest.raises(ValueError):
        arc_to_bulge(0.0, 2 * math.pi, True)  # full circle
    with pytest.raises(ValueError):
        arc_to_bulge(0.0, float("inf"), True)


def test_arc_to_bulge_on_hatch_arc_edges_written_and_read_by_ezdxf():
    """The docstring's recipe for ezdxf ArcEdges, both orientations, through a
    DXF round trip (DXF stores clockwise edge angles as 360 - angle)."""
    doc = ezdxf.new()
    hatch = doc.modelspace().add_hatch()
    path = hatch.paths.add_edge_path()
    specs = [((5.0, 1.0), 3.0, 30.0, 200.0, True), ((-2.0, 4.0), 1.5, 90.0, 350.0, False)]
    for centre, radius, start, end, ccw in specs:
        path.add_arc(centre, radius, start, end, ccw=ccw)
    stream = io.StringIO()
    doc.write(stream)
    doc2 = ezdxf.read(io.StringIO(stream.getvalue()))
    edges = [e for p in doc2.modelspace().query("HATCH")[0].paths for e in p.edges]
    assert len(edges) == 2
    for e, (centre, radius, *_rest, ccw) in zip(edges, specs):
        assert e.ccw is ccw
        if e.ccw:
            b = arc_to_bulge(math.radians(e.start_angle), math.radians(e.end_angle), True)
        else:
            b = arc_to_bulge(math.radians(e.end_angle), math.radians(e.start_angle), False)
        assert (b > 0) == ccw
        cx, cy, r, _, _ = bulge_to_arc(e.real_start_point, e.real_end_point, b)
        assert (cx, cy, r) == pytest.approx((centre[0], centre[1], radius), abs=1e-9)


@pytest.mark.parametrize(
    "radius, sweep, tol",
    [
        (1.0, math.pi, SAGITTA_TOLERANCE),
        (2.5, -math.pi, SAGITTA_TOLERANCE),
        (100.0, 0.3, SAGITTA_TOLERANCE),
        (0.05, 2 * math.pi - 1e-3, SAGITTA_TOLERANCE),
        (5e3, math.pi / 2, 1e-3),
        (3.0, 1.0, 10.0),  # tolerance above the arc's size
        (1e7, 1e-6, SAGITTA_TOLERANCE),  # huge radius, tiny sweep
        (1.0, 1e-12, 1e-9),
    ],
)
def test_segments_for_arc_is_the_smallest_count_within_tolerance(radius, sweep, tol):
    n = segments_for_arc(radius, sweep, tol)
    assert n >= 1

    def sagitta(k):
        return radius * (1 - math.cos(abs(sweep) / k / 2))

    assert sagitta(n) <= tol
    if n > 1:
        assert sagitta(n - 1) > tol


def test_segments_for_arc_edge_cases():
    assert segments_for_arc(0.0, math.pi, 1e-3) == 1
    assert segments_for_arc(5.0, 0.0, 1e-3) == 1
    assert segments_for_arc(1e7, 1e-6, SAGITTA_TOLERANCE) == 1
    for bad in [(1.0, 1.0, 0.0), (1.0, 1.0, -1.0), (float("nan"), 1.0, 1e-3), (1.0, float("inf"), 1e-3)]:
        with pytest.raises(ValueError):
            segments_for_arc(*bad)


@pytest.mark.parametrize(
    "bulge", [1e-12, 1e-9, 1e-6, 1e-3, 0.031, 0.12, 0.13, 0.4, 1.0, 2.5, 30.0, 1e4]
)
@pytest.mark.parametrize("sign", [1, -1])
def test_segment_area_against_60_digit_reference(bulge, sign):
    chord = 7.3
    expected = _dec_segment_area(chord, sign * bulge)
    assert segment_area(chord, sign * bulge) == pytest.approx(expected, rel=REL_SEGMENT)


def test_segment_area_limits():
    assert segment_area(10.0, 0.0) == 0.0
    assert segment_area(2.0, 1.0) == pytest.approx(math.pi / 2, rel=1e-15)  # half unit disc
    # b -> 0: the parabolic segment c^2 b / 3
    assert segment_area(10.0, 1e-300) == pytest.approx(100.0 * 1e-300 / 3.0, rel=1e-15)


# ---------------------------------------------------------------------------
# areas


@pytest.mark.parametrize("case", CATALOGUE, ids=_case_id)
def test_polygon_area_matches_hand_worked_value(case):
    pa = _arrays([case])
    assert pa.areas()[0] == pytest.approx(case.area, rel=REL_EXACT)


def test_ring_signed_areas_follow_orientation():
    cases = [BY_NAME[n] for n in ("unit_square_ccw", "unit_square_cw", "circle", "circle_cw")]
    pa = _arrays(cases)
    got = kernels.ring_signed_areas(pa.xy, pa.bulge, pa.ring_offsets)
    r2 = math.pi * 2.5**2
    assert got == pytest.approx([1.0, -1.0, r2, -r2], rel=REL_EXACT)


def test_all_catalogue_areas_in_one_call():
    pa = _arrays(CATALOGUE)
    assert pa.areas() == pytest.approx([c.area for c in CATALOGUE], rel=REL_EXACT)
    got = kernels.polygon_areas(pa.xy, pa.bulge, pa.ring_offsets, pa.poly_offsets)
    assert np.array_equal(got, pa.areas())


def test_huge_coordinates_keep_precision():
    """A 0.1 m square at x = 3.5e6: the reference is the shoelace of the very
    same float vertices in exact rational arithmetic.  A plain float shoelace
    of products ~1.4e12 would be off by ~1e-4 m2."""
    ring = np.array([[0.0, 0.0], [0.1, 0.0], [0.1, 0.1], [0.0, 0.1]]) + [3500000.123, 400000.456]
    fr = [(Fraction(x), Fraction(y)) for x, y in ring]
    exact = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(fr, fr[1:] + fr[:1])) / 2)
    pa = PolygonArrays.from_polygons([[ring]])
    assert pa.areas()[0] == pytest.approx(float(exact), rel=REL_EXACT)


@pytest.mark.parametrize("case", CATALOGUE, ids=_case_id)
def test_area_converges_to_shapely_on_densified_geometry(case):
    pa = _arrays([case])
    exact = pa.areas()[0]
    length = arc_length(case.rings)
    for tol in (1e-3, 1e-6):
        dens = shapely.area(pa.to_shapely(tol))[0]
        assert abs(dens - exact) <= length * tol + FLOAT_SLACK * max(1.0, exact)
    if length:
        coarse = abs(shapely.area(pa.to_shapely(1e-2))[0] - exact)
        fine = abs(shapely.area(pa.to_shapely(1e-6))[0] - exact)
        assert fine < coarse or coarse <= FLOAT_SLACK


# ---------------------------------------------------------------------------
# densification


def _expected_chords(x0, y0, x1, y1, b, tol):
    if x0 == x1 and y0 == y1:
        theta, r = 4 * math.atan(b), 0.0
    else:
        _, _, r, _, theta = bulge_to_arc((x0, y0), (x1, y1), b)
    return max(segments_for_arc(r, theta, tol), math.ceil(abs(theta) / MAX_CHORD_ANGLE))


@pytest.mark.parametrize("tol", [SAGITTA_TOLERANCE, 0.05])
@pytest.mark.parametrize("case", [c for c in CATALOGUE if arc_length(c.rings) > 0], ids=_case_id)
def test_densified_points_lie_on_the_arcs_within_the_sagitta(case, tol):
    pa = _arrays([case])
    out, offsets = kernels.densify_rings(pa.xy, pa.bulge, pa.ring_offsets, tol)
    assert offsets[0] == 0 and offsets[-1] == out.shape[0]
    for r, ring in enumerate(case.polygon):
        got = out[offsets[r] : offsets[r + 1]]
        n_seg = [
            _expected_chords(*ring[i, :2], *ring[(i + 1) % len(ring), :2], ring[i, 2], tol)
            if ring[i, 2] != 0
            else 1
            for i in range(len(ring))
        ]
        if sum(n_seg) < 3:  # documented: a ring with an arc keeps 3 vertices
            first = next(i for i in range(len(ring)) if ring[i, 2] != 0)
            n_seg[first] += 3 - sum(n_seg)
        assert got.shape[0] == sum(n_seg)
        pos = 0
        for i, n in enumerate(n_seg):
            p0, p1, b = ring[i, :2], ring[(i + 1) % len(ring), :2], ring[i, 2]
            assert np.array_equal(got[pos], p0)  # original vertex kept
            pts = np.vstack([got[pos : pos + n], p1])
            pos += n
            if b == 0 or np.array_equal(p0, p1):
                continue
            cx, cy, rad, start, sweep = bulge_to_arc(p0, p1, b)
            atol = ON_ARC_ATOL + 8 * np.finfo(float).eps * (rad + abs(cx) + abs(cy))
            dist = np.hypot(pts[:, 0] - cx, pts[:, 1] - cy)
            assert np.all(np.abs(dist - rad) <= atol)
            mid = 0.5 * (pts[1:] + pts[:-1])
            sagitta = rad - np.hypot(mid[:, 0] - cx, mid[:, 1] - cy)
            assert np.all(sagitta <= tol + atol)
            # equal angles along the arc, in the arc's direction
            ang = np.unwrap(np.arctan2(pts[:, 1] - cy, pts[:, 0] - cx))
            assert np.diff(ang) == pytest.approx(np.full(n, sweep / n), abs=1e-9)


@pytest.mark.parametrize("case", CATALOGUE, ids=_case_id)
def test_densified_area_within_the_sagitta_bound(case):
    pa = _arrays([case])
    dens = pa.densified()
    assert not dens.bulge.any()
    bound = arc_length(case.rings) * SAGITTA_TOLERANCE + FLOAT_SLACK * max(1.0, case.area)
    assert abs(dens.areas()[0] - case.area) <= bound
    # the kernel's shoelace agrees with shapely's on the same chords
    assert dens.areas()[0] == pytest.approx(shapely.area(pa.to_shapely())[0], rel=REL_EXACT, abs=1e-15)


def test_coarse_tolerance_keeps_a_proper_ring():
    pa = _arrays([BY_NAME["tiny_bulge_lens"], BY_NAME["circle"]])
    dens = pa.densified(tolerance=100.0)
    assert np.diff(dens.ring_offsets).tolist() == [3, 4]  # lens bumped to 3; circle 2 x 90 deg max
    assert shapely.is_valid(pa.to_shapely(100.0)[1])


# ---------------------------------------------------------------------------
# point location


def _star(rng, cx, cy, r_min, r_max, n, reverse=False):
    ang = (np.arange(n) + rng.uniform(0, 0.8, n)) / n * 2 * np.pi
    rad = rng.uniform(r_min, r_max, n)
    ring = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
    return ring[::-1] if reverse else ring


def _nested_scene(seed, n_groups=60, side=400.0):
    """Groups of concentric stars (outer with a hole, a middle one inside the
    hole's ring band...) plus stray overlapping stars and one polygon covering
    everything."""
    rng = np.random.default_rng(seed)
    polys = []
    for _ in range(n_groups):
        cx, cy = rng.uniform(0, side, 2)
        big = rng.uniform(15, 40)
        polys.append([_star(rng, cx, cy, 0.8 * big, big, rng.integers(5, 30), rng.random() < 0.5)])
        polys.append([_star(rng, cx, cy, 0.3 * big, 0.6 * big, rng.integers(3, 20))])
        if rng.random() < 0.5:  # a ring-shaped polygon between them
            polys.append(
                [
                    _star(rng, cx, cy, 0.65 * big, 0.75 * big, 12),
                    _star(rng, cx, cy, 0.2 * big, 0.25 * big, 8, True),
                ]
            )
    for _ in range(n_groups // 2):
        cx, cy = rng.uniform(0, side, 2)
        polys.append([_star(rng, cx, cy, 5, 60, rng.integers(3, 40))])
    polys.append([np.array([[-10, -10], [side + 10, -10], [side + 10, side + 10], [-10, side + 10]])])
    return PolygonArrays.from_polygons(polys)


def test_smallest_containing_polygon_matches_shapely_contains():
    pa = _nested_scene(3)
    polys = pa.to_shapely()
    rng = np.random.default_rng(4)
    pts = rng.uniform(-30, 430, (4000, 2))
    areas = shapely.area(polys)
    inside = np.array([shapely.contains_xy(g, pts[:, 0], pts[:, 1]) for g in polys])  # (P, M)
    masked = np.where(inside, areas[:, None], np.inf)
    expected = np.where(inside.any(axis=0), np.argmin(masked, axis=0), -1)
    got = kernels.smallest_containing_polygon(
        pts, pa.xy, pa.ring_offsets, pa.poly_offsets, pa.areas(), pa.bounds()
    )
    assert (expected >= 0).mean() > 0.8 and len(np.unique(expected)) > 50
    assert np.array_equal(got, expected)


def test_smallest_containing_polygon_edge_inputs():
    pa = _arrays([BY_NAME["rectangle_with_hole"]])
    d = pa.densified()
    args = (d.xy, d.ring_offsets, d.poly_offsets, pa.areas(), pa.bounds())
    pts = np.array([[1.0, 1.0], [3.0, 3.0], [50.0, 1.0], [np.nan, 1.0]])
    assert kernels.smallest_containing_polygon(pts, *args).tolist() == [0, -1, -1, -1]
    assert kernels.smallest_containing_polygon(np.empty((0, 2)), *args).shape == (0,)


# ---------------------------------------------------------------------------
# distances


def _check_pairs(pa, pairs, boundary_only, dist, pts):
    polys = pa.to_shapely()
    gi, gj = polys[pairs[:, 0]], polys[pairs[:, 1]]
    target = np.where(boundary_only, shapely.boundary(gj), gj)
    expected = shapely.distance(gi, target)
    assert dist == pytest.approx(expected, abs=DIST_ATOL)
    a = shapely.points(pts[:, :2])
    b = shapely.points(pts[:, 2:])
    assert np.hypot(pts[:, 0] - pts[:, 2], pts[:, 1] - pts[:, 3]) == pytest.approx(dist, abs=DIST_ATOL)
    # a lies on polygon i, b on polygon j (on the ring for boundary mode)
    assert np.all(shapely.distance(a, gi) <= DIST_ATOL)
    assert np.all(shapely.distance(b, target) <= DIST_ATOL)
    apart = dist > 0
    assert np.all(shapely.distance(a[apart], shapely.boundary(gi[apart])) <= DIST_ATOL)
    assert np.all(shapely.distance(b[apart], shapely.boundary(gj[apart])) <= DIST_ATOL)


@pytest.mark.parametrize("mode", [False, True], ids=["area", "boundary"])
def test_pair_distances_match_shapely_on_random_polygons(mode):
    pa = _nested_scene(5, n_groups=40, side=300.0)
    rng = np.random.default_rng(6)
    n = len(pa)
    pairs = rng.integers(0, n, (3000, 2))
    # many near pairs: neighbours in index order are often nested or touching
    near = rng.integers(0, n - 3, 1000)
    pairs = np.vstack([pairs, np.column_stack([near, near + rng.integers(1, 3, 1000)])])
    bo = np.full(pairs.shape[0], mode)
    dist, pts = kernels.pair_distances(pa.xy, pa.ring_offsets, pa.poly_offsets, pairs, bo)
    assert (dist == 0).mean() > 0.1 and (dist > 0).mean() > 0.3
    _check_pairs(pa, pairs, bo, dist, pts)


def test_pair_distances_match_shapely_on_catalogue_pairs():
    cases = [c for c in CATALOGUE if c.name != "huge_coordinates"]
    # the catalogue twice, the second copy shifted so some pairs overlap,
    # some touch and some are apart
    polys = [c.polygon for c in cases]
    shifted = [[r + np.array([3.0, 1.5, 0.0]) for r in p] for p in polys]
    pa = PolygonArrays.from_polygons(polys + shifted).densified()
    n = len(pa)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    pairs = np.column_stack([ii.ravel(), jj.ravel()])
    for mode in (False, True):
        bo = np.full(pairs.shape[0], mode)
        dist, pts = kernels.pair_distances(pa.xy, pa.ring_offsets, pa.poly_offsets, pairs, bo)
        _check_pairs(pa, pairs, bo, dist, pts)


def test_pair_distance_at_huge_coordinates():
    off = np.array([3.5e6, 4.0e5])
    a = np.array([[0, 0], [10, 0], [10, 5], [0, 5]]) + off
    b = np.array([[13.25, 1], [20, 1], [20, 3], [13.25, 3]]) + off
    pa = PolygonArrays.from_polygons([[a], [b]])
    dist, pts = kernels.pair_distances(
        pa.xy, pa.ring_offsets, pa.poly_offsets, np.array([[0, 1]]), np.array([False])
    )
    assert dist[0] == 3.25
    assert pts[0].tolist() == [3.5e6 + 10, 4.0e5 + 1, 3.5e6 + 13.25, 4.0e5 + 1]


RECT_A = np.array([[0, 0], [10, 0], [10, 5], [0, 5]], dtype=float)
RECT_ABOVE = np.array([[2, 8], [6, 8], [6, 12], [2, 12]], dtype=float)
RECT_RIGHT = np.array([[12, 1], [20, 1], [20, 3], [12, 3]], dtype=float)


@pytest.mark.parametrize("roll", [0, 1, 2, 3])
@pytest.mark.parametrize("reverse", [False, True])
def test_tie_break_on_parallel_edges_is_lexicographically_smallest(roll, reverse):
    """Hand-worked: A's top edge y = 5 faces the bottom edge y = 8 of the box
    above over x in [2, 6]; every (x, 5)-(x, 8) is nearest, the smallest is
    x = 2.  The box to the right faces A's right edge over y in [1, 3]."""

    def ring(a):
        a = np.roll(a, roll, axis=0)
        return a[::-1] if reverse else a

    pa = PolygonArrays.from_polygons([[ring(RECT_A)], [ring(RECT_ABOVE)], [ring(RECT_RIGHT)]])
    pairs = np.array([[0, 1], [1, 0], [0, 2], [2, 0]])
    dist, pts = kernels.pair_distances(pa.xy, pa.ring_offsets, pa.poly_offsets, pairs, np.zeros(4, bool))
    assert dist.tolist() == [3.0, 3.0, 2.0, 2.0]
    assert pts.tolist() == [[2, 5, 2, 8], [2, 8, 2, 5], [10, 1, 12, 1], [12, 1, 10, 1]]


def _rect_nearest(a, b):
    """Hand-worked nearest pair of two disjoint axis-aligned boxes
    (minx, miny, maxx, maxy), lexicographically smallest among ties."""
    if a[2] < b[0]:
        ax, bx = a[2], b[0]
    elif b[2] < a[0]:
        ax, bx = a[0], b[2]
    else:  # x ranges overlap: any x of the overlap, the smallest wins
        ax = bx = max(a[0], b[0])
    if a[3] < b[1]:
        ay, by = a[3], b[1]
    elif b[3] < a[1]:
        ay, by = a[1], b[3]
    else:
        ay = by = max(a[1], b[1])
    return [ax, ay, bx, by]


def test_tie_break_on_random_boxes():
    rng = np.random.default_rng(12)
    boxes, polys = [], []
    for _ in range(120):
        x0, y0 = rng.integers(0, 60, 2)
        w, h = rng.integers(1, 12, 2)
        box = [x0, y0, x0 + w, y0 + h]
        ring = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]], float)
        ring = np.roll(ring, rng.integers(4), axis=0)
        boxes.append(box)
        polys.append([ring[::-1] if rng.random() < 0.5 else ring])
    pa = PolygonArrays.from_polygons(polys)
    b = np.array(boxes, float)
    ii, jj = np.triu_indices(len(b), 1)
    apart = (b[ii, 2] < b[jj, 0]) | (b[jj, 2] < b[ii, 0]) | (b[ii, 3] < b[jj, 1]) | (b[jj, 3] < b[ii, 1])
    pairs = np.column_stack([ii[apart], jj[apart]])
    dist, pts = kernels.pair_distances(
        pa.xy, pa.ring_offsets, pa.poly_offsets, pairs, np.zeros(len(pairs), bool)
    )
    expected = np.array([_rect_nearest(b[i], b[j]) for i, j in pairs])
    assert pts == pytest.approx(expected, abs=1e-12)
    assert dist == pytest.approx(np.hypot(expected[:, 0] - expected[:, 2], expected[:, 1] - expected[:, 3]))


def test_containment_overlap_and_setback():
    site = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], dtype=float)
    building = np.array([[10, 20], [30, 20], [30, 50], [10, 50]], dtype=float)
    crossing = np.array([[90, 90], [120, 90], [120, 120], [90, 120]], dtype=float)
    touching = np.array([[100, 0], [110, 0], [110, 10], [100, 10]], dtype=float)
    in_hole = np.array([[2.5, 3], [3, 3], [3, 3.5], [2.5, 3.5]], dtype=float)
    holed = BY_NAME["rectangle_with_hole"].polygon  # 10 x 6, hole [2,4] x [2,5]
    pa = PolygonArrays.from_polygons([[site], [building], [crossing], [touching], [in_hole], holed])
    pairs = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [2, 0], [3, 0], [4, 5], [4, 5]])
    bo = np.array([False, True, False, True, False, False, False, True])
    dist, pts = kernels.pair_distances(pa.xy, pa.ring_offsets, pa.poly_offsets, pairs, bo)
    assert dist.tolist() == [0.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5]
    assert pts[0].tolist() == [10, 20, 10, 20]  # building inside site: its first vertex
    assert pts[1].tolist() == [10, 20, 0, 20]  # setback to the site line, tie -> lowest y
    assert pts[2].tolist() == [10, 20, 10, 20]
    assert pts[3].tolist() == [10, 20, 10, 20]  # building ring inside the site area
    assert pts[4].tolist() == [90, 100, 90, 100]  # smallest crossing point
    assert pts[5].tolist() == [100, 0, 100, 0]  # shared edge, smallest contact
    assert pts[6].tolist() == [2.5, 3, 2, 3]  # inside the hole: distance to it
    _check_pairs(pa, pairs, bo, dist, pts)


def test_pair_distances_same_with_one_thread():
    pa = _nested_scene(8, n_groups=20, side=200.0)
    rng = np.random.default_rng(9)
    pairs = rng.integers(0, len(pa), (500, 2))
    bo = rng.random(500) < 0.5
    args = (pa.xy, pa.ring_offsets, pa.poly_offsets, pairs, bo)
    d_all, p_all = kernels.pair_distances(*args)
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        d_one, p_one = kernels.pair_distances(*args)
    finally:
        numba.set_num_threads(old)
    assert np.array_equal(d_all, d_one) and np.array_equal(p_all, p_one)


def test_pair_distances_empty():
    pa = _arrays(CATALOGUE[:2])
    dist, pts = kernels.pair_distances(
        pa.xy, pa.ring_offsets, pa.poly_offsets, np.empty((0, 2), np.int64), np.empty(0, bool)
    )
    assert dist.shape == (0,) and pts.shape == (0, 4)


# ---------------------------------------------------------------------------
# candidate pairs


def _brute_pairs(bounds, d):
    n = len(bounds)
    out = set()
    for i in range(n):
        for j in range(i + 1, n):
            gx = max(0.0, bounds[j, 0] - bounds[i, 2], bounds[i, 0] - bounds[j, 2])
            gy = max(0.0, bounds[j, 1] - bounds[i, 3], bounds[i, 1] - bounds[j, 3])
            if gx * gx + gy * gy <= d * d:
                out.add((i, j))
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_candidate_pairs_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 600
    lo = rng.integers(0, 400, (n, 2)).astype(float)  # integer boxes: exact gaps of d occur
    size = rng.integers(0, 30, (n, 2)).astype(float)
    bounds = np.column_stack([lo, lo + size])
    bounds[5] = bounds[7]  # identical boxes
    bounds[10:20, 2:] = bounds[10:20, :2]  # points
    bounds[20:25, 3] += 300.0  # tall boxes spanning many bands
    bounds[25:30, 2] += 300.0  # wide boxes
    if seed == 1:
        bounds += rng.uniform(-0.5, 0.5, (n, 1)) * [1, 1, 1, 1]  # non-integer, sizes kept
    for d in (0.0, 10.0, 37.5):
        got = kernels.candidate_pairs(bounds, d)
        assert np.all(got[:, 0] < got[:, 1])
        pairs = set(map(tuple, got.tolist()))
        assert len(pairs) == got.shape[0]  # no duplicates
        assert pairs == _brute_pairs(bounds, d)


def test_candidate_pairs_empty_single_and_bad_distance():
    assert kernels.candidate_pairs(np.empty((0, 4)), 50.0).shape == (0, 2)
    assert kernels.candidate_pairs(np.array([[0.0, 0, 1, 1]]), 50.0).shape == (0, 2)
    same = np.zeros((3, 4))
    assert sorted(map(tuple, kernels.candidate_pairs(same, 0.0).tolist())) == [(0, 1), (0, 2), (1, 2)]
    for bad in (-1.0, np.inf, np.nan):
        with pytest.raises(ValueError):
            kernels.candidate_pairs(same, bad)


def test_arcs_module_constants():
    assert arcs.SAGITTA_TOLERANCE == 0.0005
    assert kernels.TIE_TOLERANCE == 1e-9
