"""BCF 2.1 rendering of the report: findings that open at the failing IFC elements in a BIM viewer.

One topic per finding with IFC sources (a source whose input is an IFC file;
its ``handle`` is the element's GlobalId). Each topic's viewpoint selects
those elements (``<Component IfcGuid="..."/>``) and colours them red; title =
the finding's message, labels = department and rule. A report with IFC input
but no finding on an IFC element gives a valid BCF with no topic (nothing to
discuss in the model); a report without IFC input raises
:class:`~drawcheck.reports.NothingToRender` with a one-line reason instead of
an empty file (a BCF topic can only point at IFC elements).

Written with zipfile and ElementTree rather than bcf-client so that the same
report gives the same files: topic and viewpoint GUIDs are UUID5 of the
finding's fingerprint (stable across review rounds, so a viewer's topic keeps
its comments when the same finding comes back) and zip entries have a fixed
date. Each topic's CreationDate is the report's ``timestamp`` (``drawcheck
check --timestamp``), else the time of rendering in UTC: a date BCF viewers
sort and show, so never a placeholder. With a timestamp in the report the file
is byte-identical from run to run; without one only the CreationDate values
differ.

References
----------
buildingSMART, BCF-XML 2.1: ``markup.xsd``, ``visinfo.xsd``, ``version.xsd``,
``project.xsd``.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from . import NothingToRender
from .junit import xml_text  # the XML 1.0 character rule, shared

#: Namespace of drawcheck's BCF GUIDs (UUID5 of it and a finding's fingerprint).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "drawcheck/bcf")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold
AUTHOR = "drawcheck"
TOPIC_TYPES = {"error": "Error", "warning": "Warning", "info": "Info"}
PRIORITIES = {"error": "High", "warning": "Normal", "info": "Low"}
SELECTED_COLOR = "FFFF0000"  # ARGB: opaque red


def to_bcf(report: dict, root: Path | None = None) -> bytes:
    """The report's IFC findings as a BCF 2.1 zip (``.bcf``).

    Parameters
    ----------
    report : the drawcheck report dictionary (schema ``drawcheck/report@1``).
    root : the submission folder; unused (file references stay relative).

    Raises
    ------
    NothingToRender
        When the submission has no IFC input (a BCF topic can only point at IFC elements).
    """
    inputs = report.get("project", {}).get("inputs", [])
    ifc_paths = {i["path"] for i in inputs if i.get("format") == "ifc"}
    if not ifc_paths:
        held = " ".join(", ".join(str(i.get("path", "?")) for i in inputs).split()) or "no input"  # one line
        raise NothingToRender(f"no BCF: BCF topics point at IFC elements and this submission has no IFC input "
                              f"({held}); --format dxf marks the findings up in the drawing")
    date = creation_date(report)
    files: dict[str, bytes] = {"bcf.version": _version_xml(), "project.bcfp": _project_xml(report)}
    used: set[str] = set()
    index = 0
    for f in report.get("findings", []):
        guids = list(dict.fromkeys(s["handle"] for s in f.get("sources", [])
                                   if s.get("input") in ifc_paths and s.get("handle")))
        if not guids:
            continue
        topic_guid = _topic_guid(f, used)
        viewpoint_guid = str(uuid.uuid5(NAMESPACE, topic_guid + "/viewpoint"))
        ifc_files = list(dict.fromkeys(s["input"] for s in f.get("sources", []) if s.get("input") in ifc_paths))
        files[f"{topic_guid}/markup.bcf"] = _markup_xml(f, topic_guid, viewpoint_guid, ifc_files, date, index)
        files[f"{topic_guid}/viewpoint.bcfv"] = _viewpoint_xml(viewpoint_guid, guids)
        index += 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files, key=lambda n: (n != "bcf.version", n)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buffer.getvalue()


def creation_date(report: dict) -> str:
    """The topics' CreationDate: the report's ``timestamp``, else now in UTC (ISO 8601, to the second)."""
    return report.get("timestamp") or datetime.now(timezone.utc).isoformat(timespec="seconds")


def _topic_guid(f: dict, used: set[str]) -> str:
    """UUID5 of the fingerprint; findings sharing a fingerprint get the next one, in report order."""
    seed = f.get("fingerprint") or f"{f.get('rule')}/{f.get('id')}"
    n = 0
    while True:
        guid = str(uuid.uuid5(NAMESPACE, seed if n == 0 else f"{seed}#{n}"))
        if guid not in used:
            used.add(guid)
            return guid
        n += 1


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _text(parent: ET.Element, tag: str, value) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = xml_text(value)
    return el


def _version_xml() -> bytes:
    root = ET.Element("Version", VersionId="2.1")
    _text(root, "DetailedVersion", "2.1")
    return _xml(root)


def _project_xml(report: dict) -> bytes:
    """project.bcfp: the project's name; its id is UUID5 of the inputs' hashes (the same submission, the same id)."""
    project = report.get("project", {})
    seed = "/".join(sorted(i.get("sha256", "") for i in project.get("inputs", []))) or project.get("name", "")
    root = ET.Element("ProjectExtension")
    proj = ET.SubElement(root, "Project", ProjectId=str(uuid.uuid5(NAMESPACE, "project/" + seed)))
    _text(proj, "Name", project.get("name") or "drawcheck")
    ET.SubElement(root, "ExtensionSchema")
    return _xml(root)


def _description(f: dict) -> str:
    lines = [f"{f.get('id', '')} {f.get('rule', '')}: {f.get('title', '')}".strip()]
    if f.get("title_en"):
        lines.append(f["title_en"])
    if f.get("clause"):
        lines.append(f"Clause: {f['clause']}")
    if f.get("measured") is not None or f.get("required") is not None:
        unit = f" {f['unit']}" if f.get("unit") else ""
        lines.append(f"Measured {f.get('measured')}{unit}, required {f.get('required')}{unit}")
    if f.get("message_en") and f.get("message_en") != f.get("message"):
        lines.append(f["message_en"])
    lines.append(f"Severity {f.get('severity')}, confidence {f.get('confidence')}, department {f.get('department')}")
    if f.get("subjects"):
        lines.append("Subjects: " + ", ".join(f["subjects"]))
    lines.append("Sources: " + ", ".join(f"{s.get('input')}#{s.get('handle')}" for s in f.get("sources", [])))
    if f.get("fingerprint"):
        lines.append(f"Fingerprint: {f['fingerprint']}")
    return "\n".join(lines)


def _markup_xml(f: dict, topic_guid: str, viewpoint_guid: str, ifc_files: list[str], date: str, index: int) -> bytes:
    root = ET.Element("Markup")
    header = ET.SubElement(root, "Header")
    for path in ifc_files:
        file = ET.SubElement(header, "File", isExternal="true")
        _text(file, "Filename", path.rsplit("/", 1)[-1])
        _text(file, "Reference", path)
    severity = f.get("severity", "")
    topic = ET.SubElement(root, "Topic", Guid=topic_guid, TopicType=TOPIC_TYPES.get(severity, "Issue"),
                          TopicStatus="Open")
    _text(topic, "Title", f.get("message") or f.get("title") or f.get("rule"))
    _text(topic, "Priority", PRIORITIES.get(severity, "Normal"))
    _text(topic, "Index", index)
    for label in dict.fromkeys(x for x in (f.get("department"), f.get("rule")) if x):
        _text(topic, "Labels", label)
    _text(topic, "CreationDate", date)
    _text(topic, "CreationAuthor", AUTHOR)
    _text(topic, "Description", _description(f))
    viewpoints = ET.SubElement(root, "Viewpoints", Guid=viewpoint_guid)
    _text(viewpoints, "Viewpoint", "viewpoint.bcfv")
    return _xml(root)


def _viewpoint_xml(viewpoint_guid: str, ifc_guids: list[str]) -> bytes:
    root = ET.Element("VisualizationInfo", Guid=viewpoint_guid)
    components = ET.SubElement(root, "Components")
    selection = ET.SubElement(components, "Selection")
    for g in ifc_guids:
        ET.SubElement(selection, "Component", IfcGuid=xml_text(g))
    ET.SubElement(components, "Visibility", DefaultVisibility="true")
    coloring = ET.SubElement(components, "Coloring")
    color = ET.SubElement(coloring, "Color", Color=SELECTED_COLOR)
    for g in ifc_guids:
        ET.SubElement(color, "Component", IfcGuid=xml_text(g))
    return _xml(root)
