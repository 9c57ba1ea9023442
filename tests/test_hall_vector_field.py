"""A vector magnet's field written as its components (``Bx (mT), By (mT), Bz (mT)``).

Reading ``Bx`` as the field took one component of a rotating field (a rotation whose field
changes sign within it; the example's in-plane set was refused with a message about a constant
first harmonic) and the x component of a sweep along y (zero). The components are read as the
field's magnitude and direction: the bundled example (an independent LLG macrospin with a
simulated lock-in, data/hall_example) written as components gives the numbers of the example as
shipped, to the last digit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sotfit.cli import main
from sotfit.io.hall import HallReadError, read_hall

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "hall_example"
AVCI = ["--method", "avci", "--current", "1.5mA", "--current-is", "rms", "--lockin-output", "rms",
        "--r2w-channel", "X", "--gain-2w", "10", "--meff", "0.8T", "--r-ahe", "0.8Ohm",
        "--no-figures"]
MACROSPIN = ["--method", "macrospin", "--current", "1.5mA", "--current-is", "rms",
             "--lockin-output", "rms", "--r2w-channel", "X", "--gain-2w", "10", "--r-phe",
             "0.15Ohm", "--free", "tilt_x,tilt_y", "--no-figures"]
LOCKIN = ["X1 (uV)", "Y1 (uV)", "X2 (uV)", "Y2 (uV)"]


def _rotations_as_components(folder: Path, angle=lambda phi: phi, keep_angle=True) -> list[str]:
    """The in-plane rotations of the example with the field as (Bx, By, Bz) in mT; the angle
    column ``angle(phi)`` kept, or left out."""
    folder.mkdir()
    for f in sorted((EXAMPLE / "inplane").glob("phi_*.csv")):
        d = pd.read_csv(f)
        phi = np.radians(d["phi (deg)"].to_numpy())
        b = d["field (mT)"].to_numpy()
        out = pd.DataFrame({"Bx (mT)": b * np.cos(phi), "By (mT)": b * np.sin(phi),
                            "Bz (mT)": 0.0 * b})
        if keep_angle:
            out.insert(0, "phi (deg)", angle(d["phi (deg)"].to_numpy()))
        for c in LOCKIN:
            out[c] = d[c]
        out.to_csv(folder / f.name.replace("phi_", "rot_"), index=False)
    return sorted(map(str, folder.glob("*.csv")))


def _summary(tmp_path, name, files, options) -> dict:
    out = tmp_path / f"out_{name}"
    assert main(["hall", *map(str, files), "--out", str(out), *options]) == 0
    return json.loads((out / "summary.json").read_text())


def _same_quantities(a: dict, b: dict, keys) -> None:
    for k in keys:
        assert a["quantities"][k]["value"] == pytest.approx(b["quantities"][k]["value"],
                                                            rel=1e-9), k
        assert a["quantities"][k]["stderr"] == pytest.approx(b["quantities"][k]["stderr"],
                                                             rel=1e-6), k


@pytest.mark.parametrize("keep_angle", [True, False])
def test_an_in_plane_rotation_as_components_gives_the_examples_torques(tmp_path, keep_angle):
    files = _rotations_as_components(tmp_path / "vec", keep_angle=keep_angle)
    shipped = sorted(map(str, (EXAMPLE / "inplane").glob("phi_*.csv")))
    vec = _summary(tmp_path, "vec", files, AVCI)
    ref = _summary(tmp_path, "ref", shipped, AVCI)
    _same_quantities(vec, ref, ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"))
    said = "in-plane angle phi = atan2(By, Bx)" if not keep_angle else "the angle from 'phi (deg)'"
    assert any("field components 'Bx (mT)', 'By (mT)', 'Bz (mT)'" in n and said in n
               for n in vec["notes"])
    assert not any("jitter" in n for n in vec["notes"])     # components to the bit: one field


def test_an_angle_column_turning_the_other_way_is_read_and_said(tmp_path):
    files = _rotations_as_components(tmp_path / "vec", angle=lambda phi: (30.0 - phi) % 360.0)
    scans = read_hall(files[-1:], current=1.5e-3, current_is="rms", lockin_output="rms",
                      r2w_channel="X", gain_2w=10)
    notes = [n for s in scans for n in s.meta.get("reader_notes", [])]
    assert any("turns the other way round from atan2(By, Bx)" in n for n in notes)


def test_an_angle_column_that_does_not_follow_the_components_is_refused(tmp_path):
    rng = np.random.default_rng(3)
    files = _rotations_as_components(tmp_path / "vec", angle=lambda phi: rng.permutation(phi))
    with pytest.raises(HallReadError) as err:
        read_hall(files[-1:], current=1.5e-3, current_is="rms", lockin_output="rms",
                  r2w_channel="X", gain_2w=10)
    assert "does not follow the in-plane angle of the field components" in str(err.value)
    assert "columns={'angle': 'phi (deg)'}" in str(err.value)


def _sweeps_as_components(folder: Path, tilt_deg: float = 0.0, turn_deg: float = 0.0) -> list:
    """The example's field sweeps (x and y) with the field as (Bx, By, Bz); the sweep axis
    turned by ``turn_deg`` in the plane and tilted ``tilt_deg`` out of it; the polar rotations
    as shipped."""
    folder.mkdir()
    for f in sorted((EXAMPLE / "pma").glob("*.csv")):
        d = pd.read_csv(f, comment="#")
        if not f.name.startswith("sweep"):
            d.to_csv(folder / f.name, index=False)
            continue
        b = d["field (mT)"].to_numpy()
        ph = np.radians(d["phi_h (deg)"].to_numpy() + turn_deg)
        th = np.radians(d["theta_h (deg)"].to_numpy() - tilt_deg)
        out = pd.DataFrame({"Bx (mT)": b * np.cos(ph) * np.sin(th),
                            "By (mT)": b * np.sin(ph) * np.sin(th), "Bz (mT)": b * np.cos(th)})
        for c in d.columns:
            if c not in ("field (mT)", "phi_h (deg)", "theta_h (deg)"):
                out[c] = d[c]
        out.to_csv(folder / f.name, index=False)
    return sorted(map(str, folder.glob("*.csv")))


def test_field_sweeps_as_components_give_the_examples_torques(tmp_path):
    """A sweep along y written as components had Bx = 0 (to rounding) read as its field."""
    files = _sweeps_as_components(tmp_path / "vec")
    vec = _summary(tmp_path, "vec", files, MACROSPIN)
    ref = _summary(tmp_path, "ref", sorted((EXAMPLE / "pma").glob("*.csv")), MACROSPIN)
    _same_quantities(vec, ref, ("mu0_h_dl", "mu0_h_fl_oe"))
    assert any("read as a sweep in the plane at 90 deg from x (the component along it, column "
               "'By (mT)')" in n for n in vec["notes"])


def test_a_sweep_at_an_angle_in_the_plane_is_read_along_it(tmp_path):
    files = _sweeps_as_components(tmp_path / "vec", turn_deg=30.0)
    scans = read_hall([f for f in files if "sweep_x_up" in f], current=1.5e-3,
                      current_is="rms", lockin_output="rms", r2w_channel="X", gain_2w=10,
                      scan="field", mz_state=1)
    d = pd.read_csv(EXAMPLE / "pma" / "sweep_x_up.csv", comment="#")
    (s,) = [s for s in scans if s.r1w is not None][:1]
    assert s.meta["phi_h"] == pytest.approx(30.0)
    assert np.sort(s.r1w.x) == pytest.approx(np.sort(d["field (mT)"].to_numpy() * 1e-3))


def test_a_sweep_tilted_out_of_the_plane_is_refused_naming_the_angles(tmp_path):
    files = _sweeps_as_components(tmp_path / "vec", tilt_deg=20.0)
    with pytest.raises(HallReadError) as err:
        read_hall([f for f in files if "sweep_x_up" in f], current=1.5e-3, current_is="rms",
                  lockin_output="rms", r2w_channel="X", gain_2w=10, scan="field", mz_state=1)
    assert "70.0 deg from the film normal" in str(err.value)
    assert "theta_h=..." in str(err.value) and "phi_h=..." in str(err.value)
