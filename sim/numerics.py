"""A ``log`` the compiler can vectorise, written with IEEE operations only, for the normals of ``sim.draws``.

A call into the C library's ``log`` stops LLVM from vectorising a loop (this machine's
llvmlite has no vector maths library, SVML: ``numba -s`` says "SVML Operational: False").
This ``log`` has no branch and no call, so :func:`sim.draws.fill_normals` turns a chunk of
uniforms into normals on vector registers: about 1.2 ns per ``log`` instead of 7. Every step
is one correctly rounded addition, multiplication or division, which LLVM does not contract
into fused operations (no fast-math flags), so its bits do not depend on the CPU.

It is fdlibm's ``__ieee754_log`` (Sun Microsystems 1993, after Tang 1990, ACM TOMS 16(4))
without its special cases (zero, negative, subnormal, infinite and NaN arguments), within
1 ulp of the correctly rounded result (``tests/test_numerics.py`` checks it against the C
library's on millions of points). In scalar code the C library's is quicker (its chain of
dependent operations is shorter), so scalar code keeps ``math.log``.
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


@njit(cache=True, error_model="numpy")
def log_array(x: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`log` of every element of a 1-d array (for tests and array code)."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = log(x[i])
    return out
