"""The torque means of many spectra through their shared M_eff equal the generic GLS mean."""

import math

import numpy as np
import pytest
from uncertainties import ufloat

from sotfit.analysis.stfmr.shared_meff import SharedMeff, structured_mean
from sotfit.stats import weighted_mean


def _spectra(n, seed=0, spread=1.0):
    """Per spectrum (h_res, vs, va) as independent uncertain values, and an M_eff that depends
    on every h_res (as the Kittel fit's does)."""
    rng = np.random.default_rng(seed)
    spectra = [{"h": ufloat(0.05 + 0.002 * i, 1e-4), "vs": ufloat(1.0 + spread * rng.normal(0, 0.05), 0.02),
                "va": ufloat(2.0 + rng.normal(0, 0.05), 0.03)} for i in range(n)]
    meff = 0.8 + sum(0.01 * (s["h"] - s["h"].nominal_value) for s in spectra) + ufloat(0, 0.005)
    return spectra, meff


def _torques(s, meff):
    # the shape of the ratio formula: (vs/va) sqrt(1 + meff/h)
    return {"xi": s["vs"] / s["va"] * (1 + meff / s["h"]) ** 0.5, "exact": 3.0}


@pytest.mark.parametrize("spread", [1.0, 0.0])   # scatter beyond the errors (Birge) or not
def test_structured_mean_equals_the_dense_gls_mean(spread):
    spectra, meff = _spectra(60, spread=spread)
    split = SharedMeff(meff)
    parts = [split.split(lambda m, s=s: _torques(s, m)) for s in spectra]
    full = [p[0]["xi"] for p in parts]
    dense = [_torques(s, meff)["xi"] for s in spectra]
    for f, d, p in zip(full, dense, parts):
        assert f.nominal_value == pytest.approx(d.nominal_value, rel=1e-14)
        assert p[1]["xi"] == pytest.approx(d.std_dev, rel=1e-12)     # O(N) standard error
        assert f.std_dev == pytest.approx(d.std_dev, rel=1e-12)
        assert p[1]["exact"] is None
    info_d, info_s = {}, {}
    m_dense, b_dense = weighted_mean(dense, info=info_d)
    m_struct, b_struct = structured_mean([p[2]["xi"] for p in parts], [p[3]["xi"] for p in parts],
                                         split, info=info_s)
    assert not info_d["singular"] and not info_s["singular"]
    assert m_struct.nominal_value == pytest.approx(m_dense.nominal_value, rel=1e-12)
    assert m_struct.std_dev == pytest.approx(m_dense.std_dev, rel=1e-10)
    assert b_struct == pytest.approx(b_dense, rel=1e-10)
    # the mean keeps its correlation with M_eff
    c_dense = ((m_dense + meff).std_dev ** 2 - (m_dense - meff).std_dev ** 2) / 4
    c_struct = ((m_struct + meff).std_dev ** 2 - (m_struct - meff).std_dev ** 2) / 4
    assert c_struct == pytest.approx(c_dense, rel=1e-8)
    assert math.isfinite(c_struct) and c_struct != 0.0


@pytest.mark.parametrize("k", [1, 2])    # M_eff alone, M_eff and H_k
def test_correlation_bounds_bracket_the_eigenvalues(k):
    """Weyl's inequalities: the singularity test of the structured mean uses a lower bound of the
    smallest and an upper bound of the largest eigenvalue of the correlation matrix."""
    from sotfit.analysis.stfmr.shared_meff import _correlation_bounds

    rng = np.random.default_rng(7)
    for _ in range(20):
        n = 30
        d = rng.uniform(0.5, 2.0, n)
        a = rng.normal(0, 1.0, (n, k))
        u = rng.normal(0, 0.05, (n, k))
        g = rng.normal(0, 0.5, (k, k))
        cov_s = g @ g.T + 0.01 * np.eye(k)
        c = np.diag(d) + u @ a.T + a @ u.T + a @ cov_s @ a.T
        s = np.sqrt(np.diag(c))
        ev = np.linalg.eigvalsh(c / np.outer(s, s))
        lo, hi = _correlation_bounds(d, u, a, cov_s)
        assert lo <= ev[0] + 1e-12 and hi >= ev[-1] - 1e-12


def _torques_hk(s, meff, h_k):
    # the shape of the torque formulas with an anisotropy field: H_1 = H_r + H_k
    h1 = s["h"] + h_k
    return {"xi": s["vs"] / s["va"] * (1 + meff / h1) ** 0.5,
            "field": s["vs"] * (2 * h1 + meff) / (h1 * (h1 + meff)) ** 0.5}


def test_structured_mean_with_two_shared_values_equals_the_dense_gls_mean():
    """With a fitted H_k every torque shares M_eff and H_k, both correlated with every
    spectrum's h_res (and with each other, as a Kittel fit's are): the rank-4 structure gives
    the generic uncertain values' standard errors, GLS mean, Birge ratio and correlations."""
    spectra, meff = _spectra(60)
    h_k = 0.004 + sum(-0.003 * (s["h"] - s["h"].nominal_value) for s in spectra) \
        + 0.2 * (meff - meff.nominal_value) + ufloat(0, 0.0005)
    split = SharedMeff(meff, h_k)
    parts = [split.split(lambda m, hk, s=s: _torques_hk(s, m, hk)) for s in spectra]
    for key in ("xi", "field"):
        dense = [_torques_hk(s, meff, h_k)[key] for s in spectra]
        for p, d in zip(parts, dense):
            assert p[0][key].nominal_value == pytest.approx(d.nominal_value, rel=1e-14)
            assert p[1][key] == pytest.approx(d.std_dev, rel=1e-12)
            assert p[0][key].std_dev == pytest.approx(d.std_dev, rel=1e-12)
        info_d, info_s = {}, {}
        m_dense, b_dense = weighted_mean(dense, info=info_d)
        m_struct, b_struct = structured_mean([p[2][key] for p in parts],
                                             [p[3][key] for p in parts], split, info=info_s)
        assert not info_d["singular"] and not info_s["singular"]
        assert m_struct.nominal_value == pytest.approx(m_dense.nominal_value, rel=1e-12)
        assert m_struct.std_dev == pytest.approx(m_dense.std_dev, rel=1e-10)
        assert b_struct == pytest.approx(b_dense, rel=1e-10)
        for shared in (meff, h_k):
            c_dense = ((m_dense + shared).std_dev ** 2 - (m_dense - shared).std_dev ** 2) / 4
            c_struct = ((m_struct + shared).std_dev ** 2 - (m_struct - shared).std_dev ** 2) / 4
            assert c_struct == pytest.approx(c_dense, rel=1e-8)
            assert c_struct != 0.0
