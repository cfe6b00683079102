"""The workshop page: ``solara run sim.app.page`` (``crsim app`` does this for you).

Every browser tab gets its own session: its own markets, levers and play state,
held by one :class:`~sim.app.player.Player` created when the tab opens and
stopped when it closes; nothing lives at module level. A reloaded tab starts
clean. The market named in ``CRSIM_APP_SCENARIO`` (a scenario file or preset;
empty = the default market) is the one shown first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import solara

from sim.app.controls import CSS, Body, TopBar
from sim.app.labels import first_choice
from sim.app.player import Frame, Player
from sim.app.session import current_session, run_in
from sim.app.workshop import Settings

TITLE = "Firms and their customers: a live market"


def initial_settings() -> Settings:
    """What a new tab starts with: the command line's market, seed 0, one market."""
    extra = os.environ.get("CRSIM_APP_SCENARIO") or None
    customers = int(os.environ["CRSIM_APP_CUSTOMERS"]) if os.environ.get("CRSIM_APP_CUSTOMERS") else None
    return Settings(market=first_choice(extra), extra=extra, customers=customers)


def presets_folder() -> Path:
    """Where 'Save levers as a scenario' writes (``CRSIM_APP_PRESETS``, else ./scenarios)."""
    return Path(os.environ.get("CRSIM_APP_PRESETS") or "scenarios")


@solara.component_vue("viewport.vue")
def Viewport(event_resized=None):
    """Reports the browser window's size (and pixel ratio) so charts are drawn at the size they are shown."""


@solara.component
def Page():
    solara.Title(TITLE)
    solara.Style(CSS)
    frame, set_frame = solara.use_state(cast(Frame | None, None))
    session = solara.use_memo(current_session, [])

    def make_player() -> Player:
        return Player(initial_settings(), lambda f: run_in(session, lambda: set_frame(f)), session=session)

    player = solara.use_memo(make_player, [])

    def lifecycle():
        player.start()
        return player.close  # the tab closed (or the session ended): stop and free its market

    solara.use_effect(lifecycle, [])

    def resized(size: dict) -> None:
        player.send("size", size.get("width", 1920), size.get("height", 1080), size.get("ratio", 1))

    Viewport(event_resized=resized)
    if frame is None:
        solara.Text("Building the market…", classes=["crsim-loading"])
        return
    TopBar(frame.projector, player)
    Body(frame, player, presets_folder())
