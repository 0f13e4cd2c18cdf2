"""A building's long axis and facing from its footprint, and angles against true north.

The long axis is the long side of the minimum rotated rectangle of the union
of the building's parts (shapely, on the densified outlines); the short side
is the width of its gable (山墙). The facing is the normal of the long axis;
how far it turns from true south decides 南北向 (at most 45° east or west of
south, inclusive) against 东西向. Lengths in metres, angles in degrees.
``north_angle`` is the manifest's ``[site] north_angle``: degrees from the
drawing's +Y axis to true north, counter-clockwise positive.

References
----------
上海市城市规划管理技术规定（土地使用 建筑管理）第二十三条 (verified): "南北向" is
facing due south to 45° east or west inclusive; the gable (山墙) is a
building's short side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry.ops import to_shapely
from .values import BuildingFigures

#: Angles this close (degrees) are equal, so rounding in rotated coordinates never moves a boundary case.
ANGLE_TOLERANCE = 1e-6
#: Sides this close (m) are equal: a square footprint has no long axis of its own.
LENGTH_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Orientation:
    """Long axis of a footprint: direction in the drawing, sides of the rectangle, facing against south."""

    axis: float  # direction of the long axis, degrees counter-clockwise from the drawing's +X, in [0, 180)
    length: float  # long side of the minimum rotated rectangle, m
    width: float  # short side: the gable width, m
    centre: tuple[float, float]  # centre of the rectangle, m
    off_south: float  # angle between the facing (normal of the long axis) and true south, degrees, 0-90

    def south_facing(self, limit: float) -> bool:
        """南北向: the facing lies at most ``limit`` degrees (the pack's ``south_facing_max``) from true south."""
        return self.off_south <= limit + ANGLE_TOLERANCE

    @property
    def unit_axis(self) -> tuple[float, float]:
        return math.cos(math.radians(self.axis)), math.sin(math.radians(self.axis))


def bearing(dx: float, dy: float, north_angle: float = 0.0) -> float:
    """Compass bearing of the drawing vector (dx, dy): degrees clockwise from true north, in [0, 360)."""
    return (90.0 + north_angle - math.degrees(math.atan2(dy, dx))) % 360.0


def off_north_south(dx: float, dy: float, north_angle: float = 0.0) -> float:
    """Angle between the line of the vector (dx, dy) and the true north-south line, degrees, 0-90."""
    b = bearing(dx, dy, north_angle) % 180.0
    return min(b, 180.0 - b)


def axes_angle(a: float, b: float) -> float:
    """Angle between two undirected axes given as directions in degrees, 0-90."""
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def north_unit(north_angle: float = 0.0) -> tuple[float, float]:
    """True north as a unit vector in drawing coordinates."""
    a = math.radians(north_angle)
    return -math.sin(a), math.cos(a)


def _facing_off_south(axis: float, north_angle: float) -> float:
    normal = math.radians(axis + 90.0)
    return off_north_south(math.cos(normal), math.sin(normal), north_angle)


def footprint_orientation(polygons: Sequence[Sequence[np.ndarray]], north_angle: float = 0.0) -> Orientation:
    """Orientation of the union of ``polygons`` (ring lists, m) against true north.

    When both sides of the rectangle are equal (a square point block) the
    long axis is the one nearer true east-west, so that the facing is the
    one nearer south.
    """
    union = shapely.union_all(to_shapely(list(polygons)))
    rect = shapely.minimum_rotated_rectangle(union)
    xy = np.asarray(rect.exterior.coords)[:4, :2] if rect.geom_type == "Polygon" else None
    if xy is None:  # a degenerate outline: a segment or a point
        coords = np.asarray(shapely.get_coordinates(rect))
        xy = np.vstack([coords[0], coords[-1], coords[-1], coords[0]])
    e0, e1 = xy[1] - xy[0], xy[2] - xy[1]
    l0, l1 = float(np.hypot(*e0)), float(np.hypot(*e1))
    a0, a1 = (math.degrees(math.atan2(e[1], e[0])) % 180.0 for e in (e0, e1))
    if abs(l0 - l1) <= LENGTH_TOLERANCE:
        axis = min((a0, a1), key=lambda a: (_facing_off_south(a, north_angle), a))
    else:
        axis = a0 if l0 > l1 else a1
    centre = xy.mean(axis=0)
    return Orientation(axis=axis % 180.0, length=max(l0, l1), width=min(l0, l1),
                       centre=(float(centre[0]), float(centre[1])),
                       off_south=_facing_off_south(axis, north_angle))


def building_orientation(building: BuildingFigures, north_angle: float = 0.0) -> Orientation:
    """Orientation of a building: the union of all its parts."""
    return footprint_orientation([pf.part.area.rings for pf in building.parts], north_angle)
