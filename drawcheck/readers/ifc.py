"""IFC model -> project model, per the submission convention §5.

Buildings are the ``IfcBuilding``s, storeys their ``IfcBuildingStorey``s;
±0.00 is storey elevation 0 (``IfcSite.RefElevation`` is reported, never
subtracted). A storey's plate is the plan projection of its floor slabs
(FLOOR, BASESLAB or untyped; never ROOF; openings kept), else of its
spaces (aggregated into it), else, for an above-ground storey from whose
floor walls at least 2.20 m tall rise, the outer boundary of their section
1.2 m above its elevation. Other storeys (footings, roofs with parapets) are
not floors. Geometry runs in a child process
(:mod:`~drawcheck.readers.ifc_geometry`); an element it cannot build is a
``qa:ifc-geometry-failed`` finding naming its GlobalId, and the rest is read.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely

from ..geometry.meshes import UNION_GRID, plan_projection
from ..geometry.ops import polygon_rings
from ..model import USE_NAMES, Area, Building, DeclaredValue, Part, Project, Source, Storey
from .files import ReadError, check_readable

TRAILER = b"END-ISO-10303-21;"
#: Storeys at or above this elevation are above ground (convention §5), m.
ABOVE_GROUND_FROM = -0.1
#: Height above the storey elevation of the section that outlines a storey without slabs or spaces, m.
SECTION_HEIGHT = 1.2
#: A wall counts for a storey's section outline when it rises at least this high (m): GB/T 50353-2013
#: 3.0.1's full-height storey; parapets and balustrades are lower.
STOREY_WALL_MIN = 2.2
#: ... from within this of the storey's floor (m).
WALL_BASE_SLACK = 0.5
#: Floor slab types (convention §5): untyped counts, ROOF never.
FLOOR_SLAB_TYPES = {"FLOOR", "BASESLAB", "NOTDEFINED", "USERDEFINED", None}
#: Element classes that are not part of a building's body (height, sections).
_NOT_BODY = ("IfcFeatureElement", "IfcVirtualElement", "IfcFurnishingElement", "IfcDistributionElement",
             "IfcGeographicElement", "IfcTransportElement")
_MAX_SCHEMA_FINDINGS = 100
_USE_WORDS = {**{zh: key for key, zh in USE_NAMES.items()}, **{key: key for key in USE_NAMES},
              "housing": "residential", "retail": "commercial", "shop": "commercial"}
_RATINGS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "1": 1, "2": 2, "3": 3, "4": 4, "I": 1, "II": 2,
            "III": 3, "IV": 4}
DECLARED_BUILDING_KEYS = ("building_storeys", "building_gfa", "building_height", "building_footprint")


def check_trailer(path: Path) -> None:
    """A truncated STEP file opens silently in ifcopenshell: refuse it unless it ends with the trailer."""
    with open(path, "rb") as fp:
        fp.seek(0, 2)
        size = fp.tell()
        fp.seek(max(0, size - 4096))
        tail = fp.read().rstrip()
    if not tail.endswith(TRAILER):
        raise ReadError(f"{path.name}: truncated IFC file (it does not end with {TRAILER.decode()})")


def read_ifc(path: Path, input_name: str, project: Project, *, insert=(0.0, 0.0), rotation: float = 0.0,
             max_bytes: int = 200_000_000, budget: float | None = None,
             ids_files=()) -> tuple[str, float | None]:
    """Read the IFC at ``path`` into ``project``; returns (schema, RefElevation in m or None).

    ``insert`` (m) and ``rotation`` (degrees, counter-clockwise) place the model
    in the site plan's coordinates (manifest ``inputs``); ``ids_files`` are IDS
    specifications to check it against. Raises ``ReadError``
    when the model cannot be read at all.
    """
    import ifcopenshell
    import ifcopenshell.util.unit

    check_readable(path, max_bytes)
    check_trailer(path)
    try:
        model = ifcopenshell.open(str(path))
    except Exception as exc:
        raise ReadError(f"{path.name}: not a readable IFC file ({type(exc).__name__}: {str(exc)[:120]})") from None
    reader = _IfcReader(model, path, input_name, project, insert, rotation)
    reader.scale = float(ifcopenshell.util.unit.calculate_unit_scale(model))
    units = f"{input_name}: IFC length unit {reader.scale:g} m"
    project.units_source = f"{project.units_source}; {units}" if project.units_source else units
    reader.read(budget)
    for ids_path in ids_files:
        from .ifc_ids import check_ids

        check_ids(model, ids_path, input_name, project)
    return model.schema, reader.ref_elevation


class _IfcReader:
    def __init__(self, model, path: Path, input_name: str, project: Project, insert, rotation: float) -> None:
        self.model = model
        self.path = path
        self.input = input_name
        self.project = project
        self.scale = 1.0
        self.ref_elevation = None
        theta = math.radians(rotation)
        self.rot = np.array([[math.cos(theta), math.sin(theta)], [-math.sin(theta), math.cos(theta)]])
        self.shift = np.asarray(insert, dtype=float)

    # -- helpers --------------------------------------------------------------
    def src(self, element) -> Source:
        return Source(self.input, element.GlobalId if hasattr(element, "GlobalId") else f"#{element.id()}")

    def note(self, code: str, message: str, elements=(), severity=None, subjects=()) -> None:
        self.project.note(code, f"{self.input}: {message}", sources=[self.src(e) for e in elements],
                          severity=severity, subjects=subjects)

    def place(self, xy: np.ndarray) -> np.ndarray:
        """Model plan coordinates (m) -> site plan coordinates (manifest insert and rotation)."""
        return xy @ self.rot + self.shift

    def areas_of(self, geom, source: Source) -> list[Area]:
        out = []
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon" or poly.is_empty or poly.area <= 0:
                continue
            out.append(Area(polygon_rings(poly), source))
        return out

    # -- reading --------------------------------------------------------------
    def read(self, budget) -> None:
        buildings = self.model.by_type("IfcBuilding")
        if not buildings:
            raise ReadError(f"{self.path.name}: the model has no IfcBuilding")
        plans = [self._plan(b) for b in buildings]
        extras = self._spaces_of_kind()
        job = self._start_geometry(plans, extras, budget)  # a child process works on the other core ...
        self._validate()  # ... while this one validates and reads the model's data
        sites = self.model.by_type("IfcSite")
        if sites and sites[0].RefElevation is not None:
            self.ref_elevation = float(sites[0].RefElevation) * self.scale
        for site in sites:
            self._site_footprint(site)
            self._site_declared(site)
        meshes = self._geometry(job)
        for plan in plans:
            self._building(plan, meshes)
        self._green_and_parking(extras, meshes)

    def _validate(self) -> None:
        import ifcopenshell.validate

        logger = ifcopenshell.validate.json_logger()
        try:
            ifcopenshell.validate.validate(self.model, logger, express_rules=False)
        except Exception as exc:  # the validator itself failed: say so, keep reading
            self.note("ifc-schema", f"schema validation could not run ({type(exc).__name__}: {exc})", severity="info")
            return
        for i, row in enumerate(logger.statements):
            if i == _MAX_SCHEMA_FINDINGS:
                self.note("ifc-schema", f"{len(logger.statements) - i} more schema errors not listed")
                break
            instance = row.get("instance")
            elements = [instance] if instance is not None and hasattr(instance, "id") else []
            self.note("ifc-schema", f"schema: {str(row.get('message', row))[:300]}", elements=elements)

    def _plan(self, building) -> dict:
        """Storeys and the elements each needs, before any geometry."""
        import ifcopenshell.util.element as eu
        import ifcopenshell.util.placement as up

        storeys = [s for s in eu.get_decomposition(building) if s.is_a("IfcBuildingStorey")]
        world_z = {s.id(): float(up.get_local_placement(s.ObjectPlacement)[2, 3]) * self.scale
                   if s.ObjectPlacement else 0.0 for s in storeys}
        with_elev = [s for s in storeys if s.Elevation is not None]
        if with_elev:  # ±0.00 = where storey elevation 0 lies in world z
            zero = float(np.median([world_z[s.id()] - float(s.Elevation) * self.scale for s in with_elev]))
        elif building.ObjectPlacement:
            zero = float(up.get_local_placement(building.ObjectPlacement)[2, 3]) * self.scale
        else:
            zero = 0.0
        rows = []
        body, slabs = [], []
        for storey in storeys:
            contained = [e for e in eu.get_decomposition(storey) if e.Representation is not None]
            floor_slabs = [e for e in contained if e.is_a("IfcSlab") and _is_floor_slab(e)]
            # spaces belong to a storey by aggregation only (containment of a space is a schema error)
            spaces = [e for e in contained if e.is_a("IfcSpace") and not _space_kind(e)
                      and eu.get_aggregate(e) == storey]
            walls = [e for e in contained if e.is_a("IfcWall")]
            elements = [e for e in contained if e.is_a("IfcElement") and not any(e.is_a(c) for c in _NOT_BODY)]
            rows.append({"storey": storey, "elevation": world_z[storey.id()] - zero, "slabs": floor_slabs,
                         "spaces": spaces, "walls": walls})
            body += elements
            slabs += floor_slabs
        loose = [e for e in eu.get_decomposition(building)
                 if e.is_a("IfcElement") and e.Representation is not None and not any(e.is_a(c) for c in _NOT_BODY)]
        body = list({e.id(): e for e in body + loose}.values())
        rows.sort(key=lambda r: r["elevation"])
        return {"building": building, "zero": zero, "storeys": rows, "body": body, "slabs": slabs}

    def _spaces_of_kind(self) -> dict[str, list]:
        out = defaultdict(list)
        for element in _by_type(self.model, "IfcSpace") + _by_type(self.model, "IfcGeographicElement"):
            kind = _space_kind(element)
            if kind and element.Representation is not None:
                out[kind].append(element)
        return out

    def _start_geometry(self, plans, extras, budget):
        from .ifc_geometry import DEFAULT_BUDGET, GeometryJob

        with_openings = {e.id() for p in plans for e in p["slabs"]}  # atria are not floor area
        others = {e.id() for p in plans for e in p["body"]} - with_openings  # openings change no height
        others |= {e.id() for p in plans for r in p["storeys"] for e in r["spaces"]}
        others |= {e.id() for kind in extras.values() for e in kind}
        groups = [(sorted(with_openings), True), (sorted(others), False)]
        return GeometryJob(self.path, groups, budget=budget or DEFAULT_BUDGET, threads=1)

    def _geometry(self, job):
        try:
            result = job.result()
        except RuntimeError as exc:
            raise ReadError(f"{self.path.name}: the IFC geometry could not be read ({exc})") from None
        for element_id, why in sorted(result.failed.items()):
            element = self.model.by_id(element_id)
            self.note("ifc-geometry-failed", f"{element.is_a()} {element.GlobalId}: {why}; it is left out",
                      elements=[element], severity="error")
            self.project.assume("building_outline", f"{self.input}: {element.is_a()} {element.GlobalId} left out "
                                "(its geometry failed)", sources=(self.src(element),))
        placed = {}
        for element_id, mesh in result.meshes.items():
            verts = mesh.verts.copy()
            verts[:, :2] = self.place(verts[:, :2])
            placed[element_id] = (verts, mesh.faces)
        return placed

    def _projection(self, elements, meshes):
        geoms = [plan_projection(*meshes[e.id()]) for e in elements if e.id() in meshes]
        return shapely.union_all(geoms) if geoms else shapely.Polygon()

    @staticmethod
    def _storey_walls(walls, floor_z: float, meshes) -> list:
        """Walls that make a storey: rising from its floor (within 0.5 m) at least 2.20 m (not parapets)."""
        out = []
        for wall in walls:
            if wall.id() not in meshes or not len(meshes[wall.id()][0]):
                continue
            z = meshes[wall.id()][0][:, 2]
            if abs(z.min() - floor_z) <= WALL_BASE_SLACK and z.max() - z.min() >= STOREY_WALL_MIN:
                out.append(wall)
        return out

    def _section_outline(self, walls, z: float, meshes):
        """Outer boundary of the walls' section at height ``z`` (holes filled), or empty."""
        import trimesh.intersections

        lines = []
        for wall in walls:
            if wall.id() not in meshes:
                continue
            verts, faces = meshes[wall.id()]
            mesh_segments = trimesh.intersections.mesh_plane(
                _trimesh(verts, faces), plane_normal=[0, 0, 1], plane_origin=[0, 0, z])
            lines += [shapely.LineString(seg[:, :2]) for seg in mesh_segments]
        if not lines:
            return shapely.Polygon()
        # triangles of neighbouring faces cut to points that differ in the last bits: snap before noding
        lines = shapely.set_precision(lines, UNION_GRID)
        noded = shapely.get_parts(shapely.node(shapely.union_all(lines)))
        faces = shapely.get_parts(shapely.polygonize(noded))
        filled = [shapely.Polygon(f.exterior) for f in faces if f.area > 0]
        return shapely.union_all(filled) if filled else shapely.Polygon()

    def _building(self, plan, meshes) -> None:
        import ifcopenshell.util.element as eu

        building = plan["building"]
        name = building.Name or building.GlobalId
        storeys = []
        for row in plan["storeys"]:
            storey, elevation = row["storey"], row["elevation"]
            plate = self._projection(row["slabs"], meshes)
            if plate.is_empty:
                plate = self._projection(row["spaces"], meshes)
            if plate.is_empty and elevation >= ABOVE_GROUND_FROM:  # below ground: foundation walls
                walls = self._storey_walls(row["walls"], plan["zero"] + elevation, meshes)
                plate = self._section_outline(walls, plan["zero"] + elevation + SECTION_HEIGHT, meshes)
            is_floor = not plate.is_empty
            label = storey.Name or storey.GlobalId
            if not is_floor:
                self.note("ifc-storey-not-floor", f"storey '{label}' of {name} at {elevation:+.3f} m holds no floor "
                          "slab, space or wall: not a floor (footing or roof level)", elements=[storey],
                          severity="info", subjects=(name,))
            storeys.append(Storey(label, elevation, elevation >= ABOVE_GROUND_FROM, is_floor,
                                  self.areas_of(plate, self.src(storey)) if is_floor else [], self.src(storey)))
        tops = [meshes[e.id()][0][:, 2].max() for e in plan["body"] if e.id() in meshes and len(meshes[e.id()][0])]
        above = [s for s in storeys if s.is_floor and s.above_ground]
        if not above:
            self.note("unlabelled-part", f"IfcBuilding {name} has no above-ground floor (no slab, space or wall "
                      "on a storey at or above ±0.00); it is not counted", elements=[building], subjects=(name,))
            self.project.assume("building_outline", f"{self.input}: IfcBuilding {name} has no above-ground floor",
                                sources=(self.src(building),))
            return
        height = float(max(tops) - plan["zero"]) if tops else 0.0
        psets = eu.get_psets(building)
        common = psets.get("Pset_BuildingCommon", {})
        use = _use_of(common.get("OccupancyType") or building.ObjectType)
        rating = _RATINGS.get(str(common.get("FireProtectionClass", "")).strip())
        if rating is None:
            self.note("fire-rating-assumed", f"{name}: no Pset_BuildingCommon.FireProtectionClass; fire-resistance "
                      "rating taken as 二级", elements=[building], severity="info", subjects=(name,))
        result = Building(name, "new", storeys=storeys)
        for area in above[0].plate:  # the footprint: storey-1 plate, one part per polygon
            part = Part(area=Area(area.rings, self.src(building)), name=name, floors=len(above), height=height,
                        use=use or "residential", use_given=use is not None, fire_rating=rating or 2,
                        fire_rating_given=rating is not None)
            part.storey_height = height / len(above) if above else None
            result.parts.append(part)
        result.declared = self._building_declared(building, storeys, psets)
        self.project.buildings.append(result)

    def _building_declared(self, building, storeys, psets) -> dict[str, DeclaredValue]:
        """What the model says of itself (convention §5), in report units."""
        import ifcopenshell.util.element as eu

        common = psets.get("Pset_BuildingCommon", {})
        qto = psets.get("Qto_BuildingBaseQuantities", {})
        out: dict[str, DeclaredValue] = {}
        src = (self.src(building),)

        def put(key, value, text):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                out[key] = DeclaredValue(key, float(value), text, src)

        area = self.scale ** 2
        put("building_storeys", common.get("NumberOfStoreys"), "Pset_BuildingCommon.NumberOfStoreys")
        if common.get("GrossPlannedArea") is not None:
            put("building_gfa", _num(common["GrossPlannedArea"]) * area, "Pset_BuildingCommon.GrossPlannedArea")
        else:
            values = [eu.get_psets(s.source and self.model.by_guid(s.source.handle), qtos_only=True)
                      .get("Qto_BuildingStoreyBaseQuantities", {}).get("GrossFloorArea") for s in storeys]
            values = [v for v in values if v is not None]
            if values:
                put("building_gfa", sum(map(_num, values)) * area,
                    "Σ Qto_BuildingStoreyBaseQuantities.GrossFloorArea")
        if qto.get("Height") is not None:
            put("building_height", _num(qto["Height"]) * self.scale, "Qto_BuildingBaseQuantities.Height")
        if qto.get("FootprintArea") is not None:
            put("building_footprint", _num(qto["FootprintArea"]) * area, "Qto_BuildingBaseQuantities.FootprintArea")
        return out

    def _site_footprint(self, site) -> None:
        import ifcopenshell.util.placement as up

        if site.Representation is None:
            return
        for rep in site.Representation.Representations:
            if rep.RepresentationIdentifier not in ("FootPrint", "Plan"):
                continue
            matrix = up.get_local_placement(site.ObjectPlacement) if site.ObjectPlacement else np.eye(4)
            for item in rep.Items:
                ring = _curve_ring(item)
                if ring is None:
                    self.note("ifc-site-curve", f"IfcSite {site.GlobalId}: footprint item {item.is_a()} is not read "
                              "(IfcPolyline and IfcIndexedPolyCurve are)", elements=[site], severity="warning")
                    continue
                xy = ring[:, :2] @ matrix[:2, :2].T + matrix[:2, 3]
                xy = self.place(xy * self.scale)
                bulge = ring[:, 2] * (1.0 if np.linalg.det(matrix[:2, :2] @ self.rot) >= 0 else -1.0)
                self.project.sites.append(Area([np.column_stack([xy, bulge])], self.src(site)))
            return

    def _site_declared(self, site) -> None:
        import ifcopenshell.util.element as eu

        values = eu.get_psets(site).get("Pset_DrawcheckDeclared", {})
        for key, value in values.items():
            if key == "id" or not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            if key in self.project.declared:
                self.note("declared-unreadable", f"{key} declared twice; the first value is kept", elements=[site])
                continue
            self.project.declared[key] = DeclaredValue(key, float(value), f"Pset_DrawcheckDeclared.{key}",
                                                       (self.src(site),))

    def _green_and_parking(self, extras, meshes) -> None:
        for element in extras.get("green", []):
            if element.id() in meshes:
                self.project.green.extend(self.areas_of(self._projection([element], meshes), self.src(element)))
        self.project.parking.extend(self.src(e) for e in extras.get("parking", []))


# -- module helpers --------------------------------------------------------------
def _by_type(model, name: str) -> list:
    try:
        return list(model.by_type(name))
    except RuntimeError:  # not in this schema (IfcGeographicElement in IFC2X3)
        return []


def _is_floor_slab(slab) -> bool:
    import ifcopenshell.util.element as eu

    if slab.Decomposes and any(rel.RelatingObject.is_a("IfcRoof") for rel in slab.Decomposes):
        return False
    return eu.get_predefined_type(slab) in FLOOR_SLAB_TYPES


def _space_kind(element) -> str | None:
    """``parking``, ``green`` or None (convention §5)."""
    text = f"{element.Name or ''} {getattr(element, 'ObjectType', None) or ''}"
    upper = text.upper()
    predefined = getattr(element, "PredefinedType", None)
    if element.is_a("IfcSpace") and (predefined == "PARKING" or "车位" in text or "PARKING" in upper):
        return "parking"
    if "绿地" in text or "GREEN" in upper:
        return "green"
    return None


def _use_of(text) -> str | None:
    if not text:
        return None
    word = str(text).strip()
    return _USE_WORDS.get(word) or _USE_WORDS.get(word.casefold())


def _num(value) -> float:
    return float(value)


def _trimesh(verts, faces):
    import trimesh

    return trimesh.Trimesh(vertices=verts, faces=faces, process=False)


def _curve_ring(item) -> np.ndarray | None:
    """(n, 3) x, y, bulge of a closed IfcPolyline / IfcIndexedPolyCurve in model units, or None."""
    if item.is_a("IfcPolyline"):
        pts = np.array([p.Coordinates[:2] for p in item.Points], dtype=float)
        bulge = np.zeros(len(pts))
    elif item.is_a("IfcIndexedPolyCurve"):
        coords = np.array([c[:2] for c in item.Points.CoordList], dtype=float)
        rows: list[tuple[float, float, float]] = []
        segments = item.Segments or [None]
        if segments == [None]:
            rows = [(x, y, 0.0) for x, y in coords]
        for seg in item.Segments or []:
            idx = [i - 1 for i in seg.wrappedValue]
            if seg.is_a("IfcArcIndex"):
                (x0, y0), (x1, y1), (x2, y2) = coords[idx[0]], coords[idx[1]], coords[idx[2]]
                rows.append((x0, y0, _bulge_through(x0, y0, x1, y1, x2, y2)))
            else:
                rows.extend((coords[i][0], coords[i][1], 0.0) for i in idx[:-1])
        if item.Segments:
            last = item.Segments[-1].wrappedValue[-1] - 1
            rows.append((coords[last][0], coords[last][1], 0.0))
        arr = np.array(rows, dtype=float)
        pts, bulge = arr[:, :2], arr[:, 2]
    else:
        return None
    if len(pts) > 1 and np.allclose(pts[0], pts[-1]):
        pts, bulge = pts[:-1], bulge[:-1]
    if len(pts) < 3 and not np.any(bulge):
        return None
    return np.column_stack([pts, bulge])


def _bulge_through(x0, y0, x1, y1, x2, y2) -> float:
    """Bulge of the circular arc from p0 through p1 to p2 (counter-clockwise positive).

    The inscribed angle at p1 is π - θ/2 for the arc's sweep θ; a counter-
    clockwise arc passes to the right of the chord p0 -> p2.
    """
    v1x, v1y, v2x, v2y = x0 - x1, y0 - y1, x2 - x1, y2 - y1
    inscribed = math.atan2(abs(v1x * v2y - v1y * v2x), v1x * v2x + v1y * v2y)
    magnitude = math.tan((math.pi - inscribed) / 2.0)  # tan(θ/4) with θ = 2(π - inscribed)
    side = (x2 - x0) * (y1 - y0) - (y2 - y0) * (x1 - x0)
    return magnitude if side < 0 else -magnitude
