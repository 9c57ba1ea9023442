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


def test_numbers_with_decimal_commas_are_named_in_the_error(tmp_path):
    """A table written with decimal commas (semicolon- or tab-separated, as a spreadsheet in
    many locales saves it) is refused with the line and what to change, not only with "no
    numeric data rows"."""
    from sotfit.data import DataError

    for sep in (";", "\t"):
        p = tmp_path / f"dc{len(sep)}.csv"
        p.write_text("Field (mT)" + sep + "Vmix (uV)\n"
                     + "".join(f"{f}{sep}{v}\n" for f, v in (("-400", "-0,100687"),
                                                              ("-399", "1,5e-3"),
                                                              ("-398", "-0,132904"))))
        with pytest.raises(DataError, match=r"line 2 .*decimal commas"):
            read_table(p)
