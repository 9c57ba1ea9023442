"""ST-FMR across frequencies: Kittel, damping, global fit, correlated uncertainties."""

import numpy as np
import pytest

import sotfit as sf
from sotfit.analysis.stfmr import analyse_stfmr, fit_kittel, propagate_fit
from sotfit.analysis.stfmr_spectra import fit_spectrum
from sotfit.models.magnetization import kittel_inplane

from stfmr_synth import TRUTH, spectrum

FREQS = (4.0, 6.0, 8.0, 10.0, 13.0, 16.0)


@pytest.fixture(scope="module")
def analysis():
    data = [spectrum(f, seed=i, remanent=0.0007, vs=2.0 + 0.1 * i, va=1.5 - 0.05 * i)
            for i, f in enumerate(FREQS)]
    return analyse_stfmr(data)


def _within(u, truth, n=3.0):
    return abs(u.nominal_value - truth) < n * u.std_dev


@pytest.mark.parametrize("section", ["sequential", "global_values"])
def test_planted_magnetic_parameters_recovered(analysis, section):
    vals = getattr(analysis, section)
    for k, v in TRUTH.items():
        assert _within(vals[k], v), (section, k, vals[k], v)
    assert vals["g"].nominal_value == pytest.approx(
        sf.units.g_from_gyromagnetic_ratio(TRUTH["gyromagnetic_ratio"]), rel=5 * vals["g"].std_dev)


def test_global_and_sequential_agree(analysis):
    s, g = analysis.sequential, analysis.global_values
    for k in TRUTH:
        # the global fit uses the same data: their difference must be small against the
        # sequential error (which is the larger)
        assert abs(s[k].nominal_value - g[k].nominal_value) < 2 * s[k].std_dev, k
        assert g[k].std_dev < 1.5 * s[k].std_dev, k
    assert analysis.global_fit.success


def test_global_fit_finds_field_offset(analysis):
    r = analysis.global_fit
    first = [lab["polarity"] for lab in r.meta["branches"]].index(1)
    b = r[f"field_offset_{first}"]
    # + branch apparent |H_res| is H_res - b_remanent
    assert abs(b.nominal_value + 0.0007) < 3 * b.std_dev


def test_global_spectrum_values_carry_planted_ratio(analysis):
    for i, sp in enumerate(analysis.global_spectra):
        assert _within(sp["ratio"], (2.0 + 0.1 * i) / (1.5 - 0.05 * i))
        assert _within(sp["h_res"], kittel_inplane(sp["frequency"], meff=TRUTH["meff"],
                                                   gyromagnetic_ratio=TRUTH["gyromagnetic_ratio"]))


def test_propagated_kittel_errors_equal_fit_covariance_and_keep_correlations():
    fits = [fit_spectrum(spectrum(f, seed=10 + i)) for i, f in enumerate(FREQS)]
    res, prop = fit_kittel(fits)
    assert res.redchi < 3  # consistent data
    c = np.array(res.covar)
    names = list(res.varied)
    scale = max(res.redchi, 1.0)
    for j, k in enumerate(names):
        assert prop[k].std_dev == pytest.approx(np.sqrt(c[j, j] * scale), rel=1e-3)
    # M_eff is correlated with each spectrum's H_res through the fit: derivatives are non-zero
    h0 = fits[0].combined["h_res"]
    from uncertainties import covariance_matrix

    cov = covariance_matrix([prop["meff"], h0])
    assert abs(cov[0][1]) > 0
    # the linearised sensitivity equals a finite-difference refit
    d = res.datasets[0]
    y2 = d.y.copy()
    y2[0] += 1e-6
    r2 = sf.fit(d.replace(y=y2), kittel_inplane, init=res.values)
    dm = (r2.value("meff") - res.value("meff")) / 1e-6
    deriv = prop["meff"].derivatives
    lin = sum(deriv.get(v, 0.0) * h0.derivatives[v] for v in h0.derivatives)
    # cov(meff, h0) = dmeff/dh0 * var(h0) for independent spectra
    assert lin == pytest.approx(dm * h0.std_dev**2, rel=1e-2)


def test_propagation_through_a_constant_adds_its_error():
    from uncertainties import ufloat

    f = np.array(FREQS)
    w = 0.0008 + f * 0.012 / 29.0
    rng = np.random.default_rng(3)
    d = sf.Dataset(f, w + rng.normal(0, 2e-5, f.size), 2e-5, meta={"source": "w"})
    from sotfit.models.magnetization import linewidth

    r = sf.fit(d, linewidth, fixed={"gyromagnetic_ratio": 29.0})
    gam = ufloat(29.0, 0.5)
    ys = [ufloat(v, e) for v, e in zip(d.y, d.yerr)]
    p = propagate_fit(r, ys, constants={"gyromagnetic_ratio": gam}, inflate=False)
    # alpha = slope * gamma: relative errors add in quadrature
    rel = np.hypot(r.stderr("alpha") / r.value("alpha"), 0.5 / 29.0)
    assert p["alpha"].std_dev / p["alpha"].nominal_value == pytest.approx(rel, rel=1e-3)


def test_undetermined_gyromagnetic_ratio_is_fixed_with_a_note():
    data = [spectrum(f, seed=i, noise=0.05) for i, f in enumerate((9.0, 9.5, 10.0))]
    a = analyse_stfmr(data, global_fit=False)
    if any("not determined" in n for n in a.notes):
        assert a.sequential["gyromagnetic_ratio"] == pytest.approx(sf.units.GAMMA_FREE_ELECTRON)
    else:  # if the data happen to determine it, it must be right
        assert _within(a.sequential["gyromagnetic_ratio"], TRUTH["gyromagnetic_ratio"])


def test_fixed_gyromagnetic_ratio_is_respected():
    data = [spectrum(f, seed=i) for i, f in enumerate(FREQS[:4])]
    a = analyse_stfmr(data, gyromagnetic_ratio=29.0, global_fit=False)
    assert a.sequential["gyromagnetic_ratio"] == 29.0
    assert _within(a.sequential["meff"], TRUTH["meff"])


def test_bad_spectrum_raises_or_is_skipped():
    rng = np.random.default_rng(0)
    h = np.linspace(-0.2, 0.2, 101)
    bad = sf.Dataset(h, rng.normal(0, 0.02, h.size), x_unit="T", y_unit="uV",
                     meta={"frequency": 7.0, "source": "noise_only.lvm"})
    data = [spectrum(f, seed=i) for i, f in enumerate(FREQS[:3])] + [bad]
    with pytest.raises(sf.analysis.stfmr_spectra.STFMRError, match="noise_only.lvm"):
        analyse_stfmr(data)
    a = analyse_stfmr(data, on_error="skip", global_fit=False)
    assert a.failures[0][0] == "noise_only.lvm" and len(a.spectra) == 3
