"""Area rules of GB/T 50353-2013: storeys under the full storey height count half.

The halving itself happens in the indicators (GFA, FAR); this rule reports
which buildings it touched, so that a reviewer sees why GFA differs from
floors x plate.

References
----------
GB/T 50353-2013 建筑工程建筑面积计算规范 3.0.1 (secondary source): 结构层高
>= 2.20 m full area, < 2.20 m half area.
"""

from __future__ import annotations

from ..indicators.buildings import StoreyRule, low_storeys
from ..rounding import as_reported
from .findings import finding, show
from .registry import NotApplicable, check


@check("half_storeys")
def half_storeys(ctx, rule):
    """Each building with storeys whose storey height (m) is under the full height: their area counts half (info)."""
    buildings = ctx.indicators.buildings
    if not buildings:
        raise NotApplicable("no labelled building on the site")
    storey_rule = StoreyRule.from_params(ctx.params(rule))
    out = []
    for b in buildings:
        low = low_storeys(b, storey_rule)
        if not low:
            continue
        lowest = min(s.storey_height for s in low)
        names = "、".join(f"{s.name} {show(as_reported(s.storey_height, 'm'), 'm')} m" for s in low)
        out.append(finding(rule, building=b.id, count=sum(s.count for s in low), storeys=names,
                           factor=f"{storey_rule.factor:g}", measured=as_reported(lowest, "m"),
                           required=storey_rule.full_height, unit="m", subjects=(b.id,),
                           sources=tuple(dict.fromkeys(s.source for s in low if s.source is not None))))
    return out
