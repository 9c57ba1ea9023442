"""Thickness tables, summary.json inputs, the global problem and the `sotfit thickness` command."""

import json
import math
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


def test_resistivity_from_a_column_and_an_option_that_must_agree(tmp_path):
    """The option replaced what the file writes without a word: a dimensionless series made
    with 350.3 uOhm cm read with --rho 200 gave sigma_s and G 75 % high. An option (or a
    header line) that disagrees with the file's one resistivity is an error now."""
    table = ("t_nm, xi_e_dl (1e5 Ohm^-1 m^-1), xi_e_dl_stderr (1e5 Ohm^-1 m^-1), rho (Ohm m)\n"
             "5, 0.1, 0.01, 3.503e-6\n10, 0.2, 0.01, 3.503e-6\n")
    p = write(tmp_path, "r.csv", table)
    s = read_thickness_table(p)
    assert s.resistivity == pytest.approx(350.3) and "column" in s.meta["resistivity_source"]
    assert read_thickness_table(p, resistivity=350.3).resistivity == 350.3
    with pytest.raises(ThicknessError, match=r"--rho \(200 uOhm cm\) disagrees with the "
                                             r"file's column 'rho \(Ohm m\)' \(350.3"):
        read_thickness_table(p, resistivity=200.0)
    both = write(tmp_path, "both.csv", "# resistivity: 100 uOhm cm\n" + table)
    with pytest.raises(ThicknessError, match="header entry 'resistivity' \\(100 uOhm cm\\)"):
        read_thickness_table(both)
    header = write(tmp_path, "h.csv", "# resistivity: 350.3 uOhm cm\n"
                   "t_nm, xi_dl, xi_dl_stderr\n5, 0.1, 0.01\n10, 0.2, 0.01\n")
    assert read_thickness_table(header).resistivity == pytest.approx(350.3)
    with pytest.raises(ThicknessError, match="disagrees with the file's header entry"):
        read_thickness_table(header, resistivity=200.0)


@pytest.mark.parametrize("text,match", [
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n-2,0.1,0.01\n", r"negative thickness on line 3$"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1)\n5,0.1\n10,0.2\n",
     "no uncertainty column for 'xi_e_dl"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n10,0.2,0\n", r"zero or negative uncertainties on line 3$"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n10,0.2,\n", r"column 'xi_e_dl \(1e5 Ohm\^-1 m\^-1\)' has a value on line 3 "
     r"where column 'xi_e_dl_stderr \(1e5 Ohm\^-1 m\^-1\)' has none"),
    ("thickness,xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n5,0.1,0.01\n",
     "has no unit"),
    ("thickness (nm),xi_dl,xi_dl_stderr\n5,0.1,0.01\n", "resistivity is needed"),
    ("thickness (nm),xi_e_dl (T),xi_e_dl_stderr (T)\n5,0.1,0.01\n", "field unit"),
    ("thickness (nm),voltage (uV)\n5,0.1\n", "no efficiency column"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,abc,0.01\n", r"holds text that is not a number on line 2 \('abc'\)"),
])
def test_bad_tables(tmp_path, text, match):
    p = write(tmp_path, "bad.csv", text)
    with pytest.raises(ThicknessError, match=match) as err:
        read_thickness_table(p)
    assert "bad.csv" in str(err.value)


def test_a_control_row_of_no_spin_source_is_read(tmp_path):
    """A row at 0 nm is a control without the spin source, where the drift-diffusion model
    gives no torque (xi = 0 at t = 0): read, not refused; a negative thickness is refused."""
    p = write(tmp_path, "series.csv",
              "# resistivity: 350.3 uOhm cm\n"
              "thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
              "0,0.0002,0.003\n5,0.1,0.01\n10,0.2,0.01\n")
    series = read_thickness_table(p)
    assert list(series.dl.x) == [0.0, 5.0, 10.0]


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


def test_global_problem_on_the_example_recovers_the_published_parameters(tmp_path):
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
    other = tmp_path / "cotb_300.csv"
    other.write_text((DATA / "cotb_bisb.csv").read_text().replace("# resistivity: 350.3",
                                                                   "# resistivity: 300"))
    with pytest.raises(ValueError, match="disagree on the resistivity") as info:
        build_problem([nife, read_thickness_table(other)])
    # the way through is said (it said 'give it explicitly', and --rho was then refused for
    # disagreeing with the headers)
    assert "350.3" in str(info.value) and "300" in str(info.value)
    assert "--rho cannot replace them; fit the series one at a time" in str(info.value)


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


# ----------------------------------------------------------------------------- sanity gates

MAIN = ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix", "im_g_mix")


def _scaled_copy(src: Path, dst: Path, factor: float) -> Path:
    """A copy of a thickness table with every error column divided by ``factor``."""
    lines = src.read_text(encoding="utf-8").splitlines()
    out, names = [], None
    for line in lines:
        if line.startswith("#") or not line.strip():
            out.append(line)
        elif names is None:
            names = line.split(",")
            out.append(line)
        else:
            cells = line.split(",")
            out.append(",".join(f"{float(c) / factor:.6g}" if "stderr" in n else c
                                for c, n in zip(cells, names)))
    dst.write_text("\n".join(out) + "\n", encoding="utf-8")
    return dst


def test_understated_errors_are_flagged_and_birge_scaled(tmp_path, capsys):
    files = [_scaled_copy(DATA / n, tmp_path / n, 30.0) for n in ("nife_bisb.csv", "cotb_bisb.csv")]
    out = tmp_path / "out"
    assert main(["thickness", *map(str, files), "--joint", "--no-figures", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    s = json.loads((out / "summary.json").read_text())
    redchi = s["least_squares"]["redchi"]
    assert redchi > 500                                    # 30x understated: 0.81 * 900
    assert s["least_squares"]["birge_ratio"] == pytest.approx(math.sqrt(redchi))
    flagged = {f["quantity"] for f in s["flags"] if "reduced chi-square" in f["reason"]}
    assert set(MAIN) <= flagged
    reason = s["spin_diffusion_length"]["flags"][0]
    assert "errors are understated" in reason and "model misses the data" in reason
    assert "scaled" in reason
    # the standard errors are the raw least-squares ones times sqrt(redchi) ...
    pr = build_problem([read_thickness_table(f) for f in files])
    raw = fit_thickness(pr)
    for k in ("spin_hall_conductivity", "spin_diffusion_length"):
        assert s[k]["stderr"] == pytest.approx(raw.stderr(k) * math.sqrt(redchi), rel=1e-9)
    # ... which brings them back near the errors of the honest data (sqrt(0.81) = 0.9 of them)
    honest = fit_thickness(build_problem([read_thickness_table(DATA / "nife_bisb.csv"),
                                          read_thickness_table(DATA / "cotb_bisb.csv")]))
    assert s["spin_diffusion_length"]["stderr"] == pytest.approx(
        honest.stderr("spin_diffusion_length"), rel=0.15)
    assert "flags (" in printed and "reduced chi-square" in printed and "Birge" in printed
    # --strict turns the flags into exit status 3
    assert main(["thickness", *map(str, files), "--joint", "--no-figures", "--strict",
                 "--out", str(tmp_path / "strict")]) == 3
    # the posterior takes the stated errors as exact: flagged as too narrow, not scaled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["thickness", *map(str, files), "--joint", "--mcmc", "--walkers", "12",
                     "--steps", "200", "--no-figures", "--out", str(tmp_path / "mc")]) == 0
    s = json.loads((tmp_path / "mc" / "summary.json").read_text())
    for k in MAIN:
        assert any("posterior takes the stated errors as exact" in r and "too narrow" in r
                   for r in s[k]["flags"]), k


@pytest.mark.parametrize("files", [("nife_bisb.csv",), ("nife_bisb.csv", "cotb_bisb.csv")])
def test_bundled_examples_carry_no_flags_and_unchanged_errors(tmp_path, files):
    """NiFe/BiSb carries no flag. With CoTb/BiSb (g = 12, near the perfect sink) beside it,
    CoTb's Re G (least squares 1.8 +/- 1.7 for a planted 7.11, 3.1 standard errors) is flagged,
    and it alone: held at 16.5 the chi-square rises by 1.2, where its error bar says 72; the data
    bound it from below only (docs/thickness.md, Identifiability)."""
    out = tmp_path / "out"
    assert main(["thickness", *(str(DATA / f) for f in files), "--joint", "--no-figures",
                 "--strict", "--out", str(out)]) == (0 if len(files) == 1 else 3)
    s = json.loads((out / "summary.json").read_text())
    if len(files) == 1:
        assert s["flags"] == []
    else:
        cotb = next(k for k in s["interfaces"] if k.startswith("Co"))
        assert {f["quantity"] for f in s["flags"]} == {f"interfaces.{cotb}.re_g_mix"}
        assert all(f["reason"].startswith("linearised standard error not meaningful")
                   for f in s["flags"])
    assert s["least_squares"]["redchi"] < 1
    assert s["least_squares"]["birge_ratio"] == 1.0
    raw = fit_thickness(build_problem([read_thickness_table(DATA / f) for f in files]))
    for k in ("spin_hall_conductivity", "spin_diffusion_length"):
        assert s[k]["value"] == raw.value(k) and s[k]["stderr"] == raw.stderr(k)


def test_bounds_undetermined_errors_and_unphysical_values_are_flagged():
    from sotfit.data import Dataset
    from sotfit.flags import collect_flags
    from sotfit.io.thickness import ThicknessSeries
    from sotfit.models.drift_diffusion import xi_e_dl

    # CoTb/BiSb alone (DL only, near the perfect sink): Re G runs to the upper bound 1e4
    cotb = build_problem(read_thickness_table(DATA / "cotb_bisb.csv"), joint=False)
    s = summary_dict(cotb, fit_thickness(cotb))
    reasons = " | ".join(s["re_g_mix"]["flags"])
    assert "at its bound 10000" in reasons and "data do not determine it" in reasons
    # lambda_s = 13 +/- 15 nm is conditional on that bound: from the perfect sink to an opaque
    # interface (g = 0.01) the chi-square rises by 0.36 while lambda_s goes to 96 nm
    (reason,) = s["spin_diffusion_length"]["flags"]
    assert reason.startswith("linearised standard error not meaningful")
    # NiFe/BiSb DL only with Im G = 0: the covariance cannot be estimated
    nife = build_problem(read_thickness_table(DATA / "nife_bisb.csv"), joint=False)
    s = summary_dict(nife, fit_thickness(nife))
    flags = collect_flags(s)
    assert any(f["quantity"] == "spin_diffusion_length" and "not finite" in f["reason"]
               for f in flags)
    assert any("least-squares fit not reliable" in r for r in s["spin_hall_conductivity"]["flags"])
    # negative Re G (possible only with widened bounds) is unphysical
    t = np.array([4, 6, 8, 10, 14, 20, 30, 45, 60.0])
    y = xi_e_dl(t, 3.0, 20.0, -0.02, 0.0, 350.3)
    d = Dataset(t, y, 0.02 * np.abs(y) + 1e-3, x_name="thickness", y_name="xi_e_dl",
                x_unit="nm", y_unit="1e5 Ohm^-1 m^-1", meta={"source": "neg.csv"})
    neg = build_problem(ThicknessSeries(d, None, 350.3, "neg"), joint=False)
    bounds = {"re_g_mix": (-1.0, 1.0), "spin_hall_conductivity": (0.0, 100.0)}
    s = summary_dict(neg, fit_thickness(neg, bounds=bounds), bounds=bounds)
    assert s["re_g_mix"]["value"] < 0
    assert any("unphysical" in r and "cannot be negative" in r for r in s["re_g_mix"]["flags"])
    assert not s["spin_diffusion_length"].get("flags")


def test_mcmc_reports_diagnostics_flags_and_progress(tmp_path, monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    out = tmp_path / "mc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["thickness", str(DATA / "nife_bisb.csv"), "--joint", "--mcmc", "--walkers",
                     "12", "--steps", "300", "--seed", "3", "--no-figures", "--out", str(out)])
    assert code == 0
    assert "sampling [" in err.getvalue() and "300/300" in err.getvalue()
    s = json.loads((out / "summary.json").read_text())
    diag = s["mcmc"]["diagnostics"]
    sampled = {"spin_hall_conductivity", "spin_diffusion_length", "re_g_mix_0", "im_g_mix_0"}
    assert set(diag["autocorr_time"]) == set(diag["chain_over_tau"]) == sampled
    for k in sampled:
        assert diag["chain_over_tau"][k] == pytest.approx(300 / diag["autocorr_time"][k])
    assert diag["converged"] is False and "autocorrelation times long" in diag["reasons"][0]
    assert {"mean", "min", "max"} <= set(diag["acceptance_fraction"])
    for k in MAIN:
        assert any("MCMC (emcee) not converged" in r for r in s[k]["flags"]), k
    # not a terminal: no progress bar
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["thickness", str(DATA / "nife_bisb.csv"), "--joint", "--mcmc", "--walkers",
                     "12", "--steps", "100", "--no-figures", "--out", str(tmp_path / "q")]) == 0
    import sys

    assert "sampling [" not in sys.stderr.getvalue()


def test_duplicate_inputs_are_refused(tmp_path, capsys):
    f = DATA / "nife_bisb.csv"
    same = DATA.parent / "thickness_example" / ".." / "thickness_example" / "nife_bisb.csv"
    copy = tmp_path / "copy.csv"
    copy.write_bytes(f.read_bytes())
    for second, what in ((f, "are the same file"), (same, "are the same file"),
                         (copy, "identical content")):
        code = main(["thickness", str(f), str(second), "--no-figures", "--out",
                     str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert code == 2 and what in err and str(f) in err and str(second) in err
    # summary.json inputs: the same file twice
    p = tmp_path / "s6.json"
    p.write_text(json.dumps(_stfmr_summary(6.0, 0.3, 0.01, -0.1, 0.01)))
    with pytest.raises(ThicknessError, match="s6.json and .*s6.json are the same file"):
        from_summaries([p, p])
    # two series with one label would hide one interface; identical data would count twice
    a = read_thickness_table(f)
    with pytest.raises(ValueError, match="labelled"):
        build_problem([a, read_thickness_table(copy, label=a.label)])
    with pytest.raises(ValueError, match="identical data"):
        build_problem([a, read_thickness_table(copy, label="other")])


@pytest.mark.parametrize("text,match", [
    ("", "no table: the file is empty"),
    ("# resistivity: 350 uOhm cm\n\n", "only blank or '#' comment lines"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n",
     "no data rows under the header"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01,7\n8,0.2,0.01,7\n", "more cells than the header has column names"),
    ("xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n0.1,0.01\n",
     "no thickness column"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n8,nan,0.01\n", r"column 'xi_e_dl_stderr \(1e5 Ohm\^-1 m\^-1\)' has a value "
     r"on line 3 where column 'xi_e_dl \(1e5 Ohm\^-1 m\^-1\)' has none"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n8,0.2,inf\n", r"column 'xi_e_dl_stderr \(1e5 Ohm\^-1 m\^-1\)' has "
     r"non-finite cells \(inf\) on line 3$"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "-inf,0.1,0.01\n8,0.2,0.01\n", r"column 'thickness \(nm\)' has non-finite "
     r"cells \(inf\) on line 2$"),
    ("thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
     "5,0.1,0.01\n8,0.2,-0.01\n", r"column 'xi_e_dl_stderr \(1e5 Ohm\^-1 m\^-1\)' has zero or "
     r"negative uncertainties on line 3$"),
])
def test_malformed_tables_name_file_column_and_row(tmp_path, text, match):
    p = write(tmp_path, "bad.csv", text)
    with pytest.raises(ThicknessError, match=match) as err:
        read_thickness_table(p)
    assert str(p) in str(err.value)


def test_unreadable_inputs_name_the_file(tmp_path, capsys):
    b = tmp_path / "binary.csv"
    b.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ThicknessError, match="binary.csv: not a text table"):
        read_thickness_table(b)
    inf = tmp_path / "inf.json"
    inf.write_text(json.dumps(_stfmr_summary(6.0, float("inf"), 0.01, -0.1, 0.01)))
    with pytest.raises(ThicknessError, match=r"inf.json: global/xi_e_dl has no finite value"):
        from_summaries([inf])
    j = tmp_path / "list.json"
    j.write_text("[1, 2]")
    with pytest.raises(ThicknessError, match="list.json: not a sotfit summary"):
        from_summaries([j])
    one = write(tmp_path, "one.csv", "thickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),"
                "xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n5,0.1,0.01\n")
    assert main(["thickness", str(one), "--rho", "350uOhmcm", "--no-figures", "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "one.csv: every point is at 5 nm; a thickness series needs two thicknesses" in err
    assert "cannot determine" not in err


def test_cli_fix_and_prior_names_and_values(tmp_path, capsys):
    f, c = str(DATA / "nife_bisb.csv"), str(DATA / "cotb_bisb.csv")

    def run(*extra):
        code = main(["thickness", f, c, *extra, "--no-figures", "--out", str(tmp_path / "o")])
        return code, capsys.readouterr().err

    code, err = run("--fix", "bogus=1")
    assert code == 2 and "--fix 'bogus'" in err
    assert "valid names: spin_hall_conductivity, spin_diffusion_length" in err and "g_sf" in err
    code, err = run("--fix", "spin_diffusion_length=-5")
    assert code == 2 and "outside its range [0.001, 10000] nm" in err
    code, err = run("--fix", "re_g_mix=-0.5")
    assert code == 2 and "re_g_mix = -0.5" in err and "outside its range" in err
    code, err = run("--joint", "--fix", "re_g_mix_1=0.1")
    assert code == 2 and "tied to re_g_mix_0" in err
    with pytest.raises(SystemExit) as exc:  # refused by the argument parser
        run("--fix", "g_sf=abc")
    assert exc.value.code == 2 and "'abc' is not a number" in capsys.readouterr().err
    code, err = run("--mcmc", "--prior", "bogus=uniform(0, 1)")
    assert code == 2 and "--prior 'bogus'" in err and "spin_diffusion_length" in err
    code, err = run("--mcmc", "--prior", "im_g_mix=uniform(0, 1)")
    assert code == 2 and "im_g_mix is fixed" in err
    code, err = run("--mcmc", "--walkers", "4")
    assert code == 2 and "--walkers 4 is too few for the 4 sampled parameters" in err
    # API: a fixed value outside the range would be clipped to the bound without a word
    with pytest.raises(ValueError, match="outside its range"):
        build_problem(read_thickness_table(DATA / "nife_bisb.csv"),
                      fixed={"spin_diffusion_length": -5.0})


def _foreign(src: Path, dst: Path) -> Path:
    """The bundled table with a lab's own column names: no units, other spellings, ';'."""
    text = src.read_text().splitlines()
    rename = {"thickness (nm)": "t_nm", "xi_e_dl (1e5 Ohm^-1 m^-1)": "xi_dl_E_1e5_ohm-1_m-1",
              "xi_e_dl_stderr (1e5 Ohm^-1 m^-1)": "xi_dl_E_err",
              "xi_e_fl (1e5 Ohm^-1 m^-1)": "FL per E", "xi_e_fl_stderr (1e5 Ohm^-1 m^-1)": "FL err"}
    out = []
    for line in text:
        if line.startswith("thickness"):
            line = ",".join(rename[c] for c in line.split(","))
        out.append(line.replace(",", ";") if not line.startswith("#") else line)
    dst.write_text("\n".join(out) + "\n")
    return dst


def test_foreign_column_names_through_column_options(tmp_path, capsys):
    """A table with a lab's own column names runs with --column/--column-unit (or a --format
    profile) and gives exactly the numbers of the bundled table, which recover the planted
    values of seed 003 within 2 sigma."""
    nife = _foreign(DATA / "nife_bisb.csv", tmp_path / "nife_lab.csv")
    cotb = _foreign(DATA / "cotb_bisb.csv", tmp_path / "cotb_lab.csv")
    opts = ["--column", "thickness=t_nm", "--column", "xi_e_dl=xi_dl_E_1e5_ohm-1_m-1",
            "--column", "xi_e_dl_err=xi_dl_E_err", "--column", "xi_e_fl=FL per E",
            "--column", "xi_e_fl_err=FL err", "--column-unit", "thickness=nm",
            "--column-unit", "xi_e_dl=1e5/Ohm/m", "--column-unit", "xi_e_fl=1e5/Ohm/m"]
    # without the options: an error that names the file and the option that fixes it
    code = main(["thickness", str(nife), "--no-figures", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2 and "nife_lab.csv" in err and "--column xi_e_dl=NAME" in err
    assert main(["thickness", str(nife), str(cotb), "--joint", *opts, "--no-figures",
                 "--out", str(tmp_path / "lab")]) == 0
    assert main(["thickness", str(DATA / "nife_bisb.csv"), str(DATA / "cotb_bisb.csv"),
                 "--joint", "--no-figures", "--out", str(tmp_path / "ref")]) == 0
    lab = json.loads((tmp_path / "lab" / "summary.json").read_text())
    ref = json.loads((tmp_path / "ref" / "summary.json").read_text())
    for k in ("spin_hall_conductivity", "spin_diffusion_length"):
        assert lab[k]["value"] == pytest.approx(ref[k]["value"], rel=1e-12)
        assert lab[k]["stderr"] == pytest.approx(ref[k]["stderr"], rel=1e-9)
    truth = {"spin_hall_conductivity": 3.68, "spin_diffusion_length": 24.8}
    for k, v in truth.items():
        assert abs(lab[k]["value"] - v) < 2 * lab[k]["stderr"], (k, lab[k])
    # the same mapping as an instrument profile
    profile = tmp_path / "lab.toml"
    profile.write_text('[columns]\nthickness = "t_nm"\nxi_e_dl = "xi_dl_E_1e5_ohm-1_m-1"\n'
                       'xi_e_dl_err = "xi_dl_E_err"\nxi_e_fl = "FL per E"\nxi_e_fl_err = "FL err"\n'
                       '[column_units]\nthickness = "nm"\nxi_e_dl = "1e5/Ohm/m"\n'
                       'xi_e_fl = "1e5/Ohm/m"\n')
    assert main(["thickness", str(nife), str(cotb), "--joint", "--format", str(profile),
                 "--no-figures", "--out", str(tmp_path / "prof")]) == 0
    prof = json.loads((tmp_path / "prof" / "summary.json").read_text())
    assert prof["spin_diffusion_length"] == lab["spin_diffusion_length"]
    # a role that does not exist, a name that matches nothing
    for bad, words in ((["--column", "colour=red"], "unknown role 'colour'"),
                       (["--column", "thickness=nope"], "no column matches --column thickness=nope")):
        assert main(["thickness", str(nife), *bad, "--no-figures", "--out",
                     str(tmp_path / "y")]) == 2
        assert words in capsys.readouterr().err


def test_the_thickness_fit_goes_through_one_fitting_problem():
    from sotfit.analysis.thickness import least_squares_problem, posterior_problem
    from sotfit.fitting import Problem, fit_global

    nife = read_thickness_table(DATA / "nife_bisb.csv")
    cotb = read_thickness_table(DATA / "cotb_bisb.csv")
    pr = build_problem([nife, cotb], joint=True)
    assert isinstance(pr, Problem)
    lsq = fit_thickness(pr)
    assert isinstance(lsq.problem, Problem) and lsq.problem.datasets == pr.datasets
    again = fit_global(least_squares_problem(pr, lsq.problem.init), guess=False, warn=False)
    assert again.values == lsq.values and again.chisqr == lsq.chisqr
    post_pr = posterior_problem(pr, {"spin_diffusion_length": "uniform(0, 100)"})
    assert post_pr.datasets == pr.datasets and post_pr.fixed == pr.fixed
    assert post_pr.priors == {g["re_g_mix"]: "uniform(0, 20)" for g in pr.g_names} | {
        "spin_diffusion_length": "uniform(0, 100)"}


@pytest.mark.slow
def test_a_table_with_decimal_commas_gives_the_same_fit(tmp_path):
    """A thickness table saved by a spreadsheet in a decimal-comma locale (semicolons, '0,05478',
    '# resistivity: 350,3 uOhm cm') gives the numbers of the table as bundled, with a note."""
    import json
    from pathlib import Path

    from sotfit.cli import main
    from sotfit.io.thickness import read_thickness_table

    src = Path(__file__).resolve().parents[1] / "data" / "thickness_example" / "nife_bisb.csv"
    german = tmp_path / "nife_bisb_de.csv"
    german.write_text(src.read_text(encoding="utf-8").replace(",", ";").replace(".", ","),
                      encoding="utf-8")
    a, b = read_thickness_table(src), read_thickness_table(german)
    assert b.resistivity == a.resistivity == 350.3
    for part in ("dl", "fl"):
        pa, pb = getattr(a, part), getattr(b, part)
        assert np.array_equal(pa.x, pb.x) and np.array_equal(pa.y, pb.y)
        assert np.array_equal(pa.yerr, pb.yerr)
    assert "decimal commas" in b.meta["reader_notes"][0] and "reader_notes" not in a.meta
    runs = {}
    for name, path in (("a", src), ("b", german)):
        assert main(["thickness", str(path), "--no-figures", "--out", str(tmp_path / name)]) in (0, 3)
        runs[name] = json.loads((tmp_path / name / "summary.json").read_text())
    for key in ("spin_diffusion_length", "spin_hall_conductivity", "re_g_mix", "im_g_mix",
                "least_squares"):
        assert runs["a"][key] == runs["b"][key], key
    assert any("decimal commas" in n for n in runs["b"]["notes"])


def test_fix_resistivity_is_refused_for_rho_which_is_checked(tmp_path, capsys):
    """--fix resistivity=300 went past the check of --rho against the file's 350.3 header (G
    17 % off, and the summary named the header as its source); 3.503 (meant in uOhm m) made G
    100 times too large."""
    for value in ("300", "3.503"):
        code = main(["thickness", str(DATA / "nife_bisb.csv"), "--joint", "--fix",
                     f"resistivity={value}", "--out", str(tmp_path / value), "--no-figures"])
        assert code == 2
        assert "give it with resistivity= (--rho" in capsys.readouterr().err


def test_ctrl_c_during_mcmc_says_interrupted_without_a_traceback(tmp_path, capsys, monkeypatch):
    """Ctrl-C while the walkers ran printed emcee's traceback and the walkers' positions (emcee
    prints every exception raised in the log-probability): now one line and exit status 130."""
    from sotfit.bayes.posterior import LogPosterior

    calls = {"n": 0}
    original = LogPosterior.__call__

    def interrupted_later(self, theta):
        calls["n"] += 1
        if calls["n"] == 20:
            raise KeyboardInterrupt
        return original(self, theta)

    monkeypatch.setattr(LogPosterior, "__call__", interrupted_later)
    out = tmp_path / "mc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["thickness", str(DATA / "nife_bisb.csv"), "--joint", "--mcmc", "--walkers",
                     "12", "--steps", "400", "--seed", "3", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 130 and calls["n"] < 30
    assert "Traceback" not in captured.err + captured.out
    assert "emcee" not in captured.err + captured.out
    assert "interrupted; nothing was written" in captured.err
    assert not out.exists()
