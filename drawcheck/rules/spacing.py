"""Shanghai building spacing (上海市城市规划管理技术规定 第二十三/二十五/二十七/二十八/三十一条).

Pairs
    Every two buildings, on site with each other and with existing
    neighbours, whose nearest walls are within the pair's reach:
    ``max(50 m, largest *_factor x the taller H, largest *_min)`` of the pack's
    params (H capped at ``height_cap``). A spacing asked of tall buildings can
    exceed the report's 50 m spacing rows, so the pairs are measured here
    with :func:`~drawcheck.indicators.distances.part_pairs` at the radius of
    the tallest building. The nearest part pair of two buildings gives the
    spacing (wall to wall, 附录二), the spacing line and the sources.

Arrangement (per pair; :func:`arrange`)
    Each building's long axis and width come from
    :mod:`drawcheck.indicators.orientation`. The side a building turns to the
    other is its facade when the spacing line lies within 45° (inclusive) of
    its facade normal, else its gable; a gable wider than ``gable_width_max``
    (16 m) counts as a facade. Two narrow gables facing each other: *gable*.
    Otherwise long axes at most ``parallel_angle_max`` (45°) apart:
    *parallel*; farther apart: *perpendicular* when a narrow gable faces the
    other, *parallel* when the gable turned to the other is wider than 16 m,
    *perpendicular* when both turn their facades (staggered at an angle).

Facing and the obstructing building
    The pair is 南北向 (``south``) when the spacing line lies at most
    ``south_facing_max`` (45°, inclusive) from true north-south: for two
    facades facing each other that is the facing of both. The obstructing
    building, whose height H the formulas use, is then the south one. An
    east/west pair is obstructed by the building whose narrow gable faces
    the other's facade (perpendicular: the south-facing one in the usual
    layout), else by the taller one (第二十七条: "H of the taller").

Scope
    Housing is use ``residential`` or ``mixed`` (商住); 第三十一条 takes the
    other civil uses (commercial, office, public, ancillary); industrial
    buildings and pairs of housing with non-residential buildings are
    outside these articles. Height classes are 附录二's (``height_class``:
    低层 <= 10 m, 多层 <= 24 m, 高层 above). 第二十三条 covers pairs of low and
    multi-storey housing, and a low/multi building south of a high-rise
    in the parallel south-facing case (its H-multiple; 第二十八条 adds 13 m);
    第二十七条 every other pair with a high-rise.

References
----------
上海市城市规划管理技术规定（土地使用 建筑管理）沪府令12号，沪府令52号修正 (verified):
第二十三、二十五、二十七、二十八、三十一条; 附录二 (height classes, spacing wall to wall).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from ..indicators.distances import SPACING_RADIUS, natural_key, part_pairs
from ..indicators.orientation import (ANGLE_TOLERANCE, LENGTH_TOLERANCE, Orientation, axes_angle,
                                      building_orientation, north_unit, off_north_south)
from ..indicators.values import BuildingFigures, Indicators, PartPair
from ..rounding import as_reported
from .findings import finding, line_location, show
from .registry import NotApplicable, check

#: Uses whose buildings are housing for these articles (商住 holds dwellings).
RESIDENTIAL_USES = ("residential", "mixed")
#: Uses of 第三十一条 (civil, non-residential); industrial buildings are left out.
NON_RESIDENTIAL_USES = ("commercial", "office", "public", "ancillary")
#: Planning height classes (附录二) counted as high-rise.
HIGH_CLASSES = ("high", "super-high")
#: A spacing line within this of a building's facade normal leaves from its facade, else from its gable
#: (the bisector of facade and gable, degrees; a geometric convention, not a number of the regulation).
FACE_ANGLE = 45.0

_ZONES = ("inner", "outer")
_TEXT = {
    "inner": ("浦西内环线以内", "inside the Puxi inner ring road"),
    "outer": ("浦西内环线以外", "outside the Puxi inner ring road"),
    "parallel": ("平行布置", "parallel"),
    "perpendicular": ("垂直布置", "perpendicular"),
    "gable": ("山墙相对", "gable to gable"),
    "south": ("南北向", "south-facing"),
    "east-west": ("东西向", "east/west-facing"),
}
#: Why a building's H is used: (Chinese, English) names of its role.
_ROLES = {
    "south": ("南侧建筑", "the south building"),
    "taller": ("较高建筑", "the taller building"),
    "gable": ("以山墙相对的建筑", "the building whose gable faces the other"),
    "other": ("另一建筑", "the other building"),
}


@dataclass(frozen=True)
class Arrangement:
    """How two buildings stand to each other, as the regulation sorts them."""

    pair: PartPair  # the nearest part pair: spacing line (a -> b) and sources
    distance: float  # m, as reported
    case: str  # parallel | perpendicular | gable
    facing: str  # south | east-west: the spacing line against true north-south
    obstructing: BuildingFigures  # whose H the formulas use
    role: str  # why it obstructs: south | taller | gable
    faces: tuple[str, str]  # the side a and b turn to each other: facade | gable (as found, before the 16 m rule)
    axes_angle: float  # degrees between the long axes, 0-90
    direction: float  # degrees between the spacing line and true north-south, 0-90
    orientations: tuple[Orientation, Orientation]

    @property
    def a(self) -> BuildingFigures:
        return self.pair.a

    @property
    def b(self) -> BuildingFigures:
        return self.pair.b

    @property
    def other(self) -> BuildingFigures:
        return self.b if self.obstructing is self.a else self.a

    @property
    def taller(self) -> BuildingFigures:
        return _taller(self.a, self.b)

    def describe(self, zone: str) -> dict:
        """The case as the finding's ``case`` field shows it (angles in degrees, widths in m)."""
        return {
            "arrangement": self.case, "facing": self.facing, "zone": zone,
            "obstructing": self.obstructing.id, "obstructing_role": self.role,
            "axes_angle": _deg(self.axes_angle), "spacing_line_off_north_south": _deg(self.direction),
            "buildings": [{"id": b.id, "face": face, "gable_width": as_reported(o.width, "m"),
                           "length": as_reported(o.length, "m"), "facing_off_south": _deg(o.off_south),
                           "height_class": b.height_class}
                          for b, face, o in zip((self.a, self.b), self.faces, self.orientations)],
        }


@dataclass(frozen=True)
class Term:
    """One requirement of a rule for a pair: its value and the formula with its numbers."""

    value: float  # m
    zh: str
    en: str


def _taller(a: BuildingFigures, b: BuildingFigures) -> BuildingFigures:
    """The taller of two buildings (``a`` on a tie)."""
    return a if a.height >= b.height else b


def _deg(angle: float) -> float:
    return round(angle, 2) + 0.0


def _side(o: Orientation, dx: float, dy: float) -> str:
    """The side of a building the line (dx, dy) leaves from: facade within FACE_ANGLE of its normal, else gable."""
    ux, uy = o.unit_axis
    along, across = abs(dx * ux + dy * uy), abs(dy * ux - dx * uy)
    return "facade" if math.degrees(math.atan2(along, across)) <= FACE_ANGLE + ANGLE_TOLERANCE else "gable"


def arrange(pair: PartPair, oa: Orientation, ob: Orientation, params: Mapping[str, object],
            north_angle: float = 0.0) -> Arrangement:
    """Classify a pair (module docstring): case, facing, faces and the obstructing building."""
    (ax, ay), (bx, by) = pair.from_point, pair.to_point
    if math.hypot(bx - ax, by - ay) <= LENGTH_TOLERANCE:  # touching or overlapping: centre to centre
        (ax, ay), (bx, by) = oa.centre, ob.centre
    dx, dy = bx - ax, by - ay
    faces = (_side(oa, dx, dy), _side(ob, dx, dy))
    gable_max = float(params["gable_width_max"])
    narrow = tuple(f == "gable" and as_reported(o.width, "m") <= gable_max for f, o in zip(faces, (oa, ob)))
    angle = axes_angle(oa.axis, ob.axis)
    if all(narrow):
        case = "gable"
    elif angle <= float(params["parallel_angle_max"]) + ANGLE_TOLERANCE:
        case = "parallel"
    elif any(narrow):
        case = "perpendicular"
    else:  # a gable wider than gable_width_max counts as parallel; two facades at an angle as perpendicular
        case = "parallel" if "gable" in faces else "perpendicular"
    direction = off_north_south(dx, dy, north_angle)
    facing = "south" if direction <= float(params["south_facing_max"]) + ANGLE_TOLERANCE else "east-west"
    if facing == "south":
        nx, ny = north_unit(north_angle)
        obstructing, role = (pair.a if ax * nx + ay * ny < bx * nx + by * ny else pair.b), "south"
    elif case == "perpendicular" and sum(narrow) == 1:
        obstructing, role = (pair.a if narrow[0] else pair.b), "gable"
    else:
        obstructing, role = _taller(pair.a, pair.b), "taller"
    return Arrangement(pair, as_reported(pair.distance, "m"), case, facing, obstructing, role, faces, angle,
                       direction, (oa, ob))


def _numbers(params: Mapping[str, object], suffix: str) -> list[float]:
    values = [v for k, v in params.items() if k.endswith(suffix)]
    return [float(x) for v in values for x in (v if isinstance(v, list) else [v])]


def reach(params: Mapping[str, object], height: float) -> float:
    """The largest spacing the pack's params could ask of a pair whose taller building is ``height`` m."""
    return max(max(_numbers(params, "_factor"), default=0.0) * capped(height, params),
               max(_numbers(params, "_min"), default=0.0))


def capped(height: float, params: Mapping[str, object]) -> float:
    """H of the H-multiple formulas: the height, at most ``height_cap`` (100 m), m."""
    return min(float(height), float(params["height_cap"]))


_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def arrangements(ctx, params: Mapping[str, object]) -> tuple[list[Arrangement], float]:
    """Every pair within its reach, classified, and the search radius (m); computed once per check."""
    key = (ctx.north_angle, tuple(sorted((k, repr(v)) for k, v in params.items())))
    cached = _CACHE.setdefault(ctx.indicators, {})
    if key not in cached:
        cached[key] = _arrangements(ctx.indicators, params, ctx.north_angle)
    return cached[key]


def _arrangements(ind: Indicators, params: Mapping[str, object], north_angle: float):
    buildings = list(ind.buildings) + list(ind.existing)
    if len(buildings) < 2:
        return [], SPACING_RADIUS
    radius = max(SPACING_RADIUS, reach(params, max(b.height for b in buildings)))
    nearest: dict[tuple[int, int], PartPair] = {}
    for pp in part_pairs(ind.buildings, ind.existing, radius):
        key = (id(pp.a), id(pp.b))
        best = nearest.get(key)
        if best is None or (pp.distance, pp.from_point, pp.to_point) < (best.distance, best.from_point, best.to_point):
            nearest[key] = pp
    orientations: dict[int, Orientation] = {}

    def orientation(b: BuildingFigures) -> Orientation:
        if id(b) not in orientations:
            orientations[id(b)] = building_orientation(b, north_angle)
        return orientations[id(b)]

    out = [arrange(pp, orientation(pp.a), orientation(pp.b), params, north_angle) for pp in nearest.values()
           if pp.distance <= max(SPACING_RADIUS, reach(params, max(pp.a.height, pp.b.height)))]
    out.sort(key=lambda r: (r.a.kind == "existing", natural_key(r.a.id), r.b.kind == "existing", natural_key(r.b.id)))
    return out, radius


# --- requirements -----------------------------------------------------------------

def _zoned(value, zone: str) -> float:
    """A ``[inner, outer]`` param picked by zone, or a plain number."""
    return float(value[_ZONES.index(zone)] if isinstance(value, list) else value)


def _factor_text(factor: float) -> str:
    text = f"{factor:g}"
    return text if "." in text else text + ".0"


def _h_term(factor, building: BuildingFigures, role: str, params) -> Term:
    """``factor x H`` of ``building`` (H capped), with the formula in both languages."""
    factor = float(factor)
    h = capped(building.height, params)
    f, value = _factor_text(factor), factor * h
    role_zh, role_en = _ROLES[role]
    cap_zh = cap_en = ""
    if building.height > h:
        cap_zh = f"，{show(building.height, 'm')} m 按 {show(h, 'm')} m 计"
        cap_en = f", {show(building.height, 'm')} m taken as {show(h, 'm')} m"
    formula = f"{f} H = {f} × {show(h, 'm')} = {show(value, 'm')} m"
    return Term(value, f"{formula}，H 为{role_zh} {building.id} 的高度{cap_zh}",
                f"{formula}, H being the height of {role_en} {building.id}{cap_en}")


def _min_term(value) -> Term:
    value = float(value)
    return Term(value, f"不小于 {show(value, 'm')} m", f"at least {show(value, 'm')} m")


def _class(b: BuildingFigures) -> str:
    return "high" if b.height_class in HIGH_CLASSES else b.height_class


def _housing(r: Arrangement) -> bool:
    return r.a.use in RESIDENTIAL_USES and r.b.use in RESIDENTIAL_USES


def _low_multi_south_of_high(r: Arrangement) -> bool:
    """Parallel, south-facing, a low/multi building south of a high-rise: its H-multiple is 第二十三条's."""
    return (r.case == "parallel" and r.facing == "south" and _class(r.obstructing) != "high"
            and _class(r.other) == "high")


def article_23(r: Arrangement, p, zone: str) -> list[Term] | None:
    """第二十三条: low/multi-storey housing, parallel or perpendicular, by facing and zone."""
    if not _housing(r) or r.case == "gable":
        return None
    if "high" in (_class(r.a), _class(r.b)) and not _low_multi_south_of_high(r):
        return None
    facing = "south" if r.facing == "south" else "east_west"
    terms = [_h_term(_zoned(p[f"{r.case}_{facing}_factor"], zone), r.obstructing, r.role, p)]
    if r.case == "perpendicular" and r.facing == "east-west":
        terms.append(_h_term(p["perpendicular_other_factor"], r.other, "other", p))
    if not (r.case == "parallel" and r.facing == "south"):  # that case has no minimum here (第二十八条 has)
        terms.append(_min_term(p["low_multi_min"]))
    return terms


def article_25(r: Arrangement, p, zone: str) -> list[Term] | None:
    """第二十五条: gable to gable, low/multi-storey housing."""
    if not _housing(r) or r.case != "gable" or "high" in (_class(r.a), _class(r.b)):
        return None
    return [_h_term(p["gable_factor"], r.taller, "taller", p), _min_term(p["gable_low_multi_min"])]


def article_27(r: Arrangement, p, zone: str) -> list[Term] | None:
    """第二十七条: housing pairs with a high-rise."""
    if not _housing(r) or "high" not in (_class(r.a), _class(r.b)) or _low_multi_south_of_high(r):
        return None
    both_high = _class(r.a) == _class(r.b) == "high"
    if r.case == "gable":
        return [_min_term(p["gable_min"])]
    if r.case == "parallel" and r.facing == "south":  # the south building is the high-rise here
        return [_h_term(p["high_parallel_south_factor"], r.obstructing, r.role, p),
                _min_term(_zoned(p["high_parallel_south_min"], zone))]
    if r.case == "parallel":
        terms = [_h_term(p["high_parallel_east_west_factor"], r.taller, "taller", p)] if both_high else []
        return terms + [_min_term(p["high_parallel_east_west_min"])]
    terms = [_h_term(p["high_perpendicular_factor"], r.obstructing, r.role, p)] if both_high else []
    return terms + [_min_term(p["high_perpendicular_min"])]


def article_28(r: Arrangement, p, zone: str) -> list[Term] | None:
    """第二十八条: minimum south-north spacing of housing, by the classes of the south and north buildings."""
    if not _housing(r) or r.case == "gable" or r.facing != "south":
        return None
    south, north = _class(r.obstructing), _class(r.other)
    if south == "high":
        return None
    if north == "high":
        return [_min_term(p["south_north_to_high_min"])]
    if south == "low":
        return [_min_term(p["south_north_low_low_min" if north == "low" else "south_north_low_multi_min"])]
    return None  # multi-storey south of low/multi: no minimum in this article


def article_31(r: Arrangement, p, zone: str) -> list[Term] | None:
    """第三十一条: non-residential civil buildings."""
    if r.a.use not in NON_RESIDENTIAL_USES or r.b.use not in NON_RESIDENTIAL_USES:
        return None
    classes = (_class(r.a), _class(r.b))
    if classes == ("high", "high"):
        if r.case != "parallel":
            return None
        if r.facing == "south":
            return [_h_term(p["non_residential_high_south_factor"], r.obstructing, r.role, p),
                    _min_term(p["non_residential_high_south_min"])]
        return [_h_term(p["non_residential_high_east_west_factor"], r.taller, "taller", p),
                _min_term(p["non_residential_high_east_west_min"])]
    if "low" in classes:
        return [_min_term(p["non_residential_low_min"])]
    if "high" in classes:
        return [_min_term(p["non_residential_high_multi_min"])]
    return [_min_term(p["non_residential_multi_multi_min"])]


# --- checks -----------------------------------------------------------------------

def _run(ctx, rule, requirement: Callable, scope: str):
    """Every pair under ``requirement`` against the largest of its terms (a spacing equal to it passes)."""
    params = ctx.params(rule)
    zone = str(ctx.conditions.get("shanghai_zone", "outer"))
    pairs, radius = arrangements(ctx, params)
    out, cases = [], {}
    for r in pairs:
        terms = requirement(r, params, zone)
        if not terms:
            continue
        label = f"{r.case}/{r.facing}"
        cases[label] = cases.get(label, 0) + 1
        required = max(as_reported(t.value, "m") for t in terms)
        if r.distance >= required:
            continue
        out.append(_finding(rule, r, terms, zone, required))
    if not cases:
        raise NotApplicable(f"no {scope} within {show(radius, 'm')} m")
    details = {"zone": zone, "search_radius": as_reported(radius, "m"), "pairs_checked": sum(cases.values()),
               "cases": dict(sorted(cases.items()))}
    return out, details


def _finding(rule, r: Arrangement, terms: list[Term], zone: str, required: float):
    head_zh = "，".join(_TEXT[k][0] for k in (r.case, r.facing, zone))
    head_en = ", ".join(_TEXT[k][1] for k in (r.case, r.facing, zone))
    case = r.describe(zone)
    case["terms"] = [{"formula": t.en, "value": as_reported(t.value, "m")} for t in terms]
    pp = r.pair
    return finding(rule, a=r.a.id, b=r.b.id, basis=f"{head_zh}：" + "；".join(t.zh for t in terms),
                   basis_en=f"{head_en}: " + "; ".join(t.en for t in terms), measured=r.distance,
                   required=required, unit="m", subjects=(r.a.id, r.b.id),
                   location=line_location(pp.from_point, pp.to_point),
                   sources=(pp.part_a.part.source, pp.part_b.part.source), extra={"case": case})


@check("shanghai_low_multi_spacing")
def low_multi_spacing(ctx, rule):
    """第二十三条: pairs of low/multi-storey housing (and a low/multi building south of a high-rise, parallel),
    parallel 1.0/1.2 H south-facing, 0.9/1.0 H east/west-facing, perpendicular 0.7/0.8 H (east/west also
    0.5 H of the other), at least 6 m except parallel south-facing; inside 浦西内环线 / elsewhere.
    """
    return _run(ctx, rule, article_23, "pair of low/multi-storey housing facing each other (not gable to gable)")


@check("shanghai_gable_spacing")
def gable_spacing(ctx, rule):
    """第二十五条: low/multi-storey housing gable to gable (both gables at most 16 m wide), at least 0.5 x the
    taller H and 4 m.
    """
    return _run(ctx, rule, article_25, "pair of low/multi-storey housing gable to gable")


@check("shanghai_high_rise_spacing")
def high_rise_spacing(ctx, rule):
    """第二十七条: housing pairs with a high-rise: parallel south-facing with the high-rise south 0.5 H and
    24/30 m; parallel east/west 0.4 x the taller H and 24 m (24 m beside low/multi); perpendicular 0.3 H
    and 20 m (20 m with low/multi); gable to gable 13 m.
    """
    return _run(ctx, rule, article_27, "pair of housing with a high-rise")


@check("shanghai_south_north_minimum")
def south_north_minimum(ctx, rule):
    """第二十八条: housing one south of the other (not gable to gable), south building low/multi: low-low 6 m,
    low to multi north 8 m, low/multi to high-rise north 13 m.
    """
    return _run(ctx, rule, article_28, "south-north pair of housing with a minimum in this article")


@check("shanghai_non_residential_spacing")
def non_residential_spacing(ctx, rule):
    """第三十一条: pairs of non-residential civil buildings: two high-rises parallel, south-facing 0.4 H and 24
    m, east/west 0.3 x the taller H and 18 m; high-rise with multi-storey 13 m; multi with multi 10 m;
    with a low building 6 m.
    """
    return _run(ctx, rule, article_31, "pair of non-residential civil buildings under this article")
