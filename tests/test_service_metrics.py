"""Two-step waivers (review.decisions) and the return rule of the service contract (service.metrics), in process.

The report here is written by hand: three error findings and one warning, so
which findings return a round can be worked out without drawcheck.
"""

from __future__ import annotations

from datetime import date

import pytest

from drawcheck.review import ReviewError
from drawcheck.review.decisions import approve_waiver, new_review, record, state_of, status
from drawcheck.service.metrics import return_causes

REPORT = {
    "project": {"name": "p", "inputs": []},
    "findings": [
        {"id": "F0001", "fingerprint": "a" * 64, "rule": "gb50016-2014:5.2.2", "department": "fire",
         "severity": "error", "subjects": ["1#", "2#"]},
        {"id": "F0002", "fingerprint": "b" * 64, "rule": "conditions:far_max", "department": "planning",
         "severity": "error", "subjects": ["project"]},
        {"id": "F0003", "fingerprint": "c" * 64, "rule": "declared:far", "department": "qa",
         "severity": "error", "subjects": ["project"]},
        {"id": "F0004", "fingerprint": "d" * 64, "rule": "greening:ratio", "department": "greening",
         "severity": "warning", "subjects": ["project"]},
    ],
}
DAY = date(2026, 3, 1)


def review():
    return new_review(REPORT)


def test_a_proposed_waiver_is_not_in_force_until_approved():
    r = review()
    record(r, REPORT, department="planning", decision="accept", reviewer="李工", fingerprint="b" * 64, decided=DAY)
    entry = record(r, REPORT, department="planning", decision="waive", reviewer="李工", fingerprint="b" * 64,
                   expires="2026-06-30", decided=DAY, proposed=True)
    assert entry["proposed"] is True and entry["approver"] is None
    # the acceptance before the proposal still holds
    assert state_of(r["decisions"]["b" * 64], DAY) == "accepted"
    approved = approve_waiver(r, "b" * 64, approver="赵处", decided=DAY)
    assert approved["approver"] == "赵处" and "proposed" not in approved
    assert [h["decision"] for h in approved["history"]] == ["accept", "waive"]
    assert state_of(approved, DAY) == "waived"
    assert state_of(approved, date(2026, 7, 1)) == "expired"  # the day after expires


def test_a_proposal_without_a_prior_decision_leaves_the_finding_open():
    r = review()
    record(r, REPORT, department="fire", decision="waive", reviewer="王工", fingerprint="a" * 64,
           expires="2026-06-30", decided=DAY, proposed=True)
    assert status(REPORT, r, DAY)["departments"]["fire"]["open"] == 1


@pytest.mark.parametrize("change, message", [
    (lambda r: approve_waiver(r, "b" * 64, approver="李工"), "other than the reviewer"),
    (lambda r: approve_waiver(r, "a" * 64, approver="赵处"), "no waiver is proposed"),
    (lambda r: record(r, REPORT, department="planning", decision="waive", reviewer="李工", fingerprint="b" * 64,
                      decided=DAY, proposed=True), "expiry"),
    (lambda r: record(r, REPORT, department="planning", decision="accept", reviewer="李工", fingerprint="b" * 64,
                      decided=DAY, proposed=True), "only a waiver"),
])
def test_waiver_steps_refused(change, message):
    r = review()
    record(r, REPORT, department="planning", decision="waive", reviewer="李工", fingerprint="b" * 64,
           expires="2026-06-30", decided=DAY, proposed=True)
    with pytest.raises(ReviewError, match=message):
        change(r)


def test_return_causes_are_the_error_findings_not_rejected_nor_waived_in_force():
    r = review()
    assert return_causes(REPORT, {}, DAY) == ["conditions:far_max", "declared:far", "gb50016-2014:5.2.2"]
    record(r, REPORT, department="fire", decision="accept", reviewer="王工", fingerprint="a" * 64, decided=DAY)
    record(r, REPORT, department="planning", decision="reject", reviewer="李工", fingerprint="c" * 64, decided=DAY)
    record(r, REPORT, department="planning", decision="waive", reviewer="李工", fingerprint="b" * 64,
           expires="2026-06-30", decided=DAY, proposed=True)
    # accepted still returns; rejected does not; a proposed waiver is not in force yet
    assert return_causes(REPORT, r["decisions"], DAY) == ["conditions:far_max", "gb50016-2014:5.2.2"]
    approve_waiver(r, "b" * 64, approver="赵处", decided=DAY)
    assert return_causes(REPORT, r["decisions"], DAY) == ["gb50016-2014:5.2.2"]
    # a waiver past its date returns the round again
    assert return_causes(REPORT, r["decisions"], date(2026, 7, 1)) == ["conditions:far_max", "gb50016-2014:5.2.2"]
