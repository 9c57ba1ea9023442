"""The variable-projection Levenberg-Marquardt engine for many spectra at once.

For a model linear in some parameters (``ModelSpec.linear``; its columns and their
derivatives in :data:`sotfit.models.lineshapes.LINEAR_BASES`), the linear parameters follow
in closed form for given nonlinear ones (variable projection, Golub & Pereyra, SIAM J. Numer.
Anal. 10, 413 (1973)); only the nonlinear ones are optimised, by a Levenberg-Marquardt
iteration on the projected residual with Kaufman's Jacobian (BIT 15, 49 (1975)), run on all
spectra at once with numpy batched linear algebra (:func:`varpro_fit`). Its covariance at the
optimum is :func:`varpro_covariance`.
"""

from __future__ import annotations

import numpy as np

from .models.lineshapes import LinearBasis


__all__ = [
    "varpro_fit",
    "varpro_covariance",
]


def _solve_linear(phi_w, y_w):
    """Weighted linear least squares for every spectrum.

    phi_w (N, n, q) and y_w (N, n) already carry the weights; columns of fixed
    linear parameters have been removed by the caller. Columns are scaled to
    unit norm for conditioning.
    Returns c (N, q), the Gram matrix inverse in original scaling (N, q, q), and which
    spectra's columns are linearly dependent (N,) bool: their pseudo-inverse is returned, and
    the caller takes their chi-square as infinite (a trial step whose line is so wide or so
    narrow that its columns coincide with the background's is rejected, not a crash).
    """
    at = phi_w.transpose(0, 2, 1)
    gram = at @ phi_w
    norms = np.sqrt(np.diagonal(gram, axis1=1, axis2=2))
    norms = np.where(norms == 0, 1.0, norms)
    scale = norms[:, :, None] * norms[:, None, :]
    rhs = (at @ y_w[..., None])[..., 0] / norms
    singular = np.zeros(len(gram), bool)
    try:
        ginv = np.linalg.inv(gram / scale)
    except np.linalg.LinAlgError:
        ginv = np.linalg.pinv(gram / scale, hermitian=True)
        singular = np.linalg.matrix_rank(gram / scale, hermitian=True) < gram.shape[-1]
    c = (ginv @ rhs[..., None])[..., 0] / norms
    return c, ginv / scale, singular


def _project_out(v, phi_w, ginv):
    """P_perp v = v - Phi (Phi^T Phi)^-1 Phi^T v for a stack of columns v (N, n, k)."""
    coef = ginv @ (phi_w.transpose(0, 2, 1) @ v)
    return v - phi_w @ coef


def _lm_step(jtj, jtr, lam, free):
    """Levenberg-Marquardt steps -(J^T J + lam diag(J^T J))^-1 J^T r for a stack (N, p, p), of
    the parameters ``free`` ((p,) or per spectrum (N, p)); the others do not move."""
    p = jtj.shape[-1]
    free = np.broadcast_to(np.asarray(free, bool), jtr.shape)
    held = ~free
    if held.any():                        # held parameters: out of the system, rows regular
        jtj = jtj * (free[:, :, None] & free[:, None, :])
        jtr = jtr * free
    diag = np.diagonal(jtj, axis1=1, axis2=2).copy()
    diag[diag <= 0] = 1.0
    a = jtj + (lam[:, None] * diag)[:, :, None] * np.eye(p)
    a += held[:, :, None] * np.eye(p)
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
    return step * free


def _bounded_step(jtj, jtr, lam, free, theta, lo, hi):
    """:func:`_lm_step` within the bounds lo, hi: a parameter at a bound that the step would
    push beyond it is held there and the step of the others is solved again without it (an
    active set), so that they still descend along the bound; a step clipped to the bound
    instead (the others computed as if it moved) can stall a fit short of its optimum."""
    step = _lm_step(jtj, jtr, lam, free)
    blocked = ((theta <= lo) & (step < 0)) | ((theta >= hi) & (step > 0))
    rows = np.flatnonzero(blocked.any(axis=1))
    if rows.size:
        step[rows] = _lm_step(jtj[rows], jtr[rows], lam[rows], free & ~blocked[rows])
    return step


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
        Bounds of the nonlinear parameters: a parameter at a bound that a step would push
        beyond it is held there and the others' step solved without it
        (:func:`_bounded_step`); a step that would cross a bound is clipped to it.
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

    def evaluate(th, sub):
        return _projected_residual(x[sub], y[sub], wt[sub], th, basis, lin_free, nonlin_free,
                                   c_fixed)

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
        th_a = theta[act]
        step = _bounded_step(jact @ ja, (jact @ ra[..., None])[..., 0], la, nonlin_free,
                             th_a, lo, hi)
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


def _projected_residual(xs, ys, ws, th, basis: LinearBasis, lin_free, nonlin_free, c_fixed):
    """The variable-projection residual of spectra (M, n) at the nonlinear parameters ``th``
    (M, p): the linear coefficients solved exactly (the fixed ones held at ``c_fixed``).
    Returns the weighted residuals (M, n), all linear coefficients (M, q), chi-square (M,) and
    the Kaufman Jacobian d r / d theta (M, n, p), zero for fixed parameters."""
    any_fixed_lin = not lin_free.all()
    phi = basis.columns(xs, th)
    y_eff = ys - phi @ c_fixed if any_fixed_lin else ys
    phi_w = (phi[..., lin_free] if any_fixed_lin else phi) * ws[..., None]
    c_free, ginv, singular = _solve_linear(phi_w, y_eff * ws)
    if any_fixed_lin:
        c = np.tile(c_fixed, (len(xs), 1))
        c[:, lin_free] = c_free
    else:
        c = c_free
    r = (ys - (phi @ c[..., None])[..., 0]) * ws
    chi = np.sum(r * r, axis=1)
    if singular.any():
        chi[singular] = np.inf
    df = basis.derivatives(xs, th, c, columns=phi, weights=ws)      # (M, n, p)
    jac = -_project_out(df, phi_w, ginv)                            # d r / d theta (Kaufman)
    if not nonlin_free.all():
        jac = jac * nonlin_free                                     # fixed ones do not move
    return r, c, chi, jac


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
