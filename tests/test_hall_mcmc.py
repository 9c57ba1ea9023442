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


def test_short_cli_mcmc_reports_diagnostics_and_not_converged(tmp_path, capsys, monkeypatch):
    """`sotfit hall --mcmc-steps`: summary.json carries the chain's diagnostics (autocorrelation time
    and chain length over it per parameter, acceptance fraction, converged and why); a chain far
    shorter than 50 autocorrelation times says not converged and flags the posterior values."""
    import json
    from pathlib import Path

    from sotfit.cli import main

    ex = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "pma"
    files = [str(ex / "sweep_x_up.csv"), str(ex / "sweep_y_up.csv")]
    args = ["hall", *files, "--method", "macrospin", "--current", "1.5mA", "--current-is", "rms",
            "--lockin-output", "rms", "--r2w-channel", "X", "--gain-2w", "10", "--r-phe", "0.15Ohm",
            "--r-ahe", "1.2Ohm", "--hk", "0.6T", "--mcmc-steps", "12", "--no-figures"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    s = json.loads((tmp_path / "a" / "summary.json").read_text())
    d = s["mcmc"]["diagnostics"]
    assert d["nsteps"] == 12 and d["converged"] is False and "autocorrelation times" in d["message"]
    assert set(d["autocorr_time"]) >= {"mu0_h_dl", "mu0_h_fl", "r_ane"}
    for name, tau in d["autocorr_time"].items():
        assert tau > 0 and d["chain_over_tau"][name] == pytest.approx(12 / tau)
    assert 0 < d["acceptance_fraction"]["mean"] < 1 and d["min_tau_multiple"] == 50
    mcmc_flags = [f for f in s["flags"] if f["quantity"].startswith("mcmc.")]
    assert {f["quantity"] for f in mcmc_flags} >= {"mcmc.quantities.mu0_h_dl", "mcmc.quantities.mu0_h_fl_oe"}
    assert all("not converged" in f["reason"] for f in mcmc_flags)
    captured = capsys.readouterr()
    assert "MCMC: NOT CONVERGED" in captured.out
    assert "[####" not in captured.err and "emcee" not in captured.err   # not a terminal: quiet
    assert json.loads((tmp_path / "a" / "posterior.json").read_text())["diagnostics"] == d
    # on a terminal the sampling shows a progress bar on stderr
    from sotfit.cli import common, hall as hall_cli

    monkeypatch.setattr(hall_cli, "Progress", lambda label: common.Progress(label, force=True))
    assert main([*args, "--strict", "--out", str(tmp_path / "b")]) == 3
    err = capsys.readouterr().err
    assert "MCMC 12 steps [" in err and "12/12" in err


def test_mcmc_progress_is_reported_step_by_step():
    scans = _scans()[2:]
    lsq = macrospin(scans, fixed={"r_phe": P["r_phe"], "phi0": 0.0, "r_ahe": P["r_ahe"], "mu0_hk": P["mu0_hk"]})
    calls = []
    post = sample_macrospin(lsq, nsteps=6, seed=2, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 6) for i in range(1, 7)]
    assert post.fits["diagnostics"]["converged"] is False
    assert all(any("not converged" in f for f in post.flags[k]) for k in post.quantities)


def test_mcmc_needs_the_global_method(tmp_path, capsys):
    from pathlib import Path

    from sotfit.cli import main

    ex = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "pma"
    rc = main(["hall", *map(str, sorted(ex.glob("sweep_*.csv"))), "--method", "hayashi", "--current", "1.5mA",
               "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel", "X", "--r-phe", "0.15Ohm",
               "--mcmc-steps", "100", "--out", str(tmp_path / "a")])
    assert rc == 2 and "--mcmc-steps" in capsys.readouterr().err
