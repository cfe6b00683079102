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

from sim.mechanisms.relationship import advocacy
from sim.state import MarketState, by_slot

NEUTRAL = 0.5


def talk(m: MarketState) -> None:
    """Speakers' advocacy spreads to their contacts' opinion of the speaker's firm; angry speakers post."""
    c, b, on, F = m.customers, m.behaviour, m.mechanisms, m.n_firms
    u = m.rng["talk"].random(c.n)
    speaks = c.attached & (u < c.talkativeness)
    said = advocacy(m)
    m.tally.add("wom_positive", m.slot, speaks & (said >= m.measures.speaks_well))
    m.tally.add("wom_negative", m.slot, speaks & (said < m.measures.speaks_ill))
    if on.word_of_mouth and speaks.any():
        who = np.flatnonzero(speaks)
        reach = m.network[who].T  # listeners x speakers (CSC: no conversion needed)
        said_by, firm_of = said[who], m.slot[who]
        for g in range(F):  # a loop over firms, not customers
            about_g = firm_of == g
            total, count = reach @ np.where(about_g, said_by, 0.0), reach @ about_g.astype(float)
            hit = count > 0
            mean = np.divide(total, count, out=np.zeros_like(total), where=hit)
            opinion = c.opinion[:, g]  # a contiguous column
            opinion += b.wom_weight * np.where(hit, mean - opinion, 0.0)
    if on.public_channel:
        posts = by_slot(m.slot, F, speaks & (said < b.post_threshold))[:F]
        m.tally.posts[:F] += posts
        reached = 1 - (1 - b.public_reach) ** posts
        c.opinion *= 1 - b.public_impact * reached


def advertise(m: MarketState) -> None:
    """Advertising pulls opinions towards the firm's claim; all opinions slowly fade to neutral."""
    c, b, lv = m.customers, m.behaviour, m.levers
    F = m.n_firms
    if m.mechanisms.advertising:
        quality = 1 - b.exhaustion_quality * m.firms.exhaustion[:F]
        claim = np.minimum(quality + lv.over_promise[:F], 1.0)
        pull = b.ad_effect * lv.marketing[:F] * m.firms.active[:F]
        c.opinion += pull * (claim - c.opinion)
    c.opinion += b.opinion_memory * (NEUTRAL - c.opinion)
    np.clip(c.opinion, 0.0, 1.0, out=c.opinion)
