"""Same sample, both pipelines: harmonic Hall and ST-FMR give the same signs (and values) of
the damping-like and field-like fields (docs/CONVENTIONS.md: sigma = +y, mu0_h_dl (m x sigma),
mu0_h_fl along sigma, both at the peak current).

Harmonic Hall: the in-plane example set (data/hall_example/inplane, time-domain LLG route,
mu0_h_dl = +0.4 mT, mu0_h_fl = +0.2 mT at the peak current) through method (a).
ST-FMR: the same torque fields at the same peak current drive the linearised LLG written out
below (independent of sotfit's ST-FMR code); the rectified voltage <I(t) R(t)> with the AMR
R = R_perp + Delta_R cos^2(phi) is fitted with the ST-FMR lineshape and converted with
sotfit.analysis.stfmr_torques.torque_fields.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sotfit.analysis.hall import avci
from sotfit.analysis.stfmr_torques import torque_fields
from sotfit.data import Dataset
from sotfit.fitting import fit
from sotfit.io.hall import read_hall_table
from sotfit.models.lineshapes import stfmr_mixing

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example"
TRUTH = json.loads((EX / "truth.json").read_text())["samples"]["inplane"]
GAMMA = 1.760859e11  # rad s^-1 T^-1


def _stfmr_voltage(h, phi_deg, f_hz, meff, alpha, b_dl, b_fl, i_rf_ma, delta_r):
    """Rectified voltage (uV) of the linearised LLG, dm/dt = -gamma m x B + alpha m x dm/dt, for an
    in-plane film (demagnetising field -meff m_z z) with m0 along the in-plane field at phi and
    rf fields b_dl (m x y) + b_fl y at the peak current of I(t) = I_rf cos(wt).

    With dm = a e_phi + b z (complex amplitudes of e^{iwt}; e_phi = z x m0), the e_phi and z
    components of the LLG are
        i w a = -gamma [(H + meff) b - b_dl cos(phi)] - i w alpha b
        i w b = -gamma [-H a + b_fl cos(phi)] + i w alpha a
    and <I R> = (1/2) I_rf (dR/dphi) Re(a), dR/dphi = -Delta_R sin(2 phi)."""
    w = 2 * math.pi * f_hz
    phi = math.radians(phi_deg)
    out = []
    for hh in np.atleast_1d(h):
        m = np.array([[1j * w, GAMMA * (hh + meff) + 1j * w * alpha],
                      [-GAMMA * hh - 1j * w * alpha, 1j * w]])
        rhs = np.array([GAMMA * b_dl * math.cos(phi), -GAMMA * b_fl * math.cos(phi)])
        a, _ = np.linalg.solve(m, rhs)
        out.append(0.5 * i_rf_ma * (-delta_r * math.sin(2 * phi)) * a.real * 1e3)  # mA Ohm -> uV
    return np.array(out)


@pytest.mark.parametrize("phi_deg", [45.0, 225.0])
def test_hall_and_stfmr_give_the_same_signs_for_one_sample(phi_deg):
    t = TRUTH
    conv = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X", gain_2w=10.0)
    scans = [read_hall_table(f, scan="phi", **conv) for f in sorted((EX / "inplane").glob("phi_*.csv"))]
    hall = avci(scans, mu0_hk=t["mu0_hk"], r_ahe=t["r_ahe"]).quantities
    # ST-FMR of the same film: mu0 Meff = -mu0_hk, same fields at the same peak current
    meff, alpha, f_hz, i_rf, delta_r = -t["mu0_hk"], 0.01, 8e9, 1.5 * math.sqrt(2), 0.5
    h = np.linspace(0.04, 0.16, 601)
    v = _stfmr_voltage(h, phi_deg, f_hz, meff, alpha, t["mu0_h_dl"], t["mu0_h_fl"], i_rf, delta_r)
    r = fit(Dataset(h, v, x_name="field", y_name="v_mix", x_unit="T", y_unit="uV"), stfmr_mixing)
    fmr = torque_fields(r.value("vs"), r.value("va"), r.value("h_res"), meff, r.value("width"),
                        i_rf, delta_r, phi_deg)
    # the ST-FMR inversion recovers the planted fields (noise-free; exact to about 1e-5 here)
    assert fmr["mu0_h_dl"] == pytest.approx(t["mu0_h_dl"], rel=1e-3)
    assert fmr["mu0_h_fl_oe"] == pytest.approx(t["mu0_h_fl"], rel=1e-3)
    for name in ("mu0_h_dl", "mu0_h_fl_oe"):
        q = hall[name]
        assert math.copysign(1, q.nominal_value) == math.copysign(1, fmr[name])
        assert abs(q.nominal_value - fmr[name]) <= 2 * math.hypot(q.std_dev, 1e-3 * fmr[name])
