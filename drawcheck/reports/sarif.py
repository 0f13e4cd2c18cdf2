"""SARIF 2.1.0 rendering of the report, for code-scanning dashboards and CI annotations.

One run; ``tool.driver.rules`` holds every rule of the report's ``rules`` table
(outcome and reason in its properties), one ``result`` per finding. A CAD
entity has no line number, so results carry no ``region``: the artifact is the
drawing or model (``uriBaseId`` ``SRCROOT`` = the submission folder), the
entity is a logical location (DXF handle or IFC GlobalId), and the GeoJSON
location in metres goes in the location's ``properties``. Rules that did not
run are reported as tool execution notifications, so they never read as
passed.

References
----------
OASIS, *Static Analysis Results Interchange Format (SARIF) Version 2.1.0*
(errata 01), sections 3.11 (property bags), 3.19.23 (uriBaseId),
3.33 (logicalLocation), 3.27.17 (partialFingerprints), 3.58 (notification).
"""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: Where the tool is described. drawcheck has no public home page yet: this is the
#: package's registry page under its distribution name; change it when it has one.
INFORMATION_URI = "https://pypi.org/project/drawcheck/"
FINGERPRINT_KEY = "drawcheckFingerprint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
MIME_TYPES = {"dxf": "image/vnd.dxf", "ifc": "application/x-step"}
#: Kind of the logical location naming one source entity, by input format.
ENTITY_KINDS = {"dxf": "object", "ifc": "element"}


def to_sarif(report: dict, root: Path | None = None) -> str:
    """The report as a SARIF 2.1.0 log: sorted keys, two-space indent, trailing newline.

    Parameters
    ----------
    report : the drawcheck report dictionary (schema ``drawcheck/report@1``).
    root : the submission folder; unused (paths stay relative to ``SRCROOT``).
    """
    inputs = report.get("project", {}).get("inputs", [])
    artifact_index = {i["path"]: n for n, i in enumerate(inputs)}
    formats = {i["path"]: i.get("format") for i in inputs}
    rules, rule_index = _rules(report)
    results = [_result(f, rule_index, artifact_index, formats, inputs) for f in report.get("findings", [])]
    tool = report.get("tool", {})
    run = {
        "tool": {"driver": {"name": tool.get("name", "drawcheck"), "version": tool.get("version", ""),
                            "semanticVersion": tool.get("version", ""),
                            "informationUri": tool.get("information_uri", INFORMATION_URI),
                            "rules": rules}},
        "originalUriBaseIds": {"SRCROOT": {"description": {"text": "The submission folder that was checked."}}},
        "artifacts": [_artifact(i) for i in inputs],
        "invocations": [_invocation(report)],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": _run_properties(report),
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _text(value) -> str:
    return "" if value is None else str(value)


def _rules(report: dict) -> tuple[list[dict], dict[str, int]]:
    """Reporting descriptors: the rules table, then any rule only a finding names (kept, never dropped)."""
    first_finding: dict[str, dict] = {}
    for f in report.get("findings", []):
        first_finding.setdefault(f["rule"], f)
    rows = list(report.get("rules", []))
    known = {r["rule"] for r in rows}
    for rule_id, f in first_finding.items():
        if rule_id not in known:
            rows.append({"rule": rule_id, "department": f.get("department"), "outcome": "failed",
                         "severity": f.get("severity"), "confidence": f.get("confidence"),
                         "clause": f.get("clause"), "title": f.get("title")})
            known.add(rule_id)
    descriptors, index = [], {}
    for row in rows:
        if row["rule"] in index:
            continue
        f = first_finding.get(row["rule"], {})
        title = row.get("title") or f.get("title") or row["rule"]
        title_en = row.get("title_en") or f.get("title_en")
        clause = row.get("clause") or f.get("clause")
        severity = row.get("severity") or f.get("severity") or "error"
        confidence = row.get("confidence") or f.get("confidence")
        help_lines = [f"{title}" + (f" / {title_en}" if title_en else ""),
                      f"Clause: {clause}" if clause else "Clause: -",
                      f"Confidence of the rule data: {confidence}" if confidence else "Confidence: -"]
        props = {"department": row.get("department"), "severity": severity, "confidence": confidence,
                 "clause": clause, "outcome": row.get("outcome"), "findings": row.get("findings", 0),
                 "tags": [t for t in (row.get("department"), "drawcheck") if t]}
        if row.get("reason"):
            props["reason"] = row["reason"]
            help_lines.append(f"Outcome: {row.get('outcome')} ({row['reason']})")
        descriptor = {
            "id": row["rule"],
            "name": row["rule"],
            "shortDescription": {"text": title},
            "fullDescription": {"text": title_en or title},
            "help": {"text": "\n".join(help_lines)},
            "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
            "properties": {k: v for k, v in props.items() if v is not None},
        }
        index[row["rule"]] = len(descriptors)
        descriptors.append(descriptor)
    return descriptors, index


def _artifact(i: dict) -> dict:
    artifact = {"location": {"uri": i["path"], "uriBaseId": "SRCROOT"}, "roles": ["analysisTarget"],
                "properties": {"format": i.get("format")}}
    if i.get("sha256"):
        artifact["hashes"] = {"sha-256": i["sha256"]}
    if i.get("format") in MIME_TYPES:
        artifact["mimeType"] = MIME_TYPES[i["format"]]
    for key in ("unit_m", "schema"):
        if i.get(key) is not None:
            artifact["properties"][key] = i[key]
    return artifact


def _locations(f: dict, artifact_index: dict[str, int], formats: dict[str, str], inputs: list[dict]) -> list[dict]:
    """One location per source input, its entities as logical locations; project-wide findings point at
    the first input (the drawing the project is read from) with the subjects as a logical location."""
    by_input: dict[str, list[str]] = {}
    for s in f.get("sources", []):
        by_input.setdefault(s["input"], []).append(_text(s.get("handle")))
    geometry = f.get("location")
    locations = []
    for path, handles in by_input.items():
        artifact = {"uri": path, "uriBaseId": "SRCROOT"}
        if path in artifact_index:
            artifact["index"] = artifact_index[path]
        kind = ENTITY_KINDS.get(formats.get(path, ""), "object")
        logical = [{"name": h, "fullyQualifiedName": f"{path}#{h}", "kind": kind} for h in dict.fromkeys(handles) if h]
        loc = {"physicalLocation": {"artifactLocation": artifact}}
        if logical:
            loc["logicalLocations"] = logical
        locations.append(loc)
    if not locations and inputs:
        path = inputs[0]["path"]
        name = ", ".join(f.get("subjects") or []) or "project"
        locations.append({"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "SRCROOT",
                                                                    "index": artifact_index[path]}},
                          "logicalLocations": [{"name": name, "kind": "module"}]})
    for n, loc in enumerate(locations):
        loc["id"] = n
        if geometry is not None:
            loc["properties"] = {"geometry": geometry, "crs": "project metres"}
    return locations


def _result(f: dict, rule_index: dict[str, int], artifact_index: dict[str, int], formats: dict[str, str],
            inputs: list[dict]) -> dict:
    props = {"findingId": f.get("id"), "department": f.get("department"), "severity": f.get("severity"),
             "confidence": f.get("confidence"), "clause": f.get("clause"), "title": f.get("title"),
             "title_en": f.get("title_en"), "message_en": f.get("message_en"), "measured": f.get("measured"),
             "required": f.get("required"), "unit": f.get("unit"), "subjects": f.get("subjects", [])}
    result = {
        "ruleId": f["rule"],
        "ruleIndex": rule_index[f["rule"]],
        "level": LEVELS.get(f.get("severity"), "warning"),
        "kind": "fail",
        "message": {"text": f"{f.get('id', '')} {f.get('message', '')}".strip()},
        "locations": _locations(f, artifact_index, formats, inputs),
        "properties": {k: v for k, v in props.items() if v is not None},
    }
    if f.get("fingerprint"):
        result["partialFingerprints"] = {FINGERPRINT_KEY: f["fingerprint"]}
    return result


def _invocation(report: dict) -> dict:
    """The run succeeded; each rule that did not run is a notification naming it and why."""
    notes = []
    for row in report.get("rules", []):
        if row.get("outcome") == "not_run":
            notes.append({"descriptor": {"id": row["rule"]}, "level": "warning",
                          "message": {"text": f"{row['rule']} did not run: {row.get('reason') or 'no reason given'}"}})
    invocation: dict = {"executionSuccessful": True}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    if report.get("timestamp"):
        invocation["endTimeUtc"] = report["timestamp"]
    return invocation


def _run_properties(report: dict) -> dict:
    props = {"schema": report.get("schema"), "project": report.get("project", {}).get("name"),
             "packs": report.get("packs", []), "summary": report.get("summary", {}),
             "units": report.get("units", {})}
    outcomes: dict[str, int] = {}
    for row in report.get("rules", []):
        outcomes[row.get("outcome", "")] = outcomes.get(row.get("outcome", ""), 0) + 1
    props["ruleOutcomes"] = outcomes
    return {k: v for k, v in props.items() if v is not None}
