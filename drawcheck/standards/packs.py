"""Rule packs: one TOML file per standard, validated on load.

A pack file holds ``[pack]`` (id, title, version), optional ``[params]``
(numbers a city may override through the manifest's ``[overrides.PACK]``)
and ``[[rules]]``. Each rule names a registered check function; nothing in
a pack is evaluated. See ``docs/rules.md`` for the format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..tomldata import TomlDataError, param_value
from ..model import ASSUMPTION_KINDS
from ..tomldata import loads as toml_loads

PACK_DIR = Path(__file__).parent
#: Packs every check runs, whatever the manifest selects.
BUILTIN_PACKS = ("conditions", "declared", "qa")
#: Selected when neither the manifest nor --packs says otherwise.
DEFAULT_PACKS = ("gb50016-2014",)
DEPARTMENTS = ("planning", "fire", "greening", "traffic", "civil_defense", "qa")
SEVERITIES = ("error", "warning", "info")
CONFIDENCES = ("verified", "secondary", "unverified")

_PACK_KEYS = {"id": str, "title": str, "title_en": str, "standard": str, "version": str, "department": str,
              "ids": str, "rests_on": list}
_PACK_REQUIRED = ("id", "title", "version")
_RULE_KEYS = {"code": str, "check": str, "department": str, "clause": str, "severity": str, "confidence": str,
              "title": str, "title_en": str, "message": str, "message_en": str, "args": dict, "params": list,
              "rests_on": list}
_RULE_REQUIRED = ("code", "check", "department", "clause", "severity", "confidence", "title", "message")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)?$")


class PackError(ValueError):
    """A pack file (or an override of it) is invalid; ``str()`` is one line naming the file and key."""


@dataclass(frozen=True)
class Rule:
    """One rule of a pack; ``id`` is ``PACK:CODE`` as reported."""

    pack: str
    code: str
    check: str
    department: str
    clause: str
    severity: str
    confidence: str
    title: str
    message: str
    title_en: str = ""
    message_en: str = ""
    args: Mapping[str, object] = field(default_factory=dict)
    params: tuple[str, ...] = ()
    #: Assumption kinds (model.ASSUMPTION_KINDS) the verdict rests on; a pack that says nothing rests on all.
    rests_on: tuple[str, ...] = tuple(ASSUMPTION_KINDS)

    @property
    def id(self) -> str:
        return f"{self.pack}:{self.code}"


@dataclass
class Pack:
    id: str
    title: str
    version: str
    sha256: str
    path: Path
    rules: list[Rule]
    params: dict[str, object] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)  # params before overrides
    title_en: str = ""
    standard: str = ""
    ids: Path | None = None  # an IDS file run on every IFC input (ifctester)

    @property
    def overridden(self) -> dict[str, dict[str, object]]:
        return {k: {"default": self.defaults[k], "value": v} for k, v in self.params.items() if self.defaults[k] != v}


def _fail(path: Path, where: str, what: str) -> PackError:
    return PackError(f"{path.name}: {where}: {what}" if where else f"{path.name}: {what}")


def _check_table(path: Path, where: str, table: Mapping, schema: Mapping[str, type], required: Sequence[str]) -> None:
    for key, value in table.items():
        if key not in schema:
            raise _fail(path, where, f"unknown key '{key}'")
        if not isinstance(value, schema[key]):
            raise _fail(path, where, f"'{key}' must be a {schema[key].__name__}")
    for key in required:
        if key not in table or table[key] in ("", None):
            raise _fail(path, where, f"missing key '{key}'")


def _rests_on(path: Path, where: str, kinds: list) -> tuple[str, ...]:
    """A ``rests_on`` list, checked against the known assumption kinds."""
    for kind in kinds:
        if kind not in ASSUMPTION_KINDS:
            raise _fail(path, where, f"rests_on '{kind}' is not one of {', '.join(ASSUMPTION_KINDS)}")
    return tuple(dict.fromkeys(kinds))


def load_pack_file(path: Path, known_checks: Mapping[str, object] | None = None) -> Pack:
    """Load and validate one pack file (``known_checks``: the registry, to refuse unknown check names)."""
    try:
        raw_bytes = path.read_bytes()
        data = toml_loads(raw_bytes.decode("utf-8"))
    except FileNotFoundError:
        raise PackError(f"{path.name}: no such pack file") from None
    except OSError as exc:
        raise PackError(f"{path.name}: cannot read the pack file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PackError(f"{path.name}: not UTF-8 (byte {exc.start})") from None
    except TomlDataError as exc:
        raise PackError(f"{path.name}: {exc}") from None
    for key in data:
        if key not in ("pack", "params", "rules"):
            raise _fail(path, "", f"unknown table '{key}'")
    head = data.get("pack")
    if not isinstance(head, dict):
        raise _fail(path, "", "missing table [pack]")
    _check_table(path, "[pack]", head, _PACK_KEYS, _PACK_REQUIRED)
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise _fail(path, "", "[params] must be a table")
    for name, value in params.items():
        if not param_value(value):
            raise _fail(path, "[params]", f"'{name}' must be a number, string, boolean or array of them")
    rules_raw = data.get("rules", [])
    if not isinstance(rules_raw, list) or not all(isinstance(r, dict) for r in rules_raw):
        raise _fail(path, "", "[[rules]] must be an array of tables")
    pack_id = head["id"]
    ids_path = None
    if "ids" in head:
        ids_path = (path.parent / head["ids"]).resolve()
        if not ids_path.is_relative_to(path.parent.resolve()) or not ids_path.is_file():
            raise _fail(path, "[pack]", f"ids file '{head['ids']}' not found beside the pack")
    pack_rests_on = _rests_on(path, "[pack]", head.get("rests_on", list(ASSUMPTION_KINDS)))
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(rules_raw):
        where = f"rules[{i}]" + (f" ({raw['code']})" if isinstance(raw.get("code"), str) else "")
        raw = dict(raw)
        if "department" not in raw and "department" in head:
            raw["department"] = head["department"]
        _check_table(path, where, raw, _RULE_KEYS, _RULE_REQUIRED)
        if not _CODE.match(raw["code"]):
            raise _fail(path, where, f"code '{raw['code']}' has characters other than letters, digits, . _ - /")
        if raw["code"] in seen:
            raise _fail(path, where, f"duplicate code '{raw['code']}'")
        seen.add(raw["code"])
        for key, allowed in (("department", DEPARTMENTS), ("severity", SEVERITIES), ("confidence", CONFIDENCES)):
            if raw[key] not in allowed:
                raise _fail(path, where, f"{key} '{raw[key]}' is not one of {', '.join(allowed)}")
        for name, value in raw.get("args", {}).items():
            if not param_value(value):
                raise _fail(path, where, f"args '{name}' must be a number, string, boolean or array of them")
        if known_checks is not None and raw["check"] not in known_checks:
            raise _fail(path, where, f"check '{raw['check']}' is not a registered check")
        for name in raw.get("params", []):
            if not isinstance(name, str):
                raise _fail(path, where, "params must list parameter names (strings)")
            if name not in params:
                raise _fail(path, where, f"uses param '{name}', which [params] does not define")
        rules.append(Rule(pack=pack_id, code=raw["code"], check=raw["check"], department=raw["department"],
                          clause=raw["clause"], severity=raw["severity"], confidence=raw["confidence"],
                          title=raw["title"], message=raw["message"], title_en=raw.get("title_en", ""),
                          message_en=raw.get("message_en", ""), args=raw.get("args", {}),
                          params=tuple(raw.get("params", ())),
                          rests_on=_rests_on(path, where, raw["rests_on"]) if "rests_on" in raw else pack_rests_on))
    return Pack(id=pack_id, title=head["title"], version=head["version"],
                sha256=hashlib.sha256(raw_bytes).hexdigest(), path=path, rules=rules, params=dict(params),
                defaults=dict(params), title_en=head.get("title_en", ""), standard=head.get("standard", ""),
                ids=ids_path)


def pack_path(name: str, root: Path | None = None) -> Path:
    """Where pack ``name`` lives: a shipped pack id, or a ``.toml`` path relative to the submission."""
    if name.endswith(".toml"):
        if root is None:
            raise PackError(f"{name}: a pack file path needs a submission folder")
        candidate = (root / name).resolve()
        if not candidate.is_relative_to(root.resolve()):
            raise PackError(f"{name}: pack files must stay inside the submission folder")
        return candidate
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", name):
        raise PackError(f"{name}: not a pack id")
    path = PACK_DIR / f"{name}.toml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in PACK_DIR.glob("*.toml") if p.stem not in BUILTIN_PACKS))
        raise PackError(f"unknown pack '{name}' (available: {available})")
    return path


def apply_overrides(pack: Pack, overrides: Mapping[str, object]) -> None:
    """Replace pack params with a manifest's ``[overrides.PACK]`` values (same type required)."""
    for key, value in overrides.items():
        if key not in pack.params:
            known = ", ".join(sorted(pack.params)) or "none"
            raise PackError(f"[overrides.\"{pack.id}\"]: unknown param '{key}' (pack params: {known})")
        default = pack.defaults[key]
        if not _same_shape(value, default):
            raise PackError(f"[overrides.\"{pack.id}\"]: '{key}' must be like the pack's value {default!r}")
        pack.params[key] = value


def _same_shape(value: object, default: object) -> bool:
    """Numbers stand for numbers (int or float), arrays for arrays of the same shape, else the same type."""
    if isinstance(default, list):
        return isinstance(value, list) and len(value) == len(default) and all(map(_same_shape, value, default))
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return type(value) is type(default)


def load_packs(names: Sequence[str], *, root: Path | None = None,
               overrides: Mapping[str, Mapping[str, object]] | None = None,
               known_checks: Mapping[str, object] | None = None) -> list[Pack]:
    """The built-in packs plus ``names``, validated, with overrides applied."""
    packs: list[Pack] = []
    ids: set[str] = set()
    for name in list(BUILTIN_PACKS) + [n for n in names if n not in BUILTIN_PACKS]:
        pack = load_pack_file(pack_path(name, root), known_checks)
        if pack.id in ids:
            raise PackError(f"{pack.path.name}: pack id '{pack.id}' is selected twice")
        ids.add(pack.id)
        packs.append(pack)
    for pack_id, values in (overrides or {}).items():
        target = next((p for p in packs if p.id == pack_id), None)
        if target is None:
            raise PackError(f"[overrides.\"{pack_id}\"]: pack '{pack_id}' is not selected")
        apply_overrides(target, values)
    return packs


def available_packs() -> list[str]:
    """Ids of the shipped standard packs (built-ins excluded)."""
    return sorted(p.stem for p in PACK_DIR.glob("*.toml") if p.stem not in BUILTIN_PACKS)
