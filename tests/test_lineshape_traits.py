"""A lineshape is known to the ST-FMR analysis by the traits of its basis, not by its name."""

import dataclasses

import numpy as np
import pytest

from sotfit.analysis.stfmr.branch_fit import fit_branches
from sotfit.data import Dataset
from sotfit.models import MODELS
from sotfit.models.lineshapes import linear_basis

TRUTH = dict(h_res=0.12, width=0.006, vs=2.0, va=-1.0, offset=0.2, slope=-1.0)
SECOND = dict(h_res2=0.15, width2=0.008, vs2=-0.8, va2=0.3)


def _renamed(name):
    """The same lineshape under a name nothing in sotfit tests for."""
    model = MODELS[name]
    new = f"{name}_renamed"
    basis = dataclasses.replace(linear_basis(model), model=new)
    return dataclasses.replace(model, name=new, lineshape=basis)


@pytest.mark.parametrize("name", ["stfmr_mixing", "stfmr_derivative", "stfmr_two_resonances"])
def test_renamed_lineshape_fits_like_the_original(name):
    """Search, start values and window fit of a renamed copy give bit-identical numbers, and the
    planted resonance field and width lie within four standard errors."""
    model = MODELS[name]
    truth = TRUTH | (SECOND if name == "stfmr_two_resonances" else {})
    rng = np.random.default_rng(11)
    h = np.linspace(0.02, 0.3, 500)
    branch = Dataset(h, model(h, **truth) + rng.normal(0, 0.01, h.size),
                     meta={"source": name, "branch": "+", "polarity": 1})
    a = fit_branches([branch], model=model)[0]
    b = fit_branches([branch], model=_renamed(name))[0]
    assert b.model_name == f"{name}_renamed"
    for k in model.param_names:
        assert a.value(k) == b.value(k) and a.stderr(k) == b.stderr(k), k
    for k in ("h_res", "width"):
        assert abs(a.value(k) - truth[k]) < 4 * a.stderr(k), k


def test_only_the_mixing_lineshape_has_the_global_route_and_one_mode_each_else():
    """The global multi-frequency models are the mixing lineshape with Kittel H_res and Gilbert W:
    at the Kittel resonance field they equal it."""
    traits = {n: linear_basis(MODELS[n]) for n in ("stfmr_mixing", "stfmr_derivative",
                                                    "stfmr_two_resonances")}
    assert [n for n, t in traits.items() if t.global_fit] == ["stfmr_mixing"]
    assert traits["stfmr_two_resonances"].resonances == 2 and traits["stfmr_two_resonances"].grid_guess
    assert traits["stfmr_derivative"].derivative_search
    h = np.linspace(0.05, 0.3, 50)
    g = MODELS["stfmr_global_inplane"](h, frequency=28.0 * np.sqrt(0.11), meff=1.0,
                                       gyromagnetic_ratio=28.0, alpha=0.01,
                                       linewidth_inhomogeneous=0.001, h_k=0.0)
    m = MODELS["stfmr_mixing"](h, h_res=0.1, width=0.001 + 0.01 * np.sqrt(0.11))
    np.testing.assert_allclose(g, m, rtol=1e-12)
