"""Spectra whose frequencies were read back (a synthesizer's read-back column in each file,
6.4999997 to 6.5000003 GHz for repeated 6.5 GHz sweeps) are at one frequency: the Kittel and
linewidth fits were run across them, a lever arm of 1e-7 of the frequency, and gave alpha
0.0140 +- 0.00002 for 0.010 with W_0 held at 0 (flagged only for that bound). Spectra from the
textbook lineshape (W the HWHM, H_res from the in-plane Kittel relation)."""

import numpy as np

from sotfit.analysis.stfmr import analyse_stfmr
from sotfit.data import Dataset
from sotfit.io.stfmr.frequency_groups import distinct_frequencies

GAMMA, MEFF, ALPHA, W0 = 29.0, 0.80, 0.010, 0.001     # GHz/T, T, 1, T


def _spectrum(f, seed, f_read=None):
    h0 = (-MEFF + np.sqrt(MEFF ** 2 + 4 * (f / GAMMA) ** 2)) / 2
    w = W0 + ALPHA * f / GAMMA
    h = np.concatenate([np.linspace(-2 * h0, -0.005, 151), np.linspace(0.005, 2 * h0, 151)])
    d = np.abs(h) - h0
    v = np.sign(h) * (5.0 * w * w + 8.0 * w * d) / (d * d + w * w) + 1.0
    v = v + 0.05 * np.random.default_rng(seed).standard_normal(h.size)
    return Dataset(h, v, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                   meta={"frequency": f if f_read is None else f_read,
                         "source": f"run{seed}.txt", "sample": "s"})


def test_repeats_read_back_at_one_frequency_get_no_dispersion_fits():
    reads = (6.4999997, 6.5000001, 6.5000003, 6.4999999)
    res = analyse_stfmr([_spectrum(6.5, k, r) for k, r in enumerate(reads)], global_fit=False)
    assert res.kittel is None and res.linewidth is None and not res.sequential
    assert any("4 spectra fitted at 1 frequencies: the Kittel, damping and global fits need at "
               "least two frequencies" in n for n in res.notes)


def test_frequencies_apart_are_counted_as_before():
    assert distinct_frequencies([6.4999997, 6.5000003, 8.0, 8.0000004, 10.0]) == 3
    assert distinct_frequencies([8.0, 8.001, 8.002]) == 3      # 1.25e-4 apart: sweeps
    assert distinct_frequencies([]) == 0
