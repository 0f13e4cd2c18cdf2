"""Building-part labels (submission convention, section 4).

A building part's label is the text written inside it (TEXT/MTEXT on a
layer of the part's role) or the ATTRIBs of its block. This module turns
those strings into a :class:`Label`; it knows nothing of geometry or DXF.

Text is first normalised: full-width ASCII (``＃Ｆ０-９＝．`` ...) and the
ideographic space become their half-width forms. It is then split into
tokens on white space, line breaks and any of ``,，;；/、``. Each token must
match one of the forms below *completely*; a token that matches none is
ignored (``1#楼18F`` written as one token is nothing, ``18`` alone is
nothing). ``N`` is a whole number, ``X`` a decimal number such as ``54`` or
``54.0`` (no sign, no exponent).

========================  ==============================================
field                     accepted token forms
========================  ==============================================
name                      any token ending in ``#``, ``#楼``, ``号楼``,
                          ``栋`` or ``幢`` with at least one character
                          before the ending (``1#``, ``3#楼``, ``12号楼``,
                          ``A栋``); the id is the normalised token as
                          written, so ``1#`` and ``1#楼`` are different ids
floors (above ground)     ``NF``, ``Nf``, ``N层``
floors_below              ``-NF``, ``-Nf``, ``地下N层``, ``BN``, ``bN``
height (m)                ``H=X``, ``h=X``, ``H=Xm``, ``h=Xm``, ``Xm``,
                          ``高度X米``, ``高度Xm``
storey_height (m)         ``层高X``, ``层高Xm``, ``FH=X``
households                ``N户``
use                       住宅 商业 办公 公建 配套 工业 商住 (see ``USES``)
fire_rating               ``一级`` ``二级`` ``三级`` ``四级``, also with the
                          prefix ``耐火等级`` (``耐火等级二级``)
========================  ==============================================

Nothing else is accepted: ``B2F``, ``-2层``, ``54M``, ``54米``, ``FH=3.0m``
and ``H = 54`` (spaces around ``=``) are not tokens. Floors and households
must be positive whole numbers and heights positive finite numbers; a
token with a zero value (``0F``, ``0m``) is ignored like any other
non-token.

Defaults (use residential, rating 二级, storey height = height / floors)
are applied by the project model, not here: an absent field is ``None``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

from ..model import USE_NAMES

__all__ = [
    "USES",
    "Label",
    "LabelConflict",
    "tokenize",
    "parse_label",
    "label_from_attribs",
    "merge_labels",
]

USES: dict[str, str] = {zh: key for key, zh in USE_NAMES.items()}

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


# --- normalisation and tokens -------------------------------------------

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def normalize(text: str) -> str:
    """Full-width ASCII and the ideographic space to half-width."""
    return text.translate(_FULLWIDTH)


_SEPARATORS = re.compile(r"[\s,，;；/、]+")


def tokenize(text: str) -> list[str]:
    """Split one label text into tokens (normalised, stripped, non-empty)."""
    return [t for t in _SEPARATORS.split(normalize(text)) if t]


_NUM = r"(\d+(?:\.\d+)?)"
_INT = r"(\d+)"
_ZH_RATING = r"([一二三四])级"

# (field, compiled pattern); the first pattern that matches a
# whole token wins. The name pattern comes last so that nothing else can be
# taken for a name (no other form ends in # 楼 栋 幢).
_TOKEN_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("floors", re.compile(_INT + r"[Ff层]")),
    ("floors_below", re.compile(r"-" + _INT + r"[Ff]|地下" + _INT + r"层|[Bb]" + _INT)),
    ("height", re.compile(r"[Hh]=" + _NUM + r"m?|" + _NUM + r"m|高度" + _NUM + r"(?:米|m)")),
    ("storey_height", re.compile(r"层高" + _NUM + r"m?|FH=" + _NUM)),
    ("households", re.compile(_INT + r"户")),
    ("fire_rating", re.compile(r"(?:耐火等级)?" + _ZH_RATING)),
    ("name", re.compile(r".+(?:#楼|号楼|#|栋|幢)")),
)

_INT_FIELDS = {"floors", "floors_below", "households"}
_FLOAT_FIELDS = {"height", "storey_height"}


def _group(m: re.Match[str]) -> str:
    return next(g for g in m.groups() if g is not None)


def _convert(field: str, token: str, m: re.Match[str]) -> object | None:
    """Value of a matched token, or None when it is out of range."""
    if field == "name":
        return token
    if field == "use":
        return USES[token]
    raw = _group(m)
    if field == "fire_rating":
        return _RATINGS[raw]
    if field in _INT_FIELDS:
        value = int(raw)
        return value if value > 0 else None
    value = float(raw)
    return value if math.isfinite(value) and value > 0 else None


def parse_token(token: str) -> tuple[str, object] | None:
    """``(field, value)`` for one normalised token, or None."""
    if token in USES:
        return "use", USES[token]
    for field, pattern in _TOKEN_FORMS:
        m = pattern.fullmatch(token)
        if m:
            value = _convert(field, token, m)
            return None if value is None else (field, value)
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


def parse_label(texts: Iterable[str]) -> tuple[Label, list[LabelConflict]]:
    """Merge all label texts of one part.

    Parameters
    ----------
    texts : the plain strings (formatting already stripped) that lie in the
        part, in drawing order.

    Returns
    -------
    The label (the first value found for each field, in text and token
    order) and one :class:`LabelConflict` per field that was given two or
    more different values. The same value stated twice (``54m`` and
    ``H=54.0``) is not a conflict. Empty input gives an empty ``Label()``.
    """
    acc = _Collector()
    for text in texts:
        for token in tokenize(text):
            parsed = parse_token(token)
            if parsed:
                acc.add(*parsed)
    return acc.result()


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

_BARE_INT = re.compile(_INT)
_BARE_NUM = re.compile(_NUM + r"(?:m|米)?")
_BARE_RATING = re.compile(r"([1-4])")
_ENGLISH_USES = {v: v for v in USES.values()}


def _attrib_value(tag: str, field: str, value: str) -> tuple[str, object] | None:
    """``(field, value)`` for one ATTRIB value, or None if unparseable."""
    if field == "name":
        return field, value
    if field == "use":
        use = USES.get(value) or _ENGLISH_USES.get(value.casefold())
        return (field, use) if use else None
    # A token of the same field is always accepted ("18F", "H=54.0",
    # "层高3.0", "二级", "120户"); FLOORS may also state basements ("B2").
    parsed = parse_token(value)
    if parsed and (parsed[0] == field or (field == "floors" and parsed[0] == "floors_below")):
        return parsed
    if field == "fire_rating":
        m = _BARE_RATING.fullmatch(value)
        return (field, int(m.group(1))) if m else None
    pattern = _BARE_INT if field in _INT_FIELDS else _BARE_NUM
    m = pattern.fullmatch(value)
    if not m:
        return None
    converted = _convert(field, value, m)
    return None if converted is None else (field, converted)


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
