"""Containers for what the indicator stage computes (metres, m², ratios)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Area, Building, Part, Storey

#: Report order and unit of every project indicator (report-json.md).
INDICATOR_UNITS: dict[str, str] = {
    "site_area": "m2", "footprint_area": "m2", "coverage": "ratio", "gfa_total": "m2",
    "gfa_above": "m2", "gfa_below": "m2", "gfa_far": "m2", "far": "ratio", "green_area": "m2",
    "green_ratio": "ratio", "max_height": "m", "parking_spaces": "count",
}


@dataclass
class Indicator:
    """One indicator: a value, or None with the reason; plus the declared value when there is one."""

    value: float | int | None
    unit: str
    reason: str | None = None
    declared: float | None = None
    status: str | None = None  # ok | mismatch | unverified
    tolerance: str | None = None  # how declared and computed were compared
    basis: str | None = None  # where the value comes from, when not from the site plan alone (area drawings)


@dataclass(eq=False)
class PartFigures:
    part: Part
    area: float  # m², exact
    podium: bool
    high_rise: bool


@dataclass(eq=False)
class BuildingFigures:
    building: Building
    use: str
    floors_above: int
    floors_below: int
    height: float
    height_assumed: bool
    footprint_area: float
    gfa: float
    gfa_below: float | None
    fire_class: str
    height_class: str
    fire_rating: int
    parts: list[PartFigures] = field(default_factory=list)
    storeys: list[tuple[Storey, float | None]] = field(default_factory=list)  # BIM storeys with plate areas, m²

    @property
    def id(self) -> str:
        return self.building.id

    @property
    def kind(self) -> str:
        return self.building.kind


@dataclass(frozen=True)
class Separation:
    """Nearest points between a building and another building or a line (m)."""

    a: str
    b: str  # a building id, or "site_boundary" / "road_redline"
    distance: float
    from_point: tuple[float, float]
    to_point: tuple[float, float]


@dataclass(frozen=True)
class Setback(Separation):
    inside: bool = True  # False: the building crosses or leaves the site boundary
    part: Part | None = None


@dataclass(frozen=True)
class Spacing(Separation):
    overlap_area: float = 0.0  # m² of plan overlap between the two buildings


@dataclass(frozen=True)
class PartPair:
    """Distance between one part of building ``a`` and one of building ``b`` (within the search radius)."""

    a: BuildingFigures
    part_a: PartFigures
    b: BuildingFigures
    part_b: PartFigures
    distance: float
    from_point: tuple[float, float]
    to_point: tuple[float, float]


@dataclass(eq=False)
class Indicators:
    values: dict[str, Indicator]
    buildings: list[BuildingFigures]  # on site: new and retained
    existing: list[BuildingFigures]
    site: Area | None
    setbacks: list[Setback] = field(default_factory=list)
    spacing: list[Spacing] = field(default_factory=list)
    part_pairs: list[PartPair] = field(default_factory=list)
    area_feeds: list = field(default_factory=list)  # area_schedules.AreaFeed per building with an area drawing
    models: list = field(default_factory=list)  # consistency.ModelComparison per building also in an IFC model
