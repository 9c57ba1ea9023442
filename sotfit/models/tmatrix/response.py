"""Kubo-Streda response of the Rashba ferromagnet: spin susceptibility, conductivity, K_J.

Veneri, Perkins and Ferreira, eqs. (2)-(4) and (13)-(27) at leading order in the impurity
density; results in SI (1/(V m), S, 1/(A m)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .model import (DiluteLimitError, E_SIGNED, RashbaFerromagnet, TMatrixError, conductivity_si,
                    susceptibility_si)
from .contour import FermiContour, dilute_scale
from .green import _contour_and_g0, pauli_components, self_energy, t_matrix
from .vertex import broadening_rates, diffuson, n_matrix, upsilon_matrix

__all__ = [
    "TMatrixResponse", "charge_to_spin_efficiency", "torque_efficiencies", "response",
]


@dataclass
class TMatrixResponse:
    """Everything the T-matrix calculation produces at one parameter point.

    SI results
    ----------
    K : (3, 2) ndarray
        Spin susceptibility ``K_ab`` (``S_a = K_ab E_b``, spin density counted in
        Pauli units ``<s>`` per area), 1/(V m) (seed 002 eq. 22).
    sigma : (2, 2) ndarray
        Sheet conductivity with the renormalised current vertex (eqs. 23-27), S.
    K_J : (3, 2) ndarray
        ``K sigma^-1``, 1/(A m) (eq. 2).

    Internal quantities (meV, nm, hbar = 1)
    ----------------------------------------
    g0, t_plus, sigma_plus : (2, 2) complex
        Eq. 16b, 16a, 32.
    upsilon, n_mat, m_mat, diffuson : (4, 4)
        Eqs. 19-21.
    K_spin_vertex : (3, 2)
        ``K`` from the renormalised spin vertex (eq. 22), same units as ``K``;
        equal to ``K`` (renormalised current vertex) by construction of the
        ladder, reported as a numerical check.
    contour, gamma : the Fermi rings and ``gamma_k`` (``Gamma_k = n gamma_k``).
    broadening_ratio : float
        ``max Gamma_k`` over :func:`dilute_scale` (the dilute-limit parameter).
    """

    model: RashbaFerromagnet
    approximation: str
    K: np.ndarray
    sigma: np.ndarray
    K_J: np.ndarray
    K_spin_vertex: np.ndarray
    g0: np.ndarray
    t_plus: np.ndarray
    sigma_plus: np.ndarray
    upsilon: np.ndarray
    n_mat: np.ndarray
    m_mat: np.ndarray
    diffuson: np.ndarray
    contour: FermiContour
    gamma: np.ndarray
    broadening_ratio: float
    extra: dict = field(default_factory=dict)

    @property
    def K_J_longitudinal(self) -> np.ndarray:
        """``K / sigma_xx``: K_J without the Hall conductivity, 1/(A m).

        This is the normalisation of seed 002's weak-scattering formulas (eq. 34 uses the
        scalar ``sigma_xx``) and the one that reproduces its Fig. 3a inside the spin gap;
        eq. (2) itself defines ``K_J = K sigma^-1`` with the full tensor (:attr:`K_J`).
        See ``docs/tmatrix.md``.
        """
        return self.K / self.sigma[0, 0]

    def kj(self, normalisation: str = "tensor") -> np.ndarray:
        """``K_J`` with ``normalisation`` ``'tensor'`` (eq. 2, full sigma^-1) or ``'longitudinal'``."""
        if normalisation == "tensor":
            return self.K_J
        if normalisation == "longitudinal":
            return self.K_J_longitudinal
        raise TMatrixError(f"normalisation must be 'tensor' or 'longitudinal', not {normalisation!r}")

    def theta_csc(self, velocity: float = 5e4, normalisation: str = "tensor") -> np.ndarray:
        """Charge-to-spin efficiencies ``theta_ab = -2 e v K_J,ab`` (seed 002, after eq. 27).

        Parameters
        ----------
        velocity : float
            The velocity ``v`` of the definition, m/s (seed 002 Fig. 4: 5e4 m/s).
        normalisation : {'tensor', 'longitudinal'}
            ``K_J = K sigma^-1`` (eq. 2) or ``K / sigma_xx`` (see :attr:`K_J_longitudinal`).

        Returns
        -------
        (3, 2) ndarray, dimensionless.
        """
        return charge_to_spin_efficiency(self.kj(normalisation), velocity)

    def torques(self, normalisation: str = "tensor") -> dict:
        """Torque efficiencies ``tau_1^e, tau_2^e, tau_1^o, tau_2^o`` (eq. 4 with K -> K_J), 1/(A m)."""
        return torque_efficiencies(self.kj(normalisation), self.model.theta)


def charge_to_spin_efficiency(k_j: np.ndarray, velocity: float = 5e4) -> np.ndarray:
    """``theta = -2 e v K_J`` (seed 002, after eq. 27), dimensionless; ``v`` in m/s, ``K_J`` in 1/(A m)."""
    return -2 * E_SIGNED * velocity * np.asarray(k_j)


def torque_efficiencies(k_j: np.ndarray, theta: float) -> dict:
    """Torque efficiencies from ``K_J`` (seed 002 eqs. 3-4), 1/(A m).

    Eq. (3) multiplies the current density ``J``, so eq. (4) is applied to
    ``K_J = K sigma^-1`` (this is how eq. 34 follows from eq. 33). For
    ``m = (m_x, 0, m_z)``:

    - ``tau_1^e = K_yy / m_z``
    - ``tau_2^e = (K_xx - K_yy)/(m_x^2 m_z) - K_xx/m_z - K_zx/m_x``
    - ``tau_1^o = K_xy - (m_x/m_z) K_zy``
    - ``tau_2^o = ((K_xy + K_yx)/m_x - K_zy/m_z) / m_x``

    The decomposition is exact (six numbers ``K_J`` <-> four efficiencies plus the
    two undetermined components of the effective field along ``m``). ``tau_2`` needs
    ``m_x != 0`` and every efficiency needs ``m_z != 0``; undefined entries are NaN.

    Parameters
    ----------
    k_j : (3, 2) ndarray
        ``K_J``, rows x, y, z (spin), columns x, y (current).
    theta : float
        Magnetisation polar angle, rad.

    Returns
    -------
    dict with keys ``'tau1_e', 'tau2_e', 'tau1_o', 'tau2_o'``.
    """
    k = np.asarray(k_j)
    mx, mz = math.sin(theta), math.cos(theta)
    kxx, kxy, kyx, kyy, kzx, kzy = k[0, 0], k[0, 1], k[1, 0], k[1, 1], k[2, 0], k[2, 1]
    tiny = 1e-12
    nan = float("nan")
    out = {"tau1_e": nan, "tau2_e": nan, "tau1_o": nan, "tau2_o": nan}
    if abs(mz) > tiny:
        out["tau1_e"] = kyy / mz
        out["tau1_o"] = kxy - (mx / mz) * kzy
        if abs(mx) > tiny:
            out["tau2_e"] = (kxx - kyy) / (mx * mx * mz) - kxx / mz - kzx / mx
            out["tau2_o"] = ((kxy + kyx) / mx - kzy / mz) / mx
    return out


def response(model: RashbaFerromagnet, approximation: str = "tmatrix", n_phi: int = 256,
             max_broadening_ratio: float = 0.1) -> TMatrixResponse:
    """Spin susceptibility, conductivity and K_J of the disordered Rashba ferromagnet.

    Seed 002 eqs. (13)-(27) at leading order in the impurity density (see the
    module docstring): T-matrix (16), ``Sigma = nT`` (32), ``Upsilon``, ``N``,
    ``M = N Upsilon`` (19-20), diffuson (21), ``K`` (22) and ``sigma`` (23-27).

    The current vertex is renormalised once, ``j~ = j + dj`` with
    ``dj = n sum_p T+ G+ j~ G- T-`` (the ladder attached to the vertex that sits
    between ``G+`` and ``G-``), and used for both ``K_ab = tr[s_a G+ j~_b G-]/2pi``
    and ``sigma_ab = tr[j_a G+ j~_b G-]/2pi``; its zero mode (a shift of the
    chemical potential) is fixed by charge neutrality. ``K`` from the
    renormalised spin vertex (eq. 22) is computed too and stored as
    ``K_spin_vertex``.

    Parameters
    ----------
    model : RashbaFerromagnet
    approximation : {'tmatrix', 'born'}
        Full T-matrix or first Born approximation (no skew scattering).
    n_phi : int
        Rays for the Fermi-ring integrals.
    max_broadening_ratio : float
        Largest allowed ``n Gamma / (alpha p_F)``-type ratio (see
        :class:`TMatrixResponse`); above it :class:`DiluteLimitError` is raised.

    Returns
    -------
    TMatrixResponse
    """
    contour, g0 = _contour_and_g0(model, n_phi)
    tp = t_matrix(model, g0, approximation)
    n = model.density
    if approximation == "born":
        tp_ladder = model.w * np.eye(2, dtype=complex)
    else:
        tp_ladder = tp
    gamma = broadening_rates(contour, tp)
    if np.any(gamma <= 0):
        raise TMatrixError("non-positive scattering rate on the Fermi surface "
                           "(optical theorem violated); check the parameters")
    # dilute-limit check: n Gamma small against the band splitting and the Fermi energy
    gam_max = n * float(gamma.max())
    scale = dilute_scale(contour)
    ratio = gam_max / scale
    if ratio > max_broadening_ratio:
        raise DiluteLimitError(
            f"non-dilute parameters: the disorder broadening n*Gamma = {gam_max:.3g} meV is "
            f"{ratio:.2g} of the band splitting / Fermi energy scale ({scale:.3g} meV); the "
            f"T-matrix theory of seed 002 needs n*Gamma << alpha*p_F (ratio <= "
            f"{max_broadening_ratio}); lower 'density' or 'u'")
    ups = upsilon_matrix(tp_ladder)
    nm = n_matrix(contour, gamma)
    mm = nm @ ups
    s, v, wg = contour.spin, contour.velocity, contour.weight / gamma
    bub = np.einsum("p,pa,pb->ab", wg, s, v) / (2 * n)        # (4, 2) tr[s_a G+ v_b G-]/2pi
    s0 = np.einsum("p,pa,pb->ab", wg, v, v) / (2 * n)         # (2, 2) tr[v_a G+ v_b G-]/2pi
    # renormalised current vertex: x_b (Pauli coefficients of dj_b), (1 - Ups N) x = pi n Ups B
    a_mat = np.eye(4) - ups @ nm
    xbar = np.pi * n * ups @ bub                               # (4, 2)
    cons = nm[0] / (np.pi * n)                                 # density response row
    lhs = np.vstack([a_mat, cons[None, :]])
    x = np.empty((4, 2))
    for b in range(2):
        rhs = np.concatenate([xbar[:, b], [-bub[0, b]]])
        x[:, b], *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
    k_int = bub[1:] + nm[1:] @ x / (np.pi * n)                 # (3, 2) meV^-1 nm^-1
    sig_int = s0 + bub.T @ x                                   # (2, 2) dimensionless
    # spin-vertex route (eqs. 18-22)
    r = pauli_components((g0 - g0.conj().T) / 2j).real   # anti-Hermitian part: Im g0
    dmat = diffuson(mm, r)
    k_spin = (dmat @ bub)[1:]
    # SI
    k_si = susceptibility_si(k_int)
    k_spin_si = susceptibility_si(k_spin)
    sig_si = conductivity_si(sig_int)
    k_j = k_si @ np.linalg.inv(sig_si)
    return TMatrixResponse(
        model=model, approximation=approximation, K=k_si, sigma=sig_si, K_J=k_j,
        K_spin_vertex=k_spin_si, g0=g0, t_plus=tp, sigma_plus=self_energy(model, tp),
        upsilon=ups, n_mat=nm, m_mat=mm, diffuson=dmat, contour=contour, gamma=gamma,
        broadening_ratio=ratio,
        extra={"K_internal": k_int, "sigma_internal": sig_int, "x_vertex": x,
               "zero_mode": r, "bubble": bub},
    )
