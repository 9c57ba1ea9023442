"""One posterior per stack: ST-FMR and harmonic Hall summaries of one stack fitted together.

The per-thickness summary.json inputs are made here through both pipelines' own conversions
from torque fields to efficiencies (the ST-FMR ``stfmr_torques.efficiency`` with the
electric field of ``electric_field_nm``; the harmonic Hall ``hall.efficiencies`` with its
``Sample``), with a planted calibration error of the Hall current: the torque fields follow
from the true efficiencies and the true currents, the pipelines convert them back with the
currents the experimenter believes.
"""

import json
import warnings

import numpy as np
import pytest
from uncertainties import ufloat

from sotfit.analysis import hall as H
from sotfit.analysis.stack import read_stack, summary_method
from sotfit.analysis.stfmr_torques import efficiency as stfmr_efficiency
from sotfit.analysis.stfmr_torques import electric_field_nm
from sotfit.analysis.thickness import build_problem, fit_thickness, summary_dict
from sotfit.cli import main
from sotfit.models.drift_diffusion import xi_e_dl, xi_e_fl
from sotfit.models.efficiency import field_from_xi_e

RHO = 350.3          # uOhm cm, BiSb
TRUTH = dict(spin_hall_conductivity=3.68, spin_diffusion_length=24.8, re_g_mix=0.3,
             im_g_mix=0.4)
#: planted calibration factors (measured / true efficiency): ST-FMR's rf current is right,
#: the Hall current is overstated by 1/0.85, so its efficiencies come out 0.85 of the truth
C_STFMR, C_HALL = 1.0, 0.85
MS, T_FM, WIDTH, FRACTION = 0.8, 6.0, 10e3, 0.6  # T, nm, nm (10 um), current fraction


def _noisy(rng, v, rel=0.03, floor=0.0):
    e = rel * abs(v) + floor
    return v + e * rng.standard_normal(), e


def make_stack(tmp_path, seed=0, c_hall=C_HALL, t_stfmr=(6, 8, 10, 14, 20, 30, 45, 70),
               t_hall=(6, 10, 16, 26, 40)):
    """Write one ST-FMR and one Hall summary.json per thickness; return (stfmr, hall) paths."""
    rng = np.random.default_rng(seed)
    kw = dict(TRUTH, resistivity=RHO)
    st_paths, h_paths = [], []
    i_true = 2.0  # mA, peak
    for t in t_stfmr:
        e_true = electric_field_nm(i_true, FRACTION, WIDTH, t, RHO)
        h_dl = field_from_xi_e(xi_e_dl(t, **kw), MS, T_FM, e_true)
        h_fl = field_from_xi_e(xi_e_fl(t, **kw), MS, T_FM, e_true)
        # the ST-FMR torque fields as fitted, 3 % + 0.2 uT
        (h_dl, s_dl), (h_fl, s_fl) = _noisy(rng, h_dl, floor=2e-7), _noisy(rng, h_fl, floor=2e-7)
        e_used = electric_field_nm(i_true / C_STFMR, FRACTION, WIDTH, t, RHO)
        xdl, _ = stfmr_efficiency(ufloat(h_dl, s_dl), MS, T_FM, e_used, RHO)
        xfl, _ = stfmr_efficiency(ufloat(h_fl, s_fl), MS, T_FM, e_used, RHO)
        q = lambda v, e, u: {"value": v, "stderr": e, "unit": u}  # noqa: E731
        summary = {"analysis": "stfmr",
                   "sample": {"t_nm": q(float(t), None, "nm"), "rho_nm": q(RHO, None, "uOhm cm")},
                   "global": {"xi_e_dl": q(xdl.n, xdl.s, "1e5 Ohm^-1 m^-1"),
                              "xi_e_fl": q(xfl.n, xfl.s, "1e5 Ohm^-1 m^-1")}}
        p = tmp_path / "stfmr" / f"t{t}" / "summary.json"
        p.parent.mkdir(parents=True)
        p.write_text(json.dumps(summary))
        st_paths.append(p)
    for t in t_hall:
        sample_true = H.Sample(current_peak=1.5, t_fm=T_FM, t_nm=float(t), width=WIDTH,
                               mu0_ms=MS, resistivity=RHO, current_fraction=FRACTION)
        e_true = H.efficiencies({}, sample_true, [])["e_field"]
        h_dl = field_from_xi_e(xi_e_dl(t, **kw), MS, T_FM, e_true)
        h_fl = field_from_xi_e(xi_e_fl(t, **kw), MS, T_FM, e_true)
        (h_dl, s_dl), (h_fl, s_fl) = _noisy(rng, h_dl, floor=3e-7), _noisy(rng, h_fl, floor=3e-7)
        sample_used = H.Sample(current_peak=1.5 / c_hall, t_fm=T_FM, t_nm=float(t),
                               width=WIDTH, mu0_ms=MS, resistivity=RHO,
                               current_fraction=FRACTION)
        quantities = H.efficiencies({"mu0_h_dl": ufloat(h_dl, s_dl),
                                     "mu0_h_fl": ufloat(h_fl, s_fl)}, sample_used, [])
        res = H.HallResult(method="macrospin", quantities=quantities)
        summary = res.summary()
        summary["conventions"] = {"current_is": "peak"}
        p = tmp_path / "hall" / f"t{t}" / "summary.json"
        p.parent.mkdir(parents=True)
        p.write_text(json.dumps(summary, default=float))
        h_paths.append(p)
    return st_paths, h_paths, list(map(float, t_stfmr)) + list(map(float, t_hall))


def test_summary_method_and_read_stack(tmp_path):
    st, hp, ts = make_stack(tmp_path)
    assert summary_method(json.loads(st[0].read_text())) == "stfmr"
    assert summary_method(json.loads(hp[0].read_text())) == "hall"
    series = read_stack(st + hp, thickness=ts, label="Py/BiSb")
    assert [s.meta["method"] for s in series] == ["stfmr", "hall"]
    assert {s.label for s in series} == {"Py/BiSb"}
    assert len(series[0].dl) == 8 and len(series[1].dl) == 5 and series[1].fl is not None
    # the Hall efficiencies are 0.85 of the truth (the overstated current)
    t = series[1].dl.x
    ratio = series[1].dl.y / xi_e_dl(t, **TRUTH, resistivity=RHO)
    assert np.mean(ratio) == pytest.approx(C_HALL, rel=0.05)
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"something": 1}))
    with pytest.raises(ValueError, match="cannot tell which method"):
        read_stack([bad, st[0]], thickness=[6, 6])


def test_problem_with_two_methods_shares_the_interface(tmp_path):
    st, hp, ts = make_stack(tmp_path)
    series = read_stack(st + hp, thickness=ts, label="Py/BiSb")
    pr = build_problem(series, calibration_priors={"hall": "lognormal(1, 0.1)"})
    assert pr.interface_labels == ("Py/BiSb",) and len(pr.datasets) == 4
    assert pr.calibration["stfmr"]["state"] == "reference"
    assert pr.fixed["calibration_stfmr"] == 1.0 and "calibration_hall" not in pr.fixed
    # the Hall datasets' G follows the ST-FMR DL dataset's G: one interface
    assert pr.exprs["re_g_mix_2"] == "re_g_mix_0" and pr.exprs["im_g_mix_3"] == "im_g_mix_0"
    assert len(pr.prior_data) == 1
    with pytest.raises(ValueError, match="not among the methods"):
        build_problem(series, calibration_priors={"kerr": "lognormal(1, 0.1)"})
    with pytest.raises(ValueError, match="two or more methods"):
        build_problem(series[:1], calibration_priors={"stfmr": "lognormal(1, 0.1)"})
    # without priors: ST-FMR is the reference, the Hall factor is free
    free = build_problem(series)
    assert free.calibration["hall"]["state"] == "free" and not free.prior_data


def test_joint_least_squares_recovers_the_calibration_ratio(tmp_path):
    st, hp, ts = make_stack(tmp_path, seed=2)
    series = read_stack(st + hp, thickness=ts, label="Py/BiSb")
    pr = build_problem(series)
    lsq = fit_thickness(pr)
    s = summary_dict(pr, lsq)
    ratio = s["calibration"]["ratios"]["hall/stfmr"]
    print(ratio, {k: (s[k]["value"], s[k]["stderr"]) for k in ("spin_hall_conductivity",
                                                                "spin_diffusion_length")})
    assert abs(ratio["value"] - C_HALL) < 2 * ratio["stderr"]
    for k in ("spin_hall_conductivity", "spin_diffusion_length", "re_g_mix", "im_g_mix"):
        assert abs(s[k]["value"] - TRUTH[k]) < 2 * s[k]["stderr"], (k, s[k])


@pytest.mark.slow
def test_joint_posterior_recovers_shared_parameters_and_the_calibration_ratio(tmp_path):
    """The command line: both methods' summaries, a stated Hall calibration prior, emcee."""
    st, hp, ts = make_stack(tmp_path, seed=1)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["thickness", *map(str, st + hp), "--joint", "--thickness",
                     ",".join(f"{t:g}nm" for t in ts), "--label", "Py/BiSb",
                     "--calibration-prior", "hall=lognormal(1,0.1)", "--mcmc", "--walkers",
                     "24", "--steps", "5000", "--seed", "3", "--no-figures", "--out", str(out)])
    assert code == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["mcmc"]["converged"], s["mcmc"]["message"]
    found = {k: (s[k]["value"], s[k]["stderr"]) for k in TRUTH}
    ratio = s["calibration"]["ratios"]["hall/stfmr"]
    print(found, ratio, s["method_agreement"])
    for k, true in TRUTH.items():
        assert abs(s[k]["value"] - true) < 2 * s[k]["stderr"], (k, s[k], true)
    assert abs(ratio["value"] - C_HALL) < 2 * ratio["stderr"]
    assert s["calibration"]["hall"]["prior"] == "lognormal(1, 0.1)"
    assert s["calibration"]["stfmr"]["state"] == "reference"
    agree = s["method_agreement"]
    assert set(agree["chi_square"]) == {"stfmr", "hall"}
    data_ratio = agree["calibration_from_data"]["hall"]
    assert abs(data_ratio["value"] - C_HALL) < 2 * data_ratio["stderr"]
    # 0.85 against a prior of 1 +- 10 %: consistent, not flagged
    assert data_ratio["z"] < 3 and "agree within the stated calibration" in agree["verdict"]
    assert not any("calibration" in f["quantity"] for f in s["flags"])


@pytest.mark.slow
def test_methods_that_disagree_beyond_the_stated_calibration_are_flagged(tmp_path, capsys):
    st, hp, ts = make_stack(tmp_path, seed=4, c_hall=0.7)
    out = tmp_path / "out"
    code = main(["thickness", *map(str, st + hp), "--joint", "--thickness",
                 ",".join(f"{t:g}nm" for t in ts), "--calibration-prior",
                 "hall=lognormal(1,0.02)", "--no-figures", "--strict", "--out", str(out)])
    assert code == 3
    s = json.loads((out / "summary.json").read_text())
    z = s["method_agreement"]["calibration_from_data"]["hall"]["z"]
    assert z > 3 and "disagree" in s["method_agreement"]["verdict"]
    assert any(f["quantity"] == "calibration.hall" for f in s["flags"])
    assert "methods:" in capsys.readouterr().out


def test_calibration_prior_input_errors(tmp_path, capsys):
    st, hp, ts = make_stack(tmp_path, t_stfmr=(6, 10, 20, 40), t_hall=(8, 16, 30))
    base = ["thickness", *map(str, st + hp), "--joint", "--thickness",
            ",".join(f"{t:g}nm" for t in ts), "--no-figures"]
    assert main(base + ["--calibration-prior", "hall=lognormal(0,0.1)", "--out",
                        str(tmp_path / "a")]) == 2
    assert "takes the median" in capsys.readouterr().err
    assert main(base + ["--calibration-prior", "kerr=lognormal(1,0.1)", "--out",
                        str(tmp_path / "b")]) == 2
    assert "not among the methods" in capsys.readouterr().err
    # one method only: a calibration prior has nothing to calibrate against
    assert main(["thickness", *map(str, st), "--joint", "--calibration-prior",
                 "stfmr=lognormal(1,0.1)", "--no-figures", "--out", str(tmp_path / "c")]) == 2
    assert "two or more methods" in capsys.readouterr().err
