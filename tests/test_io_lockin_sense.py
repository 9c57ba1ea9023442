"""The lock-in channels of the files read together are combined in one sense of their axis.

Each file's lock-in phase is the principal axis of its (X, Y) cloud, whose sense a file alone
takes in (-45, 135] deg. A set-up whose phase lies near 135 deg wrote files a few degrees
apart on either side (133 and 137 deg, taken as 133 and -43): their V_mix came out of opposite
signs, and an angle scan fitted V_s(phi) and V_a(phi) with the signs of half its files
reversed (dl_x_over_dl_y 1.7 for 0 planted, a reduced chi-square of 5e4 laid to anisotropy
or a field angle offset). The spectra are generated here from the textbook lineshape, V_s and
V_a of the angular model of MacNeill et al. (docs/stfmr.md, section 6.4)."""

import numpy as np
import pytest

from sotfit.analysis.stfmr import analyse_angle_scan
from sotfit.io import read_stfmr

GAMMA, MEFF, F = 29.0, 0.80, 6.5               # GHz/T, T, GHz
SY, SZ, AY = 6.0, 1.5, 9.0                      # uV: sin 2phi (S_y cos phi + S_z), A_y
ANGLES = (20, 55, 110, 145, 200, 235, 290, 325, 35, 125, 215, 305)   # deg


def _field_and_width():
    b = (F / GAMMA) ** 2
    return (-MEFF + np.sqrt(MEFF ** 2 + 4 * b)) / 2, 0.001 + 0.01 * F / GAMMA


def _spectrum(phi, seed):
    """Signed field (T) and V_mix (uV) at field angle ``phi`` (deg), both polarities: the -H
    branch at phi + 180 deg, where the terms odd in m change sign."""
    h0, w = _field_and_width()
    p = np.radians(phi)
    odd_s, odd_a = np.sin(2 * p) * SY * np.cos(p), np.sin(2 * p) * AY * np.cos(p)
    even_s = np.sin(2 * p) * SZ
    rng = np.random.default_rng(seed)
    h = np.concatenate([np.linspace(-0.16, -0.01, 101), np.linspace(0.01, 0.16, 101)])
    pol = np.sign(h)
    d = np.abs(h) - h0
    v = ((pol * odd_s + even_s) * w * w + pol * odd_a * w * d) / (d * d + w * w) + 0.5
    return h, v + 0.02 * rng.standard_normal(h.size)


def _write(folder, phases):
    folder.mkdir()
    for k, phi in enumerate(ANGLES):
        h, v = _spectrum(phi, k)
        t = np.radians(phases[k % len(phases)])
        c, s = float(np.cos(t)), float(np.sin(t))
        (folder / f"scan_6p5GHz_phi{phi}deg.csv").write_text(
            "Field (mT),X (uV),Y (uV)\n" + "".join(
                f"{a * 1e3!r},{b * c!r},{b * s!r}\n" for a, b in zip(h.tolist(), v.tolist())))
    return folder


def test_files_whose_phases_straddle_135_deg_are_read_in_one_sense(tmp_path):
    folder = _write(tmp_path / "scan", (133.0, 137.0))
    sweep = read_stfmr(folder, lockin_channels=("X", "Y"))
    phases = [d.meta["lockin_phase"] for d in sweep]
    assert max(phases) - min(phases) == pytest.approx(4.0, abs=1e-6)  # one sense: 133, 137
    turned = [d for d in sweep if any("V_mix negated: the lock-in axis fitted at" in n
                                      for n in d.meta["reader_notes"])]
    assert len(turned) == 6
    sign = -1.0 if sweep[0].meta["lockin_phase"] < 45.0 else 1.0   # the run's sense
    for d in sweep:             # each V_mix the generated one, all of one sign
        v = _spectrum(d.meta["field_angle"], ANGLES.index(d.meta["field_angle"]))[1]
        np.testing.assert_allclose(d.y, sign * v, rtol=1e-9, atol=1e-9)
    res = analyse_angle_scan(sweep, meff=MEFF)
    for fit_, names in ((res.vs_fit, (("c_y", SY), ("c_x", 0.0), ("c_z", SZ))),
                        (res.va_fit, (("c_y", AY), ("c_x", 0.0), ("c_z", 0.0)))):
        assert fit_.redchi < 3
        for name, planted in names:
            q = fit_.params[name]
            assert abs(abs(q.nominal_value) - planted) < 4 * q.std_dev + 1e-9, name
    q = res.torques["dl_x_over_dl_y"]
    assert abs(q.nominal_value) < 4 * q.std_dev


def test_files_of_one_sense_and_a_file_alone_are_read_as_before(tmp_path):
    """Phases on one side of the boundary (40 and 44 deg) keep their own sense, as does a file
    read alone at 137 deg (-43 deg, the sense of its larger component)."""
    folder = _write(tmp_path / "scan", (40.0, 44.0))
    sweep = read_stfmr(folder, lockin_channels=("X", "Y"))
    assert sorted({round(d.meta["lockin_phase"]) for d in sweep}) == [40, 44]
    assert not any("negated" in n for d in sweep for n in d.meta["reader_notes"])
    alone = _write(tmp_path / "alone", (137.0,))
    (d,) = read_stfmr(sorted(alone.glob("*phi20deg*")), lockin_channels=("X", "Y"))
    assert d.meta["lockin_phase"] == pytest.approx(-43.0, abs=0.2)
