"""Columns that could be the same quantity are the user's choice, never the reader's: a field
set point beside its read-back (2 % apart) gave mu0 M_eff 2 % off with no word, and a Hall
table took whichever came first; one column named for two Hall roles gave H_DL of noise."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit import DataError
from bundled import ROOT, ROTATIONS, avci_options
from sotfit.cli import main
from sotfit.io import read_stfmr

STFMR = ROOT / "data" / "stfmr_example" / "py_pt_8GHz.csv"
AVCI = avci_options()


def _stfmr_with(tmp_path, name: str, scale: float) -> Path:
    d = np.loadtxt(STFMR, delimiter=",", comments="#", skiprows=4)
    f = tmp_path / "run_8GHz.csv"
    with open(f, "w") as fh:
        fh.write(f"Field (mT),Vmix (uV),{name}\n")
        for h, v in d:
            fh.write(f"{h * scale:.6f},{v},{h:.6f}\n")
    return f


def test_a_field_set_point_beside_its_read_back_is_the_users_choice(tmp_path):
    f = _stfmr_with(tmp_path, "Field measured (mT)", 1.02)
    with pytest.raises(DataError, match=r"several columns could be the field: \['Field \(mT\)', "
                                        r"'Field measured \(mT\)'\]; pass field_column="):
        read_stfmr(f)
    (d,) = read_stfmr(f, field_column="Field measured (mT)")
    (ref,) = read_stfmr(STFMR)
    assert np.allclose(d.x, ref.x, rtol=1e-6, atol=1e-9)


def test_a_spread_of_the_field_beside_it_is_not_a_second_field(tmp_path):
    (d,) = read_stfmr(_stfmr_with(tmp_path, "Field std (mT)", 1.0))
    (ref,) = read_stfmr(STFMR)
    assert np.allclose(d.x, ref.x, rtol=1e-6, atol=1e-9)


def _hall_with_extra(tmp_path, extra: str, scale: float) -> list[str]:
    files = []
    for p in ROTATIONS:
        t = pd.read_csv(p)
        t.insert(2, extra, t["field (mT)"] * scale)
        q = tmp_path / p.name
        t.to_csv(q, index=False)
        files.append(str(q))
    return files


def test_a_hall_table_with_two_field_columns_is_the_users_choice(tmp_path, capsys):
    files = _hall_with_extra(tmp_path, "field measured (mT)", 0.98)
    assert main(["hall", *files, *AVCI, "--out", str(tmp_path / "o")]) == 2
    assert ("several columns could be the field ('field (mT)', 'field measured (mT)'); name one "
            'with --column "field=field (mT)"') in capsys.readouterr().err
    assert main(["hall", *files, *AVCI, "--column", "field=field (mT)",
                 "--out", str(tmp_path / "chosen")]) == 0
    assert main(["hall", *(str(p) for p in ROTATIONS), *AVCI,
                 "--out", str(tmp_path / "ref")]) == 0
    chosen, ref = (json.loads((tmp_path / d / "summary.json").read_text())["quantities"]
                   for d in ("chosen", "ref"))
    assert chosen == ref


def test_one_column_named_for_two_hall_roles_is_refused(tmp_path, capsys):
    files = [str(p) for p in ROTATIONS]
    assert main(["hall", *files, *AVCI, "--column", "x1=X1 (uV)", "--column", "x2=X1 (uV)",
                 "--out", str(tmp_path / "o")]) == 2
    assert ("the column 'X1 (uV)' is named for 2 roles (x1, x2); each role needs a column of "
            "its own") in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_lock_in_magnitude_without_its_phase_is_named(tmp_path, capsys):
    """A magnitude ``R1 (uV)`` without its phase was refused as "unit 'uV' is a voltage unit,
    but a resistance unit is needed"; the message now says why it was read as R_1w and what
    the sign needs."""
    files = []
    for p in ROTATIONS:
        t = pd.read_csv(p)
        t["R1 (uV)"] = np.hypot(t["X1 (uV)"], t["Y1 (uV)"])
        t["R2 (uV)"] = np.hypot(t["X2 (uV)"], t["Y2 (uV)"])
        q = tmp_path / p.name
        t[["phi (deg)", "field (mT)", "R1 (uV)", "R2 (uV)"]].to_csv(q, index=False)
        files.append(str(q))
    assert main(["hall", *files, *AVCI, "--out", str(tmp_path / "o")]) == 2
    assert ("column 'R1 (uV)' is in volts, read as R_1w because no phase column goes with it; a "
            "lock-in's magnitude R alone has lost the sign of the Hall voltage") \
        in capsys.readouterr().err
