"""Builders of the tiny submissions the per-rule fixtures are made of (metres, default English layers).

A :class:`Case` names a rule, an outcome-prefixed fixture name (``pass-``,
``fail-``, ``na-``, ``notrun-``) and a builder returning a :class:`Plan` (DXF)
or :class:`IfcPlan` (IFC) with ``save(folder)``. The expected numbers sit next
to each case, worked out by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ezdxf

OUTCOMES = {"pass": "passed", "fail": "failed", "na": "not_applicable", "notrun": "not_run"}


_USE_WORDS = ("住宅", "商业", "办公", "公建", "配套", "工业", "商住", "公寓")
_RATING_WORDS = ("一级", "二级", "三级", "四级")


def _stated(label: str) -> str:
    """The label with 住宅 and 二级 added when it states no use or no rating (for plain test plans)."""
    if not any(w in label for w in _USE_WORDS):
        label += " 住宅"
    if not any(w in label for w in _RATING_WORDS):
        label += " 二级"
    return label


class Plan:
    """A small site plan in metres on the default English layers."""

    def __init__(self) -> None:
        self.doc = ezdxf.new("R2018", setup=False)
        self.doc.header["$INSUNITS"] = 6
        self.msp = self.doc.modelspace()
        self.conditions: dict[str, object] = {}
        self.claims: list[dict] = []
        self.packs = ["gb50016-2014"]

    def rect(self, x0, y0, x1, y1, layer: str):
        return self.msp.add_lwpolyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], close=True,
                                       dxfattribs={"layer": layer})

    def site(self, x0=0.0, y0=0.0, x1=200.0, y1=100.0) -> "Plan":
        self.rect(x0, y0, x1, y1, "SITE")
        return self

    def building(self, label: str, x0, y0, x1, y1, layer: str = "BLDG", at=None, stated: bool = True) -> "Plan":
        """A part with an MTEXT label at ``at`` (default: its centre).

        With ``stated`` the label states a use and a fire-resistance rating (住宅, 二级 unless it says
        otherwise), so that a pass is a verdict, not a pass on an assumed value; ``stated=False``
        writes the label as given (the assumption fixtures).
        """
        if stated:
            label = _stated(label)
        self.rect(x0, y0, x1, y1, layer)
        self.msp.add_mtext(label.replace(" ", "\\P"), dxfattribs={
            "layer": layer, "insert": at or ((x0 + x1) / 2, (y0 + y1) / 2), "char_height": 0.5})
        return self

    def text(self, text: str, x, y, layer: str) -> "Plan":
        self.msp.add_text(text, dxfattribs={"layer": layer, "insert": (x, y), "height": 0.5})
        return self

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.doc.saveas(folder / "site.dxf")
        lines = ["[project]", f'name = "{folder.name}"', 'inputs = ["site.dxf"]',
                 "packs = [" + ", ".join(f'"{p}"' for p in self.packs) + "]", "", "[conditions]"]
        lines += [f"{k} = {_toml(v)}" for k, v in self.conditions.items()]
        for claim in self.claims:
            lines += ["", "[[claims]]"] + [f"{k} = {_toml(v)}" for k, v in claim.items()]
        (folder / "drawcheck.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return repr(v)


@dataclass
class Case:
    rule: str
    name: str  # OUTCOME-what
    build: Callable[[], Plan]
    measured: float | None = None  # expected measured value of the (first) finding, by hand
    required: float | None = None
    notes: dict = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return OUTCOMES[self.name.split("-", 1)[0]]

    @property
    def folder(self) -> str:
        return f"{self.rule.replace(':', '--').replace('/', '_')}/{self.name}"


class IfcPlan:
    """A one-building IFC submission built with samples/generate_ifc.py's writer."""

    def __init__(self, changes: dict | None = None) -> None:
        self.changes = changes or {}  # {(pset, key): value, or None to drop it}

    def save(self, folder: Path) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "samples"))
        from generate import Building, Part, Rect
        from generate_ifc import BFrame, IfcWriter, building_declared, building_expected, storey_plan

        b = Building("1#", [Part(Rect(0.0, 0.0, 40.0, 12.0), 10, 30.0, "residential")])
        storeys = storey_plan(b, None)
        declared = building_declared(b, building_expected(b, storeys), False)
        for (pset, key), value in self.changes.items():
            if value is None:
                declared[pset].pop(key, None) if key else declared[pset].clear()
            else:
                declared[pset][key] = value
        writer = IfcWriter("model.ifc", folder.name)
        site = writer.site("site", None)
        writer.building(site, b, BFrame((0.0, 0.0), 0.0), (0.0, 0.0), 0.0, storeys, declared, walls=False)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.ifc").write_bytes(writer.to_bytes(folder.name))
        (folder / "drawcheck.toml").write_text(
            f'[project]\nname = "{folder.name}"\ninputs = ["model.ifc"]\npacks = ["gb50016-2014"]\n', encoding="utf-8")
