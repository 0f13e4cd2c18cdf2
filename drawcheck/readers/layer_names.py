"""Layer names as institutes write them: prefixes taken off, synonyms looked up (data: ``layer_names.toml``).

``0-用地范围``, ``ZP-用地红线``, ``总图-建筑轮廓``, ``外轮廓线``, ``A-BLDG-OTLN`` or the
xref-bound ``1#楼$0$建筑轮廓`` name a role without being one of the
convention's exact names. :func:`infer` takes such a name apart (xref part,
leading digits, discipline codes, one suffix, trailing digits) and looks
every form up, from the whole name to the barest, among the exact names, the
synonyms and the names of layers known to hold nothing drawcheck reads.
Whether an inferred role is used is decided per drawing
(:mod:`drawcheck.readers.layer_survey`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..tomldata import loads as toml_loads

NAMES_FILE = Path(__file__).with_name("layer_names.toml")


@dataclass(frozen=True)
class NameTable:
    """The contents of ``layer_names.toml`` (names as written there)."""

    exact: dict[str, tuple[str, ...]]
    synonyms: dict[str, tuple[str, ...]]
    no_role: dict[str, tuple[str, ...]]
    disciplines: tuple[str, ...]
    separators: str
    suffixes: tuple[str, ...]


@lru_cache(maxsize=1)
def name_table() -> NameTable:
    """The layer-name table shipped with drawcheck."""
    data = toml_loads(NAMES_FILE.read_text(encoding="utf-8"))
    strip = data["strip"]

    def names(table: dict) -> dict[str, tuple[str, ...]]:
        return {key: tuple(values) for key, values in table.items()}

    table = NameTable(names(data["exact"]), names(data["synonyms"]), names(data["no_role"]),
                      tuple(strip["disciplines"]), str(strip["separators"]), tuple(strip["suffixes"]))
    unknown = set(table.synonyms) - set(table.exact)
    if unknown:
        raise ValueError(f"{NAMES_FILE.name}: synonyms for unknown roles {sorted(unknown)}")
    return table


def fold(name: str) -> str:
    """``name`` compared as: NFKC (full-width -> half-width), case-folded, trimmed, inner spaces single."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True)
class Inference:
    """What a layer name stands for once taken apart.

    ``role`` is the role key, or None for a layer known to hold nothing drawcheck
    reads (then ``known`` is its kind, e.g. ``annotation``); ``matched`` the
    table name it matched and ``taken_off`` the parts removed first (may be empty).
    """

    role: str | None
    known: str | None
    matched: str
    taken_off: tuple[str, ...]

    def how(self) -> str:
        """Why the name stands for it, in words."""
        if not self.taken_off:
            return f"its name is {self.matched}"
        verb = "is" if len(self.taken_off) == 1 else "are"
        return f"its name is {self.matched} once {' and '.join(repr(p) for p in self.taken_off)} {verb} taken off"


def stripped_forms(name: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every form of ``name`` to look up (folded), from the whole name to the barest, with the parts taken off.

    The parts are given as written (after NFKC), e.g. ``('ZP-',)``.
    """
    table = _folded_strip()
    form = " ".join(unicodedata.normalize("NFKC", name).split())
    taken: list[str] = []
    forms = [(form.casefold(), ())]

    def add(rest: str, part: str) -> None:
        nonlocal form
        taken.append(part)
        form = rest
        forms.append((form.casefold(), tuple(taken)))

    xref = re.match(r"^(.+\$\d+\$)(.+)$", form) or re.match(r"^(.+\|)(.+)$", form)
    if xref:
        add(xref.group(2), xref.group(1))
    seps = re.escape(table.separators)
    while True:
        digits = re.match(rf"^(\d+(?:[{seps}]+|(?=[^\x00-\x7f])))(.+)$", form)
        if digits:
            add(digits.group(2), digits.group(1))
            continue
        code = next((m for c in table.disciplines
                     if (m := re.match(rf"^({re.escape(c)}[{seps}]+)(.+)$", form, re.IGNORECASE))), None)
        if code:
            add(code.group(2), code.group(1))
            continue
        break
    trailing = re.match(rf"^(.+?)([{seps}]*\d+)$", form)
    if trailing and not trailing.group(1)[-1].isdigit():
        add(trailing.group(1), trailing.group(2))
    suffix = next((s for s in table.suffixes if len(form) > len(s) and form[-len(s):].casefold() == s), None)
    if suffix:
        add(form[: -len(suffix)], form[-len(suffix):])
    return forms


@dataclass(frozen=True)
class _FoldedStrip:
    disciplines: tuple[str, ...]  # longest first, so that "zp" is tried before "z"
    separators: str
    suffixes: tuple[str, ...]


@lru_cache(maxsize=1)
def _folded_strip() -> _FoldedStrip:
    t = name_table()
    return _FoldedStrip(tuple(sorted({fold(c) for c in t.disciplines}, key=lambda c: (-len(c), c))),
                        unicodedata.normalize("NFKC", t.separators),
                        tuple(sorted({fold(s) for s in t.suffixes}, key=lambda s: (-len(s), s))))


@lru_cache(maxsize=1)
def _lookup() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """folded synonym -> (role, name as written); folded no-role name -> (kind, name as written)."""
    t = name_table()
    synonyms = {fold(n): (role, n) for role, names in t.synonyms.items() for n in names}
    known = {fold(n): (kind, n) for kind, names in t.no_role.items() for n in names}
    return synonyms, known


def infer(name: str, exact: Mapping[str, tuple[str, str]]) -> Inference | None:
    """What ``name`` stands for by the table, or None.

    ``exact``: folded exact name -> (role, name as written), the names that give a
    role outright (the defaults and a manifest's). The first form of
    :func:`stripped_forms` found among the exact names, the synonyms or the
    no-role names wins, in that order for one form.
    """
    synonyms, known = _lookup()
    for form, taken in stripped_forms(name):
        for table, is_role in ((exact, True), (synonyms, True), (known, False)):
            hit = table.get(form)
            if hit is not None:
                key, written = hit
                return Inference(key if is_role else None, None if is_role else key, written, taken)
    return None
