"""``drawcheck batch``: isolation, statuses, summary, exit codes, skip-unchanged, determinism, Dask."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drawcheck.batch.runner import Submission, discover, safe_name
from drawcheck.batch.summary import to_html

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GOOD = {"residential": "findings", "compliant": "passed", "single": "passed"}
BROKEN = {
    "empty": "empty.dxf: the file is empty",
    "random": "random.dxf: not a DXF file (no DXF header found)",
    "fake-pdf": "fake-pdf.dxf: a PDF, not a DXF drawing",
    "truncated": "truncated.ifc: truncated IFC file",
    "hostile": "hostile/drawcheck.toml: 'project.inputs[0]' leaves the submission folder: '../../etc/passwd'",
    "hostile-html": "hostile-html/drawcheck.toml: 'project.inputs[0]': file not found: '<script>alert(1)</script>.dxf'",
}


def batch(*args, env=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "drawcheck", "batch", *map(str, args), "--no-progress"],
                          capture_output=True, text=True, cwd=ROOT, timeout=timeout, env={**os.environ, **(env or {})})


def add_good(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SAMPLES / "residential", folder / "residential")
    shutil.copytree(SAMPLES / "compliant", folder / "compliant")
    shutil.copy(SAMPLES / "compliant" / "site.dxf", folder / "single.dxf")
    return folder


def add_broken(folder: Path) -> Path:
    (folder / "empty.dxf").write_bytes(b"")
    (folder / "random.dxf").write_bytes(bytes(range(256)) * 40)
    (folder / "fake-pdf.dxf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    ifc = (SAMPLES / "residential-ifc" / "model.ifc").read_bytes()
    (folder / "truncated.ifc").write_bytes(ifc[: len(ifc) // 2])
    (folder / "hostile").mkdir()
    (folder / "hostile" / "drawcheck.toml").write_text('[project]\nname = "x"\ninputs = ["../../etc/passwd"]\n')
    (folder / "hostile-html").mkdir()
    (folder / "hostile-html" / "drawcheck.toml").write_text(
        '[project]\nname = "<b>x</b>"\ninputs = ["<script>alert(1)</script>.dxf"]\n')
    (folder / "notes.txt").write_text("not a submission\n")
    return folder


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def reports(out: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(out.glob("*/report.json"))}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return add_good(tmp_path_factory.mktemp("good") / "subs")


# -- names and sources ------------------------------------------------------------------------------------------


def test_names_are_safe_and_unique(tmp_path):
    for raw in ("../../etc", ".hidden", "a b/c", "CON", "", "..", "某住宅地块", "x" * 300):
        name = safe_name(raw)
        assert name and "/" not in name and "\\" not in name and not name.startswith(".")
        assert len(name) <= 80 and name.split(".")[0].lower() != "con"
    assert safe_name("某住宅地块") == "某住宅地块"
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "plan.dxf").write_text("x")
    (tmp_path / "a.dxf").write_text("x")
    (tmp_path / "A.ifc").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / "readme.md").write_text("x")
    subs, ignored = discover([tmp_path])
    assert sorted(s.name.casefold() for s in subs) == ["a", "a-2", "a-3"]
    assert ignored == [str(tmp_path / "readme.md")]
    listed = tmp_path / "list.txt"
    listed.write_text("# one a line\na.dxf\n\nmissing/plan.dxf\na/plan.dxf\n")
    subs, _ = discover([listed])
    assert [(s.name, s.kind) for s in subs] == [("a", "file"), ("plan", "file"), ("plan-2", "file")]


def test_dashboard_escapes_every_text():
    sub = Submission("x", "<img src=x onerror=alert(1)>.dxf", "file", Path("/x"))
    from drawcheck.batch.runner import row_of

    row = row_of(sub, "unreadable", None, "<script>alert(1)</script>", 0.1, "error")
    page = to_html([row], {"fail_on": "<b>", "exit_code": 2, "ignored": ["<i>.txt"]})
    assert "<script>" not in page and "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# -- the acceptance batch -------------------------------------------------------------------------------------------


def test_mixed_batch_reports_good_lists_broken_and_exits_2(tmp_path):
    subs = add_broken(add_good(tmp_path / "subs"))
    before = snapshot(subs)
    out = tmp_path / "out"
    proc = batch(subs, "--out", out, "--jobs", "2")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(subs) == before  # the batch writes under --out only
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = {r["name"]: r for r in summary["submissions"]}
    assert set(rows) == set(GOOD) | set(BROKEN)
    assert summary["exit_code"] == 2 and summary["ignored"] == [str(subs / "notes.txt")]
    for name, status in GOOD.items():
        assert rows[name]["status"] == status and rows[name]["error"] is None
        assert json.loads((out / name / "report.json").read_text(encoding="utf-8"))["schema"] == "drawcheck/report@1"
        assert (out / name / "inputs.sha256").is_file()
    assert rows["residential"]["errors"] == 7 and rows["residential"]["by_department"]["planning"]["errors"] == 4
    assert rows["residential"]["indicators"]["far"] == 2.6122
    for name, error in BROKEN.items():
        assert rows[name]["status"] == "unreadable" and rows[name]["error"].startswith(error), rows[name]
        assert not (out / name / "report.json").exists()
        assert (out / name / "error.txt").read_text(encoding="utf-8").startswith(f"unreadable: {error}")
        assert f"{name}: unreadable: {error}" in proc.stderr  # one line each, as they happen
    assert sorted(p.name for p in out.iterdir()) == sorted([*rows, "summary.csv", "summary.html", "summary.json"])
    with open(out / "summary.csv", encoding="utf-8", newline="") as fp:
        table = list(csv.DictReader(fp))
    assert [r["name"] for r in table] == sorted(rows)
    assert {r["name"]: r["status"] for r in table} == {n: rows[n]["status"] for n in rows}
    assert next(r for r in table if r["name"] == "residential")["errors_fire"] == "1"
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<tr>") == len(rows) + 1
    assert "summary.html (exit 2)" in proc.stdout


def test_good_batch_exit_codes_rerun_and_determinism(good, tmp_path):
    out1 = tmp_path / "j2"
    proc = batch(good, "--out", out1, "--jobs", "2")
    assert proc.returncode == 1, proc.stderr  # the residential sample has errors
    first = snapshot(out1)
    # re-run: nothing changed, nothing is checked or rewritten; the kept reports still decide the exit code
    again = batch(good, "--out", out1, "--jobs", "2", "--fail-on", "never")
    assert again.returncode == 0, again.stderr
    rows = json.loads((out1 / "summary.json").read_text(encoding="utf-8"))["submissions"]
    assert {r["status"] for r in rows} == {"unchanged"} and len(rows) == 3
    after = snapshot(out1)
    for name in GOOD:
        for f in ("report.json", "inputs.sha256"):
            assert after[f"{name}/{f}"] == first[f"{name}/{f}"]
    assert batch(good, "--out", out1, "--jobs", "2").returncode == 1
    # the skipped rows keep their result from the kept report: the same counts, exit code and indicators
    before = {r["name"]: r for r in json.loads(first["summary.json"][1])["submissions"]}
    after_rows = {r["name"]: r for r in json.loads((out1 / "summary.json").read_text(encoding="utf-8"))["submissions"]}
    assert set(after_rows) == set(before) == set(GOOD)
    for name, row in after_rows.items():
        assert row["status"] == "unchanged" and row["result"] == before[name]["status"] == GOOD[name]
        for key in ("exit_code", "errors", "warnings", "infos", "by_department", "indicators", "project", "report"):
            assert row[key] == before[name][key], (name, key)
    assert after_rows["residential"]["indicators"]["far"] == 2.6122
    page = (out1 / "summary.html").read_text(encoding="utf-8")
    assert page.count('<span class="s s-unchanged">unchanged</span> <span class="s s-findings"') == 1
    assert page.count('<span class="s s-unchanged">unchanged</span> <span class="s s-passed"') == 2
    with open(out1 / "summary.csv", encoding="utf-8", newline="") as fp:
        table = {r["name"]: r for r in csv.DictReader(fp)}
    assert {n: (r["status"], r["result"]) for n, r in table.items()} == {n: ("unchanged", s) for n, s in GOOD.items()}
    # one job or two: byte-identical reports
    out2 = tmp_path / "j1"
    assert batch(good, "--out", out2, "--jobs", "1").returncode == 1
    assert reports(out2) == reports(out1) and len(reports(out1)) == 3
    # a changed input is checked again, the others are skipped
    changed = tmp_path / "changed"
    shutil.copytree(good, changed)
    out3 = tmp_path / "changed-out"
    shutil.copytree(out1, out3)
    with open(changed / "compliant" / "site.dxf", "a", encoding="utf-8") as fp:
        fp.write("999\nedited\n")
    batch(changed, "--out", out3, "--jobs", "2")
    rows = {r["name"]: r["status"] for r in json.loads((out3 / "summary.json").read_text())["submissions"]}
    assert rows == {"compliant": "passed", "residential": "unchanged", "single": "unchanged"}


def test_summary_csv_rounds_as_the_report_does(tmp_path):
    """Lengths 3 decimals, areas 2, ratios 4 (report-json.md), written out in full: 21514.16, not 21514.2."""
    from drawcheck.batch.runner import row_of
    from drawcheck.batch.summary import to_csv

    report = json.loads(subprocess.run([sys.executable, "-m", "drawcheck", "check", str(SAMPLES / "residential"),
                                        "--format", "json"], capture_output=True, text=True, cwd=ROOT).stdout)
    row = row_of(Submission("residential", "residential", "dir", SAMPLES / "residential"), "report", report, None,
                 1.0, "error")
    [line] = list(csv.DictReader(to_csv([row]).splitlines()))
    ind = report["indicators"]
    assert ind["site_area"]["unit"] == "m2" and ind["max_height"]["unit"] == "m" and ind["far"]["unit"] == "ratio"
    assert line["site_area"] == "%.2f" % ind["site_area"]["value"] == "21514.16"
    assert line["max_height"] == "%.3f" % ind["max_height"]["value"] == "75.000"
    for key in ("far", "coverage", "green_ratio"):
        assert line[key] == "%.4f" % ind[key]["value"]
    assert line["far"] == "2.6122" and line["parking_spaces"] == str(ind["parking_spaces"]["value"]) == "36"
    assert line["result"] == "findings" and line["status"] == "findings"
    # a value carrying more digits than the report keeps is written as the report would round it
    row["indicators"] = {"site_area": 1234.5678, "far": 1.234567, "max_height": 12.34567}
    [line] = list(csv.DictReader(to_csv([row]).splitlines()))
    assert (line["site_area"], line["far"], line["max_height"]) == ("1234.57", "1.2346", "12.346")

def test_reports_do_not_depend_on_run_order_or_the_batch(good, tmp_path):
    """Listed in reverse order, under another hash seed: the same bytes as ``drawcheck check --format json``."""
    listed = tmp_path / "reversed.txt"
    names = sorted(GOOD, reverse=True)
    listed.write_text("".join(f"{good / (n + '.dxf' if n == 'single' else n)}\n" for n in names), encoding="utf-8")
    out = tmp_path / "out"
    assert batch(listed, "--out", out, "--jobs", "2", env={"PYTHONHASHSEED": "12345"}).returncode == 1
    got = reports(out)
    assert sorted(got) == sorted(GOOD)
    for name in GOOD:
        target = good / (name + ".dxf" if name == "single" else name)
        direct = subprocess.run([sys.executable, "-m", "drawcheck", "check", str(target), "--format", "json"],
                                capture_output=True, cwd=ROOT, timeout=180, env={**os.environ, "PYTHONHASHSEED": "7"})
        assert direct.returncode in (0, 1), direct.stderr
        assert got[name] == direct.stdout, name


def test_forked_and_spawned_children_give_the_same_reports(tmp_path):
    """The warm fork server (default) and fresh interpreters (--spawn): same reports, same statuses and errors."""
    subs = add_broken(add_good(tmp_path / "subs"))
    outs = {}
    for mode in ([], ["--spawn"]):
        out = outs[bool(mode)] = tmp_path / ("spawn" if mode else "fork")
        assert batch(subs, "--out", out, "--jobs", "2", *mode).returncode == 2
    assert reports(outs[True]) == reports(outs[False]) and len(reports(outs[False])) == len(GOOD)
    strip = lambda out: [{k: v for k, v in r.items() if k != "seconds"}  # noqa: E731
                         for r in json.loads((out / "summary.json").read_text())["submissions"]]
    assert strip(outs[True]) == strip(outs[False])


@pytest.mark.parametrize("mode", [[], ["--spawn"]], ids=["fork", "spawn"])
def test_a_crashing_check_costs_its_own_process_only(good, tmp_path, mode):
    """A check that dies by a signal (here SIGABRT, as a native crash would) is ``failed``; the rest go on."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a", "crash", "b"):
        shutil.copy(good / "single.dxf", subs / f"{name}.dxf")
    out = tmp_path / "out"
    proc = batch(subs, "--out", out, "--jobs", "2", *mode, env={"DRAWCHECK_TEST_WORKER_FAULT": "abort:crash.dxf"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    rows = {r["name"]: r for r in json.loads((out / "summary.json").read_text())["submissions"]}
    assert rows["crash"]["status"] == "failed" and "killed by SIGABRT" in rows["crash"]["error"], rows["crash"]
    assert rows["a"]["status"] == rows["b"]["status"] == "passed"
    a, b = (json.loads(reports(out)[n]) for n in ("a", "b"))
    assert a["indicators"] == b["indicators"] and a["findings"] == b["findings"]


def test_many_forked_checks_at_once_all_report(good, tmp_path):
    """Found by the batch benchmark: with several pool threads, a child's exit status could be read by another
    thread's Process.start() and come back as 255 ("exited ... without a result"). 200 plans, 4 at a time: before
    the fix this failed in about half the runs."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(0, 200, 2):  # small and larger checks mixed, so starts and exits interleave
        shutil.copy(good / "single.dxf", subs / f"p{i:03d}.dxf")
        shutil.copytree(good / "residential", subs / f"r{i + 1:03d}")
    out = tmp_path / "out"
    proc = batch(subs, "--out", out, "--jobs", "4", timeout=600)
    rows = json.loads((out / "summary.json").read_text())["submissions"]
    assert proc.returncode == 1, [r for r in rows if r["status"] not in ("passed", "findings")][:3]
    assert len(rows) == 200 and {r["status"] for r in rows} == {"passed", "findings"}


def test_a_child_that_cannot_start_is_a_failed_row(monkeypatch, tmp_path):
    """fork/exec refused (no processes or descriptors left): that submission fails, the batch goes on."""
    import errno

    from drawcheck.batch import runner

    def refuse(*args, **kwargs):
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(runner, "run_child", refuse)
    result = runner.run_isolated(tmp_path, "plan.dxf", runner.Options())
    assert result["status"] == "failed" and result["report"] is None
    assert result["error"] == "the check process could not be started: Resource temporarily unavailable"


def test_a_list_file_and_a_missing_entry(good, tmp_path):
    listed = tmp_path / "todo.txt"
    listed.write_text(f"{good / 'single.dxf'}\n# a comment\ngone/plan.dxf\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = batch(listed, "--out", out, "--fail-on", "never")
    assert proc.returncode == 2
    rows = {r["name"]: r for r in json.loads((out / "summary.json").read_text())["submissions"]}
    assert rows["single"]["status"] == "passed"
    assert rows["plan"]["status"] == "unreadable" and rows["plan"]["error"] == "gone/plan.dxf: no such file or folder"


# -- budgets ------------------------------------------------------------------------------------------------------


def test_a_hanging_submission_times_out_and_the_batch_goes_on(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copytree(SAMPLES / "residential-ifc", subs / "stuck")
    shutil.copy(SAMPLES / "compliant" / "site.dxf", subs / "plan.dxf")
    slab = re.search(rb"#(\d+)=IFCSLAB\(", (subs / "stuck" / "model.ifc").read_bytes()).group(1).decode()
    out = tmp_path / "out"
    proc = batch(subs, "--out", out, "--jobs", "2", "--timeout", "12",
                 env={"DRAWCHECK_TEST_IFC_FAULT": f"hang:{slab}"}, timeout=120)
    assert proc.returncode == 2, proc.stderr
    rows = {r["name"]: r for r in json.loads((out / "summary.json").read_text())["submissions"]}
    assert rows["stuck"]["status"] == "timeout" and "--timeout" in rows["stuck"]["error"]
    assert rows["plan"]["status"] == "passed"


def test_a_submission_over_its_memory_budget_fails_alone(good, tmp_path):
    out = tmp_path / "out"
    proc = batch(good / "single.dxf", "--out", out, "--memory-mb", "250", timeout=120)
    assert proc.returncode == 2
    row = json.loads((out / "summary.json").read_text())["submissions"][0]
    assert row["status"] == "failed" and "memory budget of 250 MB" in row["error"]


def test_bad_options_are_one_line_errors(tmp_path):
    for args, fragment in ((["--fail-on", "often"], "--fail-on"), (["--shared-path"], "--dask"),
                           (["--units", "ft"], "--units")):
        proc = batch(SAMPLES / "compliant", "--out", tmp_path / "o", *args)
        assert proc.returncode == 2 and proc.stderr.strip().startswith("drawcheck: ") and fragment in proc.stderr
    proc = batch(tmp_path / "nowhere", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr
    assert not (tmp_path / "o").exists()


# -- Dask --------------------------------------------------------------------------------------------------------


def test_local_cluster_gives_identical_reports(good, tmp_path):
    distributed = pytest.importorskip("distributed")
    subs = tmp_path / "subs"
    subs.mkdir()
    add_broken(subs)
    for name in GOOD:
        src = good / name if (good / name).exists() else good / f"{name}.dxf"
        (shutil.copytree if src.is_dir() else shutil.copy)(src, subs / src.name)
    local = tmp_path / "local"
    assert batch(subs, "--out", local, "--jobs", "2").returncode == 2
    import dask

    # daemonic workers (Dask's default) spawn each check; non-daemonic ones fork it from their warm server
    for daemon, modes in ((True, ([], ["--shared-path"])), (False, ([],))):
        with dask.config.set({"distributed.worker.daemon": daemon}):
            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                               dashboard_address=":0", silence_logs=40)
        with cluster:
            _same_reports_on(cluster, subs, local, tmp_path / f"daemon-{daemon}", modes)


def _same_reports_on(cluster, subs: Path, local: Path, where: Path, modes) -> None:
    for mode in modes:
        out = where / ("dask" + "".join(mode))
        proc = batch(subs, "--out", out, "--dask", cluster.scheduler_address, *mode, timeout=180)
        assert proc.returncode == 2, proc.stderr
        assert reports(out) == reports(local) and len(reports(out)) == 3
        strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
        assert strip(json.loads((out / "summary.json").read_text())["submissions"]) == \
            strip(json.loads((local / "summary.json").read_text())["submissions"])
