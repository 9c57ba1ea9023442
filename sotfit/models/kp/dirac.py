"""Dirac models with Rashba coupling and exchange, full (four-band) and projected.

Medina Duenas et al. 2023, main text: H = hbar v k.sigma + Delta sigma_z
- (lambda_R/2)(s x sigma).z - (J_ex/2) m.s; energies in eV, hbar v in eV nm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import ExchangeSplitModel, TwoBlockModel, linear_in_k
from .operators import PAULI, S0, SPIN_HALF, SPIN_TIMES_ORBITAL, SX, SY, SZ, _kron, k_columns

__all__ = [
    "DiracRashbaExchange", "DiracProjected",
]


@dataclass(frozen=True)
class DiracParameters(ExchangeSplitModel):
    """Parameters of seed 001's Dirac model, shared by its exact and projected forms.

    Parameters
    ----------
    hbar_v : float
        hbar v in eV nm (v = 1e6 m/s gives 0.658 eV nm).
    delta : float
        Mass Delta in eV.
    lambda_r : float
        Rashba coupling lambda_R in eV.
    j_ex : float
        Exchange splitting J_ex in eV.
    """

    hbar_v: float = 0.6582
    delta: float = 0.008
    lambda_r: float = 0.008
    j_ex: float = 0.060


@dataclass(frozen=True)
class DiracRashbaExchange(DiracParameters):
    """Dirac model with Rashba coupling and exchange (seed 001, main text).

    H = hbar v (kx sigma_x + ky sigma_y) + Delta sigma_z - (lambda_R / 2)(s x sigma).z
    - (J_ex / 2) m.s, with s the spin and sigma the pseudospin; basis s (x) sigma.

    Parameters
    ----------
    hbar_v, delta, lambda_r, j_ex : float
        As :class:`DiracParameters` (eV nm, eV, eV, eV).
    m : 3-tuple
        Magnetisation direction (normalised on construction).
    """

    m: tuple = (0.0, 0.0, 1.0)
    name: str = "dirac"
    n_bands: int = 4
    spin_operators = SPIN_TIMES_ORBITAL

    def _coefficients(self):
        h0 = (self.delta * _kron(S0, SZ)
              - (self.lambda_r / 2) * (_kron(SX, SY) - _kron(SY, SX))
              + self.exchange_term())
        return linear_in_k(h0, self.hbar_v * _kron(S0, SX), self.hbar_v * _kron(S0, SY))


@dataclass(frozen=True)
class DiracProjected(TwoBlockModel, DiracParameters):
    """Seed 001's semiclassical mapping of the Dirac model onto two 2DEG-like blocks.

    Supplement ("Spin dynamics and semi-classical SOT in Dirac system"): for each pseudospin
    polarisation nu = +-1, H_nu = H0_nu - (1/2) Lambda_nu phi.s - (J_ex/2) m.s with
    H0_nu = nu sqrt((hbar v k)^2 + Delta^2) and Lambda_nu = -nu hbar v k lambda_R /
    sqrt((hbar v k)^2 + Delta^2). Valid to first order in lambda_R away from band crossings.
    ``nu = 0`` stands for both blocks (:meth:`components`).

    Parameters
    ----------
    hbar_v, delta, lambda_r, j_ex : float
        As :class:`DiracParameters` (eV nm, eV, eV, eV).
    nu : int
        Pseudospin polarisation +1, -1, or 0 (both).
    m : 3-tuple
        Magnetisation direction (normalised on construction).
    """

    nu: int = 0
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "dirac_projected"
    n_bands: int = 2
    spin_operators = SPIN_HALF
    block_field = "nu"

    def _parts(self, kx, ky):
        self._block_index()
        kx, ky = k_columns(kx, ky)
        e = np.sqrt(self.hbar_v**2 * (kx**2 + ky**2) + self.delta**2)
        return kx, ky, e

    def hamiltonian(self, kx, ky):
        kx, ky, e = self._parts(kx, ky)
        g = -self.nu * self.hbar_v * self.lambda_r / e          # Lambda_nu / k
        return (self.nu * e * PAULI[0] - 0.5 * g * (kx * PAULI[2] - ky * PAULI[1])
                + self.exchange_term())

    def dh(self, kx, ky):
        kx, ky, e = self._parts(kx, ky)
        v2 = self.hbar_v**2
        g = -self.nu * self.hbar_v * self.lambda_r / e
        dg = self.nu * self.hbar_v * self.lambda_r * v2 / e**3    # d g / d k_i = dg * k_i
        rot = kx * PAULI[2] - ky * PAULI[1]
        return np.stack([self.nu * v2 * kx / e * PAULI[0] - 0.5 * (dg * kx * rot + g * PAULI[2]),
                         self.nu * v2 * ky / e * PAULI[0] - 0.5 * (dg * ky * rot - g * PAULI[1])])

    def d2h(self):
        raise ValueError("dirac_projected: second-order response not implemented")
