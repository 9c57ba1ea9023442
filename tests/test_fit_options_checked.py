"""The fitters refuse what they would otherwise get silently wrong: a parameter name no model
has (the parameter meant to be held was fitted), a held value outside the parameter's bounds
(lmfit holds it at the bound) and data in units other than the model's."""

import numpy as np
import pytest

import sotfit as sf
from sotfit.bayes import sample
from sotfit.fitting import FitError
from sotfit.models import kittel_inplane, linewidth, stfmr_mixing
from sotfit.models.spec import ModelError

GAMMA = 29.39   # gamma/2pi, GHz/T


def _linewidth_data(alpha=0.012, w0=0.0012, seed=0):
    f = np.array([6, 8, 10, 12, 14, 16.0])
    w = w0 + alpha * f / GAMMA + np.random.default_rng(seed).normal(0, 2e-5, f.size)
    return sf.Dataset(f, w, np.full(f.size, 2e-5))


def _kittel_data(meff=0.85, seed=0):
    f = np.array([6, 8, 10, 12, 14, 16.0])
    h = -meff / 2 + np.sqrt(meff ** 2 / 4 + (f / GAMMA) ** 2)
    return sf.Dataset(f, h + np.random.default_rng(seed).normal(0, 1e-4, f.size),
                      np.full(f.size, 1e-4))


def test_held_gamma_is_used_as_given():
    """alpha = W slope x gamma/2pi: holding gamma at the Kittel value must return the planted
    alpha within its error (the option works; the refusals below are not blanket)."""
    r = sf.fit(_linewidth_data(), linewidth, fixed={"gyromagnetic_ratio": GAMMA})
    a = r.params["alpha"]
    assert abs(a.n - 0.012) < 3 * a.s


@pytest.mark.parametrize("held", [176.0, 8.0])
def test_held_value_outside_bounds_is_refused(held):
    """gamma/2pi = 176 (rad/(ns T) by mistake) was held at the bound 45 GHz/T and alpha came
    out 0.0184 for 0.012 with a good chi-square: refused, naming the value and the bounds."""
    with pytest.raises(FitError, match=r"'gyromagnetic_ratio' is held at .* outside its bounds"):
        sf.fit(_linewidth_data(), linewidth, fixed={"gyromagnetic_ratio": held})


def test_widened_bounds_let_an_unusual_held_value_through():
    r = sf.fit(_linewidth_data(), linewidth, fixed={"gyromagnetic_ratio": 50.0},
               bounds={"gyromagnetic_ratio": (1.0, 100.0)})
    assert r.params["gyromagnetic_ratio"] == 50.0


@pytest.mark.parametrize("option, value", [
    ("fixed", {"gyromagnetic": GAMMA}), ("fixed", ["gamma"]), ("init", {"m_eff": 0.5}),
    ("bounds", {"m_eff": (0.0, 0.5)}), ("free", ["hk"])])
def test_unknown_parameter_names_are_refused(option, value):
    """A misspelt name was ignored: the parameter meant to be held was fitted."""
    with pytest.raises(ModelError, match=rf"{option} names .* its parameters are meff, "
                                         "gyromagnetic_ratio, h_k"):
        sf.fit(_kittel_data(), kittel_inplane, **{option: value})


def test_unknown_shared_name_is_refused_in_a_global_fit():
    d = _kittel_data()
    with pytest.raises(ModelError, match="shared names 'gamma'"):
        sf.fit_global([d, _kittel_data(seed=1)], kittel_inplane, shared=["meff", "gamma"])
    # the per-dataset names of a global fit are parameters
    r = sf.fit_global([d, _kittel_data(seed=1)], kittel_inplane, shared=["meff"],
                      fixed={"gyromagnetic_ratio_0": GAMMA, "gyromagnetic_ratio_1": GAMMA})
    assert abs(r.params["meff"].n - 0.85) < 3 * r.params["meff"].s


def test_unknown_name_is_refused_by_the_sampler():
    with pytest.raises(ModelError, match="fixed names 'gyromagnetic'"):
        sample(_kittel_data(), kittel_inplane, fixed={"gyromagnetic": GAMMA}, nsteps=50)


def _spectrum():
    h = np.linspace(0.05, 0.2, 301)
    d = h - 0.1234
    y = (0.8 * 0.0052 ** 2 + -1.3 * 0.0052 * d) / (d * d + 0.0052 ** 2) + 0.05
    return h, y + np.random.default_rng(1).normal(0, 0.02, h.size)


@pytest.mark.parametrize("scale_x, scale_y, units, axis", [
    (1e3, 1.0, {"x_unit": "mT"}, "x is in mT"),
    (1.0, 1e-6, {"x_unit": "T", "y_unit": "V"}, "y is in V")])
def test_dataset_in_other_units_than_the_model_is_refused(scale_x, scale_y, units, axis):
    """Field in mT gave h_res = 12.9 +- 4400 T; a voltage in V gave V_s = 8.0e-7 'uV' with a
    perfect fit: refused, naming the axis and both units."""
    h, y = _spectrum()
    with pytest.raises(FitError, match=axis):
        sf.fit(sf.Dataset(h * scale_x, y * scale_y, np.full(h.size, 0.02 * scale_y), **units),
               stfmr_mixing)


def test_dataset_in_the_models_units_spelt_with_micro_sign_fits():
    h, y = _spectrum()
    r = sf.fit(sf.Dataset(h, y, np.full(h.size, 0.02), x_unit="T", y_unit="\u00b5V"),
               stfmr_mixing)
    assert abs(r.params["h_res"].n - 0.1234) < 3 * r.params["h_res"].s


def test_an_empty_dataset_is_refused_naming_it():
    """An empty dataset ended in numpy's 'zero-size array to reduction operation minimum'."""
    with pytest.raises(FitError, match="holds no points"):
        sf.fit(sf.Dataset(np.array([]), np.array([])), stfmr_mixing)


def test_linewidth_fitted_at_the_default_gamma_warns():
    """alpha = slope x gamma/2pi: W(f) fitted with gamma/2pi left at its free-electron default
    gave alpha 3 standard errors low for g = 2.10, silently. A warning names the parameter;
    holding it at a given value is quiet."""
    import warnings

    from sotfit.fitting import FitWarning

    with pytest.warns(FitWarning, match="'gyromagnetic_ratio' held at its default 28.02"):
        sf.fit(_linewidth_data(), linewidth)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FitWarning)
        sf.fit(_linewidth_data(), linewidth, fixed={"gyromagnetic_ratio": GAMMA})
