"""Fire department checks: GB 50016-2014 5.2.2 separation between civil buildings.

Separation is judged part against part (convention §4): a podium part
(裙房, <= 24 m beside a high-rise part) uses the 裙房 row of Table 5.2.2, a
high-rise part the 高层 row, and 三级/四级 fire-resistance ratings their own
rows. A manifest ``[[claims]]`` entry for the pair applies one of the
table's notes; the finding and the rule's details show it beside the
reduced value.
"""

from __future__ import annotations

from ..indicators.values import BuildingFigures, PartFigures
from ..rounding import as_reported
from .findings import finding, line_location
from .registry import NotApplicable, check

CATEGORY_NAMES = ("高层民用建筑 一、二级", "裙房和其他民用建筑 一、二级", "三级", "四级")
CATEGORY_NAMES_EN = ("high-rise, rating 1-2", "podium/other, rating 1-2", "rating 3", "rating 4")
#: Table notes that reduce the separation (the others describe cases, they reduce nothing).
REDUCING_NOTES = (1, 2, 3, 4, 5)


def category(part: PartFigures) -> int:
    """Row of Table 5.2.2 for a part (note 7: below 四级 counts as 四级)."""
    rating = part.part.fire_rating
    if rating >= 4:
        return 3
    if rating == 3:
        return 2
    return 0 if part.high_rise and not part.podium else 1


def _reduced(claim, table_value: float, a: BuildingFigures, b: BuildingFigures, high: bool, params) -> tuple[float | None, str]:
    """Required separation under ``claim`` (None: the claim does not apply) and why."""
    note = claim.note
    if note not in REDUCING_NOTES:
        return None, f"note {note} describes a case and reduces nothing"
    if note == 1:
        if a.fire_class != "low-multi" or b.fire_class != "low-multi":
            return None, "note 1 applies only between single/multi-storey buildings"
        return table_value * float(params["note1_factor"]), f"note 1: table value x {params['note1_factor']}"
    if note in (2, 3):
        return 0.0, f"note {note}: no minimum"
    floor = float(params["note45_min_high_rise"] if high else params["note45_min"])
    return min(table_value, floor), f"note {note}: at least {floor:g} m"


@check("fire_separation")
def fire_separation(ctx, rule):
    """Each pair of buildings within the search radius against Table 5.2.2 (with claimed notes)."""
    ind = ctx.indicators
    if len(ind.buildings) + len(ind.existing) < 2:
        raise NotApplicable("fewer than two buildings")
    params = ctx.params(rule)
    table = params["separation_table"]
    claims = {frozenset(c.between): c for c in ctx.claims if c.rule == rule.id}
    used: dict[frozenset, dict] = {}
    worst: dict[tuple[str, str], tuple] = {}
    civil_pairs = 0
    for pp in ind.part_pairs:
        if "industrial" in (pp.a.use, pp.b.use):
            continue  # 5.2.2 covers civil buildings only
        civil_pairs += 1
        ca, cb = category(pp.part_a), category(pp.part_b)
        table_value = float(table[ca][cb])
        required, basis = table_value, f"{CATEGORY_NAMES[ca]} — {CATEGORY_NAMES[cb]}"
        basis_en = f"{CATEGORY_NAMES_EN[ca]} vs {CATEGORY_NAMES_EN[cb]}"
        claim = claims.get(frozenset((pp.a.id, pp.b.id)))
        claim_info = None
        if claim is not None:
            reduced, why = _reduced(claim, table_value, pp.a, pp.b, pp.part_a.high_rise or pp.part_b.high_rise, params)
            used[frozenset(claim.between)] = {"between": list(claim.between), "note": claim.note, "reason": claim.reason,
                                              "applied": reduced is not None, "why": why}
            if reduced is not None:
                claim_info = {"note": claim.note, "reason": claim.reason, "table_value": table_value,
                              "reduced_to": reduced}
                required = reduced
                basis += f"；按注{claim.note}：{claim.reason}"
                basis_en += f"; note {claim.note} claimed: {claim.reason}"
        measured = as_reported(pp.distance, "m")
        if measured >= required:
            continue
        key = (pp.a.id, pp.b.id)
        shortfall = required - measured
        if key not in worst or shortfall > worst[key][0]:
            worst[key] = (shortfall, pp, measured, required, basis, basis_en, claim_info)
    if ind.part_pairs and civil_pairs == 0:
        raise NotApplicable("no pair of civil buildings within the search radius")
    out = []
    for (a, b), (_, pp, measured, required, basis, basis_en, claim_info) in sorted(worst.items()):
        out.append(finding(rule, a=a, b=b, basis=basis, basis_en=basis_en, measured=measured, required=required,
                           unit="m", subjects=(a, b), location=line_location(pp.from_point, pp.to_point),
                           sources=(pp.part_a.part.source, pp.part_b.part.source),
                           extra={"claim": claim_info} if claim_info else None))
    unused = [{"between": list(c.between), "note": c.note, "reason": c.reason, "applied": False,
               "why": "no such pair of buildings within the search radius"}
              for k, c in claims.items() if k not in used]
    details = {"pairs_checked": civil_pairs, "claims": sorted(list(used.values()) + unused, key=lambda c: c["between"])}
    return out, details
