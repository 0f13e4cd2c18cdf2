"""Drawing-model consistency (图模一致): a building on the site plan that an IFC model also holds.

A submission may give a building twice: outlined and labelled on the DXF (or
DWG) site plan, and modelled as an ``IfcBuilding``. The two are paired one to
one by name (the building id, ``5#``), else by footprint overlap
(intersection over union at least ``match_iou``, best first). The site plan's
building is the one counted (indicators, rules, the report's row); the
model's is measured the same way (:func:`~.buildings.building_figures`) and
compared with it:

- footprint area (m², exact arcs), as a ratio of the difference to the site
  plan's footprint area;
- Hausdorff distance (m) between the two footprint outlines (the storey-1
  plates' boundaries, arcs densified to 0.5 mm sagitta), sampled every
  :data:`HAUSDORFF_STEP` along each outline: every vertex is a sample, and
  the distance to the other outline being 1-Lipschitz along a curve, the
  sampled value is at most ``HAUSDORFF_STEP / 2`` below the exact one;
- floors above ground (must be equal) and height (m).

Differences are compared as the report shows them (:func:`~drawcheck.rounding.as_reported`)
against the manifest's ``[consistency]`` tolerances (:class:`~drawcheck.manifest.Consistency`).
Submissions without such a pair are untouched: every building counts as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry.ops import AreaIndex, to_shapely
from ..manifest import Consistency
from ..model import Building, Project
from ..rounding import as_reported
from .buildings import StoreyRule, building_figures
from .distances import natural_key
from .values import BuildingFigures

#: Sampling step along a footprint outline for the Hausdorff distance, m (the value is exact within half of it).
HAUSDORFF_STEP = 0.05
#: Input formats of a site plan and of a model (``InputFile.format``).
DRAWING_FORMATS = ("dxf", "dwg")
MODEL_FORMATS = ("ifc",)
#: The compared quantities, in report order: key -> unit of its difference.
QUANTITIES = {"footprint_area": "ratio", "hausdorff": "m", "floors_above": "count", "height": "m"}


@dataclass(frozen=True)
class Match:
    """A site-plan building and the model building paired with it."""

    drawing: Building
    model: Building
    matched_by: str  # "name" | "overlap"
    iou: float  # footprint intersection over union (densified outlines)


@dataclass(eq=False)
class ModelComparison:
    """One pair compared: the site plan's figures, the model's, the Hausdorff distance and the tolerances."""

    drawing: BuildingFigures
    model: BuildingFigures
    matched_by: str
    iou: float
    hausdorff: float  # m
    hausdorff_points: tuple[tuple[float, float], tuple[float, float]]  # where it is reached: drawing -> model
    tolerances: Consistency

    @property
    def area_difference(self) -> float:
        """Model minus site plan footprint area, m²."""
        return self.model.footprint_area - self.drawing.footprint_area

    @property
    def area_ratio(self) -> float:
        """|area difference| / the site plan's footprint area (ratio; over the model's should the site plan's be 0)."""
        base = self.drawing.footprint_area or self.model.footprint_area
        return abs(self.area_difference) / base if base > 0 else 0.0

    @property
    def height_difference(self) -> float:
        """Model minus site plan height, m."""
        return self.model.height - self.drawing.height

    @property
    def floors_difference(self) -> int:
        """Model minus site plan floors above ground."""
        return self.model.floors_above - self.drawing.floors_above

    def measured(self, quantity: str) -> float | int:
        """The compared value of ``quantity`` (:data:`QUANTITIES`) as the report shows it."""
        value = {"footprint_area": self.area_ratio, "hausdorff": self.hausdorff,
                 "floors_above": abs(self.floors_difference), "height": abs(self.height_difference)}[quantity]
        return as_reported(value, QUANTITIES[quantity])

    def tolerance(self, quantity: str) -> float | int:
        """The allowed value of ``quantity``: the manifest's tolerance (floors: 0)."""
        t = self.tolerances
        return {"footprint_area": t.area_tolerance, "hausdorff": t.hausdorff_tolerance, "floors_above": 0,
                "height": t.height_tolerance}[quantity]

    def beyond(self) -> list[str]:
        """The quantities whose difference exceeds its tolerance, in :data:`QUANTITIES` order."""
        return [q for q in QUANTITIES if self.measured(q) > self.tolerance(q)]


def match_models(project: Project, match_iou: float) -> list[Match]:
    """Pair the site plan's on-site buildings with the IFC buildings of the same building.

    By name first (in input order where a name repeats), then the rest by
    footprint overlap, highest intersection over union first, down to
    ``match_iou``. Each building is paired at most once.
    """
    formats = {i.path: i.format for i in project.inputs}
    drawings = [b for b in project.buildings if b.parts and formats.get(b.parts[0].source.input) in DRAWING_FORMATS]
    models = [b for b in project.buildings if b.parts and formats.get(b.parts[0].source.input) in MODEL_FORMATS]
    if not drawings or not models:
        return []
    footprints = {id(b): _footprint(b) for b in drawings + models}
    pairs: list[Match] = []
    for name in sorted({b.id for b in drawings} & {b.id for b in models}, key=natural_key):
        pairs += [Match(d, m, "name", _iou(footprints[id(d)], footprints[id(m)]))
                  for d, m in zip([b for b in drawings if b.id == name], [b for b in models if b.id == name])]
    paired = {id(b) for p in pairs for b in (p.drawing, p.model)}
    left = [b for b in models if id(b) not in paired]
    tree = shapely.STRtree([footprints[id(b)] for b in left])
    candidates = []
    for d in (b for b in drawings if id(b) not in paired):
        for k in tree.query(footprints[id(d)], predicate="intersects"):  # only overlapping pairs are measured
            m = left[int(k)]
            iou = _iou(footprints[id(d)], footprints[id(m)])
            if iou >= match_iou:
                candidates.append((-iou, natural_key(d.id), natural_key(m.id), d, m))
    for negative_iou, _, _, d, m in sorted(candidates, key=lambda c: c[:3]):
        if id(d) not in paired and id(m) not in paired:
            pairs.append(Match(d, m, "overlap", -negative_iou))
            paired |= {id(d), id(m)}
    return pairs


def compare(matches: Sequence[Match], counted: Sequence[BuildingFigures], rule: StoreyRule,
            tolerances: Consistency) -> list[ModelComparison]:
    """Compare each pair: the site plan's building among ``counted``, the model's measured here (``rule``:
    GB/T 50353 storey heights, as for every building); in natural order of the site plan's ids."""
    figures = {id(f.building): f for f in counted}
    out = []
    for m in matches:
        index = AreaIndex([p.area.rings for p in m.model.parts])
        model = building_figures(m.model, [], index, range(len(index)), rule)
        distance, points = hausdorff(_footprint(m.drawing), _footprint(m.model))
        out.append(ModelComparison(figures[id(m.drawing)], model, m.matched_by, m.iou, distance, points, tolerances))
    return sorted(out, key=lambda c: natural_key(c.drawing.id))


def hausdorff(a, b, step: float = HAUSDORFF_STEP) -> tuple[float, tuple[tuple[float, float], tuple[float, float]]]:
    """Hausdorff distance between the outlines of two (multi)polygons, m, and where it is reached (a -> b).

    Each outline is sampled every ``step`` (m, its vertices included) and each
    sample's distance to the other outline taken exactly (shapely).
    """
    ra, rb = a.boundary, b.boundary
    best, where = -1.0, ((0.0, 0.0), (0.0, 0.0))
    for source, target, forward in ((ra, rb, True), (rb, ra, False)):
        samples = shapely.points(shapely.get_coordinates(shapely.segmentize(source, step)))
        distances = shapely.distance(samples, target)
        k = int(np.argmax(distances))
        if distances[k] > best:
            near = shapely.get_coordinates(shapely.shortest_line(samples[k], target))
            p, q = (tuple(map(float, near[0])), tuple(map(float, near[1])))
            best, where = float(distances[k]), ((p, q) if forward else (q, p))
    return best, where


def _footprint(building: Building):
    """The union of a building's parts (its storey-1 plate), densified shapely geometry."""
    return shapely.union_all(to_shapely([p.area.rings for p in building.parts]))


def _iou(a, b) -> float:
    union = float(shapely.union(a, b).area)
    return float(shapely.intersection(a, b).area) / union if union > 0 else 0.0
