"""Branch fits of noise correlated from point to point carry errors that cover the planted
values (sotfit.analysis.stfmr.correlated), and a line clipped by a saturated input is flagged
(sotfit.analysis.stfmr.checks.clipping_reason). The spectra are written here with their own
lineshape and Kittel law (numpy only): white noise, a first-order autoregression (a lock-in's
time constant), or the line clipped at a fraction of its largest lobe."""

import math

import numpy as np
import pandas as pd
import pytest

from sotfit.analysis.stfmr.spectra import fit_spectrum
from sotfit.cli import main
from sotfit.data import Dataset

GAMMA, MEFF, ALPHA, W0 = 29.0, 0.80, 0.010, 0.0008      # GHz/T, T, -, T


def _line(f):
    """Resonance field and HWHM (T) of the in-plane Kittel and Gilbert laws at f (GHz)."""
    x = f / GAMMA
    return (-MEFF + math.sqrt(MEFF ** 2 + 4 * x ** 2)) / 2, W0 + ALPHA * x


def _spectrum(f, rng, noise=0.05, rho=0.0, clip=None):
    """(field in T, V_mix in uV, planted h_res, W, V_s, V_a): 300 points per branch over
    H_res +- 20 W, V_a = 1 uV, V_s = -0.4 uV, odd under H -> -H, a sloped background, noise of
    ``noise`` times the amplitude and lag-1 autocorrelation ``rho``; with ``clip`` the line
    (less its background) is cut at that fraction of its largest excursion."""
    h0, w = _line(f)
    vs, va = -0.4, 1.0
    pos = np.linspace(max(0.005, h0 - 20 * w), h0 + 20 * w, 300)
    field = np.concatenate([-pos[::-1], pos])
    a, p = np.abs(field), np.sign(field)
    d = a - h0
    line = p * (vs * w ** 2 + va * w * d) / (d ** 2 + w ** 2)
    e = rng.normal(0.0, noise * math.hypot(vs, va), field.size)
    for i in range(1, e.size):
        e[i] = rho * e[i - 1] + math.sqrt(1 - rho ** 2) * e[i]
    line = line + e
    if clip is not None:
        top = clip * np.max(np.abs(line))
        line = np.clip(line, -top, top)
    return field, line + 0.3 + 2.0 * field, h0, w, vs, va


def _fit(field, v, f):
    return fit_spectrum(Dataset(field, v, x_name="field", x_unit="T", y_name="vmix",
                                y_unit="uV", meta={"frequency": f, "source": f"{f:g}GHz.csv"}))


def _pulls(rho, seeds, freqs=(6, 10, 14)):
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for f in freqs:
            field, v, h0, w, vs, va = _spectrum(f, rng, rho=rho)
            s = _fit(field, v, f)
            out += [(s.value(k) - t) / s.stderr(k) for k, t in
                    (("h_res", h0), ("width", w), ("vs", vs), ("va", va))]
    return np.array(out)


def test_errors_cover_the_planted_values_under_a_lock_in_time_constant():
    """Noise of lag-1 autocorrelation 0.8: the independent-point errors were 3 times too small
    (pulls of sd 3, a quarter within one standard error); with the autoregressive sandwich the
    pulls have sd near 1."""
    p = _pulls(0.8, range(1, 9))
    assert np.std(p) < 1.5 and np.mean(np.abs(p) < 2) > 0.85, (np.std(p), np.mean(np.abs(p) < 2))


def test_errors_of_white_noise_are_left_as_they_were():
    """No branch of white noise is widened, and its pulls keep sd near 1."""
    rng = np.random.default_rng(7)
    widened = 0
    for _ in range(10):
        for f in (6, 10, 14):
            field, v, *_ = _spectrum(f, rng)
            widened += sum("error_factor" in r.meta for r in _fit(field, v, f).branches)
    assert widened == 0
    p = _pulls(0.0, range(20, 26))
    assert 0.7 < np.std(p) < 1.3, np.std(p)


def _write(folder, seed, **kw):
    folder.mkdir()
    rng = np.random.default_rng(seed)
    for f in (6, 8, 10, 12, 14):
        field, v, *_ = _spectrum(f, rng, **kw)
        pd.DataFrame({"Field (mT)": field * 1e3, "Vmix (uV)": v}).to_csv(
            folder / f"{f:g}GHz.csv", index=False, float_format="%.7f")
        (folder / f"{f:g}GHz.csv").write_text(
            f"# frequency_GHz: {f:g}\n# field_angle_deg: 45\n"
            + (folder / f"{f:g}GHz.csv").read_text())
    return folder


def _run(folder, out):
    assert main(["stfmr", str(folder), "--out", str(out), "--no-figures"]) == 0
    return (pd.read_csv(out / "spectra_combined.csv"),
            pd.read_json(out / "summary.json", typ="series"))


@pytest.mark.parametrize("clip", [0.6, 0.8])
def test_a_clipped_line_is_flagged_on_its_spectra_and_the_means(tmp_path, clip):
    """The line cut at 60 % (80 %) of its largest lobe, as by an overloaded lock-in: xi_FMR came
    out 42 % (14 %) low and alpha 40 % high, within the noise of the fits, with no flag."""
    table, summary = _run(_write(tmp_path / "clip", 11, clip=clip), tmp_path / "out")
    flagged = table["flags"].astype(str).str.contains("clips the line")
    assert flagged.sum() >= 3, table["flags"].tolist()
    assert any("clips the line" in f for f in summary["sequential"]["alpha"].get("flags", []))


@pytest.mark.slow
def test_white_noise_is_never_taken_for_clipping_or_correlated(tmp_path):
    """Twelve clean sets of 1-20 % noise: no clipping flag, no widened errors."""
    for seed in range(12):
        noise = (0.01, 0.05, 0.2)[seed % 3]
        table, summary = _run(_write(tmp_path / f"c{seed}", 100 + seed, noise=noise),
                              tmp_path / f"o{seed}")
        text = summary.to_json()
        assert "clips the line" not in text and "correlated from point to point" not in text


def test_the_sandwich_equals_its_n_by_n_definition():
    """The autoregressive sandwich covariance, computed with p x p traces and Sigma applied by
    recursion, equals its definition with the n x n matrices (module docstring of
    sotfit.analysis.stfmr.correlated), written out here: rho, s^2 and C."""
    from sotfit.analysis.stfmr.correlated import _sandwich

    rng = np.random.default_rng(3)
    for n in (40, 250):
        x = np.linspace(-1, 1, n)
        j = np.stack([1 / (1 + (x / 0.2) ** 2), x / (1 + (x / 0.2) ** 2), np.ones(n), x], 1)
        e = rng.normal(size=n)
        for k in range(1, n):
            e[k] += 0.7 * e[k - 1]
        rho_hat = float((e - e.mean())[:-1] @ (e - e.mean())[1:] / ((e - e.mean()) @ (e - e.mean())))
        cov, rho = _sandwich(j, e, rho_hat)
        inv = np.linalg.inv(j.T @ j)
        m = np.eye(n) - j @ inv @ j.T
        lag = 0.5 * (np.eye(n, k=1) + np.eye(n, k=-1))
        sigma = rho ** np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        expected = np.trace(m @ lag @ m @ sigma) / np.trace(m @ sigma)
        assert abs(expected - rho_hat) < 1e-4          # rho solves the moment equation
        s2 = (e @ e) / np.trace(m @ sigma)
        direct = s2 * inv @ j.T @ sigma @ j @ inv
        np.testing.assert_allclose(cov, direct, rtol=1e-8, atol=1e-12 * np.abs(direct).max())


def test_the_global_factor_is_the_sandwich_of_the_weights_the_fit_keeps():
    """The global fit keeps the weights of independent points, so the variance of its value
    over branches widened by f_b is the mean of f_b^2 (equal weights): with half the branches
    white and half widened 4.4 times (lag-1 0.9) the factor is 3.2. sqrt(N / sum 1/f_b^2),
    the error of an estimate reweighted by the widened errors, gave 1.4 and global M_eff pulls
    of rms 2.4, unflagged."""
    from types import SimpleNamespace

    from sotfit.analysis.stfmr.pipeline import _correlated_noise_factor

    def spectrum(*factors):
        return SimpleNamespace(branches=[SimpleNamespace(meta={"error_factor": f} if f else {})
                                         for f in factors])

    fits = [spectrum(None, None), spectrum(4.4, 4.4), spectrum(None, 1.0), spectrum(4.4, 4.4)]
    expected = np.sqrt((4 * 1.0 + 4 * 4.4 ** 2) / 8)
    assert abs(_correlated_noise_factor(fits) - expected) < 1e-12
    assert _correlated_noise_factor([spectrum(None, None)]) == 1.0

    # the same by simulation: an equal-weight mean of branch estimates whose errors are f_b
    # times the independent-point ones scatters by the factor times the independent error
    rng = np.random.default_rng(5)
    f = np.array([1.0, 1.0, 1.0, 1.0, 4.4, 4.4, 4.4, 4.4])
    means = (rng.normal(size=(20000, f.size)) * f).mean(axis=1)
    independent = 1 / np.sqrt(f.size)
    assert abs(means.std() / independent / _correlated_noise_factor(fits) - 1) < 0.02


def test_the_posterior_of_correlated_noise_is_widened_as_the_least_squares_errors(tmp_path):
    """--mcmc samples the global fit with a likelihood of independent points: under noise of
    lag-1 0.8 its widths were 0.2-0.4 of the least-squares errors (which are widened for the
    correlation), alpha 6.5 posterior widths off with no flag. The posterior is now widened
    about its median by the factor the global route takes, and says so."""
    import json
    import re
    import warnings

    folder = _write(tmp_path / "in", 3, rho=0.8)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                # a short chain: said in its flags
        assert main(["stfmr", str(folder), "--out", str(out), "--no-figures", "--mcmc",
                     "--mcmc-steps", "300", "--seed", "1"]) == 0
    s = json.loads((out / "summary.json").read_text())
    said = [n for n in s["mcmc"]["notes"] if "the posterior widths are widened by" in n]
    assert len(said) == 1
    factor = float(re.search(r"widened by ([0-9.]+)", said[0]).group(1))
    least = [n for n in s["notes"] if "the factor by which the branch fits' errors" in n]
    assert least and f"inflated by {factor:.3g}," in least[0] and factor > 1.5
    for name in ("alpha", "mu0_meff"):
        m = s["mcmc"][name]
        lo, med, hi = m["percentiles_16_50_84"]
        assert hi - med > 0 and med - lo > 0
        assert 0.4 < m["stderr"] / s["global"][name]["stderr"] < 2.5, (name, m, s["global"][name])
