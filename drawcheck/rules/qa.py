"""Drawing-quality rules: the reader's notes, and defects found while computing."""

from __future__ import annotations

from .findings import Finding, finding, line_location
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
