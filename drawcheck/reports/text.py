"""Terminal rendering of a report (rich tables): indicators, buildings, findings by department."""

from __future__ import annotations

import io
from collections import Counter

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..model import USE_NAMES

DEPARTMENTS = {"planning": "规划 planning", "fire": "消防 fire", "greening": "绿化 greening",
               "traffic": "交通 traffic", "civil_defense": "人防 civil defense", "qa": "图纸质检 drawing QA"}
INDICATOR_NAMES = {
    "site_area": "总用地面积 site area", "footprint_area": "基底面积 footprint", "coverage": "建筑密度 coverage",
    "gfa_total": "总建筑面积 GFA total", "gfa_above": "地上建筑面积 GFA above", "gfa_below": "地下建筑面积 GFA below",
    "gfa_far": "计容建筑面积 GFA in FAR", "far": "容积率 FAR", "green_area": "绿地面积 green area",
    "green_ratio": "绿地率 green ratio", "max_height": "建筑高度 max height", "parking_spaces": "机动车位 parking",
}
FIRE_CLASS_NAMES = {"high-rise-1": "一类高层", "high-rise-2": "二类高层", "low-multi": "单多层"}
_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
_STATUS_STYLE = {"ok": "green", "mismatch": "bold red", "unverified": "yellow"}
_UNIT = {"m2": "m²", "m": "m", "ratio": "", "count": ""}


def _value(v, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "count":
        return str(int(v))
    if unit == "ratio":
        return f"{v:.4f}"
    return f"{v:,.2f} {_UNIT[unit]}".strip()


def model_table(buildings: list[dict]) -> Table:
    """Site plan against model, one line per compared quantity (narrow enough for a terminal)."""
    table = Table(title="Site plan / model 图模一致", box=box.SIMPLE_HEAD, title_justify="left")
    for title, justify in (("楼号 / 模型", "left"), ("", "left"), ("总平面图 plan", "right"), ("模型 model", "right"),
                           ("", "left")):
        table.add_column(title, justify=justify)
    for b in buildings:
        m = b.get("model")
        if m is None:
            continue
        beyond = set(m["beyond_tolerance"])
        lines = (("footprint_area", "基底 m²", f"{b['footprint_area']:,.2f}", f"{m['footprint_area']:,.2f}"),
                 ("hausdorff", "轮廓 Hausdorff m", "", f"{m['differences']['hausdorff']:.3f}"),
                 ("floors_above", "层数 floors", str(b["floors_above"]), str(m["floors_above"])),
                 ("height", "高度 m", f"{b['height']:.2f}", f"{m['height']:.2f}"))
        names = [b["id"], f"{m['source']['input']} {m['id']}", "同名 name" if m["matched_by"] == "name"
                 else f"重叠 overlap {m['overlap']:.2f}", ""]
        for name, (key, label, drawn, modelled) in zip(names, lines):
            flag = Text("超差 beyond", style="bold red") if key in beyond else Text("ok", style="green")
            table.add_row(name, label, drawn, modelled, flag)
    return table


def render(report: dict, *, max_findings_per_department: int = 30) -> Group:
    """The report as rich renderables (print them with a Console)."""
    parts = []
    project = report["project"]
    head = Text()
    head.append(f"drawcheck {report['tool']['version']}  ", style="bold")
    head.append(project["name"], style="bold cyan")
    head.append(f"\ninputs: {', '.join(i['path'] for i in project['inputs'])}   units: {report['units']['source']}")
    head.append(f"\npacks: {', '.join(p['id'] + ' v' + p['version'] for p in report['packs'])}")
    parts.append(head)

    ind = Table(title="Indicators 经济技术指标", box=box.SIMPLE_HEAD, title_justify="left")
    for col, justify in (("indicator", "left"), ("computed", "right"), ("declared", "right"), ("status", "left")):
        ind.add_column(col, justify=justify)
    for key, row in report["indicators"].items():
        status = row.get("status", "")
        computed = _value(row["value"], row["unit"]) if row["value"] is not None else Text(f"— ({row.get('reason', '')})", style="yellow")
        ind.add_row(INDICATOR_NAMES.get(key, key), computed, _value(row.get("declared"), row["unit"]) if "declared" in row else "",
                    Text(status, style=_STATUS_STYLE.get(status, "")))
    parts.append(ind)
    if any(row.get("basis") for row in report["indicators"].values()):
        fed = ", ".join(a["building"] for a in report.get("area_drawings", []))
        parts.append(Text(f"GFA indicators: {fed} from area drawings (计容 area into FAR), other buildings from the "
                          "site plan's labels", style="dim"))
    parts.extend(area_tables(report.get("area_drawings", [])))

    if report["buildings"]:
        bt = Table(title="Buildings 建筑", box=box.SIMPLE_HEAD, title_justify="left")
        for col in ("楼号", "用途", "层数", "高度 m", "基底 m²", "建筑面积 m²", "防火分类", "耐火等级"):
            bt.add_column(col, justify="left" if col in ("楼号", "用途", "防火分类") else "right")
        for b in report["buildings"]:
            bt.add_row(b["id"], USE_NAMES.get(b["use"], b["use"]), str(b["floors_above"]), f"{b['height']:.2f}",
                       f"{b['footprint_area']:,.2f}", f"{b['gfa']:,.2f}", FIRE_CLASS_NAMES.get(b["fire_class"], b["fire_class"]),
                       "一二三四"[b["fire_rating"] - 1] + "级" if 1 <= b["fire_rating"] <= 4 else str(b["fire_rating"]))
        parts.append(bt)
    if any("model" in b for b in report["buildings"]):
        parts.append(model_table(report["buildings"]))

    by_dept: dict[str, list[dict]] = {}
    for f in report["findings"]:
        by_dept.setdefault(f["department"], []).append(f)
    for dept in DEPARTMENTS:
        rows = by_dept.get(dept)
        if not rows:
            continue
        rows = sorted(rows, key=lambda f: ({"error": 0, "warning": 1, "info": 2}[f["severity"]], f["id"]))
        ft = Table(title=f"Findings — {DEPARTMENTS[dept]}", box=box.SIMPLE_HEAD, title_justify="left")
        ft.add_column("id")
        ft.add_column("severity")
        ft.add_column("rule")
        ft.add_column("message", overflow="fold")
        for f in rows[:max_findings_per_department]:
            assumed = f" [rests on assumed: {', '.join(f['assumed'])}]" if f.get("assumed") else ""
            ft.add_row(f["id"], Text(f["severity"], style=_SEVERITY_STYLE[f["severity"]]), f["rule"], f["message"] + assumed)
        if len(rows) > max_findings_per_department:
            ft.add_row("…", "", "", f"{len(rows) - max_findings_per_department} more in the JSON report")
        parts.append(ft)

    outcomes = Counter(r["outcome"] for r in report["rules"])
    tail = Text()
    tail.append("rules: " + ", ".join(f"{outcomes[k]} {k}" for k in ("passed", "failed", "not_applicable", "not_run")))
    not_run = [r for r in report["rules"] if r["outcome"] == "not_run"]
    on_assumptions = [r for r in not_run if r.get("assumptions")]
    if on_assumptions:
        tail.append(f"\nnot judged, would rest on assumed or skipped data ({len(on_assumptions)}):", style="bold yellow")
        for r in on_assumptions:
            kinds = ", ".join(dict.fromkeys(a["kind"] for a in r["assumptions"]))
            tail.append(f"\n  {r['rule']} — rests on: {kinds}", style="yellow")
    for r in not_run:
        if not r.get("assumptions"):
            tail.append(f"\n  not run: {r['rule']} — {r.get('reason', '')}", style="yellow")
    s = report["summary"]
    tail.append(f"\nsummary: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} infos",
                style="bold red" if s["errors"] else "bold green")
    parts.append(tail)
    return Group(*parts)


AREA_CLASSES = (("counted", "计容"), ("not_counted", "不计容"), ("exempt", "免计容"), ("footprint", "基底"))


def area_tables(rows: list[dict]) -> list[Table]:
    """One table per building with an area drawing: per floor group the floors and m² by class."""
    out = []
    for a in rows:
        title = f"Area drawing 面积计算 {a['building']} ({', '.join(a['inputs'])})"
        t = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
        t.add_column("楼层 floors")
        t.add_column("层数", justify="right")
        for _, name in AREA_CLASSES:
            t.add_column(f"{name} m²", justify="right")
        for g in a["groups"]:
            sums = {k: sum(r["gfa"] for r in g["rows"] if r["class"] == k) for k, _ in AREA_CLASSES}
            t.add_row(g["floors"], str(g["count"]), *(f"{sums[k]:,.2f}" if any(r["class"] == k for r in g["rows"]) else ""
                                                      for k, _ in AREA_CLASSES))
        t.add_row(Text("total", style="bold"), f"{a['floors_above']}+{a['floors_below']}",
                  *(f"{a[key]:,.2f}" for key in ("gfa_counted", "gfa_not_counted", "gfa_exempt", "footprint_area")))
        out.append(t)
    return out


def to_text(report: dict, *, width: int = 120, color: bool = False) -> str:
    """The terminal rendering as plain text (for files and tests)."""
    console = Console(width=width, record=True, color_system="auto" if color else None, file=io.StringIO())
    console.print(render(report))
    return console.export_text()

