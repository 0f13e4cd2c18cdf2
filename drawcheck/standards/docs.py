"""Rule documentation generated from the pack data, so the docs cannot disagree with what runs.

    python -m drawcheck.standards.docs > docs/rules.md
"""

from __future__ import annotations

import json

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


def render() -> str:
    """The whole of docs/rules.md."""
    from ..rules.registry import load_checks

    checks = load_checks()
    packs = load_packs(available_packs(), known_checks=checks)
    order = {p: i for i, p in enumerate(BUILTIN_PACKS)}
    packs.sort(key=lambda p: (order.get(p.id, -1), p.id))
    out = [_HEADER]
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
        out.append("\n| rule | department | severity | confidence | clause | title |")
        out.append("|---|---|---|---|---|---|")
        for rule in pack.rules:
            title = rule.title + (f" / {rule.title_en}" if rule.title_en else "")
            out.append(f"| `{rule.id}` | {rule.department} | {rule.severity} | {rule.confidence} | "
                       f"{_cell(rule.clause)} | {_cell(title)} |")
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
