"""The 经济技术指标表 computed by drawcheck, for the designer before submission (issue 14, point 3).

From a prepared submission (:func:`drawcheck.pipeline.prepare`) this builds
the table rows -- site area, floor areas, FAR, coverage, green ratio, height,
parking, households when the labels state them -- with every value rounded
as the report shows it (:func:`drawcheck.rounding.as_reported`) and named in
the label grammar the declared reader reads back (convention §7,
:data:`drawcheck.readers.declared.DECLARED_NAMES`). The rows are written

* into the site-plan DXF: the old table's TEXT, MTEXT and ACAD_TABLE
  entities on the indicators layer(s) (and INSERTs there whose block holds
  text) are replaced by one TEXT per row, ``NAME:VALUE``, at the old table's
  top-left corner, in the drawing's units; nothing else changes;
* as application pre-fill data (项目基本信息 and the indicators with units).

Checking the written drawing then finds every declared value ``ok``.
"""

from __future__ import annotations

import math
import shutil
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ezdxf import bbox

from .manifest import MANIFEST_NAME
from .readers.declared import DECLARED_NAMES
from .readers.dxf_entities import layer_of
from .readers.dxf_load import load_dxf
from .readers.layer_survey import survey_layers
from .readers.layers import DEFAULT_LAYERS, LayerRoles
from .rounding import DIGITS, as_reported
from .rules.conditions import stated_households
from .rules.registry import NotRun
from .tomldata import TomlDataError, loads

__all__ = ["Row", "Table", "TableError", "build_table", "prefill", "write_table", "copy_submission"]

#: Row order and the name of each row: the declared reader's first name where it knows the key,
#: else a name it passes over (地上/地下建筑面积 and 户数 are not declared indicators, convention §7).
ROW_NAMES: dict[str, str] = {
    "site_area": DECLARED_NAMES["site_area"][0],
    "gfa_total": DECLARED_NAMES["gfa_total"][0],
    "gfa_above": "地上建筑面积",
    "gfa_below": "地下建筑面积",
    "gfa_far": DECLARED_NAMES["gfa_far"][0],
    "far": DECLARED_NAMES["far"][0],
    "coverage": DECLARED_NAMES["coverage"][0],
    "green_ratio": DECLARED_NAMES["green_ratio"][0],
    "max_height": DECLARED_NAMES["max_height"][0],
    "parking_spaces": DECLARED_NAMES["parking_spaces"][0],
    "households": "户数",
}
#: Title written above the rows (the reader ignores it: it is no indicator name).
TITLE = "主要经济技术指标"
#: Ratios shown in per cent (the others, FAR, as the bare ratio).
PERCENT_KEYS = frozenset({"coverage", "green_ratio"})
#: Units of the table, per report unit (the declared reader accepts each for its key).
_TABLE_UNIT = {"m2": "㎡", "m": "m", "count": "个"}
HOUSEHOLD_UNIT = "户"
#: Entities that make up a declared table (what the reader reads as indicator text).
TABLE_TYPES = frozenset({"TEXT", "MTEXT", "ACAD_TABLE"})
#: Row pitch and title height, in text heights.
ROW_PITCH = 2.0
TITLE_SCALE = 1.2
#: Without an old table: text height as a share of the site's larger extent, and the gap to the site.
SITE_TEXT_SHARE = 1 / 60
SITE_GAP_SHARE = 0.1
#: Text style added for the Chinese rows when the drawing has no old table to take a style from.
CJK_STYLE, CJK_FONT = "DRAWCHECK-HZ", "simsun.ttf"


class TableError(ValueError):
    """The table cannot be written for this submission; the message is one line."""


@dataclass(frozen=True)
class Row:
    """One row: ``value`` as the table shows it (ratios in % for coverage and green ratio) with its ``unit``
    (``None`` for FAR); ``reported`` the report's value (m², m, ratio 0-1 or a count)."""

    key: str
    name: str
    value: float | int
    unit: str | None
    reported: float | int
    number: str  # the value as written

    @property
    def text(self) -> str:
        """``NAME:VALUE`` as written into the drawing."""
        return f"{self.name}:{self.number}{self.unit or ''}"

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "value": self.value, "unit": self.unit, "text": self.text}


@dataclass
class Table:
    """The rows, and one line per indicator left out because it could not be computed."""

    rows: list[Row]
    left_out: list[str] = field(default_factory=list)


def _number(value: float, digits: int, least: int = 2) -> str:
    """``value`` with ``digits`` decimals, trailing zeros dropped down to ``least`` decimals."""
    text = f"{value:.{digits}f}"
    if "." not in text:
        return text
    whole, frac = text.split(".")
    frac = frac.rstrip("0").ljust(least, "0")
    return f"{whole}.{frac}" if frac else whole


def _row(key: str, reported, unit: str) -> Row:
    name = ROW_NAMES[key]
    if unit == "count":
        count = int(reported)
        return Row(key, name, count, HOUSEHOLD_UNIT if key == "households" else _TABLE_UNIT[unit], count, str(count))
    if unit == "ratio" and key in PERCENT_KEYS:
        digits = DIGITS["ratio"] - 2  # a ratio to 4 decimals is a per cent to 2, exactly
        number = _number(reported * 100.0, digits, digits)
        return Row(key, name, float(number), "%", reported, number)
    number = _number(reported, DIGITS[unit])
    return Row(key, name, float(number), _TABLE_UNIT.get(unit), reported, number)


def build_table(prepared) -> Table:
    """The table rows of a prepared submission (:class:`drawcheck.pipeline.Prepared`).

    An indicator with no value (``None``: no site, a part without floors...) is
    left out with its reason; households only when a building label states them.
    """
    values = prepared.indicators.values
    table = Table([])
    for key in ROW_NAMES:
        if key == "households":
            continue
        indicator = values[key]
        reported = as_reported(indicator.value, indicator.unit)
        if reported is None:
            table.left_out.append(f"{key} left out: {indicator.reason}")
            continue
        table.rows.append(_row(key, reported, indicator.unit))
    parts = [pf.part for b in prepared.indicators.buildings for pf in b.parts]
    if any(p.households is not None for p in parts):  # labelled: the total, or why it cannot be given
        try:
            table.rows.append(_row("households", stated_households(prepared), "count"))
        except NotRun as exc:
            table.left_out.append(f"households left out: {exc}")
    return table


def prefill(prepared, table: Table) -> dict:
    """Application pre-fill data: 项目基本信息 from the manifest, and the indicators of ``table``."""
    manifest = prepared.manifest
    project: dict = {"name": manifest.name}
    if "land_use" in manifest.conditions:
        project["land_use"] = manifest.conditions["land_use"]
    site = _manifest_site(manifest)
    for key in ("latitude", "longitude"):
        if key in site:
            project[key] = getattr(manifest, key)
    return {"project": project, "indicators": [row.as_dict() for row in table.rows]}


def _manifest_site(manifest) -> dict:
    """The ``[site]`` table as written (the manifest fills defaults, which are no location)."""
    if manifest.source is None:
        return {}
    try:
        site = loads(manifest.source.read_text(encoding="utf-8")).get("site", {})
    except (OSError, TomlDataError):
        return {}
    return site if isinstance(site, dict) else {}


# --- writing into the drawing ------------------------------------------------------------


@dataclass
class Written:
    """What :func:`write_table` wrote: the drawing, the handles it removed and added."""

    path: Path
    input: str
    removed: list[str]
    added: list[str]
    layer: str
    kept: list[str] = field(default_factory=list)  # INSERTs on other layers whose blocks hold old table text


def target_input(prepared) -> str:
    """The site-plan DXF input the table goes into: where the old table is, else where the site is.

    Raises :class:`TableError` for a submission without one (DWG or IFC only).
    """
    project = prepared.project
    formats = {i.path: i.format for i in project.inputs}
    held = [s.input for d in project.declared.values() for s in d.sources]
    if not held and len(project.sites) == 1:
        held = [project.sites[0].source.input]
    if not held:
        kinds = set(formats.values())
        if "dwg" in kinds and "dxf" not in kinds:
            raise TableError("the drawing is a DWG: drawcheck writes the table into DXF only (save it as DXF)")
        if "dxf" not in kinds:
            raise TableError("no DXF input (IFC models only): no drawing to write the table into")
        raise TableError("no site boundary and no old indicators table in the DXF inputs: nowhere to place the table")
    name = held[0]
    if formats.get(name) != "dxf":
        raise TableError(f"{name} is not a DXF drawing ({formats.get(name, 'unknown')}): drawcheck writes the table "
                         "into DXF only (save the site plan as DXF)")
    return name


def _roles(prepared, doc) -> LayerRoles:
    """Layer roles as the reader gave them for ``doc``: the manifest's names and this drawing's inferences."""
    manifest = prepared.manifest
    roles = LayerRoles(manifest.layers, manifest.layers_replace, strict=manifest.layers_strict)
    inferred = survey_layers(doc, roles).inferred() if roles.infers else {}
    return roles.with_inferred(inferred) if inferred else roles


def _holds_table_text(doc, name: str, layer: str, roles: LayerRoles, seen: frozenset = frozenset()) -> bool:
    """Whether block ``name``, inserted on ``layer``, holds text the reader takes as indicator text.

    Content on layer 0 takes its INSERT's layer, as the reader walks blocks; nested INSERTs count.
    """
    block = doc.blocks.get(name)
    if block is None or name in seen:
        return False
    for e in block:
        own = layer_of(e)
        inner = layer if own == "0" else own
        kind = e.dxftype()
        if kind in TABLE_TYPES and roles.role_of(inner) == "indicators":
            return True
        if kind == "INSERT" and _holds_table_text(doc, e.dxf.get("name", ""), inner, roles, seen | {name}):
            return True
    return False


def _old_table(doc, roles: LayerRoles) -> tuple[list, list]:
    """Model-space entities of the old table, and INSERTs elsewhere whose blocks hold some of it.

    The old table: text on an indicators layer, and INSERTs there holding indicator text. An INSERT on
    another layer with indicator text inside its block cannot go without taking other content with it.
    """
    old, elsewhere = [], []
    for e in doc.modelspace():
        kind, layer = e.dxftype(), layer_of(e)
        on_layer = roles.role_of(layer) == "indicators"
        if kind in TABLE_TYPES and on_layer:
            old.append(e)
        elif kind == "INSERT" and _holds_table_text(doc, e.dxf.get("name", ""), layer, roles):
            (old if on_layer else elsewhere).append(e)
    return old, elsewhere


def _text_height(e) -> float | None:
    kind = e.dxftype()
    if kind == "TEXT":
        return float(e.dxf.get("height", 0.0)) or None
    if kind == "MTEXT":
        return float(e.dxf.get("char_height", 0.0)) or None
    return None


def _corner(old: list) -> tuple[float, float] | None:
    """Top-left of the old table's extent (drawing units), or None when ezdxf gives it no extent."""
    try:
        box = bbox.extents(old, fast=True)
    except Exception:  # an entity ezdxf cannot measure: use insertion points
        box = None
    if box is not None and box.has_data:
        return float(box.extmin.x), float(box.extmax.y)
    points = [e.dxf.insert for e in old if e.dxf.hasattr("insert")]
    if not points:
        return None
    return min(p.x for p in points), max(p.y for p in points)


def _beside_site(prepared, unit_m: float) -> tuple[tuple[float, float], float]:
    """A corner right of the site and a text height, in drawing units, for a drawing without a table."""
    ring = prepared.project.sites[0].rings[0][:, :2] / unit_m
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    size = float(np.max(hi - lo))  # bulged edges may bulge past the vertices: the gap below covers it
    height = SITE_TEXT_SHARE * size
    height = round(height, -math.floor(math.log10(height))) if height > 0 else 1.0 / unit_m  # one significant digit
    return (float(hi[0]) + SITE_GAP_SHARE * size, float(hi[1])), height


def _visible(doc, name: str) -> bool:
    layer = doc.layers.get(name) if doc.layers.has_entry(name) else None
    return layer is None or not (layer.is_off() or layer.is_frozen())


def _layer(doc, roles: LayerRoles, old: list, manifest) -> str:
    """The layer for the new rows: the old table's (visible) layer, else an indicators layer by its name."""
    used = Counter(layer_of(e) for e in old if _visible(doc, layer_of(e)))
    if used:
        return used.most_common(1)[0][0]
    names = list(manifest.layers.get("indicators", ()))
    if not manifest.layers_replace:
        names += list(DEFAULT_LAYERS["indicators"])
    names = [n for n in names if not any(ch in n for ch in "*?[") and roles.role_of(n) == "indicators"]
    existing = [n for n in names if doc.layers.has_entry(n)]
    for name in existing + names:
        if _visible(doc, name):
            return name
    raise TableError("every indicators layer name is off or frozen, or only a pattern: no layer to write the table on")


def _strip(prepared, name: str):
    """(document, roles, the old table's entities, INSERTs elsewhere holding some) of input ``name``."""
    doc = load_dxf(prepared.manifest.root / name).doc
    roles = _roles(prepared, doc)
    return (doc, roles, *_old_table(doc, roles))


def _placement(prepared, doc, old: list, unit_m: float) -> tuple[tuple[float, float], float, str]:
    """(top-left corner, text height, text style) of the new table, in drawing units.

    The old table's corner, median text height and most used style; beside the site (and a style with
    a Chinese font) when the drawing had none.
    """
    corner = _corner(old) if old else None
    if corner is None and not prepared.project.sites:
        raise TableError("no old table and no site boundary to place the table by")
    beside, site_height = _beside_site(prepared, unit_m) if prepared.project.sites else (None, None)
    heights = [h for h in map(_text_height, old) if h]
    height = statistics.median(heights) if corner is not None and heights else site_height
    styles = Counter(e.dxf.get("style", "Standard") for e in old if e.dxftype() in ("TEXT", "MTEXT"))
    style = styles.most_common(1)[0][0] if styles else _cjk_style(doc)
    return corner or beside, height, style


def _add_rows(doc, table: Table, layer: str, corner: tuple[float, float], height: float, style: str) -> list[str]:
    """The title and one TEXT per row, downwards from ``corner``; returns their handles."""
    msp = doc.modelspace()
    if not doc.layers.has_entry(layer):
        doc.layers.add(layer)
    x, y = corner
    handles = []
    for text, h in [(TITLE, height * TITLE_SCALE)] + [(row.text, height) for row in table.rows]:
        y -= h  # baseline: the text hangs from the line above
        entity = msp.add_text(text, height=h, dxfattribs={"layer": layer, "style": style})
        entity.set_placement((x, y))
        handles.append(entity.dxf.handle)
        y -= (ROW_PITCH - 1.0) * height
    return handles


def write_table(prepared, table: Table, out: Path) -> list[Written]:
    """Write the table into the site-plan DXF under ``out`` (same relative name as the input).

    The old table goes (its text on the indicators layers, see the module docstring); one TEXT per
    row is added at its top-left corner with its text height and style, or beside the site when the
    drawing had none. Another DXF input that also holds declared text loses it too (written beside).
    Raises :class:`TableError` when there is no DXF to write into.
    """
    target = target_input(prepared)
    inputs = {i.path: i for i in prepared.project.inputs}
    others = sorted({s.input for d in prepared.project.declared.values() for s in d.sources} - {target})
    for name in others:
        if inputs[name].format != "dxf":
            raise TableError(f"{name} holds declared indicators but is not a DXF drawing ({inputs[name].format}): "
                             "drawcheck rewrites DXF only")
    written = []
    for name in [target, *others]:
        doc, roles, old, elsewhere = _strip(prepared, name)
        layer, added, removed = "", [], [e.dxf.handle for e in old]
        if name == target:
            corner, height, style = _placement(prepared, doc, old, inputs[name].unit_m or 1.0)
            layer = _layer(doc, roles, old, prepared.manifest)
        for e in old:
            doc.modelspace().delete_entity(e)
        if name == target:
            added = _add_rows(doc, table, layer, corner, height, style)
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.saveas(path)
        kept = [f"INSERT {e.dxf.handle} of block '{e.dxf.get('name', '')}' on layer {layer_of(e)}" for e in elsewhere]
        written.append(Written(path, name, removed, added, layer, kept))
    return written


def _cjk_style(doc) -> str:
    """A text style with a Chinese font (added when the drawing has none of that name)."""
    if not doc.styles.has_entry(CJK_STYLE):
        doc.styles.add(CJK_STYLE, font=CJK_FONT)
    return CJK_STYLE


def copy_submission(prepared, out: Path, written: list[Written]) -> list[Path]:
    """Copy the manifest (as ``out/drawcheck.toml``), the inputs not rewritten, area drawings and local packs.

    Nothing is copied for a lone drawing (no manifest). Returns the files copied.
    """
    manifest = prepared.manifest
    if manifest.source is None:
        return []
    root = manifest.root.resolve()
    done = {w.input for w in written}
    names = [i.path for i in manifest.inputs] + [rel for _, rel in manifest.area_drawings]
    for pack in prepared.packs:  # a pack file (and its IDS) kept beside the manifest
        for file in (pack.path, pack.ids):
            if file is not None and Path(file).resolve().is_relative_to(root):
                names.append(Path(file).resolve().relative_to(root).as_posix())
    copied = []
    target = out / MANIFEST_NAME
    shutil.copyfile(manifest.source, target)
    copied.append(target)
    for name in dict.fromkeys(names):
        if name in done:
            continue
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, target)
        copied.append(target)
    return copied
