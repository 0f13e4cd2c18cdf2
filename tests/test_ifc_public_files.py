"""The IFC reader on real third-party files (web-ifc's public test models).

The files live outside the repository, in ``shared/data/public/ifc`` beside it
(see its README); they are never copied in, and these tests skip when they are
absent. The expected values are in :mod:`ifc_public_facts`, established by
hand from the STEP text and checked against ifcopenshell's geometry kernel,
never against drawcheck; ``test_facts_match_independent_geometry`` re-does
that check on every run.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from ifc_public_facts import (ABOVE_GROUND_MIN, AREA_REL, ELEVATION_ABS, FILES, HEIGHT_ABS, RECHECK_AREA_REL,
                              RECHECK_HEIGHT_ABS, Building, IfcFile)

IFC_DIR = Path(__file__).resolve().parents[2] / "shared/data/public/ifc"
#: Seconds one ``drawcheck.check`` of a file may take before the test gives up
#: (a hang guard, not a timing assertion: FZK-Haus' geometry alone takes 4-7 s).
CHECK_TIMEOUT = 600
#: IfcSlab.PredefinedType values that make a floor slab (convention §5).
FLOOR_SLAB_TYPES = {"FLOOR", "BASESLAB", "NOTDEFINED", None}

params = pytest.mark.parametrize("facts", FILES, ids=[f.file for f in FILES])


def _path(facts: IfcFile) -> Path:
    path = IFC_DIR / facts.file
    if not path.is_file():
        pytest.skip(f"public IFC sample {path} not found (third-party data beside the repository, "
                    "not part of it: see shared/data/public/README.md)")
    return path


def _approx_or_none(expected: float | None, **tol):
    return None if expected is None else pytest.approx(expected, **tol)


# -- drawcheck's report -------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _checked(file: str) -> dict:
    import drawcheck

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(lambda: drawcheck.check(IFC_DIR / file).data)
        try:
            return future.result(timeout=CHECK_TIMEOUT)
        except FutureTimeout:
            pytest.fail(f"drawcheck.check({file}) did not finish in {CHECK_TIMEOUT} s")
    finally:
        pool.shutdown(wait=False)


def _report(facts: IfcFile) -> dict:
    _path(facts)
    return _checked(facts.file)


def _building_rows(report: dict, facts: IfcFile) -> list[dict]:
    rows = report["buildings"]
    assert [b["id"] for b in rows] == [b.id for b in facts.buildings]
    return rows


@params
def test_check_reads_the_ifc(facts: IfcFile) -> None:
    report = _report(facts)
    first = report["project"]["inputs"][0]
    assert first["format"] == "ifc"
    assert first["schema"] == facts.schema
    assert "ref_elevation" in first
    assert first["ref_elevation"] == _approx_or_none(facts.ref_elevation, abs=1e-3)
    failed = [f for f in report["findings"] if f["rule"] == "qa:ifc-geometry-failed"]
    assert failed == [], "every product of these files has valid geometry (ifcopenshell iterates all of them)"
    _building_rows(report, facts)


@params
def test_storeys(facts: IfcFile) -> None:
    report = _report(facts)
    input_path = report["project"]["inputs"][0]["path"]
    for row, expected in zip(_building_rows(report, facts), facts.buildings):
        storeys = row["storeys"]
        want = expected.storeys
        assert [s["name"] for s in storeys] == [s.name for s in want]
        assert [s["source"]["handle"] for s in storeys] == [s.global_id for s in want]
        assert all(s["source"]["input"] == input_path for s in storeys)
        assert [s["elevation"] for s in storeys] == [pytest.approx(s.elevation, abs=ELEVATION_ABS) for s in want]
        assert [s["above_ground"] for s in storeys] == [s.above_ground for s in want]
        why = f"{facts.file}: see the storey comments in ifc_public_facts.py"
        assert [s["floor"] for s in storeys] == [s.floor for s in want], why
        assert [s["plate_area"] for s in storeys] == [_approx_or_none(s.plate_area, rel=AREA_REL) for s in want], why


@params
def test_building_floors_areas_height(facts: IfcFile) -> None:
    report = _report(facts)
    for row, expected in zip(_building_rows(report, facts), facts.buildings):
        why = f"{facts.file}: see the building comments in ifc_public_facts.py"
        assert (row["floors_above"], row["floors_below"]) == (expected.floors_above, expected.floors_below), why
        assert row["footprint_area"] == _approx_or_none(expected.footprint_area, rel=AREA_REL), why
        assert row["gfa"] == _approx_or_none(expected.gfa, rel=AREA_REL), why
        assert row["height"] == pytest.approx(expected.height, abs=HEIGHT_ABS), why


@params
def test_indicators(facts: IfcFile) -> None:
    indicators = _report(facts)["indicators"]
    # One building per file: the project's footprint, GFA and height are the building's.
    (building,) = facts.buildings
    for key, expected in (("footprint_area", building.footprint_area), ("gfa_above", building.gfa)):
        if expected is None:
            assert indicators[key]["value"] is None and indicators[key].get("reason"), key
        else:
            assert indicators[key]["value"] == pytest.approx(expected, rel=AREA_REL), key
    assert indicators["max_height"]["value"] == pytest.approx(building.height, abs=HEIGHT_ABS)
    assert not facts.site_footprint
    assert indicators["site_area"]["value"] is None
    assert indicators["site_area"].get("reason"), "no IfcSite footprint curve: the reason must say so"


# -- the facts themselves -----------------------------------------------------------
@params
def test_facts_are_consistent(facts: IfcFile) -> None:
    """Building numbers follow from the storey rows by convention §5 (no file needed)."""
    for b in facts.buildings:
        elevations = [s.elevation for s in b.storeys]
        assert elevations == sorted(elevations)
        assert b.id == (b.name or b.global_id)
        for s in b.storeys:
            assert s.above_ground == (s.elevation >= ABOVE_GROUND_MIN)
            assert s.floor == (s.plate_area is not None) == (s.plate_from is not None) == bool(s.plate_elements)
        floors = [s for s in b.storeys if s.floor]
        above = [s for s in floors if s.above_ground]
        assert (b.floors_above, b.floors_below) == (len(above), len(floors) - len(above))
        assert b.footprint_area == (above[0].plate_area if above else None)
        assert b.gfa == (pytest.approx(sum(s.plate_area for s in above)) if above else None)


# -- independent re-computation (ifcopenshell + shapely, no drawcheck) ----------------
@functools.lru_cache(maxsize=None)
def _model(file: str):
    import ifcopenshell

    return ifcopenshell.open(str(IFC_DIR / file))


@functools.lru_cache(maxsize=None)
def _shapes(file: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """GlobalId -> (world vertices in m, triangles) from the OpenCascade kernel, openings subtracted."""
    import ifcopenshell.geom

    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    it = ifcopenshell.geom.iterator(settings, _model(file), max(os.cpu_count() or 1, 1))
    shapes = {}
    if it.initialize():
        while True:
            shape = it.get()
            verts = np.asarray(shape.geometry.verts, dtype=float).reshape(-1, 3)
            shapes[shape.guid] = (verts, np.asarray(shape.geometry.faces, dtype=int).reshape(-1, 3))
            if not it.next():
                break
    return shapes


def _kernel_plan(verts: np.ndarray, faces: np.ndarray):
    """Union of the plan projections of a mesh's non-vertical triangles."""
    tri = verts[faces]
    normal_z = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])[:, 2]
    return shapely.union_all(shapely.polygons(tri[np.abs(normal_z) > 1e-12][:, :, :2]))


def _axis2(placement) -> np.ndarray:
    from ifcopenshell.util.placement import get_axis2placement

    return np.asarray(get_axis2placement(placement), dtype=float)


def _curve_points(curve) -> np.ndarray:
    if curve.is_a("IfcPolyline"):
        return np.array([p.Coordinates[:2] for p in curve.Points], dtype=float)
    raise NotImplementedError(curve.is_a())


def _profile_rings(profile) -> list[np.ndarray]:
    """Outer ring then holes, in profile coordinates (raw units)."""
    if profile.is_a("IfcRectangleProfileDef"):
        x, y = profile.XDim / 2, profile.YDim / 2
        ring = np.array([(-x, -y), (x, -y), (x, y), (-x, y)])
        if profile.Position is not None:
            m = _axis2(profile.Position)
            ring = ring @ m[:2, :2].T + m[:2, -1]
        return [ring]
    if profile.is_a("IfcArbitraryClosedProfileDef"):
        inner = getattr(profile, "InnerCurves", None) or ()
        return [_curve_points(profile.OuterCurve)] + [_curve_points(c) for c in inner]
    raise NotImplementedError(profile.is_a())


def _item_plan(item, world: np.ndarray):
    """Plan (raw units) of one Body item read from its attributes, no geometry kernel."""
    if item.is_a("IfcExtrudedAreaSolid"):
        m = world @ _axis2(item.Position) if item.Position else world
        direction = m[:3, :3] @ np.asarray(item.ExtrudedDirection.DirectionRatios, dtype=float)
        assert abs(abs(direction[2]) / np.linalg.norm(direction) - 1) < 1e-9, "a vertical extrusion projects to its profile"

        def to_plan(ring):
            return (np.c_[ring, np.zeros(len(ring)), np.ones(len(ring))] @ m.T)[:, :2]

        outer, *holes = _profile_rings(item.SweptArea)
        return Polygon(to_plan(outer), [to_plan(h) for h in holes]).buffer(0)
    if item.is_a("IfcFacetedBrep"):
        faces = []
        for face in item.Outer.CfsFaces:
            for bound in face.Bounds:
                pts = np.array([p.Coordinates for p in bound.Bound.Polygon], dtype=float)
                poly = Polygon((np.c_[pts, np.ones(len(pts))] @ world.T)[:, :2])
                if poly.is_valid and poly.area > 0:
                    faces.append(poly)
        return shapely.union_all(faces)
    raise NotImplementedError(item.is_a())


def _text_plan(element, with_openings: bool = True):
    """Plan (raw units) of an element's Body from the STEP attributes, openings subtracted."""
    from ifcopenshell.util.placement import get_local_placement

    world = np.asarray(get_local_placement(element.ObjectPlacement), dtype=float)
    plan = shapely.union_all([_item_plan(item, world) for rep in element.Representation.Representations
                              if rep.RepresentationIdentifier == "Body" for item in rep.Items])
    if with_openings:
        for rel in getattr(element, "HasOpenings", ()):
            plan = plan.difference(_text_plan(rel.RelatedOpeningElement, with_openings=False))
    return plan


def _parts(element) -> list:
    """An element and, recursively, what is aggregated into it (an IfcRoof's slabs)."""
    out = [element]
    for rel in getattr(element, "IsDecomposedBy", ()):
        for part in rel.RelatedObjects:
            out += _parts(part)
    return out


def _children(spatial) -> list:
    return [o for rel in spatial.IsDecomposedBy for o in rel.RelatedObjects]


def _contained(spatial) -> list:
    return [p for rel in getattr(spatial, "ContainsElements", ()) for e in rel.RelatedElements for p in _parts(e)]


def _tree_elements(spatial) -> list:
    """The elements of a building: contained in it, its storeys or their (aggregated) spaces."""
    out = [e for e in _contained(spatial) if e.is_a("IfcElement")]
    for child in _children(spatial):
        out += _tree_elements(child)
    return out


#: The wall-section rule (tests/ifc_public_facts.py): walls at least this tall (m) ...
STOREY_WALL_MIN = 2.2
#: ... rising from within this of the storey's floor (m).
WALL_BASE_SLACK = 0.5


def _rises_from(verts: np.ndarray, floor_z: float) -> bool:
    z = verts[:, 2]
    return abs(z.min() - floor_z) <= WALL_BASE_SLACK and z.max() - z.min() >= STOREY_WALL_MIN


def _recheck_building(facts: IfcFile, expected: Building, building, scale: float) -> None:
    from ifcopenshell.util.placement import get_local_placement

    shapes = _shapes(facts.file)
    assert expected.id == (building.Name or building.GlobalId)
    assert (expected.name, expected.global_id) == (building.Name, building.GlobalId)
    assert get_local_placement(building.ObjectPlacement)[2, 3] * scale == pytest.approx(facts.zero_z, abs=1e-9)

    storeys = []
    for st in (c for c in _children(building) if c.is_a("IfcBuildingStorey")):
        z = get_local_placement(st.ObjectPlacement)[2, 3] * scale
        if st.Elevation is not None:
            assert z - st.Elevation * scale == pytest.approx(facts.zero_z, abs=1e-9), "±0.00 is at zero_z"
        storeys.append(((st.Elevation * scale if st.Elevation is not None else z) - facts.zero_z, st))
    storeys.sort(key=lambda pair: pair[0])
    assert [st.GlobalId for _, st in storeys] == [s.global_id for s in expected.storeys]

    for (elevation, st), want in zip(storeys, expected.storeys):
        assert (st.Name or st.GlobalId, elevation) == (want.name, pytest.approx(want.elevation, abs=1e-9))
        slabs = [e for e in _contained(st) if e.is_a("IfcSlab") and e.PredefinedType in FLOOR_SLAB_TYPES]
        spaces = [c for c in _children(st) if c.is_a("IfcSpace")]
        walls = [e for e in _contained(st) if e.is_a("IfcWall") and elevation >= ABOVE_GROUND_MIN
                 and _rises_from(shapes[e.GlobalId][0], facts.zero_z + elevation)] if not (slabs or spaces) else []
        members = slabs or spaces or walls
        assert bool(members) == want.floor
        assert {e.GlobalId for e in members} == set(want.plate_elements)
        assert want.plate_from == (("slabs" if slabs else "spaces" if spaces else "walls") if members else None)
        if walls:  # the filled outline of the walls' plan projection (a projection, not the reader's section)
            plan = shapely.union_all([_kernel_plan(*shapes[e.GlobalId]) for e in walls])
            outline = shapely.union_all([Polygon(p.exterior) for p in shapely.get_parts(plan)]).area
            assert outline == pytest.approx(want.plate_area, rel=RECHECK_AREA_REL), f"{st.Name}: wall outline"
        elif members:
            kernel = shapely.union_all([_kernel_plan(*shapes[e.GlobalId]) for e in members]).area
            text = shapely.union_all([_text_plan(e) for e in members]).area * scale**2
            assert kernel == pytest.approx(want.plate_area, rel=RECHECK_AREA_REL), f"{st.Name}: kernel plate"
            assert text == pytest.approx(want.plate_area, rel=RECHECK_AREA_REL), f"{st.Name}: STEP-text plate"

    counted = [e for e in _tree_elements(building)
               if not e.is_a("IfcFeatureElement") and not e.is_a("IfcVirtualElement") and e.GlobalId in shapes]
    tops = {e.GlobalId: shapes[e.GlobalId][0][:, 2].max() for e in counted if len(shapes[e.GlobalId][0])}
    top = max(tops.values())
    assert top - facts.zero_z == pytest.approx(expected.height, abs=RECHECK_HEIGHT_ABS)
    assert tops[expected.top_element] == pytest.approx(top, abs=1e-9)


@params
def test_facts_match_independent_geometry(facts: IfcFile) -> None:
    """Re-derive every fact from the file with ifcopenshell (attributes, kernel) and shapely."""
    import ifcopenshell.util.unit

    _path(facts)
    model = _model(facts.file)
    scale = ifcopenshell.util.unit.calculate_unit_scale(model)
    assert model.schema == facts.schema
    assert scale == pytest.approx(facts.unit_scale, rel=1e-12)

    (site,) = model.by_type("IfcSite")
    ref = site.RefElevation
    assert (None if ref is None else ref * scale) == _approx_or_none(facts.ref_elevation, abs=1e-9)
    reps = site.Representation.Representations if site.Representation else ()
    curves = [i for r in reps for i in r.Items
              if i.is_a("IfcCurve") or i.is_a("IfcGeometricCurveSet") or i.is_a("IfcGeometricSet")]
    assert bool(curves) == facts.site_footprint

    buildings = model.by_type("IfcBuilding")
    assert [b.GlobalId for b in buildings] == [b.global_id for b in facts.buildings]
    for building, expected in zip(buildings, facts.buildings):
        _recheck_building(facts, expected, building, scale)
