"""Declared indicators: the 经济技术指标 a drawing states (convention, section 7).

Input is the text on the indicator layers, one :class:`TextItem` per TEXT,
per MTEXT line or per TABLE cell; output is one :class:`Declared` per key
of :data:`DECLARED_NAMES`. Nothing here is recomputed or compared: that is
the rules' job (rule ``declared:KEY``).

Reading one item
----------------
Text is normalised (full-width ASCII such as ``：％２`` to half-width) and
stripped. An item is

* ``NAME:VALUE`` -- split at the first colon (``:`` or ``：``); spaces
  around it are optional;
* ``NAME VALUE`` or ``NAMEVALUE`` -- without a colon, the value is the
  number (with its unit) that ends the text, the name all before it;
* ``NAME`` or ``NAME:`` alone -- a name waiting for a value in its row
  (see *Tables*);
* ``VALUE`` alone -- a value waiting for a name;
* ``UNIT`` alone (``㎡``, ``(%)``) -- a unit column cell.

The name part must equal one of the names in the table *as a whole*
(trimmed, inner white space collapsed, English names case-insensitive),
optionally followed by a unit in brackets: ``绿地率(%)``, ``总建筑面积（㎡）``.
Because the whole name part must match, the longest name always wins:
``计容建筑面积`` is ``gfa_far`` and never ``gfa_total``, ``最大建筑高度`` and
``建筑高度`` are both ``max_height``, ``机动车停车位`` is not read as
``停车位`` plus rubbish. A name part that matches no name (titles, notes,
``1#楼建筑面积``) makes the item silently ignored.

A value is a number without sign (``2.5``, ``22200``, ``.5``, thousands
separators only in the strict form ``22,200.5``) and an optional unit:
only the convention's units ``㎡ m² m2 m % 个 辆``, and only those that fit
the key (areas ㎡/m²/m2, height m, coverage and green ratio %, parking
个/辆, FAR none). ``%`` divides by 100; a ratio written without ``%`` is
kept as written (``绿地率 35`` gives 35, which the check will flag).
``万㎡``, ``米``, ``≥``, ``约`` and the like are not accepted. Parking must be
a whole number.

Tables
------
A TABLE, or a table drawn with lines and single texts, gives names and
values as separate items. An item that is only a name takes its value from
the same row:

1. the row holds the items whose insertion point is within
   ``0.6 x max(name height, item height)`` of the name's in y;
2. of those, the items strictly to the right of the name are visited in
   order of x (nearest first); unit-only cells (a ``单位`` column) are
   stepped over and lend their unit to the value;
3. the first other item must be value-only, and it is the value; if it is
   anything else (another name, a note), or the row ends, the name has no
   value.

So ``序号 | 项目 | 单位 | 数值`` tables read correctly, an empty value cell
does not steal the next column's value, and nothing is paired across rows.

Problems
--------
``parse_declared`` returns one-line messages for a known name with no
value, a value that cannot be read (or whose unit does not fit), and a key
given two different values (the first is kept; both are named).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DECLARED_NAMES", "TextItem", "Declared", "parse_declared"]

DECLARED_NAMES: dict[str, tuple[str, ...]] = {
    "site_area": ("总用地面积", "用地面积", "规划用地面积", "site area"),
    "gfa_total": ("总建筑面积", "gross floor area"),
    "gfa_far": ("计容建筑面积", "计容面积"),
    "far": ("容积率", "FAR", "plot ratio"),
    "coverage": ("建筑密度", "建筑覆盖率", "coverage"),
    "green_ratio": ("绿地率", "green ratio"),
    "max_height": ("建筑高度", "最大建筑高度", "building height"),
    "parking_spaces": ("机动车停车位", "停车位", "机动车位", "parking"),
}

#: Row tolerance: two items are on one row when their insertion points
#: differ in y by at most this fraction of the larger text height (a table
#: row is at least ~1.2 text heights tall, so neighbours are never reached).
ROW_TOLERANCE = 0.6

# Units by their canonical form: ㎡ m² m2 are one unit, and so are 个 辆.
_CANONICAL_UNIT = {"㎡": "m2", "m²": "m2", "m2": "m2", "m": "m", "%": "%", "个": "count", "辆": "count"}
_UNITS_FOR_KEY: dict[str, frozenset[str]] = {
    "site_area": frozenset({"m2"}),
    "gfa_total": frozenset({"m2"}),
    "gfa_far": frozenset({"m2"}),
    "far": frozenset(),
    "coverage": frozenset({"%"}),
    "green_ratio": frozenset({"%"}),
    "max_height": frozenset({"m"}),
    "parking_spaces": frozenset({"count"}),
}

_NAME_TO_KEY: dict[str, str] = {
    " ".join(name.casefold().split()): key
    for key, names in DECLARED_NAMES.items()
    for name in names
}


@dataclass(frozen=True)
class TextItem:
    """One TEXT, one MTEXT line (lines share the handle) or one TABLE cell.

    ``x``, ``y`` is the insertion point and ``height`` the text height, in
    any drawing unit: only relative positions are used.
    """

    text: str
    x: float
    y: float
    height: float
    handle: str


@dataclass(frozen=True)
class Declared:
    """A declared indicator: ``value`` in m, m2, a ratio 0-1 or a count.

    ``text`` is the source text (name and value cells joined by a space
    for a table row); ``handles`` the entities it came from.
    """

    key: str
    value: float
    text: str
    handles: tuple[str, ...]


# --- one item ---------------------------------------------------------------

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

_UNIT = r"㎡|m²|m2|m|%|个|辆"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_VALUE_RE = re.compile(rf"(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})?")
_TRAILING_VALUE_RE = re.compile(rf"(?P<name>.*?)\s*(?P<value>(?:{_NUMBER})\s*(?:{_UNIT})?)")
_UNIT_ONLY_RE = re.compile(rf"\(?\s*(?P<unit>{_UNIT})\s*\)?")
_NAME_UNIT_RE = re.compile(rf"(?P<name>.*?)\s*\(\s*(?P<unit>{_UNIT})\s*\)")


@dataclass(frozen=True)
class _Item:
    """The reading of one item."""

    kind: str  # "pair", "name", "value", "unit", "other"
    key: str | None = None
    name_unit: str | None = None
    value: str | None = None  # the raw value text (number and unit)
    unit: str | None = None  # unit of a unit-only cell


def _lookup(name_part: str) -> tuple[str | None, str | None]:
    """``(key, bracketed unit)`` of a name part, key None when unknown."""
    unit = None
    m = _NAME_UNIT_RE.fullmatch(name_part)
    if m:
        name_part, unit = m.group("name"), m.group("unit")
    return _NAME_TO_KEY.get(" ".join(name_part.casefold().split())), unit


def _read_item(text: str) -> _Item:
    t = text.translate(_FULLWIDTH).strip()
    if not t:
        return _Item("other")
    if ":" in t:
        name_part, value_part = (s.strip() for s in t.split(":", 1))
        key, name_unit = _lookup(name_part)
        if key is None:
            return _Item("other")
        if not value_part:
            return _Item("name", key, name_unit)
        return _Item("pair", key, name_unit, value_part)
    m = _UNIT_ONLY_RE.fullmatch(t)
    if m:
        return _Item("unit", unit=m.group("unit"))
    m = _TRAILING_VALUE_RE.fullmatch(t)
    if m:
        if not m.group("name"):
            return _Item("value", value=m.group("value"))
        key, name_unit = _lookup(m.group("name"))
        if key is None:
            return _Item("other")
        return _Item("pair", key, name_unit, m.group("value"))
    key, name_unit = _lookup(t)
    return _Item("name", key, name_unit) if key else _Item("other")


def _parse_value(key: str, value: str, *units: str | None) -> float | str:
    """The value as a float, or a problem text.

    ``units`` are units given outside the value (bracketed after the name,
    a unit column); they must agree with each other and with the value's.
    """
    m = _VALUE_RE.fullmatch(value)
    if not m:
        return f"cannot read value {value!r}"
    written = [u for u in (m.group("unit"), *units) if u]
    given = {_CANONICAL_UNIT[u] for u in written}
    if len(given) > 1:
        return f"units disagree ({', '.join(written)})"
    unit = given.pop() if given else None
    if unit is not None and unit not in _UNITS_FOR_KEY[key]:
        return f"unit {written[0]!r} does not fit {key}"
    number = float(m.group("num").replace(",", ""))
    if not math.isfinite(number):
        return f"cannot read value {value!r}"
    if key == "parking_spaces" and not number.is_integer():
        return f"parking must be a whole number, got {value!r}"
    return number / 100.0 if unit == "%" else number


# --- table rows ---------------------------------------------------------------


def _same_row(a: TextItem, b: TextItem) -> bool:
    return abs(a.y - b.y) <= ROW_TOLERANCE * max(a.height, b.height)


def _row_value(
    i: int, items: Sequence[TextItem], readings: Sequence[_Item]
) -> tuple[int, int | None] | None:
    """``(value index, unit-cell index)`` for lone name ``i``, or None."""
    name = items[i]
    row = sorted(
        (
            j
            for j, other in enumerate(items)
            if j != i and other.text.strip() and other.x > name.x and _same_row(name, other)
        ),
        key=lambda j: (items[j].x - name.x, abs(items[j].y - name.y), j),
    )
    unit_cell = None
    for j in row:
        kind = readings[j].kind
        if kind == "unit":
            if unit_cell is None:
                unit_cell = j
            continue
        return (j, unit_cell) if kind == "value" else None
    return None


def _fmt(value: float) -> str:
    return f"{value:.10g}"


# --- public -------------------------------------------------------------------------


def parse_declared(items: Sequence[TextItem]) -> tuple[dict[str, Declared], list[str]]:
    """Declared indicators from the text items of the indicator layers.

    Parameters
    ----------
    items : the TEXT/MTEXT-line/cell items, in drawing order (the order
        decides which of two conflicting values is kept).

    Returns
    -------
    ``{key: Declared}`` for the keys found, and the list of problems (one
    line each, naming the text and its handle). Empty input gives
    ``({}, [])``.
    """
    readings = [_read_item(item.text) for item in items]
    found: dict[str, Declared] = {}
    problems: list[str] = []

    for i, (item, reading) in enumerate(zip(items, readings)):
        if reading.kind not in ("pair", "name"):
            continue
        key = reading.key
        assert key is not None
        used = [i]
        if reading.kind == "pair":
            value_text = reading.value or ""
            parsed = _parse_value(key, value_text, reading.name_unit)
        else:
            hit = _row_value(i, items, readings)
            if hit is None:
                problems.append(
                    f"declared {key}: {item.text.strip()!r} (handle {item.handle}) has no value"
                )
                continue
            j, unit_cell = hit
            used += [k for k in (unit_cell, j) if k is not None]
            used.sort(key=lambda k: items[k].x)
            value_text = readings[j].value or ""
            unit = readings[unit_cell].unit if unit_cell is not None else None
            parsed = _parse_value(key, value_text, reading.name_unit, unit)
        handles = tuple(dict.fromkeys(items[k].handle for k in used))
        text = " ".join(items[k].text.strip() for k in used)
        if isinstance(parsed, str):
            problems.append(f"declared {key}: {text!r} (handle {', '.join(handles)}): {parsed}")
            continue
        previous = found.get(key)
        if previous is None:
            found[key] = Declared(key, parsed, text, handles)
        elif previous.value != parsed:
            problems.append(
                f"declared {key} given twice: {_fmt(previous.value)} "
                f"(handle {', '.join(previous.handles)}) and {_fmt(parsed)} "
                f"(handle {', '.join(handles)}); keeping {_fmt(previous.value)}"
            )
    return found, problems
