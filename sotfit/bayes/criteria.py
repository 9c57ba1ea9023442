"""Model comparison on the same data: AIC, BIC and WAIC of posteriors."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .errors import BayesError
from .result import PosteriorResult

__all__ = ["compare", "information_criteria"]


def information_criteria(logp, flat, chain, log_prob, start, ndata: int,
                         waic_draws: int) -> dict:
    """AIC, BIC and WAIC of a posterior, with the full Gaussian log-likelihood.

    AIC = 2k - 2 ln L_max and BIC = k ln N - 2 ln L_max (k sampled parameters, N points);
    WAIC = -2 (lppd - p_waic) from the pointwise log-likelihood over up to ``waic_draws``
    evenly spaced posterior draws (Watanabe 2010; Gelman, Hwang and Vehtari, Stat.
    Comput. 24, 997 (2014)).

    Parameters
    ----------
    logp : LogPosterior
    flat : ndarray, shape (ndraws, ndim)
        Posterior draws after burn-in and thinning.
    chain : ndarray, shape (nsteps, nwalkers, ndim)
        The whole chain.
    log_prob : ndarray, shape (nsteps, nwalkers)
        Its log-posterior.
    start : ndarray, shape (ndim,)
        The least-squares start point.
    ndata : int
        Number of data points.
    waic_draws : int
        Most draws used for WAIC.

    Returns
    -------
    dict
        ``max_log_likelihood`` (the largest over the start, the best chain point and the
        WAIC draws), ``aic``, ``bic``, ``waic``, ``p_waic`` (all dimensionless).
    """
    from scipy.special import logsumexp

    sel = np.linspace(0, flat.shape[0] - 1, min(waic_draws, flat.shape[0])).astype(int)
    llp = logp.log_like_pointwise(flat[sel])
    lppd = float(np.sum(logsumexp(llp, axis=0) - math.log(llp.shape[0])))
    p_waic = float(np.sum(np.var(llp, axis=0, ddof=1))) if llp.shape[0] > 1 else float("nan")
    waic = -2.0 * (lppd - p_waic)
    ll_best_lsq = float(logp.log_likelihood(start)[0])
    imax = np.unravel_index(np.argmax(log_prob), log_prob.shape)
    ll_best_chain = float(logp.log_likelihood(chain[imax][None, :])[0])
    ll_max = max(ll_best_lsq, ll_best_chain, float(np.max(llp.sum(axis=1))))
    ndim = logp.ndim
    return {"max_log_likelihood": ll_max, "aic": 2 * ndim - 2 * ll_max,
            "bic": ndim * math.log(ndata) - 2 * ll_max, "waic": waic, "p_waic": p_waic}


def compare(results: Mapping[str, PosteriorResult] | Sequence[PosteriorResult]) -> list:
    """AIC, BIC and WAIC of several posteriors of the **same data**, best (lowest WAIC) first.

    Returns a list of dicts ``{"name","k","aic","bic","waic","p_waic","d_aic","d_bic","d_waic"}``.

    Raises
    ------
    BayesError
        If the results were not computed from identical data.
    """
    items = list(results.items()) if isinstance(results, Mapping) else [
        (r.model_name, r) for r in results]
    if len(items) < 2:
        raise BayesError("compare needs at least two results")
    ref = items[0][1]

    def key(r):
        return [(d.x.tobytes(), d.y.tobytes(), d.yerr.tobytes()) for d in r.datasets]

    for name, r in items[1:]:
        if key(r) != key(ref):
            raise BayesError(f"{name!r} was fitted to different data than {items[0][0]!r}; "
                             "information criteria only compare models on the same data")
    rows = [{"name": n, "k": len(r.varied), "aic": r.aic, "bic": r.bic, "waic": r.waic,
             "p_waic": r.p_waic} for n, r in items]
    for c in ("aic", "bic", "waic"):
        best = min(row[c] for row in rows)
        for row in rows:
            row[f"d_{c}"] = row[c] - best
    return sorted(rows, key=lambda r: r["waic"])
