"""Posterior sampling of the global macrospin fit (emcee), seeded: for parameters on which the
model is nearly linear the posterior must reproduce the least-squares estimate and errors."""

import numpy as np
import pytest

from sotfit.analysis.hall import macrospin, sample_macrospin
from sotfit.data import Dataset
from sotfit.io.hall import HallScan
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

P = dict(r_ahe=1.2, r_phe=0.15, mu0_hk=0.6, mu0_h_dl=2e-3, mu0_h_fl=1e-3, r_ane=2e-4)


def _scans():
    rng = np.random.default_rng(5)
    out = []
    for scan, x, g in (("theta", np.arange(-90.0, 90.0, 6.0), dict(field=1.0, phi_h=0.0)),
                       ("theta", np.arange(-90.0, 90.0, 6.0), dict(field=2.0, phi_h=0.0)),
                       ("field", np.linspace(-0.05, 0.05, 21), dict(theta_h=90.0, phi_h=0.0, mz_state=1)),
                       ("field", np.linspace(-0.05, 0.05, 21), dict(theta_h=90.0, phi_h=90.0, mz_state=1))):
        st = g.get("mz_state", 0)
        gg = {k: v for k, v in g.items() if k != "mz_state"}
        b = scan_fields(x, scan, **gg)
        r1, r2 = hall_harmonics(b, P["r_ahe"], P["r_phe"], P["mu0_hk"], P["mu0_h_dl"], P["mu0_h_fl"], P["r_ane"],
                                state=None if st == 0 else np.full(x.size, st))
        meta = dict(source=f"{scan}{g}", scan=scan, **g)
        out.append(HallScan(Dataset(x, r1 + rng.normal(0, 2e-5, x.size), meta=meta),
                            Dataset(x, r2 + rng.normal(0, 2e-5, x.size), meta=meta), scan, meta))
    return out


@pytest.mark.slow
def test_posterior_matches_least_squares_for_the_torques():
    scans = _scans()
    lsq = macrospin(scans, fixed={"r_phe": P["r_phe"], "phi0": 0.0})
    post = sample_macrospin(lsq, nsteps=1500, seed=1)
    for name in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
        a, b = lsq.quantities[name], post.quantities[name]
        assert abs(a.nominal_value - b.nominal_value) < 0.5 * a.std_dev
        assert b.std_dev == pytest.approx(a.std_dev, rel=0.3)
        assert abs(b.nominal_value - {"mu0_h_fl_oe": P["mu0_h_fl"]}.get(name, P.get(name))) < 3 * b.std_dev
    assert 0.15 < post.fits["acceptance"] < 0.8
