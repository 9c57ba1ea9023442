"""Torque efficiencies from torque fields (shared by ST-FMR and harmonic Hall).

Definitions (seed 003_010c0338986411e7.txt, definition of xi^E after eq. (2);
docs/CONVENTIONS.md):

    xi^E = (2e/hbar) mu0 Ms t_F H / E          [Ohm^-1 m^-1]
    xi   = xi^E rho                            [dimensionless]

with H a damping-like or field-like torque field, t_F the ferromagnet
thickness, E the electric field driving the current in the spin-source layer
and rho that layer's resistivity. The functions use plain arithmetic so that
``uncertainties`` values propagate through them.

Units (house): mu0*H, mu0*Ms in T; thickness in nm; E in V/m; rho in uOhm cm;
xi^E in 1e5 Ohm^-1 m^-1.
"""

from __future__ import annotations

from ..units import E_CHARGE, HBAR, MU_0

__all__ = [
    "xi_e_from_field",
    "field_from_xi_e",
    "xi_from_xi_e",
    "electric_field",
]

_NM = 1e-9
_UOHMCM = 1e-8  # Ohm m
_XI_E_UNIT = 1e5  # Ohm^-1 m^-1


def xi_e_from_field(mu0_h, mu0_ms, t_fm, e_field):
    """Efficiency per electric field xi^E = (2e/hbar) mu0 Ms t_F H / E.

    Parameters
    ----------
    mu0_h : float
        Torque field mu0*H (damping-like or field-like) in T.
    mu0_ms : float
        Saturation magnetisation mu0*Ms in T.
    t_fm : float
        Ferromagnet thickness in nm.
    e_field : float
        Electric field in the spin-source layer in V/m.

    Returns
    -------
    float
        xi^E in 1e5 Ohm^-1 m^-1 (seed 003, definition after eq. (2)).
    """
    h = mu0_h / MU_0  # A/m
    return 2 * E_CHARGE / HBAR * mu0_ms * (t_fm * _NM) * h / e_field / _XI_E_UNIT


def field_from_xi_e(xi_e, mu0_ms, t_fm, e_field):
    """Inverse of :func:`xi_e_from_field`: mu0*H in T from xi^E in 1e5 Ohm^-1 m^-1."""
    return xi_e * _XI_E_UNIT * e_field * MU_0 * HBAR / (2 * E_CHARGE * mu0_ms * t_fm * _NM)


def xi_from_xi_e(xi_e, resistivity):
    """Dimensionless efficiency xi = xi^E rho (xi^E in 1e5 Ohm^-1 m^-1, rho in uOhm cm)."""
    return xi_e * _XI_E_UNIT * resistivity * _UOHMCM


def electric_field(current_density, resistivity):
    """E = rho J in V/m, for J in A/m^2 and rho in uOhm cm."""
    return current_density * resistivity * _UOHMCM
