"""The workshop page's verdict panel without a browser: which claim it judges first, what it says, when it reads."""

from __future__ import annotations

import pytest

pytest.importorskip("solara")

from test_app import CUSTOMERS, Recorder  # noqa: E402

from sim.app.panels import screen_props, verdict_props  # noqa: E402
from sim.app.player import Player  # noqa: E402
from sim.app.verdicts import (  # noqa: E402
    REFRESH_MONTHS,
    Verdict,
    claim_choices,
    default_claim,
    due,
    read_verdict,
    state_of,
)
from sim.app.workshop import Settings, Workshop  # noqa: E402
from sim.claims import CLAIMS, verdict  # noqa: E402
from sim.claims.verdict import arm_firms  # noqa: E402


def markets(market="loyalty_lock_in", **kw):
    w = Workshop(Settings(market=market, customers=CUSTOMERS, **kw))
    return w, [s.model for s in w.sides]


@pytest.mark.parametrize(
    "market, side_by_side, expected",
    [
        ("loyalty_lock_in", True, "exit_option_trust"),  # both arms on screen: lock-in in A, the exit option in B
        ("loyalty_lock_in", False, "exit_option_trust"),  # about the first firm's policy, though its rival is missing
        ("empowered_staff", False, "empowered_staff_first_contact"),  # against its business-as-usual rivals
        ("budget_sales", False, "budget_sales_acquisitions"),
        ("relationship_first", False, "relationship_first_trust"),
        ("business_as_usual", False, "loyalty_penalty"),  # a lever arm the page can set comes before one it cannot
    ],
)
def test_the_default_claim_fits_the_market(market, side_by_side, expected):
    _, ms = markets(market, side_by_side=side_by_side)
    assert default_claim(ms) == expected


def test_the_default_claim_of_a_market_with_both_arms_reads_the_first_firm():
    _, ms = markets("loyalty_lock_in", side_by_side=True)
    assert arm_firms(ms, default_claim(ms)) == ("Permanent exit", "Loyalty lock-in")
    _, six = markets("")  # the default market: one firm of each named policy
    name = default_claim(six)
    treated, control = arm_firms(six, name)
    assert treated and control and six[0].firms[0].name in (treated, control) and not CLAIMS[name].sceptic


def test_the_claim_menu_offers_every_claim_by_its_title():
    choices = claim_choices()
    assert sorted(choices.values()) == sorted(CLAIMS) and all(CLAIMS[n].title == t for t, n in choices.items())


def test_a_missing_arm_tells_the_facilitator_what_to_do():
    _, alone = markets("loyalty_lock_in")
    text = read_verdict(alone, "exit_option_trust", 0).text
    assert "no firm runs Permanent exit" in text and "tick side by side with Permanent exit" in text
    _, bau = markets("business_as_usual")
    v = read_verdict(bau, "loyalty_penalty", 0)
    assert v.state == "cannot be judged" and "set Discount for new customers to 0 for one Business as usual" in v.text
    w, bau = markets("business_as_usual")
    w.set_lever(0, 1, "acquisition_discount", 0.0)  # as the hint says: now both arms run in the market
    assert read_verdict(bau, "loyalty_penalty", 0).state == "not yet"
    assert "the page does not offer" in read_verdict(bau, "listening_keeps_customers", 0).text


def test_before_its_window_ends_the_claim_waits_and_after_it_the_panel_says_what_the_verdict_says():
    w, ms = markets("loyalty_lock_in", side_by_side=True, years=3.0)
    v = read_verdict(ms, "lock_in_short_run_profit", 0)
    assert v.state == "not yet" and v.text.endswith("(up to month 24).") and "at month 0" not in v.text
    for _ in range(24):
        w.step()
    v = read_verdict(ms, "lock_in_short_run_profit", 24)
    assert v.text == verdict(ms, "lock_in_short_run_profit") and v.state in ("holds", "fails")
    assert v.text.split('"')[2].startswith(f" {v.state}: profit per month (total per 100 customers")
    props = verdict_props(v)
    assert props["headline"] == v.state.capitalize() and "Read at month 24" in props["note"]


@pytest.mark.parametrize(
    "text, state",
    [
        ('In this market, the claim "a: b" holds: x', "holds"),
        ('In this market, the claim "a" fails: x holds: y', "fails"),
        ('In this market, the claim "a" cannot be judged yet: it reads', "not yet"),
        ('In this market, the claim "a" cannot be judged: no firm', "cannot be judged"),
    ],
)
def test_the_state_is_read_from_the_sentence(text, state):
    assert state_of(text) == state


def test_the_verdict_is_read_anew_when_due_and_not_on_every_frame():
    last = Verdict("lock_in_short_run_profit", "t", "not yet", "…", 10)
    assert due(None, last.claim, 10, True, False)  # nothing read yet
    assert due(last, "exit_option_trust", 10, True, False)  # another claim
    assert due(last, last.claim, 10, True, True)  # another market, or a lever changed
    assert not due(last, last.claim, 10, False, False)  # the same month
    assert due(last, last.claim, 11, False, False)  # a pause or a step: read at once
    assert not due(last, last.claim, 11, True, False)  # while playing, not every month ...
    assert due(last, last.claim, 10 + REFRESH_MONTHS, True, False)  # ... but once a simulated year
    assert due(last, last.claim, 24, True, False)  # and as soon as its window has ended


@pytest.fixture
def player():
    rec = Recorder()
    settings = Settings(market="loyalty_lock_in", customers=CUSTOMERS, years=3.0, side_by_side=True)
    p = Player(settings, rec, size=(1920, 1080))
    p.start()
    rec.wait(lambda f: True, "the first frame")
    yield p, rec
    p.close()
    p.thread.join(10)
    assert not p.thread.is_alive()


def test_the_player_publishes_the_chosen_claims_verdict_and_returns_to_the_default_on_a_new_market(player):
    p, rec = player
    assert rec.last.verdict.claim == "exit_option_trust" and rec.last.verdict.state == "not yet"
    p.send("claim", "lock_in_short_run_profit")
    rec.wait(lambda f: f.verdict.claim == "lock_in_short_run_profit", "the chosen claim")
    p.send("speed", 48)
    p.send("run_years", 2)
    frame = rec.wait(lambda f: not f.playing and f.month == 24, "two years")
    same, ms = markets("loyalty_lock_in", side_by_side=True, years=3.0)
    for _ in range(24):
        same.step()
    assert frame.verdict.month == 24 and frame.verdict.text == verdict(ms, "lock_in_short_run_profit")
    assert screen_props(frame)["verdict"]["text"] == frame.verdict.text
    playing = [f for f in rec.frames if f.playing and f.verdict.claim == "lock_in_short_run_profit"]
    assert len({f.verdict.month for f in playing}) <= 1 + 24 // REFRESH_MONTHS + 1  # not read on every frame
    p.send("reset", Settings(market="budget_sales", customers=CUSTOMERS, years=3.0))
    rec.wait(lambda f: f.verdict.claim == "budget_sales_acquisitions" and f.month == 0, "the new market's claim")
    p.send("claim", "no_such_claim")
    assert "unknown claim" in rec.wait(lambda f: f.error, "the error").error


def test_a_reset_reads_the_verdict_of_the_new_market_even_at_the_same_month(player):
    """A new market at month 0 after one at month 0 is a new market (its id may be the freed old one's)."""
    p, rec = player
    assert rec.last.verdict.state == "not yet" and rec.last.month == 0
    for side_by_side, state in ((False, "cannot be judged"), (True, "not yet"), (False, "cannot be judged")):
        p.send("reset", Settings(market="loyalty_lock_in", customers=CUSTOMERS, years=3.0, side_by_side=side_by_side))
        rec.wait(lambda f, s=state: f.verdict.state == s and f.month == 0, f"the verdict of the new market: {state}")
