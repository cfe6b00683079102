"""How fast the workshop page advances in a real browser: simulated months per second.

Starts ``crsim app`` (2,000 customers, 4 firms: a preset market) on a free loopback
port, opens it in headless chromium, presses play and reads the page's month
counter over a while. Not a test; it prints a table.

    python benchmarks/app_speed.py                 # the lock-in preset, one market and side by side
    python benchmarks/app_speed.py --seconds 30
"""

from __future__ import annotations

import argparse
import re
import time

from playwright.sync_api import sync_playwright

from sim.app.serve import running_app

ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"]


def month(page) -> int:
    return int(re.match(r"Month (\d+)", page.locator(".crsim-month").inner_text()).group(1))


def measure(url: str, seconds: float, side_by_side: bool) -> tuple[int, float, float]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1400})
        page.goto(url)
        page.wait_for_selector(".crsim-outcomes img", timeout=60_000)
        if side_by_side:
            page.get_by_text("Side by side", exact=False).click()
            page.get_by_role("button", name="Reset", exact=True).click()
            page.wait_for_selector(".crsim-sides", timeout=30_000)
        page.get_by_role("button", name="▶", exact=True).click()
        time.sleep(2.0)  # warm-up
        chart = page.locator(".crsim-outcomes img").first
        m0, t0 = month(page), time.monotonic()
        last, redraws = chart.get_attribute("src"), 0
        while time.monotonic() - t0 < seconds:
            src = chart.get_attribute("src")
            redraws += src != last
            last = src
            time.sleep(0.05)
        m1, t1 = month(page), time.monotonic()
        page.get_by_role("button", name="❚❚", exact=True).click()
        browser.close()
    return m1 - m0, (m1 - m0) / (t1 - t0), redraws / (t1 - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="loyalty_lock_in")
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    print(f"{'mode':<14} {'months':>7} {'months/s':>9} {'chart redraws/s':>16}")
    with running_app(args.scenario) as url:
        for side_by_side in (False, True):
            months, rate, redraws = measure(url, args.seconds, side_by_side)
            mode = "side by side" if side_by_side else "one market"
            print(f"{mode:<14} {months:>7} {rate:>9.1f} {redraws:>16.1f}", flush=True)


if __name__ == "__main__":
    main()
