"""Pauli and spin operators, unit conversions and small helpers of the k·p models.

Spin operators are Pauli matrices (eigenvalues +-1); hbar^2/m_e in eV nm^2 and hbar in eV ps
come from scipy.constants.
"""

from __future__ import annotations

import numpy as np

from ...units import HBAR, E_CHARGE

from scipy import constants as _c

__all__ = [
    "HBAR2_OVER_ME", "HBAR_EV_PS", "PAULI", "SPIN_HALF", "SPIN_TIMES_ORBITAL",
    "NonHermitianError", "hbar_v_from_velocity", "unit_vector", "k_columns", "m_dot",
]


#: hbar^2 / m_e in eV nm^2.
HBAR2_OVER_ME = HBAR**2 / _c.m_e / E_CHARGE * 1e18
#: hbar in eV ps.
HBAR_EV_PS = HBAR / E_CHARGE * 1e12

S0 = np.eye(2, dtype=complex)
SX = np.array([[0, 1], [1, 0]], dtype=complex)
SY = np.array([[0, -1j], [1j, 0]], dtype=complex)
SZ = np.array([[1, 0], [0, -1]], dtype=complex)
#: Pauli matrices (sigma_0, sigma_x, sigma_y, sigma_z).
PAULI = np.stack([S0, SX, SY, SZ])
#: Spin operators (s_x, s_y, s_z) of a two-band spin-1/2 model, shape (3, 2, 2).
SPIN_HALF = PAULI[1:]
#: Spin operators s_i (x) sigma_0 of a four-band model in the basis spin (x) orbital, (3, 4, 4).
SPIN_TIMES_ORBITAL = np.stack([np.kron(PAULI[i], S0) for i in (1, 2, 3)])


class NonHermitianError(ValueError):
    """A model whose Hamiltonian (or velocity or spin operator) is not Hermitian."""


def hbar_v_from_velocity(v_m_per_s: float) -> float:
    """hbar v in eV nm for a velocity in m/s (e.g. 5.873e5 m/s -> 0.3866 eV nm)."""
    return HBAR * v_m_per_s / E_CHARGE * 1e9


def unit_vector(m) -> np.ndarray:
    """A unit 3-vector from ``m`` (3 numbers); a zero or non-finite vector is an error."""
    m = np.asarray(m, dtype=float).reshape(3)
    n = np.linalg.norm(m)
    if not np.isfinite(n) or n == 0:
        raise ValueError(f"magnetisation direction m = {m.tolist()} must be a finite, non-zero 3-vector")
    return m / n


def k_columns(kx, ky):
    """Wave vectors as float arrays with two trailing unit axes, to scale (nb, nb) matrices.

    Parameters
    ----------
    kx, ky : array_like
        Wave-vector components (1/nm), any (equal or broadcastable) shapes.

    Returns
    -------
    kx, ky : ndarray
        Shapes ``kx.shape + (1, 1)`` and ``ky.shape + (1, 1)`` (1/nm).
    """
    return np.asarray(kx, dtype=float)[..., None, None], np.asarray(ky, dtype=float)[..., None, None]


def m_dot(m, ops):
    """The projection m.s = m_x s_x + m_y s_y + m_z s_z of three operators on a direction.

    Parameters
    ----------
    m : sequence of 3 floats
        Magnetisation direction (dimensionless).
    ops : sequence of 3 matrices
        (s_x, s_y, s_z), dense or sparse, any (equal) shape.

    Returns
    -------
    The matrix m.s, of the type of ``ops``.
    """
    mx, my, mz = m
    sx, sy, sz = ops
    return mx * sx + my * sy + mz * sz


def _kron(a, b):
    return np.kron(a, b)
