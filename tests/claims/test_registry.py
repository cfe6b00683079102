"""Every shipped claim is a well-formed declaration that quotes its essay exactly; bad declarations are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.claims import CLAIMS, Arm, Claim, Window, lookup
from sim.experiments.spec import OUTCOMES
from sim.policies import POLICIES

SEEDS = next(
    (p for p in (Path(__file__).resolve().parents[3] / "shared" / "seeds", Path("/work/shared/seeds")) if p.is_dir()),
    None,
)
NAMES = sorted(CLAIMS)


def test_the_essays_claims_and_the_sceptics_are_registered():
    assert len(CLAIMS) >= 12
    assert sum(c.sceptic for c in CLAIMS.values()) >= 2
    for needed in ("exit_option_trust", "exit_option_churn_while_bound", "empowered_staff_first_contact",
                   "budget_sales_acquisitions", "budget_sales_exhaustion", "listening_keeps_customers",
                   "loyalty_penalty", "angry_customers_go_public", "lock_in_short_run_profit"):  # fmt: skip
        assert needed in CLAIMS


@pytest.mark.parametrize("name", NAMES)
def test_claim_is_well_formed(name):
    claim = CLAIMS[name]
    claim.check()
    assert claim.treatment != claim.control
    assert {claim.treatment.policy, claim.control.policy} <= set(POLICIES) and claim.outcome in OUTCOMES
    assert claim.title and claim.english and claim.german and claim.seed.endswith(".txt")
    assert claim.direction in claim.statement()


@pytest.mark.skipif(SEEDS is None, reason="the essays are not next to this checkout")
@pytest.mark.parametrize("name", NAMES)
def test_claim_quotes_its_essay_exactly(name):
    claim = CLAIMS[name]
    assert claim.german in (SEEDS / claim.seed).read_text(encoding="utf-8")


def test_arms_are_data_equal_arms_share_one_key():
    a = Arm("business_as_usual", {"levers.listening": 0.2})
    assert a == Arm("business_as_usual", {"levers.listening": 0.2}) and a.key() != Arm("business_as_usual").key()
    assert a.label() == "business_as_usual (listening 0.2)"


def bad_claim(**changes):
    fields = dict(name="bad", title="t", seed="x.txt", german="g", english="e", treatment=Arm("permanent_exit"),
                  control=Arm("loyalty_lock_in"), outcome="trust", window=Window(1, 12), direction="higher")  # fmt: skip
    fields.update(changes)
    return type("Bad", (Claim,), fields)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"treatment": Arm("permanent_exits")}, "treatment.policy: unknown policy 'permanent_exits'; did you mean"),
        ({"control": Arm("business_as_usual", {"levers.listen": 1})}, "unknown parameter 'levers.listen'"),
        ({"outcome": "trusts"}, "outcome: unknown outcome 'trusts'; did you mean 'trust'?"),
        ({"window": Window(13, 12)}, "window"),
        ({"direction": "up"}, "direction"),
        ({"control": Arm("permanent_exit")}, "the same arm"),
    ],
)
def test_a_bad_declaration_is_refused_with_the_field_named(changes, message):
    with pytest.raises(ValueError, match="claim 'bad': ") as err:
        bad_claim(**changes).check()
    assert message in str(err.value)


def test_lookup_suggests_a_close_name():
    with pytest.raises(KeyError, match="did you mean 'loyalty_penalty'"):
        lookup("loyalty_penalti")
