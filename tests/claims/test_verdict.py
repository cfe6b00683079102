"""The workshop page's verdict panel: one sentence saying whether a claim holds in this market, and why not
when it cannot be judged."""

from __future__ import annotations

import pytest

from sim.claims import CLAIMS, verdict
from sim.claims.verdict import window_value
from sim.model import MarketModel
from sim.scenario import preset_scenario


def market(policy, months=24, seed=4, **levers):
    data = preset_scenario(policy, customers=300).with_changes(years=max(2, months / 12), seed=seed).model_dump()
    data["firms"][0]["levers"].update(levers)
    model = MarketModel(type(preset_scenario(policy)).model_validate(data))
    return model.run(months=months)


@pytest.fixture(scope="module")
def side_by_side():
    return market("permanent_exit"), market("loyalty_lock_in")


def test_side_by_side_markets_give_the_verdict_with_both_firms_values(side_by_side):
    exit_market, lock_market = side_by_side
    claim = CLAIMS["exit_option_churn_while_bound"]
    text = verdict(side_by_side, claim.name)
    a = window_value(exit_market.outcomes().query("firm == 'Permanent exit'"), claim, 300)
    b = window_value(lock_market.outcomes().query("firm == 'Loyalty lock-in'"), claim, 300)
    holds = b - a > claim.min_effect  # direction lower: the exit option's churn must not exceed lock-in's by 0.02
    assert text.startswith(f'In this market, the claim "{claim.title}" {"holds" if holds else "fails"}: ')
    assert f"{a:.3g} at Permanent exit" in text and f"{b:.3g} at Loyalty lock-in" in text
    assert f"{a - b:+.3g}" in text and "churn per year (average) in years 1-2" in text


def test_swapping_the_arms_of_a_sceptic_claim_reads_the_same_firms(side_by_side):
    text = verdict(tuple(reversed(side_by_side)), "lock_in_short_run_profit")
    assert "at Loyalty lock-in against" in text and text.split(" against ")[1].split(",")[0].endswith(
        "at Permanent exit"
    )


def test_a_claim_whose_window_lies_ahead_cannot_be_judged_yet():
    text = verdict(market("budget_sales", months=6), "budget_sales_acquisitions")
    assert "cannot be judged yet" in text and "month 12" in text and "at month 6" in text


def test_a_market_without_one_of_the_arms_says_which_is_missing(side_by_side):
    text = verdict(side_by_side[0], "exit_option_trust")
    assert text.endswith("cannot be judged: no firm runs Loyalty lock-in as the claim declares it.")


def test_a_firm_whose_levers_were_changed_no_longer_runs_the_arm():
    changed = market("permanent_exit", months=12, exit_fee=3.0)
    assert "no firm runs Permanent exit" in verdict((changed, market("loyalty_lock_in", months=12)),
                                                     "exit_option_churn_while_bound")  # fmt: skip


def test_a_lever_arm_is_recognised_by_its_lever_values():
    listening = market("business_as_usual", months=60, listening=0.2)
    deaf = market("business_as_usual", months=60, listening=0.0)
    text = verdict((listening, deaf), "listening_keeps_customers")
    assert " holds: " in text or " fails: " in text
    assert "at Business as usual (listening 0.2) against" in text and "at Business as usual (listening 0.0)," in text


def test_a_table_is_judged_by_policy_names_and_needs_the_market_size_for_totals(side_by_side):
    exit_market, lock_market = side_by_side
    tables = (exit_market.outcomes(), lock_market.outcomes())
    assert "market's size" in verdict(tables, "lock_in_short_run_profit")
    assert verdict(tables, "exit_option_churn_while_bound") == verdict(side_by_side, "exit_option_churn_while_bound")


def test_an_unknown_claim_is_a_key_error_with_a_suggestion(side_by_side):
    with pytest.raises(KeyError, match="did you mean 'exit_option_trust'"):
        verdict(side_by_side, "exit_option_trusts")
