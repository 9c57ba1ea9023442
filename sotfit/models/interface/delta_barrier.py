"""Delta-barrier interface with exchange and Rashba coupling (free electrons).

Seed 004_7d8d4f1eff3c5d03.txt (Amin, Haney, Stiles), eqs. (14)-(17), (28)-(41),
appendix A (A1)-(A30) and appendix B (B12)-(B48).

Model (eq. 17): ``H = hbar^2 k^2 / 2m + (hbar^2 k_F / m) delta(z) (u0 + sigma . u_eff)``
with ``u_eff = u_ex m + u_R z x k / k_F`` (eq. 15). Both sides of the interface
are the same free-electron gas (Fermi wave number ``k_F``), so the 2x2
reflection and transmission matrices depend only on the in-plane momentum
and are the same for electrons coming from either side.

Matching (eqs. A7-A9, A18): with ``U = u0 + sigma . u_eff`` and
``k* = k_z / k_F = cos(theta)``,

    r = U (i k* - U)^-1,    t = 1 + r = i k* (i k* - U)^-1,

diagonal in the frame of ``u_eff`` with ``u_up/dn = u0 +- |u_eff|`` (A17-A22).

Boltzmann scattering matrices (eqs. B12-B13), components ordered
``[x, y, z, c]`` with ``sigma_c = 1``:

    R_ab = tr[r^dag sigma_a r sigma_b] / 2,   T_ab = tr[t^dag sigma_a t sigma_b] / 2.

Azimuthal integrals (eqs. B37-B40), normalised by 1/pi so that they reproduce
eqs. (33) and (38) as printed:

    S^n_{i-r}(theta) = (1/pi) int_0^{2pi} dphi cos^n(phi) (I - R),
    S^n_t(theta)     = (1/pi) int_0^{2pi} dphi cos^n(phi) T.

Polar integrals (eqs. 28-30, 39-41, B41-B46). The currents are integrals
over the 2D Brillouin zone (eq. B19), whose measure on the Fermi hemisphere is
``k_F^2 sin(theta) cos(theta) dtheta dphi``; in units of the per-spin Sharvin
conductance ``G_Sh / A = (e^2/h) k_F^2 / 4 pi`` this gives

    M = int_0^{pi/2} dtheta sin(theta) cos(theta) S(theta).

The accumulations (eq. 21) carry the measure ``sin(theta) dtheta dphi``; this
module normalises them by the equilibrium value (so ``w = sin(theta) / 2``
per 1/pi-normalised azimuthal integral, i.e. ``I_4`` for full transmission).
Seed 004 prints ``v(theta) ~ sin(theta)`` and ``w(theta) ~ tan(theta)``
(text after eq. 30, eq. B31); the flux factor ``cos(theta)`` is missing there
(see docs/interface.md, "Discrepancies").

Mixing conductance and sign convention. For a magnetisation ``m`` and two
unit vectors ``e1, e2 = m x e1`` perpendicular to it, the spin current absorbed
at the interface (incident minus reflected, the ``i-r`` side) for an incident
transverse spin ``q = e1`` is written

    M_{i-r} e1 = Re G e1 + Im G (e1 x m) = Re G e1 - Im G e2,

i.e. ``Re G = e1 . M e1`` and ``Im G = -e2 . M e1``. Without spin-orbit coupling
this is ``G / G_Sh = < 1 - r_up r_dn^* >`` over the Fermi hemisphere with weight
``2 k*`` (``up`` = spin along ``u_eff``), the same convention as the
tight-binding module.

For ``m = z`` the closed forms (eqs. 33, 38) hold with the direction cosines of
``u_eff`` relative to ``z``:

    fc = cos(chi) / sqrt(cos^2 chi + sin^2 theta sin^2 chi),
    fs = sin(theta) sin(chi) / sqrt(cos^2 chi + sin^2 theta sin^2 chi).

Seed 004 eqs. (34)-(35) print ``sin(theta)`` on the other term; the printed
forms also satisfy the limits (36)-(37) but do not reproduce the numerical
azimuthal integrals (they would make the exchange part vanish at normal
incidence, where the Rashba field is zero). With ``u_eff`` as in eq. (15) the
``n = 1`` matrix is the negative of eq. (38) as printed (equivalently, eq. (38)
holds for ``u_R -> -u_R``); see docs/interface.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DeltaInputError",
    "MIN_NODES",
    "ConvergenceError",
    "PAULI4",
    "u_effective",
    "reflection_transmission",
    "boltzmann_matrices",
    "spin_current_and_torque",
    "a30_closed_form",
    "azimuthal_integrals",
    "closed_form_parameters",
    "fs_fc",
    "fs_fc_printed",
    "s_matrices_mz",
    "polar_response",
    "mixing_conductance_delta",
    "collinear_mixing_closed_form",
    "InterfaceCoefficients",
    "interface_coefficients",
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


def _phi_rule(n_phi):
    if n_phi < MIN_NODES:
        raise DeltaInputError(f"azimuthal grid of {n_phi} points is too coarse; "
                              f"use n_phi >= {MIN_NODES}")
    phi = 2 * math.pi * np.arange(n_phi) / n_phi
    return phi, np.full(n_phi, 2 * math.pi / n_phi)


def azimuthal_integrals(theta, u0, u_ex, u_R, m=(0.0, 0.0, 1.0), n=0, n_phi=64):
    """Azimuthal integrals ``S^n_{i-r}`` and ``S^n_t`` (seed 004, eqs. B37-B40).

    ``S^n_{i-r} = (1/pi) int dphi cos^n phi (I - R)``, ``S^n_t = (1/pi) int dphi
    cos^n phi T``, by the trapezoidal rule on ``n_phi`` points (exponentially
    accurate for these smooth periodic integrands).

    Parameters
    ----------
    theta : float or array_like
        Polar angle(s) of incidence in rad, ``0 <= theta < pi/2``.
    u0, u_ex, u_R : float
        Barrier parameters.
    m : array_like
        Magnetisation direction (any direction).
    n : {0, 1}
        Power of ``cos(phi)``: 0 for accumulation drive (eq. 19), 1 for
        in-plane drive (eq. 20).
    n_phi : int
        Number of azimuthal points (>= 8).

    Returns
    -------
    S_ir, S_t : ndarray, shape (..., 4, 4)
    """
    if n not in (0, 1):
        raise DeltaInputError(f"n must be 0 or 1 (eqs. B37-B40); got {n}")
    theta = np.asarray(theta, dtype=float)
    if np.any(theta < 0) or np.any(theta >= math.pi / 2):
        raise DeltaInputError("polar angle theta must lie in [0, pi/2)")
    phi, w = _phi_rule(n_phi)
    kh = _khat(theta[..., None], phi)
    r, t = reflection_transmission(kh, u0, u_ex, u_R, m)
    R, T = boltzmann_matrices(r, t)
    wt = w * np.cos(phi) ** n / math.pi
    s_ir = np.einsum("p,...pab->...ab", wt, np.eye(4) - R)
    s_t = np.einsum("p,...pab->...ab", wt, T)
    return s_ir, s_t


def closed_form_parameters(theta, u0, u_abs):
    """``a_v, b_v, c, d`` of eqs. (B20)-(B22) in the frame of ``u_eff``.

    Parameters
    ----------
    theta : float or array_like
        Polar angle (rad).
    u0 : float
        Spin-independent barrier.
    u_abs : float or array_like
        ``|u_eff|`` at this angle.

    Returns
    -------
    dict with ``a_ir, b_ir, a_t, b_t, c, d``: ``I - R_bar`` has the transverse
    block ``[[a, -b], [b, a]]`` and longitudinal block ``[[c, d], [d, c]]``
    (eq. B22), ``T_bar`` likewise with ``a_t, b_t``. In terms of the amplitudes
    ``a_ir = 1 - Re(r_up r_dn^*)``, ``b_ir = Im(r_up r_dn^*)``,
    ``a_t = Re(t_up t_dn^*)``, ``b_t = -Im(t_up t_dn^*)``,
    ``c = 1 - (|r_up|^2 + |r_dn|^2)/2``, ``d = (|r_dn|^2 - |r_up|^2)/2``.
    """
    kz = np.cos(np.asarray(theta, dtype=float))
    uu = u0 + np.asarray(u_abs, dtype=float)
    ud = u0 - np.asarray(u_abs, dtype=float)
    r_up = uu / (1j * kz - uu)
    r_dn = ud / (1j * kz - ud)
    t_up, t_dn = 1 + r_up, 1 + r_dn
    rr = r_up * np.conj(r_dn)
    tt = t_up * np.conj(t_dn)
    return {
        "a_ir": 1 - rr.real, "b_ir": rr.imag, "a_t": tt.real, "b_t": -tt.imag,
        "c": 1 - 0.5 * (abs(r_up) ** 2 + abs(r_dn) ** 2),
        "d": 0.5 * (abs(r_dn) ** 2 - abs(r_up) ** 2),
    }


def fs_fc(theta, chi):
    """Direction sine and cosine of ``u_eff`` relative to ``m = z`` (corrected eqs. 34-35).

    ``fc = cos chi / D``, ``fs = sin theta sin chi / D`` with
    ``D = sqrt(cos^2 chi + sin^2 theta sin^2 chi)``, where ``u_ex = |u| cos chi``,
    ``u_R = |u| sin chi`` (eq. 16). Limits (eqs. 36-37): ``fs(0) = 0``,
    ``fs(pi/2) = 1``, ``fc(0) = 1``, ``fc(pi/2) = 0`` (for ``theta > 0``).
    """
    theta = np.asarray(theta, dtype=float)
    chi = np.asarray(chi, dtype=float)
    st = np.sin(theta)
    d = np.sqrt(np.cos(chi) ** 2 + st ** 2 * np.sin(chi) ** 2)
    return st * np.sin(chi) / d, np.cos(chi) / d


def fs_fc_printed(theta, chi):
    """Seed 004 eqs. (34)-(35) exactly as printed (kept to document the discrepancy)."""
    st = np.sin(np.asarray(theta, dtype=float))
    d = np.sqrt(st ** 2 * np.cos(chi) ** 2 + np.sin(chi) ** 2)
    return np.sin(chi) / d, st * np.cos(chi) / d


def s_matrices_mz(theta, u0, u_abs, chi, n=0):
    """Closed forms of ``S^n_{i-r}`` and ``S^n_t`` for ``m = z`` (eqs. 33 and 38).

    Parameters
    ----------
    theta : float
        Polar angle (rad).
    u0 : float
        Spin-independent barrier.
    u_abs : float
        ``|u_eff|`` parameter of eq. (16) (``u_ex = u_abs cos chi``,
        ``u_R = u_abs sin chi``).
    chi : float
        Mixing angle of eq. (16) (rad).
    n : {0, 1}

    Returns
    -------
    S_ir, S_t : ndarray (4, 4)
        Eq. (33) for ``n = 0`` (with the corrected fs, fc) and minus eq. (38)
        for ``n = 1`` (sign for ``u_eff`` as in eq. 15, see module docstring).
    """
    fs, fc = fs_fc(theta, chi)
    ueff = u_abs * math.sqrt(math.cos(chi) ** 2 + math.sin(theta) ** 2 * math.sin(chi) ** 2)
    p = closed_form_parameters(theta, u0, ueff)
    c, d = p["c"], p["d"]
    out = []
    for a, b in ((p["a_ir"], p["b_ir"]), (p["a_t"], p["b_t"])):
        if n == 0:
            s = np.zeros((4, 4))
            s[3, 3] = 2 * c
            s += 2 * fc * np.array([[fc * a, -b, 0, 0], [b, fc * a, 0, 0],
                                    [0, 0, fc * c, d], [0, 0, d, 0]])
            s += fs ** 2 * np.diag([a + c, a + c, 2 * a, 0.0])
        elif n == 1:
            s = -fs * np.array([[0, 0, -b, 0], [0, 0, fc * (a - c), -d],
                                [b, fc * (a - c), 0, 0], [0, -d, 0, 0]])
        else:
            raise DeltaInputError(f"n must be 0 or 1; got {n}")
        out.append(s)
    return out[0], out[1]


def _theta_rule(n_theta):
    if n_theta < MIN_NODES:
        raise DeltaInputError(f"polar grid of {n_theta} points is too coarse; "
                              f"use n_theta >= {MIN_NODES}")
    # Gauss-Legendre in x = cos(theta) on (0, 1): smooth integrands in k* = cos(theta)
    x, w = np.polynomial.legendre.leggauss(n_theta)
    x = 0.5 * (x + 1)
    w = 0.5 * w
    return np.arccos(x), x, w


def polar_response(u0, u_ex, u_R, m=(0.0, 0.0, 1.0), n=0, n_theta=64, n_phi=64):
    """Polar integrals of the S matrices (seed 004, eqs. 28-30, 39-41, B41-B46).

    Returns 4x4 matrices in units of the per-spin Sharvin conductance
    ``(e^2/h) k_F^2 / 4 pi`` for the currents, and normalised to the
    equilibrium density for the accumulation:

    * ``M_ir = int dtheta sin cos S_{i-r}``, ``M_t = int dtheta sin cos S_t``;
    * ``delta_S = M_ir - M_t`` (eqs. 30, 41: jump of the current across the
      interface per mean drive), ``S_bar = M_ir + M_t`` (eqs. 29, 40);
    * ``mu = int dtheta sin(theta) S_t / 2`` (eqs. 28, 39; interface
      accumulation per mean drive, normalised so that full transmission
      gives the identity for ``n = 0``).

    Parameters
    ----------
    u0, u_ex, u_R : float
        Barrier parameters (eqs. 15-17).
    m : array_like
        Magnetisation direction (general directions are integrated numerically).
    n : {0, 1}
        Accumulation drive (eq. 19) or in-plane drive (eq. 20).
    n_theta, n_phi : int
        Quadrature points in ``cos(theta)`` (Gauss-Legendre) and ``phi``
        (trapezoid).

    Returns
    -------
    dict of ndarray (4, 4): ``M_ir``, ``M_t``, ``S_bar``, ``delta_S``, ``mu``.
    """
    theta, x, w = _theta_rule(n_theta)
    s_ir, s_t = azimuthal_integrals(theta, u0, u_ex, u_R, m, n, n_phi)
    # sin(theta) cos(theta) dtheta = x dx ;  sin(theta) dtheta = dx
    m_ir = np.einsum("q,qab->ab", w * x, s_ir)
    m_t = np.einsum("q,qab->ab", w * x, s_t)
    mu = np.einsum("q,qab->ab", w / 2, s_t)
    return {"M_ir": m_ir, "M_t": m_t, "S_bar": m_ir + m_t, "delta_S": m_ir - m_t, "mu": mu}


def _transverse_basis(m):
    m = _unit(m)
    trial = np.array([1.0, 0.0, 0.0]) if abs(m[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = trial - (trial @ m) * m
    e1 /= np.linalg.norm(e1)
    return m, e1, np.cross(m, e1)


def mixing_conductance_delta(u0, u_ex, u_R=0.0, m=(0.0, 0.0, 1.0), side="ir", n_theta=64,
                             n_phi=64, tol=None, max_points=1024):
    """Mixing conductance of the delta barrier in units of the per-spin Sharvin conductance.

    ``Re G = e1 . M e1``, ``Im G = -e2 . M e1`` with ``M`` the polar integral of
    ``S^0_{i-r}`` (``side='ir'``, the usual mixing conductance seen from the
    spin source) or of ``S^0_t`` (``side='t'``, the transmitted mixing
    conductance of seed 004, text after eq. 37), ``e1 _|_ m`` and
    ``e2 = m x e1``; averaged over the two choices ``e1``, ``e2``. With spin-orbit
    coupling this includes the fc(chi) modification and the transverse
    spin-memory-loss term of eq. (33).

    Parameters
    ----------
    u0, u_ex, u_R : float
        Barrier parameters (eqs. 15-17).
    m : array_like
        Magnetisation direction.
    side : {'ir', 't'}
    n_theta, n_phi : int
        Quadrature sizes (Gauss-Legendre in cos(theta), trapezoid in phi).
    tol : float, optional
        If given, both grids are doubled until two successive results differ
        by less than ``tol`` (in units of G_Sh); :class:`ConvergenceError` if
        that needs more than ``max_points`` points per direction. With
        Rashba coupling the azimuthal integrand has narrow features near
        grazing incidence where ``u0 - |u_eff|`` changes sign, and the phi
        rule then converges algebraically rather than exponentially.
    max_points : int
        Largest grid tried with ``tol``.

    Returns
    -------
    complex
        ``G / G_Sh`` with ``G_Sh / A = (e^2/h) k_F^2 / (4 pi)``.
    """
    if side not in ("ir", "t"):
        raise DeltaInputError(f"side must be 'ir' or 't'; got {side!r}")
    if tol is not None:
        g_old = mixing_conductance_delta(u0, u_ex, u_R, m, side, n_theta, n_phi)
        while True:
            n_theta, n_phi = 2 * n_theta, 2 * n_phi
            if max(n_theta, n_phi) > max_points:
                raise ConvergenceError(
                    f"delta-barrier mixing conductance not converged to tol={tol:g} with "
                    f"{max_points} points per direction; raise max_points or tol")
            g_new = mixing_conductance_delta(u0, u_ex, u_R, m, side, n_theta, n_phi)
            if abs(g_new - g_old) < tol:
                return g_new
            g_old = g_new
    resp = polar_response(u0, u_ex, u_R, m, 0, n_theta, n_phi)
    M = resp["M_ir" if side == "ir" else "M_t"][:3, :3]
    m, e1, e2 = _transverse_basis(m)
    re = 0.5 * (e1 @ M @ e1 + e2 @ M @ e2)
    im = 0.5 * (-(e2 @ M @ e1) + (e1 @ M @ e2))
    return complex(re, im)


def collinear_mixing_closed_form(u0, u_ex):
    """Closed form of ``G / G_Sh`` for ``u_R = 0`` (derived in docs/interface.md).

    ``G/G_Sh = int_0^1 2k (1 - r_up r_dn^*) dk``
    ``= 1 - (2 u_up u_dn / (u_up + u_dn)) [u_up ln(1 - i/u_up) + u_dn ln(1 + i/u_dn)]``

    with ``u_up/dn = u0 +- |u_ex|`` and ``r_s = u_s / (i k - u_s)`` (eq. A18);
    ``u ln(1 -+ i/u) -> 0`` for ``u -> 0``. For ``u_up + u_dn = 0`` (``u0 = 0``)
    the partial fractions degenerate and
    ``G/G_Sh = 1 + 2 u^2 [ln(1 - i/u) + i/(u - i)]`` with ``u = |u_ex|``
    (e.g. ``ln 2 - i (pi/2 - 1)`` at ``u = 1``).

    Parameters
    ----------
    u0, u_ex : float
        Spin-independent barrier and exchange strength (eqs. A2-A3, 15).

    Returns
    -------
    complex
        ``G / G_Sh``.
    """
    ua = abs(u_ex)
    uu, ud = u0 + ua, u0 - ua
    if uu + ud == 0:
        if ua == 0:
            return complex(1.0)
        return complex(1 + 2 * ua ** 2 * (np.log(1 - 1j / ua) + 1j / (ua - 1j)))

    def ulog(u, sgn):
        return 0.0 if u == 0 else u * np.log(1 + sgn * 1j / u)

    return complex(1 - (2 * uu * ud / (uu + ud)) * (ulog(uu, -1) + ulog(ud, +1)))


@dataclass(frozen=True)
class InterfaceCoefficients:
    """Named polar integrals for ``m = z`` (units of the per-spin Sharvin conductance).

    Attributes
    ----------
    mixing_ir, mixing_t : complex
        ``int sin cos [2 fc^2 a_v] dtheta + i int sin cos [2 fc b_v] dtheta``
        (generalised magneto-electronic circuit theory part of eq. 33, with the
        fc(chi) modification; Im with this module's sign convention, i.e.
        ``Im G = -M_yx``).
    memory_loss_transverse, memory_loss_longitudinal : float
        ``int sin cos fs^2 (a_ir + c)`` and ``int sin cos 2 fs^2 a_ir`` (the
        spin-memory-loss matrix of eq. 33, incident-plus-reflected side).
    filtering : float
        ``int sin cos 2 fs d`` (spin-orbit filtering: the (y, c) element of
        S_bar for the in-plane drive, eqs. 38, 40, magnitude).
    precession_swap_ir, precession_swap_t : float
        ``int sin cos fs b_v`` (spin-orbit precession, spin-swapping-like
        elements of eq. 38).
    precession_ir, precession_t : float
        ``int sin cos fs fc (a_v - c)`` (the other precession elements of eq. 38).
    """

    mixing_ir: complex
    mixing_t: complex
    memory_loss_transverse: float
    memory_loss_longitudinal: float
    filtering: float
    precession_swap_ir: float
    precession_swap_t: float
    precession_ir: float
    precession_t: float


def interface_coefficients(u0, u_abs, chi, n_theta=96):
    """Polar integrals of the named coefficients of eqs. (33) and (38) for ``m = z``.

    Parameters
    ----------
    u0 : float
        Spin-independent barrier.
    u_abs : float
        ``|u_eff|`` parameter (``u_ex = u_abs cos chi``, ``u_R = u_abs sin chi``).
    chi : float
        Mixing angle (rad), eq. (16).
    n_theta : int
        Gauss-Legendre points in ``cos(theta)``.

    Returns
    -------
    InterfaceCoefficients
    """
    theta, x, w = _theta_rule(n_theta)
    fs, fc = fs_fc(theta, chi)
    ueff = u_abs * np.sqrt(np.cos(chi) ** 2 + np.sin(theta) ** 2 * np.sin(chi) ** 2)
    p = closed_form_parameters(theta, u0, ueff)
    wx = w * x

    def integ(f):
        return float(np.sum(wx * f))

    return InterfaceCoefficients(
        mixing_ir=complex(integ(2 * fc ** 2 * p["a_ir"]), integ(-2 * fc * p["b_ir"])),
        mixing_t=complex(integ(2 * fc ** 2 * p["a_t"]), integ(-2 * fc * p["b_t"])),
        memory_loss_transverse=integ(fs ** 2 * (p["a_ir"] + p["c"])),
        memory_loss_longitudinal=integ(2 * fs ** 2 * p["a_ir"]),
        filtering=integ(2 * fs * p["d"]),
        precession_swap_ir=integ(fs * p["b_ir"]),
        precession_swap_t=integ(fs * p["b_t"]),
        precession_ir=integ(fs * fc * (p["a_ir"] - p["c"])),
        precession_t=integ(fs * fc * (p["a_t"] - p["c"])),
    )
