"""Correlated points of two datasets (``Problem(correlations=...)``): the generalised least
squares and the Gaussian likelihood with 2x2 blocks, against their closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from sotfit.data import Dataset
from sotfit.fitting import Problem, fit_global
from sotfit.models.spec import ModelSpec, Param


def _constant(x, a):
    return np.full_like(np.asarray(x, float), a)


CONSTANT = ModelSpec(name="constant_test", func=_constant, params=(Param("a", "", 1.0),),
                     x_name="x", x_unit="", y_name="y", y_unit="")


def _pairs(n=40, s1=1.0, s2=2.0, rho=0.7, seed=3):
    """n pairs (y1, y2) of one mean 5 with errors s1, s2 and correlation rho."""
    rng = np.random.default_rng(seed)
    cov = np.array([[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]])
    y = rng.multivariate_normal([5.0, 5.0], cov, size=n)
    x = np.arange(n, dtype=float)
    d1 = Dataset(x, y[:, 0], np.full(n, s1), meta={"source": "one"})
    d2 = Dataset(x, y[:, 1], np.full(n, s2), meta={"source": "two"})
    return d1, d2, cov, y


def test_the_common_mean_of_correlated_pairs_is_the_generalised_least_squares_one():
    """The best linear unbiased estimate of a mean from pairs with covariance C: weights
    C^-1 1 / (1^T C^-1 1), variance 1 / (n 1^T C^-1 1); taken as independent the error is
    1 / sqrt(n (1/s1^2 + 1/s2^2)), 7 % small here (s1 = 1, s2 = 2, rho = 0.7)."""
    d1, d2, cov, y = _pairs()
    n = len(y)
    problem = Problem([d1, d2], CONSTANT, shared=("a",),
                      correlations=[(0, 1, np.arange(n), np.arange(n), 0.7)])
    fit = fit_global(problem, scale_covar=False)
    inv = np.linalg.inv(cov)
    w = inv @ np.ones(2) / (np.ones(2) @ inv @ np.ones(2))
    assert fit.value("a") == pytest.approx(float(np.mean(y @ w)), rel=1e-9)
    assert fit.stderr("a") == pytest.approx(1 / math.sqrt(n * (np.ones(2) @ inv @ np.ones(2))),
                                            rel=1e-6)
    plain = fit_global(Problem([d1, d2], CONSTANT, shared=("a",)), scale_covar=False)
    assert plain.stderr("a") == pytest.approx(1 / math.sqrt(n * (1 + 1 / 4)), rel=1e-6)
    assert plain.stderr("a") < 0.95 * fit.stderr("a")


def test_the_likelihood_of_correlated_pairs_is_the_bivariate_normal():
    from sotfit.bayes.posterior import build_log_posterior

    d1, d2, cov, y = _pairs(n=5)
    problem = Problem([d1, d2], CONSTANT, shared=("a",),
                      correlations=[(0, 1, np.arange(5), np.arange(5), 0.7)])
    logp, _ = build_log_posterior(problem)
    for a in (4.0, 5.0, 6.5):
        want = sum(multivariate_normal([a, a], cov).logpdf(row) for row in y)
        assert float(logp.log_likelihood(np.array([[a]]))[0]) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("entry, said", [
    ((0, 0, [0], [0], 0.5), "are not two of the 2 datasets"),
    ((0, 1, [0], [99], 0.5), "point indices out of range"),
    ((0, 1, [0], [0], 1.0), "must lie in (-1, 1)"),
])
def test_impossible_correlations_are_refused(entry, said):
    d1, d2, _, _ = _pairs(n=3)
    with pytest.raises(ValueError) as err:
        Problem([d1, d2], CONSTANT, shared=("a",), correlations=[entry])
    assert said in str(err.value)
