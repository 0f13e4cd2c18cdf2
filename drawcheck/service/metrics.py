"""Returns and the second-return rate (二次(含)以上退回率), exactly as the service contract defines them.

A round is *returned* when a later round of the same project exists and the
round had at least one error finding not rejected (open, accepted, or a
waiver past its date) when the later round was uploaded. That state is
frozen on the round when the later round arrives (:func:`mark_previous_round`),
or, when the round's check had not finished by then, when it finishes
(:func:`mark_if_superseded`: nobody can have decided anything yet, so every
error finding counts). ``second_return_rate`` = projects returned two or
more times / projects whose first round was checked (status ``done``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..review.decisions import state_of
from .db import Project, Submission, decision_entries

#: Decision states of an error finding that return a round (everything but rejected or waived in force).
RETURNING = ("open", "accepted", "expired")


def return_causes(report: dict, decisions: dict[str, dict], today: date) -> list[str]:
    """The rules of ``report``'s error findings that return it under ``decisions`` on ``today``, sorted."""
    return sorted(f["rule"] for f in report["findings"]
                  if f["severity"] == "error" and state_of(decisions.get(f["fingerprint"]), today) in RETURNING)


def _freeze(sub: Submission, causes: list[str]) -> None:
    sub.returned = bool(causes)
    sub.return_rules = causes


def mark_previous_round(s: Session, new: Submission, reports, today: date) -> None:
    """Freeze whether the round before ``new`` is returned, as decided at this moment (``new`` is being uploaded).

    ``reports.get(sub)`` gives a done submission's report. A round not yet
    checked stays undecided until its check ends (:func:`mark_if_superseded`);
    a round whose check failed has no findings and is not returned.
    """
    previous = s.scalar(select(Submission).where(Submission.project_id == new.project_id,
                                                 Submission.round == new.round - 1))
    if previous is None or previous.returned is not None:
        return
    if previous.status == "done":
        _freeze(previous, return_causes(reports.get(previous), decision_entries(s, previous.id), today))
    elif previous.status == "failed":
        _freeze(previous, [])


def mark_if_superseded(s: Session, sub: Submission, report: dict | None, today: date) -> None:
    """When ``sub``'s check ends after a later round was uploaded, freeze its return with no decisions."""
    later = s.scalar(select(func.count()).select_from(Submission).where(
        Submission.project_id == sub.project_id, Submission.round > sub.round))
    if later and sub.returned is None:
        _freeze(sub, return_causes(report, {}, today) if report is not None else [])


def summary(s: Session) -> dict:
    """``GET /api/metrics``: projects, submissions, returned_once, returned_twice_or_more, second_return_rate, by_rule."""
    projects = s.scalar(select(func.count()).select_from(Project)) or 0
    submissions = s.scalar(select(func.count()).select_from(Submission)) or 0
    returns = Counter(dict(s.execute(select(Submission.project_id, func.count()).where(Submission.returned.is_(True))
                                     .group_by(Submission.project_id)).all()))
    finished_first = s.scalar(select(func.count()).select_from(Submission).where(
        Submission.round == 1, Submission.status == "done")) or 0
    twice = sum(1 for n in returns.values() if n >= 2)
    by_rule: Counter = Counter()
    for rules in s.scalars(select(Submission.return_rules).where(Submission.returned.is_(True))):
        by_rule.update(rules or [])
    return {"projects": projects, "submissions": submissions,
            "returned_once": sum(1 for n in returns.values() if n == 1), "returned_twice_or_more": twice,
            "second_return_rate": twice / finished_first if finished_first else None,
            "by_rule": dict(sorted(by_rule.items()))}


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def details(s: Session) -> dict:
    """The metrics page: :func:`summary` plus per-rule shares, rounds per project and check times (s)."""
    out = summary(s)
    returned_rounds = list(s.scalars(select(Submission.return_rules).where(Submission.returned.is_(True))))
    rounds_with = Counter(rule for rules in returned_rounds for rule in set(rules or []))
    out["per_rule"] = [{"rule": rule, "findings": out["by_rule"][rule], "rounds": rounds_with[rule],
                        "share_of_returns": rounds_with[rule] / len(returned_rounds)}
                       for rule in sorted(rounds_with, key=lambda r: (-rounds_with[r], r))]
    out["returned_rounds"] = len(returned_rounds)
    per_project = Counter(dict(s.execute(select(Submission.project_id, func.count())
                                         .group_by(Submission.project_id)).all()))
    out["rounds_per_project"] = dict(sorted(Counter(per_project.values()).items()))
    seconds = [x for x in s.scalars(select(Submission.seconds).where(Submission.seconds.is_not(None)))]
    out["check_seconds"] = {"checks": len(seconds), "median": median(seconds) if seconds else None,
                            "p95": _percentile(seconds, 0.95), "max": max(seconds) if seconds else None}
    out["statuses"] = dict(sorted(s.execute(select(Submission.status, func.count()).group_by(Submission.status)).all()))
    return out
