"""What each sunlight standard asks of a window, and every window's verdict under it.

One implementation for the rule checks (:mod:`drawcheck.rules.sunlight`) and
the ``drawcheck sunlight`` command. A :class:`Standard` is a rule's design
day, its effective band per facing (hours of true solar time), the measure
it judges (cumulative or longest continuous minutes), the minutes it
requires and its minimum slice; :func:`judge` gives each window of a study
its verdict, :func:`facades` groups the windows per building facade, and
:func:`analyse` is the command's per-window table for every standard.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .registry import NotApplicable, NotRun

RESIDENTIAL = ("residential", "mixed")
#: Minutes compared with a requirement are sums of whole time steps; this absorbs float noise.
EPS = 1e-9
#: Said wherever windows are points sampled along a facade instead of the window layer's windows.
SAMPLED_NOTE = "points are sampled (no window layer)"
SAMPLED_NOTE_ZH = "无窗图层，测点沿立面取样"
#: Said of every verdict given with a day or band chosen on the command line.
WHAT_IF_NOTE = "day/band set on the command line (--day/--band): not a standard's verdict"
DAY_NAMES = {"dongzhi": "冬至日", "dahan": "大寒日"}
MEASURES = {"cumulative": "cumulative (累计)", "longest": "continuous (连续)"}


@dataclass(frozen=True)
class Standard:
    """What one sunlight rule asks of every window."""

    rule: object  # drawcheck.standards.packs.Rule
    day: _dt.date
    day_name: str  # 冬至日 / 大寒日, or "" for a date given on the command line
    band_of: Callable[[float], tuple[float, float]]  # facing (deg off due south, east negative) -> band, hours
    required: float  # minutes
    measure: str  # "cumulative" or "longest" (continuous) minutes, an attribute of analysis.Hours
    min_slice: float  # minutes: sunlit slices shorter than this are not counted
    step: float  # minutes between sun positions
    spacing: float  # m between sampled points on facades without windows drawn
    what_if: bool = False  # day/band set by the user: a what-if, not the standard's verdict

    @property
    def label(self) -> str:
        """The design day as messages show it, e.g. ``2001-12-22 冬至日``."""
        return f"{self.day.isoformat()} {self.day_name}".strip()


def _shanghai(ctx, rule) -> Standard:
    """《上海市日照分析技术规范》(2021): continuous full-window minutes on 冬至日, band by facing."""
    from ..sunlight.solar import design_day
    from ..sunlight.study import parse_hhmm

    params = ctx.params(rule)
    bands = [(float(limit), (parse_hhmm(e0), parse_hhmm(e1)), (parse_hhmm(w0), parse_hhmm(w1)))
             for limit, e0, e1, w0, w1 in params["facing_bands"]]  # rows: max |facing| deg, east band, west band

    def band_of(facing: float) -> tuple[float, float]:
        for limit, east, west in bands:
            if abs(facing) <= limit + 1e-9:
                return east if facing <= 0 else west
        return (12.0, 12.0)  # north of the east-west line: no effective band

    day_key = str(params["day"])
    return Standard(rule, design_day(day_key, int(params["base_year"])), DAY_NAMES.get(day_key, ""), band_of,
                    float(params["continuous_minutes"]), "longest", float(params["min_slice_minutes"]),
                    float(params["step_minutes"]), float(params["spacing"]))


def _gb50180(ctx, rule) -> Standard:
    """GB 50180-2018 4.0.9: cumulative minutes on the design day of the climate zone's row of Table 4.0.9."""
    from ..sunlight.solar import design_day
    from ..sunlight.study import parse_hhmm

    params = ctx.params(rule)
    zone = ctx.conditions.get("climate_zone")
    if zone is None:
        raise NotRun("condition climate_zone absent from the manifest's [conditions] (GB 50180 Table 4.0.9 row)")
    size = ctx.conditions.get("city_size", "large")
    row = next((r for r in params["table"] if r[0] == zone and r[1] == size), None)
    if row is None:
        raise NotRun(f"Table 4.0.9 has no row for climate zone {zone}, city size {size}")
    _, _, day_key, minutes = row
    band = tuple(parse_hhmm(t) for t in params[f"{day_key}_band"])
    return Standard(rule, design_day(day_key, int(params["base_year"])), DAY_NAMES.get(day_key, ""),
                    lambda facing: band, float(minutes), "cumulative", float(params["min_slice_minutes"]),
                    float(params["step_minutes"]), float(params["spacing"]))


#: The standard behind each sunlight check (``check = "..."`` in the packs).
STANDARDS: dict[str, Callable] = {"sunlight_shanghai": _shanghai, "sunlight_gb50180": _gb50180}


def standard_of(ctx, rule) -> Standard:
    """The standard of a sunlight rule; raises NotRun when the manifest lacks what it needs."""
    return STANDARDS[rule.check](ctx, rule)


def what_if(std: Standard, day: _dt.date, band: tuple[float, float], day_name: str = "") -> Standard:
    """``std``'s requirement on another day, with one band (hours) for every facing."""
    return dataclasses.replace(std, day=day, day_name=day_name, band_of=lambda facing: band, what_if=True)


def run(ctx, std: Standard):
    """The whole-site study (:class:`~drawcheck.sunlight.study.Study`) on the standard's day and bands."""
    from ..sunlight.study import run_study  # numba kernels: loaded only when a sunlight study runs

    ind = ctx.indicators
    if not any(b.use in RESIDENTIAL for b in ind.buildings + ind.existing):
        raise NotApplicable("no residential building on the site or among the neighbours")
    return run_study(ind.buildings, ind.existing, ctx.project.windows, latitude=ctx.latitude,
                     longitude=ctx.longitude, north_angle=ctx.north_angle, day=std.day, band_of=std.band_of,
                     step=std.step, min_slice=std.min_slice, spacing=std.spacing)


@dataclass(frozen=True)
class Verdict:
    """One window under one standard."""

    window: object  # drawcheck.sunlight.study.WindowResult
    minutes: float  # by the standard's measure, with all buildings
    before: float | None  # existing neighbours: the same without the project's buildings
    verdict: str  # "pass", "fail", or "already_below": below without the project's buildings too

    @property
    def failing(self) -> bool:
        return self.verdict == "fail"


def judge(study, std: Standard) -> list[Verdict]:
    """Every window's verdict; a neighbour's window already below the standard without the project is not failed."""
    out = []
    for w in study.windows:
        minutes = getattr(w.hours, std.measure)
        before = getattr(w.hours_before, std.measure) if w.existing and w.hours_before is not None else None
        if minutes >= std.required - EPS:
            verdict = "pass"
        elif before is not None and before < std.required - EPS:
            verdict = "already_below"
        else:
            verdict = "fail"
        out.append(Verdict(w, minutes, before, verdict))
    return out


@dataclass(frozen=True)
class Facade:
    """The windows of one building facade (one outline edge of a part), all floors."""

    building: str
    existing: bool
    part: int
    facade: int  # edge index in its part's outline
    facing: float  # degrees off due south, east negative
    segment: tuple  # the wall edge ((x0, y0), (x1, y1)), m
    verdicts: tuple[Verdict, ...]

    @property
    def failing(self) -> list[Verdict]:
        """Failing windows, worst first (then lowest floor, then window order)."""
        return sorted((v for v in self.verdicts if v.failing),
                      key=lambda v: (v.minutes, v.window.floor, v.window.window))

    @property
    def floors(self) -> list[int]:
        """Floors with a failing window, ascending."""
        return sorted({v.window.floor for v in self.verdicts if v.failing})

    @property
    def sampled(self) -> bool:
        return any(v.window.sampled for v in self.verdicts)

    @property
    def midpoint(self) -> tuple[float, float]:
        (x0, y0), (x1, y1) = self.segment
        return (x0 + x1) / 2, (y0 + y1) / 2


def facades(study, verdicts: Sequence[Verdict]) -> list[Facade]:
    """The verdicts grouped per building facade, sorted by building, part and edge."""
    groups: dict[tuple, list[Verdict]] = {}
    for v in verdicts:
        groups.setdefault((v.window.building, v.window.part, v.window.facade), []).append(v)
    out = []
    for (building, part, edge), rows in sorted(groups.items()):
        w = rows[0].window
        out.append(Facade(building, w.existing, part, edge, w.facing, study.points.segments[(part, edge)],
                          tuple(rows)))
    return out


def facade_name(facing: float, english: bool = False) -> str:
    """正南, 正东, 正西, or 南偏东30°; in English due south, due east, due west, or 30° east of south
    (facing in degrees off due south, east negative)."""
    east = facing < 0
    if abs(facing) < 0.5:
        return "due south" if english else "正南"
    if abs(facing) > 89.5:
        return ("due east" if east else "due west") if english else ("正东" if east else "正西")
    if english:
        return f"{abs(facing):.0f}° {'east' if east else 'west'} of south"
    return f"南偏{'东' if east else '西'}{abs(facing):.0f}°"


def floor_ranges(floors: Sequence[int], sep: str = "、") -> str:
    """[1, 2, 3, 4, 6] -> '1-4、6': runs of consecutive floors joined by ``sep``."""
    runs: list[list[int]] = []
    for f in sorted(set(floors)):
        if runs and f == runs[-1][-1] + 1:
            runs[-1].append(f)
        else:
            runs.append([f])
    return sep.join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def sampled_note(verdicts: Sequence[Verdict]) -> str | None:
    """The sampled-points note for a set of windows, or None when every window is a drawn one."""
    n = sum(1 for v in verdicts if v.window.sampled)
    if not n:
        return None
    if n == len(verdicts):
        return SAMPLED_NOTE
    return f"{SAMPLED_NOTE} on the facades without windows drawn: {n} of {len(verdicts)} windows are sampled points"


def buildings(verdicts: Sequence[Verdict]) -> dict[str, dict]:
    """Per building: windows, passing, failing, already below, least minutes (by the measure) and its verdict."""
    out: dict[str, dict] = {}
    for v in verdicts:
        row = out.setdefault(v.window.building, {"windows": 0, "passing": 0, "failing": 0, "already_below": 0,
                                                 "least_minutes": None})
        row["windows"] += 1
        row[{"pass": "passing", "fail": "failing", "already_below": "already_below"}[v.verdict]] += 1
        m = int(round(v.minutes))
        row["least_minutes"] = m if row["least_minutes"] is None else min(row["least_minutes"], m)
    for row in out.values():
        row["verdict"] = "fail" if row["failing"] else "pass"
    return dict(sorted(out.items()))


# -- the ``drawcheck sunlight`` command's table ---------------------------------------------------

def _hhmm_band(band: tuple[float, float]) -> list[str]:
    from ..sunlight.analysis import hhmm

    return [hhmm(band[0] * 60), hhmm(band[1] * 60)]


def _pt(values, n: int) -> list[float]:
    return [round(float(v), 3) for v in values[:n]]


def window_row(v: Verdict, std: Standard) -> dict:
    """One window under one standard, JSON-ready (minutes whole, coordinates in m to 3 decimals)."""
    from ..sunlight.analysis import hhmm

    w = v.window
    row = {"building": w.building, "existing": w.existing, "part": w.part, "facade": w.facade,
           "facing": round(w.facing, 1), "facade_name": facade_name(w.facing), "floor": w.floor, "window": w.window,
           "point": _pt(w.point, 3), "band": _hhmm_band(w.band),
           "sunlit_minutes": int(round(w.hours.cumulative)), "longest_continuous_minutes": int(round(w.hours.longest)),
           "required_minutes": int(round(std.required)), "verdict": v.verdict,
           "intervals": [[hhmm(a), hhmm(b)] for a, b in w.hours.intervals], "sampled": w.sampled}
    if w.hours_before is not None:
        row["before_sunlit_minutes"] = int(round(w.hours_before.cumulative))
        row["before_longest_continuous_minutes"] = int(round(w.hours_before.longest))
    return row


def facade_row(f: Facade) -> dict:
    """One building facade: its windows, the failing ones' floors and the worst minutes (by the measure)."""
    failing = f.failing
    worst = failing[0] if failing else min(f.verdicts, key=lambda v: (v.minutes, v.window.floor, v.window.window))
    return {"building": f.building, "existing": f.existing, "part": f.part, "facade": f.facade,
            "facing": round(f.facing, 1), "facade_name": facade_name(f.facing),
            "segment": [_pt(f.segment[0], 2), _pt(f.segment[1], 2)], "windows": len(f.verdicts),
            "failing": len(failing), "already_below": sum(1 for v in f.verdicts if v.verdict == "already_below"),
            "floors": f.floors, "floors_text": floor_ranges(f.floors), "worst_minutes": int(round(worst.minutes)),
            "worst_floor": worst.window.floor,
            "worst_window": worst.window.window, "sampled": f.sampled}


def _standard_head(rule, std: Standard | None) -> dict:
    row = {"rule": rule.id, "title": rule.title, "title_en": rule.title_en, "clause": rule.clause,
           "confidence": rule.confidence}
    if std is not None:
        row.update({"day": std.day.isoformat(), "day_name": std.day_name, "measure": std.measure,
                    "measure_name": MEASURES[std.measure], "required_minutes": int(round(std.required)),
                    "min_slice_minutes": std.min_slice, "step_minutes": std.step, "what_if": std.what_if})
    return row


def analyse(ctx, rules: Sequence, override: tuple[_dt.date, tuple[float, float], str] | None = None,
            step: float | None = None) -> list[tuple]:
    """Every window's verdict under each sunlight rule of ``rules``: one (entry, study, standard) per rule.

    The entry is JSON-ready (keys in README, ``drawcheck sunlight``); study and standard are None
    when the rule could not run (the entry says why). ``override`` = (day, band in hours, day name):
    every facade gets that band on that day and the standard's measure and minutes are applied
    (a what-if, marked ``what_if``); so is a ``step`` (minutes) coarser than the pack's.
    """
    out = []
    for rule in rules:
        std = None
        try:
            std = standard_of(ctx, rule)
            if override is not None:
                std = what_if(std, *override)
            why = WHAT_IF_NOTE if override is not None else None
            if step is not None:
                if step > std.step + EPS and why is None:
                    why = (f"--step {step:g} min is coarser than the standard's {std.step:g} min: "
                           "not a standard's verdict")
                std = dataclasses.replace(std, step=step, what_if=std.what_if or step > std.step + EPS)
            study = run(ctx, std)
        except (NotRun, NotApplicable) as exc:
            entry = _standard_head(rule, std)
            entry.update({"outcome": "not_run" if isinstance(exc, NotRun) else "not_applicable", "reason": str(exc)})
            out.append((entry, None, None))
            continue
        verdicts = judge(study, std)
        entry = _standard_head(rule, std)
        entry.update({
            "outcome": "failed" if any(v.failing for v in verdicts) else "passed",
            "bands": [list(b) for b in sorted({tuple(_hhmm_band(v.window.band)) for v in verdicts})],
            "points": len(study.points), "sampled": any(v.window.sampled for v in verdicts),
            "buildings": buildings(verdicts), "facades": [facade_row(f) for f in facades(study, verdicts)],
            "windows": [window_row(v, std) for v in verdicts]})
        note = sampled_note(verdicts)
        if note:
            entry["note"] = note
        if std.what_if:
            entry["what_if_note"] = why or WHAT_IF_NOTE
        out.append((entry, study, std))
    return out


def context(prepared):
    """The rule context of a prepared submission (:func:`drawcheck.pipeline.prepare`)."""
    from .engine import RuleContext

    m = prepared.manifest
    return RuleContext(prepared.project, prepared.indicators, m.conditions, m.claims,
                       packs={p.id: p for p in prepared.packs}, north_angle=m.north_angle, latitude=m.latitude,
                       longitude=m.longitude)


def sunlight_rules(packs: Sequence, wanted: Sequence[str] = ()) -> list:
    """The sunlight rules of ``packs`` (only of those whose id or file stem is in ``wanted``, if given)."""
    return [r for p in packs if not wanted or p.id in wanted or p.path.stem in wanted
            for r in p.rules if r.check in STANDARDS]


def command_data(ctx, rules: Sequence, override=None, step: float | None = None) -> tuple[dict, list[tuple]]:
    """The ``drawcheck sunlight`` JSON (see README) and the (entry, study, standard) of each rule that ran."""
    from ..sunlight.analysis import hhmm

    results = analyse(ctx, rules, override, step)
    data = {"project": ctx.project.name,
            "site": {"latitude": ctx.latitude, "longitude": ctx.longitude, "north_angle": ctx.north_angle},
            "what_if": None, "standards": [entry for entry, _, _ in results]}
    if override is not None:
        day, (start, end), _ = override
        data["what_if"] = {"day": day.isoformat(), "band": [hhmm(start * 60), hhmm(end * 60)], "note": WHAT_IF_NOTE}
    return data, [r for r in results if r[1] is not None]


def sunlight_packs() -> list[str]:
    """File stems of the shipped packs holding a sunlight rule (the command's default standards)."""
    from ..standards.packs import available_packs, load_packs
    from .registry import load_checks

    return [p.path.stem for p in load_packs(available_packs(), known_checks=load_checks())
            if any(r.check in STANDARDS for r in p.rules)]
