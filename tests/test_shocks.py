"""Shocks: every registered kind goes through the same base tests (as Axelrod-Python's strategies do),
then what each kind does, and that a recession favours no firm by where its offer sits."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.app.labels import shock_kinds
from sim.mechanisms.shocks import SHOCKS, ShockKind, apply_shocks, register_shock, start_month
from sim.scenario import Shock

from conftest import small

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.reference import ReferenceModel  # noqa: E402
from benchmarks.reference.shocks import SHOCK_RULES  # noqa: E402

KINDS = sorted(SHOCKS)
START_YEAR = 1.0
STATE = ("trust", "bond", "customers", "satisfaction", "reputation", "revenue_per_customer")


def shock(kind: str, **changes) -> dict:
    data = {"kind": kind, "year": START_YEAR, "severity": 0.5, "months": 6}
    if SHOCKS[kind].needs_firm:
        data["firm"] = "Business as usual"
    return {**data, **changes}


def with_and_without(kind: str, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = small(customers=400, years=2, seed=seed)
    hit = small(customers=400, years=2, seed=seed, shocks=[shock(kind)])
    return sim.run(base), sim.run(hit)


# -- the base tests every kind goes through --------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_kind_describes_itself(kind):
    cls = SHOCKS[kind]
    assert issubclass(cls, ShockKind) and cls.name == kind
    assert cls.label and cls.description.endswith(".") and isinstance(cls.needs_firm, bool)
    does = {"start", "each_month"} & {k for k, v in vars(cls).items() if isinstance(v, classmethod)}
    assert does, "a shock kind must do something at its start or each month"


@pytest.mark.parametrize("kind", KINDS)
def test_schema_knows_kind_and_whether_it_needs_a_firm(kind):
    assert Shock(kind=kind, year=1, firm="Rival A").kind == kind
    if SHOCKS[kind].needs_firm:
        with pytest.raises(ValueError, match="needs a firm"):
            Shock(kind=kind, year=1)
    else:
        assert Shock(kind=kind, year=1).firm is None


@pytest.mark.parametrize("kind", KINDS)
def test_kind_acts_from_its_start_and_not_before(kind):
    base, hit = with_and_without(kind)
    start = start_month(Shock(**shock(kind)))
    before_b, before_h = base[base["step"] < start], hit[hit["step"] < start]
    pd.testing.assert_frame_equal(before_b.reset_index(drop=True), before_h.reset_index(drop=True))
    after_b, after_h = base[base["step"] >= start], hit[hit["step"] >= start]
    assert not np.allclose(after_b[list(STATE)].to_numpy(), after_h[list(STATE)].to_numpy(), equal_nan=True)


@pytest.mark.parametrize("kind", KINDS)
def test_kind_is_reproducible(kind):
    _, first = with_and_without(kind, seed=2)
    _, again = with_and_without(kind, seed=2)
    pd.testing.assert_frame_equal(first, again)


@pytest.mark.parametrize("kind", KINDS)
def test_kind_can_be_fired_in_a_running_market(kind):
    model = sim.MarketModel(small(customers=200, years=1))
    model.run(months=2)
    firm = "Rival A" if SHOCKS[kind].needs_firm else None
    fired = model.fire_shock(kind, firm=firm, severity=0.5)
    assert start_month(fired) == 3 and fired in model.shocks
    model.run(months=2)
    model.release()


@pytest.mark.parametrize("kind", KINDS)
def test_reference_mirrors_kind(kind):
    """The per-agent reference has the kind, and it acts there too (from its start, not before)."""
    assert kind in SHOCK_RULES
    tables = []
    for shocks in ([], [shock(kind)]):
        model = ReferenceModel(small(customers=120, years=1.5, seed=3, shocks=shocks))
        tables.append(model.run().outcomes())
        model.release()
    base, hit = tables
    start = start_month(Shock(**shock(kind)))
    pd.testing.assert_frame_equal(base[base["step"] < start], hit[hit["step"] < start])
    assert not base[base["step"] >= start].equals(hit[hit["step"] >= start])


@pytest.mark.parametrize("kind", KINDS)
def test_page_and_docs_read_kind(kind):
    assert shock_kinds()[kind] == (SHOCKS[kind].label, SHOCKS[kind].description, SHOCKS[kind].needs_firm)
    odd = (ROOT / "docs" / "ODD.md").read_text()
    section = odd[odd.index("### 7.9 Shocks") : odd.index("### 7.10")]
    assert re.search(rf"\b{kind}\b", section), f"docs/ODD.md 7.9 does not describe {kind}"


def test_reference_has_no_kind_the_engine_lacks():
    assert set(SHOCK_RULES) == set(SHOCKS)


def test_unknown_kind_is_refused_with_a_suggestion():
    with pytest.raises(ValueError, match="did you mean 'scandal'"):
        Shock(kind="scandel", year=1, firm="Rival A")


# -- what each kind does ---------------------------------------------------------------------------------
def test_scandal_costs_the_firm_trust_at_once():
    base, hit = with_and_without("scandal")
    at = start_month(Shock(**shock("scandal")))
    for table in (base, hit):
        assert table["firm"].iloc[0] == "Business as usual"
    focal = lambda t: t[(t["firm"] == "Business as usual") & (t["step"] == at)]["trust"].item()  # noqa: E731
    assert focal(hit) < focal(base) - 0.1


def test_price_war_cuts_the_firms_price_while_it_lasts():
    base, hit = with_and_without("price_war")
    at = start_month(Shock(**shock("price_war")))
    rows = lambda t, s: t[(t["firm"] == "Business as usual") & (t["step"] == s)]  # noqa: E731
    assert rows(hit, at)["revenue_per_customer"].item() < 0.8 * rows(base, at)["revenue_per_customer"].item()
    after = at + 6 + 1  # the war is over; the price is the list price again
    assert rows(hit, after)["revenue_per_customer"].item() > 0.8 * rows(base, after)["revenue_per_customer"].item()


def test_recession_contracts_needs_towards_the_centre_and_raises_price_sensitivity():
    model = sim.MarketModel(small(customers=300))
    m = model.market
    before = m.customers.needs.copy()
    spec = Shock(kind="recession", year=1, severity=0.4, months=3)
    m.month = start_month(spec)
    apply_shocks(m, [spec], {})
    np.testing.assert_allclose(m.customers.needs, before * (1 - m.customer_spec.recession_contraction * 0.4))
    assert m.recession == 0.4
    m.month += 3  # over
    apply_shocks(m, [spec], {})
    assert m.recession == 0.0
    model.release()


# -- a recession favours no firm by position ---------------------------------------------------------------
SEEDS = (1, 2, 3, 4)


def share_change(severity_shock: dict) -> np.ndarray:
    """(seeds, firms): change in end-of-run market share a shock causes, four identical firms, common random numbers."""
    out = []
    for seed in SEEDS:
        base = sim.run(small(customers=1500, years=3, seed=seed))
        hit = sim.run(small(customers=1500, years=3, seed=seed, shocks=[severity_shock]))
        shares = [t[t["step"] == t["step"].max()]["customers"].to_numpy() for t in (base, hit)]
        out.append(shares[1] / shares[1].sum() - shares[0] / shares[0].sum())
    return np.array(out)


@pytest.fixture
def directional_recession():
    """The old rule, as a test-only kind: needs shift along one axis, towards whichever firm sits there."""

    @register_shock
    class Directional(ShockKind):
        name, label, description = "directional_recession", "Directional", "Needs shift along one axis."

        @classmethod
        def start(cls, m, shock, firm):
            m.customers.needs[:, 0] -= 0.5 * shock.severity

    yield Directional.name
    del SHOCKS[Directional.name]


def test_recession_favours_no_firm_by_position(directional_recession):
    """Four identical firms around the centre: a strong recession leaves shares as they were, on every seed;
    the old one-axis shift, run the same way, hands one firm a large gain - so the test can tell them apart."""
    radial = share_change({"kind": "recession", "year": 1.0, "severity": 0.8, "months": 12})
    assert np.abs(radial.mean(axis=0)).max() < 0.03
    assert np.abs(radial).max() < 0.06
    shifted = share_change({"kind": directional_recession, "year": 1.0, "severity": 0.8, "months": 12})
    assert np.abs(shifted.mean(axis=0)).max() > 0.08


def test_docking_covers_every_kind():
    """The docking test's shock case strikes with every registered kind, so each kind's rules are docked."""
    from test_docking import SHOCKS as DOCKED

    assert {s["kind"] for s in DOCKED} == set(SHOCKS)
