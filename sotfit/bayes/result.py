"""The outcome of a posterior sampling: :class:`PosteriorResult` and posterior summaries."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable

import numpy as np

from ..results import FitResult, ParameterAccess, open_new
from .posterior import NOISE

__all__ = ["PosteriorResult", "summarize"]


def _summary(samples: np.ndarray):
    p16, p50, p84 = np.percentile(samples, [16, 50, 84])
    return float(p16), float(p50), float(p84)


def summarize(samples, unit: str = "") -> dict:
    """``{"value","stderr","unit","p16","p50","p84"}`` of a 1-D array of posterior draws.

    ``value`` is the median and ``stderr`` half the 16-84 % width.
    """
    s = np.asarray(samples, float).ravel()
    p16, p50, p84 = _summary(s)
    return {"value": p50, "stderr": 0.5 * (p84 - p16), "unit": unit, "p16": p16, "p50": p50,
            "p84": p84}


@dataclass(frozen=True, eq=False)
class PosteriorResult(ParameterAccess):
    """The outcome of :func:`sample`: posterior draws, summaries and diagnostics (immutable).

    Attributes
    ----------
    model_name : str
        Model name(s), ``'+'``-joined.
    params : mapping of str to uncertainties value (or float for fixed parameters)
        Posterior median with standard deviation = half the 16-84 % width; the
        sampled parameters are correlated with the posterior correlation matrix.
    percentiles : mapping of str to (p16, p50, p84)
    units : mapping of str to str
    varied : tuple of str
        The sampled parameters (``noise_scale`` last when used).
    samples : mapping of str to ndarray
        Draws after burn-in and thinning, for every parameter (fixed and tied too).
    chain : ndarray
        The whole chain (nsteps, nwalkers, ndim), before burn-in and thinning.
    log_prob : ndarray
        Log-posterior of the whole chain (nsteps, nwalkers).
    acceptance_fraction : ndarray
        Per walker.
    autocorr_time : mapping of str to float
        Integrated autocorrelation time of each sampled parameter, in steps.
    burn, thin, nwalkers, nsteps : int
    seed : int or None
    priors : mapping of str to str
        The prior of each sampled parameter in words.
    converged : bool
        Whether the chain passed :func:`chain_diagnostics` (at least 50 autocorrelation
        times long, no stuck walker, mean acceptance fraction at least 0.05).
    message : str
        Why not (or how many autocorrelation times long the chain is).
    ndata : int
    max_log_likelihood, aic, bic, waic, p_waic : float
        Information criteria (see the module docstring).
    lsq : FitResult
        The least-squares fit the walkers started from.
    datasets, models, param_maps, meta
        What was sampled.
    diagnostics : mapping
        The output of :func:`chain_diagnostics` (JSON-ready).
    """

    model_name: str
    params: Mapping[str, Any]
    percentiles: Mapping[str, tuple]
    units: Mapping[str, str]
    varied: tuple
    samples: Mapping[str, np.ndarray]
    chain: np.ndarray
    log_prob: np.ndarray
    acceptance_fraction: np.ndarray
    autocorr_time: Mapping[str, float]
    burn: int
    thin: int
    nwalkers: int
    nsteps: int
    seed: int | None
    priors: Mapping[str, str]
    converged: bool
    message: str
    ndata: int
    max_log_likelihood: float
    aic: float
    bic: float
    waic: float
    p_waic: float
    lsq: FitResult
    datasets: tuple
    models: tuple
    param_maps: tuple
    meta: Mapping[str, Any] = field(default_factory=dict)
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        for name in ("params", "percentiles", "units", "autocorr_time", "priors", "meta",
                     "diagnostics"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        frozen = {}
        for k, v in self.samples.items():
            a = np.array(v, float)
            a.setflags(write=False)
            frozen[k] = a
        object.__setattr__(self, "samples", MappingProxyType(frozen))
        for name in ("chain", "log_prob", "acceptance_fraction"):
            a = np.array(getattr(self, name), float)
            a.setflags(write=False)
            object.__setattr__(self, name, a)

    @property
    def nsamples(self) -> int:
        return int(next(iter(self.samples.values())).size)

    def dataset_params(self, i: int = 0, draw: int | None = None) -> dict:
        """Model parameters of dataset ``i``: medians, or those of posterior draw ``draw``."""
        if draw is None:
            return {k: self.value(v) for k, v in self.param_maps[i].items()}
        return {k: float(self.samples[v][draw]) for k, v in self.param_maps[i].items()}

    def evaluate(self, x=None, i: int = 0) -> np.ndarray:
        """Model of dataset ``i`` at the posterior medians (at ``x``, default its own x)."""
        d, m = self.datasets[i], self.models[i]
        xx = d.x if x is None else np.asarray(x, float)
        return m(xx, **self.dataset_params(i), **{k: d.meta[k] for k in m.inputs})

    def predictive(self, x=None, i: int = 0, ndraws: int = 500, seed: int | None = 0,
                   noise: bool = False) -> np.ndarray:
        """Posterior-predictive draws of dataset ``i``'s model: (ndraws, len(x)).

        With ``noise=True`` Gaussian noise with the data errors (interpolated in x,
        times ``noise_scale`` if sampled) is added: the spread of new measurements.
        """
        d, m = self.datasets[i], self.models[i]
        xx = d.x if x is None else np.asarray(x, float)
        rng = np.random.default_rng(seed)
        idx = rng.choice(self.nsamples, size=min(ndraws, self.nsamples), replace=False)
        inp = {k: d.meta[k] for k in m.inputs}
        out = np.array([m(xx, **self.dataset_params(i, int(j)), **inp) for j in idx])
        if noise:
            order = np.argsort(d.x)
            err = np.interp(xx, d.x[order], d.yerr[order])
            if NOISE in self.samples:
                err = err[None, :] * self.samples[NOISE][idx][:, None]
            out = out + rng.standard_normal(out.shape) * err
        return out

    def band(self, x=None, i: int = 0, q=(2.5, 16, 50, 84, 97.5), **kwargs) -> np.ndarray:
        """Percentiles ``q`` of the posterior predictive at ``x``: (len(q), len(x))."""
        return np.percentile(self.predictive(x, i, **kwargs), q, axis=0)

    def derived(self, func: Callable, unit: str = "") -> dict:
        """Summary of a derived quantity ``func(samples_dict) -> array`` over all draws."""
        vals = np.asarray(func({k: v for k, v in self.samples.items()}), float)
        return summarize(vals, unit)

    def correlation(self) -> np.ndarray:
        """Posterior correlation matrix of the sampled parameters (``varied`` order)."""
        return np.corrcoef(np.array([self.samples[n] for n in self.varied]))

    def to_dict(self) -> dict:
        """JSON-ready: parameters as ``{"value","stderr","unit","p16","p50","p84"}`` plus diagnostics."""
        params = {}
        for k in self.params:
            p16, p50, p84 = self.percentiles[k]
            params[k] = {"value": self.value(k), "stderr": self.stderr(k),
                         "unit": self.units.get(k, ""), "p16": p16, "p50": p50, "p84": p84}
        return {
            "model": self.model_name, "method": "emcee",
            "nwalkers": self.nwalkers, "nsteps": self.nsteps, "burn": self.burn,
            "thin": self.thin, "seed": self.seed, "nsamples": self.nsamples,
            "acceptance_fraction": float(np.mean(self.acceptance_fraction)),
            "autocorr_time": {k: float(v) for k, v in self.autocorr_time.items()},
            "converged": bool(self.converged), "message": self.message,
            "diagnostics": copy.deepcopy(dict(self.diagnostics)),
            "priors": dict(self.priors), "ndata": self.ndata,
            "max_log_likelihood": self.max_log_likelihood, "aic": self.aic, "bic": self.bic,
            "waic": self.waic, "p_waic": self.p_waic, "parameters": params,
        }

    def report(self) -> str:
        """Human-readable table of the posterior."""
        lines = [f"{self.model_name}: {self.ndata} points, {len(self.varied)} sampled, "
                 f"{self.nwalkers} walkers x {self.nsteps} steps (burn {self.burn}, thin "
                 f"{self.thin}), acceptance {np.mean(self.acceptance_fraction):.2f}"
                 + ("" if self.converged else
                    ("  [CHAIN TOO SHORT: " if self.diagnostics.get("steps_needed", 0) > self.nsteps
                     else "  [NOT CONVERGED: ") + self.message + "]")]
        for k in self.params:
            p16, p50, p84 = self.percentiles[k]
            tag = "" if k in self.varied else " (fixed/tied)"
            lines.append(f"  {k:>24s} = {p50:.6g} (+{p84 - p50:.2g} / -{p50 - p16:.2g}) "
                         f"{self.units.get(k, '')}{tag}")
        lines.append(f"  AIC {self.aic:.2f}  BIC {self.bic:.2f}  WAIC {self.waic:.2f}")
        return "\n".join(lines)

    def save_chain(self, path, overwrite: bool = False) -> Path:
        """Write the chain, log-probabilities and flat draws to a compressed ``.npz``."""
        with open_new(path, overwrite, mode="wb") as fh:
            np.savez_compressed(
                fh, chain=self.chain, log_prob=self.log_prob,
                names=np.array(self.varied), burn=self.burn, thin=self.thin,
                **{f"draws_{k}": v for k, v in self.samples.items()})
        return Path(path)

    def __repr__(self) -> str:
        return f"<PosteriorResult {self.model_name}: " + ", ".join(
            f"{k}={self.value(k):.4g}" for k in self.varied[:6]) + ">"
