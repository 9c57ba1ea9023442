"""Semicolon-separated thickness tables whose numbers write a point before three digits
(``-156.123``): a decimal point, or a point between thousands as a spreadsheet set up with
decimal commas writes integers (``#.##0``). Read as decimals, xi^E of -156123 S/m was read as
-156.123 S/m: efficiencies 1000 times small, exit 0, no flag."""

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.io.thickness import ThicknessError, read_thickness_table
from sotfit.io.thousands import points_of

HEAD = "thickness (nm);xi_e_dl (S/m);xi_e_dl_err (S/m)"
T = [2, 3, 4, 5, 6]
DL = [-156123, -236552, -310991, -371256, -401150]          # S/m
DL_ERR = [9684, 12206, 14213, 15718, 16805]
ERR_SMALL = [456, 510, 555, 593, 1017]                       # below 1000 and above


def _grouped(v: int) -> str:
    """``v`` as ``#.##0`` writes it in a locale with decimal commas (``-156.123``)."""
    return f"{v:,d}".replace(",", ".")


def _write(path, rows, head=HEAD, above=()):
    path.write_text("\n".join([*above, head, *(";".join(r) for r in rows)]) + "\n")
    return path


def test_points_between_thousands_beside_integers_below_1000_are_read(tmp_path):
    """A column writing 456 beside 1.017 can only be #.##0: read as thousands, with a note."""
    rows = [(str(t), _grouped(v), _grouped(e)) for t, v, e in zip(T, DL, ERR_SMALL)]
    s = read_thickness_table(_write(tmp_path / "t.csv", rows), resistivity=180.0)
    np.testing.assert_allclose(s.dl.y, np.array(DL) * 1e-5, rtol=1e-12)   # 1e5 Ohm^-1 m^-1
    np.testing.assert_allclose(s.dl.yerr, np.array(ERR_SMALL) * 1e-5, rtol=1e-12)
    assert any("read as separators of thousands" in n for n in s.meta["reader_notes"])


def test_every_point_before_three_digits_is_refused_naming_the_option(tmp_path, capsys):
    rows = [(str(t), _grouped(v), _grouped(e)) for t, v, e in zip(T, DL, DL_ERR)]
    path = _write(tmp_path / "t.csv", rows)
    with pytest.raises(ThicknessError) as exc:
        read_thickness_table(path, resistivity=180.0)
    msg = str(exc.value)
    for words in ("'xi_e_dl (S/m)'", "'-156.123'", "--decimal-mark comma", "--decimal-mark point"):
        assert words in msg
    comma = read_thickness_table(path, resistivity=180.0, decimal_mark="comma")
    np.testing.assert_allclose(comma.dl.y, np.array(DL) * 1e-5, rtol=1e-12)
    np.testing.assert_allclose(comma.dl.yerr, np.array(DL_ERR) * 1e-5, rtol=1e-12)
    point = read_thickness_table(path, resistivity=180.0, decimal_mark="point")
    np.testing.assert_allclose(point.dl.y, np.array(DL) * 1e-8, rtol=1e-12)
    out = tmp_path / "out"
    assert main(["thickness", str(path), "--rho", "180uOhmcm", "--no-figures",
                 "--out", str(out)]) == 2
    assert "--decimal-mark comma" in capsys.readouterr().err
    assert main(["thickness", str(path), "--rho", "180uOhmcm", "--no-figures",
                 "--decimal-mark", "comma", "--out", str(out)]) in (0, 3)


def test_a_decimal_comma_above_the_table_settles_it(tmp_path):
    """'# resistivity: 350,3 uOhm cm' was refused in a table without decimal commas; it says the
    file was written with decimal commas, so its points separate thousands."""
    rows = [(str(t), _grouped(v), _grouped(e)) for t, v, e in zip(T, DL, DL_ERR)]
    s = read_thickness_table(_write(tmp_path / "t.csv", rows,
                                    above=["# resistivity: 350,3 uOhm cm"]))
    assert s.resistivity == pytest.approx(350.3)
    np.testing.assert_allclose(s.dl.y, np.array(DL) * 1e-5, rtol=1e-12)


def test_decimal_points_are_read_as_before(tmp_path):
    """A point no #.##0 writes (0.052, 12.3456) makes the table one of decimal points."""
    rows = [("6", "1.234", "0.456"), ("8", "2.345", "0.567"), ("10", "3.456", "0.678")]
    s = read_thickness_table(_write(tmp_path / "t.csv", rows), resistivity=180.0)
    np.testing.assert_allclose(s.dl.y, [1.234e-5, 2.345e-5, 3.456e-5], rtol=1e-12)
    assert points_of([["6", "-156.123"], ["8", "12.3456"]]).kind == "decimal"
    assert points_of([["6", "1.234.567"], ["8", "-156.123"]]).kind == "thousands"
    assert points_of([["6", "-156.123"], ["8", "1500"]]).kind == "ambiguous"
    with pytest.raises(ThicknessError, match="writes '0.456', a decimal point"):
        read_thickness_table(tmp_path / "t.csv", resistivity=180.0, decimal_mark="comma")


def test_a_tab_separated_table_of_points_between_thousands_is_not_read_as_decimals(tmp_path):
    """The tab-separated export of the same spreadsheet ('54.780' for 54780 S/m, every number
    so) was read as decimals, efficiencies 1000 times small with exit 0, while its semicolon
    version was refused: refused alike, and read with --decimal-mark."""
    rows = [(6, 54780, 4560), (8, 75740, 5100), (10, 77320, 5550), (12, 99090, 5930)]
    text = "# resistivity: 350.3 uOhm cm\nthickness (nm)\txi_e_dl (S/m)\txi_e_dl_stderr (S/m)\n"
    path = tmp_path / "tab.txt"
    path.write_text(text + "".join(f"{t}\t{v // 1000}.{v % 1000:03d}\t{e // 1000}.{e % 1000:03d}\n"
                                   for t, v, e in rows))
    with pytest.raises(ThicknessError, match="tab-separated table without decimal commas"):
        read_thickness_table(path)
    s = read_thickness_table(path, decimal_mark="comma")
    np.testing.assert_allclose(s.dl.y, [v / 1e5 for _, v, _ in rows], rtol=1e-12)
    s = read_thickness_table(path, decimal_mark="point")
    np.testing.assert_allclose(s.dl.y, [v / 1e8 for _, v, _ in rows], rtol=1e-12)
