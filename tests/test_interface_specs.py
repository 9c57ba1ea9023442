"""ModelSpecs of the microscopic mixing conductance, units and fits."""

import math

import numpy as np
import pytest

from sotfit.data import Dataset
from sotfit.fitting import fit_global
from sotfit.models import MODELS, ModelError
from sotfit.models.interface.barrier_tb import E2_OVER_H, mixing_conductance_tb
from sotfit.models.interface.delta_barrier import collinear_mixing_closed_form
from sotfit.models.interface.specs import (barrier_mixing_complex, delta_mixing_complex,
                                           interface_barrier_g, interface_delta_g)


def test_registered():
    assert MODELS["interface_barrier_g"] is interface_barrier_g
    assert MODELS["interface_delta_g"] is interface_delta_g


def test_barrier_spec_units_and_parts():
    J = np.array([0.1, 0.5, 1.0])
    g = mixing_conductance_tb(-4.0, 1.0, 0.6, J).g_mix
    si = g * E2_OVER_H / (0.3e-9) ** 2
    re = interface_barrier_g(J, delta_t=0.4, part=0)
    im = interface_barrier_g(J, delta_t=0.4, part=1)
    assert np.allclose(re, si.real / 1e13, rtol=1e-9)
    assert np.allclose(im, si.imag / 1e13, rtol=1e-9)
    assert np.allclose(barrier_mixing_complex(J, delta_t=0.4), si / 1e13, rtol=1e-9)
    with pytest.raises(ModelError, match="part"):
        interface_barrier_g(J, part=2)
    # t_c_ratio is t_c / t0 (here t0 = 2 eV, t_c = 1 eV)
    g2 = mixing_conductance_tb(-8.0, 2.0, 1.2, J, 0.0, 1.0).g_mix * E2_OVER_H / (0.3e-9) ** 2
    assert np.allclose(interface_barrier_g(J, delta_t=0.8, t0=2.0, fermi_energy=-8.0,
                                           t_c_ratio=0.5, part=1), g2.imag / 1e13, rtol=1e-9)


def test_delta_spec_is_sharvin_times_closed_form():
    kf = 12.0  # 1/nm
    g_sh = E2_OVER_H * (kf * 1e9) ** 2 / (4 * math.pi) / 1e13
    u = np.array([0.3, 1.0, 2.5])
    g = delta_mixing_complex(u, u0=0.4, k_fermi=kf)
    ref = np.array([collinear_mixing_closed_form(0.4, v) for v in u]) * g_sh
    assert np.allclose(g, ref, rtol=1e-9)
    # free-electron Cu (k_F = 13.6/nm): Sharvin conductance 0.57e15 Ohm^-1 m^-2 per spin
    g_cu = delta_mixing_complex(1e-9, u0=0.0, k_fermi=13.6)
    assert abs(g_cu.real - 57.0) < 0.5


def test_fit_recovers_planted_barrier_from_closed_form_data():
    """Re and Im G(u_ex) made by the collinear closed form (independent route) with noise."""
    rng = np.random.default_rng(5)
    kf, u0_true = 10.0, 0.7
    g_sh = E2_OVER_H * (kf * 1e9) ** 2 / (4 * math.pi) / 1e13
    u = np.linspace(0.2, 3.0, 12)
    g = np.array([collinear_mixing_closed_form(u0_true, v) for v in u]) * g_sh
    sig = 0.5
    data = [Dataset(u, g.real + rng.normal(0, sig, u.size), np.full(u.size, sig),
                    meta={"part": 0, "source": "re"}),
            Dataset(u, g.imag + rng.normal(0, sig, u.size), np.full(u.size, sig),
                    meta={"part": 1, "source": "im"})]
    # the data's k_F, not the spec's default (3/nm since the defaults were made one)
    model = interface_delta_g.with_defaults(u0=0.3, u_R=(0.0, False), k_fermi=(kf, False))
    res = fit_global(data, model, shared=["u0", "u_R", "k_fermi", "theta_m", "phi_m"])
    u0 = res["u0"]
    assert abs(u0.nominal_value - u0_true) < 4 * u0.std_dev
    assert u0.std_dev < 0.05


def test_delta_spec_rejects_non_positive_fermi_wave_number():
    from sotfit.models.interface.delta_barrier import DeltaInputError

    for kf in (0.0, -3.0, float("nan")):
        with pytest.raises(DeltaInputError, match="k_fermi"):
            delta_mixing_complex(1.0, 0.5, 0.0, kf)
