"""The length of a thickness chain: run until it is 50 autocorrelation times long unless
--steps gives one.

A four-parameter drift-diffusion posterior of a BiSb-like series (lambda_s = 10 nm,
sigma_s = 3, G = 2 + 0.5i, rho = 200 uOhm cm, 3 % + 0.003 noise) has autocorrelation times of
300-500 steps; the fixed 5000 steps that were the default were 10-25 tau and flagged every value
as not converged."""

import json
import warnings

import numpy as np
import pytest

from sotfit.bayes import AutocorrelationWarning, sample
from sotfit.bayes.sampling import run_until_converged
from sotfit.cli import main
from sotfit.data import Dataset
from sotfit.models import ModelSpec, Param

from test_drift_diffusion import seed003_eq1_eq2  # independent transcription of eqs. (1)-(2)

U = "1e5 Ohm^-1 m^-1"


def line(x, m, b):
    return m * x + b


LINE = ModelSpec("line", line, (Param("m", "", 0.0, doc="slope"), Param("b", "", 0.0, doc="offset")),
                 "x", "", "y", "")


def _line_data():
    rng = np.random.default_rng(5)
    x = np.linspace(0, 10, 30)
    err = np.full(30, 0.3)
    return Dataset(x, 1.5 * x - 2 + err * rng.standard_normal(30), err)


def bisb_table(path, seed=0):
    """A BiSb-like series (eqs. (1)-(2) of seed 003, Gaussian noise of the stated errors)."""
    t = np.array([2, 3, 4, 6, 8, 10, 14, 20, 30, 45, 60], float)
    dl, fl = seed003_eq1_eq2(t, 3.0, 10.0, 2.0, 0.5, 200.0)
    rng = np.random.default_rng(seed)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    ydl, yfl = dl + edl * rng.standard_normal(t.size), fl + efl * rng.standard_normal(t.size)
    rows = [f"{a:g},{b:.6g},{c:.6g},{d:.6g},{e:.6g}" for a, b, c, d, e in zip(t, ydl, edl, yfl, efl)]
    path.write_text("# resistivity: 200 uOhm cm\n"
                    f"thickness (nm),xi_e_dl ({U}),xi_e_dl_stderr ({U}),xi_e_fl ({U}),"
                    f"xi_e_fl_stderr ({U})\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_chain_run_until_long_enough_begins_as_the_fixed_chain_and_stops_converged():
    d = _line_data()
    fixed = sample(d, LINE, nwalkers=8, nsteps=300, seed=2, min_tau_multiple=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # converged: no warning
        grown = sample(d, LINE, nwalkers=8, nsteps=300, max_steps=20000, seed=2)
    np.testing.assert_array_equal(grown.chain[:300], fixed.chain)
    run = grown.diagnostics["adaptive"]
    assert grown.converged and run["stopped"] == "converged"
    assert grown.nsteps == run["checks"][-1][0] > 300
    assert grown.nsteps >= 50 * max(grown.autocorr_time.values())
    assert run["min_steps"] == 300 and run["max_steps"] == 20000
    # the steps of the checks grow by a tenth of the chain, at least 500
    steps = [c[0] for c in run["checks"]]
    assert steps[1] - steps[0] == 500 and all(b > a for a, b in zip(steps, steps[1:]))


def test_a_chain_stopped_at_its_longest_says_so():
    d = _line_data()
    with pytest.warns(AutocorrelationWarning, match="ran to its longest, 250 steps"):
        post = sample(d, LINE, nwalkers=8, nsteps=200, max_steps=250, seed=2)
    assert post.nsteps == 250 and not post.converged
    assert post.diagnostics["adaptive"]["stopped"] == "max_steps"


def test_progress_of_a_chain_run_until_long_enough_ends_at_its_length():
    d = _line_data()
    calls = []
    post = sample(d, LINE, nwalkers=8, nsteps=300, max_steps=20000, seed=2,
                  progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (post.nsteps, post.nsteps)
    assert all(done <= total for done, total in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_max_steps_shorter_than_the_chain_is_refused():
    from sotfit.bayes import BayesError

    with pytest.raises(BayesError, match="max_steps = 100 is shorter than nsteps = 200"):
        sample(_line_data(), LINE, nwalkers=8, nsteps=200, max_steps=100)
    assert callable(run_until_converged)


def test_cli_max_steps_is_the_longest_chain_and_steps_a_fixed_one(tmp_path, capsys):
    f = str(bisb_table(tmp_path / "bisb.csv"))
    code = main(["thickness", f, "--joint", "--mcmc", "--walkers", "12", "--max-steps", "600",
                 "--no-figures", "--out", str(tmp_path / "a")])
    assert code == 0
    s = json.loads((tmp_path / "a" / "summary.json").read_text())
    d = s["mcmc"]["diagnostics"]
    assert s["mcmc"]["nsteps"] == 600 and d["adaptive"]["stopped"] == "max_steps"
    out = capsys.readouterr().out
    assert "12 walkers x 600 steps (run until 50 tau long, 600 to 600 steps: stopped at the " \
           "longest)" in out and "--max-steps" in out
    assert main(["thickness", f, "--joint", "--mcmc", "--walkers", "12", "--steps", "300",
                 "--no-figures", "--out", str(tmp_path / "b")]) == 0
    s = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert s["mcmc"]["nsteps"] == 300 and "adaptive" not in s["mcmc"]["diagnostics"]
    capsys.readouterr()
    assert main(["thickness", f, "--joint", "--mcmc", "--steps", "300", "--max-steps", "900",
                 "--out", str(tmp_path / "c")]) == 2
    assert "give one of the two" in capsys.readouterr().err
    assert main(["thickness", f, "--max-steps", "900", "--out", str(tmp_path / "d")]) == 2
    assert "--max-steps is for --mcmc" in capsys.readouterr().err


@pytest.mark.slow
def test_default_chain_of_a_bisb_like_series_runs_on_while_its_tau_grows(tmp_path, capsys):
    """The default --mcmc of a series whose tau grows with the chain (335 steps at 17 270
    steps, 878 at 51 810, 1603 at 150 000): the chain goes on to its longest and is flagged
    not converged, its length recorded. It stopped at 17 270 steps, 'converged', on a move of
    tau below 5 % between two checks."""
    f = str(bisb_table(tmp_path / "bisb.csv"))
    assert main(["thickness", f, "--joint", "--mcmc", "--out", str(tmp_path / "o")]) == 0
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    d = s["mcmc"]["diagnostics"]
    assert d["adaptive"]["stopped"] == "max_steps" and s["mcmc"]["nsteps"] == 50000
    assert not d["converged"] and "had not settled" in d["message"]
    assert s.get("flags")


class _RecordedChain:
    """A stand-in for an emcee sampler that plays back a given chain (steps, walkers, 1)."""

    def __init__(self, chain):
        self.chain, self.iteration = chain, 0

    def sample(self, state, iterations):
        for _ in range(iterations):
            self.iteration += 1
            yield state

    def get_chain(self):
        return self.chain[:self.iteration]


def _ar1(rng, steps, walkers, tau):
    """Unit-variance AR(1) series of integrated autocorrelation time ``tau`` (steps)."""
    from scipy.signal import lfilter

    phi = (tau - 1.0) / (tau + 1.0)
    noise = rng.standard_normal((steps, walkers)) * np.sqrt(1.0 - phi ** 2)
    return lfilter([1.0], [1.0, -phi], noise, axis=0)


def test_a_tau_still_growing_with_the_chain_does_not_stop_it():
    """A slow direction the chain is still exploring: 80 % of the variance with tau = 40 steps,
    20 % with tau = 2000 (integrated tau 432 steps). Its estimate grows with the chain by a few
    per cent between checks; the chain stopped, 'converged', at 3500 steps (8.1 of the true
    tau, the estimate 61), which the growth of tau since the chain's first half tells (it runs
    to 33 657 steps, tau estimated 359)."""
    rng = np.random.default_rng(6)
    x = np.sqrt(0.8) * _ar1(rng, 60000, 32, 40.0) + np.sqrt(0.2) * _ar1(rng, 60000, 32, 2000.0)
    sampler = _RecordedChain(x[:, :, None])
    run = run_until_converged(sampler, None, 2000, 50000)
    true_tau = 0.8 * 40.0 + 0.2 * 2000.0
    assert run["stopped"] == "converged"
    assert sampler.iteration >= 50 * true_tau


def test_a_chain_at_its_longest_with_a_tau_still_moving_is_not_converged(monkeypatch):
    """An adaptive chain that ran to its longest because its tau had not settled is not
    called converged for being 50 of its own (too small) tau long."""
    import sotfit.bayes.sampling as sampling

    monkeypatch.setattr(sampling, "TAU_GROWTH", 0.0, raising=False)    # never settled
    monkeypatch.setattr(sampling, "TAU_SETTLED", 0.0)
    with pytest.warns(AutocorrelationWarning, match="had not settled"):
        post = sample(_line_data(), LINE, nwalkers=8, nsteps=1000, max_steps=1600, seed=2)
    d = post.diagnostics
    assert post.nsteps == 1600 and d["adaptive"]["stopped"] == "max_steps"
    assert min(d["chain_over_tau"].values()) >= 50        # long enough by its own tau
    assert not post.converged and not d["converged"]
    assert "ran to its longest, 1600 steps" in d["message"]
