"""A measured FL/DL ratio against the T-matrix and k.p theory (``sotfit theory compare``)."""

import csv
import json
import math

import numpy as np
import pytest
from scipy import constants as C

from sotfit.analysis.theory_compare import (consistency, measured_ratio, parameter_value,
                                            ratio_grid)
from sotfit.cli import main
from sotfit.models import MODELS


def _stfmr_summary(fl, sfl, dl, sdl, section="global"):
    q = lambda v, e: {"value": v, "stderr": e, "unit": ""}  # noqa: E731
    return {"analysis": "stfmr", section: {"xi_fl": q(fl, sfl), "xi_dl": q(dl, sdl)}}


def test_measured_ratio_from_summaries():
    r = measured_ratio(_stfmr_summary(0.015, 0.001, 0.07, 0.002), source="s.json")
    assert r.value == pytest.approx(0.015 / 0.07)
    assert r.stderr == pytest.approx(r.value * math.hypot(0.001 / 0.015, 0.002 / 0.07))
    assert r.numerator["name"] == "xi_fl" and r.numerator["where"] == "global"
    assert "uncorrelated" in r.notes[0]
    # harmonic Hall layout (quantities), fields only: the same ratio from mu0_h_*
    hall = {"method": "avci", "quantities": {
        "mu0_h_dl": {"value": 2e-4, "stderr": 1e-5, "unit": "T"},
        "mu0_h_fl": {"value": -5e-5, "stderr": 4e-6, "unit": "T"}}}
    r = measured_ratio(hall)
    assert r.value == pytest.approx(-0.25) and r.denominator["name"] == "mu0_h_dl"
    # a stated correlation enters the propagation
    rc = measured_ratio(hall, correlation=0.5)
    rel = math.sqrt((4e-6 / 5e-5) ** 2 + (1e-5 / 2e-4) ** 2
                    - 2 * 0.5 * 4e-6 * 1e-5 / (-5e-5 * 2e-4))
    assert rc.stderr == pytest.approx(0.25 * rel)
    with pytest.raises(ValueError, match="no field-like and damping-like pair"):
        measured_ratio({"global": {"xi_dl": {"value": 1, "stderr": 0.1}}})
    with pytest.raises(ValueError, match="need standard errors"):
        measured_ratio(_stfmr_summary(0.015, None, 0.07, 0.002))


def test_parameter_units():
    tm = MODELS["tmatrix_dl_fl_ratio_vs_energy"]
    assert parameter_value(tm, "exchange", "5meV") == pytest.approx(5.0)        # meV
    assert parameter_value(tm, "alpha", "1.7e-11eVm") == pytest.approx(17.0)    # meV nm
    assert parameter_value(tm, "theta", "0.5rad") == pytest.approx(math.degrees(0.5))
    assert parameter_value(tm, "mass", "0.5") == 0.5
    # a bare angle is in degrees, as everywhere (--sweep angle=40:80:3 was 'no unit')
    assert parameter_value(tm, "theta", "40") == parameter_value(tm, "theta", "40deg") == 40.0
    with pytest.raises(ValueError, match="no unit"):
        parameter_value(tm, "exchange", "5")
    with pytest.raises(ValueError, match="not a parameter"):
        parameter_value(tm, "j_ex", "5meV")


def test_planted_ratio_lies_in_the_tmatrix_region(tmp_path, capsys):
    """A 'measured' ratio made from the T-matrix theory at (eps, theta) = (10 meV, 60 deg) with a
    4 % error: the 1-sigma region of the comparison holds that point, and the table and the
    figure are written."""
    tm = MODELS["tmatrix_dl_fl_ratio_vs_energy"]
    r0 = 1.0 / float(tm(np.array([10.0]), theta=60.0)[0])         # FL/DL at the planted point
    assert r0 < 0
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(_stfmr_summary(r0 * 0.01, abs(r0) * 0.01 * 0.03, 0.01,
                                              0.01 * 0.025)))
    out = tmp_path / "cmp"
    code = main(["theory", "compare", "--summary", str(path), "--model", "tmatrix",
                 "--sweep", "energy=4meV:16meV:13", "--sweep", "angle=20deg:160deg:15",
                 "--out", str(out)])
    assert code == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["measured"]["value"] == pytest.approx(r0)
    lev1 = s["consistency"]["levels"]["1_sigma"]
    assert s["consistency"]["consistent_1sigma"]
    row = next(r for r in lev1["by_theta"] if r["theta"] == pytest.approx(60.0))
    assert row["fermi_energy_min"] <= 10.0 <= row["fermi_energy_max"]
    assert lev1["fermi_energy_unit"] == "meV" and lev1["theta_unit"] == "deg"
    with open(out / "compare.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 13 * 15 and "fermi_energy (meV)" in rows[0]
    hit = next(r for r in rows if float(r["fermi_energy (meV)"]) == pytest.approx(10.0)
               and float(r["theta (deg)"]) == pytest.approx(60.0))
    assert hit["within_1_sigma"] == "1" and abs(float(hit["z"])) < 1e-6
    assert (out / "region.png").stat().st_size > 10_000
    assert "within 1 sigma" in capsys.readouterr().out
    # signed comparison: the planted value is negative, so signed and magnitude agree there
    out2 = tmp_path / "signed"
    assert main(["theory", "compare", "--summary", str(path), "--model", "tmatrix", "--signed",
                 "--sweep", "energy=10meV:10meV:1", "--sweep", "angle=60deg:60deg:1",
                 "--no-figures", "--out", str(out2)]) == 0
    s2 = json.loads((out2 / "summary.json").read_text())
    assert s2["consistency"]["compared"] == "signed values"
    assert s2["consistency"]["consistent_1sigma"]


def test_kp_2deg_region_in_tau_follows_the_exchange_limit():
    """2DEG Rashba ferromagnet, m along z: in the exchange-dominated limit the ratio is
    -tau J_ex / hbar (seed 001 after eq. (7)), so a measured |FL/DL| = 100 +- 4 % at
    J_ex = 50 meV fixes tau near 100 hbar / J_ex = 1.32 ps."""
    m = MODELS["kp_2deg_torque_ratio"]
    energies = np.linspace(0.02, 0.2, 5)
    taus = np.linspace(0.5, 2.0, 31)
    th = ratio_grid(m, energies, "tau", taus, {"j_ex": 0.05, "alpha_r": 0.005})
    meas = measured_ratio(_stfmr_summary(1.0, 0.02, 0.01, 0.0003))
    res = consistency(th, meas, (energies, taus), ("fermi_energy", "tau"), ("eV", "ps"))
    tau_lim = 100 * C.hbar / (0.05 * C.e) * 1e12                  # ps
    lo, hi = res["levels"]["1_sigma"]["tau_range"]
    print(tau_lim, lo, hi)
    assert lo <= tau_lim <= hi and hi - lo < 0.3
    assert res["nearest"]["theory_ratio"] < 0


def test_cli_errors(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_stfmr_summary(0.015, 0.001, 0.07, 0.002)))
    base = ["theory", "compare", "--summary", str(path), "--out", str(tmp_path / "o")]
    assert main(base + ["--model", "tmatrix", "--sweep", "angle=10deg:20deg:3"]) == 2
    assert "energy=START:STOP:N is needed" in capsys.readouterr().err
    assert main(base + ["--model", "tmatrix", "--sweep", "energy=1meV:5meV:3",
                        "--param", "exchange=5"]) == 2
    assert "has no unit" in capsys.readouterr().err
    assert main(base + ["--model", "kp-2deg", "--sweep", "energy=0.01eV:0.1eV:3",
                        "--sweep", "bogus=1:2:3"]) == 2
    assert "not a parameter of kp_2deg_torque_ratio" in capsys.readouterr().err
    empty = tmp_path / "e.json"
    empty.write_text(json.dumps({"analysis": "stfmr"}))
    assert main(["theory", "compare", "--summary", str(empty), "--model", "tmatrix",
                 "--sweep", "energy=1meV:5meV:3", "--out", str(tmp_path / "p")]) == 2
    assert "no field-like and damping-like pair" in capsys.readouterr().err
    assert not (tmp_path / "o").exists() and not (tmp_path / "p").exists()


def test_printout_names_what_is_compared(tmp_path, capsys):
    """A negative measured ratio compared as magnitudes: the printout says so and gives the
    magnitude it compares; the nearest grid point's theory value is labelled signed."""
    tm = MODELS["tmatrix_dl_fl_ratio_vs_energy"]
    r0 = 1.0 / float(tm(np.array([10.0]), theta=60.0)[0])
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(_stfmr_summary(r0 * 0.01, abs(r0) * 0.01 * 0.03, 0.01,
                                              0.01 * 0.025)))
    assert main(["theory", "compare", "--summary", str(path), "--model", "tmatrix",
                 "--sweep", "energy=10meV:10meV:1", "--sweep", "angle=60deg:60deg:1",
                 "--no-figures", "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert f"|FL/DL| = {abs(r0):.4g}" in out
    assert "theory range on the grid (magnitudes): [" in out
    assert "theory FL/DL = " + f"{r0:.4g} (signed)" in out
    assert "fermi_energy = 10 meV" in out and "theta = 60 deg" in out


def test_the_ratio_test_is_exact_when_the_damping_like_value_is_uncertain():
    """xi_FL = 0.50 +- 0.01, xi_DL = 0.010 +- 0.003: the first-order error of the ratio (50 +- 15)
    put a theory ratio of 118.6 4.6 standard errors away; the exact test of FL - R DL = 0 gives
    1.93. Its z is standard normal at the true ratio whatever the error of DL (coverage checked by
    drawing the measurement), where the first-order z is not."""
    from sotfit.analysis.theory_compare import MeasuredRatio, ratio_z

    def measured(fl, dl, sf=0.01, sd=0.003):
        r = fl / dl
        s = abs(r) * math.hypot(sf / fl, sd / dl)
        return MeasuredRatio(r, s, {"name": "xi_fl", "value": fl, "stderr": sf},
                             {"name": "xi_dl", "value": dl, "stderr": sd})

    m = measured(0.50, 0.010)
    assert float(ratio_z(m, 118.6)) == pytest.approx(
        (118.6 * 0.010 - 0.50) / math.sqrt(0.01 ** 2 + 118.6 ** 2 * 0.003 ** 2))
    assert float(ratio_z(m, 118.6)) == pytest.approx(1.93, abs=0.01)
    assert float(ratio_z(m, 50.0)) == pytest.approx(0.0, abs=1e-12)
    assert float(ratio_z(m, 10.0)) < 0                       # theory below the measurement
    # coverage: at the true ratio 50, |z| <= 2 in 95.4 % of measurements drawn around it
    rng = np.random.default_rng(3)
    fl = rng.normal(0.50, 0.01, 20000)
    dl = rng.normal(0.010, 0.003, 20000)
    exact = np.array([float(ratio_z(measured(a, b), 50.0)) for a, b in zip(fl[:4000], dl[:4000])])
    assert np.mean(np.abs(exact) <= 2) == pytest.approx(0.954, abs=0.012)
    first_order = (50.0 - fl / dl) / (np.abs(fl / dl) * np.hypot(0.01 / fl, 0.003 / dl))
    assert abs(np.mean(np.abs(first_order) <= 2) - 0.954) > 0.03


def test_consistency_regions_use_the_exact_test():
    from sotfit.analysis.theory_compare import MeasuredRatio

    m = MeasuredRatio(50.0, 16.0, {"name": "xi_fl", "value": 0.5, "stderr": 0.01},
                      {"name": "xi_dl", "value": 0.01, "stderr": 0.003})
    theory = np.array([[10.0], [50.0], [100.0], [118.6], [400.0]])
    res = consistency(theory, m, (np.arange(5.0), [0.0]), ("x", "y"), ("", ""), signed=True)
    inside = res["z"][:, 0]
    assert abs(inside[3]) < 2 < abs(inside[4])               # 118.6 within 2 sigma, 400 not
    assert res["denominator_sigmas"] == pytest.approx(0.01 / 0.003)


def _compared_strictly(tmp_path, summary: dict) -> dict:
    """The summary.json of 'sotfit theory compare --strict' (a T-matrix sweep of two energies)
    against ``summary`` written to a file, which must exit with status 3 (flagged)."""
    path = tmp_path / "s.json"
    path.write_text(json.dumps(summary))
    out = tmp_path / "o"
    assert main(["theory", "compare", "--summary", str(path), "--model", "tmatrix", "--sweep",
                 "energy=5meV:10meV:2", "--no-figures", "--out", str(out), "--strict"]) == 3
    return json.loads((out / "summary.json").read_text())


def test_the_flags_of_the_measured_torques_go_to_the_comparison(tmp_path):
    """A summary whose efficiencies carry flags (a field angle assumed: the ratio 52 standard
    errors off) was compared without a flag, --strict exit 0: the flags come along."""
    s = _stfmr_summary(0.015, 0.001, 0.07, 0.002)
    s["global"]["xi_fl"]["flags"] = ["field angle 45 deg assumed for the torque fields"]
    s["global"]["xi_dl"]["flags"] = ["consistent with zero"]
    got = _compared_strictly(tmp_path, s)
    reasons = [f["reason"] for f in got["flags"]]
    assert "xi_fl: field angle 45 deg assumed for the torque fields" in reasons
    assert "xi_dl: consistent with zero" in reasons


def test_an_empty_band_gives_no_ratio(tmp_path, capsys):
    """Below the 2DEG's band bottom both responses vanish: the ratio 0/0 was returned as 0 and
    'agreed' with a measured FL near zero (12 of 27 points within 1 sigma, exit 0). It is NaN,
    said in a note; a grid with no ratio anywhere is an error."""
    from sotfit.analysis.theory_compare import THEORY_RATIOS

    m = MODELS["kp_2deg_torque_ratio"]
    assert np.isnan(m(np.array([-0.2]), alpha_r=0.034, j_ex=0.05, m_eff=1.0, tau=0.02)[0])
    s = _stfmr_summary(7e-6, 5e-5, 0.0242, 0.0003)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(s))
    base = ["theory", "compare", "--summary", str(path), "--model", "kp-2deg", "--param",
            "j_ex=50meV", "--no-figures"]
    out = tmp_path / "o"
    assert main(base + ["--sweep", "energy=-0.2eV:0.2eV:9", "--sweep", "tau=0.01ps:0.05ps:3",
                        "--out", str(out)]) == 0
    got = json.loads((out / "summary.json").read_text())
    assert got["consistency"]["levels"]["1_sigma"]["points"] == 0
    assert any("where the model gives no ratio" in n for n in got["notes"])
    assert main(base + ["--sweep", "energy=-0.3eV:-0.2eV:3", "--out", str(tmp_path / "p")]) == 2
    assert "gives no ratio anywhere on the grid" in capsys.readouterr().err
    assert THEORY_RATIOS["kp-2deg"]["sign"] == -1.0


def test_the_kp_ratio_is_taken_into_the_fields_basis():
    """Seed 001 writes S = chi_FL H_SOC - chi_DL m x H_SOC; the fields are H_FL sigma +
    H_DL m x sigma (docs/CONVENTIONS.md) with sigma along H_SOC = z x E. With m along z and E
    along x, the spin density's components on sigma and on m x sigma give the FL/DL ratio of
    the comparison: -chi_FL/chi_DL, the model's ratio with its sign turned."""
    from sotfit.analysis.theory_compare import THEORY_RATIOS, compare_ratio
    from sotfit.models.kp.specs import _2deg_response

    e = np.array([0.05, 0.1])
    chi_fl, chi_dl = _2deg_response(e, 0.034, 0.05, 1.0, 0.02)      # S_y, S_x of E along x
    m, ex = np.array([0, 0, 1.0]), np.array([1.0, 0, 0])
    sigma = np.cross(m, ex)                                           # H_SOC = z x E = +y
    s = chi_fl[:, None] * sigma - chi_dl[:, None] * np.cross(m, sigma)
    basis_ratio = (s @ sigma) / (s @ np.cross(m, sigma))
    meas = measured_ratio(_stfmr_summary(0.015, 0.001, 0.07, 0.002))
    spec = THEORY_RATIOS["kp-2deg"]
    theory, *_ = compare_ratio(MODELS[spec["model"]], e, None, [np.nan],
                               {"alpha_r": 0.034, "j_ex": 0.05, "tau": 0.02}, meas,
                               ("fermi_energy", "none"), ("eV", ""), invert=spec["invert"],
                               signed=True, sign=spec["sign"])
    assert np.allclose(theory[:, 0], basis_ratio, rtol=1e-12)
    assert np.all(np.sign(theory[:, 0]) == -np.sign(chi_fl / chi_dl))


def test_the_kp_tmdc_ratio_is_taken_into_the_fields_basis():
    """Seed 000 reports tau^oc_x / tau^in_x with E at 45 deg and m along z. The model's own spin
    densities, projected on sigma = z x E and on m x sigma, give the fields' FL/DL ratio (the
    exchange field is along S): S^oc lies along sigma, S^in along m x sigma, and that ratio is
    minus the paper's torque ratio (tau = (2J/hbar) m x S)."""
    from sotfit.analysis.theory_compare import THEORY_RATIOS, compare_ratio
    from sotfit.models.kp.specs import TMDCCrI3, spin_density_grid

    spec = THEORY_RATIOS["kp-tmdc"]
    model_spec = MODELS[spec["model"]]
    p = {q.name: q.default for q in model_spec.params}
    model = TMDCCrI3(**{k: p[k] for k in ("delta", "hbar_v", "lambda_c", "lambda_v", "b_c",
                                          "b_v", "lambda_r")})
    mus = np.array([0.8, -0.8])
    m, e_dir = np.array([0, 0, 1.0]), np.array([1.0, 1.0, 0]) / np.sqrt(2)
    sigma = np.cross(m, e_dir)
    basis = []
    for mu in mus:
        kmax = (abs(mu) + 15 * p["kT"] + 0.5) / p["hbar_v"]
        r = spin_density_grid(model, [mu], p["tau"], p["kT"], theta_e=np.pi / 4, kmax=kmax,
                              n_k=int(np.ceil(kmax * p["hbar_v"] * 1.05 / p["kT"])), n_phi=8)
        s_oc, s_in = r.surface[0], r.sea[0]
        # the field-like density along sigma, the damping-like one along m x sigma, only
        assert abs(s_oc @ np.cross(m, sigma)) < 1e-9 * abs(s_oc @ sigma)
        assert abs(s_in @ sigma) < 1e-9 * abs(s_in @ np.cross(m, sigma))
        basis.append((s_oc @ sigma) / (s_in @ np.cross(m, sigma)))
    meas = measured_ratio(_stfmr_summary(0.015, 0.001, 0.07, 0.002))
    theory, *_ = compare_ratio(model_spec, mus, None, [np.nan], {}, meas, ("mu", "none"),
                               ("eV", ""), invert=spec["invert"], signed=True,
                               sign=spec.get("sign", 1.0))
    assert np.allclose(theory[:, 0], basis, rtol=1e-9)
    assert np.all(np.sign(theory[:, 0]) == -np.sign(model_spec.func(mus, **p)))


def test_the_correlation_is_found_in_either_order_and_for_any_pair():
    """A summary writing the correlation as 'xi_dl,xi_fl', or only for the xi_e pair, was read
    as uncorrelated (error 0.0256 where 0.0120 is right, and a note saying none was given)."""
    base = _stfmr_summary(0.4 * 0.07, 0.002, 0.07, 0.003)
    expected = measured_ratio(base, correlation=0.8)
    for corr in ({"xi_dl,xi_fl": 0.8}, {"xi_e_fl,xi_e_dl": 0.8}):
        s = dict(base, **{"global": dict(base["global"], correlations=corr)})
        r = measured_ratio(s)
        assert r.stderr == pytest.approx(expected.stderr, rel=1e-12) and not r.notes


def test_a_vanishing_damping_like_torque_gives_no_ratio():
    """In the first Born approximation the T-matrix model's DL/FL is rounding (1e-17): inverted,
    FL/DL came out +-1e17 with a random sign; it is no ratio (NaN), as an exact 0 is not."""
    from sotfit.analysis.theory_compare import THEORY_RATIOS

    spec = MODELS[THEORY_RATIOS["tmatrix"]["model"]]
    e = np.array([0.012, 0.014])
    grid = ratio_grid(spec, e, None, [np.nan], {"tmatrix": 0.0}, invert=True)
    raw = spec.func(e, **{**{q.name: q.default for q in spec.params}, "tmatrix": 0.0})
    assert np.all(np.abs(raw) < 1e-12)          # what the Born limit gives: no DL
    assert np.all(np.isnan(grid))
    full = ratio_grid(spec, e, None, [np.nan], {}, invert=True)
    assert np.all(np.isfinite(full))


def test_the_summary_records_every_parameter_the_grid_used(tmp_path):
    """With one sweep the T-matrix comparison ran at the model's theta = 30 deg, and the summary
    said nothing ('parameters': {}): every parameter not swept is written, defaults marked, and
    the ratio in the table is the model's at those values."""
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(_stfmr_summary(-0.5, 0.01, 0.01, 0.0003)))
    out = tmp_path / "cmp"
    assert main(["theory", "compare", "--summary", str(path), "--model", "tmatrix",
                 "--sweep", "energy=10meV:12meV:2", "--param", "exchange=4meV",
                 "--out", str(out), "--no-figures"]) == 0
    p = json.loads((out / "summary.json").read_text())["parameters"]
    assert "fermi_energy" not in p
    assert p["exchange"] == {"value": 4.0, "unit": "meV"}
    tm = MODELS["tmatrix_dl_fl_ratio_vs_energy"]
    assert p["theta"]["default"] and p["theta"]["value"] == tm.param("theta").default
    with open(out / "compare.csv", encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    kw = {k: q["value"] for k, q in p.items()}
    expected = 1.0 / float(tm(np.array([10.0]), **kw)[0])
    theory = next(v for k, v in first.items() if k.startswith("theory"))
    assert float(theory) == pytest.approx(expected, rel=1e-8)


def test_z_of_magnitudes_is_signed_as_theory_minus_measurement_for_a_negative_ratio():
    """Comparing magnitudes (the default) against a measured ratio of -78, a theory of
    magnitude 39 below it gave z = +6.1, where the docs sign z as theory minus measurement;
    the same magnitudes against +78 gave -6.1."""
    from sotfit.analysis.theory_compare import MeasuredRatio

    theory = np.array([[39.18], [78.0], [150.0]])
    for sign in (1.0, -1.0):
        m = MeasuredRatio(sign * 78.0, 5.0, {"name": "xi_fl", "value": sign * 0.78, "stderr": 0.05},
                          {"name": "xi_dl", "value": 0.01, "stderr": 0.001})
        z = consistency(theory, m, (np.arange(3.0), [0.0]), ("x", "y"), ("", ""))["z"][:, 0]
        assert z[0] < 0 < z[2], (sign, z)
        assert abs(z[1]) < 1e-9


def test_a_thickness_summary_is_refused_saying_which_summary_to_compare(tmp_path, capsys):
    """`theory compare --summary` of a thickness run said 'no field-like and damping-like pair',
    leaving the user of a thickness table no way on: it now says why and which summary to
    give."""
    from bundled import ROOT

    out = tmp_path / "thick"
    data = ROOT / "data" / "thickness_example" / "nife_bisb.csv"
    assert main(["thickness", str(data), "--joint", "--no-figures", "--out", str(out)]) == 0
    assert main(["theory", "compare", "--summary", str(out / "summary.json"), "--model",
                 "tmatrix", "--out", str(tmp_path / "cmp"), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "a thickness summary holds the spin transport of the series" in err
    assert "`sotfit stfmr` or `sotfit hall`" in err


def test_the_tmatrix_switches_are_not_listed_as_its_parameters(tmp_path, capsys):
    """The approximation and normalisation switches of the T-matrix ModelSpec (tmatrix, hall:
    0 or 1) were written among its parameters, with unit "", and listed with them in the
    message of an unknown parameter: they are apart, each with what its values mean."""
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(_stfmr_summary(-0.5, 0.01, 0.01, 0.0003)))
    base = ["theory", "compare", "--summary", str(path), "--model", "tmatrix", "--no-figures",
            "--sweep", "energy=10meV:12meV:2"]
    out = tmp_path / "cmp"
    assert main([*base, "--param", "hall=0", "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert not {"tmatrix", "hall"} & set(s["parameters"])
    assert s["switches"]["hall"]["value"] == 0.0 and "default" not in s["switches"]["hall"]
    assert s["switches"]["tmatrix"]["default"] and "first Born" in s["switches"]["tmatrix"][
        "meaning"]
    assert main([*base, "--sweep", "tau=1ps:2ps:2", "--out", str(tmp_path / "t")]) == 2
    err = capsys.readouterr().err
    assert "its parameters are theta, exchange, alpha, u, radius, density, mass (and its " \
           "switches of 0 or 1: tmatrix, hall)" in err
    assert main([*base, "--sweep", "tmatrix=0:1:2", "--out", str(tmp_path / "w")]) == 2
    assert "--sweep tmatrix: a switch of 0 or 1" in capsys.readouterr().err


def test_the_tmatrix_default_angle_is_said_in_help_and_summary(tmp_path, capsys):
    """compare --model tmatrix runs at the ModelSpec's theta = 30 deg where theory tmatrix
    defaults to 0 deg; neither --help nor the summary's notes said so."""
    theta = MODELS["tmatrix_dl_fl_ratio_vs_energy"].param("theta").default
    with pytest.raises(SystemExit):
        main(["theory", "compare", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert f"runs at theta = {theta:g}deg" in said and "defaults to 0deg" in said
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(_stfmr_summary(-0.5, 0.01, 0.01, 0.0003)))
    notes = {}
    for name, extra in (("default", []), ("given", ["--param", "theta=0deg"])):
        out = tmp_path / name
        assert main(["theory", "compare", "--summary", str(path), "--model", "tmatrix",
                     "--sweep", "energy=10meV:12meV:2", *extra, "--no-figures",
                     "--out", str(out)]) == 0
        notes[name] = [n for n in json.loads((out / "summary.json").read_text())["notes"]
                       if n.startswith("theta = ")]
    assert len(notes["default"]) == 1 and f"theta = {theta:g} deg" in notes["default"][0]
    assert "tau_2 needs m_x != 0" in notes["default"][0] and not notes["given"]


def _oersted_summary(fl_oe=-3.0e-5, oe=4.19e-5, dl=5.65e-5, rms=False):
    """An ST-FMR summary whose xi_fl rests on the Oersted removal (mu0_h_fl = mu0_h_fl_oe -
    mu0_h_oe), with the notes ``sotfit stfmr`` writes: the one on a field-like plus Oersted
    field against the Oersted field, and one on the Kittel fit."""
    from sotfit.flags import oersted_opposed

    q = lambda v, e, u="T": {"value": v, "stderr": e, "unit": u}  # noqa: E731
    sec = {"mu0_h_dl": q(dl, 1.6e-7), "mu0_h_fl_oe": q(fl_oe, 8e-8), "mu0_h_oe": q(oe, None),
           "mu0_h_fl": q(fl_oe - oe, 8e-8), "xi_dl": q(0.070, 2e-4, ""),
           "xi_fl": q(0.070 * (fl_oe - oe) / dl, 1e-4, "")}
    kittel = "linewidth: reduced chi-square 1.01 > 1; errors inflated by sqrt(redchi) = 1.005"
    notes = [kittel] + ([oersted_opposed(sec)] if oersted_opposed(sec) else [])
    sample = {"i_rf": q(1.0, None, "mA"), "i_rf_is_rms": rms, "delta_r": q(0.5, None, "Ohm")}
    return {"analysis": "stfmr", "sample": sample, "global": sec, "notes": notes}


def test_the_notes_of_the_measured_torques_go_to_the_comparison(tmp_path, capsys):
    """A stack order given wrong (--nm-above) made xi_FL/xi_DL -1.27 for +0.21; 'sotfit stfmr'
    said so in a note (mu0_h_fl_oe opposes the Oersted field), 'theory compare' read the ratio
    with measured.notes [] and printed nothing. The notes on the torques are carried and
    printed, those on the Kittel or damping fits are not; the flags of mu0_h_fl_oe go along."""
    s = _oersted_summary()
    assert "opposes the Oersted field" in s["notes"][1]
    s["global"]["mu0_h_fl_oe"]["flags"] = ["a polarity assumed"]
    got = _compared_strictly(tmp_path, s)
    printed = capsys.readouterr().out
    carried = [n for n in got["measured"]["notes"] if "opposes the Oersted field" in n]
    assert len(carried) == 1 and carried[0] in got["notes"]
    assert "opposes the Oersted field" in printed
    assert not any("linewidth" in n for n in got["measured"]["notes"])
    assert "mu0_h_fl_oe: a polarity assumed" in [f["reason"] for f in got["flags"]]


def test_a_ratio_resting_on_the_oersted_removal_names_the_calibration():
    """xi_FL/xi_DL = (mu0_h_fl_oe - mu0_h_oe)/mu0_h_dl scales with I_rf^2 Delta R: an rms
    current given as the peak flipped its sign without a word, and the flag on the absolute
    scale said 'ratios of the torques do not depend on it'."""
    from sotfit.flags import oersted_mismatch

    for rms, kind in ((False, "(peak)"), (True, "(rms)")):
        r = measured_ratio(_oersted_summary(rms=rms), correlation=0.0)
        note = [n for n in r.notes if "Oersted removal" in n]
        assert len(note) == 1 and "--irf" in note[0] and "--delta-r" in note[0]
        assert f"I = 1 mA {kind}" in note[0] and "Delta R = 0.5 Ohm" in note[0]
        assert f"{-3.0e-5 / 5.65e-5:.4g}" in note[0]        # mu0_h_fl_oe/mu0_h_dl, calibration-free
    # a pair without the Oersted removal (no mu0_h_oe in the section): no such note
    assert not any("Oersted removal" in n
                   for n in measured_ratio(_stfmr_summary(0.015, 0.001, 0.07, 0.002)).notes)
    sec = _oersted_summary(fl_oe=-3.0e-8)["global"]
    reason = oersted_mismatch(sec)
    assert "ratios of the torques do not depend on it" not in reason
    assert "xi_fl/xi_dl" in reason


def test_a_field_like_plus_oersted_field_consistent_with_zero_does_not_flag_the_ratio(tmp_path):
    """Where the field-like and Oersted fields cancel, mu0_h_fl_oe is flagged 'consistent with
    zero' - and the Oersted-free field-like field, and FL/DL, are as well determined as ever:
    that flag is not carried to the ratio (--strict exited 3); other flags of it are."""
    s = _oersted_summary(fl_oe=1e-8, oe=4.19e-5)
    s["global"]["mu0_h_fl_oe"]["flags"] = ["consistent with zero (1e-08 +/- 8e-08, within 2 "
                                           "standard errors): the data do not determine its sign"]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(s))
    assert main(["theory", "compare", "--summary", str(path), "--model", "tmatrix", "--sweep",
                 "energy=5meV:10meV:2", "--no-figures", "--out", str(tmp_path / "o"),
                 "--strict"]) == 0
    got = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert not got.get("flags")
    s["global"]["mu0_h_fl_oe"]["flags"].append("a polarity assumed")
    (tmp_path / "again").mkdir()
    reasons = [f["reason"] for f in _compared_strictly(tmp_path / "again", s)["flags"]]
    assert reasons == ["mu0_h_fl_oe: a polarity assumed"]


@pytest.mark.parametrize("fl, dl", [
    ({"value": -1.0, "stderr": 0.05, "unit": "1e5 Ohm^-1 m^-1"},
     {"value": 0.5e5, "stderr": 0.01e5, "unit": "Ohm^-1 m^-1"}),
    ({"value": -0.1, "stderr": 0.005, "unit": ""}, {"value": 5.0, "stderr": 0.1, "unit": "%"}),
    ({"value": -0.1, "stderr": 0.005, "unit": "mT"}, {"value": 50.0, "stderr": 1.0, "unit": "uT"}),
])
def test_the_ratio_takes_the_units_of_its_entries(fl, dl):
    """A summary whose field-like and damping-like entries are written in different units (one
    edited by hand, or put together from two runs): the ratio is that of the quantities, -2
    here, with a note; it was the ratio of the numbers written (-2e-5, -0.02), unflagged."""
    names = ("mu0_h_fl", "mu0_h_dl") if fl["unit"] == "mT" else \
        ("xi_e_fl", "xi_e_dl") if "Ohm" in fl["unit"] else ("xi_fl", "xi_dl")
    m = measured_ratio({"quantities": {names[0]: fl, names[1]: dl}})
    assert m.value == pytest.approx(-2.0, rel=1e-12)
    assert m.stderr == pytest.approx(2.0 * math.hypot(0.05, dl["stderr"] / dl["value"]), rel=1e-9)
    assert any("taken in the unit of" in n for n in m.notes)


def test_entries_of_different_kinds_give_no_ratio():
    with pytest.raises(ValueError, match="not quantities of one kind"):
        measured_ratio({"quantities": {"xi_e_fl": {"value": 1.0, "stderr": 0.1, "unit": "mT"},
                                       "xi_e_dl": {"value": 1.0, "stderr": 0.1,
                                                   "unit": "1e5 Ohm^-1 m^-1"}}})
