"""Dimensionless efficiencies in percent: a comment above the table that says so, where the
column itself carries no unit."""

import numpy as np
import pytest

from sotfit.io.thickness import ThicknessError, read_thickness_table
from sotfit.models.sot import xi_e_from_xi

T = [1.0, 1.5, 2.0, 3.0, 4.0]
XI = [0.0822, 0.1487, 0.1775, 0.2970, 0.3702]        # percent
XI_ERR = [0.0086, 0.0108, 0.0130, 0.0164, 0.0189]


def _write(path, head, above=()):
    rows = [f"{t:g},{v:g},{e:g}" for t, v, e in zip(T, XI, XI_ERR)]
    path.write_text("\n".join(["# resistivity: 25 uOhm cm", *above, head, *rows]) + "\n")
    return path


def test_a_comment_saying_percent_refuses_a_column_without_unit(tmp_path):
    """'# xi in percent' above 'xi_dl,xi_dl_err' of 0.08-0.37: read as fractions, sigma_s came
    out 100 times large without a word."""
    path = _write(tmp_path / "t.csv", "thickness (nm),xi_dl,xi_dl_err", ["# xi in percent"])
    with pytest.raises(ThicknessError) as exc:
        read_thickness_table(path)
    msg = str(exc.value)
    for words in ("column 'xi_dl' has no unit", "line 2", "'# xi in percent'",
                  "--column-unit xi_dl=%", "--column-unit xi_dl=1"):
        assert words in msg
    s = read_thickness_table(path, column_units={"xi_dl": "%"})
    np.testing.assert_allclose(s.dl.y, xi_e_from_xi(np.array(XI) / 100, 25.0), rtol=1e-12)
    np.testing.assert_allclose(s.dl.yerr, xi_e_from_xi(np.array(XI_ERR) / 100, 25.0),
                               rtol=1e-12)
    s = read_thickness_table(path, column_units={"xi_dl": "1"})
    np.testing.assert_allclose(s.dl.y, xi_e_from_xi(np.array(XI), 25.0), rtol=1e-12)


def test_a_labelled_column_or_a_comment_without_percent_reads_as_before(tmp_path):
    labelled = _write(tmp_path / "a.csv", "thickness (nm),xi_dl (%),xi_dl_err (%)",
                      ["# xi in percent"])
    s = read_thickness_table(labelled)
    np.testing.assert_allclose(s.dl.y, xi_e_from_xi(np.array(XI) / 100, 25.0), rtol=1e-12)
    for n, comment in enumerate(("# Pt series", "# noise: 3 % of each value",
                                 "# noise: 3 percent of the value", "# Bi 10 percent")):
        # a bare sign after a number says nothing of the columns' unit
        plain = _write(tmp_path / f"b{n}.csv", "thickness (nm),xi_dl,xi_dl_err", [comment])
        s = read_thickness_table(plain)
        np.testing.assert_allclose(s.dl.y, xi_e_from_xi(np.array(XI), 25.0), rtol=1e-12)
    for n, comment in enumerate(("# efficiencies in %", "# xi_dl [%]")):
        with pytest.raises(ThicknessError, match="speaks of percent"):
            read_thickness_table(_write(tmp_path / f"c{n}.csv",
                                        "thickness (nm),xi_dl,xi_dl_err", [comment]))


def test_the_unit_word_percent(tmp_path):
    """'xi_dl (percent)' was refused as an unknown unit; it is '%' spelled out."""
    path = _write(tmp_path / "t.csv", "thickness (nm),xi_dl (percent),xi_dl_err (Percent)")
    s = read_thickness_table(path)
    np.testing.assert_allclose(s.dl.y, xi_e_from_xi(np.array(XI) / 100, 25.0), rtol=1e-12)
    np.testing.assert_allclose(s.dl.yerr, xi_e_from_xi(np.array(XI_ERR) / 100, 25.0),
                               rtol=1e-12)


def test_cells_with_a_percent_sign_name_the_fix(tmp_path):
    """'1.278%' cells (a spreadsheet's percent format) were refused as text, no fix named."""
    path = tmp_path / "t.csv"
    rows = [f"{t:g},{v:g}%,{e:g}%" for t, v, e in zip(T, XI, XI_ERR)]
    path.write_text("\n".join(["# resistivity: 25 uOhm cm", "thickness (nm),xi_dl,xi_dl_err",
                               *rows]) + "\n")
    with pytest.raises(ThicknessError) as exc:
        read_thickness_table(path)
    msg = str(exc.value)
    for words in ("column 'xi_dl' holds numbers with a percent sign", "'0.0822%'",
                  "'xi_dl (%)'"):
        assert words in msg
