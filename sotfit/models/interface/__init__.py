"""Microscopic models of the spin-mixing conductance of an interface.

* :mod:`.barrier_tb` -- interface-barrier tight-binding model
  (seed 003_010c0338986411e7.txt, Fig. 4);
* :mod:`.delta_barrier` -- free-electron delta barrier with exchange and
  Rashba coupling (seed 004_7d8d4f1eff3c5d03.txt, eqs. 14-17, A1-A30, B12-B48);
* :mod:`.specs` -- ModelSpecs of G in 1e13 Ohm^-1 m^-2;
* :mod:`.composed` -- G fed into the drift-diffusion efficiency (seed 003 eqs. 1-2).

Sign convention: ``G = sum [1 - r_up r_dn^*]`` with "up" parallel to m (docs/interface.md).
"""

from .barrier_tb import (BarrierInputError, ConvergenceError, TBResult, mixing_conductance_tb,
                         per_area_si, reflection_amplitudes, to_house_mixing)
from .composed import interface_barrier_efficiency, interface_delta_efficiency
from .delta_barrier import (DeltaInputError, collinear_mixing_closed_form, interface_coefficients,
                            mixing_conductance_delta, polar_response)
from .specs import interface_barrier_g, interface_delta_g

__all__ = ["BarrierInputError", "ConvergenceError", "TBResult", "mixing_conductance_tb",
           "per_area_si", "reflection_amplitudes", "to_house_mixing", "DeltaInputError",
           "collinear_mixing_closed_form", "interface_coefficients", "mixing_conductance_delta",
           "polar_response", "interface_barrier_g", "interface_delta_g",
           "interface_barrier_efficiency", "interface_delta_efficiency"]
