"""Fingerprints of the engine's outcomes, to prove that an optimisation changed nothing.

Runs a fixed set of small markets and hashes (SHA-256), bit for bit, every column of
the results table and every final customer array, one fingerprint each. Store the
fingerprints before optimising, compare after::

    python benchmarks/fingerprint.py --save      # write benchmarks/fingerprint.json
    python benchmarks/fingerprint.py             # compare with it; exit code 1 if a result changed

Each column is reported as ``same``, ``changed``, ``new`` (not stored yet: a new
outcome, not a changed result) or ``missing`` (stored, no longer produced). A rule
change (or a change in how random numbers are drawn) changes fingerprints on
purpose; then save them again and say why in the commit.
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
Prints = dict[str, dict[str, str]]  # market -> "outcomes.<column>" / "state.<array>" -> SHA-256


def cases() -> dict[str, sim.Scenario]:
    """Small markets that together switch on every lever, a shock of each kind, firm exit, entry and re-steering."""
    out = {p: preset_scenario(p, customers=800).with_changes(years=3, seed=7) for p in sim.POLICIES}
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
    firms["firms"][1]["levers"] = {"price": 0.3}  # far below cost: runs out of reserves and leaves
    firms["firms"].append({"name": "Newcomer", "policy": "selective", "enters_year": 1.5})
    out["firms_exit_entry_re_steering"] = sim.Scenario.model_validate(firms)
    return out


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(scenario: sim.Scenario) -> dict[str, str]:
    """SHA-256 of each column of the results table (as 17-digit text) and of each final customer array."""
    model = sim.MarketModel(scenario)
    try:
        model.run()
        table = model.outcomes()
        out = {
            f"outcomes.{c}": sha(table[c].to_csv(index=False, header=False, float_format="%.17g").encode())
            for c in table.columns
        }
        customers = model.market.customers
        for f in fields(CustomerState):
            out[f"state.{f.name}"] = sha(np.ascontiguousarray(getattr(customers, f.name)).tobytes())
        return out
    finally:
        model.release()


def compare(stored: Prints, now: Prints) -> dict[str, dict[str, str]]:
    """Market -> column -> 'same', 'changed', 'new' or 'missing' (a market not stored at all: every column new)."""
    out = {}
    for market in sorted(set(stored) | set(now), key=[*now, *stored].index):
        old, new = stored.get(market, {}), now.get(market, {})
        verdict = {}
        for column in [*new, *(c for c in old if c not in new)]:
            if column not in old:
                verdict[column] = "new"
            elif column not in new:
                verdict[column] = "missing"
            else:
                verdict[column] = "same" if old[column] == new[column] else "changed"
        out[market] = verdict
    return out


def report(verdicts: dict[str, dict[str, str]]) -> list[str]:
    """One line per market; the columns that are not the same are named."""
    lines = []
    for market, verdict in verdicts.items():
        same = sum(v == "same" for v in verdict.values())
        others = {kind: [c for c, v in verdict.items() if v == kind] for kind in ("changed", "missing", "new")}
        text = f"{market:<22} {same} of {len(verdict)} same"
        text += "".join(f"; {kind}: {', '.join(cols)}" for kind, cols in others.items() if cols)
        lines.append(text)
    return lines


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--save", action="store_true", help="store the fingerprints instead of comparing")
    args = p.parse_args()
    now = {name: fingerprint(s) for name, s in cases().items()}
    if args.save:
        STORE.write_text(json.dumps(now, indent=1) + "\n")
        print(f"saved fingerprints of {len(now)} markets to {STORE}")
        return 0
    verdicts = compare(json.loads(STORE.read_text()), now)
    print("\n".join(report(verdicts)))
    bad = any(v in ("changed", "missing") for verdict in verdicts.values() for v in verdict.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
