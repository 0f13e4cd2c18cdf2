"""``dumps_indented`` writes the same text as ``json.dumps(..., ensure_ascii=False, sort_keys=True, indent=2)``."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from drawcheck.reports.json_text import dumps_indented

ROOT = Path(__file__).resolve().parents[1]


def reference(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=2)


# strings with the characters that matter: quotes, backslashes, JSON punctuation, control characters, CJK, emoji
TEXT = st.text(alphabet=st.sampled_from(list('ab"\\{}[],: \n\t\x00\x1f/') + ["用", "㎡", "😀", "\u2028"]),
               max_size=12)
SCALARS = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
                      max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_same_text_as_the_indenting_encoder(obj):
    assert dumps_indented(obj) == reference(obj)


def test_empty_and_nested_containers():
    obj = {"a": [], "b": {}, "c": [[], [{}], {"d": [1, {"e": []}]}], "": ""}
    assert dumps_indented(obj) == reference(obj)


def test_a_real_report():
    report = json.loads((ROOT / "samples" / "residential" / "expected.json").read_text(encoding="utf-8"))
    assert dumps_indented(report) == reference(report)
