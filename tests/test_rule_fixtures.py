"""Every rule against its outcome-named fixtures (tests/rule_fixtures.py generates them)."""

from __future__ import annotations

import re

import pytest

import drawcheck
from drawcheck.rules.registry import load_checks
from drawcheck.standards.packs import available_packs, load_packs
from rule_fixtures import CASES, OUTCOMES, write_all

#: Tolerance on measured/required values compared with the hand-worked numbers (the report rounds to mm).
NUMBER_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return {case.folder: folder for case, folder in write_all(tmp_path_factory.mktemp("rules"))}


@pytest.mark.parametrize("case", CASES, ids=[c.folder for c in CASES])
def test_rule_fixture(case, folders):
    report = drawcheck.check(folders[case.folder]).data
    row = next(r for r in report["rules"] if r["rule"] == case.rule)
    findings = [f for f in report["findings"] if f["rule"] == case.rule]
    assert row["outcome"] == case.outcome, (row, findings)
    if case.outcome == "failed":
        assert findings and row["findings"] == len(findings)
        first = findings[0]
        if case.measured is not None:
            assert first["measured"] == pytest.approx(case.measured, abs=NUMBER_TOLERANCE)
        if case.required is not None:
            assert first["required"] == pytest.approx(case.required, abs=NUMBER_TOLERANCE)
        assert first["clause"] and first["confidence"] in ("verified", "secondary", "unverified")
    else:
        assert not findings
    if case.outcome in ("not_applicable", "not_run"):
        assert row.get("reason")


def test_fixture_names_follow_the_pattern():
    for case in CASES:
        assert re.fullmatch(r"(pass|fail|na|notrun)-[a-z0-9.\-]+", case.name), case.name
        assert case.name.split("-", 1)[0] in OUTCOMES
    assert len({c.folder for c in CASES}) == len(CASES)


def test_every_standard_and_condition_rule_has_pass_and_fail_fixtures():
    packs = load_packs(available_packs(), known_checks=load_checks())
    rules = [r.id for p in packs if p.id not in ("qa",) for r in p.rules]
    for rule in rules:
        outcomes = {c.outcome for c in CASES if c.rule == rule}
        assert {"passed", "failed"} <= outcomes, f"{rule} lacks pass/fail fixtures: {outcomes}"
        assert outcomes & {"not_applicable", "not_run"}, f"{rule} lacks an na/notrun fixture"
