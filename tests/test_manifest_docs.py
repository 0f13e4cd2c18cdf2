"""docs/manifest.md against the loader's schema: every key documented, nothing documented that the loader refuses.

The schema is the one :mod:`drawcheck.manifest` validates with; the rules a
condition key runs as come from the shipped ``conditions`` pack (read with
tomllib here), and the layer defaults from the reader's table.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from drawcheck import manifest as schema
from drawcheck.readers.layers import DEFAULT_LAYERS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "manifest.md"
CONDITIONS_PACK = ROOT / "drawcheck" / "standards" / "conditions.toml"

#: Section heading (as written in the doc, inside backticks) -> the keys the loader accepts there.
SECTIONS = {
    "[project]": set(schema._PROJECT_KEYS),
    "[project] inputs": set(schema._INPUT_KEYS),
    "[site]": set(schema._SITE_KEYS),
    "[conditions]": set(schema.CONDITION_KEYS),
    "[layers]": set(schema.LAYER_ROLES) | {"replace", "strict"},
    "[[claims]]": set(schema._CLAIM_KEYS),
    '[overrides."PACK"]': set(),  # free keys: the pack's parameter names
    "[limits]": set(schema._LIMIT_KEYS),
    "[area_drawings]": set(),  # free keys: building ids
    "[consistency]": set(schema._CONSISTENCY_KEYS),
}


def _sections() -> dict[str, list[list[list[str]]]]:
    """Heading name -> its tables, each a list of rows of cells (header and rule lines dropped)."""
    out: dict[str, list[list[list[str]]]] = {}
    current = None
    table: list[list[str]] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#{2,3} `([^`]+)`", line)
        if heading:
            current = heading.group(1)
            out.setdefault(current, [])
            table = None
            continue
        if line.startswith("#"):
            current, table = None, None
            continue
        if current is None:
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if table is None:
                table = []
                out[current].append(table)
                continue  # the header row
            if set("".join(cells)) <= set("-: "):
                continue  # the rule under the header
            table.append(cells)
        else:
            table = None
    return out


def _keys(cell: str) -> list[str]:
    """The backticked key names of a first cell (``a``, ``b``)."""
    return re.findall(r"`([^`]+)`", cell)


def _table_keys(tables: list[list[list[str]]]) -> list[str]:
    return [key for table in tables for row in table for key in _keys(row[0])]


def test_every_table_of_the_manifest_has_its_section():
    sections = _sections()
    assert set(SECTIONS) <= set(sections)
    tables = {re.match(r"\[+([a-z_]+)", name).group(1) for name in sections if name.startswith("[")}
    assert tables == set(schema._TOP_KEYS)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_schema_key_is_in_the_table_and_every_table_key_in_the_schema(section):
    keys = _table_keys(_sections()[section])
    assert len(keys) == len(set(keys)), f"a key documented twice in {section}"
    assert set(keys) == SECTIONS[section], (
        f"{section}: undocumented {sorted(SECTIONS[section] - set(keys))}, "
        f"not in the schema {sorted(set(keys) - SECTIONS[section])}")


def test_every_table_row_says_what_the_key_changes():
    for section, tables in _sections().items():
        header_free = [row for table in tables for row in table]
        for row in header_free:
            assert len(row) >= 4 and row[-1], (section, row)


def test_condition_limits_are_the_rules_of_the_conditions_pack():
    """The "Limits" table lists exactly the keys that run as rule conditions:KEY, with that rule's department;
    the other condition keys are no rule of their own."""
    pack = tomllib.loads(CONDITIONS_PACK.read_text(encoding="utf-8"))
    rules = {r["code"]: r["department"] for r in pack["rules"]}
    limits, facts = _sections()["[conditions]"]
    assert {_keys(row[0])[0]: row[3] for row in limits} == rules
    assert not {_keys(row[0])[0] for row in facts} & set(rules)


def test_defaults_in_the_tables_are_the_loaders():
    sections = _sections()
    site = {_keys(row[0])[0]: row[2] for row in sections["[site]"][0]}
    assert float(_keys(site["latitude"])[0]) == schema.DEFAULT_LATITUDE
    assert float(_keys(site["longitude"])[0]) == schema.DEFAULT_LONGITUDE
    assert float(_keys(site["north_angle"])[0]) == schema.Manifest.__dataclass_fields__["north_angle"].default
    limits = {_keys(row[0])[0]: int(_keys(row[2])[0].replace("_", "")) for row in sections["[limits]"][0]}
    assert limits == schema.Limits().__dict__
    consistency = {_keys(row[0])[0]: float(_keys(row[2])[0]) for row in sections["[consistency]"][0]}
    assert consistency == schema.Consistency().__dict__
    layers = {_keys(row[0])[0]: row[2] for row in sections["[layers]"][0]}
    for role, names in DEFAULT_LAYERS.items():
        assert [n.strip() for n in layers[role].split(",")] == list(names), role
