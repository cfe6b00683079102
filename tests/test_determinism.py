"""Same scenario and seed give the same table, in this process or a fresh one; other seeds differ."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pandas.testing as pdt

import sim

from conftest import small

FRESH = """
import sys, sim
sys.path.insert(0, {tests!r})
from conftest import small
sim.run(small("budget_sales", customers=300, years=2, seed=11)).to_csv(sys.argv[1], index=False)
"""


def test_same_seed_same_table():
    a = sim.run(small("loyalty_lock_in", customers=300, years=2, seed=11))
    b = sim.run(small("loyalty_lock_in", customers=300, years=2, seed=11))
    pdt.assert_frame_equal(a, b)


def test_same_seed_same_table_in_a_fresh_process(tmp_path):
    here = sim.run(small("budget_sales", customers=300, years=2, seed=11))
    out = tmp_path / "t.csv"
    tests = str(__import__("pathlib").Path(__file__).parent)
    subprocess.run([sys.executable, "-c", FRESH.format(tests=tests), str(out)], check=True)
    pdt.assert_frame_equal(pd.read_csv(out), pd.read_csv(_roundtrip(here, tmp_path)))


def _roundtrip(table, tmp_path):
    path = tmp_path / "here.csv"
    table.to_csv(path, index=False)
    return path


def test_different_seeds_differ():
    a = sim.run(small(customers=300, years=2, seed=1))
    b = sim.run(small(customers=300, years=2, seed=2))
    assert not a["trust"].equals(b["trust"])


def test_seed_argument_overrides_the_scenario():
    a = sim.run(small(customers=300, years=1, seed=1), seed=9)
    b = sim.run(small(customers=300, years=1, seed=9))
    pdt.assert_frame_equal(a.drop(columns="seed"), b.drop(columns="seed"))


def test_customers_are_the_same_under_every_policy_on_one_seed():
    """Common random numbers: needs evolve identically whatever the firms do."""
    needs = []
    for policy in ("loyalty_lock_in", "relationship_first"):
        model = sim.MarketModel(small(policy, customers=300, years=1, seed=4))
        model.run()
        needs.append(model.market.customers.needs.copy())
        model.release()
    assert (needs[0] == needs[1]).all()
