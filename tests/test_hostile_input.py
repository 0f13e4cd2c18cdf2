"""Hostile input (README "Bad and hostile input"): a submission may be written to attack the checker.

- manifests and packs cannot reach outside their submission folder;
- ``--out`` writes its report files and nothing else, anywhere;
- manifests and packs are data: nothing in them is evaluated or formatted as code;
- drawing text is escaped in every output format;
- size limits have defaults and refuse with one line naming the limit.

Each case asserts the exit code, the message, and what was (not) written.
Held elsewhere, not repeated: ``..``/absolute paths, symlinks out and link
loops through ``load_manifest`` (``test_manifest.py``), escaping of report
fields in the HTML page and JUnit (``test_html_report.py::test_report_text_is_escaped``,
``test_ci_formats.py::test_junit_escapes_everything``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import ezdxf
import pytest

from drawcheck.manifest import Limits
from cli_checks import refused
from dxf_builders import CLI, INDICATORS, ROOT, add_part, add_poly, add_site, add_text, new_doc, rect, save

EVIL = "<script>alert(1)</script>&\"'"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() and not p.is_symlink() else b"<link>")
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


def run(path: Path, *args: str, fmt: str = "json") -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), "check", str(path), "--format", fmt, *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


@pytest.fixture
def submission(tmp_path) -> Path:
    """tmp/sub: a small drawing and its manifest; tmp/secret.dxf lies outside it."""
    sub = tmp_path / "sub"
    sub.mkdir()
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 100, 100)
    add_part(msp, rect(10, 10, 30, 30), "1# 3F")
    save(doc, sub)
    (sub / "drawcheck.toml").write_text('[project]\ninputs = ["site.dxf"]\n', encoding="utf-8")
    shutil.copy(sub / "site.dxf", tmp_path / "secret.dxf")
    return sub


def manifest(sub: Path, text: str) -> None:
    (sub / "drawcheck.toml").write_text(text, encoding="utf-8")


# -- nothing outside the submission folder ---------------------------------------------------------------
ESCAPES = {
    # name: (manifest text, link to create in the folder (name, target relative to tmp), fragments)
    "dotdot-input": ('[project]\ninputs = ["../../etc/passwd"]\n', None, ("leaves the submission folder",)),
    "dotdot-sibling": ('[project]\ninputs = ["sub2/../../secret.dxf"]\n', None, ("leaves the submission folder",)),
    "absolute-input": ('[project]\ninputs = ["/etc/passwd"]\n', None, ("absolute path",)),
    "windows-absolute": ('[project]\ninputs = ["C:\\\\Windows\\\\win.ini"]\n', None, ("absolute path",)),
    "symlink-input-out": ('[project]\ninputs = ["link.dxf"]\n', ("link.dxf", "secret.dxf"),
                          ("resolves outside the submission folder",)),
    "dotdot-pack": ('[project]\ninputs = ["site.dxf"]\npacks = ["../evil.toml"]\n', None,
                    ("leaves the submission folder",)),
    "symlink-pack-out": ('[project]\ninputs = ["site.dxf"]\npacks = ["evil.toml"]\n', ("evil.toml", "evil.toml"),
                         ("resolves outside the submission folder",)),
}


@pytest.mark.parametrize("case", ESCAPES)
def test_manifest_cannot_reach_outside_its_folder(tmp_path, submission, case):
    text, link, fragments = ESCAPES[case]
    (tmp_path / "evil.toml").write_text('[pack]\nid = "evil"\ntitle = "x"\nversion = "1"\n', encoding="utf-8")
    manifest(submission, text)
    if link:
        os.symlink(tmp_path / link[1], submission / link[0])
    before = tree(tmp_path)
    refused(run(submission), "drawcheck.toml: ", *fragments)
    assert tree(tmp_path) == before


def test_out_writes_its_files_and_nothing_else(tmp_path, submission):
    out = tmp_path / "out"
    before = tree(tmp_path)
    proc = run(submission, "--out", str(out), fmt="json,html,sarif,junit,dxf")
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout == "" and proc.stderr.startswith("wrote ") and len(proc.stderr.strip().splitlines()) == 1
    after = tree(tmp_path)
    new = sorted(set(after) - set(before))
    assert new == ["out/report.dxf", "out/report.html", "out/report.json", "out/report.junit.xml", "out/report.sarif"]
    assert {k: v for k, v in after.items() if k in before} == before  # the submission and its neighbours unchanged


def test_out_inside_the_submission_adds_only_the_out_folder(submission):
    before = tree(submission)
    proc = run(submission, "--out", str(submission / "review"), fmt="json,junit")
    assert proc.returncode in (0, 1), proc.stderr
    after = tree(submission)
    assert sorted(set(after) - set(before)) == ["review/report.json", "review/report.junit.xml"]
    assert {k: after[k] for k in before} == before


def test_out_that_is_a_file_is_refused_before_anything_is_written(tmp_path, submission):
    target = tmp_path / "report.txt"
    target.write_text("keep me", encoding="utf-8")
    before = tree(tmp_path)
    refused(run(submission, "--out", str(target), fmt="json,html"), "exists and is not a folder")
    assert tree(tmp_path) == before


# -- data only -------------------------------------------------------------------------------------------
def test_manifest_and_pack_values_are_never_evaluated(tmp_path, submission):
    pwned = tmp_path / "pwned"
    code = f"__import__('os').system('touch {pwned}')"
    # a site-less drawing, so the pack's rule (check qa_site_boundary) fires and its message is filled
    doc = new_doc()
    add_part(doc.modelspace(), rect(10, 10, 30, 30), "1# 3F")
    save(doc, submission)
    (submission / "evil.toml").write_text(f'''[pack]
id = "evil"
title = "{code}"
version = "{code}"
[params]
payload = "{code}"
[[rules]]
code = "x"
check = "qa_site_boundary"
department = "qa"
clause = "{code}"
severity = "warning"
confidence = "unverified"
title = "{code}"
message = "{{detail}} {{__class__}} {{0.__globals__}} %s {code}"
params = ["payload"]
''', encoding="utf-8")
    manifest(submission, f'''[project]
name = "{code}"
inputs = ["site.dxf"]
packs = ["gb50016-2014", "evil.toml"]
[layers]
green = ["{code}"]
[overrides.evil]
payload = "{code} again"
''')
    before = tree(tmp_path)
    proc = run(submission)
    assert proc.returncode in (0, 1), proc.stderr
    assert not pwned.exists()
    report = json.loads(proc.stdout)
    assert report["project"]["name"] == code
    (finding,) = [f for f in report["findings"] if f["rule"] == "evil:x"]
    assert finding["message"].endswith(f" {{__class__}} {{0.__globals__}} %s {code}")  # only {detail} is filled
    assert tree(tmp_path) == before


# -- drawing text in every format ------------------------------------------------------------------------
def test_drawing_text_is_escaped_in_every_output(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    doc = new_doc()
    msp = doc.modelspace()
    add_site(msp, 200, 200)
    add_part(msp, rect(10, 10, 30, 30), "1# 18F")
    add_text(msp, f"{EVIL} 2# 5F", (150, 150))  # a label in no outline: quoted by qa:stray-label
    add_text(msp, f"容积率：{EVIL}", (300, 10), layer=INDICATORS)  # quoted by qa:declared-unreadable
    add_poly(msp, rect(100, 100, 110, 110), "XLAYER")  # layer renamed to EVIL below: qa:dxf-repaired quotes it
    save(doc, sub)
    (sub / "site.dxf").write_bytes((sub / "site.dxf").read_bytes().replace(b"XLAYER", EVIL.encode()))
    manifest(sub, f'[project]\nname = "{EVIL.replace(chr(34), chr(92) + chr(34))}"\ninputs = ["site.dxf"]\n')
    out = tmp_path / "out"
    proc = run(sub, "--out", str(out), fmt="json,html,sarif,junit,dxf")
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    quoted = [f["rule"] for f in report["findings"] if "<script>alert(1)</script>&" in f["message"]]
    assert {"qa:stray-label", "qa:declared-unreadable", "qa:dxf-repaired"} <= set(quoted), quoted
    assert report["project"]["name"] == EVIL

    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()  # the page has no script of its own: none may come from the drawing
    assert ESCAPED in html
    assert "<svg" in html  # the plan's SVG is inline: covered by the same check

    junit = (out / "report.junit.xml").read_text(encoding="utf-8")
    assert "<script" not in junit.lower()
    texts = [t for e in ET.fromstring(junit.encode("utf-8")).iter() for t in [e.text or "", *e.attrib.values()]]
    assert any(EVIL in t for t in texts)  # escaped in the file, the same text once parsed

    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))  # valid JSON
    messages = [r["message"]["text"] for run_ in sarif["runs"] for r in run_["results"]]
    assert any(EVIL in m for m in messages)

    marked = ezdxf.readfile(out / "report.dxf")  # the markup drawing still reads: no tag injection
    original = ezdxf.readfile(sub / "site.dxf")
    assert len([e for e in marked.modelspace() if e.dxf.layer != "DRAWCHECK-REVIEW"]) == len(original.modelspace())


# -- size limits -----------------------------------------------------------------------------------------
def test_limits_have_defaults_and_the_help_names_them():
    assert Limits() == Limits(max_bytes=200_000_000, max_entities=2_000_000, max_vertices=20_000_000)
    help_text = subprocess.run([str(CLI), "check", "--help"], capture_output=True, text=True,
                               env={**os.environ, "COLUMNS": "200"}).stdout
    for option, default in (("--max-bytes", "200 MB"), ("--max-entities", "2,000,000"), ("--max-vertices", "20,000,000")):
        assert option in help_text and default in help_text


LIMITS = {
    # name: (command-line args, [limits] table, fragments of the one line)
    "max-bytes-option": (("--max-bytes", "1000"), None, ("bytes exceeds the limit of 1000 bytes", "--max-bytes")),
    "max-entities-option": (("--max-entities", "2"), None, ("more than 2 entities", "--max-entities")),
    "max-vertices-option": (("--max-vertices", "5"), None, ("more than 5 vertices", "--max-vertices")),
    "max-bytes-manifest": ((), "max_bytes = 1000", ("exceeds the limit of 1000 bytes", "[limits] max_bytes")),
    "max-entities-manifest": ((), "max_entities = 2", ("more than 2 entities", "[limits] max_entities")),
    "max-vertices-manifest": ((), "max_vertices = 5", ("more than 5 vertices", "[limits] max_vertices")),
    "option-beats-manifest": (("--max-vertices", "6"), "max_vertices = 1000000", ("more than 6 vertices",)),
    "manifest-limit-not-positive": ((), "max_bytes = 0", ("'limits.max_bytes' must be >= 1",)),
    "manifest-limit-not-integer": ((), 'max_entities = "many"', ("'limits.max_entities' must be an integer",)),
}


@pytest.mark.parametrize("case", LIMITS)
def test_size_limits_refuse_with_one_line_naming_the_limit(tmp_path, submission, case):
    args, table, fragments = LIMITS[case]
    if table:
        manifest(submission, f'[project]\ninputs = ["site.dxf"]\n[limits]\n{table}\n')
    before = tree(tmp_path)
    refused(run(submission, *args), *fragments)
    assert tree(tmp_path) == before


def test_ifc_is_held_to_max_bytes(tmp_path):
    model = ROOT / "samples" / "residential-ifc" / "model.ifc"
    refused(run(model, "--max-bytes", "1000"), "model.ifc: ", "exceeds the limit of 1000 bytes")


def test_invalid_limit_option_is_one_line(submission):
    refused(run(submission, "--max-bytes", "0"), "--max-bytes", "drawcheck check --help")


@pytest.mark.parametrize("args, fragment", [
    (["check"], "Missing argument 'path'"),
    (["check", ".", "--no-such-flag"], "--no-such-flag"),
    (["no-such-command"], "No such command 'no-such-command'"),
    (["check", ".", "--max-entities", "many"], "--max-entities"),
])
def test_usage_errors_are_one_line(args, fragment):
    refused(subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120, cwd=ROOT), fragment)


@pytest.mark.parametrize("value, fragment", [
    ("[" * 3000 + "]" * 3000, "TOML nested too deeply"),  # found by fuzzing: RecursionError in the TOML parser
    ("[" * 450 + '"a"' + "]" * 450, "'overrides.p.x' must be a number, string, boolean or array"),  # and the validator
])
def test_deeply_nested_manifest_values_are_a_manifest_error(tmp_path, submission, value, fragment):
    manifest(submission, f'[project]\ninputs = ["site.dxf"]\n[overrides.p]\nx = {value}\n')
    before = tree(tmp_path)
    refused(run(submission), "drawcheck.toml: ", fragment)
    assert tree(tmp_path) == before


def test_input_name_too_long_for_the_file_system_is_a_manifest_error(tmp_path, submission):
    """Found by fuzzing: ENAMETOOLONG escaped the manifest check as an OSError."""
    manifest(submission, f'[project]\ninputs = ["{"a" * 300}.dxf"]\n')
    refused(run(submission), "'project.inputs[0]' cannot be read", "File name too long")
