"""Building-part labels (submission convention section 4, widened to the forms institutes write).

A building part's label is the text written inside it (TEXT/MTEXT on a
layer of the part's role) or the ATTRIBs of its block. This module turns
those strings into a :class:`Label`; it knows nothing of geometry or DXF.

The accepted token forms and the use words are data, not code:
``label_forms.toml`` beside this module lists every form with examples, and
``docs/labels.md`` is generated from it (:mod:`drawcheck.readers.labels_doc`).

Text is first normalised: full-width ASCII (``＃Ｆ０-９＝：．`` ...) and the
ideographic space become their half-width forms, and spaces around ``=``
and ``:``, between a number and its unit (``54.0 m``, ``18 F``) and after a
word prefix (``层高 3.0``, ``地上 18层``) are dropped. It is then split into tokens on white space, line
breaks and any of ``,，;；、``, and on ``/`` unless a ``-`` follows it
(``18F/-2F`` is one token). Each token must match one form *completely*;
a token that matches none is returned as not understood, so that the
reader can quote it in a finding. Floors and households must be positive
whole numbers and heights positive finite numbers: ``0F`` is not understood.

Defaults (use residential, rating 二级, storey height = height / floors)
are applied by the project model, not here: an absent field is ``None``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path

from ..tomldata import loads as toml_loads

__all__ = [
    "USES",
    "Label",
    "LabelConflict",
    "LabelForm",
    "label_forms",
    "tokenize",
    "parse_token",
    "parse_label",
    "read_label",
    "label_from_attribs",
    "merge_labels",
    "chinese_number",
]

FORMS_FILE = Path(__file__).with_name("label_forms.toml")

_RATINGS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True)
class Label:
    """What a building part's label states; ``None`` = not stated."""

    name: str | None = None
    floors: int | None = None
    floors_below: int | None = None
    height: float | None = None
    storey_height: float | None = None
    households: int | None = None
    use: str | None = None
    fire_rating: int | None = None


@dataclass(frozen=True)
class LabelConflict:
    """Two or more different values stated for one field of one part.

    ``values`` holds the distinct values (as parsed: str, int or float),
    sorted by their string form.
    """

    field: str
    values: tuple


# --- the forms table --------------------------------------------------------

@dataclass(frozen=True)
class LabelForm:
    """One accepted token form: ``fields`` it sets, its ``form`` as written in the table, its regex."""

    fields: tuple[str, ...]
    form: str
    doc: str
    examples: tuple[tuple[str, object], ...]
    pattern: re.Pattern[str]
    slots: tuple[str, ...]  # the placeholder of each capture group, in order


_CHINESE_DIGITS = "零一二三四五六七八九"
_SLOT_PATTERNS = {
    "ID": r"(.+?)",
    "N": r"(\d+)",
    "C": r"([零一二两三四五六七八九十百]+)",
    "X": r"(\d+(?:\.\d+)?)",
    "R": r"([一二三四])",
}


def chinese_number(text: str) -> int | None:
    """A whole number written in Chinese numerals (``十八`` 18, ``二十五`` 25, ``两`` 2, ``一百零二`` 102), else None."""
    digits = {c: i for i, c in enumerate(_CHINESE_DIGITS)}
    digits["两"] = 2
    m = re.fullmatch(r"(?:([一二两三四五六七八九])百)?(零)?(?:([一二两三四五六七八九])?(十))?([一二两三四五六七八九])?", text)
    if not text or not m or "两" in text[1:]:  # 两 only leads: 两层, 两百; never 二十两
        return None
    hundreds, zero, tens_digit, ten, units = m.groups()
    if zero and (not hundreds or ten and not tens_digit):
        return None
    value = 100 * digits[hundreds] if hundreds else 0
    if ten:
        if hundreds and not tens_digit:
            return None  # 一百十 is not written
        value += 10 * (digits[tens_digit] if tens_digit else 1)
    if units:
        value += digits[units]
    return value or None


def _compile(form: str, uses: Iterable[str]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The regex of a form (see label_forms.toml for its little language) and its slots in group order."""
    use_alt = "(" + "|".join(re.escape(u) for u in sorted(uses, key=len, reverse=True)) + ")"
    out, slots, i = [], [], 0
    while i < len(form):
        if form.startswith("ID", i):
            out.append(_SLOT_PATTERNS["ID"]), slots.append("ID")
            i += 2
            continue
        c = form[i]
        if c in "NCXR":
            out.append(_SLOT_PATTERNS[c]), slots.append(c)
        elif c == "U":
            out.append(use_alt), slots.append("U")
        elif c == "(":
            out.append("(?:")
        elif c in "|)?":
            out.append(c)
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out)), tuple(slots)


@dataclass(frozen=True)
class LabelTable:
    """The forms and use words of ``label_forms.toml``."""

    uses: dict[str, str]  # word -> use key
    use_notes: dict[str, str]  # word -> why it maps as it does
    forms: tuple[LabelForm, ...]


@lru_cache(maxsize=1)
def label_forms() -> LabelTable:
    """The label forms table (read once)."""
    data = toml_loads(FORMS_FILE.read_text(encoding="utf-8"))
    uses, notes = {}, {}
    for word, value in data["uses"].items():
        if isinstance(value, dict):
            uses[word], notes[word] = value["use"], value.get("note", "")
        else:
            uses[word] = value
    forms = []
    for row in data["forms"]:
        pattern, slots = _compile(row["form"], uses)
        examples = tuple((e["text"], e["value"]) for e in row.get("examples", ()))
        forms.append(LabelForm(tuple(row["field"].split("+")), row["form"], row.get("doc", ""), examples,
                               pattern, slots))
    return LabelTable(uses, notes, tuple(forms))


USES: dict[str, str] = label_forms().uses


# --- normalisation and tokens -------------------------------------------

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def normalize(text: str) -> str:
    """Full-width ASCII and the ideographic space to half-width."""
    return text.translate(_FULLWIDTH)


_SEPARATORS = re.compile(r"[\s,，;；、]+|/(?!-)")
_AROUND_SIGNS = re.compile(r"[ \t]*([=:])[ \t]*")
_SPACED_UNIT = re.compile(r"(\d)[ \t]+(m|M|米|F|f|层|户)(?=$|[\s,，;；、/])")
_SPACED_PREFIX = re.compile(r"(层高|建筑高度|高度|总高度|总高|地上|地下|耐火等级)[ \t]+(?=[\d一二三四五六七八九十两])")


def tokenize(text: str) -> list[str]:
    """Split one label text into tokens (normalised, stripped, non-empty)."""
    text = _SPACED_UNIT.sub(r"\1\2", _AROUND_SIGNS.sub(r"\1", normalize(text)))
    text = _SPACED_PREFIX.sub(r"\1", text)
    return [t for t in _SEPARATORS.split(text) if t]


_INT_FIELDS = {"floors", "floors_below", "households"}


def _slot_value(slot: str, raw: str, field: str, table: LabelTable) -> object | None:
    """The value of one captured slot for ``field``, or None when out of range."""
    if slot == "ID":
        return raw
    if slot == "U":
        return table.uses[raw]
    if slot == "R":
        return _RATINGS[raw]
    if slot == "C":
        return chinese_number(raw)
    if field in _INT_FIELDS:
        value = int(raw)
        return value if value > 0 else None
    value = float(raw)
    return value if math.isfinite(value) and value > 0 else None


def _name_value(form: LabelForm, token: str, values: list) -> str:
    """The name a form gives: the token as written, or ID plus its ending for a name+use token."""
    if form.fields == ("name",):
        return token
    ending = form.form[len("ID"):form.form.index("U")]
    return values[0] + ("号楼" if ending == "号" else ending)


def parse_token(token: str) -> list[tuple[str, object]] | None:
    """``[(field, value), ...]`` for one normalised token, or None when no form matches it."""
    table = label_forms()
    for form in table.forms:
        m = form.pattern.fullmatch(token)
        if not m:
            continue
        values = [_slot_value(slot, raw, form.fields[min(k, len(form.fields) - 1)], table)
                  for k, (slot, raw) in enumerate(zip(form.slots, m.groups()))]
        if any(v is None for v in values):
            return None
        if "name" in form.fields:
            values[0] = _name_value(form, token, values)
        return list(zip(form.fields, values))
    return None


# --- merging --------------------------------------------------------------

_FIELDS = tuple(f.name for f in fields(Label))


class _Collector:
    """Field-wise first value plus every distinct value seen."""

    def __init__(self) -> None:
        self.seen: dict[str, list[object]] = {f: [] for f in _FIELDS}

    def add(self, field: str, value: object) -> None:
        values = self.seen[field]
        if value not in values:
            values.append(value)

    def result(self) -> tuple[Label, list[LabelConflict]]:
        label = Label(**{f: (v[0] if v else None) for f, v in self.seen.items()})
        conflicts = [
            LabelConflict(f, tuple(sorted(v, key=str)))
            for f, v in self.seen.items()
            if len(v) > 1
        ]
        return label, conflicts


def read_label(texts: Iterable[str]) -> tuple[Label, list[LabelConflict], list[str]]:
    """Merge all label texts of one part, keeping what was not understood.

    Parameters
    ----------
    texts : the plain strings (formatting already stripped) that lie in the
        part, in drawing order.

    Returns
    -------
    The label (the first value found for each field, in text and token
    order), one :class:`LabelConflict` per field that was given two or
    more different values (the same value stated twice, ``54m`` and
    ``H=54.0``, is not a conflict), and the tokens no form matches, as
    written after normalisation, each once in order of appearance.
    """
    acc = _Collector()
    unknown: list[str] = []
    for text in texts:
        for token in tokenize(text):
            parsed = parse_token(token)
            if parsed is None:
                if token not in unknown:
                    unknown.append(token)
                continue
            for field, value in parsed:
                acc.add(field, value)
    label, conflicts = acc.result()
    return label, conflicts, unknown


def parse_label(texts: Iterable[str]) -> tuple[Label, list[LabelConflict]]:
    """:func:`read_label` without the tokens that were not understood."""
    label, conflicts, _ = read_label(texts)
    return label, conflicts


def merge_labels(labels: Iterable[Label]) -> tuple[Label, list[LabelConflict]]:
    """Field-wise merge (e.g. a part's ATTRIB label and its TEXT label).

    The first non-None value of each field wins; fields with different
    non-None values are reported as conflicts.
    """
    acc = _Collector()
    for label in labels:
        for f in _FIELDS:
            value = getattr(label, f)
            if value is not None:
                acc.add(f, value)
    return acc.result()


# --- ATTRIBs -------------------------------------------------------------

_ATTRIB_FIELDS = {
    "NAME": "name",
    "FLOORS": "floors",
    "HEIGHT": "height",
    "USE": "use",
    "RATING": "fire_rating",
    "HOUSEHOLDS": "households",
    "STOREY_HEIGHT": "storey_height",
}

_BARE_INT = re.compile(r"\d+")
_BARE_NUM = re.compile(r"(\d+(?:\.\d+)?)(?:m|M|米)?")
_BARE_RATING = re.compile(r"([1-4])")
_USE_KEYS = frozenset(USES.values())


def _attrib_value(tag: str, field: str, value: str) -> tuple[str, object] | None:
    """``(field, value)`` for one ATTRIB value, or None if unparseable."""
    if field == "name":
        return field, value
    if field == "use":
        use = USES.get(value) or (value.casefold() if value.casefold() in _USE_KEYS else None)
        return (field, use) if use else None
    # A token of the same field is always accepted ("18F", "H=54.0",
    # "层高3.0", "二级", "120户"); FLOORS may also state basements ("B2").
    parsed = parse_token(value)
    if parsed and len(parsed) == 1 and (parsed[0][0] == field or (field == "floors" and parsed[0][0] == "floors_below")):
        return parsed[0]
    if field == "fire_rating":
        m = _BARE_RATING.fullmatch(value)
        return (field, int(m.group(1))) if m else None
    if field in _INT_FIELDS:
        if not _BARE_INT.fullmatch(value):
            return None
        number: float = int(value)
    else:
        m = _BARE_NUM.fullmatch(value)
        if not m:
            return None
        number = float(m.group(1))
    return (field, number) if math.isfinite(number) and number > 0 else None


def label_from_attribs(attribs: Mapping[str, str]) -> tuple[Label, list[str]]:
    """Label from the ATTRIBs of a building part's INSERT.

    Tags (case-insensitive): NAME, FLOORS, HEIGHT, USE, RATING, HOUSEHOLDS,
    STOREY_HEIGHT; other tags are ignored. Values are normalised like label
    text and stripped; an empty value counts as not given. Besides the
    label tokens of the same field, bare values are accepted: ``18`` for
    FLOORS/HOUSEHOLDS, ``54.0`` / ``54.0m`` / ``54.0米`` for HEIGHT and
    STOREY_HEIGHT, ``2`` (1-4) for RATING, the English use key
    (``residential``) for USE. FLOORS may hold a below-ground form
    (``B2``, ``-2F``, ``地下2层``), which sets ``floors_below``. NAME is
    taken as written, with or without a ``#``-style ending.

    Returns
    -------
    The label and a list of one-line problems: a value that cannot be
    parsed (naming the tag and the value), or one field given different
    values by two tags that differ only in case.
    """
    problems: list[str] = []
    seen: dict[str, tuple[str, object]] = {}
    for raw_tag, raw_value in attribs.items():
        tag = raw_tag.strip().upper()
        field = _ATTRIB_FIELDS.get(tag)
        if field is None:
            continue
        value = normalize(str(raw_value)).strip()
        if not value:
            continue
        parsed = _attrib_value(tag, field, value)
        if parsed is None:
            problems.append(f"ATTRIB {raw_tag}: cannot parse value {value!r}")
            continue
        key, parsed_value = parsed
        if key in seen and seen[key][1] != parsed_value:
            problems.append(
                f"ATTRIB {raw_tag}: value {value!r} differs from tag {seen[key][0]}"
            )
            continue
        seen.setdefault(key, (raw_tag, parsed_value))
    label = replace(Label(), **{k: v for k, (_, v) in seen.items()})
    return label, problems
