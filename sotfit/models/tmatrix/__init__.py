"""Non-perturbative (T-matrix) spin-orbit torques of the disordered 2D Rashba ferromagnet.

Seed 002_acb2a8e60c4cb8a9.txt (Veneri, Perkins, Ferreira). At one parameter point:
:mod:`.model` (parameters, Hamiltonian, errors), :mod:`.contour` (Fermi rings, band edges),
:mod:`.green` (g0, T-matrix, self-energy), :mod:`.vertex` (Upsilon, N, diffuson) and
:mod:`.response` (Kubo-Streda response, torque efficiencies), all re-exported by :mod:`.core`;
:mod:`.batch` the vectorised maps over (eps, theta); :mod:`.sweep` the sweep of the command
line; :mod:`.specs` the ModelSpecs. See ``docs/tmatrix.md``.
"""

from .core import *  # noqa: F401,F403
from .core import __all__ as _core_all
from .core import broadening_rates, pauli_components  # noqa: F401
from .specs import TAU_UNIT, TMATRIX_MODELS, TorqueCurve  # noqa: F401

__all__ = [*_core_all, "broadening_rates", "pauli_components", "TMATRIX_MODELS", "TorqueCurve",
           "TAU_UNIT"]
