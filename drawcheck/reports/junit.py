"""JUnit XML rendering of the report, for CI test dashboards (GitLab, Jenkins, GitHub test reporters).

One ``<testsuite>`` per department, one ``<testcase>`` per rule of the report's
``rules`` table: passed -> a plain testcase; failed -> ``<failure>`` with one
line per finding; not_applicable and not_run -> ``<skipped>`` with the reason,
so a rule that did not run never shows as passed. Nothing is timed (the report
holds no timings), so no ``time`` attributes; ``timestamp`` only when the report
has one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

#: Characters XML 1.0 cannot carry even escaped (C0 controls but tab, newline, CR; surrogates; U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}


def xml_text(value) -> str:
    """Text safe for XML: characters XML cannot hold become ``\\xNN`` / ``\\uNNNN`` (ElementTree escapes the rest)."""
    text = "" if value is None else str(value)
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)


def _finding_line(f: dict) -> str:
    """One finding on one line: id, severity, message, measured vs required, where it is in the drawing."""
    line = f"{f.get('id', '')} [{f.get('severity', '')}] {f.get('message', '')}"
    unit = f" {f['unit']}" if f.get("unit") else ""
    if f.get("measured") is not None or f.get("required") is not None:
        line += f" (measured {f.get('measured')}{unit}, required {f.get('required')}{unit})"
    sources = [f"{s.get('input')}#{s.get('handle')}" for s in f.get("sources", [])]
    if sources:
        line += " at " + ", ".join(sources)
    return " ".join(line.split())  # a message's own line breaks would split the one-line-per-finding rule


def to_junit(report: dict, root: Path | None = None) -> str:
    """The report as JUnit XML (UTF-8 text with declaration).

    Parameters
    ----------
    report : the drawcheck report dictionary (schema ``drawcheck/report@1``).
    root : the submission folder; unused.
    """
    findings_by_rule: dict[str, list[dict]] = {}
    for f in report.get("findings", []):
        findings_by_rule.setdefault(f["rule"], []).append(f)
    rows = list(report.get("rules", []))
    listed = {r["rule"] for r in rows}
    for rule_id, fs in findings_by_rule.items():  # a finding whose rule is not in the table still fails
        if rule_id not in listed:
            rows.append({"rule": rule_id, "department": fs[0].get("department"), "outcome": "failed",
                         "title": fs[0].get("title"), "clause": fs[0].get("clause")})
            listed.add(rule_id)
    by_department: dict[str, list[dict]] = {}
    for row in rows:
        by_department.setdefault(row.get("department") or "other", []).append(row)

    project = report.get("project", {}).get("name") or "submission"
    suites = ET.Element("testsuites", name=xml_text(f"drawcheck: {project}"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for department in sorted(by_department):
        suite = ET.SubElement(suites, "testsuite", name=xml_text(department))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        props = ET.SubElement(suite, "properties")
        for name, value in (("project", project), ("schema", report.get("schema")),
                            ("tool", f"{report.get('tool', {}).get('name', 'drawcheck')} "
                                     f"{report.get('tool', {}).get('version', '')}".strip())):
            if value:
                ET.SubElement(props, "property", name=name, value=xml_text(value))
        for i in report.get("project", {}).get("inputs", []):
            ET.SubElement(props, "property", name=xml_text(f"input:{i.get('path')}"), value=xml_text(i.get("sha256")))
        for row in by_department[department]:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", name=xml_text(row["rule"]), classname=xml_text(f"drawcheck.{department}"))
            outcome = row.get("outcome")
            title = row.get("title") or ""
            if title:
                ET.SubElement(ET.SubElement(case, "properties"), "property", name="title", value=xml_text(title))
            if outcome == "failed":
                counts["failures"] += 1
                fs = findings_by_rule.get(row["rule"], [])
                worst = max((f.get("severity", "error") for f in fs), key=lambda s: SEVERITY_RANK.get(s, 0),
                            default=row.get("severity") or "error")
                failure = ET.SubElement(case, "failure", type=xml_text(worst),
                                        message=xml_text(f"{len(fs)} finding(s): {title}" if title else f"{len(fs)} finding(s)"))
                failure.text = xml_text("\n".join(_finding_line(f) for f in fs) or
                                      f"{row['rule']} failed (no finding listed)")
            elif outcome in ("not_applicable", "not_run"):
                counts["skipped"] += 1
                reason = row.get("reason") or ("nothing it applies to" if outcome == "not_applicable" else "not run")
                ET.SubElement(case, "skipped", message=xml_text(f"{outcome}: {reason}"))
            elif outcome != "passed":  # an outcome this renderer does not know is not a pass either
                counts["errors"] += 1
                ET.SubElement(case, "error", type="unknown-outcome",
                              message=xml_text(f"rule outcome {outcome!r}: {row.get('reason') or ''}".strip()))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        if report.get("timestamp"):
            suite.set("timestamp", xml_text(report["timestamp"]))
    for key, value in totals.items():
        suites.set(key, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
