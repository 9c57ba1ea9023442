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
    """Split torque quantities into their local part and their M_eff term.

    Parameters
    ----------
    meff : uncertainties value
        mu0 M_eff (T), correlated with the spectra's resonance fields.
    """

    def __init__(self, meff):
        self.meff = meff
        self.m0 = float(meff.nominal_value)
        self.var_m = _var(meff)
        self._dm = dict(meff.derivatives)
        self._probe = ufloat(self.m0, 1.0)

    def split(self, torques: Callable[[object], Mapping]) -> tuple[dict, dict, dict, dict]:
        """The quantities of ``torques(meff)`` as (full values, standard errors, local parts,
        M_eff coefficients a); the full values are the uncertain values ``torques(meff)`` gives,
        to first order."""
        local = dict(torques(self.m0))
        probe = torques(self._probe)
        full, stderr, coef = {}, {}, {}
        for k, loc in local.items():
            a = float(getattr(probe[k], "derivatives", {}).get(self._probe, 0.0))
            coef[k] = a
            full[k] = loc + a * (self.meff - self.m0) if a else loc
            var = _var(loc) + 2.0 * a * self.cov_with_meff(loc) + a * a * self.var_m
            stderr[k] = math.sqrt(max(var, 0.0)) if is_uncertain(full[k]) else None
        return full, stderr, local, coef

    def cov_with_meff(self, local) -> float:
        """cov(local, M_eff) from their derivatives (0 for a number)."""
        if not is_uncertain(local):
            return 0.0
        return float(sum(c * self._dm.get(v, 0.0) * v.std_dev ** 2
                         for v, c in local.derivatives.items()))


def _correlation_bounds(d, u, a, v):
    """Bounds (lower on the smallest, upper on the largest) of the eigenvalues of the
    correlation matrix of C = diag(d) + u a^T + a u^T + v a a^T (Weyl's inequalities)."""
    c_diag = d + 2 * u * a + v * a * a
    s = np.sqrt(c_diag)
    un, an = u / s, a / s
    # the rank-2 part of the normalised matrix, [un an] [[0, 1], [1, v]] [un an]^T: its two
    # eigenvalues are those of the 2x2 matrix W G with G the Gram matrix of (un, an)
    g = np.array([[un @ un, un @ an], [an @ un, an @ an]])
    ev = np.linalg.eigvals(np.array([[0.0, 1.0], [1.0, v]]) @ g).real
    dn = d / c_diag
    return float(dn.min() + min(ev.min(), 0.0)), float(dn.max() + max(ev.max(), 0.0))


def structured_mean(local: Sequence, coef: Sequence[float], split: SharedMeff,
                    inflate: bool = True, info: dict | None = None):
    """GLS mean of v_i = L_i + a_i (M_eff - M_eff,0) and its Birge ratio.

    The definition of :func:`sotfit.stats.weighted_mean` (w = C^-1 1 / 1^T C^-1 1, Birge
    inflation when chi^2/(n-1) > 1, inverse-variance weights when the correlation matrix is
    singular), with C^-1 applied by the Woodbury identity.

    Parameters
    ----------
    local : sequence of uncertainties values
        L_i, independent between spectra, each with a standard error > 0.
    coef : sequence of float
        a_i = dv_i/dM_eff (unit of v per T).
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
    x = np.array([float(L.nominal_value) for L in local])
    d = np.array([_var(L) for L in local])
    u = np.array([split.cov_with_meff(L) for L in local])
    a = np.asarray(coef, float)
    v = split.var_m
    lo, hi = _correlation_bounds(d, u, a, v)
    rel = lo / hi
    singular = not rel > SINGULAR_CORRELATION
    if info is not None:
        info.update(singular=singular, min_correlation_eigenvalue=rel)
    c_diag = d + 2 * u * a + v * a * a
    if singular:
        def solve(y):
            return y / c_diag
    else:
        uu = np.column_stack([u, a])
        w_inv = np.array([[-v, 1.0], [1.0, 0.0]])            # inverse of [[0, 1], [1, v]]
        du = uu / d[:, None]
        cap = np.linalg.inv(w_inv + uu.T @ du)

        def solve(y):
            dy = y / d
            return dy - du @ (cap @ (uu.T @ dy))
    ci1 = solve(np.ones(n))
    wts = ci1 / ci1.sum()
    mean_local = sum(float(wi) * L for wi, L in zip(wts, local))
    mean = mean_local + float(wts @ a) * (split.meff - split.m0)
    r = x + 0.0 - float(mean.nominal_value)
    chi2 = max(float(r @ solve(r)), 0.0)
    birge = math.sqrt(chi2 / (n - 1))
    if inflate and birge > 1:
        mean = mean + ufloat(0.0, mean.std_dev * math.sqrt(birge ** 2 - 1))
    return mean, birge
