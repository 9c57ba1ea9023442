"""A comma-separated file whose numbers are in double quotes and written with decimal commas
(``"-320,0000","2,01913"``, as a spreadsheet in a language with decimal commas saves a CSV file
with ',' as its delimiter): inside the quotes the comma is a decimal comma."""

import numpy as np
import pytest

from sotfit.io import read_stfmr
from sotfit.io.thickness import read_thickness_table

FIELDS_MT = np.round(np.arange(-320.0, 320.1, 8.0), 4)
VOLTS_UV = np.round(2.0 / (1.0 + ((np.abs(FIELDS_MT) - 110.0) / 6.0) ** 2) + 0.001 * FIELDS_MT, 5)


def _comma(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def test_an_stfmr_file_of_quoted_decimal_commas(tmp_path):
    f = tmp_path / "sweep.csv"
    f.write_text('"Frequency (GHz)","10,5"\n"Field (mT)","Vmix (µV)"\n' + "".join(
        f'"{_comma(h, 4)}","{_comma(v, 5)}"\n' for h, v in zip(FIELDS_MT, VOLTS_UV)),
        encoding="utf-8")
    (d,) = read_stfmr(f)
    assert np.allclose(d.x, FIELDS_MT * 1e-3, rtol=1e-12, atol=0)
    assert np.array_equal(d.y, VOLTS_UV)
    assert d.meta["frequency"] == 10.5
    assert any("in double quotes written with decimal commas" in n for n in d.meta["reader_notes"])


def test_quoted_commas_before_three_digits_are_not_guessed(tmp_path):
    """``"1,234"`` may be 1234 (a comma between thousands) or 1.234."""
    f = tmp_path / "sweep_8GHz.csv"
    f.write_text('"Field (mT)","Vmix (uV)"\n' + "".join(
        f'"{k},{k:03d}","2,{k:03d}"\n' for k in range(1, 30)))
    with pytest.raises(ValueError, match=r"line 2 .*comma before three digits.*not guessed"):
        read_stfmr(f)


def test_quoted_decimal_commas_beside_decimal_points_stay_an_error(tmp_path):
    f = tmp_path / "sweep_8GHz.csv"
    f.write_text('"Field (mT)","Vmix (uV)"\n' + "".join(
        f'"{_comma(h, 4)}","{v:.5f}"\n' for h, v in zip(FIELDS_MT, VOLTS_UV)))
    with pytest.raises(ValueError, match="no numeric data rows"):
        read_stfmr(f)


def test_a_thickness_table_of_quoted_decimal_commas(tmp_path):
    t = [6.0, 8.0, 10.0, 14.0, 20.0, 30.0]
    xi = [[0.052189, 0.004561, -0.045895, 0.0043276], [0.076802, 0.0050962, -0.072213, 0.0052392],
          [0.091656, 0.0055459, -0.10166, 0.0062032], [0.10737, 0.0062771, -0.17235, 0.0081334],
          [0.14268, 0.0071581, -0.27125, 0.010854], [0.18532, 0.0083719, -0.38564, 0.014744]]
    names = ["thickness (nm)", "xi_e_dl (1e5 Ohm^-1 m^-1)", "xi_e_dl_err (1e5 Ohm^-1 m^-1)",
             "xi_e_fl (1e5 Ohm^-1 m^-1)", "xi_e_fl_err (1e5 Ohm^-1 m^-1)"]
    head = ",".join(f'"{n}"' for n in names) + "\n"
    quoted = tmp_path / "series_comma.csv"
    quoted.write_text(head + "".join(
        ",".join(f'"{c}"' for c in [f"{ti:g}", *(repr(v).replace(".", ",") for v in row)]) + "\n"
        for ti, row in zip(t, xi)))
    plain = tmp_path / "series.csv"
    plain.write_text(head + "".join(",".join(repr(v) for v in [ti, *row]) + "\n"
                                    for ti, row in zip(t, xi)))
    got, ref = read_thickness_table(quoted), read_thickness_table(plain)
    for part in ("dl", "fl"):
        a, b = getattr(got, part), getattr(ref, part)
        assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
        assert np.array_equal(a.x, t) and np.array_equal(a.y, [r[0 if part == "dl" else 2] for r in xi])
