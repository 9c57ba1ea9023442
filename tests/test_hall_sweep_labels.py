"""Field sweeps of a perpendicular film written as labs write them, each mended after it gave a
wrong number with exit status 0 or a refusal whose advice did not work: sweeps labelled with one
m_z state whose levels say otherwise (averaged, they gave H_DL 35 times too small), a field tilt
written once above the table (ignored: 90 deg, the torque fields 6 % high), and the sweep axis in
a file name as ``longitudinal``/``transverse`` or a last ``_x``/``_y``."""

import json
from pathlib import Path

import pandas as pd
import pytest

from sotfit.cli import main

ROOT = Path(__file__).resolve().parents[1]
PMA = ROOT / "data" / "hall_example" / "pma"
TILTED = ROOT / "data" / "hall_example" / "pma_tilted"
HAYASHI = ["--method", "hayashi", "--current", "1.5mA", "--current-is", "rms", "--lockin-output",
           "rms", "--r2w-channel", "X", "--gain-2w", "10", "--r-phe", "0.15Ohm", "--no-figures"]


def _sweeps(folder: Path, tmp: Path, drop=(), name=lambda p: p.name, preamble: str = ""):
    tmp.mkdir()
    out = []
    for p in sorted(folder.glob("sweep_*.csv")):
        t = pd.read_csv(p).drop(columns=list(drop))
        q = tmp / name(p)
        q.write_text(preamble + t.to_csv(index=False))
        out.append(str(q))
    return out


def _run(files, tmp: Path, name: str, *extra) -> dict | None:
    if main(["hall", *files, *HAYASHI, *extra, "--out", str(tmp / name)]) != 0:
        return None
    return json.loads((tmp / name / "summary.json").read_text())["quantities"]


def test_sweeps_of_one_label_in_two_states_are_refused(tmp_path, capsys):
    files = _sweeps(PMA, tmp_path / "in", drop=("mz_state",))
    ref = _run(sorted(str(p) for p in PMA.glob("sweep_*.csv")), tmp_path, "ref")
    states = [f"--mz-state={Path(f).name}=+1" for f in files]
    assert _run(files, tmp_path, "same", *states) is None
    err = capsys.readouterr().err
    assert "the sweeps given m_z = +1 have R_1w(0) of" in err and "in different states" in err
    right = [f"--mz-state={Path(f).name}={'+1' if 'up' in f else '-1'}" for f in files]
    assert _run(files, tmp_path, "right", *right) == ref


def test_a_field_tilt_written_above_the_table_is_read(tmp_path, capsys):
    ref = _run(sorted(str(p) for p in TILTED.glob("sweep_*.csv")), tmp_path, "ref")
    theta = pd.read_csv(next(TILTED.glob("sweep_*.csv")))["theta_h (deg)"].iloc[0]
    files = _sweeps(TILTED, tmp_path / "in", drop=("theta_h (deg)",),
                    preamble=f"# theta_H (deg): {theta:g}\n")
    got = _run(files, tmp_path, "got")
    assert got == ref
    assert f"theta_h = {theta:g} deg from the preamble entry 'theta_H (deg)' (line 1)" \
        in capsys.readouterr().err
    assert _run(files, tmp_path, "other", "--theta-h", "90deg") is None
    assert "gives theta_h = " in capsys.readouterr().err


@pytest.mark.parametrize("rename", [
    lambda p: p.name.replace("sweep_x", "longitudinal").replace("sweep_y", "transverse"),
    lambda p: p.name.replace("sweep_x_", "loop_").replace("sweep_y_", "loop_")
    .replace(".csv", "_x.csv" if "_x_" in p.name else "_y.csv"),
])
def test_the_sweep_axis_in_a_file_name(tmp_path, rename):
    ref = _run(sorted(str(p) for p in PMA.glob("sweep_*.csv")), tmp_path, "ref")
    files = _sweeps(PMA, tmp_path / "in", drop=("phi_h (deg)",), name=rename)
    assert _run(files, tmp_path, "got") == ref


def test_a_unit_typo_is_mended_by_the_column_unit_option(tmp_path, capsys):
    """``field (mt)`` was "unknown unit 'mt'" whatever unit option was given; the message now
    names --column-unit, which reads the column."""
    files = _sweeps(PMA, tmp_path / "in")
    for f in files:
        Path(f).write_text(Path(f).read_text().replace("field (mT)", "field (mt)", 1))
    ref = _run(sorted(str(p) for p in PMA.glob("sweep_*.csv")), tmp_path, "ref")
    assert _run(files, tmp_path, "typo", "--column", "field=field (mt)") is None
    assert "unknown unit 'mt'; give the column's unit with --column-unit field=mT" \
        in capsys.readouterr().err
    assert _run(files, tmp_path, "mended", "--column", "field=field (mt)",
                "--column-unit", "field=mT") == ref


def test_states_written_as_plus_and_minus_mz_in_an_m_state_column(tmp_path):
    ref = _run(sorted(str(p) for p in PMA.glob("sweep_*.csv")), tmp_path, "ref")
    files = _sweeps(PMA, tmp_path / "in")
    for f in files:
        t = pd.read_csv(f)
        t["M state"] = t.pop("mz_state").map({1: "+Mz", -1: "-Mz"})
        t.to_csv(f, index=False)
    assert _run(files, tmp_path, "got") == ref
