"""The TMDC/CrI3 heterostructure k·p model (two valleys).

Majidi et al. 2025, eqs. (1)-(6); energies in eV, hbar v in eV nm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .operators import S0, SPIN_HALF, SPIN_TIMES_ORBITAL, SX, SY, SZ, _kron, m_dot
from .base import TwoBlockModel, linear_in_k

__all__ = [
    "TMDCCrI3",
]


@dataclass(frozen=True)
class TMDCCrI3(TwoBlockModel):
    """TMDC/CrI3 four-band model of one valley (seed 000, eqs. (1)-(6)).

    H = hbar v_F s0 (x) (chi kx sigma_x + ky sigma_y) + (Delta/2) s0 (x) sigma_z
        + chi s_z (x) (lambda_c sigma_+ + lambda_v sigma_-) + (s.m) (x) (B_c sigma_+ + B_v sigma_-)
        + lambda_R (chi s_y (x) sigma_x - s_x (x) sigma_y),

    sigma_+- = (sigma_0 +- sigma_z)/2, basis s (x) sigma (spin outer, conduction/valence inner).
    With ``valley=0`` the model stands for both valleys: :meth:`components` returns the
    K (chi = +1) and K' (chi = -1) blocks.

    Parameters
    ----------
    delta : float
        Orbital gap Delta in eV (Table I).
    hbar_v : float
        hbar v_F in eV nm (Table I gives v_F; use :func:`hbar_v_from_velocity`).
    lambda_c, lambda_v : float
        Intrinsic spin-orbit couplings in eV (Table I gives meV).
    b_c, b_v : float
        Proximity exchange of the conduction and valence bands in eV.
    lambda_r : float
        Rashba coupling in eV.
    valley : int
        +1 (K), -1 (K') or 0 (both).
    """

    delta: float = 1.403
    hbar_v: float = 0.38656
    lambda_c: float = 0.01381
    lambda_v: float = 0.24099
    b_c: float = -0.001460
    b_v: float = -0.000918
    lambda_r: float = 0.001
    valley: int = 0
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "tmdc"
    n_bands: int = 4
    spin_operators = SPIN_TIMES_ORBITAL
    block_field = "valley"
    block_values = "+1 (K), -1 (K')"
    block_noun = "valley"

    @property
    def exchange(self) -> float:
        """Seed 000 replaces J by B_c (conduction) or B_v (valence); see :meth:`exchange_for`."""
        return self.b_c

    def exchange_for(self, mu):
        """J of seed 000 (text below Fig. 2): B_c for mu in the conduction band half, else B_v."""
        return np.where(np.asarray(mu) >= 0.0, self.b_c, self.b_v)

    def _coefficients(self):
        chi = float(self._block_index())
        sp = (S0 + SZ) / 2
        sm = (S0 - SZ) / 2
        h0 = ((self.delta / 2) * _kron(S0, SZ)
              + chi * _kron(SZ, self.lambda_c * sp + self.lambda_v * sm)
              + _kron(m_dot(self.m, SPIN_HALF), self.b_c * sp + self.b_v * sm)
              + self.lambda_r * (chi * _kron(SY, SX) - _kron(SX, SY)))
        return linear_in_k(h0, self.hbar_v * chi * _kron(S0, SX), self.hbar_v * _kron(S0, SY))
