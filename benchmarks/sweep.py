"""Sweep throughput: runs per second with 1 and 2 workers (target: at least 1.8x from 1 to 2).

    python benchmarks/sweep.py                       # policy comparison, 2,000 customers, 10 years, 96 runs
    python benchmarks/sweep.py --customers 1000 --years 2 --replications 6   # a quick look

Each setting runs the same shrunken ``experiments/policy_comparison.toml`` into a fresh folder. ``runs/s`` times
the whole sweep (pool start-up, simulation, Parquet writes); ``steady`` counts only from the first finished run
to the last, leaving out the one-off start of the worker processes. The machine's load average is printed
alongside, since other work on the machine lowers the speed-up.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sim.experiments import load_experiment, run_experiment

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--experiment", type=Path, default=ROOT / "experiments" / "policy_comparison.toml")
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--years", type=float, default=10)
    p.add_argument("--replications", type=int, default=16)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    exp = load_experiment(args.experiment, customers=args.customers, years=args.years, replications=args.replications)
    print(
        f"{exp.name}: {args.customers:,} customers, {args.years:g} years, {args.replications} replications, "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'workers':>7} {'runs':>5} {'seconds':>8} {'runs/s':>7} {'steady':>7} {'speed-up':>8} "
        f"{'steady speed-up':>15} {'load avg (1 min)':>17}"
    )
    base = steady_base = None
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            load = os.getloadavg()[0]
            stamps: list[float] = []
            start = time.perf_counter()
            out = run_experiment(
                exp,
                Path(tmp) / "out",
                workers=workers,
                progress=lambda done, total, s=stamps: s.append(time.perf_counter()),
            )
            seconds = time.perf_counter() - start
            runs = len(list((out / "runs").glob("*.parquet")))
        rate = runs / seconds
        steady = (len(stamps) - 1) / (stamps[-1] - stamps[0])
        base, steady_base = base or rate, steady_base or steady
        print(
            f"{workers:>7} {runs:>5} {seconds:>8.2f} {rate:>7.2f} {steady:>7.2f} {rate / base:>7.2f}x "
            f"{steady / steady_base:>14.2f}x {load:>8.2f} -> {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
