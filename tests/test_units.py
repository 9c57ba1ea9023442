import math

import numpy as np
import pytest
from scipy import constants

from sotfit import units


@pytest.mark.parametrize("text,dim,expected", [
    ("6nm", "length", 6.0), ("60Ang", "length", 6.0), ("60 Å", "length", 6.0), ("1um", "length", 1000.0),
    ("1T", "field", 1.0), ("100 Oe", "field", 0.01), ("25mT", "field", 0.025),
    ("2.5mA", "current", 2.5), ("1e-3 A", "current", 1.0),
    ("350.3uOhmcm", "resistivity", 350.3), ("350.3 µΩ cm", "resistivity", 350.3),
    ("1e-8 Ohm m", "resistivity", 1.0), ("10um", "length", 1e4), ("9GHz", "frequency", 9.0),
])
def test_quantity_to_house(text, dim, expected):
    assert units.quantity(text, dim) == pytest.approx(expected)


def test_amps_per_metre_is_mu0_h():
    v, u = units.to_house(1.0 / constants.mu_0, "A/m", "field")
    assert u == "T" and v == pytest.approx(1.0)


def test_wrong_dimension_and_unknown_unit_are_errors():
    with pytest.raises(units.UnitError, match="field unit is needed"):
        units.quantity("6nm", "field")
    with pytest.raises(units.UnitError, match="unknown unit 'furlong'"):
        units.quantity("6 furlong", "length")
    with pytest.raises(units.UnitError, match="has no unit"):
        units.quantity("6", "length")


@pytest.mark.parametrize("header,name,unit", [
    ("Field (Oe)", "field", "Oe"), ("field_mT", "field", "mT"), ("Voltage (V)", "voltage", "V"),
    ("vmix_uV", "vmix", "uV"), ("Field [T]", "field", "T"), ("Vmix", "vmix", None),
    ("Magnet current (A)", "magnet current", "A"), ("I_source (mA)", "i_source", "mA"),
])
def test_split_header(header, name, unit):
    assert units.split_header(header) == (name, unit)


def test_split_header_unknown_unit_names_column():
    with pytest.raises(units.UnitError, match="Field \\(furlong\\)"):
        units.split_header("Field (furlong)")


def test_convert_round_trip_and_arrays():
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(units.convert(units.convert(x, "Oe", "mT"), "mT", "Oe"), x)
    assert units.convert(1.0, "V", "uV") == pytest.approx(1e6)
    with pytest.raises(units.UnitError, match="cannot convert"):
        units.convert(1.0, "V", "T")


def test_free_electron_gyromagnetic_ratio():
    # gamma_e/2pi = 28.0249514242 GHz/T (CODATA)
    assert units.GAMMA_FREE_ELECTRON == pytest.approx(28.02495, rel=1e-6)
    g = units.g_from_gyromagnetic_ratio(units.GAMMA_FREE_ELECTRON)
    assert g == pytest.approx(2.00231930436, rel=1e-9)
    assert math.isclose(units.gyromagnetic_ratio_from_g(g), units.GAMMA_FREE_ELECTRON)


def test_rashba_and_areal_density_units_follow_their_definitions():
    """1 eV m = 1e9 eV nm, 1 Angstrom = 0.1 nm; 1 cm^-2 = 1e-14 nm^-2, 1 m^-2 = 1e-18 nm^-2."""
    from sotfit.units import quantity

    for text in ("1.7e-11eVm", "17meVnm", "0.17eVA", "0.17 eV Å", "0.017 eV nm"):
        assert quantity(text, "rashba") == pytest.approx(0.017, rel=1e-12)
    for text in ("5e14/m2", "5e-4/nm2", "5e10/cm2", "5e10 cm^-2"):
        assert quantity(text, "areal_density") == pytest.approx(5e-4, rel=1e-12)
    with pytest.raises(units.UnitError):
        quantity("5e14/m2", "rashba")
