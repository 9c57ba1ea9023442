"""A posterior cut by a bound of its prior is flagged.

The default prior of Re G is uniform on [0, 20] x 1e13 Ohm^-1 m^-2, a Sharvin conductance of
BiSb. A Pt series with Re G = 60e13 sampled under it gave Re G = 19.0 +- 1.0, sigma_s 12 and
lambda_s 7 standard deviations from the planted values, with a converged chain, exit 0 and no
flag. The least-squares fit of the same data (Re G = 66 +- 22) and a wider prior were right.
"""

import json

import numpy as np

from sotfit.cli import main
from sotfit.models.drift_diffusion import xi_e_dl

#: A CoFeB/Pt series: sigma_s (1e5 (hbar/2e) Ohm^-1 m^-1), lambda_s (nm), Re G (1e13 Ohm^-1 m^-2),
#: rho (uOhm cm).
PLANTED = {"spin_hall_conductivity": 4.0, "spin_diffusion_length": 1.8, "re_g_mix": 60.0,
           "resistivity": 40.0}


def _pt_series(path, seed=1):
    t = np.array([0.8, 1, 1.2, 1.5, 1.8, 2.2, 2.6, 3, 3.5, 4, 5, 6, 8, 10, 12, 15])
    xi = xi_e_dl(t, PLANTED["spin_hall_conductivity"], PLANTED["spin_diffusion_length"],
                 PLANTED["re_g_mix"], 0.0, PLANTED["resistivity"])
    err = 0.025 * xi + 0.01
    noisy = xi + np.random.default_rng(seed).normal(0, err)
    rows = "\n".join(f"{a:.4g},{b:.6g},{c:.4g}" for a, b, c in zip(t, noisy, err))
    path.write_text("# sample: CoFeB(1 nm)/Pt(t)\n# resistivity: 40 uOhm cm\n"
                    "thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),"
                    "xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n" + rows + "\n")
    return path


def _run(tmp_path, name, *extra):
    out = tmp_path / name
    assert main(["thickness", str(_pt_series(tmp_path / "pt.csv")), "--mcmc", "--walkers", "12",
                 "--steps", "800", "--seed", "2", "--out", str(out), "--no-figures",
                 *extra]) == 0
    return json.loads((out / "summary.json").read_text())


def _cut_flags(summary):
    return {k: [f for f in summary[k].get("flags", []) if "is cut by the upper bound" in f]
            for k in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix")}


def test_the_default_prior_cutting_a_metal_s_mixing_conductance_is_flagged(tmp_path):
    summary = _run(tmp_path, "default")
    assert summary["re_g_mix"]["value"] < 20.0         # what the cut prior gives
    flags = _cut_flags(summary)
    assert all(flags.values()), flags                    # every fitted value, not only G
    assert "uniform(0, 20) (the default" in flags["re_g_mix"][0]
    assert '--prior "re_g_mix=uniform(0, 200)"' in flags["re_g_mix"][0]


def test_a_prior_wide_enough_is_not_flagged_and_recovers_the_planted_values(tmp_path):
    summary = _run(tmp_path, "wide", "--prior", "re_g_mix=uniform(0, 500)")
    assert not any(_cut_flags(summary).values())
    for key in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix"):
        q = summary[key]
        assert abs(q["value"] - PLANTED[key]) < 3 * q["stderr"], (key, q)


def test_a_least_squares_value_beyond_the_prior_flags_wherever_the_draws_are():
    """A noisy Pt series (least squares Re G = 240 +- 310) sampled under the default prior went
    to a mode of Re G 10 and Im G 840, sigma_s 1.27 +- 0.02 for 4.0: the draws were nowhere near
    the bound 20, so a gate on draws piled at it said nothing. The least-squares value beyond the
    bound says it. Within the range (and the draws spread) there is nothing to say."""
    from types import SimpleNamespace

    from sotfit.analysis.thickness.summary import DEFAULT_RE_G_PRIOR, _cut_by_prior

    draws = np.random.default_rng(0).uniform(2.0, 17.0, 4000)     # far from both bounds
    post = SimpleNamespace(samples={"g": draws}, varied=["g"], priors={"g": DEFAULT_RE_G_PRIOR})

    def lsq(best, err):
        return SimpleNamespace(value=lambda n: best, stderr=lambda n: err)

    bounds = (0.0, np.inf)            # the model's own: Re G >= 0
    reason = _cut_by_prior(post, lsq(240.0, 310.0), "g", bounds, "1e13 Ohm^-1 m^-2", "re_g_mix")
    assert reason and "least squares gives 240 +/- 3.1e+02, beyond it" in reason
    assert '--prior "re_g_mix=uniform(0, 2.4e+03)"' in reason
    assert _cut_by_prior(post, lsq(9.0, 3.0), "g", bounds, "", "re_g_mix") is None


def _hardly(summary):
    return {k: [f for f in summary[k].get("flags", []) if "the data hardly constrain" in f]
            for k in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix")}


def test_a_prior_wide_enough_leaves_a_determined_conductance_unflagged(tmp_path):
    """The Pt series determines Re G (least squares 66 +- 22): under uniform(0, 500) its
    posterior is far narrower than the prior, and nothing says the prior set it."""
    summary = _run(tmp_path, "wide", "--prior", "re_g_mix=uniform(0, 500)")
    assert not any(_hardly(summary).values())


def test_a_conductance_the_data_do_not_constrain_is_flagged_with_what_follows_it(tmp_path):
    """Damping-like data of a transparent interface (Re G = 40, sigma_s 3.33, lambda_s 1.5 nm,
    rho 60): the transparency hardly depends on G there, so Re G fills any flat prior and
    sigma_s, correlated with it, follows the prior chosen (1.45 [1.40, 1.62] under
    uniform(0, 2000), 2.05 [1.83, 2.67] under uniform(0, 200), both converged and unflagged).
    Re G and the values correlated with it in the posterior are flagged, naming the parameter
    and its prior (with several interfaces, an unconstrained G of one flagged every value of
    the others too)."""
    path = tmp_path / "pt_dl.csv"       # one noisy realisation, xi = xi^E rho as a fraction
    path.write_text("# resistivity: 60 uOhm cm\nthickness (nm),xi_dl,xi_dl_err\n"
                    "1,0.01663,0.00162\n1.5,0.03312,0.00203\n2,0.04581,0.00238\n"
                    "2.5,0.05571,0.00266\n3,0.05837,0.00288\n4,0.07103,0.00318\n"
                    "5,0.07461,0.00334\n6,0.07792,0.00342\n8,0.08661,0.00349\n"
                    "10,0.08068,0.00351\n")
    out = tmp_path / "o"
    assert main(["thickness", str(path), "--mcmc", "--walkers", "16", "--steps", "3000", "--seed",
                 "2", "--prior", "re_g_mix=uniform(0, 2000)", "--out", str(out),
                 "--no-figures"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    flags = _hardly(summary)
    assert flags["re_g_mix"] and flags["spin_hall_conductivity"], flags   # sigma_s follows G
    assert "re_g_mix" in flags["spin_hall_conductivity"][0]
    assert "prior uniform(0, 2000)" in flags["spin_hall_conductivity"][0]


def test_the_spread_gate_compares_like_with_like():
    """A posterior filling its uniform prior has a spread share near 1 (flagged); one a tenth of
    the range wide, about 0.1 (not); a log-uniform prior is compared in the logarithm; a
    Gaussian (informative) prior is not judged."""
    from types import SimpleNamespace

    from sotfit.analysis.thickness.summary import _set_by_prior

    rng = np.random.default_rng(0)
    lsq = SimpleNamespace(value=lambda n: 1.0, stderr=lambda n: 1.0)

    def post(draws, prior):
        return SimpleNamespace(samples={"g": draws}, varied=["g"], priors={"g": prior})

    assert _set_by_prior(post(rng.uniform(0, 200, 4000), "uniform(0, 200)"), lsq, "g", "", "g")
    assert _set_by_prior(post(rng.normal(100, 6, 4000), "uniform(0, 200)"), lsq, "g", "",
                         "g") is None
    assert _set_by_prior(post(np.exp(rng.uniform(0, np.log(1e3), 4000)), "loguniform(1, 1000)"),
                         lsq, "g", "", "g")
    assert _set_by_prior(post(rng.uniform(1, 1000, 4000), "loguniform(1, 1000)"), lsq, "g", "",
                         "g") is None       # bunched at the top in the logarithm
    assert _set_by_prior(post(rng.normal(1, 0.1, 4000), "normal(1, 0.1)"), lsq, "g", "",
                         "g") is None


def test_a_loose_conductance_of_one_interface_flags_that_interface_alone(tmp_path):
    """The bundled BiSb series, NiFe and CoTb sampled jointly: CoTb's Re G fills its prior, but
    the flag also went on NiFe's well-determined Re G (0.0216 +- 0.0015), on sigma_s and
    lambda_s, and named no interface. It names the interface and goes on the values that move
    with it."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
    out = tmp_path / "o"
    assert main(["thickness", str(data / "nife_bisb.csv"), str(data / "cotb_bisb.csv"),
                 "--joint", "--mcmc", "--walkers", "32", "--steps", "2000", "--seed", "1",
                 "--out", str(out), "--no-figures"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    hardly = [f for f in summary["flags"] if "the data hardly constrain" in f["reason"]]
    assert hardly
    assert all("re_g_mix of Co72Tb28" in f["reason"] for f in hardly)
    nife = next(k for k in summary["interfaces"] if k.startswith("Ni"))
    assert not [f for f in summary["interfaces"][nife]["re_g_mix"].get("flags", [])
                if "hardly" in f]
