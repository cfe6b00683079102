"""Tiny experiments that run in a fraction of a second per run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TINY = """
name = "tiny"
scenario = "business_as_usual"
policies = ["permanent_exit", "loyalty_lock_in"]
reference = "loyalty_lock_in"
replications = {replications}
years = {years}
customers = {customers}
seed = 11
outcomes = ["customers", "trust", "bond", "churn_rate_annual", "trapped_share", "devoted", "routine", "open", "trapped", "estranged"]

[design]
kind = "grid"
values = {{ "levers.exit_fee" = [0.0, 4.0], "customers.needs_volatility" = [0.01, 0.06] }}
"""


def tiny(folder: Path, *, replications: int = 2, years: float = 1, customers: int = 200) -> Path:
    """Write a 2 policies x 4 grid points experiment file into ``folder`` and return its path."""
    path = folder / "tiny.toml"
    path.write_text(TINY.format(replications=replications, years=years, customers=customers))
    return path


def crsim(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """The crsim command in a subprocess, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=ROOT, **kwargs)
