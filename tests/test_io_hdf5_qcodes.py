"""HDF5 files, MATLAB 7.3 files and QCoDeS databases read as the text tables of the same
numbers: the files in tests/fixtures were written by the programs themselves (QCoDeS,
hdf5storage; tests/fixtures/README.md), the other HDF5 files here by h5py."""

import hashlib
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_stfmr, read_table
from sotfit.io.hall import HallReadError, read_hall
from sotfit.io.text import read_tables

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLE = ROOT / "data" / "stfmr_example"
QCODES_DB = FIXTURES / "qcodes_stfmr.db"
MATLAB73 = FIXTURES / "matlab73_10GHz.mat"


def _fingerprint(p: Path) -> tuple:
    return hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns


def _spectra(files, out: Path, *extra) -> pd.DataFrame:
    assert main(["stfmr", *map(str, files), "--no-figures", "--no-global", "--out", str(out),
                 *extra]) == 0
    return pd.read_csv(out / "spectra.csv", comment="#")


@pytest.fixture(scope="module")
def csv_8_10_12(tmp_path_factory):
    """The fits of the bundled 8, 10 and 12 GHz spectra from their CSV files."""
    files = [EXAMPLE / f"py_pt_{f}GHz.csv" for f in (8, 10, 12)]
    return _spectra(files, tmp_path_factory.mktemp("csv") / "out")


def _same_numbers(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Every numeric column identical, bit for bit (the same spectra read from two files)."""
    assert list(a.columns) == list(b.columns)
    num = a.select_dtypes("number").columns
    assert np.array_equal(a[num].to_numpy(), b[num].to_numpy())


def test_a_qcodes_database_gives_the_numbers_of_the_csv_files(tmp_path, csv_8_10_12):
    """The runs of a QCoDeS database (point by point and as arrays) are one spectrum each,
    named by their runs, their frequencies from the runs' names, their field angle from the
    runs' metadata; the fits are those of the CSV files, bit for bit; the run without rows is
    left out with a note; the database is not touched."""
    before = _fingerprint(QCODES_DB)
    got = _spectra([QCODES_DB], tmp_path / "out")
    _same_numbers(got, csv_8_10_12)
    assert sorted(set(got["source"])) == [f"qcodes_stfmr.db[run {i} sweep_{f}GHz]"
                                          for i, f in ((1, 8), (2, 10), (3, 12))]
    tables = read_tables(QCODES_DB)
    assert [t.columns for t in tables] == [("field (mT)", "vmix (uV)")] * 3
    assert tables[0].header["field_angle_deg"] == "45"
    assert tables[0].header["sample"] == "Py6/Pt6 bar 3"
    assert any("run(s) 4 of the database left out: no rows" in n for n in tables[0].notes)
    assert _fingerprint(QCODES_DB) == before


def test_a_database_is_read_by_sqlite_itself_and_nothing_is_written_beside_it(tmp_path):
    """Only the first 4 kB of a database are read into memory (SQLite reads the rows of the
    runs wanted: a lab's database may be larger than memory), and reading it takes no lock and
    writes no file beside it (no journal, no shared-memory file)."""
    from sotfit.io.containers import container_bytes

    db = tmp_path / "experiments.db"
    shutil.copy(QCODES_DB, db)
    assert len(container_bytes(db)) == 4096 < db.stat().st_size
    before = _fingerprint(db)
    assert len(read_tables(db)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["experiments.db"]
    assert _fingerprint(db) == before


def test_rows_still_in_the_write_ahead_log_are_read_and_nothing_is_written(tmp_path):
    """A database being written (its rows still in ``run.db-wal``, as while a QCoDeS
    measurement runs) is read with those rows; neither the database nor its log changes."""
    db = tmp_path / "live.db"
    shutil.copy(QCODES_DB, db)
    writer = sqlite3.connect(db)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE runs SET name = 'sweep_8GHz_live' WHERE run_id = 1")
        writer.commit()
        wal = Path(f"{db}-wal")
        assert wal.stat().st_size > 0
        before = _fingerprint(db), _fingerprint(wal)
        names = [t.name for t in read_tables(db)]
        assert names[0] == "live.db[run 1 sweep_8GHz_live]"
        assert (_fingerprint(db), _fingerprint(wal)) == before
    finally:
        writer.close()


def test_an_sqlite_file_of_another_program_is_named_with_its_tables(tmp_path):
    db = tmp_path / "log.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE samples (t REAL, v REAL)")
    con.commit()
    con.close()
    with pytest.raises(DataError, match=r"log.db: an SQLite database that is not a QCoDeS "
                                        r"database \(tables: samples\)"):
        read_table(db)


def test_a_matlab_73_file_reads_as_the_same_variables_saved_by_scipy(tmp_path):
    """MATLAB 7.3 (HDF5, written by hdf5storage): vectors stored transposed and a text in 16-bit
    characters read as the level-5 file of the same variables (scipy.io.savemat) reads."""
    from scipy.io import savemat

    d = np.loadtxt(EXAMPLE / "py_pt_10GHz.csv", comments="#", delimiter=",", skiprows=4)
    level5 = tmp_path / "matlab5_10GHz.mat"
    savemat(level5, {"field_mT": d[:, 0], "vmix_uV": d[:, 1], "frequency_GHz": 10.0,
                     "sample": "Py6/Pt6 bar 3"})
    pytest.importorskip("h5py")
    new, old = read_table(MATLAB73), read_table(level5)
    assert new.columns == old.columns == ("field_mT", "vmix_uV")
    assert np.array_equal(new.data, old.data) and np.array_equal(new.data, d)
    assert new.header == {"frequency_GHz": "10.0", "sample": "Py6/Pt6 bar 3"} == old.header
    _same_numbers(_spectra([MATLAB73], tmp_path / "a"), _spectra([level5], tmp_path / "b"))


def test_an_hdf5_file_of_one_group_per_frequency_gives_the_numbers_of_the_csv_files(
        tmp_path, csv_8_10_12):
    """One group per spectrum named by its frequency, datasets with a ``units`` attribute, the
    field angle an attribute of the file: one spectrum per group, the fits of the CSV files."""
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "run.h5"
    with h5py.File(path, "w") as fh:
        fh.attrs["field_angle_deg"] = 45.0
        fh.attrs["sample"] = "Py6/Pt6 bar 3"
        for f in (8, 10, 12):
            d = np.loadtxt(EXAMPLE / f"py_pt_{f}GHz.csv", comments="#", delimiter=",",
                           skiprows=4)
            g = fh.create_group(f"sweep_{f:02d}GHz")
            g.create_dataset("field", data=d[:, 0]).attrs["units"] = "mT"
            g.create_dataset("vmix", data=d[:, 1]).attrs["units"] = np.bytes_(b"uV")
            g.create_dataset("n_avg", data=16)
    before = _fingerprint(path)
    got = _spectra([path], tmp_path / "out")
    _same_numbers(got, csv_8_10_12)
    assert sorted(set(got["source"])) == [f"run.h5[sweep_{f:02d}GHz]" for f in (8, 10, 12)]
    table = read_tables(path)[0]
    assert table.columns == ("field (mT)", "vmix (uV)")
    assert table.header == {"field_angle_deg": "45.0", "sample": "Py6/Pt6 bar 3",
                            "n_avg": "16.0"}
    assert _fingerprint(path) == before


def test_a_qcodes_netcdf_export_of_a_map_pairs_every_point_with_its_own_setpoints(
        tmp_path, csv_8_10_12):
    """QCoDeS' netCDF export of one run of three spectra (SI units; fields that differ between
    frequencies, so the points lie on a CF index compressed by gathering, beside the sorted field
    values of that index, 2160 of them as there are points): each point is read with its own
    frequency and field, and the fits are those of the CSV files (to rounding, the volts and
    tesla of the export being the CSV's microvolts and millitesla scaled)."""
    pytest.importorskip("h5py")
    path = FIXTURES / "qcodes_map.nc"
    before = _fingerprint(path)
    table = read_table(path)
    assert table.columns == ("mw_frequency (Hz)", "magnet_field (T)", "lockin_X (V)")
    got = _spectra([path], tmp_path / "out", "--column", "voltage=lockin_X (V)")
    num = [c for c in csv_8_10_12.columns
           if c not in ("source", "linewidth_convention", "flags")]    # the text columns
    assert (got["linewidth_convention"] == csv_8_10_12["linewidth_convention"]).all()
    np.testing.assert_allclose(got[num].to_numpy(), csv_8_10_12[num].to_numpy(), rtol=1e-9,
                               atol=1e-12)
    assert _fingerprint(path) == before


def test_dataframes_saved_by_pandas_give_the_numbers_of_the_csv_files(tmp_path, csv_8_10_12):
    """A pandas HDF5 store (``DataFrame.to_hdf`` through PyTables): the 8 GHz frame in the fixed
    format, the 10 GHz one in the table format (its column names pickled by pandas, read as
    text): one spectrum per key, the fits of the CSV files bit for bit."""
    pytest.importorskip("h5py")
    path = FIXTURES / "pandas_store.h5"
    tables = read_tables(path)
    assert [(t.name, t.columns) for t in tables] == [
        ("pandas_store.h5[sweep_10GHz]", ("Field (mT)", "Vmix (uV)")),
        ("pandas_store.h5[sweep_8GHz]", ("Field (mT)", "Vmix (uV)"))]
    got = _spectra([path], tmp_path / "out", "--field-angle", "pandas_store.h5=45")
    want = csv_8_10_12[csv_8_10_12["frequency (GHz)"] < 11].sort_values("frequency (GHz)",
                                                                        kind="stable")
    _same_numbers(got.sort_values("frequency (GHz)", kind="stable").reset_index(drop=True),
                  want.reset_index(drop=True))


def test_an_hdf5_file_without_columns_lists_its_datasets(tmp_path):
    h5py = pytest.importorskip("h5py")
    path = tmp_path / "odd.h5"
    with h5py.File(path, "w") as fh:
        fh.create_dataset("trace", data=np.arange(7.0))
        fh.create_dataset("image", data=np.zeros((3, 4, 5)))
    with pytest.raises(DataError, match=r"odd.h5: an HDF5 file without two vectors of one "
                                        r"length to read as columns \(datasets: /image \(3, 4, 5\), "
                                        r"/trace \(7,\)\)"):
        read_table(path)


def test_without_h5py_an_hdf5_file_names_the_extra_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(DataError, match=r'matlab73_10GHz.mat: an HDF5 file .*needs the package '
                                        r'h5py \(pip install "sotfit\[hdf5\]"\)'):
        read_table(MATLAB73)


def test_hall_scans_of_a_qcodes_database_give_the_numbers_of_the_csv_files(tmp_path):
    """Angle scans stored by QCoDeS (each lock-in output in rows of its own with its angle,
    the field in rows of its own) read as the CSV files of the same scans: the analysis is the
    same, bit for bit, with the scans named by their runs."""
    from tests.bundled import avci_options

    hall_db = FIXTURES / "qcodes_hall.db"
    csvs = [ROOT / "data" / "hall_example" / "inplane" / f"phi_{mt}mT.csv"
            for mt in ("100", "200", "400")]
    summaries = []
    for name, files in (("db", [hall_db]), ("csv", csvs)):
        out = tmp_path / name
        assert main(["hall", *map(str, files), *avci_options(), "--out", str(out)]) == 0
        summaries.append(json.loads((out / "summary.json").read_text()))
    db, csv = summaries
    assert db["quantities"] == csv["quantities"] and db["flags"] == csv["flags"]
    assert db["conventions"]["read_as"] == csv["conventions"]["read_as"]
    assert [e.split(" (")[0] for e in db["excluded"]] == [e.split(" (")[0] for e in csv["excluded"]]
    assert any("qcodes_hall.db read from run 1 phi_100mT of a QCoDeS database" in n
               for n in db["notes"])


def test_a_labview_tdms_file_of_one_group_per_frequency_gives_the_numbers_of_the_csv_files(
        tmp_path, csv_8_10_12):
    """A TDMS file as LabVIEW writes one (written here by npTDMS): a group per spectrum named
    by its frequency, the channels' units in ``unit_string``, the field angle a property of the
    file, a channel of time stamps beside the data: one spectrum per group, the fits of the
    CSV files bit for bit, the time stamps left out with a note; an index file is refused."""
    nptdms = pytest.importorskip("nptdms")
    path = tmp_path / "run.tdms"
    groups = []
    for f in (8, 10, 12):
        d = np.loadtxt(EXAMPLE / f"py_pt_{f}GHz.csv", comments="#", delimiter=",", skiprows=4)
        name = f"{f} GHz"
        stamps = np.datetime64("2026-12-05T10:00:00") + np.arange(len(d)).astype("timedelta64[s]")
        groups += [nptdms.GroupObject(name, properties={"Power (dBm)": 10.0}),
                   nptdms.ChannelObject(name, "Time", stamps),
                   nptdms.ChannelObject(name, "Field", d[:, 0], properties={"unit_string": "mT"}),
                   nptdms.ChannelObject(name, "Vmix", d[:, 1], properties={"unit_string": "uV"})]
    with nptdms.TdmsWriter(path) as writer:
        writer.write_segment([nptdms.RootObject(properties={"field_angle_deg": 45.0,
                                                            "operator": "A. B."}), *groups])
    before = _fingerprint(path)
    got = _spectra([path], tmp_path / "out")
    # the groups' power is written with the spectra: the CSV files given it say the same
    files = [EXAMPLE / f"py_pt_{f}GHz.csv" for f in (8, 10, 12)]
    _same_numbers(got, _spectra(files, tmp_path / "csv", "--power", "10dBm"))
    assert list(got["power (dBm)"]) == [10.0] * len(got)
    assert list(dict.fromkeys(got["source"])) == [f"run.tdms[{f} GHz]" for f in (8, 10, 12)]
    assert read_stfmr(path).values("power") == [10.0] * 3
    table = read_tables(path)[0]
    assert table.columns == ("Field (mT)", "Vmix (uV)")
    assert table.header == {"field_angle_deg": "45.0", "operator": "A. B.", "Power (dBm)": "10.0"}
    assert any("channels ['Time'] of group '8 GHz' left out" in n for n in table.notes)
    assert _fingerprint(path) == before
    index = tmp_path / "run.tdms_index"
    index.write_bytes(b"TDSh" + b"\0" * 40)
    with pytest.raises(DataError, match=r"run.tdms_index: a TDMS index file; give the .tdms file "
                                        r"beside it \(run.tdms\)"):
        read_table(index)


def test_one_table_of_a_file_of_several_is_read_by_its_name(tmp_path, monkeypatch):
    """``FILE[NAME]``, the name every output gives a table of a file of several, reads that
    table alone: a run by its number or its name (a QCoDeS database holds every measurement of
    a lab, of which an analysis takes some), a section of a text file, a file whose own name has
    brackets as itself; a name that is no table lists the tables."""
    whole = {t.name: t for t in read_tables(QCODES_DB)}
    picked = read_stfmr([f"{QCODES_DB}[run 2]", f"{QCODES_DB}[sweep_12GHz]"])
    assert [d.meta["source"] for d in picked] == ["qcodes_stfmr.db[run 2 sweep_10GHz]",
                                                  "qcodes_stfmr.db[run 3 sweep_12GHz]"]
    assert picked.values("frequency") == [10.0, 12.0]
    table = read_table(f"{QCODES_DB}[run 2 sweep_10GHz]")
    assert np.array_equal(table.data, whole["qcodes_stfmr.db[run 2 sweep_10GHz]"].data)
    from sotfit.io import qcodes_db                     # the other runs are not read at all
    original, read = qcodes_db._run_table, []
    monkeypatch.setattr(qcodes_db, "_run_table",
                        lambda con, run, *a: read.append(run["run_id"]) or original(con, run, *a))
    assert read_table(f"{QCODES_DB}[run 3]").name == "qcodes_stfmr.db[run 3 sweep_12GHz]"
    assert read == [3]
    with pytest.raises(DataError, match=r"qcodes_stfmr.db\[run 9\]: qcodes_stfmr.db holds no "
                                        r"table 'run 9' \(its tables: 'run 1 sweep_8GHz', "):
        read_table(f"{QCODES_DB}[run 9]")
    assert main(["stfmr", f"{QCODES_DB}[run 9]", "--no-figures", "--out",
                 str(tmp_path / "none")]) == 2
    odd = tmp_path / "dev[1].csv"
    shutil.copy(EXAMPLE / "py_pt_10GHz.csv", odd)
    assert read_table(odd).name == "dev[1].csv"
    with pytest.raises(DataError, match=r"py_pt_8GHz.csv holds no table 'x' \(it holds one "
                                        r"table: give the file alone\)"):
        read_table(f"{EXAMPLE / 'py_pt_8GHz.csv'}[x]")


def test_hall_runs_picked_by_name_give_the_scans_of_the_whole_database(tmp_path):
    from tests.bundled import avci_options

    hall_db = FIXTURES / "qcodes_hall.db"
    picks = [f"{hall_db}[phi_100mT]", f"{hall_db}[run 2 phi_200mT]", f"{hall_db}[run 3]"]
    summaries = []
    for name, files in (("all", [str(hall_db)]), ("picked", picks)):
        out = tmp_path / name
        assert main(["hall", *files, *avci_options(), "--out", str(out)]) == 0
        summaries.append(json.loads((out / "summary.json").read_text()))
    assert summaries[0]["quantities"] == summaries[1]["quantities"]
    with pytest.raises(HallReadError, match=r"qcodes_hall.db holds no table 'phi_999mT'"):
        read_hall([f"{hall_db}[phi_999mT]"], scan="phi")


def test_a_folder_of_databases_gives_their_runs_but_not_a_thumbnail_cache(tmp_path):
    """A folder with no text files gives its QCoDeS databases; Windows' ``Thumbs.db`` beside
    them (an OLE2 file, no database) is not taken for one."""
    shutil.copy(QCODES_DB, tmp_path / "experiments.db")
    (tmp_path / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    sweep = read_stfmr(tmp_path)
    assert sweep.values("frequency") == [8.0, 10.0, 12.0]


def test_an_error_in_one_run_of_a_database_given_whole_says_how_to_leave_it_out(tmp_path, capsys):
    """A database holds the runs of other measurements too (here: Hall rotations given to the
    ST-FMR command, ST-FMR sweeps to the Hall command): the error names the run and how to give
    only the runs wanted."""
    hall_db = FIXTURES / "qcodes_hall.db"
    assert main(["stfmr", str(hall_db), "--no-figures", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "qcodes_hall.db[run 1 phi_100mT]: no voltage column" in err
    assert (f"('run 1 phi_100mT' is one table of qcodes_hall.db, given whole: to leave it out, "
            f"give the tables wanted by name as the outputs name them, '{hall_db}[NAME]')") in err
    hall_options = ["--method", "avci", "--current", "1.5mA", "--current-is", "rms",
                    "--lockin-output", "rms", "--r2w-channel", "X", "--no-figures"]
    assert main(["hall", str(QCODES_DB), *hall_options, "--out", str(tmp_path / "h")]) == 2
    assert (f"('run 1 sweep_8GHz' is one table of qcodes_stfmr.db, given whole: to leave it "
            f"out, give the tables wanted by name as the outputs name them, "
            f"'{QCODES_DB}[NAME]')") in capsys.readouterr().err
