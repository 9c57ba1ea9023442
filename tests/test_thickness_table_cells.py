"""Thickness tables with the cells papers and lab notebooks write: missing values (empty, NaN,
``-``, ``--``, ``n/a``), a value and its uncertainty in one cell (``0.05478 +/- 0.00456``,
``±``, ``0.05478(456)``), and a footnote under the table.

* A missing value with its uncertainty leaves that point out of that quantity only, said in a
  note naming the columns, the thicknesses and the lines; the fit is the fit of the table
  without those points. A missing thickness, a value without its uncertainty (or the
  reverse), and text that is no missing marker stay errors naming the line and the column.
* A column of ``value +/- error`` cells gives both, said in a note; beside an uncertainty
  column of the same quantity it is an error naming both.
* Up to three lines without a number after the last data row are not read, said in a note.
* Messages and notes name file lines (data rows counted from 1 in a workbook sheet).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit.analysis.thickness import build_problem, fit_thickness
from sotfit.cli import main
from sotfit.io.thickness import ThicknessError, ThicknessSeries, read_thickness_table
from sotfit.io.thickness.cells import with_uncertainty
from sotfit.models.drift_diffusion import xi_e_dl, xi_e_fl

DATA = Path(__file__).resolve().parents[1] / "data" / "thickness_example"
NIFE = DATA / "nife_bisb.csv"
TRUTH = {"spin_hall_conductivity": 3.68, "spin_diffusion_length": 24.8, "re_g_mix": 0.023,
         "im_g_mix": 0.133}
RHO = 350.3
UNIT = "(1e5 Ohm^-1 m^-1)"
HEADER = (f"thickness (nm),xi_e_dl {UNIT},xi_e_dl_stderr {UNIT},xi_e_fl {UNIT},"
          f"xi_e_fl_stderr {UNIT}")


def _planted():
    """(t, dl, dl_err, fl, fl_err) from the drift-diffusion model with the NiFe/BiSb
    parameters, with the noise of the bundled tables (3 % + 0.003)."""
    t = np.array([4.0, 6, 8, 10, 12, 14, 16, 20, 26, 30, 36, 42, 50, 60, 70])
    rng = np.random.default_rng(7)
    out = [t]
    for f in (xi_e_dl, xi_e_fl):
        y = f(t, resistivity=RHO, **TRUTH)
        e = 0.03 * np.abs(y) + 0.003
        out += [y + e * rng.standard_normal(t.size), e]
    return out


def _rows_text(cells):
    return "".join(",".join(r) + "\n" for r in cells)


def _cells(t, dl, edl, fl, efl):
    return [[repr(float(a)) for a in row] for row in zip(t, dl, edl, fl, efl)]


def _write(tmp_path, name, body, head=f"# resistivity: {RHO} uOhm cm\n"):
    p = tmp_path / name
    p.write_text(head + body, encoding="utf-8")
    return p


def _values(result):
    return np.array([result.value(k) for k in sorted(result.values)])


def test_missing_cells_leave_their_points_out_of_that_quantity_only(tmp_path):
    t, dl, edl, fl, efl = _planted()
    rows = _cells(t, dl, edl, fl, efl)
    # FL not measured at 8, 14, 26, 50 and 70 nm (each missing marker once), DL not at 16 nm,
    # neither at 36 nm
    for i, marker in ((2, ""), (5, "NaN"), (8, "-"), (12, "--"), (14, "n/a")):
        rows[i][3:5] = [marker, marker]
    rows[6][1:3] = ["N/A", "nan"]
    rows[10][1:5] = ["-", "-", "", ""]
    p = _write(tmp_path, "gaps.csv", HEADER + "\n" + _rows_text(rows))
    got = read_thickness_table(p)
    fl_out, dl_out = [2, 5, 8, 10, 12, 14], [6, 10]
    fl_keep = np.setdiff1d(np.arange(t.size), fl_out)
    dl_keep = np.setdiff1d(np.arange(t.size), dl_out)
    for part, keep, y, e in ((got.dl, dl_keep, dl, edl), (got.fl, fl_keep, fl, efl)):
        np.testing.assert_array_equal(part.x, t[keep])
        np.testing.assert_array_equal(part.y, y[keep])
        np.testing.assert_array_equal(part.yerr, e[keep])
    # the notes name the columns, the thicknesses and the file lines (the header is line 2)
    notes = got.meta["reader_notes"]
    fl_note = next(n for n in notes if n.startswith(f"'xi_e_fl {UNIT}' and 'xi_e_fl_stderr"))
    assert "no value at 8, 14, 26, 36, 50, 70 nm (lines 5, 8, 11, 13, 15, 17;" in fl_note
    assert "left out of the FL series only, which keeps 9 of 15" in fl_note
    dl_note = next(n for n in notes if n.startswith(f"'xi_e_dl {UNIT}' and 'xi_e_dl_stderr"))
    assert "no value at 16, 36 nm (lines 9, 13;" in dl_note and "keeps 13 of 15" in dl_note

    # the fit is the fit of the series without those points
    from sotfit.data import Dataset

    def part(keep, y, e, kind):
        return Dataset(t[keep], y[keep], e[keep], x_name="thickness", y_name=f"xi_e_{kind}",
                       x_unit="nm", y_unit="1e5 Ohm^-1 m^-1")

    ref = ThicknessSeries(part(dl_keep, dl, edl, "dl"), part(fl_keep, fl, efl, "fl"), RHO,
                          got.label)
    fit_got = fit_thickness(build_problem([got], joint=True))
    fit_ref = fit_thickness(build_problem([ref], joint=True))
    assert sorted(fit_got.values) == sorted(fit_ref.values)
    np.testing.assert_allclose(_values(fit_got), _values(fit_ref), rtol=1e-12)
    for k, v in TRUTH.items():
        name = k if k in fit_got.values else f"{k}_0"       # per interface: re_g_mix_0
        assert abs(fit_got.value(name) - v) < 3 * fit_got.stderr(name), k

    # from the command line: the fit runs and the notes reach the summary
    out = tmp_path / "out"
    assert main(["thickness", str(p), "--joint", "--no-figures", "--out", str(out)]) in (0, 3)
    s = json.loads((out / "summary.json").read_text())
    assert any(n.startswith(f"reader: {p}: 'xi_e_fl {UNIT}'") and "left out" in n
               for n in s["notes"])


@pytest.mark.parametrize("row,match", [
    # a missing thickness
    ("  ,0.2,0.01,-0.1,0.01", r"column 'thickness \(nm\)' has no value on line 4 \(empty or "
                              r"written NaN, -, --, n/a\); every row needs its thickness: "
                              "write it there, or delete the row"),
    ("n/a,0.2,0.01,-0.1,0.01", r"column 'thickness \(nm\)' has no value on line 4"),
    # a value without its uncertainty, and the reverse
    ("8,0.2,-,-0.1,0.01", r"column 'xi_e_dl [(]1e5 Ohm\^-1 m\^-1[)]' has a value on line 4 "
                          r"where column 'xi_e_dl_stderr .*' has none; give the value and its "
                          "uncertainty both, or neither"),
    ("8,0.2,0.01,,0.01", r"column 'xi_e_fl_stderr .*' has a value on line 4 where column "
                         r"'xi_e_fl [(]1e5 Ohm\^-1 m\^-1[)]' has none"),
    # text that is no missing marker
    ("8,abc,0.01,-0.1,0.01", r"column 'xi_e_dl .*' holds text that is not a number on line 4 "
                             r"\('abc'\); a cell without a value may be empty or written NaN, "
                             "-, --, n/a"),
    ("8,0.2,0.01,-0.1,?", r"column 'xi_e_fl_stderr .*' holds text that is not a number on "
                          r"line 4 \('\?'\)"),
])
def test_a_missing_thickness_half_a_point_or_text_is_an_error_naming_line_and_column(
        tmp_path, row, match):
    p = _write(tmp_path, "bad.csv", HEADER + "\n6,0.1,0.01,-0.05,0.01\n" + row + "\n"
               "10,0.3,0.01,-0.2,0.01\n")
    with pytest.raises(ThicknessError, match=match) as err:
        read_thickness_table(p)
    assert str(err.value).startswith(f"{p}: ")


def test_a_column_with_no_value_at_all_gives_no_series_and_says_so(tmp_path):
    t, dl, edl, _, _ = _planted()
    rows = [[repr(float(a)) for a in r] + ["", ""] for r in zip(t, dl, edl)]
    got = read_thickness_table(_write(tmp_path, "dl.csv", HEADER + "\n" + _rows_text(rows)))
    assert got.fl is None and len(got.dl) == t.size
    assert any("hold no value on any line" in n and "no FL series" in n
               for n in got.meta["reader_notes"])
    rows = [[repr(float(t[0])), "-", "-", "", ""], [repr(float(t[1])), "nan", "nan", "-", "-"]]
    with pytest.raises(ThicknessError, match="the efficiency columns hold no value on any line"):
        read_thickness_table(_write(tmp_path, "none.csv", HEADER + "\n" + _rows_text(rows)))


def test_rows_without_any_value_are_not_read_and_said(tmp_path):
    body = "".join(ln + "\n" for ln in NIFE.read_text().splitlines())
    lines = body.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln and ln[0].isdigit())
    lines[first + 3:first + 3] = [",,,,", "-,-,-,-,-"]
    p = tmp_path / "gaps.csv"
    p.write_text("\n".join(lines) + "\n")
    got, ref = read_thickness_table(p), read_thickness_table(NIFE)
    np.testing.assert_array_equal(got.dl.y, ref.dl.y)
    np.testing.assert_array_equal(got.fl.y, ref.fl.y)
    assert f"lines {first + 4}, {first + 5} hold no value in any cell" in \
        " ".join(got.meta["reader_notes"])


@pytest.mark.parametrize("cell,value,error", [
    ("0.05478 +/- 0.00456", 0.05478, 0.00456), ("0.05478 ± 0.00456", 0.05478, 0.00456),
    ("-0.04251+-0.00433", -0.04251, 0.00433), ("0.05478(456)", 0.05478, 0.00456),
    ("12.3(12)", 12.3, 1.2), ("-1.234(5)e-3", -1.234e-3, 5e-6), ("5(1)", 5.0, 1.0),
    ("1.5e-2 ± 3e-4", 1.5e-2, 3e-4),
])
def test_value_and_uncertainty_in_one_cell(cell, value, error):
    v, e = with_uncertainty(cell)
    assert v == pytest.approx(value, rel=1e-15) and e == pytest.approx(error, rel=1e-15)


@pytest.mark.parametrize("cell", ["0.05478", "abc", "0.05 +/- -0.01", "(456)", "", "1 ± ",
                                  "0.05478 (456)"])
def test_cells_that_are_not_a_value_with_its_uncertainty(cell):
    assert with_uncertainty(cell) is None


def _nife_rows():
    lines = [ln for ln in NIFE.read_text().splitlines() if ln and not ln.startswith("#")]
    return [ln.split(",") for ln in lines[1:]]


@pytest.mark.parametrize("names,spell", [
    (("t (nm)", "xi_E_DL +/- err", "xi_E_FL ± err"), lambda v, e: f"{v} +/- {e}"),
    (("thickness (nm)", "xi_e_dl", "xi_e_fl"), lambda v, e: f"{v} ± {e}"),
])
def test_a_column_of_values_with_their_uncertainties(tmp_path, names, spell):
    """Each cell of a column gives the value and its standard error: the series of the
    bundled table with separate columns, and a note saying so."""
    body = ",".join([names[0]] + [f"{n} {UNIT}" for n in names[1:]]) + "\n"
    body += "".join(f"{t},{spell(y, e)},{spell(f, g)}\n" for t, y, e, f, g in _nife_rows())
    p = _write(tmp_path, "pm.csv", body)
    got, ref = read_thickness_table(p), read_thickness_table(NIFE)
    for part in ("dl", "fl"):
        a, b = getattr(got, part), getattr(ref, part)
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.y, b.y)
        np.testing.assert_array_equal(a.yerr, b.yerr)
    assert any(f"column '{names[1]} {UNIT}': each cell read as a value and its standard error"
               in n for n in got.meta["reader_notes"])


def test_a_pm_column_named_by_the_option_and_its_missing_cells(tmp_path):
    rows = _nife_rows()
    body = f"t (nm),DL {UNIT}\n" + "".join(
        f"{t},{'-' if i == 3 else f'{y} +/- {e}'}\n" for i, (t, y, e, *_) in enumerate(rows))
    p = _write(tmp_path, "pm.csv", body)
    got = read_thickness_table(p, columns={"xi_e_dl": "DL"})
    ref = read_thickness_table(NIFE)
    keep = np.arange(len(rows)) != 3
    np.testing.assert_array_equal(got.dl.x, ref.dl.x[keep])
    np.testing.assert_array_equal(got.dl.y, ref.dl.y[keep])
    np.testing.assert_array_equal(got.dl.yerr, ref.dl.yerr[keep])
    assert any(f"'DL {UNIT}' have no value at {rows[3][0]} nm (line 6;" in n
               for n in got.meta["reader_notes"])


def test_a_pm_column_beside_an_uncertainty_column_or_with_bare_values_is_an_error(tmp_path):
    body = (f"thickness (nm),xi_e_dl {UNIT},xi_e_dl_stderr {UNIT}\n"
            "6,0.05478 +/- 0.00456,0.00456\n8,0.07574 +/- 0.0051,0.0051\n")
    with pytest.raises(ThicknessError, match=r"column 'xi_e_dl [(]1e5 Ohm\^-1 m\^-1[)]' gives "
                                             r"values with their uncertainties \('0.05478 \+/- "
                                             r"0.00456'\) and column 'xi_e_dl_stderr .*' gives "
                                             "uncertainties of the same quantity"):
        read_thickness_table(_write(tmp_path, "both.csv", body))
    body = f"thickness (nm),xi_e_dl {UNIT}\n6,0.05478 +/- 0.00456\n8,0.07574\n"
    with pytest.raises(ThicknessError, match=r"holds values with their uncertainties .* but on "
                                             r"line 4 a value without one \('0.07574'\)"):
        read_thickness_table(_write(tmp_path, "bare.csv", body))
    body = f"thickness (nm),xi_e_dl {UNIT}\n6 ± 0.1,0.05478 +/- 0.00456\n"
    with pytest.raises(ThicknessError, match=r"column 'thickness \(nm\)' holds a value with an "
                                             r"uncertainty on line 3 .*give the thickness alone"):
        read_thickness_table(_write(tmp_path, "tpm.csv", body))


@pytest.mark.parametrize("footer", [
    ["* 70 nm sample from a second deposition run; errors are 1 sigma"],
    ["* values from ref. 12", "Note: FL not measured, see text, 2 runs, a, b, c, d"],
    ["", "Note: values from ref. 12", "# a comment", "END"],
])
def test_a_footnote_under_the_table_is_not_read(tmp_path, footer):
    text = NIFE.read_text().rstrip("\n") + "\n" + "\n".join(footer) + "\n"
    p = tmp_path / "foot.csv"
    p.write_text(text)
    got, ref = read_thickness_table(p), read_thickness_table(NIFE)
    np.testing.assert_array_equal(got.dl.y, ref.dl.y)
    np.testing.assert_array_equal(got.fl.y, ref.fl.y)
    n0 = len(NIFE.read_text().splitlines())
    lines = [n0 + 1 + i for i, ln in enumerate(footer) if ln and not ln.startswith("#")]
    assert any(n.startswith(f"line(s) {', '.join(map(str, lines))} after the data") and
               "not read: text without a number, a footer" in n
               for n in got.meta["reader_notes"])


def test_text_under_the_table_that_is_no_footer_stays_an_error(tmp_path):
    n0 = len(NIFE.read_text().splitlines())
    # four lines of text: more than a footer
    p = tmp_path / "four.csv"
    p.write_text(NIFE.read_text() + "a\nb\nc\nd\n")
    with pytest.raises(ThicknessError, match=rf"column 'thickness \(nm\)' holds text that is not "
                                             rf"a number on lines {n0 + 1}, {n0 + 2}, {n0 + 3}, "
                                             rf"{n0 + 4} \('a'\)"):
        read_thickness_table(p)
    # a line holding a number in a cell is a data row
    p = tmp_path / "number.csv"
    p.write_text(NIFE.read_text() + "see run,12\n")
    with pytest.raises(ThicknessError, match=rf"holds text that is not a number on line "
                                             rf"{n0 + 1} \('see run'\)"):
        read_thickness_table(p)


def test_rows_of_a_workbook_sheet_are_counted_under_the_column_names(tmp_path):
    pytest.importorskip("openpyxl")
    frame = pd.read_csv(NIFE, comment="#", dtype=str, keep_default_na=False)
    frame.iloc[2, 3:5] = "-"
    frame.iloc[4, 1] = "abc"
    p = tmp_path / "nife.xlsx"
    with pd.ExcelWriter(p) as xw:
        frame.to_excel(xw, index=False)
    with pytest.raises(ThicknessError, match=r"holds text that is not a number on data row 5 "
                                             r"\(counted from 1 under the column names\)"):
        read_thickness_table(p, resistivity=RHO)
    frame.iloc[4, 1] = "0.1"
    with pd.ExcelWriter(p) as xw:
        frame.to_excel(xw, index=False)
    got = read_thickness_table(p, resistivity=RHO)
    assert len(got.fl) == len(got.dl) - 1
    assert any("(data row 3 (counted from 1 under the column names);" in n
               for n in got.meta["reader_notes"])
