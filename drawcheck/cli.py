"""Command line: ``drawcheck check PATH``. A thin typer layer over :func:`drawcheck.pipeline.check`."""

from __future__ import annotations

import gc
import json
import os
import sys
import warnings
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from . import __version__
from .manifest import Limits
from .reports import NothingToRender
from .sunlight.extent import LOWEST_Z as AT_LOWEST_Z
from .sunlight.extent import MARGIN as AT_MARGIN

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="drawcheck: recompute planning indicators from a permit submission and check them against rule packs.")

#: Formats, the file each goes to under --out, and its renderer "module:function" taking
#: (report dict, submission folder) and returning text or bytes. Renderers read the report only.
FORMATS = {
    "text": ("report.txt", "drawcheck.reports.text:to_text"),
    "json": ("report.json", "drawcheck.reports.report:to_json"),
    "html": ("report.html", "drawcheck.reports.html:to_html"),
    "sarif": ("report.sarif", "drawcheck.reports.sarif:to_sarif"),
    "junit": ("report.junit.xml", "drawcheck.reports.junit:to_junit"),
    "dxf": ("report.dxf", "drawcheck.reports.dxf_markup:to_dxf"),
    "bcf": ("report.bcf", "drawcheck.reports.bcf:to_bcf"),
}


#: Help of the size limits, shared by ``check`` and ``batch`` (defaults from :class:`drawcheck.manifest.Limits`);
#: escaped because typer reads help as rich markup, which would drop "[limits]" as a style tag.
LIMIT_HELP = {key: escape(text) for key, text in {
    "max_bytes": "Refuse an input file larger than this many bytes (each drawing or IFC model, and the model "
                 f"unpacked from an .ifczip). Default {Limits.max_bytes} ({Limits.max_bytes // 1_000_000} MB), "
                 "or the manifest's [limits] max_bytes; this option beats the manifest.",
    "max_entities": "Refuse a DXF drawing with more entities than this, counted with blocks expanded (an INSERT's "
                    f"content once per insertion). Default {Limits.max_entities:,}, or the manifest's [limits] "
                    "max_entities; this option beats the manifest.",
    "max_vertices": "Refuse a DXF drawing with more vertices than this, over all outlines, lines and hatch "
                    f"boundaries read (blocks expanded). Default {Limits.max_vertices:,}, or the manifest's [limits] "
                    "max_vertices; this option beats the manifest.",
}.items()}


#: Help of --strict-layers, shared by ``check`` and ``batch`` (escaped: "[layers]" is no rich style tag).
READER_HELP = escape("Reader of ASCII DXF drawings: auto (the fast reader where it can, else ezdxf; the report's "
                     "project.inputs says which ran), fast (the fast reader, or exit 2), ezdxf.")
STRICT_LAYERS_HELP = escape("Give layers a role by exact names and patterns only (the defaults and the manifest's "
                            "[layers]); no role is inferred from prefixed or synonym names. Same as [layers] strict = true.")


def _renderer(fmt: str):
    import importlib

    module, _, name = FORMATS[fmt][1].partition(":")
    try:
        fn = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        _die(f"--format {fmt} is not available in drawcheck {__version__}")
    if fmt in ("json", "text"):
        return lambda report, root: fn(report)
    return fn


def _die(message: str) -> None:
    typer.echo(f"drawcheck: {message}", err=True)
    raise typer.Exit(2)


def _check_reader(reader: str) -> None:
    from .readers.dxf_load import READERS

    if reader not in READERS:
        _die(f"--reader must be {', '.join(READERS[:-1])} or {READERS[-1]}, not '{reader}'")


def _split(values: Optional[List[str]]) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"drawcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                              help="Show the version and exit.")) -> None:
    """drawcheck command line."""


@app.command()
def check(
    path: Path = typer.Argument(..., help="A drawing (.dxf), or a submission folder holding drawcheck.toml."),
    format: Optional[List[str]] = typer.Option(None, "--format", "-f", help=", ".join(FORMATS) + " (repeatable or comma-separated). Default: text; several need --out."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write report.<format> files into this folder."),
    fail_on: str = typer.Option("error", "--fail-on", help="Exit 1 when a finding is at or above: error, warning, never."),
    units: Optional[str] = typer.Option(None, "--units", help="Drawing units (mm, cm, m), over the drawing's $INSUNITS and drawcheck's own check of them."),
    packs: Optional[List[str]] = typer.Option(None, "--packs", help="Rule packs to apply instead of the manifest's (comma-separated)."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Add the check time to the report (reports then differ run to run)."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", min=1, help=LIMIT_HELP["max_bytes"]),
    max_entities: Optional[int] = typer.Option(None, "--max-entities", min=1, help=LIMIT_HELP["max_entities"]),
    max_vertices: Optional[int] = typer.Option(None, "--max-vertices", min=1, help=LIMIT_HELP["max_vertices"]),
    strict_layers: bool = typer.Option(False, "--strict-layers", help=STRICT_LAYERS_HELP),
    reader: str = typer.Option("auto", "--reader", help=READER_HELP),
) -> None:
    """Check a submission: exit 0 = no finding at or above --fail-on, 1 = findings, 2 = unreadable input."""
    formats = _split(format) or ["text"]
    for f in formats:
        if f not in FORMATS:
            _die(f"unknown --format '{f}' (available: {', '.join(FORMATS)})")
    renderers = {f: _renderer(f) for f in dict.fromkeys(formats)}
    if fail_on not in ("error", "warning", "never"):
        _die(f"--fail-on must be error, warning or never, not '{fail_on}'")
    if units is not None and units not in ("mm", "cm", "m"):
        _die(f"--units must be mm, cm or m, not '{units}'")
    _check_reader(reader)
    if out is None and len(set(formats)) > 1:
        _die("several formats need --out DIR (each goes to its own file)")
    if out is not None and out.exists() and not out.is_dir():
        _die(f"--out {out}: exists and is not a folder")

    from .pipeline import InputError
    from .pipeline import check as run_check

    if _ONE_RUN["process"] and path.exists():  # a missing path fails at once, without numba
        _start_numba_frozen()
    # Degenerate geometry can make numpy/GEOS warn (overflow, invalid value); what matters
    # reaches the report as qa findings, so stderr stays for the one-line errors.
    warnings.simplefilter("ignore", RuntimeWarning)
    stamp = None
    if timestamp:
        from datetime import datetime, timezone

        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        limits = {k: v for k, v in (("max_bytes", max_bytes), ("max_entities", max_entities),
                                    ("max_vertices", max_vertices)) if v is not None}
        report = run_check(path, packs=_split(packs) or None, units=units, timestamp=stamp, limits=limits,
                           strict_layers=strict_layers, reader=reader)
    except InputError as exc:
        _die(str(exc))
    except KeyboardInterrupt:
        _die("interrupted")
    except Exception as exc:  # never a traceback for the user; say what broke
        _die(f"internal error while checking {path}: {type(exc).__name__}: {exc} (please report this)")

    code = report.exit_code(fail_on)
    root = path if path.is_dir() else path.parent
    if out is None:
        _emit(report, formats[0], renderers[formats[0]], root)
    else:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for f, render in renderers.items():
            target = out / FORMATS[f][0]
            try:
                content = render(report.data, root)
            except NothingToRender as exc:  # e.g. BCF for a DXF-only submission: say why, write no file
                typer.echo(f"drawcheck: --format {f}: {exc}", err=True)
                continue
            except Exception as exc:  # a renderer must not turn a finished check into a traceback
                _die(f"--format {f} could not be written: {type(exc).__name__}: {exc}")
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            written.append(str(target))
        if "text" in formats:
            _emit(report, "text", renderers["text"], root)
        if written:
            typer.echo("wrote " + ", ".join(written), err="text" not in formats)
    raise typer.Exit(code)


#: Set by :func:`main`: this process runs one command and ends (not typer's test runner, nor an
#: application calling ``app`` in-process), so objects alive until its end may be frozen.
_ONE_RUN = {"process": False}


def _start_numba_frozen() -> None:
    """Import numba and start its CPU target (:func:`drawcheck.geometry.jit.start`) with the cyclic GC
    paused, then freeze every object alive.

    A CLI check is one short process, and these ~80,000 objects live until it ends; unfrozen, every
    full collection after them (one while ezdxf imports, one while the text report renders) walked
    them again: ~0.15 s of the ~1.2 s demo check. No part of the submission exists yet, so nothing
    frozen is garbage-to-be; the drawing read later is collected, less often (:data:`_CHECK_GC_THRESHOLDS`).
    Only for :data:`_ONE_RUN` processes: elsewhere a freeze would keep whatever garbage the host had not
    collected yet, and the host chose its own thresholds.
    """
    gc.disable()
    try:
        from .geometry.jit import start

        start()
    finally:
        gc.freeze()
        gc.set_threshold(*_CHECK_GC_THRESHOLDS)
        gc.enable()


#: The cyclic GC's thresholds for the rest of a one-run check (Python's default: 700, 10, 10). Reading a
#: large drawing allocates millions of short-lived objects and few reference cycles; at 700 allocations
#: the young generation was collected ~900 times over the 66,000-entity stall plan (0.36 s of a 3.0 s
#: check, benchmarks/README.md "Fast DXF reader"). Cycles are still collected, in larger batches.
_CHECK_GC_THRESHOLDS = (100_000, 20, 100)


def _emit(report, fmt: str, render, root: Path) -> None:
    """One format on stdout: the terminal tables for text, else the renderer's output."""
    if fmt == "text":
        from rich.console import Console

        from .reports.text import render as rich_render

        Console().print(rich_render(report.data))
        return
    try:
        content = render(report.data, root)
    except NothingToRender as exc:  # e.g. BCF for a DXF-only submission: say why, print nothing
        typer.echo(f"drawcheck: --format {fmt}: {exc}", err=True)
        return
    except Exception as exc:  # a renderer must not turn a finished check into a traceback
        _die(f"--format {fmt} could not be written: {type(exc).__name__}: {exc}")
    if isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)


rules_app = typer.Typer(no_args_is_help=True, help="The rules of the shipped packs (drawcheck/standards/*.toml).")
app.add_typer(rules_app, name="rules")


def _all_rules(packs: Optional[List[str]]):
    from .rules.registry import load_checks
    from .standards.packs import PackError, available_packs, load_packs

    checks = load_checks()
    try:
        loaded = load_packs(_split(packs) or available_packs(), known_checks=checks)
    except PackError as exc:
        _die(str(exc))
    return loaded, checks


@rules_app.command("list")
def rules_list(
    packs: Optional[List[str]] = typer.Option(None, "--packs", help="Only these packs (comma-separated); default: all."),
    format: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List every rule: id, department, severity, confidence, clause, title."""
    loaded, _ = _all_rules(packs)
    if packs:
        wanted = set(_split(packs))
        loaded = [p for p in loaded if p.id in wanted or p.path.stem in wanted]
    rows = [{"rule": r.id, "department": r.department, "severity": r.severity, "confidence": r.confidence,
             "clause": r.clause, "title": r.title, "title_en": r.title_en} for p in loaded for r in p.rules]
    if format == "json":
        import json

        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if format != "text":
        _die(f"--format must be text or json, not '{format}'")
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    columns = ("rule", "department", "severity", "confidence", "clause", "title")
    table = Table(title=f"{len(rows)} rules", title_justify="left")
    for col in columns:
        table.add_column(col, overflow="fold")
    for r in rows:  # Text: pack strings are shown as written, never read as rich markup
        table.add_row(*(Text(r[col]) for col in columns))
    Console().print(table)


@rules_app.command("show")
def rules_show(code: str = typer.Argument(..., help="A rule id, e.g. gb50016-2014:5.2.2.")) -> None:
    """Everything about one rule: clause, severity, confidence, messages, parameters, what its check does."""
    loaded, checks = _all_rules(None)
    rule = next((r for p in loaded for r in p.rules if r.id == code), None)
    if rule is None:
        import difflib

        near = difflib.get_close_matches(code, [r.id for p in loaded for r in p.rules], n=3)
        _die(f"no rule '{code}'" + (f" (did you mean {', '.join(near)}?)" if near else "; see drawcheck rules list"))
    pack = next(p for p in loaded if p.id == rule.pack)
    lines = [f"{rule.id} — {rule.title}" + (f" / {rule.title_en}" if rule.title_en else ""),
             f"pack:        {pack.id} v{pack.version} — {pack.title}" + (f" ({pack.standard})" if pack.standard else ""),
             f"clause:      {rule.clause}", f"department:  {rule.department}", f"severity:    {rule.severity}",
             f"confidence:  {rule.confidence}", f"message:     {rule.message}"]
    if rule.message_en:
        lines.append(f"message_en:  {rule.message_en}")
    for name in rule.params:
        lines.append(f"param {name} = {pack.params[name]!r}")
    for key, value in rule.args.items():
        lines.append(f"arg {key} = {value!r}")
    doc = " ".join((checks[rule.check].__doc__ or "").split())
    lines.append(f"check:       {rule.check}" + (f" — {doc}" if doc else ""))
    typer.echo("\n".join(lines))


#: Effective bands of the design days (GB 50180-2018 4.0.9), true solar time.
DAY_BANDS = {"dongzhi": (9.0, 15.0), "dahan": (8.0, 16.0)}


def _point(text: str) -> tuple[float, float, float]:
    try:
        x, y, z = (float(v) for v in text.split(","))
    except ValueError:
        _die(f"--at takes X,Y,Z in metres (drawing coordinates, Z above ±0.00), not '{text}'")
    return x, y, z


def _check_points(points: list, prepared) -> None:
    """Refuse --at points that are not finite, too deep, or far outside the drawing (drawcheck.sunlight.extent)."""
    from .sunlight.extent import drawing_extent, point_problem

    ind = prepared.indicators
    extent = drawing_extent(prepared.project.sites, ind.buildings + ind.existing)
    for point in points:
        problem = point_problem(point, extent)
        if problem:
            _die(problem)


@app.command()
def sunlight(
    path: Path = typer.Argument(..., help="A drawing or a submission folder."),
    at: Optional[List[str]] = typer.Option(None, "--at", help=f"X,Y,Z of a point to analyse, m (repeatable); within {AT_MARGIN:g} m of the box of the site and buildings, Z at least {AT_LOWEST_Z:g}."),
    day: Optional[str] = typer.Option(None, "--day", help="dongzhi (冬至日), dahan (大寒日) or YYYY-MM-DD. Facades: a what-if instead of each standard's own day (default: the standards' days; points: dongzhi)."),
    band: Optional[str] = typer.Option(None, "--band", help="HH:MM-HH:MM of true solar time for every facade (default: the day's band; facades: each standard's band per facing)."),
    step: Optional[float] = typer.Option(None, "--step", help="Time step, minutes (default 1, facades: each pack's step_minutes)."),
    format: str = typer.Option("text", "--format", "-f", help="text or json."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write sunlight.json and the maps sunlight.svg (first standard), sunlight-PACK.svg (the others) here."),
    packs: Optional[List[str]] = typer.Option(None, "--packs", help="Facades: the sunlight standards of these packs (default: the manifest's packs and every shipped sunlight pack)."),
    all_windows: bool = typer.Option(False, "--all-windows", help="Text: list every window, not only those that do not pass."),
) -> None:
    """Sunlight (日照) of points (--at), or every residential window judged by each sunlight standard, all buildings as obstacles."""
    import numpy as np

    from .pipeline import InputError, prepare
    from .rules.sunlight_standards import DAY_NAMES
    from .sunlight.analysis import hhmm, lit_matrix, sun_samples, sunlit_hours
    from .sunlight.scene import build_scene
    from .sunlight.solar import design_day
    from .sunlight.study import parse_hhmm, part_inputs

    if format not in ("text", "json"):
        _die(f"--format must be text or json, not '{format}'")
    what_if = day is not None or band is not None  # facades: one band for all, not the standards' own
    step_given = step is not None
    day = "dongzhi" if day is None else day
    step = 1.0 if step is None else step
    try:
        date = design_day(day)
    except Exception:
        _die(f"--day must be dongzhi, dahan or YYYY-MM-DD, not '{day}'")
    if band:
        try:
            start, end = (parse_hhmm(t) for t in band.split("-"))
        except ValueError:
            _die(f"--band must be HH:MM-HH:MM, not '{band}'")
    else:
        start, end = DAY_BANDS.get(day, (9.0, 15.0))
    points = [_point(p) for p in at] if at else []
    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        prepared = prepare(path, packs=None if points else _sunlight_pack_selection(path, packs))
    except InputError as exc:
        _die(str(exc))
    m, ind = prepared.manifest, prepared.indicators
    if points:
        _check_points(points, prepared)
        parts = part_inputs(ind.buildings + ind.existing)
        sun = sun_samples(m.latitude, m.longitude, date, start, end, step, m.north_angle)
        lit = lit_matrix(build_scene([(p.rings, p.height) for p in parts]), np.asarray(points, dtype=float), sun)
        rows = []
        for point, row in zip(points, lit):
            hours = sunlit_hours(row, sun, (start, end))
            rows.append({"point": list(point), "sunlit_minutes": int(round(hours.cumulative)),
                         "longest_continuous_minutes": int(round(hours.longest)),
                         "intervals": [[hhmm(a), hhmm(b)] for a, b in hours.intervals]})
        data = {"day": date.isoformat(), "band": [hhmm(start * 60), hhmm(end * 60)], "points": rows}
        if format == "json":
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            for r in rows:
                typer.echo(f"{r['point']}: {r['sunlit_minutes']} min, longest {r['longest_continuous_minutes']} min, "
                           + ", ".join(f"{a}-{b}" for a, b in r["intervals"]))
        return
    if step_given and not step > 0:
        _die(f"--step must be a positive number of minutes, not {step:g}")
    from .rules.sunlight_standards import command_data, context, sunlight_rules

    rules = sunlight_rules(prepared.packs, _split(packs))
    if not rules:
        _die(f"--packs {', '.join(_split(packs))}: no sunlight rule in these packs (see drawcheck rules list)")
    override = (date, (start, end), DAY_NAMES.get(day, "")) if what_if else None
    try:
        data, studies = command_data(context(prepared), rules, override, step if step_given else None)
    except KeyboardInterrupt:
        _die("interrupted")
    except Exception as exc:  # never a traceback for the user; say what broke
        _die(f"internal error in the sunlight study of {path}: {type(exc).__name__}: {exc} (please report this)")
    if out is not None:
        _sunlight_maps(out, data, studies, prepared)
    if format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        return
    from rich.console import Console

    from .reports.sunlight import render as render_sunlight

    Console().print(render_sunlight(data, all_windows=all_windows))


def _sunlight_pack_selection(path: Path, packs: Optional[List[str]]) -> list[str]:
    """--packs as given, else the manifest's packs plus every shipped pack with a sunlight rule."""
    from .pipeline import open_submission
    from .rules.sunlight_standards import sunlight_packs
    from .standards.packs import DEFAULT_PACKS

    if packs:
        return _split(packs)
    manifest = open_submission(path)
    base = list(manifest.packs if manifest.packs is not None else DEFAULT_PACKS)
    return base + [p for p in sunlight_packs() if p not in base]


def _sunlight_maps(out: Path, data: dict, studies, prepared) -> None:
    """sunlight.json and a map per standard that ran: sunlight.svg (the first), sunlight-PACK.svg (the others)."""
    from .geometry.arrays import PolygonArrays
    from .sunlight.svg import sunlight_svg

    ind = prepared.indicators
    try:
        out.mkdir(parents=True, exist_ok=True)
        outlines = [(b.id, PolygonArrays.from_polygons([p.part.area.rings[:1]]).densified().xy)
                    for b in ind.buildings + ind.existing for p in b.parts]
        (out / "sunlight.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
        site = [PolygonArrays.from_polygons([a.rings[:1]]).densified().xy for a in prepared.project.sites]
        existing = {b.id for b in ind.existing}
        for k, (entry, study, std) in enumerate(studies):
            name = "sunlight.svg" if k == 0 else f"sunlight-{std.rule.pack}.svg"
            bands = ", ".join("-".join(b) for b in entry["bands"])
            title = f"{prepared.manifest.name} {std.rule.id} {std.label} {bands}"
            (out / name).write_text(sunlight_svg(study, outlines, std.required, title, site=site,
                                                 north_angle=prepared.manifest.north_angle, existing=existing),
                                    encoding="utf-8")
    except OSError as exc:
        _die(f"--out {out}: {exc.strerror or exc}")


# ---------------------------------------------------------------------------
# review round-trip: notice, review, diff (logic in drawcheck/review/)


def _write_or_print(content: str, out: Optional[Path]) -> None:
    if out is None:
        sys.stdout.write(content)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(content, encoding="utf-8")
    except OSError as exc:
        _die(f"--out {out}: {exc.strerror or exc}")
    typer.echo(f"wrote {out}", err=True)


def _as_of(text: Optional[str]):
    from datetime import date

    from .review.decisions import parse_date

    return parse_date(text, "--date") if text else date.today()


@app.command()
def notice(
    report: Path = typer.Argument(..., help="A report.json (its review file REPORT.review.json is read if present)."),
    format: str = typer.Option("md", "--format", "-f", help="md, html or json."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    review_file: Optional[Path] = typer.Option(None, "--review", help="Review file to use instead of REPORT.review.json."),
    round: Optional[int] = typer.Option(None, "--round", help="Review round in the header (default: the review file's, else 1)."),
    date: Optional[str] = typer.Option(None, "--date", help="Notice date and the day waivers are judged on (YYYY-MM-DD; default today)."),
) -> None:
    """The one-time notice (一次性告知书) to the applicant: what to change, de-duplicated, by department."""
    from .review import ReviewError, load_report
    from .review.decisions import load_review, review_path
    from .review.notice import build_notice, to_html, to_json, to_markdown

    renderers = {"md": to_markdown, "html": to_html, "json": to_json}
    if format not in renderers:
        _die(f"--format must be md, html or json, not '{format}'")
    try:
        today = _as_of(date)
        data = load_report(report)
        review = load_review(review_file or review_path(report), data, report)
        content = renderers[format](build_notice(data, review, round=round, today=today))
    except ReviewError as exc:
        _die(str(exc))
    _write_or_print(content, out)


@app.command()
def review(
    report: Path = typer.Argument(..., help="A report.json; decisions go to REPORT.review.json beside it."),
    department: Optional[str] = typer.Option(None, "--department", "-d", help="planning (规划), fire (消防), greening (绿化), traffic (交通) or civil_defense (人防); qa (图纸质检) findings are decided by planning."),
    finding: Optional[str] = typer.Option(None, "--finding", help="Finding id of this report, e.g. F0003."),
    fingerprint: Optional[str] = typer.Option(None, "--fingerprint", help="Finding fingerprint (or a unique prefix of 8+ characters)."),
    decision: Optional[str] = typer.Option(None, "--decision", help="accept (must fix), reject (not valid) or waive."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Who decides."),
    comment: Optional[str] = typer.Option(None, "--comment", help="Why."),
    approver: Optional[str] = typer.Option(None, "--approver", help="Who approves a waiver (required for waive)."),
    expires: Optional[str] = typer.Option(None, "--expires", help="Last day a waiver holds, YYYY-MM-DD (required for waive)."),
    date: Optional[str] = typer.Option(None, "--date", help="Decision date, or the as-of date for --status (YYYY-MM-DD; default today)."),
    status: bool = typer.Option(False, "--status", help="Print each department's status instead of recording a decision."),
    format: str = typer.Option("text", "--format", "-f", help="Status as text or json."),
) -> None:
    """Record a reviewer's decision on a finding, or (--status) show every department's status."""
    from .review import ReviewError, load_report
    from .review.decisions import load_review, record, review_path, save_review
    from .review.decisions import status as review_status

    path = review_path(report)
    try:
        data = load_report(report)
        reviewed = load_review(path, data, report)
        today = _as_of(date)
        if status:
            if format not in ("text", "json"):
                raise ReviewError(f"--format must be text or json, not '{format}'")
            result = review_status(data, reviewed, today)
        else:
            missing = [name for name, value in (("--department", department), ("--decision", decision),
                                                ("--reviewer", reviewer)) if not value]
            if missing:
                raise ReviewError(f"recording a decision needs {', '.join(missing)} (or use --status)")
            entry = record(reviewed, data, department=department, decision=decision, reviewer=reviewer,
                           finding=finding, fingerprint=fingerprint, comment=comment, approver=approver,
                           expires=expires, decided=today)
    except ReviewError as exc:
        _die(str(exc))
    if not status:
        try:
            save_review(path, reviewed)
        except OSError as exc:
            _die(f"{path}: {exc.strerror or exc}")
        until = f" until {entry['expires']}" if entry["expires"] else ""
        typer.echo(f"{entry['finding']} {entry['rule']}: {entry['department']} {entry['decision']}{until} "
                   f"by {entry['reviewer']} -> {path}")
        return
    if format == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        return
    cols = ("findings", "open", "accepted", "rejected", "waived", "expired")
    lines = [f"{result['project']} — round {result['round']}, as of {result['as_of']}",
             f"{'department':<14}" + "".join(f"{c:>9}" for c in cols) + f"{'signed off':>11}"]
    for dept, c in result["departments"].items():
        lines.append(f"{dept + ('+qa' if dept == 'planning' else ''):<14}" + "".join(f"{c[k]:>9}" for k in cols)
                     + f"{'yes' if c['signed_off'] else 'no':>11}")
    typer.echo("\n".join(lines))
    typer.echo("findings = errors and warnings to decide (info needs no decision); open includes expired waivers; "
               "signed = every finding has a decision in force")
    if result["stale"]:
        typer.echo(f"{len(result['stale'])} decision(s) for findings not in this report (kept in the review file)")


@app.command()
def diff(
    old: Path = typer.Argument(..., help="The earlier round: a report.json, or a submission (folder/drawing) to check."),
    new: Path = typer.Argument(..., help="The later round: a report.json, or a submission to check."),
    format: str = typer.Option("text", "--format", "-f", help="text, json or html."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
    review_file: Optional[Path] = typer.Option(None, "--review", help="OLD's review file (default: OLD.review.json if present)."),
    carry_over: bool = typer.Option(False, "--carry-over", help="Write the carried decisions into NEW.review.json (NEW must be a report.json)."),
    date: Optional[str] = typer.Option(None, "--date", help="Day carried waivers are judged on (YYYY-MM-DD; default today)."),
) -> None:
    """What changed between two rounds: indicators, findings fixed / open / new, decisions carried over."""
    from .review import ReviewError
    from .review.decisions import load_review, review_path, save_review
    from .review.diff import carry_over as carry, diff_reports, load_or_check, old_review_of, to_html, to_json, to_text

    renderers = {"text": to_text, "json": to_json, "html": to_html}
    if format not in renderers:
        _die(f"--format must be text, json or html, not '{format}'")
    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        today = _as_of(date)
        if carry_over and not (new.is_file() and new.suffix.lower() == ".json"):
            raise ReviewError("--carry-over needs NEW as a report.json (its review file is written beside it)")
        old_report, old_file = load_or_check(old)
        old_review = old_review_of(old_file, review_file)
        new_report, new_file = load_or_check(new)
        result = diff_reports(old_report, new_report, old_review, today=today, old_source=str(old), new_source=str(new))
        if carry_over:
            target = review_path(new_file)
            existing = load_review(target) if target.exists() else None
            new_review, added = carry(result, new_report, new_file, existing)
    except ReviewError as exc:
        _die(str(exc))
    except KeyboardInterrupt:
        _die("interrupted")
    if carry_over:
        try:
            save_review(target, new_review)
        except OSError as exc:
            _die(f"{target}: {exc.strerror or exc}")
        typer.echo(f"carried {added} decision(s) over -> {target}", err=True)
    _write_or_print(renderers[format](result), out)


# ---------------------------------------------------------------------------
# batch: many submissions, each in its own process (logic in drawcheck/batch/)


@app.command()
def layers(
    path: Path = typer.Argument(..., help="A drawing (.dxf), or a submission folder holding drawcheck.toml."),
    format: str = typer.Option("text", "--format", "-f", help="text or json."),
    strict_layers: bool = typer.Option(False, "--strict-layers", help=STRICT_LAYERS_HELP),
) -> None:
    """List every layer: entities by type, closed outlines, sample texts, its role (exact / inferred / none) and a [layers] snippet."""
    if format not in ("text", "json"):
        _die(f"--format must be text or json, not '{format}'")
    from .pipeline import InputError
    from .readers.layer_survey import survey_submission, to_json, to_text

    try:
        surveys = survey_submission(path, strict=strict_layers)
    except InputError as exc:
        _die(str(exc))
    except Exception as exc:  # never a traceback for the user
        _die(f"internal error while reading {path}: {type(exc).__name__}: {exc} (please report this)")
    sys.stdout.write(to_json(surveys) if format == "json" else to_text(surveys))


@app.command()
def table(
    path: Path = typer.Argument(..., help="A DXF site plan, or a submission folder holding drawcheck.toml."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for the drawing with the new table "
                                       "(same file name; a folder's manifest and other inputs are copied beside it)."),
    format: Optional[List[str]] = typer.Option(None, "--format", "-f", help="dxf (default; needs --out) and/or json "
                                               "(pre-fill data: printed, or table.json under --out)."),
) -> None:
    """Write the 经济技术指标表 computed by drawcheck into the drawing, in place of the old one (exit 2: unreadable input)."""
    formats = _split(format) or ["dxf"]
    for f in formats:
        if f not in ("dxf", "json"):
            _die(f"unknown --format '{f}' (available: dxf, json)")
    if "dxf" in formats and out is None:
        _die("--format dxf needs --out DIR (the drawing is written there, never over the submission)")
    if out is not None and out.exists() and not out.is_dir():
        _die(f"--out {out}: exists and is not a folder")

    from .indicator_table import TableError, build_table, copy_submission, prefill, write_table
    from .pipeline import InputError, prepare

    warnings.simplefilter("ignore", RuntimeWarning)  # as in check: what matters reaches the report
    try:
        prepared = prepare(path)
    except InputError as exc:
        _die(str(exc))
    except KeyboardInterrupt:
        _die("interrupted")
    except Exception as exc:  # never a traceback for the user; say what broke
        _die(f"internal error while reading {path}: {type(exc).__name__}: {exc} (please report this)")
    if out is not None and out.resolve() == prepared.manifest.root.resolve():
        _die(f"--out {out}: the submission's own folder; choose another so the original stays as it is")
    try:
        rows = build_table(prepared)
        written = []
        if "dxf" in formats:
            written = write_table(prepared, rows, out)
            copy_submission(prepared, out, written)
    except (*InputError, TableError) as exc:
        _die(str(exc))
    except OSError as exc:
        _die(f"--out {out}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        _die("interrupted")
    except Exception as exc:  # never a traceback for the user; say what broke
        _die(f"internal error while writing the table of {path}: {type(exc).__name__}: {exc} (please report this)")
    for line in rows.left_out:
        typer.echo(f"drawcheck: {line}", err=True)
    for w in written:
        for what in w.kept:
            typer.echo(f"drawcheck: {w.input}: {what} holds old indicators text and was kept (it is no table "
                       "entity on the indicators layer): edit the block, or the check reads it beside the new table",
                       err=True)
    if "json" in formats:
        content = json.dumps(prefill(prepared, rows), ensure_ascii=False, indent=2) + "\n"
        if out is None:
            sys.stdout.write(content)
        else:
            _write_or_print(content, out / "table.json")
    if written:
        typer.echo("wrote " + ", ".join(str(w.path) for w in written), err=True)


@app.command()
def batch(
    sources: List[Path] = typer.Argument(..., help="Folders of submissions (each a drawing or a folder with drawcheck.toml), submissions, or list files (one path a line)."),
    out: Path = typer.Option(..., "--out", "-o", help="Write DIR/<submission>/report.json and DIR/summary.{json,csv,html} here (nowhere else)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Submissions checked at once on this machine (default: the number of cores)."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run on the Dask cluster whose scheduler is at this address (tcp://HOST:8786) instead of locally."),
    shared_path: bool = typer.Option(False, "--shared-path", help="With --dask: workers read the submissions from the same paths (shared file system) instead of receiving their bytes."),
    timeout: float = typer.Option(300.0, "--timeout", min=0.1, help="Wall-time budget of one submission, seconds (then: status timeout)."),
    memory_mb: int = typer.Option(4096, "--memory-mb", min=0, help="Memory (address space) budget of one submission, MB; 0 = none (POSIX only)."),
    fail_on: str = typer.Option("error", "--fail-on", help="Exit 1 when a submission has a finding at or above: error, warning, never."),
    units: Optional[str] = typer.Option(None, "--units", help="Drawing units (mm, cm, m), over the drawing's $INSUNITS and drawcheck's own check of them."),
    packs: Optional[List[str]] = typer.Option(None, "--packs", help="Rule packs to apply instead of each manifest's (comma-separated)."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", min=1, help=LIMIT_HELP["max_bytes"]),
    max_entities: Optional[int] = typer.Option(None, "--max-entities", min=1, help=LIMIT_HELP["max_entities"]),
    max_vertices: Optional[int] = typer.Option(None, "--max-vertices", min=1, help=LIMIT_HELP["max_vertices"]),
    force: bool = typer.Option(False, "--force", help="Check every submission again, even those whose inputs and packs are unchanged."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the progress bar (on stderr)."),
    spawn: bool = typer.Option(False, "--spawn", help="Start each check in a fresh Python process instead of forking a warm server (slower by ~1 s a submission; same reports)."),
    strict_layers: bool = typer.Option(False, "--strict-layers", help=STRICT_LAYERS_HELP),
    reader: str = typer.Option("auto", "--reader", help=READER_HELP),
) -> None:
    """Check many submissions: exit 2 = a submission unreadable (or failed, timed out), 1 = findings at or above --fail-on, 0 = clean."""
    if fail_on not in ("error", "warning", "never"):
        _die(f"--fail-on must be error, warning or never, not '{fail_on}'")
    if units is not None and units not in ("mm", "cm", "m"):
        _die(f"--units must be mm, cm or m, not '{units}'")
    if shared_path and dask is None:
        _die("--shared-path needs --dask ADDRESS")
    if dask is not None and jobs is not None:
        _die("--jobs is for the local pool; with --dask the cluster's workers set the parallelism")

    from rich.console import Console

    from .batch.runner import BatchError, Options, kill_all, run_batch

    if dask is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            _die("--dask needs dask.distributed: pip install 'drawcheck[dask]'")
    limits = {k: v for k, v in (("max_bytes", max_bytes), ("max_entities", max_entities),
                                ("max_vertices", max_vertices)) if v is not None}
    _check_reader(reader)
    options = Options(packs=tuple(_split(packs)) or None, units=units, limits=limits, timeout=timeout,
                      memory_mb=memory_mb or None, fail_on=fail_on, spawn=spawn, strict_layers=strict_layers,
                      reader=reader)
    console = Console(stderr=True)
    bar = None
    if progress:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task):
                return Text(f"{task.speed:.2f}/s" if task.speed else "-/s")

        bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       RateColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console)
    task = None

    def on_start(total: int) -> None:
        nonlocal task
        if bar is not None:
            bar.start()
            task = bar.add_task("checking", total=total)

    def on_row(row: dict) -> None:
        if row["status"] in ("unreadable", "failed", "timeout"):
            console.print(f"{row['name']}: {row['status']}: {row['error']}", markup=False, highlight=False,
                          soft_wrap=True)
        if bar is not None and task is not None:
            bar.advance(task)

    try:
        result = run_batch(sources, out, options=options, jobs=jobs, dask=dask, shared_path=shared_path,
                           force=force, on_start=on_start, on_row=on_row)
    except BatchError as exc:
        _die(str(exc))
    except KeyboardInterrupt:
        kill_all()
        _die("interrupted")
    except OSError as exc:
        _die(f"{getattr(exc, 'filename', None) or out}: {exc.strerror or exc}")
    finally:
        if bar is not None:
            bar.stop()
    from .batch.summary import counts

    parts = ", ".join(f"{n} {s}" for s, n in counts(result.rows).items() if n)
    typer.echo(f"{len(result.rows)} submissions in {result.seconds:.1f} s: {parts or 'none'}; "
               f"summary: {out / 'summary.html'} (exit {result.exit_code})")
    if result.ignored:
        typer.echo(f"ignored {len(result.ignored)} file(s) that are not drawings: "
                   + ", ".join(result.ignored[:5]) + (" ..." if len(result.ignored) > 5 else ""), err=True)
    raise typer.Exit(result.exit_code)


ENVELOPE_FORMATS = ("json", "dxf", "html")


def _heights(text: Optional[str]) -> list[float] | None:
    """``--height 24,54,100`` as metres (None: the plot's height_max)."""
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        _die(f"--height {text!r}: give heights in metres, comma-separated (e.g. 24,54,100)")
    if not values or any(not (v > 0 and v < 1000) for v in values):
        _die(f"--height {text!r}: every height must be above 0 and below 1000 m")
    return sorted(dict.fromkeys(values))


@app.command()
def envelope(
    path: Path = typer.Argument(..., help="A drawing (.dxf/.dwg) or a submission folder holding drawcheck.toml."),
    height: Optional[str] = typer.Option(None, "--height", help="Height of the planned building, m; several (24,54,100) sweep the buildable area. Default: the manifest's [conditions] height_max."),
    use: Optional[str] = typer.Option(None, "--use", help="Use of the planned building: 住宅, 商业, 办公, 公建, 配套, 工业, 商住 (or residential, ...). Default: the manifest's land_use when it is one, else 住宅."),
    name: str = typer.Option("planned", "--name", help="Name of the planned building, as [[claims]] between = [\"9#\", NAME] name it."),
    format: Optional[List[str]] = typer.Option(None, "--format", "-f", help="json, dxf, html (comma-separated; several need --out). Default: json to stdout, or all three with --out."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write envelope.json, envelope.dxf (the drawing with layers DRAWCHECK-ENVELOPE and DRAWCHECK-CONSTRAINTS) and envelope.html here."),
    packs: Optional[List[str]] = typer.Option(None, "--packs", help="Rule packs whose zones apply instead of the manifest's (comma-separated)."),
    units: Optional[str] = typer.Option(None, "--units", help="Drawing units (mm, cm, m), as for check."),
    grid: float = typer.Option(2.0, "--grid", help="Cell size of the sunlight height caps (日照限高), m, computed where a sunlight pack is selected; 0: no caps."),
) -> None:
    """The buildable zone of the site for a planned building: setbacks, fire separation, Shanghai spacing, from the
    packs the check runs. Exit 0, or 2 when the submission cannot be read or has no site boundary."""
    formats = _split(format) or (list(ENVELOPE_FORMATS) if out else ["json"])
    for f in formats:
        if f not in ENVELOPE_FORMATS:
            _die(f"unknown --format '{f}' (available: {', '.join(ENVELOPE_FORMATS)})")
    if out is None and (len(set(formats)) > 1 or formats != ["json"]):
        _die("--format dxf and html, or several formats, need --out DIR")
    if out is not None and out.exists() and not out.is_dir():
        _die(f"--out {out}: exists and is not a folder")
    if units is not None and units not in ("mm", "cm", "m"):
        _die(f"--units must be mm, cm or m, not '{units}'")
    heights = _heights(height)
    if not (grid >= 0 and grid < 1000):
        _die(f"--grid {grid:g}: give a cell size in metres (0: no sunlight caps)")

    from .envelope.outputs import to_json, write
    from .envelope.zones import EnvelopeError, add_sunlight_caps, compute_envelope, use_key
    from .pipeline import InputError, prepare
    from .reports.report import plan_section

    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        prepared = prepare(path, packs=_split(packs) or None, units=units)
        conditions = prepared.manifest.conditions
        if heights is None:
            if conditions.get("height_max") is None:
                _die("no --height and no [conditions] height_max in the manifest: say how high the building is")
            heights = [float(conditions["height_max"])]
        land = str(conditions.get("land_use", ""))
        planned_use = use_key(use) if use is not None else (use_key(land) if land in _use_words() else "residential")
        envelopes = [compute_envelope(prepared, h, planned_use, name) for h in heights]
        for e in envelopes:
            if grid > 0:
                add_sunlight_caps(prepared, e, grid)
        project = prepared.manifest.name
        if out is None:
            typer.echo(json.dumps(to_json(project, envelopes), ensure_ascii=False, indent=2))
            raise typer.Exit(0)
        written = write(out, list(dict.fromkeys(formats)), project, prepared,
                        plan_section(prepared.project, prepared.indicators), envelopes)
    except (EnvelopeError, *InputError) as exc:
        _die(str(exc))
    except KeyboardInterrupt:
        _die("interrupted")
    except typer.Exit:
        raise
    except Exception as exc:  # never a traceback for the user; say what broke
        _die(f"internal error while computing the envelope of {path}: {type(exc).__name__}: {exc} (please report this)")
    for e in envelopes:
        caps = ""
        if e.caps is not None and e.caps["outcome"] == "computed":
            caps = f", sunlight caps on {len(e.caps['cells'])} cells of {e.caps['grid']:g} m"
        elif e.caps is not None:
            caps = ", sunlight caps not run: " + "; ".join(r.get("reason", "") for r in e.caps["rules"])
        typer.echo(f"H {e.height:g} m: buildable {e.area:,.2f} m² ({len(e.constraints)} constraints{caps})", err=True)
    typer.echo("wrote " + ", ".join(map(str, written)), err=True)


def _use_words() -> set[str]:
    from .model import USE_NAMES

    return set(USE_NAMES) | set(USE_NAMES.values())


users_app = typer.Typer(no_args_is_help=True, help="Users of the review service (drawcheck serve).")
app.add_typer(users_app, name="users")


def _data_folder(data: Path) -> None:
    """Create the service's --data folder, or stop with one line."""
    try:
        data.mkdir(parents=True, exist_ok=True)
        probe = data / ".drawcheck-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        _die(f"--data {data}: {exc.strerror or exc} (the service keeps its files there)")


def _service_engine(data: Path, db: Optional[str]):
    try:
        from .service import db as service_db
    except ImportError:
        _die("the review service needs its extra: pip install 'drawcheck[service]'")
    _data_folder(data)
    engine = service_db.make_engine(service_db.database_url(data, db))
    try:
        service_db.migrate(engine)
    except Exception as exc:  # noqa: BLE001  (a database that cannot be reached or migrated: one line)
        _die(f"database {db or data}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return engine


@users_app.command("add")
def users_add(name: str = typer.Argument(..., help="User name (also shown as the decider)."),
              role: str = typer.Option(..., "--role", help="applicant, reviewer, approver or admin."),
              department: Optional[str] = typer.Option(None, "--department", help="A reviewer's department."),
              data: Path = typer.Option(Path("drawcheck-data"), "--data", help="Service data folder."),
              db: Optional[str] = typer.Option(None, "--db", help="Database URL (default: SQLite in --data).")) -> None:
    """Add a user; the password is read from stdin (one line)."""
    from .service.users import UserError, add_user

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        add_user(_service_engine(data, db), name, role, department, password)
    except UserError as exc:
        _die(str(exc))


@users_app.command("token")
def users_token(name: str = typer.Argument(..., help="User name."),
                data: Path = typer.Option(Path("drawcheck-data"), "--data", help="Service data folder."),
                db: Optional[str] = typer.Option(None, "--db", help="Database URL (default: SQLite in --data).")) -> None:
    """Print one new API token for NAME on stdout (nothing else)."""
    from .service.users import UserError, issue_token

    try:
        typer.echo(issue_token(_service_engine(data, db), name))
    except UserError as exc:
        _die(str(exc))


@app.command()
def serve(data: Path = typer.Option(Path("drawcheck-data"), "--data", help="Folder of uploads, reports and the SQLite database."),
          db: Optional[str] = typer.Option(None, "--db", help="Database URL (default: SQLite in --data; postgresql://user:pass@host/db)."),
          host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
          port: int = typer.Option(8080, "--port", help="Port to listen on."),
          jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Checks run at once (default: cores)."),
          dask: Optional[str] = typer.Option(None, "--dask", help="Run checks on the Dask scheduler at this address."),
          max_upload_mb: float = typer.Option(200, "--max-upload-mb", min=0.001, help="Largest upload, MB (413 above)."),
          timeout: float = typer.Option(300, "--timeout", min=1, help="Wall-time budget of one check, s."),
          memory_mb: int = typer.Option(4096, "--memory-mb", min=64, help="Memory budget of one check, MB.")) -> None:
    """Run the online review service (API and pages); see docs/service.md."""
    try:
        import uvicorn

        from .batch.runner import Options
        from .service.app import create_app
    except ImportError:
        _die("the review service needs its extra: pip install 'drawcheck[service]'")
    _data_folder(data)
    import socket

    try:  # a clear line now rather than uvicorn's log after the start-up
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        _die(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    try:
        application = create_app(data, db, jobs=jobs or (os.cpu_count() or 1), dask=dask,
                                 max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                                 options=Options(timeout=timeout, memory_mb=memory_mb))
    except Exception as exc:  # noqa: BLE001  (a database that cannot be reached or migrated: one line)
        _die(f"database {db or data}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    typer.echo(f"drawcheck serve: http://{host}:{port}/ (data {data.resolve()}, "
               f"database {'SQLite' if not db else db.split('://')[0]}, {jobs or os.cpu_count()} check worker(s))", err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)


def main() -> None:
    """Console-script entry point: click's usage errors become one ``drawcheck:`` line and exit 2."""
    try:  # typer >= 0.20 vendors click as typer._click; older typer uses click itself
        from typer._click import exceptions as usage
    except ImportError:
        from click import exceptions as usage

    _ONE_RUN["process"] = True
    try:
        code = app(standalone_mode=False)
    except usage.NoArgsIsHelpError as exc:  # bare ``drawcheck`` or ``drawcheck rules``: the help
        exc.show()
        code = exc.exit_code
    except usage.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "drawcheck"
        message = " ".join(exc.format_message().split())
        typer.echo(f"drawcheck: {message} (see '{command} --help')", err=True)
        code = 2
    except typer.Abort:  # Ctrl-C while click itself is parsing or prompting
        typer.echo("drawcheck: interrupted", err=True)
        code = 2
    # The process ends here. Python's shutdown would run full cyclic collections over every object
    # still alive (modules, numba's registries, a read drawing): ~0.13 s of the ~1.2 s demo check,
    # more after a large drawing. Frozen, they go with the process; atexit handlers still run.
    gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)
