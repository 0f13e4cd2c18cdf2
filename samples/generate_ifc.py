"""Write the IFC sample submissions and their hand-worked expected values.

Usage::

    python samples/generate_ifc.py [--out DIR]

writes (default ``DIR`` = this folder)

- ``DIR/residential-ifc/``: ``drawcheck.toml``, ``model.ifc``, ``expected.json`` --
  the residential sample (``samples/residential``) as one IFC4 building model
  in metres, in the same world coordinates as its DXF (which is in mm);
- ``DIR/mixed/``: ``drawcheck.toml``, ``site.dxf``, ``building-1.ifc``,
  ``building-2.ifc``, ``expected.json`` -- the same project split into a site
  plan without 5# and 6# plus those two buildings as IFC models in their own
  local coordinates, placed by the manifest's ``insert`` / ``rotation``.

Every primitive comes from ``samples/generate.py`` (``residential_model()``,
``RES_FRAME``, the declared table ...): nothing is copied by hand. The output is
byte-identical on every run: GlobalIds are derived from a fixed namespace and
a counter (``uuid5``), the STEP header carries fixed name/time/author fields,
the unit assignment is built in a fixed order (``unit.assign_unit`` puts the
units through a ``set``), and the DXF part uses generate.py's reproducible
ezdxf settings. ``expected.json`` is worked out from the primitive dimensions
(rectangle areas, storey counts x storey heights), never by reading the IFC and
never by calling drawcheck; ``samples/README.md`` explains each number.

Storey scheme (both samples): storey k (1-based) of a building is ``{k}F`` at
elevation (k - 1) x storey height, storey height = building height / floors
(3.0 m; 4.0 m for 4#); each holds one FLOOR slab whose top lies at the storey
elevation and whose body reaches 0.2 m down; a storey ``Roof`` at the
building height holds only the ROOF slab (top = height). 5#'s podium roof is a
ROOF slab (podium minus tower) in storey 5F. The basement is two storeys of
1# (``B1`` at -3.0 with a FLOOR slab, ``B2`` at -6.0 with a BASESLAB), plus the
basement's top slab (a ROOF slab at 0.0 in 1F, under the garden).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import ifcopenshell  # noqa: E402
import ifcopenshell.api.aggregate  # noqa: E402
import ifcopenshell.api.context  # noqa: E402
import ifcopenshell.api.pset  # noqa: E402
import ifcopenshell.api.root  # noqa: E402
import ifcopenshell.api.spatial  # noqa: E402
import ifcopenshell.api.unit  # noqa: E402
import ifcopenshell.guid  # noqa: E402

import generate as dxf_samples  # noqa: E402  (samples/generate.py)
from generate import (  # noqa: E402
    RES_CONDITIONS, RES_FILLET, RES_FRAME, RES_SITE_H, RES_SITE_W, RES_STALL, Building, Rect,
    json_text, rnd, toml_text, toml_value, write_if_changed,
)

SLAB_DEPTH = 0.2          # m; slab top at the storey elevation, body below it
SPACE_DEPTH = 0.1         # m; green and parking spaces, from 0.0 up
WALL_THICKNESS = 0.2      # m; walls lie inside the plate, along its edges
BASEMENT_OWNER = "1#"     # the building whose storeys B1/B2 are the basement
BASEMENT_STOREY_HEIGHT = 3.0
REF_ELEVATION = 4.0       # IfcSite.RefElevation: +-0.00 is 4.0 m above sea level
WALLED = ("4#", "6#")     # buildings that also get simple walls
MISMATCH_BUILDING = "3#"  # its Qto FootprintArea is written 10 % too large
MISMATCH_FACTOR = 1.10
OCCUPANCY = {"residential": "住宅", "ancillary": "配套", "commercial": "商业"}
GUID_NAMESPACE = uuid.UUID("6f1c2a4e-0d1b-5c59-9a43-7d7261776368")  # fixed: drawcheck samples
HEADER_TIME = "2000-01-01T00:00:00"

# Building frames, in the site's local metres (generate.py's primitives): the
# building's local (0, 0) lies at ``anchor`` and its local x axis is turned
# ``rotation`` degrees counter-clockwise. 6#'s is the DXF block's insert.
FRAMES = {
    "5#": ((114.0, 8.0), 0.0),
    "6#": (dxf_samples.RES_BLOCK_6["insert"], dxf_samples.RES_BLOCK_6["rotation"]),
}
MIXED_IFC = {"building-1.ifc": "5#", "building-2.ifc": "6#"}  # the buildings supplied as IFC


def clean(v: float) -> float:
    """Round away float noise (and -0.0) so coordinates print the same everywhere."""
    return round(v, 9) + 0.0


# --------------------------------------------------------------------------
# the storey plan of a building (pure data, from the primitives)
# --------------------------------------------------------------------------
@dataclass
class Slab:
    name: str
    predefined: str                   # FLOOR | BASESLAB | ROOF
    outer: Rect                       # site-local metres
    hole: Rect | None = None


@dataclass
class Storey:
    name: str
    elevation: float
    height: float                     # to the next storey (walls), 0 for the roof storey
    slabs: list[Slab] = field(default_factory=list)

    @property
    def floor_plate(self) -> float:
        """Union of the FLOOR/BASESLAB slabs (one per storey here): never ROOF."""
        plates = [s for s in self.slabs if s.predefined != "ROOF"]
        assert len(plates) <= 1
        return sum((s.outer.area - (s.hole.area if s.hole else 0.0) for s in plates), 0.0)

    @property
    def is_floor(self) -> bool:
        return any(s.predefined != "ROOF" for s in self.slabs)


def storey_plan(b: Building, basement: tuple[Rect, int] | None) -> list[Storey]:
    """Storeys bottom-up: basement B_n..B1, 1F..{floors}F, Roof."""
    sh = b.height / b.floors
    storeys: list[Storey] = []
    if basement is not None:
        rect, n = basement
        for k in range(n, 0, -1):
            kind = "BASESLAB" if k == n else "FLOOR"
            storeys.append(Storey(f"B{k}", -k * BASEMENT_STOREY_HEIGHT, BASEMENT_STOREY_HEIGHT,
                                  [Slab(f"B{k} {'底板' if kind == 'BASESLAB' else '楼板'}", kind, rect)]))
    for k in range(1, b.floors + 1):
        plate = max((p.rect for p in b.parts if p.floors >= k), key=lambda r: r.area)
        st = Storey(f"{k}F", (k - 1) * sh, sh, [Slab(f"{k}F 楼板", "FLOOR", plate)])
        # roofs of the parts that end below this storey (5#'s podium at 5F)
        for p in b.parts:
            if p.floors == k - 1:
                st.slabs.append(Slab(f"{k - 1}F 裙房屋面", "ROOF", p.rect, hole=plate))
        if k == 1 and basement is not None:
            st.slabs.append(Slab("地下室顶板", "ROOF", basement[0]))
        storeys.append(st)
    top = max((p.rect for p in b.parts if p.floors == b.floors), key=lambda r: r.area)
    storeys.append(Storey("Roof", b.height, 0.0, [Slab("屋面", "ROOF", top)]))
    return storeys


def building_expected(b: Building, storeys: list[Storey]) -> dict:
    rows = []
    for s in storeys:
        rows.append({"name": s.name, "elevation": rnd(s.elevation), "floor": s.is_floor,
                     "above_ground": s.elevation >= -0.1, "plate_area": rnd(s.floor_plate)})
    above = [s for s in storeys if s.is_floor and s.elevation >= -0.1]
    below = [s for s in storeys if s.is_floor and s.elevation < -0.1]
    gfa_above = sum((s.floor_plate for s in above), 0.0)
    gfa_below = sum((s.floor_plate for s in below), 0.0)
    ground = next(s for s in storeys if s.elevation == 0.0)
    return {
        "floors_above": len(above), "floors_below": len(below),
        "height": rnd(b.height),
        "storey_height": rnd(b.height / b.floors),
        "footprint_area": rnd(ground.floor_plate),
        # gfa: above ground, as in samples/residential; the basement storeys apart
        "gfa": rnd(gfa_above), "gfa_below": rnd(gfa_below), "gfa_total": rnd(gfa_above + gfa_below),
        "storeys": rows,
    }


def building_declared(b: Building, ex: dict, mismatch: bool) -> dict:
    """What Pset_BuildingCommon / Qto_Building(Storey)BaseQuantities state (correct unless ``mismatch``)."""
    uses = {p.use for p in b.parts}
    occupancy = "商住" if len(uses) > 1 else OCCUPANCY[uses.pop()]
    footprint = ex["footprint_area"] * (MISMATCH_FACTOR if mismatch else 1.0)
    return {
        "Pset_BuildingCommon": {"NumberOfStoreys": ex["floors_above"],
                                "GrossPlannedArea": ex["gfa_total"], "OccupancyType": occupancy},
        "Qto_BuildingBaseQuantities": {"Height": ex["height"], "FootprintArea": rnd(footprint)},
        "Qto_BuildingStoreyBaseQuantities.GrossFloorArea": {
            s["name"]: s["plate_area"] for s in ex["storeys"] if s["floor"]},
    }


# --------------------------------------------------------------------------
# frames: site-local metres -> building-local metres
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class BFrame:
    anchor: tuple[float, float]   # building-local (0, 0) in site-local metres
    rotation: float               # degrees, counter-clockwise

    def to_local(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = x - self.anchor[0], y - self.anchor[1]
        t = math.radians(self.rotation)
        c, s = round(math.cos(t), 15), round(math.sin(t), 15)
        return clean(c * dx + s * dy), clean(-s * dx + c * dy)

    def rect_local(self, r: Rect) -> list[tuple[float, float]]:
        """The rectangle's corners in building-local metres, counter-clockwise."""
        return [self.to_local(*p) for p in r.corners()]


def frame_of(b: Building) -> BFrame:
    if b.name in FRAMES:
        anchor, rot = FRAMES[b.name]
        return BFrame((float(anchor[0]), float(anchor[1])), float(rot))
    return BFrame((b.outer.x0, b.outer.y0), 0.0)


# --------------------------------------------------------------------------
# IFC writing
# --------------------------------------------------------------------------
class IfcWriter:
    """A fresh IFC4 file in metres with a Body and a FootPrint context."""

    def __init__(self, file_name: str, project_name: str) -> None:
        f = self.f = ifcopenshell.file(schema="IFC4")
        fn = f.header.file_name
        fn.name = file_name
        fn.time_stamp = HEADER_TIME
        fn.author = ("drawcheck samples",)
        fn.organization = ("drawcheck",)
        fn.preprocessor_version = "IfcOpenShell"
        fn.originating_system = "drawcheck samples/generate_ifc.py"
        fn.authorization = "none"
        f.header.file_description.description = ("ViewDefinition [ReferenceView_V1.2]",)
        self.project = ifcopenshell.api.root.create_entity(f, ifc_class="IfcProject", name=project_name)
        # metres, square metres, cubic metres, radians, in this order (assign_unit
        # would default to millimetres and passes the units through a set)
        units = [ifcopenshell.api.unit.add_si_unit(f, unit_type=t)
                 for t in ("LENGTHUNIT", "AREAUNIT", "VOLUMEUNIT", "PLANEANGLEUNIT")]
        self.project.UnitsInContext = f.createIfcUnitAssignment(units)
        model = ifcopenshell.api.context.add_context(f, context_type="Model")
        self.body = ifcopenshell.api.context.add_context(
            f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model)
        self.footprint = ifcopenshell.api.context.add_context(
            f, context_type="Model", context_identifier="FootPrint", target_view="PLAN_VIEW", parent=model)

    # -- geometry helpers ---------------------------------------------------
    def placement(self, rel_to, origin=(0.0, 0.0, 0.0), xdir=(1.0, 0.0, 0.0)):
        f = self.f
        axis = f.createIfcAxis2Placement3D(
            f.createIfcCartesianPoint([clean(v) for v in origin]),
            f.createIfcDirection((0.0, 0.0, 1.0)),
            f.createIfcDirection([clean(v) for v in xdir]))
        return f.createIfcLocalPlacement(rel_to, axis)

    def polyline(self, pts, reverse: bool = False):
        pts = list(reversed(pts)) if reverse else list(pts)
        pts = pts + [pts[0]]
        return self.f.createIfcPolyline([self.f.createIfcCartesianPoint(p) for p in pts])

    def indexed_curve(self, pts, segments):
        """IfcIndexedPolyCurve; segments are ('line'|'arc', 1-based indices)."""
        f = self.f
        plist = f.createIfcCartesianPointList2D([list(p) for p in pts])
        segs = [f.create_entity("IfcLineIndex" if kind == "line" else "IfcArcIndex", list(idx))
                for kind, idx in segments]
        return f.createIfcIndexedPolyCurve(plist, segs, False)

    def profile(self, outer_curve, holes=(), name=None):
        if holes:
            return self.f.createIfcArbitraryProfileDefWithVoids("AREA", name, outer_curve, list(holes))
        return self.f.createIfcArbitraryClosedProfileDef("AREA", name, outer_curve)

    def extrusion(self, profile, z0: float, depth: float):
        f = self.f
        pos = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, clean(z0))), None, None)
        return f.createIfcExtrudedAreaSolid(profile, pos, f.createIfcDirection((0.0, 0.0, 1.0)), depth)

    def body_shape(self, solid):
        rep = self.f.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", [solid])
        return self.f.createIfcProductDefinitionShape(None, None, [rep])

    # -- entities -------------------------------------------------------------
    def create(self, ifc_class: str, name: str, predefined: str | None = None):
        return ifcopenshell.api.root.create_entity(self.f, ifc_class=ifc_class, name=name,
                                                   predefined_type=predefined)

    def site(self, name: str, ref_elevation: float | None):
        site = self.create("IfcSite", name)
        site.ObjectPlacement = self.placement(None)
        if ref_elevation is not None:
            site.RefElevation = ref_elevation
        ifcopenshell.api.aggregate.assign_object(self.f, products=[site], relating_object=self.project)
        return site

    def pset(self, product, name: str, props: dict) -> None:
        ps = ifcopenshell.api.pset.add_pset(self.f, product=product, name=name)
        ifcopenshell.api.pset.edit_pset(self.f, pset=ps, properties=dict(props))  # edit_pset empties it

    def qto(self, product, name: str, props: dict) -> None:
        q = ifcopenshell.api.pset.add_qto(self.f, product=product, name=name)
        ifcopenshell.api.pset.edit_qto(self.f, qto=q, properties=dict(props))

    def building(self, site, b: Building, frame: BFrame, placement_origin, placement_rotation: float,
                 storeys: list[Storey], declared: dict, walls: bool):
        """One IfcBuilding with its storeys, slabs (and walls), placed at
        ``placement_origin`` (metres, in the parent's coordinates) turned by
        ``placement_rotation`` degrees; slab outlines go through ``frame``."""
        t = math.radians(placement_rotation)
        bld = self.create("IfcBuilding", b.name)
        bld.ObjectPlacement = self.placement(site.ObjectPlacement, (*placement_origin, 0.0),
                                             (round(math.cos(t), 15), round(math.sin(t), 15), 0.0))
        ifcopenshell.api.aggregate.assign_object(self.f, products=[bld], relating_object=site)
        st_entities = []
        for s in storeys:
            st = self.create("IfcBuildingStorey", s.name)
            st.Elevation = s.elevation
            st.ObjectPlacement = self.placement(bld.ObjectPlacement, (0.0, 0.0, s.elevation))
            st_entities.append(st)
            contained = []
            for slab in s.slabs:
                e = self.create("IfcSlab", slab.name, slab.predefined)
                e.ObjectPlacement = self.placement(st.ObjectPlacement)
                holes = [self.polyline(frame.rect_local(slab.hole), reverse=True)] if slab.hole else []
                prof = self.profile(self.polyline(frame.rect_local(slab.outer)), holes)
                e.Representation = self.body_shape(self.extrusion(prof, -SLAB_DEPTH, SLAB_DEPTH))
                contained.append(e)
            if walls and s.is_floor:
                plate = next(sl for sl in s.slabs if sl.predefined != "ROOF").outer
                contained.extend(self.walls(st, frame, plate, s.height - SLAB_DEPTH))
            ifcopenshell.api.spatial.assign_container(self.f, products=contained, relating_structure=st)
            if s.name in declared["Qto_BuildingStoreyBaseQuantities.GrossFloorArea"]:
                self.qto(st, "Qto_BuildingStoreyBaseQuantities",
                         {"GrossFloorArea": declared["Qto_BuildingStoreyBaseQuantities.GrossFloorArea"][s.name]})
        ifcopenshell.api.aggregate.assign_object(self.f, products=st_entities, relating_object=bld)
        self.pset(bld, "Pset_BuildingCommon", declared["Pset_BuildingCommon"])
        self.qto(bld, "Qto_BuildingBaseQuantities", declared["Qto_BuildingBaseQuantities"])
        return bld

    def walls(self, storey, frame: BFrame, plate: Rect, height: float) -> list:
        """Four walls along the inside of the plate's edges (S, E, N, W)."""
        t = WALL_THICKNESS
        r = plate
        strips = [Rect(r.x0, r.y0, r.x1, r.y0 + t), Rect(r.x1 - t, r.y0 + t, r.x1, r.y1 - t),
                  Rect(r.x0, r.y1 - t, r.x1, r.y1), Rect(r.x0, r.y0 + t, r.x0 + t, r.y1 - t)]
        out = []
        for side, strip in zip("SENW", strips):
            w = self.create("IfcWall", f"{storey.Name} 外墙 {side}", "SOLIDWALL")
            w.ObjectPlacement = self.placement(storey.ObjectPlacement)
            prof = self.profile(self.polyline(frame.rect_local(strip)))
            w.Representation = self.body_shape(self.extrusion(prof, 0.0, height))
            out.append(w)
        return out

    def space(self, site, name: str, long_name: str, predefined: str, curve, holes=()):
        sp = self.create("IfcSpace", name, predefined)
        sp.LongName = long_name
        sp.ObjectPlacement = self.placement(site.ObjectPlacement)
        sp.Representation = self.body_shape(self.extrusion(self.profile(curve, holes), 0.0, SPACE_DEPTH))
        return sp

    # -- output ---------------------------------------------------------------
    def to_bytes(self, seed: str) -> bytes:
        """Fixed GlobalIds (uuid5 of seed and a counter, in entity order), then STEP text."""
        for rel in self.f.by_type("IfcRelAggregates"):        # the API keeps them in set order
            rel.RelatedObjects = sorted(rel.RelatedObjects, key=lambda e: e.id())
        for rel in self.f.by_type("IfcRelContainedInSpatialStructure"):
            rel.RelatedElements = sorted(rel.RelatedElements, key=lambda e: e.id())
        for i, e in enumerate(sorted(self.f.by_type("IfcRoot"), key=lambda e: e.id())):
            e.GlobalId = ifcopenshell.guid.compress(uuid.uuid5(GUID_NAMESPACE, f"{seed}/{i}").hex)
        text = self.f.to_string()
        assert text.rstrip().endswith("END-ISO-10303-21;")
        return text.encode("ascii")


# --------------------------------------------------------------------------
# site-level content in world metres (residential-ifc)
# --------------------------------------------------------------------------
def world(x: float, y: float) -> tuple[float, float]:
    """Site-local metres -> the DXF sample's world coordinates, in metres."""
    ox, oy = RES_FRAME.origin
    return clean(ox + x), clean(oy + y)


def fillet_rect_curve(w: IfcWriter, r: Rect, fillet: float):
    """Rectangle with its NE corner rounded by a 90-degree arc (IfcArcIndex through the arc's midpoint)."""
    cx, cy = r.x1 - fillet, r.y1 - fillet
    mid = (cx + fillet * math.cos(math.pi / 4), cy + fillet * math.sin(math.pi / 4))
    pts = [(r.x0, r.y0), (r.x1, r.y0), (r.x1, cy), mid, (cx, r.y1), (r.x0, r.y1)]
    return w.indexed_curve([world(*p) for p in pts],
                           [("line", (1, 2, 3)), ("arc", (3, 4, 5)), ("line", (5, 6, 1))])


def rect_curve(w: IfcWriter, r: Rect, reverse: bool = False):
    pts = [world(*p) for p in r.corners()]
    if reverse:
        pts.reverse()
    return w.indexed_curve(pts, [("line", (1, 2, 3, 4, 1))])


def parking_stalls(m: dict) -> list[Rect]:
    """The 36 stalls of the DXF sample, as rectangles in site-local metres."""
    sw, sl = RES_STALL
    p = m["parking"]
    out = []
    for key in ("minsert_a", "minsert_b"):
        spec = p[key]
        ax, ay = spec["at"]
        for row in range(spec["rows"]):          # MINSERT: row spacing = sl (y), column spacing = sw (x)
            for col in range(spec["cols"]):
                x, y = ax + col * sw, ay + row * sl
                out.append(Rect(x, y, x + sw, y + sl))
    for (x, y), rot in p["inserts"]:
        if rot == 0.0:
            out.append(Rect(x, y, x + sw, y + sl))
        else:                                     # 90 deg: block (u, v) -> (-v, u)
            assert rot == 90.0
            out.append(Rect(x - sl, y, x, y + sw))
    return out


def residential_ifc(m: dict, declared_buildings: dict, plans: dict, declared_project: dict) -> bytes:
    w = IfcWriter("model.ifc", "某住宅地块")
    site = w.site("某住宅地块", REF_ELEVATION)
    # site boundary: FootPrint, Curve2D, indexed poly curve with the NE fillet as an arc
    boundary = fillet_rect_curve(w, Rect(0, 0, RES_SITE_W, RES_SITE_H), RES_FILLET)
    site.Representation = w.f.createIfcProductDefinitionShape(None, None, [
        w.f.createIfcShapeRepresentation(w.footprint, "FootPrint", "Curve2D", [boundary])])

    for b in m["buildings"]:
        fr = frame_of(b)
        w.building(site, b, fr, world(*fr.anchor), fr.rotation, plans[b.name],
                   declared_buildings[b.name], walls=b.name in WALLED)

    # green: one IfcSpace (EXTERNAL) per piece, named 绿地 / 集中绿地, 0.1 m thick
    g = m["green"]
    spaces = [
        w.space(site, "绿地", "G1", "EXTERNAL", rect_curve(w, g["G1"]),
                holes=[rect_curve(w, g["G1_hole"], reverse=True)]),
        w.space(site, "绿地", "G2", "EXTERNAL", fillet_rect_curve(w, g["G2"], m["green_fillet"])),
    ]
    for key in ("G3", "G4", "G5"):
        spaces.append(w.space(site, "绿地", key, "EXTERNAL", rect_curve(w, g[key])))
    spaces.append(w.space(site, "集中绿地", "GC", "EXTERNAL", rect_curve(w, g["GC"])))
    for i, r in enumerate(parking_stalls(m), start=1):
        spaces.append(w.space(site, f"车位{i:02d}", f"P{i:02d}", "PARKING", rect_curve(w, r)))
    ifcopenshell.api.aggregate.assign_object(w.f, products=spaces, relating_object=site)

    w.pset(site, "Pset_DrawcheckDeclared", declared_pset_values(w.f, declared_project))
    return w.to_bytes("residential-ifc/model.ifc")


def declared_pset_values(f, declared: dict) -> dict:
    types = {"site_area": "IfcAreaMeasure", "gfa_total": "IfcAreaMeasure", "gfa_far": "IfcAreaMeasure",
             "far": "IfcReal", "coverage": "IfcRatioMeasure", "green_ratio": "IfcRatioMeasure",
             "max_height": "IfcLengthMeasure", "parking_spaces": "IfcInteger"}
    return {k: f.create_entity(types[k], declared[k]) for k in types}


def building_only_ifc(file_name: str, b: Building, storeys: list[Storey], declared: dict) -> bytes:
    """One building in its own local coordinates (no georeferencing, no site data)."""
    w = IfcWriter(file_name, f"某住宅地块 {b.name}")
    site = w.site("某住宅地块", None)
    w.building(site, b, frame_of(b), (0.0, 0.0), 0.0, storeys, declared, walls=b.name in WALLED)
    return w.to_bytes(f"mixed/{file_name}")


# --------------------------------------------------------------------------
# expected values
# --------------------------------------------------------------------------
INDICATOR_KEYS = ("site_area", "footprint_area", "gfa_above", "gfa_below", "gfa_total", "gfa_far",
                  "far", "coverage", "green_area", "green_ratio", "max_height", "parking_spaces")


def project_values(m: dict, rows: dict, basement_gfa: float) -> dict:
    """Project indicators from the storey plan (independent of generate.py's sums)."""
    site_area = RES_SITE_W * RES_SITE_H - RES_FILLET ** 2 * (1 - math.pi / 4)
    footprint = sum(r["footprint_area"] for r in rows.values())     # buildings do not overlap
    gfa_above = sum(r["gfa"] for r in rows.values())
    gfa_below = sum(r["gfa_below"] for r in rows.values()) + basement_gfa
    g = m["green"]
    site = Rect(0, 0, RES_SITE_W, RES_SITE_H)
    green = ((g["G1"].area - g["G1_hole"].area)
             + g["G2"].area - m["green_fillet"] ** 2 * (1 - math.pi / 4)
             + g["G3"].overlap(site) + g["G5"].area
             + g["GC"].area + g["G4"].area - g["GC"].overlap(g["G4"]))
    return {
        "site_area": site_area, "footprint_area": footprint,
        "gfa_above": gfa_above, "gfa_below": gfa_below, "gfa_total": gfa_above + gfa_below,
        "gfa_far": gfa_above, "far": gfa_above / site_area, "coverage": footprint / site_area,
        "green_area": green, "green_ratio": green / site_area,
        "max_height": max(r["height"] for r in rows.values()),
        "parking_spaces": len(parking_stalls(m)),
    }


def check_against_dxf_sample(values: dict, dxf_expected: dict) -> None:
    """The IFC content is the DXF sample's content: every indicator must agree."""
    for k in INDICATOR_KEYS:
        assert abs(values[k] - dxf_expected[k]) <= 1e-6, (k, values[k], dxf_expected[k])


def mismatch_rows(values: dict, declared_project: dict, declared_buildings: dict, rows: dict) -> list:
    out = [{"subject": "project", "key": "far", "rule": "declared:far",
            "source": "Pset_DrawcheckDeclared.far" if declared_buildings else "经济技术指标 (site.dxf)",
            "declared": declared_project["far"], "computed": rnd(values["far"])}]
    for name, d in declared_buildings.items():
        q = d["Qto_BuildingBaseQuantities"]
        if q["FootprintArea"] != rows[name]["footprint_area"]:
            out.append({"subject": name, "key": "footprint_area",
                        "source": "Qto_BuildingBaseQuantities.FootprintArea",
                        "declared": q["FootprintArea"], "computed": rows[name]["footprint_area"]})
    return out


def building_row_extras(b: Building, dxf_rows: dict) -> dict:
    d = dxf_rows[b.name]
    return {"use": d["parts"][0]["use"] if len(d["parts"]) == 1 else "mixed",
            "fire_class": d["fire_class"], "fire_rating": "二级"}


# --------------------------------------------------------------------------
# the two samples
# --------------------------------------------------------------------------
def residential_ifc_sample() -> dict[str, bytes]:
    m = dxf_samples.residential_model()
    dxf_expected = dxf_samples.residential_expected(m)
    base_rect, base_floors = m["basement"]
    plans, rows, declared_b = {}, {}, {}
    for b in m["buildings"]:
        plans[b.name] = storey_plan(b, m["basement"] if b.name == BASEMENT_OWNER else None)
        rows[b.name] = {**building_expected(b, plans[b.name]),
                        **building_row_extras(b, dxf_expected["buildings"])}
        declared_b[b.name] = building_declared(b, rows[b.name], b.name == MISMATCH_BUILDING)
    assert rows[BASEMENT_OWNER]["gfa_below"] == base_rect.area * base_floors
    values = project_values(m, rows, 0.0)
    check_against_dxf_sample(values, dxf_expected)
    declared_project = dxf_expected["declared"]           # the DXF table's values (far = 2.40)
    ifc = residential_ifc(m, declared_b, plans, declared_project)

    expected = {
        "sample": "residential-ifc",
        "units": {"ifc": "METRE", "unit_scale": 1.0, "values": "m, m2, ratio 0-1, count"},
        "frame": {"origin_m": list(RES_FRAME.origin),
                  "note": "IFC coordinates = origin_m + the DXF sample's local metres "
                          "(= the DXF sample's drawing coordinates / 1000)"},
        "ref_elevation": REF_ELEVATION,
        **{k: rnd(values[k]) for k in INDICATOR_KEYS},
        "buildings": rows,
        "basement": {"building": BASEMENT_OWNER, "storeys": ["B1", "B2"], "area": rnd(base_rect.area),
                     "floors_below": base_floors, "gfa": rnd(base_rect.area * base_floors)},
        "counts": ifc_counts(plans, [b.name for b in m["buildings"]], spaces=True, m=m),
        "declared": declared_project,
        "declared_buildings": declared_b,
        "mismatch": mismatch_rows(values, declared_project, declared_b, rows),
        "conditions": dxf_expected["conditions"],
    }
    return {"drawcheck.toml": residential_ifc_toml().encode("utf-8"),
            "model.ifc": ifc,
            "expected.json": json_text(expected).encode("utf-8")}


def ifc_counts(plans: dict, names: list[str], spaces: bool, m: dict) -> dict:
    slabs: dict[str, int] = {}
    for n in names:
        for s in plans[n]:
            for sl in s.slabs:
                slabs[sl.predefined] = slabs.get(sl.predefined, 0) + 1
    storeys = sum(len(plans[n]) for n in names)
    walls = sum(4 for n in names if n in WALLED for s in plans[n] if s.is_floor)
    out = {"IfcBuilding": len(names), "IfcBuildingStorey": storeys,
           "IfcSlab": dict(sorted(slabs.items())), "IfcWall": walls}
    if spaces:
        out["IfcSpace"] = {"EXTERNAL": 6, "PARKING": len(parking_stalls(m))}
    return out


def residential_ifc_toml() -> str:
    return toml_text(
        "某住宅地块 as an IFC4 building model (generated by samples/generate_ifc.py; do not edit).\n"
        "The same content as samples/residential: FAR and parking fail, everything else passes;\n"
        "the model also declares 3#'s footprint 10 % too large (Qto_BuildingBaseQuantities).",
        {
            "project": {"name": "某住宅地块", "inputs": ["model.ifc"], "packs": ["gb50016-2014"]},
            "site": {"latitude": 31.2333, "longitude": 121.4667, "north_angle": 0.0},
            "conditions": RES_CONDITIONS,
        },
    )


def mixed_site_dxf(m: dict, dxf_expected: dict) -> bytes:
    """generate.py's residential site plan with 5# and 6# (now IFC) taken out."""
    doc = dxf_samples.residential_dxf(m, dxf_expected)
    msp = doc.modelspace()
    bmap = {b.name: b for b in m["buildings"]}
    gone_rects = {tuple(dxf_samples.RES_FRAME.xy(*p) for p in part.rect.corners())
                  for part in bmap["5#"].parts}
    doomed = []
    for e in msp:
        if e.dxf.layer != "建筑轮廓":
            continue
        if e.dxftype() == "LWPOLYLINE" and tuple(tuple(v) for v in e.get_points("xy")) in gone_rects:
            doomed.append(e)
        elif e.dxftype() == "MTEXT" and e.plain_text().startswith("5#"):
            doomed.append(e)
        elif e.dxftype() == "INSERT" and e.dxf.name == dxf_samples.RES_BLOCK_6["name"]:
            doomed.append(e)
    assert len(doomed) == 5, [e.dxftype() for e in doomed]  # 2 outlines + 2 labels of 5#, 6#'s insert
    for e in doomed:
        msp.delete_entity(e)
    doc.blocks.delete_block(dxf_samples.RES_BLOCK_6["name"], safe=False)
    return dxf_samples.dxf_bytes(doc)


def mixed_sample() -> dict[str, bytes]:
    m = dxf_samples.residential_model()
    dxf_expected = dxf_samples.residential_expected(m)
    bmap = {b.name: b for b in m["buildings"]}
    files: dict[str, bytes] = {}
    with dxf_samples.reproducible_ezdxf():
        files["site.dxf"] = mixed_site_dxf(m, dxf_expected)

    rows, declared_b, placements = {}, {}, {}
    for b in m["buildings"]:
        if b.name in MIXED_IFC.values():
            continue
        d = dxf_expected["buildings"][b.name]
        rows[b.name] = {"source": "site.dxf", "floors_above": d["floors_above"], "floors_below": 0,
                        "height": d["height"], "footprint_area": d["footprint_area"],
                        "gfa": d["gfa"], "gfa_below": 0.0, "gfa_total": d["gfa"],
                        **building_row_extras(b, dxf_expected["buildings"])}
    for fname, name in MIXED_IFC.items():
        b = bmap[name]
        plan = storey_plan(b, None)
        rows[name] = {"source": fname, **building_expected(b, plan),
                      **building_row_extras(b, dxf_expected["buildings"])}
        declared_b[name] = building_declared(b, rows[name], mismatch=False)
        files[fname] = building_only_ifc(fname, b, plan, declared_b[name])
        fr = frame_of(b)
        placements[fname] = {
            "building": name, "insert": list(world(*fr.anchor)), "rotation": fr.rotation,
            "local_outline": [list(p) for p in fr.rect_local(b.outer)],
            "world_outline": [list(world(*p)) for p in b.outer.corners()],
            "counts": ifc_counts({name: plan}, [name], spaces=False, m=m),
        }
    base_rect, base_floors = m["basement"]
    values = project_values(m, rows, base_rect.area * base_floors)
    check_against_dxf_sample(values, dxf_expected)
    declared_project = dxf_expected["declared"]
    expected = {
        "sample": "mixed",
        "units": {"site.dxf": "mm ($INSUNITS = 4)", "ifc": "METRE", "unit_scale": 1.0,
                  "insert": "metres, in the site plan's coordinates",
                  "values": "m, m2, ratio 0-1, count"},
        "frame": {"origin_m": list(RES_FRAME.origin),
                  "note": "site plan point (m) = origin_m + the DXF sample's local metres"},
        "ref_elevation": None,
        **{k: rnd(values[k]) for k in INDICATOR_KEYS},
        "buildings": dict(sorted(rows.items())),
        "basements": dxf_expected["basements"],
        "placements": placements,
        "declared": declared_project,
        "declared_text": dxf_expected["declared_text"],
        "declared_buildings": declared_b,
        "mismatch": mismatch_rows(values, declared_project, {}, rows),
        "conditions": dxf_expected["conditions"],
    }
    files["drawcheck.toml"] = mixed_toml(placements).encode("utf-8")
    files["expected.json"] = json_text(expected).encode("utf-8")
    return files


def mixed_toml(placements: dict) -> str:
    head = toml_text(
        "某住宅地块, site plan (DXF, mm) + 5# and 6# as IFC models in local metres\n"
        "(generated by samples/generate_ifc.py; do not edit). insert = where the model's\n"
        "origin lies, in metres in the site plan's coordinates; rotation in degrees,\n"
        "counter-clockwise. The same content and outcome as samples/residential.",
        {})
    inputs = ['"site.dxf"'] + [
        "{path = %s, insert = %s, rotation = %s}" % (toml_value(f), toml_value(p["insert"]),
                                                     toml_value(p["rotation"]))
        for f, p in placements.items()]
    project = ("\n[project]\nname = \"某住宅地块\"\ninputs = [\n"
               + "".join(f"    {i},\n" for i in inputs)
               + "]\npacks = [\"gb50016-2014\"]\n")
    rest = toml_text("", {"site": {"latitude": 31.2333, "longitude": 121.4667, "north_angle": 0.0},
                          "conditions": RES_CONDITIONS})
    return head + project + rest


# --------------------------------------------------------------------------
def build_samples() -> dict[str, dict[str, bytes]]:
    return {"residential-ifc": residential_ifc_sample(), "mixed": mixed_sample()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write the samples into")
    args = ap.parse_args(argv)
    for folder, files in build_samples().items():
        for fname, data in sorted(files.items()):
            write_if_changed(args.out / folder / fname, data)
        print(f"{args.out / folder}: " + ", ".join(
            f"{k} ({len(v)} B, sha256 {hashlib.sha256(v).hexdigest()[:12]})" for k, v in sorted(files.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
