"""The command line: formats, --out, --fail-on, exit codes, and one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESIDENTIAL = ROOT / "samples" / "residential"
COMPLIANT = ROOT / "samples" / "compliant"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "drawcheck", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def assert_one_line_error(proc, *fragments):
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("drawcheck: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_version_and_help():
    assert run("--version").stdout.strip() == "drawcheck 0.1.0"
    assert "check" in run("--help").stdout
    assert "--fail-on" in run("check", "--help").stdout


def test_json_on_stdout_and_exit_codes():
    proc = run("check", RESIDENTIAL, "--format", "json")
    assert proc.returncode == 1  # the sample has errors
    report = json.loads(proc.stdout)
    assert report["schema"] == "drawcheck/report@1"
    assert run("check", RESIDENTIAL, "--format", "json", "--fail-on", "never").returncode == 0
    assert run("check", COMPLIANT, "--format", "json").returncode == 0
    # the compliant sample has info findings only at most: --fail-on warning decides by them
    infos_or_more = {f["severity"] for f in json.loads(run("check", COMPLIANT, "--format", "json").stdout)["findings"]}
    assert run("check", COMPLIANT, "--format", "json", "--fail-on", "warning").returncode == (1 if "warning" in infos_or_more else 0)


def test_out_writes_each_format(tmp_path):
    out = tmp_path / "reports"
    proc = run("check", RESIDENTIAL, "--format", "text,json", "--out", out)
    assert proc.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.txt"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["project"]["name"] == "某住宅地块"
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "容积率 FAR" in text and "F0001" in text
    assert "report.json" in proc.stdout  # says where the files are


def test_repeatable_format_option(tmp_path):
    proc = run("check", RESIDENTIAL, "-f", "json", "-f", "text", "--out", tmp_path)
    assert proc.returncode == 1 and (tmp_path / "report.txt").exists() and (tmp_path / "report.json").exists()


@pytest.mark.parametrize("args, fragment", [
    (("--format", "json,text"), "need --out"),
    (("--format", "yaml"), "unknown --format 'yaml'"),
    (("--format", "pdf"), "unknown --format 'pdf'"),
    (("--fail-on", "sometimes"), "--fail-on"),
    (("--units", "ft"), "--units"),
    (("--packs", "no-such-pack"), "unknown pack 'no-such-pack'"),
])
def test_misuse_is_one_line_and_exit_2(args, fragment):
    assert_one_line_error(run("check", RESIDENTIAL, *args), fragment)


def test_manifest_errors_are_one_line(tmp_path):
    sub = tmp_path / "sub"
    shutil.copytree(RESIDENTIAL, sub)
    manifest = sub / "drawcheck.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("far_max", "far_maxx"), encoding="utf-8")
    assert_one_line_error(run("check", sub), "far_maxx")


def test_unknown_override_is_exit_2(tmp_path):
    sub = tmp_path / "sub"
    shutil.copytree(RESIDENTIAL, sub)
    with open(sub / "drawcheck.toml", "a", encoding="utf-8") as fp:
        fp.write('\n[overrides."gb50016-2014"]\nno_such_param = 1.0\n')
    assert_one_line_error(run("check", sub), "no_such_param")


def test_override_changes_the_value_and_the_report_shows_it(tmp_path):
    sub = tmp_path / "sub"
    shutil.copytree(RESIDENTIAL, sub)
    with open(sub / "drawcheck.toml", "a", encoding="utf-8") as fp:
        # a city that asks 10 m between high-rises: the 10.00 m pair 1#-2# then passes
        fp.write('\n[overrides."gb50016-2014"]\nseparation_table = [[10.0, 9.0, 11.0, 14.0], [9.0, 6.0, 7.0, 9.0], '
                 '[11.0, 7.0, 8.0, 10.0], [14.0, 9.0, 10.0, 12.0]]\n')
    report = json.loads(run("check", sub, "--format", "json").stdout)
    pack = next(p for p in report["packs"] if p["id"] == "gb50016-2014")
    assert pack["overrides"]["separation_table"]["value"][0][0] == 10.0
    assert pack["overrides"]["separation_table"]["default"][0][0] == 13.0
    assert not [f for f in report["findings"] if f["rule"] == "gb50016-2014:5.2.2"]


def test_single_drawing_without_manifest(tmp_path):
    """A lone DXF: pack gb50016-2014, no plot conditions (each not_run, never passed)."""
    proc = run("check", RESIDENTIAL / "site.dxf", "--format", "json")
    report = json.loads(proc.stdout)
    assert [p["id"] for p in report["packs"]] == ["conditions", "declared", "qa", "gb50016-2014"]
    conditions = [r for r in report["rules"] if r["rule"].startswith("conditions:")]
    assert conditions and all(r["outcome"] == "not_run" and "absent" in r["reason"] for r in conditions)


def test_folder_without_manifest_is_exit_2(tmp_path):
    assert_one_line_error(run("check", tmp_path), "drawcheck.toml")


def test_console_script_matches_module():
    exe = Path(sys.executable).parent / "drawcheck"
    assert exe.exists(), "pip install -e . installs the drawcheck console script beside python"
    a = subprocess.run([str(exe), "check", str(RESIDENTIAL), "--format", "json"], capture_output=True)
    assert a.stdout == subprocess.run([sys.executable, "-m", "drawcheck", "check", str(RESIDENTIAL), "--format", "json"],
                                      capture_output=True).stdout


def test_rules_list_and_show():
    rows = json.loads(run("rules", "list", "--format", "json").stdout)
    ids = [r["rule"] for r in rows]
    assert "gb50016-2014:5.2.2" in ids and "conditions:far_max" in ids and len(ids) == len(set(ids))
    only = json.loads(run("rules", "list", "--packs", "gb50016-2014", "--format", "json").stdout)
    assert only and all(r["rule"].startswith("gb50016-2014:") for r in only)
    shown = run("rules", "show", "gb50016-2014:5.2.2")
    assert shown.returncode == 0
    assert "表5.2.2" in shown.stdout and "secondary" in shown.stdout and "separation_table" in shown.stdout


def test_rules_show_unknown_is_exit_2():
    assert_one_line_error(run("rules", "show", "gb50016-2014:5.2.3"), "no rule 'gb50016-2014:5.2.3'")
