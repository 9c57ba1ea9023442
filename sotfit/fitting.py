"""Least-squares fitting of :class:`~sotfit.models.spec.ModelSpec` models with lmfit.

Three functions cover every case:

* :func:`fit` -- one dataset, one model;
* :func:`fit_sweep` -- the same model fitted to each dataset of a sweep
  (optionally in parallel through any ``concurrent.futures.Executor``),
  giving a :class:`~sotfit.results.ResultTable`;
* :func:`fit_global` -- several datasets at once, sharing the parameters named
  in ``shared`` and keeping the others per dataset (suffix ``_<i>``).

Weights: when a dataset has ``yerr`` the residuals are divided by it and the
covariance is *not* rescaled (``scale_covar=False``, so the errors follow
from the stated uncertainties); without ``yerr`` the errors are rescaled by the
reduced chi-square, i.e. estimated from the scatter of the residuals. The
result records which was done (``FitResult.errors_scaled``).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from .data import Dataset, Sweep
from .models.spec import ModelError, ModelSpec
from .results import FitResult, ResultTable

__all__ = ["fit", "fit_sweep", "fit_global", "Problem", "as_problem", "FitWarning", "FitError",
           "decorrelate"]


class FitWarning(UserWarning):
    """A fit that did not converge, or whose uncertainties could not be estimated."""


class FitError(RuntimeError):
    """A fit that cannot be attempted (too few points, bad starting values)."""


def _as_set(fixed) -> tuple[dict, set]:
    if fixed is None:
        return {}, set()
    if isinstance(fixed, Mapping):
        return dict(fixed), set(fixed)
    if isinstance(fixed, str):
        return {}, {fixed}
    return {}, set(fixed)


def _check_names(models, n_datasets: int, **given) -> None:
    """Refuse parameter names in ``fixed``, ``init``, ``bounds``, ``free`` or ``shared`` that
    no model has (a misspelt name was ignored: a parameter meant to be held was fitted).
    Per-dataset names of a global fit (``h_res_0``) count as known."""
    base = list(dict.fromkeys(p.name for m in models for p in m.params))
    known = set(base) | {f"{n}_{i}" for n in base for i in range(n_datasets)}
    for option, names in given.items():
        names = [names] if isinstance(names, str) else list(names or ())
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ModelError(
                f"{option} names {', '.join(map(repr, unknown))}, not a parameter of "
                f"{' + '.join(dict.fromkeys(m.name for m in models))}; its parameters are "
                f"{', '.join(base)}")


def _build_params(models, datasets, shared, init, fixed, free, bounds, exprs, use_guess):
    """lmfit Parameters for a (possibly global) fit, and per-dataset name maps."""
    from lmfit import Parameters

    fixed_values, fixed_names = _as_set(fixed)
    init = dict(init or {})
    bounds = dict(bounds or {})
    exprs = dict(exprs or {})
    _check_names(models, len(datasets), fixed=fixed_names, init=init, bounds=bounds, free=free,
                 shared=shared)
    params = Parameters()
    maps = []
    single = len(datasets) == 1
    starts = []
    for model, d in zip(models, datasets):
        inputs = {k: d.meta[k] for k in model.inputs}
        try:
            start = model.initial(d.x, d.y, inputs) if use_guess else model.defaults()
        except Exception as exc:  # a guess failing should name the data
            raise FitError(f"{d.source}: automatic starting values for {model.name!r} failed: {exc}") from exc
        starts.append(start)
    for i, (model, d, start) in enumerate(zip(models, datasets, starts)):
        pmap = {}
        for p in model.params:
            name = p.name if (single or p.name in shared) else f"{p.name}_{i}"
            pmap[p.name] = name
            if name in params:
                continue
            value = start[p.name]
            for key in (name, p.name):
                if key in init:
                    value = float(init[key])
                    break
            vary = p.vary or p.name in free or name in free
            for key in (name, p.name):
                if key in fixed_names:
                    vary = False
                    if key in fixed_values:
                        value = float(fixed_values[key])
                    break
            lo, hi = p.bounds
            for key in (name, p.name):
                if key in bounds:
                    lo, hi = bounds[key]
                    break
            if not np.isfinite(value):
                raise FitError(f"{d.source}: starting value of {name!r} is not finite")
            if p.ask and not vary and p.name not in fixed_values and name not in fixed_values \
                    and p.name not in init and name not in init:
                warnings.warn(f"{name!r} held at its default {value:g} {p.unit}: {p.ask}",
                              FitWarning, stacklevel=4)
            if not vary and not (lo <= value <= hi):
                raise FitError(
                    f"{name!r} is held at {value:g} {p.unit}, outside its bounds [{lo:g}, {hi:g}] "
                    f"{p.unit} (lmfit would hold it at the bound instead): give it in {p.unit} "
                    f"(in Python, bounds={{{p.name!r}: (lo, hi)}} widens them)")
            if vary and not (lo <= value <= hi):
                value = float(np.clip(value, lo, hi))
            params.add(name, value=value, min=lo, max=hi, vary=vary)
        maps.append(pmap)
    for key, ex in exprs.items():
        if key not in params:
            raise ModelError(f"expression given for unknown parameter {key!r}; have {list(params)}")
        params[key].set(expr=ex)
    return params, maps


def _residual(params, models, datasets, maps, weighted, correlations=()):
    v = params.valuesdict()
    out = []
    for model, d, pmap, w in zip(models, datasets, maps, weighted):
        inputs = {k: d.meta[k] for k in model.inputs}
        y = model.func(d.x, **{k: v[n] for k, n in pmap.items()}, **inputs)
        r = y - d.y
        if w:
            r = r / d.yerr
        out.append(r)
    if correlations:
        out = decorrelate(out, correlations)
    return np.concatenate(out)


@dataclass(frozen=True, eq=False)
class Problem:
    """What a global fit is: the data, the models and the options that tie their parameters.

    :func:`fit_global` and :func:`sotfit.bayes.sample` take it as their first argument
    (``fit_global(problem)`` is ``fit_global(datasets, models, shared=..., ...)`` with the
    fields as keywords), and every :class:`~sotfit.results.FitResult` carries the problem it
    came from (``result.problem``).

    Parameters
    ----------
    datasets : Dataset, sequence of Dataset or Sweep
        The data, stored as a tuple. Each dataset's ``meta`` supplies the models' ``inputs``.
    models : ModelSpec or sequence of ModelSpec
        One model for all datasets, or one per dataset; stored as one per dataset.
    shared : str or iterable of str
        Parameter names shared by all datasets; every other parameter gets one copy per
        dataset, named ``<name>_<i>``.
    fixed : mapping or iterable of str, optional
        Parameters held fixed (at the given value, in the parameter's own unit, or at their
        start value).
    free : iterable of str
        Parameters to vary that the models hold fixed by default.
    exprs : mapping, optional
        ``{name: lmfit expression}`` tying parameters together.
    bounds : mapping, optional
        ``{name: (lo, hi)}`` in the parameter's own unit, replacing the model's bounds.
    init : mapping, optional
        Starting values by name, in the parameter's own unit.
    priors : mapping, optional
        ``{name: frozen scipy.stats distribution or text}`` for :func:`sotfit.bayes.sample`
        (in the parameter's own unit); least squares ignores them.
    correlations : sequence of (i, j, idx_i, idx_j, rho), optional
        Correlated errors between points of two datasets: point ``idx_i[k]`` of dataset ``i``
        and point ``idx_j[k]`` of dataset ``j`` have the correlation ``rho[k]`` (the field-like
        and damping-like values of one measurement). Least squares and the likelihood then
        weigh the pairs by their 2x2 covariance (:func:`decorrelate`), not as independent.
    """

    datasets: Any
    models: Any
    shared: Any = ()
    fixed: Any = None
    free: Any = ()
    exprs: Mapping | None = None
    bounds: Mapping | None = None
    init: Mapping | None = None
    priors: Mapping | None = None
    correlations: Any = ()

    def __post_init__(self):
        datasets = (self.datasets,) if isinstance(self.datasets, Dataset) else tuple(self.datasets)
        models = self.models
        if models is None:
            raise TypeError("a Problem needs models: one ModelSpec, or one per dataset")
        models = (models,) * len(datasets) if isinstance(models, ModelSpec) else tuple(models)
        fixed = self.fixed
        if fixed is not None and not isinstance(fixed, (Mapping, str)):
            fixed = tuple(fixed)
        normal = {"datasets": datasets, "models": models,
                  "shared": (self.shared,) if isinstance(self.shared, str) else tuple(self.shared),
                  "fixed": dict(fixed) if isinstance(fixed, Mapping) else fixed,
                  "free": (self.free,) if isinstance(self.free, str) else tuple(self.free)}
        for name in ("exprs", "bounds", "init", "priors"):
            value = getattr(self, name)
            normal[name] = None if value is None else dict(value)
        normal["correlations"] = _normal_correlations(self.correlations, datasets)
        for name, value in normal.items():
            object.__setattr__(self, name, value)

    def fit_options(self) -> dict:
        """The fields as the keywords of :func:`fit_global` (all but ``priors``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(Problem)
                if f.name != "priors"}

    def replace(self, **changes) -> "Problem":
        """A copy with some fields changed (:func:`dataclasses.replace`)."""
        return dataclasses.replace(self, **changes)


_PROBLEM_DEFAULTS = {"models": None, "shared": (), "init": None, "fixed": None, "free": (),
                     "bounds": None, "exprs": None, "priors": None, "correlations": ()}


def _normal_correlations(correlations, datasets) -> tuple:
    """``correlations`` as a tuple of ``(i, j, idx_i, idx_j, rho)`` with integer index arrays
    and a float array; indices and correlations out of range are errors."""
    out = []
    for entry in correlations or ():
        i, j, a, b, rho = entry
        a, b = np.asarray(a, int), np.asarray(b, int)
        rho = np.broadcast_to(np.asarray(rho, float), a.shape).copy()
        if not (0 <= i < len(datasets) and 0 <= j < len(datasets)) or i == j:
            raise ValueError(f"correlations: datasets {i} and {j} are not two of the "
                             f"{len(datasets)} datasets")
        if a.shape != b.shape or (a.size and (a.max() >= len(datasets[i].x)
                                               or b.max() >= len(datasets[j].x))):
            raise ValueError(f"correlations: point indices out of range for datasets {i}, {j}")
        if np.any(~np.isfinite(rho)) or np.any(np.abs(rho) >= 1):
            raise ValueError(f"correlations: correlations of datasets {i}, {j} must lie in "
                             "(-1, 1)")
        out.append((int(i), int(j), a, b, rho))
    return tuple(out)


def decorrelate(residuals: list, correlations) -> list:
    """Residuals in units of their errors (one array per dataset, points on the last axis) made
    independent: for each correlated pair (r_i, r_j) with correlation rho, r_j becomes
    (r_j - rho r_i) / sqrt(1 - rho^2), the Cholesky whitening of their 2x2 covariance, so that
    the sum of squares is the generalised chi-square r^T C^-1 r. A new list; the arrays of the
    datasets ``j`` are copies."""
    out = list(residuals)
    for i, j, a, b, rho in correlations:
        rj = np.array(out[j], dtype=float, copy=True)
        rj[..., b] = (rj[..., b] - rho * np.asarray(out[i])[..., a]) / np.sqrt(1.0 - rho * rho)
        out[j] = rj
    return out


def as_problem(datasets, models, error: type[Exception] = TypeError, **options) -> Problem:
    """A :class:`Problem` from either a Problem (``datasets``) or the keyword form.

    Parameters
    ----------
    datasets : Problem, Dataset, sequence of Dataset or Sweep
        A whole problem, or its data.
    models : ModelSpec, sequence of ModelSpec or None
        The models (None when ``datasets`` is a Problem).
    error : exception class
        Raised when a Problem is given together with its fields as keywords.
    **options
        The other fields of :class:`Problem` (``shared``, ``fixed``, ...).

    Returns
    -------
    Problem
    """
    if not isinstance(datasets, Problem):
        return Problem(datasets, models, **options)
    given = [k for k, v in {"models": models, **options}.items()
             if not _is_default(v, _PROBLEM_DEFAULTS[k])]
    if given:
        raise error(f"{', '.join(given)} given beside a Problem: set them in the Problem "
                    "(problem.replace(...))")
    return datasets


def _is_default(value, default) -> bool:
    """Whether a keyword was left at its default (an empty list or set counts as ``()``)."""
    if value is default:
        return True
    return default == () and isinstance(value, (list, tuple, set, frozenset)) and not value


def _unit_key(unit: str) -> str:
    """A unit's canonical spelling (:func:`sotfit.units.normalise_unit`: micro signs, Ohm,
    spaces), or the unit as written when sotfit does not know it."""
    from .units import UnitError, normalise_unit

    try:
        return normalise_unit(unit)
    except UnitError:
        return unit.replace(" ", "")


def _check_models(problem: Problem) -> tuple[list, list]:
    """The datasets and models of ``problem`` as lists, refused when they cannot be fitted
    (none, a count mismatch, x outside a model's domain, units other than the model's,
    missing metadata)."""
    datasets, models = list(problem.datasets), list(problem.models)
    if not datasets:
        raise FitError("no datasets to fit")
    if len(models) != len(datasets):
        raise FitError(f"{len(models)} models for {len(datasets)} datasets")
    for m, d in zip(models, datasets):
        if len(d) == 0:
            raise FitError(f"{d.source}: the dataset holds no points")
        try:
            m.check_domain(d.x, d.source)
        except ModelError as e:
            raise FitError(str(e)) from None
        for axis in ("x", "y"):
            have, want = getattr(d, f"{axis}_unit"), getattr(m, f"{axis}_unit")
            if have and want and _unit_key(have) != _unit_key(want):
                raise FitError(
                    f"{d.source}: {axis} is in {have}, but model {m.name!r} takes "
                    f"{getattr(m, f'{axis}_name')} in {want}: convert the dataset's {axis} "
                    f"to {want} (the fit would otherwise read the numbers as {want})")
        missing = [k for k in m.inputs if k not in d.meta]
        if missing:
            raise FitError(f"{d.source}: model {m.name!r} needs metadata {missing} "
                           f"(e.g. the frequency of the spectrum), which the dataset lacks")
    return datasets, models


def _sources(datasets) -> str:
    return ", ".join(sorted({d.source for d in datasets}))


def _minimise(params, models, datasets, maps, weighted, scale_covar, method, max_nfev,
              correlations=()):
    """Run lmfit; a run stopped by ``max_nfev`` is moved to its lowest-chi-square evaluation
    (lmfit leaves the last evaluated point, which may be a finite-difference or trial step)."""
    import lmfit
    from lmfit.minimizer import AbortFitException

    # The evaluation limit is kept here, not by lmfit: at its own limit lmfit aborts the solver
    # and afterwards reads the solver's point through an array that SciPy's C MINPACK (1.15 and
    # later) has freed by then (a crash, or a point never evaluated). Stopping at the limit here
    # keeps a copy of that point first; lmfit's limit is set beyond and never reached.
    kws = {} if max_nfev is None else {"max_nfev": 2 * max_nfev + 10}
    calls = {"n": 0, "stopped": False}
    best: list = []  # (chi-square, values) of the best evaluation, for a run stopped early

    def keep_best(p, _iteration, resid, *_args, **_kws):
        chi2 = float(np.dot(resid, resid))
        if np.isfinite(chi2) and (not best or chi2 < best[0][0]):
            best[:] = [(chi2, p.valuesdict())]

    invalid: list = []      # the (last) trial points at which the model was not finite

    def residual(p, *args):
        """The residual; a trial point where the model is not finite (a step of the optimiser
        into a region the model does not cover) gets a residual far above any finite one, so
        that the step is rejected, as an optimiser rejects any step that makes the fit worse."""
        if max_nfev is not None and not calls["stopped"]:
            calls["n"] += 1
            if calls["n"] > max_nfev + _PREFIT_CALLS:
                calls["stopped"] = True
                result = mini.result
                result.last_internal_values = np.array(result.last_internal_values, copy=True)
                result.aborted = True
                raise AbortFitException(f"number of function evaluations > {max_nfev}")
        r = _residual(p, *args)
        bad = ~np.isfinite(r)
        if bad.any():
            invalid.append(p.valuesdict())
            del invalid[:-_INVALID_KEPT]
            finite = np.abs(r[~bad])
            r = np.where(bad, 1e6 * (1.0 + (finite.max() if finite.size else 0.0)), r)
        return r

    mini = lmfit.Minimizer(residual, params,
                           fcn_args=(models, datasets, maps, weighted, correlations),
                           scale_covar=scale_covar, nan_policy="raise", iter_cb=keep_best, **kws)
    try:
        out = mini.minimize(method=method)
    except ValueError as exc:
        raise FitError(f"{_sources(datasets)}: model {models[0].name!r} produced invalid values "
                       f"during the fit ({exc})") from exc
    if getattr(out, "aborted", False) and best:
        for k, v in best[0][1].items():
            if out.params[k].vary and not out.params[k].expr:
                out.params[k].value = v
        out.params.update_constraints()
        out.residual = _residual(out.params, models, datasets, maps, weighted, correlations)
        out.chisqr = float(np.dot(out.residual, out.residual))
        out.redchi = out.chisqr / max(out.nfree, 1)
    if invalid and not np.all(np.isfinite(_residual(out.params, models, datasets, maps,
                                                    weighted, correlations))):
        raise FitError(f"{_sources(datasets)}: model {models[0].name!r} produced invalid values "
                       "(not finite) at the fitted parameters; first met during the fit at "
                       f"{ {k: round(v, 6) for k, v in invalid[0].items()} }")
    if invalid and _next_to(out, invalid):
        # the optimiser ended against the edge of the model's domain, its last steps rejected
        # there: the covariance it reports is then meaningless (far too small), as for a
        # parameter held at a bound
        out.errorbars, out.covar = False, None
        for par in out.params.values():
            par.stderr, par.correl = None, None
        out.message = (f"{out.message}; the fit is held at the edge of the model's domain (the "
                       "model is not finite just beyond the fitted point): no uncertainties")
    elif invalid:
        out.message = (f"{out.message}; {len(invalid)} trial point(s) where the model is not "
                       "finite were rejected")
    return out


#: Evaluations of the residual lmfit makes before the solver starts (its checks of the start).
_PREFIT_CALLS = 2

#: Trial points outside the model's domain remembered by a fit (the last ones are kept).
_INVALID_KEPT = 1000


def _next_to(out, points, rel: float = 1e-3) -> bool:
    """Whether any of ``points`` (parameter dicts) lies within ``rel`` of each fitted value of
    ``out`` in every varied parameter (the fit ended where its steps met the edge)."""
    final = out.params.valuesdict()
    varied = list(out.var_names)
    return any(all(abs(q[k] - final[k]) <= rel * abs(final[k]) + 1e-300 for k in varied)
               for q in points)


def _uncertain_values(out) -> tuple[dict, np.ndarray | None]:
    """Every parameter of an lmfit result as an uncertainties value (correlated through the
    covariance when it was estimated; fixed and tied ones as plain floats)."""
    from uncertainties import correlated_values, ufloat

    varied = tuple(out.var_names)
    covar = out.covar if out.errorbars and out.covar is not None else None
    values = {k: p.value for k, p in out.params.items()}
    uvals = {}
    if covar is not None:
        cv = correlated_values([values[k] for k in varied], covar, tags=list(varied))
        uvals.update(zip(varied, cv))
    for k, p in out.params.items():
        if k not in uvals:
            if not p.vary or p.expr:
                uvals[k] = float(values[k])  # fixed or tied: no independent error
                continue
            err = p.stderr if (p.stderr is not None and np.isfinite(p.stderr)) else np.nan
            uvals[k] = ufloat(values[k], err, tag=k)
    return uvals, covar


def _verdict(out, covar, datasets, models, warn: bool) -> tuple[bool, str]:
    """Success and message of a fit (no errors, a parameter at a bound), warning if asked."""
    message = str(out.message)
    success = bool(out.success) and bool(out.errorbars)
    if covar is None:
        message += "; uncertainties could not be estimated (singular or ill-conditioned covariance)"
    hit = [k for k in out.var_names
           if np.isclose(out.params[k].value, out.params[k].min)
           or np.isclose(out.params[k].value, out.params[k].max)]
    if hit:
        message += f"; parameter(s) {hit} at a bound"
        success = False
    if warn and not success:
        warnings.warn(f"{_sources(datasets)}: fit of {models[0].name!r} is not reliable: {message}",
                      FitWarning, stacklevel=3)
    return success, message


def fit_global(datasets: Problem | Sequence[Dataset] | Sweep,
               models: ModelSpec | Sequence[ModelSpec] | None = None, *,
               shared: Iterable[str] | str = (), init: Mapping | None = None, fixed=None,
               free: Iterable[str] = (),
               bounds: Mapping | None = None, exprs: Mapping | None = None,
               method: str = "leastsq", guess: bool = True, scale_covar: bool | None = None,
               max_nfev: int | None = None, warn: bool = True,
               correlations=()) -> FitResult:
    """Fit several datasets at once with shared and per-dataset parameters.

    Parameters
    ----------
    datasets : Problem, sequence of Dataset or Sweep
        A whole :class:`Problem` (then ``models`` and the problem's keywords below are not
        given), or the data. Each dataset's ``meta`` supplies the model's ``inputs``.
    models : ModelSpec or sequence of ModelSpec
        One model for all datasets, or one per dataset.
    shared : iterable of str
        Parameter names shared by all datasets; every other parameter gets one
        copy per dataset, named ``<name>_<i>``.
    init : mapping, optional
        Starting values by name (a shared name, or ``<name>_<i>``, or a
        model name applying to all its copies). Overrides the guess.
    fixed : mapping or iterable of str, optional
        Parameters held fixed (at the given value, or at their start value).
    free : iterable of str, optional
        Parameters to vary that the model holds fixed by default (``vary=False``
        in its table, e.g. an in-plane anisotropy field).
    bounds : mapping, optional
        ``{name: (lo, hi)}`` replacing the model's bounds.
    exprs : mapping, optional
        ``{name: lmfit expression}`` tying parameters together.
    method : str
        lmfit method (default Levenberg-Marquardt ``'leastsq'``).
    guess : bool
        Use the models' automatic guesses for starting values.
    scale_covar : bool, optional
        Rescale errors by the reduced chi-square. Default: only when some
        dataset has no ``yerr``.
    max_nfev : int, optional
        Function-evaluation limit.
    warn : bool
        Emit :class:`FitWarning` if the fit fails to converge or to estimate errors.
    correlations : sequence, optional
        Correlated errors between points of two datasets (:class:`Problem`).

    Returns
    -------
    FitResult
        Its ``problem`` is the :class:`Problem` that was fitted.
    """
    problem = as_problem(datasets, models, shared=shared, init=init, fixed=fixed, free=free,
                         bounds=bounds, exprs=exprs, correlations=correlations)
    datasets, models = _check_models(problem)
    params, maps = _build_params(models, datasets, set(problem.shared), problem.init,
                                 problem.fixed, set(problem.free), problem.bounds,
                                 problem.exprs, guess)
    nvary = sum(1 for p in params.values() if p.vary and not p.expr)
    ndata = sum(len(d) for d in datasets)
    if ndata <= nvary:
        raise FitError(f"{_sources(datasets)}: {ndata} point(s) cannot determine "
                       f"{nvary} free parameter(s)")
    weighted = [d.yerr is not None for d in datasets]
    if scale_covar is None:
        scale_covar = not all(weighted)
    if problem.correlations and not all(weighted[k] for c in problem.correlations
                                        for k in c[:2]):
        raise FitError(f"{_sources(datasets)}: correlated points need the errors (yerr) of "
                       "both datasets")
    out = _minimise(params, models, datasets, maps, weighted, scale_covar, method, max_nfev,
                    problem.correlations)
    uvals, covar = _uncertain_values(out)
    success, message = _verdict(out, covar, datasets, models, warn)
    units = {n: m.param(k).unit for m, pmap in zip(models, maps) for k, n in pmap.items()}
    meta = dict(datasets[0].meta) if len(datasets) == 1 else {
        "n_datasets": len(datasets), "sources": [d.source for d in datasets]}
    return FitResult(
        model_name="+".join(dict.fromkeys(m.name for m in models)), params=uvals, units=units,
        varied=tuple(out.var_names), covar=covar, chisqr=float(out.chisqr),
        redchi=float(out.redchi), ndata=int(out.ndata), nvarys=int(out.nvarys),
        aic=float(out.aic), bic=float(out.bic), success=success, message=message,
        method=method, errors_scaled=bool(scale_covar), datasets=tuple(datasets),
        models=tuple(models), param_maps=tuple(maps), meta=meta, problem=problem,
    )


def fit(data: Dataset, model: ModelSpec, **kwargs) -> FitResult:
    """Fit one dataset with one model; keywords as :func:`fit_global`.

    Examples
    --------
    >>> res = fit(spectrum, stfmr_mixing)
    >>> res["h_res"]           # an uncertainties value, in T
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"fit() takes one Dataset, got {type(data).__name__}; "
                        "use fit_sweep or fit_global for several")
    return fit_global([data], [model], **kwargs)


def _fit_one(d, model, kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        r = fit(d, model, **kwargs)
    return r, [str(w.message) for w in caught if issubclass(w.category, FitWarning)]


def fit_sweep(sweep: Sweep | Sequence[Dataset], model: ModelSpec, *,
              executor: Executor | None = None, progress=None, **kwargs) -> ResultTable:
    """Fit ``model`` to every dataset of ``sweep`` independently.

    Parameters
    ----------
    sweep : Sweep or sequence of Dataset
    model : ModelSpec
    executor : concurrent.futures.Executor, optional
        Runs the fits (e.g. a ``ProcessPoolExecutor``); default: in this process.
    progress : callable, optional
        Called as ``progress(done, total)`` after each fit.
    **kwargs
        Passed to :func:`fit` (``init``, ``fixed``, ``bounds``, ...).

    Returns
    -------
    ResultTable
        One row per dataset, in order. Fits that fail to converge are kept
        (``success=False``) and reported in one :class:`FitWarning`.
    """
    datasets = list(sweep)
    job = partial(_fit_one, model=model, kwargs=kwargs)
    if executor is None:
        outs = []
        for i, d in enumerate(datasets):
            outs.append(job(d))
            if progress:
                progress(i + 1, len(datasets))
    else:
        outs = []
        for i, o in enumerate(executor.map(job, datasets)):
            outs.append(o)
            if progress:
                progress(i + 1, len(datasets))
    msgs = [m for _, ms in outs for m in ms]
    if msgs:
        warnings.warn(f"{len(msgs)} of {len(datasets)} fits are not reliable:\n  " + "\n  ".join(msgs),
                      FitWarning, stacklevel=2)
    return ResultTable(tuple(r for r, _ in outs))
