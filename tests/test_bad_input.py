"""The bad-input promise (README "Bad and hostile input"): every input gives a report or one line and exit 2.

Each case runs ``drawcheck check`` as a user would and asserts the exit code,
the message (one ``drawcheck:`` line on stderr, nothing on stdout, or a JSON
report naming the damage as a ``qa`` finding), that no traceback appears,
and that nothing was written beside the input. Cases already held elsewhere
are not repeated here:

- missing, empty, random bytes, PDF renamed .dxf, DWG: ``test_dxf_reader.py::test_unreadable_files_exit_2_with_one_line``
- NaN and 1e300 coordinates, self-intersecting and zero-area outlines, a block
  inserting itself, GBK drawings and undecodable TEXT: ``test_dxf_reader.py``
- the damaged ezdxf files, repairs reported one by one: ``test_dxf_public_files.py``
- truncated IFC, IFC garbage, a crashing or stalling geometry kernel: ``test_ifc_reader.py``
"""

from __future__ import annotations

import json
import math
import subprocess
import time
from pathlib import Path

import ezdxf
import numpy as np
import pytest

import drawcheck
from cli_checks import refused
from dxf_builders import BLDG, CLI, GREEN, ROOT, add_part, add_poly, add_site, new_doc, rect, save

PUBLIC_BROKEN = ROOT.parent / "shared/data/public/dxf_broken"
SAMPLES = ROOT / "samples"
#: Seconds any one check here may take (the million-vertex polyline takes ~12 s).
BUDGET = 60


# -- helpers ------------------------------------------------------------------------------------------
def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (to see that nothing else was written)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run(path: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    """``drawcheck check PATH --format json ARGS`` (bytes out: a report must be valid UTF-8 itself)."""
    return subprocess.run([str(CLI), "check", str(path), "--format", "json", *args], capture_output=True,
                          timeout=BUDGET, cwd=ROOT, env=env)


def reported(proc: subprocess.CompletedProcess) -> dict:
    """Exit 0 or 1, a report on stdout that is valid UTF-8 JSON, nothing on stderr."""
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 1), (proc.returncode, err)
    assert err == "", err
    return json.loads(proc.stdout.decode("utf-8"))


def checked(path: Path) -> dict:
    """The report of ``path`` in-process (where the CLI is not the point: ~2 s faster), as valid UTF-8 JSON."""
    return json.loads(drawcheck.check(path).to_json().encode("utf-8"))


def qa(report: dict, code: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == f"qa:{code}"]


def handles(findings: list[dict]) -> set[str]:
    return {s["handle"] for f in findings for s in f["sources"]}


def small_site(tmp_path: Path, name: str = "site.dxf", **kw) -> tuple[Path, object]:
    doc = new_doc(**kw)
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    part = add_part(msp, rect(10, 10, 30, 30), "1# 3F")
    return save(doc, tmp_path, name), part


# -- not a drawing at all ---------------------------------------------------------------------------
def _utf16(tmp_path: Path) -> Path:  # Notepad's "Unicode": a valid DXF text in UTF-16
    path, _ = small_site(tmp_path)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return path


def _truncated_binary(tmp_path: Path) -> Path:
    doc = new_doc()
    add_site(doc.modelspace(), 100, 100)
    path = tmp_path / "site.dxf"
    doc.saveas(path, fmt="bin")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


UNREADABLE = {
    # name: (make(tmp_path) -> path, fragments of the one line)
    "dwg-renamed-dxf": (lambda t: _write(t / "site.dxf", b"AC1032" + bytes(range(256)) * 8),
                        ("site.dxf: a DWG that ezdwg", "cannot read", "ODA File Converter", "dwg2dxf")),
    "whitespace-only": (lambda t: _write(t / "site.dxf", b" \r\n\t\n" * 100), ("site.dxf: the file is empty",)),
    "utf16-dxf": (_utf16, ("site.dxf: not a DXF file",)),
    "binary-dxf-truncated": (_truncated_binary, ("site.dxf: damaged binary DXF",)),
    "dxf-named-ifc": (lambda t: _write(t / "model.ifc", small_site(t)[0].read_bytes()),
                      ("model.ifc: not an IFC (STEP) file",)),
    "ifc-header-named-dxf": (lambda t: _write(t / "site.dxf", b"ISO-10303-21;\nHEADER;\n"),
                             ("site.dxf: truncated IFC file",)),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", UNREADABLE)
def test_unreadable_input_is_one_line_and_exit_2(tmp_path, case):
    make, fragments = UNREADABLE[case]
    path = make(tmp_path)
    before = tree(tmp_path)
    refused(run(path), *fragments)
    assert tree(tmp_path) == before


def test_binary_dxf_reads_like_its_ascii_twin(tmp_path):
    ascii_path, part = small_site(tmp_path, "ascii.dxf")
    doc = ezdxf.readfile(ascii_path)
    binary = tmp_path / "binary.dxf"
    doc.saveas(binary, fmt="bin")
    assert binary.read_bytes().startswith(b"AutoCAD Binary DXF")
    a, b = reported(run(ascii_path)), reported(run(binary))
    assert b["indicators"]["site_area"]["value"] == a["indicators"]["site_area"]["value"] == pytest.approx(10000.0)
    assert [x["id"] for x in b["buildings"]] == ["1#"]


@pytest.mark.parametrize("fraction", [0.02, 0.2, 0.45, 0.6, 0.8, 0.97])
def test_truncated_dxf_is_repaired_and_said_or_refused(tmp_path, fraction):
    """Cut anywhere: either exit 2 with one line, or a report whose qa:dxf-repaired says the read failed."""
    path, _ = small_site(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    before = tree(tmp_path)
    proc = run(path)
    if proc.returncode == 2:
        refused(proc, "site.dxf: ")
    else:
        report = reported(proc)
        assert any("read with ezdxf.recover" in f["message"] for f in qa(report, "dxf-repaired")), report["findings"]
        marked = subprocess.run([str(CLI), "check", str(path), "--format", "dxf"], capture_output=True,
                                timeout=BUDGET, cwd=ROOT)  # the markup must read the drawing as the checker did
        assert marked.returncode in (0, 1) and marked.stderr == b"", marked.stderr.decode("utf-8", "replace")
        assert b"DRAWCHECK-REVIEW" in marked.stdout
    assert tree(tmp_path) == before


@pytest.mark.parametrize("fraction", [0.001, 0.3, 0.99])
def test_truncated_ifc_is_refused_wherever_it_is_cut(tmp_path, fraction):
    data = (SAMPLES / "residential-ifc" / "model.ifc").read_bytes()
    path = _write(tmp_path / "model.ifc", data[: max(int(len(data) * fraction), 16)])
    refused(run(path), "model.ifc: truncated IFC file")
    assert list(tree(tmp_path)) == ["model.ifc"]


@pytest.mark.skipif(not PUBLIC_BROKEN.is_dir(), reason=f"public damaged DXF files not found at {PUBLIC_BROKEN}")
@pytest.mark.parametrize("name", sorted(p.name for p in PUBLIC_BROKEN.iterdir()) if PUBLIC_BROKEN.is_dir() else [])
def test_damaged_public_files_report_in_every_format(tmp_path, name):
    """Read from shared/data/public (never copied); html, sarif, junit and the marked-up DXF render from the report.

    The markup re-reads the damaged drawing the way the reader did (``recover`` when the plain read fails)."""
    out = tmp_path / "out"
    start = time.monotonic()
    proc = subprocess.run([str(CLI), "check", str(PUBLIC_BROKEN / name), "--format", "json,html,sarif,junit,dxf",
                           "--out", str(out)], capture_output=True, timeout=BUDGET, cwd=ROOT)
    assert time.monotonic() - start < BUDGET
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    assert proc.stderr.decode("utf-8").startswith("wrote ") and "Traceback" not in proc.stderr.decode("utf-8")
    assert sorted(tree(out)) == ["report.dxf", "report.html", "report.json", "report.junit.xml", "report.sarif"]
    json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    assert "DRAWCHECK-REVIEW" in ezdxf.readfile(out / "report.dxf").layers
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["findings"] is not None


# -- numbers that are not coordinates ------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("entity", ["LINE", "ARC"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e300"])
def test_non_finite_road_line_is_skipped_and_named(tmp_path, entity, value):
    """Found by fuzzing: a LINE on the road red line layer with a NaN end reached the setbacks as NaN."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    add_part(msp, rect(10, 10, 30, 30), "1# 3F")
    if entity == "LINE":
        bad = msp.add_line((0, -5), (77.25, -5), dxfattribs={"layer": "道路红线"})
    else:
        bad = msp.add_arc((50, -300), 77.25, 60, 120, dxfattribs={"layer": "道路红线"})
    msp.add_line((0, -10), (100, -10), dxfattribs={"layer": "道路红线"})  # the good road line
    path = save(doc, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("\n77.25\n") == 1
    path.write_text(text.replace("\n77.25\n", f"\n{value}\n"), encoding="utf-8")
    report = checked(path)
    assert handles(qa(report, "invalid-coordinates")) == {bad.dxf.handle}
    road = [s for s in report["setbacks"] if s["to"] == "road_redline"]
    assert [s["distance"] for s in road] == [pytest.approx(20.0)]  # 1# (y = 10) to the good line at y = -10


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "1e300", "-1e13"])
def test_non_finite_or_absurd_vertex_skips_that_outline_only(tmp_path, value):
    # (NaN and 1e300 through the reader: test_dxf_reader.py::test_nan_coordinates, ::test_absurd_coordinates_...)
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    bad = add_poly(msp, [(11.5, 11.5), (20, 10), (20, 20)], GREEN)
    good = add_poly(msp, rect(40, 40, 50, 50), GREEN)
    path = save(doc, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("\n11.5\n") == 2  # x and y of the bad outline's first vertex
    path.write_text(text.replace("\n11.5\n", f"\n{value}\n", 1), encoding="utf-8")
    report = checked(path)
    assert handles(qa(report, "invalid-coordinates")) == {bad.dxf.handle}
    assert report["indicators"]["green_area"]["value"] == pytest.approx(100.0)  # the good one, 10 x 10
    assert good.dxf.handle not in handles(report["findings"])


def test_arcs_too_large_for_a_site_plan_are_refused_quickly(tmp_path):
    """Found by fuzzing: a bulge of 5e299 divided by zero; a 1e9 m circle took minutes to densify."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    bulge = add_poly(msp, [(10, 10, 5e299), (40, 10, 0), (40, 30, 0), (10, 30, 0)], GREEN)
    circle = msp.add_circle((0, 0), 1e9, dxfattribs={"layer": GREEN})
    spline = msp.add_spline(dxfattribs={"layer": GREEN})  # a control point at 1e300 stalled the flattening
    spline.set_closed([(1e300, 50, 0), (40, 48, 0), (42, 58, 0), (32, 60, 0)])
    ellipse = msp.add_ellipse((1e300, 0), major_axis=(10, 0), ratio=0.5, dxfattribs={"layer": GREEN})
    kept = msp.add_circle((50, 50), 5, dxfattribs={"layer": GREEN})
    start = time.monotonic()
    report = reported(run(save(doc, tmp_path)))
    assert time.monotonic() - start < 30
    assert handles(qa(report, "invalid-coordinates")) == {bulge.dxf.handle, circle.dxf.handle, spline.dxf.handle,
                                                          ellipse.dxf.handle}
    assert kept.dxf.handle not in handles(report["findings"])
    assert report["indicators"]["green_area"]["value"] == pytest.approx(25 * math.pi, abs=0.01)


def test_unreadable_insunits_is_read_as_unitless_and_said(tmp_path):
    path, _ = small_site(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("$INSUNITS\n 70\n6\n") == 1
    path.write_text(text.replace("$INSUNITS\n 70\n6\n", "$INSUNITS\n  1\nBLDG\n"), encoding="utf-8")
    report = checked(path)
    assert any("$INSUNITS is 'BLDG'" in f["message"] for f in qa(report, "dxf-load"))
    assert qa(report, "units-guessed")


def test_entity_without_a_layer_inside_a_block_is_named(tmp_path):
    """Found by fuzzing: an unknown entity type in a block has no layer attribute; it crashed the walk."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    add_poly(doc.blocks.new("B"), rect(0, 0, 5, 5), "0")
    ref = msp.add_blockref("B", (10, 10), dxfattribs={"layer": GREEN})
    path = save(doc, tmp_path)
    text = path.read_text(encoding="utf-8")
    at = text.index("LWPOLYLINE", text.index("\nB\n", text.index("BLOCK\n")))
    path.write_text(text[:at] + "LWXOLYLINE" + text[at + len("LWPOLYLINE"):], encoding="utf-8")
    report = checked(path)
    (unreadable,) = qa(report, "unreadable-entity")
    assert "LWXOLYLINE" in unreadable["message"] and handles([unreadable]) == {ref.dxf.handle}


# -- blocks --------------------------------------------------------------------------------------------
def _nested(tmp_path: Path, depth: int) -> tuple[Path, str]:
    """A 2 x 3 rectangle inside ``depth`` blocks, each inserting the one before (the cycle: test_dxf_reader)."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    add_poly(doc.blocks.new("B0"), rect(0, 0, 2, 3), "0")
    for k in range(1, depth):
        doc.blocks.new(f"B{k}").add_blockref(f"B{k - 1}", (1, 1))
    top = msp.add_blockref(f"B{depth - 1}", (10, 10), dxfattribs={"layer": GREEN})
    return save(doc, tmp_path), top.dxf.handle


@pytest.mark.parametrize("depth", [50, 64])
def test_deep_block_nesting_within_the_limit_is_read(tmp_path, depth):
    path, _ = _nested(tmp_path, depth)
    report = checked(path)
    assert not qa(report, "block-depth")
    assert report["indicators"]["green_area"]["value"] == pytest.approx(6.0)


@pytest.mark.parametrize("depth", [65, 70])
def test_block_nesting_beyond_64_is_a_finding(tmp_path, depth):
    path, top = _nested(tmp_path, depth)
    report = checked(path)
    (deep,) = qa(report, "block-depth")
    assert "deeper than 64" in deep["message"] and handles([deep]) == {top}
    assert report["indicators"]["green_area"]["value"] == 0.0  # not counted, and said so


# -- size ----------------------------------------------------------------------------------------------
MILLION = 1_000_000


@pytest.fixture(scope="module")
def million_vertex_dxf(tmp_path_factory) -> Path:
    """A site plus a green circle of radius 500 m drawn as one LWPOLYLINE of a million vertices (31 MB).

    Written by text substitution: ezdxf takes minutes to build such an entity.
    """
    folder = tmp_path_factory.mktemp("million")
    doc = new_doc()
    add_site(doc.modelspace(), 2000, 2000)
    add_poly(doc.modelspace(), [(0, 0), (1, 0), (1, 1)], GREEN)
    path = save(doc, folder)
    small = " 90\n3\n 70\n1\n 10\n0.0\n 20\n0.0\n 10\n1.0\n 20\n0.0\n 10\n1.0\n 20\n1.0\n"
    text = path.read_text(encoding="utf-8")
    assert text.count(small) == 1
    angles = np.arange(MILLION) * (2 * math.pi / MILLION)
    xy = np.column_stack([1000 + 500 * np.cos(angles), 1000 + 500 * np.sin(angles)])
    body = "".join(f" 10\n{x:.6f}\n 20\n{y:.6f}\n" for x, y in xy.tolist())
    path.write_text(text.replace(small, f" 90\n{MILLION}\n 70\n1\n{body}"), encoding="utf-8")
    return path


def test_million_vertex_polyline_within_the_budget(million_vertex_dxf):
    start = time.monotonic()
    report = reported(run(million_vertex_dxf))
    assert time.monotonic() - start < BUDGET
    # a regular million-gon of radius 500: (n/2) r² sin(2π/n) = π r² within 1e-11
    assert report["indicators"]["green_area"]["value"] == pytest.approx(math.pi * 500 ** 2, abs=0.01)


def test_million_vertex_polyline_refused_by_a_lower_vertex_limit(million_vertex_dxf):
    before = tree(million_vertex_dxf.parent)
    refused(run(million_vertex_dxf, "--max-vertices", "100000"),
            "site.dxf: more than 100000 vertices", "--max-vertices")
    assert tree(million_vertex_dxf.parent) == before


# -- text encodings ------------------------------------------------------------------------------------
# (a valid GBK drawing and an undecodable TEXT: test_dxf_reader.py::test_gbk_r2000_drawing, ::test_undecodable_text_is_named)
def test_unknown_code_page_is_a_finding(tmp_path):
    doc = new_doc(dxfversion="R2000")
    doc.encoding = "gbk"
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    add_part(msp, rect(10, 10, 30, 30), "1# 3F")
    path = save(doc, tmp_path)
    data = path.read_bytes()
    assert data.count(b"ANSI_936") == 1
    path.write_bytes(data.replace(b"ANSI_936", b"ANSI_9999"))
    report = checked(path)
    assert any("$DWGCODEPAGE 'ANSI_9999' is not a known code page" in f["message"]
               for f in qa(report, "undecodable-text"))


def test_undecodable_layer_name_is_named_not_dropped_silently(tmp_path):
    """GBK bytes in a UTF-8 (R2013) drawing's layer name: no role matches; the report says so."""
    path, part = small_site(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data.replace(BLDG.encode("utf-8"), BLDG.encode("gbk")))
    report = checked(path)
    assert any("match no layer role" in f["message"] for f in qa(report, "undecodable-text"))
    assert report["buildings"] == []


def test_undecodable_names_are_written_as_valid_utf8_in_every_format(tmp_path):
    """Found here: a hidden layer with GBK bytes put lone surrogates in the report: invalid UTF-8 JSON on
    stdout and a UnicodeEncodeError traceback with --out."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    doc.layers.add("HIDDEN").off()
    add_poly(msp, rect(40, 40, 50, 50), "HIDDEN")
    path = save(doc, tmp_path, "site.dxf")
    path.write_bytes(path.read_bytes().replace(b"HIDDEN", "隐藏".encode("gbk")))
    report = reported(run(path))
    assert any("\ufffd" in f["message"] for f in qa(report, "hidden-layers"))
    out = tmp_path / "out"
    proc = subprocess.run([str(CLI), "check", str(path), "--format", "json,html,sarif,junit", "--out", str(out)],
                          capture_output=True, timeout=BUDGET, cwd=ROOT)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr.decode("utf-8", "replace")
    for name in ("report.json", "report.html", "report.sarif", "report.junit.xml"):
        (out / name).read_bytes().decode("utf-8")  # strict



def test_blocks_inserting_blocks_many_times_over_are_refused_before_the_walk(tmp_path):
    """Found by fuzzing ("billion laughs"): 10 levels of 10 inserts each = 10^10 entities; walking took minutes."""
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    add_poly(doc.blocks.new("L0"), rect(0, 0, 1, 1), "0")
    for level in range(1, 11):
        block = doc.blocks.new(f"L{level}")
        for k in range(10):
            block.add_blockref(f"L{level - 1}", (k, 0))
    msp.add_blockref("L10", (0, 0), dxfattribs={"layer": GREEN})
    path = save(doc, tmp_path)
    before = tree(tmp_path)
    start = time.monotonic()
    refused(run(path), "site.dxf: more than 2000000 entities once blocks are expanded", "--max-entities")
    assert time.monotonic() - start < 20
    assert tree(tmp_path) == before
