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

Draws (stream ``service``): block 0 gives encounter, failure, disclosure and complaint; block 1, taken
only by customers with a complaint or a defect to find, gives first contact, the back office and the
first two hidden defects; defect ``k`` is found with word ``6 + k`` (blocks 1, 2, ...).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.draws import CHUNK, STREAM_ID, chunk_buffer, fill_uniforms, uniforms
from sim.mechanisms.capacity import available_capacity
from sim.mechanisms.staff import displayed_enthusiasm
from sim.state import FloatArray, MarketState

#: Bits of ``CustomerState.handling``: what happened to a customer's problems this month (recorded, never drawn).
HANDLING = {"failed": 1, "complained": 2, "resolved_first_contact": 4, "resolved_later": 8, "gave_up": 16}
_FAILED, _COMPLAINED, _FIRST, _LATER, _GAVE_UP = HANDLING.values()
_STREAM = STREAM_ID["service"]
_DEFECT_WORD = 6  # hidden defect k is found with word 6 + k of the customer's draws (block 1, word 2 upwards)


@njit(cache=True, error_model="numpy", inline="always")
def quality_of(  # pragma: no cover - compiled
    exhaustion_quality: float, exhaustion: float, service_decay: float, tenure: float, tenure_horizon: float
) -> float:
    """One customer's service quality: lowered by staff exhaustion and, if the firm lets it, by tenure."""
    return (1.0 - exhaustion_quality * exhaustion) * (1.0 - service_decay * min(tenure / tenure_horizon, 1.0))


@njit(cache=True, error_model="numpy")
def _quality_kernel(  # pragma: no cover - compiled
    slot: np.ndarray, tenure: np.ndarray, exhaustion: np.ndarray, decay: np.ndarray, loss: float, horizon: float
) -> np.ndarray:
    out = np.empty(len(slot))
    for i in range(len(slot)):
        f = slot[i]
        out[i] = quality_of(loss, exhaustion[f], decay[f], tenure[i], horizon)
    return out


def service_quality(m: MarketState) -> FloatArray:
    """Quality each customer receives: lowered by staff exhaustion and, if the firm lets it, by tenure."""
    b = m.behaviour
    out: FloatArray = _quality_kernel(
        m.slot, m.customers.tenure, m.firms.exhaustion, m.levers.service_decay, b.exhaustion_quality, b.tenure_horizon
    )
    return out


def serve_customers(m: MarketState) -> None:
    """Encounters, failures, disclosure, complaints or silence, resolution, escalation, neglect."""
    c, b, lv, on, t, S = m.customers, m.behaviour, m.levers, m.mechanisms, m.tally, m.scores
    _serve_kernel(
        m.keys,
        m.elapsed,
        m.customers_per_market,
        m.slot,
        c.tenure,
        c.patience,
        c.trust,
        c.complaint_wait,
        c.hidden_defects,
        c.warmth,
        c.service_score,
        c.handling,
        c.triggered,
        m.firms.exhaustion,
        lv.service_decay,
        lv.transparency,
        lv.staff_authority,
        displayed_enthusiasm(m),
        available_capacity(m),
        m.firms.load,
        b.usage_rate,
        b.base_failure,
        b.exhaustion_quality,
        b.tenure_horizon,
        b.complaint_propensity,
        b.voice_floor,
        b.max_wait,
        b.defect_discovery,
        b.discovery_loss,
        b.disclosure_dip,
        S.quiet,
        S.good,
        S.silent_failure,
        S.resolved_first_contact,
        S.resolved_later,
        S.waiting,
        S.neglected,
        S.defect_discovered,
        bool(on.service_failures),
        bool(on.hidden_defects),
        bool(on.complaints),
        bool(on.queues),
        t.encounters,
        t.failures,
        t.complaints,
        t.silent_failures,
        t.resolved_first_contact,
        t.resolved_later,
        t.neglected,
        t.queue,
        t.defects_discovered,
        t.disclosed,
        t.complaints_handled,
    )


@njit(cache=True, error_model="numpy", inline="always")
def act(score: float, warmth: float, lift: float) -> tuple[float, float]:  # pragma: no cover - compiled
    """Displayed enthusiasm lifts (or, from exhausted staff, spoils) a good encounter's score and warmth.

    The score may rise above the 1 of plain good service - the moment is lifted beyond it, and
    the month's experience, which is clipped to [0, 1], shows it; warmth stays within [0, 1].
    ``lift`` is ``staff.displayed_enthusiasm`` of the customer's firm after a good encounter, else 0.
    """
    return max(score + lift, 0.0), min(max(warmth + lift, 0.0), 1.0)


@njit(cache=True, error_model="numpy", inline="always")
def disclose(trust: float, disclosure_dip: float) -> float:  # pragma: no cover - compiled
    """Telling a customer about a defect costs a little trust now (and handling, booked in ``economics``).

    A defect the firm hides costs nothing until the customer finds it; then the month scores
    ``scores.defect_discovered`` and trust drops by ``discovery_loss`` at once for each defect found - the
    larger fall that disclosure saves (a deception found out weighs more than a fault admitted, Slovic 1993).
    With ``hidden_defects`` off nothing is hidden and disclosure is no choice, so it costs nothing
    (the kernel then does not call this).
    """
    return trust * (1.0 - disclosure_dip)


@njit(cache=True, error_model="numpy")
def _serve_kernel(  # pragma: no cover - compiled
    keys: np.ndarray,
    month: int,
    per_market: int,
    slot: np.ndarray,
    tenure: np.ndarray,
    patience: np.ndarray,
    trust: np.ndarray,
    complaint_wait: np.ndarray,
    hidden_defects: np.ndarray,
    warmth: np.ndarray,
    service_score: np.ndarray,
    handling: np.ndarray,
    triggered: np.ndarray,
    exhaustion: np.ndarray,
    service_decay: np.ndarray,
    transparency: np.ndarray,
    staff_authority: np.ndarray,
    enthusiasm: np.ndarray,
    capacity: np.ndarray,
    load: np.ndarray,
    usage_rate: float,
    base_failure: float,
    exhaustion_quality: float,
    tenure_horizon: float,
    complaint_propensity: float,
    voice_floor: float,
    max_wait: float,
    defect_discovery: float,
    discovery_loss: float,
    disclosure_dip: float,
    s_quiet: float,
    s_good: float,
    s_silent: float,
    s_first_contact: float,
    s_later: float,
    s_waiting: float,
    s_neglected: float,
    s_discovered: float,
    failures_on: bool,
    hidden_on: bool,
    complaints_on: bool,
    queues_on: bool,
    n_encounters: np.ndarray,
    n_failures: np.ndarray,
    n_complaints: np.ndarray,
    n_silent: np.ndarray,
    n_first_contact: np.ndarray,
    n_later: np.ndarray,
    n_neglected: np.ndarray,
    n_queue: np.ndarray,
    n_found: np.ndarray,
    n_disclosed: np.ndarray,
    n_handled: np.ndarray,
) -> None:
    """The month's service for every customer, in the order of the rule; counts go straight into the tally."""
    n_slots = len(load)
    no_firm = n_slots - 1
    # the back office's queue: complaints escalated in earlier months, and the share of it worked through
    queue = np.zeros(n_slots)
    for i in range(len(slot)):
        if complaint_wait[i] > 0:
            queue[slot[i]] += 1.0
    share_done = np.ones(n_slots)
    if queues_on:
        for s in range(n_slots):
            share_done[s] = min(1.0, capacity[s] / max(queue[s], 1e-9))
    escalated_count = np.zeros(n_slots)
    n_markets = len(slot) // per_market
    ubuf, vbuf = chunk_buffer(), chunk_buffer()
    busy = np.empty(CHUNK, dtype=np.int64)  # the chunk's customers with something to serve, in order
    quiet_score, quiet_warmth = act(s_quiet, 0.0, 0.0)  # a month without an encounter, a wait or a defect
    for r in range(n_markets):
        key = keys[r]
        for start in range(0, per_market, CHUNK):
            count, first = min(CHUNK, per_market - start), r * per_market + start
            fill_uniforms(ubuf, key, _STREAM, month, start, count, 0)
            fill_uniforms(vbuf, key, _STREAM, month, start, count, 1)  # about half the customers need block 1
            n_busy = 0
            for t in range(count):  # without a branch: a quiet month for all, and the list of the busy ones
                i = first + t
                attached = slot[i] != no_firm
                encounter = attached & (ubuf[0, t] < usage_rate)
                busy[n_busy] = t
                n_busy += encounter | (complaint_wait[i] > 0) | (attached & (hidden_defects[i] > 0))
                service_score[i], warmth[i], handling[i] = quiet_score, quiet_warmth, 0
            for b in range(n_busy):
                t = busy[b]
                li = start + t
                i = first + t
                f = slot[i]
                attached = f != no_firm
                wait = int(complaint_wait[i])
                waiting = wait > 0
                defects = int(hidden_defects[i])
                tr = float(trust[i])
                auth = 1.0 - exhaustion[f]
                encounter = failed = complain = first_contact = escalated = False
                u0 = u1 = u2 = u3 = v0 = v1 = v2 = v3 = 0.5
                if attached:
                    u0, u1, u2, u3 = ubuf[0, t], ubuf[1, t], ubuf[2, t], ubuf[3, t]
                    encounter = u0 < usage_rate
                quality = quality_of(exhaustion_quality, exhaustion[f], service_decay[f], tenure[i], tenure_horizon)
                if encounter:
                    failed = failures_on and u1 < 1.0 - (1.0 - base_failure) * quality
                good = encounter and not failed
                score, warm = (s_good + (1.0 - s_good) * auth, auth) if good else (s_quiet, 0.0)
                score, warm = act(score, warm, enthusiasm[f] if good else 0.0)
                if failed:
                    if u2 < transparency[f] or not hidden_on:
                        if hidden_on:
                            tr = disclose(tr, disclosure_dip)
                            n_disclosed[f] += 1.0
                    else:
                        defects += 1
                    voice = complaint_propensity * (voice_floor + (1.0 - voice_floor) * tr)
                    complain = bool(complaints_on and not waiting and u3 < voice)
                if complain or waiting or (attached and defects > 0):
                    v0, v1, v2, v3 = vbuf[0, t], vbuf[1, t], vbuf[2, t], vbuf[3, t]
                if complain:
                    first_contact = v0 < staff_authority[f] * quality
                    escalated = not first_contact
                if failed and not complain:
                    score = s_silent
                if first_contact:
                    score, warm = s_first_contact, auth
                # the back office works through complaints escalated in earlier months
                resolved_later = gives_up = False
                if waiting:
                    if v1 < share_done[f]:
                        resolved_later = True
                        wait = 0
                    else:
                        wait += 1
                        if wait > 1.0 + patience[i] * (max_wait - 1.0):
                            gives_up = True
                            wait = 0
                if escalated:
                    wait = 1
                    escalated_count[f] += 1.0
                if resolved_later:
                    score = min(score, s_later)
                if wait > 0:
                    score = min(score, s_waiting * patience[i])
                if gives_up:
                    score = s_neglected
                # each hidden defect is found on its own; each one found costs its own share of trust
                found = 0
                if attached and defects > 0:
                    for k in range(defects):
                        w = _DEFECT_WORD + k
                        if w >= 8 and w % 4 == 0:
                            v0, v1, v2, v3 = uniforms(key, _STREAM, month, li, w // 4)
                        word = w % 4
                        u = v0 if word == 0 else v1 if word == 1 else v2 if word == 2 else v3
                        if u < defect_discovery:
                            found += 1
                    defects -= found
                if found > 0:
                    tr *= (1.0 - discovery_loss) ** found
                    score = s_discovered
                    n_found[f] += found
                trust[i] = tr
                complaint_wait[i] = wait
                hidden_defects[i] = defects
                warmth[i] = warm
                service_score[i] = score
                handling[i] = (
                    (_FAILED if failed else 0)
                    | (_COMPLAINED if complain else 0)
                    | (_FIRST if first_contact else 0)
                    | (_LATER if resolved_later else 0)
                    | (_GAVE_UP if gives_up else 0)
                )
                if failed or gives_up or found > 0:
                    triggered[i] = True
                # the month's counts, each added where it happens (most customers add to none but encounters)
                if encounter:
                    n_encounters[f] += 1.0
                    if failed:
                        n_failures[f] += 1.0
                        if complain:
                            n_complaints[f] += 1.0
                        else:
                            n_silent[f] += 1.0
                if first_contact or resolved_later:  # the two never meet: one needs no open complaint
                    n_first_contact[f] += first_contact
                    n_later[f] += resolved_later
                    n_handled[f] += 1.0
                if gives_up:
                    n_neglected[f] += 1.0
                if wait > 0:
                    n_queue[f] += 1.0
    for s in range(n_slots):
        load[s] = (escalated_count[s] + queue[s]) / max(capacity[s], 1e-9)
