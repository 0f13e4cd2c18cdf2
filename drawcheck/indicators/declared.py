"""Declared vs computed: the tolerances of convention §7."""

from __future__ import annotations

#: Relative tolerance for areas, heights and counts (convention §7).
RELATIVE_TOLERANCE = 0.005
#: Absolute tolerance for ratios (convention §7).
RATIO_TOLERANCE = 0.01
#: Float slack so that a difference of exactly the tolerance passes.
_SLACK = 1e-9


def declared_status(computed: float | None, declared: float, unit: str) -> tuple[str, str]:
    """``(status, tolerance text)``: ``ok``, ``mismatch`` or ``unverified`` (computed is None)."""
    if unit == "ratio":
        tol, text = RATIO_TOLERANCE, f"±{RATIO_TOLERANCE} absolute"
    else:
        tol, text = RELATIVE_TOLERANCE * abs(declared), f"±{RELATIVE_TOLERANCE:.1%} of the declared value"
    if computed is None:
        return "unverified", text
    ok = abs(computed - declared) <= tol + _SLACK * max(1.0, abs(declared))
    return ("ok" if ok else "mismatch"), text
