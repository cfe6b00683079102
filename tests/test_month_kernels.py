"""The compiled kernels of the first half of the month: needs, service, contacts, listening, judgement.

Invariants on the compact (float32) state over random states, switches and seeds; counts that add up;
and keyed draws: a customer's month does not depend on how many other customers the market has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.draws import seed_key
from sim.mechanisms.needs import drift_needs
from sim.mechanisms.relationship import judge_month
from sim.mechanisms.sales import contact_customers, listen_and_adapt
from sim.mechanisms.service import HANDLING, serve_customers
from sim.state import CustomerState, FirmState, FirmTable, MarketState, Tally

from conftest import small

PHASES: dict[str, Callable[[MarketState], None]] = {
    "drift_needs": drift_needs,
    "serve_customers": serve_customers,
    "contact_customers": contact_customers,
    "listen_and_adapt": listen_and_adapt,
    "judge_month": judge_month,
}
ROWS = [f.name for f in fields(CustomerState)]  # every per-customer array
SHARES = ("trust", "bond", "satisfaction", "expectation", "resentment", "warmth", "annoyance", "experience")


def model_of(customers: int, seed: int, mechanisms: dict[str, bool] | None = None) -> sim.MarketModel:
    return sim.MarketModel(small("budget_sales", customers=customers, years=1, seed=seed, mechanisms=mechanisms or {}))


def scramble(m: MarketState, rng: np.random.Generator) -> None:
    """A random but valid customer state: shares in [0, 1], open complaints, hidden defects, contracts, promotions."""
    c, n = m.customers, m.customers.n
    for name in ("trust", "bond", "satisfaction", "expectation", "resentment", "warmth", "price_sensitivity"):
        getattr(c, name)[:] = rng.random(n)
    c.service_score[:] = rng.random(n)
    c.tenure[:] = rng.integers(0, 120, n)
    c.complaint_wait[:] = np.where(rng.random(n) < 0.3, rng.integers(1, 8, n), 0)
    c.hidden_defects[:] = np.where(rng.random(n) < 0.3, rng.integers(1, 12, n), 0)
    c.contract_left[:] = rng.integers(0, 3, n)
    c.promo_left[:] = rng.integers(0, 3, n)
    c.trapped[:] = rng.random(n) < 0.3
    detached = c.firm < 0
    for name in ("trust", "bond", "satisfaction", "expectation", "resentment", "complaint_wait", "hidden_defects"):
        getattr(c, name)[detached] = 0
    m.firms.exhaustion[:-1] = rng.random(m.n_firms)
    m.firms.sales_push[:-1] = rng.random(m.n_firms)


switches = st.fixed_dictionaries(
    {},
    optional={
        name: st.booleans()
        for name in (
            "needs_drift",
            "life_events",
            "service_failures",
            "complaints",
            "queues",
            "hidden_defects",
            "emotional_bond",
            "sales_contacts",
            "resentment",
            "loyalty_penalty",
            "trust_asymmetry",
        )
    },
)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), month=st.integers(-60, 240), mechanisms=switches)
def test_state_stays_compact_and_in_bounds_and_the_counts_add_up(seed, month, mechanisms):
    model = model_of(300, seed, mechanisms)
    try:
        m, c, t = model.market, model.market.customers, model.market.tally
        scramble(m, np.random.default_rng(seed))
        m.month = m.elapsed = month
        m.tally.reset()
        waiting_before = (c.complaint_wait > 0).copy()
        defects_before = int(c.hidden_defects[c.firm >= 0].sum())
        drift_needs(m)
        serve_customers(m)
        h = c.handling
        failed, complained = (h & HANDLING["failed"]) > 0, (h & HANDLING["complained"]) > 0
        first, later, gave_up = ((h & HANDLING[k]) > 0 for k in ("resolved_first_contact", "resolved_later", "gave_up"))
        assert t.failures.sum() == failed.sum() <= t.encounters.sum() <= (c.firm >= 0).sum()
        assert t.failures.sum() == t.complaints.sum() + t.silent_failures.sum()
        assert t.complaints.sum() == complained.sum() and t.resolved_first_contact.sum() == first.sum()
        assert t.resolved_later.sum() == later.sum() and t.neglected.sum() == gave_up.sum()
        assert not (complained & waiting_before).any()  # one open complaint at a time
        assert not ((later | gave_up) & ~waiting_before).any()  # only open complaints are resolved later or dropped
        assert np.array_equal(c.complaint_wait == 1, (complained & ~first) | (waiting_before & (c.complaint_wait == 1)))
        assert t.queue.sum() == (c.complaint_wait > 0).sum()
        assert t.complaints_handled.sum() == first.sum() + later.sum()
        new_hidden = int(failed.sum() - t.disclosed.sum()) if m.mechanisms.hidden_defects else 0
        assert defects_before + new_hidden - t.defects_discovered.sum() == c.hidden_defects.sum()
        assert (c.hidden_defects >= 0).all() and (c.complaint_wait >= 0).all()
        contact_customers(m)
        assert t.accepted_pitches.sum() <= t.pitches.sum()
        assert t.pitches.sum() + t.care_contacts.sum() <= (c.firm >= 0).sum()
        listen_and_adapt(m)
        judge_month(m)
        for name in SHARES:
            values = getattr(c, name)
            assert values.dtype == np.float32, name
            assert np.all((values >= 0) & (values <= 1)), name
        assert c.needs.dtype == c.offer.dtype == np.float32 and np.isfinite(c.needs).all()
        assert c.service_score.dtype == np.float32 and (c.service_score >= 0).all()
        assert (c.contract_left >= 0).all() and (c.promo_left >= 0).all()
        assert (c.experience[c.firm < 0] == 0).all() and (c.satisfaction[c.firm < 0] == 0).all()
    finally:
        model.release()


def copy_rows(small_model: MarketState, large_model: MarketState) -> None:
    """The small market's customers become copies of the large market's first customers; firms alike."""
    n = small_model.customers.n
    for name in ROWS:
        getattr(small_model.customers, name)[:] = getattr(large_model.customers, name)[:n]
    small_model.firms_changed()
    for name in ("exhaustion", "price_factor", "sales_push", "customers_start", "staff", "active"):
        getattr(small_model.firms, name)[:] = getattr(large_model.firms, name)


@pytest.mark.parametrize("phase", list(PHASES))
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), month=st.integers(-60, 240))
def test_a_customers_month_does_not_depend_on_the_size_of_the_market(phase, seed, month):
    """Customers 0..49 of a market of 50 live the same month as customers 0..49 of a market of 500."""
    large, little = model_of(500, seed), model_of(50, seed)
    try:
        a, b = large.market, little.market
        scramble(a, np.random.default_rng(seed % 2**32))
        a.customers.complaint_wait[:] = 0  # the back office's queue is shared by the firm's customers
        copy_rows(b, a)
        for m in (a, b):
            m.month = m.elapsed = month
            m.tally.reset()
            PHASES[phase](m)
        for name in ROWS:
            np.testing.assert_array_equal(getattr(b.customers, name), getattr(a.customers, name)[:50], err_msg=name)
    finally:
        large.release()
        little.release()


def test_draws_change_with_the_month_and_the_seed():
    """The same customers in another month, or on another seed, take other draws."""
    outcomes = []
    for seed, month in ((1, 3), (1, 4), (2, 3)):
        model = model_of(400, 1)
        model.market.keys[:] = seed_key(seed)
        model.market.month = model.market.elapsed = month
        drift_needs(model.market)
        outcomes.append(model.market.customers.needs.copy())
        model.release()
    assert not np.array_equal(outcomes[0], outcomes[1]) and not np.array_equal(outcomes[0], outcomes[2])


def batched(a: MarketState, b: MarketState) -> MarketState:
    """Markets ``a`` and ``b`` (same firms, same size) as one state of two replications, in the batch layout."""
    F = a.n_firms
    columns = {}
    for name in ROWS:
        x, y = getattr(a.customers, name), getattr(b.customers, name)
        if name == "firm":
            y = np.where(y >= 0, y + F, -1)
        columns[name] = np.concatenate([x, y])
    init = {f.name for f in fields(CustomerState) if f.init}
    customers = CustomerState(**{k: v for k, v in columns.items() if k in init})
    for name in set(ROWS) - init:
        getattr(customers, name)[:] = columns[name]
    firms = FirmState(
        *(np.concatenate([getattr(a.firms, f.name)[:-1], getattr(b.firms, f.name)]) for f in fields(FirmState))
    )
    return replace(
        a,
        customers=customers,
        levers=FirmTable(a.levers.levers + b.levers.levers),
        firms=firms,
        tally=Tally(2 * F),
        markets=2,
        keys=np.concatenate([a.keys, b.keys]),
        _slot=None,
    )


@pytest.mark.parametrize("phase", list(PHASES))
def test_two_markets_stepped_as_one_state_live_what_each_lives_alone(phase):
    """Replication r of a batch draws and decides exactly what a single run with its seed does."""
    one, two = model_of(200, 11), model_of(200, 12)
    try:
        a, b = one.market, two.market
        for m, seed in ((a, 11), (b, 12)):
            scramble(m, np.random.default_rng(seed))
            m.firms.price_factor[:-1] = np.random.default_rng(seed).uniform(0.7, 1.0, m.n_firms)
            m.month = m.elapsed = 5
            m.tally.reset()
        both = batched(a, b)
        for m in (a, b, both):
            PHASES[phase](m)
        for name in ROWS:
            if name != "firm":
                got = getattr(both.customers, name)
                np.testing.assert_array_equal(got[:200], getattr(a.customers, name), err_msg=name)
                np.testing.assert_array_equal(got[200:], getattr(b.customers, name), err_msg=name)
        F = a.n_firms
        for name in Tally.NAMES:
            got, x, y = getattr(both.tally, name), getattr(a.tally, name), getattr(b.tally, name)
            np.testing.assert_array_equal(got, np.concatenate([x[:-1], y[:-1], x[-1:] + y[-1:]]), err_msg=name)
        np.testing.assert_array_equal(both.firms.load[:F], a.firms.load[:-1])
        np.testing.assert_array_equal(both.firms.load[F:-1], b.firms.load[:-1])
    finally:
        one.release()
        two.release()
