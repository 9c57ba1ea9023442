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
