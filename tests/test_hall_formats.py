"""Harmonic Hall tables as laboratories write them: tab-, semicolon- and blank-separated files,
decimal commas, a LabVIEW preamble. Each gives exactly the numbers of the same table written as a
comma CSV; a comma file is never read with decimal commas; bad layouts are errors naming the
file and the line."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit.cli import main
from summary_entries import without_run_entries
from sotfit.io.hall import HallReadError, read_hall
from sotfit.io.hall.dialect import _read_table

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example" / "inplane"
AVCI = ["--method", "avci", "--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
        "--r2w-channel", "X", "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm", "--no-figures"]
PREAMBLE = ("Date/time start measurement:\t05.12.2024 10:31:07\n"
            "Samplename:\tPy/Pt bar 3\n"
            "Frequency(Hz) = 13.7\n"
            "% lock-in SR830, time constant 300 ms\n"
            "// rotation stage 2\n"
            "\n"
            "# columns below\n")


def _tab(text):
    return text.replace(",", "\t")


def _blank(text):
    return text.replace(",", " ")


def _semicolon(text):
    return text.replace(",", ";")


def _semicolon_decimal_comma(text):
    return text.replace(",", ";").replace(".", ",")


def _labview(text):
    """A LabVIEW export: a preamble of entries and comments, tabs, a tab ending every line."""
    return PREAMBLE + "".join(f"{line}\t\n" for line in _tab(text).splitlines())




def _igor_text(text):
    """Igor Pro's Igor Text: the columns as waves, their units in SetScale commands."""
    lines = text.splitlines()
    names = [c.split(" (")[0] for c in lines[0].split(",")]
    units = [c.split(" (")[1].rstrip(")") for c in lines[0].split(",")]
    return ("IGOR\nWAVES/D\t" + "\t".join(names) + "\nBEGIN\n"
            + "".join("\t" + line.replace(",", "\t") + "\n" for line in lines[1:]) + "END\nX "
            + "; ".join(f'SetScale d 0,0,"{u}", {n}' for n, u in zip(names, units)) + "\n")


def _text_settings(text):
    """LabVIEW's settings above a tab table: name and text value, no colon, no number."""
    return "Lock-in\tSR830\nSample\tPt/Py\n" + _tab(text)


def _three_cell_settings(text):
    """Settings of three cells (an instrument's name and its address) above a tab table."""
    return "Lock-in\tSR830\tGPIB0::8\nSample\tPt/Py\n" + _tab(text)


def _convert(files, folder, convert, suffix):
    folder.mkdir()
    out = []
    for f in files:
        target = folder / (f.stem + suffix)
        target.write_text(convert(f.read_text()))
        out.append(str(target))
    return out


def _summary(files, out):
    assert main(["hall", *files, *AVCI, "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def csv_summary(tmp_path_factory):
    files = sorted(str(p) for p in EX.glob("phi_*.csv"))
    return _summary(files, tmp_path_factory.mktemp("csv") / "out")


@pytest.mark.parametrize("convert, suffix, note", [
    (_tab, ".txt", "read as tab-separated"),
    (_blank, ".dat", "read as blank-separated; column names split at blanks, each unit in brackets "
                     "kept with its name"),
    (_semicolon, ".csv", "read as semicolon-separated"),
    (_semicolon_decimal_comma, ".csv", "read as semicolon-separated with decimal commas"),
    (_labview, ".txt", "read as tab-separated; 5 preamble line(s) above the column header row "
                       "(line 8) skipped as comments and 'key: value' entries"),
    # settings of text values alone were refused as stray lines ('is neither a comment ...')
    (_text_settings, ".txt", "read as tab-separated; 2 preamble line(s) above the column header "
                             "row (line 3) skipped as comments and 'key: value' entries"),
    (_three_cell_settings, ".txt", "read as tab-separated; 2 preamble line(s) above the column "
                                   "header row (line 3) skipped as comments and 'key: value' "
                                   "entries"),
])
def test_converted_tables_give_exactly_the_numbers_of_the_csv(tmp_path, csv_summary, convert,
                                                              suffix, note):
    files = _convert(sorted(EX.glob("phi_*.csv")), tmp_path / "in", convert, suffix)
    before = {f: Path(f).read_bytes() for f in files}
    s = _summary(files, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(csv_summary)  # exact float equality
    assert s["quantities"] and s["excluded"]
    for f in files:
        assert f"reader: {f}: {Path(f).name} {note}" in s["notes"]
        assert Path(f).read_bytes() == before[f]  # the inputs are never modified
    assert not any(n.startswith("reader:") for n in csv_summary["notes"])


def test_igor_text_files_give_exactly_the_numbers_of_the_csv(tmp_path, csv_summary):
    """Igor Pro's Igor Text (``.itx``; it was "line 1 ('IGOR') is neither a comment ..."), one
    block of waves per rotation, units in ``X SetScale d`` commands; a folder of them too."""
    files = _convert(sorted(EX.glob("phi_*.csv")), tmp_path / "in", _igor_text, ".itx")
    s = _summary([str(tmp_path / "in")], tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(csv_summary) and s["files"] == files
    for f in files:
        assert (f"reader: {f}: an Igor Text file: waves phi (deg), field (mT), X1 (uV), Y1 (uV), "
                "X2 (uV), Y2 (uV) read from 1 block(s) of 180 points") in s["notes"]


def test_workbooks_give_exactly_the_numbers_of_the_csv(tmp_path, csv_summary):
    """Each scan saved as an Excel workbook (as a spreadsheet program writes it, with a
    setting beside its name above the table) reads as the CSV does."""
    pytest.importorskip("openpyxl")
    (tmp_path / "in").mkdir()
    files = []
    for f in sorted(EX.glob("phi_*.csv")):
        frame = pd.read_csv(f)
        target = tmp_path / "in" / (f.stem + ".xlsx")
        with pd.ExcelWriter(target) as xw:
            pd.DataFrame([["Current (mA)", 1.5]]).to_excel(xw, header=False, index=False)
            frame.to_excel(xw, index=False, startrow=2)
        files.append(str(target))
    s = _summary(files, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(csv_summary)  # exact float equality
    for f in files:
        assert (f"reader: {f}: {Path(f).name} read from the sheet 'Sheet1' of a workbook; 1 "
                "preamble line(s)") in " ".join(s["notes"])
    two = tmp_path / "two.xlsx"
    with pd.ExcelWriter(two) as xw:
        for name in ("a", "b"):
            pd.read_csv(EX / "phi_005mT.csv").to_excel(xw, sheet_name=name, index=False)
    with pytest.raises(HallReadError, match=r"two.xlsx: a workbook with numbers on 2 sheets"):
        _read_table(two)


@pytest.mark.parametrize("kind", ["mat", "hdf5"])
def test_matlab_and_hdf5_scans_give_exactly_the_numbers_of_the_csv(tmp_path, csv_summary, kind):
    """Each scan saved as a MATLAB file (one variable per column, the unit in its name) or an
    HDF5 file (one dataset per column, its unit in a ``units`` attribute, the current as an
    attribute of the file) reads as the CSV does."""
    (tmp_path / "in").mkdir()
    files = []
    for f in sorted(EX.glob("phi_*.csv")):
        frame = pd.read_csv(f)
        names = [(c.split(" (")[0], c.split(" (")[1].rstrip(")")) for c in frame.columns]
        if kind == "mat":
            from scipy.io import savemat
            target = tmp_path / "in" / (f.stem + ".mat")
            savemat(target, {f"{n}_{u}": frame[c].to_numpy() for (n, u), c in
                             zip(names, frame.columns)} | {"current_mA": 1.5})
        else:
            h5py = pytest.importorskip("h5py")
            target = tmp_path / "in" / (f.stem + ".h5")
            with h5py.File(target, "w") as fh:
                fh.attrs["Current (mA)"] = 1.5
                scan = fh.create_group("scan")
                for (n, u), c in zip(names, frame.columns):
                    scan.create_dataset(n, data=frame[c].to_numpy()).attrs["units"] = u
        files.append(str(target))
    s = _summary(files, tmp_path / "out")
    read_as = s["conventions"].pop("read_as")
    expected = without_run_entries(csv_summary)
    expected["conventions"] = {k: v for k, v in expected["conventions"].items() if k != "read_as"}
    assert without_run_entries(s) == expected                           # exact float equality
    x1 = "X1_uV" if kind == "mat" else "X1 (uV)"                        # the columns' own names
    assert f"r1w_from: column '{x1}' (uV, channel X)" in read_as
    what = "a MATLAB file" if kind == "mat" else "an HDF5 file"
    assert all(f"{Path(f).name} read from {what}" in " ".join(s["notes"]) for f in files)


def test_names_with_blanks_split_at_two_or_more_blanks(tmp_path):
    src = EX / "phi_010mT.csv"
    f = tmp_path / "aligned.dat"
    f.write_text("".join(f"  {'   '.join(line.split(','))}\n" for line in src.read_text().splitlines()))
    df, note = _read_table(f)
    pd.testing.assert_frame_equal(df, pd.read_csv(src, comment="#"), check_exact=True)
    assert note == "aligned.dat read as blank-separated"


@pytest.mark.parametrize("name, convert, note", [
    ("tab.txt", lambda t: _tab(t).replace(".", ","), "read as tab-separated with decimal commas"),
    ("aligned.dat", lambda t: _blank(t).replace(".", ","),
     "read as blank-separated with decimal commas; column names split at blanks, each unit in "
     "brackets kept with its name"),
    ("crlf.txt", lambda t: _tab(t).replace("\n", "\r\n"), "read as tab-separated"),
    ("percent.csv", lambda t: "% 5.12.2024\nsample = A12\n" + t,
     "read as comma-separated; 2 preamble line(s) above the column header row (line 3) skipped "
     "as comments and 'key: value' entries"),
])
def test_more_layouts_give_the_cells_of_the_csv(tmp_path, name, convert, note):
    src = EX / "phi_010mT.csv"
    f = tmp_path / name
    f.write_bytes(convert(src.read_text()).encode())
    df, said = _read_table(f)
    pd.testing.assert_frame_equal(df, pd.read_csv(src, comment="#"), check_exact=True)
    assert said == f"{name} {note}"


def test_a_comma_file_is_never_read_with_decimal_commas(tmp_path):
    f = tmp_path / "comma.csv"
    f.write_text("phi (deg),X1 (uV),X2 (uV)\n0,5,2\n1,5,3\n")
    df, note = _read_table(f)
    assert note is None  # read by pandas directly, as every plain comma CSV
    assert df.to_numpy().tolist() == [[0, 5, 2], [1, 5, 3]]
    # inside double quotes a comma cannot be the delimiter: "12,5" is 12.5 (as every reader
    # of sotfit.io.decimal_commas reads it; refused before), "1,234" may be 1234 or 1.234 and
    # is refused saying so
    g = tmp_path / "quoted.csv"
    g.write_text('phi (deg),X1 (uV),X2 (uV)\n0,"12,5",2\n1,"13,5",3\n2,"14,5",4\n')
    kw = dict(scan="phi", current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X",
              field=0.01)
    s = read_hall([g], **kw)[0]
    # rms voltage over rms current: uV / mA = 1e-3 Ohm
    assert s.r1w.y.tolist() == pytest.approx([v * 1e-3 / 1.5 for v in (12.5, 13.5, 14.5)],
                                             rel=1e-12)
    assert any("numbers in double quotes written with decimal commas" in n
               for n in s.meta["reader_notes"])
    h = tmp_path / "thousands.csv"
    h.write_text('phi (deg),X1 (uV),X2 (uV)\n0,"1,234",2\n1,"1,235",3\n')
    with pytest.raises(HallReadError, match=r"thousands\.csv: column 'X1 \(uV\)' has non-numeric "
                                            r"value\(s\) '1,234', '1,235' .*comma between thousands"):
        read_hall([h], **kw)


def _mixed_decimals(tmp_path):
    lines = _semicolon_decimal_comma((EX / "phi_010mT.csv").read_text()).splitlines()
    lines[6] = lines[6].replace(",", ".", 1)
    f = tmp_path / "mixed.csv"
    f.write_text("\n".join(lines) + "\n")
    return f, lines[6].split(";")


def test_a_file_mixing_decimal_points_and_commas_is_refused_naming_the_line(tmp_path):
    f, cells = _mixed_decimals(tmp_path)
    point = next(c for c in cells if "." in c)
    with pytest.raises(HallReadError, match=rf"{re.escape(str(f))}: line 7 writes "
                                            rf"'{re.escape(point)}' with a decimal point, but "
                                            r"line 2 writes '[-0-9,]+' with a decimal comma"):
        _read_table(f)


@pytest.mark.parametrize("convert, suffix", [(_tab, ".txt"), (_blank, ".dat"),
                                             (_semicolon_decimal_comma, ".csv")])
def test_a_ragged_row_is_refused_naming_file_and_line(tmp_path, convert, suffix):
    lines = (EX / "phi_010mT.csv").read_text().splitlines()
    lines[9] += ",0.5"  # line 10: one cell too many
    f = tmp_path / f"ragged{suffix}"
    f.write_text(convert("\n".join(lines) + "\n"))
    with pytest.raises(HallReadError, match=rf"{re.escape(str(f))}: line 10 has 7 cell\(s\) but "
                                            r"the column header row \(line 1\) names 6 "):
        _read_table(f)
    lines[9] = ",".join(lines[9].split(",")[:4])  # line 10: two cells too few
    f.write_text(convert("\n".join(lines) + "\n"))
    with pytest.raises(HallReadError, match=r"line 10 has 4 cell\(s\)"):
        _read_table(f)


def test_a_stray_preamble_line_is_refused_naming_it(tmp_path):
    f = tmp_path / "stray.txt"
    f.write_text("Frequency(Hz) = 13.7\nrotation of bar 3 at 10 mT\n"
                 + _tab((EX / "phi_010mT.csv").read_text()))
    with pytest.raises(HallReadError, match=rf"{re.escape(str(f))}: line 2 \('rotation of bar 3 at "
                                            r"10 mT'\) is neither a comment"):
        _read_table(f)
    g = tmp_path / "no_header.txt"
    g.write_text("Frequency(Hz) = 13.7\n% nothing else\n")
    with pytest.raises(HallReadError, match=rf"{re.escape(str(g))}: no column header row"):
        _read_table(g)


def test_a_header_row_that_looks_like_an_entry_stays_the_header(tmp_path):
    f = tmp_path / "entry_like.txt"
    f.write_text("B=10mT phi (deg)\tX1 (uV)\tX2 (uV)\n0\t1.5\t2\n1\t2.5\t3\n")
    df, note = _read_table(f)
    assert list(df.columns) == ["B=10mT phi (deg)", "X1 (uV)", "X2 (uV)"]
    assert df.to_numpy().tolist() == [[0, 1.5, 2], [1, 2.5, 3]]
    assert note == "entry_like.txt read as tab-separated"


# --- the measured files (../shared/data/real), never copied into the project -------------------

def _py_pt_files(real_data):
    return sorted((real_data / "hhv_py_pt" / "sample_A").glob("repeat_*.csv"))


def _ta_cofeb_files(real_data):
    root = real_data / "cmtj_ta_cofeb_5360" / "Ta_CoFeB"
    return [root / "5360_1f_hx_hy.csv", root / "5360_2f_hx_hy.csv"]


def _read_real(files, which):
    if which == "py_pt":
        return read_hall(files, scan="phi", current_is="peak", lockin_output="rms",
                         r2w_channel="X", gain_2w=100.0, voltage_unit="V", angle_unit="deg",
                         field=0.01)
    return read_hall(files, current=2.68, current_is="peak", lockin_output="peak",
                     r2w_channel="-X", field_unit="Oe", voltage_unit="V", theta_h=92.0)


@pytest.mark.real_data
@pytest.mark.parametrize("which", ["py_pt", "ta_cofeb"])
def test_real_hall_files_read_by_pandas_as_before(real_data, which):
    files = _py_pt_files(real_data) if which == "py_pt" else _ta_cofeb_files(real_data)
    for f in files:
        df, note = _read_table(f)
        assert note is None
        pd.testing.assert_frame_equal(df, pd.read_csv(f, comment="#"), check_exact=True)


@pytest.mark.real_data
@pytest.mark.parametrize("which", ["py_pt", "ta_cofeb"])
@pytest.mark.parametrize("convert", [_tab, _semicolon_decimal_comma, _labview])
def test_real_hall_files_converted_read_the_same_arrays(real_data, tmp_path, which, convert):
    files = _py_pt_files(real_data) if which == "py_pt" else _ta_cofeb_files(real_data)
    if which == "ta_cofeb":  # NaN padding: rows ending in empty cells
        assert any(line.endswith(",,") for line in files[1].read_text().splitlines())
    converted = [Path(f) for f in _convert(files, tmp_path / "in", convert, ".csv")]
    want, got = _read_real(files, which), _read_real(converted, which)
    assert len(got) == len(want) > 1
    for b in got:  # each file's layout is said, the second harmonic's too when paired
        said = " ".join(b.meta["reader_notes"])
        assert all(f"{f.name} read as " in said for f in converted if f.name in b.source)
    for a, b in zip(want, got):
        for da, db in ((a.r1w, b.r1w), (a.r2w, b.r2w)):
            assert np.array_equal(da.x, db.x) and np.array_equal(da.y, db.y)
        assert {k: v for k, v in a.meta.items() if k not in ("source", "reader_notes")} \
            == {k: v for k, v in b.meta.items() if k not in ("source", "reader_notes")}


@pytest.mark.parametrize("convert", [_tab, _semicolon_decimal_comma, _labview])
def test_magnet_calibrations_in_other_layouts_read_the_same(tmp_path, convert):
    """A magnet calibration table (current, then field trials) in the layouts above gives the
    calibration of the comma CSV."""
    from sotfit.io.hall import read_magnet_calibration

    csv = tmp_path / "cal.csv"
    csv.write_text("current (A),trial1 (mT),trial2 (mT)\n-1.0,-39.8,-39.7\n-0.5,-19.9,-19.85\n"
                   "0.0,0.02,-0.01\n0.5,19.93,19.9\n1.0,39.81,39.75\n")
    other = tmp_path / "cal_other.txt"
    other.write_text(convert(csv.read_text()))
    a, b = read_magnet_calibration(csv), read_magnet_calibration(other)
    currents = np.linspace(-1.0, 1.0, 9)
    assert np.array_equal(a(currents), b(currents))


def test_a_workbook_of_one_scan_per_sheet_gives_the_numbers_of_the_csvs(tmp_path, csv_summary):
    """Every scan on its own sheet of one workbook (a sheet of notes without numbers beside
    them): each sheet is a scan, named ``file.xlsx[sheet]``, and the results are the CSVs'."""
    pytest.importorskip("openpyxl")
    book = tmp_path / "rotations.xlsx"
    with pd.ExcelWriter(book) as xw:
        pd.DataFrame([["sample", "Py/Pt bar 3"]]).to_excel(xw, sheet_name="Notes", header=False,
                                                          index=False)
        for f in sorted(EX.glob("phi_*.csv")):
            pd.read_csv(f).to_excel(xw, sheet_name=f.stem, index=False)
    before = book.read_bytes()
    s = _summary([str(book)], tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(csv_summary)  # exact float equality
    for f in sorted(EX.glob("phi_*.csv")):
        assert (f"reader: {book}[{f.stem}]: rotations.xlsx read from the sheet '{f.stem}' of a "
                "workbook") in s["notes"]
    assert book.read_bytes() == before


def test_a_comment_at_the_end_of_a_data_row_is_not_a_cell(tmp_path, csv_summary):
    """``...<TAB># glitch?`` after a row of a tab-separated file: the row keeps its cells."""
    files = []
    for f in sorted(EX.glob("phi_*.csv")):
        lines = _tab(f.read_text()).splitlines()
        lines[5] += "\t# glitch?"
        lines[7] += "  # re-measured"
        target = tmp_path / (f.stem + ".txt")
        target.write_text("\n".join(lines) + "\n")
        files.append(str(target))
    s = _summary(files, tmp_path / "out")
    assert without_run_entries(s) == without_run_entries(csv_summary)  # exact float equality


def test_an_instruments_angle_column_is_the_scanned_angle_of_a_rotation(tmp_path, csv_summary):
    """Columns named by the instruments that wrote them (``sample_rotator_angle (deg)``,
    ``lockin_1w_X (uV)``): the one angle column of a rotation is its scanned angle, and the
    scans read as the CSV files do."""
    (tmp_path / "in").mkdir()
    files = []
    for f in sorted(EX.glob("phi_*.csv")):
        lines = f.read_text().splitlines()
        lines[0] = ("sample_rotator_angle (deg),magnet_field (mT),lockin_1w_X (uV),"
                    "lockin_1w_Y (uV),lockin_2w_X (uV),lockin_2w_Y (uV)")
        target = tmp_path / "in" / f.name
        target.write_text("\n".join(lines) + "\n")
        files.append(str(target))
    s = _summary(files, tmp_path / "out")
    assert s["quantities"] == csv_summary["quantities"]


def test_a_folder_per_field_gives_the_field_of_its_rotations(tmp_path, csv_summary, capsys):
    """Rotations kept as ``005mT/rotation.csv`` without a field column, entry or token in
    the file name were "no field column ... give the field of the rotation"; a folder named
    by the field alone gives it (noted), a range (``5-400mT``) does not."""
    files = []
    for p in sorted(EX.glob("phi_*.csv")):
        folder = tmp_path / p.stem.split("_", 1)[1]          # 005mT, 010mT, ...
        folder.mkdir()
        table = pd.read_csv(p).drop(columns="field (mT)")
        table.to_csv(folder / "rotation.csv", index=False)
        files.append(str(folder / "rotation.csv"))
    s = _summary(files, tmp_path / "out")
    assert s["quantities"] == csv_summary["quantities"]
    assert f"reader: {files[0]}: field of the rotation 5 mT read from the folder name ('005mT')" \
        in s["notes"]
    ranged = tmp_path / "5-400mT"
    ranged.mkdir()
    (ranged / "rotation.csv").write_text(Path(files[0]).read_text())
    assert main(["hall", str(ranged / "rotation.csv"), *AVCI, "--out", str(tmp_path / "o")]) == 2
    assert "no field column" in capsys.readouterr().err


def test_lock_in_units_with_the_waveform_written_in_them(tmp_path, capsys):
    """Headers such as ``X1 (mVrms)`` were an unknown unit, and the message's example
    (``--column-unit x1=V``) read millivolts as volts: H_DL a thousand times too large. The
    unit is read (mV) and so is the waveform, which answers --lockin-output; an option that
    says otherwise is refused."""
    import json

    import pandas as pd

    from bundled import ROTATIONS, avci_options

    files = []
    for f in ROTATIONS:
        frame = pd.read_csv(f)
        volts = [c for c in frame.columns if c.split(" ")[0] in ("X1", "Y1", "X2", "Y2")]
        assert volts and all("(uV)" in c for c in volts), frame.columns
        frame[volts] = frame[volts] * 1e-3
        frame = frame.rename(columns={c: c.replace("(uV)", "(mVrms)") for c in volts})
        files.append(tmp_path / f.name)
        frame.to_csv(files[-1], index=False, float_format="%.12g")
    opts = avci_options()
    k = opts.index("--lockin-output")
    plain = opts[:k] + opts[k + 2:]
    runs = {}
    for name, inputs, given in (("ref", ROTATIONS, avci_options()), ("mvrms", files, plain)):
        out = tmp_path / name
        assert main(["hall", *map(str, inputs), *given, "--out", str(out)]) == 0, name
        runs[name] = json.loads((out / "summary.json").read_text())
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe"):
        a, b = runs["ref"]["quantities"][key], runs["mvrms"]["quantities"][key]
        assert b["value"] == pytest.approx(a["value"], rel=1e-9), key
    assert runs["mvrms"]["conventions"]["lockin_output"] == "rms"
    peak = opts[:k + 1] + ["peak"] + opts[k + 2:]
    assert main(["hall", *map(str, files), *peak, "--out", str(tmp_path / "peak")]) == 2
    assert "is in rms voltage but --lockin-output peak was given" in capsys.readouterr().err


def test_peak_to_peak_voltages_and_currents(tmp_path, capsys):
    """``X1 (Vpp)`` was an unknown unit whose message offered ``--column-unit x1=V``: followed,
    R_PHE, H_DL and r_ane came out 2.83 times too large with --lockin-output rms (2 with peak),
    exit status 0; ``I_ac = 4.24 mA pp`` was an unknown unit. A peak-to-peak amplitude is twice
    the peak: the example written so gives its torques."""
    import json
    import math

    import pandas as pd

    from bundled import ROTATIONS, avci_options

    files = []
    for f in ROTATIONS:
        frame = pd.read_csv(f)
        volts = [c for c in frame.columns if c.split(" ")[0] in ("X1", "Y1", "X2", "Y2")]
        frame[volts] = frame[volts] * 1e-6 * 2 * math.sqrt(2)         # uV rms -> V pk-pk
        frame = frame.rename(columns={c: c.replace("(uV)", "(Vpp)") for c in volts})
        files.append(tmp_path / f.name)
        files[-1].write_text(f"# I_ac = {2 * 1.5 * math.sqrt(2)!r} mA pp\n"
                             + frame.to_csv(index=False, float_format="%.15g"))
    opts = avci_options()
    plain = [a for i, a in enumerate(opts) if a not in ("--lockin-output", "--current",
                                                        "--current-is")
             and opts[i - 1] not in ("--lockin-output", "--current", "--current-is")]
    runs = {}
    for name, inputs, given in (("ref", ROTATIONS, opts), ("pp", files, plain)):
        out = tmp_path / name
        assert main(["hall", *map(str, inputs), *given, "--out", str(out)]) == 0, name
        runs[name] = json.loads((out / "summary.json").read_text())
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"):
        a, b = runs["ref"]["quantities"][key], runs["pp"]["quantities"][key]
        assert b["value"] == pytest.approx(a["value"], rel=1e-9), key
    assert runs["pp"]["conventions"]["lockin_output"] == "pk-pk"
    assert any("peak-to-peak: half of it is the peak" in n for n in runs["pp"]["notes"])
    rms = plain + ["--lockin-output", "rms"]
    assert main(["hall", *map(str, files), *rms, "--out", str(tmp_path / "rms")]) == 2
    assert "is in pk-pk voltage but --lockin-output rms was given" in capsys.readouterr().err


@pytest.mark.parametrize("entry", ["# I_ac = 1,5 mA rms", "Strom (mA, rms):\t1,5"])
def test_a_preamble_written_with_decimal_commas_gives_its_current(tmp_path, entry):
    """A file written with decimal commas writes its preamble's numbers so too: '# I_ac = 1,5 mA
    rms' above semicolon rows was refused as an unknown unit ',5 mA' (the rows were read); the
    current is read as 1.5 mA and the torques are those of the file given --current 1.5mA. A
    German lab's 'Strom' (current) was not read as one."""
    files = sorted(EX.glob("phi_*mT.csv"))
    reference = tmp_path / "ref"
    assert main(["hall", *map(str, files), *AVCI, "--out", str(reference)]) == 0
    folder = tmp_path / "komma"
    folder.mkdir()
    for f in files:
        (folder / f.name).write_text(f"# Messung: harmonische Hallspannung\n{entry}\n"
                                     + _semicolon_decimal_comma(f.read_text()))
    without_current = [a for a in AVCI if a != "--current" and a != "1.5mA"]
    out = tmp_path / "o"
    assert main(["hall", *sorted(map(str, folder.glob("*.csv"))), *without_current,
                 "--out", str(out)]) == 0
    got = json.loads((out / "summary.json").read_text())["quantities"]
    want = json.loads((reference / "summary.json").read_text())["quantities"]
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_ane"):
        assert got[key]["value"] == pytest.approx(want[key]["value"], rel=1e-9), key


def test_a_title_line_above_a_delimited_table_is_read_as_free_text(tmp_path):
    """A LabVIEW export whose first line is a title ('Harmonic Hall angle scan', no comment
    mark) was refused ('neither a comment, a key: value entry, nor the column header row'),
    while the table and ST-FMR readers read such a line as text: a line with no tab, semicolon
    or comma and no number, above a header row that splits at one of them, is a title. A
    blank-separated table keeps its header row (no title is guessed there)."""
    src = EX / "phi_010mT.csv"
    f = tmp_path / "titled.txt"
    f.write_text("Harmonic Hall angle scan\n" + _labview(src.read_text()))
    df, _ = _read_table(f)
    pd.testing.assert_frame_equal(df, pd.read_csv(src, comment="#"), check_exact=True)
    g = tmp_path / "blank.dat"
    g.write_text("".join(f"{'  '.join(line.split(','))}\n" for line in src.read_text().splitlines()))
    df, _ = _read_table(g)
    pd.testing.assert_frame_equal(df, pd.read_csv(src, comment="#"), check_exact=True)


def test_a_title_with_a_model_number_above_a_comma_table_is_free_text(tmp_path):
    """'Keithley 6221 + SR830 x2 export' above a comma CSV was taken for the column header row
    and refused ('line 2 below it holds no numbers', line 2 being the header row) while `sotfit
    tables` read it: a title of words and model numbers, writing no quantity, is free text. A
    blank-separated table, where a title cannot be told from a header row, is refused naming
    the line where the numbers start."""
    src = EX / "phi_010mT.csv"
    f = tmp_path / "scan_010.csv"
    f.write_text("Keithley 6221 + SR830 x2 export\n" + src.read_text())
    df, note = _read_table(f)
    pd.testing.assert_frame_equal(df, pd.read_csv(src, comment="#"), check_exact=True)
    assert "1 a title of free text" in note
    g = tmp_path / "blank.dat"
    g.write_text("Keithley 6221 + SR830 x2 export\n"
                 + "".join(f"{'  '.join(line.split(','))}\n" for line in src.read_text().splitlines()))
    with pytest.raises(HallReadError, match=r"line 1 \('Keithley 6221 \+ SR830 x2 export'\) is "
                                            r"neither .*line 2 below it holds no numbers: it looks "
                                            r"like the column header row, the numbers start on "
                                            r"line 3\); make line 1 a comment"):
        _read_table(g)


def test_german_column_names(tmp_path):
    """'Winkel;Feld' (a German lab's export, decimal commas) was 'no column for the scanned
    phi': read as angle and field, the example's torques."""
    import json

    import pandas as pd

    from bundled import ROTATIONS, avci_options

    files = []
    for f in ROTATIONS:
        frame = pd.read_csv(f).rename(columns={"phi (deg)": "Winkel (deg)",
                                                 "field (mT)": "Feld (mT)"})
        files.append(tmp_path / f.name)
        files[-1].write_text(frame.to_csv(index=False, sep=";", decimal=",",
                                          float_format="%.12g"))
    runs = {}
    for name, inputs in (("ref", ROTATIONS), ("de", files)):
        out = tmp_path / f"out_{name}"
        assert main(["hall", *map(str, inputs), *avci_options(), "--out", str(out)]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["quantities"]
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe"):
        assert runs["de"][key]["value"] == pytest.approx(runs["ref"][key]["value"], rel=1e-9)


def test_a_column_named_without_a_unit_sotfit_does_not_know(tmp_path):
    """`--column angle=Winkel` names `Winkel (Grad)` (its name without the unit, as docs/io.md
    says) although sotfit does not know the unit 'Grad' (German degrees, also the gradian's
    name): it was 'no column for the scanned phi found ... name it with --column angle=NAME'.
    With the unit given by --column-unit the example's torques come out."""
    import json

    import pandas as pd

    from bundled import ROTATIONS, avci_options

    files = []
    for f in ROTATIONS:
        frame = pd.read_csv(f).rename(columns={"phi (deg)": "Winkel (Grad)"})
        files.append(tmp_path / f.name)
        frame.to_csv(files[-1], index=False, float_format="%.12g")
    runs = {}
    for name, inputs, extra in (("ref", ROTATIONS, []),
                                ("de", files, ["--column", "angle=Winkel",
                                               "--column-unit", "angle=deg"])):
        out = tmp_path / f"out_{name}"
        assert main(["hall", *map(str, inputs), *avci_options(), *extra, "--out", str(out)]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["quantities"]
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe"):
        assert runs["de"][key]["value"] == pytest.approx(runs["ref"][key]["value"], rel=1e-9)
