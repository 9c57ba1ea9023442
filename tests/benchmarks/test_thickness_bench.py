"""Speed of the thickness-series posterior, side by side with a plain Python loop.

Run with ``python -m pytest -m benchmark tests/benchmarks/test_thickness_bench.py -s``.

1. Log-probability evaluations per second of the joint DL+FL drift-diffusion model
   (seed 003 eqs. (1)-(2), 2 x 14 points, 4 free parameters) for 32 walkers: one vectorised
   call of :class:`sotfit.bayes.LogPosterior` on the (32, 4) array, against a plain Python
   loop over the walkers, each evaluating the models and the Gaussian log-likelihood
   separately (what a hand-written ``log_prob(theta)`` does).
2. A full 32-walker x 5000-step :func:`sotfit.bayes.sample` run, vectorised and with the
   walker-by-walker evaluation (``vectorize=False``), side by side.

The ratios are printed and recorded (``record_property``); no timed assertion. The tests
assert only that both routes give the same numbers.
"""

import math
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from sotfit.analysis.thickness import build_problem, fit_thickness
from sotfit.bayes import build_log_posterior, sample
from sotfit.io.thickness import read_thickness_table
from sotfit.models.drift_diffusion import xi_e_dl, xi_e_fl

DATA = Path(__file__).resolve().parents[2] / "data" / "thickness_example"


def _problem():
    pr = build_problem(read_thickness_table(DATA / "nife_bisb.csv"), joint=True)
    return pr, fit_thickness(pr)


def _plain_log_prob(theta, ddl, dfl, rho):
    """A hand-written scalar log-probability (flat priors inside the bounds)."""
    sigma, lam, re_g, im_g = theta
    if not (0 < lam and re_g >= 0):
        return -math.inf
    out = 0.0
    for d, f in ((ddl, xi_e_dl), (dfl, xi_e_fl)):
        m = f(d.x, sigma, lam, re_g, im_g, rho)
        out += float(np.sum(-0.5 * ((d.y - m) / d.yerr) ** 2 - np.log(d.yerr)))
    return out - 0.5 * (ddl.x.size + dfl.x.size) * math.log(2 * math.pi)


@pytest.mark.benchmark
def test_log_probability_throughput(record_property):
    pr, lsq = _problem()
    lp, _ = build_log_posterior(list(pr.datasets), list(pr.models), shared=list(pr.shared),
                                fixed=pr.fixed, exprs=pr.exprs, lsq=lsq)
    assert lp.vector_ok == (True, True)
    rng = np.random.default_rng(0)
    start = np.array([lsq.value(n) for n in lp.free])
    theta = start * (1 + 0.02 * rng.standard_normal((32, lp.ndim)))
    ddl, dfl = pr.datasets
    ref = np.array([_plain_log_prob(t, ddl, dfl, pr.resistivity) for t in theta])
    np.testing.assert_allclose(lp(theta), ref, rtol=1e-10)

    def rate(fn, min_time=1.0):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < min_time:
            fn()
            n += 1
        return 32 * n / (time.perf_counter() - t0)

    r_vec = rate(lambda: lp(theta))
    r_loop = rate(lambda: [lp(t) for t in theta])
    r_plain = rate(lambda: [_plain_log_prob(t, ddl, dfl, pr.resistivity) for t in theta])
    print(f"\njoint DL+FL log-probability, 32 walkers, {lp.ndata} points:")
    print(f"  vectorised (one call):           {r_vec:12.0f} evaluations/s")
    print(f"  LogPosterior, loop over walkers: {r_loop:12.0f} evaluations/s  "
          f"(vectorised is {r_vec / r_loop:.1f}x faster)")
    print(f"  plain Python log_prob loop:      {r_plain:12.0f} evaluations/s  "
          f"(vectorised is {r_vec / r_plain:.1f}x faster)")
    record_property("evals_per_s_vectorised", r_vec)
    record_property("evals_per_s_plain_loop", r_plain)
    record_property("speedup_vs_plain_loop", r_vec / r_plain)


@pytest.mark.benchmark
def test_full_run_32_walkers_5000_steps(record_property):
    pr, lsq = _problem()
    times = {}
    posts = {}
    for vec in (True, False):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            posts[vec] = sample(list(pr.datasets), list(pr.models), shared=list(pr.shared),
                                fixed=pr.fixed, exprs=pr.exprs, lsq=lsq, nwalkers=32,
                                nsteps=5000, seed=1, vectorize=vec)
        times[vec] = time.perf_counter() - t0
    # same seed, same chain: the two evaluation routes are numerically the same posterior
    np.testing.assert_allclose(posts[True].chain, posts[False].chain, rtol=1e-9)
    print(f"\n32 walkers x 5000 steps (joint DL+FL): vectorised {times[True]:.2f} s, "
          f"walker loop {times[False]:.2f} s, ratio {times[False] / times[True]:.1f}; "
          f"tau max {max(posts[True].autocorr_time.values()):.0f} steps")
    record_property("run_seconds_vectorised", times[True])
    record_property("run_seconds_loop", times[False])
