"""The play loop of one browser session: one thread owns the session's markets and draws what the page shows.

Everything the page asks for -- play, pause, step, reset, run N years, a shock, a
lever change, a new window size -- is a command put on the player's queue; only the
player's thread touches the :class:`Workshop`. After each batch of months it draws
every chart from the same month and publishes one immutable :class:`Frame`, so the
month counter, the read-outs and every chart always agree. Speed is set in months
per second: when drawing a frame takes longer than a month should, several months
are stepped per frame. Pause is checked before every month, so it stops within one.
The loop pauses when the session's tab disconnects and ends when the session closes
(``sim.app.session``), so a closed tab's market stops at once and is freed.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.app import charts
from sim.app.layout import Layout, layout
from sim.app.preset import save_preset
from sim.app.session import closed, connected
from sim.app.verdicts import Verdict, default_claim, due, read_verdict
from sim.app.workshop import Event, Settings, Workshop

DEBUG = bool(os.environ.get("CRSIM_APP_DEBUG"))
SPEEDS = (0.5, 1, 2, 4, 8, 12, 24, 48)  # months per second offered on the page
DEFAULT_SPEED = 4
MAX_FRAME_SECONDS = 1.0  # at most this much simulated time (in play-seconds) per frame


@dataclass(frozen=True)
class Readout:
    """One firm's numbers now, as the read-out table shows them."""

    market: str
    firm: str
    colour: str
    style: str  # "solid" or "dashed"
    customers: int
    trust: float
    bond: float
    churn: float  # per year, trailing 12 months
    profit: float  # per month, trailing 12 months
    trapped: float


@dataclass(frozen=True)
class Frame:
    """Everything the page shows for one month, drawn together."""

    serial: int
    month: int
    horizon: int
    playing: bool
    settings: Settings
    layout: Layout
    projector: bool
    titles: tuple[str, ...]
    readouts: tuple[Readout, ...]
    events: tuple[Event, ...]
    targets: tuple[tuple[int, int, str], ...]  # firms whose levers the page offers
    levers: dict[tuple[int, int], dict[str, float]]
    firm_names: tuple[str, ...]
    main_png: bytes
    lower_png: bytes
    history: tuple[tuple[str, list[str], dict[str, list[np.ndarray]]], ...] = field(repr=False)
    error: str = ""
    message: str = ""
    stop_at: int | None = None
    per_frame: int = 1  # months stepped per frame at the current speed
    verdict: Verdict | None = None  # the verdict panel: the chosen claim in this market, as last read


class Player:
    """A session's markets, played by a thread of their own; ``publish(frame)`` shows a frame on the page."""

    def __init__(
        self,
        settings: Settings,
        publish: Callable[[Frame], None],
        session: Any | None = None,
        size: tuple[int, int] = (1920, 1080),
        ratio: float = 1.0,
    ):
        self.settings = settings
        self.publish = publish
        self.session = session
        self.size, self.ratio, self.projector = size, ratio, False
        self.speed: float = DEFAULT_SPEED
        self.commands: queue.Queue[tuple[str, tuple]] = queue.Queue()
        self.playing = threading.Event()
        self.wake = threading.Event()  # set whenever a command arrives
        self.stopped = threading.Event()
        self.stop_at: int | None = None
        self.workshop: Workshop | None = None
        self.serial = 0
        self.error = self.message = ""
        self._main: charts.OutcomeChart | None = None
        self._lower: charts.PopulationChart | None = None
        self._frame_cost = 0.2  # seconds to draw and publish a frame (running estimate)
        self.claim: str | None = None  # the claim the verdict panel judges (None: the market's default)
        self._verdict: Verdict | None = None
        self._verdict_of: tuple[Workshop, int] | None = None  # (market, events) the verdict and default were read for
        self._default_claim = ""
        self.thread = threading.Thread(target=self._run, name="crsim-player", daemon=True)

    # -- called from the page (any thread) ------------------------------------------------------
    def start(self) -> Player:
        self.thread.start()
        return self

    def send(self, command: str, *args: Any) -> None:
        if command == "pause":
            self.playing.clear()  # at once: the loop checks before every month
        self.commands.put((command, args))
        self.wake.set()

    def close(self) -> None:
        """Stop the loop for good (the session ended); the markets are dropped with the thread."""
        self.playing.clear()
        self.stopped.set()
        self.commands.put(("close", ()))
        self.wake.set()

    # -- the loop ------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self.workshop = Workshop(self.settings)
            self._draw()
            while not self.stopped.is_set():
                if closed(self.session):
                    break
                if self.playing.is_set() and not connected(self.session):
                    self.playing.clear()  # the tab went away: stop at once
                    continue
                if not self._commands(block=not self.playing.is_set()):
                    continue
                if self.playing.is_set():
                    self._play_frame()
        finally:
            self.stopped.set()
            month = self.workshop.month if self.workshop else 0
            print(f"crsim app: a session ended; its market stopped at month {month} and is freed", flush=True)
            self.workshop = self._main = self._lower = None  # free the markets with the session

    def _commands(self, block: bool) -> bool:
        """Handle queued commands (waiting a little for one when idle); True to go on playing."""
        changed = False
        try:
            command, args = self.commands.get(timeout=0.25) if block else self.commands.get_nowait()
        except queue.Empty:
            return self.playing.is_set()
        while True:
            changed |= self._handle(command, args)
            try:
                command, args = self.commands.get_nowait()
            except queue.Empty:
                break
        if changed and not self.stopped.is_set():
            self._draw()
        return self.playing.is_set()

    def _handle(self, command: str, args: tuple) -> bool:
        w = self.workshop
        assert w is not None
        try:
            if command == "close":
                return False
            if command == "play":
                self.stop_at = None
                if not w.at_horizon:
                    self.playing.set()
            elif command == "run_years":
                self.stop_at = min(w.month + round(12 * args[0]), w.horizon)
                if not w.at_horizon:
                    self.playing.set()
            elif command == "pause":
                self.playing.clear()
                self.stop_at = None
            elif command == "step":
                self.playing.clear()
                self.stop_at = None
                if not w.at_horizon:
                    w.step()
            elif command == "reset":
                self.playing.clear()
                self.stop_at = None
                self.settings = args[0] if args else self.settings
                self.workshop = Workshop(self.settings)
                if args:  # another market: the verdict panel returns to that market's default claim
                    self.claim = None
            elif command == "claim":
                from sim.claims import lookup

                self.claim = lookup(args[0]).name
            elif command == "speed":
                self.speed = float(args[0])
            elif command == "fire":
                w.fire(*args)
            elif command == "lever":
                w.set_lever(*args)
            elif command == "size":
                self.size, self.ratio = (int(args[0]), int(args[1])), float(args[2])
            elif command == "save":
                path = save_preset(w.scenario_now(args[0]), Path(args[1]))
                self.message = f"Saved {path}: run it with  crsim run {path}"
            elif command == "projector":
                self.projector = bool(args[0])
            else:
                raise ValueError(f"unknown command {command!r}")
            self.error = ""
        except Exception as err:  # a bad command must not end the session's market
            self.error = f"{type(err).__name__}: {err}"
            traceback.print_exc()
        return True

    def months_per_frame(self) -> int:
        """How many months to step before the next frame so the page keeps the chosen speed."""
        return max(1, min(math.ceil(self.speed * self._frame_cost), math.ceil(self.speed * MAX_FRAME_SECONDS)))

    def _play_frame(self) -> None:
        w = self.workshop
        assert w is not None
        start = time.monotonic()
        months = self.months_per_frame()
        for _ in range(months):
            if not self.playing.is_set() or w.at_horizon or (self.stop_at is not None and w.month >= self.stop_at):
                break
            w.step()
        if w.at_horizon or (self.stop_at is not None and w.month >= self.stop_at):
            self.playing.clear()
            self.stop_at = None
        drawn = time.monotonic()
        self._draw()
        self._frame_cost = 0.7 * self._frame_cost + 0.3 * (time.monotonic() - drawn)
        # keep the pace: the months of this frame should have taken months / speed seconds
        wait = months / self.speed - (time.monotonic() - start)
        if wait > 0 and self.playing.is_set() and self.commands.empty():
            self.wake.clear()
            if self.commands.empty():
                self.wake.wait(timeout=wait)  # a command (pause!) ends the wait at once

    def _draw(self) -> None:
        w = self.workshop
        assert w is not None
        lay = layout(*self.size, projector=self.projector)
        if self._main is None or self._main.needs_rebuild(w, lay, self.ratio):
            self._main = charts.OutcomeChart(w, lay, self.ratio)
        lower_size = lay.lower
        if self._lower is None or self._lower.key != (id(w), lower_size, lay.font, self.ratio):
            self._lower = charts.PopulationChart(w, lower_size, lay.font, self.ratio)
        self.serial += 1
        frame = Frame(
            serial=self.serial,
            month=w.month,
            horizon=w.horizon,
            playing=self.playing.is_set(),
            settings=self.settings,
            layout=lay,
            projector=self.projector,
            titles=tuple(s.title for s in w.sides),
            readouts=tuple(readouts(w)),
            events=tuple(w.events),
            targets=tuple(w.lever_targets()),
            levers={(s, g): w.levers(s, g) for s, g, _ in w.lever_targets()},
            firm_names=tuple(w.firm_names),
            main_png=self._main.draw(w),
            lower_png=self._lower.draw(w),
            history=tuple(
                (s.title, [f.name for f in s.model.firms], {k: list(v) for k, v in s.history.items()}) for s in w.sides
            ),
            error=self.error,
            message=self.message,
            stop_at=self.stop_at,
            per_frame=self.months_per_frame(),
            verdict=self._read_verdict(w),
        )
        if not self.stopped.is_set():
            t = time.monotonic()
            self.publish(frame)
            if DEBUG:
                print(f"frame {frame.serial} month {frame.month}: publish {time.monotonic() - t:.3f} s", flush=True)

    def _read_verdict(self, w: Workshop) -> Verdict:
        """The verdict panel's verdict: read anew when due (``sim.app.verdicts.due``), else the last one."""
        markets = [s.model for s in w.sides]
        key = (w, len(w.events))  # the workshop itself: a new one may reuse a freed one's id()
        changed = self._verdict_of is None or key[0] is not self._verdict_of[0] or key[1] != self._verdict_of[1]
        if changed:
            self._default_claim = default_claim(markets)
        claim = self.claim or self._default_claim
        if due(self._verdict, claim, w.month, self.playing.is_set(), changed):
            self._verdict = read_verdict(markets, claim, w.month)
        self._verdict_of = key
        assert self._verdict is not None
        return self._verdict


def readouts(w: Workshop) -> list[Readout]:
    out = []
    for s, side in enumerate(w.sides):
        churn, profit = side.series("churn_rate_annual")[-1], side.series("profit")[-1]
        for g, firm in enumerate(side.model.firms):
            o = firm.outcomes
            out.append(
                Readout(
                    market="AB"[s] if w.side_by_side else "",
                    firm=firm.name,
                    colour=charts.colour(w, s, g),
                    style="dashed" if s else "solid",
                    customers=int(o["customers"]),
                    trust=o["trust"],
                    bond=o["bond"],
                    churn=float(churn[g]),
                    profit=float(profit[g]),
                    trapped=o.get("trapped_share", float("nan")),
                )
            )
    return out
