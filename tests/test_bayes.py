"""The Bayesian layer: analytic linear-Gaussian posterior, priors, diagnostics, bad input, recovery."""

import dataclasses
import json
import math
import pickle
import warnings

import numpy as np
import pytest

from sotfit import priors
from sotfit.bayes import (AutocorrelationWarning, BayesError, PriorWarning, build_log_posterior,
                          compare, sample, summarize)
from sotfit.data import DataError, Dataset
from sotfit.fitting import FitError
from sotfit.models import MODELS, ModelSpec, Param
from sotfit.models.drift_diffusion import xi_e_dl, xi_e_fl


def line(x, m, b):
    return m * x + b


def parabola(x, m, b, c):
    return c * x * x + m * x + b


LINE = ModelSpec("line", line, (Param("m", "", 0.0, doc="slope"), Param("b", "", 0.0, doc="offset")),
                 "x", "", "y", "")
PARABOLA = ModelSpec("parabola", parabola, (Param("m", "", 0.0, doc="slope"),
                                            Param("b", "", 0.0, doc="offset"),
                                            Param("c", "", 0.0, doc="curvature")),
                     "x", "", "y", "")


def emcee_line_data():
    """The data of emcee's 'Fitting a model to data' tutorial (np.random.seed(123)), with
    honest error bars (no underestimation factor) so that the posterior is Gaussian."""
    np.random.seed(123)
    m_true, b_true, n = -0.9594, 4.294, 50
    x = np.sort(10 * np.random.rand(n))
    yerr = 0.1 + 0.5 * np.random.rand(n)
    y = m_true * x + b_true + yerr * np.random.randn(n)
    return Dataset(x, y, yerr, meta={"source": "emcee tutorial line"})


def analytic(d, prior_b=None):
    """Exact posterior mean and covariance of (m, b) for flat (or a Gaussian on b) priors."""
    A = np.vstack([d.x, np.ones_like(d.x)]).T
    W = np.diag(1 / d.yerr**2)
    prec = A.T @ W @ A
    rhs = A.T @ W @ d.y
    if prior_b is not None:
        mu, sd = prior_b
        prec = prec + np.diag([0.0, 1 / sd**2])
        rhs = rhs + np.array([0.0, mu / sd**2])
    cov = np.linalg.inv(prec)
    return cov @ rhs, cov


def emcee_recipe_checks(d, post):
    """emcee's own seeded sampler test (tests/integration/test_proposal.py::_test_normal):
    every walker's acceptance fraction in (0.1, 0.9); the draws, whitened with the analytic
    posterior (z = L^-1 (theta - mean), cov = L L^T, so z is exactly N(0, 1) per component),
    have |mean| < 0.08, |sd - 1| < 0.05 and a Kolmogorov-Smirnov statistic against N(0, 1)
    below 0.05."""
    from scipy import stats

    mean, cov = analytic(d)
    acc = post.acceptance_fraction
    assert np.all((acc > 0.1) & (acc < 0.9)), acc
    draws = np.array([post.samples["m"], post.samples["b"]])
    z = np.linalg.solve(np.linalg.cholesky(cov), draws - mean[:, None])
    assert np.all(np.abs(z.mean(axis=1)) < 0.08), z.mean(axis=1)
    assert np.all(np.abs(z.std(axis=1) - 1) < 0.05), z.std(axis=1)
    for zz in z:
        assert stats.kstest(zz, "norm").statistic < 0.05


@pytest.fixture(scope="module")
def line_post():
    d = emcee_line_data()
    return d, sample(d, LINE, nwalkers=32, nsteps=3000, seed=42)


def test_linear_gaussian_posterior_matches_analytic(line_post):
    d, post = line_post
    mean, cov = analytic(d)
    sd = np.sqrt(np.diag(cov))
    draws = np.array([post.samples["m"], post.samples["b"]])
    assert post.converged
    # Monte Carlo error of the mean is sd / sqrt(n_eff) ~ 0.02 sd here
    assert np.all(np.abs(draws.mean(axis=1) - mean) < 0.08 * sd)
    np.testing.assert_allclose(draws.std(axis=1, ddof=1), sd, rtol=0.05)
    rho = cov[0, 1] / (sd[0] * sd[1])
    assert np.corrcoef(draws)[0, 1] == pytest.approx(rho, abs=0.03)
    # summaries: median and half the 16-84 % width, as uncertainties values with the correlation
    for i, k in enumerate(("m", "b")):
        assert post.value(k) == pytest.approx(mean[i], abs=0.08 * sd[i])
        assert post.stderr(k) == pytest.approx(sd[i], rel=0.06)
    diff = post["m"] - post["b"]
    assert diff.std_dev == pytest.approx(math.sqrt(sd[0]**2 + sd[1]**2 - 2 * cov[0, 1]), rel=0.08)
    # lsq optimum is the analytic mean; max log-likelihood from the minimum chi-square
    assert post.lsq.value("m") == pytest.approx(mean[0], rel=1e-6)
    chi2 = np.sum(((d.y - line(d.x, *mean)) / d.yerr) ** 2)
    ll = -0.5 * chi2 - np.sum(np.log(d.yerr)) - 0.5 * d.x.size * math.log(2 * math.pi)
    assert post.max_log_likelihood == pytest.approx(ll, abs=1e-6)
    assert post.aic == pytest.approx(4 - 2 * ll, abs=1e-5)
    assert post.bic == pytest.approx(2 * math.log(50) - 2 * ll, abs=1e-5)
    # WAIC's effective number of parameters of a regular 2-parameter model is ~2
    assert 1.3 < post.p_waic < 2.8
    emcee_recipe_checks(d, post)


def test_emcee_recipe_with_the_stretch_move():
    """The same analytic posterior with emcee's default stretch move and the recipe's own
    settings (32 walkers, 2000 steps, seed 1234)."""
    d = emcee_line_data()
    post = sample(d, LINE, nwalkers=32, nsteps=2000, seed=1234, moves="stretch")
    assert post.converged
    emcee_recipe_checks(d, post)


def test_gaussian_prior_gives_the_analytic_posterior():
    d = emcee_line_data()
    mean, cov = analytic(d, prior_b=(4.0, 0.1))
    post = sample(d, LINE, priors={"b": priors.normal(4.0, 0.1)}, nwalkers=32, nsteps=2000,
                  seed=7)
    sd = np.sqrt(np.diag(cov))
    for i, k in enumerate(("m", "b")):
        assert np.mean(post.samples[k]) == pytest.approx(mean[i], abs=0.08 * sd[i])
        assert np.std(post.samples[k]) == pytest.approx(sd[i], rel=0.05)
    assert post.priors["b"] == "normal(4, 0.1)" and post.priors["m"] == "flat within bounds"


def test_same_seed_same_chain_and_other_seed_differs():
    d = emcee_line_data()
    a = sample(d, LINE, nwalkers=8, nsteps=300, seed=5, min_tau_multiple=0)
    b = sample(d, LINE, nwalkers=8, nsteps=300, seed=5, min_tau_multiple=0)
    c = sample(d, LINE, nwalkers=8, nsteps=300, seed=6, min_tau_multiple=0)
    np.testing.assert_array_equal(a.chain, b.chain)
    assert not np.array_equal(a.chain, c.chain)


def test_noise_scale_recovers_understated_errors():
    rng = np.random.default_rng(4)
    x = np.linspace(0, 10, 80)
    true_err = 0.5
    d = Dataset(x, line(x, 0.7, -1.0) + true_err * rng.standard_normal(x.size),
                np.full(x.size, true_err / 2.5))
    post = sample(d, LINE, noise_scale=True, nwalkers=24, nsteps=2000, seed=3)
    k = post.samples["noise_scale"]
    # the scale of 80 residuals is known to ~1/sqrt(2*80) = 8 %
    assert abs(np.median(k) - 2.5) < 3 * 0.5 * (np.percentile(k, 84) - np.percentile(k, 16))
    mean, cov = analytic(d.replace(yerr=np.full(x.size, true_err)))
    assert post.stderr("m") == pytest.approx(math.sqrt(cov[0, 0]), rel=0.15)
    assert "noise_scale" in post.varied and post.units["noise_scale"] == ""


def test_vectorised_log_probability_equals_the_loop_and_pickles():
    d = emcee_line_data()
    tdl = np.linspace(6, 70, 12)
    p = dict(spin_hall_conductivity=3.68, spin_diffusion_length=24.8, re_g_mix=0.023,
             im_g_mix=0.133, resistivity=350.3)
    ddl = Dataset(tdl, xi_e_dl(tdl, **p), 0.01 + 0.03 * np.abs(xi_e_dl(tdl, **p)))
    dfl = Dataset(tdl, xi_e_fl(tdl, **p), 0.01 + 0.03 * np.abs(xi_e_fl(tdl, **p)))
    m1, m2 = MODELS["drift_diffusion_dl"], MODELS["drift_diffusion_fl"]
    kw = dict(shared=list(m1.param_names), fixed={"resistivity": 350.3},
              init={k: v * 1.1 for k, v in p.items() if k != "resistivity"})
    vec, lsq = build_log_posterior([ddl, dfl], [m1, m2], vectorize=True, **kw)
    loop, _ = build_log_posterior([ddl, dfl], [m1, m2], vectorize=False, lsq=lsq, **kw)
    assert vec.vector_ok == (True, True) and loop.vector_ok == (False, False)
    rng = np.random.default_rng(0)
    theta = np.array([lsq.value(n) for n in vec.free]) * (1 + 0.05 * rng.standard_normal((50, 4)))
    theta[3] = [3.0, -1.0, 0.02, 0.1]                     # lambda_s < 0: outside the bounds
    a, b = vec(theta), loop(theta)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert a[3] == -np.inf
    assert vec(theta[0]) == pytest.approx(a[0], rel=1e-13)
    again = pickle.loads(pickle.dumps(vec))
    np.testing.assert_array_equal(again(theta), a)
    del d


def test_tied_and_fixed_parameters_follow_in_the_samples():
    rng = np.random.default_rng(2)
    x = np.linspace(0, 5, 30)
    d1 = Dataset(x, line(x, 1.0, 0.5) + 0.1 * rng.standard_normal(30), np.full(30, 0.1))
    d2 = Dataset(x, line(x, 2.0, 0.5) + 0.1 * rng.standard_normal(30), np.full(30, 0.1))
    post = sample([d1, d2], LINE, shared=["b"], exprs={"m_1": "2 * m_0"}, nwalkers=16,
                  nsteps=1000, seed=1)
    np.testing.assert_allclose(post.samples["m_1"], 2 * post.samples["m_0"])
    assert post.varied == ("m_0", "b")
    post2 = sample([d1, d2], LINE, shared=["b"], fixed={"b": 0.5}, nwalkers=16, nsteps=1000,
                   seed=1)
    assert np.all(post2.samples["b"] == 0.5) and post2["b"] == 0.5


def test_result_is_immutable_and_serialises(line_post):
    _, post = line_post
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.burn = 3
    with pytest.raises(ValueError):
        post.samples["m"][0] = 1.0
    with pytest.raises(TypeError):
        post.params["m"] = 1.0
    d = post.to_dict()
    assert set(d["parameters"]["m"]) == {"value", "stderr", "unit", "p16", "p50", "p84"}
    assert d["burn"] == post.burn and d["thin"] == post.thin and d["seed"] == 42
    s = summarize(post.samples["m"])
    assert s["p16"] < s["p50"] < s["p84"] and s["value"] == s["p50"]


def test_posterior_predictive_band(line_post):
    d, post = line_post
    x = np.linspace(0, 10, 5)
    band = post.band(x, q=(16, 50, 84), ndraws=400)
    mean, cov = analytic(d)
    A = np.vstack([x, np.ones_like(x)]).T
    sd = np.sqrt(np.einsum("ij,jk,ik->i", A, cov, A))
    np.testing.assert_allclose(band[1], A @ mean, atol=0.2 * sd.max())
    np.testing.assert_allclose(0.5 * (band[2] - band[0]), sd, rtol=0.2)


def test_information_criteria_prefer_the_true_model():
    rng = np.random.default_rng(8)
    x = np.linspace(-3, 3, 40)
    d = Dataset(x, parabola(x, 0.5, 1.0, 0.3) + 0.2 * rng.standard_normal(40), np.full(40, 0.2))
    a = sample(d, LINE, nwalkers=16, nsteps=1000, seed=1)
    b = sample(d, PARABOLA, nwalkers=16, nsteps=1000, seed=1)
    rows = compare({"line": a, "parabola": b})
    assert rows[0]["name"] == "parabola"
    assert rows[1]["d_aic"] > 10 and rows[1]["d_bic"] > 10 and rows[1]["d_waic"] > 10
    other = Dataset(x, x, np.full(40, 0.2))
    c = sample(other, LINE, nwalkers=16, nsteps=600, seed=1, min_tau_multiple=0)
    with pytest.raises(BayesError, match="different data"):
        compare([a, c])


# ----------------------------------------------------------------------------- bad input

def test_missing_uncertainties():
    d = Dataset(np.arange(5.0), np.arange(5.0), meta={"source": "table.csv"})
    with pytest.raises(BayesError, match="table.csv.*no uncertainties"):
        sample(d, LINE, nsteps=100)


@pytest.mark.parametrize("bad", [0.0, -0.1, np.nan])
def test_zero_negative_or_missing_uncertainties_are_rejected_by_the_dataset(bad):
    with pytest.raises(DataError, match="t.csv: uncertainties of 'y' must be finite and > 0"):
        Dataset(np.arange(5.0), np.arange(5.0), [1, 1, bad, 1, 1], meta={"source": "t.csv"})


def test_fewer_points_than_parameters():
    d = Dataset(np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([0.1, 0.1]),
                meta={"source": "two.csv"})
    # caught by the least-squares start ...
    with pytest.raises(FitError, match="two.csv: 2 point\\(s\\) cannot determine 3 free"):
        sample(d, PARABOLA, nsteps=100)
    # ... and by the sampler itself when the noise scale is one parameter too many
    d3 = Dataset(np.array([1.0, 2.0, 3.0]), np.array([1.1, 1.9, 3.05]), np.full(3, 0.1),
                 meta={"source": "three.csv"})
    with pytest.raises(BayesError, match="three.csv: 3 point\\(s\\) cannot determine 3 sampled"):
        sample(d3, LINE, noise_scale=True, nsteps=100)


def test_negative_thickness():
    d = Dataset(np.array([-2.0, 5, 10, 20, 40]), np.ones(5), np.full(5, 0.1),
                meta={"source": "neg.csv"})
    with pytest.raises(FitError, match="neg.csv: model 'drift_diffusion_dl_transparent'.*"
                                       "thickness must be >= 0 nm; got minimum -2.0 nm"):
        sample(d, MODELS["drift_diffusion_dl_transparent"], fixed={"resistivity": 350.3},
               nsteps=100)


def test_priors_outside_bounds_and_excluding_the_optimum():
    d = emcee_line_data()
    bounded = LINE.with_defaults()
    with pytest.raises(BayesError, match="no probability inside its bounds"):
        sample(d, bounded, bounds={"m": (0.0, 5.0)}, priors={"m": priors.uniform(-3, -1)},
               nsteps=100)
    with pytest.warns(PriorWarning, match="zero prior probability.*m = -0.97"):
        post = sample(d, LINE, priors={"m": priors.uniform(0, 1)}, nwalkers=8, nsteps=300,
                      min_tau_multiple=0, seed=1)
    assert np.all((post.samples["m"] >= 0) & (post.samples["m"] <= 1))
    assert post.value("m") < 0.05                     # piles up at the edge nearest the data
    with pytest.raises(BayesError, match="unknown parameter 'slope'"):
        sample(d, LINE, priors={"slope": priors.uniform(0, 1)}, nsteps=100)
    with pytest.raises(BayesError, match="'b', which is fixed"):
        sample(d, LINE, fixed={"b": 4.0}, priors={"b": priors.normal(4, 1)}, nsteps=100)
    with pytest.raises(priors.PriorError):
        priors.uniform(2, 1)
    with pytest.raises(priors.PriorError, match="unknown prior"):
        priors.parse("cauchy(0, 1)")
    assert priors.parse("normal(3.7, 0.2)").mean() == pytest.approx(3.7)


def test_chain_too_short_for_the_autocorrelation_time():
    d = emcee_line_data()
    with pytest.warns(AutocorrelationWarning, match="autocorrelation times long.*steps are needed"
                      r".*itself uncertain and mostly too small"):
        post = sample(d, LINE, nwalkers=8, nsteps=60, seed=1)
    assert not post.converged and "CHAIN TOO SHORT" in post.report()
    with pytest.raises(BayesError, match="too few"):
        sample(d, LINE, nwalkers=3, nsteps=100)
    with pytest.raises(BayesError, match="leaves nothing"):
        sample(d, LINE, nwalkers=8, nsteps=100, burn=100, min_tau_multiple=0)


# ----------------------------------------------------------------------------- drift diffusion

NIFE = dict(spin_hall_conductivity=3.68, spin_diffusion_length=24.8, re_g_mix=0.023,
            im_g_mix=0.133, resistivity=350.3)
THICK = np.array([6, 8, 10, 13, 16, 20, 26, 33, 40, 50, 60, 70], float)
FREE = ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix", "im_g_mix")


def _synthetic(rng):
    from test_drift_diffusion import seed003_eq1_eq2  # independent transcription of eqs. (1)-(2)

    dl, fl = seed003_eq1_eq2(THICK, 3.68, 24.8, 0.023, 0.133, 350.3)
    edl, efl = 0.03 * np.abs(dl) + 0.003, 0.03 * np.abs(fl) + 0.003
    return (Dataset(THICK, dl + edl * rng.standard_normal(12), edl),
            Dataset(THICK, fl + efl * rng.standard_normal(12), efl))


def _mcmc(seed, nsteps):
    m1, m2 = MODELS["drift_diffusion_dl"], MODELS["drift_diffusion_fl"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AutocorrelationWarning)
        return sample(list(_synthetic(np.random.default_rng(500 + seed))), [m1, m2],
                      shared=list(m1.param_names), fixed={"resistivity": 350.3},
                      init={"spin_hall_conductivity": 3.0, "spin_diffusion_length": 15.0,
                            "re_g_mix": 0.1, "im_g_mix": 0.1},
                      nwalkers=16, nsteps=nsteps, seed=seed)


def _mcmc_coverage(nseeds, nsteps):
    """Fraction of 16-84 % intervals containing the truth, per parameter (seeds independent)."""
    hits = {k: 0 for k in FREE}
    for s in range(nseeds):
        post = _mcmc(s, nsteps)
        for k in FREE:
            p16, _, p84 = post.percentiles[k]
            hits[k] += p16 <= NIFE[k] <= p84
    return {k: v / nseeds for k, v in hits.items()}


def test_mcmc_recovers_planted_drift_diffusion_parameters():
    post = _mcmc(0, 2000)
    for k in FREE:
        p16, p50, p84 = post.percentiles[k]
        assert abs(p50 - NIFE[k]) < 3 * 0.5 * (p84 - p16), (k, post.percentiles[k])


@pytest.mark.slow   # a long validation: run with -m slow
def test_mcmc_coverage_small():
    """Default-suite version of the coverage check (the full one is the slow test below).

    24 independent synthetic NiFe/BiSb series (3 % + 0.003 noise, the level of the real data),
    each sampled with a short chain (16 walkers x 600 steps, about 12 autocorrelation times;
    over 20 seeds their 16-84 % intervals agree with 4000-step chains to 0.2 half-widths in the
    median and 16 % in the width, 1.00 on average). Asserted per parameter:

    * coverage: the fraction of seeds whose 16-84 % interval contains the truth lies in the
      binomial 3-sigma band around 0.683 (intervals of different parameters of one series hit
      or miss together, so the count is per parameter over independent seeds);
    * calibration of the widths: the pulls (median - truth) / half-width have a standard
      deviation within the 3-sigma band of its sampling error around 1;
    * agreement with least squares, whose coverage is tested over 40 seeds in
      test_drift_diffusion.py: on average over the seeds the half-width is within 15 % of the
      least-squares standard error (the difference is the skewness of the posterior, which the
      linearised covariance ignores; measured 0.92-0.97).
    """
    n = 24
    hits, pulls, ratio = [], [], []
    for s in range(n):
        post = _mcmc(s, 600)
        h, z, r = [], [], []
        for k in FREE:
            p16, p50, p84 = post.percentiles[k]
            half = 0.5 * (p84 - p16)
            h.append(p16 <= NIFE[k] <= p84)
            z.append((p50 - NIFE[k]) / half)
            r.append(half / post.lsq.stderr(k))
        hits.append(h)
        pulls.append(z)
        ratio.append(r)
    cov = np.mean(hits, axis=0)
    sd = np.std(pulls, axis=0, ddof=1)
    width = np.mean(ratio, axis=0)
    band = 3 * math.sqrt(0.683 * 0.317 / n)
    for i, k in enumerate(FREE):
        assert abs(cov[i] - 0.683) < band, (k, cov[i], band)
        assert abs(sd[i] - 1) < 3 / math.sqrt(2 * (n - 1)), (k, sd[i])
        assert 0.85 < width[i] < 1.15, (k, width[i])


@pytest.mark.slow
def test_mcmc_coverage_many_seeds():
    n = 100
    cov = _mcmc_coverage(n, 4000)
    print("MCMC coverage of the 16-84 % intervals over", n, "seeds:", cov)
    half = 3 * math.sqrt(0.683 * 0.317 / n)
    for k, c in cov.items():
        assert abs(c - 0.683) < half, (k, c, half)


def test_sample_is_exported_at_the_top_level():
    """``sotfit.sample`` beside ``sotfit.fit`` (the design's user sketch), and the same function."""
    import sotfit
    import sotfit.bayes

    assert sotfit.sample is sotfit.bayes.sample
    assert sotfit.priors.uniform(1, 100).support() == (1.0, 100.0)


def test_walkers_start_inside_bounds_when_a_parameter_is_barely_constrained():
    """The least-squares error of the slope (data on a tiny x range) is thousands of times its
    bounded range; the walkers must still start, inside the bounds, and the posterior of the
    slope must then fill its prior range rather than stick to the start."""
    rng = np.random.default_rng(5)
    x = np.linspace(0.0, 1e-4, 12)
    d = Dataset(x, 0.5 + rng.normal(0, 0.1, x.size), yerr=np.full(x.size, 0.1),
                x_name="x", y_name="y")
    post = sample(d, LINE, bounds={"m": (-1.0, 1.0)}, nwalkers=16, nsteps=1500, seed=3)
    m = post.samples["m"]
    assert m.min() >= -1.0 and m.max() <= 1.0
    # a flat posterior on (-1, 1): standard deviation 1/sqrt(3)
    assert np.std(m) == pytest.approx(1 / math.sqrt(3), rel=0.15)


# ----------------------------------------------------------------------------- diagnostics

def _ar1_chain(phi, nsteps, nwalkers, seed=0):
    """AR(1) walkers x_t = phi x_(t-1) + e_t, integrated autocorrelation time
    (1 + phi)/(1 - phi)."""
    rng = np.random.default_rng(seed)
    x = np.empty((nsteps, nwalkers, 1))
    x[0] = rng.standard_normal((nwalkers, 1)) / math.sqrt(1 - phi**2)
    for t in range(1, nsteps):
        x[t] = phi * x[t - 1] + rng.standard_normal((nwalkers, 1))
    return x


def test_chain_diagnostics_tau_length_acceptance_and_reasons():
    from sotfit.bayes import chain_diagnostics

    chain = _ar1_chain(0.9, 20000, 8)
    d = chain_diagnostics(chain, np.full(8, 0.3), ["a"])
    assert d["autocorr_time"]["a"] == pytest.approx(19.0, rel=0.15)       # (1 + 0.9)/(1 - 0.9)
    assert d["chain_over_tau"]["a"] == pytest.approx(20000 / d["autocorr_time"]["a"])
    assert d["burn"] == math.ceil(2 * d["autocorr_time"]["a"])
    assert d["effective_samples"]["a"] == pytest.approx(8 * (20000 - d["burn"])
                                                        / d["autocorr_time"]["a"])
    assert d["converged"] and d["reasons"] == [] and d["stuck_walkers"] == 0
    assert d["acceptance_fraction"] == {"mean": pytest.approx(0.3), "min": pytest.approx(0.3),
                                        "max": pytest.approx(0.3)}
    # too short: 500 steps of tau = 19 is 26 tau
    short = chain_diagnostics(chain[:500], np.full(8, 0.3), ["a"])
    assert not short["converged"] and short["steps_needed"] > 500
    assert "autocorrelation times long" in short["reasons"][0]
    # one stuck walker (accepted nothing), and an ensemble that barely moves
    acc = np.full(8, 0.3)
    acc[3] = 0.0
    stuck = chain_diagnostics(chain, acc, ["a"])
    assert not stuck["converged"] and stuck["stuck_walkers"] == 1
    assert "1 of 8 walkers are stuck" in stuck["message"]
    slow = chain_diagnostics(chain, np.full(8, 0.02), ["a"])
    assert not slow["converged"] and "barely move" in slow["message"]
    assert "chain_over_tau" in json.dumps(slow)


def test_sample_reports_the_diagnostics_and_calls_progress():
    from sotfit.bayes import chain_diagnostics

    d = emcee_line_data()
    calls = []
    post = sample(d, LINE, nwalkers=16, nsteps=1500, seed=4,
                  progress=lambda done, total: calls.append((done, total)))
    # the same chain as without a progress callback (seeded)
    again = sample(d, LINE, nwalkers=16, nsteps=1500, seed=4)
    np.testing.assert_array_equal(post.chain, again.chain)
    assert calls[-1] == (1500, 1500) and 50 <= len(calls) <= 101
    assert all(a[0] < b[0] for a, b in zip(calls, calls[1:]))
    ref = chain_diagnostics(post.chain, post.acceptance_fraction, post.varied)
    assert post.diagnostics == ref
    assert post.converged == ref["converged"] and post.message == ref["message"]
    assert post.burn == ref["burn"]
    out = post.to_dict()["diagnostics"]
    assert set(out["autocorr_time"]) == {"m", "b"} and set(out["chain_over_tau"]) == {"m", "b"}
    assert out["converged"] is True and out["reasons"] == []
    assert 0.1 < out["acceptance_fraction"]["mean"] < 0.9


def test_stfmr_mcmc_reports_the_same_diagnostics_and_flags(tmp_path, monkeypatch):
    """``sotfit stfmr --mcmc``: diagnostics from the one place (chain_diagnostics), the sampled
    quantities flagged when the chain did not converge, progress on a terminal only."""
    import io

    from stfmr_synth import write_positive_branch_files

    from sotfit.cli import main

    paths = write_positive_branch_files(tmp_path)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = main(["stfmr", *paths, "--out", str(tmp_path / "out"), "--mcmc", "--mcmc-steps",
                   "300", "--no-figures"])
    assert rc == 0
    assert "sampling [" in err.getvalue() and "300/300" in err.getvalue()
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    diag = s["mcmc"]["diagnostics"]
    with np.load(tmp_path / "out" / "mcmc_chain.npz") as z:
        names = [str(n) for n in z["names"]]
        assert set(diag["autocorr_time"]) == set(names) == set(diag["chain_over_tau"])
    assert diag["converged"] is False and diag["reasons"] and diag["nsteps"] == 300
    assert {"mean", "min", "max"} <= set(diag["acceptance_fraction"])
    flagged = {f["quantity"] for f in s["flags"] if "MCMC of the global fit not converged"
               in f["reason"]}
    assert {"mcmc.mu0_meff", "mcmc.alpha"} <= flagged


def test_sample_of_a_problem_gives_the_chain_of_the_keyword_call():
    from sotfit.fitting import Problem

    d = emcee_line_data()
    fields = {"datasets": [d], "models": [LINE], "priors": {"b": priors.normal(4.0, 1.0)},
              "bounds": {"m": (-5.0, 5.0)}}
    opts = {"nwalkers": 8, "nsteps": 60, "seed": 3, "burn": 10, "thin": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = sample(Problem(**fields), **opts)
        b = sample(**fields, **opts)
    assert np.array_equal(a.chain, b.chain) and np.array_equal(a.log_prob, b.log_prob)
    assert a.waic == b.waic and a.priors == b.priors
    with pytest.raises(BayesError, match="given beside a Problem"):
        sample(Problem(**fields), priors={"m": "uniform(-5, 5)"}, **opts)
