"""The fast numeric path of read_table gives the values of the exact pandas path, bit for bit,
and leaves everything that is not a plain table of numbers to the general parsers."""

import io

import numpy as np
import pandas as pd
import pytest

from sotfit.io.text import _pandas_exact, _parse_plain, read_table


def _pandas(lines, delimiter):
    frame = pd.read_csv(io.StringIO("\n".join(lines)), header=None, dtype=float,
                        sep=r"\s+" if delimiter == "whitespace" else delimiter, **_pandas_exact())
    return frame.to_numpy(float)


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "whitespace"])
def test_plain_numbers_equal_the_exact_pandas_values(delimiter):
    rng = np.random.default_rng(4)
    values = np.column_stack([rng.normal(0, 1e3, 300), rng.normal(0, 1e-7, 300),
                              rng.uniform(-1, 1, 300)])
    sep = " " if delimiter == "whitespace" else delimiter
    lines = [sep.join((f"{a:.17g}", f"{b:.6e}", f"{c:+.9f}")) for a, b, c in values]
    fast = _parse_plain(lines, delimiter, 3)
    assert fast is not None
    assert np.array_equal(fast, _pandas(lines, delimiter))          # the same doubles


@pytest.mark.parametrize("lines", [
    ["1,2", "3,nan"],          # a missing value: the general path reports or refuses it
    ["1,2", "3,"],             # an empty cell
    ["1,2", "3,4,5"],          # a row of the wrong length
    ["1,2", "3,0x10"],         # not a decimal number
    ["1,2", "3,1_000"],        # Python would read the underscore, a lab file does not mean it
    ["1,2", "3,\u22124"],      # a typographic minus
])
def test_anything_but_plain_numbers_takes_the_general_path(lines):
    assert _parse_plain(lines, ",", 2) is None


def test_read_table_gives_the_same_values_either_way(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("# frequency_GHz: 9\nField (mT),Vmix (uV)\n-12.5,1e-3\n0.25,-7\n3,2.5E+2\n")
    t = read_table(p)
    assert np.array_equal(t.data, np.array([[-12.5, 1e-3], [0.25, -7.0], [3.0, 250.0]]))
    assert t.columns == ("Field (mT)", "Vmix (uV)")


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("sep", [";", "\t", " ", "   "])
def test_numbers_with_decimal_commas_read_as_the_same_decimals(tmp_path, sep):
    """A table written with decimal commas (semicolon-, tab- or blank-separated, as a
    spreadsheet in many locales saves it) gives the very numbers of the same table written
    with decimal points, the numbers of its preamble too, and says so in its notes."""
    rows = (("-400", "-0.100687"), ("-399", "1.5e-3"), ("-398.25", "-0.132904"), ("0", "7"))
    names = "    " if sep.startswith(" ") else sep   # names with blanks need two or more
    head = "# sample: Py/Pt, device 1,2,3\nFrequency: 10.5 GHz\nField (mT)" + names + "Vmix (uV)\n"
    points = _write(tmp_path / "points.csv",
                    head + "".join(f"{f}{sep}{v}\n" for f, v in rows))
    commas = _write(tmp_path / "commas.csv", points.read_text().replace(".", ","))
    a, b = read_table(points), read_table(commas)
    assert np.array_equal(a.data, b.data) and a.data.shape == (4, 2)
    assert b.header["Frequency"] == "10.5 GHz"
    assert b.header["sample"] == "Py/Pt, device 1,2,3"     # a list is not a number
    assert b.columns == a.columns and np.array_equal(a.lines, b.lines)
    assert a.notes == () and len(b.notes) == 1 and "line 4" in b.notes[0]
    assert "decimal commas" in b.notes[0]
    c = read_table(commas)                                  # read again: the same table
    assert np.array_equal(c.data, b.data) and c.notes == b.notes


def test_a_comma_separated_table_is_never_read_with_decimal_commas(tmp_path):
    """'1,5' in a comma-separated file is two numbers, however the file was written."""
    t = read_table(_write(tmp_path / "c.csv", "Field (mT),Vmix (uV)\n1,5\n2,25\n"))
    assert np.array_equal(t.data, [[1.0, 5.0], [2.0, 25.0]]) and t.notes == ()


def test_integer_first_row_then_decimal_commas(tmp_path):
    """The first data row may hold no decimals at all; the commas of the rows after it
    decide."""
    t = read_table(_write(tmp_path / "i.csv", "B (mT);V (uV)\n0;0\n1;0,5\n2;-1,25e-1\n"))
    assert np.array_equal(t.data, [[0.0, 0.0], [1.0, 0.5], [2.0, -0.125]])
    assert t.notes and "line 3" in t.notes[0]


def test_decimal_points_and_commas_mixed_are_not_guessed(tmp_path):
    """A table with both spellings is not read by guessing: the error names the line and the
    decimal commas."""
    from sotfit.data import DataError

    p = _write(tmp_path / "m.csv", "Field (mT);Vmix (uV)\n-400;-0,100687\n-399;1.5e-3\n")
    with pytest.raises(DataError, match=r"line 2 .*decimal commas.*line 3"):
        read_table(p)
    q = _write(tmp_path / "n.csv", "Field (mT);Vmix (uV)\n-400;-0,100687\n-399;1,5e-3\n"
               "-398;0.25\n")
    with pytest.raises(DataError, match=r"line 3 .*decimal commas.*line 4"):
        read_table(q)


@pytest.mark.parametrize("sep", [",", ";", "\t", " "])
def test_quoted_names_and_numbers_read_as_plain_ones(tmp_path, sep):
    """Quotes around column names (R's write.csv) or around every cell give the table of the
    same file without them."""
    rows = (("-400", "-0.100687"), ("-399", "1.5e-3"), ("-398.25", "-0.132904"))
    plain = _write(tmp_path / "plain.csv", "# frequency_GHz: 9\nField (mT)" + (sep if sep != " " else "  ")
                   + "Vmix (uV)\n" + "".join(f"{f}{sep}{v}\n" for f, v in rows))
    names = _write(tmp_path / "names.csv", f'# frequency_GHz: 9\n"Field (mT)"{sep}"Vmix (uV)"\n'
                   + "".join(f"{f}{sep}{v}\n" for f, v in rows))
    cells = _write(tmp_path / "cells.csv", f'# frequency_GHz: 9\n"Field (mT)"{sep}"Vmix (uV)"\n'
                   + "".join(f'"{f}"{sep}"{v}"\n' for f, v in rows))
    a = read_table(plain)
    for q in (names, cells):
        b = read_table(q)
        assert b.columns == ("Field (mT)", "Vmix (uV)") == a.columns
        assert np.array_equal(a.data, b.data) and a.header == b.header
