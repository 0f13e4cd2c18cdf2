"""The generated IFC samples (samples/generate_ifc.py): residential-ifc and mixed.

Checked here: the generator is reproducible byte for byte and the committed
files equal a fresh generation; every IFC opens, is in metres, ends with its
STEP trailer and validates without error; the spatial structure (buildings,
storeys, slabs and their PredefinedTypes) is the one ``expected.json``
describes; the declared property sets hold the values expected.json records
(one deliberate mismatch); and the geometry, tessellated by ifcopenshell.geom
in world coordinates, gives the expected plate areas and outlines -- in the
mixed sample after the manifest's insert/rotation, which must land each
building exactly where residential-ifc has it. drawcheck's IFC reader is not
used: only the generated data is under test.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import ezdxf
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon
from shapely.ops import unary_union

ifcopenshell = pytest.importorskip("ifcopenshell")
import ifcopenshell.geom  # noqa: E402
import ifcopenshell.util.element  # noqa: E402
import ifcopenshell.util.unit  # noqa: E402
import ifcopenshell.validate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "samples" / "generate_ifc.py"
SAMPLES = {
    "residential-ifc": ("drawcheck.toml", "model.ifc", "expected.json"),
    "mixed": ("drawcheck.toml", "site.dxf", "building-1.ifc", "building-2.ifc", "expected.json"),
}
IFC_FILES = [("residential-ifc", "model.ifc"), ("mixed", "building-1.ifc"), ("mixed", "building-2.ifc")]
AREA_TOL = 1e-6      # m2, straight-edged plates tessellate exactly
LENGTH_TOL = 1e-9


def load_expected(sample: str) -> dict:
    return json.loads((ROOT / "samples" / sample / "expected.json").read_text(encoding="utf-8"))


def run_generator(out: Path, hashseed: str) -> None:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    proc = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("ifc-samples")
    run_generator(base / "a", "1")
    run_generator(base / "b", "2")
    return base / "a", base / "b"


_OPEN: dict[str, object] = {}


def open_ifc(sample: str, name: str):
    """Committed IFC, opened once per session (entities must not outlive their file)."""
    key = f"{sample}/{name}"
    if key not in _OPEN:
        _OPEN[key] = ifcopenshell.open(str(ROOT / "samples" / sample / name))
    return _OPEN[key]


def storeys_of(building) -> list:
    return sorted(ifcopenshell.util.element.get_decomposition(building, is_recursive=False),
                  key=lambda s: s.Elevation)


def contained(storey) -> list:
    return [e for rel in storey.ContainsElements for e in rel.RelatedElements]


def plan_polygon(f, elements) -> shapely.Geometry:
    """Union of the plan projections of the elements' tessellated bodies, world metres."""
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    it = ifcopenshell.geom.iterator(settings, f, 1, include=list(elements))
    polys = []
    assert it.initialize()
    while True:
        shape = it.get()
        verts = np.asarray(shape.geometry.verts).reshape(-1, 3)
        faces = np.asarray(shape.geometry.faces).reshape(-1, 3)
        for tri in faces:
            p = Polygon(verts[tri][:, :2])
            if p.area > 1e-12:
                polys.append(p)
        if not it.next():
            break
    return unary_union(polys)


def z_range(f, elements) -> tuple[float, float]:
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    it = ifcopenshell.geom.iterator(settings, f, 1, include=list(elements))
    lo, hi = math.inf, -math.inf
    assert it.initialize()
    while True:
        z = np.asarray(it.get().geometry.verts).reshape(-1, 3)[:, 2]
        lo, hi = min(lo, z.min()), max(hi, z.max())
        if not it.next():
            break
    return lo, hi


def placed(geom, insert, rotation_deg: float):
    """Manifest placement: rotate about the model origin counter-clockwise, then shift."""
    t = math.radians(rotation_deg)
    c, s = math.cos(t), math.sin(t)
    return shapely.affinity.affine_transform(geom, [c, -s, s, c, insert[0], insert[1]])


# --------------------------------------------------------------------------
# reproducibility and staleness
# --------------------------------------------------------------------------
def test_generator_is_byte_identical_on_rerun(generated):
    a, b = generated
    for sample, files in SAMPLES.items():
        for fname in files:
            assert (a / sample / fname).read_bytes() == (b / sample / fname).read_bytes(), f"{sample}/{fname}"


def test_committed_samples_equal_a_fresh_generation(generated):
    fresh, _ = generated
    for sample, files in SAMPLES.items():
        for fname in files:
            committed = ROOT / "samples" / sample / fname
            assert committed.read_bytes() == (fresh / sample / fname).read_bytes(), (
                f"samples/{sample}/{fname} is stale: run `python samples/generate_ifc.py`")


# --------------------------------------------------------------------------
# file-level checks
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sample,name", IFC_FILES)
def test_ifc_opens_in_metres_with_trailer_and_validates(sample, name):
    raw = (ROOT / "samples" / sample / name).read_bytes()
    assert raw.rstrip().endswith(b"END-ISO-10303-21;")
    assert b"2000-01-01T00:00:00" in raw.split(b"ENDSEC;", 1)[0]  # fixed header time stamp
    f = open_ifc(sample, name)
    assert f.schema == "IFC4"
    assert ifcopenshell.util.unit.calculate_unit_scale(f) == 1.0
    logger = ifcopenshell.validate.json_logger()
    ifcopenshell.validate.validate(f, logger, express_rules=False)
    assert logger.statements == []
    guids = [e.GlobalId for e in f.by_type("IfcRoot")]
    assert len(guids) == len(set(guids))


def test_manifests():
    res = tomllib.loads((ROOT / "samples/residential-ifc/drawcheck.toml").read_text(encoding="utf-8"))
    dxf = tomllib.loads((ROOT / "samples/residential/drawcheck.toml").read_text(encoding="utf-8"))
    mixed = tomllib.loads((ROOT / "samples/mixed/drawcheck.toml").read_text(encoding="utf-8"))
    assert res["project"]["inputs"] == ["model.ifc"]
    assert res["project"]["packs"] == ["gb50016-2014"]
    assert res["conditions"] == dxf["conditions"] == mixed["conditions"]
    x = load_expected("mixed")
    inputs = mixed["project"]["inputs"]
    assert inputs[0] == "site.dxf"
    assert {i["path"]: (i["insert"], i["rotation"]) for i in inputs[1:]} == {
        k: (v["insert"], v["rotation"]) for k, v in x["placements"].items()}
    assert any(i["rotation"] != 0 for i in inputs[1:])


# --------------------------------------------------------------------------
# structure
# --------------------------------------------------------------------------
def check_building_structure(b, row: dict) -> None:
    storeys = storeys_of(b)
    assert [s.Name for s in storeys] == [r["name"] for r in row["storeys"]]
    assert [s.Elevation for s in storeys] == [r["elevation"] for r in row["storeys"]]
    sh = row["storey_height"]
    above = [s for s in storeys if s.Elevation >= 0]
    # storey k at (k - 1) x storey height, the roof storey at the height
    assert [s.Elevation for s in above] == pytest.approx([k * sh for k in range(len(above))])
    assert above[-1].Name == "Roof" and above[-1].Elevation == row["height"]
    for st, r in zip(storeys, row["storeys"]):
        assert st.ObjectPlacement.RelativePlacement.Location.Coordinates[2] == st.Elevation
        slabs = [e for e in contained(st) if e.is_a("IfcSlab")]
        kinds = sorted(s.PredefinedType for s in slabs)
        if st.Name == "Roof":
            assert kinds == ["ROOF"] and contained(st) == slabs  # only the roof slab
            assert not r["floor"]
        else:
            assert r["floor"]
            floor_kinds = [k for k in kinds if k != "ROOF"]
            assert floor_kinds == (["BASESLAB"] if st.Name == "B2" else ["FLOOR"])
    assert sum(r["floor"] and r["above_ground"] for r in row["storeys"]) == row["floors_above"]
    assert sum(r["floor"] and not r["above_ground"] for r in row["storeys"]) == row["floors_below"]


def check_declared(b, declared: dict) -> None:
    psets = ifcopenshell.util.element.get_psets(b)
    common = {k: v for k, v in psets["Pset_BuildingCommon"].items() if k != "id"}
    assert common == declared["Pset_BuildingCommon"]
    assert "FireProtectionClass" not in common
    qto = {k: v for k, v in psets["Qto_BuildingBaseQuantities"].items() if k != "id"}
    assert qto == declared["Qto_BuildingBaseQuantities"]
    storey_gfa = {}
    for st in storeys_of(b):
        q = ifcopenshell.util.element.get_psets(st, qtos_only=True)
        if "Qto_BuildingStoreyBaseQuantities" in q:
            storey_gfa[st.Name] = q["Qto_BuildingStoreyBaseQuantities"]["GrossFloorArea"]
    assert storey_gfa == declared["Qto_BuildingStoreyBaseQuantities.GrossFloorArea"]


def test_residential_ifc_structure_and_declared_values():
    f = open_ifc("residential-ifc", "model.ifc")
    x = load_expected("residential-ifc")
    dxf = load_expected("residential")
    buildings = f.by_type("IfcBuilding")
    assert [b.Name for b in buildings] == ["1#", "2#", "3#", "4#", "5#", "6#"] == sorted(x["buildings"])
    # storeys: every floor above ground + a roof storey, and 1#'s B1/B2
    floors = {n: r["floors_above"] for n, r in dxf["buildings"].items()}
    assert len(f.by_type("IfcBuildingStorey")) == sum(n + 1 for n in floors.values()) + 2 == 94
    kinds: dict[str, int] = {}
    for s in f.by_type("IfcSlab"):
        kinds[s.PredefinedType] = kinds.get(s.PredefinedType, 0) + 1
    # FLOOR: one per floor above ground + B1; ROOF: 6 roofs, 5#'s podium roof, the basement top
    assert kinds == {"FLOOR": sum(floors.values()) + 1, "BASESLAB": 1, "ROOF": 8} == x["counts"]["IfcSlab"]
    assert len(f.by_type("IfcWall")) == x["counts"]["IfcWall"] > 0
    spaces = f.by_type("IfcSpace")
    assert sum(s.PredefinedType == "PARKING" for s in spaces) == x["parking_spaces"] == 36
    assert sorted(s.Name for s in spaces if "绿地" in s.Name) == sorted(["集中绿地"] + ["绿地"] * 5)
    for b in buildings:
        row = x["buildings"][b.Name]
        check_building_structure(b, row)
        check_declared(b, x["declared_buildings"][b.Name])
        assert row["height"] == dxf["buildings"][b.Name]["height"]
        assert row["footprint_area"] == dxf["buildings"][b.Name]["footprint_area"]
    assert x["buildings"]["1#"]["floors_below"] == 2
    assert x["buildings"]["1#"]["gfa_below"] == dxf["gfa_below"]

    site = f.by_type("IfcSite")[0]
    assert site.RefElevation == x["ref_elevation"] == 4.0
    declared = ifcopenshell.util.element.get_psets(site)["Pset_DrawcheckDeclared"]
    assert {k: v for k, v in declared.items() if k != "id"} == x["declared"] == dxf["declared"]

    # exactly the two deliberate mismatches
    assert [(m["subject"], m["key"]) for m in x["mismatch"]] == [("project", "far"), ("3#", "footprint_area")]
    fp = x["mismatch"][1]
    assert fp["declared"] == pytest.approx(1.1 * fp["computed"])
    for name, d in x["declared_buildings"].items():
        row = x["buildings"][name]
        assert d["Pset_BuildingCommon"]["NumberOfStoreys"] == row["floors_above"]
        assert d["Pset_BuildingCommon"]["GrossPlannedArea"] == row["gfa_total"]  # basement included
        assert d["Qto_BuildingBaseQuantities"]["Height"] == row["height"]
        if name != "3#":
            assert d["Qto_BuildingBaseQuantities"]["FootprintArea"] == row["footprint_area"]


def test_expected_values_are_self_consistent():
    for sample in SAMPLES:
        x = load_expected(sample)
        dxf = load_expected("residential")
        for key in ("site_area", "footprint_area", "gfa_above", "gfa_below", "gfa_total", "gfa_far",
                    "far", "coverage", "green_area", "green_ratio", "max_height", "parking_spaces"):
            assert x[key] == dxf[key], (sample, key)
        rows = x["buildings"].values()
        assert x["footprint_area"] == pytest.approx(sum(r["footprint_area"] for r in rows))
        assert x["gfa_above"] == pytest.approx(sum(r["gfa"] for r in rows))
        assert x["max_height"] == max(r["height"] for r in rows)
        for r in rows:
            assert r["gfa_total"] == pytest.approx(r["gfa"] + r["gfa_below"])
            if "storeys" in r:
                assert r["gfa_total"] == pytest.approx(sum(s["plate_area"] for s in r["storeys"] if s["floor"]))
                assert r["gfa"] == pytest.approx(sum(s["plate_area"] for s in r["storeys"]
                                                     if s["floor"] and s["above_ground"]))
                ground = next(s for s in r["storeys"] if s["elevation"] == 0.0)
                assert r["footprint_area"] == ground["plate_area"]
    assert load_expected("residential-ifc")["buildings"]["5#"]["gfa"] == 4 * 60 * 40 + 21 * 30 * 20


def test_site_footprint_curve_gives_the_site_area():
    """FootPrint / Curve2D / IfcIndexedPolyCurve with one IfcArcIndex; area worked exactly."""
    f = open_ifc("residential-ifc", "model.ifc")
    x = load_expected("residential-ifc")
    site = f.by_type("IfcSite")[0]
    (rep,) = site.Representation.Representations
    assert (rep.RepresentationIdentifier, rep.RepresentationType) == ("FootPrint", "Curve2D")
    (curve,) = rep.Items
    assert curve.is_a("IfcIndexedPolyCurve")
    pts = [tuple(p) for p in curve.Points.CoordList]
    area2 = 0.0  # twice the shoelace area of the chord polygon, plus the arc segments
    arcs = 0
    for seg in curve.Segments:
        idx = seg.wrappedValue
        ends = (idx[0], idx[-1]) if seg.is_a("IfcArcIndex") else idx  # an arc: its chord ...
        for i, j in zip(ends, ends[1:]):
            (x0, y0), (x1, y1) = pts[i - 1], pts[j - 1]
            area2 += x0 * y1 - x1 * y0
        if seg.is_a("IfcArcIndex"):                                     # ... plus its segment
            arcs += 1
            a, m, b = (np.array(pts[i - 1]) for i in idx)
            chord = np.linalg.norm(b - a)
            sag = np.linalg.norm(m - (a + b) / 2)
            r = (chord ** 2 / 4 + sag ** 2) / (2 * sag)
            theta = 2 * math.asin(chord / (2 * r))
            area2 += r * r * (theta - math.sin(theta))
    assert arcs == 1
    assert area2 / 2 == pytest.approx(x["site_area"], abs=1e-6)


# --------------------------------------------------------------------------
# geometry, tessellated by ifcopenshell.geom in world coordinates
# --------------------------------------------------------------------------
def test_slab_geometry_matches_the_expected_plates():
    """5#'s 1F and 5F plates (podium / tower), its podium roof, and heights."""
    f = open_ifc("residential-ifc", "model.ifc")
    x = load_expected("residential-ifc")
    b5 = next(b for b in f.by_type("IfcBuilding") if b.Name == "5#")
    st = {s.Name: s for s in storeys_of(b5)}
    rows = {r["name"]: r for r in x["buildings"]["5#"]["storeys"]}
    ox, oy = x["frame"]["origin_m"]
    for name, rect in (("1F", (114, 8, 174, 48)), ("5F", (129, 18, 159, 38))):
        floor = [e for e in contained(st[name]) if e.is_a("IfcSlab") and e.PredefinedType == "FLOOR"]
        plate = plan_polygon(f, floor)
        assert plate.area == pytest.approx(rows[name]["plate_area"], abs=AREA_TOL)
        expected = shapely.box(ox + rect[0], oy + rect[1], ox + rect[2], oy + rect[3])
        assert plate.symmetric_difference(expected).area < AREA_TOL
        lo, hi = z_range(f, floor)
        assert hi == pytest.approx(st[name].Elevation, abs=LENGTH_TOL)  # slab top at the storey
        assert lo == pytest.approx(st[name].Elevation - 0.2, abs=LENGTH_TOL)
    roof = [e for e in contained(st["5F"]) if e.PredefinedType == "ROOF"]
    assert plan_polygon(f, roof).area == pytest.approx(60 * 40 - 30 * 20, abs=AREA_TOL)  # ring
    elements = [e for s in storeys_of(b5) for e in contained(s)]
    assert z_range(f, elements)[1] == pytest.approx(x["buildings"]["5#"]["height"], abs=LENGTH_TOL)


def test_mixed_buildings_land_where_residential_ifc_has_them():
    x = load_expected("mixed")
    res = open_ifc("residential-ifc", "model.ifc")
    res_buildings = {b.Name: b for b in res.by_type("IfcBuilding")}
    for fname, p in x["placements"].items():
        f = open_ifc("mixed", fname)
        (b,) = f.by_type("IfcBuilding")
        assert b.Name == p["building"]
        assert f.by_type("IfcSite")[0].RefElevation is None
        assert not f.by_type("IfcMapConversion")
        check_building_structure(b, x["buildings"][b.Name])
        check_declared(b, x["declared_buildings"][b.Name])
        ground = next(s for s in storeys_of(b) if s.Elevation == 0.0)
        slab = [e for e in contained(ground) if e.is_a("IfcSlab")]
        local = plan_polygon(f, slab)
        assert local.symmetric_difference(Polygon(p["local_outline"])).area < AREA_TOL
        world = placed(local, p["insert"], p["rotation"])
        assert world.symmetric_difference(Polygon(p["world_outline"])).area < AREA_TOL
        rb = res_buildings[b.Name]
        rground = next(s for s in storeys_of(rb) if s.Elevation == 0.0)
        theirs = plan_polygon(res, [e for e in contained(rground) if e.PredefinedType == "FLOOR"])
        assert world.symmetric_difference(theirs).area < AREA_TOL


def test_mixed_site_dxf_lacks_exactly_the_ifc_buildings():
    x = load_expected("mixed")
    doc = ezdxf.readfile(ROOT / "samples/mixed/site.dxf")
    assert not doc.audit().has_errors
    assert doc.units == 4
    msp = doc.modelspace()
    texts = " ".join(e.plain_text() for e in msp.query("TEXT MTEXT") if e.dxf.layer == "建筑轮廓")
    ifc_names = {p["building"] for p in x["placements"].values()}
    dxf_names = {n for n, r in x["buildings"].items() if r["source"] == "site.dxf"}
    assert dxf_names == {"1#", "2#", "3#", "4#"}
    for n in dxf_names:
        assert n in texts
    for n in ifc_names:
        assert n not in texts
    outlines = [e for e in msp.query("LWPOLYLINE") if e.dxf.layer == "建筑轮廓"]
    assert len(outlines) == 4 and not msp.query("INSERT[layer=='建筑轮廓']")
    # everything else of the residential site plan is still there
    full = ezdxf.readfile(ROOT / "samples/residential/site.dxf").modelspace()
    assert len(full) - len(msp) == 5  # 5#'s two outlines and two labels, 6#'s insert


def test_readme_describes_the_ifc_samples():
    readme = (ROOT / "samples" / "README.md").read_text(encoding="utf-8")
    for sample in SAMPLES:
        assert f"samples/{sample}" in readme or f"`{sample}/`" in readme, sample
    x = load_expected("residential-ifc")
    assert f"{x['mismatch'][1]['declared']:.1f}" in readme
