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
#: Bits of ``CustomerState.handling``: what happened to a customer's problems this month (recorded, never drawn).
HANDLING = {"failed": 1, "complained": 2, "resolved_first_contact": 4, "resolved_later": 8, "gave_up": 16}
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

    disclosed = failed & ((u[2] < lv.transparency[f]) | (not on.hidden_defects))
    c.hidden_defects += failed & ~disclosed

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
    capacity = lv.service_capacity / 100.0 * m.firms.customers_start
    share_done = np.minimum(1.0, capacity / np.maximum(queue, 1e-9)) if on.queues else np.ones_like(queue)
    resolved_later = waiting & (u[5] < share_done[f])
    c.complaint_wait[resolved_later] = 0
    still = waiting & ~resolved_later
    c.complaint_wait[still] += 1
    gives_up = still & (c.complaint_wait > 1 + c.patience * (b.max_wait - 1))
    c.complaint_wait[gives_up] = 0
    c.complaint_wait[escalated] = 1
    score = np.minimum(score, np.where(resolved_later, SCORES["resolved_later"], 1.0))
    score = np.minimum(score, np.where(c.complaint_wait > 0, SCORES["waiting"] * c.patience, 1.0))
    score[gives_up] = SCORES["neglected"]

    discovered = (c.hidden_defects > 0) & (u[6] < b.defect_discovery) & c.attached
    c.hidden_defects[discovered] -= 1
    score[discovered] = SCORES["defect_discovered"]

    c.service_score[:] = score
    flags = zip((failed, complain, first_contact, resolved_later, gives_up), HANDLING.values(), strict=True)
    c.handling[:] = sum(mask.astype(np.uint8) * bit for mask, bit in flags)
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
