"""Scattering of one electron at the delta barrier with exchange and Rashba coupling.

Amin, Haney and Stiles (free-electron delta barrier), eqs. (14)-(17) and (A1)-(A30): the effective
barrier, reflection and transmission amplitudes, spin currents and torques per incident state.
Momenta in units of k_F, barrier strengths dimensionless (in units of hbar^2 k_F / m).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "MIN_NODES", "PAULI4", "DeltaInputError", "ConvergenceError", "u_effective",
    "reflection_transmission", "boltzmann_matrices", "spin_current_and_torque",
    "a30_closed_form",
]


#: Fewest nodes of the polar and azimuthal quadratures.
MIN_NODES = 8

_SX = np.array([[0, 1], [1, 0]], dtype=complex)
_SY = np.array([[0, -1j], [1j, 0]], dtype=complex)
_SZ = np.array([[1, 0], [0, -1]], dtype=complex)
_I2 = np.eye(2, dtype=complex)
#: Pauli matrices and identity in the order [x, y, z, c] of seed 004, eq. (B5).
PAULI4 = np.stack([_SX, _SY, _SZ, _I2])


class DeltaInputError(ValueError):
    """Impossible input for the delta-barrier model."""


class ConvergenceError(RuntimeError):
    """A Fermi-surface quadrature that did not reach the requested tolerance."""


def _unit(m):
    m = np.asarray(m, dtype=float)
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    if np.any(n == 0) or not np.all(np.isfinite(m)):
        raise DeltaInputError(f"magnetisation direction m must be a finite non-zero vector; got {m}")
    return m / n


def _khat(theta, phi):
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    st = np.sin(theta)
    return np.stack(np.broadcast_arrays(st * np.cos(phi), st * np.sin(phi), np.cos(theta)), axis=-1)


def u_effective(khat, u_ex, u_R, m=(0.0, 0.0, 1.0)):
    """Effective field ``u_eff = u_ex m + u_R z x k/k_F`` (seed 004, eq. 15).

    Parameters
    ----------
    khat : array_like, shape (..., 3)
        Incident wave vector divided by k_F (on the Fermi sphere).
    u_ex, u_R : float
        Dimensionless exchange and Rashba strengths.
    m : array_like, shape (3,)
        Magnetisation direction (normalised here).

    Returns
    -------
    ndarray, shape (..., 3)
    """
    khat = np.asarray(khat, dtype=float)
    m = _unit(m)
    zxk = np.stack([-khat[..., 1], khat[..., 0], np.zeros_like(khat[..., 0])], axis=-1)
    return u_ex * m + u_R * zxk


def reflection_transmission(khat, u0, u_ex, u_R, m=(0.0, 0.0, 1.0)):
    """2x2 reflection and transmission matrices for incident ``k`` (seed 004, eqs. A7-A22).

    Parameters
    ----------
    khat : array_like, shape (..., 3)
        ``k / k_F`` of the incident electron, ``k_z > 0`` (the matrices
        depend only on ``|k_z|`` and ``k_par``).
    u0 : float
        Spin-independent barrier (dimensionless, eq. 17).
    u_ex, u_R : float
        Exchange and Rashba strengths (eq. 15).
    m : array_like
        Magnetisation direction.

    Returns
    -------
    r, t : ndarray, shape (..., 2, 2), complex
        ``r = U (i k* - U)^-1`` and ``t = 1 + r`` with ``U = u0 + sigma . u_eff``.
    """
    khat = np.asarray(khat, dtype=float)
    if np.any(np.abs(np.linalg.norm(khat, axis=-1) - 1.0) > 1e-9):
        raise DeltaInputError("k/k_F must lie on the Fermi sphere (|khat| = 1)")
    kz = np.abs(khat[..., 2])
    if np.any(kz == 0):
        raise DeltaInputError("grazing incidence (k_z = 0) carries no current; use 0 <= theta < pi/2")
    for name, v in (("u0", u0), ("u_ex", u_ex), ("u_R", u_R)):
        if not np.isfinite(v):
            raise DeltaInputError(f"barrier strength {name} must be finite; got {v}")
    ueff = u_effective(khat, u_ex, u_R, m)
    ua = np.linalg.norm(ueff, axis=-1)
    # projectors on the spin parallel / antiparallel to u_eff (any axis if u_eff = 0)
    safe = np.where(ua > 0, ua, 1.0)
    n = np.where((ua > 0)[..., None], ueff / safe[..., None], np.array([0.0, 0.0, 1.0]))
    ns = np.einsum("...i,ijk->...jk", n, PAULI4[:3])
    p_up = 0.5 * (_I2 + ns)
    p_dn = 0.5 * (_I2 - ns)
    u_up = u0 + ua
    u_dn = u0 - ua
    ik = 1j * kz
    r_up = u_up / (ik - u_up)
    r_dn = u_dn / (ik - u_dn)
    r = r_up[..., None, None] * p_up + r_dn[..., None, None] * p_dn
    t = np.broadcast_to(_I2, r.shape) + r
    return r, t


def boltzmann_matrices(r, t):
    """4x4 Boltzmann reflection and transmission matrices (seed 004, eqs. B12-B13).

    ``R_ab = tr[r^dag sigma_a r sigma_b] / 2`` (and T likewise), indices
    ``[x, y, z, c]``; these map an incident distribution four-vector
    ``g = (g_x, g_y, g_z, g_c)`` (density matrix ``(g_c + g . sigma) / 2``) onto
    the reflected (transmitted) one: ``rho -> r rho r^dag``.

    Parameters
    ----------
    r, t : ndarray, shape (..., 2, 2)

    Returns
    -------
    R, T : ndarray, shape (..., 4, 4), real
    """
    def conv(s):
        x = np.einsum("...ji,ajk->...aik", np.conj(s), PAULI4)  # s^dag sigma_a
        a = x @ s[..., None, :, :]                              # s^dag sigma_a s
        return 0.5 * np.real(np.einsum("...aij,bji->...ab", a, PAULI4))
    return conv(r), conv(t)


def spin_current_and_torque(khat, u0, u_ex, u_R, psi_in, m=(0.0, 0.0, 1.0)):
    """Spin-current jump and torques for one incident spinor (seed 004, eqs. A12-A16, A28-A29).

    Units: spin currents and torques in ``hbar k_F / m`` (times the squared
    norm of ``psi_in``), with ``Q_z = (hbar k_z / m) psi^dag sigma psi`` for a
    plane wave.

    Parameters
    ----------
    khat : array_like, shape (3,)
        Incident ``k / k_F``.
    u0, u_ex, u_R : float
        Barrier parameters (eqs. 15, 17).
    psi_in : array_like, shape (2,)
        Incident spinor (spin basis along z).
    m : array_like
        Magnetisation direction.

    Returns
    -------
    dict
        ``delta_q`` = Q(0-) - Q(0+) (absorbed spin current, eq. A28),
        ``torque_total`` = 2 s0 x u_eff (torque on the total effective field,
        eq. A29 with ``u_up - u_dn = 2 |u_eff|``), ``torque_exchange`` =
        2 u_ex s0 x m (torque on the magnetisation alone), ``s0`` (spin
        density at z = 0, eq. A14).
    """
    khat = np.asarray(khat, dtype=float)
    psi = np.asarray(psi_in, dtype=complex)
    r, t = reflection_transmission(khat, u0, u_ex, u_R, m)
    kz = abs(khat[2])
    q_minus = np.array([kz * np.real(psi.conj() @ (s - r.conj().T @ s @ r) @ psi) for s in PAULI4[:3]])
    q_plus = np.array([kz * np.real(psi.conj() @ (t.conj().T @ s @ t) @ psi) for s in PAULI4[:3]])
    s0 = np.array([np.real(psi.conj() @ t.conj().T @ s @ t @ psi) for s in PAULI4[:3]])
    ueff = u_effective(khat, u_ex, u_R, m)
    return {
        "delta_q": q_minus - q_plus,
        "torque_total": 2.0 * np.cross(s0, ueff),
        "torque_exchange": 2.0 * u_ex * np.cross(s0, _unit(m)),
        "s0": s0,
    }


def a30_closed_form(kz_star, u_up, u_dn):
    """Seed 004 eq. (A30): ``tau / k* = Delta Q / k* = (sin^2 Dchi, sin Dchi cos Dchi, 0)``.

    For an incident spin along x' (transverse to B along z'), in units of
    ``hbar k_F / m``, with ``cot(chi_s) = u_s / k*`` (eqs. A19-A20) and
    ``Dchi = chi_up - chi_dn``.
    """
    chi_up = np.arctan2(kz_star, u_up)
    chi_dn = np.arctan2(kz_star, u_dn)
    d = chi_up - chi_dn
    return np.array([np.sin(d) ** 2, np.sin(d) * np.cos(d), 0.0])
