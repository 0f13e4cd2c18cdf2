"""Fire department checks on buildings: class (GB 50016 5.1.1) and separation (GB 50016 5.2.2, GB 55037 3.3.1).

Separation is judged part against part (convention §4): a podium part
(裙房, <= 24 m beside a high-rise part) uses the 裙房 row of Table 5.2.2, a
high-rise part the 高层 row, and 三级/四级 fire-resistance ratings their own
rows. A manifest ``[[claims]]`` entry for the pair applies one of the
table's notes; the finding and the rule's details show it beside the
reduced value. GB 55037 3.3.1 asks the Table's 高层 row of every part of a
building above 100 m except its podium, and no note reduces it.

A classification rule has no limit to fail: it records every building's
class, and warns when the class rests on an assumed value that can change
it (see :func:`fire_classification`).

References
----------
GB 50016-2014 (2018年版) 5.1.1 and Table 5.2.2 with its notes (secondary
source). GB 55037-2022 3.3.1 (secondary source): a building above 100 m
keeps >= 13 m to high-rise, >= 9 m to 一二级 low/multi-storey, >= 11 m to
三级 and >= 14 m to 四级 buildings.
"""

from __future__ import annotations

import shapely

from ..geometry.ops import to_shapely
from ..indicators.classes import PUBLIC_HIGH_RISE
from ..indicators.distances import natural_key
from ..indicators.values import BuildingFigures, PartFigures
from ..rounding import as_reported
from .findings import finding, line_location
from .registry import NotApplicable, check

CATEGORY_NAMES = ("高层民用建筑 一、二级", "裙房和其他民用建筑 一、二级", "三级", "四级")
CATEGORY_NAMES_EN = ("high-rise, rating 1-2", "podium/other, rating 1-2", "rating 3", "rating 4")
#: Table notes that reduce the separation (the others describe cases, they reduce nothing).
REDUCING_NOTES = (1, 2, 3, 4, 5)
#: Report class -> (中文, English) as messages name it.
CLASS_NAMES = {"high-rise-1": ("一类高层民用建筑", "high-rise class 1"),
               "high-rise-2": ("二类高层民用建筑", "high-rise class 2"),
               "low-multi": ("单、多层民用建筑", "single/multi-storey")}
#: What a label may leave to be assumed: (kind, 中文, English).
ASSUMPTIONS = (("use", "用途（未标注，按住宅）", "use (not labelled, taken as residential)"),
               ("height", "高度（未标注，由层数推定）", "height (not labelled, taken from the floors)"))


def category(part: PartFigures) -> int:
    """Row of Table 5.2.2 for a part (note 7: below 四级 counts as 四级)."""
    rating = part.part.fire_rating
    if rating >= 4:
        return 3
    if rating == 3:
        return 2
    return 0 if part.high_rise and not part.podium else 1


# -- classification ------------------------------------------------------------
@check("fire_classification")
def fire_classification(ctx, rule):
    """Every building's class, height and use in the details; a warning for a part above 24 m whose use or
    height is assumed (no label), since above 24 m either can change the class (m)."""
    ind = ctx.indicators
    buildings = list(ind.buildings) + list(ind.existing)
    if not buildings:
        raise NotApplicable("no building in the drawing")
    out, rows = [], []
    for b in buildings:
        height = as_reported(b.height, "m")
        doubtful = [pf for pf in b.parts if as_reported(pf.part.height, "m") > PUBLIC_HIGH_RISE
                    and (not pf.part.use_given or pf.part.height_assumed)]
        if b.use == "industrial":
            doubtful = []  # 5.1.1 classes civil buildings
        assumed = sorted({"use" for pf in b.parts if not pf.part.use_given}
                         | {"height" for pf in b.parts if pf.part.height_assumed})
        rows.append({"building": b.id, "kind": b.kind, "use": b.use, "height": height, "fire_class": b.fire_class,
                     "fire_rating": b.fire_rating, "assumed": assumed, "class_rests_on_assumption": bool(doubtful)})
        if not doubtful:
            continue
        which = [(zh, en) for kind, zh, en in ASSUMPTIONS
                 if any(not pf.part.use_given if kind == "use" else pf.part.height_assumed for pf in doubtful)]
        zh_class, en_class = CLASS_NAMES[b.fire_class]
        where = shapely.point_on_surface(to_shapely([doubtful[0].part.area.rings])[0])
        out.append(finding(rule, building=b.id, class_zh=zh_class, class_en=en_class,
                           assumed="、".join(zh for zh, _ in which), assumed_en=" and ".join(en for _, en in which),
                           measured=height, required=PUBLIC_HIGH_RISE, unit="m", subjects=(b.id,),
                           location={"type": "Point", "coordinates": [where.x, where.y]},
                           sources=tuple(pf.part.source for pf in doubtful)))
    rows.sort(key=lambda r: (r["kind"] == "existing", natural_key(r["building"])))
    return out, {"buildings": rows}


# -- separation ----------------------------------------------------------------
def _civil(pairs):
    """Part pairs between two civil buildings (Table 5.2.2 and GB 55037 3.3 cover civil buildings only)."""
    return [pp for pp in pairs if "industrial" not in (pp.a.use, pp.b.use)]


def _keep_worst(worst: dict, pp, required: float, fields: dict, extra: dict | None = None) -> None:
    """Keep the part pair if it is closer than ``required`` (as reported) and the worst so far of its buildings."""
    measured = as_reported(pp.distance, "m")
    if measured >= required:
        return
    key = (pp.a.id, pp.b.id)
    shortfall = required - measured
    if key not in worst or shortfall > worst[key][0]:
        worst[key] = (shortfall, pp, measured, required, fields, extra)


def _pair_findings(rule, worst: dict) -> list:
    """One finding per pair of buildings, for its worst part pair, nearest points as the location."""
    return [finding(rule, a=a, b=b, measured=measured, required=required, unit="m", subjects=(a, b),
                    location=line_location(pp.from_point, pp.to_point),
                    sources=(pp.part_a.part.source, pp.part_b.part.source), extra=extra, **fields)
            for (a, b), (_, pp, measured, required, fields, extra) in sorted(worst.items())]


def reduced_separation(claim, table_value: float, a: BuildingFigures, b: BuildingFigures, high: bool,
                       params) -> tuple[float | None, str]:
    """Required separation under ``claim`` (None: the claim does not apply) and why (m)."""
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
    civil = _civil(ind.part_pairs)
    for pp in civil:
        ca, cb = category(pp.part_a), category(pp.part_b)
        table_value = float(table[ca][cb])
        required, basis = table_value, f"{CATEGORY_NAMES[ca]} — {CATEGORY_NAMES[cb]}"
        basis_en = f"{CATEGORY_NAMES_EN[ca]} vs {CATEGORY_NAMES_EN[cb]}"
        claim = claims.get(frozenset((pp.a.id, pp.b.id)))
        claim_info = None
        if claim is not None:
            reduced, why = reduced_separation(claim, table_value, pp.a, pp.b, pp.part_a.high_rise or pp.part_b.high_rise, params)
            used[frozenset(claim.between)] = {"between": list(claim.between), "note": claim.note,
                                              "reason": claim.reason, "applied": reduced is not None, "why": why}
            if reduced is not None:
                claim_info = {"note": claim.note, "reason": claim.reason, "table_value": table_value,
                              "reduced_to": reduced}
                required = reduced
                basis += f"；按注{claim.note}：{claim.reason}"
                basis_en += f"; note {claim.note} claimed: {claim.reason}"
        _keep_worst(worst, pp, required, {"basis": basis, "basis_en": basis_en},
                    {"claim": claim_info} if claim_info else None)
    if ind.part_pairs and not civil:
        raise NotApplicable("no pair of civil buildings within the search radius")
    unused = [{"between": list(c.between), "note": c.note, "reason": c.reason, "applied": False,
               "why": "no such pair of buildings within the search radius"}
              for k, c in claims.items() if k not in used]
    details = {"pairs_checked": len(civil), "claims": sorted(list(used.values()) + unused, key=lambda c: c["between"])}
    return _pair_findings(rule, worst), details


@check("super_high_separation")
def super_high_separation(ctx, rule):
    """Each part of a building above the height limit (its podium apart) against the parts of other civil
    buildings within the search radius: the minimum by the other part's row of Table 5.2.2 (m); no note
    reduces it."""
    ind = ctx.indicators
    params = ctx.params(rule)
    limit = float(params["super_high_height"])
    row = params["super_high_separation"]
    tall = {id(b) for b in list(ind.buildings) + list(ind.existing) if as_reported(b.height, "m") > limit}
    if not tall:
        raise NotApplicable(f"no building higher than {limit:g} m")
    worst: dict[tuple[str, str], tuple] = {}
    checked = 0
    for pp in _civil(ind.part_pairs):
        sides = [(float(row[category(other)]), b, o, category(other))
                 for b, part, o, other in ((pp.a, pp.part_a, pp.b, pp.part_b), (pp.b, pp.part_b, pp.a, pp.part_a))
                 if id(b) in tall and not part.podium]
        if not sides:
            continue
        checked += 1
        required, b, o, c = max(sides, key=lambda s: s[0])
        _keep_worst(worst, pp, required, {
            "basis": f"{b.id} 建筑高度大于 {limit:g} m，{o.id} 为{CATEGORY_NAMES[c]}",
            "basis_en": f"{b.id} is higher than {limit:g} m, {o.id} is {CATEGORY_NAMES_EN[c]}"})
    return _pair_findings(rule, worst), {"pairs_checked": checked}
