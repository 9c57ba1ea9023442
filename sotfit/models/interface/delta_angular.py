"""Azimuthal integrals of the delta-barrier S matrices, numerical and closed form.

Amin, Haney and Stiles, eqs. (B37)-(B40) and (34)-(38) (closed forms for m along z, with the
corrections described in docs/interface.md); dimensionless, per incident polar angle theta (rad).
"""

from __future__ import annotations

import math

import numpy as np

from .delta_scattering import DeltaInputError, MIN_NODES, _khat, boltzmann_matrices, reflection_transmission

__all__ = [
    "azimuthal_integrals", "closed_form_parameters", "fs_fc", "fs_fc_printed", "s_matrices_mz",
]


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
