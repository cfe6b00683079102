"""Small calibrations that run in seconds."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED = ROOT / "calibration" / "status_quo.toml"

MARKET = """
name = "tiny"
years = 2.0
[customers]
count = 200
[network]
degree = 4
[[firms]]
name = "Monthly"
policy = "business_as_usual"
levers = { contract_term = 0, exit_fee = 0.0 }
[[firms]]
name = "Annual"
policy = "business_as_usual"
"""

CALIBRATION = """
name = "tiny"
scenario = "market.toml"
burn_in_years = 0.5
years = 1.0
follow_up = 4
population = 8
seed = 11
[stop]
max_generations = 2
[check]
draws = 4
replications = 2
[parameters]
"behaviour.choice_noise" = [0.02, 0.3]
"behaviour.base_failure" = [0.02, 0.2]
[[targets]]
statistic = "annual_churn"
observed = 0.15
sd = 0.05
source = "a test figure"
[[targets]]
statistic = "voice_share"
observed = 0.4
range = [0.2, 0.6]
source = "a test figure"
[[targets]]
statistic = "churn_month_to_month"
use = "validation"
observed = 0.3
sd = 0.1
source = "a test figure"
"""


def write(folder: Path, calibration: str = CALIBRATION, market: str = MARKET) -> Path:
    """Write a calibration file and its market into ``folder``; returns the calibration file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "market.toml").write_text(market)
    path = folder / "cal.toml"
    path.write_text(calibration)
    return path
