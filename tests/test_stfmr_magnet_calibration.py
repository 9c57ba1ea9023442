"""ST-FMR files that log the magnet's current, read through the magnet's calibration table
(``--calibration``): the spectra of the same signal written against the field, within float
round-off; the calibration's uncertainty is said to be systematic, and what cannot be read is
an error naming the file and the option."""

from pathlib import Path

import numpy as np
import pytest

from sotfit import DataError
from sotfit.cli import main
from sotfit.io import read_stfmr
from sotfit.io.hall import read_magnet_calibration
from sotfit.units import UnitError
from summary_entries import stfmr_summary

EX = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"


def _calibration(path, span=14.0):
    """A calibration table (A against three mT trials, 40 mT/A with a cubic bend)."""
    current = np.linspace(-span, span, 57)
    field = 40.0 * current + 0.2 * current ** 3 / 36
    rng = np.random.default_rng(1)
    trials = field[:, None] + rng.normal(0, 0.05, (current.size, 3))
    path.write_text("current (A),trial1 (mT),trial2 (mT),trial3 (mT)\n" + "".join(
        f"{c:.3f},{t[0]:.3f},{t[1]:.3f},{t[2]:.3f}\n" for c, t in zip(current, trials)))
    return path


def _coil_files(folder, cal_path, header="Magnet current (A)"):
    """The example spectra with the field column replaced by the current that gives it."""
    cal = read_magnet_calibration(cal_path)
    folder.mkdir()
    for p in sorted(EX.glob("py_pt_*GHz.csv")):
        d = np.loadtxt(p, comments="#", delimiter=",", skiprows=4)
        current = np.interp(d[:, 0] * 1e-3, cal.field, cal.current)
        (folder / p.name).write_text(
            f"# field_angle_deg: 45\n{header},Vmix (uV)\n"
            + "".join(f"{float(c)!r},{float(v)!r}\n" for c, v in zip(current, d[:, 1])))
    return folder


def test_currents_through_the_calibration_give_the_spectra_of_the_field(tmp_path):
    cal = _calibration(tmp_path / "cal.csv")
    folder = _coil_files(tmp_path / "coil", cal)
    got = stfmr_summary(folder, tmp_path / "out", "--calibration", str(cal))
    ref = stfmr_summary(EX, tmp_path / "ref")
    for a, b in zip(ref["spectra"], got["spectra"]):
        for k in ("h_res", "width", "vs", "va"):
            assert b[k]["value"] == pytest.approx(a[k]["value"], abs=1e-4 * a[k]["stderr"])
    assert got["sequential"]["mu0_meff"]["value"] == pytest.approx(
        ref["sequential"]["mu0_meff"]["value"], abs=1e-4 * ref["sequential"]["mu0_meff"]["stderr"])
    note = next(n for n in got["notes"] if "through the calibration" in n)
    assert "is a systematic error of the resonance fields, not in their standard errors" in note


def test_calibration_errors_name_the_file_and_the_option(tmp_path, capsys):
    cal = _calibration(tmp_path / "cal.csv")
    calibration = read_magnet_calibration(cal)
    # a field column with a field unit is not a current
    field_file = tmp_path / "f_10GHz.csv"
    field_file.write_text((EX / "py_pt_10GHz.csv").read_text())
    with pytest.raises(UnitError, match=r"f_10GHz.csv: 'Field \(mT\)' .*is a field column, but "
                                        "calibration= converts a magnet current"):
        read_stfmr(field_file, calibration=calibration)
    # a current without a unit
    bare = _coil_files(tmp_path / "bare", cal, header="I_magnet")
    with pytest.raises(UnitError, match="has no unit; pass magnet_current_unit='A'"):
        read_stfmr(bare / "py_pt_10GHz.csv", calibration=calibration, field_column="I_magnet")
    assert len(read_stfmr(bare / "py_pt_10GHz.csv", calibration=calibration,
                          field_column="I_magnet", magnet_current_unit="A")) == 1
    # currents beyond the table
    short = read_magnet_calibration(_calibration(tmp_path / "short.csv", span=3.0))
    with pytest.raises(DataError, match=r"py_pt_10GHz.csv: .*lie outside the calibration range"):
        read_stfmr(bare / "py_pt_10GHz.csv", calibration=short, field_column="I_magnet",
                   magnet_current_unit="A")
    # calibration options without a calibration
    assert main(["stfmr", str(EX), "--no-figures", "--out", str(tmp_path / "o"),
                 "--magnet-current-unit", "A"]) == 2
    assert "--magnet-current-unit needs --calibration" in capsys.readouterr().err
