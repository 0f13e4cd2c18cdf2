"""``as_reported_array`` gives, value for value, the floats ``as_reported`` gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drawcheck.rounding import DIGITS, as_reported, as_reported_array


@pytest.mark.parametrize("unit", sorted(DIGITS))
def test_ties_and_signs(unit):
    d = DIGITS[unit]
    base = np.array([0.5, 1.5, 2.5, 2.675, 1.0005, 0.0005, 1e6 + 0.0005, -0.0004, -0.0, -2.5, 1e-9, 123456.78905])
    values = np.concatenate([base, base / 10 ** d, base * 10 ** (3 - d)])
    got = as_reported_array(values, unit)
    expected = [as_reported(float(v), unit) for v in values]
    assert got.tolist() == expected
    assert not np.signbit(got[got == 0]).any()  # never "-0.0"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), min_size=1, max_size=50),
       st.sampled_from(sorted(DIGITS)))
def test_random_values(values, unit):
    assert as_reported_array(np.array(values), unit).tolist() == [as_reported(v, unit) for v in values]


def test_half_steps_in_bulk():
    """Every k / 2000 for k up to 2e6: a million exact or near ties of the third decimal."""
    values = np.arange(2_000_000) / 2000.0
    assert as_reported_array(values, "m").tolist() == [round(float(v), 3) + 0.0 for v in values]
