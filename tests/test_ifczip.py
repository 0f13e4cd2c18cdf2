"""``.ifczip`` inputs: the one model inside is read as if it were submitted unzipped; bad archives are one line.

Expected values come from the unzipped sample checked the ordinary way.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import drawcheck
from cli_checks import refused

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "samples" / "residential-ifc" / "model.ifc"


def cli(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drawcheck", "check", str(path), "--format", "json", *args],
                          capture_output=True, text=True, timeout=300)


def zipped(target: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(target, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def plain() -> dict:
    return drawcheck.check(MODEL).data


def test_ifczip_reads_like_the_model_inside(tmp_path, plain):
    archive = zipped(tmp_path / "model.ifczip", {"model.ifc": MODEL.read_bytes()})
    report = drawcheck.check(archive).data
    for key in ("indicators", "buildings", "setbacks", "spacing", "findings"):  # sources name the submitted file
        assert json.dumps(report[key]).replace("model.ifczip", "model.ifc") == json.dumps(plain[key]), key
    (row,) = report["project"]["inputs"]
    assert row["path"] == "model.ifczip" and row["format"] == "ifc" and row["schema"] == "IFC4"
    assert tree(tmp_path) == ["model.ifczip"]  # unpacked elsewhere, and removed


def test_ifczip_in_a_submission_folder_and_a_batch(tmp_path, plain):
    sub = tmp_path / "subs" / "zipped"
    sub.mkdir(parents=True)
    zipped(sub / "b.ifczip", {"dir/b.ifc": MODEL.read_bytes()})
    (sub / "drawcheck.toml").write_text('[project]\nname = "z"\ninputs = ["b.ifczip"]\n', encoding="utf-8")
    zipped(tmp_path / "subs" / "loose.ifczip", {"loose.ifc": MODEL.read_bytes()})
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "batch", str(tmp_path / "subs"), "--out", str(out),
                           "--no-progress", "--fail-on", "never"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in ("zipped", "loose"):
        report = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
        assert report["indicators"] == plain["indicators"], name


@pytest.mark.parametrize("members, fragments", [
    ({}, ("holds 0 .ifc files (none)",)),
    ({"readme.txt": b"hello"}, ("holds 0 .ifc files",)),
    ({"a.ifc": b"x", "b/c.IFC": b"y"}, ("holds 2 .ifc files (a.ifc, b/c.IFC)", "exactly one")),
])
def test_archive_without_exactly_one_model_is_refused(tmp_path, members, fragments):
    refused(cli(zipped(tmp_path / "m.ifczip", members)), "m.ifczip: ", *fragments)


def test_model_inside_is_checked_like_a_plain_one(tmp_path):
    archive = zipped(tmp_path / "m.ifczip", {"m.ifc": MODEL.read_bytes()[:5000]})
    refused(cli(archive), "m.ifczip: m.ifc: truncated IFC file")


def test_zip_bomb_stops_at_the_byte_limit(tmp_path):
    """40 MB of zeros deflate to ~40 kB; the limit holds for the unpacked size, whatever the header says."""
    archive = zipped(tmp_path / "bomb.ifczip", {"bomb.ifc": b"ISO-10303-21;\n" + bytes(40_000_000)})
    assert archive.stat().st_size < 100_000
    refused(cli(archive, "--max-bytes", "10000000"), "bomb.ifczip: bomb.ifc unpacks to 40000014 bytes",
            "limit of 10000000 bytes")
    # a header that understates the size: caught while unpacking
    data = bytearray(archive.read_bytes())
    for offset in _size_fields(data, 40_000_014):
        data[offset:offset + 4] = (1000).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    line = refused(cli(archive, "--max-bytes", "10000000"), "bomb.ifczip: bomb.ifc")
    assert "more than the limit of 10000000 bytes" in line or "cannot be unpacked" in line


def _size_fields(data: bytearray, size: int) -> list[int]:
    """Offsets of the uncompressed-size fields (local header at +22, central directory at +24)."""
    packed = size.to_bytes(4, "little")
    found = []
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        assert start >= 0 and data[start + at:start + at + 4] == packed
        found.append(start + at)
    return found


def test_names_in_the_archive_never_reach_the_file_system(tmp_path, plain):
    sub = tmp_path / "sub"
    sub.mkdir()
    archive = zipped(sub / "m.ifczip", {"../../escaped.ifc": MODEL.read_bytes()})
    report = drawcheck.check(archive).data
    assert report["indicators"] == plain["indicators"]
    assert tree(tmp_path) == ["sub", "sub/m.ifczip"]


@pytest.mark.parametrize("name, data, fragments", [
    ("broken.ifczip", b"PK\x03\x04" + b"\x00" * 60, ("broken.ifczip: not a readable ZIP archive",)),
    ("plan.ifczip", b"0\nSECTION\n2\nHEADER\n0\nENDSEC\n0\nEOF\n", ("plan.ifczip: not an .ifczip (ZIP) archive",)),
])
def test_not_an_archive_is_refused(tmp_path, name, data, fragments):
    path = tmp_path / name
    path.write_bytes(data)
    refused(cli(path), *fragments)


def test_a_zip_named_dxf_says_so(tmp_path):
    refused(cli(zipped(tmp_path / "site.dxf", {"site.dxf": b"0\nEOF\n"})), "site.dxf: a ZIP archive, not a DXF drawing")
