"""The workshop page without a browser: the markets, the play loop, the charts, the layout and the exports."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest

solara = pytest.importorskip("solara")

from sim.app import charts  # noqa: E402
from sim.app.labels import LEVERS, first_choice, scenario_choices, shock_kinds  # noqa: E402
from sim.app.layout import BAR, MIN_FONT_PX, layout  # noqa: E402
from sim.app.player import Player  # noqa: E402
from sim.app.preset import save_preset  # noqa: E402
from sim.app.serve import command, environment  # noqa: E402
from sim.app.session import closed, connected  # noqa: E402
from sim.app.workshop import Settings, Workshop  # noqa: E402
from sim.cli import main, parser  # noqa: E402
from sim.palette import OKABE_ITO  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

CUSTOMERS = 300


def workshop(**kw) -> Workshop:
    return Workshop(Settings(market=kw.pop("market", "loyalty_lock_in"), customers=CUSTOMERS, **kw))


def test_side_by_side_markets_start_with_the_same_customers():
    w = workshop(seed=5, side_by_side=True, compare_with="Permanent exit")
    a, b = (s.model.market for s in w.sides)
    for name in ("needs", "price_sensitivity", "patience", "reactance", "relationship_need", "talkativeness"):
        np.testing.assert_array_equal(getattr(a.customers, name), getattr(b.customers, name), err_msg=name)
    np.testing.assert_array_equal(a.network.indices, b.network.indices)
    assert [f.policy_name for f in w.sides[1].model.firms] == ["permanent_exit"] + ["business_as_usual"] * 3
    for _ in range(12):
        w.step()
    assert w.sides[0].series("customers")[-1][0] != w.sides[1].series("customers")[-1][0]


def test_another_seed_gives_other_customers():
    a, b = workshop(seed=1), workshop(seed=2)
    assert not np.array_equal(a.sides[0].model.market.customers.needs, b.sides[0].model.market.customers.needs)


def test_a_lever_acts_from_next_month_and_is_logged():
    w, same = workshop(seed=3), workshop(seed=3)
    for x in (w, same):
        for _ in range(6):
            x.step()
    event = w.set_lever(0, 0, "staff_authority", 0.95)
    assert event is not None and event.month == 7 and "staff empowerment 0.3 → 0.95" in event.text
    assert w.set_lever(0, 0, "staff_authority", 0.95) is None  # no change, no event
    assert w.sides[0].series("trust")[-1][0] == same.sides[0].series("trust")[-1][0]  # nothing changed yet
    for x in (w, same):
        for _ in range(6):
            x.step()
    assert w.sides[0].series("trust")[-1][0] != same.sides[0].series("trust")[-1][0]
    with pytest.raises(ValueError):
        w.set_lever(0, 0, "no_such_lever", 1)


def test_a_rival_lever_changes_in_both_markets_the_first_firm_only_in_its_own():
    w = workshop(side_by_side=True)
    w.set_lever(0, 1, "sales_pressure", 0.9)
    assert [s.model.firms[1].levers.sales_pressure for s in w.sides] == [0.9, 0.9]
    w.set_lever(1, 0, "exit_fee", 2.0)
    assert [s.model.firms[0].levers.exit_fee for s in w.sides] == [6.0, 2.0]
    assert [t[2] for t in w.lever_targets()][-1] == "B: Permanent exit"


def test_shock_hits_next_month_in_both_markets_and_names_each_markets_firm():
    w = workshop(side_by_side=True, compare_with="Relationship first")
    for _ in range(3):
        w.step()
    before = [s.series("trust")[-1][0] for s in w.sides]
    event = w.fire("scandal", 0, severity=0.6)
    w.step()
    after = [s.series("trust")[-1][0] for s in w.sides]
    assert all(x < 0.7 * y for x, y in zip(after, before, strict=True))
    assert (event.tag, event.month, event.kind) == ("E1", 4, "scandal")
    assert event.text == "Scandal at Loyalty lock-in (A) / Relationship first (B)"
    assert w.fire("recession").text == "Recession"
    with pytest.raises(ValueError):
        w.fire("meteor")


def test_every_shock_kind_the_page_offers_exists_in_the_model():
    w = workshop()
    for kind in shock_kinds():
        w.fire(kind, 1)
    w.step()
    assert {s.kind for s in w.sides[0].model.shocks} == set(shock_kinds())


def test_smoothed_series_are_trailing_twelve_month_means():
    w = workshop()
    for _ in range(20):
        w.step()
    raw = np.vstack(w.sides[0].history["profit"])
    smooth = w.sides[0].series("profit")
    np.testing.assert_allclose(smooth[-1], raw[-12:].mean(axis=0))
    np.testing.assert_allclose(smooth[3], raw[:4].mean(axis=0))


def test_data_table_matches_the_charts():
    w = workshop(side_by_side=True)
    for _ in range(5):
        w.step()
    table = w.table()
    assert len(table) == 2 * 4 * 6 and set(table["market"]) == {"A: Loyalty lock-in", "B: Permanent exit"}
    last = table[(table["month"] == 5) & (table["market"] == "A: Loyalty lock-in")]
    np.testing.assert_allclose(last["trust"], w.sides[0].series("trust")[-1])


# -- the play loop -----------------------------------------------------------------------------


class Recorder:
    """Collects the frames a player publishes and waits on them."""

    def __init__(self):
        self.frames = []
        self.changed = threading.Condition()

    def __call__(self, frame):
        with self.changed:
            self.frames.append(frame)
            self.changed.notify_all()

    @property
    def last(self):
        return self.frames[-1]

    def wait(self, predicate, what: str, timeout: float = 120):
        deadline = time.monotonic() + timeout
        with self.changed:
            while not (self.frames and predicate(self.last)):
                if not self.changed.wait(timeout=max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"timed out waiting for {what}")
        return self.last


@pytest.fixture
def player():
    made = []

    def make(years=2.0, **kw):
        rec = Recorder()
        p = Player(Settings(market="loyalty_lock_in", customers=CUSTOMERS, years=years, **kw), rec, size=(1366, 768))
        made.append(p)
        p.start()
        rec.wait(lambda f: True, "the first frame")
        return p, rec

    yield make
    for p in made:
        p.close()
        p.thread.join(10)
        assert not p.thread.is_alive()


def test_play_pause_play_step_in_any_order_keeps_screen_and_model_in_step(player):
    p, rec = player(years=20)
    p.send("speed", 48)
    for _ in range(3):
        p.send("play")
        start = rec.last.month
        rec.wait(lambda f, start=start: f.month >= start + 3, "three months of play")
        p.send("pause")
        frame = rec.wait(lambda f: not f.playing, "the pause")
        time.sleep(0.3)
        assert rec.last.month == frame.month == p.workshop.month  # nothing moves after a pause
    for _ in range(5):  # rapid steps: none is lost
        p.send("step")
    m = frame.month + 5
    rec.wait(lambda f: f.month == m, "five steps")
    for f in rec.frames:  # every frame is one month throughout: counter, read-outs and charts' data
        assert len(f.history[0][2]["trust"]) == f.month + 1
        assert f.readouts[0].customers == int(f.history[0][2]["customers"][-1][0])


def test_play_stops_at_the_horizon_and_run_years_pauses(player):
    p, rec = player(years=1)
    p.send("speed", 48)
    p.send("run_years", 0.5)
    rec.wait(lambda f: not f.playing and f.month == 6, "half a year")
    p.send("play")
    rec.wait(lambda f: not f.playing and f.month == 12, "the horizon")
    p.send("play")
    p.send("step")
    time.sleep(0.5)
    assert rec.last.month == 12 == p.workshop.month


def test_a_shock_and_a_lever_while_playing_are_logged_and_reset_returns_the_levers(player):
    p, rec = player(years=20)
    p.send("play")
    p.send("fire", "scandal", 0)
    p.send("lever", 0, 0, "contract_term", 0)
    frame = rec.wait(lambda f: len(f.events) == 2, "two events")
    assert [e.kind for e in frame.events] == ["scandal", "lever"]
    assert frame.levers[0, 0]["contract_term"] == 0
    p.send("reset")
    frame = rec.wait(lambda f: f.month == 0 and not f.events, "the reset")
    assert frame.levers[0, 0]["contract_term"] == 24 and not frame.playing


def test_a_bad_command_shows_an_error_and_the_market_goes_on(player):
    p, rec = player()
    p.send("lever", 0, 0, "exit_fee", -5)
    frame = rec.wait(lambda f: f.error, "the error")
    assert "exit_fee" in frame.error
    p.send("step")
    assert rec.wait(lambda f: f.month == 1, "a step").error == ""


class FakeSession:
    """What the player reads of a Solara session: whether it closed, and its pages' connection status."""

    def __init__(self):
        from solara.server.kernel_context import PageStatus

        self.closed_event = threading.Event()
        self.page_status = {"tab": PageStatus.CONNECTED}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_session_status_is_read_from_solara():
    from solara.server.kernel_context import PageStatus

    s = FakeSession()
    assert connected(s) and not closed(s) and connected(None) and not closed(None)
    s.page_status["tab"] = PageStatus.DISCONNECTED
    assert not connected(s)
    s.closed_event.set()
    assert closed(s)


def test_a_dropped_tab_stops_its_market_at_once_and_a_closed_session_ends_the_player():
    from solara.server.kernel_context import PageStatus

    session, rec = FakeSession(), Recorder()
    p = Player(Settings(market="loyalty_lock_in", customers=CUSTOMERS), rec, session=session).start()
    p.send("play")
    rec.wait(lambda f: f.month >= 2, "play")
    session.page_status["tab"] = PageStatus.DISCONNECTED
    deadline = time.monotonic() + 30
    while p.playing.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not p.playing.is_set()
    month = p.workshop.month
    time.sleep(0.5)
    assert p.workshop.month == month
    session.closed_event.set()
    p.thread.join(30)
    assert not p.thread.is_alive() and p.workshop is None


# -- charts and layout -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_main_chart_fits_the_first_screen_with_readable_text(size):
    lay = layout(*size)
    assert lay.main[1] + BAR <= size[1] and lay.controls + lay.main[0] + lay.side <= size[0]
    assert lay.font >= MIN_FONT_PX
    w = workshop(side_by_side=True)
    w.set_lever(0, 0, "exit_fee", 1)
    w.step()
    fig = charts.outcome_figure(w, lay)
    assert tuple(round(x) for x in fig.get_size_inches() * fig.dpi) == lay.main  # drawn at the size shown
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize")) if t.get_text()]
    assert sizes and min(sizes) * fig.dpi / 72 >= MIN_FONT_PX


@pytest.mark.parametrize("side_by_side", [False, True])
def test_charts_draw_every_firm_and_tell_markets_apart(side_by_side):
    w = workshop(side_by_side=side_by_side)
    w.step()
    w.fire("recession")
    w.step()
    fig = charts.outcome_figure(w, layout(1920, 1080))
    lines = [line for ax in fig.axes[:5] for line in ax.get_lines() if line.get_gid() != "event"]
    assert len(lines) == 5 * 4 * len(w.sides)
    colours = {line.get_color() for line in lines}
    assert colours == set(OKABE_ITO[: 4 + side_by_side])  # market B's first firm has a colour of its own
    styles = {(line.get_linestyle(), line.get_marker()) for line in lines}
    assert len(styles) == len(w.sides)
    tags = [t.get_text() for t in fig.axes[0].texts]
    assert tags == ["E1"]
    assert len(charts.population_figure(w, (900, 400), 16).axes) == len(w.sides)


# -- facilitator's files and the server --------------------------------------------------------


def test_saved_levers_are_a_scenario_crsim_runs(tmp_path, capsys):
    w = workshop()
    w.set_lever(0, 0, "exit_fee", 1.5)
    w.set_lever(0, 2, "staff_authority", 0.8)
    path = save_preset(w.scenario_now("room_3"), tmp_path)
    s = load_scenario(path)
    assert s.firms[0].resolved_levers().exit_fee == 1.5 and s.firms[2].resolved_levers().staff_authority == 0.8
    assert s.firms[1].resolved_levers() == w.sides[0].model.firms[1].levers
    assert main(["run", str(path), "--years", "0.5", "--quiet"]) == 0
    with pytest.raises(ValueError):
        save_preset(w.scenario_now("../evil"), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["room_3.toml"]


def test_market_menu_offers_the_command_line_choice_first():
    assert first_choice("permanent_exit") == "Permanent exit vs. three rivals"
    assert first_choice(None).startswith("Default market")
    assert list(scenario_choices("scenarios/market.toml"))[0] == "File: market.toml"
    extra = "scenarios/budget_sales.toml"
    assert Workshop(Settings(first_choice(extra), extra=extra, customers=CUSTOMERS)).firm_names[0] == "Budget sales"


def test_lever_labels_cover_real_levers():
    w = workshop()
    assert set(w.levers(0, 0)) == set(LEVERS)


def test_server_asks_no_one_for_anything():
    assert "--no-check-version" in command(8000)
    env = environment(None)
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_cli_app_binds_to_loopback_by_default():
    args = parser().parse_args(["app", "permanent_exit", "--port", "9000"])
    assert (args.host, args.port, args.scenario) == ("127.0.0.1", 9000, "permanent_exit")


def test_cli_app_rejects_a_bad_scenario_before_serving(capsys):
    assert main(["app", "loyalty_lock_inn", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'loyalty_lock_in'?" in err and "http://" not in err


def test_cli_app_says_the_port_is_taken_in_one_line_first(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"127.0.0.1:{port}" in err and "--port" in err and "http://" not in err


def test_page_renders_a_session_of_its_own():
    from sim.app import page

    box, rc = solara.render(page.Page(), handle_error=False)
    deadline = time.monotonic() + 60
    screen = None
    while screen is None and time.monotonic() < deadline:
        try:
            screen = rc.find(state="paused").widget
        except Exception:
            time.sleep(0.2)
    assert screen is not None and screen.month == 0 and screen.serial >= 1
    assert screen.main.startswith("data:image/png;base64,") and len(screen.readouts) == 6  # the default market
    rc.close()
