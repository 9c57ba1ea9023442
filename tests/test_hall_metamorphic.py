"""Metamorphic tests of the harmonic Hall methods: rewriting the files the way another lab would
write them changes no torque field.

Signs are conventions, never refusals: negating every voltage column together with the R_AHE and
R_PHE given on the command line (a Hall bar wired the other way round) leaves mu0_h_dl,
mu0_h_fl_oe and mu0_h_fl unchanged (R_AHE, R_PHE and the thermal r_ane change sign with the wiring).
"""

import math
from pathlib import Path

import pytest

from sotfit.analysis.hall import avci
from sotfit.io.hall import read_hall_table

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example"
KW = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X", gain_2w=10)
TORQUES = ("mu0_h_dl", "mu0_h_fl_oe", "mu0_h_fl")


def _nominal(v):
    return float(getattr(v, "nominal_value", v))


def _same_torques(a, b, rtol=1e-9, rtol_err=1e-6):
    for k in TORQUES:
        if k in a.quantities:
            x, y = a.quantities[k], b.quantities[k]
            assert _nominal(y) == pytest.approx(_nominal(x), rel=rtol), k
            assert y.std_dev == pytest.approx(x.std_dev, rel=rtol_err), k


def test_avci_negative_r_phe_keeps_phi0_and_the_damping_like_field():
    """Before: a negative R_PHE was turned positive by a 90 deg turn of phi0, and that phi0 applied
    to the second harmonic made cos(phi - phi0) a sin: mu0_h_dl 0.400 mT became 0.016 +/- 0.27 mT."""
    files = sorted((EX / "inplane").glob("phi_*.csv"))
    ref = avci([read_hall_table(f, scan="phi", **KW) for f in files], mu0_hk=-0.8, r_ahe=0.8)
    neg = avci([read_hall_table(f, scan="phi", **dict(KW, r1w_channel="-X", r2w_channel="-X"))
                for f in files], mu0_hk=-0.8, r_ahe=-0.8)
    assert abs(neg.quantities["phi0"].nominal_value) <= 45.0
    assert neg.quantities["phi0"].nominal_value == pytest.approx(ref.quantities["phi0"].nominal_value,
                                                                 rel=1e-9)
    assert neg.quantities["r_phe"].nominal_value == pytest.approx(-ref.quantities["r_phe"].nominal_value,
                                                                  rel=1e-9)
    assert neg.quantities["r_ane"].nominal_value == pytest.approx(-ref.quantities["r_ane"].nominal_value,
                                                                  rel=1e-6)
    _same_torques(ref, neg)
    assert ref.quantities["mu0_h_dl"].nominal_value == pytest.approx(4e-4, rel=0.05)
    assert not any("changes sign" in n for n in neg.notes)


def _example(pattern, scan, negate=False):
    kw = dict(KW, r1w_channel="-X", r2w_channel="-X") if negate else KW
    return [read_hall_table(f, scan=scan, **kw) for f in sorted(EX.glob(pattern))]


@pytest.mark.parametrize("method", ["avci", "hayashi", "angular", "macrospin"])
def test_a_negative_r_ahe_is_accepted_by_every_method(method):
    """A Hall bar wired the other way round (every voltage negated, R_AHE and R_PHE given with the
    negative sign): the same torque fields, R_AHE and R_PHE with the wiring's sign. Before, (c)
    took R_AHE as half the range of R_1w, always positive, and refused: 'the fields never saturate
    the magnetisation: measure above mu0H_K = 4.01 T'."""
    from sotfit.analysis.hall import angular, hayashi, macrospin

    def run(neg):
        sgn = -1.0 if neg else 1.0
        if method == "avci":
            return avci(_example("inplane/phi_*.csv", "phi", neg), mu0_hk=-0.8, r_ahe=0.8 * sgn)
        if method == "hayashi":
            return hayashi(_example("pma/sweep_*.csv", "field", neg), r_phe=0.15 * sgn)
        if method == "angular":
            return angular(_example("pma/theta_*.csv", "theta", neg), r_phe=0.15 * sgn)
        scans = _example("pma/theta_*.csv", "theta", neg)[:3] + _example("pma/sweep_*.csv", "field", neg)
        return macrospin(scans, fixed={"r_phe": 0.15 * sgn})

    ref, neg = run(False), run(True)
    if method == "macrospin":
        _same_torques(ref, neg, rtol=1e-9, rtol_err=1e-6)
    else:
        _same_torques(ref, neg)
    assert _nominal(neg.quantities["r_ahe"]) == pytest.approx(-_nominal(ref.quantities["r_ahe"]), rel=1e-6)
    assert _nominal(neg.quantities["r_ahe"]) < 0
    if "phi0" in ref.quantities:
        assert _nominal(neg.quantities["phi0"]) == pytest.approx(_nominal(ref.quantities["phi0"]), abs=1e-4)
    assert sorted(neg.flags) == sorted(ref.flags)
