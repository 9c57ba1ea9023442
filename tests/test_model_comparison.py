"""Mechanism comparison (AIC, BIC, PSIS-LOO) on planted thickness series."""

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sotfit.analysis import model_comparison as mc
from sotfit.analysis.model_comparison import compare_mechanisms, information_criteria
from sotfit.analysis.thickness import build_problem, fit_thickness, sample_thickness
from sotfit.cli import main
from sotfit.models.interface.specs import barrier_mixing_complex, delta_mixing_grid

sys.path.insert(0, str(Path(__file__).parent))
from test_thickness_microscopic import planted_series  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
MECHS = ("drift-diffusion", "interface-barrier", "interface-delta")
#: a spin source with a smaller g = 2 lambda_s rho G, where a G of order 1 still shows
THIN_SOURCE = dict(spin_hall_conductivity=3.0, spin_diffusion_length=10.0, resistivity=100.0)
T_THIN = np.array([2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40.0])


def _fits(series, mechanisms=MECHS, post=False, **kw):
    out = {}
    for m in mechanisms:
        pr = build_problem(series, model=m)
        lsq = fit_thickness(pr)
        p = None
        if post:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p = sample_thickness(pr, lsq, **kw)
        out[m] = (pr, lsq, p)
    return out


def test_information_criteria_use_the_full_gaussian_likelihood():
    s = planted_series(0.3 + 0.4j, seed=0)
    pr = build_problem(s)
    lsq = fit_thickness(pr)
    ic = information_criteria(pr, lsq)
    e = np.concatenate([d.yerr for d in pr.datasets])
    lnl = -0.5 * lsq.chisqr - np.sum(np.log(e)) - 0.5 * e.size * np.log(2 * np.pi)
    assert ic["log_likelihood"] == pytest.approx(lnl, rel=1e-12)
    assert ic["aic"] == pytest.approx(2 * 4 - 2 * lnl) and ic["k"] == 4 and ic["ndata"] == 28
    assert ic["bic"] == pytest.approx(4 * np.log(28) - 2 * lnl)


@pytest.mark.slow
def test_comparison_picks_the_barrier_where_the_delta_barrier_cannot_reach_g():
    """Truth: the barrier at seed 003's Fig. 4 setting, (delta_t, J) = (0, 0.1) eV, G = 0.40 -
    2.39i; the delta barrier (k_F = 3/nm) reaches |Im G| <= 1.6 only. The comparison keeps
    the barrier (and drift-diffusion, which reaches any G) and disfavours the delta barrier."""
    g = complex(barrier_mixing_complex(0.1, 0.0))
    s = planted_series(g, seed=1, t=T_THIN, source=THIN_SOURCE)
    table = compare_mechanisms(_fits(s))
    print(table["verdict"], [(r["mechanism"], r["d_aic"], r["d_aic_se"]) for r in table["rows"]])
    assert table["criterion"] == "aic"
    assert "interface-barrier" in table["preferred"]
    assert table["disfavoured"] == ["interface-delta"]
    assert "interface-delta is disfavoured" in table["verdict"]
    row = {r["mechanism"]: r for r in table["rows"]}
    assert row["interface-delta"]["d_aic"] > 2 * row["interface-delta"]["d_aic_se"] > 0


def test_comparison_picks_the_delta_barrier_where_the_barrier_cannot_reach_g():
    """Truth: the delta barrier (u0, u_ex) = (3, 1), G = 0.23 + 0.39i, far from the
    total-reflection curve near which the Fig. 4 barrier stays: the barrier is disfavoured."""
    g = complex(delta_mixing_grid(3.0, 1.0, 0.0, 3.0))
    s = planted_series(g, seed=0)
    table = compare_mechanisms(_fits(s))
    print(table["verdict"])
    assert "interface-delta" in table["preferred"]
    assert table["disfavoured"] == ["interface-barrier"]


@pytest.mark.slow
def test_comparison_says_not_distinguishable_when_every_mechanism_fits(tmp_path, capsys):
    """Seed 003's NiFe/BiSb series: G = 0.023 + 0.133i is reached by the barrier (with the weak
    coupling t_c = 0.2 t0) and by the delta barrier, so the three fit equally well."""
    out = tmp_path / "cmp"
    code = main(["thickness", str(DATA / "nife_bisb.csv"), "--joint", "--compare-models",
                 ",".join(MECHS), "--t-c", "0.2eV", "--out", str(out)])
    assert code == 0
    s = json.loads((out / "summary.json").read_text())
    table = s["model_comparison"]
    assert table["verdict"].startswith("not distinguishable")
    assert sorted(table["preferred"]) == sorted(MECHS) and not table["disfavoured"]
    assert {r["mechanism"] for r in table["rows"]} == set(MECHS)
    for r in table["rows"]:
        assert abs(r["d_aic"]) < 1e-3 and {"aic", "bic", "d_aic_se", "k"} <= set(r)
    assert set(s["models"]) == set(MECHS) - {table["best"]}
    assert s["mechanism"] == table["best"] and "re_g_mix" in s
    text = capsys.readouterr().out
    assert "model comparison:" in text and "verdict: not distinguishable" in text
    for m in MECHS:
        assert (out / f"fit_{m}.png").is_file()
    assert (out / "identifiability_interface-barrier.png").is_file()
    # usage errors
    assert main(["thickness", str(DATA / "nife_bisb.csv"), "--model", "interface-delta",
                 "--compare-models", "drift-diffusion,interface-delta",
                 "--out", str(tmp_path / "x")]) == 2
    with pytest.raises(SystemExit) as exc:      # refused by the argument parser
        main(["thickness", str(DATA / "nife_bisb.csv"), "--compare-models",
              "drift-diffusion,spin-pumping", "--out", str(tmp_path / "y")])
    assert exc.value.code == 2 and "spin-pumping' is not a mechanism" in capsys.readouterr().err
    assert main(["thickness", str(DATA / "nife_bisb.csv"), "--compare-models",
                 "drift-diffusion,interface-delta", "--fix", "bogus=1",
                 "--out", str(tmp_path / "z")]) == 2
    assert "none of" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not mc.arviz_available(), reason="ArviZ not installed")
def test_psis_loo_with_posteriors():
    """With posteriors the ranking is PSIS-LOO (ArviZ): elpd, its standard error, p_loo and the
    standard error of each difference. Barrier data (G = 0.40 - 2.39i) that the delta barrier
    cannot reach: drift-diffusion kept, the delta barrier disfavoured out of sample too."""
    g = complex(barrier_mixing_complex(0.1, 0.0))
    s = planted_series(g, seed=1, t=T_THIN, source=THIN_SOURCE)
    fits = _fits(s, ("drift-diffusion", "interface-delta"), post=True, nwalkers=16,
                 nsteps=1500, seed=2)
    table = compare_mechanisms(fits)
    rows = {r["mechanism"]: r for r in table["rows"]}
    print({m: (r["elpd_loo"], r["elpd_loo_se"], r["d_elpd_loo"], r["d_elpd_loo_se"], r["p_loo"])
           for m, r in rows.items()})
    assert table["criterion"] == "loo" and table["best"] == "drift-diffusion"
    for r in rows.values():
        assert {"elpd_loo", "elpd_loo_se", "p_loo", "d_elpd_loo", "d_elpd_loo_se",
                "pareto_k_max", "loo_weight"} <= set(r)
        assert r["elpd_loo_se"] > 0 and r["p_loo"] > 0
    # four parameters, well determined: p_loo close to 4 for drift-diffusion
    assert 2 < rows["drift-diffusion"]["p_loo"] < 7
    assert table["disfavoured"] == ["interface-delta"]
    d = rows["interface-delta"]
    assert d["d_elpd_loo"] > max(4, 2 * d["d_elpd_loo_se"])
    assert "interface-delta is disfavoured" in table["verdict"] and "elpd_loo" in table["verdict"]
    # the same fits without ArviZ: AIC and BIC only, and the table says why
    real = mc._arviz
    try:
        mc._arviz = lambda: None
        t2 = compare_mechanisms(fits)
    finally:
        mc._arviz = real
    assert t2["criterion"] == "aic" and any("ArviZ" in n for n in t2["notes"])
    assert "elpd_loo" not in t2["rows"][0] and t2["disfavoured"] == ["interface-delta"]


@pytest.mark.slow
@pytest.mark.skipif(not mc.arviz_available(), reason="ArviZ not installed")
def test_psis_loo_three_mechanisms_long_chains():
    """All three mechanisms with converged chains (32 walkers x 6000 steps; minutes)."""
    g = complex(delta_mixing_grid(3.0, 1.0, 0.0, 3.0))
    s = planted_series(g, seed=0)
    fits = _fits(s, post=True, nwalkers=32, nsteps=6000, seed=2)
    table = compare_mechanisms(fits)
    rows = {r["mechanism"]: r for r in table["rows"]}
    print({m: (r["elpd_loo"], r["elpd_loo_se"], r["d_elpd_loo"], r["d_elpd_loo_se"], r["p_loo"],
               fits[m][2].converged) for m, r in rows.items()})
    assert "interface-delta" in table["preferred"]
    assert table["disfavoured"] == ["interface-barrier"]


def test_comparison_refuses_different_data():
    a = planted_series(0.3 + 0.4j, seed=0)
    b = planted_series(0.3 + 0.4j, seed=1)
    pa, pb = build_problem(a), build_problem(b, model="interface-delta")
    with pytest.raises(ValueError, match="same data"):
        compare_mechanisms({"drift-diffusion": (pa, fit_thickness(pa), None),
                            "interface-delta": (pb, fit_thickness(pb), None)})
