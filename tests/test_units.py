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


# --- SI prefixes are case-sensitive: M = mega, m = milli -----------------------------------

@pytest.mark.parametrize("text,dim,expected", [
    ("0.8Mohm", "resistance", 8e5), ("0.8MOhm", "resistance", 8e5), ("0.8 MΩ", "resistance", 8e5),
    ("0.8mOhm", "resistance", 8e-4), ("0.8mOHM", "resistance", 8e-4),
    ("1MA", "current", 1e9),            # 1 MA = 1e6 A = 1e9 mA
    ("1mA", "current", 1.0), ("1 mA", "current", 1.0),
    ("2MHz", "frequency", 2e-3), ("2mHz", "frequency", 2e-12), ("2 Mhz", "frequency", 2e-3),
    ("9GHz", "frequency", 9.0), ("9 GHZ", "frequency", 9.0), ("9ghz", "frequency", 9.0),
    ("2kOe", "field", 0.2), ("2 koe", "field", 0.2), ("2 KOE", "field", 0.2),
    ("3uV", "voltage", 3.0), ("3µV", "voltage", 3.0), ("3μV", "voltage", 3.0), ("3 uv", "voltage", 3.0),
    ("1Ohm", "resistance", 1.0), ("1 ohm", "resistance", 1.0), ("1 OHM", "resistance", 1.0),
    ("1 ohms", "resistance", 1.0), ("2 kohm", "resistance", 2e3),
    ("100 oe", "field", 0.01), ("100 OE", "field", 0.01), ("1 tesla", "field", 1.0),
    ("1 Tesla", "field", 1.0), ("5meV", "energy", 5e-3), ("5 eV", "energy", 5.0), ("5 ev", "energy", 5.0),
    ("45 degrees", "angle", 45.0), ("3ps", "time", 3.0),
])
def test_prefix_case_is_meaningful(text, dim, expected):
    assert units.quantity(text, dim) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text,dim,readings", [
    ("0.8mohm", "resistance", ("mOhm", "MOhm")), ("0.8MOHM", "resistance", ("MOhm", "mOhm")),
    ("9mhz", "frequency", ("mHz", "MHz")), ("9 MHZ", "frequency", ("MHz", "mHz")),
    ("2ma", "current", ("mA", "MA")), ("5mev", "energy", ("meV",)),
])
def test_prefix_spelling_that_cannot_tell_milli_from_mega_is_refused(text, dim, readings):
    with pytest.raises(units.UnitError, match="ambiguous") as err:
        units.quantity(text, dim)
    msg = str(err.value)
    for r in readings:
        assert r in msg
    # the message lists the accepted spellings of the dimension
    assert f"accepted {dim} units" in msg
    assert all(k in msg for k in units._TABLES[dim] if k)


@pytest.mark.parametrize("text,dim", [("1MV", "voltage"), ("1 MeV", "energy"), ("1 Mm", "length"),
                                      ("3 furlong", "length")])
def test_unknown_prefixed_unit_is_refused_with_the_accepted_spellings(text, dim):
    with pytest.raises(units.UnitError, match=f"unknown unit .*accepted {dim} units"):
        units.quantity(text, dim)


def test_normalise_unit_keeps_prefix_case():
    assert units.normalise_unit("Mohm") == "MOhm"
    assert units.normalise_unit("MOhm") == "MOhm" and units.normalise_unit("mOhm") == "mOhm"
    assert units.normalise_unit("mHz") == "mHz" and units.normalise_unit("MHz") == "MHz"
    assert units.normalise_unit("MA") == "MA" and units.normalise_unit("mA") == "mA"
    assert units.convert(1.0, "MHz", "mHz") == pytest.approx(1e9)


@pytest.mark.parametrize("text,dim,expected", [
    ("25 millitesla", "field", 0.025), ("25 MilliTesla", "field", 0.025),
    ("250 microtesla", "field", 250e-6), ("2 kilooersted", "field", 0.2),
    ("3 kilogauss", "field", 0.3), ("3 microvolts", "voltage", 3.0), ("3 Microvolt", "voltage", 3.0),
    ("3 nanovolts", "voltage", 3e-3), ("3 millivolt", "voltage", 3e3), ("2 kilohm", "resistance", 2e3),
    ("2 kiloohms", "resistance", 2e3), ("2 megohm", "resistance", 2e6), ("1.5 milliamps", "current", 1.5),
    ("9 gigahertz", "frequency", 9.0), ("9 GigaHertz", "frequency", 9.0),
    ("6 nanometres", "length", 6.0), ("6 nanometer", "length", 6.0), ("3 picoseconds", "time", 3.0),
])
def test_units_spelled_out_with_their_prefix(text, dim, expected):
    """As lab programs head their columns (``Field (milliTesla)``, ``Voltage (microvolt)``)."""
    assert units.quantity(text, dim) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text,dim", [("3 kilovolt", "voltage"), ("3 megatesla", "field"),
                                      ("3 millifurlong", "length"), ("3 kilxyz", "field")])
def test_spelled_out_units_sotfit_does_not_have_are_refused(text, dim):
    with pytest.raises(units.UnitError, match=f"unknown unit .*accepted {dim} units"):
        units.quantity(text, dim)


@pytest.mark.parametrize("text, house", [("20uOhm.cm", 20.0), ("20 µΩ.cm", 20.0),
                                         ("2e-7Ohm.m", 20.0), ("20uOhm*cm", 20.0)])
def test_a_dot_for_a_product_in_a_resistivity(text, house):
    """'uOhm.cm' (the dot of uOhm.cm as printed) was an unknown unit."""
    from sotfit.units import quantity

    assert quantity(text, "resistivity") == pytest.approx(house)


@pytest.mark.parametrize("unit, dim, house", [
    ("Ohm^-1 m^-1", "conductivity", 1e-5), ("(Ohm m)^-1", "conductivity", 1e-5),
    ("(Ohm cm)^-1", "conductivity", 1e-3), ("1/(Ohm cm)", "conductivity", 1e-3),
    ("S/cm", "conductivity", 1e-3), ("kS/m", "conductivity", 1e-2),
    ("MS/m", "conductivity", 10.0), ("V/nm", "electric_field", 1e9),
    ("kV/cm", "electric_field", 1e5), ("MV/m", "electric_field", 1e6),
])
def test_conductivities_and_fields_as_papers_write_them(unit, dim, house):
    """'S/cm', '1/(Ohm cm)', 'Ohm^-1 m^-1' and 'V/nm' (the unit docs/kp.md works in) were
    unknown units: 1 S/cm = 100 S/m = 1e-3 x 1e5 Ohm^-1 m^-1; 1 V/nm = 1e9 V/m."""
    from sotfit.units import to_house

    assert to_house(1.0, unit, dim)[0] == pytest.approx(house, rel=1e-12)


def test_a_unit_with_a_word_that_does_not_change_it():
    """'Power (dBm, set): 10' in a LabVIEW preamble refused the file ('unknown unit in the
    key'); a word after the unit that names no other quantity is read past, the current's
    form (rms, peak) is not."""
    from sotfit.units import split_header

    assert split_header("Power (dBm, set)") == ("power", "dBm")
    assert split_header("Field (mT, measured)") == ("field", "mT")
    assert split_header("B [T, nominal]") == ("b", "T")
    for header in ("I_ac (mA, rms)", "I (mA, peak)", "Field (mT, x10)"):
        with pytest.raises(units.UnitError):
            split_header(header)


@pytest.mark.parametrize("header, name, unit", [
    ("T (K)", "t", "K"), ("Temperature [K]", "temperature", "K"), ("temperature_K", "temperature", "K"),
    ("T / K", "t", "K"), ("T_sample_K", "t_sample", "K"), ("Temp_K", "temp", "K"),
    ("T (mK)", "t", "mK"), ("Temperature (kelvin)", "temperature", "K"),
    # a suffix K after a name that is no temperature's is part of the name: an anisotropy field
    ("H_K", "h_k", None), ("mu0_H_K", "mu0_h_k", None), ("B_K", "b_k", None), ("R_K", "r_k", None),
    ("H_K (mT)", "h_k", "mT"), ("T_k", "t_k", None),
    # the name as a whole word: 'template_K' was kelvin, its 'temp' read as a temperature's
    ("T_K", "t", "K"), ("temp_K", "temp", "K"), ("sample_temperature_K", "sample_temperature", "K"),
    ("template_K", "template_k", None), ("attempt_K", "attempt_k", None),
    ("Tmeas_K", "tmeas_k", None)])
def test_kelvin_is_the_unit_of_a_temperature_column(header, name, unit):
    """'T (K)', 'Temperature [K]', 'temperature_K' were columns of an unknown unit; kelvin is a
    temperature's, and a name's last '_K' is one only after a temperature's name."""
    assert units.split_header(header) == (name, unit)
    if unit in ("K", "mK"):
        assert units.dimension_of(unit) == "temperature"


def test_kelvin_is_no_prefix_and_k_alone_no_unit():
    """K alone is kelvin; before a unit it is still the kilo of instrument software (KOe, KHz),
    and k alone, or kelvin with a prefix other than milli, is no unit."""
    assert units.normalise_unit("K") == "K" and units.HOUSE["temperature"] == "K"
    assert units.to_house(300.0, "mK", "temperature") == (pytest.approx(0.3, rel=1e-12), "K")
    assert units.normalise_unit("KOe") == "kOe" and units.normalise_unit("KHz") == "kHz"
    for bad in ("k", "kK", "MK"):
        with pytest.raises(units.UnitError, match="unknown unit"):
            units.normalise_unit(bad)
    with pytest.raises(units.UnitError, match="temperature unit, but a field unit is needed"):
        units.to_house(1.0, "K", "field")
    with pytest.raises(units.UnitError, match="unknown unit 'k'"):
        units.split_header("T (k)")


@pytest.mark.parametrize("unit", ["Gs", "gs", "GS"])
def test_gauss_abbreviated_as_gaussmeters_write_it(unit, tmp_path):
    """``Gs`` (a gaussmeter's and its program's gauss: ``Field (Gs)``, or ``Gs`` in a units
    row under ``Field``) is the gauss: it was an unknown unit, and in a units row the file was
    refused naming its column names as a line of no kind, no option named."""
    from sotfit.io import read_stfmr

    assert units.normalise_unit(unit) == "G"
    assert units.to_house(1.0, unit, "field")[0] == pytest.approx(1e-4)
    h = np.linspace(-1000.0, 1000.0, 201)
    v = 1.0 / (1.0 + ((np.abs(h) - 600.0) / 20.0) ** 2) * np.sign(h)
    p = tmp_path / "sweep_8GHz.txt"
    p.write_text(f"Field\tVmix\n{unit}\tuV\n" + "".join(f"{a}\t{b}\n" for a, b in zip(h, v)))
    (d,) = read_stfmr([p])
    np.testing.assert_allclose(d.x, h * 1e-4, rtol=1e-12)
