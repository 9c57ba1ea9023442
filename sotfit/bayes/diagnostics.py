"""Convergence diagnostics of an ensemble chain, the same for every pipeline."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["chain_diagnostics", "MIN_TAU_MULTIPLE", "STUCK_ACCEPTANCE", "MIN_ACCEPTANCE"]

#: A chain must be this many integrated autocorrelation times long (emcee's documented rule;
#: shorter chains give unreliable tau estimates and percentiles).
MIN_TAU_MULTIPLE = 50.0
#: A walker that accepted less than this fraction of its proposals is stuck (typically in a
#: secondary mode or against a bound): it adds almost no independent draws.
STUCK_ACCEPTANCE = 0.01
#: Below this mean acceptance fraction the ensemble barely moves (emcee's documentation
#: expects 0.2-0.5 for a well-tuned sampler; the differential-evolution moves give 0.15 on
#: the NiFe/BiSb posterior).
MIN_ACCEPTANCE = 0.05


def chain_diagnostics(chain, acceptance_fraction, names: Sequence[str], *, burn: int | None = None,
                      min_tau_multiple: float = MIN_TAU_MULTIPLE,
                      stuck_acceptance: float = STUCK_ACCEPTANCE,
                      min_acceptance: float = MIN_ACCEPTANCE) -> dict:
    """Convergence diagnostics of an ensemble chain, the same for every pipeline.

    Parameters
    ----------
    chain : ndarray, shape (nsteps, nwalkers, ndim)
        The whole chain (before burn-in and thinning), as ``emcee``'s ``get_chain()``.
    acceptance_fraction : array_like, shape (nwalkers,)
        Fraction of accepted proposals of each walker (dimensionless).
    names : sequence of str
        Parameter names in the chain's last axis.
    burn : int, optional
        Burn-in steps discarded for the summaries; default ``2 max tau``, at most half the
        chain.
    min_tau_multiple : float
        The chain must be at least this many autocorrelation times long.
    stuck_acceptance : float
        A walker accepting less than this fraction of its proposals counts as stuck.
    min_acceptance : float
        The mean acceptance fraction must reach this.

    Returns
    -------
    dict
        JSON-ready: ``nsteps``, ``nwalkers``; ``autocorr_time`` (integrated autocorrelation
        time tau of each parameter in steps, emcee's ``integrated_time(tol=0)``; a parameter
        whose tau cannot be estimated gets ``nsteps``); ``chain_over_tau`` (nsteps / tau per
        parameter); ``burn`` (steps); ``effective_samples`` (independent draws after the
        burn-in, nwalkers (nsteps - burn) / tau per parameter);
        ``min_tau_multiple``, ``steps_needed`` (min_tau_multiple x max tau);
        ``acceptance_fraction`` (``mean``, ``min``, ``max`` over walkers);
        ``stuck_walkers`` (how many accepted less than ``stuck_acceptance``);
        ``converged`` (bool), ``reasons`` (why not, empty when converged) and ``message``.

    Notes
    -----
    Converged means: the chain is at least ``min_tau_multiple`` tau long for every parameter
    (emcee, "Autocorrelation analysis & convergence"), no walker is stuck and the mean
    acceptance fraction is at least ``min_acceptance``. None of these proves convergence;
    failing any of them means the percentiles are not reliable.
    """
    from emcee.autocorr import integrated_time

    chain = np.asarray(chain, float)
    nsteps, nwalkers = chain.shape[0], chain.shape[1]
    names = list(names)
    tau = np.asarray(integrated_time(chain, tol=0, quiet=True), float)
    tau = np.where(np.isfinite(tau) & (tau > 0), tau, float(nsteps))
    tau_max = float(np.max(tau))
    need = int(math.ceil(min_tau_multiple * tau_max))
    worst = names[int(np.argmax(tau))]
    acc = np.asarray(acceptance_fraction, float)
    stuck = int(np.sum(acc < stuck_acceptance))
    reasons = []
    if nsteps < need:
        reasons.append(
            f"the chain of {nsteps} steps is only {nsteps / tau_max:.1f} autocorrelation "
            f"times long (tau = {tau_max:.1f} steps for {worst!r}); at least "
            f"{min_tau_multiple:g} tau = {need} steps are needed for reliable summaries (a tau "
            "estimated from a chain this short is itself uncertain and mostly too small: check "
            "again after the longer run)")
    if stuck:
        reasons.append(f"{stuck} of {nwalkers} walkers are stuck (acceptance fraction below "
                       f"{stuck_acceptance:g}, lowest {float(np.min(acc)):.3g}): they may sit "
                       "in a secondary mode or against a bound")
    if float(np.mean(acc)) < min_acceptance:
        reasons.append(f"mean acceptance fraction {float(np.mean(acc)):.3g} is below "
                       f"{min_acceptance:g}: the walkers barely move")
    converged = not reasons
    message = (f"chain is {nsteps / tau_max:.0f} autocorrelation times long" if converged
               else "; ".join(reasons))
    if burn is None:
        burn = min(int(math.ceil(2 * tau_max)), nsteps // 2)
    kept = max(nsteps - int(burn), 0)
    return {
        "nsteps": int(nsteps), "nwalkers": int(nwalkers), "burn": int(burn),
        "autocorr_time": {n: float(t) for n, t in zip(names, tau)},
        "autocorr_time_unit": "steps",
        "chain_over_tau": {n: float(nsteps / t) for n, t in zip(names, tau)},
        "effective_samples": {n: float(nwalkers * kept / t) for n, t in zip(names, tau)},
        "min_tau_multiple": float(min_tau_multiple), "steps_needed": need,
        "acceptance_fraction": {"mean": float(np.mean(acc)), "min": float(np.min(acc)),
                                "max": float(np.max(acc))},
        "stuck_walkers": stuck, "converged": bool(converged), "reasons": reasons,
        "message": message,
    }
