"""Ladder (vertex) quantities of the T-matrix theory: Upsilon, N, broadening rates, diffuson.

Veneri, Perkins and Ferreira, eqs. (19)-(21), at leading order in the impurity density
(meV, nm, hbar = 1).
"""

from __future__ import annotations

import numpy as np

from .contour import FermiContour
from .model import PAULI
from .green import pauli_components

__all__ = [
    "upsilon_matrix", "n_matrix", "diffuson",
]


def upsilon_matrix(t_plus: np.ndarray) -> np.ndarray:
    """``Upsilon_ab = tr[s_a T+ s_b T-] / 2`` (seed 002 eq. 20), real 4x4, meV^2 nm^4."""
    t_minus = t_plus.conj().T
    u = 0.5 * np.einsum("aij,jk,bkl,li->ab", PAULI, t_plus, PAULI, t_minus)
    return u.real


def broadening_rates(contour: FermiContour, t_plus: np.ndarray) -> np.ndarray:
    """``gamma_k = -Im tr[P_k T+]`` on the contour (``Gamma_k = n gamma_k``), meV nm^2."""
    tc = pauli_components(t_plus)  # T = sum_a t_a s_a ; tr[P T] = sum_a S_a t_a
    return -np.imag(contour.spin @ tc)


def n_matrix(contour: FermiContour, gamma: np.ndarray) -> np.ndarray:
    """``N_ab = (n/2) sum_p tr[s_a G+ s_b G-]`` at leading order in n (seed 002 eq. 20).

    ``= (pi/2) sum_FS S_a S_b / gamma_k`` (independent of n), meV^-2 nm^-4.
    """
    s = contour.spin
    return 0.5 * np.pi * np.einsum("p,pa,pb->ab", contour.weight / gamma, s, s)


def diffuson(m_matrix: np.ndarray, zero_mode: np.ndarray) -> np.ndarray:
    """Generalised diffuson ``D = (1 - M)^-1`` (seed 002 eq. 21) on charge-neutral vertices.

    At leading order in n, ``M`` has the eigenvalue 1 with right eigenvector
    ``r`` = Pauli components of ``Im g0`` (the spin-resolved Fermi-level density
    of states): particle-number conservation. ``1 - M`` is then singular and the
    vertex equation ``D (1 - M) = 1`` has a solution for the row ``alpha`` only
    after the density part ``(r_alpha / r_0) s_0`` is removed from ``s_alpha``;
    that part does not respond to a uniform static field (charge neutrality), so
    the physical ``K`` is unchanged. Row ``alpha`` of the returned ``D`` solves
    ``d (1 - M) = e_alpha - (r_alpha / r_0) e_0`` (minimum norm; the remaining
    freedom adds the conserved density vertex, whose current bubble vanishes).
    Row 0 (the charge vertex itself) is set to zero.

    Parameters
    ----------
    m_matrix : (4, 4) ndarray
        ``M = N Upsilon`` (eq. 19-20).
    zero_mode : (4,) ndarray
        ``r`` with ``M r = r``.

    Returns
    -------
    (4, 4) ndarray
    """
    one_m = np.eye(4) - m_matrix
    r = zero_mode / zero_mode[0]
    rhs = np.eye(4) - np.outer(r, np.eye(4)[0])
    rhs[0] = 0.0
    d, *_ = np.linalg.lstsq(one_m.T, rhs.T, rcond=1e-10)
    return d.T
