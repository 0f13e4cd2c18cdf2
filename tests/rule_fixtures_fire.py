"""Per-rule fixtures of the fire department packs: gb50016-2014 (beyond 5.2.2), gb55037-2022.

Expected numbers are worked out by hand next to each case; builders come from
``fixture_plans.py``. ``rule_fixtures.py`` collects these ``CASES``.
"""

from __future__ import annotations

from fixture_plans import Case, Plan  # noqa: F401

CASES: list[Case] = []
