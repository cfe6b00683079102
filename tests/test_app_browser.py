"""The workshop page in a real (headless) browser: Debian's chromium driven by Playwright, on a loaded machine.

One ``crsim app`` server serves every test; each test opens its own browser
contexts, which are separate sessions, as separate facilitators' tabs are. A CPU
burner runs beside the tests, so they hold on a busy machine; every wait is on the
page's own state (the month and play state the page stamps on its elements), never
on a rate. Any failed request fails the test: the page must work with no internet.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.app.serve import LOOPBACK, free_port, stop, wait_until_up

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
WAIT_MS = 120_000  # generous: a busy 2-core machine can be slow; nothing here is timed
MONTH = "document.querySelector('.crsim-month')"


def _need_browser():
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "Python playwright is not installed (pip install -e '.[test]')"
    if problem is None and not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def burner():
    """A process spinning on a core beside the tests, so their timing holds on a loaded machine."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield process
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def app(tmp_path_factory, burner):
    """``crsim app loyalty_lock_in`` on a free loopback port; yields (url, server log, presets folder)."""
    _need_browser()
    tmp = tmp_path_factory.mktemp("app")
    port = free_port()
    log_path = tmp / "server.log"
    log = open(log_path, "w")  # noqa: SIM115
    crsim = Path(sys.executable).with_name("crsim")
    program = [str(crsim)] if crsim.exists() else [sys.executable, "-m", "sim.cli"]
    env = {**os.environ, "CRSIM_APP_PRESETS": str(tmp / "presets"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*program, "app", "loyalty_lock_in", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    url = f"http://{LOOPBACK}:{port}/"
    try:
        wait_until_up(url, process, timeout=240)
        yield url, log_path, tmp / "presets"
    finally:
        stop(process, timeout=15)
        log.close()
        assert not answers(port), "a server outlived crsim app: stopping the command must stop its server"


@pytest.fixture(scope="module")
def browser(app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def answers(port: int, grace: float = 10.0) -> bool:
    """Whether something still accepts connections on ``port`` after a grace period."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            socket.create_connection((LOOPBACK, port), timeout=1).close()
        except OSError:
            return False
        time.sleep(0.5)
    return True


def closing(request) -> bool:
    """The close signal a page sends as it unloads (a reload aborts it, as it should)."""
    return "/_solara/api/close/" in request.url and "ERR_ABORTED" in (request.failure or "")


class Tab:
    """One facilitator's tab: a browser context of its own (its own cookies, so its own session)."""

    def __init__(self, browser, url: str, width: int = 1920, height: int = 1080):
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.page.on(
            "requestfailed", lambda r: self.failures.append(f"{r.url}: {r.failure}") if not closing(r) else None
        )
        self.page.on("response", lambda r: r.status >= 400 and self.failures.append(f"{r.url}: HTTP {r.status}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_selector(".crsim-month", timeout=240_000)
        self.wait_laid_out()

    def wait_laid_out(self) -> None:
        """Wait until the page is drawn for this window's size (it reports the size and draws anew)."""
        self.wait(
            "document.querySelector('.crsim-screen').dataset.window == window.innerWidth + 'x' + window.innerHeight"
        )

    def wait(self, js: str) -> None:
        self.page.wait_for_function(js, timeout=WAIT_MS)

    def month(self) -> int:
        return int(self.page.evaluate(f"{MONTH}.dataset.month"))

    def state(self) -> str:
        return self.page.evaluate(f"{MONTH}.dataset.state")

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def play_until(self, month: int) -> None:
        self.click("▶ Play")
        self.wait(f"{MONTH}.dataset.month >= {month}")

    def pause(self) -> tuple[int, int]:
        """Press pause; the month on screen when pressed and the month the market stopped at."""
        shown = self.month()
        self.click("❚❚ Pause")
        self.wait(f"{MONTH}.dataset.state == 'paused'")
        return shown, self.month()

    def panels(self) -> dict[str, str]:
        """The month every panel shows, read in one go."""
        return self.page.evaluate(
            """() => ({counter: document.querySelector('.crsim-month').dataset.month,
                       chart: document.querySelector('.crsim-img-outcomes').dataset.month,
                       customers: document.querySelector('.crsim-img-population').dataset.month,
                       readouts: document.querySelector('.crsim-readouts table').dataset.month})"""
        )

    def lever_to_minimum(self, index: int = 0) -> None:
        """Click the left end of a lever's slider (the first lever is the contract term)."""
        track = self.page.locator(".crsim-levers .v-slider__track-container").nth(index)
        track.scroll_into_view_if_needed()
        box = track.bounding_box()
        self.page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def close(self) -> None:
        self.context.close()
        assert not self.failures, "requests of the page failed (offline?):\n" + "\n".join(self.failures)
        assert not self.errors, "errors on the page:\n" + "\n".join(self.errors)


def _log(app) -> str:
    return Path(app[1]).read_text()[-3000:]


@pytest.fixture
def tab(app, browser):
    tabs = []

    def open_tab(width: int = 1920, height: int = 1080) -> Tab:
        tabs.append(Tab(browser, app[0], width, height))
        return tabs[-1]

    try:
        yield open_tab
    finally:
        print(f"--- app server log (end) ---\n{_log(app)}")  # shown when a test fails
        for t in tabs:
            t.close()


def test_play_pause_play_step_and_every_panel_shows_the_same_month(tab, app):
    t = tab()
    assert t.page.title() == "Firms and their customers: a live market"
    text = t.text()
    for internal in ("PAGE 0", "Render Interval", "Use Threads", "Step:", "Play Interval"):
        assert internal not in text
    assert t.month() == 0 and t.state() == "paused"
    for round_ in range(3):  # ▶ ❚❚ ▶ ❚❚ ...: resuming after a pause works every time
        start = t.month()
        t.click("▶ Play")
        for _ in range(4):  # while playing, all panels agree at every moment we look
            t.wait(f"{MONTH}.dataset.month > {t.month()}")
            panels = t.panels()
            assert len(set(panels.values())) == 1, panels
        shown, stopped = t.pause()
        per_frame = int(t.page.evaluate(f"{MONTH}.dataset.perFrame"))
        # within a frame of the screen, plus the frame that may be drawn while the click travels to the server
        assert stopped - shown <= 2 * per_frame, (round_, shown, stopped, per_frame)
        assert stopped > start
        assert len(set(t.panels().values())) == 1
    m = t.month()
    for _ in range(3):  # rapid Step clicks: none is lost
        t.click("Step one month")
    t.wait(f"{MONTH}.dataset.month == {m + 3}")
    t.click("Reset")
    t.wait(f"{MONTH}.dataset.month == 0")


def test_two_facilitators_have_markets_of_their_own(tab):
    a, b = tab(), tab()
    a.play_until(6)
    b.lever_to_minimum()  # contract term -> 0
    b.wait("document.querySelector('.crsim-eventlog').innerText.includes('contract term (months) 24 → 0')")
    b.play_until(3)
    a.pause()
    b.pause()
    assert "Contract term (months): 24" in a.page.locator(".crsim-levers").inner_text()
    assert "Contract term (months): 0" in b.page.locator(".crsim-levers").inner_text()
    assert "No shocks or lever changes yet." in a.page.locator(".crsim-eventlog").inner_text()
    a.click("Reset")
    a.wait(f"{MONTH}.dataset.month == 0")
    assert b.month() > 0 and "contract term (months) 24 → 0" in b.page.locator(".crsim-eventlog").inner_text()
    b.click("Reset")  # Reset returns the scenario's levers
    b.wait("document.querySelector('.crsim-levers').innerText.includes('Contract term (months): 24')")
    for t in (a, b):
        assert "error" not in t.text().lower()


def test_a_closed_tab_stops_its_market_at_once(tab, app):
    t = tab()
    before = _log(app).count("a session ended")
    t.play_until(2)
    t.page.close()
    deadline = time.monotonic() + 60
    while _log(app).count("a session ended") == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _log(app).count("a session ended") == before + 1, "the closed tab's market was not stopped"


def test_a_reloaded_tab_starts_clean(tab):
    t = tab()
    t.play_until(3)
    t.pause()
    t.page.reload()
    t.page.wait_for_selector(".crsim-month")
    t.wait(f"{MONTH}.dataset.serial >= 1")
    t.wait_laid_out()
    assert t.month() == 0 and t.state() == "paused"


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_charts_come_first_fit_the_screen_and_nothing_overlaps(tab, size):
    t = tab(*size)
    boxes = t.page.evaluate(
        """() => [...document.querySelectorAll('.v-card, .crsim-chart img')].map(e => {
               const r = e.getBoundingClientRect();
               return {name: e.className, x: r.x, y: r.y, w: r.width, h: r.height,
                       nw: e.naturalWidth || 0, nh: e.naturalHeight || 0};
           })"""
    )
    ratio = t.page.evaluate("window.devicePixelRatio")
    main = next(b for b in boxes if "crsim-img-outcomes" in b["name"])
    assert main["y"] >= 0 and main["y"] + main["h"] <= size[1], main  # the whole main chart on the first screen
    assert main["x"] + main["w"] <= size[0], main
    for img in (b for b in boxes if b["nw"]):  # drawn at the size shown: no stretching, no blur
        assert (img["nw"], img["nh"]) == (round(img["w"] * ratio), round(img["h"] * ratio)), img
    for i, p in enumerate(boxes):
        for q in boxes[i + 1 :]:
            overlap_x = min(p["x"] + p["w"], q["x"] + q["w"]) - max(p["x"], q["x"])
            overlap_y = min(p["y"] + p["h"], q["y"] + q["h"]) - max(p["y"], q["y"])
            assert overlap_x <= 1 or overlap_y <= 1, (p, q)
    t.click("Projector view")
    t.page.wait_for_selector(".crsim-controls", state="detached")
    t.wait(f"document.querySelector('.crsim-img-outcomes').width > {main['w'] + 100}")


def test_live_lever_and_shock_are_marked_on_the_charts_and_logged(tab, app):
    t = tab()
    t.play_until(2)
    t.lever_to_minimum()  # contract term -> 0
    t.wait("document.querySelector('.crsim-img-outcomes').dataset.events == '1'")
    t.click("Scandal")
    t.wait("document.querySelector('.crsim-img-outcomes').dataset.events == '2'")
    t.pause()
    log = t.page.locator(".crsim-eventlog").inner_text()
    assert re.search(r"E1 month \d+ .*Loyalty lock-in: contract term \(months\) 24 → 0", log), log
    assert re.search(r"E2 month \d+ .*Scandal at Loyalty lock-in", log), log
    assert t.state() == "paused" and t.month() > 2  # the market went on playing through both


def test_facilitator_runs_years_exports_and_saves_a_scenario(tab, app):
    t = tab()
    t.click("Run 3 years, then pause")
    t.wait(f"{MONTH}.dataset.state == 'paused' && {MONTH}.dataset.month == 36")
    with t.page.expect_download() as download:
        t.page.get_by_text("Data (CSV)").click()
    csv = Path(download.value.path()).read_text()
    assert csv.splitlines()[0].startswith("market,firm,month,year,trust") and len(csv.splitlines()) == 1 + 37 * 4
    with t.page.expect_download() as download:
        t.page.get_by_text("Charts (PNG)").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"\x89PNG"
    t.page.get_by_label("Scenario name").fill("room_one")
    t.click("Save levers as a scenario")
    t.page.wait_for_selector(".crsim-saved")
    from sim.scenario import load_scenario

    assert load_scenario(app[2] / "room_one.toml").firms[0].policy == "loyalty_lock_in"


VERDICT = "document.querySelector('.crsim-verdict')"


def test_the_verdict_panel_says_whether_the_chosen_claim_holds_in_this_market(tab):
    from playwright.sync_api import expect

    from sim.app.workshop import Settings, Workshop
    from sim.claims import CLAIMS, verdict

    t = tab()
    t.wait(f"{VERDICT}.dataset.claim == 'exit_option_trust'")  # the lock-in market's claim, though it lacks a rival
    assert "tick side by side with Permanent exit" in t.page.locator(".crsim-verdict").inner_text()
    t.page.get_by_text("Side by side: the same customers").click()  # as the panel says
    # the server has taken the tick (and the Reset button its new settings) once it shows market B's policy
    expect(t.page.get_by_text("Policy of the first firm in market B")).to_be_visible(timeout=WAIT_MS)
    t.click("Reset with these settings")
    t.wait(f"{VERDICT}.dataset.state == 'not yet' && {MONTH}.dataset.month == 0")
    claim = CLAIMS["lock_in_short_run_profit"]
    t.page.locator(".crsim-claim .v-select__slot").click()
    t.page.get_by_role("option", name=claim.title, exact=True).click()
    t.wait(f"{VERDICT}.dataset.claim == '{claim.name}'")
    assert "(up to month 24)" in t.page.locator(".crsim-verdict-text").inner_text()
    t.click("Run 3 years, then pause")
    t.wait(f"{MONTH}.dataset.state == 'paused' && {MONTH}.dataset.month == 36 && {VERDICT}.dataset.month == 36")
    shown = t.page.locator(".crsim-verdict-text").inner_text()
    state = t.page.evaluate(f"{VERDICT}.dataset.state")
    same = Workshop(
        Settings("Loyalty lock-in vs. three rivals", 0, True, "Permanent exit", 10.0, None, "loyalty_lock_in")
    )
    for _ in range(36):
        same.step()
    expected = verdict([s.model for s in same.sides], claim.name)  # the same market, run in this process
    assert shown == expected and state in ("holds", "fails") and f'" {state}: ' in shown
    assert t.page.locator(".crsim-verdict-state").inner_text() == state.capitalize()
