"""A thickness column of the ferromagnet (``t_NiFe (nm)``) is not taken for the spin source's.

The model of ``sotfit thickness`` (seed 003, eqs. (1)-(2)) is a series in the thickness of the
spin source. A table of a NiFe thickness series (``t_NiFe (nm)``, the header saying
``NiFe(5 nm)/BiSb(t)``) was read as a BiSb series without a word: lambda_s 0.53 +- 0.34 nm for
15, exit 0, no flag.
"""

import pytest

from sotfit.io.thickness import read_thickness_table
from sotfit.io.thickness.series import ThicknessError
from sotfit.io.thickness.table import _ferromagnet_layer

ROWS = ("xi_e_dl (1e5 Ohm^-1 m^-1),xi_e_dl_stderr (1e5 Ohm^-1 m^-1)\n"
        "2,0.117,0.007\n3,0.117,0.007\n5,0.118,0.007\n8,0.116,0.007\n")


def _table(tmp_path, column):
    path = tmp_path / "series.csv"
    path.write_text(f"# resistivity: 200 uOhm cm\n{column}," + ROWS)
    return path


@pytest.mark.parametrize("column", ["t_NiFe (nm)", "t_CoFeB (nm)", "t_Py (nm)", "t_FM (nm)",
                                    "t_Co (nm)"])
def test_a_ferromagnet_thickness_column_is_refused_naming_the_option(tmp_path, column):
    with pytest.raises(ThicknessError, match="a ferromagnet; the model .* is a series in the "
                       "thickness of the spin source") as err:
        read_thickness_table(_table(tmp_path, column))
    assert f'--column "thickness={column}"' in str(err.value)


def test_named_by_the_user_it_is_read(tmp_path):
    s = read_thickness_table(_table(tmp_path, "t_NiFe (nm)"), columns={"thickness": "t_NiFe (nm)"})
    assert list(s.dl.x) == [2.0, 3.0, 5.0, 8.0]


@pytest.mark.parametrize("column", ["t_Pt (nm)", "t_BiSb (nm)", "t_IrMn (nm)", "t_W (nm)",
                                    "thickness (nm)"])
def test_spin_sources_are_read_as_before(tmp_path, column):
    assert _ferromagnet_layer(column) is None
    assert len(read_thickness_table(_table(tmp_path, column)).dl.x) == 4
