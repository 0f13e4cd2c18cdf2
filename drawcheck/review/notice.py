"""The one-time notice (一次性告知书): everything the applicant must change, once, by department.

Built from a report and its review file (:mod:`.decisions`):

- Only error and warning findings; info findings are for reviewers.
- Findings that state the same fact are one item. The fact key is: the
  sorted subjects, the location rounded to 0.1 m (as in the fingerprint), the
  measured value and its unit. 1#–2# at 10.00 m flagged by
  ``gb50016-2014:5.2.2`` (fire) and ``shanghai-planning:27`` (planning) is
  one item naming both clauses. A finding without a measured value is never
  merged (its key is its fingerprint): two drawing-quality findings about
  different entities share neither a value nor, often, subjects.
- An item is listed in full under its lead department (the first of
  planning, fire, greening, traffic, civil_defense, qa that raised it) and
  referred to by number under each other department that raised it.
- Rejected findings are left out (counted in the header). Findings under a
  waiver in force are listed apart, with approver and expiry, and are not
  required this round; an expired waiver puts its finding back in the list.
  Findings nobody has decided yet are listed and marked 待审查确认.
- Items are numbered 1..n in department order; waived items 豁免 1..m.

:func:`build_notice` returns a JSON-ready dictionary; :func:`to_markdown`
and :func:`to_html` render it (HTML is self-contained and escaped).
"""

from __future__ import annotations

import html
import json
import re
from datetime import date

from .decisions import state_of

_SEVERITY_RANK = {"error": 0, "warning": 1}
SEVERITY_NAMES = {"error": "错误", "warning": "警告"}
_MUST = ("open", "accepted", "expired")


def department_names() -> dict[str, str]:
    """Chinese name of each department, in notice order (planning first, qa last)."""
    from ..reports.text import DEPARTMENTS

    return {key: label.split()[0] for key, label in DEPARTMENTS.items()}


def fact_key(finding: dict) -> tuple:
    """The de-duplication key of a finding: subjects, location (0.1 m), measured value, unit."""
    if finding.get("measured") is None:
        return ("finding", finding["fingerprint"])
    loc = finding.get("location")
    coords = None
    if loc:
        raw = loc["coordinates"]
        points = [raw] if loc["type"] == "Point" else raw
        coords = tuple((round(float(x), 1), round(float(y), 1)) for x, y in points)
    return ("fact", tuple(sorted(finding.get("subjects") or [])), coords, finding["measured"], finding.get("unit"))


def _member(f: dict, entry: dict | None, state: str) -> dict:
    row = {k: f.get(k) for k in ("id", "fingerprint", "rule", "pack", "department", "severity", "clause", "title",
                                 "message", "measured", "required", "unit")}
    row["subjects"] = list(f.get("subjects") or [])
    row["state"] = state
    if entry is not None:
        row["decision"] = {k: entry.get(k) for k in ("decision", "reviewer", "approver", "expires", "decided", "comment")}
    return row


def _item(members: list[dict], order: dict[str, int]) -> dict:
    members = sorted(members, key=lambda m: (order.get(m["department"], 99), m["id"]))
    departments = list(dict.fromkeys(m["department"] for m in members))
    subjects = [s for s in dict.fromkeys(s for m in members for s in m["subjects"]) if s != "project"]
    return {"lead": departments[0], "departments": departments, "title": members[0]["title"],
            "subjects": subjects, "severity": min((m["severity"] for m in members), key=_SEVERITY_RANK.get),
            "members": members}


def build_notice(report: dict, review: dict | None = None, *, round: int | None = None,
                 today: date | None = None) -> dict:
    """The notice for ``report`` under the decisions of ``review`` (may be None), as of ``today``.

    ``round`` defaults to the review file's round, else 1.
    """
    today = today or date.today()
    decisions = (review or {}).get("decisions", {})
    names = department_names()
    order = {d: i for i, d in enumerate(names)}
    groups: dict[tuple, list[dict]] = {}
    for f in report["findings"]:
        if f["severity"] in _SEVERITY_RANK:
            groups.setdefault(fact_key(f), []).append(f)
    items, waived = [], []
    rejected = 0
    for group in groups.values():
        must, excused = [], []
        for f in group:
            entry = decisions.get(f["fingerprint"])
            state = state_of(entry, today)
            m = _member(f, entry, state)
            if state in _MUST:
                must.append(m)
            elif state == "waived":
                excused.append(m)
        if must:
            items.append(_item(must, order))
        elif excused:
            waived.append(_item(excused, order))
        else:
            rejected += 1
    sort = lambda it: (order.get(it["lead"], 99), _SEVERITY_RANK[it["severity"]], it["members"][0]["id"])  # noqa: E731
    items.sort(key=sort)
    waived.sort(key=sort)
    for n, it in enumerate(items, 1):
        it["no"] = n
    for n, it in enumerate(waived, 1):
        it["no"] = n
    by_department = {}
    for dept in names:
        lead = [it["no"] for it in items if it["lead"] == dept]
        also = [it["no"] for it in items if dept in it["departments"] and it["lead"] != dept]
        if lead or also:
            by_department[dept] = {"items": lead, "also": also}
    members = [m for it in items for m in it["members"]]
    return {
        "schema": "drawcheck/notice@1",
        "project": report["project"]["name"],
        "round": round if round is not None else int((review or {}).get("round", 1)),
        "date": today.isoformat(),
        "tool": report.get("tool", {}),
        "inputs": [{"path": i["path"], "sha256": i["sha256"]} for i in report["project"]["inputs"]],
        "packs": [{"id": p["id"], "version": p.get("version"), "title": p.get("title") or p["id"],
                   "standard": p.get("standard") or ""} for p in report.get("packs", [])],
        "departments": names,
        "items": items,
        "by_department": by_department,
        "waived": waived,
        "counts": {"items": len(items), "errors": sum(it["severity"] == "error" for it in items),
                   "warnings": sum(it["severity"] == "warning" for it in items), "waived": len(waived),
                   "rejected": rejected, "pending": sum(m["state"] == "open" for m in members),
                   "expired": sum(m["state"] == "expired" for m in members),
                   "findings": sum(len(g) for g in groups.values())},
    }


def to_json(notice: dict) -> str:
    """The notice dictionary as JSON (sorted keys)."""
    return json.dumps(notice, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------
# shared wording


def _subjects(item: dict) -> str:
    from ..reports.text import INDICATOR_NAMES

    names = [INDICATOR_NAMES[s].split()[0] if s in INDICATOR_NAMES else s for s in item["subjects"]]
    return "、".join(names) if names else "项目"


#: A pack's ``standard`` that is a bare code (``GB 50016-2014``) is named with the pack's title after it;
#: any other ``standard`` is a full citation (a regulation's name, article, decree) and stands alone.
_CODE = re.compile(r"^(GB|GB/T|JGJ|CJJ|DG|DGJ|DBJ)[\s/]")


def standard_name(pack: dict) -> str:
    """How the notice names a rule pack: ``GB 50016-2014 (2018年版) 建筑设计防火规范``, never the pack id.

    A pack without a ``standard`` (plot conditions, drawing quality) is named by its title.
    """
    title = pack.get("title") or pack["id"]
    standard = (pack.get("standard") or "").strip()
    if not standard:
        return title
    return f"{standard} {title}" if _CODE.match(standard) and title not in standard else standard


def department_counts(notice: dict) -> list[dict]:
    """Per department with items, in notice order: items it leads (errors, warnings), items it shares, waived."""
    items = {it["no"]: it for it in notice["items"]}
    waived = {d: sum(d in it["departments"] for it in notice["waived"])
              for d in list(notice["departments"]) + list(notice["by_department"])}
    rows = []
    for dept, refs in notice["by_department"].items():
        lead = [items[no] for no in refs["items"]]
        rows.append({"department": dept, "name": notice["departments"].get(dept, dept), "items": len(lead),
                     "errors": sum(it["severity"] == "error" for it in lead),
                     "warnings": sum(it["severity"] == "warning" for it in lead),
                     "also": len(refs["also"]), "waived": waived[dept]})
    for dept in notice["departments"]:
        if dept not in notice["by_department"] and waived[dept]:
            rows.append({"department": dept, "name": notice["departments"][dept], "items": 0, "errors": 0,
                         "warnings": 0, "also": 0, "waived": waived[dept]})
    order = list(notice["departments"])
    rows.sort(key=lambda r: order.index(r["department"]) if r["department"] in order else len(order))
    return rows


def _summary(notice: dict) -> str:
    c = notice["counts"]
    text = f"须修改 {c['items']} 项（错误 {c['errors']} 项，警告 {c['warnings']} 项）"
    if c["waived"]:
        text += f"；另有豁免 {c['waived']} 项，本轮不要求修改（见文末）"
    if c["rejected"]:
        text += f"；经审查不成立、不列入 {c['rejected']} 项"
    text += "。"
    if c["pending"]:
        text += f"其中 {c['pending']} 条意见尚未经审查人员确认（标注“待审查确认”）。"
    return text


def _member_note(m: dict) -> str:
    d = m.get("decision") or {}
    if m["state"] == "open":
        return "待审查确认"
    if m["state"] == "expired":
        return f"原豁免已于 {d.get('expires')} 到期"
    if m["state"] == "waived":
        text = f"豁免：审查人 {d.get('reviewer')}，批准人 {d.get('approver')}，有效期至 {d.get('expires')}"
        return text + (f"；说明：{d['comment']}" if d.get("comment") else "")
    return ""


# ---------------------------------------------------------------------------
# Markdown

_MD_SPECIAL = "\\`*_[]<>|"


def _md(text) -> str:
    """Escape Markdown punctuation so a message cannot format or link."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def _also_ref(item: dict, dept: str, names: dict) -> tuple[str, str]:
    """For an item led by another department: (the leading department's name, this department's clauses)."""
    clauses = "；".join(m["clause"] for m in item["members"] if m["department"] == dept)
    return names.get(item["lead"], item["lead"]), clauses


def _md_item(it: dict, names: dict, prefix: str = "") -> list[str]:
    lines = [f"{prefix}{it['no']}. **{_md(it['title'])}（{_md(_subjects(it))}）** 〔{SEVERITY_NAMES[it['severity']]}〕"]
    for m in it["members"]:
        note = _member_note(m)
        dept = names.get(m["department"], m["department"])
        line = f"   - {_md(dept)}｜{_md(m['clause'])}（`{m['rule']}`，{m['id']}）：{_md(m['message'])}"
        lines.append(line + (f" 〔{_md(note)}〕" if note and m["state"] != "waived" else ""))
        if m["state"] == "waived":
            lines.append(f"     {_md(note)}")
    return lines


def to_markdown(notice: dict) -> str:
    """The notice as Markdown (Chinese)."""
    names = notice["departments"]
    tool = notice.get("tool") or {}
    out = ["# 一次性告知书", "",
           f"- 项目：{_md(notice['project'])}",
           f"- 审查轮次：第 {notice['round']} 轮",
           f"- 告知日期：{notice['date']}"]
    for i in notice["inputs"]:
        out.append(f"- 送审文件：{_md(i['path'])}（SHA-256 `{i['sha256']}`）")
    if notice["packs"]:
        out.append("- 审查依据：" + "；".join(_md(standard_name(p)) for p in notice["packs"]))
    if tool:
        out.append(f"- 生成工具：{_md(tool.get('name', 'drawcheck'))} {_md(tool.get('version', ''))}")
    out += ["", _md(_summary(notice)), ""]
    counts = department_counts(notice)
    if counts:
        out += ["| 部门 | 须修改 | 错误 | 警告 | 另见他部门 | 豁免 |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        out += [f"| {_md(r['name'])} | {r['items']} | {r['errors']} | {r['warnings']} | {r['also']} | {r['waived']} |"
                for r in counts]
        out.append("")
    items = {it["no"]: it for it in notice["items"]}
    for dept, refs in notice["by_department"].items():
        out += [f"## {_md(names.get(dept, dept))}", ""]
        for no in refs["items"]:
            out += _md_item(items[no], names)
        for no in refs["also"]:
            lead, clauses = _also_ref(items[no], dept, names)
            out.append(f"- 见第 {no} 项（{_md(lead)}一并列出）：{_md(clauses)}")
        out.append("")
    if not notice["items"]:
        out += ["本轮无须修改事项。", ""]
    if notice["waived"]:
        out += ["## 已豁免事项（本轮不要求修改）", ""]
        for it in notice["waived"]:
            out += _md_item(it, names, prefix="豁免 ")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------
# HTML

_CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei",
sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222;line-height:1.6;font-size:15px}
h1{font-size:1.6em;margin:0 0 .6em;letter-spacing:.1em;text-align:center}
h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #c9ced4;padding:.25em .6em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f5f7;font-weight:600;overflow-wrap:break-word}
table.head{table-layout:fixed} table.head th{width:7em;white-space:nowrap}
table.counts{table-layout:fixed} table.counts td.n,table.counts th.n{text-align:right;
font-variant-numeric:tabular-nums} table.counts td.zero{color:#9aa3ab}
code{font-size:.85em;word-break:break-all}
ul.standards{margin:0;padding-left:1.2em}
p.summary{background:#f7f8fa;border-left:4px solid #455a64;padding:.5em .8em}
li.item{margin:.6em 0;overflow-wrap:anywhere} li.item>ul{padding-left:1.2em}
h1,h2,p{overflow-wrap:anywhere}
.sev{display:inline-block;padding:0 .4em;border:1px solid currentColor;border-radius:3px;font-size:.85em;
font-weight:600;margin-left:.3em}
.sev-error{color:#b00020}.sev-warning{color:#a05a00}.note{color:#555;font-size:.92em}
.ref{color:#444}.clause{font-weight:600}.rule{color:#666;font-size:.85em}
@page{size:A4;margin:16mm 12mm 16mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10.5pt;line-height:1.5}
h1{font-size:16pt} h2{font-size:12pt;break-after:avoid;page-break-after:avoid}
table.head th{width:5.5em} th,td{padding:2pt 4pt}
thead{display:table-header-group} tr,li.item{break-inside:avoid;page-break-inside:avoid}
p.summary{border-left-width:2pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def _h(text) -> str:
    return html.escape(str(text), quote=True)


def _html_item(it: dict, names: dict, label: str = "") -> str:
    value = "" if label else f' value="{it["no"]}"'
    parts = [f'<li class="item"{value}><strong>{label}{_h(it["title"])}（{_h(_subjects(it))}）</strong>'
             f'<span class="sev sev-{_h(it["severity"])}">{_h(SEVERITY_NAMES[it["severity"]])}</span><ul>']
    for m in it["members"]:
        note = _member_note(m)
        dept = names.get(m["department"], m["department"])
        parts.append(f'<li><span class="clause">{_h(dept)}｜{_h(m["clause"])}</span>'
                     f'<span class="rule">（{_h(m["rule"])}，{_h(m["id"])}）</span>：{_h(m["message"])}'
                     + (f' <span class="note">〔{_h(note)}〕</span>' if note else "") + "</li>")
    parts.append("</ul></li>")
    return "".join(parts)


def _html_counts(notice: dict) -> list[str]:
    rows = department_counts(notice)
    if not rows:
        return []
    head = [("部门", ""), ("须修改", "n"), ("其中错误", "n"), ("其中警告", "n"), ("另见他部门", "n"), ("豁免", "n")]
    out = ['<table class="counts"><thead><tr>'
           + "".join(f'<th{f" class={chr(34)}{c}{chr(34)}" if c else ""}>{t}</th>' for t, c in head)
           + "</tr></thead><tbody>"]
    for r in rows:
        cells = [f"<td>{_h(r['name'])}</td>"]
        for key in ("items", "errors", "warnings", "also", "waived"):
            cells.append(f'<td class="n{" zero" if not r[key] else ""}">{r[key]}</td>')
        out.append(f'<tr data-department="{_h(r["department"])}">' + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return out


def to_html(notice: dict) -> str:
    """The notice as one self-contained HTML page (every value escaped, no external resources)."""
    names = notice["departments"]
    tool = notice.get("tool") or {}
    rows = [("项目", _h(notice["project"])), ("审查轮次", f"第 {_h(notice['round'])} 轮"), ("告知日期", _h(notice["date"]))]
    rows += [("送审文件", f"{_h(i['path'])}<br><code>SHA-256 {_h(i['sha256'])}</code>") for i in notice["inputs"]]
    if notice["packs"]:
        rows.append(("审查依据", '<ul class="standards">'
                     + "".join(f'<li data-pack="{_h(p["id"])}">{_h(standard_name(p))}</li>' for p in notice["packs"])
                     + "</ul>"))
    if tool:
        rows.append(("生成工具", _h(f"{tool.get('name', 'drawcheck')} {tool.get('version', '')}")))
    body = ["<h1>一次性告知书</h1>", '<table class="head">']
    body += [f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows]
    body += ["</table>", f'<p class="summary">{_h(_summary(notice))}</p>']
    body += _html_counts(notice)
    items = {it["no"]: it for it in notice["items"]}
    for dept, refs in notice["by_department"].items():
        body.append(f'<h2 id="dept-{_h(dept)}">{_h(names.get(dept, dept))}</h2>')
        if refs["items"]:
            body.append("<ol>" + "".join(_html_item(items[no], names) for no in refs["items"]) + "</ol>")
        if refs["also"]:
            body.append('<ul class="ref">')
            for no in refs["also"]:
                lead, clauses = _also_ref(items[no], dept, names)
                body.append(f"<li>见第 {no} 项（{_h(lead)}一并列出）：{_h(clauses)}</li>")
            body.append("</ul>")
    if not notice["items"]:
        body.append("<p>本轮无须修改事项。</p>")
    if notice["waived"]:
        body.append('<h2>已豁免事项（本轮不要求修改）</h2><ul class="waived">')
        body += [_html_item(it, names, label=f"豁免 {it['no']}. ") for it in notice["waived"]]
        body.append("</ul>")
    title = _h(f"一次性告知书 — {notice['project']} 第 {notice['round']} 轮")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
