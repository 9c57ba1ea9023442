"""Fit parameters built as correlated uncertainties values when first read (LazyParams)."""

import math
import pickle

import numpy as np
import pytest
from uncertainties import correlated_values, covariance_matrix

from sotfit.results import LazyParams


def _random_fits(n=40, seed=3):
    rng = np.random.default_rng(seed)
    scales = np.array([1e-3, 1e-4, 1.0, 1.0, 1e-2, 1.0])    # T, T, uV, uV, uV, uV/T
    out = []
    for _ in range(n):
        a = rng.normal(size=(6, 6)) * scales[:, None]
        nominal = dict(zip("abcdef", rng.normal(size=6).tolist()), fixed=1.5)
        out.append(LazyParams(nominal, list("abcdef"), a @ a.T))
    return out


def test_values_built_one_by_one_are_those_of_uncertainties():
    (p,) = _random_fits(1)
    ref = correlated_values([p.nominal(k) for k in "abcdef"], p._covar, tags=list("abcdef"))
    assert [p[k].nominal_value for k in "abcdef"] == [u.nominal_value for u in ref]
    assert [p[k].std_dev for k in "abcdef"] == [u.std_dev for u in ref]
    assert p["fixed"] == 1.5 and isinstance(p["fixed"], float)
    np.testing.assert_allclose(covariance_matrix([p[k] for k in "abcdef"]), p._covar,
                               rtol=1e-12, atol=0)


def test_built_many_at_once_equal_built_one_by_one():
    one, many = _random_fits(), _random_fits()
    LazyParams.build_many(many)
    assert all(p.built for p in many)
    for p, q in zip(one, many):
        a, b = [p[k] for k in "abcdef"], [q[k] for k in "abcdef"]
        assert [u.nominal_value for u in a] == [u.nominal_value for u in b]
        assert [u.std_dev for u in a] == [u.std_dev for u in b]
        ca, cb = np.array(covariance_matrix(a)), np.array(covariance_matrix(b))
        sd = np.sqrt(np.diag(ca))
        assert np.max(np.abs(ca - cb) / np.outer(sd, sd)) < 1e-14
        assert q["fixed"] == p["fixed"]


def test_best_values_read_without_building_and_no_covariance_gives_nan_errors():
    p = LazyParams({"h_res": 0.1, "width": 0.004}, ["h_res"], None)
    assert p.nominal("width") == 0.004 and not p.built
    assert list(p) == ["h_res", "width"] and len(p) == 2 and "h_res" in p
    assert math.isnan(p["h_res"].std_dev) and p["width"] == 0.004
    LazyParams.build_many([p])              # nothing to diagonalise: left as it was


def test_pickled_values_are_rebuilt_with_the_same_numbers():
    (p,) = _random_fits(1)
    before = [(p[k].nominal_value, p[k].std_dev) for k in "abcdef"]
    back = pickle.loads(pickle.dumps(p))
    assert not back.built
    assert [(back[k].nominal_value, back[k].std_dev) for k in "abcdef"] == before
    assert back["a"] is not p["a"]          # new variables: correlated among themselves


def test_a_fit_without_varied_parameters_gives_its_numbers():
    p = LazyParams({"a": 1.0, "b": 2.0}, [], np.zeros((0, 0)))
    assert p["a"] == 1.0 and p["b"] == 2.0
    q = LazyParams({"a": 1.0}, [], np.zeros((0, 0)))
    LazyParams.build_many([q])
    assert q["a"] == 1.0


def test_read_only():
    (p,) = _random_fits(1)
    with pytest.raises(TypeError):
        p["a"] = 1.0
