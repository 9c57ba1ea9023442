"""Text exports as other laboratories' programs write them, read as the numbers of the same
sweep written plainly: Origin's header rows with a settings cell in its comments row, a title
and remarks above LabVIEW's column names, a footer line after the data. Each is named in a
note; nothing else around it changes."""

from pathlib import Path

import numpy as np
import pytest

from sotfit.data import DataError
from sotfit.io import read_stfmr
from sotfit.io.text import read_table

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_8GHz.csv"


def _sweep() -> np.ndarray:
    return read_table(EXAMPLE).data


def _body(d: np.ndarray, delimiter: str = "\t") -> str:
    return "".join(f"{a:.6f}{delimiter}{b:.6f}\r\n" for a, b in d)


def test_origin_header_rows_with_the_frequency_in_the_comments_row(tmp_path):
    """Short names, long names, units and a comments row holding ``f = 8 GHz`` (Origin's four
    header rows; the comments row used to stop the reader at line 1): the units join the
    names and the setting is a header entry that gives the frequency."""
    d = _sweep()
    p = tmp_path / "PyPt_bar3.dat"
    p.write_bytes(("Field\tVmix\r\nMagnetic Field\tMixing Voltage\r\nmT\t\u00b5V\r\n"
                   "\tf = 8 GHz\r\n" + _body(d)).encode("cp1252"))
    t = read_table(p)
    assert t.columns == ("Magnetic Field (mT)", "Mixing Voltage (\u00b5V)")
    assert t.header == {"f": "8 GHz"} and np.allclose(t.data, d, rtol=0, atol=5e-7)
    assert any("the settings of line 4 ('f = 8 GHz') read as header entries" in n for n in t.notes)
    (s,) = read_stfmr([p])
    assert s.meta["frequency"] == 8.0 and np.allclose(s.x, d[:, 0] * 1e-3, rtol=0, atol=1e-9)


def test_a_title_and_remarks_above_the_column_names_are_free_text(tmp_path):
    """LabVIEW writes a title, settings and remarks above the column names: the settings are
    header entries, the lines of one cell of prose are named as free text (they stopped the
    reader); a line of prose below the column names, or one of several cells, still does."""
    d = _sweep()
    head = ("ST-FMR measurement\nSample: Py(6nm)/Pt(6nm) bar 3\n"
            "Lock-in SR830, time constant 100 ms, sensitivity 10 uV\nField (mT)\tVmix (uV)\n")
    p = tmp_path / "8GHz_sweep01.dat"
    p.write_text(head + _body(d))
    t = read_table(p)
    assert t.columns == ("Field (mT)", "Vmix (uV)") and t.header == {"Sample": "Py(6nm)/Pt(6nm) bar 3"}
    assert np.allclose(t.data, d, rtol=0, atol=5e-7)
    assert any(n.startswith("line(s) 1, 3 above the column names read as free text")
               for n in t.notes)
    q = tmp_path / "below.dat"
    q.write_text("Field (mT)\tVmix (uV)\nST-FMR measurement\n" + _body(d))
    with pytest.raises(DataError, match=r"below\.dat: line 2 \('ST-FMR measurement'\)"):
        read_table(q)
    r = tmp_path / "cells.dat"
    r.write_text("ST-FMR\tmeasurement\tof bar 3\nField (mT)\tVmix (uV)\n" + _body(d))
    with pytest.raises(DataError, match=r"cells\.dat: line 1"):
        read_table(r)


def test_a_footer_line_after_the_data_is_not_read(tmp_path):
    """``END`` after the last row (it was an error: 1 value for 2 columns); a last line with a
    number is still a row of the data and its error names it."""
    d = _sweep()
    p = tmp_path / "8GHz.txt"
    p.write_text("Field (mT)\tVmix (uV)\n" + _body(d) + "END\n")
    t = read_table(p)
    assert np.allclose(t.data, d, rtol=0, atol=5e-7) and t.lines[-1] == len(d) + 1
    assert any(f"line(s) {len(d) + 2} after the data ('END') not read" in n for n in t.notes)
    q = tmp_path / "9GHz.txt"
    q.write_text("Field (mT)\tVmix (uV)\n" + _body(d) + "points: 724\n")
    with pytest.raises(DataError, match=rf"9GHz\.txt: line {len(d) + 2}"):
        read_table(q)
