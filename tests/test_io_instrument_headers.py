"""Headers that instrument and plotting programs write above a table, read as they are:
Quantum Design MultiVu ``.dat`` files (a ``[Header]`` section, ``[Data]``, an empty
``Comment`` column and columns empty on every row) and a row of units under the column
names (Origin's long names, units and comments rows). Each converted copy of the bundled
example sets gives exactly the numbers of the CSV (ST-FMR and harmonic Hall), with a note
saying how it was read; the inputs are never modified."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sotfit import DataError
from sotfit.cli import main
from summary_entries import stfmr_summary, without_run_entries
from sotfit.io import read_stfmr, read_table
from sotfit.io.hall import HallReadError, read_hall
from sotfit.io.multivu import is_multivu, multivu_lines

ROOT = Path(__file__).resolve().parents[1]
STFMR = ROOT / "data" / "stfmr_example"
HALL = ROOT / "data" / "hall_example" / "inplane"
AVCI = ["--method", "avci", "--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
        "--r2w-channel", "X", "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm",
        "--no-figures"]




def _stfmr_parts(path):
    """(preamble comment lines, column names, data rows as text) of a bundled ST-FMR CSV."""
    lines = path.read_text().splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    return head, lines[len(head)].split(","), lines[len(head) + 1:]


@pytest.fixture(scope="module")
def stfmr_csv_summary(tmp_path_factory):
    return stfmr_summary(STFMR, tmp_path_factory.mktemp("csv") / "out")


def _hall_summary(files, out):
    assert main(["hall", *map(str, files), *AVCI, "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


def _rewritten_hall_summary(tmp_path, rewrite, suffix=".csv"):
    """summary.json of ``sotfit hall`` on the example rotations, each file's lines rewritten as
    ``rewrite(lines)`` (the new file's text) in a folder of ``tmp_path``."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for p in sorted(HALL.glob("phi_*.csv")):
        target = folder / (p.stem + suffix)
        target.write_text(rewrite(p.read_text().splitlines()))
        files.append(target)
    return _hall_summary(files, tmp_path / "out")


@pytest.fixture(scope="module")
def hall_csv_summary(tmp_path_factory):
    return _hall_summary(sorted(HALL.glob("phi_*.csv")), tmp_path_factory.mktemp("hall") / "out")


def _multivu(names, rows, info=(), empty=("Sample Temp (K)",), comment_at=None):
    """A MultiVu file: header section, [Data], a Comment column first, empty columns last."""
    head = ["[Header]", "; data file written by MultiVu", "TITLE,Py/Pt bar 3",
            "BYAPP, Resistivity, 1.10.3 Build 4", "FILEOPENTIME,5023477.55,12/04/2026,10:31 AM",
            *[f"INFO,{v},{k}" for k, v in info], "DATATYPE,COMMENT,1", "[Data]",
            ",".join(["Comment", *names, *empty])]
    body = []
    for i, r in enumerate(rows):
        comment = '"field set, waiting"' if i == comment_at else ""
        body.append(",".join([comment, *r.split(","), *[""] * len(empty)]))
    return "\n".join(head + body) + "\n"


def test_multivu_lines_keep_their_places_and_say_what_was_left_out():
    text = _multivu(["Magnetic Field (Oe)", "Vmix (uV)"], ["1.0,2.0", "3.0,4.0"],
                    info=[("RF frequency", "9 GHz")], comment_at=1)
    lines = text.splitlines()
    assert is_multivu(lines) and not is_multivu(["Field (mT),Vmix (uV)", "1,2"])
    out, note = multivu_lines(lines)
    assert len(out) == len(lines)
    assert out[lines.index("[Data]") + 1] == "Magnetic Field (Oe),Vmix (uV)"
    assert out[-2:] == ["1.0,2.0", "3.0,4.0"]
    assert "# RF frequency: 9 GHz" in out
    assert "Comment column left out (1 row(s) hold a comment)" in note
    assert "1 column(s) empty on every row left out ('Sample Temp (K)')" in note


def test_multivu_stfmr_files_give_exactly_the_numbers_of_the_csv(tmp_path, stfmr_csv_summary):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(STFMR.glob("py_pt_*GHz.csv")):
        head, names, rows = _stfmr_parts(p)
        entries = [ln.lstrip("# ").split(": ") for ln in head if ": " in ln]
        text = _multivu(["Time Stamp (sec)", *names],
                        [f"{1000 + 0.5 * i:.1f},{r}" for i, r in enumerate(rows)],
                        info=[(k, v) for k, v in entries], comment_at=3)
        (folder / (p.stem + ".dat")).write_text(text)
    before = {f: f.read_bytes() for f in folder.iterdir()}
    s = stfmr_summary(folder, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(stfmr_csv_summary)  # exact floats
    assert any("a Quantum Design MultiVu file, read from its [Data] section" in n
               for n in s["notes"])
    assert all(f.read_bytes() == b for f, b in before.items())


def test_multivu_hall_rotation_reads_the_rotator_column(tmp_path, hall_csv_summary):
    """A PPMS rotation: the rotator's 'Sample Position (deg)' is the scanned phi."""
    def rewrite(lines):
        names = lines[0].split(",")
        names[0] = "Sample Position (deg)"
        return _multivu(["Temperature (K)", *names], [f"300.0,{r}" for r in lines[1:]],
                        comment_at=0)

    s = _rewritten_hall_summary(tmp_path, rewrite, ".dat")
    assert without_run_entries(s) == without_run_entries(hall_csv_summary)  # exact floats
    assert any("MultiVu" in n for n in s["notes"])


def test_a_rotator_column_is_not_the_variable_of_a_field_sweep(tmp_path):
    """Every PPMS file has 'Sample Position (deg)', a rotator or not: a field sweep stays one."""
    src = ROOT / "data" / "hall_example" / "pma" / "sweep_x_up.csv"
    lines = src.read_text().splitlines()
    text = _multivu(["Sample Position (deg)", *lines[0].split(",")],
                    [f"0.0,{r}" for r in lines[1:]])
    (tmp_path / "sweep.dat").write_text(text)
    (tmp_path / "sweep.csv").write_text(src.read_text())
    kw = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X")
    got, = read_hall(tmp_path / "sweep.dat", **kw)
    ref, = read_hall(tmp_path / "sweep.csv", **kw)
    assert got.scan == ref.scan == "field"
    np.testing.assert_array_equal(got.r2w.x, ref.r2w.x)
    np.testing.assert_array_equal(got.r2w.y, ref.r2w.y)
    np.testing.assert_array_equal(got.r1w.y, ref.r1w.y)


def _names_and_units(headers):
    """(names, units) of column headers written ``name (unit)``."""
    return ([h.split(" (")[0] for h in headers], [h.split(" (")[1].rstrip(")") for h in headers])


def _origin(names, units, rows, sep="\t", short=False, comments=True):
    """Origin's ASCII export: (short names,) long names, units, comments, then the data."""
    head = ([sep.join(chr(65 + k) for k in range(len(names)))] if short else []) + [
        sep.join(names), sep.join(units)]
    if comments:
        head.append(sep.join(["sweep up"] + [""] * (len(names) - 1)))
    return "\n".join(head + [r.replace(",", sep) for r in rows]) + "\n"


@pytest.mark.parametrize("sep, short", [("\t", False), (",", True), (";", False)])
def test_units_row_stfmr_gives_exactly_the_numbers_of_the_csv(tmp_path, stfmr_csv_summary,
                                                             sep, short):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(STFMR.glob("py_pt_*GHz.csv")):
        head, names, rows = _stfmr_parts(p)
        bare, units = _names_and_units(names)
        (folder / (p.stem + ".txt")).write_text(
            "\n".join(head) + "\n" + _origin(bare, units, rows, sep, short))
    s = stfmr_summary(folder, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(stfmr_csv_summary)  # exact floats
    first = 4 + short           # the names' file line (below 3 comment lines)
    # the comments row is kept as the columns' comments (Origin's legend: a frequency there is
    # read); the short names are not read
    note = (f"the units on line {first + 1} ('mT', 'uV') read with the column names on line "
            f"{first}; line {first + 2} holds the columns' comments ('sweep up')"
            + (f"; line(s) {first - 1} of the header (short names or comments) not read"
               if short else ""))
    assert any(n.endswith(note) for n in s["notes"]), s["notes"]


def test_units_row_keeps_a_unit_written_in_the_name_and_says_none(tmp_path):
    p = tmp_path / "f_9GHz.txt"
    p.write_text("Field (Oe)\tVmix\tphase\nmT\tuV\ta.u.\n1000\t1.5\t0.1\n1010\t1.6\t0.2\n")
    t = read_table(p)
    assert t.columns == ("Field (Oe)", "Vmix (uV)", "phase")
    np.testing.assert_array_equal(t.data, [[1000, 1.5, 0.1], [1010, 1.6, 0.2]])
    assert t.lines.tolist() == [3, 4]


def test_a_row_of_unknown_units_is_still_an_error_naming_the_line(tmp_path):
    p = tmp_path / "f_9GHz.txt"
    # (Gs, the example here before, is the gauss: tests/test_units.py)
    p.write_text("Field\tVmix\nGau\u00df\tuV\n1000\t1.5\n1010\t1.6\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"f_9GHz.txt: line 1 \('Field\\tVmix'\) is neither"):
        read_table(p)


@pytest.mark.parametrize("sep, suffix", [(",", ".csv"), ("\t", ".txt")])
def test_units_row_hall_gives_exactly_the_numbers_of_the_csv(tmp_path, hall_csv_summary, sep,
                                                            suffix):
    def rewrite(lines):
        names = lines[0].split(",")
        bare, units = _names_and_units(names)
        return _origin(bare, units, lines[1:], sep, short=sep == "\t")

    s = _rewritten_hall_summary(tmp_path, rewrite, suffix)
    assert without_run_entries(s) == without_run_entries(hall_csv_summary)  # exact floats
    assert any("the units on line" in n for n in s["notes"])


def test_hall_comma_csv_with_a_stray_line_under_the_names_is_refused(tmp_path):
    p = tmp_path / "phi.csv"
    lines = (HALL / "phi_005mT.csv").read_text().splitlines()
    p.write_text("\n".join([lines[0], "measured on 12/04", *lines[1:]]) + "\n")
    with pytest.raises(HallReadError, match="line 1 .* nor the column header row"):
        read_hall(p, current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X")


def test_results_are_written_when_the_reader_of_the_output_has_gone(tmp_path):
    """``sotfit stfmr DIR | head -1``: the pipe closes early; the run still writes its results
    and exits 0 without a traceback."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "sotfit", "stfmr", str(STFMR), "--no-figures",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()                     # the reader has gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait() == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert len(json.loads((out / "summary.json").read_text())["spectra"]) == 6


def test_settings_of_two_cells_above_the_table_are_header_entries(tmp_path, stfmr_csv_summary):
    """Instrument CSV exports write settings as ``name,value`` rows above the table (padded
    with empty cells by a spreadsheet); the frequency is read from one."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(STFMR.glob("py_pt_*GHz.csv")):
        head, names, rows = _stfmr_parts(p)
        f = float(p.stem.split("_")[-1][:-3])
        text = ["Instrument,E8257D,,", f"Frequency (Hz),{f * 1e9:.4E},,", "Power (dBm),15,,",
                "Date,2026-12-04 10:31,,", "field angle (deg),45,,", "",
                ",".join(names) + ",,", *[r + ",," for r in rows]]
        (folder / f"run{f:g}.csv").write_text("\n".join(text) + "\n")
    s = stfmr_summary(folder, tmp_path / "out")
    # the settings' power is written with the spectra: the CSV files given it say the same
    reference = stfmr_summary(STFMR, tmp_path / "csv", "--power", "15dBm")
    assert without_run_entries(s) == without_run_entries(reference)  # exact floats
    assert {e["power"]["value"] for e in s["spectra"]} == {15.0}
    t = read_table(folder / "run10.csv")
    assert t.header == {"Instrument": "E8257D", "Frequency (Hz)": "1.0000E+10",
                        "Power (dBm)": "15", "Date": "2026-12-04 10:31", "field angle (deg)": "45"}
    assert t.header_lines["Power (dBm)"] == 3 and t.columns[:2] == tuple(names)


def test_a_setting_that_names_the_frequency_but_is_not_one_is_an_error(tmp_path):
    p = tmp_path / "run.csv"
    p.write_text("Frequency (Hz),about ten,,\nField (mT),Vmix (uV)\n1,2\n2,3\n3,4\n")
    with pytest.raises(DataError, match="run.csv.*line 1"):
        read_stfmr(p)
    q = tmp_path / "run2.csv"
    q.write_text("Power (dBm),15\nFrequency (Hz),about ten\nField (mT),Vmix (uV)\n1,2\n2,3\n")
    with pytest.raises(DataError, match=r"run2.csv: header entry 'Frequency \(Hz\)' = 'about ten' "
                                        r"\(line 2\) is not a frequency"):
        read_stfmr(q)


def test_hall_settings_of_two_cells_above_the_table_are_skipped(tmp_path, hall_csv_summary):
    s = _rewritten_hall_summary(tmp_path, lambda lines: "\n".join(
        ["Lock-in frequency (Hz),13.7", "Time constant (ms),300", "", *lines]) + "\n")
    assert without_run_entries(s) == without_run_entries(hall_csv_summary)  # exact floats


def test_hall_settings_with_text_values_and_trailing_commas(tmp_path, hall_csv_summary):
    """A block of settings whose first has a text value (``Instrument,SR830``), and data rows
    that end with a comma the header row does not have (pandas would take the first column as
    the index and shift every name by one): the numbers of the CSV."""
    s = _rewritten_hall_summary(tmp_path, lambda lines: "\n".join(
        ["Instrument,SR830", "Time constant (ms),300", lines[0],
         *[ln + "," for ln in lines[1:]]]) + "\n")
    assert without_run_entries(s) == without_run_entries(hall_csv_summary)  # exact floats


@pytest.mark.parametrize("sep", ["\t", ";"])
def test_units_row_with_a_column_of_text_and_trailing_delimiters(tmp_path, stfmr_csv_summary, sep):
    """Origin's names and units rows above data with a time stamp column, a trailing delimiter
    on every data row and decimal commas: the numbers of the CSV."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(STFMR.glob("py_pt_*GHz.csv")):
        head, names, rows = _stfmr_parts(p)
        bare, units = _names_and_units(names)
        body = [sep.join([f"04.12.2026 10:{i // 60:02d}:{i % 60:02d}",
                          *[c.replace(".", ",") for c in r.split(",")]]) + sep
                for i, r in enumerate(rows)]
        (folder / (p.stem + ".txt")).write_text("\n".join(
            [*head, sep.join(["Time", *bare]), sep.join(["", *units]), *body]) + "\n")
    s = stfmr_summary(folder, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(stfmr_csv_summary)  # exact floats


def test_blank_separated_decimal_commas_are_not_a_column_of_text(tmp_path):
    """``-142,29255  -0,362418``: decimal commas in a blank-separated table, not cells split at
    a comma delimiter with text between them."""
    p = tmp_path / "f_8GHz.txt"
    p.write_text("Field (mT)  Vmix (uV)\n-142,29255  -0,362418\n-141,99398  -0,370166\n"
                 "-141,7  -0,38\n")
    t = read_table(p)
    assert t.columns == ("Field (mT)", "Vmix (uV)")
    np.testing.assert_array_equal(t.data, [[-142.29255, -0.362418], [-141.99398, -0.370166],
                                           [-141.7, -0.38]])


def test_python_exports_numpy_savetxt_header_and_pandas_index(tmp_path, stfmr_csv_summary):
    """``numpy.savetxt(f, data, header="Field (mT) Vmix (uV)")`` (names and units split by single
    blanks in a comment) and ``DataFrame.to_csv`` with its index column: the CSV's numbers."""
    for kind in ("savetxt", "to_csv"):
        folder = tmp_path / kind
        folder.mkdir()
        for p in sorted(STFMR.glob("py_pt_*GHz.csv")):
            head, names, rows = _stfmr_parts(p)
            data = np.array([[float(c) for c in r.split(",")] for r in rows])
            if kind == "savetxt":
                with open(folder / (p.stem + ".txt"), "w") as fh:
                    fh.write("\n".join(head) + "\n")
                    np.savetxt(fh, data, header=" ".join(names), fmt="%.17g")
            else:
                import pandas as pd

                with open(folder / p.name, "w") as fh:
                    fh.write("\n".join(head) + "\n")
                    pd.DataFrame(data, columns=names).to_csv(fh, float_format="%.17g")
        s = stfmr_summary(folder, tmp_path / f"out_{kind}")
        assert without_run_entries(s) == without_run_entries(stfmr_csv_summary)  # exact floats


def test_a_qcodes_gnuplot_file_reads_its_names_above_the_shape_line(tmp_path):
    """QCoDeS' legacy GNUPlot ``.dat``: array names, quoted labels with units, then the shape
    (``# 724``) in comments above the data. The labels name the columns."""
    src = ROOT / "data" / "stfmr_example" / "py_pt_10GHz.csv"
    lines = src.read_text().splitlines()
    body = [ln.split(",") for ln in lines if ln and not ln.startswith("#")][1:]
    p = tmp_path / "stfmr_10GHz.dat"
    p.write_text('# magnet_field\tlockin_X\n# "Field (mT)"\t"Vmix (uV)"\n'
                 f"# {len(body)}\n" + "".join(f"{a}\t{b}\n" for a, b in body))
    ref, got = read_stfmr(src)[0], read_stfmr(p)[0]
    assert np.array_equal(got.x, ref.x) and np.array_equal(got.y, ref.y)
    assert got.meta["field_unit_in_file"] == "mT"
