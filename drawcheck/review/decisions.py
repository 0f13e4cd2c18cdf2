"""Reviewers' decisions on findings: the review file beside a report, and each department's status.

The review file is ``REPORT`` with the suffix ``.review.json``
(``out/report.json`` -> ``out/report.review.json``)::

    {"schema": "drawcheck/review@1",
     "project": "某住宅地块",
     "round": 1,
     "report": {"path": "report.json", "inputs": [{"path": "site.dxf", "sha256": "..."}]},
     "decisions": {
       "<fingerprint>": {"finding": "F0001", "rule": "gb50016-2014:5.2.2", "department": "fire",
                         "subjects": ["1#", "2#"], "decision": "accept", "reviewer": "王工",
                         "comment": "", "approver": null, "expires": null,
                         "decided": "2025-03-01", "round": 1}}}

Decisions are keyed by the finding's fingerprint, so they survive the
re-numbering of finding ids between rounds; ``finding`` is this round's id,
for reading. Deciding a finding again replaces its entry and keeps the
earlier one under ``history``. Entries carried over from an earlier round
(:mod:`.diff`) also hold ``carried_over``: ``{"round": 1, "finding": "F0003"}``.

Decisions:

- ``accept``: the finding stands; the applicant must fix it.
- ``reject``: the finding is not valid; it leaves the notice.
- ``waive``: the finding stands but is not required this time. Needs an
  approver other than the reviewer and an expiry date; from the day after
  ``expires`` the waiver is void and the finding counts as open again.
  The review service records a waiver in two steps: a reviewer *proposes*
  it (``record(..., proposed=True)``: the entry holds ``"proposed": true``
  and no approver, and the decision before it stays in force) and an
  approver approves it (:func:`approve_waiver`).

A department decides only its own findings; drawing-quality findings (``qa``)
are decided by planning. A department is named by its key (``fire``) or its
Chinese name (``消防``, see :func:`department_key`). A department is *signed
off* when every error and warning finding it decides has a decision in force
(accepted, rejected, or waived and not expired). Info findings need no
decision, and deciding one is refused.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from . import ReviewError, write_json

SCHEMA = "drawcheck/review@1"
DECISIONS = ("accept", "reject", "waive")
#: Departments whose reviewers decide; ``qa`` findings go to :data:`DECIDED_BY`.
REVIEW_DEPARTMENTS = ("planning", "fire", "greening", "traffic", "civil_defense")
DECIDED_BY = {"qa": "planning"}
#: States of a finding under review (``expired`` = a waiver past its date: open again).
STATES = ("open", "accepted", "rejected", "waived", "expired")
_STATE_OF = {"accept": "accepted", "reject": "rejected", "waive": "waived"}
_TO_DECIDE = ("error", "warning")


def review_path(report_path: Path | str) -> Path:
    """The review file of a report: the same path with the suffix ``.review.json``."""
    return Path(report_path).with_suffix(".review.json")


def department_aliases() -> dict[str, str]:
    """Every name ``--department`` accepts -> its key: the keys themselves and the Chinese names
    (规划 planning, 消防 fire, 绿化 greening, 交通 traffic, 人防 civil_defense, 图纸质检 qa) of the
    report's one department table (:data:`drawcheck.reports.text.DEPARTMENTS`)."""
    from ..reports.text import DEPARTMENTS

    names = {key: key for key in DEPARTMENTS}
    names.update({label.split()[0]: key for key, label in DEPARTMENTS.items()})
    return names


def department_key(name: str) -> str:
    """The department key of ``name`` (a key or a Chinese name, surrounding blanks ignored);
    :class:`ReviewError` listing the accepted names for anything else."""
    key = department_aliases().get((name or "").strip())
    if key is None:
        raise ReviewError(f"--department must be one of {_accepted()}, not '{name}'")
    return key


def _accepted() -> str:
    chinese = {k: n for n, k in department_aliases().items() if n != k}
    return ", ".join(f"{k} ({chinese[k]})" for k in REVIEW_DEPARTMENTS)


def deciding_department(finding_department: str) -> str:
    """The department whose reviewers decide findings of ``finding_department``."""
    return DECIDED_BY.get(finding_department, finding_department)


def parse_date(text: str, option: str) -> date:
    """A ``YYYY-MM-DD`` date, or :class:`ReviewError` naming the option."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ReviewError(f"{option} must be a date YYYY-MM-DD, not '{text}'") from None


def new_review(report: dict, report_file: Path | str | None = None, *, round: int = 1) -> dict:
    """An empty review of ``report`` (no decisions yet)."""
    return {"schema": SCHEMA, "project": report["project"]["name"], "round": round,
            "report": {"path": Path(report_file).name if report_file else None,
                       "inputs": [{"path": i["path"], "sha256": i["sha256"]} for i in report["project"]["inputs"]]},
            "decisions": {}}


def load_review(path: Path | str, report: dict | None = None, report_file: Path | str | None = None) -> dict:
    """Read a review file; a missing file gives an empty review of ``report`` (if given).

    Raises :class:`ReviewError` when the file is not a drawcheck review.
    """
    path = Path(path)
    if not path.exists():
        if report is None:
            raise ReviewError(f"{path}: no such review file")
        return new_review(report, report_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewError(f"{path}: not a readable review file ({type(exc).__name__})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("decisions"), dict):
        raise ReviewError(f"{path}: not a drawcheck review file (schema {SCHEMA} expected)")
    return data


def save_review(path: Path | str, review: dict) -> None:
    """Write a review file (sorted keys, so it diffs cleanly under version control)."""
    write_json(Path(path), review)


def find_finding(report: dict, *, finding: str | None = None, fingerprint: str | None = None) -> dict:
    """The finding with this id (``F0003``) or fingerprint (full, or a unique prefix of 8+ characters)."""
    if (finding is None) == (fingerprint is None):
        raise ReviewError("give exactly one of --finding ID or --fingerprint SHA")
    findings = report["findings"]
    if finding is not None:
        hit = [f for f in findings if f["id"] == finding.strip().upper()]
        if not hit:
            raise ReviewError(f"no finding '{finding}' in the report (ids F0001..F{len(findings):04d})")
        return hit[0]
    fp = fingerprint.strip().lower()
    hit = [f for f in findings if f["fingerprint"] == fp]
    if not hit and len(fp) >= 8:
        hit = [f for f in findings if f["fingerprint"].startswith(fp)]
    if len(hit) > 1:
        raise ReviewError(f"fingerprint '{fingerprint}' matches {len(hit)} findings; give more of it")
    if not hit:
        raise ReviewError(f"no finding with fingerprint '{fingerprint}' in the report")
    return hit[0]


def record(review: dict, report: dict, *, department: str, decision: str, reviewer: str,
           finding: str | None = None, fingerprint: str | None = None, comment: str | None = None,
           approver: str | None = None, expires: str | None = None, decided: date | None = None,
           proposed: bool = False) -> dict:
    """Record one decision in ``review`` (in place) and return its entry.

    ``proposed=True`` records a waiver proposal: an expiry but no approver yet.

    ``department`` is a key or a Chinese name (:func:`department_key`); the
    entry holds the key. Raises :class:`ReviewError` for an unknown
    department, decision or finding, an info finding (info needs no
    decision), a finding of another department, or a waiver without
    approver and expiry (or with an expiry before the decision date).
    """
    given = department
    department = department_key(department)
    if department not in REVIEW_DEPARTMENTS:
        raise ReviewError(f"--department must be one of {_accepted()}, not '{given}' "
                          f"({department} findings are decided by {deciding_department(department)})")
    if decision not in DECISIONS:
        raise ReviewError(f"--decision must be accept, reject or waive, not '{decision}'")
    if not reviewer or not reviewer.strip():
        raise ReviewError("--reviewer must name the reviewer")
    target = find_finding(report, finding=finding, fingerprint=fingerprint)
    if target["severity"] not in _TO_DECIDE:
        raise ReviewError(f"{target['id']} ({target['rule']}) is an {target['severity']} finding: "
                          "info findings need no decision and cannot be decided")
    owner = deciding_department(target["department"])
    if owner != department:
        raise ReviewError(f"{target['id']} ({target['rule']}) is a {target['department']} finding: "
                          f"only {owner} may decide it, not {department}")
    decided = decided or date.today()
    if proposed and (decision != "waive" or approver):
        raise ReviewError("only a waiver is proposed, and without an approver (the approver approves it later)")
    if decision == "waive":
        if proposed and not expires:
            raise ReviewError("a waiver needs an expiry date (expires YYYY-MM-DD)")
        if not proposed and (not approver or not approver.strip() or not expires):
            raise ReviewError("--decision waive needs --approver NAME and --expires YYYY-MM-DD")
        if approver and approver.strip() == reviewer.strip():
            raise ReviewError("--approver must be someone other than the --reviewer")
        until = parse_date(expires, "--expires")
        if until < decided:
            raise ReviewError(f"--expires {until.isoformat()} is before the decision date {decided.isoformat()}")
        expires = until.isoformat()
    elif approver or expires:
        raise ReviewError("--approver and --expires belong to --decision waive only")
    entry = {"finding": target["id"], "rule": target["rule"], "department": target["department"],
             "subjects": list(target.get("subjects") or []), "decision": decision, "reviewer": reviewer.strip(),
             "comment": (comment or "").strip(), "approver": approver.strip() if approver else None,
             "expires": expires, "decided": decided.isoformat(), "round": int(review.get("round", 1))}
    if proposed:
        entry["proposed"] = True
    previous = review["decisions"].get(target["fingerprint"])
    if previous is not None:
        history = previous.pop("history", [])
        entry["history"] = history + [previous]
    review["decisions"][target["fingerprint"]] = entry
    return entry


def approve_waiver(review: dict, fingerprint: str, *, approver: str, decided: date | None = None) -> dict:
    """Approve the proposed waiver of finding ``fingerprint`` (in place); returns the entry now in force.

    Raises :class:`ReviewError` when no waiver is proposed for it or the
    approver is the reviewer who proposed it. The proposal is kept under ``history``.
    """
    entry = review["decisions"].get(fingerprint)
    if entry is None or entry.get("decision") != "waive" or not entry.get("proposed"):
        raise ReviewError("no waiver is proposed for this finding")
    if not approver or not approver.strip():
        raise ReviewError("the approver must be named")
    if approver.strip() == entry["reviewer"]:
        raise ReviewError("the approver must be someone other than the reviewer who proposed the waiver")
    history = entry.pop("history", [])
    approved = {**entry, "approver": approver.strip(), "approved": (decided or date.today()).isoformat()}
    del approved["proposed"]
    approved["history"] = history + [entry]
    review["decisions"][fingerprint] = approved
    return approved


def state_of(entry: dict | None, today: date) -> str:
    """``open`` (no decision), ``accepted``, ``rejected``, ``waived`` or ``expired`` (waiver past its date) on ``today``.

    A proposed waiver is not in force: the decision before it (if any) holds.
    """
    if entry is None:
        return "open"
    if entry.get("proposed"):
        history = entry.get("history") or []
        return state_of(history[-1], today) if history else "open"
    state = _STATE_OF.get(entry.get("decision"), "open")
    if state == "waived":
        expires = entry.get("expires")
        if not expires or date.fromisoformat(expires) < today:
            return "expired"
    return state


def in_force(state: str) -> bool:
    """True for a decision that settles the finding (not open, not an expired waiver)."""
    return state in ("accepted", "rejected", "waived")


def status(report: dict, review: dict, today: date | None = None) -> dict:
    """Per deciding department: counts of findings by state and whether it is signed off.

    Returns ``{"as_of", "project", "round", "departments": {dept: {"findings",
    "open", "accepted", "rejected", "waived", "expired", "info", "signed_off"}},
    "findings": [{"id", "fingerprint", "rule", "department", "decided_by",
    "severity", "state", ...}], "stale": [fingerprints decided but not in the report]}``.
    ``findings`` counts the error and warning findings to decide; ``open``
    includes ``expired``; info findings are counted apart and need no decision.
    """
    today = today or date.today()
    decisions = review.get("decisions", {})
    departments = {d: {"findings": 0, "open": 0, "accepted": 0, "rejected": 0, "waived": 0, "expired": 0, "info": 0}
                   for d in REVIEW_DEPARTMENTS}
    rows = []
    for f in report["findings"]:
        entry = decisions.get(f["fingerprint"])
        state = state_of(entry, today)
        dept = deciding_department(f["department"])
        counts = departments.setdefault(dept, {k: 0 for k in departments["planning"]})
        row = {"id": f["id"], "fingerprint": f["fingerprint"], "rule": f["rule"], "department": f["department"],
               "decided_by": dept, "severity": f["severity"], "subjects": f.get("subjects", []), "state": state}
        if entry is not None:
            row.update({k: entry.get(k) for k in ("decision", "reviewer", "approver", "expires", "decided", "comment")})
        rows.append(row)
        if f["severity"] not in _TO_DECIDE:
            counts["info"] += 1
            continue
        counts["findings"] += 1
        counts["open" if state in ("open", "expired") else state] += 1
        if state == "expired":
            counts["expired"] += 1
    for counts in departments.values():
        counts["signed_off"] = counts["open"] == 0
    known = {f["fingerprint"] for f in report["findings"]}
    return {"as_of": today.isoformat(), "project": report["project"]["name"], "round": review.get("round", 1),
            "departments": departments, "findings": rows, "stale": sorted(fp for fp in decisions if fp not in known)}
