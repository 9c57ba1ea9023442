"""ModelSpecs of the T-matrix torque theory: efficiencies and the DL/FL ratio vs eps or theta.

Source: seed 002_acb2a8e60c4cb8a9.txt eqs. (3)-(4) and (16)-(27); see docs/tmatrix.md.
"""

from __future__ import annotations

import math

import numpy as np

from ..spec import ModelError, ModelSpec, Param
from .core import RashbaFerromagnet, response

# --------------------------------------------------------------------------------------
# ModelSpecs: torque efficiencies and the DL/FL ratio against Fermi energy or angle
# --------------------------------------------------------------------------------------



#: Unit of the efficiencies returned by the ModelSpecs (``tau`` of eq. 3 in 1e14 (A m)^-1).
TAU_UNIT = "1e14 A^-1 m^-1"
_TAU_SCALE = 1e14

_QUANTITIES = {
    "tau1_e": "damping-like efficiency tau_1^e (eq. 4a)",
    "tau2_e": "damping-like efficiency tau_2^e (eq. 4b)",
    "tau1_o": "field-like efficiency tau_1^o (eq. 4c)",
    "tau2_o": "field-like efficiency tau_2^o (eq. 4d)",
    "dl_fl_ratio": "ratio tau_1^e / tau_1^o of damping-like to field-like efficiency",
}


def _flag(name: str, value: float) -> bool:
    if value not in (0.0, 1.0):
        raise ModelError(f"parameter {name!r} must be 0 or 1, not {value}")
    return value == 1.0


class TorqueCurve:
    """Picklable model function ``f(x, **params)``: one efficiency against eps (meV) or theta (deg).

    Parameters (keywords, units as in the ModelSpec table): ``fermi_energy`` (meV) or
    ``theta`` (deg) -- whichever is not ``x`` --, ``exchange`` (meV), ``alpha`` (meV nm),
    ``u`` (eV), ``radius`` (nm), ``density`` (nm^-2), ``mass`` (m_e), ``tmatrix``
    (1 full T-matrix, 0 first Born), ``hall`` (1: ``K_J = K sigma^-1`` of eq. 2; 0: ``K/sigma_xx``).
    """

    def __init__(self, quantity: str, x_kind: str):
        if quantity not in _QUANTITIES or x_kind not in ("energy", "angle"):
            raise ModelError(f"unknown T-matrix curve {quantity!r} vs {x_kind!r}")
        self.quantity = quantity
        self.x_kind = x_kind

    def __call__(self, x, fermi_energy=None, theta=None, exchange=5.0, alpha=17.0, u=1.8,
                 radius=0.2, density=5e-4, mass=0.8, tmatrix=1.0, hall=1.0, n_phi=256):
        x = np.asarray(x, dtype=float)
        approx = "tmatrix" if _flag("tmatrix", tmatrix) else "born"
        norm = "tensor" if _flag("hall", hall) else "longitudinal"
        out = np.empty(x.shape)
        for i, xv in np.ndenumerate(x):
            eps_mev = xv if self.x_kind == "energy" else fermi_energy
            th_deg = xv if self.x_kind == "angle" else theta
            model = RashbaFerromagnet(
                fermi_energy=1e-3 * eps_mev, exchange=1e-3 * exchange, alpha=1e-3 * alpha,
                theta=math.radians(th_deg), u=u, radius=radius, density=density, mass=mass)
            t = response(model, approximation=approx, n_phi=int(n_phi)).torques(norm)
            if self.quantity == "dl_fl_ratio":
                out[i] = t["tau1_e"] / t["tau1_o"]
            else:
                out[i] = t[self.quantity] / _TAU_SCALE
        return out


def _spec(quantity: str, x_kind: str) -> ModelSpec:
    common = [
        Param("exchange", "meV", 5.0, (0.0, 1e3), "exchange energy Delta_xc"),
        Param("alpha", "meV nm", 17.0, (-1e4, 1e4), "Rashba coupling hbar*alpha (17 meV nm = 1.7e-11 eV m)"),
        Param("u", "eV", 1.8, (-1e3, 1e3), "impurity potential u of W(r) = u R^2 delta(r)"),
        Param("radius", "nm", 0.2, (1e-4, 1e2), "impurity range R (cutoff 1/R of Re g0)", vary=False),
        Param("density", "nm^-2", 5e-4, (1e-12, 1.0), "areal impurity density n", vary=False),
        Param("mass", "m_e", 0.8, (1e-3, 1e2), "effective mass m*/m_e", vary=False),
        Param("tmatrix", "", 1.0, (0.0, 1.0), "1: full T-matrix; 0: first Born (no skew scattering)",
              vary=False),
        Param("hall", "", 1.0, (0.0, 1.0),
              "1: K_J = K sigma^-1 (eq. 2); 0: K/sigma_xx (seed 002 eq. 34, Fig. 3a)", vary=False),
    ]
    if x_kind == "energy":
        first = Param("theta", "deg", 30.0, (-360.0, 360.0), "magnetisation angle from +z (eq. 28)")
        x_name, x_unit = "fermi_energy", "meV"
    else:
        first = Param("fermi_energy", "meV", 5.5, (-1e3, 1e4), "Fermi energy eps")
        x_name, x_unit = "theta", "deg"
    y_unit = "" if quantity == "dl_fl_ratio" else TAU_UNIT
    return ModelSpec(
        name=f"tmatrix_{quantity}_vs_{x_kind}",
        func=TorqueCurve(quantity, x_kind),
        params=(first, *common),
        x_name=x_name, x_unit=x_unit, y_name=quantity, y_unit=y_unit,
        doc=(f"{_QUANTITIES[quantity]} of the disordered 2D Rashba ferromagnet with the full "
             "T-matrix treatment of scalar impurities (skew scattering), seed "
             "002_acb2a8e60c4cb8a9.txt eqs. (3)-(4), (16)-(27), at leading order in n; "
             "see docs/tmatrix.md"),
    )


#: ModelSpecs of this module by name.
TMATRIX_MODELS = {s.name: s for s in (_spec(q, k) for k in ("energy", "angle") for q in _QUANTITIES)}
