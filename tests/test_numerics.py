"""The kernels' own ``log`` and ``exp``: within 1 ulp of the C library's over the whole range the model uses, exact
where it must be."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.numerics import EXP_HIGHEST, EXP_LOWEST, exp_array, log_array


def _ulps(got, expected):
    return np.abs(got - expected) / np.spacing(np.abs(expected))


def test_log_is_within_one_ulp_of_the_c_library_over_the_whole_normal_range():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            np.exp(rng.uniform(-708, 709, 1_000_000)),  # every binade
            rng.uniform(0.5, 2.0, 1_000_000),  # around 1, where log is small and cancellation threatens
            1.0 + rng.uniform(-1e-6, 1e-6, 200_000),
            [2.0**-1022, np.finfo(float).max, math.sqrt(2), np.nextafter(math.sqrt(2), 2), 2.0**-33, 1 - 2.0**-33],
        ]
    )
    expected = np.log(x)
    got = log_array(x)
    away = expected != 0
    assert _ulps(got[away], expected[away]).max() <= 1.0
    assert np.mean(got == expected) > 0.95  # and mostly the same bits


@pytest.mark.parametrize("k", [-1022, -33, -1, 0, 1, 52, 1023])
def test_log_of_a_power_of_two_and_of_one(k):
    assert log_array(np.array([2.0**k]))[0] == math.log(2.0**k)  # the same bits as the C library's
    assert log_array(np.array([1.0]))[0] == 0.0


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=2.0**-1022, max_value=1e308, allow_nan=False, allow_infinity=False))
def test_log_agrees_with_math_log_to_one_ulp(x):
    got, expected = log_array(np.array([x]))[0], math.log(x)
    assert got == expected or abs(got - expected) <= np.spacing(abs(expected))


def test_exp_is_within_one_ulp_of_the_c_library_over_the_whole_normal_range():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(EXP_LOWEST, EXP_HIGHEST, 1_000_000),  # every binade of the result
            -rng.exponential(3.0, 1_000_000),  # what the model asks: fits and logit weights, at most 0
            rng.uniform(-1e-8, 1e-8, 100_000),  # around 0, where the result is near 1
            [EXP_LOWEST, EXP_HIGHEST, 0.5 * math.log(2), -0.5 * math.log(2), 1e-300, -1e-300],
        ]
    )
    expected = np.exp(x)
    got = exp_array(x)
    assert _ulps(got, expected).max() <= 1.0
    assert np.mean(got == expected) > 0.85  # and mostly the same bits


def test_exp_at_its_ends_zero_and_infinity():
    got = exp_array(np.array([0.0, -0.0, -np.inf, EXP_LOWEST - 1e-9, -745.2, -1e4, np.inf, EXP_HIGHEST + 1e-9, 1e4]))
    assert got.tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, np.inf, np.inf, np.inf]
    assert exp_array(np.array([EXP_LOWEST]))[0] >= 2.0**-1022  # the smallest result is still normal
    assert np.isfinite(exp_array(np.array([EXP_HIGHEST]))[0])


@pytest.mark.parametrize("k", [-1021, -33, -1, 1, 52, 1023])
def test_exp_where_the_reduction_changes_k(k):  # x at k ln 2, and half-way between two k
    for x in (k * math.log(2), (k + 0.5) * math.log(2), np.nextafter((k + 0.5) * math.log(2), 0)):
        got, expected = exp_array(np.array([x]))[0], math.exp(x)
        assert abs(got - expected) <= np.spacing(expected)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=EXP_LOWEST, max_value=EXP_HIGHEST, allow_nan=False))
def test_exp_agrees_with_math_exp_to_one_ulp(x):
    got, expected = exp_array(np.array([x]))[0], math.exp(x)
    assert got == expected or abs(got - expected) <= np.spacing(expected)
