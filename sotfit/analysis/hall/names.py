"""Parameter names of the global macrospin fit (method (d)) and the result names they report."""

from __future__ import annotations

from ...models.harmonic_hall import HALL_MODELS


_SHARED = ("r_ahe", "r_phe", "mu0_hk", "mu0_h_ip", "ip_axis", "phi0", "theta0", "tilt_x", "tilt_y",
           "r_ohe", "mu0_h_dl", "mu0_h_fl", "r_ane", "r_one")
#: Parameters of the macrospin models (method (d)) that ``fixed`` and ``free`` may name.
MACROSPIN_PARAMETERS = tuple(sorted({p.name for m in HALL_MODELS.values() for p in m.params}
                                    - {"offset"}))
_RESULT_NAMES = {"mu0_h_dl": "mu0_h_dl", "mu0_h_fl": "mu0_h_fl_oe", "r_ane": "r_ane", "r_one": "r_one",
                 "r_ahe": "r_ahe", "r_phe": "r_phe", "mu0_hk": "mu0_hk_eff", "mu0_h_ip": "mu0_h_ip",
                 "ip_axis": "ip_axis", "phi0": "phi0", "tilt_x": "tilt_x", "tilt_y": "tilt_y",
                 "theta0": "theta0"}
