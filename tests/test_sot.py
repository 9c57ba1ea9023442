"""The torque formulas of sotfit.models.sot: hand calculations in SI units and inverses."""

import math

import numpy as np
import pytest
from scipy import constants as C
from uncertainties import ufloat

from sotfit.models import sot


def test_oersted_and_electric_field_by_hand():
    # 2 mA peak, 60 % in the spin source, 10 um wide, 6 nm thick, 150 uOhm cm
    assert sot.oersted_field(2.0, 0.6, 1e4) == pytest.approx(C.mu_0 * 0.6 * 2e-3 / (2 * 10e-6), rel=1e-14)
    assert sot.oersted_field_y(2.0, 0.6, 1e4) == -sot.oersted_field(2.0, 0.6, 1e4)
    assert sot.oersted_field_y(2.0, 0.6, 1e4, nm_below=False) == sot.oersted_field(2.0, 0.6, 1e4)
    j = 0.6 * 2e-3 / (10e-6 * 6e-9)
    assert sot.current_density(2.0, 0.6, 1e4, 6.0) == pytest.approx(j, rel=1e-14)
    assert sot.electric_field_nm(2.0, 0.6, 1e4, 6.0, 150.0) == pytest.approx(150e-8 * j, rel=1e-14)


def test_efficiency_inverse_and_uncertainty():
    h = ufloat(4e-4, 2e-5)
    xe, xi = sot.efficiency(h, 1.1, 5.0, 3e4, 150.0)
    expected = 2 * C.e / C.hbar * 1.1 * 5e-9 * (4e-4 / C.mu_0) / 3e4 / 1e5
    assert xe.nominal_value == pytest.approx(expected, rel=1e-12)
    assert xi.nominal_value == pytest.approx(expected * 1e5 * 150e-8, rel=1e-12)
    assert xe.std_dev / xe.nominal_value == pytest.approx(0.05, rel=1e-12)
    assert sot.field_from_xi_e(xe.nominal_value, 1.1, 5.0, 3e4) == pytest.approx(4e-4, rel=1e-14)
    assert sot.xi_e_from_xi(xi.nominal_value, 150.0) == pytest.approx(xe.nominal_value, rel=1e-14)
    # the sheet current K = f I / w, and the thin-sheet Oersted field mu0 K / 2
    assert sot.sheet_current_density(2.0, 0.6, 1e4) == pytest.approx(0.6 * 2e-3 / 10e-6, rel=1e-15)


def test_prefactors_are_the_amr_factors_times_the_angular_factor():
    h, meff, w = np.array([0.05, 0.1]), 0.9, 0.004
    ks, ka = sot.lineshape_prefactors(h, meff, w, 2.0, 0.3, 30.0)
    ks0, ka0 = sot.amr_factors(h, meff, w, 2.0, 0.3)
    phi = math.radians(30.0)
    np.testing.assert_allclose(ks, ks0 * math.sin(2 * phi) * math.cos(phi), rtol=1e-14)
    np.testing.assert_allclose(ka / ks, np.sqrt(1 + meff / h), rtol=1e-14)   # Liu's ratio factor
    f = sot.torque_fields(ks * 1e-4, ka * 2e-4, h, meff, w, 2.0, 0.3, 30.0)
    np.testing.assert_allclose(f["mu0_h_dl"], 1e-4, rtol=1e-14)
    np.testing.assert_allclose(f["mu0_h_fl_oe"], 2e-4, rtol=1e-14)


def test_ratio_method_without_field_like_torque_and_pai_bias():
    # V_s/V_a from the prefactors with H_FL = 0: xi_FMR returns the xi_DL put in
    h, meff, ms, t_f, t_n = 0.08, 0.8, 1.0, 5.0, 6.0
    pref = sot.ratio_prefactor(ms, t_f, t_n)
    assert pref == pytest.approx(C.e * ms * 5e-9 * 6e-9 / C.hbar, rel=1e-14)
    ks, ka = sot.lineshape_prefactors(h, meff, 0.004, 1.0, 0.2, 45.0)
    h_dl, h_oe = 1e-4, 3e-4
    xi = sot.xi_fmr(ks * h_dl, ka * h_oe, h, meff, ms, t_f, t_n)
    assert xi == pytest.approx(pref * h_dl / h_oe, rel=1e-12)
    assert sot.xi_fmr_from_dl_fl(0.1, 0.0, ms, t_f, t_n) == 0.1
    assert sot.xi_fmr_from_dl_fl(0.1, pref, ms, t_f, t_n) == pytest.approx(0.05, rel=1e-14)


def test_negative_root_gives_nan_not_complex():
    assert math.isnan(sot.xi_fmr(1.0, 1.0, 0.05, -0.2, 1.0, 5.0, 6.0))
