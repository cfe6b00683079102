"""Where a month's time goes: nanoseconds per customer of each phase and of the recording, at one market size.

    python benchmarks/profile_month.py                    # 100,000 customers, 24 months
    python benchmarks/profile_month.py --customers 2000 --months 120 --markets 16   # a batch of small markets

Runs the default market (seed 1) after a year's burn-in, timing every phase of ``Engine.phases`` and
the month's outcome pass (``Engine.record``) with ``time.perf_counter``, on one core, in this process.
The kernels are compiled (or loaded from numba's cache) during the burn-in, before anything is timed.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

from sim.engine import Engine
from sim.scenario import default_market


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--markets", type=int, default=1, help="replications stepped as one state")
    args = p.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    scenario = default_market(customers=args.customers).with_changes(burn_in_years=1, seed=1)
    engine = Engine(scenario, list(range(1, args.markets + 1)))
    engine.burn_in()
    spent: dict[str, float] = defaultdict(float)
    start = time.perf_counter()
    for month in range(1, args.months + 1):
        t = time.perf_counter()
        engine.begin_month(month)
        spent["begin month"] += time.perf_counter() - t
        for name, phase in engine.phases:
            t = time.perf_counter()
            phase(engine.state)
            spent[name] += time.perf_counter() - t
        t = time.perf_counter()
        m = engine.state
        m.recent.push(m.tally.churned, (m.firms.customers_start + m.firms.customers_end) / 2)
        engine.record()
        spent["outcomes"] += time.perf_counter() - t
    total = time.perf_counter() - start
    steps = engine.state.customers.n * args.months
    print(f"{engine.state.customers.n:,} customers ({args.markets} market(s)), {args.months} months, one core")
    print(f"{'phase':>15} {'ns/customer':>12} {'share':>6}")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{name:>15} {1e9 * seconds / steps:>12.1f} {seconds / total:>6.1%}")
    print(f"{'month':>15} {1e9 * total / steps:>12.1f}   -> {steps / total:,.0f} customer-steps/s")


if __name__ == "__main__":
    main()
