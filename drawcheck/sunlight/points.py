"""Window test points on the facades of residential parts (日照计算点).

Per the standards (GB 50180-2018 4.0.9: 底层窗台面, 0.9 m above the floor;
《上海市日照分析技术规范》2021: both ends of a window <= 1.8 m wide, else
±0.9 m from its centre; sampling <= 0.6 m on buildings), each point sits
``OFFSET`` off its facade along the outward normal, so its own wall never
shades it. Facades facing north of the east-west line get no effective
sunlight band and no points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from ..geometry.arrays import PolygonArrays
from ..indicators.orientation import bearing
from ..model import Line

#: Height of a test point above its floor (窗台面), m.
SILL = 0.9
#: Distance of a test point off its facade, along the outward normal, m.
OFFSET = 0.05
#: Spacing of sampled points along a facade without a window layer (Shanghai: <= 0.6 m on buildings), m.
SPACING = 0.6
#: A window narrower than this gets its two ends as points, wider ones ±HALF_SPAN from the centre, m.
NARROW_WINDOW = 1.8
HALF_SPAN = 0.9
#: A window line lies on a facade when both its ends are within this of the facade edge, m.
ON_FACADE = 0.3
RESIDENTIAL = ("residential", "mixed")


@dataclass
class TestPoints:
    """Test points (m) and what each belongs to; ``window`` groups the points of one window."""

    xyz: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    building: list[str] = field(default_factory=list)
    floor: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    facade: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # edge index in its part
    window: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # same id = one window
    facing: np.ndarray = field(default_factory=lambda: np.zeros(0))  # degrees off due south, east negative
    part: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # index in the parts given
    sampled: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # True: no window layer
    #: (part, facade) -> the facade's wall edge ((x0, y0), (x1, y1)), m, for every facade given points
    segments: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.xyz)


@dataclass(frozen=True)
class PartInput:
    """One building part for test points: outline rings, floors, storey height (m), use, owner id."""

    building: str
    rings: Sequence[np.ndarray]
    floors: int
    storey_height: float
    height: float
    use: str


def facade_points(parts: Sequence[PartInput], north_angle: float = 0.0, windows: Sequence[Line] = (),
                  spacing: float = SPACING) -> TestPoints:
    """Test points of the residential parts; points inside another part's volume are dropped."""
    shells = [PolygonArrays.from_polygons([p.rings]).densified().to_shapely()[0] for p in parts]
    rows = []
    segments = {}
    window_id = 0
    for k, part in enumerate(parts):
        if part.use not in RESIDENTIAL or part.floors <= 0:
            continue
        ring = np.asarray(shells[k].exterior.coords)[:-1]
        ccw = shells[k].exterior.is_ccw
        on_layer = _windows_by_edge(ring, windows)
        for e, a, d, length in _edges(ring):
            normal = np.array([d[1], -d[0]]) / length if ccw else np.array([-d[1], d[0]]) / length
            off_south = (bearing(normal[0], normal[1], north_angle) - 180.0 + 180.0) % 360.0 - 180.0
            if abs(off_south) > 90.0 + 1e-9:
                continue  # facing north of the east-west line: no effective sunlight
            segments[(k, e)] = ((float(a[0]), float(a[1])), (float(a[0] + d[0]), float(a[1] + d[1])))
            groups = on_layer.get(e) or [[(i + 0.5) * length / math.ceil(length / spacing)]
                                         for i in range(math.ceil(length / spacing))]
            for floor in range(1, part.floors + 1):
                z = (floor - 1) * part.storey_height + SILL
                for offsets in groups:
                    window_id += 1
                    for t in offsets:
                        xy = a + d * (t / length) + normal * OFFSET
                        rows.append((xy[0], xy[1], z, part.building, floor, e, window_id, off_south, k,
                                     e not in on_layer))
    if not rows:
        return TestPoints()
    xyz = np.array([r[:3] for r in rows], dtype=float)
    inside = _inside_other_parts(xyz, [r[8] for r in rows], shells, parts)
    keep = [r for r, bad in zip(rows, inside) if not bad]
    kept_facades = {(r[8], r[5]) for r in keep}
    return TestPoints(
        xyz=xyz[~inside], building=[r[3] for r in keep],
        floor=np.array([r[4] for r in keep], dtype=np.int64), facade=np.array([r[5] for r in keep], dtype=np.int64),
        window=np.array([r[6] for r in keep], dtype=np.int64), facing=np.array([r[7] for r in keep], dtype=float),
        part=np.array([r[8] for r in keep], dtype=np.int64), sampled=np.array([r[9] for r in keep], dtype=bool),
        segments={key: seg for key, seg in segments.items() if key in kept_facades})


def _edges(ring: np.ndarray):
    """(index, start point, vector, length in m) of each non-degenerate edge of a closed ring."""
    for e in range(len(ring)):
        a = ring[e]
        d = ring[(e + 1) % len(ring)] - a
        length = float(np.hypot(*d))
        if length >= 1e-9:
            yield e, a, d, length


def _windows_by_edge(ring: np.ndarray, windows: Sequence[Line]) -> dict[int, list[list[float]]]:
    """Window lines on the edges of ``ring``: edge -> list of point offsets along the edge (m) per window."""
    out: dict[int, list[list[float]]] = {}
    for line in windows:
        p0, p1 = line.points[0, :2], line.points[-1, :2]
        for e, a, d, length in _edges(ring):
            u = d / length
            t0, t1 = sorted((float((p0 - a) @ u), float((p1 - a) @ u)))
            off0 = abs(float(u[0] * (p0 - a)[1] - u[1] * (p0 - a)[0]))  # distance off the edge's line
            off1 = abs(float(u[0] * (p1 - a)[1] - u[1] * (p1 - a)[0]))
            if off0 > ON_FACADE or off1 > ON_FACADE or t1 < -ON_FACADE or t0 > length + ON_FACADE:
                continue
            width = t1 - t0
            centre = (t0 + t1) / 2
            offsets = [t0, t1] if width <= NARROW_WINDOW else [centre - HALF_SPAN, centre + HALF_SPAN]
            out.setdefault(e, []).append([min(max(t, 0.0), length) for t in offsets])
            break
    return out


def _inside_other_parts(xyz: np.ndarray, owners: Sequence[int], shells, parts: Sequence[PartInput]) -> np.ndarray:
    """Points inside the volume of a part other than their own (a tower's floors within its podium)."""
    inside = np.zeros(len(xyz), dtype=bool)
    owners = np.asarray(owners)
    for k, (shell, part) in enumerate(zip(shells, parts)):
        mask = (owners != k) & (xyz[:, 2] < part.height)
        if mask.any():
            inside[mask] |= shapely.contains_xy(shell, xyz[mask, 0], xyz[mask, 1])
    return inside
