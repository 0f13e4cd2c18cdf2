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


@dataclass(eq=False)
class Project:
    """Everything a submission says, in metres, ready for indicators and rules."""

    name: str
    inputs: list[InputFile] = field(default_factory=list)
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

    def note(self, code: str, message: str, *, sources=(), subjects=(), severity=None, location=None) -> None:
        """Record a drawing-quality note (becomes a ``qa:CODE`` finding)."""
        self.qa.append(QANote(code, message, tuple(sources), tuple(subjects), severity, location))
