"""The buildable envelope (可建范围): where a planned building of height H and a use may stand on the site.

The zones come from the rules the check runs, with the parameters of the
packs the submission selects (and the manifest's conditions and claims);
nothing here holds a number of a standard:

* ``conditions:setback_min`` -- the site inset by the condition (the check
  measures a part's distance to the site boundary);
* ``conditions:road_setback_min`` -- a band of that width along each road
  red line; ``shanghai-planning:49`` (H <= factor x (W + S)) adds a band of
  ``H / factor - W`` where ``road_width`` is a condition;
* ``gb50016-2014:5.2.2`` -- around every part of every retained and
  existing building, Table 5.2.2 between the planned building's row (its
  class from H and use, rating 二级) and the part's row, a manifest claim
  between the two buildings applied as the check applies it;
* ``gb55037-2022:3.3.1`` -- the same for a planned building above 100 m
  (or a neighbour above it);
* ``shanghai-planning:23/25/27/28/31`` -- around every retained and existing
  building in their scope, the spacing the articles ask in each direction:
  the planned building south of it (南北向, the planned building obstructs),
  north of it (it obstructs) and east or west of it, the planned building
  taken as parallel to it (the arrangement asking the most of each facing);
* the footprints of retained and existing buildings.

The setback and fire zones are exact: a building inside the buildable zone
keeps every such distance, one reaching into a zone breaks it. The spacing
zones are conservative: a direction counts as southern when the planned
building lies within 45° of south of *some* point of the neighbour within
the distance (the check looks only at the nearest points), and the planned
building is taken as parallel. New buildings already drawn are not
constraints (the envelope is the site before the design); the JSON lists
them as ignored.

All lengths are metres, areas m², in the drawing's frame.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from ..geometry.arc_fit import bulged_polygons, quad_segs_for
from ..geometry.arcs import nb_arc_centre
from ..geometry.arrays import PolygonArrays
from ..geometry.ops import to_shapely
from ..indicators.classes import fire_class, height_class, is_high_rise
from ..indicators.orientation import north_unit
from ..indicators.values import BuildingFigures, PartPair
from ..model import USE_NAMES, Building
from ..rounding import as_reported
from ..rules.fire import category, reduced_separation
from ..rules.planning import line_geometry
from ..rules.spacing import Arrangement, article_23, article_25, article_27, article_28, article_31
from ..rules.sunlight_standards import sunlight_rules

#: Name of the planned building in claims (``[[claims]] between = ["9#", "planned"]``) unless --name says otherwise.
PLANNED = "planned"
#: Rule id of the footprints of retained and existing buildings (not a clause: nothing may stand there).
FOOTPRINT = "drawcheck:footprint"
#: Checks of the Shanghai spacing articles -> the requirement the check computes (:mod:`drawcheck.rules.spacing`).
SPACING_ARTICLES = {"shanghai_low_multi_spacing": article_23, "shanghai_gable_spacing": article_25,
                    "shanghai_high_rise_spacing": article_27, "shanghai_south_north_minimum": article_28,
                    "shanghai_non_residential_spacing": article_31}
#: Relative area by which a footprint may fall short of its hull and still be swept as convex.
CONVEX_SLACK = 1e-9
#: Half-angle of a facing sector around south, north, east and west (the checks' 45°), degrees.
SECTOR_HALF = 45.0


class EnvelopeError(ValueError):
    """The envelope cannot be computed (no site boundary, no height); one line for the CLI."""


@dataclass
class Constraint:
    """One zone the planned building may not enter (m, m²)."""

    rule: str
    subject: str  # a building id, "site_boundary" or "road_redline"
    distance: float  # the largest distance the zone keeps, m
    zone: shapely.Geometry  # densified
    basis: str
    basis_en: str
    area_removed: float = 0.0  # m² of the site (after its boundary setback) inside this zone


@dataclass
class Envelope:
    """The buildable zone for one height, with the constraints that shape it."""

    name: str
    height: float
    use: str
    site: shapely.Geometry
    buildable: shapely.Geometry  # densified
    polygons: list[list[np.ndarray]]  # the buildable zone with exact arcs (x, y, bulge rings)
    area: float  # m², exact (arcs included)
    constraints: list[Constraint] = field(default_factory=list)
    circles: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # (cx, cy, r) the zones' arcs lie on
    ignored: list[str] = field(default_factory=list)  # new buildings in the drawing, not constraints
    not_applied: list[dict] = field(default_factory=list)  # selected rules that drew no zone, and why
    caps: dict | None = None  # sunlight height caps over the buildable zone (:func:`add_sunlight_caps`)


def use_key(text: str) -> str:
    """A use as a report key from its key or Chinese name (``住宅`` or ``residential``)."""
    names = {zh: key for key, zh in USE_NAMES.items()}
    key = names.get(text.strip(), text.strip().lower())
    if key not in USE_NAMES:
        raise EnvelopeError(f"--use {text!r}: not a use (one of {', '.join(USE_NAMES.values())} or "
                            f"{', '.join(USE_NAMES)})")
    return key


def planned_building(name: str, use: str, height: float) -> BuildingFigures:
    """Figures of the planned building as the rules read them (rating 二级, no parts yet)."""
    return BuildingFigures(Building(name, "new"), use, floors_above=0, floors_below=0, height=height,
                           height_assumed=False, footprint_area=0.0, gfa=0.0, gfa_below=None,
                           fire_class=fire_class(use, height), height_class=height_class(height), fire_rating=2)


def _circles_of(rings, distance: float) -> list[tuple[float, float, float]]:
    """Circles (m) an offset of ``rings`` by ``distance`` is rounded on: vertices (r = d) and arcs (R +- d)."""
    out = []
    for ring in rings:
        ring = np.asarray(ring, dtype=float)
        out.extend((x, y, distance) for x, y in ring[:, :2])
        for k in np.flatnonzero(ring[:, 2]):
            (x0, y0, b), (x1, y1) = ring[k], ring[(k + 1) % len(ring), :2]
            cx, cy, r, _ = nb_arc_centre(x0, y0, x1, y1, b)
            out.extend((x0 + cx, y0 + cy, rr) for rr in (r + distance, abs(r - distance)))
    return out


def _buffer(geom, distance: float):
    return shapely.buffer(geom, distance, quad_segs=quad_segs_for(abs(distance))) if distance else geom


class _Builder:
    """Collects the zones of one envelope."""

    def __init__(self, prepared, height: float, use: str, name: str):
        self.prepared, self.height, self.use, self.name = prepared, height, use, name
        self.rules = {r.check: r for p in prepared.packs for r in p.rules}
        self.params = {p.id: p.params for p in prepared.packs}
        self.conditions = prepared.manifest.conditions
        self.planned = planned_building(name, use, height)
        ind = prepared.indicators
        self.neighbours = [b for b in ind.buildings if b.kind == "retained"] + list(ind.existing)
        self.site_rings = ind.site.rings
        self.site = to_shapely([self.site_rings])[0]
        self.constraints: list[Constraint] = []
        self.circles: list[tuple[float, float, float]] = []
        self.not_applied: list[dict] = []

    def rule(self, check: str):
        return self.rules.get(check)

    def add(self, rule: str, subject: str, distance: float, zone, basis: str, basis_en: str, circles=()) -> None:
        if zone.is_empty or not zone.intersects(self.site):
            return
        self.constraints.append(Constraint(rule, subject, distance, zone, basis, basis_en))
        self.circles.extend(circles)

    def skip(self, rule, why: str) -> None:
        self.not_applied.append({"rule": rule.id, "reason": why})

    # -- setbacks ------------------------------------------------------------------------------------------------
    def site_setback(self):
        """The site inset by ``setback_min`` (the site itself without the condition)."""
        rule = self._condition_rule("site_boundary")
        if rule is None:
            return self.site
        d = self.conditions.get(rule.code)
        if d is None:
            self.skip(rule, f"condition {rule.code} absent from the manifest's [conditions]")
            return self.site
        d = float(d)
        inset = _buffer(self.site, -d)
        self.add(rule.id, "site_boundary", d, self.site.difference(inset), f"退用地红线 {d:g} m",
                 f"setback {d:g} m from the site boundary", _circles_of(self.site_rings, d))
        return inset

    def _condition_rule(self, to: str):
        return next((x for p in self.prepared.packs for x in p.rules
                     if x.check == "condition_setback" and x.args.get("to") == to), None)

    def road_setbacks(self) -> None:
        roads = [(line, line_geometry(line)) for line in self.prepared.project.road_redlines]
        roads = [(line, g) for line, g in roads if g is not None]
        bands = []
        rule = self._condition_rule("road_redline")
        if rule is not None:
            d = self.conditions.get(rule.code)
            if d is None:
                self.skip(rule, f"condition {rule.code} absent from the manifest's [conditions]")
            else:
                bands.append((rule.id, float(d), f"退道路红线 {float(d):g} m",
                              f"setback {float(d):g} m from the road red line"))
        rule = self.rule("road_height")
        if rule is not None:
            width = self.conditions.get("road_width")
            factor = float(self.params[rule.pack]["height_factor"])
            if width is None:
                self.skip(rule, "condition road_width absent from the manifest's [conditions]")
            else:
                s = self.height / factor - float(width)
                if s > 0:
                    bands.append((rule.id, s, f"H ≤ {factor:g} (W + S)：S ≥ {self.height:g}/{factor:g} − "
                                  f"{float(width):g} = {s:.3f} m",
                                  f"H <= {factor:g} (W + S): S >= {self.height:g}/{factor:g} - {float(width):g} "
                                  f"= {s:.3f} m"))
        if bands and not roads:
            for rule_id, *_ in bands:
                self.not_applied.append({"rule": rule_id, "reason": "no road red line (道路红线) in the drawing"})
            return
        for rule_id, d, zh, en in bands:
            zone = shapely.union_all([_buffer(g, d) for _, g in roads])
            circles = [c for line, _ in roads for c in _circles_of([line.points], d)]
            self.add(rule_id, "road_redline", d, zone, zh, en, circles)

    # -- fire separation -----------------------------------------------------------------------------------------
    def _claim(self, rule, other: str):
        for c in self.prepared.manifest.claims:
            if c.rule == rule.id and set(c.between) == {self.name, other}:
                return c
        return None

    def _part_zones(self, rule, b: BuildingFigures, distances: list[tuple[object, float]], zh: str, en: str) -> None:
        """One zone around building ``b``: each part buffered by its distance."""
        geoms = to_shapely([pf.part.area.rings for pf, _ in distances])
        zone = shapely.union_all([_buffer(g, d) for g, (_, d) in zip(geoms, distances)])
        circles = [c for pf, d in distances for c in _circles_of(pf.part.area.rings, d)]
        self.add(rule.id, b.id, max(d for _, d in distances), zone, zh, en, circles)

    def fire_separation(self) -> None:
        rule = self.rule("fire_separation")
        if rule is None:
            return
        if self.use == "industrial":
            self.skip(rule, "Table 5.2.2 covers civil buildings; the planned building is industrial")
            return
        params = self.params[rule.pack]
        table = params["separation_table"]
        row = 0 if is_high_rise(self.use, self.height) else 1
        high = row == 0
        for b in self.neighbours:
            if b.use == "industrial":
                continue
            claim = self._claim(rule, b.id)
            distances, notes_zh, notes_en = [], set(), set()
            for pf in b.parts:
                required = float(table[row][category(pf)])
                if claim is not None:
                    reduced, why = reduced_separation(claim, required, self.planned, b, high or pf.high_rise, params)
                    if reduced is not None:
                        required = reduced
                        notes_zh.add(f"按注{claim.note}：{claim.reason}")
                        notes_en.add(f"note {claim.note} claimed: {claim.reason} ({why})")
                distances.append((pf, required))
            klass = "高层" if high else "多层"
            self._part_zones(rule, b, distances,
                             f"{klass}民用建筑（{self.height:g} m）与 {b.id} 防火间距" + "".join(f"；{n}" for n in notes_zh),
                             f"fire separation of a {'high-rise' if high else 'low/multi-storey'} building "
                             f"({self.height:g} m) from {b.id}" + "".join(f"; {n}" for n in notes_en))

    def super_high_separation(self) -> None:
        rule = self.rule("super_high_separation")
        if rule is None:
            return
        params = self.params[rule.pack]
        limit, row = float(params["super_high_height"]), params["super_high_separation"]
        own = 0 if is_high_rise(self.use, self.height) else 1
        if self.use == "industrial":
            return
        for b in self.neighbours:
            if b.use == "industrial":
                continue
            distances = []
            for pf in b.parts:
                d = 0.0
                if self.height > limit:
                    d = max(d, float(row[category(pf)]))
                if as_reported(b.height, "m") > limit and not pf.podium:
                    d = max(d, float(row[own]))
                if d > 0:
                    distances.append((pf, d))
            if distances:
                self._part_zones(rule, b, distances, f"建筑高度大于 {limit:g} m 的防火间距（{b.id}）",
                                 f"fire separation with a building higher than {limit:g} m ({b.id})")
        if self.height <= limit and not any(as_reported(b.height, "m") > limit for b in self.neighbours):
            self.skip(rule, f"no building higher than {limit:g} m")

    # -- Shanghai spacing ----------------------------------------------------------------------------------------
    def _sector(self, distance: float, centre: float, half: float) -> np.ndarray:
        """A circular sector (apex at the origin) of radius ``distance`` around direction ``centre`` (rad):
        the apex, then the arc's points from ``centre - half`` to ``centre + half``."""
        step = (math.pi / 2) / quad_segs_for(distance)
        n = max(2, math.ceil(2 * half / step) + 1)
        angles = np.linspace(centre - half, centre + half, n)
        return np.vstack([[0.0, 0.0], np.column_stack([distance * np.cos(angles), distance * np.sin(angles)])])

    def _sector_zone(self, b: BuildingFigures, sectors: list[tuple[np.ndarray, float, float]]):
        """The footprint of ``b`` swept by each sector ``(points, centre, half)``: the Minkowski sum.

        For a convex sector K, an edge e swept by K is the two copies of K at its ends plus the quadrilateral
        between the edge moved to K's support points on either side of it; the footprint swept is the
        footprint plus every edge swept (all built as arrays, one union)."""
        footprint = shapely.union_all(to_shapely([pf.part.area.rings for pf in b.parts]))
        pieces = [np.array([footprint])]
        for poly in shapely.get_parts(footprint):
            xy = np.asarray(poly.exterior.coords)[:, :2]
            if poly.convex_hull.area - poly.area <= CONVEX_SLACK * poly.area:  # convex: the hull of the sums
                lines = [shapely.linestrings((xy[:-1, None, :] + sector[None, :, :]).reshape(-1, 2))
                         for sector, _, _ in sectors]  # a line through the points: hulls the same, builds faster
                pieces.append(shapely.convex_hull(np.array(lines)))
                continue
            e0, e1 = xy[:-1], xy[1:]
            normal = np.column_stack([e1[:, 1] - e0[:, 1], e0[:, 0] - e1[:, 0]])
            normal /= np.maximum(np.hypot(normal[:, 0], normal[:, 1]), 1e-300)[:, None]
            for sector, centre, half in sectors:
                pieces.append(shapely.polygons(xy[:-1, None, :] + sector[None, :, :]))
                plus, minus = _support(sector, centre, half, normal), _support(sector, centre, half, -normal)
                keep = np.hypot(*(plus - minus).T) > 1e-9
                quads = np.stack([e0 + minus, e1 + minus, e1 + plus, e0 + plus], axis=1)[keep]
                pieces.append(shapely.polygons(quads))
        return shapely.union_all(np.concatenate(pieces))

    def spacing(self) -> None:
        rules = [(self.rules[c], fn) for c, fn in SPACING_ARTICLES.items() if c in self.rules]
        if not rules:
            return
        zone_name = str(self.conditions.get("shanghai_zone", "outer"))
        nx, ny = north_unit(self.prepared.manifest.north_angle)
        north = math.atan2(ny, nx)
        half = math.radians(SECTOR_HALF)
        directions = {"south": [north + math.pi], "north": [north], "east-west": [north - math.pi / 2, north + math.pi / 2]}
        for rule, requirement in rules:
            params = self.params[rule.pack]
            for b in self.neighbours:
                reqs = {}
                for side in directions:
                    r = self._arrangement(b, side)
                    terms = requirement(r, params, zone_name)
                    if terms:
                        reqs[side] = (max(as_reported(t.value, "m") for t in terms), terms)
                if not reqs:
                    continue
                sectors = [(self._sector(d, c, half), c, half) for side, (d, _) in reqs.items() for c in directions[side]]
                zone = self._sector_zone(b, sectors)
                zh = "；".join(f"{_SIDES[s][0]} {d:g} m（" + "，".join(t.zh for t in terms) + "）"
                              for s, (d, terms) in reqs.items())
                en = "; ".join(f"{_SIDES[s][1]} {d:g} m (" + ", ".join(t.en for t in terms) + ")"
                               for s, (d, terms) in reqs.items())
                circles = [c for pf in b.parts for d, _ in reqs.values() for c in _circles_of(pf.part.area.rings, d)]
                self.add(rule.id, b.id, max(d for d, _ in reqs.values()), zone, zh, en, circles)

    def _arrangement(self, b: BuildingFigures, side: str) -> Arrangement:
        """The planned building parallel to ``b``, on ``side`` of it (south, north, east-west), as the check sorts it."""
        p = self.planned
        pair = PartPair(p, None, b, None, 0.0, (0.0, 0.0), (0.0, 0.0))
        if side == "south":
            obstructing, role, facing = p, "south", "south"
        elif side == "north":
            obstructing, role, facing = b, "south", "south"
        else:
            obstructing, role, facing = (p if p.height >= b.height else b), "taller", "east-west"
        return Arrangement(pair, 0.0, "parallel", facing, obstructing, role, ("facade", "facade"), 0.0,
                           0.0 if facing == "south" else 90.0, (None, None))

    def footprints(self) -> None:
        for b in self.neighbours:
            zone = shapely.union_all(to_shapely([pf.part.area.rings for pf in b.parts]))
            self.add(FOOTPRINT, b.id, 0.0, zone, f"{b.id} 占地", f"footprint of {b.id}",
                     [c for pf in b.parts for c in _circles_of(pf.part.area.rings, 0.0)])


def _support(sector: np.ndarray, centre: float, half: float, directions: np.ndarray) -> np.ndarray:
    """The point of a sector (apex at the origin, :meth:`_Builder._sector`) farthest along each unit direction
    (rows of ``directions``): the apex, an end of the arc, or the arc point in that direction."""
    radius = float(np.hypot(*sector[1]))
    ends = sector[[0, 1, -1]]  # apex, arc start, arc end
    best = ends[np.argmax(directions @ ends.T, axis=1)]
    angle = np.arctan2(directions[:, 1], directions[:, 0])
    off = (angle - centre + math.pi) % (2 * math.pi) - math.pi
    inside = np.abs(off) <= half
    best[inside] = radius * directions[inside]
    return best


_SIDES = {"south": ("位于其南侧", "south of it"), "north": ("位于其北侧", "north of it"),
          "east-west": ("位于其东西侧", "east or west of it")}


def compute_envelope(prepared, height: float, use: str = "residential", name: str = PLANNED) -> Envelope:
    """The buildable zone on the site of ``prepared`` (:func:`drawcheck.pipeline.prepare`) for a planned
    building of ``height`` m and ``use`` (report key), and the constraints that shape it.

    Raises :class:`EnvelopeError` when the submission has no site boundary or the height is not positive.
    """
    if not (height > 0 and math.isfinite(height)):
        raise EnvelopeError(f"height {height!r} m: give a positive height")
    ind = prepared.indicators
    if ind.site is None:
        raise EnvelopeError(f"no site boundary: {ind.values['site_area'].reason or 'none drawn'}")
    builder = _Builder(prepared, float(height), use, name)
    base = builder.site_setback()
    builder.road_setbacks()
    builder.fire_separation()
    builder.super_high_separation()
    builder.spacing()
    builder.footprints()
    zones = [c.zone for c in builder.constraints if c.subject != "site_boundary"]
    buildable = shapely.difference(base, shapely.union_all(zones)) if zones else base
    buildable = shapely.make_valid(buildable) if not buildable.is_valid else buildable
    for c in builder.constraints:
        if c.subject == "site_boundary":
            c.area_removed = float(builder.site.area - base.area)
        else:
            c.area_removed = float(shapely.intersection(c.zone, base).area)
    circles = np.asarray(builder.circles, dtype=float).reshape(-1, 3)
    polygons = bulged_polygons(buildable, circles)
    area = float(PolygonArrays.from_polygons(polygons).areas().sum()) if polygons else 0.0
    ignored = [b.id for b in ind.buildings if b.kind == "new"]
    return Envelope(name, float(height), use, builder.site, buildable, polygons, area, builder.constraints, circles,
                    ignored, builder.not_applied)


def add_sunlight_caps(prepared, env: Envelope, grid: float = 2.0) -> None:
    """Sunlight height caps (日照限高, m) on a ``grid`` m grid over the buildable zone, at most the envelope's
    height (:func:`drawcheck.sunlight.caps.height_caps`); ``env.caps`` stays None when no sunlight rule is
    selected or nothing is buildable.

    As for the zones, the site is taken before the design: the windows kept lit and the obstructions are those
    of the retained and existing buildings; new buildings already drawn are left out.
    """
    from ..sunlight.caps import height_caps

    if not sunlight_rules(prepared.packs) or env.buildable.is_empty or env.buildable.area <= 0:
        return
    ind = prepared.indicators
    before = dataclasses.replace(prepared, indicators=dataclasses.replace(
        ind, buildings=[b for b in ind.buildings if b.kind != "new"]))
    env.caps = height_caps(before, env.buildable, grid=grid, max_height=env.height)
