"""Harmonic Hall rotations at negative field: the field -B at the angle phi is B at phi + 180
deg, where the magnetisation points, so the same rotations measured with the magnet's current
reversed (each row holding the +B voltages of phi + 180 deg, the field column -B) must give the
torque fields of the +B rotations, alone and together with them (Avci et al., PRB 90, 224427
(2014), eq. (3): both second-harmonic terms are odd in cos(phi_M))."""

import json

import numpy as np
import pandas as pd

from bundled import ROTATIONS, avci_options
from sotfit.cli import main

QUANTITIES = ("r_phe", "mu0_h_fl_oe", "mu0_h_dl", "r_ane")


def _negative_field_copies(folder):
    """The bundled rotations at -B: phi kept, the voltages of phi + 180 deg, field negated."""
    folder.mkdir()
    out = []
    for path in ROTATIONS:
        frame = pd.read_csv(path)
        phi = frame["phi (deg)"].to_numpy()
        assert np.array_equal(phi, 2.0 * np.arange(len(phi))) and len(phi) == 180
        turned = frame.copy()
        for col in ("X1 (uV)", "Y1 (uV)", "X2 (uV)", "Y2 (uV)"):
            turned[col] = np.roll(frame[col].to_numpy(), -90)
        turned["field (mT)"] = -frame["field (mT)"]
        out.append(folder / f"{path.stem}_neg.csv")
        turned.to_csv(out[-1], index=False)
    return out


def _quantities(files, out):
    assert main(["hall", *map(str, files), *avci_options(), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    return summary, {k: summary["quantities"][k] for k in QUANTITIES}


def test_rotations_at_negative_field_give_the_torques_of_the_positive_ones(tmp_path):
    _, positive = _quantities(ROTATIONS, tmp_path / "pos")
    negative_files = _negative_field_copies(tmp_path / "neg")
    summary, negative = _quantities(negative_files, tmp_path / "out_neg")
    for k in QUANTITIES:
        assert np.isclose(negative[k]["value"], positive[k]["value"], rtol=1e-9, atol=0), k
        assert np.isclose(negative[k]["stderr"], positive[k]["stderr"], rtol=1e-6), k
    assert not summary["flags"]
    assert any("negative field" in n for n in summary["notes"])
    # Both polarities together: the same torques within their errors, the errors smaller.
    summary, both = _quantities([*ROTATIONS, *negative_files], tmp_path / "out_both")
    for k in ("mu0_h_fl_oe", "mu0_h_dl"):
        assert abs(both[k]["value"] - positive[k]["value"]) < positive[k]["stderr"], k
        assert both[k]["stderr"] < positive[k]["stderr"], k
