"""Rule documentation generated from the pack data, so the docs cannot disagree with what runs.

    python -m drawcheck.standards.docs > docs/rules.md
"""

from __future__ import annotations

import json

from ..model import ASSUMPTION_KINDS
from .packs import BUILTIN_PACKS, available_packs, load_packs

_HEADER = """# Rules

Generated from `drawcheck/standards/*.toml` by `python -m drawcheck.standards.docs`;
a test keeps this file equal to the generated text. Rule ids are
`PACK:CODE`. Confidence says how sure we are of a rule's numbers:
`verified` (read in the official text), `secondary` (secondary copies),
`unverified` (from memory; confirm before relying on it).

The `conditions` pack runs the plot conditions of the manifest's
`[conditions]` (a missing key makes its rule `not_run`), `declared` checks
the drawing's declared indicators and `qa` the drawing's quality; they run
on every check. The standard packs are selected in the manifest's
`[project] packs` (default: `gb50016-2014`); their `[params]` can be
changed per project in `[overrides."PACK"]`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _assumptions_section() -> str:
    lines = ["## No pass on an assumption", "",
             "Each rule says which assumed or skipped data its verdict rests on (`rests on`; a pack that says",
             "nothing rests on all of them). While one of those stands, a rule that would pass, or find nothing",
             "to apply to, is `not_run` with a reason naming the assumptions; a rule that fails still fails, and",
             "the rule row (`assumptions`) and each finding it concerns (`assumed`) say what it rests on. The",
             "report's `summary.rules_on_assumptions` counts both. The kinds:", "",
             "| kind | stands when |", "|---|---|"]
    lines += [f"| `{kind}` | {_cell(text)} |" for kind, text in ASSUMPTION_KINDS.items()]
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole of docs/rules.md."""
    from ..rules.registry import load_checks

    checks = load_checks()
    packs = load_packs(available_packs(), known_checks=checks)
    order = {p: i for i, p in enumerate(BUILTIN_PACKS)}
    packs.sort(key=lambda p: (order.get(p.id, -1), p.id))
    out = [_HEADER, _assumptions_section()]
    for pack in packs:
        out.append(f"\n## `{pack.id}` — {pack.title}" + (f" ({pack.title_en})" if pack.title_en else ""))
        out.append("")
        if pack.standard:
            out.append(f"Standard: {pack.standard}. Pack version {pack.version}.")
        else:
            out.append(f"Pack version {pack.version}.")
        if pack.params:
            out.append("\nParameters (override with `[overrides.\"" + pack.id + "\"]`):\n")
            out.append("| param | default |")
            out.append("|---|---|")
            for name, value in pack.params.items():
                out.append(f"| `{name}` | `{json.dumps(value, ensure_ascii=False)}` |")
        out.append("\n| rule | department | severity | confidence | clause | title | rests on |")
        out.append("|---|---|---|---|---|---|---|")
        for rule in pack.rules:
            title = rule.title + (f" / {rule.title_en}" if rule.title_en else "")
            rests_on = ", ".join(rule.rests_on) if rule.rests_on else "—"
            out.append(f"| `{rule.id}` | {rule.department} | {rule.severity} | {rule.confidence} | "
                       f"{_cell(rule.clause)} | {_cell(title)} | {rests_on} |")
        described = [r for r in pack.rules if checks[r.check].__doc__]
        if described:
            out.append("\nWhat each check does:\n")
            seen = set()
            for rule in described:
                if rule.check in seen:
                    continue
                seen.add(rule.check)
                doc = " ".join(checks[rule.check].__doc__.split())
                out.append(f"- `{rule.check}`: {doc}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
