"""Make docs/workshop.png: the workshop page after three simulated years, side by side.

Starts ``crsim app`` on a free loopback port and drives Debian's chromium
headless (``apt-get install chromium``). Run from the repository root:

    python docs/screenshot.py
"""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from sim.app.serve import running_app

OUT = Path(__file__).resolve().parent / "workshop.png"
MONTHS = 36
WIDTH = 1300  # pixels of the saved image


def month(page) -> int:
    return int(re.match(r"Month (\d+)", page.locator(".crsim-month").inner_text()).group(1))


def main() -> None:
    with running_app("loyalty_lock_in") as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 2250})
        page.goto(url)
        page.wait_for_selector(".crsim-outcomes img", timeout=60_000)
        page.get_by_text("Side by side", exact=False).click()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_selector(".crsim-sides", timeout=30_000)
        page.get_by_role("button", name="▶", exact=True).click()
        deadline = time.monotonic() + 120
        while month(page) < MONTHS and time.monotonic() < deadline:
            time.sleep(0.2)
        page.get_by_role("button", name="❚❚", exact=True).click()
        step = page.get_by_role("button", name="Step", exact=True)
        step.wait_for(state="visible")
        while step.is_disabled():
            time.sleep(0.2)
        step.click()  # one more month, drawn by every panel at once
        time.sleep(3.0)
        png = page.screenshot()
        browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(OUT, optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
