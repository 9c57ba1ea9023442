"""``sotfit tables``: the tables, columns, units and header entries read from files."""

import json
from pathlib import Path

from sotfit.cli import main

ROOT = Path(__file__).resolve().parents[1]
QCODES_DB = ROOT / "tests" / "fixtures" / "qcodes_stfmr.db"
EXAMPLE = ROOT / "data" / "stfmr_example"


def test_the_tables_of_a_database_and_a_csv_file_are_listed_with_their_units(capsys):
    assert main(["tables", str(QCODES_DB), str(EXAMPLE / "py_pt_8GHz.csv"), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [t["table"] for t in found] == ["qcodes_stfmr.db[run 1 sweep_8GHz]",
                                           "qcodes_stfmr.db[run 2 sweep_10GHz]",
                                           "qcodes_stfmr.db[run 3 sweep_12GHz]",
                                           "py_pt_8GHz.csv"]
    assert found[0]["rows"] == 720
    assert found[0]["columns"] == [{"name": "field (mT)", "unit": "mT", "quantity": "field"},
                                   {"name": "vmix (uV)", "unit": "uV", "quantity": "voltage"}]
    assert found[0]["header"]["field_angle_deg"] == "45"
    assert found[3]["header"] == {"frequency_GHz": "8", "field_angle_deg": "45"}
    assert main(["tables", f"{QCODES_DB}[run 2]"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("qcodes_stfmr.db[run 2 sweep_10GHz]: 720 rows x 2 columns\n"
                           "  column  field (mT)  [mT: field]\n")


def test_a_file_that_cannot_be_read_is_named_and_the_others_still_listed(tmp_path, capsys):
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    assert main(["tables", str(bad), str(EXAMPLE / "py_pt_8GHz.csv")]) == 2
    out, err = capsys.readouterr()
    assert "sotfit tables: error: empty.csv: the file is empty" in err
    assert out.startswith("py_pt_8GHz.csv: 720 rows x 2 columns")
    assert main(["tables", str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv: no such file" in capsys.readouterr().err
    assert not any(p.name != "empty.csv" for p in tmp_path.iterdir())     # nothing written


def test_unknown_units_and_files_without_names_are_said_so(tmp_path, capsys):
    odd = tmp_path / "odd.csv"
    odd.write_text("Field (Gauss-ish),V\n1,2\n3,4\n")
    bare = tmp_path / "bare.txt"
    bare.write_text("1\t2\n3\t4\n")
    assert main(["tables", str(odd), str(bare)]) == 0
    out = capsys.readouterr().out
    assert "  column  Field (Gauss-ish)  [Gauss-ish: unit not known]\n  column  V  [no unit]" in out
    assert "  column  column 0  [no unit]" in out
    assert "note    no column header row: give the columns by 0-based index" in out
    lvm = tmp_path / "8GHz.lvm"
    lvm.write_text("Frequency(GHz):8.000000E+0\n-100\t0.1\n-99\t0.2\n")
    assert main(["tables", str(lvm)]) == 0
    assert ("note    the LabVIEW ST-FMR layout (.lvm, a preamble, two unnamed columns): sotfit "
            "stfmr reads column 0 as the field in Oe") in capsys.readouterr().out


def test_side_by_side_pairs_are_named_as_pairs_not_read_as_units(tmp_path, capsys):
    """Column pairs labelled by their spectrum (``2pf_1.0_GHz`` twice, as a spin-diode export
    writes them): the label names the spectrum, it is no unit of the columns."""
    p = tmp_path / "pairs.csv"
    p.write_text("2pf_1.0_GHz,2pf_1.0_GHz,2pf_2.0_GHz,2pf_2.0_GHz\n1,2,3,4\n5,6,7,8\n")
    assert main(["tables", str(p)]) == 0
    out = capsys.readouterr().out
    assert "  column  2pf_1.0_GHz  [no unit]" in out and "GHz: frequency" not in out
    assert ("note    2 side-by-side column pairs, each labelled by its spectrum ('2pf_1.0_GHz', "
            "'2pf_2.0_GHz'): sotfit stfmr reads each pair as the field then V_mix") in out



def test_origin_comments_of_the_columns_are_shown(tmp_path, capsys):
    """The comment of a column from Origin's comments row (which can give the frequency) is
    shown beside it; columns without one show none."""
    p = tmp_path / "Book1_A.dat"
    p.write_text("Field\tVmix\nMagnetic Field\tMixing Voltage\nmT\tuV\n\t8 GHz\n1\t2\n3\t4\n5\t6\n")
    assert main(["tables", str(p), "--json"]) == 0
    (t,) = json.loads(capsys.readouterr().out)
    assert t["columns"] == [{"name": "Magnetic Field (mT)", "unit": "mT", "quantity": "field"},
                            {"name": "Mixing Voltage (uV)", "unit": "uV", "quantity": "voltage",
                             "comment": "8 GHz"}]
    assert main(["tables", str(p)]) == 0
    assert "  column  Mixing Voltage (uV)  [uV: voltage]  comment '8 GHz'\n" in capsys.readouterr().out


def test_hall_word_columns_are_named_as_hall_reads_them_and_files_by_their_path(tmp_path, capsys):
    """A long table of field sweeps with columns of words 'axis' (x/y) and 'Mz' (up/down):
    tables called them "text not read" although sotfit hall reads them as the sweep axis and
    the m_z state (and needs them). A note says so. Tables and errors named files by their
    name alone, which does not tell sample_A/repeat_1.csv from sample_B/repeat_1.csv: the path
    is given."""
    a, b = tmp_path / "sample_A", tmp_path / "sample_B"
    a.mkdir()
    b.mkdir()
    rows = [f"{h};{ax};{mz};{0.001 * h:.6f};{1e-6 * h:.9f}" for ax in "xy" for mz in ("up", "down")
            for h in range(-40, 41, 10)]
    (a / "repeat_1.csv").write_text("field (mT);axis;Mz;V1w (V);V2w (V)\n" + "\n".join(rows) + "\n")
    (b / "repeat_1.csv").write_text("")
    assert main(["tables", str(a / "repeat_1.csv"), str(b / "repeat_1.csv")]) == 2
    out, err = capsys.readouterr()
    assert "note    sotfit hall reads 'axis' as the sweep axis of field sweeps (x/y)" in out
    assert "note    sotfit hall reads 'Mz' as the m_z state of field sweeps (up/down" in out
    assert f"  file    {a / 'repeat_1.csv'}" in out
    assert f"repeat_1.csv: the file is empty ({b / 'repeat_1.csv'})" in err
    assert main(["tables", str(a / "repeat_1.csv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["file"] == str(a / "repeat_1.csv")


def test_an_empty_cell_is_named_with_its_line(tmp_path, capsys):
    """One empty cell (line 4): tables listed the file as complete, while sotfit hall and sotfit
    stfmr refuse it in a column they read; a note names the column, the line and the option."""
    f = tmp_path / "holed.csv"
    f.write_text("phi (deg),X1 (uV),X2 (uV)\n0,1.5,2.5\n10,1.6,2.6\n20,,2.7\n30,1.8,2.8\n")
    assert main(["tables", str(f)]) == 0
    out = capsys.readouterr().out
    assert ("note    'X1 (uV)' (column 1): 1 empty or non-finite cell(s) at line(s) 4; sotfit "
            "hall and sotfit stfmr refuse them in a column they read, or leave those rows out "
            "with --drop-incomplete-rows") in out
    assert "X2 (uV)' (column 2): " not in out


def test_a_temperature_in_kelvin_is_a_known_unit(tmp_path, capsys):
    """Columns in kelvin ('T (K)', 'temperature_K', 'Temperature [K]') were listed as 'unit not
    known'; a field named 'H_K' is not read as one in kelvin."""
    p = tmp_path / "cryostat.csv"
    p.write_text("T (K),temperature_K,Temperature [K],H_K,Field (mT)\n300,300,300,1,2\n"
                 "301,301,301,1,2\n")
    assert main(["tables", str(p)]) == 0
    out = capsys.readouterr().out
    for name in ("T (K)", "temperature_K", "Temperature [K]"):
        assert f"  column  {name}  [K: temperature]\n" in out
    assert "  column  H_K  [no unit]\n" in out and "unit not known" not in out
    assert main(["tables", str(p), "--json"]) == 0
    (t,) = json.loads(capsys.readouterr().out)
    assert [c["quantity"] for c in t["columns"]] == ["temperature"] * 3 + [None, "field"]


def test_cells_of_a_value_with_its_uncertainty_are_two_columns_as_thickness_reads_them(
        tmp_path, capsys):
    """A thickness table whose cells write a value with its uncertainty ('0.00986(89)',
    '0.00986 ± 0.00089' in a semicolon-separated table, '0.0203 +/- 0.0012') was refused as 'no
    numeric data rows found', or read with those columns left out as text, where sotfit
    thickness reads it: each such column is listed as two, the values and their uncertainties,
    read as the thickness reader reads the cells."""
    import numpy as np

    from sotfit.io.text import read_tables
    from sotfit.io.thickness import read_thickness_table

    paren = tmp_path / "paren.csv"
    paren.write_text("# resistivity: 200 uOhm cm\nthickness (nm),xi_dl,xi_fl\n"
                     "2,0.00986(89),-0.00075(61)\n3,0.0203(12),-0.00085(64)\n"
                     "4,0.0314(15),-0.00236(67)\n")
    semi = tmp_path / "semi.csv"
    semi.write_text("# resistivity: 200 uOhm cm\nt_HM (\u00c5);xi_DL (1);xi_FL (1)\n"
                    "20;0.00986 \u00b1 0.00089;-0.00075 \u00b1 0.00061\n"
                    "30;0.02027 \u00b1 0.00118;-0.00085 \u00b1 0.00064\n"
                    "40;0.03142 \u00b1 0.00153;-\n", encoding="utf-8")
    pm = tmp_path / "pm.csv"
    pm.write_text("sample,thickness (nm),xi_e_dl +/- err (1e5 Ohm^-1 m^-1)\n"
                  "A,2,0.0493 +/- 0.0044\nA,3,0.1014 +/- 0.0059\nA,4,0.1571 +/- 0.0076\n")
    assert main(["tables", str(paren), str(semi), str(pm)]) == 0
    out = capsys.readouterr().out
    assert ("paren.csv: 3 rows x 5 columns\n  column  thickness (nm)  [nm: length]\n"
            "  column  xi_dl  [no unit]\n  column  xi_dl err  [no unit]\n"
            "  column  xi_fl  [no unit]\n  column  xi_fl err  [no unit]\n") in out
    assert ("note    2 column(s) of cells that write a value with its uncertainty read as two "
            "columns each, the values and their standard errors, as sotfit thickness reads "
            "them: 'xi_dl' as 'xi_dl' and 'xi_dl err' ('0.00986(89)')") in out
    assert ("  column  xi_DL (1)  [1: dimensionless]\n"
            "  column  xi_DL err (1)  [1: dimensionless]\n") in out
    assert ("  column  xi_e_dl +/- err (1e5 Ohm^-1 m^-1)  [1e5/Ohm/m: conductivity]\n"
            "  column  xi_e_dl err (1e5 Ohm^-1 m^-1)  [1e5/Ohm/m: conductivity]\n") in out
    assert "1 column(s) of text not read: 'sample'" in out
    # the numbers are the thickness reader's
    (t,) = read_tables(paren)
    s = read_thickness_table(paren)
    np.testing.assert_array_equal(t.data[:, 1], s.dl.y * 200 * 1e-3)
    assert np.allclose(t.data[:, 1:], [[0.00986, 0.00089, -0.00075, 0.00061],
                                       [0.0203, 0.0012, -0.00085, 0.00064],
                                       [0.0314, 0.0015, -0.00236, 0.00067]], rtol=1e-12)
    (t,) = read_tables(semi)            # a cell without a value: both cells empty
    assert np.isnan(t.data[2, 3:]).all() and t.data[2, 1] == 0.03142
    assert main(["tables", str(semi)]) == 0
    assert ("'xi_FL (1)' (column 3): 1 empty or non-finite cell(s) at line(s) 5"
            in capsys.readouterr().out)
    # a value without its uncertainty among such cells is named, as sotfit thickness names it
    pm.write_text("thickness (nm),xi_dl (1),xi_fl (1)\n2,0.0493 +/- 0.0044,-0.004 +/- 0.003\n"
                  "3,0.1014,-0.004 +/- 0.003\n")
    assert main(["tables", str(pm)]) == 2
    assert ("pm.csv: line 3, 'xi_dl (1)': '0.1014' is a value without its uncertainty, where "
            "the column writes values with theirs ('0.0493 +/- 0.0044')"
            in capsys.readouterr().err)


def test_cells_of_a_value_with_its_uncertainty_in_a_blank_separated_table(tmp_path, capsys):
    """A blank-separated thickness table of '0.00986(89)' cells (as a paper's table is pasted
    into a text file), the names split as the text reader splits a header row: it was
    refused, 'no numeric data rows found', where sotfit thickness read it."""
    import numpy as np

    from sotfit.io.text import read_tables
    from sotfit.io.thickness import read_thickness_table

    blank = tmp_path / "blank.txt"
    blank.write_text("# resistivity: 200 uOhm cm\nthickness (nm) xi_dl   xi_fl\n"
                     "2   0.00986(89)  -0.00075(61)\n3 0.0203(12) -\n"
                     "4   0.0314(15)   -0.00236(67)\n")
    aligned = tmp_path / "aligned.txt"
    aligned.write_text("t (nm)    xi_DL (1)\n  2.0    9.86(89)e-3\n  3.0    2.03(12)e-2\n"
                       "  4.0    3.14(15)e-2\n")
    assert main(["tables", str(blank), str(aligned)]) == 0
    out = capsys.readouterr().out
    assert ("blank.txt: 3 rows x 5 columns\n  column  thickness (nm)  [nm: length]\n"
            "  column  xi_dl  [no unit]\n  column  xi_dl err  [no unit]\n"
            "  column  xi_fl  [no unit]\n  column  xi_fl err  [no unit]\n") in out
    assert ("note    2 column(s) of cells that write a value with its uncertainty read as two "
            "columns each") in out
    assert ("aligned.txt: 3 rows x 3 columns\n  column  t (nm)  [nm: length]\n"
            "  column  xi_DL (1)  [1: dimensionless]\n"
            "  column  xi_DL err (1)  [1: dimensionless]\n") in out
    (t,) = read_tables(blank)
    assert np.allclose(t.data, [[2, 0.00986, 0.00089, -0.00075, 0.00061],
                                [3, 0.0203, 0.0012, np.nan, np.nan],
                                [4, 0.0314, 0.0015, -0.00236, 0.00067]],
                       rtol=1e-12, equal_nan=True)
    s = read_thickness_table(blank)         # the numbers are the thickness reader's
    np.testing.assert_allclose(t.data[:, 1], s.dl.y * 200 * 1e-3, rtol=1e-12)
    (t,) = read_tables(aligned)
    assert np.allclose(t.data[:, 1:], [[0.00986, 0.00089], [0.0203, 0.0012],
                                       [0.0314, 0.0015]], rtol=1e-12)


def test_a_unit_with_its_power_of_ten_after_it_is_listed_with_what_to_write(tmp_path, capsys):
    """'xi_e_dl (Ohm^-1 m^-1 x 10^5)': listed as 'unit not known' with nothing said, and
    sotfit thickness refused it asking for 'ROLE=UNIT'; the power after a unit is written
    both ways, and both say what to write instead."""
    u = "Ohm^-1 m^-1 x 10^5"
    p = tmp_path / "mult.csv"
    p.write_text(f"# resistivity: 200 uOhm cm\nthickness (nm),xi_e_dl ({u}),xi_e_dl_err ({u})\n"
                 "2,0.049,0.0044\n3,0.10,0.006\n4,0.157,0.0075\n5,0.2,0.01\n")
    assert main(["tables", str(p)]) == 0
    out = capsys.readouterr().out
    assert (f"  note    'xi_e_dl ({u})', 'xi_e_dl_err ({u})': a power of ten after the unit does "
            "not say which way it goes") in out
    assert "write the power before the unit, 10^5 Ohm^-1 m^-1 (1e5/Ohm/m)" in out
    assert main(["thickness", str(p), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "which way it goes" in err and "10^5 Ohm^-1 m^-1 (1e5/Ohm/m)" in err
    # written as it says, the table is read
    p.write_text(p.read_text().replace(u, "10^5 Ohm^-1 m^-1"))
    assert main(["thickness", str(p), "--out", str(tmp_path / "o2")]) == 0
