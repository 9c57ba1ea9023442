"""An angle scan kept as one long table (``Angle (deg)  Field (T)  Vmix (uV)``, one sweep per
angle), as a rotation stage's program writes it: each sweep is a spectrum at the angle of its
rows, and the angle scan of the table gives the numbers of the same sweeps written one file per
angle. (It was refused: the field angle was one per file, and --split-sweeps left the sweeps
without angles.) The spectra are the LLG generator's of tests/test_stfmr_angle_cli.py."""

import json

import numpy as np
import pytest

from sotfit.cli import main
from sotfit.data import DataError
from sotfit.io import read_stfmr

from test_stfmr_angle_cli import F, _vmix
from test_stfmr_torques import DELTA_R, I_RF, MEFF

ANGLES = (15.0, 40.0, 65.0, 115.0, 140.0, 200.0, 250.0, 320.0)


@pytest.fixture(scope="module")
def sweeps():
    return {phi: _vmix(phi, seed=300 + i) for i, phi in enumerate(ANGLES)}


def _long_table(path, sweeps, head="Angle (deg)", scale=1.0):
    rows = [f"{phi * scale:.10g}\t{x:.10g}\t{y:.8g}" for phi, (h, v) in sweeps.items()
            for x, y in zip(h, v)]
    path.write_text(f"{head}\tField (T)\tVmix (uV)\n" + "\n".join(rows) + "\n")
    return path


def _files(folder, sweeps):
    folder.mkdir()
    for phi, (h, v) in sweeps.items():
        (folder / f"scan_{F:g}GHz_{phi:g}deg.csv").write_text(
            f"# Angle (deg): {phi:g}\nField (T),Vmix (uV)\n"
            + "".join(f"{x:.10g},{y:.8g}\n" for x, y in zip(h, v)))
    return folder


def test_each_sweep_of_the_table_is_a_spectrum_at_its_angle(tmp_path, sweeps):
    for head, scale in (("Angle (deg)", 1.0), ("phi (rad)", np.pi / 180)):
        sweep = read_stfmr(_long_table(tmp_path / f"scan_{F:g}GHz.txt", sweeps, head, scale))
        # radians written with 10 digits: 1e-8 deg
        assert sorted(d.meta["field_angle"] for d in sweep) == pytest.approx(sorted(ANGLES),
                                                                             abs=1e-7)
        for d in sweep:
            h, v = sweeps[min(ANGLES, key=lambda a: abs(a - d.meta["field_angle"]))]
            order = np.argsort(h)
            np.testing.assert_allclose(d.x, h[order], rtol=1e-9)
            np.testing.assert_allclose(d.y, np.array([float(f"{y:.8g}") for y in v])[order],
                                       rtol=1e-12)
            assert d.meta["field_angle_from"].startswith("column")


def test_the_angle_scan_of_the_table_equals_that_of_one_file_per_angle(tmp_path, sweeps, capsys):
    common = ["--angle-scan", "--irf", f"{I_RF}mA", "--irf-is", "peak", "--delta-r",
              f"{DELTA_R}Ohm", "--meff",
              f"{MEFF}T", "--no-figures"]
    table = _long_table(tmp_path / f"scan_{F:g}GHz.txt", sweeps)
    assert main(["stfmr", str(table), "--out", str(tmp_path / "a"), *common]) == 0
    assert main(["stfmr", str(_files(tmp_path / "files", sweeps)), "--out",
                 str(tmp_path / "b"), *common]) == 0
    a, b = (json.loads((tmp_path / o / "summary.json").read_text())["angle"] for o in "ab")
    for k, q in b["torques"].items():
        assert a["torques"][k]["value"] == pytest.approx(q["value"], rel=1e-9, abs=1e-15), k
        assert a["torques"][k]["stderr"] == pytest.approx(q["stderr"], rel=1e-6), k


def test_an_angle_column_with_an_option_or_without_a_unit(tmp_path, sweeps):
    table = _long_table(tmp_path / f"scan_{F:g}GHz.txt", sweeps)
    with pytest.raises(DataError, match="gives the field angle of each sweep"):
        read_stfmr(table, field_angle=30.0)
    bare = _long_table(tmp_path / f"bare_{F:g}GHz.txt", sweeps, head="Angle")
    with pytest.raises(DataError, match="without a unit") as info:
        read_stfmr(bare, option_style="cli")
    assert "--column-unit angle=deg" in str(info.value)
    assert len(read_stfmr(bare, angle_unit="deg")) == len(ANGLES)
