"""Colours shared by the workshop page and the report's figures, defined once.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct
for readers with any common form of colour blindness.
"""

from __future__ import annotations

from typing import Any

#: Okabe-Ito palette, in the order firms get their colours.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")
NO_FIRM_COLOUR = "#BBBBBB"

#: One colour per relationship type (Okabe-Ito).
TYPE_COLOURS = {
    "devoted": "#009E73",
    "routine": "#56B4E9",
    "open": "#F0E442",
    "trapped": "#D55E00",
    "estranged": "#000000",
}


def firm_colour(index: int) -> str:
    """The colour of the firm in position ``index`` (cycling through the palette)."""
    return OKABE_ITO[index % len(OKABE_ITO)]


#: How the markets shown side by side are told apart beyond colour: line style and marker (Tufte 2001:
#: redundant encoding), so market B's lines read differently in greyscale and on a washed-out projector.
MARKET_STYLES = ({"ls": "-", "marker": "o"}, {"ls": "--", "marker": "s"})
#: Shock and lever-change lines on charts.
SHOCK_COLOUR, LEVER_COLOUR = "#D55E00", "#0072B2"


def market_style(side: int) -> dict[str, Any]:
    """Line style and marker of market ``side`` (0 = A, 1 = B)."""
    return dict(MARKET_STYLES[side % len(MARKET_STYLES)])
