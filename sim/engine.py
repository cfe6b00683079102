"""The month's driver: one market, or R replications of a scenario stepped as one state.

:class:`Engine` builds the state and runs the phases of a month in the order of the model
brief, each one function in ``sim.mechanisms``; :class:`~sim.model.MarketModel` wraps an
engine of one market in Mesa, and :func:`run_batch` steps R replications of a scenario as
one state of R x N customers (customers ``r*N .. r*N+N-1`` and firm slots ``r*F .. r*F+F-1``
are market ``r``), recording outcomes into a preallocated array. Every market of a batch
draws from its own seed (``sim.draws`` keys each customer's draws by seed, stream, month
and index within the market) and no computation mixes markets, so replication ``r`` of a
batch equals, bit for bit, a single run with seed ``seeds[r]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from sim.draws import seed_key
from sim.mechanisms.capacity import hire_staff, needed_capacity
from sim.mechanisms.economics import settle_accounts
from sim.mechanisms.firms import enter_firms, settle_reserves, starting_reserves
from sim.mechanisms.needs import drift_needs
from sim.mechanisms.relationship import judge_month
from sim.mechanisms.sales import contact_customers, listen_and_adapt, set_sales_pressure
from sim.mechanisms.service import serve_customers
from sim.mechanisms.shocks import apply_shocks
from sim.mechanisms.staff import update_staff
from sim.mechanisms.switching import decide, enter_market
from sim.mechanisms.word_of_mouth import advertise, talk
from sim.metrics import measure
from sim.network import build_network
from sim.params import Levers
from sim.policies import POLICIES, Policy
from sim.scenario import Scenario, Shock, resolve_scenario
from sim.state import STREAMS, CustomerState, FirmState, FirmTable, MarketState, Tally, by_slot, new_customers

HISTORY = 13  # months of customer counts kept for re-steering (a year ago and now)


def streams(seed: int) -> dict[str, np.random.Generator]:
    """The numpy generators of one run (population and network are drawn with them once, at the start)."""
    spawned = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(STREAMS, spawned, strict=True)}


def build_state(scenario: Scenario, seeds: Sequence[int]) -> MarketState:
    """The state of ``len(seeds)`` markets of ``scenario``, market ``r`` drawn from ``seeds[r]`` alone."""
    R, F, N = len(seeds), len(scenario.firms), scenario.customers.count
    angles = 2 * np.pi * np.arange(F) / F
    positions = scenario.customers.firm_radius * np.column_stack([np.cos(angles), np.sin(angles)])
    levers = [spec.resolved_levers() for spec in scenario.firms]
    entry_month = np.array([round(spec.enters_year * 12) for spec in scenario.firms], dtype=np.int64)
    present = np.flatnonzero(entry_month == 0)
    markets, networks, generators = [], [], []
    for seed in seeds:
        rng = streams(seed)
        markets.append(new_customers(scenario.customers, F, positions, levers, rng["population"], present))
        networks.append(build_network(scenario.network, N, rng["network"]))
        generators.append(rng)
    customers = markets[0] if R == 1 else _concatenate(markets, F)
    network = networks[0] if R == 1 else sp.block_diag(networks, format="csr", dtype=np.float32)
    state = MarketState(
        customers=customers,
        levers=FirmTable(levers * R),
        firms=FirmState.fresh(R * F),
        tally=Tally(R * F),
        customer_spec=scenario.customers,
        behaviour=scenario.behaviour,
        mechanisms=scenario.mechanisms,
        economics=scenario.economics,
        scores=scenario.scores,
        measures=scenario.measures,
        positions=positions,
        network=network,
        rng=generators[0] if R == 1 else {},  # a batch draws only through sim.draws
        entry_month=np.tile(entry_month, R),
        markets=R,
        keys=np.stack([seed_key(s) for s in seeds]),
    )
    counts = by_slot(state.slot, state.n_firms, state.customers.attached)
    state.firms.customers_start[:] = counts
    state.firms.customers_end[:] = counts
    state.firms.active[:-1] = state.entry_month == 0
    state.firms.reserves[:-1] = np.where(state.entry_month == 0, starting_reserves(state), 0.0)
    state.firms.staff[:] = needed_capacity(state)
    return state


def _concatenate(markets: list[CustomerState], n_firms: int) -> CustomerState:
    """One customer state of several markets, market r's firms renumbered to slots r*F .. r*F+F-1."""
    columns = {}
    for f in fields(CustomerState):
        if f.init:
            columns[f.name] = np.concatenate([getattr(c, f.name) for c in markets])
    offsets = np.repeat(np.arange(len(markets)) * n_firms, [c.n for c in markets])
    columns["firm"] = np.where(columns["firm"] >= 0, columns["firm"] + offsets, -1)
    return CustomerState(**columns)


class Engine:
    """The market's state and the month, phase by phase, for one market or a batch of replications."""

    def __init__(self, scenario: Scenario, seeds: Sequence[int]):
        self.scenario = scenario
        self.shocks: list[Shock] = list(scenario.shocks)
        self.state = build_state(scenario, seeds)
        self.seeds = [int(s) for s in seeds]
        self.policies: list[type[Policy]] = [POLICIES[spec.policy] for spec in scenario.firms] * len(seeds)
        self.firm_index = {spec.name: g for g, spec in enumerate(scenario.firms)}
        self.outcomes: dict[str, np.ndarray] = {}  # the last month's outcomes, one value per firm slot
        self.history: list[np.ndarray] = []  # customers per firm slot at the end of each recorded month

    def burn_in(self) -> None:
        """The months before recording starts: simulated, not recorded; then the first record."""
        for month in range(1 - self.scenario.burn_in_months, 1):
            self.simulate_month(month)
        self.record()

    def simulate_month(self, month: int) -> None:
        """One month of the market, phase by phase; ``month`` counts recorded steps (burn-in months are <= 0)."""
        self.begin_month(month)
        for _, phase in self.phases:
            phase(self.state)
        m = self.state
        m.recent.push(m.tally.churned, (m.firms.customers_start + m.firms.customers_end) / 2)

    @property
    def phases(self) -> tuple[tuple[str, Callable[[MarketState], None]], ...]:
        """The month's phases in the order of the brief, each with its name (as profiles show them)."""
        return (
            ("shocks", lambda m: apply_shocks(m, self.shocks, self.firm_index)),
            ("staff hiring", hire_staff),  # the back office follows the customer base, with a lag
            ("needs", drift_needs),  # customers change by themselves
            ("service", serve_customers),  # encounters, failures, complaints, resolution, queues
            ("contacts", contact_customers),  # sales pitches and care contacts
            ("listening", listen_and_adapt),  # firms that listen follow drifting needs
            ("staff strain", update_staff),  # strain and exhaustion of front-line staff
            ("judging", judge_month),  # experience, satisfaction, trust, bond, resentment
            ("word of mouth", talk),  # word of mouth and public posts
            ("advertising", advertise),  # advertising; opinions fade
            ("switching", decide),  # stay, switch or leave
            ("entry", enter_market),  # firms win customers from outside the market
            ("accounts", settle_accounts),  # revenue, costs, profit
            ("reserves", settle_reserves),  # losses eat reserves; a firm out of money leaves
        )

    def begin_month(self, month: int) -> None:
        """Firms set sales pressure from last month's results; this month's counters start at zero."""
        m = self.state
        m.month = month
        m.elapsed += 1
        enter_firms(m)
        if m.mechanisms.re_steering:
            self.re_steer()
        set_sales_pressure(m)
        m.tally.reset()
        m.firms.customers_start[:] = m.firms.customers_end
        m.customers.triggered[:] = False
        m.customers.may_enter[:] = True

    def re_steer(self) -> None:
        """Each firm in the market may change its levers after last month (``Policy.adapt``), never per customer."""
        m = self.state
        if len(self.history) < HISTORY:
            return
        year_ago, now = self.history[-HISTORY], self.history[-1]
        levers = list(m.levers.levers)
        changed = False
        for g, policy in enumerate(self.policies):
            if not m.firms.active[g]:
                continue
            outcomes = {name: float(values[g]) for name, values in self.outcomes.items()}
            outcomes["customer_change"] = (now[g] - year_ago[g]) / max(year_ago[g], 1.0)
            changes = policy.adapt(outcomes, levers[g], m.behaviour)
            if changes:
                levers[g] = Levers.model_validate({**levers[g].model_dump(), **changes})
                changed = True
        if changed:
            m.levers.update(levers)

    def record(self) -> dict[str, np.ndarray]:
        """Measure the month's outcomes (one value per firm slot) and remember the customer counts."""
        self.outcomes = measure(self.state)
        self.history.append(self.outcomes["customers"])
        del self.history[:-HISTORY]
        return self.outcomes


def run_batch(
    scenario: Scenario | str | Path | None, seeds: Sequence[int], *, years: float | None = None
) -> pd.DataFrame:
    """Run ``scenario`` (object, file, preset name; None = default market) once per seed, all replications
    stepped as one state; the tidy table of every run.

    The rows and columns are those of :func:`sim.run` for each seed, concatenated in the order of
    ``seeds`` (and equal to them, bit for bit).

    >>> from sim.scenario import preset_scenario
    >>> s = preset_scenario("permanent_exit", customers=200).with_changes(years=1, burn_in_years=0)
    >>> table = run_batch(s, [1, 2, 3])
    >>> table.groupby("seed").size().tolist()
    [52, 52, 52]
    """
    scenario = resolve_scenario(scenario).with_changes(years=years)
    if not len(seeds):
        raise ValueError("run_batch needs at least one seed")
    engine = Engine(scenario, seeds)
    engine.burn_in()
    names = list(engine.outcomes)
    months, slots = scenario.months, engine.state.n_firms
    values = np.empty((months + 1, len(names), slots))
    values[0] = [engine.outcomes[name] for name in names]
    for step in range(1, months + 1):
        engine.simulate_month(step)
        outcomes = engine.record()
        values[step] = [outcomes[name] for name in names]
    return outcome_table(scenario, engine, values, names)


def outcome_table(scenario: Scenario, engine: Engine, values: np.ndarray, names: list[str]) -> pd.DataFrame:
    """The tidy table (step, year, seed, scenario, firm, policy, outcomes) of a batch's recorded months."""
    months, F = values.shape[0], len(scenario.firms)
    frames = []
    for r, seed in enumerate(engine.seeds):
        block = values[:, :, r * F : (r + 1) * F]  # (months, outcomes, F)
        table = pd.DataFrame(block.transpose(0, 2, 1).reshape(months * F, len(names)), columns=names)
        steps = np.repeat(np.arange(months), F)
        table.insert(0, "step", steps)
        table.insert(1, "year", steps / 12.0)
        table.insert(2, "seed", seed)
        table.insert(3, "scenario", scenario.name)
        table.insert(4, "firm", [spec.name for spec in scenario.firms] * months)
        policies = [engine.policies[r * F + g].name for g in range(F)]
        table.insert(5, "policy", policies * months)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
