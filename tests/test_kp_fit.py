"""Band-model fit targets: planted parameters recovered from independently generated data."""

import numpy as np
import pytest

from sotfit import fit
from sotfit.data import Dataset
from sotfit.models import MODELS
from sotfit.models.kp.hamiltonians import Rashba2DEG

from test_kp_boltzmann import seed001_eq13_14


def test_2deg_torque_ratio_fit_recovers_tau_and_exchange():
    """Data: chi_FL/chi_DL from the analytic seed 001 eqs. (13)-(14) (physical sign) + 1 % noise."""
    spec = MODELS["kp_2deg_torque_ratio"]
    true = dict(alpha_r=0.02, j_ex=0.08, m_eff=1.0, tau=0.3)
    model = Rashba2DEG(m_eff=1.0, alpha_r=true["alpha_r"], j_ex=true["j_ex"])
    x = np.linspace(-0.035, 0.2, 8)
    y = np.array([-a / b for a, b in (seed001_eq13_14(model, e, true["tau"]) for e in x)])
    rng = np.random.default_rng(7)
    err = 0.01 * np.abs(y)
    data = Dataset(x=x, y=y + rng.normal(0, err), yerr=err, x_name="fermi_energy",
                   y_name="chi_fl_over_chi_dl", x_unit="eV", y_unit="")
    res = fit(data, spec, init={"tau": 0.5, "j_ex": 0.05, "alpha_r": 0.02}, fixed=["alpha_r"])
    for name in ("tau", "j_ex"):
        v = res.params[name]
        assert abs(v.nominal_value - true[name]) < 3 * v.std_dev, (name, v)
        assert v.std_dev < 0.05 * true[name]
