"""The report as one self-contained HTML page (inline CSS and SVG, no scripts, no network).

A rendering of the JSON report and nothing more: the numbers, outcomes and
outlines are the report's; this module only orders, groups and formats them.
Text from the report is escaped (jinja2 autoescape; the plan SVG escapes its
own text), and the same report gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from ..model import USE_NAMES
from .plan_svg import format_quantity, plan_svg
from .text import DEPARTMENTS, FIRE_CLASS_NAMES, INDICATOR_NAMES

#: Findings of one rule shown per department section before "N more".
MAX_PER_RULE = 50
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_NAMES = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}
OUTCOME_ORDER = {"failed": 0, "not_run": 1, "not_applicable": 2, "passed": 3}
OUTCOME_NAMES = {"passed": "通过 passed", "failed": "不通过 failed", "not_applicable": "不适用 not applicable",
                 "not_run": "未运行 not run"}
STATUS_NAMES = {"ok": "一致 ok", "mismatch": "不符 mismatch", "unverified": "未核实 unverified"}
CONFIDENCE_NAMES = {"verified": "verified", "secondary": "转引 secondary", "unverified": "未核实 unverified"}
DEPARTMENT_SHORT = {"planning": "规划", "fire": "消防", "greening": "绿化", "traffic": "交通",
                    "civil_defense": "人防", "qa": "图纸质检"}
_TEMPLATES = Path(__file__).parent / "templates"


def breakable(text) -> Markup:
    """``text`` escaped, with a line-break opportunity (``<wbr>``) after each ':' and '/'.

    Rule ids (``shanghai-sunlight:2021/housing``) and paths then wrap at their
    separators in a narrow column instead of running out of it.
    """
    return Markup(re.sub(r"([:/])", r"\1<wbr>", str(escape(text))))


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["quantity"] = format_quantity
    env.filters["breakable"] = breakable
    return env


def _dept_order(dept: str) -> tuple[int, str]:
    keys = list(DEPARTMENTS)
    return (keys.index(dept), "") if dept in keys else (len(keys), dept)


def _indicators(report: dict) -> list[dict]:
    known = list(INDICATOR_NAMES)
    rows = []
    items = report.get("indicators") or {}
    for key in sorted(items, key=lambda k: (known.index(k), "") if k in known else (len(known), k)):
        row = items[key]
        unit = row.get("unit")
        rows.append({
            "key": key, "name": INDICATOR_NAMES.get(key, key), "unit": unit,
            "value": None if row.get("value") is None else format_quantity(row["value"], unit),
            "reason": row.get("reason", "") or row.get("basis", ""),
            "declared": format_quantity(row["declared"], unit) if row.get("declared") is not None else "",
            "status": row.get("status", ""), "status_name": STATUS_NAMES.get(row.get("status", ""), row.get("status", "")),
        })
    return rows


def _area_drawings(report: dict) -> list[dict]:
    """Per building with an area drawing: its floor groups with m² by class, and the totals."""
    from .text import AREA_CLASSES

    out = []
    for a in report.get("area_drawings") or []:
        groups = []
        for g in a["groups"]:
            cells = [format_quantity(sum(r["gfa"] for r in g["rows"] if r["class"] == k), "m2")
                     if any(r["class"] == k for r in g["rows"]) else "" for k, _ in AREA_CLASSES]
            uses = ", ".join(dict.fromkeys(f"{r['use']}×{r['coefficient']:g}" for r in g["rows"]))
            groups.append({"floors": g["floors"], "count": g["count"], "cells": cells, "uses": uses})
        totals = [format_quantity(a[k], "m2") for k in ("gfa_counted", "gfa_not_counted", "gfa_exempt", "footprint_area")]
        out.append({"building": a["building"], "inputs": ", ".join(a["inputs"]), "titles": ", ".join(a["titles"]),
                    "floors": f"{a['floors_above']}+{a['floors_below']}", "groups": groups, "totals": totals,
                    "site_plan_gfa": format_quantity(a["site_plan_gfa"], "m2") if "site_plan_gfa" in a else "",
                    "gfa_above": format_quantity(a["gfa_above"], "m2")})
    return out


def _buildings(report: dict) -> list[dict]:
    rows = []
    for kind, items in (("new", report.get("buildings") or []), ("existing", report.get("existing_buildings") or [])):
        for b in items:
            rating = b.get("fire_rating")
            rows.append({
                "id": b.get("id", ""), "kind": "现状 existing" if kind == "existing" else "新建 new",
                "use": USE_NAMES.get(b.get("use"), b.get("use", "")),
                "floors": f"{b.get('floors_above', '')}" + (f" / −{b['floors_below']}" if b.get("floors_below") else ""),
                "height": format_quantity(b.get("height"), "m") + (" *" if b.get("height_assumed") else ""),
                "footprint": format_quantity(b.get("footprint_area"), "m2"),
                "gfa": format_quantity(b.get("gfa"), "m2"),
                "fire_class": FIRE_CLASS_NAMES.get(b.get("fire_class"), b.get("fire_class", "")),
                "fire_rating": "一二三四"[rating - 1] + "级" if isinstance(rating, int) and 1 <= rating <= 4
                else str(rating if rating is not None else ""),
                "parts": len(b.get("parts") or []),
            })
    return rows


def _models(report: dict) -> list[dict]:
    """Per building also in an IFC model: site plan / model values and what differs beyond tolerance (图模一致)."""
    out = []
    for b in report.get("buildings") or []:
        m = b.get("model")
        if m is None:
            continue
        matched = "name" if m["matched_by"] == "name" else f"overlap {m['overlap']:.2f}"
        out.append({"id": b["id"], "model": f"{m['id']} {m['source']['input']} ({matched})",
                    "footprint": _both(b, m, "footprint_area", "m2"), "floors": _both(b, m, "floors_above", "count"),
                    "hausdorff": format_quantity(m["differences"]["hausdorff"], "m"), "height": _both(b, m, "height", "m"),
                    "beyond": ", ".join(m["beyond_tolerance"]) or "—"})
    return out


def _both(drawn: dict, modelled: dict, key: str, unit: str) -> str:
    return f"{format_quantity(drawn[key], unit)} / {format_quantity(modelled[key], unit)}"


def _finding_row(f: dict) -> dict:
    unit = f.get("unit")
    extras = [f"容差 tolerance: {f['tolerance']}"] if f.get("tolerance") not in (None, "") else []
    declared = f.get("declared")
    declared = format_quantity(declared, unit) if isinstance(declared, (int, float)) and not isinstance(declared, bool) \
        else ("" if declared in (None, "") else str(declared))
    if declared and f.get("required") is not None and f["required"] != f.get("declared"):
        extras.append(f"要求 required: {format_quantity(f['required'], unit)}")  # the required column shows declared
    return {
        "id": f["id"], "severity": f.get("severity", ""),
        "severity_name": SEVERITY_NAMES.get(f.get("severity", ""), f.get("severity", "")),
        "rule": f.get("rule", ""), "clause": f.get("clause", ""), "title": f.get("title", ""),
        "message": f.get("message", ""), "message_en": f.get("message_en", ""),
        "measured": format_quantity(f["measured"], unit) if f.get("measured") is not None else "",
        "required": format_quantity(f["required"], unit) if f.get("required") is not None else "",
        "confidence": f.get("confidence", ""),
        "confidence_name": CONFIDENCE_NAMES.get(f.get("confidence", ""), f.get("confidence", "")),
        "subjects": ", ".join(str(s) for s in f.get("subjects") or []),
        "declared": declared, "declared_text": "" if f.get("declared_text") in (None, "") else str(f["declared_text"]),
        "located": bool(f.get("location")), "extras": extras + (
            [f"依赖推定 rests on assumed: {', '.join(f['assumed'])}"] if f.get("assumed") else []),
    }


def _departments(report: dict) -> list[dict]:
    """Per department with findings: its rules' groups, failures first, each cut at MAX_PER_RULE."""
    by_dept: dict[str, dict[str, list[dict]]] = {}
    for f in report.get("findings") or []:
        by_dept.setdefault(f.get("department", ""), {}).setdefault(f.get("rule", ""), []).append(f)
    out = []
    for dept in sorted(by_dept, key=_dept_order):
        groups = []
        for rule, rows in by_dept[dept].items():
            rows = sorted(rows, key=lambda f: (SEVERITY_ORDER.get(f.get("severity"), 9), f["id"]))
            shown = [_finding_row(f) for f in rows[:MAX_PER_RULE]]
            groups.append({"rule": rule, "title": rows[0].get("title", ""), "clause": rows[0].get("clause", ""),
                           "title_en": rows[0].get("title_en", ""), "declared": any(r["declared"] for r in shown),
                           "count": len(rows), "rows": shown,
                           "more": max(0, len(rows) - MAX_PER_RULE),
                           "worst": SEVERITY_ORDER.get(rows[0].get("severity"), 9), "first": rows[0]["id"]})
        groups.sort(key=lambda g: (g["worst"], g["first"]))
        counts = (report.get("summary", {}).get("by_department") or {}).get(dept, {})
        out.append({"key": dept, "name": DEPARTMENTS.get(dept, dept), "groups": groups,
                    "errors": counts.get("errors", 0), "warnings": counts.get("warnings", 0),
                    "infos": counts.get("infos", 0)})
    return out


def _summary(report: dict) -> dict:
    s = report.get("summary") or {}
    by = s.get("by_department") or {}
    outcomes: dict[str, dict[str, int]] = {}
    for r in report.get("rules") or []:
        row = outcomes.setdefault(r.get("department", ""), dict.fromkeys(OUTCOME_ORDER, 0))
        row[r.get("outcome", "")] = row.get(r.get("outcome", ""), 0) + 1
    depts = sorted(set(DEPARTMENTS) | set(by) | set(outcomes), key=_dept_order)
    rows = []
    for d in depts:
        c, o = by.get(d, {}), outcomes.get(d, {})
        rows.append({"key": d, "name": DEPARTMENTS.get(d, d), "errors": c.get("errors", 0),
                     "warnings": c.get("warnings", 0), "infos": c.get("infos", 0),
                     "outcomes": {k: o.get(k, 0) for k in OUTCOME_ORDER}})
    totals = {k: sum(r["outcomes"][k] for r in rows) for k in OUTCOME_ORDER}
    return {"errors": s.get("errors", 0), "warnings": s.get("warnings", 0), "infos": s.get("infos", 0),
            "departments": rows, "outcomes": totals}


def _rules(report: dict) -> list[dict]:
    rows = [{"rule": r.get("rule", ""), "department": r.get("department", ""),
             "department_name": DEPARTMENT_SHORT.get(r.get("department", ""), r.get("department", "")),
             "title": r.get("title", ""), "clause": r.get("clause", ""), "outcome": r.get("outcome", ""),
             "outcome_name": OUTCOME_NAMES.get(r.get("outcome", ""), r.get("outcome", "")),
             "findings": r.get("findings", 0), "reason": r.get("reason", ""),
             "confidence": r.get("confidence", ""),
             "confidence_name": CONFIDENCE_NAMES.get(r.get("confidence", ""), r.get("confidence", ""))}
            for r in report.get("rules") or []]
    rows.sort(key=lambda r: (_dept_order(r["department"]), OUTCOME_ORDER.get(r["outcome"], 9), r["rule"]))
    return rows


def _on_assumptions(report: dict) -> list[dict]:
    """Rules not judged (not_run) or failing on assumed or skipped data, with what they rest on."""
    rows = []
    for r in report.get("rules") or []:
        if not r.get("assumptions") or r.get("outcome") not in ("not_run", "failed"):
            continue
        rows.append({"rule": r.get("rule", ""), "title": r.get("title", ""), "outcome": r["outcome"],
                     "outcome_name": OUTCOME_NAMES.get(r["outcome"], r["outcome"]),
                     "department_name": DEPARTMENT_SHORT.get(r.get("department", ""), r.get("department", "")),
                     "assumptions": [a.get("message", "") for a in r["assumptions"]]})
    rows.sort(key=lambda r: (r["outcome"] != "not_run", r["rule"]))
    return rows


def _packs(report: dict) -> list[dict]:
    rows = []
    for p in report.get("packs") or []:
        overrides = [{"name": k, "default": v.get("default") if isinstance(v, dict) else "",
                      "value": v.get("value") if isinstance(v, dict) else v}
                     for k, v in sorted((p.get("overrides") or {}).items())]
        rows.append({"id": p.get("id", ""), "title": p.get("title", ""), "standard": p.get("standard", ""),
                     "version": p.get("version", ""),
                     "sha256": p.get("sha256", ""), "overrides": overrides})
    return rows


def _sunlight(report: dict) -> list[dict]:
    out = []
    for rule, d in sorted((report.get("sunlight") or {}).items()):
        buildings = [{"id": k, "windows": v.get("windows", ""), "failing": v.get("failing", ""),
                      "already_below": v.get("already_below", ""),
                      "least": format_quantity(v.get("least_minutes"), "min")}
                     for k, v in sorted((d.get("buildings") or {}).items())]
        out.append({"rule": rule, "day": d.get("day", ""), "points": d.get("points", ""),
                    "windows": d.get("windows", ""), "buildings": buildings, "note": d.get("note", "")})
    return out


def context(report: dict) -> dict:
    """What the template shows, in display order (every value taken from the report)."""
    departments = _departments(report)
    shown = {row["id"] for d in departments for g in d["groups"] for row in g["rows"]}
    findings = report.get("findings") or []
    project = report.get("project") or {}
    return {
        "project": {"name": project.get("name", ""), "inputs": project.get("inputs") or []},
        "tool": report.get("tool") or {}, "schema": report.get("schema", ""),
        "timestamp": report.get("timestamp", ""),
        "units": report.get("units") or {}, "packs": _packs(report), "summary": _summary(report),
        "indicators": _indicators(report), "buildings": _buildings(report), "area_drawings": _area_drawings(report),
        "models": _models(report),
        "plan_svg": Markup(plan_svg(report, link_ids=shown)),
        "located": sum(1 for f in findings if f.get("location")), "unlocated": sum(1 for f in findings if not f.get("location")),
        "departments": departments, "rules": _rules(report), "sunlight": _sunlight(report),
        "on_assumptions": _on_assumptions(report),
        "outcome_names": OUTCOME_NAMES, "max_per_rule": MAX_PER_RULE,
    }


def to_html(report: dict, root: Path | None = None) -> str:
    """One self-contained HTML page of ``report``; ``root`` (the submission folder) is not used."""
    return _environment().get_template("report.html.j2").render(**context(report))
