"""Where things go on the page, in CSS pixels, from the size of the browser window.

Charts are drawn at exactly the size they are shown (no stretching, no blur), so
the page asks the browser for its window size and lays out from it: a bar at the
top with the month and the play controls, the facilitator's controls on the left
(hidden in the projector view), and the charts filling the rest of the first
screen. Text on the charts is at least :data:`MIN_FONT_PX` pixels on a 1080p
screen (readable from the back of a room; cf. Tufte 2001 on projected figures).
"""

from __future__ import annotations

from dataclasses import dataclass

BAR = 72  # height of the top bar (title, play controls)
MONTH_LINE = 40  # the month line above the charts
GAP = 12
MIN_FONT_PX = 16
WIDE = 1600  # from this width on, the read-outs sit beside the main chart, not below it


@dataclass(frozen=True)
class Layout:
    """Pixel sizes of the page's parts for a window of ``width`` x ``height``."""

    width: int
    height: int
    controls: int  # width of the left column (0 in the projector view)
    main: tuple[int, int]  # the outcome charts (width, height)
    side: int  # width of the read-outs column beside the main chart (0 = read-outs below it)
    lower: tuple[int, int]  # each of the two charts below the main one (width, height)
    font: int  # chart text size in px

    @property
    def readouts_beside(self) -> bool:
        return self.side > 0


def layout(width: int, height: int, projector: bool = False) -> Layout:
    """The page's layout for a window size; the main chart always fits the first screen below the top bar."""
    width, height = max(int(width), 800), max(int(height), 500)
    controls = 0 if projector else (360 if width >= WIDE else 310)
    free = width - controls - 3 * GAP
    side = (440 if width >= 1900 else 360) if width >= WIDE else 0
    main_w = free - (side + GAP if side else 0)
    main_h = height - BAR - MONTH_LINE - 3 * GAP - 6
    font = MIN_FONT_PX if height <= 1100 else round(MIN_FONT_PX * height / 1080)
    lower_h = min(round(0.62 * main_h), 560)
    lower = (min(free, 2 * lower_h + 17 * font), lower_h)  # room for two square markets and the legend
    return Layout(width, height, controls, (main_w, main_h), side, lower, font)
