"""The workshop page without a browser: the wrapper model, the charts and the controls rendered by Solara."""

from __future__ import annotations

import numpy as np
import pytest

solara = pytest.importorskip("solara")
import ipyvuetify as v  # noqa: E402

from sim.app import charts  # noqa: E402
from sim.app.controls import LeverPanel, SessionPanel, describe_month  # noqa: E402
from sim.app.labels import LEVERS, OKABE_ITO, first_choice, scenario_choices  # noqa: E402
from sim.app.workshop import LeverBoard, Workshop  # noqa: E402
from sim.cli import parser  # noqa: E402

CUSTOMERS = 300


def workshop(**kw) -> Workshop:
    return Workshop(market=kw.pop("market", "loyalty_lock_in"), customers=CUSTOMERS, **kw)


def test_side_by_side_markets_start_with_the_same_customers():
    w = workshop(seed=5, side_by_side=True, compare_with="Permanent exit")
    a, b = (s.model.market for s in w.sides)
    for name in ("needs", "price_sensitivity", "patience", "reactance", "relationship_need", "talkativeness"):
        np.testing.assert_array_equal(getattr(a.customers, name), getattr(b.customers, name), err_msg=name)
    np.testing.assert_array_equal(a.network.indptr, b.network.indptr)
    np.testing.assert_array_equal(a.network.indices, b.network.indices)
    assert [f.policy_name for f in w.sides[0].model.firms][0] == "loyalty_lock_in"
    assert [f.policy_name for f in w.sides[1].model.firms] == ["permanent_exit"] + ["business_as_usual"] * 3


def test_side_by_side_markets_then_diverge_only_through_the_policy():
    w = workshop(seed=5, side_by_side=True, compare_with="Permanent exit")
    for _ in range(12):
        w.step()
    a, b = (s.series("customers")[-1] for s in w.sides)
    assert a[0] != b[0]  # lock-in holds customers that a permanent exit option lets go (or wins)


def test_another_seed_gives_other_customers():
    a, b = workshop(seed=1), workshop(seed=2)
    assert not np.array_equal(a.sides[0].model.market.customers.needs, b.sides[0].model.market.customers.needs)


def test_levers_on_the_board_apply_to_the_next_workshop_only():
    board = LeverBoard()
    running = workshop(board=board)
    board.set("loyalty_lock_in", "Loyalty lock-in", "contract_term", 0)
    board.set("loyalty_lock_in", "Rival A", "staff_authority", 0.9)
    assert running.sides[0].model.firms[0].levers.contract_term == 24
    fresh = workshop(board=board, side_by_side=True)
    a, b = (s.model.firms for s in fresh.sides)
    assert a[0].levers.contract_term == 0
    assert a[1].levers.staff_authority == 0.9
    assert b[1].levers.staff_authority == 0.9  # same rivals in market B
    assert b[0].levers.contract_term == 0 and b[0].policy_name == "permanent_exit"  # B's first firm keeps its policy
    with pytest.raises(ValueError):
        board.set("loyalty_lock_in", "Rival A", "no_such_lever", 1)


def test_shock_hits_next_month_in_both_markets():
    w = workshop(side_by_side=True)
    for _ in range(3):
        w.step()
    before = [s.series("trust")[-1][0] for s in w.sides]
    w.fire("scandal", 0, severity=0.6)
    w.step()
    after = [s.series("trust")[-1][0] for s in w.sides]
    assert all(x < 0.7 * y for x, y in zip(after, before, strict=True))
    assert w.shocks_fired == [(4, "scandal", "Loyalty lock-in")]


def test_smoothed_series_are_trailing_twelve_month_means():
    w = workshop()
    for _ in range(20):
        w.step()
    raw = np.vstack(w.sides[0].history["profit"])
    smooth = w.sides[0].series("profit")
    np.testing.assert_allclose(smooth[-1], raw[-12:].mean(axis=0))
    np.testing.assert_allclose(smooth[3], raw[:4].mean(axis=0))


@pytest.mark.parametrize("side_by_side", [False, True])
def test_charts_draw_every_firm(side_by_side):
    w = workshop(side_by_side=side_by_side)
    w.step()
    w.fire("recession")
    w.step()
    fig = charts.outcome_figure(w)
    lines = [line for ax in fig.axes[:5] for line in ax.get_lines() if line.get_linestyle() != ":"]
    assert len(lines) == 5 * 4 * len(w.sides)
    assert {line.get_color() for line in lines} == set(OKABE_ITO[:4])
    assert len(charts.typology_figure(w).axes[0].patches) == 5 * 4 * len(w.sides)
    assert len(charts.population_figure(w).axes) == len(w.sides)


def test_market_menu_offers_the_command_line_choice_first():
    assert first_choice("permanent_exit") == "Permanent exit vs. three rivals"
    assert first_choice(None).startswith("Default market")
    assert list(scenario_choices("scenarios/market.toml"))[0] == "File: market.toml"
    w = Workshop(
        market=first_choice("scenarios/budget_sales.toml"), extra="scenarios/budget_sales.toml", customers=CUSTOMERS
    )
    assert w.firm_names[0] == "Budget sales"


def test_session_panel_fires_a_shock_at_the_chosen_firm():
    w = workshop()
    box, rc = solara.render(SessionPanel(w), handle_error=False)
    assert rc.find(v.Html, class_="crsim-month").widget.children == [describe_month(0)]
    rc.find(v.Select).widget.v_model = "Rival B"
    rc.find(v.Btn, children=["Scandal"]).widget.click()
    assert w.shocks_fired == [(1, "scandal", "Rival B")]
    rc.find(v.Btn, children=["Recession"]).widget.click()
    assert w.sides[0].model.shocks[-1].kind == "recession"
    last = rc.find(v.Html, class_="crsim-caption crsim-last-shock").widget.children[0]
    assert last == "Last event: recession, from month 1"
    rc.close()


def test_lever_panel_shows_every_lever_and_writes_the_board():
    board = LeverBoard()
    w = workshop(board=board)
    box, rc = solara.render(LeverPanel(w), handle_error=False)
    sliders = rc.find(v.Slider).widgets
    assert len(sliders) == len(LEVERS)
    labels = [s.label for s in sliders]
    assert labels[0] == "Contract term (months): 24"
    sliders[0].v_model = 3
    assert board.get("loyalty_lock_in", "Loyalty lock-in") == {"contract_term": 3}
    assert rc.find(v.Slider).widgets[0].label == "Contract term (months): 3"
    pending = rc.find(v.Html, class_="crsim-pending").widgets  # tells the facilitator to press Reset
    assert len(pending) == 1 and "press Reset" in pending[0].children[0]
    rc.find(v.Btn, children=["Back to the policies' own levers"]).widget.click()
    assert board.changes == {}
    rc.close()


def test_cli_app_binds_to_loopback_by_default():
    args = parser().parse_args(["app", "permanent_exit", "--port", "9000"])
    assert (args.host, args.port, args.scenario) == ("127.0.0.1", 9000, "permanent_exit")


def test_cli_app_rejects_a_bad_scenario_before_serving(capsys):
    from sim.cli import main

    assert main(["app", "loyalty_lock_inn", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'loyalty_lock_in'?" in err and "http://" not in err
