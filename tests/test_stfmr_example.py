"""The ST-FMR pipeline on the cmtj example set (data/stfmr_example): planted values recovered."""

import json
from pathlib import Path

import pytest

import sotfit as sf
from sotfit.analysis.stfmr import analyse_stfmr, summary_dict
from sotfit.analysis.stfmr_torques import Sample

DATA = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"


@pytest.fixture(scope="module")
def analysed():
    if not (DATA / "truth.json").exists():
        pytest.skip("example data absent")
    truth = json.loads((DATA / "truth.json").read_text())
    t = {k: v["value"] for k, v in truth.items() if isinstance(v, dict) and "value" in v}
    sweep = sf.io.read_stfmr([DATA])
    a = analyse_stfmr(sweep)
    sample = Sample(mu0_ms=t["mu0_ms"], t_fm=t["t_fm"], t_nm=t["t_nm"], width=t["width"] * 1e3
                    if truth["width"]["unit"] == "um" else t["width"],
                    rho_nm=t["resistivity_nm"], rho_fm=t["resistivity_fm"],
                    angle=t["field_angle"], i_rf=t["i_rf"], delta_r=t["delta_r"])
    return a, sample, t


@pytest.fixture(scope="module")
def summary(analysed):
    a, sample, t = analysed
    return summary_dict(a, sample), t


@pytest.mark.parametrize("route", ["sequential", "global"])
def test_the_ratio_of_the_means_keeps_their_correlation(analysed, summary, route):
    """Each route's section holds the FL-DL correlation of its means, and the FL/DL ratio that
    ``sotfit theory compare`` reads from the summary has the error of the ratio of the
    correlated values (not of independent ones)."""
    from uncertainties import correlation_matrix

    from sotfit.analysis.stfmr import stfmr_torques
    from sotfit.analysis.theory_compare import measured_ratio

    a, sample, _ = analysed
    mean = stfmr_torques(a, sample)[route]["mean"]
    s, _ = summary
    for fl, dl in (("xi_fl", "xi_dl"), ("mu0_h_fl", "mu0_h_dl")):
        assert s[route]["correlations"][f"{fl},{dl}"] == \
            pytest.approx(correlation_matrix([mean[fl], mean[dl]])[0, 1], abs=1e-12)
    r = measured_ratio(s, section=route)
    direct = mean["xi_fl"] / mean["xi_dl"]
    assert not any("uncorrelated" in n for n in r.notes)
    assert r.stderr == pytest.approx(direct.std_dev, rel=1e-9)


@pytest.mark.parametrize("route", ["sequential", "global"])
@pytest.mark.parametrize("name,key", [("mu0_meff", "mu0_meff"), ("gyromagnetic_ratio",
                                      "gyromagnetic_ratio"), ("alpha", "alpha"),
                                      ("linewidth_inhomogeneous", "linewidth_inhomogeneous"),
                                      ("xi_fmr", "xi_fmr_expected"), ("mu0_h_dl", "mu0_h_dl"),
                                      ("mu0_h_fl", "mu0_h_fl"), ("xi_dl", "xi_dl"),
                                      ("xi_fl", "xi_fl")])
def test_planted_values_within_three_sigma(summary, route, name, key):
    s, t = summary
    q = s[route][name]
    truth = t[key]
    assert abs(q["value"] - truth) < 3 * q["stderr"], (route, name, q, truth)
