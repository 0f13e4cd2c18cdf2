"""Area schedules (面积表) of buildings, read from area-calculation drawings (面积计算图).

One :class:`AreaSchedule` per building: its floor groups, and per floor group
and area layer (class, use, coefficient) the area of one floor and the floor
area it contributes (area x floors x coefficient). Metres and m² throughout.
See ``docs/area-drawings.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Source

#: Area classes (the second part of a ``面积-<class>-<use>-<coefficient>`` layer name): key -> Chinese word.
CLASS_NAMES: dict[str, str] = {"counted": "计容", "not_counted": "不计容", "exempt": "免计容", "footprint": "基底"}


@dataclass(frozen=True)
class ScheduleRow:
    """The polygons of one area layer in one floor group (``floors`` as the label wrote them)."""

    floors: str
    floors_above: int  # floors of the group above ground
    floors_below: int  # and below
    area_class: str  # counted | not_counted | exempt | footprint
    use: str  # the layer's use word, as written (住宅, 商业, 架空层 ...)
    coefficient: float
    below_ground: bool  # a below-ground use word: the whole row counts below ground
    area: float  # m², one floor: the sum of the polygons
    handles: tuple[str, ...]

    @property
    def gfa(self) -> float:
        """m² this row adds: area x floors x coefficient (a footprint row: area x coefficient, once)."""
        if self.area_class == "footprint":
            return self.area * self.coefficient
        return self.area * (self.floors_above + self.floors_below) * self.coefficient

    @property
    def gfa_below(self) -> float:
        """The part of :attr:`gfa` below ground, m²."""
        if self.area_class == "footprint":
            return 0.0
        floors = self.floors_above + self.floors_below if self.below_ground else self.floors_below
        return self.area * floors * self.coefficient


@dataclass(eq=False)
class AreaSchedule:
    """One building's areas as its area-calculation drawing gives them."""

    building: str  # the building id (the site plan's when it has that building)
    input: str  # the drawing (relative path)
    title: str | None  # the frame's title text, e.g. A地块1#楼
    groups: list[str] = field(default_factory=list)  # floor-group texts, in floor order
    floors: tuple[int, ...] = ()  # every floor a group names, ascending (negative: below ground)
    rows: list[ScheduleRow] = field(default_factory=list)
    source: Source | None = None

    def total(self, area_class: str, *, below: bool | None = None) -> float:
        """Sum of the rows of ``area_class`` (m²); ``below``: only the part below (True) or above (False) ground."""
        rows = [r for r in self.rows if r.area_class == area_class]
        if below is None:
            return sum(r.gfa for r in rows)
        return sum(r.gfa_below if below else r.gfa - r.gfa_below for r in rows)

    @property
    def footprint(self) -> float:
        """基底 area, m² (counted once)."""
        return self.total("footprint")

    @property
    def counted(self) -> float:
        """计容 floor area, m²: what the building adds to the FAR's floor area."""
        return self.total("counted")

    def building_area(self, *, below: bool | None = None) -> float:
        """Floor area of every class but the footprint (计容 + 不计容 + 免计容), m²."""
        return sum(self.total(c, below=below) for c in ("counted", "not_counted", "exempt"))

    @property
    def floors_above(self) -> int:
        return sum(1 for f in self.floors if f > 0)

    @property
    def floors_below(self) -> int:
        return sum(1 for f in self.floors if f < 0)
