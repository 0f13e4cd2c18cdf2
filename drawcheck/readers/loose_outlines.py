"""Loose outlines: LINE / ARC / open polyline pieces on an area-role layer joined into closed areas.

The walker hands over every such piece (:class:`~.dxf_entities.PieceItem`,
WCS drawing units); :func:`join_loose` joins them per layer with
:func:`drawcheck.geometry.chains.join_pieces` (ends within
:data:`SNAP_M` = 1 mm snap, arcs stay exact) and each ring becomes an area
like a closed polyline, with a ``qa:outline-joined`` note naming its pieces.
What stays loose is reported by :func:`report_leftovers` once the labels
have had their pick of leader lines: ``qa:open-outline`` (an open polyline)
or ``qa:loose-edges`` (LINE/ARC), and ``qa:outline-gap`` for each gap with
its place and size in metres.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..geometry.chains import gaps, join_pieces
from .dxf_entities import AreaItem, PieceItem

#: End points closer than this (metres) are joined.
SNAP_M = 0.001
#: Gaps reported one by one per layer; the rest are counted in one more note.
MAX_GAP_NOTES = 10
#: Handles quoted in one message.
_QUOTED = 12
#: Roles whose unread pieces leave a building or the site unread: an error, since indicators then miss them.
OUTLINE_ROLES = frozenset({"building", "retained", "existing", "basement", "site"})
_CURVES = ("LWPOLYLINE", "POLYLINE", "SPLINE", "ELLIPSE")


def _by_layer(pieces: list[PieceItem]) -> dict[str, list[PieceItem]]:
    out: dict[str, list[PieceItem]] = defaultdict(list)
    for piece in pieces:
        out[piece.layer].append(piece)
    return out


def _quote(pieces: list[PieceItem]) -> str:
    names = [f"{p.dxftype} {p.handle}" for p in pieces]
    return ", ".join(names[:_QUOTED]) + (f" and {len(names) - _QUOTED} more" if len(names) > _QUOTED else "")


def join_loose(pieces: list[PieceItem], factor: float, note) -> tuple[list[AreaItem], list[PieceItem], dict]:
    """(areas joined from ``pieces``, pieces left over, {layer: (k, 2) end points of the joined pieces}).

    Notes each joined ring and each layer with branching pieces. ``factor``:
    metres per drawing unit; the areas stay in drawing units. A ring's source
    handle is its first piece's (the piece drawn first).
    """
    areas: list[AreaItem] = []
    leftover: list[PieceItem] = []
    anchors: dict[str, np.ndarray] = {}
    snap = SNAP_M / factor
    for layer, group in _by_layer(pieces).items():
        joined = join_pieces([p.points for p in group], snap)
        for ring in joined.rings:
            members = [group[k] for k in ring.pieces]
            first = members[0]
            labelled_by = {p.group for p in members}  # block ATTRIBs label a ring drawn in that block only
            insert = first.group if len(labelled_by) == 1 else None
            areas.append(AreaItem(first.role, [ring.rows], first.handle, layer, first.dxftype, insert))
            note("outline-joined", f"{len(members)} loose piece(s) on layer {layer} joined into one closed outline, "
                 f"read as {first.dxftype} {first.handle} (its first piece): {_quote(members)}",
                 handles=tuple(dict.fromkeys(p.handle for p in members)), severity="info")
        if joined.branches:
            x, y, ends = joined.branches[0]
            through = [group[k] for r in joined.rings if r.branching for k in r.pieces]
            note("outline-branching", f"{len(joined.branches)} point(s) on layer {layer} where three or more loose pieces "
                 f"meet (first at ({x * factor:.3f}, {y * factor:.3f}) m, {ends} ends); each area the pieces enclose was "
                 "read as one outline; draw closed polylines to say which are meant",
                 handles=tuple(dict.fromkeys(p.handle for p in through))[:20], severity="warning")
        leftover.extend(group[k] for k in joined.leftover)
        rest = set(joined.leftover)
        anchors[layer] = np.array([row for k, p in enumerate(group) if k not in rest
                                   for row in (p.points[0, :2], p.points[-1, :2])]).reshape(-1, 2)
    return areas, leftover, anchors


def report_leftovers(leftover: list[PieceItem], anchors: dict, factor: float, note, skipped: list) -> None:
    """Notes for pieces in no outline, one gap at a time; each piece joins ``skipped`` as (role, handle, code).

    ``anchors``: :func:`join_loose`'s end points of joined pieces (an end on them is not free).
    """
    for layer, group in _by_layer(leftover).items():
        role = group[0].role
        severity = "error" if role in OUTLINE_ROLES else "warning"
        lines = [p for p in group if p.dxftype not in _CURVES]
        for piece in group:
            if piece.dxftype in _CURVES:
                note("open-outline", f"{piece.dxftype} {piece.handle} on layer {layer} ({role.replace('_', ' ')}) is not "
                     "closed and joins no other piece into a closed outline; it is not counted", handles=(piece.handle,))
                skipped.append((role, piece.handle, "open-outline"))
        if lines:
            note("loose-edges", f"{len(lines)} LINE/ARC pieces on layer {layer} do not join into closed outlines and were "
                 f"not counted; draw closed polylines (e.g. {', '.join(p.handle for p in lines[:3])})",
                 handles=tuple(p.handle for p in lines[:20]), severity=severity)
            skipped.extend((role, p.handle, "loose-edges") for p in lines)
        found = gaps([p.points for p in group], SNAP_M / factor, anchors.get(layer))
        for gap in found[:MAX_GAP_NOTES]:
            a = group[gap.piece_a]
            ax, ay = gap.a[0] * factor, gap.a[1] * factor
            if gap.b is None:
                note("outline-gap", f"the end of {a.dxftype} {a.handle} at ({ax:.3f}, {ay:.3f}) m on layer {layer} meets no "
                     "other end: the outline does not close", handles=(a.handle,),
                     location={"type": "Point", "coordinates": [ax, ay]})
                continue
            b = group[gap.piece_b]
            bx, by = gap.b[0] * factor, gap.b[1] * factor
            size = gap.size * factor
            note("outline-gap", f"outline on layer {layer} does not close: gap of {size:.3f} m ({size * 1000:.1f} mm) "
                 f"between {a.dxftype} {a.handle} at ({ax:.3f}, {ay:.3f}) and {b.dxftype} {b.handle} at "
                 f"({bx:.3f}, {by:.3f}) m (ends closer than {SNAP_M * 1000:.0f} mm are joined)",
                 handles=tuple(dict.fromkeys((a.handle, b.handle))),
                 location={"type": "LineString", "coordinates": [[ax, ay], [bx, by]]})
        if len(found) > MAX_GAP_NOTES:
            note("outline-gap", f"{len(found) - MAX_GAP_NOTES} more open ends on layer {layer} are not listed one by one")
