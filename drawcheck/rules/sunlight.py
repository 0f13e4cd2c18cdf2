"""Sunlight rules (日照): GB 50180-2018 4.0.9 and 《上海市日照分析技术规范》(2021).

Each rule runs a whole-site study (:mod:`drawcheck.sunlight.study`) on its
design day and effective band and compares each window's sunlit minutes
with the requirement. One finding per building, floor and facade names its
worst window; existing neighbours are findings only where the project's
buildings push a window below the standard (a window already below it
without them is listed in the details).
"""

from __future__ import annotations

from collections import defaultdict

from .findings import finding
from .registry import NotApplicable, NotRun, check

RESIDENTIAL = ("residential", "mixed")


def _facade_name(facing: float) -> str:
    if abs(facing) < 0.5:
        return "正南"
    return f"南偏{'东' if facing < 0 else '西'}{abs(facing):.0f}°"


def _study(ctx, rule, day, band_of, min_slice: float):
    from ..sunlight.study import run_study  # numba kernels: loaded only when a sunlight rule runs

    ind = ctx.indicators
    if not any(b.use in RESIDENTIAL for b in ind.buildings + ind.existing):
        raise NotApplicable("no residential building on the site or among the neighbours")
    params = ctx.params(rule)
    return run_study(ind.buildings, ind.existing, ctx.project.windows, latitude=ctx.latitude,
                     longitude=ctx.longitude, north_angle=ctx.north_angle, day=day, band_of=band_of,
                     step=float(params["step_minutes"]), min_slice=min_slice, spacing=float(params["spacing"]))


def _judge(ctx, rule, study, required: float, measure: str, day_label: str):
    """Findings (worst window per building/floor/facade) and the per-building details."""
    from ..sunlight.analysis import hhmm

    worst: dict[tuple, object] = {}
    summary = defaultdict(lambda: {"windows": 0, "failing": 0, "already_below": 0, "least_minutes": None})
    for w in study.windows:
        value = getattr(w.hours, measure)
        row = summary[w.building]
        row["windows"] += 1
        row["least_minutes"] = value if row["least_minutes"] is None else min(row["least_minutes"], value)
        if value >= required - 1e-9:
            continue
        if w.existing and w.hours_before is not None and getattr(w.hours_before, measure) < required - 1e-9:
            row["already_below"] += 1  # not the project's doing
            continue
        row["failing"] += 1
        key = (w.building, w.floor, w.facade)
        if key not in worst or value < getattr(worst[key].hours, measure):
            worst[key] = w
    out = []
    for (building, floor, facade), w in sorted(worst.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        value = getattr(w.hours, measure)
        cause = ""
        if w.existing and w.hours_before is not None:
            cause = f"（无本项目时 {getattr(w.hours_before, measure):.0f} 分钟）"
        out.append(finding(
            rule, building=building, floor=floor, facade=_facade_name(w.facing), day=day_label,
            band=f"{hhmm(w.band[0] * 60)}-{hhmm(w.band[1] * 60)}", cause=cause,
            measured=round(value), required=round(required), unit="min", subjects=(building,),
            location={"type": "Point", "coordinates": [w.point[0], w.point[1]]},
            extra={"floor": floor, "facade": facade, "facing": round(w.facing, 1), "window": w.window,
                   "existing": w.existing, "intervals": [[hhmm(a), hhmm(b)] for a, b in w.hours.intervals]}))
    details = {"day": day_label, "points": len(study.points), "windows": len(study.windows),
               "buildings": {k: v for k, v in sorted(summary.items())}}
    return out, details


@check("sunlight_shanghai")
def sunlight_shanghai(ctx, rule):
    """Every residential window: full-window continuous sunlight on 冬至日 in its facing's band, short slices dropped."""
    from ..sunlight.solar import design_day
    from ..sunlight.study import parse_hhmm

    params = ctx.params(rule)
    day = design_day(params["day"], int(params["base_year"]))
    bands = params["facing_bands"]  # rows: [max |facing| deg, east start, east end, west start, west end]

    def band_of(facing: float):
        for limit, e0, e1, w0, w1 in bands:
            if abs(facing) <= float(limit) + 1e-9:
                return (parse_hhmm(e0), parse_hhmm(e1)) if facing <= 0 else (parse_hhmm(w0), parse_hhmm(w1))
        return (12.0, 12.0)

    study = _study(ctx, rule, day, band_of, float(params["min_slice_minutes"]))
    return _judge(ctx, rule, study, float(params["continuous_minutes"]), "longest", f"{day.isoformat()} 冬至日")


@check("sunlight_gb50180")
def sunlight_gb50180(ctx, rule):
    """Every residential window: cumulative sunlight on the design day of the climate zone's row of Table 4.0.9."""
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
    _, _, day_name, minutes = row
    day = design_day(day_name, int(params["base_year"]))
    band = tuple(parse_hhmm(t) for t in params[f"{day_name}_band"])
    study = _study(ctx, rule, day, lambda facing: band, float(params["min_slice_minutes"]))
    label = f"{day.isoformat()} {'大寒日' if day_name == 'dahan' else '冬至日'}"
    return _judge(ctx, rule, study, float(minutes), "cumulative", label)
