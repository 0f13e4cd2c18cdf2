"""Drop damaged OBJECTS-section records that geometry does not need.

Some writers (LibreDWG's ``dwg2dxf`` among them) emit OBJECTS records that
both ``ezdxf.readfile`` and ``ezdxf.recover`` refuse, e.g. a SORTENTSTABLE
whose entity/sort-handle pairs (group codes 331, 5) are not interleaved:
``Invalid sort handle code 331``. The entities themselves are fine. These
functions work on the raw tag lines of an ASCII DXF, before any parser:

1. :func:`drop_damaged_objects` removes only records a structural check
   finds damaged;
2. :func:`drop_unneeded_objects` (when the first is not enough) removes every
   OBJECTS record outside :data:`KEPT_OBJECTS`, the ones layouts, blocks and
   the entities drawcheck reads depend on.

Each dropped record is returned as :class:`DroppedRecord` so the caller
reports it (``qa:dxf-repaired``); nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: OBJECTS records the model space and its entities depend on (layouts, dictionaries, styles).
KEPT_OBJECTS = frozenset({
    b"DICTIONARY", b"ACDBDICTIONARYWDFLT", b"ACDBPLACEHOLDER", b"LAYOUT", b"PLOTSETTINGS",
    b"XRECORD", b"DICTIONARYVAR", b"MLINESTYLE", b"MLEADERSTYLE", b"TABLESTYLE",
})


@dataclass(frozen=True)
class DroppedRecord:
    """One OBJECTS record removed from the file: its type, handle (``?`` if none) and why."""

    dxftype: str
    handle: str
    reason: str


def _sortents_damage(tags: list[tuple[bytes, bytes]]) -> str | None:
    """Why a SORTENTSTABLE record is damaged, or None: after its 330 owner, 331/5 pairs must alternate."""
    try:
        start = next(i for i, (code, value) in enumerate(tags) if code == b"100" and value == b"AcDbSortentsTable")
    except StopIteration:
        return "no AcDbSortentsTable subclass"
    body = tags[start + 1:]
    if body and body[0][0] == b"330":
        body = body[1:]
    codes = [code for code, _ in body]
    if len(codes) % 2 or any(c != b"331" for c in codes[0::2]) or any(c != b"5" for c in codes[1::2]):
        return "its entity/sort-handle pairs (group codes 331, 5) are not interleaved"
    return None


#: Structural checks per record type: return why a record is damaged, or None.
_CHECKS: dict[bytes, Callable[[list[tuple[bytes, bytes]]], str | None]] = {b"SORTENTSTABLE": _sortents_damage}


def _split_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


def _objects_records(lines: list[bytes]) -> tuple[int, int, list[tuple[int, int]]] | None:
    """(first line, end line, [(start, end) of each record]) of the OBJECTS section, in line indices.

    Lines pair up as (group code, value); a record runs from its ``0`` tag to the next one.
    """
    n = len(lines) - 1
    i = 0
    while i < n:
        if lines[i].strip() == b"0" and lines[i + 1].strip() == b"SECTION" and i + 3 < len(lines) \
                and lines[i + 2].strip() == b"2" and lines[i + 3].strip() == b"OBJECTS":
            first = i + 4
            records: list[tuple[int, int]] = []
            j = first
            start = None
            while j < n:
                if lines[j].strip() == b"0":
                    if start is not None:
                        records.append((start, j))
                    if lines[j + 1].strip() == b"ENDSEC":
                        return first, j, records
                    start = j
                j += 2
            if start is not None:
                records.append((start, n))
            return first, n, records
        i += 2
    return None


def _tags(lines: list[bytes], start: int, end: int) -> list[tuple[bytes, bytes]]:
    return [(lines[k].strip(), lines[k + 1].strip()) for k in range(start, end - 1, 2)]


def _handle(tags: list[tuple[bytes, bytes]]) -> str:
    value = next((v for c, v in tags if c in (b"5", b"105")), b"?")
    return value.decode("ascii", "replace")


def _drop(raw: bytes, judge: Callable[[list[tuple[bytes, bytes]]], str | None]) -> tuple[bytes, list[DroppedRecord]]:
    lines = _split_lines(raw)
    found = _objects_records(lines)
    if found is None:
        return raw, []
    dropped: list[DroppedRecord] = []
    cut: list[tuple[int, int]] = []
    for start, end in found[2]:
        tags = _tags(lines, start, end)
        reason = judge(tags)
        if reason is not None:
            dxftype = tags[0][1].decode("ascii", "replace") if tags else "?"
            dropped.append(DroppedRecord(dxftype, _handle(tags), reason))
            cut.append((start, end))
    if not cut:
        return raw, []
    keep: list[bytes] = []
    previous = 0
    for start, end in cut:
        keep.extend(lines[previous:start])
        previous = end
    keep.extend(lines[previous:])
    return b"\n".join(keep), dropped


def drop_damaged_objects(raw: bytes) -> tuple[bytes, list[DroppedRecord]]:
    """``raw`` without the OBJECTS records a structural check finds damaged, and what was dropped."""
    def judge(tags):
        check = _CHECKS.get(tags[0][1]) if tags else None
        return check(tags) if check else None
    return _drop(raw, judge)


def drop_unneeded_objects(raw: bytes) -> tuple[bytes, list[DroppedRecord]]:
    """``raw`` without every OBJECTS record outside :data:`KEPT_OBJECTS`, and what was dropped."""
    def judge(tags):
        if not tags or tags[0][1] in KEPT_OBJECTS:
            return None
        return "not needed for geometry; dropped because the file could not be read with it"
    return _drop(raw, judge)
