"""Floor-group texts of area-calculation drawings: ``1-1``, ``17,34``, ``2-16,18-33,35-45``.

A floor plan in an area drawing stands for the floors its label lists: ranges
(``a-b``, ``a~b``, ``a至b``) and single floors, separated by commas (``,``
``，`` ``、`` ``;``). Full-width characters are read as their ASCII forms, a
leading ``第`` and a trailing ``层``/``F`` are allowed. Floors below ground
are negative (``-1``) or ``B1`` (= -1); there is no floor 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_FLOOR = r"(?:-?\d+|[Bb]\d+)"
_ITEM = re.compile(rf"\s*({_FLOOR})\s*(?:(?:-|~|—|–|至|到)\s*({_FLOOR}))?\s*")
_SEPARATORS = re.compile(r"[,;、]")
_DECORATION = re.compile(r"^\s*第?\s*|\s*(?:层|F|f)?\s*$")
#: Most floors a group may list (the tallest buildings have about 160).
MAX_FLOOR = 300


class FloorGroupError(ValueError):
    """A text that is not a floor group; ``str()`` says why in one line."""


@dataclass(frozen=True)
class FloorGroup:
    """The floors one floor plan stands for, ascending, as the label wrote them (``text``)."""

    text: str
    floors: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.floors)

    @property
    def above(self) -> int:
        """Number of floors above ground in the group."""
        return sum(1 for f in self.floors if f > 0)

    @property
    def below(self) -> int:
        """Number of floors below ground in the group."""
        return sum(1 for f in self.floors if f < 0)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()


def _floor(token: str) -> int:
    value = -int(token[1:]) if token[0] in "Bb" else int(token)
    if value == 0:
        raise FloorGroupError("there is no floor 0 (floors are 1, 2, ... above ground and -1 or B1 below)")
    if abs(value) > MAX_FLOOR:
        raise FloorGroupError(f"floor {value} is beyond {MAX_FLOOR}")
    return value


def parse_floor_group(text: str) -> FloorGroup:
    """The floors ``text`` lists; :class:`FloorGroupError` for anything else (empty items, a
    descending range, floor 0, a floor listed twice)."""
    body = _DECORATION.sub("", _normal(text))
    if not body:
        raise FloorGroupError("no floors given")
    floors: list[int] = []
    for item in _SEPARATORS.split(body):
        m = _ITEM.fullmatch(item)
        if m is None:
            raise FloorGroupError(f"'{item.strip()}' is neither a floor nor a range of floors")
        first = _floor(m.group(1))
        last = _floor(m.group(2)) if m.group(2) else first
        if last < first:
            raise FloorGroupError(f"range {m.group(1)}-{m.group(2)} runs downwards")
        for f in range(first, last + 1):
            if f == 0:
                continue
            if f in floors:
                raise FloorGroupError(f"floor {f} is listed twice")
            floors.append(f)
    return FloorGroup(" ".join(_normal(text).split()), tuple(sorted(floors)))


def looks_like_floor_group(text: str) -> bool:
    """True when ``text`` is written like a floor group with a range or list (``2-16``, ``17,34``, ``3层``):
    a bare number is not (it may be an area); neither are texts with other words."""
    body = _normal(text)
    if not re.fullmatch(r"第?\s*[-\dBb,;、~—–至到\s]+\s*(?:层|F|f)?", body):
        return False
    core = _DECORATION.sub("", body)
    return bool(re.search(r"\d\s*[-,;、~—–至到]|层|F|f", body)) and bool(re.search(r"\d", core))
