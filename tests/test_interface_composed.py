"""Microscopic G fed into the drift-diffusion efficiency (seed 003 eqs. 1-2)."""

import math

import numpy as np
import pytest

from sotfit.data import Dataset
from sotfit.fitting import fit_global
from sotfit.models import MODELS, ModelError
from sotfit.models.drift_diffusion import xi_e_dl, xi_e_fl
from sotfit.models.interface.barrier_tb import E2_OVER_H
from sotfit.models.interface.composed import (interface_barrier_efficiency,
                                              interface_delta_efficiency)
from sotfit.models.interface.delta_barrier import collinear_mixing_closed_form
from sotfit.models.interface.specs import barrier_mixing_complex

T = np.linspace(2, 40, 9)


def test_registered_and_consistent_with_drift_diffusion():
    assert MODELS["interface_barrier_efficiency"] is interface_barrier_efficiency
    assert MODELS["interface_delta_efficiency"] is interface_delta_efficiency
    kw = dict(spin_hall_conductivity=2.0, spin_diffusion_length=20.0, resistivity=350.0)
    g = complex(barrier_mixing_complex(0.1, delta_t=0.6))
    dl = interface_barrier_efficiency(T, delta_t=0.6, J=0.1, torque=0, **kw)
    fl = interface_barrier_efficiency(T, delta_t=0.6, J=0.1, torque=1, **kw)
    assert np.allclose(dl, xi_e_dl(T, re_g_mix=g.real, im_g_mix=g.imag, **kw), rtol=1e-12)
    assert np.allclose(fl, xi_e_fl(T, re_g_mix=g.real, im_g_mix=g.imag, **kw), rtol=1e-12)
    # a barrier with Im G >> Re G gives |FL| > DL (the seed 003 NiFe/BiSb message)
    assert abs(g.imag / g.real) > 5
    assert np.all(np.abs(fl[3:]) > dl[3:])
    # J -> -J conjugates G and flips the field-like sign
    fl_neg = interface_barrier_efficiency(T, delta_t=0.6, J=-0.1, torque=1, **kw)
    assert np.allclose(fl_neg, -fl, rtol=1e-10)
    with pytest.raises(ModelError, match="torque"):
        interface_barrier_efficiency(T, torque=0.5)


def test_fit_thickness_series_for_delta_barrier_parameters():
    """DL and FL series made from the collinear closed form (independent route) with noise."""
    rng = np.random.default_rng(2)
    kf, u0, uex = 1.0, 0.6, 1.4
    sigma, lam, rho = 2.0, 20.0, 350.0
    g_sh = E2_OVER_H * (kf * 1e9) ** 2 / (4 * math.pi) / 1e13
    g = collinear_mixing_closed_form(u0, uex) * g_sh
    t = np.linspace(2, 80, 16)
    kw = dict(spin_hall_conductivity=sigma, spin_diffusion_length=lam, resistivity=rho,
              re_g_mix=g.real, im_g_mix=g.imag)
    err = 0.01
    data = [Dataset(t, xi_e_dl(t, **kw) + rng.normal(0, err, t.size), np.full(t.size, err),
                    meta={"torque": 0, "source": "dl"}),
            Dataset(t, xi_e_fl(t, **kw) + rng.normal(0, err, t.size), np.full(t.size, err),
                    meta={"torque": 1, "source": "fl"})]
    model = interface_delta_efficiency.with_defaults(
        resistivity=rho, k_fermi=kf, u0=0.3, u_ex=1.0, spin_diffusion_length=15.0,
        spin_hall_conductivity=1.5)
    res = fit_global(data, model, shared=list(model.param_names), guess=False)
    for name, true in (("u0", u0), ("u_ex", uex), ("spin_diffusion_length", lam),
                       ("spin_hall_conductivity", sigma)):
        v = res[name]
        assert abs(v.nominal_value - true) < 4 * v.std_dev, (name, v, true)
