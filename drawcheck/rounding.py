"""How numbers are rounded when reported (report-json.md): one place for every output."""

from __future__ import annotations

import numpy as np

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


#: A scaled value this close to a half (in units of the last kept digit) is rounded by Python's ``round``.
_NEAR_TIE = 1e-6


def as_reported_array(values: np.ndarray, unit: str) -> np.ndarray:
    """Many floats rounded exactly as :func:`as_reported` rounds each (same floats, ``-0.0`` made ``0.0``).

    numpy rounds the scaled value to an integer; only where that value lies within :data:`_NEAR_TIE` of a half
    can the choice differ from Python's exact decimal rounding, and those few are rounded one by one.
    """
    digits = DIGITS[unit]
    values = np.asarray(values, dtype=float)
    out = np.round(values, digits)
    scaled = values * 10.0 ** digits
    near = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < _NEAR_TIE)
    flat = out.reshape(-1)
    for k in near:
        flat[k] = round(float(values.reshape(-1)[k]), digits)
    return out + 0.0
