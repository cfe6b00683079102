"""The verdict panel: does a claim of the essays hold in the market on screen?

The facilitator picks a claim by its plain title; the page's default is the claim
that fits the market best (:func:`default_claim`): one whose two arms both run in
the market with the first firm in one of them, else one about the first firm's
policy. The panel's sentence is :func:`sim.claims.verdict.verdict` on the page's
markets, with a hint when a firm the claim compares is missing (show it side by
side). Computing it reads the whole run, so the player refreshes it at most once
a simulated year while playing, and whenever the market pauses, steps, resets or
the claim changes (:func:`due`). One market is one replication; the atlas says
where a claim holds across the plausible space.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.app.labels import LEVERS
from sim.claims import CLAIMS
from sim.claims.registry import Arm
from sim.claims.verdict import arm_firms, arm_name, verdict

REFRESH_MONTHS = 12  # while playing, the verdict is read at most once a simulated year


def claim_choices() -> dict[str, str]:
    """Title shown in the claim menu -> registered claim name, in the catalogue's order."""
    return {cls.title: name for name, cls in CLAIMS.items()}


def _focal(markets: list) -> list[str]:
    return [m.firms[0].name for m in markets]


def default_claim(markets: list) -> str:
    """The claim the panel shows first for these markets (market A, then B when side by side).

    Ranked by: both arms run in the market by different firms; a first firm runs one of them; the page can set
    the levers the arms name; an essay's claim
    before a sceptic's; the first firm runs the treatment (the claim is about its policy); the catalogue's order.
    """
    focal = set(_focal(markets))
    policies = {m.firms[0].policy_name for m in markets}

    def rank(item: tuple[int, str]) -> tuple:
        order, name = item
        claim = CLAIMS[name]
        treated, control = arm_firms(markets, name)
        both = treated is not None and control is not None
        involves = bool(focal & {treated, control}) or bool(policies & {a.policy for a in claim.arms()})
        leads = treated in focal or claim.treatment.policy in policies
        settable = all(page_lever(k) for a in claim.arms() for k in a.settings)
        return (not both, not involves, not settable, claim.sceptic, not leads, order)

    return min(enumerate(CLAIMS), key=rank)[1]


@dataclass(frozen=True)
class Verdict:
    """What the panel shows: the claim, the sentence, its one-word state and the month it was read at."""

    claim: str
    title: str
    state: str  # "holds", "fails", "not yet" (its window lies ahead) or "cannot be judged"
    text: str
    month: int


def state_of(text: str) -> str:
    """The verdict's state from its sentence: holds, fails, not yet or cannot be judged."""
    head = text.split('"', 2)[-1]
    if head.startswith(" holds:"):
        return "holds"
    if head.startswith(" fails:"):
        return "fails"
    if head.startswith(" cannot be judged yet"):
        return "not yet"
    return "cannot be judged"


def page_lever(setting: str) -> str | None:
    """The lever's label on the page when a dotted setting is one of the page's levers, else None."""
    section, name = setting.split(".", 1)
    return LEVERS[name][0] if section == "levers" and name in LEVERS else None


def _set_levers(arm: Arm) -> str:
    """'set Discount for new customers of a Business as usual firm to 0.0' (the page's own lever names)."""
    from sim.policies import POLICIES

    changes = " and ".join(f"{page_lever(k)} to {v:g}" for k, v in arm.settings.items())
    return f"set {changes} for one {POLICIES[arm.policy].label} firm"


def hint(markets: list, claim: str) -> str:
    """What the facilitator can do when no firm in the market runs one of the claim's arms."""
    treated, control = arm_firms(markets, claim)
    missing = [arm for arm, firm in zip(CLAIMS[claim].arms(), (treated, control), strict=True) if firm is None]
    if not missing:
        return ""
    arm = missing[0]
    if arm.settings and all(page_lever(k) for k in arm.settings):
        return f" To judge it, {_set_levers(arm)} under Levers of a firm."
    if arm.settings:
        return (
            f" It compares {arm_name(CLAIMS[claim].treatment)} with {arm_name(CLAIMS[claim].control)}, "
            "a setting the page does not offer: see the claims atlas."
        )
    if len(markets) == 1:
        return (
            f" To judge it, tick side by side with {arm_name(arm)} as the first firm of market B, "
            "then Reset with these settings."
        )
    return f" To judge it, choose {arm_name(arm)} as the policy of the first firm in market B, then Reset."


def read_verdict(markets: list, claim: str, month: int) -> Verdict:
    """The panel's verdict of ``claim`` in the page's markets at ``month``."""
    text = verdict(markets if len(markets) > 1 else markets[0], claim)
    state = state_of(text)
    if state == "cannot be judged":
        text += hint(markets, claim)
    elif state == "not yet":  # the month on screen moves on while the panel waits for the window's end
        text = text.split(" and the market is at month", 1)[0] + "."
    return Verdict(claim, CLAIMS[claim].title, state, text, month)


def due(last: Verdict | None, claim: str, month: int, playing: bool, changed: bool) -> bool:
    """Whether to read the verdict anew: a new claim or market, a pause or step, or a simulated year of play."""
    if last is None or last.claim != claim or changed or month < last.month:
        return True
    if month == last.month:
        return False
    window_end = CLAIMS[claim].window.last
    crossed_window = last.month < window_end <= month  # the claim just became judgeable
    return not playing or crossed_window or month - last.month >= REFRESH_MONTHS
