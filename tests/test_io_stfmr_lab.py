"""ST-FMR files as labs write them: multi-entry headers, side-by-side column pairs, a
jittering field read-back, lock-in X/Y channels, and errors that name the command-line option.

Every file is written to ``tmp_path`` from spectra with planted values, made with the
project's lineshapes (``sotfit.models.lineshapes``) and the in-plane Kittel relation; the
reader must give back those numbers exactly (units, frequencies) or, where it estimates
something (the lock-in phase, a fitted resonance), within two standard errors.
"""

import json
import warnings

import numpy as np
import pytest

from sotfit import DataError
from sotfit.analysis.stfmr_spectra import fit_spectrum
from sotfit.cli import main
from sotfit.io import read_stfmr, read_table
from sotfit.io.stfmr import (JITTER_SIGMAS, angle_from_name, frequency_from_name, lockin_phase,
                             power_from_name, repeat_from_name)
from sotfit.io.text import header_entries
from sotfit.models import MODELS
from sotfit.models.lineshapes import mixing_voltage, mixing_voltage_derivative
from sotfit.units import UnitError

from stfmr_synth import TRUTH, spectrum

DERIVATIVE = MODELS["stfmr_derivative"]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def table_text(cols, sep="\t", fmt="{:.10g}"):
    return "".join(sep.join(fmt.format(c) for c in r) + "\n" for r in zip(*cols))


def two_column(h_T, v_uV):
    """A planted two-column body in mT and uV, with its header row."""
    return "Field (mT)\tVmix (uV)\n" + table_text([h_T * 1e3, v_uV])


def lorentzian(h_res=0.05, width=0.004, n=81):
    h = np.linspace(0.1, -0.1, n)
    return h, np.sign(h) * mixing_voltage(np.abs(h), h_res, width, 2.0, 1.0) + 0.3


# ----------------------------------------------------------------------------------------
# 1. Headers as labs write them
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, entries", [
    ("RF frequency = 4.000 GHz ; field in-plane at 45 deg to the current ; lock-in (AM) "
     "detection", [("RF frequency", "4.000 GHz")]),
    ("f: 9 GHz, P = 10 dBm, phi (deg) = 30", [("f", "9 GHz"), ("P", "10 dBm"),
                                              ("phi (deg)", "30")]),
    ("Date: Mon, 15 Nov 2021, 11:28 AM", [("Date", "Mon, 15 Nov 2021, 11:28 AM")]),
    ("measured by the night shift", []),
    ("Frequency(GHz):9.000000E+0", [("Frequency(GHz)", "9.000000E+0")]),
])
def test_header_entries_split_on_semicolons_and_entry_commas(text, entries):
    assert header_entries(text) == entries


@pytest.mark.parametrize("line, f", [
    ("# RF frequency = 4.000 GHz ; field in-plane at 45 deg to the current ; lock-in (AM) "
     "detection", 4.0),
    ("# frequency = 4 GHz", 4.0),
    ("# frequency: 4000 MHz", 4.0),
    ("# frequency(GHz): 4", 4.0),
    ("# Frequency (GHz) = 4.0 (set point)", 4.0),
    ("RF frequency: 4.000 GHz; power: 3 dBm", 4.0),
])
def test_frequency_from_header_lines_as_labs_write_them(tmp_path, line, f):
    h, v = lorentzian()
    p = write(tmp_path / "sweep.txt", line + "\n" + two_column(h, v))
    d = read_stfmr(p)[0]
    assert d.meta["frequency"] == f
    np.testing.assert_allclose(d.x, np.sort(h), rtol=1e-12)


def test_several_entries_free_text_and_their_lines(tmp_path):
    h, v = lorentzian()
    head = ("# Date: Mon, 15 Nov 2021, 11:28 AM\n"
            "# RF frequency = 4.000 GHz ; field in-plane at 45 deg to the current ; lock-in "
            "(AM) detection\n"
            "# note: measured twice\n"
            "RF power: 10 dBm, field angle (deg): 45\n")
    p = write(tmp_path / "s.txt", head + two_column(h, v))
    t = read_table(p)
    assert t.header_lines == {"Date": 1, "RF frequency": 2, "note": 3, "RF power": 4,
                              "field angle (deg)": 4}
    m = read_stfmr(p)[0].meta
    assert (m["frequency"], m["power"], m["field_angle"]) == (4.0, 10.0, 45.0)
    assert m["Date"] == "Mon, 15 Nov 2021, 11:28 AM" and m["note"] == "measured twice"
    # free text about the angle is not read as one
    q = write(tmp_path / "t.txt", "# f = 4 GHz ; field in-plane at 45 deg\n" + two_column(h, v))
    assert "field_angle" not in read_stfmr(q)[0].meta


@pytest.mark.parametrize("line, what", [
    ("# RF frequency = four GHz ; lock-in detection", "is not a frequency"),
    ("# frequency: 4 furlongs", "unknown unit 'furlongs'"),
    ("# frequency: 4 GHz to 5 GHz", "is not a frequency"),
    ("# frequency (GHz): 4000 MHz", "two different units"),
])
def test_recognised_header_entry_that_cannot_be_read(tmp_path, line, what):
    h, v = lorentzian()
    p = write(tmp_path / "bad.txt", "# sample: A\n" + line + "\n" + two_column(h, v))
    with pytest.raises(DataError, match=rf"bad\.txt: header entry .*\(line 2\).*{what}.*"
                                        r"frequency="):
        read_stfmr(p)
    with pytest.raises(DataError, match=r"\(line 2\).*--frequency 9GHz"):
        read_stfmr(p, option_style="cli")
    with pytest.warns(UserWarning, match=r"line 2.*using frequency=4"):
        assert read_stfmr(p, frequency=4)[0].meta["frequency"] == 4.0


def test_unreadable_power_or_angle_entry_is_an_error_too(tmp_path):
    h, v = lorentzian()
    p = write(tmp_path / "a_9GHz.txt", "# power: high\n" + two_column(h, v))
    with pytest.raises(DataError, match=r"a_9GHz\.txt: header entry 'power' = 'high' \(line 1\) "
                                        r"is not a power.*--power 10dBm"):
        read_stfmr(p, option_style="cli")
    q = write(tmp_path / "b_9GHz.txt", "# field angle: left\n" + two_column(h, v))
    with pytest.raises(DataError, match=r"\(line 1\) is not a angle.*field_angle="):
        read_stfmr(q)


@pytest.mark.parametrize("name, f, p, a, r", [
    ("2pf_10.0_GHz", 10.0, None, None, 0), ("x_10_GHz_5_dBm_45_deg.csv", 10.0, 5.0, 45.0, 0),
    ("test1_13G_8dmb_0.1V_005", None, None, None, 5), ("test1_16GHz_8dbm_0.1_002", 16.0, 8.0,
                                                       None, 2),
])
def test_quantities_in_names_with_underscores_and_without_extension(name, f, p, a, r):
    assert frequency_from_name(name) == f
    assert power_from_name(name) == p
    assert angle_from_name(name) == a
    assert repeat_from_name(name) == r


# ----------------------------------------------------------------------------------------
# 2. Side-by-side column pairs (LabVIEW / Origin)
# ----------------------------------------------------------------------------------------

def side_by_side(path, blocks, blank_after=(4,), cut_rows=True):
    """Write ``[(label, h_Oe, v_V), ...]`` as tab-separated column pairs of unequal length.

    Both columns of a pair carry the label; a blank row follows the header and the rows in
    ``blank_after`` (one empty, one of tabs only); with ``cut_rows`` a row stops after its
    last value (as some exporters write), else it keeps empty cells to the end.
    """
    lines = ["\t".join(lab for lab, *_ in blocks for _ in range(2)), ""]
    for i in range(max(len(h) for _, h, _ in blocks)):
        cells = []
        for _, h, v in blocks:
            cells += [f"{h[i]:.10g}", f"{v[i]:.10g}"] if i < len(h) else ["", ""]
        row = "\t".join(cells)
        lines.append(row.rstrip("\t") if cut_rows else row)
        if i in blank_after:
            lines += ["", "\t" * (2 * len(blocks) - 1)]
    return write(path, "\n".join(lines) + "\n")


def planted_blocks(freqs=(12.5, 8.0, 10.0), lengths=(90, 151, 120)):
    out = []
    for f, n in zip(freqs, lengths):
        d = spectrum(f, n=n, seed=int(f * 10))
        out.append((f"2pf_{f:.1f}_GHz", d.x * 1e4, d.y * 1e-6))  # Oe, V
    return out


@pytest.mark.parametrize("cut_rows", [True, False])
def test_side_by_side_pairs_of_unequal_length(tmp_path, cut_rows):
    blocks = planted_blocks()
    p = side_by_side(tmp_path / "vsd.csv", blocks, cut_rows=cut_rows)
    sw = read_stfmr(p, field_unit="Oe", voltage_unit="V")
    assert sw.values("frequency") == [8.0, 10.0, 12.5]  # by frequency, not column order
    by_f = {float(lab.split("_")[1]): (lab, h, v) for lab, h, v in blocks}
    for d in sw:
        lab, h, v = by_f[d.meta["frequency"]]
        assert d.meta["source"] == f"vsd.csv [{lab}]" and d.meta["block"] == lab
        assert d.meta["frequency_from"] == f"column label {lab!r}"
        assert d.meta["units_from"] == "option" and len(d) == len(h)
        order = np.argsort(h)
        np.testing.assert_allclose(d.x, h[order] * 1e-4, rtol=1e-9)
        np.testing.assert_allclose(d.y, v[order] * 1e6, rtol=1e-8, atol=1e-9)
    assert read_table(p).blocks == (("2pf_12.5_GHz", 0, 1), ("2pf_8.0_GHz", 2, 3),
                                    ("2pf_10.0_GHz", 4, 5))


def test_side_by_side_errors_name_file_pair_and_option(tmp_path):
    blocks = planted_blocks()
    p = side_by_side(tmp_path / "vsd.csv", blocks)
    with pytest.raises(UnitError, match=r"vsd\.csv: '2pf_12\.5_GHz' \(column 0\) \(field\) has "
                                        r"no unit.*side-by-side.*--field-unit Oe --voltage-unit V"):
        read_stfmr(p, option_style="cli")
    with pytest.raises(DataError, match=r"side-by-side.*--column frequency=NAME does not apply"):
        read_stfmr(p, field_unit="Oe", voltage_unit="V", frequency_column=1,
                   option_style="cli")
    # a pair with a missing value in the middle (not at its end)
    text = p.read_text().splitlines()
    cells = text[5].split("\t")
    cells[3] = ""
    text[5] = "\t".join(cells)
    q = write(tmp_path / "hole.csv", "\n".join(text) + "\n")
    with pytest.raises(DataError, match=r"hole\.csv: '2pf_8\.0_GHz' \(column 3\) \(V_mix\) has 1 "
                                        r"missing.*line\(s\) \[6\].*--column voltage=NAME"):
        read_stfmr(q, field_unit="Oe", voltage_unit="V", option_style="cli")
    # a labelled frequency that disagrees with the file name
    r = side_by_side(tmp_path / "all_9GHz.csv", blocks[:1])
    with pytest.raises(DataError, match=r"column label '2pf_12\.5_GHz' gives 12\.5 GHz but the "
                                        "file name gives 9 GHz"):
        read_stfmr(r, field_unit="Oe", voltage_unit="V")


def test_side_by_side_file_end_to_end_recovers_kittel(tmp_path):
    freqs = (5.0, 7.0, 9.0, 12.0)
    blocks = planted_blocks(freqs, lengths=(241, 221, 201, 181))
    (tmp_path / "in").mkdir()
    p = side_by_side(tmp_path / "in" / "pairs.csv", blocks)
    out = tmp_path / "out"
    rc = main(["stfmr", str(p), "--field-unit", "Oe", "--voltage-unit", "V", "--no-global",
               "--no-figures", "--out", str(out)])
    assert rc == 0
    s = json.loads((out / "summary.json").read_text())
    assert len(s["spectra"]) == 4 and not s["failures"]
    seq = s["sequential"]
    for name, key in (("mu0_meff", "meff"), ("gyromagnetic_ratio", "gyromagnetic_ratio")):
        q = seq[name]
        assert abs(q["value"] - TRUTH[key]) < 2 * q["stderr"], (name, q)


# ----------------------------------------------------------------------------------------
# 3. A field read-back that jitters
# ----------------------------------------------------------------------------------------

H_RES_G, WIDTH_G = 4000.0, 8.0


def readback(n=301, step=0.5, noise=0.3, start=3925.0, seed=0):
    """A programmed up-sweep in G plus Gaussian read-back noise: steps back within the noise."""
    rng = np.random.default_rng(seed)
    return start + step * np.arange(n) + rng.normal(0.0, noise, n)


def derivative_signal(h_G, seed=1, noise=0.02):
    """A field-derivative lineshape (uV) at the read-back fields, with white noise."""
    rng = np.random.default_rng(seed)
    return (mixing_voltage_derivative(h_G * 1e-4, H_RES_G * 1e-4, WIDTH_G * 1e-4, 1.0, 2.0)
            + 0.1 + rng.normal(0.0, noise, h_G.size))


def fmr_file(path, h_G, v_uV):
    return write(path, "# frequency: 11 GHz\nField (G)\tV (uV)\n" + table_text([h_G, v_uV]))


def test_jittering_readback_is_one_sweep_sorted_and_fits(tmp_path):
    h = readback()
    assert np.sum(np.diff(h) < 0) > 10  # the read-back steps back many times
    v = derivative_signal(h)
    d = read_stfmr(fmr_file(tmp_path / "jitter.txt", h, v))[0]
    assert len(d) == h.size and np.all(np.diff(d.x) > 0)
    assert d.meta["sweep_direction"] == "up" and d.meta["segment"] == 0
    assert d.meta["field_jitter_points"] > 10
    assert d.meta["field_jitter_max"] < JITTER_SIGMAS * 0.3e-4
    assert d.meta["field_readback_noise"] == pytest.approx(0.3e-4, rel=0.25)
    assert any("jitters" in n for n in d.meta["reader_notes"])
    fit = fit_spectrum(d, model=DERIVATIVE)
    for key, truth in (("h_res", H_RES_G * 1e-4), ("width", WIDTH_G * 1e-4)):
        q = fit.combined[key]
        assert abs(q.nominal_value - truth) < 2 * q.std_dev, (key, q)


def test_jitter_at_the_start_and_at_the_end_of_a_sweep(tmp_path):
    h = readback(seed=3)
    h[1] = h[0] - 0.07  # the first step goes back, as a Hall probe settles
    h[-1] = h[-2] - 0.2  # and so does the last
    d = read_stfmr(fmr_file(tmp_path / "ends.txt", h, derivative_signal(h)))[0]
    assert d.meta["sweep_direction"] == "up" and len(d) == h.size


@pytest.mark.parametrize("style, option", [("python", "split_sweeps=True"),
                                           ("cli", "--split-sweeps")])
def test_real_reversal_of_a_noisy_readback_is_split(tmp_path, style, option):
    up = readback(n=200, seed=4)
    down = readback(n=150, seed=5, start=up[-1] - 0.5, step=-0.5)
    h = np.concatenate([up, down])
    p = fmr_file(tmp_path / "loop.txt", h, derivative_signal(h))
    with pytest.raises(DataError) as e:
        read_stfmr(p, option_style=style)
    msg = str(e.value)
    assert "loop.txt at 11 GHz: the field sweep reverses direction" in msg
    assert "'Field (G)' (column 0)" in msg and "read-back noise" in msg and option in msg
    other = "--split-sweeps" if style == "python" else "split_sweeps=True"
    assert other not in msg
    sw = read_stfmr(p, split_sweeps=True)
    assert sw.values("segment") == [0, 1] and sw.values("sweep_direction") == ["up", "down"]
    assert abs(len(sw[0]) - 200) <= 3 and len(sw[0]) + len(sw[1]) == h.size


def test_slow_turn_at_the_end_is_a_reversal_however_small(tmp_path):
    h = readback(seed=6)
    h = np.concatenate([h, h[-1] - 0.1 * np.arange(1, 7)])  # six points creeping back
    p = fmr_file(tmp_path / "creep.txt", h, derivative_signal(h))
    with pytest.raises(DataError, match="reverses direction"):
        read_stfmr(p)


def test_noisy_readback_through_zero_field_is_one_sweep(tmp_path):
    rng = np.random.default_rng(7)
    h = np.linspace(-60.0, 60.0, 241) + rng.normal(0, 0.3, 241)  # G
    h[118:123] = [-0.6, 0.15, -0.1, 0.4, 1.1]  # the read-back crosses zero three times
    assert np.sum(np.diff(np.sign(h)) != 0) == 3
    v = np.sin(h / 10.0)
    d = read_stfmr(fmr_file(tmp_path / "zero.txt", h, v))[0]
    assert len(d) == h.size and d.meta["sweep_direction"] == "up"


# ----------------------------------------------------------------------------------------
# 4. Lock-in X and Y channels
# ----------------------------------------------------------------------------------------

def lockin_file(path, phase_deg, f=14.0, h_res=0.42, width=0.0015, noise=0.4, seed=0):
    """An FMR export as the instrument writes it: no extension, padded names, the frequency on
    every row, a 'Power(mV)' read-back; the signal (uV) split between X and Y by the phase."""
    rng = np.random.default_rng(seed)
    h = np.linspace(h_res - 0.015, h_res + 0.015, 301)  # T
    s = mixing_voltage_derivative(h, h_res, width, 10.0, 25.0)
    c, sn = np.cos(np.radians(phase_deg)), np.sin(np.radians(phase_deg))
    x = 3.0 + s * c + rng.normal(0, noise, h.size)
    y = -2.0 + s * sn + rng.normal(0, noise, h.size)
    head = "Field(G)       \tXchannel    \tYchannel    \tFreq(GHz)     \tPower(mV)     \n"
    body = "".join(f"{a:.6E}\t{b:.6E}\t{cc:.6E}\t{f:.7E}\t{0:.6E}\r\n"
                   for a, b, cc in zip(h * 1e4, x * 1e-6, y * 1e-6))
    return write(path, head + body), s


@pytest.mark.parametrize("phase, expect, sign", [(35.0, 35.0, 1), (110.0, 110.0, 1),
                                                 (-70.0, 110.0, -1), (2.0, 2.0, 1)])
def test_lockin_phase_is_recovered_and_recorded(tmp_path, phase, expect, sign):
    # one noise draw per case (the coverage of the 2-sigma interval is checked below)
    p, s = lockin_file(tmp_path / "scan_003", phase, seed=1)
    d = read_stfmr(p, lockin_channels=("Xchannel", "Ychannel"), voltage_unit="V")[0]
    m = d.meta
    assert m["frequency"] == 14.0 and m["frequency_from"].startswith("column")
    assert abs(m["lockin_phase"] - expect) < 2 * m["lockin_phase_stderr"], m["lockin_phase"]
    assert m["lockin_channels"] == ("Xchannel", "Ychannel")
    assert any("lock-in phase" in n for n in m["reader_notes"])
    assert any("'Power(mV)' is not an rf power" in n for n in m["reader_notes"])
    assert "power" not in m
    # the combined channel is the planted signal (plus the projected offsets)
    resid = d.y - sign * s
    assert np.std(resid) < 0.6
    fit = fit_spectrum(d, model=DERIVATIVE)
    q = fit.combined["h_res"]
    assert abs(q.nominal_value - 0.42) < 2 * q.std_dev


def test_lockin_phase_error_covers_the_scatter():
    """Over many noisy clouds the phase lands within two reported errors ~95 % of the time."""
    rng = np.random.default_rng(11)
    h = np.linspace(-1, 1, 200)
    s = mixing_voltage_derivative(h, 0.0, 0.1, 1.0, 2.0)
    hits = []
    for _ in range(400):
        x = s * np.cos(0.6) + rng.normal(0, 0.3, h.size)
        y = s * np.sin(0.6) + rng.normal(0, 0.3, h.size)
        phi, err, _ = lockin_phase(x, y)
        hits.append(abs(phi - np.degrees(0.6)) < 2 * err)
    assert 0.90 < np.mean(hits) < 0.995


def test_lockin_columns_one_channel_and_the_errors_that_name_them(tmp_path):
    p, s = lockin_file(tmp_path / "scan_004", 0.0)
    d = read_stfmr(p, voltage_column="Xchannel", voltage_unit="V")[0]
    assert d.meta["units_from"] == "field: header, voltage: option"
    np.testing.assert_allclose(d.y, 3.0 + s, atol=2.5)
    with pytest.raises(DataError) as e:
        read_stfmr(p, option_style="cli")
    msg = str(e.value)
    for part in ("scan_004", "no voltage column", "'Xchannel'", "--column voltage=Xchannel",
                 "--lockin-channels Xchannel,Ychannel"):
        assert part in msg, part
    with pytest.raises(UnitError, match=r"scan_004: 'Xchannel' \(column 1\) \(voltage\) has no "
                                        r"unit.*--voltage-unit UNIT"):
        read_stfmr(p, lockin_channels="Xchannel,Ychannel", option_style="cli")
    with pytest.raises(ValueError, match="not both"):
        read_stfmr(p, voltage_column=1, lockin_channels=(1, 2))


# ----------------------------------------------------------------------------------------
# 5. Every error for a table names the file, the column and the option that fixes it
# ----------------------------------------------------------------------------------------

BAD_TABLES = [
    ("units.csv", "Field,Vmix\n0.1,1\n0.2,2\n0.3,3\n", {}, ["'Field' (column 0)", "--field-unit"]),
    ("furlong.csv", "Field (furlong),Vmix (uV)\n1,1\n2,2\n3,3\n", {},
     ["'Field (furlong)'", "--field-unit UNIT"]),
    ("kind.csv", "Field (mV),Vmix (uV)\n1,1\n2,2\n3,3\n", {},
     ["'Field (mV)'", "--column field=NAME"]),
    ("two.csv", "Field set (Oe),Field meas (Oe),Vmix (uV)\n1,1,1\n2,2,2\n3,3,3\n", {},
     ["'Field set (Oe)'", "--column field=NAME"]),
    ("none.csv", "Field (Oe),Signal X,Signal Y\n1,1,1\n2,2,2\n3,3,3\n", {},
     ["'Signal X'", "--column voltage=NAME"]),
    ("nan.csv", "Field (Oe),Vmix (uV)\n1,1\n2,nan\n3,3\n", {},
     ["'Vmix (uV)' (column 1)", "--column voltage=NAME"]),
    ("freq.csv", "freq,Field (Oe),Vmix (uV)\n9e9,1,1\n9e9,2,2\n9e9,3,3\n", {},
     ["'freq' (column 0)", "--column-unit frequency=Hz"]),      # 9e9: the unit the numbers fit
    ("dup.csv", "Field (Oe),Vmix (uV)\n1,1\n2,2\n2,3\n3,3\n", {},
     ["'Field (Oe)' (column 0)", "--allow-duplicates"]),
    ("loop.csv", "Field (Oe),Vmix (uV)\n1,1\n2,2\n3,3\n2,3\n1,1\n", {},
     ["'Field (Oe)' (column 0)", "--split-sweeps"]),
    ("bare.csv", "1,1\n2,2\n3,3\n", {},
     ["2 columns", "--column field=0 --column voltage=1 --field-unit UNIT"]),
    ("col.csv", "Field (Oe),Vmix (uV)\n1,1\n2,2\n3,3\n", {"voltage_column": "Vx"},
     ["--column voltage=Vx", "'Vmix (uV)'"]),
]


@pytest.mark.parametrize("name, text, kw, parts", BAD_TABLES, ids=[b[0] for b in BAD_TABLES])
def test_errors_name_file_column_and_command_line_option(tmp_path, name, text, kw, parts):
    p = write(tmp_path / name.replace(".csv", "_9GHz.csv"), text)
    with pytest.raises(ValueError) as e:
        read_stfmr(p, option_style="cli", **kw)
    msg = str(e.value)
    assert p.name in msg
    for part in parts:
        assert part in msg, (part, msg)
    assert "=True" not in msg and "field_unit=" not in msg


def test_unknown_header_unit_gives_way_to_the_option(tmp_path):
    p = write(tmp_path / "enc_9GHz.csv", "Field (Oe),V_mix (ÂµV)\n1,1\n2,2\n3,3\n")
    d = read_stfmr(p, voltage_unit="uV")[0]
    np.testing.assert_allclose(d.y, [1, 2, 3])
    assert any("unit not known" in n for n in d.meta["reader_notes"])
    q = write(tmp_path / "ok_9GHz.csv", "Field (Oe),V_mix (mV)\n1,1\n2,2\n3,3\n")
    with pytest.raises(UnitError, match="says 'mV' but voltage_unit='uV'"):
        read_stfmr(q, voltage_unit="uV")


# ----------------------------------------------------------------------------------------
# 6. The command line
# ----------------------------------------------------------------------------------------

def test_cli_reader_options_reach_the_reader(tmp_path, monkeypatch, capsys):
    import sotfit.io as sio

    seen = {}

    def fake(paths, **kw):
        seen.update(kw)
        raise DataError("stop")

    monkeypatch.setattr(sio, "read_stfmr", fake)
    (tmp_path / "in").mkdir()
    p = write(tmp_path / "in" / "a_9GHz.csv", "x\n")
    args = ["stfmr", str(p), "--out", str(tmp_path / "o"), "--column", "field=Field(G)",
            "--column", "frequency=3", "--column-unit", "field=G", "--column-unit",
            "power=dBm", "--lockin-channels", "Xchannel,Ychannel", "--split-sweeps",
            "--allow-duplicates", "--power", "8dBm", "--no-figures"]
    assert main(args) == 2
    assert seen["field_column"] == "Field(G)" and seen["frequency_column"] == 3
    assert seen["field_unit"] == "G" and seen["power_unit"] == "dBm"
    assert seen["lockin_channels"] == ("Xchannel", "Ychannel")
    assert seen["split_sweeps"] and seen["allow_duplicates"] and seen["power"] == 8.0  # dBm
    assert seen["option_style"] == "cli"
    capsys.readouterr()
    for bad, err in ((["--column", "colour=red"], "unknown role 'colour'"),
                     (["--column", "voltage"], "write ROLE=VALUE"),
                     (["--field-unit", "Oe", "--column-unit", "field=T"], "disagree"),
                     (["--lockin-channels", "X"], "give two columns"),
                     (["--column", "voltage=X", "--lockin-channels", "X,Y"], "not both")):
        assert main(["stfmr", str(p), "--out", str(tmp_path / "o"), *bad]) == 2
        assert err in capsys.readouterr().err


def test_cli_lockin_files_fit_and_recover_kittel(tmp_path, capsys):
    """Four lock-in files without an extension (YIG-like, derivative lineshapes), read with
    the phase fitted per file: the in-plane Kittel fit recovers the planted M_eff and
    gamma/2pi within two standard errors."""
    from sotfit.models.magnetization import resonance_field_inplane

    meff, gamma = 0.18, 28.5
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for i, f in enumerate((6.0, 9.0, 12.0, 15.0)):
        hr = resonance_field_inplane(f, meff, gamma)
        p, _ = lockin_file(folder / f"scan_{i:03d}", 60.0 + 3 * i, f=f, h_res=hr, seed=i,
                           noise=0.2)
        files.append(str(p))
    out = tmp_path / "out"
    rc = main(["stfmr", *files, "--lockin-channels", "Xchannel,Ychannel", "--voltage-unit", "V",
               "--lineshape", "derivative", "--no-global", "--no-figures", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert err.count("lock-in phase") == 4 and "Power(mV)" in err
    s = json.loads((out / "summary.json").read_text())
    seq = s["sequential"]
    for name, truth in (("mu0_meff", meff), ("gyromagnetic_ratio", gamma)):
        q = seq[name]
        assert abs(q["value"] - truth) < 2 * q["stderr"], (name, q)


def test_cli_errors_use_the_command_line_spelling(tmp_path, capsys):
    up = np.linspace(-0.1, 0.1, 11)
    h = np.concatenate([up, up[::-1][1:]])
    folder = tmp_path / "in"
    folder.mkdir()
    p = write(folder / "loop_9GHz.csv", "field_T,vmix_uV\n" + table_text([h, h], sep=","))
    rc = main(["stfmr", str(p), "--out", str(tmp_path / "o"), "--no-figures"])
    err = capsys.readouterr().err
    assert rc == 2 and "--split-sweeps" in err and "split_sweeps=True" not in err
    q = write(folder / "bare_9GHz.dat", "Vmix\tField\n1e-6\t-0.1\n2e-6\t-0.05\n3e-6\t-0.01\n")
    rc = main(["stfmr", str(q), "--out", str(tmp_path / "o"), "--no-figures"])
    err = capsys.readouterr().err
    assert rc == 2 and "--field-unit T --voltage-unit V" in err and "read_stfmr" not in err


# ----------------------------------------------------------------------------------------
# 7. Bulk parsing: the same numbers as the line-by-line parser, and fast
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sep, trailing", [(",", False), ("\t", True), (";", False),
                                           (" ", False)])
def test_bulk_parse_equals_line_by_line(tmp_path, sep, trailing):
    from sotfit.io.text import _parse_lines

    rng = np.random.default_rng(2)
    a = rng.normal(size=(500, 3)) * 10.0 ** rng.integers(-9, 9, size=(500, 3))
    body = "".join(sep.join(repr(float(c)) for c in r) + (sep if trailing else "") + "\n"
                   for r in a)
    p = write(tmp_path / "n.txt", "# c\nA\tB\tC\n".replace("\t", sep if sep != " " else "  ")
              + body)
    t = read_table(p)
    np.testing.assert_array_equal(t.data, a)  # bit for bit
    lines = p.read_text().splitlines()
    slow = _parse_lines("n.txt", lines, list(range(2, 502)),
                        "whitespace" if sep == " " else sep, 3, trailing, t.columns, False)
    np.testing.assert_array_equal(slow, t.data)


def test_large_file_parses_in_about_a_second(tmp_path):
    import time

    n = 1_000_000
    h = np.linspace(-0.2, 0.2, n)
    p = tmp_path / "big_9GHz.csv"
    with open(p, "w") as fh:
        fh.write("field_T,vmix_uV\n")
        np.savetxt(fh, np.column_stack([h, np.sin(50 * h)]), delimiter=",", fmt="%.10g")
    t0 = time.perf_counter()
    t = read_table(p)
    elapsed = time.perf_counter() - t0
    assert t.data.shape == (n, 2)
    assert elapsed < 5.0, elapsed  # ~0.6 s on one core; generous for a shared machine
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t0 = time.perf_counter()
        d = read_stfmr(p)[0]
        assert len(d) == n and time.perf_counter() - t0 < 10.0
