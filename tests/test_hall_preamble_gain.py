"""A preamplifier gain written in a file's preamble (``# gain_2w = 10``) is asked about, not
skipped, and a lock-in channel with one wild cell is not taken for an empty one.

A gain of 100 in the preamble, the readings not divided by it, gave mu0 H_DL 100 times the
planted value with exit 0 and no word: the line was skipped. Whether a lab's readings hold the
gain the file does not say, so the reader asks (--gain-2w 100 or --gain-2w 1). A number cut
short on the last line (-1.35 where -1.35e-08 was written) made the channel not read "vary
24148 times" the one read, and the message blamed the lock-in channel instead of the line.
"""

import json

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.io.hall.block import _signal_in_the_channel_read
from sotfit.io.hall.scan import HallReadError

from bundled import ROTATIONS, avci_options


def _with_preamble(tmp_path, line):
    files = []
    for path in ROTATIONS:
        files.append(tmp_path / path.name)
        files[-1].write_text(f"# {line}\n" + path.read_text())
    return files


def _run(tmp_path, files, name, *options):
    return main(["hall", *map(str, files), *options, "--out", str(tmp_path / name)])


def _options_without_gain():
    options = avci_options()
    i = options.index("--gain-2w")
    return options[:i] + options[i + 2:]


@pytest.mark.parametrize("line, h", [("gain_2w = 10", 2), ("Gain 2w (dB): 20", 2),
                                     ("preamp gain: x10", 1),      # no harmonic: of both
                                     # spellings the first, anchored pattern skipped (H_DL 100
                                     # times too large, no word)
                                     ("SR560 gain on 2f channel: 10", 2), ("SR560 gain: 10", 1),
                                     ("2f gain: 10", 2), ("Gain (2w channel): 10", 2),
                                     ("Lock-in 2 preamp gain: 10", 1),
                                     ("Amplifier gain 2nd harmonic: 10", 2),
                                     ("Gain of the second harmonic: 10", 2),
                                     # an amplifier named without the word gain: skipped,
                                     # torques 10 times too large, no word
                                     ("Preamp 2f: x10", 2), ("Amplification 2w: 10", 2),
                                     ("Preamplifier (2nd harmonic): 10", 2),
                                     ("Amplifier factor 2f = 10", 2), ("SR560: x10", 1),
                                     # a word after the factor was taken for its unit, and
                                     # G=, 'times', '-fold', 'Ampli', 'Amp.' and German were
                                     # not read: torques 100 times too large, no word
                                     ("x10 preamp on 2w", 2),
                                     ("V2w measured after a x10 low-noise preamplifier", 2),
                                     ("2nd harmonic amplified 10 times", 2),
                                     ("second harmonic preamplified by 10 times", 2),
                                     ("Amp. factor (2f): 10", 2), ("2w: SR560, G = 10", 2),
                                     ("Lockin2: SR830, sens 1 mV, TC 300 ms, input A-B via "
                                      "SR560 (G=10)", 1),
                                     ("amplification 2w x10 low-noise mode", 2),
                                     ("Amplifier on 2nd harmonic: 10-fold", 2),
                                     ("SR560 (2f) G10", 2), ("Verstaerkung 2f: 10", 2),
                                     ("Ampli 2w: x10", 2),
                                     # both harmonics on one line: the first factor (1) was
                                     # taken for the line, the 10 never read
                                     ("x1 preamp on 1w, x10 on 2w", 2),
                                     ("Preamp gains: 1w x1, 2w x10", 2),
                                     ("1w: no preamp; 2w: preamp x10", 2),
                                     # more spellings
                                     ("Vorverstaerker 2w: 10", 2), ("Vorverst\u00e4rker: 10-fach", 1),
                                     ("preamplificador ganancia 10", 1), ("PreAmp 10", 1),
                                     ("preamp (2w) 10", 2), ("Ithaco 1201: 10", 1),
                                     ("amplification factor 10", 1), ("Pre-amp: 10 (2w only)", 2),
                                     ("2w signal multiplied by 10 before the lock-in", 2),
                                     # a specification beside the gain cancelled the line
                                     ("Preamp SR560 on 2w, gain 10, CMRR > 90 dB", 2),
                                     ("SR560 preamp, gain x10, roll-off 6 dB/oct", 1),
                                     # both harmonics: 'Gain' as the amplifier's word, a gain
                                     # in a part of no harmonic, parts joined by 'and'
                                     ("Gain: 1w x1, 2w x10", 2),
                                     ("SR560 (gain 1) on 1w and SR560 (gain 10) on 2w", 2),
                                     # a gain's symbol, a signal with its factor, no
                                     # amplifier named: read as they stand
                                     ("G=10", 1), ("G = 10 (2w)", 2), ("signal x10", 1),
                                     ("2w signal x 10", 2),
                                     # a factor after the signal it scales, a symbol with a
                                     # subscript, a low-noise amplifier
                                     ("V2w x10", 2), ("2w voltage x 10", 2), ("signal: x10", 1),
                                     ("Signal (x10)", 1), ("G2w=10", 2), ("G_2w = 10", 2),
                                     ("2w: x10", 2), ("LNA x10", 1), ("2w channel x10", 2),
                                     ("second harmonic x10", 2)])
def test_a_gain_in_the_preamble_is_asked_about_naming_both_answers(tmp_path, capsys, line, h):
    files = _with_preamble(tmp_path, line)
    assert _run(tmp_path, files, "asked", *_options_without_gain()) == 2
    err = capsys.readouterr().err
    assert "writes a preamplifier gain" in err
    assert f"{'first' if h == 1 else 'second'} harmonic" in err
    assert f"--gain-{h}w 10 if they are not" in err and f"--gain-{h}w 1 if they are" in err


def test_the_answer_gives_the_torques_of_the_files_without_the_entry(tmp_path):
    files = _with_preamble(tmp_path, "gain_2w = 10")
    assert _run(tmp_path, files, "with", *avci_options()) == 0
    assert _run(tmp_path, ROTATIONS, "plain", *avci_options()) == 0
    q = {name: json.loads((tmp_path / name / "summary.json").read_text())["quantities"]
         for name in ("with", "plain")}
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe"):
        assert q["with"][key]["value"] == q["plain"][key]["value"]


def test_a_gain_of_the_first_harmonic_does_not_ask_about_the_second(tmp_path):
    files = _with_preamble(tmp_path, "gain_1w = 1")
    options = _options_without_gain() + ["--gain-1w", "1"]
    assert _run(tmp_path, files, "first", *options) == 0     # 2w: no gain written, 1


def test_one_wild_cell_does_not_make_a_channel_the_signal():
    rng = np.random.default_rng(0)
    x = 1.3e-3 + 1e-6 * np.sin(np.linspace(0, 6, 81)) + rng.normal(0, 2e-8, 81)
    y = rng.normal(0, 2e-8, 81)
    y[-1] = -1.35                   # '-1.353195983e-0': the exponent cut on the last line
    _signal_in_the_channel_read("f.csv", x, y, "X", 1, ("X1", "Y1"))
    with pytest.raises(HallReadError, match="the first harmonic is in channel Y"):
        _signal_in_the_channel_read("f.csv", x, 1e-4 * np.cos(np.linspace(0, 6, 81)),
                                    "X", 1, ("X1", "Y1"))


@pytest.mark.parametrize("header", ["X2 x10 (uV)", "X2_gain10 (uV)", "X2 gain 10 (uV)",
                                    "X2 (uV) [x10]", "X2 x 10 (uV)", "X2_amp10 (uV)",
                                    "X2 after 20 dB preamp (uV)"])
def test_a_gain_in_the_column_name_is_asked_about(tmp_path, capsys, header):
    """'X2 x10 (uV)' was read as it stands: torques 10 times too large, no word; 'X2 (uV)
    [x10]' was an unknown unit 'x10' whose message's --column-unit read the same 10 times; the
    other spellings were read as they stand."""
    import pandas as pd

    folder = tmp_path / "in"
    folder.mkdir()
    for f in ROTATIONS:
        pd.read_csv(f).rename(columns={"X2 (uV)": header}).to_csv(folder / f.name, index=False)
    files = sorted(folder.iterdir())
    assert _run(tmp_path, files, "asked", *_options_without_gain()) == 2
    assert "writes a gain 10 in its name" in capsys.readouterr().err
    assert _run(tmp_path, ROTATIONS, "ref", *avci_options()) == 0
    assert _run(tmp_path, files, "got", *avci_options()) == 0
    ref, got = (json.loads((tmp_path / n / "summary.json").read_text()) for n in ("ref", "got"))
    assert got["quantities"]["mu0_h_dl"] == ref["quantities"]["mu0_h_dl"]


def test_a_gain_in_a_part_of_no_harmonic_is_asked_for_both(tmp_path, capsys):
    """'Lock-in A: 1w (direct), lock-in B: 2w, SR560 preamp, gain 10' names both harmonics
    and gives the gain in a part of neither: it was read for neither (H_DL 10 times too
    large, exit 0 under --strict); asked for the first harmonic first."""
    files = _with_preamble(tmp_path, "Lock-in A: 1w (direct), lock-in B: 2w, SR560 preamp, "
                                     "gain 10")
    assert _run(tmp_path, files, "asked", *_options_without_gain()) == 2
    assert "--gain-1w 10 if they are not" in capsys.readouterr().err
