"""Run every rule of the selected packs and record its outcome.

Outcomes: passed, failed, not_applicable, not_run (report-json.md). A rule
that raises becomes not_run with the error as its reason, and a
``qa:internal-error`` finding; the other rules still run. A rule whose
verdict rests on an assumption is weighed by :mod:`.assumptions`: never
passed, a failure flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..indicators.values import Indicators
from ..model import Assumption, Project
from ..standards.packs import Pack, Rule
from .assumptions import concerns, reason_for, relevant
from .findings import Finding
from .registry import NotApplicable, NotRun, load_checks

_LAST = "qa_internal_error"  # reads the errors of all the others


@dataclass
class RuleContext:
    """What a check may read: the model, the indicators, the manifest's conditions, claims and north angle."""

    project: Project
    indicators: Indicators
    conditions: Mapping[str, object]
    claims: Sequence = ()
    packs: Mapping[str, Pack] = field(default_factory=dict)
    internal_errors: list[tuple[Rule, str]] = field(default_factory=list)
    north_angle: float = 0.0  # manifest [site]: degrees from the drawing's +Y axis to true north, CCW positive
    latitude: float = 31.2333  # manifest [site], degrees (default: the Shanghai reference point)
    longitude: float = 121.4667
    assumptions: Sequence[Assumption] = ()  # what was assumed or skipped (rules.assumptions.collect_assumptions)

    def params(self, rule: Rule) -> Mapping[str, object]:
        """The (possibly overridden) params of the rule's pack."""
        return self.packs[rule.pack].params


@dataclass
class RuleResult:
    rule: Rule
    outcome: str  # passed | failed | not_applicable | not_run
    findings: list[Finding] = field(default_factory=list)
    reason: str | None = None
    details: dict = field(default_factory=dict)
    assumptions: list[Assumption] = field(default_factory=list)  # what the verdict (or its absence) rests on
    outcome_before: str | None = None  # what the check said before the assumptions were weighed


def run_rules(packs: Sequence[Pack], ctx: RuleContext) -> list[RuleResult]:
    """Evaluate every rule of ``packs`` in pack order; the internal-error rule runs last."""
    checks = load_checks()
    ctx.packs = {p.id: p for p in packs}
    rules = [r for p in packs for r in p.rules]
    ordered = [r for r in rules if r.check != _LAST] + [r for r in rules if r.check == _LAST]
    results = {}
    for rule in ordered:
        results[rule.id] = _weigh_assumptions(_run_one(checks[rule.check], rule, ctx), ctx.assumptions)
    return [results[r.id] for r in rules]


def _run_one(fn, rule: Rule, ctx: RuleContext) -> RuleResult:
    try:
        out = fn(ctx, rule)
    except NotApplicable as exc:
        return RuleResult(rule, "not_applicable", reason=str(exc))
    except NotRun as exc:
        return RuleResult(rule, "not_run", reason=str(exc))
    except Exception as exc:  # a broken check must not stop the others
        reason = f"internal error: {type(exc).__name__}: {exc}"
        ctx.internal_errors.append((rule, reason))
        return RuleResult(rule, "not_run", reason=reason)
    findings, details = out if isinstance(out, tuple) else (out, {})
    return RuleResult(rule, "failed" if findings else "passed", list(findings), details=details)


#: Kinds that cannot make a rule find nothing to apply to: no rule applies only to 一/二级 buildings.
_APPLICABILITY_IGNORES = frozenset({"fire_rating"})


def _weigh_assumptions(result: RuleResult, assumptions: Sequence[Assumption]) -> RuleResult:
    """Never a pass (or a "nothing applies") on an assumption; a failure keeps what it rests on."""
    standing = relevant(assumptions, result.rule.rests_on)
    if result.outcome == "not_applicable":
        standing = [a for a in standing if a.kind not in _APPLICABILITY_IGNORES]
    if not standing or result.outcome == "not_run":
        return result
    if result.outcome in ("passed", "not_applicable"):
        result.outcome_before, result.outcome = result.outcome, "not_run"
        result.reason = reason_for(standing)
        result.assumptions = standing
        return result
    result.assumptions = [a for a in standing if any(concerns(a, f.subjects) for f in result.findings)]
    for f in result.findings:
        kinds = sorted({a.kind for a in standing if concerns(a, f.subjects)})
        if kinds:
            f.extra["assumed"] = kinds
    return result
