"""Thickness tables, summary.json inputs, the global problem and the `sotfit thickness` command."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from sotfit.analysis.thickness import build_problem, fit_thickness, summary_dict
from sotfit.cli import main
from sotfit.io.thickness import ThicknessError, from_summaries, read_thickness_table

DATA = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
NIFE_TRUTH = {"spin_hall_conductivity": 3.68, "spin_diffusion_length": 24.8, "re_g_mix": 0.023,
              "im_g_mix": 0.133}


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_example_tables():
    s = read_thickness_table(DATA / "nife_bisb.csv")
    assert s.resistivity == 350.3 and s.meta["resistivity_source"] == "header"
    assert "synthetic" in s.label and len(s.dl) == 14 and len(s.fl) == 14
    assert s.dl.x_unit == "nm" and s.dl.y_unit == "1e5 Ohm^-1 m^-1"
    assert np.all(s.fl.y < 0) and np.all(s.dl.yerr > 0)
    c = read_thickness_table(DATA / "cotb_bisb.csv")
    assert c.fl is None and len(c.dl) == 8


def test_units_and_dimensionless_columns_are_converted(tmp_path):
    # thickness in Angstrom, xi^E in S/m, a dimensionless xi_fl converted with rho
    p = write(tmp_path, "t.csv",
              "thickness (Ang),xi_e_dl (S/m),xi_e_dl_err (S/m),xi_fl,dxi_fl\n"
              "100,12000,1000,-0.05,0.005\n60,8000,1000,-0.03,0.004\n")
    s = read_thickness_table(p, resistivity=250.0)
    np.testing.assert_allclose(s.dl.x, [6.0, 10.0])          # sorted, nm
    np.testing.assert_allclose(s.dl.y, [0.08, 0.12])          # 1e5 Ohm^-1 m^-1
    np.testing.assert_allclose(s.dl.yerr, [0.01, 0.01])
    # xi = xi^E rho  ->  xi^E = xi / (rho * 1e-3)
    np.testing.assert_allclose(s.fl.y, np.array([-0.03, -0.05]) / 0.25)
    np.testing.assert_allclose(s.fl.yerr, np.array([0.004, 0.005]) / 0.25)
    assert s.meta["resistivity_source"] == "option"


def test_resistivity_from_a_column_and_option_precedence(tmp_path):
    p = write(tmp_path, "r.csv", "# resistivity: 100 uOhm cm\n"
              "t_nm, xi_e_dl (1e5 Ohm^-1 m^-1), xi_e_dl_stderr (1e5 Ohm^-1 m^-1), rho (Ohm m)\n"
              "5, 0.1, 0.01, 3.503e-6\n10, 0.2, 0.01, 3.503e-6\n")
    s = read_thickness_table(p)
    assert s.resistivity == pytest.approx(350.3) and "column" in s.meta["resistivity_source"]
    assert read_thickness_table(p, resistivity=200.0).resistivity == 200.0


@pytest.mark.parametrize("text,match", [
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n-2,0.1,0.01\n", r"negative thickness in data row\(s\) \[2\]"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1)\n5,0.1\n10,0.2\n",
     "no uncertainty column for 'xi_e_dl"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n10,0.2,0\n", r"zero or negative uncertainties in data row\(s\) \[2\]"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n10,0.2,\n", r"empty or non-finite cells in data row\(s\) \[2\]"),
    ("thickness,xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n5,0.1,0.01\n",
     "has no unit"),
    ("thickness (nm),xi_dl,xi_dl_stderr\n5,0.1,0.01\n", "resistivity is needed"),
    ("thickness (nm),xi_e_dl (T),xi_e_dl_stderr (T)\n5,0.1,0.01\n", "field unit"),
    ("thickness (nm),voltage (uV)\n5,0.1\n", "no efficiency column"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,abc,0.01\n", "non-numeric cells"),
])
def test_bad_tables(tmp_path, text, match):
    p = write(tmp_path, "bad.csv", text)
    with pytest.raises(ThicknessError, match=match) as err:
        read_thickness_table(p)
    assert "bad.csv" in str(err.value)


def _stfmr_summary(t, dl, edl, fl, efl):
    q = lambda v, e, u: {"value": v, "stderr": e, "unit": u}  # noqa: E731
    return {"analysis": "stfmr",
            "sample": {"t_nm": q(t, None, "nm"), "rho_nm": q(350.3, None, "uOhm cm")},
            "sequential": {"xi_e_dl": q(dl * 1.1, edl, "1e5 Ohm^-1 m^-1"),
                           "xi_e_fl": q(fl * 1.1, efl, "1e5 Ohm^-1 m^-1")},
            "global": {"xi_e_dl": q(dl, edl, "1e5 Ohm^-1 m^-1"),
                       "xi_e_fl": q(fl, efl, "1e5 Ohm^-1 m^-1"), "xi_dl": q(0.1, 0.01, "")}}


def test_from_stfmr_and_hall_summaries(tmp_path):
    ref = read_thickness_table(DATA / "nife_bisb.csv")
    paths = []
    for i in np.random.default_rng(0).permutation(len(ref.dl)):      # any file order
        p = tmp_path / f"s{i}" / "summary.json"
        p.parent.mkdir()
        p.write_text(json.dumps(_stfmr_summary(ref.dl.x[i], ref.dl.y[i], ref.dl.yerr[i],
                                               ref.fl.y[i], ref.fl.yerr[i])))
        paths.append(p)
    s = from_summaries(paths, label="NiFe/BiSb")
    np.testing.assert_allclose(s.dl.x, ref.dl.x)
    np.testing.assert_allclose(s.dl.y, ref.dl.y)
    np.testing.assert_allclose(s.fl.yerr, ref.fl.yerr)
    assert s.resistivity == 350.3 and set(s.dl.meta["sections"]) == {"global"}
    seq = from_summaries(paths, section="sequential")
    np.testing.assert_allclose(seq.dl.y, 1.1 * ref.dl.y)
    # hall-style files: dimensionless xi_dl under "quantities", thickness given by the user
    hp = []
    for k, t in enumerate((6.0, 10.0, 20.0)):
        p = tmp_path / f"h{k}.json"
        p.write_text(json.dumps({"method": "oop", "quantities": {
            "xi_dl": {"value": 0.1 * (k + 1), "stderr": 0.02, "unit": ""}}}))
        hp.append(p)
    h = from_summaries(hp, thickness=["6nm", "1e-8 m", 20], resistivity=350.3)
    np.testing.assert_allclose(h.dl.x, [6, 10, 20])
    np.testing.assert_allclose(h.dl.y, np.array([0.1, 0.2, 0.3]) / 0.3503)
    assert h.fl is None
    with pytest.raises(ThicknessError, match="no t_nm"):
        from_summaries(hp)
    with pytest.raises(ThicknessError, match="resistivity is needed"):
        from_summaries(hp, thickness=[6, 10, 20])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"sample": {"t_nm": 5}, "quantities": {
        "xi_e_dl": {"value": 0.1, "stderr": None, "unit": "1e5 Ohm^-1 m^-1"}}}))
    with pytest.raises(ThicknessError, match="bad.json: quantities/xi_e_dl has no usable stderr"):
        from_summaries([bad])


def test_global_problem_on_the_example_recovers_the_published_parameters():
    nife = read_thickness_table(DATA / "nife_bisb.csv", label="NiFe/BiSb")
    cotb = read_thickness_table(DATA / "cotb_bisb.csv", label="CoTb/BiSb")
    pr = build_problem([nife, cotb])
    assert pr.fixed == {"resistivity": 350.3, "im_g_mix_2": 0.0}
    assert pr.exprs == {"re_g_mix_1": "re_g_mix_0", "im_g_mix_1": "im_g_mix_0"}
    r = fit_thickness(pr)
    truth = dict(NIFE_TRUTH, re_g_mix_0=0.023, im_g_mix_0=0.133)
    for k in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix_0", "im_g_mix_0"):
        assert abs(r.value(k) - truth[k]) < 3 * r.stderr(k), k
    # Re G of CoTb/BiSb (g = 12, near the perfect sink) is only bounded from below by these data
    assert r.value("re_g_mix_2") - 2 * r.stderr("re_g_mix_2") < 7.11
    s = summary_dict(pr, r)
    assert s["re_g_mix"]["unit"] == "1e13 Ohm^-1 m^-2"
    assert s["interfaces"]["CoTb/BiSb"]["im_g_mix_fixed"] is True
    with pytest.raises(ValueError, match="disagree on the resistivity"):
        build_problem([nife, read_thickness_table(DATA / "cotb_bisb.csv", resistivity=300.0)])


def test_cli_least_squares(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["thickness", str(DATA / "nife_bisb.csv"), "--joint", "--rho", "350.3uOhmcm",
                 "--out", str(out)])
    assert code == 0
    s = json.loads((out / "summary.json").read_text())
    units = {"re_g_mix": "1e13 Ohm^-1 m^-2", "im_g_mix": "1e13 Ohm^-1 m^-2",
             "spin_diffusion_length": "nm", "spin_hall_conductivity": "1e5 (hbar/2e) Ohm^-1 m^-1"}
    for k, u in units.items():
        assert set(s[k]) >= {"value", "stderr", "unit"} and s[k]["unit"] == u
        assert abs(s[k]["value"] - NIFE_TRUTH[k]) < 3 * s[k]["stderr"], k
    assert (out / "fit.png").is_file()
    assert "spin_diffusion_length" in capsys.readouterr().out
    # never overwrite silently
    assert main(["thickness", str(DATA / "nife_bisb.csv"), "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_cli_mcmc_writes_chain_corner_and_percentiles(tmp_path, capsys):
    out = tmp_path / "mc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["thickness", str(DATA / "nife_bisb.csv"), "--joint", "--mcmc", "--walkers",
                     "12", "--steps", "400", "--seed", "3", "--prior",
                     "spin_diffusion_length=uniform(1, 100)", "--out", str(out)])
    assert code == 0
    s = json.loads((out / "summary.json").read_text())
    for k in ("re_g_mix", "im_g_mix", "spin_diffusion_length", "spin_hall_conductivity"):
        assert s[k]["p16"] <= s[k]["p50"] <= s[k]["p84"] and s[k]["value"] == s[k]["p50"]
    assert s["mcmc"]["priors"]["spin_diffusion_length"] == "uniform(1, 100)"
    assert s["mcmc"]["seed"] == 3 and s["mcmc"]["converged"] is False
    assert "autocorrelation" in capsys.readouterr().err
    with np.load(out / "chain.npz") as z:
        assert z["chain"].shape == (400, 12, 4)
    assert (out / "corner.png").is_file() and (out / "fit.png").is_file()


def test_cli_bad_arguments(tmp_path, capsys):
    f = str(DATA / "nife_bisb.csv")
    assert main(["thickness", f, "--mcmc", "--prior", "lambda=cauchy(1,2)", "--out",
                 str(tmp_path / "a")]) == 2
    assert "unknown prior" in capsys.readouterr().err
    assert main(["thickness", f, "--prior", "x=uniform(0,1)", "--out", str(tmp_path / "b")]) == 2
    assert "--prior needs --mcmc" in capsys.readouterr().err
    assert main(["thickness", str(tmp_path / "none.csv"), "--out", str(tmp_path / "c")]) == 2
    assert "not found" in capsys.readouterr().err
