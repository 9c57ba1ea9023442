"""Cells as logging programs and spreadsheets write them beside the numbers: columns of text
(a time stamp, a status word) are left out with a note, and numbers with decimal commas and
points between groups of thousands (``-1.934,46``) are read as such. Each converted copy of
the bundled example spectra gives the numbers of the CSV; what cannot be told apart
(``1.934`` with decimal commas elsewhere) keeps its error."""

from pathlib import Path

import numpy as np
import pytest

from sotfit import DataError
from summary_entries import stfmr_summary, without_run_entries
from sotfit.io import read_stfmr, read_table
from sotfit.io.decimal_commas import number_mark
from sotfit.io.hall import read_hall

ROOT = Path(__file__).resolve().parents[1]
STFMR = ROOT / "data" / "stfmr_example"
HALL = ROOT / "data" / "hall_example" / "inplane"




@pytest.fixture(scope="module")
def csv_summary(tmp_path_factory):
    return stfmr_summary(STFMR, tmp_path_factory.mktemp("csv") / "out")


def _parts(path):
    lines = path.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    return head, lines[len(head)].split(","), [r.split(",") for r in lines[len(head) + 1:]]


def _stamped(path, sep, decimal_comma):
    head, names, rows = _parts(path)
    comma = (lambda c: c.replace(".", ",")) if decimal_comma else (lambda c: c)
    out = [*head, sep.join(["Time", "Status", *names])]
    for i, (h, v) in enumerate(rows):
        out.append(sep.join([f"04.12.2026 10:{i // 60:02d}:{i % 60:02d}", "OK" if i % 7 else "",
                             comma(h), comma(v)]))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("sep, decimal_comma", [(",", False), ("\t", False), (";", True)])
def test_columns_of_text_are_left_out_and_named(tmp_path, csv_summary, sep, decimal_comma):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(STFMR.glob("py_pt_*GHz.csv")):
        (folder / p.name).write_text(_stamped(p, sep, decimal_comma))
    s = stfmr_summary(folder, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(csv_summary)   # exact floats
    assert any(n.endswith("2 column(s) of text not read: 'Time' (text such as '04.12.2026 "
                          "10:00:00'), 'Status' (text such as 'OK')") for n in s["notes"])


@pytest.mark.parametrize("sep, decimal_comma", [("\t", False), (";", True)])
def test_a_column_of_dates_between_points_is_text(tmp_path, sep, decimal_comma):
    """A European log's date column alone (``04.12.2026``: day, month and year between points,
    no time beside it) is a column of text, left out as a time stamp is; the table was "no
    numeric data rows found", with decimal commas or points. The numbers are the CSV's; a
    number with points between groups of three digits is no date."""
    src = STFMR / "py_pt_8GHz.csv"
    head, names, rows = _parts(src)
    comma = (lambda c: c.replace(".", ",")) if decimal_comma else (lambda c: c)
    p = tmp_path / src.name
    p.write_text("\n".join([*head, sep.join(["Datum", *names])] + [
        sep.join([f"{4 + i // 300:02d}.12.2026", comma(h), comma(v)])
        for i, (h, v) in enumerate(rows)]) + "\n")
    (got,) = read_stfmr([p])
    (want,) = read_stfmr([src])
    assert np.array_equal(got.x, want.x) and np.array_equal(got.y, want.y)
    assert any("1 column(s) of text not read: 'Datum' (text such as '04.12.2026')" in n
               for n in got.meta["reader_notes"])
    from sotfit.io.text_columns import _TEXT_RE
    assert not any(_TEXT_RE.search(c) for c in ("1.234.567", "-1.934", "12.5", "0.04", "-3-2"))
    assert all(_TEXT_RE.search(c) for c in ("04-12-2026", "2026.12.04", "4.12.26"))


def test_a_column_with_numbers_and_text_is_kept_and_its_text_is_an_error(tmp_path):
    p = tmp_path / "f_9GHz.csv"
    p.write_text("Time,Field (mT),Vmix (uV)\n10:00:00,1.0,2.0\n10:00:01,1.5,oops\n"
                 "10:00:02,2.0,2.5\n")
    with pytest.raises(DataError, match=r"f_9GHz.csv: line 3, 'Vmix \(uV\)': 'oops' is not a number"):
        read_table(p)


def test_text_columns_keep_line_numbers(tmp_path):
    p = tmp_path / "f_9GHz.csv"
    p.write_text("# frequency: 9 GHz\nTime,Field (mT),Vmix (uV)\n\n10:00:00,1.0,2.0\n"
                 "10:00:01,1.5,2.5\n")
    t = read_table(p)
    assert t.columns == ("Field (mT)", "Vmix (uV)")
    assert t.lines.tolist() == [4, 5] and t.header == {"frequency": "9 GHz"}
    np.testing.assert_array_equal(t.data, [[1.0, 2.0], [1.5, 2.5]])


def test_thousands_separated_by_points_with_decimal_commas(tmp_path):
    p = tmp_path / "f_9GHz.csv"
    p.write_text("Feld (Oe);Spannung (nV)\n-1.934,46;213,5\n-1.930,93;1.223,802\n"
                 "950,5;-12.345.678,9\n")
    t = read_table(p)
    np.testing.assert_array_equal(t.data, [[-1934.46, 213.5], [-1930.93, 1223.802],
                                           [950.5, -12345678.9]])
    assert "'1.934,5' as 1934.5" in t.notes[0]
    assert number_mark("-1.934,46") == "," and number_mark("1.934") == "."


def test_a_point_alone_beside_decimal_commas_is_not_guessed_at(tmp_path):
    """``1.934`` may be 1934 or 1.934: the file keeps its error naming the line."""
    p = tmp_path / "f_9GHz.csv"
    p.write_text("Feld (Oe);Spannung (nV)\n-1.934,46;213,5\n-1.934;223,8\n")
    with pytest.raises(DataError, match=r"f_9GHz.csv: .*line 3 writes '-1.934' with a point: a "
                                         "decimal point or a point between thousands"):
        read_table(p)


def test_hall_thousands_with_decimal_commas_read_as_numbers(tmp_path):
    src = HALL / "phi_400mT.csv"
    lines = src.read_text().splitlines()
    out = [lines[0].replace(",", ";").replace("(uV)", "(nV)")]
    for ln in lines[1:]:
        c = ln.split(",")
        out.append(";".join(c[:2] + [f"{float(x) * 1000:_.4f}".replace(".", ",").replace("_", ".")
                                     for x in c[2:]]))
    p = tmp_path / "phi_400mT.csv"
    p.write_text("\n".join(out) + "\n")
    assert any("." in ln.split(";")[2] for ln in out[1:])      # some numbers are grouped
    kw = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X")
    got, = read_hall(p, **kw)
    ref, = read_hall(src, **kw)
    np.testing.assert_allclose(got.r1w.y, ref.r1w.y, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(got.r2w.y, ref.r2w.y, rtol=1e-9, atol=1e-10)


def test_typeset_minus_signs_are_read_as_minus(tmp_path, csv_summary):
    """U+2212 (the minus of typesetting) is read as '-': the numbers of the CSV, with a note."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(STFMR.glob("py_pt_*GHz.csv")):
        head, names, rows = _parts(p)
        body = [",".join(r).replace("-", "\u2212") for r in rows]
        (folder / p.name).write_text("\n".join([*head, ",".join(names), *body]) + "\n",
                                     encoding="utf-8")
    s = stfmr_summary(folder, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(csv_summary)   # exact floats
    assert any("minus signs written as the character U+2212" in n for n in s["notes"])


def test_hall_typeset_minus_signs_are_read_as_minus(tmp_path):
    src = HALL / "phi_400mT.csv"
    p = tmp_path / "phi_400mT.csv"
    p.write_text(src.read_text().replace("-", "\u2212"), encoding="utf-8")
    kw = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X")
    got, = read_hall(p, **kw)
    ref, = read_hall(src, **kw)
    np.testing.assert_array_equal(got.r1w.y, ref.r1w.y)
    np.testing.assert_array_equal(got.r2w.y, ref.r2w.y)
    assert any("U+2212" in n for n in got.meta["reader_notes"])


def test_an_empty_cell_or_a_row_too_long_beside_a_column_of_text_is_named(tmp_path):
    """A row whose last cell is empty, or that has a cell too many, beside a column of time
    stamps: the error names that row, not the column names above the data."""
    rows = [f"10:00:{i:02d};{1.0 + i};{2.0 + i}" for i in range(6)]
    p = tmp_path / "f_9GHz.csv"
    p.write_text("\n".join(["Time;Field (mT);Vmix (uV)", *rows[:3], "10:00:03;4.0;", *rows[4:]])
                 + "\n")
    with pytest.raises(DataError, match=r"f_9GHz.csv: .*missing.* at line\(s\) \[5\]"):
        read_stfmr(p)
    q = tmp_path / "g_9GHz.csv"
    q.write_text("\n".join(["Time;Field (mT);Vmix (uV)", *rows[:3], rows[3] + ";7.5", *rows[4:]])
                 + "\n")
    with pytest.raises(DataError, match=r"g_9GHz.csv: line 5 has 4 value\(s\) but the data above "
                                        r"has 2 column\(s\)"):
        read_table(q)


def test_a_missing_field_column_names_the_columns_read_as_text(tmp_path):
    """Numbers written as text (``np.float64(-1422.9)``, as an f-string of numpy scalars writes
    them) are columns of text; the error that finds no field names them."""
    p = tmp_path / "f_9GHz.csv"
    p.write_text("Field (Oe),Voltage (V),Time (s)\n"
                 + "".join(f"np.float64({-1400.0 + i}),np.float64({1e-6 * i}),{0.1 * i}\n"
                           for i in range(20)))
    with pytest.raises(DataError, match=r"no field column among \['Time \(s\)'\].*the reader found "
                                        r"2 column\(s\) of text not read: 'Field \(Oe\)' \(text "
                                        r"such as 'np.float64\(-1400.0\)'\)"):
        read_stfmr(p)


def test_a_column_of_sample_names_above_a_footer_is_listed(tmp_path, capsys):
    """A thickness table with a column of sample names and two footnote lines below it: `sotfit
    thickness` read it, `sotfit tables` said 'no numeric data rows found' (the footnote's last
    line was taken for the table's last row). Listed, with its numbers, the footer noted."""
    from sotfit.cli import main

    p = tmp_path / "series.csv"
    p.write_text("# resistivity: 40 uOhm cm\n"
                 "sample,t_Pt (Angstrom),xi_e_dl (S/m),xi_e_dl_err (S/m)\n"
                 "W00,10,9166.4,575.0\nW01,15,15843.4,768.4\nW02,20,21778.6,961.3\n"
                 "Note: device W01 measured twice, mean given\nErrors are fit standard errors\n")
    t = read_table(p)
    np.testing.assert_array_equal(t.data, [[10, 9166.4, 575.0], [15, 15843.4, 768.4],
                                           [20, 21778.6, 961.3]])
    assert t.columns[0] == "t_Pt (Angstrom)"
    assert any("'sample'" in n for n in t.notes) and any("a footer" in n for n in t.notes)
    assert main(["tables", str(p)]) == 0
    assert "3 rows x 3 columns" in capsys.readouterr().out
