"""The ``crsim`` command: run, validate and list scenarios; sweep experiments and report on them; serve the
workshop page.

Exit codes: 0 success, 2 bad input (one line on stderr naming the file and field).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from sim.experiments.cli import add_experiment_commands
from sim.policies import POLICIES
from sim.scenario import Scenario, ScenarioError, describe, load_scenario, resolve_scenario

BAD_INPUT = 2
SCENARIO_DIR = Path("scenarios")


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per firm at the end (customers, trust, bond, trapped) and over the last year (annual churn rate, profit)."""
    last = table[table["step"] > table["step"].max() - 12]
    final = last[last["step"] == last["step"].max()].set_index("firm")
    year = last.groupby("firm", sort=False)
    out = pd.DataFrame(
        {
            "policy": final["policy"],
            "customers": final["customers"].astype(int),
            "trust": final["trust"],
            "bond": final["bond"],
            "churn/yr": year["churn_rate_annual"].mean(),
            "trapped": final["trapped_share"],
            "profit/yr": year["profit"].sum(),
        }
    )
    return out.round({"trust": 3, "bond": 3, "churn/yr": 3, "trapped": 3, "profit/yr": 1})


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.model import MarketModel
    from sim.runner import save_run

    scenario = resolve_scenario(args.scenario)
    try:
        scenario = scenario.with_changes(years=args.years, seed=args.seed)
    except ValidationError as err:
        raise ScenarioError(f"command line: --{describe(err, Scenario)}") from None
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ScenarioError(f"{args.out}: --out must be a directory")
    model = MarketModel(scenario)
    try:
        with tqdm(total=scenario.months, unit="month", desc=scenario.name, file=sys.stderr, disable=args.quiet) as bar:
            model.run(progress=lambda done, total: bar.update(1))
        table = model.outcomes()
    finally:
        model.release()
    print(f"{scenario.name}: {scenario.customers.count} customers, {scenario.years:g} years, seed {scenario.seed}")
    print(summary(table).to_string())
    if args.out is not None:
        save_run(args.out, table, scenario)
        print(f"wrote {args.out / 'timeseries.csv'} and {args.out / 'manifest.json'}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for path in args.files:
        try:
            s = load_scenario(path)
            print(f"{path}: ok ({len(s.firms)} firms, {s.customers.count} customers, {s.years:g} years)")
        except ScenarioError as err:
            print(err, file=sys.stderr)
            bad += 1
    return BAD_INPUT if bad else 0


def cmd_list(args: argparse.Namespace) -> int:
    print("policy presets:")
    for name, cls in POLICIES.items():
        print(f"  {name:<20} {cls.description}")
    files = sorted(args.dir.glob("*.toml")) if args.dir.is_dir() else []
    print(f"scenario files in {args.dir}/:" if files else f"no scenario files in {args.dir}/")
    for path in files:
        print(f"  {path}")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from sim.app.serve import serve

    return serve(args.scenario, port=args.port, host=args.host)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crsim", description="Simulate firms and their customers' relationships.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser(
        "run", help="run a scenario (default: the market with one firm of each of the six named policies)"
    )
    r.add_argument("scenario", nargs="?", help="scenario file or policy preset name")
    r.add_argument("--years", type=float, help="override the horizon in years")
    r.add_argument("--seed", type=int, help="override the seed")
    r.add_argument("--out", type=Path, help="write timeseries.csv and manifest.json into this directory")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)
    v = sub.add_parser("validate", help="check scenario files")
    v.add_argument("files", nargs="+", type=Path)
    v.set_defaults(func=cmd_validate)
    ls = sub.add_parser("list", help="list policy presets and scenario files")
    ls.add_argument("--dir", type=Path, default=SCENARIO_DIR, help="folder of scenario files")
    ls.set_defaults(func=cmd_list)
    add_experiment_commands(sub)
    a = sub.add_parser("app", help="the live workshop page in the browser (http://127.0.0.1:8765/)")
    a.add_argument("scenario", nargs="?", help="scenario file or policy preset shown first (default: the market)")
    a.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    a.add_argument("--host", default="127.0.0.1", help="address to bind to (default 127.0.0.1, this machine only)")
    a.set_defaults(func=cmd_app)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as err:
        print(f"crsim: {err}", file=sys.stderr)
        return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
