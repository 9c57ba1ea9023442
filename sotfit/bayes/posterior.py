"""The log-posterior handed to emcee: priors, bounds, Gaussian likelihood, tied parameters.

``log p(theta | data) = sum log prior + log L`` with the Gaussian likelihood
``log L = -1/2 sum [(y - f)^2 / s_i^2 + ln(2 pi s_i^2)]``, ``s_i = yerr_i`` (times a
sampled ``noise_scale`` when asked).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .. import priors as _priors
from ..data import Dataset
from ..models.spec import ModelSpec
from .errors import BayesError

__all__ = ["LogPosterior", "build_log_posterior", "parameter_bounds", "NOISE"]

NOISE = "noise_scale"
_EXPR_NS = {k: getattr(np, k) for k in (
    "sqrt", "exp", "log", "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2",
    "sinh", "cosh", "tanh", "abs", "pi", "e", "hypot", "minimum", "maximum")}
_EXPR_NS.update({"asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "atan2": np.arctan2,
                 "fabs": np.abs, "ln": np.log, "__builtins__": {}})


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
    correlations: tuple = ()

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
        zs, logs = [], []
        for y, s, m in zip(self.ys, self.sigmas, self.model_values(th)):
            sig = s[None, :] * scale
            with np.errstate(all="ignore"):
                zs.append((y[None, :] - m) / sig)
            logs.append(np.log(sig) + 0.5 * math.log(2 * math.pi))
        if self.correlations:
            # correlated pairs (the field-like and damping-like values of one measurement):
            # whitened residuals, and half the log-determinant of each 2x2 block on its second
            from ..fitting import decorrelate

            zs = decorrelate(zs, self.correlations)
            for _, j, _, b, rho in self.correlations:
                logs[j] = np.broadcast_to(logs[j], (th.shape[0], len(self.ys[j]))).copy()
                logs[j][:, b] += 0.5 * np.log(1.0 - rho * rho)
        with np.errstate(all="ignore"):
            parts = [-0.5 * z ** 2 - lg for z, lg in zip(zs, logs)]
        ll = np.concatenate([np.broadcast_to(p_, (th.shape[0], p_.shape[-1])) for p_ in parts],
                            axis=1)
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


def _resolve_priors(priors, names, maps, free_names, exprs, noise_scale) -> dict:
    """``{result name: frozen distribution}`` of the priors given by result or model name
    (a model name applies to every copy); refused for unknown, fixed or tied parameters."""
    model_param_names = {p for pmap in maps for p in pmap}
    resolved = {}
    for key, dist in dict(priors or {}).items():
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
    return resolved


def _sampled_ranges(sampled, bnds, resolved) -> tuple[list, list, list]:
    """Lower and upper limits (bounds cut to each prior's support) and the prior (or None,
    flat) of every sampled parameter; a prior with no mass inside its bounds is refused."""
    lower, upper, dists = [], [], []
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
    return lower, upper, dists


def build_log_posterior(datasets, models=None, *, priors=None, shared=(), init=None,
                        fixed=None, free=(), bounds=None, exprs=None, noise_scale=False,
                        lsq=None, vectorize=True):
    """The log-posterior object and the least-squares fit it starts from.

    Arguments as :func:`sotfit.bayes.sample` (``datasets`` may be a whole
    :class:`sotfit.fitting.Problem`, whose ``priors`` are then used).

    Returns
    -------
    (LogPosterior, FitResult)
        The log-posterior and the least-squares fit (computed unless ``lsq`` is given).
    """
    from ..fitting import as_problem, fit_global

    problem = as_problem(datasets, models, BayesError, shared=shared, init=init, fixed=fixed,
                         free=free, bounds=bounds, exprs=exprs, priors=priors)
    datasets, models = _normalise(problem.datasets, problem.models)
    bounds, priors = problem.bounds, problem.priors
    if lsq is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lsq = fit_global(problem, warn=False, scale_covar=False)
    maps = lsq.param_maps
    exprs = dict(problem.exprs or {})
    names = list(lsq.params)
    free_names = [n for n in lsq.varied if n not in exprs]
    const = {n: lsq.value(n) for n in names if n not in free_names and n not in exprs}
    bnds = parameter_bounds(models, maps, bounds)
    resolved = _resolve_priors(priors, names, maps, free_names, exprs, noise_scale)
    sampled = list(free_names) + ([NOISE] if noise_scale else [])
    if noise_scale:
        bnds[NOISE] = (0.0, math.inf)
        resolved.setdefault(NOISE, _priors.loguniform(1e-2, 1e2))
    lower, upper, dists = _sampled_ranges(sampled, bnds, resolved)
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
                      noise=bool(noise_scale), vector_ok=vec,
                      correlations=tuple(problem.correlations))
    return lp, lsq
