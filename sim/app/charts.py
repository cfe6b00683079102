"""Matplotlib charts of the workshop page (matplotlib renders offline; Vega would need a CDN).

Each chart is a plain function from a :class:`Workshop` to a matplotlib
``Figure`` (testable without a browser) plus a Solara component that shows it.
"""

from __future__ import annotations

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from sim import compat
from sim.app.labels import NO_FIRM_COLOUR, OKABE_ITO, OUTCOMES, TYPE_COLOURS, TYPE_LABELS
from sim.app.workshop import Workshop
from sim.typology import TYPES, classify

FONT = 13
LINESTYLES = ("-", "--")
DPI = 72


def firm_colour(index: int) -> str:
    return OKABE_ITO[index % len(OKABE_ITO)]


def _style(ax, title: str) -> None:
    ax.set_title(title, fontsize=FONT + 2, loc="left", fontweight="bold")
    ax.tick_params(labelsize=FONT - 1)
    ax.grid(alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def outcome_figure(w: Workshop) -> Figure:
    """Trust, bond, customers, annual churn and profit per firm over simulated years.

    The figure is built once per workshop and its lines are updated in place
    afterwards, which keeps redrawing cheap while the market plays.
    """
    cache = compat.figure_cache(w)
    if "outcomes" not in cache:
        cache["outcomes"] = _new_outcome_figure(w)
    fig, lines, shocks_drawn = cache["outcomes"]
    axes = fig.axes[: len(OUTCOMES)]
    for ax, metric in zip(axes, OUTCOMES, strict=True):
        for s, side in enumerate(w.sides):
            data = side.series(metric)
            years = np.arange(len(data)) / 12
            for g in range(data.shape[1]):
                lines[metric, s, g].set_data(years, data[:, g])
        ax.relim()
        ax.autoscale_view()
        if metric in ("trust", "bond"):
            ax.set_ylim(0, 1)
        ax.set_xlim(0, max(1.0, w.month / 12))
    for month, _kind, _firm in w.shocks_fired[shocks_drawn:]:
        for ax in axes:
            ax.axvline(month / 12, color="#444444", ls=":", lw=1.5)
    if w.shocks_fired and not shocks_drawn:
        fig.axes[-1].text(0, 0.02, "dotted line: a shock", fontsize=FONT - 1, transform=fig.axes[-1].transAxes)
    cache["outcomes"] = (fig, lines, len(w.shocks_fired))
    return fig


def _new_outcome_figure(w: Workshop):
    fig = Figure(figsize=(12, 6.6), dpi=DPI)
    fig.subplots_adjust(left=0.06, right=0.98, top=0.94, bottom=0.08, hspace=0.45, wspace=0.25)
    axes = fig.subplots(2, 3).ravel()
    lines = {}
    for ax, (metric, (title, _)) in zip(axes, OUTCOMES.items(), strict=False):
        for s, side in enumerate(w.sides):
            for g, firm in enumerate(side.model.firms):
                (lines[metric, s, g],) = ax.plot(
                    [], [], color=firm_colour(g), lw=2.5, ls=LINESTYLES[s], label=firm.name
                )
        _style(ax, title)
        ax.set_xlabel("years", fontsize=FONT)
    legend = axes[-1]
    legend.axis("off")
    handles, labels = [], []
    for s, side in enumerate(w.sides):
        for g, firm in enumerate(side.model.firms):
            if s == 1 and g > 0:
                continue  # the rivals are the same firms in both markets
            handles.append(lines["trust", s, g])
            labels.append(firm.name + (" (B, dashed)" if s == 1 else ""))
    legend.legend(
        handles, labels, loc="center left", fontsize=FONT, frameon=False, title="Firms", title_fontsize=FONT + 1
    )
    return fig, lines, 0


def typology_figure(w: Workshop) -> Figure:
    """The relationship types as stacked shares of each firm's customers, now."""
    rows, names = [], []
    for s, side in enumerate(w.sides):
        kind = classify(side.model.market.customers)
        firm = side.model.market.customers.firm
        for g, f in enumerate(side.model.firms):
            mine = kind[firm == g]
            n = max(len(mine), 1)
            rows.append([np.count_nonzero(mine == k) / n for k in range(len(TYPES))])
            names.append(("B: " if s == 1 else "A: " if w.side_by_side else "") + f.name)
    shares = np.array(rows)
    height = 1.6 + 0.5 * len(names)
    fig = Figure(figsize=(8, height), dpi=DPI)
    fig.subplots_adjust(left=0.25, right=0.97, top=1 - 0.45 / height, bottom=1.4 / height)
    ax = fig.subplots()
    left = np.zeros(len(names))
    y = np.arange(len(names))[::-1]
    for k, t in enumerate(TYPES):
        ax.barh(y, shares[:, k], left=left, color=TYPE_COLOURS[t], label=TYPE_LABELS[t], edgecolor="white")
        left += shares[:, k]
    ax.set_yticks(y, names, fontsize=FONT)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the firm's customers", fontsize=FONT)
    _style(ax, f"What kind of relationship? (month {w.month})")
    fig.legend(loc="lower center", ncol=2, fontsize=FONT - 1, frameon=False)
    return fig


def population_figure(w: Workshop) -> Figure:
    """Every customer at their current needs, coloured by relationship type; firms' offers as big markers."""
    fig = Figure(figsize=(6.4 if len(w.sides) == 1 else 10.4, 5.6), dpi=DPI)
    fig.subplots_adjust(left=0.03, right=0.97, top=0.93, bottom=0.27 if len(w.sides) == 1 else 0.2, wspace=0.08)
    axes = np.atleast_1d(fig.subplots(1, len(w.sides)))
    for ax, side in zip(axes, w.sides, strict=True):
        c = side.model.market.customers
        kind = classify(c)
        colours = np.array([TYPE_COLOURS[t] for t in TYPES] + [NO_FIRM_COLOUR])[kind]  # -1 = no firm
        ax.scatter(c.needs[:, 0], c.needs[:, 1], s=7, c=colours, linewidths=0, rasterized=True)
        for g, pos in enumerate(side.model.market.positions):
            ax.scatter(*pos, s=260, marker="*", color=firm_colour(g), edgecolor="black", linewidths=1.2, zorder=3)
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        _style(ax, side.title if w.side_by_side else "Customers by what they need")
    handles = [axes[0].scatter([], [], s=60, color=TYPE_COLOURS[t]) for t in TYPES]
    handles.append(axes[0].scatter([], [], s=60, color=NO_FIRM_COLOUR))
    fig.legend(
        handles,
        [TYPE_LABELS[t] for t in TYPES] + ["No firm"],
        loc="lower center",
        ncol=len(w.sides) + 1,
        fontsize=FONT - 1,
        frameon=False,
    )
    return fig


def _show(fig: Figure, w: Workshop, name: str) -> None:
    solara.FigureMatplotlib(fig, format="png", dependencies=[id(w), w.month, len(w.shocks_fired), name])


@solara.component
def OutcomeCharts(model: Workshop):
    update_counter.get()
    with solara.Card("How the firms are doing", classes=["crsim-outcomes"]):
        _show(outcome_figure(model), model, "outcomes")
        solara.Text(" · ".join(f"{title}: {text}" for title, text in OUTCOMES.values()), classes=["crsim-caption"])


@solara.component
def TypologyChart(model: Workshop):
    update_counter.get()
    with solara.Card("Relationship types", classes=["crsim-typology"]):
        _show(typology_figure(model), model, "typology")


@solara.component
def PopulationView(model: Workshop):
    update_counter.get()
    with solara.Card("The customers", classes=["crsim-population"]):
        _show(population_figure(model), model, "population")
        if model.side_by_side:
            a, b = (s.model.firms[0].name for s in model.sides)
            solara.Text(
                f"Side by side: the same customers and rivals; left, the first firm runs {a}; right, {b}.",
                classes=["crsim-caption", "crsim-sides"],
            )
        solara.Text(
            "Each dot is a customer, placed by what they need; the stars are the firms' standard offers. "
            "Customers drift; firms that listen follow them.",
            classes=["crsim-caption"],
        )
