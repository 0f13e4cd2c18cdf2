"""The summary of a batch: ``summary.json``, ``summary.csv`` and ``summary.html`` (dashboard).

One row per submission, sorted by name: status, result, error, exit code,
finding counts, errors per department and key indicators. Numbers are
written as the report rounds them (:mod:`drawcheck.rounding`: lengths 3
decimals, areas 2, ratios 4, counts whole). Every piece of text in the
dashboard is HTML-escaped (names, paths and error messages come from the
submissions); it has no script and loads nothing, and prints on A4
landscape.
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
from ..rounding import DIGITS, as_reported

SCHEMA = "drawcheck/batch-summary@1"
DEPARTMENTS = ("planning", "fire", "greening", "traffic", "civil_defense", "qa")
#: Indicators shown in the csv and the dashboard (report key, column title, unit shown, unit as reported).
KEY_INDICATORS = (("far", "FAR", "", "ratio"), ("coverage", "coverage", "", "ratio"),
                  ("green_ratio", "green ratio", "", "ratio"), ("max_height", "max height", "m", "m"),
                  ("parking_spaces", "parking", "", "count"), ("site_area", "site area", "m²", "m2"))
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
        return repr(value)  # the shortest text that reads back as this number: nothing cut
    return str(value)


def quantity(value, unit: str) -> str:
    """An indicator as the report rounds it, with that many decimals (``2.6122``, ``21514.16``, ``75.000``)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return _fmt(value)
    rounded = as_reported(value, unit)
    digits = DIGITS.get(unit)
    return f"{rounded:.{digits}f}" if digits is not None else _fmt(rounded)


def to_csv(rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "status", "result", "exit_code", "errors", "warnings", "infos",
                     *[f"errors_{d}" for d in DEPARTMENTS], *[k for k, *_ in KEY_INDICATORS],
                     "project", "source", "report", "error", "seconds"])
    for r in rows:
        dept = r.get("by_department") or {}
        has_report = r.get("report") is not None
        writer.writerow([r["name"], r["status"], r.get("result") or r["status"], _fmt(r["exit_code"]),
                         _fmt(r["errors"]), _fmt(r["warnings"]), _fmt(r["infos"]),
                         *[_fmt(dept.get(d, {}).get("errors", 0) if has_report else None) for d in DEPARTMENTS],
                         *[quantity((r.get("indicators") or {}).get(k), unit) for k, _, _, unit in KEY_INDICATORS],
                         _fmt(r.get("project")), r["source"], _fmt(r.get("report")), _fmt(r.get("error")),
                         _fmt(r.get("seconds"))])
    return buf.getvalue()


_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",
sans-serif;margin:1.5rem;color:#1d2430}
h1{font-size:1.3rem;margin:0 0 .4rem} p.meta{color:#556;margin:.2rem 0 1rem;overflow-wrap:anywhere}
.chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:0 0 1rem}
.chips span{display:inline-block;padding:.2rem .6rem;border-radius:1rem;background:#eef1f5}
table{border-collapse:collapse;font-size:.85rem;width:100%;table-layout:fixed}
th,td{padding:.3rem .35rem;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f7f9;position:sticky;top:0;font-weight:600;font-size:.75rem;overflow-wrap:normal}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums} td.n{white-space:nowrap} td.zero{color:#aab}
col.c-name{width:11%} col.c-status{width:8.5%} col.c-count{width:5.2%} col.c-dept{width:5%} col.c-ind{width:5.6%}
col.c-area{width:7%} col.c-link{width:7%}
.s{display:inline-block;font-weight:600;padding:.05rem .4rem;border-radius:.3rem;margin:0 0 .15rem;font-size:.8rem}
.s-passed{background:#ddf4e4;color:#145c2b}.s-findings{background:#fdeccf;color:#7a4b00}
.s-unchanged{background:#e6ecf5;color:#2c4a72}.s-unreadable,.s-failed,.s-timeout{background:#fbdada;color:#8a1414}
td.err{color:#8a1414;white-space:normal}
td.err b{font-weight:600}
small{color:#667}
@page{size:A4 landscape;margin:12mm}
@media print{
body{margin:0;font-size:9pt} table{font-size:7.5pt} th{position:static;font-size:6.5pt} th,td{padding:2pt 3.5pt}
.s{font-size:7pt} thead{display:table-header-group} tr{break-inside:avoid;page-break-inside:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def to_html(rows, meta: dict) -> str:
    """The dashboard: one row per submission; a row without a report spells out its whole error."""
    e = html.escape
    c = counts(rows)
    chips = "".join(f'<span class="s-{e(s)}">{e(s)}: {n}</span>' for s, n in c.items() if n)
    head = [("submission", "", "c-name"), ("status", "", "c-status"), ("errors", "n", "c-count"),
            ("warnings", "n", "c-count"), *[(d.replace("_", " "), "n", "c-dept") for d in DEPARTMENTS],
            *[(title + (f" ({shown})" if shown else ""), "n", "c-area" if unit == "m2" else "c-ind")
              for _, title, shown, unit in KEY_INDICATORS],
            ("report", "", "c-link")]
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
    out.append("<table><colgroup>" + "".join(f'<col class="{col}">' for _, _, col in head) + "</colgroup>")
    out.append("<thead><tr>" + "".join(f'<th{" class=" + chr(34) + cls + chr(34) if cls else ""}>{e(h)}</th>'
                                       for h, cls, _ in head) + "</tr></thead><tbody>")
    for r in rows:
        dept = r.get("by_department") or {}
        has_report = r.get("report") is not None
        result = r.get("result") or r["status"]
        status = f'<span class="s s-{e(r["status"])}">{e(r["status"])}</span>'
        if result != r["status"]:  # an unchanged submission: what its kept report says
            status += f' <span class="s s-{e(result)}" title="result of the kept report">{e(result)}</span>'
        cells = [f'<td title="{e(r["source"])}">{e(r["name"])}'
                 + (f'<br><small>{e(r["project"])}</small>' if r.get("project") else "") + "</td>",
                 f"<td>{status}</td>"]
        if has_report:
            tallies = [r.get("errors"), r.get("warnings"), *[dept.get(d, {}).get("errors", 0) for d in DEPARTMENTS]]
            cells += [f'<td class="n{" zero" if not value else ""}">{e(_fmt(value))}</td>' for value in tallies]
            for key, _, _, unit in KEY_INDICATORS:
                cells.append(f'<td class="n">{e(quantity((r.get("indicators") or {}).get(key), unit))}</td>')
            href = "/".join(quote(part) for part in r["report"].split("/"))
            cells.append(f'<td><a href="{e(href)}">report.json</a></td>')
        else:  # no counts nor indicators to show: the error takes their columns, wrapped, never cut
            cells.append(f'<td class="err" colspan="{len(head) - 2}">{e(_fmt(r.get("error")))}</td>')
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
