"""Posterior of the global macrospin fit (method (d)) with emcee."""

from __future__ import annotations

import copy
import dataclasses
import warnings

import numpy as np
from uncertainties import ufloat

from .gates import _flag
from .names import _RESULT_NAMES
from .result import HallAnalysisError, HallResult


class _Finite:
    """A model function that returns NaN instead of raising (a walker where the macrospin has no
    equilibrium gets zero probability)."""

    def __init__(self, func):
        self.func = func

    def __call__(self, x, **kwargs):
        try:
            return self.func(x, **kwargs)
        except Exception:  # noqa: BLE001 - any failure of the model is zero probability
            return np.full(np.shape(x), np.nan)


def sample_macrospin(result: HallResult, *, nwalkers: int | None = None, nsteps: int = 2000,
                     burn: int | None = None, seed: int = 0, progress=False,
                     workers: int | None = None, scheduler: str | None = None) -> HallResult:
    """Posterior of the global macrospin fit with emcee (flat priors within the parameter bounds).

    The sampling is :func:`sotfit.bayes.sample` started from the least-squares result: Gaussian
    likelihood with the per-curve standard errors of the fit (``result`` from :func:`macrospin`,
    which must have been reweighted), walkers in a small ball around the optimum. Reported values
    are posterior medians with standard errors from the 16/84 percentiles (half their distance);
    the percentiles are in ``table``.

    Every run reports its convergence diagnostics in ``fits['diagnostics']``
    (:func:`sotfit.bayes.chain_diagnostics`: integrated autocorrelation time and chain length over
    it per parameter, effective draws, acceptance fractions, stuck walkers, converged yes/no and
    why). The quantities of a chain that is not converged (shorter than 50 autocorrelation times,
    stuck walkers, acceptance too low) are flagged (:func:`sotfit.flags.flag_mcmc`).

    Parameters
    ----------
    result : HallResult
        From :func:`macrospin`.
    nwalkers : int, optional
        Default ``max(2 ndim + 2, 16)``.
    nsteps : int
        Steps of every walker.
    burn : int, optional
        Steps discarded; default twice the largest autocorrelation time (at most half the chain).
    seed : int
    progress : bool or callable
        ``progress(done, total)`` after every step (e.g. :class:`sotfit.cli.common.Progress`), or
        ``True`` for emcee's own bar.
    workers, scheduler :
        Local processes or a dask.distributed scheduler address evaluating blocks of walkers
        at every step (:func:`sotfit.bayes.sample`); the chain is that of the serial run.

    Returns
    -------
    HallResult
        method ``'macrospin-mcmc'``; ``fits['posterior']`` is the
        :class:`~sotfit.bayes.PosteriorResult`, ``fits['chain']`` the flat chain after burn-in,
        ``fits['acceptance']`` the mean acceptance fraction.
    """
    from ...bayes import ConvergenceWarning, sample
    from ...flags import flag_mcmc

    fit = result.fits["global"]
    if any(d.yerr is None for d in fit.datasets):
        raise HallAnalysisError("sample_macrospin needs the reweighted least-squares result (standard errors)")
    ndim = len(fit.varied)
    models = [dataclasses.replace(m, func=_Finite(m.func)) for m in fit.models]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        post = sample(list(fit.datasets), models, lsq=fit, nwalkers=nwalkers or max(2 * ndim + 2, 16),
                      nsteps=nsteps, burn=burn, seed=seed, progress=progress, vectorize=False,
                      workers=workers, scheduler=scheduler)
    diag = copy.deepcopy(dict(post.diagnostics))
    notes = list(result.notes)
    flags = {}
    q, rows = {}, []
    for n in fit.varied:
        p16, p50, p84 = post.percentiles[n]
        rows.append({"name": n, "median": p50, "p16": p16, "p84": p84, "tau": diag["autocorr_time"][n],
                     "chain_over_tau": diag["chain_over_tau"][n]})
        if n in _RESULT_NAMES:
            q[_RESULT_NAMES[n]] = ufloat(p50, 0.5 * (p84 - p16), n)
    notes.append(f"MCMC: {post.nwalkers} walkers x {post.nsteps} steps (burn {post.burn}), acceptance "
                 f"{diag['acceptance_fraction']['mean']:.2f}; "
                 + ("converged: " if diag["converged"] else "NOT CONVERGED: ") + diag["message"])
    stand_in = {}
    if flag_mcmc([stand_in], diag, "MCMC of the global fit"):
        _flag(flags, list(q), stand_in["flags"][0])
    notes.extend(str(w.message) for w in caught if not issubclass(w.category, ConvergenceWarning))
    chain = np.column_stack([post.samples[n] for n in fit.varied])
    return HallResult("macrospin-mcmc", q, rows, [], notes,
                      {"chain": chain, "names": list(fit.varied), "acceptance": diag["acceptance_fraction"]["mean"],
                       "posterior": post, "diagnostics": diag}, flags)
