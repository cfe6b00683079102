"""Service encounters, failures, complaints and how firms handle them.

Each month a customer may use the service; an encounter fails with a chance that
grows as staff tire and, under ``service_decay``, as the relationship ages.
The firm discloses a defect or hides it (hidden defects may be discovered later).
A failure is complained about or suffered in silence - customers who trust speak
up (voice), the others just drift (Hirschman 1970). A complaint is resolved at
first contact when front-line staff have the authority to decide; otherwise it
is escalated to a back office with limited capacity, where it waits, and a
customer whose patience runs out gives up: the complaint is neglected.

Each outcome gives the month a service score in [0, 1] (:data:`SCORES`), the
input of the customer's judgement in ``relationship``.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.capacity import available_capacity
from sim.mechanisms.staff import displayed_enthusiasm
from sim.state import MarketState, by_slot

#: Service score of a month by what happened (the worst event of the month counts).
SCORES = {
    "quiet": 0.8,  # no encounter
    "good": 0.8,  # plus up to 0.2 for the warmth of authentic staff
    "resolved_first_contact": 0.7,  # a failure put right at once (service recovery)
    "resolved_later": 0.4,  # put right after waiting
    "waiting": 0.3,  # times patience: waiting hurts the impatient most
    "silent_failure": 0.1,
    "neglected": 0.0,
    "defect_discovered": 0.0,
}
TENURE_HORIZON = 120  # months over which service_decay takes full effect
BASE_VOICE = 0.3  # share of complaint_propensity left to a customer with no trust at all


def service_quality(m: MarketState) -> np.ndarray:
    """Quality each customer receives: lowered by staff exhaustion and, if the firm lets it, by tenure."""
    c, f = m.customers, m.slot
    staff = 1.0 - m.behaviour.exhaustion_quality * m.firms.exhaustion[f]
    ageing = 1.0 - m.levers.service_decay[f] * np.minimum(c.tenure / TENURE_HORIZON, 1.0)
    return staff * ageing


def serve_customers(m: MarketState) -> None:
    """Encounters, failures, disclosure, complaints or silence, resolution, escalation, neglect."""
    c, b, lv, on, t = m.customers, m.behaviour, m.levers, m.mechanisms, m.tally
    f, n = m.slot, c.n
    u = m.rng["service"].random((7, n))
    quality = service_quality(m)
    authenticity = m.firms.authenticity[f]

    encounter = c.attached & (u[0] < b.usage_rate)
    failed = encounter & (u[1] < 1 - (1 - b.base_failure) * quality) & on.service_failures
    good = encounter & ~failed
    score = np.where(good, SCORES["good"] + (1 - SCORES["good"]) * authenticity, SCORES["quiet"])
    c.warmth[:] = np.where(good, authenticity, 0.0)
    act(m, good, score)

    disclosed = failed & ((u[2] < lv.transparency[f]) | (not on.hidden_defects))
    c.hidden_defects += failed & ~disclosed
    disclose(m, disclosed)

    complain = (
        failed & (c.complaint_wait == 0) & (u[3] < b.complaint_propensity * (BASE_VOICE + (1 - BASE_VOICE) * c.trust))
    )
    complain &= on.complaints
    silent = failed & ~complain
    first_contact = complain & (u[4] < lv.staff_authority[f] * quality)
    escalated = complain & ~first_contact
    score[silent] = SCORES["silent_failure"]
    score[first_contact] = SCORES["resolved_first_contact"]
    c.warmth[first_contact] = authenticity[first_contact]

    # the back office works through complaints escalated in earlier months
    waiting = c.complaint_wait > 0
    queue = by_slot(f, m.n_firms, waiting)
    capacity = available_capacity(m)
    share_done = np.minimum(1.0, capacity / np.maximum(queue, 1e-9)) if on.queues else np.ones_like(queue)
    resolved_later = waiting & (u[5] < share_done[f])
    c.complaint_wait[resolved_later] = 0
    still = waiting & ~resolved_later
    c.complaint_wait[still] += 1
    gives_up = still & (c.complaint_wait > 1 + c.patience * (b.max_wait - 1))
    c.complaint_wait[gives_up] = 0
    c.complaint_wait[escalated] = 1
    score = np.minimum(score, np.where(resolved_later, SCORES["resolved_later"], np.inf))
    score = np.minimum(score, np.where(c.complaint_wait > 0, SCORES["waiting"] * c.patience, np.inf))
    score[gives_up] = SCORES["neglected"]

    discovered = (c.hidden_defects > 0) & (u[6] < b.defect_discovery) & c.attached
    c.hidden_defects[discovered] -= 1
    score[discovered] = SCORES["defect_discovered"]
    c.trust[discovered] *= 1 - b.discovery_loss

    c.service_score[:] = score
    c.triggered |= failed | gives_up | discovered
    m.firms.load[:] = (by_slot(f, m.n_firms, escalated) + queue) / np.maximum(capacity, 1e-9)
    for name, mask in (
        ("encounters", encounter),
        ("failures", failed),
        ("complaints", complain),
        ("silent_failures", silent),
        ("resolved_first_contact", first_contact),
        ("resolved_later", resolved_later),
        ("neglected", gives_up),
        ("defects_discovered", discovered),
        ("queue", c.complaint_wait > 0),
    ):
        t.add(name, f, mask)
    t.complaints_handled += t.resolved_first_contact + t.resolved_later


def act(m: MarketState, good: np.ndarray, score: np.ndarray) -> None:
    """Displayed enthusiasm lifts (or, from exhausted staff, spoils) a good encounter's score and warmth.

    The score may rise above the 1 of plain good service - the moment is lifted beyond it, and
    the month's experience, which is clipped to [0, 1], shows it; warmth stays within [0, 1].
    """
    c = m.customers
    lift = np.where(good, displayed_enthusiasm(m)[m.slot], 0.0)
    np.maximum(score + lift, 0.0, out=score)
    np.clip(c.warmth + lift, 0.0, 1.0, out=c.warmth)


def disclose(m: MarketState, disclosed: np.ndarray) -> None:
    """Telling a customer about a defect costs a little trust now (and handling, booked in ``economics``).

    A defect the firm hides costs nothing until the customer finds it; then the month scores
    ``SCORES["defect_discovered"]`` and trust drops by ``discovery_loss`` at once - the larger
    fall that disclosure saves (a deception found out weighs more than a fault admitted, Slovic 1993).
    With ``hidden_defects`` off nothing is hidden and disclosure is no choice, so it costs nothing.
    """
    if not m.mechanisms.hidden_defects:
        return
    m.customers.trust[disclosed] *= 1 - m.behaviour.disclosure_dip
    m.tally.add("disclosed", m.slot, disclosed)
