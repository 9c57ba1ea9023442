"""Layouts of thickness tables that spreadsheets and analysis programs write: a row of units
under the column names beside columns of text filled on every row (sample names, remarks)."""

import numpy as np
import pytest

from sotfit.io.thickness import read_thickness_tables

T = [6.0, 8.0, 10.0, 14.0]
DL = [0.052189, 0.076802, 0.091656, 0.10737]
DL_ERR = [0.004561, 0.0050962, 0.0055459, 0.0062771]
UNIT = "1e5 Ohm^-1 m^-1"


def _one(path, **kw):
    found = read_thickness_tables(path, **kw)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("where", ["sample first", "remark last", "both"])
def test_a_units_row_beside_text_filled_on_every_row(tmp_path, delimiter, where):
    """A units row under the names beside a column of sample names or remarks that every row
    fills: no row held numbers only, the units row was not seen, and the table was refused
    ('column thickness holds text ... nm', or 'column Probe names 4 samples, but line 2 name
    none'). With semicolons the numbers are written with decimal commas."""
    d = delimiter

    def num(v):
        return f"{v:g}".replace(".", ",") if d == ";" else f"{v:g}"

    names, units = ["thickness", "xi_e_dl", "xi_e_dl_err"], ["nm", UNIT, UNIT]
    first = where in ("sample first", "both")
    last = where in ("remark last", "both")
    names = (["Probe"] if first else []) + names + (["remark"] if last else [])
    units = ([""] if first else []) + units + ([""] if last else [])
    lines = ["# resistivity: 350.3 uOhm cm", d.join(names), d.join(units)]
    for k, row in enumerate(zip(T, DL, DL_ERR)):
        cells = ([f"NF-{k:02d}"] if first else []) + [num(v) for v in row] \
            + (["ok"] if last else [])
        lines.append(d.join(cells))
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    s = _one(path)
    assert s.dl.x.tolist() == T
    np.testing.assert_allclose(s.dl.y, DL, rtol=1e-12)
    np.testing.assert_allclose(s.dl.yerr, DL_ERR, rtol=1e-12)
    assert any("the units on line 3" in n for n in s.meta["reader_notes"])


@pytest.mark.parametrize("units_row", [False, True])
def test_a_workbook_with_a_sample_column_reads_as_its_csv(tmp_path, units_row):
    """A workbook with a settings row above a table with a sample-name column was refused
    ('some data rows have more cells than the header has column names'), and with a units row
    the settings row was taken as the column names; the same layout as CSV reads."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    names = ["sample", "thickness", "xi_e_dl", "xi_e_dl_err"]
    units = ["", "nm", UNIT, UNIT]
    if not units_row:
        names = [n if not u else f"{n} ({u})" for n, u in zip(names, units)]
    body = [[f"NF{k}", t, v, e] for k, (t, v, e) in enumerate(zip(T, DL, DL_ERR))]
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as xw:
        pd.DataFrame([["resistivity (uOhm cm)", 350.3]]).to_excel(xw, header=False, index=False)
        table = [names, *([units] if units_row else []), *body]
        pd.DataFrame(table).to_excel(xw, header=False, index=False, startrow=1)
    s = _one(book)
    assert s.resistivity == pytest.approx(350.3)
    assert s.dl.x.tolist() == T
    np.testing.assert_allclose(s.dl.y, DL, rtol=1e-12)
    np.testing.assert_allclose(s.dl.yerr, DL_ERR, rtol=1e-12)


@pytest.mark.parametrize("dl, err", [("ξ_DL^E", "Δξ_DL^E"), ("xi^E_DL", "Δxi^E_DL"),
                                     ("ξ_e_DL", "δξ_e_DL")])
def test_greek_names_with_a_superscript_e_and_a_delta_error(tmp_path, dl, err):
    """'ξ_DL^E (10^5 Ω^-1 m^-1)' with its error 'Δξ_DL^E (...)', as a paper's table writes
    them, were refused ('no efficiency column'); ξ was already read as xi."""
    unit = "10^5 Ω^-1 m^-1"
    rows = [f"{t:g},{v:g},{e:g}" for t, v, e in zip(T, DL, DL_ERR)]
    path = tmp_path / "greek.csv"
    path.write_text("\n".join(["# resistivity: 350.3 uOhm cm",
                               f"t (nm),{dl} ({unit}),{err} ({unit})", *rows]) + "\n",
                    encoding="utf-8")
    s = _one(path)
    np.testing.assert_allclose(s.dl.x, T)
    np.testing.assert_allclose(s.dl.y, DL, rtol=1e-12)
    np.testing.assert_allclose(s.dl.yerr, DL_ERR, rtol=1e-12)


def test_a_hash_inside_a_sample_name_is_not_a_comment(tmp_path):
    """'NiFe/BiSb #3' in a sample column cut the row at '#' (the error said its thickness was
    missing); a comment after the last cell of a row is still a comment."""
    rows = [f"NiFe/BiSb #{k},{t:g},{v:g},{e:g}" + ("  # thin film" if k == 1 else "")
            for k, (t, v, e) in enumerate(zip(T, DL, DL_ERR), start=1)]
    path = tmp_path / "hash.csv"
    path.write_text("\n".join(["# resistivity: 350.3 uOhm cm",
                               f"sample,thickness (nm),xi_e_dl ({UNIT}),xi_e_dl_stderr ({UNIT})",
                               *rows]) + "\n")
    s = _one(path)
    np.testing.assert_allclose(s.dl.x, T)
    np.testing.assert_allclose(s.dl.y, DL, rtol=1e-12)
    np.testing.assert_allclose(s.dl.yerr, DL_ERR, rtol=1e-12)


def test_error_columns_named_err_right_of_their_values(tmp_path):
    """Origin writes a column's error bars in the column to its right, often named 'err' for
    both efficiencies ('xi_e_dl, err, xi_e_fl, err'): the table was refused ('no uncertainty
    column'), and --column xi_e_fl_err=err could not name the second one."""
    fl, fl_err = [-0.045895, -0.072213, -0.09, -0.1], [0.0043276, 0.0052392, 0.006, 0.007]
    rows = [f"{t:g},{a:g},{b:g},{c:g},{d:g}" for t, a, b, c, d in zip(T, DL, DL_ERR, fl, fl_err)]
    path = tmp_path / "origin.csv"
    path.write_text("\n".join(["# resistivity: 350.3 uOhm cm",
                               f"thickness (nm),xi_e_dl ({UNIT}),err,xi_e_fl ({UNIT}),err",
                               *rows]) + "\n")
    s = _one(path)
    np.testing.assert_allclose(s.dl.yerr, DL_ERR, rtol=1e-12)
    np.testing.assert_allclose(s.fl.y, fl, rtol=1e-12)
    np.testing.assert_allclose(s.fl.yerr, fl_err, rtol=1e-12)
    assert any("as Origin writes a column's error bars" in n for n in s.meta["reader_notes"])


def test_a_blank_separated_table_with_units_in_brackets_is_read_as_the_text_reader_splits_it(
        tmp_path):
    """'thickness (nm) xi_dl xi_dl_err' over rows of three numbers: every blank was a
    separator, and the reader said "column 'thickness' has no unit" ('(nm)' a column of its
    own), where sotfit tables lists the columns 'thickness (nm)', 'xi_dl', 'xi_dl_err'."""
    import numpy as np

    from sotfit.io.text import read_tables
    from sotfit.io.thickness import read_thickness_table

    p = tmp_path / "blank.txt"
    p.write_text("# resistivity: 200 uOhm cm\nthickness (nm) xi_dl   xi_dl_err\n"
                 "2 0.00986 0.00089\n3 0.0203 0.0012\n4 0.0314 0.0015\n5 0.040 0.002\n")
    s = read_thickness_table(p)
    np.testing.assert_array_equal(s.dl.x, [2, 3, 4, 5])
    np.testing.assert_allclose(s.dl.y * 200 * 1e-3, [0.00986, 0.0203, 0.0314, 0.040], rtol=1e-12)
    np.testing.assert_allclose(s.dl.yerr * 200 * 1e-3, [0.00089, 0.0012, 0.0015, 0.002],
                               rtol=1e-12)
    (t,) = read_tables(p)
    assert list(t.columns) == ["thickness (nm)", "xi_dl", "xi_dl_err"]
    # a value with its uncertainty in one word, as papers print them
    p.write_text("# resistivity: 200 uOhm cm\nt (\u00c5)    xi_DL (1)\n20 0.00986(89)\n"
                 "30 0.0203(12)\n40 0.0314(15)\n50 0.040(2)\n", encoding="utf-8")
    s = read_thickness_table(p)
    np.testing.assert_array_equal(s.dl.x, [2, 3, 4, 5])
    np.testing.assert_allclose(s.dl.yerr * 200 * 1e-3, [0.00089, 0.0012, 0.0015, 0.002],
                               rtol=1e-12)
