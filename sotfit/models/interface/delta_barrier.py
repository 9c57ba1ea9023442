"""Delta-barrier interface with exchange and Rashba coupling (free electrons).

Seed 004_7d8d4f1eff3c5d03.txt (Amin, Haney, Stiles), eqs. (14)-(17), (28)-(41),
appendix A (A1)-(A30) and appendix B (B12)-(B48).

Model (eq. 17): ``H = hbar^2 k^2 / 2m + (hbar^2 k_F / m) delta(z) (u0 + sigma . u_eff)``
with ``u_eff = u_ex m + u_R z x k / k_F`` (eq. 15). Both sides of the interface
are the same free-electron gas (Fermi wave number ``k_F``), so the 2x2
reflection and transmission matrices depend only on the in-plane momentum
and are the same for electrons coming from either side.

Matching (eqs. A7-A9, A18): with ``U = u0 + sigma . u_eff`` and
``k* = k_z / k_F = cos(theta)``,

    r = U (i k* - U)^-1,    t = 1 + r = i k* (i k* - U)^-1,

diagonal in the frame of ``u_eff`` with ``u_up/dn = u0 +- |u_eff|`` (A17-A22).

Boltzmann scattering matrices (eqs. B12-B13), components ordered
``[x, y, z, c]`` with ``sigma_c = 1``:

    R_ab = tr[r^dag sigma_a r sigma_b] / 2,   T_ab = tr[t^dag sigma_a t sigma_b] / 2.

Azimuthal integrals (eqs. B37-B40), normalised by 1/pi so that they reproduce
eqs. (33) and (38) as printed:

    S^n_{i-r}(theta) = (1/pi) int_0^{2pi} dphi cos^n(phi) (I - R),
    S^n_t(theta)     = (1/pi) int_0^{2pi} dphi cos^n(phi) T.

Polar integrals (eqs. 28-30, 39-41, B41-B46). The currents are integrals
over the 2D Brillouin zone (eq. B19), whose measure on the Fermi hemisphere is
``k_F^2 sin(theta) cos(theta) dtheta dphi``; in units of the per-spin Sharvin
conductance ``G_Sh / A = (e^2/h) k_F^2 / 4 pi`` this gives

    M = int_0^{pi/2} dtheta sin(theta) cos(theta) S(theta).

The accumulations (eq. 21) carry the measure ``sin(theta) dtheta dphi``; this
module normalises them by the equilibrium value (so ``w = sin(theta) / 2``
per 1/pi-normalised azimuthal integral, i.e. ``I_4`` for full transmission).
Seed 004 prints ``v(theta) ~ sin(theta)`` and ``w(theta) ~ tan(theta)``
(text after eq. 30, eq. B31); the flux factor ``cos(theta)`` is missing there
(see docs/interface.md, "Discrepancies").

Mixing conductance and sign convention. For a magnetisation ``m`` and two
unit vectors ``e1, e2 = m x e1`` perpendicular to it, the spin current absorbed
at the interface (incident minus reflected, the ``i-r`` side) for an incident
transverse spin ``q = e1`` is written

    M_{i-r} e1 = Re G e1 + Im G (e1 x m) = Re G e1 - Im G e2,

i.e. ``Re G = e1 . M e1`` and ``Im G = -e2 . M e1``. Without spin-orbit coupling
this is ``G / G_Sh = < 1 - r_up r_dn^* >`` over the Fermi hemisphere with weight
``2 k*`` (``up`` = spin along ``u_eff``), the same convention as the
tight-binding module.

For ``m = z`` the closed forms (eqs. 33, 38) hold with the direction cosines of
``u_eff`` relative to ``z``:

    fc = cos(chi) / sqrt(cos^2 chi + sin^2 theta sin^2 chi),
    fs = sin(theta) sin(chi) / sqrt(cos^2 chi + sin^2 theta sin^2 chi).

Seed 004 eqs. (34)-(35) print ``sin(theta)`` on the other term; the printed
forms also satisfy the limits (36)-(37) but do not reproduce the numerical
azimuthal integrals (they would make the exchange part vanish at normal
incidence, where the Rashba field is zero). With ``u_eff`` as in eq. (15) the
``n = 1`` matrix is the negative of eq. (38) as printed (equivalently, eq. (38)
holds for ``u_R -> -u_R``); see docs/interface.md.
"""

from .delta_scattering import (  # noqa: F401
    MIN_NODES, _SX, _SY, _SZ, _I2, PAULI4, DeltaInputError, ConvergenceError, _unit, _khat,
    u_effective, reflection_transmission, boltzmann_matrices, spin_current_and_torque,
    a30_closed_form,
)
from .delta_angular import (  # noqa: F401
    _phi_rule, azimuthal_integrals, closed_form_parameters, fs_fc, fs_fc_printed, s_matrices_mz,
)
from .delta_conductance import (  # noqa: F401
    _theta_rule, polar_response, _transverse_basis, mixing_conductance_delta,
    collinear_mixing_closed_form, InterfaceCoefficients, interface_coefficients,
)

__all__ = [
    "DeltaInputError",
    "MIN_NODES",
    "ConvergenceError",
    "PAULI4",
    "u_effective",
    "reflection_transmission",
    "boltzmann_matrices",
    "spin_current_and_torque",
    "a30_closed_form",
    "azimuthal_integrals",
    "closed_form_parameters",
    "fs_fc",
    "fs_fc_printed",
    "s_matrices_mz",
    "polar_response",
    "mixing_conductance_delta",
    "collinear_mixing_closed_form",
    "InterfaceCoefficients",
    "interface_coefficients",
]
