"""G of a fit: the complex spin-mixing conductance of an interface from fitted values,
linearised with the covariance of a least-squares fit or over posterior draws."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .mechanisms import G_UNIT, Mechanism, get_mechanism

__all__ = ["interface_g", "derived_g_lsq", "g_from_samples", "derived_g_posterior"]


def _mech(problem) -> Mechanism:
    return get_mechanism(getattr(problem, "mechanism", "drift-diffusion"))


def interface_g(problem, values: Mapping, k: int):
    """Complex G (1e13 Ohm^-1 m^-2) of interface ``k`` for result-name ``values``
    (arrays broadcast, e.g. posterior draws)."""
    mech = _mech(problem)
    names = problem.interface_params[k]
    vals = {p: np.asarray(values[n], float) for p, n in names.items()}
    return mech.g_mix(vals, problem.options)


def _g_jacobian(problem, values: Mapping, k: int, free: Sequence[str]):
    """d(Re G, Im G)/d(free parameter) of interface ``k`` by central differences."""
    names = problem.interface_params[k]
    lo_hi = problem.bounds
    g0 = complex(np.asarray(interface_g(problem, values, k)).ravel()[0])
    jac = {}
    for n in free:
        if n not in names.values():
            continue
        v = float(values[n])
        lo, hi = lo_hi.get(n, (-math.inf, math.inf))
        h = 1e-5 * max(abs(v), 1e-2 * (hi - lo) if math.isfinite(hi - lo) else 1.0, 1e-6)
        a, b = min(v + h, hi), max(v - h, lo)
        ga = complex(np.asarray(interface_g(problem, {**values, n: a}, k)).ravel()[0])
        gb = complex(np.asarray(interface_g(problem, {**values, n: b}, k)).ravel()[0])
        jac[n] = (ga - gb) / (a - b)
    return g0, jac


def derived_g_lsq(problem, lsq, k: int, scale: float = 1.0):
    """Re G and Im G of interface ``k`` from a least-squares fit, with correlations.

    G is linearised in the fitted microscopic parameters (central differences), so the
    returned ``uncertainties`` values are correlated with every fitted parameter through the
    covariance matrix of the fit.

    Parameters
    ----------
    problem : ThicknessProblem
    lsq : FitResult
    k : int
        Interface index.
    scale : float
        Factor on the standard errors (the Birge ratio of the fit).

    Returns
    -------
    re, im : uncertainties values
        In 1e13 Ohm^-1 m^-2 (floats when the fit has no covariance).
    corr : float or None
        Correlation of Re G and Im G.
    """
    values = lsq.values
    g0, jac = _g_jacobian(problem, values, k, lsq.varied)
    params = lsq.params
    if lsq.covar is None or not jac:
        return g0.real, g0.imag, None
    re = g0.real + sum(d.real * (params[n] - values[n]) * scale for n, d in jac.items())
    im = g0.imag + sum(d.imag * (params[n] - values[n]) * scale for n, d in jac.items())
    from ...stats import covariance_matrix

    c = covariance_matrix([re, im])
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = float(c[0, 1] / math.sqrt(c[0, 0] * c[1, 1])) if c[0, 0] * c[1, 1] > 0 else None
    if corr is not None and not math.isfinite(corr):
        corr = None
    return re, im, corr


def g_from_samples(problem, samples: Mapping, k: int, chunk: int = 4096):
    """Complex G (1e13 Ohm^-1 m^-2) of interface ``k`` for every posterior draw."""
    names = problem.interface_params[k]
    n = len(next(iter(samples.values())))
    out = np.empty(n, complex)
    for s in range(0, n, chunk):
        vals = {nm: np.asarray(samples[nm][s:s + chunk], float) for nm in names.values()}
        out[s:s + chunk] = np.broadcast_to(interface_g(problem, vals, k), (min(chunk, n - s),))
    return out


def derived_g_posterior(problem, post, k: int):
    """Posterior summaries of Re G and Im G of interface ``k`` (``sotfit.bayes.summarize``
    dicts in 1e13 Ohm^-1 m^-2) and their posterior correlation."""
    from ...bayes import summarize

    g = g_from_samples(problem, post.samples, k)
    corr = float(np.corrcoef(g.real, g.imag)[0, 1]) if g.size > 2 else None
    if corr is not None and not math.isfinite(corr):
        corr = None
    return summarize(g.real, G_UNIT), summarize(g.imag, G_UNIT), corr
