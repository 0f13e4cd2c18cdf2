"""Plot conditions (规划设计条件) from the manifest: limits on indicators and setbacks.

Values are compared as the report shows them (rounded per report-json.md),
so the measured number in a finding is exactly the one compared; a value
equal to the limit passes.
"""

from __future__ import annotations

from ..rounding import as_reported
from .findings import finding, line_location
from .registry import NotApplicable, NotRun, check


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
