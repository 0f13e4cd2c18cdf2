"""Where a sunlight point (``drawcheck sunlight --at X,Y,Z``) may be asked: near the drawing.

The drawing's extent is the 3-D box of its site outlines and building parts
(all buildings, neighbours included), from ±0.00 up to the tallest part's
top, in metres. A point farther than :data:`MARGIN` from that box, or lower
than :data:`LOWEST_Z`, is refused: nothing in the drawing can shade it, so
its answer would only hide a typo (a coordinate in mm, a missing minus).
A 100 m tower's shadow at 15° sun elevation (冬至日 09:00 at 31° N) reaches
about 370 m, well inside the margin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Farthest a point may lie from the drawing's box, m (3-D distance).
MARGIN = 1000.0
#: Lowest Z a point may have, m below ±0.00 (a sunken courtyard's window sits a few storeys down, no deeper).
LOWEST_Z = -50.0


@dataclass(frozen=True)
class Extent:
    """The drawing's box, m: plan bounds (arcs included) and the tallest top above ±0.00."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float
    top: float

    def describe(self) -> str:
        return (f"x {self.xmin:.1f}..{self.xmax:.1f}, y {self.ymin:.1f}..{self.ymax:.1f}, "
                f"z 0.0..{self.top:.1f} m")

    def distance(self, point: Sequence[float]) -> float:
        """Distance from ``point`` (x, y, z in m) to the box, m; 0 inside."""
        lows, highs = (self.xmin, self.ymin, 0.0), (self.xmax, self.ymax, self.top)
        return math.hypot(*(max(lo - v, 0.0, v - hi) for v, lo, hi in zip(point, lows, highs)))


def drawing_extent(sites: Sequence, figures: Sequence) -> Extent | None:
    """The box of the site areas (``model.Area``) and the parts of ``figures`` (``BuildingFigures``); None when empty."""
    from ..geometry.arrays import PolygonArrays  # here, so the CLI reads the constants without the kernels

    outlines = [a.rings[:1] for a in sites] + [pf.part.area.rings[:1] for b in figures for pf in b.parts]
    if not outlines:
        return None
    bounds = PolygonArrays.from_polygons(outlines).bounds()
    tops = [float(pf.part.height or 0.0) for b in figures for pf in b.parts]
    return Extent(float(bounds[:, 0].min()), float(bounds[:, 1].min()), float(bounds[:, 2].max()),
                  float(bounds[:, 3].max()), max(tops, default=0.0))


def point_problem(point: Sequence[float], extent: Extent | None) -> str | None:
    """Why ``point`` (x, y, z in m) cannot be asked about in this drawing, or None when it can."""
    shown = ",".join(f"{v:g}" for v in point)
    if not all(math.isfinite(v) for v in point):
        return f"--at {shown}: coordinates must be finite numbers (metres)"
    if point[2] < LOWEST_Z:
        return f"--at {shown}: Z {point[2]:g} m is more than {-LOWEST_Z:g} m below ±0.00"
    if extent is not None:
        d = extent.distance(point)
        if d > MARGIN:
            return (f"--at {shown} lies {d:,.0f} m outside the drawing (site and buildings: {extent.describe()}); "
                    f"points must be within {MARGIN:g} m of it")
    return None
