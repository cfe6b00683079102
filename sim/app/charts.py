"""Matplotlib charts of the workshop page (matplotlib renders offline; Vega would need a CDN).

Charts are drawn by the session's player thread from its :class:`Workshop`, at the
pixel size the page shows them (``sim.app.layout``), and handed to the page as PNG
bytes. The main chart holds trust, emotional bond, customers, churn per year, profit
and the relationship types of every firm; every shock and lever change is a labelled
vertical line (E1, E2, ... as in the event log). The time axis spans the whole
horizon, as in NetLogo's plots, so axes, ticks and legends are drawn once and only the
data are redrawn each frame (blitting), which keeps a frame cheap.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from sim.app.labels import OUTCOMES, TYPE_LABELS
from sim.app.layout import Layout
from sim.app.workshop import Workshop
from sim.palette import LEVER_COLOUR, NO_FIRM_COLOUR, SHOCK_COLOUR, TYPE_COLOURS, firm_colour, market_style
from sim.typology import TYPES, classify

FIXED_LIMITS = {"trust": (0.0, 1.0), "bond": (0.0, 1.0)}
HEADROOM = 0.25


def colour(w: Workshop, side: int, firm: int) -> str:
    """A firm's colour: rivals keep theirs in both markets; market B's first firm gets a colour of its own."""
    if side == 1 and firm == 0:
        return firm_colour(len(w.sides[0].model.firms))
    return firm_colour(firm)


def firm_label(w: Workshop, side: int, firm: int) -> str:
    name = w.sides[side].model.firms[firm].name
    return f"{name} ({'AB'[side]})" if w.side_by_side and firm == 0 else name


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, at its own size (for charts drawn without blitting, e.g. exports)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _encode(canvas: FigureCanvasAgg) -> bytes:
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _style(ax, title: str, font: int) -> None:
    ax.set_title(title, fontsize=font + 2, loc="left", fontweight="bold")
    ax.tick_params(labelsize=font)
    ax.grid(alpha=0.3)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def typology_shares(w: Workshop) -> tuple[list[str], np.ndarray]:
    """Row labels and (rows, types) shares of each firm's customers in each relationship type, now."""
    rows, names = [], []
    for s, side in enumerate(w.sides):
        kind = classify(side.model.market.customers)
        firm = side.model.market.customers.firm
        for g, f in enumerate(side.model.firms):
            mine = kind[firm == g]
            rows.append([np.count_nonzero(mine == k) / max(len(mine), 1) for k in range(len(TYPES))])
            names.append(("AB"[s] + ": " if w.side_by_side else "") + f.name)
    return names, np.array(rows)


class _Blitted:
    """A figure whose static parts are drawn once; ``frame`` redraws only the animated artists."""

    def __init__(self, size: tuple[int, int], ratio: float):
        self.fig = Figure(figsize=(size[0] / 72, size[1] / 72), dpi=72 * ratio)
        self.canvas = FigureCanvasAgg(self.fig)
        self.animated: list = []
        self.background = None

    def animate(self, artist):
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def frame(self) -> bytes:
        if self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self.background)
        for artist in self.animated:
            self.fig.draw_artist(artist)
        return _encode(self.canvas)


class OutcomeChart:
    """The main chart of a workshop: five outcomes over the horizon and the relationship types now."""

    def __init__(self, w: Workshop, lay: Layout, ratio: float = 1.0):
        self.key = self._key(w, lay, ratio)
        self.limits = {m: self._limits(w, m, None) for m in OUTCOMES}
        self._build(w, lay, ratio)

    @staticmethod
    def _key(w: Workshop, lay: Layout, ratio: float) -> tuple:
        return (id(w), lay, ratio, len(w.events))

    @staticmethod
    def _limits(w: Workshop, metric: str, old: tuple[float, float] | None) -> tuple[float, float]:
        if metric in FIXED_LIMITS:
            return FIXED_LIMITS[metric]
        data = np.concatenate([s.series(metric).ravel() for s in w.sides])
        data = data[np.isfinite(data)]
        lo, hi = (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)
        if hi - lo < 1e-6:  # nothing to scale to yet (month 0)
            return old or (0.0, 1.0)
        if old is not None and old[0] <= lo and hi <= old[1]:
            return old
        lo = min(lo, 0.0)
        span = max(hi - lo, 1e-9)
        return (lo - HEADROOM * span if lo < 0 else 0.0, hi + HEADROOM * span)

    def _build(self, w: Workshop, lay: Layout, ratio: float) -> None:
        font = lay.font
        self.board = board = _Blitted(lay.main, ratio)
        fig = board.fig
        axes = fig.subplots(2, 3).ravel()
        years = w.horizon / 12
        self.lines: dict[tuple[str, int, int], Any] = {}
        for ax, (metric, (title, _)) in zip(axes, OUTCOMES.items(), strict=False):
            for s, side in enumerate(w.sides):
                for g in range(len(side.model.firms)):
                    style = market_style(s)
                    (line,) = ax.plot(
                        [], [], color=colour(w, s, g), lw=2.5, markevery=12, markersize=7,
                        label=firm_label(w, s, g), **style,
                    )  # fmt: skip
                    self.lines[metric, s, g] = board.animate(line)
            _style(ax, title, font)
            ax.set_xlim(0, years)
            ax.set_ylim(*self.limits[metric])
            ax.set_xlabel("years", fontsize=font)
            same: dict[int, int] = {}
            for event in w.events:
                lever = event.kind == "lever"
                tint = LEVER_COLOUR if lever else SHOCK_COLOUR
                ax.axvline(event.month / 12, color=tint, ls="--" if lever else ":", lw=2, gid="event")
                k = same[event.month] = same.get(event.month, -1) + 1  # tags of one month stack downwards
                ax.annotate(
                    event.tag, (event.month / 12, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -2 - 1.2 * font * k), textcoords="offset points", va="top", fontsize=font,
                    color=tint, fontweight="bold",
                )  # fmt: skip
        handles, labels = axes[0].get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        if w.side_by_side:  # firms by colour, markets by line style and marker
            unique = {label: Line2D([], [], color=h.get_color(), lw=5) for label, h in unique.items()}
            for s, title in enumerate(("market A", "market B")):
                unique[title] = Line2D([], [], color="#333333", lw=2.5, markersize=7, **market_style(s))
        ncol = min(len(unique), 4 if lay.main[0] >= 1000 else 3)
        fig.legend(
            list(unique.values()), list(unique), loc="upper left", ncol=ncol, fontsize=font,
            frameon=False, borderaxespad=0.2, columnspacing=1.2, handlelength=2.5,
        )  # fmt: skip
        # margins in pixels, so text never overlaps at any window size
        w_px, h_px = lay.main
        legend_px = math.ceil(len(unique) / ncol) * font * 1.45 + 6
        axes_h = (h_px - legend_px - 2.2 * font - 3.3 * font - 5.6 * font) / 2
        fig.subplots_adjust(
            left=4.2 * font / w_px, right=1 - 1.8 * font / w_px, top=1 - (legend_px + 2.2 * font) / h_px,
            bottom=3.3 * font / h_px, hspace=5.6 * font / axes_h, wspace=5.2 * font / ((w_px - 5 * font) / 3),
        )  # fmt: skip
        self._types(axes[5], w, font)

    def _types(self, ax, w: Workshop, font: int) -> None:
        names, shares = typology_shares(w)
        y = np.arange(len(names))[::-1]
        self.bars = []
        for k, t in enumerate(TYPES):
            bars = ax.barh(y, shares[:, k], color=TYPE_COLOURS[t], edgecolor="white", label=TYPE_LABELS[t])
            self.bars.append([self.board.animate(b) for b in bars])
        ax.set_yticks(y, [n if len(n) <= 18 else n[:17] + "…" for n in names], fontsize=font)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.set_xticks([0, 0.5, 1], ["0", "50 %", "100 %"])
        _style(ax, "", font)
        self.types_title = self.board.animate(
            ax.text(0, 1.0, "", transform=ax.transAxes, va="bottom", fontsize=font + 2, fontweight="bold")
        )
        ax.grid(False)
        ax.set_xlabel("red = trapped, green = devoted", fontsize=font)

    def needs_rebuild(self, w: Workshop, lay: Layout, ratio: float) -> bool:
        if self._key(w, lay, ratio) != self.key:
            return True
        return any(self._limits(w, m, self.limits[m]) != self.limits[m] for m in OUTCOMES)

    def draw(self, w: Workshop) -> bytes:
        for (metric, s, g), line in self.lines.items():
            data = w.sides[s].series(metric)[:, g]
            line.set_data(np.arange(len(data)) / 12, data)
        _, shares = typology_shares(w)
        for k, bars in enumerate(self.bars):
            left = shares[:, :k].sum(axis=1)
            for bar, x, width in zip(bars, left, shares[:, k], strict=True):
                bar.set_x(x)
                bar.set_width(width)
        self.types_title.set_text(f"Relationship types, month {w.month}")
        return self.board.frame()


class PopulationChart:
    """Every customer at their current needs, coloured by relationship type; firms' offers as stars."""

    def __init__(self, w: Workshop, size: tuple[int, int], font: int, ratio: float = 1.0):
        self.key = (id(w), size, font, ratio)
        self.board = board = _Blitted(size, ratio)
        fig = board.fig
        legend_px = 16 * font
        fig.subplots_adjust(
            left=0.01, right=1 - legend_px / size[0], top=1 - 2.4 * font / size[1], bottom=0.02, wspace=0.05
        )
        axes = np.atleast_1d(fig.subplots(1, len(w.sides)))
        self.dots, self.stars = [], []
        for s, (ax, side) in enumerate(zip(axes, w.sides, strict=True)):
            self.dots.append(board.animate(ax.scatter([], [], s=9, linewidths=0)))
            n = len(side.model.firms)
            stars = ax.scatter(
                np.zeros(n), np.zeros(n), s=300, marker="*", c=[colour(w, s, g) for g in range(n)],
                edgecolor="black", linewidths=1.2, zorder=3,
            )  # fmt: skip
            self.stars.append(board.animate(stars))
            ax.set_xlim(-1, 1)
            ax.set_ylim(-1, 1)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            _style(ax, side.title if w.side_by_side else "Customers by what they need", font)
        handles = [axes[0].scatter([], [], s=80, color=TYPE_COLOURS[t]) for t in TYPES]
        handles.append(axes[0].scatter([], [], s=80, color=NO_FIRM_COLOUR))
        labels = [TYPE_LABELS[t] for t in TYPES] + ["No firm"]
        fig.legend(handles, labels, loc="center right", ncol=1, fontsize=font, frameon=False, title="Relationship",
                   title_fontsize=font)  # fmt: skip
        self.palette = np.array([TYPE_COLOURS[t] for t in TYPES] + [NO_FIRM_COLOUR])

    def draw(self, w: Workshop) -> bytes:
        for s, side in enumerate(w.sides):
            c = side.model.market.customers
            self.dots[s].set_offsets(c.needs[:, :2])
            self.dots[s].set_color(self.palette[classify(c)])  # -1 = no firm: the last colour
            self.stars[s].set_offsets(side.model.market.positions)
        return self.board.frame()


def outcome_figure(w: Workshop, lay: Layout, ratio: float = 1.0) -> Figure:
    """The main chart as a finished matplotlib Figure (for export and tests)."""
    chart = OutcomeChart(w, lay, ratio)
    chart.draw(w)
    for artist in chart.board.animated:
        artist.set_animated(False)
    return chart.board.fig


def population_figure(w: Workshop, size: tuple[int, int], font: int, ratio: float = 1.0) -> Figure:
    """The customers' chart as a finished matplotlib Figure (for export and tests)."""
    chart = PopulationChart(w, size, font, ratio)
    chart.draw(w)
    for artist in chart.board.animated:
        artist.set_animated(False)
    return chart.board.fig
