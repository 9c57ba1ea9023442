"""Posterior sampling of the ST-FMR global fit with :func:`sotfit.bayes.sample` (emcee)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

from .errors import STFMRError
from .records import STFMRAnalysis

__all__ = ["GLOBAL_SUMMARY_NAMES", "sample_global_fit"]

#: Shared parameters of the global fit -> their names in ``summary.json``.
GLOBAL_SUMMARY_NAMES = {"meff": "mu0_meff", "gyromagnetic_ratio": "gyromagnetic_ratio",
                        "alpha": "alpha", "linewidth_inhomogeneous": "linewidth_inhomogeneous",
                        "h_k": "h_k"}


def sample_global_fit(analysis: STFMRAnalysis, chain_path: Path, nsteps: int, seed: int | None,
                      progress: Callable | None = None, max_steps: int | None = None) -> dict:
    """Posterior sampling of the global fit with ``sotfit.bayes.sample`` (emcee).

    Flat priors within the parameter bounds; a common noise scale is sampled because the
    spectra carry no stated errors (their weights are the sequential residual rms). The chain
    is saved to ``chain_path`` (``.npz``).

    Parameters
    ----------
    analysis : STFMRAnalysis
        A frequency-scan analysis with its global fit.
    chain_path : Path
        Where the chain is written.
    nsteps : int
        Chain length (with ``max_steps``, the shortest chain).
    seed : int, optional
        Random seed.
    progress : callable, optional
        Progress display of :func:`sotfit.bayes.sample`.
    max_steps : int, optional
        Run the chain on in blocks until it is 50 autocorrelation times long with a settled
        tau, at most this long (:func:`sotfit.bayes.sampling.run_until_converged`); None: a
        chain of ``nsteps``.

    Returns
    -------
    dict
        ``converged``, ``message``, ``nsteps``, ``nwalkers``, ``burn``, the convergence
        diagnostics of :func:`sotfit.bayes.chain_diagnostics` (``diagnostics``) and the shared
        parameters as posterior medians with 16/84 percentiles (``{"value", "stderr", "unit",
        "percentiles_16_50_84"}``, units of the global fit: T, GHz/T); the parameters of a
        chain that did not converge are flagged (:mod:`sotfit.flags`).

    Raises
    ------
    STFMRError
        When the global fit was not run.
    """
    from ... import bayes
    from ...flags import flag_mcmc
    glob = analysis.global_fit
    if glob is None:
        raise STFMRError("--mcmc samples the global fit, which was not run (need at least two "
                         "frequencies and three spectra, and not --no-global)")
    problem = dataclasses.replace(glob.problem, init=glob.values)
    post = bayes.sample(problem, noise_scale=True, nwalkers=max(32, 2 * glob.nvarys + 4), nsteps=nsteps,
                        seed=seed, lsq=glob, progress=progress, max_steps=max_steps)
    from .pipeline import _correlated_noise_factor

    names = GLOBAL_SUMMARY_NAMES
    result = {"converged": bool(post.converged), "message": post.message,
              "nsteps": int(post.nsteps), "nwalkers": int(post.nwalkers), "burn": int(post.burn),
              "diagnostics": post.to_dict()["diagnostics"]}
    # the likelihood takes the points as independent: where the branch fits found their noise
    # correlated, the posterior is widened about its median by the factor the least-squares
    # route takes (the sandwich of section 5 of docs/stfmr.md, a tempered Gaussian likelihood)
    factor = _correlated_noise_factor(analysis.spectra)
    for k, name in names.items():
        if k in post.varied:
            lo, med, hi = (float(v) for v in post.percentiles[k])
            lo, hi = med - factor * (med - lo), med + factor * (hi - med)
            result[name] = {"value": post.value(k), "stderr": factor * post.stderr(k),
                            "unit": glob.units.get(k, ""), "percentiles_16_50_84": [lo, med, hi]}
    flag_mcmc([result[n] for n in names.values() if n in result], result["diagnostics"],
              "MCMC of the global fit")
    notes = _unseen_misfit_notes(analysis, result)
    if factor > 1:
        notes.insert(0, f"the posterior widths are widened by {factor:.3g} about the medians: "
                        "the lineshape likelihood takes the points as independent, and the "
                        "branch fits found their noise correlated from point to point (the "
                        "least-squares errors are widened by the same factor; docs/stfmr.md, "
                        "section 5); the chain in mcmc_chain.npz is not")
    if notes:
        result["notes"] = notes
    post.save_chain(chain_path)
    return result


def _unseen_misfit_notes(analysis: STFMRAnalysis, result: dict) -> list[str]:
    """What the posterior's widths leave out: the misfit of the resonance fields and widths to
    the Kittel and linewidth laws (reduced chi-square above 1), by which the least-squares
    errors of the global fit are inflated (Birge ratio) and which the lineshape likelihood
    does not see (the posterior width of M_eff was 0.0062 T beside the least-squares 0.0092 T,
    without a word)."""
    out = []
    for fit, keys in ((analysis.kittel, ("meff", "gyromagnetic_ratio", "h_k")),
                      (analysis.linewidth, ("alpha", "linewidth_inhomogeneous"))):
        if fit is None or not fit.redchi > 1:
            continue
        names = [GLOBAL_SUMMARY_NAMES[k] for k in keys if GLOBAL_SUMMARY_NAMES.get(k) in result]
        if names:
            out.append(f"the posterior widths of {', '.join(names)} come from the lineshape "
                       f"residuals alone: the {fit.model_name} fit of the spectra's values has "
                       f"a reduced chi-square of {fit.redchi:.3g}, which the least-squares "
                       f"errors take in (times {math.sqrt(fit.redchi):.3g}) and the posterior "
                       "does not; read its widths as lower bounds")
    return out
