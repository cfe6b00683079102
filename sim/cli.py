"""The ``crsim`` command: run, validate and list scenarios; sweep experiments and report on them; serve the
workshop page.

Exit codes: 0 success; 1 a fault of the machine, not the input (disk full, a worker process died); 2 bad
input (one line on stderr naming the file and field), or a job that cannot fit in memory; 3 a report of an
unfinished sweep; 130 interrupted (Ctrl-C). Warnings (valid input without effect) are one line each.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from sim.calibration.cli import add_calibration_command
from sim.checks import warn_meaningless
from sim.claims.cli import add_claims_command
from sim.experiments.cli import add_experiment_commands
from sim.memory import APP_MB, PROCESS_MB, Estimate, available_mb, scenario_mb
from sim.memory import check as check_memory
from sim.policies import POLICIES
from sim.scenario import Scenario, ScenarioError, describe, load_scenario, resolve_scenario

FAILED = 1
BAD_INPUT = 2
INTERRUPTED = 130
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
    from sim.overrides import apply_sets, parse_sets
    from sim.runner import save_run

    scenario = resolve_scenario(args.scenario)
    try:
        customers = {"count": args.customers} if args.customers is not None else None
        scenario = scenario.with_changes(years=args.years, seed=args.seed, customers=customers)
    except ValidationError as err:
        raise ScenarioError(f"command line: --{describe(err, Scenario)}") from None
    scenario = apply_sets(scenario, parse_sets(args.set))
    check_out(args.out, args.force)
    if args.out is not None:
        from sim.experiments.runner import check_out as check_writable

        check_writable(args.out)  # before the simulation, not after it
    warn_meaningless(scenario, args.scenario or scenario.name)
    check_memory(Estimate(scenario_mb(scenario), available_mb(), f"{scenario.name}"), args.force)
    model = MarketModel(scenario)
    try:
        with tqdm(total=scenario.months, unit="month", desc=scenario.name, file=sys.stderr, disable=args.quiet) as bar:
            model.run(progress=lambda done, total: bar.update(1))
        table = model.outcomes()
    finally:
        model.release()
    scenario = model.scenario  # with the seed it ran with
    print(f"{scenario.name}: {scenario.customers.count} customers, {scenario.years:g} years, seed {scenario.seed}")
    print(summary(table).to_string())
    if args.out is not None:
        written = save_run(args.out, table, scenario, fmt=args.format)
        print(f"wrote {written} and {args.out / 'manifest.json'}")
    return 0


def check_out(out: Path | None, force: bool) -> None:
    """Refuse an ``--out`` that is a file, or a folder that holds anything, unless ``--force``."""
    if out is None or not out.exists():
        return
    if not out.is_dir():
        raise ScenarioError(f"{out}: --out must be a directory")
    if any(out.iterdir()) and not force:
        raise ScenarioError(f"{out}: not empty; choose another --out, or add --force to overwrite")


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for path in args.files:
        try:
            s = load_scenario(path)
            warn_meaningless(s, str(path))
            print(f"{path}: ok ({len(s.firms)} firms, {s.customers.count} customers, {s.years:g} years)")
        except ScenarioError as err:
            print(f"crsim: {err}", file=sys.stderr)
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
    from sim.app.serve import PortInUse, serve

    if not 0 < args.port < 65536:
        raise ScenarioError(f"command line: --port: must be between 1 and 65535 (got {args.port})")
    market = resolve_scenario(args.scenario)
    page = APP_MB + 2 * (scenario_mb(market) - PROCESS_MB)  # two markets side by side in one server
    check_memory(Estimate(page, available_mb(), f"the page with {market.name} side by side"), args.force)
    scenario = args.scenario
    if args.set:
        import tempfile

        from sim.overrides import apply_sets, parse_sets, write_scenario

        changed = apply_sets(resolve_scenario(scenario), parse_sets(args.set))
        folder = Path(tempfile.mkdtemp(prefix="crsim-app-"))  # read by the server, which replaces this process
        scenario = str(write_scenario(changed, folder / f"{changed.name}.toml"))
    try:
        return serve(scenario, port=args.port, host=args.host)
    except PortInUse as err:
        print(f"crsim app: {err}", file=sys.stderr)
        return BAD_INPUT


def add_set_option(p: argparse.ArgumentParser) -> None:
    """``--set DOTTED=VALUE``, repeatable, on a sub-command."""
    p.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="set a parameter by dotted name, e.g. --set behaviour.trust_gain=0.05 (repeatable; levers.X: focal firm)",
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crsim", description="Simulate firms and their customers' relationships.")
    p.add_argument("--version", action="version", version=version_line())
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser(
        "run", help="run a scenario (default: the market with one firm of each of the six named policies)"
    )
    r.add_argument("scenario", nargs="?", help="scenario file or policy preset name")
    r.add_argument("--years", type=float, help="override the horizon in years")
    r.add_argument("--seed", type=int, help="override the seed (default: the scenario's, else fresh entropy)")
    r.add_argument("--customers", type=int, help="override the number of customers")
    add_set_option(r)
    r.add_argument("--out", type=Path, help="write the table and manifest.json into this (new or empty) directory")
    r.add_argument("--format", choices=("csv", "parquet"), default="csv", help="table format (default csv)")
    r.add_argument(
        "--force",
        action="store_true",
        help="let --out overwrite a folder that holds files, and run even if the memory estimate exceeds what is available",
    )
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)
    v = sub.add_parser("validate", help="check scenario files")
    v.add_argument("files", nargs="+", type=Path)
    v.set_defaults(func=cmd_validate)
    ls = sub.add_parser("list", help="list policy presets and scenario files")
    ls.add_argument("--dir", type=Path, default=SCENARIO_DIR, help="folder of scenario files")
    ls.set_defaults(func=cmd_list)
    add_experiment_commands(sub)
    add_claims_command(sub)
    add_calibration_command(sub)
    a = sub.add_parser("app", help="the live workshop page in the browser (http://127.0.0.1:8765/)")
    a.add_argument("scenario", nargs="?", help="scenario file or policy preset shown first (default: the market)")
    a.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    a.add_argument("--host", default="127.0.0.1", help="address to bind to (default 127.0.0.1, this machine only)")
    a.add_argument("--force", action="store_true", help="serve even if the memory estimate exceeds what is available")
    add_set_option(a)
    a.set_defaults(func=cmd_app)
    return p


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"crsim: warning: {message}", file=sys.stderr)


def version_line() -> str:
    """``crsim X (Mesa Y, Python Z)``."""
    import platform

    from sim import __version__
    from sim.compat import mesa

    return f"crsim {__version__} (Mesa {mesa.__version__}, Python {platform.python_version()})"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warnings.showwarning = _one_line_warning
    try:
        return args.func(args)
    except ScenarioError as err:
        print(f"crsim: {err}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("crsim: interrupted", file=sys.stderr)
        return INTERRUPTED
    except OSError as err:  # disk full, a folder removed while running: the machine, not the input
        print(f"crsim: {err.filename or args.command}: {err.strerror or err}", file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
