"""The fast reader for ASCII DXF (issue 15): the drawing as drawcheck reads it, without ezdxf building what it skips.

:func:`read_fast` reads the file's tags with numpy (:mod:`.dxf_tags`) and sorts
every model-space entity into one of three kinds:

- *light*: a stand-in (:mod:`.dxf_light`) built from the tags without ezdxf,
  carrying what the layer survey, the unit vote and the walk read of it:
  outlines (LWPOLYLINE) and texts on role layers, parking INSERTs, and the
  entities on layers without a role that drawcheck only counts (lines, arcs,
  circles, texts, dimensions, inserts of blocks that hold nothing it reads);
- *dropped*: paper-space entities, and blocks nothing kept or light refers to;
- *kept*: everything else, which ezdxf reads from a reduced copy of the file
  (header, classes, tables and objects whole, the kept blocks and entities).

An entity becomes light or dropped only when its tags are of a form the reader
fully understands (known codes, each once, the layer in the entity part) and
ezdxf would load and audit it without a word (valid numbers, colour, line
weight, transparency, extrusion, layer name; its line type, text style, block
and dimension style present; nothing kept points at it). Whatever the reader
cannot promise to read as ezdxf does raises :class:`~.dxf_tags.Unsupported`,
and the caller reads the file with ezdxf. The model space the caller sees
(:class:`~.dxf_light.FastDoc`) holds the kept and light entities in the file's
order.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .dxf_entities import MAX_BLOCK_DEPTH, has_undecodable
from .dxf_light import (FastDoc, LightEntity, LightHatch, LightInsert, LightMText, LightPolyline, LightText,
                         mark_runs)
from .dxf_tags import FLOAT_CODES, INT_CODES, MAX_CODE, POINT_CODES, Tags, Unsupported, normalize_newlines, read_tags
from .layers import LayerRoles

#: DXF versions read fast (R12 and R2000 onwards); ezdxf reads the others.
VERSIONS = frozenset({"AC1009", "AC1015", "AC1018", "AC1021", "AC1024", "AC1027", "AC1032"})
#: Sections the reduced file carries through (the others are not DXF ezdxf reads).
_SECTIONS = ("HEADER", "CLASSES", "TABLES", "BLOCKS", "ENTITIES", "OBJECTS", "THUMBNAILIMAGE", "ACDSDATA")
#: Codes of an entity's own part (before its first subclass marker).
_BASE = frozenset({0, 5, 330})
#: AcDbEntity codes a light or dropped entity may carry (each checked as ezdxf's audit checks it).
_ENTITY = frozenset({8, 6, 62, 370, 48, 60, 67, 420, 440})
#: Codes ezdxf reads as handles of other objects (its ``POINTER_CODES``, 330 included).
_POINTERS = frozenset(set(range(320, 370)) | set(range(390, 400)) | {480, 481, 1005})


def _with_points(codes) -> frozenset:
    """``codes`` and the y and z codes of the point codes among them."""
    codes = set(codes)
    points = {c for c in codes if c in POINT_CODES}
    return frozenset(codes | {c + 10 for c in points} | {c + 20 for c in points})


@dataclass(frozen=True)
class _Spec:
    """How ezdxf loads an entity type, in the forms the fast reader takes as understood.

    ``simple``: one group-code map over all subclasses (ezdxf's ``simple_dxfattribs_loader``);
    otherwise AcDbEntity in subclass 1 and the type's codes from subclass 2 on, with one of
    ``markers`` subclass markers. ``repeat``: codes that may come more than once.
    """

    codes: frozenset
    simple: bool = True
    markers: tuple[int, ...] = ()
    repeat: frozenset = frozenset()


_SPECS: dict[str, _Spec] = {
    "LINE": _Spec(_with_points({39, 10, 11, 210})),
    "POINT": _Spec(_with_points({10, 39, 210, 50})),
    "CIRCLE": _Spec(_with_points({10, 40, 39, 210})),
    "ARC": _Spec(_with_points({10, 40, 39, 210, 50, 51})),
    "SOLID": _Spec(_with_points({10, 11, 12, 13, 39, 210})),
    "TRACE": _Spec(_with_points({10, 11, 12, 13, 39, 210})),
    "3DFACE": _Spec(_with_points({10, 11, 12, 13, 70})),
    "TEXT": _Spec(_with_points({10, 40, 1, 50, 51, 7, 41, 71, 72, 11, 39, 210, 73})),
    "INSERT": _Spec(_with_points({66, 2, 10, 41, 42, 43, 50, 70, 71, 44, 45, 210})),
    "LWPOLYLINE": _Spec(_with_points({90, 70, 43, 38, 39, 210, 10, 40, 41, 42, 91}), simple=False, markers=(2,),
                        repeat=frozenset({10, 20, 30, 40, 41, 42, 91})),
    "MTEXT": _Spec(_with_points({1, 3, 7, 10, 11, 40, 41, 42, 43, 44, 45, 46, 50, 63, 71, 72, 73, 90, 210, 421,
                                 431, 441}), simple=False, markers=(2,), repeat=frozenset({3})),
    "DIMENSION": _Spec(_with_points({1, 2, 3, 10, 11, 12, 41, 42, 51, 52, 53, 70, 71, 72, 73, 74, 75, 210, 280,
                                     13, 14, 15, 16, 40, 50}), simple=False, markers=(3, 4, 5)),
    # HATCH: only in the form ezdxf and AutoCAD write it (see _hatch_form)
    "HATCH": _Spec(_with_points({10, 11, 210, 2, 70, 71, 91, 92, 72, 73, 93, 40, 50, 51, 42, 97, 330, 75, 76, 52, 41,
                                 77, 78, 53, 43, 44, 45, 46, 79, 49, 47, 98}), simple=False, markers=(2,),
                   repeat=frozenset({10, 20, 30, 11, 21, 40, 50, 51, 42, 72, 73, 92, 93, 97, 330, 53, 43, 44, 45, 46,
                                     79, 49})),
}
_TYPE_ID = {t: n for n, t in enumerate(_SPECS)}
#: Types light on a layer without a role (counted; the survey also reads closed state, extent, text).
_LIGHT_NO_ROLE = frozenset(_SPECS)
#: Types light on a role layer: what the walk reads of them the light entity answers as ezdxf's does
#: (a HATCH's boundary paths are loaded by ezdxf's own loader, its pattern is not).
_LIGHT_ROLE = frozenset({"LWPOLYLINE", "TEXT", "MTEXT", "HATCH"})
_BLOCK_CODES = frozenset(_BASE | {100, 8, 67, 2, 3, 1, 4, 70} | _with_points({10}))
_ENDBLK_CODES = frozenset(_BASE | {100, 8, 67})
_RECORD_CODES = frozenset(_BASE | {100, 2, 70, 280, 281, 340, 310, 1000, 1001, 1002, 1003, 1005, 1040, 1041, 1042,
                                   1070, 1071} | _with_points({1010, 1011, 1012, 1013}))
#: INSERT numbers the walk turns into a transform (see :func:`_sane_inserts`).
_INSERT_NUMBERS = (10, 20, 30, 41, 42, 43, 50, 44, 45, 210, 220, 230)
_CODE_ID = 2048  # > MAX_CODE: pair keys are item * _CODE_ID + code


def _code_table(codes) -> np.ndarray:
    table = np.zeros(MAX_CODE + 1, dtype=bool)
    table[sorted(codes)] = True
    return table


def _spec_tables() -> tuple[np.ndarray, np.ndarray]:
    """allowed[type, bucket, code] (bucket 0 own part, 1 AcDbEntity, 2 type subclasses, 3 no markers) and
    once[type, code]."""
    allowed = np.zeros((len(_SPECS), 4, MAX_CODE + 1), dtype=bool)
    once = np.zeros((len(_SPECS), MAX_CODE + 1), dtype=bool)
    for t, spec in _SPECS.items():
        n = _TYPE_ID[t]
        allowed[n, 0, sorted(_BASE)] = True
        if spec.simple:
            allowed[n, 1, sorted(_ENTITY | spec.codes | {100})] = True
            allowed[n, 2, sorted(_ENTITY | spec.codes | {100})] = True
            allowed[n, 3, sorted(_BASE | _ENTITY | spec.codes)] = True
        else:
            allowed[n, 1, sorted(_ENTITY | {100})] = True
            allowed[n, 2, sorted(spec.codes | {100})] = True
        once[n, sorted((_BASE | _ENTITY | spec.codes) - spec.repeat - {0})] = True
    return allowed, once


_ALLOWED, _ONCE = _spec_tables()
_IS_POINTER = _code_table(_POINTERS)


@dataclass
class _Block:
    name: str
    begin: int  # item of BLOCK
    end: int  # item of ENDBLK
    xref: bool
    record: int | None = None  # item of its BLOCK_RECORD table entry
    handle: str | None = None  # its record's handle
    droppable: bool = False


@dataclass
class _Tables:
    hidden: set[str]  # layer names (case-folded) off or frozen
    linetypes: set[str]  # table keys (lower case)
    styles: set[str]
    dimstyles: set[str]
    records: dict[str, tuple[int, str | None]]  # block record name (lower case) -> (item, handle)


@dataclass
class FastRead:
    """A file read fast: the document (kept entities from ezdxf, light ones in model space) and its audit."""

    doc: FastDoc
    auditor: object
    counts: dict[str, int] = field(default_factory=dict)  # model-space entities kept / light, ...


class _Items:
    """The file's items (each ``0`` tag and the tags up to the next) with per-tag and per-item arrays."""

    def __init__(self, tags: Tags) -> None:
        self.tags = tags
        codes = tags.codes
        if not len(codes) or codes[0] != 0:
            raise Unsupported("tags before the first section")
        self.at = np.flatnonzero(codes == 0)
        self.end = np.append(self.at[1:], len(codes))
        self.of_tag = np.cumsum(codes == 0) - 1
        cache: dict[bytes, str] = {}
        data = tags.data
        self.types = [cache.get(b) or cache.setdefault(b, b.decode(tags.encoding, "surrogateescape").strip())
                      for b in (data[s:e] for s, e in zip(tags.vstart[self.at].tolist(), tags.vend[self.at].tolist()))]
        c100 = np.cumsum(codes == 100, dtype=np.int32)
        self.sub = c100 - c100[self.at][self.of_tag]  # subclass of each tag (0: before the item's first marker)
        del c100
        self.n100 = np.bincount(self.of_tag[codes == 100], minlength=len(self.at))

    def __len__(self) -> int:
        return len(self.at)

    def count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.of_tag[mask], minlength=len(self.at))

    def first(self, mask: np.ndarray) -> np.ndarray:
        """Per item, its first tag in ``mask`` (-1 where none)."""
        out = np.full(len(self.at), -1, dtype=np.int64)
        pos = np.flatnonzero(mask)
        out[self.of_tag[pos][::-1]] = pos[::-1]
        return out

    def tags_of(self, k: int) -> np.ndarray:
        return np.arange(self.at[k], self.end[k])

    def mask(self, items) -> np.ndarray:
        """Per tag: whether it belongs to one of ``items``."""
        chosen = np.zeros(len(self.at), dtype=bool)
        chosen[np.asarray(items, dtype=np.int64)] = True
        return chosen[self.of_tag]

    def texts_at(self, pos: np.ndarray, repeated: bool = False) -> dict[int, str]:
        """Item -> decoded value of its tag in ``pos`` (one tag an item); ``repeated``: few distinct values."""
        return dict(zip(self.of_tag[pos].tolist(), self.tags.texts(pos, repeated)))

    def sections(self) -> dict[str, tuple[int, int]]:
        """Section name -> (item of SECTION, item of ENDSEC)."""
        out: dict[str, tuple[int, int]] = {}
        types, codes = self.types, self.tags.codes
        k, m = 0, len(self.at)
        while k < m:
            if types[k] == "EOF":
                break
            if types[k] != "SECTION":
                raise Unsupported(f"{types[k][:20]} outside a section")
            head = int(self.at[k])
            if self.end[k] - head < 2 or codes[head + 1] != 2:
                raise Unsupported("section without a name")
            name = self.tags.text(head + 1)
            j = k + 1
            while j < m and types[j] not in ("ENDSEC", "SECTION", "EOF"):
                j += 1
            if j == m or types[j] != "ENDSEC":
                raise Unsupported(f"section {name[:20]} without ENDSEC")
            if name in out or name not in _SECTIONS:
                raise Unsupported(f"section {name[:20]} repeated or unknown")
            out[name] = (k, j)
            k = j + 1
        for name in ("HEADER", "TABLES", "BLOCKS", "ENTITIES"):
            if name not in out:
                raise Unsupported(f"no {name} section")
        return out


def read_fast(path: Path, roles: LayerRoles, units: str | None = None) -> FastRead:
    """Read the ASCII DXF at ``path`` fast (see the module docstring); :class:`Unsupported` when it cannot.

    ``roles``: the layer roles before inference; ``units``: ``--units`` (without it, a unitless drawing
    is left to ezdxf, since the unit guess may measure every entity).
    """
    import codecs

    from ezdxf.filemanagement import dxf_file_info

    raw = path.read_bytes()
    try:
        encoding = dxf_file_info(path).encoding
        codecs.lookup(encoding)
    except Exception as exc:  # no header to read, or a code page Python does not know
        raise Unsupported(f"encoding ({type(exc).__name__})") from None
    if b"\\U+" in raw or b"\\M+" in raw:  # escapes decoded over the whole text, as dxf_load reads such files
        from ezdxf.lldxf.encoding import decode_dxf_unicode, decode_mif_to_unicode

        try:
            text = decode_mif_to_unicode(decode_dxf_unicode(raw.decode(encoding, errors="surrogateescape")))
        except Exception as exc:  # an escape ezdxf cannot decode: its reader goes to recover
            raise Unsupported(f"\\U+ or \\M+ escape ezdxf cannot decode ({type(exc).__name__})") from None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        try:
            data, encoding = text.encode("utf-8", errors="surrogateescape"), "utf-8"
        except UnicodeEncodeError:
            raise Unsupported("escapes that decode to lone surrogates") from None
    else:
        data = normalize_newlines(raw)
    del raw
    return _Read(read_tags(data, encoding), roles, units).run()


class _Read:
    """One fast read: the decisions, then the reduced file for ezdxf and the light entities."""

    def __init__(self, tags: Tags, roles: LayerRoles, units: str | None) -> None:
        self.tags = tags
        self.roles = roles
        self.units = units
        self.r = _Items(tags)

    def run(self) -> FastRead:
        r, tags = self.r, self.tags
        codes = tags.codes
        sections = r.sections()
        version, insunits = _header(r, sections["HEADER"])
        if version not in VERSIONS:
            raise Unsupported(f"DXF version {version[:10]}")
        if not self.units and insunits == 0:
            raise Unsupported("unitless drawing ($INSUNITS 0) without --units")
        tables = _tables(r, sections["TABLES"])
        blocks = _blocks(r, sections["BLOCKS"], tables, version == "AC1009")
        self.by_name = by_name = {b.name.lower(): b for b in blocks}
        block_names = set(by_name) | set(tables.records)

        # -- every entity of ENTITIES and of the blocks: read as ezdxf reads it? -------------------
        first_ent, last_ent = sections["ENTITIES"][0] + 1, sections["ENTITIES"][1]
        items = np.concatenate([np.arange(first_ent, last_ent)] + [np.arange(b.begin + 1, b.end) for b in blocks]
                               ).astype(np.int64)
        self.handle = r.texts_at(np.flatnonzero((codes == 5) & (r.sub == 0)))
        _check_handles(r, sections, self.handle)
        ok, self.hatch_forms = _understood(r, items, version == "AC1009")
        self.layer = layer = r.texts_at(np.flatnonzero((codes == 8) & ok[r.of_tag]), repeated=True)
        self.name = r.texts_at(np.flatnonzero((codes == 2) & r.mask(items)), repeated=True)  # block names
        _check_semantics(r, items, ok, layer, self.name, tables, block_names)
        self.ok = ok
        self.role_layer = {n: _may_have_role(self.roles, n) for n in set(layer.values())}
        self.site_layer = {n: _may_be_site(self.roles, n) for n in self.role_layer}
        self.parking_layer = {n: self.roles.role_of(n) == "parking" for n in self.role_layer}
        self.tables = tables
        inserts = [k for k in items.tolist() if r.types[k] == "INSERT"]
        self.numbers = _Numbers(r, inserts, _INSERT_NUMBERS + (66, 70, 71))

        # -- entities of ENTITIES: model or paper space, light, dropped or kept -------------------
        in_msp, kind = self._sort_entities(first_ent, last_ent)

        # -- INSERTs on layers without a role: light when hidden, or when the walk reads nothing inside --
        self.sane = _sane_inserts(r, self.numbers, by_name, self.name)
        memo: dict = {}
        inert_of: dict[int, bool] = {}
        for k in in_msp:
            if kind[k] != "light" or r.types[k] != "INSERT" or self.parking_layer[layer[k]]:
                continue
            hidden = layer[k].casefold() in tables.hidden
            inert = not hidden and self.sane.get(k, False) and self._inert(self.name.get(k, ""), layer[k], (), 0, memo)
            if not (hidden or inert):
                kind[k] = "keep"
            inert_of[k] = inert

        # -- blocks: kept whole unless nothing that stays names or points at them ---------------
        _block_forms(r, blocks, ok, self.handle)
        _keep_referenced(r, kind, blocks, self.handle)
        kept_blocks = self._kept_blocks(kind, blocks)
        leaving = [np.arange(r.at[k], r.end[k]) for b in blocks if b.name.lower() not in kept_blocks
                   for k in (b.begin, b.end, b.record) if k is not None]
        if leaving:
            tags.check_values(np.concatenate(leaving))
        doc, auditor = _load(_reduced_text(r, kind, blocks, kept_blocks), tags.encoding)
        light_items = [k for k in in_msp if kind[k] == "light"]
        light = _light_entities(r, light_items, layer, self.handle, inert_of, self.hatch_forms, self.role_layer)
        msp = _merge(doc, in_msp, kind, light, self.handle)
        mark_runs(msp)
        counts = {"kept": len(in_msp) - len(light_items), "light": len(light_items),
                  "dropped": sum(1 for v in kind.values() if v == "drop"),
                  "blocks_kept": len(kept_blocks & set(by_name)), "blocks_dropped": len(set(by_name) - kept_blocks)}
        return FastRead(FastDoc(doc, msp), auditor, counts)

    def _sort_entities(self, first: int, last: int) -> tuple[list[int], dict[int, str]]:
        """Model-space items in order, and each ENTITIES item's kind (light / drop / keep)."""
        r, tags, tables = self.r, self.tags, self.tables
        codes, types = tags.codes, r.types
        n = last - first
        follower = np.zeros(n, dtype=bool)
        mains = set()
        for i in range(n):  # ezdxf links VERTEX / ATTRIB up to SEQEND to their POLYLINE / INSERT
            k, t = first + i, types[first + i]
            if follower[i] or not (t == "POLYLINE" or (t == "INSERT" and self.numbers.get(66, k))):
                continue
            follows = "VERTEX" if t == "POLYLINE" else "ATTRIB"
            j = k + 1
            while j < last and types[j] != "SEQEND":
                if types[j] != follows:
                    raise Unsupported(f"{types[j][:20]} inside {t}")
                j += 1
            if j == last:
                raise Unsupported(f"{t} without SEQEND")
            follower[i + 1:j - first + 1] = True
            mains.add(k)
        sel = r.mask(np.arange(first, last))
        msp = tables.records.get("*model_space", (None, None))[1]
        psp = tables.records.get("*paper_space", (None, None))[1]
        owner_pos = np.flatnonzero(sel & (codes == 330) & (r.sub == 0))
        owner = np.zeros(n, dtype=np.int8)  # 0 none, 1 model space, 2 paper space, 3 another
        owner[r.of_tag[owner_pos] - first] = [1 if v == msp else 2 if v == psp else 3
                                              for v in tags.texts(owner_pos, repeated=True)]
        paper_pos = np.flatnonzero(sel & (codes == 67))
        flag = np.zeros(n, dtype=bool)
        flag[r.of_tag[paper_pos] - first] = tags.ints(paper_pos) != 0  # the last one counts, as in ezdxf
        in_paper = (owner == 2) | ((owner != 1) & flag)  # ezdxf's rule: the owner first, else the flag
        in_msp = (np.flatnonzero(~follower & ~in_paper) + first).tolist()
        kind: dict[int, str] = {}
        ok, layer = self.ok, self.layer
        memo: dict[tuple[str, str], str] = {}
        for i, (paper, own, is_follower) in enumerate(zip(in_paper.tolist(), owner.tolist(), follower.tolist())):
            k = first + i
            if is_follower or k in mains or not ok[k] or own == 3:
                kind[k] = "keep"
            elif paper:
                kind[k] = "drop"
            else:
                key = (types[k], layer[k])
                kind[k] = memo.get(key) or memo.setdefault(key, self._msp_kind(*key))
        return in_msp, kind

    def _msp_kind(self, t: str, layer: str) -> str:
        if not self.role_layer[layer]:
            return "light" if t in _LIGHT_NO_ROLE else "keep"
        if self.site_layer[layer]:  # the unit vote measures site outlines with ezdxf's bounding boxes
            return "keep"
        if t in _LIGHT_ROLE or (t == "INSERT" and self.parking_layer[layer]):
            return "light"
        return "keep"

    def _inert(self, name: str, layer: str, stack: tuple[str, ...], depth: int, memo: dict) -> bool:
        """Whether the walk of block ``name`` inserted on ``layer`` (no role, visible) reads or notes nothing."""
        key = (name, layer, stack, depth)
        if key in memo:
            return memo[key]
        block = self.by_name.get(name.lower())
        result = block is not None and not block.xref and name not in stack and depth < MAX_BLOCK_DEPTH
        if result:
            r = self.r
            for k in range(block.begin + 1, block.end):
                if not self.ok[k]:
                    result = False
                    break
                inner = self.layer[k]
                if inner == "0":
                    inner = layer
                if inner.casefold() in self.tables.hidden or self.role_layer.get(inner, True) or has_undecodable(inner):
                    result = False
                    break
                if r.types[k] == "INSERT" and (self.numbers.get(66, k) or not self.sane.get(k, False) or not
                                               self._inert(self.name.get(k, ""), inner, stack + (name,), depth + 1,
                                                           memo)):
                    result = False
                    break
        memo[key] = result
        return result

    def _kept_blocks(self, kind: dict[int, str], blocks: list[_Block]) -> set[str]:
        """Names (lower case) of the blocks the reduced file keeps: those not droppable, and those named
        (code 2) by kept entities, light INSERTs or kept blocks, transitively."""
        r, codes, by_name = self.r, self.tags.codes, self.by_name
        users = [k for k, v in kind.items() if v == "keep" or (v == "light" and r.types[k] == "INSERT")]
        named = {s.lower() for s in self.tags.texts(np.flatnonzero((codes == 2) & r.mask(users)))} if users else set()
        keep = {b.name.lower() for b in blocks if not b.droppable}
        todo = (keep | named) & set(by_name)
        keep |= todo
        inside = {key: {self.name[k].lower() for k in range(b.begin + 1, b.end) if k in self.name}
                  for key, b in by_name.items()}
        while todo:
            for name in inside[todo.pop()] & set(by_name):
                if name not in keep:
                    keep.add(name)
                    todo.add(name)
        dropped = set(by_name) - keep
        if _has_cycle({key: inside[key] & dropped for key in dropped}):  # ezdxf's audit of the whole file reports it
            raise Unsupported("block cycle among unreferenced blocks")
        return keep


# -- header, tables, blocks ----------------------------------------------------------------------------
def _header(r: _Items, section: tuple[int, int]) -> tuple[str, int]:
    """``$ACADVER`` and ``$INSUNITS`` (0 when unset) of the HEADER section."""
    codes, tags = r.tags.codes, r.tags
    lo, hi = int(r.at[section[0]]), int(r.at[section[1]])
    found: dict[str, int] = {}
    for i in (np.flatnonzero(codes[lo:hi] == 9) + lo).tolist():
        name = tags.text(i)
        if name in ("$ACADVER", "$INSUNITS"):
            if name in found or i + 1 >= hi:
                raise Unsupported(f"{name} set twice or without a value")
            found[name] = i + 1
    version = tags.text(found["$ACADVER"]) if "$ACADVER" in found else "AC1009"
    if "$INSUNITS" in found and codes[found["$INSUNITS"]] != 70:
        raise Unsupported("$INSUNITS not an integer")
    insunits = int(tags.ints([found["$INSUNITS"]])[0]) if "$INSUNITS" in found else 0
    return version, insunits


def _tables(r: _Items, section: tuple[int, int]) -> _Tables:
    codes, types = r.tags.codes, r.types
    out = _Tables(set(), set(), set(), set(), {})
    entries = [k for k in range(section[0] + 1, section[1])
               if types[k] in ("LAYER", "LTYPE", "STYLE", "DIMSTYLE", "BLOCK_RECORD")]
    if not entries:
        return out
    here = r.mask(entries)
    if not (r.count(here & (codes == 2))[entries] == 1).all():
        raise Unsupported("a table entry without one name")
    names = r.texts_at(np.flatnonzero(here & (codes == 2)))
    seen = [(types[k], names[k].lower()) for k in entries]
    if len(set(seen)) != len(seen):
        raise Unsupported("a table entry twice in the tables")
    layers = [k for k in entries if types[k] == "LAYER"]
    if layers:
        on_layer = r.mask(layers)
        if (r.count(on_layer & (codes == 70)) > 1).any() or (r.count(on_layer & (codes == 62)) > 1).any():
            raise Unsupported("layer record with a repeated flag or colour")
        flags = _by_item(r, on_layer & (codes == 70), "int")
        colors = _by_item(r, on_layer & (codes == 62), "int")
        for k in layers:  # ezdxf's Layer.is_off() / is_frozen()
            if colors.get(k, 7) < 0 or flags.get(k, 0) & 1:
                out.hidden.add(names[k].casefold())
    records = [k for k in entries if types[k] == "BLOCK_RECORD"]
    handles = r.texts_at(np.flatnonzero(r.mask(records) & (codes == 5) & (r.sub == 0))) if records else {}
    for k in entries:
        t, key = types[k], names[k].lower()
        if t == "LTYPE":
            out.linetypes.add(key)
        elif t == "STYLE":
            out.styles.add(key)
        elif t == "DIMSTYLE":
            out.dimstyles.add(key)
        elif t == "BLOCK_RECORD":
            out.records[key] = (k, handles.get(k))
    return out


def _by_item(r: _Items, mask: np.ndarray, kind: str) -> dict[int, object]:
    """Item -> the value (int or float) of its tag in ``mask`` (one tag an item)."""
    pos = np.flatnonzero(mask)
    values = r.tags.ints(pos) if kind == "int" else r.tags.floats(pos)
    return dict(zip(r.of_tag[pos].tolist(), values.tolist()))


def _blocks(r: _Items, section: tuple[int, int], tables: _Tables, r12: bool) -> list[_Block]:
    tags, codes, types = r.tags, r.tags.codes, r.types
    spans: list[tuple[int, int]] = []
    k = section[0] + 1
    while k < section[1]:
        if types[k] != "BLOCK":
            raise Unsupported(f"{types[k][:20]} outside a block")
        j = k + 1
        while j < section[1] and types[j] not in ("ENDBLK", "BLOCK"):
            j += 1
        if j == section[1] or types[j] != "ENDBLK":
            raise Unsupported("BLOCK without ENDBLK")
        spans.append((k, j))
        k = j + 1
    if not spans:
        return []
    begins = [k for k, _ in spans]
    here = r.mask(begins)
    if not (r.count(here & (codes == 2))[begins] == 1).all():
        raise Unsupported("BLOCK without one name")
    names = r.texts_at(np.flatnonzero(here & (codes == 2)))
    flags_pos = np.flatnonzero(here & (codes == 70))
    flags = dict(zip(r.of_tag[flags_pos].tolist(), tags.ints(flags_pos).tolist()))  # the last one counts
    out: list[_Block] = []
    seen: set[str] = set()
    for k, j in spans:
        name = names[k]
        if not name or name.lower() in seen:
            raise Unsupported(f"block {name[:20]} unnamed or defined twice")
        seen.add(name.lower())
        record = tables.records.get(name.lower())
        if record is None and not r12:
            raise Unsupported(f"block {name[:20]} without a BLOCK_RECORD")
        out.append(_Block(name, k, j, bool(flags.get(k, 0) & 4), *(record or (None, None))))
    return out


class _Numbers:
    """Numbers of some items by group code: ``values[code][i]`` of item ``items[i]``, ``present[code][i]``."""

    def __init__(self, r: _Items, items: list[int], codes_wanted) -> None:
        self.items = np.asarray(items, dtype=np.int64)
        self.slot = np.full(len(r), -1, dtype=np.int64)
        self.slot[self.items] = np.arange(len(self.items))
        self.values: dict[int, np.ndarray] = {}
        self.present: dict[int, np.ndarray] = {}
        codes = r.tags.codes
        here = np.flatnonzero(r.mask(items)) if items else np.zeros(0, dtype=np.int64)
        for c in codes_wanted:
            pos = here[codes[here] == c]
            at = self.slot[r.of_tag[pos]]
            values = np.zeros(len(self.items), dtype=np.float64)
            values[at] = r.tags.ints(pos) if c in INT_CODES else r.tags.floats(pos)  # the last of a code counts
            present = np.zeros(len(self.items), dtype=bool)
            present[at] = True
            self.values[c], self.present[c] = values, present

    def get(self, code: int, k: int, default: float = 0.0) -> float:
        i = self.slot[k]
        return float(self.values[code][i]) if i >= 0 and self.present[code][i] else default

    def column(self, code: int, default: float) -> np.ndarray:
        return np.where(self.present[code], self.values[code], default)


# -- understood forms ------------------------------------------------------------------------------------
def _understood(r: _Items, items: np.ndarray, r12: bool) -> tuple[np.ndarray, dict]:
    """Per item: of a type in :data:`_SPECS`, in a form whose tags the reader reads as ezdxf does; and the
    parts of the HATCHes so understood (:func:`_hatch_forms`).

    Raises :class:`Unsupported` when a value of such an item is one ezdxf's tag compiler refuses.
    """
    codes, tags = r.tags.codes, r.tags
    tid = np.full(len(r), -1, dtype=np.int64)
    tid[items] = [_TYPE_ID.get(r.types[k], -1) for k in items.tolist()]
    ok = np.zeros(len(r), dtype=bool)
    ok[items] = tid[items] >= 0
    for t, spec in _SPECS.items():  # subclass markers: none (not in R12 files with markers), or as the loader needs
        sel = items[tid[items] == _TYPE_ID[t]]
        n100 = r.n100[sel]
        if spec.simple:
            ok[sel] &= (n100 == 0) | ((n100 >= 1) & (not r12))
        else:
            ok[sel] &= np.isin(n100, spec.markers) & (not r12)
    pos = np.flatnonzero(ok[r.of_tag])
    owner, code = r.of_tag[pos], codes[pos]
    bucket = np.where(r.n100[owner] == 0, 3, np.minimum(r.sub[pos], 2))
    inside = (code >= 0) & (code <= MAX_CODE)
    code_c = np.clip(code, 0, MAX_CODE)
    good = inside & _ALLOWED[tid[owner], bucket, code_c]
    ok &= np.bincount(owner[~good], minlength=len(r)) == 0
    ok &= r.count(codes == 8) == 1  # the layer: one code 8 (in the entity part, by the table above)
    ok &= r.count((codes == 5) & (r.sub == 0)) == 1
    once = inside & _ONCE[tid[owner], code_c]
    keys = np.sort(owner[once] * _CODE_ID + code[once])
    ok[keys[1:][keys[1:] == keys[:-1]] // _CODE_ID] = False
    lw = items[tid[items] == _TYPE_ID["LWPOLYLINE"]]
    if len(lw):  # widths and bulge after their vertex, once each (ezdxf drops earlier ones, keeps the last)
        here = r.mask(lw)
        c10 = np.cumsum(here & (codes == 10))
        sel = np.flatnonzero(here & ((codes == 40) | (codes == 41) | (codes == 42)))
        before = c10[sel] == c10[r.at[r.of_tag[sel]]]
        ok[r.of_tag[sel[before]]] = False
        keys = c10[sel] * 4 + (codes[sel] - 40)
        order = np.sort(keys)
        twice = order[1:][order[1:] == order[:-1]]
        if len(twice):
            ok[r.of_tag[sel[np.isin(keys, twice)]]] = False
    hatches = items[(tid[items] == _TYPE_ID["HATCH"]) & ok[items]]
    forms = _hatch_forms(r, hatches.tolist()) if len(hatches) else {}
    ok[[k for k, form in forms.items() if form is None]] = False
    tags.check_values(np.flatnonzero(ok[r.of_tag]))  # a value ezdxf refuses: the whole file goes to ezdxf
    return ok, forms


_HATCH_COUNTS = (91, 92, 72, 73, 93, 97, 78, 79, 98)
_HATCH_HEAD = frozenset({10, 20, 30, 210, 220, 230, 2, 70, 71})
_HATCH_EDGES = {1: (10, 20, 11, 21), 2: (10, 20, 40, 50, 51, 73), 3: (10, 20, 11, 21, 40, 50, 51, 73)}


@dataclass
class _HatchForm:
    attribs: list[int]  # tags ezdxf loads as DXF attributes
    paths: tuple[int, int]  # tags of the boundary paths (after 91)


def _hatch_forms(r: _Items, items: list[int]) -> dict[int, _HatchForm | None]:
    """Per HATCH item, its parts in the form ezdxf and AutoCAD write (None for any other form).

    head (elevation, extrusion, pattern name, solid fill, associative), 91 and its boundary paths --
    polyline paths (92 with bit 2, 72, 73, 93, vertices 10/20 [42], 97 and its 330s) or edge paths of
    line, arc and ellipse edges (no spline: ezdxf's audit checks those) --, 75, 76, the pattern (52, 41,
    77, 78 and its lines 53 43 44 45 46 79 49...), 47, 98 and its seed points. In this form ezdxf's
    loader finds each part where this reads it, and its audit passes the paths.
    """
    codes = r.tags.codes
    here = np.flatnonzero(r.mask(items) & (r.sub >= 2))
    counted = here[np.isin(codes[here], _HATCH_COUNTS)]
    value = dict(zip(counted.tolist(), r.tags.ints(counted).tolist()))
    starts = {}
    for t in here.tolist():
        starts.setdefault(int(r.of_tag[t]), t)
    out: dict[int, _HatchForm | None] = {}
    for k in items:
        first = starts.get(k)
        out[k] = None if first is None else _hatch_form(codes, value, first + 1, int(r.end[k]))  # after the marker
    return out


def _hatch_form(codes: np.ndarray, value: dict[int, int], i: int, end: int) -> _HatchForm | None:
    c = codes[i:end].tolist()
    n = len(c)
    j = 0
    attribs: list[int] = []
    seen: set[int] = set()

    def take(code: int) -> bool:
        nonlocal j
        if j < n and c[j] == code:
            j += 1
            return True
        return False

    while j < n and c[j] in _HATCH_HEAD and c[j] not in seen:
        seen.add(c[j])
        attribs.append(i + j)
        j += 1
    if not take(91):
        return None
    path_start = i + j
    for _ in range(max(value[i + j - 1], 0)):
        if not take(92):
            return None
        flags = value[i + j - 1]
        if flags & 2:
            if not (take(72) and take(73) and take(93)):
                return None
            for _ in range(max(value[i + j - 1], 0)):
                if not (take(10) and take(20)):
                    return None
                take(42)
        else:
            if not take(93):
                return None
            for _ in range(max(value[i + j - 1], 0)):
                if not take(72):
                    return None
                edge = _HATCH_EDGES.get(value[i + j - 1])
                if edge is None or not all(take(code) for code in edge):
                    return None
        if not take(97):
            return None
        for _ in range(max(value[i + j - 1], 0)):
            if not take(330):
                return None
    paths = (path_start, i + j)
    for code in (75, 76, 52, 41, 77):
        if take(code):
            attribs.append(i + j - 1)
    if take(78):
        for _ in range(max(value[i + j - 1], 0)):
            if not all(take(code) for code in (53, 43, 44, 45, 46, 79)):
                return None
            for _ in range(max(value[i + j - 1], 0)):
                if not take(49):
                    return None
    if take(47):
        attribs.append(i + j - 1)
    if take(98):
        for _ in range(max(value[i + j - 1], 0)):
            if not (take(10) and take(20)):
                return None
    return _HatchForm(attribs, paths) if j == n else None


def _check_handles(r: _Items, sections, handle: dict[int, str]) -> None:
    """Every entity of ENTITIES and BLOCKS has a handle, and every handle (outside the header) is hexadecimal
    and used once."""
    for name in ("BLOCKS", "ENTITIES"):
        a, b = sections[name]
        if any(k not in handle for k in range(a + 1, b)):
            raise Unsupported(f"an entity of {name} without a handle")
    codes = r.tags.codes
    header = sections["HEADER"]
    outside = np.ones(len(codes), dtype=bool)
    outside[r.at[header[0]]:r.end[header[1]]] = False  # $HANDSEED is written with code 5
    idx = np.flatnonzero(((codes == 5) | (codes == 105)) & (r.sub == 0) & outside)
    known = r.of_tag[idx]
    texts = iter(r.tags.texts(idx[[k not in handle or codes[i] != 5 for k, i in zip(known.tolist(), idx.tolist())]]))
    keys = [(handle[k] if k in handle and c == 5 else next(texts)).upper()
            for k, c in zip(known.tolist(), codes[idx].tolist())]
    if len(set(keys)) != len(keys):
        raise Unsupported("a handle used twice")
    for key in keys:
        try:
            int(key, 16)
        except ValueError:  # ezdxf reads such a file only with recover (which drops the handle)
            raise Unsupported(f"invalid handle '{key[:20]}'") from None


def _check_semantics(r: _Items, items: np.ndarray, ok: np.ndarray, layer: dict[int, str], name: dict[int, str],
                     tables: _Tables, block_names: set[str]) -> None:
    """Keep (``ok`` False) what ezdxf's audit would repair or report: colour, line weight, transparency,
    extrusion, layer name, a missing line type, text style, block or dimension style."""
    from ezdxf.lldxf import const, validator
    from ezdxf.math import NULLVEC, Vec3

    codes, tags = r.tags.codes, r.tags
    sel = ok[r.of_tag]
    bad: set[int] = set()

    def each(code: int):
        pos = np.flatnonzero(sel & (codes == code))
        return pos, r.of_tag[pos].tolist()

    pos, owner = each(62)
    bad.update(o for o, v in zip(owner, tags.ints(pos).tolist()) if not 0 <= v <= 257)
    pos, owner = each(370)
    bad.update(o for o, v in zip(owner, tags.ints(pos).tolist()) if v not in const.VALID_DXF_LINEWEIGHT_VALUES)
    pos, owner = each(440)
    bad.update(o for o, v in zip(owner, tags.ints(pos).tolist()) if not validator.is_transparency(v))
    pos, owner = each(210)
    if len(pos):
        has_z = codes[np.minimum(pos + 2, len(codes) - 1)] == 230
        z = np.zeros(len(pos))
        z[has_z] = tags.floats(pos[has_z] + 2)
        xyz = np.column_stack([tags.floats(pos), tags.floats(pos + 1), z])
        bad.update(o for o, v in zip(owner, xyz.tolist()) if NULLVEC.isclose(Vec3(v)))
    pos, owner = each(6)
    bad.update(o for o, v in zip(owner, tags.texts(pos))
               if v.lower() not in ("bylayer", "byblock") and v.lower() not in tables.linetypes)
    pos, owner = each(7)
    bad.update(o for o, v in zip(owner, tags.texts(pos)) if v.lower() not in tables.styles)
    pos, owner = each(3)
    styles = dict(zip(owner, tags.texts(pos)))
    for k in items[ok[items]].tolist():
        t = r.types[k]
        if t in ("INSERT", "DIMENSION") and name.get(k, "").lower() not in block_names:
            bad.add(k)  # INSERT: audit deletes it; DIMENSION: so does it, unless a constraint (kept too)
        if t == "DIMENSION" and styles.get(k, "Standard").lower() not in tables.dimstyles:
            bad.add(k)
    valid = {n: validator.is_valid_layer_name(n) for n in set(layer.values())}
    bad.update(k for k, n in layer.items() if not valid[n])
    ok[sorted(bad)] = False


def _may_have_role(roles: LayerRoles, name: str) -> bool:
    """Whether layer ``name`` has a role, or may get one by inference (the survey decides per drawing)."""
    if roles.role_of(name) is not None:
        return True
    inference = roles.infer(name) if roles.infers else None
    return inference is not None and inference.role is not None


def _may_be_site(roles: LayerRoles, name: str) -> bool:
    if roles.role_of(name) == "site":
        return True
    inference = roles.infer(name) if roles.infers else None
    return inference is not None and inference.role == "site"


def _sane_inserts(r: _Items, numbers: _Numbers, by_name: dict, name: dict[int, str]) -> dict[int, bool]:
    """Per INSERT item: a finite transform far from degenerate, its block's base point finite (the walk then
    notes nothing about it), no extrusion but the default."""
    codes = r.tags.codes
    begins = [b.begin for b in by_name.values()]
    base_ok: dict[str, bool] = {}
    if begins:
        pos = np.flatnonzero(r.mask(begins) & ((codes == 10) | (codes == 20) | (codes == 30)))
        values = r.tags.floats(pos)
        bad = np.bincount(r.of_tag[pos][~(np.isfinite(values) & (np.abs(values) <= 1e11))], minlength=len(r))
        base_ok = {key: not bad[b.begin] for key, b in by_name.items()}
    col = numbers.column
    finite = np.ones(len(numbers.items), dtype=bool)
    for c in _INSERT_NUMBERS:
        finite &= np.isfinite(col(c, 0.0))
    with np.errstate(invalid="ignore", over="ignore"):
        cells = np.maximum(col(70, 1), 1) * np.maximum(col(71, 1), 1)
        ok = (finite & (col(210, 0.0) == 0.0) & (col(220, 0.0) == 0.0) & (col(230, 1.0) == 1.0)
              & (np.abs(col(10, 0.0)) <= 1e11) & (np.abs(col(20, 0.0)) <= 1e11) & (np.abs(col(30, 0.0)) <= 1e11)
              & (cells <= 10_000) & (np.abs(col(44, 0.0)) * cells <= 1e11) & (np.abs(col(45, 0.0)) * cells <= 1e11))
        for c in (41, 42, 43):
            scale = np.abs(col(c, 1.0))
            ok &= (scale >= 1e-100) & (scale <= 1e6)
    return {k: bool(good) and base_ok.get(name.get(k, "").lower(), False)
            for k, good in zip(numbers.items.tolist(), ok.tolist())}


# -- what stays ------------------------------------------------------------------------------------------
def _block_forms(r: _Items, blocks: list[_Block], ok: np.ndarray, handle: dict[int, str]) -> None:
    """Mark the blocks the reduced file may leave out: understood content of droppable types owned by the block,
    plain BLOCK / ENDBLK / record tags, not an xref or a layout."""
    codes = r.tags.codes
    code_c = np.clip(codes, 0, MAX_CODE)
    inside = (codes >= 0) & (codes <= MAX_CODE)
    bad_block = r.count(~(inside & _code_table(_BLOCK_CODES)[code_c]))
    bad_end = r.count(~(inside & _code_table(_ENDBLK_CODES)[code_c]))
    bad_record = r.count(~(inside & _code_table(_RECORD_CODES)[code_c]))
    owner = r.texts_at(np.flatnonzero((codes == 330) & (r.sub == 0)), repeated=True)
    for b in blocks:
        key = b.name.lower()
        content = range(b.begin + 1, b.end)
        b.droppable = bool(
            not b.xref and not key.startswith(("*model_space", "*paper_space"))
            and bad_block[b.begin] == 0 and bad_end[b.end] == 0 and (b.record is None or bad_record[b.record] == 0)
            and ok[b.begin + 1:b.end].all() and all(owner.get(k, b.handle) == b.handle for k in content))


def _keep_referenced(r: _Items, kind: dict[int, str], blocks: list[_Block], handle: dict[int, str]) -> None:
    """Keep what content that stays points at by handle (ezdxf's audit follows pointers): light or dropped
    entities, and droppable blocks (by their record's or an entity's handle)."""
    codes = r.tags.codes
    leaving = np.zeros(len(r), dtype=bool)
    for k, v in kind.items():
        leaving[k] = v != "keep"
    for b in blocks:
        if b.droppable:
            leaving[b.begin:b.end + 1] = True
            if b.record is not None:
                leaving[b.record] = True
    inside = (codes >= 0) & (codes <= MAX_CODE)
    pointer = inside & _IS_POINTER[np.clip(codes, 0, MAX_CODE)] & ~leaving[r.of_tag]
    referenced = {s.upper() for s in r.tags.texts(np.flatnonzero(pointer), repeated=True)}
    if not referenced:
        return
    pointed = {k for k, h in handle.items() if h.upper() in referenced}  # items others point at
    for k in pointed:
        if kind.get(k, "keep") != "keep":
            kind[k] = "keep"
    for b in blocks:
        if b.droppable and ((b.handle or "").upper() in referenced
                            or any(k in pointed for k in range(b.begin, b.end + 1))):
            b.droppable = False


def _has_cycle(graph: dict[str, set[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(key: str) -> bool:
        state[key] = 1
        for nxt in graph[key]:
            if state.get(nxt) == 1 or (nxt not in state and visit(nxt)):
                return True
        state[key] = 2
        return False

    return any(key not in state and visit(key) for key in graph)


def _reduced_text(r: _Items, kind: dict[int, str], blocks: list[_Block], kept_blocks: set[str]) -> bytes:
    """The file without its light and dropped entities and its dropped blocks (with their records)."""
    drop = np.zeros(len(r), dtype=bool)
    for k, v in kind.items():
        drop[k] = v != "keep"
    for b in blocks:
        if b.name.lower() not in kept_blocks:
            drop[b.begin:b.end + 1] = True
            if b.record is not None:
                drop[b.record] = True
    starts = r.tags.starts
    edges = np.flatnonzero(np.diff(np.concatenate(([0], (~drop).astype(np.int8), [0]))))
    data = r.tags.data
    return b"".join(data[starts[r.at[a]]:starts[r.end[b - 1]]] for a, b in zip(edges[0::2].tolist(), edges[1::2].tolist()))


def _load(reduced: bytes, encoding: str):
    """The reduced file read and audited by ezdxf; :class:`Unsupported` when ezdxf refuses it."""
    import ezdxf

    try:
        doc = ezdxf.read(io.StringIO(reduced.decode(encoding, errors="surrogateescape")))
        auditor = doc.audit()
    except Exception as exc:
        raise Unsupported(f"ezdxf refused the reduced file ({type(exc).__name__}: {str(exc)[:80]})") from None
    return doc, auditor


# -- light entities --------------------------------------------------------------------------------------
def _names(dxftype: str) -> dict[int, str]:
    """Group code -> ezdxf's attribute name, for the codes a light entity of ``dxftype`` carries."""
    from ezdxf.entities import dxfgfx, insert, lwpolyline, mtext, text
    from ezdxf.entities.circle import Circle

    from ezdxf.entities import hatch

    own = {"TEXT": text.merged_text_group_codes, "INSERT": insert.merged_insert_group_codes,
           "CIRCLE": Circle.MERGED_GROUP_CODES, "LWPOLYLINE": lwpolyline.acdb_lwpolyline_group_codes,
           "MTEXT": mtext.acdb_mtext_group_codes, "HATCH": hatch.acdb_hatch_group_code}.get(dxftype, {})
    out = {c: n for c, n in dxfgfx.acdb_entity_group_codes.items() if c in _ENTITY}
    out.update({c: n for c, n in own.items() if c in _SPECS[dxftype].codes and isinstance(n, str)
                and not n.startswith("*")})
    return out


def _light_entities(r: _Items, items: list[int], layer: dict[int, str], handle: dict[int, str],
                    inert_of: dict[int, bool], hatch_forms: dict, role_layer: dict[str, bool]) -> dict[int, LightEntity]:
    """The light entities of ``items``, their attributes as ezdxf would load them from the same tags."""
    from ezdxf.math import Vec3

    tags, codes = r.tags, r.tags.codes
    values: dict[int, dict] = {k: {"handle": handle[k], "layer": layer[k]} for k in items}
    owner = r.texts_at(np.flatnonzero(r.mask(items) & (codes == 330) & (r.sub == 0)), repeated=True)
    for k, v in owner.items():
        values[k]["owner"] = v
    by_type: dict[str, list[int]] = {}
    for k in items:
        by_type.setdefault(r.types[k], []).append(k)
    out: dict[int, LightEntity] = {}
    for dxftype, ks in by_type.items():
        if dxftype == "HATCH":  # its attributes are the head and tail tags, not those of paths and pattern
            here = np.array(sorted(t for k in ks for t in hatch_forms[k].attribs), dtype=np.int64)
        else:
            here = np.flatnonzero(r.mask(ks))
        here_codes = codes[here]
        for code, name in _names(dxftype).items():
            if code == 8 or (dxftype == "LWPOLYLINE" and code == 10):
                continue
            pos = here[here_codes == code]
            if not len(pos):
                continue
            if code in POINT_CODES:
                z = np.zeros(len(pos))
                has_z = codes[np.minimum(pos + 2, len(codes) - 1)] == code + 20
                z[has_z] = tags.floats(pos[has_z] + 2)
                vals = [Vec3(p) for p in zip(tags.floats(pos).tolist(), tags.floats(pos + 1).tolist(), z.tolist())]
            elif code in FLOAT_CODES:
                vals = tags.floats(pos).tolist()
            elif code in INT_CODES:
                vals = tags.ints(pos).tolist()
            else:
                vals = tags.texts(pos)
            for k, v in zip(r.of_tag[pos].tolist(), vals):
                values[k][name] = v
        if dxftype == "LWPOLYLINE":
            points = _vertices(r, ks)
            out.update((k, LightPolyline(values[k], points[k])) for k in ks)
        elif dxftype == "INSERT":
            out.update((k, LightInsert(values[k], inert_of.get(k, False))) for k in ks)
        elif dxftype == "TEXT":
            out.update((k, LightText(values[k])) for k in ks)
        elif dxftype == "MTEXT":
            text = _mtext_content(r, ks)
            out.update((k, LightMText(values[k], text[k])) for k in ks)
        elif dxftype == "HATCH":  # boundary paths only where the walk reads them (role layers)
            read = [k for k in ks if role_layer[layer[k]]]
            paths = dict(zip(read, _hatch_paths(r, [hatch_forms[k] for k in read])))
            out.update((k, LightHatch(values[k], paths.get(k))) for k in ks)
        else:
            out.update((k, LightEntity(dxftype, values[k])) for k in ks)
    return out


def _hatch_paths(r: _Items, forms: list[_HatchForm]) -> list:
    """Each HATCH's boundary paths, loaded by ezdxf's own ``BoundaryPaths.load_tags`` from its path tags as
    ezdxf's tag compiler gives them (points as (x, y) vertices: the form has no z)."""
    from ezdxf.entities.boundary_paths import BoundaryPaths
    from ezdxf.lldxf.tags import Tags as EzTags
    from ezdxf.lldxf.types import DXFTag, DXFVertex

    tags, codes = r.tags, r.tags.codes
    if not forms:
        return []
    pos = np.concatenate([np.arange(*form.paths) for form in forms]).astype(np.int64)
    kind = np.where(np.isin(codes[pos], sorted(INT_CODES)), 2, np.where(np.isin(codes[pos], sorted(FLOAT_CODES)), 1, 0))
    value: dict[int, object] = {}
    value.update(zip(pos[kind == 1].tolist(), tags.floats(pos[kind == 1]).tolist()))
    value.update(zip(pos[kind == 2].tolist(), tags.ints(pos[kind == 2]).tolist()))
    value.update(zip(pos[kind == 0].tolist(), tags.texts(pos[kind == 0])))
    out = []
    for form in forms:
        compiled = []
        t, end = form.paths
        while t < end:
            code = int(codes[t])
            if code in POINT_CODES:
                compiled.append(DXFVertex(code, (value[t], value[t + 1])))
                t += 2
            else:
                compiled.append(DXFTag(code, value[t]))
                t += 1
        out.append(BoundaryPaths.load_tags(EzTags(compiled)))
    return out


def _vertices(r: _Items, items: list[int]) -> dict[int, np.ndarray]:
    """Per LWPOLYLINE item, its (n, 5) rows of x, y, start width, end width, bulge, as ezdxf's ``lwpoints.values``."""
    tags, codes = r.tags, r.tags.codes
    here = r.mask(items)
    pos10 = np.flatnonzero(here & (codes == 10))
    table = np.zeros((len(pos10), 5), dtype=np.float64)
    table[:, 0] = tags.floats(pos10)
    table[:, 1] = tags.floats(pos10 + 1)
    c10 = np.cumsum(here & (codes == 10))  # 1-based vertex number of each tag, over these items
    for col, code in ((2, 40), (3, 41), (4, 42)):
        pos = np.flatnonzero(here & (codes == code))
        if len(pos):
            table[c10[pos] - 1, col] = tags.floats(pos)
    counts = np.bincount(r.of_tag[pos10], minlength=len(r))
    out: dict[int, np.ndarray] = {}
    start = 0
    for k in sorted(items):  # vertices come in item order (items increase through the file)
        n = int(counts[k])
        out[k] = table[start:start + n]
        start += n
    return out


def _mtext_content(r: _Items, items: list[int]) -> dict[int, str]:
    """Per MTEXT item, its text as ezdxf's ``load_mtext_content`` joins it (code 3 chunks, then code 1)."""
    from ezdxf.entities.mtext import escape_dxf_line_endings

    codes = r.tags.codes
    here = np.flatnonzero(r.mask(items) & ((codes == 3) | (codes == 1)))
    parts: dict[int, list[str]] = {k: [] for k in items}
    tail: dict[int, str] = {}
    for k, c, v in zip(r.of_tag[here].tolist(), codes[here].tolist(), r.tags.texts(here)):
        if c == 1:
            tail[k] = v
        else:
            parts[k].append(v)
    return {k: escape_dxf_line_endings("".join(parts[k]) + tail.get(k, "")) for k in items}


def _merge(doc, msp_items: list[int], kind: dict[int, str], light: dict, handle: dict[int, str]) -> list:
    """Model space in the file's order: ezdxf's entities for kept items (less any the audit deleted), light ones."""
    kept = list(doc.modelspace())
    at = {e.dxf.get("handle"): n for n, e in enumerate(kept)}
    out = []
    j = 0
    for k in msp_items:
        if kind[k] == "light":
            out.append(light[k])
            continue
        n = at.get(handle[k])
        if n is None:
            continue  # deleted by the audit
        if n != j:
            raise Unsupported("model space order differs from the file's")
        out.append(kept[n])
        j += 1
    if j != len(kept):
        raise Unsupported("ezdxf's model space holds entities the reader did not expect")
    return out
