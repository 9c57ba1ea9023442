"""Files as other labs' instruments and programs write them, read through the command line or
refused with a message that names the option that reads them: a quoted column name holding the
delimiter, a jittery field read-back, multimeter cells with a unit after the number, a
frequency in a file name with an underscore between its digits, field units mixed up, and
unit spellings outside the SI prefixes."""

import csv

import numpy as np
import pytest

from bundled import ROOT
from sotfit.cli import main
from sotfit.io import read_stfmr

EXAMPLE = ROOT / "data" / "stfmr_example"


@pytest.fixture(scope="module")
def spectrum():
    """(field in mT, V_mix in uV) of the bundled 8 GHz example spectrum."""
    data = np.loadtxt(EXAMPLE / "py_pt_8GHz.csv", delimiter=",", comments="#", skiprows=4)
    return data[:, 0], data[:, 1]


def _write_csv(path, names, *columns):
    """A CSV file as Python's csv module (and pandas, R, a spreadsheet) writes it: every name
    in double quotes."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow(names)
        w.writerows(zip(*columns))
    return path


def test_a_quoted_column_name_holding_a_comma_is_one_name(tmp_path, spectrum, capsys):
    """'"Vmix (uV, lock-in X)"' was split at its comma by the ST-FMR and table readers (3 names
    for 2 columns, the advice to separate the names with the data's delimiter, which they
    are), while the harmonic Hall reader read it."""
    h, v = spectrum
    f = _write_csv(tmp_path / "8GHz.csv", ["Field (mT)", "Vmix (uV, lock-in X)"], h, v)
    hall = _write_csv(tmp_path / "rotation.csv", ["Angle (deg)", "I (mA, rms)", "V2w (V)"],
                      [0.0, 90.0, 180.0], [1.5, 1.5, 1.5], [1e-6, 0.0, -1e-6])
    assert main(["tables", str(f), str(hall)]) == 0
    out = capsys.readouterr().out
    assert "column  Vmix (uV, lock-in X)" in out and "column  I (mA, rms)" in out
    (d,) = read_stfmr(f, voltage_unit="uV")
    assert np.array_equal(d.x, h * 1e-3) and np.allclose(d.y, v, rtol=1e-12, atol=0)
    assert d.meta["frequency"] == 8.0

