"""Review round-trip: decisions, the one-time notice, and the diff of two rounds.

The scenario is the residential sample in two rounds:

- round 1 = ``samples/residential`` as it is (8 findings);
- round 2 = a copy where the applicant moved 2# 3 m east (outline and label:
  1#–2# goes from 10 m to 13 m) and corrected the declared FAR from 2.40 to
  2.61 (the computed FAR is 2.6122 and does not change: 2# keeps its size).

Worked out by hand from those two edits (drawing coordinates in m):

- 1#–2# was 10 m (1# east edge x=-3450, 2# west edge x=-3440); now 13 m,
  which meets both GB 50016 5.2.2 (13 m between two high-rise buildings) and
  Shanghai art. 27 (13 m gable to gable): both findings are fixed.
- The declared FAR 2.61 agrees with 2.6122 to its two decimals: declared:far
  is fixed; conditions:far_max (2.6122 > 2.5) stays open.
- 2#–5# was 14 m (2# east edge x=-3400, 5# podium west edge x=-3386); now
  11 m, still below Shanghai art. 27's 30 m. Its nearest points moved, so its
  fingerprint changed: the 14 m finding is fixed and an 11 m one is new
  (listed as relocated). Fire: 2# (54 m) to 5#'s 18 m podium needs 9 m, and
  11 m meets it, so no new 5.2.2 finding.
- Everything else (5#–6#, parking, the duplicate-area info) is untouched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import ezdxf
import pytest
from ezdxf.math import Matrix44
from typer.testing import CliRunner

import drawcheck
from drawcheck.cli import app
from drawcheck.review.decisions import review_path
from drawcheck.review.notice import fact_key

ROOT = Path(__file__).resolve().parents[1]
RESIDENTIAL = ROOT / "samples" / "residential"
MOVE_2_EAST_MM = 3000.0  # the drawing is in mm ($INSUNITS=4)
BEFORE_EXPIRY, AFTER_EXPIRY = "2025-04-01", "2026-07-01"
WAIVER_COMMENT = "专题论证 <b>另案</b> & 报批"

runner = CliRunner()


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drawcheck: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def key(f: dict) -> tuple:
    return f["rule"], tuple(sorted(f["subjects"]))


def write_report(submission: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "report.json"
    target.write_text(drawcheck.check(submission).to_json(), encoding="utf-8")
    return target


def fixed_submission(folder: Path) -> Path:
    """The round-2 submission: 2# (outline and label) 3 m east, declared FAR corrected to 2.61."""
    shutil.copytree(RESIDENTIAL, folder)
    doc = ezdxf.readfile(folder / "site.dxf")
    msp = doc.modelspace()
    outline = [e for e in msp.query("LWPOLYLINE[layer=='建筑轮廓']")
               if sorted({round(p[0]) for p in e.get_points()}) == [-3440000, -3400000]]
    label = [e for e in msp.query("TEXT") if e.dxf.text.startswith("2# ")]
    far = [e for e in msp.query("TEXT") if e.dxf.text.startswith("容积率：")]
    assert len(outline) == len(label) == len(far) == 1
    for e in outline + label:
        e.transform(Matrix44.translate(MOVE_2_EAST_MM, 0, 0))
    far[0].dxf.text = "容积率：2.61"
    doc.saveas(folder / "site.dxf")
    return folder


def finding_id(report: Path, rule: str, subjects: list[str]) -> str:
    data = json.loads(report.read_text(encoding="utf-8"))
    [hit] = [f["id"] for f in data["findings"] if f["rule"] == rule and sorted(f["subjects"]) == sorted(subjects)]
    return hit


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """Round 1 decided by the departments, and round 2 checked; returns (r1 report, r2 report, r2 submission)."""
    base = tmp_path_factory.mktemp("rounds")
    r1 = write_report(RESIDENTIAL, base / "r1")
    decide = [
        ("fire", "gb50016-2014:5.2.2", ["1#", "2#"], "accept", []),
        ("planning", "shanghai-planning:27", ["1#", "2#"], "accept", []),
        ("planning", "shanghai-planning:27", ["5#", "6#"], "reject", ["--comment", "6# 为既有建筑，间距另行论证"]),
        ("planning", "conditions:far_max", ["project"], "waive",
         ["--approver", "赵处长", "--expires", "2026-06-30", "--comment", WAIVER_COMMENT]),
        ("planning", "declared:far", ["far"], "accept", []),  # a qa finding: decided by planning
        ("traffic", "conditions:parking_min", ["project"], "accept", []),
    ]
    for dept, rule, subjects, decision, extra in decide:
        result = cli("review", r1, "--department", dept, "--finding", finding_id(r1, rule, subjects),
                     "--decision", decision, "--reviewer", f"{dept}-reviewer", "--date", "2025-03-01", *extra)
        assert result.exit_code == 0, result.output
    r2_submission = fixed_submission(base / "submission-2")
    r2 = write_report(r2_submission, base / "r2")
    return r1, r2, r2_submission


EXPECTED_FIXED = {("gb50016-2014:5.2.2", ("1#", "2#")), ("shanghai-planning:27", ("1#", "2#")),
                  ("shanghai-planning:27", ("2#", "5#")), ("declared:far", ("far",))}
EXPECTED_OPEN = {("conditions:far_max", ("project",)), ("shanghai-planning:27", ("5#", "6#")),
                 ("qa:duplicate-area", ()), ("conditions:parking_min", ("project",))}
EXPECTED_NEW = {("shanghai-planning:27", ("2#", "5#"))}


# ---------------------------------------------------------------------------
# decisions


def test_review_file_is_keyed_by_fingerprint(rounds):
    r1, _, _ = rounds
    review = json.loads(review_path(r1).read_text(encoding="utf-8"))
    assert review_path(r1).name == "report.review.json"
    assert review["schema"] == "drawcheck/review@1" and review["round"] == 1
    report = json.loads(r1.read_text(encoding="utf-8"))
    by_fp = {f["fingerprint"]: f for f in report["findings"]}
    assert len(review["decisions"]) == 6
    for fp, entry in review["decisions"].items():
        assert by_fp[fp]["id"] == entry["finding"] and by_fp[fp]["rule"] == entry["rule"]
        assert entry["decided"] == "2025-03-01"
    [waiver] = [e for e in review["decisions"].values() if e["decision"] == "waive"]
    assert (waiver["rule"], waiver["approver"], waiver["expires"]) == ("conditions:far_max", "赵处长", "2026-06-30")
    [qa] = [e for e in review["decisions"].values() if e["rule"] == "declared:far"]
    assert qa["department"] == "qa" and qa["reviewer"] == "planning-reviewer"


@pytest.mark.parametrize("args, fragment", [
    (["--department", "fire", "--finding", "F0099", "--decision", "accept"], "no finding 'F0099'"),
    (["--department", "fire", "--fingerprint", "0000000000", "--decision", "accept"], "no finding with fingerprint"),
    (["--department", "traffic", "--finding", "F0001", "--decision", "accept"], "only fire may decide it"),
    (["--department", "qa", "--finding", "F0006", "--decision", "accept"], "decided by planning"),
    (["--department", "planning", "--finding", "F0002", "--decision", "waive"], "--approver NAME and --expires"),
    (["--department", "planning", "--finding", "F0002", "--decision", "waive", "--approver", "A"], "--expires"),
    (["--department", "planning", "--finding", "F0002", "--decision", "waive", "--approver", "R",
      "--expires", "2026-01-01"], "other than the --reviewer"),
    (["--department", "planning", "--finding", "F0002", "--decision", "waive", "--approver", "A",
      "--expires", "2024-01-01"], "before the decision date"),
    (["--department", "planning", "--finding", "F0002", "--decision", "waive", "--approver", "A",
      "--expires", "soon"], "--expires must be a date"),
    (["--department", "fire", "--finding", "F0001", "--decision", "approve"], "--decision must be"),
    (["--department", "fire", "--finding", "F0001", "--decision", "accept", "--expires", "2026-01-01"], "waive only"),
    (["--department", "fire", "--decision", "accept"], "exactly one of --finding"),
])
def test_review_errors_are_one_line_and_change_nothing(tmp_path, args, fragment):
    report = write_report(RESIDENTIAL, tmp_path)
    assert finding_id(report, "gb50016-2014:5.2.2", ["1#", "2#"]) == "F0001"  # ids the cases rely on
    assert finding_id(report, "conditions:far_max", ["project"]) == "F0002"
    assert finding_id(report, "declared:far", ["far"]) == "F0006"
    result = cli("review", report, *args, "--reviewer", "R", "--date", "2025-03-01")
    assert_one_line_error(result, fragment)
    assert not review_path(report).exists()


def test_review_error_from_the_console_script_has_no_traceback(tmp_path):
    report = write_report(RESIDENTIAL, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "drawcheck", "review", str(report), "--department", "traffic",
                           "--finding", "F0001", "--decision", "accept", "--reviewer", "R"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "drawcheck: F0001 (gb50016-2014:5.2.2) is a fire finding: only fire may decide it, not traffic"]


def test_review_by_fingerprint_prefix_and_redecision_keeps_history(tmp_path):
    report = write_report(RESIDENTIAL, tmp_path)
    fp = json.loads(report.read_text(encoding="utf-8"))["findings"][0]["fingerprint"]
    assert cli("review", report, "-d", "fire", "--fingerprint", fp[:12], "--decision", "reject",
               "--reviewer", "A", "--date", "2025-03-01").exit_code == 0
    assert cli("review", report, "-d", "fire", "--finding", "F0001", "--decision", "accept",
               "--reviewer", "B", "--date", "2025-03-02").exit_code == 0
    entry = json.loads(review_path(report).read_text(encoding="utf-8"))["decisions"][fp]
    assert (entry["decision"], entry["reviewer"]) == ("accept", "B")
    assert [(h["decision"], h["reviewer"]) for h in entry["history"]] == [("reject", "A")]


def test_status_signed_off_and_expiry(rounds):
    r1, _, _ = rounds
    result = cli("review", r1, "--status", "--format", "json", "--date", BEFORE_EXPIRY)
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    d = status["departments"]
    # planning decides its 4 findings (27 x3, far_max) plus qa's declared:far; 2#-5# is undecided
    assert d["planning"] == {"findings": 5, "open": 1, "accepted": 2, "rejected": 1, "waived": 1, "expired": 0,
                             "info": 1, "signed_off": False}
    assert d["fire"]["signed_off"] and d["fire"]["accepted"] == 1
    assert d["traffic"]["signed_off"] and d["traffic"]["accepted"] == 1
    assert d["greening"] == d["civil_defense"] == {"findings": 0, "open": 0, "accepted": 0, "rejected": 0,
                                                   "waived": 0, "expired": 0, "info": 0, "signed_off": True}
    later = json.loads(cli("review", r1, "--status", "--format", "json", "--date", AFTER_EXPIRY).stdout)
    assert later["departments"]["planning"]["waived"] == 0
    assert later["departments"]["planning"]["expired"] == 1 and later["departments"]["planning"]["open"] == 2
    text = cli("review", r1, "--status", "--date", BEFORE_EXPIRY).stdout
    assert "planning+qa" in text and "signed off" in text


def test_planning_signs_off_once_every_finding_is_decided(tmp_path, rounds):
    r1, _, _ = rounds
    copy = tmp_path / "report.json"
    shutil.copy(r1, copy)
    shutil.copy(review_path(r1), review_path(copy))
    assert cli("review", copy, "-d", "planning", "--finding", finding_id(copy, "shanghai-planning:27", ["2#", "5#"]),
               "--decision", "accept", "--reviewer", "P", "--date", "2025-03-02").exit_code == 0
    status = json.loads(cli("review", copy, "--status", "--format", "json", "--date", BEFORE_EXPIRY).stdout)
    assert all(d["signed_off"] for d in status["departments"].values())


# ---------------------------------------------------------------------------
# notice


def notice_json(report: Path, date: str) -> dict:
    result = cli("notice", report, "--format", "json", "--date", date)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_fact_key_merges_the_same_fact_only():
    loc = {"type": "LineString", "coordinates": [[-3450.0, 1210.0], [-3440.0, 1210.0]]}
    a = {"fingerprint": "a", "subjects": ["2#", "1#"], "location": loc, "measured": 10.0, "unit": "m"}
    b = dict(a, fingerprint="b", subjects=["1#", "2#"],
             location={"type": "LineString", "coordinates": [[-3450.04, 1210.0], [-3440.0, 1209.96]]})
    assert fact_key(a) == fact_key(b)  # same pair, same place to 0.1 m, same distance
    assert fact_key(a) != fact_key(dict(a, measured=11.0))
    assert fact_key(a) != fact_key(dict(a, unit="m2"))
    assert fact_key(a) != fact_key(dict(a, subjects=["1#", "3#"]))
    no_value = {"fingerprint": "c", "subjects": [], "location": None, "measured": None}
    assert fact_key(no_value) != fact_key(dict(no_value, fingerprint="d"))


def test_notice_deduplicates_the_pair_and_sets_aside_waived_rejected_and_info(rounds):
    r1, _, _ = rounds
    notice = notice_json(r1, BEFORE_EXPIRY)
    assert notice["project"] == "某住宅地块" and notice["round"] == 1 and notice["date"] == BEFORE_EXPIRY
    report = json.loads(r1.read_text(encoding="utf-8"))
    assert notice["inputs"] == [{"path": i["path"], "sha256": i["sha256"]} for i in report["project"]["inputs"]]
    items = [sorted(key(m) for m in it["members"]) for it in notice["items"]]
    # 7 error findings: the 1#-2# pair is one item, far_max is waived, 5#-6# rejected -> 4 items
    assert items == [
        [("gb50016-2014:5.2.2", ("1#", "2#")), ("shanghai-planning:27", ("1#", "2#"))],
        [("shanghai-planning:27", ("2#", "5#"))],
        [("conditions:parking_min", ("project",))],
        [("declared:far", ("far",))],
    ]
    pair = notice["items"][0]
    assert pair["lead"] == "planning" and pair["departments"] == ["planning", "fire"]
    assert notice["by_department"]["fire"] == {"items": [], "also": [1]}
    assert notice["by_department"]["planning"] == {"items": [1, 2], "also": []}
    assert [[key(m) for m in it["members"]] for it in notice["waived"]] == [[("conditions:far_max", ("project",))]]
    assert notice["counts"] == {"items": 4, "errors": 4, "warnings": 0, "waived": 1, "rejected": 1,
                                     "pending": 1, "expired": 0, "findings": 7}
    members = [m for it in notice["items"] + notice["waived"] for m in it["members"]]
    assert all(m["severity"] in ("error", "warning") for m in members)


def test_notice_markdown(rounds):
    r1, _, _ = rounds
    result = cli("notice", r1, "--date", BEFORE_EXPIRY)
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.startswith("# 一次性告知书\n") and "第 1 轮" in md
    report = json.loads(r1.read_text(encoding="utf-8"))
    assert report["project"]["inputs"][0]["sha256"] in md
    item1 = md[md.index("\n1. "):md.index("\n2. ")]
    assert "`gb50016-2014:5.2.2`" in item1 and "`shanghai-planning:27`" in item1
    assert "GB 50016-2014" in item1 and "第二十七条" in item1
    assert md.count("1# 与 2#") == 2  # both clauses' messages, in the one item
    assert "duplicate-area" not in md and "6# 为既有" not in md  # info and rejected left out
    waived = md[md.index("## 已豁免事项"):]
    assert "conditions:far_max" in waived and "赵处长" in waived and "2026-06-30" in waived
    assert "conditions:far_max" not in md[:md.index("## 已豁免事项")]
    assert "\\<b\\>另案\\</b\\>" in waived  # Markdown-escaped comment
    assert "## 消防" in md and "见第 1 项" in md


def test_notice_after_expiry_lists_the_waived_item_again(rounds):
    r1, _, _ = rounds
    notice = notice_json(r1, AFTER_EXPIRY)
    assert notice["waived"] == []
    [far] = [m for it in notice["items"] for m in it["members"] if m["rule"] == "conditions:far_max"]
    assert far["state"] == "expired"
    assert "原豁免已于 2026-06-30 到期" in cli("notice", r1, "--date", AFTER_EXPIRY).stdout


def test_notice_html_is_escaped_and_self_contained(rounds, tmp_path):
    r1, _, _ = rounds
    out = tmp_path / "notice.html"
    result = cli("notice", r1, "--format", "html", "--out", out, "--date", BEFORE_EXPIRY)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "&lt;b&gt;另案&lt;/b&gt; &amp; 报批" in page and "<b>" not in page
    assert "<script" not in page and "http" not in page and "<link" not in page
    assert "gb50016-2014:5.2.2" in page and "已豁免事项" in page



def test_notice_names_standards_by_title_and_counts_per_department(rounds, tmp_path):
    """The header names each standard as its pack file titles it (code + title), never by pack id."""
    import tomllib
    from html.parser import HTMLParser

    r1, _, _ = rounds
    out = tmp_path / "notice.html"
    assert cli("notice", r1, "--format", "html", "--out", out, "--date", BEFORE_EXPIRY).exit_code == 0
    page = out.read_text(encoding="utf-8")

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.row, self.cell = [], None, None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.row = []
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.row.append("".join(self.cell).strip())
                self.cell = None
            elif tag == "tr" and self.row is not None:
                self.rows.append(self.row)
                self.row = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    cells = Cells()
    cells.feed(page)
    head = {row[0]: row[1] for row in cells.rows if len(row) == 2}
    report = json.loads(r1.read_text(encoding="utf-8"))
    basis = head["审查依据"]
    assert "GB 50016-2014 (2018年版) 建筑设计防火规范" in basis
    for pack in report["packs"]:
        with open(ROOT / "drawcheck" / "standards" / f"{pack['id']}.toml", "rb") as fp:
            declared = tomllib.load(fp)["pack"]
        assert declared["title"] in basis or declared.get("standard", "") in basis
        assert pack["id"] not in basis  # the applicant reads the standard's name, not drawcheck's pack id
    assert head["项目"] == "某住宅地块" and head["审查轮次"] == "第 1 轮" and head["告知日期"] == BEFORE_EXPIRY
    # counts per department: the round-1 decisions leave planning 2 items of its own, fire one shared, traffic none
    counts = {row[0]: row[1:] for row in cells.rows if len(row) == 6}
    assert counts["部门"] == ["须修改", "其中错误", "其中警告", "另见他部门", "豁免"]
    assert counts["规划"] == ["2", "2", "0", "0", "1"]
    assert counts["消防"] == ["0", "0", "0", "1", "0"]

def test_notice_without_review_lists_everything_as_pending(tmp_path):
    report = write_report(RESIDENTIAL, tmp_path)
    notice = notice_json(report, BEFORE_EXPIRY)
    assert notice["counts"]["items"] == 6 and notice["counts"]["pending"] == 7 and notice["waived"] == []
    assert_one_line_error(cli("notice", report, "--format", "pdf"), "--format must be md, html or json")
    assert_one_line_error(cli("notice", tmp_path / "missing.json"), "no such file")


# ---------------------------------------------------------------------------
# diff


def test_diff_fixed_open_new_and_carried_waiver(rounds):
    r1, r2, _ = rounds
    result = cli("diff", r1, r2, "--format", "json", "--date", BEFORE_EXPIRY)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert {key(f) for f in d["fixed"]} == EXPECTED_FIXED and len(d["fixed"]) == 4
    assert {key(f) for f in d["open"]} == EXPECTED_OPEN and len(d["open"]) == 4
    assert {key(f) for f in d["new"]} == EXPECTED_NEW and len(d["new"]) == 1
    old = json.loads(r1.read_text(encoding="utf-8"))
    new = json.loads(r2.read_text(encoding="utf-8"))
    assert all(f in old["findings"] for f in d["fixed"])  # OLD's finding for fixed
    assert all(f in new["findings"] for f in d["open"] + d["new"])  # NEW's for open and new
    [moved] = d["new"]
    assert moved["measured"] == pytest.approx(14.0 - MOVE_2_EAST_MM / 1000)
    assert [(r["rule"], r["subjects"], r["old"]["measured"], r["new"][0]["measured"]) for r in d["relocated"]] == [
        ("shanghai-planning:27", ["2#", "5#"], 14.0, 11.0)]
    # indicators: no value changed (2# only moved); the declared FAR and its status did
    assert d["indicators"] == {}
    assert d["declared"] == {"far": {"old": {"declared": 2.4, "status": "mismatch"},
                                     "new": {"declared": 2.61, "status": "ok"}}}
    far_row = next(r for r in d["indicator_table"] if r["key"] == "far")
    assert far_row["old"] == far_row["new"] == old["indicators"]["far"]["value"] and far_row["changed"]
    assert {r["key"] for r in d["indicator_table"]} == set(new["indicators"])
    # decisions carried over by fingerprint, with the round-2 finding id
    carried = {(e["rule"], tuple(e["subjects"])): e for e in d["decisions"].values()}
    assert set(carried) == {("conditions:far_max", ("project",)), ("shanghai-planning:27", ("5#", "6#")),
                            ("conditions:parking_min", ("project",))}
    waiver = carried[("conditions:far_max", ("project",))]
    assert (waiver["decision"], waiver["approver"], waiver["expires"], waiver["state"]) == (
        "waive", "赵处长", "2026-06-30", "waived")
    assert waiver["finding"] == finding_id(r2, "conditions:far_max", ["project"])
    assert waiver["carried_over"] == {"round": 1, "finding": finding_id(r1, "conditions:far_max", ["project"])}
    assert d["summary"] == {"fixed": 4, "open": 4, "new": 1, "relocated": 1, "carried_over": 3}
    expired = json.loads(cli("diff", r1, r2, "--format", "json", "--date", AFTER_EXPIRY).stdout)
    assert {e["state"] for e in expired["decisions"].values() if e["decision"] == "waive"} == {"expired"}


def test_diff_carry_over_writes_the_new_review(rounds, tmp_path):
    r1, r2, _ = rounds
    new = tmp_path / "report.json"
    shutil.copy(r2, new)
    # a decision already made in round 2 is kept, not replaced by the carried one
    parking = finding_id(new, "conditions:parking_min", ["project"])
    assert cli("review", new, "-d", "traffic", "--finding", parking, "--decision", "reject",
               "--reviewer", "T2", "--date", "2025-04-01").exit_code == 0
    result = cli("diff", r1, new, "--carry-over", "--format", "json", "--date", BEFORE_EXPIRY)
    assert result.exit_code == 0, result.output
    assert "carried 2 decision(s) over" in result.stderr
    review = json.loads(review_path(new).read_text(encoding="utf-8"))
    by_rule = {(e["rule"], tuple(e["subjects"])): e for e in review["decisions"].values()}
    assert by_rule[("conditions:parking_min", ("project",))]["reviewer"] == "T2"
    assert by_rule[("conditions:far_max", ("project",))]["expires"] == "2026-06-30"
    assert by_rule[("shanghai-planning:27", ("5#", "6#"))]["decision"] == "reject"
    assert len(review["decisions"]) == 3
    # round 2's notice: the waiver still sets FAR aside; parking (rejected in round 2) is gone
    notice = notice_json(new, BEFORE_EXPIRY)
    assert [[key(m) for m in it["members"]] for it in notice["waived"]] == [[("conditions:far_max", ("project",))]]
    assert [[key(m) for m in it["members"]] for it in notice["items"]] == [[("shanghai-planning:27", ("2#", "5#"))]]


def test_diff_of_submissions_checks_them(rounds):
    _, _, r2_submission = rounds
    result = cli("diff", RESIDENTIAL, r2_submission, "--format", "json", "--date", BEFORE_EXPIRY)
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert {key(f) for f in d["fixed"]} == EXPECTED_FIXED
    assert {key(f) for f in d["open"]} == EXPECTED_OPEN and {key(f) for f in d["new"]} == EXPECTED_NEW
    assert d["decisions"] == {}  # no report, so no review file beside it
    assert_one_line_error(cli("diff", RESIDENTIAL, r2_submission, "--carry-over"), "--carry-over needs NEW")


def test_diff_text_and_html(rounds, tmp_path):
    r1, r2, _ = rounds
    text = cli("diff", r1, r2, "--date", BEFORE_EXPIRY).stdout
    assert "Fixed 已整改 (4)" in text and "Open 仍存在 (4)" in text and "New 新增 (1)" in text
    assert "容积率 FAR" in text and "mismatch → ok" in text and "2.4000 → 2.6100" in text
    assert "relocated" in text and "赵处长" in text
    out = tmp_path / "diff.html"
    assert cli("diff", r1, r2, "--format", "html", "--out", out, "--date", BEFORE_EXPIRY).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "&lt;b&gt;另案&lt;/b&gt;" in page and "<b>" not in page
    assert_one_line_error(cli("diff", r1, tmp_path / "nope"), "no such file or folder")
    assert_one_line_error(cli("diff", r1, r2, "--format", "xml"), "--format must be text, json or html")
