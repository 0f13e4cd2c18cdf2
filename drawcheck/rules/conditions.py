"""Plot conditions (规划设计条件) from the manifest: limits on indicators and setbacks.

Values are compared as the report shows them (rounded per report-json.md),
so the measured number in a finding is exactly the one compared; a value
equal to the limit passes.

The parking, 人防 and 集中绿地 ratios have no verified default in the
standards reference: they run only from the manifest's values. Required
parking spaces are rounded up to whole spaces. The 人防 base is the GFA above
ground: 上海市民防条例 第三十六条 requires a 防空地下室 without stating the share
or its base, and the national rules state the share of the above-ground
building area (地面建筑面积).
"""

from __future__ import annotations

import math

from ..geometry.ops import exact_union_area
from ..rounding import as_reported
from .findings import finding, line_location, show
from .greening import central_green_share
from .registry import NotApplicable, NotRun, check

#: Digits a ratio x base product is rounded to before rounding up (0.3 x 10 is 3, not 3.0000000000000004).
_CEIL_DIGITS = 6


def _condition(ctx, rule):
    value = ctx.conditions.get(rule.code)
    if value is None:
        raise NotRun(f"condition {rule.code} absent from the manifest's [conditions]")
    return value


@check("condition_limit")
def condition_limit(ctx, rule):
    """An indicator against a ``max`` or ``min`` condition."""
    limit = _condition(ctx, rule)
    key = rule.args["indicator"]
    indicator = ctx.indicators.values[key]
    if indicator.value is None:
        raise NotRun(f"{key} could not be computed: {indicator.reason}")
    measured = as_reported(indicator.value, indicator.unit)
    over = measured > limit if rule.args["limit"] == "max" else measured < limit
    if not over:
        return []
    return [finding(rule, measured=measured, required=limit, unit=indicator.unit, subjects=("project",))]


@check("condition_setback")
def condition_setback(ctx, rule):
    """Each building's setback to the site boundary or the road red line against the condition."""
    required = _condition(ctx, rule)
    target = rule.args["to"]
    if target == "site_boundary" and ctx.indicators.site is None:
        raise NotRun(ctx.indicators.values["site_area"].reason or "no site boundary")
    if target == "road_redline" and not ctx.project.road_redlines:
        raise NotApplicable("no road red line (道路红线) in the drawing")
    rows = [s for s in ctx.indicators.setbacks if s.b == target]
    if not rows:
        raise NotApplicable("no labelled building on the site")
    out = []
    for row in rows:
        measured = as_reported(row.distance, "m")
        if measured >= required:
            continue
        sources = (row.part.source,) if row.part is not None else ()
        out.append(finding(rule, building=row.a, measured=measured, required=required, unit="m",
                           subjects=(row.a,), location=line_location(row.from_point, row.to_point), sources=sources))
    return out


def _indicator(ctx, key: str) -> float:
    """An indicator's value as reported; NotRun when it could not be computed."""
    indicator = ctx.indicators.values[key]
    if indicator.value is None:
        raise NotRun(f"{key} could not be computed: {indicator.reason}")
    return as_reported(indicator.value, indicator.unit)


def stated_households(ctx) -> int:
    """Households stated on the labels (``120户``) of the buildings on the site (``ctx``: anything with
    ``.indicators``, a rule context or a prepared submission); NotRun when a residential building states none."""
    buildings = ctx.indicators.buildings
    stated = [pf.part.households for b in buildings for pf in b.parts if pf.part.households is not None]
    if not stated:
        raise NotRun("no building label states its households (e.g. '120户')")
    missing = [b.id for b in buildings if b.use == "residential"
               and all(pf.part.households is None for pf in b.parts)]
    if missing:
        raise NotRun(f"residential building(s) {', '.join(missing)} state no households (e.g. '120户'): "
                     "the requirement would be understated")
    return sum(stated)


@check("condition_parking_ratio")
def condition_parking_ratio(ctx, rule):
    """Parking spaces drawn (count) against ratio x households (labels ``N户``) or ratio x GFA above ground / 100 m², rounded up."""
    ratio = _condition(ctx, rule)
    if rule.args["per"] == "household":
        base, per = stated_households(ctx), 1.0
    else:
        base, per = _indicator(ctx, "gfa_above"), 100.0
    required = math.ceil(round(ratio * base / per, _CEIL_DIGITS))
    measured = _indicator(ctx, "parking_spaces")
    if measured >= required:
        return []
    return [finding(rule, ratio=f"{ratio:g}", base=show(base, "m2" if per != 1.0 else "count"), measured=measured,
                    required=required, unit="count", subjects=("project",), sources=ctx.project.parking,
                    extra={"ratio": ratio, "base": base})]


@check("condition_civil_defense")
def condition_civil_defense(ctx, rule):
    """人防 area (m², union of the civil-defense outlines) against ratio x GFA above ground (m²)."""
    ratio = _condition(ctx, rule)
    base = _indicator(ctx, "gfa_above")
    required = as_reported(ratio * base, "m2")
    measured = as_reported(exact_union_area([a.rings for a in ctx.project.civil_defense]), "m2")
    if measured >= required:
        return []
    return [finding(rule, ratio=f"{ratio:g}", base=show(base, "m2"), measured=measured, required=required,
                    unit="m2", subjects=("project",), sources=[a.source for a in ctx.project.civil_defense],
                    extra={"ratio": ratio, "base": base})]


@check("condition_green_central")
def condition_green_central(ctx, rule):
    """集中绿地 (union, clipped to the site) as a share of the site area against the condition."""
    limit = _condition(ctx, rule)
    share, area = central_green_share(ctx)
    measured = as_reported(share, "ratio")
    if measured >= limit:
        return []
    sources = [ctx.indicators.site.source] + [a.source for a in ctx.project.green_central]
    return [finding(rule, area=f"{area:.2f}", measured=measured, required=limit, unit="ratio",
                    subjects=("project",), sources=sources)]
