"""docs/labels.md, generated from ``label_forms.toml`` so the docs cannot disagree with what is read.

    python -m drawcheck.readers.labels_doc > docs/labels.md
"""

from __future__ import annotations

import json

from ..model import USE_NAMES
from .labels import label_forms

_HEADER = """# Building labels

Generated from `drawcheck/readers/label_forms.toml` by
`python -m drawcheck.readers.labels_doc`; a test keeps this file equal to the
generated text and parses every example below.

A building part's label is every TEXT/MTEXT on a building layer whose label
point lies inside the part (the smallest part takes it), merged with the
ATTRIBs of its block (NAME, FLOORS, HEIGHT, USE, RATING, HOUSEHOLDS,
STOREY_HEIGHT). Full-width characters are read as half-width; spaces
around `=` and `:`, between a number and its unit (`54.0 m`, `18 F`,
`120 户`) and after a word prefix (`层高 3.0`, `地上 18层`) are dropped; the text is then split into tokens on white
space, line breaks, `, ， ; ； 、` and on `/` unless a `-` follows it
(`18F/-2F` is one token). Each token must match one form below completely.

Anything a label holds that matches no form is quoted in a `qa:label-unreadable`
finding (a warning when the token holds a digit, since a height or a floor
count may have been missed; info otherwise). A part without floors is a
`qa:unlabelled-part` error, and the rules that need its outline report
`not_run` until it is labelled. A label that gives floors but no height gets
floors x storey height (3.0 m unless `层高`/`FH=` says otherwise): that height
is an assumption, and no rule passes on it (see `docs/rules.md`).

In a form, `N` is a whole number in digits, `C` one in Chinese numerals
(`十八`, `二十五`, `两`), `X` a decimal number, `R` one of 一 二 三 四, `ID` the
building's own name before its ending, `U` a use word from the table at the
end, `(a|b)` one of the alternatives and `(a|b)?` one of them or nothing.
"""

_FIELD_NAMES = {
    "name": "name (building id)", "use": "use", "floors": "floors above ground",
    "floors_below": "floors below ground", "height": "height (m)", "storey_height": "storey height (m)",
    "households": "households", "fire_rating": "fire-resistance rating",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(fields: tuple[str, ...], value: object) -> str:
    values = value if len(fields) > 1 else [value]
    return ", ".join(f"{f} = {json.dumps(v, ensure_ascii=False)}" for f, v in zip(fields, values))


def render() -> str:
    """The whole of docs/labels.md."""
    table = label_forms()
    lines = [_HEADER, "## Token forms", "",
             "Tried in this order; the first form that matches the whole token wins.", "",
             "| field | form | what | example | read as |", "|---|---|---|---|---|"]
    for form in table.forms:
        fields = " + ".join(_FIELD_NAMES[f] for f in form.fields)
        for k, (text, value) in enumerate(form.examples):
            head = (fields, f"`{_cell(form.form)}`", _cell(form.doc)) if k == 0 else ("", "", "")
            lines.append(f"| {head[0]} | {head[1]} | {head[2]} | `{_cell(text)}` | {_cell(_value(form.fields, value))} |")
    lines += ["", "## Use words", "", "The use a word stands for (report key, and the word the report prints).", "",
              "| word | use | note |", "|---|---|---|"]
    for word, use in table.uses.items():
        lines.append(f"| {word} | {use} ({USE_NAMES[use]}) | {_cell(table.use_notes.get(word, ''))} |")
    lines += ["", "A label without a use word is read as 住宅 (residential): an assumption, which the rules "
              "that depend on the use do not pass on.", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
