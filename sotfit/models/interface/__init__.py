"""Microscopic models of the spin-mixing conductance of an interface.

* :mod:`.barrier_tb` -- interface-barrier tight-binding model
  (seed 003_010c0338986411e7.txt, Fig. 4);
* :mod:`.delta_barrier` -- free-electron delta barrier with exchange and
  Rashba coupling (seed 004_7d8d4f1eff3c5d03.txt, eqs. 14-17, A1-A30, B12-B48).
"""

from .barrier_tb import (BarrierInputError, ConvergenceError, TBResult, mixing_conductance_tb,
                         per_area_si, reflection_amplitudes, to_house_mixing)

__all__ = ["BarrierInputError", "ConvergenceError", "TBResult", "mixing_conductance_tb",
           "per_area_si", "reflection_amplitudes", "to_house_mixing"]
