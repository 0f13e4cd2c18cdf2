"""Per-building figures: storey plates, GFA, footprint, height, classes (convention §4).

The storey-k floor plate of a building is the union of its parts with at
least k floors; its GFA is the sum of the plates over k = 1..max floors. The
plate only changes at the distinct floor counts of its parts, so the sum is
taken level by level: area(union of parts with floors >= f_i) x (f_i - f_{i-1}).

Storeys whose structural storey height is below the full-area height count
at a fraction of their area (GB/T 50353-2013 3.0.1: below 2.20 m, half).
A DXF part's storey height is its label's ``层高`` (else height / floors);
within one level, plate area covered by a full-height part counts in full
and the rest at the fraction. A BIM storey's height is the elevation
difference to the next storey above (floor or not: a roof level counts); the
top storey has no such difference and counts in full, since the top of the
elements above it (parapets, skylights, a roof's ridge) is no storey height.

References
----------
GB/T 50353-2013 建筑工程建筑面积计算规范 3.0.1 (secondary source): 结构层高
>= 2.20 m full area, < 2.20 m half area. The numbers come from the
``gbt50353-2013`` pack's ``[params]`` (:class:`StoreyRule`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..geometry.arrays import PolygonArrays
from ..geometry.ops import AreaIndex
from ..model import Basement, Building, Source, Storey
from ..rounding import as_reported
from .classes import PODIUM_MAX, fire_class, height_class, is_high_rise
from .values import BuildingFigures, PartFigures

#: The pack whose ``[params]`` hold the storey-height rule (its file stem).
AREA_PACK = "gbt50353-2013"


@dataclass(frozen=True)
class StoreyRule:
    """GB/T 50353-2013 3.0.1: a storey lower than ``full_height`` (m) counts ``factor`` of its area."""

    full_height: float
    factor: float

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> "StoreyRule":
        """From the ``gbt50353-2013`` pack's params (``full_storey_height``, ``half_factor``)."""
        return cls(float(params["full_storey_height"]), float(params["half_factor"]))

    def weight(self, storey_height: float | None) -> float:
        """Share of a storey's area that counts: ``factor`` below the full height (as reported), else 1."""
        if storey_height is None or as_reported(storey_height, "m") >= self.full_height:
            return 1.0
        return self.factor


@dataclass(frozen=True)
class LowStorey:
    """Storeys of a building counted at a fraction: a DXF part (``count`` floors) or one BIM storey."""

    name: str
    storey_height: float  # m
    count: int
    source: Source | None


def storey_gfa(index: AreaIndex, members: Sequence[int], floors: Sequence[int],
               weights: Sequence[float] | None = None) -> tuple[float, float]:
    """``(gfa, storey-1 plate area)`` of the parts ``members`` of ``index`` with their floor counts, m².

    ``weights`` (default all 1): the share of its plate each part's storeys
    count (:meth:`StoreyRule.weight`); where parts overlap, the larger weight.
    The storey-1 plate (the footprint) is never weighted.
    """
    weights = [1.0] * len(members) if weights is None else list(weights)
    gfa = 0.0
    footprint = 0.0
    previous = 0
    for level in sorted(set(floors)):
        present = [(m, w) for m, f, w in zip(members, floors, weights) if f >= level]
        plate = index.union_area([m for m, _ in present])
        if previous == 0:
            footprint = plate
        gfa += _weighted_plate(index, present, plate) * (level - previous)
        previous = level
    return gfa, footprint


def _weighted_plate(index: AreaIndex, present: Sequence[tuple[int, float]], plate: float) -> float:
    """A plate's counted area: each piece at the largest weight of the parts covering it, m²."""
    levels = sorted({w for _, w in present}, reverse=True)
    counted = covered = 0.0
    for k, w in enumerate(levels):
        upto = plate if k == len(levels) - 1 else index.union_area([m for m, x in present if x >= w])
        counted += (upto - covered) * w
        covered = upto
    return counted


def bim_storey_heights(storeys: Sequence[Storey]) -> list[float | None]:
    """Storey height of each storey (m): elevation difference to the next storey above; None for the top one."""
    out = []
    for s in storeys:
        above = [t.elevation for t in storeys if t.elevation > s.elevation]
        out.append(min(above) - s.elevation if above else None)
    return out


def low_storeys(figures: BuildingFigures, rule: StoreyRule) -> list[LowStorey]:
    """The storeys of a building that ``rule`` counts at a fraction (DXF parts, or BIM storeys)."""
    if figures.storeys:
        heights = bim_storey_heights([s for s, _ in figures.storeys])
        return [LowStorey(s.name, h, 1, s.source) for (s, _), h in zip(figures.storeys, heights)
                if s.is_floor and rule.weight(h) < 1.0]
    return [LowStorey(f"{pf.part.floors}F", pf.part.storey_height, pf.part.floors, pf.part.source)
            for pf in figures.parts if rule.weight(pf.part.storey_height) < 1.0]


def building_figures(building: Building, basements: Sequence[Basement], index: AreaIndex,
                     members: Sequence[int], rule: StoreyRule) -> BuildingFigures:
    """Figures of one building whose parts (``index`` entries ``members``) all carry floors and heights.

    ``rule``: how storeys below the full storey height count (GB/T 50353 3.0.1).
    """
    parts = building.parts
    areas = index.exact[list(members)]
    tallest = max(parts, key=lambda p: (p.height, p.floors))
    use = tallest.use
    height = float(tallest.height)
    gfa, footprint = storey_gfa(index, members, [p.floors for p in parts],
                                [rule.weight(p.storey_height) for p in parts])
    high = is_high_rise(use, height)
    figures = [
        PartFigures(p, float(a), podium=high and p.height <= PODIUM_MAX, high_rise=is_high_rise(use, p.height))
        for p, a in zip(parts, areas)
    ]
    floors_above = max(p.floors for p in parts)
    own_basements = [b for b in basements if b.name == building.id]
    floors_below = max((b.floors_below or 0 for b in own_basements), default=0)
    gfa_below = None
    if own_basements and all(b.floors_below is not None for b in own_basements):
        gfa_below = float(sum(a * b.floors_below for a, b in zip(
            PolygonArrays.from_polygons([b.area.rings for b in own_basements]).areas(), own_basements)))
    storeys = storey_areas(building)
    if storeys:  # a BIM building: its storeys' plates, weighted by storey height, are its floor area
        weights = [rule.weight(h) for h in bim_storey_heights(building.storeys)]
        above = [(a, w) for (s, a), w in zip(storeys, weights) if s.is_floor and s.above_ground]
        below = [(a, w) for (s, a), w in zip(storeys, weights) if s.is_floor and not s.above_ground]
        floors_above, floors_below = len(above), len(below)
        gfa, footprint = float(sum(a * w for a, w in above)), float(above[0][0])
        gfa_below = float(sum(a * w for a, w in below)) if below else None
    return BuildingFigures(
        building=building, use=use, floors_above=floors_above, floors_below=floors_below,
        height=height, height_assumed=tallest.height_assumed, footprint_area=footprint, gfa=gfa,
        gfa_below=gfa_below, fire_class=fire_class(use, height), height_class=height_class(height),
        fire_rating=max(p.fire_rating for p in parts), parts=figures, storeys=storeys,
    )


def storey_areas(building: Building) -> list[tuple]:
    """(storey, exact plate area in m² or None) for each storey of a BIM building, in elevation order."""
    plates = [(s, a) for s in building.storeys for a in s.plate]
    areas = PolygonArrays.from_polygons([a.rings for _, a in plates]).areas() if plates else []
    total = {id(s): 0.0 for s in building.storeys if s.plate}
    for (s, _), value in zip(plates, areas):
        total[id(s)] += float(value)
    return [(s, total.get(id(s))) for s in building.storeys]
