"""Drawing-quality rules: the reader's notes, and defects found while computing."""

from __future__ import annotations

from ..indicators.consistency import QUANTITIES
from ..rounding import as_reported
from .findings import Finding, finding, line_location, show
from .registry import NotApplicable, check


@check("qa_notes")
def qa_notes(ctx, rule):
    """Every reader note whose code is this rule's code."""
    return [Finding(rule, n.message, n.message, subjects=n.subjects, location=n.location, sources=n.sources,
                    severity=n.severity)
            for n in ctx.project.qa if n.code == rule.code]


@check("qa_site_boundary")
def qa_site_boundary(ctx, rule):
    """Exactly one closed site boundary is expected (convention §3)."""
    if ctx.indicators.site is not None:
        return []
    sources = tuple(a.source for a in ctx.project.sites)
    detail = ctx.indicators.values["site_area"].reason
    hint = ctx.project.layer_hints.get("site") if not ctx.project.sites else None
    if hint:  # no site boundary at all: name the layer that most likely holds it
        detail = f"{detail}; {hint}"
    return [finding(rule, detail=detail, sources=sources, subjects=("site",))]


@check("qa_overlap")
def qa_overlap(ctx, rule):
    """Buildings whose parts overlap in plan (nothing may be counted twice, convention §4)."""
    out = []
    for row in ctx.indicators.spacing:
        if row.overlap_area <= 0:
            continue
        touching = [pp for pp in ctx.indicators.part_pairs
                    if pp.a.id == row.a and pp.b.id == row.b and pp.distance == 0.0]
        sources = tuple(dict.fromkeys(s for pp in touching for s in (pp.part_a.part.source, pp.part_b.part.source)))
        out.append(finding(rule, detail=f"{row.a} and {row.b} overlap in plan by {row.overlap_area:.2f} m2",
                           subjects=(row.a, row.b), measured=row.overlap_area, unit="m2",
                           location=line_location(row.from_point, row.to_point), sources=sources))
    return out


@check("qa_outside_site")
def qa_outside_site(ctx, rule):
    """A building that crosses or lies outside the site boundary (setback reported as 0)."""
    if ctx.indicators.site is None:
        raise NotApplicable("no single site boundary to test against")
    out = []
    for row in ctx.indicators.setbacks:
        if row.b == "site_boundary" and not row.inside:
            out.append(finding(rule, detail=f"{row.a} crosses or lies outside the site boundary (用地红线)",
                               subjects=(row.a,), location=line_location(row.from_point, row.to_point),
                               sources=(row.part.source,) if row.part is not None else ()))
    return out


@check("qa_internal_error")
def qa_internal_error(ctx, rule):
    """Rules that failed with an internal error (they are reported not_run)."""
    return [finding(rule, detail=f"rule {r.id} could not run: {reason}", subjects=(r.id,))
            for r, reason in ctx.internal_errors]


@check("qa_area_drawing_gfa")
def qa_area_drawing_gfa(ctx, rule):
    """A building's area drawing against the site plan's own labels: GFA above ground and floors above ground."""
    from ..indicators.area_schedules import GFA_TOLERANCE

    feeds = [a for a in ctx.indicators.area_feeds if a.site_gfa is not None]
    if not feeds:
        raise NotApplicable("no area drawing of a building on the site plan")
    out = []
    for a in feeds:
        sources = tuple(s.source for s in a.schedules if s.source is not None)
        if abs(a.above - a.site_gfa) > GFA_TOLERANCE * max(a.above, a.site_gfa):
            out.append(finding(rule, detail=f"{a.building}: the area drawing gives {a.above:.2f} m2 above ground, the "
                               f"site plan's labels {a.site_gfa:.2f} m2 (more than {GFA_TOLERANCE:.0%} apart); the "
                               "area drawing's figure is used", subjects=(a.building,), measured=a.above,
                               required=a.site_gfa, unit="m2", sources=sources))
        if a.site_floors is not None and a.floors_above != a.site_floors:
            out.append(finding(rule, detail=f"{a.building}: the area drawing's floor labels cover {a.floors_above} "
                               f"floors above ground, the site plan's label says {a.site_floors}",
                               subjects=(a.building,), measured=a.floors_above, required=a.site_floors,
                               unit="count", sources=sources))
    return out


@check("qa_area_drawing_unmatched")
def qa_area_drawing_unmatched(ctx, rule):
    """An area drawing of a building the site plan does not show (its areas still count)."""
    if not ctx.indicators.area_feeds or not ctx.indicators.buildings:
        raise NotApplicable("no area drawing, or no building on the site plan to match")
    return [finding(rule, detail=f"area drawing {', '.join(a.inputs)} is of building {a.building}, which the site "
                    f"plan does not show (it shows {', '.join(f.id for f in ctx.indicators.buildings)}); its "
                    "areas are counted all the same", subjects=(a.building,),
                    sources=tuple(s.source for s in a.schedules if s.source is not None))
            for a in ctx.indicators.area_feeds if a.site_gfa is None]


#: Compared quantity -> unit of the two values a finding shows (the Hausdorff distance has no such pair).
_VALUE_UNIT = {"footprint_area": "m2", "floors_above": "count", "height": "m"}


@check("qa_model_consistency")
def qa_model_consistency(ctx, rule):
    """A site-plan building and its IFC model differing beyond the manifest's [consistency] tolerance.

    The rule's quantity (args): footprint area, outline (Hausdorff), floors or height; the finding names both
    sources and gives both values.
    """
    quantity = rule.args["quantity"]
    if not ctx.indicators.models:
        raise NotApplicable("no building both on the site plan and in an IFC model")
    out = []
    for c in ctx.indicators.models:
        if quantity not in c.beyond():
            continue
        extra = {"model_building": c.model.id, "matched_by": c.matched_by}
        shown = {}
        if quantity in _VALUE_UNIT:
            unit = _VALUE_UNIT[quantity]
            pair = (getattr(c.drawing, quantity), getattr(c.model, quantity))
            extra |= {"site_plan_value": as_reported(pair[0], unit), "model_value": as_reported(pair[1], unit)}
            shown = {"site_plan_value": show(pair[0], unit), "model_value": show(pair[1], unit)}
        out.append(finding(
            rule, subjects=(c.drawing.id,), measured=c.measured(quantity), required=c.tolerance(quantity),
            unit=QUANTITIES[quantity], location=line_location(*c.hausdorff_points) if quantity == "hausdorff" else None,
            sources=tuple(p.part.source for p in c.drawing.parts) + tuple(p.part.source for p in c.model.parts),
            extra=extra, building=c.drawing.id, model=c.model.id, model_source=c.model.parts[0].part.source.input,
            matched_zh="同名" if c.matched_by == "name" else "平面重叠",
            matched_en="name" if c.matched_by == "name" else "plan overlap", **shown))
    return out
