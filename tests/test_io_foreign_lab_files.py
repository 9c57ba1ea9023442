"""Files as other labs' instruments and programs write them, read through the command line or
refused with a message that names the option that reads them: a quoted column name holding the
delimiter, a jittery field read-back, multimeter cells with a unit after the number, a
frequency in a file name with an underscore between its digits, field units mixed up, and
unit spellings outside the SI prefixes."""

import csv

import numpy as np
import pytest

from bundled import ROOT
from sotfit.cli import main
from sotfit.io import read_stfmr

EXAMPLE = ROOT / "data" / "stfmr_example"


@pytest.fixture(scope="module")
def spectrum():
    """(field in mT, V_mix in uV) of the bundled 8 GHz example spectrum."""
    data = np.loadtxt(EXAMPLE / "py_pt_8GHz.csv", delimiter=",", comments="#", skiprows=4)
    return data[:, 0], data[:, 1]


def _write_csv(path, names, *columns):
    """A CSV file as Python's csv module (and pandas, R, a spreadsheet) writes it: every name
    in double quotes."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow(names)
        w.writerows(zip(*columns))
    return path


def test_a_quoted_column_name_holding_a_comma_is_one_name(tmp_path, spectrum, capsys):
    """'"Vmix (uV, lock-in X)"' was split at its comma by the ST-FMR and table readers (3 names
    for 2 columns, the advice to separate the names with the data's delimiter, which they
    are), while the harmonic Hall reader read it."""
    h, v = spectrum
    f = _write_csv(tmp_path / "8GHz.csv", ["Field (mT)", "Vmix (uV, lock-in X)"], h, v)
    hall = _write_csv(tmp_path / "rotation.csv", ["Angle (deg)", "I (mA, rms)", "V2w (V)"],
                      [0.0, 90.0, 180.0], [1.5, 1.5, 1.5], [1e-6, 0.0, -1e-6])
    assert main(["tables", str(f), str(hall)]) == 0
    out = capsys.readouterr().out
    assert "column  Vmix (uV, lock-in X)" in out and "column  I (mA, rms)" in out
    (d,) = read_stfmr(f, voltage_unit="uV")
    assert np.array_equal(d.x, h * 1e-3) and np.allclose(d.y, v, rtol=1e-12, atol=0)
    assert d.meta["frequency"] == 8.0


def test_a_lock_in_output_named_in_the_unit_brackets_is_read_without_options(tmp_path, spectrum,
                                                                           capsys):
    """'Field (mT),Vmix (uV, lock-in X)' unquoted was refused (3 names for 2 columns), and the
    name quoted needed --voltage-unit uV (the lock-in output after the unit's comma was an
    unknown unit). Both read in uV now; the X and Y outputs of one lock-in, named so, are read
    with --lockin-channels naming them, commas and all; a word that may change the unit
    ('uV, rms') is still not read as the unit alone."""
    h, v = spectrum
    plain = _spectrum_file(tmp_path / "plain_8GHz.csv", h, v, "Field (mT),Vmix (uV, lock-in X)")
    assert main(["tables", str(plain)]) == 0
    assert "column  Vmix (uV, lock-in X)  [uV: voltage]" in capsys.readouterr().out
    for f in (plain, _write_csv(tmp_path / "quoted_8GHz.csv",
                                ["Field (mT)", "Vmix (uV, lock-in X)"], h, v)):
        (d,) = read_stfmr(f)
        assert np.allclose(d.y, v, rtol=1e-12, atol=0) and d.meta["frequency"] == 8.0
    rng = np.random.default_rng(5)
    y = rng.normal(0.0, 1e-3, h.size)
    pair = tmp_path / "pair_8GHz.csv"
    pair.write_text("Field (mT),Vmix (uV, lock-in X),Vmix (uV, lock-in Y)\n"
                    + "".join(f"{a:.5f},{b:.6f},{c:.6f}\n" for a, b, c in zip(h, v, y)))
    (d,) = read_stfmr(pair, lockin_channels="Vmix (uV, lock-in X),Vmix (uV, lock-in Y)")
    assert abs(d.meta["lockin_phase"]) < 1.0            # deg: the signal is in X
    out = tmp_path / "o"
    assert main(["stfmr", str(pair), "--no-figures", "--no-global", "--out", str(out),
                 "--lockin-channels", "Vmix (uV, lock-in X),Vmix (uV, lock-in Y)"]) == 0
    capsys.readouterr()
    rms = _spectrum_file(tmp_path / "rms_8GHz.csv", h, v, "Field (mT),Vmix (uV, rms)")
    assert main(["stfmr", str(rms), "--no-figures", "--out", str(tmp_path / "r")]) == 2
    assert "unknown unit" in capsys.readouterr().err


@pytest.mark.parametrize("comment, gain", [("gain_2w\t100", "100"), ("preamp gain, 100", "100"),
                                           ("Gain 1f: 10", "10"), ("voltage gain, 20", "20"),
                                           ("lowpass filter, gain 24 dB/oct", None),
                                           # settings of other instruments: no voltage gain
                                           ("antenna gain, 3 dBi", None),
                                           ("ALC loop gain, 0.3", None), ("servo gain, 2", None),
                                           ("feedback gain, 0.2", None),
                                           ("heater gain, 50", None)])
def test_a_gain_comment_with_its_harmonic_or_a_comma_is_asked_about(tmp_path, spectrum,
                                                                     comment, gain):
    """'# gain_2w<TAB>100' and '# preamp gain, 100' above a spectrum were read past: V_mix and
    every torque 100 times too large, without a word. They ask for --voltage-gain now; a
    filter's roll-off (24 dB/oct) is no gain, and a gain after a comma is a voltage's only where
    the words before it name an amplifier or a voltage (settings lists of antennas, loops,
    servos and heaters asked for --voltage-gain)."""
    from sotfit.data import DataError

    h, v = spectrum
    f = tmp_path / "8GHz.csv"
    f.write_text(f"# {comment}\nField (mT),Vmix (uV)\n"
                 + "".join(f"{a:.5f},{b:.6f}\n" for a, b in zip(h, v)))
    if gain is None:
        (d,) = read_stfmr(f)
        assert np.allclose(d.y, v, rtol=1e-6, atol=0)
        return
    with pytest.raises(DataError, match=rf"amplifier gain '{gain}'.*voltage_gain='{gain}'"):
        read_stfmr(f)


def _spectrum_file(path, field, v, header="Field (mT),Vmix (uV)"):
    """A CSV file of one spectrum as a logging program writes it (``%.5f``)."""
    path.write_text(header + "\n" + "".join(f"{a:.5f},{b:.6f}\n" for a, b in zip(field, v)))
    return path


def test_a_jittery_field_read_back_is_told_apart_from_separate_sweeps(tmp_path, spectrum,
                                                                       capsys):
    """A gaussmeter read-back that jumps ahead once by three field steps was refused as
    '3 sweeps' with --split-sweeps, which then failed (sweeps of 2 points); the message names
    --sort-field, which reads it. A sweep up and down, and two sweeps up one after the other,
    still name --split-sweeps."""
    h, v = spectrum
    rng = np.random.default_rng(3)
    jittery = h + rng.normal(0.0, 0.02, h.size)
    jittery[300] += 1.0                                 # three steps of 0.3 mT ahead, then back
    f = _spectrum_file(tmp_path / "8GHz.csv", jittery, v)
    assert main(["stfmr", str(f), "--no-figures", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "read its rows in field order with --sort-field" in err
    assert "not 2 sweeps" in err and "--split-sweeps would cut it at each step back" in err
    (d,) = read_stfmr(f, sort_field=True)
    assert np.allclose(d.x, np.sort(np.round(jittery, 5)) * 1e-3, rtol=1e-12, atol=0)
    half = h.size // 2
    up_down = np.concatenate([h[half:], h[half:][::-1]])
    twice_up = np.concatenate([h[half:], h[half:]])
    for name, field in (("updown", up_down), ("twice", twice_up)):
        f = _spectrum_file(tmp_path / f"{name}_8GHz.csv", field, np.resize(v[half:], field.size))
        assert main(["stfmr", str(f), "--no-figures", "--out", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert "with --split-sweeps" in err and "--sort-field" not in err, err


def test_multimeter_cells_with_their_unit_after_the_number(tmp_path, spectrum, capsys):
    """'-1.234567E-06VDC' in every cell (a Keithley multimeter with its unit element on) made
    the column text, left out, and the hint --column voltage=Reading then matched no column;
    the cells are read as numbers in their unit, written into the column's name."""
    h, v = spectrum
    f = tmp_path / "8GHz.csv"
    f.write_text("Field (mT),Reading,Current,Resistance\n" + "".join(
        f"{a:.5f},{b * 1e-6:+.6E}VDC,{1.5e-3:+.6E}ADC,{12.5:+.6E}OHM\n" for a, b in zip(h, v)))
    assert main(["tables", str(f)]) == 0
    out = capsys.readouterr().out
    for column in ("Reading (VDC)  [V: voltage]", "Current (ADC)  [A: current]",
                   "Resistance (OHM)  [Ohm: resistance]"):
        assert f"column  {column}" in out, out
    (d,) = read_stfmr(f, voltage_column="Reading")
    assert np.allclose(d.x, h * 1e-3, rtol=1e-12, atol=0)
    assert np.allclose(d.y, np.round(v, 6), rtol=1e-6, atol=0)      # uV, to the digits written
    f.write_text(f.read_text().replace("Reading", "Reading (mV)", 1))
    assert main(["stfmr", str(f), "--column", "voltage=Reading", "--no-figures",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "column 'Reading (mV)' writes the unit 'mV' in its name but 'VDC'" in err
    f.write_text(f.read_text().replace("Reading (mV)", "Reading", 1).replace("VDC", "XYZ"))
    assert main(["stfmr", str(f), "--column", "voltage=Reading", "--no-figures",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "left that column out as text" in err and "numbers with a unit after them" in err


def test_unit_mix_ups_are_named_with_the_option_that_reads_the_file(tmp_path, capsys):
    """A spectrum whose field is in Oe under 'Field (mT)' deviated from the Kittel fit by
    +900 % 'an unsaturated magnetisation at low field, or a different mode?'; fields in mT
    headed kA/m gave a g blamed on 'few or only low frequencies'. Both name the unit mix-up and
    --override-unit field=UNIT now; other deviations and g keep their wording."""
    import json

    from sotfit.analysis.stfmr.checks import field_unit_slip, g_outside_ferromagnets

    folder = tmp_path / "in"
    folder.mkdir()
    for src in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        text = src.read_text()
        if src.name == "py_pt_12GHz.csv":       # the field written in Oe under the same header
            lines = text.splitlines()
            at = next(i for i, ln in enumerate(lines) if ln.startswith("Field"))
            lines[at + 1:] = [f"{10 * float(a):.4f},{b}" for a, b in
                              (ln.split(",") for ln in lines[at + 1:])]
            text = "\n".join(lines) + "\n"
        (folder / src.name).write_text(text)
    assert main(["stfmr", str(folder), "--no-global", "--no-figures",
                 "--out", str(tmp_path / "o")]) == 0
    notes = json.loads((tmp_path / "o" / "summary.json").read_text())["notes"]
    (note,) = [n for n in notes if "py_pt_12GHz.csv: resonance field" in n]
    assert "fields in Oe headed mT read 10 times their value" in note
    assert "--override-unit field=Oe" in note and "unsaturated" not in note
    g = {"value": 2.1 / (4 * np.pi / 10), "stderr": 0.002}      # mT headed kA/m
    assert "--override-unit field=mT" in g_outside_ferromagnets(g, "kA/m")
    assert "--override-unit" not in g_outside_ferromagnets(g, "mT")
    assert field_unit_slip(1.3, "mT") is None and field_unit_slip(1e-3, "mT").endswith("field=T")


def test_a_prefix_letter_in_the_wrong_case_is_read_with_a_note(tmp_path, spectrum):
    """'Field (KOe)' was read as kOe without a word, though prefixes are case-sensitive: 'K'
    is no SI prefix, so it cannot be misread; read as kOe, noted."""
    h, v = spectrum
    f = _spectrum_file(tmp_path / "8GHz.csv", h / 100.0, v, "Field (KOe),Vmix (uV)")
    (d,) = read_stfmr(f)
    assert np.allclose(d.x, h * 1e-3, rtol=0, atol=1e-6)        # kOe to five decimals
    assert any("unit 'KOe' read as kOe: 'K' is no SI prefix" in n
               for n in d.meta["reader_notes"])
    g = _spectrum_file(tmp_path / "10GHz.csv", h / 100.0, v, "Field (kOe),Vmix (uV)")
    assert "reader_notes" not in read_stfmr(g)[0].meta


def test_a_frequency_name_with_an_underscore_is_named_by_the_kittel_deviation(tmp_path, capsys):
    """'8_5GHz.csv' is read as 5 GHz (the underscore separating tokens, as in 'run_2_10GHz',
    which sets of numbered runs write), with a reader note; where the Kittel fit then finds
    the spectrum off, its deviation named 'an unsaturated magnetisation at low field, or a
    different mode?' only. It names the file name's other reading and the option now."""
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    for src in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        text = "".join(ln for ln in src.read_text().splitlines(True)
                       if not ln.startswith("# frequency"))
        name = "py_pt_8_5GHz.csv" if src.name == "py_pt_8GHz.csv" else src.name
        (folder / name).write_text(text)
    assert main(["stfmr", str(folder), "--no-global", "--no-figures",
                 "--out", str(tmp_path / "o")]) == 0
    said = json.loads((tmp_path / "o" / "summary.json").read_text())["notes"]
    off = [n for n in said if n.startswith("py_pt_8_5GHz.csv: resonance field")]
    assert len(off) == 1
    assert ("the file name's '8_5GHz' was read as 5 GHz; if it means 8.5 GHz, give "
            "--frequency py_pt_8_5GHz.csv=8.5GHz") in off[0]
    assert not any("was read as" in n for n in said if n.startswith("py_pt_10GHz.csv"))
