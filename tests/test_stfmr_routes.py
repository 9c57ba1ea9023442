"""Sequential against global route: the global errors must see a Kittel misfit."""

import math

import pytest
from uncertainties import ufloat

import sotfit as sf
from sotfit.analysis.stfmr import analyse_stfmr, compare_routes, inflate_error

from stfmr_synth import TRUTH, spectrum


def test_inflate_error_keeps_value_and_correlations():
    a = ufloat(1.0, 0.1)
    b = 2 * a + ufloat(0.0, 0.05)
    a2 = inflate_error(a, 3.0)
    assert a2.nominal_value == 1.0 and a2.std_dev == pytest.approx(0.3)
    # the covariance with b scales by the same factor: cov(a2, b) = 3 cov(a, b)
    from uncertainties import covariance_matrix
    assert covariance_matrix([a2, b])[0][1] == pytest.approx(3 * covariance_matrix([a, b])[0][1])


def test_compare_routes_reports_a_disagreement_beyond_three_sequential_errors():
    seq = {"meff": ufloat(1.50, 0.01), "alpha": ufloat(0.010, 0.001)}
    glob = {"meff": ufloat(1.45, 0.001), "alpha": ufloat(0.0105, 0.0002)}
    notes = compare_routes(seq, glob)
    assert len(notes) == 1 and "meff" in notes[0] and "5.0" in notes[0]


def test_global_errors_include_the_kittel_misfit():
    """One spectrum whose resonance is off the Kittel relation (as an unsaturated film at
    low frequency): the sequential Kittel fit has a large reduced chi-square and inflated
    errors; the global fit's errors of M_eff and gamma are inflated by the same Birge ratio,
    so the two routes agree within their errors and the truth is covered."""
    spectra = []
    for i, f in enumerate((6.0, 8.0, 10.0, 12.0, 14.0)):
        truth = dict(TRUTH)
        if f == 6.0:
            truth["meff"] = TRUTH["meff"] * 1.08           # resonance ~4 % lower in field
        spectra.append(spectrum(f, seed=i, truth=truth))
    a = analyse_stfmr(sf.Sweep(tuple(spectra)))
    assert a.kittel.redchi > 10
    assert any("Birge ratio" in n for n in a.notes)
    factor = math.sqrt(a.kittel.redchi)
    for k in ("meff", "gyromagnetic_ratio"):
        g, s = a.global_values[k], a.sequential[k]
        assert g.std_dev > 0.3 * s.std_dev, (k, g, s)
        assert abs(g.nominal_value - s.nominal_value) < 2 * s.std_dev, (k, g, s)
        # the raw global-fit error, multiplied by the Birge ratio of the Kittel fit
        assert g.std_dev == pytest.approx(factor * a.global_fit[k].std_dev, rel=1e-9)


def test_clean_spectra_leave_the_global_errors_alone():
    spectra = [spectrum(f, seed=i) for i, f in enumerate((6.0, 8.0, 10.0, 12.0, 14.0))]
    a = analyse_stfmr(sf.Sweep(tuple(spectra)))
    for k in ("meff", "gyromagnetic_ratio", "alpha"):
        assert abs(a.global_values[k].nominal_value - TRUTH[k]) < 2 * a.global_values[k].std_dev
    assert not any("differ by" in n for n in a.notes)
