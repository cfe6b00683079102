"""One phase of the month, an earlier commit's against this tree's, on one and the same market state.

    python benchmarks/ab_phase.py word_of_mouth talk "word of mouth"            # against HEAD, 100k customers
    python benchmarks/ab_phase.py service serve_customers service --rev 3daeeeb --customers 10000

Builds the default market (seed 1), runs a year's burn-in and the month's phases up to the one named, then
times that phase's function from ``sim/mechanisms/<module>.py`` of both versions, alternately and each time on
the state as it was before the phase (every customer, tally and firm array restored), and prints the fastest
of ``--rounds`` for each, in nanoseconds per customer, and whether the two left every array the same, bit for
bit. The earlier module runs in this process against this tree's package (so only that file differs), compiled
afresh without numba's cache. On this machine, whose speed changes from minute to minute, two versions timed
alternately in one process compare far better than two runs of a profile.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import types
from importlib import import_module
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import checkout  # noqa: E402

from sim.engine import Engine  # noqa: E402
from sim.scenario import default_market  # noqa: E402


def earlier_module(tree: Path, module: str) -> types.ModuleType:
    """``sim/mechanisms/<module>.py`` of the checked-out ``tree`` as a module of its own, compiled without cache."""
    source = (tree / "sim" / "mechanisms" / f"{module}.py").read_text().replace("cache=True, ", "")
    old = types.ModuleType(f"earlier_{module}")
    exec(compile(source, f"earlier {module}.py", "exec"), old.__dict__)  # noqa: S102 - the project's own file
    return old


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("module", help="file of sim/mechanisms, e.g. word_of_mouth")
    p.add_argument("function", help="the phase's function in it, e.g. talk")
    p.add_argument("phase", help="the phase's name in Engine.phases, e.g. 'word of mouth'")
    p.add_argument("--rev", default="HEAD", help="the earlier commit")
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=20)
    args = p.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    engine = Engine(default_market(customers=args.customers).with_changes(burn_in_years=1, seed=1), [1])
    engine.burn_in()
    engine.begin_month(1)
    m = engine.state
    names = [name for name, _ in engine.phases]
    if args.phase not in names:
        p.error(f"no phase {args.phase!r}; the phases are {', '.join(names)}")
    for name, phase in engine.phases:
        if name == args.phase:
            break
        phase(m)
    holders = (m.customers, m.tally, m.firms)
    saved = [{k: v.copy() for k, v in vars(h).items() if isinstance(v, np.ndarray)} for h in holders]

    def restore() -> None:
        for holder, arrays in zip(holders, saved, strict=True):
            for k, v in arrays.items():
                getattr(holder, k)[...] = v

    with checkout(args.rev) as tree:
        versions = {args.rev: getattr(earlier_module(tree, args.module), args.function)}
    versions["this tree"] = getattr(import_module(f"sim.mechanisms.{args.module}"), args.function)
    work: dict[str, dict] = {label: {} for label in versions}  # each version keeps its own work arrays
    best = dict.fromkeys(versions, float("inf"))
    after: dict[str, list[np.ndarray]] = {}
    for _ in range(args.rounds):  # the first round also makes the work arrays; the fastest round counts
        for label, fn in versions.items():
            restore()
            m._scratch = work[label]
            t0 = time.perf_counter()
            fn(m)
            best[label] = min(best[label], time.perf_counter() - t0)
            after[label] = [v.copy() for h in holders for v in vars(h).values() if isinstance(v, np.ndarray)]
    same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(*after.values(), strict=True))
    for label, seconds in best.items():
        print(f"{args.phase} ({label}): {1e9 * seconds / m.customers.n:.1f} ns per customer")
    print(f"the same results, bit for bit: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
