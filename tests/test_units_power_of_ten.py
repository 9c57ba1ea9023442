"""Units written as a power of ten times a unit (``10^5 S/m``, ``1e5 S/m``, ``x1e13 1/Ohm/m2``)
and a denominator in parentheses (``1/(Ohm m)``), as thickness tables write conductivities.

``xi_E_DL (10^5 S/m)`` was "unknown unit", and the natural ``--column-unit xi_e_dl=1e5 S/m``
was refused too; ``(1/(Ohm m))`` was split at the wrong parenthesis ('(Ohm m))').
"""

import pytest

from sotfit.io.thickness import read_thickness_table
from sotfit.units import UnitError, normalise_unit, split_header, to_house


@pytest.mark.parametrize("written, canonical", [
    ("1e5 S/m", "1e5/Ohm/m"), ("10^5 S/m", "1e5/Ohm/m"), ("10^5 Ohm^-1 m^-1", "1e5/Ohm/m"),
    ("x1e13 1/Ohm/m2", "1e13/Ohm/m2"), ("1e13 Ohm^-1 m^-2", "1e13/Ohm/m2"),
    ("1/(Ohm m)", "1/Ohm/m"), ("1e-6 m", "um"), ("1e5/Ohm/m", "1e5/Ohm/m")])
def test_spellings_of_scaled_units(written, canonical):
    assert normalise_unit(written) == canonical


def test_a_power_of_ten_no_unit_has_is_refused():
    with pytest.raises(UnitError, match="unknown unit"):
        normalise_unit("10^-5 S/m")          # 1e-10 house units: no such unit


def test_the_values_are_those_of_the_house_unit():
    assert to_house(2.0, normalise_unit("10^5 S/m"), "conductivity")[0] == pytest.approx(2.0)
    assert to_house(2e5, normalise_unit("1/(Ohm m)"), "conductivity")[0] == pytest.approx(2.0)
    assert split_header("xi_e_dl (1/(Ohm m))") == ("xi_e_dl", "1/Ohm/m")


@pytest.mark.parametrize("unit, scale", [("10^5 S/m", 1.0), ("1/(Ohm m)", 1e5), ("1e5 S/m", 1.0)])
def test_a_thickness_table_in_these_units_reads_as_in_the_house_unit(tmp_path, unit, scale):
    rows = [(3.0, 0.0244, 0.0039), (5.0, 0.0534, 0.0048), (8.0, 0.0841, 0.0051)]
    path = tmp_path / "t.csv"
    path.write_text(f"# resistivity: 200 uOhm cm\nthickness (nm),xi_E_DL ({unit}),"
                    f"xi_E_DL_err ({unit})\n"
                    + "\n".join(f"{t},{y * scale:.6g},{e * scale:.6g}" for t, y, e in rows) + "\n")
    s = read_thickness_table(path)
    assert list(s.dl.y) == pytest.approx([y for _, y, _ in rows])
    assert list(s.dl.yerr) == pytest.approx([e for _, _, e in rows])


@pytest.mark.parametrize("written, canonical", [
    ("Ohm^-1 cm^-1", "1/Ohm/cm"), ("\u03a9^-1 cm^-1", "1/Ohm/cm"), ("Ohm-1 cm-1", "1/Ohm/cm"),
    ("S cm^-1", "S/cm"), ("(Ohm cm)^-1", "1/Ohm/cm"),
    ("\u00d710^5 \u03a9^-1 m^-1", "1e5/Ohm/m"), ("\u00d7 10^5 S/m", "1e5/Ohm/m"),
    ("x10^5 Ohm^-1 m^-1", "1e5/Ohm/m"), ("\u00d71e5 Ohm^-1 m^-1", "1e5/Ohm/m"),
    ("\u00d710\u2075 \u03a9\u207b\u00b9 m\u207b\u00b9", "1e5/Ohm/m"),
    ("\u03a9\u207b\u00b9 cm\u207b\u00b9", "1/Ohm/cm")])
def test_conductivities_as_labs_write_them(written, canonical):
    """'Ohm^-1 cm^-1' was an unknown unit (its 'cm-1' read as 'c' over a metre), and so was a
    power of ten after a multiplication sign, '×10^5 Ω^-1 m^-1', or written in superscripts."""
    assert normalise_unit(written) == canonical


@pytest.mark.parametrize("unit, scale", [("Ohm^-1 cm^-1", 1e3), ("\u00d710^5 \u03a9^-1 m^-1", 1.0),
                                         ("x10^5 Ohm^-1 m^-1", 1.0)])
def test_a_thickness_table_in_a_lab_conductivity_unit_reads_as_in_the_house_unit(
        tmp_path, unit, scale):
    rows = [(3.0, 0.0244, 0.0039), (5.0, 0.0534, 0.0048), (8.0, 0.0841, 0.0051)]
    path = tmp_path / "t.csv"
    path.write_text(f"# resistivity: 200 uOhm cm\nt (nm),xi_e_dl ({unit}),xi_e_dl_err ({unit})\n"
                    + "\n".join(f"{t},{y * scale:.6g},{e * scale:.6g}" for t, y, e in rows)
                    + "\n", encoding="utf-8")
    s = read_thickness_table(path)
    assert list(s.dl.y) == pytest.approx([y for _, y, _ in rows])
    assert list(s.dl.yerr) == pytest.approx([e for _, _, e in rows])
    bare = tmp_path / "bare.csv"     # the unit given on the command line instead
    bare.write_text("t (nm),xi_e_dl,xi_e_dl_err\n"
                    + "\n".join(f"{t},{y * scale:.6g},{e * scale:.6g}" for t, y, e in rows) + "\n")
    s = read_thickness_table(bare, resistivity=200.0, column_units={"xi_e_dl": unit})
    assert list(s.dl.y) == pytest.approx([y for _, y, _ in rows])


@pytest.mark.parametrize("unit, before, other", [
    ("Ohm^-1 m^-1 x 10^5", "10^5 Ohm^-1 m^-1 (1e5/Ohm/m)",
     "the values divided by 10^5 in Ohm^-1 m^-1"),
    ("S/m \u00d710\u2075", "10^5 S/m (1e5/Ohm/m)", "the values divided by 10^5 in S/m"),
    ("1/Ohm/m2 x 1e13", "10^13 1/Ohm/m2 (1e13/Ohm/m2)", "the values divided by 10^13"),
    ("mT x 10^3", "10^3 mT (T)", "10^-3 mT (uT)"),
])
def test_a_power_of_ten_after_the_unit_is_refused_saying_what_to_write(unit, before, other):
    """'Ohm^-1 m^-1 x 10^5' was an unknown unit followed by a list of every unit: a power
    after the unit is written both ways (the values in units of 10^5 Ohm^-1 m^-1, or the
    quantity times 10^5), 10^10 apart; the message names both and what to write for each."""
    from sotfit.units import UnitError, normalise_unit, split_header

    with pytest.raises(UnitError, match="does not say which way it goes") as info:
        normalise_unit(unit)
    text = str(info.value)
    assert f"write the power before the unit, {before}, if the values are in that unit" in text
    assert other in text and "known units:" not in text
    with pytest.raises(UnitError, match=r"column 'xi \(.*\)': unknown unit .*which way it goes"):
        split_header(f"xi ({unit})")
    with pytest.raises(UnitError, match="known units:"):
        normalise_unit("furlong x 10^5")       # an unknown unit: nothing said of the power
