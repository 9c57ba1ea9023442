"""The disordered 2D Rashba ferromagnet of the T-matrix theory: parameters, Hamiltonian, errors.

Veneri, Perkins and Ferreira (T-matrix theory of the Rashba ferromagnet), eqs. (5)-(9) and (28).
Internal units: energies in meV, lengths in nm, hbar = 1; the public fields are in house units
(eV, nm, nm^-2, rad). See ``docs/tmatrix.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import constants as _c

from ...units import E_CHARGE, HBAR

__all__ = [
    "MIN_RAYS", "HBAR2_2ME_MEV_NM2", "PAULI", "TMatrixError", "DiluteLimitError",
    "BandExtremumError", "RashbaFerromagnet",
]


MIN_RAYS = 8

#: hbar^2 / (2 m_e) in meV nm^2 (about 38.1).
HBAR2_2ME_MEV_NM2 = _c.hbar ** 2 / (2 * _c.m_e) / (1e-3 * _c.e) / 1e-18

#: Pauli basis s_0, s_x, s_y, s_z, shape (4, 2, 2).
PAULI = np.array([
    [[1, 0], [0, 1]],
    [[0, 1], [1, 0]],
    [[0, -1j], [1j, 0]],
    [[1, 0], [0, -1]],
], dtype=complex)

#: Electron charge with its sign (seed 002 uses e < 0), C.
E_SIGNED = -E_CHARGE


def susceptibility_si(k_internal):
    """Spin susceptibility from internal units (meV^-1 nm^-1, hbar = 1) to 1/(V m)."""
    return E_SIGNED * k_internal / (1e-3 * _c.e * 1e-9)


def conductivity_si(sigma_internal):
    """Sheet conductivity from internal units (dimensionless, hbar = 1) to S."""
    return E_SIGNED ** 2 / HBAR * sigma_internal


class TMatrixError(ValueError):
    """Parameters outside the range where the T-matrix theory applies."""


class BelowBandError(TMatrixError):
    """Fermi energy below the bottom of the lower band: no Fermi surface, nothing to compute.

    A single point refuses it; a sweep over energies that starts below the band masks its
    points below the band (NaN, ``n_bands = 0``) and computes the others.
    """


class DiluteLimitError(TMatrixError):
    """Disorder broadening not small against the band splitting (n Gamma vs alpha p_F)."""


class BandExtremumError(DiluteLimitError):
    """Fermi level exactly at a band extremum or degeneracy (a Fermi ring of zero size).

    The distance to the extremum (or the band splitting) is zero there, so no disorder
    broadening is small against it: the limiting case of :class:`DiluteLimitError`. Maps
    over many points mask such points like the other non-dilute ones.
    """


@dataclass(frozen=True)
class RashbaFerromagnet:
    """The disordered 2D Rashba ferromagnet of seed 002 (eqs. 5-9, 28).

    Parameters
    ----------
    fermi_energy : float
        Fermi energy ``eps`` measured from the bottom of the parabolic band
        without spin splitting (the zero of ``k^2/2m``), eV.
    exchange : float
        Exchange (proximity Zeeman) energy ``Delta_xc`` >= 0, eV.
    alpha : float
        Rashba coupling ``alpha_R = hbar alpha`` (seed 002 quotes 1.7e-11 eV m =
        0.017 eV nm), eV nm.
    theta : float
        Polar angle of the magnetisation from +z, ``m = (sin theta, 0, cos theta)``
        (eq. 28), rad.
    u : float
        Impurity potential ``u`` of ``W(r) = u R^2 delta(r)``, eV (either sign).
    radius : float
        Range ``R`` of the impurity potential, nm.
    density : float
        Areal impurity density ``n``, nm^-2 (5e14 m^-2 = 5e-4 nm^-2).
    mass : float
        Effective mass ``m*/m_e`` (0.8 in seed 002).
    cutoff : float or None
        Momentum cutoff ``Lambda`` of ``Re g0`` (eq. 16b), nm^-1; ``None`` means
        ``1/R``.
    """

    fermi_energy: float
    exchange: float
    alpha: float
    theta: float
    u: float
    radius: float
    density: float
    mass: float = 0.8
    cutoff: float | None = None

    def __post_init__(self):
        for name in ("fermi_energy", "exchange", "alpha", "theta", "u", "radius", "density",
                     "mass"):
            v = getattr(self, name)
            if not np.isfinite(v):
                raise TMatrixError(f"parameter {name!r} = {v} is not finite")
        for name in ("radius", "density", "mass"):
            if getattr(self, name) <= 0:
                raise TMatrixError(f"parameter {name!r} = {getattr(self, name)} must be positive")
        if self.exchange < 0:
            raise TMatrixError(f"parameter 'exchange' = {self.exchange} eV must be >= 0 "
                               "(reverse the magnetisation with theta instead)")
        if self.cutoff is not None and not (np.isfinite(self.cutoff) and self.cutoff > 0):
            raise TMatrixError(f"parameter 'cutoff' = {self.cutoff} nm^-1 must be positive")
        if abs(self.theta) > 2 * np.pi:
            raise TMatrixError(
                f"parameter 'theta' = {self.theta:g} rad ({np.degrees(self.theta):.6g} deg) is "
                f"beyond one turn (2 pi, 360 deg): give the angle from +z within it (theta is in "
                f"radians here: a number of degrees given as it, {self.theta:g} deg, is "
                f"{np.radians(self.theta):.6g} rad)")

    # ---- internal units (meV, nm, hbar = 1) ----
    @property
    def c2(self) -> float:
        """``hbar^2 / 2m*`` in meV nm^2."""
        return HBAR2_2ME_MEV_NM2 / self.mass

    @property
    def eps(self) -> float:
        """Fermi energy in meV."""
        return 1e3 * self.fermi_energy

    @property
    def a(self) -> float:
        """Rashba ``hbar alpha`` in meV nm."""
        return 1e3 * self.alpha

    @property
    def delta_vec(self) -> np.ndarray:
        """Exchange vector ``Delta_xc m`` in meV."""
        d = 1e3 * self.exchange
        return np.array([d * math.sin(self.theta), 0.0, d * math.cos(self.theta)])

    @property
    def w(self) -> float:
        """Impurity strength ``W = u R^2`` in meV nm^2."""
        return 1e3 * self.u * self.radius ** 2

    @property
    def lam(self) -> float:
        """Momentum cutoff in nm^-1."""
        return self.cutoff if self.cutoff is not None else 1.0 / self.radius

    @property
    def m_vec(self) -> np.ndarray:
        """Unit magnetisation (eq. 28)."""
        return np.array([math.sin(self.theta), 0.0, math.cos(self.theta)])

    def hamiltonian(self, kx, ky) -> np.ndarray:
        """Clean Bloch Hamiltonian ``H_k`` (meV) at momenta ``kx, ky`` (nm^-1), shape (..., 2, 2)."""
        kx = np.asarray(kx, dtype=float)
        ky = np.asarray(ky, dtype=float)
        d = self.delta_vec
        h0 = self.c2 * (kx ** 2 + ky ** 2)
        bx = -self.a * ky + d[0]
        by = self.a * kx + d[1]
        bz = np.full_like(h0, d[2])
        coeff = np.stack([h0, bx, by, bz], axis=-1)
        return np.einsum("...a,aij->...ij", coeff.astype(complex), PAULI)

    def with_(self, **kw) -> "RashbaFerromagnet":
        """A copy with some fields changed."""
        return replace(self, **kw)
