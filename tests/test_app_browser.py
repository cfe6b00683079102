"""The workshop page in a real (headless) browser: Debian's chromium driven by Playwright.

Starts ``crsim app`` on a free loopback port, plays, pulls a lever, resets,
fires a shock and saves a screenshot. Any failed request of the page fails
the test: the page must work with no internet.
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


@pytest.fixture
def app(tmp_path):
    """``crsim app loyalty_lock_in`` on a free loopback port; yields the page's URL."""
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115
    crsim = Path(sys.executable).with_name("crsim")
    program = [str(crsim)] if crsim.exists() else [sys.executable, "-m", "sim.cli"]
    process = subprocess.Popen(
        [*program, "app", "loyalty_lock_in", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://{LOOPBACK}:{port}/"
    try:
        wait_until_up(url, process, timeout=240)
        yield url
    finally:
        stop(process, timeout=15)
        log.close()
        assert not answers(port), "a server outlived crsim app: stopping the command must stop its server"


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


def month(page) -> int:
    text = page.locator(".crsim-month").inner_text()
    return int(re.match(r"Month (\d+)", text).group(1))


def chart_src(page, card: str) -> str:
    img = page.locator(f".{card} img").first
    return img.get_attribute("src") or ""


def wait_for(predicate, timeout: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_workshop_page_plays_pulls_levers_and_fires_shocks(app, tmp_path):
    _need_browser()
    from playwright.sync_api import sync_playwright

    failures: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1400})
            page.set_default_timeout(120_000)  # a busy 2-core machine can be slow; nothing here is timed
            page.on("requestfailed", lambda r: failures.append(f"{r.url}: {r.failure}"))
            page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.url}: HTTP {r.status}"))
            page.goto(app)

            # the charts render
            page.wait_for_selector(".crsim-month", timeout=180_000)
            for card in ("crsim-outcomes", "crsim-typology", "crsim-population"):
                page.wait_for_selector(f".{card} img", timeout=120_000)
                size = page.locator(f".{card} img").first.evaluate("img => [img.naturalWidth, img.naturalHeight]")
                assert size[0] > 300 and size[1] > 150, (card, size)
            assert month(page) == 0
            before = chart_src(page, "crsim-outcomes")

            # play: the month counter and the charts move; pause
            page.get_by_role("button", name="▶", exact=True).click()
            wait_for(lambda: month(page) >= 6, what="six months to pass")
            page.get_by_role("button", name="❚❚", exact=True).click()
            wait_for(lambda: chart_src(page, "crsim-outcomes") != before, what="the outcome chart to change")

            # pull a lever (contract term of the lock-in firm to 0) and reset
            levers = page.locator(".crsim-levers")
            assert "Contract term (months): 24" in levers.inner_text()
            slider = levers.locator(".v-slider").first
            box = slider.bounding_box()
            slider.click(position={"x": 2, "y": box["height"] / 2})
            page.wait_for_selector(".crsim-pending", timeout=120_000)
            assert "Contract term (months): 0" in levers.inner_text()
            page.get_by_role("button", name="Reset", exact=True).click()
            wait_for(lambda: month(page) == 0, what="the reset")
            wait_for(lambda: page.locator(".crsim-pending").count() == 0, what="the lever to take effect")
            assert "Contract term (months): 0" in levers.inner_text()

            # a shock takes effect in the running market
            page.get_by_role("button", name="Scandal", exact=True).click()
            page.wait_for_selector(".crsim-last-shock", timeout=120_000)
            assert "scandal at Loyalty lock-in, from month 1" in page.locator(".crsim-last-shock").inner_text()
            page.get_by_role("button", name="Step", exact=True).click()
            wait_for(lambda: month(page) >= 1, what="a step")

            page.screenshot(path=tmp_path / "workshop.png", full_page=True)
            assert (tmp_path / "workshop.png").stat().st_size > 10_000
        except Exception as err:
            log = (tmp_path / "server.log").read_text()[-3000:]
            raise AssertionError(f"{err}\n--- app server log (end) ---\n{log}") from err
        finally:
            browser.close()
    assert not failures, "requests of the page failed (offline?):\n" + "\n".join(failures)
