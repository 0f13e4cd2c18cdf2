"""Layer roles (convention §2): which layer names carry which kind of content."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

#: Default layer names per role key, matched case-insensitively after trimming.
DEFAULT_LAYERS: dict[str, tuple[str, ...]] = {
    "site": ("用地红线", "用地边界", "规划用地红线", "SITE", "SITE-BOUNDARY", "REDLINE"),
    "road": ("道路红线", "ROAD-REDLINE"),
    "building": ("建筑轮廓", "建筑基底", "建筑外轮廓", "BLDG", "BLDG-FOOTPRINT", "BUILDING"),
    "retained": ("保留建筑", "BLDG-RETAINED"),
    "existing": ("现状建筑", "周边建筑", "EXISTING"),
    "basement": ("地下室", "地下室轮廓", "地下建筑", "BASEMENT"),
    "civil_defense": ("人防", "人防范围", "CIVIL-DEFENSE"),
    "green": ("绿地", "绿化", "GREEN", "LANDSCAPE-GREEN"),
    "green_central": ("集中绿地", "GREEN-CENTRAL"),
    "parking": ("停车位", "车位", "机动车位", "PARKING"),
    "window": ("窗", "窗户", "WINDOW"),
    "fire_lane": ("消防车道", "FIRE-LANE"),
    "fire_rescue": ("消防登高场地", "登高场地", "FIRE-RESCUE"),
    "indicators": ("经济技术指标", "指标", "INDICATORS"),
}

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
    """Maps a layer name to its role key, from the defaults plus a manifest's ``[layers]``."""

    def __init__(self, extra: Mapping[str, tuple[str, ...]] | None = None, replace: bool = False):
        table: dict[str, list[str]] = {} if replace else {k: list(v) for k, v in DEFAULT_LAYERS.items()}
        for role, names in (extra or {}).items():
            table.setdefault(role, []).extend(names)
        self._exact: dict[str, str] = {}
        self._globs: list[tuple[str, str]] = []
        for role, names in table.items():
            for name in names:
                key = _norm(name)
                if any(ch in key for ch in "*?["):
                    self._globs.append((key, role))
                else:
                    self._exact.setdefault(key, role)
        self._cache: dict[str, str | None] = {}

    def role_of(self, layer: str) -> str | None:
        """The role of ``layer``, or None; exact names win over glob patterns."""
        try:
            return self._cache[layer]
        except KeyError:
            pass
        key = _norm(layer)
        role = self._exact.get(key)
        if role is None:
            role = next((r for pattern, r in self._globs if fnmatch.fnmatchcase(key, pattern)), None)
        self._cache[layer] = role
        return role
