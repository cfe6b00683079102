"""Fingerprints of the engine's outcomes, to prove that an optimisation changed nothing.

Runs a fixed set of small markets and hashes (SHA-256) the results table and the final
customer arrays, bit for bit. Store the fingerprints before optimising, compare after::

    python benchmarks/fingerprint.py --save      # write benchmarks/fingerprint.json
    python benchmarks/fingerprint.py             # compare with it; exit code 1 on a difference

A rule change (or a change in how random numbers are drawn) changes the fingerprints on
purpose; then save them again and say so in the commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np

import sim
from sim.scenario import default_market, preset_scenario
from sim.state import CustomerState

STORE = Path(__file__).with_name("fingerprint.json")
PRESETS = (
    "business_as_usual",
    "loyalty_lock_in",
    "permanent_exit",
    "budget_sales",
    "empowered_staff",
    "relationship_first",
)


def cases() -> dict[str, sim.Scenario]:
    """Small markets that together switch on every lever, a shock of each kind, firm exit, entry and re-steering."""
    out = {p: preset_scenario(p, customers=800).with_changes(years=3, seed=7) for p in PRESETS}
    market = default_market(customers=1500).model_dump()
    market.update(
        years=3,
        seed=3,
        shocks=[
            {"kind": "scandal", "year": 1.0, "firm": "Budget sales", "severity": 0.4},
            {"kind": "price_war", "year": 1.5, "firm": "Permanent exit", "severity": 0.2, "months": 6},
            {"kind": "recession", "year": 2.0, "severity": 0.5, "months": 6},
        ],
    )
    out["market_with_shocks"] = sim.Scenario.model_validate(market)
    firms = preset_scenario("relationship_first", customers=800).model_dump()
    firms.update(years=4, seed=11, mechanisms={"re_steering": True})
    firms["firms"][1]["levers"] = {"price": 0.5}  # runs out of reserves and leaves
    firms["firms"].append({"name": "Newcomer", "policy": "selective", "enters_year": 1.5})
    out["firms_exit_entry_re_steering"] = sim.Scenario.model_validate(firms)
    return out


def fingerprint(scenario: sim.Scenario) -> str:
    """SHA-256 of the results table and of every final customer array."""
    model = sim.MarketModel(scenario)
    try:
        model.run()
        h = hashlib.sha256(model.outcomes().to_csv(index=False, float_format="%.17g").encode())
        c = model.market.customers
        for f in fields(CustomerState):
            h.update(f.name.encode())
            h.update(np.ascontiguousarray(getattr(c, f.name)).tobytes())
        return h.hexdigest()
    finally:
        model.release()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--save", action="store_true", help="store the fingerprints instead of comparing")
    args = p.parse_args()
    now = {name: fingerprint(s) for name, s in cases().items()}
    if args.save:
        STORE.write_text(json.dumps(now, indent=2) + "\n")
        print(f"saved {len(now)} fingerprints to {STORE}")
        return 0
    stored = json.loads(STORE.read_text())
    bad = [name for name in now if stored.get(name) != now[name]]
    for name in now:
        print(f"{name:<22} {'same' if name not in bad else 'DIFFERENT'}  {now[name][:16]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
