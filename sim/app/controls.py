"""The facilitator's controls: month counter, shock buttons and per-firm levers.

Play, pause, step, reset, speed, market, seed and side-by-side mode are
SolaraViz's own controls in the sidebar (see ``sim.app.page``); these
components sit beside the charts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization.utils import force_update, update_counter

from sim.app.labels import LEVERS, SHOCKS
from sim.app.workshop import Workshop

CSS = """
.v-application, .v-application .v-label, .v-application .v-btn { font-size: 18px !important; }
.v-application .v-card__title { font-size: 22px !important; }
.v-slider__thumb-label, .v-input input, .v-select__selection { font-size: 18px !important; }
.crsim-month { font-size: 30px; font-weight: 700; margin: 4px 0 12px 0; }
.crsim-caption { font-size: 15px; color: #444; display: block; margin: 2px 0 10px 0; }
.crsim-pending { font-size: 16px; color: #D55E00; font-weight: 600; }
.v-card img { max-width: 100%; height: auto; }
.crsim-outcomes img { width: 100%; }
"""


HOW_TO = (
    "▶ plays, ❚❚ pauses, Step moves on one month. Reset starts again with the market, seed, "
    "side-by-side choice and levers set on the page; shocks hit the running market at once. "
    "A lower play interval plays faster. The seed picks the customers: same seed, same customers."
)


def describe_month(month: int) -> str:
    """'Month 14 (year 1.2)'."""
    return f"Month {month} (year {month / 12:.1f})"


@solara.component
def SessionPanel(model: Workshop):
    """Where the market stands, and shocks that hit it at once."""
    update_counter.get()
    target, set_target = solara.use_state(0)
    names = model.firm_names
    target = min(target, len(names) - 1)
    solara.Style(CSS)
    with solara.Card("Events", classes=["crsim-session"]):
        solara.Text(describe_month(model.month), classes=["crsim-month"])
        solara.Select(
            "Firm hit by a scandal / starting a price war",
            value=names[target],
            values=names,
            on_value=lambda name: set_target(names.index(name)),
        )

        def fire(kind: str) -> None:
            model.fire(kind, target)
            force_update()

        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            for kind, (label, text) in SHOCKS.items():
                with solara.Tooltip(text):
                    solara.Button(
                        label, color="warning", on_click=lambda kind=kind: fire(kind), classes=[f"crsim-shock-{kind}"]
                    )
        for _, (label, text) in SHOCKS.items():
            solara.Text(f"{label}: {text}", classes=["crsim-caption"])
        solara.Text(HOW_TO, classes=["crsim-caption"])
        if model.shocks_fired:
            month, kind, firm = model.shocks_fired[-1]
            solara.Text(
                f"Last event: {SHOCKS[kind][0].lower()}{' at ' + firm if firm else ''}, from month {month}",
                classes=["crsim-caption", "crsim-last-shock"],
            )


def current_value(model: Workshop, firm: int, lever: str) -> float:
    """The value a lever will have after the next reset (pending change, else the running value)."""
    name = model.firm_names[firm]
    pending = model.board.get(model.market_choice, name) if model.board else {}
    return pending.get(lever, getattr(model.sides[0].model.firms[firm].levers, lever))


@solara.component
def LeverPanel(model: Workshop):
    """Per-firm levers; changes wait for the next reset (so this panel need not redraw as months pass)."""
    chosen, set_chosen = solara.use_state(0)
    revision, set_revision = solara.use_state(0)  # re-render after a change
    names = model.firm_names
    chosen = min(chosen, len(names) - 1)
    board = model.board
    with solara.Card("Levers of a firm", classes=["crsim-levers"]):
        solara.Select("Firm", value=names[chosen], values=names, on_value=lambda n: set_chosen(names.index(n)))
        if board is None:
            solara.Text("Levers are fixed in this view.", classes=["crsim-caption"])
            return
        running = model.sides[0].model.firms[chosen].levers
        pending = {k: v for k, v in board.get(model.market_choice, names[chosen]).items() if getattr(running, k) != v}

        def change(lever: str, value: float) -> None:
            board.set(model.market_choice, names[chosen], lever, value)
            set_revision(revision + 1)

        for lever, (label, text, lo, hi, step) in LEVERS.items():
            value = current_value(model, chosen, lever)
            slider: Callable[..., Any] = solara.SliderInt if isinstance(step, int) else solara.SliderFloat
            with solara.Tooltip(text):
                slider(
                    f"{label}: {value:g}",
                    value=value,
                    min=lo,
                    max=max(hi, value),
                    step=step,
                    thumb_label=True,
                    on_value=lambda v, lever=lever: change(lever, v),
                )
            solara.Text(text, classes=["crsim-caption"])
        if pending:
            solara.Text(
                f"Changed for {names[chosen]}: press Reset to start again with these levers.", classes=["crsim-pending"]
            )

        def undo() -> None:
            board.clear(model.market_choice)
            set_revision(revision + 1)

        solara.Button(
            "Back to the policies' own levers",
            on_click=undo,
            outlined=True,
            disabled=not any(k[0] == model.market_choice for k in board.changes),
        )
