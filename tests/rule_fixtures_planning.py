"""Per-rule fixtures of the planning packs: shanghai-planning, gb50352-2019, gb50180-2018.

Expected numbers are worked out by hand next to each case; builders come from
``fixture_plans.py``. ``rule_fixtures.py`` collects these ``CASES``.
"""

from __future__ import annotations

from fixture_plans import Case, Plan  # noqa: F401

CASES: list[Case] = []
