"""A frequency column without a unit whose numbers are in Hz (8e9): the messages said to pass
--column-unit frequency=GHz (frequency_unit='GHz'), then, with it, --frequency 9GHz, which a
file with a frequency column refuses. They now name the unit the numbers are in, and that
option reads the file."""

import numpy as np
import pytest

from bundled import ROOT
from sotfit.data import DataError
from sotfit.io import read_stfmr
from sotfit.units import UnitError


def _long_table(path, header_unit=""):
    rows = []
    for f in (8, 10, 12):
        d = np.loadtxt(ROOT / "data" / "stfmr_example" / f"py_pt_{f}GHz.csv", delimiter=",",
                       comments="#", skiprows=4)
        rows += [f"{f}000000000,{h!r},{v!r}" for h, v in d.tolist()]
    path.write_text("# field_angle_deg: 45\n" + f"freq{header_unit},field (mT),vmix (uV)\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_unitless_frequency_column_in_hz_is_named_so(tmp_path):
    path = _long_table(tmp_path / "all.csv")
    with pytest.raises(UnitError, match=r"pass frequency_unit='Hz' \(its values, 8e\+09 to "
                                        r"1.2e\+10, are rf frequencies in Hz\)"):
        read_stfmr(path)
    with pytest.raises(DataError, match=r"its numbers as written \(8e\+09 to 1.2e\+10\) are rf "
                                        "frequencies in Hz: read them so with frequency_unit='Hz'"):
        read_stfmr(path, frequency_unit="GHz")
    sweep = read_stfmr(path, frequency_unit="Hz")
    assert sorted({d.meta["frequency"] for d in sweep}) == [8.0, 10.0, 12.0]
