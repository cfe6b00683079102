"""End to end through the experiment runner: claims that hold by construction hold everywhere; a claim whose
sign flips on a known parameter is found to fail in the right box; the atlas and its figures are written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from claims_helpers import TOYS, space_file

from sim.claims.atlas import build_atlas, holm
from sim.claims.evaluate import run_claims
from sim.claims.space import load_space


@pytest.fixture(scope="module")
def toy_atlas(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    space = load_space(space_file(folder))
    out = run_claims(TOYS, space, folder / "out", progress=False)
    return build_atlas(TOYS, space, out), space


def row(atlas, name):
    return atlas.table.set_index("claim").loc[name]


def test_an_arm_against_itself_differs_by_exactly_zero_at_every_point(toy_atlas):
    atlas, _ = toy_atlas
    effects = atlas.effects[atlas.effects["claim"] == "toy_same_arm"]
    assert len(effects) == 30 and (effects["effect"] == 0).all()  # common random numbers: the very same runs
    assert row(atlas, "toy_same_arm")["share_holds"] == 1 and atlas.boxes["toy_same_arm"] is None


def test_a_claim_that_holds_by_construction_holds_everywhere(toy_atlas):
    atlas, _ = toy_atlas
    r = row(atlas, "toy_dearer_per_customer")
    assert r["share_holds"] == 1 and r["fails_when"] == "never fails" and r["effect_p05"] > 0
    assert atlas.boxes["toy_dearer_per_customer"] is None


def test_a_claim_that_flips_on_price_sensitivity_fails_in_the_box_of_high_price_sensitivity(toy_atlas):
    atlas, space = toy_atlas
    effects = atlas.effects[atlas.effects["claim"] == "toy_dearer_revenue"]
    sensitivity = effects["customers.price_sensitivity"]
    assert effects.loc[sensitivity < 0.15, "holds"].all() and not effects.loc[sensitivity > 0.85, "holds"].any()
    box = atlas.boxes["toy_dearer_revenue"]
    assert box is not None and box.coverage >= 0.8 and box.density >= 0.8
    low, high = box.limits["customers.price_sensitivity"]
    assert 0.1 < low < 0.7 and high == 1.0  # the box starts well above no sensitivity and reaches the top
    if "behaviour.bond_decay" in box.limits:  # the parameter that does not matter keeps most of its range
        a, b = box.limits["behaviour.bond_decay"]
        assert (b - a) / (0.02 - 0.005) > 0.7
    text = row(atlas, "toy_dearer_revenue")["fails_when"]
    assert text.startswith("fails when price sensitivity is above 0.")


def test_the_atlas_files_say_it_in_words_and_figures(toy_atlas):
    atlas, _ = toy_atlas
    csv = pd.read_csv(atlas.folder / "claims.csv")
    assert list(csv["claim"]) == [t.name for t in TOYS]
    assert np.isclose(csv.set_index("claim").loc["toy_dearer_revenue", "share_holds"], (atlas.effects.query(
        "claim == 'toy_dearer_revenue'")["holds"]).mean())  # fmt: skip
    md = (atlas.folder / "claims.md").read_text()
    assert "fails when price sensitivity is above" in md and "coverage" in md
    for name, path in atlas.figures.items():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"figures/{name}.png" in md
    record = json.loads((atlas.folder / "claims.json").read_text())
    assert record["months"] == 12 and len(record["arms"]) == 2 and record["git_commit"] is not None


@pytest.mark.slow
def test_the_same_inputs_give_the_same_atlas_serially_and_on_two_workers(toy_atlas, tmp_path):
    atlas, space = toy_atlas
    out = run_claims(TOYS, space, tmp_path / "again", workers=2, progress=False)
    again = build_atlas(TOYS, space, out)
    pd.testing.assert_frame_equal(again.effects, atlas.effects)
    pd.testing.assert_frame_equal(again.table, atlas.table)


def test_the_mean_effect_over_the_space_has_an_interval_and_holm_adjusted_p_values(toy_atlas):
    atlas, _ = toy_atlas
    csv = pd.read_csv(atlas.folder / "claims.csv").set_index("claim")
    sure = csv.loc["toy_dearer_per_customer"]  # holds everywhere, by a wide margin
    assert sure["effect_ci_low"] > 0 and sure["effect_ci_low"] < sure["effect_mean"] < sure["effect_ci_high"]
    assert sure["p_value"] < 1e-6 and sure["p_holm"] >= sure["p_value"]
    flips = csv.loc["toy_dearer_revenue"]  # holds on part of the space only: no claim about the mean's sign
    effects = atlas.effects.query("claim == 'toy_dearer_revenue'")["effect"]
    assert np.isclose(flips["effect_mean"], effects.mean())
    assert flips["effect_ci_high"] - flips["effect_ci_low"] > 0 and 0 <= flips["p_value"] <= flips["p_holm"] <= 1
    md = (atlas.folder / "claims.md").read_text()
    assert "adjusted for the 3 claims of this run (Holm)" in md


def test_holm_adjusts_in_step_down_order_and_keeps_missing_values():
    p = pd.Series([0.01, 0.04, 0.03, np.nan, 0.5])
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4): 4 x 0.01, 3 x 0.03, max(2 x 0.04, 0.09), max(1 x 0.5, 0.09)
    expected = [0.04, 0.09, 0.09, np.nan, 0.5]
    np.testing.assert_allclose(holm(p).to_numpy(), expected)
    assert holm(pd.Series([0.6, 0.7])).tolist() == [1.0, 1.0]  # capped at 1


@pytest.mark.parametrize(
    "effect, min_effect, reason",
    [(0.01, 0.02, "goes the claimed way but stays below"), (-0.01, 0.02, "goes the other way"),
     (-0.05, -0.02, "goes the other way")],
)  # fmt: skip
def test_a_claim_that_fails_everywhere_says_why(effect, min_effect, reason):
    from claims_helpers import DearerEarnsMore

    from sim.claims.atlas import why_it_fails

    claim = type("Toy", (DearerEarnsMore,), {"min_effect": min_effect})
    assert reason in why_it_fails(claim, pd.Series([effect, effect]))
