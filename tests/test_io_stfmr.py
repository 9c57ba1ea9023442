"""ST-FMR readers: formats, units, frequency/power/repeat, sweep checks, bad input, real files.

Synthetic files are written to ``tmp_path`` from a planted spectrum (a Lorentzian
mixing lineshape with known numbers in known units); reading them back must give
exactly those numbers in house units (T, uV, GHz, dBm). Unit factors are checked
against their definitions (1 Oe = 1e-4 T, 1 A/m = mu0 T, from scipy.constants).
"""

import glob
import hashlib
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import constants

import sotfit
from sotfit import DataError, Sweep
from sotfit.cli import main
from sotfit.io import load, read_stfmr, read_table
from sotfit.io.stfmr import angle_from_name, frequency_from_name, power_from_name, repeat_from_name
from sotfit.units import UnitError


# ----------------------------------------------------------------------------------------
# A planted spectrum
# ----------------------------------------------------------------------------------------

def planted(n=41, hmax_T=0.15, h_res=0.09, width=0.006, vs=3.0, va=-1.5, down=True):
    """Field (T) swept through both polarities and V_mix (uV) with resonances at +-h_res."""
    h = np.linspace(hmax_T, -hmax_T, n) if down else np.linspace(-hmax_T, hmax_T, n)
    v = np.zeros_like(h)
    for sign in (1, -1):
        d = h - sign * h_res
        v += sign * (vs * width**2 + va * width * d) / (d**2 + width**2)
    return h, v + 0.2


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(cols, fmt="{:.10g}", sep="\t"):
    return "".join(sep.join(fmt.format(c) for c in r) + "\n" for r in zip(*cols))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_planted(d, h_T, v_uV):
    order = np.argsort(h_T)
    np.testing.assert_allclose(d.x, h_T[order], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(d.y, v_uV[order], rtol=1e-9, atol=1e-12)
    assert (d.x_name, d.y_name, d.x_unit, d.y_unit) == ("field", "vmix", "T", "uV")
    assert np.all(np.diff(d.x) > 0)


# ----------------------------------------------------------------------------------------
# Formats
# ----------------------------------------------------------------------------------------

def test_lvm_layout_is_oe_and_volt_with_frequency_and_power_from_header(tmp_path):
    h, v = planted()
    head = ("Date/time start measurement:  11/15/2021 - 11:28 AM\nFrequency(GHz):9.000000E+0\n"
            "Power(dBm):1.500000E+1\nTime between measurements:1.000000E+0\nSamplename: \t\n\n")
    p = write(tmp_path / "9GHz_1.lvm", head + rows([h / 1e-4, v * 1e-6]))
    sw = read_stfmr(p)
    assert isinstance(sw, Sweep) and len(sw) == 1
    d = sw[0]
    check_planted(d, h, v)
    m = d.meta
    assert m["frequency"] == 9.0 and m["power"] == 15.0
    assert m["repeat"] == 1 and m["segment"] == 0
    assert m["source"] == "9GHz_1.lvm"
    assert m["sweep_direction"] == "down"
    assert m["units_from"] == "lvm layout"
    assert m["field_unit_in_file"] == "Oe" and m["voltage_unit_in_file"] == "V"
    assert m["Samplename"] == "" and m["Time between measurements"] == 1.0
    assert m["Date/time start measurement"] == "11/15/2021 - 11:28 AM"
    assert m["sample"] == tmp_path.name  # empty Samplename: the folder names the sample
    # the units the layout supposes are said (they were taken silently)
    assert [n for n in m["reader_notes"] if "as the ST-FMR LabVIEW .lvm files" in n] == [
        "column 0 read as the field in Oe and column 1 read as V_mix in V, as the ST-FMR LabVIEW "
        ".lvm files without column names write them (field_unit= and voltage_unit= for other "
        "units)"]


def test_lvm_options_override_the_layout_rule(tmp_path):
    h, v = planted()
    p = write(tmp_path / "9GHz.lvm", "Frequency(GHz):9\n\n" + rows([h / 1e-3, v * 1e-3]))
    d = read_stfmr(p, field_unit="mT", voltage_unit="mV")[0]
    check_planted(d, h, v)
    assert d.meta["units_from"] == "option"


@pytest.mark.parametrize("name, header, fscale, vscale, sep", [
    ("a_9GHz.csv", "Field (Oe),Voltage (V)", 1e-4, 1e6, ","),
    ("a_9GHz.tsv", "field_mT\tvmix_uV", 1e-3, 1.0, "\t"),
    ("a_9GHz.txt", "B [T];Vmix [mV]", 1.0, 1e3, ";"),
    ("a_9GHz.dat", "H (A/m)  V_mix (µV)", constants.mu_0, 1.0, "  "),
    ("a_9GHz_b.dat", "field / kOe   vmix / nV", 0.1, 1e-3, " "),
    # names of the signal in rectification and spin-pumping setups (were 'no voltage column')
    ("a_9GHz_c.csv", "Field (mT),V_rect (uV)", 1e-3, 1.0, ","),
    ("a_9GHz_d.csv", "Field (mT),V_ST-FMR (uV)", 1e-3, 1.0, ","),
    ("a_9GHz_e.csv", "Field (mT),V_ISHE (uV)", 1e-3, 1.0, ","),
])
def test_units_from_column_headers(tmp_path, name, header, fscale, vscale, sep):
    h, v = planted()
    p = write(tmp_path / name, header + "\n" + rows([h / fscale, v / vscale], sep=sep))
    d = read_stfmr(p)[0]
    check_planted(d, h, v)
    assert d.meta["frequency"] == 9.0 and d.meta["units_from"] == "header"


def test_oe_and_a_per_m_factors_are_the_definitions(tmp_path):
    # 1 Oe = 1e-4 T and H = 1 A/m is mu0*H = mu0 T: 1e3/(4 pi) A/m is 1 Oe, up to the
    # 1e-10 difference of the SI-2019 mu0 from 4 pi 1e-7.
    p = write(tmp_path / "x_9GHz.csv",
              "Field (A/m),Field2 (Oe),vmix_uV\n"
              + "".join(f"{k * 1e3 / (4 * np.pi)},{k},{k}\n" for k in (1, 2, 3, 4)))
    a = read_stfmr(p, field_column="Field (A/m)")[0]
    b = read_stfmr(p, field_column=1)[0]
    np.testing.assert_allclose(b.x, [1e-4, 2e-4, 3e-4, 4e-4], rtol=1e-15)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-9)  # mu0 = 4 pi 1e-7 to 1e-10


def test_comment_header_with_key_values_and_column_names(tmp_path):
    h, v = planted(down=False)
    text = ("# ST-FMR sweep\n# frequency: 7.5 GHz\n# power = 12 dBm\n# sample: Py/Pt\n"
            "# field_mT vmix_uV\n" + rows([h * 1e3, v], sep=" "))
    d = read_stfmr(write(tmp_path / "sweep.dat", text))[0]
    check_planted(d, h, v)
    assert d.meta["frequency"] == 7.5 and d.meta["power"] == 12.0
    assert d.meta["sample"] == "Py/Pt" and d.meta["sweep_direction"] == "up"
    assert d.meta["frequency_from"].startswith("header")


def test_key_value_lines_then_header_row(tmp_path):
    h, v = planted()
    text = "Frequency = 6 GHz\nPower (dBm): -3\nField (mT)\tVmix (uV)\n" + rows([h * 1e3, v])
    d = read_stfmr(write(tmp_path / "s.txt", text))[0]
    check_planted(d, h, v)
    assert (d.meta["frequency"], d.meta["power"]) == (6.0, -3.0)


def test_headerless_file_with_options(tmp_path):
    h, v = planted()
    p = write(tmp_path / "f9GHz.txt", rows([v * 1e-6, h]))  # V first, like the Vmix/Field files
    d = read_stfmr(p, field_column=1, voltage_column=0, field_unit="T", voltage_unit="V")[0]
    check_planted(d, h, v)
    assert d.meta["frequency"] == 9.0


def test_long_format_file_with_all_frequencies_and_powers(tmp_path):
    lines = ["frequency (GHz),power (dBm),field (mT),vmix (uV)"]
    truth = {}
    for f in (6.0, 8.0, 10.0):
        h, v = planted(h_res=0.01 * f, down=f != 8.0)
        truth[f] = (h, v)
        lines += [f"{f},10,{float(a) * 1e3!r},{float(b)!r}" for a, b in zip(h, v)]
    sw = read_stfmr(write(tmp_path / "all.csv", "\n".join(lines) + "\n"))
    assert sw.values("frequency") == [6.0, 8.0, 10.0]
    assert sw.values("power") == [10.0] * 3
    assert sw.values("sweep_direction") == ["down", "up", "down"]
    for d in sw:
        check_planted(d, *truth[d.meta["frequency"]])
        assert d.meta["frequency_from"].startswith("column")


def test_frequency_column_in_mhz_and_interleaved_rows(tmp_path):
    # the frequency stepped inside each field step: rows of one frequency are not contiguous
    h = np.linspace(-0.1, 0.1, 11)
    text = "B (T)\tf (MHz)\tV (uV)\n" + "".join(
        f"{b}\t{f}\t{b * f}\n" for b in h for f in (5000, 7000))
    sw = read_stfmr(write(tmp_path / "grid.tsv", text))
    assert sw.values("frequency") == [5.0, 7.0]
    np.testing.assert_allclose(sw[1].y, sw[1].x * 7000)


def test_long_format_with_a_frequency_measured_twice(tmp_path):
    h = np.linspace(-0.1, 0.1, 9)
    block = lambda f, k: "".join(f"{f},{b},{k}\n" for b in h)  # noqa: E731
    text = "f (GHz),B (T),V (uV)\n" + block(8, 1.0) + block(9, 2.0) + block(8, 3.0)
    p = write(tmp_path / "long.csv", text)
    with pytest.raises(DataError, match=r"long\.csv at 8 GHz: the field sweep comes back to the "
                                        r"negative field branch.*line 20.*2 sweeps"):
        read_stfmr(p)
    sw = read_stfmr(p, split_sweeps=True)
    assert sw.values("frequency") == [8.0, 8.0, 9.0]
    assert sw.values("segment") == [0, 1, 0]
    assert [float(d.y[0]) for d in sw] == [1.0, 3.0, 2.0]


def test_header_entries_never_overwrite_the_reader_keys(tmp_path):
    p = write(tmp_path / "9GHz.csv", "# source: somewhere else\n# repeat: 7\n# operator: A. B.\n"
              "field_T,vmix_uV\n0.1,1\n0.2,2\n0.3,3\n")
    m = read_stfmr(p)[0].meta
    assert (m["source"], m["repeat"], m["operator"]) == ("9GHz.csv", 0, "A. B.")


def test_an_instruments_frequency_column_is_the_rf_frequency_but_a_lockins_is_not(tmp_path):
    """A column named by the source's parameter (``mw_frequency (Hz)``, as QCoDeS names it) is
    the rf frequency; one named by a lock-in's reference is never taken for it."""
    h, v = planted()
    grid = "".join(f"{f},{float(a)!r},{float(b) * 1e-6!r}\n" for f in (8e9, 9e9)
                   for a, b in zip(h, v))
    p = write(tmp_path / "map.csv", "mw_frequency (Hz),magnet_field (T),vmix (V)\n" + grid)
    sw = read_stfmr(p)
    assert sw.values("frequency") == [8.0, 9.0]
    assert sw[0].meta["frequency_from"].startswith("column 'mw_frequency (Hz)'")
    check_planted(sw[1], h, v)
    q = write(tmp_path / "ref.csv", "lockin_frequency (Hz),magnet_field (T),vmix (V)\n"
              + "".join(f"1700,{float(a)!r},{float(b) * 1e-6!r}\n" for a, b in zip(h, v)))
    with pytest.raises(DataError, match="ref.csv: no rf frequency found"):
        read_stfmr(q)


@pytest.mark.parametrize("header, said", [
    ("# Frequency (Hz): 1700", "the header entry 'Frequency (Hz)' gives an rf frequency of "
                               "1.7e-06 GHz, outside the 0.01-5000 GHz"),
    ("# Frequency (MHz): 9000000", "the header entry 'Frequency (MHz)' gives an rf frequency of "
                                   "9000 GHz, outside"),
])
def test_a_frequency_that_is_no_rf_frequency_is_an_error(tmp_path, header, said):
    """A lock-in's reference frequency (1.7 kHz) or a frequency in the wrong unit is not taken
    for the rf frequency (a spectrum at 1.7 kHz was fitted without a word); with --frequency
    the disagreement names the option's value."""
    h, v = planted()
    p = write(tmp_path / "s.csv", header + "\nfield (T),vmix (uV)\n" + rows([h, v], sep=","))
    with pytest.raises(DataError, match=re.escape(f"s.csv: {said}")):
        read_stfmr(p)
    with pytest.raises(DataError, match="but the frequency=10.0 gives 10 GHz"):
        read_stfmr(p, frequency=10.0)
    assert main(["stfmr", str(p), "--frequency", "10GHz", "--no-figures", "--out",
                 str(tmp_path / "o")]) == 2


def test_frequency_column_without_unit_needs_frequency_unit(tmp_path):
    text = "freq,field_T,vmix_V\n" + "".join(f"9e9,{b},1e-6\n" for b in (0.1, 0.2, 0.3))
    p = write(tmp_path / "a.csv", text)
    with pytest.raises(UnitError, match=r"a\.csv.*'freq'.*frequency_unit"):
        read_stfmr(p)
    assert read_stfmr(p, frequency_unit="Hz")[0].meta["frequency"] == pytest.approx(9.0)


def test_one_file_per_frequency_folder_and_repeats(tmp_path):
    head = "Frequency(GHz):{f}\nPower(dBm):10\n\n"
    for i, (name, f) in enumerate((("10GHz.lvm", 10), ("8GHz.lvm", 8), ("8GHz_1.lvm", 8),
                                   ("8GHz_2.lvm", 8), ("9GHz.lvm", 9))):
        h, v = planted()               # repeats of one measurement differ (identical is refused)
        write(tmp_path / name, head.format(f=f) + rows([h * 1e4, v * 1e-6 * (1 + 1e-3 * i)]))
    write(tmp_path / "notes.md", "not data")
    sw = read_stfmr(tmp_path)
    assert sw.values("source") == ["8GHz.lvm", "8GHz_1.lvm", "8GHz_2.lvm", "9GHz.lvm", "10GHz.lvm"]
    assert sw.values("repeat") == [0, 1, 2, 0, 0]
    assert sw.values("frequency") == [8.0, 8.0, 8.0, 9.0, 10.0]
    assert len(sw.sel(frequency=8.0, repeat=2)) == 1


def test_load_is_read_stfmr_at_both_levels(tmp_path):
    h, v = planted()
    p = write(tmp_path / "9GHz.lvm", "Frequency(GHz):9\n\n" + rows([h * 1e4, v * 1e-6]))
    for func in (load, sotfit.load):
        check_planted(func(p)[0], h, v)
        check_planted(func([str(p)], kind="stfmr")[0], h, v)
    with pytest.raises(ValueError, match="unknown kind"):
        load(p, kind="nmr")


def test_both_polarities_and_opposite_branch_directions(tmp_path):
    # the layout of the Vmix/Field files: -0.14 -> 0 then +0.14 -> 0
    neg = np.linspace(-0.14, -0.002, 70)
    pos = np.linspace(0.14, 0.002, 70)
    h = np.concatenate([neg, pos])
    v = np.sin(40 * h)
    p = write(tmp_path / "stfmr_9.00GHz_10.00dBm_0.00mA.dat", "Vmix\tField\n" + rows([v, h]))
    d = read_stfmr(p, field_unit="T", voltage_unit="uV")[0]
    check_planted(d, h, v)
    assert d.meta["sweep_direction"] == "mixed"
    assert d.meta["sweep_direction_negative"] == "up"
    assert d.meta["sweep_direction_positive"] == "down"
    assert (d.meta["frequency"], d.meta["power"], d.meta["repeat"]) == (9.0, 10.0, 0)
    assert (d.x < 0).sum() == 70 and (d.x > 0).sum() == 70


def test_sweep_through_zero_field(tmp_path):
    h = np.linspace(0.1, -0.1, 21)  # includes 0.0 exactly
    p = write(tmp_path / "9GHz.csv", "field_T,vmix_uV\n" + rows([h, h**2], sep=","))
    d = read_stfmr(p)[0]
    assert d.meta["sweep_direction"] == "down" and len(d) == 21 and 0.0 in d.x


def test_windows_encoding_crlf_and_trailing_tabs(tmp_path):
    h, v = planted()
    text = "Field (mT)\tV_mix (µV)\t\r\n" + rows([h * 1e3, v]).replace("\n", "\t\r\n")
    p = tmp_path / "w_9GHz.txt"
    p.write_bytes(text.encode("cp1252"))
    d = read_stfmr(p)[0]
    check_planted(d, h, v)
    assert d.meta["voltage_unit_in_file"] == "uV"


def test_lvm_rule_needs_its_layout(tmp_path):
    h, v = planted()
    bare = write(tmp_path / "9GHz.lvm", rows([h * 1e4, v * 1e-6]))  # no preamble
    with pytest.raises(DataError, match=r"9GHz\.lvm: .*no column header row"):
        read_stfmr(bare)
    three = write(tmp_path / "8GHz.lvm", "Frequency(GHz):8\n\n" + rows([h * 1e4, v, v]))
    with pytest.raises(DataError, match=r"8GHz\.lvm: .*no column header row.*3 columns"):
        read_stfmr(three)
    ni = write(tmp_path / "7GHz.lvm", "LabVIEW Measurement\t\nWriter_Version\t2\n"
               "***End_of_Header***\t\nX_Value\tUntitled\n0\t1\n1\t2\n")
    # a LabVIEW measurement file is read as its table (tests/test_io_labview_lvm.py): here
    # its one channel has LabVIEW's default name, which the error names
    with pytest.raises(DataError, match=r"7GHz\.lvm: no field column among \['X_Value', "
                                        r"'Untitled'\]"):
        read_stfmr(ni)


# ----------------------------------------------------------------------------------------
# File-name rules
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, f", [
    ("9GHz.lvm", 9.0), ("9GHz_1.lvm", 9.0), ("stfmr_9.00GHz_10.00dBm_0.00mA.dat", 9.0),
    ("f9GHz.csv", 9.0), ("freq9GHz.dat", 9.0), ("x_f_9GHz.txt", 9.0), ("dev3_f12.5GHz_run2.txt", 12.5), ("9p5GHz.dat", 9.5),
    ("9000MHz.dat", 9.0), ("sweep_9ghz.csv", 9.0), ("sample.dat", None), ("CoFe9GHzx.dat", None),
    # in Hz (a frequency written by a program's float formatting; was 'no rf frequency found'):
    # only from 100 MHz on, so that a lock-in's modulation frequency is never the rf one
    ("16e9Hz.txt", 16.0), ("sweep_9.5E9_Hz.csv", 9.5), ("8000000000Hz.dat", 8.0),
    ("dev_1.2e+10Hz_2.txt", 12.0), ("mod_137Hz_9GHz.dat", 9.0), ("a_1e3Hz.dat", None),
    ("f=8.0e9.csv", 8.0), ("f=1.7e3.csv", None), ("f=8.0.csv", None),
])
def test_frequency_from_name(name, f):
    assert frequency_from_name(name) == f


def test_a_frequency_in_hz_in_a_file_name_is_read(tmp_path):
    """``16e9Hz.txt`` is read at 16 GHz as ``16GHz.txt`` is (the file name is the only place
    the frequency is written)."""
    body = "Field (mT),Vmix (uV)\n" + "".join(f"{h},{v}\n" for h, v in
                                               [(-20, 0.1), (-10, 0.3), (10, 0.2), (20, 0.1)])
    hz, ghz = write(tmp_path / "16e9Hz.txt", body), write(tmp_path / "16GHz.txt", body)
    (a,), (b,) = read_stfmr([hz]), read_stfmr([ghz])
    assert a.meta["frequency"] == b.meta["frequency"] == 16.0
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    with pytest.raises(DataError, match="several frequencies"):
        frequency_from_name("9GHz_10e9Hz.dat")


@pytest.mark.parametrize("name, f, p, angle", [
    ("ST-FMR 9,5 GHz.txt", 9.5, None, None), ("s_9,5GHz.csv", 9.5, None, None),
    ("x_10,5GHz_m5,5dBm_phi30,5.csv", 10.5, -5.5, 30.5), ("py,10GHz.csv", 10.0, None, None),
    ("8,9,10GHz.csv", None, None, None),
])
def test_a_decimal_comma_in_a_name_is_one_number(name, f, p, angle):
    """``9,5 GHz`` is 9.5 GHz (it was read as 5 GHz, the number after the comma); a list
    ``8,9,10GHz`` gives no frequency rather than its last member."""
    assert frequency_from_name(name) == f
    assert power_from_name(name) == p
    assert angle_from_name(name) == angle


@pytest.mark.parametrize("name, f", [("py_8,000GHz.csv", 8.0), ("py_2,500MHz_10dBm.csv", 2.5)])
def test_a_comma_before_three_digits_takes_the_one_reading_in_the_rf_band(name, f):
    """'8,000GHz' was refused although 8000 GHz is no rf frequency, and '2,500MHz' although
    2.5 MHz is none: the one reading in the rf band is taken."""
    assert frequency_from_name(name) == f


@pytest.mark.parametrize("name", ["py_12,000MHz.csv", "s_1,500GHz.csv"])
def test_a_comma_before_three_digits_in_a_name_is_not_guessed(name):
    """'py_12,000MHz.csv' was read as 12 MHz (0.012 GHz) with exit status 0: the comma may as
    well separate thousands (12000 MHz), as the harmonic Hall names and the header entries say."""
    with pytest.raises(DataError, match=r"may be a decimal comma \(\d+\.\d{3}\) or a thousands "
                                        r"separator \(\d+\)"):
        frequency_from_name(name)


def test_two_frequencies_in_a_name_is_an_error():
    with pytest.raises(DataError, match="several frequencies"):
        frequency_from_name("8GHz_to_9GHz.dat")


@pytest.mark.parametrize("name, p", [
    ("stfmr_9.00GHz_10.00dBm_0.00mA.dat", 10.0), ("9GHz_-5dBm.csv", -5.0),
    ("9GHz_m5dBm.csv", -5.0), ("9GHz.lvm", None),
    ("F10GHz_P15dBm.csv", 15.0), ("x_Pm5dBm.csv", -5.0), ("power_-5dBm.csv", -5.0),
    ("prf10dBm.txt", 10.0), ("a_p10p5dBm.csv", 10.5), ("pt10dBm.csv", None),
])
def test_power_from_name(name, p):
    assert power_from_name(name) == p


@pytest.mark.parametrize("name, r", [
    ("9GHz.lvm", 0), ("9GHz_1.lvm", 1), ("9GHz_2.lvm", 2), ("10GHz_1.lvm", 1),
    ("stfmr_9.00GHz_10.00dBm_0.00mA.dat", 0), ("9GHz_rep3.csv", 3), ("9GHz-4.dat", 4),
    ("sweep_9.5.dat", 0),
    # the day of a date is no repeat ('run_2024-03-12.dat' was labelled repeat 12)
    ("run_2024-03-12.dat", 0), ("f9GHz_2024_03_12.csv", 0), ("f9GHz_2024_03_12_2.csv", 2),
])
def test_repeat_from_name(name, r):
    assert repeat_from_name(name) == r


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------

def test_empty_file(tmp_path):
    with pytest.raises(DataError, match=r"e_9GHz\.csv.*empty"):
        read_stfmr(write(tmp_path / "e_9GHz.csv", ""))
    with pytest.raises(DataError, match="empty"):
        read_stfmr(write(tmp_path / "blank_9GHz.csv", "\n  \n\n"))


def test_no_numeric_rows(tmp_path):
    p = write(tmp_path / "h_9GHz.csv", "# a comment\nField (Oe),Voltage (V)\n")
    with pytest.raises(DataError, match=r"h_9GHz\.csv.*no numeric data rows"):
        read_stfmr(p)
    p = write(tmp_path / "t_9GHz.txt", "Frequency: 9 GHz\nsome words here\nmore words\n")
    with pytest.raises(DataError, match=r"t_9GHz\.txt.*no numeric data rows"):
        read_stfmr(p)


def test_non_numeric_cell_names_line_and_column(tmp_path):
    p = write(tmp_path / "x_9GHz.csv", "field_T,vmix_uV\n0.1,1\n0.2,abc\n0.3,2\n")
    with pytest.raises(DataError, match=r"x_9GHz\.csv: line 3, 'vmix_uV': 'abc' is not a number"):
        read_stfmr(p)


def test_ragged_row(tmp_path):
    p = write(tmp_path / "r_9GHz.csv", "field_T,vmix_uV\n0.1,1\n0.2,1,5\n0.3,2\n")
    with pytest.raises(DataError, match=r"r_9GHz\.csv: line 3 has 3 value\(s\).*2 column"):
        read_stfmr(p)


@pytest.mark.parametrize("cell", ["nan", "NaN", "", "inf"])
def test_nan_names_file_column_and_line(tmp_path, cell):
    p = write(tmp_path / "n_9GHz.csv",
              f"field_T,vmix_uV\n0.1,1\n0.2,2\n0.3,{cell}\n0.4,2\n0.5,{cell}\n")
    with pytest.raises(DataError, match=r"n_9GHz\.csv: 'vmix_uV' \(column 1\).*2 missing.*"
                                        r"line\(s\) \[4, 6\]"):
        read_stfmr(p)


@pytest.mark.parametrize("column, cell, label", [(0, "nan", "frequency_GHz"),
                                                  (1, "-inf", "field_Oe"),
                                                  (2, "inf", "vmix_uV")])
def test_non_finite_cell_of_a_long_table_names_file_column_and_line(tmp_path, column, cell,
                                                                   label):
    """The long format of one file with a frequency column: a NaN or inf in any column is an
    error naming the file, the column and the line, never a spectrum quietly dropped."""
    lines = ["frequency_GHz,field_Oe,vmix_uV"]
    for f in (4, 5):
        lines += [f"{f},{h},{0.01 * h}" for h in range(40, 240, 40)]
    cells = lines[7].split(",")
    cells[column] = cell
    lines[7] = ",".join(cells)
    p = write(tmp_path / "long.csv", "\n".join(lines) + "\n")
    with pytest.raises(DataError, match=rf"long\.csv: '{label}' \(column {column}\).*1 missing "
                                        r"or non-finite.*line\(s\) \[8\]"):
        read_stfmr(p)


def test_nan_in_field_column_of_lvm(tmp_path):
    p = write(tmp_path / "9GHz.lvm", "Frequency(GHz):9\n\n100\t1e-6\nNaN\t2e-6\n300\t3e-6\n")
    with pytest.raises(DataError, match=r"9GHz\.lvm: column 0 \(field\).*line\(s\) \[4\]"):
        read_stfmr(p)


def test_single_point(tmp_path):
    p = write(tmp_path / "one_9GHz.csv", "field_T,vmix_uV\n0.1,1\n")
    with pytest.raises(DataError, match=r"one_9GHz\.csv at 9 GHz: only 1 data point"):
        read_stfmr(p)


def test_unknown_unit_in_header(tmp_path):
    p = write(tmp_path / "u_9GHz.csv", "Field (furlong),Voltage (V)\n1,1\n2,2\n3,3\n")
    with pytest.raises(UnitError, match=r"u_9GHz\.csv: column 'Field \(furlong\)'.*unknown unit"
                                        r".*Oe.*A/m"):
        read_stfmr(p)


def test_unit_of_the_wrong_kind(tmp_path):
    p = write(tmp_path / "w_9GHz.csv", "Field (mV),Voltage (V)\n1,1\n2,2\n3,3\n")
    with pytest.raises(UnitError, match=r"w_9GHz\.csv: column 'Field \(mV\)'.*voltage unit"):
        read_stfmr(p)
    p = write(tmp_path / "ok_9GHz.csv", "Field,Voltage\n1,1\n2,2\n3,3\n")
    with pytest.raises(UnitError, match=r"field_unit='GHz' is not a field unit.*Oe"):
        read_stfmr(p, field_unit="GHz", voltage_unit="V")
    with pytest.raises(UnitError, match=r"voltage_unit='volts\?'.*V, mV, uV"):
        read_stfmr(p, field_unit="T", voltage_unit="volts?")


def test_a_header_unit_known_to_be_wrong_is_overridden_only_when_asked(tmp_path):
    """A column headed 'Magnetic field (mT)' holding tesla (a spin-pumping export): a field
    unit option that disagrees is an error that now names the way out (it said 'correct the
    header', which a lab will not do); ``override_header_units`` reads the column in the
    option's unit, as a file headed in tesla is read, and says so."""
    body = "".join(f"{h},{v}\n" for h, v in [(0.010, 1e-6), (0.012, 3e-6), (0.014, 2e-6),
                                            (0.016, 1e-6)])
    wrong = write(tmp_path / "a_4GHz.txt", "Magnetic field (mT),Vmix (V)\n" + body)
    right = write(tmp_path / "b_4GHz.txt", "Magnetic field (T),Vmix (V)\n" + body)
    with pytest.raises(UnitError, match=r"says 'mT' but field_unit='T'; remove the option, or if "
                                        r"the header's unit is wrong, pass override_header_units="
                                        r"\('field',\) with field_unit='T'"):
        read_stfmr(wrong, field_unit="T")
    (a,), (b,) = read_stfmr(wrong, field_unit="T", override_header_units=("field",)), read_stfmr(right)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert any("read in T, not in the mT its header says" in n for n in a.meta["reader_notes"])
    with pytest.raises(ValueError, match=r"override_header_units=\('voltage',\) needs voltage_unit="):
        read_stfmr(wrong, override_header_units=("voltage",))
    with pytest.raises(ValueError, match=r"'power' is not one of 'field', 'voltage'"):
        read_stfmr(wrong, field_unit="T", override_header_units=("field", "power"))


def test_missing_unit_names_file_column_and_the_fix(tmp_path):
    p = write(tmp_path / "stfmr_8.00GHz_10.00dBm_0.00mA.dat",
              "Vmix\tField\n1e-6\t-0.1\n2e-6\t-0.05\n3e-6\t-0.01\n")
    with pytest.raises(UnitError) as e:
        read_stfmr(p)
    msg = str(e.value)
    for part in ("stfmr_8.00GHz_10.00dBm_0.00mA.dat", "'Field'", "field_unit",
                 "T, mT", "Oe", "A/m", "field_unit='T', voltage_unit='V'"):
        assert part in msg
    with pytest.raises(UnitError, match=r"'Vmix' \(column 0\).*voltage_unit.*V, mV, uV"):
        read_stfmr(p, field_unit="T")
    d = read_stfmr(p, field_unit="T", voltage_unit="V")[0]
    np.testing.assert_allclose(d.y, [1, 2, 3])


def test_header_unit_and_option_that_disagree(tmp_path):
    p = write(tmp_path / "c_9GHz.csv", "Field (Oe),Voltage (V)\n1,1\n2,2\n3,3\n")
    with pytest.raises(UnitError, match=r"c_9GHz\.csv.*'Field \(Oe\)' says 'Oe' but field_unit='mT'"):
        read_stfmr(p, field_unit="mT")
    assert read_stfmr(p, field_unit="oe")[0].meta["units_from"] == "header"


def test_a_field_column_without_unit_is_asked_about_with_its_readings(tmp_path):
    """The message for a field column without a unit says what each common unit would make of
    its largest value (an example unit alone invites the wrong one: Oe read as mT is 10x)."""
    p = write(tmp_path / "s_9GHz.csv", "Field,Vmix (uV)\n1000,1\n2000,2\n3000,3\n")
    with pytest.raises(UnitError, match=r"'Field' \(column 0\) \(field\) has no unit \(its largest "
                       r"\|value\| is 3000: 3 T if in mT, 0\.3 T if in Oe, 0\.00377 T if in A/m, 3\.77 T "
                       r"if in kA/m\)"):
        read_stfmr(p)


def test_headerless_file_needs_columns_and_units(tmp_path):
    p = write(tmp_path / "9GHz.txt", "0.1\t1e-6\n0.2\t2e-6\n0.3\t3e-6\n")
    with pytest.raises(DataError, match=r"9GHz\.txt: .*no column header row.*field_column="):
        read_stfmr(p)
    with pytest.raises(UnitError, match=r"9GHz\.txt: column 0 \(field\) has no unit"):
        read_stfmr(p, field_column=0, voltage_column=1)


def test_implausible_field_after_unit_conversion(tmp_path):
    # an Oe file read as T: 1300 T is no ST-FMR field
    p = write(tmp_path / "9GHz.lvm", "Frequency(GHz):9\n\n1300\t1e-6\n1200\t2e-6\n1100\t3e-6\n")
    with pytest.raises(UnitError, match=r"9GHz\.lvm.*1\.3e\+03 T.*check field_unit"):
        read_stfmr(p, field_unit="T", voltage_unit="V")


def test_duplicated_field_values(tmp_path):
    text = "field_T,vmix_uV\n0.1,1\n0.2,2\n0.2,4\n0.3,3\n-0.1,5\n"
    p = write(tmp_path / "d_9GHz.csv", text)
    with pytest.raises(DataError, match=r"d_9GHz\.csv at 9 GHz: field value 0\.2 T appears 2 "
                                        r"times in the positive branch \(lines \[3, 4\]\).*"
                                        r"allow_duplicates=True"):
        read_stfmr(p)
    d = read_stfmr(p, allow_duplicates=True)[0]
    np.testing.assert_allclose(d.x, [-0.1, 0.1, 0.2, 0.3])
    np.testing.assert_allclose(d.y, [5, 1, 3, 3])  # (2 + 4) / 2 at 0.2 T
    assert d.meta["averaged_duplicates"] == 1


def test_same_field_in_the_two_branches_is_not_a_duplicate(tmp_path):
    # -0.1 -> 0 then +0.1 -> 0: 0.0 measured once at the end of each branch
    h = [-0.1, -0.05, 0.0, 0.1, 0.05, 0.0]
    p = write(tmp_path / "z_9GHz.csv", "field_T,vmix_uV\n" + rows([h, np.arange(6.0)], sep=","))
    d = read_stfmr(p)[0]
    assert len(d) == 6 and d.meta["sweep_direction"] == "mixed"


def test_non_monotonic_sweep_is_an_error_or_split(tmp_path):
    up = np.linspace(-0.1, 0.1, 11)
    h = np.concatenate([up, up[::-1][1:]])  # up then back down: a hysteresis loop
    v = np.arange(h.size, dtype=float)
    p = write(tmp_path / "loop_9GHz.csv", "field_T,vmix_uV\n" + rows([h, v], sep=","))
    with pytest.raises(DataError, match=r"loop_9GHz\.csv at 9 GHz: the field sweep reverses "
                                        r"direction.*positive field branch at line 13.*"
                                        r"split_sweeps=True"):
        read_stfmr(p)
    sw = read_stfmr(p, split_sweeps=True)
    assert sw.values("segment") == [0, 1]
    assert sw.values("sweep_direction") == ["up", "down"]
    assert [len(d) for d in sw] == [11, 10]
    np.testing.assert_allclose(sw[0].y, np.arange(11))
    np.testing.assert_allclose(sw[1].y, np.arange(20, 10, -1))


def test_sweep_that_returns_to_a_branch(tmp_path):
    # two up-sweeps written one after the other
    up = np.linspace(-0.1, 0.1, 10)
    h = np.concatenate([up, up])
    p = write(tmp_path / "twice_9GHz.csv", "field_T,vmix_uV\n" + rows([h, h * 0 + 1], sep=","))
    with pytest.raises(DataError, match=r"comes back to the negative field branch.*line 12"):
        read_stfmr(p)
    sw = read_stfmr(p, split_sweeps=True)
    assert len(sw) == 2 and sw.values("sweep_direction") == ["up", "up"]
    np.testing.assert_allclose(sw[0].x, sw[1].x)


def test_a_small_reversal_is_not_smoothed_away(tmp_path):
    h = [0.10, 0.09, 0.08, 0.0805, 0.07, 0.06]
    p = write(tmp_path / "jit_9GHz.csv", "field_T,vmix_uV\n" + rows([h, h], sep=","))
    with pytest.raises(DataError, match="line 5"):
        read_stfmr(p)


def test_missing_frequency_names_the_three_ways(tmp_path):
    p = write(tmp_path / "sweep.csv", "field_T,vmix_uV\n0.1,1\n0.2,2\n0.3,3\n")
    with pytest.raises(DataError) as e:
        read_stfmr(p)
    msg = str(e.value)
    assert msg.startswith("sweep.csv: no rf frequency")
    for part in ("column", "header", "file name", "frequency="):
        assert part in msg
    assert read_stfmr(p, frequency="9.5GHz")[0].meta["frequency"] == 9.5
    assert read_stfmr(p, frequency=9000e6 / 1e9)[0].meta["frequency"] == 9.0
    assert read_stfmr(p, frequency="9000 MHz")[0].meta["frequency"] == 9.0


def test_conflicting_frequencies(tmp_path):
    p = write(tmp_path / "8GHz.lvm", "Frequency(GHz):9\n\n1\t1\n2\t2\n3\t3\n")
    with pytest.raises(DataError, match=r"8GHz\.lvm: the header entry 'Frequency\(GHz\)' gives 9 "
                                        r"GHz but the file name gives 8 GHz"):
        read_stfmr(p)
    q = write(tmp_path / "9GHz.lvm", "Frequency(GHz):9\n\n1\t1\n2\t2\n3\t3\n")
    with pytest.raises(DataError, match="frequency=10.0 gives 10"):
        read_stfmr(q, frequency=10)
    assert read_stfmr(q, frequency=9)[0].meta["frequency"] == 9.0


def test_frequency_header_without_unit(tmp_path):
    p = write(tmp_path / "a.csv", "# Frequency: 9\nfield_T,vmix_uV\n0.1,1\n0.2,2\n0.3,3\n")
    with pytest.raises(UnitError, match=r"a\.csv: header entry 'Frequency' = '9' has no unit"):
        read_stfmr(p)


@pytest.mark.parametrize("entry, f", [("# Frequency: 9,5 GHz", 9.5), ("# Frequency (GHz): 9,25", 9.25),
                                      ("Frequency: 9500,0 MHz", 9.5)])
def test_a_header_frequency_with_a_decimal_comma(tmp_path, entry, f):
    """In a file whose table writes decimal points, a header entry written with a decimal comma
    (a preamble typed by hand) is that number, not an error."""
    p = write(tmp_path / "a.csv", f"{entry}\nfield_T,vmix_uV\n0.1,1.5\n0.2,2.5\n0.3,3.5\n")
    assert read_stfmr(p)[0].meta["frequency"] == f


def test_a_header_frequency_with_a_comma_before_three_digits_is_not_guessed(tmp_path):
    p = write(tmp_path / "a.csv", "# Frequency: 9,500 MHz\nfield_T,vmix_uV\n0.1,1.5\n0.2,2.5\n")
    with pytest.raises(DataError, match=r"'9,500' may be a number with a decimal comma or with a "
                                        "comma between thousands"):
        read_stfmr(p)


def test_power_without_unit_is_not_recorded(tmp_path):
    p = write(tmp_path / "a_9GHz.csv", "# power: 10\nfield_T,vmix_uV\n0.1,1\n0.2,2\n0.3,3\n")
    with pytest.warns(UserWarning, match="power not recorded"):
        d = read_stfmr(p)[0]
    assert "power" not in d.meta
    with pytest.warns(UserWarning, match="power not recorded"):
        assert read_stfmr(p, power="10dBm")[0].meta["power"] == 10.0


def test_ambiguous_columns(tmp_path):
    p = write(tmp_path / "a_9GHz.csv",
              "Field set (Oe),Field meas (Oe),Vmix (uV)\n1,1.1,1\n2,2.1,2\n3,3.1,3\n")
    with pytest.raises(DataError, match=r"a_9GHz\.csv: several columns could be the field.*"
                                        r"field_column="):
        read_stfmr(p)
    d = read_stfmr(p, field_column="Field meas (Oe)")[0]
    np.testing.assert_allclose(d.x, [1.1e-4, 2.1e-4, 3.1e-4])


def test_missing_and_nonexistent_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere"):
        read_stfmr(tmp_path / "nothere_9GHz.csv")
    with pytest.raises(DataError, match="no files"):
        read_stfmr([])
    (tmp_path / "sub").mkdir()
    with pytest.raises(DataError, match="folder holds no data files"):
        read_stfmr(tmp_path / "sub")
    # a folder of device folders (a repository's layout): the error names the ones with data
    # (it said only 'no data files', as if the spectra were missing)
    for dev in ("dev22", "dev13"):
        (tmp_path / "sub" / dev).mkdir()
        write(tmp_path / "sub" / dev / "3GHz.csv", "Field (mT),Vmix (uV)\n1,1\n2,2\n3,3\n")
    (tmp_path / "sub" / "notes").mkdir()
    with pytest.raises(DataError, match=r"no data files .*; its subfolders are not searched: 2 of "
                                        r"them hold data files \(dev13, dev22\); give the folder "
                                        r"of one sample, e\.g\. .*sub.dev13$"):
        read_stfmr(tmp_path / "sub")


def test_a_folder_of_frequency_folders_names_the_pattern_that_reads_them(tmp_path):
    """'8GHz/spectrum.csv', '10GHz/spectrum.csv' under one folder: the error advised 'the
    folder of one sample, e.g. DIR/10GHz', which holds one frequency. Subfolders named by a
    condition of the measurement are one sample's: the error names the pattern that gives
    them together, and that pattern reads them."""
    top = tmp_path / "py"
    for ghz in (8, 10, 12):
        h, v = planted(h_res=0.01 * ghz)
        (top / f"{ghz}GHz").mkdir(parents=True)
        write(top / f"{ghz}GHz" / "spectrum.csv",
              "Field (mT),Vmix (uV)\n" + rows([h * 1e3, v], sep=","))
    pattern = str(top / "*GHz")
    with pytest.raises(DataError, match=r"3 of them hold data files \(10GHz, 12GHz, 8GHz\), each "
                                        r"named by a condition of the measurement .*not a sample: "
                                        r"give them together, e\.g\. " + re.escape(pattern)):
        read_stfmr(top)
    ds = read_stfmr(sorted(glob.glob(pattern)))
    assert sorted(d.meta["frequency"] for d in ds) == [8.0, 10.0, 12.0]
    # an empty folder beside them is left out of the pattern; one per power too: '*/' would
    # take the empty folder, so every folder with data is named
    (top / "notes").mkdir()
    with pytest.raises(DataError, match=r"give them together, e\.g\. " + re.escape(pattern)):
        read_stfmr(top)
    (top / "15dBm").mkdir()
    write(top / "15dBm" / "spectrum_8GHz.csv", "Field (mT),Vmix (uV)\n" + rows([h * 1e3, v], sep=","))
    with pytest.raises(DataError, match=r"give them together, e\.g\. \S*10GHz \S*12GHz "
                                        r"\S*15dBm \S*8GHz \("):
        read_stfmr(top)


def test_input_files_are_never_modified(tmp_path):
    h, v = planted()
    files = [
        write(tmp_path / "9GHz_1.lvm", "Frequency(GHz):9\nPower(dBm):3\n\n" + rows([h * 1e4, v])),
        write(tmp_path / "b_8GHz.csv", "Field (mT),Vmix (uV)\n" + rows([h * 1e3, v], sep=",")),
        write(tmp_path / "dup_7GHz.csv", "field_T,vmix_uV\n0.1,1\n0.1,2\n0.2,3\n0.3,4\n"),
    ]
    before = [(sha(p), p.stat().st_mtime_ns) for p in files]
    read_stfmr(files[:2])
    read_stfmr(files[2], allow_duplicates=True)
    with pytest.raises(DataError):
        read_stfmr(files[2])
    assert [(sha(p), p.stat().st_mtime_ns) for p in files] == before


def test_a_lone_number_before_the_data_is_not_data(tmp_path):
    p = write(tmp_path / "a_9GHz.txt", "# gain\n100\nfield_T vmix_uV\n0.1 2\n0.2 4\n0.3 5\n")
    with pytest.raises(DataError, match=r"a_9GHz\.txt: line 2 \('100'\) is neither"):
        read_stfmr(p)
    p = write(tmp_path / "b_9GHz.txt", "# field_T vmix_uV\n100\n0.1 2\n0.2 4\n0.3 5\n")
    with pytest.raises(DataError, match=r"b_9GHz\.txt: line 2 \('100'\) holds numbers"):
        read_stfmr(p)
    p = write(tmp_path / "c_9GHz.txt", "# n = 3\n# field_T vmix_uV\n0.1 2\n0.2 4\n0.3 5\n")
    d = read_stfmr(p)[0]
    assert d.meta["n"] == 3.0 and len(d) == 3


def test_read_table_keeps_header_and_line_numbers(tmp_path):
    p = write(tmp_path / "t.lvm", "A:1\nB: two words\n\n1\t2\n\n3\t4\n")
    t = read_table(p)
    assert t.header == {"A": "1", "B": "two words"}
    assert t.columns is None and t.delimiter == "\t"
    np.testing.assert_array_equal(t.data, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(t.lines, [4, 6])


# ----------------------------------------------------------------------------------------
# Real instrument files (skipped when the folder is absent)
# ----------------------------------------------------------------------------------------

def test_real_cofe_pt_lvm_files(real_data):
    files = sorted((real_data / "stfmr_cofe_pt").glob("*/*.lvm"))
    assert len(files) == 12
    before = [sha(p) for p in files]
    sw = read_stfmr(files)
    assert [sha(p) for p in files] == before
    assert len(sw) == len(files)
    for path, d in zip(files, sw):
        m = d.meta
        assert m["source"] == path.name
        # frequency from the header, and the file name agrees
        assert m["frequency"] == frequency_from_name(path.name) == m["Frequency(GHz)"]
        assert m["frequency_from"] == "header entry 'Frequency(GHz)'"
        assert m["power"] == m["Power(dBm)"] and 0 < m["power"] <= 20
        assert m["units_from"] == "lvm layout"
        # Oe -> T: sweeps of at most ~0.15 T (1525 Oe); V_mix of order uV
        assert 0.03 < np.max(np.abs(d.x)) < 0.16
        assert 1.0 < np.max(np.abs(d.y)) < 50.0
        assert np.all(np.diff(d.x) > 0)
        if path.parent.name.endswith("dev13"):
            # swept from + to -, both polarities, ~0.13 T at 9 GHz
            assert m["sweep_direction"] == "down"
            assert d.x.min() < -0.1 and d.x.max() > 0.1
        else:
            assert m["sweep_direction"] == "up"
            assert d.x.min() < -0.03
    by_name = {(p.parent.name, p.name): d for p, d in zip(files, sw)}
    assert all(d.meta["sample"] == p.parent.name for p, d in zip(files, sw))
    d = by_name[("CoFe-Pt_110521a_dev13", "9GHz_1.lvm")]
    assert d.meta["repeat"] == 1 and d.meta["frequency"] == 9.0 and d.meta["power"] == 9.0
    assert 0.131 < d.x.max() < 0.133 and len(d) == 261
    assert by_name[("CoFe-Pt_110521a_dev13", "8GHz_2.lvm")].meta["repeat"] == 2
    assert by_name[("CoFe-Pt_110521a_dev13", "9GHz.lvm")].meta["repeat"] == 0
    # dev11 at 3 and 8 GHz holds both polarities; at 6 and 9 GHz only the negative branch
    dev11 = {k[1]: v for k, v in by_name.items() if k[0] == "CoFe-Pt_102521a_dev11"}
    assert all(dev11[n].x.max() > 0.03 for n in ("3GHz.lvm", "8GHz.lvm"))
    assert all(dev11[n].x.max() < 0 for n in ("6GHz.lvm", "9GHz.lvm"))


def test_real_vmix_field_dat_files(real_data):
    folder = real_data / "stfmr_unlabelled_8_10ghz"
    files = sorted(folder.glob("*.dat"))
    assert len(files) == 3
    with pytest.raises(UnitError, match="field_unit='T', voltage_unit='V'"):
        read_stfmr(files[0])
    sw = read_stfmr(folder, field_unit="T", voltage_unit="V")
    assert sw.values("frequency") == [8.0, 9.0, 10.0]
    assert sw.values("power") == [10.0] * 3
    assert sw.values("repeat") == [0, 0, 0]
    for d in sw:
        assert len(d) == 1399
        assert d.x.min() == pytest.approx(-0.1398) and d.x.max() == pytest.approx(0.14)
        assert (d.x < 0).sum() == 699 and (d.x > 0).sum() == 700
        assert d.meta["sweep_direction_negative"] == "up"
        assert d.meta["sweep_direction_positive"] == "down"
        assert 1.0 < np.max(np.abs(d.y)) < 50.0  # uV


def test_real_files_through_sotfit_load(real_data):
    sw = sotfit.load(real_data / "stfmr_cofe_pt" / "CoFe-Pt_110521a_dev13")
    assert sorted(set(sw.values("frequency"))) == [8.0, 9.0, 10.0]
    assert sorted(sw.sel(frequency=8.0).values("repeat")) == [0, 1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_stfmr(real_data / "stfmr_unlabelled_8_10ghz", field_unit="T", voltage_unit="V")


def _extremum_field(d, pol):
    """|mu0 H| (T) of the largest |V_mix - median| on one branch (None if < 20 points)."""
    m = np.sign(d.x) == pol
    if m.sum() < 20:
        return None
    v = d.y[m] - np.median(d.y[m])
    return float(np.abs(d.x[m])[np.argmax(np.abs(v))])


def test_real_files_units_agree_with_kittel(real_data):
    """The unit rules give fields that obey the in-plane Kittel relation.

    f = (gamma/2pi) sqrt(H (H + Meff)) with the free-electron gamma/2pi (CONVENTIONS.md) gives
    Meff = (f / (gamma/2pi))^2 / H - H from each spectrum's resonance, estimated crudely by the
    extremum of V_mix (biased by at most the half width, ~5 mT). With the right units Meff comes
    out the same at every frequency and on both branches of one device, at the ~1.3-1.7 T of
    CoFe; a field unit off by 10 (Oe read as mT) would make Meff negative, one off by 1000 (T read
    as mT) would make it hundreds of T. The 3 GHz file is left out: its resonance, at ~6 mT, is
    not resolved from zero field.
    """
    gamma = sotfit.units.GAMMA_FREE_ELECTRON
    groups = {
        "dev13": read_stfmr(real_data / "stfmr_cofe_pt" / "CoFe-Pt_110521a_dev13"),
        "dev11": read_stfmr(real_data / "stfmr_cofe_pt" / "CoFe-Pt_102521a_dev11").where(
            lambda d: d.meta["frequency"] > 3),
        "dat": read_stfmr(real_data / "stfmr_unlabelled_8_10ghz", field_unit="T",
                          voltage_unit="V"),
    }
    for name, sw in groups.items():
        meff = []
        for d in sw:
            h = {p: _extremum_field(d, p) for p in (1, -1)}
            if h[1] is not None and h[-1] is not None:
                assert abs(h[1] - h[-1]) < 0.006, (name, d.source, h)  # +H/-H symmetry
            meff += [(d.meta["frequency"] / gamma) ** 2 / hp - hp for hp in h.values() if hp]
        meff = np.array(meff)
        assert len(meff) >= 3
        assert np.all((meff > 1.0) & (meff < 2.5)), (name, meff)
        assert meff.max() / meff.min() < 1.15, (name, meff)


def test_a_frequency_entry_without_unit_takes_the_unit_the_user_gives(tmp_path):
    """``frequency: 1e10`` (a run's metadata, SI by habit but not by rule) is an error that
    names the unit option; with ``frequency_unit='Hz'`` it is 10 GHz, and a unit that makes it
    no rf frequency is an error."""
    h, v = planted()
    p = write(tmp_path / "s.csv", "# frequency: 10000000000.0\nfield (T),vmix (uV)\n"
              + rows([h, v], sep=","))
    with pytest.raises(UnitError, match=r"has no unit .* give its unit with frequency_unit="):
        read_stfmr(p)
    d = read_stfmr(p, frequency_unit="Hz")[0]
    assert d.meta["frequency"] == 10.0
    check_planted(d, h, v)
    with pytest.raises(DataError, match="gives an rf frequency of 1e\\+10 GHz, outside"):
        read_stfmr(p, frequency_unit="GHz")


def test_a_frequency_entry_without_unit_is_named_with_the_unit_that_makes_it_rf(tmp_path):
    """A LabVIEW setting ``Frequency<TAB>4.500000E+09`` without a unit: the error named
    ``--column-unit frequency=GHz`` and ``'Frequency (GHz): ...'``, which read 4.5e9 GHz and
    was refused again; it names Hz, the unit in which the number is an rf frequency, as the
    error of a frequency column does. A number that is one in GHz keeps GHz."""
    h, v = planted()
    for value, unit in (("4.500000E+09", "Hz"), ("4500", "GHz"), ("9", "GHz")):
        p = write(tmp_path / "s.txt", f"Frequency\t{value}\nField (T)\tVmix (uV)\n"
                  + rows([h, v], sep="\t"))
        with pytest.raises(UnitError, match=rf"write it as 'Frequency \({unit}\): \.\.\.', give "
                                            rf"its unit with frequency_unit='{unit}'"):
            read_stfmr(p)
    p = write(tmp_path / "s.txt", "Frequency\t4.500000E+09\nField (T)\tVmix (uV)\n"
              + rows([h, v], sep="\t"))
    with pytest.raises(UnitError, match=r"\(its value is an rf frequency in Hz\)"):
        read_stfmr(p)
    assert read_stfmr(p, frequency_unit="Hz")[0].meta["frequency"] == pytest.approx(4.5)


def test_the_one_column_in_a_field_unit_is_the_field_but_a_voltage_is_never_taken_by_its_unit(
        tmp_path):
    """A field named by the instrument that read it (``probe_reading (mT)``) is the field when it
    is the only column in a field unit. V_mix is never taken by its unit alone: the one column in
    volts may be a lock-in's magnitude (its sign lost) or a power detector's reading, so a
    voltage named so is an error that names the option."""
    h, v = planted()
    r = write(tmp_path / "8GHz.csv", "probe_reading (mT),vmix (uV)\n"
              + rows([h * 1e3, v], sep=","))
    check_planted(read_stfmr(r)[0], h, v)
    p = write(tmp_path / "9GHz.csv", "probe_reading (mT),dmm_reading (uV)\n"
              + rows([h * 1e3, v], sep=","))
    with pytest.raises(DataError, match=r"no voltage column .*--column voltage=NAME|"
                                        r"no voltage column .*voltage_column="):
        read_stfmr(p)
    check_planted(read_stfmr(p, voltage_column="dmm_reading")[0], h, v)
    q = write(tmp_path / "7GHz.csv", "magnet current (A),compensation (uT),vmix (uV)\n"
              + rows([h, 0 * h + 3.0, v], sep=","))   # the current is swept, not the field
    with pytest.raises(DataError, match="no field column"):
        read_stfmr(q)


def test_a_frequency_after_a_number_and_an_underscore_says_its_other_reading(tmp_path):
    """'8_5GHz' is read as 5 GHz (the underscore separates tokens, as in 'dev2_10GHz'); a set
    named so became repeats at 5 GHz and the option that would say 8.5 GHz was refused ('the file
    name gives 5 GHz'). The reading is said in a warning naming the option, and the option
    giving 8.5 GHz settles it; a third value stays an error."""
    h = np.linspace(0.3, -0.3, 61)
    f = write(tmp_path / "8_5GHz.csv", "field (T),vmix (uV)\n" + rows([h, np.cos(20 * h)],
                                                                      sep=","))
    with pytest.warns(UserWarning, match=r"'8_5GHz' is read as 5 GHz .* if it means 8\.5 GHz"):
        (d,) = read_stfmr([f])
    assert d.meta["frequency"] == 5.0
    (d,) = read_stfmr([f], frequency={"8_5GHz.csv": 8.5})
    assert d.meta["frequency"] == 8.5
    (d,) = read_stfmr([f], frequency={"8_5GHz.csv": 5.0})
    assert d.meta["frequency"] == 5.0
    with pytest.raises(DataError, match="gives 5 GHz"):
        read_stfmr([f], frequency={"8_5GHz.csv": 7.0})
    g = write(tmp_path / "dev2_10GHz.csv", f.read_text())       # a device number: no warning
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (d,) = read_stfmr([g])
    assert d.meta["frequency"] == 10.0


def test_a_turning_field_written_twice_goes_one_to_each_sweep(tmp_path):
    """A sweep down and back up that writes its turning field twice (-217.586 mT, -217.586 mT)
    split with split_sweeps, then stopped on 'field value -217.586 mT appears 2 times' (the
    repeat needed allow_duplicates as well, which averaged the two readings). One reading goes
    to each sweep."""
    down = np.round(np.linspace(0.2, -0.2, 41), 6)
    up = down[::-1]
    h = np.concatenate([down, up])               # the turning field -0.2 written twice
    v = np.arange(h.size, dtype=float)
    p = write(tmp_path / "9GHz.csv", "field (T),vmix (uV)\n" + rows([h, v], sep=","))
    sw = read_stfmr(p, split_sweeps=True)
    assert len(sw) == 2
    for d in sw:
        assert np.unique(d.x).size == d.x.size == 41
        assert d.x.min() == -0.2
    assert sorted(float(d.y[np.argmin(d.x)]) for d in sw) == [40.0, 41.0]


@pytest.mark.parametrize("entry, f", [("RF: 10 GHz", 10.0), ("MW: 9.5GHz", 9.5),
                                      ("RF (GHz): 8", 8.0)])
def test_a_source_entry_with_a_frequency_unit_gives_the_frequency(tmp_path, entry, f):
    """'RF: 10 GHz' and 'MW: 10 GHz' were 'no rf frequency found' (only 'RF (GHz): 10' was read);
    'RF: 15 dBm', a power, is not a frequency."""
    h = np.linspace(0.3, -0.3, 31)
    body = "field (T),vmix (uV)\n" + rows([h, np.cos(20 * h)], sep=",")
    (d,) = read_stfmr(write(tmp_path / "spectrum.csv", f"# {entry}\n" + body))
    assert d.meta["frequency"] == f
    with pytest.raises(DataError, match="no rf frequency found"):
        read_stfmr(write(tmp_path / "power.csv", "# RF: 15 dBm\n" + body))


def test_a_frequency_sweep_and_fields_in_no_order_are_named_as_such(tmp_path):
    """A frequency sweep at a fixed field (a field column of one value) was told to round its
    frequencies to set values, and rows in random field order to use --split-sweeps (which then
    failed on sweeps of a few points): each error says what the file is."""
    f = np.linspace(2.0, 20.0, 73)
    p = write(tmp_path / "fsweep.csv", "Frequency (GHz),Field (mT),Vmix (uV)\n"
              + rows([f, np.full(f.size, 100.0), np.cos(f)], sep=","))
    with pytest.raises(DataError, match=r"a frequency sweep at a fixed field\. sotfit fits "
                                        r"field sweeps at fixed frequencies"):
        read_stfmr(p)
    h = np.random.default_rng(0).permutation(np.linspace(-0.3, 0.3, 240))
    q = write(tmp_path / "10GHz.csv", "field (T),vmix (uV)\n" + rows([h, np.cos(10 * h)], sep=","))
    with pytest.raises(DataError, match=r"the rows are in no sweep order .* read them in field order with sort_field=True"):
        read_stfmr(q)


def test_no_frequency_names_the_per_file_option(tmp_path, capsys):
    """'dev1_6.5G_15dBm.txt' gives no frequency the reader takes: the message named only the
    global --frequency 9GHz, where each file needs its own, --frequency FILE=6.5GHz."""
    p = tmp_path / "dev1_6.5G_15dBm.txt"
    p.write_text("Field (mT)\tVmix (uV)\n" + "".join(f"{h}\t{0.1 * h}\n" for h in range(-50, 50)))
    with pytest.raises(DataError, match=r"frequency=\{'dev1_6\.5G_15dBm\.txt': '9GHz', \.\.\.\}"):
        read_stfmr([p])
    assert main(["stfmr", str(p), "--out", str(tmp_path / "o")]) == 2
    assert "--frequency dev1_6.5G_15dBm.txt=9GHz for this one" in capsys.readouterr().err


@pytest.mark.parametrize("name, header", [("py_pt_10GHz.csv", ""), ("py_pt.csv", "# RF frequency: 10 GHz\n")])
def test_a_frequency_column_against_the_files_own_frequency_is_refused(tmp_path, name, header):
    """A file named py_pt_10GHz.csv (or with '# RF frequency: 10 GHz') whose frequency column
    says 8 was read at 8 GHz, exit 0, no word: the two statements of the file are asked about,
    and the option says which holds."""
    rows = "\n".join(f"8.0,{h},{0.1 * np.exp(-((h - 80) / 5) ** 2):.6f}"
                     for h in range(40, 121, 2))
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    write(path, header + "Frequency (GHz),Field (mT),Vmix (uV)\n" + rows + "\n")
    with pytest.raises(DataError, match=r"gives 8 GHz but the .* gives 10 GHz: one of them is stale"):
        read_stfmr(path)
    (d,) = read_stfmr(path, frequency={path.name: 10.0})
    assert d.meta["frequency"] == 10.0
    assert any("column 'Frequency (GHz)' (column 0) (8 GHz) not read" in n
               for n in d.meta.get("reader_notes", ()))
    # a column that agrees with the name (a synthesizer's read-back) is read as before
    write(path, header + "Frequency (GHz),Field (mT),Vmix (uV)\n"
          + rows.replace("8.0,", "10.0001,") + "\n")
    (d,) = read_stfmr(path)
    assert d.meta["frequency"] == pytest.approx(10.0001)


@pytest.mark.parametrize("name, angle", [
    ("py_pt_8GHz_tilt_5deg.csv", None), ("py_pt_8GHz_polar_90deg.csv", None),
    ("oop_10deg_8GHz.csv", None), ("tilt_angle_5deg", None), ("polar_angle_90deg", None),
    ("out_of_plane_10deg", None), ("tilted_by_5deg", None), ("theta_H=85deg", None),
    ("5deg_tilt", None), ("Py_45deg.csv", 45.0), ("tilt_5deg_phi_30deg.csv", 30.0),
    ("rot_30deg_8GHz.csv", 30.0), ("angle_45deg_tilt_2deg.csv", 45.0),
    ("theta_30deg_8GHz.csv", 30.0),     # theta: the in-plane angle of Liu et al. 2011
])
def test_an_angle_named_for_another_axis_is_not_the_field_angle(name, angle):
    """'..._tilt_5deg' (and a folder 'oop_tilt_5deg', 'tilt_angle_5deg') was read as the
    in-plane field angle: the torques 4 times too large, and the flag of the assumed 45 deg
    gone."""
    assert angle_from_name(name) == angle


@pytest.mark.parametrize("key, f", [("MW frequency", 10.0), ("SG freq", 10.0), ("Max frequency", None),
                                    ("LO frequency", None), ("Start frequency", None),
                                    ("Filter cutoff frequency", None)])
def test_a_sweeps_limit_or_a_local_oscillators_frequency_is_not_the_rf_frequency(tmp_path, key, f):
    """'Max frequency: 20 GHz' or 'LO frequency: 7.9 GHz' in a header was taken as the rf
    frequency when nothing else gave one (a spectrum fitted at the wrong frequency, no flag)."""
    path = write(tmp_path / "spectrum.csv", f"# {key}: 10 GHz\nfield_T,vmix_uV\n"
                 + "\n".join(f"{0.05 + 0.001 * i:.3f},{0.1 * np.sin(i):.4f}" for i in range(40)) + "\n")
    if f is None:
        with pytest.raises(DataError, match="no rf frequency found"):
            read_stfmr(path)
    else:
        assert read_stfmr(path)[0].meta["frequency"] == f


@pytest.mark.parametrize("footer", [["Measurement finished at 14:35:12", "Points: 720"],
                                    ["Mean,0.0100", "Std,0.3000"]])
def test_a_footer_of_words_and_numbers_is_not_read(tmp_path, footer):
    """A footer whose lines begin with a word but hold numbers ('Points: 720', 'Mean,0.0100')
    was refused as a row of the wrong length or a cell that is not a number."""
    from bundled import SPECTRUM

    path = write(tmp_path / SPECTRUM.name, SPECTRUM.read_text() + "\n".join(footer) + "\n")
    (d,), (ref,) = read_stfmr(path), read_stfmr(SPECTRUM)
    assert np.array_equal(d.x, ref.x) and np.array_equal(d.y, ref.y)
    assert any("a footer" in n for n in d.meta.get("reader_notes", ()))


@pytest.mark.parametrize("column", ["frequency", "frequency (Hz)"])
def test_a_lockins_oscillator_column_beside_the_rf_frequency_of_the_name(tmp_path, column):
    """A Zurich Instruments export: 'field_mT;x;y;r;phase;frequency' with the lock-in's
    oscillator at 1713 (Hz) and the rf frequency in the file name. Every advice led to another
    error, and '--column-unit frequency=GHz' read the spectrum at 1713 GHz. A column that is
    the name's frequency in no unit, or no rf frequency at all, is not read (noted)."""
    rows = "\n".join(f"{h};{0.1 * np.exp(-((h - 80) / 5) ** 2):.6e};0;0;0;1713.0"
                     for h in range(40, 121, 2))
    path = write(tmp_path / "zi_sweep_8GHz.csv",
                 f"% LabOne 23.06 export, demod 1\nfield_mT;x (V);y (V);r (V);phase;{column}\n"
                 + rows + "\n")
    (d,) = read_stfmr(path, lockin_channels=("x (V)", "y (V)"))
    assert d.meta["frequency"] == 8.0
    assert any("not read" in n and column in n for n in d.meta.get("reader_notes", ()))
    # a column of no unit that is the name's frequency in some unit is still asked about
    write(path, "field_mT;x (V);y (V);r (V);phase;frequency\n"
          + rows.replace(";1713.0", ";8000.0") + "\n")
    with pytest.raises(ValueError, match="has no unit"):
        read_stfmr(path, lockin_channels=("x (V)", "y (V)"))


def test_a_frequency_column_against_a_folder_name_or_a_non_rf_entry_is_read(tmp_path):
    """The check of a frequency column against the file's own frequency refused files of a
    frequency series in a folder 'fsweep_1GHz_steps', and a column beside '# AM frequency:
    1713 Hz': neither is the file's rf frequency."""
    rows = "\n".join(f"8.0,{h},{0.1 * np.exp(-((h - 80) / 5) ** 2):.6f}"
                     for h in range(40, 121, 2))
    folder = tmp_path / "fsweep_1GHz_steps"
    folder.mkdir()
    a = write(folder / "run_01.csv", "Frequency (GHz),Field (mT),Vmix (uV)\n" + rows + "\n")
    b = write(tmp_path / "run_02.csv", "# AM frequency: 1713 Hz\nFrequency (GHz),Field (mT),"
              "Vmix (uV)\n" + rows + "\n")
    for path in (a, b):
        (d,) = read_stfmr(path)
        assert d.meta["frequency"] == 8.0


def test_a_header_entry_written_twice_with_two_values_is_not_read_silently(tmp_path):
    """'# f = 8 GHz' then '# f = 10 GHz': the first was the frequency without a word. Now the
    entry that gives a quantity is an error naming both lines unless an option gives it; a key
    written twice with one value, or another key written twice, is read as before (the latter
    with a note)."""
    body = "Field (mT),Vmix (uV)\n" + "".join(
        f"{h:.1f},{1.0 / (1.0 + ((h - 100.0) / 4.0) ** 2):.6f}\n" for h in range(50, 300))
    two = tmp_path / "two.csv"
    two.write_text("# f = 8 GHz\n# f = 10 GHz\n# field_angle_deg: 45\n" + body)
    with pytest.raises(DataError, match=r"two\.csv: the header entry 'f' that gives the "
                                        r"frequency is written more than once with different "
                                        r"values \(line 1: '8 GHz'; line 2: '10 GHz'\)"):
        read_stfmr([two])
    with pytest.warns(UserWarning, match=r"'f' is written more than once.*not used"):
        (d,) = read_stfmr([two], frequency=10.0)
    assert d.meta["frequency"] == 10.0
    same = tmp_path / "same.csv"
    same.write_text("# f = 8 GHz\n# f = 8 GHz\n" + body)
    assert read_stfmr([same])[0].meta["frequency"] == 8.0
    other = tmp_path / "other.csv"
    other.write_text("# f = 8 GHz\n# Time: 10:00\n# Time: 10:05\n" + body)
    (d,) = read_stfmr([other])
    assert d.meta["frequency"] == 8.0
    assert any("written again with another value" in n and "'Time' at line 2" in n
               for n in d.meta.get("reader_notes", ())), d.meta.get("reader_notes")
