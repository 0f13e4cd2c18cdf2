"""Per-building figures: storey plates, GFA, footprint, height, classes (convention §4).

The storey-k floor plate of a building is the union of its parts with at
least k floors; its GFA is the sum of the plates over k = 1..max floors. The
plate only changes at the distinct floor counts of its parts, so the sum is
taken level by level: area(union of parts with floors >= f_i) x (f_i - f_{i-1}).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..geometry.arrays import PolygonArrays
from ..geometry.ops import AreaIndex
from ..model import Basement, Building
from .classes import PODIUM_MAX, fire_class, height_class, is_high_rise
from .values import BuildingFigures, PartFigures


def storey_gfa(index: AreaIndex, members: Sequence[int], floors: Sequence[int]) -> tuple[float, float]:
    """``(gfa, storey-1 plate area)`` of the parts ``members`` of ``index`` with their floor counts, m²."""
    gfa = 0.0
    footprint = 0.0
    previous = 0
    for level in sorted(set(floors)):
        plate = index.union_area([m for m, f in zip(members, floors) if f >= level])
        if previous == 0:
            footprint = plate
        gfa += plate * (level - previous)
        previous = level
    return gfa, footprint


def building_figures(building: Building, basements: Sequence[Basement], index: AreaIndex,
                     members: Sequence[int]) -> BuildingFigures:
    """Figures of one building whose parts (``index`` entries ``members``) all carry floors and heights."""
    parts = building.parts
    areas = index.exact[list(members)]
    tallest = max(parts, key=lambda p: (p.height, p.floors))
    use = tallest.use
    height = float(tallest.height)
    gfa, footprint = storey_gfa(index, members, [p.floors for p in parts])
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
    if storeys:  # a BIM building: its storeys' plates are its floor area
        above = [a for s, a in storeys if s.is_floor and s.above_ground]
        below = [a for s, a in storeys if s.is_floor and not s.above_ground]
        floors_above, floors_below = len(above), len(below)
        gfa, footprint = float(sum(above)), float(above[0])
        gfa_below = float(sum(below)) if below else None
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
