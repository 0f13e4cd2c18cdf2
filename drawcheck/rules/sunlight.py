"""Sunlight rules (日照): GB 50180-2018 4.0.9 and 《上海市日照分析技术规范》(2021).

Each rule runs a whole-site study (:mod:`drawcheck.sunlight.study`) on its
design day and effective band per facing and judges each window against the
requirement (:mod:`drawcheck.rules.sunlight_standards`, shared with the
``drawcheck sunlight`` command). One finding per building facade lists the
floors with a failing window, measures the worst window and is located at
the facade's midpoint; existing neighbours are findings only where the
project's buildings push a window below the standard (a window already below
it without them is counted in the details).
"""

from __future__ import annotations

from .findings import finding
from .registry import check
from .sunlight_standards import (SAMPLED_NOTE, SAMPLED_NOTE_ZH, Standard, buildings, facade_name,
                                 facades, floor_ranges, judge, run, sampled_note, standard_of)


def _judge(ctx, rule, std: Standard):
    """Findings (one per building facade with a failing window) and the per-building details."""
    from ..sunlight.analysis import hhmm

    study = run(ctx, std)
    verdicts = judge(study, std)
    out = []
    groups = facades(study, verdicts)
    for f in groups:
        failing = f.failing
        if not failing:
            continue
        worst = failing[0]
        w = worst.window
        cause = cause_en = ""
        if worst.before is not None:
            cause = f"（无本项目时 {worst.before:.0f} 分钟）"
            cause_en = f" ({worst.before:.0f} minutes without the project's buildings)"
        note, note_en = (f"；{SAMPLED_NOTE_ZH}", f"; {SAMPLED_NOTE}") if f.sampled else ("", "")
        extra = {"floors": f.floors, "facade": f.facade, "part": f.part, "facing": round(f.facing, 1),
                 "facade_name": facade_name(f.facing), "windows": len(f.verdicts), "windows_failing": len(failing),
                 "windows_already_below": sum(1 for v in f.verdicts if v.verdict == "already_below"),
                 "facade_segment": [[round(c, 3) for c in f.segment[0]], [round(c, 3) for c in f.segment[1]]],
                 "worst_floor": w.floor, "worst_window": w.window, "worst_point": [round(c, 3) for c in w.point],
                 "worst_intervals": [[hhmm(a), hhmm(b)] for a, b in w.hours.intervals],
                 "existing": w.existing, "sampled": f.sampled}
        if f.sampled:
            extra["note"] = SAMPLED_NOTE
        out.append(finding(
            rule, building=f.building, facade=facade_name(f.facing), facade_en=facade_name(f.facing, english=True),
            floors=floor_ranges(f.floors, "、"), floors_en=floor_ranges(f.floors, ", "),
            failing=len(failing), windows=len(f.verdicts), counted="测点" if f.sampled else "窗",
            counted_en="sampled points" if f.sampled else "windows", day=std.label,
            band=f"{hhmm(w.band[0] * 60)}-{hhmm(w.band[1] * 60)}", cause=cause, cause_en=cause_en, note=note,
            note_en=note_en, measured=round(worst.minutes), required=round(std.required), unit="min",
            subjects=(f.building,), location={"type": "Point", "coordinates": list(f.midpoint)}, extra=extra))
    details = {"day": std.label, "measure": std.measure, "required_minutes": round(std.required),
               "points": len(study.points), "windows": len(study.windows),
               "facades_failing": sum(1 for f in groups if f.failing), "buildings": buildings(verdicts)}
    note = sampled_note(verdicts)
    if note:
        details["note"] = note
    return out, details


@check("sunlight_shanghai")
def sunlight_shanghai(ctx, rule):
    """Every residential window: full-window continuous sunlight on 冬至日 in its facing's band, short slices
    dropped; one finding per building facade."""
    return _judge(ctx, rule, standard_of(ctx, rule))


@check("sunlight_gb50180")
def sunlight_gb50180(ctx, rule):
    """Every residential window: cumulative sunlight on the design day of the climate zone's row of Table 4.0.9;
    one finding per building facade."""
    return _judge(ctx, rule, standard_of(ctx, rule))
