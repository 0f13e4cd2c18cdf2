"""Light stand-ins for the entities the fast reader does not hand to ezdxf (:mod:`.dxf_fast`).

A light entity answers what the layer survey, the unit vote and the walk ask
of an ezdxf entity -- ``dxftype()``, ``dxf.get(...)``, ``dxf.<attribute>``
(ezdxf's default when unset), and per type ``closed``, ``lwpoints``,
``get_points``, ``ocs()``, ``mcount`` -- with the values ezdxf would load
from the same tags. Attribute names and defaults are ezdxf's own
(``DXFATTRIBS`` of the entity class), not copies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sized
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def _attribs(dxftype: str):
    from ezdxf.entities.factory import ENTITY_CLASSES

    return ENTITY_CLASSES[dxftype].DXFATTRIBS


@lru_cache(maxsize=None)
def _plain_names(dxftype: str) -> frozenset[str]:
    """Attribute names of ``dxftype`` whose unset value ``get`` answers with its default argument."""
    from ezdxf.lldxf.attributes import XType

    return frozenset(name for name, a in _attribs(dxftype)._attribs.items() if a.xtype != XType.callback)


_MISSING = object()


class LightNamespace:
    """The ``dxf`` namespace of a light entity: its loaded attributes, ezdxf's defaults for the rest."""

    __slots__ = ("_values", "_dxftype", "_entity", "_names")

    def __init__(self, dxftype: str, values: dict, entity=None) -> None:
        self._dxftype = dxftype
        self._values = values
        self._entity = entity
        self._names = _plain_names(dxftype)

    def _definition(self, key: str):
        definition = _attribs(self._dxftype).get(key)
        if definition is None:
            from ezdxf.lldxf.const import DXFAttributeError

            raise DXFAttributeError(f"'{key}' is not a DXF attribute of {self._dxftype}")
        return definition

    def get(self, key: str, default=None):
        """The loaded value of ``key``, else ``default`` (as ezdxf's ``DXFNamespace.get``)."""
        value = self._values.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if key in self._names:
            return default
        return self._callback(key, default)

    def hasattr(self, key: str) -> bool:
        return key in self._values

    def is_supported(self, key: str) -> bool:
        return _attribs(self._dxftype).get(key) is not None

    def __getattr__(self, key: str):
        if key.startswith("_"):
            raise AttributeError(key)
        value = self._values.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if key in self._names:
            return self._definition(key).default
        return self._callback(key, None)

    def _callback(self, key: str, default):
        """A callback attribute (ezdxf computes it from the entity, e.g. LWPOLYLINE ``count``), or an error."""
        from ezdxf.lldxf.attributes import XType

        definition = self._definition(key)
        return definition.get_callback_value(self._entity) if definition.xtype == XType.callback else default


class LightEntity:
    """An entity drawcheck only counts or reads a few attributes of (type, layer, handle, ...)."""

    __slots__ = ("_dxftype", "dxf")
    #: A light INSERT whose block holds nothing the walk reads (see :class:`LightInsert`).
    inert = False

    def __init__(self, dxftype: str, values: dict) -> None:
        self._dxftype = dxftype
        self.dxf = LightNamespace(dxftype, values, self)

    def dxftype(self) -> str:
        return self._dxftype

    def ocs(self):
        from ezdxf.math import OCS

        if self.dxf.is_supported("extrusion"):
            return OCS(self.dxf.get("extrusion", (0, 0, 1)))
        return OCS()

    def __repr__(self) -> str:
        return f"{self._dxftype}(#{self.dxf.get('handle')}, light)"


class LightPolyline(LightEntity):
    """An LWPOLYLINE: ``lwpoints.values`` holds (n, 5) rows of x, y, start width, end width, bulge, as ezdxf's;
    ``closed`` is bit 1 of its flags, as ezdxf's property."""

    __slots__ = ("lwpoints", "closed", "run")

    def __init__(self, values: dict, points: np.ndarray) -> None:
        super().__init__("LWPOLYLINE", values)
        self.lwpoints = _Points(points)
        self.closed = bool(values.get("flags", 0) & 1)
        self.run: PolylineRun | None = None  # set on the first member of a run (see :func:`mark_runs`)

    def get_points(self, format: str = "xyseb"):
        """The vertices as ezdxf's ``get_points`` formats them."""
        from ezdxf.entities.lwpolyline import format_point

        rows = self.lwpoints.values
        if format == "xy":
            return [tuple(r) for r in rows[:, :2].tolist()]
        if format == "xyb":
            return [tuple(r) for r in rows[:, (0, 1, 4)].tolist()]
        return [format_point(r, format=format) for r in rows.tolist()]

    def __len__(self) -> int:
        return len(self.lwpoints.values) // 5


class LightText(LightEntity):
    """A TEXT: ``plain_text`` and ``get_placement`` are ezdxf's own (``Text``'s methods run on this object)."""

    __slots__ = ()

    def __init__(self, values: dict) -> None:
        super().__init__("TEXT", values)

    def plain_text(self) -> str:
        from ezdxf.entities.text import Text

        return Text.plain_text(self)

    def get_placement(self):
        from ezdxf.entities.text import Text

        return Text.get_placement(self)

    def get_align_enum(self):
        from ezdxf.entities.text import Text

        return Text.get_align_enum(self)


class LightMText(LightEntity):
    """An MTEXT: ``text`` joined as ezdxf joins it; ``plain_text`` is ezdxf's own."""

    __slots__ = ("text",)

    def __init__(self, values: dict, text: str) -> None:
        super().__init__("MTEXT", values)
        self.text = text

    def plain_text(self, split: bool = False, fast: bool = True):
        from ezdxf.entities.mtext import MText

        return MText.plain_text(self, split=split, fast=fast)

    def _get_text(self) -> str:  # the getter of ezdxf's ``dxf.text`` callback attribute
        from ezdxf.entities.mtext import MText

        return MText._get_text(self)


class LightHatch(LightEntity):
    """A HATCH: ``paths`` are ezdxf's own boundary paths (None on a layer the walk does not read)."""

    __slots__ = ("paths",)

    def __init__(self, values: dict, paths) -> None:
        super().__init__("HATCH", values)
        self.paths = paths


class _Points:
    __slots__ = ("values",)

    def __init__(self, values: np.ndarray) -> None:
        self.values = values  # flat, 5 floats a vertex


class LightInsert(LightEntity):
    """An INSERT on a layer without a role. ``inert``: its block (and the blocks it inserts) hold nothing
    the walk reads or counts apart from entities, so the walk need not enter it."""

    __slots__ = ("_inert",)

    def __init__(self, values: dict, inert: bool) -> None:
        super().__init__("INSERT", values)
        self._inert = inert

    @property
    def inert(self) -> bool:  # type: ignore[override]
        return self._inert

    @property
    def mcount(self) -> int:
        dxf = self.dxf
        return (dxf.row_count if dxf.row_spacing else 1) * (dxf.column_count if dxf.column_spacing else 1)

    @property
    def attribs(self) -> list:
        return []


class FastDoc:
    """An ezdxf document read from the reduced file, whose model space holds the light entities too, in order."""

    def __init__(self, doc, modelspace: list) -> None:
        self._doc = doc
        self._modelspace = modelspace

    def modelspace(self) -> list:
        return self._modelspace

    def __getattr__(self, name: str):
        return getattr(self._doc, name)


#: The fewest consecutive polylines :func:`mark_runs` makes a run of (below, one by one costs as little).
RUN_MIN = 8


class PolylineRun:
    """Consecutive light LWPOLYLINEs of model space on one layer, in WCS (no extrusion), as arrays.

    The layer survey, the unit vote and the walk take a run at once (the stall rows of a site plan are
    tens of thousands of them) where one by one they would ask each the same questions; whatever a run's
    arrays do not settle, they read member by member as before. ``values``: every member's (n, 5)
    ``lwpoints`` rows stacked, member ``i`` at ``offsets[i]:offsets[i + 1]``.
    """

    __slots__ = ("members", "layer", "values", "offsets", "closed", "handles")

    def __init__(self, members: list[LightPolyline]) -> None:
        self.members = members
        self.layer: str = members[0].dxf.get("layer", "0")
        rows = [m.lwpoints.values for m in members]
        self.offsets = np.concatenate(([0], np.cumsum([len(r) for r in rows]))).astype(np.int64)
        self.values = np.concatenate(rows).reshape(-1, 5)
        self.closed = np.array([m.closed for m in members], dtype=bool)
        self.handles: list[str] = [m.dxf.get("handle", "?") for m in members]

    def __len__(self) -> int:
        return len(self.members)


def mark_runs(entities: list) -> None:
    """Make each stretch of at least :data:`RUN_MIN` consecutive light LWPOLYLINEs on one layer without an
    extrusion a :class:`PolylineRun`, known to its first member."""
    keys = [_run_key(e) for e in entities]
    k, n = 0, len(entities)
    while k < n:
        key, j = keys[k], k + 1
        if key is None:
            k += 1
            continue
        while j < n and keys[j] == key:
            j += 1
        if j - k >= RUN_MIN:
            entities[k].run = PolylineRun(entities[k:j])
        k = j


def _run_key(e) -> str | None:
    """The layer of a light LWPOLYLINE without an extrusion (what members of one run share), else None."""
    if type(e) is not LightPolyline:
        return None
    values = e.dxf._values
    return None if "extrusion" in values else values.get("layer", "0")


def stack_runs(runs: list[PolylineRun]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Several runs as one: (values (N, 5), member offsets into them (M + 1,), run offsets into the
    members (R + 1,)), so a pass over many short runs costs a few numpy calls, not a few per run."""
    if not runs:
        return np.zeros((0, 5)), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
    values = np.concatenate([r.values for r in runs])
    shift = np.cumsum([0] + [int(r.offsets[-1]) for r in runs[:-1]])
    offsets = np.concatenate([r.offsets[:-1] + d for r, d in zip(runs, shift)] + [[len(values)]]).astype(np.int64)
    members = np.concatenate(([0], np.cumsum([len(r) for r in runs]))).astype(np.int64)
    return values, offsets, members


def runs_in(entities: list) -> dict[int, PolylineRun]:
    """The runs whose members are ``entities[k:k + len(run)]``, by ``k`` (a list holding them whole, in order)."""
    out = {}
    for k, e in enumerate(entities):
        run = getattr(e, "run", None)
        if run is not None and k + len(run) <= len(entities) and entities[k + len(run) - 1] is run.members[-1]:
            out[k] = run
    return out


def each_entity(entities: list, taken: Mapping[int, Sized]) -> Iterator[tuple[int, object, object]]:
    """``(k, entity, None)`` for each of ``entities``, except that a run taken whole (``taken[k]``: what the
    caller keeps of the run starting at ``k``, as long as the run) comes once, as ``(k, first member,
    taken[k])``, and its other members not at all."""
    skip_to = 0
    for k, e in enumerate(entities):
        if k < skip_to:
            continue
        whole = taken.get(k)
        if whole is not None:
            skip_to = k + len(whole)
        yield k, e, whole
