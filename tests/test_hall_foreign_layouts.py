"""Harmonic Hall tables in layouts met in other laboratories (docs/io.md, "Harmonic Hall tables"):
column pairs whose field is named by its axis and a direction word (``Hx_up``, ``Bx_ret``), an
m_z-state column of words (``up``/``down``), a footnote below the table. The files are written
from the macrospin model with planted values; the analysis recovers them within 2 standard errors.
Messages name the file, the column, the file line and the option."""

import math

import numpy as np
import pandas as pd
import pytest

from sotfit.analysis.hall import avci, hayashi
from sotfit.cli import main
from sotfit.io.hall import HallReadError, read_hall
from sotfit.models.harmonic_hall import hall_harmonics, scan_fields
from test_hall_layouts import (IP, LOOP, LOOP_CLI, LOOP_KW, PMA, _long_sweeps, _loop_harmonics,
                               _padded_frame, _rotations, _run, _within)


# ------------------------------------------------------------------ direction words in pair names
def _direction_loop_files(folder, up, down, field="H", seed=11, theta_h=92.0):
    """``loop_1f.csv`` and ``loop_2f.csv``: the x and y hysteresis loops of :data:`LOOP`
    (:func:`test_hall_layouts._loop_harmonics`), each sweep direction its own column pair
    named by the axis and a direction word (``Hx_up, Hx_up_1f_voltage, Hx_down,
    Hx_down_1f_voltage, Hy_up, ...``), NaN-padded, the harmonics on different field grids."""
    files = []
    for h, loops in _loop_harmonics(seed, theta_h).items():
        cols = {}
        for ax, x, v in loops:
            turn = int(np.argmax(x))           # the rising sweep ends where the falling one starts
            for word, sl in ((up, slice(0, turn + 1)), (down, slice(turn, None))):
                name = f"{field}{ax}_{word}"
                cols[name], cols[f"{name}_{h}f_voltage"] = x[sl] * 1e4, v[sl]
        files.append(folder / f"loop_{h}f.csv")
        _padded_frame(cols).to_csv(files[-1], index=False)
    return files


@pytest.mark.parametrize("up, down, field", [("up", "down", "H"), ("fwd", "ret", "B"),
                                             ("increasing", "decreasing", "H")])
def test_pairs_named_by_axis_and_direction_word_are_split_at_the_switching(tmp_path, up, down, field):
    """``Hx_up, Hx_up_1f_voltage, Hx_down, ...`` in a 1f and a 2f file: every field column is a pair's
    field column along its axis, the harmonics pair by the label across the files; each loop
    branch is cut at its switching jump, its m_z from the jump and the tilt (the word is a label,
    not a state). Method (b) recovers the planted values. (Before: 'several columns could be the
    v1w of the file'.)"""
    f1, f2 = _direction_loop_files(tmp_path, up, down, field)
    scans = read_hall([f2, f1], theta_h=92.0, **LOOP_KW)
    got = [(s.meta["phi_h"], s.meta["sweep_direction"], s.meta["mz_state"]) for s in scans]
    assert got == [(0.0, "up", 1), (0.0, "up", -1), (0.0, "down", -1), (0.0, "down", 1),
                   (90.0, "up", 1), (90.0, "up", -1), (90.0, "down", -1), (90.0, "down", 1)]
    for s in scans:
        x, d = s.r1w.x, s.meta["sweep_direction"]
        hsw = 0.07 if s.meta["phi_h"] == 0 else 0.08
        expect = np.where(x < hsw, 1, -1) if d == "up" else np.where(x > -hsw, -1, 1)
        assert np.all(expect == s.meta["mz_state"]), s.source
        label = f"{field}{'x' if s.meta['phi_h'] == 0 else 'y'}_{up if d == 'up' else down}"
        assert f"[{label};" in s.source
    b = hayashi(scans, r_phe=LOOP["r_phe"], r_ane=LOOP["r_ane"], max_field=0.045)
    _within(b.quantities, LOOP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))
    assert b.flags == {}


def test_direction_pairs_through_the_command_line(tmp_path):
    f1, f2 = _direction_loop_files(tmp_path, "up", "down")
    s = _run(["hall", str(f1), str(f2), "--method", "hayashi", *LOOP_CLI, "--theta-h", "92deg",
              "--r-phe", "0.2Ohm", "--max-field", "45mT"], tmp_path / "b")
    _within(s["quantities"], LOOP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))


def test_direction_pairs_without_a_jump_or_state_leave_the_state_unknown(tmp_path, capsys):
    """Pairs labelled ``up``/``down`` whose sweeps never switch (here the two states of the film):
    the word is not read as a state, the states stay unknown (noted) and method (b) refuses the
    sweeps, naming the options that give the state; no number comes out."""
    rng = np.random.default_rng(3)
    x = np.linspace(-0.04, 0.04, 33)
    for h in (1, 2):
        cols = {}
        for ax, phi_h in (("x", 0.0), ("y", 90.0)):
            for word, st in (("up", 1), ("down", -1)):
                r1, r2 = hall_harmonics(scan_fields(x, "field", theta_h=86.0, phi_h=phi_h), PMA["r_ahe"],
                                        PMA["r_phe"], PMA["mu0_hk"], PMA["mu0_h_dl"], PMA["mu0_h_fl"],
                                        PMA["r_ane"], state=np.full(x.size, st))
                r = (r1 if h == 1 else r2) + rng.normal(0, 1e-6, x.size)
                cols[f"H{ax}_{word}"], cols[f"H{ax}_{word}_{h}f_voltage"] = x * 1e4, r * 1e-3
        pd.DataFrame(cols).to_csv(tmp_path / f"s_{h}f.csv", index=False)
    kw = dict(current=1.0, current_is="peak", lockin_output="peak", r2w_channel="X", field_unit="Oe",
              voltage_unit="V", theta_h=86.0)
    scans = read_hall([tmp_path / "s_1f.csv", tmp_path / "s_2f.csv"], **kw)
    assert len(scans) == 4 and all(s.meta["mz_state"] == 0 for s in scans)
    assert all(s.source.endswith("; m_z unknown]") for s in scans)     # it read 'm_z +0'
    assert all(any("m_z state not known" in n for n in s.meta["reader_notes"]) for s in scans)
    rc = main(["hall", str(tmp_path / "s_1f.csv"), str(tmp_path / "s_2f.csv"), "--method", "hayashi",
               "--current", "1mA", "--current-is", "peak", "--lockin-output", "peak", "--r2w-channel", "X",
               "--field-unit", "Oe", "--voltage-unit", "V", "--theta-h", "86deg", "--no-figures",
               "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "perpendicular state" in err and "--column mz_state=NAME" in err
    assert not (tmp_path / "o" / "summary.json").exists()


# ------------------------------------------------------------------ m_z state words
@pytest.mark.parametrize("plus, minus", [("up", "down"), ("+", "-"), ("+1", "-1"), ("pos", "neg"),
                                         ("Positive", "NEGATIVE"), ("UP", "Down")])
def test_state_column_of_words_is_read_as_plus_and_minus_one(tmp_path, plus, minus):
    """An m_z-state column ``Mz`` holding ``up``/``down`` (or +/-, +1/-1, pos/neg, positive/negative,
    in any case) gives the states +1/-1; method (b) recovers the planted values as from the
    numbers. (Before: 'non-numeric value(s) 'up''.)"""
    df = pd.read_csv(_long_sweeps(tmp_path / "sweeps.csv"))
    df.insert(1, "Mz", df.pop("mz_initial").map({1: plus, -1: minus}))
    f = tmp_path / "words.csv"
    df.to_csv(f, index=False)
    kw = dict(scan="field", current=1 / math.sqrt(2), current_is="rms", lockin_output="rms",
              r2w_channel="-Y", theta_h=86.0)
    scans = read_hall([f], **kw)
    assert [(s.meta["phi_h"], s.meta["mz_state"]) for s in scans] == \
        [(0.0, 1), (0.0, -1), (90.0, 1), (90.0, -1)]
    b = hayashi(scans, r_phe=PMA["r_phe"])
    _within(b.quantities, PMA, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))
    ref = hayashi(read_hall([tmp_path / "sweeps.csv"], **kw), r_phe=PMA["r_phe"])
    for name in ("mu0_h_dl", "mu0_h_fl_oe"):
        assert b.quantities[name].nominal_value == pytest.approx(ref.quantities[name].nominal_value,
                                                                 rel=1e-12)


def test_other_words_in_the_state_column_are_an_error_naming_column_and_file_lines(tmp_path, capsys):
    df = pd.read_csv(_long_sweeps(tmp_path / "sweeps.csv"))
    df.insert(1, "Mz", df.pop("mz_initial").map({1: "up", -1: "down"}))
    df.loc[[5, 50], "Mz"] = "sideways"
    f = tmp_path / "words.csv"
    df.to_csv(f, index=False)
    with pytest.raises(HallReadError, match=r"words\.csv: column 'Mz' holds 'sideways' at line\(s\) "
                                            r"\[7, 52\], not an m_z state.*--column mz_state=NAME"):
        read_hall([f], scan="field", current=1.0, current_is="rms", lockin_output="rms",
                  r2w_channel="-Y", option_style="cli")
    lines = f.read_text().splitlines()
    assert "sideways" in lines[6] and "sideways" in lines[51]


# ------------------------------------------------------------------ file lines in messages
def test_a_non_numeric_cell_is_named_by_its_file_line_below_a_preamble(tmp_path):
    """The message gives the 1-based line of the file (comments, blank lines and a preamble
    counted), not the index of the row in the table."""
    f = _rotations(tmp_path / "rot.csv")
    lines = f.read_text().splitlines()
    lines[8] = lines[8].replace(lines[8].split(",")[2], "1.2.3", 1)
    plain = tmp_path / "plain.csv"
    plain.write_text("# sample A\n\n" + "\n".join(lines[:5] + ["# paused"] + lines[5:]) + "\n")
    with pytest.raises(HallReadError, match=r"plain\.csv: column 'R1w_ohm' has non-numeric value\(s\) "
                                            r"'1\.2\.3' at line\(s\) \[12\]; fix"):
        read_hall([plain], scan="phi", current_is="peak")
    assert "1.2.3" in plain.read_text().splitlines()[11]
    tab = tmp_path / "tab.txt"
    tab.write_text("Sample: A\nOperator: B\n" + "\n".join(l.replace(",", "\t") for l in lines) + "\n")
    with pytest.raises(HallReadError, match=r"tab\.txt: column 'R1w_ohm' has non-numeric value\(s\) "
                                            r"'1\.2\.3' at line\(s\) \[11\]"):
        read_hall([tab], scan="phi", current_is="peak")
    assert "1.2.3" in tab.read_text().splitlines()[10]


# ------------------------------------------------------------------ footers
@pytest.mark.parametrize("sep, footer", [
    ("\t", ["End of measurement. Lock-in: SR830, TC 300 ms"]),
    (",", ["", "END", "# closing comment", "Measurement finished"]),
    (";", ["End of file", "Operator: A. B.", "done"])])
def test_a_footnote_after_the_table_is_left_out_with_a_note(tmp_path, sep, footer):
    """Up to three lines without a number after the last row are a footer: not read, a note names
    their lines; method (a) recovers the planted values as without them. (Before: 'line N has 1
    cell(s) but the column header row names 4'.)"""
    f = _rotations(tmp_path / "rot.csv")
    body = [l.replace(",", sep) for l in f.read_text().splitlines()]
    g = tmp_path / "footnote.txt"
    g.write_text("\n".join(body + footer) + "\n")
    scans = read_hall([g], scan="phi", current=1.0, current_is="peak", r2w_sign=1)
    ref = read_hall([f], scan="phi", current=1.0, current_is="peak", r2w_sign=1)
    assert len(scans) == len(ref) == 5
    for s, r in zip(scans, ref):
        assert np.array_equal(s.r1w.y, r.r1w.y) and np.array_equal(s.r2w.y, r.r2w.y)
    text_lines = [i + 1 for i, l in enumerate(body + footer)
                  if l.strip() and not l.startswith("#") and i >= len(body)]
    note = f"line(s) {', '.join(map(str, text_lines))} after the data"
    assert all(any(note in n and "a footer" in n for n in s.meta["reader_notes"]) for s in scans)
    a = avci(scans, mu0_hk=IP["mu0_hk"], r_ahe=IP["r_ahe"])
    _within(a.quantities, IP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_phe", "phi0"))


def test_a_footnote_through_the_command_line(tmp_path):
    f = _rotations(tmp_path / "rot.csv")
    g = tmp_path / "H17.txt"
    g.write_text(f.read_text().replace(",", "\t") + "End of measurement. Lock-in: SR830, TC 300 ms\n")
    s = _run(["hall", str(g), "--method", "avci", "--current", "1mA", "--current-is", "peak",
              "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--r2w-sign", "1", "--no-figures"],
             tmp_path / "a")
    _within(s["quantities"], IP, ("mu0_h_dl", "mu0_h_fl_oe", "r_ane", "r_phe", "phi0"))
    n = len(g.read_text().splitlines())
    assert any(f"line(s) {n} after the data" in x for x in s["notes"])


@pytest.mark.parametrize("last", ["Points: 450", "End,1", "4,5,6", "a\nb\nc\nd"])
def test_a_last_line_with_a_number_or_a_long_footer_stays_an_error(tmp_path, last):
    """A last line that holds a number is a row of the table (its error names it); so are more
    than three lines of text."""
    f = _rotations(tmp_path / "rot.csv")
    body = [l.replace(",", "\t") for l in f.read_text().splitlines()]
    g = tmp_path / "bad.txt"
    g.write_text("\n".join(body + last.split("\n")) + "\n")
    with pytest.raises(HallReadError, match=rf"bad\.txt: line {len(body) + 1} has 1 cell\(s\)|"
                                            rf"bad\.txt: line {len(body) + 1} has 3 cell\(s\)"):
        read_hall([g], scan="phi", current=1.0, current_is="peak")


def test_greek_phase_columns_pair_with_their_magnitudes(tmp_path):
    """Lock-in magnitude and phase written ``R1 (µV)``, ``θ1 (rad)``: the phase is found by its
    Greek name, so ``R1`` is the lock-in magnitude, not a resistance (it was 'unit uV is a
    voltage unit, but a resistance unit is needed'), and the numbers are those of X and Y."""
    df = pd.read_csv(_long_sweeps(tmp_path / "xy.csv"))
    polar = df.drop(columns=["X1 (uV)", "Y1 (uV)", "X2 (uV)", "Y2 (uV)"])
    for h in (1, 2):
        x, y = df[f"X{h} (uV)"].to_numpy(), df[f"Y{h} (uV)"].to_numpy()
        polar[f"R{h} (\u00b5V)"], polar[f"\u03b8{h} (rad)"] = np.hypot(x, y), np.arctan2(y, x)
    f = tmp_path / "polar.csv"
    polar.to_csv(f, index=False, encoding="utf-8")
    argv = ["--method", "hayashi", "--current", f"{1 / math.sqrt(2)}mA", "--current-is", "rms",
            "--lockin-output", "rms", "--r2w-channel=-Y", "--theta-h", "86deg", "--r-phe", "0.1Ohm",
            "--no-figures"]
    a = _run(["hall", str(f), *argv], tmp_path / "a")
    b = _run(["hall", str(tmp_path / "xy.csv"), *argv], tmp_path / "b")
    for name, q in b["quantities"].items():
        if isinstance(q, dict) and q.get("stderr"):
            assert a["quantities"][name]["value"] == pytest.approx(q["value"], rel=1e-9), name
    _within(a["quantities"], PMA, ("mu0_h_dl", "mu0_h_fl_oe", "r_ahe", "mu0_hk_eff"))
