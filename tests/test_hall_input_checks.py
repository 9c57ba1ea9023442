"""Harmonic Hall input that must not give a silent wrong number: every message names the file,
the column and the row; outliers and angles beyond two turns are refused."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit.cli import main
from sotfit.io.hall import HallReadError, read_hall_table, read_magnet_calibration

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example"
KW = dict(scan="phi", current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X", gain_2w=10)
CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel", "X",
        "--gain-2w", "10", "--no-figures"]


def _copy(tmp_path, sub="inplane"):
    d = tmp_path / sub
    shutil.copytree(EX / sub, d)
    return d


def _set(path, column, row, value):
    df = pd.read_csv(path)
    df[column] = df[column].astype(object if isinstance(value, str) else float)
    df.loc[row, column] = value
    df.to_csv(path, index=False)
    return path


# ------------------------------------------------------------------ messages (empty, malformed)
def test_empty_file_names_the_file(tmp_path):
    f = tmp_path / "empty.csv"
    f.write_text("")
    with pytest.raises(HallReadError, match=r"empty\.csv: the file is empty"):
        read_hall_table(f, **KW)


def test_header_only_file_names_the_file_and_columns(tmp_path):
    f = tmp_path / "header.csv"
    f.write_text("phi (deg),field (mT),X1 (uV),Y1 (uV),X2 (uV),Y2 (uV)\n")
    with pytest.raises(HallReadError, match=r"header\.csv: header only, no data rows.*X2 \(uV\)"):
        read_hall_table(f, **KW)


def test_non_numeric_cell_names_file_column_row_and_cell(tmp_path):
    f = _set(_copy(tmp_path) / "phi_050mT.csv", "X1 (uV)", 7, "1.2.3")
    with pytest.raises(HallReadError, match=r"phi_050mT\.csv: column 'X1 \(uV\)' has non-numeric "
                                            r"value\(s\) '1\.2\.3' at line\(s\) \[9\]"):
        read_hall_table(f, **KW)


def test_missing_column_names_the_file_and_the_columns(tmp_path):
    f = _copy(tmp_path) / "phi_050mT.csv"
    pd.read_csv(f).drop(columns=["phi (deg)"]).to_csv(f, index=False)
    with pytest.raises(HallReadError, match=r"phi_050mT\.csv: no column for the scanned phi.*X1 \(uV\)"):
        read_hall_table(f, **KW)
    g = _copy(tmp_path, "pma") / "sweep_x_up.csv"
    with pytest.raises(HallReadError, match=r"sweep_x_up\.csv: columns=\{'x': 'B \(T\)'\} names no column"
                                            r".*field \(mT\)"):
        read_hall_table(g, **{**KW, "scan": "field", "columns": {"x": "B (T)"}})


def test_calibration_messages_name_the_file(tmp_path):
    f = tmp_path / "cal.csv"
    f.write_text("")
    with pytest.raises(HallReadError, match=r"cal\.csv: the file is empty"):
        read_magnet_calibration(f, "A", "mT")
    f.write_text("current (A),trial1 (mT)\n0.0,0.1\n0.5,x20\n")
    with pytest.raises(HallReadError, match=r"cal\.csv: column 'trial1 \(mT\)' has non-numeric.*'x20'.*line\(s\) \[3\]"):
        read_magnet_calibration(f)
    f.write_text("current (A),trial1 (furlong)\n0.0,0.1\n")
    with pytest.raises(HallReadError, match=r"cal\.csv: .*furlong"):
        read_magnet_calibration(f)


def test_calibration_with_two_fields_for_one_current_or_a_turning_field_is_refused(tmp_path):
    # the up and down branches of a loop, sorted together, were interpolated between branches
    f = tmp_path / "cal.csv"
    f.write_text("current (A),B (mT)\n0,0\n0.5,20\n1.0,40\n1.0,38\n0.5,18\n0,1\n")
    with pytest.raises(HallReadError, match=r"cal\.csv: magnet current 0 A is written on two rows "
                                            r"\(line\(s\) \[2, 7\]\).*side by side as columns"):
        read_magnet_calibration(f)
    # a mistyped field (14 for 40 mT) was interpolated through
    f.write_text("current (A),B (mT)\n0,0\n0.5,20\n1.0,14\n1.5,60\n")
    with pytest.raises(HallReadError, match=r"cal\.csv: the field \(B \(mT\)\) turns back between "
                                            r"magnet currents 0\.5 and 1 A \(line\(s\) \[3, 4\]: 20 then 14 mT"):
        read_magnet_calibration(f)
    f.write_text("current (A),B (mT)\n0.5,20\n")
    with pytest.raises(HallReadError, match=r"cal\.csv: a calibration needs at least two magnet currents"):
        read_magnet_calibration(f)
    # a falling table (a magnet wired the other way) and a saturating one read as before
    f.write_text("current (A),B (mT)\n0,0\n0.5,-20\n1.0,-40\n")
    assert np.allclose(read_magnet_calibration(f)(0.75)[0], -0.03)
    f.write_text("current (A),B (mT)\n0,0\n0.5,20\n1.0,40\n1.5,60.0\n2.0,59.99\n")
    assert np.allclose(read_magnet_calibration(f)(1.75)[0], 0.059995)


def test_calibration_rows_of_one_current_whose_fields_agree_are_read_as_one(tmp_path):
    """A bipolar table written as its two halves, 0 A on both (0.3 and 0.2 mT of a 400 mT
    range), was read and interpolated; refusing every current on two rows refused it. Rows of
    one current whose fields agree within the tolerance of a turn are its repeated measurements;
    a loop's branches, which differ by more, are refused, the fields named."""
    f = tmp_path / "cal.csv"
    f.write_text("current (A),B (mT)\n-2,-200.1\n-1,-100.2\n0,0.3\n0,0.2\n1,100.1\n2,200.3\n")
    cal = read_magnet_calibration(f)
    assert np.array_equal(cal.current, [-2, -1, 0, 1, 2])
    assert np.allclose(cal.field[2], 0.25e-3) and np.allclose(cal.field_stderr[2], 0.05e-3)
    assert np.allclose(cal(0.5)[0], 0.5 * (0.25e-3 + 100.1e-3))
    f.write_text("current (A),B (mT)\n-2,-200.1\n-1,-100.2\n0,-3.0\n0,0.2\n0,3.1\n1,100.1\n"
                 "2,200.3\n")
    with pytest.raises(HallReadError, match=r"magnet current 0 A is written on three rows "
                                            r"\(line\(s\) \[4, 5, 6\]\) of fields that differ "
                                            r"\(-3, 0\.2, 3\.1 mT\)"):
        read_magnet_calibration(f)


def test_calibration_of_two_currents_extrapolates_with_the_points_errors(tmp_path):
    # numpy's line fit cannot give a covariance from two points: a ValueError came out
    f = tmp_path / "cal.csv"
    f.write_text("current (A),t1 (mT),t2 (mT)\n0,0.1,-0.1\n1.0,40.1,39.9\n")
    cal = read_magnet_calibration(f)
    field, err, outside = cal([1.5, -1.0], extrapolate=True)
    assert outside.all()
    assert np.allclose(field, [0.060, -0.040])
    # standard errors 0.1 mT at 0 and 1 A carried along the line: 1.5 A -> hypot(0.5, 1.5) x 0.1
    assert np.allclose(err, [np.hypot(0.5, 1.5) * 1e-4, np.hypot(2.0, 1.0) * 1e-4])


def test_cli_empty_and_malformed_files_exit_2_naming_the_file(tmp_path, capsys):
    d = _copy(tmp_path)
    (d / "phi_050mT.csv").write_text("")
    rc = main(["hall", *map(str, sorted(d.glob("phi_*.csv"))), "--method", "avci", *CONV,
               "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "phi_050mT.csv" in err and "empty" in err
    rc = main(["hall", *map(str, sorted(d.glob("phi_*.csv"))), "--method", "macrospin", *CONV,
               "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "phi_050mT.csv" in err and "empty" in err
    (d / "phi_050mT.csv").write_text("phi (deg),field (mT),X1 (uV),Y1 (uV),X2 (uV),Y2 (uV)\n")
    rc = main(["hall", *map(str, sorted(d.glob("phi_*.csv"))), "--method", "macrospin", *CONV,
               "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "phi_050mT.csv" in err and "header only" in err


# ------------------------------------------------------------------ outliers and absurd angles
def test_second_harmonic_value_of_1e300_is_an_error_naming_file_column_row(tmp_path):
    f = _set(_copy(tmp_path) / "phi_050mT.csv", "X2 (uV)", 10, 1e300)
    with pytest.raises(HallReadError, match=r"phi_050mT\.csv: column 'X2 \(uV\)': R_2w .* at "
                                            r"line\(s\) \[12\]"):
        read_hall_table(f, **KW)


def test_isolated_outlier_is_an_error_naming_the_row(tmp_path):
    # 2 V among readings of a few hundred uV: not beyond the physical limit, but an outlier
    f = _set(_copy(tmp_path) / "phi_050mT.csv", "X2 (uV)", 33, 2e6)
    with pytest.raises(HallReadError, match=r"'X2 \(uV\)'.*line\(s\) \[35\].*robust standard "
                                            r"deviations"):
        read_hall_table(f, **KW)


def test_field_outlier_in_a_sweep_is_an_error(tmp_path):
    f = _set(_copy(tmp_path, "pma") / "sweep_x_up.csv", "field (mT)", 4, 1e300)
    with pytest.raises(HallReadError, match=r"sweep_x_up\.csv: column 'field \(mT\)': field .* "
                                            r"line\(s\) \[6\]"):
        read_hall_table(f, **{**KW, "scan": "field"})


@pytest.mark.parametrize("angle", [1e300, 1e5, -721.0])
def test_angle_beyond_two_turns_is_an_error_naming_the_row(tmp_path, angle):
    f = _set(_copy(tmp_path) / "phi_400mT.csv", "phi (deg)", 10, angle)
    with pytest.raises(HallReadError, match=r"phi_400mT\.csv: column 'phi \(deg\)': angle .* at "
                                            r"line\(s\) \[12\] beyond \+-720 deg"):
        read_hall_table(f, **KW)


def test_angles_up_to_two_turns_are_read(tmp_path):
    f = _copy(tmp_path) / "phi_400mT.csv"
    df = pd.read_csv(f)
    df["phi (deg)"] = df["phi (deg)"] + 360.0        # a second turn of the rotator
    df.to_csv(f, index=False)
    s = read_hall_table(f, **KW)
    assert s.r1w.x.max() == pytest.approx(718.0)


def test_mz_state_other_than_plus_minus_one_is_an_error(tmp_path):
    f = _set(_copy(tmp_path, "pma") / "sweep_x_up.csv", "mz_state", slice(None), 2.0)
    with pytest.raises(HallReadError, match=r"sweep_x_up\.csv: column 'mz_state' is 2"):
        read_hall_table(f, **{**KW, "scan": "field"})


def test_cli_angle_of_1e300_exits_2_naming_the_row(tmp_path, capsys):
    d = _copy(tmp_path)
    _set(d / "phi_400mT.csv", "phi (deg)", 10, 1e300)
    rc = main(["hall", *map(str, sorted(d.glob("phi_*.csv"))), "--method", "avci", *CONV,
               "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "phi_400mT.csv" in err and "line(s) [12]" in err
    assert not (tmp_path / "out").exists()


def test_real_files_pass_the_outlier_checks(real_data):
    """The measured Py/Pt files (noise, drifts, a constant source current) are not refused."""
    root = real_data / "hhv_py_pt"
    cal = read_magnet_calibration(root / "magnet_calibration.csv", current_unit="A", field_unit="mT")
    for f in sorted((root / "sample_A").glob("repeat_*.csv")):
        s = read_hall_table(f, scan="phi", current_is="peak", lockin_output="rms", r2w_channel="X",
                            gain_2w=100.0, voltage_unit="V", angle_unit="deg", calibration=cal)
        assert np.all(np.isfinite(s.r2w.y)) and "no_signal" not in s.meta


def test_constant_second_harmonic_is_marked_as_not_recorded(tmp_path):
    f = _set(_copy(tmp_path) / "phi_050mT.csv", "X2 (uV)", slice(None), 0.0)
    s = read_hall_table(f, **KW)
    assert "X2 (uV)" in s.meta["no_signal"]["r2w"] and "r1w" not in s.meta["no_signal"]
    assert json.dumps(s.meta["no_signal"])          # JSON-ready


@pytest.mark.parametrize("sub, name, column, scan", [("pma", "sweep_x_up.csv", "field (mT)", "field"),
                                                     ("inplane", "phi_050mT.csv", "phi (deg)", "phi")])
def test_a_swept_column_of_one_value_is_refused(tmp_path, sub, name, column, scan):
    """A field column scaled by 0 went on to a fit that ended in 'SVD did not converge', with
    LAPACK's own lines on the terminal; the swept column holding one value is named instead."""
    d = _copy(tmp_path, sub)
    df = pd.read_csv(d / name)
    df[column] = 0.0
    df.to_csv(d / name, index=False)
    kw = {**KW, "scan": scan}
    if scan == "field":
        kw["mz_state"] = 1
    with pytest.raises(HallReadError, match=rf"{name}: column '{re.escape(column)}' holds one "
                                            r"(field|angle) \(0 (T|deg)\) in every row"):
        read_hall_table(d / name, **kw)


def test_a_sweep_column_in_mT_headed_T_is_refused_naming_the_unit_option(tmp_path, capsys):
    """A 'B (T)' column holding mT (-60 ... 60) gave mu0_hk_eff = 600 T and torque fields 1000
    times too large with exit 0 (the limit was 100 T): beyond the strongest steady field, the
    column's unit is asked for by its option; with it the numbers are those of the file."""
    d = _copy(tmp_path, "pma")
    for f in d.glob("sweep_*.csv"):
        f.write_text(f.read_text().replace("field (mT)", "B (T)", 1))
    sweeps = sorted(map(str, d.glob("sweep_*.csv")))
    argv = ["hall", *sweeps, "--method", "hayashi", *CONV, "--r-phe", "0.15Ohm"]
    assert main([*argv, "--out", str(tmp_path / "slip")]) == 2
    err = capsys.readouterr().err
    assert "beyond +-45.5 T" in err and "--override-unit field=mT" in err
    assert main([*argv, "--column-unit", "field=mT", "--out", str(tmp_path / "disagree")]) == 2
    assert "(a header whose unit is wrong is read in mT with --override-unit field=mT)" in \
        capsys.readouterr().err
    with pytest.warns(UserWarning, match=r"column 'B \(T\)' read in mT, as --override-unit "
                      "field=mT says, not in the T of its header"):
        assert main([*argv, "--override-unit", "field=mT", "--out", str(tmp_path / "unit")]) == 0
    _same_as_the_bundled_sweeps(tmp_path, "unit")


def test_phase_columns_in_rad_without_a_unit_are_asked_about(tmp_path, capsys):
    """Lock-in magnitude and phase columns, the phases in rad with no unit ('Theta1w'): read as
    degrees, the run was refused for the 2w channel and then for an in-plane anisotropy, never
    naming the unit. Phases within +-pi without a unit are asked about; with the unit the
    results are those of the X/Y files."""
    files = []
    for src in sorted((EX / "inplane").glob("*.csv")):
        df = pd.read_csv(src)
        out = pd.DataFrame({"phi (deg)": df["phi (deg)"], "field (mT)": df["field (mT)"]})
        for h in (1, 2):
            x, y = df[f"X{h} (uV)"], df[f"Y{h} (uV)"]
            out[f"R{h}w (uV)"] = np.hypot(x, y)
            out[f"Theta{h}w"] = np.mod(np.arctan2(y, x), 2 * np.pi)     # on [0, 2 pi)
        files.append(tmp_path / src.name)
        out.to_csv(files[-1], index=False, float_format="%.12g")
    conv = [c for c in CONV if c not in ("--r2w-channel", "X")]
    argv = ["hall", *map(str, files), "--method", "avci", *conv, "--r2w-channel", "X",
            "--meff", "0.8T", "--r-ahe", "0.8Ohm"]
    assert main([*argv, "--out", str(tmp_path / "asked")]) == 2
    err = capsys.readouterr().err
    assert "has no unit and every value lies within +-2 pi" in err
    assert "--column-unit phase1=rad or --column-unit phase1=deg" in err
    assert main([*argv, "--column-unit", "phase1=rad", "--column-unit", "phase2=rad",
                 "--out", str(tmp_path / "rad")]) == 0
    plain = sorted(map(str, (EX / "inplane").glob("*.csv")))
    assert main(["hall", *plain, "--method", "avci", *CONV, "--meff", "0.8T", "--r-ahe",
                 "0.8Ohm", "--out", str(tmp_path / "plain")]) == 0
    q = {n: json.loads((tmp_path / n / "summary.json").read_text())["quantities"]
         for n in ("rad", "plain")}
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe"):
        assert q["rad"][k]["value"] == pytest.approx(q["plain"][k]["value"], rel=1e-8)


def test_a_magnet_supply_current_column_is_named_as_such_in_the_message(tmp_path, capsys):
    """A column 'I (A)' of the magnet supply (0.75 A) beside the field column was taken for the
    source current, and the message advised leaving --current out, which would have used
    0.75 A. The message names --column magnet_current=...; with it the run gives the results
    of the files without the column."""
    files = []
    for src in sorted((EX / "inplane").glob("*.csv")):
        df = pd.read_csv(src)
        df["I (A)"] = 0.75 + 1e-4 * np.sin(np.arange(len(df)))
        files.append(tmp_path / src.name)
        df.to_csv(files[-1], index=False)
    argv = ["hall", *map(str, files), "--method", "avci", *CONV, "--meff", "0.8T",
            "--r-ahe", "0.8Ohm"]
    assert main([*argv, "--out", str(tmp_path / "asked")]) == 2
    err = capsys.readouterr().err
    assert "is the magnet supply's current" in err and '--column "magnet_current=I (A)"' in err
    assert "leave the option out" not in err
    assert main([*argv, "--column", "magnet_current=I (A)", "--out", str(tmp_path / "named")]) == 0
    plain = sorted(map(str, (EX / "inplane").glob("*.csv")))
    assert main(["hall", *plain, "--method", "avci", *CONV, "--meff", "0.8T", "--r-ahe",
                 "0.8Ohm", "--out", str(tmp_path / "plain")]) == 0
    q = {n: json.loads((tmp_path / n / "summary.json").read_text())["quantities"]
         for n in ("named", "plain")}
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe"):
        assert q["named"][k]["value"] == pytest.approx(q["plain"][k]["value"], rel=1e-12)


@pytest.mark.parametrize("line", ["# field tilted 10 deg out of plane to avoid domains",
                                  "# 5\u00b0 out-of-plane tilt of the magnet"])
def test_a_tilt_written_in_words_is_asked_about(tmp_path, capsys, line):
    """Sweeps whose preamble says the field is tilted out of the plane were read in the plane
    (H_K 133 standard errors off, exit 0): only an entry 'theta_H (deg): 80' was read. The tilt
    in words is asked about; --theta-h 90deg gives the numbers of the files without the line."""
    d = _copy(tmp_path, "pma")
    sweeps = sorted(d.glob("sweep_*.csv"))
    for f in sweeps:          # without the theta_h column, which says 90 deg itself
        table = pd.read_csv(f).drop(columns=["theta_h (deg)"]).to_csv(index=False)
        f.write_text(line + "\n" + table)
    argv = ["hall", *map(str, sweeps), "--method", "hayashi", *CONV, "--r-phe", "0.15Ohm"]
    assert main([*argv, "--out", str(tmp_path / "asked")]) == 2
    err = capsys.readouterr().err
    assert "writes a tilt of the field" in err and "--theta-h 80deg" in err
    assert main([*argv, "--theta-h", "90deg", "--out", str(tmp_path / "given")]) == 0
    _same_as_the_bundled_sweeps(tmp_path, "given")


def _same_as_the_bundled_sweeps(tmp_path, name):
    """The torques of the run in ``tmp_path / name`` equal method (b) on the bundled sweeps."""
    plain = sorted(map(str, (EX / "pma").glob("sweep_*.csv")))
    assert main(["hall", *plain, "--method", "hayashi", *CONV, "--r-phe", "0.15Ohm",
                 "--out", str(tmp_path / "plain")]) == 0
    q = {n: json.loads((tmp_path / n / "summary.json").read_text())["quantities"]
         for n in (name, "plain")}
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_hk_eff"):
        assert q[name][k]["value"] == pytest.approx(q["plain"][k]["value"], rel=1e-12)


def test_a_field_column_without_unit_is_asked_about_with_its_readings(tmp_path, capsys):
    """A field column without a unit was answered with an example unit ('give --field-unit mT'),
    whatever its numbers: a column in Oe given mT as the message said gave H_FL and H_K 10 times
    too large with exit 0. The message now says what each unit would make of the column's
    largest value and suggests none."""
    d = _copy(tmp_path, "pma")
    for f in d.glob("sweep_*.csv"):
        df = pd.read_csv(f)
        df["field (mT)"] *= 10.0                                   # the sweeps in Oe
        df.rename(columns={"field (mT)": "field"}).to_csv(f, index=False)
    sweeps = sorted(map(str, d.glob("sweep_*.csv")))
    top = max(pd.read_csv(f)["field"].abs().max() for f in d.glob("sweep_*.csv"))
    argv = ["hall", *sweeps, "--method", "hayashi", *CONV, "--r-phe", "0.15Ohm"]
    assert main([*argv, "--out", str(tmp_path / "bare")]) == 2
    err = capsys.readouterr().err
    assert "column 'field' has no unit in its header" in err
    assert f"{top * 1e-3:.3g} T if in mT, {top * 1e-4:.3g} T if in Oe" in err
    assert "--field-unit UNIT or --column-unit field=UNIT" in err and "field-unit mT" not in err
    assert main([*argv, "--field-unit", "Oe", "--out", str(tmp_path / "unit")]) == 0
    _same_as_the_bundled_sweeps(tmp_path, "unit")
