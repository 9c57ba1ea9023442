"""Tables saved as workbooks, MATLAB and NumPy files read as the same numbers as the text
export of the same sweep; binary files that are not read are refused with what they are."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from sotfit.cli import main
from summary_compare import without_sources
from sotfit.data import DataError
from sotfit.io import read_stfmr
from sotfit.io.text import read_table, read_tables

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"
FILES = sorted(EXAMPLE.glob("py_pt_*GHz.csv"), key=lambda p: int(p.stem.split("_")[-1][:-3]))[:3]


def _sweep(p: Path) -> np.ndarray:
    return read_table(p).data


def _ghz(p: Path) -> int:
    return int(p.stem.split("_")[-1][:-3])


def test_a_workbook_of_one_sheet_per_frequency_gives_the_csv_numbers(tmp_path):
    """Sheets named by frequency, a setting written beside its name, a sheet of notes: each
    sheet with numbers is one table, the values are the bits of the CSV, and the command
    fits the same spectra."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    book = tmp_path / "book" / "py_pt_run.xlsx"
    book.parent.mkdir()
    with pd.ExcelWriter(book) as xw:
        pd.DataFrame([["written by the lab's program"]]).to_excel(
            xw, sheet_name="Notes", header=False, index=False)
        for p in FILES:
            d = _sweep(p)
            rows = [["Power (dBm)", 10.0], [None, None], ["Field (mT)", "Vmix (uV)"],
                    *d.tolist()]
            pd.DataFrame(rows).to_excel(xw, sheet_name=f"{_ghz(p)} GHz", header=False,
                                        index=False)
    tables = read_tables(book)
    assert [t.sheet for t in tables] == [f"{_ghz(p)} GHz" for p in FILES]
    for t, p in zip(tables, FILES):
        assert np.array_equal(t.data, _sweep(p))                  # every bit
        assert float(t.header["Power (dBm)"]) == 10.0 and t.columns == ("Field (mT)", "Vmix (uV)")
        assert t.name == f"py_pt_run.xlsx[{_ghz(p)} GHz]"
    with pytest.raises(DataError, match="3 sheets.*read_tables"):
        read_table(book)
    (tmp_path / "book" / "notes.md").write_text("not data")
    args = ["--no-figures", "--no-global"]
    # the sheets' power is written with the spectra: the CSV files given it say the same
    assert main(["stfmr", *map(str, FILES), "--out", str(tmp_path / "a"), *args,
                 "--power", "10dBm"]) == 0
    assert main(["stfmr", str(book.parent), "--out", str(tmp_path / "b"), *args]) == 0
    sa, sb = (json.loads((tmp_path / o / "summary.json").read_text()) for o in "ab")
    assert without_sources(sa["spectra"]) == without_sources(sb["spectra"])
    assert without_sources(sa["sequential"]) == without_sources(sb["sequential"])


def test_a_matlab_file_of_named_vectors(tmp_path):
    """Vectors are columns named by their variables, a number of one element a header entry;
    the command reads field and voltage units from the names."""
    from scipy.io import savemat

    p = FILES[1]
    d = _sweep(p)
    mat = tmp_path / "sweep.mat"
    savemat(mat, {"field_mT": d[:, 0], "vmix_uV": d[:, 1], "frequency_GHz": float(_ghz(p)),
                  "sample": "Py/Pt", "time_s": np.arange(5.0)})
    t = read_table(mat)
    assert t.columns == ("field_mT", "vmix_uV") and np.array_equal(t.data, d)
    assert float(t.header["frequency_GHz"]) == _ghz(p) and t.header["sample"] == "Py/Pt"
    assert any("time_s" in n for n in t.notes)                    # another length: left out
    (ds,) = read_stfmr(mat)
    assert ds.meta["frequency"] == _ghz(p)
    assert np.array_equal(ds.x, d[:, 0] * 1e-3) and np.array_equal(ds.y, d[:, 1])


def test_a_numpy_archive_with_a_matrix(tmp_path):
    """An N x 2 matrix gives two columns ``data[0]``, ``data[1]``, either way round."""
    d = _sweep(FILES[0])
    np.savez(tmp_path / "a.npz", data=d.T, frequency_GHz=8.0)
    t = read_table(tmp_path / "a.npz")
    assert t.columns == ("data[0]", "data[1]") and np.array_equal(t.data, d)
    np.save(tmp_path / "b.npy", d)
    assert np.array_equal(read_table(tmp_path / "b.npy").data, d)
    # the index is not a unit: the columns take the units the options give ('data[1]' was
    # read as the dimensionless unit '1', which no option could replace)
    ds = read_stfmr([tmp_path / "a.npz"], field_column="data[0]", voltage_column="data[1]",
                    field_unit="mT", voltage_unit="uV")
    assert np.array_equal(ds[0].x, d[:, 0] * 1e-3) and np.array_equal(ds[0].y, d[:, 1])


def test_texts_of_a_numpy_archive_as_bytes_or_str_are_the_same_header_entry(tmp_path):
    """A sample name saved as bytes (NumPy's 'S' type, as a script encoding its strings
    writes it) is the same header entry as one saved as str: its text, not "b'...'"."""
    d = _sweep(FILES[0])
    for sample, name in ((np.array(b"Py6/Pt6 bar 3"), "s.npz"), (np.array("Py6/Pt6 bar 3"), "u.npz")):
        np.savez(tmp_path / name, field_mT=d[:, 0], vmix_uV=d[:, 1], sample=sample,
                 frequency_GHz=8.0)
        t = read_table(tmp_path / name)
        assert t.header == {"sample": "Py6/Pt6 bar 3", "frequency_GHz": "8.0"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_text_reads_as_the_same_table(tmp_path, encoding):
    """With or without a byte-order mark (``utf-16-le`` and ``-be`` write none): text two or
    four bytes to a character is text, not a binary file."""
    p = FILES[0]
    q = tmp_path / "u16.csv"
    q.write_bytes(p.read_text(encoding="utf-8").encode(encoding))
    a, b = read_table(p), read_table(q)
    assert np.array_equal(a.data, b.data) and a.header == b.header and a.columns == b.columns


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_harmonic_hall_and_thickness_tables_in_utf16(tmp_path, encoding):
    from sotfit.io.hall.dialect import _read_table
    from sotfit.io.thickness import read_thickness_table

    root = Path(__file__).resolve().parents[1] / "data"
    hall = root / "hall_example" / "inplane" / "phi_100mT.csv"
    q = tmp_path / "h.csv"
    q.write_bytes(hall.read_text(encoding="utf-8").encode(encoding))
    assert _read_table(q)[0].equals(_read_table(hall)[0])
    series = root / "thickness_example" / "nife_bisb.csv"
    r = tmp_path / "t.csv"
    r.write_bytes(series.read_text(encoding="utf-8").encode(encoding))
    a, b = read_thickness_table(series), read_thickness_table(r)
    for one, two in ((a.dl, b.dl), (a.fl, b.fl)):
        assert np.array_equal(one.x, two.x) and np.array_equal(one.y, two.y)
        assert np.array_equal(one.yerr, two.yerr)
    assert a.resistivity == b.resistivity


@pytest.mark.parametrize("raw, said", [
    (b"\x00\x01\x02binary\x00" * 50, "a binary file, not a text table"),
    (b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(512, b" ") + b"\x89HDF\r\n\x1a\n" + b"\0" * 64,
     "a MATLAB 7.3 file that cannot be read"),
    (b"\x89HDF\r\n\x1a\n" + b"\0" * 64, "an HDF5 file that cannot be read"),
    (b"SQLite format 3\x00" + b"\0" * 84, "an SQLite database that cannot be read"),
    (gzip.compress(b"Field (mT),Vmix (uV)\n1,2\n", mtime=0),
     r"a gzip-compressed file: decompress it \(gunzip, or 7-Zip\) and give the file inside"),
])
def test_binary_files_not_read_are_named_with_what_to_do(tmp_path, raw, said):
    p = tmp_path / "x.dat"
    p.write_bytes(raw)
    with pytest.raises(DataError, match=f"x.dat: {said}"):
        read_table(p)
    assert main(["stfmr", str(p), "--out", str(tmp_path / "o"), "--no-figures"]) == 2


def test_a_matlab_file_without_columns_is_named(tmp_path):
    from scipy.io import savemat

    savemat(tmp_path / "s.mat", {"frequency_GHz": 10.0, "trace": np.arange(7.0)})
    with pytest.raises(DataError, match=r"s.mat: a MATLAB file without two vectors of one "
                                        r"length.*trace"):
        read_table(tmp_path / "s.mat")


def test_workbooks_beside_text_exports_are_not_taken_from_the_folder(tmp_path):
    """A folder of text exports with a workbook beside them (a sheet of results, say) reads
    the text files only; a workbook named on its own is read."""
    import shutil

    from scipy.io import savemat

    for p in FILES:
        shutil.copy(p, tmp_path / p.name)
    savemat(tmp_path / "results.mat", {"h_res": np.arange(3.0), "width": np.arange(3.0)})
    assert [d.meta["source"] for d in read_stfmr(tmp_path)] == [p.name for p in FILES]
