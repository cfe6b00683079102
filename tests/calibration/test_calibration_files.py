"""Calibration files: the shipped one is valid and cites a source for every number; bad ones are one line, exit 2."""

from __future__ import annotations

import pytest
from cal_helpers import CALIBRATION, SHIPPED, write

from sim.calibration import load_calibration
from sim.calibration.statistics import STATISTICS
from sim.cli import main
from sim.scenario import ScenarioError


def test_shipped_calibration_is_valid_and_every_target_cites_a_source():
    cal = load_calibration(SHIPPED)
    assert 6 <= len(cal.parameters) <= 8
    assert len(cal.calibration_targets) >= 5 and any(t.use == "validation" for t in cal.targets)
    for target in cal.targets:
        assert target.statistic in STATISTICS and len(target.source) > 20


BAD = [
    (
        '"behaviour.choice_noise" = [0.02, 0.3]',
        '"behaviour.choise_noise" = [0.02, 0.3]',
        "did you mean 'behaviour.choice_noise'",
    ),
    ('"behaviour.choice_noise" = [0.02, 0.3]', '"behaviour.choice_noise" = [0.3, 0.02]', "low must be below high"),
    (
        '"behaviour.choice_noise" = [0.02, 0.3]',
        '"behaviour.choice_noise" = [0.02, 3.0]',
        "parameters.behaviour.choice_noise",
    ),
    ('"behaviour.choice_noise" = [0.02, 0.3]', '"levers.price" = [0.5, 2.0]', "levers are what firms decide"),
    ('"behaviour.choice_noise" = [0.02, 0.3]', '"mechanisms.queues" = [0, 1]', "is a switch"),
    ('statistic = "annual_churn"', 'statistic = "anual_churn"', "did you mean 'annual_churn'"),
    ("sd = 0.05", "sd = 0.05\nrange = [0.1, 0.2]", "exactly one of `sd` and `range`"),
    ("sd = 0.05", "sd = -1.0", "targets[0].sd"),
    ('source = "a test figure"\n', "", "targets[0].source: required field is missing"),
    ("population = 8", "population = 2", "population"),
    ("population = 8", "populaton = 8", "did you mean 'population'"),
    ('scenario = "market.toml"', 'scenario = "nowhere.toml"', "scenario"),
    ('statistic = "churn_month_to_month"', 'statistic = "churn_two_year"', "needs a firm with a minimum term of 13-60"),
    ('use = "validation"', 'use = "kept"', "targets[2].use"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD, ids=[b[2][:30] for b in BAD])
def test_bad_calibration_file_is_one_line_naming_the_field_and_exit_2(tmp_path, capsys, old, new, message):
    assert old in CALIBRATION
    path = write(tmp_path, CALIBRATION.replace(old, new, 1))
    with pytest.raises(ScenarioError) as err:
        load_calibration(path)
    assert message in str(err.value) and "\n" not in str(err.value) and str(path) in str(err.value)
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    err_line = capsys.readouterr().err
    assert err_line.count("\n") == 1 and message in err_line
    assert not out.exists()  # nothing written


def test_missing_and_broken_files_exit_2(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    broken = tmp_path / "broken.toml"
    broken.write_text("name = [")
    assert main(["calibrate", str(broken), "--out", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "no such file" in lines[0] and "not valid TOML" in lines[1]


def test_bad_command_line_values_exit_2(tmp_path, capsys):
    path = write(tmp_path)
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o"), "--workers", "0"]) == 2
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o"), "--population", "1"]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 2
