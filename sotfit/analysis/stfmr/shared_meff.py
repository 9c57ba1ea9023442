"""Torques of many spectra that share one uncertain M_eff: errors and means through the structure.

Every per-spectrum torque quantity of the sequential route is v_i = f(local_i, M_eff): the
local values (h_res, W, V_s, V_a of spectrum i, independent between spectra) and the one M_eff
of the Kittel fit, which itself depends on every spectrum's h_res. To first order (what
``uncertainties`` propagates),

    v_i = L_i + a_i (M_eff - M_eff,0),      L_i = f(local_i, M_eff,0),  a_i = df/dM_eff,

so their covariance is C = diag(D) + u a^T + a u^T + var(M_eff) a a^T with D_i = var(L_i) and
u_i = cov(L_i, M_eff): a diagonal plus a rank-2 term. Built as generic uncertain values, the
covariance of N such values costs O(N^3) (every value holds all N spectra's variables through
M_eff), which made a run of a few hundred spectra with a sample description take minutes.
Here the per-spectrum standard errors cost O(N) in all and the generalised-least-squares mean
(:func:`sotfit.stats.weighted_mean`, same definition, same Birge inflation) is solved with the
Woodbury identity in O(N); the mean keeps its correlations with M_eff as an uncertain value.

When the Kittel fit also fits an in-plane anisotropy field H_k, which the torque formulas take
(:func:`sotfit.models.sot.amr_factors`), every torque shares both: v_i = L_i + a_i . (s - s_0)
with s = (M_eff, H_k), and the low-rank term has rank 4 (:class:`SharedMeff`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from uncertainties import ufloat

from ...stats import SINGULAR_CORRELATION

__all__ = ["SharedMeff", "structured_mean", "is_uncertain"]


def is_uncertain(x) -> bool:
    """Whether ``x`` is an uncertain value (asked of its type: ``hasattr(x, "std_dev")`` would
    compute the standard error, O(N) for a value that depends on every spectrum)."""
    return hasattr(type(x), "std_dev")


def _var(x) -> float:
    """Variance of an uncertain value (0 for a number)."""
    return float(getattr(x, "std_dev", 0.0)) ** 2


class SharedMeff:
    """Split torque quantities into their local part and their terms in the shared values.

    Parameters
    ----------
    meff : uncertainties value
        mu0 M_eff (T), correlated with the spectra's resonance fields.
    *others : uncertainties values
        Further values of the Kittel fit that every torque shares (the in-plane anisotropy
        field mu0 H_k, T, when it is fitted), correlated with M_eff and the spectra.

    Notes
    -----
    With k shared values s (covariance S), v_i = L_i + a_i . (s - s_0) and the covariance of
    the v_i is diag(D) + U A^T + A U^T + A S A^T (U_ij = cov(L_i, s_j), A_ij = dv_i/ds_j): a
    diagonal plus a term of rank 2k.
    """

    def __init__(self, meff, *others):
        shared = (meff,) + tuple(others)
        self.meff = meff
        self.shared = shared
        self.s0 = np.array([float(x.nominal_value) for x in shared])
        self.m0 = float(self.s0[0])
        self.cov_s = np.array([[_cov(x, y) for y in shared] for x in shared])
        self.var_m = float(self.cov_s[0, 0])
        self._ds = [dict(x.derivatives) for x in shared]
        self._probes = tuple(ufloat(float(x0), 1.0) for x0 in self.s0)

    def split(self, torques: Callable[..., Mapping]) -> tuple[dict, dict, dict, dict]:
        """The quantities of ``torques(meff, *others)`` as (full values, standard errors, local
        parts, coefficients a: one number per quantity for M_eff alone, else an array of one
        per shared value); the full values are the uncertain values ``torques(meff, *others)``
        gives, to first order."""
        local = dict(torques(*(float(x) for x in self.s0)))
        probe = torques(*self._probes)
        full, stderr, coef = {}, {}, {}
        for k, loc in local.items():
            der = getattr(probe[k], "derivatives", {})
            a = np.array([float(der.get(p, 0.0)) for p in self._probes])
            coef[k] = float(a[0]) if len(a) == 1 else a
            full[k] = loc + sum(float(aj) * (x - x0) for aj, x, x0 in zip(a, self.shared, self.s0)
                                if aj) if a.any() else loc
            var = _var(loc) + 2.0 * float(a @ self.cov_with_shared(loc)) + float(a @ self.cov_s @ a)
            stderr[k] = math.sqrt(max(var, 0.0)) if is_uncertain(full[k]) else None
        return full, stderr, local, coef

    def cov_with_shared(self, local) -> np.ndarray:
        """cov(local, s_j) for each shared value, from their derivatives (zeros for a number)."""
        if not is_uncertain(local):
            return np.zeros(len(self.shared))
        der = local.derivatives
        return np.array([float(sum(c * d.get(v, 0.0) * v.std_dev ** 2 for v, c in der.items()))
                         for d in self._ds])

    def cov_with_meff(self, local) -> float:
        """cov(local, M_eff) from their derivatives (0 for a number)."""
        return float(self.cov_with_shared(local)[0])


def _cov(x, y) -> float:
    """Covariance of two uncertain values from their derivatives."""
    dy = y.derivatives
    return float(sum(c * dy.get(v, 0.0) * v.std_dev ** 2 for v, c in x.derivatives.items()))


def _correlation_bounds(d, u, a, cov_s):
    """Bounds (lower on the smallest, upper on the largest) of the eigenvalues of the
    correlation matrix of C = diag(d) + U A^T + A U^T + A S A^T (Weyl's inequalities);
    ``u``, ``a`` of shape (n, k), ``cov_s`` (k, k)."""
    k = a.shape[1]
    c_diag = d + 2 * np.einsum("ij,ij->i", u, a) + np.einsum("ij,jk,ik->i", a, cov_s, a)
    s = np.sqrt(c_diag)
    q = np.column_stack([u, a]) / s[:, None]
    # the rank-2k part of the normalised matrix, Q M Q^T with M = [[0, I], [I, S]]: its
    # nonzero eigenvalues are those of the 2k x 2k matrix M G with G = Q^T Q
    m = np.block([[np.zeros((k, k)), np.eye(k)], [np.eye(k), cov_s]])
    ev = np.linalg.eigvals(m @ (q.T @ q)).real
    dn = d / c_diag
    return float(dn.min() + min(ev.min(), 0.0)), float(dn.max() + max(ev.max(), 0.0))


def structured_mean(local: Sequence, coef: Sequence, split: SharedMeff,
                    inflate: bool = True, info: dict | None = None):
    """GLS mean of v_i = L_i + a_i . (s - s_0) and its Birge ratio (s: the shared values).

    The definition of :func:`sotfit.stats.weighted_mean` (w = C^-1 1 / 1^T C^-1 1, Birge
    inflation when chi^2/(n-1) > 1, inverse-variance weights when the correlation matrix is
    singular), with C^-1 applied by the Woodbury identity.

    Parameters
    ----------
    local : sequence of uncertainties values
        L_i, independent between spectra, each with a standard error > 0.
    coef : sequence of float or of arrays
        a_i = dv_i/ds (unit of v per unit of s), as :meth:`SharedMeff.split` gives them.
    split : SharedMeff
    inflate : bool
    info : dict, optional
        Filled with ``singular`` and ``min_correlation_eigenvalue`` (a lower bound here).

    Returns
    -------
    (uncertain value, float)
        The mean (unit of the values) and the Birge ratio sqrt(chi^2/(n - 1)).
    """
    n = len(local)
    k = len(split.shared)
    x = np.array([float(L.nominal_value) for L in local])
    d = np.array([_var(L) for L in local])
    u = np.array([split.cov_with_shared(L) for L in local]).reshape(n, k)
    a = np.array([np.atleast_1d(c) for c in coef], float).reshape(n, k)
    cov_s = split.cov_s
    lo, hi = _correlation_bounds(d, u, a, cov_s)
    rel = lo / hi
    singular = not rel > SINGULAR_CORRELATION
    if info is not None:
        info.update(singular=singular, min_correlation_eigenvalue=rel)
    c_diag = d + 2 * np.einsum("ij,ij->i", u, a) + np.einsum("ij,jk,ik->i", a, cov_s, a)
    if singular:
        def solve(y):
            return y / c_diag
    else:
        uu = np.column_stack([u, a])
        # inverse of [[0, I], [I, S]]
        w_inv = np.block([[-cov_s, np.eye(k)], [np.eye(k), np.zeros((k, k))]])
        du = uu / d[:, None]
        cap = np.linalg.inv(w_inv + uu.T @ du)

        def solve(y):
            dy = y / d
            return dy - du @ (cap @ (uu.T @ dy))
    ci1 = solve(np.ones(n))
    wts = ci1 / ci1.sum()
    mean_local = sum(float(wi) * L for wi, L in zip(wts, local))
    wa = wts @ a
    mean = mean_local + sum(float(c) * (sv - s0) for c, sv, s0 in zip(wa, split.shared, split.s0))
    r = x + 0.0 - float(mean.nominal_value)
    chi2 = max(float(r @ solve(r)), 0.0)
    birge = math.sqrt(chi2 / (n - 1))
    if inflate and birge > 1:
        mean = mean + ufloat(0.0, mean.std_dev * math.sqrt(birge ** 2 - 1))
    return mean, birge
