"""docs/layers.md, generated from ``layer_names.toml`` so the docs cannot disagree with what is read.

    python -m drawcheck.readers.layer_names_doc > docs/layers.md
"""

from __future__ import annotations

from .layer_names import name_table

_HEADER = """# Layer names

Generated from `drawcheck/readers/layer_names.toml` by
`python -m drawcheck.readers.layer_names_doc`; a test keeps this file equal
to the generated text.

A DXF layer gets its role (what drawcheck reads on it, convention §2) in this order:

1. **exact**: its name, trimmed and case-insensitive, is one of the role's
   exact names below or one the manifest's `[layers]` adds;
2. **pattern**: it matches a glob pattern of the manifest's `[layers]`;
3. **inferred**: its name is an exact name or a synonym below once prefixes
   and suffixes are taken off (see *Taken off*). An inferred role is used only
   when that layer is the only one of the drawing claiming the role (no other
   layer inferred as it, none named exactly as it) and the layer is on and
   thawed. Each inference used is a `qa:layer-inferred` finding (info) naming
   the layer, the role and why; layers refused because another claims the
   role too are a `qa:layer-ambiguous` finding (warning). `--strict-layers`
   (on `check` and `batch`) or `[layers] strict = true` turns inference off,
   and so does `[layers] replace = true` (only the names listed there count).

Layers holding closed outlines or texts that get no role (and are not known to
hold nothing drawcheck reads, see *No role*, nor named in a
`qa:layer-ambiguous` finding) are listed in one `qa:unmatched-layers`
finding (info) with their counts. Layers holding only
lines, hatches or dimensions are not listed. When no site boundary is found,
the `qa:site-boundary` finding names the layer most likely to hold it and the
`[layers]` line that makes it the site.

`drawcheck layers PATH [--format text|json] [--strict-layers]` prints every
layer of a drawing (or of each DXF input of a submission folder) with its
entities by type (blocks expanded), closed outlines, a few sample texts, its
role and how it got it, and a ready `[layers]` table for `drawcheck.toml`.
"""


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def render() -> str:
    """The whole of docs/layers.md."""
    table = name_table()
    lines = [_HEADER, "## Roles", "",
             "| role | exact names | synonyms (inferred) |", "|---|---|---|"]
    for role, exact in table.exact.items():
        lines.append(f"| `{role}` | {_names(exact)} | {_names(table.synonyms.get(role, ()))} |")
    lines += ["", "`A-MAST-NEAR` (an institute's \"adjacent or retained building\") is read as `existing`: a "
              "neighbour, paired in the spacing and fire-separation rules and never counted in GFA. A retained "
              "building on the site drawn on it must be named: `[layers] retained = [\"A-MAST-NEAR\"]`.",
              "", "## No role", "",
              "Layers known to hold nothing drawcheck reads: `drawcheck layers` shows what they are, and they are "
              "not listed in `qa:unmatched-layers`. Matched like the synonyms (after taking off prefixes).", "",
              "| kind | names |", "|---|---|"]
    for kind, names in table.no_role.items():
        lines.append(f"| {kind} | {_names(names)} |")
    lines += ["", "## Taken off", "",
              "Before a name is looked up it is read as half-width (NFKC), case-insensitive, with spaces trimmed. "
              "Then, in this order, each step giving one more form to look up (the first form found wins, the "
              "whole name first):", "",
              "1. an xref part: everything up to the last `$N$` of a bound xref (`1#楼$0$建筑轮廓` -> `建筑轮廓`) "
              "or up to the last `|` of an attached one;",
              "2. repeatedly, leading digits followed by a separator or a non-ASCII character (`0-`, `01_`, `0用`), or a "
              f"discipline code followed by a separator: {_names(table.disciplines)};",
              "3. trailing digits (`绿化2` -> `绿化`);",
              f"4. one suffix: {_names(table.suffixes)}.", "",
              f"Separators: {_names(tuple(c for c in table.separators if not c.isspace()))} and the space.", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
