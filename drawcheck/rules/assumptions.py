"""No pass on an assumption: what drawcheck assumed or skipped, and how it weighs on a rule's verdict.

The reader records what it skipped and the units it guessed
(``Project.assumptions``); the values a label left to a default are read
here from the parts (height from floors, use, fire-resistance rating). A
rule's pack says which kinds its verdict rests on (``rests_on``, kinds in
:data:`drawcheck.model.ASSUMPTION_KINDS`). When one of those stands:

- a rule that would pass, or find nothing to apply to, is ``not_run``, its
  reason naming the assumptions (the assumed value would pass: that is no
  verdict);
- a rule that fails still fails, and the rule and each finding whose
  subjects an assumption concerns carry the assumptions they rest on.

References
----------
GB 50016-2014 (2018年版) 5.1.3: 一类高层 一级, 二类高层 not below 二级, so a
high-rise part's assumed 二级 cannot hide a lower rating that widens Table
5.2.2's separations; only a part that is not high-rise carries a
``fire_rating`` assumption.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..indicators.classes import is_high_rise
from ..indicators.values import Indicators
from ..model import Assumption, Project
from ..rounding import as_reported


def collect_assumptions(project: Project, indicators: Indicators) -> list[Assumption]:
    """The reader's assumptions plus one per building and kind for values its labels left to a default."""
    out = list(project.assumptions)
    for b in list(indicators.buildings) + list(indicators.existing):
        by_kind: dict[str, list] = {}
        for pf in b.parts:
            part = pf.part
            if part.height_assumed:
                by_kind.setdefault("height", []).append(pf)
            if not part.use_given:
                by_kind.setdefault("use", []).append(pf)
                if is_high_rise("residential", part.height) != is_high_rise("public", part.height):
                    by_kind.setdefault("use_class", []).append(pf)
            if not part.fire_rating_given and not pf.high_rise:
                by_kind.setdefault("fire_rating", []).append(pf)
        for kind, parts in by_kind.items():
            out.append(Assumption(kind, _message(kind, b.id, parts), (b.id,), tuple(pf.part.source for pf in parts)))
    return out


def _message(kind: str, building: str, parts) -> str:
    part = parts[0].part
    if kind == "height":
        storey = part.height / part.floors if part.floors else 0.0
        return (f"{building}: height {as_reported(part.height, 'm'):g} m assumed from {part.floors} floors x "
                f"{as_reported(storey, 'm'):g} m (no height in the label)")
    if kind == "use":
        return f"{building}: use assumed residential (no use in the label)"
    if kind == "use_class":
        return (f"{building}: use assumed residential; at {as_reported(part.height, 'm'):g} m a public building "
                "would be high-rise (GB 50016 2.1.1), residential it is not")
    if kind == "fire_rating":
        return f"{building}: fire-resistance rating assumed 二级 (no rating in the label)"
    raise ValueError(kind)


def relevant(assumptions: Sequence[Assumption], kinds: Sequence[str]) -> list[Assumption]:
    """The assumptions of the given kinds, in kind order then as recorded."""
    order = {k: i for i, k in enumerate(kinds)}
    chosen = [a for a in assumptions if a.kind in order]
    return sorted(chosen, key=lambda a: order[a.kind])


def concerns(assumption: Assumption, subjects: Sequence[str]) -> bool:
    """Whether an assumption bears on a finding about ``subjects`` (project-wide ones bear on every finding)."""
    return not assumption.subjects or "project" in subjects or bool(set(assumption.subjects) & set(subjects))


def reason_for(assumptions: Sequence[Assumption], limit: int = 3) -> str:
    """One line naming the assumptions a verdict would rest on."""
    shown = "; ".join(a.message for a in assumptions[:limit])
    more = f"; and {len(assumptions) - limit} more" if len(assumptions) > limit else ""
    return f"not judged: the verdict would rest on assumed or skipped data: {shown}{more}"
