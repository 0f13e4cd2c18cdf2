"""Declared indicators (convention §7): the drawing's own table against the recomputed values."""

from __future__ import annotations

from ..rounding import as_reported
from .findings import finding, show
from .registry import NotApplicable, NotRun, check


@check("declared")
def declared(ctx, rule):
    """Mismatch beyond the tolerance of §7 between the declared and the computed value."""
    key = rule.args["key"]
    indicator = ctx.indicators.values[key]
    value = ctx.project.declared.get(key)
    if value is None:
        raise NotApplicable(f"{key} is not declared in the drawing")
    if indicator.status == "unverified":
        raise NotRun(f"{key} could not be computed: {indicator.reason}")
    if indicator.status == "ok":
        return []
    computed = as_reported(indicator.value, indicator.unit)
    return [finding(rule, measured=computed, required=value.value, unit=indicator.unit, subjects=(key,),
                    sources=value.sources, declared=show(value.value, indicator.unit),
                    computed=show(computed, indicator.unit),
                    extra={"declared": value.value, "computed": computed, "declared_text": value.text,
                           "tolerance": indicator.tolerance})]

