"""The fast DXF reader (issue 15): the same reports as ezdxf's, and ezdxf wherever it cannot promise that.

(a) Its tag reading (``readers/dxf_tags.py``) against ezdxf's own tag loader on
texts written to trip it: code lines in every form ``int()`` takes, comments,
line ends, data after EOF, numbers ezdxf refuses.
(b) The differential test: ``--reader auto`` (the fast reader where it can) and
``--reader ezdxf`` give byte-identical reports apart from ``project.inputs[*].reader``
on every sample, every rule fixture, the public DXF files, small versions of
the benchmark plans and a fuzzed corpus (``fuzz/gen_dxf.py``: valid drawings
with values edited, and the broken drawings of the DXF fuzzer). Where the
fast reader is expected to run, the test checks that it did.
(c) Which reader ran, and why not the fast one: binary DXF, unitless drawings
without ``--units``, damaged files; ``--reader fast`` refuses with one line.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path

import ezdxf
import numpy as np
import pytest
from ezdxf.lldxf.tagger import ascii_tags_loader

import drawcheck
from drawcheck.pipeline import InputError
from drawcheck.readers.dxf_load import load_dxf
from drawcheck.readers.dxf_tags import Unsupported, normalize_newlines, read_tags
from drawcheck.readers.files import ReadError
from drawcheck.readers.layers import LayerRoles

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "data" / "public"
sys.path.insert(0, str(ROOT / "fuzz"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import gen_dxf  # noqa: E402
import oracle  # noqa: E402
from dxf_builders import (BLDG, GREEN, INDICATORS, PARKING, add_part, add_poly, add_site, codes, new_doc,  # noqa: E402
                          read, rect, save)


# -- (a) tags as ezdxf reads them ----------------------------------------------------------------------------
def _ezdxf_tags(text: str) -> list[tuple[int, str]]:
    return [(t.code, t.value) for t in ascii_tags_loader(io.StringIO(text, newline=None))]


def _tags(text: str, encoding: str = "utf-8") -> list[tuple[int, str]]:
    tags = read_tags(normalize_newlines(text.encode(encoding)), encoding)
    return list(zip(tags.codes.tolist(), tags.texts(range(len(tags)))))


@pytest.mark.parametrize("text", [
    "  0\nSECTION\n  2\nENTITIES\n  0\nENDSEC\n  0\nEOF\n",
    "0\r\nSECTION\r\n2\r\nENTITIES\r\n0\r\nENDSEC\r\n0\r\nEOF\r\n",  # CR LF
    "0\rSECTION\r2\rENTITIES\r0\rENDSEC\r0\rEOF\r",  # old Mac line ends
    "0\nSECTION\n+2\nENTITIES\n999\na comment\n   8   \n 层 \n0\nENDSEC\n0\nEOF\n",  # sign, spaces, comment
    "0\nSECTION\n\t2\t\nENTITIES\n000010\n1.5\n0020\n-0\n 1_000\nx\n1_0\n2\n20\n3\n0\nENDSEC\n0\nEOF",  # tabs, 0s, _
    "0\nSECTION\n2\nENTITIES\n0\nENDSEC\n0\nEOF\n0\nafter EOF: never read\nnot a code\n",
    "0\nSECTION\n1\n\n1\n   \n0\nEOF\n",  # empty values
])
def test_tags_are_read_as_ezdxf_reads_them(text):
    assert _tags(text) == _ezdxf_tags(text)


def test_a_code_line_int_cannot_read_stops_the_fast_reader():
    with pytest.raises(Unsupported, match="invalid group code"):
        read_tags(b"0\nSECTION\n2x\nENTITIES\n0\nEOF\n", "utf-8")


def test_a_text_without_eof_stops_the_fast_reader():
    with pytest.raises(Unsupported, match="EOF"):
        read_tags(b"0\nSECTION\n2\nENTITIES\n0\nENDSEC\n", "utf-8")


def test_a_point_without_its_y_value_stops_the_fast_reader():
    with pytest.raises(Unsupported, match="point code 10"):
        read_tags(b"0\nSECTION\n2\nENTITIES\n10\n1.0\n30\n2.0\n0\nEOF\n", "utf-8")


@pytest.mark.parametrize("value, expected", [
    ("1", 1.0), ("-0", -0.0), (".5", 0.5), ("1.", 1.0), ("1e5", 1e5), ("1E-05", 1e-05), ("+2.5", 2.5),
    ("1_0", 10.0), (" 3.25 ", 3.25), ("nan", float("nan")), ("-inf", float("-inf")), ("１２", 12.0),
    ("0.30000000000000004", 0.30000000000000004), ("123456789012345678901234567890", 1.2345678901234568e29),
])
def test_numbers_are_read_as_float_reads_them(value, expected):
    tags = read_tags(f"0\nX\n10\n{value}\n20\n0\n0\nEOF\n".encode("utf-8"), "utf-8")
    got = float(tags.floats([1])[0])
    assert np.float64(got).tobytes() == np.float64(expected).tobytes()  # same bits (-0.0, nan included)


@pytest.mark.parametrize("value", ["", "abc", "1,5", "1.2.3", "1e", "--1", "0x10"])
def test_numbers_float_refuses_stop_the_fast_reader(value):
    tags = read_tags(f"0\nX\n40\n{value}\n0\nEOF\n".encode("utf-8"), "utf-8")
    with pytest.raises(Unsupported, match="invalid number"):
        tags.check_values([1])


@pytest.mark.parametrize("value, expected", [("7", 7), (" -3 ", -3), ("+4", 4), ("5.0", 5), ("6.9", 6), ("0007", 7)])
def test_integers_are_read_as_ezdxf_reads_them(value, expected):
    tags = read_tags(f"0\nX\n70\n{value}\n0\nEOF\n".encode("utf-8"), "utf-8")
    assert int(tags.ints([1])[0]) == expected  # int(), else int(float()) as ezdxf's tag compiler


# -- (b) identical reports -------------------------------------------------------------------------------------
def _both(path: Path, **options) -> tuple[str, list]:
    """The report of ``path`` with ``--reader auto`` (JSON without the reader fields) and its readers; the
    ``--reader ezdxf`` report must be the same apart from those (:func:`oracle.same_as_ezdxf`)."""
    try:
        report = drawcheck.check(path, **options)
    except InputError as exc:
        other = None
        try:
            drawcheck.check(path, reader="ezdxf", **options)
        except InputError as exc2:
            other = str(exc2)
        assert other == str(exc)
        return str(exc), []
    other = drawcheck.check(path, reader="ezdxf", **options)
    a, b = oracle.without_reader(report.data), oracle.without_reader(other.data)
    assert a == b, _first_difference(a, b)
    assert {i.get("reader") for i in other.data["project"]["inputs"] if i["format"] == "dxf"} <= {"ezdxf"}
    return a, [(i["path"], i.get("reader"), i.get("reader_fallback")) for i in report.data["project"]["inputs"]]


def _first_difference(a: str, b: str) -> str:
    import difflib

    return "\n".join(list(difflib.unified_diff(b.splitlines(), a.splitlines(), "ezdxf", "auto", n=1, lineterm=""))[:30])


def _fast(readers: list) -> set[str]:
    return {path for path, reader, _ in readers if reader == "fast"}


@pytest.mark.parametrize("sample", sorted(p.name for p in (ROOT / "samples").iterdir() if (p / "drawcheck.toml").exists()))
def test_samples_give_the_same_report_with_either_reader(sample):
    _, readers = _both(ROOT / "samples" / sample)
    dxf = {path for path, reader, _ in readers if reader is not None}
    if sample in ("residential", "compliant", "mixed", "area-calc"):
        assert "site.dxf" in _fast(readers), readers  # the site plan went through the fast reader
    if sample == "area-calc":  # area drawings are read by their own reader, through ezdxf
        assert dxf - _fast(readers) == {"area-1.dxf", "area-2.dxf"}


def test_the_report_says_which_reader_ran():
    report = drawcheck.check(ROOT / "samples" / "residential").data
    assert report["project"]["inputs"][0]["reader"] == "fast"
    assert "reader_fallback" not in report["project"]["inputs"][0]
    report = drawcheck.check(ROOT / "samples" / "residential", reader="ezdxf").data
    assert report["project"]["inputs"][0]["reader"] == "ezdxf"


@pytest.fixture(scope="module")
def rule_fixtures(tmp_path_factory):
    from rule_fixtures import write_all

    return write_all(tmp_path_factory.mktemp("rule-fixtures"))


def test_rule_fixtures_give_the_same_report_with_either_reader(rule_fixtures):
    ran_fast = 0
    for case, folder in rule_fixtures:
        _, readers = _both(folder)
        ran_fast += bool(_fast(readers))
    assert ran_fast >= 0.9 * len(rule_fixtures), f"the fast reader read {ran_fast} of {len(rule_fixtures)} fixtures"


def _public_dxf() -> list[Path]:
    return sorted(p for folder in ("dxf", "dxf_broken") for p in (PUBLIC / folder).glob("*") if p.suffix.lower() == ".dxf")


@pytest.mark.skipif(not PUBLIC.is_dir(), reason="the public sample files (../shared/data/public) are not here")
@pytest.mark.parametrize("units", [None, "mm"])
def test_public_dxf_files_give_the_same_report_with_either_reader(units):
    fast = 0
    for path in _public_dxf():
        _, readers = _both(path, units=units)
        fast += bool(_fast(readers))
    if units:  # the files are unitless: with --units most are read fast (the damaged ones are not)
        assert fast >= 6, fast


@pytest.mark.parametrize("plan", ["stalls", "realistic", "default"])
def test_benchmark_plans_give_the_same_report_with_either_reader(plan, tmp_path):
    path = tmp_path / f"{plan}.dxf"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_large_site.py"), str(path), "--buildings", "12",
                    "--plan", plan], check=True, capture_output=True)
    _, readers = _both(path)
    assert _fast(readers) == {path.name}


#: Fuzzed inputs compared (the long harness, ``fuzz/fuzz_dxf.py``, compares as many as it runs).
VALID_EDITED = 120
BROKEN = 40


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-readers")


@pytest.mark.parametrize("start", range(0, VALID_EDITED, 30))
def test_fuzzed_valid_drawings_give_the_same_report_with_either_reader(fuzz_folder, start):
    outcomes = [oracle.check_dxf(gen_dxf.reader_input(random.Random(f"readers:{k}")), fuzz_folder, readers=True,
                                 budget=60) for k in range(start, start + 30)]
    assert outcomes.count("report-fast") >= 10, outcomes  # the comparison exercised the fast reader


def test_fuzzed_broken_drawings_give_the_same_report_or_error_with_either_reader(fuzz_folder):
    for k in range(BROKEN):
        oracle.check_dxf(gen_dxf.dxf_input(random.Random(f"readers-broken:{k}")), fuzz_folder, readers=True, budget=60)


# -- (c) which reader, and why ---------------------------------------------------------------------------------
def _plan(tmp_path: Path, insunits: int | None = 6, version: str = "R2013") -> Path:
    doc = new_doc(insunits, version)
    msp = doc.modelspace()
    add_site(msp, 100, 80)
    add_part(msp, rect(10, 10, 40, 30), "1# 6F")
    return save(doc, tmp_path)


def test_a_plain_plan_is_read_fast(tmp_path):
    loaded = load_dxf(_plan(tmp_path), reader="fast", roles=LayerRoles())
    assert loaded.reader == "fast" and loaded.fallback is None


def test_binary_dxf_falls_back_to_ezdxf(tmp_path):
    doc = ezdxf.readfile(_plan(tmp_path))
    path = tmp_path / "binary.dxf"
    doc.saveas(path, fmt="bin")
    loaded = load_dxf(path, reader="auto", roles=LayerRoles())
    assert (loaded.reader, loaded.fallback) == ("ezdxf", "binary DXF")
    with pytest.raises(ReadError, match=r"^binary\.dxf: the fast reader cannot read it \(binary DXF\); use --reader auto"):
        load_dxf(path, reader="fast", roles=LayerRoles())


def test_a_unitless_plan_is_read_fast_only_with_units(tmp_path):
    """The unit guess measures the whole model space with ezdxf's bounding boxes when no site layer holds
    an outline: the fast reader leaves unitless drawings to ezdxf unless --units is given."""
    path = _plan(tmp_path, insunits=None)
    loaded = load_dxf(path, reader="auto", roles=LayerRoles())
    assert loaded.reader == "ezdxf" and "unitless" in loaded.fallback
    assert load_dxf(path, reader="auto", roles=LayerRoles(), units="m").reader == "fast"


def test_a_damaged_file_is_left_to_ezdxf_recover(tmp_path):
    text = _plan(tmp_path).read_text(encoding="utf-8")
    damaged = tmp_path / "damaged.dxf"
    damaged.write_text(text.replace("ENDSEC", "ENDSEK", 1), encoding="utf-8")  # ezdxf's plain read refuses it
    loaded = load_dxf(damaged, reader="auto", roles=LayerRoles())
    assert loaded.reader == "ezdxf" and loaded.fallback


def test_reader_fast_refuses_in_one_line_on_the_command_line(tmp_path):
    doc = ezdxf.readfile(_plan(tmp_path))
    path = tmp_path / "binary.dxf"
    doc.saveas(path, fmt="bin")
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(path), "--reader", "fast"],
                          capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"})
    assert proc.returncode == 2
    assert proc.stderr.startswith("drawcheck: binary.dxf: the fast reader cannot read it (binary DXF)")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_entities_on_layers_without_a_role_are_not_built_by_ezdxf(tmp_path):
    """What makes the reader fast: the annotation ezdxf never builds, the outlines it never builds either."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80)
    add_part(msp, rect(10, 10, 40, 30), "1# 6F")
    for k in range(20):
        msp.add_line((k, 0), (k, 5), dxfattribs={"layer": "标注"})
        msp.add_text(f"{k}.50", dxfattribs={"layer": "标注", "insert": (k, 6)})
    loaded = load_dxf(save(doc, tmp_path), reader="fast", roles=LayerRoles())
    light = [e for e in loaded.doc.modelspace() if type(e).__module__.endswith("dxf_light")]
    built = [e for e in loaded.doc.modelspace() if e not in light]
    assert len(light) == 42  # 20 lines, 20 texts, the building outline and its label
    assert [e.dxftype() for e in built] == ["LWPOLYLINE"]  # the site outline (the unit vote may measure it)
    assert [e.dxf.layer for e in built] == ["用地红线"]


def test_a_site_plan_with_area_layer_names_says_why_ezdxf_read_it(tmp_path):
    """Bytes holding 面积- make the pipeline load the drawing with ezdxf to tell whether it is an area
    drawing; a site plan after all is read from that load under auto, and by the fast reader under fast."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 80)
    add_part(msp, rect(10, 10, 40, 30), "1# 6F")
    msp.add_lwpolyline(rect(10, 10, 40, 30), close=True, dxfattribs={"layer": "面积-计容-住宅-1"})
    path = save(doc, tmp_path)
    (row,) = drawcheck.check(path).data["project"]["inputs"]
    assert row["reader"] == "ezdxf" and "area-calculation" in row["reader_fallback"]
    (row,) = drawcheck.check(path, reader="fast").data["project"]["inputs"]
    assert row["reader"] == "fast" and "reader_fallback" not in row
    _both(path)


def test_a_fallback_reason_quoting_undecodable_bytes_is_written_as_utf8(tmp_path):
    """Found by the reader fuzzing: the reason may quote the file (an unknown section name in GBK bytes)."""
    text = _plan(tmp_path).read_bytes().replace(b"OBJECTS", "对象".encode("gbk"), 1)
    path = tmp_path / "odd.dxf"
    path.write_bytes(text)
    report = drawcheck.check(path)
    (row,) = report.data["project"]["inputs"]
    assert row["reader"] == "ezdxf" and "\ufffd" in row["reader_fallback"]
    report.to_json().encode("utf-8")


def test_a_layer_named_empty_in_the_table_is_surveyed(tmp_path):
    """Found by the reader fuzzing (both readers raised KeyError before): a LAYER table entry named ''."""
    doc = new_doc()
    doc.layers.add("EMPTY-NAME")
    add_site(doc.modelspace(), 100, 80)
    path = save(doc, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "\n  2\nEMPTY-NAME\n" in text
    path.write_text(text.replace("\n  2\nEMPTY-NAME\n", "\n  2\n\n"), encoding="utf-8")
    _both(path)


def test_an_escape_ezdxf_cannot_decode_is_left_to_ezdxf(tmp_path):
    """Found by the DXF fuzzer: ``\\U+`` followed by non-ASCII 'hex digits' makes ezdxf's decoder raise."""
    path = _plan(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("1# 6F", "1# 6F \\U+7EFF\\U+7Ôa2"), encoding="utf-8")
    with pytest.raises(ReadError, match="escape ezdxf cannot decode"):
        load_dxf(path, reader="fast", roles=LayerRoles())
    error, _ = _both(path)  # auto leaves it to ezdxf, which cannot read it either: the same error
    assert "could not be recovered" in error


# -- (d) runs of polylines, taken at once ------------------------------------------------------------------------
def _stall(x: float, y: float) -> list[tuple[float, float]]:
    return rect(x, y, x + 2.5, y + 5.3)


def _runs_plan(tmp_path: Path) -> tuple[Path, dict]:
    """A plan whose model space holds stretches of LWPOLYLINEs on one layer: plain ones the survey, the unit
    vote and the walk take whole, and ones with something to note, which they read member by member.
    Returns the path and, per stretch, (layer, members) in the file's order."""
    doc = new_doc()
    doc.layers.add("隐藏").off()
    msp = doc.modelspace()
    add_site(msp, 400, 300)
    add_part(msp, rect(10, 10, 40, 30), "1# 6F")
    rows = []

    def row(layer: str, n: int, y: float, edit=None, **attribs) -> None:
        for k in range(n):
            points = _stall(60 + 3 * k, y)
            closed = True
            if edit is not None:
                points, closed = edit(k, points)
            add_poly(msp, points, layer, closed=closed, **attribs)
        rows.append((layer, n))
        msp.add_text(f"row {len(rows)}", dxfattribs={"layer": "标注", "insert": (50, y)})  # ends the stretch

    row(PARKING, 12, 10)  # plain
    row(PARKING, 12, 20)
    row(PARKING, 10, 30, lambda k, p: (p, k != 4))  # one open stall: a loose piece
    row(PARKING, 9, 40, lambda k, p: ([(*p[0], 0.3), *p[1:]] if k == 2 else p, True))  # one arc
    row(PARKING, 8, 50, lambda k, p: ([*p, p[0]], k != 7))  # the last: ends meet, not flagged closed
    row(PARKING, 8, 60, lambda k, p: (p[:2] if k == 0 else p, True))  # a two-vertex stall
    row(PARKING, 8, 70, lambda k, p: ([(float("nan"), 70.0), *p[1:]] if k == 5 else p, True))  # not finite
    row(GREEN, 9, 80)
    row(BLDG, 8, 90)
    row("家具", 20, 100)  # no role
    row("隐藏", 10, 110)  # no role, off
    row(INDICATORS, 8, 120)
    row(PARKING, 8, 130, extrusion=(0, 0, -1))  # mirrored OCS: never a run
    row(PARKING, 7, 140)  # too short for a run
    return save(doc, tmp_path), rows


def test_runs_of_polylines_give_the_same_model_and_report_as_ezdxf(tmp_path, monkeypatch):
    from drawcheck.readers.dxf_entities import DxfWalker
    from drawcheck.readers.dxf_light import RUN_MIN

    taken = []  # the runs the walk takes whole: (layer, members, read as outlines)
    whole = DxfWalker._run
    monkeypatch.setattr(DxfWalker, "_run", lambda self, run: (
        taken.append((run.run.layer, len(run), run.rows is not None)), whole(self, run))[1])
    path, rows = _runs_plan(tmp_path)
    loaded = load_dxf(path, reader="fast", roles=LayerRoles())
    assert loaded.reader == "fast"
    runs = [(e.run.layer, len(e.run)) for e in loaded.doc.modelspace() if getattr(e, "run", None) is not None]
    # every row of RUN_MIN or more without an extrusion (a text after each row ends its stretch)
    assert runs == [(layer, n) for layer, n in rows[:-2] if n >= RUN_MIN]
    project = read(path)  # both readers: the same model (dxf_builders.read)
    # the rows with an open, curved, unflagged, two-vertex or non-finite stall are walked member by member
    assert taken == [(PARKING, 12, True), (PARKING, 12, True), (GREEN, 9, True), (BLDG, 8, True),
                     ("家具", 20, False), ("隐藏", 10, False), (INDICATORS, 8, False)]
    # 12 + 12 plain, 9 of 10 closed (the open one is a piece), 9 with the arc, 8 (the last closed by its
    # ends meeting), 7 (the two-vertex one skipped), 7 (the non-finite one skipped), 8 mirrored, 7 short
    assert len(project.parking) == 12 + 12 + 9 + 9 + 8 + 7 + 7 + 8 + 7
    assert len(project.green) == 9
    assert codes(project) >= {"closed-by-coincidence", "degenerate-outline", "invalid-coordinates"}
    _both(path)


@pytest.mark.parametrize("limit, value, error", [
    ("max_entities", 153, True), ("max_entities", 154, False),  # the plan holds 154 entities
    ("max_vertices", 21, True),  # the 4th stall of the first run (the site and the part come first: 8 vertices)
    ("max_vertices", 55, True),  # the last stall of the first run
    ("max_vertices", 60, True),  # the 2nd stall of the second run
])
def test_limits_reached_inside_a_run_stop_the_read_as_they_do_member_by_member(tmp_path, limit, value, error):
    """The entity and vertex limits count a run's members one by one: the same error as ezdxf's walk."""
    path, rows = _runs_plan(tmp_path)
    assert 3 + sum(n + 1 for _, n in rows) == 154
    message, readers = _both(path, limits={limit: value})
    if error:
        assert readers == [] and f"more than {value} {'entities' if limit == 'max_entities' else 'vertices'}" in message
    else:
        assert _fast(readers) == {"site.dxf"}


def test_runs_are_surveyed_as_ezdxf_entities_are(tmp_path):
    """The layer survey (``drawcheck layers``, role inference) of a run equals that of its members one by one:
    counts by type, closed outlines (flagged or ends meeting), texts, extents (0 for the non-finite stall)."""
    from drawcheck.readers.layer_survey import survey_layers

    path, _ = _runs_plan(tmp_path)

    def layers(reader: str) -> list:
        loaded = load_dxf(path, reader=reader, roles=LayerRoles())
        assert loaded.reader == reader
        return [(x.name, dict(x.counts), x.closed, x.text_count, x.texts, x.extent, x.hidden, x.role, x.match)
                for x in survey_layers(loaded.doc, LayerRoles()).layers]

    fast = layers("fast")
    assert fast == layers("ezdxf")
    parking = next(x for x in fast if x[0] == PARKING)
    assert parking[1] == {"LWPOLYLINE": 12 + 12 + 10 + 9 + 8 + 8 + 8 + 8 + 7}
    assert parking[2] == 12 + 12 + 9 + 9 + 8 + 8 + 8 + 8 + 7  # the open stall is the only one not closed
    assert parking[5] == pytest.approx(5.3)  # the tallest stall side (the arc's bulge aside)
