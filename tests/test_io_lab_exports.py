"""Text exports as other laboratories' programs write them, read as the numbers of the same
sweep written plainly: Origin's header rows with a settings cell in its comments row, a title
and remarks above LabVIEW's column names, a footer line after the data. Each is named in a
note; nothing else around it changes."""

from pathlib import Path

import numpy as np
import pytest

from sotfit.data import DataError
from sotfit.io import read_stfmr
from sotfit.io.text import read_table
from sotfit.units import UnitError

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example" / "py_pt_8GHz.csv"


def _sweep() -> np.ndarray:
    return read_table(EXAMPLE).data


def _body(d: np.ndarray, delimiter: str = "\t") -> str:
    return "".join(f"{a:.6f}{delimiter}{b:.6f}\r\n" for a, b in d)


def test_origin_header_rows_with_the_frequency_in_the_comments_row(tmp_path):
    """Short names, long names, units and a comments row holding ``f = 8 GHz`` (Origin's four
    header rows; the comments row used to stop the reader at line 1): the units join the
    names and the setting is a header entry that gives the frequency."""
    d = _sweep()
    p = tmp_path / "PyPt_bar3.dat"
    p.write_bytes(("Field\tVmix\r\nMagnetic Field\tMixing Voltage\r\nmT\t\u00b5V\r\n"
                   "\tf = 8 GHz\r\n" + _body(d)).encode("cp1252"))
    t = read_table(p)
    assert t.columns == ("Magnetic Field (mT)", "Mixing Voltage (\u00b5V)")
    assert t.header == {"f": "8 GHz"} and np.allclose(t.data, d, rtol=0, atol=5e-7)
    assert any("the settings of line 4 ('f = 8 GHz') read as header entries" in n for n in t.notes)
    (s,) = read_stfmr([p])
    assert s.meta["frequency"] == 8.0 and np.allclose(s.x, d[:, 0] * 1e-3, rtol=0, atol=1e-9)


def test_a_title_and_remarks_above_the_column_names_are_free_text(tmp_path):
    """LabVIEW writes a title, settings and remarks above the column names: the settings are
    header entries, the lines of one cell of prose are named as free text (they stopped the
    reader), and so are lines of several cells of text that are not as many as the columns (an
    instrument's make, model and serial number); a line of prose below the column names, or a
    line above them with a number among its cells, still does."""
    d = _sweep()
    head = ("ST-FMR measurement\nSample: Py(6nm)/Pt(6nm) bar 3\n"
            "Lock-in SR830, time constant 100 ms, sensitivity 10 uV\nField (mT)\tVmix (uV)\n")
    p = tmp_path / "8GHz_sweep01.dat"
    p.write_text(head + _body(d))
    t = read_table(p)
    assert t.columns == ("Field (mT)", "Vmix (uV)") and t.header == {"Sample": "Py(6nm)/Pt(6nm) bar 3"}
    assert np.allclose(t.data, d, rtol=0, atol=5e-7)
    assert any(n.startswith("line(s) 1, 3 above the column names read as free text")
               for n in t.notes)
    q = tmp_path / "below.dat"
    q.write_text("Field (mT)\tVmix (uV)\nST-FMR measurement\n" + _body(d))
    with pytest.raises(DataError, match=r"below\.dat: line 2 \('ST-FMR measurement'\)"):
        read_table(q)
    r = tmp_path / "cells.dat"
    r.write_text("ST-FMR\tmeasurement\tof bar 3\nField (mT)\tVmix (uV)\n" + _body(d))
    t = read_table(r)
    assert t.columns == ("Field (mT)", "Vmix (uV)") and np.allclose(t.data, d, rtol=0, atol=5e-7)
    assert any(n.startswith("line(s) 1 above the column names read as free text") for n in t.notes)
    r.write_text("Run\t12\tof bar 3\nField (mT)\tVmix (uV)\n" + _body(d))
    with pytest.raises(DataError, match=r"cells\.dat: line 1"):
        read_table(r)


def test_a_footer_line_after_the_data_is_not_read(tmp_path):
    """``END`` after the last row (it was an error: 1 value for 2 columns), and a last line
    that begins with a word below rows that begin with numbers (``points: 724``, it was an
    error too, leaving no way but to edit the file); a last line that begins with a number is
    still a row of the data and its error names it."""
    d = _sweep()
    p = tmp_path / "8GHz.txt"
    p.write_text("Field (mT)\tVmix (uV)\n" + _body(d) + "END\n")
    t = read_table(p)
    assert np.allclose(t.data, d, rtol=0, atol=5e-7) and t.lines[-1] == len(d) + 1
    assert any(f"line(s) {len(d) + 2} after the data ('END') not read" in n for n in t.notes)
    q = tmp_path / "9GHz.txt"
    q.write_text("Field (mT)\tVmix (uV)\n" + _body(d) + "points: 724\n")
    t = read_table(q)
    assert np.allclose(t.data, d, rtol=0, atol=5e-7)
    assert any(f"line(s) {len(d) + 2} after the data ('points: 724') not read: lines that begin "
               "with a word" in n for n in t.notes)
    r = tmp_path / "10GHz.txt"
    r.write_text("Field (mT)\tVmix (uV)\n" + _body(d) + "724\tabc\n")
    with pytest.raises(DataError, match=rf"10GHz\.txt: line {len(d) + 2}"):
        read_table(r)


@pytest.mark.parametrize("entry, ghz", [
    ("# MW frequency [Hz]: 8e9", 8.0), ("# Microwave frequency (GHz): 8.5", 8.5),
    ("# SG frequency: 9 GHz", 9.0), ("# f_RF = 10 GHz", 10.0), ("# MW freq = 7.5 GHz", 7.5),
    ("# RF (GHz): 11", 11.0)])
def test_the_rf_frequency_under_an_instruments_name(tmp_path, entry, ghz):
    """A header entry naming the source of the rf (a microwave generator, a signal generator)
    gives the frequency as 'Frequency' does (these gave 'no rf frequency found'); a lock-in's
    reference or modulation frequency beside it is not taken, nor the source's power."""
    d = _sweep()
    p = tmp_path / "scan005.csv"
    p.write_text(f"{entry}\n# Lock-in reference frequency (Hz): 1713\n# Modulation freq: 97 Hz\n"
                 "# RF (dBm): 15\n"
                 "Field (mT),Vmix (uV)\n" + _body(d, ","))
    (s,) = read_stfmr([p])
    assert s.meta["frequency"] == pytest.approx(ghz, rel=1e-12)


@pytest.mark.parametrize("entry", ["# AM frequency: 137 Hz", "# Chopper frequency: 1.7 kHz",
                                   "# Source frequency: 137 Hz"])
def test_a_modulation_beside_the_rf_frequency_is_not_the_rf_frequency(tmp_path, entry):
    """Amplitude-modulated ST-FMR: 'AM frequency: 137 Hz' beside 'MW frequency: 4 GHz' was
    refused as two entries that could give the frequency. An entry named for a modulation, or
    one outside the rf band while another lies in it, gives none."""
    d = _sweep()
    p = tmp_path / "s0.txt"
    p.write_text(f"{entry}\n# MW frequency: 4 GHz\nField (mT)\tVmix (uV)\n" + _body(d))
    (s,) = read_stfmr([p])
    assert s.meta["frequency"] == 4.0


def test_the_frequency_option_settles_several_header_entries(tmp_path):
    """Two entries that could each give the rf frequency are an error that asks for the
    option; the option then settles it (it did not: the same error came back), with a warning
    naming the entries not used."""
    d = _sweep()
    p = tmp_path / "s0.txt"
    p.write_text("# SG frequency: 5 GHz\n# MW frequency: 4 GHz\nField (mT)\tVmix (uV)\n"
                 + _body(d))
    with pytest.raises(DataError, match=r"several header entries could give the frequency: "
                                        r"'SG frequency' \(line 1\), 'MW frequency' \(line 2\); "
                                        r"pass frequency="):
        read_stfmr([p])
    for given in ("4GHz", {"s0.txt": 4.0}):
        with pytest.warns(UserWarning, match=r"s0\.txt: header entries 'SG frequency' \(line 1\), "
                                             r"'MW frequency' \(line 2\) could each give the "
                                             r"frequency; not used: frequency="):
            (s,) = read_stfmr([p], frequency=given)
        assert s.meta["frequency"] == 4.0


def test_the_frequency_of_each_file_given_on_the_command_line(tmp_path, capsys):
    """Files whose names and headers give no frequency take one per file with --frequency
    FILE=FREQ (as --field-angle does); one value for every file and one per file together,
    or a file that is not among those read, are errors naming the option."""
    import json

    from sotfit.cli import main

    runs = {}
    for n, ghz in enumerate((8, 10, 12, 14)):
        src = EXAMPLE.with_name(f"py_pt_{ghz}GHz.csv")
        lines = [ln for ln in src.read_text().splitlines() if not ln.startswith("#")]
        p = tmp_path / f"run{n:02d}.txt"
        p.write_text("\n".join(lines) + "\n")
        runs[p] = ghz
    given = [x for p, ghz in runs.items() for x in ("--frequency", f"{p.name}={ghz}GHz")]
    out = tmp_path / "out"
    assert main(["stfmr", *map(str, runs), *given, "--no-figures", "--out", str(out)]) == 0
    spectra = json.loads((out / "summary.json").read_text())["spectra"]
    assert {s["source"]: s["frequency"]["value"] for s in spectra} == \
        {p.name: float(ghz) for p, ghz in runs.items()}
    assert main(["stfmr", *map(str, runs), *given, "--frequency", "9GHz", "--no-figures",
                 "--out", str(tmp_path / "b")]) == 2
    assert "--frequency: give one value for every file" in capsys.readouterr().err
    assert main(["stfmr", *map(str, runs), *given, "--frequency", "other.txt=9GHz",
                 "--no-figures", "--out", str(tmp_path / "c")]) == 2
    assert "other.txt" in capsys.readouterr().err


def _same_as_one_file_per_frequency(tmp_path, wide, freqs, field_mT, spectra):
    """Assert that the spectra of the wide table ``wide`` are, to the bit and in order of
    frequency, those of one plain file per frequency; returns the latter."""
    singles = []
    for f, s in zip(freqs, spectra):
        p = tmp_path / f"one_{f:g}GHz.csv"
        p.write_text("Field (mT),Vmix (uV)\n" + "".join(f"{a!r},{b!r}\n" for a, b in
                                                         zip(field_mT.tolist(), s.y.tolist())))
        singles.append(p)
    got, want = read_stfmr([wide]), read_stfmr(singles)
    assert [d.meta["frequency"] for d in got] == list(freqs)
    for a, b in zip(got, want):
        assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    return want


def test_a_wide_table_of_one_voltage_column_per_frequency(tmp_path):
    """``Field (mT), V_8GHz (uV), V_10GHz (uV), ...``: one field column and one V_mix column per
    frequency, named by it (it was 'no voltage column', or 'several columns could be the
    voltage'), read as the spectra of one file per frequency are, to the bit."""
    from stfmr_synth import spectrum

    freqs = (8.0, 10.0, 12.0)
    spectra = [spectrum(f, h_max=0.3, n=401, seed=k) for k, f in enumerate(freqs)]
    field_mT = spectra[0].x * 1e3
    cols = ["Field (mT)"] + [f"Vmix_{f:g}GHz (uV)" for f in freqs]
    rows = np.column_stack([field_mT] + [s.y for s in spectra])
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(cols) + "\n" + "".join(",".join(repr(float(v)) for v in r) + "\n"
                                                    for r in rows))
    got, want = read_stfmr([wide]), _same_as_one_file_per_frequency(tmp_path, wide, freqs,
                                                                      field_mT, spectra)
    for a in got:
        assert a.source == f"wide.csv [Vmix_{a.meta['frequency']:g}GHz (uV)]"
    # one column picked by name gives its frequency, which an option may not contradict (it
    # was 'no rf frequency found', and --frequency 8GHz labelled the 12 GHz line 8 GHz)
    (one,) = read_stfmr([wide], voltage_column="Vmix_12GHz (uV)", field_column="Field (mT)")
    assert one.meta["frequency"] == 12.0 and np.array_equal(one.y, got[2].y)
    with pytest.raises(DataError, match=r"'Vmix_12GHz \(uV\)' gives 12 GHz but .* 8 GHz"):
        read_stfmr([wide], voltage_column="Vmix_12GHz (uV)", frequency="8GHz")
    # columns named by a setting in Hz without a unit (``f=8.0e+09``): the row was read as
    # header entries (one 'f'), then 'no column header row'; without a unit of V_mix the error
    # asks for it
    hz = tmp_path / "wide_hz.csv"
    hz.write_text(",".join(["Field (mT)"] + [f"f={f * 1e9:.1e}" for f in freqs]) + "\n"
                  + wide.read_text().split("\n", 1)[1])
    with pytest.raises(UnitError, match=r"'f=8\.0e\+09' \(column 1\) \(voltage\) has no unit"):
        read_stfmr([hz])
    for a, b in zip(read_stfmr([hz], voltage_unit="uV"), want):
        assert a.meta["frequency"] == b.meta["frequency"]
        assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    # two columns of one frequency (a lock-in's X and Y) are not a wide table
    xy = tmp_path / "xy.csv"
    xy.write_text("Field (mT),X_8GHz (uV),Y_8GHz (uV)\n" + "".join(
        f"{a!r},{b!r},0.0\n" for a, b in zip(field_mT.tolist(), spectra[0].y.tolist())))
    with pytest.raises(DataError, match="xy.csv: no voltage column"):
        read_stfmr([xy])


def test_a_wide_table_with_other_columns_and_blank_cells(tmp_path):
    """A wide table with a time, a temperature or an rf-power column beside the field and the
    voltages was refused ('no voltage column among ...', and naming one column read one
    spectrum); one whose voltage columns are blank outside each frequency's own sweep was
    refused ('missing ... remove those rows', which would drop the other frequencies). Both are
    read as one file per frequency is, to the bit; a voltage column of no frequency still
    makes the table no wide table, and a gap inside a sweep is still an error."""
    from stfmr_synth import spectrum

    freqs = (8.0, 10.0, 12.0)
    spectra = [spectrum(f, h_max=0.3, n=401, seed=k) for k, f in enumerate(freqs)]
    field_mT = spectra[0].x * 1e3
    cols = (["Time (s)", "Field (mT)"] + [f"Vmix_{f:g}GHz (uV)" for f in freqs]
            + ["Temperature (K)", "RF power (dBm)"])
    time = np.arange(field_mT.size) * 0.5
    rows = np.column_stack([time, field_mT] + [s.y for s in spectra]
                           + [np.full(field_mT.size, 295.0), np.full(field_mT.size, 15.0)])
    wide = tmp_path / "wide_extra.csv"
    wide.write_text(",".join(cols) + "\n" + "".join(",".join(repr(float(v)) for v in r) + "\n"
                                                    for r in rows))
    _same_as_one_file_per_frequency(tmp_path, wide, freqs, field_mT, spectra)

    # each frequency measured over its own part of the shared field column
    kept = [slice(0, 300), slice(60, 380), slice(101, 401)]
    blank = tmp_path / "wide_blank.csv"
    lines = []
    for i, h in enumerate(field_mT):
        cells = [repr(float(h))] + [repr(float(s.y[i])) if k.start <= i < k.stop else ""
                                    for s, k in zip(spectra, kept)]
        lines.append(",".join(cells))
    blank.write_text(",".join(["Field (mT)"] + [f"Vmix_{f:g}GHz (uV)" for f in freqs]) + "\n"
                     + "\n".join(lines) + "\n")
    got = read_stfmr([blank])
    assert [d.meta["frequency"] for d in got] == list(freqs)
    for d, f, s, k in zip(got, freqs, spectra, kept):
        one = tmp_path / f"part_{f:g}GHz.csv"
        one.write_text("Field (mT),Vmix (uV)\n" + "".join(
            f"{a!r},{b!r}\n" for a, b in zip(field_mT[k].tolist(), s.y[k].tolist())))
        (want,) = read_stfmr([one])
        assert np.array_equal(d.x, want.x) and np.array_equal(d.y, want.y)
    gap = tmp_path / "wide_gap.csv"
    text = blank.read_text().splitlines()
    text[150] = ",".join(text[150].split(",")[:1] + [""] * 3)
    gap.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match="wide_gap.csv"):
        read_stfmr([gap])
    # a voltage of no frequency beside them: not a wide table (the columns must be named)
    other = tmp_path / "other_v.csv"
    other.write_text("Field (mT),Vmix_8GHz (uV),V (uV)\n" + "".join(
        f"{a!r},{b!r},0.0\n" for a, b in zip(field_mT.tolist(), spectra[0].y.tolist())))
    with pytest.raises(DataError):
        read_stfmr([other])


def test_commas_padded_with_tabs_are_the_separator(tmp_path):
    """``1.200000\\t,\\t-0.079840\\t`` then ``\\t1.195000\\t,\\t...`` (a LabVIEW spreadsheet
    string with the delimiter ``\\t,\\t``, a tab before every line but the first, a blank line
    at the end; it was 'no numeric data rows found'): the numbers of the same table written
    plainly, and a note."""
    d = _sweep()
    padded = tmp_path / "AZ12_f10GHz.csv"
    padded.write_text("".join(("\t" if k else "") + f"{a:.6f}\t,\t{b:.6f}\t\n"
                              for k, (a, b) in enumerate(d)) + "\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("".join(f"{a:.6f},{b:.6f}\n" for a, b in d))
    t, u = read_table(padded), read_table(plain)
    assert t.columns is None and np.array_equal(t.data, u.data)
    assert np.allclose(t.data, d, rtol=0, atol=5e-7)
    assert any("padded with tabs (from line 1: '" in n for n in t.notes)
    semi = tmp_path / "semi.txt"
    semi.write_text("Field (mT)\t;\tVmix (uV)\n" + "".join(f"{a:.6f}\t;\t{b:.6f}\n" for a, b in d))
    s = read_table(semi)
    assert s.columns == ("Field (mT)", "Vmix (uV)") and np.array_equal(s.data, u.data)
    # without a header row the field is named by its index alone (it was 'column column 0')
    twice = tmp_path / "twice_10GHz.csv"
    twice.write_text("".join(f"\t{a:.6f}\t,\t{b:.6f}\t\n" for a, b in np.repeat(d, 2, axis=0)))
    with pytest.raises(DataError, match=r"repeated in the field, column 0\. sotfit does not"):
        read_stfmr([twice], field_column=0, voltage_column=1, field_unit="mT",
                   voltage_unit="uV", frequency="10GHz")


def test_origin_curves_of_one_long_name_told_apart_by_their_comments(tmp_path):
    """Origin's export of one field column and three curves, each of long name 'Mixing
    Voltage' and unit uV, with the frequency only in the comments row its legend shows (it was
    'several columns could be the voltage'): a wide table, to the bit the spectra of one file
    per frequency. Columns of names of their own never take a comment in."""
    from stfmr_synth import spectrum

    freqs = (8.0, 10.0, 12.0)
    spectra = [spectrum(f, h_max=0.3, n=401, seed=k) for k, f in enumerate(freqs)]
    field_mT = spectra[0].x * 1e3
    rows = np.column_stack([field_mT] + [s.y for s in spectra])
    head = ("Field\tVmix\tVmix\tVmix\r\nMagnetic Field\tMixing Voltage\tMixing Voltage\t"
            "Mixing Voltage\r\nmT\t\u00b5V\t\u00b5V\t\u00b5V\r\n\t8 GHz\t10 GHz\t12 GHz\r\n")
    wide = tmp_path / "wide_origin.dat"
    wide.write_bytes((head + "".join("\t".join(repr(float(v)) for v in r) + "\r\n"
                                     for r in rows)).encode("cp1252"))
    t = read_table(wide)
    assert t.columns == ("Magnetic Field (mT)", "Mixing Voltage 8 GHz (\u00b5V)",
                         "Mixing Voltage 10 GHz (\u00b5V)", "Mixing Voltage 12 GHz (\u00b5V)")
    assert any("the comments on line 4 ('8 GHz', '10 GHz', '12 GHz') tell the columns of one "
               "name apart" in n for n in t.notes)
    _same_as_one_file_per_frequency(tmp_path, wide, freqs, field_mT, spectra)
    # comments that do not tell the twins apart, or columns with names of their own: not read
    same = tmp_path / "same.dat"
    same.write_text(head.replace("\t10 GHz\t12 GHz", "\t8 GHz\t8 GHz") + "1\t2\t3\t4\r\n" * 5)
    assert read_table(same).columns[1:] == ("Mixing Voltage (\u00b5V)",) * 3
    own = tmp_path / "own.dat"
    own.write_text("Field\tVmix\r\nMagnetic Field\tMixing Voltage\r\nmT\t\u00b5V\r\n"
                   "\tsample A\r\n" + "1\t2\r\n" * 5)
    assert read_table(own).columns == ("Magnetic Field (mT)", "Mixing Voltage (\u00b5V)")


def _igor(waves: str, rows, commands: str = "") -> str:
    return ("IGOR\r" + f"WAVES/D\t{waves}\rBEGIN\r"
            + "".join("\t" + "\t".join(repr(float(v)) for v in r) + "\r" for r in rows)
            + "END\r" + commands).replace("\r", "\r\n")


def test_igor_text_files(tmp_path):
    """Igor Pro's Igor Text (``.itx``: ``IGOR``, ``WAVES``, ``BEGIN`` ... ``END``, ``X SetScale``
    commands; it was "line 3 ('BEGIN') should be the column header row"): the waves are the
    columns, with their units; a wave on a uniform field grid gets its x values from its x
    scaling; a wave's note gives settings; blocks of as many points are read side by side.
    The numbers are those of the same sweep written plainly, to the bit."""
    d = _sweep()
    plain = tmp_path / "plain_8GHz.csv"
    plain.write_text("Field (mT),Vmix (uV)\n" + "".join(f"{a!r},{b!r}\n" for a, b in d.tolist()))
    (want,) = read_stfmr([plain])
    units = 'X SetScale d 0,0,"mT", Field; SetScale d 0,0,"\u00b5V", Vmix\r'
    one = tmp_path / "sweep_8GHz.itx"
    one.write_bytes(_igor("Field\tVmix", d, units).encode("cp1252"))
    t = read_table(one)
    assert t.columns == ("Field (mT)", "Vmix (\u00b5V)") and np.array_equal(t.data, d)
    assert t.lines[0] == 4 and any(n.startswith("an Igor Text file: waves") for n in t.notes)
    (got,) = read_stfmr([one])
    assert np.array_equal(got.x, want.x) and np.array_equal(got.y, want.y)
    # one wave on a uniform grid, its x scaling in mT, the frequency in its note
    x0, dx, n = -150.0, 0.5, 601
    grid = x0 + dx * np.arange(n)
    v = np.interp(grid, d[::-1, 0] if d[0, 0] > d[-1, 0] else d[:, 0],
                  d[::-1, 1] if d[0, 0] > d[-1, 0] else d[:, 1])
    scaled = tmp_path / "scaled.itx"
    scaled.write_text(_igor("Vmix", v[:, None], f'X SetScale/P x {x0},{dx},"mT", Vmix; '
                                                 'SetScale d 0,0,"uV", Vmix\rX Note Vmix, '
                                                 '"f = 8 GHz; P = 10 dBm"\r'))
    t = read_table(scaled)
    assert t.columns == ("x (mT)", "Vmix (uV)") and t.header["f"] == "8 GHz"
    assert np.allclose(t.data[:, 0], grid, rtol=0, atol=1e-12)
    (s,) = read_stfmr([scaled])
    assert s.meta["frequency"] == 8.0 and s.meta["power"] == 10.0 and s.x.size == n
    # two blocks of as many points: side by side; of different lengths: refused, named
    two = tmp_path / "two_8GHz.itx"
    two.write_text(_igor("Field", d[:, :1]) + _igor("Vmix", d[:, 1:], units).split("\r\n", 1)[1])
    (b,) = read_stfmr([two])
    assert np.array_equal(b.x, want.x) and np.array_equal(b.y, want.y)
    bad = tmp_path / "bad.itx"
    bad.write_text(_igor("Field", d[:10, :1]) + _igor("Vmix", d[:, 1:]).split("\r\n", 1)[1])
    with pytest.raises(DataError, match=r"bad\.itx: its blocks of waves have different numbers "
                                        r"of points \(Field: 10, Vmix: 720\)"):
        read_table(bad)
    matrix = tmp_path / "matrix.itx"
    matrix.write_text(_igor("M", d).replace("WAVES/D", "WAVES/D/N=(720,2)"))
    with pytest.raises(DataError, match=r"matrix\.itx: line 2 holds a wave of two or more "
                                        r"dimensions"):
        read_table(matrix)


def test_origin_xy_pairs_with_the_frequency_under_the_curve_alone(tmp_path):
    """Origin's XY pairs of several sweeps, ``Magnetic Field, Mixing Voltage`` once per sweep,
    the frequency in the comments row under each curve and the x column's comment blank (or
    one comment for every x column): each x column takes the comment of its curve, and the
    pairs are the spectra of one file per frequency, to the bit. It was 'several columns
    could be the field', whose --column field=NAME could name none of six columns of one
    name."""
    from stfmr_synth import spectrum

    freqs = (8.0, 10.0, 12.0)
    spectra = [spectrum(f, h_max=0.3, n=401, seed=k) for k, f in enumerate(freqs)]
    field_mT = spectra[0].x * 1e3
    rows = np.column_stack([c for s in spectra for c in (field_mT, s.y)])
    for x_comment in ("", "set point"):
        head = ("Magnetic Field,Mixing Voltage," * 3)[:-1] + "\r\n" + ("Oe,\u00b5V," * 3)[:-1] \
            + "\r\n" + ",".join(f"{x_comment},{f:g} GHz" for f in freqs) + "\r\n"
        wide = tmp_path / "xy_pairs.csv"
        wide.write_bytes((head + "".join(
            ",".join(repr(float(v * 10.0)) if k % 2 == 0 else repr(float(v))
                     for k, v in enumerate(r)) + "\r\n" for r in rows)).encode("cp1252"))
        t = read_table(wide)
        assert t.columns[:2] == ("Magnetic Field 8 GHz (Oe)", "Mixing Voltage 8 GHz (\u00b5V)")
        assert any("column(s) 1, 3, 5 ('Magnetic Field'), the x of an XY pair" in n
                   for n in t.notes)
        got = read_stfmr([wide])
        assert [d.meta["frequency"] for d in got] == list(freqs)
        for d, s in zip(got, spectra):       # the reader sorts the field ascending
            up = np.argsort(s.x)
            assert np.allclose(d.x, s.x[up], rtol=1e-12, atol=0)
            assert np.array_equal(d.y, s.y[up])
    # a curve's comment that does not tell the curves apart gives the x columns none
    same = tmp_path / "same.csv"
    same.write_text("Magnetic Field,Mixing Voltage,Magnetic Field,Mixing Voltage\n"
                    "Oe,uV,Oe,uV\n,8 GHz,,8 GHz\n" + "1,2,3,4\n" * 5)
    assert read_table(same).columns == ("Magnetic Field (Oe)", "Mixing Voltage (uV)") * 2


def test_a_units_row_with_units_of_time_and_temperature_beside_the_data(tmp_path):
    """A LabVIEW log's units row under ``Time, Field, Vmix, T`` that gives the time stamp and
    the temperature units sotfit reads in no column (``sec``, ``min``, ``hh:mm:ss``, ``°C``,
    ``mW``): read as a units row, the numbers those of the plain file. It was refused, its
    column names 'neither a key: value header ... nor the column header row', no option
    named. A row of such units alone, with no unit sotfit reads, is still no units row."""
    d = _sweep()
    plain = tmp_path / "plain_8GHz.txt"
    plain.write_text("Field (mT)\tVmix (uV)\r\n" + _body(d))
    (want,) = read_stfmr([plain])
    for time_unit, temp_unit in (("sec", "\u00b0C"), ("min", "K"), ("hh:mm:ss", "mW")):
        log = tmp_path / f"log_{time_unit.replace(':', '')}_8GHz.txt"
        log.write_bytes(("Time\tField\tVmix\tT\r\n"
                         f"{time_unit}\t\u00b5T\tnV\t{temp_unit}\r\n"
                         + "".join(f"12:00:{k % 60:02d}\t{a * 1e3:.3f}\t{b * 1e3:.3f}\t21.5\r\n"
                                   for k, (a, b) in enumerate(d))).encode("utf-8"))
        (got,) = read_stfmr([log])
        assert np.allclose(got.x, want.x, rtol=1e-12, atol=0)
        assert np.allclose(got.y, want.y, rtol=1e-12, atol=0)
        assert any(f"'\u00b5T', 'nV', '{temp_unit}') read with the column names on line 1" in n
                   for n in got.meta["reader_notes"])   # the column of text left out
    alone = tmp_path / "alone_8GHz.txt"
    alone.write_text("Time\tDuration\r\nsec\tmin\r\n" + _body(d))
    with pytest.raises(DataError, match=r"line 1 \('Time\\tDuration'\) is neither"):
        read_table(alone)


def test_the_frequency_in_the_origin_comment_of_the_voltage_column(tmp_path):
    """Origin's comments row under one curve, as its legend shows it (``8 GHz``, or
    ``Py/Pt bar 3 at 8 GHz``; it was 'no rf frequency found'): the V_mix column's comment gives
    the frequency as its name would, checked against the other sources."""
    d = _sweep()
    head = "Field\tVmix\r\nMagnetic Field\tMixing Voltage\r\nmT\t\u00b5V\r\n\t{}\r\n"
    for comment in ("8 GHz", "Py/Pt bar 3 at 8 GHz, 10 dBm"):
        p = tmp_path / "Book1_A.dat"
        p.write_bytes((head.format(comment) + _body(d)).encode("cp1252"))
        t = read_table(p)
        assert t.column_comments == ("", comment)
        assert any(f"line 4 holds the columns' comments ({comment!r})" in n for n in t.notes)
        (s,) = read_stfmr([p])
        assert s.meta["frequency"] == 8.0
        assert s.meta["frequency_from"] == f"column label 'Mixing Voltage (\u00b5V) [comment {comment}]'"
    with pytest.raises(DataError, match=r"8 GHz.*9 GHz|9 GHz.*8 GHz"):
        read_stfmr([p], frequency="9GHz")
    q = tmp_path / "Book1_B.dat"
    q.write_bytes((head.format("sample A") + _body(d)).encode("cp1252"))
    with pytest.raises(DataError, match="no rf frequency found"):
        read_stfmr([q])
