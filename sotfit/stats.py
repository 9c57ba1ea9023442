"""Weighted means and error inflation by the Birge ratio, the one place every pipeline takes
them from.

A weighted fit whose reduced chi-square exceeds 1 has data scattered about the model more
than their stated errors allow (the errors are understated, or the model misses the data).
The Birge ratio sqrt(reduced chi-square) (Birge, Phys. Rev. 40, 207 (1932); the Particle
Data Group's scale factor) is the factor by which its standard errors are then inflated.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["birge_ratio", "covariance_matrix", "inflate_error", "weighted_mean",
           "inverse_variance_mean", "SINGULAR_CORRELATION"]


def covariance_matrix(values) -> np.ndarray:
    """Covariance matrix of uncertain values (``uncertainties`` objects, or numbers), summed
    in a fixed order.

    ``uncertainties.covariance_matrix`` sums the terms of the variables two values share in the
    order of a set of those variables, hashed by their memory addresses: the same values gave
    covariances, and weighted means, that differed in the last bit from run to run (and
    between a serial run and one with workers). Here the terms follow the order of each
    value's own derivatives, which its construction fixes.

    Parameters
    ----------
    values : sequence
        Uncertain values (numbers count as exact).

    Returns
    -------
    ndarray
        (n, n), in the square of the values' unit.
    """
    ders = [getattr(v, "derivatives", {}) for v in values]
    n = len(ders)
    c = np.zeros((n, n))
    for i, di in enumerate(ders):
        for j in range(i + 1):
            dj = ders[j]
            c[i, j] = c[j, i] = math.fsum(d * dj[var] * var.std_dev ** 2
                                          for var, d in di.items() if var in dj)
    return c


def birge_ratio(result) -> float:
    """sqrt(reduced chi-square) of a weighted fit when it exceeds 1, else 1 (dimensionless).

    Parameters
    ----------
    result : FitResult
        Any result with ``redchi`` (dimensionless) and ``errors_scaled``.

    Returns
    -------
    float
        The factor (>= 1) for the fit's standard errors. A fit whose errors were already
        estimated from the scatter (``errors_scaled``) is not scaled again, a non-finite
        reduced chi-square gives 1, and errors are never shrunk.
    """
    r = float(result.redchi)
    if getattr(result, "errors_scaled", False) or not math.isfinite(r) or r <= 1.0:
        return 1.0
    return math.sqrt(r)


def inflate_error(u, factor: float):
    """``u`` with its standard error (and its covariances with every other quantity)
    multiplied by ``factor`` (dimensionless), the nominal value unchanged.

    Parameters
    ----------
    u : uncertainties value or float
        In any unit; a float is returned unchanged.
    factor : float
        E.g. :func:`birge_ratio` of the fit ``u`` came from.
    """
    n = getattr(u, "nominal_value", u)
    return n + (u - n) * factor


#: Smallest eigenvalue of a correlation matrix, relative to its largest, below which the
#: covariance of values to be averaged counts as singular (the GLS weights are then noise).
SINGULAR_CORRELATION = 1e-8


def weighted_mean(values, inflate: bool = True, info: dict | None = None):
    """Generalised-least-squares mean of correlated uncertain values.

    mean = w . x with w = C^-1 1 / (1^T C^-1 1); when the scatter exceeds the
    errors (chi^2/dof > 1) an independent term is added so the variance is
    multiplied by chi^2/dof (Birge ratio). Returns (mean, birge_ratio).

    When the covariance C is singular (the smallest eigenvalue of the correlation
    matrix below :data:`SINGULAR_CORRELATION` times the largest: the values are not
    independent estimates, e.g. several copies of one number), C^-1 does not exist and
    its numerical inverse gives arbitrary weights (a mean of 1e-14 for values near 1,
    a negative chi^2). The inverse-variance weights are used instead (the mean's
    variance still from the full covariance) and the Birge ratio ignores the
    correlations; ``info['singular']`` says so.

    Parameters
    ----------
    values : sequence of uncertainties values
        All with a standard error > 0 (any unit, the same for all).
    inflate : bool
        Multiply the variance by chi^2/dof when that exceeds 1.
    info : dict, optional
        Filled with ``singular`` (bool) and ``min_correlation_eigenvalue`` (relative).

    Returns
    -------
    (uncertain value, float)
        The mean (unit of the values) and the Birge ratio sqrt(chi^2/(n - 1)); NaN for one value.
    """
    from uncertainties import ufloat

    vals = list(values)
    if len(vals) == 1:
        if info is not None:
            info.update(singular=False, min_correlation_eigenvalue=1.0)
        return vals[0], float("nan")
    c = covariance_matrix(vals)
    x = np.array([v.nominal_value for v in vals])
    sd = np.sqrt(np.diag(c))
    ev = np.linalg.eigvalsh(c / np.outer(sd, sd))
    rel = float(ev[0] / ev[-1])
    singular = not rel > SINGULAR_CORRELATION
    if info is not None:
        info.update(singular=singular, min_correlation_eigenvalue=rel)
    if singular:
        ci = np.diag(1.0 / sd**2)
    else:
        ci = np.linalg.inv(c)
    one = np.ones(len(vals))
    wts = ci @ one / (one @ ci @ one)
    mean = sum(float(wi) * v for wi, v in zip(wts, vals))
    r = x - mean.nominal_value
    chi2 = max(float(r @ ci @ r), 0.0)
    birge = math.sqrt(chi2 / (len(vals) - 1))
    if inflate and birge > 1:
        mean = mean + ufloat(0.0, mean.std_dev * math.sqrt(birge**2 - 1))
    return mean, birge


def inverse_variance_mean(values):
    """Inverse-variance weighted mean sum(w v) / sum(w), w = 1/sigma^2, of uncertain values.

    The correlations between the values are ignored in the weights but carried into the
    mean (it stays a linear combination of the values); no Birge inflation. One value is
    returned as it is.

    Parameters
    ----------
    values : sequence of uncertainties values
        In one unit; a standard error of 0 counts as 1e-300; values whose standard error is
        not a number are left out where others have one (all such: an equal-weight mean).

    Returns
    -------
    uncertainties value
        In the unit of the values.
    """
    vs = list(values)
    if len(vs) == 1:
        return vs[0]
    # weights relative to the smallest error: 1/sigma^2 of a noise-free value (sigma = 0, or
    # 1e-300) overflowed to inf, and the mean became NaN (a noise-free rotation set stopped
    # with "SVD did not converge")
    # with "SVD did not converge"); values whose error is not a number get no weight beside
    # those that have one, and equal weights where none has one
    sig = np.array([max(v.std_dev, 1e-300) if math.isfinite(v.std_dev) else math.nan
                    for v in vs])
    known = np.isfinite(sig)
    w = (sig[known].min() / np.where(known, sig, np.inf)) ** 2 if known.any() \
        else np.ones(len(vs))
    return sum(wi * v for wi, v in zip(w, vs) if wi > 0) / w.sum()
