"""Make docs/workshop.png: the workshop page after three simulated years, side by side, at 1920 x 1080.

Starts ``crsim app`` on a free loopback port and drives Debian's chromium
headless (``apt-get install chromium``). Run from the repository root:

    python docs/screenshot.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from sim.app.serve import running_app

OUT = Path(__file__).resolve().parent / "workshop.png"
WIDTH = 1300  # pixels of the saved image
MONTH = "document.querySelector('.crsim-month')"


def main() -> None:
    with running_app("loyalty_lock_in") as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.set_default_timeout(180_000)
        page.goto(url)
        page.wait_for_function(f"{MONTH} && {MONTH}.dataset.serial >= 1")
        page.get_by_text("Side by side: the same", exact=False).click()
        page.get_by_text("Policy of the first firm in market B").wait_for()  # the card has grown
        page.get_by_role("button", name="Reset with these settings").click()
        page.wait_for_function("document.querySelector('.crsim-screen').innerText.includes('Side by side: the same')")
        page.locator(".crsim-shock-scandal").wait_for()
        page.get_by_role("button", name="Run 3 years, then pause").click()
        page.wait_for_function(f"{MONTH}.dataset.state == 'paused' && {MONTH}.dataset.month == 36")
        png = page.screenshot()
        browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(OUT, optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
