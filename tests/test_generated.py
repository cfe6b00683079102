"""Derived files (preset scenarios, the ODD's tables) are exactly what the schema and the policy registry give."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from sim import generate
from sim.params import Behaviour, Customers, Network
from sim.scenario import Shock, load_scenario

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = generate.outputs(ROOT)


def copy_sources(to: Path) -> None:
    for part in ("docs", "scenarios"):
        shutil.copytree(ROOT / part, to / part)
    shutil.copy(ROOT / "README.md", to / "README.md")


@pytest.mark.parametrize("path", sorted(OUTPUTS), ids=str)
def test_derived_file_is_up_to_date_row_for_row(path):
    expected = OUTPUTS[path].splitlines()
    actual = (ROOT / path).read_text(encoding="utf-8").splitlines()
    for row, (have, want) in enumerate(itertools.zip_longest(actual, expected), start=1):
        assert have == want, (
            f"{path}:{row} is out of date: it reads {have!r}, the schema and presets give {want!r}; "
            f"regenerate with `{generate.COMMAND}`"
        )


def test_every_preset_and_the_default_market_has_a_generated_file():
    stems = {p.stem for p in OUTPUTS if p.parent.name == "scenarios"}
    assert stems == {*generate.POLICIES, "market"}
    for path in OUTPUTS:
        if path.suffix == ".toml":
            assert load_scenario(ROOT / path) == generate.preset_scenarios()[path.stem].with_changes(seed=0)


def test_a_changed_default_makes_the_table_stale_until_regenerated(monkeypatch, tmp_path):
    copy_sources(tmp_path)
    assert generate.stale(tmp_path) == []
    monkeypatch.setattr(Customers.model_fields["patience"], "default", 0.55)
    assert generate.stale(tmp_path) == [Path("docs") / "ODD.md"]
    (tmp_path / "docs" / "ODD.md").write_text(generate.outputs(tmp_path)[Path("docs") / "ODD.md"])
    assert generate.stale(tmp_path) == []
    assert "| `customers.patience` | 0.55 | 0.0 … 1.0 |" in (tmp_path / "docs" / "ODD.md").read_text()


def test_a_hand_edit_of_a_generated_file_is_found(tmp_path):
    copy_sources(tmp_path)
    path = tmp_path / "scenarios" / "permanent_exit.toml"
    path.write_text(path.read_text().replace("count = 2000", "count = 2500"))
    assert generate.stale(tmp_path) == [Path("scenarios") / "permanent_exit.toml"]
    assert generate.main(["--check"]) == 0  # the checkout itself is up to date


@pytest.mark.parametrize(
    "field,expected",
    [
        (Customers.model_fields["count"], "10 … 5000000"),
        (Customers.model_fields["patience"], "0.0 … 1.0"),
        (Behaviour.model_fields["fit_width"], "> 0 … 5"),
        (Behaviour.model_fields["outside_option"], "-1 … 2"),
        (Network.model_fields["kind"], "one of `small_world`, `scale_free`, `random`"),
        (Shock.model_fields["firm"], "text or none"),
    ],
)
def test_ranges_are_written_from_the_bounds(field, expected):
    assert generate.value_range(field) == expected


def test_defaults_are_written_as_in_a_scenario_file():
    assert generate.default(Network.model_fields["kind"]) == '"small_world"'
    assert generate.default(Shock.model_fields["year"]) == "required"
    assert generate.default(Shock.model_fields["firm"]) == "none"


def test_fill_replaces_only_the_marked_block():
    text = "a\n<!-- generated: t (note) -->\nold\n<!-- end generated: t -->\nb\n"
    assert (
        generate.fill(text, "t", "new", "x.md")
        == "a\n<!-- generated: t (note) -->\nnew\n<!-- end generated: t -->\nb\n"
    )
    with pytest.raises(ValueError, match="x.md: no '<!-- generated: u"):
        generate.fill(text, "u", "new", "x.md")


def test_the_turbulent_market_is_the_default_market_shaken():
    turbulent, market = (
        load_scenario(ROOT / "scenarios" / "turbulent_market.toml"),
        generate.preset_scenarios()["market"],
    )
    assert turbulent.firms == market.firms, "scenarios/turbulent_market.toml: firms differ from the default market's"
    assert turbulent.shocks
