"""A k·p model given by its matrices H(k) and dH/dk (general, not quadratic in k).

Energies in eV, wave vectors in 1/nm, dH/dk in eV nm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .base import KPModel

__all__ = [
    "MatrixModel",
]


@dataclass(frozen=True, eq=False)
class MatrixModel(KPModel):
    """A user-supplied model: callables for H(kx, ky) and dH/dk, and spin matrices.

    Parameters
    ----------
    h : callable
        ``h(kx, ky, m) -> (..., nb, nb)`` complex, eV; kx, ky in 1/nm (arrays).
    dh_func : callable
        ``dh_func(kx, ky, m) -> (2, ..., nb, nb)``, eV nm.
    spin_ops : array (3, nb, nb)
        Spin operators (Pauli normalisation).
    exchange : float
        J in eV for the torque.
    d2h_const : array (2, 2, nb, nb), optional
        Constant second derivatives (eV nm^2); needed only for second-order Boltzmann.

    The Hamiltonian is checked for Hermiticity on construction.
    """

    h: Callable = None
    dh_func: Callable = None
    spin_ops: np.ndarray = None
    exchange: float = 0.0
    d2h_const: np.ndarray = None
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "matrix"

    def _check_parameters(self) -> None:
        if self.h is None or self.dh_func is None or self.spin_ops is None:
            raise ValueError(f"model {self.name!r}: h, dh_func and spin_ops are all required")
        spin = np.asarray(self.spin_ops, dtype=complex)
        if spin.ndim != 3 or spin.shape[0] != 3 or spin.shape[1] != spin.shape[2]:
            raise ValueError(f"model {self.name!r}: spin_ops must have shape (3, nb, nb), got {spin.shape}")
        object.__setattr__(self, "spin_ops", spin)
        self.check_hermitian()

    @property
    def n_bands(self):
        return self.spin_ops.shape[-1]

    @property
    def spin(self):
        return self.spin_ops

    def hamiltonian(self, kx, ky):
        return np.asarray(self.h(np.asarray(kx, float), np.asarray(ky, float), np.asarray(self.m)),
                          dtype=complex)

    def dh(self, kx, ky):
        return np.asarray(self.dh_func(np.asarray(kx, float), np.asarray(ky, float),
                                       np.asarray(self.m)), dtype=complex)

    def d2h(self):
        if self.d2h_const is None:
            raise ValueError(f"model {self.name!r}: second-order response needs d2h_const")
        return np.asarray(self.d2h_const, dtype=complex)
