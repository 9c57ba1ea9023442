"""``sotfit stfmr --angle-scan`` end to end: x-, y- and z-polarised torques from spectra at
twelve in-plane field angles, made with the numerical linearised-LLG solve of
tests/test_stfmr_torques.py (an independent route: no closed-form lineshape, AMR from
(m . x)^2), both field polarities, the angle given in headers, file names and an option."""

import json
from pathlib import Path

import numpy as np
import pytest

import sotfit as sf
from sotfit.cli import main
from sotfit.io.stfmr import angle_from_name

from test_stfmr_torques import ALPHA, DELTA_R, F, GAM, I_RF, MEFF, X, Y, Z, llg_vmix

PLANTED = {"mu0_h_dl_y": 1.5e-4, "mu0_h_dl_x": 0.4e-4, "mu0_h_dl_z": -0.5e-4,
           "mu0_h_y": -2.0e-4, "mu0_h_x": 0.5e-4, "mu0_h_z": 0.6e-4}  # T at the current peak
ANGLES = (15.0, 40.0, 65.0, 115.0, 140.0, 160.0, 200.0, 225.0, 250.0, 290.0, 320.0, 340.0)
NOISE = 0.5  # uV (signals of 20-200 uV)


def _vmix(phi, seed):
    dl = {tuple(Y): PLANTED["mu0_h_dl_y"], tuple(X): PLANTED["mu0_h_dl_x"],
          tuple(Z): PLANTED["mu0_h_dl_z"]}
    fl = PLANTED["mu0_h_y"] * Y + PLANTED["mu0_h_x"] * X + PLANTED["mu0_h_z"] * Z
    hr = sf.models.kittel_inplane(F, meff=MEFF, gyromagnetic_ratio=GAM)
    w = F * ALPHA / GAM
    h = np.linspace(hr + 10 * w, -(hr + 10 * w), 601)  # swept from + to -
    h = h[np.abs(h) > 0.2 * hr]
    v = llg_vmix(h, phi, meff=MEFF, gamma_ghz_t=GAM, alpha=ALPHA, f_ghz=F, dl=dl, fl=fl,
                 i_rf_ma=I_RF, delta_r=DELTA_R)
    return h, v + np.random.default_rng(seed).normal(0, NOISE, v.size)


def _write(path, h, v, header=""):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header)
        fh.write("field (T),vmix (uV)\n")
        for x, y in zip(h, v):
            fh.write(f"{x:.10g},{y:.8g}\n")
    return str(path)


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """Twelve files; the angle in four spellings, one file needing --field-angle."""
    d = tmp_path_factory.mktemp("scan")
    files = []
    for i, phi in enumerate(ANGLES):
        h, v = _vmix(phi, seed=100 + i)
        kind = i % 5
        if kind == 0:
            files.append(_write(d / f"dev_{F:g}GHz_{i}.csv", h, v,
                                f"# field_angle_deg: {phi:g}\n"))
        elif kind == 1:
            files.append(_write(d / f"dev_{F:g}GHz_b{i}.csv", h, v, f"# Angle (deg): {phi:g}\n"))
        elif kind == 2:
            files.append(_write(d / f"dev_{F:g}GHz_phi{phi:g}deg.csv", h, v))
        elif kind == 3:
            files.append(_write(d / f"dev_{F:g}GHz_{phi:g}deg_x.csv", h, v))
        else:
            files.append(_write(d / f"dev_{F:g}GHz_angle{phi:g}.csv", h, v))
    h, v = _vmix(45.0 + 270.0, seed=99)  # the thirteenth: angle only from the option
    files.append(_write(d / f"dev_{F:g}GHz_noangle.csv", h, v))
    return files


def _run(args, capsys):
    rc = main(["stfmr", *args])
    return rc, capsys.readouterr()


def test_angle_from_name_spellings():
    assert angle_from_name("dev_phi30deg.csv") == 30.0
    assert angle_from_name("x_30deg_9GHz.csv") == 30.0
    assert angle_from_name("angle30.dat") == 30.0
    assert angle_from_name("s_phim15p5deg.csv") == -15.5
    assert angle_from_name("stfmr_9.00GHz_10.00dBm_0.00mA.dat") is None
    # the degree sign is a unit as 'deg' is (dev1_10GHz_30°.txt had no angle)
    assert angle_from_name("dev1_10GHz_30\u00b0.txt") == 30.0
    assert angle_from_name("dev1_10GHz_-45 \u00b0.txt") == -45.0
    assert angle_from_name("T_300degC_9GHz.csv") is None
    with pytest.raises(sf.DataError, match="several field angles"):
        angle_from_name("phi30deg_45deg.csv")


def test_planted_x_y_z_torques_recovered_through_the_command_line(scan, tmp_path, capsys):
    out = tmp_path / "out"
    rc, cap = _run([*scan, "--angle-scan", "--out", str(out), "--irf", f"{I_RF}mA", "--irf-is",
                    "peak",
                    "--delta-r", f"{DELTA_R}Ohm", "--meff", f"{MEFF}T",
                    "--field-angle", "dev_10GHz_noangle.csv=315deg"], capsys)
    assert rc == 0
    s = json.loads((out / "summary.json").read_text())["angle"]
    assert s["torque_units"] == "T" and s["n_points"] == 2 * len(scan)
    assert s["frequency"]["value"] == F
    assert sorted(s["field_angles"]["value"]) == sorted(ANGLES + (315.0,))
    for k, truth in PLANTED.items():
        q = s["torques"][k]
        assert q["unit"] == "T" and q["stderr"] > 0
        # within 2 sigma of the planted value; and the test resolves every component
        assert abs(q["value"] - truth) < 2 * q["stderr"], (k, q, truth)
        assert q["stderr"] < 0.25 * abs(truth), k
    # the amplitude model describes the data (errors of the branch fits are honest)
    assert s["vs_reduced_chi_square"] < 2 and s["va_reduced_chi_square"] < 2
    assert (out / "figures" / "angle.png").stat().st_size > 0
    assert "mu0_h_dl_z" in cap.out and "torque components (T)" in cap.out

    # the width is a half width: the summary and the tables say so, as a frequency scan's do
    # (the summary of an angle scan did not)
    import pandas as pd

    assert json.loads((out / "summary.json").read_text())["linewidth_convention"] == "HWHM"
    for name in ("spectra.csv", "spectra_combined.csv"):
        assert set(pd.read_csv(out / name)["linewidth_convention"]) == {"HWHM"}

    # without I_rf and Delta_R: ratios, M_eff from the resonance field with the given g
    out2 = tmp_path / "ratios"
    rc, _ = _run([*scan, "--angle-scan", "--out", str(out2), "--no-figures",
                  "--gyromagnetic-ratio", f"{GAM}GHz/T",
                  "--field-angle", "dev_10GHz_noangle.csv=315"], capsys)
    r = json.loads((out2 / "summary.json").read_text())["angle"]
    assert r["torque_units"] == "ratio"
    assert abs(r["mu0_meff"]["value"] - MEFF) < 0.01 * MEFF  # closed form vs LLG: O(W/H)
    P = PLANTED
    truth = {"dl_x_over_dl_y": P["mu0_h_dl_x"] / P["mu0_h_dl_y"],
             "dl_z_over_h_y": P["mu0_h_dl_z"] / P["mu0_h_y"],
             "dl_y_over_h_y": P["mu0_h_dl_y"] / P["mu0_h_y"],
             "h_x_over_h_y": P["mu0_h_x"] / P["mu0_h_y"],
             "h_z_over_dl_y": P["mu0_h_z"] / P["mu0_h_dl_y"]}
    for k, t in truth.items():
        q = r["torques"][k]
        assert q["unit"] == "" and abs(q["value"] - t) < 2 * q["stderr"], (k, q, t)


def test_bad_angle_scans_name_the_files(scan, tmp_path, capsys):
    some = scan[:4]
    # missing angle
    rc, cap = _run([*some, scan[-1], "--angle-scan", "--out", str(tmp_path / "a")], capsys)
    assert rc != 0 and "no field angle" in cap.err and "dev_10GHz_noangle.csv" in cap.err
    assert "--field-angle dev_10GHz_noangle.csv=30deg" in cap.err     # the option named
    # the option contradicts the header
    rc, cap = _run([scan[0], "--angle-scan", "--out", str(tmp_path / "b"), "--field-angle",
                    f"{scan[0].rsplit('/', 1)[-1]}=20"], capsys)
    assert rc != 0 and "dev_10GHz_0.csv" in cap.err and "gives 15 deg" in cap.err
    # the option gives one file two different angles
    rc, cap = _run([scan[2], "--angle-scan", "--out", str(tmp_path / "b2"), "--field-angle",
                    "x.csv=20", "--field-angle", "x.csv=30"], capsys)
    assert rc != 0 and "gives x.csv twice with different values" in cap.err
    # one angle only (two runs at it, each with its own noise)
    d = tmp_path / "one"
    d.mkdir()
    h, v = _vmix(40.0, 1)
    one = [_write(d / "a_10GHz_phi40deg.csv", h, v),
           _write(d / "b_10GHz_phi40deg.csv", *_vmix(40.0, 2), "# second run\n")]
    rc, cap = _run([*one, "--angle-scan", "--out", str(tmp_path / "c")], capsys)
    assert rc != 0 and "one field angle, 40 deg" in cap.err and "b_10GHz_phi40deg.csv" in cap.err
    # mixed frequencies (one sample's: in the scan's folder; files of two folders are two
    # samples, refused first)
    other = _write(Path(some[0]).parent / "c_12GHz_phi65deg.csv", h, v)
    rc, cap = _run([*some, other, "--angle-scan", "--out", str(tmp_path / "e")], capsys)
    assert rc != 0 and "different frequencies" in cap.err and "c_12GHz_phi65deg.csv" in cap.err
    # several angles without --angle-scan: refused, not averaged
    rc, cap = _run([*some, "--out", str(tmp_path / "f")], capsys)
    assert rc != 0 and "--angle-scan" in cap.err and "dev_10GHz_phi65deg.csv" in cap.err


def test_reader_takes_the_angle_from_header_name_or_mapping(tmp_path):
    h, v = np.linspace(-0.2, 0.2, 41), np.linspace(0.0, 1.0, 41)
    a = _write(tmp_path / "a_9GHz.csv", h, v, "# Angle (deg): 60\n")
    b = _write(tmp_path / "b_9GHz.csv", h, v, "# angle: 60\n")  # no unit: not guessed
    c = _write(tmp_path / "c_9GHz_phi30deg.csv", h, v)
    with pytest.warns(UserWarning, match="'angle' = '60' has no unit"):
        sw = sf.io.read_stfmr([a, b, c], field_angle={"b_9GHz.csv": f"{np.pi / 2}rad"})
    got = [d.meta.get("field_angle") for d in sw]
    assert got == [60.0, pytest.approx(90.0), 30.0]
    assert sw[0].meta["field_angle_from"] == "header entry 'Angle (deg)'"
    assert sw[2].meta["field_angle_from"] == "file name"
    with pytest.raises(sf.DataError, match="match none of the files"):
        sf.io.read_stfmr([a], field_angle={"zz.csv": 10})
    with pytest.raises(sf.DataError, match="c_9GHz_phi30deg.csv: the file name gives 30 deg"):
        sf.io.read_stfmr([c], field_angle=[31.0])


def test_frequency_scan_uses_the_one_angle_the_files_share(tmp_path, capsys):
    files = [_write(tmp_path / f"{k}_10GHz_phi40deg.csv", *_vmix(40.0, seed), f"# run {k}\n")
             for k, seed in (("a", 3), ("b", 4))]
    rc, _ = _run([*files, "--out", str(tmp_path / "o"), "--no-figures"], capsys)
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    # where the angle came from is said (a folder name 'oop_tilt_5deg' was said as 'the files')
    assert rc == 0 and "field angle 40 deg taken from the files (file name) for the torques" \
        in s["notes"]
    rc, cap = _run([*files, "--out", str(tmp_path / "p"), "--angle", "45deg"], capsys)
    assert rc != 0 and "disagrees with the field angle 40 deg" in cap.err


def test_angle_scan_flags_and_strict_exit_status(scan, tmp_path, capsys):
    """A clean scan carries no flag (--strict: 0); one file given the wrong field angle makes
    the angular fits miss (reduced chi-square far above 1): the amplitudes and torques are
    flagged and --strict exits 3; M_eff from an assumed g is flagged."""
    common = [*scan, "--angle-scan", "--no-figures", "--strict", "--irf", f"{I_RF}mA", "--irf-is",
              "peak",
              "--delta-r", f"{DELTA_R}Ohm"]
    rc, cap = _run([*common, "--out", str(tmp_path / "ok"), "--meff", f"{MEFF}T",
                    "--field-angle", "dev_10GHz_noangle.csv=315deg"], capsys)
    assert rc == 0
    s = json.loads((tmp_path / "ok" / "summary.json").read_text())
    assert s["flags"] == []
    rc, cap = _run([*common, "--out", str(tmp_path / "bad"), "--meff", f"{MEFF}T",
                    "--field-angle", "dev_10GHz_noangle.csv=135deg"], capsys)
    assert rc == 3 and "flagged" in cap.err
    a = json.loads((tmp_path / "bad" / "summary.json").read_text())["angle"]
    assert a["vs_reduced_chi_square"] > 5 or a["va_reduced_chi_square"] > 5
    worse = "vs" if a["vs_reduced_chi_square"] > a["va_reduced_chi_square"] else "va"
    q = a["torques"]["mu0_h_dl_y" if worse == "vs" else "mu0_h_y"]
    assert any(f"V_{worse[1]}(phi) fit: reduced chi-square" in r for r in q["flags"])
    assert any(f"V_{worse[1]}(phi) fit" in r for r in a["amplitudes"][f"{worse}_y"]["flags"])
    rc, _ = _run([*common, "--out", str(tmp_path / "g"),
                  "--field-angle", "dev_10GHz_noangle.csv=315deg"], capsys)
    assert rc == 3
    angle = json.loads((tmp_path / "g" / "summary.json").read_text())["angle"]
    assert any("free-electron g" in r for r in angle["mu0_meff"]["flags"])
    # M_eff enters every torque field in T through the amplitude factors (with an assumed g
    # they came out 5-17 sigma off, M_eff alone flagged); a ratio within one fit keeps no trace
    for k, q in angle["torques"].items():
        said = any(r.startswith("mu0_meff from") for r in q.get("flags", []))
        assert said == (q["unit"] == "T" or k == "dl_y_over_h_y"), (k, q)


def test_a_spectrum_left_out_of_an_angle_scan_is_flagged(scan, tmp_path, capsys):
    """A spectrum left out of an angle scan (no resonance in it) went to ``failures`` without a
    flag, so --strict exited 0, against the docs; a frequency scan's are flagged."""
    h, _ = _vmix(100.0, seed=7)
    noise = np.random.default_rng(8).normal(0, NOISE, h.size)
    # beside the scan's files: one sample (the folder), not two
    flat = _write(Path(scan[0]).parent / f"dev_{F:g}GHz_phi100deg.csv", h, noise)
    try:
        rc, cap = _run([*scan, flat, "--angle-scan", "--no-figures", "--strict", "--irf",
                        f"{I_RF}mA", "--irf-is", "peak", "--delta-r", f"{DELTA_R}Ohm", "--meff",
                        f"{MEFF}T",
                        "--field-angle", "dev_10GHz_noangle.csv=315deg",
                        "--out", str(tmp_path / "o")], capsys)
    finally:
        Path(flat).unlink()
    assert rc == 3, cap.err
    angle = json.loads((tmp_path / "o" / "summary.json").read_text())["angle"]
    assert [f["source"] for f in angle["failures"]] == [Path(flat).name]
    assert angle["failures"][0]["flags"][0].startswith("left out of every fit")


@pytest.mark.parametrize("name, angle", [
    ("run3_10.0GHz_-45deg.csv", -45.0), ("x_-45.0deg.csv", -45.0), ("x_-45_deg.csv", -45.0),
    ("x(-45deg).csv", -45.0), ("phi=-45deg.csv", -45.0), ("-45deg.csv", -45.0),
    ("phi_-45deg.csv", -45.0), ("angle-15deg.csv", -15.0), ("run3_10.0GHz_45deg.csv", 45.0),
])
def test_a_minus_sign_before_an_angle_in_a_name_is_read(name, angle):
    """'run3_10.0GHz_-45deg.csv' was read as +45 deg (a sign was read only after phi/angle):
    xi_DL and xi_FL of the other sign, hundreds of standard errors off, with no flag."""
    assert angle_from_name(name) == angle


def test_a_hyphen_after_a_letter_or_digit_is_settled_by_the_option(tmp_path, capsys):
    """'Py-45deg': the hyphen may be a minus sign or a separator. The name alone is an error
    naming both readings and the options; --field-angle with either of the two reads it."""
    from sotfit.io.stfmr.names import AmbiguousSign

    with pytest.raises(AmbiguousSign, match=r"'Py-45deg': the '-' may be a minus sign \(-45 deg\)"
                                            r" or a separator \(45 deg\)"):
        angle_from_name("Py-45deg.csv")
    h, v = _vmix(-45.0, seed=7)
    name = f"Py_{F:g}GHz-45deg.csv"
    f = _write(tmp_path / name, h, v)
    rc, cap = _run([f, "--no-figures", "--out", str(tmp_path / "o")], capsys)
    assert rc == 2
    assert f"--field-angle {name}=-45deg or --field-angle {name}=45deg" in cap.err
    assert not (tmp_path / "o").exists()
    rc, cap = _run([f, "--field-angle", f"{name}=-45deg", "--no-figures", "--out",
                    str(tmp_path / "p")], capsys)
    assert rc == 0, cap.err
    assert "field angle -45 deg taken from the files" in cap.err + cap.out
    rc, cap = _run([f, "--field-angle", f"{name}=30deg", "--no-figures", "--out",
                    str(tmp_path / "q")], capsys)
    assert rc == 2          # neither reading of the name: the option does not overrule it


def test_a_given_meff_or_g_that_implies_no_ferromagnets_g_is_flagged(scan, tmp_path, capsys):
    """One frequency measures M_eff or g, not both. mu0 Ms given for mu0 M_eff (1.1 T for the
    planted 0.85 T) put mu0_h_dl_y 10 % off, unflagged: at the fitted resonance it implies
    g = 1.85, no ferromagnet's; the planted M_eff implies g = 2.07 and flags nothing (the clean
    run above). A given g outside the range flags the M_eff it gives, naming --g."""
    common = [*scan, "--angle-scan", "--no-figures", "--irf", f"{I_RF}mA", "--irf-is", "peak",
              "--delta-r", f"{DELTA_R}Ohm", "--field-angle", "dev_10GHz_noangle.csv=315deg"]
    runs = {}
    for name, given in (("ms", ["--meff", "1.1T"]), ("right", ["--meff", f"{MEFF}T"]),
                        ("g", ["--g", "1.7"])):
        assert _run([*common, *given, "--out", str(tmp_path / name)], capsys)[0] == 0
        runs[name] = json.loads((tmp_path / name / "summary.json").read_text())["angle"]
    said = runs["ms"]["mu0_meff"]["flags"]
    assert len(said) == 1 and "given as 1.1 T implies g = 1.848" in said[0]
    assert "outside 1.95-2.4" in said[0] and "check --meff" in said[0]
    for k, q in runs["ms"]["torques"].items():
        assert any(r.startswith("mu0_meff given as 1.1 T") for r in q["flags"]), k
    off = (runs["ms"]["torques"]["mu0_h_dl_y"]["value"] / PLANTED["mu0_h_dl_y"] - 1) * 100
    assert off > 5
    assert "flags" not in runs["right"]["mu0_meff"]
    assert not any("flags" in q for q in runs["right"]["torques"].values())
    said = runs["g"]["mu0_meff"]["flags"]
    assert any("from the given g = 1.7 (--g" in r for r in said), said


def test_the_g_of_a_given_meff_or_gyromagnetic_ratio():
    from sotfit.analysis.stfmr.checks import angle_scan_g_reason
    from sotfit.models import kittel_inplane
    from sotfit.units import gyromagnetic_ratio_from_g

    h = float(kittel_inplane(F, meff=MEFF, gyromagnetic_ratio=GAM))
    assert angle_scan_g_reason(h, F, MEFF) is None
    assert "given as 1.45 T implies g = 1.629 from" in angle_scan_g_reason(h, F, MEFF + 0.6)
    assert "no g puts the resonance" in angle_scan_g_reason(h, F, -h - 0.1)
    assert angle_scan_g_reason(h, F) is None and angle_scan_g_reason(h, F, None, GAM) is None
    assert "given g = 2.5 (--g" in angle_scan_g_reason(h, F, None, gyromagnetic_ratio_from_g(2.5))
