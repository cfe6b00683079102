"""What customers hear about firms: word of mouth, public posts and advertising.

Talkative customers tell their network contacts how they feel about their firm;
each listener's opinion of that firm moves towards what they heard (opinion
dynamics in the style of DeGroot 1974, over the sparse network so the cost is
linear in contacts). Customers whose advocacy has fallen below a threshold post
publicly, and a post reaches a share of the whole market (Ward & Ostrom 2006,
complaint websites). Advertising pulls opinions towards the firm's claim, which
exceeds its real quality by ``over_promise``. Opinions slowly fade to neutral.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.draws import CHUNK, STREAM_ID, chunk_buffer, fill_uniforms
from sim.mechanisms.relationship import advocacy_of
from sim.state import MarketState

NEUTRAL = 0.5
_TALK = STREAM_ID["talk"]


def talk(m: MarketState) -> None:
    """Speakers' advocacy spreads to their contacts' opinion of the speaker's firm; angry speakers post."""
    c, b, on, th, t = m.customers, m.behaviour, m.mechanisms, m.measures, m.tally
    net = m.network
    _talk_kernel(
        m.keys,
        m.elapsed,
        m.customers_per_market,
        m.firms_per_market,
        c.firm,
        c.talkativeness,
        c.trust,
        c.satisfaction,
        c.bond,
        c.opinion,
        net.indptr,
        net.indices,
        b.advocacy_trust,
        b.advocacy_satisfaction,
        b.advocacy_bond,
        th.speaks_well,
        th.speaks_ill,
        b.post_threshold,
        b.wom_weight,
        b.public_reach,
        b.public_impact,
        bool(on.word_of_mouth),
        bool(on.public_channel),
        t.wom_positive,
        t.wom_negative,
        t.posts,
        m.scratch("speaker", (c.n,), np.int32),
        m.scratch("said", (c.n,), np.float64),
        m.scratch("about", (c.n,), np.int32),
        m.scratch("heard_sum", c.opinion.shape, np.float64),
        m.scratch("heard_n", c.opinion.shape, np.int32),
    )


@njit(cache=True, error_model="numpy")
def _talk_kernel(  # pragma: no cover - compiled
    keys: np.ndarray,
    month: int,
    n_market: int,
    n_local: int,
    firm: np.ndarray,
    talkativeness: np.ndarray,
    trust: np.ndarray,
    satisfaction: np.ndarray,
    bond: np.ndarray,
    opinion: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    w_trust: float,
    w_satisfaction: float,
    w_bond: float,
    speaks_well: float,
    speaks_ill: float,
    post_threshold: float,
    wom_weight: float,
    public_reach: float,
    public_impact: float,
    word_of_mouth: bool,
    public_channel: bool,
    wom_positive: np.ndarray,
    wom_negative: np.ndarray,
    posts: np.ndarray,
    speaker: np.ndarray,
    said: np.ndarray,
    about: np.ndarray,
    heard_sum: np.ndarray,
    heard_n: np.ndarray,
) -> None:
    """Pass 1: who speaks (one draw each), the tallies and posts. Pass 2: each speaker reaches their contacts.
    Pass 3: each listener's opinions move towards what they heard, and the month's posts weigh on them.

    Work arrays, kept between months: ``speaker``, ``said`` and ``about``: the month's speakers in order, their
    advocacy and the local firm they speak of; ``heard_sum`` and ``heard_n`` (n, F): what each listener heard of
    each firm of their market, and from how many (zero between months)."""
    n = firm.shape[0]
    n_slots = wom_positive.shape[0] - 1
    n_speakers = 0
    ubuf = chunk_buffer()
    for r in range(n // n_market):
        key = keys[r]
        for start in range(0, n_market, CHUNK):
            count, first = min(CHUNK, n_market - start), r * n_market + start
            listed = n_speakers
            fill_uniforms(ubuf, key, _TALK, month, start, count, 0)
            for t in range(count):  # the chunk's speakers, listed without a branch (most customers are silent)
                i = first + t
                speaker[n_speakers] = i
                n_speakers += (firm[i] >= 0) & (ubuf[0, t] < talkativeness[i])
            for k in range(listed, n_speakers):
                i = speaker[k]
                g = firm[i]
                s = advocacy_of(trust[i], satisfaction[i], bond[i], w_trust, w_satisfaction, w_bond)
                said[k], about[k] = s, g - r * n_local
                wom_positive[g] += s >= speaks_well  # (counted without a branch: how a speaker feels is a coin toss)
                wom_negative[g] += s < speaks_ill
                posts[g] += public_channel & (s < post_threshold)
    keep = np.ones(n_slots, dtype=np.float64)  # factor on every opinion of each firm from the month's posts
    if public_channel:
        for g in range(n_slots):
            keep[g] = 1.0 - public_impact * (1.0 - (1.0 - public_reach) ** posts[g])
    hears = word_of_mouth and n_speakers > 0
    if hears:
        for k in range(n_speakers):  # each speaker reaches their contacts (the network is symmetric)
            i, j, s = speaker[k], about[k], said[k]
            for e in range(indptr[i], indptr[i + 1]):
                h = np.uint64(indices[e])  # (an unsigned index: no check for a negative one)
                heard_sum[h, j] += s
                heard_n[h, j] += 1
    if not hears and not public_channel:
        return
    flat, sums, heard = opinion.reshape(-1), heard_sum.reshape(-1), heard_n.reshape(-1)  # customer after customer
    reads = np.ones(CHUNK * n_local)  # what the market read of the firm at each position of a run of opinions
    for r in range(n // n_market):  # a chunk of listeners at a time, as one run of opinions: a loop that vectorises
        if public_channel:
            for q in range(CHUNK * n_local):
                reads[q] = keep[r * n_local + q % n_local]
        for first in range(r * n_market, (r + 1) * n_market, CHUNK):
            run, start = min(CHUNK, (r + 1) * n_market - first) * n_local, first * n_local
            for q in range(run):
                h = np.uint64(start + q)
                o = np.float64(flat[h])
                count = heard[h]  # a quarter of the opinions hear something: no branch on it
                moved = o + wom_weight * (sums[h] / max(count, 1) - o)  # towards the mean of what was said
                o = moved if count > 0 else o
                sums[h] = 0.0
                heard[h] = 0
                flat[h] = o * reads[q]  # (a factor of 1 without posts leaves the opinion as it is)


def advertise(m: MarketState) -> None:
    """Advertising pulls opinions towards the firm's claim; all opinions slowly fade to neutral."""
    c, b, lv = m.customers, m.behaviour, m.levers
    F = m.n_firms
    quality = 1 - b.exhaustion_quality * m.firms.exhaustion[:F]
    claim = np.minimum(quality + lv.over_promise[:F], 1.0)
    pull = b.ad_effect * lv.marketing[:F] * m.firms.active[:F]
    _advertise_kernel(
        m.customers_per_market,
        m.firms_per_market,
        c.opinion,
        claim,
        pull,
        bool(m.mechanisms.advertising),
        b.opinion_memory,
    )


@njit(cache=True, error_model="numpy")
def _advertise_kernel(  # pragma: no cover - compiled
    n_market: int,
    n_local: int,
    opinion: np.ndarray,
    claim: np.ndarray,
    pull: np.ndarray,
    advertising: bool,
    memory: float,
) -> None:
    """Each opinion moves towards its firm's claim (advertising on), then fades towards neutral, clipped to [0, 1].

    A chunk of customers at a time, as one run of their opinions in memory (row after row), with each position's
    pull and claim laid out beside it: a loop the compiler vectorises (an unsigned index)."""
    n_local = opinion.shape[1]
    flat = opinion.reshape(-1)  # the opinions, customer after customer (C order)
    pulls, claims = np.zeros(CHUNK * n_local), np.zeros(CHUNK * n_local)  # of the firm at each position of a run
    for r in range(opinion.shape[0] // n_market):
        if advertising:
            for q in range(CHUNK * n_local):
                pulls[q], claims[q] = pull[r * n_local + q % n_local], claim[r * n_local + q % n_local]
        for first in range(r * n_market, (r + 1) * n_market, CHUNK):
            run, start = min(CHUNK, (r + 1) * n_market - first) * n_local, first * n_local
            for q in range(run):
                h = np.uint64(start + q)
                o = np.float64(flat[h])
                o += pulls[q] * (claims[q] - o)  # a pull of 0 (advertising off) leaves the opinion as it is
                o += memory * (NEUTRAL - o)
                flat[h] = min(max(o, 0.0), 1.0)
