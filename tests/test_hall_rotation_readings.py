"""In-plane rotations read as a lab records them but not as the model expects: the second
harmonic in the lock-in's other channel (a phase setting of 90 deg), X and Y columns swapped,
the angle reading turned by 90 deg (a sample mounted across the rotator's zero). Each gave
torques of noise, flagged only as "consistent with zero" (or not at all: X and Y swapped gave
H_DL 25 times too small with the wrong sign and no flag); each is now an error naming the cause
and the option that mends it, and that option gives the torques of the files as bundled."""

import json

import numpy as np
import pandas as pd

from bundled import ROTATIONS, avci_options
from sotfit.cli import main

QUANTITIES = ("r_phe", "mu0_h_fl_oe", "mu0_h_dl", "r_ane")


def _variants(folder, change):
    folder.mkdir()
    out = []
    for path in ROTATIONS:
        frame = change(pd.read_csv(path))
        out.append(folder / path.name)
        frame.to_csv(out[-1], index=False)
    return out


def _run(files, out, *extra, options=None):
    return main(["hall", *map(str, files), *(options or avci_options()), *extra,
                 "--out", str(out)])


def _same_torques(out, ref):
    got, want = (json.loads((o / "summary.json").read_text())["quantities"] for o in (out, ref))
    for k in QUANTITIES:
        assert np.isclose(got[k]["value"], want[k]["value"], rtol=1e-8, atol=0), k
        assert np.isclose(got[k]["stderr"], want[k]["stderr"], rtol=1e-6), k


def test_the_second_harmonic_in_the_other_channel_is_named(tmp_path, capsys):
    """Phase set 90 deg off: the 2w signal in Y (X2' = -Y2, Y2' = X2). Reading X is refused
    naming channel Y; --r2w-channel Y gives the bundled torques."""
    def turn(f):
        f["X2 (uV)"], f["Y2 (uV)"] = -f["Y2 (uV)"], f["X2 (uV)"].copy()
        return f
    files = _variants(tmp_path / "y", turn)
    assert _run(ROTATIONS, tmp_path / "ref") == 0
    assert _run(files, tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert "second-harmonic channel read (channel X: 'X2 (uV)') varies" in err
    assert "the second harmonic is in channel Y. Give --r2w-channel Y" in err
    options = avci_options()
    options[options.index("--r2w-channel") + 1] = "Y"
    assert _run(files, tmp_path / "out", options=options) == 0
    _same_torques(tmp_path / "out", tmp_path / "ref")


def test_x_and_y_columns_swapped_are_refused_not_read_as_noise(tmp_path, capsys):
    def swap(f):
        return f.rename(columns={"X1 (uV)": "Y1 (uV)", "Y1 (uV)": "X1 (uV)",
                                 "X2 (uV)": "Y2 (uV)", "Y2 (uV)": "X2 (uV)"})
    files = _variants(tmp_path / "swapped", swap)
    assert _run(files, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "first-harmonic channel read (channel X" in err and "--r1w-channel Y" in err
    assert "columns are swapped" in err and not (tmp_path / "out").exists()


def test_an_angle_reading_turned_by_90_deg_is_named_and_phi_offset_mends_it(tmp_path, capsys):
    """The rotator's zero 90 deg from the current (the column reads phi + 90): R_1w alone
    gives phi0 only modulo 90 deg, the second harmonic is then a sin where the model has a cos:
    an error giving both offsets the data allow; --phi-offset 90deg gives the bundled torques
    (and -90deg the same with the opposite sign, which the data cannot tell apart);
    --phi-h, the azimuth of field sweeps, is refused for rotations."""
    def turn(f):
        f["phi (deg)"] = f["phi (deg)"] + 90.0
        return f
    files = _variants(tmp_path / "turned", turn)
    assert _run(ROTATIONS, tmp_path / "ref") == 0
    assert _run(files, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "the second harmonic is a sin(phi - phi0) where the model has cos" in err
    assert "93 or -87 deg (--phi-offset" in err
    assert _run(files, tmp_path / "phi_h", "--phi-h", "90deg") == 2
    assert "in an in-plane rotation the azimuth is the angle column" in capsys.readouterr().err
    assert _run(files, tmp_path / "fixed", "--phi-offset", "90deg") == 0
    _same_torques(tmp_path / "fixed", tmp_path / "ref")
    assert _run(files, tmp_path / "other", "--phi-offset=-90deg") == 0
    other = json.loads((tmp_path / "other" / "summary.json").read_text())["quantities"]
    ref = json.loads((tmp_path / "ref" / "summary.json").read_text())["quantities"]
    assert np.isclose(other["mu0_h_dl"]["value"], -ref["mu0_h_dl"]["value"], rtol=1e-8)


def test_two_fields_name_what_the_damping_like_law_needs(tmp_path, capsys):
    """Rotations at two fields: H_FL's 1/H law has one parameter, the a_cos law of H_DL two; the
    error names the fields and how many are needed (it was the fitter's "2 point(s) cannot
    determine 2 free parameter(s)", after a message saying two fields were enough)."""
    two = [p for p in ROTATIONS if p.stem in ("phi_100mT", "phi_400mT")]
    assert _run(two, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "has 2 free parameters" in err and "(100, 400 mT)" in err
    assert "give rotations at 3 or more fields" in err


def test_rotations_over_part_of_a_turn_flag_r_phe_phi0_and_the_torques(tmp_path):
    """0-180 deg of the bundled rotations: R_PHE came out 30 of its standard errors from the
    planted 0.15 Ohm, unflagged (the terms of R_1w are not orthogonal over half a turn); it is
    flagged now, and the full turns are not."""
    files = _variants(tmp_path / "half", lambda f: f[f["phi (deg)"] <= 180.0])
    assert _run(files, tmp_path / "out") == 0
    flags = json.loads((tmp_path / "out" / "summary.json").read_text())["flags"]
    half = [f for f in flags if "part of a turn" in f["reason"]]
    assert {f["quantity"] for f in half} == {"quantities.r_phe", "quantities.phi0",
                                             "quantities.mu0_h_dl", "quantities.mu0_h_fl_oe",
                                             "quantities.r_ane"}
    assert "100 mT: 180 deg" in half[0]["reason"]
    assert _run(ROTATIONS, tmp_path / "ref") == 0
    ref = json.loads((tmp_path / "ref" / "summary.json").read_text())["flags"]
    assert not any("part of a turn" in f["reason"] for f in ref)


def test_coarse_full_turns_are_flagged_as_coarse_naming_the_terms_that_coincide(tmp_path):
    """Full turns of 8 angles 45 deg apart were flagged as 'rotations over part of a turn ...
    measure full turns' (here 9 angles 40 deg apart, of the bundled 2 deg steps); on 6 angles
    60 deg apart, where sin 4phi is -sin 2phi, R_PHE came out with a standard error of 1e10
    Ohm and the note passed on was the fitter's 'could not estimate error-bars'. The flag says
    the angles are too few, how many are needed and, on 6, which terms coincide."""
    def flags_and_notes(step):
        files = _variants(tmp_path / f"every_{step}", lambda f: f[f["phi (deg)"] % step == 0])
        assert _run(files, tmp_path / f"out_{step}") == 0
        s = json.loads((tmp_path / f"out_{step}" / "summary.json").read_text())
        return s["flags"], s["notes"]

    for step, n in ((40, 9), (60, 6)):
        flags, notes = flags_and_notes(step)
        coarse = [f for f in flags if "rotations of too few angles to separate the harmonics"
                  in f["reason"]]
        assert {f["quantity"] for f in coarse} == {
            "quantities.r_phe", "quantities.phi0", "quantities.mu0_h_dl",
            "quantities.mu0_h_fl_oe", "quantities.r_ane"}, step
        reason = coarse[0]["reason"]
        assert f"mT: {n} angles {step} deg apart" in reason
        assert "9 or more angles per turn" in reason and "30 deg or less (12 angles)" in reason
        assert not any("part of a turn" in f["reason"] for f in flags)
        assert not any("Could not estimate error-bars" in m for m in notes)
        if n == 6:
            assert "on 6 angles the 4phi terms of R_1w are its 2phi terms" in reason


def test_six_angles_name_the_terms_that_coincide_not_the_fitter(tmp_path):
    """R_1w of the model on 6 angles (no noise; R_2w with some): the fitter's 'Fit succeeded.
    Could not estimate error-bars.' was passed on as the note of four rotations, and nothing
    said why; the flag names the terms that coincide on 6 angles instead."""
    from sotfit.models.harmonic_hall import hall_harmonics, scan_fields

    rng = np.random.default_rng(1)
    phi = np.arange(0, 360, 60.0)
    parts = []
    for b in (0.05, 0.1, 0.2, 0.4, 0.8):
        r1, r2 = hall_harmonics(scan_fields(phi, "phi", field=b), 0.8, 0.15, -0.8, 4e-4, 2e-4,
                                4e-4)
        parts.append(pd.DataFrame({"phi (deg)": phi, "field (mT)": b * 1e3, "R1w_ohm": r1,
                                   "R_2w (Ohm)": r2 + rng.normal(0, 2e-6, phi.size)}))
    table = tmp_path / "six.csv"
    pd.concat(parts).to_csv(table, index=False)
    assert main(["hall", str(table), "--method", "avci", "--current", "1mA", "--current-is",
                 "peak", "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--r2w-sign", "1",
                 "--no-figures", "--out", str(tmp_path / "out")]) == 0
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert not any("Could not estimate error-bars" in n for n in s["notes"])
    r_phe = [f["reason"] for f in s["flags"] if f["quantity"] == "quantities.r_phe"]
    assert any("on 6 angles the 4phi terms of R_1w are its 2phi terms" in r for r in r_phe)


def test_the_terms_that_coincide_on_evenly_spaced_angles():
    """sin 4phi = -sin 2phi on 6 angles of a turn, sin 4phi = 0 on 8 (phase free: one term with
    cos 4phi), cos 3phi = cos phi on 4; 5, 7 and 9 or more angles keep the fitted terms apart."""
    from sotfit.analysis.hall.avci import grid_aliases

    assert grid_aliases(6) == ["the 4phi terms of R_1w are its 2phi terms"]
    assert grid_aliases(8) == ["sin 4phi and cos 4phi of R_1w are one term"]
    assert "the cos 3phi term of R_2w is its cos phi" in grid_aliases(4)
    assert all(grid_aliases(n) == [] for n in (5, 7, 9, 10, 12, 72, 180))


def test_a_rotation_of_another_sample_is_left_out_named(tmp_path, capsys):
    """A 200 mT file of another sample (every voltage 1.3 or 0.7 times) beside the bundled set:
    the larger one was taken for the saturated R_PHE, every other field called unsaturated and
    the run refused without naming it; the smaller was left out as "not saturated" between
    saturated fields. R_PHE of one film grows with the field and never falls: either file is
    left out naming why, and the torques are those of the bundled set."""
    assert _run(ROTATIONS, tmp_path / "ref") == 0
    for factor, words in ((1.3, "higher field 400 mT"), (0.7, "lower field 100 mT")):
        folder = tmp_path / f"x{factor}"
        folder.mkdir()
        frame = pd.read_csv([p for p in ROTATIONS if p.stem == "phi_200mT"][0])
        for col in ("X1 (uV)", "Y1 (uV)", "X2 (uV)", "Y2 (uV)"):
            frame[col] = frame[col] * factor
        odd = folder / "phi_200mT_sampleB.csv"
        frame.to_csv(odd, index=False)
        out = tmp_path / f"out{factor}"
        assert _run([*ROTATIONS, odd], out) == 0
        _same_torques(out, tmp_path / "ref")
        excluded = json.loads((out / "summary.json").read_text())["excluded"]
        why = [e["reason"] for e in excluded if e["source"].endswith("phi_200mT_sampleB.csv")]
        assert len(why) == 1 and words in why[0] and "another sample" in why[0]


def test_fields_in_ka_per_m_in_file_names_are_read(tmp_path):
    """Rotations named by their field in kA/m (`H_79.5774715kAm.csv`; a name cannot hold the
    slash): "no field column", and --field applies to every file. Read as the names give them,
    the torques of the bundled set (to the digits of the names)."""
    from scipy.constants import mu_0

    folder = tmp_path / "kAm"
    folder.mkdir()
    files = []
    for path in ROTATIONS:
        frame = pd.read_csv(path)
        tesla = float(frame.pop("field (mT)").iloc[0]) * 1e-3
        files.append(folder / f"H_{tesla / mu_0 / 1e3:.7f}kAm.csv")
        frame.to_csv(files[-1], index=False)
    assert _run(ROTATIONS, tmp_path / "ref") == 0
    assert _run(files, tmp_path / "out") == 0
    got, want = (json.loads((o / "summary.json").read_text())["quantities"]
                 for o in (tmp_path / "out", tmp_path / "ref"))
    for k in QUANTITIES:
        assert np.isclose(got[k]["value"], want[k]["value"], rtol=1e-6), k


def test_r_phe_given_to_method_a_is_said_not_used(tmp_path):
    """--r-phe with method (a) was passed over without a word (0.119 Ohm given, 0.15 fitted)."""
    options = [*ROTATIONS, *avci_options(), "--r-phe", "0.119Ohm"]
    assert main(["hall", *map(str, options), "--out", str(tmp_path / "out")]) == 0
    notes = json.loads((tmp_path / "out" / "summary.json").read_text())["notes"]
    assert any("R_PHE given (0.119 Ohm) is not used: method (a) fits it" in n for n in notes)
