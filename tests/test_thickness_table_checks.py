"""Thickness tables as labs write them: a resistivity that varies with thickness, rows pasted
twice, one measurement given as two interfaces, standard deviations in the error column.

* Dimensionless xi made with each film's own resistivity (204-300 uOhm cm) was refused, and
  with the one bulk value the refusal asked for every xi was converted with it: lambda_s 13.6
  for the planted 15 nm, no note. Each row is now converted with its own, the bulk value going
  to the model only.
* A row pasted three times was fitted as three measurements; two tables sharing 18 of 20
  points were fitted as two interfaces (every error sqrt 2 too small): said, and refused.
* An error column of standard deviations of repeats (reduced chi-square 0.17) gave no word.
"""

import json

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.io.thickness import read_thickness_table
from sotfit.io.thickness.series import ThicknessError
from sotfit.models.drift_diffusion import xi_e_dl
from sotfit.models.sot import xi_from_xi_e

T = np.array([3.0, 5.0, 8.0, 12.0, 16.0, 20.0, 26.0, 32.0])
RHO = np.array([300.0, 260.0, 240.0, 225.0, 215.0, 210.0, 206.0, 204.0])     # uOhm cm
XI_E = xi_e_dl(T, 3.0, 15.0, 0.2, 0.3, 200.0)                                 # planted


def _dimensionless(tmp_path, header=""):
    xi = xi_from_xi_e(XI_E, RHO)
    err = 0.05 * np.max(np.abs(xi)) * np.ones_like(xi)
    rows = "\n".join(f"{t:g},{r:g},{x:.10g},{e:.6g}" for t, r, x, e in zip(T, RHO, xi, err))
    path = tmp_path / "rho_rows.csv"
    path.write_text(header + "thickness (nm),rho (uOhm cm),xi_dl,xi_dl_err\n" + rows + "\n")
    return path


def test_each_row_is_converted_with_its_own_resistivity(tmp_path):
    s = read_thickness_table(_dimensionless(tmp_path), resistivity=200.0)
    np.testing.assert_allclose(s.dl.y, XI_E, rtol=1e-8)
    assert s.resistivity == 200.0
    assert any("converted row by row" in n for n in s.meta["reader_notes"])


def test_the_bulk_value_is_asked_for_naming_the_option(tmp_path):
    with pytest.raises(ThicknessError, match=r"varies with thickness \(204-300 uOhm cm\): each "
                       r"row's dimensionless xi is converted with its own.*give it with --rho.*"
                       r"--rho 204uOhmcm"):
        read_thickness_table(_dimensionless(tmp_path))
    s = read_thickness_table(_dimensionless(tmp_path, "# resistivity: 200 uOhm cm\n"))
    np.testing.assert_allclose(s.dl.y, XI_E, rtol=1e-8)
    assert s.meta["resistivity_source"] == "header"


def _table(path, rows):
    path.write_text("# resistivity: 200 uOhm cm\nthickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),"
                    "xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
                    + "\n".join(f"{t:g},{y:.6g},{e:.4g}" for t, y, e in rows) + "\n")
    return path


def _rows(seed=0, sd=1.0, t=T):
    err = 0.004 * np.ones_like(t)
    y = xi_e_dl(t, 3.0, 15.0, 0.2, 0.3, 200.0) + np.random.default_rng(seed).normal(0, err / sd)
    return list(zip(t, y, err))


def test_a_row_pasted_twice_is_said(tmp_path):
    rows = _rows()
    s = read_thickness_table(_table(tmp_path / "dup.csv", rows + [rows[2], rows[2]]))
    said = [n for n in s.meta["reader_notes"] if "repeat" in n]
    assert len(said) == 1 and "lines 11, 12 repeat line 5 exactly" in said[0]


def test_a_row_pasted_twice_flags_the_fit(tmp_path):
    """Said in a note only, the rows pasted twice left --strict at exit 0 while every standard
    error shrank (sigma_s +- 0.89 for 0.90 with three rows twice, more with more copies); the
    command line of harmonic Hall refuses such rows. The fitted values are flagged now."""
    rows = _rows()
    clean = _table(tmp_path / "clean.csv", rows)
    dup = _table(tmp_path / "dup.csv", rows + [rows[2], rows[2]])
    assert main(["thickness", str(clean), "--strict", "--no-figures",
                 "--out", str(tmp_path / "o1")]) == 0
    assert main(["thickness", str(dup), "--strict", "--no-figures",
                 "--out", str(tmp_path / "o2")]) == 3
    s = json.loads((tmp_path / "o2" / "summary.json").read_text())
    for k in ("spin_hall_conductivity", "spin_diffusion_length"):
        assert any("lines 11, 12 repeat line 5 exactly" in f and "shrinks every standard error"
                   in f for f in s[k]["flags"]), s[k]
    assert not any("repeat" in f for f in s["resistivity"].get("flags", []))


def test_two_tables_of_one_measurement_are_refused(tmp_path, capsys):
    rows = _rows()
    a = _table(tmp_path / "a.csv", rows)
    b = _table(tmp_path / "b.csv", rows[1:])               # one point left out
    assert main(["thickness", str(a), str(b), "--label", "A", "--label", "B", "--out",
                 str(tmp_path / "out"), "--no-figures"]) == 2
    assert "share 7 of their 8 and 7 DL points exactly" in capsys.readouterr().err


def test_errors_far_larger_than_the_scatter_are_noted(tmp_path, capsys):
    many = np.linspace(2.0, 32.0, 16)
    path = _table(tmp_path / "sd.csv", _rows(sd=5.0, t=many))    # scatter 5 times below
    assert main(["thickness", str(path), "--out", str(tmp_path / "out"), "--no-figures"]) == 0
    assert "is improbably small" in capsys.readouterr().out


def test_a_table_of_one_thickness_is_refused(tmp_path, capsys):
    """Every row at 10 nm (repeats of one film) gave exit 0 with standard errors of 1e13."""
    path = tmp_path / "equal.csv"
    path.write_text("# resistivity: 350.3 uOhm cm\n"
                    "thickness (nm),xi_e_dl (S/m),xi_e_dl_err (S/m)\n"
                    "10,15000,500\n10,15100,500\n10,14900,500\n10,15050,500\n")
    assert main(["thickness", str(path), "--no-figures", "--out", str(tmp_path / "out")]) == 2
    assert "every point is at 10 nm; a thickness series needs two thicknesses or more" in \
        capsys.readouterr().err


def _dl_fl_table(path, rows, fmt="{:.6g}"):
    path.write_text("# resistivity: 200 uOhm cm\nthickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),"
                    "xi_e_dl_stderr (1e5 Ohm^-1 m^-1),xi_e_fl (1e5 Ohm^-1 m^-1),"
                    "xi_e_fl_stderr (1e5 Ohm^-1 m^-1)\n"
                    + "\n".join(",".join(fmt.format(v) for v in r) for r in rows) + "\n")
    return path


def test_a_device_that_repeats_one_series_only_is_not_a_row_pasted_twice(tmp_path):
    """A second device whose FL pair equals the first's to the digits written, its DL value
    another, was said to be 'a row pasted twice: delete it', and the fit flagged. Only rows
    that repeat in every column read are; values written with few digits beside their errors
    (two devices may agree to them) are noted, not flagged."""
    t = np.array([2, 3, 4, 6, 8, 10, 14, 20.0])
    dl = xi_e_dl(t, 3.0, 15.0, 0.2, 0.3, 200.0)
    rows = [(a, b, 0.004, -0.5 * b, 0.004) for a, b in zip(t, dl)]
    second = (rows[3][0], rows[3][1] * 1.05, 0.004, rows[3][3], 0.004)
    s = read_thickness_table(_dl_fl_table(tmp_path / "two_devices.csv", rows + [second]))
    assert not [n for n in s.meta.get("reader_notes", ()) if "repeat" in n]
    assert "repeated_rows" not in s.dl.meta
    rows = [(a, b, 0.01, c, 0.01) for a, b, _, c, _ in rows]            # two decimals
    coarse = _dl_fl_table(tmp_path / "coarse.csv", rows + [rows[3]], fmt="{:.2f}")
    main(["thickness", str(coarse), "--joint", "--no-figures", "--out", str(tmp_path / "o")])
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert any("line 11 repeats line 6 exactly in every column read" in n
               and "two devices may agree to them" in n for n in s["notes"])
    assert not any("repeat" in f["reason"] for f in s["flags"])
    fine = _dl_fl_table(tmp_path / "fine.csv", rows + [rows[3]], fmt="{:.5f}")
    main(["thickness", str(fine), "--joint", "--no-figures", "--out", str(tmp_path / "o2")])
    s = json.loads((tmp_path / "o2" / "summary.json").read_text())
    assert any("line 11 repeats line 6 exactly" in f["reason"] for f in s["flags"])


def test_fewer_points_than_free_parameters_say_what_is_needed(tmp_path, capsys):
    """Two thicknesses with DL and FL data (--joint) were refused as 'least-squares fit failed:
    every least-squares start failed: 4 point(s) cannot determine 4 free parameter(s)': no
    start can fit them. Said directly, with the thicknesses needed and the parameters that
    could be held instead; one held leaves a fit."""
    from sotfit.analysis.thickness import build_problem, fit_thickness
    from sotfit.analysis.thickness.least_squares import TooFewPointsError

    path = _dl_fl_table(tmp_path / "two.csv", [(5, 0.205824, 0.009548, -0.0202639, 0.00357654),
                                              (15, 0.831683, 0.0276481, -0.0979328, 0.00617782)])
    out = str(tmp_path / "out")
    assert main(["thickness", str(path), "--joint", "--no-figures", "--out", out]) == 2
    err = capsys.readouterr().err
    assert ("two.csv: 4 point(s) cannot determine the 4 free parameter(s) of the fit "
            "(spin_hall_conductivity, spin_diffusion_length, re_g_mix_0, im_g_mix_0): a "
            "least-squares fit needs more points than free parameters; with 2 point(s) per "
            "thickness (DL and FL), 3 thicknesses or more (the data give 2); or hold parameters "
            "known from elsewhere at their values, each one fewer to fit (--fix NAME=VALUE") in err
    assert "every least-squares start failed" not in err and "fit failed" not in err
    assert main(["thickness", str(path), "--no-figures", "--out", out]) == 2     # DL only
    assert ("2 point(s) cannot determine the 3 free parameter(s) of the fit "
            "(spin_hall_conductivity, spin_diffusion_length, re_g_mix): a least-squares fit "
            "needs more points than free parameters; with 1 point(s) per thickness (DL), 4 "
            "thicknesses or more (the data give 2)") in capsys.readouterr().err
    series = read_thickness_table(path)
    with pytest.raises(TooFewPointsError, match="4 point"):
        fit_thickness(build_problem(series, joint=True))
    held = fit_thickness(build_problem(series, joint=True,
                                      fixed={"spin_diffusion_length": 10.0}))
    assert held.nvarys == 3 and held.ndata == 4


def test_two_columns_of_one_name_but_for_case_are_refused_naming_both(tmp_path):
    """'t (nm)' beside 'T (nm)' (a sample's thickness and another length): the later column was
    read as the thickness without a word (20-100 nm for 2-10 nm, lambda_s ten times too large,
    flagged only as an unusual thickness), and --column thickness='t (nm)' was passed over for
    it. Refused naming both; --column reads the one it names."""
    path = tmp_path / "t.csv"
    path.write_text("t (nm),T (nm),xi_dl (1),xi_dl_err (1)\n"
                    + "".join(f"{t},{10 * t},{0.04 * (1 - 1 / np.cosh(t / 3))},0.001\n"
                              for t in (2, 4, 6, 8, 10)))
    with pytest.raises(ThicknessError, match=r"columns 't \(nm\)', 'T \(nm\)' are one name"):
        read_thickness_table(path, resistivity=100.0)
    for header, values in (("t (nm)", [2, 4, 6, 8, 10]), ("T (nm)", [20, 40, 60, 80, 100])):
        s = read_thickness_table(path, columns={"thickness": header}, resistivity=100.0)
        assert list(s.dl.x) == values
