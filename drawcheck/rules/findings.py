"""Findings as rules produce them, before the report numbers and sorts them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..model import Source
from ..standards.packs import Rule

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, values: Mapping[str, object]) -> str:
    """Substitute ``{name}`` fields of a pack message; nothing else is interpreted."""
    return _FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def show(value, unit: str | None) -> str:
    """A number as a message shows it: lengths and areas with 2 decimals, ratios up to 4, counts whole."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit in ("count", "min") or (isinstance(value, int) and unit != "ratio"):
        return str(int(value))
    if unit in ("m", "m2"):
        return f"{value:.2f}"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def line_location(a: Sequence[float], b: Sequence[float]) -> dict:
    """GeoJSON LineString between two points (m)."""
    return {"type": "LineString", "coordinates": [[float(a[0]), float(a[1])], [float(b[0]), float(b[1])]]}


@dataclass
class Finding:
    rule: Rule
    message: str
    message_en: str = ""
    subjects: tuple[str, ...] = ()
    measured: float | int | None = None
    required: float | int | None = None
    unit: str | None = None
    location: dict | None = None
    sources: tuple[Source, ...] = ()
    severity: str | None = None  # None: the rule's
    extra: dict = field(default_factory=dict)


def finding(rule: Rule, *, subjects=(), measured=None, required=None, unit=None, location=None,
            sources=(), severity=None, extra=None, **fields) -> Finding:
    """A finding whose messages are the rule's templates filled with ``fields`` and the shown numbers."""
    values = {"measured": show(measured, unit), "required": show(required, unit), **fields}
    return Finding(rule, fill(rule.message, values), fill(rule.message_en, values) if rule.message_en else "",
                   tuple(subjects), measured, required, unit, location, tuple(sources), severity, dict(extra or {}))
