"""Rows written twice into a Hall table (a file saved twice into itself, a block pasted again)
were read as new points: the only sign was a chi-square flag blaming the model. They are
refused now, naming the file, the number of repeated rows and ``--allow-duplicates``, which
keeps one of each (noted) and gives the numbers of the file without the copy."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit.cli import main
from sotfit.io.hall import HallReadError, read_hall
from sotfit.io.repeated_rows import repeated_rows

EX = Path(__file__).resolve().parents[1] / "data" / "hall_example"
CONV = ["--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
        "--r2w-channel", "X", "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm"]
READ = dict(scan="phi", current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X",
            gain_2w=10)


def _copy(tmp_path, pasted):
    """The in-plane example set with phi_050mT.csv's data rows ``pasted`` (a slice) again at
    its end."""
    folder = tmp_path / "set"
    shutil.copytree(EX / "inplane", folder)
    f = folder / "phi_050mT.csv"
    lines = f.read_text().splitlines(keepends=True)
    f.write_text("".join(lines + lines[1:][pasted]))
    return folder, f


def test_repeated_rows_finds_copies_and_a_repeated_half():
    t = pd.DataFrame({"a": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0], "b": ["x", "y", "z", "x", "y", "z"]})
    found = repeated_rows(t)
    assert found.second_half and found.repeats.tolist() == [3, 4, 5]
    found = repeated_rows(t.iloc[[0, 1, 2, 4]])
    assert found and not found.second_half and found.repeats.tolist() == [3]
    assert not repeated_rows(pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.5]}))
    assert "3 of 6 rows" in repeated_rows(t).describe(6)


def test_a_file_saved_twice_into_itself_is_refused(tmp_path, capsys):
    folder, f = _copy(tmp_path, slice(None))
    out = tmp_path / "out"
    assert main(["hall", str(folder), "--method", "avci", *CONV, "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert str(f) in err and "180 of 360 rows" in err and "second half is its first" in err
    assert "--allow-duplicates" in err and not out.exists()
    with pytest.raises(HallReadError, match="allow_duplicates=True"):
        read_hall([f], **READ)


def test_a_pasted_block_is_refused_and_allow_duplicates_keeps_one_of_each(tmp_path, capsys):
    folder, f = _copy(tmp_path, slice(10, 30))
    with pytest.raises(HallReadError, match=r"20 of 200 rows repeat an earlier row") as exc:
        read_hall([f], **READ)
    assert "second half" not in str(exc.value)
    kept = read_hall([f], **READ, allow_duplicates=True)[0]
    plain = read_hall([EX / "inplane" / "phi_050mT.csv"], **READ)[0]
    for h in ("r1w", "r2w"):
        assert np.array_equal(getattr(kept, h).x, getattr(plain, h).x)
        assert np.array_equal(getattr(kept, h).y, getattr(plain, h).y)
    assert any("20 of 200 rows" in n for n in kept.meta["reader_notes"])
    runs = {}
    for name, folder_ in (("copy", folder), ("plain", EX / "inplane")):
        out = tmp_path / name
        assert main(["hall", str(folder_), "--method", "avci", *CONV, "--allow-duplicates",
                     "--out", str(out), "--no-figures"]) == 0
        runs[name] = json.loads((out / "summary.json").read_text())["quantities"]
    assert runs["copy"]["mu0_h_dl"] == runs["plain"]["mu0_h_dl"]
