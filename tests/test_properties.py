"""Invariants over random valid scenarios and seeds (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.scenario import Scenario

shares = st.floats(0.0, 1.0)


@st.composite
def scenarios(draw) -> Scenario:
    policies = sorted(sim.POLICIES)
    n_firms = draw(st.integers(1, 5))
    firms = [
        {
            "name": f"F{i}",
            "policy": draw(st.sampled_from(policies)),
            "levers": draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "exit_fee": st.floats(0, 24),
                        "contract_term": st.integers(0, 60),
                        "staff_authority": shares,
                        "sales_pressure": shares,
                        "service_capacity": st.floats(0, 100),
                        "price": st.floats(0.2, 10),
                        "decline_poor_fit": shares,
                        "loyalty_points": st.floats(0, 1),
                    },
                )
            ),
        }
        for i in range(n_firms)
    ]
    shocks = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "kind": st.sampled_from(["scandal", "price_war", "recession"]),
                    "year": st.floats(0, 1.5),
                    "firm": st.just("F0"),
                    "severity": shares,
                    "months": st.integers(1, 24),
                }
            ),
            max_size=2,
        )
    )
    return Scenario.model_validate(
        {
            "years": draw(st.sampled_from([0.5, 1.0, 1.5])),
            "seed": draw(st.integers(0, 2**32)),
            "customers": {
                "count": draw(st.integers(30, 250)),
                "in_market": draw(shares),
                "relationship_seekers": draw(shares),
                "heterogeneity": draw(shares),
                "needs_volatility": draw(st.floats(0, 0.5)),
                "life_event_rate": draw(shares),
            },
            "network": {
                "kind": draw(st.sampled_from(["small_world", "scale_free", "random"])),
                "degree": draw(st.integers(2, 12)),
            },
            "behaviour": {
                "trust_asymmetry": draw(st.floats(0.1, 20)),
                "trust_gain": draw(shares),
                "reentry_rate": draw(shares),
                "review_rate": draw(shares),
                "choice_noise": draw(shares),
            },
            "mechanisms": draw(
                st.fixed_dictionaries({}, optional={name: st.booleans() for name in sim.params.Mechanisms.model_fields})
            ),
            "firms": firms,
            "shocks": shocks,
        }
    )


@given(scenarios())
def test_state_and_outcomes_stay_consistent(scenario):
    model = sim.MarketModel(scenario)
    c = model.market.customers
    n_firms = len(scenario.firms)
    try:
        for _ in range(scenario.months):
            model.step()
            for name in ("trust", "bond", "satisfaction", "expectation", "resentment", "experience"):
                values = getattr(c, name)
                assert np.all((values >= 0) & (values <= 1)), name
            assert np.all((c.opinion >= 0) & (c.opinion <= 1))
            assert np.all((c.firm >= -1) & (c.firm < n_firms))  # at most one firm each
            assert np.all(c.trust[c.firm < 0] == 0) and not c.trapped[c.firm < 0].any()
        table = model.outcomes()
    finally:
        model.release()

    per_step = table.groupby("step")["customers"].sum()
    out_of_market = (c.firm < 0).sum()
    assert per_step.iloc[-1] + out_of_market == scenario.customers.count  # customers are conserved
    assert (per_step <= scenario.customers.count).all()
    wide = table.pivot(index="step", columns="firm", values=["customers", "acquired", "churned", "active"])
    flow = wide["customers"].shift(1) + wide["acquired"] - wide["churned"]
    # counts add up month by month; a firm whose reserves ran out releases everyone it still had (who did
    # not leave of their own accord, so are not churned) and has no customers from then on
    adds_up = flow == wide["customers"]
    left = (wide["active"] == 0) & (wide["customers"] == 0)
    assert (adds_up | left).iloc[1:].all().all()
    with_customers = table[table["customers"] > 0]
    core = [
        "trust",
        "bond",
        "satisfaction",
        "recommend_balance",
        "trapped_share",
        "churn_rate_annual",
        "staff_exhaustion",
        "revenue",
        "profit",
        *sim.TYPES,
    ]
    assert not with_customers[core].isna().any().any()
    assert np.allclose(with_customers[list(sim.TYPES)].sum(axis=1), 1.0)
    assert (table["churn_rate_annual"].dropna().between(0, 1)).all()
    assert (table["recommend_balance"].dropna().between(-1, 1)).all()
