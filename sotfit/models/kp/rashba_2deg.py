"""The 2DEG Rashba ferromagnet, H = H0 - (1/2) Lambda_R phi.s - (1/2) J_ex m.s.

Medina Duenas et al. 2023, supplement eq. (12); energies in eV, alpha_R in eV nm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import ExchangeSplitModel
from .operators import HBAR2_OVER_ME, S0, SPIN_HALF, SX, SY

__all__ = [
    "RashbaParameters", "Rashba2DEG",
]


@dataclass(frozen=True)
class RashbaParameters(ExchangeSplitModel):
    """Parameters of seed 001's Rashba ferromagnet, shared by its continuum and lattice forms.

    Parameters
    ----------
    m_eff : float
        Effective mass in units of the electron mass (> 0).
    alpha_r : float
        Rashba constant alpha_R in eV nm.
    j_ex : float
        Exchange splitting J_ex in eV.
    m : 3-tuple
        Magnetisation direction (normalised on construction).
    """

    m_eff: float = 1.0
    alpha_r: float = 0.01
    j_ex: float = 0.05
    m: tuple = (0.0, 0.0, 1.0)
    n_bands: int = 2
    spin_operators = SPIN_HALF

    def _check_parameters(self) -> None:
        if not self.m_eff > 0:
            raise ValueError(f"{self.name}: m_eff = {self.m_eff} must be positive")


@dataclass(frozen=True)
class Rashba2DEG(RashbaParameters):
    """2DEG Rashba ferromagnet (seed 001, supplement eq. (12), hbar restored).

    H = hbar^2 k^2 / (2 m_eff m_e) - (alpha_R / 2) (z x k).s - (J_ex / 2) m.s

    so that the Rashba field is Lambda_R,k = alpha_R k (seed 001's lambda_R k with hbar = 1)
    and the exchange splitting is J_ex.

    Parameters
    ----------
    m_eff, alpha_r, j_ex, m :
        As :class:`RashbaParameters` (m_e, eV nm, eV, unit vector).
    """

    name: str = "2deg"

    @property
    def energy_scale(self) -> float:
        """m_eff alpha_R^2 / hbar^2 in eV (seed 001's m_eff lambda_R^2)."""
        return self.m_eff * self.alpha_r**2 / HBAR2_OVER_ME

    def _coefficients(self):
        kin = HBAR2_OVER_ME / (2 * self.m_eff)
        a = self.alpha_r / 2
        zero = np.zeros((2, 2), complex)
        # (z x k).s = kx s_y - ky s_x
        return {"0": self.exchange_term(),
                "x": -a * SY, "y": a * SX, "xx": kin * S0, "yy": kin * S0, "xy": zero}
