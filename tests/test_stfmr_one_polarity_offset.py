"""Spectra that each hold one field polarity keep a field offset of the magnet (its remanence,
the zero of its Hall probe), which the mean of two branches cancels: every resonance field is
shifted alike, which the in-plane Kittel relation takes for an anisotropy field along the
field. A positive-only set with an offset of 2 mT gave mu0 M_eff = 1.03 +- 0.13 T for 0.80,
flagged by the Kittel fit's reduced chi-square while the note blamed the lowest frequency
('an unsaturated magnetisation at low field, or a different mode?'). The note now says so and
names --free-hk, which gives M_eff back. Spectra from the textbook lineshape (W the HWHM,
H_res from the in-plane Kittel relation), the sample seeing H + b where the file writes H."""

import numpy as np

from sotfit.analysis.stfmr import analyse_stfmr
from sotfit.data import Dataset

GAMMA, MEFF, ALPHA, W0, B = 29.0, 0.80, 0.010, 0.001, 0.002   # GHz/T, T, 1, T, T
FREQS = (3.3, 5.1, 5.9, 8.7, 12.2, 16.4)


def _spectra(polarity):
    out = []
    for k, f in enumerate(FREQS):
        h0 = (-MEFF + np.sqrt(MEFF ** 2 + 4 * (f / GAMMA) ** 2)) / 2
        w = W0 + ALPHA * f / GAMMA
        hp = np.linspace(0.005, h0 + 15 * w, 201)
        h = {"pos": hp, "both": np.concatenate([-hp[::-1], hp])}[polarity]
        d = np.abs(h + B) - h0               # the sample sees H + b
        v = np.sign(h) * (5.0 * w * w + 8.0 * w * d) / (d * d + w * w) + 1.0
        v = v + 0.05 * np.random.default_rng(k).standard_normal(h.size)
        out.append(Dataset(h, v, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                           meta={"frequency": f, "source": f"s_{f:g}GHz.csv", "sample": "s"}))
    return out


def _said(res):
    return [n for n in res.notes if n.startswith("every spectrum holds one field polarity")]


def test_one_polarity_with_a_field_offset_is_said_and_free_hk_takes_it_up():
    res = analyse_stfmr(_spectra("pos"), global_fit=False)
    (note,) = _said(res)
    assert "(+ branch only)" in note and "--free-hk fits it" in note and "lowest frequencies alone" in note
    assert abs(res.sequential["meff"].nominal_value - MEFF) > 0.1      # the offset's bias
    res = analyse_stfmr(_spectra("pos"), global_fit=False, free_hk=True)
    assert not _said(res)
    meff, h_k = res.sequential["meff"], res.sequential["h_k"]
    assert abs(meff.nominal_value - MEFF) < 3 * meff.std_dev
    assert abs(h_k.nominal_value - B) < 3 * h_k.std_dev


def test_both_polarities_cancel_the_offset_and_say_nothing():
    res = analyse_stfmr(_spectra("both"), global_fit=False)
    assert not _said(res)
    meff = res.sequential["meff"]
    assert abs(meff.nominal_value - MEFF) < 3 * meff.std_dev


def test_the_two_polarities_read_apart_are_named_so():
    """Both polarities in files the reader does not pair (each branch a spectrum of its own):
    the note says to name them so that they are joined, not to fit h_k."""
    both = _spectra("both")
    apart = [Dataset(d.x[keep], d.y[keep], x_name="field", x_unit="T", y_name="vmix",
                     y_unit="uV", meta={**d.meta, "source": f"{sign}_{d.source}"})
             for d in both for sign, keep in (("neg", d.x < 0), ("pos", d.x > 0))]
    res = analyse_stfmr(apart, global_fit=False)
    (note,) = _said(res)
    assert "some the + branch and some the -" in note and "name them so that" in note
