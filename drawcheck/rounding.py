"""How numbers are rounded when reported (report-json.md): one place for every output."""

from __future__ import annotations

#: Decimal places per unit: lengths 3 (m), areas 2 (m²), ratios 4, durations whole minutes.
DIGITS = {"m": 3, "m2": 2, "ratio": 4}


def as_reported(value, unit: str):
    """``value`` rounded as the report writes it; counts become ints, None stays None."""
    if value is None:
        return None
    if unit == "count":
        return int(value)
    if unit == "min":
        return int(round(float(value)))
    digits = DIGITS.get(unit)
    return round(float(value), digits) + 0.0 if digits is not None else value  # + 0.0: no "-0.0"
