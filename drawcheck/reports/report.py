"""The JSON report (schema ``drawcheck/report@1``, report-json.md): built once, rendered by every output.

Numbers are rounded here and only here (:mod:`drawcheck.rounding`); findings
are sorted by (department, rule, subjects) before they get their ids, and
keys are sorted when written, so the same input gives byte-identical JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from .. import __version__
from ..indicators.values import Indicators
from ..model import Project
from ..rounding import as_reported, as_reported_array
from ..rules.engine import RuleResult
from ..standards.packs import Pack

SCHEMA = "drawcheck/report@1"
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}
FAIL_ON = {"error": 3, "warning": 2, "never": 99}


def _pt(p) -> list[float]:
    return [as_reported(p[0], "m"), as_reported(p[1], "m")]


def _location(loc: dict | None) -> dict | None:
    if loc is None:
        return None
    coords = loc["coordinates"]
    if loc["type"] == "Point":
        return {"type": "Point", "coordinates": _pt(coords)}
    return {"type": loc["type"], "coordinates": [_pt(c) for c in coords]}


def fingerprint(rule: str, subjects: Sequence[str], location: dict | None) -> str:
    """sha256 of rule + sorted subjects + location rounded to 0.1 m: stable across rounds of review."""
    coords = []
    if location is not None:
        raw = location["coordinates"]
        points = [raw] if location["type"] == "Point" else raw
        coords = [[round(float(x), 1), round(float(y), 1)] for x, y in points]
    text = json.dumps([rule, sorted(subjects), coords], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _num(value, unit):
    return as_reported(value, unit) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def build_report(project: Project, indicators: Indicators, results: Sequence[RuleResult], packs: Sequence[Pack],
                 *, timestamp: str | None = None) -> dict:
    """The report dictionary of one checked submission."""
    models = {id(c.drawing): c for c in indicators.models}  # site-plan buildings an IFC model also holds
    report = {
        "schema": SCHEMA,
        "tool": {"name": "drawcheck", "version": __version__},
        "project": {"name": project.name,
                    "inputs": [_input(i) for i in project.inputs]},
        "packs": [_pack(p) for p in packs],
        "units": {"length": "m", "area": "m2", "source": project.units_source},
        "indicators": _indicators(indicators),
        "buildings": [_building(b, models.get(id(b))) for b in indicators.buildings],
        "existing_buildings": [_building(b) for b in indicators.existing],
        "setbacks": [{"building": s.a, "to": s.b, "distance": as_reported(s.distance, "m"),
                      "from_point": _pt(s.from_point), "to_point": _pt(s.to_point), "inside": s.inside}
                     for s in indicators.setbacks],
        "spacing": [{"a": s.a, "b": s.b, "distance": as_reported(s.distance, "m"),
                     "from_point": _pt(s.from_point), "to_point": _pt(s.to_point)}
                    | ({"overlap_area": as_reported(s.overlap_area, "m2")} if s.overlap_area else {})
                    for s in indicators.spacing],
    }
    if indicators.area_feeds:  # area-calculation drawings (面积计算图): per building, its schedule
        report["area_drawings"] = [_area_drawing(a) for a in indicators.area_feeds]
    report["plan"] = plan_section(project, indicators)
    findings = _findings(results)
    report["findings"] = findings
    report["rules"] = [_rule_row(r, findings) for r in results]
    _unverify_assumed(report["indicators"], report["rules"])
    sunlight = {r.rule.id: r.details for r in results if r.rule.check.startswith("sunlight") and r.details}
    if sunlight:  # per rule: design day, test points and windows, per building failing and least minutes
        report["sunlight"] = sunlight
    report["summary"] = _summary(findings, report["rules"])
    if timestamp:
        report["timestamp"] = timestamp
    return report


def _input(i) -> dict:
    row = {"path": i.path, "format": i.format, "sha256": i.sha256}
    if i.unit_m is not None:
        row["unit_m"] = i.unit_m  # metres per drawing unit: markup goes back into the drawing with it
    if i.converter:
        row["converter"] = i.converter  # a DWG: what read it (ezdwg, or the ODA File Converter)
    if i.reader and i.format == "dxf":
        row["reader"] = i.reader  # a DXF: "fast" or "ezdxf"
        if i.reader_fallback:
            row["reader_fallback"] = i.reader_fallback  # why the fast reader left it to ezdxf
    if i.format == "ifc":
        row["schema"] = i.schema
        row["ref_elevation"] = as_reported(i.ref_elevation, "m")
    return row


def _outlines(areas) -> list:
    """Each area's rings as coordinate lists (m, arcs densified, rounded as reported), for renderers to draw;
    all areas densified and rounded at once."""
    from ..geometry.arrays import PolygonArrays

    if not areas:
        return []
    dense = PolygonArrays.from_polygons([a.rings for a in areas]).densified()
    points = as_reported_array(dense.xy, "m").tolist()
    rings = [points[s:e] for s, e in zip(dense.ring_offsets[:-1].tolist(), dense.ring_offsets[1:].tolist())]
    return [rings[s:e] for s, e in zip(dense.poly_offsets[:-1].tolist(), dense.poly_offsets[1:].tolist())]


def plan_section(project: Project, ind: Indicators) -> dict:
    """What renderers draw: site, buildings (by part), neighbours, roads, green, parking sources (m)."""
    figures = list(ind.buildings) + list(ind.existing)
    parts = iter(_outlines([pf.part.area for b in figures for pf in b.parts]))
    return {
        "site": _outlines(project.sites),
        "buildings": [{"id": b.id, "kind": b.kind, "parts": [next(parts) for _ in b.parts]} for b in figures],
        "roads": [[_pt(p) for p in line.points] for line in project.road_redlines],
        "green": _outlines(project.green + project.green_central),
        "basements": _outlines([b.area for b in project.basements]),
    }


def _area_drawing(feed) -> dict:
    """One building's area drawings: totals by class, by use and per floor group (m²)."""
    from ..indicators.area_schedules import by_use

    rows = [r for s in feed.schedules for r in s.rows]
    m2 = lambda v: as_reported(v, "m2")  # noqa: E731
    groups: dict[str, list] = {}
    for s in feed.schedules:
        for r in s.rows:
            groups.setdefault(r.floors, []).append((s, r))
    out = {
        "building": feed.building,
        "inputs": feed.inputs,
        "titles": [s.title for s in feed.schedules if s.title],
        "on_site_plan": feed.site_gfa is not None,
        "floors_above": feed.floors_above,
        "floors_below": len({f for s in feed.schedules for f in s.floors if f < 0}),
        "footprint_area": m2(feed.footprint),
        "gfa_counted": m2(feed.counted),
        "gfa_not_counted": m2(sum(s.total("not_counted") for s in feed.schedules)),
        "gfa_exempt": m2(sum(s.total("exempt") for s in feed.schedules)),
        "gfa_above": m2(feed.above),
        "gfa_below": m2(feed.below),
        "by_use": [{**row, "gfa": m2(row["gfa"])} for row in by_use(rows)],
        "groups": [{"floors": text, "count": pairs[0][1].floors_above + pairs[0][1].floors_below,
                    "rows": [{"class": r.area_class, "use": r.use, "coefficient": r.coefficient, "area": m2(r.area),
                              "gfa": m2(r.gfa), "sources": [{"input": s.input, "handle": h} for h in r.handles]}
                             for s, r in pairs]}
                   for text, pairs in groups.items()],
    }
    if feed.site_gfa is not None:
        out["site_plan_gfa"] = m2(feed.site_gfa)
    return out


def _pack(p: Pack) -> dict:
    row = {"id": p.id, "version": p.version, "sha256": p.sha256, "title": p.title}
    if p.standard:  # the standard's code or citation (GB 50016-2014 (2018年版)): how a notice names the pack
        row["standard"] = p.standard
    if p.overridden:
        row["overrides"] = p.overridden
    return row


def _indicators(ind: Indicators) -> dict:
    out = {}
    for key, v in ind.values.items():
        row = {"value": as_reported(v.value, v.unit), "unit": v.unit}
        if v.reason:
            row["reason"] = v.reason
        if v.basis:
            row["basis"] = v.basis
        if v.declared is not None:
            row["declared"] = as_reported(v.declared, v.unit)
            row["status"] = v.status
        out[key] = row
    return out


def _building(b, model=None) -> dict:
    """A building's row; ``model``: its comparison with an IFC model of it (:mod:`drawcheck.indicators.consistency`)."""
    row = {
        "id": b.id, "kind": b.kind, "use": b.use, "floors_above": b.floors_above, "floors_below": b.floors_below,
        "height": as_reported(b.height, "m"), "footprint_area": as_reported(b.footprint_area, "m2"),
        "gfa": as_reported(b.gfa, "m2"), "fire_class": b.fire_class, "height_class": b.height_class,
        "fire_rating": b.fire_rating,
        "parts": [{"floors": p.part.floors, "height": as_reported(p.part.height, "m"),
                   "area": as_reported(p.area, "m2"), "podium": p.podium, "use": p.part.use,
                   "fire_rating": p.part.fire_rating, "source": p.part.source.as_dict()}
                  | ({"height_assumed": True} if p.part.height_assumed else {})
                  for p in b.parts],
    }
    if b.height_assumed:
        row["height_assumed"] = True
    if b.gfa_below is not None:
        row["gfa_below"] = as_reported(b.gfa_below, "m2")
    if b.storeys:
        row["storeys"] = [{"name": s.name, "elevation": as_reported(s.elevation, "m"), "above_ground": s.above_ground,
                           "floor": s.is_floor, "plate_area": as_reported(area, "m2"),
                           "source": s.source.as_dict() if s.source else None} for s, area in b.storeys]
    if model is not None:
        row["model"] = _model(model)
    return row


def _model(c) -> dict:
    """The IFC model's figures of a site-plan building, the differences (model minus site plan; the area's
    ratio and the Hausdorff distance unsigned) and the quantities beyond the manifest's tolerances."""
    m = c.model
    return {
        "id": m.id, "matched_by": c.matched_by, "overlap": as_reported(c.iou, "ratio"),
        "source": m.parts[0].part.source.as_dict(), "floors_above": m.floors_above,
        "height": as_reported(m.height, "m"), "footprint_area": as_reported(m.footprint_area, "m2"),
        "differences": {"footprint_area": as_reported(c.area_difference, "m2"),
                        "footprint_area_ratio": c.measured("footprint_area"), "hausdorff": c.measured("hausdorff"),
                        "floors_above": c.floors_difference, "height": as_reported(c.height_difference, "m")},
        "beyond_tolerance": c.beyond(),
    }


def _findings(results: Sequence[RuleResult]) -> list[dict]:
    rows = []
    for result in results:
        rule = result.rule
        for f in result.findings:
            row = {
                "rule": rule.id, "pack": rule.pack, "department": rule.department, "severity": f.severity or rule.severity,
                "confidence": rule.confidence, "clause": rule.clause, "title": rule.title,
                "message": f.message, "subjects": list(f.subjects),
                "location": _location(f.location),
                "sources": [s.as_dict() for s in dict.fromkeys(f.sources)],
            }
            if rule.title_en:
                row["title_en"] = rule.title_en
            if f.message_en:
                row["message_en"] = f.message_en
            if f.measured is not None:
                row["measured"] = _num(f.measured, f.unit)
            if f.required is not None:
                row["required"] = _num(f.required, f.unit)
            if f.unit:
                row["unit"] = f.unit
            for key, value in f.extra.items():
                row.setdefault(key, value)
            row["fingerprint"] = fingerprint(rule.id, f.subjects, row["location"])
            rows.append(row)
    rows.sort(key=lambda r: (r["department"], r["rule"], r["subjects"], r["message"], r["fingerprint"]))
    for i, row in enumerate(rows, 1):
        row["id"] = f"F{i:04d}"
    return rows


def _rule_row(result: RuleResult, findings: list[dict]) -> dict:
    rule = result.rule
    row = {"rule": rule.id, "department": rule.department, "outcome": result.outcome,
           "findings": sum(1 for f in findings if f["rule"] == rule.id), "clause": rule.clause,
           "severity": rule.severity, "confidence": rule.confidence, "title": rule.title}
    if rule.title_en:
        row["title_en"] = rule.title_en
    if result.reason:
        row["reason"] = result.reason
    if result.details:
        row["details"] = result.details
    if result.assumptions:  # not_run: what a pass would have rested on; failed: what the failure rests on
        row["assumptions"] = [a.as_dict() for a in result.assumptions]
    return row


def _unverify_assumed(indicators: dict, rules: list[dict]) -> None:
    """A declared value whose check rests on assumptions is ``unverified`` (an "ok" would be a pass on them)."""
    for row in rules:
        key = row["rule"].removeprefix("declared:")
        if row["rule"].startswith("declared:") and key in indicators and row.get("assumptions") \
                and "status" in indicators[key]:
            if row["outcome"] == "not_run":
                indicators[key]["status"] = "unverified"
            indicators[key]["assumed"] = sorted({a["kind"] for a in row["assumptions"]})


def _summary(findings: list[dict], rules: list[dict]) -> dict:
    counts = {"errors": 0, "warnings": 0, "infos": 0}
    by_department: dict[str, dict[str, int]] = {}
    for f in findings:
        key = f["severity"] + "s"
        counts[key] += 1
        dept = by_department.setdefault(f["department"], {"errors": 0, "warnings": 0, "infos": 0})
        dept[key] += 1
    outcomes = {"passed": 0, "failed": 0, "not_applicable": 0, "not_run": 0}
    for r in rules:
        outcomes[r["outcome"]] += 1
    on_assumptions = {"not_run": sum(1 for r in rules if r["outcome"] == "not_run" and r.get("assumptions")),
                      "failed": sum(1 for r in rules if r["outcome"] == "failed" and r.get("assumptions"))}
    return {**counts, "by_department": by_department, "rules": outcomes, "rules_on_assumptions": on_assumptions}


def exit_code(report: dict, fail_on: str = "error") -> int:
    """0 when no finding is at or above ``fail_on`` (error | warning | never), else 1."""
    threshold = FAIL_ON[fail_on]
    return 1 if any(SEVERITY_RANK[f["severity"]] >= threshold for f in report["findings"]) else 0


def to_json(report: dict) -> str:
    """The report as written: sorted keys, UTF-8 text, two-space indent, trailing newline (the standard library's
    indented text, laid out from its C encoder's: :mod:`.json_text`)."""
    from .json_text import dumps_indented

    return dumps_indented(report) + "\n"
