"""Torque fields to efficiencies (seed 003_010c0338986411e7.txt, definition after eq. (2)) and the
Oersted field, against a hand calculation in SI units."""

import pytest
from scipy import constants as C
from uncertainties import ufloat

from sotfit.analysis.hall import Sample, efficiencies, oersted_field


def test_efficiencies_and_oersted_field_by_hand():
    s = Sample(current_peak=2.0, t_fm=5.0, t_nm=6.0, width=10e3, mu0_ms=1.1, resistivity=150.0,
               current_fraction=0.6)                      # mA, nm, nm, nm, T, uOhm cm
    q = {"mu0_h_dl": ufloat(4e-4, 2e-5), "mu0_h_fl_oe": ufloat(-1e-4, 1e-5)}
    notes = []
    out = efficiencies(q, s, notes)
    # thin-sheet Oersted field of the spin-source current, spin source below: along -y
    i_nm = 0.6 * 2.0e-3                                   # A
    oe = -C.mu_0 * (i_nm / 10e-6) / 2
    assert oersted_field(s) == pytest.approx(oe, rel=1e-12)
    assert out["mu0_h_fl"].nominal_value == pytest.approx(-1e-4 - oe, rel=1e-12)
    # xi^E = (2e/hbar) mu0 Ms t_F H / E, E = rho j, j = f I0 / (w t_NM); xi = xi^E rho
    rho = 150e-8                                          # Ohm m
    e_field = rho * i_nm / (10e-6 * 6e-9)
    assert out["e_field"] == pytest.approx(e_field, rel=1e-12)
    for name, h in (("dl", out["mu0_h_dl"]), ("fl", out["mu0_h_fl"])):
        xi_e = 2 * C.e / C.hbar * 1.1 * 5e-9 * (h.nominal_value / C.mu_0) / e_field   # 1/(Ohm m)
        assert out[f"xi_e_{name}"].nominal_value == pytest.approx(xi_e / 1e5, rel=1e-9)
        assert out[f"xi_{name}"].nominal_value == pytest.approx(xi_e * rho, rel=1e-9)
        # the relative error of the field carries over (sample dimensions exact)
        assert out[f"xi_{name}"].std_dev / abs(out[f"xi_{name}"].nominal_value) == pytest.approx(
            h.std_dev / abs(h.nominal_value), rel=1e-9)
    # spin source above: the Oersted field reverses
    assert oersted_field(Sample(current_peak=2.0, width=10e3, current_fraction=0.6,
                                stack="nm_above")) == pytest.approx(-oe, rel=1e-12)
    assert not notes
