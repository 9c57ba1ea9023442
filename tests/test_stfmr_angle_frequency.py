"""An angle scan whose files each read the frequency back (a synthesizer's read-back column,
6.49999997 to 6.50000001 GHz) is at one frequency: it was refused as 'at different frequencies
(6.5 GHz: ...; 6.5 GHz: ...)', with no option to read it. Frequencies further apart stay an
error, each written with the digits that tell it from the others. Spectra from the textbook
lineshape with V_s, V_a of the angular model (docs/stfmr.md, section 6.4)."""

import numpy as np
import pytest

from sotfit.analysis.stfmr import analyse_angle_scan
from sotfit.analysis.stfmr.errors import STFMRError
from sotfit.data import Dataset

GAMMA, MEFF, F = 29.0, 0.80, 6.5               # GHz/T, T, GHz
SY, AY = 6.0, 9.0                               # uV
ANGLES = (20, 55, 110, 145, 200, 235, 290, 325)


def _scan(shifts):
    """Spectra at the field angles ``ANGLES``, spectrum k at F + shifts[k] GHz (the line at F)."""
    h0 = (-MEFF + np.sqrt(MEFF ** 2 + 4 * (F / GAMMA) ** 2)) / 2
    w = 0.001 + 0.01 * F / GAMMA
    h = np.concatenate([np.linspace(-0.16, -0.01, 101), np.linspace(0.01, 0.16, 101)])
    out = []
    for k, phi in enumerate(ANGLES):
        p = np.radians(phi)
        s, a = np.sin(2 * p) * SY * np.cos(p), np.sin(2 * p) * AY * np.cos(p)
        d = np.abs(h) - h0
        v = np.sign(h) * (s * w * w + a * w * d) / (d * d + w * w) + 0.5
        v = v + 0.02 * np.random.default_rng(k).standard_normal(h.size)
        out.append(Dataset(h, v, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                           meta={"frequency": F + shifts[k], "field_angle": float(phi),
                                 "source": f"phi{phi}deg.txt"}))
    return out


def test_frequencies_read_back_within_their_jitter_are_one():
    shifts = [(-3e-8, 1e-8, 0.0, 2e-8, -1e-8, 0.0, 1e-8, -2e-8)[k] for k in range(len(ANGLES))]
    res = analyse_angle_scan(_scan(shifts), gyromagnetic_ratio=GAMMA)
    assert any("differ by 5e-08 GHz, within 0.0001 of their mean (a read-back): one frequency"
               in n for n in res.notes)
    assert res.meff.nominal_value == pytest.approx(MEFF, abs=4 * res.meff.std_dev + 1e-6)
    for fit_, planted in ((res.vs_fit, SY), (res.va_fit, AY)):
        q = fit_.params["c_y"]
        assert abs(q.nominal_value - planted) < 4 * q.std_dev


def test_frequencies_apart_are_named_with_the_digits_that_tell_them_apart():
    shifts = [0.0] * 4 + [0.01] * 4
    with pytest.raises(STFMRError, match=r"different frequencies \(6\.5 GHz: phi20deg\.txt, "
                                         r".*; 6\.51 GHz: phi200deg\.txt"):
        analyse_angle_scan(_scan(shifts))
    shifts = [0.0] * 4 + [0.002] * 4      # 3e-4 of the frequency: no read-back's jitter
    with pytest.raises(STFMRError, match=r"\(6\.5 GHz: .*; 6\.502 GHz: "):
        analyse_angle_scan(_scan(shifts))
