"""Sample options of ``sotfit stfmr`` that cannot give the torque fields they seem to.

* The field-derivative lineshape's amplitudes carry the unknown factor h_m/W of the modulation
  field: with --irf and --delta-r they gave xi_DL 0.011 for the planted 0.080, unflagged.
* An rf current in A for mA (--irf 2A) gave mu0_h_fl = +72 mT for -11 uT, no flag: the Oersted
  field computed from the current is subtracted from the measured field-like field, and only
  the measured fields were held against the linewidth.
* '2mArms' and '69%' were refused without the spelling that works.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.cli.common import fraction, quantity_type
from sotfit.io.stfmr.reader import read_stfmr

from bundled import ROOT

EXAMPLE = ROOT / "data" / "stfmr_example"
SAMPLE = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um",
          "--rho", "20uOhmcm", "--rho-fm", "40uOhmcm", "--delta-r", "0.5Ohm"]


def test_the_derivative_lineshape_refuses_absolute_torque_fields(tmp_path, capsys):
    assert main(["stfmr", str(EXAMPLE), "--lineshape", "derivative", "--out", str(tmp_path / "o"),
                 "--no-figures", *SAMPLE, "--irf", "1mA", "--irf-is", "peak"]) == 2
    err = capsys.readouterr().err
    assert "h_m/W of the modulation field" in err and "leave --irf and --delta-r out" in err


def test_an_oersted_field_beyond_the_linewidth_flags_the_field_like_torque(tmp_path):
    runs = {}
    for name, irf in (("mA", "1mA"), ("A", "1A")):
        out = tmp_path / name
        assert main(["stfmr", str(EXAMPLE), "--out", str(out), "--no-figures", *SAMPLE,
                     "--irf", irf, "--irf-is", "peak"]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["sequential"]
    assert not any("Oersted" in r for r in runs["mA"]["mu0_h_fl"].get("flags", []))
    said = [r for r in runs["A"]["mu0_h_fl"].get("flags", []) if "Oersted field of the rf "
            "current given" in r]
    assert said and "check the rf current (--irf, in mA)" in said[0]
    assert abs(runs["A"]["mu0_h_fl"]["value"]) > 1e-3          # the Oersted field, in T


def test_a_convention_written_into_the_current_names_its_option():
    with pytest.raises(argparse.ArgumentTypeError, match="--irf-is"):
        quantity_type("current", positive=True)("2mArms")
    assert quantity_type("current", positive=True)("2mA") == pytest.approx(2.0)


@pytest.mark.parametrize("text, value", [("0.69", 0.69), ("69%", 0.69), ("100 %", 1.0)])
def test_a_fraction_may_be_written_in_percent(text, value):
    assert fraction(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["169%", "0", "abc%"])
def test_a_fraction_outside_its_range_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        fraction(text)


def test_the_library_refuses_them_too():
    """The refusal lives where the torques are computed, not only on the command line."""
    import sotfit as sf
    from sotfit.analysis.stfmr import STFMRError, analyse_stfmr, stfmr_torques
    from sotfit.device import Sample
    from sotfit.models import MODELS

    files = [EXAMPLE / "py_pt_8GHz.csv", EXAMPLE / "py_pt_12GHz.csv"]
    analysis = analyse_stfmr(sf.io.read_stfmr(files), model=MODELS["stfmr_derivative"],
                             global_fit=False, spectrum_correlations=True)
    sample = Sample(mu0_ms=0.95, t_fm=6.0, t_nm=6.0, current=1.0, delta_r=0.5)
    with pytest.raises(STFMRError, match="h_m/W of the modulation field"):
        stfmr_torques(analysis, sample)
    stfmr_torques(analysis, Sample(mu0_ms=0.95, t_fm=6.0, t_nm=6.0))   # no fields asked: runs


def test_a_delta_r_a_thousand_times_too_large_is_flagged(tmp_path):
    """--delta-r 500Ohm for 500 mOhm (or millivolts headed uV) makes every torque field 1000
    times too small: xi_DL 7e-5 for 0.070, no flag, --strict exit 0. The measured field-like
    plus Oersted field then lies 1400 times below the Oersted field of the current given, which
    no field-like torque cancels to within 1 %."""
    slipped = [o if o != "0.5Ohm" else "500Ohm" for o in SAMPLE]
    runs = {}
    for name, sample in (("right", SAMPLE), ("slip", slipped)):
        out = tmp_path / name
        assert main(["stfmr", str(EXAMPLE), "--out", str(out), "--no-figures", *sample,
                     "--irf", "1mA", "--irf-is", "peak"]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())
    said = lambda s, k: [r for r in s["sequential"][k].get("flags", [])  # noqa: E731
                         if "times below the Oersted field" in r]
    assert not said(runs["right"], "xi_dl")
    assert said(runs["slip"], "xi_dl") and said(runs["slip"], "mu0_h_dl")
    assert not any("times below" in r for r in runs["slip"]["sequential"]["xi_fmr"].get("flags", []))
    assert main(["stfmr", str(EXAMPLE), "--out", str(tmp_path / "strict"), "--no-figures",
                 *slipped, "--irf", "1mA", "--irf-is", "peak", "--strict"]) == 3


def test_a_mixing_voltage_of_volts_is_flagged(tmp_path):
    """Microvolts read as volts (a LabVIEW .lvm of another program, whose unit the reader takes as
    V) gave V_s of volts with a note only: no ST-FMR mixing voltage reaches 0.1 V."""
    out = tmp_path / "volts"
    assert main(["stfmr", str(EXAMPLE), "--out", str(out), "--no-figures", "--override-unit",
                 "voltage=V", "--strict"]) == 3
    s = json.loads((out / "summary.json").read_text())
    assert any(f["quantity"].endswith(".vs") and "no ST-FMR mixing voltage reaches 0.1 V" in
               f["reason"] for f in s["flags"])
    plain = tmp_path / "plain"
    assert main(["stfmr", str(EXAMPLE), "--out", str(plain), "--no-figures"]) == 0
    assert not any("mixing voltage" in f["reason"] for f in
                   json.loads((plain / "summary.json").read_text())["flags"])


def test_a_lineshape_without_the_global_route_says_so(tmp_path):
    out = tmp_path / "derivative"
    assert main(["stfmr", str(EXAMPLE), "--lineshape", "derivative", "--out", str(out),
                 "--no-figures"]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert "global" not in s
    assert any(n.startswith("no global fit: the global multi-frequency fit describes the mixing")
               for n in s["notes"])


@pytest.mark.parametrize("g, stderr, flagged", [(2.04, 0.01, False), (1.88, 0.018, True),
                                                (1.70, 0.021, True), (2.45, 0.1, False),
                                                (2.6, 0.02, True), (1.95, None, False)])
def test_a_fitted_g_outside_the_ferromagnets_range_is_flagged(g, stderr, flagged):
    """The Ta/CoFeB spin-diode spectra at 4-7 GHz alone gave g = 1.88 +- 0.02 (2.04 with 6-17
    GHz), M_eff shifted with it, the Kittel fit good and no flag; a held g (no error) is the
    user's."""
    from sotfit.analysis.stfmr.checks import g_outside_ferromagnets

    reason = g_outside_ferromagnets({"value": g, "stderr": stderr, "unit": ""})
    assert bool(reason) == flagged
    if flagged:
        assert "outside 1.95-2.4" in reason and "--g" in reason


def _amplified(folder: Path, where: str) -> Path:
    """The example's spectra amplified 100 times, the gain written in the preamble
    (``# preamp gain: 100``) or in the voltage column's name ``where`` (``Vmix x100 (uV)``)."""
    folder.mkdir()
    for f in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        lines = f.read_text().splitlines()
        head = [i for i, line in enumerate(lines) if not line.startswith("#")][0]
        rows = [line.split(",") for line in lines[head + 1:]]
        field, _ = lines[head].split(",")
        body = "\n".join(f"{a},{float(b) * 100!r}" for a, b in rows)
        header = ("# preamp gain: 100\n" + lines[head] if where == "preamble"
                  else f"{where}\n{lines[head]}" if where.startswith("#")
                  else f"{field},{where}")
        (folder / f.name).write_text("\n".join(lines[:head]) + "\n" + header + "\n" + body + "\n")
    return folder


@pytest.mark.parametrize("where, said", [
    ("preamble", "'preamp gain' writes an amplifier gain '100'"),
    ("Vmix x100 (uV)", "'Vmix x100 (uV)' (column 1) writes a gain 100 in its name"),
    ("Vmix*100 (uV)", "writes a gain 100 in its name"),
    ("Vmix (uV) [x100]", "writes a gain 100 in its name"),
    ("Vmix after 40 dB preamp (uV)", "writes a gain 100 in its name"),
    ("Vmix_amp100 (uV)", "writes a gain 100 in its name"),
    # a gain in an entry's value or in a remark: read without a word, torques 100 times too large
    ("# Preamplifier: SR560, gain 100", "gain '100' ('Preamplifier: SR560, gain 100')"),
    ("# SR560 preamp: gain = 100, 3 kHz low pass", "gain '100' ('SR560 preamp: gain = 100, 3 kHz"),
    ("# Settings: SR560 gain=100, filter 3 kHz", "gain '100' ('Settings: SR560 gain=100, filter"),
    ("# signal amplified 100x by an SR560", "gain '100' ('signal amplified 100x by an SR560')"),
    ("# Lock-in sensitivity 1 mV; preamp x100", "gain '100' ('Lock-in sensitivity 1 mV; preamp"),
    ("# Voltage preamplifier gain 1e2", "gain '1e2' ('Voltage preamplifier gain 1e2')"),
    # a factor apart from the amplifier's name, after a semicolon, as V/V or 'by N'
    ("# Preamp: SR560 (x100), DC coupled", "gain '100' ('Preamp: SR560 (x100), DC coupled')"),
    ("# SR560 preamp, x100, DC coupled", "gain '100' ('SR560 preamp, x100, DC coupled')"),
    ("# Power = 15 dBm; signal amplified 100x (SR560)", "gain '100' ('Power = 15 dBm; signal"),
    ("# Preamp: 100 V/V", "gain '100' ('Preamp: 100 V/V')"),
    ("# Voltage amplified by 100 (SR560)", "gain '100' ('Voltage amplified by 100 (SR560)')"),
    ("# SR560 gain 100 on battery power", "gain '100' ('SR560 gain 100 on battery power')"),
    ("# Preamp gain 10^2", "gain '10^2' ('Preamp gain 10^2')"),
    ("# Preamp SR560, gain 100, CMRR > 90 dB", "gain '100' ('Preamp SR560, gain 100, CMRR"),
    # a factor after the signal it scales, a gain's symbol with a subscript, a low-noise
    # amplifier: read past, V_s and V_a 100 times too large
    ("# Vmix x100", "gain '100' ('Vmix x100')"), ("# signal: x100", "gain '100' ('signal: x100')"),
    ("# G_mix=100", "gain '100' ('G_mix=100')"), ("# Vmix (x100)", "gain '100' ('Vmix (x100)')"),
    ("# LNA x100", "gain '100' ('LNA x100')"),
])
def test_an_amplifier_gain_written_in_the_file_is_asked_about(tmp_path, capsys, where, said):
    """A '# preamp gain: 100' line in an ST-FMR file, and a gain after the channel's name
    ('Vmix x100 (uV)', as the Hall reader asked about already), were read past: V_s and V_a
    100 times too large, no word. Whether the readings hold the gain the file does not say:
    asked, naming both answers; --voltage-gain 100 gives the numbers of the file without it."""
    amplified = _amplified(tmp_path / "amplified", where)
    assert main(["stfmr", str(amplified), "--out", str(tmp_path / "asked"), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "--voltage-gain 100 if it is not" in err and "--voltage-gain 1 if it is" in err
    runs = {}
    for name, files, extra in (("plain", [EXAMPLE], []),
                               ("gain", [amplified], ["--voltage-gain", "100"])):
        out = tmp_path / name
        assert main(["stfmr", *map(str, files), "--out", str(out), "--no-figures", *extra]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())
    for a, b in zip(runs["plain"]["spectra"], runs["gain"]["spectra"]):
        for k in ("vs", "va", "h_res", "width"):
            assert b[k]["value"] == pytest.approx(a[k]["value"], rel=1e-9), k


@pytest.mark.parametrize("line", [
    "# RF amplifier: 30 dB", "# microwave amplifier gain 30 dB",
    "# Sample: Py(6 nm)/Pt(6 nm), 10 x 40 um bar",
    "# Sample: 10 x 40 um bar measured with SR560 preamp",
    "# Lock-in amplifier SR830 with 24 dB/oct filter at 300 ms",
    "# Synthesizer output amplified 30 dB by a ZHL-4240 before the bias tee",
    "# 10 dB attenuator after the amplifier to protect the bias tee",
    "# Lock-in: Signal Recovery 7265, AC gain 20 dB, sensitivity 1 mV",
    "# Magnet: Kepco BOP 20-10 bipolar supply, gain 2 A/V", "# Field controller PID gain 10",
    "# Oscilloscope gain 10 mV/div", "# SR560 used as a 12 dB/oct low-pass filter (gain 1)",
    # a number followed by a unit, beside an amplifier's name (the follower is now read as a
    # unit or a word, not any word as a unit)
    "# Lock-in: SR830, time constant 300 ms, sensitivity 10 mV",
    "# Preamp: SR560, coupling DC, filter 10 Hz - 1 kHz", "# SR560 preamp, g-factor 2.1",
    "# Amplifier SR560 in battery mode, 3 kHz low pass", "# Preamp noise 4 nV/rtHz",
    "# preamp SR560 input impedance 100 MOhm", "# preamplifier model 5113, 2 channels",
    # the microwave chain by its makers, specifications, a filter's corner, a gain of 1
    "# Amplifier: Mini-Circuits ZVE-3W-83+, 35 dB", "# HP 83017A amplifier, 30 dB",
    "# Generator output amplified 30 dB", "# Broadband amplifier 2-18 GHz, 30 dB",
    "# source at 15 dBm, then a 30 dB amplifier", "# Preamp CMRR > 90 dB",
    "# preamp common-mode rejection 100 dB", "# amplifier 3 dB bandwidth 1 MHz",
    "# SR560 roll-off 6 dB per octave", "# preamp -3 dB at 100 kHz", "# preamp gain: 1",
    "# Gain 2w (applied in software): 1", "# Calibration gain 1.02",
    "# Lock-in amplifiers: SR830 x2", "# Preamp SR560: low-pass 3 dB corner at 30 kHz",
    # a gain's symbol of 1, a signal averaged (not amplified) ten times
    "# G=1", "# signals averaged x10",
    # Lande's g, other quantities named G, counts after a factor
    "# G = 2.1 (g-factor)", "# Lande g=2.05", "# gyromagnetic G=28",
    "# Spin mixing conductance G=5e14", "# Signal x 3 averages", "# Signal x4 channels",
    "# G = 0.5 mS", "# Hall bar 10 x 40 um, 2w signal"])
def test_an_rf_amplifier_or_a_size_is_no_voltage_gain(tmp_path, line):
    """The microwave chain's amplifiers and attenuators, the magnet's supply, controllers, an
    oscilloscope's scale, a filter's slope and the lock-in's own input gain do not scale V_mix,
    nor is a bar's '10 x 40 um' a gain: none is asked about (they were, after the first
    reading of gains in text)."""
    folder = tmp_path / "rf"
    folder.mkdir()
    f = sorted(EXAMPLE.glob("py_pt_*GHz.csv"))[0]
    (folder / f.name).write_text(line + "\n" + f.read_text())
    (d,) = read_stfmr([folder / f.name])
    (e,) = read_stfmr([f])
    assert np.array_equal(d.y, e.y)


def _at_powers(folder: Path, powers) -> Path:
    """The example's spectra written once per rf power (a header entry ``power_dBm``)."""
    folder.mkdir()
    for p in powers:
        for f in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
            (folder / f"{f.stem}_{p}dBm.csv").write_text(f"# power_dBm: {p}\n" + f.read_text())
    return folder


def test_spectra_at_several_powers_with_one_rf_current_are_flagged(tmp_path, capsys):
    """The CoFe/Pt dev13 files were taken at 9, 12 and 15 dBm: compared as repeats (notes of
    repeats that disagree) and all turned into torques with one --irf, although the rf current
    grows as sqrt(P) (a factor 2 over 6 dB). Spectra at other powers are no repeats, and the
    absolute torques of a power series with one rf current are flagged."""
    sample = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
              "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak", "--delta-r",
              "0.5Ohm"]
    mixed = _at_powers(tmp_path / "mixed", (0, 6))
    out = tmp_path / "o_mixed"
    assert main(["stfmr", str(mixed), "--out", str(out), "--no-figures", *sample]) == 0
    s = json.loads((out / "summary.json").read_text())
    reason = "were taken at 2 rf powers (0, 6 dBm) and share one rf current"
    for route in ("sequential", "global"):
        assert any(reason in f for f in s[route]["mu0_h_dl"].get("flags", [])), route
    assert not any(reason in f for f in s["sequential"]["xi_fmr"].get("flags", []))
    assert not any(n.startswith("repeats at") for n in s["notes"])
    same = _at_powers(tmp_path / "same", (6, 6.0001))
    out = tmp_path / "o_same"
    assert main(["stfmr", str(same), "--out", str(out), "--no-figures", *sample]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert not any("rf powers" in f for f in s["sequential"]["mu0_h_dl"].get("flags", []))


def test_powers_levelled_across_frequencies_are_noted_not_flagged(tmp_path):
    """A source power raised with frequency (one power per frequency) to keep the current at
    the device, calibrated: the torques were right and all were flagged as 'off' (exit 3 under
    --strict), a sqrt(P) argument that holds at one frequency only. Noted instead."""
    sample = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
              "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak", "--delta-r",
              "0.5Ohm"]
    folder = tmp_path / "levelled"
    folder.mkdir()
    plain = sorted(EXAMPLE.glob("py_pt_*GHz.csv"))
    for k, f in enumerate(plain):
        (folder / f.name).write_text(f"# power_dBm: {10 + k}\n" + f.read_text())
    runs = {}
    for name, inputs in (("levelled", [folder]), ("plain", plain)):
        out = tmp_path / f"o_{name}"
        assert main(["stfmr", *map(str, inputs), "--out", str(out), "--no-figures",
                     *sample]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())
    s = runs["levelled"]
    assert not any("rf powers" in f["reason"] for f in s.get("flags", []))
    assert any("one at each frequency, and share one rf current" in n for n in s["notes"])
    assert s["sequential"]["xi_dl"]["value"] == pytest.approx(
        runs["plain"]["sequential"]["xi_dl"]["value"], rel=1e-12)



def test_an_rf_current_per_frequency_gives_the_efficiencies_of_one_current(tmp_path, capsys):
    """A cable's loss makes the rf current at the device depend on frequency, and --irf took one
    value: a calibrated I_rf(f) could not be used. V_mix grows as I_rf^2 (the torque fields and
    the precession it rectifies as I_rf): the example spectra with V_mix scaled by c_f^2 and
    --irf-at f=c_f mA give the efficiencies of the files as they are with --irf 1mA; the torque
    fields, which differ between the currents, are given per spectrum only."""
    sample = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
              "20uOhmcm", "--rho-fm", "40uOhmcm", "--delta-r", "0.5Ohm", "--irf-is", "peak"]
    folder = tmp_path / "scaled"
    folder.mkdir()
    at = []
    for f in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        ghz = float(f.stem.split("_")[-1][:-3])
        c = 2.0 * float(np.exp(-(ghz - 8.0) / 20.0))    # the current falls with frequency
        lines = f.read_text().splitlines()
        head = [i for i, line in enumerate(lines) if line.startswith("Field")][0]
        body = [f"{h},{float(v) * c * c!r}" for h, v in
                (line.split(",") for line in lines[head + 1:] if line.strip())]
        (folder / f.name).write_text("\n".join(lines[:head + 1] + body) + "\n")
        at += ["--irf-at", f"{ghz:g}GHz={c!r}mA"]
    runs = {}
    for name, inputs, current in (("one", [EXAMPLE], ["--irf", "1mA", "--irf-is", "peak"]),
                                  ("per_frequency", [folder], at)):
        out = tmp_path / f"o_{name}"
        assert main(["stfmr", *map(str, inputs), "--out", str(out), "--no-figures", *sample,
                     *current]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())
    per = runs["per_frequency"]
    for route in ("sequential", "global"):
        for k in ("xi_dl", "xi_fl", "xi_fmr", "xi_e_dl", "xi_e_fl"):
            a, b = runs["one"][route][k], per[route][k]
            assert b["value"] == pytest.approx(a["value"], rel=1e-6), (route, k)
            assert b["stderr"] == pytest.approx(a["stderr"], rel=1e-4), (route, k)
        assert "mu0_h_dl" not in per[route] and "mu0_h_oe" not in per[route]
    assert any("rf currents per frequency (--irf-at)" in n for n in per["notes"])
    by_f = per["sample"]["i_rf_peak_by_frequency"]
    assert by_f["frequencies"][0] == 8.0 and by_f["values"][0] == pytest.approx(2.0)
    for row in per["spectra"]:          # the fields of each spectrum at its current
        c = 2.0 * np.exp(-(row["frequency"]["value"] - 8.0) / 20.0)
        assert row["torques_sequential"]["mu0_h_oe"]["value"] == pytest.approx(
            runs["one"]["spectra"][0]["torques_sequential"]["mu0_h_oe"]["value"] * c)


@pytest.mark.parametrize("extra, said", [
    (["--irf-at", "8GHz=1mA"], "gives no current at 10, 12, 14, 16, 18 GHz"),
    (["--irf-at", "7GHz=1mA"], "7 GHz is no frequency of the files"),
    (["--irf", "1mA", "--irf-is", "peak", "--irf-at", "8GHz=1mA"], "not both"),
    (["--irf-at", "8GHz"], "write FREQ=CURRENT"),
])
def test_rf_currents_per_frequency_must_match_the_files(tmp_path, capsys, extra, said):
    sample = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
              "20uOhmcm", "--rho-fm", "40uOhmcm", "--delta-r", "0.5Ohm", "--irf-is", "peak"]
    with pytest.raises(SystemExit) if said == "write FREQ=CURRENT" else _no_raise():
        assert main(["stfmr", str(EXAMPLE), "--out", str(tmp_path / "o"), "--no-figures",
                     *sample, *extra]) == 2
    assert said in capsys.readouterr().err


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("scale,said", [(1e-3, "check the field unit"),
                                        (10.0, "with the field in plane: the film is saturated")])
def test_a_field_unit_slip_flags_the_damping_and_the_inhomogeneous_width(tmp_path, scale, said):
    """Tesla under an 'mT' header (1000 times too small) flagged M_eff, gamma/2pi and g but gave
    alpha and W_0 1000 times too small with no flag on them; Oe under 'mT' (10 times too large)
    gave alpha 0.099 for 0.010, unflagged, while M_eff came out -1.6 T, a perpendicular easy
    axis whose film the fields did not saturate: the Gilbert law is a saturated film's."""
    folder = tmp_path / "in_slip"
    folder.mkdir()
    for f in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        lines = f.read_text().splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("Field"))
        body = [f"{float(a) * scale!r},{b}" for a, b in (ln.split(",") for ln in lines[at + 1:])]
        (folder / f.name).write_text("\n".join(lines[:at + 1] + body) + "\n")
    runs = {}
    for name, src in (("plain", EXAMPLE), ("slip", folder)):
        out = tmp_path / name
        assert main(["stfmr", str(src), "--no-figures", "--no-global", "--out", str(out)]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["sequential"]
    for k in ("alpha",) if scale > 1 else ("alpha", "linewidth_inhomogeneous"):
        assert any(said in f for f in runs["slip"][k]["flags"]), (k, runs["slip"][k])
        assert not any(said in f for f in runs["plain"][k].get("flags", []))
    # the spectra's tables carry their flags (they went into them unmarked; with the fields
    # 10 times too large every row said 'none', the route's flag in summary.json alone: now
    # the spectra that resonate below the saturation field of the route's M_eff say so)
    import pandas as pd

    for name in ("spectra.csv", "spectra_combined.csv"):
        slip = pd.read_csv(tmp_path / "slip" / name, keep_default_na=False)
        plain = pd.read_csv(tmp_path / "plain" / name, keep_default_na=False)
        assert any(said in f for f in slip["flags"])
        assert scale > 1 or all(f != "none" for f in slip["flags"])
        assert not any(said in f for f in plain["flags"])


@pytest.mark.parametrize("steps,noise,flagged,route", [
    (8, 0.0, True, "--no-global"), (8, 0.0, True, "--strict"), (2000, 0.0, False, "--no-global"),
    # noise of 1.5 steps dithers the steps (a 16-bit converter on a small line): not rounded
    (8, 1.5, False, "--no-global")])
def test_voltages_rounded_to_a_few_steps_are_flagged(tmp_path, steps, noise, flagged, route):
    """V_mix written with too few digits (1 uV steps on a 3 uV line: 8 values) gave xi_FMR 6
    standard errors off with no flag. Each spectrum rounded to ``steps`` of its span: a few
    flag the spectrum and the route's amplitudes; thousands, as measured files have, do not."""
    folder = tmp_path / "in_rounded"
    folder.mkdir()
    for f in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        lines = f.read_text().splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("Field"))
        rows = [ln.split(",") for ln in lines[at + 1:]]
        v = np.array([float(b) for _, b in rows])
        step = (v.max() - v.min()) / steps
        v = v + np.random.default_rng(len(rows)).normal(0.0, noise * step, v.size)
        body = [f"{a},{float(round(float(b) / step) * step)!r}" for (a, _), b in zip(rows, v)]
        (folder / f.name).write_text("\n".join(lines[:at + 1] + body) + "\n")
    out = tmp_path / "out"
    # sequential alone (the points let go after each chunk's checks), and with the global fit
    # (the windows kept), where --strict makes the flag exit status 3
    assert main(["stfmr", str(folder), "--no-figures", route, "--out", str(out)]) == (
        3 if route == "--strict" else 0)
    s = json.loads((out / "summary.json").read_text())
    said = [f for f in s["flags"] if "the numbers were rounded" in f["reason"]]
    assert bool(said) == flagged
    if flagged:
        assert {f["quantity"] for f in said} >= {"spectra[0].vs", "spectra[0].h_res"}


def test_a_line_wider_than_the_sweep_names_a_curved_background(tmp_path, capsys):
    """A background c (mu0 H)^2 (heating, a magnetoresistance) under the lines made the search
    fit resonances of 0.3-5 T half width: 'the fitted resonance 0 T (HWHM 0.463 T) does not lie
    inside the sweep', which did not say why. The message now names the curved background."""
    folder = tmp_path / "in_curved"
    folder.mkdir()
    for f in sorted(EXAMPLE.glob("py_pt_*GHz.csv")):
        lines = f.read_text().splitlines()
        at = next(i for i, ln in enumerate(lines) if ln.startswith("Field"))
        body = [f"{a},{float(b) + 2000.0 * (float(a) * 1e-3) ** 2!r}"
                for a, b in (ln.split(",") for ln in lines[at + 1:])]
        (folder / f.name).write_text("\n".join(lines[:at + 1] + body) + "\n")
    status = main(["stfmr", str(folder), "--no-figures", "--no-global",
                   "--out", str(tmp_path / "out")])
    assert status in (0, 2)
    text = capsys.readouterr()
    said = text.err + text.out + "".join(
        p.read_text() for p in (tmp_path / "out").glob("summary.json"))
    assert "a line wider than an eighth of the sweep at its end: a curved background" in said


@pytest.mark.parametrize("rho", [0.3, 0.6, 0.85])
def test_the_correlation_factor_is_that_of_a_first_order_autoregression(rho):
    """correlation_factor(rho)^2 = (1 + rho)/(1 - rho) is how much larger the variance of a mean
    of n points of AR(1) noise (lag-1 autocorrelation rho) is than the sigma^2/n a fit of
    independent points states, for n much larger than the correlation length: 4000 series of
    400 points, to the 5 % their spread allows."""
    from sotfit.analysis.stfmr.checks import correlation_factor

    rng = np.random.default_rng(7)
    n, series = 400, 4000
    e = rng.normal(size=(series, n))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0]
    for k in range(1, n):
        x[:, k] = rho * x[:, k - 1] + np.sqrt(1 - rho ** 2) * e[:, k]
    ratio = x.mean(axis=1).var() / (1.0 / n)
    assert ratio == pytest.approx(correlation_factor(rho) ** 2, rel=0.05)
    assert correlation_factor(-0.2) == 1.0 and correlation_factor(None) == 1.0
