"""The review service over real HTTP: reports equal the CLI's, three rounds to sign-off, waivers, audit log,
metrics, the permission table, and SQLite and PostgreSQL giving the same answers (issue 13).

One scripted session (:func:`run_scenario`) runs once per backend on a fresh
server and records every answer; the tests below assert on that record, and
the permission test then uses the same server. Expected values are worked by
hand from the contract (``shared/spec/review-service.md``) and from the CLI's
reports of the same files, never from the service's own code.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from service_http_common import (COMPLIANT, RESIDENTIAL, cli, cli_reports, db_engine, far_corrected,
                                  one_line_error, pg, report_json, start, submission_files, today, zip_of)  # noqa: F401  (pg: fixture)
from service_server import backends, upload

FAR_AWAY = "2099-12-31"  #: a waiver expiry that is in force during any test run


@pytest.fixture(scope="module")
def refs(tmp_path_factory):
    """The CLI's reports: residential (round 1), residential with the FAR text corrected (rounds 2, 3), compliant."""
    tmp = tmp_path_factory.mktemp("cli")
    round2 = far_corrected(tmp / "round2")
    paths = cli_reports(tmp, {"residential": RESIDENTIAL, "round2": round2, "compliant": COMPLIANT})
    return {"tmp": tmp, "round2_dir": round2, **paths}


def by_rule(report: dict, rule: str, subjects: list[str] | None = None) -> dict:
    [hit] = [f for f in report["findings"] if f["rule"] == rule and (subjects is None or sorted(f["subjects"]) == subjects)]
    return hit


class Recorder:
    """Calls the API as a user and keeps (user, method, path, status, answer) of every call."""

    def __init__(self, server):
        self.server, self.log = server, []
        self.clients = {}

    def __call__(self, user, method, path, expect, **kw):
        if user not in self.clients:
            self.clients[user] = self.server.client(user)
        r = self.clients[user].request(method, path, **kw)
        assert r.status_code == expect, (user, method, path, r.status_code, r.text[:500])
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text
        self.log.append((user, method, path, r.status_code, body))
        return r

    def upload(self, user, pid, paths):
        r = upload(self.server, user, pid, paths)
        assert r.status_code == 202, r.text
        self.log.append((user, "POST", f"/api/projects/{pid}/submissions", 202, r.json()))
        return r.json()

    def close(self):
        for c in self.clients.values():
            c.close()


def notice_fps(part: list[dict]) -> set[str]:
    return {m["fingerprint"] for item in part for m in item["members"]}


def audit_rows(server) -> list[dict]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from drawcheck.service.db import AuditEntry

    engine = db_engine(server)
    try:
        with Session(engine) as s:
            return [{"id": a.id, "who": a.who, "role": a.role, "when": a.when, "what": a.what, "before": a.before}
                    for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    finally:
        engine.dispose()


def run_scenario(server, refs) -> dict:
    """The scripted session: three projects, the rounds, decisions, comments, waivers (see the metrics test)."""
    rec, out = Recorder(server), {}
    res = report_json(refs["residential"])
    f522 = by_rule(res, "gb50016-2014:5.2.2")["fingerprint"]
    far = by_rule(res, "conditions:far_max")["fingerprint"]
    s12 = by_rule(res, "shanghai-planning:27", ["1#", "2#"])["fingerprint"]
    s25 = by_rule(res, "shanghai-planning:27", ["2#", "5#"])["fingerprint"]
    s56 = by_rule(res, "shanghai-planning:27", ["5#", "6#"])["fingerprint"]
    qafar = by_rule(res, "declared:far")["fingerprint"]
    parking = by_rule(res, "conditions:parking_min")["fingerprint"]
    out["fps"] = dict(f522=f522, far=far, s12=s12, s25=s25, s56=s56, qafar=qafar, parking=parking)

    p1 = rec("alice", "POST", "/api/projects", 201, json={"name": "P1 某住宅地块"}).json()
    p2 = rec("bob", "POST", "/api/projects", 201, json={"name": "P2"}).json()
    p3 = rec("alice", "POST", "/api/projects", 201, json={"name": "P3 <zip>"}).json()
    out["projects"] = (p1, p2, p3)
    s1 = rec.upload("alice", p1["id"], submission_files(RESIDENTIAL))
    b1 = rec.upload("bob", p2["id"], submission_files(RESIDENTIAL))
    with server.client("alice") as c:
        r = c.post(f"/api/projects/{p3['id']}/submissions",
                   files=[("files", ("residential.zip", zip_of(RESIDENTIAL, "residential")))])
    assert r.status_code == 202, r.text
    rec.log.append(("alice", "POST", "zip upload", 202, r.json()))
    z1 = r.json()
    out["subs"] = {"s1": s1, "b1": b1, "z1": z1}
    for sub in (s1, b1, z1):
        assert server.wait_done(sub["id"])["status"] == "done"
    out["report_bytes"] = {k: rec("fire1", "GET", f"/api/submissions/{v['id']}/report", 200).content
                           for k, v in (("s1", s1), ("b1", b1), ("z1", z1))}

    # round 1 of P1: fire accepts its finding, planning rejects one, accepts one, proposes a waiver
    sid = s1["id"]
    dec = f"/api/submissions/{sid}/decisions"
    rec("fire1", "POST", dec, 201, json={"finding": f522, "decision": "accept", "comment": "间距不足"})
    rec("plan1", "POST", dec, 201, json={"finding": far, "decision": "reject", "comment": "按批复口径"})
    rec("plan1", "POST", dec, 201, json={"finding": s12, "decision": "accept"})
    rec("plan1", "POST", dec, 201, json={"finding": qafar, "decision": "accept"})
    rec("plan1", "POST", dec, 201, json={"finding": s25, "decision": "waive", "expires": FAR_AWAY, "comment": "另案"})
    out["notice_proposed"] = rec("alice", "GET", f"/api/submissions/{sid}/notice", 200).json()
    rec("boss", "POST", dec, 201, json={"finding": s25, "decision": "approve_waiver"})
    out["notice_approved"] = rec("alice", "GET", f"/api/submissions/{sid}/notice", 200).json()
    com = f"/api/submissions/{sid}/comments"
    rec("alice", "POST", com, 201, json={"finding": f522, "text": "将调整2#位置"})
    rec("fire1", "POST", com, 201, json={"finding": f522, "text": "请同时核对消防车道"})
    rec("alice", "POST", com, 201, json={"finding": None, "text": "第二轮将更正容积率标注 <b>"})
    out["decisions_s1"] = rec("alice", "GET", dec, 200).json()
    out["comments_s1"] = rec("plan1", "GET", com, 200).json()
    out["notice_s1_text"] = rec("alice", "GET", f"/api/submissions/{sid}/notice", 200).text
    out["audit_after_round1"] = audit_rows(server)

    # round 2 of P1 (declared FAR fixed): decisions carried; planning rejects the last spacing, admin decides traffic
    s2 = rec.upload("alice", p1["id"], submission_files(refs["round2_dir"]))
    assert server.wait_done(s2["id"])["status"] == "done"
    out["subs"]["s2"] = s2
    out["decisions_s2_carried"] = rec("fire1", "GET", f"/api/submissions/{s2['id']}/decisions", 200).json()
    out["diff_s2"] = rec("alice", "GET", f"/api/submissions/{s2['id']}/diff", 200).text
    out["report_s2"] = rec("alice", "GET", f"/api/submissions/{s2['id']}/report", 200).content
    dec2 = f"/api/submissions/{s2['id']}/decisions"
    rec("plan1", "POST", dec2, 201, json={"finding": s56, "decision": "reject", "comment": "按退界核算"})
    rec("root", "POST", dec2, 201, json={"finding": parking, "decision": "accept"})
    rec("alice", "POST", f"/api/submissions/{s2['id']}/comments", 201, json={"finding": parking, "text": "补充车位"})
    out["audit_after_round2"] = audit_rows(server)

    # round 3: the same files; every decision carried -> every department signed off
    s3 = rec.upload("alice", p1["id"], submission_files(refs["round2_dir"]))
    assert server.wait_done(s3["id"])["status"] == "done"
    out["subs"]["s3"] = s3
    out["report_s3"] = json.loads(rec("alice", "GET", f"/api/submissions/{s3['id']}/report", 200).content)
    out["decisions_s3"] = rec("alice", "GET", f"/api/submissions/{s3['id']}/decisions", 200).json()
    out["notice_s3"] = rec("alice", "GET", f"/api/submissions/{s3['id']}/notice", 200).json()

    # P2 round 2: the compliant drawing (P2's round 1 had nobody's decisions)
    b2 = rec.upload("bob", p2["id"], submission_files(COMPLIANT))
    assert server.wait_done(b2["id"])["status"] == "done"
    out["subs"]["b2"] = b2

    # an admin may propose a waiver and approve waivers, but never their own
    zdec = f"/api/submissions/{z1['id']}/decisions"
    rec("root", "POST", zdec, 201, json={"finding": f522, "decision": "waive", "expires": FAR_AWAY})
    out["self_approval"] = rec("root", "POST", zdec, 422, json={"finding": f522, "decision": "approve_waiver"})
    out["metrics"] = rec("root", "GET", "/api/metrics", 200).json()
    rec("root", "GET", "/api/projects", 200)
    rec("alice", "GET", "/api/projects", 200)
    rec.close()
    out["log"] = rec.log
    return out


_SCENARIOS: dict[str, tuple] = {}


def scenario_on(backend, pg, refs, tmp_path_factory):
    """The server of ``backend`` with the scripted session run on it (once per module)."""
    if backend not in _SCENARIOS:
        server = start(backend, pg, tmp_path_factory.mktemp(f"scenario-{backend}"))
        try:
            _SCENARIOS[backend] = (server, run_scenario(server, refs))
        except BaseException:
            server.stop()
            raise
    return _SCENARIOS[backend]


@pytest.fixture(scope="module", autouse=True)
def _stop_servers():
    yield
    for server, _ in _SCENARIOS.values():
        server.stop()
    _SCENARIOS.clear()


@pytest.fixture(params=backends())
def scenario(request, pg, refs, tmp_path_factory):
    return scenario_on(request.param, pg, refs, tmp_path_factory)


def write_review(folder, report_path, decisions: dict, round: int):
    """A review file (docs/review.md) holding the service's decisions, for the CLI to read."""
    report = report_json(report_path)
    review = {"schema": "drawcheck/review@1", "project": report["project"]["name"], "round": round,
              "report": {"path": "report.json", "inputs": [{"path": i["path"], "sha256": i["sha256"]}
                                                           for i in report["project"]["inputs"]]},
              "decisions": decisions}
    path = folder / f"round{round}.review.json"
    path.write_text(json.dumps(review, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return path


# -- 2. the same report, notice and diff as the CLI ---------------------------------------------------------------


def test_report_is_the_cli_report_byte_for_byte(scenario, refs):
    _, out = scenario
    cli_bytes = refs["residential"].read_bytes()
    assert out["report_bytes"]["s1"] == cli_bytes  # two multipart files
    assert out["report_bytes"]["b1"] == cli_bytes  # another applicant, same files
    assert out["report_bytes"]["z1"] == cli_bytes  # one .zip of the folder
    assert out["report_s2"] == refs["round2"].read_bytes()


def test_notice_and_diff_are_the_cli_ones(scenario, refs, tmp_path):
    _, out = scenario
    review = write_review(tmp_path, refs["residential"], out["decisions_s1"], 1)
    r = cli("notice", str(refs["residential"]), "--format", "json", "--review", str(review), "--round", "1",
            "--date", today())
    assert r.returncode == 0, r.stderr
    assert out["notice_s1_text"] == r.stdout.decode("utf-8")
    r = cli("diff", str(refs["residential"]), str(refs["round2"]), "--format", "json", "--review", str(review),
            "--date", today())
    assert r.returncode == 0, r.stderr
    mine, theirs = json.loads(out["diff_s2"]), json.loads(r.stdout)
    # the CLI names the report files it was given; the service has no paths to name: only "source" differs
    assert theirs["reports"]["old"].pop("source") == str(refs["residential"])
    assert theirs["reports"]["new"].pop("source") == str(refs["round2"])
    assert mine["reports"]["old"].pop("source") is None and mine["reports"]["new"].pop("source") is None
    assert mine == theirs
    # and by hand: the declared-FAR finding is the one fixed, nothing new
    assert [f["rule"] for f in mine["fixed"]] == ["declared:far"] and mine["new"] == []


# -- 3. two departments, three rounds, waivers, audit log --------------------------------------------------------


def test_three_rounds_end_in_sign_off(scenario, refs):
    _, out = scenario
    fps = out["fps"]
    d1 = out["decisions_s1"]
    assert {fp: d1[fp]["decision"] for fp in d1} == {fps["f522"]: "accept", fps["far"]: "reject", fps["s12"]: "accept",
                                                    fps["qafar"]: "accept", fps["s25"]: "waive"}
    assert d1[fps["f522"]]["department"] == "fire" and d1[fps["f522"]]["reviewer"] == "fire1"
    assert d1[fps["qafar"]]["department"] == "qa" and d1[fps["qafar"]]["reviewer"] == "plan1"  # qa: by planning
    assert d1[fps["s25"]]["approver"] == "boss" and d1[fps["s25"]]["reviewer"] == "plan1"
    assert [c["text"] for c in out["comments_s1"]] == ["将调整2#位置", "请同时核对消防车道", "第二轮将更正容积率标注 <b>"]
    assert [c["author"] for c in out["comments_s1"]] == ["alice", "fire1", "alice"]

    # round 2 carries every decision of a finding still there; the fixed declared-FAR one is gone
    carried = out["decisions_s2_carried"]
    assert set(carried) == {fps["f522"], fps["far"], fps["s12"], fps["s25"]}
    round2 = report_json(refs["round2"])
    ids2 = {f["fingerprint"]: f["id"] for f in round2["findings"]}
    ids1 = {f["fingerprint"]: f["id"] for f in report_json(refs["residential"])["findings"]}
    for fp, entry in carried.items():
        assert entry["carried_over"] == {"round": 1, "finding": ids1[fp]}
        assert entry["finding"] == ids2[fp]
        assert entry["decision"] == d1[fp]["decision"] and entry["reviewer"] == d1[fp]["reviewer"]
    assert carried[fps["s25"]]["approver"] == "boss"

    # round 3: every error/warning finding of every department has a decision in force
    decided = out["decisions_s3"]
    blocking = [f for f in out["report_s3"]["findings"] if f["severity"] in ("error", "warning")]
    assert {f["department"] for f in blocking} == {"fire", "planning", "traffic"}
    for f in blocking:
        entry = decided[f["fingerprint"]]
        assert entry["decision"] in ("accept", "reject") or (entry["decision"] == "waive" and entry["approver"])
    notice = out["notice_s3"]
    assert notice["counts"]["pending"] == 0
    # open items left for the applicant: the accepted ones (5.2.2 and 27 of 1#-2# merge: 10.00 m between 1# and 2#)
    listed = notice_fps(notice["items"])
    assert listed == {fps["f522"], fps["s12"], fps["parking"]}
    assert notice_fps(notice["waived"]) == {fps["s25"]}
    assert all(m["state"] == "accepted" for it in notice["items"] for m in it["members"])


def test_waiver_is_in_force_only_once_approved_and_never_by_its_proposer(scenario):
    _, out = scenario
    s25 = out["fps"]["s25"]
    assert s25 in notice_fps(out["notice_proposed"]["items"]) and s25 not in notice_fps(out["notice_proposed"]["waived"])
    assert s25 in notice_fps(out["notice_approved"]["waived"]) and s25 not in notice_fps(out["notice_approved"]["items"])
    assert out["notice_approved"]["counts"]["waived"] == out["notice_proposed"]["counts"]["waived"] + 1
    assert "other than" in one_line_error(out["self_approval"])


def test_audit_log_is_append_only_with_who_role_when_before(scenario):
    _, out = scenario
    first, second = out["audit_after_round1"], out["audit_after_round2"]
    # round 1: 5 decisions + 1 approval + 3 comments; round 2: 2 decisions + 1 comment
    assert len(first) == 9 and len(second) == 12
    assert second[:9] == first  # nothing earlier changed or went away
    assert [(a["who"], a["role"], a["what"]["action"]) for a in first] == [
        ("fire1", "reviewer", "decision"), ("plan1", "reviewer", "decision"), ("plan1", "reviewer", "decision"),
        ("plan1", "reviewer", "decision"), ("plan1", "reviewer", "decision"), ("boss", "approver", "decision"),
        ("alice", "applicant", "comment"), ("fire1", "reviewer", "comment"), ("alice", "applicant", "comment")]
    assert all(re.match(r"\d{4}-\d\d-\d\dT", a["when"]) for a in second)
    assert all(a["before"] is None for a in first[:5])  # first decisions on those findings
    approval = first[5]
    assert approval["before"]["decision"] == "waive" and approval["before"].get("approver") is None
    assert approval["what"]["entry"]["approver"] == "boss"


# -- 4. metrics on a known answer ---------------------------------------------------------------------------------


def test_metrics_worked_by_hand(scenario, refs):
    """Worked by hand from the scenario (a round is returned when it had an error finding not rejected and not
    waived in force when the next round came):

    P1 round 1 (next round uploaded after: 5.2.2 accepted, far_max rejected, 27[1#2#] accepted, 27[2#5#] waived,
    27[5#6#] open, declared:far accepted, parking open) -> returned by 5.2.2, 27 x2, declared:far, parking.
    P1 round 2 (carried: 5.2.2 accepted, far_max rejected, 27[1#2#] accepted, 27[2#5#] waived; 27[5#6#] rejected,
    parking accepted) -> returned by 5.2.2, 27, parking. P1 round 3: no later round.
    P2 round 1 (no decisions, round 2 compliant) -> returned by all 7 errors: 5.2.2, far_max, 27 x3, declared:far,
    parking. P3: one round only.
    So P1 returned twice, P2 once; 3 projects with a checked first round: rate 1/3; by_rule: 5.2.2 1+1+1 = 3,
    far_max 1, 27 2+1+3 = 6, declared:far 1+1 = 2, parking 1+1+1 = 3.
    """
    _, out = scenario
    errors = sorted(f["rule"] for f in report_json(refs["residential"])["findings"] if f["severity"] == "error")
    assert errors == ["conditions:far_max", "conditions:parking_min", "declared:far", "gb50016-2014:5.2.2",
                      "shanghai-planning:27", "shanghai-planning:27", "shanghai-planning:27"]  # the hand count's input
    assert out["metrics"] == {"projects": 3, "submissions": 6, "returned_once": 1, "returned_twice_or_more": 1,
                              "second_return_rate": pytest.approx(1 / 3),
                              "by_rule": {"conditions:far_max": 1, "conditions:parking_min": 3, "declared:far": 2,
                                          "gb50016-2014:5.2.2": 3, "shanghai-planning:27": 6}}


# -- 8. SQLite and PostgreSQL answer alike -------------------------------------------------------------------------

_TIMES = {"created"}


def _without_times(value):
    if isinstance(value, dict):
        return {k: ("<time>" if k in _TIMES else _without_times(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_sqlite_and_postgresql_give_the_same_answers(pg, refs, tmp_path_factory):
    _, on_sqlite = scenario_on("sqlite", pg, refs, tmp_path_factory)
    _, on_pg = scenario_on("postgresql", pg, refs, tmp_path_factory)
    a = [_without_times(list(entry)) for entry in on_sqlite["log"]]
    b = [_without_times(list(entry)) for entry in on_pg["log"]]
    assert len(a) == len(b) >= 40
    for x, y in zip(a, b):
        assert x == y


# -- 1. the permission table -------------------------------------------------------------------------------------


def test_permission_table(scenario, refs):
    """Every row of the contract's "Who may do what" and API table, written by hand (not from auth.PERMISSIONS)."""
    server, out = scenario
    fps = out["fps"]
    p1, p2, _ = out["projects"]
    s1, s2 = out["subs"]["s1"]["id"], out["subs"]["s2"]["id"]
    small = submission_files(COMPLIANT)
    files = lambda: [("files", (p.name, p.read_bytes())) for p in small]  # noqa: E731
    dec = f"/api/submissions/{s1}/decisions"
    rows = [
        # (user, method, path, kwargs, expected status)
        (None, "GET", "/healthz", {}, 200),
        (None, "GET", "/api/projects", {}, 401),
        ("bad", "GET", "/api/projects", {}, 401),
        (None, "POST", "/api/projects", {"json": {"name": "x"}}, 401),
        ("bad", "POST", f"/api/submissions/{s1}/comments", {"json": {"text": "x"}}, 401),
        (None, "GET", f"/api/submissions/{s1}/report", {}, 401),
        (None, "GET", "/api/metrics", {}, 401),
        ("bad", "POST", dec, {"json": {"finding": fps["f522"], "decision": "accept"}}, 401),
        # projects: applicants and admin create, reviewers and approvers do not
        ("alice", "POST", "/api/projects", {"json": {"name": "A2"}}, 201),
        ("root", "POST", "/api/projects", {"json": {"name": "R"}}, 201),
        ("fire1", "POST", "/api/projects", {"json": {"name": "F"}}, 403),
        ("boss", "POST", "/api/projects", {"json": {"name": "B"}}, 403),
        # uploads: own project or admin; reviewers/approvers 403; another applicant's project 404
        ("bob", "POST", f"/api/projects/{p1['id']}/submissions", {"files": files()}, 404),
        ("fire1", "POST", f"/api/projects/{p1['id']}/submissions", {"files": files()}, 403),
        ("boss", "POST", f"/api/projects/{p1['id']}/submissions", {"files": files()}, 403),
        ("alice", "POST", "/api/projects/999999/submissions", {"files": files()}, 404),
        ("alice", "POST", f"/api/projects/{p1['id']}/submissions", {"files": files()}, 202),
        ("root", "POST", f"/api/projects/{p2['id']}/submissions", {"files": files()}, 202),
        # reading: own applicant, every reviewer/approver/admin; another applicant 404; unknown 404
        *[(u, "GET", f"/api/submissions/{s1}{tail}", {}, 200) for u in ("alice", "fire1", "green1", "boss", "root")
          for tail in ("", "/report", "/decisions", "/comments", "/notice")],
        *[("bob", "GET", f"/api/submissions/{s1}{tail}", {}, 404)
          for tail in ("", "/report", "/decisions", "/comments", "/notice")],
        ("bob", "GET", f"/api/submissions/{s2}/diff", {}, 404),
        ("alice", "GET", f"/api/submissions/{s2}/diff", {}, 200),
        ("plan1", "GET", f"/api/submissions/{s2}/diff", {}, 200),
        ("root", "GET", f"/api/submissions/{s1}/diff", {}, 404),  # round 1 has no previous round
        ("root", "GET", "/api/submissions/999999", {}, 404),
        ("alice", "GET", "/api/submissions/999999/report", {}, 404),
        # deciding: own department only; qa by planning; applicants and approvers never decide
        ("alice", "POST", dec, {"json": {"finding": fps["f522"], "decision": "accept"}}, 403),
        ("bob", "POST", dec, {"json": {"finding": fps["f522"], "decision": "accept"}}, 404),
        ("plan1", "POST", dec, {"json": {"finding": fps["f522"], "decision": "accept"}}, 403),
        ("green1", "POST", dec, {"json": {"finding": fps["f522"], "decision": "reject"}}, 403),
        ("fire1", "POST", dec, {"json": {"finding": fps["far"], "decision": "accept"}}, 403),
        ("boss", "POST", dec, {"json": {"finding": fps["f522"], "decision": "accept"}}, 403),
        ("fire1", "POST", dec, {"json": {"finding": fps["qafar"], "decision": "accept"}}, 403),
        ("plan1", "POST", dec, {"json": {"finding": fps["qafar"], "decision": "reject"}}, 201),
        ("fire1", "POST", dec, {"json": {"finding": fps["f522"], "decision": "reject"}}, 201),
        ("root", "POST", dec, {"json": {"finding": fps["parking"], "decision": "accept"}}, 201),
        ("fire1", "POST", dec, {"json": {"finding": "0" * 64, "decision": "accept"}}, 404),
        ("fire1", "POST", "/api/submissions/999999/decisions", {"json": {"finding": fps["f522"], "decision": "accept"}},
         404),
        # waivers: reviewers propose, approvers (and admin) approve; applicants and reviewers do not approve
        ("alice", "POST", dec, {"json": {"finding": fps["f522"], "decision": "waive", "expires": FAR_AWAY}}, 403),
        ("boss", "POST", dec, {"json": {"finding": fps["f522"], "decision": "waive", "expires": FAR_AWAY}}, 403),
        ("fire1", "POST", dec, {"json": {"finding": fps["f522"], "decision": "waive", "expires": FAR_AWAY}}, 201),
        ("fire1", "POST", dec, {"json": {"finding": fps["f522"], "decision": "approve_waiver"}}, 403),
        ("plan1", "POST", dec, {"json": {"finding": fps["f522"], "decision": "approve_waiver"}}, 403),
        ("alice", "POST", dec, {"json": {"finding": fps["f522"], "decision": "approve_waiver"}}, 403),
        ("boss", "POST", dec, {"json": {"finding": fps["f522"], "decision": "approve_waiver"}}, 201),
        # comments: own applicant, reviewers, approvers, admin; another applicant 404
        ("alice", "POST", f"/api/submissions/{s1}/comments", {"json": {"finding": None, "text": "a"}}, 201),
        ("bob", "POST", f"/api/submissions/{s1}/comments", {"json": {"finding": None, "text": "b"}}, 404),
        ("green1", "POST", f"/api/submissions/{s1}/comments", {"json": {"finding": fps["f522"], "text": "g"}}, 201),
        ("boss", "POST", f"/api/submissions/{s1}/comments", {"json": {"finding": None, "text": "c"}}, 201),
        ("root", "POST", f"/api/submissions/{s1}/comments", {"json": {"finding": None, "text": "d"}}, 201),
        # metrics: admin only
        *[(u, "GET", "/api/metrics", {}, 403) for u in ("alice", "fire1", "boss")],
        ("root", "GET", "/api/metrics", {}, 200),
    ]
    clients = {}
    failures = []
    for user, method, path, kw, expected in rows:
        if user not in clients:
            clients[user] = (httpx.Client(base_url=server.url, headers={"Authorization": "Bearer not-a-token"})
                             if user == "bad" else server.client(user))
        r = clients[user].request(method, path, **kw)
        if r.status_code != expected:
            failures.append((user, method, path, expected, r.status_code, r.text[:200]))
        elif expected >= 400:
            one_line_error(r)
    for c in clients.values():
        c.close()
    assert failures == []
    # bob lists only his own project, reviewers see all
    with server.client("bob") as c:
        assert [p["owner"] for p in c.get("/api/projects").json()] == ["bob"]
    with server.client("green1") as c:
        assert {p["owner"] for p in c.get("/api/projects").json()} == {"alice", "bob", "root"}
