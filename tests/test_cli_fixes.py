"""Issue 11, point 4: CLI and review fixes, one test (or a few) per fix.

- the README's review round-trip examples pass ``--date`` and give their documented result on any day;
- ``diff`` names findings with their round (``r1:F0001``);
- ``check --help`` lists every format; the ``--max-*`` help is complete (unit, default, ``[limits]`` key);
- ``rules list`` shows the clause column;
- ``review -d`` accepts 规划/消防/绿化/交通/人防;
- deciding an info finding is refused;
- ``sunlight --at`` refuses points far outside the drawing.

Expected values come from the README itself, the pack TOML files read with
``tomllib``, the reports' JSON, and hand-worked geometry; never from the
functions under test.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import drawcheck
from cli_checks import refused
from drawcheck.cli import FORMATS, app
from drawcheck.review.decisions import review_path
from fixture_plans import Plan
from test_review import fixed_submission

ROOT = Path(__file__).resolve().parents[1]
RESIDENTIAL = ROOT / "samples" / "residential"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def run(*args, cwd=None, columns: int | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(ENV, COLUMNS=str(columns)) if columns else ENV
    return subprocess.run([sys.executable, "-m", "drawcheck", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=timeout)


def invoke(*args) -> subprocess.CompletedProcess:
    """The command in-process (typer's runner), shaped like a finished subprocess for :func:`refused`."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def write_report(submission: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "report.json"
    target.write_text(drawcheck.check(submission).to_json(), encoding="utf-8")
    return target


def findings(report: Path) -> list[dict]:
    return json.loads(report.read_text(encoding="utf-8"))["findings"]


def id_of(report: Path, rule: str, subjects: list[str]) -> str:
    [hit] = [f["id"] for f in findings(report) if f["rule"] == rule and sorted(f["subjects"]) == sorted(subjects)]
    return hit


@pytest.fixture(scope="module")
def r1_report(tmp_path_factory) -> Path:
    return write_report(RESIDENTIAL, tmp_path_factory.mktemp("r1"))


# ---------------------------------------------------------------------------
# README examples that work on any date


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def indented_blocks(section: str) -> list[list[str]]:
    """The section's indented (code) blocks, each as its lines without the 4-space indent."""
    blocks, current = [], []
    for line in section.splitlines():
        if line.startswith("    "):
            current.append(line[4:])
        elif current and line.strip() == "":
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def commands(block: list[str]) -> list[list[str]]:
    """Shell lines (continued with a trailing backslash, # comments) as argument lists."""
    joined = re.sub(r"\\\n\s*", " ", "\n".join(block))
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.strip()]


def test_readme_review_examples_pass_a_date_and_give_their_documented_result(tmp_path):
    blocks = indented_blocks(readme_section("Review round-trip"))
    example, status_doc, diff_doc = blocks[0], blocks[1], blocks[2]
    argvs = commands(example)
    assert [a[:2] for a in argvs] == [["drawcheck", "check"], ["drawcheck", "review"], ["drawcheck", "review"],
                                      ["drawcheck", "review"], ["drawcheck", "notice"], ["drawcheck", "check"],
                                      ["drawcheck", "diff"]]
    # every command that acts as of a day says which day
    for argv in argvs:
        if argv[1] in ("review", "notice", "diff"):
            assert "--date" in argv, argv
    # the README's paths, relative to a scratch folder: the residential sample and its resubmission
    shutil.copytree(RESIDENTIAL, tmp_path / "samples" / "residential")
    fixed_submission(tmp_path / "round2")
    procs = [run(*argv[1:], cwd=tmp_path) for argv in argvs]
    codes = [p.returncode for p in procs]
    assert codes == [1, 0, 0, 0, 0, 1, 0], [(a, p.stderr) for a, p in zip(argvs, procs)]  # check: the sample has findings

    # the decisions carry the README's date, the Chinese department name recorded as its key
    review = json.loads((tmp_path / "r1" / "report.review.json").read_text(encoding="utf-8"))
    entries = sorted(review["decisions"].values(), key=lambda e: e["finding"])
    assert [(e["finding"], e["department"], e["decision"], e["decided"]) for e in entries] == [
        ("F0001", "fire", "accept", "2025-03-01"), ("F0002", "planning", "waive", "2025-03-01")]
    assert entries[1]["expires"] == "2026-06-30" and entries[1]["approver"] == "赵处"

    status_out = procs[3].stdout.splitlines()
    assert status_out[:len(status_doc)] == status_doc
    notice = (tmp_path / "r1" / "notice.html").read_text(encoding="utf-8")
    assert "2025-03-01" in notice and "已豁免事项" in notice  # dated as asked; the waiver holds on that day
    assert diff_doc[0] in procs[6].stdout.splitlines()
    assert "carried 1 decision(s) over" in procs[6].stderr
    carried = json.loads((tmp_path / "r2" / "report.review.json").read_text(encoding="utf-8"))
    assert carried["round"] == 2 and [e["rule"] for e in carried["decisions"].values()] == ["conditions:far_max"]


# ---------------------------------------------------------------------------
# diff names findings with their round


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory, r1_report):
    """Round 1 (its FAR waived, with its review file) and round 2 (2# moved, declared FAR corrected)."""
    base = tmp_path_factory.mktemp("rounds")
    r1 = base / "r1" / "report.json"
    r1.parent.mkdir()
    shutil.copy(r1_report, r1)
    far = id_of(r1, "conditions:far_max", ["project"])
    proc = invoke("review", r1, "-d", "planning", "--finding", far, "--decision", "waive", "--reviewer", "L",
                  "--approver", "Z", "--expires", "2026-06-30", "--date", "2025-03-01")
    assert proc.returncode == 0, proc.stderr
    r2 = write_report(fixed_submission(base / "submission-2"), base / "r2")
    return r1, r2


def test_diff_names_every_finding_with_its_round(two_rounds):
    r1, r2 = two_rounds
    proc = invoke("diff", r1, r2, "--format", "json", "--date", "2025-04-01")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["rounds"] == {"old": 1, "new": 2}
    old_id = {f["fingerprint"]: f["id"] for f in findings(r1)}
    new_id = {f["fingerprint"]: f["id"] for f in findings(r2)}
    expected = {}
    for fp in old_id.keys() | new_id.keys():
        expected[fp] = {"old": f"r1:{old_id[fp]}" if fp in old_id else None,
                        "new": f"r2:{new_id[fp]}" if fp in new_id else None}
    assert d["names"] == expected
    # the findings themselves stay as in their reports (existing keys, unqualified ids)
    assert all(f in findings(r1) for f in d["fixed"]) and all(f in findings(r2) for f in d["open"] + d["new"])
    # the point of it: F0001 exists in both rounds and is a different finding in each
    assert id_of(r1, "gb50016-2014:5.2.2", ["1#", "2#"]) == "F0001"
    [r2_first] = [f for f in findings(r2) if f["id"] == "F0001"]
    assert r2_first["rule"] != "gb50016-2014:5.2.2"
    names = [n for pair in d["names"].values() for n in pair.values() if n]
    assert "r1:F0001" in names and "r2:F0001" in names and len(names) == len(set(names))
    [moved] = d["relocated"]
    assert moved["old"]["name"] == "r1:" + id_of(r1, "shanghai-planning:27", ["2#", "5#"])
    assert [g["name"] for g in moved["new"]] == ["r2:" + id_of(r2, "shanghai-planning:27", ["2#", "5#"])]


def test_diff_text_and_html_show_the_round_names(two_rounds, tmp_path):
    r1, r2 = two_rounds
    text = invoke("diff", r1, r2, "--date", "2025-04-01").stdout
    fire = id_of(r1, "gb50016-2014:5.2.2", ["1#", "2#"])
    far_old, far_new = id_of(r1, "conditions:far_max", ["project"]), id_of(r2, "conditions:far_max", ["project"])
    moved_old, moved_new = (id_of(r, "shanghai-planning:27", ["2#", "5#"]) for r in (r1, r2))
    fixed = text[text.index("Fixed 已整改"):text.index("Open 仍存在")]
    still = text[text.index("Open 仍存在"):text.index("New 新增")]
    new = text[text.index("New 新增"):]
    assert f"r1:{fire}" in fixed and f"r2:{moved_new}" in fixed  # the latter in the relocated note (wrapped)
    assert f"r2:{far_new} (was r1:{far_old})" in still
    assert f"r2:{moved_new}" in new and f"relocated: was r1:{moved_old}" in new
    assert re.search(r"^\s*F\d{4}\b", fixed + still + new, re.M) is None  # no bare id in an id column
    out = tmp_path / "diff.html"
    assert invoke("diff", r1, r2, "--format", "html", "--out", out, "--date", "2025-04-01").returncode == 0
    page = out.read_text(encoding="utf-8")
    assert f"<td>r1:{fire}</td>" in page and f"<td>r2:{far_new} (was r1:{far_old})</td>" in page
    assert f"still flagged at a new location: r2:{moved_new}</td>" in page
    assert f"relocated: was r1:{moved_old}</td>" in page


def test_diff_rounds_follow_the_old_review_file(two_rounds, tmp_path):
    r1, r2 = two_rounds
    old = tmp_path / "old" / "report.json"
    new = tmp_path / "new" / "report.json"
    for src, dst in ((r1, old), (r2, new)):
        dst.parent.mkdir()
        shutil.copy(src, dst)
    review = json.loads(review_path(r1).read_text(encoding="utf-8"))
    review["round"] = 2  # OLD is the second round: NEW is the third
    review_path(old).write_text(json.dumps(review, ensure_ascii=False), encoding="utf-8")
    proc = invoke("diff", old, new, "--format", "json", "--carry-over", "--date", "2025-04-01")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    far_old, far_new = id_of(r1, "conditions:far_max", ["project"]), id_of(r2, "conditions:far_max", ["project"])
    fp = next(f["fingerprint"] for f in findings(r2) if f["rule"] == "conditions:far_max")
    assert d["rounds"] == {"old": 2, "new": 3} and d["names"][fp] == {"old": f"r2:{far_old}", "new": f"r3:{far_new}"}
    assert json.loads(review_path(new).read_text(encoding="utf-8"))["round"] == 3


# ---------------------------------------------------------------------------
# check --help: every format, complete --max-* help

EVERY_FORMAT = ("text", "json", "html", "sarif", "junit", "dxf", "bcf")  # README "Usage"


def option_row(help_text: str, option: str) -> str:
    """The rendered help row of ``option`` (one line at a wide terminal)."""
    [row] = [line for line in help_text.splitlines() if re.match(rf"^│\s+{re.escape(option)}\s", line)]
    return " ".join(row.strip("│ ").split())


def test_check_help_lists_every_format():
    assert tuple(FORMATS) == EVERY_FORMAT
    row = option_row(run("check", "--help", columns=400).stdout, "--format")
    for fmt in EVERY_FORMAT:
        assert re.search(rf"\b{fmt}\b", row), (fmt, row)


@pytest.mark.parametrize("command", ["check", "batch"])
def test_limit_help_names_what_the_default_and_the_manifest_key(command):
    help_text = run(command, "--help", columns=400).stdout
    # defaults as in docs/manifest.md's [limits] table
    for option, fragments in (("--max-bytes", ("bytes", "200000000", "200 MB", "[limits] max_bytes", ".ifczip")),
                              ("--max-entities", ("entities", "blocks expanded", "2,000,000", "[limits] max_entities")),
                              ("--max-vertices", ("vertices", "20,000,000", "[limits] max_vertices"))):
        row = option_row(help_text, option)
        for fragment in fragments:
            assert fragment in row, (option, fragment, row)
        assert row.endswith("this option beats the manifest."), row


# ---------------------------------------------------------------------------
# rules list: the clause column


def pack_clauses() -> dict[str, str]:
    """Rule id -> clause, read straight from every shipped pack file."""
    out = {}
    for path in sorted((ROOT / "drawcheck" / "standards").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for rule in data.get("rules", []):
            out[f"{data['pack']['id']}:{rule['code']}"] = rule["clause"]
    return out


def test_rules_list_shows_the_clause_of_every_rule():
    clauses = pack_clauses()
    proc = run("rules", "list", columns=1000)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if "rule" in line and "title" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == [
        "rule", "department", "severity", "confidence", "clause", "title"]
    assert lines[0].strip() == f"{len(clauses)} rules"
    for rule, clause in clauses.items():
        [row] = [line for line in lines if line.startswith(f"│ {rule} ")]
        cells = [c.strip() for c in row.strip("│ ").split("│")]
        assert cells[0] == rule and cells[4] == clause, (rule, cells)
    rows = json.loads(run("rules", "list", "--format", "json").stdout)
    assert {r["rule"]: r["clause"] for r in rows} == clauses


# ---------------------------------------------------------------------------
# review -d: Chinese department names

CHINESE = {"规划": "planning", "消防": "fire", "绿化": "greening", "交通": "traffic", "人防": "civil_defense"}


@pytest.mark.parametrize("name", CHINESE)
def test_review_department_accepts_the_chinese_name(tmp_path, r1_report, name):
    report = tmp_path / "report.json"
    shutil.copy(r1_report, report)
    key = CHINESE[name]
    mine = [f for f in findings(report) if f["department"] == key and f["severity"] != "info"]
    if mine:  # the sample has planning, fire and traffic findings: decide one under the Chinese name
        proc = invoke("review", report, "-d", name, "--finding", mine[0]["id"], "--decision", "accept",
                      "--reviewer", "R", "--date", "2025-03-01")
        assert proc.returncode == 0, proc.stderr
        [entry] = json.loads(review_path(report).read_text(encoding="utf-8"))["decisions"].values()
        assert (entry["finding"], entry["department"]) == (mine[0]["id"], key)
    else:  # no greening or 人防 finding: deciding fire's F0001 is refused as that department's reviewer
        assert findings(report)[0]["department"] == "fire"
        refused(invoke("review", report, "-d", name, "--finding", "F0001", "--decision", "accept",
                       "--reviewer", "R", "--date", "2025-03-01"), f"only fire may decide it, not {key}")
        assert not review_path(report).exists()


@pytest.mark.parametrize("name, fragment", [
    ("质检", "not '质检'"), ("police", "not 'police'"), ("Fire", "not 'Fire'"),
    ("图纸质检", "qa findings are decided by planning"), ("qa", "qa findings are decided by planning"),
])
def test_review_unknown_department_lists_the_accepted_names(tmp_path, r1_report, name, fragment):
    report = tmp_path / "report.json"
    shutil.copy(r1_report, report)
    line = refused(run("review", report, "-d", name, "--finding", "F0001", "--decision", "accept",
                       "--reviewer", "R", "--date", "2025-03-01"), fragment)
    for key, chinese in (("planning", "规划"), ("fire", "消防"), ("greening", "绿化"), ("traffic", "交通"),
                         ("civil_defense", "人防")):
        assert f"{key} ({chinese})" in line, line
    assert not review_path(report).exists()


# ---------------------------------------------------------------------------
# deciding an info finding is refused


@pytest.mark.parametrize("decision", [["accept"], ["reject"], ["waive", "--approver", "A", "--expires", "2026-01-01"]])
def test_deciding_an_info_finding_is_refused(tmp_path, r1_report, decision):
    report = tmp_path / "report.json"
    shutil.copy(r1_report, report)
    [info] = [f for f in findings(report) if f["severity"] == "info"]
    assert info["rule"] == "qa:duplicate-area"  # planning decides qa findings: only the severity stands in the way
    for how in (["--finding", info["id"]], ["--fingerprint", info["fingerprint"][:12]]):
        refused(invoke("review", report, "-d", "planning", *how, "--decision", *decision, "--reviewer", "R",
                       "--date", "2025-03-01"), f"{info['id']} (qa:duplicate-area) is an info finding")
    assert not review_path(report).exists()
    # an error finding of the same department is still decided
    error = next(f for f in findings(report) if f["department"] == "qa" and f["severity"] == "error")
    assert invoke("review", report, "-d", "planning", "--finding", error["id"], "--decision", "accept",
                  "--reviewer", "R", "--date", "2025-03-01").returncode == 0


# ---------------------------------------------------------------------------
# sunlight --at: points far outside the drawing


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    """Site 0..200 x 0..100 m; one 30 m building at 20..60 x 20..40: the box is x 0..200, y 0..100, z 0..30."""
    folder = tmp_path_factory.mktemp("sun") / "small"
    Plan().site(0, 0, 200, 100).building("1# 10F H=30.0m", 20, 20, 60, 40).save(folder)
    return folder


BOX = "x 0.0..200.0, y 0.0..100.0, z 0.0..30.0 m"


@pytest.mark.parametrize("point, fragments", [
    ("1201,50,10", ("--at 1201,50,10 lies 1,001 m outside the drawing", BOX, "within 1000 m")),
    ("-1002,50,10", ("--at -1002,50,10 lies 1,002 m outside", BOX)),
    ("1000,900,0", ("--at 1000,900,0 lies 1,131 m outside", BOX)),  # 800 m beyond in x and y: 800 * sqrt(2)
    ("100,50,1031", ("--at 100,50,1031 lies 1,001 m outside", BOX)),  # above the 30 m top
    ("100000,50000,10", ("lies 111,", BOX)),  # metres taken for millimetres
    ("100,50,nan", ("--at 100,50,nan", "finite")),
    ("inf,50,10", ("--at inf,50,10", "finite")),
    ("100,50,-51", ("--at 100,50,-51", "Z -51 m is more than 50 m below ±0.00")),
])
def test_sunlight_refuses_points_far_outside_the_drawing(small_site, point, fragments):
    refused(run("sunlight", small_site, f"--at={point}", timeout=120), *fragments)


def test_sunlight_answers_points_within_the_margin(small_site):
    points = ["1199,50,10", "100,1099,0", "100,50,-49", "100,50,1029", "-3,-3,0.9"]
    proc = run("sunlight", small_site, *(f"--at={p}" for p in points), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["points"]
    assert [r["point"] for r in rows] == [[float(v) for v in p.split(",")] for p in points]
