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
    assert any("turns the other way round from the components' angle" in n for n in notes)


def test_an_angle_column_that_does_not_follow_the_components_is_refused(tmp_path):
    rng = np.random.default_rng(3)
    files = _rotations_as_components(tmp_path / "vec", angle=lambda phi: rng.permutation(phi))
    with pytest.raises(HallReadError) as err:
        read_hall(files[-1:], current=1.5e-3, current_is="rms", lockin_output="rms",
                  r2w_channel="X", gain_2w=10)
    assert "does not follow the in-plane angle phi = atan2(By, Bx) of the field components" in \
        str(err.value)
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


@pytest.mark.slow   # two global macrospin fits; the other component layouts run by default
def test_field_sweeps_as_components_give_the_examples_torques(tmp_path):
    """A sweep along y written as components had Bx = 0 (to rounding) read as its field."""
    files = _sweeps_as_components(tmp_path / "vec")
    vec = _summary(tmp_path, "vec", files, MACROSPIN)
    ref = _summary(tmp_path, "ref", sorted((EXAMPLE / "pma").glob("*.csv")), MACROSPIN)
    _same_quantities(vec, ref, ("mu0_h_dl", "mu0_h_fl_oe"))
    assert any("read as a sweep along one direction, phi_h = 90 deg, theta_h = 90 deg" in n
               for n in vec["notes"])


def test_a_sweep_at_an_angle_in_the_plane_is_read_along_it(tmp_path):
    files = _sweeps_as_components(tmp_path / "vec", turn_deg=30.0)
    scans = read_hall([f for f in files if "sweep_x_up" in f], current=1.5e-3,
                      current_is="rms", lockin_output="rms", r2w_channel="X", gain_2w=10,
                      scan="field", mz_state=1)
    d = pd.read_csv(EXAMPLE / "pma" / "sweep_x_up.csv", comment="#")
    (s,) = [s for s in scans if s.r1w is not None][:1]
    assert s.meta["phi_h"] == pytest.approx(30.0)
    assert np.sort(s.r1w.x) == pytest.approx(np.sort(d["field (mT)"].to_numpy() * 1e-3))


def _tilted_as_components(folder: Path, off_axis_deg: float = 0.0) -> list:
    """The example's sweeps with the field 20 deg out of the plane (data/hall_example/
    pma_tilted) as (Bx, By, Bz), the azimuth turned by ``off_axis_deg`` (a hair off the axis:
    the field of a sweep along +x was read reversed, its column named 'B180')."""
    folder.mkdir()
    for f in sorted((EXAMPLE / "pma_tilted").glob("sweep_*.csv")):
        d = pd.read_csv(f, comment="#")
        b = d["field (mT)"].to_numpy()
        ph = np.radians(d["phi_h (deg)"].to_numpy() + off_axis_deg)
        th = np.radians(d["theta_h (deg)"].to_numpy())
        out = pd.DataFrame({"Bx (mT)": b * np.cos(ph) * np.sin(th),
                            "By (mT)": b * np.sin(ph) * np.sin(th), "Bz (mT)": b * np.cos(th)})
        for c in d.columns:
            if c not in ("field (mT)", "phi_h (deg)", "theta_h (deg)"):
                out[c] = d[c]
        out.to_csv(folder / f.name, index=False, float_format="%.15g")
    return sorted(map(str, folder.glob("*.csv")))


@pytest.mark.parametrize("off_axis", [0.0, -0.05, 0.05])
def test_tilted_sweeps_as_components_give_the_examples_torques(tmp_path, off_axis):
    """A sweep tilted out of the plane was refused with advice (--theta-h, --column field=Bx)
    that applied sin(theta_h) twice; the direction is read from the components as the sweep's
    phi_h and theta_h, the field along it."""
    opts = ["--method", "hayashi", *MACROSPIN[2:12], "--r-phe", "0.15Ohm", "--r-ane",
            "0.0002Ohm", "--no-figures"]
    vec = _summary(tmp_path, "vec", _tilted_as_components(tmp_path / "vec", off_axis), opts)
    ref = _summary(tmp_path, "ref", sorted((EXAMPLE / "pma_tilted").glob("*.csv")), opts)
    for k in ("mu0_h_dl", "mu0_h_fl_oe", "mu0_hk_eff"):
        tol = 1e-9 if off_axis == 0 else 2e-3
        assert vec["quantities"][k]["value"] == pytest.approx(ref["quantities"][k]["value"],
                                                              rel=tol), k


def _pma_rotations_as_components(folder: Path, plane_deg: float = 0.0, keep_angle=True) -> list:
    """The example's polar (xz) rotations as (Bx, By, Bz), turned about z into the plane at
    ``plane_deg`` (90: a yz rotation), with or without their angle column."""
    folder.mkdir()
    for f in sorted((EXAMPLE / "pma").glob("theta_*.csv")):
        d = pd.read_csv(f, comment="#")
        th = np.radians(d["theta (deg)"].to_numpy())
        b = d["field (T)"].to_numpy()
        ph = np.radians(plane_deg)
        out = pd.DataFrame({"Bx (T)": b * np.sin(th) * np.cos(ph),
                            "By (T)": b * np.sin(th) * np.sin(ph), "Bz (T)": b * np.cos(th)})
        if keep_angle:
            out.insert(0, "theta (deg)", d["theta (deg)"])
        for c in LOCKIN:
            out[c] = d[c]
        out.to_csv(folder / f.name, index=False, float_format="%.15g")
    return sorted(map(str, folder.glob("*.csv")))


@pytest.mark.parametrize("plane, keep_angle", [(0.0, True), (0.0, False), (90.0, True)])
def test_polar_rotations_as_components(tmp_path, plane, keep_angle):
    """A yz rotation written as components was read as an xz one (H_DL 1.94 mT, no flag): the
    plane of the rotation is its phi_h. The xz rotations as components give the example's
    numbers, with or without their angle column; the yz ones read with phi_h = 90."""
    from sotfit.io.hall import read_hall

    files = _pma_rotations_as_components(tmp_path / "vec", plane, keep_angle)
    conv = dict(current=1.5, current_is="rms", lockin_output="rms", r2w_channel="X",
                gain_2w=10)
    got = read_hall(files, **conv)
    ref = read_hall(sorted(str(f) for f in (EXAMPLE / "pma").glob("theta_*.csv")), **conv)
    for g, r in zip(got, ref):
        assert g.scan == "theta"
        assert g.meta.get("phi_h", 0.0) == pytest.approx(plane)
        assert np.sort(g.r1w.x) == pytest.approx(np.sort(r.r1w.x), abs=1e-9)
        assert np.sort(g.r2w.y) == pytest.approx(np.sort(r.r2w.y), rel=1e-12)


def test_a_rotation_on_a_cone_is_read_at_its_polar_angle(tmp_path):
    """A rotation at a constant Bz = 0.3 |B| was read as one in the plane at |B| (H_FL 4 % off,
    no word): its polar angle is the rotation's theta_h."""
    from sotfit.io.hall import read_hall

    files = _rotations_as_components(tmp_path / "vec")
    for f in files:
        df = pd.read_csv(f)
        bxy = np.hypot(df["Bx (mT)"], df["By (mT)"])
        df["Bz (mT)"] = 0.3 * bxy / np.sqrt(1 - 0.09)
        df.to_csv(f, index=False)
    scans = read_hall(files[-1:], current=1.5, current_is="rms", lockin_output="rms",
                      r2w_channel="X", gain_2w=10)
    assert scans[0].meta["theta_h"] == pytest.approx(np.degrees(np.arccos(0.3)), abs=1e-6)


@pytest.mark.parametrize("read", ["meas", "gaussmeter", ""])
def test_set_points_and_read_backs_of_the_components_read_the_read_backs(tmp_path, read):
    """``Bx_set, By_set, Bz_set`` beside ``Bx_meas, By_meas, Bz_meas`` (a vector magnet with a
    field probe) was refused as a table without a field; beside ``Bx_gaussmeter`` the set
    points were read, and beside plain ``Bx, By, Bz`` it was refused as a sweep. The read-backs are the field at the
    sample: here the set points are 3 % high (a magnet constant off) and the read-backs those of
    the example, whose numbers come out to the last digit."""
    folder = tmp_path / "vec"
    folder.mkdir()
    for k, f in enumerate(sorted((EXAMPLE / "inplane").glob("phi_*.csv"))):
        d = pd.read_csv(f)
        phi = np.radians(d["phi (deg)"].to_numpy())
        b = d["field (mT)"].to_numpy()
        out = pd.DataFrame({"phi (deg)": d["phi (deg)"]})
        for role, scale in (("set", 1.03), (read, 1.0)):
            tag = f"_{role}" if role else ""
            out[f"Bx{tag} (mT)"] = scale * b * np.cos(phi)
            out[f"By{tag} (mT)"] = scale * b * np.sin(phi)
            out[f"Bz{tag} (mT)"] = 0.0 * b
        for c in LOCKIN:
            out[c] = d[c]
        out.to_csv(folder / f"run{k}.csv", index=False)
    files = sorted(map(str, folder.glob("*.csv")))
    vec = _summary(tmp_path, "vec", files, AVCI)
    ref = _summary(tmp_path, "ref", sorted(map(str, (EXAMPLE / "inplane").glob("phi_*.csv"))), AVCI)
    _same_quantities(vec, ref, ("mu0_h_dl", "mu0_h_fl_oe", "r_phe", "r_ane"))
    assert any("the set points 'Bx_set (mT)', 'By_set (mT)', 'Bz_set (mT)' not read" in n
               for n in vec["notes"])
