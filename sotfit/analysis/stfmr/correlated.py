"""Standard errors of branch fits whose noise is correlated from point to point.

A lock-in time constant longer than the time per field step (or a slow drift) correlates the
noise of neighbouring points; the least-squares errors assume independent points and come out
too small by about sqrt((1 + rho)/(1 - rho)) for a first-order autoregression of lag-1
autocorrelation rho (3 at rho = 0.8: docs/stfmr.md, section 5). Where the residuals of a branch
fit are correlated beyond what white noise gives (:data:`RHO_SIGMAS`), the covariance of the
branch parameters is replaced by the sandwich covariance of a first-order autoregression whose
rho is read from the residuals, corrected for the part of the noise the fit itself absorbs:

    C = s^2 (J^T J)^-1 J^T Sigma(rho) J (J^T J)^-1,   Sigma_ij = rho^|i - j|,
    s^2 = e^T e / tr((I - H) Sigma(rho)),    H = J (J^T J)^-1 J^T,

rho solving  tr((I - H) L (I - H) Sigma(rho)) / tr((I - H) Sigma(rho)) = e^T L e / e^T e
(L the lag-1 matrix, 1/2 on both off-diagonals; e the residuals; J the Jacobian of the
lineshape at the best fit). Fits with errors from given data errors are left as they are.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from ...results import FitResult, LazyParams

__all__ = ["RHO_SIGMAS", "RHO_MIN", "RHO_MAX", "SANDWICH_POINTS_MAX", "widen_for_correlated_noise",
           "residual_rho"]

#: The residuals' lag-1 autocorrelation above this many times 1/sqrt(n) (n points in the
#: window) is taken for correlated noise: white noise of the 6480 branches of 90 clean runs
#: (1, 5, 20 % noise, ~90 points per window) reached at most 0.22 = 2.1/sqrt(n), a lock-in time
#: constant of lag-1 0.8 gave 0.47-0.83 (the fit absorbs part of slow noise).
RHO_SIGMAS = 3.0
#: Windows of more points than this have their covariance
#: scaled by (1 + rho)/(1 - rho), the variance of the mean of a long first-order
#: autoregression, with rho the residuals' own: over so many points the fit absorbs a
#: negligible part of the noise.
SANDWICH_POINTS_MAX = 2000
#: ... and above this (errors 10 % too small at 0.1 are not widened: the limit of
#: :data:`RHO_SIGMAS` falls below it in windows of more than 900 points).
RHO_MIN = 0.1
#: Largest rho of the noise model (the factor sqrt((1 + rho)/(1 - rho)) is 6.2 there).
RHO_MAX = 0.95


def residual_rho(e: np.ndarray) -> float | None:
    """Lag-1 autocorrelation sum(e_i e_i+1) / sum(e_i^2) of residuals ``e`` less their mean
    (dimensionless), None where they are all equal."""
    e = e - e.mean()
    den = float(e @ e)
    return float(e[:-1] @ e[1:] / den) if den > 0 else None


def _jacobian(r: FitResult) -> np.ndarray | None:
    """Jacobian (n x p, uV per parameter unit) of the branch lineshape at the best fit with
    respect to the varied parameters of ``r``: central differences (steps of 1e-4 of the width
    for fields, of the parameter's scale otherwise; the model is linear in the amplitudes and
    the background, where they are exact)."""
    d, m = r.datasets[0], r.models[0]
    names = {res: mod for mod, res in r.param_maps[0].items()}
    p = r.dataset_params()
    inputs = {k: d.meta[k] for k in m.inputs}
    scale = abs(p.get("width", 0.0)) or 1.0
    cols = []
    for k in r.varied:
        mk = names.get(k)
        if mk is None:
            return None
        h = 1e-4 * scale if mk in ("h_res", "width") else max(abs(p[mk]), 1.0) * 1e-4
        hi, lo = dict(p), dict(p)
        hi[mk] += h
        lo[mk] -= h
        cols.append((m(d.x, **hi, **inputs) - m(d.x, **lo, **inputs)) / (2 * h))
    j = np.array(cols).T
    return j if np.all(np.isfinite(j)) else None


def _apply_sigma(x: np.ndarray, rho: float) -> np.ndarray:
    """Sigma(rho) x for Sigma_ij = rho^|i - j| (x of n rows), in O(n) per column: the sum of a
    forward and a backward first-order recursion less x itself."""
    from scipy.signal import lfilter

    fwd = lfilter([1.0], [1.0, -rho], x, axis=0)
    bwd = lfilter([1.0], [1.0, -rho], x[::-1], axis=0)[::-1]
    return fwd + bwd - x


def _apply_lag(x: np.ndarray) -> np.ndarray:
    """L x for the lag-1 matrix L (1/2 on both off-diagonals)."""
    out = np.zeros_like(x)
    out[1:] += 0.5 * x[:-1]
    out[:-1] += 0.5 * x[1:]
    return out


def _sandwich(j: np.ndarray, e: np.ndarray, rho_hat: float) -> tuple[np.ndarray, float] | None:
    """The covariance of the parameters (their units squared) under first-order autoregressive
    noise, and its rho (module docstring); None where J is singular.

    With Q an orthonormal basis of the columns of J (H = Q Q^T) every trace is one of p x p
    matrices, Sigma applied by recursion (:func:`_apply_sigma`): tr((I - H) Sigma) =
    n - tr(Q^T Sigma Q) and tr((I - H) L (I - H) Sigma) = (n - 1) rho - 2 tr(Q^T L Sigma Q) +
    tr(Q^T L Q Q^T Sigma Q), O(n p) per rho where the n x n matrices took O(n^3)."""
    n = len(e)
    jtj = j.T @ j
    try:
        inv = np.linalg.inv(jtj)
    except np.linalg.LinAlgError:
        return None
    q, _ = np.linalg.qr(j)
    lq = _apply_lag(q)
    qlq = q.T @ lq

    def traces(rho):
        sq = _apply_sigma(q, rho)
        qsq = q.T @ sq
        b = n - float(np.trace(qsq))
        a = (n - 1) * rho - 2.0 * float(np.sum(lq * sq)) + float(np.sum(qlq * qsq.T))
        return a, b

    def expected(rho):
        a, b = traces(rho)
        return a / b

    if expected(RHO_MAX) <= rho_hat:
        rho = RHO_MAX
    elif expected(0.0) >= rho_hat:
        rho = 0.0
    else:                                              # expected() rises with rho
        from scipy.optimize import brentq

        rho = float(brentq(lambda r: expected(r) - rho_hat, 0.0, RHO_MAX, xtol=1e-9))
    s2 = float(e @ e) / traces(rho)[1]
    cov = s2 * inv @ (j.T @ _apply_sigma(j, rho)) @ inv
    return 0.5 * (cov + cov.T), rho


def widen_for_correlated_noise(fits: Sequence) -> list:
    """The branch fits ``fits`` (FitResults; anything else passed through), those whose
    residuals are correlated beyond :data:`RHO_SIGMAS` with the sandwich covariance of the
    module docstring (never narrower than their own, parameter by parameter), ``meta`` (that
    of the window's dataset) adding
    ``noise_lag1`` (the rho of the noise model), ``error_factor`` (the largest ratio of a
    new to an old standard error) and ``independent_stderrs`` (the old ones, by name). Fits
    with data errors (``errors_scaled`` False), without a covariance or of fewer than 10 points
    are passed through.

    Parameters
    ----------
    fits : sequence
        Branch fits (:func:`~sotfit.analysis.stfmr.branch_fit.fit_branches`' results).

    Returns
    -------
    list
        Of the same length.
    """
    from .checks import _residual_statistics

    out = list(fits)
    cand = [i for i, r in enumerate(fits)
            if isinstance(r, FitResult) and r.covar is not None and r.errors_scaled]
    stats = _residual_statistics([fits[i] for i in cand])   # all rows at once
    for idx, (rho_hat, _) in zip(cand, stats):
        r = fits[idx]
        n = len(r.datasets[0])
        if rho_hat is None or rho_hat <= max(RHO_SIGMAS / math.sqrt(n), RHO_MIN):
            continue
        e = np.asarray(r.datasets[0].y, float) - r.evaluate()
        if n > SANDWICH_POINTS_MAX:
            rho = min(rho_hat, RHO_MAX)
            got = (np.asarray(r.covar) * ((1 + rho) / (1 - rho)), rho)
        else:
            j = _jacobian(r)
            got = None if j is None else _sandwich(j, e, rho_hat)
        if got is None:
            continue
        cov, rho = got
        old = np.sqrt(np.diag(r.covar))
        new = np.sqrt(np.maximum(np.diag(cov), 0.0))
        ratio = np.where(old > 0, new / np.where(old > 0, old, 1.0), 1.0)
        if not np.all(np.isfinite(ratio)):
            continue
        # never narrower: a parameter whose error the model would shrink keeps its own
        scale = np.maximum(ratio, 1.0) / np.where(ratio > 0, ratio, 1.0)
        cov = cov * np.outer(scale, scale)
        cov.setflags(write=False)
        nominal = {k: r.value(k) for k in r.params}
        # in the window's metadata, which the fit shares and keeps when it lets go of points
        d = r.datasets[0]
        d = dataclasses.replace(d, meta={
            **d.meta, "noise_lag1": float(rho),
            "error_factor": float(np.max(np.maximum(ratio, 1.0))),
            "independent_stderrs": dict(zip(r.varied, old.tolist()))})
        out[idx] = dataclasses.replace(r, covar=cov, params=LazyParams(nominal, r.varied, cov),
                                       datasets=(d,), meta=d.meta)
    return out
