"""Polar integrals, mixing conductance and interface coefficients of the delta barrier.

Amin, Haney and Stiles, eqs. (28)-(30), (39)-(41), (B41)-(B48): results in units of the per-spin
Sharvin conductance (e^2/h) k_F^2 / 4 pi, or normalised to the equilibrium density.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .delta_scattering import ConvergenceError, DeltaInputError, MIN_NODES, _unit
from .delta_angular import azimuthal_integrals, closed_form_parameters, fs_fc

__all__ = [
    "polar_response", "mixing_conductance_delta", "collinear_mixing_closed_form",
    "InterfaceCoefficients", "interface_coefficients",
]


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
