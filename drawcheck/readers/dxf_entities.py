"""Walk a DXF model space and turn role-layer entities into exact geometry.

Geometry stays in drawing units here (the caller scales to metres). Each
entity's own OCS and the chain of INSERT transforms above it are folded into
one 2-D affine map ``p @ A + t``; arcs (bulges, CIRCLEs, HATCH arc edges)
stay arcs under similarity maps and are densified only under non-uniform
scaling, which turns them into ellipse arcs.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ..geometry.kernels import densify_rings
from .dxf_light import PolylineRun, each_entity, runs_in, stack_runs
from .files import ReadError
from .layers import AREA_ROLES, LINE_ROLES, PART_ROLES, LayerRoles

#: INSERT nesting deeper than this is refused (a cycle guard backs it up).
MAX_BLOCK_DEPTH = 64
#: Relative gap under which an open outline whose ends meet is taken as closed.
CLOSE_GAP_RELATIVE = 1e-9
_TEXT_ROLES = frozenset(PART_ROLES) | {"indicators"}


@dataclass
class AreaItem:
    role: str
    rings: list[np.ndarray]  # drawing units, (n, 3) x, y, bulge
    handle: str
    layer: str
    dxftype: str
    group: int | None = None  # the INSERT whose ATTRIBs label this area


@dataclass
class TextItem:
    role: str
    text: str
    x: float
    y: float
    height: float
    handle: str
    layer: str


@dataclass
class LineItem:
    role: str
    points: np.ndarray  # (n, 3)
    closed: bool
    handle: str
    layer: str


@dataclass
class PieceItem:
    """A LINE, ARC or open curve on an area-role layer: one piece of a loose outline (WCS drawing units)."""

    role: str
    points: np.ndarray  # (n, 3) x, y, bulge; open
    handle: str
    layer: str
    dxftype: str
    group: int | None = None  # the INSERT whose ATTRIBs label what the piece belongs to


@dataclass
class LeaderItem:
    """A LEADER or MULTILEADER line (any layer): ``points`` (n, 2) from the arrow head to the text end.

    ``text_handle`` names the MULTILEADER's own label text when it has one.
    """

    points: np.ndarray
    handle: str
    layer: str
    dxftype: str
    text_handle: str | None = None


@dataclass
class Walked:
    """Everything the walk found, in drawing units."""

    areas: list[AreaItem] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)
    lines: list[LineItem] = field(default_factory=list)
    parking: list[tuple[str, str, int]] = field(default_factory=list)  # handle, layer, spaces
    attribs: dict[int, tuple[str, dict[str, str]]] = field(default_factory=dict)  # group -> (handle, tags)
    hidden: Counter = field(default_factory=Counter)  # layer -> entities skipped
    ignored: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    loose: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    pieces: list[PieceItem] = field(default_factory=list)  # loose outline pieces, joined by the reader
    leaders: list[LeaderItem] = field(default_factory=list)
    undecodable_layers: Counter = field(default_factory=Counter)  # layer (cleaned) -> entities
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # role, handle, qa code: role content not read
    entity_count: int = 0
    vertex_count: int = 0


Note = Callable[..., None]  # note(code, message, handles=(...), severity=None)


@dataclass(frozen=True)
class _TakenRun:
    """A run of model space the walk takes whole: its layer's role, and its rows mapped to WCS (x, y, bulge),
    None on a hidden layer or one the walk does not read."""

    run: PolylineRun
    role: str | None
    rows: np.ndarray | None

    def __len__(self) -> int:
        return len(self.run)


#: A lone surrogate: a byte the drawing's code page could not decode.
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_undecodable(text: str) -> bool:
    """True when ``text`` holds bytes the drawing's code page could not decode (lone surrogates)."""
    return not text.isascii() and _SURROGATE.search(text) is not None  # isascii: O(1) on CPython's ASCII strings


def clean_text(text: str) -> str:
    """``text`` with every undecodable byte (a lone surrogate) shown as U+FFFD, so it can be written as UTF-8."""
    if not has_undecodable(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


class _Affine:
    """``p @ a + t`` in the XY plane; determinant and similarity computed once."""

    __slots__ = ("a", "t", "det", "is_similarity", "max_scale")

    def __init__(self, a: np.ndarray, t: np.ndarray) -> None:
        self.a = a
        self.t = t
        self.det = float(a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0])
        g = a @ a.T
        scale = max(abs(g[0, 0]), abs(g[1, 1]), 1e-300)
        self.is_similarity = bool(abs(g[0, 1]) <= 1e-9 * scale and abs(g[0, 0] - g[1, 1]) <= 1e-9 * scale)
        if self.is_similarity or not np.isfinite(a).all():
            self.max_scale = math.sqrt(scale)
        else:
            self.max_scale = float(np.linalg.svd(a, compute_uv=False)[0])

    @classmethod
    def identity(cls) -> "_Affine":
        return cls(np.eye(2), np.zeros(2))

    @classmethod
    def from_matrix44(cls, m) -> "_Affine":
        full = np.array(list(m), dtype=float).reshape(4, 4)
        return cls(full[:2, :2].copy(), full[3, :2].copy())

    def then(self, outer: "_Affine") -> "_Affine":
        """This map followed by ``outer``."""
        return _Affine(self.a @ outer.a, self.t @ outer.a + outer.t)


def _ocs_then(entity, aff: _Affine, elevation: float = 0.0) -> _Affine:
    """The entity's OCS -> WCS map (projected to XY, at ``elevation``) followed by ``aff``."""
    extrusion = entity.dxf.get("extrusion", None)
    if extrusion is None or (abs(extrusion[0]) < 1e-12 and abs(extrusion[1]) < 1e-12 and extrusion[2] > 0):
        return aff  # the usual case: OCS is WCS
    ocs = entity.ocs()
    ux, uy, uz = ocs.ux, ocs.uy, ocs.uz
    a = np.array([[ux.x, ux.y], [uy.x, uy.y]])
    return _Affine(a, np.array([uz.x * elevation, uz.y * elevation])).then(aff)


def _apply(ring: np.ndarray, aff: _Affine, tolerance: float) -> np.ndarray:
    """Map a local (n, 3) ring/line through ``aff``; arcs survive similarity maps only.

    The map is written out per coordinate (``x * a00 + y * a10 + t0``), not as a matrix product, so
    that a ring gives the same bits alone or in a batch (:func:`_transform`; BLAS kernels differ by size).
    """
    if not aff.is_similarity and np.any(ring[:, 2] != 0.0):
        xy, _ = densify_rings(
            np.ascontiguousarray(ring[:, :2]), np.ascontiguousarray(ring[:, 2]),
            np.array([0, len(ring)], dtype=np.int64), tolerance / max(aff.max_scale, 1e-300),
        )
        ring = np.column_stack([xy, np.zeros(len(xy))])
    return _transform(ring, aff)


def _transform(rows: np.ndarray, aff: _Affine) -> np.ndarray:
    """(x, y, bulge) rows through ``aff`` (arcs kept as they are: the caller densifies where needed)."""
    out = np.empty_like(rows)
    a, t = aff.a, aff.t
    x, y = rows[:, 0], rows[:, 1]
    with np.errstate(invalid="ignore", over="ignore"):  # non-finite input gives non-finite output, checked later
        out[:, 0] = x * a[0, 0] + y * a[1, 0] + t[0]
        out[:, 1] = x * a[0, 1] + y * a[1, 1] + t[1]
    out[:, 2] = rows[:, 2] if aff.det >= 0 else -rows[:, 2]
    return out


#: Coordinates beyond this many drawing units (1e9 m in mm) are not a site plan: the entity is refused.
MAX_COORDINATE = 1e12


#: Larger bulges (an arc within 4e-8 rad of a full circle) are not drawn by CAD; they overflow the arc arithmetic.
MAX_BULGE = 1e8


def _finite(arr: np.ndarray) -> bool:
    """All values finite and, for points, x and y within :data:`MAX_COORDINATE`.

    For (x, y, bulge) rows the arcs must stay in range too: a bulge beyond
    :data:`MAX_BULGE`, or one whose arc reaches past the coordinate limit
    (its extent is about chord x bulge / 2), is refused like a coordinate.
    """
    if not np.isfinite(arr).all():
        return False
    if arr.ndim != 2 or arr.shape[1] < 2:
        return True
    if not (np.abs(arr[:, :2]) <= MAX_COORDINATE).all():
        return False
    if arr.shape[1] < 3 or not np.any(arr[:, 2]):
        return True
    bulge = np.abs(arr[:, 2])
    chord = np.hypot(*(np.roll(arr[:, :2], -1, axis=0) - arr[:, :2]).T)
    return bool((bulge <= MAX_BULGE).all() and (bulge * chord <= MAX_COORDINATE).all())


def _finite_rings(rows: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_finite` of each ring of (x, y, bulge) ``rows`` split at ``offsets``, in one pass, and
    whether the ring has an arc."""
    n = len(offsets) - 1
    counts = np.diff(offsets)
    ring = np.repeat(np.arange(n), counts)
    nxt = np.arange(1, len(rows) + 1)
    ends = counts > 0
    nxt[offsets[1:][ends] - 1] = offsets[:-1][ends]  # the vertex after the last is the first (np.roll)
    bulge = np.abs(rows[:, 2])

    def any_of(mask: np.ndarray) -> np.ndarray:
        return np.bincount(ring[mask], minlength=n) > 0

    with np.errstate(invalid="ignore", over="ignore"):  # rings with non-finite values fail below anyway
        chord = np.hypot(rows[nxt, 0] - rows[:, 0], rows[nxt, 1] - rows[:, 1]) if len(rows) else np.zeros(0)
        bad = any_of(~np.isfinite(rows).all(axis=1)) | any_of(~(np.abs(rows[:, :2]) <= MAX_COORDINATE).all(axis=1))
        arcs = any_of(rows[:, 2] != 0)
        bad_arc = any_of(~((bulge <= MAX_BULGE) & (bulge * chord <= MAX_COORDINATE)))
    return ~bad & ~(arcs & bad_arc), arcs


def _chords_needed(rows: np.ndarray, tolerance: float) -> float:
    """About how many chords the arcs of (x, y, bulge) rows need at ``tolerance`` (rows already :func:`_finite`)."""
    bulge = rows[:, 2]
    arcs = bulge != 0
    if not arcs.any():
        return 0.0
    d = np.roll(rows[:, :2], -1, axis=0) - rows[:, :2]
    b = np.abs(bulge[arcs])
    radius = np.hypot(d[arcs, 0], d[arcs, 1]) * (1.0 + b * b) / (4.0 * b)
    sweep = 4.0 * np.arctan(b)
    step = 4.0 * np.arcsin(np.sqrt(np.minimum(tolerance / (2.0 * np.maximum(radius, 1e-300)), 1.0)))
    return float(np.sum(sweep / step))


def _is_closed_by_coincidence(points: np.ndarray) -> bool:
    if len(points) < 3:
        return False
    span = float(np.ptp(points[:, :2], axis=0).max()) or 1.0
    return float(np.hypot(*(points[0, :2] - points[-1, :2]))) <= CLOSE_GAP_RELATIVE * max(span, float(np.abs(points[:, :2]).max()))


class DxfWalker:
    """Collects role-layer content of one document's model space."""

    def __init__(self, doc, roles: LayerRoles, note: Note, tolerance: float,
                 max_entities: int, max_vertices: int) -> None:
        self.doc = doc
        self.roles = roles
        seen: set = set()

        def note_once(code: str, message: str, handles=(), **kw) -> None:
            # content of a block inserted many times repeats the same note word for word: say it once
            key = (code, message, tuple(handles))
            if key not in seen:
                seen.add(key)
                note(code, message, handles=handles, **kw)

        self.note = note_once

        def skip(role: str | None, code: str, message: str, handles=(), **kw) -> None:
            """A note for content on a role layer that could not be read: the rules needing it do not pass."""
            note_once(code, message, handles=handles, **kw)
            if role is not None and role != "indicators":
                self.out.skipped.extend((role, h, code) for h in (handles or ("?",)))

        self.skip = skip
        self.tolerance = tolerance  # drawing units, for densifying arcs/curves
        self.max_entities = max_entities
        self.max_vertices = max_vertices
        self.out = Walked()
        self._groups = 0
        self._hidden_layers = self._find_hidden_layers()

    def _find_hidden_layers(self) -> set[str]:
        hidden = set()
        for layer in self.doc.layers:
            try:
                if layer.is_off() or layer.is_frozen():
                    hidden.add(layer.dxf.name.casefold())
            except Exception:  # a damaged layer record: treat as visible
                continue
        return hidden

    # -- traversal -------------------------------------------------------
    def walk(self) -> Walked:
        if self._expanded(self.doc.modelspace(), None, (), 0, {})[0] > self.max_entities:
            # blocks inserting blocks many times over ("billion laughs"): refuse before walking for minutes
            raise ReadError(f"more than {self.max_entities} entities once blocks are expanded "
                            "(limit: --max-entities or [limits] max_entities)")
        self._walk(self.doc.modelspace(), _Affine.identity(), None, None, None, (), 0)
        return self.out

    def _expanded(self, entities: Iterable, parent_layer: str | None, stack: tuple[str, ...], depth: int,
                  memo: dict) -> tuple[int, bool]:
        """(entities the walk would visit, whether a block cycle was cut on the way), without walking.

        Mirrors :meth:`_walk` and :meth:`_insert`: hidden layers, parking inserts, missing blocks,
        xrefs, cycles and the depth limit stop the descent. Stops counting past ``max_entities``.
        """
        total, cut = 0, False
        entities = list(entities)
        for _, e, run in each_entity(entities, runs_in(entities) if parent_layer is None else {}):
            if run is not None:  # no INSERT among them
                total += len(run)
                if total > self.max_entities:
                    break
                continue
            total += 1
            if total > self.max_entities:
                break
            try:
                if e.dxftype() != "INSERT":
                    continue
                layer = e.dxf.get("layer", "0")
                if parent_layer is not None and layer == "0":
                    layer = parent_layer
                name = e.dxf.get("name", "")
                if name in stack:
                    cut = True
                    continue
                if (layer.casefold() in self._hidden_layers or depth >= MAX_BLOCK_DEPTH
                        or self.roles.role_of(layer) == "parking"):
                    continue
                block = self.doc.blocks.get(name)
                if block is None or (block.block is not None and block.block.is_xref):
                    continue
                key = (name, layer, depth)
                if key in memo:
                    inner = memo[key]
                else:
                    inner, inner_cut = self._expanded(block, layer, stack + (name,), depth + 1, memo)
                    cut = cut or inner_cut
                    if not inner_cut:  # a count cut short by a cycle depends on the path: not reused
                        memo[key] = inner
                total += max(int(e.mcount), 1) * inner
            except Exception:  # the walk names damaged entities; here they count as one
                continue
        return total, cut

    def _count(self, n_vertices: int = 0) -> None:
        self.out.vertex_count += n_vertices
        if self.out.vertex_count > self.max_vertices:
            raise ReadError(f"more than {self.max_vertices} vertices (limit: --max-vertices or [limits] max_vertices)")

    def _walk(self, entities: Iterable, aff: _Affine, parent_layer: str | None,
              top_handle: str | None, group: int | None, stack: tuple[str, ...], depth: int) -> None:
        entities = list(entities)
        runs = self._runs(entities, aff) if parent_layer is None else {}
        outlines = self._polylines(entities, aff, parent_layer, runs)  # LWPOLYLINEs of this level, mapped in one go
        for k, e, taken in each_entity(entities, runs):
            if taken is not None:
                self._run(taken)
                continue
            self.out.entity_count += 1
            if self.out.entity_count > self.max_entities:
                raise ReadError(f"more than {self.max_entities} entities (limit: --max-entities or [limits] max_entities)")
            if k in outlines:  # an LWPOLYLINE on a visible role layer: the same steps, its layer and role known
                shape, layer, role = outlines[k]
                handle = top_handle or e.dxf.get("handle", "?")
                try:
                    if isinstance(shape, Exception):
                        raise shape
                    self._shape(*shape, "LWPOLYLINE", role, layer, handle, group)
                except ReadError:
                    raise
                except Exception as exc:  # one broken entity must not stop the read
                    self.skip(role, "unreadable-entity", f"LWPOLYLINE {handle} on layer {layer} could not be read "
                              f"({type(exc).__name__}: {exc})", handles=(handle,))
                continue
            try:
                layer = e.dxf.get("layer", "0")
                if parent_layer is not None and layer == "0":
                    layer = parent_layer  # layer-0 content takes the INSERT's layer
                if layer.casefold() in self._hidden_layers:
                    self.out.hidden[layer] += 1
                    continue
                handle = top_handle or e.dxf.get("handle", "?")
                dxftype = e.dxftype()
                if dxftype == "INSERT":
                    if getattr(e, "inert", False):  # the fast reader's INSERT of a block holding nothing read
                        continue
                    self._insert(e, aff, layer, handle, top_handle is None, group, stack, depth)
                    continue
                if dxftype in ("LEADER", "MULTILEADER"):  # on any layer: it may tie a label to its outline
                    self._leader(e, dxftype, aff, layer, handle)
                    continue
            except ReadError:
                raise
            except Exception as exc:  # an entity ezdxf kept but cannot describe (unknown type, damaged INSERT)
                what = _describe(e, top_handle)
                self.skip(self.roles.role_of(layer_of(e)), "unreadable-entity", f"{what} could not be read ({type(exc).__name__}: {exc})",
                          handles=(what.rpartition(" ")[2],))
                continue
            role = self.roles.role_of(layer)
            if role is None:
                if has_undecodable(layer):  # an undecodable layer name matches no role: say so, never drop silently
                    self.out.undecodable_layers[clean_text(layer)] += 1
                continue
            try:
                self._entity(e, dxftype, role, aff, layer, handle, group)
            except ReadError:
                raise
            except Exception as exc:  # one broken entity must not stop the read
                self.skip(role, "unreadable-entity", f"{dxftype} {handle} on layer {layer} could not be read ({type(exc).__name__}: {exc})",
                          handles=(handle,))

    def _runs(self, entities: list, aff: _Affine) -> dict:
        """The runs of model space (:class:`~.dxf_light.PolylineRun`) :meth:`_run` takes whole, by first index.
        The others are walked member by member.

        A run on a role layer is taken whole when every member is closed, has three vertices or more, no arc,
        and finite coordinates (then each member is an area or a parking space, with nothing to note). All runs
        are mapped and checked in one go.
        """
        runs, read = {}, []
        for k, run in runs_in(entities).items():
            role = self.roles.role_of(run.layer)
            if run.layer.casefold() in self._hidden_layers or role in (None, "indicators"):
                runs[k] = _TakenRun(run, role, None)
            elif role not in LINE_ROLES:
                read.append((k, run, role))
        values, offsets, members = stack_runs([run for _, run, _ in read])
        rows = _transform(values[:, (0, 1, 4)], aff)
        finite, arcs = _finite_rings(rows, offsets)
        closed = np.concatenate([run.closed for _, run, _ in read]) if read else np.zeros(0, dtype=bool)
        plain = (finite & ~arcs & closed & (np.diff(offsets) >= 3)).astype(np.int64)
        whole = np.add.reduceat(plain, members[:-1]) == np.diff(members) if read else []
        for (k, run, role), ok, m in zip(read, whole, members[:-1].tolist()):
            if ok:
                runs[k] = _TakenRun(run, role, rows[offsets[m]:offsets[m + len(run)]])
        return runs

    def _run(self, taken: _TakenRun) -> None:
        """What :meth:`_walk` does with each member of a run of :meth:`_runs`, at once (limits included)."""
        run, role, rows = taken.run, taken.role, taken.rows
        n, layer = len(run), run.layer
        vertices = int(run.offsets[-1]) if rows is not None else 0
        if (self.out.entity_count + n > self.max_entities
                or self.out.vertex_count + vertices > self.max_vertices):  # a limit within the run: which first
            entity_over = self.max_entities - self.out.entity_count  # the member (from 0) past the entity limit
            past = np.flatnonzero(np.cumsum(np.diff(run.offsets)) + self.out.vertex_count > self.max_vertices) \
                if rows is not None else []
            vertex_over = int(past[0]) if len(past) else n
            if entity_over < n and entity_over <= vertex_over:
                raise ReadError(f"more than {self.max_entities} entities (limit: --max-entities or [limits] max_entities)")
            raise ReadError(f"more than {self.max_vertices} vertices (limit: --max-vertices or [limits] max_vertices)")
        self.out.entity_count += n
        if rows is None:  # hidden, or a layer the walk does not read
            if layer.casefold() in self._hidden_layers:
                self.out.hidden[layer] += n
            elif role is None and has_undecodable(layer):
                self.out.undecodable_layers[clean_text(layer)] += n
            return
        self.out.vertex_count += vertices
        if role == "parking":
            self.out.parking.extend((handle, layer, 1) for handle in run.handles)
            return
        offsets = run.offsets.tolist()
        self.out.areas.extend(AreaItem(role, [rows[a:b]], handle, layer, "LWPOLYLINE", None)
                              for handle, a, b in zip(run.handles, offsets[:-1], offsets[1:]))

    def _polylines(self, entities: list, aff: _Affine, parent_layer: str | None, runs: dict) -> dict:
        """The LWPOLYLINEs :meth:`_walk` reads at one level, mapped and checked in one go (emitting nothing).

        Returns index -> ((points, closed, finite, has an arc) or the exception that stopped the entity,
        layer, role); :meth:`_walk` reports each in its place. :func:`_transform` works per coordinate, so a ring gets
        the same values as mapped alone; one with its own OCS, or with arcs under a non-similar map
        (densified), is mapped alone.
        """
        rows: list[np.ndarray] = []
        found: dict[int, object] = {}
        shared: list[tuple[int, bool]] = []
        where: dict[int, tuple[str, str]] = {}
        for k, e, taken in each_entity(entities, runs):
            if taken is not None:  # taken whole by _run
                continue
            try:
                if e.dxftype() != "LWPOLYLINE":
                    continue
                layer = e.dxf.get("layer", "0")
                if parent_layer is not None and layer == "0":
                    layer = parent_layer
                role = self.roles.role_of(layer)
                if layer.casefold() in self._hidden_layers or role in (None, "indicators"):
                    continue
            except Exception:  # the walk meets it again and says what is wrong
                continue
            where[k] = (layer, role)
            try:
                values = np.asarray(e.lwpoints.values, dtype=float).reshape(-1, 5)  # x, y, widths, bulge
                ocs = _ocs_then(e, aff, float(e.dxf.get("elevation", 0.0)))
                closed = bool(e.closed)
                if ocs is not aff or (not aff.is_similarity and np.any(values[:, 4] != 0.0)):
                    found[k] = (_apply(values[:, (0, 1, 4)], ocs, self.tolerance), closed, None, None)
                else:
                    rows.append(values)
                    shared.append((k, closed))
            except ReadError:
                raise
            except Exception as exc:
                found[k] = exc
        if shared:
            together = _transform(np.concatenate(rows)[:, (0, 1, 4)], aff)
            offsets = np.concatenate(([0], np.cumsum([len(r) for r in rows]))).astype(np.int64)
            finite, arcs = _finite_rings(together, offsets)
            for n, (k, closed) in enumerate(shared):
                found[k] = (together[offsets[n]:offsets[n + 1]], closed, bool(finite[n]), bool(arcs[n]))
        return {k: (shape, *where[k]) for k, shape in found.items()}

    def _insert(self, ins, aff: _Affine, layer: str, handle: str, top: bool,
                group: int | None, stack: tuple[str, ...], depth: int) -> None:
        name = ins.dxf.get("name", "")
        role = self.roles.role_of(layer)
        block = self.doc.blocks.get(name)
        if block is None:
            self.skip(role, "missing-block", f"INSERT {handle} refers to block '{name}', which the drawing does not define",
                      handles=(handle,))
            return
        if block.block is not None and block.block.is_xref:
            self.skip(role, "unresolved-xref", f"INSERT {handle} is an external reference to '{name}'; bind the xref into the drawing",
                      handles=(handle,))
            return
        if name in stack:
            self.skip(role, "block-cycle", f"block '{name}' inserts itself (via {' > '.join(stack + (name,))}); INSERT {handle} skipped",
                      handles=(handle,))
            return
        if depth >= MAX_BLOCK_DEPTH:
            self.skip(role, "block-depth", f"blocks nested deeper than {MAX_BLOCK_DEPTH} at INSERT {handle}; content skipped",
                      handles=(handle,))
            return
        cells = ins.mcount if ins.dxftype() == "INSERT" else 1
        if role == "parking":
            self.out.parking.append((handle, layer, int(cells)))
            return
        if ins.attribs and role in PART_ROLES:
            self._groups += 1
            group = self._groups
            tags = {}
            for a in ins.attribs:
                tag, value = a.dxf.get("tag", "").strip(), a.dxf.get("text", "")
                if has_undecodable(tag) or has_undecodable(value):
                    self.note("undecodable-text", f"ATTRIB {a.dxf.get('handle', '?')} of INSERT {handle} holds bytes that "
                              "are not valid in the drawing's code page; they are shown as U+FFFD", handles=(handle,))
                tags[clean_text(tag)] = clean_text(value)
            self.out.attribs[group] = (handle, tags)
        inserts = ins.multi_insert() if cells > 1 else (ins,)
        for cell in inserts:
            try:
                inner = _Affine.from_matrix44(cell.matrix44())
            except Exception as exc:
                self.skip(role, "unreadable-entity", f"INSERT {handle}: invalid transform ({exc})", handles=(handle,))
                return
            if abs(inner.det) < 1e-300 or not _finite(inner.a) or not _finite(inner.t):
                self.skip(role, "invalid-coordinates", f"INSERT {handle} has a degenerate or non-finite transform; skipped",
                          handles=(handle,))
                return
            self._walk(block, inner.then(aff), layer, handle, group, stack + (name,), depth + 1)

    # -- entities --------------------------------------------------------
    def _entity(self, e, dxftype: str, role: str, aff: _Affine, layer: str, handle: str, group: int | None) -> None:
        if dxftype in ("TEXT", "MTEXT", "ATTRIB"):
            if role in _TEXT_ROLES:
                self._text(e, dxftype, role, aff, layer, handle)
            return
        if role == "indicators":
            return  # the declared table's grid lines and frames carry nothing to read
        if dxftype == "HATCH":
            self._hatch(e, role, aff, layer, handle, group)
            return
        shape = self._outline(e, dxftype, aff, handle)
        if shape is None and dxftype in ("LINE", "ARC") and (role in LINE_ROLES or role in AREA_ROLES):
            points = self._line_or_arc(e, dxftype, aff)
            shape = None if points is None else (points, False)  # checked below like any outline
        if shape is None:
            if dxftype in ("LINE", "ARC", "LWPOLYLINE", "POLYLINE", "SPLINE", "ELLIPSE") and role in AREA_ROLES:
                self.out.loose[layer].append(handle)
                self.out.skipped.append((role, handle, "loose-edges"))
            elif dxftype not in ("ATTDEF",):
                self.out.ignored[(layer, dxftype)].append(handle)
            return
        points, closed = shape
        self._shape(points, closed, None, None, dxftype, role, layer, handle, group)

    def _shape(self, points: np.ndarray, closed: bool, finite: bool | None, arcs: bool | None, dxftype: str,
               role: str, layer: str, handle: str, group: int | None) -> None:
        """An outline or line in WCS drawing units, counted and checked, to the role's list (``finite``:
        :func:`_finite` of ``points``, ``arcs``: whether it has an arc, when known)."""
        self._count(len(points))
        if not (_finite(points) if finite is None else finite):
            self.skip(role, "invalid-coordinates", f"{dxftype} {handle} on layer {layer} has non-finite or out-of-range coordinates; skipped",
                      handles=(handle,))
            return
        if arcs is not False and not self._arcs_in_range(points, f"{dxftype} {handle} on layer {layer}", handle, role,
                                                           finite=True):
            return
        if role in LINE_ROLES:
            self.out.lines.append(LineItem(role, points, closed, handle, layer))
            return
        if role == "indicators":
            return
        if not closed:
            if _is_closed_by_coincidence(points):
                points = points[:-1]
                self.note("closed-by-coincidence",
                          f"{dxftype} {handle} on layer {layer} is not flagged closed but its ends meet; read as closed",
                          handles=(handle,))
            elif len(points) >= 2:  # a piece of a loose outline: the reader joins pieces into rings
                self.out.pieces.append(PieceItem(role, points, handle, layer, dxftype, group))
                return
            else:
                self.skip(role, "degenerate-outline", f"{dxftype} {handle} on layer {layer} has fewer than 2 vertices; skipped",
                          handles=(handle,))
                return
        if len(points) < 2 or (len(points) < 3 and not np.any(points[:, 2] != 0)):
            self.skip(role, "degenerate-outline", f"{dxftype} {handle} on layer {layer} has fewer than 3 vertices; skipped",
                      handles=(handle,))
            return
        self._add_area(role, [points], handle, layer, dxftype, group)

    def _arcs_in_range(self, rows: np.ndarray, what: str, handle: str, role: str | None = None,
                       finite: bool = False) -> bool:
        """False (with a finding) when the arcs are so large that densifying them would take minutes
        (``finite``: :func:`_finite` of ``rows`` is known to hold)."""
        if not ((finite or _finite(rows)) and _chords_needed(rows, self.tolerance) <= MAX_CURVE_POINTS):
            self.skip(role, "invalid-coordinates", f"{what} has arcs too large for a site plan (more than {MAX_CURVE_POINTS} "
                      "chords at the flattening tolerance); skipped", handles=(handle,))
            return False
        return True

    def _add_area(self, role: str, rings: list[np.ndarray], handle: str, layer: str, dxftype: str,
                  group: int | None) -> None:
        """A closed area: one parking space on the parking layer (counted, not measured), else an area."""
        if role == "parking":
            self.out.parking.append((handle, layer, 1))
        else:
            self.out.areas.append(AreaItem(role, rings, handle, layer, dxftype, group))

    def _outline(self, e, dxftype: str, aff: _Affine, handle: str):
        """(points (n,3), closed) in WCS drawing units, or None when not a polyline/curve."""
        tol = self.tolerance
        if dxftype == "LWPOLYLINE":
            local = np.array(e.get_points("xyb"), dtype=float).reshape(-1, 3)
            ocs = _ocs_then(e, aff, float(e.dxf.get("elevation", 0.0)))
            return _apply(local, ocs, tol), bool(e.closed)
        if dxftype == "POLYLINE":
            if e.is_poly_face_mesh or e.is_polygon_mesh:
                return None
            verts = list(e.vertices)
            local = np.array([(v.dxf.location[0], v.dxf.location[1], v.dxf.get("bulge", 0.0)) for v in verts],
                             dtype=float).reshape(-1, 3)
            if e.is_2d_polyline:
                elevation = float(e.dxf.get("elevation", (0, 0, 0))[2])
                return _apply(local, _ocs_then(e, aff, elevation), tol), bool(e.is_closed)
            local[:, 2] = 0.0
            return _apply(local, aff, tol), bool(e.is_closed)
        if dxftype == "CIRCLE":
            cx, cy, cz = e.dxf.center
            r = float(e.dxf.radius)
            if not r > 0:
                return None
            local = np.array([[cx - r, cy, 1.0], [cx + r, cy, 1.0]])
            return _apply(local, _ocs_then(e, aff, cz), tol), True
        if dxftype == "ELLIPSE":
            span = (e.dxf.end_param - e.dxf.start_param) % (2 * math.pi)
            full = math.isclose(span, 0.0, abs_tol=1e-9) or math.isclose(span, 2 * math.pi, abs_tol=1e-9)
            pts = self._flat(_ellipse_flattening(e.construction_tool(), tol / max(aff.max_scale, 1e-300)))
            if full and len(pts) > 2 and np.allclose(pts[0, :2], pts[-1, :2]):
                pts = pts[:-1]
            return _apply(pts, aff, tol), full
        if dxftype == "SPLINE":
            pts = self._flat(_bspline_flattening(e.construction_tool(), tol / max(aff.max_scale, 1e-300)))
            closed = bool(e.closed) or (len(pts) > 2 and np.allclose(pts[0, :2], pts[-1, :2]))
            if closed and len(pts) > 2 and np.allclose(pts[0, :2], pts[-1, :2]):
                pts = pts[:-1]
            return _apply(pts, aff, tol), closed
        return None

    @staticmethod
    def _flat(vertices) -> np.ndarray:
        pts = np.array([(v[0], v[1], 0.0) for v in vertices], dtype=float).reshape(-1, 3)
        return pts

    def _line_or_arc(self, e, dxftype: str, aff: _Affine):
        if dxftype == "LINE":
            s, t = e.dxf.start, e.dxf.end
            return _apply(np.array([[s[0], s[1], 0.0], [t[0], t[1], 0.0]]), aff, self.tolerance)
        cx, cy, cz = e.dxf.center
        r = float(e.dxf.radius)
        a0, a1 = math.radians(e.dxf.start_angle), math.radians(e.dxf.end_angle)
        rows = _arc_vertices(cx, cy, r, a0, _ccw_sweep(a0, a1))
        rows.append((cx + r * math.cos(a1), cy + r * math.sin(a1), 0.0))
        local = np.array(rows, dtype=float)
        return _apply(local, _ocs_then(e, aff, cz), self.tolerance)

    def _hatch(self, h, role: str, aff: _Affine, layer: str, handle: str, group: int | None) -> None:
        if role in LINE_ROLES or role == "indicators":
            return
        elevation = float(h.dxf.get("elevation", (0, 0, 0))[2])
        full = _ocs_then(h, aff, elevation)
        rings = []
        for i, path in enumerate(h.paths):
            local = self._hatch_path(path, handle, i)
            if local is None:
                continue
            self._count(len(local))
            if not _finite(local):
                self.skip(role, "invalid-coordinates", f"HATCH {handle} boundary path {i} has non-finite or out-of-range coordinates; skipped",
                          handles=(handle,))
                continue
            if len(local) < 3 and not np.any(local[:, 2] != 0):  # two points and no arc enclose nothing
                self.skip(role, "degenerate-outline", f"HATCH {handle} boundary path {i} has fewer than 3 vertices; skipped",
                          handles=(handle,))
                continue
            ring = _apply(local, full, self.tolerance)
            if self._arcs_in_range(ring, f"HATCH {handle} boundary path {i}", handle, role):
                rings.append(ring)
        if not rings:
            self.skip(role, "degenerate-outline", f"HATCH {handle} on layer {layer} has no usable boundary path; skipped",
                      handles=(handle,))
            return
        self._add_area(role, rings, handle, layer, "HATCH", group)

    def _hatch_path(self, path, handle: str, index: int) -> np.ndarray | None:
        kind = type(path).__name__
        if kind == "PolylinePath":
            verts = np.array([(v[0], v[1], v[2] if len(v) > 2 else 0.0) for v in path.vertices], dtype=float)
            if len(verts) > 2 and np.allclose(verts[0, :2], verts[-1, :2]) and verts[-1, 2] == 0.0:
                verts = verts[:-1]
            return verts if len(verts) >= 2 else None
        rows: list[tuple[float, float, float]] = []
        last_end = None
        for edge in path.edges:
            name = type(edge).__name__
            if name == "LineEdge":
                start, end = edge.start, edge.end
                seg = [(start[0], start[1], 0.0)]
            elif name == "ArcEdge":
                cx, cy = edge.center[0], edge.center[1]
                a0, a1 = math.radians(edge.start_angle), math.radians(edge.end_angle)
                sweep = _ccw_sweep(a0, a1)
                if edge.ccw:
                    seg = _arc_vertices(cx, cy, edge.radius, a0, sweep)
                else:  # ezdxf keeps ccw angles: a clockwise edge runs from a1 back to a0
                    seg = _arc_vertices(cx, cy, edge.radius, a1, -sweep)
                start = seg[0]
                end_angle = a1 if edge.ccw else a0
                end = (cx + edge.radius * math.cos(end_angle), cy + edge.radius * math.sin(end_angle))
            elif name in ("EllipseEdge", "SplineEdge"):
                tool = edge.construction_tool()
                flat = (_bspline_flattening if name == "SplineEdge" else _ellipse_flattening)(tool, self.tolerance)
                pts = [(p[0], p[1]) for p in flat]
                if name == "EllipseEdge" and not edge.ccw:
                    pts.reverse()
                if len(pts) < 2:
                    continue
                start, end = pts[0], pts[-1]
                seg = [(x, y, 0.0) for x, y in pts[:-1]]
            else:
                self.note("unreadable-entity", f"HATCH {handle} path {index}: unknown edge type {name}", handles=(handle,))
                return None
            if last_end is not None and math.dist(last_end[:2], (start[0], start[1])) > max(self.tolerance, 1e-9):
                self.note("hatch-gap", f"HATCH {handle} boundary path {index} has a gap of "
                          f"{math.dist(last_end[:2], (start[0], start[1])):.6g} drawing units between edges; bridged with a straight segment",
                          handles=(handle,))
            rows.extend(seg)
            last_end = (end[0], end[1])
        if len(rows) < 2:
            return None
        return np.array(rows, dtype=float)

    def _leader(self, e, dxftype: str, aff: _Affine, layer: str, handle: str) -> None:
        """Record a LEADER's vertices, or each line of a MULTILEADER (and its text on a part-role layer).

        A leader on a layer of no role that cannot be read is passed over: it was never role content.
        """
        role = self.roles.role_of(layer)
        try:
            self._leader_lines(e, dxftype, aff, layer, handle, role)
        except ReadError:
            raise
        except Exception:
            if role is not None:
                raise

    def _leader_lines(self, e, dxftype: str, aff: _Affine, layer: str, handle: str, role: str | None) -> None:
        if dxftype == "LEADER":
            lines = [[tuple(v)[:2] for v in e.vertices]]
            text_handle = None
        else:
            ctx = e.context
            lines = [[tuple(v)[:2] for v in line.vertices] + [tuple(leader.last_leader_point)[:2]]
                     for leader in ctx.leaders for line in leader.lines]
            text_handle = None
            mtext = ctx.mtext
            if mtext is not None and role in PART_ROLES and mtext.default_content:
                from ezdxf.tools.text import plain_mtext

                xy = _apply(np.array([[mtext.insert[0], mtext.insert[1], 0.0]]), aff, self.tolerance)[0]
                if _finite(xy):
                    text = clean_text(plain_mtext(mtext.default_content))
                    height = float(ctx.char_height) * (math.sqrt(abs(aff.det)) or 1.0)
                    self.out.texts.append(TextItem(role, text, float(xy[0]), float(xy[1]), height, handle, layer))
                    text_handle = handle
        for line in lines:
            if len(line) < 2:
                continue
            local = np.array([(x, y, 0.0) for x, y in line], dtype=float)
            pts = _apply(local, aff, self.tolerance)[:, :2]
            if _finite(pts):
                self.out.leaders.append(LeaderItem(pts, handle, layer, dxftype, text_handle))

    def _text(self, e, dxftype: str, role: str, aff: _Affine, layer: str, handle: str) -> None:
        try:
            text = e.plain_text()
        except Exception:
            text = e.dxf.get("text", "")
        if dxftype == "MTEXT":
            p = e.dxf.get("insert", (0, 0, 0))
            height = float(e.dxf.get("char_height", 1.0))
            local = np.array([[p[0], p[1], 0.0]])
            xy = _apply(local, aff, self.tolerance)[0]
        else:
            p = e.get_placement()[1]
            height = float(e.dxf.get("height", 1.0))
            local = np.array([[p[0], p[1], 0.0]])
            xy = _apply(local, _ocs_then(e, aff, p[2]), self.tolerance)[0]
        height *= math.sqrt(abs(aff.det)) or 1.0
        if not _finite(xy):
            self.note("invalid-coordinates", f"{dxftype} {handle} has non-finite or out-of-range coordinates; skipped", handles=(handle,))
            return
        if has_undecodable(text):
            self.note("undecodable-text", f"{dxftype} {handle} on layer {layer} holds bytes that are not valid in the "
                      "drawing's code page; they are shown as U+FFFD", handles=(handle,))
            text = clean_text(text)
        self.out.texts.append(TextItem(role, text, float(xy[0]), float(xy[1]), height, handle, layer))


def layer_of(e) -> str:
    """The entity's layer, or "" for one ezdxf keeps without a readable layer attribute."""
    try:
        return e.dxf.get("layer", "0")
    except Exception:
        return ""


def _describe(e, top_handle: str | None) -> str:
    """``TYPE HANDLE`` of an entity, as far as a damaged one still tells."""
    try:
        dxftype = e.dxftype()
    except Exception:
        dxftype = type(e).__name__
    try:
        handle = top_handle or e.dxf.get("handle", "?")
    except Exception:
        handle = top_handle or "?"
    return f"{dxftype} {handle}"


#: Most points one curve may be flattened into (a site-plan curve needs thousands); beyond it the
#: curve is refused as unreadable instead of running for minutes.
MAX_CURVE_POINTS = 1_000_000
#: What a flattening returns for a curve with non-finite or out-of-range defining points: the
#: caller's coordinate check then skips it with an ``invalid-coordinates`` finding.
_INVALID_CURVE = [(math.nan, math.nan, 0.0), (math.nan, math.nan, 0.0)]


def _too_many_points() -> ValueError:
    return ValueError(f"more than {MAX_CURVE_POINTS} points at the flattening tolerance")


def _ellipse_flattening(tool, distance: float) -> list:
    """``ConstructionEllipse.flattening`` for a sane ellipse; NaN points for a non-finite or absurd one."""
    import itertools

    if not (_finite(np.array([tuple(tool.center)[:2], tuple(tool.major_axis)[:2]], dtype=float))
            and math.isfinite(tool.ratio) and math.isfinite(tool.start_param) and math.isfinite(tool.end_param)):
        return _INVALID_CURVE
    points = list(itertools.islice(tool.flattening(distance), MAX_CURVE_POINTS + 1))
    if len(points) > MAX_CURVE_POINTS:
        raise _too_many_points()
    return points


def _bspline_flattening(tool, distance: float) -> list:
    """Points of an ezdxf ``BSpline`` within ``distance`` of the curve over its domain [knots[p], knots[n]].

    ``BSpline.flattening`` runs from the first knot to the last, which is
    only right for clamped splines: on the wrapped control points of a
    periodic (closed) spline it draws a different curve.
    """
    from ezdxf.math import distance_point_line_3d

    control = np.array([tuple(p) for p in tool.control_points], dtype=float).reshape(-1, 3)
    knots = np.asarray(tool.knots(), dtype=float)
    weights = np.asarray(tool.weights(), dtype=float)
    if not (np.isfinite(control).all() and _finite(control[:, :2]) and np.isfinite(knots).all()
            and np.isfinite(weights).all()):
        return _INVALID_CURVE
    breaks = np.unique(knots[tool.degree:tool.count + 1])
    params = np.concatenate([np.linspace(a, b, 5)[:-1] for a, b in zip(breaks[:-1], breaks[1:])] + [breaks[-1:]])
    point = tool.evaluator.point
    out = [point(params[0])]

    def subdivide(start, end, t0: float, t1: float, depth: int) -> None:
        mid = point((t0 + t1) / 2)
        try:
            off = distance_point_line_3d(mid, start, end)
        except ZeroDivisionError:  # start == end
            off = 0.0
        if not off >= distance or depth >= 24:  # NaN stops too
            out.append(end)
            if len(out) > MAX_CURVE_POINTS:
                raise _too_many_points()
            return
        subdivide(start, mid, t0, (t0 + t1) / 2, depth + 1)
        subdivide(mid, end, (t0 + t1) / 2, t1, depth + 1)

    for t0, t1 in zip(params[:-1], params[1:]):
        subdivide(out[-1], point(t1), t0, t1, 0)
    return out


def _ccw_sweep(a0: float, a1: float) -> float:
    """Counter-clockwise sweep from angle a0 to a1 in (0, 2π], radians."""
    sweep = (a1 - a0) % (2 * math.pi)
    return sweep if sweep > 1e-12 else 2 * math.pi


def _arc_vertices(cx: float, cy: float, r: float, start: float, sweep: float) -> list[tuple[float, float, float]]:
    """Bulged vertices of an arc from angle ``start`` through signed ``sweep`` (end vertex excluded).

    Arcs over a half turn are split in two so no bulge exceeds 1 (a full
    circle would otherwise need an infinite bulge).
    """
    pieces = 2 if abs(sweep) > math.pi else 1
    step = sweep / pieces
    bulge = math.tan(step / 4.0)
    return [(cx + r * math.cos(start + k * step), cy + r * math.sin(start + k * step), bulge) for k in range(pieces)]


def _role_name(role: str) -> str:
    return role.replace("_", " ")
