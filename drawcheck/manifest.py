"""The project manifest ``drawcheck.toml`` (submission convention, section 6).

A submission is a single drawing file or a folder holding ``drawcheck.toml``.
:func:`load_manifest` reads and validates the whole schema strictly: an
unknown table or key, a wrong type, a value out of range, a path that leaves
the submission folder or a missing input raises :class:`ManifestError`,
whose message is one line naming the file and the key. Nothing in the
manifest is evaluated; it is data only.

The default layer names of section 2 live with the reader
(:mod:`drawcheck.readers.layers`); here only the role keys are validated.

The user documentation of every key is ``docs/manifest.md``; a key added
here must be added there, saying what reads it (``tests/test_manifest_docs.py``
holds the two to the same keys).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .tomldata import TomlDataError, param_value
from .tomldata import loads as toml_loads


__all__ = [
    "MANIFEST_NAME",
    "ManifestError",
    "InputSpec",
    "Claim",
    "Limits",
    "Consistency",
    "Manifest",
    "load_manifest",
    "single_drawing_manifest",
    "CONDITION_KEYS",
    "LAYER_ROLES",
]

MANIFEST_NAME = "drawcheck.toml"

#: A manifest is a few hundred bytes; refuse to parse anything huge.
MAX_MANIFEST_BYTES = 1_000_000

DEFAULT_LATITUDE = 31.2333  # Shanghai reference point 31°14'N
DEFAULT_LONGITUDE = 121.4667  # 121°28'E


class ManifestError(ValueError):
    """An unreadable or invalid manifest.

    ``str()`` is one line: ``"<file>: <message naming the key>"``. The parts
    are kept in ``file``, ``key`` (dotted, ``""`` when the file as a whole
    is at fault) and ``message``.
    """

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = " ".join(message.split("\n"))
        super().__init__(f"{self.file}: {self.message}")


@dataclass(frozen=True)
class InputSpec:
    """One input drawing: ``path`` relative to the submission folder (with
    ``/``); an IFC model is turned by ``rotation`` degrees counter-clockwise
    about its origin, then its origin placed at ``insert`` (x, y in metres,
    site plan coordinates). A DXF input keeps its own coordinates."""

    path: str
    insert: tuple[float, float] = (0.0, 0.0)
    rotation: float = 0.0


@dataclass(frozen=True)
class Claim:
    """A reduction a standard allows for one pair of buildings, claimed by
    the applicant (``rule`` ``"PACK:CLAUSE"``, ``note`` the table note)."""

    rule: str
    between: tuple[str, str]
    note: int
    reason: str


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading a submission."""

    max_bytes: int = 200_000_000
    max_entities: int = 2_000_000
    max_vertices: int = 20_000_000


@dataclass(frozen=True)
class Consistency:
    """How a building drawn on the site plan and modelled in an IFC are paired and compared (图模一致).

    ``area_tolerance``: ratio of the footprint areas' difference to the site
    plan's footprint area; ``hausdorff_tolerance`` (m): Hausdorff distance
    between the two footprint outlines; ``height_tolerance`` (m); floors
    above ground must be equal. ``match_iou``: a pair not matched by name is
    matched when its footprints' intersection over union reaches this.
    """

    area_tolerance: float = 0.01
    hausdorff_tolerance: float = 0.5
    height_tolerance: float = 0.3
    match_iou: float = 0.5


_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class Manifest:
    """A validated manifest (or the implicit one of a single drawing)."""

    root: Path
    name: str
    inputs: tuple[InputSpec, ...]
    packs: tuple[str, ...] | None
    latitude: float = DEFAULT_LATITUDE
    longitude: float = DEFAULT_LONGITUDE
    north_angle: float = 0.0
    conditions: Mapping[str, object] = field(default_factory=lambda: _EMPTY)
    layers: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    layers_replace: bool = False
    layers_strict: bool = False  # exact names and patterns only: no role inferred from a prefixed or synonym name
    claims: tuple[Claim, ...] = ()
    overrides: Mapping[str, Mapping[str, object]] = field(default_factory=lambda: _EMPTY)
    limits: Limits = Limits()
    source: Path | None = None
    area_drawings: tuple[tuple[str, str], ...] = ()  # (building id, path): area-calculation drawings
    consistency: Consistency = Consistency()  # drawing-model tolerances ([consistency])


# --- schema ---------------------------------------------------------------------

LAYER_ROLES: tuple[str, ...] = (
    "site",
    "road",
    "building",
    "retained",
    "existing",
    "basement",
    "civil_defense",
    "green",
    "green_central",
    "parking",
    "window",
    "fire_lane",
    "fire_rescue",
    "indicators",
)

@dataclass(frozen=True)
class _Cond:
    kind: type  # float, int, bool or str
    department: str
    upper: float | None = None  # numbers: inclusive upper bound (lower is 0)
    choices: tuple[str, ...] = ()


_CONDITIONS: dict[str, _Cond] = {
    "land_use": _Cond(str, "planning",
                      choices=("residential", "commercial", "office", "public", "industrial", "mixed")),
    "far_max": _Cond(float, "planning"),
    "coverage_max": _Cond(float, "planning", upper=1.0),
    "height_max": _Cond(float, "planning"),
    "setback_min": _Cond(float, "planning"),
    "road_setback_min": _Cond(float, "planning"),
    "green_ratio_min": _Cond(float, "greening", upper=1.0),
    "parking_min": _Cond(int, "traffic"),
    "basement_in_far": _Cond(bool, "planning"),
    "shanghai_zone": _Cond(str, "planning", choices=("inner", "outer")),
    "climate_zone": _Cond(str, "planning", choices=("I", "II", "III", "IV", "V", "VI", "VII")),
    "city_size": _Cond(str, "planning", choices=("large", "small")),
    "parking_per_household": _Cond(float, "traffic"),
    "parking_per_100m2": _Cond(float, "traffic"),
    "civil_defense_ratio": _Cond(float, "civil_defense", upper=1.0),
    "green_central_min": _Cond(float, "greening", upper=1.0),
    "road_width": _Cond(float, "planning"),
    "piecemeal_redevelopment": _Cond(bool, "greening"),
}

#: Schema of ``[conditions]``: key -> (Python type of the value, department
#: of its ``conditions:KEY`` rule).
CONDITION_KEYS: Mapping[str, tuple[type, str]] = MappingProxyType(
    {k: (c.kind, c.department) for k, c in _CONDITIONS.items()}
)

_TOP_KEYS = ("project", "site", "conditions", "layers", "claims", "overrides", "limits", "area_drawings",
             "consistency")
_PROJECT_KEYS = ("name", "inputs", "packs")
_INPUT_KEYS = ("path", "insert", "rotation")
_SITE_KEYS = ("latitude", "longitude", "north_angle")
_CLAIM_KEYS = ("rule", "between", "note", "reason")
_LIMIT_KEYS = tuple(f for f in Limits.__dataclass_fields__)
_CONSISTENCY_KEYS = tuple(f for f in Consistency.__dataclass_fields__)
#: ``[consistency]`` key -> its upper bound (ratios 1, lengths none); every lower bound is 0.
_CONSISTENCY_UPPER = {"area_tolerance": 1.0, "hausdorff_tolerance": None, "height_tolerance": None, "match_iou": 1.0}

_PACK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CLAIM_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*:[^\s:]\S*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# --- validation helpers -------------------------------------------------------


def _key(key: str, *parts: str | int) -> str:
    """Extend an already written dotted key with raw parts, as TOML writes
    them: ``_key("overrides", "a b", "x")`` is ``overrides."a b".x``, an int
    part is an array index (0-based): ``claims[0]``."""
    out = key
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, (_dt.date, _dt.time)):
        return "date-time"
    return type(value).__name__


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Validator:
    def __init__(self, file: Path, root: Path) -> None:
        self.file = file
        self.root = root

    def error(self, key: str, message: str) -> ManifestError:
        return ManifestError(self.file, key, message)

    def wrong_type(self, key: str, expected: str, value: object) -> ManifestError:
        return self.error(
            key, f"'{key}' must be {expected}, got {_type_name(value)} {_show(value)}"
        )

    def table(self, value: object, key: str, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.wrong_type(key, "a table", value)
        for k in value:
            if k not in allowed:
                full = _key(key, k)
                hint = difflib.get_close_matches(k, allowed, n=1, cutoff=0.7)
                suggestion = f" (did you mean '{_key(key, hint[0])}'?)" if hint else ""
                raise self.error(full, f"unknown key '{full}'{suggestion}")
        return value

    def number(self, value: object, key: str, lo: float | None = None,
               hi: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.wrong_type(key, "a number", value)
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.error(key, f"'{key}' must be a finite number, got {_show(value)}")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            if hi is None:
                rng = f">= {lo:g}"
            elif lo is None:
                rng = f"<= {hi:g}"
            else:
                rng = f"between {lo:g} and {hi:g}"
            raise self.error(key, f"'{key}' must be {rng}, got {_show(value)}")
        return number

    def integer(self, value: object, key: str, lo: int, hi: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.wrong_type(key, "an integer", value)
        if value < lo or (hi is not None and value > hi):
            rng = f">= {lo}" if hi is None else f"between {lo} and {hi}"
            raise self.error(key, f"'{key}' must be {rng}, got {value}")
        return value

    def string(self, value: object, key: str) -> str:
        if not isinstance(value, str):
            raise self.wrong_type(key, "a string", value)
        if not value.strip():
            raise self.error(key, f"'{key}' must not be empty")
        return value.strip()

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.wrong_type(key, "true or false", value)
        return value

    def choice(self, value: object, key: str, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str):
            raise self.wrong_type(key, "a string", value)
        if value not in choices:
            raise self.error(key, f"'{key}' must be one of {', '.join(choices)}; got {_show(value)}")
        return value

    def array(self, value: object, key: str) -> list:
        if not isinstance(value, list):
            raise self.wrong_type(key, "an array", value)
        return value

    def inside(self, value: object, key: str) -> str:
        """A path relative to the submission folder, normalised with ``/``;
        the file must exist there and stay there after resolving links."""
        raw = self.string(value, key)
        text = raw.replace("\\", "/")
        if "\x00" in text:
            raise self.error(key, f"'{key}' is not a valid path: {_show(raw)}")
        if text.startswith("/") or re.match(r"[A-Za-z]:", text):
            raise self.error(key, f"'{key}' must be relative to the submission folder, got absolute path {_show(raw)}")
        norm = posixpath.normpath(text)
        if norm == ".." or norm.startswith("../"):
            raise self.error(key, f"'{key}' leaves the submission folder: {_show(raw)}")
        if norm == ".":
            raise self.error(key, f"'{key}' is not a file: {_show(raw)}")
        full = self.root / norm
        try:
            resolved = full.resolve()
            inside = resolved.is_relative_to(self.root.resolve())
        except (OSError, RuntimeError, ValueError) as exc:  # link loops, bad names
            raise self.error(key, f"'{key}' cannot be resolved: {_show(raw)} ({exc})") from None
        if not inside:
            raise self.error(key, f"'{key}' resolves outside the submission folder (symbolic link): {_show(raw)}")
        try:
            exists, is_file = full.exists(), full.is_file()
        except OSError as exc:  # a name too long for the file system, ...
            raise self.error(key, f"'{key}' cannot be read: {_show(raw)} ({exc.strerror or exc})") from None
        if not exists:
            raise self.error(key, f"'{key}': file not found: {_show(raw)}")
        if not is_file:
            raise self.error(key, f"'{key}' is not a file: {_show(raw)}")
        return norm


# --- sections -------------------------------------------------------------------


def _inputs(v: _Validator, value: object) -> tuple[InputSpec, ...]:
    key = "project.inputs"
    items = v.array(value, key)
    if not items:
        raise v.error(key, f"'{key}' must list at least one drawing")
    specs: list[InputSpec] = []
    for i, item in enumerate(items):
        k = _key("project", "inputs", i)
        if isinstance(item, str):
            spec = InputSpec(v.inside(item, k))
        elif isinstance(item, dict):
            v.table(item, k, _INPUT_KEYS)
            if "path" not in item:
                raise v.error(_key(k, "path"), f"missing required key '{_key(k, 'path')}'")
            insert = (0.0, 0.0)
            if "insert" in item:
                ik = _key(k, "insert")
                pair = v.array(item["insert"], ik)
                if len(pair) != 2:
                    raise v.error(ik, f"'{ik}' must be [x, y], got {len(pair)} values")
                insert = (v.number(pair[0], _key(ik, 0)), v.number(pair[1], _key(ik, 1)))
            rotation = v.number(item["rotation"], _key(k, "rotation")) if "rotation" in item else 0.0
            spec = InputSpec(v.inside(item["path"], _key(k, "path")), insert, rotation)
        else:
            raise v.wrong_type(k, "a path string or a table {path, insert, rotation}", item)
        if any(s.path == spec.path for s in specs):
            raise v.error(k, f"'{k}' lists {spec.path!r} a second time")
        specs.append(spec)
    return tuple(specs)


def _packs(v: _Validator, value: object) -> tuple[str, ...]:
    packs: list[str] = []
    for i, item in enumerate(v.array(value, "project.packs")):
        k = _key("project", "packs", i)
        text = v.string(item, k)
        if text.lower().endswith(".toml") or "/" in text or "\\" in text:
            pack = v.inside(text, k)
        elif _PACK_ID.fullmatch(text):
            pack = text
        else:
            raise v.error(k, f"'{k}' is neither a pack id nor a .toml path: {_show(item)}")
        if pack in packs:
            raise v.error(k, f"'{k}' lists pack {pack!r} a second time")
        packs.append(pack)
    return tuple(packs)


def _conditions(v: _Validator, value: object) -> Mapping[str, object]:
    table = v.table(value, "conditions", tuple(_CONDITIONS))
    out: dict[str, object] = {}
    for name, raw in table.items():
        k = _key("conditions", name)
        cond = _CONDITIONS[name]
        if cond.kind is bool:
            out[name] = v.boolean(raw, k)
        elif cond.kind is str:
            out[name] = v.choice(raw, k, cond.choices)
        elif cond.kind is int:
            out[name] = v.integer(raw, k, 0)
        else:
            out[name] = v.number(raw, k, 0.0, cond.upper)
    return MappingProxyType(out)


def _layers(v: _Validator, value: object) -> tuple[Mapping[str, tuple[str, ...]], bool, bool]:
    table = v.table(value, "layers", LAYER_ROLES + ("replace", "strict"))
    replace = v.boolean(table["replace"], "layers.replace") if "replace" in table else False
    strict = v.boolean(table["strict"], "layers.strict") if "strict" in table else False
    layers: dict[str, tuple[str, ...]] = {}
    for role in LAYER_ROLES:
        if role in table:
            k = _key("layers", role)
            names = v.array(table[role], k)
            layers[role] = tuple(v.string(n, _key(k, i)) for i, n in enumerate(names))
    return MappingProxyType(layers), replace, strict


def _claims(v: _Validator, value: object) -> tuple[Claim, ...]:
    if not isinstance(value, list):
        raise v.wrong_type("claims", "an array of tables ([[claims]])", value)
    claims = []
    for i, item in enumerate(value):
        k = _key("claims", i)
        v.table(item, k, _CLAIM_KEYS)
        for name in _CLAIM_KEYS:
            if name not in item:
                raise v.error(_key(k, name), f"missing required key '{_key(k, name)}'")
        rule = v.string(item["rule"], _key(k, "rule"))
        if not _CLAIM_RULE.fullmatch(rule):
            raise v.error(_key(k, "rule"), f"'{_key(k, 'rule')}' must be \"PACK:CLAUSE\", got {_show(rule)}")
        bk = _key(k, "between")
        pair = v.array(item["between"], bk)
        if len(pair) != 2:
            raise v.error(bk, f"'{bk}' must name exactly 2 buildings, got {len(pair)}")
        a, b = (v.string(x, _key(bk, j)) for j, x in enumerate(pair))
        if a == b:
            raise v.error(bk, f"'{bk}' must name 2 different buildings, got {a!r} twice")
        note = v.integer(item["note"], _key(k, "note"), 1, 7)
        reason = v.string(item["reason"], _key(k, "reason"))
        claims.append(Claim(rule, (a, b), note, reason))
    return tuple(claims)


def _overrides(v: _Validator, value: object) -> Mapping[str, Mapping[str, object]]:
    if not isinstance(value, dict):
        raise v.wrong_type("overrides", "a table", value)
    out: dict[str, Mapping[str, object]] = {}
    for pack, params in value.items():
        pk = _key("overrides", pack)
        if not pack.strip():
            raise v.error(pk, f"'{pk}': the pack name must not be empty")
        if not isinstance(params, dict):
            raise v.wrong_type(pk, "a table of parameters", params)
        checked: dict[str, object] = {}
        for name, param in params.items():
            k = _key("overrides", pack, name)
            if isinstance(param, (int, float)) and not isinstance(param, bool):
                v.number(param, k)
            if not param_value(param):  # its shape against the pack's default is checked when applied
                raise v.wrong_type(k, "a number, string, boolean or array of them", param)
            checked[name] = param
        out[pack] = MappingProxyType(checked)
    return MappingProxyType(out)


def _area_drawings(v: _Validator, value: object, inputs: tuple[InputSpec, ...]) -> tuple[tuple[str, str], ...]:
    """``[area_drawings]``: building id -> the path (or array of paths) of its area-calculation drawings."""
    if not isinstance(value, dict):
        raise v.wrong_type("area_drawings", "a table (building id = path or array of paths)", value)
    out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for building, paths in value.items():
        k = _key("area_drawings", building)
        if not building.strip():
            raise v.error(k, f"'{k}': the building id must not be empty")
        items = [paths] if isinstance(paths, str) else paths
        if not isinstance(items, list) or not items:
            raise v.wrong_type(k, "a path string or a non-empty array of paths", paths)
        for i, item in enumerate(items):
            ik = k if isinstance(paths, str) else _key(k, i)
            path = v.inside(item, ik)
            if any(s.path == path for s in inputs):
                raise v.error(ik, f"'{ik}' is also in 'project.inputs': an area drawing is listed here only")
            if path in seen:
                raise v.error(ik, f"'{ik}' lists {path!r}, already the area drawing of {seen[path]!r}")
            seen[path] = building.strip()
            out.append((building.strip(), path))
    return tuple(out)


def _limits(v: _Validator, value: object) -> Limits:
    table = v.table(value, "limits", _LIMIT_KEYS)
    return Limits(**{name: v.integer(raw, _key("limits", name), 1) for name, raw in table.items()})


def _consistency(v: _Validator, value: object) -> Consistency:
    """``[consistency]``: tolerances of the drawing-model comparison (ratios 0..1, lengths in m)."""
    table = v.table(value, "consistency", _CONSISTENCY_KEYS)
    out = {name: v.number(raw, _key("consistency", name), 0.0, _CONSISTENCY_UPPER[name]) for name, raw in table.items()}
    if out.get("match_iou") == 0.0:
        raise v.error("consistency.match_iou", "'consistency.match_iou' must be above 0 (0 would pair buildings "
                      "that do not overlap)")
    return Consistency(**out)


# --- loading --------------------------------------------------------------------


def _read_toml(file: Path) -> dict:
    try:
        size = file.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise ManifestError(file, "", f"manifest is {size} bytes, more than {MAX_MANIFEST_BYTES}")
        data = file.read_bytes()
    except OSError as exc:
        raise ManifestError(file, "", f"cannot read the manifest: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(file, "", f"manifest is not UTF-8 (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")  # a BOM left by Windows editors
    try:
        return toml_loads(text)
    except TomlDataError as exc:
        raise ManifestError(file, "", str(exc)) from None


def load_manifest(path: Path | str) -> Manifest:
    """Read and validate a manifest.

    Parameters
    ----------
    path : the ``drawcheck.toml`` file, or the submission folder holding it.

    Returns
    -------
    The manifest; ``root`` is the folder holding the file (absolute),
    ``source`` the file. Absent sections take their defaults; ``packs`` is
    None when ``[project] packs`` is absent.

    Raises
    ------
    ManifestError : unreadable file, TOML syntax error (with line and
        column), unknown key, wrong type, value out of range, input or pack
        path absolute, leaving the folder (``..``, links) or missing.
    """
    path = Path(path)
    file = path / MANIFEST_NAME if path.is_dir() else path
    if not file.is_file():
        raise ManifestError(file, "", "manifest not found")
    root = file.absolute().parent
    data = _read_toml(file)
    v = _Validator(file, root)
    v.table(data, "", _TOP_KEYS)

    if "project" not in data:
        raise v.error("project.inputs", "missing required key 'project.inputs'")
    project = v.table(data["project"], "project", _PROJECT_KEYS)
    if "inputs" not in project:
        raise v.error("project.inputs", "missing required key 'project.inputs'")
    name = v.string(project["name"], "project.name") if "name" in project else root.name
    inputs = _inputs(v, project["inputs"])
    packs = _packs(v, project["packs"]) if "packs" in project else None

    site = v.table(data.get("site", {}), "site", _SITE_KEYS)
    latitude = v.number(site.get("latitude", DEFAULT_LATITUDE), "site.latitude", -90.0, 90.0)
    longitude = v.number(site.get("longitude", DEFAULT_LONGITUDE), "site.longitude", -180.0, 180.0)
    north_angle = v.number(site.get("north_angle", 0.0), "site.north_angle", -360.0, 360.0)

    conditions = _conditions(v, data["conditions"]) if "conditions" in data else _EMPTY
    layers, layers_replace, layers_strict = _layers(v, data["layers"]) if "layers" in data else (_EMPTY, False, False)
    claims = _claims(v, data["claims"]) if "claims" in data else ()
    overrides = _overrides(v, data["overrides"]) if "overrides" in data else _EMPTY
    limits = _limits(v, data["limits"]) if "limits" in data else Limits()
    area_drawings = _area_drawings(v, data["area_drawings"], inputs) if "area_drawings" in data else ()
    consistency = _consistency(v, data["consistency"]) if "consistency" in data else Consistency()

    return Manifest(
        root=root,
        name=name,
        inputs=inputs,
        packs=packs,
        latitude=latitude,
        longitude=longitude,
        north_angle=north_angle,
        conditions=conditions,
        layers=layers,
        layers_replace=layers_replace,
        layers_strict=layers_strict,
        claims=claims,
        overrides=overrides,
        limits=limits,
        source=file,
        area_drawings=area_drawings,
        consistency=consistency,
    )


def single_drawing_manifest(drawing: Path | str) -> Manifest:
    """The implicit manifest of a lone drawing file.

    ``inputs`` is the file's name, ``root`` its folder (absolute), ``name``
    the file's stem, ``packs`` None, everything else the defaults.

    Raises
    ------
    ManifestError : the file does not exist or is not a file.
    """
    drawing = Path(drawing)
    if not drawing.is_file():
        raise ManifestError(drawing, "", "drawing not found")
    return Manifest(
        root=drawing.absolute().parent,
        name=drawing.stem,
        inputs=(InputSpec(drawing.name),),
        packs=None,
    )
