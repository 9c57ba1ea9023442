"""ModelSpecs of the T-matrix torque theory: efficiencies and the DL/FL ratio vs eps or theta.

Source: seed 002_acb2a8e60c4cb8a9.txt eqs. (3)-(4) and (16)-(27); see docs/tmatrix.md.
"""

from __future__ import annotations

import math

import numpy as np

from ..spec import ModelError, ModelSpec, Param, Reference
from .core import RashbaFerromagnet, response

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


#: The x variables of the ModelSpecs: parameter name, unit, default, bounds, doc.
_X_PARAMS = {
    "energy": ("fermi_energy", "meV", 5.5, (-1e3, 1e4), "Fermi energy eps"),
    "angle": ("theta", "deg", 30.0, (-360.0, 360.0), "magnetisation angle from +z (eq. 28)"),
    "exchange": ("exchange", "meV", 5.0, (0.0, 1e3), "exchange energy Delta_xc"),
    "alpha": ("alpha", "meV nm", 17.0, (-1e4, 1e4),
              "Rashba coupling hbar*alpha (17 meV nm = 1.7e-11 eV m)"),
    "potential": ("u", "eV", 1.8, (-1e3, 1e3), "impurity potential u of W(r) = u R^2 delta(r)"),
}
_OTHER = [
    ("radius", "nm", 0.2, (1e-4, 1e2), "impurity range R (cutoff 1/R of Re g0)", False),
    ("density", "nm^-2", 5e-4, (1e-12, 1.0),
     "areal impurity density n (the efficiencies do not depend on it at leading order)", False),
    ("mass", "m_e", 0.8, (1e-3, 1e2), "effective mass m*/m_e", False),
    ("tmatrix", "", 1.0, (0.0, 1.0), "1: full T-matrix; 0: first Born (no skew scattering)", False),
    ("hall", "", 1.0, (0.0, 1.0),
     "1: K_J = K sigma^-1 (eq. 2); 0: K/sigma_xx (seed 002 eq. 34, Fig. 3a)", False),
]


class TorqueCurve:
    """Picklable model function ``f(x, **params)``: one efficiency against one parameter.

    ``x_kind`` is one of ``'energy'`` (x = Fermi energy, meV), ``'angle'`` (theta, deg),
    ``'exchange'`` (Delta_xc, meV), ``'alpha'`` (meV nm), ``'potential'`` (u, eV); the other
    parameters are keywords in the units of the ModelSpec table: ``fermi_energy`` (meV),
    ``theta`` (deg), ``exchange`` (meV), ``alpha`` (meV nm), ``u`` (eV), ``radius`` (nm),
    ``density`` (nm^-2), ``mass`` (m_e), ``tmatrix`` (1 full T-matrix, 0 first Born), ``hall``
    (1: ``K_J = K sigma^-1`` of eq. 2; 0: ``K/sigma_xx``). 128 rays per ring (converged to
    ~1e-10, see docs/tmatrix.md).
    """

    def __init__(self, quantity: str, x_kind: str):
        if quantity not in _QUANTITIES or x_kind not in _X_PARAMS:
            raise ModelError(f"unknown T-matrix curve {quantity!r} vs {x_kind!r}")
        self.quantity = quantity
        self.x_kind = x_kind

    def __call__(self, x, fermi_energy=5.5, theta=30.0, exchange=5.0, alpha=17.0, u=1.8,
                 radius=0.2, density=5e-4, mass=0.8, tmatrix=1.0, hall=1.0, n_phi=128):
        x = np.asarray(x, dtype=float)
        approx = "tmatrix" if _flag("tmatrix", tmatrix) else "born"
        norm = "tensor" if _flag("hall", hall) else "longitudinal"
        name = _X_PARAMS[self.x_kind][0]
        out = np.empty(x.shape)
        for i, xv in np.ndenumerate(x):
            p = dict(fermi_energy=fermi_energy, theta=theta, exchange=exchange, alpha=alpha, u=u)
            p[name] = float(xv)
            model = RashbaFerromagnet(
                fermi_energy=1e-3 * p["fermi_energy"], exchange=1e-3 * p["exchange"],
                alpha=1e-3 * p["alpha"], theta=math.radians(p["theta"]), u=p["u"],
                radius=radius, density=density, mass=mass)
            t = response(model, approximation=approx, n_phi=int(n_phi)).torques(norm)
            if self.quantity == "dl_fl_ratio":
                out[i] = t["tau1_e"] / t["tau1_o"]
            else:
                out[i] = t[self.quantity] / _TAU_SCALE
        return out


#: The x value of the reference points of each x variable (meV, deg, meV, meV nm, eV).
_REF_X = {"energy": 5.5, "angle": 60.0, "exchange": 5.0, "alpha": 17.0, "potential": 2.0}

_BORN = ("limit: in the first Born approximation there is no skew scattering and no damping-like "
         "torque (seed 002; tests/test_tmatrix_core.py::test_born_limit_kills_skew_components)")


def _references(quantity: str, x_kind: str) -> tuple[Reference, ...]:
    """Limits every T-matrix curve obeys: no damping-like torque in the first Born
    approximation, no field-like torque without Rashba coupling, tau_2^o ~ Delta_xc^2."""
    x = (_REF_X[x_kind],)
    if quantity in ("tau1_e", "tau2_e", "dl_fl_ratio"):
        return (Reference(x, (0.0,), _BORN, {"tmatrix": 0.0}, atol=1e-12),)
    refs = (Reference(x, (0.0,), "limit: zero Rashba coupling gives zero torque",
                      {"alpha": 0.0}, atol=1e-12),)
    if quantity == "tau2_o":
        refs += (Reference(x, (0.0,), "limit: tau_2^o is of second order in the exchange "
                           "(seed 002 eq. (34)) and vanishes without it", {"exchange": 0.0},
                           atol=1e-12),)
    return refs


def _spec(quantity: str, x_kind: str) -> ModelSpec:
    x_name, x_unit = _X_PARAMS[x_kind][:2]
    params = [Param(n, un, d, b, doc) for k, (n, un, d, b, doc) in _X_PARAMS.items()
              if k != x_kind]
    params += [Param(n, un, d, b, doc, vary=v) for n, un, d, b, doc, v in _OTHER]
    y_unit = "" if quantity == "dl_fl_ratio" else TAU_UNIT
    return ModelSpec(
        name=f"tmatrix_{quantity}_vs_{x_kind}",
        func=TorqueCurve(quantity, x_kind),
        params=tuple(params),
        x_name=x_name, x_unit=x_unit, y_name=quantity, y_unit=y_unit,
        doc=(f"{_QUANTITIES[quantity]} of the disordered 2D Rashba ferromagnet with the full "
             "T-matrix treatment of scalar impurities (skew scattering), seed "
             "002_acb2a8e60c4cb8a9.txt eqs. (3)-(4), (16)-(27), at leading order in n; "
             "see docs/tmatrix.md"),
        references=_references(quantity, x_kind),
    )


#: ModelSpecs of this module by name: every efficiency against Fermi energy and angle, and
#: the DL/FL ratio also against exchange, Rashba coupling and impurity potential.
TMATRIX_MODELS = {s.name: s for s in (
    [_spec(q, k) for k in ("energy", "angle") for q in _QUANTITIES]
    + [_spec("dl_fl_ratio", k) for k in ("exchange", "alpha", "potential")])}
