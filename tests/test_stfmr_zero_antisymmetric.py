"""A spectrum whose two field branches mirror each other to the bit (a lineshape even in H, as
hand-made test data are) has a combined V_a of exactly 0: its V_s/V_a is undefined, flagged
as not finite. The run ended with a ZeroDivisionError traceback."""

import json

import numpy as np

from sotfit.cli import main


def test_an_exactly_zero_combined_va_gives_a_flagged_ratio_not_a_traceback(tmp_path):
    for f in (8, 10, 12):
        h_res = (-0.9 + np.sqrt(0.81 + 4 * (f / 28.0) ** 2)) / 2      # Kittel, T
        w = 0.002 + 0.01 * f / 28
        h = np.linspace(-2 * h_res - 0.05, 2 * h_res + 0.05, 801)
        a = np.abs(h)
        v = (2.0 * w ** 2 + 1.5 * w * (a - h_res)) / ((a - h_res) ** 2 + w ** 2)
        np.savetxt(tmp_path / f"s_{f}GHz.csv", np.c_[h * 1e3, v], delimiter=",",
                   header="field (mT),V_mix (uV)", comments="", fmt="%.10g")
    out = tmp_path / "o"
    assert main(["stfmr", *map(str, sorted(tmp_path.glob("*.csv"))), "--no-figures",
                 "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    zero = [k for k, sp in enumerate(s["spectra"]) if sp["va"]["value"] == 0.0]
    assert zero
    flagged = {(f["quantity"], f["reason"]) for f in s["flags"]}
    for k in zero:
        assert (f"spectra[{k}].ratio", "value is not finite") in flagged
