"""Column pairs named per column with their frequency and unit (`Field 8GHz (mT), Vmix 8GHz
(uV), Field 10GHz (mT), ...`, as spreadsheets and Origin export XY pairs): "several columns
could be the field", and naming one read one spectrum of six without a word. Each pair is now a
spectrum at its frequency, with the fits of the files of one spectrum each."""

import numpy as np
import pandas as pd

from bundled import ROOT
from sotfit.cli import main

EXAMPLE = ROOT / "data" / "stfmr_example"


def _fits(files, out):
    assert main(["stfmr", *map(str, files), "--no-figures", "--no-global", "--angle", "45deg",
                 "--out", str(out)]) == 0
    return pd.read_csv(out / "spectra.csv", comment="#")


def test_pairs_named_by_frequency_give_one_spectrum_each(tmp_path):
    columns, frames = [], []
    for f in (8, 10, 12):
        d = np.loadtxt(EXAMPLE / f"py_pt_{f}GHz.csv", delimiter=",", comments="#", skiprows=4)
        columns += [f"Field {f}GHz (mT)", f"Vmix {f}GHz (uV)"]
        frames.append(d)
    wide = tmp_path / "pairs.csv"
    rows = np.hstack(frames).tolist()
    wide.write_text(",".join(columns) + "\n" + "\n".join(",".join(map(repr, r)) for r in rows)
                    + "\n", encoding="utf-8")
    singles = []
    for f, d in zip((8, 10, 12), frames):
        singles.append(tmp_path / f"single_{f}GHz.csv")
        singles[-1].write_text("Field (mT),Vmix (uV)\n" + "\n".join(
            f"{a!r},{b!r}" for a, b in d.tolist()) + "\n", encoding="utf-8")
    got, want = _fits([wide], tmp_path / "wide"), _fits(singles, tmp_path / "singles")
    assert list(got["frequency (GHz)"]) == [8.0, 8.0, 10.0, 10.0, 12.0, 12.0]
    num = [c for c in want.select_dtypes("number").columns]
    assert np.array_equal(got[num].to_numpy(), want[num].to_numpy())
