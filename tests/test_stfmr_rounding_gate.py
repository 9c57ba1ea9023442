"""A resonance smaller than the rounding of values that carry no noise to dither them is not
reported: a sloped background written in 10 uV steps has steps that the fit takes for
antisymmetric lines of about one step (V_s = 0), at fields unrelated to the resonance. A line
of a few rounding steps and more is kept and found where it was planted."""

import numpy as np
import pytest

import sotfit.analysis.stfmr.branch_fit as branch_fit
from sotfit.analysis.stfmr_spectra import fit_spectrum
from sotfit.data import Dataset

H_RES, HWHM, STEP_UV = 0.116, 0.0049, 10.0


def _lorentz(h, hr, w, vs, va):
    d = h - hr
    return (vs * w * w + va * w * d) / (d * d + w * w)


def quantised_spectrum(seed: int, amplitude: float) -> Dataset:
    """Both polarities of a mixing line of V_s = ``amplitude`` (uV), V_a = 0.3 V_s, with white
    noise of 0.095 uV on a background of up to 2 mV and 2.3 mV/0.41 T, written in 10 uV
    steps (a voltmeter's fixed range)."""
    rng = np.random.default_rng(seed)
    h = np.linspace(-0.4117, 0.4117, 1904)
    v = _lorentz(np.abs(h), H_RES, HWHM, amplitude, 0.3 * amplitude)
    v = v + rng.normal(0.0, 0.095, h.size)
    v += 1965.0 * rng.uniform(-1, 1) + 2280.0 * rng.uniform(-1, 1) * h / 0.41
    return Dataset(h, np.round(v / STEP_UV) * STEP_UV,
                   meta={"frequency": 9.5, "source": f"quantised_{seed}"})


@pytest.mark.parametrize("seed", [7, 17, 47, 55])
def test_a_line_below_the_rounding_is_refused_not_placed_on_a_step(seed, monkeypatch):
    """0.6 uV under 10 uV steps: refused with the reason; without the gate these spectra give
    'resonances' of about 11 uV, V_s = 0, far from the planted field (the test's premise)."""
    with pytest.raises(Exception, match=r"pure symmetric or antisymmetric line.*10 uV grid.*a step of "
                                        "the rounding"):
        fit_spectrum(quantised_spectrum(seed, 0.59))
    monkeypatch.setattr(branch_fit, "_ROUNDING_STEPS", 0.0)
    fit = fit_spectrum(quantised_spectrum(seed, 0.59))
    wrong = [r for r in fit.branches
             if abs(r.value("h_res") - H_RES) > 0.01 and abs(r.value("vs")) < 1e-6
             and 9.0 < abs(r.value("va")) < 12.0]
    assert wrong


@pytest.mark.parametrize("amplitude", [25.0, 60.0, 200.0])
def test_a_line_of_a_few_rounding_steps_is_kept_where_it_was_planted(amplitude):
    for seed in range(3):
        fit = fit_spectrum(quantised_spectrum(seed, amplitude))
        assert len(fit.branches) == 2
        for r in fit.branches:
            assert abs(r.value("h_res") - H_RES) < 4 * r.stderr("h_res")
