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
from .models.lineshapes import grid_search, stfmr_mixing
from .models.spec import ModelError, ModelSpec
from .results import FitResult, ResultTable

__all__ = ["fit_sweep_batch", "SUPPORTED_MODELS"]

#: Models this fitter knows the linear basis of.
SUPPORTED_MODELS = ("stfmr_mixing",)

_NONLIN = ("h_res", "width")
_LIN = ("vs", "va", "offset", "slope")


# --------------------------------------------------------------------------- the lineshape basis

def _basis(x, h, w):
    """Columns [L_sym, L_asym, 1, x - h] with shape (N, n, 4), and d = x - h, D = d^2 + w^2."""
    d = x - h[:, None]
    w2 = (w * w)[:, None]
    den = d * d + w2
    inv = 1.0 / den
    ww = w[:, None]
    phi = np.empty(d.shape + (4,))
    phi[..., 0] = w2 * inv
    phi[..., 1] = ww * d * inv
    phi[..., 2] = 1.0
    phi[..., 3] = d
    return phi, d, inv


def _model_derivs(d, inv, w, c):
    """d f / d h_res and d f / d W for the coefficients c = (vs, va, offset, slope); (N, n, 2)."""
    ww = w[:, None]
    w2 = ww * ww
    d2 = d * d
    inv2 = inv * inv
    vs, va, sl = c[:, 0:1], c[:, 1:2], c[:, 3:4]
    dh = vs * (2 * d * w2 * inv2) + va * (ww * (d2 - w2) * inv2) - sl
    dw = vs * (2 * ww * d2 * inv2) + va * (d * (d2 - w2) * inv2)
    return np.stack([dh, dw], axis=-1)


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


# --------------------------------------------------------------------------- batch starting values

def _grid_guess_group(x, ys, n_centre=60, n_width=12):
    """Grid-search starting values (h_res, width), each of shape (M,), for spectra that
    share the field values ``x``: :func:`sotfit.models.lineshapes.grid_search` on a
    coarser grid than the single-spectrum guess (120 x 24) by default."""
    h, w, _ = grid_search(x, ys, None, n_centre, n_width)
    return h, w


# --------------------------------------------------------------------------- the fitter

def _pad(datasets):
    n = max(len(d) for d in datasets)
    N = len(datasets)
    x = np.zeros((N, n))
    y = np.zeros((N, n))
    wt = np.zeros((N, n))
    for i, d in enumerate(datasets):
        m = len(d)
        x[i, :m] = d.x
        x[i, m:] = d.x[-1] if m else 0.0
        y[i, :m] = d.y
        wt[i, :m] = 1.0 if d.yerr is None else 1.0 / d.yerr
    return x, y, wt


def _fixed_map(fixed) -> dict:
    """{name: value or None} from a mapping or iterable of names."""
    if fixed is None:
        return {}
    if isinstance(fixed, str):
        return {fixed: None}
    if isinstance(fixed, Mapping):
        return {k: float(v) for k, v in fixed.items()}
    return {k: None for k in fixed}


def fit_sweep_batch(sweep: Sweep | Sequence[Dataset], model: ModelSpec = stfmr_mixing, *,
                    init: Mapping | None = None, fixed=None, bounds: Mapping | None = None,
                    max_iter: int = 200, ftol: float = 1.5e-8, xtol: float = 1.5e-8,
                    guess_grid: tuple[int, int] = (60, 12),
                    scale_covar: bool | None = None, progress=None,
                    warn: bool = True) -> ResultTable:
    """Fit the ST-FMR mixing lineshape to many spectra at once (variable projection).

    Parameters
    ----------
    sweep : Sweep or sequence of Dataset
        Spectra: x = mu0*H in T (the model's x unit), y = V_mix in uV, with or
        without ``yerr``. Spectra may differ in length and field values; those
        sharing identical field values share the starting-value search.
    model : ModelSpec
        ``sotfit.models.stfmr_mixing`` (the one supported model; see
        :data:`SUPPORTED_MODELS`).
    init : mapping, optional
        Starting values of ``h_res`` (T) and/or ``width`` (T) for every
        spectrum (a float) or per spectrum (an array of length N); the grid
        search supplies the others. The linear parameters need no starting
        values (they are solved exactly); values given for them are not used.
    fixed : mapping or iterable of str, optional
        Parameters held fixed, at the given value or at their start value (the
        linear ones at the model default, e.g. ``{"slope": 0.0}``).
    bounds : mapping, optional
        ``{"h_res": (lo, hi), "width": (lo, hi)}`` replacing the model bounds (T).
    max_iter : int
        Levenberg-Marquardt iterations at most.
    ftol, xtol : float
        Relative change of chi-square and of (h_res, width) that stop the
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
        For an unsupported model, a spectrum with fewer than seven points, or
        non-finite starting values.
    """
    from uncertainties import correlated_values, ufloat

    if model.name not in SUPPORTED_MODELS:
        raise FitError(f"fit_sweep_batch knows the linear basis of {list(SUPPORTED_MODELS)}, "
                       f"not of {model.name!r}; use sotfit.fit_sweep")
    if model.param_names != _NONLIN + _LIN:
        raise FitError(f"model {model.name!r} has parameters {model.param_names}; expected "
                       f"{_NONLIN + _LIN}")
    datasets = list(sweep)
    if not datasets:
        raise FitError("no spectra to fit")
    fixed_map = _fixed_map(fixed)
    unknown = set(fixed_map) | set(init or {}) | set(bounds or {})
    unknown -= set(model.param_names)
    if unknown:
        raise FitError(f"unknown parameter name(s) {sorted(unknown)}; the model has {list(model.param_names)}")
    lin_free = np.array([k not in fixed_map for k in _LIN])
    nonlin_free = np.array([k not in fixed_map for k in _NONLIN])
    nvary = int(lin_free.sum() + nonlin_free.sum())
    for d in datasets:
        try:
            model.check_domain(d.x, d.source)
        except ModelError as e:
            raise FitError(str(e)) from None
        if len(d) <= nvary:
            raise FitError(f"{d.source}: {len(d)} point(s) cannot determine {nvary} free parameter(s)")

    N = len(datasets)
    x, y, wt = _pad(datasets)
    npts = np.array([len(d) for d in datasets])
    has_err = np.array([d.yerr is not None for d in datasets])
    scaled = ~has_err if scale_covar is None else np.full(N, bool(scale_covar))

    # ---- starting values for (h_res, width): grid search by groups of identical field values
    h = np.empty(N)
    w = np.empty(N)
    groups: dict[bytes, list[int]] = {}
    for i, d in enumerate(datasets):
        groups.setdefault(np.ascontiguousarray(d.x).tobytes(), []).append(i)
    for idx in groups.values():
        d0 = datasets[idx[0]]
        # the grid search works on the raw voltages, like the model's guess
        hh, ww = _grid_guess_group(d0.x, [datasets[i].y for i in idx], *guess_grid)
        h[idx], w[idx] = hh, ww
    defaults = model.defaults()
    for name, arr in (("h_res", h), ("width", w)):
        if init and name in init:
            arr[:] = np.broadcast_to(np.asarray(init[name], float), (N,))
        if name in fixed_map:
            v = fixed_map[name]
            if v is not None:
                arr[:] = v
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(w))):
        bad = [datasets[i].source for i in np.flatnonzero(~(np.isfinite(h) & np.isfinite(w)))][:5]
        raise FitError(f"non-finite starting values for {bad}")
    bnd = {k: tuple((bounds or {}).get(k, model.param(k).bounds)) for k in _NONLIN}
    lo = np.array([bnd["h_res"][0], bnd["width"][0]])
    hi = np.array([bnd["h_res"][1], bnd["width"][1]])
    theta = np.clip(np.stack([h, w], axis=1), lo, hi)

    # fixed linear parameters: their contribution is subtracted from the data
    c_fixed = np.array([fixed_map[k] if (k in fixed_map and fixed_map[k] is not None) else defaults[k]
                        for k in _LIN])
    c_fixed = np.where(lin_free, 0.0, c_fixed)

    def evaluate(th, sub):
        """Projected residual, coefficients, chi-square and Kaufman Jacobian of the spectra
        ``sub`` at th (len(sub), 2)."""
        xs, ys, ws = x[sub], y[sub], wt[sub]
        phi, dd, inv = _basis(xs, th[:, 0], th[:, 1])
        y_eff = ys - phi @ c_fixed
        phi_w = phi[..., lin_free] * ws[..., None]
        c_free, ginv = _solve_linear(phi_w, y_eff * ws)
        c = np.tile(c_fixed, (len(sub), 1))
        c[:, lin_free] = c_free
        r = (ys - (phi @ c[..., None])[..., 0]) * ws
        chi = np.sum(r * r, axis=1)
        df = _model_derivs(dd, inv, th[:, 1], c) * ws[..., None]        # (M, n, 2)
        jac = -_project_out(df, phi_w, ginv)                            # d r / d theta (Kaufman)
        jac = jac * nonlin_free                                         # fixed ones do not move
        return r, c, chi, jac

    every = np.arange(N)
    r, c, chi, jac = evaluate(theta, every)
    lam = np.full(N, 1e-3)
    converged = np.zeros(N, bool)
    n_iter = np.zeros(N, int)
    eye2 = np.eye(2)
    act = every                      # indices of the spectra still iterating
    for it in range(max_iter):
        if act.size == 0:
            break
        ja, ra, la = jac[act], r[act], lam[act]
        jact = ja.transpose(0, 2, 1)
        jtj = jact @ ja
        jtr = (jact @ ra[..., None])[..., 0]
        diag = np.diagonal(jtj, axis1=1, axis2=2).copy()
        diag[diag <= 0] = 1.0
        a = jtj + (la[:, None] * diag)[:, :, None] * eye2
        a += np.diag(~nonlin_free * 1.0)                                # keep fixed rows regular
        det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
        det = np.where(det == 0, np.finfo(float).tiny, det)
        step0 = -(a[:, 1, 1] * jtr[:, 0] - a[:, 0, 1] * jtr[:, 1]) / det
        step1 = -(a[:, 0, 0] * jtr[:, 1] - a[:, 1, 0] * jtr[:, 0]) / det
        step = np.stack([step0, step1], axis=1) * nonlin_free
        th_a = theta[act]
        trial = np.clip(th_a + step, lo, hi)
        r_t, c_t, chi_t, jac_t = evaluate(trial, act)
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
        act = act[~(done | stuck)]
        if progress:
            progress(int(N - act.size), N)
    if progress:
        progress(N, N)

    # ---- covariance from the full Jacobian of the varied parameters at the optimum
    phi, dd, inv = _basis(x, theta[:, 0], theta[:, 1])
    df = _model_derivs(dd, inv, theta[:, 1], c)
    full = np.concatenate([df[..., nonlin_free], phi[..., lin_free]], axis=-1) * wt[..., None]
    names = tuple(k for k, f in zip(_NONLIN, nonlin_free) if f) + tuple(
        k for k, f in zip(_LIN, lin_free) if f)
    jtj = full.transpose(0, 2, 1) @ full
    dof = npts - nvary
    redchi = chi / dof
    # condition numbers of the (symmetric) normal matrices, with columns scaled to unit norm
    sc = np.sqrt(np.diagonal(jtj, axis1=1, axis2=2))
    sc = np.where(sc > 0, sc, 1.0)
    eig = np.linalg.eigvalsh(jtj / sc[:, :, None] / sc[:, None, :])
    well = (eig[:, 0] > 0) & (eig[:, -1] < 1e15 * np.maximum(eig[:, 0], np.finfo(float).tiny))
    at_bound = (np.isclose(theta, lo) | np.isclose(theta, hi)) & nonlin_free
    covs = np.full_like(jtj, np.nan)
    if well.any():
        ssc = sc[well][:, :, None] * sc[well][:, None, :]
        covs[well] = np.linalg.inv(jtj[well] / ssc) / ssc
    covs = np.where(scaled[:, None, None], covs * redchi[:, None, None], covs)
    results = []
    units = model.units()
    bad_msgs = []
    for i, d in enumerate(datasets):
        values = dict(zip(_NONLIN, theta[i])) | dict(zip(_LIN, c[i]))
        cov = None
        message = "converged" if converged[i] else f"no convergence after {n_iter[i]} iterations"
        if well[i]:
            cov = covs[i]
            if np.any(np.diag(cov) <= 0) or not np.all(np.isfinite(cov)):
                cov = None
        uvals = {}
        if cov is not None:
            cv = correlated_values([values[k] for k in names], cov, tags=list(names))
            uvals.update(zip(names, cv))
        else:
            message += "; uncertainties could not be estimated (singular or ill-conditioned covariance)"
            for k in names:
                uvals[k] = ufloat(values[k], math.nan, tag=k)
        for k in model.param_names:
            if k not in uvals:
                uvals[k] = float(values[k])
        hit = [k for j, k in enumerate(_NONLIN) if at_bound[i, j]]
        success = bool(converged[i]) and cov is not None
        if hit:
            message += f"; parameter(s) {hit} at a bound"
            success = False
        if not success:
            bad_msgs.append(f"{d.source}: {message}")
        n = int(npts[i])
        chisqr = float(chi[i])
        logl = n * math.log(max(chisqr, np.finfo(float).tiny) / n)
        results.append(FitResult(
            model_name=model.name, params=uvals, units=units, varied=names,
            covar=cov, chisqr=chisqr, redchi=float(redchi[i]), ndata=n, nvarys=nvary,
            aic=logl + 2 * nvary, bic=logl + math.log(n) * nvary, success=success,
            message=message, method="varpro-lm", errors_scaled=bool(scaled[i]),
            datasets=(d,), models=(model,), param_maps=({k: k for k in model.param_names},),
            meta=dict(d.meta),
        ))
    if warn and bad_msgs:
        warnings.warn(f"{len(bad_msgs)} of {N} fits are not reliable:\n  " + "\n  ".join(bad_msgs[:20])
                      + ("\n  ..." if len(bad_msgs) > 20 else ""), FitWarning, stacklevel=2)
    return ResultTable(tuple(results))
