"""Layer roles (convention §2): which layer names carry which kind of content."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

from .layer_names import Inference, fold, infer, name_table

#: Default layer names per role key, matched case-insensitively after trimming (``[exact]`` of layer_names.toml).
DEFAULT_LAYERS: dict[str, tuple[str, ...]] = dict(name_table().exact)

#: Roles whose entities are closed areas (the others are lines or text).
AREA_ROLES = frozenset(
    {"site", "building", "retained", "existing", "basement", "civil_defense",
     "green", "green_central", "parking", "fire_lane", "fire_rescue"}
)
#: Roles whose closed areas are building parts labelled by text of the same role.
PART_ROLES = ("building", "retained", "existing", "basement")
#: Roles read as lines (open or closed).
LINE_ROLES = frozenset({"road", "window"})


def _norm(name: str) -> str:
    return name.strip().casefold()


class LayerRoles:
    """Maps a layer name to its role key, from the defaults plus a manifest's ``[layers]``.

    :meth:`role_of` knows exact names and glob patterns only. A drawing's
    layers named otherwise may get a role by inference (:meth:`infer`), which
    :mod:`drawcheck.readers.layer_survey` accepts per drawing and hands back
    through :meth:`with_inferred`. ``strict`` (or ``replace``) turns inference off.
    """

    def __init__(self, extra: Mapping[str, tuple[str, ...]] | None = None, replace: bool = False,
                 strict: bool = False):
        table: dict[str, list[str]] = {} if replace else {k: list(v) for k, v in DEFAULT_LAYERS.items()}
        for role, names in (extra or {}).items():
            table.setdefault(role, []).extend(names)
        self._exact: dict[str, str] = {}
        self._folded: dict[str, tuple[str, str]] = {}  # for inference: folded exact name -> (role, name)
        self._globs: list[tuple[str, str]] = []
        for role, names in table.items():
            for name in names:
                key = _norm(name)
                if any(ch in key for ch in "*?["):
                    self._globs.append((key, role))
                else:
                    self._exact.setdefault(key, role)
                    self._folded.setdefault(fold(name), (role, name))
        self.strict = strict
        #: Inferred roles are used at all (not --strict-layers, and the manifest did not replace the defaults).
        self.infers = not (strict or replace)
        self._inferred: dict[str, str] = {}
        self._cache: dict[str, str | None] = {}

    def role_of(self, layer: str) -> str | None:
        """The role of ``layer``, or None; exact names win over glob patterns, which win over accepted inferences."""
        try:
            return self._cache[layer]
        except KeyError:
            pass
        role = self.named_role(layer)[0]
        if role is None and self._inferred:
            role = self._inferred.get(_norm(layer))
        self._cache[layer] = role
        return role

    def named_role(self, layer: str) -> tuple[str | None, str | None]:
        """(role, "exact" or "pattern") by the names given, without inference; (None, None) when none."""
        key = _norm(layer)
        role = self._exact.get(key)
        if role is not None:
            return role, "exact"
        role = next((r for pattern, r in self._globs if fnmatch.fnmatchcase(key, pattern)), None)
        return (role, "pattern") if role is not None else (None, None)

    def infer(self, layer: str) -> Inference | None:
        """What ``layer``'s name stands for once prefixes are taken off (a role, or a known no-role kind)."""
        return infer(layer, self._folded)

    def with_inferred(self, inferred: Mapping[str, str]) -> "LayerRoles":
        """A copy that also gives each layer of ``inferred`` (layer name -> role) its role."""
        other = object.__new__(LayerRoles)
        other.__dict__.update(self.__dict__)
        other._inferred = {_norm(layer): role for layer, role in inferred.items()}
        other._cache = {}
        return other
