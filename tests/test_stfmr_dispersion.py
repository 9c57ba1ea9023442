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


def test_out_of_plane_geometry_recovers_planted_parameters():
    from sotfit.models.lineshapes import mixing_voltage
    from sotfit.models.magnetization import linewidth_hwhm, resonance_field_outofplane

    rng = np.random.default_rng(21)
    data = []
    for i, f in enumerate((8.0, 12.0, 16.0, 20.0)):
        hr = resonance_field_outofplane(f, TRUTH["meff"], TRUTH["gyromagnetic_ratio"])
        w = linewidth_hwhm(f, TRUTH["alpha"], TRUTH["linewidth_inhomogeneous"],
                           TRUTH["gyromagnetic_ratio"])
        h = np.linspace(hr - 15 * w, hr + 15 * w, 250)
        v = mixing_voltage(h, hr, w, 1.0, 0.8, 0.2, 1.0) + rng.normal(0, 0.01, h.size)
        data.append(sf.Dataset(h, v, x_unit="T", y_unit="uV",
                               meta={"frequency": f, "source": f"oop_{f:g}GHz"}))
    a = analyse_stfmr(data, geometry="outofplane")
    for section in (a.sequential, a.global_values):
        for k, v in TRUTH.items():
            assert _within(section[k], v), (k, section[k])


def test_branch_table_feeds_the_next_fit(analysis):
    t = analysis.branch_table
    assert len(t) == 2 * len(FREQS)
    d = t.as_dataset(x="frequency", y="h_res")
    plus = d.where(np.array([r.meta["polarity"] == 1 for r in t]))
    k = sf.fit(plus, kittel_inplane, free=["h_k"], fixed={"gyromagnetic_ratio": 29.0})
    # the + branches see H_res - b with the planted remanent field b = 0.7 mT, which an
    # in-plane anisotropy field absorbs exactly
    assert abs(k.value("h_k") - 0.0007) < 3 * k.stderr("h_k")


def test_unsaturated_spectrum_of_a_perpendicular_film_is_left_out():
    """A perpendicular film (mu0 M_eff < 0) with the field in plane: a spectrum whose resonance
    lies below the saturation field |M_eff| follows the canted mode, not Kittel; it is left out
    with its reason and M_eff is recovered from the saturated spectra."""
    import math

    from sotfit.analysis.stfmr import analyse_stfmr
    from stfmr_synth import TRUTH, spectrum

    pma = dict(TRUTH, meff=-0.2)
    data = [spectrum(f, truth=pma, seed=i) for i, f in enumerate((6.0, 8.0, 10.0, 12.0, 14.0))]
    # the canted mode at 3 GHz: f = (gamma/2pi) sqrt(H_sat^2 - H^2), H_sat = 0.2 T
    h_canted = math.sqrt(0.2**2 - (3.0 / pma["gyromagnetic_ratio"]) ** 2)
    meff_canted = (3.0 / pma["gyromagnetic_ratio"]) ** 2 / h_canted - h_canted
    data.append(spectrum(3.0, truth=dict(pma, meff=meff_canted), seed=9,
                         source="canted_3GHz.csv", h_max=0.35))
    a = analyse_stfmr(data, on_error="skip", global_fit=False)
    left = {src: why for src, why in a.failures}
    assert "canted_3GHz.csv" in left and "not saturated in plane" in left["canted_3GHz.csv"]
    assert len(a.spectra) == 5
    m = a.sequential["meff"]
    assert abs(m.nominal_value - (-0.2)) < 2 * m.std_dev


def test_sequential_values_without_spectrum_correlations_have_the_same_covariance():
    """Built on one (H_res, W) pair of variables per spectrum, the sequential values keep
    their values, their standard errors and their mutual correlations (alpha with gamma/2pi
    through the spectra and through the Kittel fit); only their correlation with the spectra's
    other values is gone, and the torques, which need it, are refused."""
    from uncertainties import correlation_matrix, covariance_matrix

    from sotfit.analysis.stfmr import stfmr_torques

    data = [spectrum(f, seed=i, remanent=0.0007, vs=2.0 + 0.1 * i, va=1.5 - 0.05 * i)
            for i, f in enumerate(FREQS)]
    full = analyse_stfmr(data, global_fit=False)
    lean = analyse_stfmr(data, global_fit=False, spectrum_correlations=False)
    keys = sorted(k for k, v in full.sequential.items() if hasattr(v, "std_dev"))
    assert {"meff", "gyromagnetic_ratio", "alpha", "linewidth_inhomogeneous"} <= set(keys)
    assert all(lean.sequential[k] == v for k, v in full.sequential.items() if k not in keys)
    a = [full.sequential[k] for k in keys]
    b = [lean.sequential[k] for k in keys]
    assert [u.nominal_value for u in a] == [u.nominal_value for u in b]
    np.testing.assert_allclose([u.std_dev for u in b], [u.std_dev for u in a], rtol=1e-12)
    np.testing.assert_allclose(np.array(covariance_matrix(b)), np.array(covariance_matrix(a)),
                               rtol=1e-10, atol=1e-14 * np.max(np.abs(covariance_matrix(a))))
    corr = np.array(correlation_matrix(a))
    i, j = keys.index("alpha"), keys.index("gyromagnetic_ratio")
    assert abs(corr[i, j]) > 0.1                      # a correlation worth keeping
    s = full.spectra[0]
    assert covariance_matrix([full.sequential["meff"], s.combined["vs"]])[0][1] != 0.0
    assert covariance_matrix([lean.sequential["meff"], lean.spectra[0].combined["vs"]])[0][1] == 0.0
    from sotfit.device import Sample

    with pytest.raises(ValueError, match="spectrum_correlations"):
        stfmr_torques(lean, Sample.from_mapping({"ms": "0.95T", "t_fm": "6nm", "t_nm": "6nm"}))
    # a sample that gives no torque: the lean analysis summarises as the full one does
    from sotfit.analysis.stfmr import summary_dict

    empty = Sample.from_mapping({"angle": "45deg"})
    assert summary_dict(lean, empty)["spectra"] == summary_dict(full, empty)["spectra"]


def test_order_of_the_spectra_does_not_change_the_dispersion_fits():
    """The Kittel and linewidth fits of the same spectra named in another order give the same
    numbers (they converge to within their tolerance of the optimum from where they start, and
    that depended on the order of the points: 2e-9 relative, a test of a folder against the
    same files named one by one broke on it), and the notes on a resonance field off the Kittel
    curve name the spectrum that is off."""
    from sotfit.analysis.stfmr import fit_linewidth
    from sotfit.analysis.stfmr.pipeline import _kittel_deviations

    fits = [fit_spectrum(spectrum(f, seed=20 + i)) for i, f in enumerate(FREQS)]
    shuffled = [fits[i] for i in (3, 0, 5, 1, 4, 2)]
    p1, (k2, p2) = fit_kittel(fits)[1], fit_kittel(shuffled)
    for name in ("meff", "gyromagnetic_ratio"):
        assert p2[name].nominal_value == p1[name].nominal_value
        assert p2[name].std_dev == p1[name].std_dev
    l1 = fit_linewidth(fits, p1["gyromagnetic_ratio"])[1]
    l2 = fit_linewidth(shuffled, p2["gyromagnetic_ratio"])[1]
    assert l2["alpha"].nominal_value == l1["alpha"].nominal_value
    notes = _kittel_deviations(shuffled, k2, 0.0)
    for s, note in zip(shuffled, notes):
        hm = float(kittel_inplane(np.array([s.frequency]), **k2.values)[0])
        assert note.startswith(f"{s.source}: resonance field")
        assert f"{100 * (s.value('h_res') - hm) / hm:+.1f} %" in note


def test_the_gyromagnetic_ratio_of_a_resonance_inverts_the_kittel_frequency():
    """gyromagnetic_ratio_inplane (the angle scan's implied g) is the in-plane Kittel relation
    solved for gamma/2pi: the frequency of the planted gamma at H_res gives it back; no gamma
    puts a resonance where H_res (H_res + M_eff) <= 0."""
    import math

    from sotfit.models.magnetization import frequency_inplane, gyromagnetic_ratio_inplane

    for h, meff, gamma in ((0.05, 0.8, 29.1), (0.3, 1.6, 28.0), (0.02, -0.01, 30.5)):
        f = frequency_inplane(h, meff, gamma)
        assert gyromagnetic_ratio_inplane(h, f, meff) == pytest.approx(gamma, rel=1e-12)
    assert math.isnan(gyromagnetic_ratio_inplane(0.01, 5.0, -0.02))
