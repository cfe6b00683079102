"""How the workshop page performs in a real browser: speed, response and the server's memory.

Starts the page's server (2,000 customers, four firms: a preset market) on a free
loopback port and drives it with headless chromium. Not a test; it prints tables:

* months per second shown at the highest speed, one market and side by side;
* time from pressing ▶ to the first new month on screen, and from ❚❚ to the page
  showing it paused (with how many months the market went on after the click);
* the server's resident memory over a long play, and after the tab is closed.

    python benchmarks/app_speed.py                      # 20 s per speed run, 10-minute memory play
    python benchmarks/app_speed.py --seconds 30 --minutes 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.app.serve import LOOPBACK, command, environment, free_port, stop, wait_until_up

ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"]
MONTH = "document.querySelector('.crsim-month')"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def month(page) -> int:
    return int(page.evaluate(f"{MONTH}.dataset.month"))


def open_page(browser, url: str, side_by_side: bool = False):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.set_default_timeout(180_000)
    page.goto(url)
    page.wait_for_function(f"{MONTH} && {MONTH}.dataset.serial >= 1", timeout=180_000)
    if side_by_side:
        page.get_by_text("Side by side: the same", exact=False).click()
        page.get_by_text("Policy of the first firm in market B").wait_for()  # the card has grown
        page.get_by_role("button", name="Reset with these settings").click()
        page.wait_for_function("document.querySelector('.crsim-screen').innerText.includes('Side by side: the same')")
    page.get_by_role("combobox").first  # noqa: B018  (the page is ready)
    return page


def set_speed(page, speed: str) -> None:
    page.locator(".crsim-bar .v-select").first.click()
    page.get_by_role("option", name=speed, exact=True).click()


def speed_run(browser, url: str, seconds: float, side_by_side: bool) -> tuple[int, float, float]:
    page = open_page(browser, url, side_by_side)
    set_speed(page, "48")
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function(f"{MONTH}.dataset.month >= 12")
    m0, t0, frames0 = month(page), time.monotonic(), int(page.evaluate(f"{MONTH}.dataset.serial"))
    time.sleep(seconds)
    m1, t1, frames1 = month(page), time.monotonic(), int(page.evaluate(f"{MONTH}.dataset.serial"))
    page.get_by_role("button", name="❚❚ Pause").click()
    page.close()
    return m1 - m0, (m1 - m0) / (t1 - t0), (frames1 - frames0) / (t1 - t0)


def response(browser, url: str, rounds: int) -> tuple[list[float], list[float], list[int]]:
    page = open_page(browser, url)
    to_first, to_pause, overshoot = [], [], []
    for _ in range(rounds):
        m = month(page)
        t = time.monotonic()
        page.get_by_role("button", name="▶ Play").click()
        page.wait_for_function(f"{MONTH}.dataset.month > {m}", polling=10)
        to_first.append(time.monotonic() - t)
        page.wait_for_function(f"{MONTH}.dataset.month >= {m + 4}")
        shown = month(page)
        t = time.monotonic()
        page.get_by_role("button", name="❚❚ Pause").click()
        page.wait_for_function(f"{MONTH}.dataset.state == 'paused'", polling=10)
        to_pause.append(time.monotonic() - t)
        overshoot.append(month(page) - shown)
    page.close()
    return to_first, to_pause, overshoot


def memory(browser, url: str, pid: int, minutes: float, log: Path) -> list[tuple[str, float]]:
    page = open_page(browser, url)
    rows = [("page open, month 0", rss_mb(pid))]
    page.get_by_role("button", name="▶ Play").click()
    start = time.monotonic()
    while time.monotonic() - start < minutes * 60:
        time.sleep(min(60.0, minutes * 60 / 5))
        rows.append((f"playing {(time.monotonic() - start) / 60:.1f} min, month {month(page)}", rss_mb(pid)))
        if page.evaluate(f"{MONTH}.dataset.state") == "paused":  # reached the horizon: play on from the start
            page.get_by_role("button", name="Reset", exact=True).click()
            page.wait_for_function(f"{MONTH}.dataset.month == 0")
            page.get_by_role("button", name="▶ Play").click()
    ended = log.read_text().count("a session ended")
    page.close()
    deadline = time.monotonic() + 60
    while log.read_text().count("a session ended") == ended and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(5)
    rows.append(("tab closed (+5 s)", rss_mb(pid)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="loyalty_lock_in")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each speed run")
    ap.add_argument("--rounds", type=int, default=5, help="play/pause rounds for the response times")
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the memory play")
    args = ap.parse_args()
    port = free_port()
    url = f"http://{LOOPBACK}:{port}/"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"crsim_app_speed_{port}.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            command(port), env={**environment(args.scenario), "PYTHONUNBUFFERED": "1"}, stdout=out, stderr=out
        )
        try:
            wait_until_up(url, server)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
                print(f"{'mode':<14} {'months':>7} {'months/s':>9} {'frames/s':>9}", flush=True)
                for side_by_side in (False, True):
                    months, rate, fps = speed_run(browser, url, args.seconds, side_by_side)
                    mode = "side by side" if side_by_side else "one market"
                    print(f"{mode:<14} {months:>7} {rate:>9.1f} {fps:>9.1f}", flush=True)
                first, pause, over = response(browser, url, args.rounds)
                print(
                    f"▶ to first month: median {statistics.median(first):.2f} s (max {max(first):.2f}); "
                    f"❚❚ to paused: median {statistics.median(pause):.2f} s (max {max(pause):.2f}); "
                    f"months played after ❚❚ was pressed: {over}",
                    flush=True,
                )
                print(f"{'server memory':<40} {'RSS MB':>7}", flush=True)
                for label, mb in memory(browser, url, server.pid, args.minutes, log):
                    print(f"{label:<40} {mb:>7.0f}", flush=True)
                print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)
                browser.close()
        finally:
            stop(server)


if __name__ == "__main__":
    sys.exit(main())
