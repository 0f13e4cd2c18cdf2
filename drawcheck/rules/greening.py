"""Greening checks: green ratio by land use, 集中绿地 share of the site and patch size.

The land use is the manifest's ``[conditions] land_use``; ``public`` is read
as the regulation's schools, hospitals and cultural buildings. Ratios are
compared as reported (4 decimals), areas as reported (2 decimals); a value
equal to the minimum passes. 集中绿地 is the union of the central-green
outlines clipped to the site; a patch is one polygon of that union (outlines
sharing an edge form one patch, a shared corner does not join them).

References
----------
上海市绿化条例 第十五条 (verified): new housing >= 35 % green ratio, of which
集中绿地 >= 10 % of the site; piecemeal redevelopment >= 25 %; new schools,
hospitals and cultural buildings >= 35 %; industrial parks and storage >= 20 %.
上海市城市规划管理技术规定 第五十四条 (verified): 集中绿地 >= 10 % of
residential sites, 5 % of other sites, each patch >= 400 m². 第五十六条
(roof planting inside 浦西内环 counted by roof height difference) needs roof
levels the model does not hold and is not checked.
"""

from __future__ import annotations

import shapely

from ..geometry.ops import AreaIndex, exact_union_area, to_shapely
from ..rounding import as_reported
from .findings import finding
from .registry import NotApplicable, NotRun, check

#: Land use -> (pack param of its green-ratio minimum, basis in Chinese, in English).
GREEN_RATIO_BASES = {
    "residential": ("green_ratio_residential", "新建居住区", "new housing"),
    "public": ("green_ratio_public", "新建学校、医院、文化设施", "new schools, hospitals and cultural buildings"),
    "industrial": ("green_ratio_industrial", "工业园区、仓储", "industrial parks and storage"),
}
#: Land uses whose 35 % minimum drops to the piecemeal-redevelopment value (零星改建).
PIECEMEAL_USES = ("residential", "public")
PIECEMEAL_BASIS = ("green_ratio_piecemeal", "零星改建", "piecemeal redevelopment")


def land_use(ctx) -> str:
    """The plot's land use from the manifest; NotRun when absent."""
    value = ctx.conditions.get("land_use")
    if value is None:
        raise NotRun("condition land_use absent from the manifest's [conditions] (the minimum depends on it)")
    return value


def central_green_share(ctx) -> tuple[float, float]:
    """``(share of the site area, 集中绿地 area in m²)``, the union of central-green outlines clipped to the site."""
    site = ctx.indicators.site
    if site is None:
        raise NotRun(ctx.indicators.values["site_area"].reason or "no site boundary")
    area = exact_union_area([a.rings for a in ctx.project.green_central], clip=site.rings)
    return area / ctx.indicators.values["site_area"].value, area


@check("green_ratio_by_use")
def green_ratio_by_use(ctx, rule):
    """The green ratio (绿地率) against the minimum for the plot's land use (residential, public, industrial)."""
    use = land_use(ctx)
    params = ctx.params(rule)
    if ctx.conditions.get("piecemeal_redevelopment") and use in PIECEMEAL_USES:
        key, basis, basis_en = PIECEMEAL_BASIS
    elif use in GREEN_RATIO_BASES:
        key, basis, basis_en = GREEN_RATIO_BASES[use]
    else:
        raise NotApplicable(f"land use '{use}': 绿化条例 第十五条 sets no green-ratio minimum for it "
                            "(the plot's green_ratio_min condition applies)")
    indicator = ctx.indicators.values["green_ratio"]
    if indicator.value is None:
        raise NotRun(f"green_ratio could not be computed: {indicator.reason}")
    measured = as_reported(indicator.value, "ratio")
    required = float(params[key])
    if measured >= required:
        return []
    sources = [ctx.indicators.site.source] + [a.source for a in ctx.project.green + ctx.project.green_central]
    return [finding(rule, basis=basis, basis_en=basis_en, measured=measured, required=required, unit="ratio",
                    subjects=("project",), sources=sources)]


@check("central_green_share")
def central_green_share_check(ctx, rule):
    """集中绿地 (union, clipped to the site) as a share of the site: residential or other minimum."""
    use = land_use(ctx)
    params = ctx.params(rule)
    share, area = central_green_share(ctx)
    residential = use == "residential"
    required = float(params["central_share_residential" if residential else "central_share_other"])
    measured = as_reported(share, "ratio")
    if measured >= required:
        return []
    sources = [ctx.indicators.site.source] + [a.source for a in ctx.project.green_central]
    return [finding(rule, area=f"{area:.2f}", basis="居住用地" if residential else "其他用地",
                    basis_en="residential site" if residential else "non-residential site",
                    measured=measured, required=required, unit="ratio", subjects=("project",), sources=sources)]


def central_patches(ctx) -> list[tuple[float, object, list]]:
    """``(area m², shapely polygon, sources)`` of each 集中绿地 patch, clipped to the site when there is one."""
    outlines = ctx.project.green_central
    index = AreaIndex([a.rings for a in outlines])
    site = ctx.indicators.site
    clip = to_shapely([site.rings])[0] if site is not None else None
    patches = list(shapely.get_parts(shapely.union_all(index.geoms)))
    owner_of = {}
    if patches:
        points, polys = shapely.STRtree(patches).query(shapely.point_on_surface(index.geoms), predicate="within")
        owner_of = dict(zip(points.tolist(), polys.tolist()))
    out = []
    for k, patch in enumerate(patches):
        members = [i for i, p in owner_of.items() if p == k]
        area = index.union_area(members, clip=clip)
        if as_reported(area, "m2") > 0:
            out.append((area, patch, [outlines[i].source for i in sorted(members)]))
    return out


@check("central_green_patches")
def central_green_patches(ctx, rule):
    """Each 集中绿地 patch (a polygon of the union of the central-green outlines) against the least area, m²."""
    if not ctx.project.green_central:
        raise NotApplicable("no 集中绿地 (central green) outline in the drawing")
    required = float(ctx.params(rule)["central_patch_min"])
    out = []
    for area, patch, sources in central_patches(ctx):
        measured = as_reported(area, "m2")
        if measured >= required:
            continue
        point = shapely.point_on_surface(patch)
        subject = f"green_central:{sources[0].handle}"
        out.append(finding(rule, patch=subject, measured=measured, required=required, unit="m2", subjects=(subject,),
                           location={"type": "Point", "coordinates": [point.x, point.y]}, sources=sources))
    return out
