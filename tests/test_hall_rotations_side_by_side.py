"""In-plane rotations of several fields written side by side in one table, the field in the column
names (``phi (deg), X1_5mT (uV), ..., Y2_400mT (uV)``, or an angle column per field), are the
rotations of the separate files.

Such a table was refused: "several columns could be the x1 of the file", and naming one column
read one field of the file, which method (a) cannot use; the field in every column name was not
read. The torques of the bundled rotations written so must be those of the files, exactly.
"""

import json

import numpy as np
import pandas as pd
import pytest

from sotfit.cli import main
from sotfit.io import read_hall
from sotfit.io.hall.field_columns import rotations_side_by_side

from bundled import ROTATIONS, avci_options

READ = dict(scan="phi", current=1.5, current_is="rms", lockin_output="rms",
            r2w_channel="X", gain_2w=10)


def _rotations():
    return [(int(p.stem.split("_")[1][:-2]), pd.read_csv(p)) for p in ROTATIONS]


def _shared_angle(path):
    """One angle column, then X1, Y1, X2, Y2 of each field named with it."""
    frames = _rotations()
    table = {"phi (deg)": frames[0][1]["phi (deg)"]}
    for mt, df in frames:
        for c in ("X1", "Y1", "X2", "Y2"):
            table[f"{c}_{mt}mT (uV)"] = df[f"{c} (uV)"]
    pd.DataFrame(table).to_csv(path, index=False)
    return path


def _angle_per_field(path, drop_last=0):
    """An angle column per field, its lock-in columns after it (``phi_5mT_X1``); with
    ``drop_last`` the first field's rotation is shorter (its cells empty below)."""
    columns = []
    for i, (mt, df) in enumerate(_rotations()):
        part = df[["phi (deg)", "X1 (uV)", "Y1 (uV)", "X2 (uV)", "Y2 (uV)"]]
        if i == 0 and drop_last:
            part = part.iloc[:-drop_last]
        columns.append(part.rename(columns=lambda c: c.replace(" (", f"_{mt}mT (")
                                   if c.startswith("phi") else f"phi_{mt}mT_{c}")
                       .reset_index(drop=True))
    pd.concat(columns, axis=1).to_csv(path, index=False)
    return path


def _scans(sweep):
    return sorted(((s.meta["field"], s.r1w.x.tolist(), s.r1w.y.tolist(), s.r2w.y.tolist())
                   for s in sweep), key=lambda t: t[0])


@pytest.mark.parametrize("write", [_shared_angle, _angle_per_field])
def test_the_table_gives_the_rotations_of_the_separate_files(tmp_path, write):
    table = write(tmp_path / "rotations.csv")
    got = read_hall(table, **READ)
    files = read_hall(ROTATIONS, **READ)
    assert len(got) == len(ROTATIONS) == 7
    for a, b in zip(_scans(got), _scans(files)):
        assert a[0] == pytest.approx(b[0], rel=1e-12)
        np.testing.assert_allclose(a[1:], b[1:], rtol=1e-12)
    notes = [n for s in got for n in s.meta.get("reader_notes", ())]
    assert sum("7 fields side by side" in n for n in notes) == 1


def test_the_command_gives_the_torques_of_the_separate_files(tmp_path):
    runs = {}
    for name, inputs in (("files", ROTATIONS), ("table", [_shared_angle(tmp_path / "t.csv")])):
        out = tmp_path / name
        assert main(["hall", *map(str, inputs), *avci_options(), "--out", str(out)]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["quantities"]
    for key in ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"):
        assert runs["table"][key]["value"] == pytest.approx(runs["files"][key]["value"], rel=1e-9)
        assert runs["table"][key]["stderr"] == pytest.approx(runs["files"][key]["stderr"],
                                                             rel=1e-9)


def test_a_shorter_rotation_keeps_its_own_rows(tmp_path):
    got = read_hall(_angle_per_field(tmp_path / "short.csv", drop_last=5), **READ)
    lengths = {round(s.meta["field"] * 1e3): len(s.r1w) for s in got}       # mT
    full = len(pd.read_csv(ROTATIONS[0]))
    assert lengths == {5: full - 5, 10: full, 20: full, 50: full, 100: full, 200: full,
                       400: full}


@pytest.mark.parametrize("columns", [
    ["phi (deg)", "field (mT)", "X1 (uV)", "Y1 (uV)"],            # a long table
    ["phi (deg)", "X1_5mT (uV)", "X2_5mT (uV)"],                   # one field only
    ["phi (deg)", "X1_5mT (uV)", "X1_10mT (uV)", "X2 (uV)"],       # a harmonic without a field
    ["phi (deg)", "X1_5mT (uV)", "X1_10mT (uV)", "X2_10mT (uV)"],  # fields of other columns
    ["X1_5mT (uV)", "X1_10mT (uV)"],                               # no angle
])
def test_other_tables_are_left_as_they_are(columns):
    df = pd.DataFrame(np.ones((4, len(columns))), columns=columns)
    assert rotations_side_by_side(df) is None
