"""Thickness tables as other labs write them, and fits whose numbers the data do not support.

* An error column named only by its role (``--column xi_e_dl_err=NAME``) pairs with a value
  column sotfit recognised by itself (``xiE_DL [S/m]``), and the error that asks for it names
  that role, not one built from the column's name.
* A semicolon-separated table with decimal commas whose column names hold commas
  (``xi_E,DL (1e5 Ohm^-1 m^-1)``) splits at the semicolons.
* Without ``--joint`` the FL data of a table are not used and Im G is held at 0: FL data that
  contradict that flag every fitted value, and a least-squares error larger than its value flags
  the value.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from sotfit.analysis.thickness import build_problem, fit_thickness, summary_dict
from sotfit.cli import main
from sotfit.io.thickness import ThicknessError, read_thickness_table

DATA = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
NIFE, COTB = DATA / "nife_bisb.csv", DATA / "cotb_bisb.csv"


def _nife_dl_rows():
    """(thickness, xi_e_dl, stderr) rows of the bundled NiFe/BiSb table, as written there."""
    body = [ln for ln in NIFE.read_text().splitlines() if ln and not ln.startswith("#")][1:]
    return [ln.split(",")[:3] for ln in body]


def test_an_error_column_named_by_its_role_pairs_with_a_recognised_value_column(tmp_path,
                                                                                 capsys):
    p = tmp_path / "sm_units.csv"
    p.write_text("t_HM [nm],xiE_DL [S/m],sigma [S/m]\n"
                 + "".join(f"{t},{float(y) * 1e5:.6g},{float(e) * 1e5:.6g}\n"
                           for t, y, e in _nife_dl_rows()), encoding="utf-8")
    # the error names the role of the column whose uncertainty is missing, as --column takes it
    code = main(["thickness", str(p), "--rho", "350.3uOhmcm", "--no-figures",
                 "--out", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 2 and "sm_units.csv: no uncertainty column for 'xiE_DL [S/m]'" in err
    assert "--column xi_e_dl_err=NAME" in err and "xie_dl_err" not in err
    # following it: the error column alone, the value column found as before
    got = read_thickness_table(p, resistivity=350.3, columns={"xi_e_dl_err": "sigma [S/m]"})
    ref = read_thickness_table(NIFE)
    np.testing.assert_array_equal(got.dl.x, ref.dl.x)
    np.testing.assert_allclose(got.dl.y, ref.dl.y, rtol=1e-12)
    np.testing.assert_allclose(got.dl.yerr, ref.dl.yerr, rtol=1e-12)
    assert got.dl.meta["column"] == "xiE_DL [S/m]"
    # and from the command line: it reads and fits (the fit's flags are not the point here)
    code = main(["thickness", str(p), "--rho", "350.3uOhmcm", "--column",
                 "xi_e_dl_err=sigma [S/m]", "--no-figures", "--out", str(tmp_path / "role")])
    assert code in (0, 3)
    assert (tmp_path / "role" / "summary.json").is_file()


def test_a_semicolon_table_whose_column_names_hold_commas(tmp_path):
    """BOM, CRLF, decimal commas, ';' between cells and ',' inside the names: three columns."""
    names = ["Dicke t (nm)", "xi_E,DL (1e5 Ohm^-1 m^-1)", "Fehler xi_E,DL (1e5 Ohm^-1 m^-1)"]
    lines = ["# resistivity: 350,3 uOhm cm", ";".join(names)]
    lines += [";".join(c.replace(".", ",") for c in row) for row in _nife_dl_rows()]
    p = tmp_path / "de.csv"
    p.write_bytes("\r\n".join(lines).encode("utf-8-sig") + b"\r\n")
    # unrecognised names: the error lists the three columns whole
    with pytest.raises(ThicknessError, match=r"no thickness column among \['Dicke t \(nm\)', "
                                             r"'xi_E,DL \(1e5 Ohm\^-1 m\^-1\)', 'Fehler xi_E,DL"):
        read_thickness_table(p)
    got = read_thickness_table(p, columns={"thickness": names[0], "xi_e_dl": names[1],
                                           "xi_e_dl_err": names[2]})
    ref = read_thickness_table(NIFE)
    assert got.resistivity == 350.3 and got.fl is None
    np.testing.assert_array_equal(got.dl.x, ref.dl.x)
    np.testing.assert_array_equal(got.dl.y, ref.dl.y)
    np.testing.assert_array_equal(got.dl.yerr, ref.dl.yerr)
    assert any("decimal commas" in n for n in got.meta["reader_notes"])


def _reasons(q):
    return " | ".join(q.get("flags", []))


def test_fl_data_contradicting_im_g_zero_and_errors_above_the_value_are_flagged(tmp_path):
    """NiFe + CoTb without --joint: sigma_s = 58 +- 340, lambda_s 5.6 sigma from the truth,
    Re G(CoTb) = 0.018 for 7.11; with --joint the same files carry no flag."""
    series = [read_thickness_table(NIFE), read_thickness_table(COTB)]
    pr = build_problem(series, joint=False)
    s = summary_dict(pr, fit_thickness(pr))
    nife, cotb = (s["interfaces"][x.label] for x in series)
    for q in (s["spin_hall_conductivity"], s["spin_diffusion_length"], nife["re_g_mix"],
              cotb["re_g_mix"]):
        assert "field-like data not used contradict that" in _reasons(q)
        assert "570 of 14 points" in _reasons(q) and "fit with --joint" in _reasons(q)
    told = [n for n in s["notes"] if "contradict Im G = 0" in n]
    assert len(told) == 1 and told[0].startswith(series[0].label)        # CoTb has no FL data
    for q in (s["spin_hall_conductivity"], nife["re_g_mix"], cotb["re_g_mix"]):
        assert "exceeds the value" in _reasons(q) and q["stderr"] > q["value"]
    assert "exceeds the value" not in _reasons(s["spin_diffusion_length"])
    assert not nife["im_g_mix"].get("flags")                                 # held, not fitted
    # the user's command with --joint: no flag of the unused FL data; CoTb's Re G alone is
    # flagged (bounded from below only: its linearised error is not meaningful,
    # test_thickness_io_cli.py)
    assert main(["thickness", str(NIFE), str(COTB), "--joint", "--no-figures", "--strict",
                 "--out", str(tmp_path / "joint")]) == 3
    joint = json.loads((tmp_path / "joint" / "summary.json").read_text())
    assert "field-like data not used" not in json.dumps(joint)
    assert [f["quantity"].split(".")[-1] for f in joint["flags"]] == ["re_g_mix"]
    assert joint["flags"][0]["quantity"].startswith("interfaces.Co")


@pytest.mark.slow
def test_fl_data_contradicting_im_g_zero_variants_and_the_command(tmp_path):
    """The tables above without their FL columns, or with FL data consistent with 0, and the
    command without --joint (flagged: --strict exits with status 3). Each fit of the two
    series without --joint takes about 5 s: three of them are run here, under -m slow; the
    test above runs the first."""
    series = [read_thickness_table(NIFE), read_thickness_table(COTB)]
    # the same tables without their FL columns: nothing contradicts Im G = 0, but the errors
    # above the values still say that the data do not determine them
    nife_dl = tmp_path / "nife_dl.csv"
    nife_dl.write_text("# resistivity: 350.3 uOhm cm\nthickness (nm),xi_e_dl (1e5 Ohm^-1 m^-1),"
                       "xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
                       + "".join(",".join(r) + "\n" for r in _nife_dl_rows()))
    pr = build_problem([read_thickness_table(nife_dl), series[1]], joint=False)
    s = summary_dict(pr, fit_thickness(pr))
    assert "field-like data not used" not in json.dumps(s)
    assert "exceeds the value" in _reasons(s["spin_hall_conductivity"])
    # FL data consistent with 0 do not contradict it
    n = series[0]
    q = type(n)(n.dl, n.fl.replace(y=0.5 * n.fl.yerr), n.resistivity, n.label, n.meta)
    pr = build_problem([q, series[1]], joint=False)
    assert "field-like data not used" not in json.dumps(summary_dict(pr, fit_thickness(pr)))
    assert main(["thickness", str(NIFE), str(COTB), "--no-figures", "--strict",
                 "--out", str(tmp_path / "dl")]) == 3


def _long_table_of_two_samples(path: Path, key: str = "sample") -> Path:
    """The example's two series in one long table, told apart by a sample column (the NiFe
    series has FL columns the CoTb series leaves empty)."""
    import pandas as pd

    frames = []
    for name in ("nife_bisb.csv", "cotb_bisb.csv"):
        df = pd.read_csv(DATA / name, comment="#")
        df.insert(0, key, name.split("_")[0])
        frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    path.write_text("# resistivity: 350.3 uOhm cm\n" + table.to_csv(index=False, na_rep=""))
    return path


def test_two_samples_in_one_long_table_are_two_series(tmp_path):
    """A long table of two samples with a 'sample' column was read as one series (the column left
    out without a word): sigma_s 241 +- 4e5 against 2.5 from an independent generator, flagged only as a
    poor fit. Each sample is a series of its own: the numbers of the two files given together."""
    table = _long_table_of_two_samples(tmp_path / "both.csv")
    runs = {}
    for name, files in (("files", [DATA / "nife_bisb.csv", DATA / "cotb_bisb.csv"]),
                        ("table", [table])):
        out = tmp_path / name
        assert main(["thickness", *map(str, files), "--joint", "--out", str(out),
                     "--no-figures"]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())
    a, b = runs["files"], runs["table"]
    for k in ("spin_hall_conductivity", "spin_diffusion_length"):
        assert b[k]["value"] == pytest.approx(a[k]["value"], rel=1e-9), k
        assert b[k]["stderr"] == pytest.approx(a[k]["stderr"], rel=1e-6), k
    assert list(b["interfaces"]) == ["nife", "cotb"]
    for x, y in zip(a["interfaces"].values(), b["interfaces"].values()):
        for k in ("re_g_mix", "im_g_mix"):
            assert y[k]["value"] == pytest.approx(x[k]["value"], rel=1e-9, abs=1e-12), k
    assert any("the rows of sample 'nife' (column 'sample'; 2 samples in the table" in n
               for n in b["notes"])


def test_a_table_of_several_samples_through_the_one_series_reader(tmp_path):
    from sotfit.io.thickness import read_thickness_tables

    table = _long_table_of_two_samples(tmp_path / "both.csv", key="Stack")
    with pytest.raises(ThicknessError, match="column 'Stack' names 2 samples .*read_thickness_tables"):
        read_thickness_table(table)
    nife, cotb = read_thickness_tables(table)
    assert (nife.label, cotb.label) == ("nife", "cotb")
    assert nife.fl is not None and cotb.fl is None
    assert np.array_equal(nife.dl.y, read_thickness_table(DATA / "nife_bisb.csv").dl.y)


def test_a_german_thickness_column():
    """'Dicke (nm)' was 'no thickness column'."""
    import pandas as pd
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        df = pd.read_csv(DATA / "nife_bisb.csv", comment="#").rename(
            columns={"thickness (nm)": "Dicke (nm)"})
        path = Path(tmp) / "dicke.csv"
        path.write_text("# resistivity: 350.3 uOhm cm\n" + df.to_csv(index=False))
        got = read_thickness_table(path)
        ref = read_thickness_table(DATA / "nife_bisb.csv")
        assert np.array_equal(got.dl.x, ref.dl.x) and np.array_equal(got.fl.y, ref.fl.y)


def test_a_field_per_current_density_column_says_what_to_convert(tmp_path, capsys):
    """'H_DL/j (mT per 1e11 A/m^2)' was an unknown unit whose message named a role and a unit
    that do not exist."""
    from sotfit.cli import main

    table = tmp_path / "per_j.csv"
    table.write_text("thickness (nm),H_DL/j (mT per 1e11 A/m^2),err (mT per 1e11 A/m^2)\n"
                     "2,0.1,0.01\n4,0.2,0.01\n6,0.25,0.01\n")
    assert main(["thickness", str(table), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "looks like a torque field per current density" in err
    assert "xi = (2e/hbar) M_s t_FM (mu0 H) / j" in err


def test_a_device_name_on_every_row_is_no_sample_column(tmp_path):
    """A 'device' column naming each film ('D1', 'D2', ...) split the table into one-point
    series ('28 point(s) cannot determine 30 free parameter(s)'): names that never repeat label
    the rows of one series."""
    import pandas as pd

    df = pd.read_csv(DATA / "nife_bisb.csv", comment="#")
    df.insert(0, "device", [f"D{i + 1}" for i in range(len(df))])
    path = tmp_path / "devices.csv"
    path.write_text("# resistivity: 350.3 uOhm cm\n" + df.to_csv(index=False))
    got = read_thickness_table(path)
    assert np.array_equal(got.dl.y, read_thickness_table(DATA / "nife_bisb.csv").dl.y)


@pytest.mark.parametrize("err_header, roles", [
    ("xi_e_dl_err (U)", {}),
    ("err (U)", {}),
    ("sigma (U)", {"xi_e_dl_err": "sigma (U)"})])
def test_an_error_column_in_the_unknown_unit_of_its_values_takes_their_column_unit(
        tmp_path, err_header, roles):
    """An efficiency column whose unit sotfit does not know is read with --column-unit; its
    error column, named after it (or as Origin writes error bars, or by its role alone), in the
    same unknown unit, was refused next, and a second --column-unit was needed that no message
    named: it takes the values' unit, with a note."""
    unit = "Ohm^-1 m^-1 x 10^5"
    rows = _nife_dl_rows()
    p = tmp_path / "lab.csv"
    p.write_text("# resistivity: 350.3 uOhm cm\n"
                 + f"t (nm),xi_e_dl ({unit}),{err_header.replace('U', unit)}\n"
                 + "".join(f"{t},{y},{e}\n" for t, y, e in rows))
    value = f"xi_e_dl ({unit})"
    roles = {k: v.replace("U", unit) for k, v in roles.items()}
    s = read_thickness_table(p, columns={"xi_e_dl": value, **roles},
                             column_units={"xi_e_dl": "1e5/Ohm/m"})
    np.testing.assert_array_equal(s.dl.y, [float(y) for _, y, _ in rows])
    np.testing.assert_array_equal(s.dl.yerr, [float(e) for _, _, e in rows])
    assert any(f"the error column of {value!r}, read in 1e5/Ohm/m as --column-unit "
               f"xi_e_dl=1e5/Ohm/m says for its values: it writes the same unit ({unit!r})" in n
               for n in s.meta["reader_notes"])


def test_an_error_column_in_another_unknown_unit_is_still_refused(tmp_path, capsys):
    rows = _nife_dl_rows()
    p = tmp_path / "lab.csv"
    p.write_text("# resistivity: 350.3 uOhm cm\n"
                 "t (nm),xi_e_dl (Ohm^-1 m^-1 x 10^5),xi_e_dl_err (Ohm^-1 m^-1 x 10^4)\n"
                 + "".join(f"{t},{y},{e}\n" for t, y, e in rows))
    with pytest.raises(ThicknessError, match=r"column 'xi_e_dl_err \(Ohm\^-1 m\^-1 x 10\^4\)': "
                                             "unknown unit"):
        read_thickness_table(p, columns={"xi_e_dl": "xi_e_dl (Ohm^-1 m^-1 x 10^5)"},
                             column_units={"xi_e_dl": "1e5/Ohm/m"})
    # the first refusal says that the error column will take the unit given
    assert main(["thickness", str(p), "--no-figures", "--out", str(tmp_path / "o")]) == 2
    assert ("--column-unit ROLE=UNIT; its error column takes that unit where its header writes "
            "the same)") in capsys.readouterr().err


@pytest.mark.parametrize("err_name", ["d xi_DL^E", "delta xi_DL^E", "\u03c3 \u03be_DL^E",
                                      "err xi^E_DL", "d_xi_e_dl"])
def test_an_error_column_named_by_a_word_before_the_efficiency(tmp_path, err_name):
    """'d xi_DL^E [10^5 S/m]' beside 'xi_DL^E [10^5 S/m]' was no error column ('no uncertainty
    column'; only 'dxi_e_dl' and a leading Δ were): a d, delta, σ or err before an efficiency's
    name, with a blank or '_', names its error column."""
    rows = _nife_dl_rows()
    p = tmp_path / "lab.tsv"
    p.write_text("# resistivity: 350.3 uOhm cm\n"
                 f"t [nm]\txi_DL^E [10^5 S/m]\t{err_name} [10^5 S/m]\n"
                 + "".join(f"{t}\t{y}\t{e}\n" for t, y, e in rows), encoding="utf-8")
    s = read_thickness_table(p)
    np.testing.assert_array_equal(s.dl.yerr, [float(e) for _, _, e in rows])


@pytest.mark.parametrize("first, second", [("err xi_DL", "d xi_DL"), ("d xi_DL", "err xi_DL"),
                                           ("xi_DL_err", "xi_DL_stderr"),
                                           ("\u0394xi_DL", "d xi_DL")])
def test_two_error_columns_of_one_efficiency_are_refused_unless_one_is_named(
        tmp_path, first, second, capsys):
    """'err xi_DL' beside 'd xi_DL' (or 'xi_DL_err' beside 'xi_DL_stderr') took one of the two
    without a word, by the order of the name patterns, and which one changed with the patterns:
    the fit's weights with it. Both are named and the table refused; --column xi_dl_err=NAME
    reads the one it names."""
    p = tmp_path / "two.csv"
    p.write_text(f"# resistivity: 350.3 uOhm cm\nt (nm),xi_DL,{first},{second}\n"
                 + "".join(f"{t},{y},0.005,0.007\n" for t, y in ((2, 0.05), (4, 0.08),
                                                                  (6, 0.1), (8, 0.11))),
                 encoding="utf-8")
    said = f"2 columns are named as uncertainties of 'xi_DL' ({first!r}, {second!r}); " \
           "name the one to read with --column xi_dl_err=NAME"
    with pytest.raises(ThicknessError, match=re.escape(said)):
        read_thickness_table(p)
    assert main(["thickness", str(p), "--no-figures", "--out", str(tmp_path / "o")]) == 2
    assert said in capsys.readouterr().err
    for name, err in ((first, 0.005), (second, 0.007)):
        s = read_thickness_table(p, columns={"xi_dl_err": name})
        np.testing.assert_allclose(s.dl.yerr * 350.3e-8 * 1e5, err, rtol=1e-12)


@pytest.mark.parametrize("header", ["t (nm),T (K),xi_DL,xi_DL_err",
                                    "T (K),t (nm),xi_DL,xi_DL_err",
                                    "t (nm),temperature_K,xi_DL,xi_DL_err"])
def test_a_temperature_column_is_no_thickness(tmp_path, header):
    """'t (nm),T (K),...' was refused as "column 'T (K)': unit 'K' is a temperature unit, but a
    length unit is needed" (the cryostat's T took the place of the thickness t, their names
    matched without case), where 'T (K)' first read the table: a column in kelvin is no
    thickness candidate, in either place."""
    p = tmp_path / "cryo.csv"
    rows = ((2, 0.05), (4, 0.08), (6, 0.1), (8, 0.11))
    cells = {"t (nm)": [str(t) for t, _ in rows], "xi_DL": [str(y) for _, y in rows],
             "xi_DL_err": ["0.005"] * 4}
    names = header.split(",")
    p.write_text("# resistivity: 350.3 uOhm cm\n" + header + "\n" + "".join(
        ",".join(cells.get(n, ["300"] * 4)[i] for n in names) + "\n" for i in range(4)))
    s = read_thickness_table(p)
    np.testing.assert_array_equal(s.dl.x, [2.0, 4.0, 6.0, 8.0])
