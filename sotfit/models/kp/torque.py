"""Torques from spin densities, and their decomposition over magnetisation directions.

* Torque: tau = (2J/hbar) m x S (seed 000_8a4db6caac2af419.txt, eq. (7)); with S in units of
  hbar/2 (Pauli) this is tau = J m x S, J the coefficient of m.s in the Hamiltonian
  (``model.exchange``). Units: J in eV, S in 1/nm^2 -> tau in eV/nm^2 (per unit field when S is).
* Seed 001_b50310ada81a69f7.txt eqs. (1)-(2): S = S_I + S_II with
  S_I = chi_FL (1 - xi_FL sin^2 theta) H_SOC - chi_DL m x H_SOC, H_SOC = z x E,
  S_II = -E (chi_par cos phi + chi_perp cos theta sin phi) sin theta z,
  phi the azimuth of m measured from E. Only the part of S perpendicular to m exerts a torque,
  so the fit uses S - (S.m) m and basis vectors projected the same way.
* Seed 004_7d8d4f1eff3c5d03.txt eq. (6): tau = sum_l m_z^{2l} (a_l p x m + b_l m x (p x m)
  + c_l (m.E) z x m + d_l (m.E) m x (z x m)), p = z x E. The truncated series is fitted by
  least squares; the relative residual says whether the truncation order is enough.
* Field-like / damping-like: the torque odd in m is field-like, the even part damping-like
  (docs/CONVENTIONS.md), obtained by pairing every m with -m.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["magnetisation_set", "torque", "decompose_seed001", "decompose_seed004",
           "parity_split", "TruncationWarning", "Seed001Decomposition", "Seed004Decomposition",
           "spherical_angles"]


class TruncationWarning(UserWarning):
    """A truncated angular expansion that leaves a large residual."""


def magnetisation_set(n_theta: int = 5, n_phi: int = 4) -> np.ndarray:
    """Unit vectors m on a (theta, phi) grid that contains -m for every m.

    ``n_theta`` polar angles evenly spaced on [0, pi] (poles included once) and ``n_phi``
    azimuths evenly spaced from 0 (seed 001 supplement uses 2^M + 1 theta and 2M phi points).
    ``n_theta`` must be odd and ``n_phi`` even so that the set is closed under inversion.

    Returns
    -------
    ndarray (N, 3)
    """
    if n_theta % 2 == 0 or n_phi % 2 or n_theta < 3 or n_phi < 2:
        raise ValueError(f"magnetisation_set: need odd n_theta >= 3 and even n_phi >= 2, got "
                         f"{n_theta}, {n_phi}")
    out = [[0.0, 0.0, 1.0], [0.0, 0.0, -1.0]]
    for th in np.linspace(0, np.pi, n_theta)[1:-1]:
        for ph in 2 * np.pi * np.arange(n_phi) / n_phi:
            out.append([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)])
    return np.array(out)


def spherical_angles(ms, theta_e: float = 0.0):
    """(theta, phi) of unit vectors ``ms`` (N, 3); phi measured from the field direction."""
    ms = np.asarray(ms, float)
    theta = np.arccos(np.clip(ms[:, 2], -1, 1))
    phi = np.arctan2(ms[:, 1], ms[:, 0]) - theta_e
    return theta, phi


def torque(j_exchange, ms, spin):
    """tau = J m x S (seed 000 eq. (7) with S in hbar/2 units), broadcast over rows."""
    return np.asarray(j_exchange)[..., None] * np.cross(np.asarray(ms, float), np.asarray(spin, float))


def _perp(v, ms):
    return v - np.sum(v * ms, axis=-1, keepdims=True) * ms


def _field_vectors(theta_e):
    e = np.array([np.cos(theta_e), np.sin(theta_e), 0.0])
    h = np.cross([0.0, 0.0, 1.0], e)
    return e, h


@dataclass(frozen=True)
class Seed001Decomposition:
    """Coefficients of seed 001 eqs. (1)-(2) (same unit as S per field) and the fit residual.

    ``residual`` is |S_perp - fit| / |S_perp| over all directions: the part of the torque-
    exerting spin density that eqs. (1)-(2) cannot describe.
    """

    chi_fl: float
    xi_fl: float
    chi_dl: float
    chi_par: float
    chi_perp: float
    residual: float

    def as_dict(self) -> dict:
        return {"chi_fl": self.chi_fl, "xi_fl": self.xi_fl, "chi_dl": self.chi_dl,
                "chi_par": self.chi_par, "chi_perp": self.chi_perp, "residual": self.residual}


def decompose_seed001(ms, spin, theta_e: float = 0.0) -> Seed001Decomposition:
    """Fit S(m) (per unit field) with seed 001 eqs. (1)-(2) by linear least squares.

    Parameters
    ----------
    ms : array (N, 3)
        Unit magnetisation directions.
    spin : array (N, 3)
        Spin density per unit field at each m (any unit; the chi's come out in it).
    theta_e : float
        Field direction (rad from x).
    """
    ms = np.asarray(ms, float)
    spin = np.asarray(spin, float)
    if ms.shape != spin.shape or ms.ndim != 2 or ms.shape[1] != 3:
        raise ValueError(f"decompose_seed001: ms and spin must both be (N, 3), got {ms.shape}, {spin.shape}")
    e, h = _field_vectors(theta_e)
    theta, phi = spherical_angles(ms, theta_e)
    z = np.array([0.0, 0.0, 1.0])
    n = ms.shape[0]
    basis = [np.tile(h, (n, 1)),
             -(np.sin(theta) ** 2)[:, None] * h,
             -np.cross(ms, h),
             -(np.cos(phi) * np.sin(theta))[:, None] * z,
             -(np.cos(theta) * np.sin(phi) * np.sin(theta))[:, None] * z]
    A = np.stack([_perp(b, ms).ravel() for b in basis], axis=1)
    y = _perp(spin, ms).ravel()
    c, *_ = np.linalg.lstsq(A, y, rcond=None)
    res = np.linalg.norm(A @ c - y) / max(np.linalg.norm(y), 1e-300)
    chi_fl = c[0]
    xi = c[1] / chi_fl if chi_fl != 0 else np.nan
    return Seed001Decomposition(chi_fl=float(chi_fl), xi_fl=float(xi), chi_dl=float(c[2]),
                                chi_par=float(c[3]), chi_perp=float(c[4]), residual=float(res))


@dataclass(frozen=True)
class Seed004Decomposition:
    """Coefficients a_l, b_l, c_l, d_l of seed 004 eq. (6), l = 0..l_max, and the residual."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    residual: float
    l_max: int


def decompose_seed004(ms, tau, theta_e: float = 0.0, l_max: int = 1,
                      tol: float = 1e-2) -> Seed004Decomposition:
    """Fit torques tau(m) with seed 004 eq. (6) truncated at l_max; warn if the residual > tol.

    Parameters
    ----------
    ms, tau : array (N, 3)
        Directions and torques (any unit).
    l_max : int
        Highest power m_z^(2 l_max) kept.
    tol : float
        Relative residual above which a :class:`TruncationWarning` says the truncation is
        not enough (raise l_max).
    """
    ms = np.asarray(ms, float)
    tau = np.asarray(tau, float)
    e, p = _field_vectors(theta_e)
    z = np.array([0.0, 0.0, 1.0])
    me = ms @ e
    forms = [np.cross(p, ms), np.cross(ms, np.cross(p, ms)),
             me[:, None] * np.cross(z, ms), me[:, None] * np.cross(ms, np.cross(z, ms))]
    cols = []
    for l in range(l_max + 1):
        w = ms[:, 2] ** (2 * l)
        for f in forms:
            cols.append((w[:, None] * f).ravel())
    A = np.stack(cols, axis=1)
    y = tau.ravel()
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    res = np.linalg.norm(A @ coef - y) / max(np.linalg.norm(y), 1e-300)
    coef = coef.reshape(l_max + 1, 4)
    if res > tol:
        warnings.warn(f"seed 004 eq. (6) truncated at l_max = {l_max} leaves a relative residual "
                      f"{res:.3g} > {tol:g}; raise l_max", TruncationWarning, stacklevel=2)
    return Seed004Decomposition(a=coef[:, 0], b=coef[:, 1], c=coef[:, 2], d=coef[:, 3],
                                residual=float(res), l_max=l_max)


def parity_split(ms, values):
    """Split vectors defined on a set closed under m -> -m into odd and even parts.

    Returns (odd, even) with odd(m) = [v(m) - v(-m)]/2 (field-like for a torque) and
    even(m) = [v(m) + v(-m)]/2 (damping-like for a torque).
    """
    ms = np.asarray(ms, float)
    values = np.asarray(values, float)
    dist = np.linalg.norm(ms[:, None, :] + ms[None, :, :], axis=-1)
    partner = np.argmin(dist, axis=1)
    if np.max(dist[np.arange(len(ms)), partner]) > 1e-9:
        raise ValueError("parity_split: the set of magnetisation directions must contain -m for every m")
    other = values[partner]
    return 0.5 * (values - other), 0.5 * (values + other)
