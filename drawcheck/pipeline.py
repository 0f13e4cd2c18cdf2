"""The pipeline behind ``drawcheck check``: submission -> model -> indicators -> rules -> report."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .manifest import MANIFEST_NAME, Manifest, ManifestError, load_manifest, single_drawing_manifest
from .model import InputFile, Project
from .readers.files import ReadError, sha256_of, sniff
from .standards.packs import DEFAULT_PACKS, PackError

#: Everything that makes a submission unreadable: the CLI prints it as one line and exits 2.
InputError = (ReadError, ManifestError, PackError)


@dataclass
class Report:
    """A checked submission: the JSON-ready report plus how long each stage took (s)."""

    data: dict
    timings: dict[str, float] = field(default_factory=dict)

    def exit_code(self, fail_on: str = "error") -> int:
        from .reports.report import exit_code

        return exit_code(self.data, fail_on)

    def to_json(self) -> str:
        from .reports.report import to_json

        return to_json(self.data)


def open_submission(path: Path | str) -> Manifest:
    """The manifest of a submission: a folder with ``drawcheck.toml``, the toml itself, or one drawing."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file or folder")
    if path.is_dir():
        if not (path / MANIFEST_NAME).is_file():
            raise ReadError(f"{path}: a folder without {MANIFEST_NAME}; give the drawing itself or add a manifest")
        return load_manifest(path)
    if path.suffix.lower() == ".toml":
        return load_manifest(path)
    return single_drawing_manifest(path)


@dataclass
class Prepared:
    """A read submission: its manifest, selected packs, model and indicators (no rules run yet)."""

    manifest: Manifest
    packs: list
    project: Project
    indicators: object
    timings: dict[str, float] = field(default_factory=dict)  # s: parse, indicators


def prepare(path: Path | str, *, packs: Sequence[str] | None = None, units: str | None = None,
            limits: dict | None = None, strict_layers: bool = False, reader: str = "auto") -> Prepared:
    """Read a submission and compute its indicators (the stages before the rules).

    ``strict_layers``: layer roles by exact names and patterns only (as the manifest's ``[layers] strict``).
    ``reader``: which reader reads an ASCII DXF site plan (``auto``, ``fast``, ``ezdxf``; readers.dxf_load).

    Raises ``ReadError``, ``ManifestError`` or ``PackError`` (see :data:`InputError`).
    """
    from .indicators.compute import compute_indicators
    from .readers.area_drawing import preload, read_area_drawing
    from .readers.dxf import read_dxf
    from .readers.layers import LayerRoles
    from .rules.registry import load_checks
    from .standards.packs import load_packs

    t0 = time.perf_counter()
    manifest = open_submission(path)
    if limits:  # command-line limits replace the manifest's (a permit system sets its own)
        manifest = dataclasses.replace(manifest, limits=dataclasses.replace(manifest.limits, **limits))
    selected = list(packs) if packs else list(manifest.packs if manifest.packs is not None else DEFAULT_PACKS)
    loaded_packs = load_packs(selected, root=manifest.root, overrides=manifest.overrides, known_checks=load_checks())
    project = Project(name=manifest.name)
    roles = LayerRoles(manifest.layers, manifest.layers_replace, strict=strict_layers or manifest.layers_strict)
    for spec in manifest.inputs:
        file = manifest.root / spec.path
        if not file.is_file():
            raise ReadError(f"{spec.path}: no such file")
        name = spec.path.replace("\\", "/")
        kind = sniff(file)
        if kind == "ifc" or (kind == "zip" and file.suffix.lower() == ".ifczip"):
            schema, ref_elevation = _read_ifc_input(file, kind, name, spec, project, manifest, loaded_packs)
            project.inputs.append(InputFile(name, "ifc", sha256_of(file), schema, ref_elevation))
            continue
        if file.suffix.lower() == ".ifc":
            raise ReadError(f"{spec.path}: not an IFC (STEP) file")
        if file.suffix.lower() == ".ifczip":
            raise ReadError(f"{spec.path}: not an .ifczip (ZIP) archive")
        is_area, loaded = preload(file, manifest.limits.max_bytes)
        if loaded is not None and not is_area and reader != "ezdxf":  # ezdxf read it to tell: a site plan after all
            if reader == "fast":
                loaded = None
            else:
                loaded.fallback = "read by ezdxf to tell whether it is an area-calculation drawing (面积- names)"
        read = read_area_drawing if is_area else read_dxf
        options = {} if is_area else {"reader": reader}
        unit_m = read(file, name, project, roles=roles, units=units, max_bytes=manifest.limits.max_bytes,
                      max_entities=manifest.limits.max_entities, max_vertices=manifest.limits.max_vertices,
                      loaded=loaded, **options)
        used, fallback = project.readers.get(name, (None, None))
        project.inputs.append(InputFile(name, "dwg" if kind == "dwg" else "dxf", sha256_of(file), unit_m=unit_m,
                                        converter=project.converters.get(name), reader=used, reader_fallback=fallback))
    for building, rel in manifest.area_drawings:  # area-calculation drawings named per building (issue 12)
        file = manifest.root / rel
        unit_m = read_area_drawing(file, rel, project, building=building, units=units, max_bytes=manifest.limits.max_bytes,
                                   max_entities=manifest.limits.max_entities, max_vertices=manifest.limits.max_vertices)
        used, fallback = project.readers.get(rel, (None, None))
        project.inputs.append(InputFile(rel, "dwg" if sniff(file) == "dwg" else "dxf", sha256_of(file), unit_m=unit_m,
                                        converter=project.converters.get(rel), reader=used, reader_fallback=fallback))
    t1 = time.perf_counter()
    indicators = compute_indicators(project, manifest.conditions, {p.id: p.params for p in loaded_packs},
                                    manifest.consistency)
    t2 = time.perf_counter()
    return Prepared(manifest, loaded_packs, project, indicators, {"parse": t1 - t0, "indicators": t2 - t1})


def _read_ifc_input(file: Path, kind: str, name: str, spec, project: Project, manifest, loaded_packs):
    """Read one IFC input (a STEP file, or the model inside an ``.ifczip``) into ``project``."""
    from .readers.ifc import read_ifc

    def read(path: Path):
        return read_ifc(path, name, project, insert=spec.insert, rotation=spec.rotation,
                        max_bytes=manifest.limits.max_bytes, ids_files=[p.ids for p in loaded_packs if p.ids])

    if kind == "ifc":
        return read(file)
    from .readers.ifczip import unpacked_ifc

    with unpacked_ifc(file, manifest.limits.max_bytes) as model:
        try:
            return read(model)
        except ReadError as exc:  # name the submitted archive, not the temporary file
            raise ReadError(f"{spec.path}: {exc}") from None


def check(path: Path | str, *, packs: Sequence[str] | None = None, units: str | None = None,
          timestamp: str | None = None, limits: dict | None = None, strict_layers: bool = False,
          reader: str = "auto") -> Report:
    """Check one submission and return its report.

    Raises ``ReadError``, ``ManifestError`` or ``PackError`` (see :data:`InputError`)
    when the submission cannot be read at all.
    """
    from .reports.report import build_report
    from .rules.assumptions import collect_assumptions
    from .rules.engine import RuleContext, run_rules

    prepared = prepare(path, packs=packs, units=units, limits=limits, strict_layers=strict_layers, reader=reader)
    manifest, project, indicators = prepared.manifest, prepared.project, prepared.indicators
    t2 = time.perf_counter()
    ctx = RuleContext(project, indicators, manifest.conditions, manifest.claims,
                      north_angle=manifest.north_angle, latitude=manifest.latitude, longitude=manifest.longitude,
                      assumptions=collect_assumptions(project, indicators))
    results = run_rules(prepared.packs, ctx)
    t3 = time.perf_counter()
    data = build_report(project, indicators, results, prepared.packs, timestamp=timestamp)
    t4 = time.perf_counter()
    return Report(data, {**prepared.timings, "rules": t3 - t2, "report": t4 - t3})
