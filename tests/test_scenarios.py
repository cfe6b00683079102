"""Scenario files: the shipped ones match the presets; every class of bad input gets one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.scenario import Scenario, ScenarioError, default_market, load_scenario, preset_scenario, resolve_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.mark.parametrize("policy", sorted(sim.POLICIES))
def test_each_preset_has_its_scenario_file(policy):
    # the files pin the seed; a preset has none (each model draws fresh entropy)
    assert load_scenario(SCENARIOS / f"{policy}.toml") == preset_scenario(policy).with_changes(seed=0)
    assert preset_scenario(policy).seed is None


def test_market_file_is_the_default_market():
    assert load_scenario(SCENARIOS / "market.toml") == default_market().with_changes(seed=0)
    assert resolve_scenario(None) == default_market()


def test_preset_market_puts_the_policy_against_business_as_usual():
    s = preset_scenario("loyalty_lock_in")
    assert [f.policy for f in s.firms] == ["loyalty_lock_in"] + ["business_as_usual"] * 3


def test_lever_overrides_apply_on_top_of_the_preset():
    s = Scenario.model_validate({"firms": [{"name": "A", "policy": "loyalty_lock_in", "levers": {"exit_fee": 1.5}}]})
    levers = s.firms[0].resolved_levers()
    assert levers.exit_fee == 1.5
    assert levers.contract_term == sim.POLICIES["loyalty_lock_in"].levers.contract_term


GOOD = """
name = "t"
years = 2
seed = 4
[customers]
count = 300
[[firms]]
name = "A"
policy = "permanent_exit"
[[firms]]
name = "B"
policy = "business_as_usual"
"""

BAD = [
    # (what is wrong, text replacing, with, expected fragment of the one-line message)
    (
        "typo in a section",
        "count = 300",
        "cuont = 300",
        "customers.cuont: unknown field 'cuont'; did you mean 'count'?",
    ),
    ("typo at top level", "years = 2", "yeras = 2", "yeras: unknown field 'yeras'; did you mean 'years'?"),
    (
        "typo in a lever",
        'policy = "permanent_exit"',
        'policy = "permanent_exit"\nlevers = { exit_fe = 1 }',
        "firms[0].levers.exit_fe: unknown field 'exit_fe'; did you mean 'exit_fee'?",
    ),
    ("wrong type", "count = 300", 'count = "many"', "customers.count: Input should be a valid integer"),
    (
        "out of range",
        "seed = 4",
        "seed = 4\n[behaviour]\ntrust_gain = 1.5",
        "behaviour.trust_gain: Input should be less than or equal to 1",
    ),
    ("impossible value", "years = 2", "years = -1", "years: Input should be greater than 0"),
    ("unknown policy", 'policy = "permanent_exit"', 'policy = "permanent_exits"', "did you mean 'permanent_exit'?"),
    ("duplicate firm", 'name = "B"', 'name = "A"', "firm names must differ by more than case or spaces"),
    (
        "shock at unknown firm",
        "seed = 4",
        'seed = 4\n[[shocks]]\nkind = "scandal"\nyear = 1\nfirm = "Z"',
        "unknown firm 'Z'",
    ),
    ("shock kind", "seed = 4", 'seed = 4\n[[shocks]]\nkind = "flood"\nyear = 1', "shocks[0].kind"),
    ("missing firms", GOOD[GOOD.index("[[firms]]") :], "", "firms: required field is missing"),
    ("bad TOML", "years = 2", "years = = 2", "not valid TOML"),
]


@pytest.mark.parametrize("what,old,new,expected", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_one_line_naming_file_and_field(tmp_path, what, old, new, expected):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_good_file_loads(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    assert load_scenario(path).customers.count == 300


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match=r"nowhere\.toml: no such file"):
        load_scenario(tmp_path / "nowhere.toml")


def test_unknown_preset_name_suggests_the_closest():
    with pytest.raises(ScenarioError, match="did you mean 'budget_sales'"):
        resolve_scenario("budget_sale")


def test_the_parameter_schema_depends_on_nothing_else_in_the_package():
    """sim.params is the bottom layer: policies, shocks, state and scenarios are built on it, never the reverse."""
    import ast

    import sim.params

    tree = ast.parse(Path(sim.params.__file__).read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in modules if m.split(".")[0] == "sim"} == set()
    assert sim.Scenario is sim.scenario.Scenario
