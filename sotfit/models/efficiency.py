"""Torque efficiencies from torque fields: the names of :mod:`sotfit.models.sot` under their
earlier home (xi^E = (2e/hbar) mu0 Ms t_F H / E, xi = xi^E rho; seed 003_010c0338986411e7.txt,
definition after eq. (2)). New code imports from :mod:`sotfit.models.sot`.
"""

from __future__ import annotations

from .sot import electric_field, field_from_xi_e, xi_e_from_field, xi_from_xi_e

__all__ = ["xi_e_from_field", "field_from_xi_e", "xi_from_xi_e", "electric_field"]
