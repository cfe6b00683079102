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
# rows of the service kernel's work array: what each customer's firm brings, then what the month gives them
_EXH, _DECAY, _SHOWN, _AUTHORITY, _LIFT, _DONE = range(6)
_TRUST_NOW, _TRUST, _SCORE, _WARM, _WAIT, _DEFECTS, _FOUND, _HANDLING, _TRIGGERED, _EVENTS = range(6, 16)
_ROWS = 16


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
    """The month's service for every customer, in the order of the rule; counts go straight into the tally.

    A chunk of customers at a time, in passes: what each customer's firm brings (gathered); the whole rule for
    everyone without a branch, into one work array (so that the loop vectorises), the first two hidden defects'
    discovery included; what it gave, into the state; the few with more than two defects to find; the counts."""
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
    # the chunk's work, one row per quantity: what each customer's firm brings (gathered), then what the rule gives
    # them (written back to the state below); one array, so that the rule's loop vectorises
    work = np.empty((_ROWS, CHUNK))
    many = np.empty(CHUNK, dtype=np.int64)  # the chunk's customers with more than two defects to find, in order
    one, two = 1, 2
    kept_one, kept_two = (1.0 - discovery_loss) ** one, (1.0 - discovery_loss) ** two  # trust kept: 1, 2 found
    for r in range(n_markets):
        key = keys[r]
        for start in range(0, per_market, CHUNK):
            count, first = min(CHUNK, per_market - start), r * per_market + start
            fill_uniforms(ubuf, key, _STREAM, month, start, count, 0)
            fill_uniforms(vbuf, key, _STREAM, month, start, count, 1)
            for t in range(count):  # what each customer's firm brings to the month, gathered (a scalar loop)
                f = np.uint64(slot[first + t])  # (unsigned: no check for a negative index)
                work[_EXH, t], work[_DECAY, t], work[_SHOWN, t] = exhaustion[f], service_decay[f], transparency[f]
                work[_AUTHORITY, t], work[_LIFT, t], work[_DONE, t] = staff_authority[f], enthusiasm[f], share_done[f]
            for t in range(count):  # the rule for every customer without a branch: a loop that vectorises
                h = np.uint64(first + t)
                attached = slot[h] != no_firm
                wait = int(complaint_wait[h])
                waiting = wait > 0
                defects = int(hidden_defects[h])
                tr = float(trust[h])
                auth = 1.0 - work[_EXH, t]
                encounter = attached & (ubuf[0, t] < usage_rate)
                quality = quality_of(exhaustion_quality, work[_EXH, t], work[_DECAY, t], tenure[h], tenure_horizon)
                failed = encounter & failures_on & (ubuf[1, t] < 1.0 - (1.0 - base_failure) * quality)
                good = encounter & ~failed
                score = s_good + (1.0 - s_good) * auth if good else s_quiet
                score, warm = act(score, auth if good else 0.0, work[_LIFT, t] if good else 0.0)
                told = (ubuf[2, t] < work[_SHOWN, t]) | ~hidden_on  # a failure disclosed (or nothing can be hidden)
                disclosed = failed & told & hidden_on
                tr = disclose(tr, disclosure_dip) if disclosed else tr
                defects += failed & ~told
                voice = complaint_propensity * (voice_floor + (1.0 - voice_floor) * tr)
                complain = failed & complaints_on & ~waiting & (ubuf[3, t] < voice)
                first_contact = complain & (vbuf[0, t] < work[_AUTHORITY, t] * quality)
                escalated = complain & ~first_contact
                score = s_silent if failed & ~complain else score
                score = s_first_contact if first_contact else score
                warm = auth if first_contact else warm
                # the back office works through complaints escalated in earlier months
                resolved_later = waiting & (vbuf[1, t] < work[_DONE, t])
                gives_up = waiting & ~resolved_later & (wait + 1 > 1.0 + patience[h] * (max_wait - 1.0))
                wait = 0 if resolved_later | gives_up else (wait + 1 if waiting else wait)
                wait = 1 if escalated else wait
                score = min(score, s_later) if resolved_later else score
                score = min(score, s_waiting * patience[h]) if wait > 0 else score
                score = s_neglected if gives_up else score
                # each hidden defect is found on its own (the first two here, more in the loop below)
                searching = attached & (defects > 0)
                more = searching & (defects > 2)
                found = ((defects >= 1) & (vbuf[2, t] < defect_discovery)) + (
                    (defects >= 2) & (vbuf[3, t] < defect_discovery)
                )
                found = found if searching & ~more else 0
                work[_TRUST_NOW, t] = tr
                work[_TRUST, t] = tr * (kept_one if found == 1 else kept_two) if found > 0 else tr
                work[_SCORE, t] = s_discovered if found > 0 else score
                work[_WARM, t] = warm
                work[_WAIT, t] = wait
                work[_DEFECTS, t] = defects - found
                work[_FOUND, t] = found
                work[_HANDLING, t] = (
                    (_FAILED if failed else 0)
                    | (_COMPLAINED if complain else 0)
                    | (_FIRST if first_contact else 0)
                    | (_LATER if resolved_later else 0)
                    | (_GAVE_UP if gives_up else 0)
                )
                work[_TRIGGERED, t] = failed | gives_up | (found > 0)
                work[_EVENTS, t] = (
                    encounter
                    | (failed << 1)
                    | (complain << 2)
                    | (first_contact << 3)
                    | (resolved_later << 4)
                    | (gives_up << 5)
                    | ((wait > 0) << 6)
                    | (escalated << 7)
                    | (disclosed << 8)
                    | (more << 9)
                )
            _into(trust, work, _TRUST, first, count)  # what the rule gave, into the state: a loop for each array
            _into(service_score, work, _SCORE, first, count)
            _into(warmth, work, _WARM, first, count)
            _into(complaint_wait, work, _WAIT, first, count)
            _into(hidden_defects, work, _DEFECTS, first, count)
            _into(handling, work, _HANDLING, first, count)
            for t in range(count):
                h = np.uint64(first + t)
                triggered[h] |= work[_TRIGGERED, t] > 0.0
            n_many = 0
            for t in range(count):  # customers with more than two hidden defects to find, listed
                many[n_many] = t
                n_many += (int(work[_EVENTS, t]) >> 9) & 1
            for k in range(n_many):  # customers with more than two hidden defects: each found on its own
                t = many[k]
                i = first + t
                defects, found = int(hidden_defects[i]), 0
                v0, v1, v2, v3 = vbuf[0, t], vbuf[1, t], vbuf[2, t], vbuf[3, t]
                for d in range(defects):
                    w = _DEFECT_WORD + d
                    if w >= 8 and w % 4 == 0:
                        v0, v1, v2, v3 = uniforms(key, _STREAM, month, start + t, w // 4)
                    word = w % 4
                    u = v0 if word == 0 else v1 if word == 1 else v2 if word == 2 else v3
                    if u < defect_discovery:
                        found += 1
                if found > 0:
                    trust[i] = work[_TRUST_NOW, t] * (1.0 - discovery_loss) ** found
                    service_score[i] = s_discovered
                    triggered[i] = True
                hidden_defects[i] = defects - found
                work[_FOUND, t] = found
            for t in range(count):  # the month's counts (most customers add to none but encounters)
                f = np.uint64(slot[first + t])
                e, found = int(work[_EVENTS, t]), int(work[_FOUND, t])
                n_encounters[f] += e & 1
                if e > 1 or found > 0:  # (bit 9, more defects, counts nothing itself)
                    failed, complain = (e >> 1) & 1, (e >> 2) & 1
                    n_failures[f] += failed
                    n_complaints[f] += failed & complain
                    n_silent[f] += failed & (complain ^ 1)
                    n_first_contact[f] += (e >> 3) & 1
                    n_later[f] += (e >> 4) & 1
                    n_handled[f] += ((e >> 3) | (e >> 4)) & 1  # the two never meet: one needs no open complaint
                    n_neglected[f] += (e >> 5) & 1
                    n_queue[f] += (e >> 6) & 1
                    escalated_count[f] += (e >> 7) & 1
                    n_disclosed[f] += (e >> 8) & 1
                    n_found[f] += found
    for s in range(n_slots):
        load[s] = (escalated_count[s] + queue[s]) / max(capacity[s], 1e-9)


@njit(cache=True, error_model="numpy", inline="always")
def _into(target: np.ndarray, work: np.ndarray, row: int, first: int, count: int) -> None:  # pragma: no cover
    """Row ``row`` of a chunk's work array into ``target[first:first + count]`` (in the target's type; unsigned
    indices, so that the loop vectorises)."""
    for t in range(count):
        target[np.uint64(first + t)] = work[row, t]
