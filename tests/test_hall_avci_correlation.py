"""The field-like and damping-like torques of method (a) are correlated through their rotations.

At each field both come from one fit of R_2w(phi) = a_cos cos(phi) + a_fl (2cos^3 phi - cos phi):
on a full turn the two columns overlap (cos(phi) cos(2phi) = (cos(phi) + cos(3phi))/2), so the
coefficients are correlated (about -0.7) and so are H_FL and H_DL drawn from them. The reported
correlation must match the scatter of the estimates over noise realisations of rotations made
from the textbook law (Avci et al. 2014, eq. (3)) written out here.
"""

import numpy as np
import pytest
from uncertainties import correlation_matrix

from sotfit.analysis.hall import avci
from sotfit.data import Dataset
from sotfit.io.hall import HallScan

R_AHE, R_PHE, MEFF, H_DL, H_FL_OE, R_ANE = 0.8, 0.15, 0.8, 4e-4, 2e-4, 4e-4
FIELDS = (0.08, 0.12, 0.2, 0.3, 0.5)


def _rotations(rng, noise=(2e-4, 2e-6)):
    phi = np.arange(0.0, 360.0, 7.5)
    p = np.radians(phi)
    out = []
    for b in FIELDS:
        a_cos = R_AHE * H_DL / (2 * (b + MEFF)) - R_ANE
        a_fl = R_PHE * H_FL_OE / b
        r1 = 3.0 + R_PHE * np.sin(2 * p)
        r2 = 1e-4 + a_cos * np.cos(p) + a_fl * (2 * np.cos(p) ** 3 - np.cos(p))
        meta = dict(source=f"phi_{b * 1e3:.0f}mT", scan="phi", field=b)
        out.append(HallScan(Dataset(phi, r1 + rng.normal(0, noise[0], p.size), meta=meta),
                            Dataset(phi, r2 + rng.normal(0, noise[1], p.size), meta=meta),
                            "phi", meta))
    return out


def _torques(scans):
    q = avci(scans, mu0_hk=-MEFF, r_ahe=R_AHE).quantities
    return q["mu0_h_fl_oe"], q["mu0_h_dl"]


@pytest.mark.slow
def test_reported_correlation_matches_the_scatter_over_realisations():
    rng = np.random.default_rng(11)
    fl, dl = _torques(_rotations(rng))
    reported = correlation_matrix([fl, dl])[0, 1]
    assert reported < -0.2        # the overlap of the two columns at every field
    runs = [_torques(_rotations(rng)) for _ in range(200)]
    est = np.array([[v.nominal_value for v in r] for r in runs])
    err = np.array([[v.std_dev for v in r] for r in runs])
    measured = np.corrcoef(est.T)[0, 1]
    # standard error of a sample correlation: (1 - r^2)/sqrt(n)
    assert abs(measured - reported) < 3 * (1 - reported ** 2) / np.sqrt(len(est)), \
        (measured, reported)
    # and the standard errors themselves match the scatter (the median: the Birge inflation of
    # a few realisations' field laws makes the mean err on the safe side)
    for k in range(2):
        assert est[:, k].std(ddof=1) == pytest.approx(np.median(err[:, k]), rel=0.15)


def test_the_summary_carries_the_correlation_to_the_ratio():
    """summary.json holds the pair's correlation, so the FL/DL ratio that ``sotfit theory
    compare`` takes from it has the error of the ratio of the correlated values."""
    from sotfit.analysis.hall import Sample
    from sotfit.analysis.theory_compare import measured_ratio

    sample = Sample(mu0_ms=1.0, t_fm=2.0, t_nm=5.0, width=10e3, rho_nm=20.0, current=1.5,
                    current_fraction=0.7)
    res = avci(_rotations(np.random.default_rng(3)), mu0_hk=-MEFF, r_ahe=R_AHE, sample=sample)
    summary = res.summary()
    q = res.quantities
    for fl, dl in (("mu0_h_fl", "mu0_h_dl"), ("xi_fl", "xi_dl")):
        assert summary["correlations"][f"{fl},{dl}"] == \
            pytest.approx(correlation_matrix([q[fl], q[dl]])[0, 1], abs=1e-12)
    r = measured_ratio(summary)
    direct = q["xi_fl"] / q["xi_dl"]
    assert not any("uncorrelated" in n for n in r.notes)
    assert r.value == pytest.approx(direct.nominal_value, rel=1e-12)
    assert r.stderr == pytest.approx(direct.std_dev, rel=1e-9)


def test_without_a_sample_the_measured_pair_has_its_correlation():
    """Without the sample the Oersted field is not removed: the summary had no correlation at
    all; it gives that of mu0_h_fl_oe and mu0_h_dl."""
    res = avci(_rotations(np.random.default_rng(4)), mu0_hk=-MEFF, r_ahe=R_AHE)
    q = res.quantities
    assert "mu0_h_fl" not in q
    assert res.summary()["correlations"] == {"mu0_h_fl_oe,mu0_h_dl": pytest.approx(
        correlation_matrix([q["mu0_h_fl_oe"], q["mu0_h_dl"]])[0, 1], abs=1e-12)}
