"""The summary of a batch: ``summary.json``, ``summary.csv`` and ``summary.html`` (dashboard).

One row per submission, sorted by name: status, error, exit code, finding
counts, errors per department and key indicators. Every piece of text in
the dashboard is HTML-escaped (names, paths and error messages come from
the submissions); it has no script and loads nothing.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from .. import __version__

SCHEMA = "drawcheck/batch-summary@1"
DEPARTMENTS = ("planning", "fire", "greening", "traffic", "civil_defense", "qa")
#: Indicators shown in the csv and the dashboard (report key, column title, unit).
KEY_INDICATORS = (("far", "FAR", ""), ("coverage", "coverage", ""), ("green_ratio", "green ratio", ""),
                  ("max_height", "max height", "m"), ("parking_spaces", "parking", ""), ("site_area", "site area", "m²"))
STATUS_ORDER = ("passed", "findings", "unchanged", "unreadable", "failed", "timeout")


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def counts(rows) -> dict:
    c = Counter(r["status"] for r in rows)
    return {s: c.get(s, 0) for s in STATUS_ORDER}


def to_json(rows, meta: dict) -> str:
    data = {"schema": SCHEMA, "tool": {"name": "drawcheck", "version": __version__}, **meta,
            "counts": counts(rows), "submissions": rows}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_csv(rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "status", "exit_code", "errors", "warnings", "infos",
                     *[f"errors_{d}" for d in DEPARTMENTS], *[k for k, _, _ in KEY_INDICATORS],
                     "project", "source", "report", "error", "seconds"])
    for r in rows:
        dept = r.get("by_department") or {}
        has_report = r.get("report") is not None
        writer.writerow([r["name"], r["status"], _fmt(r["exit_code"]), _fmt(r["errors"]), _fmt(r["warnings"]),
                         _fmt(r["infos"]),
                         *[_fmt(dept.get(d, {}).get("errors", 0) if has_report else None) for d in DEPARTMENTS],
                         *[_fmt((r.get("indicators") or {}).get(k)) for k, _, _ in KEY_INDICATORS],
                         _fmt(r.get("project")), r["source"], _fmt(r.get("report")), _fmt(r.get("error")),
                         _fmt(r.get("seconds"))])
    return buf.getvalue()


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:1.5rem;color:#1d2430}
h1{font-size:1.3rem;margin:0 0 .4rem} p.meta{color:#556;margin:.2rem 0 1rem}
.chips span{display:inline-block;margin:0 .4rem .4rem 0;padding:.2rem .6rem;border-radius:1rem;background:#eef1f5}
table{border-collapse:collapse;font-size:.88rem;width:100%} th,td{padding:.3rem .5rem;border-bottom:1px solid #e3e6ea;
text-align:left;vertical-align:top} th{background:#f6f7f9;position:sticky;top:0} td.n{text-align:right;
font-variant-numeric:tabular-nums} td.zero{color:#aab}
.s{font-weight:600;padding:.1rem .45rem;border-radius:.3rem;white-space:nowrap}
.s-passed{background:#ddf4e4;color:#145c2b}.s-findings{background:#fdeccf;color:#7a4b00}
.s-unchanged{background:#e6ecf5;color:#2c4a72}.s-unreadable,.s-failed,.s-timeout{background:#fbdada;color:#8a1414}
td.err{color:#8a1414;max-width:36rem;word-break:break-word}
"""


def to_html(rows, meta: dict) -> str:
    e = html.escape
    c = counts(rows)
    chips = "".join(f'<span class="s-{e(s)}">{e(s)}: {n}</span>' for s, n in c.items() if n)
    head = ["submission", "status", "errors", "warnings", *DEPARTMENTS,
            *[f"{title}" + (f" ({unit})" if unit else "") for _, title, unit in KEY_INDICATORS], "error / report"]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>drawcheck batch</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>drawcheck batch</h1>",
           f'<p class="meta">{len(rows)} submissions · fail on {e(str(meta.get("fail_on")))} · exit code '
           f'{e(str(meta.get("exit_code")))} · {e(str(meta.get("executor", "")))} · drawcheck {e(__version__)}</p>',
           f'<p class="chips">{chips}</p>']
    if meta.get("ignored"):
        out.append(f'<p class="meta">ignored (not a drawing or submission folder): '
                   f'{e(", ".join(meta["ignored"]))}</p>')
    out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>")
    for r in rows:
        dept = r.get("by_department") or {}
        has_report = r.get("report") is not None
        cells = [f'<td title="{e(r["source"])}">{e(r["name"])}'
                 + (f'<br><small>{e(r["project"])}</small>' if r.get("project") else "") + "</td>",
                 f'<td><span class="s s-{e(r["status"])}">{e(r["status"])}</span></td>']
        for value in (r.get("errors"), r.get("warnings")):
            cells.append(f'<td class="n{" zero" if not value else ""}">{e(_fmt(value))}</td>')
        for d in DEPARTMENTS:
            value = dept.get(d, {}).get("errors", 0) if has_report else None
            cells.append(f'<td class="n{" zero" if not value else ""}">{e(_fmt(value))}</td>')
        for key, _, _ in KEY_INDICATORS:
            cells.append(f'<td class="n">{e(_fmt((r.get("indicators") or {}).get(key)))}</td>')
        if has_report:
            href = "/".join(quote(part) for part in r["report"].split("/"))
            cells.append(f'<td><a href="{e(href)}">report.json</a></td>')
        else:
            cells.append(f'<td class="err">{e(_fmt(r.get("error")))}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"


def write_summary(out: Path, rows, meta: dict) -> list[Path]:
    """Write the three summary files into ``out``; return their paths."""
    paths = [out / "summary.json", out / "summary.csv", out / "summary.html"]
    _write(paths[0], to_json(rows, meta))
    _write(paths[1], to_csv(rows))
    _write(paths[2], to_html(rows, meta))
    return paths
