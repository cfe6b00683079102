"""A ``log`` and an ``exp`` the compiler can vectorise, written with IEEE operations only.

A call into the C library's ``log`` stops LLVM from vectorising a loop (this machine's
llvmlite has no vector maths library, SVML: ``numba -s`` says "SVML Operational: False").
This ``log`` has no branch and no call, so :func:`sim.draws.fill_normals` turns a chunk of
uniforms into normals on vector registers: about 1.2 ns per ``log`` instead of 7; :func:`exp` does the
same for the fits and logit weights of a chunk's customers who look around (``switching.decide``), about
1.0 ns instead of 5.5. Every step
is one correctly rounded addition, multiplication or division, which LLVM does not contract
into fused operations (no fast-math flags), so its bits do not depend on the CPU.

They are fdlibm's ``__ieee754_log`` and ``__ieee754_exp`` (Sun Microsystems 1993, after Tang 1989
and 1990, ACM TOMS 15(2) and 16(4)) without their special cases (for ``log``: zero, negative,
subnormal, infinite and NaN arguments; for ``exp``: results that would be subnormal are 0), each
within 1 ulp of the correctly rounded result (``tests/test_numerics.py`` checks both against the C
library's on millions of points). Being IEEE operations, their bits are the same with any C library.
A chain of dependent scalar calls is quicker with the C library's (about 10 against 26 ns for
``exp``), so ``math.log`` stays where a loop cannot vectorise.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def _as_float(typingctx, bits):  # pragma: no cover - compiled
    """The float64 whose IEEE 754 bits are the int64 ``bits``."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _as_bits(typingctx, x):  # pragma: no cover - compiled
    """The IEEE 754 bits of the float64 ``x``, as an int64."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_SQRT2 = 1.4142135623730951
_MANTISSA = (1 << 52) - 1
_ONE_BITS = 0x3FF0000000000000
_LG = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)


@njit(cache=True, error_model="numpy", inline="always")
def log(x: float) -> float:  # pragma: no cover - compiled
    """Natural logarithm of a positive, finite, normal ``x`` (at least 2**-1022) to within 1 ulp."""
    bits: int = _as_bits(x)  # type: ignore[call-arg]  # (an intrinsic: numba passes the typing context)
    k = (bits >> 52) - 1023
    y: float = _as_float((bits & _MANTISSA) | _ONE_BITS)  # type: ignore[call-arg]  # x = 2**k * y, 1 <= y < 2
    high = y > _SQRT2
    y = y * 0.5 if high else y  # now sqrt(2) / 2 < y <= sqrt(2)
    dk = np.float64(k + 1 if high else k)
    f = y - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG[1] + w * (_LG[3] + w * _LG[5]))
    t2 = z * (_LG[0] + w * (_LG[2] + w * (_LG[4] + w * _LG[6])))
    hfsq = 0.5 * f * f
    return dk * _LN2_HI - ((hfsq - (s * (hfsq + (t2 + t1)) + dk * _LN2_LO)) - f)


_INV_LN2 = 1.44269504088896338700e00
_EXP_P = (
    1.66666666666666019037e-01,
    -2.77777777770155933842e-03,
    6.61375632143793436117e-05,
    -1.65339022054652515390e-06,
    4.13813679705723846039e-08,
)
EXP_LOWEST = -708.3964185322641  # below this exp(x) is subnormal (under 2**-1022): exp returns 0
EXP_HIGHEST = 709.782712893384  # above this exp(x) overflows: exp returns inf


@njit(cache=True, error_model="numpy", inline="always")
def exp(x: float) -> float:  # pragma: no cover - compiled
    """``e**x`` to within 1 ulp for ``EXP_LOWEST <= x <= EXP_HIGHEST``; 0 below (also for -inf), inf above.

    Argument reduction ``x = k ln 2 + r``, ``|r| <= ln 2 / 2``, and fdlibm's rational approximation of
    ``e**r``; the result is scaled by ``2**k`` in its exponent bits. No branch: a loop vectorises."""
    low, high = x < EXP_LOWEST, x > EXP_HIGHEST
    x = min(max(x, EXP_LOWEST), EXP_HIGHEST)
    dk = np.float64(np.int64(_INV_LN2 * x + (0.5 if x >= 0.0 else -0.5)))  # k, rounded to the nearest
    hi = x - dk * _LN2_HI
    lo = dk * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (_EXP_P[0] + t * (_EXP_P[1] + t * (_EXP_P[2] + t * (_EXP_P[3] + t * _EXP_P[4]))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)  # e**r, 0.7 < y < 1.5
    scaled: float = _as_float(_as_bits(y) + (np.int64(dk) << 52))  # type: ignore[call-arg]  # y * 2**k
    return 0.0 if low else (np.inf if high else scaled)


@njit(cache=True, error_model="numpy")
def exp_array(x: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`exp` of every element of a 1-d array (for tests and array code)."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = exp(x[i])
    return out


@njit(cache=True, error_model="numpy")
def log_array(x: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`log` of every element of a 1-d array (for tests and array code)."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = log(x[i])
    return out
