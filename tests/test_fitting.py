"""The fitting layer: planted-parameter recovery, honest errors, global fits, clear failures."""

import warnings

import numpy as np
import pytest

import sotfit as sf
from sotfit.models import Param, ModelSpec, kittel_inplane, linewidth, stfmr_mixing


def _line(x, a=1.0, b=0.0):
    return a * x + b


LINE = ModelSpec("line", _line, (Param("a", "", 1.0, doc="slope"), Param("b", "", 0.0, doc="icpt")),
                 "x", "", "y", "", doc="a x + b")


def test_linear_gaussian_errors_match_analytic_covariance():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1, 50)
    sig = 0.1 + 0.1 * x
    y = 2.0 * x - 0.5 + rng.normal(0, sig)
    res = sf.fit(sf.Dataset(x, y, sig), LINE)
    a = np.vstack([x, np.ones_like(x)]).T / sig[:, None]
    cov = np.linalg.inv(a.T @ a)
    np.testing.assert_allclose(res.covar, cov, rtol=1e-4)
    assert not res.errors_scaled
    # correlations are kept in the uncertainties values
    diff = res["a"] - res["b"]
    expected = np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    assert diff.std_dev == pytest.approx(expected, rel=1e-4)


def test_coverage_of_one_sigma_intervals():
    rng = np.random.default_rng(7)
    x = np.linspace(0, 1, 20)
    hits = 0
    n = 300
    for _ in range(n):
        y = 1.3 * x + 0.2 + rng.normal(0, 0.05, x.size)
        r = sf.fit(sf.Dataset(x, y, np.full(x.size, 0.05)), LINE)
        hits += abs(r.value("a") - 1.3) < r.stderr("a")
    # binomial(300, 0.683): sd = 8 -> accept 0.683 +- 4 sd
    assert abs(hits / n - 0.683) < 4 * np.sqrt(0.683 * 0.317 / n)


def test_lineshape_recovers_planted_parameters():
    rng = np.random.default_rng(3)
    h = np.linspace(0.02, 0.2, 400)
    truth = dict(h_res=0.0873, width=0.0061, vs=2.4, va=-1.1, offset=0.5, slope=-3.0)
    sig = 0.03
    y = stfmr_mixing(h, **truth) + rng.normal(0, sig, h.size)
    r = sf.fit(sf.Dataset(h, y, np.full(h.size, sig), meta={"source": "synthetic"}), stfmr_mixing)
    for k, v in truth.items():
        assert abs(r.value(k) - v) < 3 * r.stderr(k), k


def test_global_fit_shares_parameters_and_keeps_local_ones():
    rng = np.random.default_rng(5)
    f = np.array([6.0, 8.0, 10.0, 12.0, 14.0])
    h = kittel_inplane(f, meff=0.8, gyromagnetic_ratio=29.0)
    w = linewidth(f, alpha=0.012, linewidth_inhomogeneous=0.0008, gyromagnetic_ratio=29.0)
    dk = sf.Dataset(f, h + rng.normal(0, 2e-4, f.size), 2e-4, meta={"source": "kittel"})
    dw = sf.Dataset(f, w + rng.normal(0, 1e-4, f.size), 1e-4, meta={"source": "width"})
    r = sf.fit_global([dk, dw], [kittel_inplane, linewidth], shared=["gyromagnetic_ratio"],
                      free=["gyromagnetic_ratio"])
    assert "gyromagnetic_ratio" in r.varied
    assert abs(r.value("gyromagnetic_ratio") - 29.0) < 3 * r.stderr("gyromagnetic_ratio")
    assert abs(r.value("alpha_1") - 0.012) < 3 * r.stderr("alpha_1")
    assert abs(r.value("meff_0") - 0.8) < 3 * r.stderr("meff_0")
    np.testing.assert_allclose(r.evaluate(i=1), linewidth(f, **r.dataset_params(1)))


def test_fixed_values_and_expressions():
    x = np.linspace(0, 1, 10)
    d = sf.Dataset(x, 3 * x + 1 + np.random.default_rng(0).normal(0, 1e-3, x.size))
    r = sf.fit(d, LINE, fixed={"b": 1.0})
    assert r.varied == ("a",) and r.value("a") == pytest.approx(3.0, abs=3e-3)
    r2 = sf.fit(d, LINE, exprs={"b": "a / 3"})
    assert r2.value("b") == pytest.approx(r2.value("a") / 3)


def test_too_few_points_is_an_error_naming_the_source():
    d = sf.Dataset([1.0], [2.0], meta={"source": "one.csv"})
    with pytest.raises(sf.FitError, match="one.csv: 1 point"):
        sf.fit(d, LINE)


def test_missing_input_metadata_is_an_error():
    m = ModelSpec("needs_f", lambda x, a=1.0, frequency=1.0: a * x * frequency,
                  (Param("a", "", 1.0, doc="a"),), "x", "", "y", "", doc="d", inputs=("frequency",))
    with pytest.raises(sf.FitError, match="frequency"):
        sf.fit(sf.Dataset([1.0, 2, 3], [1.0, 2, 3], meta={"source": "s.csv"}), m)


def test_non_converging_fit_warns():
    x = np.linspace(0, 1, 30)
    d = sf.Dataset(x, np.sin(40 * x), meta={"source": "noise"})
    with pytest.warns(sf.FitWarning, match="noise"):
        r = sf.fit(d, stfmr_mixing.with_defaults(h_res=0.5), guess=False, max_nfev=5)
    assert not r.success


def test_fit_sweep_and_result_table_feed_next_fit(tmp_path):
    rng = np.random.default_rng(11)
    h = np.linspace(0.01, 0.3, 300)
    f = np.array([5.0, 7.0, 9.0, 11.0])
    true_h = kittel_inplane(f, meff=0.9, gyromagnetic_ratio=28.5)
    sweep = sf.Sweep([sf.Dataset(h, stfmr_mixing(h, h_res=hr, width=0.004 + 0.0004 * fi, vs=1, va=0.5)
                                 + rng.normal(0, 0.01, h.size), meta={"frequency": fi, "source": f"{fi}GHz"})
                      for fi, hr in zip(f, true_h)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = sf.fit_sweep(sweep, stfmr_mixing)
    d = table.as_dataset(x="frequency", y="h_res")
    assert d.x_unit == "GHz" and d.y_unit == "T" and np.all(d.yerr > 0)
    k = sf.fit(d, kittel_inplane)
    assert abs(k.value("meff") - 0.9) < 3 * k.stderr("meff")
    path = table.to_csv(tmp_path / "t.csv")
    head = path.read_text().splitlines()[0]
    assert "h_res (T)" in head and "h_res_stderr (T)" in head
    with pytest.raises(FileExistsError):
        table.to_csv(path)


def test_a_fit_stopped_by_max_nfev_returns_its_best_evaluation():
    """A run stopped by the evaluation limit reports the lowest-chi-square point it evaluated,
    never a worse one than its start (lmfit leaves the last, possibly trial, point)."""
    import numpy as np

    import sotfit as sf
    from sotfit.models import kittel_inplane

    f = np.array([6.0, 8.0, 10.0, 12.0, 14.0, 16.0])
    h = np.array([0.045, 0.072, 0.102, 0.135, 0.170, 0.207])
    d = sf.Dataset(f, h, np.full(f.size, 1e-3), x_name="frequency", x_unit="GHz",
                   y_name="h_res", y_unit="T")
    start = sf.fit(d, kittel_inplane, init={"meff": 2.0, "gyromagnetic_ratio": 20.0},
                   max_nfev=1, warn=False)
    for n in range(2, 12):
        r = sf.fit(d, kittel_inplane, init={"meff": 2.0, "gyromagnetic_ratio": 20.0}, max_nfev=n,
                   warn=False)
        assert np.all(np.isfinite(list(r.values.values())))
        assert r.chisqr <= start.chisqr + 1e-12, n


def _global_problem_fields():
    """Two straight lines sharing their slope, each with its own offset."""
    rng = np.random.default_rng(11)
    x = np.linspace(0.0, 2.0, 12)
    d0 = sf.Dataset(x, 2.0 * x + 0.5 + rng.normal(0, 0.01, x.size), 0.01, meta={"source": "a"})
    d1 = sf.Dataset(x, 2.0 * x - 0.3 + rng.normal(0, 0.01, x.size), 0.01, meta={"source": "b"})
    return {"datasets": [d0, d1], "models": LINE, "shared": ["a"], "free": (),
            "fixed": None, "init": {"a": 1.5}, "bounds": {"b_1": (-1.0, 1.0)},
            "exprs": None}


def test_fit_global_of_a_problem_equals_the_keyword_call():
    from sotfit.fitting import Problem

    fields = _global_problem_fields()
    problem = Problem(**fields)
    a, b = sf.fit_global(problem), sf.fit_global(**fields)
    assert a.varied == b.varied and a.values == b.values
    assert a.chisqr == b.chisqr and np.array_equal(a.covar, b.covar)
    assert a.stderr("b_1") == b.stderr("b_1")
    assert a.problem is problem
    assert b.problem.datasets == tuple(fields["datasets"]) and b.problem.shared == ("a",)
    assert b.problem.models == (LINE, LINE)
    assert sf.fit_global(b.problem).values == b.values
    with pytest.raises(TypeError, match="given beside a Problem"):
        sf.fit_global(problem, shared=["b"])


def test_fit_result_carries_its_problem_through_fit():
    x = np.linspace(0, 1, 10)
    d = sf.Dataset(x, 3 * x + 1 + np.random.default_rng(0).normal(0, 1e-3, x.size))
    r = sf.fit(d, LINE, fixed={"b": 1.0})
    assert r.problem.datasets == (d,) and r.problem.models == (LINE,)
    assert r.problem.fixed == {"b": 1.0} and r.problem.priors is None


def _capped(x, a=1.0):
    """a x, defined only for a < 2 (not finite beyond, as a model outside its domain)."""
    return a * x if a < 2.0 else np.full_like(x, np.nan)


CAPPED = ModelSpec("capped", _capped, (Param("a", "", 1.0, doc="slope, defined below 2"),),
                   "x", "", "y", "")


def test_a_trial_step_where_the_model_is_not_finite_is_rejected_not_fatal():
    """The least-squares slope of these data is 2.5, where the model is not finite: the
    optimiser's steps there are rejected and the fit ends at a valid point below 2, closer to
    the data than the start (before, the first such step ended the fit with FitError)."""
    x = np.linspace(0.0, 1.0, 30)
    data = sf.Dataset(x, 2.5 * x, yerr=np.full(x.size, 0.01), meta={"source": "capped"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sf.FitWarning)
        res = sf.fit(data, CAPPED, init={"a": 0.5})
    a = res["a"].nominal_value
    assert 0.5 < a < 2.0
    start_chi2 = float(np.sum(((0.5 - 2.5) * x / 0.01) ** 2))
    assert res.chisqr < start_chi2


def test_a_fit_that_ends_where_the_model_is_not_finite_is_an_error():
    x = np.linspace(0.0, 1.0, 30)
    data = sf.Dataset(x, 2.5 * x, yerr=np.full(x.size, 0.01), meta={"source": "capped"})
    with pytest.raises(sf.FitError, match="capped: model 'capped' produced invalid values"):
        sf.fit(data, CAPPED, init={"a": 3.0})


def test_a_fit_held_at_the_edge_of_the_model_claims_no_error_bars():
    """The fit of the data above ends against the edge a = 2, its last steps rejected there:
    the optimiser's covariance is then meaningless (lmfit reports 1e-13 for a slope whose
    statistical error is 0.09), so no uncertainty is claimed and the fit is not a success, as
    for a parameter held at a bound."""
    x = np.linspace(0.0, 1.0, 30)
    data = sf.Dataset(x, 2.5 * x, yerr=np.full(x.size, 0.01), meta={"source": "capped"})
    with pytest.warns(sf.FitWarning, match="held at the edge of the model's domain"):
        res = sf.fit(data, CAPPED, init={"a": 0.5})
    assert 2.0 - res["a"].nominal_value < 1e-3
    assert not np.isfinite(res["a"].std_dev) and not res.success


def test_a_domain_far_from_the_fit_leaves_it_and_its_error_bar_as_they_are():
    """A model undefined only far from the data's slope (a >= 3, data at 1.2): the fit and its
    error bar are those of the unbounded model (the analytic 0.01 / sqrt(sum x^2))."""
    def capped3(x, a=1.0):
        return a * x if a < 3.0 else np.full_like(x, np.nan)

    model = ModelSpec("capped3", capped3, (Param("a", "", 1.0, doc="slope"),), "x", "", "y", "")
    x = np.linspace(0.0, 1.0, 30)
    rng = np.random.default_rng(2)
    data = sf.Dataset(x, 1.2 * x + rng.normal(0, 0.01, x.size), yerr=np.full(x.size, 0.01),
                      meta={"source": "capped3"})
    res = sf.fit(data, model, init={"a": 0.1})
    assert res.success
    assert res["a"].std_dev == pytest.approx(0.01 / np.sqrt(np.sum(x * x)), rel=0.2)
    assert abs(res["a"].nominal_value - 1.2) < 3 * res["a"].std_dev


@pytest.mark.parametrize("engine", ["lmfit", "batch"])
def test_a_converged_fit_at_a_bound_names_the_bound_not_its_success(engine):
    """A resonance of half width 5 mT fitted with the width bounded to at most 2 mT: both
    fitters converge onto the bound, the fit is not a success, and what makes it unreliable is
    the bound alone (the optimiser's word of success is left out of the problems and of the
    report)."""
    h = np.linspace(0.05, 0.15, 300)
    y = stfmr_mixing.func(h, 0.1, 0.005, 1.0, 0.5)
    data = sf.Dataset(h, y, yerr=np.full(h.size, 0.01), meta={"source": "broad"})
    start, bounds = {"h_res": 0.1, "width": 0.0015}, {"width": (1e-4, 0.002)}
    with pytest.warns(sf.FitWarning, match="at a bound"):
        if engine == "lmfit":
            res = sf.fit(data, stfmr_mixing, init=start, bounds=bounds)
        else:
            from sotfit.fitting_batch import fit_sweep_batch
            res = fit_sweep_batch([data], stfmr_mixing, init=start, bounds=bounds)[0]
    assert not res.success and res["width"].nominal_value == pytest.approx(0.002)
    assert res.problems == "parameter(s) ['width'] at a bound"
    assert "NOT RELIABLE: parameter(s) ['width'] at a bound" in res.report()
    assert "succeeded" not in res.report().lower()
    assert "converged" not in res.report().lower()


def test_a_reliable_fit_has_no_problems():
    x = np.linspace(0.0, 1.0, 30)
    res = sf.fit(sf.Dataset(x, 0.5 * x, yerr=np.full(x.size, 0.01)), LINE)
    assert res.success and res.problems == "" and "NOT" not in res.report()
