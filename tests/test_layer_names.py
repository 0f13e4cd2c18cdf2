"""Foreign layer names (issue 12, point 4): prefixes, synonyms, inference, --strict-layers, ``drawcheck layers``.

Twins of the shipped samples with every role layer renamed the way institutes
name them must give the samples' hand-worked indicators (``expected.json``,
written by samples/generate.py from its own dimensions) and the same findings,
apart from one ``qa:layer-inferred`` note per renamed layer. The other
fixtures are drawn here with ezdxf; expected areas are worked by hand and
``drawcheck layers`` counts are checked against ezdxf's own entity queries.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from collections import Counter
from pathlib import Path

import ezdxf
import pytest

import drawcheck
from drawcheck.readers import layer_names_doc
from drawcheck.readers.layer_names import name_table
from drawcheck.readers.layers import LayerRoles

from dxf_builders import CLI, add_part, add_poly, add_site, add_text, new_doc, rect, save

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
#: expected.json keeps 6 decimals; the report rounds areas to 2, lengths to 3 and ratios to 4 decimals.
ROUNDING = {"m2": 0.005, "m": 0.0005, "ratio": 0.00005, "count": 0}

#: Sample layer -> the name an institute gives it, and the role that name must be inferred as.
RENAME = {
    "residential": {
        "用地红线": ("0-用地范围", "site"),
        "道路红线": ("A-ROAD-RED", "road"),
        "建筑轮廓": ("总图-建筑轮廓", "building"),
        "周边建筑": ("A-MAST-NEAR", "existing"),
        "地下室": ("A-MAST-BASE", "basement"),
        "绿地": ("ZP-绿化", "green"),
        "集中绿地": ("L-集中绿化", "green_central"),
        "停车位": ("01_地面停车位", "parking"),
        "经济技术指标": ("ZP-技术经济指标", "indicators"),
    },
    "compliant": {
        "SITE": ("A-REDL", "site"),
        "ROAD-REDLINE": ("规划道路红线", "road"),
        "BLDG": ("1#楼$0$外轮廓线", "building"),
        "GREEN": ("L-GREEN", "green"),
        "PARKING": ("ZP-车位", "parking"),
        "INDICATORS": ("总图-经济技术指标", "indicators"),
    },
}


def _renamed(sample: str, folder: Path) -> Path:
    shutil.copytree(SAMPLES / sample, folder)
    doc = ezdxf.readfile(folder / "site.dxf")
    for old, (new, _) in RENAME[sample].items():
        doc.layers.get(old).rename(new)
    spaces = [doc.modelspace(), *doc.blocks]
    left = {e.dxf.layer for space in spaces for e in space} & set(RENAME[sample])
    assert not left, f"entities still on {left}"
    doc.saveas(folder / "site.dxf")
    return folder


def _rows(report: dict, drop=("qa:layer-inferred",)) -> list[tuple]:
    keep = ("rule", "severity", "subjects", "measured", "required", "unit", "location")
    return sorted(json.dumps([f.get(k) for k in keep], sort_keys=True, ensure_ascii=False)
                  for f in report["findings"] if f["rule"] not in drop)


@pytest.fixture(scope="module", params=sorted(RENAME))
def twin(request, tmp_path_factory):
    sample = request.param
    folder = _renamed(sample, tmp_path_factory.mktemp(sample) / sample)
    expected = json.loads((SAMPLES / sample / "expected.json").read_text(encoding="utf-8"))
    return sample, folder, expected, drawcheck.check(folder).data


def test_prefixed_twin_gives_the_hand_worked_indicators(twin):
    _, _, expected, report = twin
    for key, row in report["indicators"].items():
        assert row["value"] == pytest.approx(expected[key], abs=ROUNDING[row["unit"]] + 1e-9), key
    rows = {b["id"]: b for b in report["buildings"]}
    assert set(rows) == set(expected["buildings"])
    for bid, exp in expected["buildings"].items():
        assert rows[bid]["gfa"] == pytest.approx(exp["gfa"], abs=ROUNDING["m2"]), bid
        assert rows[bid]["floors_above"] == exp["floors_above"], bid
    setbacks = {(s["building"], s["to"]): s["distance"] for s in report["setbacks"]}
    for bid, to_rows in expected["setbacks"].items():
        for to, distance in to_rows.items():
            assert setbacks[(bid, to)] == pytest.approx(distance, abs=ROUNDING["m"]), (bid, to)


def test_prefixed_twin_gives_the_samples_findings_plus_one_inference_per_layer(twin):
    sample, _, _, report = twin
    original = drawcheck.check(SAMPLES / sample).data
    assert _rows(report) == _rows(original)
    inferred = [f for f in report["findings"] if f["rule"] == "qa:layer-inferred"]
    assert all(f["severity"] == "info" for f in inferred)
    said = {(new, role) for new, role in RENAME[sample].values()
            for f in inferred if f"layer {new} is read as" in f["message"] and f"({role})" in f["message"]}
    assert said == set(RENAME[sample].values())
    assert len(inferred) == len(RENAME[sample])
    outcomes = {r["rule"]: r["outcome"] for r in report["rules"]}
    assert outcomes == {**{r["rule"]: r["outcome"] for r in original["rules"]}, "qa:layer-inferred": "failed"}


def test_strict_layers_reads_exact_names_only(twin):
    sample, folder, expected, _ = twin
    report = drawcheck.check(folder, strict_layers=True).data
    rules = Counter(f["rule"] for f in report["findings"])
    assert rules["qa:layer-inferred"] == 0
    assert rules["qa:site-boundary"] == 1
    assert report["indicators"]["site_area"]["value"] is None
    unmatched = [f for f in report["findings"] if f["rule"] == "qa:unmatched-layers"]
    assert len(unmatched) == 1
    # every renamed layer holding closed outlines or texts is listed (the road red lines are open polylines)
    holding = [new for old, (new, role) in RENAME[sample].items() if role != "road"]
    for name in holding:
        assert f"{name} (" in unmatched[0]["message"], name


def test_manifest_strict_key_is_the_flag(twin, tmp_path):
    sample, folder, _, _ = twin
    copy = tmp_path / sample
    shutil.copytree(folder, copy)
    manifest = copy / "drawcheck.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n[layers]\nstrict = true\n", encoding="utf-8")
    by_manifest = drawcheck.check(copy).data
    by_flag = drawcheck.check(folder, strict_layers=True).data
    assert _rows(by_manifest, drop=()) == _rows(by_flag, drop=())


def test_cli_check_strict_layers(twin):
    _, folder, _, _ = twin
    proc = subprocess.run([str(CLI), "check", str(folder), "--strict-layers", "--format", "json"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert any(f["rule"] == "qa:site-boundary" for f in json.loads(proc.stdout)["findings"])


# -- names ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, role", [
    ("0-用地范围", "site"), ("ZP-用地红线", "site"), ("总图-建筑轮廓", "building"), ("外轮廓线", "building"),
    ("A-BLDG-OTLN", "building"), ("1#楼$0$建筑轮廓", "building"), ("建设用地", "site"), ("地块边界", "site"),
    ("基底", "building"), ("建筑外轮廓线", "building"), ("消防扑救场地", "fire_rescue"), ("A-MAST-ROOF", "building"),
    ("A-MAST-BASE", "basement"), ("A-MAST-NEAR", "existing"), ("A-ROAD-RED", "road"), ("A-REDL", "site"),
    ("ＺＰ－用地范围", "site"), ("01_A-绿地", "green"), ("绿化2", "green"), ("XREF|消防车道", "fire_lane"),
    ("1#楼$0$WALL", None), ("0", None), ("A-WALL", None), ("10", None), ("铺装", None),
])
def test_names_institutes_use(name, role):
    inference = LayerRoles().infer(name)
    assert (inference.role if inference else None) == role
    assert LayerRoles().role_of(name) is None  # inference is per drawing, never a name's role on its own


def test_every_role_of_the_table_is_a_manifest_role():
    from drawcheck.manifest import LAYER_ROLES

    table = name_table()
    assert set(table.exact) == set(LAYER_ROLES)
    assert set(table.synonyms) <= set(LAYER_ROLES)
    synonyms = {n.casefold() for names in table.synonyms.values() for n in names}
    exact = {n.casefold() for names in table.exact.values() for n in names}
    known = {n.casefold() for names in table.no_role.values() for n in names}
    assert not synonyms & exact and not synonyms & known and not exact & known


# -- inference per drawing ------------------------------------------------------------------------------------
def _buildings(msp, layer="建筑轮廓"):
    add_part(msp, rect(20, 20, 40, 30), "1# 6F H=18m 住宅", layer=layer)  # 200 m2


def test_two_inferred_site_layers_are_both_refused(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80, layer="0-用地范围")
    add_site(msp, 120, 90, layer="ZP-建设用地", origin=(-10, -5))
    _buildings(msp)
    report = drawcheck.check(save(doc, tmp_path)).data
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert report["indicators"]["site_area"]["value"] is None
    ambiguous = by_rule["qa:layer-ambiguous"]
    assert ambiguous["severity"] == "warning"
    assert "0-用地范围" in ambiguous["message"] and "ZP-建设用地" in ambiguous["message"]
    assert "qa:layer-inferred" not in by_rule
    assert "qa:unmatched-layers" not in by_rule  # named once, in the ambiguity finding
    # the site-boundary finding names the likelier layer (both are named as site: the larger one) and its snippet
    assert '[layers] site = ["ZP-建设用地"]' in by_rule["qa:site-boundary"]["message"]


def test_an_exact_layer_beats_an_inferred_one(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80)  # 用地红线: 8000 m2
    add_site(msp, 50, 50, layer="ZP-用地范围")
    _buildings(msp)
    report = drawcheck.check(save(doc, tmp_path)).data
    assert report["indicators"]["site_area"]["value"] == pytest.approx(8000.0)
    ambiguous = [f for f in report["findings"] if f["rule"] == "qa:layer-ambiguous"]
    assert len(ambiguous) == 1 and "ZP-用地范围" in ambiguous[0]["message"] and "用地红线" in ambiguous[0]["message"]


def test_manifest_names_beat_inference(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80, layer="PLOT-A")
    add_part(msp, rect(20, 20, 40, 30), "1# 6F H=18m 住宅", layer="ZP-用地红线")  # named as site, is a building
    save(doc, tmp_path)
    (tmp_path / "drawcheck.toml").write_text(
        '[project]\ninputs = ["site.dxf"]\n[layers]\nsite = ["PLOT-A"]\nbuilding = ["ZP-用地红线"]\n', encoding="utf-8")
    report = drawcheck.check(tmp_path).data
    assert report["indicators"]["site_area"]["value"] == pytest.approx(8000.0)
    assert report["indicators"]["footprint_area"]["value"] == pytest.approx(200.0)
    assert not [f for f in report["findings"] if f["rule"].startswith("qa:layer-")]


def test_xref_bound_layers_inside_a_block_are_inferred(tmp_path):
    """A bound xref: the building's layers are named 1#楼$0$... and live in the block the xref became."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80)
    doc.layers.add("1#楼$0$建筑轮廓")
    block = doc.blocks.new("1#楼")
    add_part(block, rect(0, 0, 30, 12), "1# 10F H=30m 住宅", layer="1#楼$0$建筑轮廓")  # 360 m2
    msp.add_blockref("1#楼", (20, 30), dxfattribs={"layer": "0"})
    report = drawcheck.check(save(doc, tmp_path)).data
    (building,) = report["buildings"]
    assert building["id"] == "1#"
    assert building["footprint_area"] == pytest.approx(360.0)
    assert building["gfa"] == pytest.approx(3600.0)
    inferred = [f["message"] for f in report["findings"] if f["rule"] == "qa:layer-inferred"]
    assert len(inferred) == 1 and "1#楼$0$建筑轮廓 is read as building outlines (building)" in inferred[0]


def test_layers_with_content_and_no_role_are_listed_in_one_finding(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80)
    _buildings(msp)
    add_poly(msp, rect(60, 10, 70, 20), "FOO")
    add_poly(msp, rect(75, 10, 85, 20), "FOO")
    add_text(msp, "水池", (65, 15), layer="FOO")
    add_text(msp, "see note 3", (5, 5), layer="BAR")
    hatch = msp.add_hatch(dxfattribs={"layer": "HATCH-ONLY"})
    hatch.paths.add_polyline_path(rect(60, 40, 70, 50), is_closed=True)
    msp.add_line((0, 0), (10, 10), dxfattribs={"layer": "LINES-ONLY"})
    add_text(msp, "1:500", (5, 70), layer="标注")  # known: annotation
    report = drawcheck.check(save(doc, tmp_path)).data
    unmatched = [f for f in report["findings"] if f["rule"] == "qa:unmatched-layers"]
    assert len(unmatched) == 1
    message = unmatched[0]["message"]
    assert unmatched[0]["severity"] == "info"
    assert "2 layers" in message
    assert "FOO (2 closed outlines, 1 text)" in message and "BAR (1 text)" in message
    for quiet in ("HATCH-ONLY", "LINES-ONLY", "标注"):
        assert quiet not in message


def test_many_unmatched_layers_are_counted_past_the_listed_ones(tmp_path):
    from drawcheck.readers.layer_survey import MAX_LISTED

    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80)
    names = [f"X{k:03d}" for k in range(MAX_LISTED + 5)]
    for k, name in enumerate(names):
        add_text(msp, "note", (k, 1), layer=name)
    report = drawcheck.check(save(doc, tmp_path)).data
    (unmatched,) = [f for f in report["findings"] if f["rule"] == "qa:unmatched-layers"]
    message = unmatched["message"]
    assert f"{len(names)} layers with closed outlines" in message
    assert all(f"{n} (1 text)" in message for n in names[:MAX_LISTED])
    assert names[MAX_LISTED] not in message and message.rstrip().count("and 5 more") == 1


def test_no_site_boundary_names_the_most_likely_layer_and_the_snippet_works(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 150, 100, layer="PL")  # the site, on a layer with no role: 15000 m2
    add_poly(msp, rect(100, 60, 110, 70), "MISC")  # a smaller closed outline elsewhere
    _buildings(msp)
    save(doc, tmp_path)
    report = drawcheck.check(tmp_path / "site.dxf").data
    site = [f for f in report["findings"] if f["rule"] == "qa:site-boundary"]
    assert len(site) == 1 and site[0]["severity"] == "error"
    assert "most likely site layer: PL (1 closed outline)" in site[0]["message"]
    assert '[layers] site = ["PL"]' in site[0]["message"]
    # drawcheck layers offers the same guess, commented out (a guess is never made a role without a word)
    proc = subprocess.run([str(CLI), "layers", str(tmp_path / "site.dxf"), "--format", "json"], capture_output=True,
                          text=True)
    snippet = json.loads(proc.stdout)["inputs"][0]["snippet"]
    assert '# site = ["PL"]' in snippet.splitlines()
    assert tomllib.loads(snippet) == {"layers": {}}
    (tmp_path / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n[layers]\nsite = ["PL"]\n',
                                             encoding="utf-8")
    assert drawcheck.check(tmp_path).data["indicators"]["site_area"]["value"] == pytest.approx(15000.0)


@pytest.mark.parametrize("name", ['A"B', "back\\slash", "del\x7fchar", "tab\tname", "1#楼$0$建筑轮廓"])
def test_snippet_names_are_valid_toml_strings(name):
    from drawcheck.readers.layer_survey import _toml_string

    assert tomllib.loads(f"k = {_toml_string(name)}")["k"] == name


def test_frozen_layer_is_no_candidate(tmp_path):
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80, layer="0-用地范围")
    doc.layers.add("ZP-用地范围").freeze()
    add_site(msp, 60, 60, layer="ZP-用地范围")
    _buildings(msp)
    report = drawcheck.check(save(doc, tmp_path)).data
    assert report["indicators"]["site_area"]["value"] == pytest.approx(8000.0)
    assert not [f for f in report["findings"] if f["rule"] == "qa:layer-ambiguous"]


# -- drawcheck layers --------------------------------------------------------------------------------------------
def _survey_fixture(tmp_path: Path) -> Path:
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80, layer="0-用地范围")
    add_part(msp, rect(20, 20, 40, 30), "1# 6F H=18m 住宅", layer="建筑轮廓")
    add_part(msp, rect(50, 20, 70, 30), "2# 6F H=18m 住宅", layer="建筑轮廓")
    add_poly(msp, rect(60, 40, 70, 50), "FOO")
    add_poly(msp, [(0, 0), (5, 5), (9, 0)], "FOO", closed=False)
    msp.add_circle((80, 60), 3, dxfattribs={"layer": "FOO"})
    add_text(msp, "水池", (65, 45), layer="FOO")
    msp.add_line((0, 0), (10, 0), dxfattribs={"layer": "道路"})
    block = doc.blocks.new("CAR")
    add_poly(block, rect(0, 0, 2.5, 5), "0")
    for k in range(3):
        msp.add_blockref("CAR", (10 + 3 * k, 60), dxfattribs={"layer": "ZP-车位"})
    return save(doc, tmp_path)


def _independent_counts(path: Path) -> dict[str, Counter]:
    """Entities per layer and type by ezdxf queries, INSERTs of CAR expanded by hand (its content is on layer 0)."""
    doc = ezdxf.readfile(path)
    counts: dict[str, Counter] = {}
    for e in doc.modelspace():
        counts.setdefault(e.dxf.layer, Counter())[e.dxftype()] += 1
        if e.dxftype() == "INSERT":
            for inner in doc.blocks.get(e.dxf.name):
                layer = e.dxf.layer if inner.dxf.layer == "0" else inner.dxf.layer
                counts.setdefault(layer, Counter())[inner.dxftype()] += 1
    return counts


def test_layers_json_counts_match_ezdxf(tmp_path):
    path = _survey_fixture(tmp_path)
    proc = subprocess.run([str(CLI), "layers", str(path), "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    (only,) = data["inputs"]
    layers = {x["name"]: x for x in only["layers"]}
    for layer, counts in _independent_counts(path).items():
        assert layers[layer]["counts"] == dict(counts), layer
        assert layers[layer]["entities"] == sum(counts.values()), layer
    assert layers["FOO"]["closed_outlines"] == 2  # the rectangle and the circle; the open polyline is not closed
    assert layers["FOO"]["texts"] == ["水池"] and layers["FOO"]["text_count"] == 1
    assert layers["ZP-车位"]["closed_outlines"] == 3  # one per inserted car
    assert (layers["0-用地范围"]["role"], layers["0-用地范围"]["match"]) == ("site", "inferred")
    assert (layers["ZP-车位"]["role"], layers["ZP-车位"]["match"]) == ("parking", "inferred")
    assert (layers["建筑轮廓"]["role"], layers["建筑轮廓"]["match"]) == ("building", "exact")
    assert layers["建筑轮廓"]["texts"] == ["1# 6F H=18m 住宅", "2# 6F H=18m 住宅"]
    assert (layers["道路"]["match"], layers["道路"]["known_as"]) == ("known", "roads")
    assert (layers["FOO"]["role"], layers["FOO"]["match"]) == (None, "none")
    snippet = tomllib.loads(only["snippet"])
    assert snippet == {"layers": {"site": ["0-用地范围"], "parking": ["ZP-车位"]}}


def test_layers_snippet_makes_the_inferences_exact(tmp_path):
    path = _survey_fixture(tmp_path)
    proc = subprocess.run([str(CLI), "layers", str(path), "--format", "json"], capture_output=True, text=True)
    snippet = json.loads(proc.stdout)["inputs"][0]["snippet"]
    (tmp_path / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n' + snippet, encoding="utf-8")
    exact = drawcheck.check(tmp_path).data
    inferred = drawcheck.check(path).data
    assert exact["indicators"]["site_area"]["value"] == pytest.approx(8000.0)
    assert exact["indicators"]["parking_spaces"]["value"] == 3
    assert not [f for f in exact["findings"] if f["rule"] == "qa:layer-inferred"]
    assert _rows(exact) == _rows(inferred)


def test_layers_text(tmp_path):
    path = _survey_fixture(tmp_path)
    proc = subprocess.run([str(CLI), "layers", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    row = next(ln for ln in lines if ln.strip().startswith("0-用地范围"))
    assert row.split()[1:4] == ["site", "inferred", "LWPOLYLINE:1"]
    row = next(ln for ln in lines if ln.strip().startswith("FOO"))
    assert row.split()[1:6] == ["-", "none", "CIRCLE:1", "LWPOLYLINE:2", "TEXT:1"]
    assert row.split()[6:] == ["2", "水池"]
    assert '    site = ["0-用地范围"]' in lines and '    parking = ["ZP-车位"]' in lines


def test_layers_strict_and_folder(tmp_path):
    _survey_fixture(tmp_path)
    (tmp_path / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n[layers]\nstrict = true\n',
                                             encoding="utf-8")
    proc = subprocess.run([str(CLI), "layers", str(tmp_path), "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (only,) = json.loads(proc.stdout)["inputs"]
    layers = {x["name"]: x for x in only["layers"]}
    assert only["strict"] is True and only["path"] == "site.dxf"
    assert (layers["0-用地范围"]["role"], layers["0-用地范围"]["match"]) == (None, "strict")
    assert layers["0-用地范围"]["suggested_role"] == "site"
    # the snippet still offers the names, to be made exact
    assert tomllib.loads(only["snippet"])["layers"]["site"] == ["0-用地范围"]


@pytest.mark.parametrize("args, says", [
    (["layers", "no-such.dxf"], "no such file"),
    (["layers", "{tmp}/site.dxf", "--format", "html"], "--format must be text or json"),
])
def test_layers_bad_input_is_one_line_exit_2(tmp_path, args, says):
    _survey_fixture(tmp_path)
    proc = subprocess.run([str(CLI), *[a.format(tmp=tmp_path) for a in args]], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("drawcheck: ") and says in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_layers_with_an_undecodable_layer_name_writes_valid_utf8(tmp_path):
    """GBK bytes in a UTF-8 (R2013) drawing's layer name: shown as U+FFFD, never a traceback or invalid output."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80)
    add_part(msp, rect(20, 20, 40, 30), "1# 6F H=18m 住宅", layer="BADNAME")
    path = save(doc, tmp_path)
    path.write_bytes(path.read_bytes().replace(b"BADNAME", "建筑轮廓".encode("gbk")))
    for fmt in ("json", "text"):
        proc = subprocess.run([str(CLI), "layers", str(path), "--format", fmt], capture_output=True)
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout.decode("utf-8")  # strict
        assert "\ufffd" in out
    layers = json.loads(proc_json(path))["inputs"][0]["layers"]
    bad = [x for x in layers if "\ufffd" in x["name"]]
    assert len(bad) == 1 and bad[0]["role"] is None and bad[0]["closed_outlines"] == 1
    # the check names it once (qa:undecodable-text), not again among the unmatched layers
    report = drawcheck.check(path).data
    assert not [f for f in report["findings"] if f["rule"] == "qa:unmatched-layers"]
    assert [f for f in report["findings"] if f["rule"] == "qa:undecodable-text"]


def proc_json(path: Path) -> str:
    return subprocess.run([str(CLI), "layers", str(path), "--format", "json"], capture_output=True).stdout.decode()


def test_layers_is_byte_identical_run_to_run(tmp_path):
    path = _survey_fixture(tmp_path)
    runs = [subprocess.run([str(CLI), "layers", str(path), "--format", fmt], capture_output=True).stdout
            for fmt in ("json", "json", "text", "text")]
    assert runs[0] == runs[1] and runs[2] == runs[3]


# -- batch and docs ----------------------------------------------------------------------------------------------
def test_batch_options_carry_strict_layers():
    import hashlib

    from drawcheck.batch.runner import Options

    assert Options(strict_layers=True).job("x")["strict_layers"] is True
    # without the flag the key is the one earlier runs stored (packs, units, limits only)
    plain = json.dumps({"packs": None, "units": None, "limits": {}}, sort_keys=True)
    assert Options().report_key() == hashlib.sha256(plain.encode()).hexdigest()
    assert Options(strict_layers=True).report_key() != Options().report_key()


def test_batch_job_with_strict_layers_reads_exact_names_only(twin):
    """The batch worker passes the job's strict_layers on to the check (in-process: run_job itself)."""
    from drawcheck.batch.runner import Options
    from drawcheck.batch.worker import run_job

    _, folder, _, report = twin
    reports = {}
    for strict in (False, True):
        header, body = run_job(Options(strict_layers=strict, memory_mb=None).job(str(folder)))
        assert header == {"status": "report"}
        reports[strict] = json.loads(body)
    assert _rows(reports[False], drop=()) == _rows(report, drop=())
    assert _rows(reports[True], drop=()) == _rows(drawcheck.check(folder, strict_layers=True).data, drop=())
    assert _rows(reports[True]) != _rows(reports[False])


def test_docs_layers_md_is_current():
    assert (ROOT / "docs" / "layers.md").read_text(encoding="utf-8") == layer_names_doc.render(), \
        "docs/layers.md is stale: python -m drawcheck.readers.layer_names_doc > docs/layers.md"
