"""The second half of the month on compiled kernels: talk, advertising, choices, accounts, reserves, the metrics.

Replications stepped as one state must give each market what it gets alone; a customer's draws must not depend
on how many customers there are; the kernels keep the invariants of the rules (opinions in [0, 1], counts that add
up, every tie cut on leaving); the array functions other code asks (``joining_utility``) agree with the choices the
kernels make; and the one pass behind the metrics agrees with the same outcomes counted directly.
"""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.draws import STREAM_ID, logistic, uniform_table
from sim.mechanisms.choice import logit_best
from sim.mechanisms.economics import settle_accounts
from sim.mechanisms.firms import settle_reserves
from sim.mechanisms.switching import TIES, decide, detach, enter_market, exit_cost, joining_utility, staying_utility
from sim.mechanisms.word_of_mouth import advertise, talk
from sim.metrics import measure
from sim.state import CustomerState, FirmState, FirmTable, MarketState, Tally
from sim.typology import TYPES, classify

from conftest import small

PHASES = (talk, advertise, decide, enter_market, settle_accounts, settle_reserves)
PER_FIRM = ("tally", "firms")


def _state(customers: int = 300, months: int = 6, seed: int = 4, **sections) -> MarketState:
    """A small market after a few months (so relationships have moved), as one state."""
    model = sim.MarketModel(small("loyalty_lock_in", customers=customers, years=1, seed=seed, **sections))
    try:
        model.run(months)
        m = copy.deepcopy(model.market)
    finally:
        model.release()
    m.month += 1
    m.elapsed += 1
    return m


def _batched(m: MarketState, markets: int) -> MarketState:
    """``markets`` copies of the one-market state ``m`` stepped as one batched state (same seed in each)."""
    F, c = m.n_firms, m.customers

    def per_customer(name: str) -> np.ndarray:
        value = getattr(c, name)
        if name == "firm":
            return np.concatenate([np.where(value >= 0, value + r * F, -1) for r in range(markets)])
        return np.concatenate([value] * markets)

    init = {f.name: per_customer(f.name) for f in fields(CustomerState) if f.init}
    customers = CustomerState(**init)
    for f in fields(CustomerState):
        if not f.init:
            setattr(customers, f.name, per_customer(f.name))

    def per_firm(a: np.ndarray) -> np.ndarray:
        return np.concatenate([*([a[:-1]] * markets), a[-1:]])

    firms = FirmState(**{f.name: per_firm(getattr(m.firms, f.name)) for f in fields(FirmState)})
    tally = Tally(markets * F)
    for name in Tally.NAMES:
        setattr(tally, name, per_firm(getattr(m.tally, name)))
    out = MarketState(
        customers=customers,
        levers=FirmTable(m.levers.levers * markets),
        firms=firms,
        tally=tally,
        customer_spec=m.customer_spec,
        behaviour=m.behaviour,
        mechanisms=m.mechanisms,
        economics=m.economics,
        positions=m.positions,
        network=sp.block_diag([m.network] * markets, format="csr"),
        rng=m.rng,
        month=m.month,
        elapsed=m.elapsed,
        recession=m.recession,
        scores=m.scores,
        measures=m.measures,
        entry_month=m.entry_month,
        markets=markets,
        keys=np.repeat(m.keys, markets, axis=0),
    )
    for name in ("churned", "base"):
        value = getattr(m.recent, name)
        setattr(out.recent, name, np.concatenate([*([value[:, :-1]] * markets), value[:, -1:]], axis=1))
    out.recent.filled = m.recent.filled
    return out


def _market(m: MarketState, r: int, per_market: int) -> dict[str, np.ndarray]:
    """Customer arrays of market ``r`` (firms as local indices) and its firms' per-firm arrays."""
    F, N, c = m.firms_per_market, per_market, m.customers
    rows = slice(r * N, (r + 1) * N)
    out = {f.name: np.asarray(getattr(c, f.name))[rows] for f in fields(CustomerState)}
    out["firm"] = np.where(out["firm"] >= 0, out["firm"] - r * F, -1)
    for name in Tally.NAMES:
        out[f"tally.{name}"] = getattr(m.tally, name)[r * F : (r + 1) * F]
    for f in fields(FirmState):
        out[f"firms.{f.name}"] = getattr(m.firms, f.name)[r * F : (r + 1) * F]
    return out


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.__name__)
def test_two_markets_in_one_state_each_get_what_one_market_gets_alone(phase):
    one = _state()
    one.firms.reserves[1] = -1.0  # a firm runs out of money: its customers choose again
    both = _batched(copy.deepcopy(one), 2)
    phase(one)
    phase(both)
    alone = _market(one, 0, one.customers.n)
    for r in range(2):
        batched = _market(both, r, one.customers.n)
        for name, value in alone.items():
            assert np.array_equal(batched[name], value, equal_nan=True), (phase.__name__, r, name)


def test_two_markets_in_one_state_are_measured_as_each_alone():
    one = _state()
    both = _batched(copy.deepcopy(one), 2)
    alone, batched = measure(one), measure(both)
    F = one.n_firms
    for name, value in alone.items():
        for r in range(2):
            assert np.array_equal(batched[name][r * F : (r + 1) * F], value, equal_nan=True), name


def _first(m: MarketState, n: int) -> MarketState:
    """The first ``n`` customers of ``m`` alone, with the ties among them."""
    out = copy.deepcopy(m)
    c = out.customers
    for f in fields(CustomerState):
        value = getattr(c, f.name)
        setattr(c, f.name, np.ascontiguousarray(value[:n]))
    out.network = m.network[:n, :n].tocsr()
    out.firms_changed()
    return out


@pytest.mark.parametrize("phase", (talk, decide, enter_market), ids=lambda p: p.__name__)
def test_a_customers_draws_do_not_depend_on_how_many_customers_there_are(phase):
    big = _state(customers=500, mechanisms={"public_channel": False})  # a post reaches the whole market
    small_market = _first(big, 50)
    phase(big)
    phase(small_market)
    contacts = np.diff(big.network[:50].tocsr().indptr)
    inside = np.diff(big.network[:50, :50].tocsr().indptr)
    same = contacts == inside  # customers whose contacts are all among the first 50
    assert same.sum() > 20
    for name in ("firm", "trust", "trapped", "contract_left", "opinion"):
        assert np.array_equal(getattr(big.customers, name)[:50][same], getattr(small_market.customers, name)[same])


@given(seed=st.integers(0, 2**32 - 1), noise=st.floats(0.0, 1.0), review=st.floats(0.0, 1.0))
def test_choices_keep_the_books_and_cut_every_tie(seed, noise, review):
    m = _state(customers=200, months=2, behaviour={"choice_noise": noise, "review_rate": review, "reentry_rate": 0.5})
    m.keys = sim.draws.seed_key(seed)[None, :]
    F = m.n_firms
    before = np.bincount(m.slot, minlength=F + 1)[:F]
    m.tally.reset()
    decide(m)
    t, c = m.tally, m.customers
    assert t.acquired.sum() == t.switched_out.sum()  # a switcher joins one other firm
    assert np.all(t.looked >= t.churned) and np.all(c.trapped <= c.attached)
    enter_market(m)
    after = np.bincount(m.slot, minlength=F + 1)[:F]
    assert np.array_equal(t.churned, t.switched_out + t.left_market)
    assert np.array_equal(after, before - t.churned[:F] + t.acquired[:F])
    gone = ~c.attached
    for name in (*TIES, "trapped"):
        assert np.all(getattr(c, name)[gone] == 0), name
    assert np.all((c.trust >= 0) & (c.trust <= 1)) and c.trust.dtype == np.float32
    assert c.contract_left.dtype == np.int16 and c.firm.dtype == np.int32


@given(seed=st.integers(0, 2**32 - 1), weight=st.floats(0.0, 1.0), impact=st.floats(0.0, 1.0))
def test_opinions_stay_in_zero_one_and_float32(seed, weight, impact):
    m = _state(customers=200, months=1, behaviour={"wom_weight": weight, "public_impact": impact})
    m.keys = sim.draws.seed_key(seed)[None, :]
    talk(m)
    advertise(m)
    o = m.customers.opinion
    assert o.dtype == np.float32 and o.flags.c_contiguous
    assert np.all((o >= 0) & (o <= 1))
    assert np.all(m.tally.posts <= m.tally.wom_negative + np.sum(m.customers.attached))


def test_detach_cuts_exactly_the_ties():
    m = _state(customers=100, months=1)
    c = m.customers
    idx = np.flatnonzero(c.attached)[:10]
    kept = {name: np.copy(getattr(c, name)) for name in ("needs", "offer", "opinion", "price_sensitivity")}
    detach(m, idx)
    assert np.all(c.firm[idx] == -1) and not c.may_enter[idx].any() and not c.trapped[idx].any()
    for name in TIES:
        assert np.all(getattr(c, name)[idx] == 0), name
    for name, value in kept.items():
        assert np.array_equal(getattr(c, name), value), name


def test_customers_who_come_back_join_the_firm_joining_utility_ranks_first():
    m = _state(customers=400, months=3)
    m.behaviour = m.behaviour.model_copy(update={"choice_noise": 0.0, "reentry_rate": 1.0})
    c = m.customers
    c.may_enter[:] = True
    idx = np.flatnonzero(~c.attached)
    assert len(idx) > 10
    u = joining_utility(m, idx)
    outside = float(np.median(u.max(axis=1)))  # half of them would rather stay out
    m.behaviour = m.behaviour.model_copy(update={"outside_option": outside})
    enter_market(m)
    joins = u.max(axis=1) > m.behaviour.outside_option
    assert joins.any() and not joins.all()
    assert np.array_equal(c.firm[idx], np.where(joins, np.argmax(u, axis=1), -1))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), noise=st.sampled_from([0.0, 0.02, 0.3]), review=st.floats(0.05, 1.0))
def test_each_looker_decides_as_the_one_customer_rules_say(seed, noise, review):
    """The month's choices go through the lookers of a chunk in passes (fits, utilities, weights, logarithms); each
    looker must end where staying_utility, joining_utility, logit_best and exit_cost say, one customer at a time."""
    m = _state(customers=600, months=2, behaviour={"choice_noise": noise, "review_rate": review})
    m.keys = sim.draws.seed_key(seed)[None, :]
    c, b, F = m.customers, m.behaviour, m.n_firms
    u = uniform_table(m.keys[0], STREAM_ID["choice"], m.elapsed, c.n, 1)
    looks = (c.firm >= 0) & ((u[:, 0] < b.review_rate) | (c.triggered & (u[:, 1] < b.trigger_review)))
    idx = np.flatnonzero(looks)
    values = np.column_stack([joining_utility(m, idx), np.full(len(idx), b.outside_option)])
    values[np.arange(len(idx)), c.firm[idx]] = -np.inf  # not their own firm
    stay, cost = staying_utility(m, idx), b.switching_cost_weight * exit_cost(m, idx)
    expected_firm, expected_trapped = c.firm.copy(), np.zeros(c.n, dtype=bool)
    for k, i in enumerate(idx):
        best, value = logit_best(values[k], np.empty(F + 1), noise, u[i, 2])
        gain = value + noise * logistic(u[i, 3]) - stay[k]
        moves = gain > b.inertia and gain - cost[k] > b.inertia
        expected_trapped[i] = gain > b.inertia and not moves
        if moves:
            expected_firm[i] = best if best < F else -1
    m.tally.reset()
    decide(m)
    assert np.array_equal(c.firm, expected_firm)
    assert np.array_equal(c.trapped[idx], expected_trapped[idx])
    assert m.tally.looked.sum() == len(idx) > 0


def test_the_one_pass_behind_the_metrics_counts_what_is_there():
    m = _state(customers=400, months=6)
    out = measure(m)
    c, F = m.customers, m.n_firms
    kind = classify(c, m.measures)
    for g in range(F):
        mine = c.firm == g
        assert out["customers"][g] == mine.sum()
        assert out["trust"][g] == pytest.approx(c.trust[mine].astype(float).mean(), rel=1e-9)
        assert out["trapped_share"][g] == pytest.approx(c.trapped[mine].mean(), rel=1e-12)
        assert out["reputation"][g] == pytest.approx(c.opinion[~mine, g].astype(float).mean(), rel=1e-9)
        for j, name in enumerate(TYPES):
            assert out[name][g] == pytest.approx(np.mean(kind[mine] == j), rel=1e-12)
        said = m.behaviour.advocacy_trust * c.trust.astype(float) + m.behaviour.advocacy_satisfaction * c.satisfaction
        said = said + m.behaviour.advocacy_bond * c.bond
        balance = np.mean(said[mine] >= m.measures.promoter) - np.mean(said[mine] < m.measures.detractor)
        assert out["recommend_balance"][g] == pytest.approx(balance, abs=1e-12)
    assert sum(out[name] for name in TYPES) == pytest.approx(np.ones(F))
