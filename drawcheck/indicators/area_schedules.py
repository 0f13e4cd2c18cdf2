"""Area drawings feeding the project's GFA: per building, the schedule's figures next to the site plan's.

A building with an area-calculation drawing takes its floor area from there:
above ground every class but the footprint (计容 + 不计容 + 免计容, with their
coefficients), below ground likewise, and its share of ``gfa_far`` is its
计容 area. The site plan's own label-derived figures are kept for comparison
(:data:`GFA_TOLERANCE`). m² throughout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..schedules import AreaSchedule
from .values import BuildingFigures

#: The site plan's GFA of a building and its area drawing's disagree when they differ by more than this share.
GFA_TOLERANCE = 0.10


@dataclass(eq=False)
class AreaFeed:
    """One building's area drawings, and what the site plan says of the same building."""

    building: str
    schedules: list[AreaSchedule] = field(default_factory=list)
    site_gfa: float | None = None  # the site plan's GFA above ground (labels); None: no such building there
    site_floors: int | None = None

    @property
    def counted(self) -> float:
        return sum(s.counted for s in self.schedules)

    @property
    def above(self) -> float:
        return sum(s.building_area(below=False) for s in self.schedules)

    @property
    def below(self) -> float:
        return sum(s.building_area(below=True) for s in self.schedules)

    @property
    def footprint(self) -> float:
        return sum(s.footprint for s in self.schedules)

    @property
    def floors_above(self) -> int:
        return len({f for s in self.schedules for f in s.floors if f > 0})

    @property
    def inputs(self) -> list[str]:
        return list(dict.fromkeys(s.input for s in self.schedules))


def area_feeds(schedules: Sequence[AreaSchedule], onsite: Sequence[BuildingFigures]) -> list[AreaFeed]:
    """Group the schedules by building, matched to the site plan's buildings (``1#`` = ``1#楼`` = ``A地块1#楼``)."""
    from ..readers.area_drawing import building_key

    by_key = {building_key(f.id): f for f in onsite}
    feeds: dict[str, AreaFeed] = {}
    for s in schedules:
        figures = next((f for f in onsite if f.id == s.building), None) or by_key.get(building_key(s.building))
        bid = figures.id if figures is not None else s.building
        feed = feeds.get(bid)
        if feed is None:
            feed = feeds[bid] = AreaFeed(bid)
            if figures is not None:
                feed.site_gfa, feed.site_floors = figures.gfa, figures.floors_above
        feed.schedules.append(s)
    return [feeds[k] for k in sorted(feeds, key=_natural)]


def apply_feeds(feeds: Sequence[AreaFeed], onsite: Sequence[BuildingFigures]) -> None:
    """Each on-site building with an area drawing takes its GFA above and below ground from it (in place)."""
    fed = {a.building: a for a in feeds if a.site_gfa is not None}
    for f in onsite:
        if f.id in fed:
            f.gfa = fed[f.id].above
            below = fed[f.id].below
            if below:
                f.gfa_below = (f.gfa_below or 0.0) + below


def basis(feeds: Sequence[AreaFeed], what: str) -> str:
    """Where a GFA indicator comes from when area drawings feed it."""
    names = ", ".join(f"{a.building} ({', '.join(a.inputs)})" for a in feeds)
    return f"{what} of {names} from area drawings; other buildings from the site plan's labels"


def by_use(schedule_rows) -> list[dict]:
    """Rows summed by (class, use, coefficient): ``[{class, use, coefficient, gfa}]``, by class, use, coefficient."""
    from ..schedules import CLASS_NAMES

    total: dict[tuple, float] = defaultdict(float)
    for r in schedule_rows:
        total[(r.area_class, r.use, r.coefficient)] += r.gfa
    order = sorted(total, key=lambda k: (list(CLASS_NAMES).index(k[0]), k[1], -k[2]))
    return [{"class": k[0], "use": k[1], "coefficient": k[2], "gfa": total[k]} for k in order]


def _natural(text: str):
    from .distances import natural_key

    return natural_key(text)
