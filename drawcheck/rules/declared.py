"""Declared indicators (convention §7): the drawing's own table against the recomputed values."""

from __future__ import annotations

from ..indicators.declared import declared_status
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



#: What each building-level declared key is compared with, and its unit (convention §5).
_BUILDING_VALUES = {
    "building_storeys": (lambda b: b.floors_above, "count"),  # 层数: floors above ground
    "building_gfa": (lambda b: b.gfa + (b.gfa_below or 0.0), "m2"),
    "building_height": (lambda b: b.height, "m"),
    "building_footprint": (lambda b: b.footprint_area, "m2"),
}


@check("declared_building")
def declared_building(ctx, rule):
    """A BIM building's own declared value (property and quantity sets) against its geometry."""
    key = rule.args["key"]
    compute, unit = _BUILDING_VALUES[key]
    subjects = [b for b in ctx.indicators.buildings if key in b.building.declared]
    if not subjects:
        raise NotApplicable(f"no building model declares {key}")
    out = []
    for b in subjects:
        value = b.building.declared[key]
        computed = as_reported(compute(b), unit)
        status, tolerance = declared_status(computed, value.value, unit)
        if status == "ok":
            continue
        out.append(finding(rule, building=b.id, measured=computed, required=value.value, unit=unit,
                           subjects=(b.id,), sources=value.sources, declared=show(value.value, unit),
                           computed=show(computed, unit),
                           extra={"declared": value.value, "computed": computed, "declared_text": value.text,
                                  "tolerance": tolerance}))
    return out
