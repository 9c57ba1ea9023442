"""Reproducible least-squares fits of the harmonic Hall methods: exact linear solutions and
Gauss-Newton polishing of converged nonlinear fits."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
from uncertainties import correlated_values

from ...fitting import FitWarning, fit
from ...models.harmonic_hall import hall_line, hall_parabola
from .common import _nominal


def _fit_quiet(data, model, **kw):
    """:func:`sotfit.fitting.fit` with its warnings returned as text.

    A fit whose varied parameters all enter the model linearly is solved exactly (linear least
    squares on equilibrated columns, covariance from the same decomposition, scaled by the
    reduced chi-square when the data carry no errors, as the iterative fit does): its numbers do
    not depend on where an iteration stopped, so rows in another order or every voltage negated
    give the same result to rounding (tests/test_hall_metamorphic.py).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        r = fit(data, model, **kw)
    msgs = [str(w.message) for w in caught]
    exact = _linear_solution(data, model, kw, r)
    return (exact if exact is not None else _polish(r)), msgs


#: Gauss-Newton polishing of a converged fit (:func:`_polish`): at most this many steps, ending when
#: every step is below POLISH_TOL standard errors.
POLISH_STEPS = 6
POLISH_TOL = 1e-9


def _param_bounds(fit) -> dict:
    """The bounds ``(lo, hi)`` of every parameter name of a FitResult (from its models)."""
    bounds = {}
    for m, pmap in zip(fit.models, fit.param_maps):
        for k, n in pmap.items():
            bounds.setdefault(n, m.param(k).bounds)
    return bounds


#: A value within this many of its standard errors of a bound is at the bound.
AT_BOUND_SIGMA = 0.01
#: ... or within this fraction of the width of a range bounded on both sides.
AT_BOUND_WIDTH = 1e-5


def _at_bound(v, lo, hi, stderr=None) -> bool:
    """Whether ``v`` is at (or numerically at) a finite bound ``lo`` or ``hi``.

    Without ``stderr``: within numpy's default tolerance of it (1e-5 of the bound). With the
    standard error ``stderr`` of ``v`` (same unit), the tolerance is also AT_BOUND_SIGMA x
    ``stderr`` and AT_BOUND_WIDTH x ``hi - lo``: a fit ends at a bound only as close as its
    iterations bring it (a tilt at 19.99979 deg of its +20 deg bound with a standard error of
    0.22 deg is there).
    """
    tol = 0.0
    if stderr is not None:
        if np.isfinite(stderr):
            tol = AT_BOUND_SIGMA * abs(float(stderr))
        if np.isfinite(lo) and np.isfinite(hi):
            tol = max(tol, AT_BOUND_WIDTH * (hi - lo))

    def near(b):
        return bool(np.isfinite(b) and (np.isclose(v, b) or abs(v - b) <= tol))

    return near(lo) or near(hi)


def _polish(r, max_steps: int = POLISH_STEPS):
    """The optimum of a converged nonlinear fit, made reproducible: Gauss-Newton steps with a
    central-difference Jacobian from lmfit's end point until the step is below POLISH_TOL standard
    errors, and the covariance from that Jacobian (scaled by the reduced chi-square when the data
    carry no errors, as lmfit does).

    lmfit (MINPACK) stops where its relative tolerances (1.5e-8) are met, so a rewritten but
    equivalent input (rows in another order, every voltage negated) can end 1e-8 of a value (or
    more, with correlated parameters) away; the polished optimum moves only by rounding. A fit
    without a covariance, with a parameter at a bound, or whose steps do not lower chi-square is
    returned unchanged.
    """
    if r.covar is None or not r.varied or not np.all(np.isfinite(r.covar)):
        return r
    names = list(r.varied)
    vals = {k: _nominal(v) for k, v in r.params.items()}
    bounds = _param_bounds(r)
    p0 = np.array([vals[n] for n in names])
    sd = np.sqrt(np.diag(r.covar))
    if not np.all(sd > 0):
        return r
    if any(_at_bound(v, *bounds.get(n, (-np.inf, np.inf))) for n, v in zip(names, p0)):
        return r
    resid = _residuals(r, vals, names)
    h = np.maximum(np.maximum(1e-2 * sd, 1e-9 * np.abs(p0)), 1e-300)
    try:
        with np.errstate(all="ignore"):
            found = _gauss_newton(resid, h, p0, sd, max_steps)
            if found is None:
                return r
            p, f, chi, jm = found
            scale = np.sqrt(np.sum(jm * jm, axis=0))
            u, sv, vt = np.linalg.svd(jm / scale, full_matrices=False)
    except Exception:  # noqa: BLE001 - a model failing away from lmfit's optimum: keep lmfit's result
        return r
    if sv[-1] <= sv[0] * 1e-15:
        return r
    for j, nme in enumerate(names):
        lo, hi = bounds.get(nme, (-np.inf, np.inf))
        if not lo <= p[j] <= hi:
            return r
    return _with_solution(r, names, p, (vt, sv, scale), chi, f.size)


def _residuals(r, vals: dict, names: list):
    """The weighted residuals of every dataset of the fit ``r`` as a function of the values of
    ``names`` (the other parameters at ``vals``)."""
    def resid(p):
        v = dict(vals)
        v.update(zip(names, p))
        out = []
        for d, m, pmap in zip(r.datasets, r.models, r.param_maps):
            inputs = {k: d.meta[k] for k in m.inputs}
            res = m.func(d.x, **{k: v[n] for k, n in pmap.items()}, **inputs) - d.y
            out.append(res / d.yerr if d.yerr is not None else res)
        return np.concatenate(out)

    return resid


def _central_jacobian(resid, p, h):
    """Central-difference Jacobian of ``resid`` at ``p`` with steps ``h``."""
    cols = []
    for j in range(p.size):
        e = np.zeros_like(p)
        e[j] = h[j]
        cols.append((resid(p + e) - resid(p - e)) / (2 * h[j]))
    return np.column_stack(cols)


def _gauss_newton(resid, h, p0, sd, max_steps):
    """Gauss-Newton steps from ``p0`` while chi-square falls, until every step is below POLISH_TOL
    standard errors ``sd``: ``(p, residuals, chi-square, Jacobian)``, or None for a Jacobian that is
    not finite or has a zero column."""
    p, f = p0.copy(), resid(p0)
    chi = float(f @ f)
    jm = _central_jacobian(resid, p, h)
    for _ in range(max_steps):
        scale = np.sqrt(np.sum(jm * jm, axis=0))
        if not (np.all(np.isfinite(jm)) and np.all(np.isfinite(f))) or np.any(scale == 0):
            return None
        step = np.linalg.lstsq(jm / scale, -f, rcond=None)[0] / scale
        pn = p + step
        fn = resid(pn)
        chin = float(fn @ fn)
        if not np.isfinite(chin) or chin > chi * (1 + 1e-12):
            break          # at the optimum to rounding: lmfit's end point stays
        p, f, chi = pn, fn, chin
        jm = _central_jacobian(resid, p, h)
        if np.all(np.abs(step) <= POLISH_TOL * sd):
            break
    return p, f, chi, jm


def _with_solution(r, names, values, svd, chisqr, n):
    """The FitResult ``r`` with ``names`` at ``values`` and the statistics of that solution.

    ``svd`` is ``(vt, sv, scale)``: the SVD of the Jacobian (design matrix) with columns divided
    by ``scale``; the covariance is (V S^-2 V^T) / (scale scale^T), multiplied by the reduced
    chi-square when the data carry no errors. ``n`` is the number of data points.
    """
    vt, sv, scale = svd
    k = len(names)
    cov = (vt.T / sv ** 2) @ vt / np.outer(scale, scale)
    redchi = chisqr / (n - k) if n > k else float("nan")
    if r.errors_scaled:
        cov = cov * redchi
    params = dict(r.params)
    params.update(zip(names, correlated_values(list(map(float, values)), cov, tags=names)))
    ln = n * math.log(chisqr / n) if chisqr > 0 else -math.inf
    return dataclasses.replace(r, params=params, covar=cov, chisqr=chisqr, redchi=redchi,
                               aic=ln + 2 * k, bic=ln + math.log(n) * k)


def _fit_field_law(data, model, start, first: str, mu0_hk, include_one: bool):
    """Fit a law over the fields that is linear in (``first``, r_ane[, r_one]) at a fixed mu0_hk (T),
    from the linear estimates ``start`` (the ordinary Nernst term r_one varied with ``include_one``)."""
    init = {first: start[0], "r_ane": start[1], "mu0_hk": mu0_hk}
    free = ()
    if include_one:
        init["r_one"] = start[2]
        free = ("r_one",)
    res, _ = _fit_quiet(data, model, init=init, fixed={"mu0_hk": mu0_hk}, free=free, guess=False)
    return res


def _linear_design(data, model, r):
    """The weighted design matrix and data of the fit ``r`` when every varied parameter enters
    ``model`` linearly (the others at the values ``r`` holds them): ``(varied, a, b)`` with
    ``a`` (points x varied) and ``b`` divided by the standard errors of the data when it has
    them; None for a model that is not linear in them or non-finite columns."""
    varied = list(r.varied)
    # the polynomials are linear in every coefficient (their specs list the ones varied by default)
    linear = set(model.param_names) if model in (hall_parabola, hall_line) else set(model.linear)
    if not varied or not set(varied) <= linear or r.covar is None:
        return None
    x, y = np.asarray(data.x, float), np.asarray(data.y, float)
    inputs = {k: data.meta[k] for k in model.inputs}
    held = {k: _nominal(v) for k, v in r.params.items()}
    base = model.func(x, **{**held, **{k: 0.0 for k in varied}}, **inputs)
    cols = [model.func(x, **{**held, **{k: float(k == v) for k in varied}}, **inputs) - base
            for v in varied]
    a, b = np.column_stack(cols), y - base
    if data.yerr is not None:
        a, b = a / np.asarray(data.yerr, float)[:, None], b / np.asarray(data.yerr, float)
    n, k = a.shape
    if n <= k or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    return varied, a, b


def _linear_gain(data, model, r) -> dict | None:
    """How the parameters of the linear fit ``r`` follow its data: ``{name: g}`` with
    ``g[i]`` = d(parameter)/d(y_i) (unit of the parameter per unit of y), so that a parameter
    is ``sum_i g[i] y_i`` plus a constant; None where :func:`_linear_design` gives none."""
    design = _linear_design(data, model, r)
    if design is None:
        return None
    varied, a, _ = design
    gain = np.linalg.pinv(a)
    if data.yerr is not None:
        gain = gain / np.asarray(data.yerr, float)[None, :]
    return dict(zip(varied, gain))


def _linear_solution(data, model, kw, r):
    """The fit ``r`` redone by linear least squares when every varied parameter enters ``model``
    linearly (the others at the values ``r`` holds them); None otherwise."""
    design = _linear_design(data, model, r)
    if design is None:
        return None
    varied, a, b = design
    n, k = a.shape
    scale = np.sqrt(np.sum(a * a, axis=0))
    if np.any(scale == 0):
        return None
    u, sv, vt = np.linalg.svd(a / scale, full_matrices=False)
    if sv[-1] <= sv[0] * 1e-13:
        return None
    sol = (vt.T @ ((u.T @ b) / sv)) / scale
    chisqr = float(np.sum((b - a @ sol) ** 2))
    return _with_solution(r, varied, sol, (vt, sv, scale), chisqr, n)
