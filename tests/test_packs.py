"""Pack files: validation on load, overrides, and docs generated from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from drawcheck.rules.registry import CHECKS, check, load_checks
from drawcheck.standards import docs
from drawcheck.standards.packs import (
    BUILTIN_PACKS, PackError, apply_overrides, available_packs, load_pack_file, load_packs,
)

ROOT = Path(__file__).resolve().parents[1]
GOOD = """\
[pack]
id = "p"
title = "t"
version = "1"

[params]
gap = 13.0
table = [[1.0, 2.0], [3.0, 4.0]]

[[rules]]
code = "1.2.3"
check = "fire_separation"
department = "fire"
clause = "1.2.3"
severity = "error"
confidence = "secondary"
title = "t"
message = "{a}"
params = ["gap"]
"""


def write(tmp_path, text) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_packs_load():
    packs = load_packs(available_packs(), known_checks=load_checks())
    assert [p.id for p in packs][:3] == list(BUILTIN_PACKS)
    assert "gb50016-2014" in [p.id for p in packs]
    fire = next(p for p in packs if p.id == "gb50016-2014")
    # Table 5.2.2 as in the standards reference (symmetric)
    table = fire.params["separation_table"]
    assert table == [[13, 9, 11, 14], [9, 6, 7, 9], [11, 7, 8, 10], [14, 9, 10, 12]]
    assert all(table[i][j] == table[j][i] for i in range(4) for j in range(4))


def test_every_qa_note_code_the_reader_emits_has_a_rule():
    """Each `note("CODE", ...)` in the readers must be a qa rule, or its notes would vanish."""
    import re

    codes = set()
    for path in (ROOT / "drawcheck" / "readers").glob("*.py"):
        codes |= set(re.findall(r'note\("([a-z\-]+)"', path.read_text(encoding="utf-8")))
    qa = load_pack_file(ROOT / "drawcheck" / "standards" / "qa.toml", load_checks())
    assert codes and codes <= {r.code for r in qa.rules}, codes - {r.code for r in qa.rules}


@pytest.mark.parametrize("change, fragment", [
    (("[pack]", "[pack]\nbogus = 1"), "[pack]: unknown key 'bogus'"),
    (('clause = "1.2.3"\n', ""), "missing key 'clause'"),
    (('department = "fire"\n', ""), "missing key 'department'"),
    (('check = "fire_separation"', 'check = "no_such_check"'), "not a registered check"),
    (('severity = "error"', 'severity = "fatal"'), "severity 'fatal'"),
    (('confidence = "secondary"', 'confidence = "sure"'), "confidence 'sure'"),
    (('params = ["gap"]', 'params = ["nope"]'), "param 'nope'"),
    (("[[rules]]", "[[rules]]\nextra = 1"), "unknown key 'extra'"),
    (('code = "1.2.3"', 'code = "1 2"'), "code '1 2'"),
    # hostile nesting: refused by the parser's depth or by the value check, never a RecursionError
    (("gap = 13.0", "gap = " + "[" * 3000 + "1" + "]" * 3000), "TOML nested too deeply"),
    (("gap = 13.0", "gap = " + "[" * 450 + "1" + "]" * 450), "[params]: 'gap' must be a number, string, boolean or"),
    (("gap = 13.0", "gap = nan"), "[params]: 'gap' must be"),
    (("gap = 13.0", "gap = []"), "[params]: 'gap' must be"),
    (("gap = 13.0", "gap = { a = 1 }"), "[params]: 'gap' must be"),
    (('params = ["gap"]', 'params = [["gap"]]'), "params must list parameter names"),
    (('params = ["gap"]', 'params = ["gap"]\nargs = { k = ' + "[" * 450 + "1" + "]" * 450 + " }"), "args 'k' must be"),
    (("[pack]", "[pack]\nx = ["), "TOML syntax error"),
])
def test_invalid_packs_name_file_and_key(tmp_path, change, fragment):
    with pytest.raises(PackError) as err:
        load_pack_file(write(tmp_path, GOOD.replace(*change, 1)), load_checks())
    assert str(err.value).startswith("p.toml: ") and fragment in str(err.value)


def test_pack_tables_up_to_eight_arrays_deep_load(tmp_path):
    deep = "[" * 8 + "1.0" + "]" * 8
    pack = load_pack_file(write(tmp_path, GOOD.replace("gap = 13.0", "gap = 13.0\ncube = " + deep)), load_checks())
    value = pack.params["cube"]
    for _ in range(7):
        value = value[0]
    assert value == [1.0]


def test_a_deeply_nested_project_pack_is_one_line_and_exit_2(tmp_path):
    """Through the CLI, as a submission's own pack file: one ``drawcheck:`` line naming the file."""
    import shutil
    import subprocess

    for name in ("site.dxf", "drawcheck.toml"):
        shutil.copy(ROOT / "samples" / "compliant" / name, tmp_path / name)
    manifest = tmp_path / "drawcheck.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('packs = ["gb50016-2014"]', 'packs = ["p.toml"]'),
                        encoding="utf-8")
    write(tmp_path, GOOD.replace("gap = 13.0", "gap = " + "[" * 900 + "1" + "]" * 900))
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "drawcheck"), "check", str(tmp_path), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith("drawcheck: p.toml: ") and "RecursionError" not in proc.stderr, proc.stderr


def test_duplicate_codes_are_refused(tmp_path):
    rule = GOOD[GOOD.index("[[rules]]"):]
    with pytest.raises(PackError, match="duplicate code '1.2.3'"):
        load_pack_file(write(tmp_path, GOOD + "\n" + rule), load_checks())


def test_overrides(tmp_path):
    pack = load_pack_file(write(tmp_path, GOOD), load_checks())
    apply_overrides(pack, {"gap": 10, "table": [[1, 2], [3, 5]]})
    assert pack.params["gap"] == 10 and pack.overridden["gap"] == {"default": 13.0, "value": 10}
    for bad in ({"nope": 1}, {"gap": "x"}, {"table": [[1, 2]]}, {"gap": True}):
        with pytest.raises(PackError):
            apply_overrides(load_pack_file(write(tmp_path, GOOD), load_checks()), bad)


def test_pack_paths_stay_in_the_submission(tmp_path):
    with pytest.raises(PackError, match="inside the submission"):
        load_packs(["../outside.toml"], root=tmp_path, known_checks=load_checks())


def test_a_project_pack_file_is_loaded(tmp_path):
    write(tmp_path, GOOD)
    packs = load_packs(["p.toml"], root=tmp_path, known_checks=load_checks())
    assert packs[-1].id == "p" and packs[-1].rules[0].id == "p:1.2.3"


def test_double_registration_fails():
    name = next(iter(CHECKS))
    with pytest.raises(ValueError, match="registered twice"):
        check(name)(lambda ctx, rule: [])


def test_rules_doc_is_generated_from_the_packs():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == docs.render(), \
        "docs/rules.md is stale: python -m drawcheck.standards.docs > docs/rules.md"
