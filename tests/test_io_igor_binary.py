"""Igor binary waves (.ibw) read as the text tables of the same numbers: an ST-FMR spectrum kept
as a matrix of labelled columns, as a wave x scaled in mT (versions 5 and 2, both byte
orders), harmonic Hall rotations as a matrix x scaled in degrees; the files are written by
tests/igor_waves.py as PTN003 lays them out and read back by the independent reader igor2."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bundled import ROTATIONS, SPECTRUM, avci_options
from igor_waves import ibw_v2, ibw_v5
from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_table


def _spectrum():
    """Field (mT) and V_mix (uV) of the bundled 10 GHz spectrum."""
    d = np.loadtxt(SPECTRUM, delimiter=",", comments="#", skiprows=4)
    return d[:, 0], d[:, 1]


def _csv(path: Path, field, volts, head: str = "") -> Path:
    rows = "\n".join(f"{a!r},{b!r}" for a, b in zip(field.tolist(), volts.tolist()))
    path.write_text(f"{head}Field (mT),Vmix (uV)\n{rows}\n", encoding="utf-8")
    return path


def _fits(files, out: Path, *extra) -> pd.DataFrame:
    assert main(["stfmr", *map(str, files), "--no-figures", "--no-global", "--out", str(out),
                 *extra]) == 0
    return pd.read_csv(out / "spectra.csv", comment="#")


def _same_fits(a: pd.DataFrame, b: pd.DataFrame) -> None:
    num = a.select_dtypes("number").columns
    assert list(num) == list(b.select_dtypes("number").columns)
    assert np.array_equal(a[num].to_numpy(), b[num].to_numpy())


def test_the_waves_written_here_are_read_by_igor2_as_written(tmp_path):
    """The independent reader igor2 finds in the files the data, scaling, units, note and
    labels written (so the files are Igor binary waves, not this project's idea of one)."""
    igor = pytest.importorskip("igor2.binarywave")
    field, volts = _spectrum()
    m = np.column_stack([field, volts])
    (tmp_path / "m.ibw").write_bytes(ibw_v5("data", m, column_labels=["Field (mT)", "Vmix (uV)"],
                                            note="frequency_GHz=10", order=">"))
    wave = igor.load(tmp_path / "m.ibw")["wave"]
    assert np.array_equal(wave["wData"], m)
    assert wave["labels"][1] == [b"", b"Field (mT)", b"Vmix (uV)"]
    assert wave["note"] == b"frequency_GHz=10"
    (tmp_path / "v.ibw").write_bytes(ibw_v5("Vmix", volts[360:], x0=66.5, dx=0.35, x_unit="mT",
                                            data_unit="uV"))
    wave = igor.load(tmp_path / "v.ibw")["wave"]
    assert np.array_equal(wave["wData"], volts[360:])
    assert (wave["wave_header"]["sfA"][0], wave["wave_header"]["sfB"][0]) == (0.35, 66.5)
    assert b"".join(wave["wave_header"]["dimUnits"][0]) == b"mT"
    (tmp_path / "old.ibw").write_bytes(ibw_v2("Vmix", volts[360:], x0=66.5, dx=0.35,
                                              x_unit="mT", data_unit="uV", note="f=10GHz"))
    wave = igor.load(tmp_path / "old.ibw")["wave"]
    assert np.array_equal(wave["wData"], volts[360:].astype("f4"))
    assert wave["note"] == b"f=10GHz" and wave["wave_header"]["hsA"] == 0.35


def test_a_matrix_of_labelled_columns_gives_the_fits_of_the_csv_file(tmp_path):
    """The 10 GHz spectrum as a matrix (field and V_mix columns named by SetDimLabel, frequency
    and angle in the wave note): the fits of the CSV file of the same numbers, bit for bit; the
    frequency is the note's; the wave file is not touched."""
    field, volts = _spectrum()
    wave = tmp_path / "dev1_data.ibw"
    wave.write_bytes(ibw_v5("data", np.column_stack([field, volts]),
                            column_labels=["Field (mT)", "Vmix (uV)"],
                            note="frequency_GHz=10\rfield_angle_deg=45\r"))
    before = hashlib.sha256(wave.read_bytes()).hexdigest()
    csv = _csv(tmp_path / "dev1_data.csv", field, volts,
               "# frequency_GHz: 10\n# field_angle_deg: 45\n")
    got = _fits([wave], tmp_path / "out_ibw")
    _same_fits(got, _fits([csv], tmp_path / "out_csv"))
    assert set(got["frequency (GHz)"]) == {10.0}
    assert hashlib.sha256(wave.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("version, order", [(5, "<"), (5, ">"), (2, ">")])
def test_a_wave_scaled_in_millitesla_gives_its_field_from_the_scaling(tmp_path, version, order):
    """One field branch kept as a wave of V_mix whose x scaling is the field (SetScale/P x
    66.5, 0.35316, "mT"), its frequency in the file name: the fits of the CSV file whose field
    column is x0 + dx p, bit for bit (version 2 keeps single precision: the CSV holds the same
    single-precision numbers), and a note says the field is the wave's x scaling."""
    field, volts = _spectrum()
    volts = volts[360:]
    x0, dx = 66.50031, 0.35316
    x = x0 + dx * np.arange(len(volts))
    if version == 5:
        raw = ibw_v5("Vmix", volts, x0=x0, dx=dx, x_unit="mT", data_unit="uV", order=order)
    else:
        raw = ibw_v2("Vmix", volts, x0=x0, dx=dx, x_unit="mT", data_unit="uV", order=order)
        volts = volts.astype("f4").astype(float)
    wave = tmp_path / "pos_10GHz.ibw"
    wave.write_bytes(raw)
    csv = _csv(tmp_path / "pos_10GHz.csv", x, volts)
    got = _fits([wave], tmp_path / "out_ibw", "--angle", "45deg")
    _same_fits(got, _fits([csv], tmp_path / "out_csv", "--angle", "45deg"))
    summary = json.loads((tmp_path / "out_ibw" / "summary.json").read_text())
    assert any("x scaling" in n and "'field'" in n for n in json.dumps(summary).split('"'))


def test_hall_rotations_kept_as_matrices_scaled_in_degrees_give_the_csv_numbers(tmp_path):
    """Each in-plane rotation as a matrix whose rows are x scaled in degrees (SetScale/P x 0,
    2, "deg") and whose columns carry the CSV's names: the numbers of the CSV files, exactly."""
    waves = []
    for path in ROTATIONS:
        frame = pd.read_csv(path)
        phi = frame["phi (deg)"].to_numpy()
        assert np.array_equal(phi, 2.0 * np.arange(len(phi)))
        columns = [c for c in frame.columns if c != "phi (deg)"]
        raw = ibw_v5("rot", frame[columns].to_numpy(), x0=0.0, dx=2.0, x_unit="deg",
                     column_labels=columns)
        waves.append(tmp_path / f"{path.stem}.ibw")
        waves[-1].write_bytes(raw)
    for files, out in ((waves, "out_ibw"), (ROTATIONS, "out_csv")):
        assert main(["hall", *map(str, files), *avci_options(), "--out",
                     str(tmp_path / out)]) == 0
    got, want = (json.loads((tmp_path / o / "summary.json").read_text())
                 for o in ("out_ibw", "out_csv"))
    assert got["quantities"] == want["quantities"] and got["flags"] == want["flags"]
    assert len(got["excluded"]) == len(want["excluded"]) == 4


def test_waves_sotfit_cannot_use_are_named_with_what_they_are(tmp_path):
    """A complex wave, a wave of three dimensions, a wave cut short and a wave without x
    scaling (its field not in the file) are errors naming the file and what it holds; a file whose first bytes look like a version number but whose
    header does not add up is not taken for a wave."""
    cases = {
        "complex.ibw": ibw_v5("z", np.arange(8.0), type_code=0x05),   # NT_CMPLX | NT_FP64
        "cube.ibw": ibw_v5("c", np.zeros((4, 3, 2))),
        "short.ibw": ibw_v5("v", np.arange(400.0), x0=1, dx=1, x_unit="mT")[:1000],
        "alone.ibw": ibw_v5("Vmix", np.arange(50.0), data_unit="V"),
    }
    words = {"complex.ibw": "complex", "cube.ibw": "3 dimensions", "short.ibw": "cut short",
             "alone.ibw": "without an x scaling: the swept quantity is not in the file"}
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
        with pytest.raises(DataError, match=rf"{name}: an Igor binary wave .*{words[name]}"):
            read_table(tmp_path / name)
    (tmp_path / "fake.bin").write_bytes(b"\x05\x00" + bytes(range(256)) * 4)
    with pytest.raises(DataError, match="fake.bin: a binary file, not a text table"):
        read_table(tmp_path / "fake.bin")


def test_a_folder_of_waves_is_read_as_their_spectra(tmp_path):
    """A folder of .ibw files (and nothing else) gives one spectrum per wave."""
    field, volts = _spectrum()
    folder = tmp_path / "waves"
    folder.mkdir()
    for f in (10, 12):
        (folder / f"dev1_{f}GHz.ibw").write_bytes(
            ibw_v5("data", np.column_stack([field, volts]),
                   column_labels=["Field (mT)", "Vmix (uV)"],
                   note=f"field_angle_deg=45;run={f}"))
    got = _fits([folder], tmp_path / "out")
    assert sorted(set(got["frequency (GHz)"])) == [10.0, 12.0]
