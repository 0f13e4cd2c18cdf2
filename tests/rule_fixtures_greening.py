"""Per-rule fixtures of the greening, traffic, civil defense and area rules: shanghai-greening, gbt50353-2013, conditions ratios.

Expected numbers are worked out by hand next to each case; builders come from
``fixture_plans.py``. ``rule_fixtures.py`` collects these ``CASES``.
"""

from __future__ import annotations

from fixture_plans import Case, Plan  # noqa: F401

CASES: list[Case] = []
