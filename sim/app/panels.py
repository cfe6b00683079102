"""What the page shows of a :class:`~sim.app.player.Frame`: the charts, per-firm read-outs, the event log,
and the facilitator's exports (charts as PNG, data as CSV, levers as a scenario file)."""

from __future__ import annotations

import base64
import math
from pathlib import Path

import solara

from sim.app.labels import OUTCOMES
from sim.app.player import Frame, Player
from sim.app.verdicts import Verdict
from sim.app.workshop import history_table
from sim.palette import LEVER_COLOUR, OKABE_ITO, SHOCK_COLOUR

VERDICT_COLOUR = {"holds": OKABE_ITO[2], "fails": OKABE_ITO[4]}  # bluish green, vermillion (as in the atlas)


def _src(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _number(x: float, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


@solara.component_vue("screen.vue")
def Screen(
    month: int,
    state: str,
    serial: int,
    per_frame: int,
    note: str,
    main: str,
    main_size: list,
    lower: str,
    lower_size: list,
    side: int,
    readouts: list,
    log: list,
    captions: list,
    window: str,
    verdict: dict,
):
    """Everything that shows the month, in one element: the browser updates it in one go."""


def screen_props(frame: Frame) -> dict:
    """The :func:`Screen` properties of a frame (plain JSON: numbers, strings, lists, dicts)."""
    lay = frame.layout
    captions = [
        "Each dot is a customer, placed by what they need; the stars are the firms' standard offers. "
        "Customers drift; firms that listen follow them.",
        " · ".join(f"{title}: {text}" for title, text in OUTCOMES.values()),
    ]
    if len(frame.titles) == 2:
        captions.insert(
            0, f"Side by side: the same customers and rivals; left {frame.titles[0]}, right {frame.titles[1]}."
        )
    note = ""
    if frame.stop_at is not None and frame.playing:
        note = f" until month {frame.stop_at}"
    elif frame.month >= frame.horizon:
        note = f" · end of the {frame.horizon // 12}-year horizon: Reset to start again"
    return {
        "month": frame.month,
        "state": "playing" if frame.playing else "paused",
        "serial": frame.serial,
        "per_frame": frame.per_frame,
        "note": note,
        "main": _src(frame.main_png),
        "main_size": list(lay.main),
        "lower": _src(frame.lower_png),
        "lower_size": list(lay.lower),
        "side": lay.side,
        "readouts": [
            {
                "name": (f"{r.market}: " if r.market else "") + r.firm,
                "colour": r.colour,
                "style": r.style,
                "customers": r.customers,
                "trust": _number(r.trust),
                "churn": _number(100 * r.churn, 0) + " %",
                "profit": _number(r.profit, 0),
            }
            for r in frame.readouts
        ],
        "log": [
            {
                "tag": e.tag,
                "month": e.month,
                "text": e.text,
                "colour": LEVER_COLOUR if e.kind == "lever" else SHOCK_COLOUR,
            }
            for e in frame.events
        ],
        "captions": captions,
        "window": f"{lay.width}x{lay.height}",  # the window size the page is laid out for
        "verdict": verdict_props(frame.verdict),
    }


def verdict_props(v: Verdict | None) -> dict:
    """The verdict panel's properties: the claim, its state in a word and colour, the sentence and when it was read."""
    if v is None:
        return {"claim": "", "state": "", "month": 0, "headline": "", "text": "", "colour": "", "note": ""}
    headline = {"holds": "Holds", "fails": "Fails", "not yet": "Not yet: wait for its window"}.get(
        v.state, "Cannot be judged"
    )
    note = (
        "One market is one run: the claims atlas (crsim claims) says where the claim holds across the plausible space."
    )
    if v.state in ("holds", "fails"):
        note = f"Read at month {v.month}; updated once a simulated year while playing, and on pause. " + note
    return {
        "claim": v.claim,
        "state": v.state,
        "month": v.month,
        "headline": headline,
        "text": v.text,
        "colour": VERDICT_COLOUR.get(v.state, "#444444"),
        "note": note,
    }


@solara.component
def Display(frame: Frame):
    Screen(**screen_props(frame))


@solara.component
def Exports(frame: Frame, player: Player, presets: Path):
    """Charts as PNG, data as CSV, and the current levers as a named scenario file for ``crsim run``."""
    name, set_name = solara.use_state("my_workshop")
    stamp = f"month{frame.month:03d}"
    with solara.Card("Save and export", classes=["crsim-exports"]):
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            solara.FileDownload(frame.main_png, f"crsim_charts_{stamp}.png", label="Charts (PNG)")
            solara.FileDownload(frame.lower_png, f"crsim_customers_{stamp}.png", label="Customers (PNG)")
            solara.FileDownload(
                lambda: history_table(list(frame.history)).to_csv(index=False),
                f"crsim_data_{stamp}.csv",
                label="Data (CSV)",
            )
        solara.InputText("Scenario name", value=name, on_value=set_name, continuous_update=True)
        solara.Button(
            "Save levers as a scenario",
            on_click=lambda: player.send("save", name, presets),
            outlined=True,
            classes=["crsim-save"],
        )
        if frame.message:
            solara.Text(frame.message, classes=["crsim-caption", "crsim-saved"])
