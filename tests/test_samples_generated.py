"""The generated samples and the large-site benchmark generator.

The samples are checked three ways: the generator is reproducible byte for
byte, the committed files equal a fresh generation, and ``expected.json``
agrees both with itself and with an independent reading of ``site.dxf``
(ezdxf entities turned into shapely polygons by this file's own small
reader, arcs densified finely) -- so a slip in the generator's hand formulas
or in its drawing shows up as a disagreement between the two.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import ezdxf
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "samples" / "generate.py"
LARGE_GENERATOR = ROOT / "benchmarks" / "gen_large_site.py"
SAMPLES = {"residential": 4, "compliant": 6}  # folder -> intended $INSUNITS
FILES = ("drawcheck.toml", "site.dxf", "expected.json")

# Arcs are densified every ARC_STEP_DEG; the chord error of a 90-degree arc of
# radius 20 m is then n*r^2*d^3/12 ~ 2e-6 m2, far under AREA_TOL.
ARC_STEP_DEG = 0.01
AREA_TOL = 1e-3      # m2
LENGTH_TOL = 1e-6    # m
# expected.json keeps 6 decimals, so a ratio recomputed from two rounded
# values may differ from the stored one by a few 1e-7.
RATIO_TOL = 2e-6
# Declared-vs-computed tolerance of convention section 7.
DECLARED_REL_TOL = 0.005
DECLARED_RATIO_TOL = 0.01

LAYERS = {
    "site": {"用地红线", "site"},
    "road": {"道路红线", "road-redline"},
    "building": {"建筑轮廓", "bldg"},
    "existing": {"周边建筑"},
    "green": {"绿地", "集中绿地", "green"},
    "parking": {"停车位", "parking"},
    "indicators": {"经济技术指标", "indicators"},
}
NAME_TOKEN = re.compile(r"^\S*?(#|#楼|号楼|栋|幢)$")
SEPARATORS = re.compile(r"[\s,，;；/、]+")


# --------------------------------------------------------------------------
# running the generators
# --------------------------------------------------------------------------
def run(script: Path, *args: str, hashseed: str = "0") -> str:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    proc = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    """Two fresh generations, under different string-hash seeds."""
    base = tmp_path_factory.mktemp("samples")
    run(GENERATOR, "--out", str(base / "a"), hashseed="1")
    run(GENERATOR, "--out", str(base / "b"), hashseed="2")
    return base / "a", base / "b"


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def sample(request) -> tuple[str, ezdxf.document.Drawing, dict]:
    name = request.param
    folder = ROOT / "samples" / name
    doc = ezdxf.readfile(folder / "site.dxf")
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return name, doc, expected


# --------------------------------------------------------------------------
# a small independent DXF reader (enough for these drawings)
# --------------------------------------------------------------------------
def scale_of(doc) -> float:
    return ezdxf.units.conversion_factor(doc.units, ezdxf.units.M)


def arc_points(c: tuple[float, float], r: float, a0: float, sweep: float) -> list[tuple[float, float]]:
    n = max(2, math.ceil(abs(math.degrees(sweep)) / ARC_STEP_DEG))
    return [(c[0] + r * math.cos(a0 + sweep * i / n), c[1] + r * math.sin(a0 + sweep * i / n))
            for i in range(1, n + 1)]


def bulge_ring(xyb: list[tuple[float, float, float]], closed: bool = True) -> list[tuple[float, float]]:
    """Vertices with bulges -> densified ring (the arc of bulge b sweeps 4*atan(b), CCW if b > 0)."""
    out = []
    count = len(xyb) if closed else len(xyb) - 1
    for i in range(count):
        (x0, y0, b), (x1, y1, _) = xyb[i], xyb[(i + 1) % len(xyb)]
        out.append((x0, y0))
        if abs(b) > 1e-12:
            sweep = 4.0 * math.atan(b)
            chord = math.hypot(x1 - x0, y1 - y0)
            offset = (chord / 2.0) / math.tan(sweep / 2.0)  # centre lies left of p0->p1 if > 0
            nx, ny = -(y1 - y0) / chord, (x1 - x0) / chord
            c = ((x0 + x1) / 2 + nx * offset, (y0 + y1) / 2 + ny * offset)
            r = math.hypot(x0 - c[0], y0 - c[1])
            out.extend(arc_points(c, r, math.atan2(y0 - c[1], x0 - c[0]), sweep)[:-1])
    if not closed:
        out.append(xyb[-1][:2])
    return out


def scaled(points, s: float) -> list[tuple[float, float]]:
    return [(x * s, y * s) for x, y in points]


def lwpolyline_polygon(e, s: float) -> Polygon:
    assert e.closed
    return Polygon(scaled(bulge_ring(list(e.get_points("xyb"))), s))


def hatch_polygon(h, s: float):
    """All boundary paths with the even-odd rule (inner paths are holes)."""
    area = None
    for path in h.paths:
        if path.type == ezdxf.entities.BoundaryPathType.POLYLINE:
            ring = bulge_ring([(v[0], v[1], v[2]) for v in path.vertices])
        else:
            ring = []
            for edge in path.edges:
                if edge.type == ezdxf.entities.EdgeType.LINE:
                    ring.append(tuple(edge.start))
                else:
                    assert edge.type == ezdxf.entities.EdgeType.ARC and edge.ccw
                    a0, a1 = math.radians(edge.start_angle), math.radians(edge.end_angle)
                    c = tuple(edge.center)
                    ring.append((c[0] + edge.radius * math.cos(a0), c[1] + edge.radius * math.sin(a0)))
                    ring.extend(arc_points(c, edge.radius, a0, (a1 - a0) % (2 * math.pi))[:-1])
        poly = Polygon(scaled(ring, s))
        area = poly if area is None else area.symmetric_difference(poly)
    return area


def on(e, role: str) -> bool:
    return e.dxf.layer.strip().lower() in LAYERS[role]


def label_tokens(text: str) -> list[str]:
    return [t for t in SEPARATORS.split(text) if t]


def labelled_parts(msp, role: str, s: float) -> tuple[list[Polygon], list, list[list[str]]]:
    """Closed areas on a role's layers, each with the name and texts of its labels."""
    parts, labels = [], []
    for e in msp:
        if not on(e, role):
            continue
        if e.dxftype() == "LWPOLYLINE" and e.closed:
            parts.append(lwpolyline_polygon(e, s))
        elif e.dxftype() in ("TEXT", "MTEXT"):
            # label point: TEXT get_placement()[1] (insert or align point), MTEXT insert
            at = e.get_placement()[1] if e.dxftype() == "TEXT" else e.dxf.insert
            labels.append((Point(at.x * s, at.y * s), e.plain_text()))
        elif e.dxftype() == "INSERT":
            block_parts = [lwpolyline_polygon(v, s) for v in e.virtual_entities()
                           if v.dxftype() == "LWPOLYLINE" and v.closed and v.dxf.layer == "0"]
            assert len(block_parts) == 1
            parts.extend(block_parts)
            labels.append((block_parts[0].representative_point(), e.get_attrib_text("NAME")))
    names: list = [None] * len(parts)
    texts: list[list[str]] = [[] for _ in parts]
    for point, text in labels:
        holders = [i for i, p in enumerate(parts) if p.contains(point)]
        assert holders, f"label {text!r} lies in no part"
        i = min(holders, key=lambda k: parts[k].area)  # the smallest part takes the label
        texts[i].append(text)
        found = [t for t in label_tokens(text) if NAME_TOKEN.match(t)]
        if found:
            names[i] = found[0]
    return parts, names, texts


def read_drawing(doc) -> dict:
    """Site, road lines, labelled building parts, green, parking, indicator texts (metres)."""
    s = scale_of(doc)
    msp = doc.modelspace()
    site = [lwpolyline_polygon(e, s) for e in msp.query("LWPOLYLINE") if on(e, "site")]
    road = [LineString(scaled(bulge_ring(list(e.get_points("xyb")), closed=False), s))
            for e in msp.query("LWPOLYLINE") if on(e, "road")]
    parts, part_names, part_texts = labelled_parts(msp, "building", s)
    existing = labelled_parts(msp, "existing", s)
    green = [lwpolyline_polygon(e, s) for e in msp.query("LWPOLYLINE") if on(e, "green")]
    green += [hatch_polygon(e, s) for e in msp.query("HATCH") if on(e, "green")]
    parking = sum(e.dxf.row_count * e.dxf.column_count for e in msp.query("INSERT") if on(e, "parking"))
    indicators = [e.plain_text() for e in msp.query("TEXT MTEXT") if on(e, "indicators")]
    return {"site": site, "road": road, "parts": parts, "part_names": part_names,
            "part_texts": part_texts, "existing": existing, "green": green,
            "parking": parking, "indicators": indicators}


# --------------------------------------------------------------------------
# reproducibility and staleness
# --------------------------------------------------------------------------
def test_generator_is_byte_identical_on_rerun(generated):
    a, b = generated
    for name in SAMPLES:
        for fname in FILES:
            assert (a / name / fname).read_bytes() == (b / name / fname).read_bytes(), f"{name}/{fname}"


def test_committed_samples_equal_a_fresh_generation(generated):
    fresh, _ = generated
    for name in SAMPLES:
        for fname in FILES:
            committed = ROOT / "samples" / name / fname
            assert committed.read_bytes() == (fresh / name / fname).read_bytes(), (
                f"samples/{name}/{fname} is stale: run `python samples/generate.py`")


# --------------------------------------------------------------------------
# the DXF files
# --------------------------------------------------------------------------
def test_dxf_opens_audits_clean_and_has_intended_units(sample):
    name, doc, expected = sample
    auditor = doc.audit()
    assert not auditor.has_errors, [str(e.message) for e in auditor.errors]
    assert doc.dxfversion == "AC1032"  # R2018
    assert doc.units == SAMPLES[name] == expected["units"]["insunits"]


def test_expected_values_are_self_consistent(sample):
    _, _, x = sample
    area = x["site_area"]
    assert x["coverage"] == pytest.approx(x["footprint_area"] / area, abs=RATIO_TOL)
    assert x["far"] == pytest.approx(x["gfa_far"] / area, abs=RATIO_TOL)
    assert x["green_ratio"] == pytest.approx(x["green_area"] / area, abs=RATIO_TOL)
    assert x["gfa_total"] == pytest.approx(x["gfa_above"] + x["gfa_below"])
    assert x["gfa_far"] == x["gfa_above"]  # both manifests: basement_in_far = false
    assert x["gfa_below"] == pytest.approx(sum(b["gfa"] for b in x["basements"]))
    blds = x["buildings"].values()
    assert x["gfa_above"] == pytest.approx(sum(b["gfa"] for b in blds))
    assert x["footprint_area"] == pytest.approx(sum(b["footprint_area"] for b in blds))
    assert x["max_height"] == max(b["height"] for b in blds)
    for b in blds:
        assert b["footprint_area"] == max(p["area"] for p in b["parts"])
        assert b["floors_above"] == max(p["floors"] for p in b["parts"])
        # storey-k plate = the largest part with >= k floors (parts nest in these samples)
        gfa = sum(max(p["area"] for p in b["parts"] if p["floors"] >= k)
                  for k in range(1, b["floors_above"] + 1))
        assert b["gfa"] == pytest.approx(gfa)
    for key, declared in x["declared"].items():
        computed = x[key]
        if key in ("far", "coverage", "green_ratio"):
            ok = abs(declared - computed) <= DECLARED_RATIO_TOL
        else:
            ok = abs(declared - computed) <= DECLARED_REL_TOL * abs(computed)
        assert ok == (key != x["mismatch"]), (key, declared, computed)


def test_residential_numbers_match_the_hand_formulas():
    x = json.loads((ROOT / "samples/residential/expected.json").read_text(encoding="utf-8"))
    assert x["site_area"] == pytest.approx(180 * 120 - 20**2 * (1 - math.pi / 4), abs=1e-6)
    assert x["buildings"]["5#"]["gfa"] == 4 * 60 * 40 + 21 * 30 * 20
    assert x["spacing_min_pairs"][0]["distance"] == 10.0
    assert x["mismatch"] == "far"
    outcomes = {k: v["outcome"] for k, v in x["conditions"].items()}
    assert sorted(k for k, v in outcomes.items() if v == "failed") == ["far_max", "parking_min"]


def test_expected_json_agrees_with_the_drawing(sample):
    _, doc, x = sample
    d = read_drawing(doc)
    assert len(d["site"]) == 1
    site = d["site"][0]
    assert site.is_valid
    assert site.area == pytest.approx(x["site_area"], abs=AREA_TOL)

    # buildings: every part labelled, parts grouped by name
    assert all(d["part_names"]), d["part_texts"]
    ex_parts, ex_names, _ = d["existing"]
    assert all(ex_names)
    by_name: dict[str, list[Polygon]] = {}
    for name, poly in zip(d["part_names"] + ex_names, d["parts"] + ex_parts):
        by_name.setdefault(name, []).append(poly)
    assert set(by_name) == set(x["buildings"]) | set(x["existing"])
    footprints = {}
    for name, polys in by_name.items():
        rows = {**x["buildings"], **x["existing"]}[name]
        assert sorted(p.area for p in polys) == pytest.approx(
            sorted(p["area"] for p in rows["parts"]), abs=AREA_TOL)
        footprints[name] = unary_union(polys)
        assert footprints[name].area == pytest.approx(rows["footprint_area"], abs=AREA_TOL)
    on_site = unary_union([footprints[n] for n in x["buildings"]])
    assert on_site.area == pytest.approx(x["footprint_area"], abs=AREA_TOL)

    # setbacks and spacing, measured on the drawn polygons
    for name, row in x["setbacks"].items():
        assert site.contains(footprints[name])
        setback = footprints[name].distance(site.exterior)
        assert setback == pytest.approx(row["site_boundary"], abs=LENGTH_TOL)
        if d["road"]:
            road = min(footprints[name].distance(r) for r in d["road"])
            assert road == pytest.approx(row["road_redline"], abs=LENGTH_TOL)
    for row in x["spacing"]:
        dist = footprints[row["a"]].distance(footprints[row["b"]])
        assert dist == pytest.approx(row["distance"], abs=LENGTH_TOL)
    for row in x["spacing_min_pairs"]:
        pa, pb = Point(row["from_point"]), Point(row["to_point"])
        assert pa.distance(pb) == pytest.approx(row["distance"], abs=LENGTH_TOL)
        assert footprints[row["a"]].distance(pa) < LENGTH_TOL
        assert footprints[row["b"]].distance(pb) < LENGTH_TOL

    green = shapely.intersection(unary_union(d["green"]), site)
    assert green.area == pytest.approx(x["green_area"], abs=AREA_TOL)
    assert d["parking"] == x["parking_spaces"]


def test_declared_table_is_drawn_as_written(sample):
    _, doc, x = sample
    lines = [ln.strip() for t in read_drawing(doc)["indicators"] for ln in t.splitlines()]
    for key, text in x["declared_text"].items():
        assert any(ln.endswith(text) for ln in lines), (key, text, lines)


def test_readme_quotes_the_expected_numbers():
    readme = (ROOT / "samples" / "README.md").read_text(encoding="utf-8")
    for name in SAMPLES:
        x = json.loads((ROOT / "samples" / name / "expected.json").read_text(encoding="utf-8"))
        for key in ("site_area", "gfa_above", "green_area"):
            assert f"{x[key]:.2f}" in readme, (name, key)
        assert f"{x['far']:.4f}" in readme, (name, "far")


# --------------------------------------------------------------------------
# benchmarks/gen_large_site.py
# --------------------------------------------------------------------------
def test_large_site_generator_small_run(tmp_path):
    out = tmp_path / "large.dxf"
    stdout = run(LARGE_GENERATOR, str(out), "--buildings", "50", "--seed", "3")
    m = re.search(r"(\d+) entities in model space \(50 buildings, (\d+) building parts\)", stdout)
    assert m, stdout
    entities, n_parts = int(m.group(1)), int(m.group(2))

    doc = ezdxf.readfile(out)
    assert not doc.audit().has_errors
    assert doc.units == 4
    assert len(doc.modelspace()) == entities >= 40 * 50
    d = read_drawing(doc)
    assert len(d["site"]) == 1
    assert len(d["parts"]) == n_parts >= 50
    assert all(d["part_names"]), "a building part has no name label"
    assert all(any(re.search(r"\d+F", t) for t in texts) for texts in d["part_texts"])
    assert len(set(d["part_names"])) == 50
    site = d["site"][0]
    by_name: dict[str, list[Polygon]] = {}
    for name, poly in zip(d["part_names"], d["parts"]):
        assert site.contains(poly)
        by_name.setdefault(name, []).append(poly)
    footprints = [unary_union(p) for p in by_name.values()]
    tree = shapely.STRtree(footprints)
    pairs = tree.query(footprints, predicate="intersects")
    assert all(i == j for i, j in pairs.T), "buildings overlap"

    again = tmp_path / "again.dxf"
    run(LARGE_GENERATOR, str(again), "--buildings", "50", "--seed", "3", hashseed="7")
    assert again.read_bytes() == out.read_bytes()
