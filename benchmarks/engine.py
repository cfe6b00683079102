"""Customer-steps per second and peak memory of the engine at several market sizes.

Each size runs in a fresh process (so peak memory is its own) on the default
market (six firms), one core. Usage::

    python benchmarks/engine.py                 # 1k, 10k, 100k customers, 10 years
    python benchmarks/engine.py --sizes 1000000 --years 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = """
import json, resource, sys, time
import sim
from sim.scenario import default_market
n, years = int(sys.argv[1]), float(sys.argv[2])
scenario = default_market(customers=n).with_changes(years=years, seed=1)
t0 = time.perf_counter()
model = sim.MarketModel(scenario)
t1 = time.perf_counter()
model.run()
t2 = time.perf_counter()
model.release()
print(json.dumps({"customers": n, "years": years, "setup_s": t1 - t0, "run_s": t2 - t1,
                  "steps_per_s": n * scenario.months / (t2 - t1),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(n: int, years: float) -> dict:
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    import os

    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(years)], capture_output=True, text=True,
                         check=True, env={**os.environ, **env})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    p.add_argument("--years", type=float, default=10.0)
    args = p.parse_args()
    print(f"{'customers':>10} {'years':>6} {'setup s':>8} {'run s':>8} {'customer-steps/s':>17} {'peak MB':>8}")
    for n in args.sizes:
        r = measure(n, args.years)
        print(f"{n:>10,} {r['years']:>6g} {r['setup_s']:>8.2f} {r['run_s']:>8.2f} {r['steps_per_s']:>17,.0f} {r['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
