"""Greening checks: green ratio by land use, central green share and patch size (上海市绿化条例, 技术规定)."""

from __future__ import annotations
