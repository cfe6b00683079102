"""The workshop page: ``solara run sim.app.page`` (``crsim app`` does this for you).

The market named in ``CRSIM_APP_SCENARIO`` (a scenario file or preset; empty =
the default market) is the one shown first.
"""

from __future__ import annotations

import os

from mesa.visualization import SolaraViz

from sim import compat
from sim.app.charts import OutcomeCharts, PopulationView, TypologyChart
from sim.app.controls import LeverPanel, SessionPanel
from sim.app.labels import first_choice, policy_labels, scenario_choices
from sim.app.workshop import LeverBoard, Workshop

EXTRA = os.environ.get("CRSIM_APP_SCENARIO") or None
CUSTOMERS = int(os.environ["CRSIM_APP_CUSTOMERS"]) if os.environ.get("CRSIM_APP_CUSTOMERS") else None
#: Speed defaults: a month every PLAY_MS milliseconds, in a thread of its own, so that the months keep
#: their pace while the charts redraw as often as the machine allows (SolaraViz's "Use Threads").
PLAY_MS, RENDER_EVERY, THREADS = 50, 1, True

#: Grid places (12 columns, rows of 30 px) of the components, in the order given to SolaraViz.
LAYOUT = [
    {"i": 0, "x": 0, "y": 0, "w": 4, "h": 17},
    {"i": 1, "x": 4, "y": 0, "w": 8, "h": 17},
    {"i": 2, "x": 0, "y": 17, "w": 12, "h": 20},
    {"i": 3, "x": 0, "y": 37, "w": 6, "h": 15},
    {"i": 4, "x": 6, "y": 37, "w": 6, "h": 15},
]


def _layout(n: int) -> list[dict]:
    rest = solara_viz_default(n)[len(LAYOUT) :] if solara_viz_default is not None else []
    return [{**item, "moved": False} for item in LAYOUT[:n]] + rest


solara_viz_default = compat.set_grid_layout(_layout)  # SolaraViz's default is a 2-column grid of 300 px rows

board = LeverBoard()
choices = list(scenario_choices(EXTRA))
first = first_choice(EXTRA)

model_params = {
    "market": {"type": "Select", "value": first, "values": choices, "label": "Market (on reset)"},
    "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
    "side_by_side": {
        "type": "Checkbox",
        "value": False,
        "label": "Side by side: the same customers, first firm under another policy",
    },
    "compare_with": {
        "type": "Select",
        "value": "Permanent exit",
        "values": list(policy_labels()),
        "label": "Policy of the first firm in market B",
    },
    "board": board,
    "extra": EXTRA,
    "customers": CUSTOMERS,
}

components = [(SessionPanel, 0), (LeverPanel, 0), (OutcomeCharts, 0), (TypologyChart, 0), (PopulationView, 0)]

page = SolaraViz(
    Workshop(market=first, board=board, extra=EXTRA, customers=CUSTOMERS),
    components=components,
    model_params=model_params,
    name="Firms and their customers: a live market",
    play_interval=PLAY_MS,
    render_interval=RENDER_EVERY,
    use_threads=THREADS,
)
