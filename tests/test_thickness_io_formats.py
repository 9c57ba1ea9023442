"""Thickness tables as spreadsheets and Windows programs save them: Windows-1252 text
(``µOhm cm``), a row of units under the column names, ``resistivity: ...`` above the table
without its ``#``, and an Excel workbook with the resistivity beside its name. Each gives the
series of the bundled CSV exactly."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit.io.thickness import ThicknessError, read_thickness_table

SRC = Path(__file__).resolve().parents[1] / "data" / "thickness_example" / "nife_bisb.csv"


def _same_series(a, b):
    for part in ("dl", "fl"):
        x, y = getattr(a, part), getattr(b, part)
        np.testing.assert_array_equal(x.x, y.x)
        np.testing.assert_array_equal(x.y, y.y)
        np.testing.assert_array_equal(x.yerr, y.yerr)
    assert a.resistivity == b.resistivity


def _parts():
    lines = SRC.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    body = lines[len(head):]
    names = [c.split(" (")[0] for c in body[0].split(",")]
    units = [c.split(" (", 1)[1][:-1] for c in body[0].split(",")]
    return names, units, body[1:]


def test_windows_text_with_a_units_row_and_an_uncommented_entry(tmp_path):
    names, units, rows = _parts()
    p = tmp_path / "nife.csv"
    p.write_bytes("\n".join(["# sample: NiFe/BiSb", "resistivity: 350.3 µOhm cm", ";".join(names),
                             ";".join(units), *[r.replace(",", ";") for r in rows]]).encode("cp1252")
                  + b"\n")
    got = read_thickness_table(p)
    _same_series(got, read_thickness_table(SRC))
    assert got.label == "NiFe/BiSb"
    assert any("the units on line 4" in n for n in got.meta["reader_notes"])


def test_workbook_with_the_resistivity_beside_its_name(tmp_path):
    pytest.importorskip("openpyxl")
    p = tmp_path / "nife.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame([["resistivity (uOhm cm)", 350.3]]).to_excel(xw, header=False, index=False)
        pd.read_csv(SRC, comment="#").to_excel(xw, index=False, startrow=2)
    got = read_thickness_table(p)
    _same_series(got, read_thickness_table(SRC))
    assert got.meta["reader_notes"] == ("read from the sheet 'Sheet1' of a workbook",)
    two = tmp_path / "two.xlsx"
    with pd.ExcelWriter(two) as xw:
        for name in ("NiFe", "CoTb"):
            pd.read_csv(SRC, comment="#").to_excel(xw, sheet_name=name, index=False)
    with pytest.raises(ThicknessError, match=r"two.xlsx: a workbook with numbers on 2 sheets "
                                             r"\('NiFe', 'CoTb'\)"):
        read_thickness_table(two)


def test_typeset_minus_signs(tmp_path):
    p = tmp_path / "nife.csv"
    p.write_text(SRC.read_text().replace("-", "\u2212"), encoding="utf-8")
    got = read_thickness_table(p)
    _same_series(got, read_thickness_table(SRC))
    assert any("U+2212" in n for n in got.meta["reader_notes"])


@pytest.mark.parametrize("names", [
    ["NM thickness", "xi_E_DL", "xi_E_DL error", "xi_E_FL", "xi_E_FL error"],
    ["thickness of BiSb", "ξ_E_DL", "ξ_E_DL-stderr", "ξ_E_FL", "ξ_E_FL-stderr"],
    ["t_BiSb", "xi_e_dl", "xi_e_dl sd", "xi_e_fl", "xi_e_fl sd"],
])
def test_column_names_as_papers_write_them(tmp_path, names):
    """A layer's name beside 'thickness' (or 't_<layer>' with a length unit), blanks or dashes
    for underscores, the Greek xi: the same series as the bundled table."""
    _, units, rows = _parts()
    p = tmp_path / "series.csv"
    lines = SRC.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    p.write_text("\n".join(head + [",".join(f"{n} ({u})" for n, u in zip(names, units))]
                           + rows) + "\n", encoding="utf-8")
    _same_series(read_thickness_table(p), read_thickness_table(SRC))


def test_two_layer_thicknesses_are_not_guessed_between(tmp_path):
    _, units, rows = _parts()
    p = tmp_path / "series.csv"
    p.write_text("t_BiSb (nm),t_NiFe (nm),xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr "
                 "(1e5 Ohm^-1 m^-1)\n" + "".join(f"{r.split(',')[0]},6,{r.split(',')[1]},"
                                               f"{r.split(',')[2]}\n" for r in rows))
    with pytest.raises(ThicknessError, match=r"'t_BiSb \(nm\)' and 't_NiFe \(nm\)' could each be "
                                             "the thickness of the series.*--column thickness="):
        read_thickness_table(p, resistivity=350.3)


def test_each_sample_of_a_workbook_is_read_by_its_sheet_name(tmp_path):
    """A workbook with one sheet per sample: each sheet read by its name (``book.xlsx[NiFe]``),
    labelled by it, the numbers of the CSV file; the workbook given whole says how; a sheet
    given twice is refused as a file given twice is."""
    pytest.importorskip("openpyxl")
    book = tmp_path / "book.xlsx"
    cotb = SRC.parent / "cotb_bisb.csv"
    with pd.ExcelWriter(book) as xw:
        for name, src, rho in (("NiFe", SRC, 350.3), ("CoTb", cotb, None)):
            start = 0
            if rho is not None:
                pd.DataFrame([["resistivity (uOhm cm)", rho]]).to_excel(
                    xw, sheet_name=name, header=False, index=False)
                start = 2
            pd.read_csv(src, comment="#").to_excel(xw, sheet_name=name, index=False,
                                                   startrow=start)
    got = read_thickness_table(f"{book}[NiFe]")
    _same_series(got, read_thickness_table(SRC))
    assert got.label == "NiFe"
    assert got.meta["reader_notes"] == ("read from the sheet 'NiFe' of a workbook",)
    with pytest.raises(ThicknessError, match=r"book.xlsx: a workbook with numbers on 2 sheets "
                                             r"\('NiFe', 'CoTb'\); give each sample's table by "
                                             r"its name \('.*book.xlsx\[NAME\]'\)"):
        read_thickness_table(book)
    with pytest.raises(ThicknessError, match=r"book.xlsx holds no table 'Pt'"):
        read_thickness_table(f"{book}[Pt]")
    from sotfit.io.thickness import check_distinct_files
    check_distinct_files([f"{book}[NiFe]", f"{book}[CoTb]"])
    with pytest.raises(ThicknessError, match="are the same file"):
        check_distinct_files([f"{book}[NiFe]", f"{book}[NiFe]"])


def test_settings_of_two_cells_and_an_empty_row_above_the_column_names(tmp_path):
    """A spreadsheet's CSV: the sample and the resistivity as settings of two cells padded to
    the table's width, an empty row of commas, then the names and units. It was "cannot read
    the table (Expected 2 fields in line 3, saw 5)"; the settings are read as the '#' entries
    would be (the resistivity with its unit, the sample as the label)."""
    names, units, rows = _parts()
    p = tmp_path / "nife.csv"
    p.write_text("\n".join(["Sample,NiFe(6)/BiSb(t),,,", "resistivity (uOhm cm),350.3,,,", ",,,,",
                            ",".join(names), ",".join(f"[{u}]" for u in units), *rows]) + "\n")
    got = read_thickness_table(p)
    _same_series(got, read_thickness_table(SRC))
    assert got.label == "NiFe(6)/BiSb(t)"
    assert any("line(s) 1, 2 above the column names read as settings" in n
               for n in got.meta["reader_notes"])


def test_a_unit_typo_is_mended_by_naming_the_column_and_its_unit(tmp_path):
    """``thickness (Nm)`` was "unknown unit 'Nm'" whatever option was given; naming the column
    with its unit reads it (and the message says so)."""
    names, units, rows = _parts()
    heads = [f"{n} ({u})" for n, u in zip(names, units)]
    heads[0] = "thickness (Nm)"
    p = tmp_path / "nife.csv"
    p.write_text("# resistivity: 350.3 uOhm cm\n" + ",".join(heads) + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(ThicknessError, match=r"unknown unit 'Nm'; name the column and give its "
                                             r"unit \(--column \"ROLE=thickness \(Nm\)\""):
        read_thickness_table(p)
    got = read_thickness_table(p, columns={"thickness": "thickness (Nm)"},
                               column_units={"thickness": "nm"})
    _same_series(got, read_thickness_table(SRC))


def test_a_header_unit_replaced_by_the_column_unit_option_is_said(tmp_path):
    """``t_BiSb (A)``, amperes written for Angstrom: --column-unit thickness=Ang read it in
    Angstrom without a word that the header said otherwise."""
    names, units, rows = _parts()
    heads = [f"{n} ({u})" for n, u in zip(names, units)]
    heads[0] = "t_BiSb (A)"
    p = tmp_path / "nife.csv"
    p.write_text("# resistivity: 350.3 uOhm cm\n" + ",".join(heads) + "\n" + "\n".join(
        ",".join([str(float(r.split(",")[0]) * 10)] + r.split(",")[1:]) for r in rows) + "\n")
    got = read_thickness_table(p, columns={"thickness": "t_BiSb (A)"},
                               column_units={"thickness": "Ang"})
    _same_series(got, read_thickness_table(SRC))
    assert ("column 't_BiSb (A)' read in Ang as --column-unit thickness=Ang says, not in its "
            "header's A") in got.meta["reader_notes"]


def test_unlabelled_efficiencies_above_one_ask_whether_they_are_percent(tmp_path):
    """xi_dl written in percent without its label (1.7-8.7) was read as fractions: sigma_s 178
    and theta_SH 10.7 for a planted 3.33 and 0.20, without a word. Values above 1 in an
    unlabelled dimensionless column warn, naming the file, the column and the label to write;
    the labelled column reads 100 times smaller, silently."""
    body = "1,1.6630,0.1621\n2,4.5810,0.2380\n4,7.1030,0.3180\n8,8.6610,0.3490\n"
    f = tmp_path / "pct.csv"
    f.write_text("# resistivity: 60 uOhm cm\nthickness (nm),xi_dl,xi_dl_err\n" + body)
    with pytest.warns(UserWarning, match=r"pct\.csv: column 'xi_dl': dimensionless efficiencies "
                                         r"up to 8\.661.*label it \(e\.g\. 'xi_dl \(%\)'\)"):
        unlabelled = read_thickness_table(f)
    g = tmp_path / "pct_labelled.csv"
    g.write_text("# resistivity: 60 uOhm cm\nthickness (nm),xi_dl (%),xi_dl_err (%)\n" + body)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labelled = read_thickness_table(g)
    a, b = unlabelled.parts()[0][1], labelled.parts()[0][1]
    assert np.allclose(a.y, 100 * b.y, rtol=1e-12)
