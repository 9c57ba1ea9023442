"""Vectorised variable-projection fits of many spectra at once.

:func:`fit_sweep_batch` is a drop-in for ``sotfit.fit_sweep(sweep,
stfmr_mixing)`` when there are many spectra (hundreds to thousands). The ST-FMR
lineshape

    V(H) = V_s L_sym(H; H_res, W) + V_a L_asym(H; H_res, W) + offset + slope (H - H_res)

is linear in (V_s, V_a, offset, slope) (``ModelSpec.linear``), so for given
(H_res, W) those four follow from a 4x4 linear least-squares problem in
closed form (variable projection, Golub & Pereyra, SIAM J. Numer. Anal. 10,
413 (1973)). Only (H_res, W) are optimised, by a Levenberg-Marquardt iteration
on the projected residual with Kaufman's Jacobian (BIT 15, 49 (1975)), run on
all spectra at once with numpy batched linear algebra. Starting values come from
the same variable-projection grid search as the model's own guess
(:func:`sotfit.models.lineshapes.grid_guess_mixing`), evaluated for all spectra
sharing a field grid by one matrix product.

The same engine (:func:`sotfit.varpro.varpro_fit`, :func:`varpro_results`) fits the field-derivative
lineshape (``stfmr_derivative``) and two resonances on one background
(``stfmr_two_resonances``, four nonlinear parameters): each lineshape describes its linear
columns and their derivatives in :data:`sotfit.models.lineshapes.LINEAR_BASES`. The ST-FMR
spectrum stage (:func:`sotfit.analysis.stfmr.branch_fit.fit_branches`) fits every windowed
field branch of every file with it.

The estimates are the least-squares optimum, i.e. the same as the per-spectrum
lmfit fit; the covariance is computed, as lmfit does, from the full Jacobian of
all six parameters at the optimum, rescaled by the reduced chi-square when the
data carry no errors. Results are :class:`~sotfit.results.FitResult` objects
(``uncertainties`` values with correlations) in a
:class:`~sotfit.results.ResultTable`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from .data import Dataset, Sweep
from .fitting import FitError, FitWarning
from .models.lineshapes import LINEAR_BASES, LinearBasis, grid_search, linear_basis, stfmr_mixing
from .models.spec import ModelError, ModelSpec
from .results import FitResult, LazyParams, ResultTable
from .varpro import varpro_covariance, varpro_fit


__all__ = ["fit_sweep_batch", "varpro_fit", "varpro_covariance", "varpro_results", "pad_arrays",
           "SUPPORTED_MODELS"]


#: Models this fitter knows the linear basis of (sotfit.models.lineshapes.LINEAR_BASES).
SUPPORTED_MODELS = tuple(LINEAR_BASES)


def pad_arrays(xs, ys, yerrs=None):
    """Stack ragged spectra: x (padded with its last value), y and weights (0 on padding).

    Returns x, y, wt of shape (N, n_max) and the lengths (N,).
    """
    npts = np.array([len(a) for a in xs])
    n = int(npts.max()) if npts.size else 0
    N = len(xs)
    x = np.empty((N, n))
    y = np.zeros((N, n))
    wt = np.zeros((N, n))
    for i, (a, b) in enumerate(zip(xs, ys)):
        m = npts[i]
        x[i, :m] = a
        x[i, m:] = a[-1] if m else 0.0
        y[i, :m] = b
        e = None if yerrs is None else yerrs[i]
        wt[i, :m] = 1.0 if e is None else 1.0 / e
    return x, y, wt, npts


def varpro_results(model: ModelSpec, basis: LinearBasis, datasets: Sequence[Dataset], x, wt,
                   fitted: dict, *, lin_free=None, nonlin_free=None, lo=None, hi=None,
                   scaled=None, metas=None, max_nfev: int | None = None):
    """:class:`~sotfit.results.FitResult` objects from :func:`varpro_fit` output.

    Parameters
    ----------
    datasets : sequence of Dataset
        What was fitted (one per row of x).
    scaled : bool array (N,), optional
        Rescale the covariance by the reduced chi-square (default: spectra without yerr).
    metas : sequence of dict, optional
        Result metadata per spectrum (default: each dataset's meta).

    Returns
    -------
    (list of FitResult, list of str)
        The results and, for those that are not reliable, ``"source: message"``.
    """
    q, p = len(basis.linear), len(basis.nonlinear)
    lin_free = np.ones(q, bool) if lin_free is None else np.asarray(lin_free, bool)
    nonlin_free = np.ones(p, bool) if nonlin_free is None else np.asarray(nonlin_free, bool)
    lo = np.full(p, -np.inf) if lo is None else np.asarray(lo, float)
    hi = np.full(p, np.inf) if hi is None else np.asarray(hi, float)
    theta, c, chi = fitted["theta"], fitted["c"], fitted["chi"]
    npts = np.array([len(d) for d in datasets])
    if scaled is None:
        scaled = np.array([d.yerr is None for d in datasets])
    nvary = int(lin_free.sum() + nonlin_free.sum())
    covs, well = varpro_covariance(x, wt, theta, c, basis, lin_free=lin_free,
                                   nonlin_free=nonlin_free)
    dof = npts - nvary
    redchi = chi / dof
    covs = np.where(scaled[:, None, None], covs * redchi[:, None, None], covs)
    at_bound = (np.isclose(theta, lo) | np.isclose(theta, hi)) & nonlin_free
    varied_set = {k for k, f in zip(basis.nonlinear, nonlin_free) if f} | {
        k for k, f in zip(basis.linear, lin_free) if f}
    cov_names = tuple(k for k, f in zip(basis.nonlinear, nonlin_free) if f) + tuple(
        k for k, f in zip(basis.linear, lin_free) if f)
    names = tuple(k for k in model.param_names if k in varied_set)     # lmfit's order
    perm = [cov_names.index(k) for k in names]
    units = MappingProxyType(dict(model.units()))       # one read-only view for every result
    pmap = {k: k for k in model.param_names}
    # the covariances in lmfit's order; a well-conditioned one with a variance that is not
    # positive or an entry that is not finite gives no uncertainties either
    ordered = covs[:, perm][:, :, perm]
    usable = well & np.all(np.diagonal(ordered, axis1=1, axis2=2) > 0, axis=1) \
        & np.all(np.isfinite(ordered), axis=(1, 2))
    results, bad = [], []
    for i, d in enumerate(datasets):
        values = dict(zip(basis.nonlinear, theta[i].tolist())) | dict(zip(basis.linear, c[i].tolist()))
        if fitted["converged"][i]:
            message = "converged"
        elif max_nfev is not None and fitted["n_eval"][i] >= max_nfev:
            message = f"no convergence within max_nfev = {max_nfev} evaluations"
        else:
            message = f"no convergence after {fitted['n_iter'][i]} iterations"
        cov = ordered[i] if usable[i] else None
        if cov is None:
            message += "; uncertainties could not be estimated (singular or ill-conditioned covariance)"
        params = LazyParams({k: float(values[k]) for k in model.param_names}, names, cov)
        hit = [k for j, k in enumerate(basis.nonlinear) if at_bound[i, j]]
        success = bool(fitted["converged"][i]) and cov is not None
        if hit:
            message += f"; parameter(s) {hit} at a bound"
            success = False
        if not success:
            bad.append(f"{d.source}: {message}")
        n = int(npts[i])
        chisqr = float(chi[i])
        logl = n * math.log(max(chisqr, np.finfo(float).tiny) / n)
        results.append(FitResult(
            model_name=model.name, params=params, units=units, varied=names,
            covar=cov, chisqr=chisqr, redchi=float(redchi[i]), ndata=n, nvarys=nvary,
            aic=logl + 2 * nvary, bic=logl + math.log(n) * nvary, success=success,
            message=message, method="varpro-lm", errors_scaled=bool(scaled[i]),
            datasets=(d,), models=(model,), param_maps=(pmap,),
            meta=d.meta if metas is None else metas[i],
        ))
    return results, bad


def _fixed_map(fixed) -> dict:
    """{name: value or None} from a mapping or iterable of names."""
    if fixed is None:
        return {}
    if isinstance(fixed, str):
        return {fixed: None}
    if isinstance(fixed, Mapping):
        return {k: float(v) for k, v in fixed.items()}
    return {k: None for k in fixed}


def _grid_starts(datasets, basis: LinearBasis, model: ModelSpec, guess_grid) -> np.ndarray:
    """Starting values of the nonlinear parameters (N, p): the variable-projection grid search
    for all spectra sharing a field grid at once (one resonance), or the model's own guess."""
    N, p = len(datasets), len(basis.nonlinear)
    theta = np.empty((N, p))
    if p == 2:
        groups: dict[bytes, list[int]] = {}
        for i, d in enumerate(datasets):
            groups.setdefault(np.ascontiguousarray(d.x).tobytes(), []).append(i)
        for idx in groups.values():
            d0 = datasets[idx[0]]
            # the grid search works on the raw voltages, like the model's guess
            hh, ww, _ = grid_search(d0.x, [datasets[i].y for i in idx], basis.search_design,
                                    *guess_grid)
            theta[idx, 0], theta[idx, 1] = hh, ww
    else:
        for i, d in enumerate(datasets):
            g = model.initial(d.x, d.y)
            theta[i] = [g[k] for k in basis.nonlinear]
    return theta


def fit_sweep_batch(sweep: Sweep | Sequence[Dataset], model: ModelSpec = stfmr_mixing, *,
                    init: Mapping | None = None, fixed=None, bounds: Mapping | None = None,
                    max_iter: int = 200, ftol: float = 1.5e-8, xtol: float = 1.5e-8,
                    guess_grid: tuple[int, int] = (60, 12),
                    scale_covar: bool | None = None, progress=None,
                    warn: bool = True) -> ResultTable:
    """Fit an ST-FMR lineshape to many spectra at once (variable projection).

    Parameters
    ----------
    sweep : Sweep or sequence of Dataset
        Spectra: x = mu0*H in T (the model's x unit), y = V_mix in uV, with or
        without ``yerr``. Spectra may differ in length and field values; those
        sharing identical field values share the starting-value search.
    model : ModelSpec
        ``stfmr_mixing`` (default), ``stfmr_derivative`` or ``stfmr_two_resonances``
        (the models with a :data:`~sotfit.models.lineshapes.LINEAR_BASES` entry; see
        :data:`SUPPORTED_MODELS`).
    init : mapping, optional
        Starting values of the nonlinear parameters (``h_res``, ``width``, and ``h_res2``,
        ``width2`` of two resonances; T) for every spectrum (a float) or per spectrum (an
        array of length N); the grid search (or the model's guess) supplies the others.
        The linear parameters need no starting values (they are solved exactly); values
        given for them are not used.
    fixed : mapping or iterable of str, optional
        Parameters held fixed, at the given value or at their start value (the
        linear ones at the model default, e.g. ``{"slope": 0.0}``).
    bounds : mapping, optional
        ``{name: (lo, hi)}`` of nonlinear parameters, replacing the model bounds (T).
    max_iter : int
        Levenberg-Marquardt iterations at most.
    ftol, xtol : float
        Relative change of chi-square and of the nonlinear parameters that stop the
        iteration of a spectrum (the MINPACK defaults lmfit uses).
    guess_grid : (int, int)
        Candidate resonance fields and widths of the starting-value grid search
        (the model's own guess uses (120, 24); the iteration converges to the
        same optimum from the coarser default, at an eighth of the cost).
    scale_covar : bool, optional
        Rescale the covariance by the reduced chi-square; default: for spectra
        without ``yerr`` (as :func:`sotfit.fit`).
    progress : callable, optional
        ``progress(done, total)`` called as the iteration proceeds.
    warn : bool
        Emit one :class:`~sotfit.fitting.FitWarning` listing unreliable fits.

    Returns
    -------
    ResultTable
        One :class:`~sotfit.results.FitResult` per spectrum, in order, with
        the same parameter names, units and meaning as ``fit_sweep``; the
        method is ``'varpro-lm'``.

    Raises
    ------
    FitError
        For an unsupported model, a spectrum with too few points, or
        non-finite starting values.
    """
    basis, datasets, fixed_map = _checked_batch(sweep, model, init, fixed, bounds)
    lin_free = np.array([k not in fixed_map for k in basis.linear])
    nonlin_free = np.array([k not in fixed_map for k in basis.nonlinear])
    _check_points(datasets, model, int(lin_free.sum() + nonlin_free.sum()))
    N = len(datasets)
    x, y, wt, _ = pad_arrays([d.x for d in datasets], [d.y for d in datasets],
                             [d.yerr for d in datasets])
    scaled = (np.array([d.yerr is None for d in datasets]) if scale_covar is None
              else np.full(N, bool(scale_covar)))
    theta = _batch_starts(datasets, basis, model, guess_grid, init, fixed_map)
    defaults = model.defaults()
    bnd = {k: tuple((bounds or {}).get(k, model.param(k).bounds)) for k in basis.nonlinear}
    lo = np.array([bnd[k][0] for k in basis.nonlinear], float)
    hi = np.array([bnd[k][1] for k in basis.nonlinear], float)
    # fixed linear parameters: their contribution is subtracted from the data
    c_fixed = np.array([fixed_map[k] if fixed_map.get(k) is not None else defaults[k]
                        for k in basis.linear])
    fitted = varpro_fit(x, y, wt, theta, basis, lin_free=lin_free, nonlin_free=nonlin_free,
                        c_fixed=c_fixed, lo=lo, hi=hi, max_iter=max_iter, ftol=ftol, xtol=xtol,
                        progress=progress)
    if progress:
        progress(N, N)
    results, bad_msgs = varpro_results(model, basis, datasets, x, wt, fitted, lin_free=lin_free,
                                       nonlin_free=nonlin_free, lo=lo, hi=hi, scaled=scaled)
    if warn and bad_msgs:
        warnings.warn(f"{len(bad_msgs)} of {N} fits are not reliable:\n  " + "\n  ".join(bad_msgs[:20])
                      + ("\n  ..." if len(bad_msgs) > 20 else ""), FitWarning, stacklevel=2)
    return ResultTable(tuple(results))


def _checked_batch(sweep, model: ModelSpec, init, fixed, bounds):
    """The linear basis of ``model``, the spectra and the fixed parameters of
    :func:`fit_sweep_batch`; an unsupported model, no spectra or an unknown parameter name is
    a FitError."""
    if model.lineshape is None and model.name not in SUPPORTED_MODELS:
        raise FitError(f"fit_sweep_batch knows the linear basis of {list(SUPPORTED_MODELS)}, "
                       f"not of {model.name!r}; use sotfit.fit_sweep")
    try:
        basis = linear_basis(model)
    except ModelError as exc:
        raise FitError(str(exc)) from None
    datasets = list(sweep)
    if not datasets:
        raise FitError("no spectra to fit")
    fixed_map = _fixed_map(fixed)
    unknown = set(fixed_map) | set(init or {}) | set(bounds or {})
    unknown -= set(model.param_names)
    if unknown:
        raise FitError(f"unknown parameter name(s) {sorted(unknown)}; the model has {list(model.param_names)}")
    return basis, datasets, fixed_map


def _check_points(datasets, model: ModelSpec, nvary: int) -> None:
    """Every spectrum inside the model's domain and with more points than free parameters."""
    for d in datasets:
        try:
            model.check_domain(d.x, d.source)
        except ModelError as e:
            raise FitError(str(e)) from None
        if len(d) <= nvary:
            raise FitError(f"{d.source}: {len(d)} point(s) cannot determine {nvary} free parameter(s)")


def _batch_starts(datasets, basis: LinearBasis, model: ModelSpec, guess_grid, init,
                  fixed_map) -> np.ndarray:
    """Starting values (N, p) of the nonlinear parameters: the grid search, then ``init``,
    then the fixed values; non-finite ones are a FitError naming the spectra."""
    N = len(datasets)
    theta = _grid_starts(datasets, basis, model, guess_grid)
    for j, name in enumerate(basis.nonlinear):
        if init and name in init:
            theta[:, j] = np.broadcast_to(np.asarray(init[name], float), (N,))
        if fixed_map.get(name) is not None:
            theta[:, j] = fixed_map[name]
    if not np.all(np.isfinite(theta)):
        bad = [datasets[i].source for i in np.flatnonzero(~np.all(np.isfinite(theta), axis=1))][:5]
        raise FitError(f"non-finite starting values for {bad}")
    return theta
