"""Compare two rounds of a submission: indicator deltas, findings fixed / open / new, decisions carried over.

Findings are matched by fingerprint (rule + sorted subjects + location to
0.1 m), never by id, which changes between rounds:

- ``fixed``: in OLD, not in NEW (OLD's finding);
- ``open``: in both (NEW's finding);
- ``new``: only in NEW (NEW's finding).

A finding whose location moved (the applicant moved a building, and the
distance is still too small) has a new fingerprint: it is *fixed* in its old
place and *new* in its new one. Such pairs, same rule and same subjects, are
listed under ``relocated`` so a reviewer does not read the old one as
solved; decisions do not carry over to them (the fact changed: decide again).

Decisions of the OLD review file carry over to NEW's open findings by
fingerprint, waivers with their original expiry; :func:`carry_over` writes
them into NEW's review file without replacing decisions already made there.

Finding ids (``F0001``) restart in every report, so the diff names each
finding with its round, ``r1:F0001`` / ``r2:F0003`` (:func:`finding_name`):
OLD's round is its review file's, else 1; NEW's is the next one (the round
:func:`carry_over` gives NEW's review file).
"""

from __future__ import annotations

import html
import io
import json
from datetime import date
from pathlib import Path

from . import ReviewError, load_report
from .decisions import load_review, new_review, review_path, state_of

SCHEMA = "drawcheck/diff@1"


def load_or_check(path: Path | str) -> tuple[dict, Path | None]:
    """A report: read from a ``.json`` report, or made by checking a submission (folder or drawing).

    Returns ``(report dict, report file or None)``; raises :class:`ReviewError`
    when the path is missing or the submission cannot be read.
    """
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".json":
        return load_report(path), path
    if not path.exists():
        raise ReviewError(f"{path}: no such file or folder")
    from ..pipeline import InputError, check

    try:
        return check(path).data, None
    except InputError as exc:
        raise ReviewError(str(exc)) from None


def finding_name(round: int, finding_id: str) -> str:
    """A finding id qualified by its round: ``r1:F0001``."""
    return f"r{round}:{finding_id}"


def rounds_of(old_review: dict | None) -> dict[str, int]:
    """``{"old": N, "new": N + 1}``: OLD's round from its review file (1 without one), NEW the next."""
    old = int(old_review.get("round", 1)) if old_review else 1
    return {"old": old, "new": old + 1}


def _names(fixed: list, still: list, added: list, old: dict, rounds: dict) -> dict[str, dict]:
    """Per fingerprint of the diff's findings: its round-qualified name in OLD and in NEW (None where absent)."""
    old_ids = {f["fingerprint"]: f["id"] for f in old["findings"]}
    names = {f["fingerprint"]: {"old": finding_name(rounds["old"], f["id"]), "new": None} for f in fixed}
    for f in still:
        names[f["fingerprint"]] = {"old": finding_name(rounds["old"], old_ids[f["fingerprint"]]),
                                   "new": finding_name(rounds["new"], f["id"])}
    for f in added:
        names[f["fingerprint"]] = {"old": None, "new": finding_name(rounds["new"], f["id"])}
    return names


def _declared(row: dict | None) -> dict | None:
    if not row or "declared" not in row:
        return None
    return {"declared": row.get("declared"), "status": row.get("status")}


def _side(report: dict, source: str | None, review: dict | None) -> dict:
    return {"source": source, "project": report["project"]["name"],
            "inputs": [{"path": i["path"], "sha256": i["sha256"]} for i in report["project"]["inputs"]],
            "findings": len(report["findings"]), "round": int(review["round"]) if review else None}


def _carried(entry: dict, finding: dict, old_round: int) -> dict:
    carried = {k: v for k, v in entry.items() if k != "carried_over"}
    carried["finding"] = finding["id"]
    carried["carried_over"] = {"round": old_round, "finding": entry.get("finding")}
    return carried


def diff_reports(old: dict, new: dict, old_review: dict | None = None, *, today: date | None = None,
                 old_source: str | None = None, new_source: str | None = None) -> dict:
    """The diff of two reports (``drawcheck/diff@1``), with OLD's decisions carried to NEW's open findings.

    ``today`` decides whether a carried waiver has expired (state ``expired``).
    """
    today = today or date.today()
    old_ind, new_ind = old.get("indicators", {}), new.get("indicators", {})
    changed, declared, table = {}, {}, []
    for key in dict.fromkeys([*old_ind, *new_ind]):
        o, n = old_ind.get(key) or {}, new_ind.get(key) or {}
        value_changed = o.get("value") != n.get("value")
        if value_changed:
            changed[key] = {"old": o.get("value"), "new": n.get("value")}
        do, dn = _declared(o), _declared(n)
        if do != dn:
            declared[key] = {"old": do, "new": dn}
        table.append({"key": key, "unit": n.get("unit", o.get("unit")), "old": o.get("value"), "new": n.get("value"),
                      "old_declared": o.get("declared"), "new_declared": n.get("declared"),
                      "old_status": o.get("status"), "new_status": n.get("status"),
                      "changed": value_changed or do != dn})
    old_fps = {f["fingerprint"] for f in old["findings"]}
    new_fps = {f["fingerprint"] for f in new["findings"]}
    fixed = [f for f in old["findings"] if f["fingerprint"] not in new_fps]
    still = [f for f in new["findings"] if f["fingerprint"] in old_fps]
    added = [f for f in new["findings"] if f["fingerprint"] not in old_fps]
    rounds = rounds_of(old_review)
    relocated = []
    for f in fixed:
        same = [g for g in added if g["rule"] == f["rule"] and sorted(g["subjects"]) == sorted(f["subjects"])]
        if same:
            relocated.append({"rule": f["rule"], "subjects": f["subjects"],
                              "old": {"id": f["id"], "name": finding_name(rounds["old"], f["id"]),
                                      "fingerprint": f["fingerprint"], "measured": f.get("measured")},
                              "new": [{"id": g["id"], "name": finding_name(rounds["new"], g["id"]),
                                       "fingerprint": g["fingerprint"], "measured": g.get("measured")}
                                      for g in same]})
    decisions = {}
    if old_review:
        old_round = int(old_review.get("round", 1))
        for f in still:
            entry = old_review["decisions"].get(f["fingerprint"])
            if entry is not None:
                decisions[f["fingerprint"]] = _carried(entry, f, old_round) | {"state": state_of(entry, today)}
    return {"schema": SCHEMA, "as_of": today.isoformat(), "rounds": rounds,
            "names": _names(fixed, still, added, old, rounds),
            "reports": {"old": _side(old, old_source, old_review), "new": _side(new, new_source, None)},
            "indicators": changed, "declared": declared, "indicator_table": table,
            "fixed": fixed, "open": still, "new": added, "relocated": relocated, "decisions": decisions,
            "summary": {"fixed": len(fixed), "open": len(still), "new": len(added), "relocated": len(relocated),
                        "carried_over": len(decisions)}}


def carry_over(diff: dict, new_report: dict, new_report_file: Path, existing: dict | None = None) -> tuple[dict, int]:
    """NEW's review with the diff's carried decisions added; returns ``(review, number added)``.

    Decisions already in NEW's review (``existing``) are kept, never replaced.
    The review's round is OLD's round + 1 unless NEW's review already had one.
    """
    review = existing or new_review(new_report, new_report_file, round=diff["rounds"]["new"])
    added = 0
    for fp, entry in diff["decisions"].items():
        if fp not in review["decisions"]:
            review["decisions"][fp] = {k: v for k, v in entry.items() if k != "state"}
            added += 1
    return review, added


def old_review_of(old_file: Path | None, review_file: Path | None) -> dict | None:
    """OLD's review: ``review_file`` if given (must exist), else the file beside OLD's report if there is one."""
    if review_file is not None:
        return load_review(review_file)
    if old_file is not None and review_path(old_file).exists():
        return load_review(review_path(old_file))
    return None


def to_json(diff: dict) -> str:
    """The diff as JSON (sorted keys)."""
    return json.dumps(diff, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------
# renderings

def _fmt(value, unit) -> str:
    if value is None:
        return "—"
    if unit == "count":
        return str(int(value))
    if unit == "ratio":
        return f"{value:.4f}"
    return f"{value:,.2f}"


def _declared_cell(row: dict) -> str:
    o, n = row["old_declared"], row["new_declared"]
    if o is None and n is None:
        return ""
    return _fmt(o, row["unit"]) if o == n else f"{_fmt(o, row['unit'])} → {_fmt(n, row['unit'])}"


def _status_cell(row: dict) -> str:
    o, n = row["old_status"] or "", row["new_status"] or ""
    return o if o == n else f"{o or '—'} → {n or '—'}"


def _decision_note(entry: dict | None) -> str:
    if not entry:
        return ""
    text = f"{entry['decision']} by {entry['reviewer']} ({entry['department']}, {entry['decided']})"
    if entry["decision"] == "waive":
        text += f", approved by {entry.get('approver')}, until {entry.get('expires')}"
    if entry.get("comment"):
        text += f": {entry['comment']}"
    if entry.get("state") == "expired":
        text += " — EXPIRED: open again"
    return text


def _relocated_of(diff: dict) -> dict[str, str]:
    notes = {}
    for r in diff["relocated"]:
        notes[r["old"]["fingerprint"]] = "still flagged at a new location: " + ", ".join(g["name"] for g in r["new"])
        for g in r["new"]:
            notes[g["fingerprint"]] = f"relocated: was {r['old']['name']}"
    return notes


def _side_line(label: str, side: dict, round: int) -> str:
    inputs = ", ".join(f"{i['path']} {i['sha256'][:12]}" for i in side["inputs"])
    return f"{label} = r{round}: {side['source'] or '(checked)'} ({side['findings']} findings) inputs {inputs}"


def _name_cell(diff: dict, key: str, finding: dict) -> str:
    """The id column: the round-qualified name; an open finding shows NEW's name and OLD's."""
    names = diff["names"][finding["fingerprint"]]
    return f"{names['new']} (was {names['old']})" if key == "open" else names["old" if key == "fixed" else "new"]


def to_text(diff: dict, *, width: int = 140) -> str:
    """The diff as plain text tables (rich, no colour)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from ..reports.text import INDICATOR_NAMES

    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    s = diff["summary"]
    console.print(f"drawcheck diff — {diff['reports']['new']['project']}", markup=False)
    console.print(_side_line("old", diff["reports"]["old"], diff["rounds"]["old"]), markup=False)
    console.print(_side_line("new", diff["reports"]["new"], diff["rounds"]["new"]), markup=False)
    console.print(f"fixed {s['fixed']}, open {s['open']}, new {s['new']} ({s['relocated']} relocated), "
                  f"decisions carried over {s['carried_over']} (as of {diff['as_of']})", markup=False)
    t = Table(title="Indicators 经济技术指标", box=box.SIMPLE_HEAD, title_justify="left")
    for col, justify in (("indicator", "left"), ("old", "right"), ("new", "right"), ("declared", "right"),
                         ("status", "left"), ("", "left")):
        t.add_column(col, justify=justify)
    for row in diff["indicator_table"]:
        t.add_row(INDICATOR_NAMES.get(row["key"], row["key"]), _fmt(row["old"], row["unit"]),
                  _fmt(row["new"], row["unit"]), _declared_cell(row), _status_cell(row), "*" if row["changed"] else "")
    console.print(t)
    notes = _relocated_of(diff)
    for key, title in (("fixed", "Fixed 已整改"), ("open", "Open 仍存在"), ("new", "New 新增")):
        ft = Table(title=f"{title} ({len(diff[key])})", box=box.SIMPLE_HEAD, title_justify="left")
        for col in ("id", "department", "severity", "rule", "subjects", "message", "note"):
            ft.add_column(col, overflow="fold")
        for f in diff[key]:
            note = _decision_note(diff["decisions"].get(f["fingerprint"])) if key == "open" else notes.get(f["fingerprint"], "")
            ft.add_row(_name_cell(diff, key, f), f["department"], f["severity"], f["rule"], ", ".join(f["subjects"]), f["message"], note)
        console.print(ft)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


_CSS = """body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right}tr.changed td{background:#fff7d6}.fixed{color:#1b7d2b}
.new{color:#b00020}.note{color:#555;font-size:.9em}code{font-size:.85em}"""


def _h(text) -> str:
    return html.escape(str(text), quote=True)


def to_html(diff: dict) -> str:
    """The diff as one self-contained HTML page (escaped, no external resources)."""
    from ..reports.text import INDICATOR_NAMES

    s = diff["summary"]
    body = [f"<h1>drawcheck diff — {_h(diff['reports']['new']['project'])}</h1>",
            f"<p>{_h(_side_line('old', diff['reports']['old'], diff['rounds']['old']))}<br>"
            f"{_h(_side_line('new', diff['reports']['new'], diff['rounds']['new']))}</p>",
            f"<p><span class=\"fixed\">fixed {s['fixed']}</span>, open {s['open']}, "
            f"<span class=\"new\">new {s['new']}</span> ({s['relocated']} relocated), "
            f"decisions carried over {s['carried_over']} (as of {_h(diff['as_of'])})</p>",
            "<h2>Indicators 经济技术指标</h2><table><tr><th>indicator</th><th>old</th><th>new</th>"
            "<th>declared</th><th>status</th></tr>"]
    for row in diff["indicator_table"]:
        cls = ' class="changed"' if row["changed"] else ""
        body.append(f"<tr{cls}><td>{_h(INDICATOR_NAMES.get(row['key'], row['key']))}</td>"
                    f"<td class=\"num\">{_h(_fmt(row['old'], row['unit']))}</td>"
                    f"<td class=\"num\">{_h(_fmt(row['new'], row['unit']))}</td>"
                    f"<td class=\"num\">{_h(_declared_cell(row))}</td><td>{_h(_status_cell(row))}</td></tr>")
    body.append("</table>")
    notes = _relocated_of(diff)
    for key, title in (("fixed", "Fixed 已整改"), ("open", "Open 仍存在"), ("new", "New 新增")):
        body.append(f"<h2 class=\"{key}\">{_h(title)} ({len(diff[key])})</h2>")
        if not diff[key]:
            continue
        body.append("<table><tr><th>id</th><th>department</th><th>severity</th><th>rule</th><th>subjects</th>"
                    "<th>message</th><th>note</th></tr>")
        for f in diff[key]:
            note = _decision_note(diff["decisions"].get(f["fingerprint"])) if key == "open" else notes.get(f["fingerprint"], "")
            body.append(f"<tr><td>{_h(_name_cell(diff, key, f))}</td><td>{_h(f['department'])}</td><td>{_h(f['severity'])}</td>"
                        f"<td><code>{_h(f['rule'])}</code></td><td>{_h(', '.join(f['subjects']))}</td>"
                        f"<td>{_h(f['message'])}</td><td class=\"note\">{_h(note)}</td></tr>")
        body.append("</table>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_h('drawcheck diff — ' + diff['reports']['new']['project'])}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
