"""An offset of the field angles (a sample mounted a few degrees off, a rotation stage's zero)
is fitted with the six angular amplitudes and flagged where it stands clear of zero: it makes
terms in sin 2phi sin phi that the angular fit took for x-polarised torques (3 deg gave
dl_x_over_dl_y = 0.072 +- 0.022 and h_x_over_h_y = 0.046 +- 0.014 for 0, with reduced
chi-squares below their flag). Spectra from the textbook lineshape, V_s and V_a of the angular
model (docs/stfmr.md, section 6.4) at the true angle phi + 3 deg."""

import numpy as np
import pytest

from sotfit.analysis.stfmr import analyse_angle_scan, angle_summary_dict
from sotfit.data import Dataset

GAMMA, MEFF, F = 29.0, 0.80, 6.5               # GHz/T, T, GHz
ANGLES = (20, 35, 55, 70, 110, 125, 145, 160, 200, 215, 235, 250, 290, 305, 325, 340)


def _scan(offset, sy=6.0, sx=0.0, ay=9.0, ax=0.0, noise=0.3):
    """Spectra at the field angles ``ANGLES`` (deg), the magnetisation at phi + ``offset``."""
    h0 = (-MEFF + np.sqrt(MEFF ** 2 + 4 * (F / GAMMA) ** 2)) / 2
    w = 0.001 + 0.01 * F / GAMMA
    h = np.concatenate([np.linspace(-0.15, -0.01, 141), np.linspace(0.01, 0.15, 141)])
    d = np.abs(h) - h0
    out = []
    for k, phi in enumerate(ANGLES):
        p = np.radians(phi + offset)
        s = np.sin(2 * p) * (sy * np.cos(p) + sx * np.sin(p))
        a = np.sin(2 * p) * (ay * np.cos(p) + ax * np.sin(p))
        v = np.sign(h) * (s * w * w + a * w * d) / (d * d + w * w) + 0.5
        v = v + noise * np.random.default_rng(k).standard_normal(h.size)
        out.append(Dataset(h, v, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                           meta={"frequency": F, "field_angle": float(phi),
                                 "source": f"phi{phi}deg.txt"}))
    return out


def test_an_offset_of_the_field_angles_is_fitted_and_flags_the_x_terms():
    res = analyse_angle_scan(_scan(3.0), meff=MEFF)
    sec = angle_summary_dict(res)
    off = sec["field_angle_offset"]
    assert abs(off["value"] - 3.0) < 3 * off["stderr"] and off["value"] / off["stderr"] > 3
    for q in (sec["torques"]["dl_x_over_dl_y"], sec["torques"]["h_x_over_h_y"],
              sec["amplitudes"]["vs_x"], sec["amplitudes"]["va_x"]):
        assert any(f.startswith("field angle offset: the amplitudes follow the field angles "
                                "read plus") for f in q.get("flags", ()))
    for k in ("vs_y", "va_y", "vs_z", "va_z"):
        assert not any("offset" in f for f in sec["amplitudes"][k].get("flags", ()))
    for k in ("vs_x", "va_x"):                 # with the offset fitted, no x-polarised term
        value, stderr = res.angle_offset["amplitudes"][k]
        assert abs(value) < 3 * stderr


@pytest.mark.parametrize("sx, ax", [(0.0, 0.0), (0.8, 0.5)])
def test_angles_without_an_offset_are_not_flagged(sx, ax):
    """x-polarised terms of their own are not taken for an offset: the offset's other term,
    in cos 2phi cos phi, sets the two apart."""
    res = analyse_angle_scan(_scan(0.0, sx=sx, ax=ax), meff=MEFF)
    sec = angle_summary_dict(res)
    off = sec["field_angle_offset"]
    assert abs(off["value"]) < 3 * off["stderr"]
    assert "angle_offset" not in res.flags
    q = sec["amplitudes"]["vs_x"]
    assert abs(q["value"] - sx) < 3 * q["stderr"]
