"""The field of a rotation written once per file, not in a column: in a preamble entry or in the
file name (or a workbook's sheet name). The bundled in-plane rotations with their field column
taken out and the field written so must give exactly the numbers of the files with the column;
sources that disagree, or a name with two fields, are errors naming the file."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from bundled import avci_options
from sotfit.cli import main
from sotfit.io.hall import HallReadError
from sotfit.io.hall.file_quantities import preamble_theta_h, rotation_field, source_current

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"
FILES = sorted(EX.glob("phi_*.csv"))
AVCI = avci_options()


def _summary(files, out):
    assert main(["hall", *map(str, files), *AVCI, "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def with_column(tmp_path_factory):
    return _summary(FILES, tmp_path_factory.mktemp("column") / "out")


def _without_field_column(folder: Path, name, preamble) -> list[Path]:
    """The rotations without their field column, each named by ``name(mT)`` with the preamble
    lines ``preamble(mT)`` above the table."""
    folder.mkdir()
    out = []
    for f in FILES:
        df = pd.read_csv(f)
        mt = df["field (mT)"].iloc[0]
        target = folder / name(mt)
        target.write_text(preamble(mt) + df.drop(columns=["field (mT)"]).to_csv(index=False))
        out.append(target)
    return out


@pytest.mark.parametrize("name, preamble, source", [
    (lambda mt: f"rot_{mt}mT.csv", lambda mt: "", "file name ('{mt}mT')"),
    (lambda mt: f"rot_H{mt * 10}Oe.csv", lambda mt: "", "file name ('H{oe}Oe')"),
    (lambda mt: f"scan{mt}.csv", lambda mt: f"# Field (mT): {mt}\n", "preamble entry 'Field (mT)'"),
    (lambda mt: f"scan{mt}.csv", lambda mt: f"Sample: Py/Pt\nB = {mt / 1000} T\n",
     "preamble entry 'B'"),
    (lambda mt: f"scan{mt}.csv", lambda mt: f"Magnetic field (Oe),{mt * 10}\n",
     "preamble entry 'Magnetic field (Oe)'"),
])
def test_the_field_of_the_file_gives_the_numbers_of_the_column(tmp_path, with_column, name,
                                                               preamble, source):
    files = _without_field_column(tmp_path / "in", name, preamble)
    got = _summary(files, tmp_path / "out")
    assert got["quantities"] == with_column["quantities"]     # exact float equality
    assert [(e["field"], e["reason"]) for e in got["excluded"]] == \
        [(e["field"], e["reason"]) for e in with_column["excluded"]]
    mt = pd.read_csv(FILES[-1])["field (mT)"].iloc[0]
    said = source.format(mt=mt, oe=mt * 10)
    assert any(f"field of the rotation {mt:g} mT read from the {said}" in n
               for n in got["notes"])


def test_a_workbook_of_one_rotation_per_sheet_named_by_its_field(tmp_path, with_column):
    pytest.importorskip("openpyxl")
    book = tmp_path / "rotations.xlsx"
    with pd.ExcelWriter(book) as w:
        for f in FILES:
            df = pd.read_csv(f)
            df.drop(columns=["field (mT)"]).to_excel(
                w, sheet_name=f"{df['field (mT)'].iloc[0]}mT", index=False)
    got = _summary([book], tmp_path / "out")
    assert got["quantities"] == with_column["quantities"]


def test_a_preamble_and_a_name_that_disagree_are_refused(tmp_path):
    p = tmp_path / "rot_100mT.csv"
    df = pd.read_csv(FILES[0]).drop(columns=["field (mT)"])
    p.write_text("# Field (mT): 200\n" + df.to_csv(index=False))
    with pytest.raises(HallReadError, match=r"rot_100mT.csv: the preamble entry 'Field \(mT\)' "
                                            r"\(line 1\) gives 200 mT but the file name "
                                            r"\('100mT'\) gives 100 mT"):
        rotation_field(p)
    assert main(["hall", str(p), *AVCI, "--out", str(tmp_path / "o")]) == 2


@pytest.mark.parametrize("name, field", [
    ("rot_100mT.csv", 0.1), ("phi-H_1000Oe.dat", 0.1), ("x_0p25T.txt", 0.25), ("B50mT", 0.05),
    ("sample2T_rot.csv", None), ("rot_9GHz.csv", None), ("Pt5nm_rot.csv", None),
])
def test_fields_in_file_names(tmp_path, name, field):
    found = rotation_field(tmp_path / name)
    assert (found is None) if field is None else found[0] == pytest.approx(field, rel=1e-12)


def test_a_name_with_two_fields_and_an_entry_without_unit_are_refused(tmp_path):
    with pytest.raises(HallReadError, match="several values of the field of the rotation"):
        rotation_field(tmp_path / "rot_100mT_to_200mT.csv")
    p = tmp_path / "scan.csv"
    p.write_text("# Field: 100\n" + pd.read_csv(FILES[0]).drop(columns=["field (mT)"])
                 .to_csv(index=False))
    with pytest.raises(HallReadError, match=r"scan.csv: preamble entry 'Field' = '100' \(line 1\) "
                                            "has no unit"):
        rotation_field(p)


NO_CURRENT = [a for i, a in enumerate(AVCI) if a != "--current" and AVCI[i - 1] != "--current"]


@pytest.mark.parametrize("name, preamble, source", [
    (lambda mt: f"phi_{mt:03d}mT_I1p5mA.csv", lambda mt: "", "file name ('I1p5mA')"),
    (lambda mt: f"phi_{mt:03d}mT.csv", lambda mt: "# Current (mA): 1.5\n",
     "preamble entry 'Current (mA)' (line 1)"),
    (lambda mt: f"phi_{mt:03d}mT.csv", lambda mt: "I_source = 1500 uA\n",
     "preamble entry 'I_source' (line 1)"),
    # as a PyMeasure procedure writes its parameters (it was 'no current column')
    (lambda mt: f"phi_{mt:03d}mT.csv",
     lambda mt: "#Procedure: <__main__.HarmonicHallProcedure>\n#Parameters:\n"
                "#\tCurrent amplitude: 1.5 mA\n#Data:\n",
     "preamble entry 'Current amplitude' (line 3)"),
])
def test_the_source_current_of_the_file_gives_the_numbers_of_the_option(tmp_path, with_column,
                                                                         name, preamble, source):
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for f in FILES:
        mt = int(pd.read_csv(f)["field (mT)"].iloc[0])
        target = folder / name(mt)
        target.write_text(preamble(mt) + f.read_text())
        files.append(target)
    assert main(["hall", *map(str, files), *NO_CURRENT, "--out", str(tmp_path / "o")]) == 0
    got = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert got["quantities"] == with_column["quantities"]
    assert any(f"source current 1.5 mA read from the {source}" in n for n in got["notes"])
    # the option that states another current is refused, naming the file's
    assert main(["hall", *map(str, files), *NO_CURRENT, "--current", "2mA",
                 "--out", str(tmp_path / "o2")]) == 2


def test_a_current_option_that_disagrees_with_the_current_column_is_refused(tmp_path, capsys):
    """Before, the option silently replaced the column's currents."""
    files = []
    for f in FILES:
        df = pd.read_csv(f)
        df.insert(2, "I (mA)", 1.5)
        (tmp_path / f.name).write_text(df.to_csv(index=False))
        files.append(str(tmp_path / f.name))
    assert main(["hall", *files, *AVCI, "--out", str(tmp_path / "o1")]) == 0    # 1.5 mA: agree
    capsys.readouterr()
    wrong = [a if a != "1.5mA" else "3mA" for a in AVCI]
    assert main(["hall", *files, *wrong, "--out", str(tmp_path / "o2")]) == 2
    assert "column 'I (mA)' gives the source current 1.5 mA but --current 3mA was given" in \
        capsys.readouterr().err


def _read_back_current_files(folder: Path, jitter=0.002, seed=5) -> list[str]:
    """The example's rotations, each with a column of the source current read back on every
    row (1.5 mA rms with ``jitter`` of relative noise) that its voltages follow (times
    I/1.5 mA: over the row's current, the resistances of the example)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir()
    files = []
    for f in FILES:
        df = pd.read_csv(f)
        k = 1.0 + jitter * rng.standard_normal(len(df))
        df[["X1 (uV)", "Y1 (uV)"]] = df[["X1 (uV)", "Y1 (uV)"]].mul(k, axis=0)
        df[["X2 (uV)", "Y2 (uV)"]] = df[["X2 (uV)", "Y2 (uV)"]].mul(k, axis=0)
        df.insert(2, "I_source (mA)", 1.5 * k)
        df.to_csv(folder / f.name, index=False, float_format="%.15g")
        files.append(str(folder / f.name))
    return files


def test_files_of_one_current_read_back_on_every_row(tmp_path, with_column, capsys):
    """Each file's current read back on every row (0.2 % of noise; the files' mean currents
    differ by less than 0.1 %) was refused as 'measured at different currents ... analyse each
    current on its own': within the 2 % of one current they are one current, their mean, noted,
    and every row is divided by its own current (the example's torques). With --current the
    column is said not to be read; currents 2 % apart remain different currents."""
    files = _read_back_current_files(tmp_path / "in")
    plain = [a for i, a in enumerate(AVCI) if a != "--current" and AVCI[i - 1] != "--current"]
    out = tmp_path / "out"
    assert main(["hall", *files, *plain, "--out", str(out)]) == 0
    got = json.loads((out / "summary.json").read_text())
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"):
        assert got["quantities"][k]["value"] == pytest.approx(
            with_column["quantities"][k]["value"], rel=1e-9), k
    note = [n for n in got["notes"] if n.startswith("the source currents of the scans")]
    assert len(note) == 1 and "within the 2 % of one current read back" in note[0]
    assert got["conventions"]["current_peak_mA"] == pytest.approx(1.5 * 2 ** 0.5, rel=1e-3)
    capsys.readouterr()
    given = _summary(files, tmp_path / "given")
    assert sum("column 'I_source (mA)' (" in n and "not read: every row taken at --current 1.5mA"
               in n for n in given["notes"]) == len(FILES)
    other = _read_back_current_files(tmp_path / "other", jitter=0.0)
    twice = pd.read_csv(other[0])
    twice["I_source (mA)"] *= 1.03
    twice.to_csv(other[0], index=False, float_format="%.15g")
    assert main(["hall", *other, *plain, "--out", str(tmp_path / "o3")]) == 2
    assert "the files were measured at different currents (2.121, 2.185 mA peak" in \
        capsys.readouterr().err


def test_files_whose_currents_come_in_steps_under_2_percent_are_refused(tmp_path, capsys):
    """Files whose read-back currents rise in steps of 1.5 % (2.12 to 2.28 mA peak) were one
    current, their mean, noted as 'differ by up to 7.7 %, within the 2 % of one current': the
    groups were cut only where neighbours differ by more than 2 %. A spread wider than 2 % of
    the mean is different currents, refused naming them."""
    files = _read_back_current_files(tmp_path / "in", jitter=0.0)
    assert len(files) >= 4
    for k, f in enumerate(files):
        df = pd.read_csv(f)
        df["I_source (mA)"] *= 1.015 ** k
        df.to_csv(f, index=False, float_format="%.15g")
    plain = [a for i, a in enumerate(AVCI) if a != "--current" and AVCI[i - 1] != "--current"]
    capsys.readouterr()
    assert main(["hall", *files, *plain, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    top = 1.5 * 2 ** 0.5 * 1.015 ** (len(files) - 1)
    assert f"the files were measured at different currents (2.121 to {top:.4g} mA peak " \
           "(spread by" in err
    assert "currents in steps closer than the 2 % of one current read back, but spread wider " \
           "than it, are neither one current nor currents told apart" in err


@pytest.mark.parametrize("currents, merged", [
    ([2.0 * 1.015 ** k for k in range(8)], None), ([2.0, 2.03, 2.06], None),
    ([2.0, 2.0004, 2.001, 2.0395], 2.0102), ([2.0, 2.03], 2.015)])
def test_peak_currents_are_one_only_when_their_spread_is_within_2_percent(currents, merged):
    """Currents are one current when their spread (largest less smallest) is within 2 % of
    their mean, not when each is within 2 % of its neighbour."""
    from types import SimpleNamespace

    from sotfit.cli.common import CLIError
    from sotfit.cli.hall import _peak_current

    scans = [SimpleNamespace(meta={"current_peak": c}) for c in currents]
    if merged is None:
        with pytest.raises(CLIError, match="measured at different currents"):
            _peak_current(scans)
    else:
        assert _peak_current(scans)[0] == pytest.approx(merged, abs=1e-4)


def test_a_table_whose_currents_come_in_steps_under_2_percent_is_refused(tmp_path, capsys):
    """Rotations at 1.5 mA and 1.5 % more, twice more, ... in one table (a current column) were
    one scan at their mean current, merged per field: without --current, and with it naming
    one of them, the table is refused (each current's rows to a table of their own)."""
    table = _rotations_at_currents(tmp_path / "currents.csv",
                                   scales=tuple(1.015 ** k for k in range(5)))
    without = [a for i, a in enumerate(AVCI) if a != "--current" and AVCI[i - 1] != "--current"]
    capsys.readouterr()
    assert main(["hall", str(table), *without, "--out", str(tmp_path / "asked")]) == 2
    err = capsys.readouterr().err
    assert "column 'I_ac (mA)' holds scans at several source currents (1.5 to 1.592 mA " \
           "(spread by 6" in err
    assert "Write each current's rows to a table of its own" in err
    assert main(["hall", str(table), *AVCI, "--out", str(tmp_path / "given")]) == 2
    assert "the rows --current 1.5mA names cannot be told from those at the currents next " \
           "to it" in capsys.readouterr().err


@pytest.mark.parametrize("name, current", [
    ("rot_I1p5mA.csv", 1.5), ("rot_2mA_100mT.csv", 2.0), ("rot_500uA.csv", 0.5),
    ("rot_Iac=3mA.dat", 3.0), ("magnet_5A_rot.csv", None), ("rot_100mT.csv", None),
])
def test_source_currents_in_file_names(tmp_path, name, current):
    """mA and uA are a source current's units; a current in A is a magnet's, never read so."""
    found = source_current(tmp_path / name)
    assert (found is None) if current is None else found[0] == pytest.approx(current, rel=1e-12)


def test_a_field_option_that_disagrees_with_the_file_is_refused(tmp_path, capsys):
    """``--field`` once replaced the field column of every file without a word."""
    one = str(EX / "phi_100mT.csv")
    assert main(["hall", one, *AVCI, "--field", "50mT", "--out", str(tmp_path / "o1")]) == 2
    assert "column 'field (mT)' gives the field 100 mT but --field 50mT was given" in \
        capsys.readouterr().err
    named = _without_field_column(tmp_path / "in", lambda mt: f"rot_{mt}mT.csv", lambda mt: "")
    assert main(["hall", str(named[-1]), *AVCI, "--field", "50mT",
                 "--out", str(tmp_path / "o2")]) == 2
    assert "the file name ('400mT') gives the field 400 mT but --field 50mT was given" in \
        capsys.readouterr().err


def test_field_sweeps_with_their_axis_in_the_name_and_their_state_given(tmp_path, capsys):
    """Sweeps written as a lab's program may write them: the field and the two voltages only,
    the axis in the file name (Hx_up.txt), the m_z state of each file from --mz-state. Method
    (b) gives exactly the numbers of the bundled sweeps with their phi_h and m_z columns."""
    pma = EX.parent / "pma"
    hayashi = ["--method", "hayashi", "--current", "1.5mA", "--current-is", "rms",
               "--lockin-output", "rms", "--r2w-channel", "X", "--gain-2w", "10", "--no-figures"]
    ref_files = sorted(pma.glob("sweep_*.csv"))
    assert main(["hall", *map(str, ref_files), *hayashi, "--out", str(tmp_path / "ref")]) == 0
    ref = json.loads((tmp_path / "ref" / "summary.json").read_text())
    folder = tmp_path / "lab"
    folder.mkdir()
    states = []
    for f in ref_files:
        df = pd.read_csv(f)
        axis = "x" if df["phi_h (deg)"].iloc[0] == 0 else "y"
        name = f"H{axis}_{f.stem.rsplit('_', 1)[-1]}.txt"
        pd.DataFrame({"H (mT)": df["field (mT)"], "V1w (uV)": df["X1 (uV)"],
                      "V2w (uV)": df["X2 (uV)"]}).to_csv(folder / name, sep="\t", index=False)
        states += ["--mz-state", f"{name}={int(df['mz_state'].iloc[0]):+d}"]
    files = sorted(str(p) for p in folder.iterdir())
    capsys.readouterr()
    assert main(["hall", *files, *hayashi, "--out", str(tmp_path / "o1")]) == 2
    err = capsys.readouterr()
    assert "--mz-state FILE=+1" in err.err and "give it with --mz-state Hx_" in err.err
    assert main(["hall", *files, *hayashi, *states, "--out", str(tmp_path / "o2")]) == 0
    got = json.loads((tmp_path / "o2" / "summary.json").read_text())
    assert got["quantities"] == ref["quantities"]           # exact float equality
    assert any("sweep along y (phi_h = 90 deg) from the file name ('Hy')" in n
               for n in got["notes"])
    assert main(["hall", *files, *hayashi, "--mz-state", "nofile.txt=+1",
                 "--out", str(tmp_path / "o3")]) == 2
    assert "--mz-state nofile.txt=+1 names no file of the scans" in capsys.readouterr().err


@pytest.mark.parametrize("name, phi_h", [
    ("Hx_up.txt", 0.0), ("sweep_y_down.csv", 90.0), ("B_y.dat", 90.0), ("y-sweep.csv", 90.0),
    ("5360_1f_hx_hy.csv", None), ("phi_100mT.csv", None), ("xy_stage.csv", None),
])
def test_sweep_axes_in_file_names(name, phi_h):
    from sotfit.io.hall.file_quantities import sweep_axis

    found = sweep_axis(name)
    assert (found is None) if phi_h is None else found[0] == phi_h


def _multivu_copy(src, dst, info="INFO,1.5 mA (rms),Excitation current"):
    """The example rotation ``src`` as a Quantum Design MultiVu .dat file (ETO option): the
    source current only in a header INFO entry, the angle and field columns renamed, the
    field in Oe, an empty Comment column and a time stamp."""
    lines = src.read_text().splitlines()
    out = ["[Header]", "; VERSION 1.0", "TITLE,Hall rotation", "BYAPP,ETO Option, Release 1.2",
           info, "INFO,1333.0 Hz,Frequency", "FILEOPENTIME,5100.1,01/01/2025,10:00 am", "[Data]",
           "Comment,Time Stamp (sec),Sample Position (deg),Magnetic Field (Oe),Lock-in X1 (uV),"
           "Lock-in Y1 (uV),Lock-in X2 (uV),Lock-in Y2 (uV)"]
    for r in lines[1:]:
        p, h, x1, y1, x2, y2 = r.split(",")
        out.append(f",{1000 + float(p):.1f},{p},{float(h) * 10:.3f},{x1},{y1},{x2},{y2}")
    dst.write_text("\r\n".join(out) + "\r\n")


def test_multivu_info_entry_gives_the_source_current(tmp_path):
    """A PPMS file says its current in the header (INFO,1.5 mA (rms),Excitation current): it
    was not read ('no current column, and no current in the preamble'). Read, with its
    convention, the results equal those of the CSV files with --current 1.5mA."""
    import glob
    import json

    root = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"
    srcs = sorted(Path(p) for p in glob.glob(str(root / "*.csv")))
    dats = []
    for s in srcs:
        d = tmp_path / "dat" / (s.stem + ".dat")
        d.parent.mkdir(exist_ok=True)
        _multivu_copy(s, d)
        dats.append(str(d))
    common = ["--method", "avci", "--lockin-output", "rms", "--r2w-channel", "X",
              "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures"]
    assert main(["hall", *dats, *common, "--out", str(tmp_path / "dat_out")]) == 0
    assert main(["hall", *map(str, srcs), *common, "--current", "1.5mA", "--current-is", "rms",
                 "--out", str(tmp_path / "csv_out")]) == 0
    a = json.loads((tmp_path / "dat_out" / "summary.json").read_text())
    b = json.loads((tmp_path / "csv_out" / "summary.json").read_text())
    for k in ("mu0_h_dl", "mu0_h_fl_oe"):
        assert a["quantities"][k]["value"] == pytest.approx(b["quantities"][k]["value"],
                                                            rel=1e-9)
    assert any("Excitation current" in n for n in a["notes"])


def test_a_field_column_that_disagrees_with_the_file_name_is_refused(tmp_path, capsys):
    """'phi_200mT.csv' holding a rotation at 400 mT was read by its column without a word: a
    file of another field, or a column in another unit than its header says (Oe under mT
    gives the torques 10 times too large)."""
    df = pd.read_csv(FILES[-1])
    mt = df["field (mT)"].iloc[0]
    wrong = tmp_path / f"phi_{mt / 2:g}mT.csv"
    df.to_csv(wrong, index=False)
    assert main(["hall", str(wrong), *AVCI, "--out", str(tmp_path / "o")]) == 2
    assert (f"column 'field (mT)' gives the field {mt:.4g} mT (mT) but the file name "
            f"('{mt / 2:g}mT') gives {mt / 2:g} mT") in capsys.readouterr().err
    # within a set point's reach of its read-back (10 %) the column is read
    close = tmp_path / "close"
    close.mkdir()
    for f in FILES:
        d = pd.read_csv(f)
        m = d["field (mT)"].iloc[0]
        d.to_csv(close / f"phi_{m * 1.05:g}mT.csv", index=False)
    _summary(sorted(close.iterdir()), tmp_path / "o2")


@pytest.mark.parametrize("name, field", [
    ("phi_-120mT.csv", -0.12), ("rot_-0.12T.csv", -0.12), ("H = -120 mT.csv", -0.12),
    ("phi_m120mT.csv", -0.12), ("H_-1000Oe.csv", -0.1), ("-120mT", -0.12),
    ("phi-H_1000Oe.dat", 0.1), ("sample-2_100mT.csv", 0.1),
])
def test_negative_fields_in_file_names(tmp_path, name, field):
    """The minus sign was dropped: 'phi_-120mT.csv' was read at +120 mT, and every torque came
    out with the wrong sign, exit status 0."""
    found = rotation_field(tmp_path / name)
    assert found[0] == pytest.approx(field, rel=1e-12)


@pytest.mark.parametrize("name", ["H-120mT.csv", "Pt-100mT.csv"])
def test_a_hyphen_after_a_letter_is_a_sign_or_a_separator(tmp_path, name):
    with pytest.raises(HallReadError, match="may be a minus sign or a separator"):
        rotation_field(tmp_path / name)


def test_rotations_at_negative_fields_named_by_their_field(tmp_path, with_column):
    """-B at the angle phi is B at phi + 180 deg: the example's rotations with their angles
    turned by 180 deg, named 'rot_-100mT.csv' and without a field column, give the example's
    torques (they gave every torque of the other sign)."""
    folder = tmp_path / "neg"
    folder.mkdir()
    for f in FILES:
        df = pd.read_csv(f)
        mt = df["field (mT)"].iloc[0]
        df = df.drop(columns=["field (mT)"])
        df["phi (deg)"] = df["phi (deg)"] + 180.0
        df.to_csv(folder / f"rot_-{mt}mT.csv", index=False)
    got = _summary(sorted(folder.iterdir()), tmp_path / "out")
    for k in ("mu0_h_fl_oe", "mu0_h_dl", "r_ane"):
        assert got["quantities"][k]["value"] == pytest.approx(
            with_column["quantities"][k]["value"], rel=1e-6), k


@pytest.mark.parametrize("name, field", [
    ("B_0,030T.csv", 0.03), ("B_30,5mT.csv", 0.0305), ("H=1,5kOe.csv", 0.15), ("rot 0,1 T.csv", 0.1),
    ("B0,08T.csv", 0.08), ("phi_0,25T_run1.csv", 0.25), ("B_0,500T.csv", 0.5),
])
def test_a_decimal_comma_in_a_file_name(tmp_path, name, field):
    """'B_0,030T.csv' was read as 30 T (the part before the comma dropped): mu0_h_fl_oe 1000
    times too large, exit status 0."""
    found = rotation_field(tmp_path / name)
    assert found[0] == pytest.approx(field, rel=1e-12)


@pytest.mark.parametrize("name, field", [
    ("rot_5e-2T.csv", 0.05), ("rot_5E-2T.csv", 0.05), ("rot_50e-3T.csv", 0.05),
    ("rot_1e2mT.csv", 0.1), ("rot_-5e-2T.csv", -0.05), ("rot_m5e-2T.csv", -0.05),
])
def test_a_power_of_ten_in_a_file_name(tmp_path, name, field):
    """'rot_5e-2T.csv' was refused as a field of -2 T whose '-' might be a separator, and
    'rot_1e2mT.csv' gave no field at all."""
    assert rotation_field(tmp_path / name)[0] == pytest.approx(field, rel=1e-12)


def test_a_current_with_a_decimal_comma_in_a_file_name(tmp_path):
    """'I2,5mA' was read as 5 mA: R_PHE, H_DL and r_ane half their values, no flag."""
    assert source_current(tmp_path / "rot_I2,5mA.csv")[0] == pytest.approx(2.5, rel=1e-12)


@pytest.mark.parametrize("name, said", [
    ("H_1,000Oe.csv", "may be a decimal comma (1.000) or a thousands separator (1000)"),
    ("rot_500T.csv", "500 T, beyond 45.5 T (the strongest steady field of any laboratory"),
])
def test_a_thousands_comma_and_a_field_beyond_any_magnet_in_a_name_are_refused(tmp_path, name,
                                                                                said):
    with pytest.raises(HallReadError) as err:
        rotation_field(tmp_path / name)
    assert said in str(err.value)


def test_rotations_named_with_decimal_commas_give_the_numbers_of_the_column(tmp_path,
                                                                            with_column):
    files = _without_field_column(tmp_path / "in", lambda mt: f"B_{mt / 1000:.3f}T.csv"
                                  .replace(".", ",", 1), lambda mt: "")
    got = _summary(files, tmp_path / "out")
    assert got["quantities"] == with_column["quantities"]


def _rotations_at_currents(path: Path, scales=(1.0, 2.0)) -> Path:
    """The example's rotations in one long table with a current column: at 1.5 mA rms and at
    each ``scale`` times it (the first harmonic's voltages times the scale, the second's times
    its square: every resistance of the example, every torque field times the scale)."""
    parts = []
    for k in scales:
        for f in FILES:
            df = pd.read_csv(f)
            df[["X1 (uV)", "Y1 (uV)"]] *= k
            df[["X2 (uV)", "Y2 (uV)"]] *= k * k
            df.insert(2, "I_ac (mA)", 1.5 * k)
            parts.append(df)
    pd.concat(parts).to_csv(path, index=False, float_format="%.15g")
    return path


def test_rotations_at_several_currents_in_one_table(tmp_path, with_column, capsys):
    """Rotations at 1.5 and 3 mA in one long table were merged per field at the mean current,
    2.25 mA (a current never applied): H_DL 1.33 times the 1.5 mA value and errors far too
    large, exit status 0. Without --current the table is refused naming both; with it, the rows
    at that current are read: the example's torques, and twice them at twice the current."""
    table = _rotations_at_currents(tmp_path / "currents.csv")
    without = [a for i, a in enumerate(AVCI) if a != "--current" and AVCI[i - 1] != "--current"]
    assert main(["hall", str(table), *without, "--out", str(tmp_path / "asked")]) == 2
    err = capsys.readouterr().err
    assert "column 'I_ac (mA)' holds scans at 2 source currents (1.5, 3 mA)" in err
    assert "--current 1.5mA" in err
    low = _summary([table], tmp_path / "low")
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"):
        assert low["quantities"][k]["value"] == pytest.approx(
            with_column["quantities"][k]["value"], rel=1e-9), k
    assert any("the 1260 rows at 1.5 mA read" in n for n in low["notes"])
    high_options = [a if a != "1.5mA" else "3mA" for a in AVCI]
    out = tmp_path / "high"
    assert main(["hall", str(table), *high_options, "--out", str(out)]) == 0
    high = json.loads((out / "summary.json").read_text())
    for k in ("mu0_h_dl", "k_fl", "r_ane"):
        assert high["quantities"][k]["value"] == pytest.approx(
            2 * with_column["quantities"][k]["value"], rel=1e-9), k
    # mu0_h_fl_oe = k_fl / R_PHE, and R_PHE's second-order correction 1 - (3/4)(H_FL/H)^2 grows
    # four times with the doubled field-like field, which rows made by doubling the second
    # harmonic do not carry: twice, to that correction (below 1e-4 here)
    assert high["quantities"]["mu0_h_fl_oe"]["value"] == pytest.approx(
        2 * with_column["quantities"]["mu0_h_fl_oe"]["value"], rel=1e-4)
    other = [a if a != "1.5mA" else "2mA" for a in AVCI]
    assert main(["hall", str(table), *other, "--out", str(tmp_path / "none")]) == 2
    assert "holds the source currents 1.5, 3 mA; --current 2mA names none of them" in \
        capsys.readouterr().err


@pytest.mark.parametrize("column, value", [("I_peak (uA)", 1500 * 2 ** 0.5),
                                           ("Iac_rms (mA)", 1.5), ("I (mA, rms)", 1.5),
                                           ("I_pp (mA)", 2 * 1.5 * 2 ** 0.5),
                                           ("I (mA pp)", 2 * 1.5 * 2 ** 0.5)])
def test_a_current_column_named_with_its_form(tmp_path, with_column, column, value):
    """'I_peak (uA)' was no current column ('no current column ... --column current=NAME'), and
    named so it still asked for --current-is although its name says peak."""
    folder = tmp_path / "in"
    folder.mkdir()
    for f in FILES:
        df = pd.read_csv(f)
        df.insert(2, column, value)
        df.to_csv(folder / f.name, index=False, float_format="%.15g")
    plain = [a for i, a in enumerate(AVCI) if a not in ("--current", "--current-is")
             and AVCI[i - 1] not in ("--current", "--current-is")]
    out = tmp_path / "out"
    assert main(["hall", *map(str, sorted(folder.iterdir())), *plain, "--out", str(out)]) == 0
    got = json.loads((out / "summary.json").read_text())
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"):
        assert got["quantities"][k]["value"] == pytest.approx(
            with_column["quantities"][k]["value"], rel=1e-9), k


def test_a_current_density_column_asks_for_the_current(tmp_path, capsys):
    """'J (A/m^2)' was 'no current column', which does not say that a density is no current."""
    folder = tmp_path / "in"
    folder.mkdir()
    for f in FILES[:2]:
        df = pd.read_csv(f)
        df.insert(2, "J (A/m^2)", 3.3e10)
        df.to_csv(folder / f.name, index=False)
    plain = [a for i, a in enumerate(AVCI) if a != "--current" and AVCI[i - 1] != "--current"]
    assert main(["hall", *map(str, sorted(folder.iterdir())), *plain,
                 "--out", str(tmp_path / "o")]) == 2
    assert "column 'J (A/m^2)' holds a current density" in capsys.readouterr().err


def test_rotations_written_as_a_matrix_per_harmonic(tmp_path, with_column):
    """'phi (deg) \\ B (mT),5,10,...': angles down, fields across, one file per harmonic (an
    Origin matrix export) was refused as 'a field sweep'. Read as one rotation per field: the
    example's rotations written so give its torques."""
    frames = [pd.read_csv(f) for f in FILES]
    fields = [int(df["field (mT)"].iloc[0]) for df in frames]
    i_rms = 1.5e-3
    for h, column, gain in ((1, "X1 (uV)", 1.0), (2, "X2 (uV)", 10.0)):
        table = pd.DataFrame({"phi (deg) \\ B (mT)": frames[0]["phi (deg)"]})
        for b, df in zip(fields, frames):
            table[str(b)] = df[column].to_numpy() * 1e-6 / gain / i_rms     # Ohm, house sign
        table.to_csv(tmp_path / f"R{h}w_map.csv", index=False, float_format="%.15g")
    opts = ["--method", "avci", "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures",
            "--column-unit", "r1w=Ohm", "--column-unit", "r2w=Ohm", "--r2w-sign", "1"]
    out = tmp_path / "out"
    assert main(["hall", str(tmp_path / "R1w_map.csv"), str(tmp_path / "R2w_map.csv"), *opts,
                 "--out", str(out)]) == 0
    got = json.loads((out / "summary.json").read_text())
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"):
        assert got["quantities"][k]["value"] == pytest.approx(
            with_column["quantities"][k]["value"], rel=1e-9), k
    assert any("a matrix of rotations ('phi (deg)' down, 7 fields of 'B (mT)' across)" in n
               for n in got["notes"])


def test_rotations_at_several_currents_read_back_with_jitter(tmp_path, with_column):
    """A current column read back with 0.2 % jitter: --current 1.5mA was 'disagrees with the
    column' for the rows it selects. Within 1 % the option holds (its value is used)."""
    import numpy as np

    table = _rotations_at_currents(tmp_path / "currents.csv")
    df = pd.read_csv(table)
    df["I_ac (mA)"] *= 1 + 0.002 * np.random.default_rng(5).standard_normal(len(df))
    df.to_csv(table, index=False, float_format="%.15g")
    got = _summary([table], tmp_path / "low")
    assert got["quantities"]["mu0_h_dl"]["value"] == pytest.approx(
        with_column["quantities"]["mu0_h_dl"]["value"], rel=1e-9)


@pytest.mark.parametrize("line", ["# AC current: 1.5 mA rms, 133.33 Hz",
                                  "# AC current: 1.5 mA rms; 133.33 Hz, lock-in TC 300 ms"])
def test_a_current_entry_listing_more_after_it_is_read(tmp_path, line):
    """'# AC current: 1.414 mA rms, 133.33 Hz' refused the file ('unknown unit mA rms, 133.33
    Hz'), even with --current given: the first item is the current, the rest is not read; the
    results equal those of the files without the line and --current 1.5mA --current-is rms."""
    root = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"
    files = []
    for src in sorted(root.glob("*.csv")):
        files.append(tmp_path / src.name)
        files[-1].write_text(line + "\n" + src.read_text())
    assert source_current(files[0])[0] == pytest.approx(1.5, rel=1e-12)
    _same_torques_without_the_current_options(tmp_path, files, sorted(root.glob("*.csv")))


def test_a_labview_entry_with_a_comma_in_its_brackets_is_a_preamble_entry(tmp_path):
    """'I_ac (mA, rms): 1.5' above a tab-separated table, without '#' (as LabVIEW writes and
    docs/io.md gives it), was taken for the column header row and the file refused; read, it
    gives the current and the results of the files with --current 1.5mA --current-is rms."""
    root = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"
    files = []
    for src in sorted(root.glob("*.csv")):
        table = src.read_text().replace(",", "\t")
        files.append(tmp_path / (src.stem + ".txt"))
        files[-1].write_text("Operator: JS\nSample: Py/Pt D3\nI_ac (mA, rms): 1.5\n"
                             "Frequency (Hz): 133.3\n\n" + table)
    _same_torques_without_the_current_options(tmp_path, files, sorted(root.glob("*.csv")))


def _same_torques_without_the_current_options(tmp_path, files, plain):
    """Method (a) on ``files`` without --current and --current-is gives the torques of
    ``plain`` with them (the README's options)."""
    options = avci_options()
    for flag in ("--current", "--current-is"):
        i = options.index(flag)
        options = options[:i] + options[i + 2:]
    assert main(["hall", *map(str, files), *options, "--out", str(tmp_path / "read")]) == 0
    assert main(["hall", *map(str, plain), *avci_options(), "--out",
                 str(tmp_path / "plain")]) == 0
    q = {n: json.loads((tmp_path / n / "summary.json").read_text())["quantities"]
         for n in ("read", "plain")}
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe"):
        assert q["read"][k]["value"] == pytest.approx(q["plain"][k]["value"], rel=1e-12)


def _labview_export(path: Path, entries: list[str], table: str) -> Path:
    """A LabVIEW export: ``LabVIEW Measurement``, the header lines ``entries``, the end of the
    header and the tab-separated ``table``."""
    path.write_text("\n".join(["LabVIEW Measurement", "Operator: JD", *entries,
                               "***End_of_Header***", table.replace(",", "\t")]))
    return path


@pytest.mark.parametrize("entry, current, form", [("I_ac = 1.41421 mA rms", 1.41421, "rms"),
                                                  ("I_ac (mA, peak): 3", 3.0, "peak")])
def test_a_labview_exports_header_gives_the_current_and_theta_h(tmp_path, entry, current,
                                                                  form):
    """The header lines of a LabVIEW export were not read by the harmonic Hall reader (its
    first line taken for the column header row): 'no current in the preamble', and theta_H =
    90 deg taken for a file that writes 'theta_H (deg): 80'."""
    p = _labview_export(tmp_path / "sweep.txt", [entry, "theta_H (deg): 80"],
                        "H (mT),X1 (uV)\n-10,1.0\n-9,1.1\n")
    got = source_current(p)
    assert got is not None and got[0] == pytest.approx(current, rel=1e-12) and got[2] == form
    assert preamble_theta_h(p)[0] == 80.0


def test_labview_exports_of_the_rotations_give_the_torques_of_the_options(tmp_path):
    """The rotations as LabVIEW exports whose header writes 'I_ac = 1.5 mA rms' give, without
    --current and --current-is, the torques of the files with them."""
    plain = sorted(EX.glob("*.csv"))
    files = [_labview_export(tmp_path / (src.stem + ".txt"), ["I_ac = 1.5 mA rms"],
                             src.read_text()) for src in plain]
    _same_torques_without_the_current_options(tmp_path, files, plain)


@pytest.mark.parametrize("entry, current, form", [
    ("Source current amplitude: 1.41421 mA rms", 1.41421, "rms"),
    ("Excitation current amplitude (mA, peak): 2", 2.0, "peak"),
    ("I_ac amplitude = 2 mA", 2.0, None),
    ("AC current: 1.41421 mA (rms)", 1.41421, "rms"),
    ("Excitation current (mA, rms): 1.41421", 1.41421, "rms"),
    # no excitation current: not read as one
    ("DC bias current: 1 mA", None, None), ("Compliance current: 1 mA", None, None),
    ("Source current limit: 5 mA", None, None), ("Bias current amplitude (mA): 0.5", None, None),
    ("Amplitude: 1 mA", None, None)])
def test_the_documented_current_names_give_the_current(tmp_path, entry, current, form):
    """'Source current amplitude: 1.41421 mA rms' was not taken as the current although
    docs/io.md names 'Current amplitude' and 'Source current' as the current's names: a current's
    name followed by 'amplitude' is the current; a bias, compliance current or a limit is not."""
    p = tmp_path / "rotation.csv"
    p.write_text(f"# {entry}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    got = source_current(p)
    if current is None:
        assert got is None
    else:
        assert got is not None and got[0] == pytest.approx(current, rel=1e-12) and got[2] == form


@pytest.mark.parametrize("entry, current, form", [
    ("AC current amplitude (rms): 1.5 mA", 1.5, "rms"),
    ("AC current amplitude (rms) = 1.5 mA", 1.5, "rms"),
    ("Current amplitude [rms]: 1.5 mA", 1.5, "rms"),
    ("I_ac amplitude (peak): 2 mA", 2.0, "peak"),
    ("I_ac (RMS): 1.41421 mA", 1.41421, "rms"),
    ("AC current amplitude (rms) (mA): 1.5", 1.5, "rms"),
    ("Current amplitude (mA) [rms]: 1.5", 1.5, "rms"),
    ("AC current amplitude (pk-pk): 3 mA", 1.5, "peak"),        # halved to the peak
    # an amplitude of something else is no current, with a convention or not
    ("Field amplitude (rms): 1.5 mA", None, None), ("Modulation amplitude (rms): 1.5 mA", None, None),
    ("Lock-in modulation amplitude [rms] = 1.5 mA", None, None),
    ("Bias current amplitude (rms): 1 mA", None, None), ("DC current (rms): 1 mA", None, None)])
def test_a_current_with_its_convention_in_a_bracket_of_its_own(tmp_path, entry, current, form):
    """'AC current amplitude (rms): 1.5 mA' was not read (the bracket '(rms)' taken for an
    unknown unit of the name): the current and the convention in the bracket are the file's,
    as in 'I_ac = 1.5 mA rms'; an amplitude that is not the source current's stays unread."""
    p = tmp_path / "rotation.csv"
    p.write_text(f"# {entry}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    got = source_current(p)
    if current is None:
        assert got is None
    else:
        assert got is not None and got[0] == pytest.approx(current, rel=1e-12) and got[2] == form


def test_a_peak_current_in_brackets_is_the_rms_current_of_the_plain_entry(tmp_path):
    """'I_ac amplitude (peak): 2 mA' and 'I_ac = 1.41421 mA rms' state one current."""
    got = {}
    for k, entry in enumerate(("I_ac amplitude (peak): 2 mA", "I_ac = 1.41421 mA rms")):
        p = tmp_path / f"rotation{k}.csv"
        p.write_text(f"# {entry}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
        value, _, form = source_current(p)
        got[form] = value
    assert got["peak"] == pytest.approx(got["rms"] * 2 ** 0.5, rel=1e-5)


def test_a_current_entry_with_a_convention_between_the_rows_is_refused(tmp_path):
    """A file of two scans whose second writes 'AC current amplitude (rms): 3 mA' between the
    rows, spelled otherwise than the entry above: the entry went unseen and the first scan's
    1.5 mA was taken for both; the reader names the line instead."""
    p = tmp_path / "rotations.csv"
    p.write_text("# I_ac = 1.5 mA rms\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n"
                 "# AC current amplitude (rms): 3 mA\n0,2.0\n5,2.2\n")
    with pytest.raises(HallReadError, match=r"entries of the source current between the rows "
                                            r"\(line 5\)"):
        source_current(p)


@pytest.mark.parametrize("line, options, said", [
    ("# Current: 1.5 mA per leg", [], "preamble entry 'Current' (line 1): unknown unit "
                                      "'mA per leg': the entry was not read, --current 1.5mA "
                                      "was used"),
    ("# theta_H: 90 deg from the normal", ["--theta-h", "90deg"],
     "preamble entry 'theta_H' (line 1): unknown unit 'deg from the normal': the entry was not "
     "read, --theta-h 90.0 was used")])
def test_an_unreadable_entry_gives_way_to_the_option_that_gives_its_quantity(
        tmp_path, capsys, with_column, line, options, said):
    """A preamble entry of the current or theta_H that cannot be read refused the file even
    with the option that gives its quantity: no option could read the file unedited. With the
    option the entry is left out, noted, and the numbers are those of the files without it;
    without the option it is still refused."""
    files = []
    for f in FILES:
        files.append(tmp_path / f.name)
        files[-1].write_text(line + "\n" + f.read_text())
    assert main(["hall", *map(str, files), *AVCI, *options, "--out", str(tmp_path / "out")]) == 0
    got = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert got["quantities"] == with_column["quantities"]
    assert any(said in n for n in got["notes"])
    capsys.readouterr()
    without = NO_CURRENT if not options else AVCI
    assert main(["hall", *map(str, files), *without, "--out", str(tmp_path / "refused")]) == 2
    assert "unknown unit" in capsys.readouterr().err


def test_an_unreadable_field_entry_is_left_out_where_the_option_gives_the_field(tmp_path):
    """rotation_field with ``unread`` (the field given with --field) leaves out an entry it
    cannot read and says why; without it the entry is refused."""
    p = tmp_path / "rotation.csv"
    p.write_text("# Field: 100 mT nominal\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    unread = []
    assert rotation_field(p, None, unread) is None
    assert len(unread) == 1
    assert unread[0].startswith("preamble entry 'Field' (line 1): unknown unit 'mT nominal'")
    with pytest.raises(HallReadError, match="unknown unit 'mT nominal'"):
        rotation_field(p)


@pytest.mark.parametrize("entry, current, form, also", [
    ("Source current: 2.828 mA peak (2 mA rms)", 2.828, "peak", (2.0, "rms")),
    ("I_ac = 1.5 mA rms (2.121 mA peak)", 1.5, "rms", (2.121, "peak")),
    ("I_ac = 1.5 mA rms (= 2.121 mA peak)", 1.5, "rms", (2.121, "peak")),
    ("Current (mA): 2.828 peak [2 rms]", 2.828, "peak", (2.0, "rms")),
    ("I_rms = 1.5 mA (2121 uA peak)", 1.5, "rms", (2.121, "peak")),
    ("I_ac = 3 mA pk-pk (1.061 mA rms)", 1.5, "peak", (1.061, "rms")),
    ("I_ac = 2.83 mA peak (2.000 mA rms)", 2.83, "peak", (2.0, "rms")),   # to 0.005 mA
    ("I_ac = 2.83 mA peak (2.00 mA rms)", 2.83, "peak", (2.0, "rms")),
    ("I_ac = 1.5 mA rms (1500 uA)", 1.5, "rms", (1.5, "rms"))])
def test_a_current_written_in_both_forms_is_read(tmp_path, entry, current, form, also):
    """'Source current: 2.828 mA peak (2 mA rms)' refused the file ('unknown unit mA peak (2
    mA'), whatever the options: the first current is the entry's, the one in brackets states
    it again in another form, to the digits written."""
    p = tmp_path / "rotation.csv"
    p.write_text(f"# {entry}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    others = []
    got = source_current(p, None, None, others)
    assert got[0] == pytest.approx(current, rel=1e-12) and got[2] == form
    assert len(others) == 1 and others[0][0] == pytest.approx(also[0], rel=1e-12)
    assert others[0][1] == also[1]


@pytest.mark.parametrize("entry, said", [
    ("Source current: 2.828 mA peak (2.5 mA rms)", "which disagree (2.5 mA rms is 3.536 mA peak)"),
    ("I_ac = 2.820 mA peak (2.000 mA rms)", "which disagree (2.000 mA rms is 2.828 mA peak)"),
    ("I_ac = 2.828 mA (2 mA rms)", "says rms only of the current in brackets"),
    ("I_ac = 2.828 mA peak (2 mV rms)", "unit 'mV' is a voltage unit")])
def test_a_current_written_in_two_forms_that_disagree_is_refused(tmp_path, entry, said):
    """Two currents of one entry that do not state the same current (beyond the digits
    written, or without saying the first's form) are refused, naming the line; with
    ``unread`` (the current given with the option) the entry is left out and said."""
    p = tmp_path / "rotation.csv"
    p.write_text(f"# {entry}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    with pytest.raises(HallReadError, match=r"\(line 1\).*" + re.escape(said)):
        source_current(p)
    unread = []
    assert source_current(p, None, unread) is None and said in unread[0]


@pytest.mark.parametrize("entry, said", [
    ("Source current: 2 mA peak (2 mA rms)", "'2 mA peak' and '2 mA rms' in brackets"),
    ("Source current: 2 mA rms (2 mA peak)", "'2 mA rms' and '2 mA peak' in brackets"),
    ("I_ac = 1 mA rms (2 mA peak)", "'1 mA rms' and '2 mA peak' in brackets"),
    ("Source current: 3 mA peak (2 mA rms)", "'3 mA peak' and '2 mA rms' in brackets"),
    ("I_ac = 2 mA pk-pk (1 mA peak)", "'2 mA pk-pk' and '1 mA peak' in brackets")])
def test_a_current_whose_digits_cannot_tell_its_two_forms_apart_is_refused(tmp_path, entry,
                                                                           said):
    """'2 mA peak (2 mA rms)' was read as 2 mA peak: half a unit of one digit on each number is
    wider than the sqrt 2 between the forms, so the two agreed as rms and peak, and as well as
    one form. Such an entry is refused, naming its line and both readings; with ``unread``
    (the current given with the option) it is left out and said."""
    p = tmp_path / "rotation.csv"
    p.write_text(f"# {entry}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    with pytest.raises(HallReadError, match=r"\(line 1\) writes " + re.escape(said)
                       + r".*cannot tell the two forms apart.* mA peak\) agrees with .* mA peak\)"):
        source_current(p)
    unread = []
    assert source_current(p, None, unread) is None
    assert "cannot tell the two forms apart" in unread[0]


def test_rotations_whose_current_is_written_in_both_forms(tmp_path):
    """The example rotations under '# Source current: 1.5 mA rms (2.121 mA peak)' give, without
    --current and --current-is, the torques of the files with them; an option that states the
    current as the bracket does agrees with the file, and gives the numbers of the plain files
    with that option."""
    plain = sorted(EX.glob("*.csv"))
    files = []
    for src in plain:
        files.append(tmp_path / src.name)
        files[-1].write_text("# Source current: 1.5 mA rms (2.121 mA peak)\n" + src.read_text())
    _same_torques_without_the_current_options(tmp_path, files, plain)
    peak = [a for a in AVCI]
    peak[peak.index("--current") + 1], peak[peak.index("--current-is") + 1] = "2.121mA", "peak"
    q = {}
    for name, given in (("bracket", files), ("plain_peak", plain)):
        assert main(["hall", *map(str, given), *peak, "--out", str(tmp_path / name)]) == 0
        q[name] = json.loads((tmp_path / name / "summary.json").read_text())["quantities"]
    assert q["bracket"] == q["plain_peak"]


@pytest.mark.parametrize("line, current, form, where", [
    ("Excitation: 2.0 mA rms, 13.7 Hz", 2.0, "rms", "Excitation"),
    ("AC current 2 mA rms @ 1013 Hz", 2.0, "rms", "AC current"),
    ("Sample current 2 mA RMS; Hall bar 10 um", 2.0, "rms", "Sample current"),
    ("Excitation = 2.828 mA peak at 13.7 Hz", 2.828, "peak", "Excitation"),
    ("Lock-in excitation: 1500 uA rms", 1.5, "rms", "Lock-in excitation"),
    ("Current: 1.5 mA rms @ 1013 Hz", 1.5, "rms", "Current"),
    ("AC current: 2.828 mA peak (2 mA rms) @ 1.013 kHz", 2.828, "peak", "AC current")])
def test_a_current_written_loosely_is_read(tmp_path, line, current, form, where):
    """'Excitation: 2.0 mA rms, 13.7 Hz', 'AC current 2 mA rms @ 1013 Hz' and 'Sample current 2
    mA RMS; Hall bar 10 um' were no current in the preamble: a name of the words current or
    excitation, a current with its unit and its form are the source current; the frequency
    after it is the source's."""
    p = tmp_path / "rotation.csv"
    p.write_text(f"# {line}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    got = source_current(p)
    assert got is not None and got[0] == pytest.approx(current, rel=1e-12) and got[2] == form
    assert got[1] == f"preamble entry {where!r} (line 1)"


@pytest.mark.parametrize("line", [
    "DC bias current: 1 mA rms", "DC bias current 1 mA rms", "Heater current: 5 mA rms",
    "Heater current 5 mA rms", "Magnet current (A): 2", "Magnet current 2 A rms",
    "Current limit: 10 mA rms", "Current limit 10 mA", "Compliance: 10 V",
    "Compliance current 10 mA rms", "Excitation voltage: 1 V", "Excitation voltage 1 V rms",
    "Excitation: 1 V rms", "Current range: 10 mA", "Current range 10 mA rms",
    "Field coil current: 2 A rms", "Field coil current 2 A rms",
    "Excitation: 2 mA, 13.7 Hz", "AC current 2 mA @ 1013 Hz"])
def test_other_currents_and_excitations_are_not_the_source_current(tmp_path, line):
    """A bias, heater, magnet or field coil current, a limit, compliance or range, an
    excitation voltage, and a current written loosely without rms or peak are not read as the
    source current: alone they give none, beside the source current's entry they do not
    contradict it."""
    p = tmp_path / "rotation.csv"
    p.write_text(f"# {line}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    assert source_current(p) is None
    p.write_text(f"# I_ac = 1.5 mA rms\n# {line}\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n")
    got = source_current(p)
    assert got[0] == pytest.approx(1.5, rel=1e-12) and got[1] == "preamble entry 'I_ac' (line 1)"


@pytest.mark.parametrize("line", ["# Excitation: 1.5 mA rms, 13.7 Hz",
                                  "# AC current 1.5 mA rms @ 1013 Hz",
                                  "# Sample current 1.5 mA RMS; Hall bar 10 um"])
def test_rotations_under_a_current_written_loosely(tmp_path, line):
    """The example rotations under such a line give, without --current and --current-is, the
    torques of the files with them (the run asked for --current)."""
    plain = sorted(EX.glob("*.csv"))
    files = []
    for src in plain:
        files.append(tmp_path / src.name)
        files[-1].write_text(line + "\n" + src.read_text())
    _same_torques_without_the_current_options(tmp_path, files, plain)


def test_a_current_written_loosely_between_the_rows_is_refused(tmp_path):
    """A second scan under 'AC current 3 mA rms @ 1013 Hz' between the rows is refused as an
    entry of the current there is: the first scan's current was taken for both."""
    p = tmp_path / "rotations.csv"
    p.write_text("# I_ac = 1.5 mA rms\nphi (deg),X1 (uV)\n0,1.0\n5,1.1\n"
                 "# AC current 3 mA rms @ 1013 Hz\n0,2.0\n5,2.2\n")
    with pytest.raises(HallReadError, match=r"entries of the source current between the rows "
                                            r"\(line 5\)"):
        source_current(p)
