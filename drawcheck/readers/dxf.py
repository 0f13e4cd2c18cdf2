"""DXF site plan -> project model, per the submission convention (§1-4, §7).

:func:`read_dxf` adds one drawing's content to a :class:`~drawcheck.model.Project`:
units, role layers, exact closed areas, building parts with their labels,
basements, green, parking, road red lines and declared indicators. Whatever
it skips or repairs becomes a ``qa`` note naming the entity.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from ..geometry.arcs import SAGITTA_TOLERANCE
from ..model import DEFAULT_STOREY_HEIGHT, SKIPPED_ROLE_KIND, Area, Basement, Building, DeclaredValue, Line, Part, Project, Source
from .dxf_entities import AreaItem, DxfWalker, TextItem, clean_text
from .dxf_load import load_dxf
from .files import ReadError, check_readable
from .layers import LayerRoles
from .leader_labels import Connector, link_labels
from .loose_outlines import join_loose, report_leftovers
from .units import choose_units

_KIND_OF_ROLE = {"building": "new", "retained": "retained", "existing": "existing"}


def read_dxf(path: Path, input_name: str, project: Project, *, roles: LayerRoles,
             units: str | None = None, max_bytes: int = 200_000_000,
             max_entities: int = 2_000_000, max_vertices: int = 20_000_000, loaded=None,
             reader: str = "ezdxf") -> float:
    """Read the DXF at ``path`` into ``project`` (``input_name``: its relative name for sources).

    ``reader``: which reader reads an ASCII DXF (:data:`~.dxf_load.READERS`). Returns the metres
    per drawing unit. Raises :class:`~drawcheck.readers.files.ReadError` when the file cannot be
    read at all.
    """
    check_readable(path, max_bytes)
    # ``loaded``: the drawing the caller already read (area-drawing sniffing)
    loaded = loaded or load_dxf(path, reader=reader, roles=roles, units=units)
    doc = loaded.doc

    # Names and messages can carry bytes the code page could not decode (lone surrogates): shown as
    # U+FFFD so that every report format can be written as UTF-8.
    def src(handle: str, layer: str = "") -> Source:
        return Source(input_name, clean_text(handle), clean_text(layer))

    def note(code: str, message: str, handles=(), severity=None, subjects=(), location=None) -> None:
        project.note(code, clean_text(f"{input_name}: {message}"), sources=[src(h) for h in handles],
                     severity=severity, subjects=tuple(clean_text(s) for s in subjects), location=location)

    note_loaded(loaded, input_name, project, note)
    roles = _layer_roles(doc, roles, input_name, project, note)

    choice = choose_units(doc, roles, units, note)
    factor, units_source = choice.factor, choice.source
    if choice.assumed:
        project.assume("units", f"{input_name}: {units_source}")
    project.units_source = units_source if not project.units_source else f"{project.units_source}; {units_source}"

    walker = DxfWalker(doc, roles, note, SAGITTA_TOLERANCE / factor, max_entities, max_vertices)
    try:
        walked = walker.walk()
    except ReadError as exc:
        raise ReadError(f"{input_name}: {exc}") from None
    joined, leftover, anchors = join_loose(walked.pieces, factor, note)  # loose LINE/ARC/open pieces -> closed outlines
    walked.areas.extend(joined)

    _note_walk_leftovers(walked, note, roles)
    for role, handle, code in walked.skipped:
        project.assume(SKIPPED_ROLE_KIND[role], f"{role} content {handle} in {input_name} not read ({code})",
                       sources=(src(handle),))
    scale = np.array([factor, factor, 1.0])
    areas = _dedupe([_scaled(a, scale) for a in walked.areas], note)
    _split_hatches(areas)
    for role, handle in _repair_invalid(areas, note):
        project.assume(SKIPPED_ROLE_KIND[role], f"{role} outline {handle} in {input_name}: no area remains after "
                       "make_valid", sources=(src(handle),))

    by_role: dict[str, list[AreaItem]] = defaultdict(list)
    for item in areas:
        by_role[item.role].append(item)
    to_area = lambda item: Area(item.rings, src(item.handle, item.layer))  # noqa: E731
    project.sites.extend(to_area(a) for a in by_role["site"])
    project.green.extend(to_area(a) for a in by_role["green"])
    project.green_central.extend(to_area(a) for a in by_role["green_central"])
    project.civil_defense.extend(to_area(a) for a in by_role["civil_defense"])
    project.fire_lanes.extend(to_area(a) for a in by_role["fire_lane"])
    project.fire_rescue.extend(to_area(a) for a in by_role["fire_rescue"])
    for handle, layer, count in walked.parking:
        project.parking.extend([src(handle, layer)] * count)
    for line in walked.lines:
        points = line.points * scale
        target = project.road_redlines if line.role == "road" else project.windows
        target.append(Line(points, line.closed, src(line.handle, line.layer)))

    texts = [TextItem(t.role, t.text, t.x * factor, t.y * factor, t.height * factor, t.handle, t.layer)
             for t in walked.texts]
    connectors = [Connector(ld.points * factor, ld.handle, ld.dxftype, ld.text_handle) for ld in walked.leaders]
    role_lines: dict[str, list[Connector]] = defaultdict(list)  # straight leftovers on a part layer may be leaders
    piece_of: dict[int, object] = {}
    for piece in leftover:
        if not np.any(piece.points[:-1, 2]):
            line = Connector(piece.points[:, :2] * factor, piece.handle, piece.dxftype)
            role_lines[piece.role].append(line)
            piece_of[id(line)] = piece
    used = _read_parts(project, by_role, texts, walked.attribs, src, note, connectors, role_lines)
    used_pieces = {id(piece_of[k]) for k in used if k in piece_of}
    unread: list[tuple[str, str, str]] = []
    report_leftovers([p for p in leftover if id(p) not in used_pieces], anchors, factor, note, unread)
    for role, handle, code in unread:
        project.assume(SKIPPED_ROLE_KIND[role], f"{role} content {handle} in {input_name} not read ({code})",
                       sources=(src(handle),))
    _read_declared(project, [t for t in texts if t.role == "indicators"], src, note)
    return factor


def note_loaded(loaded, input_name: str, project: Project, note) -> None:
    """Say what loading repaired, logged or (for a DWG) could not carry over; record the converter."""
    from ezdxf.audit import AuditError

    for message, handle, code, dxftype in loaded.repairs:
        note("dxf-repaired", message, handles=(handle,) if handle else ())
        if code == AuditError.UNDEFINED_BLOCK and dxftype == "INSERT":  # deleted by the audit, before the walk
            note("missing-block", f"INSERT {handle} refers to a block the drawing does not define; its content is missing",
                 handles=(handle,) if handle else ())
    for message in dict.fromkeys(loaded.log):
        note("dxf-load", f"ezdxf: {message}")
    for code, message, handles, severity in loaded.notes:  # a DWG: what its conversion could not carry over
        note(code, message, handles=handles, severity=severity)
    if loaded.converter:
        project.converters[input_name] = loaded.converter
    project.readers[input_name] = (loaded.reader, loaded.fallback)
    _note_unknown_codepage(loaded.doc, note)


def _layer_roles(doc, roles: LayerRoles, input_name: str, project: Project, note) -> LayerRoles:
    """``roles`` with this drawing's accepted inferences (issue 12 point 4), noting what was inferred or left."""
    from .layer_survey import note_roles, site_hint_text, survey_layers

    survey = survey_layers(doc, roles)
    note_roles(survey, note)
    hint = site_hint_text(survey)
    if hint:
        project.layer_hints.setdefault("site", clean_text(f"{input_name}: {hint}"))
    inferred = survey.inferred()
    return roles.with_inferred(inferred) if inferred else roles


# -- areas -------------------------------------------------------------------
def _scaled(item: AreaItem, scale: np.ndarray) -> AreaItem:
    return AreaItem(item.role, [r * scale for r in item.rings], item.handle, item.layer, item.dxftype, item.group)


def _dedupe(areas: list[AreaItem], note) -> list[AreaItem]:
    """Drop an area drawn twice on one role (a HATCH over its outline polyline, or a copy)."""
    from ..geometry.ops import same_outline

    kept: list[AreaItem] = []
    seen: dict[tuple, list[AreaItem]] = defaultdict(list)
    for item in areas:
        ext = item.rings[0]
        key = (item.role, len(item.rings), round(float(ext[:, 0].min()), 3), round(float(ext[:, 1].min()), 3))
        twin = next((k for k in seen[key] if same_outline(k.rings, item.rings)), None)
        if twin is None:
            seen[key].append(item)
            kept.append(item)
            continue
        if "HATCH" in (twin.dxftype, item.dxftype) and twin.dxftype != item.dxftype:
            note("duplicate-area", f"HATCH and outline {twin.handle}/{item.handle} on layer {item.layer} cover the same area; counted once",
                 handles=(twin.handle, item.handle), severity="info")
        else:
            note("duplicate-area", f"{item.dxftype} {item.handle} repeats {twin.dxftype} {twin.handle} on layer {item.layer}; counted once",
                 handles=(twin.handle, item.handle), severity="warning")
        if twin.dxftype == "HATCH" and item.dxftype != "HATCH":  # keep the outline, whose source is clearer
            kept[kept.index(twin)] = item
            seen[key][seen[key].index(twin)] = item
    return kept


def _split_hatches(areas: list[AreaItem]) -> None:
    """Nest multi-path HATCH rings: even depth = exterior, odd = hole of its container (in place)."""
    from ..geometry.ops import nest_rings

    out = []
    for item in areas:
        if len(item.rings) == 1:
            out.append(item)
            continue
        for rings in nest_rings(item.rings):
            out.append(AreaItem(item.role, rings, item.handle, item.layer, item.dxftype, item.group))
    areas[:] = out


def _repair_invalid(areas: list[AreaItem], note) -> list[tuple[str, str]]:
    """Replace self-intersecting outlines by their ``make_valid`` repair, saying so (in place).

    Returns the (role, handle) of outlines of which no area remains.
    """
    import shapely

    from ..geometry.ops import polygon_rings, to_shapely

    if not areas:
        return []
    geoms = to_shapely([a.rings for a in areas])
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    areas_before = list(areas)
    replaced: dict[int, list[AreaItem]] = {}
    for i in invalid:
        item, geom = areas[i], geoms[i]
        repaired = shapely.make_valid(geom, method="structure")
        polys = [g for g in shapely.get_parts(repaired) if g.geom_type == "Polygon" and g.area > 0]
        outcome = (f"repaired with make_valid: area {geom.area:.2f} m2 as drawn (shoelace), {repaired.area:.2f} m2 repaired"
                   if polys else "no area remains after make_valid; it is not counted")
        note("self-intersection", f"{item.dxftype} {item.handle} on layer {item.layer} is not a valid outline "
             f"({shapely.is_valid_reason(geom)}); {outcome}", handles=(item.handle,))
        replaced[i] = [AreaItem(item.role, polygon_rings(p), item.handle, item.layer, item.dxftype, item.group)
                       for p in polys]
    if replaced:
        areas[:] = [x for i, a in enumerate(areas) for x in replaced.get(i, [a])]
    return [(areas_before[i].role, areas_before[i].handle) for i, polys in replaced.items() if not polys]


# -- parts and labels ----------------------------------------------------------
def _read_parts(project: Project, by_role, texts: list[TextItem], attribs, src, note,
                connectors=(), role_lines=None) -> set[int]:
    """Buildings, neighbours and basements from the part outlines and their labels.

    A label outside every outline joins one through a leader (``connectors``,
    any layer) or a loose line of the part's role (``role_lines``); returns
    the ``id()`` of every connector so used.
    """
    from ..geometry.arrays import PolygonArrays
    from ..geometry.kernels import smallest_containing_polygon
    from .labels import label_from_attribs, merge_labels, read_label

    used: set[int] = set()
    for role in ("building", "retained", "existing", "basement"):
        items = by_role.get(role, [])
        role_texts = [t for t in texts if t.role == role]
        label_texts: list[list[str]] = [[] for _ in items]
        if role_texts:
            owner = np.full(len(role_texts), -1, dtype=np.int64)
            if items:
                arrays = PolygonArrays.from_polygons([i.rings for i in items])
                dense = arrays.densified()
                points = np.array([[t.x, t.y] for t in role_texts], dtype=float)
                owner = smallest_containing_polygon(points, dense.xy, dense.ring_offsets, dense.poly_offsets,
                                                    arrays.areas(), arrays.bounds())
                stray = [i for i, k in enumerate(owner) if k < 0]
                lines = list(connectors) + list((role_lines or {}).get(role, []))
                for link in link_labels([role_texts[i] for i in stray], [it.rings for it in items], lines):
                    text, item, via = role_texts[stray[link.text]], items[link.area], link.connector
                    owner[stray[link.text]] = link.area
                    used.add(id(via))
                    note("label-by-leader", f"label '{_one_line(text.text)}' ({text.handle}) on layer {text.layer} lies "
                         f"outside every {role} outline; joined to outline {item.handle} through {via.dxftype} {via.handle}",
                         handles=(text.handle, via.handle, item.handle), severity="info")
            for text, k in zip(role_texts, owner):
                if k >= 0:
                    label_texts[k].append(text.text)
                elif _has_label_token(text.text):
                    note("stray-label", f"label '{_one_line(text.text)}' ({text.handle}) on layer {text.layer} lies in no "
                         f"{role} outline", handles=(text.handle,), severity="warning")
        buildings: dict[str, Building] = {}
        for item, its_texts in zip(items, label_texts):
            label, conflicts, unknown = read_label(its_texts)
            if unknown:
                _note_not_understood(role, item, unknown, note)
            if item.group is not None and item.group in attribs:
                ins_handle, tags = attribs[item.group]
                attrib_label, problems = label_from_attribs(tags)
                for problem in problems:
                    note("label-unreadable", f"INSERT {ins_handle}: {problem}", handles=(ins_handle,))
                label, more = merge_labels([attrib_label, label])
                conflicts = conflicts + more
            source = src(item.handle, item.layer)
            for conflict in conflicts:
                note("conflicting-labels", f"{role} outline {item.handle} has conflicting {conflict.field}: "
                     f"{' vs '.join(map(str, conflict.values))}", handles=(item.handle,), subjects=(label.name,) if label.name else ())
            area = Area(item.rings, source)
            if role == "basement":
                if label.floors_below is None:
                    note("unlabelled-part", f"basement outline {item.handle} on layer {item.layer} has no floors-below label "
                         "(e.g. '-2F', '地下2层', 'B2')", handles=(item.handle,))
                    project.assume("basement_outline", f"basement outline {item.handle} has no floors below ground",
                                   sources=(source,))
                project.basements.append(Basement(area, label.floors_below, label.name))
                continue
            part = _part(area, label, note)
            if part.floors is None:
                what = "no label" if not its_texts and item.group is None else "a label without floors (e.g. '18F')"
                note("unlabelled-part", f"{role} outline {item.handle} on layer {item.layer} has {what}; "
                     "its floor area cannot be counted", handles=(item.handle,))
                if role != "existing":
                    project.unlabelled_parts.append(part)
                project.assume(SKIPPED_ROLE_KIND[role], f"{role} outline {item.handle} has no floor count: it is "
                               "not a building yet", sources=(source,))
                continue
            if part.name is None:
                building_id = f"part:{item.handle}"
                note("unnamed-part", f"{role} outline {item.handle} has floors but no building name (e.g. '1#'); "
                     f"reported as {building_id}", handles=(item.handle,), severity="warning")
            else:
                building_id = part.name
            building = buildings.setdefault(building_id, Building(building_id, _KIND_OF_ROLE[role]))
            building.parts.append(part)
        target = project.existing if role == "existing" else project.buildings
        target.extend(buildings.values())
    return used


def _note_not_understood(role: str, item: AreaItem, tokens: list[str], note) -> None:
    """Quote the label tokens no form matches: a warning when one holds a digit (a value that was not read)."""
    quoted = ", ".join(f"'{t}'" for t in tokens[:12]) + (f" and {len(tokens) - 12} more" if len(tokens) > 12 else "")
    severity = "warning" if any(ch.isdigit() for t in tokens for ch in t) else "info"
    note("label-unreadable", f"{role} outline {item.handle} on layer {item.layer}: label text not understood: {quoted} "
         "(accepted forms: docs/labels.md)", handles=(item.handle,), severity=severity)


def _part(area: Area, label, note) -> Part:
    part = Part(area=area, name=label.name, floors=label.floors, height=label.height,
                storey_height=label.storey_height, households=label.households)
    if label.use:
        part.use, part.use_given = label.use, True
    if label.fire_rating:
        part.fire_rating, part.fire_rating_given = label.fire_rating, True
    if part.floors is not None and part.height is None:
        part.height = part.floors * (part.storey_height or DEFAULT_STOREY_HEIGHT)
        part.height_assumed = True
        note("height-assumed", f"part {area.source.handle} ({label.name or 'unnamed'}) gives {part.floors} floors but no height; "
             f"height taken as {part.height:.1f} m", handles=(area.source.handle,), severity="info")
    if part.floors and part.storey_height is None and part.height is not None:
        part.storey_height = part.height / part.floors
    return part


def _has_label_token(text: str) -> bool:
    from .labels import parse_label

    label, _ = parse_label([text])
    return any(v is not None for v in vars(label).values())


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- declared indicators -------------------------------------------------------
def _read_declared(project: Project, texts: list[TextItem], src, note) -> None:
    from .declared import TextItem as DeclaredText
    from .declared import parse_declared

    items = []
    for t in texts:
        lines = [ln for ln in t.text.splitlines() if ln.strip()]
        for k, line in enumerate(lines):  # MTEXT lines stack downwards
            items.append(DeclaredText(line.strip(), t.x, t.y - k * t.height * 1.5, t.height, t.handle))
    declared, problems = parse_declared(items)
    for problem in problems:
        note("declared-unreadable", problem, severity="warning")
    for key, d in declared.items():
        if key in project.declared:
            note("declared-unreadable", f"{key} declared again ('{d.text}'); the first value is kept", handles=d.handles)
            continue
        project.declared[key] = DeclaredValue(key, d.value, d.text, tuple(src(h) for h in d.handles))


def _note_unknown_codepage(doc, note) -> None:
    """DXF before R2007 is written in ``$DWGCODEPAGE``; ezdxf decodes an unknown one as cp1252 without a word."""
    from ezdxf.tools.codepage import codepage_to_encoding

    if doc.dxfversion >= "AC1021":  # R2007 and later are UTF-8 whatever the header says
        return
    codepage = str(doc.header.get("$DWGCODEPAGE", "") or "").strip()
    if codepage and not any(codepage.upper().endswith(k) for k in codepage_to_encoding):
        note("undecodable-text", f"$DWGCODEPAGE '{codepage}' is not a known code page; text and layer names were "
             f"decoded as {doc.encoding} and may be garbled (layer names then match no role)", severity="warning")


#: Roles whose loose lines leave a building or the site unread: an error, since indicators then miss them.
_OUTLINE_ROLES = frozenset({"building", "retained", "existing", "basement", "site"})


def _note_walk_leftovers(walked, note, roles: LayerRoles) -> None:
    for layer, count in sorted(walked.undecodable_layers.items()):
        note("undecodable-text", f"layer name '{layer}' holds bytes that are not valid in the drawing's code page: "
             f"its {count} entities match no layer role and were not read")
    for layer, count in sorted(walked.hidden.items()):
        note("hidden-layers", f"layer {layer} is off or frozen: {count} entities on it were not read", severity="info")
    for (layer, dxftype), handles in sorted(walked.ignored.items()):
        note("ignored-entities", f"{len(handles)} {dxftype} on layer {layer} carry no area or label and were not read "
             f"(e.g. {', '.join(handles[:3])})", handles=tuple(handles[:20]), severity="info")
    for layer, handles in sorted(walked.loose.items()):
        note("loose-edges", f"{len(handles)} LINE/ARC/open curves on layer {layer} do not form closed outlines and were "
             f"not counted; draw closed polylines (e.g. {', '.join(handles[:3])})", handles=tuple(handles[:20]),
             severity="error" if roles.role_of(layer) in _OUTLINE_ROLES else "warning")
