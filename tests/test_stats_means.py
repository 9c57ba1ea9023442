"""The inverse-variance mean of uncertain values (sotfit.stats.inverse_variance_mean)."""

import math

import pytest
from uncertainties import ufloat

from sotfit.stats import inverse_variance_mean


def test_the_weighted_mean_and_its_error():
    m = inverse_variance_mean([ufloat(1.0, 0.1), ufloat(2.0, 0.2)])
    w1, w2 = 1 / 0.01, 1 / 0.04
    assert m.nominal_value == pytest.approx((w1 * 1.0 + w2 * 2.0) / (w1 + w2), rel=1e-12)
    assert m.std_dev == pytest.approx(1 / math.sqrt(w1 + w2), rel=1e-12)


def test_noise_free_values_give_a_number():
    """Values of a noise-free fit (standard error 0, or not estimated) made the weights
    1/1e-600 = inf and the mean NaN: a noise-free rotation set stopped with 'SVD did not
    converge'."""
    zero = inverse_variance_mean([ufloat(1.0, 0.0), ufloat(1.0, 0.0)])
    assert zero.nominal_value == 1.0 and zero.std_dev == 0.0
    mixed = inverse_variance_mean([ufloat(1.0, 0.0), ufloat(3.0, 0.5)])
    assert mixed.nominal_value == 1.0
    unknown = inverse_variance_mean([ufloat(1.0, math.nan), ufloat(3.0, math.nan)])
    assert unknown.nominal_value == 2.0 and math.isnan(unknown.std_dev)
    some = inverse_variance_mean([ufloat(1.0, math.nan), ufloat(3.0, 0.5), ufloat(5.0, 0.5)])
    assert some.nominal_value == pytest.approx(4.0) and some.std_dev == pytest.approx(0.5 / math.sqrt(2))
