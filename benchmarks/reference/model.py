"""The reference market: a plain Mesa model whose step activates agents phase by phase.

Each phase is one ``do``/``shuffle_do`` over agents, in the engine's order
(``sim.model.MarketModel.step``). Where the engine needs a figure over all customers
before anyone acts (a firm's complaint queue, the public posts about it) the firm
counts it first, as a Mesa user would.
"""

from __future__ import annotations

import math
from pathlib import Path

import mesa
import networkx as nx
import pandas as pd

from benchmarks.reference.agents import CustomerAgent, FirmAgent, clip
from benchmarks.reference.shocks import apply_shocks
from sim import compat
from sim.params import Levers
from sim.policies import POLICIES
from sim.scenario import Scenario, resolve_scenario


class ReferenceModel(mesa.Model):
    """The engine's market, one Python object per customer.

    >>> model = ReferenceModel("permanent_exit", seed=1, years=0.25)
    >>> len(model.run().outcomes()) == 4 * 4
    True
    """

    def __init__(
        self, scenario: Scenario | str | Path | None = None, *, seed: int | None = None, years: float | None = None
    ):
        scenario = resolve_scenario(scenario).with_changes(seed=seed, years=years)
        super().__init__(seed=scenario.seed)
        self.scenario, self.month, self.elapsed, self.recession = scenario, 0, 0, 0.0
        n_firms = len(scenario.firms)
        self.firm_agents = [
            FirmAgent(
                self,
                i,
                spec.name,
                spec.resolved_levers(),
                (
                    scenario.customers.firm_radius * math.cos(2 * math.pi * i / n_firms),
                    scenario.customers.firm_radius * math.sin(2 * math.pi * i / n_firms),
                ),
            )
            for i, spec in enumerate(scenario.firms)
        ]
        for firm, spec in zip(self.firm_agents, scenario.firms, strict=True):
            firm.entry_month, firm.policy = round(spec.enters_year * 12), POLICIES[spec.policy]
            firm.active = firm.entry_month == 0
        self.present = [f for f in self.firm_agents if f.active]
        self.customer_agents = [self._new_customer() for _ in range(scenario.customers.count)]
        self._connect()
        for firm in self.firm_agents:
            firm.customers_end = sum(1 for c in self.customer_agents if c.firm is firm)
            firm.reserves = self.starting_reserves() if firm.active else 0.0
            firm.staff = firm.lv.service_capacity / 100.0 * firm.customers_end
        self.reference_price = self._reference_price()
        self.records: list[dict] = []
        for month in range(1 - scenario.burn_in_months, 1):  # the burn-in: simulated, not recorded
            self.simulate_month(month)
        self._record()

    # -- set-up ------------------------------------------------------------------------------
    def _trait(self, mean: float) -> float:
        """Beta-distributed trait with the given mean (``state._trait``)."""
        spread = self.scenario.customers.heterogeneity
        if spread < 1e-6 or mean <= 0 or mean >= 1:
            return mean
        concentration = 2.0 / spread**2
        return self.random.betavariate(mean * concentration, (1 - mean) * concentration)

    def _new_customer(self) -> CustomerAgent:
        """One customer drawn as in ``state.new_customers``."""
        spec, r = self.scenario.customers, self.random
        seeker = r.random() < spec.relationship_seekers
        traits = {
            "relationship_need": self._trait(spec.seeker_need if seeker else spec.buyer_need),
            "price_sensitivity": self._trait(spec.price_sensitivity),
            "patience": self._trait(spec.patience),
            "reactance": self._trait(spec.lockin_reactance),
            "talkativeness": self._trait(spec.talkativeness),
        }
        needs = [r.gauss(0.0, spec.needs_spread), r.gauss(0.0, spec.needs_spread)]
        firm = r.choice(self.present) if r.random() < spec.in_market else None
        opinion = [clip(r.gauss(0.5, 0.1)) for _ in self.firm_agents]
        c = CustomerAgent(self, firm, traits, needs, opinion)
        if firm is not None:
            c.offer = c.tailored(firm)
            c.trust = clip(r.gauss(0.55, 0.15))
            c.tenure = r.randrange(60)
            c.bond = 0.3 * c.relationship_need * r.random()
            c.satisfaction = c.expectation = 0.6
            c.contract_left = r.randrange(firm.lv.contract_term) if firm.lv.contract_term > 0 else 0
        return c

    def _connect(self) -> None:
        """The social network (``network.build_network``): friends lists on the customers."""
        spec, people, r = self.scenario.network, self.customer_agents, self.random
        n = len(people)
        if spec.kind == "small_world":  # ring lattice, each edge's far end rewired with probability ``rewiring``
            edges = []
            for i in range(n):
                for k in range(1, max(1, spec.degree // 2) + 1):
                    edges.append((i, r.randrange(n) if r.random() < spec.rewiring else (i + k) % n))
        elif spec.kind == "scale_free":
            edges = nx.barabasi_albert_graph(n, max(1, spec.degree // 2), seed=r.randrange(2**31)).edges()
        else:
            edges = nx.fast_gnp_random_graph(n, spec.degree / max(n - 1, 1), seed=r.randrange(2**31)).edges()
        friends: list[set[int]] = [set() for _ in people]
        for i, j in edges:
            if i != j:
                friends[i].add(j)
                friends[j].add(i)
        for person, theirs in zip(people, friends, strict=True):
            person.friends = [people[j] for j in sorted(theirs)]

    # -- one month ---------------------------------------------------------------------------------
    def step(self) -> None:
        self.simulate_month(self.steps)
        self._record()
        if self.steps >= self.scenario.months:
            self.running = False

    def simulate_month(self, month: int) -> None:
        """One month, phase by phase (``MarketModel.simulate_month``); burn-in months are <= 0."""
        on, b = self.scenario.mechanisms, self.scenario.behaviour
        firms, customers = self.agents_by_type[FirmAgent], self.agents_by_type[CustomerAgent]
        self.month = month
        self.elapsed += 1
        self.enter_firms()
        if on.re_steering:
            self.re_steer()
        firms.do("begin_month")
        for c in self.customer_agents:
            c.triggered, c.may_enter = False, True
        self.apply_shocks()
        for firm in self.firm_agents:
            firm.open_back_office(self.customer_agents, on.queues)
        customers.shuffle_do("live_month")
        firms.do("update_staff")
        customers.shuffle_do("speak")
        for firm in self.firm_agents:
            firm.reached = 1 - (1 - b.public_reach) ** firm.tally.get("posts", 0) if on.public_channel else 0.0
        customers.shuffle_do("listen")
        customers.shuffle_do("decide")
        customers.shuffle_do("maybe_enter")
        firms.do("settle_accounts")
        self.settle_reserves()

    def starting_reserves(self) -> float:
        """``firms.starting_reserves``: money per customer of an equal share of the market, at the mean price."""
        mean_price = sum(f.lv.price for f in self.firm_agents) / len(self.firm_agents)
        at_start = max(sum(1 for f in self.firm_agents if f.entry_month == 0), 1)
        return self.scenario.economics.starting_reserves * mean_price * len(self.customer_agents) / at_start

    def enter_firms(self) -> None:
        """``firms.enter_firms``: an entrant arrives in its month with fresh reserves and no staff."""
        if not self.scenario.mechanisms.firm_entry:
            return
        for firm in self.firm_agents:
            if firm.entry_month == self.month and self.month > 0:
                firm.active, firm.reserves, firm.exhaustion, firm.staff = True, self.starting_reserves(), 0.0, 0.0

    def re_steer(self) -> None:
        """``MarketModel.re_steer``: each firm's policy may change its levers after a year of losing customers."""
        for firm in self.firm_agents:
            if not firm.active or len(firm.history) < 13:
                continue
            year_ago, now = firm.history[-13], firm.history[-1]
            outcomes = {"customer_change": (now - year_ago) / max(year_ago, 1.0)}
            changes = firm.policy.adapt(outcomes, firm.lv, self.scenario.behaviour)
            if changes:
                firm.lv = Levers.model_validate({**firm.lv.model_dump(), **changes})

    def settle_reserves(self) -> None:
        """``firms.settle_reserves``: a firm whose reserves ran out leaves; its customers choose again."""
        if not self.scenario.mechanisms.firm_exit:
            return
        leaving = [f for f in self.firm_agents if f.active and f.reserves < 0]
        if not leaving:
            return
        for firm in leaving:
            firm.active = False
        released = [c for c in self.customer_agents if c.firm in leaving]
        self.reference_price = self._reference_price()
        b = self.scenario.behaviour
        for c in released:
            c.detach()
        for c in released:
            if not any(f.active for f in self.firm_agents):
                break
            best, best_u = None, -math.inf
            for firm in self.firm_agents:
                u = c.joining_utility(firm) + b.choice_noise * c.gumbel()
                if best is None or u > best_u:
                    best, best_u = firm, u
            if best_u > b.outside_option + b.choice_noise * c.gumbel():
                c.join(best)
        for firm in self.firm_agents:
            firm.customers_end = sum(1 for c in self.customer_agents if c.firm is firm)
            firm.acquired_last_month = firm.tally.get("acquired", 0)

    def apply_shocks(self) -> None:
        """``shocks.apply_shocks``, kind by kind as in ``benchmarks/reference/shocks.py``."""
        apply_shocks(self)
        self.reference_price = self._reference_price()

    def _reference_price(self) -> float:
        firms = [f for f in self.firm_agents if f.active] or self.firm_agents
        return sum(f.lv.price * f.price_factor for f in firms) / len(firms)

    # -- results -----------------------------------------------------------------------------
    def _record(self) -> None:
        for firm in self.firm_agents:
            mine = [c for c in self.customer_agents if c.firm is firm]
            n = len(mine)
            self.records.append(
                {
                    "step": self.steps,
                    "firm": firm.name,
                    "customers": float(n),
                    "trust": sum(c.trust for c in mine) / n if n else math.nan,
                    "bond": sum(c.bond for c in mine) / n if n else math.nan,
                    "satisfaction": sum(c.satisfaction for c in mine) / n if n else math.nan,
                    "trapped_share": sum(c.trapped for c in mine) / n if n else math.nan,
                    "churned": float(firm.tally.get("churned", 0)),
                    "acquired": float(firm.tally.get("acquired", 0)),
                    "profit": firm.tally.get("profit", 0.0),
                    "staff_exhaustion": firm.exhaustion,
                    "active": float(firm.active),
                    "reserves": firm.reserves,
                }
            )
            firm.history.append(float(n))

    def run(self) -> ReferenceModel:
        while self.running:
            self.step()
        return self

    def outcomes(self) -> pd.DataFrame:
        """One row per firm and month, with the engine's column names."""
        return pd.DataFrame(self.records)

    def release(self) -> None:
        """Let go of this model (Mesa 3.3 keeps every model alive through ``Agent._ids``)."""
        compat.release(self)


def run_reference(
    scenario: Scenario | str | Path | None = None, *, years: float | None = None, seed: int | None = None
) -> pd.DataFrame:
    """Run the reference model and return its table (the counterpart of ``sim.run``)."""
    model = ReferenceModel(scenario, seed=seed, years=years)
    try:
        return model.run().outcomes()
    finally:
        model.release()
