"""Bayesian layer: priors on parameters, Gaussian likelihood, emcee sampling, model comparison.

One function does the work::

    post = sample(datasets, models, priors={...}, shared=[...], nwalkers=32, nsteps=5000, seed=1)

It takes the same datasets, models and parameter options as
:func:`sotfit.fit_global` (``shared``, ``init``, ``fixed``, ``free``,
``bounds``, ``exprs``), so every :class:`~sotfit.models.spec.ModelSpec` and
every global fit can be sampled. The steps are:

1. **Least squares first.** :func:`sotfit.fit_global` finds the optimum and
   its errors; the walkers start in a small Gaussian ball around it whose
   widths are ``ball`` times the least-squares standard errors.
2. **Log-posterior.** ``log p(theta | data) = sum log prior + log L`` with the
   Gaussian likelihood ``log L = -1/2 sum [(y - f)^2 / s_i^2 + ln(2 pi s_i^2)]``,
   ``s_i = yerr_i`` or, with ``noise_scale=True``, ``s_i = k yerr_i`` with the
   scale ``k`` sampled too (prior log-uniform on [0.01, 100] unless given).
   Parameters without an explicit prior get a flat prior inside their bounds.
   Priors are frozen :mod:`scipy.stats` distributions (constructors in :mod:`sotfit.priors`).
   Tied parameters (``exprs``) are computed from the sampled ones; fixed ones stay fixed.
3. **emcee**, seeded: the ensemble sampler (differential-evolution moves by default,
   the stretch move on request) with one picklable
   log-probability object; with ``vectorize=True`` all walkers of a step are
   evaluated in one numpy call by broadcasting each model over a (walkers, points)
   grid (checked against a walker-by-walker loop once, per model; models that do
   not broadcast are looped).
4. **Diagnostics.** The integrated autocorrelation time tau of every parameter
   is estimated (emcee's ``get_autocorr_time(tol=0)``) and the chain must be at
   least ``50 tau`` long (emcee's documented rule); otherwise an
   :class:`AutocorrelationWarning` says how many steps are needed. A walker that
   accepts fewer than 1 % of its proposals (stuck) or a mean acceptance fraction
   below 0.05 also marks the chain as not converged (:class:`ConvergenceWarning`).
   :func:`chain_diagnostics` is the one place for these checks; its JSON-ready
   dict (tau, chain length over tau and effective draws per parameter,
   acceptance fractions, converged and why) is ``PosteriorResult.diagnostics``
   and goes into every summary.json. Burn-in (default ``2 max tau``) and
   thinning (default ``max(1, min tau / 2)``) are recorded in the result.
5. **Summaries**: median and 16/84 % percentiles of every parameter, as
   ``uncertainties`` values (value = median, standard deviation = half the
   16-84 % width) that keep the posterior correlation matrix.
6. **Model comparison** on the same data: AIC = 2k - 2 ln L_max and
   BIC = k ln N - 2 ln L_max with the full Gaussian log-likelihood (not lmfit's
   chi-square form, which assumes unknown errors), and WAIC (Watanabe 2010;
   Gelman, Hwang and Vehtari, Stat. Comput. 24, 997 (2014)) from the pointwise
   log-likelihood over the posterior draws. WAIC is used because it needs only
   posterior samples and, unlike AIC/BIC, counts the effective number of
   parameters the data actually constrain (parameters pinned by priors or
   degenerate combinations such as sigma_s G at small G count less than one).
   The evidence is not computed: flat priors on unbounded ranges make it
   undefined, and the ensemble sampler gives no estimate of it.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable

import numpy as np

from . import priors as _priors
from .data import Dataset, Sweep
from .models.spec import ModelSpec
from .results import FitResult, ParameterAccess, open_new

__all__ = ["sample", "PosteriorResult", "BayesError", "ConvergenceWarning",
           "AutocorrelationWarning", "PriorWarning", "LogPosterior", "chain_diagnostics",
           "compare", "summarize", "build_log_posterior", "parameter_bounds", "MIN_TAU_MULTIPLE",
           "STUCK_ACCEPTANCE", "MIN_ACCEPTANCE"]

NOISE = "noise_scale"
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
_EXPR_NS = {k: getattr(np, k) for k in (
    "sqrt", "exp", "log", "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinh", "cosh", "tanh", "abs", "pi", "e", "hypot", "minimum", "maximum")}
_EXPR_NS.update({"asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "atan2": np.arctan2,
                 "fabs": np.abs, "ln": np.log, "__builtins__": {}})


class BayesError(ValueError):
    """Input that cannot be sampled: missing errors, bad priors, too few points or walkers."""


class ConvergenceWarning(UserWarning):
    """The chain is not converged (see :func:`chain_diagnostics` for the criteria)."""


class AutocorrelationWarning(ConvergenceWarning):
    """The chain is too short compared with its autocorrelation time."""


class PriorWarning(UserWarning):
    """The priors exclude the least-squares optimum (the walkers start inside the support)."""


# ----------------------------------------------------------------------------- log-posterior

@dataclass(frozen=True, eq=False)
class LogPosterior:
    """The picklable log-probability handed to emcee.

    Calling it with a vector ``theta`` (ndim,) returns a float; with an array
    (nwalkers, ndim) it returns one value per walker (emcee's ``vectorize=True``).
    Build it with :func:`build_log_posterior` (or let :func:`sample` do it).

    Attributes
    ----------
    free : tuple of str
        Names of the sampled parameters, in ``theta`` order (``noise_scale`` last if used).
    lower, upper : ndarray
        Bounds of the sampled parameters.
    prior_dists : tuple
        A frozen scipy.stats distribution per sampled parameter, or ``None`` (flat).
    const : mapping
        Fixed parameters and their values.
    exprs : mapping
        Tied parameters: name -> expression in the other names.
    """

    free: tuple
    lower: np.ndarray
    upper: np.ndarray
    prior_dists: tuple
    const: Mapping[str, float]
    exprs: Mapping[str, str]
    funcs: tuple
    xs: tuple
    ys: tuple
    sigmas: tuple
    inputs: tuple
    maps: tuple
    noise: bool = False
    vector_ok: tuple = ()

    @property
    def ndim(self) -> int:
        return len(self.free)

    @property
    def ndata(self) -> int:
        return int(sum(len(y) for y in self.ys))

    def expand(self, theta) -> dict:
        """All parameter values (sampled, fixed, tied) for a (nwalkers, ndim) array: name -> (nwalkers,)."""
        th = np.atleast_2d(np.asarray(theta, float))
        vals = {n: th[:, i] for i, n in enumerate(self.free)}
        for n, v in self.const.items():
            vals[n] = np.full(th.shape[0], float(v))
        pending = dict(self.exprs)
        for _ in range(len(pending) + 1):
            if not pending:
                break
            for n, ex in list(pending.items()):
                try:
                    out = eval(ex, _EXPR_NS, dict(vals))  # noqa: S307 - names and numpy only
                except NameError:
                    continue
                vals[n] = np.broadcast_to(np.asarray(out, float), (th.shape[0],)).copy()
                del pending[n]
        if pending:
            raise BayesError(f"cannot evaluate the expression(s) {pending}: unknown names")
        return vals

    def log_prior(self, theta) -> np.ndarray:
        """Sum of log priors per walker; -inf outside the bounds."""
        th = np.atleast_2d(np.asarray(theta, float))
        inside = np.all((th >= self.lower) & (th <= self.upper), axis=1)
        lp = np.zeros(th.shape[0])
        with np.errstate(all="ignore"):
            for i, d in enumerate(self.prior_dists):
                if d is None:
                    continue
                if getattr(getattr(d, "dist", None), "name", "") == "uniform":
                    # flat inside [lower, upper] (the support is folded into the bounds)
                    lp = lp - math.log(d.kwds.get("scale", d.args[1] if len(d.args) > 1 else 1.0))
                else:
                    lp = lp + d.logpdf(th[:, i])
        lp[~inside] = -np.inf
        lp[~np.isfinite(lp)] = -np.inf
        return lp

    def model_values(self, theta) -> list:
        """Model predictions of each dataset: list of (nwalkers, npoints) arrays."""
        vals = self.expand(theta)
        w = next(iter(vals.values())).shape[0] if vals else 1
        out = []
        for k, (func, x, inp, pmap) in enumerate(zip(self.funcs, self.xs, self.inputs, self.maps)):
            vec = self.vector_ok[k] if self.vector_ok else False
            with np.errstate(all="ignore"):
                if vec:
                    kw = {p: vals[n][:, None] for p, n in pmap.items()}
                    y = np.broadcast_to(func(x, **kw, **inp), (w, x.size))
                else:
                    y = np.empty((w, x.size))
                    for j in range(w):
                        y[j] = func(x, **{p: float(vals[n][j]) for p, n in pmap.items()}, **inp)
            out.append(np.asarray(y, float))
        return out

    def log_like_pointwise(self, theta) -> np.ndarray:
        """Gaussian log-likelihood of every data point: (nwalkers, ndata)."""
        th = np.atleast_2d(np.asarray(theta, float))
        scale = th[:, -1][:, None] if self.noise else 1.0
        parts = []
        for y, s, m in zip(self.ys, self.sigmas, self.model_values(th)):
            sig = s[None, :] * scale
            with np.errstate(all="ignore"):
                parts.append(-0.5 * ((y[None, :] - m) / sig) ** 2 - np.log(sig)
                             - 0.5 * math.log(2 * math.pi))
        ll = np.concatenate(parts, axis=1)
        ll[~np.isfinite(ll)] = -np.inf
        return ll

    def log_likelihood(self, theta) -> np.ndarray:
        """Gaussian log-likelihood per walker."""
        return self.log_like_pointwise(theta).sum(axis=1)

    def __call__(self, theta):
        th = np.asarray(theta, float)
        single = th.ndim == 1
        th2 = np.atleast_2d(th)
        lp = self.log_prior(th2)
        ok = np.isfinite(lp)
        out = np.full(th2.shape[0], -np.inf)
        if ok.any():
            ll = self.log_likelihood(th2[ok])
            out[ok] = lp[ok] + ll
        out[~np.isfinite(out)] = -np.inf
        return float(out[0]) if single else out


def _normalise(datasets, models):
    if isinstance(datasets, Dataset):
        datasets = [datasets]
    datasets = list(datasets)
    if not datasets:
        raise BayesError("no datasets to sample")
    if isinstance(models, ModelSpec):
        models = [models] * len(datasets)
    models = list(models)
    if len(models) != len(datasets):
        raise BayesError(f"{len(models)} models for {len(datasets)} datasets")
    for d in datasets:
        if not isinstance(d, Dataset):
            raise BayesError(f"expected Dataset objects, got {type(d).__name__}")
        if d.yerr is None:
            raise BayesError(
                f"{d.source}: column {d.y_name!r} has no uncertainties; the likelihood needs "
                "them (give a stderr column, or a constant error with noise_scale=True)")
    return datasets, models


def parameter_bounds(models: Sequence[ModelSpec], maps: Sequence[Mapping[str, str]],
                     bounds: Mapping | None = None) -> dict[str, tuple[float, float]]:
    """The bounds of every parameter of a (global) fit, by result name.

    Parameters
    ----------
    models : sequence of ModelSpec
        One model per dataset.
    maps : sequence of mapping
        Per dataset ``{model parameter name: result name}`` (``FitResult.param_maps``).
    bounds : mapping, optional
        ``{name: (lo, hi)}`` overrides by result or model name, as given to
        :func:`sotfit.fit_global`.

    Returns
    -------
    dict
        ``{result name: (lo, hi)}`` in the parameter's own unit.
    """
    out = {}
    bounds = dict(bounds or {})
    for m, pmap in zip(models, maps):
        for p, n in pmap.items():
            lo, hi = m.param(p).bounds
            for key in (n, p):
                if key in bounds:
                    lo, hi = bounds[key]
                    break
            out[n] = (float(lo), float(hi))
    return out


def _vector_check(funcs, xs, inputs, maps, start: dict) -> tuple:
    """Per model: does it broadcast over a (walkers, 1) parameter grid? Checked against a loop."""
    ok = []
    for func, x, inp, pmap in zip(funcs, xs, inputs, maps):
        try:
            kw = {}
            for j, (p, n) in enumerate(pmap.items()):
                v = float(start[n])
                kw[p] = np.array([v, v * (1 + 1e-3 * (j + 1)) + 1e-9])[:, None]
            with np.errstate(all="ignore"):
                yv = np.asarray(func(x, **kw, **inp), float)
                loop = np.array([func(x, **{p: float(a[r, 0]) for p, a in kw.items()}, **inp)
                                 for r in range(2)])
            good = yv.shape == (2, x.size) and np.allclose(yv, loop, rtol=1e-12, atol=0,
                                                           equal_nan=True)
        except Exception:  # noqa: BLE001 - any failure means: loop over walkers
            good = False
        ok.append(bool(good))
    return tuple(ok)


def build_log_posterior(datasets, models, *, priors=None, shared=(), init=None, fixed=None,
                        free=(), bounds=None, exprs=None, noise_scale=False, lsq=None,
                        vectorize=True):
    """The log-posterior object and the least-squares fit it starts from.

    Arguments as :func:`sample`. Returns ``(log_posterior, lsq_result)``.
    """
    from .fitting import fit_global

    datasets, models = _normalise(datasets, models)
    shared_set = {shared} if isinstance(shared, str) else set(shared)
    if lsq is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lsq = fit_global(datasets, models, shared=shared_set, init=init, fixed=fixed,
                             free=free, bounds=bounds, exprs=exprs, warn=False,
                             scale_covar=False)
    maps = lsq.param_maps
    exprs = dict(exprs or {})
    names = list(lsq.params)
    free_names = [n for n in lsq.varied if n not in exprs]
    const = {n: lsq.value(n) for n in names if n not in free_names and n not in exprs}
    bnds = parameter_bounds(models, maps, bounds)
    prior_map = dict(priors or {})
    model_param_names = {p for pmap in maps for p in pmap}
    resolved = {}
    for key, dist in prior_map.items():
        if isinstance(dist, str):
            dist = _priors.parse(dist)
        if key == NOISE:
            if not noise_scale:
                raise BayesError("a prior on noise_scale needs noise_scale=True")
            resolved[NOISE] = dist
            continue
        targets = [key] if key in names else [n for pmap in maps for p, n in pmap.items()
                                              if p == key]
        if not targets and key not in model_param_names:
            raise BayesError(f"prior given for unknown parameter {key!r}; parameters are "
                             f"{sorted(set(names))}")
        for n in dict.fromkeys(targets):
            if n not in free_names:
                why = "tied by an expression" if n in exprs else "fixed"
                raise BayesError(f"prior given for {n!r}, which is {why}; free it or drop the prior")
            resolved[n] = dist
    lower, upper, dists = [], [], []
    sampled = list(free_names) + ([NOISE] if noise_scale else [])
    if noise_scale:
        bnds[NOISE] = (0.0, math.inf)
        resolved.setdefault(NOISE, _priors.loguniform(1e-2, 1e2))
    for n in sampled:
        lo, hi = bnds[n]
        d = resolved.get(n)
        if d is not None:
            mass = float(d.cdf(hi) - d.cdf(lo))
            if not mass > 1e-12:
                raise BayesError(
                    f"prior {_priors.describe(d)} of {n!r} puts no probability inside its "
                    f"bounds [{lo:g}, {hi:g}]")
            s_lo, s_hi = d.support()
            lo, hi = max(lo, float(s_lo)), min(hi, float(s_hi))
        lower.append(lo)
        upper.append(hi)
        dists.append(d)
    funcs = tuple(m.func for m in models)
    xs = tuple(np.asarray(d.x, float) for d in datasets)
    ys = tuple(np.asarray(d.y, float) for d in datasets)
    sig = tuple(np.asarray(d.yerr, float) for d in datasets)
    inputs = tuple({k: d.meta[k] for k in m.inputs} for m, d in zip(models, datasets))
    vec = _vector_check(funcs, xs, inputs, maps, lsq.values) if vectorize else \
        tuple(False for _ in funcs)
    lp = LogPosterior(free=tuple(sampled), lower=np.array(lower, float),
                      upper=np.array(upper, float), prior_dists=tuple(dists),
                      const=dict(const), exprs=dict(exprs), funcs=funcs,
                      xs=xs, ys=ys, sigmas=sig, inputs=inputs, maps=tuple(dict(m) for m in maps),
                      noise=bool(noise_scale), vector_ok=vec)
    return lp, lsq


# ----------------------------------------------------------------------------- results

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
            f"{min_tau_multiple:g} tau = {need} steps are needed for reliable summaries")
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


# ----------------------------------------------------------------------------- sampling

def _init_ball(logp: LogPosterior, start, err, nwalkers, ball, rng):
    """Walkers in a Gaussian ball of widths ``ball * err`` around ``start``, all with a finite
    posterior. A parameter the data barely constrain (a least-squares error far beyond its
    bounds) gets a ball of at most a tenth of its bounded range, so the walkers can start."""
    ndim = logp.ndim
    err = np.where(np.isfinite(err) & (err > 0), err, np.maximum(1e-3 * np.abs(start), 1e-8))
    span = np.asarray(logp.upper, float)[:ndim] - np.asarray(logp.lower, float)[:ndim]
    cap = np.where(np.isfinite(span), 0.1 * span / max(ball, 1e-12), np.inf)
    err = np.minimum(err, cap)
    p0 = start + ball * err * rng.standard_normal((nwalkers, ndim))
    for _ in range(500):
        bad = ~np.isfinite(logp(p0))
        if not bad.any():
            return p0
        p0[bad] = start + ball * err * rng.standard_normal((bad.sum(), ndim))
    raise BayesError("could not place the walkers around the least-squares optimum with a finite "
                     "posterior; check the priors and bounds")


class _WalkerBlocks:
    """The log-posterior of all walkers of a step, one block of walkers per task of ``pool``
    (each block evaluated by :class:`LogPosterior` as the serial run does, row by row)."""

    def __init__(self, logp: LogPosterior, pool):
        self.logp, self.pool = logp, pool

    def __call__(self, theta):
        th = np.asarray(theta, float)
        if th.ndim == 1:
            return self.logp(th)
        blocks = np.array_split(th, min(self.pool.size, th.shape[0]))
        return np.concatenate(self.pool.map(self.logp, blocks))


def sample(datasets: Sequence[Dataset] | Dataset | Sweep, models: ModelSpec | Sequence[ModelSpec],
           *, priors: Mapping | None = None, shared: Iterable[str] | str = (),
           init: Mapping | None = None, fixed=None, free: Iterable[str] = (),
           bounds: Mapping | None = None, exprs: Mapping | None = None,
           noise_scale: bool = False, nwalkers: int = 32, nsteps: int = 5000,
           burn: int | None = None, thin: int | None = None, seed: int | None = None,
           ball: float = 0.1, vectorize: bool = True, progress: bool = False,
           lsq: FitResult | None = None, waic_draws: int = 2000,
           min_tau_multiple: float = MIN_TAU_MULTIPLE, moves="de", workers: int | None = None,
           scheduler: str | None = None) -> PosteriorResult:
    """Sample the posterior of one or several datasets with emcee.

    Parameters
    ----------
    datasets, models
        As :func:`sotfit.fit_global`; every dataset needs ``yerr``.
    priors : mapping, optional
        ``{name: frozen scipy.stats distribution or text such as 'uniform(0, 100)'}``. A name
        may be a result name (``re_g_mix_2``) or a model parameter name (applies to every
        copy). Unlisted parameters have a flat prior within their bounds.
    shared, init, fixed, free, bounds, exprs
        As :func:`sotfit.fit_global`.
    noise_scale : bool
        Sample a common factor ``noise_scale`` multiplying every ``yerr``.
    nwalkers, nsteps : int
        Ensemble size (at least twice the number of sampled parameters) and chain length.
    burn, thin : int, optional
        Burn-in steps discarded and thinning; default ``2 max tau`` and ``max(1, min tau/2)``.
    seed : int, optional
        Seeds both the initial ball and emcee's random state (same seed, same chain).
    ball : float
        Width of the initial ball in units of the least-squares standard errors.
    vectorize : bool
        Evaluate all walkers of a step in one numpy call (models that do not
        broadcast are looped automatically).
    progress : bool or callable
        ``True``: emcee's progress bar; a callable is called as ``progress(done, total)``
        (steps) about a hundred times during the run (e.g. ``sotfit.cli.common.Progress``).
    lsq : FitResult, optional
        A least-squares result to start from (otherwise computed).
    waic_draws : int
        Posterior draws used for WAIC.
    min_tau_multiple : float
        The chain must be this many autocorrelation times long (emcee recommends 50).
    moves : {"de", "stretch"} or emcee move(s)
        ``"de"`` (default): differential-evolution moves, 80 % ``DEMove`` and 20 %
        ``DESnookerMove``; on the seed 003 NiFe/BiSb posterior (strongly correlated
        sigma_s, lambda_s and G) they give autocorrelation times 2-3 times shorter than
        emcee's default stretch move (``"stretch"``). Anything else is passed to
        ``emcee.EnsembleSampler(moves=...)``.
    workers : int or None
        Local worker processes evaluating the walkers of each step (None or 1: this process);
        they are started once for the whole run (:class:`sotfit.parallel.TaskPool`). Worth it
        when one evaluation of the model is slow; the walkers are split into one block per
        worker and each block is evaluated as in the serial run, so the chain is the same.
    scheduler : str or None
        Address of a running dask.distributed scheduler instead of local processes
        (``pip install sotfit[dask]``).

    Returns
    -------
    PosteriorResult

    Raises
    ------
    BayesError
        Missing uncertainties, fewer points than parameters, too few walkers, priors
        with no probability inside the bounds, burn-in longer than the chain.

    Warns
    -----
    PriorWarning
        The priors exclude the least-squares optimum; the walkers then start just inside
        the prior support.
    AutocorrelationWarning
        The chain is shorter than ``min_tau_multiple`` autocorrelation times.
    ConvergenceWarning
        Stuck walkers or a very low acceptance fraction (:func:`chain_diagnostics`).
    """
    import emcee
    from uncertainties import correlated_values, ufloat

    datasets, models = _normalise(datasets, models)
    nwalkers, nsteps = int(nwalkers), int(nsteps)
    if nsteps < 2:
        raise BayesError(f"nsteps = {nsteps}: a chain needs at least 2 steps")
    ndata = sum(len(d) for d in datasets)
    logp, lsq = build_log_posterior(datasets, models, priors=priors, shared=shared, init=init,
                                    fixed=fixed, free=free, bounds=bounds, exprs=exprs,
                                    noise_scale=noise_scale, lsq=lsq, vectorize=vectorize)
    ndim = logp.ndim
    if ndata <= ndim:
        src = ", ".join(sorted({d.source for d in datasets}))
        raise BayesError(f"{src}: {ndata} point(s) cannot determine {ndim} sampled parameter(s)")
    if nwalkers < 2 * ndim:
        raise BayesError(f"nwalkers = {nwalkers} is too few for {ndim} parameters; "
                         f"emcee needs at least {2 * ndim}")
    start = np.array([lsq.value(n) for n in logp.free if n != NOISE], float)
    err = np.array([lsq.stderr(n) for n in logp.free if n != NOISE], float)
    if noise_scale:
        start = np.append(start, max(math.sqrt(max(lsq.redchi, 1e-12)), 1e-3))
        err = np.append(err, 0.1 * start[-1])
    moved = []
    for k, (n, d) in enumerate(zip(logp.free, logp.prior_dists)):
        lo, hi = logp.lower[k], logp.upper[k]
        ok = lo <= start[k] <= hi and (d is None or np.isfinite(d.logpdf(start[k])))
        if ok:
            continue
        width = (hi - lo) if np.isfinite(hi - lo) else max(abs(start[k]), 1.0)
        new = float(np.clip(start[k], lo + 0.01 * width, hi - 0.01 * width))
        moved.append(f"{n} = {start[k]:.6g} ({_priors.describe(d)}; walkers start at {new:.6g})")
        start[k], err[k] = new, 0.01 * width / max(ball, 1e-12)
    if moved:
        warnings.warn("the least-squares optimum has zero prior probability: " + "; ".join(moved),
                      PriorWarning, stacklevel=2)
    rng = np.random.default_rng(seed)
    p0 = _init_ball(logp, start, err, nwalkers, ball, rng)
    if isinstance(moves, str):
        if moves == "de":
            moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
        elif moves == "stretch":
            moves = None
        else:
            raise BayesError(f"unknown moves {moves!r}; use 'de', 'stretch' or emcee moves")
    vec_all = True  # the LogPosterior accepts (nwalkers, ndim) and loops non-broadcasting models
    from .parallel import TaskPool

    with TaskPool(workers, scheduler) as pool:
        # emcee calls a vectorised log-probability itself (its own pool= only serves one call
        # per walker): the blocks of walkers go to the pool
        fn = logp if pool.size == 1 else _WalkerBlocks(logp, pool)
        sampler = emcee.EnsembleSampler(nwalkers, ndim, fn, vectorize=vec_all, moves=moves)
        if seed is not None:
            sampler.random_state = np.random.RandomState(seed).get_state()
        if callable(progress):
            every = max(1, nsteps // 100)
            for i, _ in enumerate(sampler.sample(p0, iterations=nsteps), start=1):
                if i % every == 0 or i == nsteps:
                    progress(i, nsteps)
        else:
            sampler.run_mcmc(p0, nsteps, progress=bool(progress))
    chain = sampler.get_chain()
    lprob = sampler.get_log_prob()
    diag = chain_diagnostics(chain, sampler.acceptance_fraction, logp.free, burn=burn,
                             min_tau_multiple=min_tau_multiple)
    tau = np.array([diag["autocorr_time"][n] for n in logp.free])
    converged, message = diag["converged"], diag["message"]
    if not converged:
        short = diag["steps_needed"] > nsteps
        warnings.warn(message, AutocorrelationWarning if short else ConvergenceWarning,
                      stacklevel=2)
    burn = diag["burn"]
    if thin is None:
        thin = max(1, int(0.5 * float(np.min(tau))))
    burn, thin = int(burn), int(thin)
    if not 0 <= burn < nsteps:
        raise BayesError(f"burn-in of {burn} steps leaves nothing of a {nsteps}-step chain")
    if thin < 1:
        raise BayesError(f"thin must be >= 1, got {thin}")
    flat = sampler.get_chain(discard=burn, thin=thin, flat=True)
    if flat.shape[0] < 2:
        raise BayesError(f"burn {burn} and thin {thin} leave fewer than 2 draws")
    full = logp.expand(flat)
    if noise_scale:
        full[NOISE] = flat[:, -1]
    # summaries
    names = list(lsq.params) + ([NOISE] if noise_scale else [])
    percentiles = {n: _summary(full[n]) for n in names}
    med = np.array([percentiles[n][1] for n in logp.free])
    half = np.array([0.5 * (percentiles[n][2] - percentiles[n][0]) for n in logp.free])
    corr = np.atleast_2d(np.corrcoef(flat.T)) if ndim > 1 else np.ones((1, 1))
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    cov = corr * np.outer(half, half)
    uvals = {}
    if np.all(half > 0):
        uvals.update(zip(logp.free, correlated_values(med, cov, tags=list(logp.free))))
    else:
        uvals.update({n: ufloat(m, h, tag=n) for n, m, h in zip(logp.free, med, half)})
    for n in names:
        if n in uvals:
            continue
        ex = logp.exprs.get(n)
        if ex is not None and ex.strip() in uvals:
            uvals[n] = uvals[ex.strip()]
        elif n in logp.exprs:
            p16, p50, p84 = percentiles[n]
            uvals[n] = ufloat(p50, 0.5 * (p84 - p16), tag=n)
        else:
            uvals[n] = float(percentiles[n][1])
    units = dict(lsq.units)
    if noise_scale:
        units[NOISE] = ""
    # information criteria
    sel = np.linspace(0, flat.shape[0] - 1, min(waic_draws, flat.shape[0])).astype(int)
    llp = logp.log_like_pointwise(flat[sel])
    from scipy.special import logsumexp

    lppd = float(np.sum(logsumexp(llp, axis=0) - math.log(llp.shape[0])))
    p_waic = float(np.sum(np.var(llp, axis=0, ddof=1))) if llp.shape[0] > 1 else float("nan")
    waic = -2.0 * (lppd - p_waic)
    ll_best_lsq = float(logp.log_likelihood(start)[0])
    imax = np.unravel_index(np.argmax(lprob), lprob.shape)
    ll_best_chain = float(logp.log_likelihood(chain[imax][None, :])[0])
    ll_max = max(ll_best_lsq, ll_best_chain, float(np.max(llp.sum(axis=1))))
    aic = 2 * ndim - 2 * ll_max
    bic = ndim * math.log(ndata) - 2 * ll_max
    prior_text = {n: _priors.describe(d) for n, d in zip(logp.free, logp.prior_dists)}
    meta = dict(lsq.meta)
    meta["vectorized_models"] = list(logp.vector_ok)
    return PosteriorResult(
        model_name=lsq.model_name, params=uvals, percentiles=percentiles, units=units,
        varied=tuple(logp.free), samples=full, chain=chain, log_prob=lprob,
        acceptance_fraction=sampler.acceptance_fraction,
        autocorr_time=dict(zip(logp.free, tau.tolist())), burn=burn, thin=thin,
        nwalkers=nwalkers, nsteps=nsteps, seed=seed, priors=prior_text, converged=converged,
        message=message, ndata=ndata, max_log_likelihood=ll_max, aic=aic, bic=bic, waic=waic,
        p_waic=p_waic, lsq=lsq, datasets=tuple(datasets), models=tuple(models),
        param_maps=lsq.param_maps, meta=meta, diagnostics=diag)


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
