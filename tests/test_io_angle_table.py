"""An angle scan kept as one long table (``Angle (deg)  Field (mT)  Vmix (uV)``, one sweep
per angle): the field angle is one per file, so the table is not read; the messages say so
and how to write it, instead of advising --split-sweeps and then --field-angle FILE=30deg,
which cannot give one angle per sweep."""

import numpy as np
import pytest

from sotfit.analysis.stfmr.angle import analyse_angle_scan
from sotfit.io import read_stfmr

ANGLES = [15, 40, 70, 110]
FIELDS_MT = np.arange(-200.0, 200.1, 4.0)


def _write(path):
    rows = [f"{a}\t{h:.4f}\t{np.cos(np.radians(a)) / (1 + ((abs(h) - 90) / 5) ** 2):.6f}"
            for a in ANGLES for h in FIELDS_MT]
    path.write_text("Angle (deg)\tField (mT)\tVmix (uV)\n" + "\n".join(rows) + "\n")
    return path


def test_the_reader_names_the_angle_column_and_how_to_write_the_scan(tmp_path):
    f = _write(tmp_path / "anglescan_10GHz.txt")
    with pytest.raises(ValueError) as err:
        read_stfmr(f, option_style="cli")
    msg = str(err.value)
    assert "'Angle (deg)' (column 0) holds one field angle per sweep (15, 40, 70, 110)" in msg
    assert "would leave the sweeps without their angles" in msg and "scan_15deg.txt" in msg
    assert "does not analyse a series in that quantity" not in msg


def test_the_angle_scan_of_split_sweeps_says_why_no_angle_option_helps(tmp_path):
    f = _write(tmp_path / "anglescan_10GHz.txt")
    sweep = read_stfmr(f, split_sweeps=True)
    assert len(sweep) == len(ANGLES)
    for d in sweep:
        assert np.allclose(d.x, FIELDS_MT * 1e-3, rtol=1e-12, atol=0)
    with pytest.raises(ValueError) as err:
        analyse_angle_scan(sweep)
    msg = str(err.value)
    assert "sweeps of one file split into several" in msg and "anglescan_10GHz.txt" in msg
    assert "cannot take an angle each" in msg and "=30deg" not in msg
