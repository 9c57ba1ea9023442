"""Non-perturbative (T-matrix) spin-orbit torques of the disordered 2D Rashba ferromagnet.

Source: seed 002_acb2a8e60c4cb8a9.txt (Veneri, Perkins, Ferreira), eqs. (3)-(4)
(torque efficiencies), (5)-(9) and (28) (model), (10)-(27) (T-matrix, averaged
Green's functions, generalised diffuson, Kubo-Streda response), (31)-(36) (Born
limit and weak-scattering results). The full derivation, the conventions and the
points where this implementation departs from the printed equations are in
``docs/tmatrix.md``.

Model
-----
``H_k = k^2/2m + alpha (k_x s_y - k_y s_x) + Delta_xc m.s`` (seed 002 eqs. 6-8 with
the SU(2) gauge field of eq. 7), ``m = (sin theta, 0, cos theta)`` (eq. 28), plus
dilute short-range scalar impurities ``W(r) = u R^2 delta(r)`` of areal density
``n`` (eq. 9). The single-impurity T-matrix is ``T = W (1 - W g0)^-1`` with the
momentum-integrated clean Green's function ``g0`` (eqs. 16a-b); ``Re g0`` is
logarithmically divergent and is regularised by a sharp momentum cutoff
``|k| < Lambda`` (default ``Lambda = 1/R``, the inverse range of the potential).

Dilute (leading order in n) evaluation
--------------------------------------
All response functions are evaluated to leading order in the impurity density,
``K ~ 1/n`` and ``sigma ~ 1/n`` (the order of every result of seed 002, eqs. 33-36).
At that order the products ``G+ G-`` of disorder-averaged Green's functions
(eq. 15 with ``Sigma = n T``, eq. 32) are resolved on the Fermi rings,
``G+_k A G-_k -> (pi / Gamma_k) delta(eps - E_k) P_k A P_k`` with the band-projected
broadening ``Gamma_k = -n Im tr[P_k T+]``, and every momentum integral becomes a
line integral over the (anisotropic) Fermi rings, done numerically on rays in
momentum space (no expansion in ``m_x``). The interband (coherent) parts of the
bubbles are of order ``n^0`` and are dropped consistently.

The generalised diffuson ``D = (1 - M)^-1`` (eq. 21) is singular at this order:
particle-number conservation (the Ward identity behind the optical theorem)
gives ``M`` an eigenvalue exactly 1 (the charge mode). The physical response is
obtained by fixing that zero mode by charge neutrality (no change of the
electron density under a uniform static field), see :func:`diffuson`.

Internal units: energies in meV, lengths in nm, hbar = 1 (momenta in nm^-1,
velocities ``dH/dk`` in meV nm, the impurity strength ``W = u R^2`` in meV nm^2).
Public functions take house units (eV, nm, nm^-2, rad) and return SI.
"""

from .model import (  # noqa: F401
    MIN_RAYS, HBAR2_2ME_MEV_NM2, PAULI, E_SIGNED, TMatrixError, DiluteLimitError,
    BandExtremumError, RashbaFerromagnet,
)
from .contour import (  # noqa: F401
    FermiContour, _ray_roots, _band_minimum_y, _contour_batch, fermi_contour,
    _contour_from_points, _degenerate_contour, band_bottom, band_edges, critical_angle,
    dilute_scale,
)
from .green import (  # noqa: F401
    _check_cutoff, clean_local_green, _contour_and_g0, _re_g0_batch,
    clean_local_green_isotropic, t_matrix, self_energy, averaged_green, pauli_components,
)
from .vertex import (  # noqa: F401
    upsilon_matrix, broadening_rates, n_matrix, diffuson,
)
from .response import (  # noqa: F401
    TMatrixResponse, charge_to_spin_efficiency, torque_efficiencies, response,
)

__all__ = [
    "TMatrixError", "DiluteLimitError", "BandExtremumError", "RashbaFerromagnet", "FermiContour", "TMatrixResponse",
    "PAULI", "HBAR2_2ME_MEV_NM2", "fermi_contour", "band_bottom", "clean_local_green",
    "clean_local_green_isotropic", "t_matrix", "self_energy", "averaged_green",
    "upsilon_matrix", "n_matrix", "diffuson", "response", "torque_efficiencies",
    "charge_to_spin_efficiency", "band_edges", "critical_angle", "dilute_scale", "MIN_RAYS",
]
