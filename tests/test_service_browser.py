"""The review service's pages in headless Chromium (Debian's chromium + chromium-driver, selenium).

A fire reviewer logs in, accepts the fire finding and sees it decided in the
notice; the applicant logs in, comments, uploads round 2 through the page and
reads the diff; the admin reads the metrics. Every page visited is saved
under ``out/service/`` (1400 px wide, whole page). Skipped with one line
where the browser, its driver or selenium is absent.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import browser as chromium  # tests/browser.py: the project's headless Chromium set-up
from service_http_common import far_corrected
from service_server import ROOT, make_server, seed

why = chromium.unavailable()
pytestmark = pytest.mark.skipif(why is not None, reason=why or "")
OUT = ROOT / "out" / "service"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = make_server(tmp_path_factory.mktemp("browser"))
    try:
        yield server, *seed(server, "某住宅地块")
    finally:
        server.stop()


@pytest.fixture()
def b():
    session = chromium.Browser()
    session.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": chromium.SCREEN_WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield session
    finally:
        session.close()


def go(b, server, path: str, shot: str | None = None):
    from selenium.webdriver.common.by import By

    b.driver.get(server.url + path)
    if shot:
        b.screenshot(OUT / f"{shot}.png")
        b.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                 {"width": chromium.SCREEN_WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    return b.driver.find_element(By.TAG_NAME, "body")


def log_in(b, server, user: str, password: str | None = None, shot: str | None = None) -> None:
    from selenium.webdriver.common.by import By

    go(b, server, "/login")
    b.driver.find_element(By.NAME, "name").send_keys(user)
    b.driver.find_element(By.NAME, "password").send_keys(password or f"pw-{user}")
    if shot:
        b.screenshot(OUT / f"{shot}.png")
    b.driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait_for(b, lambda d: "failed=1" in d.current_url or "/login" not in d.current_url)


def wait_for(b, condition, seconds: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(b.driver, seconds, poll_frequency=0.1).until(condition)


def click_and_wait(b, element) -> None:
    """Click a form's button and wait until the next page has replaced this one."""
    element.click()
    wait_for(b, lambda d: _stale(element))


def _stale(element) -> bool:
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
        return False
    except WebDriverException:  # stale, or "does not belong to the document": the page was replaced
        return True


def finding_block(b, fid: str):
    from selenium.webdriver.common.by import By

    return b.driver.find_element(By.CSS_SELECTOR, f"div.finding[data-finding='{fid}']")


def notice_line(b, rule: str, fid: str) -> str:
    from selenium.webdriver.common.by import By

    lines = [li.text for li in b.driver.find_elements(By.CSS_SELECTOR, "li.item li") if f"{rule}，{fid}" in li.text]
    assert len(lines) == 1, lines
    return lines[0]


def test_wrong_password_shows_the_failure(site, b):
    server, *_ = site
    from selenium.webdriver.common.by import By

    log_in(b, server, "fire1", "not-the-password")
    assert b.driver.find_element(By.ID, "login-failed").is_displayed()
    assert b.driver.current_url.startswith(server.url + "/login")
    b.screenshot(OUT / "login-failed.png")


def test_fire_reviewer_decides_and_sees_it_in_the_notice(site, b):
    from selenium.webdriver.common.by import By

    server, pid, sid, report = site
    fire = next(f for f in report["findings"] if f["department"] == "fire" and f["severity"] == "error")
    planning = [f["id"] for f in report["findings"] if f["department"] == "planning"]
    log_in(b, server, "fire1", shot="login")
    go(b, server, "/", "projects-fire1")
    go(b, server, f"/submissions/{sid}/notice")
    assert "待审查确认" in notice_line(b, fire["rule"], fire["id"])  # open before the decision
    go(b, server, f"/submissions/{sid}", "submission-before-decision")
    for fid in planning:  # another department's findings: no decide buttons for fire
        assert not finding_block(b, fid).find_elements(By.CSS_SELECTOR, "button[name=accept]")
    click_and_wait(b, finding_block(b, fire["id"]).find_element(By.CSS_SELECTOR, "button[name=accept]"))
    assert finding_block(b, fire["id"]).get_attribute("data-state") == "accepted"
    b.screenshot(OUT / "submission-after-decision.png")
    go(b, server, f"/submissions/{sid}/notice", "notice")
    line = notice_line(b, fire["rule"], fire["id"])
    assert "待审查确认" not in line and "消防" in line  # still required of the applicant, now confirmed by fire
    with server.client("root") as api:
        assert api.get(f"/api/submissions/{sid}/decisions").json()[fire["fingerprint"]]["reviewer"] == "fire1"


def test_applicant_comments_uploads_round_two_and_reads_the_diff(site, b, tmp_path):
    from selenium.webdriver.common.by import By

    server, pid, sid, report = site
    log_in(b, server, "alice")
    go(b, server, f"/submissions/{sid}")
    target = report["findings"][0]
    block = finding_block(b, target["id"])
    block.find_element(By.CSS_SELECTOR, "textarea[name=text]").send_keys("2# 东移 3 m <b>下一轮</b>")
    click_and_wait(b, block.find_element(By.CSS_SELECTOR, "form.comment-form button"))
    texts = [c.text for c in finding_block(b, target["id"]).find_elements(By.CSS_SELECTOR, ".comment")]
    assert any("2# 东移 3 m <b>下一轮</b>" in t for t in texts), texts  # shown as text, not markup
    round2 = far_corrected(tmp_path / "round2")
    go(b, server, f"/projects/{pid}", "project")
    b.driver.find_element(By.CSS_SELECTOR, "input[type=file][name=files]").send_keys(
        "\n".join(str(p) for p in (round2 / "site.dxf", round2 / "drawcheck.toml")))
    click_and_wait(b, b.driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))
    deadline = time.monotonic() + 120
    while True:  # the page reloads itself every 2 s while the check is queued or running
        assert time.monotonic() < deadline, "round 2 not checked within 120 s"
        try:
            if b.driver.find_element(By.ID, "status").text not in ("queued", "running"):
                break
        except Exception:  # noqa: BLE001  (caught between two reloads)
            pass
        time.sleep(0.5)
    assert b.driver.find_element(By.ID, "status").text == "done"
    new_sid = int(re.search(r"/submissions/(\d+)", b.driver.current_url).group(1))
    b.screenshot(OUT / "submission-round2.png")
    body = go(b, server, f"/submissions/{new_sid}/diff", "diff")
    with server.client("alice") as api:
        summary = api.get(f"/api/submissions/{new_sid}/diff").json()["summary"]
    assert summary["fixed"] >= 1  # the corrected FAR declaration
    text = body.text
    assert f"fixed {summary['fixed']}" in text and f"new {summary['new']}" in text, text[:400]


def test_admin_reads_the_metrics(site, b):
    from selenium.webdriver.common.by import By

    server, *_ = site
    log_in(b, server, "root")
    go(b, server, "/metrics", "metrics")
    with server.client("root") as api:
        m = api.get("/api/metrics").json()
    rows = {r.find_element(By.TAG_NAME, "th").text: r.find_element(By.TAG_NAME, "td").text
            for r in b.driver.find_elements(By.CSS_SELECTOR, "#summary tr")}
    assert rows["项目 Projects"] == str(m["projects"])
    assert rows["退回一次的项目 Returned once"] == str(m["returned_once"])
    assert rows["退回两次及以上 Returned twice or more"] == str(m["returned_twice_or_more"])
