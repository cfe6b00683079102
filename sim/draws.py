"""Random draws keyed by (seed, stream, month, customer): a counter-based generator for compiled kernels.

Each draw is a pure function of its key and counter (Philox4x32-10, Salmon et al. 2011,
"Parallel random numbers: as easy as 1, 2, 3", SC'11; the generator of Random123, cuRAND and
JAX). The key is the run's seed; the counter is the customer's index within their market,
the month (``MarketState.elapsed``: months simulated so far, burn-in included, so a burn-in
month draws what the same month of a run without burn-in draws), the phase's stream and a
block number. So a customer's draws do not depend on
how many other customers there are, in which order they are visited, how the population
is chunked, or whether R replications are stepped as one batched state: replication ``r``
of a batch draws exactly what a single run with the same seed draws.

One call gives four independent 32-bit words; :func:`uniforms` turns them into four
uniforms in the open interval (0, 1), so ``u < p`` is never true for p = 0 and always for
p = 1, and ``log(u)`` is finite.

>>> import numpy as np
>>> [hex(w) for w in philox(np.uint32(0), np.uint32(0), np.uint32(0), np.uint32(0), np.uint32(0), np.uint32(0))]
['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim import numerics
from sim.state import STREAMS

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = np.uint32(0x9E3779B9), np.uint32(0xBB67AE85)
_LO = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_MONTH_OFFSET = 1 << 31  # months may be negative (burn-in); the counter word holds month + 2^31
_TO_UNIT = 2.0**-32
#: Customers whose draws :func:`fill_uniforms` computes in one vectorised loop (4 x CHUNK float64 stay in L1).
CHUNK = 256

#: Stream number of each phase's draws (the third counter word is ``stream << 16 | block``).
STREAM_ID = {name: i for i, name in enumerate(STREAMS)}


@njit(cache=True, error_model="numpy", inline="always")
def philox(c0, c1, c2, c3, k0, k1):  # pragma: no cover - compiled
    """Philox4x32 with 10 rounds: four 32-bit counter words and two key words to four random words."""
    c0, c1, c2, c3 = np.uint64(c0), np.uint64(c1), np.uint64(c2), np.uint64(c3)
    k0, k1 = np.uint64(k0), np.uint64(k1)
    for _ in range(10):
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = ((p1 >> _S32) ^ c1 ^ k0) & _LO, p1 & _LO, ((p0 >> _S32) ^ c3 ^ k1) & _LO, p0 & _LO
        k0 = (k0 + np.uint64(_W0)) & _LO
        k1 = (k1 + np.uint64(_W1)) & _LO
    return np.uint32(c0), np.uint32(c1), np.uint32(c2), np.uint32(c3)


@njit(cache=True, error_model="numpy", inline="always")
def uniforms(key, stream, month, customer, block):  # pragma: no cover - compiled
    """Four uniforms in (0, 1) for ``customer`` in ``month``: block ``block`` of stream ``stream``.

    ``key`` holds the run's seed as two 32-bit words (:func:`seed_key`). A phase that needs more
    than four draws per customer and month takes further blocks (0, 1, 2, ...).
    """
    w0, w1, w2, w3 = philox(
        np.uint32(customer),
        np.uint32(month + _MONTH_OFFSET),
        np.uint32((stream << 16) | block),
        np.uint32(0),
        key[0],
        key[1],
    )
    return (
        (np.float64(w0) + 0.5) * _TO_UNIT,
        (np.float64(w1) + 0.5) * _TO_UNIT,
        (np.float64(w2) + 0.5) * _TO_UNIT,
        (np.float64(w3) + 0.5) * _TO_UNIT,
    )


@njit(cache=True, error_model="numpy")
def fill_uniforms(out, key, stream, month, first, count, block):  # pragma: no cover - compiled
    """``out[:, t]`` = the four uniforms of customer ``first + t`` (block ``block``) for ``t < count``: what
    :func:`uniforms` gives one customer at a time, for many customers in one loop the compiler vectorises."""
    for t in range(count):
        out[0, t], out[1, t], out[2, t], out[3, t] = uniforms(key, stream, month, first + t, block)


@njit(cache=True, error_model="numpy", inline="always")
def chunk_buffer():  # pragma: no cover - compiled
    """The (4, CHUNK) buffer of a kernel's draws: it fills a chunk of customers at a time with :func:`fill_uniforms`.

    A kernel loops ``for start in range(0, n_market, CHUNK)``, fills the buffer for customers ``start`` to
    ``start + count - 1`` of the market, then reads customer ``start + t``'s four uniforms as ``buf[:, t]``
    (about five times faster than :func:`uniforms` one customer at a time, and the same numbers).
    """
    return np.empty((4, CHUNK))


# Wichura (1988), "Algorithm AS 241: the percentage points of the normal distribution", Applied Statistics 37(3),
# 477-484, PPND16 (accurate to about 1 part in 1e16): rational approximations for |u - 0.5| <= 0.425 (A / B) and for
# the tails with sqrt(-log(min(u, 1 - u))) - 1.6 <= 3.4 (C / D). The uniforms here are at least 2**-33 from 0 and 1, so
# that bound holds for all of them and PPND16's third branch (further tails) is never needed.
_A = (
    3.3871328727963666080e00,
    1.3314166789178437745e02,
    1.9715909503065514427e03,
    1.3731693765509461125e04,
    4.5921953931549871457e04,
    6.7265770927008700853e04,
    3.3430575583588128105e04,
    2.5090809287301226727e03,
)
_B = (
    1.0,
    4.2313330701600911252e01,
    6.8718700749205790830e02,
    5.3941960214247511077e03,
    2.1213794301586595867e04,
    3.9307895800092710610e04,
    2.8729085735721942674e04,
    5.2264952788528545610e03,
)
_C = (
    1.42343711074968357734e00,
    4.63033784615654529590e00,
    5.76949722146069140550e00,
    3.64784832476320460504e00,
    1.27045825245236838258e00,
    2.41780725177450611770e-01,
    2.27238449892691845833e-02,
    7.74545014278341407640e-04,
)
_D = (
    1.0,
    2.05319162663775882187e00,
    1.67638483018380384940e00,
    6.89767334985100004550e-01,
    1.48103976427480074590e-01,
    1.51986665636164571966e-02,
    5.47593808499534494600e-04,
    1.05075007164441684324e-09,
)


@njit(cache=True, error_model="numpy", inline="always")
def _poly(c, x):  # pragma: no cover - compiled
    """``c[0] + c[1] x + ... + c[7] x**7`` (Horner)."""
    return ((((((c[7] * x + c[6]) * x + c[5]) * x + c[4]) * x + c[3]) * x + c[2]) * x + c[1]) * x + c[0]


@njit(cache=True, error_model="numpy", inline="always")
def _central(q):  # pragma: no cover - compiled
    """PPND16's central branch at ``q = u - 0.5`` (for ``|q| <= 0.425``)."""
    r = 0.180625 - q * q
    return q * _poly(_A, r) / _poly(_B, r)


@njit(cache=True, error_model="numpy", inline="always")
def _tail(u):  # pragma: no cover - compiled
    """PPND16's tail branch at ``u`` (for ``|u - 0.5| > 0.425``), with the sign of ``u - 0.5``."""
    q = u - 0.5
    r = math.sqrt(-numerics.log(u if q < 0.0 else 1.0 - u)) - 1.6
    tail = _poly(_C, r) / _poly(_D, r)
    return -tail if q < 0.0 else tail


@njit(cache=True, error_model="numpy", inline="always")
def normal(u):  # pragma: no cover - compiled
    """The standard normal quantile of a uniform of this module (AS 241): one normal per uniform, no rejection.

    Both of PPND16's branches are computed and one is selected, without a jump."""
    q = u - 0.5
    central, tail = _central(q), _tail(u)
    return central if abs(q) <= 0.425 else tail


@njit(cache=True, error_model="numpy", inline="always")
def normals(u0, u1):  # pragma: no cover - compiled
    """Two independent standard normals from two uniforms (:func:`normal` of each)."""
    return normal(u0), normal(u1)


@njit(cache=True, error_model="numpy")
def fill_normals(out, u, count):  # pragma: no cover - compiled
    """``out[k, t] = normal(u[k, t])`` for each row ``k`` of ``out`` and ``t < count``: a kernel's normals for a
    chunk of customers, from the uniforms :func:`fill_uniforms` drew.

    The central branch for every uniform, in a loop that vectorises; then the tails (15 % of the uniforms),
    listed and computed together in a second loop that vectorises (their logarithm, root and division are most
    of the cost of a normal, and computing them for all would be six times the work)."""
    listed = np.empty(count, dtype=np.int64)  # the tail uniforms: where they are, what they are, their normal
    tail_u, tail_z = np.empty(count), np.empty(count)
    _normal_rows(out, u, count, listed, tail_u, tail_z)


@njit(cache=True, error_model="numpy", inline="always")
def _normal_rows(out, u, count, listed, tail_u, tail_z):  # pragma: no cover - compiled
    """:func:`fill_normals` with its work arrays (as arguments, its loops compile tighter: 7.4 against 9.5 ns for
    a customer's two normals and their uniforms)."""
    for k in range(out.shape[0]):
        for t in range(count):
            out[k, t] = _central(u[k, t] - 0.5)
        n_tail = 0
        for t in range(count):
            listed[n_tail], tail_u[n_tail] = t, u[k, t]
            n_tail += abs(u[k, t] - 0.5) > 0.425
        for m in range(n_tail):
            tail_z[m] = _tail(tail_u[m])
        for m in range(n_tail):
            out[k, listed[m]] = tail_z[m]


@njit(cache=True, error_model="numpy", inline="always")
def logistic(u):  # pragma: no cover - compiled
    """A standard logistic variate from a uniform: the difference of two independent standard Gumbels."""
    return numerics.log(u / (1.0 - u))


def seed_key(seed: int) -> np.ndarray:
    """The two 32-bit key words of a run's seed (a non-negative integer below 2**64)."""
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed {seed} is not in [0, 2**64)")
    return np.array([seed & 0xFFFFFFFF, seed >> 32], dtype=np.uint32)


@njit(cache=True, error_model="numpy")
def uniform_table(key, stream, month, n, blocks):  # pragma: no cover - compiled
    """(n, 4 * blocks) uniforms of customers ``0..n-1`` in ``month``: the draws a kernel would take, for tests."""
    out = np.empty((n, 4 * blocks))
    for i in range(n):
        for b in range(blocks):
            u0, u1, u2, u3 = uniforms(key, stream, month, i, b)
            out[i, 4 * b], out[i, 4 * b + 1], out[i, 4 * b + 2], out[i, 4 * b + 3] = u0, u1, u2, u3
    return out
