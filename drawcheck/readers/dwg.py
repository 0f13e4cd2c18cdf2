"""DWG input: a DWG (R13/R14 to R2018) read through ezdwg into an ezdxf document.

drawcheck reads DXF through ezdxf; a DWG is turned into the same kind of
in-memory ezdxf document, so everything downstream is the DXF reader.
ezdwg's own ``to_dxf`` export is not used: it renumbers handles, resets
``$INSUNITS`` to metres, forgets frozen/off layers and writes block content
and ATTRIBs loose into model space. drawcheck reads the DWG with ezdwg's
reader (``Document.entities``, its layer table and its raw table, block and
INSERT decoders) and copies it entity by entity, with

* the DWG's handles (findings name the handles the DWG shows),
* layers with colour and frozen/off/locked state, text styles, ``$INSUNITS``,
* block definitions with their base points, INSERTs with their ATTRIBs,
  MINSERT rows and columns, DIMENSIONs with the blocks that draw them,
* HATCH boundaries: ezdwg 0.17 gives them as chords (every arc split into
  equal steps of at most 360/64 degrees); runs of chords with that exact
  signature are turned back into the arcs they came from (:func:`rebuild_arcs`).

Whatever is not carried over becomes a note (``qa:dwg-dropped``) naming the
entities by handle: types ezdwg does not decode or drawcheck does not copy
(SHAPE, proxy and ACIS objects, ...), entities whose layer or values ezdwg
could not decode, ATTRIBs it could not tie to an INSERT. Colours, line
types, line weights, transparency and XDATA are not copied (drawcheck reads
none of them). Paper space is not read (as for DXF).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

#: ezdwg flattens a HATCH arc into steps of at most this angle (rad).
EZDWG_HATCH_STEP = 2.0 * math.pi / 64.0
#: Tolerances of the chord signature: relative chord length, turn angle (rad).
_CHORD_REL, _TURN_ABS = 1e-7, 1e-7
#: DXF dimension type codes of ezdwg's dimension kinds (flag 32: the block is the dimension's own).
_DIMTYPES = {"linear": 0, "rotated": 0, "aligned": 1, "angular": 2, "ang2ln": 2, "diameter": 3, "radius": 4,
             "angular3p": 5, "ang3pt": 5, "ordinate": 6}
#: Creation/update dates of the converted document (2000-01-01, as ezdxf's reproducible mode writes).
FIXED_JULIAN_DATE = 2451544.5
#: At most this many handles are listed per dropped-entity note (the count is always given).
MAX_LISTED = 50


class DwgUnreadable(Exception):
    """ezdwg could not read the file at all."""


@dataclass
class Converted:
    """An ezdxf document made from a DWG, which converter made it, and what it could not carry over."""

    doc: object
    converter: str
    notes: list[tuple[str, str, tuple[str, ...], str | None]] = field(default_factory=list)  # code, message, handles, severity


def ezdwg_version() -> str | None:
    """The installed ezdwg version, or None when it is not installed."""
    try:
        from importlib.metadata import version

        return version("ezdwg")
    except Exception:
        return None


def convert_with_ezdwg(path: Path) -> Converted:
    """Read the DWG at ``path`` with ezdwg; raise :class:`DwgUnreadable` (one line) when it cannot."""
    try:
        import ezdwg
    except ImportError:
        raise DwgUnreadable("ezdwg is not installed") from None
    try:
        source = _Source(ezdwg.read(str(path)))
        converted = _Builder(source).build(f"ezdwg {ezdwg_version()}")
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # ValueError for damage; a Rust panic arrives as a BaseException
        text = str(exc).strip().splitlines()
        raise DwgUnreadable(f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__) from None
    return converted


#: Entity records that are parts of others (block brackets, polyline vertices) or paper-space views.
_PARTS = ("BLOCK", "ENDBLK", "SEQEND", "VERTEX", "VIEWPORT")
_MODEL_SPACE = ("*MODEL_SPACE", "*MSPACE")


class _Source:
    """What ezdwg's reader gives of one DWG, sorted into model space, blocks and ATTRIBs (one pass each).

    ezdwg's own editable snapshot (``Document.edit``) gathers the same, but
    ties ATTRIBs to INSERTs in time proportional to INSERTs x entities
    (minutes for a plan with thousands of INSERTs); this is linear.
    """

    def __init__(self, doc) -> None:
        from ezdwg import raw
        from ezdwg import Entity

        path = doc.decode_path or doc.path
        self.version = doc.version
        self.insunits = int(doc.header_variables().get("insunits") or 0)
        self.layers = {layer.name: layer for layer in doc.layers}
        layer_names = {layer.handle: layer.name for layer in doc.layers}
        self.styles = {int(r["handle"]): str(r["name"]) for r in raw.decode_write_tables(path) if r.get("kind") == "STYLE"}
        names = {int(h): str(n) for h, n in raw.decode_block_header_names(path)}
        self.base_points = {int(r["handle"]): tuple(r["base_point"]) for r in raw.decode_write_blocks(path)}
        inserts = {int(h): (block, list(attribs or [])) for h, _, block, attribs in raw.decode_insert_write_properties(path)}
        model = {h for h, n in names.items() if n.upper().startswith(_MODEL_SPACE)}
        paper = {h for h, n in names.items() if n.upper().startswith("*PAPER_SPACE")}
        self.model: list = []
        self.blocks: dict[int, list] = {h: [] for h in names if h not in model and h not in paper}
        self.block_names = {h: names[h] for h in self.blocks}
        self.attribs: dict[int, list] = defaultdict(list)
        self.problems: list[tuple[int, str, str, str]] = []  # handle, type, layer, why
        self.known: set[int] = set()
        headers = [(int(r[0]), str(r[4]).upper(), str(r[5])) for r in raw.list_object_headers_with_type(path)]
        self.failed: dict[str, str] = {}  # type -> why ezdwg's decoder of that type failed
        entities = []
        for dxftype in sorted({_canonical(n) for _, n, kind in headers if kind == "E" and not n.startswith(_PARTS)}):
            try:  # one type at a time: a decoder that fails costs its own entities only
                entities.extend(doc.entities().query(dxftype))
            except (KeyboardInterrupt, SystemExit, MemoryError):
                raise
            except BaseException as exc:
                text = str(exc).strip().splitlines()
                self.failed[dxftype] = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
        entities.sort(key=lambda e: e.handle)
        by_handle = {e.handle: e for e in entities}
        for e in entities:
            self.known.add(e.handle)
            d = dict(e.dxf)
            layer = layer_names.get(d.get("layer_handle"))
            if layer is None:
                layer = "0"
                self.problems.append((e.handle, e.dxftype, "", "its layer was not decoded; read on layer 0"))
            d["layer"] = layer
            if "style_handle" in d:
                d["style"] = self.styles.get(d.get("style_handle"), "Standard")
            if e.dxftype == "MTEXT" and d.get("raw_text") is not None:
                d["text"] = d["raw_text"]
            if e.dxftype in ("INSERT", "MINSERT"):
                block = inserts.get(e.handle, (None, []))[0]
                if block in names:
                    d["name"] = names[block]
            owner = d.get("owner_handle")
            if owner is None:
                placement = doc.entity_placement(e.handle)
                owner = placement[1] if placement else None
                mode = placement[0] if placement else 2
            else:
                mode = 0
            item = Entity(e.dxftype, e.handle, d)
            if e.dxftype == "ATTRIB":
                parent = by_handle.get(owner)
                if parent is not None and parent.dxftype in ("INSERT", "MINSERT"):
                    self.attribs[owner].append(item)
                else:
                    self.problems.append((e.handle, "ATTRIB", layer, "not tied to an INSERT"))
            elif owner in self.blocks:
                self.blocks[owner].append(item)
            elif owner in paper or mode == 1:
                continue  # paper space: not read, as for DXF
            else:
                self.model.append(item)
        links = dict(raw.decode_attribute_links(path)) if self.attribs and doc.version <= "AC1015" else {}
        for handle, (_, order) in inserts.items():  # ATTRIBs in the INSERT's own order
            got = self.attribs.get(handle)
            if got:
                rank = {h: i for i, h in enumerate(_attrib_chain(order, links))}
                got.sort(key=lambda a: (rank.get(a.handle, len(rank)), a.handle))
        self.undecoded = self._undecoded(doc, headers, paper)

    def _undecoded(self, doc, headers, paper: set[int]) -> list[tuple[int, str]]:
        """(handle, type) of model-space and block entities in the file that ezdwg's reader did not give at all."""
        out = []
        for handle, name, kind in headers:
            if kind != "E" or handle in self.known or name.startswith(_PARTS):
                continue
            placement = doc.entity_placement(handle)
            if placement is not None and (placement[0] == 1 or placement[1] in paper):
                continue  # paper space: not read, as for DXF
            out.append((handle, name))
        return sorted(out)

    @property
    def top_handle(self) -> int:
        return max(self.known, default=0)


def _canonical(name: str) -> str:
    """ezdwg's query name of an object type (its dimension records are DIM_LINEAR, DIM_ALIGNED, ...)."""
    return "DIMENSION" if name.startswith("DIM_") else name


def _attrib_chain(order: list[int], links: dict[int, int]) -> list[int]:
    """An INSERT's ATTRIB handles in order: R2004+ list them all; R13-R2000 give the first and last,
    and each ATTRIB names the next."""
    if not links or len(order) != 2:
        return order
    chain, current, seen = [], order[0], set()
    while current and current not in seen:
        seen.add(current)
        chain.append(current)
        if current == order[-1]:
            break
        current = links.get(current, 0)
    return chain


def _listed(handles: list[str]) -> str:
    more = len(handles) - MAX_LISTED
    return ", ".join(handles[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _hex(handle: int) -> str:
    return f"{int(handle):X}"


class _Builder:
    """Copies what :class:`_Source` holds into a new ezdxf document."""

    def __init__(self, source: _Source) -> None:
        self.src = source
        self.dropped: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (type, layer, why) -> handles
        self.rebuilt: dict[str, int] = {}

    # -- document ----------------------------------------------------------
    def build(self, converter: str) -> Converted:
        doc = self._new_document()
        self._tables(doc)
        for handle, name in self.src.block_names.items():
            if name not in doc.blocks:
                doc.blocks.new(name, base_point=self.src.base_points.get(handle, (0.0, 0.0, 0.0)))
        for handle, name in self.src.block_names.items():
            self._copy(self.src.blocks[handle], doc.blocks.get(name))
        self._copy(self.src.model, doc.modelspace())
        return Converted(doc, converter, self._notes())

    def _new_document(self):
        """An empty R2018 document whose own objects take handles above every DWG handle.

        ``ezdxf.new`` numbers its tables and dictionaries from 1, where a DWG
        keeps entities too; seeding the handle generator first keeps every
        DWG handle free for the entity that owns it.
        """
        from ezdxf.document import Drawing

        top = self.src.top_handle
        doc = Drawing("AC1032")
        doc.entitydb.handles.reset(f"{top + 1:X}")
        doc._setup()  # what ezdxf.new does, after the seed
        for key in ("$TDCREATE", "$TDUCREATE", "$TDUPDATE", "$TDUUPDATE"):
            doc.header[key] = FIXED_JULIAN_DATE  # not the clock: the same DWG gives the same document
        return doc

    def _tables(self, doc) -> None:
        doc.header["$INSUNITS"] = self.src.insunits
        for name in sorted(set(self.src.styles.values())):
            if name and name not in doc.styles:
                doc.styles.add(name, font="txt")
        for name, row in self.src.layers.items():
            if not name:
                continue
            layer = doc.layers.get(name) if name in doc.layers else doc.layers.add(name)
            color = int(row.color or 7)
            layer.color = color if 1 <= color <= 255 else 7
            if row.frozen:
                layer.freeze()
            if not row.on:
                layer.off()
            if row.locked:
                layer.lock()
            if not row.plot:
                layer.dxf.plot = 0

    # -- entities ----------------------------------------------------------
    def _copy(self, source, target) -> None:
        for e in source:
            handle = _hex(e.handle)
            layer = str(e.dxf.get("layer") or "0")
            try:
                made = self._entity(e, target, {"handle": handle, "layer": layer})
            except KeyError as exc:  # ezdwg could not decode a value the entity needs
                self.dropped[(e.dxftype, layer, f"its {exc.args[0]} was not decoded")].append(handle)
                continue
            except Exception as exc:  # a value ezdxf refuses: name it, never stop the read
                self.dropped[(e.dxftype, layer, f"not convertible ({type(exc).__name__}: {exc})")].append(handle)
                continue
            if made is None:
                self.dropped[(e.dxftype, layer, "not carried over")].append(handle)
            elif e.dxftype in ("INSERT", "MINSERT"):
                for a in self.src.attribs.get(e.handle, ()):
                    self._attrib(made, a)

    def _entity(self, e, target, base: dict):
        d, t = e.dxf, e.dxftype
        extr = {"extrusion": _v3(d["extrusion"])} if d.get("extrusion") not in (None, (0.0, 0.0, 1.0)) else {}
        if t == "LINE":
            return target.add_line(_v3(d["start"]), _v3(d["end"]), dxfattribs={**base, **extr})
        if t == "POINT":
            return target.add_point(_v3(d["location"]), dxfattribs={**base, **extr})
        if t == "CIRCLE":
            return target.add_circle(_v3(d["center"]), float(d["radius"]), dxfattribs={**base, **extr})
        if t == "ARC":
            return target.add_arc(_v3(d["center"]), float(d["radius"]), float(d["start_angle"]), float(d["end_angle"]),
                                  dxfattribs={**base, **extr})
        if t == "ELLIPSE":
            return target.add_ellipse(_v3(d["center"]), _v3(d["major_axis"]), float(d.get("axis_ratio", 1.0)),
                                      float(d.get("start_angle", 0.0)), float(d.get("end_angle", math.tau)),
                                      dxfattribs={**base, **extr})
        if t == "LWPOLYLINE":
            points = d.get("points") or []
            bulges = d.get("bulges") or [0.0] * len(points)
            widths = d.get("widths") or [(0.0, 0.0)] * len(points)
            rows = [(float(p[0]), float(p[1]), float(w[0]), float(w[1]), float(b))
                    for p, b, w in zip(points, bulges, widths)]
            attrs = {**base, **extr, "elevation": float(d.get("elevation") or 0.0)}
            if d.get("const_width"):
                attrs["const_width"] = float(d["const_width"])
            return target.add_lwpolyline(rows, format="xyseb", close=bool(d.get("closed")), dxfattribs=attrs)
        if t in ("POLYLINE_2D", "POLYLINE_3D"):
            return self._polyline(e, target, base, extr)
        if t in ("SOLID", "TRACE", "3DFACE"):
            points = [_v3(p) for p in d.get("points") or []]
            add = {"SOLID": target.add_solid, "TRACE": target.add_trace, "3DFACE": target.add_3dface}[t]
            return add(points, dxfattribs={**base, **(extr if t != "3DFACE" else {})})
        if t == "SPLINE":
            return self._spline(e, target, base)
        if t in ("TEXT", "ATTDEF"):
            attrs = {**base, **extr, **_text_attrs(d)}
            if t == "TEXT":
                return target.add_text(str(d.get("text") or ""), dxfattribs=attrs)
            return target.add_attdef(str(d.get("tag") or ""), text=str(d.get("text") or ""),
                                     dxfattribs={**attrs, "prompt": str(d.get("prompt") or "")})
        if t == "MTEXT":
            attrs = {**base, "insert": _v3(d["insert"]), "char_height": float(d.get("char_height") or 1.0),
                     "attachment_point": int(d.get("attachment_point") or 1), "style": d.get("style") or "Standard"}
            if d.get("rect_width"):
                attrs["width"] = float(d["rect_width"])
            if d.get("text_direction") is not None:
                attrs["text_direction"] = _v3(d["text_direction"])
            if d.get("extrusion") is not None:
                attrs["extrusion"] = _v3(d["extrusion"])
            return target.add_mtext(str(d.get("text") or ""), dxfattribs=attrs)
        if t == "HATCH":
            return self._hatch(e, target, base, extr)
        if t in ("INSERT", "MINSERT"):
            return self._insert(e, target, base, extr)
        if t == "DIMENSION":
            return self._dimension(e, target, base)
        return None

    def _dimension(self, e, target, base: dict):
        """A DIMENSION with its definition points and the block that draws it (drawcheck reads neither)."""
        d = e.dxf
        block = d.get("geometry") or d.get("anonymous_block_name")
        if not block or block not in target.doc.blocks:
            return None
        kind = _DIMTYPES.get(str(d.get("dimtype")), 0)
        attrs = {**base, "geometry": block, "dimstyle": "Standard", "dimtype": kind | 32,
                 "defpoint": _v3(d.get("defpoint") or (0, 0, 0)),
                 "text_midpoint": _v3(d.get("text_midpoint") or (0, 0, 0)),
                 "text": str(d.get("text") or "")}
        for key in ("defpoint2", "defpoint3", "defpoint4", "defpoint5"):
            if d.get(key) is not None:
                attrs[key] = _v3(d[key])
        if d.get("actual_measurement") is not None:
            attrs["actual_measurement"] = float(d["actual_measurement"])
        return target.new_entity("DIMENSION", dxfattribs=attrs)

    def _polyline(self, e, target, base: dict, extr: dict):
        d = e.dxf
        points = [_v3(p) for p in d.get("points") or []]
        closed = bool(d.get("closed"))
        if e.dxftype == "POLYLINE_3D":
            return target.add_polyline3d(points, close=closed, dxfattribs=base)
        bulges = d.get("bulges") or [0.0] * len(points)
        rows = [(p[0], p[1], float(b)) for p, b in zip(points, bulges)]
        elevation = float(d.get("elevation") or 0.0)
        return target.add_polyline2d(rows, format="xyb", close=closed,
                                     dxfattribs={**base, **extr, "elevation": (0.0, 0.0, elevation)})

    def _spline(self, e, target, base: dict):
        d = e.dxf
        fit = [_v3(p) for p in d.get("fit_points") or []]
        controls = [_v3(p) for p in d.get("control_points") or []]
        degree = int(d.get("degree") or 3)
        if controls:
            knots = [float(k) for k in d.get("knots") or []]
            weights = [float(w) for w in d.get("weights") or []]
            spline = target.add_open_spline(controls, degree=degree, knots=knots or None, dxfattribs=base)
            if weights and d.get("rational"):
                spline.weights = weights
        elif fit:
            spline = target.add_spline(fit, degree=degree, dxfattribs=base)
        else:
            return None
        if d.get("closed"):
            spline.closed = True
        return spline

    def _hatch(self, e, target, base: dict, extr: dict):
        d = e.dxf
        hatch = target.add_hatch(dxfattribs={**base, **extr, "elevation": (0.0, 0.0, float(d.get("elevation") or 0.0))})
        solid = bool(d.get("solid_fill", True))
        hatch.dxf.solid_fill = int(solid)
        hatch.dxf.pattern_name = "SOLID" if solid else str(d.get("pattern_name") or "ANSI31")
        hatch.dxf.hatch_style = int(d.get("hatch_style") or 0)
        rebuilt = 0
        for path in d.get("paths") or []:
            flags = int(path.get("flags") or 1)
            if "edges" in path:
                edge_path = hatch.paths.add_edge_path(flags=flags & ~2)
                for edge in path["edges"]:
                    _add_edge(edge_path, edge)
                continue
            points = [(float(p[0]), float(p[1])) for p in path.get("points") or []]
            bulges = path.get("bulges")
            if bulges:
                rows = [(x, y, float(b)) for (x, y), b in zip(points, bulges)]
            else:
                rows, arcs = rebuild_arcs(points)
                rebuilt += arcs
            hatch.paths.add_polyline_path(rows, is_closed=bool(path.get("closed", True)), flags=flags | 2)
        if rebuilt:
            self.rebuilt[base["handle"]] = rebuilt
        return hatch

    def _insert(self, e, target, base: dict, extr: dict):
        d = e.dxf
        grid = d if e.dxftype == "MINSERT" else None
        name = d.get("name")
        if not name or d.get("insert") is None:
            return None
        attrs = {**base, **extr, "xscale": float(d.get("xscale", 1.0)), "yscale": float(d.get("yscale", 1.0)),
                 "zscale": float(d.get("zscale", 1.0)), "rotation": float(d.get("rotation", 0.0))}
        for key in ("column_count", "row_count", "column_spacing", "row_spacing"):
            if grid and grid.get(key) is not None:
                attrs[key] = grid[key]
        return target.add_blockref(str(name), _v3(d["insert"]), dxfattribs=attrs)

    def _attrib(self, insert, a) -> None:
        d = a.dxf
        attrs = {"handle": _hex(a.handle), "layer": str(d.get("layer") or "0"), **_text_attrs(d)}
        attrs.pop("insert", None)
        insert.add_attrib(str(d.get("tag") or ""), str(d.get("text") or ""), _v3(d["insert"]), dxfattribs=attrs)

    # -- notes -------------------------------------------------------------
    def _notes(self) -> list[tuple[str, str, tuple[str, ...], str | None]]:
        gone = {h for handles in self.dropped.values() for h in handles}  # named already: not twice
        for handle, dxftype, layer, why in self.src.problems:
            if _hex(handle) not in gone:
                self.dropped[(dxftype, layer, why)].append(_hex(handle))
        for handle, name in self.src.undecoded:
            failed = self.src.failed.get(_canonical(name))
            why = f"ezdwg could not decode them: {failed}" if failed else "a type ezdwg does not decode"
            self.dropped[(name, "", why)].append(_hex(handle))
        notes = []
        if not self.src.model:
            notes.append(("dwg-dropped", "ezdwg decoded no model-space entity from the DWG (empty or damaged); "
                          "check the file in the program that wrote it", (), None))
        for (dxftype, layer, why), handles in sorted(self.dropped.items()):
            handles = sorted(dict.fromkeys(handles), key=lambda h: (len(h), h))
            where = f" on layer {layer}" if layer else ""
            notes.append(("dwg-dropped", f"{len(handles)} {dxftype}{where} from the DWG ({why}): {_listed(handles)}",
                          tuple(handles[:MAX_LISTED]), None))
        return notes


def _v3(p) -> tuple[float, float, float]:
    return (float(p[0]), float(p[1]), float(p[2]) if len(p) > 2 else 0.0)


def _text_attrs(d) -> dict:
    attrs = {"insert": _v3(d["insert"]), "height": float(d.get("height") or 1.0),
             "rotation": float(d.get("rotation") or 0.0), "width": float(d.get("width") or 1.0),
             "oblique": float(d.get("oblique") or 0.0), "halign": int(d.get("halign") or 0),
             "valign": int(d.get("valign") or 0), "style": d.get("style") or "Standard",
             "text_generation_flag": int(d.get("text_generation_flag") or 0)}
    if d.get("align_point") is not None:
        attrs["align_point"] = _v3(d["align_point"])
    return attrs


def _add_edge(path, edge: dict) -> None:
    kind = edge.get("type")
    if kind == "line":
        path.add_line(tuple(edge["start"])[:2], tuple(edge["end"])[:2])
    elif kind == "arc":
        path.add_arc(tuple(edge["center"])[:2], float(edge["radius"]), float(edge.get("start_angle", 0.0)),
                     float(edge.get("end_angle", 360.0)), ccw=bool(edge.get("ccw", True)))
    elif kind == "ellipse":
        path.add_ellipse(tuple(edge["center"])[:2], tuple(edge["major_axis"])[:2], float(edge.get("ratio", 1.0)),
                         float(edge.get("start_angle", 0.0)), float(edge.get("end_angle", 360.0)),
                         ccw=bool(edge.get("ccw", True)))
    else:
        path.add_spline(control_points=[tuple(p)[:2] for p in edge.get("control_points", [])],
                        knot_values=[float(k) for k in edge.get("knots", [])], degree=int(edge.get("degree", 3)))


# -- HATCH arcs --------------------------------------------------------------
def rebuild_arcs(points: list[tuple[float, float]]) -> tuple[list[tuple[float, float, float]], int]:
    """Bulged vertices of a closed HATCH boundary that ezdwg gave as chords, and how many arcs came back.

    ezdwg 0.17 flattens every boundary arc of sweep ``S`` into
    ``n = ceil(S / step)`` equal chords (``step`` = 360/64 degrees). A run of
    at least two chords of one length turning by one angle ``t`` with
    ``(n-1)/n * step < t <= step`` is that arc: its first vertex gets the bulge
    ``tan(n*t/4)`` and the chords' inner vertices go. Any other vertex is kept
    as it is. A ring that is one whole circle comes back as two half arcs.
    """
    scale = max((abs(c) for p in points for c in p), default=1.0) or 1.0
    ring: list[tuple[float, float]] = []
    for p in points:  # ezdwg repeats an arc's end point within rounding, and the first point at the end
        if not ring or math.hypot(p[0] - ring[-1][0], p[1] - ring[-1][1]) > 1e-12 * scale:
            ring.append((float(p[0]), float(p[1])))
    while len(ring) > 1 and math.hypot(ring[0][0] - ring[-1][0], ring[0][1] - ring[-1][1]) <= 1e-12 * scale:
        ring.pop()
    n = len(ring)
    if n < 3:
        return [(x, y, 0.0) for x, y in ring], 0
    seg = [(ring[(i + 1) % n][0] - ring[i][0], ring[(i + 1) % n][1] - ring[i][1]) for i in range(n)]
    length = [math.hypot(dx, dy) for dx, dy in seg]
    # turn[i]: signed angle from segment i to segment i+1 (at vertex i+1)
    turn = []
    for i in range(n):
        (ax, ay), (bx, by) = seg[i], seg[(i + 1) % n]
        turn.append(math.atan2(ax * by - ay * bx, ax * bx + ay * by))

    def joins(i: int) -> bool:
        """Segments i and i+1 are chords of one flattened arc."""
        j = (i + 1) % n
        t = turn[i]
        return (length[i] > 0 and abs(length[i] - length[j]) <= _CHORD_REL * length[i]
                and 0.0 < abs(t) <= EZDWG_HATCH_STEP + _TURN_ABS)

    links = [joins(i) for i in range(n)]
    if all(links) and all(abs(turn[i] - turn[0]) <= _TURN_ABS for i in range(n)) and _is_flattening(n, turn[0]):
        half = n // 2  # one whole circle: two arcs, so no bulge is infinite
        return [(*ring[0], math.tan(half * turn[0] / 4.0)), (*ring[half], math.tan((n - half) * turn[0] / 4.0))], 1
    if all(links):
        return [(x, y, 0.0) for x, y in ring], 0
    start = (links.index(False) + 1) % n  # segment `start` begins right after a break
    kept: list[tuple[int, float]] = []  # (vertex index, bulge of the segment it starts)
    k = 0
    while k < n:
        i = (start + k) % n
        m = 1  # chords in this run
        while k + m < n and links[(i + m - 1) % n] and abs(turn[(i + m - 1) % n] - turn[i]) <= _TURN_ABS:
            m += 1
        if m >= 2 and _is_flattening(m, turn[i]):
            kept.append((i, math.tan(m * turn[i] / 4.0)))
            k += m
        else:
            kept.append((i, 0.0))
            k += 1
    kept.sort()  # back to the drawn order, from the first vertex (an edge's start, so always kept)
    return [(*ring[i], b) for i, b in kept], sum(1 for _, b in kept if b)


def _is_flattening(m: int, t: float) -> bool:
    """``m`` chords turning by ``t`` each are how ezdwg flattens an arc of sweep ``m*t``."""
    step = EZDWG_HATCH_STEP
    return (m - 1) / m * step - _TURN_ABS < abs(t) <= step + _TURN_ABS
