"""`sotfit hall` end to end: options with units, summary.json with stable names, figures."""

import json
import math
from pathlib import Path

import pytest

from sotfit.cli import main

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example"
CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel", "X",
        "--gain-2w", "10"]


def test_cli_avci_writes_summary_tables_and_figures(tmp_path, capsys):
    files = sorted(str(p) for p in (EX / "inplane").glob("phi_*.csv"))
    out = tmp_path / "avci"
    rc = main(["hall", *files, "--method", "avci", *CONV, "--meff", "0.8T", "--r-ahe", "0.8Ohm",
               "--t-fm", "5nm", "--t-nm", "5nm", "--width", "10um", "--ms", "1T",
               "--resistivity", "20uOhmcm", "--current-fraction", "0.5", "--out", str(out)])
    assert rc == 0
    s = json.loads((out / "summary.json").read_text())
    q = s["quantities"]
    for name, unit in (("mu0_h_dl", "T"), ("mu0_h_fl_oe", "T"), ("mu0_h_fl", "T"), ("r_ane", "Ohm"),
                       ("xi_dl", ""), ("xi_fl", ""), ("r_phe", "Ohm")):
        assert q[name]["unit"] == unit and q[name]["stderr"] is not None
    truth = json.loads((EX / "truth.json").read_text())["samples"]["inplane"]
    assert abs(q["mu0_h_dl"]["value"] - truth["mu0_h_dl"]) < 2 * q["mu0_h_dl"]["stderr"]
    # Oersted field removed: thin sheet, f I0 / (2 w) along -y for the spin source below
    assert q["mu0_h_fl"]["value"] > q["mu0_h_fl_oe"]["value"]
    assert s["excluded"] and s["conventions"]["current_is"] == "rms"
    assert (out / "parameters.csv").is_file() and (out / "scans.csv").is_file()
    assert list(out.glob("*.png"))
    # never overwrite silently
    rc = main(["hall", *files, "--method", "avci", *CONV, "--out", str(out)])
    assert rc == 2
    assert "exists" in capsys.readouterr().err


def test_cli_requires_the_conventions(tmp_path, capsys):
    """Whether the current is peak or rms is never assumed: without --current-is, and with no
    file that writes it ('I_ac = 1.5 mA rms'), the command stops naming the option."""
    files = sorted(str(p) for p in (EX / "inplane").glob("phi_*.csv"))
    assert main(["hall", *files, "--method", "avci", "--current", "1.5mA", "--lockin-output", "rms",
                 "--r2w-channel", "X", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "need --current-is: state it explicitly (--current-is peak or --current-is rms)" in err
    assert "current_is" not in err          # the command line's spelling, not Python's
    assert not (tmp_path / "x").exists()


def test_cli_pma_methods_and_global_fit_with_figures(tmp_path):
    truth = json.loads((EX / "truth.json").read_text())["samples"]["pma"]
    sweeps = sorted(str(p) for p in (EX / "pma").glob("sweep_*.csv"))
    thetas = sorted(str(p) for p in (EX / "pma").glob("theta_*.csv"))
    assert main(["hall", *thetas, "--method", "angular", *CONV, "--r-phe", "0.15Ohm",
                 "--out", str(tmp_path / "c")]) == 0
    c = json.loads((tmp_path / "c" / "summary.json").read_text())["quantities"]
    assert abs(c["r_ane"]["value"] - truth["r_ane"]) < 2 * c["r_ane"]["stderr"]
    assert main(["hall", *sweeps, "--method", "hayashi", *CONV, "--r-phe", "0.15Ohm",
                 "--r-ane", f"{c['r_ane']['value']}Ohm", "--out", str(tmp_path / "b")]) == 0
    b = json.loads((tmp_path / "b" / "summary.json").read_text())["quantities"]
    assert abs(b["mu0_h_fl_oe"]["value"] - truth["mu0_h_fl"]) < 2 * b["mu0_h_fl_oe"]["stderr"]
    assert abs(b["mu0_h_dl"]["value"] - truth["mu0_h_dl"]) < 2 * b["mu0_h_dl"]["stderr"]
    # (b) and (c) determine R_AHE and the anisotropy field with a standard error, in stated units
    for q in (b, c):
        for name, key, unit in (("r_ahe", "r_ahe", "Ohm"), ("mu0_hk_eff", "mu0_hk", "T")):
            assert q[name]["unit"] == unit and q[name]["stderr"] > 0
            assert abs(q[name]["value"] - truth[key]) < 2 * q[name]["stderr"]
    assert main(["hall", *thetas[:3], *sweeps, "--method", "macrospin", *CONV, "--r-phe", "0.15Ohm",
                 "--free", "tilt_x,tilt_y", "--out", str(tmp_path / "d")]) == 0
    d = json.loads((tmp_path / "d" / "summary.json").read_text())["quantities"]
    for name, key in (("mu0_h_dl", "mu0_h_dl"), ("mu0_h_fl_oe", "mu0_h_fl"), ("mu0_hk_eff", "mu0_hk")):
        assert abs(d[name]["value"] - truth[key]) < 2 * d[name]["stderr"]
    for sub in "bcd":
        assert list((tmp_path / sub).glob("*.png"))


@pytest.mark.parametrize("line", ["I_ac = 1.5 mA rms", "I_ac = 1.5 mA (RMS)", "I_ac = 1.5mA rms",
                                  "I_rms = 1.5 mA", "I_ac (mA, rms): 1.5", "I_ac_rms (mA): 1.5"])
def test_a_current_written_with_its_convention_in_the_preamble(tmp_path, capsys, line):
    """``# I_ac = 1.5 mA rms`` above the table (it was 'unknown unit 'mA rms''), or the
    convention in the entry's name or unit (``I_rms``, ``I_ac (mA, rms)``: 'no current in the
    preamble'): the current and whether it is rms are the file's, the numbers those of --current
    1.5mA --current-is rms; an option that contradicts the file's convention is an error naming
    both."""
    rest = ["--lockin-output", "rms", "--r2w-channel", "X", "--gain-2w", "10", "--meff", "0.8T",
            "--r-ahe", "0.8Ohm", "--no-figures"]
    files = []
    for p in sorted((EX / "inplane").glob("phi_*.csv")):
        q = tmp_path / p.name
        q.write_text(f"# {line}\n" + p.read_text())
        files.append(str(q))
    assert main(["hall", *files, "--method", "avci", *rest, "--out", str(tmp_path / "a")]) == 0
    assert main(["hall", *(str(p) for p in sorted((EX / "inplane").glob("phi_*.csv"))),
                 "--method", "avci", "--current", "1.5mA", "--current-is", "rms", *rest,
                 "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((tmp_path / k / "summary.json").read_text()) for k in "ab")
    assert a["quantities"] == b["quantities"] and a["conventions"]["current_is"] == "rms"
    assert any("source current read as rms" in n for n in a["notes"])
    assert main(["hall", *files, "--method", "avci", "--current-is", "peak", *rest,
                 "--out", str(tmp_path / "c")]) == 2
    assert "source current as rms but --current-is peak was given" in capsys.readouterr().err


def _with_preamble(tmp_path, lines, sub="files"):
    """The example's in-plane rotations, each with the preamble lines ``lines`` above its
    table, in folder ``sub`` of ``tmp_path``."""
    folder = tmp_path / sub
    folder.mkdir()
    files = []
    for p in sorted((EX / "inplane").glob("phi_*.csv")):
        q = folder / p.name
        q.write_text("".join(f"# {line}\n" for line in lines) + p.read_text())
        files.append(str(q))
    return files


@pytest.mark.parametrize("line, current, form", [
    ("AC current amplitude (rms): 1.5 mA", "1.5mA", "rms"),
    ("AC current amplitude (rms) = 1.5 mA", "1.5mA", "rms"),
    ("Current amplitude [rms]: 1.5 mA", "1.5mA", "rms"),
    ("I_ac amplitude (peak): 2.12132034 mA", "2.12132034mA", "peak")])
def test_a_current_amplitude_with_its_convention_in_brackets(tmp_path, capsys, line, current,
                                                             form):
    """``# AC current amplitude (rms): 1.5 mA`` (or ``= 1.5 mA``, ``[rms]``, ``I_ac amplitude
    (peak)``) above the table was not read (the bracket taken for an unknown unit; the command
    asked for --current): the file's current and convention give the numbers of the same
    --current and --current-is, and those of the plain ``I_ac = 1.5 mA rms``; options that
    agree are taken, options that contradict the file are errors naming both."""
    rest = ["--method", "avci", "--lockin-output", "rms", "--r2w-channel", "X", "--gain-2w", "10",
            "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures"]
    files = _with_preamble(tmp_path, [line])
    plain = _with_preamble(tmp_path, ["I_ac = 1.5 mA rms"], "plain")
    assert main(["hall", *files, *rest, "--out", str(tmp_path / "a")]) == 0
    assert main(["hall", *(str(p) for p in sorted((EX / "inplane").glob("phi_*.csv"))), *rest,
                 "--current", current, "--current-is", form, "--out", str(tmp_path / "b")]) == 0
    assert main(["hall", *plain, *rest, "--out", str(tmp_path / "p")]) == 0
    a, b, c = (json.loads((tmp_path / k / "summary.json").read_text()) for k in "abp")
    assert a["quantities"] == b["quantities"] and a["conventions"]["current_is"] == form
    assert any(f"source current read as {form}" in n for n in a["notes"])
    for name in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):      # 2.12132034 mA peak = 1.5 mA rms
        assert a["quantities"][name]["value"] == pytest.approx(c["quantities"][name]["value"],
                                                               rel=1e-6)
    assert main(["hall", *files, *rest, "--current", current, "--current-is", form,
                 "--out", str(tmp_path / "d")]) == 0
    capsys.readouterr()
    other = "peak" if form == "rms" else "rms"
    assert main(["hall", *files, *rest, "--current-is", other, "--out", str(tmp_path / "e")]) == 2
    assert f"source current as {form} but --current-is {other} was given" in capsys.readouterr().err
    assert main(["hall", *files, *rest, "--current", "3mA", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert "gives the source current" in err and "but --current 3mA was given" in err


@pytest.mark.parametrize("line", ["Field amplitude (rms): 1.5 mA", "Modulation amplitude (rms): 1.5 mA",
                                  "Lock-in modulation amplitude [rms] = 1.5 mA"])
def test_another_amplitude_with_a_convention_is_no_current(tmp_path, capsys, line):
    """An amplitude of something other than the source current, with a convention in brackets,
    is not taken for the current: without --current the command asks for it, and a --current
    and --current-is of another value and convention are no conflict."""
    rest = ["--method", "avci", "--lockin-output", "rms", "--r2w-channel", "X", "--gain-2w", "10",
            "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures"]
    files = _with_preamble(tmp_path, [line])
    assert main(["hall", *files, *rest, "--current-is", "rms", "--out", str(tmp_path / "a")]) == 2
    assert "no current column, and no current in the preamble" in capsys.readouterr().err
    assert main(["hall", *files, *rest, "--current", "2mA", "--current-is", "peak",
                 "--out", str(tmp_path / "b")]) == 0


def test_angular_method_does_not_follow_the_last_bit_of_a_pole_angle(tmp_path):
    """The xz rotations of the example written in rad with ten digits (-180 deg as
    -3.141592654), or starting at 180 deg instead of -180: method (c) gives the numbers and
    flags of the degree files (the side of sin theta_M at the pole followed the last bit of
    the angle: 0.13 standard errors on mu0_h_dl and three flags from a reduced chi-square)."""
    import math

    import pandas as pd

    thetas = sorted((EX / "pma").glob("theta_*.csv"))
    argv = ["--method", "angular", *CONV, "--r-phe", "0.15Ohm", "--no-figures"]
    assert main(["hall", *map(str, thetas), *argv, "--out", str(tmp_path / "deg")]) == 0
    rad, turned = tmp_path / "rad", tmp_path / "turned"
    rad.mkdir(), turned.mkdir()
    for p in thetas:
        df = pd.read_csv(p)
        angle = df.pop("theta (deg)")
        r = df.copy()
        r.insert(0, "theta (rad)", [float(f"{math.radians(a):.10g}") for a in angle])
        r.to_csv(rad / p.name, index=False)
        t = df.copy()
        t.insert(0, "theta (deg)", angle.where(angle != -180.0, 180.0))
        t.to_csv(turned / p.name, index=False)
    ref = json.loads((tmp_path / "deg" / "summary.json").read_text())
    for folder in (rad, turned):
        files = sorted(str(p) for p in folder.glob("*.csv"))
        assert main(["hall", *files, *argv, "--out", str(tmp_path / f"o_{folder.name}")]) == 0
        s = json.loads((tmp_path / f"o_{folder.name}" / "summary.json").read_text())
        for name, q in ref["quantities"].items():     # ten digits move the angles by 1e-10 rad
            if isinstance(q, dict) and q.get("stderr"):
                assert abs(s["quantities"][name]["value"] - q["value"]) < 1e-3 * q["stderr"], name
        assert len(s["flags"]) == len(ref["flags"]), folder.name


def test_a_folder_stands_for_its_files(tmp_path, capsys):
    """``sotfit hall DIR`` reads the tables in DIR as ``DIR/*.csv`` does (it said 'DIR: no such
    file'); a folder of sample folders names them; ``sotfit thickness DIR`` says to name the
    tables."""
    args = ["--method", "avci", *CONV, "--meff", "0.8T", "--r-ahe", "0.8Ohm"]
    files = sorted(str(p) for p in (EX / "inplane").glob("phi_*.csv"))
    assert main(["hall", *files, *args, "--out", str(tmp_path / "a")]) == 0
    assert main(["hall", str(EX / "inplane"), *args, "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((tmp_path / d / "summary.json").read_text()) for d in "ab")
    assert a["quantities"] == b["quantities"] and a["files"] == b["files"] == files
    capsys.readouterr()
    assert main(["hall", str(EX), *args, "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "its subfolders are not searched: 3 of them hold data files (inplane, pma, pma_tilted)" in err
    assert main(["thickness", str(EX), "--out", str(tmp_path / "d")]) == 2
    assert "is a folder: give the thickness tables" in capsys.readouterr().err


def test_a_file_of_a_folder_that_is_not_a_table_is_named_with_how_to_leave_it_out(tmp_path,
                                                                                  capsys):
    """A README.txt beside the tables of a folder given as input: the error says that the file
    came from the folder and how to leave it out (it named only the file)."""
    import shutil

    folder = tmp_path / "scans"
    shutil.copytree(EX / "inplane", folder)
    (folder / "README.txt").write_text("Py/Pt sample, measured 2024\n")
    args = ["--method", "avci", *CONV, "--meff", "0.8T", "--r-ahe", "0.8Ohm"]
    assert main(["hall", str(folder), *args, "--out", str(tmp_path / "o")]) == 2
    assert (f"(README.txt is a file of the folder {folder} given as input: if it is not a data "
            "file, leave it out by giving the data files by name") in capsys.readouterr().err


def test_values_given_to_the_method_are_not_printed_as_results(tmp_path, capsys):
    """'mu0_hk_eff = -0.8 +/- 0 T', 'r_ahe = 0.8 +/- 0' read as fitted values: the inputs
    are printed '(given)'."""
    from pathlib import Path

    from sotfit.cli import main

    ex = sorted((Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane")
                .glob("phi_*.csv"))
    assert main(["hall", *map(str, ex), "--method", "avci", "--current", "1.5mA",
                 "--current-is", "rms", "--lockin-output", "rms", "--r2w-channel", "X",
                 "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures",
                 "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "mu0_hk_eff = -0.8 T (given)" in out and "r_ahe = 0.8 Ohm (given)" in out
    assert "+/- 0 " not in out


def test_a_note_every_scan_of_a_file_repeats_is_said_once():
    """A long table of seven rotations printed 'source current 4 mA read from the preamble'
    seven times (Ta/CoFeB: 20 reader notes before the results): once for the file, with the
    number of its scans; a note of one scan keeps that scan's name."""
    from types import SimpleNamespace

    from sotfit.cli.hall import _reader_notes

    scans = [SimpleNamespace(source=f"long.csv [field {b} mT]",
                             meta={"reader_notes": ["current read from the preamble"]
                                   + (["one point left out"] if b == 80 else [])})
             for b in (50, 80, 120)]
    scans.append(SimpleNamespace(source="other.csv", meta={"reader_notes": ["current read from "
                                                                             "the preamble"]}))
    assert _reader_notes(scans) == [
        "reader: long.csv (3 scans): current read from the preamble",
        "reader: long.csv [field 80 mT]: one point left out",
        "reader: other.csv: current read from the preamble"]


def test_r_ane_with_its_error_carries_it_into_the_damping_like_field(tmp_path):
    """--r-ane from method (c) was taken as exact: (b)'s H_DL error 8.7e-6 T where r_ane's own
    error (0.063 mOhm) alone is worth 6.7e-5 T. Given as VALUE+/-ERR it is carried: the error
    is that of the exact run and the derivative dH_DL/dr_ane times the error, in quadrature."""
    sweeps = sorted(str(p) for p in (EX / "pma").glob("sweep_*.csv"))
    base = ["hall", *sweeps, "--method", "hayashi", *CONV, "--r-phe", "0.15Ohm"]
    r_ane, err = 1.84e-4, 6.3e-5            # Ohm
    runs = {}
    for name, given in (("exact", f"{r_ane}Ohm"), ("up", f"{r_ane + 1e-6}Ohm"),
                        ("with_error", f"{r_ane * 1e3}+/-{err * 1e3}mOhm")):
        out = tmp_path / name
        assert main([*base, "--r-ane", given, "--out", str(out)]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())
    h = {k: v["quantities"]["mu0_h_dl"] for k, v in runs.items()}
    slope = (h["up"]["value"] - h["exact"]["value"]) / 1e-6
    assert h["with_error"]["value"] == pytest.approx(h["exact"]["value"], rel=1e-12)
    assert h["with_error"]["stderr"] == pytest.approx(
        math.hypot(h["exact"]["stderr"], slope * err), rel=1e-3)
    assert h["with_error"]["stderr"] > 5 * h["exact"]["stderr"]
    assert any("r_ane taken as exact" in n for n in runs["exact"]["notes"])
    assert not any("r_ane taken as exact" in n for n in runs["with_error"]["notes"])
