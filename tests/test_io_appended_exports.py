"""Two exports appended in one file repeat the column names (and settings) between their rows:
"line 365, 'Field (mT)': 'Field (mT)' is not a number", with no way round but editing. A row
that repeats a line above the table character for character is skipped (noted); a text row
that differs from them (another unit, another setting) is still an error."""

import numpy as np
import pytest

from bundled import SPECTRUM
from sotfit.data import DataError
from sotfit.io import read_table


def _with_line(tmp_path, extra: str):
    lines = SPECTRUM.read_text(encoding="utf-8").splitlines()
    head = lines.index("Field (mT),Vmix (uV)")
    out = lines[:head + 361] + [extra] + lines[head + 361:]
    path = tmp_path / "appended_10GHz.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path, head + 361 + 1


def test_repeated_column_names_between_two_exports_are_skipped(tmp_path):
    path, line = _with_line(tmp_path, "Field (mT),Vmix (uV)")
    table, original = read_table(path), read_table(SPECTRUM)
    assert np.array_equal(table.data, original.data)
    assert any(f"line(s) {line} repeat the column names" in n for n in table.notes)


def test_a_different_text_row_is_still_an_error(tmp_path):
    path, line = _with_line(tmp_path, "Field (mT),Vmix (mV)")
    with pytest.raises(DataError, match=rf"line {line}, 'Field \(mT\)': 'Field \(mT\)' is not "
                                        "a number"):
        read_table(path)
