"""What the page shows of a :class:`~sim.app.player.Frame`: the charts, per-firm read-outs, the event log,
and the facilitator's exports (charts as PNG, data as CSV, levers as a scenario file)."""

from __future__ import annotations

import base64
import math
from pathlib import Path

import solara

from sim.app.labels import OUTCOMES
from sim.app.player import Frame, Player
from sim.app.workshop import history_table


def _img(data: bytes, size: tuple[int, int], name: str) -> None:
    src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    solara.v.Html(
        tag="img",
        class_=f"crsim-img-{name}",
        attributes={"src": src, "width": str(size[0]), "height": str(size[1]), "alt": name},
    )


@solara.component
def Charts(frame: Frame):
    lay = frame.layout
    with solara.Div(classes=["crsim-row"]):
        with solara.Div(classes=["crsim-chart", "crsim-outcomes"]):
            _img(frame.main_png, lay.main, "outcomes")
        if lay.readouts_beside:
            with solara.Div(style={"width": f"{lay.side}px", "display": "flex", "flex-direction": "column"}):
                Readouts(frame.month, frame.readouts)
                EventLog(frame.events)
    with solara.Div(classes=["crsim-chart", "crsim-population"]):
        _img(frame.lower_png, lay.lower, "population")
        if len(frame.titles) == 2:
            solara.Text(
                f"Side by side: the same customers and rivals; left {frame.titles[0]}, right {frame.titles[1]}.",
                classes=["crsim-caption", "crsim-sides"],
            )
        solara.Text(
            "Each dot is a customer, placed by what they need; the stars are the firms' standard offers. "
            "Customers drift; firms that listen follow them. "
            + " · ".join(f"{title}: {text}" for title, text in OUTCOMES.values()),
            classes=["crsim-caption"],
        )


def _number(x: float, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


@solara.component
def Readouts(month: int, readouts: tuple):
    """Per firm, now: customers, trust, churn per year and profit per month (the charts' last points)."""
    rows = []
    for r in readouts:
        swatch = (
            f'<span style="display:inline-block;width:26px;height:0;border-top:4px {r.style} {r.colour};'
            f'vertical-align:middle;margin-right:6px"></span>'
        )
        name = (f"{r.market}: " if r.market else "") + r.firm
        rows.append(
            f"<tr><td>{swatch}{name}</td><td>{r.customers}</td><td>{_number(r.trust)}</td>"
            f"<td>{_number(100 * r.churn, 0)} %</td><td>{_number(r.profit, 0)}</td></tr>"
        )
    html = (
        f"<table data-month='{month}'><tr><th>Firm</th><th>customers</th><th>trust</th>"
        "<th>churn/yr</th><th>profit/mo</th></tr>" + "".join(rows) + "</table>"
    )
    with solara.Card(f"Now, month {month}", classes=["crsim-readouts"]):
        solara.HTML(tag="div", unsafe_innerHTML=html)


@solara.component
def EventLog(events: tuple):
    """Every shock and lever change with its month, tagged as on the charts."""
    with solara.Card("Event log", classes=["crsim-eventlog"]):
        if not events:
            solara.Text("No shocks or lever changes yet.", classes=["crsim-caption"])
            return
        items = "".join(f"<li><b>{e.tag}</b> month {e.month} (year {e.month / 12:.1f}): {e.text}</li>" for e in events)
        solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["crsim-events"])


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
