"""The format-neutral project model that every reader fills.

Readers (DXF now, IFC later) turn a submission into a :class:`Project`;
indicators and rules read only this model. All lengths are metres, areas
square metres, in the drawing's own coordinate frame (no re-projection).

Geometry of a closed area is kept exactly: a ring is an ``(n, 3)`` float
array of ``x, y, bulge`` (bulge = tan(θ/4) of the arc from vertex i to
vertex i+1, counter-clockwise positive, 0 = straight); see
:mod:`drawcheck.geometry.arrays`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Severity = Literal["error", "warning", "info"]
BuildingKind = Literal["new", "retained", "existing"]

#: Building uses (convention §4): report key -> the Chinese word a label uses.
USE_NAMES: dict[str, str] = {"residential": "住宅", "commercial": "商业", "office": "办公", "public": "公建",
                             "ancillary": "配套", "industrial": "工业", "mixed": "商住"}
#: Storey height assumed when a part gives floors but no height (convention §4), m.
DEFAULT_STOREY_HEIGHT = 3.0


@dataclass(frozen=True)
class Source:
    """Where a piece of the model came from: input file (relative, ``/``) and entity."""

    input: str
    handle: str
    layer: str = ""

    def as_dict(self) -> dict:
        return {"input": self.input, "handle": self.handle}


@dataclass(eq=False)
class Area:
    """A closed area: ``rings[0]`` is the exterior, the others are holes (m, bulges)."""

    rings: list[np.ndarray]
    source: Source


@dataclass(eq=False)
class Line:
    """An open or closed line (road red line, window, lane edge): ``(n, 3)`` x, y, bulge."""

    points: np.ndarray
    closed: bool
    source: Source


@dataclass(eq=False)
class Part:
    """A building part (体块): one closed outline with its label values."""

    area: Area
    name: str | None = None
    floors: int | None = None
    height: float | None = None
    height_assumed: bool = False
    storey_height: float | None = None
    households: int | None = None
    use: str = "residential"
    use_given: bool = False
    fire_rating: int = 2
    fire_rating_given: bool = False

    @property
    def source(self) -> Source:
        return self.area.source


@dataclass(eq=False)
class Storey:
    """A storey of a BIM building: its plate is the union of its floor slabs (or spaces) in plan."""

    name: str
    elevation: float  # m above ±0.00
    above_ground: bool
    is_floor: bool  # holds floor slabs or spaces; footing and roof levels do not
    plate: list[Area] = field(default_factory=list)
    source: Source | None = None


@dataclass(eq=False)
class Building:
    """Parts sharing one name. ``kind``: new, retained (on site, counted) or existing (neighbour).

    A building read from a BIM model also has ``storeys`` (its GFA then comes
    from their plates) and the values its model declares (``declared``, report units).
    """

    id: str
    kind: BuildingKind
    parts: list[Part] = field(default_factory=list)
    storeys: list[Storey] = field(default_factory=list)
    declared: dict[str, DeclaredValue] = field(default_factory=dict)


@dataclass(eq=False)
class Basement:
    """A basement outline with its floors below ground."""

    area: Area
    floors_below: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class DeclaredValue:
    """An indicator value the drawing declares (convention §7), in report units."""

    key: str
    value: float
    text: str
    sources: tuple[Source, ...]


#: What drawcheck may assume, or skip, while reading (issue 11): kind -> what it means.
#: A rule whose pack says it rests on a kind never passes while an assumption of
#: that kind stands (it is ``not_run``), and a failure is flagged as resting on it.
ASSUMPTION_KINDS: dict[str, str] = {
    "height": "a part's height taken as floors x storey height (its label gives no height)",
    "use": "a part's use taken as residential (its label gives no use)",
    "use_class": "a part's use not labelled, and it would be high-rise were it a public building (24-27 m; "
                 "GB 50016 2.1.1)",
    "fire_rating": "a part's fire-resistance rating taken as 二级 where a lower one is allowed (not high-rise: "
                   "GB 50016 5.1.3)",
    "units": "the drawing's length unit guessed from the site's extent ($INSUNITS 0, no --units)",
    "building_outline": "something on a building or retained-building layer not read (a skipped entity, loose "
                        "lines, or a part without floors)",
    "neighbour_outline": "something on an existing-building (周边建筑) layer not read",
    "basement_outline": "something on a basement layer not read (or a basement without floors below)",
    "site_outline": "something on the site-boundary layer not read",
    "green_outline": "something on a green layer not read",
    "parking": "something on the parking layer not read",
    "civil_defense_outline": "something on a civil-defense (人防) layer not read",
    "fire_access_outline": "something on a fire-lane or rescue-site layer not read",
    "road_line": "something on the road red-line layer not read",
    "window_line": "something on the window layer not read",
}

#: Layer role -> the assumption kind its skipped content stands for.
SKIPPED_ROLE_KIND: dict[str, str] = {
    "building": "building_outline", "retained": "building_outline", "existing": "neighbour_outline",
    "basement": "basement_outline", "site": "site_outline", "green": "green_outline",
    "green_central": "green_outline", "parking": "parking", "civil_defense": "civil_defense_outline",
    "fire_lane": "fire_access_outline", "fire_rescue": "fire_access_outline", "road": "road_line",
    "window": "window_line",
}


@dataclass(frozen=True)
class Assumption:
    """A value drawcheck assumed, or content it skipped; ``subjects`` = building ids, () = the whole project."""

    kind: str
    message: str
    subjects: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "subjects": list(self.subjects)}


@dataclass(frozen=True)
class QANote:
    """A drawing-quality observation made while reading; becomes a ``qa:CODE`` finding."""

    code: str
    message: str
    sources: tuple[Source, ...] = ()
    subjects: tuple[str, ...] = ()
    severity: Severity | None = None  # None: the qa pack's default for the code
    location: dict | None = None  # GeoJSON geometry in metres


@dataclass(frozen=True)
class InputFile:
    path: str
    format: str
    sha256: str
    schema: str | None = None  # IFC schema (IFC2X3, IFC4, ...)
    ref_elevation: float | None = None  # IfcSite RefElevation, m above sea level (reported, never subtracted)
    unit_m: float | None = None  # DXF: metres per drawing unit (to place markup back in the drawing)
    converter: str | None = None  # DWG: what turned it into the drawing that was read ("ezdwg 0.17.0")
    reader: str | None = None  # DXF: "fast" or "ezdxf" (dxf_load.READERS)
    reader_fallback: str | None = None  # DXF, --reader auto: why the fast reader left it to ezdxf


@dataclass(eq=False)
class Project:
    """Everything a submission says, in metres, ready for indicators and rules."""

    name: str
    inputs: list[InputFile] = field(default_factory=list)
    converters: dict[str, str] = field(default_factory=dict)  # DWG input name -> converter that read it
    readers: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # input -> (reader, fallback reason)
    units_source: str = ""
    sites: list[Area] = field(default_factory=list)
    road_redlines: list[Line] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)  # new + retained
    existing: list[Building] = field(default_factory=list)
    unlabelled_parts: list[Part] = field(default_factory=list)
    basements: list[Basement] = field(default_factory=list)
    civil_defense: list[Area] = field(default_factory=list)
    green: list[Area] = field(default_factory=list)
    green_central: list[Area] = field(default_factory=list)
    parking: list[Source] = field(default_factory=list)  # one entry per space
    windows: list[Line] = field(default_factory=list)
    fire_lanes: list[Area] = field(default_factory=list)
    fire_rescue: list[Area] = field(default_factory=list)
    declared: dict[str, DeclaredValue] = field(default_factory=dict)
    qa: list[QANote] = field(default_factory=list)
    area_schedules: list = field(default_factory=list)  # schedules.AreaSchedule per building, from area drawings
    assumptions: list[Assumption] = field(default_factory=list)  # made or skipped while reading (units, outlines)
    layer_hints: dict[str, str] = field(default_factory=dict)  # role -> which layer most likely holds it (none found)

    def note(self, code: str, message: str, *, sources=(), subjects=(), severity=None, location=None) -> None:
        """Record a drawing-quality note (becomes a ``qa:CODE`` finding)."""
        self.qa.append(QANote(code, message, tuple(sources), tuple(subjects), severity, location))

    def assume(self, kind: str, message: str, *, subjects=(), sources=()) -> None:
        """Record an assumption or skipped content (:data:`ASSUMPTION_KINDS`)."""
        if kind not in ASSUMPTION_KINDS:
            raise ValueError(f"unknown assumption kind {kind!r}")
        self.assumptions.append(Assumption(kind, message, tuple(subjects), tuple(sources)))
