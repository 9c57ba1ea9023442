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

The same engine (:func:`varpro_fit`, :func:`varpro_results`) fits the field-derivative
lineshape (``stfmr_derivative``) and two resonances on one background
(``stfmr_two_resonances``, four nonlinear parameters): each lineshape describes its linear
columns and their derivatives in :data:`sotfit.models.lineshapes.LINEAR_BASES`. The ST-FMR
spectrum stage (:func:`sotfit.analysis.stfmr_spectra.fit_branches`) fits every windowed
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

import numpy as np

from .data import Dataset, Sweep
from .fitting import FitError, FitWarning
from .models.lineshapes import LINEAR_BASES, LinearBasis, grid_search, linear_basis, stfmr_mixing
from .models.spec import ModelError, ModelSpec
from .results import FitResult, ResultTable

__all__ = ["fit_sweep_batch", "varpro_fit", "varpro_covariance", "varpro_results", "pad_arrays",
           "SUPPORTED_MODELS"]

#: Models this fitter knows the linear basis of (sotfit.models.lineshapes.LINEAR_BASES).
SUPPORTED_MODELS = tuple(LINEAR_BASES)


# --------------------------------------------------------------------------- linear algebra helpers

def _solve_linear(phi_w, y_w):
    """Weighted linear least squares for every spectrum.

    phi_w (N, n, q) and y_w (N, n) already carry the weights; columns of fixed
    linear parameters have been removed by the caller. Columns are scaled to
    unit norm for conditioning.
    Returns c (N, q), the Gram matrix inverse in original scaling (N, q, q).
    """
    norms = np.sqrt(np.sum(phi_w * phi_w, axis=1))
    norms[norms == 0] = 1.0
    a = phi_w / norms[:, None, :]
    at = a.transpose(0, 2, 1)
    g = at @ a
    rhs = at @ y_w[..., None]
    ginv = np.linalg.inv(g)
    c = (ginv @ rhs)[..., 0] / norms
    ginv = ginv / norms[:, :, None] / norms[:, None, :]
    return c, ginv


def _project_out(v, phi_w, ginv):
    """P_perp v = v - Phi (Phi^T Phi)^-1 Phi^T v for a stack of columns v (N, n, k)."""
    coef = ginv @ (phi_w.transpose(0, 2, 1) @ v)
    return v - phi_w @ coef


def _lm_step(jtj, jtr, lam, nonlin_free):
    """Levenberg-Marquardt steps -(J^T J + lam diag(J^T J))^-1 J^T r for a stack (N, p, p)."""
    p = jtj.shape[-1]
    diag = np.diagonal(jtj, axis1=1, axis2=2).copy()
    diag[diag <= 0] = 1.0
    a = jtj + (lam[:, None] * diag)[:, :, None] * np.eye(p)
    a += np.diag(~nonlin_free * 1.0)                                    # keep fixed rows regular
    if p == 2:
        det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
        det = np.where(det == 0, np.finfo(float).tiny, det)
        step0 = -(a[:, 1, 1] * jtr[:, 0] - a[:, 0, 1] * jtr[:, 1]) / det
        step1 = -(a[:, 0, 0] * jtr[:, 1] - a[:, 1, 0] * jtr[:, 0]) / det
        step = np.stack([step0, step1], axis=1)
    else:
        try:
            step = -np.linalg.solve(a, jtr[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = -(np.linalg.pinv(a) @ jtr[..., None])[..., 0]
    return step * nonlin_free


# --------------------------------------------------------------------------- the engine

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


def varpro_fit(x, y, wt, theta, basis: LinearBasis, *, lin_free=None, nonlin_free=None,
               c_fixed=None, lo=None, hi=None, max_iter: int = 200, ftol: float = 1.5e-8,
               xtol: float = 1.5e-8, max_nfev: int | None = None, progress=None) -> dict:
    """Levenberg-Marquardt on the variable-projection residual of many spectra at once.

    Parameters
    ----------
    x, y, wt : ndarray (N, n)
        Stacked spectra and weights (1/sigma, or 1 without errors; 0 on padding).
    theta : ndarray (N, p)
        Starting values of the nonlinear parameters (``basis.nonlinear``).
    basis : LinearBasis
    lin_free, nonlin_free : bool arrays (q,), (p,), optional
        Which parameters vary (default all).
    c_fixed : ndarray (q,), optional
        Values of the fixed linear parameters (ignored for free ones).
    lo, hi : ndarray (p,)
        Bounds of the nonlinear parameters (steps are clipped to them).
    max_iter : int
        Iterations at most.
    ftol, xtol : float
        Relative change of chi-square and of theta that ends the iteration of a spectrum.
    max_nfev : int, optional
        Evaluations of the projected residual at most (the first one included).
    progress : callable, optional
        ``progress(done, total)`` as spectra converge.

    Returns
    -------
    dict
        ``theta`` (N, p), ``c`` (N, q) all linear coefficients, ``chi`` (N,) chi-square,
        ``converged`` (N,) bool, ``n_iter``, ``n_eval`` (N,) int.
    """
    N, p = theta.shape
    q = len(basis.linear)
    lin_free = np.ones(q, bool) if lin_free is None else np.asarray(lin_free, bool)
    nonlin_free = np.ones(p, bool) if nonlin_free is None else np.asarray(nonlin_free, bool)
    c_fixed = np.zeros(q) if c_fixed is None else np.where(lin_free, 0.0, c_fixed)
    lo = np.full(p, -np.inf) if lo is None else np.asarray(lo, float)
    hi = np.full(p, np.inf) if hi is None else np.asarray(hi, float)
    theta = np.clip(np.array(theta, float), lo, hi)
    budget = np.inf if max_nfev is None else int(max_nfev)
    any_fixed_lin = not lin_free.all()

    def evaluate(th, sub):
        xs, ys, ws = x[sub], y[sub], wt[sub]
        phi = basis.columns(xs, th)
        y_eff = ys - phi @ c_fixed if any_fixed_lin else ys
        phi_w = (phi[..., lin_free] if any_fixed_lin else phi) * ws[..., None]
        c_free, ginv = _solve_linear(phi_w, y_eff * ws)
        if any_fixed_lin:
            c = np.tile(c_fixed, (len(sub), 1))
            c[:, lin_free] = c_free
        else:
            c = c_free
        r = (ys - (phi @ c[..., None])[..., 0]) * ws
        chi = np.sum(r * r, axis=1)
        df = basis.derivatives(xs, th, c) * ws[..., None]               # (M, n, p)
        jac = -_project_out(df, phi_w, ginv)                            # d r / d theta (Kaufman)
        jac = jac * nonlin_free                                         # fixed ones do not move
        return r, c, chi, jac

    every = np.arange(N)
    r, c, chi, jac = evaluate(theta, every)
    lam = np.full(N, 1e-3)
    converged = np.zeros(N, bool)
    n_iter = np.zeros(N, int)
    n_eval = np.ones(N, int)
    act = every if budget > 1 else every[:0]
    for _ in range(max_iter):
        if act.size == 0:
            break
        ja, ra, la = jac[act], r[act], lam[act]
        jact = ja.transpose(0, 2, 1)
        step = _lm_step(jact @ ja, (jact @ ra[..., None])[..., 0], la, nonlin_free)
        th_a = theta[act]
        trial = np.clip(th_a + step, lo, hi)
        r_t, c_t, chi_t, jac_t = evaluate(trial, act)
        n_eval[act] += 1
        chi_a = chi[act]
        better = np.isfinite(chi_t) & (chi_t <= chi_a)
        # convergence tests on the accepted steps (relative change of chi^2 and of theta)
        rel_chi = np.abs(chi_a - chi_t) / np.maximum(chi_a, np.finfo(float).tiny)
        rel_x = np.max(np.abs(trial - th_a) / np.maximum(np.abs(th_a), 1e-12), axis=1)
        done = better & ((rel_chi <= ftol) | (rel_x <= xtol))
        acc = act[better]
        theta[acc] = trial[better]
        r[acc] = r_t[better]
        c[acc] = c_t[better]
        chi[acc] = chi_t[better]
        jac[acc] = jac_t[better]
        lam[act] = np.where(better, np.maximum(la / 3.0, 1e-12), np.minimum(la * 4.0, 1e12))
        # a rejected step with an enormous damping means no descent direction is left
        stuck = ~better & (lam[act] >= 1e12)
        n_iter[act] += 1
        converged[act] |= done | (stuck & (rel_x <= xtol))
        spent = n_eval[act] >= budget
        act = act[~(done | stuck | spent)]
        if progress:
            progress(int(N - act.size), N)
    return {"theta": theta, "c": c, "chi": chi, "converged": converged, "n_iter": n_iter,
            "n_eval": n_eval}


def varpro_covariance(x, wt, theta, c, basis: LinearBasis, *, lin_free=None, nonlin_free=None):
    """Covariance (J^T W J)^-1 of the varied parameters from the full analytic Jacobian.

    Returns ``(covs, well)``: covs (N, k, k) in the order nonlinear-then-linear varied names
    (NaN where ill-conditioned) and ``well`` (N,) whether the normal matrix is
    well-conditioned (smallest to largest eigenvalue of the column-scaled matrix above 1e-15).
    Not rescaled by the reduced chi-square.
    """
    q, p = len(basis.linear), len(basis.nonlinear)
    lin_free = np.ones(q, bool) if lin_free is None else np.asarray(lin_free, bool)
    nonlin_free = np.ones(p, bool) if nonlin_free is None else np.asarray(nonlin_free, bool)
    phi = basis.columns(x, theta)
    df = basis.derivatives(x, theta, c)
    full = np.concatenate([df[..., nonlin_free], phi[..., lin_free]], axis=-1) * wt[..., None]
    jtj = full.transpose(0, 2, 1) @ full
    sc = np.sqrt(np.diagonal(jtj, axis1=1, axis2=2))
    sc = np.where(sc > 0, sc, 1.0)
    ssc = sc[:, :, None] * sc[:, None, :]
    eig = np.linalg.eigvalsh(jtj / ssc)
    well = (eig[:, 0] > 0) & (eig[:, -1] < 1e15 * np.maximum(eig[:, 0], np.finfo(float).tiny))
    covs = np.full_like(jtj, np.nan)
    if well.any():
        covs[well] = np.linalg.inv(jtj[well] / ssc[well]) / ssc[well]
    return covs, well


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
    from uncertainties import correlated_values, ufloat

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
    units = model.units()
    pmap = {k: k for k in model.param_names}
    results, bad = [], []
    for i, d in enumerate(datasets):
        values = dict(zip(basis.nonlinear, theta[i].tolist())) | dict(zip(basis.linear, c[i].tolist()))
        if fitted["converged"][i]:
            message = "converged"
        elif max_nfev is not None and fitted["n_eval"][i] >= max_nfev:
            message = f"no convergence within max_nfev = {max_nfev} evaluations"
        else:
            message = f"no convergence after {fitted['n_iter'][i]} iterations"
        cov = None
        if well[i]:
            cov = covs[i][np.ix_(perm, perm)]
            if np.any(np.diag(cov) <= 0) or not np.all(np.isfinite(cov)):
                cov = None
        uvals = {}
        if cov is not None:
            uvals.update(zip(names, correlated_values([values[k] for k in names], cov,
                                                      tags=list(names))))
        else:
            message += "; uncertainties could not be estimated (singular or ill-conditioned covariance)"
            for k in names:
                uvals[k] = ufloat(values[k], math.nan, tag=k)
        params = {k: uvals.get(k, float(values[k])) for k in model.param_names}
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
            meta=dict(d.meta) if metas is None else metas[i],
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
    if model.name not in SUPPORTED_MODELS:
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
    lin_free = np.array([k not in fixed_map for k in basis.linear])
    nonlin_free = np.array([k not in fixed_map for k in basis.nonlinear])
    nvary = int(lin_free.sum() + nonlin_free.sum())
    for d in datasets:
        try:
            model.check_domain(d.x, d.source)
        except ModelError as e:
            raise FitError(str(e)) from None
        if len(d) <= nvary:
            raise FitError(f"{d.source}: {len(d)} point(s) cannot determine {nvary} free parameter(s)")

    N = len(datasets)
    x, y, wt, _ = pad_arrays([d.x for d in datasets], [d.y for d in datasets],
                             [d.yerr for d in datasets])
    scaled = (np.array([d.yerr is None for d in datasets]) if scale_covar is None
              else np.full(N, bool(scale_covar)))
    theta = _grid_starts(datasets, basis, model, guess_grid)
    defaults = model.defaults()
    for j, name in enumerate(basis.nonlinear):
        if init and name in init:
            theta[:, j] = np.broadcast_to(np.asarray(init[name], float), (N,))
        if fixed_map.get(name) is not None:
            theta[:, j] = fixed_map[name]
    if not np.all(np.isfinite(theta)):
        bad = [datasets[i].source for i in np.flatnonzero(~np.all(np.isfinite(theta), axis=1))][:5]
        raise FitError(f"non-finite starting values for {bad}")
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
