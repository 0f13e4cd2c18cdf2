"""Circular arcs given as DXF bulges: conversions, exact areas, chord counts.

A bulged segment runs from vertex ``p0`` to vertex ``p1``; its bulge ``b`` is
``tan(theta / 4)`` where ``theta`` is the signed included angle of the arc,
positive for a counter-clockwise arc (DXF LWPOLYLINE convention, as in
ezdxf).  ``b = 0`` is a straight segment, ``|b| = 1`` a half circle.

The scalar helpers prefixed ``nb_`` are numba functions that the array
kernels in :mod:`drawcheck.geometry.kernels` call; the public functions are
thin Python wrappers over the same formulas, so there is one implementation.

Formulas (chord vector ``d = p1 - p0``, chord length ``c = |d|``):

* radius ``r = c (1 + b^2) / (4 |b|)``;
* centre ``p0 + d / 2 + k (-d_y, d_x)`` with ``k = (1 - b^2) / (4 b)``;
* ``sin(theta / 2) = 2 b / (1 + b^2)``;
* signed area between the chord and the arc (the circular segment)
  ``r^2 / 2 (theta - sin theta)``, which equals
  ``2 c^2 (1 + b^2)^2 (atan b) (atan(b) / b)^2 f(theta)`` with
  ``f(theta) = (theta - sin theta) / theta^3``; ``f`` is summed as a series
  for small ``theta`` so tiny bulges keep full relative precision (the direct
  ``theta - sin theta`` cancels catastrophically).  For ``b -> 0`` the area
  tends to ``c^2 b / 3`` (the parabola).  Adding this signed area to the
  shoelace area of the vertices gives the exact area whatever the ring's
  orientation.
"""

from __future__ import annotations

import math

import numpy as np

from .jit import njit

__all__ = [
    "SAGITTA_TOLERANCE",
    "MAX_CHORD_ANGLE",
    "bulge_to_arc",
    "arc_to_bulge",
    "segments_for_arc",
    "segment_area",
]

#: Maximum distance (m) between an arc and the chords that replace it when
#: arcs are densified (shapely interop, distances, containment).  Areas never
#: use chords: they are exact.  The project promises "<= 1 mm"; half of it
#: leaves room for the error of the measurement that follows.
SAGITTA_TOLERANCE = 0.0005

#: Densification never lets one chord span more than this angle (radians),
#: whatever the tolerance, so a densified arc keeps the arc's shape class
#: (a densified circle is at least a square, never a two-point "ring").
MAX_CHORD_ANGLE = 0.5 * math.pi

_TWO_PI = 2.0 * math.pi
# Below this |theta| the segment area uses the series of
# (theta - sin theta) / theta^3; above it the direct form loses at most
# ~6 eps / 0.25 relative precision.
_SERIES_LIMIT = 0.5


@njit(cache=True)
def nb_segment_area(chord_sq, b):
    """Signed area (m2) between a chord of squared length ``chord_sq`` and its
    arc of bulge ``b``; positive for ``b > 0``."""
    if b == 0.0:
        return 0.0
    t = math.atan(b)
    theta = 4.0 * t
    if abs(theta) < _SERIES_LIMIT:
        z = theta * theta
        # f(theta) = sum_k (-1)^k theta^(2k) / (2k+3)!, k = 0..8 (Horner);
        # the first omitted term is < 1e-22 of the sum for |theta| < 0.5.
        f = 1.0 / 121645100408832000.0  # 1/19!
        f = 1.0 / 355687428096000.0 - z * f  # 1/17!
        f = 1.0 / 1307674368000.0 - z * f  # 1/15!
        f = 1.0 / 6227020800.0 - z * f  # 1/13!
        f = 1.0 / 39916800.0 - z * f  # 1/11!
        f = 1.0 / 362880.0 - z * f  # 1/9!
        f = 1.0 / 5040.0 - z * f  # 1/7!
        f = 1.0 / 120.0 - z * f  # 1/5!
        f = 1.0 / 6.0 - z * f  # 1/3!
        q = 1.0 + b * b
        tb = t / b
        return 2.0 * chord_sq * q * q * t * tb * tb * f
    q = b + 1.0 / b
    return chord_sq * q * q / 32.0 * (theta - math.sin(theta))


@njit(cache=True)
def nb_arc_centre(x0, y0, x1, y1, b):
    """Centre of the arc relative to ``(x0, y0)``, radius and signed sweep.

    Returns ``(cx - x0, cy - y0, r, theta)``; ``b`` must be nonzero.  The
    centre is returned relative to the start vertex so callers keep precision
    with large absolute coordinates.
    """
    dx = x1 - x0
    dy = y1 - y0
    k = (1.0 - b * b) / (4.0 * b)
    cx = 0.5 * dx - k * dy
    cy = 0.5 * dy + k * dx
    r = math.hypot(dx, dy) * (1.0 + b * b) / (4.0 * abs(b))
    return cx, cy, r, 4.0 * math.atan(b)


@njit(cache=True)
def nb_segments_for_arc(radius, sweep, tolerance):
    """Chord count so that every chord's sagitta is <= ``tolerance``."""
    s = abs(sweep)
    if not (radius > 0.0) or not (s > 0.0):
        return 1
    if tolerance >= 2.0 * radius:
        return 1
    # sagitta r (1 - cos(phi/2)) = 2 r sin^2(phi/4) <= tol
    phi = 4.0 * math.asin(math.sqrt(tolerance / (2.0 * radius)))
    ratio = s / phi
    if ratio > 1e9:
        # a radius of many km over a large sweep: refuse rather than allocate
        raise ValueError("arc needs more than 1e9 chords at this tolerance")
    n = max(1, int(math.ceil(ratio)))
    # guard the rounding of asin/ceil: the promise is the tolerance
    while radius * (1.0 - math.cos(0.5 * s / n)) > tolerance:
        n += 1
    return n


@njit(cache=True)
def nb_densified_count(x0, y0, x1, y1, b, tolerance):
    """Chords for one bulged segment: sagitta bound and MAX_CHORD_ANGLE."""
    _, _, r, theta = nb_arc_centre(x0, y0, x1, y1, b)
    n = nb_segments_for_arc(r, theta, tolerance)
    m = int(math.ceil(abs(theta) / MAX_CHORD_ANGLE))
    return max(n, m)


@njit(cache=True)
def nb_arc_point(x0, y0, x1, y1, b, k, n):
    """Point ``k`` of ``n`` (0 < k < n) equally spaced in angle along the arc.

    Computed from the chord without the centre: the chord from ``p0`` to the
    point at arc angle ``alpha`` has length ``c sin(alpha/2) / sin(theta/2)``
    and direction ``d`` turned by ``(alpha - theta) / 2``; this stays exact
    for tiny bulges whose centre is kilometres away.
    """
    dx = x1 - x0
    dy = y1 - y0
    t = math.atan(b)
    frac = k / n
    # sin(alpha/2) / sin(theta/2), alpha = frac * theta, sin(theta/2) = 2b/(1+b^2)
    scale = math.sin(2.0 * t * frac) * (1.0 + b * b) / (2.0 * b)
    beta = 2.0 * t * (frac - 1.0)
    cb = math.cos(beta)
    sb = math.sin(beta)
    return x0 + scale * (cb * dx - sb * dy), y0 + scale * (sb * dx + cb * dy)


def bulge_to_arc(
    p0: tuple[float, float] | np.ndarray,
    p1: tuple[float, float] | np.ndarray,
    bulge: float,
) -> tuple[float, float, float, float, float]:
    """Arc parameters of the bulged segment ``p0 -> p1``.

    Parameters
    ----------
    p0, p1 : (x, y) in metres, start and end vertex.
    bulge : tan(theta/4), nonzero; positive = counter-clockwise arc.

    Returns
    -------
    (cx, cy, radius, start_angle, sweep)
        Centre and radius in metres; ``start_angle`` (radians, from +x,
        counter-clockwise) is the direction from the centre to ``p0``;
        ``sweep`` is the signed included angle (radians, CCW positive), so the
        arc ends at ``start_angle + sweep``.  Unlike ``ezdxf.math.bulge_to_arc``
        the arc always starts at ``p0``.

    Raises
    ------
    ValueError if ``bulge`` is 0 or any input is not finite, or
    ``p0 == p1`` (no arc through one point).
    """
    x0, y0 = float(p0[0]), float(p0[1])
    x1, y1 = float(p1[0]), float(p1[1])
    b = float(bulge)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1, b)):
        raise ValueError("bulge_to_arc: non-finite input")
    if b == 0.0:
        raise ValueError("bulge_to_arc: bulge 0 is a straight segment, not an arc")
    if x0 == x1 and y0 == y1:
        raise ValueError("bulge_to_arc: zero-length chord has no arc")
    cx, cy, r, theta = nb_arc_centre(x0, y0, x1, y1, b)
    start = math.atan2(-cy, -cx)
    return x0 + cx, y0 + cy, r, start, theta


def arc_to_bulge(start_angle: float, end_angle: float, ccw: bool) -> float:
    """Bulge of the arc that runs from ``start_angle`` to ``end_angle``.

    Parameters
    ----------
    start_angle, end_angle : radians, measured counter-clockwise from +x, the
        directions from the centre to the arc's first and last point in the
        order the boundary is traversed.  Any multiple of 2*pi may be added.
    ccw : True if the arc turns counter-clockwise from start to end.

    Returns
    -------
    float
        ``tan(sweep / 4)`` with the sweep in [0, 2*pi) taken in the given
        direction, negative for clockwise arcs.  Equal angles give 0.

    Raises
    ------
    ValueError if the angles are not finite, or describe a full circle
    (angles that differ by a whole nonzero number of turns): a single bulge
    cannot hold 2*pi; split the circle into two halves of bulge +-1.

    Notes
    -----
    DXF HATCH arc edges store angles in degrees: convert with
    ``math.radians``.  ezdxf's ``ArcEdge`` keeps ``start_angle < end_angle``
    in counter-clockwise order even when ``ccw`` is False, and the edge is then
    traversed from ``end_angle`` to ``start_angle``::

        if e.ccw:
            b = arc_to_bulge(radians(e.start_angle), radians(e.end_angle), True)
        else:
            b = arc_to_bulge(radians(e.end_angle), radians(e.start_angle), False)

    (the raw DXF group codes 50/51 of a clockwise edge hold ``360 - angle``;
    ezdxf has already undone that).
    """
    a0 = float(start_angle)
    a1 = float(end_angle)
    if not (math.isfinite(a0) and math.isfinite(a1)):
        raise ValueError("arc_to_bulge: non-finite angle")
    delta = (a1 - a0) if ccw else (a0 - a1)
    sweep = math.fmod(delta, _TWO_PI)
    if sweep < 0.0:
        sweep += _TWO_PI
    if sweep == 0.0 and delta != 0.0:
        raise ValueError(
            "arc_to_bulge: full circle cannot be one bulge; split it into two halves"
        )
    b = math.tan(0.25 * sweep)
    return b if ccw else -b


def segments_for_arc(radius: float, sweep: float, tolerance: float) -> int:
    """Number of equal chords so that each chord's sagitta
    ``radius * (1 - cos(phi / 2))`` is at most ``tolerance`` (m).

    ``phi = |sweep| / n``.  Returns at least 1; 1 for a zero radius or sweep,
    and for arcs flatter than the tolerance (huge radius or tiny sweep).
    Raises ValueError for non-finite or non-positive tolerance, negative or
    non-finite radius or sweep.
    """
    r = float(radius)
    s = float(sweep)
    tol = float(tolerance)
    if not (math.isfinite(tol) and tol > 0.0):
        raise ValueError("segments_for_arc: tolerance must be a positive number")
    if not (math.isfinite(r) and r >= 0.0 and math.isfinite(s)):
        raise ValueError("segments_for_arc: radius and sweep must be finite, radius >= 0")
    return int(nb_segments_for_arc(r, s, tol))


def segment_area(chord_length: float, bulge: float) -> float:
    """Signed area (m2) between a chord (m) and its arc of the given bulge.

    Positive for positive bulges.  Exact to a few ulps for every bulge,
    including tiny ones (``~ chord^2 * bulge / 3``).
    """
    c = float(chord_length)
    return float(nb_segment_area(c * c, float(bulge)))
