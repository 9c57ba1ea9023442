"""ST-FMR spectra: branch split, sign bookkeeping, fit windows, bad input."""

import numpy as np
import pytest

import sotfit as sf
from sotfit.analysis.stfmr_spectra import (NoResonanceError, STFMRError, compare_repeats,
                                           fit_spectrum, split_branches)
from sotfit.models.lineshapes import mixing_voltage
from sotfit.models.magnetization import linewidth_hwhm, resonance_field_inplane

from stfmr_synth import TRUTH, spectrum


def _close(u, truth, n=3.0):
    return abs(u.nominal_value - truth) < n * u.std_dev


def test_branches_are_in_absolute_field_and_keep_polarity():
    d = spectrum(9.0)
    bs = split_branches(d)
    assert [b.meta["polarity"] for b in bs] == [1, -1]
    for b in bs:
        assert np.all(b.x > 0) and np.all(np.diff(b.x) > 0)
    assert sum(len(b) for b in bs) == np.count_nonzero(d.x)
    assert d.x[0] > 0  # input untouched (swept + to -)


def test_sign_bookkeeping_conventional_torques_flip_both_amplitudes():
    vs, va = 2.0, -1.3
    s = fit_spectrum(spectrum(9.0, vs=vs, va=va, noise=0.01))
    plus, minus = s.branch(1), s.branch(-1)
    # fitted in |H|: the whole rectified signal reverses with m, so both amplitudes flip
    assert _close(plus["vs"], vs) and _close(minus["vs"], -vs)
    assert _close(plus["va"], va) and _close(minus["va"], -va)
    c = s.combined
    assert _close(c["vs"], vs) and _close(c["va"], va) and _close(c["ratio"], vs / va)
    assert _close(c["vs_even"], 0.0) and _close(c["va_even"], 0.0)


def test_polarity_even_part_is_separated():
    s = fit_spectrum(spectrum(9.0, vs=2.0, va=1.0, va_even=0.4, noise=0.01))
    c = s.combined
    assert _close(c["va_even"], 0.4) and _close(c["va"], 1.0) and _close(c["vs_even"], 0.0)


def test_signed_field_fit_of_negative_branch_flips_only_the_symmetric_part():
    # the statement in the docs: V(-H) = -V(+H) with L_asym odd in (H - H_res)
    h = np.linspace(0.05, 0.15, 50)
    v_plus = mixing_voltage(h, 0.1, 0.005, 2.0, 1.0)
    v_minus = -v_plus  # at fields -h
    signed = mixing_voltage(-h, -0.1, 0.005, -2.0, 1.0)
    np.testing.assert_allclose(signed, v_minus, atol=1e-12)


def test_remanent_field_gives_per_polarity_offset():
    b = 0.0015
    s = fit_spectrum(spectrum(9.0, remanent=b, noise=0.01))
    hr = resonance_field_inplane(9.0, TRUTH["meff"], TRUTH["gyromagnetic_ratio"])
    c = s.combined
    # + branch seen at H_res - b, - branch at |H| = H_res + b
    assert _close(c["field_offset"], -b)
    assert _close(c["h_res"], hr)


def test_window_excludes_sloped_background_and_low_field_feature():
    d = spectrum(6.0, background=(5.0, -60.0), low_field_step=8.0, noise=0.02, n=601,
                 h_max=0.3)
    s = fit_spectrum(d)
    hr = resonance_field_inplane(6.0, TRUTH["meff"], TRUTH["gyromagnetic_ratio"])
    w = linewidth_hwhm(6.0, TRUTH["alpha"], TRUTH["linewidth_inhomogeneous"],
                       TRUTH["gyromagnetic_ratio"])
    for r in s.branches:
        m = r.meta
        assert m["window_widths"] == 6.0 and m["n_points_window"] < m["n_points_branch"]
        assert m["window_lo"] > 0.01 and m["window_lo"] < hr < m["window_hi"]
    assert _close(s.combined["h_res"], hr) and _close(s.combined["width"], w)
    assert _close(s.combined["ratio"], 2.0 / 1.5)


def test_no_resonance_is_an_error_naming_the_file():
    rng = np.random.default_rng(2)
    h = np.linspace(-0.2, 0.2, 201)
    d = sf.Dataset(h, 0.5 + 3 * h + rng.normal(0, 0.02, h.size), x_unit="T", y_unit="uV",
                   meta={"frequency": 9.0, "source": "flat.lvm"})
    with pytest.raises(NoResonanceError, match="flat.lvm.*no resonance inside the sweep"):
        fit_spectrum(d)


def test_resonance_beyond_the_sweep_is_an_error():
    d = spectrum(12.0)
    hr = resonance_field_inplane(12.0, TRUTH["meff"], TRUTH["gyromagnetic_ratio"])
    cut = d.where(np.abs(d.x) < 0.8 * hr)
    with pytest.raises(NoResonanceError, match="synthetic_12GHz.csv"):
        fit_spectrum(cut)


def test_missing_frequency_is_an_error():
    d = spectrum(9.0)
    d2 = sf.Dataset(d.x, d.y, x_unit="T", y_unit="uV", meta={"source": "nofreq.dat"})
    with pytest.raises(STFMRError, match="nofreq.dat.*frequency"):
        fit_spectrum(d2)


def test_one_branch_without_resonance_is_left_out_with_a_note():
    d = spectrum(9.0)
    keep = d.where(d.x > -0.01)
    s = fit_spectrum(keep)
    assert [r.meta["polarity"] for r in s.branches] == [1]
    assert "field_offset" not in s.combined
    # the note says the branch once and why; the file is named where the notes are gathered
    assert s.notes == ("- branch left out: no resonance inside the sweep (too few points for a "
                       "resonance search)",)
    with pytest.raises(STFMRError, match=r"^synthetic_9GHz.csv, - branch: no resonance"):
        fit_spectrum(keep.where(keep.x < 0.0))


def test_derivative_lineshape_recovers_planted_amplitudes():
    """A field-modulation lock-in reads h_m dV/dH, H signed: V_mix odd in H, its derivative even,
    so both branches read the positive branch's derivative in |H| (written here odd, as it was,
    the branches cancelled: tests/test_stfmr_derivative_polarity.py)."""
    from sotfit.models import MODELS

    m = MODELS["stfmr_derivative"]
    rng = np.random.default_rng(4)
    h = np.linspace(-0.15, 0.15, 401)
    a = np.abs(h)
    v = m(a, h_res=0.08, width=0.004, vs=1.2, va=-0.7) + 0.1 + rng.normal(0, 0.01, h.size)
    d = sf.Dataset(h, v, x_unit="T", y_unit="uV", meta={"frequency": 10.0, "source": "lockin"})
    s = fit_spectrum(d, model=m)
    assert _close(s.combined["h_res"], 0.08) and _close(s.combined["vs"], 1.2)
    assert _close(s.combined["va"], -0.7) and _close(s.combined["width"], 0.004)


def test_two_resonance_model_recovers_both_modes():
    from sotfit.models import MODELS

    m = MODELS["stfmr_two_resonances"]
    rng = np.random.default_rng(5)
    h = np.linspace(0.02, 0.3, 500)
    truth = dict(h_res=0.1, width=0.006, vs=2.0, va=1.0, h_res2=0.2, width2=0.01, vs2=-0.8,
                 va2=0.3, offset=0.2, slope=-1.0)
    d = sf.Dataset(h, m(h, **truth) + rng.normal(0, 0.01, h.size), meta={"source": "two"})
    r = sf.fit(d, m)
    for k, v in truth.items():
        assert abs(r.value(k) - v) < 3 * r.stderr(k), k


def test_repeats_are_compared_and_disagreement_flagged():
    same = [fit_spectrum(spectrum(9.0, seed=i, source=f"s/9GHz_{i}.lvm")) for i in range(2)]
    rep = compare_repeats(same)
    assert {r["quantity"] for r in rep} == {"h_res", "width", "ratio"}
    assert not any(r["flagged"] for r in rep)
    shifted = TRUTH | {"meff": TRUTH["meff"] + 0.01}
    other = fit_spectrum(spectrum(9.0, seed=7, truth=shifted, source="s/9GHz_2.lvm"))
    rep = compare_repeats(same + [other])
    flagged = {r["quantity"] for r in rep if r["flagged"]}
    assert "h_res" in flagged


def test_fit_that_does_not_converge_is_an_error_naming_the_file():
    from sotfit.analysis.stfmr_spectra import SpectrumFitError

    d = spectrum(9.0, source="slow.lvm")
    with pytest.raises(SpectrumFitError, match="slow.lvm.*did not converge"):
        fit_spectrum(d, max_nfev=2)


def test_duplicated_fields_on_a_branch_are_an_error():
    d = spectrum(9.0)
    x = d.x.copy()
    x[5] = x[6]
    with pytest.raises(STFMRError, match="duplicated field values"):
        split_branches(d.replace(x=x))


@pytest.mark.parametrize("keep", ["both", "plus", "minus"])
def test_combined_stderrs_from_the_branch_covariances_equal_the_uncertainties_values(keep):
    """SpectrumFit.stderr comes from the branch covariances (sum of w^2 C over the independent
    branches, first order for the ratio); the correlated uncertainties values, expanded, must
    give the same standard errors."""
    d = spectrum(9.0, noise=0.02)
    if keep != "both":
        sign = 1 if keep == "plus" else -1
        d = d.where(np.sign(d.x) == sign)
    s = fit_spectrum(d)
    assert s._stderrs, "the standard errors are filled when the spectrum is fitted"
    assert set(s._stderrs) == set(s.combined)
    for k, u in s.combined.items():
        assert s.stderr(k) == pytest.approx(u.std_dev, rel=1e-12), k


def test_combined_stderrs_with_a_fixed_branch_parameter():
    s = fit_spectrum(spectrum(9.0, noise=0.02), fixed={"slope": 0.0})
    for k, u in s.combined.items():
        assert s.stderr(k) == pytest.approx(u.std_dev, rel=1e-12), k


def test_uncertain_values_are_built_when_read_and_survive_pickling_correlated():
    """A batch fit builds no uncertainties values (best values and standard errors come from
    the numbers); they are built when first read, and after a trip through pickle (results of
    worker processes) the combined values are still correlated with the branch parameters."""
    import pickle

    from uncertainties import covariance_matrix

    s = fit_spectrum(spectrum(9.0, noise=0.02))
    assert not any(r.params.built for r in s.branches)
    assert not s.combined._built
    values = dict(s.values)
    back = pickle.loads(pickle.dumps(s))
    assert back.values == values
    plus, minus = back.branch(1), back.branch(-1)
    c = covariance_matrix([back.combined["vs"], plus["vs"], minus["vs"]])
    # vs = (vs(+) - vs(-))/2 with independent branches: cov(vs, vs(+)) = var(vs(+))/2
    assert c[0][1] == pytest.approx(0.5 * plus.stderr("vs") ** 2, rel=1e-10)
    assert c[0][2] == pytest.approx(-0.5 * minus.stderr("vs") ** 2, rel=1e-10)
    assert c[1][2] == 0.0
    for k in values:
        assert back.combined[k].nominal_value == values[k]


def test_a_resonance_within_a_half_width_of_the_sweep_end_is_said_so():
    """A resonance 0.5 half widths inside the sweep's end was refused as one that 'does not
    lie inside the sweep'; the refusal (the documented rule: one half width of the line beyond
    the resonance must be measured) now says where it lies."""
    from sotfit.analysis.stfmr_spectra import STFMRError

    h = np.linspace(0.02, 0.1, 400)
    w, d = 0.004, h - 0.098
    v = (w * w + 0.5 * w * d) / (d * d + w * w) + np.random.default_rng(1).normal(0, 0.005, h.size)
    ds = sf.Dataset(h, v, x_unit="T", y_unit="uV", meta={"frequency": 10.0, "source": "edge"})
    with pytest.raises(STFMRError, match="lies less than one half width inside the sweep"):
        fit_spectrum(ds)
