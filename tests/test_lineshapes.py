"""The ST-FMR lineshape and its variable-projection grid search for starting values."""

import numpy as np
import pytest

from sotfit.models.lineshapes import (grid_guess_mixing, grid_search, mixing_voltage,
                                      stfmr_derivative)


def _spectrum(rng, h_res, width, vs, va, offset=0.3, slope=2.0, noise=0.02):
    h = np.linspace(0.02, 0.30, 400)
    return h, mixing_voltage(h, h_res, width, vs, va, offset, slope) + rng.normal(0, noise, h.size)


def test_grid_search_finds_the_resonance_on_a_sloped_background():
    """The best candidate lies within one grid step of the planted resonance, and its linear
    amplitudes are close to the planted ones (the grid width is within a factor 1.2)."""
    rng = np.random.default_rng(1)
    h, v = _spectrum(rng, 0.137, 0.006, -0.8, 1.1)
    g = grid_guess_mixing(h, v)
    assert abs(g["h_res"] - 0.137) < (h.max() - h.min()) / 119
    assert 0.006 / 1.2 < g["width"] < 0.006 * 1.2
    assert g["vs"] == pytest.approx(-0.8, abs=0.15) and g["va"] == pytest.approx(1.1, abs=0.15)


def test_grid_search_of_many_spectra_equals_one_at_a_time():
    """The matrix-product form for M spectra gives, spectrum by spectrum, the single search."""
    rng = np.random.default_rng(2)
    h = np.linspace(0.02, 0.30, 400)
    ys = [_spectrum(rng, hr, w, vs, va)[1] for hr, w, vs, va in
          [(0.08, 0.004, 1.0, 0.2), (0.21, 0.009, -0.3, 0.7), (0.15, 0.002, 0.05, -0.4)]]
    hr, w, coef = grid_search(h, ys)
    for i, y in enumerate(ys):
        g = grid_guess_mixing(h, y)
        assert (hr[i], w[i]) == (g["h_res"], g["width"])
        assert coef[i] == pytest.approx([g["vs"], g["va"], g["offset"], g["slope"]], rel=1e-9)


def test_least_squares_coefficients_at_the_best_candidate():
    """At the chosen (h_res, W) the amplitudes are the exact linear least-squares solution."""
    rng = np.random.default_rng(3)
    h, v = _spectrum(rng, 0.19, 0.007, 0.5, 0.5)
    g = grid_guess_mixing(h, v)
    d = h - g["h_res"]
    den = d * d + g["width"] ** 2
    a = np.stack([g["width"] ** 2 / den, g["width"] * d / den, np.ones_like(h), d], axis=1)
    ref = np.linalg.lstsq(a, v, rcond=None)[0]
    assert [g["vs"], g["va"], g["offset"], g["slope"]] == pytest.approx(ref, rel=1e-8, abs=1e-10)


def test_derivative_guess_locates_a_field_modulated_line():
    rng = np.random.default_rng(4)
    h = np.linspace(0.02, 0.30, 400)
    v = stfmr_derivative.func(h, 0.11, 0.005, 1.0, -0.5, 0.0, 0.0) + rng.normal(0, 0.01, h.size)
    g = stfmr_derivative.guess(h, v)
    assert abs(g["h_res"] - 0.11) < 0.003


def test_fitting_a_two_polarity_spectrum_with_the_magnitude_lineshape_is_refused():
    """stfmr_mixing is written in |mu0 H|; a signed two-branch sweep would give a silently wrong
    resonance for some spectra, so every fitter refuses it and says what to do."""
    import sotfit as sf
    from sotfit.fitting_batch import fit_sweep_batch
    from sotfit.models import stfmr_mixing

    rng = np.random.default_rng(6)
    h = np.linspace(-0.3, 0.3, 401)
    v = np.sign(h) * mixing_voltage(np.abs(h), 0.15, 0.006, 1.0, 0.5) + rng.normal(0, 0.01, h.size)
    d = sf.Dataset(h, v, x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
                   meta={"source": "both_branches.csv", "frequency": 10.0})
    with pytest.raises(sf.FitError, match=r"both_branches.csv: .*field magnitude.*d.where"):
        sf.fit(d, stfmr_mixing)
    with pytest.raises(sf.FitError, match="both_branches.csv"):
        fit_sweep_batch(sf.Sweep((d,)))
    # one polarity is accepted and gives the planted line
    r = sf.fit(d.where(d.x > 0), stfmr_mixing)
    assert abs(r.value("h_res") - 0.15) < 3 * r.stderr("h_res")
