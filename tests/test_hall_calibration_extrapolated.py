"""Fields from magnet currents beyond the calibration table, taken by linear extrapolation only
when allowed explicitly (--extrapolate-calibration): the results say which fields rest on it
(the docs promised it; nothing said so)."""

import json

import pandas as pd

from bundled import ROTATIONS, avci_options
from sotfit.cli import main


def test_fields_extrapolated_beyond_the_calibration_are_named(tmp_path, capsys):
    files = []
    for path in ROTATIONS[-3:]:                       # 100, 200 and 400 mT
        frame = pd.read_csv(path)
        frame.insert(1, "Magnet current (A)", frame.pop("field (mT)") / 100.0)
        files.append(tmp_path / path.name)
        frame.to_csv(files[-1], index=False)
    cal = tmp_path / "calibration.csv"
    cal.write_text("Current (A),Field (mT)\n0,0\n1,100\n2,200\n3,300\n", encoding="utf-8")
    args = ["hall", *map(str, files), *avci_options(), "--calibration", str(cal)]
    assert main([*args, "--out", str(tmp_path / "refused")]) == 2
    # the refusal names the data file and its column, not the calibration table alone
    err = capsys.readouterr().err
    assert f"{files[-1]}: column 'Magnet current (A)': {cal}: magnet current(s) [4.0] A" in err
    assert main([*args, "--extrapolate-calibration", "--out", str(tmp_path / "out")]) == 0
    notes = json.loads((tmp_path / "out" / "summary.json").read_text())["notes"]
    said = [n for n in notes if "extrapolated linearly beyond the magnet calibration" in n]
    assert len(said) == 1 and "at 400 mT" in said[0]
