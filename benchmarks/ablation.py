"""What each lever contributes: every preset, every single lever moved from business as usual, and sweeps.

The focal firm runs each configuration against three business-as-usual rivals on the same
customers (common random numbers: seed k is the same market for every configuration);
profit is the focal firm's mean profit per year over the horizon, trust its customers' mean
trust over the last two years, share its share of all customers at the end. Differences are
taken against business as usual on the same seed::

    python benchmarks/ablation.py --seeds 1 2 3 --customers 2000 --years 10
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

import sim
from sim.scenario import preset_scenario

#: Single levers moved from business as usual to the value a preset gives them.
SINGLE = {
    "contract_term=0": {"contract_term": 0},
    "exit_fee=0": {"exit_fee": 0.0},
    "loyalty_points=0": {"loyalty_points": 0.0},
    "staff_authority=0.9": {"staff_authority": 0.9},
    "tailoring=0.8": {"tailoring": 0.8},
    "sales_pressure=0": {"sales_pressure": 0.0},
    "sales_target=0": {"sales_target": 0.0},
    "acquisition_discount=0": {"acquisition_discount": 0.0, "discount_months": 0},
    "contact_rate=0.3": {"contact_rate": 0.3},
    "service_capacity=6": {"service_capacity": 6.0},
    "relationship_first+lock_in": None,  # the recommended combination with business-as-usual lock-in put back
}
SWEEPS = {
    "tailoring": [0.0, 0.2, 0.5, 0.8, 1.0],
    "staff_authority": [0.0, 0.3, 0.6, 0.9, 1.0],
    "listening": [0.0, 0.02, 0.1, 0.3, 0.6],
    "service_capacity": [1.0, 3.0, 6.0, 12.0, 30.0],
    "transparency": [0.0, 0.3, 0.6, 0.9, 1.0],
    "surface_acting": [0.0, 0.25, 0.5, 0.75, 1.0],
    "contact_rate": [0.0, 0.1, 0.3, 0.6, 1.0],
}


def run(policy: str, levers: dict, seed: int, customers: int, years: float) -> dict[str, float]:
    data = preset_scenario(policy, customers=customers).model_dump()
    data.update(years=years, seed=seed)
    data["firms"][0]["levers"].update(levers)
    table = sim.run(sim.Scenario.model_validate(data))
    mine = table[table["firm"] == table["firm"].iloc[0]]
    last = table[table["step"] == table["step"].max()]
    late = mine[mine["year"] > years - 2]
    return {
        "profit_per_year": float(mine["profit"].iloc[1:].sum() / years),
        "trust": float(late["trust"].mean()),
        "share": float(last["customers"].iloc[0] / last["customers"].sum()),
        "active": float(mine["active"].iloc[-1]),
    }


def configurations() -> list[tuple[str, str, str, dict]]:
    out = [("preset", name, name, {}) for name in sim.POLICIES]
    for label, levers in SINGLE.items():
        if levers is None:
            lock = {
                k: sim.POLICIES["business_as_usual"].levers.model_dump()[k]
                for k in ("contract_term", "exit_fee", "loyalty_points")
            }
            out.append(("single", label, "relationship_first", lock))
        else:
            out.append(("single", label, "business_as_usual", levers))
    for lever, values in SWEEPS.items():
        out += [("sweep", f"{lever}={v}", "business_as_usual", {lever: v}) for v in values]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--years", type=float, default=10)
    p.add_argument("--only", choices=["preset", "single", "sweep"], nargs="*", default=None)
    p.add_argument("--out", default=None, help="also write the per-seed rows as CSV")
    args = p.parse_args()
    rows = []
    for kind, label, policy, levers in configurations():
        if args.only and kind not in args.only:
            continue
        for seed in args.seeds:
            rows.append(
                {"kind": kind, "config": label, "seed": seed, **run(policy, levers, seed, args.customers, args.years)}
            )
        print(kind, label, file=sys.stderr, flush=True)
    df = pd.DataFrame(rows)
    base = {s: run("business_as_usual", {}, s, args.customers, args.years) for s in args.seeds}
    for col in ("profit_per_year", "trust", "share"):
        df[f"d_{col}"] = df[col] - df["seed"].map(lambda s, c=col: base[s][c])
    if args.out:
        df.to_csv(args.out, index=False)
    summary = df.groupby(["kind", "config"], sort=False).agg(
        profit=("profit_per_year", "mean"),
        d_profit=("d_profit_per_year", "mean"),
        d_profit_min=("d_profit_per_year", "min"),
        d_profit_max=("d_profit_per_year", "max"),
        trust=("trust", "mean"),
        d_trust=("d_trust", "mean"),
        share=("share", "mean"),
        active=("active", "mean"),
    )
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(summary.round(3).to_string())
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
