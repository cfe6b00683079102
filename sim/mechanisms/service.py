"""Service encounters, failures, complaints and how firms handle them.

Each month a customer may use the service; an encounter fails with a chance that
grows as staff tire and, under ``service_decay``, as the relationship ages.
The firm discloses a defect or hides it; each hidden defect is found out on its own,
with chance ``behaviour.defect_discovery`` a month, so the defects a customer holds
settle around failures hidden per month / discovery rather than pile up. A failure is
complained about or suffered in silence - customers who trust speak up (voice), the
others just drift (Hirschman 1970). A complaint is resolved at
first contact when front-line staff have the authority to decide; otherwise it
is escalated to a back office with limited capacity, where it waits, and a
customer whose patience runs out gives up: the complaint is neglected.

Each outcome gives the month a service score in [0, 1], the
input of the customer's judgement in ``relationship``; the scores are parameters
(``scenario.scores``, :class:`~sim.params.ServiceScores`, where their defaults are argued).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.capacity import available_capacity
from sim.mechanisms.staff import displayed_enthusiasm
from sim.state import BoolArray, FloatArray, MarketState, TallyName, by_slot

#: Bits of ``CustomerState.handling``: what happened to a customer's problems this month (recorded, never drawn).
HANDLING = {"failed": 1, "complained": 2, "resolved_first_contact": 4, "resolved_later": 8, "gave_up": 16}


def service_quality(m: MarketState) -> FloatArray:
    """Quality each customer receives: lowered by staff exhaustion and, if the firm lets it, by tenure."""
    c, f = m.customers, m.slot
    staff = 1.0 - m.behaviour.exhaustion_quality * m.firms.exhaustion[f]
    ageing = 1.0 - m.levers.service_decay[f] * np.minimum(c.tenure / m.behaviour.tenure_horizon, 1.0)
    return staff * ageing


def serve_customers(m: MarketState) -> None:
    """Encounters, failures, disclosure, complaints or silence, resolution, escalation, neglect."""
    c, b, lv, on, t = m.customers, m.behaviour, m.levers, m.mechanisms, m.tally
    f, n, S = m.slot, c.n, m.scores
    rng = m.rng["service"]
    u = rng.random((6, n))
    quality = service_quality(m)
    authenticity = m.firms.authenticity[f]

    encounter = c.attached & (u[0] < b.usage_rate)
    failed = encounter & (u[1] < 1 - (1 - b.base_failure) * quality) & on.service_failures
    good = encounter & ~failed
    score = np.where(good, S.good + (1 - S.good) * authenticity, S.quiet)
    c.warmth[:] = np.where(good, authenticity, 0.0)
    act(m, good, score)

    disclosed = failed & ((u[2] < lv.transparency[f]) | (not on.hidden_defects))
    c.hidden_defects += failed & ~disclosed
    disclose(m, disclosed)

    complain = (
        failed
        & (c.complaint_wait == 0)
        & (u[3] < b.complaint_propensity * (b.voice_floor + (1 - b.voice_floor) * c.trust))
    )
    complain &= on.complaints
    silent = failed & ~complain
    first_contact = complain & (u[4] < lv.staff_authority[f] * quality)
    escalated = complain & ~first_contact
    score[silent] = S.silent_failure
    score[first_contact] = S.resolved_first_contact
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
    score = np.minimum(score, np.where(resolved_later, S.resolved_later, np.inf))
    score = np.minimum(score, np.where(c.complaint_wait > 0, S.waiting * c.patience, np.inf))
    score[gives_up] = S.neglected

    holds = np.flatnonzero(c.hidden_defects * c.attached)
    found = np.zeros(n, dtype=c.hidden_defects.dtype)
    found[holds] = rng.binomial(c.hidden_defects[holds], b.defect_discovery)  # each defect found on its own
    c.hidden_defects -= found
    discovered = found > 0
    score[discovered] = S.defect_discovered
    c.trust[holds] *= (1 - b.discovery_loss) ** found[holds]  # each defect found costs its own share of trust

    c.service_score[:] = score
    flags = zip((failed, complain, first_contact, resolved_later, gives_up), HANDLING.values(), strict=True)
    c.handling[:] = sum(mask.astype(np.uint8) * bit for mask, bit in flags)
    c.triggered |= failed | gives_up | discovered
    m.firms.load[:] = (by_slot(f, m.n_firms, escalated) + queue) / np.maximum(capacity, 1e-9)
    counts: tuple[tuple[TallyName, BoolArray], ...] = (
        ("encounters", encounter),
        ("failures", failed),
        ("complaints", complain),
        ("silent_failures", silent),
        ("resolved_first_contact", first_contact),
        ("resolved_later", resolved_later),
        ("neglected", gives_up),
        ("queue", c.complaint_wait > 0),
    )
    for name, mask in counts:
        t.add(name, f, mask)
    t.add("defects_discovered", f, weights=found.astype(float))
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
    ``scores.defect_discovered`` and trust drops by ``discovery_loss`` at once for each defect found - the
    larger fall that disclosure saves (a deception found out weighs more than a fault admitted, Slovic 1993).
    With ``hidden_defects`` off nothing is hidden and disclosure is no choice, so it costs nothing.
    """
    if not m.mechanisms.hidden_defects:
        return
    m.customers.trust[disclosed] *= 1 - m.behaviour.disclosure_dip
    m.tally.add("disclosed", m.slot, disclosed)
