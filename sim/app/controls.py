"""The facilitator's controls: the top bar (month, play, pause, step, reset, speed, run N years, projector
view) and the left column (market, shocks, levers, save and export).

Every control only sends a command to the session's player (``sim.app.player``);
what they show comes from the last :class:`~sim.app.player.Frame`, so controls,
read-outs and charts always show the same month.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import solara

from sim.app.labels import DEFAULT_MARKET, LEVERS, policy_labels, scenario_choices, shock_kinds
from sim.app.panels import Display, Exports
from sim.app.player import SPEEDS, Frame, Player
from sim.app.verdicts import claim_choices
from sim.app.workshop import Settings

CSS = """
html, body { overflow-x: hidden; }
.v-application, .v-application .v-label, .v-application .v-btn, .v-application .v-input { font-size: 17px !important; }
.v-application .v-card__title { font-size: 20px !important; padding: 8px 12px !important; }
.v-application .v-card__text, .v-application .v-card { padding: 4px 12px 8px 12px; }
.v-slider__thumb-label span { font-size: 14px; }
.crsim-bar { display: flex; align-items: center; gap: 10px; height: 72px; padding: 0 12px; box-sizing: border-box;
  background: #f4f4f4; border-bottom: 1px solid #ddd; position: sticky; top: 0; z-index: 5; flex-wrap: nowrap; }
.crsim-bar .v-btn { min-width: 0 !important; }
.crsim-title { font-size: 19px; font-weight: 700; white-space: nowrap; }
.crsim-month { font-size: 28px; font-weight: 700; white-space: nowrap; height: 40px; line-height: 40px; }
.crsim-state { font-size: 18px; font-weight: 400; color: #444; margin-left: 16px; }
.crsim-screen { display: flex; flex-direction: column; gap: 12px; }
.crsim-side { display: flex; flex-direction: column; gap: 12px; flex: none; }
.crsim-card { background: white; border-radius: 4px; padding: 8px 12px; box-shadow: 0 1px 3px rgba(0,0,0,.25); }
.crsim-card-title { font-size: 20px; font-weight: 500; margin-bottom: 6px; }
.crsim-swatch { display: inline-block; width: 26px; height: 0; vertical-align: middle; margin-right: 6px; }
.crsim-body { display: flex; gap: 12px; padding: 12px; align-items: flex-start; }
.crsim-controls { flex: none; display: flex; flex-direction: column; gap: 10px; }
.crsim-main { flex: none; display: flex; flex-direction: column; gap: 12px; }
.crsim-row { display: flex; gap: 12px; align-items: flex-start; }
.crsim-chart img { display: block; }
.crsim-lever-label { font-size: 16px; display: block; margin-top: 6px; }
.crsim-levers .v-input { margin-top: 0; padding-top: 0; }
.crsim-caption { font-size: 15px; color: #444; display: block; margin: 2px 0 6px 0; }
.crsim-error { font-size: 17px; color: #D55E00; font-weight: 600; }
.crsim-readouts table { border-collapse: collapse; font-size: 16px; width: 100%; }
.crsim-readouts th { font-size: 14px; font-weight: 600; }
.crsim-readouts td, .crsim-readouts th { padding: 2px 3px; text-align: right; white-space: nowrap; }
.crsim-readouts td:first-child, .crsim-readouts th:first-child { text-align: left; }
.crsim-events { font-size: 16px; }
.crsim-events li { margin: 2px 0; }
.crsim-verdict-state { font-size: 20px; font-weight: 700; }
.crsim-verdict-text { font-size: 16px; margin: 4px 0; }
"""

HOW_TO = (
    "Market, seed, side by side and horizon take effect on Reset; Reset also returns every lever to the "
    "scenario's own. Shocks and levers act on the running market from next month."
)


@solara.component
def TopBar(projector: bool, player: Player):
    """Title and the play controls (the month is shown with the charts, so they always agree)."""
    years, set_years = solara.use_state(3)
    with solara.Div(classes=["crsim-bar"]):
        solara.Text("Firms and their customers", classes=["crsim-title"])
        solara.Button("▶ Play", on_click=lambda: player.send("play"), color="primary", classes=["crsim-play"])
        solara.Button("❚❚ Pause", on_click=lambda: player.send("pause"), classes=["crsim-pause"])
        solara.Button("Step one month", on_click=lambda: player.send("step"), outlined=True, classes=["crsim-step"])
        solara.Button("Reset", on_click=lambda: player.send("reset"), outlined=True, classes=["crsim-reset"])
        speed = min(SPEEDS, key=lambda s: abs(s - player.speed))
        solara.Select(
            "Speed (months per second)",
            value=f"{speed:g}",
            values=[f"{s:g}" for s in SPEEDS],
            on_value=lambda v: player.send("speed", float(v)),
            style={"max-width": "150px"},
        )
        solara.Button(
            f"Run {years} years, then pause",
            on_click=lambda: player.send("run_years", years),
            outlined=True,
            classes=["crsim-run-years"],
        )
        solara.Select("Years", value=str(years), values=[str(y) for y in (1, 2, 3, 5, 10)],
                      on_value=lambda v: set_years(int(v)), style={"max-width": "80px"})  # fmt: skip
        solara.Button(
            "Show controls" if projector else "Projector view",
            on_click=lambda: player.send("projector", not projector),
            text=True,
            classes=["crsim-projector"],
        )


@solara.component
def Body(frame: Frame, player: Player, presets: Path):
    lay = frame.layout
    with solara.Div(classes=["crsim-body"]):
        if not frame.projector:
            with solara.Div(classes=["crsim-controls"], style={"width": f"{lay.controls}px"}):
                MarketCard(frame.settings, frame.horizon, player)
                ClaimCard(frame.verdict.claim if frame.verdict else "", player)
                EventsCard(frame.firm_names, player)
                LeverCard(frame.targets, frame.levers, player)
                Exports(frame, player, presets)
        with solara.Div(classes=["crsim-main"], style={"width": f"{lay.width - lay.controls - 3 * 12}px"}):
            if frame.error:
                solara.Text(frame.error, classes=["crsim-error"])
            Display(frame)


@solara.component
def MarketCard(s: Settings, horizon: int, player: Player):
    """Which market Reset builds."""
    market, set_market = solara.use_state(s.market or DEFAULT_MARKET)
    seed, set_seed = solara.use_state(s.seed)
    both, set_both = solara.use_state(s.side_by_side)
    compare, set_compare = solara.use_state(s.compare_with)
    years, set_years = solara.use_state(round(horizon / 12))

    def reset() -> None:
        player.send("reset", Settings(market, seed, both, compare, float(years), s.customers, s.extra))

    with solara.Card("Market", classes=["crsim-market"]):
        solara.Select("Market", value=market, values=list(scenario_choices(s.extra)), on_value=set_market)
        solara.SliderInt(f"Seed (which customers): {seed}", value=seed, min=0, max=99, on_value=set_seed,
                         thumb_label=True)  # fmt: skip
        solara.Checkbox(label="Side by side: the same customers, first firm under another policy", value=both,
                        on_value=set_both)  # fmt: skip
        if both:
            solara.Select("Policy of the first firm in market B", value=compare, values=list(policy_labels()),
                          on_value=set_compare)  # fmt: skip
        solara.SliderInt(f"Horizon: {years} years", value=years, min=1, max=30, on_value=set_years,
                         thumb_label=True)  # fmt: skip
        solara.Button("Reset with these settings", on_click=reset, color="primary", classes=["crsim-apply"])
        solara.Text(HOW_TO, classes=["crsim-caption"])


@solara.component
def ClaimCard(claim: str, player: Player):
    """Which claim of the essays the verdict panel judges in this market (the market's best fit by default)."""
    choices = claim_choices()
    titles = {name: title for title, name in choices.items()}
    with solara.Card("Claim to judge", classes=["crsim-claim"]):
        solara.Select("Claim", value=titles.get(claim, ""), values=list(choices),
                      on_value=lambda title: player.send("claim", choices[title]))  # fmt: skip
        solara.Text("The panel beside the charts says whether it holds in this market.", classes=["crsim-caption"])


@solara.component
def EventsCard(firm_names: tuple[str, ...], player: Player):
    """Shocks that hit the running market next month, at the chosen firm."""
    target, set_target = solara.use_state(0)
    names = list(firm_names)
    target = min(target, len(names) - 1)
    with solara.Card("Events", classes=["crsim-session"]):
        solara.Select("Firm hit by a scandal / starting a price war", value=names[target], values=names,
                      on_value=lambda n: set_target(names.index(n)))  # fmt: skip
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            for kind, (label, text, _) in shock_kinds().items():
                with solara.Tooltip(text):
                    solara.Button(label, color="warning", classes=[f"crsim-shock-{kind}"],
                                  on_click=lambda kind=kind: player.send("fire", kind, target))  # fmt: skip
        for label, text, _ in shock_kinds().values():
            solara.Text(f"{label}: {text}", classes=["crsim-caption"])


@solara.component
def LeverCard(targets: tuple[tuple[int, int, str], ...], levers: dict, player: Player):
    """A firm's levers, acting from next month on; each change is logged and marked on the charts."""
    chosen, set_chosen = solara.use_state(0)
    chosen = min(chosen, len(targets) - 1)
    side, firm, name = targets[chosen]
    values = levers[side, firm]
    with solara.Card("Levers of a firm", classes=["crsim-levers"]):
        solara.Select("Firm", value=name, values=[t[2] for t in targets],
                      on_value=lambda n: set_chosen([t[2] for t in targets].index(n)))  # fmt: skip
        for lever, (label, text, lo, hi, step) in LEVERS.items():
            value = values[lever]
            slider: Any = solara.SliderInt if isinstance(step, int) else solara.SliderFloat
            solara.Text(f"{label}: {value:g}", classes=["crsim-lever-label"])
            with solara.Tooltip(text):
                slider(
                    "",
                    value=value,
                    min=lo,
                    max=max(hi, value),
                    step=step,
                    thumb_label=True,
                    on_value=lambda v, lever=lever: player.send("lever", side, firm, lever, v),
                )
        solara.Text("A change acts from next month and is marked on the charts (E1, E2, ...).",
                    classes=["crsim-caption"])  # fmt: skip
